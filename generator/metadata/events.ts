/**
 * Live event discovery: which events an org has (from the global describe) and their Avro schemas
 * (Pub/Sub `GetTopic` for each topic's current schema id, `GetSchema` for each distinct id).
 *
 * - Platform events are the `__e` entries of the global describe; change events are the entries
 *   whose `associateEntityType` is `ChangeEvent` (`AccountChangeEvent`, `acme__Widget__ChangeEvent`),
 *   or, when a describe does not say, whose name ends in `ChangeEvent`.
 * - Calls run concurrently (bounded); each distinct schema id is fetched once, and not at all when
 *   the caller already knows it (the snapshot's schemas: a drift check of an unchanged org asks
 *   only GetTopic).
 * - A topic the user may not subscribe to, or that the Pub/Sub API does not know, is skipped with a
 *   note naming it; any other failure (unreachable endpoint, rejected token) fails the run naming
 *   the topic and the endpoint.
 */
import type { RawEventSchema, RawGlobalDescribe } from './raw.js';
import { mapBounded } from './directory.js';
import { MetadataError } from './errors.js';

/** What discovery needs from a Pub/Sub client (`PubSubClient` satisfies it). */
export interface EventTopicSource {
  /** Where the calls go (`api.pubsub.salesforce.com:7443`), for messages. */
  readonly endpoint: string;
  getTopic(topic: string): Promise<{ readonly schemaId: string; readonly canSubscribe: boolean }>;
  getSchema(schemaId: string): Promise<{ readonly schemaJson: string }>;
  close?(): Promise<void>;
}

/** An event named by the global describe. */
export interface EventTopic {
  readonly name: string;
  readonly topic: string;
  /** For change events, the object it tracks (`Account`); null for platform events. */
  readonly parent: string | null;
}

/**
 * The events of a global describe, sorted by name. With `objects` (an explicit `--objects`
 * selection), only the selected events and the change events of selected objects.
 *
 * @example
 * ```ts
 * eventTopics(global, 'all'); // [{ name: 'AccountChangeEvent', topic: '/data/AccountChangeEvent', parent: 'Account' }, ...]
 * ```
 */
export function eventTopics(global: RawGlobalDescribe, objects: readonly string[] | 'all'): EventTopic[] {
  const selected = objects === 'all' ? null : new Set(objects);
  const out: EventTopic[] = [];
  for (const s of global.sobjects) {
    const changeEvent = s.associateEntityType === 'ChangeEvent' || (s.associateEntityType == null && s.name.endsWith('ChangeEvent') && s.name !== 'ChangeEvent');
    const parent = changeEvent ? (s.associateParentEntity ?? null) : null;
    if (!changeEvent && !s.name.endsWith('__e')) continue;
    if (selected && !selected.has(s.name) && !(parent !== null && selected.has(parent))) continue;
    out.push({ name: s.name, topic: changeEvent ? `/data/${s.name}` : `/event/${s.name}`, parent });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What {@link discoverEventSchemas} found. */
export interface DiscoveredEvents {
  readonly events: RawEventSchema[];
  /** Topics skipped (no permission, unknown to the Pub/Sub API), one line each. */
  readonly notes: string[];
  /** GetTopic and GetSchema calls made. */
  readonly calls: number;
}

/** Options of {@link discoverEventSchemas}. */
export interface DiscoverOptions {
  /** Calls in flight at once (default 8). */
  readonly concurrency?: number;
  /** Schemas already known by id (the snapshot's); not fetched again. */
  readonly known?: ReadonlyMap<string, unknown>;
}

function grpcCode(error: unknown): number | undefined {
  const e = error as { grpcCode?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.grpcCode === 'number') return e.grpcCode;
  if (typeof e?.cause?.code === 'number') return e.cause.code;
  return undefined;
}

/** gRPC NOT_FOUND (5) and PERMISSION_DENIED (7): the topic is skipped, with a note. */
function skippable(error: unknown): boolean {
  const code = grpcCode(error);
  if (code === 5 || code === 7) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'PubSubTopicNotFoundError' || name === 'PubSubPermissionError';
}

/**
 * The Avro schemas of the given topics.
 *
 * @example
 * ```ts
 * const { events, notes } = await discoverEventSchemas(eventTopics(global, 'all'), pubsub);
 * ```
 */
export async function discoverEventSchemas(topics: readonly EventTopic[], pubsub: EventTopicSource, options: DiscoverOptions = {}): Promise<DiscoveredEvents> {
  const concurrency = options.concurrency ?? 8;
  const notes: string[] = [];
  let calls = 0;
  const fail = (what: string, error: unknown): MetadataError => {
    const message = error instanceof Error ? error.message : String(error);
    return new MetadataError('REQUEST_FAILED', `Pub/Sub ${what} at ${pubsub.endpoint} failed: ${message} (pass --events-dir DIR to read event schemas from files instead)`, what, { cause: error });
  };
  const infos = await mapBounded(topics, concurrency, async (t) => {
    calls++;
    try {
      const info = await pubsub.getTopic(t.topic);
      if (!info.canSubscribe) {
        notes.push(`event ${t.name} skipped: the user may not subscribe to ${t.topic}`);
        return null;
      }
      return { topic: t, schemaId: info.schemaId };
    } catch (error) {
      if (skippable(error)) {
        notes.push(`event ${t.name} skipped: GetTopic ${t.topic}: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      }
      throw fail(`GetTopic ${t.topic}`, error);
    }
  });
  const found = infos.filter((i): i is { topic: EventTopic; schemaId: string } => i !== null);
  const ids = [...new Set(found.map((f) => f.schemaId))].filter((id) => !options.known?.has(id));
  const fetched = new Map<string, unknown>();
  await mapBounded(ids, concurrency, async (id) => {
    calls++;
    let json: string;
    try {
      json = (await pubsub.getSchema(id)).schemaJson;
    } catch (error) {
      const topic = found.find((f) => f.schemaId === id)?.topic.topic;
      throw fail(`GetSchema ${id}${topic ? ` (${topic})` : ''}`, error);
    }
    try {
      fetched.set(id, JSON.parse(json));
    } catch (error) {
      throw new MetadataError('MALFORMED_DESCRIBE', `Pub/Sub GetSchema ${id}: the schema is not valid JSON: ${(error as Error).message}`, `GetSchema ${id}`, { cause: error });
    }
  });
  const events = found.map(({ topic, schemaId }): RawEventSchema => ({
    name: topic.name,
    schema: fetched.get(schemaId) ?? options.known?.get(schemaId),
    schemaId,
    origin: `GetSchema ${schemaId} (${topic.topic} at ${pubsub.endpoint})`,
  }));
  return { events, notes: notes.sort(), calls };
}
