/**
 * What a drift check reports: one {@link Change} per difference between the schema snapshot and
 * the source (live org or metadata directory), with its severity class and, once usage has been
 * applied, where the codebase uses what changed.
 */

/** How bad a change is, from worst to harmless. */
export type ChangeClass = 'breaking' | 'dangerous' | 'safe';

/** Ordered from worst to harmless. */
export const CHANGE_CLASSES: readonly ChangeClass[] = ['breaking', 'dangerous', 'safe'];

/** Rank of a class: 2 breaking, 1 dangerous, 0 safe. */
export function classRank(cls: ChangeClass): number {
  return cls === 'breaking' ? 2 : cls === 'dangerous' ? 1 : 0;
}

/** Every kind of change the check tells apart. */
export type ChangeKind =
  // objects
  | 'object-removed'
  | 'object-added'
  | 'object-not-accessible'
  | 'object-not-createable'
  | 'object-not-updateable'
  | 'object-not-deletable'
  | 'object-property-changed'
  | 'child-relationship-removed'
  | 'child-relationship-renamed'
  | 'child-relationship-added'
  | 'record-type-removed'
  | 'record-type-deactivated'
  | 'record-type-added'
  | 'record-type-changed'
  // fields
  | 'field-removed'
  | 'field-added'
  | 'field-added-required'
  | 'field-not-accessible'
  | 'type-changed'
  | 'field-not-createable'
  | 'field-not-updateable'
  | 'field-not-filterable'
  | 'field-not-sortable'
  | 'field-not-groupable'
  | 'field-now-required'
  | 'field-now-nillable'
  | 'external-id-removed'
  | 'field-now-unique'
  | 'picklist-value-removed'
  | 'picklist-value-added'
  | 'picklist-now-restricted'
  | 'picklist-now-unrestricted'
  | 'picklist-dependency-changed'
  | 'picklist-value-changed'
  | 'reference-retargeted'
  | 'reference-target-added'
  | 'relationship-renamed'
  | 'length-shrunk'
  | 'precision-shrunk'
  | 'field-encrypted'
  | 'default-removed'
  | 'default-changed'
  | 'label-changed'
  | 'help-text-changed'
  | 'field-property-changed'
  // events
  | 'event-removed'
  | 'event-added'
  | 'event-field-removed'
  | 'event-field-changed'
  | 'event-field-added'
  | 'event-schema-changed';

/** How the codebase can use an object or field. */
export type UsageKind =
  /** The generated module or type is imported. */
  | 'import'
  /** The field is read (property access on a record, SELECT list). */
  | 'read'
  /** The field is written on create (object literal typed by the create payload), or the object is created. */
  | 'create'
  /** The field is written on update, or the object is updated. */
  | 'update'
  /** The object is deleted. */
  | 'delete'
  /** The field is used in a WHERE / HAVING condition. */
  | 'filter'
  /** The field is used in ORDER BY. */
  | 'sort'
  /** The field is used in GROUP BY. */
  | 'group'
  /** A `switch` over the field's value (picklists). */
  | 'switch'
  /** A parent relationship (`Owner.Name`, `record.Owner`) or a child subquery (`FROM Contacts`). */
  | 'relationship';

/** One place in the codebase that uses a generated object or field. */
export interface UsageSite {
  readonly object: string;
  /** Field API name; null when the site uses the object as a whole. */
  readonly field: string | null;
  /** Parent or child relationship name for `relationship` sites. */
  readonly relationship?: string;
  readonly kind: UsageKind;
  /** Path relative to the working directory, with `/` separators. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** For `switch` sites: whether the switch has no `default` clause (exhaustive over the values). */
  readonly exhaustive?: boolean;
}

/**
 * Which usage makes a change matter. A change whose relevant usage is absent from the scanned
 * codebase is downgraded one class (breaking -> dangerous -> safe).
 */
export type Relevance =
  /** Nothing to look for (the change is reported as is). */
  | { readonly scope: 'none' }
  /** Any use of the object (import, field, query). */
  | { readonly scope: 'object'; readonly kinds: readonly UsageKind[] | 'any' }
  /** Uses of one field of the object. */
  | { readonly scope: 'field'; readonly field: string; readonly kinds: readonly UsageKind[] | 'any' }
  /** Uses of a relationship by name (parent `Owner` or child `Contacts`) on the object. */
  | { readonly scope: 'relationship'; readonly relationship: string };

/** One difference between the snapshot and the source. */
export interface Change {
  /** sObject (or event) name. */
  readonly object: string;
  /** Field name; null for object-level changes. */
  readonly field: string | null;
  readonly kind: ChangeKind;
  /** The class from the schema alone, before usage was considered. */
  readonly baseClass: ChangeClass;
  /** The class reported: {@link baseClass}, downgraded when the codebase never uses what changed. */
  readonly class: ChangeClass;
  readonly before: unknown;
  readonly after: unknown;
  /** One sentence for humans. */
  readonly message: string;
  readonly relevance: Relevance;
  /** Where the codebase uses what changed (empty when unused or not scanned). */
  readonly usage: readonly UsageSite[];
  /** True when the class was lowered because the scanned codebase never uses what changed. */
  readonly downgraded: boolean;
  /** Where the object or field is written in the snapshot file (1-based), when known. */
  readonly snapshotLine?: number;
}

/** A change before usage is applied. */
export type RawChange = Omit<Change, 'class' | 'usage' | 'downgraded'>;
