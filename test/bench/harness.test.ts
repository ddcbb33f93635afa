import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  figureJsonLine,
  formatTable,
  hasTaskset,
  measureProcess,
  pinThisProcess,
  meetsTarget,
  parseExtendedDiagnostics,
  type Figure,
} from './harness.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sfgen-bench-harness-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const fig = (value: number, extra: Partial<Figure> = {}): Figure => ({ bench: 'b', subject: 'sfgen', metric: 'm', value, ...extra });

describe('targets', () => {
  it('reads a bare number as a maximum unless better is higher', () => {
    expect(meetsTarget(fig(5))).toBeUndefined();
    expect(meetsTarget(fig(5, { target: 5 }))).toBe(true);
    expect(meetsTarget(fig(6, { target: 5 }))).toBe(false);
    expect(meetsTarget(fig(4, { target: 5, better: 'higher' }))).toBe(false);
    expect(meetsTarget(fig(0.95, { target: { min: 0.9 } }))).toBe(true);
    expect(meetsTarget(fig(2, { target: { min: 0.5, max: 1.5 } }))).toBe(false);
    expect(meetsTarget(fig(Number.NaN, { target: 5 }))).toBe(false);
  });
});

describe('output', () => {
  it('prints DESIGN.md JSON lines with bench, subject, metric, value first', () => {
    const line = figureJsonLine({ ...fig(1.23456, { unit: 'ms', target: 2 }), ok: true });
    expect(line).toBe('{"bench":"b","subject":"sfgen","metric":"m","value":1.235,"unit":"ms","target":{"max":2},"ok":true}');
    expect(JSON.parse(figureJsonLine(fig(Number.POSITIVE_INFINITY))).value).toBeNull();
  });

  it('marks missed targets in the table', () => {
    const table = formatTable([{ ...fig(1500, { unit: 'ms', target: 1000 }), ok: false }, fig(3)]);
    expect(table).toMatch(/1,500 ms\s+<= 1,000\s+MISSED/);
    expect(table.split('\n')).toHaveLength(4);
  });
});

describe('tsc --extendedDiagnostics parsing', () => {
  it('reads counts, times and memory', () => {
    const d = parseExtendedDiagnostics([
      'Files:                         312',
      'Lines of TypeScript:         45,123',
      'Instantiations:              123,456',
      'Memory used:                 212345K',
      'Check time:                    0.81s',
      'Total time:                    1.42s',
    ].join('\n'));
    expect(d).toMatchObject({ Files: '312', 'Lines of TypeScript': '45,123', Instantiations: '123,456', 'Memory used': '212345K', 'Check time': '0.81s', 'Total time': '1.42s' });
  });
});

describe('measureProcess', () => {
  it('measures wall time and the peak RSS of a child that allocates ~200 MB', async () => {
    const script = 'const b = Buffer.alloc(200 * 1024 * 1024, 1); setTimeout(() => process.stdout.write(String(b[5])), 50);';
    const run = await measureProcess(process.execPath, ['-e', script], { scratchDir: scratch });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('1');
    expect(run.wallMs).toBeGreaterThan(50);
    expect(run.rssSource).not.toBe('unavailable');
    expect(run.peakRssBytes).toBeGreaterThan(200 * 1024 * 1024);
    expect(run.cpuMs).toBeGreaterThan(0); // node start-up plus filling 200 MB always costs CPU
  });

  it('falls back to a node preload probe for node children', async () => {
    const script = 'const b = Buffer.alloc(150 * 1024 * 1024, 1); process.stdout.write(String(b[9]))';
    const run = await measureProcess(process.execPath, ['-e', script], { scratchDir: scratch, rssMethod: 'node-probe' });
    expect(run.rssSource).toBe('node-probe');
    expect(run.peakRssBytes).toBeGreaterThan(150 * 1024 * 1024);
    expect(run.cpuMs).toBeGreaterThan(0);
  });

  it('pins a child to the CPUs asked for, with peak RSS still measured (GNU time and probe)', async () => {
    expect(await hasTaskset()).toBe(true); // util-linux is on every machine this runs on
    const script = "const b = Buffer.alloc(120 * 1024 * 1024, 1); process.stdout.write(/Cpus_allowed_list:\\s*(\\S+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1] + b[3])";
    for (const rssMethod of ['auto', 'node-probe'] as const) {
      const run = await measureProcess(process.execPath, ['-e', script], { scratchDir: scratch, cpus: '0', rssMethod });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe('01');
      expect(run.pinnedCpus).toBe('0');
      expect(run.peakRssBytes).toBeGreaterThan(120 * 1024 * 1024);
    }
    const free = await measureProcess(process.execPath, ['-e', script], { scratchDir: scratch });
    expect(free.pinnedCpus).toBeUndefined();
  });

  it('pins every thread of this process and restores the affinity it had', async () => {
    const allowed = (): string => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
    const before = allowed();
    const restore = await pinThisProcess('0');
    expect(restore).toBeDefined();
    try {
      expect(allowed()).toBe('0');
    } finally {
      await restore?.();
    }
    expect(allowed()).toBe(before);
  });

  it('reports the exit code and kills a process that runs past its timeout', async () => {
    const failing = await measureProcess(process.execPath, ['-e', 'process.exit(3)'], { scratchDir: scratch });
    expect(failing.exitCode).toBe(3);
    const slow = await measureProcess(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { scratchDir: scratch, timeoutMs: 300 });
    expect(slow.timedOut).toBe(true);
    expect(slow.wallMs).toBeLessThan(10_000);
  });
});
