/**
 * Table-driven emitter tests: one field describe in, the TypeScript text and the validator out, for every
 * field type and the hard cases of salesforce-facts.md.
 */
import { describe, expect, it } from 'vitest';
import { FIELD_TYPES } from 'sfgen/runtime';
import { buildObject } from '../../../generator/model/build.js';
import type { RawField } from '../../../generator/metadata/raw.js';
import { objectContext, type EmitWarning, type ObjectContext } from '../../../generator/emit/context.js';
import { descriptorOf, fieldDescriptor } from '../../../generator/emit/descriptor.js';
import { createFields, emitCreateInterface, emitUpdateInterface, updateFields, writeType } from '../../../generator/emit/inputs.js';
import { fieldDocLines, jsdoc } from '../../../generator/emit/jsdoc.js';
import { emitRecordInterface, readType } from '../../../generator/emit/record.js';
import { fieldValidator } from '../../../runtime/validation.js';
import { described, idField, pv, rawField, rawObject } from '../model/raw-builders.js';

const settings = { runtimeImport: 'sfgen/runtime', command: 'sfgen generate' };

function contextFor(field: RawField, objectName = 'Thing__c'): { ctx: ObjectContext; warnings: EmitWarning[] } {
  const warnings: EmitWarning[] = [];
  const object = buildObject(described(rawObject(objectName, field.name === 'Id' ? [field] : [idField(), field])));
  return { ctx: objectContext(object, new Set([objectName]), settings, warnings), warnings };
}

interface Row {
  readonly name: string;
  readonly field: RawField;
  readonly read: string;
  /** Create member (`'F'?: T`), or null when not createable. */
  readonly create: string | null;
  readonly update: string | null;
}

const open = [pv('Prospect'), pv('Customer')];

const rows: Row[] = [
  { name: 'id', field: idField(), read: 'string', create: null, update: null },
  { name: 'string, nillable', field: rawField('Code__c', 'string', { length: 40 }), read: 'string | null', create: "'Code__c'?: string | null", update: "'Code__c'?: string | null" },
  { name: 'string, required on create', field: rawField('Name', 'string', { length: 80, nillable: false }), read: 'string | null', create: "'Name': string", update: "'Name'?: string" },
  { name: 'textarea', field: rawField('Notes__c', 'textarea', { length: 32768 }), read: 'string | null', create: "'Notes__c'?: string | null", update: "'Notes__c'?: string | null" },
  { name: 'email', field: rawField('Email__c', 'email', { length: 80 }), read: 'string | null', create: "'Email__c'?: string | null", update: "'Email__c'?: string | null" },
  { name: 'phone', field: rawField('Phone', 'phone', { length: 40 }), read: 'string | null', create: "'Phone'?: string | null", update: "'Phone'?: string | null" },
  { name: 'url', field: rawField('Site__c', 'url', { length: 255 }), read: 'string | null', create: "'Site__c'?: string | null", update: "'Site__c'?: string | null" },
  { name: 'encryptedstring', field: rawField('SSN__c', 'encryptedstring', { length: 11, encrypted: true, mask: 'lastFour', maskType: 'X' }), read: 'string | null', create: "'SSN__c'?: string | null", update: "'SSN__c'?: string | null" },
  { name: 'combobox (any text)', field: rawField('Subject', 'combobox', { length: 255, picklistValues: [pv('Call'), pv('Email')] }), read: "Thing__cPicklists['Subject'] | null", create: "'Subject'?: Thing__cPicklists['Subject'] | null", update: "'Subject'?: Thing__cPicklists['Subject'] | null" },
  { name: 'open picklist', field: rawField('Type__c', 'picklist', { length: 255, picklistValues: open }), read: "Thing__cPicklists['Type__c'] | null", create: "'Type__c'?: Thing__cPicklists['Type__c'] | null", update: "'Type__c'?: Thing__cPicklists['Type__c'] | null" },
  {
    name: 'restricted picklist with an inactive value: reads include it, writes do not',
    field: rawField('Tier__c', 'picklist', { restrictedPicklist: true, picklistValues: [pv('Gold'), pv('Silver'), pv('Tin', { active: false })] }),
    read: "Thing__cPicklists['Tier__c'] | null",
    create: "'Tier__c'?: 'Gold' | 'Silver' | null",
    update: "'Tier__c'?: 'Gold' | 'Silver' | null",
  },
  {
    name: 'open picklist with an inactive value: writes offer only the active ones (any text still accepted)',
    field: rawField('Kind__c', 'picklist', { picklistValues: [pv('New'), pv('Old', { active: false })] }),
    read: "Thing__cPicklists['Kind__c'] | null",
    create: "'Kind__c'?: 'New' | (string & {}) | null",
    update: "'Kind__c'?: 'New' | (string & {}) | null",
  },
  {
    name: 'restricted picklist, all active: writes reference the picklist',
    field: rawField('Size__c', 'picklist', { restrictedPicklist: true, nillable: true, picklistValues: [pv('S'), pv('M')] }),
    read: "Thing__cPicklists['Size__c'] | null",
    create: "'Size__c'?: Thing__cPicklists['Size__c'] | null",
    update: "'Size__c'?: Thing__cPicklists['Size__c'] | null",
  },
  {
    name: 'hostile picklist values are quoted, never keys',
    field: rawField('Enum__c', 'picklist', { restrictedPicklist: true, picklistValues: [pv('__proto__'), pv('constructor'), pv("It's"), pv('C:\\temp'), pv('line\u2028sep')] }),
    read: "Thing__cPicklists['Enum__c'] | null",
    create: "'Enum__c'?: Thing__cPicklists['Enum__c'] | null",
    update: "'Enum__c'?: Thing__cPicklists['Enum__c'] | null",
  },
  { name: 'open multipicklist', field: rawField('Regions__c', 'multipicklist', { length: 4099, picklistValues: [pv('EMEA'), pv('APAC')] }), read: 'string | null', create: "'Regions__c'?: string | null", update: "'Regions__c'?: string | null" },
  { name: 'restricted multipicklist', field: rawField('Days__c', 'multipicklist', { length: 4099, restrictedPicklist: true, picklistValues: [pv('Mon'), pv('Tue')] }), read: 'string | null', create: "'Days__c'?: string | null", update: "'Days__c'?: string | null" },
  { name: 'boolean: never null, optional on create', field: rawField('Active__c', 'boolean', { nillable: false, defaultedOnCreate: true, defaultValue: false }), read: 'boolean', create: "'Active__c'?: boolean", update: "'Active__c'?: boolean" },
  { name: 'int', field: rawField('NumberOfEmployees', 'int', { digits: 8 }), read: 'number | null', create: "'NumberOfEmployees'?: number | null", update: "'NumberOfEmployees'?: number | null" },
  { name: 'long', field: rawField('Big__c', 'long', { digits: 18 }), read: 'number | null', create: "'Big__c'?: number | null", update: "'Big__c'?: number | null" },
  { name: 'double (scale 0 custom number)', field: rawField('Count__c', 'double', { precision: 18, scale: 0 }), read: 'number | null', create: "'Count__c'?: number | null", update: "'Count__c'?: number | null" },
  { name: 'currency', field: rawField('AnnualRevenue', 'currency', { precision: 18, scale: 2 }), read: 'number | null', create: "'AnnualRevenue'?: number | null", update: "'AnnualRevenue'?: number | null" },
  { name: 'percent', field: rawField('Probability', 'percent', { precision: 3, scale: 0 }), read: 'number | null', create: "'Probability'?: number | null", update: "'Probability'?: number | null" },
  { name: 'date', field: rawField('CloseDate', 'date'), read: 'SfDate | null', create: "'CloseDate'?: SfDate | Date | null", update: "'CloseDate'?: SfDate | Date | null" },
  { name: 'datetime', field: rawField('Due__c', 'datetime'), read: 'SfDateTime | null', create: "'Due__c'?: SfDateTime | Date | null", update: "'Due__c'?: SfDateTime | Date | null" },
  { name: 'time', field: rawField('Call_Start__c', 'time'), read: 'SfTime | null', create: "'Call_Start__c'?: SfTime | Date | null", update: "'Call_Start__c'?: SfTime | Date | null" },
  { name: 'reference, master-detail: create-only and required', field: rawField('acme__Account__c', 'reference', { nillable: false, updateable: false, referenceTo: ['Account'], relationshipName: 'acme__Account__r', relationshipOrder: 0 }), read: 'string | null', create: "'acme__Account__c': string", update: null },
  { name: 'polymorphic OwnerId: defaulted, not nillable', field: rawField('OwnerId', 'reference', { nillable: false, defaultedOnCreate: true, referenceTo: ['User', 'Group'], relationshipName: 'Owner' }), read: 'string | null', create: "'OwnerId'?: string", update: "'OwnerId'?: string" },
  { name: 'base64 (a URL in records)', field: rawField('Body', 'base64'), read: 'string | null', create: "'Body'?: string | null", update: "'Body'?: string | null" },
  { name: 'address compound: read-only object', field: rawField('BillingAddress', 'address', { createable: false, updateable: false, filterable: false }), read: 'SfAddress | null', create: null, update: null },
  { name: 'location compound, even if flagged writable, stays out of inputs', field: rawField('Location__c', 'location', { createable: true, updateable: true }), read: 'SfLocation | null', create: null, update: null },
  { name: 'geolocation component is an ordinary field', field: rawField('Location__Latitude__s', 'double', { compoundFieldName: 'Location__c', precision: 18, scale: 15 }), read: 'number | null', create: "'Location__Latitude__s'?: number | null", update: "'Location__Latitude__s'?: number | null" },
  { name: 'anyType', field: rawField('OldValue', 'anyType', { createable: false, updateable: false }), read: 'string | number | boolean | null', create: null, update: null },
  { name: 'complexvalue', field: rawField('ChangeEventHeader', 'complexvalue', { createable: false, updateable: false, nillable: false }), read: 'unknown', create: null, update: null },
  { name: 'json', field: rawField('Payload__c', 'json'), read: 'unknown', create: "'Payload__c'?: unknown", update: "'Payload__c'?: unknown" },
  { name: 'datacategorygroupreference', field: rawField('DataCategory', 'datacategorygroupreference'), read: 'string | null', create: "'DataCategory'?: string | null", update: "'DataCategory'?: string | null" },
  { name: 'formula: read-only', field: rawField('Score__c', 'double', { calculated: true, calculatedFormula: 'A__c + 1', createable: false, updateable: false, precision: 18, scale: 2 }), read: 'number | null', create: null, update: null },
  { name: 'auto-number: read-only text', field: rawField('Name', 'string', { autoNumber: true, createable: false, updateable: false, nillable: false, length: 80 }), read: 'string | null', create: null, update: null },
];

describe.each(rows)('$name', (row) => {
  const { ctx } = contextFor(row.field);
  const field = ctx.object.fields.find((f) => f.name === row.field.name)!;

  it('read type', () => {
    expect(readType(ctx, field)).toBe(row.read);
  });

  it('create member', () => {
    const inCreate = createFields(ctx).includes(field);
    const text = inCreate ? `${JSON.stringify(field.name).replace(/"/g, "'")}${field.requiredOnCreate ? '' : '?'}: ${writeType(ctx, field)}` : null;
    expect(text).toBe(row.create);
  });

  it('update member', () => {
    const inUpdate = updateFields(ctx).includes(field);
    expect(inUpdate ? `'${field.name}'?: ${writeType(ctx, field)}` : null).toBe(row.update);
  });

  it('validator: null accepted exactly when the field may be null as read', () => {
    const check = fieldValidator(descriptorOf(field));
    expect(check.safeParse(null).success).toBe(row.read.endsWith('| null') || row.read === 'unknown');
  });
});

describe('field descriptors', () => {
  it('every field type has a read type, a validator and a descriptor', () => {
    for (const type of FIELD_TYPES) {
      const { ctx } = contextFor(rawField('F__c', type));
      const field = ctx.object.fields.find((f) => f.name === 'F__c')!;
      expect(readType(ctx, field)).not.toBe('');
      expect(fieldValidator(descriptorOf(field)).safeParse(undefined).success, type).toBe(type === 'json' || type === 'complexvalue');
      expect(fieldDescriptor(field)).toMatch(new RegExp(`^'${type}( [a-z]+)*( \\{.*\\})?'$`));
    }
  });

  it.each([
    [rawField('Name', 'string', { length: 80, nillable: false }), `'string cre upd flt srt grp agg req {"length":80}'`],
    [rawField('Amount', 'currency', { precision: 18, scale: 2 }), `'currency nil cre upd flt srt grp agg {"precision":18,"scale":2}'`],
    [rawField('WhoId', 'reference', { referenceTo: ['Lead', 'Contact'], relationshipName: 'Who' }), `'reference nil cre upd flt srt grp agg {"referenceTo":["Contact","Lead"],"relationshipName":"Who"}'`],
    [
      rawField('Tier__c', 'picklist', { length: 255, restrictedPicklist: true, picklistValues: [pv('__proto__'), pv("It's"), pv('Old', { active: false })] }),
      `'picklist nil cre upd flt srt grp agg {"length":255,"picklist":{"restricted":true,"values":["__proto__","It\\'s"],"inactiveValues":["Old"]}}'`,
    ],
    [rawField('Account__c', 'reference', { length: 20, referenceTo: ['Account'], relationshipName: 'Account__r', extraTypeInfo: 'indirectlookup', referenceTargetField: 'ERP_Number__c' }), `'reference nil cre upd flt srt grp agg {"referenceTo":["Account"],"relationshipName":"Account__r","lookupBy":"ERP_Number__c"}'`],
    [rawField('Order__c', 'reference', { length: 255, referenceTo: ['Order__x'], relationshipName: 'Order__r', extraTypeInfo: 'externallookup' }), `'reference nil cre upd flt srt grp agg {"referenceTo":["Order__x"],"relationshipName":"Order__r","lookupBy":"ExternalId"}'`],
    [rawField('BillingCity', 'string', { length: 40, compoundFieldName: 'BillingAddress' }), `'string nil cre upd flt srt grp agg {"length":40,"compoundFieldName":"BillingAddress"}'`],
    [rawField('Ext__c', 'string', { length: 20, externalId: true, idLookup: true, unique: true }), `'string nil cre upd flt srt grp agg idl ext {"length":20}'`],
    [rawField('Flag__c', 'boolean', { nillable: false }), `'boolean cre upd flt srt grp agg req'`],
  ])('%#: descriptor of %s', (raw, expected) => {
    const { ctx } = contextFor(raw);
    expect(fieldDescriptor(ctx.object.fields.find((f) => f.name === raw.name)!)).toBe(expected);
  });
});

describe('JSDoc', () => {
  it('gives create and update members the record field\'s JSDoc (type, length, flags, help text)', () => {
    const raw = rawField('Code__c', 'string', { label: 'Code', length: 40, inlineHelpText: 'The code.' });
    const { ctx } = contextFor(raw);
    const field = ctx.object.fields.find((f) => f.name === 'Code__c')!;
    const doc = jsdoc(fieldDocLines(field));
    expect(doc).toContain('Code · `Code__c` · string(40)');
    expect(emitCreateInterface(ctx)).toContain(`${doc}  'Code__c'?: string | null;`);
    expect(emitUpdateInterface(ctx)).toContain(`${doc}  'Code__c'?: string | null;`);
    expect(emitRecordInterface(ctx)).toContain(`${doc}  'Code__c': string | null;`);
  });

  it('carries label, help text and type details, with */ escaped and unicode kept', () => {
    const { ctx } = contextFor(rawField('Groesse__c', 'double', { label: 'Größe (cm) */ ends', inlineHelpText: 'Line one\nLine @two */ x', precision: 6, scale: 1, externalId: true }));
    const field = ctx.object.fields.find((f) => f.name === 'Groesse__c')!;
    const text = jsdoc(fieldDocLines(field));
    expect(text).toContain('Größe (cm) *\\/ ends');
    expect(text).toContain('double(6, 1)');
    expect(text).toContain('external id');
    expect(text).toContain('Line \\@two *\\/ x');
    expect(text.match(/\*\//g)).toHaveLength(1);
  });

  it('documents formulas, roll-ups, encryption, restricted and dependent picklists and compounds', () => {
    const cases: [RawField, string][] = [
      [rawField('F__c', 'double', { calculated: true, calculatedFormula: 'A__c\n  * 2', createable: false, updateable: false }), 'Formula: A__c * 2'],
      [rawField('R__c', 'currency', { calculated: true, calculatedFormula: null, createable: false, updateable: false }), 'roll-up summary'],
      [rawField('E__c', 'encryptedstring', { length: 20 }), 'encrypted'],
      [rawField('P__c', 'picklist', { restrictedPicklist: true, dependentPicklist: true, controllerName: 'Q__c', picklistValues: [] }), 'depends on Q__c'],
      [rawField('M__c', 'multipicklist', { picklistValues: [pv('A;B'), pv('C')] }), 'Values (`;`-joined): "A;B", "C"'],
      [rawField('BillingAddress', 'address', { createable: false, updateable: false }), 'compound (read-only; write its components)'],
      [rawField('acme__Account__c', 'reference', { referenceTo: ['Account'], relationshipName: 'acme__Account__r', relationshipOrder: 0, updateable: false }), 'master-detail(Account)'],
      [rawField('Body__c', 'textarea', { length: 32768, extraTypeInfo: 'richtextarea', htmlFormatted: true }), 'rich text area(32768, HTML)'],
      [rawField('Body__c', 'textarea', { length: 32768, extraTypeInfo: 'richtextarea', htmlFormatted: true }), 'Holds HTML'],
      [rawField('Account__c', 'reference', { referenceTo: ['Account'], relationshipName: 'Account__r', extraTypeInfo: 'indirectlookup', referenceTargetField: 'ERP__c' }), "indirect lookup(Account.ERP__c)"],
      [rawField('Account__c', 'reference', { referenceTo: ['Account'], relationshipName: 'Account__r', extraTypeInfo: 'indirectlookup', referenceTargetField: 'ERP__c' }), "Holds the parent's Account.ERP__c value, not a record id."],
      [rawField('Parent__c', 'reference', { referenceTo: ['Shipment__x'], relationshipName: 'Parent__r', extraTypeInfo: 'externallookup' }), 'external lookup(Shipment__x.ExternalId)'],
    ];
    for (const [raw, expected] of cases) {
      const { ctx } = contextFor(raw);
      expect(fieldDocLines(ctx.object.fields.find((f) => f.name === raw.name)!).join('\n')).toContain(expected);
    }
  });
});
