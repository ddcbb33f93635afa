/**
 * Write inputs: `<Name>Create` (createable fields; required iff `requiredOnCreate`), `<Name>Update`
 * (updateable fields, all optional) and `<Name>Upsert` (objects with external ids). Nillable
 * fields accept `null` (clears the value); compound fields are excluded, their components included;
 * restricted picklists accept only active values, open ones offer only active values (any text is
 * still accepted); date, datetime and time fields also take a `Date` (the runtime formats it by the
 * field's type). Each member carries the record field's JSDoc (type, length, values, flags).
 */
import type { FieldModel } from '../model/types.js';
import { isCompound, type ObjectContext } from './context.js';
import { fieldDocLines, jsdoc } from './jsdoc.js';
import { writePicklistUnion } from './picklist.js';
import { valueType } from './record.js';
import { key } from './ts.js';

/** The write type of one field (no optionality marker). */
export function writeType(ctx: ObjectContext, field: FieldModel): string {
  const value = writePicklistUnion(field) ?? valueType(ctx, field);
  // A Date is formatted by the runtime (serializeRecord -> toSalesforceValue) by the field's type.
  const base = field.type === 'date' || field.type === 'datetime' || field.type === 'time' ? `${value} | Date` : value;
  return field.nillable && field.type !== 'boolean' && field.type !== 'json' && field.type !== 'complexvalue' ? `${base} | null` : base;
}

/** Fields of the create payload. */
export function createFields(ctx: ObjectContext): FieldModel[] {
  return ctx.object.fields.filter((f) => f.createable && !isCompound(f));
}

/** Fields of the update payload. */
export function updateFields(ctx: ObjectContext): FieldModel[] {
  return ctx.object.fields.filter((f) => f.updateable && !isCompound(f));
}

/** External-id fields (upsert keys). */
export function externalIdFields(ctx: ObjectContext): FieldModel[] {
  return ctx.object.fields.filter((f) => f.externalId);
}

/** One member: the same JSDoc as the record field (label, type details, flags, help text, values). */
function member(ctx: ObjectContext, field: FieldModel, required: boolean): string {
  return `${jsdoc(fieldDocLines(field))}  ${key(field.name)}${required ? '' : '?'}: ${writeType(ctx, field)};`;
}

/** `export interface <Name>Create { ... }`. */
export function emitCreateInterface(ctx: ObjectContext): string {
  const members = createFields(ctx).map((f) => member(ctx, f, f.requiredOnCreate));
  if (members.length === 0) {
    return `${jsdoc([`${ctx.object.name} has no createable field: no create payload is valid except \`{}\`.`], '')}export interface ${ctx.ids.create} {\n  readonly [field: string]: never;\n}`;
  }
  const head = jsdoc([`Create payload of ${ctx.object.name}: createable fields; required ones are not optional.`], '');
  return `${head}export interface ${ctx.ids.create} {\n${members.join('\n')}\n}`;
}

/** `export interface <Name>Update { ... }`. */
export function emitUpdateInterface(ctx: ObjectContext): string {
  const members = updateFields(ctx).map((f) => member(ctx, f, false));
  if (members.length === 0) {
    return `${jsdoc([`${ctx.object.name} has no updateable field: no update payload is valid except \`{}\`.`], '')}export interface ${ctx.ids.update} {\n  readonly [field: string]: never;\n}`;
  }
  const head = jsdoc([`Update payload of ${ctx.object.name}: updateable fields, all optional; \`null\` clears a nillable field.`], '');
  return `${head}export interface ${ctx.ids.update} {\n${members.join('\n')}\n}`;
}

/** `export type <Name>Upsert = <Name>Create;` when the object has external ids, else null. */
export function emitUpsertType(ctx: ObjectContext): string | null {
  const keys = externalIdFields(ctx);
  if (keys.length === 0 || createFields(ctx).length === 0) return null;
  const head = jsdoc(
    [
      `Upsert payload of ${ctx.object.name} (by external id: ${keys.map((k) => k.name).join(', ')}).`,
      'An upsert may insert, so the create payload\'s required fields apply.',
    ],
    '',
  );
  return `${head}export type ${ctx.ids.upsert} = ${ctx.ids.create};`;
}
