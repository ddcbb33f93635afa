/**
 * A circuit breaker per instance (origin). Closed: calls flow, consecutive failures are counted.
 * Open (after `failureThreshold` consecutive failures): calls fail fast with `CircuitOpenError`
 * for `openMs`. Half-open: one probe goes through; success closes the circuit, failure re-opens it.
 * Failures are 5xx answers, timeouts and broken connections, and `REQUEST_LIMIT_EXCEEDED`.
 *
 * The client places the breaker OUTSIDE the retry loop (see `buildInterceptors`), so it counts
 * calls: a call that exhausted its retries is one failure, and a call admitted while the circuit
 * was closed finishes its retries even if other calls open the circuit meanwhile.
 */
import { CircuitOpenError, NetworkError, safePath } from '../errors.js';
import { channels } from '../diagnostics.js';
import type { Interceptor, SfResponse } from '../transport/types.js';
import { responseErrorCode } from './retry.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before letting a probe through (ms). */
  openMs: number;
  /** Called on every state change (also published on `sfgen:circuit:state`). */
  onStateChange?: ((change: { key: string; from: CircuitState; to: CircuitState; reason: string }) => void) | undefined;
  now?: (() => number) | undefined;
}

export const DEFAULT_CIRCUIT_BREAKER: Readonly<Pick<CircuitBreakerOptions, 'failureThreshold' | 'openMs'>> = Object.freeze({
  failureThreshold: 5,
  openMs: 30_000,
});

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number;
  probing: boolean;
}

/** Whether a response counts as a failure of the instance. */
export function isFailureResponse(response: SfResponse): boolean {
  if (response.status >= 500) return true;
  if (response.status === 429) return true;
  if (response.status >= 400) return responseErrorCode(response).errorCode === 'REQUEST_LIMIT_EXCEEDED';
  return false;
}

/** Circuit breakers keyed by instance origin. */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #circuits = new Map<string, Circuit>();
  readonly #now: () => number;

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.#options = { ...DEFAULT_CIRCUIT_BREAKER, ...options };
    this.#now = options.now ?? Date.now;
  }

  /** The state for an instance origin (`closed` when never seen). */
  state(key: string): CircuitState {
    const circuit = this.#circuits.get(key);
    if (!circuit) return 'closed';
    if (circuit.state === 'open' && this.#now() - circuit.openedAt >= this.#options.openMs) return 'half-open';
    return circuit.state;
  }

  #circuit(key: string): Circuit {
    let circuit = this.#circuits.get(key);
    if (!circuit) {
      circuit = { state: 'closed', failures: 0, openedAt: 0, probing: false };
      this.#circuits.set(key, circuit);
    }
    return circuit;
  }

  #move(key: string, circuit: Circuit, to: CircuitState, reason: string): void {
    const from = circuit.state;
    if (from === to) return;
    circuit.state = to;
    if (to === 'open') circuit.openedAt = this.#now();
    if (to === 'closed') circuit.failures = 0;
    const change = { key, from, to, reason };
    this.#options.onStateChange?.(change);
    if (channels.circuitState.hasSubscribers) channels.circuitState.publish(change);
  }

  /** The circuit of `key` when it is closed (the fast path), else undefined. */
  closed(key: string): { failures: number } | undefined {
    const circuit = this.#circuits.get(key);
    if (circuit === undefined) return this.#circuit(key);
    return circuit.state === 'closed' ? circuit : undefined;
  }

  /** Admits a call or throws `CircuitOpenError`. Returns whether the call is the half-open probe. */
  admit(key: string, describe: () => { method: string; path: string }): boolean {
    const circuit = this.#circuit(key);
    if (circuit.state === 'closed') return false;
    if (circuit.state === 'open') {
      const retryAt = circuit.openedAt + this.#options.openMs;
      if (this.#now() < retryAt) {
        throw new CircuitOpenError({ message: `circuit open for ${key} after ${circuit.failures} consecutive failures; failing fast until ${new Date(retryAt).toISOString()}`, request: describe(), retryAt });
      }
      this.#move(key, circuit, 'half-open', 'open period elapsed');
    }
    if (circuit.probing) {
      throw new CircuitOpenError({ message: `circuit half-open for ${key}: a probe request is in flight; failing fast`, request: describe(), retryAt: this.#now() + 1000 });
    }
    circuit.probing = true;
    return true;
  }

  success(key: string, probe: boolean): void {
    const circuit = this.#circuit(key);
    if (probe) circuit.probing = false;
    circuit.failures = 0;
    if (circuit.state !== 'closed') this.#move(key, circuit, 'closed', 'probe succeeded');
  }

  failure(key: string, probe: boolean, reason: string): void {
    const circuit = this.#circuit(key);
    if (probe) circuit.probing = false;
    circuit.failures++;
    if (circuit.state === 'half-open') this.#move(key, circuit, 'open', `probe failed: ${reason}`);
    else if (circuit.state === 'closed' && circuit.failures >= this.#options.failureThreshold) {
      this.#move(key, circuit, 'open', `${circuit.failures} consecutive failures, last: ${reason}`);
    }
  }

  /** Settles a probe that ended neither way (aborted). */
  release(key: string, probe: boolean): void {
    if (probe) this.#circuit(key).probing = false;
  }
}

/**
 * The circuit key of a request URL: the origin of an absolute URL (`https://host:port`), without
 * allocating a URL object, or `instance` for an instance-relative path (the client's instance).
 */
function keyOf(url: string): string {
  if (url.startsWith('/')) return 'instance';
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return 'instance';
  const pathStart = url.indexOf('/', schemeEnd + 3);
  return pathStart < 0 ? url : url.slice(0, pathStart);
}

export function circuitBreakerInterceptor(breaker: CircuitBreaker): Interceptor {
  // Requests of one client almost always go to one instance: reuse the last key (no slice per
  // request) when the URL starts with it and continues with the path.
  let lastKey = '';
  const keyFor = (url: string): string => {
    if (lastKey !== '' && url.startsWith(lastKey) && url.charCodeAt(lastKey.length) === 47 /* '/' */) return lastKey;
    const key = keyOf(url);
    if (key !== 'instance') lastKey = key;
    return key;
  };
  return (next) => (request) => {
    const key = keyFor(request.url);
    const closed = breaker.closed(key);
    if (closed !== undefined) {
      // Fast path: a closed circuit only counts consecutive failures.
      return next(request).then(
        (response) => {
          if (isFailureResponse(response)) breaker.failure(key, false, `HTTP ${response.status}`);
          else closed.failures = 0;
          return response;
        },
        (err: unknown) => {
          if (err instanceof NetworkError) breaker.failure(key, false, err.causeCode ?? err.code);
          throw err;
        },
      );
    }
    let probe: boolean;
    try {
      probe = breaker.admit(key, () => ({ method: request.method, path: safePath(request.url) }));
    } catch (err) {
      return Promise.reject(err);
    }
    return next(request).then(
      (response) => {
        if (isFailureResponse(response)) breaker.failure(key, probe, `HTTP ${response.status}`);
        else breaker.success(key, probe);
        return response;
      },
      (err: unknown) => {
        if (err instanceof NetworkError) breaker.failure(key, probe, err.causeCode ?? err.code);
        else breaker.release(key, probe);
        throw err;
      },
    );
  };
}
