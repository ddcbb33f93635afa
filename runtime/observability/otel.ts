/**
 * Optional OpenTelemetry adapter: one span per logical operation (with sObject and API version)
 * and the metrics `sf_requests_total`, `sf_request_duration_seconds`, `sf_rate_limit_remaining`.
 *
 * Each span starts when the call starts, as a child of the span active in the caller's context
 * (`api.context.active()`, which the SDK's AsyncLocalStorage context manager carries across
 * awaits), and the call runs inside the span's context (`api.context.with`), so whatever the call
 * does (HTTP instrumentation, diagnostics subscribers) sees the sfgen span as its parent.
 *
 * The OpenTelemetry API is NOT a dependency: pass it in (`{ api }`), or the adapter tries to load
 * `@opentelemetry/api` and, when it is not installed, returns `{ enabled: false }` without
 * subscribing to anything, so the runtime keeps skipping every message (zero cost).
 *
 * @example
 * ```ts
 * import * as api from '@opentelemetry/api';
 * const otel = await instrumentOpenTelemetry({ api });
 * // ... later
 * otel.dispose();
 * ```
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { SalesforceError } from '../errors.js';
import type { SfResponse } from '../transport/types.js';
import { CHANNELS, type LimitUsageMessage, type OperationEndMessage } from '../diagnostics.js';
import { addOperationWrapper, type OperationInfo } from './operation.js';

type Attributes = Record<string, string | number | boolean>;

/**
 * The slice of `@opentelemetry/api` the adapter uses (structural, so no dependency). Without
 * `context` and `trace.setSpan` spans are still made, but not parented to the caller's span.
 */
export interface OtelApiLike {
  trace: {
    getTracer(name: string, version?: string): OtelTracerLike;
    /** A context like `context` with `span` as its active span. */
    setSpan?(context: unknown, span: OtelSpanLike): unknown;
  };
  metrics: { getMeter(name: string, version?: string): OtelMeterLike };
  /** The context API: the active context, and running a function inside a context. */
  context?: OtelContextApiLike;
  SpanStatusCode?: { ERROR: number; OK: number };
}
export interface OtelContextApiLike {
  active(): unknown;
  with<R>(context: unknown, fn: () => R): R;
}
export interface OtelTracerLike {
  /** `context` is the parent context (the span active in it becomes the parent). */
  startSpan(name: string, options?: { startTime?: number; attributes?: Attributes; kind?: number }, context?: unknown): OtelSpanLike;
}
export interface OtelSpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): void;
}
export interface OtelMeterLike {
  createCounter(name: string, options?: { description?: string; unit?: string }): { add(value: number, attributes?: Attributes): void };
  createHistogram(name: string, options?: { description?: string; unit?: string }): { record(value: number, attributes?: Attributes): void };
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): {
    addCallback(cb: (result: { observe(value: number, attributes?: Attributes): void }) => void): void;
  };
}

export interface OtelHandle {
  /** False when no OpenTelemetry API was given or installed: nothing is subscribed. */
  readonly enabled: boolean;
  /** Unsubscribes from every channel. */
  dispose(): void;
}

const SPAN_KIND_CLIENT = 2;

async function loadApi(): Promise<OtelApiLike | undefined> {
  const specifier = '@opentelemetry/api';
  try {
    const mod = (await import(specifier)) as { default?: OtelApiLike } & Partial<OtelApiLike>;
    const api = (mod.trace ? mod : mod.default) as OtelApiLike | undefined;
    return api?.trace && api.metrics ? api : undefined;
  } catch {
    return undefined;
  }
}

/** Subscribes the OpenTelemetry adapter. */
export async function instrumentOpenTelemetry(options: { api?: OtelApiLike; serviceName?: string } = {}): Promise<OtelHandle> {
  const api = options.api ?? (await loadApi());
  if (!api) return { enabled: false, dispose() {} };
  const tracer = api.trace.getTracer('sfgen', '0.1.0');
  const meter = api.metrics.getMeter('sfgen', '0.1.0');
  const requests = meter.createCounter('sf_requests_total', { description: 'Salesforce API operations' });
  const duration = meter.createHistogram('sf_request_duration_seconds', { description: 'Salesforce API operation duration', unit: 's' });
  const remaining = meter.createObservableGauge('sf_rate_limit_remaining', { description: 'Daily API requests remaining (Sforce-Limit-Info)' });
  let lastUsage: LimitUsageMessage | undefined;
  remaining.addCallback((result) => {
    if (lastUsage) result.observe(lastUsage.max - lastUsage.used, lastUsage.app ? { app: lastUsage.app.name } : {});
  });
  const errorCode = api.SpanStatusCode?.ERROR ?? 2;

  const contextApi = api.context;
  const setSpan = api.trace.setSpan?.bind(api.trace);

  // Spans: started in the caller's context, the call run inside the span's context.
  const traced = (info: OperationInfo, run: () => Promise<SfResponse>): Promise<SfResponse> => {
    const attributes: Attributes = { 'sf.operation': info.operation, 'http.request.method': info.method, 'sf.api_version': info.apiVersion };
    if (info.sobject) attributes['sf.sobject'] = info.sobject;
    const name = `salesforce ${info.operation}${info.sobject ? ` ${info.sobject}` : ''}`;
    const parent = contextApi?.active();
    const span = tracer.startSpan(name, { attributes, kind: SPAN_KIND_CLIENT }, parent);
    const inSpan = contextApi && setSpan ? () => contextApi.with(setSpan(parent, span), run) : run;
    let pending: Promise<SfResponse>;
    try {
      pending = inSpan();
    } catch (err) {
      pending = Promise.reject(err);
    }
    return pending.then(
      (response) => {
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) span.setStatus({ code: errorCode, message: `HTTP ${response.status}` });
        span.end();
        return response;
      },
      (err: unknown) => {
        const e = err instanceof SalesforceError ? err : undefined;
        if (e?.status !== undefined) span.setAttribute('http.response.status_code', e.status);
        const code = e?.errorCode ?? e?.code;
        if (code) span.setAttribute('sf.error_code', code);
        span.setStatus({ code: errorCode, message: code ?? (err instanceof Error ? err.name : 'error') });
        span.end();
        throw err;
      },
    );
  };

  // Metrics: from the operation-end messages.
  const onOperation = (message: unknown): void => {
    const m = message as OperationEndMessage;
    const metricAttributes: Attributes = { operation: m.operation, outcome: m.ok ? 'ok' : 'error' };
    if (m.sobject) metricAttributes.sobject = m.sobject;
    if (m.status !== undefined) metricAttributes.status = m.status;
    requests.add(1, metricAttributes);
    duration.record(m.durationMs / 1000, metricAttributes);
  };
  const onUsage = (message: unknown): void => {
    lastUsage = message as LimitUsageMessage;
  };
  const removeWrapper = addOperationWrapper(traced);
  diagnostics_channel.subscribe(CHANNELS.operationEnd, onOperation);
  diagnostics_channel.subscribe(CHANNELS.limitUsage, onUsage);
  return {
    enabled: true,
    dispose() {
      removeWrapper();
      diagnostics_channel.unsubscribe(CHANNELS.operationEnd, onOperation);
      diagnostics_channel.unsubscribe(CHANNELS.limitUsage, onUsage);
    },
  };
}
