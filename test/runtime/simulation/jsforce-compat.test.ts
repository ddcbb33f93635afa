// jsforce 3 (a client nobody here wrote) against the simulator over real sockets: the REST
// surface beyond records and queries. identity(), SOSL search, updated/deleted replication,
// relationship and blob URLs, composite tree, list views, layouts, recent items, the Tooling API,
// and OAuth with refresh tokens (the web-server flow, and jsforce's automatic session refresh).
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'sfgen/simulator';

const CLIENT_ID = 'jsforce-test-app';
const CLIENT_SECRET = 'jsforce-test-secret';
const REDIRECT = 'http://localhost:1717/OauthRedirect';
let sim: Simulator;
let conn: InstanceType<typeof jsforce.Connection>;

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: 'test/fixtures/demo-org', auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
  // No version: jsforce's default, older than what the simulator serves by default.
  conn = new jsforce.Connection({ instanceUrl: sim.url, accessToken: sim.issueAccessToken(), version: '68.0' });
});
afterAll(async () => {
  await sim.close();
});

describe('identity and resources', () => {
  it('identity() finds the identity URL in the resource list and reads the user', async () => {
    const id = await conn.identity();
    expect(id.user_id).toBe(sim.defaultUser.userId);
    expect(id.organization_id).toBe(sim.orgId);
    expect(id.username).toBe(sim.defaultUser.username);
    expect(id).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', active: true, user_type: 'STANDARD' });
    expect(id.urls.rest).toBe(`${sim.url}/services/data/v{version}/`);
    expect((id.urls as Record<string, string>).tooling_rest).toBe(`${sim.url}/services/data/v{version}/tooling/`);
  });

  it('describes at the version asked for: describe URLs follow the request', async () => {
    const old = new jsforce.Connection({ instanceUrl: sim.url, accessToken: sim.issueAccessToken(), version: '62.0' });
    const d = await old.describe('Account');
    expect(d.urls.sobject).toBe('/services/data/v62.0/sobjects/Account');
    const g = await conn.describeGlobal();
    expect(g.sobjects.find((s) => s.name === 'Account')?.urls.describe).toBe('/services/data/v68.0/sobjects/Account/describe');
  });
});

describe('SOSL', () => {
  it('search() answers searchRecords with RETURNING fields, WHERE and LIMIT per object', async () => {
    const res = (await conn.search("FIND {Acme} RETURNING Account(Name, Industry WHERE Name != 'Acme Systems' ORDER BY Name LIMIT 5), Contact(LastName)")) as unknown as {
      searchRecords: { attributes: { type: string }; Name?: string; Id?: string }[];
    };
    const accounts = res.searchRecords.filter((r) => r.attributes.type === 'Account');
    expect(accounts.map((r) => r.Name)).toEqual(['Acme Corporation', 'Acme Industries']);
    expect(accounts[0]).not.toHaveProperty('Id');
  });

  it('answers MALFORMED_SEARCH for a one-character term', async () => {
    await expect(conn.search('FIND {a}')).rejects.toMatchObject({ errorCode: 'MALFORMED_SEARCH' });
  });
});

describe('replication', () => {
  it('updated() and deleted() list what changed in the window', async () => {
    const start = new Date(Date.now() - 60 * 60 * 1000);
    const kept = (await conn.sobject('Account').create({ Name: 'Replicated' })) as { id: string };
    const created = (await conn.sobject('Account').create({ Name: 'Replicated then deleted' })) as { id: string };
    await conn.sobject('Account').destroy(created.id);
    const end = new Date(Date.now() + 2 * 60 * 1000);
    const updated = await conn.sobject('Account').updated(start, end);
    expect(updated.ids).toEqual([kept.id]);
    expect(updated.ids).not.toContain('001Dn0000R4MSVkIQO'); // a seed record, last modified in 2024
    const deleted = await conn.sobject('Account').deleted(start, end);
    expect(deleted.deletedRecords.map((r) => r.id)).toEqual([created.id]);
    expect(deleted.latestDateCovered).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000\+0000$/);
  });

  it('refuses a start older than 30 days', async () => {
    await expect(conn.sobject('Account').updated(new Date(Date.now() - 31 * 86_400_000), new Date())).rejects.toMatchObject({
      errorCode: 'INVALID_REPLICATION_DATE',
    });
  });
});

describe('URLs below a record', () => {
  const acme = '001Dn0000R4MSVkIQO';

  it('follows a child relationship and a lookup', async () => {
    const contacts = await conn.request<{ totalSize: number; records: { AccountId: string }[] }>(`/sobjects/Account/${acme}/Contacts?fields=LastName,AccountId`);
    expect(contacts.totalSize).toBeGreaterThan(0);
    expect(contacts.records.every((c) => c.AccountId === acme)).toBe(true);
    const contactId = (await conn.query<{ Id: string }>(`SELECT Id FROM Contact WHERE AccountId = '${acme}' LIMIT 1`)).records[0]!.Id;
    const parent = await conn.request<{ Id: string; Name: string }>(`/sobjects/Contact/${contactId}/Account`);
    expect(parent).toMatchObject({ Id: acme, Name: 'Acme Industries' });
  });

  it('streams a blob field written through the API, and a seed blob of its BodyLength', async () => {
    const bytes = Buffer.from('%PDF-1.4 simulated attachment\n');
    const created = (await conn.sobject('Attachment').create({ ParentId: acme, Name: 'note.pdf', ContentType: 'application/pdf', Body: bytes.toString('base64') })) as { id: string };
    const rec = await conn.sobject('Attachment').retrieve(created.id);
    expect(rec.Body).toBe(`/services/data/v60.0/sobjects/Attachment/${created.id}/Body`);
    expect(rec.BodyLength).toBe(bytes.length);
    const read = async (id: string) => {
      const chunks: Buffer[] = [];
      for await (const c of conn.sobject('Attachment').record(id).blob('Body')) chunks.push(Buffer.from(c as Buffer));
      return Buffer.concat(chunks);
    };
    expect((await read(created.id)).equals(bytes)).toBe(true);
    expect((await read('00PDn00000V4YTAMA3')).length).toBe(48213);
  });

  it('still serves external-id lookups on the same URL shape', async () => {
    const byId = await conn.request<{ Name: string }>(`/sobjects/Account/Id/${acme}`);
    expect(byId.Name).toBe('Acme Industries');
  });
});

describe('composite tree', () => {
  it('creates an Account with Contacts in one call, and rolls back a tree with a bad record', async () => {
    const ok = await conn.requestPost<{ hasErrors: boolean; results: { referenceId: string; id: string }[] }>('/composite/tree/Account', {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'acc1' },
          Name: 'Tree Co',
          Contacts: { records: [{ attributes: { type: 'Contact', referenceId: 'con1' }, LastName: 'Leaf', Email: 'leaf@tree.example' }] },
        },
      ],
    });
    expect(ok.hasErrors).toBe(false);
    expect(ok.results.map((r) => r.referenceId)).toEqual(['acc1', 'con1']);
    const leaf = sim.org.findById(ok.results[1]!.id)?.record;
    expect(leaf?.AccountId).toBe(ok.results[0]!.id);

    const accounts = sim.org.records('Account').length;
    const bad = conn.requestPost('/composite/tree/Account', {
      records: [
        { attributes: { type: 'Account', referenceId: 'a1' }, Name: 'Fine' },
        { attributes: { type: 'Account', referenceId: 'a2' }, Industry: 'Energy' }, // no Name: REQUIRED_FIELD_MISSING
      ],
    });
    // 400 {hasErrors: true, results: [{referenceId: 'a2', errors: [...]}]}: jsforce shows the body.
    await expect(bad).rejects.toThrow(/"referenceId":"a2","errors":\[\{"statusCode":"REQUIRED_FIELD_MISSING"/);
    expect(sim.org.records('Account').length).toBe(accounts);
  });
});

describe('list views, layouts, recent items, Tooling API', () => {
  it('answers well-formed results', async () => {
    const views = (await conn.sobject('Account').listviews()) as ListViews;
    expect(views).toMatchObject({ done: true, size: 1, sobjectType: 'Account' });
    expect(views.listviews[0]).toMatchObject({ developerName: 'AllAccounts', label: 'All Accounts', soqlCompatible: true });
    const layouts = await conn.sobject('Account').layouts();
    expect(layouts.layouts).toEqual([]);
    expect(layouts.recordTypeMappings.length).toBeGreaterThan(0);
    const recent = (await conn.recent(3)) as { attributes: { type: string }; Id: string }[];
    expect(recent).toHaveLength(3);
    const tooling = await conn.tooling.query('SELECT Id, Name FROM ApexClass');
    expect(tooling).toMatchObject({ totalSize: 0, done: true, records: [] });
  });
});

// jsforce 3 types list view answers as `unknown`: the REST API guide's shapes.
interface ListViews {
  done: boolean;
  size: number;
  sobjectType: string;
  listviews: { id: string; developerName: string; label: string; soqlCompatible: boolean }[];
}
interface ListViewColumn {
  fieldNameOrPath: string;
  hidden: boolean;
  sortDirection: string | null;
}
interface ListViewDescribe {
  sobjectType: string;
  query: string;
  columns: ListViewColumn[];
}
interface ListViewResults {
  size: number;
  done: boolean;
  columns: ListViewColumn[];
  records: { columns: { fieldNameOrPath: string; value: string | null }[] }[];
}

describe('list views', () => {
  it('listviews(), listview(id).describe(), results() and explain() work on the "All" view', async () => {
    const { listviews } = (await conn.sobject('Contact').listviews()) as ListViews;
    const view = conn.sobject('Contact').listview(listviews[0]!.id);
    const described = (await view.describe()) as ListViewDescribe;
    expect(described.sobjectType).toBe('Contact');
    expect(described.columns[0]).toMatchObject({ fieldNameOrPath: 'Name', hidden: false, sortDirection: 'ascending' });
    // results() is the describe's query run now: the same rows in the same order.
    const expected = await conn.query<{ Id: string }>(described.query);
    const results = (await view.results()) as ListViewResults;
    expect(results.size).toBe(Math.min(25, expected.totalSize));
    expect(results.done).toBe(expected.totalSize <= 25);
    const idColumn = results.columns.findIndex((c) => c.fieldNameOrPath === 'Id');
    expect(results.records.map((r) => r.columns[idColumn]!.value)).toEqual(expected.records.slice(0, 25).map((r) => r.Id));
    const plan = (await view.explain()) as { plans: { sobjectType: string; cardinality: number }[] };
    expect(plan.plans[0]).toMatchObject({ sobjectType: 'Contact', cardinality: expected.totalSize });
  });
});

describe('validation gaps closed', () => {
  it('answers INVALID_EMAIL_ADDRESS, INVALID_CROSS_REFERENCE_KEY and INVALID_FIELD for an Id in a create', async () => {
    await expect(conn.sobject('Contact').create({ LastName: 'X', Email: 'nope@' })).rejects.toMatchObject({ errorCode: 'INVALID_EMAIL_ADDRESS' });
    await expect(conn.sobject('Contact').create({ LastName: 'X', AccountId: '001Dn0000R4MSVz' })).rejects.toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY' });
    const res = await fetch(`${sim.url}/services/data/v68.0/sobjects/Account`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.issueAccessToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Id: '001Dn0000R4MSVkIQO', Name: 'X' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual([{ message: 'The Id field should not be specified in the sobject data.', errorCode: 'INVALID_FIELD' }]);
  });
});

describe('OAuth with refresh tokens', () => {
  it('runs the web-server flow: the token answer carries a refresh token jsforce can use', async () => {
    const oauth2 = new jsforce.OAuth2({ loginUrl: sim.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT });
    const authorize = await fetch(oauth2.getAuthorizationUrl({ state: 'xyz' }), { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const location = new URL(authorize.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code')!;
    const tokens = await oauth2.requestToken(code);
    expect(tokens.refresh_token).toMatch(/^5Aep/);
    const refreshed = await oauth2.refreshToken(tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    // A code is single use.
    await expect(oauth2.requestToken(code)).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('jsforce refreshes an expired session by itself with a registered refresh token', async () => {
    sim.registerRefreshToken('5Aep861registeredForJsforceTest0001');
    const c = new jsforce.Connection({
      oauth2: { loginUrl: sim.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT },
      instanceUrl: sim.url,
      accessToken: 'expired-or-revoked',
      refreshToken: '5Aep861registeredForJsforceTest0001',
      version: '68.0',
    });
    let refreshedWith: string | undefined;
    c.on('refresh', (accessToken: string) => {
      refreshedWith = accessToken;
    });
    const result = await c.query<{ Name: string }>("SELECT Name FROM Account WHERE Name = 'Acme Industries'");
    expect(result.records[0]?.Name).toBe('Acme Industries');
    expect(refreshedWith).toBeDefined();
    expect(c.accessToken).toBe(refreshedWith);
  });
});
