// The simulator's answers that clients outside this project rely on (issue #14), over real HTTP:
// exact shapes and error codes that the jsforce and sf CLI tests exercise only in passing.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'sfgen/simulator';
import { call, startTiny } from './helpers.js';

const V = '/services/data/v68.0';
let sim: Simulator;
let token: string;
const q = (soql: string) => encodeURIComponent(soql);

beforeAll(async () => {
  sim = await startTiny({ auth: { clientId: 'app', clientSecret: 'shh', users: ['admin@tiny.example', 'second@tiny.example'] } });
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

describe('paths and versions', () => {
  it('serves //services/... (an instance URL stored with a trailing slash) like /services/...', async () => {
    const r = await call(sim, token, 'GET', `/${V}/sobjects/Account/describe`);
    expect(r.status).toBe(200);
    expect((r.json as { name: string }).name).toBe('Account');
  });

  it('serves up to 68.0 (Winter \'27) by default, with describe URLs at the requested version', async () => {
    const d62 = await call(sim, token, 'GET', '/services/data/v62.0/sobjects/Account/describe');
    expect((d62.json as { urls: { sobject: string } }).urls.sobject).toBe('/services/data/v62.0/sobjects/Account');
    const g = await call(sim, token, 'GET', `${V}/sobjects`);
    expect(g.text).not.toMatch(/\/services\/data\/v(?!68\.0)\d+\.\d\//);
    expect((await call(sim, token, 'GET', '/services/data/v69.0/sobjects')).status).toBe(404);
  });

  it('lists identity, search, tooling, recent and parameterizedSearch among the resources', async () => {
    const r = await call(sim, token, 'GET', `${V}/`);
    expect(r.json).toMatchObject({
      sobjects: `${V}/sobjects`,
      search: `${V}/search`,
      tooling: `${V}/tooling`,
      recent: `${V}/recent`,
      parameterizedSearch: `${V}/parameterizedSearch`,
      identity: `${sim.url}/id/${sim.orgId}/${sim.defaultUser.userId}`,
    });
  });
});

describe('identity', () => {
  it('accepts the token as oauth_token and puts the asked version in the URLs', async () => {
    const r = await call(sim, undefined, 'GET', `/id/${sim.orgId}/${sim.defaultUser.userId}?format=json&version=latest&oauth_token=${encodeURIComponent(token)}`);
    expect(r.status).toBe(200);
    const body = r.json as Record<string, unknown> & { urls: Record<string, string> };
    expect(body).toMatchObject({ user_id: sim.defaultUser.userId, username: 'admin@tiny.example', last_name: 'Admin', active: true, email_verified: true });
    expect(body.urls.rest).toBe(`${sim.url}/services/data/v68.0/`);
    expect(Object.keys(body.urls)).toEqual(expect.arrayContaining(['enterprise', 'metadata', 'partner', 'sobjects', 'search', 'query', 'recent', 'tooling_soap', 'tooling_rest', 'profile', 'custom_domain']));
  });

  it('answers 403 Bad_OAuth_Token without a valid token', async () => {
    const r = await call(sim, undefined, 'GET', `/id/${sim.orgId}/${sim.defaultUser.userId}?oauth_token=nope`);
    expect(r.status).toBe(403);
  });
});

describe('query columns=true', () => {
  const columns = async (soql: string) => (await call(sim, token, 'GET', `${V}/query?q=${q(soql)}&columns=true`)).json as Record<string, unknown> & {
    columnMetadata: { columnName: string; displayName: string; aggregate: boolean; joinColumns: { columnName: string; displayName: string }[]; apexType: string | null; foreignKeyName: string | null; insertable: boolean }[];
  };

  it('describes plain, parent and child columns instead of running the query', async () => {
    const r = await columns('SELECT Id, Name, Owner.Username, Owner.LastName, (SELECT LastName FROM Contacts) FROM Account');
    expect(r).toMatchObject({ entityName: 'Account', groupBy: false, idSelected: true, keyPrefix: '001' });
    expect(r).not.toHaveProperty('records');
    const [id, name, owner, contacts] = r.columnMetadata;
    expect(id).toMatchObject({ columnName: 'Id', apexType: 'Id', aggregate: false, joinColumns: [] });
    expect(name).toMatchObject({ columnName: 'Name', apexType: 'String', textType: true, insertable: true, updatable: true });
    expect(owner).toMatchObject({ columnName: 'Owner', foreignKeyName: 'OwnerId', aggregate: false });
    expect(owner!.joinColumns.map((c) => c.columnName)).toEqual(['Username', 'LastName']);
    expect(contacts).toMatchObject({ columnName: 'Contacts', aggregate: true });
    expect(contacts!.joinColumns.map((c) => c.columnName)).toEqual(['LastName']);
    expect(r.columnMetadata).toHaveLength(4);
  });

  it('names function columns exprN or by alias, displayed as written; grouped fields stay fields', async () => {
    const r = await columns('SELECT Industry, count(Id), MAX(NumberOfEmployees) biggest FROM Account GROUP BY Industry');
    expect(r.groupBy).toBe(true);
    expect(r.columnMetadata.map((c) => [c.columnName, c.displayName, c.aggregate])).toEqual([
      ['Industry', 'Industry', false],
      ['expr0', 'count(Id)', true],
      ['biggest', 'MAX(NumberOfEmployees)', true],
    ]);
  });

  it('reports a bad query like the query itself does', async () => {
    const r = await call(sim, token, 'GET', `${V}/query?q=${q('SELECT Nope FROM Account')}&columns=true`);
    expect(r.status).toBe(400);
    expect((r.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD');
  });
});

describe('SOSL', () => {
  const search = async (sosl: string) => {
    const r = await call(sim, token, 'GET', `${V}/search?q=${q(sosl)}`);
    return { status: r.status, json: r.json as { searchRecords: Record<string, unknown>[] } & { errorCode?: string }[] };
  };
  const names = (r: { json: { searchRecords: Record<string, unknown>[] } }) => r.json.searchRecords.map((x) => x.Name ?? x.LastName);

  it('matches words, wildcards, phrases, OR and AND NOT', async () => {
    expect(names(await search('FIND {"account 01"} RETURNING Account(Name)'))).toEqual(['Account 01']);
    expect(names(await search('FIND {account 1*} IN NAME FIELDS RETURNING Account(Name ORDER BY Name)'))).toEqual(['Account 10', 'Account 11', 'Account 12']);
    expect(names(await search('FIND {"account 02" OR "account 03"} RETURNING Account(Name ORDER BY Name DESC)'))).toEqual(['Account 03', 'Account 02']);
    expect(names(await search('FIND {account AND NOT 0*} IN NAME FIELDS RETURNING Account(Name ORDER BY Name)'))).toEqual(['Account 10', 'Account 11', 'Account 12']);
  });

  it('applies WHERE, OFFSET and LIMIT per object and LIMIT overall', async () => {
    expect(names(await search("FIND {account} RETURNING Account(Name WHERE Industry = 'Energy' ORDER BY Name LIMIT 1 OFFSET 1)"))).toHaveLength(1);
    const limited = await search('FIND {account} RETURNING Account(Name), Contact(LastName) LIMIT 3');
    expect(limited.json.searchRecords).toHaveLength(3);
  });

  it('searches email fields with IN EMAIL FIELDS, and every searchable object without RETURNING', async () => {
    const r = await search('FIND {jane@example.com} IN EMAIL FIELDS RETURNING Contact(LastName, Email)');
    expect(r.json.searchRecords).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ type: 'Contact' }), LastName: 'Doe', Email: 'jane@example.com' })]);
    const all = await search('FIND {jane}');
    expect(all.json.searchRecords.map((x) => Object.keys(x).sort())).toEqual([['Id', 'attributes']]);
  });

  it('answers MALFORMED_SEARCH for bad syntax and INVALID_TYPE for an unknown object', async () => {
    expect((await search('FIND Acme')).json[0]!.errorCode).toBe('MALFORMED_SEARCH');
    expect((await search('FIND {acme} RETURNING Nope__c')).json[0]!.errorCode).toBe('INVALID_TYPE');
  });

  it('serves parameterizedSearch by GET parameters and by POST body', async () => {
    const get = await call(sim, token, 'GET', `${V}/parameterizedSearch?q=account&sobject=Account&Account.fields=Name&Account.limit=2`);
    expect((get.json as { searchRecords: unknown[] }).searchRecords).toHaveLength(2);
    const post = await call(sim, token, 'POST', `${V}/parameterizedSearch`, { q: 'doe', in: 'NAME', sobjects: [{ name: 'Contact', fields: ['LastName'] }] });
    expect((post.json as { searchRecords: { LastName: string }[] }).searchRecords.map((x) => x.LastName)).toEqual(['Doe']);
  });
});

describe('composite tree errors', () => {
  it('refuses duplicate referenceIds, a wrong type and more than 200 records before writing anything', async () => {
    const before = sim.org.records('Account').length;
    const dup = await call(sim, token, 'POST', `${V}/composite/tree/Account`, {
      records: [
        { attributes: { type: 'Account', referenceId: 'r1' }, Name: 'A' },
        { attributes: { type: 'Account', referenceId: 'r1' }, Name: 'B' },
      ],
    });
    expect(dup.status).toBe(400);
    expect(dup.text).toContain('duplicate referenceId r1');
    const wrong = await call(sim, token, 'POST', `${V}/composite/tree/Account`, { records: [{ attributes: { type: 'Contact', referenceId: 'r1' }, LastName: 'x' }] });
    expect(wrong.text).toContain('attributes.type must be Account');
    const many = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account', referenceId: `r${i}` }, Name: `N${i}` }));
    expect((await call(sim, token, 'POST', `${V}/composite/tree/Account`, { records: many })).text).toContain('at most 200 records');
    expect(sim.org.records('Account').length).toBe(before);
  });
});

describe('URLs below a record', () => {
  it('answers 404 for an empty lookup and an unknown relationship, 400 for a field that is neither', async () => {
    const account = sim.org.records('Account')[0]!;
    expect((await call(sim, token, 'GET', `${V}/sobjects/Account/${account.Id}/Parent`)).status).toBe(404);
    expect((await call(sim, token, 'GET', `${V}/sobjects/Account/${account.Id}/Nope`)).status).toBe(404);
    const field = await call(sim, token, 'GET', `${V}/sobjects/Account/${account.Id}/Industry`);
    expect(field.status).toBe(400);
    expect((field.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD');
    const ext = await call(sim, token, 'GET', `${V}/sobjects/Account/Ext_Id__c/EXT-1`);
    expect((ext.json as { Name: string }).Name).toBe('Account 01');
  });

  it('serves list views (none for an object whose describe lists no listviews URL), layouts (none, with record type mappings) and recent items', async () => {
    expect((await call(sim, token, 'GET', `${V}/sobjects/Account/listviews`)).json).toEqual({ done: true, listviews: [], nextRecordsUrl: null, size: 0, sobjectType: 'Account' });
    const layouts = await call(sim, token, 'GET', `${V}/sobjects/Account/describe/layouts`);
    expect(layouts.json).toMatchObject({ layouts: [], recordTypeSelectorRequired: [false] });
    const recent = await call(sim, token, 'GET', `${V}/recent?limit=2`);
    expect(recent.status).toBe(200);
    expect(Array.isArray(recent.json)).toBe(true);
  });
});

describe('Tooling API', () => {
  it('answers a syntactically valid query with an empty result and a bad one with MALFORMED_QUERY', async () => {
    const ok = await call(sim, token, 'GET', `${V}/tooling/query?q=${q('SELECT Id, Name FROM ApexClass WHERE Name = \'X\'')}`);
    expect(ok.json).toEqual({ size: 0, totalSize: 0, done: true, queryLocator: null, entityTypeName: 'ApexClass', records: [] });
    const bad = await call(sim, token, 'GET', `${V}/tooling/query?q=${q('SELECT FROM')}`);
    expect(bad.status).toBe(400);
    expect((bad.json as { errorCode: string }[])[0]!.errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('validation', () => {
  it('accepts well-formed emails and refuses malformed ones, in collections too', async () => {
    expect((await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: 'Ok', Email: "o'brien+tag@mail.example.co.uk" })).status).toBe(201);
    const r = await call(sim, token, 'POST', `${V}/composite/sobjects`, {
      records: [{ attributes: { type: 'Contact' }, LastName: 'Bad', Email: 'two@@example.com' }],
    });
    expect(r.json).toEqual([{ success: false, errors: [{ statusCode: 'INVALID_EMAIL_ADDRESS', message: 'Email: invalid email address: two@@example.com', fields: ['Email'] }] }]);
  });

  it('refuses a lookup to a well-formed id that names no record', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: 'Orphan', AccountId: '001000000000999' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual([{ message: 'AccountId: invalid cross reference id', errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['AccountId'] }]);
  });
});

describe('OAuth', () => {
  const form = (fields: Record<string, string>) =>
    fetch(`${sim.url}/services/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

  it('runs the authorization-code grant with PKCE and hands out a refresh token; revoking it ends refreshes', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const auth = await fetch(`${sim.url}/services/oauth2/authorize?response_type=code&client_id=app&redirect_uri=${encodeURIComponent('http://localhost:1717/cb')}&code_challenge=${challenge}&login_hint=second@tiny.example`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const wrong = await form({ grant_type: 'authorization_code', code, client_id: 'app', redirect_uri: 'http://localhost:1717/cb', code_verifier: 'x'.repeat(50) });
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');

    const auth2 = await fetch(`${sim.url}/services/oauth2/authorize?response_type=code&client_id=app&redirect_uri=${encodeURIComponent('http://localhost:1717/cb')}&code_challenge=${challenge}&login_hint=second@tiny.example`, { redirect: 'manual' });
    const code2 = new URL(auth2.headers.get('location')!).searchParams.get('code')!;
    const ok = (await (await form({ grant_type: 'authorization_code', code: code2, client_id: 'app', redirect_uri: 'http://localhost:1717/cb', code_verifier: verifier })).json()) as Record<string, string>;
    expect(ok.refresh_token).toBeDefined();
    expect(ok.id).toMatch(/\/005/);
    const refreshed = await form({ grant_type: 'refresh_token', refresh_token: ok.refresh_token!, client_id: 'app', client_secret: 'shh' });
    const body = (await refreshed.json()) as Record<string, string>;
    expect(refreshed.status).toBe(200);
    expect(body).not.toHaveProperty('refresh_token');
    const me = await call(sim, body.access_token, 'GET', '/services/oauth2/userinfo');
    expect((me.json as { preferred_username: string }).preferred_username).toBe('second@tiny.example');

    const revoke = await fetch(`${sim.url}/services/oauth2/revoke`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(ok.refresh_token!)}` });
    expect(revoke.status).toBe(200);
    const after = await form({ grant_type: 'refresh_token', refresh_token: ok.refresh_token!, client_id: 'app' });
    expect(after.status).toBe(400);
  });

  it('refuses an unknown client and a response type other than code at the authorization endpoint', async () => {
    const bad = await fetch(`${sim.url}/services/oauth2/authorize?response_type=code&client_id=other&redirect_uri=http://x/cb`, { redirect: 'manual' });
    expect(bad.status).toBe(400);
    const token = await fetch(`${sim.url}/services/oauth2/authorize?response_type=token&client_id=app&redirect_uri=http://x/cb`, { redirect: 'manual' });
    expect(((await token.json()) as { error: string }).error).toBe('unsupported_response_type');
  });
});

describe('users', () => {
  it('gives every configured user a User record the API can read', async () => {
    const users = sim.org.records('User').map((u) => u.Username);
    expect(users).toEqual(expect.arrayContaining(['admin@tiny.example', 'second@tiny.example']));
    const r = await call(sim, token, 'GET', `${V}/query?q=${q("SELECT Id, LastName, IsActive FROM User WHERE Username = 'second@tiny.example'")}`);
    expect((r.json as { records: Record<string, unknown>[] }).records).toEqual([expect.objectContaining({ LastName: 'second', IsActive: true })]);
  });

  it('refuses refresh tokens registered for an unknown user, naming the user', async () => {
    await expect(startTiny({ auth: { refreshTokens: { 'secret-token-1234': 'ghost@tiny.example' } } })).rejects.toThrow(/unknown user ghost@tiny\.example/);
    await expect(startTiny({ auth: { refreshTokens: { 'secret-token-1234': 'ghost@tiny.example' } } })).rejects.not.toThrow(/secret-token/);
  });

  it('gives a demo-org user added by name a full User record (profile, email, locale)', async () => {
    const demo = await startSimulator({ metadataDir: 'test/fixtures/demo-org', auth: { users: ['new.person@sfgen.example'] } });
    try {
      const u = demo.org.records('User').find((x) => x.Username === 'new.person@sfgen.example')!;
      expect(u).toMatchObject({ Email: 'new.person@sfgen.example', Alias: 'new.pers', IsActive: true, TimeZoneSidKey: 'Europe/London' });
      expect(demo.org.findById(u.ProfileId as string)?.sobject).toBe('Profile');
    } finally {
      await demo.close();
    }
  });
});
