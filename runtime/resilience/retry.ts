/**
 * Retry with exponential backoff and full jitter. Every default sits in {@link DEFAULT_RETRY}.
 *
 * What is retried: a request whose `idempotent` flag is set (reads, PATCH/DELETE by id, upsert by
 * external id, all-GET composite batches) when it fails transiently, and ANY request whose
 * connection failed before it was sent (`NetworkError.reachedServer === false`). A create that may
 * have reached Salesforce is never sent twice. Streamed request bodies are never resent.
 */
import { NetworkError, safePath } from '../errors.js';
import { channels } from '../observability/channels.js';
import { isReplayableBody, type Interceptor, type SfRequest, type SfResponse } from '../transport/types.js';
import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number;
  /** Cap of one backoff wait. */
  maxDelayMs: number;
  /** Cap of the whole call, waits included: no retry is started that would end after it. */
  maxElapsedMs: number;
  /** Honour `Retry-After` (seconds or HTTP date) on 429/503 and limit errors. */
  respectRetryAfter: boolean;
  /** A `Retry-After` longer than this is not waited for: the error is returned at once. */
  maxRetryAfterMs: number;
  /** HTTP statuses that are transient. */
  statuses: readonly number[];
  /** Salesforce `errorCode`s that are transient, whatever the status. */
  errorCodes: readonly string[];
  /** Network error codes that are transient. */
  networkCodes: readonly string[];
}

/** The retry defaults, in one visible block. */
export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
  respectRetryAfter: true,
  maxRetryAfterMs: 60_000,
  statuses: Object.freeze([429, 500, 502, 503, 504]),
  // UNABLE_TO_LOCK_ROW: lock contention clears; SERVER_UNAVAILABLE / REQUEST_TIMEOUT: gateway trouble.
  // REQUEST_LIMIT_EXCEEDED is retried only when it is a concurrency limit or carries Retry-After
  // (the daily limit does not clear by waiting seconds).
  errorCodes: Object.freeze(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'REQUEST_TIMEOUT']),
  networkCodes: Object.freeze([
    'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
    'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  ]),
});

/** Milliseconds to wait from a `Retry-After` header, or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The Salesforce errorCode of an error response (first item), without a full parse when possible. */
export function responseErrorCode(response: SfResponse): { errorCode: string | undefined; message: string } {
  if (response.status < 400 || response.body.length === 0 || response.body.length > 64 * 1024) return { errorCode: undefined, message: '' };
  const text = response.body.toString('utf8');
  const m = /"(?:errorCode|statusCode|error)"\s*:\s*"([^"]+)"/.exec(text);
  return { errorCode: m?.[1], message: text };
}

/** Why a response is worth retrying, or undefined. */
function transientResponse(response: SfResponse, options: RetryOptions): string | undefined {
  if (response.status < 400) return undefined;
  const { errorCode, message } = responseErrorCode(response);
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    return response.headers['retry-after'] !== undefined || /concurrent/i.test(message) ? `${response.status} ${errorCode}` : undefined;
  }
  if (errorCode !== undefined && options.errorCodes.includes(errorCode)) return `${response.status} ${errorCode}`;
  if (options.statuses.includes(response.status)) return `HTTP ${response.status}`;
  return undefined;
}

function transientError(err: unknown, request: SfRequest, options: RetryOptions): string | undefined {
  if (!(err instanceof NetworkError)) return undefined;
  const code = err.causeCode ?? '';
  if (!options.networkCodes.includes(code)) return undefined;
  // A request that never left may always be resent; one that may have reached Salesforce only if idempotent.
  if (!err.reachedServer || request.idempotent) return `network ${code}`;
  return undefined;
}

/** Full-jitter exponential backoff for attempt n (1-based count of failures so far). */
export function backoffDelay(failures: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failures - 1));
  return Math.floor(random() * ceiling);
}

/** The answer when no retry is made: the response as it came, or the error rethrown. */
function giveUp(response: SfResponse | undefined, error: unknown): SfResponse {
  if (response !== undefined) return response;
  throw error;
}

export function retryInterceptor(userOptions: Partial<RetryOptions> = {}, random: () => number = Math.random): Interceptor {
  const options: RetryOptions = { ...DEFAULT_RETRY, ...userOptions };
  return (next) => {
    // Built once per chain, not per request: a first attempt that succeeds costs one `then` and
    // no closure besides its two callbacks.
    const attempt = (request: SfRequest, n: number, started: number): Promise<SfResponse> =>
      next(request).then(
        (response) => (response.status < 400 ? response : decide(request, n, started, response, undefined)),
        (error: unknown) => decide(request, n, started, undefined, error),
      );
    const decide = (request: SfRequest, n: number, started: number, response: SfResponse | undefined, error: unknown): Promise<SfResponse> | SfResponse => {
      if (n >= options.maxAttempts || !isReplayableBody(request.body)) return giveUp(response, error);
      const reason = response !== undefined
        ? request.idempotent ? transientResponse(response, options) : undefined
        : transientError(error, request, options);
      if (reason === undefined) return giveUp(response, error);
      let delay = backoffDelay(n, options, random);
      const retryAfter = options.respectRetryAfter ? parseRetryAfter(response?.headers['retry-after']) : undefined;
      if (retryAfter !== undefined) {
        if (retryAfter > options.maxRetryAfterMs) return giveUp(response, error);
        delay = retryAfter;
      }
      if (Date.now() - started + delay > options.maxElapsedMs) return giveUp(response, error);
      if (channels.retry.hasSubscribers) {
        channels.retry.publish({ method: request.method, url: safePath(request.url), attempt: n, delayMs: delay, reason, operation: request.operation });
      }
      // Discard an unread stream of the failed attempt.
      response?.stream?.resume();
      return sleep(delay, request.signal, { method: request.method, path: safePath(request.url) }).then(() => attempt(request, n + 1, started));
    };
    return (request) => attempt(request, 1, Date.now());
  };
}
