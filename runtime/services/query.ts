/**
 * SOQL queries as async iterators over every page. There is no silent cap: iteration follows
 * `nextRecordsUrl` until `done`, unless the caller sets `maxRecords` (then `truncated` tells whether
 * rows were left). The next page is requested while the current one is consumed (one page ahead).
 * Child subquery envelopes that Salesforce paged (`done: false` with their own `nextRecordsUrl`)
 * are completed before their parent record is handed over.
 */
import { ProtocolError, UsageError, safePath } from '../errors.js';
import type { RecordAttributes, TypedQuery } from '../schema.js';
import type { SfResponse } from '../transport/types.js';
import { apiPath, isObject, parseJson, type RestContext } from './rest.js';

/** A record of an untyped query. */
export interface SObjectRecord {
  readonly attributes: RecordAttributes;
  readonly [field: string]: unknown;
}

/** One page of a query, as Salesforce returns it. */
export interface QueryPage<R> {
  readonly totalSize: number;
  readonly done: boolean;
  readonly nextRecordsUrl?: string;
  readonly records: R[];
}

/** Options of `client.query()`. */
export interface QueryOptions {
  /** Stop after this many records (the stream then reports `truncated`). Default: every record. */
  maxRecords?: number;
  /** Include deleted and archived rows (`/queryAll`). */
  includeDeleted?: boolean;
  /** Ask Salesforce for pages of this size (200 to 2,000; a hint: pages may be smaller). */
  batchSize?: number;
  /**
   * Follow the `nextRecordsUrl` of child subquery envelopes (`done: false`, sent when a parent has
   * more children than fit inline) so every child row is in the record before it is handed over.
   * Default true. With `false`, envelopes stay as Salesforce sent them (`done: false` and their
   * `nextRecordsUrl` kept, never dropped) for the caller to follow.
   */
  childPages?: boolean;
  signal?: AbortSignal;
}

function soqlOf(query: string | TypedQuery<unknown>): string {
  const text = typeof query === 'string' ? query : query.toSoql();
  if (typeof text !== 'string' || text.trim().length === 0) throw new UsageError({ message: 'query: the SOQL text is empty' });
  return text;
}

/** The most records Salesforce puts in one query page (`batchSize` 200 to 2,000). */
const MAX_PAGE_RECORDS = 2000;

/**
 * The `nextRecordsUrl` of a query page read from the head of its raw JSON, where Salesforce puts
 * it (`{"totalSize":N,"done":false,"nextRecordsUrl":"/services/data/...","records":[...`), or
 * undefined when the head does not have exactly that shape. Used only to send the next request
 * early; the parsed page is still checked against it.
 */
export function sniffNextRecordsUrl(body: Buffer): string | undefined {
  const head = body.toString('latin1', 0, Math.min(body.length, 400));
  const m = /^\{"totalSize":\d+,"done":false,"nextRecordsUrl":"(\/services\/data\/v\d+\.\d\/query(?:All)?\/[A-Za-z0-9-]+)","records":\[/.exec(head);
  return m?.[1];
}

/** Resolves after pending microtasks and I/O callbacks ran (a request just dispatched is written). */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function checkPage(data: unknown, method: string, path: string): QueryPage<unknown> {
  if (!isObject(data) || typeof data.done !== 'boolean' || !Array.isArray(data.records) || typeof data.totalSize !== 'number') {
    throw new ProtocolError({ message: 'expected a query result {totalSize, done, records}', request: { method, path: safePath(path) } });
  }
  if (!data.done && typeof data.nextRecordsUrl !== 'string') {
    throw new ProtocolError({ message: 'query result has done: false but no nextRecordsUrl', request: { method, path: safePath(path) } });
  }
  return data as unknown as QueryPage<unknown>;
}

/**
 * The result of `client.query()`: iterate it with `for await`, or collect with `toArray()`.
 *
 * @example
 * ```ts
 * for await (const row of client.query(soql`SELECT Id, Name FROM Account`)) console.log(row.Name);
 * const first100 = await client.query('SELECT Id FROM Contact', { maxRecords: 100 }).toArray();
 * ```
 */
export class QueryStream<R> implements AsyncIterable<R> {
  readonly soql: string;
  readonly #context: RestContext;
  readonly #options: QueryOptions;
  readonly #children: boolean;
  #started = false;
  #totalSize: number | undefined;
  #truncated = false;
  #yielded = 0;

  constructor(context: RestContext, query: string | TypedQuery<R>, options: QueryOptions = {}) {
    if (options.maxRecords !== undefined && (!Number.isInteger(options.maxRecords) || options.maxRecords < 0)) {
      throw new UsageError({ message: `query: maxRecords must be a non-negative integer, got ${String(options.maxRecords)}` });
    }
    if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 200 || options.batchSize > 2000)) {
      throw new UsageError({ message: `query: batchSize must be an integer from 200 to 2000, got ${String(options.batchSize)}` });
    }
    this.soql = soqlOf(query as string | TypedQuery<unknown>);
    this.#context = context;
    this.#options = options;
    // Only a parenthesized SELECT can produce child envelopes: plain queries skip the scan.
    this.#children = options.childPages !== false && /\(\s*select\b/i.test(this.soql);
  }

  /** `totalSize` reported by Salesforce, known after the first page. */
  get totalSize(): number | undefined {
    return this.#totalSize;
  }

  /** True when `maxRecords` stopped iteration before every row was read. */
  get truncated(): boolean {
    return this.#truncated;
  }

  /** Records yielded so far. */
  get yielded(): number {
    return this.#yielded;
  }

  /** Sends the GET of one page (not parsed yet). */
  #request(path: string): Promise<SfResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#options.batchSize !== undefined) headers['sforce-query-options'] = `batchSize=${this.#options.batchSize}`;
    return this.#context.dispatch({
      method: 'GET', url: apiPath(this.#context, path), headers, idempotent: true,
      operation: this.#options.includeDeleted ? 'queryAll' : 'query', signal: this.#options.signal,
    });
  }

  #parse(response: SfResponse, path: string): QueryPage<unknown> {
    return checkPage(parseJson(response, 'GET'), 'GET', apiPath(this.#context, path));
  }

  #fetch(path: string): Promise<QueryPage<unknown>> {
    return this.#request(path).then((response) => this.#parse(response, path));
  }

  /**
   * Completes every paged child envelope of these records in place: follows its `nextRecordsUrl`
   * until `done`, then does the same for nested subqueries (up to Salesforce's 5 levels).
   */
  async #completeChildren(records: readonly unknown[], depth: number): Promise<void> {
    if (depth > 5) return;
    for (const record of records) {
      if (!isObject(record)) continue;
      for (const key in record) {
        const value = record[key];
        if (!isObject(value) || !Array.isArray(value.records) || typeof value.done !== 'boolean') continue;
        const children = value.records as unknown[];
        let next = value.done ? undefined : value.nextRecordsUrl;
        if (next !== undefined && typeof next !== 'string') {
          throw new ProtocolError({ message: `child subquery ${key} has done: false but no nextRecordsUrl`, request: { method: 'GET', path: safePath(apiPath(this.#context, `query?q=${this.soql}`)) } });
        }
        while (typeof next === 'string') {
          const url: string = next;
          const page = await this.#fetch(url);
          if (page.records.length === 0 && !page.done) {
            throw new ProtocolError({ message: `child subquery ${key}: an empty page with done: false`, request: { method: 'GET', path: safePath(apiPath(this.#context, url)) } });
          }
          for (const child of page.records) children.push(child);
          next = page.done ? undefined : page.nextRecordsUrl;
        }
        if (!value.done) {
          value.done = true;
          delete value.nextRecordsUrl;
        }
        await this.#completeChildren(children, depth + 1);
      }
    }
  }

  /** Iterates pages (each page's records array as Salesforce sent it, truncated to `maxRecords`). */
  async *pages(): AsyncGenerator<QueryPage<R>, void, undefined> {
    if (this.#started) throw new UsageError({ message: 'query: a QueryStream can be iterated only once; call client.query() again' });
    this.#started = true;
    const max = this.#options.maxRecords ?? Number.POSITIVE_INFINITY;
    if (max === 0) {
      this.#truncated = true;
      return;
    }
    const resource = this.#options.includeDeleted ? 'queryAll' : 'query';
    let path = `${resource}?q=${encodeURIComponent(this.soql)}`;
    let pending: Promise<SfResponse> | undefined = this.#request(path);
    let remaining = max;
    try {
      while (pending) {
        const response = await pending;
        pending = undefined;
        // When the next page is wanted whatever this one holds (no cap, or more left than a page
        // can hold), read the cursor from the head of the body and ask for the next page BEFORE
        // parsing this one: the server prepares page N+1 while this process parses page N.
        const early = remaining > MAX_PAGE_RECORDS ? sniffNextRecordsUrl(response.body) : undefined;
        let nextPath: string | undefined;
        if (early !== undefined) {
          nextPath = early;
          pending = this.#request(early);
          // Let the request reach the socket before the synchronous parse below.
          await yieldToIo();
        }
        const page = this.#parse(response, path);
        this.#totalSize ??= page.totalSize;
        const wantMore = remaining > page.records.length;
        if (early !== undefined && (page.done || page.nextRecordsUrl !== early)) {
          // The head said otherwise than the parsed page (cannot happen with Salesforce's JSON): drop it.
          pending?.catch(() => undefined);
          pending = undefined;
          nextPath = undefined;
        }
        // Ask for the next page before handing this one over, so the network overlaps consumption.
        if (pending === undefined && !page.done && wantMore && page.nextRecordsUrl) {
          nextPath = page.nextRecordsUrl;
          pending = this.#request(nextPath);
        }
        if (nextPath !== undefined) path = nextPath;
        let records = page.records as R[];
        if (records.length > remaining) {
          records = records.slice(0, remaining);
        }
        if (this.#children) await this.#completeChildren(records, 0);
        remaining -= records.length;
        this.#yielded += records.length;
        if (remaining === 0 && (!page.done || records.length < page.records.length)) this.#truncated = true;
        yield { ...page, records } as QueryPage<R>;
        if (remaining === 0) break;
      }
    } finally {
      // Swallow the prefetch of an abandoned iteration.
      pending?.catch(() => undefined);
    }
  }

  /**
   * Iterates records. Hand-written (not `yield*`) so a record already in memory costs one resolved
   * promise, not an async-generator round trip: this is the hot loop of large queries.
   */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    const pages = this.pages();
    let records: R[] = [];
    let index = 0;
    let finished = false;
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
    const pull = async (): Promise<IteratorResult<R>> => {
      for (;;) {
        const next = await pages.next();
        if (next.done) {
          finished = true;
          return done;
        }
        records = next.value.records;
        index = 0;
        if (records.length > 0) return { value: records[index++] as R, done: false };
      }
    };
    return {
      next(): Promise<IteratorResult<R>> {
        if (index < records.length) return Promise.resolve({ value: records[index++] as R, done: false });
        if (finished) return Promise.resolve(done);
        return pull();
      },
      async return(): Promise<IteratorResult<R>> {
        finished = true;
        records = [];
        await pages.return(undefined);
        return done;
      },
    };
  }

  /** Collects every row (bounded only by `maxRecords`). */
  async toArray(): Promise<R[]> {
    const out: R[] = [];
    for await (const page of this.pages()) {
      for (const record of page.records) out.push(record);
    }
    return out;
  }
}
