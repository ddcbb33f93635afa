/**
 * The generator's programmatic API: `generate(options)` reads metadata, builds the model, emits
 * the files and writes them atomically, returning a summary. The CLI (`sfgen generate`), the
 * benchmark and tests call this.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { resolveConfig, type GenerateFlags, type ResolvedConfig } from './config.js';
import { readEventSchemas } from './metadata/directory.js';
import { openSource } from './metadata/open.js';
import { didYouMean } from './suggest.js';
import { MetadataError } from './metadata/errors.js';
import type { MetadataHttp } from './metadata/http.js';
import type { DescribedSObject, RawEventSchema } from './metadata/raw.js';
import type { MetadataSource } from './metadata/source.js';
import { buildModel } from './model/build.js';
import { parseSnapshot, SNAPSHOT_FILE } from './model/snapshot.js';
import type { OrgModel } from './model/types.js';
import type { EmitSettings, EmitWarning } from './emit/context.js';
import { planFiles, renderFiles } from './emit/plan.js';
import { diffTree, writeTreeAtomically } from './emit/write.js';

export { resolveConfig, ConfigError, type GenerateFlags, type ResolvedConfig } from './config.js';
export { MetadataError } from './metadata/errors.js';
export type { MetadataSource } from './metadata/source.js';
export type { MetadataHttp, MetadataHttpResponse } from './metadata/http.js';

/** A progress event (the CLI shows them on a TTY). */
export type GenerateProgress =
  | { readonly phase: 'connect'; readonly source: string }
  | { readonly phase: 'describe'; readonly done: number; readonly total: number }
  | { readonly phase: 'emit'; readonly files: number }
  | { readonly phase: 'write'; readonly outDir: string };

/** Options of {@link generate}: the CLI flags plus hooks for tests and the benchmark. */
export interface GenerateOptions extends GenerateFlags {
  /** Compare `--out` with what the snapshot in it generates, instead of generating (exit 2 when stale). */
  check?: boolean;
  /** Environment for credentials (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  onProgress?: (event: GenerateProgress) => void;
  /** Use this HTTP client for a live org instead of connecting from the config (tests, bench). */
  http?: MetadataHttp;
  /** Use this source instead of the configured one. */
  source?: MetadataSource;
}

/** What a run did. */
export interface GenerateSummary {
  /** `generated` or `check`. */
  readonly mode: 'generate' | 'check';
  /** Where the metadata came from (`metadata directory …`, `org https://…`, `snapshot …`). */
  readonly source: string;
  readonly outDir: string;
  readonly objects: number;
  readonly fields: number;
  readonly events: number;
  /** Why events were not read, when they were not (live orgs without an events directory). */
  readonly eventsNote: string | null;
  readonly files: number;
  /** HTTP requests made against the org (0 for a directory). */
  readonly requests: number;
  readonly durationMs: number;
  readonly warnings: readonly EmitWarning[];
  /** For `--check`: whether `outDir` differs from what the snapshot generates. */
  readonly stale: boolean;
  readonly changedFiles: readonly string[];
  /** Files of the previous generation in the output directory that this one removed. */
  readonly removedFiles: readonly string[];
}

async function readEvents(
  source: MetadataSource,
  eventsDir: string | null,
  objects: readonly string[] | 'all',
  enabled: boolean,
): Promise<{ events: RawEventSchema[]; note: string | null }> {
  if (!enabled) return { events: [], note: 'event schemas skipped (--no-events)' };
  if (eventsDir !== null) return { events: await readEventSchemas(eventsDir, true), note: null };
  if (source.hasEvents) {
    const events = await source.eventSchemas({ objects });
    return { events, note: source.eventNotes.length > 0 ? source.eventNotes.join('; ') : null };
  }
  return { events: [], note: 'event schemas skipped: this source has no Pub/Sub access (pass --events-dir DIR with *.avsc files)' };
}

/** Reads the selected objects' describes from a source. */
export async function readMetadata(
  source: MetadataSource,
  objects: readonly string[] | 'all',
  onProgress?: (done: number, total: number) => void,
): Promise<{ described: DescribedSObject[]; orgObjects: string[] }> {
  const global = await source.describeGlobal();
  const known = global.sobjects.map((s) => s.name);
  const knownSet = new Set(known);
  let names: string[];
  if (objects === 'all') {
    names = [...knownSet].sort();
  } else {
    for (const name of objects) {
      if (!knownSet.has(name)) {
        throw new MetadataError('UNKNOWN_OBJECT', `Unknown object '${name}': not in the global describe of ${source.description}${didYouMean(name, known)}`, source.description);
      }
    }
    names = [...objects].sort();
  }
  return { described: await source.describeSObjects(names, onProgress), orgObjects: known };
}

function emitSettings(config: ResolvedConfig): EmitSettings {
  return { runtimeImport: config.runtimeImport, command: config.command };
}

/** Renders a model into files (relative path -> content), without writing. */
export function renderModel(
  model: OrgModel,
  config: Pick<ResolvedConfig, 'runtimeImport' | 'command'>,
  lastModified: ReadonlyMap<string, string | null>,
  withSnapshot: boolean,
  orgObjects?: readonly string[],
): { files: Map<string, string>; warnings: EmitWarning[] } {
  const warnings: EmitWarning[] = [];
  const planned = planFiles(model, { settings: emitSettings(config as ResolvedConfig), lastModified, snapshot: withSnapshot, warnings, ...(orgObjects ? { orgObjects } : {}) });
  const files = renderFiles(planned);
  const unique = new Map<string, EmitWarning>();
  for (const w of warnings) unique.set(`${w.location}\0${w.message}`, w);
  return { files, warnings: [...unique.values()] };
}

async function checkAgainstSnapshot(config: ResolvedConfig, started: number): Promise<GenerateSummary> {
  const file = path.join(config.outDir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new MetadataError('MISSING_FILE', `Missing snapshot ${file}: run 'sfgen generate' first`, file, { cause: error });
  }
  const snapshot = parseSnapshot(text, file);
  const { files, warnings } = renderModel(snapshot.model, config, new Map(), false);
  const diff = await diffTree(config.outDir, files);
  const changedFiles = [...diff.changed, ...diff.missing, ...diff.extra.filter((f) => f !== SNAPSHOT_FILE)].sort();
  return {
    mode: 'check',
    source: `snapshot ${file}`,
    outDir: config.outDir,
    objects: snapshot.model.objects.length,
    fields: snapshot.model.objects.reduce((n, o) => n + o.fields.length, 0),
    events: snapshot.model.events.length,
    eventsNote: null,
    files: files.size,
    requests: 0,
    durationMs: Date.now() - started,
    warnings,
    stale: changedFiles.length > 0,
    changedFiles,
    removedFiles: [],
  };
}

/**
 * Generates typed code for an org (or checks that `--out` is up to date with its snapshot).
 * On any error nothing in the output directory changes.
 *
 * @example
 * ```ts
 * import { generate } from 'sfgen/generator';
 * const summary = await generate({ metadataDir: 'test/fixtures/demo-org', out: 'generated' });
 * console.log(`${summary.objects} objects, ${summary.files} files`);
 * ```
 */
export async function generate(options: GenerateOptions = {}): Promise<GenerateSummary> {
  const started = Date.now();
  // `--check` compares the output with its snapshot and reads no org: it needs no source.
  const config = resolveConfig(options, options.env ?? process.env, { sourceRequired: !options.check });
  if (options.check) return checkAgainstSnapshot(config, started);

  const opened = await openSource(config, config.apiVersion, options);
  const { source } = opened;
  try {
    options.onProgress?.({ phase: 'connect', source: `${source.description}, API v${opened.apiVersion}` });
    const read = await readMetadata(source, config.objects, (done, total) => options.onProgress?.({ phase: 'describe', done, total }));
    let described: DescribedSObject[] | null = read.described;
    const { events, note } = await readEvents(source, opened.eventsDir, config.objects, config.events);
    const model = buildModel({ apiVersion: opened.apiVersion, orgId: await source.orgId(), objects: described, events });
    const lastModified = new Map(described.map((d) => [d.name, d.lastModified] as const));
    described = null; // the raw describes are the biggest thing in memory; the model has what it needs
    // The org's full object list goes into the snapshot, so `sfgen check` after a `--objects`
    // generate does not report every other object as added.
    const { files, warnings } = renderModel(model, config, lastModified, true, read.orgObjects);
    options.onProgress?.({ phase: 'emit', files: files.size });
    options.onProgress?.({ phase: 'write', outDir: config.outDir });
    const { removed } = await writeTreeAtomically(config.outDir, files);
    return {
      mode: 'generate',
      source: source.description,
      outDir: config.outDir,
      objects: model.objects.length,
      fields: model.objects.reduce((n, o) => n + o.fields.length, 0),
      events: model.events.length,
      eventsNote: note,
      files: files.size,
      requests: source.requestCount(),
      durationMs: Date.now() - started,
      warnings,
      stale: false,
      changedFiles: [],
      removedFiles: removed,
    };
  } finally {
    await opened.close();
  }
}
