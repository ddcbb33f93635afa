/**
 * The hand-written eventbus.v1 codec against protobufjs (through @grpc/proto-loader and
 * proto/pubsub_api.proto): what one encodes the other decodes, field for field.
 */
import { describe, expect, it } from 'vitest';
import { loadPubSubPackage } from '../../../../runtime/transport/grpc-proto.js';
import {
  METHODS, MalformedEventError, decodeFetchResponse, decodeManagedFetchResponse, encodeFetchRequest, encodeManagedFetchRequest, encodePublishRequest,
} from '../../../../runtime/services/pubsub/wire.js';
import { formatReplayId, parseReplayId } from '../../../../runtime/services/pubsub/replay-id.js';
import { PubSubReplayIdError } from '../../../../runtime/services/pubsub/errors.js';

interface MethodDef {
  requestSerialize(v: unknown): Buffer;
  requestDeserialize(b: Buffer): Record<string, unknown>;
  responseSerialize(v: unknown): Buffer;
  responseDeserialize(b: Buffer): Record<string, unknown>;
}
const service = loadPubSubPackage()['eventbus.v1.PubSub'] as unknown as Record<string, MethodDef>;
const method = (name: string): MethodDef => service[name] as MethodDef;

const replay = (n: bigint) => parseReplayId(n);

describe('wire codec vs proto-loader', () => {
  it('decodes a FetchResponse protobufjs encoded (events, headers, keepalive fields, zero-copy payload)', () => {
    const bytes = method('Subscribe').responseSerialize({
      events: [
        { event: { id: 'e1', schema_id: 's1', payload: Buffer.from([1, 2, 3]), headers: [{ key: 'k', value: Buffer.from('v') }] }, replay_id: replay(7n) },
        { event: { id: 'e2', schema_id: 's2', payload: Buffer.alloc(300, 9) }, replay_id: replay(2n ** 63n + 5n) },
      ],
      latest_replay_id: replay(99n),
      rpc_id: 'rpc-1',
      pending_num_requested: 98,
    });
    const r = decodeFetchResponse(bytes);
    expect(r.events.map((e) => [e.event.id, e.event.schemaId, formatReplayId(e.replayId)])).toEqual([
      ['e1', 's1', '7'],
      ['e2', 's2', (2n ** 63n + 5n).toString()],
    ]);
    expect([...r.events[0]!.event.payload]).toEqual([1, 2, 3]);
    expect(r.events[0]!.event.headers).toEqual([{ key: 'k', value: Buffer.from('v') }]);
    expect(r.events[1]!.event.payload.length).toBe(300);
    expect(r.events[1]!.event.payload.buffer).toBe(bytes.buffer); // a view, not a copy
    expect(formatReplayId(r.latestReplayId)).toBe('99');
    expect(r.rpcId).toBe('rpc-1');
    expect(r.pendingNumRequested).toBe(98);
  });

  it('reads each event\'s own schema id when ids of the same length alternate, and does not keep the received buffer', () => {
    const ids = ['schemaAAAAAAAAAAAAAAAA', 'schemaAAAAAAAAAAAAAAAB', 'schemaAAAAAAAAAAAAAAAA', 'otherschema', 'schemaAAAAAAAAAAAAAAAB'];
    const bytes = method('Subscribe').responseSerialize({
      events: ids.map((id, i) => ({ event: { id: `e${i}`, schema_id: id, payload: Buffer.from([i]) }, replay_id: replay(BigInt(i + 1)) })),
      latest_replay_id: replay(5n), rpc_id: 'r', pending_num_requested: 0,
    });
    expect(decodeFetchResponse(bytes).events.map((e) => e.event.schemaId)).toEqual(ids);
    // The buffer a response arrived in may be reused: a later response still reads its own ids.
    bytes.fill(0);
    const again = method('Subscribe').responseSerialize({
      events: [{ event: { id: 'x', schema_id: 'schemaAAAAAAAAAAAAAAAB', payload: Buffer.from([1]) }, replay_id: replay(9n) }],
      latest_replay_id: replay(9n), rpc_id: 'r', pending_num_requested: 0,
    });
    expect(decodeFetchResponse(again).events[0]!.event.schemaId).toBe('schemaAAAAAAAAAAAAAAAB');
  });

  it('reads a response\'s framing at once and each event\'s envelope when it is used', () => {
    // events[0] is intact; events[1] claims a 16-byte ProducerEvent inside 4 bytes.
    const good = method('Subscribe').responseSerialize({ events: [{ event: { id: 'ok', schema_id: 's', payload: Buffer.from([1]) }, replay_id: replay(1n) }] });
    const bytes = Buffer.concat([good, Buffer.from([0x0a, 0x04, 0x0a, 0x10, 0x01, 0x02])]);
    const r = decodeFetchResponse(bytes);
    expect(r.events).toHaveLength(2);
    expect(r.events[0]!.event.id).toBe('ok');
    expect(() => r.events[1]!.event).toThrow(MalformedEventError);
    expect(() => r.events[1]!.replayId).toThrow(/malformed ConsumerEvent \(bytes \d+-\d+ of a FetchResponse\): truncated message field/);
    // A response whose own framing is cut short fails as a whole.
    expect(() => decodeFetchResponse(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
    // JSON shows the read envelope.
    expect(JSON.parse(JSON.stringify(r.events[0]))).toMatchObject({ event: { id: 'ok', schemaId: 's' } });
  });

  it('encodes FetchRequest, ManagedFetchRequest and PublishRequest as protobufjs reads them', () => {
    expect(method('Subscribe').requestDeserialize(encodeFetchRequest({ topicName: '/event/X__e', replayPreset: 2, replayId: replay(42n), numRequested: 100, authRefresh: 'a' })))
      .toMatchObject({ topic_name: '/event/X__e', replay_preset: 'CUSTOM', num_requested: 100, auth_refresh: 'a', replay_id: replay(42n) });
    expect(method('Subscribe').requestDeserialize(encodeFetchRequest({ numRequested: 5 }))).toMatchObject({ topic_name: '', replay_preset: 'LATEST', num_requested: 5 });
    expect(method('ManagedSubscribe').requestDeserialize(encodeManagedFetchRequest({ developerName: 'Sub', numRequested: 3, commitReplayIdRequest: { commitRequestId: 'c1', replayId: replay(8n) } })))
      .toMatchObject({ developer_name: 'Sub', num_requested: 3, commit_replay_id_request: { commit_request_id: 'c1', replay_id: replay(8n) } });
    const pub = method('PublishStream').requestDeserialize(encodePublishRequest({
      topicName: '/event/X__e',
      events: [{ id: 'u1', schemaId: 's', payload: Buffer.from([5]), headers: [] }, { id: 'u2', schemaId: 's', payload: Buffer.from([6, 7]), headers: [{ key: 'h', value: Buffer.from([1]) }] }],
    }));
    expect(pub).toMatchObject({ topic_name: '/event/X__e', events: [{ id: 'u1', schema_id: 's', payload: Buffer.from([5]) }, { id: 'u2', payload: Buffer.from([6, 7]), headers: [{ key: 'h' }] }] });
  });

  it('encodes long and short fields alike: payloads kept as parts, multi-byte text, growth past the first buffer, large varints', () => {
    const big = Buffer.alloc(70_000, 7);
    const mid = Buffer.alloc(255, 3); // just under the inline limit: copied
    const topic = `/event/${'Ünïcode_'.repeat(40)}__e`; // > 256 bytes of UTF-8
    const events = Array.from({ length: 30 }, (_, i) => ({ id: `uuid-${i}-é`, schemaId: 'schema-✓', payload: i % 3 === 0 ? big : i % 3 === 1 ? mid : Buffer.from([i]), headers: [{ key: 'k', value: Buffer.from('v') }] }));
    const pub = method('PublishStream').requestDeserialize(encodePublishRequest({ topicName: topic, events })) as { topic_name: string; events: { id: string; schema_id: string; payload: Buffer }[] };
    expect(pub.topic_name).toBe(topic);
    expect(pub.events).toHaveLength(30);
    pub.events.forEach((e, i) => {
      expect(e.id).toBe(`uuid-${i}-é`);
      expect(e.schema_id).toBe('schema-✓');
      expect(Buffer.compare(e.payload, events[i]!.payload)).toBe(0);
    });
    expect(method('Subscribe').requestDeserialize(encodeFetchRequest({ topicName: topic, numRequested: 2 ** 31 - 1 }))).toMatchObject({ topic_name: topic, num_requested: 2 ** 31 - 1 });
    // Two requests in a row do not share bytes.
    const a = encodeFetchRequest({ topicName: '/event/A__e', numRequested: 1 });
    const b = encodeFetchRequest({ topicName: '/event/B__e', numRequested: 2 });
    expect(method('Subscribe').requestDeserialize(a)).toMatchObject({ topic_name: '/event/A__e', num_requested: 1 });
    expect(method('Subscribe').requestDeserialize(b)).toMatchObject({ topic_name: '/event/B__e', num_requested: 2 });
  });

  it('decodes PublishResponse, TopicInfo, SchemaInfo and ManagedFetchResponse', () => {
    const pr = METHODS.PublishStream.decode(method('PublishStream').responseSerialize({
      results: [{ replay_id: replay(3n), correlation_key: 'u1' }, { error: { code: 'PUBLISH', msg: 'bad' }, correlation_key: 'u2' }],
      schema_id: 's', rpc_id: 'r',
    }));
    expect(pr.results[0]).toMatchObject({ correlationKey: 'u1', error: undefined });
    expect(formatReplayId(pr.results[0]!.replayId)).toBe('3');
    expect(pr.results[1]).toMatchObject({ correlationKey: 'u2', error: { code: 1, msg: 'bad' } });
    expect(METHODS.GetTopic.decode(method('GetTopic').responseSerialize({ topic_name: '/t', tenant_guid: '00D', can_publish: true, can_subscribe: false, schema_id: 'sid', rpc_id: 'r' })))
      .toEqual({ topicName: '/t', tenantGuid: '00D', canPublish: true, canSubscribe: false, schemaId: 'sid', rpcId: 'r' });
    expect(METHODS.GetSchema.decode(method('GetSchema').responseSerialize({ schema_json: '{"type":"record"}', schema_id: 'sid', rpc_id: 'r' })))
      .toEqual({ schemaJson: '{"type":"record"}', schemaId: 'sid', rpcId: 'r' });
    const m = decodeManagedFetchResponse(method('ManagedSubscribe').responseSerialize({
      events: [], latest_replay_id: replay(1n), pending_num_requested: 4,
      commit_response: { commit_request_id: 'c', replay_id: replay(9n), error: { code: 'COMMIT', msg: 'no' }, process_time: '1700000000000' },
    }));
    expect(m.commitResponse).toMatchObject({ commitRequestId: 'c', error: { code: 2, msg: 'no' }, processTime: 1700000000000n });
    expect(m.pendingNumRequested).toBe(4);
    expect(method('GetTopic').requestDeserialize(METHODS.GetTopic.encode({ topicName: '/event/A__e' }))).toEqual({ topic_name: '/event/A__e' });
    expect(method('GetSchema').requestDeserialize(METHODS.GetSchema.encode({ schemaId: 'x' }))).toEqual({ schema_id: 'x' });
  });
});

describe('replay ids', () => {
  it('round-trip: 8-byte ids as decimal, other lengths as 0x hex', () => {
    const big = Buffer.from('ffffffffffffffff', 'hex');
    expect(formatReplayId(big)).toBe('18446744073709551615');
    expect(parseReplayId('18446744073709551615').equals(big)).toBe(true);
    expect(formatReplayId(Buffer.from([1, 2, 3]))).toBe('0x010203');
    expect(parseReplayId('0x010203').equals(Buffer.from([1, 2, 3]))).toBe(true);
    expect(parseReplayId(5n).equals(Buffer.from('0000000000000005', 'hex'))).toBe(true);
  });

  it.each(['', 'abc', '-1', '1.5', '0x1', '18446744073709551616', '123456789012345678901'])('rejects %j with PubSubReplayIdError naming it', (bad) => {
    expect(() => parseReplayId(bad, '/event/X__e')).toThrow(PubSubReplayIdError);
    expect(() => parseReplayId(bad, '/event/X__e')).toThrow(/malformed replay id .*\/event\/X__e/);
  });
});
