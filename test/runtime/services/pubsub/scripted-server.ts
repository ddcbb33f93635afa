/**
 * A plain grpc-js Pub/Sub server over a real socket whose answers a test chooses byte for byte:
 * for what the simulator does not do on purpose (malformed envelopes, an RPC that never answers).
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import avro from 'avsc';
import { parseReplayId } from '../../../../runtime/services/pubsub/replay-id.js';
import { loadPubSubPackage } from '../../../../runtime/transport/grpc-proto.js';
import { DEMO_ORG_DIR, ORDER_TOPIC } from './helpers.js';

interface MethodDef {
  path: string;
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(v: unknown): Buffer;
}
const service = loadPubSubPackage()['eventbus.v1.PubSub'] as unknown as Record<string, MethodDef>;
export const SCHEMA_JSON = readFileSync(`${DEMO_ORG_DIR}/events/Order_Event__e.avsc`, 'utf8');
export const SCHEMA_ID = 'schema-scripted-test';
export const ORG_ID = '00D000000000001AAA';

export function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
/** A length-delimited protobuf field: its tag byte, then the bytes. */
export const field = (tag: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);

/** A well-formed ConsumerEvent with a real Order_Event__e payload, replay id `n`. */
export function goodEvent(n: number): Buffer {
  const payload = avro.Type.forSchema(JSON.parse(SCHEMA_JSON) as avro.Schema, { wrapUnions: 'never' }).toBuffer({
    CreatedDate: 1714953600000 + n, CreatedById: '005000000000001AAA', Order_Number__c: `ORD-${n}`, Account_Id__c: null,
    Amount__c: n, Quantity__c: null, Ship_By__c: null, Ship_Date__c: null, Express__c: null, Notes__c: null,
  });
  const producer = Buffer.concat([field(0x0a, Buffer.from(`uuid-${n}`)), field(0x12, Buffer.from(SCHEMA_ID)), field(0x1a, payload)]);
  return Buffer.concat([field(0x0a, producer), field(0x12, parseReplayId(BigInt(n)))]);
}

/** A FetchResponse carrying the given ConsumerEvents (pending_num_requested 0). */
export function fetchResponse(events: readonly Buffer[]): Buffer {
  return Buffer.concat([...events.map((e) => field(0x0a, e)), field(0x20, varint(0))]);
}

export interface ScriptedServer {
  readonly endpoint: string;
  /** RPCs received, in order, by method name. */
  readonly calls: string[];
  close(): void;
}

/**
 * Serves GetTopic and GetSchema for Order_Event__e (`getTopic: 'never'`: GetTopic is received and
 * never answered) and answers the first request of each Subscribe stream with `response`.
 */
export async function startScriptedServer(options: { response: Buffer; getTopic?: 'answer' | 'never' }): Promise<ScriptedServer> {
  const server = new grpc.Server();
  const calls: string[] = [];
  const identity = (b: Buffer): Buffer => b;
  const unary = (name: string, answer: unknown, never = false): void => {
    const m = service[name] as MethodDef;
    server.register(m.path, (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      calls.push(name);
      if (!never) cb(null, answer);
    }, m.responseSerialize, m.requestDeserialize, 'unary');
  };
  unary('GetTopic', { topic_name: ORDER_TOPIC, tenant_guid: ORG_ID, can_publish: true, can_subscribe: true, schema_id: SCHEMA_ID, rpc_id: 'r1' }, options.getTopic === 'never');
  unary('GetSchema', { schema_json: SCHEMA_JSON, schema_id: SCHEMA_ID, rpc_id: 'r2' });
  const subscribe = service.Subscribe as MethodDef;
  server.register(subscribe.path, (call: grpc.ServerDuplexStream<unknown, Buffer>) => {
    calls.push('Subscribe');
    let sent = false;
    call.on('data', () => {
      if (!sent) call.write(options.response);
      sent = true;
    });
  }, identity, subscribe.requestDeserialize, 'bidi');
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return { endpoint: `127.0.0.1:${port}`, calls, close: () => server.forceShutdown() };
}
