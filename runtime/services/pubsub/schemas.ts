/**
 * Event schemas by schema id: fetched with GetSchema once (single flight: concurrent requests for
 * the same id share one call), cached for the life of the `PubSubClient` (so a reconnect never
 * refetches), compiled once into a decoder. Never cached by topic: a topic's schema id changes when
 * a field is added, and each event names the schema it was written with.
 */
import avro from 'avsc';
import { PubSubDecodeError } from './errors.js';

/** A compiled schema. */
export interface CompiledSchema {
  readonly schemaId: string;
  readonly json: string;
  /** Decodes a payload written with this schema into a plain record (every field kept). */
  decode(payload: Buffer): Record<string, unknown>;
  /** Encodes a record (unions unwrapped: `null` or the value); throws naming the first bad field. */
  encode(record: Record<string, unknown>): Buffer;
  /** Names of the fields of the top-level record. */
  readonly fieldNames: readonly string[];
  /** The Avro type (for checks). */
  readonly type: avro.Type;
}

/**
 * Compiles a schema's JSON. Throws {@link PubSubDecodeError} when it is not a readable Avro
 * record schema.
 */
export function compileSchema(schemaId: string, json: string, topic?: string): CompiledSchema {
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(JSON.parse(json) as avro.Schema, { wrapUnions: 'auto' });
  } catch (err) {
    throw new PubSubDecodeError({ message: `schema ${schemaId} is not a readable Avro schema: ${(err as Error).message}`, topic, schemaId, cause: err });
  }
  const fieldNames = type instanceof avro.types.RecordType ? type.fields.map((f) => f.name) : [];
  return {
    schemaId,
    json,
    type,
    fieldNames,
    decode(payload) {
      return type.fromBuffer(payload) as Record<string, unknown>;
    },
    encode(record) {
      const problems: string[] = [];
      const ok = type.isValid(record, {
        errorHook(path, value) {
          if (problems.length < 5) problems.push(`${path.join('.') || '(record)'} = ${value === undefined ? 'missing' : JSON.stringify(value)?.slice(0, 60)}`);
        },
      });
      if (!ok) throw new Error(`does not match schema ${schemaId}: ${problems.join('; ')}`);
      return type.toBuffer(record);
    },
  };
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

  /** Seeds the cache (a schema known from the topic's GetSchema or a generated module). */
  add(schemaId: string, json: string): CompiledSchema {
    const existing = this.#compiled.get(schemaId);
    if (existing) return existing;
    const compiled = compileSchema(schemaId, json);
    this.#compiled.set(schemaId, compiled);
    return compiled;
  }
}
