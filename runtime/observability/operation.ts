/**
 * The outermost interceptor: one `sfgen:operation:end` message per logical call (all retries
 * included), and the hook through which the OpenTelemetry adapter runs each call inside its span
 * (so that the span is a child of the caller's active span and the parent of anything the call
 * does, HTTP-level instrumentation included). Free when unobserved.
 */
import { SalesforceError } from '../errors.js';
import type { Interceptor, SfRequest, SfResponse } from '../transport/types.js';
import { channels } from '../diagnostics.js';

/** What an operation wrapper knows about the call it wraps. */
export interface OperationInfo {
  readonly operation: string;
  readonly sobject: string | undefined;
  readonly method: string;
  readonly apiVersion: string;
}

/**
 * Runs one logical call (`run`) and returns its result unchanged. Called in the caller's async
 * context, so a tracer can read the active span there and run `run` inside a child context.
 */
export type OperationWrapper = (info: OperationInfo, run: () => Promise<SfResponse>) => Promise<SfResponse>;

const wrappers: OperationWrapper[] = [];

/**
 * Registers a wrapper around every logical call of every client; returns its removal. Wrappers
 * registered later run inside earlier ones.
 */
export function addOperationWrapper(wrapper: OperationWrapper): () => void {
  wrappers.push(wrapper);
  return () => {
    const i = wrappers.indexOf(wrapper);
    if (i >= 0) wrappers.splice(i, 1);
  };
}

function wrapped(info: OperationInfo, run: () => Promise<SfResponse>, index: number): Promise<SfResponse> {
  const wrapper = wrappers[index];
  return wrapper === undefined ? run() : wrapper(info, () => wrapped(info, run, index + 1));
}

export function operationInterceptor(apiVersion: string): Interceptor {
  return (next) => {
    const observed = async (request: SfRequest): Promise<SfResponse> => {
      const started = performance.now();
      const base = { operation: request.operation ?? 'request', sobject: request.sobject, method: request.method, apiVersion };
      try {
        const response = await (wrappers.length === 0 ? next(request) : wrapped(base, () => next(request), 0));
        if (channels.operationEnd.hasSubscribers) {
          channels.operationEnd.publish({ ...base, status: response.status, durationMs: performance.now() - started, ok: response.status < 400 });
        }
        return response;
      } catch (err) {
        if (channels.operationEnd.hasSubscribers) {
          const e = err instanceof SalesforceError ? err : undefined;
          channels.operationEnd.publish({ ...base, status: e?.status, errorCode: e?.errorCode ?? e?.code, durationMs: performance.now() - started, ok: false });
        }
        throw err;
      }
    };
    // Not async on the fast path: an unobserved call costs two reads.
    return (request) => (wrappers.length === 0 && !channels.operationEnd.hasSubscribers ? next(request) : observed(request));
  };
}
