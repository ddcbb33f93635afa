/**
 * The plan: which files exist and which emitter feeds each. Adding an output is adding a row here
 * and an emitter, not editing the others. Rendering is pure and in memory; writing is `write.ts`.
 */
import { serializeSnapshot, SNAPSHOT_FILE } from '../model/snapshot.js';
import type { OrgModel } from '../model/types.js';
import { objectContext, type EmitSettings, type EmitWarning } from './context.js';
import { emitEventModule, eventContext } from './event.js';
import { emitIndexModule, emitSObjectModule, emitTypesModule } from './modules.js';
import { Templates } from './templates.js';

/** One planned output file. */
export interface PlannedFile {
  /** Path relative to the output directory, with `/` separators. */
  readonly path: string;
  /** What feeds it (for messages and tests): `types`, `sobject`, `event`, `index`, `snapshot`. */
  readonly emitter: string;
  /** The object (or event) it describes, when it describes one. */
  readonly object: string | null;
  render(): string;
}

/** Options of {@link planFiles}. */
export interface PlanOptions {
  readonly settings: EmitSettings;
  /** `Last-Modified` per object for the snapshot (live sources); absent entries are null. */
  readonly lastModified: ReadonlyMap<string, string | null>;
  /** Write `schema.lock.json` (the snapshot); off when re-emitting from a snapshot for `--check`. */
  readonly snapshot: boolean;
  /** Collects warnings raised while rendering. */
  readonly warnings: EmitWarning[];
  readonly templates?: Templates;
  /** Every sObject the source knows (global describe), recorded in the snapshot as `notGenerated` where not generated. */
  readonly orgObjects?: readonly string[];
}

/**
 * Plans the files for a model: per object a declaration file of its types (`types/<Name>.d.ts`)
 * and a value module, per event a module (`events/<Name>.ts`), then the index and the snapshot.
 *
 * @example
 * ```ts
 * const files = planFiles(model, { settings, lastModified: new Map(), snapshot: true, warnings: [] });
 * const rendered = new Map(files.map((f) => [f.path, f.render()]));
 * ```
 */
export function planFiles(model: OrgModel, options: PlanOptions): PlannedFile[] {
  const templates = options.templates ?? new Templates();
  const names = model.objects.map((o) => o.name);
  const generated = new Set(names);
  const files: PlannedFile[] = [];
  for (const object of model.objects) {
    files.push({
      path: `types/${object.name}.d.ts`,
      emitter: 'types',
      object: object.name,
      render: () => emitTypesModule(objectContext(object, generated, options.settings, options.warnings), templates),
    });
    files.push({
      path: `sobjects/${object.name}.ts`,
      emitter: 'sobject',
      object: object.name,
      render: () => emitSObjectModule(objectContext(object, generated, options.settings, options.warnings), templates),
    });
  }
  const objectsByName = new Map(model.objects.map((o) => [o.name, o]));
  for (const event of model.events) {
    files.push({
      path: `events/${event.name}.ts`,
      emitter: 'event',
      object: event.name,
      render: () => emitEventModule(eventContext(event, objectsByName, options.settings), templates),
    });
  }
  files.push({ path: 'index.ts', emitter: 'index', object: null, render: () => emitIndexModule(model, names, options.settings, templates) });
  if (options.snapshot) {
    files.push({
      path: SNAPSHOT_FILE,
      emitter: 'snapshot',
      object: null,
      render: () => serializeSnapshot(model, { lastModified: options.lastModified, ...(options.orgObjects ? { orgObjects: options.orgObjects } : {}) }),
    });
  }
  return files;
}

/** Renders every planned file in memory, keyed by relative path (sorted). */
export function renderFiles(files: readonly PlannedFile[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (out.has(file.path)) throw new Error(`Two planned files share the path ${file.path}`);
    out.set(file.path, file.render());
  }
  return out;
}
