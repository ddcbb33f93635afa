/**
 * Picklists: the `<Name>Picklists` interface and the literal unions of reads and writes.
 *
 * - restricted picklist: the exact union of its values; reads include inactive values (records
 *   keep them), writes only active ones (the API rejects the others);
 * - open picklist and combobox: the known values plus `(string & {})`, which keeps editor
 *   completion yet accepts any string, as the API does; writes offer only the active values (an
 *   inactive one is still accepted as text, but not suggested);
 * - multipicklist: `string` (`;`-joined), the allowed values documented.
 */
import type { FieldModel } from '../model/types.js';
import type { ObjectContext } from './context.js';
import { jsdoc } from './jsdoc.js';
import { key, literalUnion, str } from './ts.js';

/** Whether a field gets an entry in `<Name>Picklists` (and is typed through it). */
export function hasPicklistEntry(field: FieldModel): boolean {
  return field.picklist !== null && (field.type === 'picklist' || field.type === 'combobox');
}

/** Whether the picklist's read values are a closed set. */
export function isClosedPicklist(field: FieldModel): boolean {
  return field.type === 'picklist' && field.picklist?.restricted === true;
}

/** The union for reads: every value (inactive included), open ones widened. */
export function readPicklistUnion(field: FieldModel): string {
  const values = (field.picklist?.values ?? []).map((v) => v.value);
  if (isClosedPicklist(field)) return literalUnion(values);
  return values.length === 0 ? 'string' : `${values.map(str).join(' | ')} | (string & {})`;
}

/** The union for writes, or null when it equals the read union (reference the interface then). */
export function writePicklistUnion(field: FieldModel): string | null {
  if (!hasPicklistEntry(field)) return null;
  const values = field.picklist?.values ?? [];
  if (values.every((v) => v.active)) return null;
  const active = values.filter((v) => v.active).map((v) => v.value);
  if (isClosedPicklist(field)) return literalUnion(active);
  return active.length === 0 ? 'string' : `${active.map(str).join(' | ')} | (string & {})`;
}

/** `AccountPicklists['Industry']`. */
export function picklistRef(ctx: ObjectContext, field: FieldModel): string {
  return `${ctx.ids.picklists}[${key(field.name)}]`;
}

/** The `<Name>Picklists` interface (empty interface when the object has none). */
export function emitPicklistsInterface(ctx: ObjectContext): string {
  const entries = ctx.object.fields.filter(hasPicklistEntry).map((field) => {
    const restricted = isClosedPicklist(field);
    const inactive = (field.picklist?.values ?? []).filter((v) => !v.active).map((v) => v.value);
    const doc = jsdoc([
      `${field.label}: ${restricted ? 'restricted picklist (exact values)' : field.type === 'combobox' ? 'combobox (any text; known values listed)' : 'open picklist (known values; any text is accepted)'}.`,
      inactive.length > 0
        ? restricted
          ? `Inactive (readable, not writable): ${inactive.map(str).join(', ')}.`
          : `Inactive (readable; not offered in create/update inputs): ${inactive.map(str).join(', ')}.`
        : null,
    ]);
    return `${doc}  ${key(field.name)}: ${readPicklistUnion(field)};`;
  });
  const head = `/** Picklist values of ${ctx.object.name}, by field API name. */\nexport interface ${ctx.ids.picklists} {`;
  return entries.length === 0 ? `${head}}` : `${head}\n${entries.join('\n')}\n}`;
}
