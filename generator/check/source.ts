/**
 * Reads the source side of a drift check through the generator's metadata and model stages: the
 * global describe, then the describes of the checked objects. When the snapshot recorded
 * `Last-Modified` dates (a live org), describes are fetched conditionally (`If-Modified-Since`
 * through `/composite`); an object that answers 304 is taken from the snapshot as unchanged.
 */
import { readEventSchemas } from '../metadata/directory.js';
import type { RawEventSchema } from '../metadata/raw.js';
import type { DescribeProgress, MetadataSource } from '../metadata/source.js';
import { buildObject } from '../model/build.js';
import { normalizeEvent } from '../model/events.js';
import type { Snapshot } from '../model/snapshot.js';
import type { EventModel, ObjectModel } from '../model/types.js';

/** The source's models for the checked objects. */
export interface SourceModels {
  readonly description: string;
  /** Checked objects that still exist and whose describe was read, by their snapshot name. */
  readonly objects: ReadonlyMap<string, ObjectModel>;
  /** Checked objects that answered 304 Not Modified: unchanged since the snapshot (not in {@link objects}). */
  readonly unchanged: ReadonlySet<string>;
  /** Every sObject in the source's global describe (name -> label). */
  readonly globalNames: ReadonlyMap<string, string>;
  /** The source's events, or null when the source cannot list them. */
  readonly events: readonly EventModel[] | null;
  /** Why events were not compared, when they were not. */
  readonly eventsNote: string | null;
  /** Objects that answered 304 (taken from the snapshot). */
  readonly notModified: number;
  /** Objects whose describe was read. */
  readonly described: number;
  readonly orgId: string | null;
}

/** Options of {@link loadSourceModels}. */
export interface LoadSourceOptions {
  /** Event schemas directory for a live org (`--events-dir`), or null. */
  readonly eventsDir: string | null;
  /** False with `--no-events`: events are not compared. */
  readonly events?: boolean;
  readonly onProgress?: DescribeProgress;
}

/**
 * Loads the source's models for `names` (snapshot object names).
 *
 * @example
 * ```ts
 * const models = await loadSourceModels(new DirectorySource('test/fixtures/demo-org'), snapshot, ['Account'], { eventsDir: null });
 * ```
 */
export async function loadSourceModels(
  source: MetadataSource,
  snapshot: Snapshot,
  names: readonly string[],
  options: LoadSourceOptions,
): Promise<SourceModels> {
  const global = await source.describeGlobal();
  const globalNames = new Map<string, string>();
  const canonical = new Map<string, string>();
  for (const s of global.sobjects) {
    globalNames.set(s.name, s.label ?? s.name);
    canonical.set(s.name.toLowerCase(), s.name);
  }
  // Checked objects that the source still lists, under the source's spelling.
  const present: Array<{ snapshotName: string; sourceName: string }> = [];
  for (const name of names) {
    const sourceName = canonical.get(name.toLowerCase());
    if (sourceName !== undefined) present.push({ snapshotName: name, sourceName });
  }

  const objects = new Map<string, ObjectModel>();
  const unchanged = new Set<string>();
  let notModified = 0;
  let described = 0;
  const dates = new Map<string, string>();
  for (const p of present) {
    const date = snapshot.objects.get(p.snapshotName)?.lastModified;
    if (date) dates.set(p.sourceName, date);
  }
  const bySourceName = new Map(present.map((p) => [p.sourceName, p.snapshotName]));
  if (dates.size > 0) {
    // Conditional: objects without a recorded date are asked without the header (always 200).
    const since = new Map(present.map((p) => [p.sourceName, dates.get(p.sourceName) ?? ''] as const));
    const results = await source.describeIfModified(since, options.onProgress);
    for (const r of results) {
      const snapshotName = bySourceName.get(r.name) ?? r.name;
      if (r.status === 'notModified') {
        if (!snapshot.objects.has(snapshotName)) throw new Error(`internal: ${r.name} answered 304 but is not in the snapshot`);
        unchanged.add(snapshotName);
        notModified++;
      } else {
        objects.set(snapshotName, buildObject(r.described));
        described++;
      }
    }
  } else {
    const results = await source.describeSObjects(present.map((p) => p.sourceName), options.onProgress);
    for (const d of results) {
      objects.set(bySourceName.get(d.name) ?? d.name, buildObject(d));
      described++;
    }
  }

  let rawEvents: RawEventSchema[] | null = null;
  let eventsNote: string | null = null;
  if (options.events === false) eventsNote = 'events not compared (--no-events)';
  else if (options.eventsDir !== null) rawEvents = await readEventSchemas(options.eventsDir, true);
  else if (source.hasEvents) {
    // Schemas the snapshot holds are not fetched again (an unchanged org costs one GetTopic per event);
    // after a `--objects` generate, only the generated objects' events are compared.
    const known = new Map([...snapshot.events.values()].map((e) => [e.model.schemaId, e.model.schema] as const));
    const subset = snapshot.notGenerated !== null && snapshot.notGenerated.length > 0;
    rawEvents = await source.eventSchemas({ known, objects: subset ? [...snapshot.objects.keys()] : 'all' });
    if (source.eventNotes.length > 0) eventsNote = source.eventNotes.join('; ');
  } else eventsNote = 'events not compared: this source cannot list event schemas (pass --events-dir DIR with *.avsc files)';
  const events = rawEvents ? rawEvents.map(normalizeEvent) : null;

  return {
    description: source.description,
    objects,
    unchanged,
    globalNames,
    events,
    eventsNote,
    notModified,
    described,
    orgId: await source.orgId(),
  };
}
