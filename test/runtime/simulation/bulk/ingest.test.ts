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
