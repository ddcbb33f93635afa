/**
 * bulk: Bulk API 2.0 ingest and query of N Contacts against the simulator (the demo org), for
 * sfgen (typed records in through `bulk(client).insert(Contact, ...)`, typed results read back;
 * typed rows out of `bulk(client).query(...)`), jsforce 3.10.16 `bulk2` (`loadAndWaitForResults`,
 * `bulk2.query`) and a floor (raw undici: one streamed upload, result files and query pages
 * streamed through the purpose-written CSV reader, rows only counted). Each subject runs in its own
 * child process (peak RSS separable) against a fresh simulator, which runs in this process (its peak
 * RSS while serving each subject is a figure, and its heap is collected between runs); subjects are
 * interleaved per round. Every row is reconciled: a subject that returns another count is reported
 * (`rows_mismatch`); one that throws, or stops with nothing pending (its promises never settle, so
 * its process would exit having printed nothing), reports where (`failed_runs`, with the rows it
 * got) and keeps the figures of the phases it finished.
 *
 * Sizes: SFGEN_BENCH_BULK_ROWS (default 1,000,000; comma-separated for several, e.g. 100000,1000000),
 * SFGEN_BENCH_BULK_ROUNDS (default 1), SFGEN_BENCH_BULK_SUBJECTS (default floor,sfgen,jsforce).
 * Run alone: `npm run bench -- bulk`.
 *
 * This file is both the suite (default export) and the child program (`--child <subject> ...`).
 */
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { BenchContext, BenchSuite, Figure, MeasuredRun } from '../harness.js';

const BENCH = 'bulk';
const V = '/services/data/v60.0';

interface ChildResult {
  /** The ingest job's own processing time as the simulator reports it (floor only). */
  simProcessingMs?: number;
  ingested: number;
  ingestMs: number;
  ingestCpuMs: number;
  queried: number;
  queryMs: number;
  queryCpuMs: number;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const soqlFor = (tag: string): string => `SELECT Id, LastName, Email, DoNotCall, MailingLatitude, Description FROM Contact WHERE Department = '${tag}'`;

function record(i: number, tag: string): { LastName: string; Email: string; DoNotCall: boolean; MailingLatitude: number; Description: string; Department: string } {
  return {
    LastName: `Name ${i}`,
    Email: `user${i}@example.com`,
    DoNotCall: i % 2 === 0,
    MailingLatitude: (i % 180) - 90 + 0.25,
    Description: i % 100 === 0 ? `note ${i}, with "quotes"\nand a line break` : `note ${i}`,
    Department: tag,
  };
}

// ---------------------------------------------------------------------------------------------
// Child programs

async function childSfgen(url: string, token: string, n: number, tag: string): Promise<ChildResult> {
  const { createClient } = await import('../../../runtime/client.js');
  const { bulk } = await import('../../../runtime/services/bulk/index.js');
  const { Contact } = await import('../../../generated/sobjects/Contact.js');
  const client = createClient({ auth: { accessToken: token, instanceUrl: url }, allowInsecureLoopback: true });
  const api = bulk(client);
  async function* records(): AsyncGenerator<ReturnType<typeof record>> {
    for (let i = 0; i < n; i++) yield record(i, tag);
  }
  let t = performance.now();
  let cpu = process.cpuUsage();
  let ingested = 0;
  for await (const result of api.insert(Contact, records(), { initialIntervalMs: 50, maxIntervalMs: 500 })) {
    if (result.status === 'succeeded') ingested++;
  }
  const ingestMs = performance.now() - t;
  const ingestCpuMs = cpuSince(cpu);
  t = performance.now();
  cpu = process.cpuUsage();
  let queried = 0;
  for await (const row of api.query(soqlFor(tag), { types: [Contact], initialIntervalMs: 50, maxIntervalMs: 500 })) {
    if (row.Id !== undefined) queried++;
  }
  const result = { ingested, ingestMs, ingestCpuMs, queried, queryMs: performance.now() - t, queryCpuMs: cpuSince(cpu) };
  await client.close();
  return result;
}

/** Where a child is, for the report of a run that stops without finishing (see `child`). */
const progress: { phase: 'ingest' | 'query'; ingested: number; queried: number; ingestMs?: number; ingestCpuMs?: number } = { phase: 'ingest', ingested: 0, queried: 0 };

async function childJsforce(url: string, token: string, n: number, tag: string): Promise<ChildResult> {
  const jsforce = (await import('jsforce')).default;
  // jsforce (node-fetch on Node's global agent) reuses a keep-alive socket the server already
  // closed after its ingest and fails the query job's create with "socket hang up" (no retry);
  // fresh connections per request let it finish, at a small cost to its own figures.
  const http = (await import('node:http')).default;
  http.globalAgent = new http.Agent({ keepAlive: false });
  const conn = new jsforce.Connection({ instanceUrl: url, accessToken: token, version: '60.0' });
  let t = performance.now();
  let cpu = process.cpuUsage();
  const input = Array.from({ length: n }, (_, i) => record(i, tag));
  const results = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'insert', input, pollTimeout: 3_600_000, pollInterval: 500 });
  const ingested = results.successfulResults.length;
  const ingestMs = performance.now() - t;
  const ingestCpuMs = cpuSince(cpu);
  Object.assign(progress, { phase: 'query', ingested, ingestMs, ingestCpuMs });
  t = performance.now();
  cpu = process.cpuUsage();
  let queried = 0;
  const stream = await conn.bulk2.query(soqlFor(tag), { pollTimeout: 3_600_000, pollInterval: 500 });
  await new Promise<void>((resolve, reject) => {
    stream.on('record', () => {
      queried++;
      progress.queried = queried;
    });
    stream.on('end', () => resolve());
    stream.on('error', (e: unknown) => reject(e));
  });
  return { ingested, ingestMs, ingestCpuMs, queried, queryMs: performance.now() - t, queryCpuMs: cpuSince(cpu) };
}

async function childFloor(url: string, token: string, n: number, tag: string): Promise<ChildResult> {
  const { Agent } = await import('undici');
  const { Readable } = await import('node:stream');
  const { StringDecoder } = await import('node:string_decoder');
  const { CsvReader } = await import('../../../runtime/services/bulk/csv.js');
  const agent = new Agent({ connections: 10 });
  const auth = { authorization: `Bearer ${token}` };
  const json = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await agent.request({ origin: url, path, method, headers: { ...auth, 'content-type': 'application/json', accept: 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const wait = async (kind: string, id: string): Promise<Record<string, unknown>> => {
    for (let delay = 50; ; delay = Math.min(500, delay * 2)) {
      const info = await json('GET', `${V}/jobs/${kind}/${id}`);
      if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return info;
      await new Promise((r) => setTimeout(r, delay));
    }
  };
  const count = async (path: string): Promise<{ rows: number; locator: string | null }> => {
    const res = await agent.request({ origin: url, path, method: 'GET', headers: auth });
    const reader = new CsvReader();
    const decoder = new StringDecoder('utf8');
    let rows = 0;
    const on = (): void => {
      rows++;
    };
    for await (const chunk of res.body) reader.push(decoder.write(chunk as Buffer), on);
    reader.push(decoder.end(), on);
    reader.end(on);
    const locator = res.headers['sforce-locator'];
    return { rows: rows - 1, locator: typeof locator === 'string' && locator !== 'null' ? locator : null };
  };
  const quote = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  let t = performance.now();
  let cpu = process.cpuUsage();
  const job = await json('POST', `${V}/jobs/ingest`, { object: 'Contact', operation: 'insert', contentType: 'CSV', lineEnding: 'LF' });
  async function* csv(): AsyncGenerator<Buffer> {
    let text = 'LastName,Email,DoNotCall,MailingLatitude,Description,Department\n';
    for (let i = 0; i < n; i++) {
      const r = record(i, tag);
      text += `${quote(r.LastName)},${r.Email},${r.DoNotCall},${r.MailingLatitude},${quote(r.Description)},${r.Department}\n`;
      if (text.length > 256 * 1024) {
        yield Buffer.from(text);
        text = '';
      }
    }
    yield Buffer.from(text);
  }
  const put = await agent.request({ origin: url, path: `${V}/jobs/ingest/${String(job.id)}/batches`, method: 'PUT', headers: { ...auth, 'content-type': 'text/csv' }, body: Readable.from(csv()) });
  await put.body.text();
  await json('PATCH', `${V}/jobs/ingest/${String(job.id)}`, { state: 'UploadComplete' });
  const done = await wait('ingest', String(job.id));
  const simProcessingMs = Number(done.totalProcessingTime);
  const ok = await count(`${V}/jobs/ingest/${String(job.id)}/successfulResults/`);
  const failed = await count(`${V}/jobs/ingest/${String(job.id)}/failedResults/`);
  const unprocessed = await count(`${V}/jobs/ingest/${String(job.id)}/unprocessedrecords/`);
  if (ok.rows + failed.rows + unprocessed.rows !== n) throw new Error(`floor: results hold ${ok.rows + failed.rows + unprocessed.rows} rows of ${n}`);
  const ingestMs = performance.now() - t;
  const ingestCpuMs = cpuSince(cpu);
  t = performance.now();
  cpu = process.cpuUsage();
  const qjob = await json('POST', `${V}/jobs/query`, { operation: 'query', query: soqlFor(tag) });
  await wait('query', String(qjob.id));
  let queried = 0;
  let locator: string | null = '';
  while (locator !== null) {
    const page = await count(`${V}/jobs/query/${String(qjob.id)}/results${locator === '' ? '' : `?locator=${encodeURIComponent(locator)}`}`);
    queried += page.rows;
    locator = page.locator;
  }
  const result = { simProcessingMs, ingested: ok.rows, ingestMs, ingestCpuMs, queried, queryMs: performance.now() - t, queryCpuMs: cpuSince(cpu) };
  await agent.close();
  return result;
}

async function child(argv: readonly string[]): Promise<void> {
  const [, subject, url, token, rows, tag] = argv;
  if (!subject || !url || !token || !rows || !tag) throw new Error('usage: bulk.ts --child <sfgen|jsforce|floor> <url> <token> <rows> <tag>');
  const n = Number(rows);
  const run = subject === 'sfgen' ? childSfgen : subject === 'jsforce' ? childJsforce : subject === 'floor' ? childFloor : undefined;
  if (run === undefined) throw new Error(`unknown subject ${subject}`);
  // A subject whose promises never settle and that holds nothing open lets Node's event loop run
  // dry: the process would exit 0 having printed nothing. Report where it stopped instead.
  let done = false;
  const fail = (failure: string): void => {
    done = true;
    process.stdout.write(`\n${JSON.stringify({ failure, ...progress })}\n`);
    process.exitCode = 3;
  };
  const where = (): string =>
    progress.phase === 'ingest' ? 'during the ingest' : `after ${progress.queried.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} rows queried`;
  process.on('beforeExit', () => {
    if (!done) fail(`${subject}'s ${progress.phase} stopped ${where()}, with neither an end nor an error and nothing left pending (it would wait forever)`);
  });
  let result: ChildResult;
  try {
    result = await run(url, token, n, tag);
  } catch (error) {
    fail(`${subject}'s ${progress.phase} failed ${where()}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  done = true;
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The suite

/** What a child reported when its subject did not finish (see `child`). */
interface ChildFailure {
  failure: string;
  phase: 'ingest' | 'query';
  ingested: number;
  queried: number;
  ingestMs?: number;
  ingestCpuMs?: number;
}

/** The child's last line: its result, its subject's reported failure, or an error for a crash. */
function childOutcome(run: MeasuredRun, what: string): ChildResult | ChildFailure {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  let parsed: unknown;
  try {
    parsed = line === '' ? undefined : JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && ('failure' in parsed || ('ingestMs' in parsed && run.exitCode === 0))) return parsed as ChildResult | ChildFailure;
  throw new Error(`${what} child crashed (exit ${run.exitCode}${run.signal ? `, ${run.signal}` : ''}) without a result: ${run.stderr.slice(-2000) || '(no output)'}`);
}

/** A full garbage collection of this process (the simulators' heap). */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

const SUBJECTS = ['floor', 'sfgen', 'jsforce'] as const;
type Subject = (typeof SUBJECTS)[number];

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const sizes = (process.env.SFGEN_BENCH_BULK_ROWS ?? '1000000').split(',').map((s) => Number(s.trim())).filter((s) => s > 0);
    const rounds = Number(process.env.SFGEN_BENCH_BULK_ROUNDS ?? 1);
    const chosen = (process.env.SFGEN_BENCH_BULK_SUBJECTS ?? SUBJECTS.join(',')).split(',').map((s) => s.trim()).filter((s): s is Subject => (SUBJECTS as readonly string[]).includes(s));
    const { startSimulator } = await import('../../../runtime/simulation/index.js');
    const DEMO_ORG_DIR = fileURLToPath(new URL('../../fixtures/demo-org', import.meta.url));
    const self = fileURLToPath(import.meta.url);
    const figures: Figure[] = [];
    /** Figures of what was measured (a phase no run of a subject finished has no figure). */
    const push = (...list: Figure[]): void => {
      for (const f of list) if (Number.isFinite(f.value)) figures.push(f);
    };
    const rssBySize = new Map<number, Record<Subject, number>>();
    for (const n of sizes) {
      const label = n.toLocaleString('en-US');
      const runs: Record<Subject, { ingestRps: number; queryRps: number; rssMb: number; ingestCpu: number; queryCpu: number; mismatch: number }[]> = { floor: [], sfgen: [], jsforce: [] };
      /** One run of one subject on its own simulator (a function, so nothing of it outlives it). */
      const runOne = async (subject: Subject, round: number): Promise<void> => {
        // A fresh simulator per run: every subject sees an empty store and the same server.
        const sim = await startSimulator({ metadataDir: DEMO_ORG_DIR });
        const tag = `b${round}${subject}`.slice(0, 20);
        try {
          // The simulator runs in this process: its peak RSS while serving the subject.
          let simPeak = process.memoryUsage.rss();
          const sampler = setInterval(() => {
            simPeak = Math.max(simPeak, process.memoryUsage.rss());
          }, 100);
          let run = await ctx.measureTs(self, ['--child', subject, sim.url, sim.issueAccessToken(), String(n), tag], { rssMethod: 'auto', timeoutMs: 60 * 60_000 }).finally(() => clearInterval(sampler));
          push({ bench: BENCH, subject, metric: `simulator_peak_rss_mb_${n}`, value: simPeak / 1024 / 1024, unit: 'MB', note: `the bench process (simulator) serving ${subject}, round ${round}` });
          // A crashed run is reported and tried once more (on a fresh simulator): peers are not
          // dropped for one flaky socket, and the crash stays in the figures. A subject that
          // reports its own failure (stopped, threw) is not retried: that is its figure.
          let outcome: ChildResult | ChildFailure | undefined;
          try {
            outcome = childOutcome(run, subject);
          } catch (error) {
            ctx.log(`${label} round ${round} ${subject}: CRASHED ${(error as Error).message.slice(0, 300)}`);
            figures.push({ bench: BENCH, subject, metric: `crashed_runs_${n}`, value: 1, note: (error as Error).message.slice(0, 120) });
            const again = await startSimulator({ metadataDir: DEMO_ORG_DIR });
            try {
              run = await ctx.measureTs(self, ['--child', subject, again.url, again.issueAccessToken(), String(n), tag], { rssMethod: 'auto', timeoutMs: 60 * 60_000 });
              outcome = childOutcome(run, subject);
            } catch (retryError) {
              ctx.log(`${label} round ${round} ${subject}: CRASHED again ${(retryError as Error).message.slice(0, 300)}`);
            } finally {
              await again.close();
            }
          }
          if (outcome === undefined) return;
          const rssMb = run.peakRssBytes / 1024 / 1024;
          if ('failure' in outcome) {
            ctx.log(`${label} round ${round} ${subject}: FAILED ${outcome.failure}`);
            figures.push({ bench: BENCH, subject, metric: `failed_runs_${n}`, value: 1, note: outcome.failure });
            const f = outcome;
            runs[subject].push({
              ingestRps: f.ingestMs === undefined ? Number.NaN : n / (f.ingestMs / 1000), queryRps: Number.NaN, rssMb,
              ingestCpu: f.ingestCpuMs === undefined ? Number.NaN : (f.ingestCpuMs * 1000) / n, queryCpu: Number.NaN,
              mismatch: Math.abs(f.ingested - n) + Math.abs(f.queried - n),
            });
            return;
          }
          const result = outcome;
          if (result.simProcessingMs !== undefined && result.simProcessingMs > 0) {
            push({ bench: BENCH, subject: 'simulator', metric: `ingest_processing_rows_per_s_${n}`, value: n / (result.simProcessingMs / 1000), unit: 'rows/s', better: 'higher', note: `the simulator's processing of ${subject}'s job (totalProcessingTime), round ${round}` });
          }
          const mismatch = Math.abs(result.ingested - n) + Math.abs(result.queried - n);
          const entry = {
            ingestRps: n / (result.ingestMs / 1000), queryRps: n / (result.queryMs / 1000), rssMb,
            ingestCpu: (result.ingestCpuMs * 1000) / n, queryCpu: (result.queryCpuMs * 1000) / n, mismatch,
          };
          runs[subject].push(entry);
          ctx.log(`${label} round ${round} ${subject}: ingest ${Math.round(entry.ingestRps).toLocaleString('en-US')} rows/s, query ${Math.round(entry.queryRps).toLocaleString('en-US')} rows/s, peak RSS ${entry.rssMb.toFixed(0)} MB, ingested ${result.ingested}, queried ${result.queried}`);
        } finally {
          await sim.close();
        }
      };
      for (let round = 1; round <= rounds; round++) {
        for (const subject of chosen) {
          // Each run starts in a collected heap: the last run's million records are not left to
          // a major GC in the middle of this one (the simulator shares this process).
          // (From a fresh macrotask: the stack that closed the last simulator still holds it.)
          await new Promise((resolve) => setTimeout(resolve, 50));
          collect();
          ctx.log(`${label} round ${round} ${subject}: heap before its simulator ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB`);
          await runOne(subject, round);
        }
      }
      const best: Partial<Record<Subject, { ingestRps: number; queryRps: number; rssMb: number; ingestCpu: number; queryCpu: number; mismatch: number }>> = {};
      for (const subject of SUBJECTS) {
        const list = runs[subject];
        if (list.length === 0) continue;
        // Runs that did not finish a phase have NaN there; a phase no run finished stays NaN.
        const finite = (xs: number[]): number[] => xs.filter((x) => Number.isFinite(x));
        const max = (xs: number[]): number => (finite(xs).length === 0 ? Number.NaN : Math.max(...finite(xs)));
        const min = (xs: number[]): number => (finite(xs).length === 0 ? Number.NaN : Math.min(...finite(xs)));
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
        best[subject] = {
          ingestRps: max(list.map((r) => r.ingestRps)), queryRps: max(list.map((r) => r.queryRps)), rssMb: median(list.map((r) => r.rssMb)),
          ingestCpu: min(list.map((r) => r.ingestCpu)), queryCpu: min(list.map((r) => r.queryCpu)), mismatch: Math.max(...list.map((r) => r.mismatch)),
        };
        const b = best[subject];
        push(
          { bench: BENCH, subject, metric: `ingest_rows_per_s_${n}`, value: b.ingestRps, unit: 'rows/s', better: 'higher', note: `${label} rows, best of ${list.length}` },
          { bench: BENCH, subject, metric: `query_rows_per_s_${n}`, value: b.queryRps, unit: 'rows/s', better: 'higher', note: `${label} rows, best of ${list.length}` },
          { bench: BENCH, subject, metric: `ingest_cpu_us_per_row_${n}`, value: b.ingestCpu, unit: 'µs' },
          { bench: BENCH, subject, metric: `query_cpu_us_per_row_${n}`, value: b.queryCpu, unit: 'µs' },
          { bench: BENCH, subject, metric: `peak_rss_mb_${n}`, value: b.rssMb, unit: 'MB', note: 'ingest + query in one process' },
          { bench: BENCH, subject, metric: `rows_mismatch_${n}`, value: b.mismatch, ...(subject === 'sfgen' || subject === 'floor' ? { target: { max: 0 } } : {}), note: '|ingested - N| + |queried - N|' },
        );
      }
      const floor = best.floor;
      const jsf = best.jsforce;
      const sf = best.sfgen;
      if (sf !== undefined && floor !== undefined) {
        push(
          { bench: BENCH, subject: 'sfgen', metric: `ingest_vs_floor_${n}`, value: sf.ingestRps / floor.ingestRps, target: { min: 0.8 } },
          { bench: BENCH, subject: 'sfgen', metric: `query_vs_floor_${n}`, value: sf.queryRps / floor.queryRps, target: { min: 0.8 } },
          { bench: BENCH, subject: 'sfgen', metric: `rss_vs_floor_${n}`, value: sf.rssMb / floor.rssMb, target: { max: 1.3 } },
        );
      }
      if (sf !== undefined && jsf !== undefined) {
        push(
          { bench: BENCH, subject: 'sfgen', metric: `ingest_vs_jsforce_${n}`, value: sf.ingestRps / jsf.ingestRps, target: { min: 2 } },
          { bench: BENCH, subject: 'sfgen', metric: `query_vs_jsforce_${n}`, value: sf.queryRps / jsf.queryRps, target: { min: 2 } },
        );
      }
      rssBySize.set(n, { floor: floor?.rssMb ?? Number.NaN, sfgen: sf?.rssMb ?? Number.NaN, jsforce: jsf?.rssMb ?? Number.NaN });
    }
    if (sizes.length >= 2) {
      const small = rssBySize.get(Math.min(...sizes));
      const large = rssBySize.get(Math.max(...sizes));
      if (small !== undefined && large !== undefined) {
        figures.push({ bench: BENCH, subject: 'sfgen', metric: 'rss_growth_small_to_large', value: large.sfgen / small.sfgen, target: { max: 1.3 }, note: `peak RSS at ${Math.max(...sizes)} ÷ at ${Math.min(...sizes)} rows (flat = 1)` });
      }
    }
    return figures;
  },
};

export default suite;

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  child(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
