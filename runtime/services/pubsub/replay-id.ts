/**
 * Replay ids are opaque bytes (8 bytes, big-endian, on today's servers). They are kept as bytes for
 * resubscribing and shown as a decimal string (an unsigned 64-bit integer, which can exceed
 * `Number.MAX_SAFE_INTEGER`, so never a `number`); ids of any other length show as `0x` + hex.
 * {@link parseReplayId} reads both forms back to the exact bytes.
 */
import { PubSubReplayIdError } from './errors.js';

/** What `{ after: ... }` accepts: the bytes of an event, a `bigint`, or the text of {@link formatReplayId}. */
export type ReplayIdInput = Uint8Array | bigint | string;

/** The printable form: decimal for 8-byte ids, `0x…` hex otherwise. */
export function formatReplayId(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length === 8) return buf.readBigUInt64BE(0).toString(10);
  return `0x${buf.toString('hex')}`;
}

/**
 * The bytes of a replay id. Throws {@link PubSubReplayIdError} naming the value when it is not a
 * replay id (empty, negative, not decimal or `0x` hex, wider than 64 bits as a decimal).
 */
export function parseReplayId(value: ReplayIdInput, topic?: string): Buffer {
  const fail = (why: string): never => {
    throw new PubSubReplayIdError({
      message: `malformed replay id ${typeof value === 'string' ? JSON.stringify(value) : String(value)}${topic ? ` for ${topic}` : ''}: ${why}`,
      topic,
      replayId: typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : undefined,
      reason: 'malformed',
    });
  };
  if (value instanceof Uint8Array) {
    if (value.length === 0) fail('it is empty');
    return Buffer.from(value);
  }
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 2n ** 64n) fail('it must be an unsigned 64-bit integer');
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64BE(value);
    return buf;
  }
  if (typeof value !== 'string') return fail('expected a string, a bigint or bytes');
  const text = value.trim();
  if (/^0x[0-9a-f]+$/i.test(text) && text.length % 2 === 0) return Buffer.from(text.slice(2), 'hex');
  if (/^\d{1,20}$/.test(text)) return parseReplayId(BigInt(text), topic);
  return fail('expected a decimal number (as printed by sfgen) or 0x-prefixed hex bytes');
}

/**
 * Orders two replay ids when both are 8-byte big-endian counters (today's format): negative,
 * zero or positive; `undefined` when they cannot be compared.
 */
export function compareReplayIds(a: Uint8Array, b: Uint8Array): number | undefined {
  if (a.length !== b.length) return undefined;
  return Buffer.compare(a, b);
}
