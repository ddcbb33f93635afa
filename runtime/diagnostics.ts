/**
 * `node:diagnostics_channel` channels the runtime publishes on. Subscribing costs nothing when
 * nobody listens: every publisher checks `hasSubscribers` before building a message. Messages never
 * carry headers, tokens or bodies; URLs are stripped of secret query parameters.
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * import { CHANNELS } from 'sfgen/runtime';
 * diagnostics_channel.subscribe(CHANNELS.requestEnd, (m) => console.log(m));
 * ```
 */
import diagnostics_channel from 'node:diagnostics_channel';

/** Channel names. */
export const CHANNELS = {
  /** One HTTP exchange starts: {@link RequestStartMessage}. */
  requestStart: 'sfgen:request:start',
  /** One HTTP exchange ended with a response: {@link RequestEndMessage}. */
  requestEnd: 'sfgen:request:end',
  /** One HTTP exchange failed without a response: {@link RequestErrorMessage}. */
  requestError: 'sfgen:request:error',
  /** A retry is scheduled: {@link RetryMessage}. */
  retry: 'sfgen:retry',
  /** A circuit breaker changed state: {@link CircuitStateMessage}. */
  circuitState: 'sfgen:circuit:state',
  /** API usage crossed the warning threshold: {@link LimitWarningMessage}. */
  limitWarning: 'sfgen:limits:warning',
  /** API usage changed (every `Sforce-Limit-Info`): {@link LimitUsageMessage}. */
  limitUsage: 'sfgen:limits:usage',
  /** The token manager fetched a token: {@link TokenRefreshMessage}. */
  tokenRefresh: 'sfgen:auth:refresh',
  /** A logical operation (all attempts) finished: {@link OperationEndMessage}. */
  operationEnd: 'sfgen:operation:end',
} as const;

export interface RequestStartMessage { id: number; method: string; url: string; operation?: string | undefined; sobject?: string | undefined }
export interface RequestEndMessage extends RequestStartMessage { status: number; durationMs: number }
export interface RequestErrorMessage extends RequestStartMessage { error: string; code: string; durationMs: number }
export interface RetryMessage { method: string; url: string; attempt: number; delayMs: number; reason: string; operation?: string | undefined }
export interface CircuitStateMessage { key: string; from: 'closed' | 'open' | 'half-open'; to: 'closed' | 'open' | 'half-open'; reason: string }
export interface LimitUsageMessage { used: number; max: number; ratio: number; app?: { name: string; used: number; max: number } | undefined }
export interface LimitWarningMessage extends LimitUsageMessage { threshold: number }
export interface TokenRefreshMessage { provider: string; reason: 'initial' | 'expiring' | 'rejected'; durationMs: number; ok: boolean }
export interface OperationEndMessage {
  operation: string; sobject?: string | undefined; method: string; apiVersion?: string | undefined;
  status?: number | undefined; errorCode?: string | undefined; durationMs: number; ok: boolean;
}

export const channels = {
  requestStart: diagnostics_channel.channel(CHANNELS.requestStart),
  requestEnd: diagnostics_channel.channel(CHANNELS.requestEnd),
  requestError: diagnostics_channel.channel(CHANNELS.requestError),
  retry: diagnostics_channel.channel(CHANNELS.retry),
  circuitState: diagnostics_channel.channel(CHANNELS.circuitState),
  limitWarning: diagnostics_channel.channel(CHANNELS.limitWarning),
  limitUsage: diagnostics_channel.channel(CHANNELS.limitUsage),
  tokenRefresh: diagnostics_channel.channel(CHANNELS.tokenRefresh),
  operationEnd: diagnostics_channel.channel(CHANNELS.operationEnd),
};
