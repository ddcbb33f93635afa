/**
 * The generated modules, each assembled from the concept emitters into a template skeleton:
 * - `types/<Name>.d.ts`: types only (record, inputs, picklists, meta, registry augmentation), a
 *   declaration file: importers name it `../types/<Name>.js` with `import type` (NodeNext resolves
 *   that to the `.d.ts`), and a consumer's `skipLibCheck` skips re-checking it, so loading an
 *   object's types costs tsc parsing and binding only;
 * - `sobjects/<Name>.ts`: the validator and the runtime `SObjectType`;
 * - `validators.ts`: shared zod checks; `index.ts`: the list of generated names.
 */
import type { OrgModel } from '../model/types.js';
import type { EmitSettings, ObjectContext } from './context.js';
import { emitDescriptor, FIELD_FLAGS, fieldFlagLegend } from './descriptor.js';
import { importSpecifiers } from './identifiers.js';
import { emitCreateInterface, emitUpdateInterface, emitUpsertType } from './inputs.js';
import { jsdoc } from './jsdoc.js';
import { emitMetaInterface, emitRegistryAugmentation, parentRelationships } from './meta.js';
import { emitPicklistsInterface } from './picklist.js';
import { emitRecordInterface } from './record.js';
import type { Templates } from './templates.js';
import { indent, str } from './ts.js';
import { emitValidatorShape } from './validator.js';

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

/** `generated/sobjects/<Name>.ts`. */
export function emitSObjectModule(ctx: ObjectContext, templates: Templates): string {
  const { ids, object } = ctx;
  const z = ctx.valueNames.z;
  const { shape, helpers } = emitValidatorShape(ctx);
  // The value module exports a const named like the record interface, so the type is imported under
  // `<Name>Record`: no own or helper name ends in `Record`, so it cannot collide.
  const recordAlias = `${ids.record}Record`;
  const targets = new Set<string>();
  for (const p of parentRelationships(ctx)) {
    for (const t of p.referenceTo) if (t !== object.name && ctx.generated.has(t)) targets.add(t);
  }
  const validator = `${jsdoc([`Validates one ${object.name} record as read: lengths, precision, restricted picklist values and nullability; unknown keys pass through.`], '')}export const ${ids.validator}: ${z}.ZodType<${recordAlias}> = $record<${recordAlias}>(${shape});`;
  const value = [
    '/**',
    ` * The sObject ${object.name}: its runtime descriptor and validator, typed by \`${ids.meta}\`.`,
    ' *',
    ' * @example',
    ` * const record = await client.sobject(${ids.value}).get(id);`,
    ' */',
    `export const ${ids.value}: ${ctx.valueNames.SObjectType}<${ids.meta}> = ${ctx.valueNames.defineSObject}<${ids.meta}>(`,
    `${indent(emitDescriptor(ctx))},`,
    `  ${ids.validator},`,
    ');',
  ].join('\n');
  return templates.render('sobject-module', {
    command: ctx.settings.command,
    objectName: object.name,
    zodImport: importSpecifiers(ctx.valueNames, ['z']),
    runtimeImports: [
      importSpecifiers(ctx.valueNames, ['defineSObject']),
      `type ${importSpecifiers(ctx.valueNames, ['SObjectType'])}`,
    ].join(', '),
    runtimeImport: str(ctx.settings.runtimeImport),
    helperImports: ['$field', '$record', ...helpers].sort().join(', '),
    flagLegend: fieldFlagLegend(),
    typeImports: `${ids.record} as ${recordAlias}, ${ids.meta}`,
    typesModule: str(`../types/${object.name}.js`),
    parentModules: [...targets].sort().map((t) => str(`../types/${t}.js`)),
    sections: [validator, value],
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

/**
 * `generated/validators.ts`: the shared checks every generated validator is assembled from.
 *
 * Every export has a declared `z.ZodType<T>` and is built through `typed<T>()`: assigning a
 * concrete zod class (`ZodString`, `ZodNullable<...>`) to `z.ZodType<T>` makes tsc compare the two
 * structurally, which costs ~77,000 type instantiations in every program that loads this module;
 * the cast costs none. The field-by-field check against the record types happens in `$record`.
 */
export function emitValidatorsModule(settings: EmitSettings, templates: Templates): string {
  const sections = [
    `/** Types a zod schema without a structural comparison (see the note at the top). */
function typed<T>(schema: unknown): z.ZodType<T> {
  return schema as z.ZodType<T>;
}
/** A validator that also accepts \`null\`. */
function orNull<T>(schema: z.ZodType<T>): z.ZodType<T | null> {
  return typed<T | null>(schema.nullable());
}`,
    `/** A 15- or 18-character record id. */
export const $id: z.ZodType<string> = typed<string>(z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'expected a Salesforce id'));
export const $idOrNull: z.ZodType<string | null> = orNull($id);`,
    `/** Text of at most \`max\` characters (0: unbounded). */
export function $text(max: number): z.ZodType<string> {
  return typed<string>(max > 0 ? z.string().max(max) : z.string());
}
export function $textOrNull(max: number): z.ZodType<string | null> {
  return orNull($text(max));
}`,
    `/** A checkbox: never null. */
export const $boolean: z.ZodType<boolean> = typed<boolean>(z.boolean());`,
    `/** A \`date\`: \`YYYY-MM-DD\`. */
export const $date: z.ZodType<string> = typed<string>(z.string().regex(/^\\d{4}-\\d{2}-\\d{2}$/, 'expected a date (YYYY-MM-DD)'));
export const $dateOrNull: z.ZodType<string | null> = orNull($date);`,
    `/** A \`datetime\`: \`2024-05-06T09:15:27.000+0000\` (Salesforce's offset has no colon; \`Z\` and \`+00:00\` are accepted too). */
export const $datetime: z.ZodType<string> = typed<string>(
  z.string().regex(/^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})$/, 'expected a datetime'),
);
export const $datetimeOrNull: z.ZodType<string | null> = orNull($datetime);`,
    `/** A \`time\`: \`HH:mm:ss.SSSZ\`. */
export const $time: z.ZodType<string> = typed<string>(z.string().regex(/^\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?Z?$/, 'expected a time (HH:mm:ss.SSSZ)'));
export const $timeOrNull: z.ZodType<string | null> = orNull($time);`,
    `/** An \`int\`/\`long\` of at most \`digits\` digits (0: unbounded). */
export function $integer(digits: number): z.ZodType<number> {
  const schema = z.number().int();
  return typed<number>(digits > 0 && digits < 16 ? schema.refine((v) => Math.abs(v) < 10 ** digits, \`expected at most \${digits} digits\`) : schema);
}
export function $integerOrNull(digits: number): z.ZodType<number | null> {
  return orNull($integer(digits));
}`,
    `/** A number with at most \`precision\` digits, \`scale\` of them decimals (precision 0: unbounded). */
export function $decimal(precision: number, scale: number): z.ZodType<number> {
  if (precision <= 0) return typed<number>(z.number());
  return typed<number>(
    z.number().refine((v) => {
      const scaled = Math.abs(v) * 10 ** scale;
      return scaled < 10 ** precision && Math.abs(scaled - Math.round(scaled)) <= 1e-6 * Math.max(1, scaled);
    }, \`expected at most \${precision} digits with \${scale} decimals\`),
  );
}
export function $decimalOrNull(precision: number, scale: number): z.ZodType<number | null> {
  return orNull($decimal(precision, scale));
}`,
    `/** A restricted picklist: exactly one of \`values\` (inactive values included: records keep them). */
export function $picklist<const V extends string>(values: readonly V[]): z.ZodType<V> {
  return typed<V>(values.length === 0 ? z.never() : z.enum(values as unknown as [string, ...string[]]));
}
export function $picklistOrNull<const V extends string>(values: readonly V[]): z.ZodType<V | null> {
  return orNull($picklist(values));
}`,
    `/** A restricted multi-select picklist (\`;\`-joined) whose every value is one of \`values\`. */
export function $multipicklist(values: readonly string[], max: number): z.ZodType<string> {
  const allowed = new Set(values);
  return typed<string>($text(max).refine((v) => v === '' || v.split(';').every((part) => allowed.has(part)), 'expected values of the picklist'));
}
export function $multipicklistOrNull(values: readonly string[], max: number): z.ZodType<string | null> {
  return orNull($multipicklist(values, max));
}`,
    `/**
 * A record validator: \`z.looseObject(shape)\` (unknown keys pass through), typed by the record
 * interface. The shape is checked field by field against \`T\` (every field, no extra one), so tsc
 * never infers an object type over a whole record, and the result is the same under \`strict\` and
 * under a consumer's looser settings.
 */
export function $record<T extends object>(shape: { readonly [K in keyof T]-?: z.ZodType<T[K]> }): z.ZodType<T> {
  return typed<T>(z.looseObject(shape as unknown as Record<string, never>));
}`,
    `const $nullableString: z.ZodType<string | null> = $textOrNull(0);
const $nullableNumber: z.ZodType<number | null> = $decimalOrNull(0, 0);`,
    `/** An \`address\` compound value (lower camel case keys); unknown keys pass through. */
export const $address: z.ZodType<SfAddress> = $record<SfAddress>({
  street: $nullableString,
  city: $nullableString,
  state: $nullableString,
  postalCode: $nullableString,
  country: $nullableString,
  stateCode: $nullableString,
  countryCode: $nullableString,
  latitude: $nullableNumber,
  longitude: $nullableNumber,
  geocodeAccuracy: $nullableString,
});
export const $addressOrNull: z.ZodType<SfAddress | null> = orNull($address);`,
    `/** A \`location\` (geolocation) compound value. */
export const $location: z.ZodType<SfLocation> = $record<SfLocation>({ latitude: $nullableNumber, longitude: $nullableNumber });
export const $locationOrNull: z.ZodType<SfLocation | null> = orNull($location);`,
    `/** An \`anyType\` value: any JSON scalar. */
export const $anyType: z.ZodType<string | number | boolean> = typed<string | number | boolean>(z.union([z.string(), z.number(), z.boolean()]));
export const $anyTypeOrNull: z.ZodType<string | number | boolean | null> = orNull($anyType);`,
    `/** \`json\` and \`complexvalue\`: anything. */
export const $unknown: z.ZodType<unknown> = typed<unknown>(z.unknown());`,
    `/** The flag words of \`$field\`: each names one boolean of \`FieldDescriptor\` that is true for the field. */
const $flags: { readonly [word: string]: keyof FieldDescriptor } = {
${FIELD_FLAGS.map(([word, name]) => `  ${word}: ${str(name)},`).join('\n')}
};
/** What a field descriptor carries beside its type and flags (only what the field has). */
export type $FieldDetails = Pick<FieldDescriptor, 'length' | 'precision' | 'scale' | 'referenceTo' | 'relationshipName' | 'picklist' | 'compoundFieldName'>;
/**
 * A runtime field descriptor (one line per field in the value modules): the field type, the words
 * of its true flags (${fieldFlagLegend()}; absent ones are false) and its details.
 *
 * @example
 * $field('string', 'nil cre upd flt srt grp', { length: 40 });
 */
export function $field(type: FieldType, flags: string, details?: $FieldDetails): FieldDescriptor {
  const on = new Set(flags === '' ? [] : flags.split(' '));
  for (const word of on) {
    if (!Object.prototype.hasOwnProperty.call($flags, word)) throw new Error(\`sfgen: unknown field flag '\${word}' in a generated descriptor; regenerate the code\`);
  }
  return {
    type,
${FIELD_FLAGS.map(([word, name]) => `    ${name}: on.has(${str(word)}),`).join('\n')}
    ...details,
  };
}`,
  ];
  return templates.render('validators-module', { command: settings.command, runtimeImport: str(settings.runtimeImport), sections });
}
