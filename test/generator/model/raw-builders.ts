/** Builders of raw describe JSON for generator tests: Salesforce's defaults, overridable per case. */
import type { DescribedSObject, RawField, RawSObjectDescribe } from '../../../generator/metadata/raw.js';

/** A field describe with the properties Salesforce always sends, defaulted like a custom text field. */
export function rawField(name: string, type: string, overrides: Partial<RawField> & Record<string, unknown> = {}): RawField {
  return {
    aggregatable: true, aiPredictionField: false, autoNumber: false, byteLength: 0, calculated: false,
    calculatedFormula: null, cascadeDelete: false, caseSensitive: false, compoundFieldName: null,
    controllerName: null, createable: true, custom: name.endsWith('__c'), defaultValue: null,
    defaultValueFormula: null, defaultedOnCreate: false, dependentPicklist: false, deprecatedAndHidden: false,
    digits: 0, displayLocationInDecimal: false, encrypted: false, externalId: false, extraTypeInfo: null,
    filterable: true, filteredLookupInfo: null, formulaTreatNullNumberAsZero: false, groupable: true,
    highScaleNumber: false, htmlFormatted: false, idLookup: false, inlineHelpText: null, label: name,
    length: 0, mask: null, maskType: null, name, nameField: false, namePointing: false, nillable: true,
    permissionable: true, picklistValues: [], polymorphicForeignKey: false, precision: 0,
    queryByDistance: false, referenceTargetField: null, referenceTo: [], relationshipName: null,
    relationshipOrder: null, restrictedDelete: false, restrictedPicklist: false, scale: 0,
    searchPrefilterable: false, soapType: 'xsd:string', sortable: true, type, unique: false, updateable: true,
    writeRequiresMasterRead: false,
    ...overrides,
  } as RawField;
}

/** An `Id` field. */
export function idField(): RawField {
  return rawField('Id', 'id', { createable: false, updateable: false, nillable: false, defaultedOnCreate: true, idLookup: true, label: 'Record ID', length: 18, soapType: 'tns:ID' });
}

/** A picklist value entry. */
export function pv(value: string, extra: { active?: boolean; validFor?: string | null; defaultValue?: boolean; label?: string } = {}): {
  active: boolean; defaultValue: boolean; label: string; validFor: string | null; value: string;
} {
  return { active: extra.active ?? true, defaultValue: extra.defaultValue ?? false, label: extra.label ?? value, validFor: extra.validFor ?? null, value };
}

/** An sObject describe around `fields`. */
export function rawObject(name: string, fields: RawField[], overrides: Partial<RawSObjectDescribe> & Record<string, unknown> = {}): RawSObjectDescribe {
  return {
    actionOverrides: [], activateable: false, associateEntityType: null, associateParentEntity: null,
    childRelationships: [], compactLayoutable: true, createable: true, custom: name.endsWith('__c'),
    customSetting: false, deletable: true, feedEnabled: false, fields, keyPrefix: 'a00', label: name,
    labelPlural: `${name}s`, layoutable: true, mergeable: false, name, queryable: true, recordTypeInfos: [],
    retrieveable: true, searchable: true, triggerable: true, undeletable: true, updateable: true, urls: {},
    ...overrides,
  } as RawSObjectDescribe;
}

/** Wraps a describe as the metadata stage returns it. */
export function described(describe: RawSObjectDescribe, origin = `sobjects/${describe.name}.json`): DescribedSObject {
  return { name: describe.name, describe, origin, lastModified: null };
}
