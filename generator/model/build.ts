/**
 * Raw describes (+ Avro schemas) -> {@link OrgModel}. Pure and deterministic: objects and fields
 * sorted by name, picklist values in describe order, child relationships sorted by
 * (relationshipName, childSObject, field).
 */
import type { DescribedSObject, RawEventSchema } from '../metadata/raw.js';
import { SFGEN_VERSION } from '../version.js';
import { ModelError } from './errors.js';
import { normalizeEvent } from './events.js';
import { compareStrings, normalizeField } from './field.js';
import { classifyObject, objectNamespace } from './kinds.js';
import { MODEL_FORMAT_VERSION, type ChildRelationshipModel, type ObjectModel, type OrgModel, type RecordTypeModel } from './types.js';

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compareStrings(a, b);
}

/** Normalizes one sObject describe. */
export function buildObject(described: DescribedSObject): ObjectModel {
  const { describe, origin } = described;
  const name = describe.name;
  const seen = new Map<string, string>();
  for (const f of describe.fields) {
    const lower = f.name.toLowerCase();
    const previous = seen.get(lower);
    if (previous !== undefined) {
      throw new ModelError(`Duplicate field ${name}.${f.name} (same name as ${name}.${previous}, ignoring case)`, `${name}.${f.name}`, origin);
    }
    seen.set(lower, f.name);
  }
  const controllerCounts = new Map<string, number>();
  for (const f of describe.fields) {
    controllerCounts.set(f.name, f.type === 'boolean' ? 2 : (f.picklistValues ?? []).length);
  }
  const fields = describe.fields
    .map((f) => normalizeField(f, `${name}.${f.name}`, origin, f.controllerName ? controllerCounts.get(f.controllerName) : undefined))
    .sort((a, b) => compareStrings(a.name, b.name));

  const childRelationships: ChildRelationshipModel[] = (describe.childRelationships ?? [])
    .map((c) => ({
      relationshipName: c.relationshipName,
      childSObject: c.childSObject,
      field: c.field,
      cascadeDelete: c.cascadeDelete === true,
      restrictedDelete: c.restrictedDelete === true,
    }))
    .sort(
      (a, b) =>
        compareNullable(a.relationshipName, b.relationshipName) ||
        compareStrings(a.childSObject, b.childSObject) ||
        compareStrings(a.field, b.field),
    );

  const recordTypes: RecordTypeModel[] = (describe.recordTypeInfos ?? [])
    .map((r) => ({
      developerName: r.developerName ?? r.name,
      name: r.name,
      recordTypeId: r.recordTypeId ?? '',
      active: r.active === true,
      master: r.master === true,
    }))
    .sort((a, b) => compareStrings(a.developerName, b.developerName) || compareStrings(a.recordTypeId, b.recordTypeId));

  return {
    name,
    label: describe.label,
    labelPlural: describe.labelPlural ?? describe.label,
    kind: classifyObject(describe),
    custom: describe.custom === true,
    namespace: objectNamespace(name),
    keyPrefix: describe.keyPrefix ?? null,
    queryable: describe.queryable === true,
    createable: describe.createable === true,
    updateable: describe.updateable === true,
    deletable: describe.deletable === true,
    undeletable: describe.undeletable === true,
    searchable: describe.searchable === true,
    retrieveable: describe.retrieveable === true,
    triggerable: describe.triggerable === true,
    associateParentEntity: describe.associateParentEntity ?? null,
    fields,
    childRelationships,
    recordTypes,
  };
}

/** Input of {@link buildModel}. */
export interface BuildModelInput {
  readonly apiVersion: string;
  readonly orgId: string | null;
  readonly objects: readonly DescribedSObject[];
  readonly events: readonly RawEventSchema[];
}

/**
 * Builds the normalized, sorted org model.
 *
 * @example
 * ```ts
 * const model = buildModel({ apiVersion: '60.0', orgId: null, objects: described, events: [] });
 * model.objects.map((o) => o.name); // sorted
 * ```
 */
export function buildModel(input: BuildModelInput): OrgModel {
  const objects = input.objects.map(buildObject).sort((a, b) => compareStrings(a.name, b.name));
  for (let i = 1; i < objects.length; i++) {
    if (objects[i - 1]?.name === objects[i]?.name) {
      const dup = input.objects.filter((o) => o.describe.name === objects[i]?.name).map((o) => o.origin);
      throw new ModelError(`Object ${objects[i]?.name} is described twice`, objects[i]?.name ?? '', dup.join(', '));
    }
  }
  const events = input.events.map(normalizeEvent).sort((a, b) => compareStrings(a.name, b.name));
  return {
    formatVersion: MODEL_FORMAT_VERSION,
    generatorVersion: SFGEN_VERSION,
    apiVersion: input.apiVersion,
    orgId: input.orgId,
    objects,
    events,
  };
}
