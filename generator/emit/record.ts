/**
 * The record as read (`export interface Account`): every field keyed by its quoted API name.
 * `Id` is `string`; booleans are never null; every other field may come back `null` (field-level
 * security, formulas, unset system values), whatever `nillable` says — that is a write constraint.
 */
import { nullableOnRead } from 'sfgen/tooling';
import type { FieldModel } from '../model/types.js';
import { locate, type ObjectContext } from './context.js';
import { EmitError } from './errors.js';
import { fieldDocLines, jsdoc } from './jsdoc.js';
import { hasPicklistEntry, picklistRef } from './picklist.js';
import { key } from './ts.js';

/**
 * The TypeScript type of a field's value, without null. `write` selects the write-side picklist
 * union (active values only).
 */
export function valueType(ctx: ObjectContext, field: FieldModel): string {
  switch (field.type) {
    case 'id':
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'encryptedstring':
    case 'multipicklist':
    case 'reference':
    case 'base64':
    case 'datacategorygroupreference':
      return 'string';
    case 'picklist':
    case 'combobox':
      return hasPicklistEntry(field) ? picklistRef(ctx, field) : 'string';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'date':
      ctx.usedTypes.add('SfDate');
      return ctx.typeNames.SfDate;
    case 'datetime':
      ctx.usedTypes.add('SfDateTime');
      return ctx.typeNames.SfDateTime;
    case 'time':
      ctx.usedTypes.add('SfTime');
      return ctx.typeNames.SfTime;
    case 'address':
      ctx.usedTypes.add('SfAddress');
      return ctx.typeNames.SfAddress;
    case 'location':
      ctx.usedTypes.add('SfLocation');
      return ctx.typeNames.SfLocation;
    case 'anyType':
      return 'string | number | boolean';
    case 'json':
    case 'complexvalue':
      return 'unknown';
    default: {
      const unreachable: never = field.type;
      throw new EmitError(`Unknown field type '${String(unreachable)}' at ${locate(ctx, field)}`, locate(ctx, field));
    }
  }
}

/**
 * Whether a read value of this field can be null: the runtime's rule, which the validators built
 * from the descriptors apply too, so record types and validators cannot disagree.
 */
export function readNullable(field: FieldModel): boolean {
  return nullableOnRead(field.type);
}

/** The read type of one field (`string | null`, `boolean`, ...). */
export function readType(ctx: ObjectContext, field: FieldModel): string {
  const base = valueType(ctx, field);
  return readNullable(field) ? `${base} | null` : base;
}

/** `export interface <Name> { ... }`. */
export function emitRecordInterface(ctx: ObjectContext): string {
  const { object, ids } = ctx;
  const members = object.fields.map((field) => `${jsdoc(fieldDocLines(field))}  ${key(field.name)}: ${readType(ctx, field)};`);
  const head = jsdoc(
    [
      `${object.label} (\`${object.name}\`) as read from Salesforce.`,
      'Every field may be null in a query result except `Id` and booleans; compound fields are read-only objects next to their writable components.',
    ],
    '',
  );
  return `${head}export interface ${ids.record} {\n${members.join('\n')}\n}`;
}
