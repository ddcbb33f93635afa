/** Small builders for normalized models, shared by the model (snapshot) and drift-check tests. */
import { FIELD_DEFAULTS } from '../../../generator/model/snapshot.js';
import type { FieldModel, ObjectModel, PicklistModel, ReferenceModel } from '../../../generator/model/types.js';

/**
 * A string field (length 255) with the snapshot's defaults for everything else (`FIELD_DEFAULTS`:
 * what most fields are), then `over`.
 */
export function field(name: string, over: Partial<FieldModel> = {}): FieldModel {
  return {
    ...FIELD_DEFAULTS,
    name,
    label: name,
    type: 'string',
    custom: name.endsWith('__c'),
    length: 255,
    byteLength: 765,
    ...over,
  };
}

export function picklist(values: readonly string[], restricted: boolean, over: Partial<PicklistModel> = {}): PicklistModel {
  return {
    restricted,
    dependent: false,
    controllerName: null,
    values: values.map((value) => ({ value, label: value, active: true, defaultValue: false, validFor: null })),
    ...over,
  };
}

export function reference(referenceTo: readonly string[], relationshipName: string | null, over: Partial<ReferenceModel> = {}): ReferenceModel {
  return {
    referenceTo,
    relationshipName,
    polymorphic: referenceTo.length > 1,
    masterDetail: false,
    relationshipOrder: null,
    cascadeDelete: false,
    restrictedDelete: false,
    referenceTargetField: null,
    ...over,
  };
}

export function object(name: string, fields: readonly FieldModel[], over: Partial<ObjectModel> = {}): ObjectModel {
  return {
    name,
    label: name,
    labelPlural: `${name}s`,
    kind: name.endsWith('__c') ? 'custom' : 'standard',
    custom: name.endsWith('__c'),
    namespace: null,
    keyPrefix: null,
    queryable: true,
    createable: true,
    updateable: true,
    deletable: true,
    undeletable: true,
    searchable: true,
    retrieveable: true,
    triggerable: true,
    associateParentEntity: null,
    fields: [...fields].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    childRelationships: [],
    recordTypes: [],
    ...over,
  };
}

/** Returns a copy of `obj` with field `name` replaced by `update(field)` (or removed when it returns null). */
export function withField(obj: ObjectModel, name: string, update: (f: FieldModel) => FieldModel | null): ObjectModel {
  const fields: FieldModel[] = [];
  let found = false;
  for (const f of obj.fields) {
    if (f.name !== name) {
      fields.push(f);
      continue;
    }
    found = true;
    const next = update(f);
    if (next) fields.push(next);
  }
  if (!found) throw new Error(`withField: ${obj.name}.${name} not found`);
  return { ...obj, fields };
}

/** The models matching test/fixtures/drift/usage-app/generated. */
export function usageAppModels(): ObjectModel[] {
  const account = object(
    'Account',
    [
      field('Id', { type: 'id', nillable: false, createable: false, updateable: false }),
      field('Name', { nillable: false, requiredOnCreate: true, nameField: true }),
      field('Industry', { type: 'picklist', picklist: picklist(['Energy', 'Banking'], true) }),
      field('Rating', { type: 'picklist', picklist: picklist(['Hot', 'Cold'], false) }),
      field('AnnualRevenue', { type: 'currency', precision: 18, scale: 2, length: 0, byteLength: 0 }),
      field('Description', { type: 'textarea', length: 32000 }),
      field('OwnerId', { type: 'reference', nillable: false, defaultedOnCreate: true, reference: reference(['User'], 'Owner') }),
      field('Phone', { type: 'phone', length: 40 }),
    ],
    { childRelationships: [{ relationshipName: 'Contacts', childSObject: 'Contact', field: 'AccountId', cascadeDelete: false, restrictedDelete: false }] },
  );
  const contact = object('Contact', [
    field('Id', { type: 'id', nillable: false, createable: false, updateable: false }),
    field('LastName', { nillable: false, requiredOnCreate: true }),
    field('Email', { type: 'email', length: 80 }),
    field('Title', { length: 128 }),
    field('AccountId', { type: 'reference', reference: reference(['Account'], 'Account') }),
  ]);
  const user = object('User', [field('Id', { type: 'id' }), field('Name')]);
  return [account, contact, user];
}
