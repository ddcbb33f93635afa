/**
 * A plain grpc-js Pub/Sub client loaded from proto/pubsub_api.proto (not the sfgen client), for
 * driving the simulator's gRPC endpoint in tests.
 */
import * as grpc from '@grpc/grpc-js';
import avro from 'avsc';
import { loadPubSubPackage } from '../../../../runtime/transport/grpc-proto.js';
import type { FetchRequest, FetchResponse, ManagedFetchRequest, ManagedFetchResponse, Outgoing, PublishRequest, PublishResponse, SchemaInfo, TopicInfo } from '../../../../runtime/transport/grpc-proto.js';
import { startSimulator, type Simulator, type SimulatorOptions } from 'sfgen/simulator';
import { DEMO_ORG_DIR } from './paths.js';

type Unary<Req, Res> = (req: Outgoing<Req>, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall;

/** The PubSub client as grpc-js builds it from the proto. */
export interface PubSubClient extends grpc.Client {
  GetTopic: Unary<{ topic_name: string }, TopicInfo>;
  GetSchema: Unary<{ schema_id: string }, SchemaInfo>;
  Publish: Unary<PublishRequest, PublishResponse>;
  Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<Outgoing<FetchRequest>, FetchResponse>;
  PublishStream(md: grpc.Metadata): grpc.ClientDuplexStream<Outgoing<PublishRequest>, PublishResponse>;
  ManagedSubscribe(md: grpc.Metadata): grpc.ClientDuplexStream<Outgoing<ManagedFetchRequest>, ManagedFetchResponse>;
}

type PubSubCtor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ClientOptions) => PubSubClient;
const pkg = grpc.loadPackageDefinition(loadPubSubPackage()) as unknown as { eventbus: { v1: { PubSub: PubSubCtor } } };

export interface PubSubEnv {
  sim: Simulator;
  client: PubSubClient;
  token: string;
  md: () => grpc.Metadata;
  close(): Promise<void>;
}

/** Start the demo-org simulator with Pub/Sub and connect a client (TLS unless `pubsub.tls` is false). */
export async function startPubSub(options: Partial<SimulatorOptions> = {}): Promise<PubSubEnv> {
  const sim = await startSimulator({ metadataDir: DEMO_ORG_DIR, grpcPort: 0, ...options });
  const client = newClient(sim);
  const token = sim.issueAccessToken();
  const md = () => metadataFor(sim, token);
  return {
    sim,
    client,
    token,
    md,
    close: async () => {
      client.close();
      await sim.close();
    },
  };
}

/** A client of the simulator's endpoint; over TLS it trusts the simulator's certificate (checked against the name `localhost`). */
export function newClient(sim: Simulator): PubSubClient {
  const ps = sim.pubsub!;
  if (!ps.tls) return new pkg.eventbus.v1.PubSub(ps.endpoint, grpc.credentials.createInsecure());
  return new pkg.eventbus.v1.PubSub(ps.endpoint, grpc.credentials.createSsl(Buffer.from(ps.caPem!)), { 'grpc.ssl_target_name_override': 'localhost' });
}

export function metadataFor(sim: Simulator, token: string, overrides: Record<string, string> = {}): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('accesstoken', token);
  md.set('instanceurl', sim.url);
  md.set('tenantid', sim.orgId);
  for (const [k, v] of Object.entries(overrides)) md.set(k, v);
  return md;
}

export function unary<Req, Res>(fn: Unary<Req, Res>, client: PubSubClient, req: Outgoing<Req>, md: grpc.Metadata): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn.call(client, req, md, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** A Subscribe stream that records every response and how it ended. */
export interface Recorder<Res> {
  readonly responses: Res[];
  /** Resolves with the status error (or null for OK) when the stream ends. */
  readonly ended: Promise<grpc.ServiceError | null>;
  /** Wait (bounded) until `pred` holds over the responses. */
  until(pred: (responses: Res[]) => boolean, timeoutMs?: number): Promise<void>;
}

export function record<Req, Res>(call: grpc.ClientDuplexStream<Req, Res>): Recorder<Res> {
  const responses: Res[] = [];
  const waiters = new Set<() => void>();
  call.on('data', (r: Res) => {
    responses.push(r);
    for (const w of [...waiters]) w();
  });
  const ended = new Promise<grpc.ServiceError | null>((resolve) => {
    call.on('error', (e: grpc.ServiceError) => resolve(e));
    call.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) resolve(null);
    });
    call.on('end', () => setTimeout(() => resolve(null), 50));
  });
  return {
    responses,
    ended,
    until: (pred, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (pred(responses)) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms; ${responses.length} responses so far`));
        }, timeoutMs);
        const check = () => {
          if (pred(responses)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        void ended.then(() => setTimeout(check, 0));
      }),
  };
}

/** Events of a list of FetchResponses, flattened. */
export const eventsOf = (rs: readonly (FetchResponse | ManagedFetchResponse)[]) => rs.flatMap((r) => r.events);

/** Decode an event payload with the schema the simulator reports for its schema id. */
export function decoder(sim: Simulator): (schemaId: string, payload: Buffer) => Record<string, unknown> {
  const types = new Map<string, avro.Type>();
  return (schemaId, payload) => {
    let t = types.get(schemaId);
    if (t === undefined) {
      t = avro.Type.forSchema(JSON.parse(sim.pubsub!.schemaJson(schemaId)!) as avro.Schema, { wrapUnions: false });
      types.set(schemaId, t);
    }
    return t.fromBuffer(payload) as Record<string, unknown>;
  };
}

export const seqOf = (b: Buffer) => Number(b.readBigUInt64BE());

/** An Order_Event__e payload. */
export function orderEvent(sim: Simulator, n: number): Record<string, unknown> {
  return { CreatedDate: 1714953600000 + n, CreatedById: sim.defaultUser.userId, Order_Number__c: `ORD-${n}`, Amount__c: n * 1.5 };
}

export const ORDER_TOPIC = '/event/Order_Event__e';

/** Avro bytes of an Order_Event__e payload written with `schemaId` (fields not given are null). */
export function orderPayload(sim: Simulator, schemaId: string, n: number): Buffer {
  const type = avro.Type.forSchema(JSON.parse(sim.pubsub!.schemaJson(schemaId)!) as avro.Schema, { wrapUnions: false }) as avro.types.RecordType;
  return type.toBuffer({ ...Object.fromEntries(type.fields.map((f) => [f.name, null])), ...orderEvent(sim, n) });
}
