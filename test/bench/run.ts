/**
 * `npm run bench [-- SUITE...] [--keep]`: runs the benchmark suites in `test/bench/suites/*.ts`
 * one by one, prints a table per suite and one JSON line per figure (DESIGN.md's format), and
 * writes every figure to `bench-results/latest.json`. Missed targets are reported, not fatal: the
 * exit code is 0 unless a suite crashed (1) or a named suite does not exist (2).
 */
import { cpus, hostname, loadavg, platform, release, totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  emitRuntimeDeclarations,
  figureJsonLine,
  formatTable,
  makeTmpDir,
  measureProcess,
  meetsTarget,
  runTypeCheck,
  type BenchContext,
  type BenchSimulator,
  type BenchSimulatorOptions,
  type BenchSuite,
  type Figure,
  type MeasureOptions,
  type ReportedFigure,
} from './harness.js';
import { ensureSyntheticOrg, writeSyntheticRecords } from './synthetic-org.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '../..');
const cacheRoot = join(benchDir, '.tmp');
const resultsFile = join(repoRoot, 'bench-results/latest.json');

interface SuiteResult {
  readonly name: string;
  readonly file: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** 1-minute load average when the suite started and ended (other work on the machine skews wall times). */
  readonly loadAverage: readonly [number, number];
  readonly figures: readonly ReportedFigure[];
  readonly error?: string;
}

function usage(): string {
  return [
    'usage: npm run bench [-- [SUITE...] [--keep] [--list]]',
    '  SUITE   run only suites with this name (or file name); default: all of test/bench/suites/*.ts',
    '  --keep  keep temporary directories (test/bench/.tmp/run-*) for inspection',
    '  --list  list the suites and exit',
  ].join('\n');
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function isSuite(value: unknown): value is BenchSuite {
  return typeof value === 'object' && value !== null
    && typeof (value as { name?: unknown }).name === 'string'
    && typeof (value as { run?: unknown }).run === 'function';
}

function isFigure(value: unknown): value is Figure {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Record<string, unknown>;
  return typeof f.bench === 'string' && typeof f.subject === 'string' && typeof f.metric === 'string' && typeof f.value === 'number';
}

async function discover(): Promise<{ file: string; suite: BenchSuite }[]> {
  const suitesDir = join(benchDir, 'suites');
  if (!existsSync(suitesDir)) return [];
  const files = (await readdir(suitesDir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort();
  const out: { file: string; suite: BenchSuite }[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(suitesDir, file)).href)) as { default?: unknown };
    if (!isSuite(mod.default)) {
      throw new Error(`test/bench/suites/${file}: default export must be { name: string; run(ctx): Promise<Figure[]> }`);
    }
    out.push({ file, suite: mod.default });
  }
  return out;
}

function machine(): Record<string, unknown> {
  const cpuList = cpus();
  return {
    hostname: hostname(),
    platform: `${platform()} ${release()}`,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

const tsxLoader = import.meta.resolve('tsx');

/**
 * `SFGEN_BENCH_ORG_OBJECTS=N` shrinks the synthetic org for a quick smoke run of the harness;
 * figures from such a run are not the benchmark's (the results file records the size).
 */
function orgOptions(): { objectCount?: number } {
  const raw = process.env.SFGEN_BENCH_ORG_OBJECTS;
  if (raw === undefined || raw === '') return {};
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 10) throw new Error(`SFGEN_BENCH_ORG_OBJECTS must be an integer >= 10, got ${raw}`);
  log(`SFGEN_BENCH_ORG_OBJECTS=${n}: smoke run on a reduced org, not the benchmark`);
  return { objectCount: n };
}

function createContext(runDir: string, closers: (() => Promise<void>)[]): BenchContext {
  let orgDir: Promise<string> | undefined;
  let runtimeDts: Promise<string> | undefined;
  const measure = (command: string, args: readonly string[], options: MeasureOptions = {}) =>
    measureProcess(command, args, { cwd: repoRoot, ...options, scratchDir: join(runDir, 'scratch') });
  const ctx: BenchContext = {
    repoRoot,
    syntheticOrgDir() {
      orgDir ??= (async () => {
        const started = performance.now();
        const { dir, summary, built } = await ensureSyntheticOrg(cacheRoot, orgOptions());
        log(`synthetic org: ${summary.objects} objects, ${summary.fields} fields, ${(summary.describeBytes / 1e6).toFixed(0)} MB of describes${built ? ` (built in ${((performance.now() - started) / 1000).toFixed(1)} s)` : ' (cached)'}`);
        return dir;
      })();
      return orgDir;
    },
    async syntheticOrgWithRecords(records) {
      const source = await ctx.syntheticOrgDir();
      const dir = await makeTmpDir(runDir, 'org-with-records');
      await symlink(join(source, 'sobjects.json'), join(dir, 'sobjects.json'));
      await symlink(join(source, 'sobjects'), join(dir, 'sobjects'), 'dir');
      for (const [object, spec] of Object.entries(records)) {
        const started = performance.now();
        const { count, fields } = typeof spec === 'number' ? { count: spec, fields: undefined } : spec;
        const written = await writeSyntheticRecords(dir, object, count, fields ? { fields } : {});
        log(`seeded ${count} ${object} records (${(written.bytes / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
      return dir;
    },
    async startSimulator(options: BenchSimulatorOptions = {}) {
      // A variable specifier: resolved at run time (sfgen-source condition -> runtime/simulation/index.ts).
      const specifier = 'sfgen/simulator';
      const mod = (await import(specifier)) as { startSimulator?: unknown };
      if (typeof mod.startSimulator !== 'function') {
        throw new Error('runtime/simulation/index.ts does not export startSimulator (is the simulator built yet?)');
      }
      const start = mod.startSimulator as (o: Record<string, unknown>) => Promise<BenchSimulator>;
      const metadataDir = options.metadataDir ?? (await ctx.syntheticOrgDir());
      const sim = await start({ port: 0, ...options, metadataDir });
      closers.push(() => sim.close());
      return sim;
    },
    tmpDir(label = 'tmp') {
      return makeTmpDir(runDir, label);
    },
    measure,
    measureTs(file, args, options) {
      return measure(process.execPath, ['--conditions=sfgen-source', '--import', tsxLoader, file, ...args], options);
    },
    async typeCheck(options) {
      const dir = await makeTmpDir(runDir, `tsc-${options.name}`);
      if (options.runtime === 'declarations') {
        runtimeDts ??= (async () => {
          log('emitting the runtime declarations (.d.ts) for consumer-style type checks');
          return emitRuntimeDeclarations(repoRoot, await makeTmpDir(runDir, 'runtime-dts'), measure);
        })();
        return runTypeCheck(repoRoot, dir, { ...options, runtimeEntry: await runtimeDts }, measure);
      }
      return runTypeCheck(repoRoot, dir, options, measure);
    },
    log,
  };
  return ctx;
}

async function readPrevious(): Promise<SuiteResult[]> {
  try {
    const json = JSON.parse(await readFile(resultsFile, 'utf8')) as { suites?: SuiteResult[] };
    return Array.isArray(json.suites) ? json.suites : [];
  } catch {
    return [];
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const filters = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  for (const flag of flags) {
    if (!['--keep', '--list', '--help'].includes(flag)) {
      process.stderr.write(`unknown option ${flag}\n${usage()}\n`);
      return 2;
    }
  }
  if (flags.has('--help')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const all = await discover();
  if (flags.has('--list')) {
    for (const { file, suite } of all) process.stdout.write(`${suite.name}\t(test/bench/suites/${file})\n`);
    return 0;
  }
  const matches = (file: string, suite: BenchSuite, filter: string): boolean =>
    suite.name === filter || basename(file, '.ts') === filter;
  for (const filter of filters) {
    if (!all.some(({ file, suite }) => matches(file, suite, filter))) {
      process.stderr.write(`no suite named ${filter}; suites: ${all.map((s) => s.suite.name).join(', ') || '(none)'}\n`);
      return 2;
    }
  }
  const selected = filters.length === 0 ? all : all.filter(({ file, suite }) => filters.some((f) => matches(file, suite, f)));

  const runDir = join(cacheRoot, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  await mkdir(runDir, { recursive: true });
  const results: SuiteResult[] = [];
  let crashed = 0;
  try {
    for (const { file, suite } of selected) {
      const startedAt = new Date().toISOString();
      const started = performance.now();
      const loadBefore = loadavg()[0] ?? 0;
      const closers: (() => Promise<void>)[] = [];
      process.stdout.write(`\n== ${suite.name} (test/bench/suites/${file}) ==\n`);
      let figures: ReportedFigure[] = [];
      let error: string | undefined;
      try {
        const raw = await suite.run(createContext(runDir, closers));
        if (!Array.isArray(raw)) throw new Error('run() must resolve to an array of figures');
        figures = raw.map((f, i) => {
          if (!isFigure(f)) throw new Error(`figure [${i}] lacks bench/subject/metric (strings) or value (number): ${JSON.stringify(f)}`);
          const ok = meetsTarget(f);
          return ok === undefined ? f : { ...f, ok };
        });
      } catch (e) {
        error = e instanceof Error ? (e.stack ?? e.message) : String(e);
        crashed += 1;
      } finally {
        for (const close of closers.reverse()) {
          await close().catch((e: unknown) => log(`closing a simulator failed: ${String(e)}`));
        }
      }
      const durationMs = performance.now() - started;
      if (figures.length > 0) {
        process.stdout.write(`${formatTable(figures)}\n\n`);
        for (const f of figures) process.stdout.write(`${figureJsonLine(f)}\n`);
      }
      if (error) process.stdout.write(`suite ${suite.name} FAILED: ${error}\n`);
      const loadAfter = loadavg()[0] ?? 0;
      process.stdout.write(`(${suite.name}: ${(durationMs / 1000).toFixed(1)} s; load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)} on ${cpus().length} cores)\n`);
      results.push({
        name: suite.name, file: `test/bench/suites/${file}`, startedAt, durationMs,
        loadAverage: [loadBefore, loadAfter], figures, ...(error ? { error } : {}),
      });
    }
  } finally {
    if (!flags.has('--keep')) await rm(runDir, { recursive: true, force: true });
    else log(`kept ${runDir}`);
  }

  const previous = (await readPrevious()).filter((p) => !results.some((r) => r.name === p.name));
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify({
    writtenAt: new Date().toISOString(),
    machine: machine(),
    syntheticOrgObjects: Number(process.env.SFGEN_BENCH_ORG_OBJECTS) || 1500,
    suites: [...previous, ...results],
  }, null, 2)}\n`);

  const reported = results.flatMap((r) => r.figures);
  const missed = reported.filter((f) => f.ok === false);
  process.stdout.write(`\n${reported.length} figures from ${results.length} suite(s); ${reported.filter((f) => f.ok !== undefined).length} with targets, ${missed.length} missed${crashed ? `; ${crashed} suite(s) FAILED` : ''}. Results: ${resultsFile}\n`);
  for (const f of missed) process.stdout.write(`  MISSED ${f.bench}/${f.subject}/${f.metric}: ${f.value}${f.unit ? ` ${f.unit}` : ''}\n`);
  return crashed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
