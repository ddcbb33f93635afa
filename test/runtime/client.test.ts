/**
 * The thin typed client end to end against the org simulator over real sockets.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../runtime/client.js';
import { staticToken } from '../../runtime/auth/providers.js';
import { ConfigError, MalformedQueryError, NotFoundError, UsageError, ValidationError } from '../../runtime/errors.js';
import { parseDateTime } from '../../runtime/values.js';
import type { TypedQuery } from '../../runtime/schema.js';
import { writeMiniOrg } from './fixtures/mini-org.js';
import { Account, Contact } from './fixtures/sobjects.js';

let sim: Simulator;
let client: SalesforceClient;
let dir: string;

beforeAll(async () => {
  dir = writeMiniOrg({ accounts: 1050 });
  sim = await startSimulator({ metadataDir: dir, pageSize: 200 });
  client = createClient({ auth: staticToken({ accessToken: sim.issueAccessToken(), instanceUrl: sim.url }), allowInsecureLoopback: true });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('config', () => {
  it('refuses plain HTTP to the simulator without allowInsecureLoopback, naming the option', async () => {
    const insecure = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url } });
    await expect(insecure.describeGlobal()).rejects.toThrow(ConfigError);
    await expect(insecure.describeGlobal()).rejects.toThrow(/allowInsecureLoopback/);
    await insecure.close();
  });

  it('pins the API version from config', async () => {
    const c = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true, apiVersion: 'v59.0' });
    expect(c.apiVersion).toBe('59.0');
    sim.resetStats();
    await c.describe('Account');
    expect(Object.keys(sim.stats().byRoute).join(' ')).toMatch(/describe/);
    const raw = await c.request({ method: 'GET', path: 'sobjects/Account/describe' });
    expect(raw.status).toBe(200);
    expect(() => createClient({ auth: { accessToken: 'x', instanceUrl: sim.url }, apiVersion: 'latest' })).toThrow(/not an API version/);
    await c.close();
  });
});

describe('describe', () => {
  it('describes globally and per object, and honours If-Modified-Since', async () => {
    const global = await client.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(['Account', 'Contact']);
    const account = await client.describe('Account');
    expect('fields' in account && account.fields.some((f) => f.name === 'Rating')).toBe(true);
    const later = new Date(Date.UTC(2030, 0, 1));
    expect(await client.describe('Account', { ifModifiedSince: later })).toEqual({ notModified: true });
    const earlier = new Date(Date.UTC(2020, 0, 1));
    expect(await client.describe('Account', { ifModifiedSince: earlier })).toHaveProperty('name', 'Account');
  });

  it('batches describes through /composite/batch', async () => {
    const result = await client.compositeBatch([
      { method: 'GET', url: 'sobjects/Account/describe' },
      { method: 'GET', url: `v${client.apiVersion}/sobjects/Contact/describe` },
    ]);
    expect(result.hasErrors).toBe(false);
    expect(result.results.map((r) => (r.result as { name: string }).name)).toEqual(['Account', 'Contact']);
    await expect(client.compositeBatch(Array.from({ length: 26 }, () => ({ method: 'GET' as const, url: 'sobjects' })))).rejects.toThrow(UsageError);
  });

  it('raw request returns any status without throwing', async () => {
    const res = await client.request({ method: 'GET', path: 'sobjects/NoSuchThing__c/describe' });
    expect(res.status).toBe(404);
    expect(Array.isArray(res.body)).toBe(true);
    const versions = await client.request({ method: 'GET', path: '/services/data' });
    expect(versions.status).toBe(200);
  });
});

describe('records', () => {
  it('creates, reads, updates and deletes a typed record', async () => {
    const accounts = client.sobject(Account);
    const created = await accounts.create({ Name: 'Acme', Rating: 'Hot', Founded__c: '1999-12-31', AnnualRevenue: 1000 });
    expect(created.id).toMatch(/^001[a-zA-Z0-9]{15}$/);
    const row = await accounts.get(created.id, { fields: ['Name', 'Rating', 'Founded__c', 'CreatedDate'] });
    expect(row.Name).toBe('Acme');
    expect(row.Rating).toBe('Hot');
    expect(row.Founded__c).toBe('1999-12-31');
    expect(parseDateTime(row.CreatedDate).getTime()).toBeGreaterThan(Date.UTC(2020, 0, 1));
    await accounts.update(created.id, { Rating: 'Cold', Industry: 'Not In The List' });
    const after = await accounts.get(created.id);
    expect(after.Rating).toBe('Cold');
    expect(after.Industry).toBe('Not In The List');
    await accounts.delete(created.id);
    await expect(accounts.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('formats Date values by field type on write', async () => {
    const accounts = client.sobject(Account);
    const { id } = await accounts.create({ Name: 'Dated', Founded__c: new Date(Date.UTC(2001, 8, 9)) as unknown as string });
    expect((await accounts.get(id, { fields: ['Founded__c'] })).Founded__c).toBe('2001-09-09');
  });

  it('turns Salesforce validation errors into typed errors naming fields and the request', async () => {
    const accounts = client.sobject(Account);
    const missing = await accounts.create({} as never).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect((missing as ValidationError).fields).toContain('Name');
    expect((missing as ValidationError).message).toContain('POST /services/data/v60.0/sobjects/Account');
    const picklist = await accounts.create({ Name: 'x', Rating: 'Lukewarm' as 'Hot' }).catch((e: unknown) => e);
    expect(picklist).toBeInstanceOf(ValidationError);
    expect((picklist as ValidationError).errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  });

  it('rejects an invalid id before sending anything', async () => {
    sim.resetStats();
    await expect(client.sobject(Account).get('not-an-id')).rejects.toThrow(UsageError);
    await expect(client.sobject(Account).delete('001')).rejects.toThrow(/is not a Salesforce id/);
    expect(sim.stats().requests).toBe(0);
  });

  it('links records through references', async () => {
    const { id: accountId } = await client.sobject(Account).create({ Name: 'Parent' });
    const { id } = await client.sobject(Contact).create({ LastName: 'Child', AccountId: accountId });
    expect((await client.sobject(Contact).get(id, { fields: ['AccountId'] })).AccountId).toBe(accountId);
  });
});

describe('query', () => {
  it('iterates every page (no silent cap)', async () => {
    sim.resetStats();
    let n = 0;
    const stream = client.query('SELECT Id, Name FROM Account');
    const ids = new Set<string>();
    for await (const row of stream) {
      expect(row.attributes.type).toBe('Account');
      ids.add(row.Id as string);
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(1050);
    expect(ids.size).toBe(n);
    expect(stream.totalSize).toBe(n);
    expect(stream.truncated).toBe(false);
    expect(sim.stats().requests).toBe(Math.ceil(n / 200)); // pages of 200
  });

  it('breaking out of iteration stops paging (at most one page fetched ahead)', async () => {
    sim.resetStats();
    let n = 0;
    for await (const row of client.query('SELECT Id FROM Account')) {
      void row;
      if (++n === 250) break;
    }
    expect(n).toBe(250);
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.stats().requests).toBeLessThanOrEqual(3); // page 1, page 2, and page 3 fetched ahead
  });

  it('a QueryStream iterates once; a second iteration is a clear error', async () => {
    const stream = client.query('SELECT Id FROM Account', { maxRecords: 1 });
    await stream.toArray();
    await expect(stream.toArray()).rejects.toThrow(/iterated only once/);
    expect(() => client.query('SELECT Id FROM Account', { batchSize: 5 })).toThrow(/batchSize must be an integer from 200 to 2000/);
  });

  it('stops at an explicit maxRecords and says so', async () => {
    const stream = client.query('SELECT Id FROM Account', { maxRecords: 250 });
    const rows = await stream.toArray();
    expect(rows).toHaveLength(250);
    expect(stream.truncated).toBe(true);
  });

  it('accepts a TypedQuery and types its rows', async () => {
    const q: TypedQuery<{ Id: string; Name: string | null }> = { toSoql: () => 'SELECT Id, Name FROM Account LIMIT 3' };
    const rows = await client.query(q).toArray();
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => typeof r.Name === 'string')).toBe(true);
  });

  it('reports malformed SOQL as MalformedQueryError', async () => {
    const err = await client.query('SELEC Id FROM Account').toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedQueryError);
    expect((err as MalformedQueryError).message).toContain('GET /services/data/v60.0/query?q=SELEC Id FROM Account');
  });

  it('queryAll includes deleted rows', async () => {
    const { id } = await client.sobject(Account).create({ Name: 'Soon deleted' });
    await client.sobject(Account).delete(id);
    const live = (await client.query('SELECT Id FROM Account').toArray()).filter((r) => r.Id === id);
    const all = (await client.queryAll('SELECT Id, IsDeleted FROM Account').toArray()).filter((r) => r.Id === id);
    expect(live).toHaveLength(0);
    expect(all).toHaveLength(1);
    expect(all[0]?.IsDeleted).toBe(true);
  });
});
