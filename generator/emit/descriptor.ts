/**
 * The runtime descriptor (`SObjectDescriptor`) of an object: plain data the runtime uses to
 * validate writes, format values and build queries. Field maps are object literals keyed by quoted
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
 * Keys named like `Object.prototype` members (`constructor`, `toString`, ...) lose the contextual
 * type of the map's index signature in tsc, so their `type` literal is pinned with `as const`.
 */
function needsConstType(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(Object.prototype, name);
}

/** The `FieldDescriptor` literal of one field (one line). */
export function fieldDescriptor(field: FieldModel): string {
  const props: string[] = [
    `type: ${str(field.type)}${needsConstType(field.name) ? ' as const' : ''}`,
    `nillable: ${field.nillable}`,
    `createable: ${field.createable}`,
    `updateable: ${field.updateable}`,
    `filterable: ${field.filterable}`,
    `sortable: ${field.sortable}`,
    `groupable: ${field.groupable}`,
    `aggregatable: ${field.aggregatable}`,
    `idLookup: ${field.idLookup}`,
    `externalId: ${field.externalId}`,
    `requiredOnCreate: ${field.requiredOnCreate}`,
  ];
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
  return `{ ${props.join(', ')} }`;
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
