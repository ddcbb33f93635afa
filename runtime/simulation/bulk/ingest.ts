/**
 * Applying Bulk API 2.0 ingest rows to the simulated org: the CSV header is resolved against the
 * object's describe once (an unknown field fails the whole job, as Salesforce does), then each row
 * is converted from CSV text to typed values and written through the same describe-driven
 * validation as the REST API. A failed row carries Salesforce's `sf__Error` text
 * (`REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --`).
 */
import { SimHttpError, type SfErrorItem } from '../errors.js';
import { toId18 } from '../ids.js';
import { createRecord, deleteRecord, updateRecord } from '../routes/sobjects.js';
import type { SimDescribe, SimField, SimRecord } from '../store-types.js';
import type { SimOrg } from '../store.js';
import { parseSfDate, parseSfDateTime, parseSfTime } from '../time.js';

export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
export const INGEST_OPERATIONS: readonly IngestOperation[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];

/** A whole-job failure: the job ends `Failed` with this `errorMessage`. */
export class JobFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFailure';
  }
}

/** What happened to one row. */
export type RowOutcome =
  | { readonly ok: true; readonly id: string; readonly created: boolean }
  | { readonly ok: false; readonly id: string; readonly error: string };

/** One header column resolved: a field of the object, or a parent reached by its external id. */
type Column =
  | { readonly kind: 'field'; readonly field: SimField }
  | {
      readonly kind: 'parent';
      readonly header: string;
      /** The reference field on the object (`AccountId`). */
      readonly field: SimField;
      readonly target: string;
      /** The external-id field on the parent. */
      readonly key: SimField;
    };

/** `sf__Error` text of an error list: `CODE:message:field1,field2 --` for the first error. */
export function sfErrorText(errors: readonly SfErrorItem[]): string {
  const e = errors[0];
  if (e === undefined) return 'UNKNOWN_EXCEPTION:unknown error:--';
  const fields = e.fields ?? [];
  return `${e.errorCode}:${e.message}:${fields.length > 0 ? `${fields.join(',')} ` : ''}--`;
}

const NUMERIC = new Set(['double', 'currency', 'percent', 'int', 'long']);

/** Inserters kept per job, one per set of non-empty columns (beyond: records built key by key). */
const MAX_INSERTERS = 1024;

/** Distinct values a column memo keeps, and the lookups after which a memo that misses goes. */
const MEMO_VALUES = 256;
const MEMO_TRIAL = 2048;

interface ColumnMemo {
  readonly values: Map<string, unknown>;
  lookups: number;
  hits: number;
}

/**
 * The insert fast path of a job: each cell converted and checked on its own column's rules, the
 * record stored through an inserter of the row's layout. A row it cannot take (any cell or
 * required field the checks refuse) goes the general way, which gives Salesforce's exact errors;
 * so the fast path only ever stores what the general path would store, the same way.
 */
interface InsertPlan {
  /** Per column: the field, or `undefined` for a column whose non-empty cells need the general path. */
  readonly fields: readonly (SimField | undefined)[];
  /** Columns a create must not leave empty or `#N/A` (required fields). */
  readonly required: readonly number[];
  /** Columns whose `#N/A` (null) the general path refuses (required fields defaulted on create). */
  readonly notNull: readonly number[];
  /** Inserters by the set of non-empty columns. */
  readonly inserters: Map<number | string, (values: readonly unknown[], userId: string) => SimRecord>;
}

/**
 * Applies the rows of one job. Build it once per job (it resolves the header and keeps lookup
 * indexes for upserts and parent references), then call {@link apply} per row.
 */
export class RowApplier {
  private readonly columns: Column[];
  private readonly idColumn: number;
  private readonly extColumn: number;
  /** Upsert: live records by external-id value (lower-cased unless case-sensitive), built on first use. */
  private extIndex: Map<string, string[]> | undefined;
  private readonly parentIndexes = new Map<string, Map<string, string[]>>();
  /** Insert jobs: the fast path (see {@link InsertPlan}); undefined when the job cannot take it. */
  private readonly fast: InsertPlan | undefined;
  /**
   * Per column: checked values by cell text, while the column repeats its values (booleans,
   * picklists, dates, a constant): a repeated cell is neither converted nor checked again, and its
   * records share one string. Not for references (whether the target exists can change).
   */
  private readonly memos: (ColumnMemo | undefined)[];

  /** Salesforce's limits on one record of a Bulk API job. */
  static readonly MAX_FIELDS = 5000;
  static readonly MAX_RECORD_CHARS = 400_000;

  constructor(
    private readonly org: SimOrg,
    private readonly describe: SimDescribe,
    private readonly operation: IngestOperation,
    private readonly header: readonly string[],
    private readonly externalIdField: string | undefined,
    private readonly userId: string,
    /** Whether inserts may take the fast path (tests turn it off to compare both paths). */
    fastPath = true,
  ) {
    if (header.length > RowApplier.MAX_FIELDS) {
      throw new JobFailure(`InvalidBatch : The header has ${header.length} fields; a record can have at most ${RowApplier.MAX_FIELDS}`);
    }
    const seen = new Set<string>();
    this.columns = header.map((raw, i) => {
      // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first name.
      const name = (i === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
      const key = name.toLowerCase();
      if (seen.has(key)) throw new JobFailure(`InvalidBatch : Duplicate field name found : ${name}`);
      seen.add(key);
      return this.resolveColumn(name);
    });
    if ((operation === 'delete' || operation === 'hardDelete') && !(this.columns.length === 1 && this.isId(this.columns[0]!))) {
      throw new JobFailure(`InvalidBatch : The '${operation}' batch must contain only ids`);
    }
    this.idColumn = this.columns.findIndex((c) => this.isId(c));
    this.extColumn =
      externalIdField === undefined ? -1 : this.columns.findIndex((c) => c.kind === 'field' && c.field.name.toLowerCase() === externalIdField.toLowerCase());
    this.fast = operation === 'insert' && fastPath ? this.insertPlan() : undefined;
    this.memos = this.columns.map((c) => (c.kind === 'field' && c.field.type !== 'reference' ? { values: new Map(), lookups: 0, hits: 0 } : undefined));
  }

  private insertPlan(): InsertPlan | undefined {
    const d = this.describe;
    if (d.createable !== true || d.name.endsWith('__e')) return undefined;
    const fields: (SimField | undefined)[] = [];
    for (const c of this.columns) {
      // Parent references and blobs are resolved by the general path; an Id or a read-only field
      // there is an error when given.
      if (c.kind === 'parent') return undefined;
      const f = c.field;
      if (f.type === 'base64') return undefined;
      fields.push(f.type === 'id' || f.createable !== true ? undefined : f);
    }
    const required: number[] = [];
    const notNull: number[] = [];
    for (const f of d.fields) {
      if (f.nillable || f.type === 'boolean' || f.createable !== true) continue;
      const col = this.columns.findIndex((c) => c.kind === 'field' && c.field.name === f.name);
      if (f.defaultedOnCreate) {
        if (col >= 0) notNull.push(col);
      } else if (col < 0) {
        return undefined; // every row misses it: the general path says so
      } else required.push(col);
    }
    return { fields, required, notNull, inserters: new Map() };
  }

  private isId(c: Column): boolean {
    return c.kind === 'field' && c.field.type === 'id';
  }

  private resolveColumn(name: string): Column {
    const field = this.org.field(this.describe.name, name);
    if (field !== undefined) return { kind: 'field', field };
    // A parent by external id: `Account.External_Id__c` or, for a polymorphic field, `What:Account.Ext__c`.
    const m = /^([A-Za-z0-9_]+)(?::([A-Za-z0-9_]+))?\.([A-Za-z0-9_]+)$/.exec(name);
    if (m) {
      const [, relName, typeName, keyName] = m;
      const ref = this.describe.fields.find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === relName!.toLowerCase());
      const target = typeName ?? (ref?.referenceTo.length === 1 ? ref.referenceTo[0] : undefined);
      const parent = target === undefined ? undefined : this.org.describe(target);
      const key = parent === undefined ? undefined : this.org.field(parent.name, keyName!);
      if (ref !== undefined && parent !== undefined && key !== undefined && (key.externalId === true || key.idLookup === true)) {
        return { kind: 'parent', header: name, field: ref, target: parent.name, key };
      }
    }
    throw new JobFailure(`InvalidBatch : Field name not found : ${name}`);
  }

  /** Applies one data row (`values` in header order). Never throws for a row-level problem. */
  apply(values: readonly string[]): RowOutcome {
    if (values.length > this.columns.length) {
      return { ok: false, id: '', error: `INVALID_FIELD:The row has ${values.length} values but the header has ${this.columns.length} columns:--` };
    }
    let chars = 0;
    for (const v of values) chars += v.length;
    if (chars > RowApplier.MAX_RECORD_CHARS) {
      return { ok: false, id: '', error: `INVALID_FIELD:The record has ${chars} characters; a record can have at most ${RowApplier.MAX_RECORD_CHARS}:--` };
    }
    try {
      switch (this.operation) {
        case 'insert':
          return this.insert(values);
        case 'update':
          return this.update(values);
        case 'upsert':
          return this.upsert(values);
        case 'delete':
        case 'hardDelete':
          return this.remove(values);
      }
    } catch (error) {
      if (error instanceof RowError) return { ok: false, id: error.id, error: error.text };
      if (error instanceof SimHttpError && Array.isArray(error.body)) {
        const errors = (error.body as SfErrorItem[]).map((e) => (e.errorCode === 'NOT_FOUND' ? { errorCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id' } : e));
        return { ok: false, id: '', error: sfErrorText(errors) };
      }
      throw error;
    }
  }

  /** Field values of a row for a write: empty cells left out, `#N/A` as null, text converted by type. */
  private input(values: readonly string[], skip: number): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i++) {
      if (i === skip) continue;
      const text = values[i]!;
      if (text === '') continue;
      const col = this.columns[i]!;
      if (col.kind === 'parent') {
        input[col.field.name] = text === '#N/A' ? null : this.parentId(col, text);
        continue;
      }
      input[col.field.name] = text === '#N/A' ? null : convert(col.field, text, i + 1);
    }
    return input;
  }

  private parentId(col: Extract<Column, { kind: 'parent' }>, value: string): string {
    const indexKey = `${col.target}.${col.key.name}`;
    let index = this.parentIndexes.get(indexKey);
    if (index === undefined) {
      index = buildIndex(this.org.records(col.target), col.key);
      this.parentIndexes.set(indexKey, index);
    }
    const ids = index.get(col.key.caseSensitive === true ? value : value.toLowerCase()) ?? [];
    if (ids.length === 0) {
      throw new RowError('', `INVALID_FIELD:Foreign key external ID: ${value} not found for field ${col.key.name} in entity ${col.target}:--`);
    }
    if (ids.length > 1) {
      throw new RowError('', `INVALID_FIELD:Foreign key external ID: ${value} matched more than one row for field ${col.key.name} in entity ${col.target}:--`);
    }
    return ids[0]!;
  }

  private insert(values: readonly string[]): RowOutcome {
    if (this.fast !== undefined) {
      const id = this.fastInsert(this.fast, values);
      if (id !== undefined) return { ok: true, id, created: true };
    }
    const id = createRecord(this.org, this.describe, this.input(values, -1), this.userId);
    this.noteInsert(id);
    return { ok: true, id, created: true };
  }

  /** Inserts a row the fast way; undefined when the row needs the general path. */
  private fastInsert(plan: InsertPlan, row: readonly string[]): string | undefined {
    // The checks were planned on the job's describe: after a change to it (a drift test's
    // mutation while the job runs) rows go the general way, which validates on the current one.
    if (this.org.describe(this.describe.name) !== this.describe) return undefined;
    for (const c of plan.required) {
      const text = row[c];
      if (text === undefined || text === '' || text === '#N/A') return undefined;
    }
    for (const c of plan.notNull) if (row[c] === '#N/A') return undefined;
    const n = row.length;
    const out: unknown[] = [];
    let mask = 0;
    const wide = n > 30;
    let keyText = '';
    for (let i = 0; i < n; i++) {
      const text = row[i]!;
      if (text === '') continue;
      const f = plan.fields[i];
      if (f === undefined) return undefined;
      let value: unknown;
      const memo = this.memos[i];
      if (text === '#N/A') value = f.type === 'boolean' ? false : null;
      else if (memo !== undefined && (value = memo.values.get(text)) !== undefined) {
        memo.hits += 1;
        memo.lookups += 1;
      } else {
        let converted: unknown;
        try {
          converted = convert(f, text, i + 1);
        } catch (error) {
          if (error instanceof RowError) return undefined;
          throw error;
        }
        const checked = this.org.checkFieldValue(this.describe.name, f, converted);
        if ('error' in checked) return undefined;
        value = checked.value;
        if (memo !== undefined) {
          if (memo.values.size < MEMO_VALUES) memo.values.set(text, value);
          // A column of mostly distinct values is not worth the lookups.
          if (++memo.lookups >= MEMO_TRIAL && memo.hits * 2 < memo.lookups) this.memos[i] = undefined;
        }
      }
      out.push(value);
      if (wide) keyText += `${i},`;
      else mask |= 1 << i;
    }
    const key = wide ? keyText : mask;
    let insert = plan.inserters.get(key);
    if (insert === undefined) {
      const keys: string[] = [];
      for (let i = 0; i < n; i++) if (row[i] !== '') keys.push(plan.fields[i]!.name);
      if (plan.inserters.size >= MAX_INSERTERS) return undefined;
      insert = this.org.inserter(this.describe.name, keys);
      plan.inserters.set(key, insert);
    }
    return insert(out, this.userId).Id;
  }

  /** The record id named in the row's Id column (18 chars), or the row's error. */
  private rowId(values: readonly string[], call: string): string {
    const raw = this.idColumn < 0 ? '' : (values[this.idColumn] ?? '');
    if (raw === '') throw new RowError('', `MISSING_ARGUMENT:Id not specified in an ${call} call:--`);
    const id = toId18(raw);
    if (id === undefined || (this.describe.keyPrefix !== null && id.slice(0, 3) !== this.describe.keyPrefix)) {
      throw new RowError('', `MALFORMED_ID:${this.describe.name} ID: id value of incorrect type: ${raw}:Id --`);
    }
    if (this.org.findById(id)?.sobject !== this.describe.name) {
      if (this.org.findDeleted(id)?.sobject === this.describe.name) throw new RowError(id, 'ENTITY_IS_DELETED:entity is deleted:--');
      throw new RowError('', 'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--');
    }
    return id;
  }

  private update(values: readonly string[]): RowOutcome {
    const id = this.rowId(values, 'update');
    try {
      updateRecord(this.org, this.describe, id, this.input(values, this.idColumn), this.userId);
    } catch (error) {
      if (error instanceof SimHttpError && Array.isArray(error.body)) throw new RowError(id, sfErrorText(error.body as SfErrorItem[]));
      throw error;
    }
    return { ok: true, id, created: false };
  }

  private upsert(values: readonly string[]): RowOutcome {
    const field = this.externalIdField!;
    const f = this.org.field(this.describe.name, field)!;
    if (f.type === 'id') {
      // Upsert on Id: an empty Id inserts, a given one updates.
      if (this.idColumn < 0 || values[this.idColumn] === '' || values[this.idColumn] === undefined) {
        const id = createRecord(this.org, this.describe, this.input(values, this.idColumn), this.userId);
        return { ok: true, id, created: true };
      }
      return this.update(values);
    }
    const value = this.extColumn < 0 ? '' : (values[this.extColumn] ?? '');
    if (value === '' || value === '#N/A') throw new RowError('', `MISSING_ARGUMENT:${f.name} not specified:--`);
    this.extIndex ??= buildIndex(this.org.records(this.describe.name), f);
    const matches = this.extIndex.get(f.caseSensitive === true ? value : value.toLowerCase()) ?? [];
    if (matches.length > 1) {
      throw new RowError('', `DUPLICATE_EXTERNAL_ID:${f.label ?? f.name}: more than one record found for external id field: [${matches.join(', ')}]:${f.name} --`);
    }
    const input = this.input(values, this.extColumn);
    if (matches.length === 1) {
      const id = matches[0]!;
      try {
        updateRecord(this.org, this.describe, id, input, this.userId);
      } catch (error) {
        if (error instanceof SimHttpError && Array.isArray(error.body)) throw new RowError(id, sfErrorText(error.body as SfErrorItem[]));
        throw error;
      }
      return { ok: true, id, created: false };
    }
    const id = createRecord(this.org, this.describe, { ...input, [f.name]: convert(f, value, this.extColumn + 1) }, this.userId);
    this.noteInsert(id);
    return { ok: true, id, created: true };
  }

  private remove(values: readonly string[]): RowOutcome {
    const id = this.rowId(values, 'delete');
    try {
      deleteRecord(this.org, this.describe, id);
    } catch (error) {
      if (error instanceof SimHttpError && Array.isArray(error.body)) throw new RowError(id, sfErrorText(error.body as SfErrorItem[]));
      throw error;
    }
    if (this.operation === 'hardDelete') this.org.purge(this.describe.name, id);
    return { ok: true, id, created: false };
  }

  /** Keeps the upsert index in step with records this job inserts. */
  private noteInsert(id: string): void {
    if (this.extIndex === undefined || this.externalIdField === undefined) return;
    const f = this.org.field(this.describe.name, this.externalIdField)!;
    const record = this.org.findById(id)?.record;
    const v = record?.[f.name];
    if (v === null || v === undefined) return;
    const key = f.caseSensitive === true ? String(v) : String(v).toLowerCase();
    const list = this.extIndex.get(key);
    if (list) list.push(id);
    else this.extIndex.set(key, [id]);
  }
}

class RowError extends Error {
  constructor(
    readonly id: string,
    readonly text: string,
  ) {
    super(text);
  }
}

function buildIndex(records: readonly SimRecord[], field: SimField): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const sensitive = field.caseSensitive === true;
  for (const r of records) {
    const v = r[field.name];
    if (v === null || v === undefined) continue;
    const key = sensitive ? String(v) : String(v).toLowerCase();
    const list = index.get(key);
    if (list) list.push(r.Id);
    else index.set(key, [r.Id]);
  }
  return index;
}

function badValue(field: SimField, text: string, column: number): never {
  const t = field.type;
  throw new RowError('', `INVALID_FIELD:Failed to deserialize field at col ${column}. Due to, '${text}' is not a valid value for the type xsd:${XSD[t] ?? t}:${field.name} --`);
}

const XSD: Record<string, string> = {
  double: 'double',
  currency: 'double',
  percent: 'double',
  int: 'int',
  long: 'long',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
  time: 'time',
};

/**
 * A CSV cell as the typed value the store validates: numbers, booleans (`true`/`false`/`1`/`0`/
 * `yes`/`no`, any case), dates (`YYYY-MM-DD`), datetimes (ISO 8601 with `Z` or an offset), times.
 * Text the type cannot take fails the row as Salesforce's CSV loader does.
 */
function convert(field: SimField, text: string, column: number): unknown {
  const t = field.type;
  if (NUMERIC.has(t)) {
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(n)) badValue(field, text, column);
    return n;
  }
  if (t === 'boolean') {
    const v = text.trim().toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes') return true;
    if (v === 'false' || v === '0' || v === 'no') return false;
    return badValue(field, text, column);
  }
  if (t === 'date') {
    // A datetime in a date column is accepted: its date part.
    const date = parseSfDate(text) ?? (parseSfDateTime(text) === undefined ? undefined : text.slice(0, 10));
    return date ?? badValue(field, text, column);
  }
  if (t === 'datetime') {
    const dt = parseSfDateTime(text) ?? (parseSfDate(text) === undefined ? undefined : parseSfDateTime(`${text}T00:00:00Z`));
    return dt ?? badValue(field, text, column);
  }
  if (t === 'time') return parseSfTime(text) ?? badValue(field, text, column);
  return text;
}
