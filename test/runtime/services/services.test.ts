/**
 * REST services against the simulator: upsert (201/200/300), collections (chunking, order,
 * allOrNone), composite (referenceId wiring), explain, limits; composite graph against a small
 * server (request shape and result mapping).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../../runtime/client.js';
import { AmbiguousExternalIdError, MultiRecordError, UsageError } from '../../../runtime/errors.js';
import type { RecordOutcome } from '../../../runtime/services/collections.js';
import { writeMiniOrg } from '../fixtures/mini-org.js';
import { Account, Contact } from '../fixtures/sobjects.js';
import { json, startServer } from '../helpers/server.js';

let sim: Simulator;
let client: SalesforceClient;
let dir: string;

beforeAll(async () => {
  dir = writeMiniOrg({ accounts: 5 });
  sim = await startSimulator({ metadataDir: dir });
  client = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('upsert by external id', () => {
  it('creates (201), then updates (200)', async () => {
    const accounts = client.sobject(Account);
    const first = await accounts.upsert('Ext_Id__c', 'UPS-1', { Name: 'Upserted' });
    expect(first.created).toBe(true);
    expect(first.id).toMatch(/^001/);
    const second = await accounts.upsert('Ext_Id__c', 'UPS-1', { Name: 'Upserted again' });
    expect(second).toEqual({ id: first.id, created: false });
    expect((await accounts.get(first.id, { fields: ['Name'] })).Name).toBe('Upserted again');
  });

  it('reports 300 (several matches) as AmbiguousExternalIdError listing the candidates', async () => {
    sim.store.insert('Account', { Name: 'Dup A', Ext_Id__c: 'DUP-1' });
    sim.store.insert('Account', { Name: 'Dup B', Ext_Id__c: 'DUP-1' });
    const err = await client.sobject(Account).upsert('Ext_Id__c', 'DUP-1', { Name: 'which?' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousExternalIdError);
    expect((err as AmbiguousExternalIdError).status).toBe(300);
    expect((err as AmbiguousExternalIdError).message).toContain('Ext_Id__c = "DUP-1"');
    expect((err as AmbiguousExternalIdError).body).toHaveLength(2);
  });
});

describe('sObject Collections', () => {
  it('creates 450 records in 3 calls with results in input order', async () => {
    sim.resetStats();
    const records = Array.from({ length: 450 }, (_, i) => ({ Name: `Bulkish ${i}`, Ext_Id__c: `COL-${i}` }));
    const results = await client.sobject(Account).createMany(records);
    expect(results).toHaveLength(450);
    expect(results.every((r) => r.success && r.id)).toBe(true);
    expect(sim.stats().requests).toBe(3);
    const back = await client.sobject(Account).retrieveMany(results.map((r) => r.id!), ['Ext_Id__c']);
    expect(back.map((r) => r?.Ext_Id__c)).toEqual(records.map((r) => r.Ext_Id__c));
  });

  it('reports per-record failures in place (statusCode, fields)', async () => {
    const results = await client.sobject(Account).createMany([{ Name: 'ok 1' }, { Rating: 'Hot' } as never, { Name: 'ok 2' }]);
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[1]!.id).toBeNull();
    expect(results[1]!.errors[0]!.statusCode).toBe('REQUIRED_FIELD_MISSING');
  });

  it('allOrNone rolls back a chunk, does not send later chunks, and throws with every outcome (NOT_ATTEMPTED named)', async () => {
    const records: { Name?: string }[] = Array.from({ length: 250 }, (_, i) => ({ Name: `aon ${i}` }));
    records[10] = {};
    sim.resetStats();
    const err = await client.sobject(Account).createMany(records as never[], { allOrNone: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultiRecordError);
    const error = err as MultiRecordError<RecordOutcome>;
    expect(error.code).toBe('SF_MULTI_RECORD');
    // The message names the record at fault and the records not sent.
    expect(error.message).toContain('[10] REQUIRED_FIELD_MISSING');
    expect(error.message).toContain('50 not attempted [200..249]');
    const results = error.outcomes;
    expect(results).toHaveLength(250);
    expect(results[10]!.outcome).toBe('failed');
    expect(results[200]!.outcome).toBe('not-attempted');
    expect(sim.stats().requests).toBe(1);
    expect(results.slice(0, 200).every((r) => !r.success)).toBe(true);
    expect(results[0]!.errors[0]!.statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(results[200]!.errors[0]!.statusCode).toBe('NOT_ATTEMPTED');
  });

  it('updates, upserts and deletes many', async () => {
    const created = await client.sobject(Account).createMany(Array.from({ length: 3 }, (_, i) => ({ Name: `m${i}` })));
    const ids = created.map((r) => r.id!);
    const updated = await client.sobject(Account).updateMany(ids.map((Id) => ({ Id, Rating: 'Warm' as const })));
    expect(updated.every((r) => r.success)).toBe(true);
    const upserted = await client.sobject(Account).upsertMany('Ext_Id__c', [{ Name: 'new', Ext_Id__c: 'UM-1' }, { Name: 'again', Ext_Id__c: 'COL-1' }]);
    expect(upserted.map((r) => r.created)).toEqual([true, false]);
    const deleted = await client.deleteMany(ids);
    expect(deleted.every((r) => r.success)).toBe(true);
    expect(await client.sobject(Account).retrieveMany(ids, ['Name'])).toEqual([null, null, null]);
  });

  it('refuses more than 200 records when one call was asked for, sending nothing', async () => {
    sim.resetStats();
    await expect(client.sobject(Account).createMany(Array.from({ length: 201 }, () => ({ Name: 'x' })), { chunk: false })).rejects.toThrow(UsageError);
    await expect(client.sobject(Account).upsertMany('Ext_Id__c', [{ Name: 'no key' }])).rejects.toThrow(/no value for the external id Ext_Id__c/);
    expect(sim.stats().requests).toBe(0);
  });
});

describe('composite', () => {
  it('wires referenceIds between subrequests', async () => {
    const result = await client.composite([
      { method: 'POST', url: 'sobjects/Account', referenceId: 'acct', body: { Name: 'Composite parent' } },
      { method: 'POST', url: 'sobjects/Contact', referenceId: 'ct', body: { LastName: 'Composite child', AccountId: '@{acct.id}' } },
      { method: 'GET', url: 'sobjects/Contact/@{ct.id}?fields=AccountId', referenceId: 'check' },
    ], { allOrNone: true });
    expect(result.ok).toBe(true);
    const accountId = (result.get('acct')!.body as { id: string }).id;
    expect((result.get('check')!.body as { AccountId: string }).AccountId).toBe(accountId);
    expect((await client.sobject(Contact).get((result.get('ct')!.body as { id: string }).id, { fields: ['LastName'] })).LastName).toBe('Composite child');
  });

  it('validates references and size before sending', async () => {
    await expect(client.composite([{ method: 'GET', url: 'sobjects/Account/@{nope.id}', referenceId: 'a' }])).rejects.toThrow(/@\{nope\}, which is not an earlier referenceId/);
    await expect(client.composite(Array.from({ length: 26 }, (_, i) => ({ method: 'GET' as const, url: 'limits', referenceId: `r${i}` })))).rejects.toThrow(/at most 25/);
    await expect(client.composite([{ method: 'GET', url: 'limits', referenceId: 'bad-id' }])).rejects.toThrow(UsageError);
  });
});

describe('explain and limits', () => {
  it('explains a query', async () => {
    const plan = await client.explain('SELECT Id FROM Account');
    expect(plan.plans[0]?.sobjectType).toBe('Account');
  });

  it('reads /limits with nested sub-limits', async () => {
    const limits = await client.limits();
    expect(limits.DailyApiRequests).toMatchObject({ Max: expect.any(Number), Remaining: expect.any(Number) });
  });
});

describe('composite graph', () => {
  it('sends graphs with absolute URLs and maps the results', async () => {
    const server = await startServer((req, res) => {
      const body = JSON.parse(req.body) as { graphs: { graphId: string; compositeRequest: { url: string; referenceId: string }[] }[] };
      json(res, 200, {
        graphs: body.graphs.map((g) => ({
          graphId: g.graphId,
          isSuccessful: g.graphId === 'g1',
          graphResponse: { compositeResponse: g.compositeRequest.map((s) => ({ body: { url: s.url }, httpHeaders: {}, httpStatusCode: g.graphId === 'g1' ? 201 : 400, referenceId: s.referenceId })) },
        })),
      });
    });
    const c = createClient({ auth: { accessToken: 'graph-token-123', instanceUrl: server.url }, allowInsecureLoopback: true });
    const results = await c.compositeGraph([
      { graphId: 'g1', compositeRequest: [{ method: 'POST', url: 'sobjects/Account', referenceId: 'a', body: { Name: 'x' } }, { method: 'POST', url: 'sobjects/Contact', referenceId: 'c', body: { AccountId: '@{a.id}' } }] },
      { graphId: 'g2', compositeRequest: [{ method: 'POST', url: 'sobjects/Account', referenceId: 'a', body: {} }] },
    ]);
    expect(server.requests[0]!.url).toBe('/services/data/v60.0/composite/graph');
    expect(results.map((r) => [r.graphId, r.isSuccessful, r.graphResponse.ok])).toEqual([['g1', true, true], ['g2', false, false]]);
    expect(results[0]!.graphResponse.get('c')!.body).toEqual({ url: '/services/data/v60.0/sobjects/Contact' });
    await expect(c.compositeGraph([{ graphId: 'g', compositeRequest: [] }])).rejects.toThrow(UsageError);
    await c.close();
    await server.close();
  });
});

describe('bad answers', () => {
  it('malformed JSON in a 200 is a ProtocolError naming the request, and a read is not silently accepted', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url.includes('query') ? '{"totalSize": 3, "done": false, "records": []}' : '{"name": "Account", "fields": [');
    });
    const c = createClient({ auth: { accessToken: 'malformed-token-1', instanceUrl: server.url }, allowInsecureLoopback: true });
    const err = await c.describe('Account').catch((e: unknown) => e);
    expect((err as Error).name).toBe('ProtocolError');
    expect((err as Error).message).toMatch(/malformed JSON in a 200 response \(application\/json\).*\(GET \/services\/data\/v60.0\/sobjects\/Account\/describe\)/);
    await expect(c.query('SELECT Id FROM Account').toArray()).rejects.toThrow(/done: false but no nextRecordsUrl/);
    await c.close();
    await server.close();
  });
});
