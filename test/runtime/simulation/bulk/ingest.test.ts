import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { startTiny } from '../helpers.js';
import { call, createIngest, ingest, info, parseCsv, results, setState, upload, V, waitDone } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny();
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

describe('Bulk API 2.0 ingest on the simulator', () => {
  it('creates an Open job with Salesforce job info', async () => {
    const r = await call(sim, token, 'POST', `${V}/jobs/ingest`, { object: 'account', operation: 'insert' });
    expect(r.status).toBe(200);
    const job = r.json as Record<string, unknown>;
    expect(job).toMatchObject({ operation: 'insert', object: 'Account', state: 'Open', concurrencyMode: 'Parallel', contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' });
    expect(job.id).toMatch(/^750[A-Za-z0-9]{15}$/);
    expect(job.contentUrl).toBe(`services/data/v60.0/jobs/ingest/${String(job.id)}/batches`);
    expect(r.text).toContain('"apiVersion":60.0');
    expect(job.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  it('inserts rows and serves successful results with sf__Id and sf__Created', async () => {
    const csv = 'Name,NumberOfEmployees,Active__c,Founded__c\nAcme,10,true,2020-01-31\nGlobex,,false,\n';
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, csv);
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 0, jobType: 'V2Ingest' });
    const ok = await results(sim, token, job.id, 'successfulResults');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parseCsv(ok.text);
    expect(rows[0]).toEqual(['sf__Id', 'sf__Created', 'Name', 'NumberOfEmployees', 'Active__c', 'Founded__c']);
    expect(rows.slice(1).map((r) => r.slice(1))).toEqual([
      ['true', 'Acme', '10', 'true', '2020-01-31'],
      ['true', 'Globex', '', 'false', ''],
    ]);
    const id = rows[1]![0]!;
    const rec = await call(sim, token, 'GET', `${V}/sobjects/Account/${id}`);
    expect(rec.json).toMatchObject({ Name: 'Acme', NumberOfEmployees: 10, Active__c: true, Founded__c: '2020-01-31' });
    const failed = await results(sim, token, job.id, 'failedResults');
    expect(parseCsv(failed.text)).toEqual([['sf__Id', 'sf__Error', 'Name', 'NumberOfEmployees', 'Active__c', 'Founded__c']]);
    const unprocessed = await results(sim, token, job.id, 'unprocessedrecords');
    expect(parseCsv(unprocessed.text)).toEqual([['Name', 'NumberOfEmployees', 'Active__c', 'Founded__c']]);
  });

  it('reports failed rows with Salesforce error text in sf__Error', async () => {
    const csv = 'Name,NumberOfEmployees,Rating\n,5,\nOk,abc,\nFine,1,Hot\n';
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, csv);
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 2 });
    const rows = parseCsv((await results(sim, token, job.id, 'failedResults')).text);
    expect(rows[0]).toEqual(['sf__Id', 'sf__Error', 'Name', 'NumberOfEmployees', 'Rating']);
    expect(rows[1]).toEqual(['', 'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --', '', '5', '']);
    expect(rows[2]![1]).toMatch(/^INVALID_FIELD:Failed to deserialize field at col 2\. Due to, 'abc' is not a valid value for the type xsd:int:NumberOfEmployees --$/);
    expect(rows[2]!.slice(2)).toEqual(['Ok', 'abc', '']);
    expect(parseCsv((await results(sim, token, job.id, 'successfulResults')).text)).toHaveLength(2);
  });
});

describe('CSV hazards', () => {
  it('round-trips quotes, delimiters and line breaks inside values; #N/A nulls a field on update', async () => {
    const name = 'He said ""hi"", then, left\nfor good';
    const csv = `Name,BillingStreet,Regions__c,Ext_Id__c\n"${name}","1 Main St\n2nd floor",EMEA;APAC,HZ-1\n`;
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, csv);
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 1, numberRecordsFailed: 0 });
    const rows = parseCsv((await results(sim, token, job.id, 'successfulResults')).text);
    expect(rows[1]!.slice(2)).toEqual(['He said "hi", then, left\nfor good', '1 Main St\n2nd floor', 'EMEA;APAC', 'HZ-1']);
    const id = rows[1]![0]!;
    const rec = (await call(sim, token, 'GET', `${V}/sobjects/Account/${id}`)).json as Record<string, unknown>;
    expect(rec).toMatchObject({ Name: 'He said "hi", then, left\nfor good', BillingStreet: '1 Main St\n2nd floor', Regions__c: 'EMEA;APAC' });

    // update: an empty cell leaves the field alone, #N/A sets it to null
    const upd = await ingest(sim, token, { object: 'Account', operation: 'update' }, `Id,BillingStreet,Regions__c\n${id},#N/A,\n`);
    expect(upd).toMatchObject({ state: 'JobComplete', numberRecordsFailed: 0 });
    const after = (await call(sim, token, 'GET', `${V}/sobjects/Account/${id}`)).json as Record<string, unknown>;
    expect(after).toMatchObject({ BillingStreet: null, Regions__c: 'EMEA;APAC' });
    const ok = parseCsv((await results(sim, token, upd.id, 'successfulResults')).text);
    expect(ok[1]).toEqual([id, 'false', id, '#N/A', '']);
  });

  it('honours CRLF line endings and a PIPE delimiter, and answers in them', async () => {
    const csv = 'Name|NumberOfEmployees\r\n"Pipe | Co"|7\r\n"Two\r\nLines"|8\r\n';
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert', lineEnding: 'CRLF', columnDelimiter: 'PIPE' }, csv);
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 0, lineEnding: 'CRLF', columnDelimiter: 'PIPE' });
    const text = (await results(sim, token, job.id, 'successfulResults')).text;
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text, '|', '\r\n');
    expect(rows[0]).toEqual(['sf__Id', 'sf__Created', 'Name', 'NumberOfEmployees']);
    expect(rows.slice(1).map((r) => r.slice(2))).toEqual([['Pipe | Co', '7'], ['Two\r\nLines', '8']]);
  });

  it('fails the job when the data line ending does not match the job', async () => {
    const crlfInLf = await ingest(sim, token, { object: 'Account', operation: 'insert' }, 'Name\r\nA\r\n');
    expect(crlfInLf).toMatchObject({ state: 'Failed', numberRecordsProcessed: 0, errorMessage: 'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF' });
    const lfInCrlf = await ingest(sim, token, { object: 'Account', operation: 'insert', lineEnding: 'CRLF' }, 'Name\nA\n');
    expect(lfInCrlf.errorMessage).toBe('ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF');
    // nothing was written; every row is unprocessed
    const un = parseCsv((await results(sim, token, crlfInLf.id, 'unprocessedrecords')).text, ',', '\n');
    expect(un).toHaveLength(2);
  });

  it('ignores a UTF-8 byte-order mark before the header', async () => {
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, '\uFEFFName\nBom Co\n');
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 1, numberRecordsFailed: 0 });
    expect(parseCsv((await results(sim, token, job.id, 'successfulResults')).text)[0]).toEqual(['sf__Id', 'sf__Created', 'Name']);
  });

  it('fails the job on a header naming a field the object does not have', async () => {
    const before = sim.store.records('Account').length;
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, 'Name,Nope__c\nA,1\nB,2\n');
    expect(job).toMatchObject({ state: 'Failed', numberRecordsProcessed: 0, errorMessage: 'InvalidBatch : Field name not found : Nope__c' });
    expect(sim.store.records('Account').length).toBe(before);
    expect(parseCsv((await results(sim, token, job.id, 'unprocessedrecords')).text)).toEqual([['Name', 'Nope__c'], ['A', '1'], ['B', '2']]);
  });
});

describe('record limits', () => {
  it('fails a row longer than 400,000 characters and a row with more values than the header', async () => {
    const long = 'x'.repeat(400_001);
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, `Name,BillingStreet\nShort,ok\nLong,${long}\nWide,a,b\n`);
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 2 });
    const failed = parseCsv((await results(sim, token, job.id, 'failedResults')).text).slice(1).map((r) => r[1]);
    expect(failed).toEqual([
      'INVALID_FIELD:The record has 400005 characters; a record can have at most 400000:--',
      'INVALID_FIELD:The row has 3 values but the header has 2 columns:--',
    ]);
  });
});

describe('operations', () => {
  it('upserts by external id: creates, updates, and reports a missing key', async () => {
    const csv = 'Ext_Id__c,Name\nEXT-1,Renamed One\nNEW-1,Brand New\n,No Key\n';
    const job = await ingest(sim, token, { object: 'Account', operation: 'upsert', externalIdFieldName: 'ext_id__c' }, csv);
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 1, externalIdFieldName: 'Ext_Id__c' });
    const ok = parseCsv((await results(sim, token, job.id, 'successfulResults')).text);
    expect(ok.slice(1).map((r) => [r[1], r[2]])).toEqual([['false', 'EXT-1'], ['true', 'NEW-1']]);
    const one = sim.store.records('Account').find((r) => r.Ext_Id__c === 'EXT-1');
    expect(one?.Name).toBe('Renamed One');
    expect(ok[1]![0]).toBe(one?.Id);
    const failed = parseCsv((await results(sim, token, job.id, 'failedResults')).text);
    expect(failed[1]).toEqual(['', 'MISSING_ARGUMENT:Ext_Id__c not specified:--', '', 'No Key']);
  });

  it('an upsert file without the external id column fails every row, writing nothing', async () => {
    const before = sim.store.records('Account').length;
    const job = await ingest(sim, token, { object: 'Account', operation: 'upsert', externalIdFieldName: 'Ext_Id__c' }, 'Name\nNo Column 1\nNo Column 2\n');
    expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 2 });
    expect(parseCsv((await results(sim, token, job.id, 'failedResults')).text).slice(1).map((r) => r[1])).toEqual([
      'MISSING_ARGUMENT:Ext_Id__c not specified:--',
      'MISSING_ARGUMENT:Ext_Id__c not specified:--',
    ]);
    expect(sim.store.records('Account').length).toBe(before);
  });

  it('resolves a parent by its external id in a relationship column', async () => {
    const job = await ingest(sim, token, { object: 'Contact', operation: 'insert' }, 'LastName,Account.Ext_Id__c\nChild,EXT-2\nOrphan,NOPE\n');
    expect(job).toMatchObject({ numberRecordsProcessed: 2, numberRecordsFailed: 1 });
    const ok = parseCsv((await results(sim, token, job.id, 'successfulResults')).text);
    const contact = sim.store.findById(ok[1]![0]!)?.record;
    expect(contact?.AccountId).toBe(sim.store.records('Account').find((r) => r.Ext_Id__c === 'EXT-2')?.Id);
    const failed = parseCsv((await results(sim, token, job.id, 'failedResults')).text);
    expect(failed[1]![1]).toBe('INVALID_FIELD:Foreign key external ID: NOPE not found for field Ext_Id__c in entity Account:--');
  });

  it('updates by Id and reports bad ids per row', async () => {
    const target = sim.store.records('Account')[3]!;
    const csv = `Id,NumberOfEmployees\n${target.Id},999\n001000000000000,1\nnot-an-id,2\n,3\n`;
    const job = await ingest(sim, token, { object: 'Account', operation: 'update' }, csv);
    expect(job).toMatchObject({ numberRecordsProcessed: 4, numberRecordsFailed: 3 });
    expect(sim.store.findById(target.Id)?.record.NumberOfEmployees).toBe(999);
    const failed = parseCsv((await results(sim, token, job.id, 'failedResults')).text).slice(1).map((r) => r[1]);
    expect(failed).toEqual([
      'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--',
      'MALFORMED_ID:Account ID: id value of incorrect type: not-an-id:Id --',
      'MISSING_ARGUMENT:Id not specified in an update call:--',
    ]);
  });

  it('deletes to the recycle bin, hard-deletes for good, and rejects delete files with other columns', async () => {
    const ids = sim.store.records('Account').slice(-2).map((r) => r.Id);
    const del = await ingest(sim, token, { object: 'Account', operation: 'delete' }, `Id\n${ids[0]}\n`);
    expect(del).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 1, numberRecordsFailed: 0 });
    expect(sim.store.findDeleted(ids[0]!)).toBeDefined();
    const hard = await ingest(sim, token, { object: 'Account', operation: 'hardDelete' }, `Id\n${ids[1]}\n${ids[0]}\n`);
    expect(hard).toMatchObject({ numberRecordsProcessed: 2, numberRecordsFailed: 1 });
    expect(sim.store.findById(ids[1]!)).toBeUndefined();
    expect(sim.store.findDeleted(ids[1]!)).toBeUndefined();
    const failed = parseCsv((await results(sim, token, hard.id, 'failedResults')).text);
    expect(failed[1]).toEqual([ids[0], 'ENTITY_IS_DELETED:entity is deleted:--', ids[0]]);
    const extra = await ingest(sim, token, { object: 'Account', operation: 'delete' }, `Id,Name\n${ids[0]},x\n`);
    expect(extra).toMatchObject({ state: 'Failed', errorMessage: "InvalidBatch : The 'delete' batch must contain only ids" });
  });
});

describe('job creation and lifecycle errors', () => {
  const create = (body: unknown) => call(sim, token, 'POST', `${V}/jobs/ingest`, body);

  it('validates object, operation, formats and the external id field', async () => {
    expect(await create({ object: 'Nope', operation: 'insert' })).toMatchObject({ status: 400, json: [{ errorCode: 'INVALIDJOB', message: 'InvalidJob : Unable to find object: Nope' }] });
    expect((await create({ object: 'Account', operation: 'merge' })).json).toEqual([
      { errorCode: 'JSON_PARSER_ERROR', message: 'Cannot deserialize instance of OperationEnum from VALUE_STRING value merge or request may be missing a required field' },
    ]);
    expect((await create({ object: 'Account', operation: 'insert', lineEnding: 'CR' })).status).toBe(400);
    expect((await create({ object: 'Account', operation: 'insert', columnDelimiter: 'SPACE' })).status).toBe(400);
    expect((await create({ object: 'Account', operation: 'upsert' })).json).toEqual([
      { errorCode: 'INVALIDJOB', message: 'InvalidJob : External ID was blank for Account. An External ID must be specified for upsert.' },
    ]);
    expect((await create({ object: 'Account', operation: 'upsert', externalIdFieldName: 'Name' })).json).toEqual([
      { errorCode: 'INVALIDJOB', message: 'InvalidJob : Field name provided, Name does not match an External ID, Salesforce Id, or indexed field for Account' },
    ]);
    expect((await create('{"object":')).json).toMatchObject([{ errorCode: 'JSON_PARSER_ERROR' }]);
  });

  it('takes one upload per job, as text/csv, and closes only a job with data', async () => {
    const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
    expect((await setState(sim, token, 'ingest', job.id, 'UploadComplete')).status).toBe(400);
    expect((await upload(sim, token, job.id, 'Name\nA\n', 'application/json')).status).toBe(400);
    expect((await upload(sim, token, job.id, 'Name\nA\n')).status).toBe(201);
    const again = await upload(sim, token, job.id, 'Name\nB\n');
    expect(again.status).toBe(400);
    expect((again.json as { message: string }[])[0]!.message).toContain(`Found multiple contents for job: <${job.id}>`);
    expect((await setState(sim, token, 'ingest', job.id, 'UploadComplete')).json).toMatchObject({ id: job.id, state: 'UploadComplete' });
    const done = await waitDone(sim, token, 'ingest', job.id);
    expect(done.state).toBe('JobComplete');
    expect((await setState(sim, token, 'ingest', job.id, 'Aborted')).json).toMatchObject([{ errorCode: 'INVALIDJOBSTATE' }]);
  });

  it('answers 404 for an unknown job and 400 for results of an unfinished one', async () => {
    expect(await call(sim, token, 'GET', `${V}/jobs/ingest/750000000000000AAA`)).toMatchObject({ status: 404, json: [{ errorCode: 'NOT_FOUND' }] });
    const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
    expect((await results(sim, token, job.id, 'successfulResults')).json).toMatchObject([{ errorCode: 'JOB_NOT_COMPLETE' }]);
    expect((await call(sim, token, 'POST', `${V}/jobs/ingest/${job.id}`)).status).toBe(405);
  });

  it('finds a job by its 15-character id as well (the sf CLI passes on the id the user typed)', async () => {
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, 'Name\nShort Id Co\n');
    const short = job.id.slice(0, 15);
    expect(await call(sim, token, 'GET', `${V}/jobs/ingest/${short}`)).toMatchObject({ status: 200, json: { id: job.id, state: 'JobComplete' } });
    const ok = await results(sim, token, short, 'successfulResults');
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Short Id Co');
    // A case-changed 15-character id names another job (ids are case-sensitive).
    expect((await call(sim, token, 'GET', `${V}/jobs/ingest/${short.toLowerCase()}`)).status).toBe(404);
  });

  it('enforces the upload limit with an error and keeps nothing', async () => {
    const small = await startTiny({ bulk: { maxUploadBase64Bytes: 4000 } });
    try {
      const t = small.issueAccessToken();
      const job = await createIngest(small, t, { object: 'Account', operation: 'insert' });
      const big = `Name\n${'x'.repeat(60)}\n`.repeat(60);
      const r = await upload(small, t, job.id, big);
      expect(r.status).toBe(400);
      expect((r.json as { message: string }[])[0]!.message).toContain('Exceeded max size limit of 4000 bytes');
      expect((await info(small, t, 'ingest', job.id)).state).toBe('Open');
      // the job took no data: a fitting upload still goes in
      expect((await upload(small, t, job.id, 'Name\nA\n')).status).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('abort, delete, listing, limits', () => {
  it('aborts a job in progress: processed rows keep their results, the rest are unprocessed', async () => {
    sim.bulk.setRowsPerSecond(200);
    try {
      const rows = Array.from({ length: 400 }, (_, i) => `Slow ${i}`).join('\n');
      const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
      await upload(sim, token, job.id, `Name\n${rows}\n`);
      await setState(sim, token, 'ingest', job.id, 'UploadComplete');
      let seen = await info(sim, token, 'ingest', job.id);
      const deadline = Date.now() + 5000;
      while (seen.numberRecordsProcessed < 20 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        seen = await info(sim, token, 'ingest', job.id);
      }
      expect(seen.state).toBe('InProgress');
      const aborted = await setState(sim, token, 'ingest', job.id, 'Aborted');
      expect(aborted.json).toMatchObject({ state: 'Aborted' });
      const final = await info(sim, token, 'ingest', job.id);
      expect(final.state).toBe('Aborted');
      const ok = parseCsv((await results(sim, token, job.id, 'successfulResults')).text).length - 1;
      const un = parseCsv((await results(sim, token, job.id, 'unprocessedrecords')).text).length - 1;
      expect(ok).toBe(final.numberRecordsProcessed);
      expect(ok).toBeGreaterThan(0);
      expect(ok + un).toBe(400);
    } finally {
      sim.bulk.setRowsPerSecond(undefined);
    }
  });

  it('deletes finished jobs only, and lists jobs in pages with nextRecordsUrl', async () => {
    const paged = await startTiny({ bulk: { listPageSize: 2 } });
    try {
      const t = paged.issueAccessToken();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await createIngest(paged, t, { object: 'Account', operation: 'insert' })).id);
      const first = (await call(paged, t, 'GET', `${V}/jobs/ingest`)).json as { done: boolean; records: { id: string; jobType: string }[]; nextRecordsUrl: string };
      expect(first.done).toBe(false);
      expect(first.records.map((r) => r.id)).toEqual(ids.slice(0, 2));
      expect(first.records[0]!.jobType).toBe('V2Ingest');
      const second = (await call(paged, t, 'GET', first.nextRecordsUrl)).json as { done: boolean; records: { id: string }[]; nextRecordsUrl: unknown };
      expect(second).toMatchObject({ done: true, nextRecordsUrl: null });
      expect(second.records.map((r) => r.id)).toEqual(ids.slice(2));
      // Filters: the next page keeps them; PK chunking (Bulk API 1.0) and serial mode match no job.
      const filtered = (await call(paged, t, 'GET', `${V}/jobs/ingest?jobType=V2Ingest&concurrencyMode=parallel`)).json as { records: { id: string }[]; nextRecordsUrl: string };
      expect(filtered.records.map((r) => r.id)).toEqual(ids.slice(0, 2));
      expect(filtered.nextRecordsUrl).toMatch(/^\/services\/data\/v\d+\.0\/jobs\/ingest\?jobType=V2Ingest&concurrencyMode=parallel&queryLocator=/);
      expect(((await call(paged, t, 'GET', filtered.nextRecordsUrl)).json as { records: { id: string }[] }).records.map((r) => r.id)).toEqual(ids.slice(2));
      for (const q of ['jobType=Classic', 'isPkChunkingEnabled=true', 'concurrencyMode=serial']) {
        expect((await call(paged, t, 'GET', `${V}/jobs/ingest?${q}`)).json).toEqual({ done: true, records: [], nextRecordsUrl: null });
      }
      expect((await call(paged, t, 'DELETE', `${V}/jobs/ingest/${ids[0]}`)).json).toMatchObject([{ errorCode: 'INVALIDJOBSTATE' }]);
      await setState(paged, t, 'ingest', ids[0]!, 'Aborted');
      expect((await call(paged, t, 'DELETE', `${V}/jobs/ingest/${ids[0]}`)).status).toBe(204);
      expect((await call(paged, t, 'GET', `${V}/jobs/ingest/${ids[0]}`)).status).toBe(404);
    } finally {
      await paged.close();
    }
  });

  it('counts Bulk use in /limits', async () => {
    const before = (await call(sim, token, 'GET', `${V}/limits`)).json as Record<string, { Max: number; Remaining: number }>;
    await ingest(sim, token, { object: 'Account', operation: 'insert' }, 'Name\nLimit Co\n');
    const after = (await call(sim, token, 'GET', `${V}/limits`)).json as Record<string, { Max: number; Remaining: number }>;
    expect(after.DailyBulkApiBatches!.Remaining).toBe(before.DailyBulkApiBatches!.Remaining - 1);
    expect(after.DailyBulkApiBatches!.Max).toBe(15000);
  });
});

describe('more of the protocol', () => {
  it('takes a gzip-compressed upload (Content-Encoding: gzip)', async () => {
    const { gzipSync } = await import('node:zlib');
    const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
    const res = await fetch(`${sim.url}${V}/jobs/ingest/${job.id}/batches`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv', 'Content-Encoding': 'gzip' },
      body: gzipSync(Buffer.from('Name\nZipped 1\nZipped 2\n')),
    });
    expect(res.status).toBe(201);
    await setState(sim, token, 'ingest', job.id, 'UploadComplete');
    expect(await waitDone(sim, token, 'ingest', job.id)).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2 });
  });

  it('runs several jobs at once, each accounting for its own rows', async () => {
    const csv = (tag: string) => `Name\n${Array.from({ length: 300 }, (_, i) => `${tag} ${i}`).join('\n')}\n`;
    const jobs = await Promise.all(['Par A', 'Par B', 'Par C'].map((tag) => ingest(sim, token, { object: 'Account', operation: 'insert' }, csv(tag))));
    for (const job of jobs) expect(job).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 300, numberRecordsFailed: 0 });
    const names = parseCsv((await results(sim, token, jobs[1]!.id, 'successfulResults')).text).slice(1).map((r) => r[2]);
    expect(names).toEqual(Array.from({ length: 300 }, (_, i) => `Par B ${i}`));
  });

  it('an Open job aborted before any upload has empty result files; listing filters by jobType', async () => {
    const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
    expect((await setState(sim, token, 'ingest', job.id, 'Aborted')).json).toMatchObject({ state: 'Aborted' });
    const un = await results(sim, token, job.id, 'unprocessedrecords');
    expect(un).toMatchObject({ status: 200, text: '' });
    expect(((await call(sim, token, 'GET', `${V}/jobs/ingest?jobType=V2Ingest`)).json as { records: { id: string }[] }).records.some((r) => r.id === job.id)).toBe(true);
    expect(((await call(sim, token, 'GET', `${V}/jobs/ingest?jobType=Classic`)).json as { records: unknown[] }).records).toEqual([]);
  });
});

describe('compressed responses', () => {
  it('gzips result files when the simulator gzips and the client accepts it', async () => {
    const zipped = await startTiny({ gzip: true });
    try {
      const t = zipped.issueAccessToken();
      const job = await ingest(zipped, t, { object: 'Account', operation: 'insert' }, `Name\n${Array.from({ length: 2000 }, (_, i) => `Gz ${i}`).join('\n')}\n`);
      const res = await fetch(`${zipped.url}${V}/jobs/ingest/${job.id}/successfulResults`, { headers: { Authorization: `Bearer ${t}`, 'Accept-Encoding': 'gzip' } });
      expect(res.headers.get('content-encoding')).toBe('gzip');
      const rows = parseCsv(await res.text());
      expect(rows).toHaveLength(2001);
      expect(rows[2000]![2]).toBe('Gz 1999');
    } finally {
      await zipped.close();
    }
  });
});
