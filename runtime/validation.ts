/**
 * Record validators built from field descriptors.
 *
 * A generated value module holds one descriptor per field, as a string decoded by
 * {@link sobjectFields} (`'string nil cre upd {"length":40}'`), and derives its record validator
 * from them with {@link recordValidator}: the field facts are written once, and tsc checks one
 * string literal per field instead of a zod expression per field checked against the record
 * interface (which made the value modules the most expensive part of a small application's
 * type-check).
 *
 * What a validator checks, per field type, as Salesforce returns records:
 * - nullability as read: every field may be null except `Id`, checkboxes and `json`/`complexvalue`;
 * - text lengths (`length`), integer digits, number precision and scale;
 * - restricted picklists: exactly one of the values, inactive ones included (records keep them);
 *   restricted multi-select picklists: every `;`-separated value; open ones are text;
 * - date, datetime and time formats; record ids (external and indirect lookups hold the parent's
 *   external id instead); address and geolocation compound values.
 * Unknown keys (`attributes`, relationship objects, fields added to the org later) pass through.
 *
 * zod is loaded by this module only, which `sfgen/runtime` does not import: generated sObject
 * value modules import it as `sfgen/validation`, so an application that only subscribes to events
 * never loads zod; a record validator builds its zod object on its first use.
 */
import { z } from 'zod';
import { nullableOnRead } from './fields.js';
import type { FieldDescriptor, FieldType, SfAddress, SfLocation } from './schema.js';

// The zod-free part (descriptor decoding), for code that imported it from here.
export { FIELD_FLAG_WORDS, nullableOnRead, sobjectField, sobjectFields } from './fields.js';
export type { FieldDetails, FieldFlag } from './fields.js';

// ---------------------------------------------------------------------------------------------
// Field checks

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Salesforce's offset has no colon (`+0000`); `Z` and `+00:00` are accepted too. */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const TIME = /^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z?$/;

function text(max: number | undefined): z.ZodType<string> {
  return max !== undefined && max > 0 ? z.string().max(max) : z.string();
}

function integer(digits: number | undefined): z.ZodType<number> {
  const schema = z.number().int();
  return digits !== undefined && digits > 0 && digits < 16
    ? schema.refine((v) => Math.abs(v) < 10 ** digits, `expected at most ${digits} digits`)
    : schema;
}

function decimal(precision: number | undefined, scale: number | undefined): z.ZodType<number> {
  if (precision === undefined || precision <= 0) return z.number();
  const decimals = scale ?? 0;
  return z.number().refine((v) => {
    const scaled = Math.abs(v) * 10 ** decimals;
    return scaled < 10 ** precision && Math.abs(scaled - Math.round(scaled)) <= 1e-6 * Math.max(1, scaled);
  }, `expected at most ${precision} digits with ${decimals} decimals`);
}

/** Every value of a picklist: active ones and the inactive ones records may still hold. */
function picklistValues(d: FieldDescriptor): string[] {
  return [...(d.picklist?.values ?? []), ...(d.picklist?.inactiveValues ?? [])];
}

const nullableString = z.string().nullable();
const nullableNumber = z.number().nullable();

const address: z.ZodType<SfAddress> = z.looseObject({
  street: nullableString,
  city: nullableString,
  state: nullableString,
  postalCode: nullableString,
  country: nullableString,
  stateCode: nullableString,
  countryCode: nullableString,
  latitude: nullableNumber,
  longitude: nullableNumber,
  geocodeAccuracy: nullableString,
});

const location: z.ZodType<SfLocation> = z.looseObject({ latitude: nullableNumber, longitude: nullableNumber });

/** The check of a non-null value of the field. */
function valueCheck(d: FieldDescriptor): z.ZodType<unknown> {
  switch (d.type) {
    case 'id':
      return z.string().regex(ID, 'expected a Salesforce id');
    case 'reference':
      // External and indirect lookups hold the parent's external id, not a record id.
      return d.lookupBy !== undefined ? text(d.length) : z.string().regex(ID, 'expected a Salesforce id');
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'encryptedstring':
    case 'combobox':
      return text(d.length);
    case 'base64':
    case 'datacategorygroupreference':
      return z.string();
    case 'picklist': {
      if (d.picklist?.restricted !== true) return text(d.length);
      const values = picklistValues(d);
      return values.length === 0 ? z.never() : z.enum(values as [string, ...string[]]);
    }
    case 'multipicklist': {
      if (d.picklist?.restricted !== true) return text(d.length);
      const allowed = new Set(picklistValues(d));
      return text(d.length).refine((v) => v === '' || v.split(';').every((part) => allowed.has(part)), 'expected values of the picklist');
    }
    case 'boolean':
      return z.boolean();
    case 'int':
    case 'long':
      return integer(d.precision);
    case 'double':
    case 'currency':
    case 'percent':
      return decimal(d.precision, d.scale);
    case 'date':
      return z.string().regex(DATE, 'expected a date (YYYY-MM-DD)');
    case 'datetime':
      return z.string().regex(DATETIME, 'expected a datetime');
    case 'time':
      return z.string().regex(TIME, 'expected a time (HH:mm:ss.SSSZ)');
    case 'address':
      return address;
    case 'location':
      return location;
    case 'anyType':
      return z.union([z.string(), z.number(), z.boolean()]);
    case 'json':
    case 'complexvalue':
      return z.unknown();
    default: {
      const unknownType: never = d.type;
      throw new Error(`sfgen: unknown field type '${String(unknownType)}' in a generated descriptor; regenerate the code`);
    }
  }
}

/**
 * The zod check of one field's value as read (see the module comment for what it checks).
 *
 * @example
 * fieldValidator(sobjectField('string', 'nil cre upd', { length: 40 })).safeParse('x'.repeat(41)).success; // false
 */
export function fieldValidator(d: FieldDescriptor): z.ZodType<unknown> {
  const check = valueCheck(d);
  return nullableOnRead(d.type) ? check.nullable() : check;
}

/**
 * The validator of a record as read, from its field descriptors: every field checked by
 * {@link fieldValidator}, unknown keys passed through. The zod object is built on first use.
 * `T` is the generated record interface; the value module that calls this derives both from the
 * same describe, and the generator's tests prove that they agree.
 *
 * @example
 * export const ContactValidator: z.ZodType<ContactRecord> = recordValidator<ContactRecord>(fields);
 * ContactValidator.parse(row);
 */
export function recordValidator<T extends object>(fields: { readonly [name: string]: FieldDescriptor }): z.ZodType<T> {
  const schema = z.lazy(() => {
    const shape: Record<string, z.ZodType<unknown>> = Object.create(null) as Record<string, z.ZodType<unknown>>;
    for (const name of Object.keys(fields)) {
      const d = fields[name];
      if (d !== undefined) shape[name] = fieldValidator(d);
    }
    return z.looseObject(shape);
  });
  return schema as unknown as z.ZodType<T>;
}
