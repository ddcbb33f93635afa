/**
 * Issue 13: how fast the CLI answers. The built CLI (`dist/generator/cli.js`, what an installed
 * `sfgen` runs; `npm run build` first) against a bare `node -e ''` on the same machine, runs
 * interleaved, medians of 9:
 * - `sfgen --version` and `sfgen --help`: target within 0.3 s of bare node (commands load lazily);
 * - `sfgen check` of this repository's own usage (`--demo --out generated --usage-dir test/examples`):
 *   target 3 s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSuite, Figure, MeasuredRun } from '../harness.js';

const BENCH = 'cli';
const RUNS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx) {
    const cli = join(ctx.repoRoot, 'dist/generator/cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    const subjects: Record<string, readonly string[]> = {
      floor: ['-e', ''],
      version: [cli, '--version'],
      help: [cli, '--help'],
    };
    const walls: Record<string, number[]> = { floor: [], version: [], help: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const [name, args] of Object.entries(subjects)) {
        const run: MeasuredRun = await ctx.measure(process.execPath, args, { cwd: ctx.repoRoot });
        walls[name]?.push(run.wallMs);
      }
    }
    const floor = median(walls.floor ?? []);
    const figures: Figure[] = [{ bench: BENCH, subject: 'floor', metric: 'node_start_ms', value: Math.round(floor), unit: 'ms', note: "node -e '' (median of 9)" }];
    for (const name of ['version', 'help'] as const) {
      const m = median(walls[name] ?? []);
      figures.push({ bench: BENCH, subject: 'sfgen', metric: `${name}_ms`, value: Math.round(m), unit: 'ms', note: `sfgen --${name} (median of 9)` });
      figures.push({ bench: BENCH, subject: 'sfgen', metric: `${name}_over_node_ms`, value: Math.round(m - floor), unit: 'ms', target: { max: 300 }, note: `sfgen --${name} minus bare node` });
    }
    const checks: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await ctx.measure(process.execPath, [cli, 'check', '--demo', '--out', 'generated', '--usage-dir', 'test/examples'], { cwd: ctx.repoRoot });
      if (run.exitCode !== 0) throw new Error(`sfgen check exited ${String(run.exitCode)}: ${run.stderr.slice(-2000)}`);
      checks.push(run.wallMs);
    }
    figures.push({ bench: BENCH, subject: 'sfgen', metric: 'check_own_usage_ms', value: Math.round(median(checks)), unit: 'ms', target: { max: 3000 }, note: 'sfgen check --demo of this repository (median of 3)' });
    return figures;
  },
};

export default suite;
