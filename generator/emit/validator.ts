/**
 * The zod validator of a record as read: lengths, precision and scale, restricted picklist values
 * (inactive ones included: records keep them), nullability; unknown keys pass through
 * (`z.looseObject`). Declared as `z.ZodType<Record>` by the module, so tsc never infers it.
 * Shared checks (`$id`, `$decimal`, ...) live in the generated `validators.ts`.
 */
import type { FieldModel } from '../model/types.js';
import { locate, type ObjectContext } from './context.js';
import { EmitError } from './errors.js';
import { isClosedPicklist } from './picklist.js';
import { readNullable } from './record.js';
import { key, stringArray } from './ts.js';

/** Helpers exported by the generated `validators.ts`. */
export const VALIDATOR_HELPERS = ['$address', '$anyType', '$date', '$datetime', '$decimal', '$id', '$integer', '$location', '$multipicklist', '$time'] as const;
export type ValidatorHelper = (typeof VALIDATOR_HELPERS)[number];

/** The zod expression of one field, recording which shared helpers it uses. */
export function fieldValidator(ctx: ObjectContext, field: FieldModel, used: Set<ValidatorHelper>): string {
  const z = ctx.valueNames.z;
  const use = (h: ValidatorHelper): string => {
    used.add(h);
    return h;
  };
  const text = (): string => (field.length > 0 ? `${z}.string().max(${field.length})` : `${z}.string()`);
  let base: string;
  switch (field.type) {
    case 'id':
    case 'reference':
      base = use('$id');
      break;
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'encryptedstring':
    case 'combobox':
      base = text();
      break;
    case 'base64':
    case 'datacategorygroupreference':
      base = `${z}.string()`;
      break;
    case 'picklist': {
      if (isClosedPicklist(field)) {
        const values = (field.picklist?.values ?? []).map((v) => v.value);
        base = values.length === 0 ? `${z}.never()` : `${z}.enum(${stringArray(values)})`;
      } else {
        base = text();
      }
      break;
    }
    case 'multipicklist':
      base = field.picklist?.restricted
        ? `${use('$multipicklist')}(${stringArray(field.picklist.values.map((v) => v.value))})`
        : text();
      break;
    case 'boolean':
      base = `${z}.boolean()`;
      break;
    case 'int':
    case 'long':
      base = `${use('$integer')}(${field.digits})`;
      break;
    case 'double':
    case 'currency':
    case 'percent':
      base = `${use('$decimal')}(${field.precision}, ${field.scale})`;
      break;
    case 'date':
      base = use('$date');
      break;
    case 'datetime':
      base = use('$datetime');
      break;
    case 'time':
      base = use('$time');
      break;
    case 'address':
      base = use('$address');
      break;
    case 'location':
      base = use('$location');
      break;
    case 'anyType':
      base = use('$anyType');
      break;
    case 'json':
    case 'complexvalue':
      base = `${z}.unknown()`;
      break;
    default: {
      const unreachable: never = field.type;
      throw new EmitError(`Unknown field type '${String(unreachable)}' at ${locate(ctx, field)}`, locate(ctx, field));
    }
  }
  return readNullable(field) ? `${base}.nullable()` : base;
}

/** The object literal passed to `$record<Record>(...)` (a typed `z.looseObject`) and the helpers it needs. */
export function emitValidatorShape(ctx: ObjectContext): { shape: string; helpers: ValidatorHelper[] } {
  const used = new Set<ValidatorHelper>();
  const entries = ctx.object.fields.map((f) => `  ${key(f.name)}: ${fieldValidator(ctx, f, used)},`);
  return { shape: entries.length ? `{\n${entries.join('\n')}\n}` : '{}', helpers: [...used].sort() };
}
