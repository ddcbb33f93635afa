/**
 * The schema diff: compares the snapshot's models with the source's, object by object and field by
 * field, and classifies every difference from the schema alone (usage comes later, in
 * `classify.ts`). Pure: no I/O.
 *
 * Every property of an object and a field is compared; those without a specific rule are
 * reported as `object-property-changed` / `field-property-changed` (safe), so no difference goes
 * unreported.
 */
import type {
  ChildRelationshipModel,
  EventModel,
  FieldModel,
  ObjectModel,
  PicklistModel,
  RecordTypeModel,
} from '../model/types.js';
import { canonicalJson } from '../model/snapshot.js';
import type { ChangeClass, ChangeKind, RawChange, Relevance, UsageKind } from './changes.js';

/** What the source looks like beyond the described objects. */
export interface DiffOptions {
  /**
   * Every sObject name in the source's global describe (name -> label). Objects in it that are not
   * in the snapshot and not in {@link ignoreAdded} are reported as added. Omit to skip added objects
   * (e.g. when `--objects` restricts the check).
   */
  readonly sourceObjectNames?: ReadonlyMap<string, string>;
  /** Names not to report as added (objects that existed but were not generated). */
  readonly ignoreAdded?: ReadonlySet<string>;
  /**
   * Every object name of the snapshot, when `before` holds only some of them (those that may have
   * changed): objects in this list are never reported as added.
   */
  readonly snapshotObjectNames?: Iterable<string>;
}

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'encryptedstring', 'combobox', 'picklist', 'multipicklist']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);

const ANY: 'any' = 'any';

/**
 * Compares snapshot objects and events with the source's.
 *
 * @param before the snapshot's objects (those to check)
 * @param after the source's describes of those objects, by name; an absent name means the object is gone
 * @param beforeEvents the snapshot's events
 * @param afterEvents the source's events, or null when the source cannot list them (not compared)
 *
 * @example
 * ```ts
 * const changes = diffModels(snapshot.model.objects, liveByName, snapshot.model.events, null, {});
 * ```
 */
export function diffModels(
  before: readonly ObjectModel[],
  after: ReadonlyMap<string, ObjectModel>,
  beforeEvents: readonly EventModel[],
  afterEvents: readonly EventModel[] | null,
  options: DiffOptions = {},
): RawChange[] {
  const changes: RawChange[] = [];
  const afterLower = lowerIndex(after);
  const known = new Set<string>([...(options.snapshotObjectNames ?? [])].map((n) => n.toLowerCase()));
  for (const obj of before) {
    known.add(obj.name.toLowerCase());
    const now = after.get(obj.name) ?? afterLower.get(obj.name.toLowerCase());
    if (!now) {
      changes.push(
        change(obj.name, null, 'object-removed', 'breaking', obj.label, null, `object ${obj.name} was removed or is no longer accessible`, {
          scope: 'object',
          kinds: ANY,
        }),
      );
      continue;
    }
    diffObject(obj, now, changes);
  }
  if (options.sourceObjectNames) {
    const ignore = new Set([...(options.ignoreAdded ?? [])].map((n) => n.toLowerCase()));
    for (const [name, label] of [...options.sourceObjectNames].sort(([a], [b]) => cmp(a, b))) {
      const lower = name.toLowerCase();
      if (known.has(lower) || ignore.has(lower)) continue;
      changes.push(change(name, null, 'object-added', 'safe', null, label, `object ${name} (${label}) was added`, { scope: 'none' }));
    }
  }
  if (afterEvents) diffEvents(beforeEvents, afterEvents, changes);
  suppressExplainedChildChanges(changes);
  return changes;
}

function lowerIndex<T>(map: ReadonlyMap<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, v] of map) out.set(k.toLowerCase(), v);
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function change(
  object: string,
  field: string | null,
  kind: ChangeKind,
  baseClass: ChangeClass,
  before: unknown,
  after: unknown,
  message: string,
  relevance: Relevance,
): RawChange {
  return { object, field, kind, baseClass, before, after, message, relevance };
}

// ---------------------------------------------------------------------------------------------
// Objects

/** Object properties with a specific rule, or not compared here. */
const OBJECT_HANDLED = new Set([
  'name', 'fields', 'childRelationships', 'recordTypes', 'queryable', 'retrieveable', 'createable', 'updateable', 'deletable',
]);

function diffObject(was: ObjectModel, now: ObjectModel, out: RawChange[]): void {
  const o = was.name;
  const lostAccess = (was.queryable && !now.queryable) || (was.retrieveable && !now.retrieveable);
  if (lostAccess) {
    const what = was.queryable && !now.queryable ? 'queryable' : 'retrieveable';
    out.push(
      change(o, null, 'object-not-accessible', 'breaking', true, false, `object ${o} is no longer ${what}`, { scope: 'object', kinds: ANY }),
    );
  }
  if (was.createable && !now.createable) {
    out.push(change(o, null, 'object-not-createable', 'breaking', true, false, `object ${o} is no longer createable`, { scope: 'object', kinds: ['create'] }));
  }
  if (was.updateable && !now.updateable) {
    out.push(change(o, null, 'object-not-updateable', 'breaking', true, false, `object ${o} is no longer updateable`, { scope: 'object', kinds: ['update'] }));
  }
  if (was.deletable && !now.deletable) {
    out.push(change(o, null, 'object-not-deletable', 'breaking', true, false, `object ${o} is no longer deletable`, { scope: 'object', kinds: ['delete'] }));
  }
  for (const key of ['queryable', 'retrieveable', 'createable', 'updateable', 'deletable'] as const) {
    if (!was[key] && now[key]) {
      out.push(change(o, null, 'object-property-changed', 'safe', false, true, `object ${o} is now ${key}`, { scope: 'none' }));
    }
  }
  for (const key of unionKeys(was, now)) {
    if (OBJECT_HANDLED.has(key)) continue;
    const a = prop(was, key);
    const b = prop(now, key);
    if (canonicalJson(a) === canonicalJson(b)) continue;
    out.push(change(o, null, 'object-property-changed', 'safe', a, b, `object ${o}: ${key} changed from ${show(a)} to ${show(b)}`, { scope: 'none' }));
  }
  diffFields(was, now, out);
  diffChildRelationships(o, was.childRelationships, now.childRelationships, out);
  diffRecordTypes(o, was.recordTypes, now.recordTypes, out);
}

function diffChildRelationships(
  o: string,
  was: readonly ChildRelationshipModel[],
  now: readonly ChildRelationshipModel[],
  out: RawChange[],
): void {
  const key = (c: ChildRelationshipModel): string => `${c.childSObject}.${c.field}`;
  const nowByKey = new Map(now.map((c) => [key(c), c]));
  const wasByKey = new Map(was.map((c) => [key(c), c]));
  for (const c of was) {
    const n = nowByKey.get(key(c));
    if (!n) {
      if (c.relationshipName === null) continue; // was not reachable in a subquery: nothing to lose
      out.push(
        change(o, null, 'child-relationship-removed', 'breaking', c, null,
          `child relationship ${o}.${c.relationshipName} (${c.childSObject}.${c.field}) was removed`,
          { scope: 'relationship', relationship: c.relationshipName }),
      );
      continue;
    }
    if (c.relationshipName !== n.relationshipName) {
      if (c.relationshipName === null) {
        out.push(change(o, null, 'child-relationship-added', 'safe', c, n, `child relationship ${o}.${n.relationshipName} (${key(n)}) can now be used in subqueries`, { scope: 'none' }));
      } else {
        out.push(
          change(o, null, 'child-relationship-renamed', 'breaking', c.relationshipName, n.relationshipName,
            n.relationshipName === null
              ? `child relationship ${o}.${c.relationshipName} (${key(c)}) can no longer be used in subqueries`
              : `child relationship ${o}.${c.relationshipName} (${key(c)}) was renamed to ${n.relationshipName}`,
            { scope: 'relationship', relationship: c.relationshipName }),
        );
      }
    } else if (canonicalJson(c) !== canonicalJson(n)) {
      out.push(change(o, null, 'object-property-changed', 'safe', c, n, `child relationship ${o}.${c.relationshipName ?? key(c)} changed (cascade/restricted delete)`, { scope: 'none' }));
    }
  }
  for (const n of now) {
    if (wasByKey.has(key(n))) continue;
    out.push(change(o, null, 'child-relationship-added', 'safe', null, n, `child relationship ${o}.${n.relationshipName ?? '(none)'} (${key(n)}) was added`, { scope: 'none' }));
  }
}

function diffRecordTypes(o: string, was: readonly RecordTypeModel[], now: readonly RecordTypeModel[], out: RawChange[]): void {
  const nowBy = new Map(now.map((r) => [r.developerName, r]));
  const wasBy = new Set(was.map((r) => r.developerName));
  for (const r of was) {
    const n = nowBy.get(r.developerName);
    if (!n) {
      out.push(change(o, null, 'record-type-removed', 'dangerous', r, null, `record type ${o}.${r.developerName} was removed`, { scope: 'object', kinds: ['create', 'update'] }));
    } else if (r.active && !n.active) {
      out.push(change(o, null, 'record-type-deactivated', 'dangerous', r, n, `record type ${o}.${r.developerName} was deactivated`, { scope: 'object', kinds: ['create', 'update'] }));
    } else if (canonicalJson(r) !== canonicalJson(n)) {
      out.push(change(o, null, 'record-type-changed', r.recordTypeId !== n.recordTypeId ? 'dangerous' : 'safe', r, n,
        r.recordTypeId !== n.recordTypeId
          ? `record type ${o}.${r.developerName} has a new id (${r.recordTypeId} -> ${n.recordTypeId})`
          : `record type ${o}.${r.developerName} changed`,
        r.recordTypeId !== n.recordTypeId ? { scope: 'object', kinds: ['create', 'update'] } : { scope: 'none' }));
    }
  }
  for (const n of now) {
    if (!wasBy.has(n.developerName)) {
      out.push(change(o, null, 'record-type-added', 'safe', null, n, `record type ${o}.${n.developerName} was added`, { scope: 'none' }));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fields

function diffFields(was: ObjectModel, now: ObjectModel, out: RawChange[]): void {
  const o = was.name;
  const nowBy = new Map(now.fields.map((f) => [f.name, f]));
  const nowLower = new Map(now.fields.map((f) => [f.name.toLowerCase(), f]));
  const seen = new Set<string>();
  for (const f of was.fields) {
    const n = nowBy.get(f.name) ?? nowLower.get(f.name.toLowerCase());
    if (!n) {
      out.push(change(o, f.name, 'field-removed', 'breaking', f.type, null, `field ${o}.${f.name} was removed or is no longer accessible`, { scope: 'field', field: f.name, kinds: ANY }));
      continue;
    }
    seen.add(n.name);
    diffField(o, f, n, out);
  }
  for (const n of now.fields) {
    if (seen.has(n.name)) continue;
    if (n.requiredOnCreate) {
      out.push(
        change(o, n.name, 'field-added-required', 'breaking', null, n.type,
          `required field ${o}.${n.name} (${n.type}) was added: creating ${o} without it fails`,
          { scope: 'object', kinds: ['create'] }),
      );
    } else {
      out.push(change(o, n.name, 'field-added', 'safe', null, n.type, `field ${o}.${n.name} (${n.type}) was added`, { scope: 'none' }));
    }
  }
}

/** Field properties with a specific rule (the rest go through the generic comparison). */
const FIELD_HANDLED = new Set([
  'name', 'type', 'label', 'helpText', 'createable', 'updateable', 'filterable', 'sortable', 'groupable', 'nillable',
  'requiredOnCreate', 'defaultedOnCreate', 'defaultValue', 'defaultValueFormula', 'externalId', 'unique', 'encrypted',
  'deprecatedAndHidden', 'length', 'byteLength', 'precision', 'scale', 'digits', 'picklist', 'reference',
]);

function diffField(o: string, was: FieldModel, now: FieldModel, out: RawChange[]): void {
  const name = `${o}.${was.name}`;
  const field = was.name;
  const rel: Rel = (kinds) => ({
    scope: 'field',
    field,
    kinds,
  });
  const push = (kind: ChangeKind, cls: ChangeClass, before: unknown, after: unknown, message: string, relevance: Relevance): void => {
    out.push(change(o, field, kind, cls, before, after, message, relevance));
  };

  if (!was.deprecatedAndHidden && now.deprecatedAndHidden) {
    push('field-not-accessible', 'breaking', false, true, `field ${name} is now deprecated and hidden`, rel(ANY));
  } else if (was.deprecatedAndHidden !== now.deprecatedAndHidden) {
    push('field-property-changed', 'safe', was.deprecatedAndHidden, now.deprecatedAndHidden, `field ${name} is no longer deprecated and hidden`, { scope: 'none' });
  }

  const typeChanged = was.type !== now.type;
  if (typeChanged) {
    push('type-changed', 'breaking', was.type, now.type, `field ${name} changed type from ${was.type} to ${now.type}`, rel(ANY));
  }

  if (was.createable && !now.createable) {
    push('field-not-createable', 'breaking', true, false, `field ${name} is no longer createable`, rel(['create']));
  }
  if (was.updateable && !now.updateable) {
    push('field-not-updateable', 'breaking', true, false, `field ${name} is no longer updateable`, rel(['update']));
  }
  if (was.filterable && !now.filterable) {
    push('field-not-filterable', 'breaking', true, false, `field ${name} is no longer filterable`, rel(['filter']));
  }
  if (was.sortable && !now.sortable) {
    push('field-not-sortable', 'breaking', true, false, `field ${name} is no longer sortable`, rel(['sort']));
  }
  if (was.groupable && !now.groupable) {
    push('field-not-groupable', 'breaking', true, false, `field ${name} is no longer groupable`, rel(['group']));
  }
  for (const key of ['createable', 'updateable', 'filterable', 'sortable', 'groupable'] as const) {
    if (!was[key] && now[key]) push('field-property-changed', 'safe', false, true, `field ${name} is now ${key}`, { scope: 'none' });
  }

  // Required on create: createable && !nillable && !defaultedOnCreate.
  if (!was.requiredOnCreate && now.requiredOnCreate) {
    push('field-now-required', 'breaking', false, true, `field ${name} is now required on create: creating ${o} without it fails`, { scope: 'object', kinds: ['create'] });
  } else if (was.requiredOnCreate && !now.requiredOnCreate) {
    push('field-property-changed', 'safe', true, false, `field ${name} is no longer required on create`, { scope: 'none' });
  }
  if (!was.nillable && now.nillable) {
    push('field-now-nillable', 'dangerous', false, true, `field ${name} may now be null where the code expects a value`, rel(['read', 'switch']));
  } else if (was.nillable && !now.nillable && !(now.requiredOnCreate && !was.requiredOnCreate)) {
    push('field-property-changed', 'safe', true, false, `field ${name} is no longer nillable`, { scope: 'none' });
  }

  // Defaults.
  const hadDefault = was.defaultValue !== null || was.defaultValueFormula !== null;
  const hasDefault = now.defaultValue !== null || now.defaultValueFormula !== null;
  const wasDefault = { defaultValue: was.defaultValue, defaultValueFormula: was.defaultValueFormula, defaultedOnCreate: was.defaultedOnCreate };
  const nowDefault = { defaultValue: now.defaultValue, defaultValueFormula: now.defaultValueFormula, defaultedOnCreate: now.defaultedOnCreate };
  if ((hadDefault && !hasDefault) || (was.defaultedOnCreate && !now.defaultedOnCreate && !now.requiredOnCreate)) {
    push('default-removed', 'dangerous', wasDefault, nowDefault, `field ${name} lost its default (${showDefault(was)}): records created without it get no value`, { scope: 'object', kinds: ['create'] });
  } else if (canonicalJson(wasDefault) !== canonicalJson(nowDefault)) {
    if (hadDefault && hasDefault) {
      push('default-changed', 'dangerous', wasDefault, nowDefault, `field ${name} default changed from ${showDefault(was)} to ${showDefault(now)}`, { scope: 'object', kinds: ['create'] });
    } else {
      push('field-property-changed', 'safe', wasDefault, nowDefault, `field ${name} default changed from ${showDefault(was)} to ${showDefault(now)}`, { scope: 'none' });
    }
  }

  if (was.externalId && !now.externalId) {
    push('external-id-removed', 'breaking', true, false, `field ${name} is no longer an external id (upserts by it fail)`, rel(ANY));
  } else if (!was.externalId && now.externalId) {
    push('field-property-changed', 'safe', false, true, `field ${name} is now an external id`, { scope: 'none' });
  }
  if (!was.unique && now.unique) {
    push('field-now-unique', 'dangerous', false, true, `field ${name} is now unique: writing a duplicate value fails`, rel(['create', 'update']));
  } else if (was.unique && !now.unique) {
    push('field-property-changed', 'safe', true, false, `field ${name} is no longer unique`, { scope: 'none' });
  }

  if (!was.encrypted && now.encrypted) {
    push('field-encrypted', 'dangerous', false, true, `field ${name} is now encrypted: values may be masked and filtering or sorting by it is restricted`, rel(ANY));
  } else if (was.encrypted && !now.encrypted) {
    push('field-property-changed', 'safe', true, false, `field ${name} is no longer encrypted`, { scope: 'none' });
  }

  // Sizes (only meaningful when the type family stayed).
  if (!typeChanged) diffSizes(o, was, now, push, rel);

  if (was.label !== now.label) {
    push('label-changed', 'safe', was.label, now.label, `field ${name} label changed from ${show(was.label)} to ${show(now.label)}`, { scope: 'none' });
  }
  if (was.helpText !== now.helpText) {
    push('help-text-changed', 'safe', was.helpText, now.helpText, `field ${name} help text changed`, { scope: 'none' });
  }

  diffPicklist(o, field, was.picklist, now.picklist, push, rel, typeChanged);
  diffReference(o, field, was, now, push, rel);

  for (const key of unionKeys(was, now)) {
    if (FIELD_HANDLED.has(key)) continue;
    const a = prop(was, key);
    const b = prop(now, key);
    if (canonicalJson(a) === canonicalJson(b)) continue;
    push('field-property-changed', 'safe', a, b, `field ${name}: ${key} changed from ${show(a)} to ${show(b)}`, { scope: 'none' });
  }
}

type Push = (kind: ChangeKind, cls: ChangeClass, before: unknown, after: unknown, message: string, relevance: Relevance) => void;
type Rel = (kinds: readonly UsageKind[] | 'any') => Relevance;

function diffSizes(o: string, was: FieldModel, now: FieldModel, push: Push, rel: Rel): void {
  const name = `${o}.${was.name}`;
  const writes = rel(['create', 'update']);
  if (TEXT_TYPES.has(was.type) || was.type === 'base64') {
    if (now.length < was.length) {
      push('length-shrunk', 'breaking', was.length, now.length, `field ${name} length shrank from ${was.length} to ${now.length}`, writes);
    } else if (now.length > was.length) {
      push('field-property-changed', 'safe', was.length, now.length, `field ${name} length grew from ${was.length} to ${now.length}`, { scope: 'none' });
    }
  } else if (was.length !== now.length) {
    push('field-property-changed', 'safe', was.length, now.length, `field ${name}: length changed from ${was.length} to ${now.length}`, { scope: 'none' });
  }
  if (was.byteLength !== now.byteLength) {
    push('field-property-changed', 'safe', was.byteLength, now.byteLength, `field ${name}: byteLength changed from ${was.byteLength} to ${now.byteLength}`, { scope: 'none' });
  }
  const numeric = NUMBER_TYPES.has(was.type);
  for (const key of ['precision', 'scale', 'digits'] as const) {
    if (was[key] === now[key]) continue;
    if (numeric && now[key] < was[key]) {
      push('precision-shrunk', 'breaking', { [key]: was[key] }, { [key]: now[key] }, `field ${name} ${key} shrank from ${was[key]} to ${now[key]}`, writes);
    } else {
      push('field-property-changed', 'safe', was[key], now[key], `field ${name}: ${key} changed from ${was[key]} to ${now[key]}`, { scope: 'none' });
    }
  }
}

function diffPicklist(
  o: string,
  field: string,
  was: PicklistModel | null,
  now: PicklistModel | null,
  push: Push,
  rel: Rel,
  typeChanged: boolean,
): void {
  const name = `${o}.${field}`;
  if (canonicalJson(was) === canonicalJson(now)) return;
  if (!was || !now) {
    // A type change explains it (picklist <-> other types); report what is not explained.
    if (typeChanged) return;
    push('field-property-changed', 'safe', was, now, `field ${name}: picklist ${was ? 'removed' : 'added'}`, { scope: 'none' });
    return;
  }
  const wasActive = new Map(was.values.map((v) => [v.value, v]));
  const nowValues = new Map(now.values.map((v) => [v.value, v]));
  const restricted = was.restricted && now.restricted;
  for (const v of was.values) {
    if (!v.active) continue;
    const n = nowValues.get(v.value);
    if (n && n.active) continue;
    const how = n ? 'deactivated' : 'removed';
    if (restricted || (now.restricted && !was.restricted)) {
      push('picklist-value-removed', 'breaking', v.value, n ? { value: n.value, active: false } : null,
        `restricted picklist ${name}: value ${show(v.value)} was ${how}; writing it now fails`, rel(ANY));
    } else {
      push('picklist-value-removed', 'safe', v.value, n ? { value: n.value, active: false } : null,
        `picklist ${name} (not restricted): value ${show(v.value)} was ${how}`, { scope: 'none' });
    }
  }
  for (const n of now.values) {
    if (!n.active) continue;
    const v = wasActive.get(n.value);
    if (v && v.active) continue;
    if (now.restricted) {
      push('picklist-value-added', 'dangerous', null, n.value,
        `restricted picklist ${name}: value ${show(n.value)} was added; an exhaustive switch over ${field} misses it`, rel(['switch']));
    } else {
      push('picklist-value-added', 'safe', null, n.value, `picklist ${name}: value ${show(n.value)} was added`, { scope: 'none' });
    }
  }
  if (!was.restricted && now.restricted) {
    push('picklist-now-restricted', 'dangerous', false, true, `picklist ${name} is now restricted: values outside the list are rejected`, rel(['create', 'update']));
  } else if (was.restricted && !now.restricted) {
    push('picklist-now-unrestricted', 'dangerous', true, false, `picklist ${name} is no longer restricted: it may hold values outside the list`, rel(['switch', 'read']));
  }
  // validFor / controller (dependent picklists).
  const deps = (p: PicklistModel): string =>
    canonicalJson({ dependent: p.dependent, controllerName: p.controllerName, validFor: p.values.map((v) => [v.value, v.validFor]) });
  if (deps(was) !== deps(now)) {
    const common = was.values.filter((v) => nowValues.has(v.value));
    const validForChanged = common.some((v) => canonicalJson(v.validFor) !== canonicalJson(nowValues.get(v.value)?.validFor ?? null));
    if (was.controllerName !== now.controllerName || was.dependent !== now.dependent || validForChanged) {
      push('picklist-dependency-changed', 'dangerous',
        { dependent: was.dependent, controllerName: was.controllerName },
        { dependent: now.dependent, controllerName: now.controllerName },
        `picklist ${name}: which values its controller allows changed`, rel(['create', 'update']));
    }
  }
  // Labels and default flags of values that stayed.
  for (const v of was.values) {
    const n = nowValues.get(v.value);
    if (!n) continue;
    if (v.label !== n.label || v.defaultValue !== n.defaultValue || (!v.active && n.active)) {
      push('picklist-value-changed', 'safe', { label: v.label, defaultValue: v.defaultValue, active: v.active },
        { label: n.label, defaultValue: n.defaultValue, active: n.active },
        `picklist ${name}: value ${show(v.value)} changed (${describeValueChange(v, n)})`, { scope: 'none' });
    }
  }
  // Inactive values that vanished are not worth a line each, but the list order is meaningful for
  // validFor; order changes are covered by the dependency comparison above.
}

function describeValueChange(
  v: { label: string; defaultValue: boolean; active: boolean },
  n: { label: string; defaultValue: boolean; active: boolean },
): string {
  const parts: string[] = [];
  if (v.label !== n.label) parts.push(`label ${show(v.label)} -> ${show(n.label)}`);
  if (v.defaultValue !== n.defaultValue) parts.push(n.defaultValue ? 'now the default' : 'no longer the default');
  if (!v.active && n.active) parts.push('reactivated');
  return parts.join(', ');
}

function diffReference(o: string, field: string, wasField: FieldModel, nowField: FieldModel, push: Push, rel: Rel): void {
  const name = `${o}.${field}`;
  const was = wasField.reference;
  const now = nowField.reference;
  if (canonicalJson(was) === canonicalJson(now)) return;
  if (!was || !now) {
    if (wasField.type === nowField.type) {
      push('field-property-changed', 'safe', was, now, `field ${name}: reference ${was ? 'removed' : 'added'}`, { scope: 'none' });
    }
    return;
  }
  const removed = was.referenceTo.filter((t) => !now.referenceTo.includes(t));
  const added = now.referenceTo.filter((t) => !was.referenceTo.includes(t));
  if (removed.length > 0) {
    push('reference-retargeted', 'breaking', was.referenceTo, now.referenceTo,
      `reference ${name} now points to ${now.referenceTo.join(' | ') || '(nothing)'} instead of ${was.referenceTo.join(' | ')}`, rel(ANY));
  } else if (added.length > 0) {
    push('reference-target-added', 'dangerous', was.referenceTo, now.referenceTo,
      `reference ${name} may now also point to ${added.join(', ')}`,
      was.relationshipName ? { scope: 'relationship', relationship: was.relationshipName } : rel(['read']));
  }
  if (was.relationshipName !== now.relationshipName) {
    if (was.relationshipName === null) {
      push('field-property-changed', 'safe', null, now.relationshipName, `reference ${name} now opens relationship ${now.relationshipName}`, { scope: 'none' });
    } else {
      push('relationship-renamed', 'breaking', was.relationshipName, now.relationshipName,
        now.relationshipName === null
          ? `reference ${name} no longer opens relationship ${was.relationshipName}`
          : `relationship ${o}.${was.relationshipName} (field ${field}) was renamed to ${now.relationshipName}`,
        { scope: 'relationship', relationship: was.relationshipName });
    }
  }
  for (const key of unionKeys(was, now)) {
    if (key === 'referenceTo' || key === 'relationshipName') continue;
    const a = prop(was, key);
    const b = prop(now, key);
    if (canonicalJson(a) === canonicalJson(b)) continue;
    const cls: ChangeClass = key === 'masterDetail' || key === 'restrictedDelete' ? 'dangerous' : 'safe';
    push('field-property-changed', cls, a, b, `reference ${name}: ${key} changed from ${show(a)} to ${show(b)}`,
      cls === 'safe' ? { scope: 'none' } : rel(['create', 'update']));
  }
}

// ---------------------------------------------------------------------------------------------
// Events

function diffEvents(before: readonly EventModel[], after: readonly EventModel[], out: RawChange[]): void {
  const afterBy = new Map(after.map((e) => [e.name, e]));
  const beforeBy = new Set(before.map((e) => e.name));
  for (const e of before) {
    const n = afterBy.get(e.name);
    if (!n) {
      out.push(change(e.name, null, 'event-removed', 'breaking', e.topic, null, `event ${e.name} (${e.topic}) was removed`, { scope: 'none' }));
      continue;
    }
    if (canonicalJson(e.schema) === canonicalJson(n.schema) && e.topic === n.topic && e.kind === n.kind) continue;
    const wasFields = avroFields(e.schema);
    const nowFields = avroFields(n.schema);
    if (!wasFields || !nowFields) {
      out.push(change(e.name, null, 'event-schema-changed', 'dangerous', e.schemaId, n.schemaId, `event ${e.name}: schema changed`, { scope: 'none' }));
      continue;
    }
    let reported = false;
    for (const [fname, ftype] of wasFields) {
      const nt = nowFields.get(fname);
      if (nt === undefined) {
        out.push(change(e.name, fname, 'event-field-removed', 'breaking', ftype, null, `event ${e.name}: field ${fname} was removed`, { scope: 'none' }));
        reported = true;
      } else if (canonicalJson(nt) !== canonicalJson(ftype)) {
        out.push(change(e.name, fname, 'event-field-changed', 'breaking', ftype, nt, `event ${e.name}: field ${fname} changed type`, { scope: 'none' }));
        reported = true;
      }
    }
    for (const [fname, ftype] of nowFields) {
      if (!wasFields.has(fname)) {
        out.push(change(e.name, fname, 'event-field-added', 'safe', null, ftype, `event ${e.name}: field ${fname} was added`, { scope: 'none' }));
        reported = true;
      }
    }
    if (!reported) {
      out.push(change(e.name, null, 'event-schema-changed', 'safe', e.schemaId, n.schemaId, `event ${e.name}: schema changed (${e.schemaId} -> ${n.schemaId})`, { scope: 'none' }));
    }
  }
  for (const n of after) {
    if (!beforeBy.has(n.name)) {
      out.push(change(n.name, null, 'event-added', 'safe', null, n.topic, `event ${n.name} (${n.topic}) was added`, { scope: 'none' }));
    }
  }
}

function avroFields(schema: unknown): Map<string, unknown> | null {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return null;
  const fields = (schema as { fields?: unknown }).fields;
  if (!Array.isArray(fields)) return null;
  const out = new Map<string, unknown>();
  for (const f of fields) {
    if (!f || typeof f !== 'object') return null;
    const { name, type } = f as { name?: unknown; type?: unknown };
    if (typeof name !== 'string') return null;
    out.set(name, type);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * A field removed (or retargeted) on a child object also removes the parent's child relationship;
 * the field change says it already, so the child-relationship line is dropped.
 */
function suppressExplainedChildChanges(changes: RawChange[]): void {
  const explained = new Set(
    changes
      .filter((c) => c.field !== null && (c.kind === 'field-removed' || c.kind === 'reference-retargeted' || c.kind === 'type-changed' || c.kind === 'relationship-renamed'))
      .map((c) => `${c.object}.${c.field}`),
  );
  const removedObjects = new Set(changes.filter((c) => c.kind === 'object-removed').map((c) => c.object));
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i];
    if (!c || (c.kind !== 'child-relationship-removed' && c.kind !== 'child-relationship-renamed')) continue;
    const child = (c.kind === 'child-relationship-removed' ? c.before : null) as ChildRelationshipModel | null;
    if (child && (explained.has(`${child.childSObject}.${child.field}`) || removedObjects.has(child.childSObject))) {
      changes.splice(i, 1);
    }
  }
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(cmp);
}

function prop(o: object, key: string): unknown {
  return (o as Record<string, unknown>)[key] ?? null;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return JSON.stringify(v);
  return canonicalJson(v);
}

function showDefault(f: FieldModel): string {
  if (f.defaultValueFormula !== null) return `formula ${f.defaultValueFormula}`;
  if (f.defaultValue !== null) return show(f.defaultValue);
  return f.defaultedOnCreate ? 'set by Salesforce on create' : 'none';
}
