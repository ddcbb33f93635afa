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
 *       "model": {"kind":"platformEvent","name":"Order_Event__e","schema":{…,"fields":[
 *         {"name":"Id","type":"string"},
 *         …
 *       ]},"schemaId":"…","topic":"/event/Order_Event__e"}
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
 *         {"cascadeDelete":true,"childSObject":"Contact","field":"AccountId",…},
 *       ],
 *       "fields": {
 *         "AccountNumber": {"aggregatable":true,…,"type":"string","updateable":true},
 *         "Industry": {…,"picklist":{"controllerName":null,"dependent":false,"restricted":false,"values":[
 *           {"active":true,"defaultValue":false,"label":"Agriculture","validFor":null,"value":"Agriculture"},
 *           …
 *         ]},…},
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
 * `notGenerated` (present when the writer passed the source's object list) names the sObjects of
 * the source that were not generated, one per line, so that a drift check can tell "added to the
 * org" from "not selected".
 *
 * Each object's `hash` is `sha256:` + the hex SHA-256 of the object model's canonical JSON (sorted
 * keys, no whitespace); {@link parseSnapshot} recomputes it and rejects a snapshot whose model
 * was edited by hand, so a damaged file can never read as "no drift".
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FIELD_TYPES } from '../../runtime/schema.js';
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

/** JSON with object keys sorted (code-unit order) at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareCodeUnits)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeysDeep(v);
    }
    return out;
  }
  return value;
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
  return `sha256:${createHash('sha256').update(canonicalJson(object)).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Layout printer: `line` prints compact JSON on one line; `block` prints one entry per line;
// `flow` prints the node inline but lets its children choose (so a `block` child breaks lines).

type Layout =
  | { readonly kind: 'line' }
  | { readonly kind: 'block'; readonly child: (key: string) => Layout; readonly keepOrder?: boolean }
  | { readonly kind: 'flow'; readonly child: (key: string) => Layout };

const LINE: Layout = { kind: 'line' };
const INDENT = '  ';

function print(value: unknown, layout: Layout, depth: number): string {
  if (value === null || typeof value !== 'object' || layout.kind === 'line') return canonicalJson(value);
  const isArray = Array.isArray(value);
  const entries: Array<[string, unknown]> = isArray
    ? (value as unknown[]).map((v, i) => [String(i), v])
    : Object.entries(value).filter(([, v]) => v !== undefined);
  if (!isArray && !(layout.kind === 'block' && layout.keepOrder)) {
    entries.sort(([a], [b]) => compareCodeUnits(a, b));
  }
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  if (layout.kind === 'flow') {
    const parts = entries.map(([k, v]) => {
      const printed = print(v, layout.child(k), depth);
      return isArray ? printed : `${JSON.stringify(k)}:${printed}`;
    });
    return open + parts.join(',') + close;
  }
  const pad = INDENT.repeat(depth + 1);
  const parts = entries.map(([k, v]) => {
    const printed = print(v, layout.child(k), depth + 1);
    return pad + (isArray ? printed : `${JSON.stringify(k)}: ${printed}`);
  });
  return `${open}\n${parts.join(',\n')}\n${INDENT.repeat(depth)}${close}`;
}

const block = (child: (key: string) => Layout, keepOrder = false): Layout => ({ kind: 'block', child, keepOrder });
const flow = (child: (key: string) => Layout): Layout => ({ kind: 'flow', child });

/** A field: one line, except that its picklist values (if any) go one per line. */
const FIELD_LAYOUT: Layout = flow((key) =>
  key === 'picklist' ? flow((k) => (k === 'values' ? block(() => LINE) : LINE)) : LINE,
);

/** An Avro schema: one line, except that a record's `fields` go one per line. */
const AVRO_LAYOUT: Layout = flow((key) => (key === 'fields' ? block(() => LINE) : LINE));

const OBJECT_ENTRY_LAYOUT: Layout = block((key) => {
  switch (key) {
    case 'fields':
      return block(() => FIELD_LAYOUT, true);
    case 'childRelationships':
    case 'recordTypes':
      return block(() => LINE);
    default:
      return LINE;
  }
});

const EVENT_ENTRY_LAYOUT: Layout = block((key) =>
  key === 'model' ? flow((k) => (k === 'schema' ? AVRO_LAYOUT : LINE)) : LINE,
);

const SNAPSHOT_LAYOUT: Layout = block((key) => {
  if (key === 'notGenerated') return block(() => LINE);
  if (key === 'objects') return block(() => OBJECT_ENTRY_LAYOUT, true);
  if (key === 'events') return block(() => EVENT_ENTRY_LAYOUT, true);
  return LINE;
});

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
  const objects: Record<string, unknown> = {};
  for (const object of model.objects) {
    if (Object.hasOwn(objects, object.name)) throw new Error(`serializeSnapshot: duplicate object ${object.name}`);
    const { fields, childRelationships, recordTypes, name: _name, ...rest } = object;
    const fieldMap: Record<string, unknown> = {};
    for (const field of fields) {
      if (Object.hasOwn(fieldMap, field.name)) {
        throw new Error(`serializeSnapshot: duplicate field ${object.name}.${field.name}`);
      }
      const { name: _fieldName, ...fieldRest } = field;
      fieldMap[field.name] = fieldRest;
    }
    objects[object.name] = {
      childRelationships,
      fields: fieldMap,
      hash: objectHash(object),
      lastModified: meta.lastModified.get(object.name) ?? null,
      object: rest,
      recordTypes,
    };
  }
  const events: Record<string, unknown> = {};
  for (const event of model.events) {
    if (Object.hasOwn(events, event.name)) throw new Error(`serializeSnapshot: duplicate event ${event.name}`);
    events[event.name] = { hash: objectHash(event), model: event };
  }
  let notGenerated: string[] | undefined;
  if (meta.orgObjects) {
    const generated = new Set(model.objects.map((o) => o.name));
    notGenerated = [...new Set(meta.orgObjects)].filter((n) => !generated.has(n)).sort(compareCodeUnits);
  }
  const doc = {
    apiVersion: model.apiVersion,
    events,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    modelFormatVersion: model.formatVersion,
    notGenerated,
    objects,
    orgId: model.orgId,
    sfgenVersion: model.generatorVersion,
  };
  return `${print(doc, SNAPSHOT_LAYOUT, 0)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Validation schemas (loose: keys added by a later, compatible model version are kept, so the
// hash still matches; the typed keys are checked).

const OBJECT_KINDS = [
  'standard', 'custom', 'platformEvent', 'changeEvent', 'customMetadata', 'customSetting',
  'externalObject', 'bigObject', 'history', 'share', 'feed',
] as const satisfies readonly ObjectKind[];

const fieldTypeSchema = z.enum(FIELD_TYPES as [FieldModel['type'], ...FieldModel['type'][]]);

const picklistValueSchema: z.ZodType<PicklistValueModel> = z.looseObject({
  value: z.string(),
  label: z.string(),
  active: z.boolean(),
  defaultValue: z.boolean(),
  validFor: z.array(z.number().int().nonnegative()).nullable(),
});

const picklistSchema: z.ZodType<PicklistModel> = z.looseObject({
  restricted: z.boolean(),
  dependent: z.boolean(),
  controllerName: z.string().nullable(),
  values: z.array(picklistValueSchema),
});

const referenceSchema: z.ZodType<ReferenceModel> = z.looseObject({
  referenceTo: z.array(z.string()),
  relationshipName: z.string().nullable(),
  polymorphic: z.boolean(),
  masterDetail: z.boolean(),
  relationshipOrder: z.number().nullable(),
  cascadeDelete: z.boolean(),
  restrictedDelete: z.boolean(),
  referenceTargetField: z.string().nullable(),
});

/** A field entry in the snapshot (the `name` is the map key). */
const fieldEntrySchema = z.looseObject({
  label: z.string(),
  helpText: z.string().nullable(),
  type: fieldTypeSchema,
  custom: z.boolean(),
  nillable: z.boolean(),
  createable: z.boolean(),
  updateable: z.boolean(),
  filterable: z.boolean(),
  sortable: z.boolean(),
  groupable: z.boolean(),
  aggregatable: z.boolean(),
  defaultedOnCreate: z.boolean(),
  requiredOnCreate: z.boolean(),
  defaultValue: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  defaultValueFormula: z.string().nullable(),
  externalId: z.boolean(),
  idLookup: z.boolean(),
  unique: z.boolean(),
  caseSensitive: z.boolean(),
  autoNumber: z.boolean(),
  calculated: z.enum(['formula', 'rollup']).nullable(),
  formula: z.string().nullable(),
  encrypted: z.boolean(),
  htmlFormatted: z.boolean(),
  nameField: z.boolean(),
  deprecatedAndHidden: z.boolean(),
  length: z.number(),
  byteLength: z.number(),
  precision: z.number(),
  scale: z.number(),
  digits: z.number(),
  extraTypeInfo: z.string().nullable(),
  compoundFieldName: z.string().nullable(),
  picklist: picklistSchema.nullable(),
  reference: referenceSchema.nullable(),
});

// Compile-time guard: a field entry plus its name must be a FieldModel (fails when types.ts grows).
type FieldEntry = z.infer<typeof fieldEntrySchema>;
const _fieldEntryIsFieldModel = (entry: FieldEntry, name: string): FieldModel => ({ ...entry, name });
void _fieldEntryIsFieldModel;

const childRelationshipSchema: z.ZodType<ChildRelationshipModel> = z.looseObject({
  relationshipName: z.string().nullable(),
  childSObject: z.string(),
  field: z.string(),
  cascadeDelete: z.boolean(),
  restrictedDelete: z.boolean(),
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

type ObjectHeader = z.infer<typeof objectHeaderSchema>;
const _headerIsObjectModel = (
  header: ObjectHeader,
  rest: Pick<ObjectModel, 'name' | 'fields' | 'childRelationships' | 'recordTypes'>,
): ObjectModel => ({ ...header, ...rest });
void _headerIsObjectModel;

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

const objectEntrySchema = z.strictObject({
  childRelationships: z.array(childRelationshipSchema),
  fields: z.record(z.string(), fieldEntrySchema),
  hash: z.string().regex(HASH_PATTERN, 'expected sha256:<64 hex digits>'),
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
  hash: z.string().regex(HASH_PATTERN, 'expected sha256:<64 hex digits>'),
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
  objects: z.record(z.string(), objectEntrySchema),
  orgId: z.string().nullable(),
  sfgenVersion: z.string().min(1),
});

// ---------------------------------------------------------------------------------------------
// Parse

/**
 * Parses and validates snapshot text. Throws {@link SnapshotError} naming `file` (with line and
 * column for malformed JSON, the JSON path for a wrong shape) for a corrupt or truncated file, a
 * snapshot written by a newer sfgen format, or an object whose recorded hash does not match its
 * model. Never returns a partial snapshot.
 *
 * @example
 * ```ts
 * const snapshot = parseSnapshot(await readFile(path, 'utf8'), path);
 * snapshot.objects.get('Account')?.model.fields.length;
 * ```
 */
export function parseSnapshot(text: string, file: string): Snapshot {
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

  const objects = new Map<string, SnapshotObject>();
  for (const [name, entry] of Object.entries(doc.objects)) {
    const fields: FieldModel[] = Object.entries(entry.fields).map(([fieldName, f]) => ({ ...f, name: fieldName }));
    const model: ObjectModel = {
      ...entry.object,
      name,
      fields,
      childRelationships: entry.childRelationships,
      recordTypes: entry.recordTypes,
    };
    const hash = objectHash(model);
    if (hash !== entry.hash) {
      throw new SnapshotError(
        'SNAPSHOT_HASH_MISMATCH',
        file,
        `object ${name}: recorded hash ${entry.hash} does not match its model (${hash}); ` +
          'the snapshot was edited by hand or damaged — restore it from git or run `sfgen generate`',
        findKeyPosition(text, name),
      );
    }
    objects.set(name, { name, hash: entry.hash, lastModified: entry.lastModified, model });
  }
  const events = new Map<string, SnapshotEvent>();
  for (const [name, entry] of Object.entries(doc.events)) {
    if (entry.model.name !== name) {
      throw new SnapshotError(
        'SNAPSHOT_INVALID',
        file,
        `events.${name}: the model is named ${JSON.stringify(entry.model.name)}`,
        findKeyPosition(text, name),
      );
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
  const model: OrgModel = {
    formatVersion: MODEL_FORMAT_VERSION,
    generatorVersion: doc.sfgenVersion,
    apiVersion: doc.apiVersion,
    orgId: doc.orgId,
    objects: [...objects.values()].map((o) => o.model),
    events: [...events.values()].map((e) => e.model),
  };
  return {
    file,
    formatVersion: doc.formatVersion,
    sfgenVersion: doc.sfgenVersion,
    apiVersion: doc.apiVersion,
    orgId: doc.orgId,
    objects,
    events,
    notGenerated: doc.notGenerated ?? null,
    model,
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
export async function readSnapshot(outDir: string): Promise<Snapshot> {
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
  return parseSnapshot(text, file);
}

function describeZodError(error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
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
