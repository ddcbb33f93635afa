/**
 * `node:diagnostics_channel` channels of the Pub/Sub client, like the REST side's
 * (runtime/observability/channels.ts): nothing is built unless someone listens, and no message
 * carries a token or a payload.
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * import { PUBSUB_CHANNELS } from 'sfgen/pubsub';
 * diagnostics_channel.subscribe(PUBSUB_CHANNELS.warning, (m) => console.warn(m));
 * ```
 */
import diagnostics_channel from 'node:diagnostics_channel';

export const PUBSUB_CHANNELS = {
  /** A subscription (re)started a stream: {@link PubSubSubscribeMessage}. */
  subscribe: 'sfgen:pubsub:subscribe',
  /** A stream ended and will be resumed after a delay: {@link PubSubReconnectMessage}. */
  reconnect: 'sfgen:pubsub:reconnect',
  /** Something the application should know but that did not stop it: {@link PubSubWarningMessage}. */
  warning: 'sfgen:pubsub:warning',
  /** A schema was fetched with GetSchema: {@link PubSubSchemaMessage}. */
  schema: 'sfgen:pubsub:schema',
  /** A publish call finished: {@link PubSubPublishMessage}. */
  publish: 'sfgen:pubsub:publish',
  /** A checkpoint was committed: {@link PubSubCheckpointMessage}. */
  checkpoint: 'sfgen:pubsub:checkpoint',
} as const;

export interface PubSubSubscribeMessage { topic: string; replay: 'LATEST' | 'EARLIEST' | 'CUSTOM'; replayId?: string | undefined; attempt: number; managed: boolean }
export interface PubSubReconnectMessage { topic: string; reason: string; grpcCode?: number | undefined; errorCode?: string | undefined; attempt: number; delayMs: number; newChannel: boolean }
export interface PubSubWarningMessage {
  topic: string;
  kind: 'replay-id-invalid' | 'token-refreshed' | 'commit-failed' | 'checkpoint-failed';
  message: string;
  replayId?: string | undefined;
}
export interface PubSubSchemaMessage { schemaId: string; durationMs: number; ok: boolean }
export interface PubSubPublishMessage { topic: string; events: number; failed: number; durationMs: number }
export interface PubSubCheckpointMessage { topic: string; key: string; replayId: string }

export const pubsubChannels = {
  subscribe: diagnostics_channel.channel(PUBSUB_CHANNELS.subscribe),
  reconnect: diagnostics_channel.channel(PUBSUB_CHANNELS.reconnect),
  warning: diagnostics_channel.channel(PUBSUB_CHANNELS.warning),
  schema: diagnostics_channel.channel(PUBSUB_CHANNELS.schema),
  publish: diagnostics_channel.channel(PUBSUB_CHANNELS.publish),
  checkpoint: diagnostics_channel.channel(PUBSUB_CHANNELS.checkpoint),
};
