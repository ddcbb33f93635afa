/**
 * A server that sends an event whose protobuf envelope cannot be read. Received responses are only
 * scanned for their events' bounds (wire.ts), and each event is read when the application reaches
 * it: the events before the bad one are delivered, then the subscription stops with a
 * PubSubDecodeError naming the last replay id delivered. Nothing is skipped and nothing hangs.
 * A plain grpc-js server over a real socket plays the server, so the bytes can be chosen.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import avro from 'avsc';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../../runtime/client.js';
import { PubSubClient, PubSubDecodeError, type PubSubEvent } from '../../../../runtime/services/pubsub/index.js';
import { parseReplayId } from '../../../../runtime/services/pubsub/replay-id.js';
import { loadPubSubPackage } from '../../../../runtime/transport/grpc-proto.js';
import { DEMO_ORG_DIR, ORDER_TOPIC } from './helpers.js';

interface MethodDef {
  path: string;
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(v: unknown): Buffer;
}
const service = loadPubSubPackage()['eventbus.v1.PubSub'] as unknown as Record<string, MethodDef>;
const SCHEMA_JSON = readFileSync(`${DEMO_ORG_DIR}/events/Order_Event__e.avsc`, 'utf8');
const SCHEMA_ID = 'schema-malformed-test';
const ORG_ID = '00D000000000001AAA';

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
const field = (tag: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);

/** A well-formed ConsumerEvent with a real Order_Event__e payload. */
function goodEvent(n: number): Buffer {
  const payload = avro.Type.forSchema(JSON.parse(SCHEMA_JSON) as avro.Schema, { wrapUnions: 'never' }).toBuffer({
    CreatedDate: 1714953600000 + n, CreatedById: '005000000000001AAA', Order_Number__c: `ORD-${n}`, Account_Id__c: null,
    Amount__c: n, Quantity__c: null, Ship_By__c: null, Ship_Date__c: null, Express__c: null, Notes__c: null,
  });
  const producer = Buffer.concat([field(0x0a, Buffer.from(`uuid-${n}`)), field(0x12, Buffer.from(SCHEMA_ID)), field(0x1a, payload)]);
  return Buffer.concat([field(0x0a, producer), field(0x12, parseReplayId(BigInt(n)))]);
}

let server: grpc.Server | undefined;
let pubsub: PubSubClient | undefined;
afterEach(async () => {
  await pubsub?.close();
  server?.forceShutdown();
  server = pubsub = undefined;
});

async function serve(fetchResponse: Buffer): Promise<string> {
  server = new grpc.Server();
  const identity = (b: Buffer): Buffer => b;
  const unary = (name: string, answer: unknown): void => {
    const m = service[name] as MethodDef;
    server!.register(m.path, (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, answer), m.responseSerialize, m.requestDeserialize, 'unary');
  };
  unary('GetTopic', { topic_name: ORDER_TOPIC, tenant_guid: ORG_ID, can_publish: true, can_subscribe: true, schema_id: SCHEMA_ID, rpc_id: 'r1' });
  unary('GetSchema', { schema_json: SCHEMA_JSON, schema_id: SCHEMA_ID, rpc_id: 'r2' });
  const subscribe = service.Subscribe as MethodDef;
  let sent = false;
  server.register(subscribe.path, (call: grpc.ServerDuplexStream<unknown, Buffer>) => {
    call.on('data', () => {
      if (!sent) call.write(fetchResponse);
      sent = true;
    });
  }, identity, subscribe.requestDeserialize, 'bidi');
  const port = await new Promise<number>((resolve, reject) => {
    server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return `127.0.0.1:${port}`;
}

describe('an event whose envelope cannot be read', () => {
  it('delivers the events before it, then stops with PubSubDecodeError naming the last replay id delivered', async () => {
    // ProducerEvent field 1 claims 80 bytes inside a ConsumerEvent of 7: the response's own
    // framing is intact, the event's is not.
    const broken = Buffer.concat([Buffer.from([0x0a, 0x50]), Buffer.from('short')]);
    const response = Buffer.concat([field(0x0a, goodEvent(1)), field(0x0a, goodEvent(2)), field(0x0a, broken), field(0x0a, goodEvent(4)), field(0x20, varint(0))]);
    const endpoint = await serve(response);
    const client = createClient({ auth: { accessToken: 'token-for-a-test-server', instanceUrl: 'http://127.0.0.1:9' }, allowInsecureLoopback: true });
    pubsub = new PubSubClient(client, { endpoint, plaintext: true, allowInsecureLoopback: true, tenantId: ORG_ID });
    const sub = pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', idleTimeoutMs: 5000 });
    const delivered: PubSubEvent[] = [];
    let failure: unknown;
    try {
      for await (const e of sub) delivered.push(e);
    } catch (err) {
      failure = err;
    }
    expect(delivered.map((e) => [e.replayId, e.id, e.payload.Order_Number__c])).toEqual([['1', 'uuid-1', 'ORD-1'], ['2', 'uuid-2', 'ORD-2']]);
    expect(failure).toBeInstanceOf(PubSubDecodeError);
    const err = failure as PubSubDecodeError;
    expect(err.topic).toBe(ORDER_TOPIC);
    expect(err.replayId).toBe('2');
    expect(err.message).toMatch(/cannot read the event after replay id 2: malformed ConsumerEvent \(bytes \d+-\d+ of a FetchResponse\): truncated message field/);
    await client.close();
  });
});
