/**
 * Avro schema -> TypeScript type expressions, as the runtime codec decodes them
 * (runtime/services/pubsub/codec.ts): unions unwrapped (`["null","string"]` is `string | null`),
 * enums as their symbols, records as object types, longs as `number` when the field's `doc` tags
 * it as a date, datetime or time (epoch milliseconds, always below 2^53) and `number | bigint`
 * otherwise (the codec returns a bigint beyond 2^53 rather than a rounded number).
 *
 * Named types referenced by name (`"Address"` the second time) are resolved against the types
 * defined earlier in the schema, namespace-qualified or not.
 */
import { EmitError } from './errors.js';
import { key, literalUnion } from './ts.js';

/** A record field of an Avro schema JSON. */
export interface AvroField {
  readonly name: string;
  readonly type: unknown;
  readonly doc?: string;
  readonly default?: unknown;
}

/** A record schema JSON. */
export interface AvroRecord {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly fields: readonly AvroField[];
}

/** Named types of a schema (records, enums, fixed), by full and short name. */
export type AvroNames = ReadonlyMap<string, Record<string, unknown>>;

/** Whether a JSON node is a record schema. */
export function isAvroRecord(node: unknown): node is AvroRecord {
  return (
    node !== null &&
    typeof node === 'object' &&
    !Array.isArray(node) &&
    (node as Record<string, unknown>)['type'] === 'record' &&
    Array.isArray((node as Record<string, unknown>)['fields'])
  );
}

/** Collects the named types of a schema. */
export function avroNames(schema: unknown): AvroNames {
  const out = new Map<string, Record<string, unknown>>();
  const visit = (node: unknown, namespace: string | null): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, namespace);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const r = node as Record<string, unknown>;
    const ns = typeof r['namespace'] === 'string' ? r['namespace'] : namespace;
    if (typeof r['name'] === 'string' && (r['type'] === 'record' || r['type'] === 'enum' || r['type'] === 'fixed')) {
      out.set(r['name'], r);
      if (ns !== null && !r['name'].includes('.')) out.set(`${ns}.${r['name']}`, r);
    }
    if (Array.isArray(r['fields'])) for (const f of r['fields']) visit((f as Record<string, unknown>)['type'], ns);
    if (r['items'] !== undefined) visit(r['items'], ns);
    if (r['values'] !== undefined) visit(r['values'], ns);
    if (r['type'] !== null && typeof r['type'] === 'object') visit(r['type'], ns);
  };
  visit(schema, null);
  return out;
}

/** Whether a field's `doc` tags a long as a date, datetime or time (`Data:DateOnly:…`, `CreatedDate:DateTime`). */
export function isTimestampDoc(doc: string | undefined): boolean {
  return doc !== undefined && /(^|:)(DateTime|DateOnly|Date|TimeOnly|Time)(:|$)/.test(doc);
}

/** Options of {@link avroType}. */
export interface AvroTypeOptions {
  /** The schema's named types. */
  readonly names: AvroNames;
  /** Where the type is, for errors (`AccountChangeEvent.BillingAddress`). */
  readonly location: string;
  /** The field is a timestamp (its `doc` says so): longs are `number`. */
  readonly timestamp: boolean;
  /** Indentation of nested object types. */
  readonly pad: string;
}

/**
 * The TypeScript type of an Avro type as the codec decodes it.
 *
 * @example
 * ```ts
 * avroType(['null', 'string'], { names, location: 'X.F', timestamp: false, pad: '  ' }); // 'string | null'
 * ```
 */
export function avroType(node: unknown, options: AvroTypeOptions): string {
  if (typeof node === 'string') {
    switch (node) {
      case 'null':
        return 'null';
      case 'boolean':
        return 'boolean';
      case 'int':
      case 'float':
      case 'double':
        return 'number';
      case 'long':
        return options.timestamp ? 'number' : 'number | bigint';
      case 'string':
        return 'string';
      case 'bytes':
        return 'Uint8Array';
      default: {
        const named = options.names.get(node);
        if (!named) throw new EmitError(`${options.location}: Avro type ${JSON.stringify(node)} is not defined in the schema`, options.location);
        return avroType(named, options);
      }
    }
  }
  if (Array.isArray(node)) {
    const branches = node.map((b) => avroType(b, options));
    // `null` last reads like the record types (`string | null`).
    const nonNull = branches.filter((b) => b !== 'null');
    return [...nonNull, ...(nonNull.length < branches.length ? ['null'] : [])].join(' | ');
  }
  if (node === null || typeof node !== 'object') {
    throw new EmitError(`${options.location}: not an Avro type: ${JSON.stringify(node)}`, options.location);
  }
  const r = node as Record<string, unknown>;
  switch (r['type']) {
    case 'record': {
      const fields = r['fields'] as AvroField[];
      if (fields.length === 0) return 'Record<string, never>';
      const inner = `${options.pad}  `;
      const members = fields.map(
        (f) => `${inner}readonly ${key(f.name)}: ${avroType(f.type, { ...options, location: `${options.location}.${f.name}`, timestamp: isTimestampDoc(f.doc), pad: inner })};`,
      );
      return `{\n${members.join('\n')}\n${options.pad}}`;
    }
    case 'enum':
      return literalUnion((r['symbols'] as string[] | undefined) ?? []);
    case 'array': {
      const items = avroType(r['items'], options);
      return /^[\w.]+$/.test(items) ? `readonly ${items}[]` : `readonly (${items})[]`;
    }
    case 'map':
      return `{ readonly [key: string]: ${avroType(r['values'], options)} }`;
    case 'fixed':
      return 'Uint8Array';
    default:
      // `{"type": "string"}` and other primitives in object form
      return avroType(r['type'], options);
  }
}

/** Whether an Avro type admits null (a union with a `null` branch, or `null` itself). */
export function isNullable(node: unknown): boolean {
  return node === 'null' || (Array.isArray(node) && node.includes('null'));
}

/** The record inside a field type (the type, or the record branch of its union), by-name references resolved. */
export function recordOf(node: unknown, names: AvroNames): AvroRecord | null {
  if (typeof node === 'string') {
    const named = names.get(node);
    return isAvroRecord(named) ? named : null;
  }
  if (Array.isArray(node)) {
    for (const b of node) {
      const r = recordOf(b, names);
      if (r) return r;
    }
    return null;
  }
  return isAvroRecord(node) ? node : null;
}
