/** Event Avro schemas -> {@link EventModel}. */
import { createHash } from 'node:crypto';
import type { RawEventSchema } from '../metadata/raw.js';
import { ModelError } from './errors.js';
import { compareStrings } from './field.js';
import type { EventModel } from './types.js';

/** JSON value with object keys sorted recursively (arrays keep their order: Avro field order matters). */
export function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      Object.defineProperty(out, key, { value: canonicalJson((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/**
 * Normalizes one event schema: kind and topic from the name (`X__e` -> `/event/X__e`,
 * `AccountChangeEvent` -> `/data/AccountChangeEvent`), a fingerprint of the canonical schema.
 */
export function normalizeEvent(raw: RawEventSchema): EventModel {
  const schema = raw.schema;
  if (schema === null || typeof schema !== 'object' || (schema as Record<string, unknown>)['type'] !== 'record') {
    throw new ModelError(`Event schema ${raw.name} is not an Avro record schema`, raw.name, raw.origin);
  }
  const changeEvent = raw.name.endsWith('ChangeEvent');
  if (!changeEvent && !raw.name.endsWith('__e')) {
    throw new ModelError(`Event schema ${raw.name}: the name is neither a platform event (__e) nor a change event (ChangeEvent)`, raw.name, raw.origin);
  }
  const canonical = canonicalJson(schema);
  const schemaId = createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
  return {
    name: raw.name,
    topic: changeEvent ? `/data/${raw.name}` : `/event/${raw.name}`,
    kind: changeEvent ? 'changeEvent' : 'platformEvent',
    schemaId,
    schema: canonical,
  };
}
