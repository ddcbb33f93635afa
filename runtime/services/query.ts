/**
 * SOQL queries as async iterators over every page. There is no silent cap: iteration follows
 * `nextRecordsUrl` until `done`, unless the caller sets `maxRecords` (then `truncated` tells whether
 * rows were left). The next page is requested while the current one is consumed (one page ahead).
 * Child subquery envelopes that Salesforce paged (`done: false` with their own `nextRecordsUrl`)
 * are completed before their parent record is handed over.
 *
 * Faults: a page whose body cannot be read (a close-delimited body cut short, malformed JSON, a
 * wrong shape) is fetched again (a locator GET is safe to repeat) within the retry policy; failed
 * requests are retried by the retry layer. When a page still fails, the stream throws and keeps
 * its {@link QueryStream.position}: every row before it was delivered, none after, and
 * {@link QueryStream.resume} continues from there without re-reading or skipping a row (the
 * locator stays valid on Salesforce for two days).
 */
import { channels } from '../diagnostics.js';
import { ProtocolError, UsageError, safePath } from '../errors.js';
import { DEFAULT_RETRY, backoffDelay } from '../resilience/retry.js';
import { sleep } from '../resilience/sleep.js';
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
  /** The deadline of each page request (ms); the client's `deadlineMs` when unset. */
  deadlineMs?: number;
  /**
   * Continue a stream that failed, from its {@link QueryStream.position} (same SOQL): the first page
   * requested is the one that failed. `maxRecords` still counts the rows delivered before.
   */
  resumeFrom?: QueryPosition;
}

/** Where a query stream stands: the page it would fetch next and how many rows came before it. */
export interface QueryPosition {
  /** The query (a resumed stream must run the same one). */
  readonly soql: string;
  readonly includeDeleted: boolean;
  /**
   * The page not yet delivered: a locator URL (`/services/data/v60.0/query/01g...-2000`), or the
   * query itself (`query?q=...`) when no page was delivered yet.
   */
  readonly nextRecordsUrl: string;
  /** Rows delivered before that page (by this stream and the streams it resumed). */
  readonly delivered: number;
  /** `totalSize` as Salesforce reported it, when a page arrived. */
  readonly totalSize: number | undefined;
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

function checkPage(data: unknown, method: string, path: string, status: number): QueryPage<unknown> {
  if (!isObject(data) || typeof data.done !== 'boolean' || !Array.isArray(data.records) || typeof data.totalSize !== 'number') {
    throw new ProtocolError({ message: 'expected a query result {totalSize, done, records}', status, request: { method, path: safePath(path) } });
  }
  if (!data.done && typeof data.nextRecordsUrl !== 'string') {
    throw new ProtocolError({ message: 'query result has done: false but no nextRecordsUrl', status, request: { method, path: safePath(path) } });
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
  #position: QueryPosition | undefined;
  #failed = false;

  constructor(context: RestContext, query: string | TypedQuery<R>, options: QueryOptions = {}) {
    if (options.maxRecords !== undefined && (!Number.isInteger(options.maxRecords) || options.maxRecords < 0)) {
      throw new UsageError({ message: `query: maxRecords must be a non-negative integer, got ${String(options.maxRecords)}` });
    }
    if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 200 || options.batchSize > 2000)) {
      throw new UsageError({ message: `query: batchSize must be an integer from 200 to 2000, got ${String(options.batchSize)}` });
    }
    this.soql = soqlOf(query as string | TypedQuery<unknown>);
    const from = options.resumeFrom;
    if (from !== undefined && (from.soql !== this.soql || from.includeDeleted !== (options.includeDeleted === true) || typeof from.nextRecordsUrl !== 'string')) {
      throw new UsageError({ message: `query: resumeFrom is the position of another query (${JSON.stringify(from.soql)}${from.includeDeleted ? ', queryAll' : ''}), not of ${JSON.stringify(this.soql)}` });
    }
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

  /** Records yielded so far (by this stream). */
  get yielded(): number {
    return this.#yielded;
  }

  /**
   * Where the stream stands: the page it fetches next and the rows delivered before it. After a
   * failure it is where the stream stopped (pass it to `resumeFrom`, or call {@link resume});
   * undefined before iteration and once every row was delivered (or `maxRecords` cut a page).
   */
  get position(): QueryPosition | undefined {
    return this.#position;
  }

  /**
   * A new stream that continues where this one failed: it starts with the page that could not be
   * read, so no row is read twice or skipped.
   *
   * @example
   * ```ts
   * let stream = client.query('SELECT Id FROM Account');
   * for (;;) {
   *   try { for await (const row of stream) handle(row); break; }
   *   catch (err) { if (!stream.position) throw err; stream = stream.resume(); }
   * }
   * ```
   */
  resume(): QueryStream<R> {
    const position = this.#position;
    if (!this.#failed || position === undefined) {
      throw new UsageError({ message: 'query: resume() continues a stream that failed mid-way; this one has not failed' });
    }
    return new QueryStream<R>(this.#context, this.soql, { ...this.#options, resumeFrom: position });
  }

  /** Sends the GET of one page (not parsed yet). */
  #request(path: string): Promise<SfResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#options.batchSize !== undefined) headers['sforce-query-options'] = `batchSize=${this.#options.batchSize}`;
    return this.#context.dispatch({
      method: 'GET', url: apiPath(this.#context, path), headers, idempotent: true,
      operation: this.#options.includeDeleted ? 'queryAll' : 'query', signal: this.#options.signal, deadlineMs: this.#options.deadlineMs,
    });
  }

  #parse(response: SfResponse, path: string): QueryPage<unknown> {
    return checkPage(parseJson(response, 'GET', response.attempts), 'GET', apiPath(this.#context, path), response.status);
  }

  /**
   * Whether a page that failed this way is fetched again: a 2xx whose body could not be read (cut
   * short without a Content-Length, malformed, wrong shape), while the retry policy has attempts left.
   */
  #refetch(error: unknown, attempt: number): boolean {
    const policy = this.#context.retry ?? DEFAULT_RETRY;
    if (attempt >= policy.maxAttempts || this.#options.signal?.aborted) return false;
    return error instanceof ProtocolError && error.status !== undefined && error.status < 300;
  }

  /** Waits the retry policy's backoff before fetching `path` again (the caller's signal cancels it). */
  #backoff(attempt: number, path: string, error: unknown): Promise<void> {
    const policy = this.#context.retry ?? DEFAULT_RETRY;
    const delay = backoffDelay(attempt, policy);
    const url = safePath(apiPath(this.#context, path));
    if (channels.retry.hasSubscribers) {
      channels.retry.publish({ method: 'GET', url, attempt, delayMs: delay, reason: `unreadable page: ${(error as Error).message}`, operation: this.#options.includeDeleted ? 'queryAll' : 'query' });
    }
    return sleep(delay, this.#options.signal, { method: 'GET', path: url });
  }

  /** Fetches and parses one page, fetching it again when its body cannot be read. */
  async #fetch(path: string): Promise<QueryPage<unknown>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.#parse(await this.#request(path), path);
      } catch (error) {
        if (!this.#refetch(error, attempt)) throw error;
        await this.#backoff(attempt, path, error);
      }
    }
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
    const from = this.#options.resumeFrom;
    const before = from?.delivered ?? 0;
    this.#totalSize = from?.totalSize;
    let remaining = (this.#options.maxRecords ?? Number.POSITIVE_INFINITY) - before;
    if (remaining <= 0) {
      this.#truncated = true;
      return;
    }
    const includeDeleted = this.#options.includeDeleted === true;
    const resource = includeDeleted ? 'queryAll' : 'query';
    const at = (nextRecordsUrl: string): QueryPosition => ({ soql: this.soql, includeDeleted, nextRecordsUrl, delivered: before + this.#yielded, totalSize: this.#totalSize });
    // `current` is the page in `pending`: the first one not delivered yet.
    let current = from?.nextRecordsUrl ?? `${resource}?q=${encodeURIComponent(this.soql)}`;
    this.#position = at(current);
    let pending: Promise<SfResponse> | undefined = this.#request(current);
    let next: Promise<SfResponse> | undefined;
    try {
      while (pending !== undefined) {
        let page: QueryPage<unknown> | undefined;
        let nextPath: string | undefined;
        for (let attempt = 1; page === undefined; attempt++) {
          try {
            const response: SfResponse = await pending;
            // When the next page is wanted whatever this one holds (no cap, or more left than a page
            // can hold), read the cursor from the head of the body and ask for the next page BEFORE
            // parsing this one: the server prepares page N+1 while this process parses page N.
            const early = remaining > MAX_PAGE_RECORDS ? sniffNextRecordsUrl(response.body) : undefined;
            if (early !== undefined) {
              nextPath = early;
              next = this.#request(early);
              // Let the request reach the socket before the synchronous parse below.
              await yieldToIo();
            }
            page = this.#parse(response, current);
            if (early !== undefined && (page.done || page.nextRecordsUrl !== early)) {
              // The head said otherwise than the parsed page (cannot happen with Salesforce's JSON): drop it.
              next?.catch(() => undefined);
              next = undefined;
              nextPath = undefined;
            }
          } catch (error) {
            next?.catch(() => undefined);
            next = undefined;
            nextPath = undefined;
            if (!this.#refetch(error, attempt)) throw error;
            await this.#backoff(attempt, current, error);
            pending = this.#request(current);
          }
        }
        this.#totalSize ??= page.totalSize;
        const wantMore = remaining > page.records.length;
        // Ask for the next page before handing this one over, so the network overlaps consumption.
        if (next === undefined && !page.done && wantMore && page.nextRecordsUrl) {
          nextPath = page.nextRecordsUrl;
          next = this.#request(nextPath);
        }
        let records = page.records as R[];
        if (records.length > remaining) {
          records = records.slice(0, remaining);
        }
        if (this.#children) await this.#completeChildren(records, 0);
        remaining -= records.length;
        this.#yielded += records.length;
        if (remaining === 0 && (!page.done || records.length < page.records.length)) this.#truncated = true;
        // The page is handed over: the position moves past it.
        this.#position = !page.done && records.length === page.records.length && page.nextRecordsUrl !== undefined ? at(page.nextRecordsUrl) : undefined;
        pending = next;
        next = undefined;
        if (nextPath !== undefined) current = nextPath;
        yield { ...page, records } as QueryPage<R>;
        if (remaining === 0) break;
      }
    } catch (error) {
      this.#failed = true;
      throw error;
    } finally {
      // Swallow the prefetch of an abandoned iteration.
      pending?.catch(() => undefined);
      next?.catch(() => undefined);
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
