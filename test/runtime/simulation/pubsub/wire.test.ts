import { describe, expect, it } from 'vitest';
import { loadPubSubPackage } from '../../../../runtime/transport/grpc-proto.js';
import type { FetchResponse } from '../../../../runtime/transport/grpc-proto.js';
import { bitmapHex, changeEventName } from '../../../../runtime/simulation/pubsub/change-events.js';
import { replayIdOf, seqOfReplayId } from '../../../../runtime/simulation/pubsub/bus.js';
import { encodeConsumerEvent, encodeFetchResponse } from '../../../../runtime/simulation/pubsub/wire.js';

describe('hand-written protobuf encoding', () => {
  it('decodes with the proto definition to the same FetchResponse', () => {
    const subscribe = loadPubSubPackage()['eventbus.v1.PubSub'] as unknown as { Subscribe: { responseDeserialize(b: Buffer): FetchResponse } };
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
    const events = [1, 2].map((n) => encodeConsumerEvent(`uuid-${n}-é`, 'schemaABC', payload, replayIdOf(2 ** 40 + n)).wire);
    const decoded = subscribe.Subscribe.responseDeserialize(encodeFetchResponse(events, replayIdOf(2 ** 40 + 2), 'rpc-1', 300));
    expect(decoded.events.map((e) => e.event!.id)).toEqual(['uuid-1-é', 'uuid-2-é']);
    expect(decoded.events[1]!.event!.payload.equals(payload)).toBe(true);
    expect(decoded.events[1]!.event!.schema_id).toBe('schemaABC');
    expect(seqOfReplayId(decoded.events[0]!.replay_id)).toBe(2 ** 40 + 1);
    expect(decoded).toMatchObject({ rpc_id: 'rpc-1', pending_num_requested: 300 });
    expect(seqOfReplayId(decoded.latest_replay_id)).toBe(2 ** 40 + 2);
    const keepalive = subscribe.Subscribe.responseDeserialize(encodeFetchResponse([], replayIdOf(7), 'r', 0));
    expect(keepalive).toMatchObject({ events: [], pending_num_requested: 0 });
  });

  it('the payload view points at the payload inside the encoded event', () => {
    const payload = Buffer.from('avro-bytes');
    const { wire, payloadStart } = encodeConsumerEvent('id', 's', payload, replayIdOf(1));
    expect(wire.subarray(payloadStart, payloadStart + payload.length).equals(payload)).toBe(true);
  });
});

describe('change event names and bitmaps', () => {
  it('bitmaps are upper-case hex padded to whole bytes, bit i = field position i', () => {
    expect(bitmapHex([7, 8, 13, 17])).toBe('0x022180');
    expect(bitmapHex([1, 2, 3])).toBe('0x0E');
    expect(bitmapHex([8])).toBe('0x0100');
    expect(bitmapHex([5, 6, 7, 10, 24, 26, 29, 30])).toBe('0x650004E0');
    expect(bitmapHex([70])).toBe(`0x40${'00'.repeat(8)}`);
  });

  it('names change-event topics like Salesforce', () => {
    expect(changeEventName('Account')).toBe('AccountChangeEvent');
    expect(changeEventName('acme__Widget__c')).toBe('acme__Widget__ChangeEvent');
  });
});
