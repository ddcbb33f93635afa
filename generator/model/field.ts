/** One raw field describe -> {@link FieldModel}. */
import { FIELD_TYPES, type FieldType } from 'sfgen/tooling';
import type { RawField } from '../metadata/raw.js';
import { ModelError } from './errors.js';
import { normalizePicklist } from './picklist.js';
import type { FieldModel, ReferenceModel } from './types.js';

const KNOWN_TYPES: ReadonlySet<string> = new Set(FIELD_TYPES);

/** Sorted, de-duplicated copy (code-unit order: locale-independent). */
export function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/** Locale-independent string order used everywhere determinism matters. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function literalDefault(value: unknown): string | number | boolean | null {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

function normalizeReference(field: RawField): ReferenceModel | null {
  const targets = field.referenceTo ?? [];
  if (field.type !== 'reference' && targets.length === 0) return null;
  const referenceTo = sortedUnique(targets);
  const relationshipOrder = field.relationshipOrder ?? null;
  return {
    referenceTo,
    relationshipName: field.relationshipName ?? null,
    polymorphic: referenceTo.length > 1 || field.polymorphicForeignKey === true,
    masterDetail: relationshipOrder !== null,
    relationshipOrder,
    cascadeDelete: field.cascadeDelete === true,
    restrictedDelete: field.restrictedDelete === true,
    referenceTargetField: field.referenceTargetField ?? null,
  };
}

/**
 * Normalizes one field. `location` is `Object.Field`, `origin` the file or request it came from;
 * `controllerCount` the number of values of the controlling field of a dependent picklist.
 *
 * @example
 * ```ts
 * const model = normalizeField(rawIndustry, 'Account.Industry', 'sobjects/Account.json', undefined);
 * ```
 */
export function normalizeField(field: RawField, location: string, origin: string, controllerCount: number | undefined): FieldModel {
  if (!KNOWN_TYPES.has(field.type)) {
    throw new ModelError(`Unknown field type '${field.type}' at ${location} (known: ${FIELD_TYPES.join(', ')})`, location, origin);
  }
  const type = field.type as FieldType;
  const createable = field.createable;
  const nillable = field.nillable;
  const defaultedOnCreate = field.defaultedOnCreate === true;
  const calculated = field.calculated === true ? (field.calculatedFormula ? 'formula' : 'rollup') : null;
  return {
    name: field.name,
    label: field.label,
    helpText: field.inlineHelpText ?? null,
    type,
    custom: field.custom === true,
    nillable,
    createable,
    updateable: field.updateable,
    filterable: field.filterable === true,
    sortable: field.sortable === true,
    groupable: field.groupable === true,
    aggregatable: field.aggregatable === true,
    defaultedOnCreate,
    requiredOnCreate: createable && !nillable && !defaultedOnCreate,
    defaultValue: literalDefault(field.defaultValue),
    defaultValueFormula: field.defaultValueFormula ?? null,
    externalId: field.externalId === true,
    idLookup: field.idLookup === true,
    unique: field.unique === true,
    caseSensitive: field.caseSensitive === true,
    autoNumber: field.autoNumber === true,
    calculated,
    formula: calculated === 'formula' ? (field.calculatedFormula ?? null) : null,
    encrypted: field.encrypted === true || type === 'encryptedstring',
    htmlFormatted: field.htmlFormatted === true,
    nameField: field.nameField === true,
    deprecatedAndHidden: field.deprecatedAndHidden === true,
    length: field.length ?? 0,
    byteLength: field.byteLength ?? 0,
    precision: field.precision ?? 0,
    scale: field.scale ?? 0,
    digits: field.digits ?? 0,
    extraTypeInfo: field.extraTypeInfo ?? null,
    compoundFieldName: field.compoundFieldName ?? null,
    picklist: normalizePicklist(field, location, origin, controllerCount),
    reference: normalizeReference(field),
  };
}
