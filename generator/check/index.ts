/**
 * `sfgen check` as a function: reads the snapshot in `--out`, reads the same objects from the
 * source (live org, metadata directory, or the bundled demo org), diffs them, scans the codebase for
 * usage and classifies every change. The CLI (`commands/check.ts`) renders the result.
 *
 * Never a false "no drift": a missing, corrupt or newer snapshot, an unknown `--objects` name, or a
 * source that cannot be read throws.
 */
import path from 'node:path';
import { resolveConfig, type GenerateFlags } from '../config.js';
import type { MetadataHttp } from '../metadata/http.js';
import type { MetadataSource } from '../metadata/source.js';
import { openSource } from '../metadata/open.js';
import { didYouMean } from '../suggest.js';
import { objectHash, readSnapshot, type Snapshot } from '../model/snapshot.js';
import type { ObjectModel } from '../model/types.js';
import { classRank, type Change, type ChangeClass } from './changes.js';
import { applyUsage, sortChanges } from './classify.js';
import { diffModels } from './diff.js';
import { loadSourceModels } from './source.js';
import { defaultUsageProject, scanUsage, type UsageIndex } from './usage.js';

export type { Change, ChangeClass, ChangeKind, UsageKind, UsageSite, Relevance } from './changes.js';
export { CHANGE_CLASSES, classRank } from './changes.js';
export { diffModels } from './diff.js';
export { applyUsage, sortChanges } from './classify.js';
export { scanUsage, UsageScanError, type UsageIndex } from './usage.js';

/** A usage-scan target: a tsconfig or a directory; `false` skips the scan. */
export type UsageTarget = { readonly project: string } | { readonly dir: string } | false;

/** Options of {@link runCheck}: the source flags of `generate`, plus the check's own. */
export interface CheckOptions extends Omit<GenerateFlags, 'all' | 'runtimeImport'> {
  /** The lowest class that fails the check (default `breaking`). */
  failOn?: ChangeClass;
  /** Where to look for usage; default: `tsconfig.json` in `cwd` when present, else no scan. */
  usage?: UsageTarget;
  env?: Readonly<Record<string, string | undefined>>;
  /** Use this HTTP client for a live org (tests, bench). */
  http?: MetadataHttp;
  /** Use this source instead of the configured one. */
  source?: MetadataSource;
  /** Compare even when the source is another org than the snapshot's (a sandbox against production's snapshot). */
  allowOtherOrg?: boolean;
  onProgress?: (event: CheckProgress) => void;
}

/** Progress events (the CLI shows them on a TTY). */
export type CheckProgress =
  | { readonly phase: 'connect'; readonly source: string }
  | { readonly phase: 'describe'; readonly done: number; readonly total: number }
  | { readonly phase: 'usage'; readonly target: string };

/** What {@link runCheck} found. */
export interface CheckResult {
  readonly snapshotFile: string;
  readonly snapshotVersion: string;
  readonly source: string;
  readonly apiVersion: string;
  /** Objects compared (from the snapshot or `--objects`). */
  readonly objectsChecked: number;
  /** Of those, how many answered 304 Not Modified (unchanged, from the snapshot). */
  readonly notModified: number;
  readonly eventsChecked: number;
  readonly requests: number;
  readonly durationMs: number;
  readonly usage: {
    readonly scanned: boolean;
    readonly target: string | null;
    readonly files: number;
    readonly sites: number;
    readonly unparsedSoql: UsageIndex['unparsedSoql'];
  };
  readonly notes: readonly string[];
  readonly changes: readonly Change[];
  readonly counts: Readonly<Record<ChangeClass, number>>;
  readonly failOn: ChangeClass;
  /** True when a change at or above {@link failOn} was found (exit code 2). */
  readonly failed: boolean;
}

/** A bad `sfgen check` invocation (unknown object, bad flag value). */
export class CheckError extends Error {
  override readonly name = 'CheckError';
}

function selectObjects(snapshot: Snapshot, requested: readonly string[] | 'all'): string[] {
  const all = [...snapshot.objects.keys()];
  if (requested === 'all') return all;
  const lower = new Map(all.map((n) => [n.toLowerCase(), n]));
  const out: string[] = [];
  for (const name of requested) {
    const found = lower.get(name.toLowerCase());
    if (!found) {
      throw new CheckError(
        `--objects: ${name} is not in the snapshot ${snapshot.file}${didYouMean(name, all)} (it holds ${all.length} objects); generate it first or check one of: ${all.slice(0, 10).join(', ')}${all.length > 10 ? ', …' : ''}`,
      );
    }
    out.push(found);
  }
  return [...new Set(out)];
}

/**
 * Runs a drift check.
 *
 * @example
 * ```ts
 * const result = await runCheck({ out: 'generated', metadataDir: 'test/fixtures/demo-org', usage: { project: 'tsconfig.json' } });
 * process.exitCode = result.failed ? 2 : 0;
 * ```
 */
export async function runCheck(options: CheckOptions = {}): Promise<CheckResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  // Objects are chosen against the snapshot, not the source: resolve the rest of the config without them.
  const { objects: requested, ...flags } = options;
  const config = resolveConfig({ ...flags, ...(requested && requested.length > 0 ? { objects: requested } : {}) }, env);
  // Lazy: an object's model is validated and rebuilt only when it is compared (most answer 304).
  const snapshot = await readSnapshot(config.outDir, { lazy: true });
  const names = selectObjects(snapshot, requested && requested.length > 0 ? config.objects : 'all');
  const failOn = options.failOn ?? 'breaking';
  const notes: string[] = [];

  // Describe with the snapshot's API version unless one was asked for, so both sides compare.
  const apiVersion = options.apiVersion ?? snapshot.apiVersion;
  const opened = await openSource(config, apiVersion, options);
  const { source } = opened;
  let models: Awaited<ReturnType<typeof loadSourceModels>>;
  try {
    options.onProgress?.({ phase: 'connect', source: source.description });
    models = await loadSourceModels(source, snapshot, names, {
      eventsDir: opened.eventsDir,
      events: config.events,
      onProgress: (done, total) => options.onProgress?.({ phase: 'describe', done, total }),
    });
  } finally {
    await opened.close();
  }
  if (models.eventsNote) notes.push(models.eventsNote);
  if (snapshot.orgId && models.orgId && snapshot.orgId !== models.orgId) {
    const other = `the snapshot ${snapshot.file} was generated from org ${snapshot.orgId}, but ${source.description} is org ${models.orgId}`;
    if (!options.allowOtherOrg) {
      throw new CheckError(`${other}: comparing two different orgs reports their differences as drift. Point check at the org you generated from, or pass --allow-other-org to compare anyway`);
    }
    notes.push(other);
  }

  const checkAll = !(requested && requested.length > 0);
  // Compare only what may have changed: not 304, and (for sources without dates) a different hash.
  const beforeObjects: ObjectModel[] = [];
  for (const name of names) {
    const entry = snapshot.objects.get(name);
    if (!entry || models.unchanged.has(name)) continue;
    const now = models.objects.get(name);
    if (now && objectHash(now) === entry.hash) continue;
    beforeObjects.push(entry.model);
  }
  const snapshotEvents = [...snapshot.events.values()].map((e) => e.model);
  const raw = diffModels(beforeObjects, models.objects, checkAll ? snapshotEvents : [], checkAll ? models.events : null, {
    snapshotObjectNames: snapshot.objects.keys(),
    ...(checkAll ? { sourceObjectNames: models.globalNames } : {}),
    ...(snapshot.notGenerated ? { ignoreAdded: new Set(snapshot.notGenerated) } : {}),
  });
  if (checkAll && !snapshot.notGenerated) {
    const added = raw.filter((c) => c.kind === 'object-added').length;
    if (added > 0 && added > snapshot.objects.size) {
      notes.push(
        `${added} objects of the source are not in the snapshot; if it was generated with --objects, they are reported as added (safe)`,
      );
    }
  }

  // Usage.
  let usage: UsageIndex | null = null;
  let usageTarget: string | null = null;
  const target: UsageTarget =
    options.usage !== undefined ? options.usage : ((): UsageTarget => {
      const project = defaultUsageProject(config.cwd);
      return project ? { project } : false;
    })();
  if (target !== false) {
    usageTarget = 'project' in target ? target.project : target.dir;
    options.onProgress?.({ phase: 'usage', target: usageTarget });
    usage = scanUsage({
      ...('project' in target ? { project: target.project } : { dir: target.dir }),
      generatedDir: config.outDir,
      objects: snapshot.model.objects,
      cwd: config.cwd,
      runtimeImport: config.runtimeImport,
    });
  } else {
    notes.push(
      options.usage === false
        ? 'usage not scanned (--no-usage): classes are from the schema alone'
        : 'usage not scanned (no tsconfig.json here; pass --project or --usage-dir): classes are from the schema alone',
    );
  }

  const changes = sortChanges(
    applyUsage(raw, usage).map((c) => {
      const at = c.kind === 'object-added' ? undefined : snapshot.locate(c.object, c.field ?? undefined);
      return at ? { ...c, snapshotLine: at.line } : c;
    }),
  );
  const counts: Record<ChangeClass, number> = { breaking: 0, dangerous: 0, safe: 0 };
  for (const c of changes) counts[c.class]++;
  const failed = changes.some((c) => classRank(c.class) >= classRank(failOn));
  return {
    snapshotFile: path.relative(config.cwd, snapshot.file) || snapshot.file,
    snapshotVersion: snapshot.sfgenVersion,
    source: models.description,
    apiVersion,
    objectsChecked: names.length,
    notModified: models.notModified,
    eventsChecked: checkAll && models.events ? snapshot.events.size : 0,
    requests: source.requestCount(),
    durationMs: Date.now() - started,
    usage: {
      scanned: usage !== null,
      target: usageTarget === null ? null : path.relative(config.cwd, usageTarget) || '.',
      files: usage?.files ?? 0,
      sites: usage?.sites.length ?? 0,
      unparsedSoql: usage?.unparsedSoql ?? [],
    },
    notes,
    changes,
    counts,
    failOn,
    failed,
  };
}
