/**
 * The Bulk 2.0 client over real sockets against a small local Bulk server (fake-bulk.ts): every
 * ingest operation, typed results, splitting into several jobs, re-attach by id, query paging with
 * typed rows, and the faults (cut downloads, reset uploads, 503 polls, limits on create, Failed jobs).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SalesforceClient } from '../../../../runtime/index.js';
import { bulk, BulkJobError, BulkInputError, parseRowError, type BulkJobRef } from '../../../../runtime/services/bulk/index.js';
import { LimitError } from '../../../../runtime/errors.js';
import { Contact } from '../../../../generated/sobjects/Contact.js';
import { Account } from '../../../../generated/sobjects/Account.js';
import { startFakeBulk, type FakeBulk } from './fake-bulk.js';

let server: FakeBulk;
let client: SalesforceClient;
const fast = { initialIntervalMs: 5, maxIntervalMs: 20 };

beforeAll(async () => {
  server = await startFakeBulk();
  client = createClient({ auth: { instanceUrl: server.url, accessToken: 'token-x' }, allowInsecureLoopback: true, circuitBreaker: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
afterEach(() => {
  Object.assign(server.faults, { poll503: 0, cutDownload: 0, resetUpload: 0, limitOnCreate: 0, dailyLimitOnCreate: 0, failJobs: undefined, processingPolls: 1 });
  server.records.clear();
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const HAZARDS = ['plain', 'a, comma', 'a "quoted" word', 'two\nlines', 'crlf\r\nline', ' leading space', 'trailing space ', 'ünïcödé ✓', '""', ','];

describe('ingest', () => {
  it('inserts typed records, reports the job at once, and returns one typed result per row', async () => {
    const jobs: BulkJobRef[] = [];
    const records = [
      { LastName: 'Ada', DoNotCall: true, Birthdate: '1815-12-10', MailingLatitude: 51.5 },
      { LastName: 'FAIL me', DoNotCall: false },
      { LastName: 'Grace', Birthdate: null },
    ];
    const run = bulk(client).insert(Contact, records, { ...fast, onJob: (job) => jobs.push(job) });
    const results = await collect(run);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.operation).toBe('insert');
    const ok = results.flatMap((r) => (r.status === 'succeeded' ? [r] : []));
    expect(ok.map((r) => (r.input as { LastName: string }).LastName).sort()).toEqual(['Ada', 'Grace']);
    const ada = ok.find((r) => (r.input as { LastName: string }).LastName === 'Ada');
    expect(ada?.created).toBe(true);
    expect(ada?.input).toEqual({ LastName: 'Ada', DoNotCall: true, Birthdate: '1815-12-10', MailingLatitude: 51.5 });
    const grace = ok.find((r) => (r.input as { LastName: string }).LastName === 'Grace');
    expect(grace?.input).toEqual({ LastName: 'Grace', Birthdate: null });
    const failed = results.find((r) => r.status === 'failed');
    expect(failed?.status === 'failed' && failed.error).toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'the value says FAIL', fields: ['LastName'] });
    // The CSV sent: nulls as #N/A, booleans, numbers; absent fields empty.
    const sent = server.jobs.get(jobs[0]?.id ?? '')?.csv ?? '';
    expect(sent.split('\n')[0]).toBe('LastName,DoNotCall,Birthdate,MailingLatitude');
    expect(sent).toContain('Grace,,#N/A,');
  });

  it('round-trips every CSV hazard exactly and sums the counts', async () => {
    const run = bulk(client).insert(Contact, HAZARDS.map((h) => ({ LastName: h, Description: h })), fast);
    const results = await collect(run);
    expect(results.map((r) => (r.input as { Description: string }).Description).sort()).toEqual([...HAZARDS].sort());
    // After a whole iteration, done() gives that iteration's counts (nothing is read twice).
    expect(await run.done()).toMatchObject({ rows: HAZARDS.length, succeeded: HAZARDS.length, failed: 0, unprocessed: 0 });
    const stored = [...server.records.values()].map((r) => r.Description).sort();
    expect(stored).toEqual([...HAZARDS].sort());
  });

  it('update, upsert, delete and hardDelete', async () => {
    const inserted = await collect(bulk(client).insert(Contact, [{ LastName: 'A' }, { LastName: 'B' }], fast));
    const ids = inserted.map((r) => (r.status === 'succeeded' ? r.id : ''));
    const updated = await bulk(client).update(Contact, ids.map((Id) => ({ Id, Title: 'Dr' })), fast).done();
    expect(updated).toMatchObject({ rows: 2, succeeded: 2, failed: 0, unprocessed: 0 });
    expect([...server.records.values()].every((r) => r.Title === 'Dr')).toBe(true);

    const up1 = await collect(bulk(client).upsert(Account, 'ERP_Account_Number__c', [{ ERP_Account_Number__c: 'x1', Name: 'N1' }], fast));
    expect(up1[0]).toMatchObject({ status: 'succeeded', created: true });
    const up2 = await collect(bulk(client).upsert(Account, 'ERP_Account_Number__c', [{ ERP_Account_Number__c: 'x1', Name: 'N2' }], fast));
    expect(up2[0]).toMatchObject({ status: 'succeeded', created: false });

    const deleted = await bulk(client).delete(Contact, [ids[0] as string, { Id: ids[1] as string }], fast).done();
    expect(deleted).toMatchObject({ succeeded: 2 });
    const again = await bulk(client).hardDelete(Contact, [ids[0] as string], fast).done();
    expect(again).toMatchObject({ succeeded: 0, failed: 1 });
    expect(server.jobs.get(again.jobs[0]?.id ?? '')?.operation).toBe('hardDelete');
  });

  it('splits input over several jobs at the byte limit, bounded concurrency, every row accounted for', async () => {
    const jobs: BulkJobRef[] = [];
    async function* many(): AsyncGenerator<{ LastName: string; Description: string }> {
      for (let i = 0; i < 300; i++) yield { LastName: `N${i}`, Description: `row ${i}, with "quotes"\nand a line` };
    }
    const summary = await bulk(client).insert(Contact, many(), { ...fast, maxBytesPerJob: 4096, maxConcurrentJobs: 2, onJob: (j) => jobs.push(j) }).done();
    expect(jobs.length).toBeGreaterThan(3);
    expect(summary).toMatchObject({ rows: 300, succeeded: 300, failed: 0, unprocessed: 0 });
    for (const job of jobs) expect(Buffer.byteLength(server.jobs.get(job.id)?.csv ?? '')).toBeLessThanOrEqual(4096);
    expect(server.records.size).toBe(300);
  });

  it('re-attaches a job by id after a restart and reads its results', async () => {
    let jobId = '';
    const first = bulk(client).insert(Contact, [{ LastName: 'R1' }, { LastName: 'FAIL' }], { ...fast, onJob: (j) => (jobId = j.id) });
    const iterator = first[Symbol.asyncIterator]();
    // Start the run (job created and uploaded), then "restart": a new client attaches by id.
    await iterator.next();
    const other = createClient({ auth: { instanceUrl: server.url, accessToken: 'token-y' }, allowInsecureLoopback: true });
    const handle = bulk(other).ingestJob(jobId, Contact);
    const info = await handle.wait(fast);
    expect(info.state).toBe('JobComplete');
    const results = await collect(handle.results());
    expect(results.map((r) => r.status).sort()).toEqual(['failed', 'succeeded']);
    await other.close();
    await iterator.return?.(undefined);
  });

  it('imports a CSV file as it is, and rejects bad input before uploading, naming file, line and field', async () => {
    const api = bulk(client);
    const ok = await api.importCsv('Contact', 'insert', { text: 'LastName,Description\r\nA,"x\r\ny"\r\nB,\r\n', name: 'data.csv' }, fast).done();
    expect(ok).toMatchObject({ succeeded: 2 });
    const before = server.jobs.size;
    const bad = async (csv: string, op: 'insert' | 'delete' | 'upsert', extra: object = {}): Promise<BulkInputError> =>
      (await api.importCsv(Contact, op, { text: csv, name: 'data.csv' }, { ...fast, ...extra }).done().catch((e: unknown) => e)) as BulkInputError;
    const unknown = await bad('LastName,Nope__c\nA,1\n', 'insert');
    expect(unknown).toBeInstanceOf(BulkInputError);
    expect(unknown.message).toBe('data.csv:1: Contact has no field Nope__c');
    expect((await bad('Id,LastName\n003000000000001,A\n', 'delete')).message).toContain('only the Id column, not LastName');
    expect((await bad('LastName\nA\n', 'upsert', { externalIdFieldName: 'Email' })).message).toContain('needs a Email column');
    expect((await bad('LastName,Title\nA,1\nB\n', 'insert')).message).toBe('data.csv:3: the row has 1 values but the header has 2 columns');
    expect((await bad(`LastName,Description\nA,${'x'.repeat(400_001)}\n`, 'insert')).message).toContain('data.csv:2: the row has 400003 characters');
    expect((await bad('LastName\r\nA\r\n', 'insert', { lineEnding: 'LF' })).message).toContain("lines end with CRLF but the job's lineEnding is LF");
    expect((await bad('LastName\nA\r\nB\n', 'insert')).message).toContain('data.csv:2');
    // No job was created for any of them except those that failed mid-stream, and none was closed.
    for (const job of [...server.jobs.values()].slice(before)) expect(job.state).not.toBe('JobComplete');
  });
});

describe('faults', () => {
  it('a download cut mid-body is fetched again and no row is lost or doubled', async () => {
    server.faults.cutDownload = 2;
    const summary = await bulk(client).insert(Contact, Array.from({ length: 50 }, (_, i) => ({ LastName: `C${i}`, Description: 'x'.repeat(40) })), fast).done();
    expect(summary).toMatchObject({ rows: 50, succeeded: 50 });
    expect(server.faults.cutDownload).toBe(0);
  });

  it('a reset upload is re-sent whole from the start (header included) into a fresh job when the old one cannot take it', async () => {
    server.faults.resetUpload = 1;
    const jobs: BulkJobRef[] = [];
    const summary = await bulk(client).insert(Contact, Array.from({ length: 20 }, (_, i) => ({ LastName: `U${i}` })), { ...fast, onJob: (j) => jobs.push(j) }).done();
    expect(summary).toMatchObject({ rows: 20, succeeded: 20 });
    const last = server.jobs.get(summary.jobs[0]?.id ?? '');
    expect(last?.csv?.startsWith('LastName\nU0\n')).toBe(true);
    expect(server.records.size).toBe(20);
    // Any replaced job is aborted, never deleted.
    for (const job of jobs.filter((j) => j.id !== last?.id)) expect(server.jobs.get(job.id)?.state).toBe('Aborted');
  });

  it('503 on a poll is polled through', async () => {
    server.faults.poll503 = 6;
    const summary = await bulk(client).insert(Contact, [{ LastName: 'P' }], fast).done();
    expect(summary.succeeded).toBe(1);
  });

  it('REQUEST_LIMIT_EXCEEDED on create: a concurrency limit is retried, the daily limit is a typed error', async () => {
    server.faults.limitOnCreate = 1;
    expect((await bulk(client).insert(Contact, [{ LastName: 'L' }], fast).done()).succeeded).toBe(1);
    server.faults.dailyLimitOnCreate = 1;
    const error = await bulk(client).insert(Contact, [{ LastName: 'L' }], fast).done().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitError);
  });

  it('a Failed job is a typed error naming the job, after its unprocessed rows were read; the job is kept', async () => {
    server.faults.failJobs = 'InvalidBatch : Field name not found : Nope';
    const run = bulk(client).insert(Contact, [{ LastName: 'F1' }, { LastName: 'F2' }], fast);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const r of run) seen.push(r.status);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['unprocessed', 'unprocessed']);
    expect(error).toBeInstanceOf(BulkJobError);
    const jobId = (error as BulkJobError).jobId;
    expect((error as Error).message).toContain(jobId);
    expect((error as Error).message).toContain('Field name not found');
    expect(server.requests.some((r) => r.startsWith('DELETE'))).toBe(false);
  });

  it('an abort signal aborts the job on the org (not deleted)', async () => {
    server.faults.processingPolls = 1000;
    const controller = new AbortController();
    let jobId = '';
    const done = bulk(client).insert(Contact, [{ LastName: 'S' }], { ...fast, signal: controller.signal, onJob: (j) => (jobId = j.id) }).done();
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await expect(done).rejects.toThrow(/abort/i);
    expect(server.jobs.get(jobId)?.state).toBe('Aborted');
  });

  it('an overall deadline is a typed error and the job keeps running', async () => {
    server.faults.processingPolls = 1000;
    const error = await bulk(client).insert(Contact, [{ LastName: 'T' }], { ...fast, timeoutMs: 150 }).done().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkJobError);
    expect((error as Error).message).toMatch(/did not finish within 150 ms/);
  });
});

describe('query', () => {
  it('pages with Sforce-Locator and maxRecords; rows typed by descriptors, nulls, no header rows as data', async () => {
    await bulk(client).insert(Contact, Array.from({ length: 25 }, (_, i) => ({ LastName: `Q${i}`, DoNotCall: i % 2 === 0, MailingLatitude: i + 0.5, Description: HAZARDS[i % HAZARDS.length] ?? '' })), fast).done();
    const stream = bulk(client).query('SELECT Id, LastName, DoNotCall, MailingLatitude, Description FROM Contact', { ...fast, types: [Contact], maxRecordsPerPage: 7 });
    const rows = await collect(stream);
    expect(rows).toHaveLength(25);
    expect(rows[0]).toMatchObject({ LastName: 'Q0', DoNotCall: true, MailingLatitude: 0.5 });
    expect(rows.map((r) => r.Description).sort()).toEqual(Array.from({ length: 25 }, (_, i) => HAZARDS[i % HAZARDS.length]).sort());
    expect(server.requests.filter((r) => /jobs\/query\/\w+\/results/.test(r))).toHaveLength(4);
  });

  it('a page cut mid-body is read again from its locator', async () => {
    await bulk(client).insert(Contact, Array.from({ length: 30 }, (_, i) => ({ LastName: `K${i}` })), fast).done();
    server.faults.cutDownload = 3;
    const rows = await collect(bulk(client).query('SELECT Id, LastName FROM Contact', { ...fast, maxRecordsPerPage: 10 }));
    expect(rows.map((r) => r.LastName)).toEqual(Array.from({ length: 30 }, (_, i) => `K${i}`));
  });

  it('exports raw CSV and NDJSON', async () => {
    await bulk(client).insert(Contact, [{ LastName: 'E1', Description: 'a,"b"\nc' }], fast).done();
    const chunks: string[] = [];
    const { Writable } = await import('node:stream');
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk.toString()); cb(); } });
    const n = await bulk(client).query('SELECT LastName, Description FROM Contact', fast).toCsv(sink);
    expect(n).toBe(1);
    expect(chunks.join('')).toBe('LastName,Description\nE1,"a,""b""\nc"\n');
  });

  it('a Failed query job is a typed error naming the job', async () => {
    server.faults.failJobs = 'query timed out';
    const error = await collect(bulk(client).query('SELECT Id FROM Contact', fast)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkJobError);
    expect((error as Error).message).toMatch(/Bulk query job \w+ ended Failed: query timed out/);
  });

  it('Bulk limits from /limits', async () => {
    const limits = await bulk(client).limits();
    expect(Object.keys(limits).sort()).toEqual(['DailyBulkApiBatches', 'DailyBulkV2QueryJobs']);
    expect(limits.DailyBulkV2QueryJobs).toEqual({ Max: 10000, Remaining: 9999 });
  });
});

describe('sf__Error parsing', () => {
  it('parses code, message and fields defensively', () => {
    expect(parseRowError('REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --')).toEqual({
      code: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'], raw: 'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    });
    expect(parseRowError('DUPLICATE_VALUE:duplicate value found: Email:Email,Phone --').fields).toEqual(['Email', 'Phone']);
    expect(parseRowError('ENTITY_IS_DELETED:entity is deleted:--')).toMatchObject({ code: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] });
    expect(parseRowError('something odd happened')).toMatchObject({ code: 'UNKNOWN', message: 'something odd happened' });
  });
});
