/**
 * The generated modules, each assembled from the concept emitters into a template skeleton:
 * - `types/<Name>.d.ts`: types only (record, inputs, picklists, meta, registry augmentation), a
 *   declaration file: importers name it `../types/<Name>.js` with `import type` (NodeNext resolves
 *   that to the `.d.ts`), and a consumer's `skipLibCheck` skips re-checking it, so loading an
 *   object's types costs tsc parsing and binding only;
 * - `sobjects/<Name>.ts`: the field descriptors, the validator derived from them and the runtime
 *   `SObjectType`;
 * - `index.ts`: the list of generated names.
 */
import { validationImportFor } from '../defaults.js';
import type { OrgModel } from '../model/types.js';
import type { EmitSettings, ObjectContext } from './context.js';
import { emitDescriptor, emitFieldDescriptors, fieldFlagLegend } from './descriptor.js';
import { importSpecifiers } from './identifiers.js';
import { emitCreateInterface, emitUpdateInterface, emitUpsertType } from './inputs.js';
import { jsdoc } from './jsdoc.js';
import { emitMetaInterface, emitRegistryAugmentation, parentRelationships } from './meta.js';
import { emitPicklistsInterface } from './picklist.js';
import { emitRecordInterface } from './record.js';
import type { Templates } from './templates.js';
import { indent, str } from './ts.js';

/** `generated/types/<Name>.d.ts` (declarations only: interfaces, type aliases, the registry augmentation). */
export function emitTypesModule(ctx: ObjectContext, templates: Templates): string {
  const sections = [
    emitRecordInterface(ctx),
    emitCreateInterface(ctx),
    emitUpdateInterface(ctx),
    emitUpsertType(ctx),
    emitPicklistsInterface(ctx),
    emitMetaInterface(ctx),
    emitRegistryAugmentation(ctx),
  ].filter((s): s is string => s !== null);
  return templates.render('types-module', {
    command: ctx.settings.command,
    objectName: ctx.object.name,
    imports: importSpecifiers(ctx.typeNames, ctx.usedTypes),
    runtimeImport: str(ctx.settings.runtimeImport),
    sections,
  });
}

/**
 * The type modules a value module loads besides its own: those of its single-target parents, so
 * that typed SOQL can follow `Account.Owner.Name` from this object without further imports.
 * Targets of polymorphic relationships are left out: without TYPEOF a polymorphic parent offers
 * only the Name object's fields, which need no target types, and on an org of 1,500 objects
 * `Task.What` alone names hundreds of targets. TYPEOF over a target that no import has loaded
 * fails to compile, naming the object to import.
 */
export function parentTypeModules(ctx: ObjectContext): string[] {
  const targets = new Set<string>();
  for (const p of parentRelationships(ctx)) {
    const [only, ...others] = p.referenceTo;
    if (only !== undefined && others.length === 0 && only !== ctx.object.name && ctx.generated.has(only)) targets.add(only);
  }
  return [...targets].sort();
}

/**
 * `generated/sobjects/<Name>.ts`: the field descriptors (one string per field), the record
 * validator derived from them at run time, and the `SObjectType` value. Checking it costs tsc one
 * string literal per field: no call or zod expression per field is checked.
 */
export function emitSObjectModule(ctx: ObjectContext, templates: Templates): string {
  const { ids, object } = ctx;
  const z = ctx.valueNames.z;
  // The value module exports a const named like the record interface, so the type is imported under
  // `<Name>Record`: no own or helper name ends in `Record`, so it cannot collide.
  const recordAlias = `${ids.record}Record`;
  const fields = `/** The field descriptors of ${object.name}, by API name: \`'<type> <flag words> <details as JSON>'\`. */\nconst $fields = $decodeFields(${emitFieldDescriptors(ctx)});`;
  const validator = `${jsdoc([`Validates one ${object.name} record as read: lengths, precision, restricted picklist values and nullability; unknown keys pass through.`], '')}export const ${ids.validator}: ${z}.ZodType<${recordAlias}> = $validator<${recordAlias}>($fields);`;
  const value = [
    '/**',
    ` * The sObject ${object.name}: its runtime descriptor and validator, typed by \`${ids.meta}\`.`,
    ' *',
    ' * @example',
    ` * const record = await client.sobject(${ids.value}).get(id);`,
    ' */',
    `export const ${ids.value}: ${ctx.valueNames.SObjectType}<${ids.meta}> = ${ctx.valueNames.defineSObject}<${ids.meta}>(`,
    `${indent(emitDescriptor(ctx, '$fields'))},`,
    `  ${ids.validator},`,
    ');',
  ].join('\n');
  const validationImport = validationImportFor(ctx.settings.runtimeImport);
  const separateValidation = validationImport !== ctx.settings.runtimeImport;
  return templates.render('sobject-module', {
    command: ctx.settings.command,
    objectName: object.name,
    runtimeImports: [
      importSpecifiers(ctx.valueNames, ['defineSObject']),
      ...(separateValidation ? [] : ['recordValidator as $validator']),
      'sobjectFields as $decodeFields',
      `type ${importSpecifiers(ctx.valueNames, ['SObjectType'])}`,
      // zod's types come through the runtime: generated code resolves under strict installs (pnpm).
      `type ${importSpecifiers(ctx.valueNames, ['z'])}`,
    ].join(', '),
    runtimeImport: str(ctx.settings.runtimeImport),
    validationImport: separateValidation ? str(validationImport) : undefined,
    flagLegend: fieldFlagLegend(),
    typeImports: `${ids.record} as ${recordAlias}, ${ids.meta}`,
    typesModule: str(`../types/${object.name}.js`),
    parentModules: parentTypeModules(ctx).map((t) => str(`../types/${t}.js`)),
    sections: [fields, validator, value],
  });
}

/** `generated/index.ts`: the generated object and event names. */
export function emitIndexModule(model: OrgModel, objectNames: readonly string[], settings: EmitSettings, templates: Templates): string {
  const names = objectNames.map((n) => `  ${str(n)},`).join('\n');
  const events = model.events.map((e) => `  ${str(e.name)},`).join('\n');
  return templates.render('index-module', {
    command: settings.command,
    sections: [
      `/** API version the metadata was read with. */\nexport const apiVersion = ${str(model.apiVersion)};`,
      `/** Names of the generated sObjects, sorted. */\nexport const sobjectNames = [${names ? `\n${names}\n` : ''}] as const;`,
      '/** A generated sObject name. */\nexport type GeneratedSObjectName = (typeof sobjectNames)[number];',
      `/** Names of the events whose Avro schemas were read (platform and change events). */\nexport const eventNames = [${events ? `\n${events}\n` : ''}] as const;`,
    ],
  });
}
