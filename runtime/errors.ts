/**
 * One error base class for everything the runtime throws, and the mapping from Salesforce's error
 * bodies (JSON error arrays, OAuth error objects, HTML gateway pages) to typed subclasses.
 *
 * Callers branch on the class (`err instanceof NotFoundError`) or on the stable `code`
 * (`err.code === 'SF_NOT_FOUND'`); Salesforce's own code is kept in `errorCode`. Every error names
 * the request (method and path) but never carries a token, a secret or a secret query parameter.
 */

/** Stable codes; one per subclass. They never change between versions. */
export type SalesforceErrorCode =
  | 'SF_ERROR'
  | 'SF_AUTH'
  | 'SF_LIMIT'
  | 'SF_NOT_FOUND'
  | 'SF_VALIDATION'
  | 'SF_DUPLICATE'
  | 'SF_LOCK'
  | 'SF_MALFORMED_QUERY'
  | 'SF_NETWORK'
  | 'SF_TIMEOUT'
  | 'SF_SERVER'
  | 'SF_CIRCUIT_OPEN'
  | 'SF_CONFIG'
  | 'SF_PROTOCOL'
  | 'SF_AMBIGUOUS_EXTERNAL_ID'
  | 'SF_REPLAY_MISSING'
  | 'SF_ABORTED'
  | 'SF_USAGE'
  | 'SF_MULTI_RECORD'
  // Pub/Sub API (runtime/services/pubsub/errors.ts)
  | 'SF_PUBSUB'
  | 'SF_PUBSUB_TOPIC_NOT_FOUND'
  | 'SF_PUBSUB_PERMISSION'
  | 'SF_PUBSUB_REPLAY_ID'
  | 'SF_PUBSUB_DECODE'
  | 'SF_PUBSUB_PUBLISH'
  | 'SF_PUBSUB_INPUT';

/** One entry of a Salesforce error array (`[{message, errorCode, fields}]`). */
export interface SalesforceErrorItem {
  readonly message: string;
  readonly errorCode: string;
  readonly fields?: readonly string[];
}

/** What an error knows about the request that failed. Never holds headers or secrets. */
export interface RequestInfo {
  readonly method: string;
  /** Path with secret query parameters removed (`/services/data/v60.0/query?q=...`). */
  readonly path: string;
}

export interface SalesforceErrorOptions {
  readonly message: string;
  readonly status?: number | undefined;
  readonly errorCode?: string | undefined;
  readonly fields?: readonly string[] | undefined;
  readonly requestId?: string | undefined;
  readonly request?: RequestInfo | undefined;
  /** The parsed response body (error array, OAuth object, or text of an HTML page, truncated). */
  readonly body?: unknown;
  /** Every item of the error array, when Salesforce returned several. */
  readonly errors?: readonly SalesforceErrorItem[] | undefined;
  readonly cause?: unknown;
}

/**
 * What the retry layer knows about the attempts behind an answer or an error.
 *
 * An attempt "may have been applied" when it ended without Salesforce saying it was not processed:
 * the connection broke after the request was sent, no answer came within the attempt's timeout,
 * or the answer was a 500/502/504 without Salesforce's JSON error array (a gateway page). A 503,
 * a 429, `REQUEST_LIMIT_EXCEEDED`, `UNABLE_TO_LOCK_ROW` or any other Salesforce error array says
 * the attempt was not applied.
 */
export interface AttemptInfo {
  /** Requests sent for the call (1 when it was not retried). */
  readonly attempts: number;
  /** True when an attempt before the last one may have been applied by Salesforce (its answer was lost). */
  readonly earlierAttemptMayHaveApplied: boolean;
}

/**
 * Base class of every error the runtime throws.
 *
 * @example
 * ```ts
 * try { await client.sobject(Account).get(id); }
 * catch (err) {
 *   if (err instanceof NotFoundError) return null;
 *   if (err instanceof SalesforceError) console.error(err.code, err.errorCode, err.request?.path);
 *   throw err;
 * }
 * ```
 */
export class SalesforceError extends Error {
  /** Stable sfgen code; one per subclass. */
  readonly code: SalesforceErrorCode = 'SF_ERROR';
  /** HTTP status, when a response was received. */
  readonly status: number | undefined;
  /** Salesforce's own code (`NOT_FOUND`, `INVALID_SESSION_ID`, `invalid_grant`, ...). */
  readonly errorCode: string | undefined;
  /** Fields named by Salesforce, for field-level errors. */
  readonly fields: readonly string[];
  /** `Sforce-Request-Id` / `X-Request-Id` of the response, for Salesforce support. */
  readonly requestId: string | undefined;
  /** Method and (secret-free) path of the failed request. */
  readonly request: RequestInfo | undefined;
  /** The parsed error body. */
  readonly body: unknown;
  /** All error items Salesforce returned. */
  readonly errors: readonly SalesforceErrorItem[];
  /** Requests sent for the call that failed (1 when it was not retried); set by the retry layer. */
  readonly attempts: number = 1;
  /**
   * True when an earlier attempt of this call may have been applied by Salesforce although this
   * error is what the last attempt got: a write may have happened (a delete may already be done,
   * an upsert may have created the record). The message says so too. Set by the retry layer.
   */
  readonly earlierAttemptMayHaveApplied: boolean = false;

  constructor(options: SalesforceErrorOptions) {
    const where = options.request ? ` (${options.request.method} ${options.request.path})` : '';
    super(`${options.message}${where}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.fields = options.fields ?? [];
    this.requestId = options.requestId;
    this.request = options.request;
    this.body = options.body;
    this.errors = options.errors ?? [];
  }
}

/** The credentials were rejected, expired or could not be obtained (401, `invalid_grant`, ...). */
export class AuthError extends SalesforceError {
  override readonly code = 'SF_AUTH';
}
/** An API limit was hit (`REQUEST_LIMIT_EXCEEDED`, 429), or the client's own throttle refused the call. */
export class LimitError extends SalesforceError {
  override readonly code = 'SF_LIMIT';
}
/** The record, object or resource does not exist (404, `NOT_FOUND`, `INVALID_CROSS_REFERENCE_KEY`). */
export class NotFoundError extends SalesforceError {
  override readonly code = 'SF_NOT_FOUND';
}
/** The data was rejected: required field missing, read-only field, bad picklist value, too long, ... */
export class ValidationError extends SalesforceError {
  override readonly code = 'SF_VALIDATION';
}
/** A duplicate value or a duplicate rule blocked the write. */
export class DuplicateError extends SalesforceError {
  override readonly code = 'SF_DUPLICATE';
}
/** Record lock contention (`UNABLE_TO_LOCK_ROW`). */
export class LockError extends SalesforceError {
  override readonly code = 'SF_LOCK';
}
/** The SOQL was rejected (`MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`, ...). */
export class MalformedQueryError extends SalesforceError {
  override readonly code = 'SF_MALFORMED_QUERY';
}
/** A 5xx answer from Salesforce or a gateway in front of it. */
export class ServerError extends SalesforceError {
  override readonly code = 'SF_SERVER';
}
/** An upsert by external id matched several records (HTTP 300). `body` lists the candidate URLs. */
export class AmbiguousExternalIdError extends SalesforceError {
  override readonly code = 'SF_AMBIGUOUS_EXTERNAL_ID';
}
/** A response that is not what the API promises (malformed JSON, wrong shape). */
export class ProtocolError extends SalesforceError {
  override readonly code = 'SF_PROTOCOL';
}
/** Invalid client configuration (plain HTTP to a remote host, missing option, ...). */
export class ConfigError extends SalesforceError {
  override readonly code = 'SF_CONFIG';
}
/** The call itself is invalid (an id that is no Salesforce id, too many records for one call, ...); nothing was sent. */
export class UsageError extends SalesforceError {
  override readonly code = 'SF_USAGE';
}
/** The caller aborted the request (its `AbortSignal` fired). */
export class AbortedError extends SalesforceError {
  override readonly code = 'SF_ABORTED';
  /** False when the abort came before the request was handed to the network (a backoff wait, a throttle wait). */
  readonly sent: boolean;
  constructor(options: SalesforceErrorOptions & { sent?: boolean }) {
    super(options);
    this.sent = options.sent ?? true;
  }
}

/**
 * The connection failed or broke. `reachedServer` is `false` only when the request provably never
 * left this process (connection refused, DNS failure, connect timeout), which makes any request,
 * even a create, safe to send again.
 */
export class NetworkError extends SalesforceError {
  override readonly code: 'SF_NETWORK' | 'SF_TIMEOUT' = 'SF_NETWORK';
  readonly reachedServer: boolean;
  /** The underlying system or undici code (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`, ...). */
  readonly causeCode: string | undefined;
  constructor(options: SalesforceErrorOptions & { reachedServer: boolean; causeCode?: string | undefined }) {
    super(options);
    this.reachedServer = options.reachedServer;
    this.causeCode = options.causeCode;
  }
}
/** A connect, headers or body timeout. */
export class TimeoutError extends NetworkError {
  override readonly code = 'SF_TIMEOUT';
}
/** The circuit breaker for this instance is open: the call failed fast without being sent. */
export class CircuitOpenError extends SalesforceError {
  override readonly code = 'SF_CIRCUIT_OPEN';
  /** When the breaker lets a probe through again (epoch ms). */
  readonly retryAt: number;
  constructor(options: SalesforceErrorOptions & { retryAt: number }) {
    super(options);
    this.retryAt = options.retryAt;
  }
}
/** Playback mode found no recording for a request. */
export class ReplayMissingError extends SalesforceError {
  override readonly code = 'SF_REPLAY_MISSING';
}

/**
 * Records on an error what the retry layer knows about the call's attempts, and says it in the
 * message (`... [3 attempts; an earlier attempt may have been applied: its answer was lost]`).
 */
export function noteAttempts(error: SalesforceError, info: AttemptInfo): SalesforceError {
  if (info.attempts <= 1 && !info.earlierAttemptMayHaveApplied) return error;
  const writable = error as { -readonly [K in keyof SalesforceError]: SalesforceError[K] };
  writable.attempts = info.attempts;
  writable.earlierAttemptMayHaveApplied = info.earlierAttemptMayHaveApplied;
  const words = info.earlierAttemptMayHaveApplied
    ? 'an earlier attempt may have been applied: its answer was lost'
    : 'no earlier attempt was applied';
  writable.message = `${error.message} [${info.attempts} attempts; ${words}]`;
  return error;
}

/**
 * Whether a failed request may nevertheless have been applied by Salesforce: its connection broke
 * after it was sent, it timed out, it was aborted in flight, a 2xx answer could not be read, a
 * 500/502/504 came without Salesforce's error array, or an earlier attempt may have been applied.
 * False when Salesforce answered with an error saying it did not process the request, and for
 * errors raised before anything was sent (`UsageError`, `ConfigError`, `CircuitOpenError`).
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  if (!(error instanceof SalesforceError)) return true;
  if (error.earlierAttemptMayHaveApplied) return true;
  if (error instanceof NetworkError) return error.reachedServer;
  if (error instanceof AbortedError) return error.sent;
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof CircuitOpenError || error instanceof ReplayMissingError) return false;
  if (error instanceof ProtocolError) return error.status === undefined || error.status < 300;
  if (error instanceof ServerError) return error.errors.length === 0 && error.status !== 503;
  return false;
}

/**
 * A call about many records did not fully succeed in a way the caller must not miss: a request of
 * a call split into several (sObject Collections in chunks of 200) failed or its answer was lost,
 * or an `allOrNone` call was rejected. Nothing is hidden: `outcomes` holds one outcome per input
 * record, in input order, including the records other requests completed. `cause` is the first
 * request-level error, when there was one.
 */
export class MultiRecordError<O = unknown> extends SalesforceError {
  override readonly code = 'SF_MULTI_RECORD';
  /** One outcome per input record, in input order. */
  readonly outcomes: readonly O[];
  constructor(options: SalesforceErrorOptions & { outcomes: readonly O[] }) {
    super(options);
    this.outcomes = options.outcomes;
  }
}

// ---------------------------------------------------------------------------------------------
// Mapping responses to errors

const AUTH_CODES = new Set([
  'INVALID_SESSION_ID', 'INVALID_AUTH_HEADER', 'INVALID_LOGIN', 'LOGIN_MUST_USE_SECURITY_TOKEN',
  'invalid_grant', 'invalid_client_id', 'invalid_client', 'invalid_client_credentials',
  'unsupported_grant_type', 'inactive_user', 'inactive_org', 'INSUFFICIENT_ACCESS',
  'API_DISABLED_FOR_ORG', 'API_CURRENTLY_DISABLED',
]);
const LIMIT_CODES = new Set(['REQUEST_LIMIT_EXCEEDED', 'TXN_SECURITY_NO_ACCESS_RATE_LIMIT', 'CONCURRENT_REQUEST_LIMIT_EXCEEDED']);
const NOT_FOUND_CODES = new Set(['NOT_FOUND', 'INVALID_CROSS_REFERENCE_KEY', 'ENTITY_IS_DELETED', 'NOT_FOUND_RESOURCE']);
const DUPLICATE_CODES = new Set(['DUPLICATE_VALUE', 'DUPLICATES_DETECTED', 'DUPLICATE_EXTERNAL_ID', 'DUPLICATE_USERNAME']);
const LOCK_CODES = new Set(['UNABLE_TO_LOCK_ROW']);
const QUERY_CODES = new Set([
  'MALFORMED_QUERY', 'INVALID_FIELD', 'INVALID_TYPE', 'INVALID_QUERY_FILTER_OPERATOR',
  'INVALID_QUERY_LOCATOR', 'QUERY_TIMEOUT', 'MALFORMED_SEARCH', 'INVALID_QUERY_SCOPE',
]);

/** Secret-bearing query parameters, removed from every path an error or event carries. */
const SECRET_PARAMS = /^(access_token|refresh_token|client_secret|client_assertion|assertion|password|code|sig|signature|token|oauth_token|session_id|sid)$/i;

/** A path safe to show: the query string keeps `q` and other harmless parameters, drops secrets. */
export function safePath(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://relative.invalid');
  } catch {
    return url.split('?')[0] ?? url;
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, '[REDACTED]');
  }
  const search = parsed.searchParams.toString();
  return parsed.pathname + (search ? `?${decodeURIComponent(search.replace(/\+/g, ' '))}` : '');
}

function isItem(value: unknown): value is { message?: unknown; errorCode?: unknown; statusCode?: unknown; fields?: unknown } {
  return typeof value === 'object' && value !== null;
}

/** Normalizes a Salesforce error body into items; understands arrays, single objects and OAuth errors. */
export function parseErrorItems(body: unknown): SalesforceErrorItem[] {
  const list = Array.isArray(body) ? body : body === undefined || body === null ? [] : [body];
  const items: SalesforceErrorItem[] = [];
  for (const entry of list) {
    if (!isItem(entry)) continue;
    const oauth = entry as { error?: unknown; error_description?: unknown };
    const errorCode =
      typeof entry.errorCode === 'string' ? entry.errorCode
      : typeof entry.statusCode === 'string' ? entry.statusCode
      : typeof oauth.error === 'string' ? oauth.error
      : undefined;
    const message =
      typeof entry.message === 'string' ? entry.message
      : typeof oauth.error_description === 'string' ? oauth.error_description
      : undefined;
    if (errorCode === undefined && message === undefined) continue;
    const fields = Array.isArray(entry.fields) ? entry.fields.filter((f): f is string => typeof f === 'string') : undefined;
    items.push({ message: message ?? errorCode ?? 'unknown error', errorCode: errorCode ?? 'UNKNOWN', ...(fields ? { fields } : {}) });
  }
  return items;
}

/** Extracts a readable line from an HTML error page (title, or first heading). */
function htmlSummary(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  const heading = /<h[1-3][^>]*>([^<]*)<\/h[1-3]>/i.exec(text)?.[1]?.trim();
  const summary = title || heading || text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  return summary || 'empty HTML page';
}

/** What `errorFromResponse` needs to know about a response. */
export interface ErrorResponseInfo {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body text (or empty). */
  readonly text: string;
}

/** Picks the request id Salesforce (or a gateway) put on a response. */
export function requestIdOf(headers: Readonly<Record<string, string>>): string | undefined {
  return headers['sforce-request-id'] ?? headers['x-request-id'] ?? headers['x-sfdc-request-id'] ?? undefined;
}

/** The class for an error code and status. */
export function errorClassFor(status: number, errorCode: string | undefined): typeof SalesforceError {
  if (errorCode !== undefined) {
    if (AUTH_CODES.has(errorCode)) return AuthError;
    if (LIMIT_CODES.has(errorCode)) return LimitError;
    if (NOT_FOUND_CODES.has(errorCode)) return NotFoundError;
    if (DUPLICATE_CODES.has(errorCode)) return DuplicateError;
    if (LOCK_CODES.has(errorCode)) return LockError;
    if (QUERY_CODES.has(errorCode)) return MalformedQueryError;
  }
  if (status === 401) return AuthError;
  if (status === 429) return LimitError;
  if (status === 404) return NotFoundError;
  if (status === 300) return AmbiguousExternalIdError;
  if (status >= 500) return ServerError;
  if (status === 400 && errorCode !== undefined) return ValidationError;
  return SalesforceError;
}

/**
 * Builds the typed error for a non-2xx response. Parses Salesforce's JSON error arrays, OAuth
 * `{error, error_description}` objects and HTML pages from gateways.
 */
export function errorFromResponse(response: ErrorResponseInfo, request: RequestInfo): SalesforceError {
  const contentType = response.headers['content-type'] ?? '';
  const trimmed = response.text.trimStart();
  let body: unknown = undefined;
  let items: SalesforceErrorItem[] = [];
  let message: string;
  if (trimmed.startsWith('<') || contentType.includes('html')) {
    body = response.text.slice(0, 2000);
    message = `HTTP ${response.status} with an HTML page: ${htmlSummary(response.text)}`;
  } else if (trimmed.length === 0) {
    message = `HTTP ${response.status} with an empty body`;
  } else {
    try {
      body = JSON.parse(response.text);
      items = parseErrorItems(body);
    } catch {
      body = response.text.slice(0, 2000);
    }
    const first = items[0];
    message = first
      ? `${first.errorCode}: ${first.message}${items.length > 1 ? ` (and ${items.length - 1} more)` : ''}`
      : `HTTP ${response.status}: ${typeof body === 'string' ? body.slice(0, 200) : 'unrecognized error body'}`;
  }
  const first = items[0];
  const Cls = errorClassFor(response.status, first?.errorCode);
  return new Cls({
    message,
    status: response.status,
    errorCode: first?.errorCode,
    fields: first?.fields,
    requestId: requestIdOf(response.headers),
    request,
    body,
    errors: items,
  });
}
