/**
 * The typed SOQL builder: `selectFrom(Account).select('Id', 'Owner.Name').where(...)`.
 *
 * Immutable: every call returns a new builder over a new, deeply frozen AST node (`ast.ts`);
 * `toSoql()` compiles it with the pure compiler (`compile.ts`). Field paths, operators and values
 * are checked against the generated metadata at compile time, and the row type is narrowed to the
 * selection. What the types cannot prevent (an empty IN list, a negative LIMIT, an OFFSET above
 * 2,000, an unformattable value) throws a {@link SoqlBuildError} before any request is sent.
 */
import type { SObjectDescriptor, SObjectMeta, SObjectType, TypedQuery } from '../schema.js';
import type {
  Comparison,
  ComparisonOperator,
  Condition,
  FieldRef,
  FunctionCall,
  Literal,
  OrderByItem,
  SelectItem,
  SelectQuery,
} from './ast.js';
import { compileSoql } from './compile.js';
import { SoqlBuildError } from './errors.js';
import type {
  AggregateAttributes,
  AggregateFn,
  AggregateKinds,
  AggregatePathsRow,
  AggregateResult,
  CheckClausePath,
  CheckPath,
  CheckPaths,
  FieldRestriction,
  IsUnion,
  MetaShape,
  NameRow,
  NotLoaded,
  OperatorFor,
  PathErrors,
  PathKind,
  PathsRow,
  PathValue,
  QueryableCheck,
  RegistryOf,
  RestrictionError,
  RowAttributes,
  Simplify,
  SubqueryResult,
  ValueFor,
} from './types.js';
import { like, LikePattern, toLiteral } from './values.js';

/** Salesforce's maximum OFFSET. */
export const MAX_OFFSET = 2000;

// ---------------------------------------------------------------------------------------------
// Type-level state

/**
 * What a builder knows at the type level: the object's metadata, the registry its relationships
 * resolve in, the selected field paths, extra row members (subqueries, TYPEOF, aggregates, labels),
 * whether it is an aggregate query, and how many unaliased aggregates it holds (for `expr0`...).
 */
export interface BuilderState {
  readonly meta: MetaShape;
  readonly reg: object;
  readonly paths: string;
  readonly extra: object;
  readonly agg: boolean;
  readonly n: readonly unknown[];
}

/** A state from its parts. */
export interface State<
  M extends MetaShape,
  Reg extends object,
  P extends string,
  X extends object,
  A extends boolean,
  N extends readonly unknown[],
> extends BuilderState {
  readonly meta: M;
  readonly reg: Reg;
  readonly paths: P;
  readonly extra: X;
  readonly agg: A;
  readonly n: N;
}

/** The initial state of `selectFrom(T)` for the object with metadata `M`. */
export type InitialState<M extends MetaShape> = State<M, RegistryOf<M>, never, {}, false, []>;

type WithPaths<S extends BuilderState, P extends string> = State<S['meta'], S['reg'], S['paths'] | P, S['extra'], S['agg'], S['n']>;
type WithExtra<S extends BuilderState, X extends object> = State<S['meta'], S['reg'], S['paths'], S['extra'] & X, S['agg'], S['n']>;
type WithAggregate<S extends BuilderState, X extends object, N extends readonly unknown[]> = State<
  S['meta'],
  S['reg'],
  S['paths'],
  S['extra'] & X,
  true,
  N
>;

/** The row type a state selects. */
export type SelectionRow<S extends BuilderState> = S['agg'] extends true
  ? Simplify<{ attributes: AggregateAttributes } & AggregatePathsRow<S['reg'], S['meta'], S['paths']> & S['extra']>
  : Simplify<{ attributes: RowAttributes<S['meta']['name']> } & PathsRow<S['reg'], S['meta'], S['paths']> & S['extra']>;

type Kind<S extends BuilderState, P extends string> = PathKind<S['reg'], S['meta'], P>;
type Value<S extends BuilderState, P extends string> = PathValue<S['reg'], S['meta'], P>;
type Path<S extends BuilderState, P extends string> = CheckPath<S['reg'], S['meta'], P>;
/** A path for WHERE (`unfilterable`), ORDER BY (`unsortable`): checked, and refused when the describe says so. */
type ClausePath<S extends BuilderState, P extends string, F extends FieldRestriction> = CheckClausePath<S['reg'], S['meta'], P, F>;

/**
 * What `select` and `groupBy` accept, for editor completion and a cheap first check: the
 * object's fields, and paths through its parent relationships. Paths are then checked to the end
 * by {@link DeepCheck} (only the dotted ones: plain fields are settled by this union).
 */
export type SelectablePath<M extends MetaShape> = (keyof M['kinds'] & string) | `${keyof M['parents'] & string}.${string}`;
/** Errors of the dotted paths among `P` (not of `Rel.${string}` patterns: when an argument is not a selectable path, `P` falls back to its constraint, and the argument's own error is the one to report). */
type DeepErrors<S extends BuilderState, P> = P extends `${string}.${infer Rest}`
  ? string extends Rest
    ? never
    : PathErrors<S['reg'], S['meta'], P>
  : never;
/**
 * The `this` type `select` and `groupBy` require: anything (`unknown`) when every dotted path in
 * `P` is valid, else an object naming the problems, so the call fails with a message like
 * `... is not assignable to ... { readonly 'path error': "'Nmae' is not a field of User" }`.
 *
 * Why on `this` and not on the paths: TypeScript types each argument of a rest parameter by
 * indexing the parameter's type and taking the base constraint of that. For a plain `P` that is
 * the cheap union of selectable paths; for `P & Check<P>` it reduces an intersection with an array
 * (resolving every array method on it), and for a conditional type it computes the constraint of
 * both branches: either way about half the cost of a subquery callback's `select` on the
 * synthetic org. Plain fields are checked at the argument by {@link SelectablePath}.
 */
export type DeepCheck<S extends BuilderState, P extends readonly string[]> = [DeepErrors<S, P[number]>] extends [never]
  ? unknown
  : { readonly 'path error': DeepErrors<S, P[number]> };

/**
 * Errors of the paths among `P` for a clause that the describe flag behind `F` guards (WHERE,
 * ORDER BY, GROUP BY): a dotted path's own errors, then for any path the last field's flag
 * (whether a plain field exists is settled by {@link SelectablePath}).
 */
type DeepClauseErrors<S extends BuilderState, P, F extends FieldRestriction> = P extends `${string}.${infer Rest}`
  ? string extends Rest
    ? never
    : [PathErrors<S['reg'], S['meta'], P>] extends [never]
      ? RestrictionError<S['reg'], S['meta'], P, F>
      : PathErrors<S['reg'], S['meta'], P>
  : P extends string
    ? RestrictionError<S['reg'], S['meta'], P, F>
    : never;
/**
 * The `this` type of `orderBy` and `groupBy` (`where` uses {@link ClauseCheck}): like {@link DeepCheck}, with fields the
 * describe does not allow in the clause refused (`unfilterable`, `unsortable`, `ungroupable`).
 */
export type DeepClauseCheck<S extends BuilderState, P, F extends FieldRestriction> = [DeepClauseErrors<S, P, F>] extends [never]
  ? unknown
  : { readonly 'path error': DeepClauseErrors<S, P, F> };
/**
 * Like {@link DeepClauseCheck} for one path of any shape (plain fields included: `where` takes any
 * string, because an operator constrained by the kind of a path drawn from the union of selectable
 * paths makes TypeScript compute the kind of every field while it infers the operator).
 */
type ClauseErrors<S extends BuilderState, P extends string, F extends FieldRestriction> = [PathErrors<S['reg'], S['meta'], P>] extends [never]
  ? RestrictionError<S['reg'], S['meta'], P, F>
  : PathErrors<S['reg'], S['meta'], P>;
/** The `this` type of `where`: `unknown` when `P` is a path usable in the clause, else an object naming the problem. */
export type ClauseCheck<S extends BuilderState, P extends string, F extends FieldRestriction> = [ClauseErrors<S, P, F>] extends [never]
  ? unknown
  : { readonly 'path error': ClauseErrors<S, P, F> };
/** The `this` type of `groupBy`: {@link DeepClauseCheck} over every path, non-groupable fields refused. */
export type DeepGroupCheck<S extends BuilderState, P extends readonly string[]> = DeepClauseCheck<S, P[number], 'ungroupable'>;

/** Parent relationships of `M` with more than one target (usable with TYPEOF). */
export type PolymorphicRelationship<M extends MetaShape> = {
  [R in keyof M['parents']]: IsUnion<M['parents'][R]> extends true ? R : never;
}[keyof M['parents']] &
  string;

/**
 * The metadata of the child object of relationship `C`. Deliberately non-distributive: while
 * TypeScript infers `C` it may try the whole union of child relationships (hundreds on a large
 * object), and a distributive lookup would resolve every child's metadata.
 */
type ChildMeta<S extends BuilderState, C extends string> = [C] extends [keyof S['meta']['children']]
  ? [S['meta']['children'][C]] extends [keyof S['reg']]
    ? S['reg'][S['meta']['children'][C]] extends infer T extends MetaShape
      ? T
      : never
    : never
  : never;
/** `unknown` when the child object of relationship `C` is loaded, else an object naming it. */
type ChildLoaded<S extends BuilderState, C extends string> = [C] extends [keyof S['meta']['children']]
  ? [Exclude<S['meta']['children'][C], keyof S['reg']>] extends [never]
    ? unknown
    : { readonly 'not loaded': NotLoaded<Exclude<S['meta']['children'][C], keyof S['reg']> & string> }
  : unknown;

/** `unknown` when the child object of relationship `C` is queryable, else an object naming why (fails the call). */
type ChildQueryable<S extends BuilderState, C extends string> = [C] extends [keyof S['meta']['children']] ? QueryableCheck<ChildMeta<S, C>> : unknown;

type TypeOfWhens<S extends BuilderState, R extends string, W> = {
  [N in keyof W]: N extends S['meta']['parents'][R & keyof S['meta']['parents']]
    ? N extends keyof S['reg']
      ? W[N] extends readonly string[]
        ? S['reg'][N] extends infer T extends MetaShape
          ? CheckPaths<S['reg'], T, W[N]>
          : never
        : W[N]
      : NotLoaded<N & string>
    : `'${N & string}' is not a target of ${S['meta']['name']}.${R}`;
};
type CheckElse<S extends BuilderState, R extends string, E extends readonly string[]> = {
  [I in keyof E]: CheckPath<S['reg'], S['meta'], `${R}.${E[I]}`> extends `${R}.${E[I]}`
    ? E[I]
    : CheckPath<S['reg'], S['meta'], `${R}.${E[I]}`>;
};
type TypeOfRow<S extends BuilderState, R extends string, W, E extends readonly string[]> =
  | TypeOfTarget<S['reg'], S['meta']['parents'][R & keyof S['meta']['parents']] & string, W, E>
  | (R extends keyof S['meta']['nullableParents'] ? (S['meta']['nullableParents'][R] extends false ? never : null) : null);
type TypeOfTarget<Reg, N extends string, W, E extends readonly string[]> = N extends keyof W
  ? N extends keyof Reg
    ? Reg[N] extends infer T extends MetaShape
      ? Simplify<{ attributes: RowAttributes<N> } & PathsRow<Reg, T, W[N] extends readonly string[] ? W[N][number] : never>>
      : never
    : never
  : NameRow<N, E[number]>;

/**
 * What a subquery callback must return: a query holding a SELECT node (the builder it was given).
 * Deliberately not `TypedQuery<unknown>`: the callback's return is contextually typed by this
 * constraint, and TypeScript infers every call in the callback's return expression against it
 * (return-type inference). Against `TypedQuery` that instantiates the row type of each
 * intermediate builder with its selection still generic (about half the cost of a subquery on
 * the synthetic org); against `node`, whose type is not generic, there is nothing to infer.
 */
export interface SubqueryReturn {
  readonly node: SelectQuery;
}

/** Whether a selection is a semi-join (exactly one id/reference path, nothing else). */
type SemiJoinKind<S extends BuilderState> = S['agg'] extends true
  ? 'not a semi-join: an aggregate query'
  : IsUnion<S['paths']> extends true
    ? 'not a semi-join: select exactly one id or reference field'
    : [S['paths']] extends [never]
      ? 'not a semi-join: select exactly one id or reference field'
      : Kind<S, S['paths']> extends 'id' | 'reference'
        ? 'id'
        : `not a semi-join: ${S['paths']} is not an id or reference field`;

// ---------------------------------------------------------------------------------------------
// Conditions

/** A WHERE / HAVING condition built by an {@link ExpressionBuilder}; combine with `and`, `or`, `not`. */
export class SoqlCondition {
  /** The frozen AST node. */
  readonly node: Condition;
  /** @internal */
  constructor(node: Condition) {
    this.node = deepFreeze(node);
  }
}

/**
 * Builds conditions for `where(eb => ...)`: `eb(path, op, value)` is one comparison (typed like
 * `where(path, op, value)`), `eb.and`, `eb.or` and `eb.not` nest them.
 *
 * @example
 * ```ts
 * selectFrom(Account).select('Id').where((eb) =>
 *   eb.or([eb('Industry', '=', 'Energy'), eb.and([eb('AnnualRevenue', '>', 1e6), eb.not(eb('Name', 'LIKE', 'Test%'))])]),
 * );
 * ```
 */
export interface ExpressionBuilder<S extends BuilderState> {
  <const P extends string, Op extends OperatorFor<Kind<S, P>>>(
    path: ClausePath<S, P, 'unfilterable'>,
    op: Op,
    value: NoInfer<ValueFor<Kind<S, P>, Op, Value<S, P>>>,
  ): SoqlCondition;
  /** All of the conditions (at least one). */
  and(conditions: readonly SoqlCondition[]): SoqlCondition;
  /** Any of the conditions (at least one). */
  or(conditions: readonly SoqlCondition[]): SoqlCondition;
  /** The negation of a condition. */
  not(condition: SoqlCondition): SoqlCondition;
}

// ---------------------------------------------------------------------------------------------
// Runtime context

interface Context {
  /** Descriptor of the queried object when known at run time (top-level and semi-join queries). */
  readonly descriptor: SObjectDescriptor | undefined;
  /** Object name, for error messages. */
  readonly objectName: string;
  /** Unaliased aggregates so far (next default alias is `expr<n>`). */
  readonly exprCount: number;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function field(path: string, location: string): FieldRef {
  if (typeof path !== 'string' || path.length === 0) {
    throw new SoqlBuildError(location, `expected a field path, got ${JSON.stringify(path)}`);
  }
  return { kind: 'field', path: path.split('.') };
}

const OPERATORS: ReadonlySet<string> = new Set<ComparisonOperator>([
  '=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN', 'INCLUDES', 'EXCLUDES',
]);

/**
 * The records of a child subquery as an array: `[]` for Salesforce's `null` (no children). Only
 * the first page when `done` is false (more than one page of children).
 *
 * @example
 * ```ts
 * for (const contact of childRecords(account.Contacts)) console.log(contact.LastName);
 * ```
 */
export function childRecords<R>(subquery: SubqueryResult<R> | null | undefined): R[] {
  return subquery?.records ?? [];
}

// ---------------------------------------------------------------------------------------------
// The builder

/**
 * An immutable, typed SELECT query over one sObject. Create one with {@link selectFrom}.
 *
 * It is a {@link TypedQuery}: `client.query(q)` returns rows of type `SelectionRow` of what was
 * selected.
 */
export class SelectQueryBuilder<S extends BuilderState> implements TypedQuery<SelectionRow<S>> {
  /** Phantom: the row type; always undefined at run time. */
  declare readonly __row?: SelectionRow<S>;
  /** Phantom: whether this query can be the right side of IN (a semi-join). */
  declare readonly __semiJoin: SemiJoinKind<S>;

  /** The frozen AST node this builder holds. */
  readonly node: SelectQuery;
  readonly #ctx: Context;

  /** @internal use {@link selectFrom} */
  constructor(node: SelectQuery, ctx: Context) {
    this.node = deepFreeze(node);
    this.#ctx = ctx;
    Object.freeze(this);
  }

  #next<T extends BuilderState>(patch: Partial<Omit<SelectQuery, 'kind' | 'from'>>, ctx?: Partial<Context>): SelectQueryBuilder<T> {
    return new SelectQueryBuilder<T>({ ...this.node, ...patch }, { ...this.#ctx, ...ctx });
  }

  #kindOf(path: string): SObjectDescriptor['fields'][string]['type'] | undefined {
    if (path.includes('.')) return undefined;
    const descriptor = this.#ctx.descriptor;
    if (descriptor === undefined) return undefined;
    const f = descriptor.fields[path];
    if (f === undefined) {
      throw new SoqlBuildError(`${descriptor.name}.${path}`, `no such field on ${descriptor.name}`);
    }
    return f.type;
  }

  #select(items: readonly SelectItem[]): readonly SelectItem[] {
    return [...this.node.select, ...items];
  }

  /**
   * Adds fields and parent paths to the SELECT list. Unknown names, wrong relationships, unloaded
   * targets and paths deeper than 5 relationships do not compile; the message names the culprit.
   *
   * @example
   * ```ts
   * selectFrom(Contact).select('Id', 'LastName', 'Account.Name', 'Account.Owner.Email');
   * ```
   */
  select<const P extends readonly SelectablePath<S['meta']>[]>(
    this: DeepCheck<S, P>,
    ...paths: P
  ): SelectQueryBuilder<WithPaths<S, P[number]>> {
    const self = this as unknown as SelectQueryBuilder<S>;
    const items = (paths as readonly string[]).map((p): SelectItem => {
      self.#kindOf(p);
      return { kind: 'selectExpr', expr: field(p, `${self.#ctx.objectName} SELECT`) };
    });
    return self.#next({ select: self.#select(items) });
  }

  /**
   * `TYPEOF rel WHEN Type THEN fields ... ELSE fields END` on a polymorphic relationship. The row
   * member is a union discriminated on `attributes.type`.
   *
   * @example
   * ```ts
   * selectFrom(Task).select('Id').typeOf('What', { Account: ['Name', 'Industry'], Opportunity: ['Amount'] }, ['Name']);
   * ```
   */
  typeOf<
    R extends PolymorphicRelationship<S['meta']>,
    const W extends { readonly [N in S['meta']['parents'][R] & string]?: readonly string[] },
    const E extends readonly string[] = [],
  >(
    relationship: R,
    whens: TypeOfWhens<S, R, W>,
    otherwise?: CheckElse<S, R, E>,
  ): SelectQueryBuilder<WithExtra<S, { [K in R]: TypeOfRow<S, R, W, E> }>> {
    const entries = Object.entries(whens as Record<string, readonly string[] | undefined>).filter(
      (e): e is [string, readonly string[]] => e[1] !== undefined,
    );
    if (entries.length === 0) throw new SoqlBuildError(`TYPEOF ${relationship}`, 'needs at least one WHEN');
    const item: SelectItem = {
      kind: 'typeof',
      relationship,
      whens: entries.map(([objectType, fields]) => {
        if (fields.length === 0) throw new SoqlBuildError(`TYPEOF ${relationship} WHEN ${objectType}`, 'needs at least one field');
        return { kind: 'typeofWhen', objectType, fields: fields.map((f) => field(f, `TYPEOF ${relationship}`)) };
      }),
      ...(otherwise === undefined || otherwise.length === 0
        ? {}
        : { else: otherwise.map((f) => field(f, `TYPEOF ${relationship} ELSE`)) }),
    };
    return this.#next({ select: this.#select([item]) });
  }

  /**
   * A child subquery by child relationship name. In the row it is what Salesforce sends: a
   * {@link SubqueryResult} envelope (`records`, `totalSize`, `done`), or `null` when there are no
   * children; {@link childRecords} gives the records as an array either way.
   *
   * @example
   * ```ts
   * selectFrom(Account).select('Name').subquery('Contacts', (q) => q.select('LastName').where('Email', '!=', null).limit(5));
   * ```
   */
  subquery<C extends keyof S['meta']['children'] & string, Q extends SubqueryReturn>(
    relationship: C & ChildLoaded<S, C> & ChildQueryable<S, C>,
    build: (q: SelectQueryBuilder<State<ChildMeta<S, C>, S['reg'], never, {}, false, []>>) => Q,
  ): SelectQueryBuilder<WithExtra<S, { [K in C]: Q extends TypedQuery<infer CR> ? SubqueryResult<CR> | null : never }>> {
    const child = new SelectQueryBuilder<State<ChildMeta<S, C>, S['reg'], never, {}, false, []>>(
      { kind: 'select', select: [], from: { kind: 'from', object: relationship } },
      {
        descriptor: undefined,
        objectName: `${this.#ctx.objectName}.${relationship}`,
        exprCount: 0,
      },
    );
    const built: unknown = build(child);
    if (!(built instanceof SelectQueryBuilder)) {
      throw new SoqlBuildError(`subquery ${relationship}`, 'the callback must return the builder it was given');
    }
    if (built.node.from.object !== relationship) {
      throw new SoqlBuildError(`subquery ${relationship}`, 'the callback returned a builder for another object');
    }
    return this.#next({ select: this.#select([{ kind: 'subquery', query: built.node }]) });
  }

  /**
   * An aggregate: `COUNT(Id)`, `SUM(Amount) total`, ... Without an alias Salesforce names it
   * `expr0`, `expr1`, ... in order, and so does the row type. Makes this an aggregate query:
   * plain selected fields must be grouped (`groupBy`) and are keyed by their last segment.
   *
   * @example
   * ```ts
   * selectFrom(Opportunity).select('StageName').aggregate('SUM', 'Amount', 'total').aggregate('COUNT', 'Id').groupBy('StageName');
   * // rows: { attributes; StageName: ...; total: number | null; expr0: number }
   * ```
   */
  aggregate<F extends AggregateFn, const P extends string, A extends string = `expr${S['n']['length']}`>(
    fn: F,
    path: Kind<S, P> extends AggregateKinds<F> ? Path<S, P> : `${F}() does not apply to ${P} (${Kind<S, P> & string})`,
    alias?: A,
  ): SelectQueryBuilder<
    WithAggregate<
      S,
      { [K in A]: AggregateResult<F, Value<S, P>> },
      A extends `expr${S['n']['length']}` ? [...S['n'], unknown] : S['n']
    >
  > {
    const call: FunctionCall = { kind: 'function', name: fn, args: [field(path, `${fn}()`)] };
    this.#kindOf(path);
    const usesDefault = alias === undefined || alias === `expr${this.#ctx.exprCount}`;
    return this.#next(
      { select: this.#select([{ kind: 'selectExpr', expr: call, ...(alias === undefined ? {} : { alias }) }]) },
      { exprCount: this.#ctx.exprCount + (usesDefault ? 1 : 0) },
    );
  }

  /**
   * `toLabel(field)`: the translated label of a picklist (or record type) value instead of the API
   * value. Keyed by the field name, or by `alias`.
   */
  toLabel<const F extends string, A extends string = F>(
    fieldName: F extends keyof S['meta']['kinds'] ? F : `'${F}' is not a field of ${S['meta']['name']}`,
    alias?: A,
  ): SelectQueryBuilder<WithExtra<S, { [K in A]: string | null }>> {
    return this.#fn('toLabel', fieldName, alias);
  }

  /**
   * `FORMAT(field)`: the value formatted for the user's locale (numbers, currencies, dates). Keyed
   * by the field name, or by `alias`.
   */
  format<const F extends string, A extends string = F>(
    fieldName: F extends keyof S['meta']['kinds'] ? F : `'${F}' is not a field of ${S['meta']['name']}`,
    alias?: A,
  ): SelectQueryBuilder<WithExtra<S, { [K in A]: string | null }>> {
    return this.#fn('FORMAT', fieldName, alias);
  }

  #fn<T extends BuilderState>(name: 'toLabel' | 'FORMAT', fieldName: string, alias: string | undefined): SelectQueryBuilder<T> {
    this.#kindOf(fieldName);
    const call: FunctionCall = { kind: 'function', name, args: [field(fieldName, `${name}()`)] };
    return this.#next({
      select: this.#select([{ kind: 'selectExpr', expr: call, ...(alias === undefined ? {} : { alias }) }]),
    });
  }

  /**
   * Adds a WHERE condition (ANDed with earlier ones). Operators are typed by field type (LIKE on
   * text, `<` and friends on ordered types, INCLUDES/EXCLUDES on multipicklists, IN with a list or
   * a semi-join builder); values by field type (dates via `soqlDate`, datetimes as `Date`, relative
   * dates via `dateLiteral`, `null` with `=`/`!=`). Or pass a callback building nested AND/OR/NOT.
   *
   * @example
   * ```ts
   * selectFrom(Account).select('Id').where('Industry', 'IN', ['Energy', 'Banking']).where('Name', 'LIKE', like.startsWith(q));
   * ```
   */
  where<const P extends string, Op extends OperatorFor<Kind<S, P>>>(
    this: ClauseCheck<S, P, 'unfilterable'>,
    path: P,
    op: Op,
    value: NoInfer<ValueFor<Kind<S, P>, Op, Value<S, P>>>,
  ): SelectQueryBuilder<S>;
  where(build: (eb: ExpressionBuilder<S>) => SoqlCondition): SelectQueryBuilder<S>;
  where(...args: readonly unknown[]): SelectQueryBuilder<S> {
    const condition = this.#conditionFromArgs(args, 'WHERE');
    return this.#next({ where: this.node.where === undefined ? condition : and([this.node.where, condition]) });
  }

  /**
   * Adds a HAVING condition on an aggregate (ANDed with earlier ones).
   *
   * @example
   * ```ts
   * selectFrom(Account).select('Industry').aggregate('COUNT', 'Id').groupBy('Industry').having('COUNT', 'Id', '>', 1);
   * ```
   */
  having<F extends AggregateFn, const P extends string>(
    fn: F,
    path: Kind<S, P> extends AggregateKinds<F> ? Path<S, P> : `${F}() does not apply to ${P}`,
    op: '=' | '!=' | '<' | '<=' | '>' | '>=',
    value: NoInfer<F extends 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' ? number : ValueFor<Kind<S, P>, '=', Value<S, P>>>,
  ): SelectQueryBuilder<S> {
    const location = `HAVING ${fn}(${path})`;
    const call: FunctionCall = { kind: 'function', name: fn, args: [field(path, location)] };
    const kind = fn === 'MIN' || fn === 'MAX' ? this.#kindOf(path) : undefined;
    const condition: Comparison = { kind: 'comparison', left: call, operator: checkOperator(op, location), right: toLiteral(value, location, kind) };
    return this.#next({ having: this.node.having === undefined ? condition : and([this.node.having, condition]) });
  }

  #conditionFromArgs(args: readonly unknown[], clause: string): Condition {
    if (args.length === 1 && typeof args[0] === 'function') {
      const result: unknown = (args[0] as (eb: ExpressionBuilder<S>) => unknown)(this.#expressionBuilder());
      if (!(result instanceof SoqlCondition)) {
        throw new SoqlBuildError(`${this.#ctx.objectName} ${clause}`, 'the callback must return a condition built with eb');
      }
      return result.node;
    }
    if (args.length !== 3) throw new SoqlBuildError(`${this.#ctx.objectName} ${clause}`, 'expected (path, operator, value) or a callback');
    return this.#comparison(args[0] as string, args[1] as string, args[2]);
  }

  #expressionBuilder(): ExpressionBuilder<S> {
    const eb = ((path: string, op: string, value: unknown) =>
      new SoqlCondition(this.#comparison(path, op, value))) as unknown as ExpressionBuilder<S>;
    const combine = (kind: 'and' | 'or', conditions: readonly SoqlCondition[]): SoqlCondition => {
      if (conditions.length === 0) throw new SoqlBuildError(`${this.#ctx.objectName} WHERE`, `${kind.toUpperCase()} of no conditions`);
      if (conditions.length === 1) return conditions[0] as SoqlCondition;
      return new SoqlCondition({ kind, conditions: conditions.map((c) => c.node) });
    };
    eb.and = (conditions) => combine('and', conditions);
    eb.or = (conditions) => combine('or', conditions);
    eb.not = (condition) => new SoqlCondition({ kind: 'not', condition: condition.node });
    return eb;
  }

  #comparison(path: string, op: string, value: unknown): Comparison {
    const location = `${this.#ctx.objectName}.${path}`;
    const left = field(path, location);
    const operator = checkOperator(op, location);
    const kind = this.#kindOf(path);
    switch (operator) {
      case 'IN':
      case 'NOT IN':
        if (value instanceof SelectQueryBuilder) {
          const semi = value.node;
          if (semi.select.length !== 1 || semi.select[0]?.kind !== 'selectExpr' || semi.select[0].expr.kind !== 'field') {
            throw new SoqlBuildError(location, `${operator} (SELECT ...) must select exactly one field`);
          }
          return { kind: 'comparison', left, operator, right: { kind: 'subquery', query: semi } };
        }
        return { kind: 'comparison', left, operator, right: list(value, location, operator, kind) };
      case 'INCLUDES':
      case 'EXCLUDES':
        return { kind: 'comparison', left, operator, right: list(value, location, operator, undefined) };
      case 'LIKE': {
        // A plain string is a pattern the caller wrote (wildcards active); like.* escapes user text.
        const pattern = typeof value === 'string' ? like.pattern(value) : value;
        if (!(pattern instanceof LikePattern)) {
          throw new SoqlBuildError(location, 'LIKE needs a string pattern or a like.* pattern');
        }
        return { kind: 'comparison', left, operator, right: { kind: 'string', value: pattern.pattern } };
      }
      default:
        if (value === null && operator !== '=' && operator !== '!=') {
          throw new SoqlBuildError(location, `null can only be compared with = or !=, not ${operator}`);
        }
        return { kind: 'comparison', left, operator, right: toLiteral(value, location, kind) };
    }
  }

  /**
   * GROUP BY the given paths (plain, `ROLLUP` or `CUBE` via `groupByRollup`/`groupByCube`).
   */
  groupBy<const P extends readonly SelectablePath<S['meta']>[]>(
    this: DeepGroupCheck<S, P>,
    ...paths: P
  ): SelectQueryBuilder<WithAggregate<S, {}, S['n']>> {
    return (this as unknown as SelectQueryBuilder<S>).#groupBy('plain', paths as readonly string[]);
  }

  /** `GROUP BY ROLLUP(...)`: adds subtotal rows (grouped fields are `null` in them). */
  groupByRollup<const P extends readonly SelectablePath<S['meta']>[]>(
    this: DeepGroupCheck<S, P>,
    ...paths: P
  ): SelectQueryBuilder<WithAggregate<S, {}, S['n']>> {
    return (this as unknown as SelectQueryBuilder<S>).#groupBy('ROLLUP', paths as readonly string[]);
  }

  /** `GROUP BY CUBE(...)`: adds subtotal rows for every combination. */
  groupByCube<const P extends readonly SelectablePath<S['meta']>[]>(
    this: DeepGroupCheck<S, P>,
    ...paths: P
  ): SelectQueryBuilder<WithAggregate<S, {}, S['n']>> {
    return (this as unknown as SelectQueryBuilder<S>).#groupBy('CUBE', paths as readonly string[]);
  }

  #groupBy<T extends BuilderState>(mode: 'plain' | 'ROLLUP' | 'CUBE', paths: readonly string[]): SelectQueryBuilder<T> {
    const location = `${this.#ctx.objectName} GROUP BY`;
    if (paths.length === 0) throw new SoqlBuildError(location, 'needs at least one field');
    if (this.node.groupBy !== undefined) throw new SoqlBuildError(location, 'GROUP BY is already set');
    for (const p of paths) this.#kindOf(p);
    return this.#next({ groupBy: { kind: 'groupBy', mode, items: paths.map((p) => field(p, location)) } });
  }

  /**
   * ORDER BY a path (repeatable: keys apply in call order).
   *
   * @example
   * ```ts
   * selectFrom(Account).select('Name').orderBy('AnnualRevenue', 'DESC', 'NULLS LAST').orderBy('Name');
   * ```
   */
  orderBy<const P extends SelectablePath<S['meta']>>(
    this: DeepClauseCheck<S, P, 'unsortable'>,
    path: P,
    direction?: 'ASC' | 'DESC',
    nulls?: 'NULLS FIRST' | 'NULLS LAST',
  ): SelectQueryBuilder<S> {
    const self = this as unknown as SelectQueryBuilder<S>;
    const location = `${self.#ctx.objectName} ORDER BY`;
    self.#kindOf(path);
    if (direction !== undefined && direction !== 'ASC' && direction !== 'DESC') {
      throw new SoqlBuildError(location, `direction must be ASC or DESC, got ${JSON.stringify(direction)}`);
    }
    if (nulls !== undefined && nulls !== 'NULLS FIRST' && nulls !== 'NULLS LAST') {
      throw new SoqlBuildError(location, `nulls must be NULLS FIRST or NULLS LAST, got ${JSON.stringify(nulls)}`);
    }
    const item: OrderByItem = {
      kind: 'orderBy',
      expr: field(path, location),
      ...(direction === undefined ? {} : { direction }),
      ...(nulls === undefined ? {} : { nulls: nulls === 'NULLS FIRST' ? 'FIRST' : 'LAST' }),
    };
    return self.#next({ orderBy: [...(self.node.orderBy ?? []), item] });
  }

  /** LIMIT: a non-negative integer. */
  limit(n: number): SelectQueryBuilder<S> {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new SoqlBuildError(`${this.#ctx.objectName} LIMIT`, `must be a non-negative integer, got ${String(n)}`);
    }
    return this.#next({ limit: n });
  }

  /** OFFSET: an integer from 0 to 2,000 (Salesforce's maximum). */
  offset(n: number): SelectQueryBuilder<S> {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_OFFSET) {
      throw new SoqlBuildError(`${this.#ctx.objectName} OFFSET`, `must be an integer from 0 to ${MAX_OFFSET}, got ${String(n)}`);
    }
    return this.#next({ offset: n });
  }

  /** `WITH SECURITY_ENFORCED`: fail instead of silently dropping fields the user cannot read. */
  withSecurityEnforced(): SelectQueryBuilder<S> {
    return this.#next({ with: { kind: 'withSecurity', mode: 'SECURITY_ENFORCED' } });
  }

  /** `WITH USER_MODE`: enforce the running user's permissions and sharing. */
  withUserMode(): SelectQueryBuilder<S> {
    return this.#next({ with: { kind: 'withSecurity', mode: 'USER_MODE' } });
  }

  /** `FOR VIEW`: update the records' last-viewed dates. */
  forView(): SelectQueryBuilder<S> {
    return this.#for('VIEW');
  }

  /** `FOR REFERENCE`: update the records' last-referenced dates. */
  forReference(): SelectQueryBuilder<S> {
    return this.#for('REFERENCE');
  }

  /** `FOR UPDATE`: lock the rows (Apex only; the REST API rejects it, but the text is valid SOQL). */
  forUpdate(): SelectQueryBuilder<S> {
    return this.#for('UPDATE');
  }

  #for(option: 'VIEW' | 'REFERENCE' | 'UPDATE'): SelectQueryBuilder<S> {
    const existing = this.node.for ?? [];
    return this.#next({ for: existing.includes(option) ? existing : [...existing, option] });
  }

  /** The SOQL text. Throws {@link SoqlBuildError} on an empty SELECT list or ungrouped fields. */
  toSoql(): string {
    const location = `${this.#ctx.objectName} SELECT`;
    if (this.node.select.length === 0) throw new SoqlBuildError(location, 'select at least one field');
    const aggregate =
      this.node.groupBy !== undefined ||
      this.node.select.some((s) => s.kind === 'selectExpr' && s.expr.kind === 'function' && s.expr.name !== 'toLabel' && s.expr.name !== 'FORMAT');
    if (aggregate) {
      const grouped = new Set((this.node.groupBy?.items ?? []).map((i) => (i.kind === 'field' ? i.path.join('.') : '')));
      for (const item of this.node.select) {
        if (item.kind === 'selectExpr' && item.expr.kind === 'field' && !grouped.has(item.expr.path.join('.'))) {
          throw new SoqlBuildError(location, `${item.expr.path.join('.')} is selected in an aggregate query but not grouped`);
        }
        if (item.kind !== 'selectExpr') throw new SoqlBuildError(location, 'an aggregate query cannot hold subqueries or TYPEOF');
      }
    }
    return compileSoql(this.node);
  }

  /** The SOQL text (same as {@link toSoql}). */
  toString(): string {
    return this.toSoql();
  }
}

function and(conditions: readonly Condition[]): Condition {
  const flat: Condition[] = [];
  for (const c of conditions) {
    if (c.kind === 'and') flat.push(...c.conditions);
    else flat.push(c);
  }
  return { kind: 'and', conditions: flat };
}

function checkOperator(op: string, location: string): ComparisonOperator {
  if (!OPERATORS.has(op)) throw new SoqlBuildError(location, `unknown operator ${JSON.stringify(op)}`);
  return op as ComparisonOperator;
}

function list(
  value: unknown,
  location: string,
  operator: string,
  kind: SObjectDescriptor['fields'][string]['type'] | undefined,
): { kind: 'list'; values: readonly Literal[] } {
  if (!Array.isArray(value)) throw new SoqlBuildError(location, `${operator} needs an array of values`);
  if (value.length === 0) {
    throw new SoqlBuildError(location, `${operator} needs at least one value (an empty list is not valid SOQL)`);
  }
  const values = value.map((v: unknown, i) => {
    if (v === null) throw new SoqlBuildError(`${location}[${i}]`, `null is not allowed in an ${operator} list`);
    return toLiteral(v, `${location}[${i}]`, kind);
  });
  return { kind: 'list', values };
}

/**
 * Starts a typed SELECT over a generated sObject.
 *
 * @example
 * ```ts
 * import { Account } from './generated/sobjects/Account.js';
 * const q = selectFrom(Account)
 *   .select('Id', 'Name', 'Owner.Name')
 *   .where('Industry', '=', 'Energy')
 *   .orderBy('Name')
 *   .limit(10);
 * const { records } = await client.query(q); // records: { attributes; Id: string; Name: string | null; Owner: { ...; Name: string | null } }[]
 * ```
 */
export function selectFrom<M extends SObjectMeta>(sobject: SObjectType<M> & QueryableCheck<M>): SelectQueryBuilder<InitialState<M>> {
  return new SelectQueryBuilder<InitialState<M>>(
    { kind: 'select', select: [], from: { kind: 'from', object: sobject.name } },
    { descriptor: sobject.descriptor, objectName: sobject.name, exprCount: 0 },
  );
}
