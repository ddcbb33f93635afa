/**
 * The sfgen Pub/Sub client against the simulator over TLS (the simulator's generated certificate
 * as the extra CA, checked against the name `localhost`), with a refreshable auth provider
 * (client credentials) so token expiry can be survived.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator, type SimulatorOptions } from 'sfgen/simulator';
import { clientCredentials, createClient, type SalesforceClient } from '../../../../runtime/index.js';
import { PubSubClient, type PubSubClientOptions, type PubSubEvent } from '../../../../runtime/services/pubsub/index.js';
import { afterEach } from 'vitest';
import { selfSignedCertificate, type SelfSignedCertificate } from '../../../../runtime/simulation/certificate.js';

export const DEMO_ORG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/demo-org');
export const ORDER_TOPIC = '/event/Order_Event__e';
export const CLIENT_SECRET = 'test-secret';

export interface PubSubTestEnv {
  readonly sim: Simulator;
  readonly client: SalesforceClient;
  readonly pubsub: PubSubClient;
  /** Another PubSubClient on the same REST client (a "restarted process"). */
  newPubSub(options?: PubSubClientOptions): PubSubClient;
  close(): Promise<void>;
}

let certificate: SelfSignedCertificate | undefined;

/** One certificate per test process (generating one per simulator costs time). */
function testCertificate(): SelfSignedCertificate {
  certificate ??= selfSignedCertificate('localhost');
  return certificate;
}

export async function startPubSubEnv(options: Partial<SimulatorOptions> = {}, clientOptions: PubSubClientOptions = {}): Promise<PubSubTestEnv> {
  const sim = await startSimulator({
    metadataDir: DEMO_ORG_DIR,
    grpcPort: 0,
    ...options,
    pubsub: { certificate: testCertificate(), ...options.pubsub },
    auth: { clientSecret: CLIENT_SECRET, ...options.auth },
  });
  const ps = sim.pubsub!;
  const client = createClient({
    auth: clientCredentials({ clientId: 'sfgen-simulator', clientSecret: CLIENT_SECRET, loginUrl: sim.url }),
    allowInsecureLoopback: true,
  });
  const made: PubSubClient[] = [];
  const newPubSub = (extra: PubSubClientOptions = {}): PubSubClient => {
    const p = new PubSubClient(client, {
      endpoint: ps.endpoint,
      ...(ps.tls ? { caPem: ps.caPem!, tlsServerName: 'localhost' } : { plaintext: true, allowInsecureLoopback: true }),
      ...clientOptions,
      ...extra,
    });
    made.push(p);
    return p;
  };
  const pubsub = newPubSub();
  return {
    sim,
    client,
    pubsub,
    newPubSub,
    async close() {
      for (const p of made) await p.close();
      await client.close();
      await sim.close();
    },
  };
}

/** An Order_Event__e payload. */
export function orderEvent(n: number): Record<string, unknown> {
  return { Order_Number__c: `ORD-${n}`, Amount__c: n * 1.5 };
}

/** Publishes `count` events on the simulator's bus directly (not through the client under test). */
export function seedOrders(sim: Simulator, from: number, count: number): string[] {
  const payloads = Array.from({ length: count }, (_, i) => ({ CreatedDate: 1714953600000 + from + i, CreatedById: sim.defaultUser.userId, ...orderEvent(from + i) }));
  return sim.pubsub!.publish(ORDER_TOPIC, payloads).map((e) => e.replayId.readBigUInt64BE().toString());
}

/** Replay ids (decimal) of the events a topic retains, oldest first. */
export function busReplayIds(sim: Simulator, topic = ORDER_TOPIC): string[] {
  return sim.pubsub!.retained(topic).map((e) => e.replayId.readBigUInt64BE().toString());
}

/** Reads `count` events from an async iterator, bounded by `timeoutMs`. */
export async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 15_000): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms with ${out.length}/${count} events`);
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms with ${out.length}/${count} events`)), left);
      }),
    ]).finally(() => clearTimeout(timer));
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

/** Collects what is published on a diagnostics channel during the test file (unsubscribed after each test). */
export function listen<T>(channel: string): T[] {
  const seen: T[] = [];
  const fn = (m: unknown) => seen.push(m as T);
  diagnostics_channel.subscribe(channel, fn);
  afterEach(() => diagnostics_channel.unsubscribe(channel, fn));
  return seen;
}

/** The replay ids of events, in order. */
export const ids = (events: readonly PubSubEvent[]): string[] => events.map((e) => e.replayId);
