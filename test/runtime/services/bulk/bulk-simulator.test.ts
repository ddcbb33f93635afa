/**
 * sfgen/bulk end to end against the org simulator (the bundled demo org) over real sockets: typed
 * ingest of every operation, every CSV hazard round-tripped through ingest and query, typed query
 * rows with parent paths, splitting into several jobs, restart re-attach, and every fault the
 * simulator injects (cut downloads, reset uploads, 503 polls, limits on create, Failed jobs).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, selectFrom, type SalesforceClient } from '../../../../runtime/index.js';
import { startSimulator, type Simulator } from '../../../../runtime/simulation/index.js';
import { LimitError } from '../../../../runtime/errors.js';
import { bulk, BulkJobError, type BulkJobRef } from '../../../../runtime/services/bulk/index.js';
import { Account } from '../../../../generated/sobjects/Account.js';
import { Contact } from '../../../../generated/sobjects/Contact.js';
import { DEMO_ORG_DIR } from '../../helpers/demo-org.js';

let sim: Simulator;
let client: SalesforceClient;
const fast = { initialIntervalMs: 5, maxIntervalMs: 50 };

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: DEMO_ORG_DIR });
  client = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true, retry: { baseDelayMs: 1, maxDelayMs: 5 }, circuitBreaker: { openMs: 100 } });
});
afterAll(async () => {
  await client.close();
  await sim.close();
});
afterEach(() => sim.faults.clear());

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const HAZARDS = ['plain', 'a, comma', 'a "quoted" word', 'two\nlines', 'crlf\r\nline', ' leading and trailing ', 'ünïcödé ✓ 日本', '"', ',,,', 'semi;colon', '#N/A is text here?'];

describe('sfgen/bulk against the simulator', () => {
  it('every CSV hazard survives insert and query exactly; typed query rows with a parent path', async () => {
    const { id: accountId } = await client.sobject(Account).create({ Name: 'Bulk Parent' });
    const tag = `hz${Date.now()}`;
    const values = HAZARDS.filter((h) => h !== '#N/A is text here?');
    const run = bulk(client).insert(Contact, values.map((h, i) => ({ LastName: `${tag}-${i}`, Description: h, AccountId: accountId, DoNotCall: i % 2 === 0 })), fast);
    const summary = await run.done();
    expect(summary).toMatchObject({ rows: values.length, succeeded: values.length, failed: 0, unprocessed: 0 });

    const q = selectFrom(Contact).select('Id', 'LastName', 'Description', 'DoNotCall', 'Account.Name').where('LastName', 'LIKE', `${tag}-%`);
    const rows = await collect(bulk(client).query(q, { ...fast, types: [Contact, Account] }));
    expect(rows).toHaveLength(values.length);
    const byName = new Map(rows.map((r) => [r.LastName, r]));
    values.forEach((h, i) => {
      const row = byName.get(`${tag}-${i}`);
      expect(row?.Description).toBe(h);
      expect(row?.DoNotCall).toBe(i % 2 === 0);
      expect(row?.Account).toEqual({ Name: 'Bulk Parent' });
    });
  });

  it('update, upsert, delete and hardDelete with typed results', async () => {
    const tag = `op${Date.now()}`;
    const inserted = await collect(bulk(client).insert(Contact, [{ LastName: `${tag}a` }, { LastName: `${tag}b` }], fast));
    const ids = inserted.flatMap((r) => (r.status === 'succeeded' ? [r.id] : []));
    expect(ids).toHaveLength(2);
    const upd = await collect(bulk(client).update(Contact, ids.map((Id) => ({ Id, Title: 'Dr' })), fast));
    expect(upd.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const rows = await collect(bulk(client).query(`SELECT Id, Title FROM Contact WHERE LastName LIKE '${tag}%'`, { ...fast, types: [Contact] }));
    expect(rows.map((r) => r.Title)).toEqual(['Dr', 'Dr']);

    const ext = `ERP-${Date.now()}`;
    const u1 = await collect(bulk(client).upsert(Account, 'ERP_Account_Number__c', [{ ERP_Account_Number__c: ext, Name: 'Up 1' }], fast));
    expect(u1[0]).toMatchObject({ status: 'succeeded', created: true });
    const u2 = await collect(bulk(client).upsert(Account, 'ERP_Account_Number__c', [{ ERP_Account_Number__c: ext, Name: 'Up 2' }], fast));
    expect(u2[0]).toMatchObject({ status: 'succeeded', created: false });

    const del = await bulk(client).delete(Contact, [ids[0] as string], fast).done();
    expect(del.succeeded).toBe(1);
    const hard = await bulk(client).hardDelete(Contact, [{ Id: ids[1] as string }], fast).done();
    expect(hard.succeeded + hard.failed).toBe(1);
  });

  it('failed rows carry Salesforce error code, message and fields with the input', async () => {
    const results = await collect(bulk(client).insert(Contact, [{ LastName: 'ok' }, { FirstName: 'no last name' } as unknown as { LastName: string }], fast));
    const failed = results.find((r) => r.status === 'failed');
    expect(failed?.status).toBe('failed');
    if (failed?.status === 'failed') {
      expect(failed.error.code).toMatch(/REQUIRED_FIELD_MISSING/);
      expect(failed.input).toMatchObject({ FirstName: 'no last name' });
    }
  });

  it('splits into several jobs at a small byte limit; every row accounted for', async () => {
    const jobs: BulkJobRef[] = [];
    const tag = `sp${Date.now()}`;
    async function* rows(): AsyncGenerator<{ LastName: string; Description: string }> {
      for (let i = 0; i < 400; i++) yield { LastName: `${tag}-${i}`, Description: `value ${i}, "q"\nline` };
    }
    const summary = await bulk(client).insert(Contact, rows(), { ...fast, maxBytesPerJob: 4096, maxConcurrentJobs: 3, onJob: (j) => jobs.push(j) }).done();
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    expect(summary).toMatchObject({ rows: 400, succeeded: 400, failed: 0, unprocessed: 0 });
    const count = await bulk(client).query(`SELECT Id FROM Contact WHERE LastName LIKE '${tag}-%'`, fast).toCsv(new (await import('node:stream')).PassThrough().resume());
    expect(count).toBe(400);
  });

  it('re-attaches a running job after a restart and reads its results', async () => {
    sim.bulk.setRowsPerSecond(20);
    let jobId = '';
    const run = bulk(client).insert(Contact, Array.from({ length: 10 }, (_, i) => ({ LastName: `re${i}` })), { ...fast, onJob: (j) => (jobId = j.id) });
    const iterator = run[Symbol.asyncIterator]();
    const first = iterator.next();
    while (jobId === '') await new Promise((r) => setTimeout(r, 5));
    // "Restart": another client knows only the job id.
    const other = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true });
    const handle = bulk(other).ingestJob(jobId, Contact);
    const info = await handle.wait(fast);
    sim.bulk.setRowsPerSecond(undefined);
    expect(info.state).toBe('JobComplete');
    const results = await collect(handle.results());
    expect(results.filter((r) => r.status === 'succeeded')).toHaveLength(10);
    await other.close();
    await first;
    await iterator.return?.(undefined);
  });
});

describe('faults from the simulator', () => {
  it('a result download cut mid-body is read again: nothing lost, nothing doubled', async () => {
    sim.faults.add({ method: 'GET', route: /\/successfulResults\/?$/, cutAfterBytes: 60, times: 2 });
    const summary = await bulk(client).insert(Contact, Array.from({ length: 40 }, (_, i) => ({ LastName: `cut${i}` })), fast).done();
    expect(summary).toMatchObject({ rows: 40, succeeded: 40 });
  });

  it('a query page cut mid-body is read again from its locator', async () => {
    const tag = `qc${Date.now()}`;
    await bulk(client).insert(Contact, Array.from({ length: 30 }, (_, i) => ({ LastName: `${tag}-${String(i).padStart(2, '0')}` })), fast).done();
    sim.faults.add({ method: 'GET', route: /\/jobs\/query\/\w+\/results/, cutAfterBytes: 80, times: 2 });
    const rows = await collect(bulk(client).query(`SELECT LastName FROM Contact WHERE LastName LIKE '${tag}-%'`, { ...fast, maxRecordsPerPage: 10 }));
    expect(rows.map((r) => r.LastName).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `${tag}-${String(i).padStart(2, '0')}`));
  });

  it('a reset upload is re-sent whole, header included; no row twice', async () => {
    const tag = `ru${Date.now()}`;
    sim.faults.add({ method: 'PUT', route: /\/batches$/, resetAfterBytes: 20 });
    const jobs: BulkJobRef[] = [];
    const summary = await bulk(client).insert(Contact, Array.from({ length: 25 }, (_, i) => ({ LastName: `${tag}-${i}` })), { ...fast, onJob: (j) => jobs.push(j) }).done();
    expect(summary).toMatchObject({ rows: 25, succeeded: 25 });
    const rows = await collect(bulk(client).query(`SELECT Id FROM Contact WHERE LastName LIKE '${tag}-%'`, fast));
    expect(rows).toHaveLength(25);
  });

  it('503 on polls is polled through', async () => {
    sim.faults.add({ method: 'GET', route: /\/jobs\/ingest\/\w+$/, status: 503, times: 5 });
    const summary = await bulk(client).insert(Contact, [{ LastName: 'p503' }], fast).done();
    expect(summary.succeeded).toBe(1);
  });

  it('REQUEST_LIMIT_EXCEEDED on create: with Retry-After retried, without it a typed LimitError', async () => {
    sim.faults.add({ method: 'POST', route: /\/jobs\/ingest$/, status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded', retryAfter: 0 });
    expect((await bulk(client).insert(Contact, [{ LastName: 'lim' }], fast).done()).succeeded).toBe(1);
    sim.faults.add({ method: 'POST', route: /\/jobs\/ingest$/, status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded' });
    await expect(bulk(client).insert(Contact, [{ LastName: 'lim' }], fast).done()).rejects.toBeInstanceOf(LimitError);
  });

  it('a job that ends Failed: its processed and unprocessed rows are read, then a typed error naming the job; the job is kept', async () => {
    sim.faults.add({ method: 'PATCH', route: /\/jobs\/ingest\/\w+$/, failJob: { message: 'simulated failure', afterRows: 2 } });
    const statuses: string[] = [];
    const error = await (async () => {
      for await (const r of bulk(client).insert(Contact, Array.from({ length: 5 }, (_, i) => ({ LastName: `fj${i}` })), fast)) statuses.push(r.status);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkJobError);
    const jobId = (error as BulkJobError).jobId;
    expect((error as Error).message).toContain(jobId);
    expect(statuses.length).toBe(5);
    expect(statuses.filter((s) => s === 'unprocessed').length).toBeGreaterThan(0);
    expect((await bulk(client).jobInfo(jobId)).state).toBe('Failed');
  });

  it('a failed query job is a typed error naming the job', async () => {
    sim.faults.add({ method: 'POST', route: /\/jobs\/query$/, failJob: 'query failed here' });
    const error = await collect(bulk(client).query('SELECT Id FROM Contact', fast)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkJobError);
    expect((error as Error).message).toContain('query failed here');
  });

  it('Bulk limits from /limits', async () => {
    const limits = await bulk(client).limits();
    expect(Object.keys(limits).length).toBeGreaterThan(0);
    for (const entry of Object.values(limits)) expect(typeof entry.Max).toBe('number');
  });
});
