/**
 * The Pub/Sub API's protobuf messages (`package eventbus.v1`, proto/pubsub_api.proto), encoded and
 * decoded by hand: the messages are small and flat, so a direct reader is faster than a reflective
 * protobuf library, keeps `payload` and `replay_id` as zero-copy views of the received buffer, and
 * needs no `.proto` file at run time. Field numbers are those of Salesforce's published definition;
 * unknown fields are skipped, as protobuf requires.
 */

/** `ReplayPreset` enum. */
export const ReplayPreset = { LATEST: 0, EARLIEST: 1, CUSTOM: 2 } as const;
export type ReplayPresetValue = (typeof ReplayPreset)[keyof typeof ReplayPreset];

/** `ErrorCode` enum. */
export const WireErrorCode = { UNKNOWN: 0, PUBLISH: 1, COMMIT: 2 } as const;

export interface EventHeader { key: string; value: Buffer }
export interface ProducerEvent { id: string; schemaId: string; payload: Buffer; headers: EventHeader[] }
export interface ConsumerEvent { event: ProducerEvent; replayId: Buffer }
export interface WireError { code: number; msg: string }
export interface TopicInfo { topicName: string; tenantGuid: string; canPublish: boolean; canSubscribe: boolean; schemaId: string; rpcId: string }
export interface SchemaInfo { schemaJson: string; schemaId: string; rpcId: string }
export interface FetchRequest { topicName?: string; replayPreset?: number; replayId?: Uint8Array; numRequested?: number; authRefresh?: string }
export interface FetchResponse { events: ConsumerEvent[]; latestReplayId: Buffer; rpcId: string; pendingNumRequested: number }
export interface PublishRequest { topicName: string; events: readonly ProducerEvent[]; authRefresh?: string }
export interface PublishResult { replayId: Buffer; error: WireError | undefined; correlationKey: string }
export interface PublishResponse { results: PublishResult[]; schemaId: string; rpcId: string }
export interface CommitReplayRequest { commitRequestId: string; replayId: Uint8Array }
export interface CommitReplayResponse { commitRequestId: string; replayId: Buffer; error: WireError | undefined; processTime: bigint }
export interface ManagedFetchRequest { subscriptionId?: string; developerName?: string; numRequested?: number; authRefresh?: string; commitReplayIdRequest?: CommitReplayRequest }
export interface ManagedFetchResponse extends FetchResponse { commitResponse: CommitReplayResponse | undefined }

const EMPTY: Buffer = Buffer.alloc(0);

// ---------------------------------------------------------------------------------------------
// Writer

/** Values at least this long are kept as their own part (not copied) until finish(). */
const INLINE_MAX = 256;

/**
 * A protobuf writer: tags, varints, short strings and bytes go into one growing buffer; a long
 * bytes or message field is kept as a part of its own and copied once, by finish().
 */
class Writer {
  #buf: Buffer = Buffer.allocUnsafe(128);
  #pos = 0;
  /** Finished segments, when a long field was added; the tail of #buf follows them. */
  #parts: Buffer[] | undefined;

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }
  varint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff && Number.isInteger(value)) {
      this.#room(5);
      const buf = this.#buf;
      let v = value;
      while (v >= 0x80) {
        buf[this.#pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.#pos++] = v;
      return;
    }
    // Negative numbers are ten bytes (two's complement), like every protobuf encoder.
    let v = BigInt.asUintN(64, BigInt(value));
    this.#room(10);
    while (v >= 0x80n) {
      this.#buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#pos++] = Number(v);
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  #raw(value: Uint8Array): void {
    if (value.length < INLINE_MAX) {
      this.#room(value.length);
      this.#buf.set(value, this.#pos);
      this.#pos += value.length;
      return;
    }
    // The bytes so far become a segment of their own, then the value, uncopied.
    (this.#parts ??= []).push(this.#buf.subarray(0, this.#pos), Buffer.from(value.buffer, value.byteOffset, value.length));
    this.#buf = this.#buf.subarray(this.#pos);
    this.#pos = 0;
  }
  bytesField(field: number, value: Uint8Array | undefined): void {
    if (value === undefined || value.length === 0) return;
    this.tag(field, 2);
    this.varint(value.length);
    this.#raw(value);
  }
  stringField(field: number, value: string | undefined): void {
    if (value === undefined || value === '') return;
    const length = Buffer.byteLength(value, 'utf8');
    if (length >= INLINE_MAX) {
      this.bytesField(field, Buffer.from(value, 'utf8'));
      return;
    }
    this.tag(field, 2);
    this.varint(length);
    this.#room(length);
    this.#pos += this.#buf.write(value, this.#pos, 'utf8');
  }
  varintField(field: number, value: number | undefined): void {
    if (value === undefined || value === 0) return;
    this.tag(field, 0);
    this.varint(value);
  }
  messageField(field: number, message: Buffer): void {
    this.tag(field, 2);
    this.varint(message.length);
    this.#raw(message);
  }
  finish(): Buffer {
    const tail = this.#buf.subarray(0, this.#pos);
    return this.#parts === undefined ? tail : Buffer.concat([...this.#parts, tail]);
  }
}

// ---------------------------------------------------------------------------------------------
// Reader

class Reader {
  pos: number;
  end: number;
  constructor(readonly buf: Buffer, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }
  varint(): number {
    // Fast path for values below 2^28 (tags, lengths, counts).
    const buf = this.buf;
    let b = buf[this.pos++] as number;
    let value = b & 0x7f;
    if (b < 0x80) return value;
    b = buf[this.pos++] as number;
    value |= (b & 0x7f) << 7;
    if (b < 0x80) return value;
    b = buf[this.pos++] as number;
    value |= (b & 0x7f) << 14;
    if (b < 0x80) return value;
    b = buf[this.pos++] as number;
    value |= (b & 0x7f) << 21;
    if (b < 0x80) return value >>> 0;
    // Larger: continue as a float (int32 negatives are 10 bytes; fold them back to int32).
    let result = value >>> 0;
    let mul = 2 ** 28;
    for (let i = 0; i < 6; i++) {
      b = buf[this.pos++] as number;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) break;
    }
    if (this.pos > this.end) throw new RangeError('truncated varint');
    return result >= 2 ** 63 ? result - 2 ** 64 : result;
  }
  varint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    return BigInt.asIntN(64, result);
  }
  /**
   * Steps over the length-delimited field at the current position; returns where its content
   * starts (it ends at the new `pos`). `what` names the field kind in the truncation error.
   */
  span(what: string): number {
    const len = this.varint();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) throw new RangeError(`truncated ${what}`);
    return start;
  }
  bytes(): Buffer {
    const start = this.span('length-delimited field');
    return this.buf.subarray(start, this.pos);
  }
  string(): string {
    const start = this.span('string field');
    return this.buf.toString('utf8', start, this.pos);
  }
  /**
   * Narrows this reader to the length-delimited field at the current position (no new reader, for
   * the messages every event has); returns the outer end, to pass to {@link leave}.
   */
  enter(): number {
    const outer = this.end;
    const start = this.span('message field');
    this.end = this.pos;
    this.pos = start;
    return outer;
  }
  /** Moves past the field {@link enter} narrowed to and restores the outer end. */
  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }
  /** Sub-reader over a length-delimited field. */
  sub(): Reader {
    const start = this.span('message field');
    return new Reader(this.buf, start, this.pos);
  }
  skip(wire: number): void {
    switch (wire) {
      case 0:
        while ((this.buf[this.pos++] as number) >= 0x80) { /* continue */ }
        break;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos += this.varint();
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new RangeError(`unsupported wire type ${wire}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

function decodeHeader(r: Reader): EventHeader {
  const h: EventHeader = { key: '', value: EMPTY };
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) h.key = r.string();
    else if (field === 2 && (tag & 7) === 2) h.value = r.bytes();
    else r.skip(tag & 7);
  }
  return h;
}

/**
 * The last schema id read, as bytes and as a string. Nearly every event of a stream carries the
 * same schema id: handing back the same string skips decoding it again and lets the schema cache
 * look it up by a string whose hash is already computed.
 */
let lastSchemaIdBytes: Buffer = EMPTY;
let lastSchemaId = '';

function schemaIdField(r: Reader): string {
  const start = r.span('string field');
  const end = r.pos;
  const len = end - start;
  const buf = r.buf;
  const last = lastSchemaIdBytes;
  if (len === last.length) {
    let i = 0;
    while (i < len && buf[start + i] === last[i]) i++;
    if (i === len) return lastSchemaId;
  }
  const id = buf.toString('utf8', start, end);
  // A copy: the received buffer is grpc-js's, and a view would keep all of it alive.
  lastSchemaIdBytes = Buffer.from(buf.subarray(start, end));
  lastSchemaId = id;
  return id;
}

const NO_HEADERS: EventHeader[] = Object.freeze([]) as unknown as EventHeader[];

/**
 * A received ProducerEvent. Its `id` is decoded from the received bytes when first read: most
 * applications never read it, and decoding a uuid costs more than the rest of the envelope. The
 * bytes are the received buffer's, which `payload` and the replay id are views of as well.
 */
class ReceivedProducerEvent implements ProducerEvent {
  #id: string | undefined;
  readonly #buf: Buffer;
  readonly #idStart: number;
  readonly #idEnd: number;
  constructor(buf: Buffer, idStart: number, idEnd: number, readonly schemaId: string, readonly payload: Buffer, readonly headers: EventHeader[]) {
    this.#buf = buf;
    this.#idStart = idStart;
    this.#idEnd = idEnd;
  }
  get id(): string {
    return (this.#id ??= this.#buf.toString('utf8', this.#idStart, this.#idEnd));
  }
  toJSON(): ProducerEvent {
    return { id: this.id, schemaId: this.schemaId, payload: this.payload, headers: this.headers };
  }
}

/** Reads a ProducerEvent; `r` is narrowed to it. */
function decodeProducerEvent(r: Reader): ProducerEvent {
  let idStart = 0;
  let idEnd = 0;
  let schemaId = '';
  let payload = EMPTY;
  let headers: EventHeader[] | undefined;
  while (r.pos < r.end) {
    const tag = r.varint();
    switch (tag) {
      case 10:
        idStart = r.span('string field');
        idEnd = r.pos;
        break;
      case 18: schemaId = schemaIdField(r); break;
      case 26: payload = r.bytes(); break;
      case 34: (headers ??= []).push(decodeHeader(r.sub())); break;
      default: r.skip(tag & 7);
    }
  }
  return new ReceivedProducerEvent(r.buf, idStart, idEnd, schemaId, payload, headers ?? NO_HEADERS);
}

/**
 * A ConsumerEvent of a received FetchResponse, read when first used: the response is scanned for
 * its events' bounds only, so the client sees it (and asks the server for more) without paying
 * for every event's envelope first; the application's read of each event does that. A malformed
 * event throws {@link MalformedEventError} from `event` / `replayId`.
 */
class ReceivedConsumerEvent implements ConsumerEvent {
  readonly #buf: Buffer;
  readonly #start: number;
  readonly #end: number;
  #event: ProducerEvent | undefined;
  #replayId: Buffer = EMPTY;
  constructor(buf: Buffer, start: number, end: number) {
    this.#buf = buf;
    this.#start = start;
    this.#end = end;
  }
  get event(): ProducerEvent {
    return this.#event ?? this.#read();
  }
  get replayId(): Buffer {
    if (this.#event === undefined) this.#read();
    return this.#replayId;
  }
  #read(): ProducerEvent {
    const r = new Reader(this.#buf, this.#start, this.#end);
    let event: ProducerEvent | undefined;
    try {
      while (r.pos < r.end) {
        const tag = r.varint();
        if (tag === 10) {
          const outer = r.enter();
          event = decodeProducerEvent(r);
          r.leave(outer);
        } else if (tag === 18) this.#replayId = r.bytes();
        else r.skip(tag & 7);
      }
    } catch (err) {
      throw new MalformedEventError(`malformed ConsumerEvent (bytes ${this.#start}-${this.#end} of a FetchResponse): ${(err as Error).message}`);
    }
    return (this.#event = event ?? { id: '', schemaId: '', payload: EMPTY, headers: NO_HEADERS });
  }
  toJSON(): { event: ProducerEvent; replayId: Buffer } {
    return { event: this.event, replayId: this.replayId };
  }
}

/** A received event whose protobuf encoding cannot be read. */
export class MalformedEventError extends RangeError {
  override readonly name = 'MalformedEventError';
}

function decodeError(r: Reader): WireError {
  const e: WireError = { code: 0, msg: '' };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 8) e.code = r.varint();
    else if (tag === 18) e.msg = r.string();
    else r.skip(tag & 7);
  }
  return e;
}

function decodeCommitResponse(r: Reader): CommitReplayResponse {
  const c: CommitReplayResponse = { commitRequestId: '', replayId: EMPTY, error: undefined, processTime: 0n };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 10) c.commitRequestId = r.string();
    else if (tag === 18) c.replayId = r.bytes();
    else if (tag === 26) c.error = decodeError(r.sub());
    else if (tag === 32) c.processTime = r.varint64();
    else r.skip(tag & 7);
  }
  return c;
}

/** FetchResponse; with `managed`, ManagedFetchResponse (adds `commit_response = 5`). */
function decodeFetch(buf: Buffer): ManagedFetchResponse {
  const r = new Reader(buf);
  const events: ConsumerEvent[] = [];
  let latestReplayId = EMPTY;
  let rpcId = '';
  let pendingNumRequested = 0;
  let commitResponse: CommitReplayResponse | undefined;
  while (r.pos < r.end) {
    const tag = r.varint();
    switch (tag) {
      case 10: {
        const start = r.span('message field');
        events.push(new ReceivedConsumerEvent(buf, start, r.pos));
        break;
      }
      case 18: latestReplayId = r.bytes(); break;
      case 26: rpcId = r.string(); break;
      case 32: pendingNumRequested = r.varint(); break;
      case 42: commitResponse = decodeCommitResponse(r.sub()); break;
      default: r.skip(tag & 7);
    }
  }
  return { events, latestReplayId, rpcId, pendingNumRequested, commitResponse };
}

export const decodeFetchResponse: (buf: Buffer) => FetchResponse = decodeFetch;
export const decodeManagedFetchResponse: (buf: Buffer) => ManagedFetchResponse = decodeFetch;

export function encodeFetchRequest(m: FetchRequest): Buffer {
  const w = new Writer();
  w.stringField(1, m.topicName);
  w.varintField(2, m.replayPreset);
  w.bytesField(3, m.replayId);
  w.varintField(4, m.numRequested);
  w.stringField(5, m.authRefresh);
  return w.finish();
}

export function encodeManagedFetchRequest(m: ManagedFetchRequest): Buffer {
  const w = new Writer();
  w.stringField(1, m.subscriptionId);
  w.stringField(2, m.developerName);
  w.varintField(3, m.numRequested);
  w.stringField(4, m.authRefresh);
  if (m.commitReplayIdRequest) {
    const c = new Writer();
    c.stringField(1, m.commitReplayIdRequest.commitRequestId);
    c.bytesField(2, m.commitReplayIdRequest.replayId);
    w.messageField(5, c.finish());
  }
  return w.finish();
}

export function encodeTopicRequest(m: { topicName: string }): Buffer {
  const w = new Writer();
  w.stringField(1, m.topicName);
  return w.finish();
}

export function decodeTopicInfo(buf: Buffer): TopicInfo {
  const r = new Reader(buf);
  const t: TopicInfo = { topicName: '', tenantGuid: '', canPublish: false, canSubscribe: false, schemaId: '', rpcId: '' };
  while (r.pos < r.end) {
    const tag = r.varint();
    switch (tag) {
      case 10: t.topicName = r.string(); break;
      case 18: t.tenantGuid = r.string(); break;
      case 24: t.canPublish = r.varint() !== 0; break;
      case 32: t.canSubscribe = r.varint() !== 0; break;
      case 42: t.schemaId = r.string(); break;
      case 50: t.rpcId = r.string(); break;
      default: r.skip(tag & 7);
    }
  }
  return t;
}

export function encodeSchemaRequest(m: { schemaId: string }): Buffer {
  const w = new Writer();
  w.stringField(1, m.schemaId);
  return w.finish();
}

export function decodeSchemaInfo(buf: Buffer): SchemaInfo {
  const r = new Reader(buf);
  const s: SchemaInfo = { schemaJson: '', schemaId: '', rpcId: '' };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 10) s.schemaJson = r.string();
    else if (tag === 18) s.schemaId = r.string();
    else if (tag === 26) s.rpcId = r.string();
    else r.skip(tag & 7);
  }
  return s;
}

function encodeProducerEvent(e: ProducerEvent): Buffer {
  const w = new Writer();
  w.stringField(1, e.id);
  w.stringField(2, e.schemaId);
  w.bytesField(3, e.payload);
  for (const h of e.headers) {
    const hw = new Writer();
    hw.stringField(1, h.key);
    hw.bytesField(2, h.value);
    w.messageField(4, hw.finish());
  }
  return w.finish();
}

export function encodePublishRequest(m: PublishRequest): Buffer {
  const w = new Writer();
  w.stringField(1, m.topicName);
  for (const e of m.events) w.messageField(2, encodeProducerEvent(e));
  w.stringField(3, m.authRefresh);
  return w.finish();
}

export function decodePublishResponse(buf: Buffer): PublishResponse {
  const r = new Reader(buf);
  const out: PublishResponse = { results: [], schemaId: '', rpcId: '' };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 10) {
      const s = r.sub();
      const result: PublishResult = { replayId: EMPTY, error: undefined, correlationKey: '' };
      while (s.pos < s.end) {
        const t = s.varint();
        if (t === 10) result.replayId = s.bytes();
        else if (t === 18) result.error = decodeError(s.sub());
        else if (t === 26) result.correlationKey = s.string();
        else s.skip(t & 7);
      }
      out.results.push(result);
    } else if (tag === 18) out.schemaId = r.string();
    else if (tag === 26) out.rpcId = r.string();
    else r.skip(tag & 7);
  }
  return out;
}

/** The service's method paths and codecs. */
export const METHODS = {
  GetTopic: { path: '/eventbus.v1.PubSub/GetTopic', encode: encodeTopicRequest, decode: decodeTopicInfo },
  GetSchema: { path: '/eventbus.v1.PubSub/GetSchema', encode: encodeSchemaRequest, decode: decodeSchemaInfo },
  Subscribe: { path: '/eventbus.v1.PubSub/Subscribe', encode: encodeFetchRequest, decode: decodeFetchResponse },
  Publish: { path: '/eventbus.v1.PubSub/Publish', encode: encodePublishRequest, decode: decodePublishResponse },
  PublishStream: { path: '/eventbus.v1.PubSub/PublishStream', encode: encodePublishRequest, decode: decodePublishResponse },
  ManagedSubscribe: { path: '/eventbus.v1.PubSub/ManagedSubscribe', encode: encodeManagedFetchRequest, decode: decodeManagedFetchResponse },
} as const;
