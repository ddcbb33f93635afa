/**
 * The contract between generated code and the runtime.
 *
 * The generator emits, per sObject, a type-only declaration file (`generated/types/<Name>.d.ts`,
 * imported as `../types/<Name>.js`) and a value module (`generated/sobjects/<Name>.ts`). The type module declares a {@link SObjectMeta} for the
 * object and registers it in {@link SObjectRegistry} by declaration merging, so that relationships
 * can name their targets (`Owner` -> `'User'`) without importing them: a program only loads the
 * objects it uses, which keeps tsc cheap on an org of 1,500 objects. The value module exports an
 * {@link SObjectType}: the runtime field descriptors plus a zod validator derived from them
 * (`runtime/validation.ts`), annotated with the record type.
 *
 * Nothing here imports a heavy dependency; zod is referenced as a type only (validators are
 * built in `validation.ts`).
 */
import type { ZodType } from 'zod';

/** Every `type` a field describe can carry (SOAP `fieldType` enumeration). */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'combobox'
  | 'encryptedstring'
  | 'picklist'
  | 'multipicklist'
  | 'boolean'
  | 'int'
  | 'long'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'reference'
  | 'base64'
  | 'address'
  | 'location'
  | 'anyType'
  | 'json'
  | 'complexvalue'
  | 'datacategorygroupreference';

/** All field types, for exhaustive checks at run time. */
export const FIELD_TYPES: readonly FieldType[] = [
  'id', 'string', 'textarea', 'email', 'phone', 'url', 'combobox', 'encryptedstring', 'picklist',
  'multipicklist', 'boolean', 'int', 'long', 'double', 'currency', 'percent', 'date', 'datetime',
  'time', 'reference', 'base64', 'address', 'location', 'anyType', 'json', 'complexvalue',
  'datacategorygroupreference',
];

/**
 * A `date` value as Salesforce sends and accepts it: `YYYY-MM-DD`. Records keep Salesforce's
 * strings unchanged (lossless, no time-zone surprises); see `runtime/values.ts` for converters.
 */
export type SfDate = string;
/** A `datetime` value as Salesforce sends it: `2024-05-06T09:15:27.000+0000` (no colon in the offset). */
export type SfDateTime = string;
/** A `time` value as Salesforce sends it: `HH:mm:ss.SSSZ`. */
export type SfTime = string;

/** The value of an `address` compound field (read-only; write its component fields instead). */
export interface SfAddress {
  street: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  stateCode: string | null;
  countryCode: string | null;
  latitude: number | null;
  longitude: number | null;
  geocodeAccuracy: string | null;
}

/** The value of a `location` (geolocation) compound field. */
export interface SfLocation {
  latitude: number | null;
  longitude: number | null;
}

/** The `attributes` key Salesforce puts on every record and nested relationship object. */
export interface RecordAttributes {
  type: string;
  url?: string;
}

/** Runtime description of one field: what the runtime needs to validate, format and query. */
export interface FieldDescriptor {
  readonly type: FieldType;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly groupable: boolean;
  readonly aggregatable: boolean;
  /** Usable as an upsert key (`idLookup`, and `externalId` or the Id). */
  readonly idLookup: boolean;
  readonly externalId: boolean;
  /** Required in a create payload: `createable && !nillable && !defaultedOnCreate`. */
  readonly requiredOnCreate: boolean;
  /** Maximum characters for text types. */
  readonly length?: number;
  /** Total digits and decimals for numbers. */
  readonly precision?: number;
  readonly scale?: number;
  /** Targets of a reference field; more than one for polymorphic references. */
  readonly referenceTo?: readonly string[];
  /** Name of the parent relationship a reference field opens (`Owner`, `acme__Account__r`). */
  readonly relationshipName?: string;
  /**
   * External and indirect lookups: the parent field whose value this field holds (`ExternalId` for
   * an external lookup, the target field of an indirect lookup). Absent when it holds record ids.
   */
  readonly lookupBy?: string;
  /**
   * Active picklist values, and whether the API rejects values outside them. `inactiveValues`
   * (present when there are some) are no longer writable but may still be read from records.
   */
  readonly picklist?: { readonly restricted: boolean; readonly values: readonly string[]; readonly inactiveValues?: readonly string[] };
  /** For a component of a compound field, the compound's name (`BillingAddress`). */
  readonly compoundFieldName?: string;
}

/** Runtime description of one sObject. Field maps are null-prototype objects. */
export interface SObjectDescriptor {
  readonly name: string;
  readonly label: string;
  readonly keyPrefix: string | null;
  readonly queryable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  readonly fields: { readonly [apiName: string]: FieldDescriptor };
  /** Parent relationships by relationship name. */
  readonly parents: {
    readonly [relationshipName: string]: { readonly field: string; readonly referenceTo: readonly string[] };
  };
  /** Child relationships (subquery names) by relationship name. */
  readonly children: {
    readonly [relationshipName: string]: { readonly childSObject: string; readonly field: string };
  };
}

/**
 * The type-level description of one sObject, declared by generated code. Field-level types are
 * keyed by API name (quoted in generated code, so reserved words are safe).
 */
export interface SObjectMeta {
  /** API name, e.g. `'Account'`. */
  readonly name: string;
  /** A record as read: every scalar field, `null` where Salesforce may return null. */
  readonly record: object;
  /** The create payload: createable fields; required ones are not optional. */
  readonly create: object;
  /** The update payload: updateable fields, all optional. */
  readonly update: object;
  /** Field API name -> field type, for typing SOQL operators. */
  readonly kinds: { readonly [field: string]: FieldType };
  /** Parent relationship name -> union of target object names. */
  readonly parents: { readonly [relationship: string]: string };
  /** Parent relationship name -> `true` when the relationship may be absent (nullable lookup). */
  readonly nullableParents: { readonly [relationship: string]: boolean };
  /** Child relationship name -> child object name. */
  readonly children: { readonly [relationship: string]: string };
  /** Union of the fields usable as an upsert key (`never` when there are none). */
  readonly externalIds: string;
  /*
   * What the describe allows. Generated metas always declare these; they are optional so that a
   * hand-written meta (a test schema) without them allows everything. Read them with
   * {@link DeniedFlags} / {@link MetaFields}, never by indexing (an absent member is not `false`).
   */
  /** `queryable` of the describe: `false` for platform events, change events, ... (`selectFrom`/`soql()` refuse them). */
  readonly queryable?: boolean;
  /** `createable` of the describe (`create`, `upsert` refuse `false`). */
  readonly createable?: boolean;
  /** `updateable` of the describe (`update`, `upsert` refuse `false`). */
  readonly updateable?: boolean;
  /** `deletable` of the describe (`delete` refuses `false`). */
  readonly deletable?: boolean;
  /** Union of the fields with `filterable: false` (WHERE refuses them). */
  readonly unfilterable?: string;
  /** Union of the fields with `sortable: false` (ORDER BY refuses them). */
  readonly unsortable?: string;
  /** Union of the fields with `groupable: false` (GROUP BY refuses them). */
  readonly ungroupable?: string;
}

/**
 * Generated code adds one entry per sObject by declaration merging:
 * `declare module 'sfgen/runtime' { interface SObjectRegistry { Account: AccountMeta } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SObjectRegistry {}

/** The names of the sObjects whose types are loaded in this program. */
export type RegisteredSObject = keyof SObjectRegistry & string;

/** What a generated value module exports for one sObject: `import { Account } from '.../sobjects/Account.js'`. */
export interface SObjectType<M extends SObjectMeta = SObjectMeta> {
  readonly name: M['name'];
  readonly descriptor: SObjectDescriptor;
  /** Validates a record as read; unknown keys pass through. */
  readonly validator: ZodType<M['record']>;
  /** Phantom: carries the type-level metadata; always undefined at run time. */
  readonly __meta?: M;
}

/** The metadata type of a generated sObject value. */
export type MetaOf<T> = T extends SObjectType<infer M> ? M : never;
/** A record as read of a generated sObject value. */
export type RecordOf<T> = MetaOf<T>['record'];
/** The create payload of a generated sObject value. */
export type CreateOf<T> = MetaOf<T>['create'];
/** The update payload of a generated sObject value. */
export type UpdateOf<T> = MetaOf<T>['update'];

/** Object-level describe flags a meta may declare false. */
export type ObjectFlag = 'queryable' | 'createable' | 'updateable' | 'deletable';

/** The flags among `F` that meta `M` declares `false` (`never` when the describe allows them all). */
export type DeniedFlags<M, F extends ObjectFlag> = F extends ObjectFlag ? (M extends { readonly [K in F]: false } ? F : never) : never;

/** The fields meta `M` declares in `F` (`never` when it declares none). */
export type MetaFields<M, F extends 'unfilterable' | 'unsortable' | 'ungroupable'> = M extends { readonly [K in F]: infer U extends string } ? U : never;

/**
 * `X` when the describe of `M` allows an operation (no flag of `F` is declared `false`), else a
 * message naming the operation, the object and the flag, so that a parameter typed with it fails
 * to compile with that message (`"create is not allowed: AccountHistory is not createable (describe)"`).
 */
export type IfAllowed<M, F extends ObjectFlag, X, Operation extends string> = [DeniedFlags<M, F>] extends [never]
  ? X
  : `${Operation} is not allowed: ${M extends { readonly name: infer N extends string } ? N : 'the object'} is not ${DeniedFlags<M, F>} (describe)`;

/** Used by generated value modules; freezes the descriptor and ties it to its metadata type. */
export function defineSObject<M extends SObjectMeta>(
  descriptor: SObjectDescriptor,
  validator: ZodType<M['record']>,
): SObjectType<M> {
  return Object.freeze({ name: descriptor.name as M['name'], descriptor, validator });
}

/**
 * A query whose result rows are typed: what the SOQL builder and checked `soql` strings produce and
 * what `client.query()` accepts. `R` is the row type; it exists only at the type level.
 */
export interface TypedQuery<R> {
  /** The SOQL text sent to Salesforce. */
  toSoql(): string;
  /** Phantom: the row type; always undefined at run time. */
  readonly __row?: R;
}

/** The row type of a typed query. */
export type RowOf<Q> = Q extends TypedQuery<infer R> ? R : never;
