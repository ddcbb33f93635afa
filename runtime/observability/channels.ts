/**
 * The diagnostics channels live in `runtime/diagnostics.ts`, below every layer that publishes on
 * them (transport, auth, resilience); this module re-exports them for the observability layer and
 * for code that imported them from here.
 */
export * from '../diagnostics.js';
