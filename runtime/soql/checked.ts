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
  NumericKind,
  PathErrors,
  PathKind,
  PathsRow,
  PathValue,
  RowAttributes,
  Simplify,
  SubqueryResult,
} from './types.js';
import type { SoqlScalar } from './values.js';
import { formatLiteral, LikePattern, quoteLikePattern, toLiteral } from './values.js';

// ---------------------------------------------------------------------------------------------
// Text helpers
//
// The parser works on the string itself, item by item (`${infer Item},${infer Rest}`), and keeps
// what it found in unions rather than tuples: no tuple is rebuilt per token, so the cost grows
// linearly with the number of SELECT items (a tuple-per-token parser grows quadratically).

type ReplaceAll<S extends string, From extends string, To extends string, Acc extends string = ''> =
  S extends `${infer A}${From}${infer B}` ? ReplaceAll<B, From, To, `${Acc}${A}${To}`> : `${Acc}${S}`;
type Normalize<S extends string> = ReplaceAll<ReplaceAll<ReplaceAll<S, '\n', ' '>, '\t', ' '>, '\r', ' '>;
type TrimLeft<S extends string> = S extends ` ${infer R}` ? TrimLeft<R> : S;
type TrimRight<S extends string> = S extends `${infer R} ` ? TrimRight<R> : S;
type Trim<S extends string> = TrimLeft<TrimRight<S>>;
type FirstWord<S extends string> = S extends `${infer W} ${string}` ? W : S;

type Err<Msg extends string> = { readonly error: Msg };
type U<T extends string> = Uppercase<T>;
type Functions = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'FORMAT' | 'TOLABEL';
type Aggregates = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
type Keyword = 'FROM' | 'WHERE' | 'SELECT' | 'TYPEOF' | 'WHEN' | 'THEN' | 'ELSE' | 'END' | 'ORDER' | 'GROUP' | 'LIMIT';

/** `[before, after]` around the first ` FROM ` (any case), or `false`. (Not `never`: `never extends [...]` is true.) */
type SplitFrom<S extends string> = S extends `${infer A} FROM ${infer B}`
  ? [A, B]
  : S extends `${infer A} from ${infer B}`
    ? [A, B]
    : S extends `${infer A} From ${infer B}`
      ? [A, B]
      : false;

/** `[inside, after]` for text after an opening parenthesis, up to its matching `)`. */
type CloseParen<S extends string, Acc extends string = '', Depth extends unknown[] = []> = S extends `${infer Seg})${infer After}`
  ? [...Depth, ...CountOpen<Seg>] extends [unknown, ...infer D extends unknown[]]
    ? CloseParen<After, `${Acc}${Seg})`, D>
    : [`${Acc}${Seg}`, After]
  : false;
type CountOpen<S extends string, C extends unknown[] = []> = S extends `${string}(${infer R}` ? CountOpen<R, [...C, unknown]> : C;

/** `[body, after]` around the first ` END` (any case) closing a TYPEOF. */
type SplitEnd<S extends string> = S extends `${infer A} END${infer B}`
  ? [A, B]
  : S extends `${infer A} end${infer B}`
    ? [A, B]
    : S extends `${infer A} End${infer B}`
      ? [A, B]
      : false;

// ---------------------------------------------------------------------------------------------
// Parsing the SELECT list

/** An aggregate or FORMAT/toLabel call: its function, field, and the row key it produces. */
interface FnItem {
  readonly fn: string;
  readonly arg: string;
  readonly key: string;
}
/** A child subquery, kept as text until the parent object is known. */
interface SubItem {
  readonly text: string;
}
/** A TYPEOF, kept as text until the parent object is known. */
interface TypeOfItem {
  readonly rel: string;
  readonly body: string;
}

/** What a SELECT list holds. */
interface Selection {
  readonly paths: string;
  readonly fns: FnItem;
  readonly subs: SubItem;
  readonly typeofs: TypeOfItem;
  /** Unaliased aggregates so far (for `expr0`, `expr1`, ...). */
  readonly n: readonly unknown[];
  readonly agg: boolean;
}

interface Parsed<Sel extends Selection, From extends string> {
  readonly sel: Sel;
  readonly from: From;
}

interface Sel<P extends string, F extends FnItem, Sb extends SubItem, Ty extends TypeOfItem, N extends readonly unknown[], A extends boolean>
  extends Selection {
  readonly paths: P;
  readonly fns: F;
  readonly subs: Sb;
  readonly typeofs: Ty;
  readonly n: N;
  readonly agg: A;
}
type Empty = Sel<never, never, never, never, [], false>;
type AddPath<S extends Selection, P extends string> = Sel<S['paths'] | P, S['fns'], S['subs'], S['typeofs'], S['n'], S['agg']>;
type AddSub<S extends Selection, T extends string> = Sel<S['paths'], S['fns'], S['subs'] | { text: T }, S['typeofs'], S['n'], S['agg']>;
type AddTypeOf<S extends Selection, R extends string, B extends string> = Sel<
  S['paths'], S['fns'], S['subs'], S['typeofs'] | { rel: R; body: B }, S['n'], S['agg']
>;
type AddCount<S extends Selection> = Sel<S['paths'], S['fns'], S['subs'], S['typeofs'], S['n'], true>;
type AddFn<S extends Selection, Fn extends string, Arg extends string, Alias extends string> = Fn extends Aggregates
  ? Sel<
      S['paths'],
      S['fns'] | { fn: Fn; arg: Arg; key: Alias extends '' ? `expr${S['n']['length']}` : Alias },
      S['subs'],
      S['typeofs'],
      Alias extends '' ? [...S['n'], unknown] : S['n'],
      true
    >
  : Sel<S['paths'], S['fns'] | { fn: Fn; arg: Arg; key: Alias extends '' ? LastSegment<Arg> : Alias }, S['subs'], S['typeofs'], S['n'], S['agg']>;

/** Parses `SELECT ... FROM X` (the rest of the query is left to the run-time parser and lint). */
type ParseQuery<T extends string> = TrimLeft<T> extends `${infer W} ${infer Rest}`
  ? U<W> extends 'SELECT'
    ? ParseList<TrimLeft<Rest>, Empty>
    : Err<`expected SELECT at the start of the query, found '${W}'`>
  : Err<'expected SELECT ... FROM ...'>;

type ParseList<S extends string, Acc extends Selection> = S extends `(${infer Open}`
  ? CloseParen<Open> extends [infer Inner extends string, infer After extends string]
    ? AfterItem<TrimLeft<After>, AddSub<Acc, Trim<Inner>>>
    : Err<"unbalanced '(' in the SELECT list">
  : U<FirstWord<S>> extends 'TYPEOF'
    ? S extends `${string} ${infer Body}`
      ? SplitEnd<Body> extends [infer B extends string, infer After extends string]
        ? TrimLeft<B> extends `${infer Rel} ${infer Whens}`
          ? AfterItem<TrimLeft<After>, AddTypeOf<Acc, Rel, Whens>>
          : Err<'TYPEOF: expected a relationship and WHEN clauses'>
        : Err<'TYPEOF: expected END'>
      : Err<'TYPEOF: expected a relationship'>
    : S extends `${infer Chunk},${infer Rest}`
      ? SplitFrom<Chunk> extends [infer Item extends string, infer From extends string]
        ? Finish<Item, From, Acc>
        : AddItem<Trim<Chunk>, Acc> extends infer Next
          ? Next extends Selection
            ? ParseList<TrimLeft<Rest>, Next>
            : Next
          : never
      : SplitFrom<S> extends [infer Item extends string, infer From extends string]
        ? Finish<Item, From, Acc>
        : Err<`expected FROM after '${Trim<S>}'`>;

type Finish<Item extends string, From extends string, Acc extends Selection> =
  AddItem<Trim<Item>, Acc> extends infer Next
    ? Next extends Selection
      ? FirstWord<TrimLeft<From>> extends infer Obj extends string
        ? Obj extends ''
          ? Err<'expected an object name after FROM'>
          : Parsed<Next, Obj>
        : never
      : Next
    : never;

/** After a subquery or TYPEOF: `, more items` or `FROM X`. */
type AfterItem<S extends string, Acc extends Selection> = S extends `,${infer Rest}`
  ? ParseList<TrimLeft<Rest>, Acc>
  : U<FirstWord<S>> extends 'FROM'
    ? S extends `${string} ${infer From}`
      ? FirstWord<TrimLeft<From>> extends infer Obj extends string
        ? Parsed<Acc, Obj>
        : never
      : Err<'expected an object name after FROM'>
    : Err<`expected ',' or FROM, found '${FirstWord<S>}'`>;

/** One plain item: a field path, or a function call with an optional alias. */
type AddItem<I extends string, Acc extends Selection> = I extends `${infer Fn}(${infer Arg})${infer Alias}`
  ? U<Trim<Fn>> extends Functions
    ? Trim<Arg> extends ''
      ? U<Trim<Fn>> extends 'COUNT'
        ? AddCount<Acc>
        : Err<`${Trim<Fn>}() needs a field`>
      : Arg extends `${string}(${string}` | `${string},${string}`
        ? Err<`${Trim<Fn>}(${Arg}) is not supported in a checked query; use the builder or a plain field`>
        : Trim<Alias> extends `${string} ${string}`
          ? Err<`expected ',' or FROM after '${I}'`>
          : AddFn<Acc, U<Trim<Fn>>, Trim<Arg>, Trim<Alias>>
    : Err<`'${Trim<Fn>}' is not a function supported in a checked query`>
  : I extends ''
    ? Err<'expected a field'>
    : I extends `${infer W} ${string}`
      ? Err<`expected ',' or FROM after '${W}'`>
      : U<I> extends Keyword
        ? Err<`expected a field, found '${I}'`>
        : AddPath<Acc, I>;

// ---------------------------------------------------------------------------------------------
// Checking the selection against the schema and building the row

type MetaOfName<Reg, N extends string> = N extends keyof Reg ? (Reg[N] extends infer M extends SObjectMeta ? M : never) : never;

type FnErrors<Reg, M extends SObjectMeta, F extends FnItem> = F extends FnItem
  ? PathErrors<Reg, M, F['arg']> extends infer E extends string
    ? [E] extends [never]
      ? F['fn'] extends 'SUM' | 'AVG'
        ? PathKind<Reg, M, F['arg']> extends NumericKind
          ? never
          : `${F['fn']}() needs a number field, not ${F['arg']}`
        : never
      : E
    : never
  : never;

type FnRow<Reg, M extends SObjectMeta, F extends FnItem> = {
  [I in F as I['key']]: I['fn'] extends 'COUNT' | 'COUNT_DISTINCT'
    ? number
    : I['fn'] extends 'SUM' | 'AVG'
      ? number | null
      : I['fn'] extends 'FORMAT' | 'TOLABEL'
        ? string | null
        : PathValue<Reg, M, I['arg']> | null;
};

/** A child subquery evaluated against the parent `M`: `{ rel, row }` or an error. */
type EvalSub<Reg, M extends SObjectMeta, T extends string> =
  ParseQuery<T> extends infer Q
    ? Q extends Parsed<infer S, infer Rel>
      ? Rel extends keyof M['children']
        ? M['children'][Rel] extends infer CN extends string
          ? CN extends keyof Reg
            ? EvalSelection<Reg, MetaOfName<Reg, CN>, S> extends infer Row
              ? Row extends Err<string>
                ? Row
                : { rel: Rel; row: Row }
              : never
            : Err<NotLoaded<CN>>
          : never
        : Err<`'${Rel}' is not a child relationship of ${M['name']}`>
      : Q
    : never;

type SubErrors<Reg, M extends SObjectMeta, Sb extends SubItem> = Sb extends SubItem
  ? EvalSub<Reg, M, Sb['text']> extends Err<infer E>
    ? E
    : never
  : never;
type SubRows<Reg, M extends SObjectMeta, Sb extends SubItem> = Sb extends SubItem
  ? EvalSub<Reg, M, Sb['text']> extends { rel: infer R extends string; row: infer Row }
    ? { [K in R]: SubqueryResult<Row> | null }
    : never
  : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** A TYPEOF body (`What WHEN A THEN f, g WHEN B THEN h ELSE i`) as `[whens, else]`. */
type ParseWhens<S extends string, W extends [string, string[]][] = []> = TrimLeft<S> extends `${infer Kw} ${infer Rest}`
  ? U<Kw> extends 'WHEN'
    ? TrimLeft<Rest> extends `${infer Ty} ${infer Then} ${infer Fields}`
      ? U<Then> extends 'THEN'
        ? NextClause<Fields> extends [infer F extends string, infer More extends string]
          ? ParseWhens<More, [...W, [Ty, FieldList<F>]]>
          : [[...W, [Ty, FieldList<Fields>]], []]
        : Err<`TYPEOF: expected THEN after WHEN ${Ty}`>
      : Err<'TYPEOF: incomplete WHEN'>
    : U<Kw> extends 'ELSE'
      ? [W, FieldList<Rest>]
      : Err<`TYPEOF: expected WHEN or ELSE, found '${Kw}'`>
  : W extends []
    ? Err<'TYPEOF: needs at least one WHEN'>
    : [W, []];
type NextClause<S extends string> = S extends `${infer F} WHEN ${infer R}`
  ? [F, `WHEN ${R}`]
  : S extends `${infer F} when ${infer R}`
    ? [F, `WHEN ${R}`]
    : S extends `${infer F} ELSE ${infer R}`
      ? [F, `ELSE ${R}`]
      : S extends `${infer F} else ${infer R}`
        ? [F, `ELSE ${R}`]
        : false;
type FieldList<S extends string, Acc extends string[] = []> = S extends `${infer F},${infer R}`
  ? FieldList<R, [...Acc, Trim<F>]>
  : Trim<S> extends ''
    ? Acc
    : [...Acc, Trim<S>];

type TypeOfEval<Reg, M extends SObjectMeta, T extends TypeOfItem> = T['rel'] extends keyof M['parents']
  ? ParseWhens<T['body']> extends infer P
    ? P extends [infer W extends [string, string[]][], infer E extends string[]]
      ? TypeOfErrors<Reg, M, T['rel'], W, E> extends infer Errs extends string
        ? [Errs] extends [never]
          ? { [K in T['rel']]: TypeOfRow<Reg, M, T['rel'], W, E> }
          : Err<Errs>
        : never
      : P
    : never
  : Err<`'${T['rel']}' is not a parent relationship of ${M['name']}`>;
type TypeOfErrs<Reg, M extends SObjectMeta, Ty extends TypeOfItem> = Ty extends TypeOfItem
  ? TypeOfEval<Reg, M, Ty> extends Err<infer E>
    ? E
    : never
  : never;
type TypeOfRows<Reg, M extends SObjectMeta, Ty extends TypeOfItem> = Ty extends TypeOfItem
  ? TypeOfEval<Reg, M, Ty> extends infer R
    ? R extends Err<string>
      ? never
      : R
    : never
  : never;

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

/** Plain fields are settled with one `Exclude` over the whole union instead of one check each. */
type PlainErrors<M extends SObjectMeta, P extends string> = Exclude<P, keyof M['kinds']> extends infer Bad extends string
  ? Bad extends string
    ? `'${Bad}' is not a field of ${M['name']}`
    : never
  : never;

/** All error messages of a selection on `M` (never when it type-checks). */
type SelectionErrors<Reg, M extends SObjectMeta, S extends Selection> =
  | PlainErrors<M, Exclude<S['paths'], `${string}.${string}`>>
  | PathErrors<Reg, M, Extract<S['paths'], `${string}.${string}`>>
  | FnErrors<Reg, M, S['fns']>
  | SubErrors<Reg, M, S['subs']>
  | TypeOfErrs<Reg, M, S['typeofs']>;

type EvalSelection<Reg, M extends SObjectMeta, S extends Selection> = [SelectionErrors<Reg, M, S>] extends [never]
  ? S['agg'] extends true
    ? Simplify<{ attributes: AggregateAttributes } & AggregatePathsRow<Reg, M, S['paths']> & FnRow<Reg, M, S['fns']>>
    : Simplify<
        { attributes: RowAttributes<M['name']> } &
          PathsRow<Reg, M, S['paths']> &
          FnRow<Reg, M, S['fns']> &
          UnionToIntersection<SubRows<Reg, M, S['subs']> | TypeOfRows<Reg, M, S['typeofs']> | {}>
      >
  : Err<SelectionErrors<Reg, M, S> & string>;

/** The row type of query text `T` (or `{ error }`), resolving objects in registry `Reg`. */
export type SoqlRow<T extends string, Reg = SObjectRegistry> =
  ParseQuery<Normalize<T>> extends infer Q
    ? Q extends Parsed<infer S, infer From>
      ? From extends keyof Reg
        ? EvalSelection<Reg, MetaOfName<Reg, From>, S>
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
