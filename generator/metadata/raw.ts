/**
 * Raw describe shapes as Salesforce returns them, and their validation.
 *
 * The schemas check the properties sfgen reads (type and presence where Salesforce always sends
 * them) and pass every other key through unchanged: new releases add keys (`aiPredictionField`,
 * `sobjectDescribeOption`, ...) and a describe saved from a real org must stay valid. A malformed
 * describe fails with a message naming the origin (file or request), the object and the property.
 */
import { z } from 'zod';
import { MetadataError } from './errors.js';

const bool = z.boolean();
const optBool = z.boolean().optional();
const nullableString = z.string().nullable().optional();
const optNumber = z.number().nullable().optional();

/** One `picklistValues[]` entry. */
export const RawPicklistValueSchema = z.looseObject({
  value: z.string(),
  label: z.string().nullable().optional(),
  active: bool,
  defaultValue: optBool,
  validFor: nullableString,
});

/** One `fields[]` entry of an sObject describe. */
export const RawFieldSchema = z.looseObject({
  name: z.string().min(1),
  label: z.string(),
  type: z.string(),
  nillable: bool,
  createable: bool,
  updateable: bool,
  custom: optBool,
  filterable: optBool,
  sortable: optBool,
  groupable: optBool,
  aggregatable: optBool,
  defaultedOnCreate: optBool,
  defaultValue: z.unknown().optional(),
  defaultValueFormula: nullableString,
  externalId: optBool,
  idLookup: optBool,
  unique: optBool,
  caseSensitive: optBool,
  autoNumber: optBool,
  calculated: optBool,
  calculatedFormula: nullableString,
  encrypted: optBool,
  htmlFormatted: optBool,
  nameField: optBool,
  deprecatedAndHidden: optBool,
  inlineHelpText: nullableString,
  length: optNumber,
  byteLength: optNumber,
  precision: optNumber,
  scale: optNumber,
  digits: optNumber,
  extraTypeInfo: nullableString,
  compoundFieldName: nullableString,
  restrictedPicklist: optBool,
  dependentPicklist: optBool,
  controllerName: nullableString,
  picklistValues: z.array(RawPicklistValueSchema).nullable().optional(),
  referenceTo: z.array(z.string()).nullable().optional(),
  relationshipName: nullableString,
  relationshipOrder: optNumber,
  polymorphicForeignKey: optBool,
  cascadeDelete: optBool,
  restrictedDelete: optBool,
  referenceTargetField: nullableString,
});

/** One `childRelationships[]` entry. */
export const RawChildRelationshipSchema = z.looseObject({
  childSObject: z.string(),
  field: z.string(),
  relationshipName: z.string().nullable(),
  cascadeDelete: optBool,
  restrictedDelete: optBool,
});

/** One `recordTypeInfos[]` entry. */
export const RawRecordTypeSchema = z.looseObject({
  name: z.string(),
  developerName: z.string().optional(),
  recordTypeId: z.string().nullable().optional(),
  active: optBool,
  master: optBool,
});

/** The body of `GET /services/data/vXX.X/sobjects/<Name>/describe`. */
export const RawSObjectDescribeSchema = z.looseObject({
  name: z.string().min(1),
  label: z.string(),
  labelPlural: z.string().optional(),
  custom: optBool,
  customSetting: optBool,
  keyPrefix: z.string().nullable().optional(),
  queryable: optBool,
  createable: optBool,
  updateable: optBool,
  deletable: optBool,
  undeletable: optBool,
  searchable: optBool,
  retrieveable: optBool,
  triggerable: optBool,
  associateEntityType: nullableString,
  associateParentEntity: nullableString,
  fields: z.array(RawFieldSchema),
  childRelationships: z.array(RawChildRelationshipSchema).optional(),
  recordTypeInfos: z.array(RawRecordTypeSchema).optional(),
});

/** One `sobjects[]` entry of the global describe. */
export const RawGlobalSObjectSchema = z.looseObject({
  name: z.string().min(1),
  label: z.string().optional(),
  custom: optBool,
  queryable: optBool,
  associateEntityType: nullableString,
  associateParentEntity: nullableString,
});

/** The body of `GET /services/data/vXX.X/sobjects`. */
export const RawGlobalDescribeSchema = z.looseObject({
  encoding: z.string().optional(),
  maxBatchSize: z.number().optional(),
  sobjects: z.array(RawGlobalSObjectSchema),
});

export type RawPicklistValue = z.infer<typeof RawPicklistValueSchema>;
export type RawField = z.infer<typeof RawFieldSchema>;
export type RawChildRelationship = z.infer<typeof RawChildRelationshipSchema>;
export type RawRecordType = z.infer<typeof RawRecordTypeSchema>;
export type RawSObjectDescribe = z.infer<typeof RawSObjectDescribeSchema>;
export type RawGlobalDescribe = z.infer<typeof RawGlobalDescribeSchema>;

/** A describe together with where it came from, so later stages can name the origin in errors. */
export interface DescribedSObject {
  readonly name: string;
  readonly describe: RawSObjectDescribe;
  /** The file or request it was read from. */
  readonly origin: string;
  /** The `Last-Modified` the server sent for it (HTTP date), when known. */
  readonly lastModified: string | null;
}

/** An event's Avro schema as read from `<dir>/events/<Name>.avsc` or fetched with Pub/Sub GetSchema. */
export interface RawEventSchema {
  readonly name: string;
  readonly schema: unknown;
  /** The org's schema id (GetTopic), when read from an org; absent for files. */
  readonly schemaId?: string | undefined;
  readonly origin: string;
}

/** Renders a zod issue path against the raw JSON so that field entries are named, e.g. `fields[3] (Industry).type`. */
function renderPath(path: readonly PropertyKey[], root: unknown): string {
  let out = '';
  let node: unknown = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
      node = Array.isArray(node) ? node[segment] : undefined;
      if (node !== null && typeof node === 'object' && 'name' in node && typeof node.name === 'string') {
        out += ` (${node.name})`;
      }
    } else {
      const key = String(segment);
      out += out === '' ? key : `.${key}`;
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out === '' ? '(root)' : out;
}

/**
 * Validates raw JSON against a describe schema; throws a {@link MetadataError} naming the origin, the
 * object (when known) and the property at fault.
 *
 * @example
 * ```ts
 * const describe = parseRaw(RawSObjectDescribeSchema, json, 'sobjects/Account.json', 'Account');
 * ```
 */
export function parseRaw<S extends z.ZodType>(
  schema: S,
  json: unknown,
  origin: string,
  objectName: string | null,
): z.infer<S> {
  const result = schema.safeParse(json);
  // The schemas only check (no defaults, no transforms) and pass unknown keys through, so the
  // input itself is the parsed value: returning it avoids holding a second copy of every describe.
  if (result.success) return json as z.infer<S>;
  const issue = result.error.issues[0];
  const where = issue ? renderPath(issue.path, json) : '(root)';
  const subject = objectName === null ? where : `${objectName}.${where}`;
  const detail = issue ? issue.message : 'invalid';
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : '';
  throw new MetadataError('MALFORMED_DESCRIBE', `Malformed describe in ${origin}: ${subject}: ${detail}${more}`, origin);
}
