/**
 * Optional OpenTelemetry adapter. It subscribes to the runtime's diagnostics channels and turns
 * them into spans (one per logical operation, with sObject and API version) and metrics
 * (`sf_requests_total`, `sf_request_duration_seconds`, `sf_rate_limit_remaining`).
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
import { CHANNELS, type LimitUsageMessage, type OperationEndMessage } from './channels.js';

type Attributes = Record<string, string | number | boolean>;

/** The slice of `@opentelemetry/api` the adapter uses (structural, so no dependency). */
export interface OtelApiLike {
  trace: { getTracer(name: string, version?: string): OtelTracerLike };
  metrics: { getMeter(name: string, version?: string): OtelMeterLike };
  SpanStatusCode?: { ERROR: number; OK: number };
}
export interface OtelTracerLike {
  startSpan(name: string, options?: { startTime?: number; attributes?: Attributes; kind?: number }): OtelSpanLike;
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

  const onOperation = (message: unknown): void => {
    const m = message as OperationEndMessage;
    const attributes: Attributes = { 'sf.operation': m.operation, 'http.request.method': m.method, 'sf.api_version': m.apiVersion ?? '' };
    if (m.sobject) attributes['sf.sobject'] = m.sobject;
    if (m.status !== undefined) attributes['http.response.status_code'] = m.status;
    if (m.errorCode) attributes['sf.error_code'] = m.errorCode;
    const end = Date.now();
    const span = tracer.startSpan(`salesforce ${m.operation}${m.sobject ? ` ${m.sobject}` : ''}`, { startTime: end - m.durationMs, attributes, kind: SPAN_KIND_CLIENT });
    if (!m.ok) span.setStatus({ code: errorCode, message: m.errorCode ?? `HTTP ${m.status ?? 'error'}` });
    span.end(end);
    const metricAttributes: Attributes = { operation: m.operation, outcome: m.ok ? 'ok' : 'error' };
    if (m.sobject) metricAttributes.sobject = m.sobject;
    if (m.status !== undefined) metricAttributes.status = m.status;
    requests.add(1, metricAttributes);
    duration.record(m.durationMs / 1000, metricAttributes);
  };
  const onUsage = (message: unknown): void => {
    lastUsage = message as LimitUsageMessage;
  };
  diagnostics_channel.subscribe(CHANNELS.operationEnd, onOperation);
  diagnostics_channel.subscribe(CHANNELS.limitUsage, onUsage);
  return {
    enabled: true,
    dispose() {
      diagnostics_channel.unsubscribe(CHANNELS.operationEnd, onOperation);
      diagnostics_channel.unsubscribe(CHANNELS.limitUsage, onUsage);
    },
  };
}
