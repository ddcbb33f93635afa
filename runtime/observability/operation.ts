/**
 * The outermost interceptor: one `sfgen:operation:end` message per logical call (all retries
 * included), which the OpenTelemetry adapter turns into spans and metrics. Free when unobserved.
 */
import { SalesforceError } from '../errors.js';
import type { Interceptor, SfRequest, SfResponse } from '../transport/types.js';
import { channels } from './channels.js';

export function operationInterceptor(apiVersion: string): Interceptor {
  return (next) => {
    const observed = async (request: SfRequest): Promise<SfResponse> => {
    const started = performance.now();
    const base = { operation: request.operation ?? 'request', sobject: request.sobject, method: request.method, apiVersion };
    try {
      const response = await next(request);
      channels.operationEnd.publish({ ...base, status: response.status, durationMs: performance.now() - started, ok: response.status < 400 });
      return response;
    } catch (err) {
      const e = err instanceof SalesforceError ? err : undefined;
      channels.operationEnd.publish({ ...base, status: e?.status, errorCode: e?.errorCode ?? e?.code, durationMs: performance.now() - started, ok: false });
      throw err;
    }
    };
    // Not async on the fast path: an unobserved call costs one property read.
    return (request) => (channels.operationEnd.hasSubscribers ? observed(request) : next(request));
  };
}
