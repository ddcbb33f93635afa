/**
 * Checked SOQL strings: `soql('SELECT Id, Owner.Name FROM Account WHERE Name = :name', { name })`.
 *
 * The query text is parsed AT THE TYPE LEVEL (template literal types): the SELECT list and the FROM
 * object give the row type, and an unknown field, relationship, child relationship or object is a
 * compile error whose message names it. Values never go into the text: they are bind variables
 * (`:name`, as in Apex), escaped and formatted at run time by `values.ts`.
 *
 * Why a function and not a tagged template: TypeScript types a tag's strings argument as
 * `TemplateStringsArray`, never as literal types (microsoft/TypeScript#33304), so a tagged
 * template cannot be checked at the type level. A string literal argument can.
 *
 * The type-level parser covers the SELECT list (fields, parent paths, child subqueries, TYPEOF,
 * aggregates with aliases, FORMAT, toLabel) and FROM; the rest of the query (WHERE, ORDER BY, ...)
 * is checked at run time by the SOQL parser before anything is sent, and against the schema by
 * `sfgen lint`. It is tail-recursive over words, so a 40-field query stays far below TypeScript's
 * instantiation limits.
 */
import type { SObjectMeta, SObjectRegistry, TypedQuery } from '../schema.js';
import type { SelectQuery } from './ast.js';
import { SoqlBuildError } from './errors.js';
import { parseSoql } from './parser.js';
import type {
  AggregateAttributes,
  AggregatePathsRow,
  LastSegment,
  NameRow,
  NotLoaded,
  PathErrors,
  PathsRow,
  PathValue,
  RowAttributes,
  Simplify,
  SubqueryResult,
} from './types.js';
import type { SoqlScalar } from './values.js';
import { formatLiteral, LikePattern, quoteLikePattern, toLiteral } from './values.js';

// ---------------------------------------------------------------------------------------------
// Tokens

type ReplaceAll<S extends string, From extends string, To extends string, Acc extends string = ''> =
  S extends `${infer A}${From}${infer B}` ? ReplaceAll<B, From, To, `${Acc}${A}${To}`> : `${Acc}${S}`;

type Spaced<S extends string> = ReplaceAll<
  ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<S, '\n', ' '>, '\t', ' '>, '\r', ' '>, ',', ' , '>, '(', ' ( '>,
  ')',
  ' ) '
>;

type TrimLeft<S extends string> = S extends ` ${infer R}` ? TrimLeft<R> : S;

/** The words of a query (punctuation `,` `(` `)` as words of their own). */
export type Tokens<S extends string> = Split<TrimLeft<Spaced<S>>>;
type Split<S extends string, Acc extends string[] = []> = S extends `${infer W} ${infer R}`
  ? Split<TrimLeft<R>, [...Acc, W]>
  : S extends ''
    ? Acc
    : [...Acc, S];

// ---------------------------------------------------------------------------------------------
// Parsing the SELECT list into items

/** A parsed SELECT item. */
type Item =
  | { readonly k: 'path'; readonly p: string }
  | { readonly k: 'fn'; readonly fn: string; readonly arg: string; readonly alias: string | undefined }
  | { readonly k: 'sub'; readonly rel: string; readonly items: readonly Item[] }
  | { readonly k: 'typeof'; readonly rel: string; readonly whens: readonly [string, readonly string[]][]; readonly else: readonly string[] }
  | { readonly k: 'count' };

interface Parsed<Items extends readonly Item[], From extends string> {
  readonly items: Items;
  readonly from: From;
}

type Err<Msg extends string> = { readonly error: Msg };

type U<T extends string> = Uppercase<T>;
type Functions = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'FORMAT' | 'TOLABEL';
type Keyword = 'FROM' | 'WHERE' | 'SELECT' | 'TYPEOF' | 'WHEN' | 'THEN' | 'ELSE' | 'END';

/** Parses `SELECT ... FROM X` from the tokens of a query (the rest is ignored). */
type ParseQuery<T extends readonly string[]> = T extends [infer S extends string, ...infer R extends string[]]
  ? U<S> extends 'SELECT'
    ? ParseItems<R, []>
    : Err<`expected SELECT at the start of the query, found '${S}'`>
  : Err<'empty query'>;

type ParseItems<T extends string[], Items extends Item[]> = T extends [infer H extends string, ...infer R extends string[]]
  ? H extends '('
    ? CollectParen<R, [], []> extends [infer Inner extends string[], infer After extends string[]]
      ? ParseQuery<Inner> extends infer Q
        ? Q extends Parsed<infer SubItems, infer Rel>
          ? AfterItem<After, [...Items, { k: 'sub'; rel: Rel; items: SubItems }]>
          : Q
        : never
      : Err<"unbalanced '(' in the SELECT list">
    : U<H> extends 'TYPEOF'
      ? ParseTypeOf<R, Items>
      : R extends ['(', ...infer R2 extends string[]]
        ? U<H> extends Functions
          ? R2 extends [')', ...infer R3 extends string[]]
            ? U<H> extends 'COUNT'
              ? AfterItem<R3, [...Items, { k: 'count' }]>
              : Err<`${H}() needs a field`>
            : R2 extends [infer A extends string, ')', ...infer R3 extends string[]]
              ? R3 extends [infer Alias extends string, ...infer R4 extends string[]]
                ? Alias extends ','
                  ? AfterItem<R3, [...Items, { k: 'fn'; fn: U<H>; arg: A; alias: undefined }]>
                  : U<Alias> extends 'FROM'
                    ? AfterItem<R3, [...Items, { k: 'fn'; fn: U<H>; arg: A; alias: undefined }]>
                    : AfterItem<R4, [...Items, { k: 'fn'; fn: U<H>; arg: A; alias: Alias }]>
                : Err<'expected FROM'>
              : Err<`${H}(...) with more than a field is not supported in a checked query; use the builder`>
          : Err<`'${H}' is not a function supported in a checked query`>
        : U<H> extends Keyword
          ? Err<`expected a field, found '${H}'`>
          : H extends ',' | ')'
            ? Err<`expected a field, found '${H}'`>
            : AfterItem<R, [...Items, { k: 'path'; p: H }]>
  : Err<'expected a field, found the end of the query'>;

type AfterItem<T extends string[], Items extends Item[]> = T extends [infer H extends string, ...infer R extends string[]]
  ? H extends ','
    ? ParseItems<R, Items>
    : U<H> extends 'FROM'
      ? R extends [infer From extends string, ...string[]]
        ? Parsed<Items, From>
        : Err<'expected an object name after FROM'>
      : Err<`expected ',' or FROM, found '${H}'`>
  : Err<'expected FROM, found the end of the query'>;

/** Tokens up to the matching ')': [inside, after]. */
type CollectParen<T extends string[], Acc extends string[], Depth extends unknown[]> = T extends [
  infer H extends string,
  ...infer R extends string[],
]
  ? H extends ')'
    ? Depth extends [unknown, ...infer D extends unknown[]]
      ? CollectParen<R, [...Acc, H], D>
      : [Acc, R]
    : H extends '('
      ? CollectParen<R, [...Acc, H], [...Depth, unknown]>
      : CollectParen<R, [...Acc, H], Depth>
  : never;

type ParseTypeOf<T extends string[], Items extends Item[]> = T extends [infer Rel extends string, ...infer R extends string[]]
  ? ParseWhens<R, Rel, [], Items>
  : Err<'expected a relationship after TYPEOF'>;

type ParseWhens<T extends string[], Rel extends string, Whens extends [string, string[]][], Items extends Item[]> = T extends [
  infer H extends string,
  ...infer R extends string[],
]
  ? U<H> extends 'WHEN'
    ? R extends [infer Ty extends string, infer Then extends string, ...infer R2 extends string[]]
      ? U<Then> extends 'THEN'
        ? TypeOfFields<R2, []> extends [infer F extends string[], infer After extends string[]]
          ? ParseWhens<After, Rel, [...Whens, [Ty, F]], Items>
          : Err<`TYPEOF ${Rel}: expected fields after WHEN ${Ty} THEN`>
        : Err<`TYPEOF ${Rel}: expected THEN after WHEN ${Ty}`>
      : Err<`TYPEOF ${Rel}: incomplete WHEN`>
    : U<H> extends 'ELSE'
      ? TypeOfFields<R, []> extends [infer F extends string[], infer After extends string[]]
        ? After extends [infer End extends string, ...infer R3 extends string[]]
          ? U<End> extends 'END'
            ? AfterItem<R3, [...Items, { k: 'typeof'; rel: Rel; whens: Whens; else: F }]>
            : Err<`TYPEOF ${Rel}: expected END`>
          : Err<`TYPEOF ${Rel}: expected END`>
        : Err<`TYPEOF ${Rel}: expected fields after ELSE`>
      : U<H> extends 'END'
        ? Whens extends []
          ? Err<`TYPEOF ${Rel}: needs at least one WHEN`>
          : AfterItem<R, [...Items, { k: 'typeof'; rel: Rel; whens: Whens; else: [] }]>
        : Err<`TYPEOF ${Rel}: expected WHEN, ELSE or END, found '${H}'`>
  : Err<`TYPEOF ${Rel}: expected END`>;

/** `a , b , c` up to WHEN / ELSE / END: [fields, rest]. */
type TypeOfFields<T extends string[], Acc extends string[]> = T extends [infer F extends string, ...infer R extends string[]]
  ? U<F> extends 'WHEN' | 'ELSE' | 'END'
    ? Acc extends []
      ? never
      : [Acc, T]
    : F extends ','
      ? TypeOfFields<R, Acc>
      : TypeOfFields<R, [...Acc, F]>
  : never;

// ---------------------------------------------------------------------------------------------
// Checking items against the schema and building the row

type MetaOfName<Reg, N extends string> = N extends keyof Reg ? (Reg[N] extends infer M extends SObjectMeta ? M : never) : never;

interface Acc {
  readonly paths: string;
  readonly extra: object;
  readonly agg: boolean;
  readonly n: readonly unknown[];
}

type Fold<Reg, M extends SObjectMeta, Items extends readonly Item[], A extends Acc> = Items extends readonly [
  infer I extends Item,
  ...infer R extends readonly Item[],
]
  ? Step<Reg, M, I, A> extends infer Next
    ? Next extends Acc
      ? Fold<Reg, M, R, Next>
      : Next
    : never
  : A;

type AggKinds = {
  COUNT: string;
  COUNT_DISTINCT: string;
  SUM: 'int' | 'long' | 'double' | 'currency' | 'percent';
  AVG: 'int' | 'long' | 'double' | 'currency' | 'percent';
  MIN: string;
  MAX: string;
  FORMAT: string;
  TOLABEL: string;
};

type Step<Reg, M extends SObjectMeta, I extends Item, A extends Acc> = I extends { k: 'path'; p: infer P extends string }
  ? Check<PathErrors<Reg, M, P>, { paths: A['paths'] | P; extra: A['extra']; agg: A['agg']; n: A['n'] }>
  : I extends { k: 'fn'; fn: infer F extends keyof AggKinds; arg: infer P extends string; alias: infer Alias }
    ? Check<
        PathErrors<Reg, M, P>,
        F extends 'FORMAT' | 'TOLABEL'
          ? {
              paths: A['paths'];
              extra: A['extra'] & { [K in Alias extends string ? Alias : LastSegment<P>]: string | null };
              agg: A['agg'];
              n: A['n'];
            }
          : {
              paths: A['paths'];
              extra: A['extra'] & {
                [K in Alias extends string ? Alias : `expr${A['n']['length']}`]: F extends 'COUNT' | 'COUNT_DISTINCT'
                  ? number
                  : F extends 'SUM' | 'AVG'
                    ? number | null
                    : PathValue<Reg, M, P> | null;
              };
              agg: true;
              n: Alias extends string ? A['n'] : [...A['n'], unknown];
            }
      >
    : I extends { k: 'sub'; rel: infer Rel extends string; items: infer SubItems extends readonly Item[] }
      ? Rel extends keyof M['children']
        ? M['children'][Rel] extends infer CN extends string
          ? CN extends keyof Reg
            ? EvalRow<Reg, MetaOfName<Reg, CN>, SubItems> extends infer SubRow
              ? SubRow extends Err<string>
                ? SubRow
                : { paths: A['paths']; extra: A['extra'] & { [K in Rel]: SubqueryResult<SubRow> | null }; agg: A['agg']; n: A['n'] }
              : never
            : Err<NotLoaded<CN>>
          : never
        : Err<`'${Rel}' is not a child relationship of ${M['name']}`>
      : I extends { k: 'typeof'; rel: infer Rel extends string; whens: infer W extends readonly [string, readonly string[]][]; else: infer E extends readonly string[] }
        ? Rel extends keyof M['parents']
          ? TypeOfErrors<Reg, M, Rel, W, E> extends infer Errs extends string
            ? [Errs] extends [never]
              ? {
                  paths: A['paths'];
                  extra: A['extra'] & { [K in Rel]: TypeOfRow<Reg, M, Rel, W, E> };
                  agg: A['agg'];
                  n: A['n'];
                }
              : Err<Errs>
            : never
          : Err<`'${Rel}' is not a parent relationship of ${M['name']}`>
        : I extends { k: 'count' }
          ? { paths: A['paths']; extra: A['extra']; agg: true; n: A['n'] }
          : never;

type Check<Errors, Next> = [Errors] extends [never] ? Next : Err<Errors & string>;

type TypeOfErrors<Reg, M extends SObjectMeta, Rel extends string, W extends readonly [string, readonly string[]][], E extends readonly string[]> =
  | {
      [I in keyof W]: W[I][0] extends M['parents'][Rel]
        ? W[I][0] extends keyof Reg
          ? PathErrors<Reg, MetaOfName<Reg, W[I][0]>, W[I][1][number]>
          : NotLoaded<W[I][0]>
        : `'${W[I][0]}' is not a target of ${M['name']}.${Rel}`;
    }[number]
  | (E extends [] ? never : PathErrors<Reg, M, `${Rel}.${E[number]}`>);

type TypeOfRow<Reg, M extends SObjectMeta, Rel extends string, W extends readonly [string, readonly string[]][], E extends readonly string[]> =
  | TypeOfTarget<Reg, M['parents'][Rel] & string, W, E>
  | (Rel extends keyof M['nullableParents'] ? (M['nullableParents'][Rel] extends false ? never : null) : null);
type TypeOfTarget<Reg, N extends string, W extends readonly [string, readonly string[]][], E extends readonly string[]> =
  N extends string
    ? [WhenFields<W, N>] extends [never]
      ? NameRow<N, E[number]>
      : N extends keyof Reg
        ? Simplify<{ attributes: RowAttributes<N> } & PathsRow<Reg, MetaOfName<Reg, N>, WhenFields<W, N>>>
        : never
    : never;
type WhenFields<W extends readonly [string, readonly string[]][], N extends string> = {
  [I in keyof W]: W[I][0] extends N ? W[I][1][number] : never;
}[number];

type EvalRow<Reg, M extends SObjectMeta, Items extends readonly Item[]> =
  Fold<Reg, M, Items, { paths: never; extra: {}; agg: false; n: [] }> extends infer A
    ? A extends Acc
      ? A['agg'] extends true
        ? Simplify<{ attributes: AggregateAttributes } & AggregatePathsRow<Reg, M, A['paths']> & A['extra']>
        : Simplify<{ attributes: RowAttributes<M['name']> } & PathsRow<Reg, M, A['paths']> & A['extra']>
      : A
    : never;

/** The row type of query text `T` (or `{ error }`), resolving objects in registry `Reg`. */
export type SoqlRow<T extends string, Reg = SObjectRegistry> =
  ParseQuery<Tokens<T>> extends infer Q
    ? Q extends Parsed<infer Items, infer From>
      ? From extends keyof Reg
        ? EvalRow<Reg, MetaOfName<Reg, From>, Items>
        : Err<`'${From}' is not a loaded sObject (misspelt, or its generated module is not imported)`>
      : Q
    : never;

// ---------------------------------------------------------------------------------------------
// Bind variables

type IdentStart = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z' | '_';
type IdentChar = IdentStart | Uppercase<IdentStart> | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
type LeadingIdent<S extends string, Acc extends string = ''> = S extends `${infer C}${infer R}`
  ? C extends IdentChar
    ? LeadingIdent<R, `${Acc}${C}`>
    : Acc
  : Acc;

/** The bind variable names (`:name`) in query text `T`. */
export type BindNames<T extends string, Acc extends string = never> = T extends `${string}:${infer R}`
  ? R extends `${infer C}${string}`
    ? C extends IdentStart | Uppercase<IdentStart>
      ? BindNames<R, Acc | LeadingIdent<R>>
      : BindNames<R, Acc>
    : Acc
  : Acc;

/** A value for a bind variable: a scalar, or a non-empty list (for IN / NOT IN / INCLUDES / EXCLUDES). */
export type BindValue = SoqlScalar | readonly SoqlScalar[];

/** The binds argument `soql()` requires for text `T`. */
export type BindsFor<T extends string> = [BindNames<T>] extends [never]
  ? []
  : [binds: { readonly [K in BindNames<T>]: BindValue }];

/** `T` when it type-checks, else the error message (so the argument fails to compile, naming why). */
export type CheckSoql<T extends string, Reg = SObjectRegistry> = SoqlRow<T, Reg> extends Err<infer E> ? E : T;

// ---------------------------------------------------------------------------------------------
// Run time

/** A query from `soql()`: the text with its binds substituted, and the row type. */
export class CheckedQuery<R> implements TypedQuery<R> {
  declare readonly __row?: R;
  /** The parsed query (validated before anything is sent). */
  readonly node: SelectQuery;
  readonly #text: string;

  /** @internal use {@link soql} */
  constructor(text: string) {
    this.#text = text;
    this.node = parseSoql(text);
    Object.freeze(this);
  }

  toSoql(): string {
    return this.#text;
  }

  toString(): string {
    return this.#text;
  }
}

function formatBind(name: string, value: unknown): string {
  const location = `:${name}`;
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SoqlBuildError(location, 'a list bind needs at least one value');
    return `(${value.map((v: unknown, i) => formatBind(`${name}[${i}]`, v)).join(', ')})`;
  }
  if (value instanceof LikePattern) return quoteLikePattern(value.pattern);
  return formatLiteral(toLiteral(value, location));
}

/**
 * Substitutes `:name` bind variables (outside string literals) with escaped, formatted values.
 * Every bind must be given and every given bind used.
 */
export function substituteBinds(text: string, binds: Readonly<Record<string, unknown>>): string {
  let out = '';
  const used = new Set<string>();
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ':' && /[A-Za-z_]/.test(text[i + 1] ?? '') && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1)) as RegExpExecArray;
      const name = m[0];
      if (!Object.prototype.hasOwnProperty.call(binds, name)) {
        throw new SoqlBuildError(`:${name}`, `no value given for bind variable :${name}`);
      }
      out += formatBind(name, binds[name]);
      used.add(name);
      i += 1 + name.length;
      continue;
    }
    out += c;
    i++;
  }
  for (const name of Object.keys(binds)) {
    if (!used.has(name)) throw new SoqlBuildError(`:${name}`, `bind variable :${name} is not used in the query`);
  }
  return out;
}

/** The `soql` function type over registry `Reg`. */
export interface SoqlFunction<Reg> {
  <const T extends string>(text: CheckSoql<T, Reg>, ...binds: BindsFor<T>): CheckedQuery<SoqlRow<T, Reg>>;
}

/**
 * A checked SOQL query. The literal is parsed at compile time against the generated types: the row
 * type comes from the SELECT list and the FROM object, and an unknown field, relationship or
 * object is a compile error naming it. Values go in as `:name` binds, escaped at run time. The
 * text is parsed at run time too (a {@link SoqlParseError} with line and column before any
 * request).
 *
 * @example
 * ```ts
 * const q = soql('SELECT Id, Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account WHERE Industry = :industry', {
 *   industry: 'Energy',
 * });
 * const { records } = await client.query(q);
 * records[0]?.Owner.Name; // string | null
 * ```
 */
export const soql: SoqlFunction<SObjectRegistry> = soqlIn<SObjectRegistry>();

/**
 * A `soql` function resolving objects in another registry (an org generated into its own
 * namespace; see `RegistryOf` in `types.ts`).
 */
export function soqlIn<Reg>(): SoqlFunction<Reg> {
  return ((text: string, binds?: Readonly<Record<string, unknown>>) =>
    new CheckedQuery(substituteBinds(text, binds ?? {}))) as unknown as SoqlFunction<Reg>;
}
