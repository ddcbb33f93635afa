/**
 * One subscription: a Subscribe (or ManagedSubscribe) stream that survives what Salesforce does to
 * long-lived streams, exposed as an async iterator.
 *
 * Flow control. The client owes the server a FetchRequest for more events; it never has more than
 * 100 requested at once (the server's cap), asks again as events arrive so the window never
 * drains, and stops asking when the application is slow: events received but not yet delivered
 * plus events requested never exceed `bufferSize`, so memory stays bounded.
 *
 * Resume. When a stream ends (UNAVAILABLE, INTERNAL, RST_STREAM, a server-side close, a silent
 * connection caught by the idle watchdog), the events received but not delivered are dropped and
 * the stream is reopened after the last event DELIVERED to the application, after a bounded,
 * jittered backoff. An event being decoded while the stream breaks finishes first, so the resume
 * position is exact: within a process no event is delivered twice or skipped.
 */
import { AuthError, NetworkError } from '../../errors.js';
import { GrpcStatus, type GrpcCallError, type GrpcDuplexCall } from '../../transport/grpc.js';
import { pubsubChannels } from './channels.js';
import type { CheckpointStore } from './checkpoint.js';
import {
  PubSubDecodeError, PubSubError, PubSubPermissionError, PubSubReplayIdError, PubSubTopicNotFoundError,
} from './errors.js';
import { compareReplayIds, formatReplayId, parseReplayId, type ReplayIdInput } from './replay-id.js';
import type { CompiledSchema, SchemaCache } from './schemas.js';
import {
  METHODS, ReplayPreset, type ConsumerEvent, type FetchRequest, type FetchResponse, type ProducerEvent,
  type ManagedFetchRequest, type ManagedFetchResponse, type ReplayPresetValue,
} from './wire.js';
import type { TokenInfo } from '../../auth/types.js';
import type { GrpcChannel } from '../../transport/grpc.js';

/** The server's cap on events requested at once. */
export const MAX_REQUESTED = 100;

/**
 * Managed subscriptions commit the last finished replay id every this many events, whenever the
 * application has finished everything received so far (the guide's "commit the replay id of each
 * response after processing its events"), at the start of every resumed stream, and on `stop()`:
 * a resumed ManagedSubscribe starts after the last commit, so frequent commits keep the events
 * delivered again after a reconnect (and dropped here as duplicates) few.
 */
const MANAGED_COMMIT_EVERY = 10;

/** How long `stop()` of a managed subscription waits for the server to confirm its last commit. */
const MANAGED_FINAL_COMMIT_MS = 5000;

function sameReplayId(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

/** Where a new subscription starts. */
export type ReplayOption = 'latest' | 'earliest' | { readonly after: ReplayIdInput };

/** What to do when the server rejects a replay id (outside the 72-hour retention, or corrupted). */
export type InvalidReplayIdPolicy = 'earliest' | 'latest' | 'error';

/** Reconnect backoff; defaults in `DEFAULT_SUBSCRIBE`. */
export interface ReconnectOptions {
  /** First delay (ms); doubled per consecutive failure, with jitter (50-100 % of the delay). */
  readonly initialDelayMs?: number;
  /** Largest delay (ms). */
  readonly maxDelayMs?: number;
  /** Consecutive failed reconnects (no event in between) before the subscription fails. */
  readonly maxAttempts?: number;
}

/** Checkpointing: where the last finished replay id is stored. */
export interface CheckpointOptions {
  readonly store: CheckpointStore;
  /** Key in the store; default the topic (or `managed:<name>`). */
  readonly key?: string;
  /** Commit at most this often (ms); always on `stop()` and when the subscription ends. Default 1000. */
  readonly intervalMs?: number;
}

/** Options of `subscribe()`. */
export interface SubscribeOptions {
  /** Start position when no checkpoint is stored. Default `'latest'`. */
  readonly replay?: ReplayOption;
  /** Default `'earliest'` (nothing lost; a `sfgen:pubsub:warning` says so). */
  readonly onInvalidReplayId?: InvalidReplayIdPolicy;
  /**
   * Reconnect on a new channel when nothing (not even a keepalive) arrived for this long while
   * events are owed (ms). Salesforce sends a keepalive at least every 270 s; default 300 s.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Events received-but-undelivered plus requested, at most. Default 1000 (>= 1): ten windows of
   * 100, so that a busy application still finds events queued while its next request makes the
   * round trip. Memory is bounded by this many events; lower it for large events.
   */
  readonly bufferSize?: number;
  readonly reconnect?: ReconnectOptions;
  /** Persist the last finished replay id and resume from it on the next start. */
  readonly checkpoint?: CheckpointOptions;
  /** Stops the subscription (the iterator ends). */
  readonly signal?: AbortSignal;
}

/** Defaults of `subscribe()`. */
export const DEFAULT_SUBSCRIBE = {
  replay: 'latest' as ReplayOption,
  onInvalidReplayId: 'earliest' as InvalidReplayIdPolicy,
  idleTimeoutMs: 300_000,
  bufferSize: 1000,
  reconnect: { initialDelayMs: 250, maxDelayMs: 30_000, maxAttempts: 12 },
  checkpointIntervalMs: 1000,
} as const;

/** One delivered event. `P` is the payload type (generated, or a plain record). */
export interface PubSubEvent<P = Record<string, unknown>> {
  readonly topic: string;
  /** The replay id as printed (decimal for 8-byte ids); pass it back as `{ after: replayId }`. */
  readonly replayId: string;
  /** The replay id's bytes, exactly as the server sent them. */
  readonly replayIdBytes: Buffer;
  /** The id of the schema the event was written with. */
  readonly schemaId: string;
  /** The event's uuid. */
  readonly id: string;
  readonly payload: P;
}

class DeliveredEvent<P> implements PubSubEvent<P> {
  readonly schemaId: string;
  readonly #event: ProducerEvent;
  constructor(
    readonly topic: string,
    readonly replayIdBytes: Buffer,
    event: ProducerEvent,
    readonly payload: P,
  ) {
    this.schemaId = event.schemaId;
    this.#event = event;
  }
  /** Read from the received event when asked for (decoding a uuid nobody reads is not free). */
  get id(): string {
    return this.#event.id;
  }
  get replayId(): string {
    return formatReplayId(this.replayIdBytes);
  }
  toJSON(): { topic: string; replayId: string; schemaId: string; id: string; payload: P } {
    return { topic: this.topic, replayId: this.replayId, schemaId: this.schemaId, id: this.id, payload: this.payload };
  }
}

/**
 * Turns a payload decoded with its writer schema into what the application receives. `event` is
 * valid during the call only (the subscription reuses it).
 */
export type PayloadDecoder<P> = (schema: CompiledSchema, payload: Buffer, event: { readonly replayId: Buffer; readonly id: string }) => P;

/** The `event` argument of a {@link PayloadDecoder}: the event being decoded, read on demand. */
class DecodingEvent {
  current: ConsumerEvent | undefined;
  get replayId(): Buffer {
    return (this.current as ConsumerEvent).replayId;
  }
  get id(): string {
    return (this.current as ConsumerEvent).event.id;
  }
}

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  metadata(): Promise<{ metadata: Record<string, string>; token: TokenInfo }>;
  channel(): GrpcChannel;
  /** Closes `old` (if still current) so the next `channel()` opens a new connection. */
  renewChannel(old: GrpcChannel): void;
  renewToken(rejected: TokenInfo): Promise<TokenInfo>;
  readonly schemas: SchemaCache;
  /** Starts fetching the topic's current schema (GetTopic + GetSchema) beside a first stream from 'latest'. */
  prefetchTopic(topic: string): void;
  /** The subscription ended (stopped or failed): the client forgets it. */
  release?(subscription: object): void;
}

/** Which RPC: Subscribe with a position, or ManagedSubscribe by name/id. */
export type SubscriptionTarget =
  | { readonly kind: 'subscribe'; readonly topic: string }
  | { readonly kind: 'managed'; readonly topic: string; readonly developerName?: string | undefined; readonly subscriptionId?: string | undefined };

type AnyRequest = FetchRequest | ManagedFetchRequest;
type AnyResponse = FetchResponse | ManagedFetchResponse;

interface Position { preset: ReplayPresetValue; replayId?: Buffer | undefined }

const RETRYABLE = new Set<number>([
  GrpcStatus.UNAVAILABLE, GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN, GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED, GrpcStatus.ABORTED, GrpcStatus.CANCELLED,
]);

/** `rpc-id` of an error: the trailer, or the id Salesforce appends to its message. */
export function rpcIdOf(err: GrpcCallError): string | undefined {
  return err.trailers['rpc-id'] ?? /rpcId:\s*([\w-]+)/.exec(err.details)?.[1];
}

/** True for the server's "replay id invalid/outside retention" answer. */
export function isReplayIdRejection(err: GrpcCallError): boolean {
  if (err.code !== GrpcStatus.INVALID_ARGUMENT) return false;
  const code = err.trailers['error-code'] ?? '';
  return code.includes('replayid') || /replay\s*id/i.test(err.details);
}

/** Maps a terminal gRPC error to a typed error naming the topic. */
export function pubSubErrorFrom(err: GrpcCallError, topic: string | undefined, what: string, replayId?: string): PubSubError | AuthError {
  const base = {
    message: `${what}: ${err.details}`,
    topic,
    replayId,
    grpcCode: err.code,
    errorCode: err.trailers['error-code'],
    rpcId: rpcIdOf(err),
    cause: err,
  };
  const errorCode = err.trailers['error-code'] ?? '';
  if (err.code === GrpcStatus.NOT_FOUND || /topic.*(not.?found|invalid)/i.test(errorCode)) return new PubSubTopicNotFoundError(base);
  if (err.code === GrpcStatus.PERMISSION_DENIED) return new PubSubPermissionError(base);
  if (err.code === GrpcStatus.UNAUTHENTICATED) {
    return new AuthError({ message: `${what}${topic ? ` (topic ${topic})` : ''}: ${err.details}`, errorCode: err.trailers['error-code'], cause: err });
  }
  if (isReplayIdRejection(err)) return new PubSubReplayIdError({ ...base, reason: 'invalid' });
  return new PubSubError(base);
}

/** Jittered exponential delay for the `attempt`-th consecutive failure (1-based). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * An async iterator of events plus `stop()`. Create it with `PubSubClient.subscribe()`.
 *
 * @example
 * ```ts
 * const sub = pubsub.subscribe('/event/Order_Event__e', { replay: 'earliest' });
 * for await (const event of sub) {
 *   console.log(event.replayId, event.payload);
 *   if (done) break;
 * }
 * ```
 */
export class Subscription<P = Record<string, unknown>> implements AsyncIterableIterator<PubSubEvent<P>> {
  readonly topic: string;
  readonly #host: SubscriptionHost;
  readonly #target: SubscriptionTarget;
  readonly #decode: PayloadDecoder<P>;
  readonly #decoding = new DecodingEvent();
  readonly #bufferSize: number;
  readonly #idleTimeoutMs: number;
  readonly #policy: InvalidReplayIdPolicy;
  readonly #reconnect: Required<ReconnectOptions>;
  readonly #checkpoint: (CheckpointOptions & { key: string; intervalMs: number }) | undefined;
  readonly #signal: AbortSignal | undefined;

  // Position
  #startPosition: Position | undefined;
  #startReplay: ReplayOption;
  #lastDelivered: Buffer | undefined;
  #finished: Buffer | undefined;
  #committed: Buffer | undefined;

  // Stream state
  #gen = 0;
  #call: GrpcDuplexCall<AnyRequest, AnyResponse> | undefined;
  #callChannel: GrpcChannel | undefined;
  #callToken: TokenInfo | undefined;
  #pending = 0;
  #queue: ConsumerEvent[] = [];
  #head = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #backoffTimer: NodeJS.Timeout | undefined;
  #attempts = 0;
  #authRenewed = false;
  #started: Promise<void> | undefined;
  #reconnecting: Promise<void> | undefined;
  #delivering: Promise<unknown> | undefined;
  #commitCounter = 0;
  /** Managed: the last id written as a commit on the current stream. */
  #serverCommitted: Buffer | undefined;
  /** Managed: the highest id the server confirmed as committed. */
  #serverConfirmed: Buffer | undefined;
  readonly #commitWaiters = new Map<string, () => void>();

  // Consumer state
  /** The (single) next() waiting for events; overlapping calls queue behind it on `#chain`. */
  #waiter: { resolve: () => void } | undefined;
  #chain: Promise<IteratorResult<PubSubEvent<P>, undefined>> | undefined;
  #failure: Error | undefined;
  #done = false;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #checkpointWrite: Promise<void> = Promise.resolve();
  #onAbort: (() => void) | undefined;

  /** Events delivered so far. */
  delivered = 0;
  /** Streams opened so far (1 + reconnects). */
  streams = 0;

  constructor(host: SubscriptionHost, target: SubscriptionTarget, decode: PayloadDecoder<P>, options: SubscribeOptions = {}) {
    this.#host = host;
    this.#target = target;
    this.topic = target.topic;
    this.#decode = decode;
    const bufferSize = options.bufferSize ?? DEFAULT_SUBSCRIBE.bufferSize;
    if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new PubSubError({ message: `subscribe: bufferSize must be a positive integer, got ${bufferSize}`, topic: target.topic });
    this.#bufferSize = bufferSize;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_SUBSCRIBE.idleTimeoutMs;
    this.#policy = options.onInvalidReplayId ?? DEFAULT_SUBSCRIBE.onInvalidReplayId;
    if (!['earliest', 'latest', 'error'].includes(this.#policy)) throw new PubSubError({ message: `subscribe: onInvalidReplayId must be 'earliest', 'latest' or 'error', got ${String(this.#policy)}`, topic: target.topic });
    this.#reconnect = { ...DEFAULT_SUBSCRIBE.reconnect, ...options.reconnect };
    this.#startReplay = options.replay ?? DEFAULT_SUBSCRIBE.replay;
    // A malformed replay id fails here, before anything is sent.
    this.#startPosition = this.#positionOf(this.#startReplay);
    this.#checkpoint = options.checkpoint
      ? { ...options.checkpoint, key: options.checkpoint.key ?? (target.kind === 'managed' ? `managed:${target.developerName ?? target.subscriptionId}` : target.topic), intervalMs: options.checkpoint.intervalMs ?? DEFAULT_SUBSCRIBE.checkpointIntervalMs }
      : undefined;
    this.#signal = options.signal;
    if (this.#signal) {
      if (this.#signal.aborted) this.#done = true;
      this.#onAbort = () => void this.stop();
      this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  #positionOf(replay: ReplayOption): Position {
    if (replay === 'latest') return { preset: ReplayPreset.LATEST };
    if (replay === 'earliest') return { preset: ReplayPreset.EARLIEST };
    if (replay !== null && typeof replay === 'object' && 'after' in replay) {
      return { preset: ReplayPreset.CUSTOM, replayId: parseReplayId(replay.after, this.topic) };
    }
    throw new PubSubReplayIdError({ message: `subscribe: replay must be 'latest', 'earliest' or { after: replayId }, got ${JSON.stringify(replay)}`, topic: this.topic, reason: 'malformed' });
  }

  /** The replay id of the last event handed to the application (printable), if any. */
  get lastReplayId(): string | undefined {
    return this.#lastDelivered ? formatReplayId(this.#lastDelivered) : undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // -------------------------------------------------------------------------------------------
  // Consumer side

  next(): Promise<IteratorResult<PubSubEvent<P>, undefined>> {
    // Calls that overlap (next() again before the last promise settled) are answered in call order.
    const chain = this.#chain;
    if (chain !== undefined) return this.#track(chain.then(() => this.#step(), () => this.#step()));
    const step = this.#step();
    return step instanceof Promise ? this.#track(step) : Promise.resolve(step);
  }

  /** Remembers a next() answer that is not settled yet, so that a later call waits for it. */
  #track(answer: Promise<IteratorResult<PubSubEvent<P>, undefined>>): Promise<IteratorResult<PubSubEvent<P>, undefined>> {
    this.#chain = answer;
    const settled = (): void => {
      if (this.#chain === answer) this.#chain = undefined;
    };
    answer.then(settled, settled);
    return answer;
  }

  /** One next(): the result at once when an event is buffered and its schema known, else a promise. */
  #step(): IteratorResult<PubSubEvent<P>, undefined> | Promise<IteratorResult<PubSubEvent<P>, undefined>> {
    // The application asks for the next event: it has finished with the previous one.
    if (this.#lastDelivered !== undefined && this.#finished !== this.#lastDelivered) this.#markFinished(this.#lastDelivered);
    if (this.#failure) return this.#fail();
    if (this.#done) return { done: true, value: undefined };
    this.#started ??= this.#start();
    const raw = this.#shift();
    if (raw !== undefined) {
      const schema = this.#host.schemas.peek(raw.event.schemaId);
      if (schema !== undefined) {
        try {
          return { done: false, value: this.#deliver(raw, schema) };
        } catch (err) {
          this.#terminate(err as Error);
          return this.#fail();
        }
      }
      return this.#deliverSlow(raw);
    }
    return this.#waitAndNext();
  }

  async #waitAndNext(): Promise<IteratorResult<PubSubEvent<P>, undefined>> {
    await this.#started;
    for (;;) {
      if (this.#failure) return this.#fail();
      if (this.#done) return { done: true, value: undefined };
      const raw = this.#shift();
      if (raw !== undefined) {
        const schema = this.#host.schemas.peek(raw.event.schemaId);
        if (schema === undefined) return this.#deliverSlow(raw);
        try {
          return { done: false, value: this.#deliver(raw, schema) };
        } catch (err) {
          this.#terminate(err as Error);
          return this.#fail();
        }
      }
      if (this.#failure || this.#done) continue; // #shift found an unreadable event
      await new Promise<void>((resolve) => {
        this.#waiter = { resolve };
      });
    }
  }

  /** Delivery of an event whose schema must be fetched first; a reconnect waits for it. */
  #deliverSlow(raw: ConsumerEvent): Promise<IteratorResult<PubSubEvent<P>, undefined>> {
    const delivering = this.#deliverAfterSchema(raw);
    this.#delivering = delivering;
    return delivering.finally(() => {
      if (this.#delivering === delivering) this.#delivering = undefined;
    });
  }

  async #deliverAfterSchema(raw: ConsumerEvent): Promise<IteratorResult<PubSubEvent<P>, undefined>> {
    let schema: CompiledSchema;
    try {
      schema = await this.#host.schemas.get(raw.event.schemaId, this.topic);
    } catch (err) {
      const replayId = formatReplayId(raw.replayId);
      const failure = err instanceof PubSubDecodeError
        ? new PubSubDecodeError({ message: `cannot decode event: ${err.message}`, topic: this.topic, replayId, eventId: raw.event.id, schemaId: raw.event.schemaId, cause: err })
        : err instanceof PubSubError || err instanceof AuthError
          ? err
          : new PubSubError({ message: `GetSchema ${raw.event.schemaId} failed: ${(err as Error).message}`, topic: this.topic, replayId, eventId: raw.event.id, cause: err });
      this.#terminate(failure);
      return this.#fail();
    }
    if (this.#done && !this.#failure) return { done: true, value: undefined };
    try {
      return { done: false, value: this.#deliver(raw, schema) };
    } catch (err) {
      this.#terminate(err as Error);
      return this.#fail();
    }
  }

  #deliver(raw: ConsumerEvent, schema: CompiledSchema): PubSubEvent<P> {
    let payload: P;
    const decoding = this.#decoding;
    decoding.current = raw;
    try {
      payload = this.#decode(schema, raw.event.payload, decoding);
    } catch (err) {
      throw new PubSubDecodeError({
        message: `cannot decode event with schema ${raw.event.schemaId}: ${(err as Error).message}`,
        topic: this.topic, replayId: formatReplayId(raw.replayId), eventId: raw.event.id, schemaId: raw.event.schemaId, cause: err,
      });
    } finally {
      decoding.current = undefined; // the decoder's view of the event ends with the call
    }
    this.#lastDelivered = raw.replayId;
    this.delivered++;
    this.#maybeRequest();
    return new DeliveredEvent(this.topic, raw.replayId, raw.event, payload);
  }

  /**
   * The next received event, its envelope read (received responses are only scanned for their
   * events' bounds, see wire.ts); undefined when none is buffered, or when the envelope cannot be
   * read, which ends the subscription with a {@link PubSubDecodeError}.
   */
  #shift(): ConsumerEvent | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const raw = this.#queue[this.#head] as ConsumerEvent;
    try {
      void raw.replayId;
    } catch (err) {
      this.#terminate(new PubSubDecodeError({
        message: `cannot read the event after replay id ${this.lastReplayId ?? '(none delivered yet)'}: ${(err as Error).message}`,
        topic: this.topic, replayId: this.lastReplayId, cause: err,
      }));
      return undefined;
    }
    this.#queue[this.#head] = undefined as unknown as ConsumerEvent;
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return raw;
  }

  get #queued(): number {
    return this.#queue.length - this.#head;
  }

  #fail(): Promise<never> {
    const failure = this.#failure as Error;
    return this.#flushCheckpoint().then(() => {
      throw failure;
    });
  }

  /**
   * Called by `for await` on `break` or when the loop body throws: the subscription ends. The
   * event being handled is NOT committed to the checkpoint store (the loop may have thrown while
   * handling it); use {@link stop} to end after finishing it.
   */
  async return(): Promise<IteratorResult<PubSubEvent<P>, undefined>> {
    await this.#close(false);
    return { done: true, value: undefined };
  }

  /**
   * Ends the subscription after the application finished with the last delivered event: commits
   * it to the checkpoint store (and to the server, for a managed subscription) and closes the stream.
   */
  async stop(): Promise<void> {
    await this.#close(true);
  }

  async #close(finishedLast: boolean): Promise<void> {
    if (finishedLast && this.#lastDelivered !== undefined) this.#markFinished(this.#lastDelivered);
    if (!this.#done) {
      // Managed: the last commit must reach the server before the stream goes (bounded wait).
      if (this.#target.kind === 'managed' && finishedLast) await this.#commitFinal();
      this.#done = true;
      this.#endStream();
      this.#waiter?.resolve();
      this.#waiter = undefined;
    }
    if (this.#signal && this.#onAbort) this.#signal.removeEventListener('abort', this.#onAbort);
    await this.#flushCheckpoint();
    this.#host.release?.(this);
  }

  // -------------------------------------------------------------------------------------------
  // Checkpoints

  #markFinished(replayId: Buffer): void {
    this.#finished = replayId;
    if (this.#target.kind === 'managed' && (++this.#commitCounter >= MANAGED_COMMIT_EVERY || this.#queued === 0)) void this.#sendCommit();
    if (this.#checkpoint && this.#checkpointTimer === undefined) {
      this.#checkpointTimer = setTimeout(() => {
        this.#checkpointTimer = undefined;
        void this.#flushCheckpoint();
      }, this.#checkpoint.intervalMs);
      this.#checkpointTimer.unref();
    }
  }

  #flushCheckpoint(): Promise<void> {
    if (this.#checkpointTimer) {
      clearTimeout(this.#checkpointTimer);
      this.#checkpointTimer = undefined;
    }
    const cp = this.#checkpoint;
    const finished = this.#finished;
    if (!cp || finished === undefined || finished === this.#committed) return this.#checkpointWrite;
    this.#committed = finished;
    const replayId = formatReplayId(finished);
    this.#checkpointWrite = this.#checkpointWrite.then(async () => {
      try {
        await cp.store.save(cp.key, replayId);
        if (pubsubChannels.checkpoint.hasSubscribers) pubsubChannels.checkpoint.publish({ topic: this.topic, key: cp.key, replayId });
      } catch (err) {
        if (pubsubChannels.warning.hasSubscribers) {
          pubsubChannels.warning.publish({ topic: this.topic, kind: 'checkpoint-failed', message: `checkpoint ${cp.key} not saved: ${(err as Error).message}`, replayId });
        }
        if (!this.#failure) this.#terminate(new PubSubError({ message: `checkpoint store failed: ${(err as Error).message}`, topic: this.topic, replayId, cause: err }));
      }
    });
    return this.#checkpointWrite;
  }

  /**
   * Managed subscriptions: commit the last finished replay id on the stream. With `confirm`, wait
   * (at most `waitMs`) for the server's CommitReplayResponse; the wait also ends when the stream does.
   */
  #sendCommit(confirm = false, waitMs = MANAGED_FINAL_COMMIT_MS): Promise<void> {
    this.#commitCounter = 0;
    const finished = this.#finished;
    // A confirmed commit is sent even when the same id went out unconfirmed (committing twice is harmless).
    if (finished === undefined || !this.#call || sameReplayId(finished, this.#serverConfirmed) || (!confirm && finished === this.#serverCommitted)) return Promise.resolve();
    const commitRequestId = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const request: ManagedFetchRequest = { commitReplayIdRequest: { commitRequestId, replayId: finished } };
    this.#call.write(request);
    this.#serverCommitted = finished;
    if (!confirm) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#commitWaiters.delete(commitRequestId);
        resolve();
      }, Math.max(0, waitMs));
      timer.unref();
      this.#commitWaiters.set(commitRequestId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Managed `stop()`: until the server confirmed the last finished replay id (at most
   * {@link MANAGED_FINAL_COMMIT_MS}), commit it, riding out streams that end meanwhile (a reconnect
   * under way is waited for, and the commit goes out on the new stream).
   */
  async #commitFinal(): Promise<void> {
    const deadline = Date.now() + MANAGED_FINAL_COMMIT_MS;
    // Bounded in time and in tries (a server that keeps refusing the commit is not asked forever).
    for (let tries = 0; tries < 10 && !this.#failure && !this.#done && this.#finished !== undefined && !sameReplayId(this.#finished, this.#serverConfirmed); tries++) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      if (this.#call) {
        await this.#sendCommit(true, left);
        continue;
      }
      const reconnecting = this.#reconnecting;
      if (reconnecting === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reconnecting, new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
      })]).finally(() => clearTimeout(timer));
    }
  }

  /** A CommitReplayResponse arrived (on any stream of this subscription). */
  #onCommitResponse(commit: NonNullable<ManagedFetchResponse['commitResponse']>): void {
    if (commit.error) {
      if (pubsubChannels.warning.hasSubscribers) {
        pubsubChannels.warning.publish({ topic: this.topic, kind: 'commit-failed', message: `CommitReplayId ${commit.commitRequestId} failed: ${commit.error.msg}`, replayId: formatReplayId(commit.replayId) });
      }
    } else {
      const replayId = Buffer.from(commit.replayId);
      const order = this.#serverConfirmed === undefined ? 1 : compareReplayIds(replayId, this.#serverConfirmed);
      if (order === undefined || order > 0) {
        this.#serverConfirmed = replayId;
        if (pubsubChannels.checkpoint.hasSubscribers && this.#target.kind === 'managed') {
          pubsubChannels.checkpoint.publish({ topic: this.topic, key: `managed:${this.#target.developerName ?? this.#target.subscriptionId}`, replayId: formatReplayId(replayId) });
        }
      }
    }
    const waiter = this.#commitWaiters.get(commit.commitRequestId);
    this.#commitWaiters.delete(commit.commitRequestId);
    waiter?.();
  }

  // -------------------------------------------------------------------------------------------
  // Stream side

  async #start(): Promise<void> {
    try {
      if (this.#checkpoint) {
        const stored = await this.#checkpoint.store.load(this.#checkpoint.key);
        if (stored !== undefined) {
          const bytes = parseReplayId(stored, this.topic);
          this.#startPosition = { preset: ReplayPreset.CUSTOM, replayId: bytes };
          this.#committed = bytes;
          this.#finished = bytes;
        }
      }
      // From 'latest', nothing arrives until something is published: fetch the topic's schema in
      // the meantime, so that the first event decodes at once. From 'earliest' or a replay id the
      // first response brings events and their schema id; GetSchema follows it without a GetTopic.
      if (this.#target.kind === 'subscribe' && (this.#startPosition?.preset ?? ReplayPreset.LATEST) === ReplayPreset.LATEST) this.#host.prefetchTopic(this.topic);
      await this.#open();
    } catch (err) {
      this.#terminate(err as Error);
    }
  }

  /** Opens a stream at the resume position. */
  async #open(): Promise<void> {
    if (this.#done) return;
    // An event being decoded while the stream broke is delivered first: the position is exact.
    if (this.#delivering) await this.#delivering.catch(() => undefined);
    const gen = ++this.#gen;
    this.#queue = [];
    this.#head = 0;
    this.#pending = 0;
    const channel = this.#host.channel();
    const { metadata, token } = await this.#host.metadata();
    if (gen !== this.#gen || this.#done) return;
    // The stream is opened at once (grpc-js sends it the moment the connection is up); ready()
    // runs beside it as the bound on the connect, and ends this stream like any UNAVAILABLE.
    channel.ready().catch((err: unknown) => this.#onEnd(gen, err as GrpcCallError));
    const method = this.#target.kind === 'managed' ? METHODS.ManagedSubscribe : METHODS.Subscribe;
    const call = channel.duplex<AnyRequest, AnyResponse>(method as never, metadata);
    this.#call = call;
    this.#callChannel = channel;
    this.#callToken = token;
    this.streams++;
    call.on('data', (res) => this.#onData(gen, res));
    call.on('error', (err) => this.#onEnd(gen, err));
    call.on('end', () => this.#onEnd(gen, undefined));

    const want = this.#window();
    this.#pending = want;
    let first: AnyRequest;
    let position: Position | undefined;
    // Managed: the server resumes after its last commit, and the previous stream may have ended
    // before the commit of what was finished since went out. Commit it before asking for events
    // (subscribe with 0 requested, commit, then request: every server handles a stream's messages
    // in order), so that the next resume starts there even if this stream dies after a few events.
    const commitFirst = this.#target.kind === 'managed' && this.#finished !== undefined && !sameReplayId(this.#finished, this.#serverConfirmed);
    if (this.#target.kind === 'managed') {
      first = { subscriptionId: this.#target.subscriptionId, developerName: this.#target.developerName, numRequested: commitFirst ? 0 : want };
    } else {
      position = this.#lastDelivered !== undefined ? { preset: ReplayPreset.CUSTOM, replayId: this.#lastDelivered } : (this.#startPosition ?? { preset: ReplayPreset.LATEST });
      first = { topicName: this.topic, replayPreset: position.preset, replayId: position.replayId, numRequested: want };
    }
    if (pubsubChannels.subscribe.hasSubscribers) {
      pubsubChannels.subscribe.publish({
        topic: this.topic,
        replay: position ? (['LATEST', 'EARLIEST', 'CUSTOM'] as const)[position.preset] : 'CUSTOM',
        replayId: position?.replayId ? formatReplayId(position.replayId) : undefined,
        attempt: this.#attempts,
        managed: this.#target.kind === 'managed',
      });
    }
    call.write(first);
    if (this.#target.kind === 'managed') {
      this.#serverCommitted = undefined;
      if (commitFirst) {
        void this.#sendCommit();
        if (want > 0) call.write({ numRequested: want });
      }
    }
    this.#armIdle();
  }

  /** How many events to ask for now: at most 100 outstanding, bounded by free buffer space. */
  #window(): number {
    return Math.max(0, Math.min(MAX_REQUESTED - this.#pending, this.#bufferSize - this.#queued - this.#pending));
  }

  #maybeRequest(): void {
    const call = this.#call;
    if (call === undefined || this.#done) return;
    const want = this.#window();
    if (want <= 0) return;
    // Batch small top-ups while the server still owes events; never let the window drain.
    if (this.#pending > 0 && want < Math.min(MAX_REQUESTED, this.#bufferSize) / 2) return;
    const wasIdle = this.#pending === 0;
    this.#pending += want;
    call.write(this.#target.kind === 'managed' ? { numRequested: want } : { topicName: this.topic, numRequested: want });
    if (wasIdle) this.#armIdle();
  }

  #onData(gen: number, res: AnyResponse): void {
    const commitResponse = (res as ManagedFetchResponse).commitResponse;
    if (commitResponse) this.#onCommitResponse(commitResponse);
    if (gen !== this.#gen || this.#done) return;
    const events = res.events;
    if (events.length > 0) {
      this.#pending = Math.max(0, this.#pending - events.length);
      let accepted = events;
      if (this.#target.kind === 'managed' && this.#lastDelivered !== undefined) {
        // After a reconnect the server resumes after the last COMMITTED id; drop what was delivered.
        const last = this.#lastDelivered;
        accepted = events.filter((e) => {
          let order: number | undefined;
          try {
            order = compareReplayIds(e.replayId, last);
          } catch {
            return true; // unreadable: kept, so that delivery stops on it in order, with the error
          }
          return order === undefined || order > 0;
        });
      }
      for (const e of accepted) this.#queue.push(e);
      if (accepted.length > 0) {
        this.#attempts = 0;
        this.#authRenewed = false;
      }
      const waiter = this.#waiter;
      if (waiter && accepted.length > 0) {
        this.#waiter = undefined;
        // A Subscribe stream wakes the application on the next turn of the event loop, not now:
        // the top-up request written below goes out when HTTP/2 flushes its writes (a native
        // immediate, which runs before this one), so the server produces the next events while
        // the application handles these. Woken at once, the application's loop would run first
        // (the events are buffered, so every next() settles in a microtask) and the request would
        // wait for it. A managed stream wakes at once: its application writes a commit when it has
        // handled the batch, and a write still queued when the server resets the stream keeps the
        // stream from ever closing in Node 20's http2 (nodejs/node#58252), so that write goes out
        // as early as it can.
        if (this.#target.kind === 'managed') waiter.resolve();
        else setImmediate(waiter.resolve);
      }
    }
    if (this.#pending > 0) this.#armIdle();
    else this.#clearIdle();
    this.#maybeRequest();
  }

  #armIdle(): void {
    if (this.#idleTimer) this.#idleTimer.refresh();
    else {
      const gen = this.#gen;
      this.#idleTimer = setTimeout(() => this.#onIdle(gen), this.#idleTimeoutMs);
      this.#idleTimer.unref();
    }
  }

  #clearIdle(): void {
    if (this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  #onIdle(gen: number): void {
    this.#idleTimer = undefined;
    if (gen !== this.#gen || this.#done) return;
    // Silent stream or half-open connection: drop the connection, not just the call.
    const channel = this.#callChannel;
    this.#endStream();
    if (channel) this.#host.renewChannel(channel);
    this.#scheduleResume(`no message for ${this.#idleTimeoutMs} ms while ${this.#pending || 'some'} events were owed`, undefined, true);
  }

  #endStream(): void {
    this.#gen++;
    this.#clearIdle();
    if (this.#backoffTimer) {
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = undefined;
    }
    const call = this.#call;
    this.#call = undefined;
    if (call) {
      try {
        call.cancel();
      } catch {
        // already ended
      }
    }
    // Commits waiting for a confirmation on this stream will not get one.
    if (this.#commitWaiters.size > 0) {
      const waiters = [...this.#commitWaiters.values()];
      this.#commitWaiters.clear();
      for (const w of waiters) w();
    }
  }

  #onEnd(gen: number, err: GrpcCallError | undefined): void {
    if (gen !== this.#gen || this.#done) return;
    const token = this.#callToken;
    this.#endStream();
    if (err === undefined) {
      this.#scheduleResume('the server closed the stream', undefined, false);
      return;
    }
    if (err.code === GrpcStatus.UNAUTHENTICATED) {
      if (this.#authRenewed || token === undefined) {
        this.#terminate(pubSubErrorFrom(err, this.topic, 'Subscribe rejected the credentials again after a token refresh'));
        return;
      }
      this.#authRenewed = true;
      this.#resumeWith(async () => {
        await this.#host.renewToken(token);
        if (pubsubChannels.warning.hasSubscribers) pubsubChannels.warning.publish({ topic: this.topic, kind: 'token-refreshed', message: 'the stream was UNAUTHENTICATED; the token was refreshed and the subscription resumed' });
      });
      return;
    }
    if (isReplayIdRejection(err) && this.#target.kind === 'subscribe') {
      const replayId = this.#lastDelivered ?? this.#startPosition?.replayId;
      const shown = replayId ? formatReplayId(replayId) : undefined;
      if (this.#policy === 'error') {
        this.#terminate(new PubSubReplayIdError({
          message: `the server rejected the replay id (outside the 72-hour retention or corrupted): ${err.details}`,
          topic: this.topic, replayId: shown, grpcCode: err.code, errorCode: err.trailers['error-code'], rpcId: rpcIdOf(err), reason: 'invalid', cause: err,
        }));
        return;
      }
      if (pubsubChannels.warning.hasSubscribers) {
        pubsubChannels.warning.publish({
          topic: this.topic, kind: 'replay-id-invalid', replayId: shown,
          message: `replay id ${shown ?? '?'} was rejected (${err.details}); resubscribing from ${this.#policy === 'earliest' ? 'the earliest retained event' : 'the latest event (events in between are skipped)'}`,
        });
      }
      this.#startPosition = { preset: this.#policy === 'earliest' ? ReplayPreset.EARLIEST : ReplayPreset.LATEST };
      this.#lastDelivered = undefined;
      this.#resumeWith(async () => undefined);
      return;
    }
    if (RETRYABLE.has(err.code)) {
      this.#scheduleResume(err.details, err, false);
      return;
    }
    this.#terminate(pubSubErrorFrom(err, this.topic, 'Subscribe failed', this.lastReplayId));
  }

  #scheduleResume(reason: string, err: GrpcCallError | undefined, newChannel: boolean): void {
    this.#attempts++;
    if (this.#attempts > this.#reconnect.maxAttempts) {
      const message = `gave up after ${this.#reconnect.maxAttempts} reconnects without receiving an event; last: ${reason}`;
      this.#terminate(err ? pubSubErrorFrom(err, this.topic, message, this.lastReplayId) : new PubSubError({ message, topic: this.topic, replayId: this.lastReplayId }));
      return;
    }
    const delayMs = backoffDelay(this.#attempts, this.#reconnect.initialDelayMs, this.#reconnect.maxDelayMs);
    if (pubsubChannels.reconnect.hasSubscribers) {
      pubsubChannels.reconnect.publish({ topic: this.topic, reason, grpcCode: err?.code, errorCode: err?.trailers['error-code'], attempt: this.#attempts, delayMs, newChannel });
    }
    this.#resumeWith(() => new Promise<void>((resolve) => {
      this.#backoffTimer = setTimeout(() => {
        this.#backoffTimer = undefined;
        resolve();
      }, delayMs);
    }));
  }

  #resumeWith(before: () => Promise<unknown>): void {
    const run = async (): Promise<void> => {
      try {
        await before();
        await this.#open();
      } catch (err) {
        // The token endpoint or the org was unreachable while reconnecting: try again (bounded).
        if (err instanceof NetworkError && !this.#done) this.#scheduleResume(`reconnect failed: ${err.message}`, undefined, false);
        else this.#terminate(err as Error);
      }
    };
    const reconnecting: Promise<void> = run().finally(() => {
      // A failed reopen may already have scheduled the next one: keep that one visible.
      if (this.#reconnecting === reconnecting) this.#reconnecting = undefined;
    });
    this.#reconnecting = reconnecting;
  }

  #terminate(err: Error): void {
    if (this.#failure || this.#done) return;
    this.#failure = err instanceof Error ? err : new PubSubError({ message: String(err), topic: this.topic });
    this.#done = true;
    this.#endStream();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve();
    this.#host.release?.(this);
  }

  /** @internal for tests: events requested and not yet received on the current stream. */
  get pendingRequested(): number {
    return this.#pending;
  }
  /** @internal for tests: events received and not yet delivered. */
  get buffered(): number {
    return this.#queued;
  }
}
