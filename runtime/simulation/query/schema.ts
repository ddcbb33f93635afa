/**
 * What the SOQL validator needs to know about an org, independent of where it comes from: the
 * simulator's describes ({@link schemaFromStore}) or the generator's normalized model (lint).
 */
import type { FieldType } from '../../schema.js';
import type { OrgStore } from '../store-types.js';

export interface QueryField {
  readonly name: string;
  readonly type: FieldType | string;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly groupable: boolean;
  readonly aggregatable: boolean;
  /** Targets of a reference field (several for a polymorphic one); empty otherwise. */
  readonly referenceTo: readonly string[];
  readonly relationshipName: string | null;
  /** The reference resolves through the Name object (`namePointing`, or polymorphic). */
  readonly namePointing?: boolean;
  /** The object's name field (`Name`, `CaseNumber`, `Subject`): what `Name` shows through the Name object. */
  readonly nameField?: boolean;
  /** A custom field (for `FIELDS(CUSTOM)` / `FIELDS(STANDARD)`). */
  readonly custom?: boolean;
  /** Picklist values with labels (for `toLabel`). */
  readonly picklistValues: readonly { readonly value: string; readonly label: string | null }[];
}

export interface QueryChildRelationship {
  readonly relationshipName: string | null;
  readonly childSObject: string;
  readonly field: string;
}

export interface QueryObject {
  readonly name: string;
  readonly queryable: boolean;
  readonly fields: readonly QueryField[];
  readonly childRelationships: readonly QueryChildRelationship[];
}

/** Object lookup by name, case-insensitive. */
export interface QuerySchema {
  object(name: string): QueryObject | undefined;
  /** Every object name (for "did you mean" hints); optional. */
  objectNames?(): readonly string[];
}

/** Case-insensitive indexes over one object, built once per object. */
export class ObjectIndex {
  readonly fields = new Map<string, QueryField>();
  readonly relationships = new Map<string, QueryField>();
  readonly children = new Map<string, QueryChildRelationship>();

  constructor(readonly object: QueryObject) {
    for (const f of object.fields) {
      this.fields.set(f.name.toLowerCase(), f);
      if (f.relationshipName && f.referenceTo.length > 0) this.relationships.set(f.relationshipName.toLowerCase(), f);
    }
    for (const c of object.childRelationships) {
      if (c.relationshipName && !this.children.has(c.relationshipName.toLowerCase())) {
        this.children.set(c.relationshipName.toLowerCase(), c);
      }
    }
  }
}

/** A schema with per-object indexes cached. */
export class IndexedSchema {
  private readonly cache = new Map<string, ObjectIndex | null>();

  constructor(private readonly schema: QuerySchema) {}

  objectNames(): readonly string[] {
    return this.schema.objectNames?.() ?? [];
  }

  index(name: string): ObjectIndex | undefined {
    const key = name.toLowerCase();
    let hit = this.cache.get(key);
    if (hit === undefined) {
      const object = this.schema.object(name);
      hit = object ? new ObjectIndex(object) : null;
      this.cache.set(key, hit);
    }
    return hit ?? undefined;
  }
}

function labelOf(p: object): string | null {
  const label: unknown = (p as Record<string, unknown>).label;
  return typeof label === 'string' ? label : null;
}

const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

/** The simulator's describes as a {@link QuerySchema}. */
export function schemaFromStore(store: OrgStore): QuerySchema {
  return {
    objectNames: () => store.objectNames(),
    object(name) {
      const d = store.describe(name);
      if (d === undefined) return undefined;
      return {
        name: d.name,
        queryable: d.queryable,
        fields: d.fields.map((f) => ({
          name: f.name,
          type: f.type,
          filterable: f.filterable,
          sortable: f.sortable,
          groupable: f.groupable,
          aggregatable: bool(f.aggregatable, true),
          referenceTo: f.referenceTo ?? [],
          relationshipName: f.relationshipName ?? null,
          namePointing: f.namePointing === true || f.polymorphicForeignKey === true,
          nameField: f.nameField === true,
          custom: f.custom === true,
          picklistValues: (f.picklistValues ?? []).map((p) => ({
            value: p.value,
            label: labelOf(p),
          })),
        })),
        childRelationships: d.childRelationships,
      };
    },
  };
}
