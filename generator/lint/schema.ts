/**
 * The normalized org model (the schema snapshot's content) as the query validator's schema.
 */
import type { OrgModel } from '../model/types.js';
import type { QueryObject, QuerySchema } from 'sfgen/tooling';

/**
 * A {@link QuerySchema} over an {@link OrgModel}: objects by case-insensitive name, reference
 * targets and relationship names from `field.reference`, picklist labels for `toLabel`.
 *
 * @example
 * ```ts
 * const schema = schemaFromModel((await readSnapshot('generated')).model);
 * ```
 */
export function schemaFromModel(model: OrgModel): QuerySchema {
  const objects = new Map<string, QueryObject>();
  for (const o of model.objects) {
    objects.set(o.name.toLowerCase(), {
      name: o.name,
      queryable: o.queryable,
      fields: o.fields.map((f) => ({
        name: f.name,
        type: f.type,
        filterable: f.filterable,
        sortable: f.sortable,
        groupable: f.groupable,
        aggregatable: f.aggregatable,
        referenceTo: f.reference?.referenceTo ?? [],
        relationshipName: f.reference?.relationshipName ?? null,
        namePointing: f.reference?.polymorphic ?? false,
        nameField: f.nameField,
        custom: f.custom,
        picklistValues: f.picklist?.values.map((v) => ({ value: v.value, label: v.label })) ?? [],
      })),
      childRelationships: o.childRelationships,
    });
  }
  return { object: (name) => objects.get(name.toLowerCase()), objectNames: () => model.objects.map((o) => o.name) };
}
