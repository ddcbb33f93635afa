/**
 * The simulator's event bus: topics, their retained events, replay ids and retention.
 *
 * Replay ids are 8-byte big-endian unsigned integers from one counter per bus (monotonic across
 * topics; an event on `/data/AccountChangeEvent` has the same replay id on `/data/ChangeEvents`).
 * Clients must treat them as opaque. Events older than the retention window (72 h by default, on
 * the simulator's clock) are evicted; a replay id is accepted for `CUSTOM` replay from the last
 * evicted position of its topic up to the newest replay id of the bus, and rejected otherwise.
 */
import { randomUUID } from 'node:crypto';
import type { RegisteredSchema } from './schemas.js';
import { encodeConsumerEvent } from './wire.js';

/**
 * One event on the bus. It holds a single buffer (the encoded ConsumerEvent); the payload and the
 * replay id are views computed on demand, which keeps large buses cheap for the garbage collector.
 */
export class BusEvent {
  constructor(
    /** Position on the bus (the replay id as a number). */
    readonly seq: number,
    /** The event UUID (ProducerEvent.id). */
    readonly id: string,
    readonly schemaId: string,
    /** When it was published, on the simulator's clock (ms). */
    readonly publishedAt: number,
    /** The ConsumerEvent, protobuf-encoded once. */
    readonly wire: Buffer,
    private readonly payloadStart: number,
    private readonly payloadLength: number,
  ) {}

  get replayId(): Buffer {
    return replayIdOf(this.seq);
  }

  /** Avro binary payload (a view into {@link BusEvent.wire}). */
  get payload(): Buffer {
    return this.wire.subarray(this.payloadStart, this.payloadStart + this.payloadLength);
  }
}

/** What kind of topic. */
export type TopicKind = 'platform-event' | 'change-event' | 'change-channel';

/** Replay id bytes of a bus position. */
export function replayIdOf(seq: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 0);
  b.writeUInt32BE(seq >>> 0, 4);
  return b;
}

/** The bus position of replay id bytes, or `undefined` when they are not 8 bytes. */
export function seqOfReplayId(bytes: Uint8Array): number | undefined {
  if (bytes.length !== 8) return undefined;
  const v = Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigUInt64BE();
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
}

/** A topic and its retained events. */
export class Topic {
  /** Events, oldest first; `events[head]` is the oldest retained. */
  private events: BusEvent[] = [];
  private head = 0;
  /** Position of the last evicted event (0 when none was). */
  evictedThrough = 0;
  /** Called after events are appended. */
  readonly listeners = new Set<() => void>();
  /** Schemas this topic has had, by id (events keep the id they were written with). */
  readonly schemas = new Map<string, RegisteredSchema>();

  constructor(
    readonly name: string,
    readonly kind: TopicKind,
    public schema: RegisteredSchema | undefined,
    public canPublish: boolean,
    public canSubscribe: boolean,
    /** For change-event topics: the sObject whose changes it carries. */
    readonly entity?: string,
  ) {
    if (schema) this.schemas.set(schema.id, schema);
  }

  /** Retained events. */
  get size(): number {
    return this.events.length - this.head;
  }

  /** Position of the newest retained event, or of the last evicted one when none is retained. */
  get lastSeq(): number {
    return this.events.length > this.head ? this.events[this.events.length - 1]!.seq : this.evictedThrough;
  }

  /** Position just before the oldest retained event (EARLIEST starts after it). */
  get earliestStart(): number {
    return this.evictedThrough;
  }

  append(event: BusEvent): void {
    this.events.push(event);
  }

  notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Up to `max` retained events after position `seq`, oldest first. */
  after(seq: number, max: number): BusEvent[] {
    const ev = this.events;
    let lo = this.head;
    let hi = ev.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ev[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo >= ev.length ? [] : ev.slice(lo, Math.min(ev.length, lo + max));
  }

  /** Whether there is a retained event after `seq`. */
  hasAfter(seq: number): boolean {
    return this.events.length > this.head && this.events[this.events.length - 1]!.seq > seq;
  }

  /** Evict events published at or before `cutoff`; evict every event up to `throughSeq` too. */
  evict(cutoff: number, throughSeq = 0): void {
    const ev = this.events;
    while (this.head < ev.length && (ev[this.head]!.publishedAt <= cutoff || ev[this.head]!.seq <= throughSeq)) {
      this.evictedThrough = ev[this.head]!.seq;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > ev.length) {
      this.events = ev.slice(this.head);
      this.head = 0;
    }
  }
}

/** Settings of the bus. */
export interface BusOptions {
  /** Retention window in ms (default 72 h). */
  readonly retentionMs: number;
  /** The simulator's clock. */
  readonly now: () => number;
}

/** An event to put on the bus (payload already Avro-encoded with `schema`). */
export interface NewEvent {
  readonly id?: string;
  readonly schemaId: string;
  readonly payload: Buffer;
}

export class EventBus {
  private readonly topics = new Map<string, Topic>();
  private seq = 0;

  constructor(readonly options: BusOptions) {}

  /** Newest position on the bus. */
  get lastSeq(): number {
    return this.seq;
  }

  addTopic(topic: Topic): Topic {
    this.topics.set(topic.name.toLowerCase(), topic);
    return topic;
  }

  topic(name: string): Topic | undefined {
    return this.topics.get(name.toLowerCase());
  }

  allTopics(): Topic[] {
    return [...this.topics.values()];
  }

  /** Drop events older than the retention window from every topic. */
  evictExpired(): void {
    const cutoff = this.options.now() - this.options.retentionMs;
    for (const t of this.topics.values()) t.evict(cutoff);
  }

  /**
   * Append events to `topic` (and to `alsoOn`, e.g. `/data/ChangeEvents`) with new replay ids,
   * then wake the topics' subscribers. Returns the stored events.
   */
  publish(topic: Topic, events: readonly NewEvent[], alsoOn?: Topic): BusEvent[] {
    const now = this.options.now();
    const out: BusEvent[] = [];
    for (const e of events) {
      const seq = ++this.seq;
      const id = e.id !== undefined && e.id !== '' ? e.id : randomUUID();
      const { wire, payloadStart } = encodeConsumerEvent(id, e.schemaId, e.payload, replayIdOf(seq));
      const stored = new BusEvent(seq, id, e.schemaId, now, wire, payloadStart, e.payload.length);
      topic.append(stored);
      alsoOn?.append(stored);
      out.push(stored);
    }
    if (out.length > 0) {
      this.evictExpired();
      topic.notify();
      alsoOn?.notify();
    }
    return out;
  }

  /**
   * Check a replay id for CUSTOM replay on `topic`: the position it names, or a reason it is
   * rejected (malformed, or outside retention / never issued).
   */
  checkReplayId(topic: Topic, bytes: Uint8Array): { ok: true; seq: number } | { ok: false; reason: string } {
    this.evictExpired();
    const seq = seqOfReplayId(bytes);
    if (seq === undefined) return { ok: false, reason: `replay id ${Buffer.from(bytes).toString('hex') || '(empty)'} is malformed (expected 8 bytes)` };
    if (seq < topic.earliestStart) return { ok: false, reason: `replay id ${seq} of ${topic.name} is outside the retention window (oldest retained position ${topic.earliestStart})` };
    if (seq > this.seq) return { ok: false, reason: `replay id ${seq} of ${topic.name} was never issued (newest is ${this.seq})` };
    return { ok: true, seq };
  }
}
