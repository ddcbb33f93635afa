/**
 * The benchmark harness contract (TEAM.md) and its helpers: what a suite exports, what the
 * context gives it, how a child process is measured (wall time, peak RSS) and how `tsc` is run
 * with `--extendedDiagnostics` on a throwaway project.
 *
 * A suite is `test/bench/suites/<name>.ts`:
 *
 * ```ts
 * import type { BenchSuite } from '../harness.js';
 * const suite: BenchSuite = {
 *   name: 'my-bench',
 *   async run(ctx) {
 *     const sim = await ctx.startSimulator({ latencyMs: 50 });
 *     const run = await ctx.measure(process.execPath, ['--version']);
 *     return [
 *       { bench: 'my-bench', subject: 'sfgen', metric: 'wall_ms', value: run.wallMs, unit: 'ms', target: { max: 1000 } },
 *     ];
 *   },
 * };
 * export default suite;
 * ```
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * What a figure must stay within. `{ max }`: lower is better; `{ min }`: higher is better.
 * A bare number is read as `{ max: n }` unless `better: 'higher'` is set on the figure.
 */
export type Target = number | { readonly max?: number; readonly min?: number };

/** One measured number. The first four keys are DESIGN.md's JSON line; the rest are optional. */
export interface Figure {
  /** Suite or benchmark name, e.g. `generate`, `query-stream`. */
  readonly bench: string;
  /** `sfgen`, a peer (`jsforce`), or `floor` (the raw baseline). */
  readonly subject: string;
  /** What was measured, snake case with its unit where useful: `wall_ms`, `peak_rss_mb`. */
  readonly metric: string;
  readonly value: number;
  readonly unit?: string;
  readonly target?: Target;
  /** Direction for a bare-number target; defaults to `lower`. */
  readonly better?: 'lower' | 'higher';
  /** A short human note shown in the table (what the figure covers). */
  readonly note?: string;
}

/** A figure with its target evaluated (`ok` is absent when there is no target). */
export interface ReportedFigure extends Figure {
  readonly ok?: boolean;
}

export interface BenchSuite {
  readonly name: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

/** Options for {@link BenchContext.startSimulator}; `metadataDir` defaults to the synthetic org. */
export interface BenchSimulatorOptions {
  readonly metadataDir?: string;
  readonly latencyMs?: number;
  readonly pageSize?: number;
  readonly port?: number;
  readonly [option: string]: unknown;
}

/** The part of the simulator (runtime/simulation/index.ts) benchmarks use. */
export interface BenchSimulator {
  readonly url: string;
  readonly apiVersion: string;
  issueAccessToken(): string;
  stats(): { requests: number; byRoute: Record<string, number> };
  resetStats(): void;
  close(): Promise<void>;
  readonly [member: string]: unknown;
}

export interface MeasureOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the process (group) after this long; default 20 minutes. */
  readonly timeoutMs?: number;
  /** Characters of stdout/stderr kept (the tail); default 200,000. */
  readonly keepChars?: number;
  /** How to read peak RSS: `auto` (GNU time if present, else the node probe) or `node-probe`. */
  readonly rssMethod?: 'auto' | 'node-probe';
  /**
   * Run the process on these CPUs only (`taskset -c`, e.g. `"1"`), when taskset is on the machine;
   * `MeasuredRun.pinnedCpus` says whether it was.
   */
  readonly cpus?: string;
}

/** A finished child process with its cost. */
export interface MeasuredRun {
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly wallMs: number;
  /** Peak resident set size of the process (and its waited-for children), in bytes; NaN if unknown. */
  readonly peakRssBytes: number;
  /**
   * User + system CPU time of the process and its waited-for children, in ms (NaN if unknown).
   * Less sensitive than wall time to other load on the machine.
   */
  readonly cpuMs: number;
  /** How peak RSS was read: `/usr/bin/time`, `node-probe`, or `unavailable`. */
  readonly rssSource: 'gnu-time' | 'node-probe' | 'unavailable';
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The CPUs the process was pinned to (`MeasureOptions.cpus`), if it was. */
  readonly pinnedCpus?: string;
}

/** `tsc --extendedDiagnostics` figures plus the process cost. */
export interface TypeCheckResult extends MeasuredRun {
  /** Diagnostic lines (`Check time`, `Memory used`, `Instantiations`, ...) keyed by label. */
  readonly diagnostics: Readonly<Record<string, string>>;
  /** `Check time` in ms. */
  readonly checkMs: number;
  /** `Total time` in ms (tsc's own: parse + bind + check, excluding process start). */
  readonly totalMs: number;
  /** `Memory used` (heap) in bytes. */
  readonly memoryUsedBytes: number;
  readonly files: number;
  readonly instantiations: number;
  readonly types: number;
  /** Type errors tsc reported (the lines before the diagnostics). */
  readonly errors: readonly string[];
}

export interface TypeCheckOptions {
  /** A label used for the temp project directory. */
  readonly name: string;
  /** Files to check (absolute). */
  readonly files: readonly string[];
  /** Extra compiler options merged over the defaults (strict, NodeNext, sfgen-source). */
  readonly compilerOptions?: Record<string, unknown>;
  /**
   * How `sfgen/runtime` resolves: `source` (default) maps it to this repository's
   * `runtime/index.ts` with the `sfgen-source` condition, so tsc also checks the runtime's
   * sources; `declarations` maps it to `.d.ts` files emitted from the runtime (what an
   * application that installed the package sees; `skipLibCheck` then skips them).
   */
  readonly runtime?: 'source' | 'declarations';
  /** `--max-old-space-size` for tsc's node, in MB (default: node's own limit). */
  readonly maxOldSpaceMb?: number;
  readonly timeoutMs?: number;
}

export interface BenchContext {
  /** Repository root (absolute). */
  readonly repoRoot: string;
  /** The synthetic 1,500-object org as a metadata directory (built once, cached under test/bench/.tmp). */
  syntheticOrgDir(): Promise<string>;
  /**
   * A metadata directory with the synthetic org's describes (linked, not copied) and seed records
   * written by `writeSyntheticRecords` for the given objects, e.g. `{ Account: 500_000 }` or
   * `{ Account: { count: 500_000, fields: ['Name', 'Industry'] } }` (only those fields plus Id).
   * References point at ids with sequence 0–9 of the parent, so seed parents you query through.
   */
  syntheticOrgWithRecords(
    records: Readonly<Record<string, number | { readonly count: number; readonly fields?: readonly string[] }>>,
  ): Promise<string>;
  /**
   * Starts the org simulator (runtime/simulation) on 127.0.0.1, on the synthetic org unless
   * `metadataDir` says otherwise. Closed automatically when the suite ends.
   */
  startSimulator(options?: BenchSimulatorOptions): Promise<BenchSimulator>;
  /** A fresh empty directory inside the repository (so `sfgen/runtime` resolves), removed after the run. */
  tmpDir(label?: string): Promise<string>;
  /** Runs a command, measuring wall time and peak RSS. */
  measure(command: string, args: readonly string[], options?: MeasureOptions): Promise<MeasuredRun>;
  /** Runs a TypeScript file under tsx with the `sfgen-source` condition, measured. */
  measureTs(file: string, args: readonly string[], options?: MeasureOptions): Promise<MeasuredRun>;
  /**
   * Runs `tsc --noEmit --extendedDiagnostics` on the given files, measured. With
   * `runtime: 'declarations'` the runtime's `.d.ts` are emitted first (once per run).
   */
  typeCheck(options: TypeCheckOptions): Promise<TypeCheckResult>;
  /** Progress to stderr (not part of the results). */
  log(message: string): void;
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

/** Normalizes a target into `{ max?, min? }`. */
export function targetBounds(figure: Figure): { max?: number; min?: number } | undefined {
  const { target } = figure;
  if (target === undefined) return undefined;
  if (typeof target === 'number') return figure.better === 'higher' ? { min: target } : { max: target };
  return target;
}

/** Evaluates a figure's target: true if met, false if missed, undefined if it has none. */
export function meetsTarget(figure: Figure): boolean | undefined {
  const bounds = targetBounds(figure);
  if (!bounds) return undefined;
  if (!Number.isFinite(figure.value)) return false;
  if (bounds.max !== undefined && figure.value > bounds.max) return false;
  if (bounds.min !== undefined && figure.value < bounds.min) return false;
  return true;
}

/** The target as text: `<= 1000`, `>= 0.9`, `0.5..2`. */
export function formatTarget(figure: Figure): string {
  const b = targetBounds(figure);
  if (!b) return '';
  if (b.max !== undefined && b.min !== undefined) return `${fmt(b.min)}..${fmt(b.max)}`;
  if (b.max !== undefined) return `<= ${fmt(b.max)}`;
  if (b.min !== undefined) return `>= ${fmt(b.min)}`;
  return '';
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: abs >= 100 ? 0 : abs >= 1 ? 2 : 4 });
}

/** DESIGN.md's JSON line for a figure (bench, subject, metric, value first; extras after). */
export function figureJsonLine(figure: ReportedFigure): string {
  const { bench, subject, metric, value, unit, target, better, ok, note } = figure;
  const line: Record<string, unknown> = { bench, subject, metric, value: round(value) };
  if (unit !== undefined) line.unit = unit;
  if (target !== undefined) line.target = targetBounds(figure);
  if (better !== undefined) line.better = better;
  if (ok !== undefined) line.ok = ok;
  if (note !== undefined) line.note = note;
  return JSON.stringify(line);
}

function round(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return Math.round(value * 1000) / 1000;
}

/** A plain-text table of a suite's figures. */
export function formatTable(figures: readonly ReportedFigure[]): string {
  const rows = figures.map((f) => [
    f.subject,
    f.metric,
    `${fmt(f.value)}${f.unit ? ` ${f.unit}` : ''}`,
    formatTarget(f),
    f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED',
    f.note ?? '',
  ]);
  const header = ['subject', 'metric', 'value', 'target', 'status', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Measuring child processes
// ---------------------------------------------------------------------------------------------

const GNU_TIME = '/usr/bin/time';
let gnuTimeWorks: boolean | undefined;

async function hasGnuTime(): Promise<boolean> {
  if (gnuTimeWorks !== undefined) return gnuTimeWorks;
  if (!existsSync(GNU_TIME)) return (gnuTimeWorks = false);
  gnuTimeWorks = await new Promise<boolean>((resolve) => {
    const child = spawn(GNU_TIME, ['-f', '%M', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0 && /^\d+\s*$/.test(err.trim())));
  });
  return gnuTimeWorks;
}

const TASKSET = '/usr/bin/taskset';
let tasksetWorks: boolean | undefined;

/** True when `taskset` can set CPU affinity here. */
export async function hasTaskset(): Promise<boolean> {
  if (tasksetWorks !== undefined) return tasksetWorks;
  if (!existsSync(TASKSET)) return (tasksetWorks = false);
  tasksetWorks = await new Promise<boolean>((resolve) => {
    const child = spawn(TASKSET, ['-c', '0', 'true'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
  return tasksetWorks;
}

function runTaskset(args: readonly string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(TASKSET, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`taskset ${args.join(' ')}: ${err.trim()}`))));
  });
}

/**
 * Pins every thread of this process to `cpus` (taskset -a -p -c). Returns a function that restores
 * the previous affinity, or undefined when taskset is not available.
 */
export async function pinThisProcess(cpus: string): Promise<(() => Promise<void>) | undefined> {
  if (!(await hasTaskset())) return undefined;
  const before = /:\s*(\S+)\s*$/.exec((await runTaskset(['-c', '-p', String(process.pid)])).trim())?.[1];
  if (before === undefined) return undefined;
  await runTaskset(['-a', '-c', '-p', cpus, String(process.pid)]);
  return async () => {
    await runTaskset(['-a', '-c', '-p', before, String(process.pid)]);
  };
}

const PROBE = new URL('./rss-probe.mjs', import.meta.url);

/**
 * Runs a command and measures its wall time (from spawn to exit) and peak RSS: through GNU
 * `/usr/bin/time` when present (which reads the kernel's `ru_maxrss` for the process and the
 * children it waited for), else, for node commands, through a preload that reports
 * `process.resourceUsage().maxRSS` at exit.
 *
 * @example
 * const run = await measureProcess(process.execPath, ['-e', '1']);
 * run.wallMs; run.peakRssBytes;
 */
export async function measureProcess(
  command: string,
  args: readonly string[],
  options: MeasureOptions & { readonly scratchDir: string },
): Promise<MeasuredRun> {
  const keep = options.keepChars ?? 200_000;
  await mkdir(options.scratchDir, { recursive: true });
  const rssFile = join(options.scratchDir, `rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  let spawnCommand = command;
  let spawnArgs = [...args];
  let rssSource: MeasuredRun['rssSource'] = 'unavailable';
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // taskset execs the command: GNU time and the probe still see the measured process itself.
  const pinnedCpus = options.cpus !== undefined && (await hasTaskset()) ? options.cpus : undefined;
  const pin = (cmd: string): string[] => (pinnedCpus === undefined ? [cmd] : [TASKSET, '-c', pinnedCpus, cmd]);
  if (options.rssMethod !== 'node-probe' && (await hasGnuTime())) {
    spawnCommand = GNU_TIME;
    spawnArgs = ['-f', '%M %U %S', '-o', rssFile, ...pin(command), ...args];
    rssSource = 'gnu-time';
  } else if (command === process.execPath) {
    const [first, ...rest] = pin(command);
    spawnCommand = first ?? command;
    spawnArgs = [...rest, '--import', PROBE.href, ...args];
    env.SFGEN_BENCH_RSS_FILE = rssFile;
    rssSource = 'node-probe';
  } else {
    const [first, ...rest] = pin(command);
    spawnCommand = first ?? command;
    spawnArgs = [...rest, ...args];
  }

  const started = performance.now();
  const child = spawn(spawnCommand, spawnArgs, {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const tail = (acc: string, chunk: Buffer): string => {
    const next = acc + chunk.toString('utf8');
    return next.length > keep * 2 ? next.slice(-keep) : next;
  };
  child.stdout.on('data', (d: Buffer) => (stdout = tail(stdout, d)));
  child.stderr.on('data', (d: Buffer) => (stderr = tail(stderr, d)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }, options.timeoutMs ?? 20 * 60_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot start ${command}: ${error.message}`)));
    child.on('close', (code, sig) => resolve([code, sig]));
  }).finally(() => clearTimeout(timer));
  const wallMs = performance.now() - started;

  let peakRssBytes = Number.NaN;
  let cpuMs = Number.NaN;
  if (rssSource !== 'unavailable') {
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    // GNU time may prepend "Command exited with non-zero status N" lines; ours is the last line.
    const last = text.trim().split(/\r?\n/).pop() ?? '';
    const [kbText, userText, sysText] = last.trim().split(/\s+/);
    const kb = Number(kbText);
    if (Number.isFinite(kb) && kb > 0) peakRssBytes = kb * 1024;
    const cpu = (Number(userText) + Number(sysText)) * 1000;
    if (Number.isFinite(cpu)) cpuMs = cpu;
    await rm(rssFile, { force: true });
  }
  return {
    command: [command, ...args].join(' '),
    exitCode,
    signal,
    wallMs,
    peakRssBytes,
    cpuMs,
    rssSource: Number.isNaN(peakRssBytes) ? 'unavailable' : rssSource,
    stdout: stdout.slice(-keep),
    stderr: stderr.slice(-keep),
    timedOut,
    ...(pinnedCpus !== undefined && { pinnedCpus }),
  };
}

/** Parses `tsc --extendedDiagnostics` output into label -> value text. */
export function parseExtendedDiagnostics(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of output.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z /()-]*?):\s+(\S+)\s*$/.exec(line);
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

function seconds(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const m = /^([\d.]+)s$/.exec(text);
  return m?.[1] ? Number(m[1]) * 1000 : Number.NaN;
}

function count(text: string | undefined): number {
  return text === undefined ? Number.NaN : Number(text.replace(/,/g, ''));
}

/**
 * Writes a tsconfig next to the files' temp project and runs the repository's tsc on it with
 * `--noEmit --extendedDiagnostics`: strict, NodeNext, `customConditions: ["sfgen-source"]`,
 * `sfgen/runtime` mapped to this repository's runtime.
 */
export async function runTypeCheck(
  repoRoot: string,
  projectDir: string,
  options: TypeCheckOptions & { readonly runtimeEntry?: string },
  measure: (command: string, args: readonly string[], o?: MeasureOptions) => Promise<MeasuredRun>,
): Promise<TypeCheckResult> {
  await mkdir(projectDir, { recursive: true });
  const declarations = options.runtime === 'declarations';
  if (declarations && !options.runtimeEntry) throw new Error('runTypeCheck: runtime "declarations" needs runtimeEntry (the emitted index.d.ts)');
  const runtimeEntry = declarations ? (options.runtimeEntry as string) : join(repoRoot, 'runtime/index.ts');
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      customConditions: declarations ? [] : ['sfgen-source'],
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
      paths: { 'sfgen/runtime': [runtimeEntry] },
      ...options.compilerOptions,
    },
    files: options.files.map((f) => relative(projectDir, f)),
  };
  const configFile = join(projectDir, 'tsconfig.json');
  await writeFile(configFile, `${JSON.stringify(tsconfig, null, 2)}\n`);
  const tscJs = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const nodeArgs = options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : [];
  const run = await measure(process.execPath, [...nodeArgs, tscJs, '-p', configFile, '--extendedDiagnostics'], {
    cwd: projectDir,
    timeoutMs: options.timeoutMs ?? 30 * 60_000,
  });
  const diagnostics = parseExtendedDiagnostics(run.stdout);
  const errors = run.stdout.split(/\r?\n/).filter((l) => /error TS\d+:/.test(l));
  return {
    ...run,
    diagnostics,
    checkMs: seconds(diagnostics['Check time']),
    totalMs: seconds(diagnostics['Total time']),
    memoryUsedBytes: (() => {
      const m = /^(\d+)K$/.exec(diagnostics['Memory used'] ?? '');
      return m?.[1] ? Number(m[1]) * 1024 : Number.NaN;
    })(),
    files: count(diagnostics.Files),
    instantiations: count(diagnostics.Instantiations),
    types: count(diagnostics.Types),
    errors,
  };
}

/**
 * Emits the runtime's declarations (`runtime/index.ts` and what it imports) into `outDir` with
 * the repository's tsc, as a package build would, and returns the path of `runtime/index.d.ts`.
 */
export async function emitRuntimeDeclarations(
  repoRoot: string,
  outDir: string,
  measure: (command: string, args: readonly string[], o?: MeasureOptions) => Promise<MeasuredRun>,
): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const configFile = join(outDir, 'tsconfig.declarations.json');
  await writeFile(configFile, `${JSON.stringify({
    extends: join(repoRoot, 'tsconfig.json'),
    compilerOptions: {
      noEmit: false, declaration: true, emitDeclarationOnly: true, sourceMap: false,
      declarationMap: false, outDir: join(outDir, 'dist'), rootDir: repoRoot, customConditions: [],
    },
    files: [join(repoRoot, 'runtime/index.ts')],
    include: [],
  }, null, 2)}\n`);
  const run = await measure(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', configFile], { cwd: outDir });
  const entry = join(outDir, 'dist/runtime/index.d.ts');
  if (!existsSync(entry)) {
    throw new Error(`emitting the runtime's declarations failed (exit ${run.exitCode}): ${(run.stdout + run.stderr).slice(-3000)}`);
  }
  return entry;
}

/** Makes a unique directory under `root`. */
export async function makeTmpDir(root: string, label: string): Promise<string> {
  await mkdir(root, { recursive: true });
  return mkdtemp(join(root, `${label.replace(/[^A-Za-z0-9_-]/g, '-')}-`));
}

/** Bytes to MB (10^6) with one decimal, for figures. */
export function mb(bytes: number): number {
  return Math.round((bytes / 1e6) * 10) / 10;
}
