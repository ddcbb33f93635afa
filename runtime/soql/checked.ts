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
 * The type-level parser reads the whole query. The SELECT list (fields, parent paths, child
 * subqueries, TYPEOF, aggregates and date functions with aliases, FORMAT, toLabel, convertCurrency)
 * and the FROM object give the row type. The clauses after FROM (WHERE, WITH, GROUP BY, HAVING,
 * ORDER BY, LIMIT, OFFSET, FOR, UPDATE), in the query and in its subqueries and semi-joins, are
 * checked against the schema: unknown fields and relationships, operators that make no sense for a
 * field's type (LIKE on a number, INCLUDES on a non-multipicklist, `<` on a boolean), literals of
 * the wrong type, and each bind's type from what it is compared with. Every problem is a compile
 * error whose message names it. Names are case-insensitive, as in SOQL (`select id, owner.name
 * from account`): each resolves to its API name, which keys the row as in Salesforce's response.
 * The structure of conditions (parentheses, AND/OR mixing) is left to the run-time parser, which
 * runs before anything is sent; `sfgen lint` checks the same against the schema snapshot. The walkers are tail-recursive over items and words, so a 40-field query
 * with a 10-condition WHERE stays far below TypeScript's instantiation limits.
 */
import type { DeniedFlags, SObjectRegistry, TypedQuery } from '../schema.js';
import type { DateLiteralName, DateLiteralNName, SelectQuery } from './ast.js';
import { SoqlBuildError } from './errors.js';
import { parseSoql } from './parser.js';
import type {
  AggregateAttributes,
  AggregatePathsRow,
  IsUnion,
  LastSegment,
  MetaShape,
  NameObjectKinds,
  NameRow,
  NotLoaded,
  NumericKind,
  OperatorFor,
  PathErrors,
  PathKind,
  PathsRow,
  PathValue,
  NotQueryable,
  RestrictionError,
  RowAttributes,
  ScalarFor,
  Simplify,
  SubqueryResult,
  TextKind,
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
/**
 * The text as the type-level parser reads it: whitespace as plain spaces, and every string literal
 * as one word, so that what a literal holds (`'a, b'`, `'x FROM y'`, `':name'`) can never be taken
 * for syntax: `$str~<content>` with the characters the parser splits on (space, parentheses,
 * comma, colon, comparison signs) replaced by private-use characters (see {@link LiteralText}), or
 * plain `$str` when the content is empty or holds an escape (such a literal is not compared with
 * picklist values). An unterminated literal is left as written; the run-time parser reports it
 * with its position.
 */
type Normalize<S extends string> = MaskStrings<
  ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<S, '\n', ' '>, '\t', ' '>, '\r', ' '>, '\\\\', '\uE00A'>, "\\'", '\uE00B'>
>;
type MaskStrings<S extends string, Acc extends string = ''> = S extends `${infer A}'${infer B}`
  ? B extends `${infer Content}'${infer C}`
    ? MaskStrings<C, `${Acc}${A} ${MaskedLiteral<Content>} `>
    : `${Acc}${S}`
  : `${Acc}${S}`;
type MaskedLiteral<C extends string> = C extends '' | `${string}${'\uE00A' | '\uE00B' | '\\'}${string}`
  ? '$str'
  : `$str~${ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<C, ' ', '\uE000'>, '(', '\uE001'>, ')', '\uE002'>, ',', '\uE003'>, ':', '\uE004'>, '!', '\uE005'>, '<', '\uE006'>, '>', '\uE007'>, '=', '\uE008'>}`;
/** The content of a masked literal word (`$str~...`), or never for a plain `$str`. */
type LiteralText<W extends string> = W extends `$str~${infer E}`
  ? ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<E, '\uE000', ' '>, '\uE001', '('>, '\uE002', ')'>, '\uE003', ','>, '\uE004', ':'>, '\uE005', '!'>, '\uE006', '<'>, '\uE007', '>'>, '\uE008', '='>
  : never;
/** A masked string literal word. */
type StrWord = `$str${string}`;
type TrimLeft<S extends string> = S extends ` ${infer R}` ? TrimLeft<R> : S;
type TrimRight<S extends string> = S extends `${infer R} ` ? TrimRight<R> : S;
type Trim<S extends string> = TrimLeft<TrimRight<S>>;
type FirstWord<S extends string> = S extends `${infer W} ${string}` ? W : S;

type Err<Msg extends string> = { readonly error: Msg };
type U<T extends string> = Uppercase<T>;
type Functions = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'FORMAT' | 'TOLABEL' | 'CONVERTCURRENCY' | DateFunction;
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

/**
 * An aggregate or FORMAT/toLabel call: its function, field, the row key it produces, and whether
 * that key is an alias (else, for FORMAT/toLabel/convertCurrency, the field's name, re-derived
 * when the field is written in another case than its API name's).
 */
interface FnItem {
  readonly fn: string;
  readonly arg: string;
  readonly key: string;
  readonly aliased: boolean;
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

/** A parsed query: its SELECT list, FROM object, and the text after the object (clauses, unparsed). */
interface Parsed<Sel extends Selection, From extends string, Tail extends string> {
  readonly sel: Sel;
  readonly from: From;
  readonly tail: Tail;
}

/** The text after FROM (`Account WHERE ...`) as the object and the rest. */
type ParsedFrom<Acc extends Selection, From extends string> = TrimLeft<From> extends `${infer Obj} ${infer Tail}`
  ? Parsed<Acc, Obj, Tail>
  : TrimLeft<From> extends ''
    ? Err<'expected an object name after FROM'>
    : Parsed<Acc, TrimLeft<From>, ''>;

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
type AddFn<S extends Selection, Fn extends string, Arg extends string, Alias extends string> = Fn extends Aggregates | DateFunction
  ? Sel<
      S['paths'],
      S['fns'] | { fn: Fn; arg: Arg; key: Alias extends '' ? `expr${S['n']['length']}` : Alias; aliased: true },
      S['subs'],
      S['typeofs'],
      Alias extends '' ? [...S['n'], unknown] : S['n'],
      true
    >
  : Sel<
      S['paths'],
      S['fns'] | { fn: Fn; arg: Arg; key: Alias extends '' ? LastSegment<Arg> : Alias; aliased: Alias extends '' ? false : true },
      S['subs'],
      S['typeofs'],
      S['n'],
      S['agg']
    >;

/** Parses `SELECT ... FROM X`, keeping the clauses after X as text (see `CheckClauses`). */
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
        ? AddItem<Trim<Item>, Acc, `${From},${Rest}`, true>
        : AddItem<Trim<Chunk>, Acc, TrimLeft<Rest>, false>
      : SplitFrom<S> extends [infer Item extends string, infer From extends string]
        ? AddItem<Trim<Item>, Acc, From, true>
        : Err<`expected FROM after '${Trim<S>}'`>;

/**
 * Continues after an item: with the rest of the list, or (`Last`) with the text after FROM. A
 * continuation rather than a returned selection that the caller tests (`Next extends Selection`):
 * that test is a structural comparison per item, on a selection that grows with every item.
 */
type Then<Next extends Selection, Rest extends string, Last extends boolean> = Last extends true
  ? ParsedFrom<Next, Rest>
  : ParseList<Rest, Next>;

/** After a subquery or TYPEOF: `, more items` or `FROM X`. */
type AfterItem<S extends string, Acc extends Selection> = S extends `,${infer Rest}`
  ? ParseList<TrimLeft<Rest>, Acc>
  : U<FirstWord<S>> extends 'FROM'
    ? S extends `${string} ${infer From}`
      ? ParsedFrom<Acc, From>
      : Err<'expected an object name after FROM'>
    : Err<`expected ',' or FROM, found '${FirstWord<S>}'`>;

/** One plain item: a field path, or a function call with an optional alias; then what follows. */
type AddItem<I extends string, Acc extends Selection, Rest extends string, Last extends boolean> = I extends `${infer Fn}(${infer Arg})${infer Alias}`
  ? U<Trim<Fn>> extends Functions
    ? Trim<Arg> extends ''
      ? U<Trim<Fn>> extends 'COUNT'
        ? Then<AddCount<Acc>, Rest, Last>
        : Err<`${Trim<Fn>}() needs a field`>
      : Arg extends `${string}(${string}` | `${string},${string}`
        ? Err<`${Trim<Fn>}(${Arg}) is not supported in a checked query; use the builder or a plain field`>
        : Trim<Alias> extends `${string} ${string}`
          ? Err<`expected ',' or FROM after '${I}'`>
          : Then<AddFn<Acc, U<Trim<Fn>>, Trim<Arg>, Trim<Alias>>, Rest, Last>
    : Err<`'${Trim<Fn>}' is not a function supported in a checked query`>
  : I extends ''
    ? Err<'expected a field'>
    : I extends `${infer W} ${string}`
      ? Err<`expected ',' or FROM after '${W}'`>
      : U<I> extends Keyword
        ? Err<`expected a field, found '${I}'`>
        : Then<AddPath<Acc, I>, Rest, Last>;

// ---------------------------------------------------------------------------------------------
// Checking the selection against the schema and building the row

type MetaOfName<Reg, N extends string> = N extends keyof Reg ? (Reg[N] extends infer M extends MetaShape ? M : never) : never;

// ---------------------------------------------------------------------------------------------
// Names in any case
//
// SOQL names (objects, fields, parent and child relationships, TYPEOF types) are case-insensitive;
// rows carry the API name's case. Every name is resolved exact case first (`N extends keyof O`,
// what a correctly-cased query pays), and only when absent through the object's keys by their
// lower-case form. That map is one mapped type per object, instantiated once per program and
// cached, so a lookup in it is an indexed access. A name that matches nothing is kept as written,
// so that the error messages name it as the query does.

/** The keys of `O` by their lower-case form. */
type FoldedKeys<O> = { [K in keyof O & string as Lowercase<K>]: K };
/** The key of `O` that `N` names in any case, else `N` as written. */
type CanonKey<O, N extends string> = N extends keyof O ? N : FoldedLookup<FoldedKeys<O>, Lowercase<N>, N>;
type FoldedLookup<F, L extends string, N extends string> = L extends keyof F ? F[L] & string : N;
/** The member of the name union `T` that `N` names in any case (a TYPEOF WHEN type), else `N`. */
type CanonMember<T extends string, N extends string> = N extends T ? N : FoldedLookup<{ [K in T as Lowercase<K>]: K }, Lowercase<N>, N>;

/**
 * Field path `P` on `M` with every segment in its API name's case (a union distributes). Segments
 * after one that matches nothing are kept as written.
 */
type CanonPath<Reg, M extends MetaShape, P extends string> = P extends keyof M['kinds']
  ? P
  : P extends `${infer R}.${infer Rest}`
    ? CanonKey<M['parents'], R> extends infer R2 extends string
      ? `${R2}.${CanonVia<Reg, R2 extends keyof M['parents'] ? M['parents'][R2] & string : never, Rest>}`
      : never
    : CanonKey<M['kinds'], P>;
/** Path `Rest` through a relationship to `N`: a Name-object field when polymorphic, else a path on `N`. */
type CanonVia<Reg, N extends string, Rest extends string> = [N] extends [never]
  ? Rest
  : IsUnion<N> extends true
    ? CanonKey<NameObjectKinds, Rest>
    : N extends keyof Reg
      ? CanonPath<Reg, MetaOfName<Reg, N>, Rest>
      : Rest;

/**
 * A selection with its names in the API name's case. Only built when the selection as written
 * has errors (see {@link EvalQuery}, {@link Resolved}): a correctly-cased query never builds it.
 */
type CanonSelection<Reg, M extends MetaShape, S extends Selection> = Sel<
  CanonPath<Reg, M, S['paths']>,
  CanonFns<Reg, M, S['fns']>,
  S['subs'],
  S['typeofs'],
  S['n'],
  S['agg']
>;
type CanonFns<Reg, M extends MetaShape, F extends FnItem> = F extends FnItem
  ? CanonPath<Reg, M, F['arg']> extends infer P extends string
    ? { fn: F['fn']; arg: P; key: F['aliased'] extends true ? F['key'] : LastSegment<P>; aliased: F['aliased'] }
    : never
  : never;
/** `S` when it checks as written, else `S` with canonical names. */
type Resolved<Reg, M extends MetaShape, S extends Selection> = [SelectionErrors<Reg, M, S>] extends [never] ? S : CanonSelection<Reg, M, S>;

type FnErrors<Reg, M extends MetaShape, F extends FnItem> = F extends FnItem
  ? PathErrors<Reg, M, F['arg']> extends infer E extends string
    ? [E] extends [never]
      ? F['fn'] extends 'SUM' | 'AVG'
        ? PathKind<Reg, M, F['arg']> extends NumericKind
          ? never
          : `${F['fn']}() needs a number field, not ${F['arg']}`
        : F['fn'] extends DateFunction
          ? PathKind<Reg, M, F['arg']> extends 'date' | 'datetime'
            ? never
            : `${F['fn']}() needs a date or datetime field, not ${F['arg']}`
          : never
      : E
    : never
  : never;

type FnRow<Reg, M extends MetaShape, F extends FnItem> = {
  [I in F as I['key']]: I['fn'] extends 'COUNT' | 'COUNT_DISTINCT'
    ? number
    : I['fn'] extends 'SUM' | 'AVG'
      ? number | null
      : I['fn'] extends 'FORMAT' | 'TOLABEL' | 'DAY_ONLY'
        ? string | null
        : I['fn'] extends DateFunction
          ? number | null
          : PathValue<Reg, M, I['arg']> | null;
};

/** A child subquery evaluated against the parent `M`: `{ rel, row, binds }` or an error. */
type EvalSub<Reg, M extends MetaShape, T extends string> =
  ParseQuery<T> extends infer Q
    ? Q extends Parsed<infer S, infer Written, infer Tail>
      ? CanonKey<M['children'], Written> extends infer Rel extends keyof M['children'] & string
        ? M['children'][Rel] extends infer CN extends string
          ? CN extends keyof Reg
            ? ([DeniedFlags<MetaOfName<Reg, CN>, 'queryable'>] extends [never] ? EvalQuery<Reg, MetaOfName<Reg, CN>, S, Tail> : Err<NotQueryable<CN>>) extends infer R
              ? R extends { row: infer Row; binds: infer B }
                ? { rel: Rel; row: Row; binds: B }
                : R
              : never
            : Err<NotLoaded<CN>>
          : never
        : Err<`'${Written}' is not a child relationship of ${M['name']}`>
      : Q
    : never;

type SubErrors<Reg, M extends MetaShape, Sb extends SubItem> = Sb extends SubItem
  ? EvalSub<Reg, M, Sb['text']> extends Err<infer E>
    ? E
    : never
  : never;
type SubRows<Reg, M extends MetaShape, Sb extends SubItem> = Sb extends SubItem
  ? EvalSub<Reg, M, Sb['text']> extends { rel: infer R extends string; row: infer Row }
    ? { [K in R]: SubqueryResult<Row> | null }
    : never
  : never;
type SubBinds<Reg, M extends MetaShape, Sb extends SubItem> = Sb extends SubItem
  ? EvalSub<Reg, M, Sb['text']> extends { binds: infer B }
    ? B
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

type TypeOfEval<Reg, M extends MetaShape, T extends TypeOfItem> = CanonKey<M['parents'], T['rel']> extends infer Rel extends keyof M['parents'] & string
  ? ParseWhens<T['body']> extends infer P
    ? P extends [infer W0 extends [string, string[]][], infer E0 extends string[]]
      ? M['parents'][Rel] & string extends infer N extends string
        ? CanonWhens<Reg, N, W0> extends infer W extends [string, string[]][]
          ? CanonElse<Reg, N, E0> extends infer E extends string[]
            ? TypeOfErrors<Reg, M, Rel, W, E> extends infer Errs extends string
              ? [Errs] extends [never]
                ? { [K in Rel]: TypeOfRow<Reg, M, Rel, W, E> }
                : Err<Errs>
              : never
            : never
          : never
        : never
      : P
    : never
  : Err<`'${T['rel']}' is not a parent relationship of ${M['name']}`>;
/** WHEN clauses with each type as its target's API name, and its fields as paths on that target. */
type CanonWhens<Reg, N extends string, W, Acc extends [string, string[]][] = []> = W extends [
  [infer Ty extends string, infer F extends string[]],
  ...infer More,
]
  ? CanonWhens<Reg, N, More, [...Acc, [CanonMember<N, Ty>, CanonFields<Reg, CanonMember<N, Ty>, F>]]>
  : Acc;
type CanonFields<Reg, Ty extends string, F extends string[], Acc extends string[] = []> = F extends [infer P extends string, ...infer More extends string[]]
  ? CanonFields<Reg, Ty, More, [...Acc, Ty extends keyof Reg ? CanonPath<Reg, MetaOfName<Reg, Ty>, P> : P]>
  : Acc;
/** ELSE fields through the relationship to `N` (Name-object fields when polymorphic). */
type CanonElse<Reg, N extends string, E extends string[], Acc extends string[] = []> = E extends [infer P extends string, ...infer More extends string[]]
  ? CanonElse<Reg, N, More, [...Acc, CanonVia<Reg, N, P>]>
  : Acc;
type TypeOfErrs<Reg, M extends MetaShape, Ty extends TypeOfItem> = Ty extends TypeOfItem
  ? TypeOfEval<Reg, M, Ty> extends Err<infer E>
    ? E
    : never
  : never;
type TypeOfRows<Reg, M extends MetaShape, Ty extends TypeOfItem> = Ty extends TypeOfItem
  ? TypeOfEval<Reg, M, Ty> extends infer R
    ? R extends Err<string>
      ? never
      : R
    : never
  : never;

type TypeOfErrors<Reg, M extends MetaShape, Rel extends string, W extends readonly [string, readonly string[]][], E extends readonly string[]> =
  | {
      [I in keyof W]: W[I][0] extends M['parents'][Rel & keyof M['parents']]
        ? W[I][0] extends keyof Reg
          ? PathErrors<Reg, MetaOfName<Reg, W[I][0]>, W[I][1][number]>
          : NotLoaded<W[I][0]>
        : `'${W[I][0]}' is not a target of ${M['name']}.${Rel}`;
    }[number]
  | (E extends [] ? never : PathErrors<Reg, M, `${Rel}.${E[number]}`>);

type TypeOfRow<Reg, M extends MetaShape, Rel extends string, W extends readonly [string, readonly string[]][], E extends readonly string[]> =
  | TypeOfTarget<Reg, M['parents'][Rel & keyof M['parents']] & string, W, E>
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
type PlainErrors<M extends MetaShape, P extends string> = Exclude<P, keyof M['kinds']> extends infer Bad extends string
  ? Bad extends string
    ? `'${Bad}' is not a field of ${M['name']}`
    : never
  : never;

/** All error messages of a selection on `M` (never when it type-checks). */
type SelectionErrors<Reg, M extends MetaShape, S extends Selection> =
  | PlainErrors<M, Exclude<S['paths'], `${string}.${string}`>>
  | PathErrors<Reg, M, Extract<S['paths'], `${string}.${string}`>>
  | FnErrors<Reg, M, S['fns']>
  | SubErrors<Reg, M, S['subs']>
  | TypeOfErrs<Reg, M, S['typeofs']>;

/** The row of a selection; `Grouped` when the query has GROUP BY (aggregate rows even without a function). */
type SelectionRow<Reg, M extends MetaShape, S extends Selection, Grouped extends boolean> = [S['agg'] | Grouped] extends [false]
  ? Simplify<
      { attributes: RowAttributes<M['name']> } &
        PathsRow<Reg, M, S['paths']> &
        FnRow<Reg, M, S['fns']> &
        UnionToIntersection<SubRows<Reg, M, S['subs']> | TypeOfRows<Reg, M, S['typeofs']> | {}>
    >
  : Simplify<{ attributes: AggregateAttributes } & AggregatePathsRow<Reg, M, S['paths']> & FnRow<Reg, M, S['fns']>>;

/** A whole query on `M`: `{ row, binds }` (binds as `[name, type]` pairs), or `Err` naming every problem. */
type EvalQuery<Reg, M extends MetaShape, S0 extends Selection, Tail extends string> =
  CheckClauses<Reg, M, Tail> extends [infer CE extends string, infer CB, infer G extends boolean]
    ? WithoutAlias<S0, AliasOf<Tail>> extends infer S extends Selection
      ? EvalSelectionOf<Reg, M, S, CE, CB, G>
      : never
    : never;
type EvalSelectionOf<Reg, M extends MetaShape, S extends Selection, CE extends string, CB, G extends boolean> =
  SelectionErrors<Reg, M, S> extends infer SE extends string
    ? [SE] extends [never]
      ? EvalSelection<Reg, M, S, CE, CB, G, never>
      : CanonSelection<Reg, M, S> extends infer C extends Selection
        ? EvalSelection<Reg, M, C, CE, CB, G, SelectionErrors<Reg, M, C>>
        : never
    : never;

/**
 * The FROM alias of a query (`w` in `FROM Widget__c w WHERE ...`): the first word after the
 * object when it is not a clause keyword, else `''`.
 */
type AliasOf<Tail extends string> = TrimLeft<Tail> extends `${infer W} ${string}`
  ? U<W> extends ClauseKeyword
    ? ''
    : W
  : TrimLeft<Tail> extends infer W extends string
    ? U<W> extends ClauseKeyword | ''
      ? ''
      : W
    : '';
/**
 * A selection with the FROM alias taken off its paths and function arguments (`w.Name` ->
 * `Name`, `w.Account__r.Name` -> `Account__r.Name`; the alias in any case), as Salesforce keys
 * the rows. Unchanged (and not rebuilt) without an alias.
 */
type WithoutAlias<S extends Selection, A extends string> = A extends ''
  ? S
  : Sel<StripAlias<S['paths'], A>, StripFnAlias<S['fns'], A>, S['subs'], S['typeofs'], S['n'], S['agg']>;
type StripFnAlias<F extends FnItem, A extends string> = F extends FnItem
  ? StripAlias<F['arg'], A> extends infer P extends string
    ? { fn: F['fn']; arg: P; key: F['aliased'] extends true ? F['key'] : LastSegment<P>; aliased: F['aliased'] }
    : never
  : never;
/** The result of a selection `S` whose errors are `SE`, with the clauses' errors `CE` and binds `CB`. */
type EvalSelection<Reg, M extends MetaShape, S extends Selection, CE extends string, CB, G extends boolean, SE extends string> =
  [SE | CE] extends [never]
    ? { row: SelectionRow<Reg, M, S, G>; binds: CB | SubBinds<Reg, M, S['subs']> }
    : Err<SE | CE>;

/** Query text `T` checked in registry `Reg`: `{ row, binds }` or `Err`. */
type Analyze<T extends string, Reg> =
  ParseQuery<Normalize<T>> extends infer Q
    ? Q extends Parsed<infer S, infer From, infer Tail>
      ? CanonKey<Reg, From> extends infer Obj extends keyof Reg & string
        ? [DeniedFlags<MetaOfName<Reg, Obj>, 'queryable'>] extends [never]
          ? EvalQuery<Reg, MetaOfName<Reg, Obj>, S, Tail>
          : Err<NotQueryable<Obj>>
        : Err<`'${From}' is not a loaded sObject (misspelt, or its generated module is not imported)`>
      : Q
    : never;

/** The row type of query text `T` (or `{ error }`), resolving objects in registry `Reg`. */
export type SoqlRow<T extends string, Reg = SObjectRegistry> = Analyze<T, Reg> extends infer A
  ? A extends { row: infer R }
    ? R
    : A
  : never;

// ---------------------------------------------------------------------------------------------
// Checking the clauses after FROM: WHERE, WITH, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, FOR,
// UPDATE.
//
// The text after the object is read word by word (string literals are already `$str`; parentheses,
// commas and comparison operators are spaced out first), by one tail-recursive walker whose `Mode`
// says what it expects next. It checks what the schema decides: every field path (unknown fields,
// wrong relationships), every operator against the field's type (LIKE on text, `<` on ordered
// types, INCLUDES on multipicklists, ...), every literal against the field's type (a string for a
// number, `true` for a date, ...), semi-join subqueries (`Id IN (SELECT AccountId FROM Contact)`),
// functions in conditions (`CALENDAR_YEAR(CreatedDate) = 2024`, aggregates in HAVING), and the type
// of every bind from what it is compared with. Grouping and nesting (parentheses, AND / OR / NOT)
// are read leniently: the run-time parser checks the structure, with positions, before anything
// is sent.

type ClauseKeyword = 'WHERE' | 'WITH' | 'GROUP' | 'HAVING' | 'ORDER' | 'LIMIT' | 'OFFSET' | 'FOR' | 'UPDATE' | 'USING';
/** Walker modes: what comes next. */
type ModeOf<K extends string> = K extends 'WHERE'
  ? 'w'
  : K extends 'HAVING'
    ? 'h'
    : K extends 'GROUP'
      ? 'gb'
      : K extends 'ORDER'
        ? 'ob'
        : K extends 'LIMIT' | 'OFFSET'
          ? K
          : 'x';
type AfterMode<Mode extends string> = Mode extends 'w' ? 'wa' : 'ha';

type DateFunction =
  | 'CALENDAR_MONTH' | 'CALENDAR_QUARTER' | 'CALENDAR_YEAR' | 'DAY_IN_MONTH' | 'DAY_IN_WEEK' | 'DAY_IN_YEAR' | 'DAY_ONLY'
  | 'FISCAL_MONTH' | 'FISCAL_QUARTER' | 'FISCAL_YEAR' | 'HOUR_IN_DAY' | 'WEEK_IN_MONTH' | 'WEEK_IN_YEAR';
type AggregateWord = Aggregates | 'GROUPING';
type FunctionWord = AggregateWord | DateFunction | 'FORMAT' | 'TOLABEL' | 'CONVERTCURRENCY' | 'CONVERTTIMEZONE' | 'DISTANCE' | 'GEOLOCATION' | 'FIELDS';
/** Words of ORDER BY and GROUP BY that are not field paths. */
type KeyNoise = 'ASC' | 'DESC' | 'NULLS' | 'FIRST' | 'LAST' | 'ROLLUP' | 'CUBE' | FunctionWord;
type ListOperator = 'IN' | 'NOT IN' | 'INCLUDES' | 'EXCLUDES';
interface OperatorWords {
  '#eq': '=';
  '#ne': '!=';
  '#lt': '<';
  '#le': '<=';
  '#gt': '>';
  '#ge': '>=';
}
type DateLiteralWord = DateLiteralName | `${DateLiteralNName}:${string}`;

/** Spaces out parentheses, commas and comparison operators (as `#eq`, `#ne`, ... words). */
type Prepare<S extends string> = ReplaceAll<
  ReplaceAll<
    ReplaceAll<
      ReplaceAll<
        ReplaceAll<
          ReplaceAll<
            ReplaceAll<ReplaceAll<ReplaceAll<ReplaceAll<S, '(', ' ( '>, ')', ' ) '>, ',', ' , '>, '!=', ' #ne '>,
            '<>',
            ' #ne '
          >,
          '<=',
          ' #le '
        >,
        '>=',
        ' #ge '
      >,
      '<',
      ' #lt '
    >,
    '>',
    ' #gt '
  >,
  '=',
  ' #eq '
>;

/** `[errors, binds, grouped]` of the clauses after the FROM object (`Tail`) of a query on `M`. */
type CheckClauses<Reg, M extends MetaShape, Tail extends string> = Tail extends ''
  ? [never, never, false]
  : Walk<Reg, M, '', `${Prepare<Tail>} `, 'start', never, never, false>;

/** A path as written, without the FROM alias (`a.Name` with `FROM Account a`; the alias in any case). */
type StripAlias<P extends string, A extends string> = A extends ''
  ? P
  : P extends `${A}.${infer R}`
    ? R
    : P extends `${infer H}.${infer R}`
      ? Lowercase<H> extends Lowercase<A>
        ? R
        : P
      : P;

type Walk<Reg, M extends MetaShape, A extends string, S extends string, Mode extends string, E extends string, B, G extends boolean> =
  TrimLeft<S> extends `${infer W} ${infer R}` ? Step<Reg, M, A, W, R, Mode, E, B, G> : [E | EndError<Mode>, B, G];

// One small alias per mode rather than one nested conditional: TypeScript resolves each
// conditional type node once per program, testing every type parameter in scope against the
// node's subtree, which grows quadratically with nesting.

/** One word `W` (the rest `R`) in mode `Mode`. */
type Step<Reg, M extends MetaShape, A extends string, W extends string, R extends string, Mode extends string, E extends string, B, G extends boolean> =
  Mode extends 'w' | 'h'
    ? CondStart<Reg, M, A, W, R, Mode, E, B, G>
    : Mode extends 'wa' | 'ha'
      ? AfterCondition<Reg, M, A, W, R, Mode, E, B, G>
      : Mode extends 'o' | 'g' | 'of' | 'gf'
        ? KeyStep<Reg, M, A, W, R, Mode, E, B, G>
        : Mode extends 'x'
          ? SkipStep<Reg, M, A, W, R, E, B, G>
          : Mode extends 'gb' | 'ob'
            ? ByStep<Reg, M, A, W, R, Mode, E, B, G>
            : Mode extends 'LIMIT' | 'OFFSET'
              ? NumberStep<Reg, M, A, W, R, Mode, E, B, G>
              : Mode extends 'start'
                ? StartStep<Reg, M, A, W, R, E, B, G>
                : ToClause<Reg, M, A, W, R, E, B, G, `expected WHERE, WITH, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or FOR, found ${Shown<W>}`>;

/** After a condition: AND / OR, a closing parenthesis, or the next clause. */
type AfterCondition<Reg, M extends MetaShape, A extends string, W extends string, R extends string, Mode extends string, E extends string, B, G extends boolean> =
  U<W> extends 'AND' | 'OR'
    ? Walk<Reg, M, A, R, Mode extends 'wa' ? 'w' : 'h', E, B, G>
    : W extends ')'
      ? Walk<Reg, M, A, R, Mode, E, B, G>
      : ToClause<Reg, M, A, W, R, E, B, G, `expected AND, OR or the next clause, found ${Shown<W>}`>;

/** A word of ORDER BY or GROUP BY: a field path to check, or punctuation, a keyword, a function name. */
type KeyStep<Reg, M extends MetaShape, A extends string, W extends string, R extends string, Mode extends string, E extends string, B, G extends boolean> =
  W extends ')'
    ? Walk<Reg, M, A, R, Mode extends 'of' ? 'o' : Mode extends 'gf' ? 'g' : Mode, E, B, G>
    : W extends ',' | '(' | StrWord | `:${string}` | `${number}`
      ? Walk<Reg, M, A, R, Mode, E, B, G>
      : U<W> extends ClauseKeyword
        ? ToClause<Reg, M, A, W, R, E, B, G, never>
        : U<W> extends FunctionWord
          ? Walk<Reg, M, A, R, Mode extends 'o' ? 'of' : Mode extends 'g' ? 'gf' : Mode, E, B, G>
          : U<W> extends KeyNoise
            ? Walk<Reg, M, A, R, Mode, E, B, G>
            : Walk<Reg, M, A, R, Mode, E | KeyErrors<Reg, M, CanonPath<Reg, M, StripAlias<W, A>>, Mode>, B, G>;

/**
 * The errors of a field path in ORDER BY (`o`) or GROUP BY (`g`): the path's own, then the last
 * field's `sortable` / `groupable`. Inside a function's parentheses (`of`, `gf`: `GROUP BY
 * CALENDAR_YEAR(CreatedDate)`, `ORDER BY COUNT(Id)`) only the path is checked: the function's
 * result is what is grouped or sorted.
 */
type KeyErrors<Reg, M extends MetaShape, P extends string, Mode extends string> = [PathErrors<Reg, M, P>] extends [never]
  ? Mode extends 'o'
    ? RestrictionError<Reg, M, P, 'unsortable'>
    : Mode extends 'g'
      ? RestrictionError<Reg, M, P, 'ungroupable'>
      : never
  : PathErrors<Reg, M, P>;

/** WITH, FOR, UPDATE, USING SCOPE: words up to the next clause are not checked here. */
type SkipStep<Reg, M extends MetaShape, A extends string, W extends string, R extends string, E extends string, B, G extends boolean> =
  U<W> extends ClauseKeyword ? ToClause<Reg, M, A, W, R, E, B, G, never> : Walk<Reg, M, A, R, 'x', E, B, G>;

/** `BY` after GROUP or ORDER. */
type ByStep<Reg, M extends MetaShape, A extends string, W extends string, R extends string, Mode extends string, E extends string, B, G extends boolean> =
  U<W> extends 'BY'
    ? Walk<Reg, M, A, R, Mode extends 'gb' ? 'g' : 'o', E, B, G>
    : [E | `expected BY after ${Mode extends 'gb' ? 'GROUP' : 'ORDER'}, found ${Shown<W>}`, B, G];

/** The number (or `:bind`, typed number) after LIMIT or OFFSET. */
type NumberStep<Reg, M extends MetaShape, A extends string, W extends string, R extends string, Mode extends string, E extends string, B, G extends boolean> =
  W extends `${number}`
    ? Walk<Reg, M, A, R, 'clause', E, B, G>
    : W extends `:${infer N}`
      ? Walk<Reg, M, A, R, 'clause', E, B | [N, number], G>
      : [E | `${Mode} expects a number or a :bind, found ${Shown<W>}`, B, G];

/** The first word after the object: a clause, or the object's alias. */
type StartStep<Reg, M extends MetaShape, A extends string, W extends string, R extends string, E extends string, B, G extends boolean> =
  U<W> extends ClauseKeyword ? ToClause<Reg, M, A, W, R, E, B, G, never> : Walk<Reg, M, W, R, 'clause', E, B, G>;

type EndError<Mode extends string> = Mode extends 'w' | 'h'
  ? 'the query ends where a condition is expected'
  : Mode extends 'gb' | 'ob'
    ? 'the query ends where BY is expected'
    : Mode extends 'LIMIT' | 'OFFSET'
      ? `the query ends where the ${Mode} number is expected`
      : never;

/** A clause keyword starts the next clause; anything else ends the walk with `Msg`. */
type ToClause<Reg, M extends MetaShape, A extends string, W extends string, R extends string, E extends string, B, G extends boolean, Msg extends string> =
  U<W> extends ClauseKeyword
    ? Walk<Reg, M, A, R, ModeOf<U<W>>, E, B, U<W> extends 'GROUP' ? true : G>
    : [E | Msg, B, G];

/** Where a condition starts: `(`, NOT, a function call or a field path. */
type CondStart<Reg, M extends MetaShape, A extends string, W extends string, R extends string, Mode extends string, E extends string, B, G extends boolean> =
  U<W> extends '(' | 'NOT'
    ? Walk<Reg, M, A, R, Mode, E, B, G>
    : W extends StrWord
      ? [E | `expected a condition, found ${Shown<W>}`, B, G]
      : U<W> extends ')' | ',' | 'AND' | 'OR' | ClauseKeyword | `#${string}`
      ? [E | `expected a condition, found ${Shown<W>}`, B, G]
      : TrimLeft<R> extends `( ${infer Args}`
        ? FunctionCondition<Reg, M, A, W, Args, Mode, E, B, G>
        : CanonPath<Reg, M, StripAlias<W, A>> extends infer P extends string
          ? PathCondition<Reg, M, A, P, R, Mode, E, B, G>
          : never;

/** A condition on a field path `P`. */
type PathCondition<Reg, M extends MetaShape, A extends string, P extends string, R extends string, Mode extends string, E extends string, B, G extends boolean> =
  Comparison<Reg, M, A, PathKind<Reg, M, P>, PathValue<Reg, M, P>, P, R, Mode, E | ConditionPathErrors<Reg, M, P>, B, G>;
/** The errors of a path on the left of a condition: the path's own, then the last field's `filterable`. */
type ConditionPathErrors<Reg, M extends MetaShape, P extends string> = [PathErrors<Reg, M, P>] extends [never]
  ? RestrictionError<Reg, M, P, 'unfilterable'>
  : PathErrors<Reg, M, P>;

/** A condition on a function call `W(...)` (`Args`: the text after the opening parenthesis). */
type FunctionCondition<Reg, M extends MetaShape, A extends string, W extends string, Args extends string, Mode extends string, E extends string, B, G extends boolean> =
  CloseParen<Args> extends [infer Inner extends string, infer After extends string]
    ? FunctionOperand<Reg, M, A, W, Trim<Inner>, Mode> extends [infer K, infer V, infer FE extends string, infer L extends string]
      ? Comparison<Reg, M, A, K, V, L, After, Mode, E | FE, B, G>
      : never
    : [E | `unbalanced '(' after ${W}`, B, G];

/** The argument of a function in a condition, through `convertTimezone(...)`. */
type FunctionArgument<Inner extends string> = Inner extends `${infer F} ( ${infer X}`
  ? U<Trim<F>> extends 'CONVERTTIMEZONE'
    ? Trim<X> extends `${infer P} )`
      ? Trim<P>
      : Inner
    : Inner
  : Inner;
/** A single path argument (not a list or a nested expression), or never. */
type PathArgument<Arg extends string> = Arg extends '' | `${string} ${string}` ? never : Arg;

/** `[kind, read type, errors, label]` of a function call on the left of a condition. */
type FunctionOperand<Reg, M extends MetaShape, A extends string, W extends string, Inner extends string, Mode extends string> = FunctionOperandOf<
  Reg,
  M,
  W,
  U<W>,
  `${W}(${FunctionArgument<Inner>})`,
  CanonPath<Reg, M, StripAlias<PathArgument<FunctionArgument<Inner>>, A>>,
  Mode
>;
type FunctionOperandOf<Reg, M extends MetaShape, W extends string, F extends string, L extends string, P extends string, Mode extends string> =
  F extends DateFunction
    ? [F extends 'DAY_ONLY' ? 'date' : 'int', never, ArgumentError<Reg, M, P, W, 'date' | 'datetime', 'a date or datetime'>, L]
    : F extends AggregateWord
      ? Mode extends 'w'
        ? [never, never, `${W}() is an aggregate: use it in HAVING, not WHERE`, L]
        : [
            F extends 'SUM' | 'AVG' ? 'double' : F extends 'MIN' | 'MAX' ? PathKind<Reg, M, P> : 'int',
            F extends 'MIN' | 'MAX' ? PathValue<Reg, M, P> : number,
            F extends 'SUM' | 'AVG' ? ArgumentError<Reg, M, P, F, NumericKind, 'a number'> : [P] extends [never] ? never : PathErrors<Reg, M, P>,
            L,
          ]
      : F extends 'CONVERTCURRENCY'
        ? [PathKind<Reg, M, P>, PathValue<Reg, M, P>, PathErrors<Reg, M, P>, L]
        : F extends 'TOLABEL'
          ? ['string', string, PathErrors<Reg, M, P>, L]
          : F extends 'DISTANCE'
            ? ['double', number, never, L]
            : [never, never, `'${W}' is not a function usable in a condition`, L];
/** The error of a function's field argument `P` (none when it is not a single path). */
type ArgumentError<Reg, M extends MetaShape, P extends string, F extends string, Kinds, What extends string> = [P] extends [never]
  ? never
  : [PathErrors<Reg, M, P>] extends [never]
    ? PathKind<Reg, M, P> extends Kinds
      ? never
      : What extends 'a number'
        ? `${F}() needs a number field, not ${P}`
        : `${F}() needs ${What} field, not ${P} (${PathKind<Reg, M, P> & string})`
    : PathErrors<Reg, M, P>;

/** The operator after the left side `L` (kind `K`, read type `V`) of a condition. */
type Comparison<Reg, M extends MetaShape, A extends string, K, V, L extends string, S extends string, Mode extends string, E extends string, B, G extends boolean> =
  TrimLeft<S> extends `${infer O} ${infer R}`
    ? O extends keyof OperatorWords
      ? Operand<Reg, M, A, K, V, L, OperatorWords[O], R, Mode, E, B, G>
      : U<O> extends 'LIKE' | 'IN' | 'INCLUDES' | 'EXCLUDES'
        ? Operand<Reg, M, A, K, V, L, U<O>, R, Mode, E, B, G>
        : U<O> extends 'NOT'
          ? TrimLeft<R> extends `${infer I} ${infer R2}`
            ? U<I> extends 'IN'
              ? Operand<Reg, M, A, K, V, L, 'NOT IN', R2, Mode, E, B, G>
              : [E | `expected IN after ${L} NOT, found '${I}'`, B, G]
            : [E | `expected IN after ${L} NOT`, B, G]
          : [E | `expected an operator after ${L}, found '${O}'`, B, G]
    : [E | `expected an operator after ${L}`, B, G];

/** The operator's fit to the field's type. */
type OperatorError<K, L extends string, Op extends string> = [K] extends [never]
  ? never
  : [OperatorFor<K>] extends [never]
    ? `${L} (a ${K & string} field) cannot be filtered on`
    : Op extends OperatorFor<K>
      ? never
      : `${Op} does not apply to ${L} (a ${K & string} field)`;

/** The value after `L Op`: a bind, a literal, a list or a semi-join subquery. */
type Operand<Reg, M extends MetaShape, A extends string, K, V, L extends string, Op extends string, S extends string, Mode extends string, E extends string, B, G extends boolean> =
  TrimLeft<S> extends `${infer W} ${infer R}`
    ? W extends '('
      ? ParenOperand<Reg, M, A, K, V, L, Op, R, Mode, E, B, G>
      : W extends `:${infer N}`
        ? Walk<Reg, M, A, R, AfterMode<Mode>, E | OperatorError<K, L, Op>, B | [N, BindFor<K, V, Op>], G>
        : Walk<Reg, M, A, R, AfterMode<Mode>, E | ScalarError<K, V, L, Op, W>, B, G>
    : [E | `expected a value after ${L} ${Op}`, B, G];

/** The errors of `L Op W` for a literal `W`: the operator first (a literal's type is moot under a wrong operator). */
type ScalarError<K, V, L extends string, Op extends string, W extends string> = OperatorError<K, L, Op> extends infer OE extends string
  ? [OE] extends [never]
    ? Op extends ListOperator
      ? `${Op} needs a list in parentheses or a :bind, found ${Shown<W>}`
      : LiteralError<K, V, L, Op, W>
    : OE
  : never;

/** A word for an error message (a masked string literal as such). */
type Shown<W extends string> = W extends StrWord ? 'a quoted string' : W extends keyof OperatorWords ? `'${OperatorWords[W]}'` : `'${W}'`;

/** A parenthesized value: a list or a semi-join subquery (`S`: the text after the parenthesis). */
type ParenOperand<Reg, M extends MetaShape, A extends string, K, V, L extends string, Op extends string, S extends string, Mode extends string, E extends string, B, G extends boolean> =
  CloseParen<S> extends [infer Inner extends string, infer After extends string]
    ? (U<FirstWord<TrimLeft<Inner>>> extends 'SELECT' ? SemiJoin<Reg, K, L, Op, Inner> : ListOperand<K, V, L, Op, Inner>) extends [
        infer E2 extends string,
        infer B2,
      ]
      ? Walk<Reg, M, A, After, AfterMode<Mode>, E | OperatorError<K, L, Op> | E2, B | B2, G>
      : never
    : [E | `unbalanced '(' in the value of ${L}`, B, G];

/** What a literal word is. */
type LiteralClass<W extends string> = W extends StrWord
  ? 'string'
  : U<W> extends 'TRUE' | 'FALSE'
    ? 'boolean'
    : U<W> extends 'NULL'
      ? 'null'
      : W extends `${number}`
        ? 'number'
        : U<W> extends DateLiteralWord
          ? 'date literal'
          : W extends `${infer Y}-${string}`
            ? Y extends `${number}`
              ? W extends `${string}T${string}`
                ? 'datetime'
                : 'date'
              : 'other'
            : 'other';
/** The field types each literal class may be compared with. */
interface LiteralKinds {
  string: TextKind | 'id' | 'reference' | 'multipicklist';
  boolean: 'boolean';
  number: NumericKind;
  'date literal': 'date' | 'datetime';
  date: 'date';
  datetime: 'datetime';
}
type LiteralError<K, V, L extends string, Op extends string, W extends string> = LiteralClass<W> extends infer C
  ? C extends 'null'
    ? Op extends '=' | '!='
      ? never
      : `null can only be compared with = or !=, not ${Op}`
    : [K] extends [never]
      ? never
      : C extends keyof LiteralKinds
        ? [Extract<K, LiteralKinds[C]>] extends [never]
          ? `${L} (a ${K & string} field) cannot be compared with ${W extends StrWord ? 'a quoted string' : `${C extends 'date literal' ? 'the date literal' : `the ${C & string}`} ${W}`}`
          : C extends 'string'
            ? PicklistLiteralError<K, V, L, Op, W>
            : never
        : never
  : never;

/**
 * A quoted value compared with a restricted picklist must be a value records can hold (active or
 * inactive; the read type's union), the same rule as binds and the builder: Salesforce runs a
 * query with any other value and returns nothing, so it is almost always a typo. Open picklists
 * (their read type accepts any string), LIKE patterns and literals holding escapes are not checked.
 */
type PicklistLiteralError<K, V, L extends string, Op extends string, W extends string> = Op extends 'LIKE'
  ? never
  : [K] extends ['picklist']
    ? Extract<NonNullable<V>, string> extends infer Values extends string
      ? string extends Values
        ? never
        : LiteralText<W> extends infer T extends string
          ? T extends Values
            ? never
            : `'${T}' is not a value of the restricted picklist ${L}`
          : never
      : never
    : never;

/** `[errors, binds]` of a literal list `(a, b, :c)`. */
type ListOperand<K, V, L extends string, Op extends string, Inner extends string, E extends string = Op extends ListOperator ? never : `a list needs IN, NOT IN, INCLUDES or EXCLUDES, not ${Op}`, B = never> =
  Inner extends `${infer Item},${infer R}`
    ? ListOperand<K, V, L, Op, R, E | ListItemError<K, V, L, Trim<Item>>, B | ListItemBind<K, V, Op, Trim<Item>>>
    : [E | ListItemError<K, V, L, Trim<Inner>>, B | ListItemBind<K, V, Op, Trim<Inner>>];
type ListItemError<K, V, L extends string, I extends string> = I extends ''
  ? `an empty item in the list of ${L}`
  : I extends `:${string}`
    ? never
    : LiteralError<K, V, L, '=', I>;
type ListItemBind<K, V, Op extends string, I extends string> = I extends `:${infer N}`
  ? [N, [K] extends [never] ? SoqlScalar : Op extends 'INCLUDES' | 'EXCLUDES' ? string : ScalarFor<K, V>]
  : never;

/** The type a bind must have on the right of `Op` on a field of type `K` (read type `V`). */
type BindFor<K, V, Op extends string> = [K] extends [never]
  ? BindValue
  : Op extends 'IN' | 'NOT IN'
    ? readonly ScalarFor<K, V>[]
    : Op extends 'INCLUDES' | 'EXCLUDES'
      ? readonly string[]
      : Op extends 'LIKE'
        ? string | LikePattern
        : Op extends '=' | '!='
          ? ScalarFor<K, V> | null
          : ScalarFor<K, V>;

/** `[errors, binds]` of `L IN (SELECT f FROM X ...)`: a query on another object selecting one id or reference field. */
type SemiJoin<Reg, K, L extends string, Op extends string, Inner extends string> =
  | (Op extends 'IN' | 'NOT IN' ? never : `a subquery needs IN or NOT IN, not ${Op}`)
  | ([K] extends [never]
      ? never
      : [Exclude<K, 'id' | 'reference'>] extends [never]
        ? never
        : `${L} (a ${K & string} field) cannot be matched against a subquery: use an id or reference field`) extends infer Own extends string
  ? ParseQuery<Inner> extends infer Q
    ? Q extends Parsed<infer S0, infer Written, infer Tail>
      ? CanonKey<Reg, Written> extends infer Obj extends keyof Reg & string
        ? MetaOfName<Reg, Obj> extends infer M2 extends MetaShape
          ? CheckClauses<Reg, M2, Tail> extends [infer CE extends string, infer CB, boolean]
            ? Resolved<Reg, M2, WithoutAlias<S0, AliasOf<Tail>>> extends infer S extends Selection
              ? [Own | CE | SelectionErrors<Reg, M2, S> | SemiJoinShape<Reg, M2, S, L> | ([DeniedFlags<M2, 'queryable'>] extends [never] ? never : NotQueryable<Obj>), CB]
              : never
            : never
          : never
        : [Own | `'${Written}' is not a loaded sObject (in the subquery of ${L})`, never]
      : Q extends Err<infer Msg>
        ? [Own | `${Msg} (in the subquery of ${L})`, never]
        : never
    : never
  : never;
type SemiJoinShape<Reg, M extends MetaShape, S extends Selection, L extends string> = [S['fns'] | S['subs'] | S['typeofs']] extends [never]
  ? IsUnion<S['paths']> extends false
    ? PathKind<Reg, M, S['paths']> extends 'id' | 'reference'
      ? never
      : `the subquery of ${L} must select an id or reference field, not ${S['paths']}`
    : `the subquery of ${L} must select exactly one field`
  : `the subquery of ${L} must select exactly one field`;

// ---------------------------------------------------------------------------------------------
// Bind variables

type IdentStart = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z' | '_';
type IdentChar = IdentStart | Uppercase<IdentStart> | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
type LeadingIdent<S extends string, Acc extends string = ''> = S extends `${infer C}${infer R}`
  ? C extends IdentChar
    ? LeadingIdent<R, `${Acc}${C}`>
    : Acc
  : Acc;

/** The bind variable names (`:name`) in query text `T` (outside string literals). */
export type BindNames<T extends string> = BindNamesIn<Normalize<T>>;
type BindNamesIn<T extends string, Acc extends string = never> = T extends `${string}:${infer R}`
  ? R extends `${infer C}${string}`
    ? C extends IdentStart | Uppercase<IdentStart>
      ? BindNamesIn<R, Acc | LeadingIdent<R>>
      : BindNamesIn<R, Acc>
    : Acc
  : Acc;

/** A value for a bind variable: a scalar, or a non-empty list (for IN / NOT IN / INCLUDES / EXCLUDES). */
export type BindValue = SoqlScalar | readonly SoqlScalar[];

/** The `[name, type]` pairs of the binds whose use fixes their type (compared with a field, LIMIT). */
type BindTypes<T extends string, Reg> = Analyze<T, Reg> extends { binds: infer B } ? B : never;
/** A bind used in several places must suit all of them. */
type BindType<B, N extends string> = [Extract<B, readonly [N, unknown]>] extends [never]
  ? BindValue
  : (B extends readonly [N, infer V] ? (x: V) => void : never) extends (x: infer I) => void
    ? I
    : never;

/**
 * The binds argument `soql()` requires for text `T`: one member per `:name`, typed by what the
 * name is compared with (`AnnualRevenue > :min` takes a number, `Industry IN :inds` a list of the
 * picklist's values, `Name LIKE :p` a string or `like.*` pattern, `LIMIT :n` a number).
 */
export type BindsFor<T extends string, Reg = SObjectRegistry> = [BindNames<T>] extends [never]
  ? []
  : [binds: { readonly [K in BindNames<T>]: BindType<BindTypes<T, Reg>, K> }];

/** `T` when it type-checks, else the error message (so the argument fails to compile, naming why). */
export type CheckSoql<T extends string, Reg = SObjectRegistry> = Analyze<T, Reg> extends Err<infer E> ? E : T;

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
  <const T extends string>(text: CheckSoql<T, Reg>, ...binds: BindsFor<T, Reg>): CheckedQuery<SoqlRow<T, Reg>>;
}

/**
 * A checked SOQL query. The literal is parsed at compile time against the generated types: the row
 * type comes from the SELECT list and the FROM object; an unknown field, relationship or object
 * anywhere in the query (WHERE, ORDER BY, GROUP BY, HAVING, subqueries and semi-joins included), an
 * operator that does not fit a field's type or a literal of the wrong type is a compile error
 * naming it. Values go in as `:name` binds, typed by what they are compared with and escaped at run
 * time. The text is parsed at run time too (a {@link SoqlParseError} with line and column before
 * any request).
 *
 * @example
 * ```ts
 * const q = soql(
 *   `SELECT Id, Name, Owner.Name, (SELECT LastName FROM Contacts)
 *      FROM Account
 *     WHERE Industry IN :industries AND AnnualRevenue > :min
 *     ORDER BY Name LIMIT 10`,
 *   { industries: ['Energy'], min: 1_000_000 }, // industries: the Industry picklist's values; min: a number
 * );
 * const { records } = await client.query(q);
 * records[0]?.Owner.Name; // string | null
 * // soql('SELECT Id FROM Account WHERE AnnualRevenue LIKE :x', ...) does not compile:
 * // "LIKE does not apply to AnnualRevenue (a currency field)"
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
