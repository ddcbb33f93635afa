/**
 * Issue 2 §7: generating the synthetic 1,500-object org through the simulator (50 ms injected
 * latency per request) and type-checking the result.
 *
 * Figures:
 * - `sfgen generate --all` as a child process: wall time, peak RSS, HTTP requests the simulator
 *   served (target: at most one request per 20 objects), files and bytes written;
 * - `tsc --noEmit` on an application file that imports 5 generated objects and uses them
 *   (get with a field list, create with the required fields, update): wall time and peak RSS
 *   (targets 1 s and 400 MB), tsc's own check time, heap and instantiations; the same for a
 *   runtime-only file (the baseline any sfgen user pays) so the generated code's share shows;
 * - `tsc --noEmit` on the whole generated tree (runtime as .d.ts, heap capped; see below).
 *
 * Each tsc figure comes twice: with `sfgen/runtime` resolved to emitted `.d.ts` (what an
 * application gets from the installed package) and, suffixed `_src`, to the runtime's sources
 * (the `sfgen-source` condition used inside this repository).
 */
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BenchContext, BenchSuite, Figure, TypeCheckResult } from '../harness.js';
import { mb } from '../harness.js';
import { readDescribe, type FieldDescribe, type GlobalDescribe, type SObjectDescribe } from '../synthetic-org.js';

const BENCH = 'generate';
const LATENCY_MS = 50;
const APP_TARGET_MS = 1000;
const APP_TARGET_MB = 400;
/**
 * Heap cap for the whole-tree check. The machine (2 cores, 24 GB) is shared, so the check is
 * bounded; running out of it is reported as `tsc_all_completed = 0`, not hidden.
 */
const WHOLE_TREE_HEAP_MB = Number(process.env.SFGEN_BENCH_TSC_ALL_HEAP_MB) || 8192;
/** Time limit of the whole-tree check, in minutes (it runs at a fraction of a core on a busy machine). */
const WHOLE_TREE_TIMEOUT_MIN = Number(process.env.SFGEN_BENCH_TSC_ALL_TIMEOUT_MIN) || 15;
/** Objects in the slice checked to show how the whole-tree check scales. */
const SLICE_OBJECTS = 30;

interface GeneratorSummaryJson {
  readonly objects?: number;
  readonly fields?: number;
  readonly files?: number;
  readonly requests?: number;
  readonly durationMs?: number;
}

async function treeSize(dir: string): Promise<{ files: string[]; bytes: number }> {
  const files: string[] = [];
  let bytes = 0;
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else {
        if (entry.name.endsWith('.ts')) files.push(p);
        bytes += (await stat(p)).size;
      }
    }
  };
  await walk(dir);
  return { files: files.sort(), bytes };
}

/** The five objects the application file uses: three standard ones and two large custom ones. */
export async function pickObjects(orgDir: string): Promise<SObjectDescribe[]> {
  const global = JSON.parse(await readFile(join(orgDir, 'sobjects.json'), 'utf8')) as GlobalDescribe;
  const customs: SObjectDescribe[] = [];
  for (const entry of global.sobjects) if (entry.custom) customs.push(await readDescribe(orgDir, entry.name));
  const bySize = (a: SObjectDescribe, b: SObjectDescribe): number => b.fields.length - a.fields.length || (a.name < b.name ? -1 : 1);
  const isDetail = (d: SObjectDescribe): boolean => d.fields.some((f) => f.relationshipOrder !== null);
  const largest = customs.filter((d) => !isDetail(d)).sort(bySize)[0];
  const largestDetail = customs.filter(isDetail).sort(bySize)[0];
  if (!largest || !largestDetail) throw new Error('synthetic org has no custom master and detail objects to import');
  return [
    await readDescribe(orgDir, 'Account'),
    await readDescribe(orgDir, 'Contact'),
    await readDescribe(orgDir, 'Task'),
    largest,
    largestDetail,
  ];
}

function literalFor(field: FieldDescribe): string {
  switch (field.type) {
    case 'picklist': case 'multipicklist': case 'combobox': {
      const value = field.picklistValues.find((v) => v.active)?.value ?? 'x';
      return JSON.stringify(value);
    }
    case 'boolean': return 'true';
    case 'int': case 'double': case 'currency': case 'percent': return '1';
    case 'date': return "'2024-01-01'";
    case 'datetime': return "'2024-01-01T00:00:00.000Z'";
    case 'time': return "'08:30:00.000Z'";
    case 'reference': return "'001000000000001AAA'";
    default: return "'x'";
  }
}

/** Application-style code over the five objects: a typed get with a field list, a create with the required fields and a picklist, an update. */
export function appSource(appDir: string, outDir: string, objects: readonly SObjectDescribe[]): string {
  const lines = [
    "import { createClient, type CreateOf, type RecordOf, type UpdateOf } from 'sfgen/runtime';",
  ];
  objects.forEach((d, i) => {
    const spec = relative(appDir, join(outDir, 'sobjects', `${d.name}.js`));
    lines.push(`import * as m${i} from '${spec.startsWith('.') ? spec : `./${spec}`}';`);
  });
  lines.push(
    '',
    "const client = createClient({ auth: { accessToken: 'token', instanceUrl: 'https://example.my.salesforce.com' } });",
    '',
  );
  objects.forEach((d, i) => {
    const readable = d.fields.filter((f) => f.name !== 'Id' && f.type !== 'address' && f.type !== 'location');
    const pickFirst = (pred: (f: FieldDescribe) => boolean): FieldDescribe | undefined => readable.find(pred);
    const selected = [
      pickFirst((f) => f.type === 'picklist'),
      pickFirst((f) => f.type === 'date' || f.type === 'datetime'),
      pickFirst((f) => f.type === 'reference'),
      pickFirst((f) => f.type === 'double' || f.type === 'currency'),
    ].filter((f): f is FieldDescribe => f !== undefined);
    const required = d.fields.filter((f) => f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean');
    const restricted = d.fields.find((f) => f.createable && f.type === 'picklist' && f.restrictedPicklist && !required.includes(f));
    const createFields = [...required, ...(restricted ? [restricted] : [])];
    const updatable = d.fields.find((f) => f.updateable && (f.type === 'string' || f.type === 'textarea') && f.nillable);
    const T = `T${i}`;
    lines.push(
      `const ${T} = m${i}[${JSON.stringify(d.name)}];`,
      `type Row${i} = RecordOf<typeof ${T}>;`,
      `export async function use${i}(id: string): Promise<number> {`,
      `  const api = client.sobject(${T});`,
      `  const row = await api.get(id, { fields: [${['Id', ...selected.map((f) => f.name)].map((n) => JSON.stringify(n)).join(', ')}] });`,
      '  let n = row.Id.length;',
      ...selected.map((f) => `  if (row[${JSON.stringify(f.name)}] !== null) n += String(row[${JSON.stringify(f.name)}]).length;`),
      `  const full: Row${i} = await api.get(id);`,
      '  n += Object.keys(full).length;',
      `  const input: CreateOf<typeof ${T}> = {`,
      ...createFields.map((f) => `    ${JSON.stringify(f.name)}: ${literalFor(f)},`),
      '  };',
      '  const saved = await api.create(input);',
      ...(updatable
        ? [
            `  const change: UpdateOf<typeof ${T}> = { ${JSON.stringify(updatable.name)}: 'changed' };`,
            '  await api.update(saved.id, change);',
          ]
        : []),
      '  return n + saved.id.length;',
      '}',
      '',
    );
  });
  return `${lines.join('\n')}\n`;
}

/** Names the five objects' record and create types, nothing else. */
function typesOnlySource(appDir: string, outDir: string, objects: readonly SObjectDescriptorLike[]): string {
  const lines: string[] = [];
  objects.forEach((d, i) => {
    const spec = relative(appDir, join(outDir, 'types', `${d.name}.js`));
    lines.push(`import type * as t${i} from '${spec.startsWith('.') ? spec : `./${spec}`}';`);
  });
  objects.forEach((d, i) => {
    lines.push(
      `export function read${i}(row: t${i}.${d.name}, input: t${i}.${d.name}Create): string {`,
      `  return row.Id + String(Object.keys(input).length);`,
      '}',
    );
  });
  return `${lines.join('\n')}\n`;
}

type SObjectDescriptorLike = Pick<SObjectDescribe, 'name'>;

const BASELINE_SOURCE = [
  "import { createClient } from 'sfgen/runtime';",
  '',
  "const client = createClient({ auth: { accessToken: 'token', instanceUrl: 'https://example.my.salesforce.com' } });",
  'export async function count(): Promise<number> {',
  "  const rows = await client.query('SELECT Id FROM Account').toArray();",
  '  return rows.length;',
  '}',
  '',
].join('\n');

function tscFigures(prefix: string, note: string, r: TypeCheckResult, targets: { ms?: number; mb?: number } = {}): Figure[] {
  const fig = (metric: string, value: number, unit: string, extra: Partial<Figure> = {}): Figure =>
    ({ bench: BENCH, subject: 'sfgen', metric: `${prefix}_${metric}`, value, unit, ...extra });
  const completed = r.exitCode !== null && !r.timedOut && Number.isFinite(r.totalMs);
  if (!completed) {
    // A crashed or killed tsc printed no diagnostics: report only what was measured outside it.
    const why = r.timedOut ? `stopped at its time limit after ${(r.wallMs / 60_000).toFixed(1)} min` : /heap out of memory|Allocation failed/i.test(r.stderr) ? 'out of memory' : `exit ${r.exitCode ?? r.signal}`;
    return [
      fig('completed', 0, 'bool', { target: { min: 1 }, note: `${note}: ${why}` }),
      fig('wall_ms', r.wallMs, 'ms', { note: 'until it stopped' }),
      fig('peak_rss_mb', mb(r.peakRssBytes), 'MB'),
    ];
  }
  return [
    fig('wall_ms', r.wallMs, 'ms', { note, ...(targets.ms !== undefined ? { target: { max: targets.ms } } : {}) }),
    fig('cpu_ms', r.cpuMs, 'ms', { note: 'user+sys, less sensitive to machine load' }),
    fig('peak_rss_mb', mb(r.peakRssBytes), 'MB', targets.mb !== undefined ? { target: { max: targets.mb } } : {}),
    fig('tsc_total_ms', r.totalMs, 'ms'),
    fig('tsc_check_ms', r.checkMs, 'ms'),
    fig('tsc_heap_mb', mb(r.memoryUsedBytes), 'MB'),
    fig('files', r.files, 'files'),
    fig('instantiations', r.instantiations, ''),
    fig('type_errors', r.errors.length, 'errors', { target: { max: 0 } }),
  ];
}

function describeFailure(label: string, r: { exitCode: number | null; signal: string | null; timedOut: boolean; stderr: string; stdout: string }): string {
  const why = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
  return `${label} failed (${why}):\n${(r.stderr || r.stdout).slice(-4000)}`;
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const orgDir = await ctx.syntheticOrgDir();
  const summary = JSON.parse(await readFile(join(orgDir, 'summary.json'), 'utf8')) as { objects: number; fields: number; describeBytes: number };
  figures.push(
    { bench: BENCH, subject: 'sfgen', metric: 'org_objects', value: summary.objects, unit: 'objects', note: 'synthetic org' },
    { bench: BENCH, subject: 'sfgen', metric: 'org_fields', value: summary.fields, unit: 'fields', note: 'synthetic org' },
    { bench: BENCH, subject: 'sfgen', metric: 'org_describe_mb', value: mb(summary.describeBytes), unit: 'MB', note: 'describe JSON served' },
  );

  // 1. Generate through the simulator.
  ctx.log(`starting the simulator on ${orgDir} (${LATENCY_MS} ms latency)`);
  const simStarted = performance.now();
  const sim = await ctx.startSimulator({ metadataDir: orgDir, latencyMs: LATENCY_MS });
  ctx.log(`simulator up at ${sim.url} after ${((performance.now() - simStarted) / 1000).toFixed(1)} s`);
  const token = sim.issueAccessToken();
  const outDir = await ctx.tmpDir('generated');
  const cwd = await ctx.tmpDir('generate-cwd');
  sim.resetStats();
  ctx.log('running sfgen generate --all');
  const gen = await ctx.measureTs(join(ctx.repoRoot, 'generator/cli.ts'), ['generate', '--all', '--out', outDir, '--json'], {
    cwd,
    // The token goes through the environment, not argv (argv is visible in `ps`).
    env: { SF_INSTANCE_URL: sim.url, SF_ACCESS_TOKEN: token },
    timeoutMs: 40 * 60_000,
  });
  const stats = sim.stats();
  if (gen.exitCode !== 0) throw new Error(describeFailure('sfgen generate', gen));
  let genSummary: GeneratorSummaryJson = {};
  try {
    genSummary = JSON.parse(gen.stdout.slice(gen.stdout.indexOf('{'))) as GeneratorSummaryJson;
  } catch {
    ctx.log('sfgen generate --json printed no parsable summary; using the simulator and the file tree only');
  }
  const tree = await treeSize(outDir);
  const objects = genSummary.objects ?? summary.objects;
  const routes = Object.entries(stats.byRoute).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}: ${n}`).join(', ');
  figures.push(
    { bench: BENCH, subject: 'sfgen', metric: 'generate_wall_ms', value: gen.wallMs, unit: 'ms', note: `child process, ${LATENCY_MS} ms latency` },
    { bench: BENCH, subject: 'sfgen', metric: 'generate_cpu_ms', value: gen.cpuMs, unit: 'ms', note: 'user+sys of the generator process' },
    { bench: BENCH, subject: 'sfgen', metric: 'generate_peak_rss_mb', value: mb(gen.peakRssBytes), unit: 'MB', note: `generator process (${gen.rssSource})` },
    {
      bench: BENCH, subject: 'sfgen', metric: 'http_requests', value: stats.requests, unit: 'requests',
      target: { max: Math.floor(objects / 20) }, note: routes.slice(0, 200),
    },
    { bench: BENCH, subject: 'sfgen', metric: 'requests_per_object', value: stats.requests / objects, unit: 'req/object', target: { max: 0.05 } },
    { bench: BENCH, subject: 'sfgen', metric: 'generated_objects', value: objects, unit: 'objects' },
    { bench: BENCH, subject: 'sfgen', metric: 'generated_files', value: tree.files.length, unit: 'files', note: '.ts files' },
    { bench: BENCH, subject: 'sfgen', metric: 'generated_mb', value: mb(tree.bytes), unit: 'MB', note: 'whole output incl. snapshot' },
  );
  if (genSummary.durationMs !== undefined) {
    figures.push({ bench: BENCH, subject: 'sfgen', metric: 'generate_reported_ms', value: genSummary.durationMs, unit: 'ms', note: "generator's own summary" });
  }
  await sim.close();

  // 2. tsc on an application file importing five objects, and on a runtime-only baseline.
  const picked = await pickObjects(orgDir);
  const appDir = await ctx.tmpDir('app');
  const appFile = join(appDir, 'app.ts');
  await writeFile(appFile, appSource(appDir, outDir, picked));
  const baselineFile = join(appDir, 'baseline.ts');
  await writeFile(baselineFile, BASELINE_SOURCE);
  const names = picked.map((d) => `${d.name} (${d.fields.length} fields)`).join(', ');

  // Two ways `sfgen/runtime` can resolve: the runtime's .d.ts (what an installed package gives an
  // application; skipLibCheck skips them) and its sources (the sfgen-source condition, as in this
  // repository, where tsc also checks the runtime's own code).
  // The floor: an empty file under the same settings (lib + @types/node); no tsc run is cheaper.
  const floorFile = join(appDir, 'floor.ts');
  await writeFile(floorFile, 'export const floor = 1;\n');
  ctx.log('tsc: empty file (the floor: lib + @types/node)');
  const floor = await ctx.typeCheck({ name: 'floor', files: [floorFile], runtime: 'declarations' });
  figures.push(
    ...tscFigures('tsc_empty', 'empty file: lib + @types/node only', floor)
      .filter((f) => /_(wall_ms|cpu_ms|peak_rss_mb|files)$/.test(f.metric))
      .map((f) => ({ ...f, subject: 'floor' })),
  );

  for (const mode of ['declarations', 'source'] as const) {
    const tag = mode === 'declarations' ? '' : '_src';
    const how = mode === 'declarations' ? 'runtime as .d.ts' : 'runtime from source';
    ctx.log(`tsc (${how}): runtime-only baseline`);
    const baseline = await ctx.typeCheck({ name: `baseline${tag}`, files: [baselineFile], runtime: mode });
    figures.push(...tscFigures(`tsc_baseline${tag}`, `app importing only sfgen/runtime (${how})`, baseline));
    ctx.log(`tsc (${how}): application file importing ${names}`);
    const app = await ctx.typeCheck({ name: `app5${tag}`, files: [appFile], runtime: mode });
    figures.push(...tscFigures(`tsc_app5${tag}`, `app importing 5 objects (${how}): ${names}`, app, { ms: APP_TARGET_MS, mb: APP_TARGET_MB }));
    figures.push(
      // The issue's 1 s read as what the five objects cost on top of an app that already uses the
      // runtime: on this 2-core machine an empty file alone takes ~0.9-1.6 s (tsc_empty_*), so the
      // absolute wall figure above cannot meet 1 s whatever the generated code does.
      { bench: BENCH, subject: 'sfgen', metric: `tsc_app5${tag}_minus_baseline_cpu_ms`, value: app.cpuMs - baseline.cpuMs, unit: 'ms', target: { max: APP_TARGET_MS }, note: 'what the 5 generated objects add (CPU)' },
      { bench: BENCH, subject: 'sfgen', metric: `tsc_app5${tag}_minus_baseline_wall_ms`, value: app.wallMs - baseline.wallMs, unit: 'ms', target: { max: APP_TARGET_MS }, note: 'what the 5 generated objects add (wall)' },
      { bench: BENCH, subject: 'sfgen', metric: `tsc_app5${tag}_minus_baseline_rss_mb`, value: mb(app.peakRssBytes - baseline.peakRssBytes), unit: 'MB', note: 'what the 5 generated objects add' },
    );
    if (app.errors.length > 0) ctx.log(`tsc app5 (${how}) errors (first 10):\n${app.errors.slice(0, 10).join('\n')}`);
  }

  // 2b. The same five objects through their type modules only (no validators or descriptors):
  // what code that only names the generated types pays.
  const typesOnlyFile = join(appDir, 'types-only.ts');
  await writeFile(typesOnlyFile, typesOnlySource(appDir, outDir, picked));
  ctx.log('tsc (runtime as .d.ts): five objects through their type modules only');
  const typesOnly = await ctx.typeCheck({ name: 'types5', files: [typesOnlyFile], runtime: 'declarations' });
  figures.push(...tscFigures('tsc_types5', 'the 5 objects\' types/<Name>.d.ts only (runtime as .d.ts)', typesOnly));

  // 2c. A slice of the tree (the first objects by name), to show how the whole-tree check scales.
  const sliceNames = new Set(tree.files.filter((f) => f.includes(`${join(outDir, 'sobjects')}/`)).slice(0, SLICE_OBJECTS).map((f) => f.slice(f.lastIndexOf('/') + 1)));
  const sliceFiles = tree.files.filter((f) => sliceNames.has(f.slice(f.lastIndexOf('/') + 1)));
  ctx.log(`tsc (runtime as .d.ts): a slice of the tree (${sliceNames.size} objects, ${sliceFiles.length} files)`);
  const slice = await ctx.typeCheck({ name: 'slice', files: sliceFiles, runtime: 'declarations', maxOldSpaceMb: WHOLE_TREE_HEAP_MB, timeoutMs: 30 * 60_000 });
  figures.push(...tscFigures(`tsc_slice${SLICE_OBJECTS}`, `sobjects + types of the first ${sliceNames.size} objects by name (and what they import)`, slice));

  // 3. tsc on the whole generated tree.
  ctx.log(`tsc: whole generated tree (${tree.files.length} files, ${mb(tree.bytes)} MB)`);
  const whole = await ctx.typeCheck({
    name: 'all', files: tree.files, runtime: 'declarations', maxOldSpaceMb: WHOLE_TREE_HEAP_MB, timeoutMs: WHOLE_TREE_TIMEOUT_MIN * 60_000,
  });
  if (whole.exitCode !== 0 && whole.errors.length === 0) ctx.log(describeFailure('tsc on the whole tree', whole));
  figures.push(...tscFigures('tsc_all', `whole generated tree (${tree.files.length} files, heap cap ${WHOLE_TREE_HEAP_MB} MB, ${WHOLE_TREE_TIMEOUT_MIN} min limit)`, whole));
  if (whole.errors.length > 0) ctx.log(`tsc whole-tree errors (first 10):\n${whole.errors.slice(0, 10).join('\n')}`);
  return figures;
}

const suite: BenchSuite = { name: BENCH, run };
export default suite;
