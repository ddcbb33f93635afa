/**
 * The actions of `sfgen bulk ...` (loaded only when a bulk command runs). Each returns the exit
 * code: 0 every row succeeded, 2 some rows failed or were not processed; errors are thrown (1).
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createClient, NotFoundError, type FieldType, type SalesforceClient, type SObjectDescriptor } from 'sfgen/runtime';
import { parseSoql } from 'sfgen/tooling';
import {
  bulk, checkCsv, checkHeader, csvLine, BulkJobError, type IngestJobInfo, type IngestOperation, type IngestSummary, type ResultKind, type LineEnding, type QueryJobInfo,
} from 'sfgen/bulk';
import { ConfigError } from '../config.js';
import { provider, type OrgAuth } from '../metadata/connect.js';
import type { BulkOrgOptions } from './bulk.js';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The org named by the options (same order as `generate`), or a clear error saying how to name one. */
export function orgAuth(opts: BulkOrgOptions, env: NodeJS.ProcessEnv = process.env): OrgAuth {
  if (opts.targetOrg && (opts.instanceUrl || opts.accessToken)) throw new ConfigError('Use either --target-org or --instance-url/--access-token, not both');
  if (opts.targetOrg) return { kind: 'sfCli', alias: opts.targetOrg };
  const instanceUrl = nonEmpty(opts.instanceUrl) ?? nonEmpty(env['SF_INSTANCE_URL']);
  const accessToken = nonEmpty(opts.accessToken) ?? nonEmpty(env['SF_ACCESS_TOKEN']);
  if (instanceUrl && accessToken) return { kind: 'token', instanceUrl, accessToken };
  if (opts.instanceUrl || opts.accessToken) throw new ConfigError('An org needs both an instance URL and an access token (--instance-url/SF_INSTANCE_URL and --access-token/SF_ACCESS_TOKEN)');
  const clientId = nonEmpty(env['SF_CLIENT_ID']);
  const username = nonEmpty(env['SF_USERNAME']);
  const keyFile = nonEmpty(env['SF_JWT_KEY_FILE']);
  if (clientId && username && keyFile) return { kind: 'jwt', clientId, username, keyFile: path.resolve(keyFile), loginUrl: nonEmpty(env['SF_LOGIN_URL']) ?? 'https://login.salesforce.com' };
  throw new ConfigError('No org: pass --target-org ALIAS, or --instance-url with SF_ACCESS_TOKEN (or the JWT variables SF_CLIENT_ID, SF_USERNAME, SF_JWT_KEY_FILE)');
}

async function connect(opts: BulkOrgOptions): Promise<SalesforceClient> {
  return createClient({ auth: await provider(orgAuth(opts)), apiVersion: opts.apiVersion ?? '60.0', allowInsecureLoopback: true });
}

function minutes(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${flag} must be a positive number of minutes, got ${value}`);
  return Math.round(n * 60_000);
}

/** A minimal descriptor from a REST describe: what Bulk's conversions need (types, parents). */
export function descriptorFromDescribe(describe: { name: string; label?: string; fields: readonly { name: string; type: string; [key: string]: unknown }[] }): SObjectDescriptor {
  const fields: Record<string, SObjectDescriptor['fields'][string]> = Object.create(null) as Record<string, SObjectDescriptor['fields'][string]>;
  const parents: Record<string, { field: string; referenceTo: readonly string[] }> = {};
  for (const f of describe.fields) {
    fields[f.name] = { type: f.type as FieldType, nillable: true, createable: true, updateable: true, filterable: true, sortable: true, groupable: true, aggregatable: true, idLookup: false, externalId: false, requiredOnCreate: false };
    const rel = f['relationshipName'];
    const to = f['referenceTo'];
    if (typeof rel === 'string' && Array.isArray(to)) parents[rel] = { field: f.name, referenceTo: to.filter((t): t is string => typeof t === 'string') };
  }
  return { name: describe.name, label: describe.label ?? describe.name, keyPrefix: null, queryable: true, createable: true, updateable: true, deletable: true, fields, parents, children: {} };
}

async function describeOne(client: SalesforceClient, object: string, where: string): Promise<SObjectDescriptor> {
  try {
    const result = await client.describe(object);
    if ('notModified' in result) throw new Error('unexpected 304');
    return descriptorFromDescribe(result);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ConfigError(`${where}: the org has no object ${object}`);
    throw error;
  }
}

type ResultFileNames = Readonly<Record<ResultKind, string>>;

/** Result files of `sfgen bulk import` (every job of the file merged into one set). */
export const IMPORT_RESULT_FILES: ResultFileNames = { successful: 'successful.csv', failed: 'failed.csv', unprocessed: 'unprocessed.csv' };

/** Result files of `sfgen bulk results JOB_ID`: one job's, named as the sf CLI's `data bulk results` names them. */
export function jobResultFiles(jobId: string): ResultFileNames {
  return { successful: `${jobId}-success-records.csv`, failed: `${jobId}-failed-records.csv`, unprocessed: `${jobId}-unprocessed-records.csv` };
}

/** Result files written as batches arrive: each header once, then rows; renamed into place at the end. */
class ResultFiles {
  readonly #fds = new Map<ResultKind, number>();
  readonly #paths = new Map<ResultKind, string>();
  readonly #dir: string;
  readonly #names: ResultFileNames;
  readonly counts: Record<ResultKind, number> = { successful: 0, failed: 0, unprocessed: 0 };
  constructor(dir: string, columns: readonly string[], names: ResultFileNames = IMPORT_RESULT_FILES) {
    this.#dir = dir;
    this.#names = names;
    mkdirSync(dir, { recursive: true });
    const headers: Record<ResultKind, readonly string[]> = {
      successful: ['sf__Id', 'sf__Created', ...columns], failed: ['sf__Id', 'sf__Error', ...columns], unprocessed: columns,
    };
    for (const kind of Object.keys(names) as ResultKind[]) {
      const file = path.join(dir, `.${names[kind]}.partial`);
      const fd = openSync(file, 'w');
      writeSync(fd, `${csvLine(headers[kind])}\n`);
      this.#fds.set(kind, fd);
      this.#paths.set(kind, file);
    }
  }
  write(kind: ResultKind, rows: readonly string[][]): void {
    let text = '';
    for (const row of rows) text += `${csvLine(row)}\n`;
    writeSync(this.#fds.get(kind) as number, text);
    this.counts[kind] += rows.length;
  }
  /** Closes the files and moves them into place (also after an error: completed work is kept). */
  finish(): string[] {
    const out: string[] = [];
    for (const [kind, fd] of this.#fds) {
      closeSync(fd);
      const final = path.join(this.#dir, this.#names[kind]);
      renameSync(this.#paths.get(kind) as string, final);
      out.push(final);
    }
    return out;
  }
}

function progress(enabled: boolean): { update(text: string): void; done(): void } {
  let last = 0;
  let shown = false;
  return {
    update(text) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\r\x1b[Ksfgen: ${text}`);
    },
    done() {
      if (shown) process.stderr.write('\n');
    },
  };
}

function summaryText(object: string, operation: string, s: IngestSummary, dir: string): string {
  const lines = [`sfgen bulk import: ${operation} ${object}: ${s.rows} rows in ${s.jobs.length} job(s): ${s.succeeded} succeeded, ${s.failed} failed, ${s.unprocessed} unprocessed`];
  for (const j of s.jobs) lines.push(`  job ${j.id}: ${j.state}, ${j.succeeded + j.failed} processed, ${j.failed} failed, ${j.unprocessed} unprocessed${j.errorMessage ? ` (${j.errorMessage})` : ''}`);
  lines.push(`  results: ${path.join(dir, 'successful.csv')}, failed.csv, unprocessed.csv`);
  return lines.join('\n');
}

/** `sfgen bulk import OBJECT --file F`. */
export async function bulkImport(object: string, opts: BulkOrgOptions & { file: string; operation: string; externalId?: string; resultsDir: string; lineEnding?: string; maxBytesPerJob?: string; wait?: string }): Promise<number> {
  const operation = opts.operation as IngestOperation;
  if (operation === 'upsert' && opts.externalId === undefined) throw new ConfigError('--operation upsert needs --external-id FIELD');
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(object)) throw new ConfigError(`${JSON.stringify(object)} is not an object API name`);
  const file = path.resolve(opts.file);
  if (!existsSync(file)) throw new ConfigError(`${opts.file}: no such file`);
  const timeoutMs = minutes(opts.wait, '--wait');
  const maxBytes = opts.maxBytesPerJob === undefined ? undefined : Number(opts.maxBytesPerJob);
  const target = { object, operation, externalIdFieldName: opts.externalId };
  // 1. The whole file, checked locally before anything is sent.
  const checked = await checkCsv({ file }, target, { lineEnding: opts.lineEnding as LineEnding | undefined });
  const client = await connect(opts);
  try {
    // 2. One describe of that object: unknown object, unknown header fields.
    const descriptor = await describeOne(client, object, opts.file);
    checkHeader(opts.file, checked.columns, { ...target, descriptor }, {});
    // 3. The jobs.
    const files = new ResultFiles(path.resolve(opts.resultsDir), checked.columns);
    const bar = progress(process.stderr.isTTY === true && !opts.json);
    let summary: IngestSummary | undefined;
    let failure: unknown;
    const run = bulk(client).importCsv(object, operation, { file }, {
      ...(opts.externalId !== undefined && { externalIdFieldName: opts.externalId }),
      lineEnding: checked.lineEnding ?? 'LF',
      ...(maxBytes !== undefined && { maxBytesPerJob: maxBytes }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      onJob: (job) => {
        // Always on stderr (also with --json): the id is what re-attaches after an interruption.
        process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}sfgen: job ${job.id} created (${job.operation} ${job.object}, part ${job.part + 1})\n`);
      },
      onUpload: (p) => bar.update(`uploaded ${p.rows}/${checked.rows} rows (${(p.bytes / 1e6).toFixed(1)} MB)`),
      onPoll: (info) => bar.update(`job ${info.id} ${info.state}: ${info.numberRecordsProcessed ?? 0} rows processed`),
      onRawResults: (batch) => files.write(batch.kind, batch.rows),
    });
    try {
      summary = await run.done();
    } catch (error) {
      failure = error;
    }
    bar.done();
    files.finish();
    const s: IngestSummary = summary ?? {
      jobs: run.summaries, rows: files.counts.successful + files.counts.failed + files.counts.unprocessed,
      succeeded: files.counts.successful, failed: files.counts.failed, unprocessed: files.counts.unprocessed,
    };
    if (opts.json) process.stdout.write(`${JSON.stringify({ object, operation, file: opts.file, jobIds: run.jobs.map((j) => j.id), ...s, resultsDir: path.resolve(opts.resultsDir), ...(failure !== undefined && { error: (failure as Error).message }) }, null, 2)}\n`);
    else process.stdout.write(`${summaryText(object, operation, s, opts.resultsDir)}\n`);
    if (failure !== undefined) {
      if (failure instanceof BulkJobError) throw new Error(`${failure.message}; results read so far are in ${opts.resultsDir}`);
      throw failure;
    }
    return s.failed + s.unprocessed === 0 ? 0 : 2;
  } finally {
    await client.close();
  }
}

/** The objects whose describes type the columns of a query (FROM and single-target parents). */
async function queryDescriptors(client: SalesforceClient, soql: string): Promise<SObjectDescriptor[]> {
  const node = parseSoql(soql);
  const from = node.from.object;
  const cache = new Map<string, SObjectDescriptor>();
  const get = async (name: string): Promise<SObjectDescriptor> => {
    const key = name.toLowerCase();
    const known = cache.get(key);
    if (known !== undefined) return known;
    const d = await describeOne(client, name, 'sfgen bulk export');
    cache.set(key, d);
    return d;
  };
  await get(from);
  for (const item of node.select) {
    if (item.kind !== 'selectExpr' || item.expr.kind !== 'field') continue;
    let current = await get(from);
    const segments = item.expr.path;
    for (let k = 0; k < segments.length - 1; k++) {
      const rel = Object.keys(current.parents).find((r) => r.toLowerCase() === (segments[k] as string).toLowerCase());
      const targets = rel === undefined ? [] : (current.parents[rel] as { referenceTo: readonly string[] }).referenceTo;
      if (targets.length !== 1) break;
      current = await get(targets[0] as string);
    }
  }
  return [...cache.values()];
}

/** `sfgen bulk export "SOQL" --out FILE`. */
export async function bulkExport(soql: string, opts: BulkOrgOptions & { out: string; format: 'csv' | 'ndjson'; all?: boolean; wait?: string }): Promise<number> {
  const timeoutMs = minutes(opts.wait, '--wait');
  parseSoql(soql); // a clear error before connecting
  const out = path.resolve(opts.out);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.partial`);
  const client = await connect(opts);
  const bar = progress(process.stderr.isTTY === true && !opts.json);
  try {
    const types = opts.format === 'ndjson' ? await queryDescriptors(client, soql) : undefined;
    let jobId = '';
    const options = {
      ...(types !== undefined && { types }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      onJob: (job: { id: string }) => {
        jobId = job.id;
        process.stderr.write(`sfgen: query job ${job.id} created\n`);
      },
      onPage: (p: { rows: number; pages: number }) => bar.update(`${p.rows} rows (${p.pages} pages)`),
    };
    const stream = opts.all ? bulk(client).queryAll(soql, options) : bulk(client).query(soql, options);
    let rows: number;
    try {
      rows = opts.format === 'ndjson' ? await stream.toNdjson(partial) : await stream.toCsv(partial);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    bar.done();
    renameSync(partial, out);
    if (opts.json) process.stdout.write(`${JSON.stringify({ jobId, rows, out, format: opts.format })}\n`);
    else process.stdout.write(`sfgen bulk export: ${rows} rows written to ${opts.out} (job ${jobId})\n`);
    return 0;
  } finally {
    await client.close();
  }
}

async function jobInfoAny(client: SalesforceClient, jobId: string): Promise<{ kind: 'ingest' | 'query'; info: IngestJobInfo | QueryJobInfo }> {
  try {
    return { kind: 'ingest', info: await bulk(client).jobInfo(jobId, 'ingest') };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  try {
    return { kind: 'query', info: await bulk(client).jobInfo(jobId, 'query') };
  } catch (error) {
    if (error instanceof NotFoundError) throw new ConfigError(`no ingest or query job ${jobId} on this org`);
    throw error;
  }
}

/** `sfgen bulk status JOB_ID`. */
export async function bulkStatus(jobId: string, opts: BulkOrgOptions): Promise<number> {
  const client = await connect(opts);
  try {
    const { kind, info } = await jobInfoAny(client, jobId);
    if (opts.json) process.stdout.write(`${JSON.stringify({ kind, ...info }, null, 2)}\n`);
    else {
      const failed = typeof info.numberRecordsFailed === 'number' ? `, ${info.numberRecordsFailed} failed` : '';
      process.stdout.write(`sfgen bulk status: ${kind} job ${info.id}: ${info.operation} ${info.object}, ${info.state}, ${info.numberRecordsProcessed ?? 0} processed${failed}${info.errorMessage ? ` (${info.errorMessage})` : ''}\n`);
    }
    return 0;
  } finally {
    await client.close();
  }
}

/** `sfgen bulk results JOB_ID --results-dir DIR`. */
export async function bulkResults(jobId: string, opts: BulkOrgOptions & { resultsDir: string; wait?: string }): Promise<number> {
  const client = await connect(opts);
  try {
    const handle = bulk(client).ingestJob(jobId);
    const timeoutMs = minutes(opts.wait, '--wait');
    const info = timeoutMs === undefined ? await handle.info() : await handle.wait({ timeoutMs });
    if (info.state !== 'JobComplete' && info.state !== 'Failed' && info.state !== 'Aborted') {
      throw new ConfigError(`job ${jobId} is ${info.state}: not finished (use --wait MINUTES to wait for it)`);
    }
    const names = jobResultFiles(jobId);
    let files: ResultFiles | undefined;
    let written: string[] = [];
    const counts: Record<ResultKind, number> = { successful: 0, failed: 0, unprocessed: 0 };
    try {
      for (const kind of ['successful', 'failed', 'unprocessed'] as const) {
        for await (const batch of handle.raw(kind)) {
          const columns = kind === 'unprocessed' ? batch.header : batch.header.slice(2);
          files ??= new ResultFiles(path.resolve(opts.resultsDir), columns, names);
          files.write(kind, batch.rows);
          counts[kind] += batch.rows.length;
        }
      }
    } finally {
      files ??= new ResultFiles(path.resolve(opts.resultsDir), [], names);
      written = files.finish();
    }
    const summary = { jobId, state: info.state, object: info.object, operation: info.operation, succeeded: counts.successful, failed: counts.failed, unprocessed: counts.unprocessed, resultsDir: path.resolve(opts.resultsDir), files: written };
    if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stdout.write(`sfgen bulk results: job ${jobId} (${info.state}): ${counts.successful} succeeded, ${counts.failed} failed, ${counts.unprocessed} unprocessed; written to ${path.join(opts.resultsDir, names.successful)}, ${names.failed}, ${names.unprocessed}\n`);
    return counts.failed + counts.unprocessed === 0 ? 0 : 2;
  } finally {
    await client.close();
  }
}
