export { CHANNELS } from '../diagnostics.js';
export type * from '../diagnostics.js';
export { instrumentOpenTelemetry } from './otel.js';
export type { OtelApiLike, OtelContextApiLike, OtelHandle, OtelMeterLike, OtelSpanLike, OtelTracerLike } from './otel.js';
