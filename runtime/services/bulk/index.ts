/**
 * `sfgen/bulk`: Bulk API 2.0 on a client made by `createClient` — typed ingest (insert, update,
 * upsert, delete, hardDelete) from records or CSV, typed query and queryAll, raw CSV export, job
 * re-attachment, Bulk limits. A REST-only application never loads this module or its CSV code.
 *
 * @example
 * ```ts
 * import { createClient } from 'sfgen/runtime';
 * import { bulk } from 'sfgen/bulk';
 * import { Contact } from './generated/sobjects/Contact.js';
 *
 * const client = createClient({ auth });
 * const summary = await bulk(client).insert(Contact, [{ LastName: 'Ada' }, { LastName: 'Grace' }]).done();
 * for await (const row of bulk(client).query(selectFrom(Contact).select('Id', 'LastName'), { types: [Contact] })) console.log(row.LastName);
 * ```
 */
import type { SalesforceClient } from '../../client.js';
import { ConfigError, UsageError } from '../../errors.js';
import type { CreateOf, LimitEntry, MetaOf, SObjectDescriptor, SObjectType, TypedQuery, UpdateOf } from '../../index.js';
import { contextOf } from '../context.js';
import { assertApiName, type RestContext } from '../rest.js';
import { getLimits } from '../limits.js';
import { COLUMN_DELIMITERS } from './csv.js';
import { csvRows, type CsvCheckOptions, type CsvInput } from './csv-source.js';
import { IngestRun, JobResults, recordRows, reconcile, type IngestJobSummary, type IngestOptions, type IngestResult, type IngestTarget, type ResultKind } from './ingest.js';
import { BulkJobs, assertJobId, type IngestJobInfo, type IngestOperation, type PollOptions, type QueryJobInfo } from './jobs.js';
import { BulkQueryStream, type BulkQueryOptions, type BulkRow } from './query.js';

export { CsvReader, CsvSyntaxError, parseCsv, quoteCsv, csvLine, COLUMN_DELIMITERS } from './csv.js';
export type { ColumnDelimiter } from './csv.js';
export { CSV_NULL, toCsvValue, fromCsvConverter } from './convert.js';
export { BulkInputError, checkCsv, checkHeader } from './csv-source.js';
export type { CsvInput, CsvCheckOptions } from './csv-source.js';
export { IngestRun, JobResults, parseRowError, DEFAULT_MAX_BYTES_PER_JOB, MAX_BYTES_PER_JOB, MAX_ROW_CHARACTERS } from './ingest.js';
export type { BulkJobRef, IngestJobSummary, IngestOptions, IngestResult, IngestSummary, ResultKind, RowError } from './ingest.js';
export { BulkJobError, BulkReconcileError, BulkTimeoutError, DEFAULT_POLL } from './jobs.js';
export type { IngestJobInfo, IngestOperation, JobState, LineEnding, PollOptions, QueryJobInfo } from './jobs.js';
export { BulkQueryStream } from './query.js';
export type { BulkQueryOptions, BulkRow } from './query.js';

/** Bulk API limits from `/limits` (entries whose name mentions Bulk), like `client.limits()`. */
export type BulkLimits = Readonly<Record<string, LimitEntry>>;

/** An upsert input: a create payload that carries its external id. */
export type UpsertInput<T, E extends string> = CreateOf<T> & { readonly [K in E]: string | number };
/** An update input: an update payload with the record's Id. */
export type UpdateInput<T> = UpdateOf<T> & { readonly Id: string };
/** A delete input: a record id, or an object with `Id`. */
export type DeleteInput = string | { readonly Id: string };

/** Records for an ingest: an array (or any iterable) or an async iterable. */
export type RecordSource<R> = Iterable<R> | AsyncIterable<R>;

/** A job started elsewhere (another process, an earlier run), re-attached by id. */
export class IngestJobHandle<In = Record<string, unknown>> {
  readonly id: string;
  readonly #jobs: BulkJobs;
  readonly #descriptor: SObjectDescriptor | undefined;

  /** @internal use `bulk(client).ingestJob(id)` */
  constructor(jobs: BulkJobs, id: string, descriptor: SObjectDescriptor | undefined) {
    assertJobId(id);
    this.id = id;
    this.#jobs = jobs;
    this.#descriptor = descriptor;
  }

  /** The job info now. */
  info(options: { signal?: AbortSignal } = {}): Promise<IngestJobInfo> {
    return this.#jobs.info('ingest', this.id, options.signal);
  }

  /** Waits until the job is JobComplete, Failed or Aborted (backoff, no fixed timeout unless given). */
  async wait(options: PollOptions = {}): Promise<IngestJobInfo> {
    return (await this.#jobs.wait('ingest', this.id, options)) as IngestJobInfo;
  }

  /** Aborts the job (never deletes it or its results). */
  async abort(options: { signal?: AbortSignal } = {}): Promise<IngestJobInfo> {
    return this.#jobs.setState('ingest', this.id, 'Aborted', options.signal);
  }

  /**
   * Every row's result of a finished job, typed by the descriptor given to `ingestJob` (text
   * otherwise); checked at the end against the job info's counts.
   */
  async *results(options: { signal?: AbortSignal } = {}): AsyncGenerator<IngestResult<In>, IngestJobSummary, undefined> {
    const info = await this.info(options);
    const reader = new JobResults<In>(this.#jobs, this.id, this.#descriptor, options.signal);
    yield* reader.all();
    const summary: IngestJobSummary = {
      id: this.id, object: info.object, operation: info.operation, state: info.state, rows: undefined, ...reader.counts,
      ...(info.errorMessage !== undefined && { errorMessage: info.errorMessage }),
    };
    reconcile(summary, info);
    if (typeof info.numberRecordsFailed === 'number' && info.state === 'JobComplete' && info.numberRecordsFailed !== summary.failed) {
      const { BulkReconcileError } = await import('./jobs.js');
      throw new BulkReconcileError({ message: `Bulk job ${this.id}: the job reported ${info.numberRecordsFailed} failed rows but its failed results hold ${summary.failed}`, jobId: this.id, expected: info.numberRecordsFailed, actual: summary.failed });
    }
    return summary;
  }

  /** One result file as raw CSV row batches (the header in each batch). */
  raw(kind: ResultKind, options: { signal?: AbortSignal } = {}): AsyncGenerator<{ header: readonly string[]; rows: string[][] }> {
    return new JobResults<In>(this.#jobs, this.id, this.#descriptor, options.signal).raw(kind);
  }
}

/** The Bulk API 2.0 surface of one client. */
export interface BulkApi {
  /** Inserts typed records (create payloads). */
  insert<T extends SObjectType>(type: T, records: RecordSource<CreateOf<T>>, options?: IngestOptions): IngestRun<CreateOf<T>>;
  /** Updates typed records by Id. */
  update<T extends SObjectType>(type: T, records: RecordSource<UpdateInput<T>>, options?: IngestOptions): IngestRun<UpdateInput<T>>;
  /** Upserts typed records by an external id field. */
  upsert<T extends SObjectType, E extends MetaOf<T>['externalIds'] & string>(type: T, externalIdField: E, records: RecordSource<UpsertInput<T, E>>, options?: IngestOptions): IngestRun<UpsertInput<T, E>>;
  /** Deletes records by id (to the recycle bin). */
  delete<T extends SObjectType>(type: T, records: RecordSource<DeleteInput>, options?: IngestOptions): IngestRun<{ Id: string }>;
  /** Deletes records by id for good (needs the "Bulk API Hard Delete" permission). */
  hardDelete<T extends SObjectType>(type: T, records: RecordSource<DeleteInput>, options?: IngestOptions): IngestRun<{ Id: string }>;
  /**
   * Ingests CSV (a file, a stream or text) as it is, checked row by row: the object is named by
   * its API name, or by a generated sObject (then header fields are checked against it and results
   * are typed). No describe call is made.
   */
  importCsv(
    object: string | SObjectType,
    operation: IngestOperation,
    input: CsvInput,
    options?: IngestOptions & { externalIdFieldName?: string; fields?: readonly string[] },
  ): IngestRun<Record<string, unknown>>;
  /** A Bulk query: rows typed like the REST query's rows (without `attributes`). */
  query<R>(query: TypedQuery<R>, options?: BulkQueryOptions): BulkQueryStream<BulkRow<R>>;
  query(query: string, options?: BulkQueryOptions): BulkQueryStream<Record<string, unknown>>;
  /** Like `query`, including deleted and archived rows. */
  queryAll<R>(query: TypedQuery<R>, options?: BulkQueryOptions): BulkQueryStream<BulkRow<R>>;
  queryAll(query: string, options?: BulkQueryOptions): BulkQueryStream<Record<string, unknown>>;
  /** Re-attaches an ingest job by id (e.g. after a restart): wait for it, read its results. */
  ingestJob<T extends SObjectType>(id: string, type?: T): IngestJobHandle<Record<string, unknown>>;
  /** Re-attaches a query job by id: its rows (the job must have been created with this API version). */
  queryJob(id: string, options?: BulkQueryOptions & { soql?: string }): BulkQueryStream<Record<string, unknown>>;
  /** Job info of an ingest or query job. */
  jobInfo(id: string, kind?: 'ingest' | 'query', options?: { signal?: AbortSignal }): Promise<IngestJobInfo | QueryJobInfo>;
  /** Bulk API limits from `/limits`: `DailyBulkV2QueryJobs`, `DailyBulkV2QueryFileStorageMB`, `DailyBulkApiBatches`, ... */
  limits(options?: { signal?: AbortSignal }): Promise<BulkLimits>;
}

function contextFor(client: SalesforceClient): RestContext {
  const context = contextOf(client);
  if (context === undefined) throw new ConfigError({ message: 'bulk(client): pass a client made by createClient()' });
  return context;
}

function targetOf(type: SObjectType, operation: IngestOperation, externalIdFieldName?: string): IngestTarget {
  assertApiName(type.name, `bulk ${operation}`);
  return { object: type.name, operation, externalIdFieldName, descriptor: type.descriptor };
}

/**
 * The Bulk API 2.0 surface of a client.
 *
 * @example
 * ```ts
 * const run = bulk(client).upsert(Account, 'External_Id__c', accounts, { onJob: (job) => save(job.id) });
 * const { succeeded, failed } = await run.done();
 * ```
 */
export function bulk(client: SalesforceClient): BulkApi {
  const jobs = new BulkJobs(contextFor(client));
  const ingest = (type: SObjectType, operation: IngestOperation, records: RecordSource<object>, options: IngestOptions = {}, ext?: string): IngestRun<never> => {
    const target = targetOf(type, operation, ext);
    const source = recordRows(target, records as Iterable<object>, {
      columns: options.columns, delimiter: COLUMN_DELIMITERS[options.columnDelimiter ?? 'COMMA'], lineEnding: options.lineEnding ?? 'LF',
    });
    return new IngestRun<never>(jobs, target, source, options);
  };
  const query = (q: string | TypedQuery<unknown>, options: BulkQueryOptions | undefined, operation: 'query' | 'queryAll'): BulkQueryStream<never> =>
    new BulkQueryStream<never>(jobs, q, operation, options);
  const api: BulkApi = {
    insert: (type, records, options) => ingest(type, 'insert', records as RecordSource<object>, options),
    update: (type, records, options) => ingest(type, 'update', records as RecordSource<object>, options),
    upsert: (type, externalIdField, records, options) => {
      assertApiName(externalIdField, `bulk upsert of ${type.name}: external id field`);
      return ingest(type, 'upsert', records as RecordSource<object>, options, externalIdField);
    },
    delete: (type, records, options) => ingest(type, 'delete', records as RecordSource<object>, options),
    hardDelete: (type, records, options) => ingest(type, 'hardDelete', records as RecordSource<object>, options),
    importCsv(object, operation, input, options = {}) {
      const typed = typeof object === 'string' ? undefined : object;
      const name = typeof object === 'string' ? object : object.name;
      assertApiName(name, 'bulk importCsv');
      if (operation === 'upsert' && options.externalIdFieldName === undefined) throw new UsageError({ message: `bulk upsert of ${name}: externalIdFieldName is required` });
      const target: IngestTarget = { object: name, operation, externalIdFieldName: options.externalIdFieldName, descriptor: typed?.descriptor };
      const check: CsvCheckOptions = { fields: options.fields, lineEnding: options.lineEnding, delimiter: COLUMN_DELIMITERS[options.columnDelimiter ?? 'COMMA'] };
      return new IngestRun<Record<string, unknown>>(jobs, target, csvRows(input, target, check), options);
    },
    query: ((q: string | TypedQuery<unknown>, options?: BulkQueryOptions) => query(q, options, 'query')) as BulkApi['query'],
    queryAll: ((q: string | TypedQuery<unknown>, options?: BulkQueryOptions) => query(q, options, 'queryAll')) as BulkApi['queryAll'],
    ingestJob: (id, type) => new IngestJobHandle(jobs, id, type?.descriptor),
    queryJob(id, options = {}) {
      assertJobId(id);
      return new BulkQueryStream<Record<string, unknown>>(jobs, options.soql ?? '', 'query', options, id);
    },
    jobInfo(id, kind = 'ingest', options = {}) {
      assertJobId(id);
      return kind === 'ingest' ? jobs.info('ingest', id, options.signal) : jobs.info('query', id, options.signal);
    },
    async limits(options = {}) {
      const all = await getLimits(jobs.context, options.signal);
      const out: Record<string, LimitEntry> = {};
      for (const [key, value] of Object.entries(all)) if (/bulk/i.test(key)) out[key] = value;
      return out;
    },
  };
  return api;
}
