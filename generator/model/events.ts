/** Event Avro schemas -> {@link EventModel}. */
import avro from 'avsc';
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
 * The schema id of a schema read from a file: the Avro MD5 fingerprint of its Parsing Canonical
 * Form, base64url (22 characters, the shape of Salesforce's schema ids). The org simulator gives
 * its topics the same ids, so the demo org generates identically from files and over Pub/Sub.
 */
export function schemaFingerprint(schema: unknown, name: string, origin: string): string {
  try {
    return avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'never' }).fingerprint('md5').toString('base64url');
  } catch (error) {
    throw new ModelError(`Event schema ${name} is not a valid Avro schema: ${(error as Error).message}`, name, origin);
  }
}

/**
 * Normalizes one event schema: kind and topic from the name (`X__e` -> `/event/X__e`,
 * `AccountChangeEvent` -> `/data/AccountChangeEvent`), the org's schema id when it came from an
 * org, else {@link schemaFingerprint}.
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
  const schemaId = raw.schemaId ?? schemaFingerprint(schema, raw.name, raw.origin);
  return {
    name: raw.name,
    topic: changeEvent ? `/data/${raw.name}` : `/event/${raw.name}`,
    kind: changeEvent ? 'changeEvent' : 'platformEvent',
    schemaId,
    schema: canonical,
  };
}
