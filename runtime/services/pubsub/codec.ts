/**
 * The Avro codec every Pub/Sub event goes through: one per writer schema, cached by schema id.
 *
 * Decoding (`codec.decode(payload)`):
 * - every event is decoded with the schema it was written with (its own schema id), never
 *   resolved against the schema the types were generated from, so fields the generated type does
 *   not know (an org that added a field since `sfgen generate`) are kept, not dropped;
 * - unions come out unwrapped: `["null","string"]` is `string | null`, and
 *   `["null","string",Switchable_PersonName]` is `string | {...} | null` (avsc with
 *   `wrapUnions: 'never'`; no `{ string: ... }` wrappers, no guessing by shape);
 * - enums are their symbol strings;
 * - longs are `number` while they are exactly representable (below 2^53: every date, datetime and
 *   time Salesforce sends, epoch milliseconds until the year 287396), and `bigint` beyond — never a
 *   rounded number and never a decode failure. Generated types say `number` for longs the schema
 *   tags as a date, datetime or time and `number | bigint` for the others (`commitNumber`);
 * - change events: `ChangeEventHeader.changedFields`, `nulledFields` and `diffFields` arrive as hex
 *   bitmaps over the schema's field positions and are replaced by field names (see
 *   {@link BitmapLayout}).
 *
 * Encoding (`codec.encode(input)`): a plain object (no union wrappers), `CreatedDate` and
 * `CreatedById` filled when absent (the Publish RPC fails without them; Salesforce replaces them
 * with its own values), fields left out become null when the schema allows it, and a field the
 * schema does not know, a missing required field or a value of the wrong type is an
 * {@link EventEncodeError} naming the event and the field.
 */
import avro from 'avsc';
import { ProtocolError, ValidationError } from '../../errors.js';
import type { AnyEventDefinition, EventDefinition, PayloadOf, PublishInputOf } from './event.js';

/** An Avro schema JSON node (as parsed from `schema_json`). */
type SchemaNode = unknown;

// ---------------------------------------------------------------------------------------------
// Longs: number when exact, bigint beyond

interface AvroTap {
  buf: Buffer;
  pos: number;
  readLong(): number;
}

/** avsc's long type with a `_read` that returns a bigint instead of throwing on values beyond 2^53. */
class ExactLongType extends avro.types.LongType {
  _read(tap: AvroTap): number | bigint {
    const start = tap.pos;
    const n = tap.readLong();
    if (n <= Number.MAX_SAFE_INTEGER && n >= Number.MIN_SAFE_INTEGER) return n;
    // Re-read the zig-zag varint exactly.
    const buf = tap.buf;
    let pos = start;
    let value = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = buf[pos++] ?? 0;
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    tap.pos = pos;
    return (value >> 1n) ^ -(value & 1n);
  }
}

const EXACT_LONG = new ExactLongType();

function longHook(schema: unknown): avro.Type | undefined {
  if (schema === 'long') return EXACT_LONG;
  if (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) {
    const s = schema as Record<string, unknown>;
    if (s['type'] === 'long' && s['logicalType'] === undefined) return EXACT_LONG;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Where a payload came from, for error messages (the client passes what it knows). */
export interface EventLocation {
  readonly topic?: string | undefined;
  /** The event's replay id, as the client shows it (decimal). */
  readonly replayId?: string | undefined;
  /** The event's uuid (`ProducerEvent.id`). */
  readonly eventId?: string | undefined;
}

function where(schemaId: string, name: string, at: EventLocation | undefined): string {
  const parts = [at?.topic ?? name, `schema ${schemaId}`];
  if (at?.replayId !== undefined) parts.push(`replay id ${at.replayId}`);
  if (at?.eventId !== undefined) parts.push(`event ${at.eventId}`);
  return parts.join(', ');
}

/** A schema that cannot be read, or a payload that does not decode with its schema. Never skipped silently. */
export class EventDecodeError extends ProtocolError {
  /** The schema id the payload was decoded with. */
  readonly schemaId: string;
  readonly topic: string | undefined;
  readonly replayId: string | undefined;
  constructor(message: string, schemaId: string, at?: EventLocation, cause?: unknown) {
    super({ message, cause });
    this.schemaId = schemaId;
    this.topic = at?.topic;
    this.replayId = at?.replayId;
  }
}

/** A publish input the schema rejects: unknown field, missing required field, wrong type. Nothing was sent. */
export class EventEncodeError extends ValidationError {
  /** The event (`Order_Event__e`). */
  readonly event: string;
  /** The field at fault (`Amount__c`, `BillingAddress.City`), or null for the whole payload. */
  readonly field: string | null;
  constructor(event: string, field: string | null, message: string, cause?: unknown) {
    super({ message: `${event}${field === null ? '' : `.${field}`}: ${message}`, fields: field === null ? [] : [field], cause });
    this.event = event;
    this.field = field;
  }
}

// ---------------------------------------------------------------------------------------------
// Change event bitmaps

/**
 * How a change event's field bitmaps map to names, from the schema's field order.
 *
 * - `"0x…"`: bit *i* (least significant = 0) is the top-level field at position *i* (position 0
 *   is `ChangeEventHeader`).
 * - `"<pos>-0x…"`: bit *i* is field *i* of the record inside the compound field at top-level
 *   position `<pos>` (the record branch of its union), named `Parent.Component`
 *   (`BillingAddress.City`, `Name.LastName`).
 *
 * Decoding keeps exactly what the bitmaps say: a compound's own name appears when its top-level
 * bit is set, its components when the nested bitmap names them, and components are never collapsed
 * into the parent (Salesforce does not always set the parent's bit when only components changed).
 * Hex digits may be upper or lower case and of any length; an empty element or a bare `0x`
 * names nothing. A bit beyond the schema's fields or a
 * nested bitmap on a field that is not a record is an error: the bitmap was not written with this
 * schema.
 */
export class BitmapLayout {
  /** Top-level field names by position. */
  readonly fields: readonly string[];
  /** Component names by top-level position, for compound (record) fields. */
  readonly components: ReadonlyMap<number, readonly string[]>;
  private readonly cache = new Map<string, readonly string[]>();

  constructor(fields: readonly string[], components: ReadonlyMap<number, readonly string[]>) {
    this.fields = fields;
    this.components = components;
  }

  /** The layout of a record schema (JSON), resolving named types referenced by name. */
  static fromSchema(schema: SchemaNode): BitmapLayout {
    const named = new Map<string, Record<string, unknown>>();
    collectNamed(schema, null, named);
    const record = asRecord(schema);
    if (!record) throw new Error('not an Avro record schema');
    const fields: string[] = [];
    const components = new Map<number, readonly string[]>();
    const namespace = typeof record['namespace'] === 'string' ? record['namespace'] : null;
    (record['fields'] as unknown[]).forEach((f, i) => {
      const field = f as Record<string, unknown>;
      fields.push(String(field['name']));
      const nested = recordBranch(field['type'], named, namespace);
      if (nested) components.set(i, (nested['fields'] as unknown[]).map((c) => String((c as Record<string, unknown>)['name'])));
    });
    return new BitmapLayout(fields, components);
  }

  /**
   * Field names of one bitmap list (`["0x022180", "5-0x0E"]`). Results are cached per distinct
   * list (bitmaps repeat: the same kind of change gives the same bits).
   *
   * @example
   * ```ts
   * layout.names(['0x0180', '5-0x02']); // ['Phone', 'Fax', 'BillingAddress.City']
   * ```
   */
  names(bitmaps: readonly string[]): readonly string[] {
    if (bitmaps.length === 0) return EMPTY;
    const key = bitmaps.length === 1 ? (bitmaps[0] as string) : bitmaps.join(',');
    const hit = this.cache.get(key);
    if (hit) return hit;
    const out: string[] = [];
    for (const entry of bitmaps) this.expand(entry, out);
    const names = Object.freeze(out);
    if (this.cache.size >= 4096) this.cache.clear();
    this.cache.set(key, names);
    return names;
  }

  private expand(entry: string, out: string[]): void {
    // An empty top-level element (only components changed) names nothing.
    if (entry === '') return;
    const dash = entry.indexOf('-');
    if (dash < 0) {
      for (const pos of bitPositions(entry)) {
        const name = this.fields[pos];
        if (name === undefined) throw new Error(`bitmap ${entry} sets bit ${pos}, beyond the schema's ${this.fields.length} fields`);
        out.push(name);
      }
      return;
    }
    const parentText = entry.slice(0, dash);
    const parentPos = /^\d+$/.test(parentText) ? Number(parentText) : Number.NaN;
    const parent = this.fields[parentPos];
    const parts = this.components.get(parentPos);
    if (parent === undefined || parts === undefined) {
      throw new Error(`bitmap ${entry} addresses position ${parentText}, which is not a compound field of the schema`);
    }
    for (const pos of bitPositions(entry.slice(dash + 1))) {
      const name = parts[pos];
      if (name === undefined) throw new Error(`bitmap ${entry} sets bit ${pos}, beyond the ${parts.length} components of ${parent}`);
      out.push(`${parent}.${name}`);
    }
  }
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Set bit positions of a `0x…` hex bitmap, ascending. */
function bitPositions(hex: string): number[] {
  if (!/^0[xX][0-9a-fA-F]*$/.test(hex)) throw new Error(`malformed bitmap ${JSON.stringify(hex)} (expected 0x followed by hex digits)`);
  const out: number[] = [];
  const digits = hex.length - 2;
  for (let k = 0; k < digits; k++) {
    const nibble = parseInt(hex[hex.length - 1 - k] as string, 16);
    if (nibble === 0) continue;
    for (let b = 0; b < 4; b++) if (nibble & (1 << b)) out.push(k * 4 + b);
  }
  return out;
}

function asRecord(node: SchemaNode): Record<string, unknown> | null {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  const r = node as Record<string, unknown>;
  return r['type'] === 'record' && Array.isArray(r['fields']) ? r : null;
}

function fullName(name: string, namespace: string | null): string {
  return name.includes('.') || namespace === null ? name : `${namespace}.${name}`;
}

function collectNamed(node: SchemaNode, namespace: string | null, out: Map<string, Record<string, unknown>>): void {
  if (Array.isArray(node)) {
    for (const branch of node) collectNamed(branch, namespace, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const r = node as Record<string, unknown>;
  const ns = typeof r['namespace'] === 'string' ? r['namespace'] : namespace;
  if (typeof r['name'] === 'string' && (r['type'] === 'record' || r['type'] === 'enum' || r['type'] === 'fixed')) {
    out.set(fullName(r['name'], ns), r);
    out.set(r['name'], r);
  }
  if (Array.isArray(r['fields'])) for (const f of r['fields']) collectNamed((f as Record<string, unknown>)['type'], ns, out);
  if (r['items'] !== undefined) collectNamed(r['items'], ns, out);
  if (r['values'] !== undefined) collectNamed(r['values'], ns, out);
  if (typeof r['type'] === 'object') collectNamed(r['type'], ns, out);
}

/** The record a field type holds: the type itself, or the record branch of a union; by-name references resolved. */
function recordBranch(type: SchemaNode, named: ReadonlyMap<string, Record<string, unknown>>, namespace: string | null): Record<string, unknown> | null {
  const resolve = (t: SchemaNode): Record<string, unknown> | null => {
    if (typeof t === 'string') return asRecord(named.get(fullName(t, namespace)) ?? named.get(t) ?? null);
    const r = asRecord(t);
    if (r) return r;
    if (t !== null && typeof t === 'object' && !Array.isArray(t)) return resolve((t as Record<string, unknown>)['type']);
    return null;
  };
  if (Array.isArray(type)) {
    for (const branch of type) {
      const r = resolve(branch);
      if (r) return r;
    }
    return null;
  }
  return resolve(type);
}

// ---------------------------------------------------------------------------------------------
// The codec

/** Options of {@link EventCodec.encode}. */
export interface EncodeOptions {
  /** `CreatedById` when the input has none: the publishing user's id (Salesforce overwrites it). */
  readonly createdById?: string | undefined;
  /** `CreatedDate` when the input has none (default `Date.now()`; Salesforce overwrites it). */
  readonly now?: (() => number) | undefined;
}

/** Options of {@link eventCodec}. */
export interface CodecOptions {
  /** Event name for messages (default: the schema's record name). */
  readonly name?: string | undefined;
  /** Fields a publish input must set to a non-null value (from the event's describe: not nillable, not defaulted). */
  readonly requiredFields?: readonly string[] | undefined;
}

/** Placeholder `CreatedById` when neither the input nor the caller gives one; Salesforce sets the real publisher. */
const PLACEHOLDER_USER_ID = '005000000000000AAA';

/**
 * Decoder and encoder bound to one writer schema.
 *
 * @example
 * ```ts
 * const codec = eventCodec(schemaInfo.schemaId, schemaInfo.schemaJson);
 * const payload = codec.decode(consumerEvent.event.payload);
 * ```
 */
export class EventCodec<Payload = Record<string, unknown>, Input = Record<string, unknown>> {
  readonly schemaId: string;
  /** The event name (the schema's record name unless given). */
  readonly name: string;
  /** Whether this is a change event schema (a `ChangeEventHeader` at position 0). */
  readonly changeEvent: boolean;
  /** The bitmap layout of a change event schema, else null. */
  readonly layout: BitmapLayout | null;
  private readonly type: avro.Type;
  private readonly fieldNames: ReadonlySet<string>;
  private readonly nullable: ReadonlySet<string>;
  private readonly required: readonly string[];
  private readonly hasCreatedDate: boolean;
  private readonly hasCreatedById: boolean;

  constructor(schemaId: string, schema: string | object, options: CodecOptions = {}) {
    this.schemaId = schemaId;
    let json: unknown;
    try {
      json = typeof schema === 'string' ? JSON.parse(schema) : schema;
    } catch (error) {
      throw new EventDecodeError(`Schema ${schemaId} is not valid JSON: ${(error as Error).message}`, schemaId, undefined, error);
    }
    const record = asRecord(json);
    if (!record) throw new EventDecodeError(`Schema ${schemaId} is not an Avro record schema`, schemaId);
    this.name = options.name ?? String(record['name']);
    try {
      this.type = avro.Type.forSchema(json as avro.Schema, { wrapUnions: 'never', typeHook: longHook });
    } catch (error) {
      throw new EventDecodeError(`Schema ${schemaId} of ${this.name} cannot be read: ${(error as Error).message}`, schemaId, undefined, error);
    }
    const fields = record['fields'] as Record<string, unknown>[];
    this.fieldNames = new Set(fields.map((f) => String(f['name'])));
    this.nullable = new Set(fields.filter((f) => Array.isArray(f['type']) && f['type'].includes('null')).map((f) => String(f['name'])));
    this.required = options.requiredFields ?? [];
    this.hasCreatedDate = this.fieldNames.has('CreatedDate') && !this.nullable.has('CreatedDate');
    this.hasCreatedById = this.fieldNames.has('CreatedById') && !this.nullable.has('CreatedById');
    this.changeEvent = fields[0]?.['name'] === 'ChangeEventHeader';
    this.layout = this.changeEvent ? BitmapLayout.fromSchema(json) : null;
  }

  /**
   * Decodes one event payload (schemaless Avro binary) with this schema. Change event bitmaps
   * become field names. A payload that does not decode is an {@link EventDecodeError}.
   */
  decode(payload: Uint8Array, at?: EventLocation): Payload {
    let value: Record<string, unknown>;
    try {
      const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      value = this.type.fromBuffer(buf) as Record<string, unknown>;
    } catch (error) {
      throw new EventDecodeError(
        `Cannot decode an event of ${where(this.schemaId, this.name, at)}: ${(error as Error).message}`,
        this.schemaId,
        at,
        error,
      );
    }
    if (this.layout !== null) {
      const header = value['ChangeEventHeader'] as Record<string, unknown> | null;
      if (header) {
        try {
          header['changedFields'] = this.layout.names(header['changedFields'] as string[]);
          header['nulledFields'] = this.layout.names(header['nulledFields'] as string[]);
          header['diffFields'] = this.layout.names(header['diffFields'] as string[]);
        } catch (error) {
          throw new EventDecodeError(
            `Cannot decode the ChangeEventHeader field bitmaps of ${where(this.schemaId, this.name, at)}: ${(error as Error).message}`,
            this.schemaId,
            at,
            error,
          );
        }
      }
    }
    return value as Payload;
  }

  /**
   * Encodes a publish input into an Avro payload for this schema. `CreatedDate` and `CreatedById`
   * are filled when absent; omitted nullable fields are null.
   */
  encode(input: Input, options: EncodeOptions = {}): Buffer {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new EventEncodeError(this.name, null, `a publish payload must be an object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
    }
    const source = input as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      if (!this.fieldNames.has(key)) throw new EventEncodeError(this.name, key, `no such field in schema ${this.schemaId}`);
    }
    for (const field of this.required) {
      if (source[field] === undefined || source[field] === null) throw new EventEncodeError(this.name, field, 'is required');
    }
    const record: Record<string, unknown> = { ...source };
    if (this.hasCreatedDate && record['CreatedDate'] === undefined) record['CreatedDate'] = (options.now ?? Date.now)();
    if (this.hasCreatedById && record['CreatedById'] === undefined) record['CreatedById'] = options.createdById ?? PLACEHOLDER_USER_ID;
    for (const name of this.nullable) if (record[name] === undefined) record[name] = null;
    try {
      return this.type.toBuffer(record);
    } catch (error) {
      let path: string | null = null;
      let detail = (error as Error).message;
      this.type.isValid(record, {
        errorHook: (p: string[], val: unknown, t: avro.Type) => {
          if (path !== null) return;
          path = p.join('.');
          detail = `${JSON.stringify(typeof val === 'bigint' ? String(val) : val) ?? String(val)} is not a valid ${describeType(t)}`;
        },
      });
      throw new EventEncodeError(this.name, path === '' ? null : path, detail, error);
    }
  }
}

function describeType(t: avro.Type): string {
  const name = (t as { typeName?: string }).typeName;
  return name === 'union:unwrapped' ? 'value for this union' : (name ?? 'value');
}

const CODECS = new Map<string, EventCodec>();

/**
 * The codec of a schema id, built on first use and cached (a schema id names one schema for good;
 * a topic's schema changes by getting a new id).
 *
 * @example
 * ```ts
 * const codec = eventCodec('Jx8Hz9ElkIUaBf-heF1ShA', schemaJson);
 * ```
 */
export function eventCodec(schemaId: string, schema: string | object, options?: CodecOptions): EventCodec {
  let codec = CODECS.get(schemaId);
  if (!codec) {
    codec = new EventCodec(schemaId, schema, options);
    CODECS.set(schemaId, codec);
  }
  return codec;
}

/** The cached codec of a schema id, or undefined. */
export function cachedCodec(schemaId: string): EventCodec | undefined {
  return CODECS.get(schemaId);
}

const DEFINITION_CODECS = new WeakMap<object, EventCodec<unknown, unknown>>();

/**
 * The codec of a generated event definition, typed by its payload and publish input: decodes
 * events written with the definition's schema and encodes its publish inputs (required fields
 * checked). Events written with another schema id (the org changed the event since generation)
 * decode with {@link eventCodec} of that id; their payload keeps the fields the type does not know.
 *
 * @example
 * ```ts
 * import { Order_Event__e } from './generated/events/Order_Event__e.js';
 * const payload = codecFor(Order_Event__e).encode({ Order_Number__c: 'A-1' });
 * ```
 */
export function codecFor<E extends AnyEventDefinition>(definition: E): EventCodec<PayloadOf<E>, PublishInputOf<E>> {
  let codec = DEFINITION_CODECS.get(definition);
  if (!codec) {
    const def: EventDefinition<unknown, unknown> = definition;
    codec = new EventCodec<unknown, unknown>(def.schemaId, def.schemaJson, { name: def.name, requiredFields: def.requiredFields });
    DEFINITION_CODECS.set(definition, codec);
    if (!CODECS.has(def.schemaId)) CODECS.set(def.schemaId, codec as EventCodec);
  }
  return codec as EventCodec<PayloadOf<E>, PublishInputOf<E>>;
}
