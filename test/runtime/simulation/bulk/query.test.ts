import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { startTiny } from '../helpers.js';
import { call, info, ingest, parseCsv, setState, V, waitDone, type JobInfo } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny({ bulk: { queryPageSize: 7 } });
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

async function queryJob(body: Record<string, unknown>, s: Simulator = sim, t: string = token): Promise<JobInfo> {
  const r = await call(s, t, 'POST', `${V}/jobs/query`, body);
  if (r.status !== 200) throw new Error(`create query job: ${r.status} ${r.text}`);
  return r.json as JobInfo;
}

describe('Bulk API 2.0 query jobs on the simulator', () => {
  it('runs a query job and serves CSV in query column order with parent paths', async () => {
    const created = await queryJob({ operation: 'query', query: 'SELECT Name, Owner.Username, NumberOfEmployees, Active__c, Founded__c, CreatedDate FROM Account WHERE Ext_Id__c = \'EXT-1\'' });
    expect(created).toMatchObject({ operation: 'query', object: 'Account', state: 'UploadComplete', contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' });
    const done = await waitDone(sim, token, 'query', created.id);
    expect(done).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 1, jobType: 'V2Query' });
    const r = await call(sim, token, 'GET', `${V}/jobs/query/${created.id}/results`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('sforce-locator')).toBe('null');
    expect(r.headers.get('sforce-numberofrecords')).toBe('1');
    const rows = parseCsv(r.text);
    expect(rows[0]).toEqual(['Name', 'Owner.Username', 'NumberOfEmployees', 'Active__c', 'Founded__c', 'CreatedDate']);
    expect(rows[1]!.slice(0, 5)).toEqual(['Account 01', sim.defaultUser.username, '10', 'true', '']);
    expect(rows[1]![5]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // a null is an empty, unquoted cell
    expect(r.text.split('\n')[1]!.endsWith(',"true",,' + `"${rows[1]![5]}"`)).toBe(true);
  });

  it('pages with maxRecords and Sforce-Locator; a locator can be fetched again; every page has a header', async () => {
    const job = await queryJob({ operation: 'query', query: 'SELECT Id, Name FROM Account ORDER BY Name' });
    await waitDone(sim, token, 'query', job.id);
    const total = sim.store.records('Account').length;
    const seen: string[] = [];
    let locator: string | null = null;
    let second: { locator: string; text: string } | undefined;
    for (let page = 0; page < 100; page++) {
      const q = `maxRecords=4${locator === null ? '' : `&locator=${locator}`}`;
      const r = await call(sim, token, 'GET', `${V}/jobs/query/${job.id}/results?${q}`);
      expect(r.status).toBe(200);
      const rows = parseCsv(r.text);
      expect(rows[0]).toEqual(['Id', 'Name']);
      expect(Number(r.headers.get('sforce-numberofrecords'))).toBe(rows.length - 1);
      if (page === 1) second = { locator: locator!, text: r.text };
      seen.push(...rows.slice(1).map((row) => row[0]!));
      locator = r.headers.get('sforce-locator');
      if (locator === 'null') break;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    const again = await call(sim, token, 'GET', `${V}/jobs/query/${job.id}/results?maxRecords=4&locator=${second!.locator}`);
    expect(again.text).toBe(second!.text);
    // without maxRecords: the simulator's default page size (7 here)
    const first = await call(sim, token, 'GET', `${V}/jobs/query/${job.id}/results`);
    expect(first.headers.get('sforce-numberofrecords')).toBe(String(Math.min(7, total)));
    expect((await call(sim, token, 'GET', `${V}/jobs/query/${job.id}/results?locator=bogus`)).json).toMatchObject([{ errorCode: 'INVALID_QUERY_LOCATOR' }]);
    expect((await call(sim, token, 'GET', `/services/data/v59.0/jobs/query/${job.id}/results`)).status).toBe(409);
  });

  it('streams values with every CSV hazard and honours the job delimiter and line ending', async () => {
    const name = 'Semi; "quoted", and\nnewline';
    await ingest(sim, token, { object: 'Account', operation: 'insert' }, `Name,Ext_Id__c\n"${name.replace(/"/g, '""')}",Q-HAZ\n`);
    const job = await queryJob({ operation: 'query', query: "SELECT Name FROM Account WHERE Ext_Id__c = 'Q-HAZ'", columnDelimiter: 'SEMICOLON', lineEnding: 'CRLF' });
    await waitDone(sim, token, 'query', job.id);
    const r = await call(sim, token, 'GET', `${V}/jobs/query/${job.id}/results`);
    expect(parseCsv(r.text, ';', '\r\n')).toEqual([['Name'], [name]]);
  });

  it('queryAll includes deleted records, query does not', async () => {
    const id = sim.store.records('Account').find((r) => r.Ext_Id__c === 'EXT-3')!.Id;
    await ingest(sim, token, { object: 'Account', operation: 'delete' }, `Id\n${id}\n`);
    const q = `SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`;
    const live = await queryJob({ operation: 'query', query: q });
    const all = await queryJob({ operation: 'queryAll', query: q });
    await waitDone(sim, token, 'query', live.id);
    await waitDone(sim, token, 'query', all.id);
    expect(parseCsv((await call(sim, token, 'GET', `${V}/jobs/query/${live.id}/results`)).text)).toEqual([['Id', 'IsDeleted']]);
    expect(parseCsv((await call(sim, token, 'GET', `${V}/jobs/query/${all.id}/results`)).text)).toEqual([['Id', 'IsDeleted'], [id, 'true']]);
  });

  it('rejects bad SOQL and what Bulk API 2.0 does not support', async () => {
    const bad = await call(sim, token, 'POST', `${V}/jobs/query`, { operation: 'query', query: 'SELECT Nope FROM Account' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject([{ errorCode: 'INVALID_FIELD' }]);
    for (const query of ['SELECT COUNT() FROM Account', 'SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry', 'SELECT Id, (SELECT Id FROM Contacts) FROM Account', 'SELECT Id FROM Account LIMIT 5 OFFSET 2', 'SELECT BillingAddress FROM Account']) {
      const r = await call(sim, token, 'POST', `${V}/jobs/query`, { operation: 'query', query });
      expect(r.status, query).toBe(400);
      expect(r.json, query).toMatchObject([{ errorCode: 'API_ERROR' }]);
    }
    expect((await call(sim, token, 'POST', `${V}/jobs/query`, { operation: 'insert', query: 'SELECT Id FROM Account' })).status).toBe(400);
  });

  it('aborts, deletes and lists query jobs; counts them in /limits', async () => {
    const before = ((await call(sim, token, 'GET', `${V}/limits`)).json as Record<string, { Remaining: number }>).DailyBulkV2QueryJobs!.Remaining;
    sim.bulk.setRowsPerSecond(5);
    let job: JobInfo;
    try {
      job = await queryJob({ operation: 'query', query: 'SELECT Id FROM Account' });
      expect((await setState(sim, token, 'query', job.id, 'Aborted')).json).toMatchObject({ state: 'Aborted' });
    } finally {
      sim.bulk.setRowsPerSecond(undefined);
    }
    expect((await info(sim, token, 'query', job.id)).state).toBe('Aborted');
    expect((await call(sim, token, 'GET', `${V}/jobs/query/${job.id}/results`)).json).toMatchObject([{ errorCode: 'JOB_NOT_COMPLETE' }]);
    const listed = (await call(sim, token, 'GET', `${V}/jobs/query`)).json as { done: boolean; records: { id: string; jobType: string }[] };
    expect(listed.records.some((r) => r.id === job.id && r.jobType === 'V2Query')).toBe(true);
    expect((await call(sim, token, 'GET', `${V}/jobs/ingest`)).json).toMatchObject({ done: true });
    expect(((await call(sim, token, 'GET', `${V}/jobs/ingest`)).json as { records: { id: string }[] }).records.some((r) => r.id === job.id)).toBe(false);
    expect((await call(sim, token, 'DELETE', `${V}/jobs/query/${job.id}`)).status).toBe(204);
    expect((await call(sim, token, 'GET', `${V}/jobs/query/${job.id}`)).status).toBe(404);
    const after = ((await call(sim, token, 'GET', `${V}/limits`)).json as Record<string, { Remaining: number }>).DailyBulkV2QueryJobs!.Remaining;
    expect(after).toBe(before - 1);
  });
});
