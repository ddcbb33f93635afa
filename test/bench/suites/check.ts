/**
 * Issue 5 §5: `sfgen check` of the synthetic 1,500-object org served by the simulator with 50 ms
 * injected latency per request. Target: an unchanged org checks in at most 10 s (the snapshot
 * recorded each describe's Last-Modified, so every describe is asked with If-Modified-Since and
 * answers 304 inside `/composite` calls of 25).
 *
 * Figures:
 * - the snapshot for the org: size, lines, serialize time, lazy parse time (in process);
 * - `sfgen check --no-usage --json` as a child process on the unchanged org: wall time (target
 *   10 s), CPU, peak RSS, HTTP requests served, objects answering 304;
 * - the same after one object's describe changed (a field dropped): wall time, exit code 2.
 *
 * The snapshot is written in process (metadata + model stages and `serializeSnapshot`) against
 * the simulator at 0 ms latency; `sfgen generate` itself is measured by the `generate` suite.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectOrg } from '../../../generator/metadata/connect.js';
import { LiveSource } from '../../../generator/metadata/live.js';
import { buildModel } from '../../../generator/model/build.js';
import { parseSnapshot, serializeSnapshot, SNAPSHOT_FILE } from '../../../generator/model/snapshot.js';
import type { BenchSuite, Figure } from '../harness.js';
import { mb } from '../harness.js';

const BENCH = 'check';
const LATENCY_MS = 50;
const TARGET_MS = 10_000;
const API_VERSION = '60.0';

interface CheckJson {
  failed?: boolean;
  changes?: Array<{ object: string; field: string | null; kind: string; class: string }>;
  objectsChecked?: number;
  notModified?: number;
  requests?: number;
  durationMs?: number;
  error?: { code: string; message: string };
}

interface MutableSimulator {
  setLatency(ms: number): void;
  org: { removeField(sobject: string, field: string): void };
}

function parseReport(stdout: string, what: string): CheckJson {
  try {
    return JSON.parse(stdout) as CheckJson;
  } catch {
    throw new Error(`${what}: sfgen check did not print JSON: ${stdout.slice(0, 500)}`);
  }
}

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx) {
    const figures: Figure[] = [];
    const sim = await ctx.startSimulator({ latencyMs: 0 });
    const mutable = sim as unknown as MutableSimulator;
    const token = sim.issueAccessToken();
    const out = await ctx.tmpDir('check-out');
    await mkdir(out, { recursive: true });

    // 1. The snapshot, as generate writes it (Last-Modified per object from the live describes).
    ctx.log('check: reading the synthetic org and writing its snapshot');
    const org = await connectOrg({ kind: 'token', instanceUrl: sim.url, accessToken: token }, API_VERSION);
    let text: string;
    let objectCount: number;
    try {
      const source = new LiveSource(org.http, API_VERSION);
      const global = await source.describeGlobal();
      const names = global.sobjects.map((s) => s.name).sort();
      const described = await source.describeSObjects(names);
      const model = buildModel({ apiVersion: API_VERSION, orgId: null, objects: described, events: [] });
      objectCount = model.objects.length;
      const started = performance.now();
      text = serializeSnapshot(model, { lastModified: new Map(described.map((d) => [d.name, d.lastModified])), orgObjects: names });
      figures.push({ bench: BENCH, subject: 'sfgen', metric: 'snapshot_serialize_ms', value: Math.round(performance.now() - started), unit: 'ms', note: `${objectCount} objects` });
    } finally {
      await org.close();
    }
    await writeFile(join(out, SNAPSHOT_FILE), text);
    figures.push(
      { bench: BENCH, subject: 'sfgen', metric: 'snapshot_mb', value: Math.round(mb(Buffer.byteLength(text)) * 10) / 10, unit: 'MB' },
      { bench: BENCH, subject: 'sfgen', metric: 'snapshot_lines', value: text.split('\n').length - 1 },
    );
    {
      const started = performance.now();
      const parsed = parseSnapshot(text, SNAPSHOT_FILE, { lazy: true });
      figures.push({ bench: BENCH, subject: 'sfgen', metric: 'snapshot_parse_lazy_ms', value: Math.round(performance.now() - started), unit: 'ms', note: `${parsed.objects.size} objects, models validated on use` });
    }

    // 2. Check the unchanged org at 50 ms per request.
    mutable.setLatency(LATENCY_MS);
    sim.resetStats();
    const env = { ...process.env, SF_INSTANCE_URL: sim.url, SF_ACCESS_TOKEN: token, NO_COLOR: '1' };
    const cli = join(ctx.repoRoot, 'generator/cli.ts');
    ctx.log(`check: sfgen check of the unchanged org (${LATENCY_MS} ms latency)`);
    const unchanged = await ctx.measureTs(cli, ['check', '--out', out, '--no-usage', '--json'], { env, timeoutMs: 300_000 });
    const requests = sim.stats().requests;
    if (unchanged.exitCode !== 0) {
      throw new Error(`sfgen check of the unchanged org exited ${unchanged.exitCode}: ${unchanged.stderr.slice(-2000)}`);
    }
    const report = parseReport(unchanged.stdout, 'unchanged org');
    if ((report.changes?.length ?? -1) !== 0) throw new Error(`sfgen check reported drift on an unchanged org: ${JSON.stringify(report.changes?.slice(0, 5))}`);
    figures.push(
      { bench: BENCH, subject: 'sfgen', metric: 'unchanged_wall_ms', value: Math.round(unchanged.wallMs), unit: 'ms', target: { max: TARGET_MS }, note: `${objectCount} objects, ${LATENCY_MS} ms latency, child process incl. start-up` },
      { bench: BENCH, subject: 'sfgen', metric: 'unchanged_cpu_ms', value: Math.round(unchanged.cpuMs), unit: 'ms' },
      { bench: BENCH, subject: 'sfgen', metric: 'unchanged_peak_rss_mb', value: Math.round(mb(unchanged.peakRssBytes)), unit: 'MB' },
      { bench: BENCH, subject: 'sfgen', metric: 'unchanged_check_ms', value: report.durationMs ?? Number.NaN, unit: 'ms', note: 'as reported by the check (no process start-up)' },
      { bench: BENCH, subject: 'sfgen', metric: 'unchanged_requests', value: requests, note: 'global describe, org id query, 1 /composite per 25 objects' },
      { bench: BENCH, subject: 'sfgen', metric: 'unchanged_not_modified', value: report.notModified ?? Number.NaN, note: `of ${report.objectsChecked ?? '?'} objects answered 304` },
    );

    // 3. One object drifted: its describe is re-read and diffed, the rest still answer 304.
    mutable.org.removeField('Account', 'AnnualRevenue');
    sim.resetStats();
    ctx.log('check: sfgen check after dropping Account.AnnualRevenue');
    const drifted = await ctx.measureTs(cli, ['check', '--out', out, '--no-usage', '--json'], { env, timeoutMs: 300_000 });
    const driftReport = parseReport(drifted.stdout, 'drifted org');
    const found = driftReport.changes?.some((c) => c.object === 'Account' && c.field === 'AnnualRevenue' && c.kind === 'field-removed') ?? false;
    if (drifted.exitCode !== 2 || !found) {
      throw new Error(`sfgen check after a dropped field: exit ${drifted.exitCode}, changes ${JSON.stringify(driftReport.changes?.slice(0, 5) ?? driftReport.error)}`);
    }
    figures.push(
      { bench: BENCH, subject: 'sfgen', metric: 'drifted_wall_ms', value: Math.round(drifted.wallMs), unit: 'ms', note: 'one object changed (exit 2)' },
      { bench: BENCH, subject: 'sfgen', metric: 'drifted_requests', value: sim.stats().requests },
    );
    return figures;
  },
};

export default suite;
