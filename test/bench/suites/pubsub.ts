/**
 * pubsub: subscribe to N events over TLS from the simulator's Pub/Sub API and decode every payload,
 * for this runtime's `PubSubClient`, the floor (plain grpc-js + proto-loader + avsc, a subscriber
 * that keeps its window full: it asks for as many events as each response brought) and
 * salesforce-pubsub-api-client (pozil, 5.x). Each subject runs in its own child process
 * (pubsub-child-<subject>.mjs: a plain JavaScript program each, under plain node, sfgen from the
 * built package, which this suite builds first, so no subject carries a TypeScript loader or
 * another subject's code), for throughput, CPU per event,
 * peak RSS and time to the first event, rounds interleaved. Also, in process: the runtime's event
 * decode (the codec subscriptions use) against a bare avsc `fromBuffer` on the same payloads.
 *
 * CPUs: with two or more CPUs and taskset, the simulator (this process) runs on CPU 0 and every
 * subject on CPU 1, as a server and a client on two machines would; left to the scheduler, the two
 * busy processes now and then share a core, and that, not the client, decided a round.
 *
 * Sizes: SFGEN_BENCH_PUBSUB_EVENTS (default "50000,200000"), rounds SFGEN_BENCH_PUBSUB_ROUNDS (default 9
 * for runs of up to 50,000 events, 5 above; the subjects' order rotates each round, so that no
 * subject always runs first on a cold server). A 50,000-event run lasts ~0.4 s, a third of it the
 * clients' JIT warm-up, and its per-round ratios spread 0.93-1.20 within one run: five of them
 * left the median a coin toss near the target.
 * Throughput ratios are judged as the median of per-round ratios (subjects of one round run back
 * to back); the ratio of the medians is reported beside them.
 * Run alone: `npm run bench -- pubsub`.
 *
 * This file is both the suite (default export) and the decode child (`--child decode ...`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pinThisProcess, type BenchContext, type BenchSuite, type Figure, type MeasuredRun } from '../harness.js';

const BENCH = 'pubsub';
const TOPIC = '/event/Order_Event__e';

/** `firstMs`: from the start (before subscribing) to the first event handed to the loop. */
interface ChildResult { events: number; ms: number; cpuMs: number; checksum: number; firstMs: number }

// ---------------------------------------------------------------------------------------------
// Child programs

/** In process: the runtime's event decode vs a bare avsc fromBuffer over the same payloads. */
async function childDecode(payloadFile: string, schemaFile: string): Promise<{ typedNsPerEvent: number; rawNsPerEvent: number }> {
  const avro = (await import('avsc')).default;
  const { compileSchema } = await import('../../../runtime/services/pubsub/schemas.js');
  const schemaJson = readFileSync(schemaFile, 'utf8');
  const all = readFileSync(payloadFile);
  const payloads: Buffer[] = [];
  for (let pos = 0; pos < all.length;) {
    const len = all.readUInt32BE(pos);
    payloads.push(all.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  const compiled = compileSchema('bench-schema', schemaJson);
  const raw = avro.Type.forSchema(JSON.parse(schemaJson) as import('avsc').Schema, { wrapUnions: 'never' });
  let sink = 0;
  const typed = () => {
    for (const p of payloads) sink += ((compiled.codec.decode(p) as { Amount__c: number | null }).Amount__c ?? 0);
  };
  const bare = () => {
    for (const p of payloads) sink += ((raw.fromBuffer(p) as { Amount__c: number | null }).Amount__c ?? 0);
  };
  for (let i = 0; i < 3; i++) { typed(); bare(); }
  const best = { typed: Infinity, bare: Infinity };
  for (let i = 0; i < 7; i++) {
    for (const [name, fn] of (i % 2 ? [['typed', typed], ['bare', bare]] : [['bare', bare], ['typed', typed]]) as ['typed' | 'bare', () => void][]) {
      const t = performance.now();
      fn();
      best[name] = Math.min(best[name], performance.now() - t);
    }
  }
  if (sink === 42.4242) console.log('');
  return { typedNsPerEvent: (best.typed * 1e6) / payloads.length, rawNsPerEvent: (best.bare * 1e6) / payloads.length };
}

async function child(argv: readonly string[]): Promise<void> {
  const [, subject, ...rest] = argv;
  if (subject !== 'decode') throw new Error(`unknown child ${subject}`);
  const result = await childDecode(rest[0] as string, rest[1] as string);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The suite

function lastJson<T>(run: MeasuredRun, what: string): T {
  if (run.exitCode !== 0) throw new Error(`${what} child failed (exit ${run.exitCode}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as T;
}

/**
 * Lets the simulator finish the previous subject's leftovers before the next subject starts: a
 * full GC of this process (where the simulator runs) and a short pause. Without it the subject that
 * followed pozil's run (the slowest, leaving the most garbage) was slower in its round whoever it
 * was: one run's 50k per-round ratios spread 0.92-1.28, and were 0.92-1.05 where sfgen followed
 * pozil against 0.96-1.28 elsewhere.
 */
async function quietServer(): Promise<void> {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  await new Promise((r) => setTimeout(r, 200));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const sizes = (process.env.SFGEN_BENCH_PUBSUB_EVENTS ?? '50000,200000').split(',').map(Number);
    const roundsFor = (count: number): number => Number(process.env.SFGEN_BENCH_PUBSUB_ROUNDS ?? (count <= 50_000 ? 9 : 5));
    const demoOrg = path.join(ctx.repoRoot, 'test/fixtures/demo-org');
    const self = fileURLToPath(import.meta.url);
    const dir = await ctx.tmpDir('pubsub');
    const figures: Figure[] = [];
    const subjects = ['floor', 'sfgen', 'pozil'] as const;
    const childProgram = (subject: string): string => path.join(path.dirname(self), `pubsub-child-${subject}.mjs`);
    // sfgen's child imports the built package: build it from the sources being measured.
    ctx.log('building the runtime package (runtime/dist) for the sfgen child');
    const build = await ctx.measure(process.execPath, [path.join(ctx.repoRoot, 'runtime/build.mjs')], { cwd: ctx.repoRoot });
    if (build.exitCode !== 0) throw new Error(`runtime build failed (exit ${build.exitCode}): ${build.stderr.slice(-2000)}`);
    const restoreAffinity = availableParallelism() >= 2 ? await pinThisProcess('0') : undefined;
    const childCpus = restoreAffinity ? '1' : undefined;
    ctx.log(restoreAffinity ? 'simulator pinned to CPU 0, subjects to CPU 1' : 'CPU pinning unavailable: the scheduler places server and subjects');
    try {
      for (const count of sizes) {
        const sim = await ctx.startSimulator({ metadataDir: demoOrg, grpcPort: 0 });
        const ps = (sim as unknown as { pubsub: { endpoint: string; caPem: string; publish(t: string, p: Record<string, unknown>[]): unknown[] } }).pubsub;
        const userId = (sim as unknown as { defaultUser: { userId: string } }).defaultUser.userId;
        const orgId = (sim as unknown as { orgId: string }).orgId;
        const caFile = path.join(dir, 'ca.pem');
        writeFileSync(caFile, ps.caPem);
        ctx.log(`publishing ${count.toLocaleString('en-US')} Order_Event__e events on the simulator's bus`);
        for (let from = 0; from < count; from += 10_000) {
          const n = Math.min(10_000, count - from);
          ps.publish(TOPIC, Array.from({ length: n }, (_, i) => ({
            CreatedDate: 1714953600000 + from + i, CreatedById: userId, Order_Number__c: `ORD-${from + i}`, Amount__c: (from + i) % 1000, Quantity__c: 3,
            Notes__c: 'A note of moderate length, as events often carry one.', Express__c: (from + i) % 2 === 0,
          })));
        }
        const runs: Record<string, { eps: number; rssMb: number; cpuUs: number; firstMs: number }[]> = { floor: [], sfgen: [], pozil: [] };
        let checksum: number | undefined;
        const rounds = roundsFor(count);
        for (let round = 1; round <= rounds; round++) {
          for (let k = 0; k < subjects.length; k++) {
            const subject = subjects[(k + round - 1) % subjects.length]!;
            await quietServer();
            const run = await ctx.measure(process.execPath, [childProgram(subject), ps.endpoint, caFile, sim.url, orgId, sim.issueAccessToken(), String(count)], { cwd: ctx.repoRoot, rssMethod: 'auto', ...(childCpus !== undefined && { cpus: childCpus }) });
            const r = lastJson<ChildResult>(run, subject);
            if (r.events !== count) throw new Error(`${subject} received ${r.events} events, expected ${count}`);
            if (checksum === undefined) checksum = r.checksum;
            else if (Math.abs(r.checksum - checksum) > 1e-6) throw new Error(`${subject} checksum ${r.checksum} differs from ${checksum}: payloads decoded differently`);
            const eps = r.events / (r.ms / 1000);
            const rssMb = run.peakRssBytes / 1024 / 1024;
            runs[subject]!.push({ eps, rssMb, cpuUs: (r.cpuMs * 1000) / r.events, firstMs: r.firstMs });
            ctx.log(`${count} events, round ${round} ${subject}: ${Math.round(eps).toLocaleString('en-US')} events/s, ${((r.cpuMs * 1000) / r.events).toFixed(1)} µs CPU/event, first event after ${r.firstMs.toFixed(0)} ms, peak RSS ${rssMb.toFixed(0)} MB`);
          }
        }
        await sim.close();
        const best: Record<string, { eps: number; rssMb: number; cpuUs: number }> = {};
        const label = `${count / 1000}k`;
        for (const subject of subjects) {
          const list = runs[subject]!;
          // Judged on medians of the interleaved rounds (a best round flatters whoever met a quiet moment).
          best[subject] = { eps: median(list.map((r) => r.eps)), rssMb: median(list.map((r) => r.rssMb)), cpuUs: median(list.map((r) => r.cpuUs)) };
          figures.push(
            { bench: BENCH, subject, metric: `events_per_s_${label}`, value: best[subject]!.eps, unit: 'ev/s', better: 'higher', note: `${count.toLocaleString('en-US')} events over TLS; median of ${rounds}` },
            { bench: BENCH, subject, metric: `events_per_s_best_${label}`, value: Math.max(...list.map((r) => r.eps)), unit: 'ev/s', better: 'higher', note: 'best round (context)' },
            { bench: BENCH, subject, metric: `cpu_us_per_event_${label}`, value: best[subject]!.cpuUs, unit: 'µs', note: 'client CPU; median of rounds' },
            { bench: BENCH, subject, metric: `peak_rss_mb_${label}`, value: best[subject]!.rssMb, unit: 'MB', note: `median of ${rounds}` },
            { bench: BENCH, subject, metric: `first_event_ms_${label}`, value: median(list.map((r) => r.firstMs)), unit: 'ms', note: 'connect, subscribe, first event decoded; median' },
          );
        }
        const floor = best.floor!;
        const sfgen = best.sfgen!;
        const pozil = best.pozil!;
        // Throughput is judged round by round: the subjects of one round run back to back, so they
        // share the machine's conditions, which drift over a run by more than the gap being measured.
        const pairedRatio = (a: string, b: string): number => median(runs[a]!.map((r, i) => r.eps / runs[b]![i]!.eps));
        figures.push(
          { bench: BENCH, subject: 'sfgen', metric: `throughput_vs_floor_${label}`, value: pairedRatio('sfgen', 'floor'), target: { min: 1.0 }, note: `median of per-round ratios${childCpus ? '; server CPU 0, subjects CPU 1' : ''}` },
          { bench: BENCH, subject: 'sfgen', metric: `throughput_vs_floor_of_medians_${label}`, value: sfgen.eps / floor.eps, note: 'median events/s ÷ floor\'s (context)' },
          { bench: BENCH, subject: 'sfgen', metric: `throughput_vs_pozil_${label}`, value: pairedRatio('sfgen', 'pozil'), target: { min: 2.5 }, note: 'median of per-round ratios' },
          { bench: BENCH, subject: 'sfgen', metric: `throughput_vs_pozil_of_medians_${label}`, value: sfgen.eps / pozil.eps, note: 'median events/s ÷ pozil\'s (context)' },
          { bench: BENCH, subject: 'sfgen', metric: `rss_vs_floor_${label}`, value: sfgen.rssMb / floor.rssMb, target: { max: 1.2 }, note: 'peak RSS ÷ floor' },
          { bench: BENCH, subject: 'sfgen', metric: `cpu_vs_floor_${label}`, value: sfgen.cpuUs / floor.cpuUs, note: 'CPU per event ÷ floor' },
          { bench: BENCH, subject: 'pozil', metric: `throughput_vs_floor_${label}`, value: pozil.eps / floor.eps, note: 'events/s ÷ floor' },
          { bench: BENCH, subject: 'pozil', metric: `rss_vs_floor_${label}`, value: pozil.rssMb / floor.rssMb, note: 'peak RSS ÷ floor' },
        );
      }

    } finally {
      await restoreAffinity?.();
    }

    // Decode in process: the same payloads through the runtime's codec and through bare avsc.
    const avro = (await import('avsc')).default;
    const schemaFile = path.join(demoOrg, 'events/Order_Event__e.avsc');
    const type = avro.Type.forSchema(JSON.parse(readFileSync(schemaFile, 'utf8')) as import('avsc').Schema, { wrapUnions: 'never' });
    const parts: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) {
      const p = type.toBuffer({ CreatedDate: 1714953600000 + i, CreatedById: '005000000000001AAA', Order_Number__c: `ORD-${i}`, Account_Id__c: null, Amount__c: i % 1000, Quantity__c: 3, Ship_By__c: null, Ship_Date__c: null, Express__c: i % 2 === 0, Notes__c: 'A note of moderate length, as events often carry one.' });
      const len = Buffer.alloc(4);
      len.writeUInt32BE(p.length);
      parts.push(len, p);
    }
    const payloadFile = path.join(dir, 'payloads.bin');
    writeFileSync(payloadFile, Buffer.concat(parts));
    const decode = lastJson<{ typedNsPerEvent: number; rawNsPerEvent: number }>(await ctx.measureTs(self, ['--child', 'decode', payloadFile, schemaFile]), 'decode');
    figures.push(
      { bench: BENCH, subject: 'floor', metric: 'decode_ns_per_event', value: decode.rawNsPerEvent, unit: 'ns', note: 'avsc fromBuffer, 100,000 payloads, best of 7' },
      { bench: BENCH, subject: 'sfgen', metric: 'decode_ns_per_event', value: decode.typedNsPerEvent, unit: 'ns', note: 'the codec subscriptions decode with' },
      { bench: BENCH, subject: 'sfgen', metric: 'decode_speed_vs_avsc', value: decode.rawNsPerEvent / decode.typedNsPerEvent, target: { min: 0.8 }, note: 'raw avsc time ÷ runtime decode time' },
    );
    return figures;
  },
};

export default suite;

if (process.argv[2] === '--child') await child(process.argv.slice(2));
