/**
 * `instrumentOpenTelemetry({ api })` accepts the shape of `@opentelemetry/api` (not installed here):
 * the signatures below model the real ones (ContextAPI.with is generic over the function and its
 * arguments; TraceAPI.setSpan is a function-valued property over the API's Context and Span).
 */
import { describe, expectTypeOf, it } from 'vitest';
import { instrumentOpenTelemetry, type OtelApiLike } from '../../../runtime/observability/otel.js';

interface Context {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): Context;
  deleteValue(key: symbol): Context;
}
type AttributeValue = string | number | boolean | string[] | number[] | boolean[];
enum SpanKind { INTERNAL = 0, SERVER = 1, CLIENT = 2 }
enum SpanStatusCode { UNSET = 0, OK = 1, ERROR = 2 }
interface SpanOptions { kind?: SpanKind; attributes?: Record<string, AttributeValue | undefined>; startTime?: number | Date; root?: boolean }
interface Span {
  setAttribute(key: string, value: AttributeValue): this;
  setStatus(status: { code: SpanStatusCode; message?: string }): this;
  end(endTime?: number | Date): void;
  isRecording(): boolean;
}
interface Tracer {
  startSpan(name: string, options?: SpanOptions, context?: Context): Span;
}
declare class ContextAPI {
  active(): Context;
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F>;
}
declare class TraceAPI {
  getTracer(name: string, version?: string): Tracer;
  setSpan: (context: Context, span: Span) => Context;
  getSpan: (context: Context) => Span | undefined;
}
interface Meter {
  createCounter(name: string, options?: { description?: string; unit?: string }): { add(value: number, attributes?: Record<string, AttributeValue>): void };
  createHistogram(name: string, options?: { description?: string; unit?: string }): { record(value: number, attributes?: Record<string, AttributeValue>): void };
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): {
    addCallback(cb: (result: { observe(value: number, attributes?: Record<string, AttributeValue>): void }) => void): void;
  };
}
declare const api: { trace: TraceAPI; context: ContextAPI; metrics: { getMeter(name: string, version?: string): Meter }; SpanStatusCode: typeof SpanStatusCode };

describe('OtelApiLike', () => {
  it('accepts the @opentelemetry/api namespace shape', () => {
    expectTypeOf(api).toExtend<OtelApiLike>();
    expectTypeOf(instrumentOpenTelemetry).toBeCallableWith({ api });
  });

  it('rejects an object that is no OpenTelemetry API', () => {
    // @ts-expect-error a tracer-less object is not an OpenTelemetry API
    void instrumentOpenTelemetry({ api: { metrics: api.metrics } });
    // @ts-expect-error context.with must run a function in a context
    void instrumentOpenTelemetry({ api: { ...api, context: { active: () => 1, with: 2 } } });
  });
});
