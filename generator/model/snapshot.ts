/**
 * The schema snapshot (`schema.lock.json`): a lockfile-like record of the org schema the code in
 * `--out` was generated against. `sfgen generate` writes it; `sfgen check` and `sfgen lint` read it.
 *
 * Layout (deterministic, diff-friendly, small enough for a 1,500-object org):
 * ```json
 * {
 *   "apiVersion": "60.0",
 *   "events": {
 *     "Order_Event__e": {
 *       "hash": "sha256:…",
 *       "model": {"kind":"platformEvent","name":"Order_Event__e","schema":{"fields":[
 *         {"name":"CreatedDate","type":"long"},
 *         …
 *       ],"name":"Order_Event__e","type":"record"},"schemaId":"…","topic":"/event/Order_Event__e"}
 *     }
 *   },
 *   "formatVersion": 1,
 *   "modelFormatVersion": 1,
 *   "notGenerated": [
 *     "AcceptedEventRelation",
 *     …
 *   ],
 *   "objects": {
 *     "Account": {
 *       "childRelationships": [
 *         {"cascadeDelete":true,"childSObject":"Contact","field":"AccountId","relationshipName":"Contacts"},
 *       ],
 *       "fields": {
 *         "AnnualRevenue": {"groupable":false,"label":"Annual Revenue","precision":18,"scale":2,"type":"currency"},
 *         "Industry": {"byteLength":765,"label":"Industry","length":255,"picklist":{"values":[
 *           "Agriculture",
 *           {"label":"Tech","value":"Technology"},
 *           {"active":false,"value":"Legacy"}
 *         ]},"type":"picklist"},
 *         "Name": {"byteLength":765,"label":"Account Name","length":255,"nameField":true,"nillable":false,"requiredOnCreate":true,"type":"string"},
 *       },
 *       "hash": "sha256:…",
 *       "lastModified": "Mon, 06 May 2024 09:15:27 GMT",
 *       "object": {"associateParentEntity":null,"createable":true,…},
 *       "recordTypes": []
 *     }
 *   },
 *   "orgId": null,
 *   "sfgenVersion": "0.1.0"
 * }
 * ```
 * One line per field, child relationship, record type and picklist value, so that a `git diff`
 * shows exactly which field changed. Property keys are sorted (code-unit order) everywhere; the
 * name-keyed maps (`objects`, `fields`, `events`) follow the model's order, which is sorted by
 * name. The field maps omit the redundant `name` (the key), as does `object` (the map key).
 *
 * Compact form: field, picklist, reference and child-relationship properties equal to their
 * default ({@link FIELD_DEFAULTS}: access flags true, other flags false, texts null, sizes 0) are
 * left out, and a picklist value that is active, not the default, independent and labelled as its
 * value is a bare string. A 1,500-object org with ~340,000 fields gives ~75 MB instead of ~310 MB.
 * `notGenerated` (present when the writer passed the source's object list) names the sObjects of
 * the source that were not generated, one per line, so that a drift check can tell "added to the
 * org" from "not selected".
 *
 * Each object's `hash` is `sha256:` + the hex SHA-256 of the object's canonical compact JSON (the
 * entry without `hash` and `lastModified`, sorted keys, no whitespace; see {@link objectHash}).
 * {@link parseSnapshot} recomputes it and rejects a model edited by hand, so a damaged file can
 * never read as "no drift"; with `lazy`, it does so when an object's model is first read (a drift
 * check reads only the objects whose describe changed).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FIELD_TYPES } from 'sfgen/tooling';
import {
  MODEL_FORMAT_VERSION,
  type ChildRelationshipModel,
  type EventModel,
  type FieldModel,
  type ObjectKind,
  type ObjectModel,
  type OrgModel,
  type PicklistModel,
  type PicklistValueModel,
  type RecordTypeModel,
  type ReferenceModel,
} from './types.js';

/** The snapshot's file name inside `--out`. */
export const SNAPSHOT_FILE = 'schema.lock.json';

/** Version of the snapshot's layout; bump when it changes incompatibly. Readers reject newer ones. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** One object as recorded in the snapshot. */
export interface SnapshotObject {
  readonly name: string;
  /** `sha256:<hex>` of the object model's canonical JSON (see {@link objectHash}). */
  readonly hash: string;
  /** The describe's `Last-Modified` header when read from a live org; null for a directory source. */
  readonly lastModified: string | null;
  readonly model: ObjectModel;
}

/** One event as recorded in the snapshot. */
export interface SnapshotEvent {
  readonly name: string;
  readonly hash: string;
  readonly model: EventModel;
}

/** A parsed, validated snapshot. */
export interface Snapshot {
  /** The file it was read from (as given to {@link parseSnapshot}). */
  readonly file: string;
  readonly formatVersion: number;
  /** The sfgen version that wrote it. */
  readonly sfgenVersion: string;
  readonly apiVersion: string;
  readonly orgId: string | null;
  /** Objects by name, in name order. */
  readonly objects: ReadonlyMap<string, SnapshotObject>;
  /** Events by name, in name order. */
  readonly events: ReadonlyMap<string, SnapshotEvent>;
  /**
   * sObjects the source listed that were not generated (a `--objects` subset), so a drift check
   * does not report them as added; null when the writer did not record the source's object list.
   */
  readonly notGenerated: readonly string[] | null;
  /**
   * Where an object (or one of its fields) is written in the file, 1-based, for annotations that
   * point reviewers at the snapshot line; undefined when not found (e.g. a hand-formatted file).
   */
  locate(object: string, field?: string): { line: number; column: number } | undefined;
  /** The org model the snapshot holds, rebuilt exactly as it was serialized. */
  readonly model: OrgModel;
}

/** What {@link serializeSnapshot} needs besides the model. */
export interface SnapshotMeta {
  /** Per object name, the describe's `Last-Modified` (null or absent: unknown, e.g. a directory source). */
  readonly lastModified: ReadonlyMap<string, string | null>;
  /**
   * Every sObject name in the source's global describe. When given, the names that were not
   * generated are recorded (`notGenerated`), so `sfgen check` reports only objects added since.
   */
  readonly orgObjects?: readonly string[];
}

/** A snapshot that cannot be used: missing, unreadable, corrupt, or from a newer sfgen. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  /** Stable code: `SNAPSHOT_MISSING`, `SNAPSHOT_UNREADABLE`, `SNAPSHOT_INVALID_JSON`, `SNAPSHOT_INVALID`, `SNAPSHOT_TOO_NEW`, `SNAPSHOT_HASH_MISMATCH`. */
  readonly code: string;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    code: string,
    file: string,
    message: string,
    position?: { line: number; column: number },
    options?: { cause?: unknown },
  ) {
    const where = position ? `${file}:${position.line}:${position.column}` : file;
    super(`${where}: ${message}`, options);
    this.code = code;
    this.file = file;
    this.line = position?.line;
    this.column = position?.column;
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON and hashing

/**
 * JSON with object keys sorted (code-unit order) at every level, no whitespace; `undefined`
 * properties are left out (as `JSON.stringify` does).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The hash recorded for an object (or event) model: `sha256:` + hex SHA-256 of its canonical JSON.
 * Two models hash equal exactly when they are deep-equal.
 *
 * @example
 * ```ts
 * if (objectHash(liveAccount) !== snapshot.objects.get('Account')?.hash) { ... }
 * ```
 */
export function objectHash(object: ObjectModel | EventModel): string {
  const text = 'fields' in object ? objectCanonical(object, fieldJson) : canonicalJson(object);
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * The canonical compact JSON of an object model that its hash covers: the snapshot entry without
 * `hash` and `lastModified`, on one line —
 * `{"childRelationships":[…],"fields":{"<name>":{…},…},"object":{…},"recordTypes":[…]}` with
 * sorted keys, fields in model order and defaults left out (see {@link FIELD_DEFAULTS}).
 */
function objectCanonical(object: ObjectModel, field: (f: FieldModel) => string): string {
  const { fields, childRelationships, recordTypes, name: _name, ...header } = object;
  let out = '{"childRelationships":[';
  out += childRelationships.map((c) => compactJson(c, CHILD_DEFAULTS)).join(',');
  out += '],"fields":{';
  out += fields.map((f) => `${JSON.stringify(f.name)}:${field(f)}`).join(',');
  out += `},"object":${canonicalJson(header)},"recordTypes":[`;
  out += recordTypes.map((r) => canonicalJson(r)).join(',');
  return `${out}]}`;
}

// ---------------------------------------------------------------------------------------------
// Compact form: values equal to these defaults are left out of the file and restored on read
// (a 1,500-object org has ~340,000 fields; writing every false and null would triple the file).

/**
 * Field properties and the value they take when absent from the file. `label` and `type` are
 * always written. The access flags default to `true` (what most fields are), so a field line
 * shows what a field cannot do: `"updateable":false`.
 */
export const FIELD_DEFAULTS = {
  helpText: null,
  custom: false,
  nillable: true,
  createable: true,
  updateable: true,
  filterable: true,
  sortable: true,
  groupable: true,
  aggregatable: true,
  defaultedOnCreate: false,
  requiredOnCreate: false,
  defaultValue: null,
  defaultValueFormula: null,
  externalId: false,
  idLookup: false,
  unique: false,
  caseSensitive: false,
  autoNumber: false,
  calculated: null,
  formula: null,
  encrypted: false,
  htmlFormatted: false,
  nameField: false,
  deprecatedAndHidden: false,
  length: 0,
  byteLength: 0,
  precision: 0,
  scale: 0,
  digits: 0,
  extraTypeInfo: null,
  compoundFieldName: null,
  picklist: null,
  reference: null,
} as const satisfies Omit<FieldModel, 'name' | 'label' | 'type'>;

const PICKLIST_DEFAULTS = { restricted: false, dependent: false, controllerName: null } as const;
const REFERENCE_DEFAULTS = {
  polymorphic: false,
  masterDetail: false,
  relationshipOrder: null,
  cascadeDelete: false,
  restrictedDelete: false,
  referenceTargetField: null,
} as const;
const CHILD_DEFAULTS = { cascadeDelete: false, restrictedDelete: false } as const;

/** Canonical JSON of `obj` without the properties equal to their default (primitives only). */
function compactJson(obj: object, defaults: Readonly<Record<string, unknown>>, write?: (key: string, value: unknown) => string | undefined): string {
  const record = obj as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const value = record[key];
    if (value === undefined) continue;
    if (Object.hasOwn(defaults, key) && defaults[key] === value) continue;
    const written = write?.(key, value) ?? canonicalJson(value);
    out += `${first ? '' : ','}${JSON.stringify(key)}:${written}`;
    first = false;
  }
  return `${out}}`;
}

/** A picklist value: a bare string when active, not the default, independent and labelled as its value. */
function compactPicklistValue(v: PicklistValueModel): string {
  const { value, label, active, defaultValue, validFor, ...extra } = v;
  if (active && !defaultValue && validFor === null && label === value && Object.keys(extra).length === 0) return JSON.stringify(value);
  return compactJson({ value, ...(label !== value && { label }), active, defaultValue, validFor, ...extra }, { active: true, defaultValue: false, validFor: null });
}

/** The properties of a field other than `name`, sorted, with their JSON key prefix (`"label":`). */
const FIELD_KEYS: ReadonlyArray<readonly [string, string]> = [...Object.keys(FIELD_DEFAULTS), 'label', 'type']
  .sort()
  .map((k) => [k, `${JSON.stringify(k)}:`] as const);
const FIELD_DEFAULT_VALUES: Readonly<Record<string, unknown>> = FIELD_DEFAULTS;

/**
 * A field's compact JSON (without its name). With `pad`, picklist values go one per line, indented.
 * Fast path over the known properties (this runs ~340,000 times for a large org); a field with
 * properties this version does not know goes through the generic writer, which keeps them.
 */
function writeField(field: FieldModel, pad?: string): string {
  const record = field as unknown as Record<string, unknown>;
  let known = true;
  let out = '{';
  for (const [key, prefix] of FIELD_KEYS) {
    const value = record[key];
    if (value === undefined) {
      known = false;
      break;
    }
    if (FIELD_DEFAULT_VALUES[key] === value) continue;
    let json: string;
    if (value === null) json = 'null';
    else if (typeof value === 'boolean') json = value ? 'true' : 'false';
    else if (typeof value !== 'object') json = JSON.stringify(value);
    else if (key === 'picklist') json = writePicklist(value as PicklistModel, pad);
    else if (key === 'reference') json = compactJson(value, REFERENCE_DEFAULTS);
    else json = canonicalJson(value);
    out += out.length === 1 ? prefix + json : `,${prefix}${json}`;
  }
  if (known && Object.keys(record).length === FIELD_KEYS.length + 1) return `${out}}`;
  return writeFieldGeneric(field, pad);
}

function writeFieldGeneric(field: FieldModel, pad?: string): string {
  const { name: _name, ...rest } = field;
  return compactJson(rest, FIELD_DEFAULTS, (key, value) => {
    if (key === 'picklist' && value !== null) return writePicklist(value as PicklistModel, pad);
    if (key === 'reference' && value !== null) return compactJson(value as object, REFERENCE_DEFAULTS);
    return undefined;
  });
}

function fieldJson(field: FieldModel): string {
  return writeField(field);
}

function writePicklist(picklist: PicklistModel, pad?: string): string {
  return compactJson(picklist, PICKLIST_DEFAULTS, (key, value) => {
    if (key !== 'values' || !Array.isArray(value)) return undefined;
    const values = (value as PicklistValueModel[]).map(compactPicklistValue);
    if (pad === undefined || values.length === 0) return `[${values.join(',')}]`;
    const inner = `${pad}${INDENT}`;
    return `[\n${values.map((v) => inner + v).join(',\n')}\n${pad}]`;
  });
}

const INDENT = '  ';

function block(lines: readonly string[], depth: number, open: '[' | '{'): string {
  const close = open === '[' ? ']' : '}';
  if (lines.length === 0) return open + close;
  const pad = INDENT.repeat(depth + 1);
  return `${open}\n${lines.map((l) => pad + l).join(',\n')}\n${INDENT.repeat(depth)}${close}`;
}

/** An Avro schema on one line, except that a record's `fields` go one per line. */
function writeAvro(schema: unknown, depth: number): string {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return canonicalJson(schema);
  return compactJson(schema, {}, (key, value) =>
    key === 'fields' && Array.isArray(value) ? block(value.map((f) => canonicalJson(f)), depth, '[') : undefined,
  );
}

// ---------------------------------------------------------------------------------------------
// Serialize

/**
 * Serializes an org model as the snapshot text (ends with a newline). Deterministic: the same
 * model and meta always give the same bytes.
 *
 * @example
 * ```ts
 * const text = serializeSnapshot(model, { lastModified: new Map([['Account', 'Mon, 06 May 2024 09:15:27 GMT']]) });
 * await writeFile(join(outDir, SNAPSHOT_FILE), text);
 * ```
 */
export function serializeSnapshot(model: OrgModel, meta: SnapshotMeta): string {
  const objectNames = new Set<string>();
  const objectEntries: string[] = [];
  // depth: root 0, "objects" 1, an object 2, its members 3, a field 4.
  const fieldPad = INDENT.repeat(4);
  for (const object of model.objects) {
    if (objectNames.has(object.name)) throw new Error(`serializeSnapshot: duplicate object ${object.name}`);
    objectNames.add(object.name);
    const { fields, childRelationships, recordTypes, name: _name, ...header } = object;
    const fieldNames = new Set<string>();
    const fieldLines: string[] = [];
    // Each field's one-line JSON feeds the hash; fields with picklist values are laid out again.
    const oneLine = new Map<FieldModel, string>();
    for (const field of fields) {
      if (fieldNames.has(field.name)) throw new Error(`serializeSnapshot: duplicate field ${object.name}.${field.name}`);
      fieldNames.add(field.name);
      const json = writeField(field);
      oneLine.set(field, json);
      const laidOut = field.picklist && field.picklist.values.length > 0 ? writeField(field, fieldPad) : json;
      fieldLines.push(`${JSON.stringify(field.name)}: ${laidOut}`);
    }
    const hash = `sha256:${createHash('sha256').update(objectCanonical(object, (f) => oneLine.get(f) ?? writeField(f))).digest('hex')}`;
    const members = [
      `"childRelationships": ${block(childRelationships.map((c) => compactJson(c, CHILD_DEFAULTS)), 3, '[')}`,
      `"fields": ${block(fieldLines, 3, '{')}`,
      `"hash": ${JSON.stringify(hash)}`,
      `"lastModified": ${JSON.stringify(meta.lastModified.get(object.name) ?? null)}`,
      `"object": ${canonicalJson(header)}`,
      `"recordTypes": ${block(recordTypes.map((r) => canonicalJson(r)), 3, '[')}`,
    ];
    objectEntries.push(`${JSON.stringify(object.name)}: ${block(members, 2, '{')}`);
  }
  const eventNames = new Set<string>();
  const eventEntries: string[] = [];
  for (const event of model.events) {
    if (eventNames.has(event.name)) throw new Error(`serializeSnapshot: duplicate event ${event.name}`);
    eventNames.add(event.name);
    const body = compactJson(event, {}, (key, value) => (key === 'schema' ? writeAvro(value, 3) : undefined));
    eventEntries.push(`${JSON.stringify(event.name)}: ${block([`"hash": ${JSON.stringify(objectHash(event))}`, `"model": ${body}`], 2, '{')}`);
  }
  const top = [
    `"apiVersion": ${JSON.stringify(model.apiVersion)}`,
    `"events": ${block(eventEntries, 1, '{')}`,
    `"formatVersion": ${SNAPSHOT_FORMAT_VERSION}`,
    `"modelFormatVersion": ${JSON.stringify(model.formatVersion)}`,
  ];
  if (meta.orgObjects) {
    const notGenerated = [...new Set(meta.orgObjects)].filter((n) => !objectNames.has(n)).sort(compareCodeUnits);
    top.push(`"notGenerated": ${block(notGenerated.map((n) => JSON.stringify(n)), 1, '[')}`);
  }
  top.push(
    `"objects": ${block(objectEntries, 1, '{')}`,
    `"orgId": ${JSON.stringify(model.orgId)}`,
    `"sfgenVersion": ${JSON.stringify(model.generatorVersion)}`,
  );
  return `${block(top, 0, '{')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Validation schemas of the compact form (loose: keys added by a later, compatible model version
// are kept, so the hash still matches; the typed keys are checked).

const OBJECT_KINDS = [
  'standard', 'custom', 'platformEvent', 'changeEvent', 'customMetadata', 'customSetting',
  'externalObject', 'bigObject', 'history', 'share', 'feed',
] as const satisfies readonly ObjectKind[];

const fieldTypeSchema = z.enum(FIELD_TYPES as [FieldModel['type'], ...FieldModel['type'][]]);
const optBool = z.boolean().optional();
const optNullableString = z.string().nullable().optional();
const optNumber = z.number().optional();

const picklistValueSchema = z.union([
  z.string(),
  z.looseObject({
    value: z.string(),
    label: z.string().optional(),
    active: optBool,
    defaultValue: optBool,
    validFor: z.array(z.number().int().nonnegative()).nullable().optional(),
  }),
]);

const picklistSchema = z.looseObject({
  restricted: optBool,
  dependent: optBool,
  controllerName: optNullableString,
  values: z.array(picklistValueSchema),
});

const referenceSchema = z.looseObject({
  referenceTo: z.array(z.string()),
  relationshipName: z.string().nullable(),
  polymorphic: optBool,
  masterDetail: optBool,
  relationshipOrder: z.number().nullable().optional(),
  cascadeDelete: optBool,
  restrictedDelete: optBool,
  referenceTargetField: optNullableString,
});

/** A field entry in the snapshot (the `name` is the map key; defaults left out). */
const fieldEntrySchema = z.looseObject({
  label: z.string(),
  type: fieldTypeSchema,
  helpText: optNullableString,
  custom: optBool,
  nillable: optBool,
  createable: optBool,
  updateable: optBool,
  filterable: optBool,
  sortable: optBool,
  groupable: optBool,
  aggregatable: optBool,
  defaultedOnCreate: optBool,
  requiredOnCreate: optBool,
  defaultValue: z.union([z.string(), z.number(), z.boolean()]).nullable().optional(),
  defaultValueFormula: optNullableString,
  externalId: optBool,
  idLookup: optBool,
  unique: optBool,
  caseSensitive: optBool,
  autoNumber: optBool,
  calculated: z.enum(['formula', 'rollup']).nullable().optional(),
  formula: optNullableString,
  encrypted: optBool,
  htmlFormatted: optBool,
  nameField: optBool,
  deprecatedAndHidden: optBool,
  length: optNumber,
  byteLength: optNumber,
  precision: optNumber,
  scale: optNumber,
  digits: optNumber,
  extraTypeInfo: optNullableString,
  compoundFieldName: optNullableString,
  picklist: picklistSchema.nullable().optional(),
  reference: referenceSchema.nullable().optional(),
});

const childRelationshipSchema = z.looseObject({
  relationshipName: z.string().nullable(),
  childSObject: z.string(),
  field: z.string(),
  cascadeDelete: optBool,
  restrictedDelete: optBool,
});

const recordTypeSchema: z.ZodType<RecordTypeModel> = z.looseObject({
  developerName: z.string(),
  name: z.string(),
  recordTypeId: z.string(),
  active: z.boolean(),
  master: z.boolean(),
});

const objectHeaderSchema = z.looseObject({
  label: z.string(),
  labelPlural: z.string(),
  kind: z.enum(OBJECT_KINDS),
  custom: z.boolean(),
  namespace: z.string().nullable(),
  keyPrefix: z.string().nullable(),
  queryable: z.boolean(),
  createable: z.boolean(),
  updateable: z.boolean(),
  deletable: z.boolean(),
  undeletable: z.boolean(),
  searchable: z.boolean(),
  retrieveable: z.boolean(),
  triggerable: z.boolean(),
  associateParentEntity: z.string().nullable(),
});

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
const hashSchema = z.string().regex(HASH_PATTERN, 'expected sha256:<64 hex digits>');

/** What is checked of every object at parse time (cheap); the model is checked when first used. */
const objectEnvelopeSchema = z.looseObject({
  hash: hashSchema,
  lastModified: z.string().nullable(),
});

const objectEntrySchema = z.strictObject({
  childRelationships: z.array(childRelationshipSchema),
  fields: z.record(z.string(), fieldEntrySchema),
  hash: hashSchema,
  lastModified: z.string().nullable(),
  object: objectHeaderSchema,
  recordTypes: z.array(recordTypeSchema),
});

const eventModelSchema: z.ZodType<EventModel> = z.looseObject({
  name: z.string(),
  topic: z.string(),
  kind: z.enum(['platformEvent', 'changeEvent']),
  schemaId: z.string(),
  schema: z.unknown(),
});

const eventEntrySchema = z.strictObject({
  hash: hashSchema,
  model: eventModelSchema,
});

/** Only what must be read before anything else: the versions, so a newer file fails clearly. */
const versionProbeSchema = z.looseObject({
  formatVersion: z.number().int().positive(),
  modelFormatVersion: z.number().int().positive(),
  sfgenVersion: z.string(),
});

const snapshotDocSchema = z.strictObject({
  apiVersion: z.string().regex(/^\d+\.\d+$/, 'expected an API version such as "60.0"'),
  events: z.record(z.string(), eventEntrySchema),
  formatVersion: z.number().int().positive(),
  modelFormatVersion: z.literal(MODEL_FORMAT_VERSION),
  notGenerated: z.array(z.string()).optional(),
  objects: z.record(z.string(), objectEnvelopeSchema),
  orgId: z.string().nullable(),
  sfgenVersion: z.string().min(1),
});

// ---------------------------------------------------------------------------------------------
// Expand the compact form back into models

type FieldEntry = z.infer<typeof fieldEntrySchema>;

function expandField(name: string, entry: FieldEntry): FieldModel {
  const { picklist, reference, ...rest } = entry;
  return {
    ...FIELD_DEFAULTS,
    ...rest,
    name,
    picklist: picklist ? expandPicklist(picklist) : null,
    reference: reference ? { ...REFERENCE_DEFAULTS, ...reference } : null,
  };
}

function expandPicklist(p: z.infer<typeof picklistSchema>): PicklistModel {
  return {
    ...PICKLIST_DEFAULTS,
    ...p,
    values: p.values.map(
      (v): PicklistValueModel =>
        typeof v === 'string'
          ? { value: v, label: v, active: true, defaultValue: false, validFor: null }
          : { active: true, defaultValue: false, validFor: null, ...v, label: v.label ?? v.value },
    ),
  };
}

function expandObject(name: string, entry: z.infer<typeof objectEntrySchema>): ObjectModel {
  const fields: FieldModel[] = [];
  for (const [fieldName, f] of Object.entries(entry.fields)) fields.push(expandField(fieldName, f));
  return {
    ...entry.object,
    name,
    fields,
    childRelationships: entry.childRelationships.map((c): ChildRelationshipModel => ({ ...CHILD_DEFAULTS, ...c })),
    recordTypes: entry.recordTypes,
  };
}

// ---------------------------------------------------------------------------------------------
// Parse

/** Options of {@link parseSnapshot}. */
export interface ParseSnapshotOptions {
  /**
   * Validate each object's model when it is first read (`snapshot.objects.get(n).model`) instead of
   * all at once. A drift check of a large org reads only the objects that changed. Errors are the
   * same {@link SnapshotError}s, thrown at first use. Default false.
   */
  readonly lazy?: boolean;
}

class LazySnapshotObject implements SnapshotObject {
  private cached: ObjectModel | undefined;
  constructor(
    readonly name: string,
    readonly hash: string,
    readonly lastModified: string | null,
    private raw: unknown,
    private readonly text: string,
    private readonly file: string,
  ) {}

  get model(): ObjectModel {
    if (this.cached) return this.cached;
    const parsed = objectEntrySchema.safeParse(this.raw);
    if (!parsed.success) {
      throw new SnapshotError('SNAPSHOT_INVALID', this.file, `invalid snapshot: ${describeZodError(parsed.error, ['objects', this.name])}`, findKeyPosition(this.text, this.name));
    }
    const model = expandObject(this.name, parsed.data);
    const hash = objectHash(model);
    if (hash !== this.hash) {
      throw new SnapshotError(
        'SNAPSHOT_HASH_MISMATCH',
        this.file,
        `object ${this.name}: recorded hash ${this.hash} does not match its model (${hash}); ` +
          'the snapshot was edited by hand or damaged — restore it from git or run `sfgen generate`',
        findKeyPosition(this.text, this.name),
      );
    }
    this.cached = model;
    this.raw = undefined;
    return model;
  }
}

/**
 * Parses and validates snapshot text. Throws {@link SnapshotError} naming `file` (with line and
 * column for malformed JSON, the JSON path for a wrong shape) for a corrupt or truncated file, a
 * snapshot written by a newer sfgen format, or an object whose recorded hash does not match its
 * model. Never returns a partial snapshot (with `lazy`, an object's model is checked at first use).
 *
 * @example
 * ```ts
 * const snapshot = parseSnapshot(await readFile(path, 'utf8'), path);
 * snapshot.objects.get('Account')?.model.fields.length;
 * ```
 */
export function parseSnapshot(text: string, file: string, options: ParseSnapshotOptions = {}): Snapshot {
  if (text.trim() === '') {
    throw new SnapshotError('SNAPSHOT_INVALID_JSON', file, 'the snapshot file is empty; run `sfgen generate` to write it');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const { offset, message } = locateJsonError(text);
    throw new SnapshotError(
      'SNAPSHOT_INVALID_JSON',
      file,
      `not valid JSON (${message}); the snapshot is corrupt or truncated — restore it from git or run \`sfgen generate\``,
      lineColumn(text, offset),
      { cause: error },
    );
  }
  const probe = versionProbeSchema.safeParse(raw);
  if (!probe.success) {
    throw new SnapshotError('SNAPSHOT_INVALID', file, `not an sfgen schema snapshot: ${describeZodError(probe.error)}`);
  }
  const { formatVersion, modelFormatVersion, sfgenVersion } = probe.data;
  if (formatVersion > SNAPSHOT_FORMAT_VERSION || modelFormatVersion > MODEL_FORMAT_VERSION) {
    throw new SnapshotError(
      'SNAPSHOT_TOO_NEW',
      file,
      `written by sfgen ${sfgenVersion} in snapshot format ${formatVersion} (model format ${modelFormatVersion}); ` +
        `this sfgen reads snapshot format ${SNAPSHOT_FORMAT_VERSION} (model format ${MODEL_FORMAT_VERSION}) — upgrade sfgen`,
    );
  }
  const parsed = snapshotDocSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SnapshotError('SNAPSHOT_INVALID', file, `invalid snapshot: ${describeZodError(parsed.error)}`);
  }
  const doc = parsed.data;
  const rawObjects = (raw as { objects: Record<string, unknown> }).objects;

  const objects = new Map<string, SnapshotObject>();
  for (const [name, envelope] of Object.entries(doc.objects)) {
    const entry = new LazySnapshotObject(name, envelope.hash, envelope.lastModified, rawObjects[name], text, file);
    if (!options.lazy) void entry.model;
    objects.set(name, entry);
  }
  const events = new Map<string, SnapshotEvent>();
  for (const [name, entry] of Object.entries(doc.events)) {
    if (entry.model.name !== name) {
      throw new SnapshotError('SNAPSHOT_INVALID', file, `events.${name}: the model is named ${JSON.stringify(entry.model.name)}`, findKeyPosition(text, name));
    }
    const hash = objectHash(entry.model);
    if (hash !== entry.hash) {
      throw new SnapshotError(
        'SNAPSHOT_HASH_MISMATCH',
        file,
        `event ${name}: recorded hash ${entry.hash} does not match its model (${hash}); ` +
          'the snapshot was edited by hand or damaged — restore it from git or run `sfgen generate`',
        findKeyPosition(text, name),
      );
    }
    events.set(name, { name, hash: entry.hash, model: entry.model });
  }
  let model: OrgModel | undefined;
  return {
    file,
    formatVersion: doc.formatVersion,
    sfgenVersion: doc.sfgenVersion,
    apiVersion: doc.apiVersion,
    orgId: doc.orgId,
    objects,
    events,
    notGenerated: doc.notGenerated ?? null,
    locate(object: string, field?: string) {
      const objectAt = text.indexOf(`\n${INDENT.repeat(2)}${JSON.stringify(object)}: {`);
      if (objectAt < 0) return undefined;
      if (field === undefined) return lineColumn(text, objectAt + 1 + INDENT.length * 2);
      const end = text.indexOf(`\n${INDENT.repeat(2)}}`, objectAt);
      const fieldAt = text.indexOf(`\n${INDENT.repeat(4)}${JSON.stringify(field)}: {`, objectAt);
      if (fieldAt < 0 || (end >= 0 && fieldAt > end)) return lineColumn(text, objectAt + 1 + INDENT.length * 2);
      return lineColumn(text, fieldAt + 1 + INDENT.length * 4);
    },
    get model(): OrgModel {
      model ??= {
        formatVersion: MODEL_FORMAT_VERSION,
        generatorVersion: doc.sfgenVersion,
        apiVersion: doc.apiVersion,
        orgId: doc.orgId,
        objects: [...objects.values()].map((o) => o.model),
        events: [...events.values()].map((e) => e.model),
      };
      return model;
    },
  };
}

/**
 * Reads `<outDir>/schema.lock.json`. A missing or unreadable file is a {@link SnapshotError}
 * that says how to create it.
 *
 * @example
 * ```ts
 * const snapshot = await readSnapshot('generated');
 * ```
 */
export async function readSnapshot(outDir: string, options: ParseSnapshotOptions = {}): Promise<Snapshot> {
  const file = join(outDir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new SnapshotError(
        'SNAPSHOT_MISSING',
        file,
        'no schema snapshot here; run `sfgen generate` (it writes the snapshot next to the generated code) or pass the right --out',
        undefined,
        { cause: error },
      );
    }
    throw new SnapshotError('SNAPSHOT_UNREADABLE', file, `cannot read the snapshot (${code ?? String(error)})`, undefined, {
      cause: error,
    });
  }
  return parseSnapshot(text, file, options);
}

function describeZodError(error: z.ZodError, prefix: readonly (string | number)[] = []): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    return `${path.length === 0 ? '(root)' : path.join('.')}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return issues.join('; ') + more;
}

/** 1-based line and column of a UTF-16 offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function findKeyPosition(text: string, key: string): { line: number; column: number } | undefined {
  const offset = text.indexOf(`\n${INDENT.repeat(2)}${JSON.stringify(key)}: {`);
  return offset < 0 ? undefined : lineColumn(text, offset + 1 + INDENT.length * 2);
}

/**
 * Finds where JSON text stops being valid (JSON.parse's messages do not carry a position on every
 * Node version). A small recursive-descent recognizer, iterative over nesting depth.
 */
function locateJsonError(text: string): { offset: number; message: string } {
  let i = 0;
  const n = text.length;
  const fail = (message: string): { offset: number; message: string } => ({ offset: i, message });
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const describeAt = (): string => (i >= n ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[i])}`);
  const scalar = (): string | null => {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n) {
        const ch = text.charCodeAt(i);
        if (ch === 34) {
          i++;
          return null;
        }
        if (ch < 0x20) return 'control character in string';
        if (ch === 92) {
          const esc = text[i + 1];
          if (esc === undefined) {
            i++;
            return 'unexpected end of file in string';
          }
          if (esc === 'u') {
            if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return 'bad \\u escape';
            i += 6;
          } else if ('"\\/bfnrt'.includes(esc)) i += 2;
          else return 'bad escape';
        } else i++;
      }
      return 'unterminated string (unexpected end of file)';
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0] !== '' && m[0] !== '-') {
      i += m[0].length;
      return null;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return null;
      }
    }
    return describeAt();
  };
  // Stack of containers: '{' or '['; state per level: expecting key/value/comma.
  const stack: Array<'{' | '['> = [];
  ws();
  let expectValue = true;
  for (let guard = 0; guard <= n + 1; guard++) {
    if (expectValue) {
      ws();
      const c = text[i];
      if (c === '{' || c === '[') {
        stack.push(c);
        i++;
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          stack.pop();
          expectValue = false;
          continue;
        }
        if (c === '{') {
          if (text[i] !== '"') return fail(`expected a property name, ${describeAt()}`);
          const err = scalar();
          if (err) return fail(err);
          ws();
          if (text[i] !== ':') return fail(`expected ':', ${describeAt()}`);
          i++;
        }
        continue;
      }
      const err = scalar();
      if (err) return fail(err === describeAt() ? `expected a value, ${err}` : err);
      expectValue = false;
      continue;
    }
    ws();
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i < n) return fail(`unexpected ${JSON.stringify(text[i])} after the end of the document`);
      return fail('invalid JSON');
    }
    const c = text[i];
    if (c === ',') {
      i++;
      ws();
      if (top === '{') {
        if (text[i] !== '"') return fail(`expected a property name, ${describeAt()}`);
        const err = scalar();
        if (err) return fail(err);
        ws();
        if (text[i] !== ':') return fail(`expected ':', ${describeAt()}`);
        i++;
      }
      expectValue = true;
      continue;
    }
    if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
      i++;
      stack.pop();
      continue;
    }
    return fail(`expected ',' or '${top === '{' ? '}' : ']'}', ${describeAt()}`);
  }
  return fail('invalid JSON');
}
