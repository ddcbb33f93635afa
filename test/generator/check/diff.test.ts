/**
 * One fixture pair (before -> after) per change kind: the diff must report exactly the expected
 * change(s) with the expected class from the schema alone.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeClass, ChangeKind, RawChange } from '../../../generator/check/changes.js';
import { diffModels } from '../../../generator/check/diff.js';
import type { EventModel, FieldModel, ObjectModel } from '../../../generator/model/types.js';
import { field, object, picklist, reference, withField } from '../model/model-helpers.js';

const base = object(
  'Account',
  [
    field('Id', { type: 'id', nillable: false, createable: false, updateable: false, length: 18 }),
    field('Name', { nillable: false, requiredOnCreate: true, nameField: true }),
    field('Industry', { type: 'picklist', picklist: picklist(['Energy', 'Banking'], true) }),
    field('Rating', { type: 'picklist', picklist: picklist(['Hot', 'Cold'], false) }),
    field('AnnualRevenue', { type: 'currency', precision: 18, scale: 2, length: 0, byteLength: 0 }),
    field('Phone', { type: 'phone', length: 40, byteLength: 120 }),
    field('Notes__c', { type: 'textarea', length: 1000 }),
    field('Code__c', { externalId: true, idLookup: true, unique: true }),
    field('Stage__c', { defaultValue: 'New' }),
    field('ParentId', { type: 'reference', reference: reference(['Account'], 'Parent') }),
    field('WhatId', { type: 'reference', reference: reference(['Account', 'Opportunity'], 'What') }),
  ],
  {
    childRelationships: [
      { relationshipName: 'Contacts', childSObject: 'Contact', field: 'AccountId', cascadeDelete: false, restrictedDelete: false },
    ],
    recordTypes: [{ developerName: 'Partner', name: 'Partner', recordTypeId: '012000000000001AAA', active: true, master: false }],
  },
);

const set = (name: string, over: Partial<FieldModel>): ObjectModel => withField(base, name, (f) => ({ ...f, ...over }));

function diff(after: ObjectModel | null, before: ObjectModel = base): RawChange[] {
  return diffModels([before], new Map(after ? [[after.name, after]] : []), [], null, {});
}

type Case = readonly [title: string, after: ObjectModel | null, expected: ReadonlyArray<readonly [ChangeKind, ChangeClass, string | null]>];

const cases: Case[] = [
  // breaking
  ['object removed', null, [['object-removed', 'breaking', null]]],
  ['object no longer queryable', { ...base, queryable: false }, [['object-not-accessible', 'breaking', null]]],
  ['object no longer createable', { ...base, createable: false }, [['object-not-createable', 'breaking', null]]],
  ['object no longer updateable', { ...base, updateable: false }, [['object-not-updateable', 'breaking', null]]],
  ['object no longer deletable', { ...base, deletable: false }, [['object-not-deletable', 'breaking', null]]],
  ['field removed', withField(base, 'Phone', () => null), [['field-removed', 'breaking', 'Phone']]],
  ['field deprecated and hidden', set('Phone', { deprecatedAndHidden: true }), [['field-not-accessible', 'breaking', 'Phone']]],
  ['type changed', set('Phone', { type: 'string' }), [['type-changed', 'breaking', 'Phone']]],
  ['no longer createable', set('Phone', { createable: false }), [['field-not-createable', 'breaking', 'Phone']]],
  ['no longer updateable', set('Phone', { updateable: false }), [['field-not-updateable', 'breaking', 'Phone']]],
  ['no longer filterable', set('Phone', { filterable: false }), [['field-not-filterable', 'breaking', 'Phone']]],
  ['no longer sortable', set('Phone', { sortable: false }), [['field-not-sortable', 'breaking', 'Phone']]],
  ['no longer groupable', set('Phone', { groupable: false }), [['field-not-groupable', 'breaking', 'Phone']]],
  ['nillable -> required on create', set('Phone', { nillable: false, requiredOnCreate: true }), [['field-now-required', 'breaking', 'Phone']]],
  [
    'restricted picklist value removed',
    set('Industry', { picklist: picklist(['Energy'], true) }),
    [['picklist-value-removed', 'breaking', 'Industry']],
  ],
  [
    'restricted picklist value deactivated',
    set('Industry', { picklist: { ...picklist(['Energy', 'Banking'], true), values: picklist(['Energy', 'Banking'], true).values.map((v) => (v.value === 'Banking' ? { ...v, active: false } : v)) } }),
    [['picklist-value-removed', 'breaking', 'Industry']],
  ],
  ['reference retargeted', set('ParentId', { reference: reference(['Contact'], 'Parent') }), [['reference-retargeted', 'breaking', 'ParentId']]],
  ['relationship renamed', set('ParentId', { reference: reference(['Account'], 'ParentAccount') }), [['relationship-renamed', 'breaking', 'ParentId']]],
  ['text length shrunk', set('Phone', { length: 20 }), [['length-shrunk', 'breaking', 'Phone']]],
  ['precision shrunk', set('AnnualRevenue', { precision: 10 }), [['precision-shrunk', 'breaking', 'AnnualRevenue']]],
  ['scale shrunk', set('AnnualRevenue', { scale: 0 }), [['precision-shrunk', 'breaking', 'AnnualRevenue']]],
  ['external id removed', set('Code__c', { externalId: false }), [['external-id-removed', 'breaking', 'Code__c']]],
  [
    'required field added',
    { ...base, fields: [...base.fields, field('Region__c', { nillable: false, requiredOnCreate: true })] },
    [['field-added-required', 'breaking', 'Region__c']],
  ],
  [
    'child relationship renamed',
    { ...base, childRelationships: [{ ...base.childRelationships[0]!, relationshipName: 'People' }] },
    [['child-relationship-renamed', 'breaking', null]],
  ],
  ['child relationship removed', { ...base, childRelationships: [] }, [['child-relationship-removed', 'breaking', null]]],
  // dangerous
  [
    'value added to a restricted picklist',
    set('Industry', { picklist: picklist(['Energy', 'Banking', 'Retail'], true) }),
    [['picklist-value-added', 'dangerous', 'Industry']],
  ],
  ['field became encrypted', set('Phone', { encrypted: true }), [['field-encrypted', 'dangerous', 'Phone']]],
  ['default removed', set('Stage__c', { defaultValue: null }), [['default-removed', 'dangerous', 'Stage__c']]],
  ['default changed', set('Stage__c', { defaultValue: 'Open' }), [['default-changed', 'dangerous', 'Stage__c']]],
  ['field became nillable', set('Name', { nillable: true, requiredOnCreate: false }), [['field-property-changed', 'safe', 'Name'], ['field-now-nillable', 'dangerous', 'Name']]],
  ['field became unique', set('Phone', { unique: true }), [['field-now-unique', 'dangerous', 'Phone']]],
  ['open picklist became restricted', set('Rating', { picklist: picklist(['Hot', 'Cold'], true) }), [['picklist-now-restricted', 'dangerous', 'Rating']]],
  ['restricted picklist opened', set('Industry', { picklist: picklist(['Energy', 'Banking'], false) }), [['picklist-now-unrestricted', 'dangerous', 'Industry']]],
  ['polymorphic reference gained a target', set('WhatId', { reference: reference(['Account', 'Case', 'Opportunity'], 'What') }), [['reference-target-added', 'dangerous', 'WhatId']]],
  [
    'dependent picklist validFor changed',
    set('Rating', { picklist: { ...picklist(['Hot', 'Cold'], false, { dependent: true, controllerName: 'Industry' }) } }),
    [['picklist-dependency-changed', 'dangerous', 'Rating']],
  ],
  ['record type removed', { ...base, recordTypes: [] }, [['record-type-removed', 'dangerous', null]]],
  ['record type deactivated', { ...base, recordTypes: [{ ...base.recordTypes[0]!, active: false }] }, [['record-type-deactivated', 'dangerous', null]]],
  // safe
  ['field added', { ...base, fields: [...base.fields, field('Region__c')] }, [['field-added', 'safe', 'Region__c']]],
  ['label changed', set('Phone', { label: 'Main phone' }), [['label-changed', 'safe', 'Phone']]],
  ['help text changed', set('Phone', { helpText: 'Call us' }), [['help-text-changed', 'safe', 'Phone']]],
  ['open picklist value removed', set('Rating', { picklist: picklist(['Hot'], false) }), [['picklist-value-removed', 'safe', 'Rating']]],
  ['open picklist value added', set('Rating', { picklist: picklist(['Hot', 'Cold', 'Warm'], false) }), [['picklist-value-added', 'safe', 'Rating']]],
  ['text length grew', set('Phone', { length: 80 }), [['field-property-changed', 'safe', 'Phone']]],
  ['now createable', set('Id', { createable: true }), [['field-property-changed', 'safe', 'Id']]],
  ['object label changed', { ...base, label: 'Company' }, [['object-property-changed', 'safe', null]]],
  ['record type added', { ...base, recordTypes: [...base.recordTypes, { developerName: 'Direct', name: 'Direct', recordTypeId: '012000000000002AAA', active: true, master: false }] }, [['record-type-added', 'safe', null]]],
  ['child relationship added', { ...base, childRelationships: [...base.childRelationships, { relationshipName: 'Cases', childSObject: 'Case', field: 'AccountId', cascadeDelete: false, restrictedDelete: false }] }, [['child-relationship-added', 'safe', null]]],
  ['formula text changed (unclassified property)', set('Phone', { formula: 'A + B' }), [['field-property-changed', 'safe', 'Phone']]],
];

describe('diffModels: one fixture pair per change kind', () => {
  it.each(cases)('%s', (_title, after, expected) => {
    const got = diff(after).map((c) => [c.kind, c.baseClass, c.field] as const);
    expect(got).toEqual(expected);
  });

  it('reports nothing for an identical object (and for a deep copy of it)', () => {
    expect(diff(base)).toEqual([]);
    expect(diff(JSON.parse(JSON.stringify(base)) as ObjectModel)).toEqual([]);
  });

  it('each change carries before/after and a message naming object and field', () => {
    const [c] = diff(set('Phone', { length: 20 }));
    expect(c).toMatchObject({ object: 'Account', field: 'Phone', before: 40, after: 20 });
    expect(c?.message).toContain('Account.Phone');
    const [removed] = diff(set('Industry', { picklist: picklist(['Energy'], true) }));
    expect(removed).toMatchObject({ before: 'Banking', after: null });
    expect(removed?.message).toContain('"Banking"');
  });

  it('a type change does not also report the picklist or sizes it implies', () => {
    const got = diff(set('Rating', { type: 'string', picklist: null, length: 10 }));
    expect(got.map((c) => c.kind)).toEqual(['type-changed']);
  });

  it('matches field names case-insensitively (describes keep their case, but be safe)', () => {
    const renamedCase = { ...base, fields: base.fields.map((f) => (f.name === 'Phone' ? { ...f, name: 'PHONE' } : f)) };
    expect(diff(renamedCase).filter((c) => c.kind === 'field-removed' || c.kind === 'field-added')).toEqual([]);
  });

  it('reports added objects from the global describe, except ignored (not generated) ones', () => {
    const names = new Map([['Account', 'Account'], ['Invoice__c', 'Invoice'], ['Legacy__c', 'Legacy']]);
    const got = diffModels([base], new Map([['Account', base]]), [], null, { sourceObjectNames: names, ignoreAdded: new Set(['Legacy__c']) });
    expect(got.map((c) => [c.kind, c.object, c.baseClass])).toEqual([['object-added', 'Invoice__c', 'safe']]);
  });

  it('a child relationship lost because the child field was removed is reported once, on the child', () => {
    const contact = object('Contact', [field('Id', { type: 'id' }), field('AccountId', { type: 'reference', reference: reference(['Account'], 'Account') })]);
    const contactAfter = withField(contact, 'AccountId', () => null);
    const accountAfter = { ...base, childRelationships: [] };
    const got = diffModels([base, contact], new Map([['Account', accountAfter], ['Contact', contactAfter]]), [], null, {});
    expect(got.map((c) => [c.kind, c.object, c.field])).toEqual([['field-removed', 'Contact', 'AccountId']]);
  });

  it('compares events: removed, field removed/changed/added, added', () => {
    const ev = (name: string, fields: Array<[string, unknown]>): EventModel => ({
      name,
      topic: `/event/${name}`,
      kind: 'platformEvent',
      schemaId: name + fields.length,
      schema: { type: 'record', name, fields: fields.map(([n, t]) => ({ name: n, type: t })) },
    });
    const before = [ev('A__e', [['X__c', 'string'], ['Y__c', 'long']]), ev('Gone__e', [['X__c', 'string']])];
    const after = [ev('A__e', [['X__c', 'double'], ['Z__c', 'string']]), ev('New__e', [])];
    const got = diffModels([], new Map(), before, after, {});
    expect(got.map((c) => [c.kind, c.object, c.field, c.baseClass])).toEqual([
      ['event-field-changed', 'A__e', 'X__c', 'breaking'],
      ['event-field-removed', 'A__e', 'Y__c', 'breaking'],
      ['event-field-added', 'A__e', 'Z__c', 'safe'],
      ['event-removed', 'Gone__e', null, 'breaking'],
      ['event-added', 'New__e', null, 'safe'],
    ]);
    expect(diffModels([], new Map(), before, null, {})).toEqual([]);
  });
});
