/**
 * The runtime descriptor (`SObjectDescriptor`) of an object: plain data the runtime uses to
 * validate records and writes, format values and build queries. Each field is one string (decoded
 * by the runtime's `sobjectFields`), which keeps the value modules small and cheap for tsc; the
 * record validator is derived from the same descriptors. Field maps are object literals keyed by quoted
 * API names (API names never start with `_`); picklist values, which are arbitrary text, are
 * arrays, never keys.
 */
import type { FieldDescriptor } from 'sfgen/tooling';
import { FIELD_FLAG_WORDS, type FieldDetails, type FieldFlag } from 'sfgen/tooling';
import type { FieldModel } from '../model/types.js';
import type { ObjectContext } from './context.js';
import { childRelationships, parentRelationships } from './meta.js';
import { key, literal, str, stringArray } from './ts.js';

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'encryptedstring', 'combobox', 'picklist', 'multipicklist']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);

/** `nil nillable, cre createable, ...`: the legend of the flag words (`FIELD_FLAG_WORDS`), repeated at the top of every value module. */
export function fieldFlagLegend(): string {
  return FIELD_FLAG_WORDS.map(([word, name]) => `${word} ${name}`).join(', ');
}

/**
 * The parent field an external or indirect lookup holds the value of (Salesforce: `extraTypeInfo`
 * `externallookup` matches the parent's `ExternalId`, `indirectlookup` its `referenceTargetField`),
 * or null for a lookup holding record ids.
 */
export function lookupByOf(field: FieldModel): string | null {
  const ref = field.reference;
  if (ref === null) return null;
  if (ref.referenceTargetField !== null) return ref.referenceTargetField;
  if (field.extraTypeInfo === 'indirectlookup' || field.extraTypeInfo === 'externallookup') return 'ExternalId';
  return null;
}

/**
 * The runtime descriptor of one field, as the value module's `$field(...)` call decodes it: type
 * and flags, and only the details the field has (length, precision and scale, reference targets,
 * picklist values, compound parent).
 */
export function descriptorOf(field: FieldModel): FieldDescriptor {
  const details: { -readonly [K in keyof FieldDetails]: FieldDetails[K] } = {};
  if (TEXT_TYPES.has(field.type) && field.length > 0) details.length = field.length;
  if (NUMBER_TYPES.has(field.type)) {
    const precision = field.type === 'int' || field.type === 'long' ? field.digits : field.precision;
    if (precision > 0) Object.assign(details, { precision, scale: field.scale });
  }
  if (field.reference && field.reference.referenceTo.length > 0) {
    details.referenceTo = field.reference.referenceTo;
    if (field.reference.relationshipName !== null) details.relationshipName = field.reference.relationshipName;
    const lookupBy = lookupByOf(field);
    if (lookupBy !== null) details.lookupBy = lookupBy;
  }
  if (field.picklist) {
    const values = field.picklist.values.filter((v) => v.active).map((v) => v.value);
    const inactiveValues = field.picklist.values.filter((v) => !v.active).map((v) => v.value);
    details.picklist = { restricted: field.picklist.restricted, values, ...(inactiveValues.length > 0 ? { inactiveValues } : {}) };
  }
  if (field.compoundFieldName !== null) details.compoundFieldName = field.compoundFieldName;
  const flags = Object.fromEntries(FIELD_FLAG_WORDS.map(([, name]) => [name, field[name]])) as Pick<FieldDescriptor, FieldFlag>;
  return { type: field.type, ...flags, ...details };
}

/**
 * The descriptor of one field as the value module spells it: one string,
 * `'<type> <true flag words> <details as JSON>'`, e.g.
 * `'string nil cre upd flt srt grp agg {"length":40}'` (details only when the field has some),
 * decoded at run time by the runtime's `sobjectFields`. A string literal costs tsc nothing to
 * check, where a call with an object literal per field did.
 */
export function fieldDescriptor(field: FieldModel): string {
  const d = descriptorOf(field);
  const flagNames = new Set<string>(FIELD_FLAG_WORDS.map(([, name]) => name));
  const words: string[] = [d.type, ...FIELD_FLAG_WORDS.filter(([, name]) => d[name]).map(([word]) => word)];
  const details = Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'type' && !flagNames.has(k)));
  if (Object.keys(details).length > 0) words.push(JSON.stringify(details));
  return str(words.join(' '));
}

/** The object literal of the field descriptors (`{ 'Name': 'string cre upd ...', ... }`), one field per line. */
export function emitFieldDescriptors(ctx: ObjectContext): string {
  const fields = ctx.object.fields.map((f) => `  ${key(f.name)}: ${fieldDescriptor(f)},`);
  return fields.length ? `{\n${fields.join('\n')}\n}` : '{}';
}

/** The `SObjectDescriptor` literal of the object; its field map is the expression `fieldsRef`. */
export function emitDescriptor(ctx: ObjectContext, fieldsRef: string): string {
  const o = ctx.object;
  const parents = parentRelationships(ctx).map(
    (p) => `    ${key(p.relationshipName)}: { field: ${str(p.field.name)}, referenceTo: ${stringArray(p.referenceTo)} },`,
  );
  const children = childRelationships(ctx).map(
    (c) => `    ${key(c.relationshipName)}: { childSObject: ${str(c.childSObject)}, field: ${str(c.field)} },`,
  );
  const map = (entries: string[]): string => (entries.length ? `{\n${entries.join('\n')}\n  }` : '{}');
  return [
    '{',
    `  name: ${str(o.name)},`,
    `  label: ${str(o.label)},`,
    `  keyPrefix: ${literal(o.keyPrefix)},`,
    `  queryable: ${o.queryable},`,
    `  createable: ${o.createable},`,
    `  updateable: ${o.updateable},`,
    `  deletable: ${o.deletable},`,
    `  fields: ${fieldsRef},`,
    `  parents: ${map(parents)},`,
    `  children: ${map(children)},`,
    '}',
  ].join('\n');
}
