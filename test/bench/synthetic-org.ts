/**
 * A deterministic synthetic Salesforce org for benchmarks: by default 1,500 sObjects with 50 to
 * 400 fields each, written as a metadata directory (see DESIGN.md) whose describes carry every
 * property a real describe has (salesforce-facts.md §1, §2, §6), so the generator and the
 * simulator treat it like an org saved from Salesforce.
 *
 * What is in it: a handful of standard objects with their real core fields (User, Group, Account,
 * Contact, Lead, Task) and custom objects, some in a namespace; lookups (including self lookups
 * and cycles), master-detail (detail objects have no OwnerId; some are junctions with two
 * masters), polymorphic references (OwnerId -> Group|User, Task.WhoId, Task.WhatId), child
 * relationships that mirror every reference field, restricted and open picklists, dependent
 * picklists (picklist and checkbox controllers, `validFor` bitmaps), multipicklists, address and
 * geolocation compound fields, formula and roll-up summary fields, encrypted strings, auto-number
 * names, external ids, unicode labels, help text, and identifier hazards (field names such as
 * `Delete__c` or `toString__c`, picklist values such as `__proto__`).
 *
 * Everything is decided by a seeded PRNG in a cheap planning pass; expanding a plan into describe
 * JSON is pure, so describes are produced one object at a time and never all held in memory.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createRng, type Rng } from './prng.js';
import type { FieldDescribe as DemoFieldDescribe, PicklistEntry } from '../fixtures/tools/demo-org/describe.js';

// ---------------------------------------------------------------------------------------------
// Describe JSON shapes (what Salesforce returns; keys in Salesforce's alphabetical order)
// ---------------------------------------------------------------------------------------------

/** Every key of a field describe, in the order Salesforce returns them (facts §2). */
export const FIELD_KEYS = [
  'aggregatable', 'aiPredictionField', 'autoNumber', 'byteLength', 'calculated',
  'calculatedFormula', 'cascadeDelete', 'caseSensitive', 'compoundFieldName', 'controllerName',
  'createable', 'custom', 'defaultValue', 'defaultValueFormula', 'defaultedOnCreate',
  'dependentPicklist', 'deprecatedAndHidden', 'digits', 'displayLocationInDecimal', 'encrypted',
  'externalId', 'extraTypeInfo', 'filterable', 'filteredLookupInfo',
  'formulaTreatNullNumberAsZero', 'groupable', 'highScaleNumber', 'htmlFormatted', 'idLookup',
  'inlineHelpText', 'label', 'length', 'mask', 'maskType', 'name', 'nameField', 'namePointing',
  'nillable', 'permissionable', 'picklistValues', 'polymorphicForeignKey', 'precision',
  'queryByDistance', 'referenceTargetField', 'referenceTo', 'relationshipName',
  'relationshipOrder', 'restrictedDelete', 'restrictedPicklist', 'scale', 'searchPrefilterable',
  'soapType', 'sortable', 'type', 'unique', 'updateable', 'writeRequiresMasterRead',
] as const;

/** Every top-level key of an sObject describe, in Salesforce's order (facts §1). */
export const DESCRIBE_KEYS = [
  'actionOverrides', 'activateable', 'associateEntityType', 'associateParentEntity',
  'childRelationships', 'compactLayoutable', 'createable', 'custom', 'customSetting',
  'deepCloneable', 'defaultImplementation', 'deletable', 'deprecatedAndHidden', 'extendedBy',
  'extendsInterfaces', 'feedEnabled', 'fields', 'hasSubtypes', 'implementedBy',
  'implementsInterfaces', 'isInterface', 'isSubtype', 'keyPrefix', 'label', 'labelPlural',
  'layoutable', 'listviewable', 'lookupLayoutable', 'mergeable', 'mruEnabled', 'name',
  'namedLayoutInfos', 'networkScopeFieldName', 'queryable', 'recordTypeInfos', 'replicateable',
  'retrieveable', 'searchLayoutable', 'searchable', 'sobjectDescribeOption', 'supportedScopes',
  'triggerable', 'undeletable', 'updateable', 'urls',
] as const;

/** Every key of a global-describe entry (facts §6). */
export const GLOBAL_ENTRY_KEYS = [
  'activateable', 'associateEntityType', 'associateParentEntity', 'createable', 'custom',
  'customSetting', 'deepCloneable', 'deletable', 'deprecatedAndHidden', 'feedEnabled',
  'hasSubtypes', 'isInterface', 'isSubtype', 'keyPrefix', 'label', 'labelPlural', 'layoutable',
  'mergeable', 'mruEnabled', 'name', 'queryable', 'replicateable', 'retrieveable', 'searchable',
  'triggerable', 'undeletable', 'updateable', 'urls',
] as const;

export const CHILD_RELATIONSHIP_KEYS = [
  'cascadeDelete', 'childSObject', 'deprecatedAndHidden', 'field', 'junctionIdListNames',
  'junctionReferenceTo', 'relationshipName', 'restrictedDelete',
] as const;

export type DescribeFieldType =
  | 'id' | 'string' | 'textarea' | 'email' | 'phone' | 'url' | 'combobox' | 'encryptedstring'
  | 'picklist' | 'multipicklist' | 'boolean' | 'int' | 'double' | 'currency' | 'percent'
  | 'date' | 'datetime' | 'time' | 'reference' | 'address' | 'location';

export type { PicklistEntry };

/** One entry of `fields[]`, every key Salesforce returns (the demo org's describe shape), with the types this org uses. */
export interface FieldDescribe extends Omit<DemoFieldDescribe, 'type'> {
  type: DescribeFieldType;
}

export interface ChildRelationshipDescribe {
  cascadeDelete: boolean;
  childSObject: string;
  deprecatedAndHidden: boolean;
  field: string;
  junctionIdListNames: string[];
  junctionReferenceTo: string[];
  relationshipName: string | null;
  restrictedDelete: boolean;
}

export interface SObjectDescribe {
  actionOverrides: unknown[];
  activateable: boolean;
  associateEntityType: string | null;
  associateParentEntity: string | null;
  childRelationships: ChildRelationshipDescribe[];
  compactLayoutable: boolean;
  createable: boolean;
  custom: boolean;
  customSetting: boolean;
  deepCloneable: boolean;
  defaultImplementation: string | null;
  deletable: boolean;
  deprecatedAndHidden: boolean;
  extendedBy: string | null;
  extendsInterfaces: string | null;
  feedEnabled: boolean;
  fields: FieldDescribe[];
  hasSubtypes: boolean;
  implementedBy: string | null;
  implementsInterfaces: string | null;
  isInterface: boolean;
  isSubtype: boolean;
  keyPrefix: string | null;
  label: string;
  labelPlural: string;
  layoutable: boolean;
  listviewable: boolean | null;
  lookupLayoutable: boolean | null;
  mergeable: boolean;
  mruEnabled: boolean;
  name: string;
  namedLayoutInfos: unknown[];
  networkScopeFieldName: string | null;
  queryable: boolean;
  recordTypeInfos: {
    active: boolean;
    available: boolean;
    defaultRecordTypeMapping: boolean;
    developerName: string;
    master: boolean;
    name: string;
    recordTypeId: string;
    urls: { layout: string };
  }[];
  replicateable: boolean;
  retrieveable: boolean;
  searchLayoutable: boolean;
  searchable: boolean;
  sobjectDescribeOption: string;
  supportedScopes: { label: string; name: string }[] | null;
  triggerable: boolean;
  undeletable: boolean;
  updateable: boolean;
  urls: Record<string, string>;
}

export interface GlobalDescribeEntry {
  activateable: boolean;
  associateEntityType: string | null;
  associateParentEntity: string | null;
  createable: boolean;
  custom: boolean;
  customSetting: boolean;
  deepCloneable: boolean;
  deletable: boolean;
  deprecatedAndHidden: boolean;
  feedEnabled: boolean;
  hasSubtypes: boolean;
  isInterface: boolean;
  isSubtype: boolean;
  keyPrefix: string | null;
  label: string;
  labelPlural: string;
  layoutable: boolean;
  mergeable: boolean;
  mruEnabled: boolean;
  name: string;
  queryable: boolean;
  replicateable: boolean;
  retrieveable: boolean;
  searchable: boolean;
  triggerable: boolean;
  undeletable: boolean;
  updateable: boolean;
  urls: { sobject: string; describe: string; rowTemplate: string };
}

export interface GlobalDescribe {
  encoding: 'UTF-8';
  maxBatchSize: number;
  sobjects: GlobalDescribeEntry[];
}

// ---------------------------------------------------------------------------------------------
// Options and plan
// ---------------------------------------------------------------------------------------------

export interface SyntheticOrgOptions {
  /** PRNG seed; the same options always give byte-identical output. */
  readonly seed?: number;
  /** Total sObjects, standard ones included (at least 6). */
  readonly objectCount?: number;
  readonly minFields?: number;
  readonly maxFields?: number;
  /** API version used in describe URLs, e.g. `'60.0'`. */
  readonly apiVersion?: string;
}

export interface ResolvedSyntheticOrgOptions {
  readonly seed: number;
  readonly objectCount: number;
  readonly minFields: number;
  readonly maxFields: number;
  readonly apiVersion: string;
}

/** The benchmark's org: 1,500 objects, 50 to 400 fields each. */
export const DEFAULT_SYNTHETIC_ORG: ResolvedSyntheticOrgOptions = {
  seed: 0x5f6e2026,
  objectCount: 1500,
  minFields: 50,
  maxFields: 400,
  apiVersion: '60.0',
};

/** A field before expansion: its name, label, type and whatever differs from the type's defaults. */
type FieldSpec = Partial<FieldDescribe> & Pick<FieldDescribe, 'name' | 'label' | 'type'>;

interface ObjectPlan {
  readonly index: number;
  readonly name: string;
  /** Name without namespace and suffix (`Invoice_Line` for `syn__Invoice_Line__c`). */
  readonly base: string;
  readonly namespace: string | null;
  readonly custom: boolean;
  readonly label: string;
  readonly labelPlural: string;
  readonly keyPrefix: string;
  fieldTarget: number;
  /** Master-detail parents (one, or two for a junction). */
  masters: string[];
  /** Lookup targets. */
  lookups: string[];
  /** Detail objects whose master is this object (for roll-up summaries). */
  details: string[];
  activityEnabled: boolean;
  autoNumberName: boolean;
  fields: FieldSpec[];
  children: ChildRelationshipDescribe[];
}

/** The planned org: everything decided, nothing expanded. */
export interface SyntheticOrgPlan {
  readonly options: ResolvedSyntheticOrgOptions;
  /** Objects in plan order (standard objects first). */
  readonly objects: readonly ObjectPlan[];
  readonly byName: ReadonlyMap<string, ObjectPlan>;
  /** Total number of fields over all objects. */
  readonly fieldCount: number;
}

export function resolveSyntheticOrgOptions(options: SyntheticOrgOptions = {}): ResolvedSyntheticOrgOptions {
  const resolved = { ...DEFAULT_SYNTHETIC_ORG, ...stripUndefined(options) };
  if (!Number.isInteger(resolved.objectCount) || resolved.objectCount < STANDARD_OBJECTS.length + 1) {
    throw new RangeError(`synthetic org: objectCount must be an integer >= ${STANDARD_OBJECTS.length + 1}, got ${resolved.objectCount}`);
  }
  if (!Number.isInteger(resolved.minFields) || resolved.minFields < 45 || resolved.maxFields < resolved.minFields) {
    throw new RangeError(`synthetic org: need 45 <= minFields <= maxFields, got ${resolved.minFields}..${resolved.maxFields}`);
  }
  if (resolved.objectCount > 3000) {
    throw new RangeError(`synthetic org: objectCount above 3000 exhausts custom key prefixes, got ${resolved.objectCount}`);
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------------------------------------
// Word pools
// ---------------------------------------------------------------------------------------------

const OBJECT_WORDS = [
  'Invoice', 'Shipment', 'Contract', 'Asset', 'Warranty', 'Claim', 'Policy', 'Booking', 'Route',
  'Vehicle', 'Driver', 'Depot', 'Parcel', 'Ticket', 'Survey', 'Response', 'Question', 'Course',
  'Student', 'Grade', 'Exam', 'Lesson', 'Project', 'Task_Item', 'Milestone', 'Budget', 'Expense',
  'Receipt', 'Vendor', 'Supplier', 'Part', 'Component', 'Assembly', 'Batch', 'Lot', 'Sample',
  'Reading', 'Meter', 'Sensor', 'Device', 'Firmware', 'License', 'Seat', 'Venue', 'Session',
  'Speaker', 'Sponsor', 'Donation', 'Grant', 'Program', 'Member', 'Household', 'Visit',
  'Appointment', 'Treatment', 'Prescription', 'Lab_Result', 'Room', 'Bed', 'Shift', 'Timesheet',
  'Payroll', 'Benefit', 'Position', 'Applicant', 'Interview', 'Offer', 'Review', 'Goal',
  'Territory', 'Region', 'Market', 'Segment', 'Promotion', 'Coupon', 'Discount', 'Quote_Item',
  'Order_Item', 'Return', 'Refund', 'Subscription', 'Plan', 'Usage', 'Rate', 'Tariff',
  'Inspection', 'Permit', 'Parcel_Lot', 'Building', 'Unit', 'Lease', 'Tenant', 'Property',
  'Listing', 'Showing', 'Loan', 'Collateral', 'Payment', 'Schedule', 'Forecast', 'Target',
  'Campaign_Step', 'Journey', 'Channel', 'Article', 'Feedback', 'Incident', 'Outage', 'Change',
  'Release', 'Build', 'Defect', 'Requirement', 'Risk', 'Issue', 'Audit', 'Control', 'Finding',
];

const FIELD_WORDS = [
  'Amount', 'Total', 'Status', 'Stage', 'Priority', 'Score', 'Rating', 'Count', 'Quantity',
  'Weight', 'Height', 'Width', 'Depth', 'Volume', 'Price', 'Cost', 'Margin', 'Discount', 'Tax',
  'Fee', 'Rate', 'Ratio', 'Start', 'End', 'Due', 'Closed', 'Opened', 'Approved', 'Reviewed',
  'Code', 'Reference', 'Number', 'Serial', 'Batch', 'Category', 'Type', 'Subtype', 'Region',
  'Country', 'Channel', 'Source', 'Reason', 'Outcome', 'Notes', 'Summary', 'Detail', 'Comment',
  'Description', 'Email', 'Phone', 'Website', 'Contact', 'Owner_Note', 'Flag', 'Active',
  'Verified', 'Locked', 'Archived', 'Level', 'Tier', 'Segment', 'Language', 'Currency_Note',
];

/** Labels in other scripts and with symbols (facts §8: never derive identifiers from labels). */
const UNICODE_LABELS = [
  'Größe (cm)', '重量 (kg)', 'Volume (m³)', 'Prix (€)', 'Café Notes', 'Résumé', 'Ölstand',
  'Москва Region', '日本語 Name', 'Ñandú Count', 'Temperatur (°C)', 'Naïve Estimate', 'Ångström',
  '価格 (¥)', 'Straße', 'Åland Code', 'Δ Change', 'Σ Total', 'Zürich Office', 'Łódź Depot',
];

/** Custom field names whose base is a JS/TS keyword or an Object.prototype member (facts §8). */
const HAZARD_FIELD_BASES = [
  'Delete', 'Class', 'Enum', 'Await', 'Constructor', 'Prototype', 'toString', 'hasOwnProperty',
  'Function', 'Import', 'Default', 'Interface', 'valueOf', 'Attributes', 'Name', 'Owner', 'Id',
];

/** Picklist values that break naive code (facts §3). */
const HAZARD_PICKLIST_VALUES = [
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'A, B & "C"', '日本語', 'null',
  "O'Brien", 'back\\slash', '${template}', 'Line\u2028Separator', '*/ end comment',
];

const PICKLIST_WORDS = [
  'Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot', 'Golf', 'Hotel', 'India', 'Juliett',
  'Kilo', 'Lima', 'Mike', 'November', 'Oscar', 'Papa', 'Quebec', 'Romeo', 'Sierra', 'Tango',
  'Uniform', 'Victor', 'Whiskey', 'X-ray', 'Yankee', 'Zulu', 'New', 'Open', 'Closed', 'Won',
  'Lost', 'Pending', 'In Progress', 'On Hold', 'Cancelled', 'High', 'Medium', 'Low', 'Hot',
  'Warm', 'Cold', 'EMEA', 'APAC', 'AMER', 'LATAM', 'Gold', 'Silver', 'Bronze', 'Platinum',
];

const HELP_TEXTS = [
  'Filled in by the integration; do not edit by hand.',
  'Used by the nightly roll-up job.',
  'Total including tax, in the record currency.',
  'Set when the record is approved.',
  'Shown on the customer portal.',
  'Legacy value migrated from the old system (see runbook).',
  'Wert in Euro (€), ohne MwSt.',
  '顧客に表示されます。',
  'Contains <b>markup</b> & "quotes".',
  'Ends a comment */ and opens /* another',
];

const MASKS = ['all', 'creditCard', 'ssn', 'lastFour', 'sin', 'nino'] as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// ---------------------------------------------------------------------------------------------
// Field type defaults
// ---------------------------------------------------------------------------------------------

const SOAP_TYPES: Readonly<Record<DescribeFieldType, string>> = {
  id: 'tns:ID', string: 'xsd:string', textarea: 'xsd:string', email: 'xsd:string',
  phone: 'xsd:string', url: 'xsd:string', combobox: 'xsd:string', encryptedstring: 'xsd:string',
  picklist: 'xsd:string', multipicklist: 'xsd:string', boolean: 'xsd:boolean', int: 'xsd:int',
  double: 'xsd:double', currency: 'xsd:double', percent: 'xsd:double', date: 'xsd:date',
  datetime: 'xsd:dateTime', time: 'xsd:time', reference: 'tns:ID', address: 'urn:address',
  location: 'urn:location',
};

function baseField(spec: FieldSpec): FieldDescribe {
  const field: FieldDescribe = {
    aggregatable: true, aiPredictionField: false, autoNumber: false, byteLength: 0,
    calculated: false, calculatedFormula: null, cascadeDelete: false, caseSensitive: false,
    compoundFieldName: null, controllerName: null, createable: true, custom: true,
    defaultValue: null, defaultValueFormula: null, defaultedOnCreate: false,
    dependentPicklist: false, deprecatedAndHidden: false, digits: 0,
    displayLocationInDecimal: false, encrypted: false, externalId: false, extraTypeInfo: null,
    filterable: true, filteredLookupInfo: null, formulaTreatNullNumberAsZero: false,
    groupable: true, highScaleNumber: false, htmlFormatted: false, idLookup: false,
    inlineHelpText: null, label: spec.label, length: 0, mask: null, maskType: null,
    name: spec.name, nameField: false, namePointing: false, nillable: true, permissionable: true,
    picklistValues: [], polymorphicForeignKey: false, precision: 0, queryByDistance: false,
    referenceTargetField: null, referenceTo: [], relationshipName: null, relationshipOrder: null,
    restrictedDelete: false, restrictedPicklist: false, scale: 0, searchPrefilterable: false,
    soapType: SOAP_TYPES[spec.type], sortable: true, type: spec.type, unique: false,
    updateable: true, writeRequiresMasterRead: false,
  };
  switch (spec.type) {
    case 'id':
      Object.assign(field, {
        createable: false, updateable: false, nillable: false, defaultedOnCreate: true,
        idLookup: true, length: 18, byteLength: 18, custom: false, permissionable: false,
      });
      break;
    case 'string': case 'email': case 'phone': case 'url': case 'combobox':
    case 'encryptedstring': {
      const length = spec.length ?? (spec.type === 'phone' ? 40 : spec.type === 'email' ? 80 : 255);
      field.length = length;
      field.byteLength = length * 3;
      break;
    }
    case 'textarea': {
      const length = spec.length ?? 255;
      field.length = length;
      field.byteLength = length * 3;
      if (length > 255 || spec.extraTypeInfo === 'richtextarea') {
        Object.assign(field, { filterable: false, sortable: false, groupable: false, aggregatable: false });
      } else {
        field.groupable = false;
      }
      break;
    }
    case 'picklist':
      field.length = 255;
      field.byteLength = 765;
      break;
    case 'multipicklist':
      Object.assign(field, { length: 4099, byteLength: 12297, sortable: false, groupable: false, aggregatable: false });
      break;
    case 'boolean':
      Object.assign(field, { nillable: false, defaultedOnCreate: true, defaultValue: false, aggregatable: false });
      break;
    case 'int':
      Object.assign(field, { digits: 9, groupable: true });
      break;
    case 'double': case 'currency': case 'percent':
      Object.assign(field, { precision: 18, scale: 2, groupable: false });
      break;
    case 'date':
      break;
    case 'datetime':
      field.groupable = false;
      break;
    case 'time':
      field.groupable = false;
      break;
    case 'reference':
      Object.assign(field, { length: 18, byteLength: 18 });
      break;
    case 'address':
    case 'location':
      Object.assign(field, {
        createable: false, updateable: false, filterable: false, sortable: false, groupable: false,
        aggregatable: false, permissionable: false,
      });
      break;
  }
  return field;
}

/** Expands a spec into a complete field describe with keys in Salesforce's order. */
function expandField(spec: FieldSpec): FieldDescribe {
  const merged = { ...baseField(spec), ...spec } as FieldDescribe;
  const ordered: Record<string, unknown> = {};
  for (const key of FIELD_KEYS) ordered[key] = merged[key];
  return ordered as unknown as FieldDescribe;
}

// ---------------------------------------------------------------------------------------------
// Field builders
// ---------------------------------------------------------------------------------------------

function idField(): FieldSpec {
  return { name: 'Id', label: 'Record ID', type: 'id' };
}

function systemFields(objectLabel: string): FieldSpec[] {
  const sys = { custom: false, createable: false, updateable: false, permissionable: false } as const;
  return [
    { ...sys, name: 'IsDeleted', label: 'Deleted', type: 'boolean' },
    { ...sys, name: 'CreatedDate', label: 'Created Date', type: 'datetime', nillable: false, defaultedOnCreate: true },
    {
      ...sys, name: 'CreatedById', label: 'Created By ID', type: 'reference', nillable: false,
      defaultedOnCreate: true, referenceTo: ['User'], relationshipName: 'CreatedBy',
    },
    { ...sys, name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', nillable: false, defaultedOnCreate: true },
    {
      ...sys, name: 'LastModifiedById', label: 'Last Modified By ID', type: 'reference',
      nillable: false, defaultedOnCreate: true, referenceTo: ['User'], relationshipName: 'LastModifiedBy',
    },
    { ...sys, name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', nillable: false, defaultedOnCreate: true },
    { ...sys, name: 'LastViewedDate', label: `Last Viewed Date (${objectLabel})`, type: 'datetime' },
    { ...sys, name: 'LastReferencedDate', label: 'Last Referenced Date', type: 'datetime' },
  ];
}

function ownerField(polymorphic: boolean): FieldSpec {
  return {
    name: 'OwnerId', label: 'Owner ID', type: 'reference', custom: false, nillable: false,
    defaultedOnCreate: true, referenceTo: polymorphic ? ['Group', 'User'] : ['User'],
    relationshipName: 'Owner', namePointing: polymorphic, polymorphicForeignKey: polymorphic,
  };
}

function nameField(label: string, autoNumber: boolean): FieldSpec {
  if (autoNumber) {
    return {
      name: 'Name', label, type: 'string', custom: false, length: 30, nameField: true,
      autoNumber: true, createable: false, updateable: false, nillable: false,
      defaultedOnCreate: true, idLookup: true,
    };
  }
  return {
    name: 'Name', label, type: 'string', custom: false, length: 80, nameField: true,
    nillable: true, idLookup: true,
  };
}

function addressFields(prefix: string, label: string): FieldSpec[] {
  const std = { custom: false } as const;
  const L = label ? `${label} ` : '';
  const countries = ['US', 'DE', 'FR', 'JP', 'GB', 'CA', 'AU', 'BR', 'IN', 'CH'];
  const states = ['CA', 'NY', 'TX', 'WA', 'BY', 'BE', 'ON', 'QC'];
  const countryValues = countries.map((value) => pv(value, value));
  // StateCode depends on CountryCode (facts §3): US states valid for index 0, DE for 1, CA for 5.
  const stateValues = states.map((value, i) => ({
    ...pv(value, value), validFor: encodeValidFor([i < 4 ? 0 : i < 6 ? 1 : 5], countries.length),
  }));
  const accuracy = ['Address', 'NearAddress', 'Block', 'Street', 'ExtendedZip', 'Zip',
    'Neighborhood', 'City', 'County', 'State', 'Unknown'].map((value) => pv(value, value));
  const compound = `${prefix}Address`;
  return [
    { ...std, name: `${prefix}Street`, label: `${L}Street`, type: 'textarea', length: 255, compoundFieldName: compound },
    { ...std, name: `${prefix}City`, label: `${L}City`, type: 'string', length: 40, compoundFieldName: compound },
    { ...std, name: `${prefix}State`, label: `${L}State/Province`, type: 'string', length: 80, compoundFieldName: compound },
    { ...std, name: `${prefix}PostalCode`, label: `${L}Zip/Postal Code`, type: 'string', length: 20, compoundFieldName: compound },
    { ...std, name: `${prefix}Country`, label: `${L}Country`, type: 'string', length: 80, compoundFieldName: compound },
    {
      ...std, name: `${prefix}StateCode`, label: `${L}State Code`, type: 'picklist',
      compoundFieldName: compound, picklistValues: stateValues, restrictedPicklist: true,
      dependentPicklist: true, controllerName: `${prefix}CountryCode`,
    },
    {
      ...std, name: `${prefix}CountryCode`, label: `${L}Country Code`, type: 'picklist',
      compoundFieldName: compound, picklistValues: countryValues, restrictedPicklist: true,
    },
    { ...std, name: `${prefix}Latitude`, label: `${L}Latitude`, type: 'double', precision: 18, scale: 15, compoundFieldName: compound },
    { ...std, name: `${prefix}Longitude`, label: `${L}Longitude`, type: 'double', precision: 18, scale: 15, compoundFieldName: compound },
    {
      ...std, name: `${prefix}GeocodeAccuracy`, label: `${L}Geocode Accuracy`, type: 'picklist',
      compoundFieldName: compound, picklistValues: accuracy, restrictedPicklist: true,
    },
    { ...std, name: compound, label: `${L}Address`, type: 'address' },
  ];
}

function pv(value: string, label: string, extra: Partial<PicklistEntry> = {}): PicklistEntry {
  return { active: true, defaultValue: false, label, validFor: null, value, ...extra };
}

/**
 * Encodes controller indexes as Salesforce's `validFor`: bit `0x80 >> (i & 7)` of byte `i >> 3`,
 * base64, padded to whole 3-byte groups (facts §3).
 */
export function encodeValidFor(indexes: readonly number[], controllerSize: number): string {
  const byteCount = Math.max(3, Math.ceil(Math.ceil(controllerSize / 8) / 3) * 3);
  const bytes = Buffer.alloc(byteCount);
  for (const i of indexes) {
    if (i < 0 || i >= controllerSize) throw new RangeError(`validFor index ${i} outside controller of ${controllerSize}`);
    bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (0x80 >> (i & 7));
  }
  return bytes.toString('base64');
}

/** Decodes a `validFor` string into the controller indexes it marks valid. */
export function decodeValidFor(validFor: string): number[] {
  const bytes = Buffer.from(validFor, 'base64');
  const out: number[] = [];
  for (let i = 0; i < bytes.length * 8; i += 1) {
    if (((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0) out.push(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------------

interface StandardObjectDef {
  readonly name: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly keyPrefix: string;
  /** Core fields after Id (system fields are appended by the planner). */
  readonly core: (plan: PlanState) => FieldSpec[];
  readonly owner: 'none' | 'user' | 'polymorphic';
}

interface PlanState {
  readonly rng: Rng;
  /** Custom objects with activities enabled (Task.WhatId targets). */
  readonly activityTargets: readonly string[];
}

const STANDARD_OBJECTS: readonly StandardObjectDef[] = [
  {
    name: 'User', label: 'User', labelPlural: 'Users', keyPrefix: '005', owner: 'none',
    core: () => [
      { name: 'Username', label: 'Username', type: 'string', custom: false, length: 80, nillable: false, unique: true, idLookup: true },
      { name: 'LastName', label: 'Last Name', type: 'string', custom: false, length: 80, nillable: false },
      { name: 'FirstName', label: 'First Name', type: 'string', custom: false, length: 40 },
      { name: 'Name', label: 'Full Name', type: 'string', custom: false, length: 121, nameField: true, createable: false, updateable: false, extraTypeInfo: 'personname' },
      { name: 'Email', label: 'Email', type: 'email', custom: false, nillable: false },
      { name: 'Alias', label: 'Alias', type: 'string', custom: false, length: 8, nillable: false },
      { name: 'IsActive', label: 'Active', type: 'boolean', custom: false, defaultValue: true },
      {
        name: 'ManagerId', label: 'Manager ID', type: 'reference', custom: false,
        referenceTo: ['User'], relationshipName: 'Manager',
      },
      {
        name: 'TimeZoneSidKey', label: 'Time Zone', type: 'picklist', custom: false, nillable: false, restrictedPicklist: true,
        length: 40, picklistValues: ['America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo', 'GMT'].map((v) => pv(v, v)),
      },
    ],
  },
  {
    name: 'Group', label: 'Group', labelPlural: 'Groups', keyPrefix: '00G', owner: 'user',
    core: () => [
      { name: 'Name', label: 'Name', type: 'string', custom: false, length: 40, nameField: true, nillable: false },
      { name: 'DeveloperName', label: 'Developer Name', type: 'string', custom: false, length: 80 },
      {
        name: 'Type', label: 'Type', type: 'picklist', custom: false, nillable: false, restrictedPicklist: true,
        length: 40, picklistValues: ['Regular', 'Queue', 'Role', 'Organization'].map((v) => pv(v, v)),
      },
      { name: 'Email', label: 'Email', type: 'email', custom: false },
      { name: 'DoesSendEmailToMembers', label: 'Send Email to Members', type: 'boolean', custom: false },
    ],
  },
  {
    name: 'Account', label: 'Account', labelPlural: 'Accounts', keyPrefix: '001', owner: 'user',
    core: () => [
      {
        name: 'MasterRecordId', label: 'Master Record ID', type: 'reference', custom: false,
        createable: false, updateable: false, referenceTo: ['Account'], relationshipName: 'MasterRecord',
      },
      { name: 'Name', label: 'Account Name', type: 'string', custom: false, length: 255, nameField: true, nillable: false },
      {
        name: 'Type', label: 'Account Type', type: 'picklist', custom: false,
        picklistValues: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'].map((v) => pv(v, v)),
      },
      {
        name: 'ParentId', label: 'Parent Account ID', type: 'reference', custom: false,
        referenceTo: ['Account'], relationshipName: 'Parent',
      },
      ...addressFields('Billing', 'Billing'),
      ...addressFields('Shipping', 'Shipping'),
      { name: 'Phone', label: 'Account Phone', type: 'phone', custom: false },
      { name: 'Website', label: 'Website', type: 'url', custom: false },
      {
        name: 'Industry', label: 'Industry', type: 'picklist', custom: false,
        picklistValues: ['Agriculture', 'Banking', 'Chemicals', 'Education', 'Energy', 'Retail'].map((v) => pv(v, v)),
      },
      { name: 'AnnualRevenue', label: 'Annual Revenue', type: 'currency', custom: false },
      { name: 'NumberOfEmployees', label: 'Employees', type: 'int', custom: false },
      { name: 'Description', label: 'Account Description', type: 'textarea', custom: false, length: 32000, extraTypeInfo: 'plaintextarea' },
    ],
  },
  {
    name: 'Contact', label: 'Contact', labelPlural: 'Contacts', keyPrefix: '003', owner: 'user',
    core: () => [
      { name: 'AccountId', label: 'Account ID', type: 'reference', custom: false, referenceTo: ['Account'], relationshipName: 'Account' },
      { name: 'LastName', label: 'Last Name', type: 'string', custom: false, length: 80, nillable: false },
      { name: 'FirstName', label: 'First Name', type: 'string', custom: false, length: 40 },
      {
        name: 'Salutation', label: 'Salutation', type: 'picklist', custom: false,
        picklistValues: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'].map((v) => pv(v, v)),
      },
      { name: 'Name', label: 'Full Name', type: 'string', custom: false, length: 121, nameField: true, createable: false, updateable: false, extraTypeInfo: 'personname' },
      ...addressFields('Mailing', 'Mailing'),
      { name: 'Email', label: 'Email', type: 'email', custom: false, idLookup: true },
      { name: 'Phone', label: 'Business Phone', type: 'phone', custom: false },
      { name: 'ReportsToId', label: 'Reports To ID', type: 'reference', custom: false, referenceTo: ['Contact'], relationshipName: 'ReportsTo' },
      { name: 'Birthdate', label: 'Birthdate', type: 'date', custom: false },
    ],
  },
  {
    name: 'Lead', label: 'Lead', labelPlural: 'Leads', keyPrefix: '00Q', owner: 'polymorphic',
    core: () => [
      { name: 'LastName', label: 'Last Name', type: 'string', custom: false, length: 80, nillable: false },
      { name: 'FirstName', label: 'First Name', type: 'string', custom: false, length: 40 },
      { name: 'Name', label: 'Full Name', type: 'string', custom: false, length: 121, nameField: true, createable: false, updateable: false, extraTypeInfo: 'personname' },
      { name: 'Company', label: 'Company', type: 'string', custom: false, length: 255, nillable: false },
      ...addressFields('', ''),
      {
        name: 'Status', label: 'Status', type: 'picklist', custom: false, nillable: false,
        defaultedOnCreate: true, restrictedPicklist: true,
        picklistValues: [
          pv('Open - Not Contacted', 'Open - Not Contacted', { defaultValue: true }),
          pv('Working - Contacted', 'Working - Contacted'),
          pv('Closed - Converted', 'Closed - Converted'),
          pv('Closed - Not Converted', 'Closed - Not Converted'),
        ],
      },
      { name: 'IsConverted', label: 'Converted', type: 'boolean', custom: false, updateable: false },
      { name: 'ConvertedAccountId', label: 'Converted Account ID', type: 'reference', custom: false, createable: false, updateable: false, referenceTo: ['Account'], relationshipName: 'ConvertedAccount' },
      { name: 'ConvertedContactId', label: 'Converted Contact ID', type: 'reference', custom: false, createable: false, updateable: false, referenceTo: ['Contact'], relationshipName: 'ConvertedContact' },
    ],
  },
  {
    name: 'Task', label: 'Task', labelPlural: 'Tasks', keyPrefix: '00T', owner: 'polymorphic',
    core: (state) => [
      {
        name: 'WhoId', label: 'Name ID', type: 'reference', custom: false, referenceTo: ['Contact', 'Lead'],
        relationshipName: 'Who', namePointing: true, polymorphicForeignKey: true,
      },
      {
        name: 'WhatId', label: 'Related To ID', type: 'reference', custom: false,
        referenceTo: ['Account', ...state.activityTargets].sort(),
        relationshipName: 'What', namePointing: true, polymorphicForeignKey: true,
      },
      {
        name: 'Subject', label: 'Subject', type: 'combobox', custom: false,
        picklistValues: ['Call', 'Send Letter', 'Send Quote', 'Other'].map((v) => pv(v, v)),
      },
      { name: 'ActivityDate', label: 'Due Date Only', type: 'date', custom: false },
      {
        name: 'Status', label: 'Status', type: 'picklist', custom: false, nillable: false,
        defaultedOnCreate: true, restrictedPicklist: true,
        picklistValues: [pv('Not Started', 'Not Started', { defaultValue: true }), pv('In Progress', 'In Progress'), pv('Completed', 'Completed'), pv('Deferred', 'Deferred')],
      },
      {
        name: 'Priority', label: 'Priority', type: 'picklist', custom: false, nillable: false,
        defaultedOnCreate: true, restrictedPicklist: true,
        picklistValues: [pv('High', 'High'), pv('Normal', 'Normal', { defaultValue: true }), pv('Low', 'Low')],
      },
      // Task.AccountId: derived, and a child relationship with no name (facts §1).
      {
        name: 'AccountId', label: 'Account ID', type: 'reference', custom: false, createable: false,
        updateable: false, referenceTo: ['Account'], relationshipName: 'Account',
      },
      { name: 'Description', label: 'Comments', type: 'textarea', custom: false, length: 32000, extraTypeInfo: 'plaintextarea' },
      { name: 'IsClosed', label: 'Closed', type: 'boolean', custom: false, createable: false, updateable: false },
    ],
  },
];

function makeKeyPrefix(index: number): string {
  // Custom key prefixes: 'a' + two base-62 characters, skipping a00.
  const n = index + 1;
  return `a${BASE62[Math.floor(n / 62) % 62] ?? '0'}${BASE62[n % 62] ?? '0'}`;
}

function titleCase(base: string): string {
  return base.replace(/_/g, ' ');
}

/**
 * Plans the synthetic org: names, field lists and relationships, all decided by the seed.
 *
 * @example
 * const plan = planSyntheticOrg({ objectCount: 100 });
 * plan.objects.length; // 100
 */
export function planSyntheticOrg(options: SyntheticOrgOptions = {}): SyntheticOrgPlan {
  const opts = resolveSyntheticOrgOptions(options);
  const rng = createRng(opts.seed);
  const objects: ObjectPlan[] = [];
  const taken = new Set<string>();

  // 1. Names.
  for (const def of STANDARD_OBJECTS) {
    taken.add(def.name.toLowerCase());
    objects.push({
      index: objects.length, name: def.name, base: def.name, namespace: null, custom: false,
      label: def.label, labelPlural: def.labelPlural, keyPrefix: def.keyPrefix,
      fieldTarget: 0, masters: [], lookups: [], details: [], activityEnabled: false,
      autoNumberName: false, fields: [], children: [],
    });
  }
  const hazardObjectBases = ['Constructor', 'Prototype', 'Object', 'Promise', 'Record'];
  const customCount = opts.objectCount - STANDARD_OBJECTS.length;
  for (let i = 0; i < customCount; i += 1) {
    let base: string;
    if (i < hazardObjectBases.length && customCount > 50) {
      base = hazardObjectBases[i] as string;
    } else {
      do {
        const a = rng.pick(OBJECT_WORDS);
        const b = rng.pick(OBJECT_WORDS);
        base = a === b ? `${a}_${rng.int(2, 99)}` : `${a}_${b}`;
      } while (taken.has(`${base}__c`.toLowerCase()) || taken.has(`syn__${base}__c`.toLowerCase()));
    }
    const namespace = rng.chance(0.08) ? 'syn' : null;
    const name = `${namespace ? `${namespace}__` : ''}${base}__c`;
    taken.add(name.toLowerCase());
    const unicode = rng.chance(0.03);
    const label = unicode ? `${rng.pick(UNICODE_LABELS)} ${i}` : titleCase(base);
    objects.push({
      index: objects.length, name, base, namespace, custom: true, label,
      labelPlural: `${label}s`, keyPrefix: makeKeyPrefix(i), fieldTarget: 0, masters: [],
      lookups: [], details: [], activityEnabled: false, autoNumberName: rng.chance(0.3),
      fields: [], children: [],
    });
  }
  const byName = new Map(objects.map((o) => [o.name, o] as const));

  // 2. Relationship graph. Masters are earlier custom objects that are not details themselves.
  const customs = objects.filter((o) => o.custom);
  for (const obj of customs) {
    const earlierMasters = customs.filter((o) => o.index < obj.index && o.masters.length === 0);
    if (earlierMasters.length > 0 && rng.chance(0.22)) {
      const master = rng.chance(0.1) ? (byName.get('Account') as ObjectPlan) : rng.pick(earlierMasters);
      obj.masters.push(master.name);
      if (rng.chance(0.15)) {
        const second = rng.pick(earlierMasters);
        if (second.name !== master.name) obj.masters.push(second.name);
      }
    }
    const lookupCount = rng.weighted({ '0': 2, '1': 4, '2': 4, '3': 3, '4': 2, '6': 1 });
    for (let k = 0; k < Number(lookupCount); k += 1) {
      const target = rng.chance(0.05) ? obj : rng.chance(0.15) ? rng.pick(objects.slice(0, STANDARD_OBJECTS.length)) : rng.pick(objects);
      obj.lookups.push(target.name);
    }
    if (obj.masters.length === 0 && rng.chance(0.05)) obj.activityEnabled = true;
  }
  // Masters of an object cannot be details (one level of master-detail keeps the graph simple).
  for (const obj of customs) {
    for (const master of obj.masters) (byName.get(master) as ObjectPlan).details.push(obj.name);
  }
  const state: PlanState = {
    rng,
    activityTargets: customs.filter((o) => o.activityEnabled).map((o) => o.name),
  };

  // 3. Fields.
  let fieldCount = 0;
  for (const obj of objects) {
    const target = rng.int(opts.minFields, opts.maxFields);
    obj.fieldTarget = target;
    obj.fields = planFields(obj, target, state, byName);
    fieldCount += obj.fields.length;
  }

  // 4. Child relationships mirror every reference field.
  planChildRelationships(objects, byName);

  return { options: opts, objects, byName, fieldCount };
}

function planFields(
  obj: ObjectPlan,
  target: number,
  state: PlanState,
  byName: ReadonlyMap<string, ObjectPlan>,
): FieldSpec[] {
  const { rng } = state;
  const fields: FieldSpec[] = [idField()];
  const def = STANDARD_OBJECTS.find((d) => d.name === obj.name);
  if (def) {
    fields.push(...def.core(state));
    if (def.owner !== 'none') fields.push(ownerField(def.owner === 'polymorphic'));
  } else {
    if (obj.masters.length === 0) fields.push(ownerField(true));
    fields.push(nameField(obj.autoNumberName ? `${obj.label} Number` : `${obj.label} Name`, obj.autoNumberName));
  }
  fields.push(...systemFields(obj.label));
  if (obj.activityEnabled || obj.name === 'Account' || obj.name === 'Contact' || obj.name === 'Lead') {
    fields.push({
      name: 'LastActivityDate', label: 'Last Activity', type: 'date', custom: false,
      createable: false, updateable: false,
    });
  }

  const ns = obj.namespace ? `${obj.namespace}__` : '';
  let counter = 0;
  const customName = (word: string): string => {
    counter += 1;
    return `${ns}${word}_${counter}__c`;
  };

  // Master-detail fields.
  obj.masters.forEach((master, order) => {
    const parent = byName.get(master) as ObjectPlan;
    const name = customName(parent.base);
    fields.push({
      name, label: parent.label, type: 'reference', referenceTo: [master],
      relationshipName: name.replace(/__c$/, '__r'), relationshipOrder: order,
      cascadeDelete: true, nillable: false, updateable: rng.chance(0.2),
      writeRequiresMasterRead: rng.chance(0.5),
    });
  });
  // Lookups.
  for (const lookup of obj.lookups) {
    const parent = byName.get(lookup) as ObjectPlan;
    const name = customName(parent.base);
    const filtered = rng.chance(0.05);
    fields.push({
      name, label: lookup === obj.name ? `Parent ${obj.label}` : parent.label, type: 'reference',
      referenceTo: [lookup], relationshipName: name.replace(/__c$/, '__r'),
      restrictedDelete: rng.chance(0.1),
      filteredLookupInfo: filtered ? { controllingFields: [], dependent: false, optionalFilter: rng.chance(0.5) } : null,
    });
  }
  // Roll-up summaries over detail objects.
  for (const detail of obj.details.slice(0, 3)) {
    if (fields.length >= target - 1 || !rng.chance(0.6)) continue;
    const detailPlan = byName.get(detail) as ObjectPlan;
    const type = rng.pick(['double', 'currency'] as const);
    fields.push({
      name: customName(`Total_${detailPlan.base}`), label: `Total ${detailPlan.labelPlural}`, type,
      calculated: true, calculatedFormula: null, createable: false, updateable: false,
      precision: 18, scale: type === 'currency' ? 2 : 0,
    });
  }
  // Identifier hazards: a few objects get keyword / prototype-member field names.
  if (rng.chance(0.08)) {
    for (const base of rng.sample(HAZARD_FIELD_BASES, rng.int(1, 4))) {
      if (fields.length >= target) break;
      fields.push(withCommon(rng, { name: `${ns}${base}__c`, label: base, type: 'string', length: rng.pick([40, 80, 255]) }));
    }
  }

  // Controllers available for dependent picklists.
  const controllers: FieldSpec[] = [];
  const numericNames: string[] = [];
  while (fields.length < target) {
    const room = target - fields.length;
    const kind = rng.weighted({
      text: 18, textarea: 4, longtext: 3, richtext: 2, email: 3, phone: 3, url: 3,
      picklist: 6, openPicklist: 5, multipicklist: 3, dependent: 3, boolean: 8, number: 8,
      currency: 5, percent: 3, date: 5, datetime: 5, time: 1, formula: 6, encrypted: 1,
      geolocation: 1, externalId: 1,
    });
    const word = rng.pick(FIELD_WORDS);
    const name = customName(word);
    const label = rng.chance(0.08) ? rng.pick(UNICODE_LABELS) : `${titleCase(word)} ${counter}`;
    let spec: FieldSpec;
    switch (kind) {
      case 'text':
        spec = { name, label, type: 'string', length: rng.pick([20, 40, 80, 100, 255]), nillable: !rng.chance(0.05) };
        break;
      case 'textarea':
        spec = { name, label, type: 'textarea', length: 255 };
        break;
      case 'longtext':
        spec = { name, label, type: 'textarea', length: rng.pick([1000, 32768, 131072]), extraTypeInfo: 'plaintextarea' };
        break;
      case 'richtext':
        spec = { name, label, type: 'textarea', length: 32768, extraTypeInfo: 'richtextarea', htmlFormatted: true };
        break;
      case 'email': case 'phone': case 'url':
        spec = { name, label, type: kind };
        break;
      case 'picklist': case 'openPicklist': case 'multipicklist': {
        const values = picklistValues(rng, rng.int(2, kind === 'multipicklist' ? 12 : 30));
        spec = {
          name, label, type: kind === 'multipicklist' ? 'multipicklist' : 'picklist',
          picklistValues: values, restrictedPicklist: kind === 'picklist' || (kind === 'multipicklist' && rng.chance(0.5)),
        };
        if (values.some((v) => v.defaultValue)) spec.defaultedOnCreate = true;
        if (kind !== 'multipicklist') controllers.push(spec);
        break;
      }
      case 'dependent': {
        const useCheckbox = controllers.length === 0 || rng.chance(0.2);
        let controller: FieldSpec;
        if (useCheckbox) {
          controller = { name, label, type: 'boolean' };
          fields.push(withCommon(rng, controller));
          if (fields.length >= target) continue;
          controller = fields[fields.length - 1] as FieldSpec;
        } else {
          controller = rng.pick(controllers);
        }
        const controllerSize = controller.type === 'boolean' ? 2 : (controller.picklistValues ?? []).length;
        const values = picklistValues(rng, rng.int(2, 20)).map((v) => ({
          ...v,
          validFor: encodeValidFor(
            rng.sample(Array.from({ length: controllerSize }, (_, i) => i), rng.int(0, controllerSize)).sort((a, b) => a - b),
            controllerSize,
          ),
        }));
        const depName = useCheckbox ? customName(word) : name;
        spec = {
          name: depName, label: `${label} (dependent)`, type: 'picklist', picklistValues: values,
          restrictedPicklist: rng.chance(0.7), dependentPicklist: true, controllerName: controller.name,
        };
        break;
      }
      case 'boolean':
        spec = { name, label, type: 'boolean', defaultValue: rng.chance(0.2) };
        break;
      case 'number': case 'currency': case 'percent': {
        const type = kind === 'number' ? 'double' : kind;
        const scale = rng.pick([0, 0, 2, 2, 4]);
        const precision = rng.pick([3, 5, 10, 16, 18]);
        spec = { name, label, type, precision: Math.max(precision, scale + 1), scale, nillable: !rng.chance(0.03) };
        if (rng.chance(0.1)) Object.assign(spec, { defaultValueFormula: '0', defaultedOnCreate: true });
        numericNames.push(name);
        break;
      }
      case 'date': case 'datetime': case 'time':
        spec = { name, label, type: kind };
        break;
      case 'formula':
        spec = formulaField(rng, name, label, numericNames);
        break;
      case 'encrypted':
        spec = {
          name, label, type: 'encryptedstring', length: 175, encrypted: true, mask: rng.pick(MASKS),
          maskType: rng.pick(['asterisk', 'X']), filterable: false, sortable: false, groupable: false,
        };
        break;
      case 'geolocation': {
        if (room < 3) continue;
        const base = name.replace(/__c$/, '');
        const scale = rng.int(2, 8);
        fields.push(withCommon(rng, { name, label, type: 'location', displayLocationInDecimal: rng.chance(0.5), scale }));
        for (const part of ['Latitude', 'Longitude'] as const) {
          fields.push({
            name: `${base}__${part}__s`, label: `${label} (${part})`, type: 'double',
            precision: 18, scale, compoundFieldName: name,
          });
        }
        continue;
      }
      case 'externalId':
        spec = {
          name, label, type: 'string', length: rng.pick([18, 40, 80, 255]), externalId: true, idLookup: true,
          unique: rng.chance(0.7), caseSensitive: rng.chance(0.3),
        };
        break;
    }
    fields.push(withCommon(rng, spec));
  }
  return fields;
}

/** Help text on about a fifth of the custom fields. */
function withCommon(rng: Rng, spec: FieldSpec): FieldSpec {
  if (rng.chance(0.2)) spec.inlineHelpText = rng.pick(HELP_TEXTS);
  return spec;
}

function picklistValues(rng: Rng, count: number): PicklistEntry[] {
  const values: PicklistEntry[] = [];
  const seen = new Set<string>();
  const hazard = rng.chance(0.05);
  if (hazard) {
    for (const value of rng.sample(HAZARD_PICKLIST_VALUES, rng.int(1, 3))) {
      seen.add(value);
      values.push(pv(value, value));
    }
  }
  let guard = 0;
  while (values.length < count && guard < 1000) {
    guard += 1;
    const word = rng.pick(PICKLIST_WORDS);
    const value = seen.has(word) ? `${word} ${values.length + 1}` : word;
    if (seen.has(value)) continue;
    seen.add(value);
    const label = rng.chance(0.1) ? `${value} (${rng.pick(UNICODE_LABELS)})` : value;
    values.push(pv(value, label, { active: !rng.chance(0.05) }));
  }
  if (rng.chance(0.2) && values[0]) values[0] = { ...values[0], defaultValue: true, active: true };
  return values;
}

function formulaField(rng: Rng, name: string, label: string, numericNames: readonly string[]): FieldSpec {
  const num = numericNames.length > 0 ? rng.pick(numericNames) : null;
  const kind = rng.weighted({ double: 3, currency: 2, percent: 1, string: 3, boolean: 2, date: 2, datetime: 1, image: 1 });
  const common = {
    name, label, calculated: true, createable: false, updateable: false,
    defaultedOnCreate: false, nillable: true,
  } as const;
  switch (kind) {
    case 'double': case 'currency': case 'percent':
      return {
        ...common, type: kind, precision: 18, scale: 2, formulaTreatNullNumberAsZero: rng.chance(0.5),
        calculatedFormula: num ? `${num} * ${rng.int(2, 9)}` : `${rng.int(1, 100)} / 3`,
      };
    case 'string':
      return {
        ...common, type: 'string', length: 3900,
        calculatedFormula: num ? `IF(${num} > 100, "Large", "Small")` : 'TEXT(CreatedDate)',
      };
    case 'boolean':
      return {
        ...common, type: 'boolean', nillable: false,
        calculatedFormula: num ? `${num} > ${rng.int(0, 1000)}` : 'ISBLANK(Name)',
      };
    case 'date':
      return { ...common, type: 'date', calculatedFormula: `DATEVALUE(CreatedDate) + ${rng.int(1, 90)}` };
    case 'datetime':
      return { ...common, type: 'datetime', calculatedFormula: 'LastModifiedDate + 1' };
    case 'image':
      return {
        ...common, type: 'string', length: 3900, extraTypeInfo: 'imageurl',
        calculatedFormula: 'IMAGE("/img/samples/flag_green.gif", "green", 16, 16)',
      };
  }
  throw new Error(`synthetic org: unknown formula kind ${String(kind)}`);
}

function childBaseName(child: ObjectPlan): string {
  return `${child.namespace ? `${child.namespace}__` : ''}${child.base}s`;
}

function planChildRelationships(objects: readonly ObjectPlan[], byName: ReadonlyMap<string, ObjectPlan>): void {
  const namesByParent = new Map<string, Set<string>>();
  for (const child of objects) {
    for (const field of child.fields) {
      if (field.type !== 'reference') continue;
      for (const parentName of field.referenceTo ?? []) {
        const parent = byName.get(parentName);
        if (!parent) continue;
        const used = namesByParent.get(parentName) ?? new Set<string>();
        namesByParent.set(parentName, used);
        const relationshipName = childRelationshipName(child, field, used);
        if (relationshipName) used.add(relationshipName.toLowerCase());
        parent.children.push({
          cascadeDelete: field.cascadeDelete === true,
          childSObject: child.name,
          deprecatedAndHidden: false,
          field: field.name,
          junctionIdListNames: [],
          junctionReferenceTo: [],
          relationshipName,
          restrictedDelete: field.restrictedDelete === true,
        });
      }
    }
  }
  for (const obj of objects) {
    obj.children.sort((a, b) => cmp(a.childSObject, b.childSObject) || cmp(a.field, b.field));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function childRelationshipName(child: ObjectPlan, field: FieldSpec, used: ReadonlySet<string>): string | null {
  const unique = (candidate: string, suffix: string): string => {
    let name = `${candidate}${suffix}`;
    for (let n = 2; used.has(name.toLowerCase()); n += 1) name = `${candidate}${n}${suffix}`;
    return name;
  };
  if (!child.custom) {
    switch (`${child.name}.${field.name}`) {
      case 'Contact.AccountId': return unique('Contacts', '');
      case 'Account.ParentId': return unique('ChildAccounts', '');
      case 'Contact.ReportsToId': return null;
      case 'Task.WhatId': case 'Task.WhoId': return unique('Tasks', '');
      case 'User.ManagerId': return unique('ManagedUsers', '');
      default: break;
    }
    // System references (CreatedById, OwnerId, MasterRecordId, Task.AccountId...) open no subquery.
    if (field.custom === false) return null;
  }
  if (field.custom === false) return null;
  return unique(childBaseName(child), '__r');
}

// ---------------------------------------------------------------------------------------------
// Expansion
// ---------------------------------------------------------------------------------------------

/** The full describe of one planned object (what `GET /sobjects/<Name>/describe` returns). */
export function describeObject(plan: SyntheticOrgPlan, name: string): SObjectDescribe {
  const obj = plan.byName.get(name);
  if (!obj) throw new Error(`synthetic org: no object named ${name}`);
  const v = plan.options.apiVersion;
  const base = `/services/data/v${v}/sobjects/${obj.name}`;
  const describe: SObjectDescribe = {
    actionOverrides: [],
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    childRelationships: obj.children,
    compactLayoutable: true,
    createable: true,
    custom: obj.custom,
    customSetting: false,
    deepCloneable: false,
    defaultImplementation: null,
    deletable: true,
    deprecatedAndHidden: false,
    extendedBy: null,
    extendsInterfaces: null,
    feedEnabled: obj.name === 'Account' || obj.name === 'Contact',
    fields: obj.fields.map(expandField),
    hasSubtypes: false,
    implementedBy: null,
    implementsInterfaces: null,
    isInterface: false,
    isSubtype: false,
    keyPrefix: obj.keyPrefix,
    label: obj.label,
    labelPlural: obj.labelPlural,
    layoutable: true,
    listviewable: null,
    lookupLayoutable: null,
    mergeable: obj.name === 'Account' || obj.name === 'Contact' || obj.name === 'Lead',
    mruEnabled: true,
    name: obj.name,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    queryable: true,
    recordTypeInfos: [{
      active: true, available: true, defaultRecordTypeMapping: true, developerName: 'Master',
      master: true, name: 'Master', recordTypeId: '012000000000000AAA',
      urls: { layout: `${base}/describe/layouts/012000000000000AAA` },
    }],
    replicateable: true,
    retrieveable: true,
    searchLayoutable: true,
    searchable: true,
    sobjectDescribeOption: 'FULL',
    supportedScopes: obj.masters.length > 0
      ? [{ label: `All ${obj.labelPlural}`, name: 'everything' }]
      : [{ label: `All ${obj.labelPlural}`, name: 'everything' }, { label: `My ${obj.labelPlural}`, name: 'mine' }],
    triggerable: true,
    undeletable: true,
    updateable: true,
    urls: {
      compactLayouts: `${base}/describe/compactLayouts`,
      rowTemplate: `${base}/{ID}`,
      approvalLayouts: `${base}/describe/approvalLayouts`,
      uiDetailTemplate: 'https://synthetic-org.my.salesforce.com/{ID}',
      uiEditTemplate: 'https://synthetic-org.my.salesforce.com/{ID}/e',
      defaultValues: `${base}/defaultValues?recordTypeId&fields`,
      listviews: `${base}/listviews`,
      describe: `${base}/describe`,
      uiNewRecord: `https://synthetic-org.my.salesforce.com/${obj.keyPrefix}/e`,
      quickActions: `${base}/quickActions`,
      layouts: `${base}/describe/layouts`,
      sobject: base,
    },
  };
  return describe;
}

/** The global describe (`GET /sobjects`) of the planned org, sorted by name. */
export function globalDescribe(plan: SyntheticOrgPlan): GlobalDescribe {
  const v = plan.options.apiVersion;
  const sobjects = plan.objects
    .map((obj): GlobalDescribeEntry => {
      const base = `/services/data/v${v}/sobjects/${obj.name}`;
      return {
        activateable: false, associateEntityType: null, associateParentEntity: null,
        createable: true, custom: obj.custom, customSetting: false, deepCloneable: false,
        deletable: true, deprecatedAndHidden: false,
        feedEnabled: obj.name === 'Account' || obj.name === 'Contact', hasSubtypes: false,
        isInterface: false, isSubtype: false, keyPrefix: obj.keyPrefix, label: obj.label,
        labelPlural: obj.labelPlural, layoutable: true,
        mergeable: obj.name === 'Account' || obj.name === 'Contact' || obj.name === 'Lead',
        mruEnabled: true, name: obj.name, queryable: true, replicateable: true,
        retrieveable: true, searchable: true, triggerable: true, undeletable: true,
        updateable: true,
        urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
      };
    })
    .sort((a, b) => cmp(a.name, b.name));
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

export interface SyntheticOrgSummary {
  readonly dir: string;
  readonly objects: number;
  readonly fields: number;
  readonly minFieldsPerObject: number;
  readonly maxFieldsPerObject: number;
  readonly referenceFields: number;
  readonly describeBytes: number;
}

/**
 * Writes the synthetic org as a metadata directory (`sobjects.json`, `sobjects/<Name>.json`),
 * one describe at a time. `dir` must not exist or be empty.
 *
 * @example
 * await writeSyntheticOrg('/tmp/org', { objectCount: 50 });
 */
export async function writeSyntheticOrg(dir: string, options: SyntheticOrgOptions = {}): Promise<SyntheticOrgSummary> {
  const plan = planSyntheticOrg(options);
  await mkdir(join(dir, 'sobjects'), { recursive: true });
  let bytes = 0;
  let referenceFields = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const obj of plan.objects) {
    const text = JSON.stringify(describeObject(plan, obj.name));
    bytes += Buffer.byteLength(text);
    await writeFile(join(dir, 'sobjects', `${obj.name}.json`), text);
    min = Math.min(min, obj.fields.length);
    max = Math.max(max, obj.fields.length);
    referenceFields += obj.fields.filter((f) => f.type === 'reference').length;
  }
  await writeFile(join(dir, 'sobjects.json'), JSON.stringify(globalDescribe(plan)));
  const summary: SyntheticOrgSummary = {
    dir, objects: plan.objects.length, fields: plan.fieldCount, minFieldsPerObject: min,
    maxFieldsPerObject: max, referenceFields, describeBytes: bytes,
  };
  await writeFile(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

let sourceHash: string | undefined;
async function generatorSourceHash(): Promise<string> {
  if (sourceHash) return sourceHash;
  const hash = createHash('sha256');
  for (const file of ['synthetic-org.ts', 'prng.ts']) {
    hash.update(await readFile(fileURLToPath(new URL(`./${file}`, import.meta.url))));
  }
  sourceHash = hash.digest('hex').slice(0, 12);
  return sourceHash;
}

/**
 * Returns the directory of the synthetic org under `cacheRoot`, building it first unless a
 * complete copy made by the same source and options exists. Stale copies are removed.
 *
 * @example
 * const dir = await ensureSyntheticOrg('test/bench/.tmp');
 */
export async function ensureSyntheticOrg(
  cacheRoot: string,
  options: SyntheticOrgOptions = {},
): Promise<{ dir: string; summary: SyntheticOrgSummary; built: boolean }> {
  const opts = resolveSyntheticOrgOptions(options);
  const key = createHash('sha256')
    .update(await generatorSourceHash())
    .update(JSON.stringify(opts))
    .digest('hex')
    .slice(0, 12);
  const prefix = `synthetic-org-${opts.objectCount}-`;
  const dir = join(cacheRoot, `${prefix}${key}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) {
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SyntheticOrgSummary;
    return { dir, summary: { ...summary, dir }, built: false };
  }
  await mkdir(cacheRoot, { recursive: true });
  for (const entry of await readdir(cacheRoot)) {
    if (entry.startsWith(prefix)) await rm(join(cacheRoot, entry), { recursive: true, force: true });
  }
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  const summary = await writeSyntheticOrg(partial, opts);
  await writeFile(join(partial, '.complete'), `${new Date().toISOString()}\n`);
  await rename(partial, dir);
  return { dir, summary: { ...summary, dir }, built: true };
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/** An 18-character Salesforce id from a key prefix and a sequence number. */
export function syntheticId(keyPrefix: string, sequence: number): string {
  let body = '';
  let n = sequence;
  for (let i = 0; i < 9; i += 1) {
    body = (BASE62[n % 62] ?? '0') + body;
    n = Math.floor(n / 62);
  }
  const id15 = `${keyPrefix}000${body}`;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += alphabet[bits];
  }
  return id15 + suffix;
}

function recordValue(field: FieldDescribe, seq: number, rng: Rng, ids: (object: string, seq: number) => string | null): unknown {
  if (field.calculated || field.type === 'address' || field.type === 'location') return undefined;
  // A seed record marked deleted would go to the recycle bin; these are all live.
  if (field.name === 'IsDeleted') return false;
  if (field.nillable && field.type !== 'boolean' && rng.chance(0.15)) return null;
  switch (field.type) {
    case 'id': return undefined;
    case 'boolean': return rng.chance(0.5);
    case 'string': case 'textarea': case 'combobox': case 'encryptedstring': {
      const text = `${field.label} ${seq}`;
      return field.autoNumber ? `A-${String(seq).padStart(6, '0')}` : text.slice(0, Math.max(1, Math.min(field.length, 80)));
    }
    case 'email': return `user${seq}@example.com`;
    case 'phone': return `+1 555 ${String(1000 + (seq % 9000))}`;
    case 'url': return `https://example.com/${seq}`;
    case 'picklist': {
      const active = field.picklistValues.filter((v) => v.active);
      return active.length > 0 ? rng.pick(active).value : null;
    }
    case 'multipicklist': {
      const active = field.picklistValues.filter((v) => v.active);
      return active.length > 0 ? rng.sample(active, rng.int(1, Math.min(3, active.length))).map((v) => v.value).join(';') : null;
    }
    case 'int': return rng.int(0, 100_000);
    case 'double': case 'currency': case 'percent': {
      const maxInt = 10 ** Math.min(field.precision - field.scale, 9) - 1;
      return Number((rng.next() * maxInt).toFixed(field.scale));
    }
    case 'date': return `20${String(rng.int(10, 29))}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
    case 'datetime': return `20${String(rng.int(10, 29))}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}T${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00.000+0000`;
    case 'time': return `${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00.000Z`;
    case 'reference': {
      const target = field.referenceTo.includes('User') ? 'User' : field.referenceTo[0];
      return target === undefined ? null : ids(target, rng.int(0, 9));
    }
  }
  return undefined;
}

/**
 * Streams `count` synthetic records of `object` to `<dir>/records/<object>.json` (a JSON array of
 * records keyed by field API name with an `Id`), reading the object's describe from
 * `<dir>/sobjects/<object>.json`. Values respect each field's type, length and picklist values;
 * references point at ids `<parent prefix>000…` with sequence 0–9 (seed those parents too if the
 * simulator must resolve them). Deterministic for a given (object, count, seed).
 * `fields` limits the record to `Id` plus the named fields (wide objects make large files:
 * a 400-field record is several KB).
 *
 * @example
 * await writeSyntheticRecords(orgDir, 'Account', 500_000, { fields: ['Name', 'Industry', 'AnnualRevenue'] });
 */
export async function writeSyntheticRecords(
  dir: string,
  object: string,
  count: number,
  options: { seed?: number; file?: string; fields?: readonly string[] } = {},
): Promise<{ file: string; records: number; bytes: number }> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`writeSyntheticRecords: count must be a non-negative integer, got ${count}`);
  const describePath = join(dir, 'sobjects', `${object}.json`);
  let describe: SObjectDescribe;
  try {
    describe = JSON.parse(await readFile(describePath, 'utf8')) as SObjectDescribe;
  } catch (error) {
    throw new Error(`writeSyntheticRecords: cannot read the describe of ${object} at ${describePath}: ${(error as Error).message}`);
  }
  const global = JSON.parse(await readFile(join(dir, 'sobjects.json'), 'utf8')) as GlobalDescribe;
  const prefixes = new Map(global.sobjects.map((s) => [s.name, s.keyPrefix] as const));
  const ids = (target: string, seq: number): string | null => {
    const prefix = prefixes.get(target);
    return prefix ? syntheticId(prefix, seq) : null;
  };
  const keyPrefix = describe.keyPrefix ?? '000';
  let fields = describe.fields;
  if (options.fields) {
    const byName = new Map(describe.fields.map((f) => [f.name, f] as const));
    fields = options.fields.map((name) => {
      const field = byName.get(name);
      if (!field) throw new Error(`writeSyntheticRecords: ${object} has no field ${name} (${describePath})`);
      return field;
    });
  }
  const rng = createRng((options.seed ?? DEFAULT_SYNTHETIC_ORG.seed) ^ hashString(object));
  const file = options.file ?? join(dir, 'records', `${object}.json`);
  await mkdir(join(file, '..'), { recursive: true });
  const out = createWriteStream(file, { encoding: 'utf8' });
  let bytes = 0;
  const write = async (chunk: string): Promise<void> => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    await write('[');
    for (let seq = 0; seq < count; seq += 1) {
      const record: Record<string, unknown> = { Id: syntheticId(keyPrefix, seq) };
      for (const field of fields) {
        const value = recordValue(field, seq, rng, ids);
        if (value !== undefined) record[field.name] = value;
      }
      await write(`${seq === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`);
    }
    await write('\n]\n');
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { file, records: count, bytes };
}

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Reads a metadata directory's describe back (for tests and suites). */
export async function readDescribe(dir: string, object: string): Promise<SObjectDescribe> {
  return JSON.parse(await readFile(join(dir, 'sobjects', `${object}.json`), 'utf8')) as SObjectDescribe;
}
