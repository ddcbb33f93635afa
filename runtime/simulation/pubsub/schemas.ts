/**
 * Event schemas: ids (the Avro fingerprint, base64url, 22 characters, like Salesforce's schema
 * ids), parsed avsc types (cached per id), and the conversion of Salesforce JSON field values
 * (REST bodies, stored records) to the Avro values of a schema.
 */
import avro from 'avsc';

/** One registered schema. */
export interface RegisteredSchema {
  readonly id: string;
  /** The schema JSON as GetSchema returns it. */
  readonly json: string;
  readonly type: avro.Type;
  /** Top-level fields of the record, in position order. */
  readonly fields: readonly avro.types.Field[];
}

/** Schemas by id; registering the same schema twice returns the same id. */
export class SchemaRegistry {
  private readonly byId = new Map<string, RegisteredSchema>();

  register(schema: unknown): RegisteredSchema {
    const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });
    const id = type.fingerprint('md5').toString('base64url');
    const existing = this.byId.get(id);
    if (existing) return existing;
    if (!(type instanceof avro.types.RecordType)) throw new Error(`event schema ${type.name ?? '(anonymous)'} is not an Avro record`);
    const entry: RegisteredSchema = { id, json: JSON.stringify(schema), type, fields: type.fields };
    this.byId.set(id, entry);
    return entry;
  }

  get(id: string): RegisteredSchema | undefined {
    return this.byId.get(id);
  }
}

/** The branches of a field type: the type itself, or a union's branches. */
export function branchesOf(type: avro.Type): readonly avro.Type[] {
  return type.typeName.startsWith('union') ? (type as unknown as { readonly types: readonly avro.Type[] }).types : [type];
}

/** The record branch of a field type (compound fields: `["null", Address]`), if any. */
export function recordBranch(type: avro.Type): avro.types.RecordType | undefined {
  return branchesOf(type).find((t): t is avro.types.RecordType => t instanceof avro.types.RecordType);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A Salesforce JSON value as the Avro value of `type` (`null` when the value is null and the type
 * allows it). Dates and datetimes become epoch milliseconds, times milliseconds since midnight.
 * Throws naming `where` when the value does not fit.
 */
export function toAvroValue(type: avro.Type, value: unknown, where: string): unknown {
  const branches = branchesOf(type);
  if (value === null || value === undefined) {
    if (branches.some((b) => b.typeName === 'null')) return null;
    throw new Error(`${where}: a value is required (Avro type ${type.typeName})`);
  }
  for (const b of branches) {
    switch (b.typeName) {
      case 'string':
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        break;
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') return value === 'true';
        break;
      case 'int':
        if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
        if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
        break;
      case 'long':
        if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
        if (typeof value === 'string') {
          if (/^-?\d+$/.test(value)) return Number(value);
          if (/^\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/.test(value)) {
            const [h, m, s] = value.replace(/Z$/, '').split(':');
            return (Number(h) * 3600 + Number(m) * 60 + Number(s ?? 0)) * 1000;
          }
          const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
          if (!Number.isNaN(ms)) return ms;
        }
        break;
      case 'float':
      case 'double':
        if (typeof value === 'number') return value;
        if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
        break;
      case 'enum':
        if (typeof value === 'string' && (b as avro.types.EnumType).symbols.includes(value)) return value;
        break;
      case 'record':
        if (typeof value === 'object' && !Array.isArray(value)) {
          const rec = b as avro.types.RecordType;
          const out: Record<string, unknown> = {};
          for (const f of rec.fields) out[f.name] = toAvroValue(f.type, (value as Record<string, unknown>)[f.name], `${where}.${f.name}`);
          return out;
        }
        break;
      case 'array':
        if (Array.isArray(value)) return value.map((v, i) => toAvroValue((b as avro.types.ArrayType).itemsType, v, `${where}[${i}]`));
        break;
      default:
        break;
    }
  }
  throw new Error(`${where}: ${JSON.stringify(value)} does not fit Avro type ${JSON.stringify(type.schema())}`);
}
