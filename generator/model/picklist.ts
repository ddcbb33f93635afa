/** Picklists: `validFor` decoding and the normalized picklist of a field. */
import type { RawField } from '../metadata/raw.js';
import type { PicklistModel, PicklistValueModel } from './types.js';
import { ModelError } from './errors.js';

/**
 * Decodes a REST/SOAP `validFor` bitmap: base64 bytes, most significant bit first; bit *i* set means
 * the value is valid for the controller's value at index *i*. Indexes at or beyond `controllerCount`
 * (when given) are dropped.
 *
 * @example
 * ```ts
 * decodeValidFor('oAAA'); // [0, 2]
 * decodeValidFor('gIAA'); // [0, 8]
 * ```
 */
export function decodeValidFor(validFor: string, controllerCount?: number): number[] {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(validFor)) throw new Error(`not base64: '${validFor}'`);
  const bytes = Buffer.from(validFor, 'base64');
  const out: number[] = [];
  for (let byte = 0; byte < bytes.length; byte++) {
    const b = bytes[byte] ?? 0;
    for (let bit = 0; bit < 8; bit++) {
      if (b & (0x80 >> bit)) {
        const index = byte * 8 + bit;
        if (controllerCount === undefined || index < controllerCount) out.push(index);
      }
    }
  }
  return out;
}

/** Field types that carry picklist values. */
const PICKLIST_TYPES = new Set(['picklist', 'multipicklist', 'combobox']);

/**
 * The normalized picklist of a field, or null when the field has none.
 * `controllerCount` is the number of values of the controlling field (2 for a checkbox), when known.
 */
export function normalizePicklist(field: RawField, location: string, origin: string, controllerCount: number | undefined): PicklistModel | null {
  const raw = field.picklistValues ?? [];
  if (!PICKLIST_TYPES.has(field.type) && raw.length === 0) return null;
  const dependent = field.dependentPicklist === true;
  const values = raw.map((v, i): PicklistValueModel => {
    let validFor: number[] | null = null;
    if (v.validFor !== null && v.validFor !== undefined && v.validFor !== '') {
      try {
        validFor = decodeValidFor(v.validFor, controllerCount);
      } catch (error) {
        throw new ModelError(`${location}: picklistValues[${i}] ('${v.value}').validFor: ${(error as Error).message}`, location, origin);
      }
    } else if (dependent) {
      validFor = [];
    }
    return {
      value: v.value,
      label: v.label ?? v.value,
      active: v.active,
      defaultValue: v.defaultValue === true,
      validFor,
    };
  });
  return {
    restricted: field.restrictedPicklist === true,
    dependent,
    controllerName: field.controllerName ?? null,
    values,
  };
}
