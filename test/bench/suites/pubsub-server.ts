/**
 * pubsub-server: how fast the simulator's Pub/Sub endpoint serves a subscriber, so that client
 * benchmarks measure the client, not the server. The simulator (in this process) holds N
 * Order_Event__e events; a floor subscriber (plain grpc-js + avsc over TLS, its window kept full:
 * 100 outstanding, topped up at 50) pulls them all in a child process. Reported: events/s, the
 * child's CPU, the server's CPU (this process, which does nothing else meanwhile) and their ratio,
 * plus the in-process publish rate.
 *
 * Size: SFGEN_BENCH_PUBSUB_EVENTS (default 200000). Run alone: `npm run bench -- pubsub-server`.
 *
 * This file is both the suite (default export) and the child program (`--child ...`).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BenchContext, BenchSuite, Figure, MeasuredRun } from '../harness.js';

const BENCH = 'pubsub-server';
const TOPIC = '/event/Order_Event__e';

interface ChildResult {
  events: number;
  ms: number;
  cpuMs: number;
}

async function child([, endpoint, caPem, token, url, orgId, count]: string[]): Promise<void> {
  const grpc = await import('@grpc/grpc-js');
  const avro = (await import('avsc')).default;
  const { loadPubSubPackage } = await import('../../../runtime/transport/grpc-proto.js');
  type Client = import('@grpc/grpc-js').Client & {
    Subscribe(md: import('@grpc/grpc-js').Metadata): import('@grpc/grpc-js').ClientDuplexStream<object, { events: { event: { schema_id: string; payload: Buffer } }[] }>;
    GetSchema(req: object, md: import('@grpc/grpc-js').Metadata, cb: (e: Error | null, r: { schema_json: string }) => void): void;
  };
  const pkg = grpc.loadPackageDefinition(loadPubSubPackage()) as unknown as { eventbus: { v1: { PubSub: new (a: string, c: import('@grpc/grpc-js').ChannelCredentials, o: object) => Client } } };
  const client = new pkg.eventbus.v1.PubSub(endpoint!, grpc.credentials.createSsl(Buffer.from(caPem!)), { 'grpc.ssl_target_name_override': 'localhost' });
  const md = new grpc.Metadata();
  md.set('accesstoken', token!);
  md.set('instanceurl', url!);
  md.set('tenantid', orgId!);
  const want = Number(count);
  const types = new Map<string, import('avsc').Type>();
  const schemaOf = (id: string) =>
    new Promise<import('avsc').Type>((resolve, reject) =>
      client.GetSchema({ schema_id: id }, md, (e, r) => (e ? reject(e) : resolve(avro.Type.forSchema(JSON.parse(r.schema_json) as import('avsc').Schema, { wrapUnions: false })))),
    );
  const started = performance.now();
  const cpu = process.cpuUsage();
  let got = 0;
  let outstanding = 100;
  let checksum = 0;
  await new Promise<void>((resolve, reject) => {
    const call = client.Subscribe(md);
    const timer = setTimeout(() => reject(new Error(`timed out after ${got} events`)), 10 * 60_000);
    let queue = Promise.resolve();
    call.on('data', (r) => {
      queue = queue.then(async () => {
        for (const e of r.events) {
          let t = types.get(e.event.schema_id);
          if (t === undefined) {
            t = await schemaOf(e.event.schema_id);
            types.set(e.event.schema_id, t);
          }
          checksum += (t.fromBuffer(e.event.payload) as { Amount__c: number | null }).Amount__c ?? 0;
          got++;
        }
        outstanding -= r.events.length;
        if (got >= want) {
          clearTimeout(timer);
          call.cancel();
          resolve();
        } else if (outstanding <= 50) {
          call.write({ num_requested: 100 - outstanding });
          outstanding = 100;
        }
      }, reject);
    });
    call.on('error', (e: { code?: number }) => {
      if (got < want) reject(e);
    });
    call.write({ topic_name: TOPIC, replay_preset: 'EARLIEST', num_requested: 100 });
  });
  const used = process.cpuUsage(cpu);
  client.close();
  process.stdout.write(`${JSON.stringify({ events: got, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, checksum })}\n`);
  process.exit(0);
}

function lastJson<T>(run: MeasuredRun, what: string): T {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${what}: no result (exit ${run.exitCode}); stderr: ${run.stderr.slice(-2000)}`);
  }
}

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const n = Number(process.env.SFGEN_BENCH_PUBSUB_EVENTS ?? 200_000);
    const sim = await ctx.startSimulator({ metadataDir: path.join(ctx.repoRoot, 'test/fixtures/demo-org'), grpcPort: 0 });
    const ps = sim.pubsub as {
      endpoint: string;
      caPem: string;
      publish(topic: string, payloads: readonly Record<string, unknown>[]): unknown[];
    };
    const userId = (sim.defaultUser as { userId: string }).userId;
    let payloads: Record<string, unknown>[] = Array.from({ length: n }, (_, i) => ({ CreatedDate: 1714953600000 + i, CreatedById: userId, Order_Number__c: `ORD-${i}`, Account_Id__c: '001Dn0000aRgwtoIAB', Amount__c: i * 1.5, Quantity__c: 3, Notes__c: 'gift wrap, deliver after 5 pm' }));
    const pubStart = performance.now();
    for (let i = 0; i < n; i += 10_000) ps.publish(TOPIC, payloads.slice(i, i + 10_000));
    const publishMs = performance.now() - pubStart;
    payloads = []; // let the publish garbage go before the server is measured
    await new Promise((r) => setTimeout(r, 1000));
    const self = fileURLToPath(import.meta.url);
    const serverCpu = process.cpuUsage();
    const run = await ctx.measureTs(self, ['--child', ps.endpoint, ps.caPem, sim.issueAccessToken(), sim.url, String(sim.orgId), String(n)], { rssMethod: 'auto' });
    const used = process.cpuUsage(serverCpu);
    const serverCpuMs = (used.user + used.system) / 1000;
    const result = lastJson<ChildResult>(run, 'floor subscriber');
    if (result.events !== n) throw new Error(`floor subscriber got ${result.events} of ${n} events`);
    return [
      { bench: BENCH, subject: 'floor', metric: 'events_per_s', value: (result.events / result.ms) * 1000, better: 'higher', note: `${n} events over TLS, grpc-js + avsc, window 100` },
      { bench: BENCH, subject: 'floor', metric: 'subscriber_cpu_ms', value: result.cpuMs, unit: 'ms' },
      { bench: BENCH, subject: 'sfgen', metric: 'server_cpu_ms', value: serverCpuMs, unit: 'ms', note: 'the simulator process while it served the subscriber' },
      { bench: BENCH, subject: 'sfgen', metric: 'server_cpu_vs_subscriber_cpu', value: serverCpuMs / result.cpuMs, target: { max: 1 }, note: 'below 1: the server costs less than the leanest subscriber, so it is not the bottleneck' },
      { bench: BENCH, subject: 'sfgen', metric: 'publish_events_per_s', value: (n / publishMs) * 1000, better: 'higher', note: 'in-process publish (Avro encode + pre-encoded ConsumerEvent)' },
    ];
  },
};

export default suite;

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  child(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
