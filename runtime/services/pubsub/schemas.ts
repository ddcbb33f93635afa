/**
 * Event schemas by schema id: fetched with GetSchema once (single flight: concurrent requests for
 * the same id share one call), cached for the life of the `PubSubClient` (so a reconnect never
 * refetches), compiled once into the Avro codec (codec.ts). Never cached by topic: a topic's schema
 * id changes when a field is added, and each event names the schema it was written with.
 */
import { EventDecodeError, eventCodec, type EventCodec } from './codec.js';
import { PubSubDecodeError } from './errors.js';

/** A schema and its codec. */
export interface CompiledSchema {
  readonly schemaId: string;
  /** The Avro schema JSON, as GetSchema returned it. */
  readonly json: string;
  /** Decodes payloads written with this schema (every field kept, bitmaps named) and encodes inputs. */
  readonly codec: EventCodec;
}

/**
 * Compiles a schema's JSON. Throws {@link PubSubDecodeError} when it is not a readable Avro
 * record schema.
 */
export function compileSchema(schemaId: string, json: string, topic?: string): CompiledSchema {
  try {
    return { schemaId, json, codec: eventCodec(schemaId, json) };
  } catch (err) {
    const reason = err instanceof EventDecodeError ? err.message : `${(err as Error).message}`;
    throw new PubSubDecodeError({ message: `schema ${schemaId} cannot be read: ${reason}`, topic, schemaId, cause: err });
  }
}

/** Fetches a schema's JSON by id (GetSchema). */
export type SchemaFetcher = (schemaId: string, topic: string | undefined) => Promise<string>;

/** The cache. */
export class SchemaCache {
  readonly #fetch: SchemaFetcher;
  readonly #compiled = new Map<string, CompiledSchema>();
  readonly #inflight = new Map<string, Promise<CompiledSchema>>();
  #fetches = 0;

  constructor(fetch: SchemaFetcher) {
    this.#fetch = fetch;
  }

  /** GetSchema calls made so far (for tests and metrics). */
  get fetches(): number {
    return this.#fetches;
  }

  /** The compiled schema when cached (synchronous fast path). */
  peek(schemaId: string): CompiledSchema | undefined {
    return this.#compiled.get(schemaId);
  }

  /** The compiled schema, fetching it once however many callers ask at the same time. */
  get(schemaId: string, topic?: string): Promise<CompiledSchema> {
    const cached = this.#compiled.get(schemaId);
    if (cached) return Promise.resolve(cached);
    let flight = this.#inflight.get(schemaId);
    if (!flight) {
      this.#fetches++;
      flight = this.#fetch(schemaId, topic)
        .then((json) => {
          const compiled = compileSchema(schemaId, json, topic);
          this.#compiled.set(schemaId, compiled);
          return compiled;
        })
        .finally(() => this.#inflight.delete(schemaId));
      this.#inflight.set(schemaId, flight);
    }
    return flight;
  }

  /** Seeds the cache with a schema known without GetSchema (a generated event's own schema). */
  add(schemaId: string, json: string): CompiledSchema {
    const existing = this.#compiled.get(schemaId);
    if (existing) return existing;
    const compiled = compileSchema(schemaId, json);
    this.#compiled.set(schemaId, compiled);
    return compiled;
  }
}
