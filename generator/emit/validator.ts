/**
 * The zod validator of a record as read: lengths, precision and scale, restricted picklist values
 * (inactive ones included: records keep them), nullability; unknown keys pass through
 * (`z.looseObject`). Declared as `z.ZodType<Record>` by the module, so tsc never infers it.
 * Shared checks (`$id`, `$decimalOrNull`, ...) live in the generated `validators.ts`.
 */
import type { FieldModel } from '../model/types.js';
import { locate, type ObjectContext } from './context.js';
import { EmitError } from './errors.js';
import { isClosedPicklist } from './picklist.js';
import { readNullable } from './record.js';
import { key, stringArray } from './ts.js';

/** Helpers exported by the generated `validators.ts`; `…OrNull` variants accept `null` too. */
export const VALIDATOR_HELPERS = [
  '$address', '$addressOrNull', '$anyType', '$anyTypeOrNull', '$boolean', '$date', '$dateOrNull', '$datetime',
  '$datetimeOrNull', '$decimal', '$decimalOrNull', '$id', '$idOrNull', '$integer', '$integerOrNull', '$location',
  '$locationOrNull', '$multipicklist', '$multipicklistOrNull', '$picklist', '$picklistOrNull', '$text', '$textOrNull',
  '$time', '$timeOrNull', '$unknown',
] as const;
export type ValidatorHelper = (typeof VALIDATOR_HELPERS)[number];

/**
 * The validator expression of one field: a call of (or reference to) a shared helper with a
 * declared return type, never a zod method chain, so that checking a value module costs tsc
 * almost nothing (a chain of generic zod methods per field costs hundreds of instantiations).
 * Records which helpers it uses.
 */
export function fieldValidator(ctx: ObjectContext, field: FieldModel, used: Set<ValidatorHelper>): string {
  const nullable = readNullable(field);
  const use = (base: string, args?: string): string => {
    const name = (nullable && base !== '$boolean' && base !== '$unknown' ? `${base}OrNull` : base) as ValidatorHelper;
    used.add(name);
    return args === undefined ? name : `${name}(${args})`;
  };
  switch (field.type) {
    case 'id':
    case 'reference':
      return use('$id');
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'encryptedstring':
    case 'combobox':
    case 'base64':
    case 'datacategorygroupreference':
      return use('$text', String(field.type === 'base64' || field.type === 'datacategorygroupreference' ? 0 : field.length));
    case 'picklist':
      return isClosedPicklist(field)
        ? use('$picklist', stringArray((field.picklist?.values ?? []).map((v) => v.value)))
        : use('$text', String(field.length));
    case 'multipicklist':
      return field.picklist?.restricted
        ? use('$multipicklist', `${stringArray(field.picklist.values.map((v) => v.value))}, ${field.length}`)
        : use('$text', String(field.length));
    case 'boolean':
      return use('$boolean');
    case 'int':
    case 'long':
      return use('$integer', String(field.digits));
    case 'double':
    case 'currency':
    case 'percent':
      return use('$decimal', `${field.precision}, ${field.scale}`);
    case 'date':
      return use('$date');
    case 'datetime':
      return use('$datetime');
    case 'time':
      return use('$time');
    case 'address':
      return use('$address');
    case 'location':
      return use('$location');
    case 'anyType':
      return use('$anyType');
    case 'json':
    case 'complexvalue':
      return use('$unknown');
    default: {
      const unreachable: never = field.type;
      throw new EmitError(`Unknown field type '${String(unreachable)}' at ${locate(ctx, field)}`, locate(ctx, field));
    }
  }
}

/** The object literal passed to `$record<Record>(...)` (a typed `z.looseObject`) and the helpers it needs. */
export function emitValidatorShape(ctx: ObjectContext): { shape: string; helpers: ValidatorHelper[] } {
  const used = new Set<ValidatorHelper>();
  const entries = ctx.object.fields.map((f) => `  ${key(f.name)}: ${fieldValidator(ctx, f, used)},`);
  return { shape: entries.length ? `{\n${entries.join('\n')}\n}` : '{}', helpers: [...used].sort() };
}
