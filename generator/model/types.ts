/**
 * The normalized org model: what the metadata stage's raw describes and Avro schemas become, and
 * what every emitter, the drift check and SOQL lint read. Pure data, readonly, JSON-serializable:
 * its JSON form (see `snapshot.ts`) is the schema snapshot written next to the generated code.
 *
 * Determinism: objects sorted by name, fields sorted by name, picklist values in describe order
 * (the order is meaningful: `validFor` indexes into the controller's values), child relationships
 * sorted by (relationshipName, childSObject, field).
 */
import type { FieldType } from 'sfgen/tooling';

export type { FieldType };

/** Version of the model's JSON form; bump when its shape changes incompatibly. */
export const MODEL_FORMAT_VERSION = 1;

export interface OrgModel {
  readonly formatVersion: typeof MODEL_FORMAT_VERSION;
  /** The sfgen version that wrote it. */
  readonly generatorVersion: string;
  /** API version the describes were read with, e.g. `'60.0'`. */
  readonly apiVersion: string;
  /** 18-char org id when known (live org), otherwise null. */
  readonly orgId: string | null;
  readonly objects: readonly ObjectModel[];
  readonly events: readonly EventModel[];
}

/** What an sObject is, from its suffix and `associateEntityType`. */
export type ObjectKind =
  | 'standard'
  | 'custom'
  | 'platformEvent'
  | 'changeEvent'
  | 'customMetadata'
  | 'customSetting'
  | 'externalObject'
  | 'bigObject'
  | 'history'
  | 'share'
  | 'feed';

export interface ObjectModel {
  readonly name: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly kind: ObjectKind;
  readonly custom: boolean;
  /** Namespace prefix (`acme` for `acme__Widget__c`), or null. */
  readonly namespace: string | null;
  readonly keyPrefix: string | null;
  readonly queryable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  readonly undeletable: boolean;
  readonly searchable: boolean;
  readonly retrieveable: boolean;
  readonly triggerable: boolean;
  /** For History/Share/Feed/ChangeEvent companions: the base object. */
  readonly associateParentEntity: string | null;
  readonly fields: readonly FieldModel[];
  readonly childRelationships: readonly ChildRelationshipModel[];
  readonly recordTypes: readonly RecordTypeModel[];
}

export interface FieldModel {
  readonly name: string;
  readonly label: string;
  /** `inlineHelpText`, or null. */
  readonly helpText: string | null;
  readonly type: FieldType;
  readonly custom: boolean;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly groupable: boolean;
  readonly aggregatable: boolean;
  readonly defaultedOnCreate: boolean;
  /** `createable && !nillable && !defaultedOnCreate`. */
  readonly requiredOnCreate: boolean;
  /** Literal default (`defaultValue`), or null. Booleans carry a JSON boolean. */
  readonly defaultValue: string | number | boolean | null;
  /** Formula source of the default (`defaultValueFormula`), never evaluated. */
  readonly defaultValueFormula: string | null;
  readonly externalId: boolean;
  readonly idLookup: boolean;
  readonly unique: boolean;
  readonly caseSensitive: boolean;
  readonly autoNumber: boolean;
  /** `formula` (calculated with a formula), `rollup` (calculated without one), or null. */
  readonly calculated: 'formula' | 'rollup' | null;
  readonly formula: string | null;
  readonly encrypted: boolean;
  readonly htmlFormatted: boolean;
  readonly nameField: boolean;
  readonly deprecatedAndHidden: boolean;
  readonly length: number;
  readonly byteLength: number;
  readonly precision: number;
  readonly scale: number;
  readonly digits: number;
  readonly extraTypeInfo: string | null;
  /** Set on components of a compound field (`BillingCity` -> `BillingAddress`). */
  readonly compoundFieldName: string | null;
  readonly picklist: PicklistModel | null;
  readonly reference: ReferenceModel | null;
}

export interface PicklistModel {
  /** `restrictedPicklist`: the API rejects values outside the list. */
  readonly restricted: boolean;
  /** `dependentPicklist`: values depend on `controllerName`. */
  readonly dependent: boolean;
  readonly controllerName: string | null;
  /** Values in describe order, inactive ones included (flagged). */
  readonly values: readonly PicklistValueModel[];
}

export interface PicklistValueModel {
  readonly value: string;
  readonly label: string;
  readonly active: boolean;
  readonly defaultValue: boolean;
  /** Decoded `validFor`: indexes into the controller's values (checkbox: 0 false, 1 true); null if independent. */
  readonly validFor: readonly number[] | null;
}

export interface ReferenceModel {
  /** Target objects, sorted; more than one for polymorphic references. */
  readonly referenceTo: readonly string[];
  /** Parent relationship name (`Owner`), or null when the field opens none. */
  readonly relationshipName: string | null;
  readonly polymorphic: boolean;
  /** Master-detail (`relationshipOrder` not null, `cascadeDelete`). */
  readonly masterDetail: boolean;
  readonly relationshipOrder: number | null;
  readonly cascadeDelete: boolean;
  readonly restrictedDelete: boolean;
  /** Indirect lookups on external objects: the parent field matched against. */
  readonly referenceTargetField: string | null;
}

export interface ChildRelationshipModel {
  /** Subquery name, or null when the child cannot be reached in a subquery. */
  readonly relationshipName: string | null;
  readonly childSObject: string;
  readonly field: string;
  readonly cascadeDelete: boolean;
  readonly restrictedDelete: boolean;
}

export interface RecordTypeModel {
  readonly developerName: string;
  readonly name: string;
  readonly recordTypeId: string;
  readonly active: boolean;
  readonly master: boolean;
}

/** A platform event or change event topic with its Avro schema. */
export interface EventModel {
  /** `Order_Event__e`, `AccountChangeEvent`. */
  readonly name: string;
  /** `/event/Order_Event__e`, `/data/AccountChangeEvent`. */
  readonly topic: string;
  readonly kind: 'platformEvent' | 'changeEvent';
  /** Fingerprint of the schema (Salesforce's schema id when known). */
  readonly schemaId: string;
  /** The Avro schema JSON as Salesforce returns it, canonically re-serialized. */
  readonly schema: unknown;
}
