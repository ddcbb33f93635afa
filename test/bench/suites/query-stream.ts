/**
 * query-stream: stream a 500,000-record query from the simulator (pages of 2,000) and report
 * records/s, client CPU per record and peak RSS for this runtime, jsforce (autoFetch, no cap) and
 * the floor (a raw undici loop with JSON.parse following nextRecordsUrl, given the same next-page
 * overlap as the runtime: it reads the cursor from the head of a page and requests the next page
 * before parsing the current one). Each subject runs in its own child process so RSS is
 * separable; rounds are interleaved and every figure (and target) is the median of the rounds.
 * Also: the median latency of a single GET through the runtime vs raw undici.
 *
 * Size: SFGEN_BENCH_QUERY_RECORDS (default 500000). Run alone: `npm run bench -- query-stream`.
 *
 * This file is both the suite (default export) and the child program (`--child <subject> ...`).
 */
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchSuite, Figure, MeasuredRun } from '../harness.js';

const BENCH = 'query-stream';
const SOQL = 'SELECT Id, Name, Industry, AnnualRevenue, NumberOfEmployees, Ext_Id__c FROM Account';
const GET_ITERATIONS = 5000;
const GET_WARMUP = 500;

interface ChildResult {
  records: number;
  ms: number;
  checksum: number;
  /** CPU time (user + system) the child spent streaming, from process.cpuUsage(): insensitive to other load. */
  cpuMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Child programs

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function childSfgen(url: string, token: string): Promise<ChildResult> {
  const { createClient } = await import('../../../runtime/client.js');
  const client = createClient({ auth: { accessToken: token, instanceUrl: url }, allowInsecureLoopback: true });
  const started = performance.now();
  const cpu = process.cpuUsage(); // after the imports: module loading is not streaming
  let records = 0;
  let checksum = 0;
  for await (const row of client.query(SOQL)) {
    records++;
    checksum += (row.NumberOfEmployees as number) ?? 0;
  }
  const ms = performance.now() - started;
  await client.close();
  return { records, ms, checksum, cpuMs: cpuSince(cpu) };
}

async function childJsforce(url: string, token: string): Promise<ChildResult> {
  const jsforce = (await import('jsforce')).default;
  const conn = new jsforce.Connection({ instanceUrl: url, accessToken: token, version: '60.0' });
  const started = performance.now();
  const cpu = process.cpuUsage(); // after the imports: module loading is not streaming
  let records = 0;
  let checksum = 0;
  await new Promise<void>((resolve, reject) => {
    conn
      .query(SOQL)
      .on('record', (row: Record<string, unknown>) => {
        records++;
        checksum += (row.NumberOfEmployees as number) ?? 0;
      })
      .on('end', () => resolve())
      .on('error', (err: unknown) => reject(err))
      .run({ autoFetch: true, maxFetch: Number.MAX_SAFE_INTEGER });
  });
  return { records, ms: performance.now() - started, checksum, cpuMs: cpuSince(cpu) };
}

/**
 * The floor's undici Agent, configured like the runtime's transport (DEFAULT_TRANSPORT): same pool
 * size, keep-alive and timeouts, so both sides differ only by what the runtime does per request.
 */
async function floorAgent() {
  const { Agent } = await import('undici');
  const { DEFAULT_TRANSPORT: t } = await import('../../../runtime/transport/http.js');
  return new Agent({
    connections: t.connections,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    keepAliveMaxTimeout: t.keepAliveMaxTimeoutMs,
    headersTimeout: t.headersTimeoutMs,
    bodyTimeout: t.bodyTimeoutMs,
    connect: { timeout: t.connectTimeoutMs },
  });
}

async function childFloor(url: string, token: string): Promise<ChildResult> {
  const agent = await floorAgent();
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const started = performance.now();
  const cpu = process.cpuUsage(); // after the imports: module loading is not streaming
  let records = 0;
  let checksum = 0;
  // The same overlap as the runtime's iterator: the next page is requested from the cursor in the
  // head of the current page's body, before that body is parsed.
  const HEAD = /^\{"totalSize":\d+,"done":false,"nextRecordsUrl":"([^"]+)"/;
  const get = (path: string) => agent.request({ origin: url, path, method: 'GET', headers }).then(async (res) => Buffer.from(await res.body.arrayBuffer()));
  let pending: Promise<Buffer> | undefined = get(`/services/data/v60.0/query?q=${encodeURIComponent(SOQL)}`);
  while (pending) {
    const body: Buffer = await pending;
    const early = HEAD.exec(body.toString('latin1', 0, 400))?.[1];
    pending = early === undefined ? undefined : get(early);
    if (pending) await new Promise((resolve) => setImmediate(resolve));
    const page = JSON.parse(body.toString('utf8')) as { done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] };
    for (const row of page.records) {
      records++;
      checksum += (row.NumberOfEmployees as number) ?? 0;
    }
    if (pending === undefined && !page.done && page.nextRecordsUrl) pending = get(page.nextRecordsUrl);
  }
  const ms = performance.now() - started;
  await agent.close();
  return { records, ms, checksum, cpuMs: cpuSince(cpu) };
}

/**
 * Interleaves single GETs through the runtime client, through the runtime's bare transport (no
 * interceptors: what the layers above it cost) and through raw undici (the floor); reports the medians.
 */
async function childGet(url: string, token: string, id: string): Promise<{ sfgenMedianMs: number; floorMedianMs: number; transportMedianMs: number }> {
  const { createClient } = await import('../../../runtime/client.js');
  const { createHttpTransport } = await import('../../../runtime/transport/http.js');
  const client = createClient({ auth: { accessToken: token, instanceUrl: url }, allowInsecureLoopback: true });
  const transport = createHttpTransport({ allowInsecureLoopback: true });
  const agent = await floorAgent();
  const path = `/services/data/v60.0/sobjects/Account/${id}`;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const sobject = { name: 'Account', descriptor: { fields: {} } } as never;
  const subjects = {
    sfgen: async () => {
      await client.sobject(sobject).get(id);
    },
    transport: async () => {
      const res = await transport.dispatch({ method: 'GET', url: url + path, headers: { accept: 'application/json' }, authorization: headers.authorization, idempotent: true });
      JSON.parse(res.body.toString('utf8'));
    },
    floor: async () => {
      const res = await agent.request({ origin: url, path, method: 'GET', headers });
      JSON.parse(await res.body.text());
    },
  };
  const order = Object.keys(subjects) as (keyof typeof subjects)[];
  // Warm-up: JIT, connections and the simulator's route on every side.
  for (let i = 0; i < GET_WARMUP; i++) for (const name of order) await subjects[name]();
  const times: Record<keyof typeof subjects, number[]> = { sfgen: [], transport: [], floor: [] };
  for (let i = 0; i < GET_ITERATIONS; i++) {
    // Rotate the order so no side always runs first or last.
    for (let k = 0; k < order.length; k++) {
      const name = order[(i + k) % order.length] as keyof typeof subjects;
      const t = performance.now();
      await subjects[name]();
      times[name].push(performance.now() - t);
    }
  }
  await client.close();
  await transport.close();
  await agent.close();
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  return { sfgenMedianMs: median(times.sfgen), floorMedianMs: median(times.floor), transportMedianMs: median(times.transport) };
}

async function child(argv: readonly string[]): Promise<void> {
  const [, subject, url, token, id] = argv;
  if (!subject || !url || !token) throw new Error('usage: query-stream.ts --child <sfgen|jsforce|floor|get> <url> <token> [id]');
  let result: unknown;
  if (subject === 'sfgen') result = await childSfgen(url, token);
  else if (subject === 'jsforce') result = await childJsforce(url, token);
  else if (subject === 'floor') result = await childFloor(url, token);
  else if (subject === 'get') result = await childGet(url, token, id ?? '');
  else throw new Error(`unknown subject ${subject}`);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The suite

function lastJson<T>(run: MeasuredRun, what: string): T {
  if (run.exitCode !== 0) throw new Error(`${what} child failed (exit ${run.exitCode}): ${run.stderr.slice(-2000)}`);
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as T;
}

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const count = Number(process.env.SFGEN_BENCH_QUERY_RECORDS ?? 500_000);
    const { writeMiniOrg } = await import('../../runtime/fixtures/mini-org.js');
    const dir = await ctx.tmpDir('query-stream-org');
    ctx.log(`writing ${count.toLocaleString('en-US')} Account records`);
    writeMiniOrg({ accounts: count, dir });
    const sim = await ctx.startSimulator({ metadataDir: dir, pageSize: 2000 });
    const self = fileURLToPath(import.meta.url);
    const figures: Figure[] = [];
    const results: Record<string, { rps: number; rssMb: number; cpu: number }> = {};
    // Warm the simulator's query path once so every subject sees the same server; then rounds of
    // floor/sfgen/jsforce in turn; every figure is the median of the rounds (targets are judged on it).
    const rounds = Number(process.env.SFGEN_BENCH_QUERY_ROUNDS ?? 3);
    await lastJsonRun('floor');
    const runs: Record<string, { rps: number; rssMb: number; cpuUsPerRecord: number }[]> = { floor: [], sfgen: [], jsforce: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const subject of ['floor', 'sfgen', 'jsforce'] as const) {
        const { run, result } = await lastJsonRun(subject);
        if (result.records !== count) throw new Error(`${subject} streamed ${result.records} records, expected ${count}`);
        const rps = result.records / (result.ms / 1000);
        const rssMb = run.peakRssBytes / 1024 / 1024;
        runs[subject]!.push({ rps, rssMb, cpuUsPerRecord: ((result.cpuMs ?? Number.NaN) * 1000) / result.records });
        ctx.log(`round ${round} ${subject}: ${Math.round(rps).toLocaleString('en-US')} records/s, peak RSS ${rssMb.toFixed(0)} MB`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    for (const subject of ['floor', 'sfgen', 'jsforce'] as const) {
      const list = runs[subject]!;
      const rps = median(list.map((r) => r.rps));
      const rssMb = median(list.map((r) => r.rssMb));
      const cpu = median(list.map((r) => r.cpuUsPerRecord));
      results[subject] = { rps, rssMb, cpu };
      figures.push(
        { bench: BENCH, subject, metric: 'records_per_s', value: rps, unit: 'rec/s', better: 'higher', note: `${count.toLocaleString('en-US')} records, pages of 2,000; median of ${rounds}` },
        { bench: BENCH, subject, metric: 'cpu_us_per_record', value: cpu, unit: 'µs', note: `client CPU (user + system) per record while streaming; median of ${rounds}` },
        { bench: BENCH, subject, metric: 'peak_rss_mb', value: rssMb, unit: 'MB', note: `median of ${rounds}` },
      );
    }
    const floor = results.floor!;
    for (const subject of ['sfgen', 'jsforce'] as const) {
      const r = results[subject]!;
      figures.push(
        { bench: BENCH, subject, metric: 'throughput_vs_floor', value: r.rps / floor.rps, ...(subject === 'sfgen' ? { target: { min: 0.9 } } : {}), note: 'records/s ÷ floor' },
        { bench: BENCH, subject, metric: 'rss_vs_floor', value: r.rssMb / floor.rssMb, ...(subject === 'sfgen' ? { target: { max: 1.3 } } : {}), note: 'peak RSS ÷ floor' },
        { bench: BENCH, subject, metric: 'cpu_vs_floor', value: r.cpu / floor.cpu, note: 'client CPU per record ÷ floor (the floor has the same next-page overlap)' },
      );
    }
    // Single GET overhead.
    const token = sim.issueAccessToken();
    const store = sim.store as { records(name: string): readonly { Id: string }[] };
    const id = store.records('Account')[0]?.Id ?? '';
    const getRun = await ctx.measureTs(self, ['--child', 'get', sim.url, token, id]);
    const get = lastJson<{ sfgenMedianMs: number; floorMedianMs: number; transportMedianMs: number }>(getRun, 'get');
    figures.push(
      { bench: BENCH, subject: 'floor', metric: 'get_median_ms', value: get.floorMedianMs, unit: 'ms', note: `${GET_ITERATIONS} interleaved GETs after ${GET_WARMUP} warm-up; same Agent settings, JSON.parse on both sides` },
      { bench: BENCH, subject: 'sfgen', metric: 'get_median_ms', value: get.sfgenMedianMs, unit: 'ms' },
      { bench: BENCH, subject: 'sfgen', metric: 'get_transport_median_ms', value: get.transportMedianMs, unit: 'ms', note: 'the runtime transport alone (no interceptors)' },
      { bench: BENCH, subject: 'sfgen', metric: 'get_interceptors_vs_transport', value: get.sfgenMedianMs / get.transportMedianMs, note: 'client.sobject().get() ÷ bare transport: what the interceptors and services add' },
      { bench: BENCH, subject: 'sfgen', metric: 'get_overhead_vs_floor', value: get.sfgenMedianMs / get.floorMedianMs, target: { max: 1.1 }, note: 'median single GET ÷ raw undici' },
    );
    return figures;

    async function lastJsonRun(subject: string): Promise<{ run: MeasuredRun; result: ChildResult }> {
      const run = await ctx.measureTs(self, ['--child', subject, sim.url, sim.issueAccessToken()], { rssMethod: 'auto' });
      return { run, result: lastJson<ChildResult>(run, subject) };
    }
  },
};

export default suite;

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  child(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
