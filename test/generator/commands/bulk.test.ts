/**
 * `sfgen bulk import|export|status|results` as a user runs them (the commander program, in
 * process: a child process per run costs seconds on a loaded CI machine) against the simulator
 * serving the demo org: result files, summaries, exit codes 0/2/1, bad input named before anything
 * is uploaded, and an export written whole.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBulk } from '../../../generator/commands/bulk.js';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { DEMO_ORG, REPO, removeDir, tempDir } from './helpers.js';

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

/** Runs `sfgen ARGS` in process: exit code, stdout and stderr. */
async function sfgen(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('sfgen').exitOverride();
  let stdout = '';
  let stderr = '';
  program.configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  registerBulk(program);
  for (const c of program.commands) for (const sub of c.commands) sub.exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const saved = { url: process.env.SF_INSTANCE_URL, token: process.env.SF_ACCESS_TOKEN };
  process.env.SF_INSTANCE_URL = env.SF_INSTANCE_URL;
  process.env.SF_ACCESS_TOKEN = env.SF_ACCESS_TOKEN;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  let code = 0;
  try {
    await program.parseAsync(['node', 'sfgen', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    code = (error as { exitCode?: number }).exitCode ?? 1;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
    process.env.SF_INSTANCE_URL = saved.url;
    process.env.SF_ACCESS_TOKEN = saved.token;
  }
  return { code, stdout, stderr };
}

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: DEMO_ORG });
  dir = await tempDir('bulk-cli');
  env = { ...process.env, SF_INSTANCE_URL: sim.url, SF_ACCESS_TOKEN: sim.issueAccessToken() };
});
afterAll(async () => {
  await sim.close();
  await removeDir(dir);
});

describe('sfgen bulk', () => {
  it('import writes successful/failed/unprocessed.csv, prints job ids and a summary, exits 2 when rows failed', async () => {
    const file = path.join(dir, 'contacts.csv');
    await writeFile(file, 'LastName,Description\nAda,"multi\nline, ""quoted"""\nGrace,plain\n,no last name\n');
    const results = path.join(dir, 'results');
    const r = await sfgen('bulk', 'import', 'Contact', '--file', file, '--results-dir', results, '--json');
    expect(r.stderr).toMatch(/job 750\w+ created/);
    expect(r.code).toBe(2);
    const summary = JSON.parse(r.stdout) as { rows: number; succeeded: number; failed: number; unprocessed: number; jobIds: string[] };
    expect(summary).toMatchObject({ rows: 3, succeeded: 2, failed: 1, unprocessed: 0 });
    const ok = await readFile(path.join(results, 'successful.csv'), 'utf8');
    expect(ok.split('\n')[0]).toBe('sf__Id,sf__Created,LastName,Description');
    expect(ok).toContain('"multi\nline, ""quoted"""');
    const failed = await readFile(path.join(results, 'failed.csv'), 'utf8');
    expect(failed).toMatch(/REQUIRED_FIELD_MISSING/);
    expect(await readFile(path.join(results, 'unprocessed.csv'), 'utf8')).toBe('LastName,Description\n');

    // status and results of that job, as from another run.
    const jobId = summary.jobIds[0] as string;
    const status = await sfgen('bulk', 'status', jobId);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`ingest job ${jobId}: insert Contact, JobComplete, 3 processed, 1 failed`);
    const again = path.join(dir, 'again');
    const res = await sfgen('bulk', 'results', jobId, '--results-dir', again);
    expect(res.code).toBe(2);
    // One job's files, named as the sf CLI's `data bulk results` names them.
    expect(await readFile(path.join(again, `${jobId}-success-records.csv`), 'utf8')).toBe(ok);
    expect(await readFile(path.join(again, `${jobId}-failed-records.csv`), 'utf8')).toBe(failed);
    expect(await readFile(path.join(again, `${jobId}-unprocessed-records.csv`), 'utf8')).toBe('LastName,Description\n');
    expect(res.stdout).toContain(`${jobId}-success-records.csv, ${jobId}-failed-records.csv, ${jobId}-unprocessed-records.csv`);
  }, 60_000);

  it('import exits 0 when every row succeeded; bad input is named (file, line, field) before upload and exits 1', async () => {
    const good = path.join(dir, 'good.csv');
    await writeFile(good, 'LastName\r\nOne\r\nTwo\r\n');
    const ok = await sfgen('bulk', 'import', 'Contact', '--file', good, '--results-dir', path.join(dir, 'r2'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('2 rows in 1 job(s): 2 succeeded, 0 failed, 0 unprocessed');

    const jobsBefore = sim.bulk.jobIds().length;
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, 'LastName,Nope__c\nA,1\n');
    const unknownField = await sfgen('bulk', 'import', 'Contact', '--file', bad);
    expect(unknownField.code).toBe(1);
    expect(unknownField.stderr).toContain('bad.csv:1: Contact has no field Nope__c');
    const unknownObject = await sfgen('bulk', 'import', 'Nope__c', '--file', good);
    expect(unknownObject.code).toBe(1);
    expect(unknownObject.stderr).toContain('the org has no object Nope__c');
    await writeFile(bad, 'LastName,Title\nA,x\nB\n');
    const ragged = await sfgen('bulk', 'import', 'Contact', '--file', bad);
    expect(ragged.stderr).toContain('bad.csv:3: the row has 1 values but the header has 2 columns');
    await writeFile(bad, 'Id,LastName\n003000000000001AAA,x\n');
    const del = await sfgen('bulk', 'import', 'Contact', '--file', bad, '--operation', 'delete');
    expect(del.stderr).toContain('a delete file holds only the Id column, not LastName');
    const upsert = await sfgen('bulk', 'import', 'Account', '--file', good, '--operation', 'upsert', '--external-id', 'ERP_Account_Number__c');
    expect(upsert.stderr).toContain('needs a ERP_Account_Number__c column');
    const ending = await sfgen('bulk', 'import', 'Contact', '--file', good, '--line-ending', 'LF');
    expect(ending.stderr).toContain("lines end with CRLF but the job's lineEnding is LF");
    expect(sim.bulk.jobIds().length).toBe(jobsBefore);
  }, 90_000);

  it('export writes CSV and typed NDJSON whole', async () => {
    await mkdir(dir, { recursive: true });
    const csv = path.join(dir, 'out.csv');
    const r = await sfgen('bulk', 'export', "SELECT Id, LastName, DoNotCall FROM Contact WHERE LastName = 'Ada'", '--out', csv);
    expect(r.code).toBe(0);
    const text = await readFile(csv, 'utf8');
    expect(text.split('\n')[0]).toBe('Id,LastName,DoNotCall');
    expect(text).toContain(',Ada,false');
    const nd = path.join(dir, 'out.ndjson');
    const n = await sfgen('bulk', 'export', "SELECT LastName, DoNotCall, Account.Name FROM Contact WHERE LastName = 'Ada'", '--out', nd, '--format', 'ndjson', '--all');
    expect(n.code).toBe(0);
    const first = JSON.parse((await readFile(nd, 'utf8')).split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(first).toEqual({ LastName: 'Ada', DoNotCall: false, Account: null });
    const badSoql = await sfgen('bulk', 'export', 'SELECT FROM', '--out', path.join(dir, 'never.csv'));
    expect(badSoql.code).toBe(1);
  }, 60_000);

  it('help names the sf CLI equivalents; the command module loads no runtime code until an action runs', async () => {
    const help = await sfgen('bulk', 'import', '--help');
    for (const command of ['sf data import bulk', 'sf data update bulk', 'sf data upsert bulk', 'sf data delete bulk']) expect(help.stdout).toContain(command);
    expect(help.stdout).toContain('--hard-delete');
    const results = await sfgen('bulk', 'results', '--help');
    expect(results.stdout).toContain('sf data bulk results --job-id JOB_ID');
    expect(results.stdout).toContain('JOB_ID-success-records.csv');
    const exp = await sfgen('bulk', 'export', '--help');
    expect(exp.stdout).toContain('sf data export bulk');
    const cli = await readFile(path.join(REPO, 'generator/commands/bulk.ts'), 'utf8');
    expect(cli).not.toMatch(/^import .*runtime/m);
  }, 60_000);
});
