/**
 * `createClient(config)`: wires the runtime from one config. The transport (undici) is wrapped by
 * the interceptors in ONE place, {@link buildInterceptors}; services only see the composed dispatch.
 */
import { Readable } from 'node:stream';
import { authInterceptor } from './auth/interceptor.js';
import { staticToken, type StaticTokenOptions } from './auth/providers.js';
import { SecretRegistry } from './auth/secrets.js';
import { TokenManager, type TokenManagerOptions } from './auth/token-manager.js';
import type { AuthContext, AuthProvider, TokenInfo } from './auth/types.js';
import { AuthError, ConfigError, errorFromResponse, safePath } from './errors.js';
import { errorMappingInterceptor } from './resilience/error-mapping.js';
import { CircuitBreaker, circuitBreakerInterceptor, type CircuitBreakerOptions, type CircuitState } from './resilience/circuit-breaker.js';
import { LimitTracker, limitsInterceptor, type ApiUsage, type LimitsOptions } from './resilience/limits.js';
import { DEFAULT_RETRY, retryInterceptor, type RetryOptions } from './resilience/retry.js';
import { Cassette, type ReplayOptions } from './replay/cassette.js';
import { operationInterceptor } from './observability/operation.js';
import { collectionDelete, type CollectionOptions, type RecordOutcome } from './services/collections.js';
import {
  composite, compositeGraph,
  type CompositeGraph, type CompositeGraphResult, type CompositeResult, type CompositeSubrequest,
} from './services/composite.js';
import { compositeGraphOfPlans, compositeOfPlan } from './services/composite-typed.js';
import { CompositePlan, type GraphPlan, type TypedCompositeResult, type TypedGraphResults } from './services/composite-plan.js';
import { explain, getLimits, type LimitsResult, type QueryPlan } from './services/limits.js';
import type { SObjectType, TypedQuery } from './schema.js';
import { compositeBatch, type BatchResult, type BatchSubrequest } from './services/composite.js';
import { describeGlobal, describeSObject, type DescribeGlobalResult, type DescribeSObjectResult, type NotModified } from './services/describe.js';
import { QueryStream, type QueryOptions, type SObjectRecord } from './services/query.js';
import { apiPath, parseJson, type RestContext } from './services/rest.js';
import { registerContext } from './services/context.js';
import { SObjectApi } from './services/sobjects.js';
import { createHttpTransport, type TransportOptions } from './transport/http.js';
import { compose, type Dispatch, type HttpMethod, type Interceptor } from './transport/types.js';

/** The API version used when the config names none. */
export const DEFAULT_API_VERSION = '60.0';

/**
 * Client configuration. Only `auth` is required.
 *
 * @example
 * ```ts
 * const client = createClient({
 *   auth: jwtBearer({ clientId, username, privateKey, loginUrl: 'https://test.salesforce.com' }),
 *   apiVersion: '60.0',
 * });
 * ```
 */
export interface ClientConfig {
  /** An auth provider, or `{ accessToken, instanceUrl }` for a plain token. */
  auth: AuthProvider | StaticTokenOptions;
  /** Pinned API version, `'60.0'` (also accepts `'v60.0'` and `60`). Default {@link DEFAULT_API_VERSION}. */
  apiVersion?: string | number;
  /** Allow plain HTTP to 127.0.0.0/8, ::1 and localhost (the simulator). Default false. */
  allowInsecureLoopback?: boolean;
  /** Connection pool and timeouts; defaults in `DEFAULT_TRANSPORT`. */
  transport?: Omit<TransportOptions, 'allowInsecureLoopback'>;
  /** Token cache behaviour. */
  tokens?: TokenManagerOptions;
  /** Retry policy (defaults in `DEFAULT_RETRY`), or `false` to never retry. */
  retry?: Partial<RetryOptions> | false;
  /**
   * The deadline of one call in ms (default 60 s, `DEFAULT_RETRY.maxElapsedMs`): every attempt,
   * backoff wait and timeout together; attempts are timed inside it. Calls that split their work
   * into several requests (collections in chunks of 200, query pages) get it per request. Every
   * call also takes its own `deadlineMs`.
   */
  deadlineMs?: number;
  /** Circuit breaker per instance (defaults in `DEFAULT_CIRCUIT_BREAKER`), or `false` for none. */
  circuitBreaker?: Partial<CircuitBreakerOptions> | false;
  /** API-limit tracking: warning threshold and optional throttle (defaults in `DEFAULT_LIMITS`). */
  limits?: Partial<LimitsOptions>;
  /** Record/replay: `{ mode: 'record' | 'playback' | 'update', cassette: 'test/cassettes/x.json' }`. */
  replay?: ReplayOptions;
}

/** A raw request for `client.request()`. */
export interface RawRequest {
  method: HttpMethod;
  /** Relative to `/services/data/vXX.X/` (`sobjects/Account/describe`) or instance-absolute (`/services/data`). */
  path: string;
  headers?: Record<string, string>;
  /** Serialized as JSON unless a string. */
  body?: unknown;
  signal?: AbortSignal;
  /** Safe to send twice (defaults to true for GET and HEAD). */
  idempotent?: boolean;
  /** The call's deadline in ms (every attempt, wait and timeout); the client's `deadlineMs` when unset. */
  deadlineMs?: number;
}

/** The answer of `client.request()`: any status (network failures still throw). */
export interface RawResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** Parsed JSON, the text for other content types, `null` when empty. */
  body: unknown;
}

/** What `createClient` returns. */
export interface SalesforceClient {
  /** The pinned API version (`'60.0'`). */
  readonly apiVersion: string;
  /** Sends any REST request and returns the status, headers and parsed body without throwing on 4xx/5xx. */
  request(request: RawRequest): Promise<RawResponse>;
  /**
   * Like `request()` but hands the (decompressed) response body over as a stream, e.g. to
   * download a `base64` field's blob (`/services/data/v60.0/sobjects/Attachment/<id>/Body`).
   * Non-2xx answers are thrown as typed errors.
   */
  requestStream(request: Omit<RawRequest, 'body'>): Promise<{ status: number; headers: Readonly<Record<string, string>>; body: Readable }>;
  /** `GET /sobjects`. */
  describeGlobal(options?: { signal?: AbortSignal }): Promise<DescribeGlobalResult>;
  /** `GET /sobjects/<name>/describe`; `{ notModified: true }` on 304 when `ifModifiedSince` is given. */
  describe(name: string, options?: { ifModifiedSince?: Date | string; signal?: AbortSignal }): Promise<DescribeSObjectResult | NotModified>;
  /** `/composite/batch`: up to 25 independent subrequests. */
  compositeBatch(subrequests: readonly BatchSubrequest[], options?: { haltOnError?: boolean; signal?: AbortSignal }): Promise<BatchResult>;
  /** Typed record operations for a generated sObject. */
  sobject<T extends SObjectType>(type: T): SObjectApi<T>;
  /** Runs a query; iterate the result with `for await` or call `.toArray()`. */
  query<R>(query: TypedQuery<R>, options?: QueryOptions): QueryStream<R>;
  query(query: string, options?: QueryOptions): QueryStream<SObjectRecord>;
  /** Like `query`, including deleted and archived rows (`/queryAll`). */
  queryAll<R>(query: TypedQuery<R>, options?: Omit<QueryOptions, 'includeDeleted'>): QueryStream<R>;
  queryAll(query: string, options?: Omit<QueryOptions, 'includeDeleted'>): QueryStream<SObjectRecord>;
  /**
   * `/composite`: up to 25 subrequests wired with `@{referenceId.field}`. Given a typed
   * {@link CompositePlan} (`compositePlan().create(...).get(...)`), every answer is typed by its
   * subrequest; given plain subrequests, bodies are `unknown`.
   */
  composite<Results extends object>(plan: CompositePlan<Results>, options?: { allOrNone?: boolean; collateSubrequests?: boolean; signal?: AbortSignal }): Promise<TypedCompositeResult<Results>>;
  composite(subrequests: readonly CompositeSubrequest[], options?: { allOrNone?: boolean; collateSubrequests?: boolean; signal?: AbortSignal }): Promise<CompositeResult>;
  /**
   * `/composite/graph`: graphs of up to 500 subrequests, each all-or-nothing. Typed plans by graph
   * id (`{ g1: compositePlan()... }`) give typed answers by graph id; plain graphs give `unknown` bodies.
   */
  compositeGraph<G extends Readonly<Record<string, GraphPlan>>>(graphs: G, options?: { signal?: AbortSignal }): Promise<TypedGraphResults<G>>;
  compositeGraph(graphs: readonly CompositeGraph[], options?: { signal?: AbortSignal }): Promise<CompositeGraphResult[]>;
  /**
   * Deletes records of any types by id (sObject Collections, chunked to 200); one outcome per id,
   * in order. Throws `MultiRecordError` (with every outcome) when a request failed.
   */
  deleteMany(ids: readonly string[], options?: CollectionOptions): Promise<RecordOutcome[]>;
  /** `GET /limits` (also updates {@link SalesforceClient.apiUsage}). */
  limits(options?: { signal?: AbortSignal }): Promise<LimitsResult>;
  /** The query plan(s) of a SOQL query (`/query?explain=`). */
  explain(query: string | TypedQuery<unknown>, options?: { signal?: AbortSignal }): Promise<{ plans: QueryPlan[]; sourceQuery?: string }>;
  /** API usage as last reported by `Sforce-Limit-Info` or `/limits`; undefined before any response. */
  apiUsage(): ApiUsage | undefined;
  /** The circuit state of the client's instance. */
  circuitState(): CircuitState;
  /** The current token (fetching one if needed), e.g. to hand to another tool. */
  token(): Promise<TokenInfo>;
  /**
   * Replaces a token another API rejected (a Pub/Sub `UNAUTHENTICATED`): one refresh however many
   * callers report the same token, the current token when it was already replaced. Rejects with
   * `AuthError` when the auth provider cannot refresh (a static access token).
   */
  renewToken(rejected: TokenInfo): Promise<TokenInfo>;
  /** The record/replay cassette, when configured. */
  readonly cassette: Cassette | undefined;
  /** Writes the cassette (record/update modes) and closes pooled connections. */
  close(): Promise<void>;
}

/** Normalizes `'v60.0'`, `60`, `'60'` to `'60.0'`. */
export function normalizeApiVersion(value: string | number | undefined): string {
  if (value === undefined) return DEFAULT_API_VERSION;
  const text = String(value).replace(/^v/i, '');
  const m = /^(\d{2,3})(?:\.(\d))?$/.exec(text);
  if (!m) throw new ConfigError({ message: `apiVersion ${JSON.stringify(value)} is not an API version like '60.0'` });
  return `${m[1]}.${m[2] ?? '0'}`;
}

/**
 * The interceptor stack, outermost first: the ONE place where the order is decided.
 *
 * 1. operation  - one span/event per logical call (all attempts), for OpenTelemetry and diagnostics
 * 2. errors     - the final non-2xx answer becomes a typed `SalesforceError` (with its attempts)
 * 3. breaker    - per-instance circuit; fails fast when open. It sees CALLS, not attempts: a call
 *                 that exhausted its retries is one failure, and a call already in its retry loop
 *                 is never failed by a circuit that opened meanwhile
 * 4. retry      - one deadline per call; backoff + jitter for what is safe to repeat; each attempt
 *                 re-runs everything below, timed inside the deadline
 * 5. auth       - attaches a fresh token per attempt; on 401 INVALID_SESSION_ID refreshes once and replays
 * 6. limits     - throttle before sending; reads `Sforce-Limit-Info` from every answer
 * (base)        - record/replay cassette, then the undici transport
 */
export function buildInterceptors(parts: {
  secrets: SecretRegistry;
  tokens: TokenManager;
  apiVersion: string;
  retry: Partial<RetryOptions> | false;
  /** Overrides `retry.maxElapsedMs` as the default deadline of a call. */
  deadlineMs?: number | undefined;
  breaker: CircuitBreaker | undefined;
  limits: LimitTracker;
}): Interceptor[] {
  const stack: Interceptor[] = [operationInterceptor(parts.apiVersion), errorMappingInterceptor(parts.secrets)];
  if (parts.breaker) stack.push(circuitBreakerInterceptor(parts.breaker));
  // Without retries the deadline still bounds the one attempt.
  const retry: Partial<RetryOptions> = parts.retry === false ? { maxAttempts: 1 } : { ...parts.retry };
  if (parts.deadlineMs !== undefined) retry.maxElapsedMs = parts.deadlineMs;
  stack.push(retryInterceptor(retry));
  stack.push(authInterceptor(parts.tokens));
  stack.push(limitsInterceptor(parts.limits));
  return stack;
}

/**
 * Creates a client.
 *
 * @example
 * ```ts
 * import { createClient, jwtBearer } from 'sfgen/runtime';
 * import { Account } from './generated/sobjects/Account.js';
 *
 * const client = createClient({ auth: jwtBearer({ clientId, username, privateKey }) });
 * const { id } = await client.sobject(Account).create({ Name: 'Acme' });
 * for await (const row of client.query('SELECT Id, Name FROM Account')) console.log(row.Name);
 * await client.close();
 * ```
 */
export function createClient(config: ClientConfig): SalesforceClient {
  if (config === null || typeof config !== 'object' || config.auth === undefined) {
    throw new ConfigError({ message: 'createClient: config.auth is required (an auth provider or { accessToken, instanceUrl })' });
  }
  const apiVersion = normalizeApiVersion(config.apiVersion);
  const allowInsecureLoopback = config.allowInsecureLoopback === true;
  const provider: AuthProvider = 'fetchToken' in config.auth ? config.auth : staticToken(config.auth);
  const secrets = new SecretRegistry();
  const transport = createHttpTransport({ ...config.transport, allowInsecureLoopback });
  const cassette = config.replay ? new Cassette(config.replay, secrets) : undefined;
  // Record/replay sits directly on the transport, so token requests are recorded (redacted) too.
  const base: Dispatch = cassette ? cassette.interceptor()(transport.dispatch) : transport.dispatch;
  const breaker = config.circuitBreaker === false ? undefined : new CircuitBreaker(config.circuitBreaker ?? {});
  const limitTracker = new LimitTracker(config.limits ?? {});

  const authContext: AuthContext = {
    secrets,
    allowInsecureLoopback,
    async postForm(url, form, signal) {
      for (const [key, value] of Object.entries(form)) if (key !== 'grant_type' && key !== 'client_id') secrets.add(value);
      const response = await base({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
        idempotent: true,
        anonymous: true,
        operation: 'oauth.token',
        signal,
      });
      if (response.status >= 400) {
        const error = errorFromResponse(
          { status: response.status, headers: response.headers, text: secrets.redact(response.body.toString('utf8')) },
          { method: 'POST', path: safePath(response.url) },
        );
        throw error;
      }
      const data = parseJson(response, 'POST');
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        throw errorFromResponse({ status: 500, headers: response.headers, text: '' }, { method: 'POST', path: safePath(response.url) });
      }
      return data as Record<string, unknown>;
    },
  };
  const tokens = new TokenManager(provider, authContext, config.tokens);
  if (config.deadlineMs !== undefined && !(typeof config.deadlineMs === 'number' && config.deadlineMs > 0)) {
    throw new ConfigError({ message: `createClient: deadlineMs must be a positive number of ms, got ${String(config.deadlineMs)}` });
  }
  const dispatch = compose(base, buildInterceptors({ secrets, tokens, apiVersion, retry: config.retry ?? {}, deadlineMs: config.deadlineMs, breaker, limits: limitTracker }));
  const retryPolicy = config.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...stripUndefined(config.retry ?? {}) };
  const context: RestContext = { dispatch, apiVersion, retry: retryPolicy };

  function query<R>(q: string | TypedQuery<R>, options?: QueryOptions): QueryStream<R> {
    return new QueryStream<R>(context, q as TypedQuery<R>, options);
  }

  const client: SalesforceClient = {
    apiVersion,
    async request(request) {
      const headers: Record<string, string> = { accept: 'application/json' };
      for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
      let body: string | undefined;
      if (request.body !== undefined) {
        body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await dispatch({
        method: request.method,
        url: apiPath(context, request.path),
        headers,
        body,
        signal: request.signal,
        deadlineMs: request.deadlineMs,
        idempotent: request.idempotent ?? (request.method === 'GET' || request.method === 'HEAD'),
        allowErrorStatus: true,
        operation: 'request',
      });
      const type = response.headers['content-type'] ?? '';
      const parsed = response.body.length === 0 ? null : type.includes('json') ? parseJson(response, request.method) : response.body.toString('utf8');
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async requestStream(request) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
      const response = await dispatch({
        method: request.method,
        url: apiPath(context, request.path),
        headers,
        signal: request.signal,
        deadlineMs: request.deadlineMs,
        idempotent: request.idempotent ?? (request.method === 'GET' || request.method === 'HEAD'),
        responseType: 'stream',
        operation: 'requestStream',
      });
      return { status: response.status, headers: response.headers, body: response.stream ?? Readable.from([response.body]) };
    },
    describeGlobal: (options) => describeGlobal(context, options?.signal),
    describe: (name, options) => describeSObject(context, name, options),
    compositeBatch: (subrequests, options) => compositeBatch(context, subrequests, options),
    sobject: (type) => new SObjectApi(context, type),
    query: query as SalesforceClient['query'],
    queryAll: ((q: string | TypedQuery<unknown>, options?: QueryOptions) => query(q, { ...options, includeDeleted: true })) as SalesforceClient['queryAll'],
    composite: ((subrequests: CompositePlan<object> | readonly CompositeSubrequest[], options?: { allOrNone?: boolean; collateSubrequests?: boolean; signal?: AbortSignal }) =>
      subrequests instanceof CompositePlan ? compositeOfPlan(context, subrequests, options) : composite(context, subrequests, options)) as SalesforceClient['composite'],
    compositeGraph: ((graphs: Readonly<Record<string, GraphPlan>> | readonly CompositeGraph[], options?: { signal?: AbortSignal }) =>
      Array.isArray(graphs) ? compositeGraph(context, graphs, options) : compositeGraphOfPlans(context, graphs as Readonly<Record<string, GraphPlan>>, options)) as SalesforceClient['compositeGraph'],
    deleteMany: (ids, options) => collectionDelete(context, ids, options),
    async limits(options) {
      const result = await getLimits(context, options?.signal);
      limitTracker.recordLimits(result);
      return result;
    },
    explain: (q, options) => explain(context, typeof q === 'string' ? q : q.toSoql(), options?.signal),
    apiUsage: () => limitTracker.usage,
    circuitState() {
      if (!breaker) return 'closed';
      // Calls name instance-relative paths (the breaker sits above the auth layer that resolves
      // them): their circuit is `instance`; absolute URLs to the instance have the origin's.
      const relative = breaker.state('instance');
      const instance = tokens.current?.instanceUrl;
      return relative !== 'closed' || !instance ? relative : breaker.state(new URL(instance).origin);
    },
    token: () => tokens.getToken(),
    async renewToken(rejected) {
      const fresh = await tokens.replaceRejected(rejected);
      if (fresh === undefined) {
        throw new AuthError({ message: `the ${provider.kind} credentials were rejected and cannot be refreshed; provide a refreshable auth provider (client credentials, refresh token, JWT bearer, sf CLI alias)` });
      }
      return fresh;
    },
    cassette,
    async close() {
      cassette?.save();
      await transport.close();
    },
  };
  registerContext(client, context);
  return client;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
