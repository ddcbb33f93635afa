import { describe, expect, it } from 'vitest';
import { buildModel, buildObject } from '../../../generator/model/build.js';
import { ModelError } from '../../../generator/model/errors.js';
import { classifyObject, objectNamespace } from '../../../generator/model/kinds.js';
import { decodeValidFor } from '../../../generator/model/picklist.js';
import { described, idField, pv, rawField, rawObject } from './raw-builders.js';

describe('decodeValidFor (most significant bit first)', () => {
  it.each([
    ['gAAA', [0]],
    ['oAAA', [0, 2]],
    ['gIAA', [0, 8]],
    ['AEAA', [9]],
    ['AAAA', []],
    ['//8=', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]],
  ])('%s -> %j', (input, expected) => {
    expect(decodeValidFor(input)).toEqual(expected);
  });

  it('drops indexes beyond the controller values', () => {
    expect(decodeValidFor('//8=', 2)).toEqual([0, 1]);
  });

  it('rejects text that is not base64', () => {
    expect(() => decodeValidFor('not base64!')).toThrow(/not base64/);
  });
});

describe('classifyObject', () => {
  it.each([
    [{ name: 'Account' }, 'standard'],
    [{ name: 'Quirk__c', custom: true }, 'custom'],
    [{ name: 'acme__Widget__c', custom: true }, 'custom'],
    [{ name: 'Order_Event__e', custom: true }, 'platformEvent'],
    [{ name: 'AccountChangeEvent', associateEntityType: 'ChangeEvent' }, 'changeEvent'],
    [{ name: 'acme__Widget__ChangeEvent' }, 'changeEvent'],
    [{ name: 'acme__Widget_Config__mdt', custom: true }, 'customMetadata'],
    [{ name: 'Settings__c', custom: true, customSetting: true }, 'customSetting'],
    [{ name: 'Shipment__x', custom: true }, 'externalObject'],
    [{ name: 'Reading_History__b', custom: true }, 'bigObject'],
    [{ name: 'AccountHistory', associateEntityType: 'History' }, 'history'],
    [{ name: 'acme__Widget__History' }, 'history'],
    [{ name: 'AccountShare', associateEntityType: 'Share' }, 'share'],
    [{ name: 'AccountFeed', associateEntityType: 'Feed' }, 'feed'],
  ] as const)('%j -> %s', (input, kind) => {
    expect(classifyObject(input)).toBe(kind);
  });

  it('parses namespaces from the right', () => {
    expect(objectNamespace('acme__Widget__c')).toBe('acme');
    expect(objectNamespace('Widget__c')).toBeNull();
    expect(objectNamespace('Account')).toBeNull();
    expect(objectNamespace('acme__Widget__ChangeEvent')).toBe('acme');
  });
});

describe('buildObject', () => {
  const widget = rawObject('acme__Widget__c', [
    idField(),
    rawField('Name', 'string', { length: 80, nillable: false, createable: true, defaultedOnCreate: false }),
    rawField('Active__c', 'boolean', { nillable: false, defaultedOnCreate: true, defaultValue: true }),
    rawField('OwnerId', 'reference', { nillable: false, defaultedOnCreate: true, referenceTo: ['User', 'Group'], relationshipName: 'Owner', polymorphicForeignKey: true }),
    rawField('acme__Account__c', 'reference', { nillable: false, updateable: false, referenceTo: ['Account'], relationshipName: 'acme__Account__r', relationshipOrder: 0, cascadeDelete: true }),
    rawField('Weight__c', 'double', { calculated: true, calculatedFormula: 'Mass__c * 9.81', createable: false, updateable: false, precision: 18, scale: 2 }),
    rawField('Total__c', 'currency', { calculated: true, calculatedFormula: null, createable: false, updateable: false, precision: 18, scale: 0 }),
    rawField('Color__c', 'picklist', { restrictedPicklist: true, picklistValues: [pv('Red'), pv('Blue'), pv('Old', { active: false })] }),
    rawField('Shade__c', 'picklist', { dependentPicklist: true, controllerName: 'Color__c', picklistValues: [pv('Crimson', { validFor: 'gAAA' }), pv('Navy', { validFor: 'QAAA' }), pv('Any', { validFor: '4AAA' })] }),
    rawField('Fragile__c', 'picklist', { dependentPicklist: true, controllerName: 'Active__c', picklistValues: [pv('Yes', { validFor: 'QAAA' })] }),
  ], {
    childRelationships: [
      { cascadeDelete: false, childSObject: 'Task', deprecatedAndHidden: false, field: 'WhatId', junctionIdListNames: [], junctionReferenceTo: [], relationshipName: 'Tasks', restrictedDelete: false },
      { cascadeDelete: true, childSObject: 'acme__Part__c', deprecatedAndHidden: false, field: 'acme__Widget__c', junctionIdListNames: [], junctionReferenceTo: [], relationshipName: 'acme__Parts__r', restrictedDelete: false },
      { cascadeDelete: false, childSObject: 'Task', deprecatedAndHidden: false, field: 'AccountId', junctionIdListNames: [], junctionReferenceTo: [], relationshipName: null, restrictedDelete: false },
    ],
  });
  const model = buildObject(described(widget));
  const field = (name: string) => model.fields.find((f) => f.name === name)!;

  it('sorts fields by name (code-unit order)', () => {
    expect(model.fields.map((f) => f.name)).toEqual([...model.fields.map((f) => f.name)].sort());
  });

  it('classifies and namespaces the object', () => {
    expect(model.kind).toBe('custom');
    expect(model.namespace).toBe('acme');
  });

  it('derives requiredOnCreate from createable, nillable and defaultedOnCreate', () => {
    expect(field('Name').requiredOnCreate).toBe(true);
    expect(field('Active__c').requiredOnCreate).toBe(false);
    expect(field('OwnerId').requiredOnCreate).toBe(false);
    expect(field('acme__Account__c').requiredOnCreate).toBe(true);
    expect(field('Id').requiredOnCreate).toBe(false);
  });

  it('tells formulas from roll-ups', () => {
    expect(field('Weight__c').calculated).toBe('formula');
    expect(field('Weight__c').formula).toBe('Mass__c * 9.81');
    expect(field('Total__c').calculated).toBe('rollup');
    expect(field('Total__c').formula).toBeNull();
  });

  it('sorts polymorphic targets and flags master-detail', () => {
    expect(field('OwnerId').reference).toMatchObject({ referenceTo: ['Group', 'User'], polymorphic: true, relationshipName: 'Owner', masterDetail: false });
    expect(field('acme__Account__c').reference).toMatchObject({ referenceTo: ['Account'], polymorphic: false, masterDetail: true, relationshipOrder: 0 });
  });

  it('keeps picklist values in describe order, inactive flagged, validFor decoded against the controller', () => {
    expect(field('Color__c').picklist?.values.map((v) => [v.value, v.active])).toEqual([['Red', true], ['Blue', true], ['Old', false]]);
    expect(field('Shade__c').picklist?.values.map((v) => v.validFor)).toEqual([[0], [1], [0, 1, 2]]);
    expect(field('Fragile__c').picklist).toMatchObject({ dependent: true, controllerName: 'Active__c' });
    expect(field('Fragile__c').picklist?.values[0]?.validFor).toEqual([1]);
  });

  it('sorts child relationships with null names first and keeps them', () => {
    expect(model.childRelationships.map((c) => [c.relationshipName, c.childSObject, c.field])).toEqual([
      [null, 'Task', 'AccountId'],
      ['Tasks', 'Task', 'WhatId'],
      ['acme__Parts__r', 'acme__Part__c', 'acme__Widget__c'],
    ]);
  });

  it('names the field and the file of an unknown field type', () => {
    const bad = rawObject('Account', [idField(), rawField('Embedding__c', 'vector')]);
    expect(() => buildObject(described(bad, 'org/sobjects/Account.json'))).toThrow(ModelError);
    expect(() => buildObject(described(bad, 'org/sobjects/Account.json'))).toThrow(/Unknown field type 'vector' at Account\.Embedding__c.*org\/sobjects\/Account\.json/);
  });

  it('names a bad validFor', () => {
    const bad = rawObject('X__c', [idField(), rawField('P__c', 'picklist', { dependentPicklist: true, controllerName: 'Id', picklistValues: [pv('A', { validFor: '***' })] })]);
    expect(() => buildObject(described(bad))).toThrow(/X__c\.P__c: picklistValues\[0\] \('A'\)\.validFor/);
  });

  it('rejects fields that differ only by case', () => {
    const bad = rawObject('X__c', [idField(), rawField('Name__c', 'string'), rawField('name__c', 'string')]);
    expect(() => buildObject(described(bad))).toThrow(/Duplicate field X__c\.name__c/);
  });
});

describe('buildModel', () => {
  it('is deterministic whatever the input order', () => {
    const a = rawObject('B__c', [idField()]);
    const b = rawObject('A__c', [rawField('Z__c', 'string'), idField()]);
    const one = buildModel({ apiVersion: '60.0', orgId: null, objects: [described(a), described(b)], events: [] });
    const two = buildModel({ apiVersion: '60.0', orgId: null, objects: [described(b), described(a)], events: [] });
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect(one.objects.map((o) => o.name)).toEqual(['A__c', 'B__c']);
  });

  it('normalizes events: kind, topic, canonical schema and a stable id', () => {
    const schema = { type: 'record', name: 'Order_Event__e', namespace: 'com.sforce.eventbus', fields: [{ name: 'CreatedDate', type: 'long' }] };
    const model = buildModel({ apiVersion: '60.0', orgId: null, objects: [], events: [{ name: 'Order_Event__e', schema, origin: 'events/Order_Event__e.avsc' }] });
    expect(model.events[0]).toMatchObject({ name: 'Order_Event__e', topic: '/event/Order_Event__e', kind: 'platformEvent' });
    expect(Object.keys(model.events[0]!.schema as object)).toEqual(['fields', 'name', 'namespace', 'type']);
    const again = buildModel({ apiVersion: '60.0', orgId: null, objects: [], events: [{ name: 'Order_Event__e', schema: { ...schema }, origin: 'x' }] });
    expect(again.events[0]!.schemaId).toBe(model.events[0]!.schemaId);
    const ce = buildModel({ apiVersion: '60.0', orgId: null, objects: [], events: [{ name: 'AccountChangeEvent', schema, origin: 'x' }] });
    expect(ce.events[0]).toMatchObject({ topic: '/data/AccountChangeEvent', kind: 'changeEvent' });
  });

  it('rejects an event schema that is not an Avro record, naming the file', () => {
    expect(() => buildModel({ apiVersion: '60.0', orgId: null, objects: [], events: [{ name: 'X__e', schema: [], origin: 'events/X__e.avsc' }] })).toThrow(/X__e is not an Avro record schema.*events\/X__e\.avsc/);
  });
});
