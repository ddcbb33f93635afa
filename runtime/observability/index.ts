export { CHANNELS } from './channels.js';
export type * from './channels.js';
export { instrumentOpenTelemetry } from './otel.js';
export type { OtelApiLike, OtelContextApiLike, OtelHandle, OtelMeterLike, OtelSpanLike, OtelTracerLike } from './otel.js';
