/**
 * Publishing over PublishStream: inputs are encoded with the topic's current schema (all of them
 * before anything is sent: one bad input sends nothing), sent in requests of at most
 * `chunkSize` events, and matched with their results by correlation key (the event's uuid). A
 * failed event is reported with its error and can be published again alone; the results of the
 * events that succeeded are never lost because another failed or the stream broke.
 */
import { randomUUID } from 'node:crypto';
import { AuthError } from '../../errors.js';
import { EventEncodeError } from './codec.js';
import { GrpcStatus, type GrpcCallError } from '../../transport/grpc.js';
import { pubsubChannels } from './channels.js';
import { PubSubInputError, PubSubPublishError } from './errors.js';
import { formatReplayId } from './replay-id.js';
import type { CompiledSchema } from './schemas.js';
import { pubSubErrorFrom, rpcIdOf, type SubscriptionHost } from './subscription.js';
import { METHODS, type ProducerEvent, type PublishRequest, type PublishResponse } from './wire.js';

/** One event to publish with a chosen uuid. */
export interface PublishEnvelope<I> {
  /** The event's uuid (default: a random UUID). Results are matched by it. */
  readonly id?: string | undefined;
  readonly payload: I;
}

/** The outcome of one event: accepted with its replay id, or failed with its error. */
export type PublishResult =
  | { readonly ok: true; readonly index: number; readonly id: string; readonly replayId: string }
  | { readonly ok: false; readonly index: number; readonly id: string; readonly error: PubSubPublishError };

/** Options of `publish()`. */
export interface PublishOptions {
  /** Events per PublishRequest (default 100; Salesforce accepts at most 200 and ~3 MB a request). */
  readonly chunkSize?: number;
  /** Fail the events still without a result when nothing arrived for this long (ms). Default 60 s. */
  readonly timeoutMs?: number;
}

export const DEFAULT_PUBLISH = { chunkSize: 100, timeoutMs: 60_000, maxRequestBytes: 3_000_000 } as const;

/** What publishing needs beyond the subscription host. */
export interface PublishHost extends SubscriptionHost {
  /** The topic's current schema (GetTopic + GetSchema, cached). */
  topicSchema(topic: string): Promise<CompiledSchema>;
  /** The user id put in `CreatedById` when the input has none (Salesforce replaces it anyway). */
  userId(): Promise<string | undefined>;
}

/** Encodes one input with the topic's current schema. */
export type PayloadEncoder<I> = (schema: CompiledSchema, input: I, createdById: string | undefined) => Buffer;

/** The default encoder: the schema's codec (CreatedDate/CreatedById filled, omitted nullable fields null). */
export const encodePlain: PayloadEncoder<unknown> = (schema, input, createdById) => schema.codec.encode(input as Record<string, unknown>, { createdById });

function isEnvelope<I>(value: I | PublishEnvelope<I>): value is PublishEnvelope<I> {
  return typeof value === 'object' && value !== null && 'payload' in value && Object.keys(value).every((k) => k === 'id' || k === 'payload');
}

/** Publishes `inputs` on `topic`; one result per input, in input order. */
export async function publishEvents<I>(
  host: PublishHost,
  topic: string,
  inputs: readonly (I | PublishEnvelope<I>)[],
  encode: PayloadEncoder<I>,
  options: PublishOptions = {},
): Promise<PublishResult[]> {
  const started = performance.now();
  const chunkSize = options.chunkSize ?? DEFAULT_PUBLISH.chunkSize;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 200) {
    throw new PubSubInputError({ message: `publish: chunkSize must be an integer from 1 to 200, got ${chunkSize}`, topic });
  }
  if (inputs.length === 0) return [];
  const schema = await host.topicSchema(topic);
  const createdById = await host.userId().catch(() => undefined);

  // Encode everything first: a bad input sends nothing.
  const events: ProducerEvent[] = [];
  const seen = new Map<string, number>();
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index] as I | PublishEnvelope<I>;
    const envelope = isEnvelope(input) ? input : { payload: input };
    const id = envelope.id ?? randomUUID();
    if (typeof id !== 'string' || id === '') throw new PubSubInputError({ message: `publish: event #${index} has an empty id`, topic, index });
    const previous = seen.get(id);
    if (previous !== undefined) throw new PubSubInputError({ message: `publish: events #${previous} and #${index} have the same id (results are matched by it)`, topic, eventId: id, index });
    seen.set(id, index);
    let payload: Buffer;
    try {
      payload = encode(schema, envelope.payload, createdById);
    } catch (err) {
      if (err instanceof PubSubInputError) throw err;
      const fields = err instanceof EventEncodeError && err.field !== null ? [err.field] : undefined;
      throw new PubSubInputError({ message: `publish: event #${index} is not valid for schema ${schema.schemaId}: ${(err as Error).message}`, topic, eventId: id, index, fields, cause: err });
    }
    events.push({ id, schemaId: schema.schemaId, payload, headers: [] });
  }

  const results = new Map<string, PublishResult>();
  const indexOf = (id: string): number => seen.get(id) ?? -1;
  let attempt = 0;
  for (;;) {
    attempt++;
    const unresolved = events.filter((e) => !results.has(e.id));
    const outcome = await streamOnce(host, topic, unresolved, chunkSize, options.timeoutMs ?? DEFAULT_PUBLISH.timeoutMs, (response) => {
      for (const r of response.results) {
        const index = indexOf(r.correlationKey);
        if (index < 0 || results.has(r.correlationKey)) continue;
        results.set(r.correlationKey, r.error
          ? { ok: false, index, id: r.correlationKey, error: new PubSubPublishError({ message: `event not published: ${r.error.msg || 'error'}`, topic, eventId: r.correlationKey, rpcId: response.rpcId || undefined, retryable: true }) }
          : { ok: true, index, id: r.correlationKey, replayId: formatReplayId(r.replayId) });
      }
    });
    if (outcome === undefined) break;
    // The credentials were refused before any event was processed: refresh once and send again.
    if (outcome.error?.code === GrpcStatus.UNAUTHENTICATED && results.size === 0 && attempt === 1 && outcome.token) {
      await host.renewToken(outcome.token);
      continue;
    }
    const err = outcome.error;
    if (err?.code === GrpcStatus.UNAUTHENTICATED && results.size === 0) throw pubSubErrorFrom(err, topic, 'PublishStream rejected the credentials') as AuthError;
    if (err && results.size === 0 && (err.code === GrpcStatus.NOT_FOUND || err.code === GrpcStatus.PERMISSION_DENIED || err.code === GrpcStatus.INVALID_ARGUMENT)) {
      throw pubSubErrorFrom(err, topic, 'PublishStream failed');
    }
    // Whatever has no result: its outcome is unknown (it may have been accepted).
    for (const e of events) {
      if (results.has(e.id)) continue;
      results.set(e.id, {
        ok: false, index: indexOf(e.id), id: e.id,
        error: new PubSubPublishError({
          message: `no result for the event (${outcome.reason}); it may or may not have been published`,
          topic, eventId: e.id, grpcCode: err?.code, errorCode: err?.trailers['error-code'], rpcId: err ? rpcIdOf(err) : undefined, retryable: false, cause: err,
        }),
      });
    }
    break;
  }
  const ordered = events.map((e) => results.get(e.id) as PublishResult);
  if (pubsubChannels.publish.hasSubscribers) {
    pubsubChannels.publish.publish({ topic, events: events.length, failed: ordered.filter((r) => !r.ok).length, durationMs: performance.now() - started });
  }
  return ordered;
}

/** One PublishStream call; resolves `undefined` when every event got a result. */
async function streamOnce(
  host: PublishHost,
  topic: string,
  events: readonly ProducerEvent[],
  chunkSize: number,
  timeoutMs: number,
  onResponse: (response: PublishResponse) => void,
): Promise<{ error: GrpcCallError | undefined; reason: string; token?: import('../../auth/types.js').TokenInfo } | undefined> {
  const channel = host.channel();
  const { metadata, token } = await host.metadata();
  try {
    await channel.ready();
  } catch (err) {
    return { error: err as GrpcCallError, reason: (err as GrpcCallError).details, token };
  }
  const call = channel.duplex<PublishRequest, PublishResponse>(METHODS.PublishStream, metadata);
  const expected = new Set(events.map((e) => e.id));
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => finish({ error: undefined, reason: `nothing received for ${timeoutMs} ms`, token }, true), timeoutMs);
    const finish = (value: Awaited<ReturnType<typeof streamOnce>>, cancel: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (cancel) call.cancel();
      else call.end();
      resolve(value);
    };
    call.on('data', (response) => {
      timer.refresh();
      onResponse(response);
      for (const r of response.results) expected.delete(r.correlationKey);
      if (expected.size === 0) finish(undefined, false);
    });
    call.on('error', (error) => finish({ error, reason: error.details, token }, false));
    call.on('end', () => finish(expected.size === 0 ? undefined : { error: undefined, reason: 'the server closed the stream', token }, false));
    // Requests of at most chunkSize events and ~3 MB, written with backpressure.
    const chunks: ProducerEvent[][] = [];
    let chunk: ProducerEvent[] = [];
    let bytes = 0;
    for (const e of events) {
      if (chunk.length >= chunkSize || (chunk.length > 0 && bytes + e.payload.length > DEFAULT_PUBLISH.maxRequestBytes)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(e);
      bytes += e.payload.length + e.id.length + 64;
    }
    if (chunk.length) chunks.push(chunk);
    let next = 0;
    const pump = (): void => {
      while (next < chunks.length && !settled) {
        if (!call.write({ topicName: topic, events: chunks[next++] as ProducerEvent[] })) return;
      }
    };
    call.on('drain', pump);
    pump();
  });
}
