/**
 * The compact field descriptors (`$field(type, 'flag words', details)`): decoded at run time by the
 * runtime's `sobjectField`, they must give exactly the `FieldDescriptor` the model describes, for
 * every field of the demo org, and fail loudly on a word they do not know.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldFlagLegend } from '../../../generator/emit/descriptor.js';
import { readSnapshot } from '../../../generator/model/snapshot.js';
import type { FieldModel } from '../../../generator/model/types.js';
import { FIELD_FLAG_WORDS as FIELD_FLAGS, sobjectField as $field, sobjectFields } from '../../../runtime/validation.js';
import type { FieldDescriptor, SObjectType } from '../../../runtime/schema.js';

const GENERATED = path.resolve(import.meta.dirname, '../../../generated');
const TEXT = ['string', 'textarea', 'email', 'phone', 'url', 'encryptedstring', 'combobox', 'picklist', 'multipicklist'];
const NUMBER = ['double', 'currency', 'percent', 'int', 'long'];

/** The descriptor a field must have, written out from the model independently of the emitter. */
function expected(f: FieldModel): FieldDescriptor {
  const out: Record<string, unknown> = {
    type: f.type,
    nillable: f.nillable,
    createable: f.createable,
    updateable: f.updateable,
    filterable: f.filterable,
    sortable: f.sortable,
    groupable: f.groupable,
    aggregatable: f.aggregatable,
    idLookup: f.idLookup,
    externalId: f.externalId,
    requiredOnCreate: f.requiredOnCreate,
  };
  if (TEXT.includes(f.type) && f.length > 0) out.length = f.length;
  if (NUMBER.includes(f.type)) {
    const precision = f.type === 'int' || f.type === 'long' ? f.digits : f.precision;
    if (precision > 0) Object.assign(out, { precision, scale: f.scale });
  }
  if (f.reference && f.reference.referenceTo.length > 0) {
    out.referenceTo = f.reference.referenceTo;
    if (f.reference.relationshipName !== null) out.relationshipName = f.reference.relationshipName;
    if (f.reference.referenceTargetField !== null) out.lookupBy = f.reference.referenceTargetField;
    else if (f.extraTypeInfo === 'externallookup' || f.extraTypeInfo === 'indirectlookup') out.lookupBy = 'ExternalId';
  }
  if (f.picklist) {
    const inactive = f.picklist.values.filter((v) => !v.active).map((v) => v.value);
    out.picklist = {
      restricted: f.picklist.restricted,
      values: f.picklist.values.filter((v) => v.active).map((v) => v.value),
      ...(inactive.length > 0 ? { inactiveValues: inactive } : {}),
    };
  }
  if (f.compoundFieldName !== null) out.compoundFieldName = f.compoundFieldName;
  return out as unknown as FieldDescriptor;
}

describe('compact field descriptors', () => {
  it('decode to the model\'s FieldDescriptor for every field of the demo org', async () => {
    const snapshot = await readSnapshot(GENERATED);
    let fields = 0;
    const flagsSeen = new Set<string>();
    for (const object of snapshot.model.objects) {
      const mod = (await import(path.join(GENERATED, 'sobjects', `${object.name}.ts`))) as Record<string, SObjectType>;
      const value = Object.values(mod).find((v) => typeof v === 'object' && v !== null && 'descriptor' in v);
      expect(value, object.name).toBeDefined();
      const descriptorFields = value?.descriptor.fields ?? {};
      expect(Object.keys(descriptorFields), object.name).toEqual(object.fields.map((f) => f.name));
      for (const f of object.fields) {
        expect(descriptorFields[f.name], `${object.name}.${f.name}`).toStrictEqual(expected(f));
        for (const [, name] of FIELD_FLAGS) if (f[name]) flagsSeen.add(name);
        fields++;
      }
    }
    expect(fields).toBeGreaterThan(1000);
    // Every flag is true somewhere in the demo org, so each word's decoding was exercised.
    expect([...flagsSeen].sort()).toEqual(FIELD_FLAGS.map(([, name]) => name).sort());
  });

  it('every generated field descriptor is one line, and the value modules carry the flag legend', async () => {
    const { readFile } = await import('node:fs/promises');
    const account = await readFile(path.join(GENERATED, 'sobjects', 'Account.ts'), 'utf8');
    expect(account).toContain(`// Field flags: ${fieldFlagLegend()}.`);
    expect(account).toMatch(/^ {2}'Name': 'string [a-z ]+( \{[^\n]+\})?',$/m);
  });

  it('reads absent words as false and rejects an unknown word, naming it', () => {
    expect($field('boolean', '')).toStrictEqual({
      type: 'boolean', nillable: false, createable: false, updateable: false, filterable: false, sortable: false, groupable: false,
      aggregatable: false, idLookup: false, externalId: false, requiredOnCreate: false,
    });
    expect($field('string', 'cre req', { length: 5 })).toMatchObject({ createable: true, requiredOnCreate: true, nillable: false, length: 5 });
    expect(() => $field('string', 'nil bogus')).toThrow("unknown field flag 'bogus'");
    expect(() => $field('string', 'nil  cre')).toThrow("unknown field flag ''");
  });

  it("decodes a module's field specs into a prototype-less map, and names the field of a malformed spec", () => {
    const fields = sobjectFields({
      constructor: 'string nil cre {"length":5}',
      Tier__c: 'picklist nil {"picklist":{"restricted":true,"values":["A, B"],"inactiveValues":["Old"]}}',
      IsX__c: 'boolean',
    });
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(fields.constructor).toMatchObject({ type: 'string', nillable: true, createable: true, updateable: false, length: 5 });
    expect(fields.Tier__c?.picklist).toStrictEqual({ restricted: true, values: ['A, B'], inactiveValues: ['Old'] });
    expect(fields.IsX__c).toMatchObject({ type: 'boolean', nillable: false });
    expect(fields.toString).toBeUndefined();
    expect(() => sobjectFields({ Bad__c: 'geometry nil' })).toThrow("field 'Bad__c' has an unknown type 'geometry'");
    expect(() => sobjectFields({ Bad__c: 'string nil {"length":' })).toThrow("field 'Bad__c' has malformed details");
    expect(() => sobjectFields({ Bad__c: 'string nil [1]' })).toThrow("field 'Bad__c': unknown field flag '[1]'");
    expect(() => sobjectFields({ Bad__c: 'string nil {"x":1} extra' })).toThrow("field 'Bad__c' has malformed details");
  });
});
