/**
 * The live-org source: REST describes over a {@link MetadataHttp}.
 *
 * Request budget: one global describe, then one `POST /composite/batch` per 25 objects (at most
 * {@link BATCH_CONCURRENCY} in flight). Conditional re-fetches (drift check) go through
 * `POST /composite` with `If-Modified-Since` per subrequest; unchanged objects answer 304.
 */
import { MetadataError } from './errors.js';
import { mapBounded } from './directory.js';
import type { MetadataHttp, MetadataHttpResponse } from './http.js';
import {
  RawGlobalDescribeSchema,
  RawSObjectDescribeSchema,
  parseRaw,
  type DescribedSObject,
  type RawEventSchema,
  type RawGlobalDescribe,
} from './raw.js';
import type { ConditionalDescribe, DescribeProgress, EventSchemaOptions, MetadataSource } from './source.js';
import { discoverEventSchemas, eventTopics, type EventTopicSource } from './events.js';

/** Subrequests per composite call (Salesforce's limit for both `/composite/batch` and `/composite`). */
export const BATCH_SIZE = 25;
/** Composite calls in flight at once. */
export const BATCH_CONCURRENCY = 5;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Salesforce's error array (`[{message, errorCode}]`) rendered as one line, or null. */
function salesforceMessage(body: unknown): string | null {
  const first = Array.isArray(body) ? (body[0] as unknown) : body;
  if (first !== null && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    const code = typeof o['errorCode'] === 'string' ? o['errorCode'] : typeof o['error'] === 'string' ? o['error'] : null;
    const message = typeof o['message'] === 'string' ? o['message'] : typeof o['error_description'] === 'string' ? o['error_description'] : null;
    if (code !== null || message !== null) return [code, message].filter((x) => x !== null).join(': ');
  }
  return null;
}

function headerOf(headers: unknown, name: string): string | null {
  if (headers === null || typeof headers !== 'object') return null;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return null;
}

/**
 * Reads metadata from a live org (or the simulator) over REST.
 *
 * @example
 * ```ts
 * const source = new LiveSource(http, '60.0', { eventsDir: null });
 * const global = await source.describeGlobal();
 * const described = await source.describeSObjects(global.sobjects.map((s) => s.name));
 * ```
 */
export class LiveSource implements MetadataSource {
  readonly description: string;
  readonly eventNotes: string[] = [];
  private requests = 0;
  private global: Promise<RawGlobalDescribe> | null = null;
  /** `Last-Modified` of the global describe: the newest revision of any object when it was read. */
  private globalLastModified: string | null = null;

  constructor(
    private readonly http: MetadataHttp,
    readonly apiVersion = '60.0',
    private readonly options: {
      readonly batchConcurrency?: number;
      readonly description?: string;
      /** Pub/Sub GetTopic/GetSchema for event discovery; without it the org yields no event schemas. */
      readonly events?: EventTopicSource;
    } = {},
  ) {
    this.description = options.description ?? `org ${http.instanceUrl}`;
  }

  /** Whether events can be discovered (a Pub/Sub client was given). */
  get hasEvents(): boolean {
    return this.options.events !== undefined;
  }

  private get base(): string {
    return `/services/data/v${this.apiVersion}`;
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<MetadataHttpResponse> {
    const what = `${method} ${path}`;
    this.requests++;
    let res: MetadataHttpResponse;
    try {
      res = method === 'GET' ? await this.http.get(path, headers) : await this.http.post(path, body, headers);
    } catch (error) {
      if (error instanceof MetadataError) throw error;
      const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
      const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null;
      const reason = `${error instanceof Error ? error.message : String(error)}${detail ? ` (${detail})` : ''}`;
      throw new MetadataError('UNREACHABLE', `Cannot reach ${this.http.instanceUrl} (${what}): ${reason}`, what, { cause: error });
    }
    if (res.status === 401 || res.status === 403) {
      const detail = salesforceMessage(res.body) ?? `HTTP ${res.status}`;
      throw new MetadataError('AUTH_REJECTED', `The org ${this.http.instanceUrl} rejected the access token (${what}): ${detail}`, what);
    }
    if (res.status >= 400) {
      const detail = salesforceMessage(res.body) ?? `HTTP ${res.status}`;
      throw new MetadataError('REQUEST_FAILED', `${what} failed: ${detail}`, what);
    }
    return res;
  }

  /** The global describe (fetched once per source: generation and event discovery both read it). */
  describeGlobal(): Promise<RawGlobalDescribe> {
    this.global ??= this.fetchGlobal();
    this.global.catch(() => {
      this.global = null;
    });
    return this.global;
  }

  private async fetchGlobal(): Promise<RawGlobalDescribe> {
    const path = `${this.base}/sobjects`;
    const res = await this.send('GET', path);
    this.globalLastModified = headerOf(res.headers, 'Last-Modified');
    return parseRaw(RawGlobalDescribeSchema, res.body, `GET ${path}`, null);
  }

  async describeSObjects(names: readonly string[], onProgress?: DescribeProgress): Promise<DescribedSObject[]> {
    const path = `${this.base}/composite/batch`;
    let done = 0;
    const batches = await mapBounded(chunk(names, BATCH_SIZE), this.options.batchConcurrency ?? BATCH_CONCURRENCY, async (batch) => {
      const batchRequests = batch.map((name) => ({ method: 'GET', url: `v${this.apiVersion}/sobjects/${encodeURIComponent(name)}/describe` }));
      const res = await this.send('POST', path, { batchRequests });
      const results = (res.body as { results?: unknown } | null)?.results;
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new MetadataError('REQUEST_FAILED', `POST ${path}: expected ${batch.length} results, got ${Array.isArray(results) ? results.length : 'none'}`, `POST ${path}`);
      }
      const out = batch.map((name, i): DescribedSObject => {
        const sub = results[i] as { statusCode?: unknown; result?: unknown; headers?: unknown } | null;
        const origin = `POST ${path} (GET ${batchRequests[i]?.url})`;
        const status = typeof sub?.statusCode === 'number' ? sub.statusCode : 0;
        if (status === 401) {
          throw new MetadataError('AUTH_REJECTED', `The org ${this.http.instanceUrl} rejected the access token (${origin})`, origin);
        }
        if (status === 404) {
          throw new MetadataError('UNKNOWN_OBJECT', `Unknown object '${name}' in ${this.description} (${origin})`, origin);
        }
        if (status !== 200) {
          const detail = salesforceMessage(sub?.result) ?? `status ${status}`;
          throw new MetadataError('REQUEST_FAILED', `Describe of ${name} failed (${origin}): ${detail}`, origin);
        }
        const describe = parseRaw(RawSObjectDescribeSchema, sub?.result, origin, name);
        // Batch subresults carry no headers; the global describe's Last-Modified bounds every
        // object's revision, so it is a correct If-Modified-Since for a later conditional fetch.
        return { name, describe, origin, lastModified: headerOf(sub?.headers, 'Last-Modified') ?? this.globalLastModified };
      });
      done += batch.length;
      onProgress?.(done, names.length);
      return out;
    });
    return batches.flat();
  }

  async describeIfModified(since: ReadonlyMap<string, string>, onProgress?: DescribeProgress): Promise<ConditionalDescribe[]> {
    const path = `${this.base}/composite`;
    const names = [...since.keys()];
    let done = 0;
    const batches = await mapBounded(chunk(names, BATCH_SIZE), this.options.batchConcurrency ?? BATCH_CONCURRENCY, async (batch) => {
      const compositeRequest = batch.map((name, i) => {
        const date = since.get(name);
        return {
          method: 'GET',
          url: `${this.base}/sobjects/${encodeURIComponent(name)}/describe`,
          referenceId: `d${i}`,
          ...(date ? { httpHeaders: { 'If-Modified-Since': date } } : {}),
        };
      });
      const res = await this.send('POST', path, { allOrNone: false, compositeRequest });
      const responses = (res.body as { compositeResponse?: unknown } | null)?.compositeResponse;
      if (!Array.isArray(responses)) {
        throw new MetadataError('REQUEST_FAILED', `POST ${path}: the response has no compositeResponse`, `POST ${path}`);
      }
      const byRef = new Map<string, Record<string, unknown>>();
      for (const r of responses) {
        if (r !== null && typeof r === 'object' && typeof (r as Record<string, unknown>)['referenceId'] === 'string') {
          byRef.set((r as Record<string, string>)['referenceId'] as string, r as Record<string, unknown>);
        }
      }
      const out = batch.map((name, i): ConditionalDescribe => {
        const sub = byRef.get(`d${i}`);
        const origin = `POST ${path} (GET ${compositeRequest[i]?.url})`;
        const status = typeof sub?.['httpStatusCode'] === 'number' ? sub['httpStatusCode'] : 0;
        if (status === 304) return { name, status: 'notModified' };
        if (status === 401) throw new MetadataError('AUTH_REJECTED', `The org ${this.http.instanceUrl} rejected the access token (${origin})`, origin);
        if (status === 404) throw new MetadataError('UNKNOWN_OBJECT', `Unknown object '${name}' in ${this.description} (${origin})`, origin);
        if (status !== 200) {
          const detail = salesforceMessage(sub?.['body']) ?? `status ${status}`;
          throw new MetadataError('REQUEST_FAILED', `Describe of ${name} failed (${origin}): ${detail}`, origin);
        }
        const describe = parseRaw(RawSObjectDescribeSchema, sub?.['body'], origin, name);
        return {
          name,
          status: 'modified',
          described: { name, describe, origin, lastModified: headerOf(sub?.['httpHeaders'], 'Last-Modified') },
        };
      });
      done += batch.length;
      onProgress?.(done, names.length);
      return out;
    });
    return batches.flat();
  }

  /**
   * Platform and change events of the org with their schemas: the global describe names them,
   * Pub/Sub GetTopic gives each topic's schema id, GetSchema each distinct schema (see
   * `events.ts`). Skipped topics are listed in {@link eventNotes}.
   */
  async eventSchemas(options: EventSchemaOptions = {}): Promise<RawEventSchema[]> {
    const pubsub = this.options.events;
    if (!pubsub) return [];
    const topics = eventTopics(await this.describeGlobal(), options.objects ?? 'all');
    const found = await discoverEventSchemas(topics, pubsub, options.known ? { known: options.known } : {});
    this.eventNotes.push(...found.notes);
    return found.events;
  }

  /**
   * The org id, from one query (`SELECT Id FROM Organization`). Best effort: a user who cannot
   * query Organization gets null, never a failed generation.
   */
  async orgId(): Promise<string | null> {
    const path = `${this.base}/query?q=${encodeURIComponent('SELECT Id FROM Organization LIMIT 1')}`;
    try {
      const res = await this.send('GET', path);
      const id = ((res.body as { records?: { Id?: unknown }[] } | null)?.records?.[0])?.Id;
      return typeof id === 'string' && /^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/.test(id) ? id : null;
    } catch (error) {
      if (error instanceof MetadataError && error.code !== 'REQUEST_FAILED') throw error;
      return null;
    }
  }

  requestCount(): number {
    return this.requests;
  }
}
