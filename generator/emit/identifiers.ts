/**
 * Identifiers of generated code. API names are used verbatim as quoted keys; identifiers are
 * derived only from the object API name (`Account` -> `AccountCreate`, `AccountMeta`, ...), which
 * is an ASCII identifier by construction. A bare name that is not a valid binding (a reserved
 * word) gets a `$` prefix; helpers imported into a module are aliased with `$` when one of the
 * module's own names would shadow them (API names never contain `$`, so neither case can collide).
 */
import { EmitError } from './errors.js';

/** Reserved words and names that cannot declare an interface or a `const`. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as',
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await',
  'eval', 'arguments', 'any', 'unknown', 'never', 'number', 'bigint', 'boolean', 'string', 'symbol', 'object',
  'undefined', 'type', 'declare', 'module', 'namespace', 'require', 'global', 'of', 'keyof', 'infer', 'is',
  'readonly', 'unique', 'asserts', 'satisfies', 'accessor', 'constructor', 'get', 'set', 'from', 'abstract',
  'async', 'override', 'out', 'intrinsic',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The identifiers a module declares for one sObject. */
export interface ObjectIdentifiers {
  /** The record interface and the `SObjectType` value (types and values live in different modules). */
  readonly record: string;
  readonly value: string;
  readonly create: string;
  readonly update: string;
  readonly upsert: string;
  readonly picklists: string;
  readonly meta: string;
  readonly validator: string;
}

/**
 * Identifiers for an object API name.
 *
 * @example
 * ```ts
 * objectIdentifiers('acme__Widget__c').create; // 'acme__Widget__cCreate'
 * ```
 */
export function objectIdentifiers(apiName: string): ObjectIdentifiers {
  if (!IDENTIFIER.test(apiName)) {
    throw new EmitError(`Object API name '${apiName}' is not an ASCII identifier; cannot derive TypeScript names`, apiName);
  }
  const bare = RESERVED.has(apiName) ? `$${apiName}` : apiName;
  return {
    record: bare,
    value: bare,
    create: `${apiName}Create`,
    update: `${apiName}Update`,
    upsert: `${apiName}Upsert`,
    picklists: `${apiName}Picklists`,
    meta: `${apiName}Meta`,
    validator: `${apiName}Validator`,
  };
}

/** All names an object's modules declare. */
export function declaredNames(ids: ObjectIdentifiers): ReadonlySet<string> {
  return new Set(Object.values(ids));
}

/**
 * Local names for imported helpers: the helper's own name, or `$name` when the module declares
 * that name itself.
 */
export function importNames<const N extends string>(names: readonly N[], declared: ReadonlySet<string>): Record<N, string> {
  const out = {} as Record<N, string>;
  for (const name of names) out[name] = declared.has(name) ? `$${name}` : name;
  return out;
}

/** An import specifier list (`A, B as $B`) for helpers whose local name may differ. */
export function importSpecifiers(local: Readonly<Record<string, string>>, used: Iterable<string>): string {
  return [...new Set(used)]
    .sort()
    .map((name) => (local[name] === name || local[name] === undefined ? name : `${name} as ${local[name]}`))
    .join(', ');
}
