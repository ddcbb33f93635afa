/**
 * `<Name>Meta extends SObjectMeta` and its registration in `SObjectRegistry`: the type-level
 * description the runtime and typed SOQL read (field kinds, parent relationships with their target
 * names as string literals, child relationships, upsert keys). Targets are named, never imported:
 * an application loads only the objects it uses.
 */
import { compareStrings } from '../model/field.js';
import type { FieldModel } from '../model/types.js';
import type { ObjectContext } from './context.js';
import { externalIdFields } from './inputs.js';
import { jsdoc } from './jsdoc.js';
import { key, literalUnion, str } from './ts.js';

/** A parent relationship: the reference field that opens it and its targets. */
export interface ParentRelationship {
  readonly relationshipName: string;
  readonly field: FieldModel;
  readonly referenceTo: readonly string[];
}

/** Parent relationships by name (sorted); a relationship name used twice keeps the first field. */
export function parentRelationships(ctx: ObjectContext): ParentRelationship[] {
  const byName = new Map<string, ParentRelationship>();
  for (const field of ctx.object.fields) {
    const ref = field.reference;
    if (!ref || ref.relationshipName === null || ref.referenceTo.length === 0) continue;
    const existing = byName.get(ref.relationshipName);
    if (existing) {
      ctx.warn(`${ctx.object.name}.${field.name}`, `relationship ${ref.relationshipName} is also opened by ${existing.field.name}; keeping ${existing.field.name}`);
      continue;
    }
    byName.set(ref.relationshipName, { relationshipName: ref.relationshipName, field, referenceTo: ref.referenceTo });
  }
  return [...byName.values()].sort((a, b) => compareStrings(a.relationshipName, b.relationshipName));
}

/** Child relationships with a subquery name (sorted); null names cannot be queried and are left out. */
export function childRelationships(ctx: ObjectContext): { relationshipName: string; childSObject: string; field: string }[] {
  const seen = new Set<string>();
  const out: { relationshipName: string; childSObject: string; field: string }[] = [];
  for (const child of ctx.object.childRelationships) {
    if (child.relationshipName === null) continue;
    if (seen.has(child.relationshipName)) {
      ctx.warn(`${ctx.object.name}.${child.relationshipName}`, `child relationship ${child.relationshipName} appears twice; keeping the first (${child.childSObject}.${child.field})`);
      continue;
    }
    seen.add(child.relationshipName);
    out.push({ relationshipName: child.relationshipName, childSObject: child.childSObject, field: child.field });
  }
  return out;
}

function typeLiteral(entries: readonly string[]): string {
  return entries.length === 0 ? '{}' : `{\n${entries.map((e) => `    readonly ${e};`).join('\n')}\n  }`;
}

/** `export interface <Name>Meta extends SObjectMeta { ... }`. */
export function emitMetaInterface(ctx: ObjectContext): string {
  const { object, ids } = ctx;
  ctx.usedTypes.add('SObjectMeta');
  const parents = parentRelationships(ctx);
  const children = childRelationships(ctx);
  const externalIds = externalIdFields(ctx).map((f) => f.name);
  const kinds = object.fields.map((f) => `${key(f.name)}: ${str(f.type)}`);
  const body = [
    `  readonly name: ${str(object.name)};`,
    `  readonly record: ${ids.record};`,
    `  readonly create: ${ids.create};`,
    `  readonly update: ${ids.update};`,
    `  readonly kinds: ${typeLiteral(kinds)};`,
    `  readonly parents: ${typeLiteral(parents.map((p) => `${key(p.relationshipName)}: ${literalUnion(p.referenceTo)}`))};`,
    `  readonly nullableParents: ${typeLiteral(parents.map((p) => `${key(p.relationshipName)}: ${p.field.nillable}`))};`,
    `  readonly children: ${typeLiteral(children.map((c) => `${key(c.relationshipName)}: ${str(c.childSObject)}`))};`,
    `  readonly externalIds: ${literalUnion(externalIds)};`,
    `  readonly queryable: ${object.queryable};`,
    `  readonly createable: ${object.createable};`,
    `  readonly updateable: ${object.updateable};`,
    `  readonly deletable: ${object.deletable};`,
    `  readonly unfilterable: ${literalUnion(object.fields.filter((f) => !f.filterable).map((f) => f.name))};`,
    `  readonly unsortable: ${literalUnion(object.fields.filter((f) => !f.sortable).map((f) => f.name))};`,
    `  readonly ungroupable: ${literalUnion(object.fields.filter((f) => !f.groupable).map((f) => f.name))};`,
  ];
  const head = jsdoc([`Type-level metadata of ${object.name} (field kinds, relationships, upsert keys, what the describe allows).`], '');
  return `${head}export interface ${ids.meta} extends ${ctx.typeNames.SObjectMeta} {\n${body.join('\n')}\n}`;
}

/** The `declare module` block that registers the object in `SObjectRegistry`. */
export function emitRegistryAugmentation(ctx: ObjectContext): string {
  return `declare module ${str(ctx.settings.runtimeImport)} {\n  interface SObjectRegistry {\n    ${key(ctx.object.name)}: ${ctx.ids.meta};\n  }\n}`;
}
