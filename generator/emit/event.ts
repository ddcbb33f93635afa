/**
 * Event modules (`events/<Name>.ts`), one emitter per part:
 * - the payload interface (the event as the codec decodes it), documented from the event's
 *   describe (label, help text, type) when the describe was read;
 * - for change events, the field-name union that `ChangeEventHeader.changedFields`,
 *   `nulledFields` and `diffFields` hold (top-level fields and `Parent.Component` of compounds);
 * - for platform events, the publish input (required fields required, nullable ones optional,
 *   `CreatedDate`/`CreatedById` optional because the codec fills them);
 * - the `EventDefinition` value bound to the schema (id and JSON text).
 *
 * A module imports `defineEvent` and types from the main runtime entry only: no avsc, no grpc-js.
 */
import type { EventModel, FieldModel, ObjectModel } from '../model/types.js';
import { avroNames, avroType, isAvroRecord, isNullable, isTimestampDoc, recordOf, type AvroField, type AvroNames, type AvroRecord } from './avro.js';
import type { EmitSettings } from './context.js';
import { EmitError } from './errors.js';
import { jsdoc, typeDetails } from './jsdoc.js';
import type { Templates } from './templates.js';
import { key, str, stringArray } from './ts.js';

/** What every event emitter gets. */
export interface EventContext {
  readonly event: EventModel;
  readonly schema: AvroRecord;
  readonly names: AvroNames;
  /** The event's describe (same API name), when it was generated in this run. */
  readonly describe: ObjectModel | null;
  readonly settings: EmitSettings;
  readonly ids: EventIdentifiers;
}

/** Identifiers one event module declares. */
export interface EventIdentifiers {
  /** The `EventDefinition` value (`Order_Event__e`). */
  readonly value: string;
  readonly payload: string;
  readonly input: string;
  /** Change events: the field-name union. */
  readonly field: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Runtime names an event module imports, aliased with `$` so no event name can shadow them. */
const IMPORTS = { defineEvent: '$defineEvent', EventDefinition: '$EventDefinition', ChangeEventHeader: '$ChangeEventHeader' } as const;

/** Builds the context of one event; the describe is looked up among the model's objects. */
export function eventContext(event: EventModel, objects: ReadonlyMap<string, ObjectModel>, settings: EmitSettings): EventContext {
  if (!IDENTIFIER.test(event.name)) {
    throw new EmitError(`Event name '${event.name}' is not an ASCII identifier; cannot derive TypeScript names`, event.name);
  }
  if (!isAvroRecord(event.schema)) throw new EmitError(`Event ${event.name}: the schema is not an Avro record`, event.name);
  return {
    event,
    schema: event.schema,
    names: avroNames(event.schema),
    describe: objects.get(event.name) ?? null,
    settings,
    ids: { value: event.name, payload: `${event.name}Payload`, input: `${event.name}Input`, field: `${event.name}Field` },
  };
}

function describedField(ctx: EventContext, name: string): FieldModel | null {
  return ctx.describe?.fields.find((f) => f.name === name) ?? null;
}

/** What a long's number means, from the field's `doc` tag. */
function timestampNote(doc: string | undefined): string | null {
  if (doc === undefined) return null;
  if (/(^|:)DateOnly(:|$)|(^|:)Date(:|$)/.test(doc)) return 'epoch milliseconds at 00:00 UTC of the date';
  if (/(^|:)DateTime(:|$)/.test(doc)) return 'epoch milliseconds UTC';
  if (/(^|:)(TimeOnly|Time)(:|$)/.test(doc)) return 'milliseconds since midnight';
  return null;
}

function fieldDoc(ctx: EventContext, field: AvroField): string[] {
  const described = describedField(ctx, field.name);
  const notes: string[] = [];
  if (described) notes.push(`${described.label} · \`${field.name}\` · ${typeDetails(described)}`);
  else notes.push(`\`${field.name}\``);
  const ts = timestampNote(field.doc);
  if (ts) notes[0] += ` · ${ts}`;
  else if (JSON.stringify(field.type).includes('"long"')) notes[0] += ' · 64-bit: a number below 2^53, a bigint beyond';
  const lines = [notes.join(' ')];
  if (described?.helpText) lines.push(described.helpText);
  return lines;
}

function isChangeEvent(ctx: EventContext): boolean {
  return ctx.event.kind === 'changeEvent' && ctx.schema.fields[0]?.name === 'ChangeEventHeader';
}

/** `export interface <Name>Payload { ... }`: the event as decoded. */
export function emitEventPayload(ctx: EventContext): string {
  const { event, schema, ids } = ctx;
  const members = schema.fields.map((f) => {
    const location = `${event.name}.${f.name}`;
    if (f.name === 'ChangeEventHeader' && isChangeEvent(ctx)) {
      return `${jsdoc(['What changed: the change type, the record ids, the commit, and the changed, nulled and diff fields by name.'])}  readonly ${key(f.name)}: ${IMPORTS.ChangeEventHeader}<${ids.field}>;`;
    }
    const type = avroType(f.type, { names: ctx.names, location, timestamp: isTimestampDoc(f.doc), pad: '  ' });
    return `${jsdoc(fieldDoc(ctx, f))}  readonly ${key(f.name)}: ${type};`;
  });
  const label = ctx.describe ? `${ctx.describe.label} (\`${event.name}\`)` : `\`${event.name}\``;
  const note =
    event.kind === 'changeEvent'
      ? 'Every record field is present; an unchanged field is null even when the record has a value (see `ChangeEventHeader.nulledFields`).'
      : 'Fields added to the event after generation are kept at run time (decoded with the schema each event was written with).';
  const head = jsdoc([`${label} as delivered on \`${event.topic}\`.`, note], '');
  return `${head}export interface ${ids.payload} {\n${members.join('\n')}\n}`;
}

/** Names a change event's bitmaps decode to: top-level fields, then `Parent.Component` of compound fields. */
export function changeEventFieldNames(ctx: EventContext): string[] {
  const out: string[] = [];
  for (const f of ctx.schema.fields) {
    if (f.name === 'ChangeEventHeader') continue;
    out.push(f.name);
  }
  for (const f of ctx.schema.fields) {
    if (f.name === 'ChangeEventHeader') continue;
    const nested = recordOf(f.type, ctx.names);
    if (nested) for (const c of nested.fields) out.push(`${f.name}.${c.name}`);
  }
  return out;
}

/** `export type <Name>Field = ...`: what `changedFields`, `nulledFields` and `diffFields` hold. */
export function emitChangeEventFields(ctx: EventContext): string | null {
  if (!isChangeEvent(ctx)) return null;
  const names = changeEventFieldNames(ctx);
  const head = jsdoc([
    `A field of ${ctx.event.name} as named in \`ChangeEventHeader.changedFields\`, \`nulledFields\` and \`diffFields\`.`,
    'Components of compound fields are `Parent.Component` (`BillingAddress.City`); a compound also appears by itself when its own bit is set.',
  ], '');
  return `${head}export type ${ctx.ids.field} =\n${names.map((n) => `  | ${str(n)}`).join('\n')};`;
}

const SYSTEM_DEFAULTED = new Set(['CreatedDate', 'CreatedById']);

/** Fields a publish input must set: required by the describe, or non-null in the schema without a default. */
export function requiredInputFields(ctx: EventContext): string[] {
  const out: string[] = [];
  for (const f of ctx.schema.fields) {
    if (SYSTEM_DEFAULTED.has(f.name)) continue;
    const described = describedField(ctx, f.name);
    const schemaRequired = !isNullable(f.type) && !('default' in f);
    if (schemaRequired || described?.requiredOnCreate === true) out.push(f.name);
  }
  return out;
}

/** The publish input of a platform event; change events cannot be published (`never`). */
export function emitEventInput(ctx: EventContext): string {
  const { event, schema, ids } = ctx;
  if (event.kind === 'changeEvent') {
    return `${jsdoc([`Change events are published by Salesforce, not by clients: ${event.name} has no publish input.`], '')}export type ${ids.input} = never;`;
  }
  const required = new Set(requiredInputFields(ctx));
  const members = schema.fields.map((f) => {
    const location = `${event.name}.${f.name}`;
    const options = { names: ctx.names, location, timestamp: isTimestampDoc(f.doc), pad: '  ' };
    const described = describedField(ctx, f.name);
    const label = described?.label ?? f.name;
    if (SYSTEM_DEFAULTED.has(f.name)) {
      const type = avroType(Array.isArray(f.type) ? f.type.filter((b) => b !== 'null') : f.type, options);
      const filled = f.name === 'CreatedDate' ? 'now' : "the publishing user's id";
      return `  /** ${label}: optional, defaults to ${filled}; Salesforce sets its own value */ ${key(f.name)}?: ${type};`;
    }
    if (required.has(f.name)) {
      const type = avroType(Array.isArray(f.type) ? f.type.filter((b) => b !== 'null') : f.type, options);
      return `  /** ${label} (required) */ ${key(f.name)}: ${type};`;
    }
    return `  /** ${label} */ ${key(f.name)}?: ${avroType(f.type, options)};`;
  });
  const head = jsdoc([`What to publish on \`${event.topic}\`: required fields are not optional; no union wrappers (\`{ string: ... }\`).`], '');
  return `${head}export interface ${ids.input} {\n${members.join('\n')}\n}`;
}

/** `export const <Name>: EventDefinition<Payload, Input> = defineEvent(...)`. */
export function emitEventDefinition(ctx: EventContext): string {
  const { event, ids } = ctx;
  const types = `${ids.payload}, ${ids.input}`;
  const example =
    event.kind === 'changeEvent'
      ? [` * for await (const event of pubsub.subscribe(${ids.value}, { replay: 'latest' })) {`, ' *   event.payload.ChangeEventHeader.changedFields; // field names', ' * }']
      : [` * const input: ${ids.input} = { ... };`, ` * await pubsub.publish(${ids.value}, input);`, ` * for await (const event of pubsub.subscribe(${ids.value}, { replay: 'latest' })) { event.payload; }`];
  return [
    '/**',
    ` * The ${event.kind === 'changeEvent' ? 'change event' : 'platform event'} ${event.name} on \`${event.topic}\`, bound to schema \`${event.schemaId}\`: pass it to the Pub/Sub client.`,
    ' *',
    ' * @example',
    ...example,
    ' */',
    `export const ${ids.value}: ${IMPORTS.EventDefinition}<${types}> = ${IMPORTS.defineEvent}<${types}>({`,
    `  kind: ${str(event.kind)},`,
    `  name: ${str(event.name)},`,
    `  topic: ${str(event.topic)},`,
    `  schemaId: ${str(event.schemaId)},`,
    `  requiredFields: ${stringArray(event.kind === 'changeEvent' ? [] : requiredInputFields(ctx))},`,
    `  schemaJson: ${str(JSON.stringify(event.schema))},`,
    '});',
  ].join('\n');
}

/** `generated/events/<Name>.ts`. */
export function emitEventModule(ctx: EventContext, templates: Templates): string {
  const changeEvent = isChangeEvent(ctx);
  const imports = [
    `defineEvent as ${IMPORTS.defineEvent}`,
    `type EventDefinition as ${IMPORTS.EventDefinition}`,
    ...(changeEvent ? [`type ChangeEventHeader as ${IMPORTS.ChangeEventHeader}`] : []),
  ];
  const sections = [emitEventPayload(ctx), emitChangeEventFields(ctx), emitEventInput(ctx), emitEventDefinition(ctx)].filter((s): s is string => s !== null);
  return templates.render('event-module', {
    command: ctx.settings.command,
    summary: `The ${changeEvent ? 'change event' : 'platform event'} ${ctx.event.name} (${ctx.event.topic}): its payload as decoded, ${changeEvent ? 'its changed-field names' : 'its publish input'} and its definition.`,
    runtimeImports: imports.join(', '),
    runtimeImport: str(ctx.settings.runtimeImport),
    sections,
  });
}
