/**
 * The contract between the simulator's HTTP layer (which owns the data) and its SOQL query engine
 * (which evaluates parsed queries against it). Records hold field values only, keyed by exact API
 * name; relationship objects are resolved by the engine through reference ids.
 */

/** The subset of a field describe the simulator relies on (the full JSON is kept as loaded). */
export interface SimField {
  readonly name: string;
  readonly type: string;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly groupable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly length: number;
  readonly precision: number;
  readonly scale: number;
  readonly referenceTo: readonly string[];
  readonly relationshipName: string | null;
  readonly restrictedPicklist: boolean;
  readonly picklistValues: readonly { readonly value: string; readonly active: boolean }[];
  readonly [property: string]: unknown;
}

/** The subset of an sObject describe the simulator relies on. */
export interface SimDescribe {
  readonly name: string;
  readonly keyPrefix: string | null;
  readonly queryable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  readonly fields: readonly SimField[];
  readonly childRelationships: readonly {
    readonly childSObject: string;
    readonly field: string;
    readonly relationshipName: string | null;
  }[];
  readonly [property: string]: unknown;
}

/** One stored record: `Id` plus field values keyed by exact API name. */
export interface SimRecord {
  readonly Id: string;
  readonly [field: string]: unknown;
}

/** Read access to the simulated org, for the query engine. Name lookups are case-insensitive. */
export interface OrgStore {
  /** All sObject names, in the case the describes use. */
  objectNames(): readonly string[];
  describe(sobject: string): SimDescribe | undefined;
  /** Live records of an sObject, in insertion order. */
  records(sobject: string): readonly SimRecord[];
  /** Deleted (recycle bin) records of an sObject, for queryAll. */
  deletedRecords(sobject: string): readonly SimRecord[];
  /** A live record by 15- or 18-char id, with its sObject name. */
  findById(id: string): { readonly sobject: string; readonly record: SimRecord } | undefined;
}
