/**
 * Validators derived from field descriptors: what each field type accepts and rejects as read,
 * nullability, restricted picklists with inactive values, lazy building, and the demo org's
 * generated validators against the simulator's seed records.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FieldType, SObjectType } from '../../runtime/schema.js';
import { fieldValidator, nullableOnRead, recordValidator, sobjectField, type FieldDetails } from '../../runtime/validation.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Case {
  readonly type: FieldType;
  readonly details?: FieldDetails;
  readonly accepts: readonly unknown[];
  readonly rejects: readonly unknown[];
}

const address = { street: '1 Main St', city: 'Springfield', state: null, postalCode: '12345', country: 'US', stateCode: null, countryCode: 'US', latitude: 1.5, longitude: -2.25, geocodeAccuracy: null };

const cases: readonly Case[] = [
  { type: 'id', accepts: ['001000000000001AAA', '001000000000001'], rejects: ['001', '001000000000001AA!', 1] },
  { type: 'reference', accepts: ['005000000000001AAA'], rejects: ['not an id', ''] },
  // An indirect lookup on an external object holds the parent's external id.
  { type: 'reference', details: { referenceTo: ['Account'], lookupBy: 'ERP_Account_Number__c', length: 20 }, accepts: ['ERP-100000'], rejects: ['x'.repeat(21), 1] },
  { type: 'string', details: { length: 5 }, accepts: ['', 'abcde'], rejects: ['abcdef', 5, true] },
  { type: 'textarea', details: { length: 3 }, accepts: ['a\nb'], rejects: ['a\nbc'] },
  { type: 'email', details: { length: 80 }, accepts: ['a@b.co'], rejects: [1] },
  { type: 'encryptedstring', details: { length: 11 }, accepts: ['XXX-XX-1234'], rejects: ['XXX-XX-12345'] },
  { type: 'combobox', details: { length: 255, picklist: { restricted: false, values: ['Call'] } }, accepts: ['Call', 'anything'], rejects: [3] },
  { type: 'base64', accepts: ['/services/data/v60.0/sobjects/Attachment/00P/Body', 'x'.repeat(100_000)], rejects: [1] },
  { type: 'picklist', details: { length: 255, picklist: { restricted: false, values: ['A'] } }, accepts: ['A', 'open value'], rejects: [1] },
  {
    type: 'picklist',
    details: { length: 255, picklist: { restricted: true, values: ['Gold', '__proto__'], inactiveValues: ['Tin'] } },
    accepts: ['Gold', '__proto__', 'Tin'],
    rejects: ['gold', 'Silver', 'constructor', ''],
  },
  { type: 'picklist', details: { picklist: { restricted: true, values: [] } }, accepts: [], rejects: ['', 'x'] },
  {
    type: 'multipicklist',
    details: { length: 20, picklist: { restricted: true, values: ['Mon', 'Tue'], inactiveValues: ['Sun'] } },
    accepts: ['', 'Mon', 'Mon;Tue', 'Sun;Mon'],
    rejects: ['Wed', 'Mon;Wed', 'Mon;Tue;Mon;Tue;Mon;Tue'],
  },
  { type: 'multipicklist', details: { length: 10, picklist: { restricted: false, values: ['Mon'] } }, accepts: ['Wed;Thu'], rejects: ['x'.repeat(11)] },
  { type: 'boolean', accepts: [true, false], rejects: ['true', 0] },
  { type: 'int', details: { precision: 3, scale: 0 }, accepts: [0, 999, -999], rejects: [1000, 1.5, '1'] },
  { type: 'long', details: { precision: 18, scale: 0 }, accepts: [2 ** 52], rejects: [0.5] },
  { type: 'double', details: { precision: 5, scale: 2 }, accepts: [999.99, -1.5, 0], rejects: [1000, 1.234, '1'] },
  { type: 'currency', details: { precision: 18, scale: 2 }, accepts: [1234567.89], rejects: [0.001] },
  { type: 'percent', details: { precision: 3, scale: 0 }, accepts: [100], rejects: [1000] },
  { type: 'double', accepts: [1e300, 0.000001], rejects: ['1'] },
  { type: 'date', accepts: ['2024-05-06'], rejects: ['2024-05-06T00:00:00Z', '05/06/2024'] },
  { type: 'datetime', accepts: ['2024-05-06T09:15:27.000+0000', '2024-05-06T09:15:27Z', '2024-05-06T09:15:27.000+02:00'], rejects: ['2024-05-06', 'yesterday'] },
  { type: 'time', accepts: ['09:15:27.000Z', '09:15'], rejects: ['9am', '2024-05-06T09:15:27Z'] },
  { type: 'address', accepts: [address, { ...address, extra: 'passes through' }], rejects: [{ ...address, city: 1 }, 'Main St'] },
  { type: 'location', accepts: [{ latitude: 1, longitude: 2 }, { latitude: null, longitude: null }], rejects: [{ latitude: '1', longitude: 2 }] },
  { type: 'anyType', accepts: ['x', 1, true], rejects: [{}, []] },
  { type: 'json', accepts: [{ any: ['thing'] }, null, 1], rejects: [] },
  { type: 'complexvalue', accepts: [{ changeType: 'UPDATE' }], rejects: [] },
  { type: 'datacategorygroupreference', accepts: ['Geography__c'], rejects: [1] },
];

describe('fieldValidator', () => {
  it.each(cases.map((c, i) => [`${i}: ${c.type}`, c] as const))('%s', (_name, c) => {
    const check = fieldValidator(sobjectField(c.type, 'nil', c.details));
    for (const value of c.accepts) expect(check.safeParse(value).success, `accepts ${JSON.stringify(value)}`).toBe(true);
    for (const value of c.rejects) expect(check.safeParse(value).success, `rejects ${JSON.stringify(value)}`).toBe(false);
    // Null as read: every type but Id and checkboxes (json/complexvalue values may be null themselves).
    expect(check.safeParse(null).success, 'null as read').toBe(c.type !== 'id' && c.type !== 'boolean');
  });

  it('null as read: accepted for every type but Id, checkboxes and json/complexvalue values', () => {
    expect(fieldValidator(sobjectField('id', '')).safeParse(null).success).toBe(false);
    expect(fieldValidator(sobjectField('boolean', 'nil')).safeParse(null).success).toBe(false);
    // A non-nillable text field may still be null in a query result (field-level security, formulas).
    expect(fieldValidator(sobjectField('string', 'cre upd req', { length: 5 })).safeParse(null).success).toBe(true);
    expect(nullableOnRead('reference')).toBe(true);
  });

  it('an unknown type in a descriptor is an error naming it', () => {
    const bogus = { ...sobjectField('string', ''), type: 'geometry' as FieldType };
    expect(() => fieldValidator(bogus)).toThrow("unknown field type 'geometry'");
  });
});

describe('recordValidator', () => {
  const fields = {
    Id: sobjectField('id', 'flt'),
    Name: sobjectField('string', 'cre upd', { length: 10 }),
    Tier__c: sobjectField('picklist', 'nil cre upd', { picklist: { restricted: true, values: ['Gold'], inactiveValues: ['Tin'] } }),
    IsActive__c: sobjectField('boolean', 'cre upd'),
  };
  type Row = { Id: string; Name: string | null; Tier__c: 'Gold' | 'Tin' | null; IsActive__c: boolean };
  const validator = recordValidator<Row>(fields);

  it('checks every field and lets unknown keys through', () => {
    const row = { attributes: { type: 'Thing__c', url: '/x' }, Id: '001000000000001AAA', Name: 'Ten chars!', Tier__c: 'Tin', IsActive__c: true, Owner: { Name: 'x' } };
    expect(validator.parse(row)).toEqual(row);
    expect(validator.safeParse({ ...row, Name: 'Eleven char' }).success).toBe(false);
    expect(validator.safeParse({ ...row, Tier__c: 'Silver' }).success).toBe(false);
    expect(validator.safeParse({ ...row, IsActive__c: null }).success).toBe(false);
  });

  it('names the failing field in the error path', () => {
    const result = validator.safeParse({ Id: '001000000000001AAA', Name: 'x', Tier__c: 'Silver', IsActive__c: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['Tier__c']);
  });

  it('a missing field is an error (Salesforce returns every selected field, null when empty)', () => {
    expect(validator.safeParse({ Id: '001000000000001AAA', Name: 'x', IsActive__c: true }).success).toBe(false);
  });

  it('builds its zod object on first use, not when the module loads', () => {
    const bad = { Broken: { ...sobjectField('string', ''), type: 'geometry' as FieldType } };
    const lazy = recordValidator<{ Broken: string }>(bad);
    expect(() => lazy.safeParse({ Broken: 'x' })).toThrow("unknown field type 'geometry'");
  });
});

describe('the demo org\'s generated validators', () => {
  it('accept every seed record of every object and reject a record with one wrong value', async () => {
    const recordsDir = path.join(ROOT, 'test/fixtures/demo-org/records');
    let checked = 0;
    for (const file of (await readdir(recordsDir)).filter((f) => f.endsWith('.json')).sort()) {
      const name = file.replace(/\.json$/, '');
      const mod = (await import(path.join(ROOT, 'generated/sobjects', `${name}.ts`))) as Record<string, SObjectType>;
      const sobject = mod[name];
      expect(sobject, name).toBeDefined();
      if (!sobject) continue;
      const seeds = JSON.parse(await readFile(path.join(recordsDir, file), 'utf8')) as Record<string, unknown>[];
      const fieldNames = Object.keys(sobject.descriptor.fields);
      for (const seed of seeds) {
        // As read: every field present, null where the seed has no value.
        const row: Record<string, unknown> = Object.fromEntries(fieldNames.map((f) => [f, f in seed ? seed[f] : null]));
        for (const [f, d] of Object.entries(sobject.descriptor.fields)) if (d.type === 'boolean' && row[f] === null) row[f] = false;
        const result = sobject.validator.safeParse(row);
        expect(result.success, `${name} ${String(seed.Id)}: ${JSON.stringify(result.error?.issues.slice(0, 3))}`).toBe(true);
        checked++;
      }
      const idField = sobject.descriptor.fields.Id;
      if (seeds[0] && idField) {
        const row = Object.fromEntries(fieldNames.map((f) => [f, f in seeds[0]! ? seeds[0]![f] : null]));
        expect(sobject.validator.safeParse({ ...row, Id: 'not an id' }).success, name).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
