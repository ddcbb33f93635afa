/**
 * Bulk API 2.0 query and queryAll: a job, then its result pages followed by `Sforce-Locator`,
 * streamed and converted by the field descriptors into rows shaped like the REST query's rows
 * (numbers, booleans, nulls; `Owner.Name` back into `{ Owner: { Name } }`). Constant memory: one
 * page is read at a time, in network-sized batches. Every page is checked against the row count
 * it announced and the whole result against the job's; a cut page is read again from its locator.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError } from '../../errors.js';
import type { FieldDescriptor, FieldType, SObjectDescriptor, SObjectType, TypedQuery } from '../../schema.js';
import { parseSoql } from '../../soql/parser.js';
import { csvLine } from './csv.js';
import { findField, fromCsvConverter, type FromCsv } from './convert.js';
import { csvDownload } from './download.js';
import { BulkJobError, BulkReconcileError, type BulkJobs, type PollOptions, type QueryJobInfo } from './jobs.js';

/**
 * A row of a Bulk query: the REST query's row type without the `attributes` keys (Bulk CSV carries
 * none); parent relationships stay nested objects, `null` when every selected field of the parent
 * is empty.
 */
export type BulkRow<R> = R extends null | undefined | string | number | boolean
  ? R
  : R extends readonly unknown[]
    ? R
    : { [K in keyof R as K extends 'attributes' ? never : K]: BulkRow<R[K]> };

/** Options of a Bulk query. */
export interface BulkQueryOptions extends Omit<PollOptions, 'onPoll'> {
  /**
   * Generated sObjects whose descriptors convert the values: the FROM object and the targets of
   * the parent relationships selected (`[Contact, Account, User]`). Without them values are text.
   */
  types?: readonly (SObjectType | SObjectDescriptor)[];
  /** Rows per results page (Salesforce's `maxRecords`). Default: Salesforce's choice. */
  maxRecordsPerPage?: number;
  /** Called as soon as the query job exists. */
  onJob?: (job: { readonly id: string; readonly operation: 'query' | 'queryAll' }) => void;
  /** Called with job info at every poll. */
  onPoll?: (info: QueryJobInfo) => void;
  /** Called after each page: rows so far. */
  onPage?: (progress: { readonly rows: number; readonly pages: number }) => void;
}

/** Field types of Salesforce's Name pseudo-object (polymorphic parents without TYPEOF). */
const NAME_OBJECT: Readonly<Record<string, FieldType>> = {
  Id: 'id', Name: 'string', Type: 'picklist', Alias: 'string', FirstName: 'string', LastName: 'string', Email: 'email', Phone: 'phone',
  Title: 'string', Username: 'string', IsActive: 'boolean', UserRoleId: 'reference', ProfileId: 'reference', RecordTypeId: 'reference',
  NameOrAlias: 'string', CommunityNickname: 'string', LastReferencedDate: 'datetime', LastViewedDate: 'datetime',
};

interface Column {
  /** Path of API names (canonical casing when known). */
  readonly path: readonly string[];
  readonly convert: FromCsv;
}

/** Resolves each CSV column (`Owner.Name`) to its path and converter. */
export function resolveColumns(header: readonly string[], from: string, descriptors: ReadonlyMap<string, SObjectDescriptor>, strict: boolean): Column[] {
  return header.map((column) => {
    const segments = column.split('.');
    const path: string[] = [];
    let object: SObjectDescriptor | undefined = descriptors.get(from.toLowerCase());
    let objectName = from;
    let polymorphic = false;
    let type: FieldType | undefined;
    for (let k = 0; k < segments.length; k++) {
      const segment = segments[k] as string;
      const last = k === segments.length - 1;
      if (polymorphic) {
        const kind = Object.keys(NAME_OBJECT).find((n) => n.toLowerCase() === segment.toLowerCase());
        path.push(kind ?? segment);
        if (last) type = kind === undefined ? undefined : NAME_OBJECT[kind];
        continue;
      }
      if (object === undefined) {
        if (strict) throw new UsageError({ message: `bulk query: column ${column}: pass the generated ${objectName} in options.types to convert its values` });
        path.push(segment);
        continue;
      }
      if (last) {
        const found = findField(object.fields, segment);
        if (found === undefined) throw new UsageError({ message: `bulk query: column ${column}: ${object.name} has no field ${segment}` });
        path.push(found.name);
        type = found.field.type;
        continue;
      }
      const relationship = Object.keys(object.parents).find((r) => r.toLowerCase() === segment.toLowerCase());
      if (relationship === undefined) throw new UsageError({ message: `bulk query: column ${column}: ${object.name} has no parent relationship ${segment}` });
      path.push(relationship);
      const targets = (object.parents[relationship] as { referenceTo: readonly string[] }).referenceTo;
      if (targets.length !== 1) {
        polymorphic = true;
        object = undefined;
        continue;
      }
      objectName = targets[0] as string;
      object = descriptors.get(objectName.toLowerCase());
    }
    return { path, convert: fromCsvConverter(type) };
  });
}

/** Builds row objects for a header: flat fields set directly, parents nested (null when all empty). */
export function rowFactory(columns: readonly Column[]): (values: readonly string[]) => Record<string, unknown> {
  const flat = columns.every((c) => c.path.length === 1);
  const names = columns.map((c) => c.path[0] as string);
  const converters = columns.map((c) => c.convert);
  if (flat) {
    const n = columns.length;
    return (values) => {
      const row: Record<string, unknown> = {};
      for (let k = 0; k < n; k++) row[names[k] as string] = (converters[k] as FromCsv)(values[k] ?? '');
      return row;
    };
  }
  return (values) => {
    const row: Record<string, unknown> = {};
    const parents: Record<string, unknown>[] = [];
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k] as Column;
      let target = row;
      for (let s = 0; s < column.path.length - 1; s++) {
        const key = column.path[s] as string;
        let next = target[key] as Record<string, unknown> | undefined;
        if (next === undefined) {
          next = {};
          target[key] = next;
          parents.push(next);
        }
        target = next;
      }
      target[column.path[column.path.length - 1] as string] = column.convert(values[k] ?? '');
    }
    // A parent whose selected fields are all empty is an empty lookup: null, as REST sends it.
    for (let p = parents.length - 1; p >= 0; p--) nullEmptyParents(row);
    return row;
  };
}

function nullEmptyParents(object: Record<string, unknown>): boolean {
  let allNull = true;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value !== null && typeof value === 'object') {
      if (nullEmptyParents(value as Record<string, unknown>)) object[key] = null;
      else allNull = false;
    } else if (value !== null) {
      allNull = false;
    }
  }
  return allNull;
}

function descriptorMap(types: readonly (SObjectType | SObjectDescriptor)[] | undefined): Map<string, SObjectDescriptor> {
  const map = new Map<string, SObjectDescriptor>();
  for (const t of types ?? []) {
    const d = 'descriptor' in t ? t.descriptor : t;
    map.set(d.name.toLowerCase(), d);
  }
  return map;
}

/**
 * The rows of a Bulk query job: iterate with `for await`, or write them out with `toCsv` /
 * `toNdjson`. The job is created at the first read.
 *
 * @example
 * ```ts
 * const q = selectFrom(Contact).select('Id', 'LastName', 'Account.Name');
 * for await (const row of bulk(client).query(q, { types: [Contact, Account] })) console.log(row.Account?.Name);
 * ```
 */
export class BulkQueryStream<R> implements AsyncIterable<R> {
  readonly soql: string;
  readonly #jobs: BulkJobs;
  readonly #operation: 'query' | 'queryAll';
  readonly #options: BulkQueryOptions;
  readonly #from: string;
  readonly #descriptors: Map<string, SObjectDescriptor>;
  #jobId: string | undefined;
  #started = false;
  #rows = 0;

  /** @internal use `bulk(client).query()` */
  constructor(jobs: BulkJobs, query: string | TypedQuery<unknown>, operation: 'query' | 'queryAll', options: BulkQueryOptions = {}, jobId?: string) {
    const soql = typeof query === 'string' ? query : query.toSoql();
    if (soql.trim() === '' && jobId === undefined) throw new UsageError({ message: 'bulk query: the SOQL text is empty' });
    const size = options.maxRecordsPerPage;
    if (size !== undefined && (!Number.isInteger(size) || size < 1)) throw new UsageError({ message: `bulk query: maxRecordsPerPage must be a positive integer, got ${String(size)}` });
    this.soql = soql;
    this.#jobs = jobs;
    this.#operation = operation;
    this.#options = options;
    this.#descriptors = descriptorMap(options.types);
    this.#from = soql.trim() === '' ? '' : parseSoql(soql).from.object;
    this.#jobId = jobId;
    if (this.#descriptors.size > 0 && !this.#descriptors.has(this.#from.toLowerCase())) {
      throw new UsageError({ message: `bulk query: options.types has no descriptor of ${this.#from}, the object queried` });
    }
  }

  /** The job id, once the job exists. */
  get jobId(): string | undefined {
    return this.#jobId;
  }

  /** Rows read so far. */
  get rows(): number {
    return this.#rows;
  }

  async #start(): Promise<{ id: string; info: QueryJobInfo }> {
    if (this.#started) throw new UsageError({ message: 'bulk query: a stream can be read once; call query() again' });
    this.#started = true;
    const o = this.#options;
    if (this.#jobId === undefined) {
      const created = await this.#jobs.createQueryJob(this.soql, this.#operation, o.signal);
      this.#jobId = created.id;
      o.onJob?.({ id: created.id, operation: this.#operation });
    }
    const id = this.#jobId;
    const poll: PollOptions = {};
    if (o.initialIntervalMs !== undefined) poll.initialIntervalMs = o.initialIntervalMs;
    if (o.maxIntervalMs !== undefined) poll.maxIntervalMs = o.maxIntervalMs;
    if (o.timeoutMs !== undefined) poll.timeoutMs = o.timeoutMs;
    if (o.maxPollFailures !== undefined) poll.maxPollFailures = o.maxPollFailures;
    if (o.signal !== undefined) poll.signal = o.signal;
    if (o.onPoll !== undefined) poll.onPoll = o.onPoll as (info: unknown) => void;
    let info: QueryJobInfo;
    try {
      info = (await this.#jobs.wait('query', id, poll)) as QueryJobInfo;
    } catch (error) {
      if (o.signal?.aborted) await this.#jobs.setState('query', id, 'Aborted').catch(() => undefined);
      throw error;
    }
    if (info.state !== 'JobComplete') {
      throw new BulkJobError({ message: `Bulk query job ${id} ended ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''} (the job is kept on the org)`, jobId: id, state: info.state });
    }
    return { id, info };
  }

  /** Raw row batches, page after page (each with the CSV header). */
  async *batches(): AsyncGenerator<{ header: readonly string[]; rows: string[][] }, void, undefined> {
    const { id, info } = await this.#start();
    const o = this.#options;
    let locator: string | undefined;
    let pages = 0;
    for (;;) {
      let path = `jobs/query/${id}/results`;
      const params: string[] = [];
      if (locator !== undefined) params.push(`locator=${encodeURIComponent(locator)}`);
      if (o.maxRecordsPerPage !== undefined) params.push(`maxRecords=${o.maxRecordsPerPage}`);
      if (params.length > 0) path += `?${params.join('&')}`;
      let next: string | undefined;
      const downloadOptions = {
        jobId: id, path, signal: o.signal,
        onHeaders: (headers: Readonly<Record<string, string>>) => {
          const value = headers['sforce-locator'];
          next = value === undefined || value === '' || value === 'null' ? undefined : value;
        },
      };
      for await (const batch of csvDownload(() => this.#jobs.download(path, `bulk.${this.#operation}.results`, o.signal), downloadOptions)) {
        this.#rows += batch.rows.length;
        yield batch;
      }
      pages++;
      o.onPage?.({ rows: this.#rows, pages });
      if (next === undefined) break;
      if (next === locator) throw new BulkJobError({ message: `Bulk query job ${id}: the server returned the same locator twice (${next})`, jobId: id });
      locator = next;
    }
    const expected = info.numberRecordsProcessed;
    if (typeof expected === 'number' && expected !== this.#rows) {
      throw new BulkReconcileError({ message: `Bulk query job ${id}: the job reported ${expected} rows but its pages held ${this.#rows}`, jobId: id, expected, actual: this.#rows });
    }
  }

  /**
   * Iterates rows. Hand-written (not an async generator per row) so a row of a batch already in
   * memory costs one resolved promise: this is the hot loop of large queries.
   */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    const batches = this.batches();
    let make: ((values: readonly string[]) => Record<string, unknown>) | undefined;
    let header: readonly string[] | undefined;
    let rows: string[][] = [];
    let index = 0;
    let finished = false;
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
    const pull = async (): Promise<IteratorResult<R>> => {
      for (;;) {
        const next = await batches.next();
        if (next.done) {
          finished = true;
          return done;
        }
        if (next.value.header !== header) {
          header = next.value.header;
          make = rowFactory(resolveColumns(header, this.#from, this.#descriptors, this.#descriptors.size > 0));
        }
        rows = next.value.rows;
        index = 0;
        if (rows.length > 0) return { value: (make as (v: readonly string[]) => Record<string, unknown>)(rows[index++] as string[]) as R, done: false };
      }
    };
    return {
      next(): Promise<IteratorResult<R>> {
        if (index < rows.length) return Promise.resolve({ value: (make as (v: readonly string[]) => Record<string, unknown>)(rows[index++] as string[]) as R, done: false });
        if (finished) return Promise.resolve(done);
        return pull();
      },
      async return(): Promise<IteratorResult<R>> {
        finished = true;
        rows = [];
        await batches.return(undefined);
        return done;
      },
    };
  }

  /** Writes every row as CSV (one header row) to a file path or a writable stream; returns the row count. */
  async toCsv(destination: string | Writable): Promise<number> {
    return this.#write(destination, (header, out) => (out.length === 0 ? `${csvLine(header)}\n` : ''), (row) => `${csvLine(row)}\n`);
  }

  /** Writes every row as one JSON object per line (values converted by the descriptors); returns the row count. */
  async toNdjson(destination: string | Writable): Promise<number> {
    let make: ((values: readonly string[]) => Record<string, unknown>) | undefined;
    let current: readonly string[] | undefined;
    return this.#write(destination, (header) => {
      if (header !== current) {
        current = header;
        make = rowFactory(resolveColumns(header, this.#from, this.#descriptors, this.#descriptors.size > 0));
      }
      return '';
    }, (row) => `${JSON.stringify((make as (values: readonly string[]) => Record<string, unknown>)(row))}\n`);
  }

  async #write(destination: string | Writable, head: (header: readonly string[], written: string) => string, line: (row: readonly string[]) => string): Promise<number> {
    const out = typeof destination === 'string' ? createWriteStream(destination) : destination;
    let written = '';
    let count = 0;
    try {
      for await (const batch of this.batches()) {
        let text = head(batch.header, written);
        written ||= text;
        for (const row of batch.rows) text += line(row);
        count += batch.rows.length;
        if (text !== '' && !out.write(text)) await once(out, 'drain');
      }
      if (written === '' && typeof destination === 'string') written = '';
    } finally {
      if (typeof destination === 'string') await new Promise<void>((resolve) => out.end(resolve));
    }
    return count;
  }
}

export type { FieldDescriptor };
