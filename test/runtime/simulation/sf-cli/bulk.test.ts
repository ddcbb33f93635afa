// The Salesforce CLI's Bulk API 2.0 commands against the simulator, unchanged, as against a real
// org: `data import bulk` (synchronous with --wait, and async then `data import resume`),
// `data export bulk` (csv and json over several result pages, --all-rows, async then
// `data export resume`), `data upsert bulk`, `data update bulk`, `data delete bulk`
// (soft and --hard-delete), and `data bulk results`, which writes the success, failure and
// unprocessed files from the job's result endpoints.
//
// The CLI's job poll waits 5 s whenever a job is still in progress at its first check, so the
// tests (each on rows of its own) run concurrently, and so do independent commands within one;
// only the test with an injected fault runs alone.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from 'sfgen/bulk';
import type { Simulator } from 'sfgen/simulator';
import { startSimulator } from 'sfgen/simulator';
import { SfCli, type SfResult } from './sf.js';

// Each sf command starts a Node process that loads ~700 packages: seconds each, more on a busy machine.
const SF_TIMEOUT = 240_000;

let sim: Simulator;
let sf: SfCli;

beforeAll(async () => {
  // Three rows per query result page, so that small exports span several pages (Sforce-Locator).
  sim = await startSimulator({ metadataDir: 'test/fixtures/demo-org', bulk: { queryPageSize: 3 } });
  sf = await SfCli.create();
  await sf.loginAccessToken(sim.url, sim.issueAccessToken(), 'sim');
}, SF_TIMEOUT);
afterAll(async () => {
  await sf?.dispose();
  await sim?.close();
});

/** Writes `text` as a file in the CLI's working directory and returns its name. */
async function file(name: string, text: string): Promise<string> {
  await writeFile(path.join(sf.home, name), text, 'utf8');
  return name;
}

/** A CSV file the CLI wrote (in its working directory), as objects keyed by the header row. */
async function csvRecords(name: string): Promise<Record<string, string>[]> {
  const [header, ...rows] = parseCsv(await readFile(path.join(sf.home, name), 'utf8'));
  if (header === undefined) throw new Error(`${name} is empty`);
  return rows.filter((r) => !(r.length === 1 && r[0] === '')).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** The parsed `--json` output of a command that is expected to fail. */
function failure(r: SfResult): { name: string; message: string; data?: { jobId?: string; state?: string } } {
  expect(r.code, r.stdout).not.toBe(0);
  return JSON.parse(r.stdout) as { name: string; message: string; data?: { jobId?: string; state?: string } };
}

function byName(sobject: string, prefix: string): Record<string, unknown>[] {
  return sim.org
    .records(sobject)
    .filter((r) => String(r.Name ?? r.LastName ?? '').startsWith(prefix))
    .map((r) => ({ ...r }));
}

interface IngestResult {
  jobId: string;
  processedRecords?: number;
  successfulRecords?: number;
  failedRecords?: number;
}

interface BulkResults {
  processedRecords: number;
  successfulRecords?: number;
  failedRecords: number;
  status: string;
  operation: string;
  object: string;
  successFilePath: string;
  failedFilePath?: string;
  unprocessedFilePath?: string;
}

// Values with every CSV hazard: delimiters, doubled quotes, line breaks, leading and trailing
// blanks, non-ASCII text.
const HAZARDS: readonly { name: string; description: string }[] = [
  { name: 'Hazard 1 comma', description: 'one, two, three' },
  { name: 'Hazard 2 quotes', description: 'she said "hi" and left' },
  { name: 'Hazard 3 newline', description: 'line one\nline two\n\nline four' },
  { name: 'Hazard 4 mixed', description: '  "a, b"\n c;d|e\tf  ' },
  { name: 'Hazard 5 unicode', description: 'Zoë — café ✓ 東京' },
];

function csvCell(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

describe.concurrent('sf data bulk commands against the simulator', () => {
  it('imports a CSV with --wait and exports it back unchanged as csv and json, across result pages', async () => {
    const csv = `Name,Description,NumberOfEmployees\n${HAZARDS.map((h, i) => `${csvCell(h.name)},${csvCell(h.description)},${10 * (i + 1)}`).join('\n')}\n`;
    const result = await sf.json<IngestResult>(['data', 'import', 'bulk', '-o', 'sim', '--file', await file('hazards.csv', csv), '--sobject', 'Account', '--wait', '5']);
    expect(result).toMatchObject({ processedRecords: 5, successfulRecords: 5, failedRecords: 0 });
    expect(result.jobId).toMatch(/^750[A-Za-z0-9]{15}$/);

    // The store holds the rows exactly as written in the file.
    const stored = byName('Account', 'Hazard ').sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
    expect(stored.map((r) => [r.Name, r.Description, r.NumberOfEmployees])).toEqual(HAZARDS.map((h, i) => [h.name, h.description, 10 * (i + 1)]));

    const soql = "SELECT Id, Name, Description, NumberOfEmployees FROM Account WHERE Name LIKE 'Hazard %' ORDER BY Name";
    const [asCsv, asJson] = await Promise.all([
      sf.json<{ totalSize: number; filePath: string }>(['data', 'export', 'bulk', '-o', 'sim', '--query', soql, '--output-file', 'hazards-out.csv', '--result-format', 'csv', '--wait', '5']),
      sf.json<{ totalSize: number; filePath: string }>(['data', 'export', 'bulk', '-o', 'sim', '--query', soql, '--output-file', 'hazards-out.json', '--result-format', 'json', '--wait', '5']),
    ]);
    expect(asCsv).toEqual({ totalSize: 5, filePath: 'hazards-out.csv' });
    expect(asJson).toEqual({ totalSize: 5, filePath: 'hazards-out.json' });

    // Five rows at three per page: two pages, the second page's header row dropped by the CLI.
    const expected = stored.map((r) => ({ Id: r.Id, Name: r.Name, Description: r.Description, NumberOfEmployees: String(r.NumberOfEmployees) }));
    expect(await csvRecords('hazards-out.csv')).toEqual(expected);
    expect(JSON.parse(await readFile(path.join(sf.home, 'hazards-out.json'), 'utf8'))).toEqual(expected);
    // The CSV is Salesforce's: every value quoted, a header row once.
    const text = await readFile(path.join(sf.home, 'hazards-out.csv'), 'utf8');
    expect(text.startsWith('"Id","Name","Description","NumberOfEmployees"\n')).toBe(true);
    expect(text.match(/"Id","Name"/g)).toHaveLength(1);
  }, SF_TIMEOUT);

  it('imports asynchronously (no --wait) and `data import resume` reports the finished job', async () => {
    const csv = 'LastName,FirstName,Email\nAsyncOne,Ada,ada@example.com\nAsyncTwo,Alan,alan@example.com\nAsyncThree,Grace,grace@example.com\n';
    const started = await sf.json<IngestResult>(['data', 'import', 'bulk', '-o', 'sim', '--file', await file('async.csv', csv), '--sobject', 'Contact']);
    expect(Object.keys(started)).toEqual(['jobId']);

    const resumed = await sf.json<IngestResult>(['data', 'import', 'resume', '--job-id', started.jobId, '--wait', '5']);
    expect(resumed).toEqual({ jobId: started.jobId, processedRecords: 3, successfulRecords: 3, failedRecords: 0 });
    expect(byName('Contact', 'Async').map((r) => r.Email).sort()).toEqual(['ada@example.com', 'alan@example.com', 'grace@example.com']);
  }, SF_TIMEOUT);

  it('exports asynchronously and `data export resume` writes the file', async () => {
    const seeded = [1, 2, 3, 4, 5].map((n) => sim.org.insert('Account', { Name: `ExportResume ${n}` }));
    const soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'ExportResume %' ORDER BY Name";
    const started = await sf.json<{ jobId: string; filePath: string }>(['data', 'export', 'bulk', '-o', 'sim', '--query', soql, '--output-file', 'async-export.csv', '--result-format', 'csv']);
    expect(started.filePath).toBe('async-export.csv');
    const resumed = await sf.json<{ totalSize: number; filePath: string }>(['data', 'export', 'resume', '--job-id', started.jobId]);
    expect(resumed).toEqual({ totalSize: 5, filePath: 'async-export.csv' });
    expect(await csvRecords('async-export.csv')).toEqual(seeded.map((r) => ({ Id: r.Id, Name: r.Name })));
  }, SF_TIMEOUT);

  it('exports deleted rows only with --all-rows (queryAll)', async () => {
    const gone = sim.org.insert('Account', { Name: 'AllRows Deleted' });
    const live1 = sim.org.insert('Account', { Name: 'AllRows Live' });
    sim.org.delete('Account', gone.Id);
    const soql = "SELECT Id, Name, IsDeleted FROM Account WHERE Name LIKE 'AllRows%' ORDER BY Name";
    const [live, all, tabbed] = await Promise.all([
      sf.json<{ totalSize: number }>(['data', 'export', 'bulk', '-o', 'sim', '--query', soql, '--output-file', 'live.csv', '--wait', '5']),
      sf.json<{ totalSize: number }>(['data', 'export', 'bulk', '-o', 'sim', '--query', soql, '--output-file', 'all.csv', '--all-rows', '--wait', '5']),
      // The job's columnDelimiter and lineEnding shape the result CSV.
      sf.json<{ totalSize: number }>(['data', 'export', 'bulk', '-o', 'sim', '--query', soql, '--output-file', 'tabbed.tsv', '--all-rows', '--column-delimiter', 'TAB', '--line-ending', 'CRLF', '--wait', '5']),
    ]);
    expect(live.totalSize).toBe(1);
    expect(all.totalSize).toBe(2);
    expect(tabbed.totalSize).toBe(2);
    expect((await csvRecords('live.csv')).map((r) => [r.Name, r.IsDeleted])).toEqual([['AllRows Live', 'false']]);
    expect((await csvRecords('all.csv')).map((r) => [r.Name, r.IsDeleted])).toEqual([['AllRows Deleted', 'true'], ['AllRows Live', 'false']]);
    expect(await readFile(path.join(sf.home, 'tabbed.tsv'), 'utf8')).toBe(
      `"Id"\t"Name"\t"IsDeleted"\r\n"${gone.Id}"\t"AllRows Deleted"\t"true"\r\n"${live1.Id}"\t"AllRows Live"\t"false"\r\n`,
    );
  }, SF_TIMEOUT);

  it('upserts by external id, updates by Id, deletes and hard-deletes', async () => {
    const old = sim.org.insert('Account', { Name: 'Upsert Old', ERP_Account_Number__c: 'SFB-1' });
    const toUpdate = sim.org.insert('Account', { Name: 'Update Me', Industry: 'Energy' });
    const toDelete = sim.org.insert('Account', { Name: 'Delete Me' });
    const toPurge = sim.org.insert('Account', { Name: 'Purge Me' });

    const [upserted, updated, deleted, purged] = await Promise.all([
      sf.json<{ jobInfo: { id: string; state: string; numberRecordsProcessed: number; numberRecordsFailed: number; externalIdFieldName: string } }>([
        'data', 'upsert', 'bulk', '-o', 'sim', '--sobject', 'Account', '--external-id', 'ERP_Account_Number__c', '--wait', '5',
        '--file', await file('upsert.csv', 'ERP_Account_Number__c,Name\nSFB-1,Upsert Renamed\nSFB-2,Upsert Created\n'),
      ]),
      // Semicolon-separated: the CLI detects the delimiter and creates the job with SEMICOLON.
      sf.json<IngestResult>(['data', 'update', 'bulk', '-o', 'sim', '--sobject', 'Account', '--wait', '5', '--file', await file('update.csv', `Id;Industry;Description\n${toUpdate.Id};Banking;"a; b, c"\n`)]),
      sf.json<{ jobInfo: { operation: string; numberRecordsProcessed: number } }>(['data', 'delete', 'bulk', '-o', 'sim', '--sobject', 'Account', '--wait', '5', '--file', await file('delete.csv', `Id\n${toDelete.Id}\n`)]),
      sf.json<{ jobInfo: { operation: string; numberRecordsProcessed: number } }>(['data', 'delete', 'bulk', '-o', 'sim', '--sobject', 'Account', '--hard-delete', '--wait', '5', '--file', await file('purge.csv', `Id\n${toPurge.Id}\n`)]),
    ]);

    expect(upserted.jobInfo).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 0, externalIdFieldName: 'ERP_Account_Number__c' });
    expect(sim.org.findById(old.Id)?.record.Name).toBe('Upsert Renamed');
    const created = sim.org.records('Account').filter((r) => r.ERP_Account_Number__c === 'SFB-2');
    expect(created.map((r) => r.Name)).toEqual(['Upsert Created']);

    expect(updated).toMatchObject({ processedRecords: 1, successfulRecords: 1, failedRecords: 0 });
    expect(sim.org.findById(toUpdate.Id)?.record).toMatchObject({ Industry: 'Banking', Description: 'a; b, c' });

    expect(deleted.jobInfo).toMatchObject({ operation: 'delete', numberRecordsProcessed: 1 });
    expect(sim.org.findById(toDelete.Id)).toBeUndefined();
    expect(sim.org.findDeleted(toDelete.Id)).toBeDefined(); // in the recycle bin

    expect(purged.jobInfo).toMatchObject({ operation: 'hardDelete', numberRecordsProcessed: 1 });
    expect(sim.org.findById(toPurge.Id)).toBeUndefined();
    expect(sim.org.findDeleted(toPurge.Id)).toBeUndefined(); // not even in the recycle bin

    // `data bulk results` on the upsert: created and updated rows told apart by sf__Created.
    const results = await sf.json<BulkResults>(['data', 'bulk', 'results', '-o', 'sim', '--job-id', upserted.jobInfo.id]);
    expect(results).toMatchObject({ processedRecords: 2, successfulRecords: 2, failedRecords: 0, status: 'JobComplete', operation: 'upsert', object: 'Account' });
    expect(results.failedFilePath).toBeUndefined();
    const success = await csvRecords(results.successFilePath);
    expect(success).toEqual([
      { sf__Id: old.Id, sf__Created: 'false', ERP_Account_Number__c: 'SFB-1', Name: 'Upsert Renamed' },
      { sf__Id: created[0]!.Id, sf__Created: 'true', ERP_Account_Number__c: 'SFB-2', Name: 'Upsert Created' },
    ]);
  }, SF_TIMEOUT);

  it('writes the failed rows with Salesforce\'s error text (CRLF file, update with a bad row); whole-job failures print the job\'s error', async () => {
    const good = sim.org.insert('Contact', { LastName: 'Results Good' });
    const bad = sim.org.insert('Contact', { LastName: 'Results Bad' });
    const insertCsv = 'LastName,Email\r\nResults New,new@example.com\r\nResults Invalid,not-an-email\r\n,missing@example.com\r\n';
    const updateCsv = `Id,Email\n${good.Id},good@example.com\n${bad.Id},still not an email\n`;
    const [inserted, updated, wrongEnding, unknownField] = await Promise.all([
      sf.run(['data', 'import', 'bulk', '-o', 'sim', '--sobject', 'Contact', '--line-ending', 'CRLF', '--wait', '5', '--json', '--file', await file('bad-rows.csv', insertCsv)]),
      sf.run(['data', 'update', 'bulk', '-o', 'sim', '--sobject', 'Contact', '--wait', '5', '--json', '--file', await file('bad-update.csv', updateCsv)]),
      // Whole-job failures: the job ends Failed and the CLI prints its errorMessage.
      sf.run(['data', 'import', 'bulk', '-o', 'sim', '--sobject', 'Contact', '--wait', '5', '--json', '--file', await file('crlf.csv', 'LastName\r\nWrong Ending\r\n')]),
      sf.run(['data', 'import', 'bulk', '-o', 'sim', '--sobject', 'Contact', '--wait', '5', '--json', '--file', await file('unknown.csv', 'LastName,Bogus__c\nUnknown Field,1\n')]),
    ]);
    expect(failure(wrongEnding).message).toContain('ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF');
    expect(failure(unknownField).message).toContain('InvalidBatch : Field name not found : Bogus__c');
    expect(sim.org.records('Contact').some((r) => r.LastName === 'Wrong Ending' || r.LastName === 'Unknown Field')).toBe(false);
    // Some rows failed: the CLI exits non-zero and points at `data bulk results`.
    const insertFailure = failure(inserted);
    expect(insertFailure.name).toBe('FailedRecordDetailsError');
    expect(insertFailure.message).toBe('Job finished being processed but failed to process 2 records.');
    expect(insertFailure.data?.state).toBe('JobComplete');
    const updateFailure = failure(updated);
    expect(updateFailure.message).toBe('Job finished being processed but failed to process 1 records.');

    const insertJob = insertFailure.data!.jobId!;
    const [ins, upd] = await Promise.all([
      sf.json<BulkResults>(['data', 'bulk', 'results', '-o', 'sim', '--job-id', insertJob]),
      sf.json<BulkResults>(['data', 'bulk', 'results', '-o', 'sim', '--job-id', updateFailure.data!.jobId!]),
    ]);
    expect(ins).toEqual({
      processedRecords: 3, successfulRecords: 1, failedRecords: 2, status: 'JobComplete', operation: 'insert', object: 'Contact',
      successFilePath: `${insertJob}-success-records.csv`, failedFilePath: `${insertJob}-failed-records.csv`,
    });
    const newId = sim.org.records('Contact').find((r) => r.LastName === 'Results New')?.Id;
    expect(newId).toBeDefined();
    expect(await csvRecords(ins.successFilePath)).toEqual([{ sf__Id: newId, sf__Created: 'true', LastName: 'Results New', Email: 'new@example.com' }]);
    expect(await csvRecords(ins.failedFilePath!)).toEqual([
      { sf__Id: '', sf__Error: 'INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --', LastName: 'Results Invalid', Email: 'not-an-email' },
      { sf__Id: '', sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --', LastName: '', Email: 'missing@example.com' },
    ]);
    expect(sim.org.records('Contact').some((r) => r.LastName === 'Results Invalid')).toBe(false);

    expect(upd).toMatchObject({ processedRecords: 2, successfulRecords: 1, failedRecords: 1, operation: 'update' });
    expect(await csvRecords(upd.successFilePath)).toEqual([{ sf__Id: good.Id, sf__Created: 'false', Id: good.Id, Email: 'good@example.com' }]);
    const failedUpdate = await csvRecords(upd.failedFilePath!);
    expect(failedUpdate).toHaveLength(1);
    expect(failedUpdate[0]).toMatchObject({ Id: bad.Id, Email: 'still not an email', sf__Error: 'INVALID_EMAIL_ADDRESS:Email: invalid email address: still not an email:Email --' });
    expect(sim.org.findById(bad.Id)?.record.Email ?? null).toBeNull();
  }, SF_TIMEOUT);
});

// Alone: its fault fails whichever ingest job is closed while it is registered.
describe('sf data bulk results on a job that ended Failed', () => {

  it('writes the unprocessed rows of a job that ended Failed', async () => {
    const fault = sim.faults.add({ method: 'PATCH', route: /\/jobs\/ingest\/750/, failJob: { afterRows: 2, message: 'InternalServerError : injected by the test' } });
    const csv = 'Name\nPartial 1\nPartial 2\nPartial 3\nPartial 4\n';
    const r = await sf.run(['data', 'import', 'bulk', '-o', 'sim', '--sobject', 'Account', '--wait', '5', '--json', '--file', await file('partial.csv', csv)]);
    fault.remove();
    const failed = failure(r);
    expect(failed.message).toContain('InternalServerError : injected by the test');
    const jobId = failed.data?.jobId ?? (/--job-id (750\w{15})/.exec(r.stdout)?.[1] as string);
    expect(jobId).toMatch(/^750/);

    // The 15-character form of the id, as a user may copy it from Setup: the CLI passes it on and
    // names the files after it; the org answers for the job all the same.
    const short = jobId.slice(0, 15);
    const results = await sf.json<BulkResults>(['data', 'bulk', 'results', '-o', 'sim', '--job-id', short]);
    expect(results).toEqual({
      processedRecords: 2, failedRecords: 0, status: 'Failed', operation: 'insert', object: 'Account',
      successFilePath: `${short}-success-records.csv`, unprocessedFilePath: `${short}-unprocessed-records.csv`,
    });
    expect((await csvRecords(results.successFilePath)).map((x) => [x.sf__Created, x.Name])).toEqual([['true', 'Partial 1'], ['true', 'Partial 2']]);
    expect(await csvRecords(results.unprocessedFilePath!)).toEqual([{ Name: 'Partial 3' }, { Name: 'Partial 4' }]);
    expect(byName('Account', 'Partial ').map((x) => x.Name).sort()).toEqual(['Partial 1', 'Partial 2']);
  }, SF_TIMEOUT);
});
