/**
 * Hand-written protobuf encoding of the two messages a subscription sends most: `ConsumerEvent`
 * (encoded once, when an event is published) and `FetchResponse` / `ManagedFetchResponse` (the
 * same field numbers 1-4), which concatenate pre-encoded events. Field numbers are those of
 * `proto/pubsub_api.proto`.
 */

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

/** Size of a length-delimited field (tag byte + length varint + body). */
const fieldSize = (bodyLength: number) => 1 + varintLength(bodyLength) + bodyLength;

function writeBytesField(buf: Buffer, offset: number, tag: number, body: Buffer): number {
  buf[offset++] = tag;
  offset = writeVarint(buf, offset, body.length);
  body.copy(buf, offset);
  return offset + body.length;
}

/**
 * `ConsumerEvent { event: ProducerEvent { id=1, schema_id=2, payload=3 }, replay_id=2 }`, and where
 * the payload sits in it (so the caller can keep one buffer per event).
 */
export function encodeConsumerEvent(id: string, schemaId: string, payload: Buffer, replayId: Buffer): { wire: Buffer; payloadStart: number } {
  const idBytes = Buffer.from(id, 'utf8');
  const schemaBytes = Buffer.from(schemaId, 'utf8');
  const producerLength =
    (idBytes.length > 0 ? fieldSize(idBytes.length) : 0) + (schemaBytes.length > 0 ? fieldSize(schemaBytes.length) : 0) + (payload.length > 0 ? fieldSize(payload.length) : 0);
  const total = fieldSize(producerLength) + (replayId.length > 0 ? fieldSize(replayId.length) : 0);
  const buf = Buffer.allocUnsafe(total);
  let o = 0;
  buf[o++] = 0x0a; // field 1, length-delimited: event
  o = writeVarint(buf, o, producerLength);
  if (idBytes.length > 0) o = writeBytesField(buf, o, 0x0a, idBytes);
  if (schemaBytes.length > 0) o = writeBytesField(buf, o, 0x12, schemaBytes);
  let payloadStart = o;
  if (payload.length > 0) {
    o = writeBytesField(buf, o, 0x1a, payload);
    payloadStart = o - payload.length;
  }
  if (replayId.length > 0) o = writeBytesField(buf, o, 0x12, replayId);
  return { wire: buf, payloadStart };
}

/**
 * `FetchResponse { events=1 (pre-encoded ConsumerEvents), latest_replay_id=2, rpc_id=3,
 * pending_num_requested=4 }`; also a valid `ManagedFetchResponse` (same numbers).
 */
export function encodeFetchResponse(events: readonly Buffer[], latestReplayId: Buffer, rpcId: string, pending: number): Buffer {
  const rpcBytes = Buffer.from(rpcId, 'utf8');
  let total = 0;
  for (const e of events) total += fieldSize(e.length);
  if (latestReplayId.length > 0) total += fieldSize(latestReplayId.length);
  if (rpcBytes.length > 0) total += fieldSize(rpcBytes.length);
  if (pending > 0) total += 1 + varintLength(pending);
  const buf = Buffer.allocUnsafe(total);
  let o = 0;
  for (const e of events) o = writeBytesField(buf, o, 0x0a, e);
  if (latestReplayId.length > 0) o = writeBytesField(buf, o, 0x12, latestReplayId);
  if (rpcBytes.length > 0) o = writeBytesField(buf, o, 0x1a, rpcBytes);
  if (pending > 0) {
    buf[o++] = 0x20;
    o = writeVarint(buf, o, pending);
  }
  return buf;
}
