/**
 * The simulated org's data: describes (with per-object revision dates for `Last-Modified`), the
 * global describe, event schemas and records (live and deleted). Implements the query engine's
 * {@link OrgStore} and adds record writes, transactions (undo logs for `allOrNone`) and the
 * mutation API drift tests use.
 */
import { randomUUID } from 'node:crypto';
import { sfError, SimHttpError, type SfErrorItem } from './errors.js';
import { IdMinter, toId18 } from './ids.js';
import { RawJson } from './json.js';
import type { LoadedOrg } from './loader.js';
import { MetadataLoadError } from './loader.js';
import type { OrgStore, SimDescribe, SimField, SimRecord } from './store-types.js';
import { floorToSecond, toSfDateTime } from './time.js';
import { checkValue, validateWrite, type ValidationContext, type ValidationResult, type WriteMode } from './validation.js';

/** Keys of a global-describe entry, taken from an object describe by {@link SimOrg.addObject}. */
const GLOBAL_KEYS = [
  'activateable', 'associateEntityType', 'associateParentEntity', 'createable', 'custom', 'customSetting',
  'deepCloneable', 'deletable', 'deprecatedAndHidden', 'feedEnabled', 'hasSubtypes', 'isInterface', 'isSubtype',
  'keyPrefix', 'label', 'labelPlural', 'layoutable', 'mergeable', 'mruEnabled', 'name', 'queryable',
  'replicateable', 'retrieveable', 'searchable', 'triggerable', 'undeletable', 'updateable',
] as const;

const SYSTEM_DATE_FIELDS = ['CreatedDate', 'LastModifiedDate', 'SystemModstamp'];
const SYSTEM_USER_FIELDS = ['CreatedById', 'LastModifiedById'];

/** How a create fills what the caller left out, precomputed per describe. */
interface WritePlan {
  readonly now: readonly string[];
  readonly user: readonly string[];
  readonly autoNumber: readonly string[];
  readonly constants: readonly (readonly [string, unknown])[];
  readonly compounds: readonly {
    readonly name: string;
    readonly parts: readonly (readonly [string, string])[];
    /** The compound value's keys (fast properties, as in {@link RecordShape}). */
    readonly template: Record<string, unknown>;
  }[];
}

interface ObjectState {
  describe: SimDescribe;
  fieldIndex: Map<string, SimField>;
  plan: WritePlan;
  lastModified: number;
  live: Map<string, Record<string, unknown>>;
  deleted: Map<string, Record<string, unknown>>;
  liveCache: SimRecord[] | undefined;
  deletedCache: SimRecord[] | undefined;
  autoNumbers: Map<string, { prefix: string; width: number; next: number }>;
  /** Validation context, built once per describe revision (writes are hot: Bulk API jobs). */
  ctx: ValidationContext | undefined;
  /** Record shapes by the keys of the written values (see {@link RecordShape}). */
  shapes: Map<string, RecordShape>;
}

/**
 * How records written with one set of value keys are laid out. Every record of a shape is a copy
 * of `template` (one hidden class, fast properties: a record built key by key past a dozen keys
 * falls into V8's dictionary mode, at about twice the memory and a slower build), with the same
 * own keys in the same order as a record built key by key would have.
 */
interface RecordShape {
  readonly template: Record<string, unknown>;
  readonly now: readonly string[];
  readonly user: readonly string[];
  readonly autoNumber: readonly string[];
  /**
   * Compounds with a component among the shape's keys, with only those components (the others
   * are absent, so null); a compound with none is null in the template already.
   */
  readonly compounds: WritePlan['compounds'];
}

/** Shapes kept per object; writes of further key sets build their records key by key. */
const MAX_SHAPES = 256;

/** Options of the store, resolved by `startSimulator`. */
export interface SimOrgOptions {
  /** Revision date of every object at load (Last-Modified); default `2024-01-01T00:00:00Z`. */
  readonly orgLastModified: Date;
  /** Id of the user that owns seed records and writes without another user. */
  readonly defaultUserId: string;
  /** Clock for record timestamps and describe revisions after a mutation (tests may fix it). */
  readonly now: () => number;
}

type Undo = () => void;

/**
 * A committed record write, as the Pub/Sub bus sees it: creates, updates and deletes of records,
 * and inserts of platform events (`EVENT`: `__e` objects are published, never stored).
 */
export interface RecordChange {
  readonly kind: 'CREATE' | 'UPDATE' | 'DELETE' | 'EVENT';
  /** The sObject's API name. */
  readonly sobject: string;
  readonly id: string;
  /** The record after the write (before it, for a delete). */
  readonly record: Readonly<Record<string, unknown>>;
  /** For updates: the fields whose value changed (system fields included). */
  readonly changed: readonly string[];
  /** For updates: the record before the write (change events send large text changes as diffs). */
  readonly before?: Readonly<Record<string, unknown>>;
  readonly userId: string;
}

/** Receives the changes of one committed transaction (one change outside a transaction). */
export type ChangeListener = (changes: readonly RecordChange[]) => void;

/**
 * The simulated org. Name lookups are case-insensitive; records are stored under exact API names.
 *
 * @example
 * ```ts
 * const sim = await startSimulator({ metadataDir: 'test/fixtures/demo-org' });
 * sim.org.removeField('Account', 'Industry');           // describe changes, Last-Modified moves
 * sim.org.removePicklistValue('Account', 'Rating', 'Hot');
 * ```
 */
export class SimOrg implements OrgStore {
  private readonly objects = new Map<string, ObjectState>();
  private readonly byPrefix = new Map<string, ObjectState>();
  private globalBody: Record<string, unknown>;
  private globalEntries: Record<string, unknown>[];
  private globalLastModified: number;
  private readonly events: Map<string, unknown>;
  private readonly minter = new IdMinter();
  private undoLog: Undo[] | undefined;
  private changeLog: RecordChange[] | undefined;
  private readonly changeListeners = new Set<ChangeListener>();
  private eventCheck: ((sobject: string, record: Readonly<Record<string, unknown>>, userId: string) => void) | undefined;
  private seedStamp: string | undefined;
  private globalJson: { entries: readonly Record<string, unknown>[]; raw: RawJson } | undefined;
  /** When each record in the recycle bin was deleted (ms), for `/sobjects/{name}/deleted`. */
  private readonly deletedAt = new Map<string, number>();
  /** Bytes of base64 (blob) fields written through the API, by `<id>/<field>`. */
  private readonly blobs = new Map<string, Buffer>();
  /** Seed ids that look like minted ones: the only ids a minted id could collide with. */
  private readonly explicitInMintSpace = new Set<string>();
  private nowMs = Number.NaN;
  private nowString = '';

  constructor(loaded: LoadedOrg, private readonly options: SimOrgOptions) {
    const { sobjects, ...rest } = loaded.global;
    this.globalBody = rest;
    this.globalEntries = sobjects.map((s) => ({ ...s }));
    this.globalLastModified = options.orgLastModified.getTime();
    this.events = new Map(loaded.events);
    const listed = new Set(this.globalEntries.map((s) => String(s.name).toLowerCase()));
    for (const d of loaded.describes) {
      if (!listed.has(d.name.toLowerCase())) {
        throw new MetadataLoadError(`${loaded.dir}/sobjects/${d.name}.json`, `${d.name} is not listed in sobjects.json`);
      }
      this.putObject(d, options.orgLastModified.getTime());
    }
    for (const [name, seed] of loaded.records) {
      const state = this.objects.get(name.toLowerCase());
      if (state === undefined) throw new MetadataLoadError(seed.file, `no describe for ${name} (expected sobjects/${name}.json)`);
      seed.records.forEach((r, i) => {
        try {
          this.insertSeed(state, r);
        } catch (error) {
          const msg = error instanceof SimHttpError ? (error.body as SfErrorItem[]).map((e) => `${e.errorCode}: ${e.message}`).join('; ') : error instanceof Error ? error.message : String(error);
          throw new MetadataLoadError(seed.file, `record [${i}]${typeof r.Id === 'string' ? ` (${r.Id})` : ''}: ${msg}`);
        }
      });
    }
  }

  // ---- OrgStore -------------------------------------------------------------------------------

  objectNames(): readonly string[] {
    return [...this.objects.values()].map((s) => s.describe.name);
  }

  describe(sobject: string): SimDescribe | undefined {
    return this.objects.get(sobject.toLowerCase())?.describe;
  }

  records(sobject: string): readonly SimRecord[] {
    const s = this.objects.get(sobject.toLowerCase());
    if (s === undefined) return [];
    s.liveCache ??= [...s.live.values()] as SimRecord[];
    return s.liveCache;
  }

  deletedRecords(sobject: string): readonly SimRecord[] {
    const s = this.objects.get(sobject.toLowerCase());
    if (s === undefined) return [];
    s.deletedCache ??= [...s.deleted.values()] as SimRecord[];
    return s.deletedCache;
  }

  findById(id: string): { readonly sobject: string; readonly record: SimRecord } | undefined {
    const id18 = toId18(id);
    if (id18 === undefined) return undefined;
    const s = this.byPrefix.get(id18.slice(0, 3));
    const record = s?.live.get(id18);
    return s && record ? { sobject: s.describe.name, record: record as SimRecord } : undefined;
  }

  // ---- metadata reads -------------------------------------------------------------------------

  /** The global describe body (`GET /sobjects`). */
  globalDescribe(): Record<string, unknown> {
    return { ...this.globalBody, sobjects: this.globalEntries };
  }

  /** The global describe body, serialized once per revision of the object list. */
  globalDescribeJson(): RawJson {
    if (this.globalJson === undefined || this.globalJson.entries !== this.globalEntries) {
      this.globalJson = { entries: this.globalEntries, raw: new RawJson(JSON.stringify(this.globalDescribe())) };
    }
    return this.globalJson.raw;
  }

  /** Whether the global describe lists the object (it may have no per-object describe). */
  isListed(sobject: string): boolean {
    const key = sobject.toLowerCase();
    return this.globalEntries.some((s) => String(s.name).toLowerCase() === key);
  }

  /** Last-Modified of an object's describe, or of the global describe without a name. */
  lastModified(sobject?: string): Date | undefined {
    if (sobject === undefined) return new Date(this.globalLastModified);
    const s = this.objects.get(sobject.toLowerCase());
    return s ? new Date(s.lastModified) : undefined;
  }

  /** Field of an object by name, case-insensitive. */
  field(sobject: string, field: string): SimField | undefined {
    return this.objects.get(sobject.toLowerCase())?.fieldIndex.get(field.toLowerCase());
  }

  /** Event schemas (Avro JSON) by event name. */
  eventSchemas(): ReadonlyMap<string, unknown> {
    return this.events;
  }

  /** Deleted record by id (recycle bin). */
  findDeleted(id: string): { sobject: string; record: SimRecord } | undefined {
    const id18 = toId18(id);
    if (id18 === undefined) return undefined;
    const s = this.byPrefix.get(id18.slice(0, 3));
    const record = s?.deleted.get(id18);
    return s && record ? { sobject: s.describe.name, record: record as SimRecord } : undefined;
  }

  // ---- mutation API (drift tests) -----------------------------------------------------------

  /** Remove a field from an object's describe (and its values from records). */
  removeField(sobject: string, field: string): void {
    const s = this.require(sobject);
    const f = this.requireField(s, field);
    this.updateDescribe(s.describe.name, (d) => ({ ...d, fields: d.fields.filter((x) => x.name !== f.name) }));
    for (const r of s.live.values()) delete r[f.name];
    for (const r of s.deleted.values()) delete r[f.name];
  }

  /** Add a field describe to an object. */
  addField(sobject: string, field: SimField): void {
    const s = this.require(sobject);
    if (s.fieldIndex.has(field.name.toLowerCase())) throw new Error(`${s.describe.name}.${field.name} already exists`);
    this.updateDescribe(s.describe.name, (d) => ({ ...d, fields: [...d.fields, field] }));
  }

  /** Remove a value from a picklist's `picklistValues`. */
  removePicklistValue(sobject: string, field: string, value: string): void {
    const s = this.require(sobject);
    const f = this.requireField(s, field);
    if (!f.picklistValues.some((p) => p.value === value)) throw new Error(`${s.describe.name}.${f.name} has no picklist value "${value}"`);
    this.updateField(s.describe.name, f.name, (x) => ({ ...x, picklistValues: x.picklistValues.filter((p) => p.value !== value) }));
  }

  /** Replace one field's describe with `fn(field)`. */
  updateField(sobject: string, field: string, fn: (field: SimField) => SimField): void {
    const s = this.require(sobject);
    const f = this.requireField(s, field);
    this.updateDescribe(s.describe.name, (d) => ({ ...d, fields: d.fields.map((x) => (x.name === f.name ? fn(x) : x)) }));
  }

  /** Replace an object's describe with `fn(describe)`; bumps its Last-Modified. */
  updateDescribe(sobject: string, fn: (describe: SimDescribe) => SimDescribe): void {
    const s = this.require(sobject);
    const next = fn(s.describe);
    if (next.name.toLowerCase() !== s.describe.name.toLowerCase()) throw new Error(`updateDescribe cannot rename ${s.describe.name} to ${next.name}`);
    this.putObject(next, this.bump(s.lastModified), s);
    this.syncGlobalEntry(next);
  }

  /** Add an object (its describe; the global describe gains an entry). */
  addObject(describe: SimDescribe): void {
    if (this.objects.has(describe.name.toLowerCase())) throw new Error(`${describe.name} already exists`);
    this.putObject(describe, this.bump(this.globalLastModified));
    this.globalEntries = [...this.globalEntries, this.globalEntryOf(describe)];
    this.globalLastModified = this.bump(this.globalLastModified);
  }

  /** Remove an object, its records and its global-describe entry. */
  removeObject(sobject: string): void {
    const s = this.require(sobject);
    this.objects.delete(s.describe.name.toLowerCase());
    if (s.describe.keyPrefix && this.byPrefix.get(s.describe.keyPrefix) === s) this.byPrefix.delete(s.describe.keyPrefix);
    const key = s.describe.name.toLowerCase();
    this.globalEntries = this.globalEntries.filter((e) => String(e.name).toLowerCase() !== key);
    this.globalLastModified = this.bump(this.globalLastModified);
  }

  // ---- change notification (Pub/Sub) ---------------------------------------------------------

  /**
   * Observe committed writes: the listener gets each transaction's changes once it commits
   * (nothing for a rolled-back one). Returns a function that removes the listener.
   */
  onChanges(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Check each platform-event insert before it is accepted (the Pub/Sub bus encodes it with the
   * topic's schema); the check throws a {@link SimHttpError} to refuse the event.
   */
  checkEventsWith(check: ((sobject: string, record: Readonly<Record<string, unknown>>, userId: string) => void) | undefined): void {
    this.eventCheck = check;
  }

  private noteChange(change: RecordChange): void {
    if (this.changeListeners.size === 0) return;
    if (this.changeLog !== undefined) this.changeLog.push(change);
    else for (const l of this.changeListeners) l([change]);
  }

  // ---- record writes --------------------------------------------------------------------------

  /** When a record in the recycle bin was deleted (ms since epoch); seed deletions have none. */
  deletedDate(id18: string): number | undefined {
    return this.deletedAt.get(id18);
  }

  /** Keep the bytes of a blob field (`Attachment.Body`); the record holds its URL. */
  setBlob(id18: string, field: string, bytes: Buffer): void {
    this.blobs.set(`${id18}/${field}`, bytes);
  }

  /** Bytes of a blob field written through the API, if any. */
  blob(id18: string, field: string): Buffer | undefined {
    return this.blobs.get(`${id18}/${field}`);
  }

  /** Add a record as seed data would be (any field, its own `Id`); throws naming the failure. */
  seedRecord(sobject: string, record: Record<string, unknown>): void {
    this.insertSeed(this.require(sobject), record);
  }

  /**
   * Check one non-null value of a create or update as {@link validate} does: the same error, or
   * the value {@link validate} would store (Bulk API jobs check their rows column by column).
   */
  checkFieldValue(sobject: string, field: SimField, value: unknown): { value: unknown } | { error: SfErrorItem } {
    const s = this.require(sobject);
    return checkValue(field, value, this.validationContext(s, 'create'));
  }

  /** Validate a write against the object's describe. */
  validate(sobject: string, input: Record<string, unknown>, mode: WriteMode): ValidationResult {
    const s = this.require(sobject);
    return validateWrite(s.describe, input, mode, this.validationContext(s, mode));
  }

  /**
   * Create a record from validated values: applies defaults and system fields, returns the stored
   * record. Throws {@link SimHttpError} when the object cannot be created.
   */
  insert(sobject: string, values: Record<string, unknown>, userId = this.options.defaultUserId): SimRecord {
    const s = this.require(sobject);
    const id = this.mintId(s);
    const record = this.newRecord(s, id, values, this.nowText(), userId);
    if (s.describe.name.endsWith('__e')) {
      // A platform event: published (after commit), never stored as a record.
      if (s.fieldIndex.has('eventuuid')) record.EventUuid = randomUUID();
      this.eventCheck?.(s.describe.name, record, userId);
      if (this.changeListeners.size > 0) this.noteChange({ kind: 'EVENT', sobject: s.describe.name, id, record: { ...record }, changed: [], userId });
      return record as SimRecord;
    }
    this.commitInsert(s, record, userId);
    return record as SimRecord;
  }

  /**
   * Inserts of records whose validated create values have exactly `keys` (canonical field names,
   * in this order), for writers of many records of one layout (a Bulk API job's rows): the returned
   * function takes the values in `keys` order and does what {@link insert} does with them, without
   * working out the record's layout again for each record.
   */
  inserter(sobject: string, keys: readonly string[]): (values: readonly unknown[], userId: string) => SimRecord {
    const s = this.require(sobject);
    if (s.describe.name.endsWith('__e')) {
      return (values, userId) => {
        const input: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) input[keys[i]!] = values[i];
        return this.insert(s.describe.name, input, userId);
      };
    }
    const probe: Record<string, unknown> = {};
    for (const k of keys) probe[k] = true;
    let plan = s.plan;
    let shape = this.newShape(s, probe);
    return (values, userId) => {
      if (s.plan !== plan) {
        // The describe changed (a drift test's mutation): defaults and compounds may differ.
        plan = s.plan;
        shape = this.newShape(s, probe);
      }
      const record = { ...shape.template };
      record.Id = this.mintId(s);
      for (let i = 0; i < keys.length; i++) record[keys[i]!] = values[i];
      this.fillDefaults(s, shape, record, this.nowText(), userId);
      this.commitInsert(s, record, userId);
      return record as SimRecord;
    };
  }

  private mintId(s: ObjectState): string {
    return this.minter.next(s.describe.keyPrefix ?? '000', (candidate) => this.explicitInMintSpace.has(candidate));
  }

  /** Stores a new record (live), with its undo and change entries. */
  private commitInsert(s: ObjectState, record: Record<string, unknown>, userId: string): void {
    const id = record.Id as string;
    this.storeLive(s, record);
    this.undoLog?.push(() => {
      s.live.delete(id);
      s.liveCache = undefined;
    });
    if (this.changeListeners.size > 0) this.noteChange({ kind: 'CREATE', sobject: s.describe.name, id, record: { ...record }, changed: [], userId });
  }

  /** Update a live record with validated values. */
  update(sobject: string, id18: string, values: Record<string, unknown>, userId = this.options.defaultUserId): SimRecord {
    const s = this.require(sobject);
    const record = s.live.get(id18);
    if (record === undefined) throw new SimHttpError(404, sfError('NOT_FOUND', 'The requested resource does not exist'));
    const before = { ...record };
    Object.assign(record, values);
    const now = this.nowText();
    if (s.fieldIndex.has('lastmodifieddate')) record.LastModifiedDate = now;
    if (s.fieldIndex.has('systemmodstamp')) record.SystemModstamp = now;
    if (s.fieldIndex.has('lastmodifiedbyid')) record.LastModifiedById = userId;
    this.computeCompounds(s, record);
    s.liveCache = undefined;
    this.undoLog?.push(() => {
      for (const k of Object.keys(record)) delete record[k];
      Object.assign(record, before);
    });
    if (this.changeListeners.size > 0) {
      const changed = [...new Set([...Object.keys(before), ...Object.keys(record)])].filter((k) => !sameValue(before[k], record[k]));
      // Salesforce lists LastModifiedDate in every update's changedFields, even when the clock did
      // not move since the previous write (a create and an update in the same millisecond).
      if (s.fieldIndex.has('lastmodifieddate') && !changed.includes('LastModifiedDate')) changed.push('LastModifiedDate');
      this.noteChange({ kind: 'UPDATE', sobject: s.describe.name, id: id18, record: { ...record }, changed, userId, before });
    }
    return record as SimRecord;
  }

  /** Delete a live record (to the recycle bin), cascading to master-detail children. */
  delete(sobject: string, id18: string, userId = this.options.defaultUserId): void {
    const s = this.require(sobject);
    const record = s.live.get(id18);
    if (record === undefined) throw new SimHttpError(404, sfError('ENTITY_IS_DELETED', 'entity is deleted'));
    s.live.delete(id18);
    const hadIsDeleted = 'IsDeleted' in record;
    const before = record.IsDeleted;
    if (s.fieldIndex.has('isdeleted')) record.IsDeleted = true;
    s.deleted.set(id18, record);
    this.deletedAt.set(id18, this.options.now());
    s.liveCache = undefined;
    s.deletedCache = undefined;
    if (this.changeListeners.size > 0) this.noteChange({ kind: 'DELETE', sobject: s.describe.name, id: id18, record: { ...record }, changed: [], userId });
    this.undoLog?.push(() => {
      s.deleted.delete(id18);
      this.deletedAt.delete(id18);
      if (hadIsDeleted) record.IsDeleted = before;
      else delete record.IsDeleted;
      s.live.set(id18, record);
      s.liveCache = undefined;
      s.deletedCache = undefined;
    });
    for (const rel of s.describe.childRelationships ?? []) {
      if ((rel as { readonly cascadeDelete?: unknown }).cascadeDelete !== true) continue;
      const child = this.objects.get(rel.childSObject.toLowerCase());
      if (child === undefined) continue;
      for (const [cid, c] of [...child.live]) if (c[rel.field] === id18) this.delete(child.describe.name, cid, userId);
    }
  }

  /** Remove a deleted record from the recycle bin for good (Bulk API `hardDelete`). */
  purge(sobject: string, id18: string): void {
    const s = this.require(sobject);
    const record = s.deleted.get(id18);
    if (record === undefined) return;
    s.deleted.delete(id18);
    s.deletedCache = undefined;
    this.undoLog?.push(() => {
      s.deleted.set(id18, record);
      s.deletedCache = undefined;
    });
  }

  /**
   * Run `fn` as one transaction: when it throws, or returns `{ rollback: true }`, every record write
   * it made is undone. Nested calls join the outer transaction.
   */
  transaction<T>(fn: () => T & { rollback?: boolean }): T {
    if (this.undoLog !== undefined) return fn();
    const log: Undo[] = [];
    const changes: RecordChange[] = [];
    this.undoLog = log;
    this.changeLog = changes;
    let committed = false;
    try {
      const result = fn();
      if (result.rollback === true) this.rollback(log);
      else committed = true;
      return result;
    } catch (error) {
      this.rollback(log);
      throw error;
    } finally {
      this.undoLog = undefined;
      this.changeLog = undefined;
      if (committed && changes.length > 0) for (const l of this.changeListeners) l(changes);
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private rollback(log: Undo[]): void {
    for (let i = log.length - 1; i >= 0; i--) log[i]!();
  }

  private idTaken(id18: string): boolean {
    const s = this.byPrefix.get(id18.slice(0, 3));
    return s !== undefined && (s.live.has(id18) || s.deleted.has(id18));
  }

  private validationContext(s: ObjectState, mode?: WriteMode): ValidationContext {
    // Seed loading checks no cross-references (seed files may name records loaded later).
    if (mode === 'seed') return this.newValidationContext(s, mode);
    s.ctx ??= this.newValidationContext(s, mode);
    return s.ctx;
  }

  private newValidationContext(s: ObjectState, mode?: WriteMode): ValidationContext {
    return {
      fieldIndex: s.fieldIndex,
      ...(mode !== 'seed' && {
        recordExists: (id18: string) => {
          const target = this.byPrefix.get(id18.slice(0, 3));
          return target === undefined ? undefined : target.live.has(id18);
        },
      }),
      keyPrefixOf: (name) => {
        const o = this.objects.get(name.toLowerCase());
        if (o) return o.describe.keyPrefix;
        const g = this.globalEntries.find((e) => String(e.name).toLowerCase() === name.toLowerCase());
        return g === undefined ? undefined : typeof g.keyPrefix === 'string' ? g.keyPrefix : null;
      },
    };
  }

  private bump(previous: number): number {
    return Math.max(floorToSecond(this.options.now()), previous + 1000);
  }

  private require(sobject: string): ObjectState {
    const s = this.objects.get(sobject.toLowerCase());
    if (s === undefined) throw new Error(`unknown sObject ${sobject}`);
    return s;
  }

  private requireField(s: ObjectState, field: string): SimField {
    const f = s.fieldIndex.get(field.toLowerCase());
    if (f === undefined) throw new Error(`unknown field ${s.describe.name}.${field}`);
    return f;
  }

  private putObject(describe: SimDescribe, lastModified: number, existing?: ObjectState): void {
    const fieldIndex = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f] as const));
    const plan = writePlan(describe);
    const state: ObjectState = existing ?? {
      describe,
      fieldIndex,
      plan,
      lastModified,
      live: new Map(),
      deleted: new Map(),
      liveCache: undefined,
      deletedCache: undefined,
      autoNumbers: new Map(),
      ctx: undefined,
      shapes: new Map(),
    };
    state.describe = describe;
    state.fieldIndex = fieldIndex;
    state.plan = plan;
    state.ctx = undefined;
    state.shapes = new Map();
    state.lastModified = lastModified;
    this.objects.set(describe.name.toLowerCase(), state);
    if (describe.keyPrefix && !this.byPrefix.has(describe.keyPrefix)) this.byPrefix.set(describe.keyPrefix, state);
    if (lastModified > this.globalLastModified) this.globalLastModified = lastModified;
  }

  private globalEntryOf(d: SimDescribe): Record<string, unknown> {
    const entry: Record<string, unknown> = {};
    for (const k of GLOBAL_KEYS) entry[k] = d[k] ?? (k === 'keyPrefix' || k === 'associateEntityType' || k === 'associateParentEntity' ? null : false);
    const urls = typeof d.urls === 'object' && d.urls !== null ? (d.urls as Record<string, unknown>) : {};
    entry.urls = { sobject: urls.sobject, describe: urls.describe, rowTemplate: urls.rowTemplate };
    return entry;
  }

  private syncGlobalEntry(d: SimDescribe): void {
    const key = d.name.toLowerCase();
    this.globalEntries = this.globalEntries.map((e) => {
      if (String(e.name).toLowerCase() !== key) return e;
      const next: Record<string, unknown> = { ...e };
      for (const k of GLOBAL_KEYS) if (k in d) next[k] = d[k];
      return next;
    });
  }

  private storeLive(s: ObjectState, record: Record<string, unknown>): void {
    s.live.set(record.Id as string, record);
    s.liveCache = undefined;
  }

  private insertSeed(s: ObjectState, raw: Record<string, unknown>): void {
    const checked = validateWrite(s.describe, raw, 'seed', this.validationContext(s, 'seed'));
    if (!checked.ok) throw new SimHttpError(400, checked.errors);
    let id: string;
    const rawId = raw.Id ?? raw.id;
    if (rawId !== undefined && rawId !== null) {
      const id18 = typeof rawId === 'string' ? toId18(rawId) : undefined;
      if (id18 === undefined) throw new Error(`malformed Id ${JSON.stringify(rawId)}`);
      if (s.describe.keyPrefix && id18.slice(0, 3) !== s.describe.keyPrefix) {
        throw new Error(`Id ${id18} does not start with ${s.describe.name}'s key prefix ${s.describe.keyPrefix}`);
      }
      if (this.idTaken(id18)) throw new Error(`duplicate Id ${id18}`);
      if (IdMinter.inSpace(id18)) this.explicitInMintSpace.add(id18);
      id = id18;
    } else {
      id = this.minter.next(s.describe.keyPrefix ?? '000', (c) => this.explicitInMintSpace.has(c));
    }
    // Seed auto-number values advance the counter past them.
    for (const f of s.plan.autoNumber) {
      const v = checked.values[f];
      if (typeof v === 'string') this.noteAutoNumber(s, f, v);
    }
    this.seedStamp ??= toSfDateTime(this.options.orgLastModified);
    const record = this.newRecord(s, id, checked.values, this.seedStamp, this.options.defaultUserId);
    if (s.fieldIndex.has('isdeleted') && record.IsDeleted === true) s.deleted.set(id, record);
    else this.storeLive(s, record);
  }

  /** The record timestamp of now; one string per millisecond (records of a bulk job share it). */
  private nowText(): string {
    const ms = this.options.now();
    if (ms !== this.nowMs) {
      this.nowMs = ms;
      this.nowString = toSfDateTime(new Date(ms));
    }
    return this.nowString;
  }

  /**
   * A new record: `Id`, the written values, then defaults, system fields, auto-numbers and
   * compounds, in that key order. Built as a copy of its shape's template (see {@link RecordShape}).
   */
  private newRecord(s: ObjectState, id: string, values: Record<string, unknown>, now: string, userId: string): Record<string, unknown> {
    let signature = '';
    for (const k in values) if (k !== 'Id' && values[k] !== undefined) signature += `${k}\n`;
    let shape = s.shapes.get(signature);
    if (shape === undefined) {
      if (s.shapes.size >= MAX_SHAPES) {
        const record: Record<string, unknown> = { Id: id };
        this.applyDefaults(s, record, values, now, userId);
        return record;
      }
      shape = this.newShape(s, values);
      s.shapes.set(signature, shape);
    }
    const record = { ...shape.template };
    record.Id = id;
    for (const k in values) if (k !== 'Id' && values[k] !== undefined) record[k] = values[k];
    this.fillDefaults(s, shape, record, now, userId);
    return record;
  }

  private fillDefaults(s: ObjectState, shape: RecordShape, record: Record<string, unknown>, now: string, userId: string): void {
    for (const f of shape.now) record[f] = now;
    for (const f of shape.user) record[f] = userId;
    for (const f of shape.autoNumber) record[f] = this.nextAutoNumber(s, f);
    for (const c of shape.compounds) record[c.name] = compoundValue(c, record);
  }

  /** The shape of records written with `values`' keys: a record built key by key, as a template. */
  private newShape(s: ObjectState, values: Record<string, unknown>): RecordShape {
    const keys: Record<string, unknown> = { Id: null };
    for (const k in values) if (k !== 'Id' && values[k] !== undefined) keys[k] = null;
    const given = new Set(Object.keys(keys));
    const plan = s.plan;
    const now = plan.now.filter((f) => !(f in keys));
    const user = plan.user.filter((f) => !(f in keys));
    const constants = plan.constants.filter(([f]) => !(f in keys));
    const autoNumber = plan.autoNumber.filter((f) => !(f in keys));
    for (const f of [...now, ...user, ...constants.map(([f]) => f), ...autoNumber, ...plan.compounds.map((c) => c.name)]) keys[f] = null;
    // JSON.parse builds an object with fast properties whatever its size; copies of it keep them.
    const template = JSON.parse(JSON.stringify(keys)) as Record<string, unknown>;
    for (const [f, v] of constants) template[f] = v;
    const compounds = plan.compounds
      .map((c) => ({ ...c, parts: c.parts.filter(([f]) => f in keys) }))
      // A compound written as a value (seed data) is still derived from its components: null.
      .filter((c) => c.parts.length > 0 || given.has(c.name));
    return { template, now, user, autoNumber, compounds };
  }

  private applyDefaults(s: ObjectState, record: Record<string, unknown>, values: Record<string, unknown>, now: string, userId: string): void {
    for (const k in values) if (k !== 'Id' && values[k] !== undefined) record[k] = values[k];
    const plan = s.plan;
    for (const f of plan.now) if (record[f] === undefined) record[f] = now;
    for (const f of plan.user) if (record[f] === undefined) record[f] = userId;
    for (const [f, v] of plan.constants) if (record[f] === undefined) record[f] = v;
    for (const f of plan.autoNumber) if (record[f] === undefined) record[f] = this.nextAutoNumber(s, f);
    this.computeCompounds(s, record);
  }

  private noteAutoNumber(s: ObjectState, field: string, value: string): void {
    const m = /^(.*?)(\d+)$/.exec(value);
    if (!m) return;
    const n = Number(m[2]);
    const cur = s.autoNumbers.get(field);
    if (cur === undefined || n + 1 > cur.next) s.autoNumbers.set(field, { prefix: m[1] ?? '', width: m[2]!.length, next: n + 1 });
  }

  private nextAutoNumber(s: ObjectState, field: string): string {
    let cur = s.autoNumbers.get(field);
    if (cur === undefined) {
      cur = { prefix: '', width: 8, next: 1 };
      s.autoNumbers.set(field, cur);
    }
    const value = `${cur.prefix}${String(cur.next).padStart(cur.width, '0')}`;
    cur.next += 1;
    return value;
  }

  /** Derive address and location compound values from their components. */
  private computeCompounds(s: ObjectState, record: Record<string, unknown>): void {
    for (const c of s.plan.compounds) record[c.name] = compoundValue(c, record);
  }
}

/**
 * A compound field's value from the record's components among `c.parts`: null when all are null,
 * else a copy of the compound's template (every key, null) with the non-null ones set.
 */
function compoundValue(c: WritePlan['compounds'][number], record: Record<string, unknown>): Record<string, unknown> | null {
  let value: Record<string, unknown> | null = null;
  for (const [field, key] of c.parts) {
    const v = record[field] ?? null;
    if (v === null) continue;
    value ??= { ...c.template };
    value[key] = v;
  }
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a === 'object' && typeof b === 'object' && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** Precompute the defaults and compound derivations of an object's writes. */
function writePlan(d: SimDescribe): WritePlan {
  const now: string[] = [];
  const user: string[] = [];
  const autoNumber: string[] = [];
  const constants: [string, unknown][] = [];
  const compounds: { name: string; parts: [string, string][]; template: Record<string, unknown> }[] = [];
  for (const f of d.fields) {
    if (f.name === 'Id') continue;
    if (f.autoNumber === true) autoNumber.push(f.name);
    else if (SYSTEM_DATE_FIELDS.includes(f.name) && f.type === 'datetime') now.push(f.name);
    else if ((SYSTEM_USER_FIELDS.includes(f.name) || f.name === 'OwnerId') && f.type === 'reference') user.push(f.name);
    else if (f.name === 'IsDeleted' && f.type === 'boolean') constants.push([f.name, false]);
    else if (f.type === 'boolean') constants.push([f.name, typeof f.defaultValue === 'boolean' ? f.defaultValue : false]);
    else if ((f.type === 'picklist' || f.type === 'multipicklist') && f.createable) {
      const def = f.picklistValues.find((p) => p.active && (p as { defaultValue?: unknown }).defaultValue === true);
      if (def) constants.push([f.name, def.value]);
    } else if (f.defaultValue !== undefined && f.defaultValue !== null && f.createable) constants.push([f.name, f.defaultValue]);
    if (f.type === 'address' || f.type === 'location') {
      const stem = f.type === 'address' ? f.name.replace(/Address$/, '') : '';
      const parts: [string, string][] = d.fields
        .filter((c) => c.compoundFieldName === f.name)
        .map((c) => {
          if (f.type === 'location') return [c.name, /latitude/i.test(c.name) ? 'latitude' : 'longitude'];
          const rest = c.name.startsWith(stem) ? c.name.slice(stem.length) : c.name;
          return [c.name, rest.charAt(0).toLowerCase() + rest.slice(1)];
        });
      if (parts.length > 0) {
        const template = JSON.parse(JSON.stringify(Object.fromEntries(parts.map(([, key]) => [key, null])))) as Record<string, unknown>;
        compounds.push({ name: f.name, parts, template });
      }
    }
  }
  return { now, user, autoNumber, constants, compounds };
}
