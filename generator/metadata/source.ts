/**
 * Where metadata comes from: a live org or a metadata directory. Both implement
 * {@link MetadataSource}; nothing after this stage knows which one it got.
 */
import type { DescribedSObject, RawEventSchema, RawGlobalDescribe } from './raw.js';

/** Options of {@link MetadataSource.eventSchemas}. */
export interface EventSchemaOptions {
  readonly known?: ReadonlyMap<string, unknown>;
  readonly objects?: readonly string[] | 'all';
}

/** Progress callback: `done` of `total` describes fetched. */
export type DescribeProgress = (done: number, total: number) => void;

/** The result of a conditional describe: unchanged since the given date, or the new describe. */
export type ConditionalDescribe =
  | { readonly name: string; readonly status: 'notModified' }
  | { readonly name: string; readonly status: 'modified'; readonly described: DescribedSObject };

/**
 * A source of org metadata.
 *
 * @example
 * ```ts
 * const source = new DirectorySource('test/fixtures/demo-org');
 * const global = await source.describeGlobal();
 * const described = await source.describeSObjects(['Account', 'Contact']);
 * ```
 */
export interface MetadataSource {
  /** Human-readable origin for summaries and errors (`metadata directory test/fixtures/demo-org`). */
  readonly description: string;
  /** API version the describes are read with (`'60.0'`). */
  readonly apiVersion: string;
  /** The global describe (list of sObjects). */
  describeGlobal(): Promise<RawGlobalDescribe>;
  /** Full describes of the named sObjects, in the order asked. */
  describeSObjects(names: readonly string[], onProgress?: DescribeProgress): Promise<DescribedSObject[]>;
  /**
   * Describes re-fetched only when changed since the given HTTP dates (`If-Modified-Since`).
   * A source that cannot tell returns every object as modified.
   */
  describeIfModified(since: ReadonlyMap<string, string>, onProgress?: DescribeProgress): Promise<ConditionalDescribe[]>;
  /**
   * Avro schemas of platform and change events, when the source has them. `known` holds schemas
   * already known by schema id (the snapshot's), which a live source does not fetch again;
   * `objects` limits a live org's events to the selected objects' (all when `'all'`).
   */
  eventSchemas(options?: EventSchemaOptions): Promise<RawEventSchema[]>;
  /** Whether {@link eventSchemas} can return anything (a live org without a Pub/Sub client cannot). */
  readonly hasEvents: boolean;
  /** Events skipped while listing them (no permission, unknown topic), one line each. */
  readonly eventNotes: readonly string[];
  /** The org id when known (live orgs), else null. */
  orgId(): Promise<string | null>;
  /** Requests made so far (0 for a directory). */
  requestCount(): number;
}
