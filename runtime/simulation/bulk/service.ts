/**
 * Bulk API 2.0 on the simulator: ingest jobs (`/jobs/ingest`) and query jobs (`/jobs/query`),
 * served straight on the socket so that CSV bodies stream both ways.
 *
 * - Uploads are spooled to a temporary file as they arrive (never held in memory), checked against
 *   the 150 MB limit (of base64-encoded content, as Salesforce counts it) and for line endings.
 * - Closing a job (`UploadComplete`) starts processing on the event loop in slices, at
 *   `rowsPerSecond` when set, so a client sees `InProgress` and must poll; rows go through the
 *   store with the REST API's describe-driven validation. Per row the job keeps one outcome byte,
 *   the record's id and, for failed rows, the `sf__Error` text; result files are written by reading
 *   the spooled upload again, so memory does not grow with the upload.
 * - Query jobs run the simulator's SOQL engine; their rows are projected page by page (`maxRecords`,
 *   `Sforce-Locator`, reusable locators) and streamed as CSV.
 *
 * Where Salesforce documents nothing (statuses of some errors, see docs/simulator.md) the choices
 * are made here once and documented.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip, gzipSync, type Gzip } from 'node:zlib';
import type http from 'node:http';
import { parseJsonBody, SimHttpError, type SfErrorItem } from '../errors.js';
import { IdMinter, toId18 } from '../ids.js';
import { bindSoql, runBoundFlat, SoqlError, type BoundQuery } from '../query/index.js';
import type { RawApi, RawCall } from '../server.js';
import type { SimOrg } from '../store.js';
import { COLUMN_DELIMITERS, CsvReader, csvLine, LineScanner, quote, ResultRewriter, type ColumnDelimiter, type LineEnding } from './csv.js';
import { INGEST_OPERATIONS, JobFailure, RowApplier, type IngestOperation } from './ingest.js';
import { CREATED, createdJson, FAILED, infoJson, listEntryJson, UNPROCESSED, UPDATED, type IngestJob, type Job, type QueryJob } from './jobs.js';

/** Bulk API 2.0 settings of {@link startSimulator} (`bulk: {...}`). Everything is optional. */
export interface BulkOptions {
  /**
   * Rows per second a job processes (ingest rows applied, query rows produced). Default: as fast
   * as the simulator can, in slices that keep the event loop free.
   */
  readonly rowsPerSecond?: number;
  /** Rows in a query results set when the request gives no `maxRecords`. Default 50,000. */
  readonly queryPageSize?: number;
  /**
   * Largest upload per job, in bytes of base64-encoded content as Salesforce counts it. Default
   * 150 MB (157,286,400), i.e. about 112.5 MB of CSV.
   */
  readonly maxUploadBase64Bytes?: number;
  /** Jobs per page of a job listing. Default 1000. */
  readonly listPageSize?: number;
}

/** Resolved settings. */
interface BulkSettings {
  rowsPerSecond: number | undefined;
  queryPageSize: number;
  maxUploadBase64Bytes: number;
  listPageSize: number;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const CSV_TYPE = 'text/csv';
const MAX_JSON_BODY = 1024 * 1024;
const FLUSH_CHARS = 64 * 1024;
const DELETABLE = new Set(['UploadComplete', 'JobComplete', 'Aborted', 'Failed']);
const FINISHED = new Set(['JobComplete', 'Failed', 'Aborted']);

/** A request failure answered with `[{errorCode, message}]`. */
class BulkError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (): BulkError => new BulkError(404, 'NOT_FOUND', 'The requested resource does not exist');

/** The client went away while a response was streaming. */
class ClientGone extends Error {}

function base64Size(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** Stateless, reusable locator: the row offset, base64 without padding (as Salesforce's `MTAwMDA`). */
function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
}

function decodeLocator(text: string): number | undefined {
  if (!/^[A-Za-z0-9+/]+$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  if (!/^\d+$/.test(decoded) || encodeLocator(Number(decoded)) !== text) return undefined;
  return Number(decoded);
}

function enumError(type: string, value: unknown): BulkError {
  return new BulkError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of ${type} from VALUE_STRING value ${String(value)} or request may be missing a required field`);
}

function isBlank(row: readonly string[]): boolean {
  return row.length === 1 && row[0] === '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves when `stream` drains or the response closes (a gone client never drains). */
function drained(stream: NodeJS.EventEmitter, res: http.ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      res.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes a CSV response: streamed with backpressure (chunked), or, when the request's fault cuts
 * the download, built whole so that `Content-Length` promises every byte before the cut.
 */
class CsvOut {
  private buf = '';
  private readonly parts: Buffer[] = [];
  private started = false;
  /** Streamed gzip (`Content-Encoding: gzip` when the simulator's `gzip` option is on). */
  private zip: Gzip | undefined;
  /** CSV bytes written (before compression). */
  bytes = 0;

  constructor(
    private readonly call: RawCall,
    private readonly headers: Record<string, string>,
  ) {}

  private get cut(): number | undefined {
    return this.call.fault?.cutAfterBytes;
  }

  async add(text: string): Promise<void> {
    this.buf += text;
    if (this.buf.length >= FLUSH_CHARS) await this.flush();
  }

  /** Bytes of CSV, after any text added before them. */
  async addBytes(bytes: Buffer): Promise<void> {
    await this.flush();
    if (bytes.length > 0) await this.write(bytes);
  }

  private async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    await this.write(chunk);
  }

  private async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    if (this.cut !== undefined) {
      this.parts.push(chunk);
      return;
    }
    const res = this.call.res;
    if (!this.started) {
      if (this.call.gzip) {
        res.writeHead(200, { ...this.headers, 'Content-Encoding': 'gzip' });
        this.zip = createGzip({ level: 1 });
        this.zip.pipe(res);
      } else res.writeHead(200, this.headers);
      this.started = true;
    }
    if (res.destroyed) throw new ClientGone();
    if (this.zip !== undefined) {
      if (!this.zip.write(chunk)) await drained(this.zip, res);
      if (res.destroyed) throw new ClientGone();
      return;
    }
    if (!res.write(chunk)) {
      await drained(res, res);
      if (res.destroyed) throw new ClientGone();
    }
  }

  async end(): Promise<void> {
    await this.flush();
    const res = this.call.res;
    const cut = this.cut;
    if (cut !== undefined) {
      const plain = Buffer.concat(this.parts);
      const body = this.call.gzip ? gzipSync(plain, { level: 1 }) : plain;
      res.writeHead(200, { ...this.headers, ...(this.call.gzip && { 'Content-Encoding': 'gzip' }), 'Content-Length': String(body.length) });
      if (cut < body.length) {
        res.write(body.subarray(0, cut), () => res.destroy());
        return;
      }
      res.end(body);
      return;
    }
    if (this.zip !== undefined) {
      this.zip.end();
      return;
    }
    if (!this.started) res.writeHead(200, { ...this.headers, 'Content-Length': '0' });
    res.end();
  }
}

/** The Bulk API 2.0 endpoints of one simulator. */
export class BulkService implements RawApi {
  private readonly jobs = new Map<string, Job>();
  private readonly minter = new IdMinter('Sm');
  private spoolDir: string | undefined;
  private closed = false;
  private readonly settings: BulkSettings;
  /** Counters behind the Bulk entries of `/limits`. */
  private queryJobsCreated = 0;
  private ingestBatches = 0;
  private queryBytes = 0;
  private uploads = 0;

  constructor(
    private readonly org: SimOrg,
    private readonly limits: Record<string, unknown>,
    private readonly now: () => number,
    options: BulkOptions = {},
  ) {
    const positive = (name: string, v: number | undefined): void => {
      if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new RangeError(`startSimulator: bulk.${name} must be a positive number, got ${v}`);
    };
    positive('rowsPerSecond', options.rowsPerSecond);
    positive('queryPageSize', options.queryPageSize);
    positive('maxUploadBase64Bytes', options.maxUploadBase64Bytes);
    positive('listPageSize', options.listPageSize);
    this.settings = {
      rowsPerSecond: options.rowsPerSecond,
      queryPageSize: Math.floor(options.queryPageSize ?? 50000),
      maxUploadBase64Bytes: Math.floor(options.maxUploadBase64Bytes ?? 150 * 1024 * 1024),
      listPageSize: Math.floor(options.listPageSize ?? 1000),
    };
    this.updateLimits();
  }

  /** Change the processing rate of jobs (undefined: as fast as possible). */
  setRowsPerSecond(rowsPerSecond: number | undefined): void {
    if (rowsPerSecond !== undefined && (!Number.isFinite(rowsPerSecond) || rowsPerSecond <= 0)) {
      throw new RangeError(`rowsPerSecond must be a positive number, got ${rowsPerSecond}`);
    }
    this.settings.rowsPerSecond = rowsPerSecond;
  }

  /** Ids of the jobs the simulator holds, in creation order. */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  /** Stop processing and remove spooled uploads. */
  close(): void {
    this.closed = true;
    if (this.spoolDir !== undefined) rmSync(this.spoolDir, { recursive: true, force: true });
  }

  // ---- routing ------------------------------------------------------------------------------

  routeKey(method: string, path: string): string | undefined {
    const m = this.match(path);
    return m === undefined ? undefined : `${method} ${m.key}`;
  }

  private match(path: string): { key: string; kind: 'ingest' | 'query'; id?: string; tail?: string } | undefined {
    let m = /^\/jobs\/(ingest|query)\/?$/.exec(path);
    if (m) return { key: `/jobs/${m[1]}`, kind: m[1] as 'ingest' | 'query' };
    m = /^\/jobs\/(ingest|query)\/([^/]+)\/?$/.exec(path);
    if (m) return { key: `/jobs/${m[1]}/{id}`, kind: m[1] as 'ingest' | 'query', id: m[2] };
    m = /^\/jobs\/ingest\/([^/]+)\/(batches|successfulResults|failedResults|unprocessedrecords)\/?$/.exec(path);
    if (m) return { key: `/jobs/ingest/{id}/${m[2]}`, kind: 'ingest', id: m[1], tail: m[2] };
    m = /^\/jobs\/query\/([^/]+)\/results\/?$/.exec(path);
    if (m) return { key: '/jobs/query/{id}/results', kind: 'query', id: m[1], tail: 'results' };
    return undefined;
  }

  async handle(call: RawCall): Promise<void> {
    try {
      await this.dispatch(call);
    } catch (error) {
      if (error instanceof ClientGone) return;
      if (call.res.headersSent) {
        call.res.destroy();
        return;
      }
      if (error instanceof BulkError) return this.sendError(call, error.status, [{ errorCode: error.errorCode, message: error.message }]);
      if (error instanceof SimHttpError) return this.sendError(call, error.status, error.body as SfErrorItem[]);
      throw error;
    }
  }

  private async dispatch(call: RawCall): Promise<void> {
    const m = this.match(call.path)!;
    const method = call.method;
    const allow = (methods: string[]): never => {
      throw new BulkError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${methods.join(',')}`);
    };
    if (m.id === undefined) {
      if (method === 'POST') return m.kind === 'ingest' ? this.createIngest(call) : this.createQuery(call);
      if (method === 'GET') return this.list(call, m.kind);
      return allow(['GET', 'POST']);
    }
    // A job id in its 15- or 18-character form, as for records (the sf CLI passes on what the user typed).
    const job = this.jobs.get(toId18(m.id) ?? m.id);
    if (job === undefined || job.kind !== m.kind) {
      // Drain a body we will not read, so the answer reaches the client.
      call.req.resume();
      throw notFound();
    }
    if (m.tail === undefined) {
      if (method === 'GET') return this.sendJson(call, 200, infoJson(job));
      if (method === 'PATCH') return this.patch(call, job);
      if (method === 'DELETE') return this.remove(call, job);
      return allow(['GET', 'PATCH', 'DELETE']);
    }
    if (m.tail === 'batches') {
      if (method !== 'PUT') return allow(['PUT']);
      return this.upload(call, job as IngestJob);
    }
    if (method !== 'GET') return allow(['GET']);
    if (m.tail === 'results') return this.queryResults(call, job as QueryJob);
    return this.ingestResults(call, job as IngestJob, m.tail as 'successfulResults' | 'failedResults' | 'unprocessedrecords');
  }

  // ---- responses ----------------------------------------------------------------------------

  private sendJson(call: RawCall, status: number, text: string | undefined): void {
    const { res } = call;
    if (call.fault?.resetAfter === true) {
      (call.req.socket ?? call.res.socket)?.destroy();
      return;
    }
    const headers: Record<string, string> = { 'Sforce-Limit-Info': call.limitInfo };
    if (text === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const body = Buffer.from(text, 'utf8');
    res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
    const cut = call.fault?.cutAfterBytes;
    if (cut !== undefined && cut < body.length) {
      res.write(body.subarray(0, cut), () => res.destroy());
      return;
    }
    res.end(body);
  }

  private sendError(call: RawCall, status: number, errors: readonly SfErrorItem[]): void {
    const body = Buffer.from(JSON.stringify(errors), 'utf8');
    call.res.writeHead(status, { 'Sforce-Limit-Info': call.limitInfo, 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
    call.res.end(body);
  }

  private async readJson(call: RawCall): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of call.req) {
      size += (chunk as Buffer).length;
      if (size > MAX_JSON_BODY) throw new BulkError(413, 'REQUEST_ENTITY_TOO_LARGE', `request body exceeds ${MAX_JSON_BODY} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') throw new BulkError(400, 'JSON_PARSER_ERROR', 'No content to map due to end-of-input');
    const value = parseJsonBody(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BulkError(400, 'JSON_PARSER_ERROR', 'Cannot deserialize the request body: a JSON object is expected');
    }
    return value as Record<string, unknown>;
  }

  // ---- jobs ---------------------------------------------------------------------------------

  private newId(): string {
    return this.minter.next('750', (id) => this.jobs.has(id));
  }

  private format(body: Record<string, unknown>): { lineEnding: LineEnding; columnDelimiter: ColumnDelimiter } {
    const lineEnding = body.lineEnding ?? 'LF';
    if (lineEnding !== 'LF' && lineEnding !== 'CRLF') throw enumError('LineEndingEnum', lineEnding);
    const columnDelimiter = body.columnDelimiter ?? 'COMMA';
    if (typeof columnDelimiter !== 'string' || !Object.hasOwn(COLUMN_DELIMITERS, columnDelimiter)) throw enumError('ColumnDelimiterEnum', columnDelimiter);
    const contentType = body.contentType ?? 'CSV';
    if (contentType !== 'CSV') throw enumError('ContentType', contentType);
    return { lineEnding, columnDelimiter: columnDelimiter as ColumnDelimiter };
  }

  private async createIngest(call: RawCall): Promise<void> {
    const body = await this.readJson(call);
    const { lineEnding, columnDelimiter } = this.format(body);
    const operation = body.operation;
    if (operation === undefined) throw new BulkError(400, 'INVALIDJOB', 'InvalidJob : Operation is required');
    if (typeof operation !== 'string' || !(INGEST_OPERATIONS as readonly string[]).includes(operation)) throw enumError('OperationEnum', operation);
    const objectName = body.object;
    if (typeof objectName !== 'string' || objectName.trim() === '') throw new BulkError(400, 'INVALIDJOB', 'InvalidJob : Object is required');
    const describe = this.org.describe(objectName);
    if (describe === undefined) throw new BulkError(400, 'INVALIDJOB', `InvalidJob : Unable to find object: ${objectName}`);
    let externalIdFieldName: string | undefined;
    if (operation === 'upsert') {
      const raw = body.externalIdFieldName;
      if (typeof raw !== 'string' || raw.trim() === '') {
        throw new BulkError(400, 'INVALIDJOB', `InvalidJob : External ID was blank for ${describe.name}. An External ID must be specified for upsert.`);
      }
      const f = this.org.field(describe.name, raw);
      if (f === undefined || (f.type !== 'id' && f.externalId !== true && f.idLookup !== true)) {
        throw new BulkError(400, 'INVALIDJOB', `InvalidJob : Field name provided, ${raw} does not match an External ID, Salesforce Id, or indexed field for ${describe.name}`);
      }
      externalIdFieldName = f.name;
    }
    const now = this.now();
    const job: IngestJob = {
      kind: 'ingest',
      id: this.newId(),
      operation: operation as IngestOperation,
      object: describe.name,
      createdById: call.session.user.userId,
      createdDate: now,
      systemModstamp: now,
      state: 'Open',
      apiVersion: call.version,
      lineEnding,
      columnDelimiter,
      externalIdFieldName,
      assignmentRuleId: typeof body.assignmentRuleId === 'string' ? body.assignmentRuleId : undefined,
      errorMessage: undefined,
      totalProcessingTime: 0,
      numberRecordsProcessed: 0,
      numberRecordsFailed: 0,
      upload: undefined,
      uploading: false,
      rows: 0,
      outcomes: new Uint8Array(1024),
      ids: [],
      errors: new Map(),
      failAt: undefined,
    };
    this.jobs.set(job.id, job);
    this.sendJson(call, 200, createdJson(job));
  }

  private async createQuery(call: RawCall): Promise<void> {
    const body = await this.readJson(call);
    const { lineEnding, columnDelimiter } = this.format(body);
    const operation = body.operation ?? 'query';
    if (operation !== 'query' && operation !== 'queryAll') throw enumError('OperationEnum', operation);
    const soql = body.query;
    if (typeof soql !== 'string' || soql.trim() === '') throw new BulkError(400, 'INVALIDJOB', 'InvalidJob : Query is required');
    let bound: BoundQuery;
    try {
      bound = bindSoql(soql, this.org, this.now());
    } catch (error) {
      if (error instanceof SoqlError) throw new BulkError(400, error.errorCode, error.message);
      throw error;
    }
    const header: string[] = [];
    const types: string[] = [];
    const unsupported = (what: string): never => {
      throw new BulkError(400, 'API_ERROR', `Bulk API 2.0 does not support ${what} in a query job: ${soql}`);
    };
    if (bound.aggregate || bound.countOnly) unsupported('aggregate functions');
    if (bound.groupBy !== undefined) unsupported('GROUP BY');
    if (bound.offset !== undefined) unsupported('OFFSET');
    for (const col of bound.columns) {
      if (col.kind === 'typeof') unsupported('TYPEOF');
      if (col.kind === 'child') unsupported('parent-to-child relationship queries');
      if (col.kind === 'expr') unsupported('functions in SELECT');
      if (col.kind !== 'path') continue;
      const type = col.path.field.type;
      if (type === 'address' || type === 'location') unsupported(`compound fields (${col.path.field.name})`);
      header.push([...col.path.rels.map((r) => r.name), col.path.pseudoType ? 'Type' : col.path.field.name].join('.'));
      types.push(type);
    }
    const now = this.now();
    const job: QueryJob = {
      kind: 'query',
      id: this.newId(),
      operation,
      object: bound.object.name,
      query: soql,
      header,
      types,
      createdById: call.session.user.userId,
      createdDate: now,
      systemModstamp: now,
      state: 'UploadComplete',
      apiVersion: call.version,
      lineEnding,
      columnDelimiter,
      errorMessage: undefined,
      totalProcessingTime: 0,
      numberRecordsProcessed: 0,
      rows: undefined,
      failAt: call.fault?.failJob === undefined ? undefined : { rows: call.fault.failJob.afterRows, message: call.fault.failJob.message },
    };
    this.jobs.set(job.id, job);
    this.queryJobsCreated += 1;
    this.updateLimits();
    this.sendJson(call, 200, createdJson(job));
    void this.runQuery(job, bound).catch((error: unknown) => this.failUnexpected(job, error));
  }

  private list(call: RawCall, kind: 'ingest' | 'query'): void {
    // The documented filters. Every job here is a Bulk API 2.0 job: PK chunking (a Bulk API 1.0
    // option) is never enabled and the concurrency mode is always parallel.
    const jobType = call.query.get('jobType');
    const pkChunking = call.query.get('isPkChunkingEnabled');
    const mode = call.query.get('concurrencyMode');
    const none = pkChunking?.toLowerCase() === 'true' || (mode !== null && mode.toLowerCase() !== 'parallel');
    const all = none ? [] : [...this.jobs.values()].filter((j) => j.kind === kind && (jobType === null || jobType === (j.kind === 'ingest' ? 'V2Ingest' : 'V2Query')));
    const locator = call.query.get('queryLocator');
    const offset = locator === null ? 0 : decodeLocator(locator);
    if (offset === undefined || offset > all.length) throw new BulkError(400, 'INVALID_QUERY_LOCATOR', `invalid query locator: ${locator}`);
    const page = all.slice(offset, offset + this.settings.listPageSize);
    const end = offset + page.length;
    const done = end >= all.length;
    // The next page's URL keeps the filters, so that the locator's offset counts the same jobs.
    const filters = new URLSearchParams();
    for (const [name, value] of [['jobType', jobType], ['isPkChunkingEnabled', pkChunking], ['concurrencyMode', mode]] as const) if (value !== null) filters.set(name, value);
    filters.set('queryLocator', encodeLocator(end));
    const next = done ? 'null' : JSON.stringify(`/services/data/v${call.version}/jobs/${kind}?${filters.toString()}`);
    this.sendJson(call, 200, `{"done":${done},"records":[${page.map(listEntryJson).join(',')}],"nextRecordsUrl":${next}}`);
  }

  private touch(job: Job): void {
    job.systemModstamp = Math.max(this.now(), job.systemModstamp);
  }

  private async patch(call: RawCall, job: Job): Promise<void> {
    const body = await this.readJson(call);
    const state = body.state;
    if (!['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted'].includes(String(state))) throw enumError('JobStateEnum', state);
    const illegal = (): never => {
      throw new BulkError(400, 'INVALIDJOBSTATE', `InvalidJobState : Job ${job.id} is ${job.state}: its state can't be changed to ${String(state)}`);
    };
    if (state === 'Aborted') {
      if (FINISHED.has(job.state)) illegal();
      if (job.kind === 'ingest' && job.uploading) throw new BulkError(400, 'BULK_API_ERROR', `Job ${job.id} is receiving its data upload; abort it when the upload has ended`);
      job.state = 'Aborted';
      this.touch(job);
      return this.sendJson(call, 200, createdJson(job));
    }
    if (state !== 'UploadComplete' || job.kind !== 'ingest' || job.state !== 'Open') return illegal();
    if (job.uploading) throw new BulkError(400, 'BULK_API_ERROR', `Job ${job.id} is still receiving its data upload`);
    if (job.upload === undefined) {
      throw new BulkError(400, 'BULK_API_ERROR', `Job ${job.id} has no data: upload CSV with PUT ${job.id}/batches before closing it`);
    }
    job.state = 'UploadComplete';
    if (call.fault?.failJob !== undefined) job.failAt = { rows: call.fault.failJob.afterRows, message: call.fault.failJob.message };
    this.touch(job);
    this.sendJson(call, 200, createdJson(job));
    void this.runIngest(job).catch((error: unknown) => this.failUnexpected(job, error));
  }

  private remove(call: RawCall, job: Job): void {
    if (!DELETABLE.has(job.state) || (job.kind === 'query' && job.state === 'UploadComplete')) {
      throw new BulkError(400, 'INVALIDJOBSTATE', `InvalidJobState : Job ${job.id} is ${job.state}: only a job in UploadComplete, JobComplete, Aborted or Failed state can be deleted`);
    }
    this.jobs.delete(job.id);
    if (job.kind === 'ingest' && job.upload !== undefined) {
      try {
        unlinkSync(job.upload.file);
      } catch {
        // already gone
      }
    }
    this.sendJson(call, 204, undefined);
  }

  private failUnexpected(job: Job, error: unknown): void {
    if (this.closed || FINISHED.has(job.state)) return;
    job.state = 'Failed';
    job.errorMessage = `InternalServerError : ${error instanceof Error ? error.message : String(error)}`;
    this.touch(job);
  }

  private fail(job: Job, message: string): void {
    job.state = 'Failed';
    job.errorMessage = message;
    this.touch(job);
  }

  // ---- upload -------------------------------------------------------------------------------

  private async upload(call: RawCall, job: IngestJob): Promise<void> {
    const { req } = call;
    const socket = req.socket;
    const reject = (code: string, message: string): never => {
      req.resume();
      throw new BulkError(400, code, message);
    };
    if (job.upload !== undefined || job.uploading) {
      reject(
        'BULK_API_ERROR',
        `Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
      );
    }
    if (job.state !== 'Open') reject('INVALIDJOBSTATE', `InvalidJobState : Job ${job.id} is ${job.state}: data can be uploaded only to an Open job`);
    const type = String(req.headers['content-type'] ?? '');
    if (!/^text\/csv\b/i.test(type)) reject('INVALIDCONTENTTYPE', `Content-Type must be text/csv for job data, got '${type}'`);

    this.spoolDir ??= mkdtempSync(join(tmpdir(), 'sfgen-sim-bulk-'));
    // A fresh name per attempt: a retry may start while a reset attempt is still being cleaned up.
    const file = join(this.spoolDir, `${job.id}-${++this.uploads}.csv`);
    const out = createWriteStream(file);
    const scanner = new LineScanner(job.lineEnding);
    const limit = this.settings.maxUploadBase64Bytes;
    const resetAt = call.fault?.resetAfterBytes;
    let bytes = 0;
    let tooLarge = false;
    job.uploading = true;
    let released = false;
    /** Lets the job take another upload; only once, so a late cleanup cannot release a retry's hold. */
    const release = (): void => {
      if (released) return;
      released = true;
      job.uploading = false;
    };
    const discard = async (): Promise<void> => {
      out.destroy();
      await once(out, 'close').catch(() => undefined);
      try {
        unlinkSync(file);
      } catch {
        // not created
      }
    };
    try {
      const source = /gzip/i.test(String(req.headers['content-encoding'] ?? '')) ? req.pipe(createGunzip()) : req;
      for await (const chunk of source) {
        const b = chunk as Buffer;
        bytes += b.length;
        if (tooLarge) continue; // read to the end, keep nothing, then answer
        if (base64Size(bytes) > limit) {
          tooLarge = true;
          await discard();
          continue;
        }
        if (resetAt !== undefined && bytes >= resetAt) {
          // Injected fault: the connection resets part-way through the upload; nothing is kept.
          release();
          socket.destroy();
          await discard();
          return;
        }
        scanner.push(b);
        if (!out.write(b)) await once(out, 'drain');
      }
      if (!tooLarge) {
        out.end();
        await once(out, 'finish');
      }
    } catch (error) {
      release();
      await discard();
      if (socket.destroyed || call.res.destroyed) return; // the client went away: nothing kept
      throw error;
    } finally {
      release();
    }
    if (tooLarge) {
      throw new BulkError(400, 'BULK_API_ERROR', `Exceeded max size limit of ${limit} bytes of base64-encoded content: the upload to job ${job.id} is ${base64Size(bytes)} bytes`);
    }
    if (bytes === 0) {
      try {
        unlinkSync(file);
      } catch {
        // gone
      }
      throw new BulkError(400, 'BULK_API_ERROR', `The upload to job ${job.id} is empty: a CSV with a header row is expected`);
    }
    if (this.jobs.get(job.id) !== job || job.state !== 'Open') {
      // deleted or aborted while uploading
      return this.sendJson(call, 201, undefined);
    }
    job.upload = { file, bytes, lineEndingMismatch: scanner.firstMismatch, unterminatedQuote: scanner.unterminatedQuote };
    this.touch(job);
    this.sendJson(call, 201, undefined);
  }

  // ---- ingest processing --------------------------------------------------------------------

  /** Whether processing of `job` must stop (aborted, deleted, simulator closed). */
  private stopped(job: Job): boolean {
    return this.closed || job.state !== 'InProgress' || this.jobs.get(job.id) !== job;
  }

  /** Yields to the event loop after a slice of rows, sleeping to hold `rowsPerSecond`. */
  private async pace(done: number, startedAt: number): Promise<void> {
    const rps = this.settings.rowsPerSecond;
    if (rps === undefined) return tick();
    const wait = startedAt + (done / rps) * 1000 - Date.now();
    return wait > 1 ? sleep(wait) : tick();
  }

  private sliceSize(): number {
    const rps = this.settings.rowsPerSecond;
    return rps === undefined ? 2000 : Math.max(1, Math.min(2000, Math.round(rps / 50)));
  }

  private async runIngest(job: IngestJob): Promise<void> {
    await tick();
    if (this.closed || job.state !== 'UploadComplete' || this.jobs.get(job.id) !== job) return;
    job.state = 'InProgress';
    this.touch(job);
    const startedAt = Date.now();
    const upload = job.upload!;
    if (upload.lineEndingMismatch !== undefined) {
      return this.fail(job, `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${job.lineEnding}`);
    }
    if (upload.unterminatedQuote) return this.fail(job, 'ClientInputError : CSV data has a quoted value that is never closed');
    const describe = this.org.describe(job.object);
    if (describe === undefined) return this.fail(job, `InvalidBatch : Unable to find object: ${job.object}`);

    const reader = new CsvReader(COLUMN_DELIMITERS[job.columnDelimiter], job.lineEnding);
    const decoder = new StringDecoder('utf8');
    // 64 KB at a time: a chunk's parsed rows wait in `pending` until applied, and rows that wait
    // less die young (a 1 MB chunk's rows outlived a young-generation collection or two).
    const stream = createReadStream(upload.file, { highWaterMark: 1 << 16 });
    let applier: RowApplier | undefined;
    const pending: string[][] = [];
    let stop = false;

    const drain = async (): Promise<void> => {
      let i = 0;
      while (i < pending.length && !stop) {
        if (applier === undefined) {
          const header = pending[i++]!;
          try {
            applier = new RowApplier(this.org, describe, job.operation, header, job.externalIdFieldName, job.createdById);
          } catch (error) {
            if (error instanceof JobFailure) {
              this.fail(job, error.message);
              stop = true;
              return;
            }
            throw error;
          }
          continue;
        }
        const end = Math.min(pending.length, i + this.sliceSize());
        for (; i < end; i++) {
          const row = pending[i]!;
          if (isBlank(row)) continue;
          if (job.failAt !== undefined && job.numberRecordsProcessed >= job.failAt.rows) {
            this.fail(job, job.failAt.message);
            stop = true;
            return;
          }
          const r = job.rows++;
          if (r >= job.outcomes.length) {
            const grown = new Uint8Array(job.outcomes.length * 2);
            grown.set(job.outcomes);
            job.outcomes = grown;
          }
          const outcome = applier.apply(row);
          if (outcome.ok) {
            job.outcomes[r] = outcome.created ? CREATED : UPDATED;
            job.ids[r] = outcome.id;
          } else {
            job.outcomes[r] = FAILED;
            job.ids[r] = outcome.id;
            job.errors.set(r, outcome.error);
            job.numberRecordsFailed += 1;
          }
          job.numberRecordsProcessed += 1;
        }
        job.totalProcessingTime = Date.now() - startedAt;
        await this.pace(job.numberRecordsProcessed, startedAt);
        if (this.stopped(job)) stop = true;
      }
      pending.length = 0;
    };

    try {
      for await (const chunk of stream) {
        reader.push(decoder.write(chunk as Buffer), (row) => pending.push(row));
        await drain();
        if (stop) break;
      }
      if (!stop) {
        reader.push(decoder.end(), (row) => pending.push(row));
        reader.end((row) => pending.push(row));
        await drain();
      }
    } finally {
      stream.destroy();
    }
    if (this.closed || this.jobs.get(job.id) !== job) return;
    job.totalProcessingTime = Date.now() - startedAt;
    this.ingestBatches += Math.max(1, Math.ceil(job.numberRecordsProcessed / 10000));
    this.updateLimits();
    if (job.state === 'InProgress') {
      if (applier === undefined) return this.fail(job, 'InvalidBatch : The CSV data has no header row');
      if (job.failAt !== undefined) return this.fail(job, job.failAt.message);
      job.state = 'JobComplete';
      this.touch(job);
    }
  }

  // ---- ingest results -----------------------------------------------------------------------

  private async ingestResults(call: RawCall, job: IngestJob, which: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Promise<void> {
    if (!FINISHED.has(job.state)) {
      throw new BulkError(400, 'JOB_NOT_COMPLETE', `Job ${job.id} is ${job.state}: results are available when it is JobComplete, Failed or Aborted`);
    }
    const headers = { 'Sforce-Limit-Info': call.limitInfo, 'Content-Type': CSV_TYPE };
    const out = new CsvOut(call, headers);
    const upload = job.upload;
    if (upload === undefined) return out.end();
    const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
    const d = delimiter;
    // The uploaded bytes rewritten row by row (never decoded): each chosen row with its prefix.
    const select =
      which === 'successfulResults'
        ? (i: number): string | undefined => {
            const outcome = i < job.rows ? job.outcomes[i]! : UNPROCESSED;
            return outcome === CREATED || outcome === UPDATED ? `${quote(job.ids[i] ?? '')}${d}${outcome === CREATED ? '"true"' : '"false"'}${d}` : undefined;
          }
        : which === 'failedResults'
          ? (i: number): string | undefined => (i < job.rows && job.outcomes[i] === FAILED ? `${quote(job.ids[i] ?? '')}${d}${quote(job.errors.get(i) ?? '')}${d}` : undefined)
          : (i: number): string | undefined => (i < job.rows && job.outcomes[i] !== UNPROCESSED ? undefined : '');
    const headerPrefix = which === 'successfulResults' ? ['sf__Id', 'sf__Created'] : which === 'failedResults' ? ['sf__Id', 'sf__Error'] : [];
    const rewriter = new ResultRewriter(delimiter, job.lineEnding, headerPrefix.map((h) => quote(h) + d).join(''), select);
    const stream = createReadStream(upload.file, { highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream) await out.addBytes(rewriter.push(chunk as Buffer));
      await out.addBytes(rewriter.end());
    } finally {
      stream.destroy();
    }
    await out.end();
  }

  // ---- query jobs ---------------------------------------------------------------------------

  private async runQuery(job: QueryJob, bound: BoundQuery): Promise<void> {
    await tick();
    if (this.closed || job.state !== 'UploadComplete' || this.jobs.get(job.id) !== job) return;
    job.state = 'InProgress';
    this.touch(job);
    const startedAt = Date.now();
    const rows = await runBoundFlat(bound, this.org, { includeDeleted: job.operation === 'queryAll', apiVersion: job.apiVersion, now: this.now() }, tick);
    if (this.stopped(job)) return;
    // "Processing" at the configured rate: the rows are counted out slice by slice.
    const slice = this.settings.rowsPerSecond === undefined ? rows.size : this.sliceSize();
    while (job.numberRecordsProcessed < rows.size) {
      if (job.failAt !== undefined && job.numberRecordsProcessed >= job.failAt.rows) return this.fail(job, job.failAt.message);
      const limit = job.failAt === undefined ? rows.size : Math.min(rows.size, job.failAt.rows);
      job.numberRecordsProcessed = Math.min(limit, job.numberRecordsProcessed + slice);
      job.totalProcessingTime = Date.now() - startedAt;
      await this.pace(job.numberRecordsProcessed, startedAt);
      if (this.stopped(job)) return;
    }
    if (job.failAt !== undefined) return this.fail(job, job.failAt.message);
    job.rows = rows;
    job.totalProcessingTime = Date.now() - startedAt;
    job.state = 'JobComplete';
    this.touch(job);
  }

  private async queryResults(call: RawCall, job: QueryJob): Promise<void> {
    if (call.version !== job.apiVersion) {
      throw new BulkError(409, 'API_ERROR', `Job ${job.id} was created with API version ${job.apiVersion}: read its results with the same version (this request used ${call.version})`);
    }
    if (job.state !== 'JobComplete' || job.rows === undefined) {
      throw new BulkError(400, 'JOB_NOT_COMPLETE', `Job ${job.id} is ${job.state}: query results are available when it is JobComplete`);
    }
    const rows = job.rows;
    const maxText = call.query.get('maxRecords');
    let max = this.settings.queryPageSize;
    if (maxText !== null) {
      if (!/^\d+$/.test(maxText) || Number(maxText) < 1) throw new BulkError(400, 'INVALID_MAX_RECORDS', `maxRecords must be a positive integer, got '${maxText}'`);
      max = Number(maxText);
    }
    const locator = call.query.get('locator');
    const offset = locator === null || locator === '' ? 0 : decodeLocator(locator);
    if (offset === undefined || offset > rows.size) throw new BulkError(400, 'INVALID_QUERY_LOCATOR', `invalid query locator: ${locator}`);
    const end = Math.min(rows.size, offset + max);
    const next = end < rows.size ? encodeLocator(end) : 'null';
    const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
    const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const out = new CsvOut(call, {
      'Sforce-Limit-Info': call.limitInfo,
      'Content-Type': CSV_TYPE,
      'Sforce-Locator': next,
      'Sforce-NumberOfRecords': String(end - offset),
    });
    await out.add(csvLine(job.header, delimiter, eol));
    const types = job.types;
    let text = '';
    for (let i = offset; i < end; i++) {
      const values = rows.values(i);
      for (let c = 0; c < values.length; c++) {
        if (c > 0) text += delimiter;
        text += cell(values[c], types[c]!);
      }
      text += eol;
      if (text.length >= FLUSH_CHARS) {
        await out.add(text);
        text = '';
      }
    }
    await out.add(text);
    await out.end();
    this.queryBytes += out.bytes;
    this.updateLimits();
  }

  // ---- limits -------------------------------------------------------------------------------

  /** Writes the Bulk entries of `/limits` from what the simulator has served. */
  private updateLimits(): void {
    const entry = (name: string, used: number): void => {
      const current = this.limits[name] as { Max?: unknown } | undefined;
      const max = typeof current?.Max === 'number' ? current.Max : 0;
      this.limits[name] = { ...current, Max: max, Remaining: Math.max(0, max - used) };
    };
    entry('DailyBulkV2QueryJobs', this.queryJobsCreated);
    entry('DailyBulkApiBatches', this.ingestBatches);
    entry('DailyBulkV2QueryFileStorageMB', Math.ceil(this.queryBytes / (1024 * 1024)));
  }
}

/** One query result value: empty for null, quoted otherwise; datetimes with `Z`. */
function cell(value: unknown, type: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    if (type === 'datetime' && value.endsWith('+0000')) return quote(`${value.slice(0, -5)}Z`);
    return quote(value);
  }
  if (typeof value === 'boolean' || typeof value === 'number') return `"${String(value)}"`;
  return quote(JSON.stringify(value));
}
