/** What every emitter gets: the object, its identifiers, the resolved settings and a warning sink. */
import type { FieldModel, ObjectModel } from '../model/types.js';
import { declaredNames, importNames, objectIdentifiers, type ObjectIdentifiers } from './identifiers.js';

/** Settings the emitters read (fully defaulted: emitters never see undefined). */
export interface EmitSettings {
  /** Module specifier of the runtime in generated imports (`'sfgen/runtime'`). */
  readonly runtimeImport: string;
  /** The command named in the do-not-edit banner. */
  readonly command: string;
}

/** A warning an emitter raises, named by location (`Account.Industry`). */
export interface EmitWarning {
  readonly location: string;
  readonly message: string;
}

/** Runtime type helpers the types module may import. */
export const RUNTIME_TYPE_IMPORTS = ['SObjectMeta', 'SfAddress', 'SfDate', 'SfDateTime', 'SfLocation', 'SfTime'] as const;
export type RuntimeTypeImport = (typeof RUNTIME_TYPE_IMPORTS)[number];

/** Names the value module imports. */
export const VALUE_IMPORTS = ['z', 'defineSObject', 'SObjectType'] as const;
export type ValueImport = (typeof VALUE_IMPORTS)[number];

/** Per-object emit context. */
export interface ObjectContext {
  readonly object: ObjectModel;
  readonly ids: ObjectIdentifiers;
  /** Names of all objects generated in this run (parents outside it are named, not imported). */
  readonly generated: ReadonlySet<string>;
  readonly settings: EmitSettings;
  /** Local names of runtime type helpers in the types module (aliased with `$` on collision). */
  readonly typeNames: Readonly<Record<RuntimeTypeImport, string>>;
  /** Local names of the value module's imports. */
  readonly valueNames: Readonly<Record<ValueImport, string>>;
  /** Records which runtime type helpers the types module uses. */
  readonly usedTypes: Set<RuntimeTypeImport>;
  warn(location: string, message: string): void;
}

/** Builds the context of one object. */
export function objectContext(
  object: ObjectModel,
  generated: ReadonlySet<string>,
  settings: EmitSettings,
  warnings: EmitWarning[],
): ObjectContext {
  const ids = objectIdentifiers(object.name);
  const declared = declaredNames(ids);
  return {
    object,
    ids,
    generated,
    settings,
    typeNames: importNames(RUNTIME_TYPE_IMPORTS, declared),
    valueNames: importNames(VALUE_IMPORTS, declared),
    usedTypes: new Set(),
    warn: (location, message) => warnings.push({ location, message }),
  };
}

/** `Object.Field`, for messages. */
export function locate(ctx: ObjectContext, field: FieldModel): string {
  return `${ctx.object.name}.${field.name}`;
}

/** Compound field types (read-only; their components are the writable fields). */
export function isCompound(field: FieldModel): boolean {
  return field.type === 'address' || field.type === 'location';
}
