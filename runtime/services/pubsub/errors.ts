/**
 * Typed errors of the Pub/Sub client. Each extends the runtime's `SalesforceError` and names what
 * it is about: the topic, the replay id (as printed by `formatReplayId`), the event id, the gRPC
 * status, Salesforce's `error-code` trailer and the `rpc-id` to give Salesforce support.
 *
 * @example
 * ```ts
 * try { for await (const e of pubsub.subscribe('/event/Order__e')) handle(e); }
 * catch (err) {
 *   if (err instanceof PubSubDecodeError) console.error('cannot decode', err.topic, err.replayId);
 *   else throw err;
 * }
 * ```
 */
import { SalesforceError, type SalesforceErrorOptions } from '../../errors.js';

/** What every Pub/Sub error may name. */
export interface PubSubErrorOptions extends Omit<SalesforceErrorOptions, 'status' | 'request'> {
  readonly topic?: string | undefined;
  /** Printable replay id (decimal or `0x…`). */
  readonly replayId?: string | undefined;
  /** The event's uuid (`ProducerEvent.id`). */
  readonly eventId?: string | undefined;
  /** gRPC status code (14 UNAVAILABLE, 16 UNAUTHENTICATED, ...). */
  readonly grpcCode?: number | undefined;
  /** `rpc-id` trailer or the id in Salesforce's message. */
  readonly rpcId?: string | undefined;
}

function describe(o: PubSubErrorOptions): string {
  const parts: string[] = [];
  if (o.topic) parts.push(`topic ${o.topic}`);
  if (o.replayId) parts.push(`replay id ${o.replayId}`);
  if (o.eventId) parts.push(`event ${o.eventId}`);
  if (o.grpcCode !== undefined) parts.push(`gRPC status ${o.grpcCode}`);
  if (o.errorCode) parts.push(o.errorCode);
  if (o.rpcId) parts.push(`rpcId ${o.rpcId}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** Base class of Pub/Sub errors (code `SF_PUBSUB`). */
export class PubSubError extends SalesforceError {
  override readonly code:
    | 'SF_PUBSUB' | 'SF_PUBSUB_TOPIC_NOT_FOUND' | 'SF_PUBSUB_PERMISSION' | 'SF_PUBSUB_REPLAY_ID'
    | 'SF_PUBSUB_DECODE' | 'SF_PUBSUB_PUBLISH' | 'SF_PUBSUB_INPUT' = 'SF_PUBSUB';
  readonly topic: string | undefined;
  readonly replayId: string | undefined;
  readonly eventId: string | undefined;
  readonly grpcCode: number | undefined;
  readonly rpcId: string | undefined;
  constructor(options: PubSubErrorOptions) {
    super({ ...options, message: `${options.message}${describe(options)}` });
    this.topic = options.topic;
    this.replayId = options.replayId;
    this.eventId = options.eventId;
    this.grpcCode = options.grpcCode;
    this.rpcId = options.rpcId;
  }
}

/** The topic does not exist (gRPC NOT_FOUND, or an invalid topic name). */
export class PubSubTopicNotFoundError extends PubSubError {
  override readonly code = 'SF_PUBSUB_TOPIC_NOT_FOUND';
}

/** The user may not subscribe to / publish on the topic (PERMISSION_DENIED; before a publish, GetTopic's `can_publish: false`). */
export class PubSubPermissionError extends PubSubError {
  override readonly code = 'SF_PUBSUB_PERMISSION';
}

/**
 * A replay id was rejected: `reason: 'malformed'` (not a replay id; nothing was sent) or
 * `'invalid'` (the server refused it: outside the 72-hour retention or corrupted) under the
 * `onInvalidReplayId: 'error'` policy.
 */
export class PubSubReplayIdError extends PubSubError {
  override readonly code = 'SF_PUBSUB_REPLAY_ID';
  readonly reason: 'malformed' | 'invalid';
  constructor(options: PubSubErrorOptions & { reason: 'malformed' | 'invalid' }) {
    super(options);
    this.reason = options.reason;
  }
}

/**
 * An event could not be decoded (its schema is unreadable or the payload does not match it). The
 * subscription stops here: the event is never skipped silently. `replayId` names the event; resume
 * after it deliberately with `replay: { after }` once the cause is fixed.
 */
export class PubSubDecodeError extends PubSubError {
  override readonly code = 'SF_PUBSUB_DECODE';
  readonly schemaId: string | undefined;
  constructor(options: PubSubErrorOptions & { schemaId?: string | undefined }) {
    super({ ...options, message: options.schemaId ? `${options.message} (schema ${options.schemaId})` : options.message });
    this.schemaId = options.schemaId;
  }
}

/**
 * One published event failed. `retryable` is true when the server reported the failure (the event
 * was not accepted; publishing it again cannot duplicate it) and false when the outcome is unknown
 * (the stream broke before its result arrived: it may have been accepted).
 */
export class PubSubPublishError extends PubSubError {
  override readonly code = 'SF_PUBSUB_PUBLISH';
  readonly retryable: boolean;
  constructor(options: PubSubErrorOptions & { retryable: boolean }) {
    super(options);
    this.retryable = options.retryable;
  }
}

/** A publish input does not match the topic's schema (a required field missing, a wrong type); nothing was sent. */
export class PubSubInputError extends PubSubError {
  override readonly code = 'SF_PUBSUB_INPUT';
  /** Index of the offending event in the batch. */
  readonly index: number | undefined;
  constructor(options: PubSubErrorOptions & { index?: number | undefined }) {
    super(options);
    this.index = options.index;
  }
}
