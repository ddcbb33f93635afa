/**
 * The runtime descriptor (`SObjectDescriptor`) of an object: plain data the runtime uses to
 * validate writes, format values and build queries. Each field is one `$field(...)` call (decoded
 * by the generated `validators.ts`), which keeps the value modules small and cheap for tsc. Field maps are object literals keyed by quoted
 * API names (API names never start with `_`); picklist values, which are arbitrary text, are
 * arrays, never keys.
 */
import type { FieldModel } from '../model/types.js';
import type { ObjectContext } from './context.js';
import { childRelationships, parentRelationships } from './meta.js';
import { key, literal, str, stringArray } from './ts.js';

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'encryptedstring', 'combobox', 'picklist', 'multipicklist']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);

/**
 * The flag words of a field descriptor, in `FieldDescriptor` order: each names one boolean that is
 * true for the field (absent words are false). The generated `validators.ts` decodes them
 * (`$field`); the legend is repeated at the top of every value module.
 */
export const FIELD_FLAGS = [
  ['nil', 'nillable'],
  ['cre', 'createable'],
  ['upd', 'updateable'],
  ['flt', 'filterable'],
  ['srt', 'sortable'],
  ['grp', 'groupable'],
  ['agg', 'aggregatable'],
  ['idl', 'idLookup'],
  ['ext', 'externalId'],
  ['req', 'requiredOnCreate'],
] as const;

/** `nil nillable, cre createable, ...`: the legend of the flag words. */
export function fieldFlagLegend(): string {
  return FIELD_FLAGS.map(([word, name]) => `${word} ${name}`).join(', ');
}

/**
 * The descriptor of one field, compact and on one line: `$field(type, 'true flag words', details)`,
 * e.g. `$field('string', 'nil cre upd flt srt grp', { length: 40 })`. The details object holds
 * only what the field has (length, precision and scale, reference targets, active picklist
 * values, compound parent).
 */
export function fieldDescriptor(field: FieldModel): string {
  const flags = FIELD_FLAGS.filter(([, name]) => field[name]).map(([word]) => word).join(' ');
  const props: string[] = [];
  if (TEXT_TYPES.has(field.type) && field.length > 0) props.push(`length: ${field.length}`);
  if (NUMBER_TYPES.has(field.type)) {
    const precision = field.type === 'int' || field.type === 'long' ? field.digits : field.precision;
    if (precision > 0) props.push(`precision: ${precision}`, `scale: ${field.scale}`);
  }
  if (field.reference && field.reference.referenceTo.length > 0) {
    props.push(`referenceTo: ${stringArray(field.reference.referenceTo)}`);
    if (field.reference.relationshipName !== null) props.push(`relationshipName: ${str(field.reference.relationshipName)}`);
  }
  if (field.picklist) {
    const active = field.picklist.values.filter((v) => v.active).map((v) => v.value);
    props.push(`picklist: { restricted: ${field.picklist.restricted}, values: ${stringArray(active)} }`);
  }
  if (field.compoundFieldName !== null) props.push(`compoundFieldName: ${str(field.compoundFieldName)}`);
  return `$field(${str(field.type)}, ${str(flags)}${props.length ? `, { ${props.join(', ')} }` : ''})`;
}

/** The `SObjectDescriptor` literal of the object. */
export function emitDescriptor(ctx: ObjectContext): string {
  const o = ctx.object;
  const fields = o.fields.map((f) => `    ${key(f.name)}: ${fieldDescriptor(f)},`);
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
    `  fields: ${map(fields)},`,
    `  parents: ${map(parents)},`,
    `  children: ${map(children)},`,
    '}',
  ].join('\n');
}
