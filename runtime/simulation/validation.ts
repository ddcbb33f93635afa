/**
 * Describe-driven validation of record writes, reporting Salesforce's error codes: unknown fields
 * (`INVALID_FIELD`), read-only fields (`INVALID_FIELD_FOR_INSERT_UPDATE`), values that do not fit
 * (`STRING_TOO_LONG`, `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`, `NUMBER_OUTSIDE_VALID_RANGE`,
 * `MALFORMED_ID`, `FIELD_INTEGRITY_EXCEPTION`, `JSON_PARSER_ERROR`) and missing required fields
 * (`REQUIRED_FIELD_MISSING`). Like Salesforce, the first failing category is reported.
 */
import { sfError, type SfErrorItem } from './errors.js';
import { toId18 } from './ids.js';
import type { SimDescribe, SimField } from './store-types.js';
import { parseSfDate, parseSfDateTime, parseSfTime } from './time.js';

/** Why values are being written: the write rules differ. */
export type WriteMode = 'create' | 'update' | 'seed';

export interface ValidationContext {
  /** Field lookup by lower-case name. */
  readonly fieldIndex: ReadonlyMap<string, SimField>;
  /** Key prefix of an sObject, for checking reference targets; `undefined` when unknown. */
  keyPrefixOf(sobject: string): string | null | undefined;
  /**
   * Whether a live record has this id; `undefined` when the simulator does not model the object
   * the id's key prefix belongs to (then the reference is not checked). Absent: no check.
   */
  recordExists?(id18: string): boolean | undefined;
}

/** What Salesforce accepts in an email field (local part as RFC 5322's atext, a dotted domain). */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export type ValidationResult =
  | { readonly ok: true; readonly values: Record<string, unknown> }
  | { readonly ok: false; readonly errors: SfErrorItem[] };

const STRINGISH = new Set(['string', 'textarea', 'email', 'phone', 'url', 'combobox', 'encryptedstring', 'base64']);
const NUMERIC = new Set(['double', 'currency', 'percent', 'int', 'long']);

function jsonKind(v: unknown): string {
  if (v === null) return 'VALUE_NULL';
  if (typeof v === 'string') return 'VALUE_STRING';
  if (typeof v === 'number') return Number.isInteger(v) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  if (typeof v === 'boolean') return v ? 'VALUE_TRUE' : 'VALUE_FALSE';
  if (Array.isArray(v)) return 'START_ARRAY';
  return 'START_OBJECT';
}

/** A field's label as Salesforce's messages show it (its name when the describe has none). */
export function labelOf(field: SimField): string {
  return typeof field.label === 'string' ? field.label : field.name;
}

function deserializeError(field: SimField, javaType: string, v: unknown): SfErrorItem {
  const shown = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return sfError(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${javaType} from ${jsonKind(v)} value ${shown} or request may be missing a required field (field ${field.name})`,
  );
}

const allowedCache = new WeakMap<SimField, ReadonlySet<string>>();

/** Active values of a restricted picklist (cached per field describe object). */
function allowedValues(field: SimField): ReadonlySet<string> {
  let set = allowedCache.get(field);
  if (set === undefined) {
    set = new Set(field.picklistValues.filter((p) => p.active).map((p) => p.value));
    allowedCache.set(field, set);
  }
  return set;
}

function integerDigits(n: number): number {
  const abs = Math.abs(Math.trunc(n));
  return abs === 0 ? 0 : String(abs).length;
}

/**
 * Check and normalise one non-null value; returns the stored value or an error. Exported for the
 * Bulk API's per-column checks, which must accept and store exactly what {@link validateWrite} does.
 */
export function checkValue(field: SimField, v: unknown, ctx: ValidationContext): { value: unknown } | { error: SfErrorItem } {
  const t = field.type;
  if (STRINGISH.has(t) || t === 'picklist' || t === 'multipicklist' || t === 'id') {
    let s: string;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
    else return { error: deserializeError(field, 'String', v) };
    if (t === 'picklist' || t === 'multipicklist') {
      if (field.restrictedPicklist) {
        const allowed = allowedValues(field);
        const parts = t === 'multipicklist' ? s.split(';') : [s];
        const bad = parts.find((p) => !allowed.has(p));
        if (bad !== undefined) {
          return {
            error: sfError(
              'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              `${labelOf(field)}: bad value for restricted picklist field: ${bad}`,
              [field.name],
            ),
          };
        }
      }
    }
    if (t === 'email' && s !== '' && !EMAIL.test(s)) {
      return { error: sfError('INVALID_EMAIL_ADDRESS', `${labelOf(field)}: invalid email address: ${s}`, [field.name]) };
    }
    const max = field.length;
    // Salesforce counts characters (code points); a string no longer in UTF-16 units has no more.
    if (typeof max === 'number' && max > 0 && s.length > max && [...s].length > max) {
      const shown = s.length > 40 ? `${s.slice(0, 40)}...` : s;
      return {
        error: sfError('STRING_TOO_LONG', `${labelOf(field)}: data value too large: ${shown} (max length=${max})`, [field.name]),
      };
    }
    return { value: s };
  }
  if (NUMERIC.has(t)) {
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) n = Number(v);
    else return { error: deserializeError(field, t === 'int' ? 'int' : t === 'long' ? 'long' : 'double', v) };
    if (!Number.isFinite(n)) return { error: deserializeError(field, 'double', v) };
    if (t === 'int' || t === 'long') {
      if (!Number.isInteger(n)) return { error: deserializeError(field, t, v) };
      const digits = typeof field.digits === 'number' && field.digits > 0 ? field.digits : t === 'int' ? 9 : 18;
      if (integerDigits(n) > digits) {
        return { error: sfError('NUMBER_OUTSIDE_VALID_RANGE', `${labelOf(field)}: value outside of valid range on numeric field: ${n}`, [field.name]) };
      }
      return { value: n };
    }
    const scale = typeof field.scale === 'number' ? field.scale : 0;
    const precision = typeof field.precision === 'number' ? field.precision : 0;
    const rounded = precision > 0 ? Number(n.toFixed(Math.min(Math.max(scale, 0), 20))) : n;
    if (precision > 0 && integerDigits(rounded) > precision - scale) {
      return { error: sfError('NUMBER_OUTSIDE_VALID_RANGE', `${labelOf(field)}: value outside of valid range on numeric field: ${n}`, [field.name]) };
    }
    return { value: rounded };
  }
  if (t === 'boolean') {
    if (typeof v === 'boolean') return { value: v };
    if (v === 'true' || v === 'false') return { value: v === 'true' };
    return { error: deserializeError(field, 'boolean', v) };
  }
  if (t === 'date' || t === 'datetime' || t === 'time') {
    const parsed = typeof v === 'string' ? (t === 'date' ? parseSfDate(v) : t === 'datetime' ? parseSfDateTime(v) : parseSfTime(v)) : undefined;
    if (parsed === undefined) return { error: deserializeError(field, t === 'date' ? 'Date' : t === 'datetime' ? 'Datetime' : 'Time', v) };
    return { value: parsed };
  }
  if (t === 'reference') {
    if (typeof v !== 'string') return { error: deserializeError(field, 'String', v) };
    // External and indirect lookups hold the parent's external id, not a Salesforce id.
    if (field.extraTypeInfo === 'externallookup' || field.extraTypeInfo === 'indirectlookup' || typeof field.referenceTargetField === 'string') {
      return { value: v };
    }
    if (v === '') return { value: null };
    const id = toId18(v);
    if (id === undefined) {
      return { error: sfError('MALFORMED_ID', `${labelOf(field)}: id value of incorrect type: ${v}`, [field.name]) };
    }
    const prefixes = field.referenceTo.map((o) => ctx.keyPrefixOf(o));
    if (prefixes.length > 0 && prefixes.every((p) => p !== undefined && p !== null) && !prefixes.includes(id.slice(0, 3))) {
      return { error: sfError('FIELD_INTEGRITY_EXCEPTION', `${labelOf(field)}: id value of incorrect type: ${v}`, [field.name]) };
    }
    if (ctx.recordExists?.(id) === false) {
      return { error: sfError('INVALID_CROSS_REFERENCE_KEY', `${labelOf(field)}: invalid cross reference id`, [field.name]) };
    }
    return { value: id };
  }
  // address, location, anyType, json, complexvalue, datacategorygroupreference: stored as given.
  return { value: v };
}

/**
 * Validate a write of `input` (field name -> value, any case, an optional `attributes` key) to an
 * object described by `describe`. Returns canonical field names with normalised values, or the
 * errors Salesforce would answer with.
 */
export function validateWrite(
  describe: SimDescribe,
  input: Record<string, unknown>,
  mode: WriteMode,
  ctx: ValidationContext,
): ValidationResult {
  const values: Record<string, unknown> = {};
  const readOnly: string[] = [];
  const valueErrors: SfErrorItem[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes') continue;
    const field = ctx.fieldIndex.get(key.toLowerCase());
    if (field === undefined) {
      return {
        ok: false,
        errors: [
          sfError(
            'INVALID_FIELD',
            `No such column '${key}' on sobject of type ${describe.name}`,
          ),
        ],
      };
    }
    if (mode === 'seed' && field.type === 'id') continue;
    if (mode === 'create' && field.type === 'id') {
      return { ok: false, errors: [sfError('INVALID_FIELD', 'The Id field should not be specified in the sobject data.')] };
    }
    const writable = mode === 'seed' || (mode === 'create' ? field.createable : field.updateable);
    if (!writable) {
      readOnly.push(field.name);
      continue;
    }
    if (raw === null) {
      values[field.name] = field.type === 'boolean' ? false : null;
      continue;
    }
    const checked = checkValue(field, raw, ctx);
    if ('error' in checked) valueErrors.push(checked.error);
    else values[field.name] = checked.value;
  }
  if (readOnly.length > 0) {
    return {
      ok: false,
      errors: [
        sfError(
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          readOnly,
        ),
      ],
    };
  }
  if (valueErrors.length > 0) return { ok: false, errors: valueErrors };
  if (mode !== 'seed') {
    const missing: string[] = [];
    for (const field of describe.fields) {
      if (field.nillable || field.type === 'boolean') continue;
      const writable = mode === 'create' ? field.createable : field.updateable;
      if (!writable) continue;
      if (mode === 'create' && field.defaultedOnCreate) {
        if (field.name in values && values[field.name] === null) missing.push(field.name);
        continue;
      }
      if (mode === 'create' ? values[field.name] === undefined || values[field.name] === null : field.name in values && values[field.name] === null) {
        missing.push(field.name);
      }
    }
    if (missing.length > 0) {
      return { ok: false, errors: [sfError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing)] };
    }
  }
  return { ok: true, values };
}
