/**
 * Child program of the soql-typecheck suite: type-checks everything an application file imports
 * (and the warm-up file, when given), then times checking the application file itself, and prints
 * one JSON line `{ fileCheckMs, fileWallMs, cpuSource, gcMs, instantiations, errors, warmErrors }`
 * (`warmErrors`: the warm-up file's own type errors, which the suite refuses).
 *
 *   node tsc-probe.mjs <file.ts> <compilerOptions JSON> [<warm-up file.ts>]
 *
 * What is timed is the CPU time of the main thread (the thread TypeScript checks on), read from
 * /proc/thread-self/schedstat on Linux (`cpuSource: 'thread'`; elsewhere the process's CPU time,
 * `cpuSource: 'process'`, which also counts V8's background threads). GC the check causes on the
 * main thread is included (`gcMs` says how much).
 *
 * Why not the whole process's CPU time in a `--single-threaded` process (what this probe did
 * until 2026-12-03): with no background threads V8 compiles on the main thread, so the figure
 * was mostly V8 compiling TypeScript's own checker functions that the file happened to use first
 * (a query's first subquery callback cost 57 ms that way, ~17 ms in a `tsc --generateTrace` of
 * the same file). Why a warm-up file: it exercises the same checker code paths on another object
 * (a builder query and a checked string of the same shape on Contact), so that what is timed is
 * the type-level work of the query (its metadata, its paths, its row type), which is what every
 * further query in an application costs, and not the one-time lazy compilation of the checker.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import ts from 'typescript';

const [file, optionsJson, warm] = process.argv.slice(2);
if (!file || !optionsJson) throw new Error('usage: tsc-probe.mjs <file.ts> <compilerOptions JSON> [<warm-up file.ts>]');
const { options, errors: optionErrors } = ts.convertCompilerOptionsFromJson(JSON.parse(optionsJson), process.cwd());
if (optionErrors.length > 0) throw new Error(optionErrors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; '));

/** CPU time of the calling (main) thread in ms, or of the process where Linux's schedstat is missing. */
function cpuClock() {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    if (Number.isFinite(ns)) return { source: 'thread', read: () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6 };
  } catch {
    // not Linux: fall through
  }
  return {
    source: 'process',
    read: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
  };
}

const program = ts.createProgram(warm ? [warm, file] : [file], options);
// getInstantiationCount() is what --extendedDiagnostics prints; it is not in the public typings.
const checker = program.getTypeChecker();
const app = program.getSourceFile(file);
if (!app) throw new Error(`probe: ${file} is not in the program`);
const warmErrors = [];
for (const sf of program.getSourceFiles()) {
  if (sf === app || sf.isDeclarationFile) continue;
  const found = program.getSemanticDiagnostics(sf);
  if (warm && sf.fileName === program.getSourceFile(warm)?.fileName) warmErrors.push(...found);
}

let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });
// Let GC entries of the work above arrive before the timed part starts.
await new Promise((resolve) => setTimeout(resolve, 20));
gcMs = 0;

const clock = cpuClock();
const before = checker.getInstantiationCount();
const cpuBefore = clock.read();
const started = performance.now();
const diagnostics = program.getSemanticDiagnostics(app);
const fileWallMs = performance.now() - started;
const fileCheckMs = clock.read() - cpuBefore;
const instantiations = checker.getInstantiationCount() - before;
await new Promise((resolve) => setTimeout(resolve, 20));
gcObserver.disconnect();
process.stdout.write(
  `${JSON.stringify({
    fileCheckMs,
    fileWallMs,
    cpuSource: clock.source,
    gcMs,
    instantiations,
    errors: diagnostics.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`),
    warmErrors: warmErrors.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`),
  })}\n`,
);
