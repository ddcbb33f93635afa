/**
 * Restricted picklist literals: a quoted value compared with a restricted picklist must be a value
 * records can hold (active or inactive). Salesforce runs such a query and returns nothing, so the
 * query validator (which behaves like Salesforce) accepts it; a value no record can hold is almost
 * always a typo, so lint reports it. The same rule as the typed builder, binds and checked
 * `soql()` strings (docs/soql.md). Open picklists, LIKE patterns, binds and paths through
 * polymorphic relationships are not checked.
 */
import type { Comparison, Condition, FieldRef, Literal, SelectQuery, Span } from 'sfgen/tooling';
import type { FieldModel, ObjectModel, OrgModel } from '../model/types.js';

/** The code of the diagnostic: Salesforce's error code for a bad restricted picklist value on save. */
export const BAD_PICKLIST_VALUE = 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST';

interface IndexedObject {
  readonly object: ObjectModel;
  readonly fields: ReadonlyMap<string, FieldModel>;
  /** Parent relationship name (lower case) -> the reference field. */
  readonly parents: ReadonlyMap<string, FieldModel>;
  /** Child relationship name (lower case) -> child object name. */
  readonly children: ReadonlyMap<string, string>;
}

/** Objects by lower-case name, with their fields and relationships indexed the same way. */
export class PicklistIndex {
  readonly #objects = new Map<string, IndexedObject>();

  constructor(model: OrgModel) {
    for (const object of model.objects) {
      const fields = new Map<string, FieldModel>();
      const parents = new Map<string, FieldModel>();
      for (const f of object.fields) {
        fields.set(f.name.toLowerCase(), f);
        const rel = f.reference?.relationshipName;
        if (rel) parents.set(rel.toLowerCase(), f);
      }
      const children = new Map<string, string>();
      for (const c of object.childRelationships) if (c.relationshipName) children.set(c.relationshipName.toLowerCase(), c.childSObject);
      this.#objects.set(object.name.toLowerCase(), { object, fields, parents, children });
    }
  }

  object(name: string): IndexedObject | undefined {
    return this.#objects.get(name.toLowerCase());
  }
}

export interface PicklistDiagnostic {
  readonly offset: number;
  readonly code: string;
  readonly message: string;
}

/** The restricted picklist values of the field a path ends on, or undefined when it is not one (or cannot be resolved). */
function restrictedValues(index: PicklistIndex, root: IndexedObject, alias: string | undefined, ref: FieldRef): { label: string; values: readonly string[] } | undefined {
  let path = ref.path;
  if (alias !== undefined && path.length > 1 && path[0]?.toLowerCase() === alias.toLowerCase()) path = path.slice(1);
  let current: IndexedObject | undefined = root;
  for (const segment of path.slice(0, -1)) {
    const field: FieldModel | undefined = current?.parents.get(segment.toLowerCase());
    const targets = field?.reference?.referenceTo ?? [];
    if (targets.length !== 1) return undefined; // unknown or polymorphic: not checked
    current = index.object(targets[0] as string);
  }
  const last = path[path.length - 1];
  const field = last === undefined ? undefined : current?.fields.get(last.toLowerCase());
  if (field?.type !== 'picklist' || field.picklist?.restricted !== true) return undefined;
  return { label: path.join('.'), values: field.picklist.values.map((v) => v.value) };
}

function literals(right: Comparison['right']): readonly Literal[] {
  if (right.kind === 'list') return right.values;
  if (right.kind === 'subquery') return [];
  return [right];
}

/**
 * Diagnostics for restricted picklist literals in `query` (its WHERE and HAVING, its child
 * subqueries and semi-joins), by offset into the query text.
 *
 * @example
 * ```ts
 * picklistLiteralDiagnostics(parseSoql("SELECT Id FROM Account WHERE acme__Tier__c = 'Diamond'"), new PicklistIndex(model));
 * // [{ offset: 45, code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: "'Diamond' is not a value of the restricted picklist acme__Tier__c ..." }]
 * ```
 */
export function picklistLiteralDiagnostics(query: SelectQuery, index: PicklistIndex, objectName?: string): PicklistDiagnostic[] {
  const out: PicklistDiagnostic[] = [];
  const root = index.object(objectName ?? query.from.object);
  if (root === undefined) return out;
  const alias = query.from.alias;
  const visit = (condition: Condition | undefined): void => {
    if (condition === undefined) return;
    switch (condition.kind) {
      case 'and':
      case 'or':
        for (const c of condition.conditions) visit(c);
        return;
      case 'not':
        visit(condition.condition);
        return;
      case 'comparison': {
        if (condition.right.kind === 'subquery') {
          out.push(...picklistLiteralDiagnostics(condition.right.query, index));
          return;
        }
        if (condition.left.kind !== 'field' || condition.operator === 'LIKE') return;
        const restricted = restrictedValues(index, root, alias, condition.left);
        if (restricted === undefined) return;
        for (const lit of literals(condition.right)) {
          if (lit.kind !== 'string' || restricted.values.includes(lit.value)) continue;
          out.push({ offset: spanStart(lit.span, condition.span), code: BAD_PICKLIST_VALUE, message: message(lit.value, restricted.label, restricted.values) });
        }
        return;
      }
    }
  };
  visit(query.where);
  visit(query.having);
  for (const item of query.select) {
    if (item.kind !== 'subquery') continue;
    const rel = item.query.from.object.split('.').pop() ?? '';
    const child = root.children.get(rel.toLowerCase());
    if (child !== undefined) out.push(...picklistLiteralDiagnostics(item.query, index, child));
  }
  return out;
}

function spanStart(span: Span | undefined, fallback: Span | undefined): number {
  return span?.start ?? fallback?.start ?? 0;
}

function message(value: string, label: string, values: readonly string[]): string {
  const shown = values.length > 12 ? `${values.slice(0, 12).join(', ')}, …` : values.join(', ');
  return `'${value}' is not a value of the restricted picklist ${label} (values records can hold: ${shown})`;
}
