/**
 * `sfgen/pubsub`: the Salesforce Pub/Sub API (gRPC) client. A subpath of its own so that a
 * REST-only application never loads `@grpc/grpc-js` or `avsc`.
 *
 * @example
 * ```ts
 * import { createClient } from 'sfgen/runtime';
 * import { PubSubClient, FileCheckpointStore } from 'sfgen/pubsub';
 *
 * const pubsub = new PubSubClient(createClient({ auth }));
 * const sub = pubsub.subscribe('/event/Order_Event__e', {
 *   replay: 'earliest',
 *   checkpoint: { store: new FileCheckpointStore('.sfgen/checkpoints.json') },
 * });
 * for await (const event of sub) console.log(event.replayId, event.payload);
 * ```
 */
export { PubSubClient, DEFAULT_PUBSUB_ENDPOINT } from './client.js';
export type { PubSubClientOptions, TopicInfo, SchemaInfo, ManagedTarget } from './client.js';
export { EventCodec, EventDecodeError, EventEncodeError, BitmapLayout, codecFor, eventCodec } from './codec.js';
export type { EventDefinition, AnyEventDefinition, PayloadOf, PublishInputOf, ChangeEventHeader, ChangeType } from './event.js';
export { Subscription, DEFAULT_SUBSCRIBE, MAX_REQUESTED } from './subscription.js';
export type {
  PubSubEvent, SubscribeOptions, ReplayOption, InvalidReplayIdPolicy, ReconnectOptions, CheckpointOptions, PayloadDecoder,
} from './subscription.js';
export { DEFAULT_PUBLISH } from './publish.js';
export type { PublishResult, PublishEnvelope, PublishOptions, PayloadEncoder } from './publish.js';
export { FileCheckpointStore, MemoryCheckpointStore } from './checkpoint.js';
export type { CheckpointStore } from './checkpoint.js';
export { formatReplayId, parseReplayId, compareReplayIds } from './replay-id.js';
export { applyFieldDiff, isFieldDiff } from './field-diff.js';
export type { ReplayIdInput } from './replay-id.js';
export { compileSchema, SchemaCache } from './schemas.js';
export type { CompiledSchema } from './schemas.js';
export {
  PubSubError, PubSubTopicNotFoundError, PubSubPermissionError, PubSubReplayIdError, PubSubDecodeError,
  PubSubPublishError, PubSubInputError,
} from './errors.js';
export type { PubSubErrorOptions } from './errors.js';
export { PUBSUB_CHANNELS } from './channels.js';
export type {
  PubSubSubscribeMessage, PubSubReconnectMessage, PubSubWarningMessage, PubSubSchemaMessage, PubSubPublishMessage, PubSubCheckpointMessage,
} from './channels.js';
export { DEFAULT_GRPC } from '../../transport/grpc.js';
