/**
 * Retry with exponential backoff and full jitter, inside one deadline per call. Every default sits
 * in {@link DEFAULT_RETRY}.
 *
 * What is retried: a request whose `idempotent` flag is set (reads, PATCH/DELETE by id, upsert by
 * external id, all-GET composite batches) when it fails transiently or its answer does not come
 * within the attempt's timeout, and ANY request whose connection failed before it was sent
 * (`NetworkError.reachedServer === false`). A create that may have reached Salesforce is never
 * sent twice. Streamed request bodies are never resent.
 *
 * The deadline (`maxElapsedMs`, the client's `deadlineMs`, or a call's own `deadlineMs`) bounds
 * every attempt, backoff wait and timeout of a call together. An attempt of an idempotent request
 * that may still be retried gets `attemptTimeoutMs` (default: half the deadline) so that a stalled
 * answer leaves time for another attempt; an attempt that cannot be retried gets what is left of
 * the deadline. No retry is started that could not begin before the deadline.
 *
 * The outcome records its attempts: an answer after a retry carries {@link SfResponse.attempts},
 * an error carries `attempts` and `earlierAttemptMayHaveApplied` (and says so in its message).
 */
import { AbortedError, NetworkError, SalesforceError, TimeoutError, mayHaveBeenApplied, noteAttempts, safePath, type AttemptInfo } from '../errors.js';
import { channels } from '../diagnostics.js';
import { isReplayableBody, type Dispatch, type Interceptor, type SfRequest, type SfResponse } from '../transport/types.js';
import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number;
  /** Cap of one backoff wait. */
  maxDelayMs: number;
  /**
   * The default deadline of a call (ms): every attempt, backoff wait and timeout together. The
   * client's `deadlineMs` and a call's own `deadlineMs` override it.
   */
  maxElapsedMs: number;
  /**
   * Timeout of one attempt of an idempotent request that may still be retried (ms). Default
   * (undefined): half the call's deadline. Never more than what is left of the deadline.
   */
  attemptTimeoutMs?: number | undefined;
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
  attemptTimeoutMs: undefined,
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

/** The `causeCode` of a {@link TimeoutError} raised when an attempt's share of the deadline ran out. */
export const ATTEMPT_TIMEOUT = 'SF_ATTEMPT_TIMEOUT';

function transientError(err: unknown, request: SfRequest, options: RetryOptions): string | undefined {
  if (!(err instanceof NetworkError)) return undefined;
  const code = err.causeCode ?? '';
  // A stalled idempotent request is tried again while the deadline allows.
  if (code === ATTEMPT_TIMEOUT) return request.idempotent ? 'attempt timeout' : undefined;
  if (!options.networkCodes.includes(code)) return undefined;
  // A request that never left may always be resent; one that may have reached Salesforce only if idempotent.
  if (!err.reachedServer || request.idempotent) return `network ${code}`;
  return undefined;
}

/**
 * Whether an error answer leaves open that the attempt was applied: a 500/502/504 without
 * Salesforce's JSON error array (a gateway page, an empty body).
 */
export function responseMayHaveApplied(response: SfResponse): boolean {
  if (response.status !== 500 && response.status !== 502 && response.status !== 504) return false;
  return responseErrorCode(response).errorCode === undefined;
}

/** Full-jitter exponential backoff for attempt n (1-based count of failures so far). */
export function backoffDelay(failures: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failures - 1));
  return Math.floor(random() * ceiling);
}

/** One call in the retry loop. */
interface Call {
  readonly request: SfRequest;
  readonly deadlineMs: number;
  /** Epoch ms by which everything must be over. */
  readonly deadline: number;
  /** Whether an attempt so far may have been applied. */
  mayHaveApplied: boolean;
}

function info(call: Call, attempts: number): AttemptInfo {
  return { attempts, earlierAttemptMayHaveApplied: call.mayHaveApplied };
}

/**
 * Runs one attempt with a timeout: resolves with the answer, or rejects with the attempt's error,
 * a {@link TimeoutError} when `ms` passed first (whatever the layers below were waiting for, a
 * token included), or an {@link AbortedError} as soon as the caller's signal fires.
 */
function timedAttempt(next: Dispatch, request: SfRequest, ms: number, lastChance: boolean, deadlineMs: number): Promise<SfResponse> {
  const controller = new AbortController();
  const outer = request.signal;
  return new Promise<SfResponse>((resolve, reject) => {
    let settled = false;
    let onOuterAbort: (() => void) | undefined;
    const describe = () => ({ method: request.method, path: safePath(request.url) });
    const release = (): void => {
      if (onOuterAbort !== undefined) outer?.removeEventListener('abort', onOuterAbort);
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      release();
      const message = lastChance
        ? `no answer before the call's deadline of ${deadlineMs} ms`
        : `no answer within ${ms} ms (this attempt's share of the call's deadline of ${deadlineMs} ms)`;
      const error = new TimeoutError({ message, request: describe(), reachedServer: true, causeCode: ATTEMPT_TIMEOUT });
      controller.abort(error);
      reject(error);
    }, ms);
    if (outer !== undefined) {
      onOuterAbort = () => {
        controller.abort(outer.reason);
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        release();
        reject(new AbortedError({ message: 'request aborted', request: describe(), cause: outer.reason }));
      };
      if (outer.aborted) onOuterAbort();
      else outer.addEventListener('abort', onOuterAbort, { once: true });
    }
    if (settled) return;
    next({ ...request, signal: controller.signal }).then(
      (response) => {
        if (settled) {
          response.stream?.resume();
          return;
        }
        settled = true;
        clearTimeout(timer);
        // A streamed body is still being read: keep passing the caller's abort on to it.
        if (response.stream === undefined) release();
        resolve(response);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        release();
        reject(error);
      },
    );
  });
}

export function retryInterceptor(userOptions: Partial<RetryOptions> = {}, random: () => number = Math.random): Interceptor {
  const options: RetryOptions = { ...DEFAULT_RETRY };
  for (const [key, value] of Object.entries(userOptions)) if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  if (!(options.maxElapsedMs > 0)) throw new RangeError(`retry.maxElapsedMs (the default deadline) must be a positive number of ms, got ${options.maxElapsedMs}`);
  if (!(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)) throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${options.maxAttempts}`);
  return (next) => {
    const attempt = (call: Call, n: number): Promise<SfResponse> => {
      const request = call.request;
      const remaining = call.deadline - Date.now();
      const retryable = n < options.maxAttempts && isReplayableBody(request.body);
      const share = request.idempotent && retryable ? Math.min(remaining, options.attemptTimeoutMs ?? Math.ceil(call.deadlineMs / 2)) : remaining;
      return timedAttempt(next, request, Math.max(1, share), share >= remaining, call.deadlineMs).then(
        (response) => (response.status < 400 ? finish(call, n, response) : decide(call, n, response, undefined)),
        (error: unknown) => decide(call, n, undefined, error),
      );
    };
    const finish = (call: Call, n: number, response: SfResponse): SfResponse => (n === 1 ? response : { ...response, attempts: info(call, n) });
    /** The answer when no retry is made: the response as it came, or the error rethrown, with the attempts noted. */
    const giveUp = (call: Call, n: number, response: SfResponse | undefined, error: unknown): SfResponse => {
      if (response !== undefined) return finish(call, n, response);
      if (n > 1 && error instanceof SalesforceError) noteAttempts(error, info(call, n));
      throw error;
    };
    const decide = (call: Call, n: number, response: SfResponse | undefined, error: unknown): Promise<SfResponse> | SfResponse => {
      const request = call.request;
      if (n >= options.maxAttempts || !isReplayableBody(request.body)) return giveUp(call, n, response, error);
      const reason = response !== undefined
        ? request.idempotent ? transientResponse(response, options) : undefined
        : transientError(error, request, options);
      if (reason === undefined) return giveUp(call, n, response, error);
      let delay = backoffDelay(n, options, random);
      const retryAfter = options.respectRetryAfter ? parseRetryAfter(response?.headers['retry-after']) : undefined;
      if (retryAfter !== undefined) {
        if (retryAfter > options.maxRetryAfterMs) return giveUp(call, n, response, error);
        delay = retryAfter;
      }
      // The next attempt must be able to start (and get a little time) before the deadline.
      if (Date.now() + delay + 10 >= call.deadline) return giveUp(call, n, response, error);
      const applied = response !== undefined ? responseMayHaveApplied(response) : mayHaveBeenApplied(error);
      if (channels.retry.hasSubscribers) {
        channels.retry.publish({ method: request.method, url: safePath(request.url), attempt: n, delayMs: delay, reason, operation: request.operation });
      }
      // Discard an unread stream of the failed attempt.
      response?.stream?.resume();
      call.mayHaveApplied ||= applied;
      return sleep(delay, request.signal, { method: request.method, path: safePath(request.url) }).then(
        () => attempt(call, n + 1),
        (abort: unknown) => giveUp(call, n, undefined, abort),
      );
    };
    return (request) => {
      const deadlineMs = request.deadlineMs ?? options.maxElapsedMs;
      if (!(deadlineMs > 0)) return Promise.reject(new RangeError(`deadlineMs must be a positive number of ms, got ${String(deadlineMs)}`));
      return attempt({ request, deadlineMs, deadline: Date.now() + deadlineMs, mayHaveApplied: false }, 1);
    };
  };
}
