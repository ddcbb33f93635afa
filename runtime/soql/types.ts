/**
 * Type-level machinery shared by the SOQL builder (`builder.ts`) and checked strings (`checked.ts`):
 * path checking, operator and value typing by field type, and result rows narrowed to a selection.
 *
 * Relationship targets are resolved by name through a registry (by default the global
 * {@link SObjectRegistry} that generated type modules extend), never by importing them. Every type
 * here is driven by the selected paths only (mapped types over the selection, indexed access into
 * the metadata), so a query costs the same on an org of 1,500 objects as on one of five.
 */
import type { DeniedFlags, FieldType, MetaFields, SObjectMeta, SObjectRegistry } from '../schema.js';
import type { LikePattern, SoqlDate, SoqlDateLiteral, SoqlDateTime } from './values.js';

/**
 * What the SOQL types read of an object's metadata: the members of {@link SObjectMeta} they index,
 * without its index signatures. Metas looked up in a registry are checked against this shape, not
 * against `SObjectMeta`: relating a generated meta to `SObjectMeta` compares every field and child
 * relationship with the index signatures (hundreds of members on a large object, paid once per
 * object per program), while this shape settles in six member checks. Generated metas are checked
 * against `SObjectMeta` where they are defined (`defineSObject`).
 */
export interface MetaShape {
  readonly name: string;
  readonly record: object;
  readonly kinds: object;
  readonly parents: object;
  readonly nullableParents: object;
  readonly children: object;
}

/** Salesforce's limit on child-to-parent relationship hops in one path. */
export type MaxDepth = 5;

/**
 * The registry a meta resolves relationship targets in: its `registry` member when it has one (an
 * org generated into its own namespace, or a test schema), else the global {@link SObjectRegistry}.
 */
export type RegistryOf<M> = [M] extends [{ readonly registry: infer R extends object }] ? R : SObjectRegistry;

/** The readable compile error for a relationship target whose generated types are not loaded. */
export type NotLoaded<N extends string> = `'${N}' is not loaded: import its generated module`;

/** `{ a: 1 } & { b: 2 }` as `{ a: 1; b: 2 }`, for readable hovers and exact type tests. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The `attributes` key Salesforce puts on every record and nested parent object. */
export interface RowAttributes<N extends string> {
  readonly type: N;
  readonly url: string;
}

/**
 * A child subquery in a row, exactly as Salesforce sends it: a query envelope, or `null` when the
 * parent has no children. `done: false` (with `nextRecordsUrl`) when the children span several
 * pages. Use `childRecords()` (`builder.ts`) for the records as an array (`[]` for `null`).
 */
export interface SubqueryResult<R> {
  totalSize: number;
  done: boolean;
  records: R[];
  nextRecordsUrl?: string;
}

/** The `attributes` of an aggregate result row (no `url`). */
export interface AggregateAttributes {
  readonly type: 'AggregateResult';
}

/**
 * Fields of Salesforce's `Name` pseudo-object: what a polymorphic relationship (`What`, `Who`,
 * `Owner` on Task) offers without TYPEOF, whatever the concrete target. Their types, as read.
 */
export interface NameObjectRecord {
  Id: string;
  Name: string | null;
  Type: string | null;
  Alias: string | null;
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Phone: string | null;
  Title: string | null;
  Username: string | null;
  IsActive: boolean | null;
  UserRoleId: string | null;
  ProfileId: string | null;
  RecordTypeId: string | null;
  NameOrAlias: string | null;
  CommunityNickname: string | null;
  LastReferencedDate: string | null;
  LastViewedDate: string | null;
}

/** Field types of the {@link NameObjectRecord} fields. */
export interface NameObjectKinds {
  Id: 'id';
  Name: 'string';
  Type: 'picklist';
  Alias: 'string';
  FirstName: 'string';
  LastName: 'string';
  Email: 'email';
  Phone: 'phone';
  Title: 'string';
  Username: 'string';
  IsActive: 'boolean';
  UserRoleId: 'reference';
  ProfileId: 'reference';
  RecordTypeId: 'reference';
  NameOrAlias: 'string';
  CommunityNickname: 'string';
  LastReferencedDate: 'datetime';
  LastViewedDate: 'datetime';
}

/** `true` when `T` is a union of two or more members. */
export type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

type Targets<M extends MetaShape, R> = R extends keyof M['parents'] ? M['parents'][R] & string : never;
type IsNullableParent<M extends MetaShape, R> = R extends keyof M['nullableParents']
  ? M['nullableParents'][R] extends false
    ? false
    : true
  : true;
type MetaIn<Reg, N> = N extends keyof Reg ? (Reg[N] extends infer T extends MetaShape ? T : never) : never;

// ---------------------------------------------------------------------------------------------
// Path checking

type Counter = readonly unknown[];

/**
 * The error messages of a field path on `M` (a union of string literals), or `never` when the path
 * is valid: every relationship exists, every target is loaded, the field exists on every target of
 * a polymorphic relationship, and there are at most {@link MaxDepth} relationship hops.
 */
export type PathErrors<Reg, M extends MetaShape, P extends string, D extends Counter = [], Full extends string = P> =
  P extends `${infer R}.${infer Rest}`
    ? R extends keyof M['parents']
      ? D['length'] extends MaxDepth
        ? `'${Full}' goes deeper than ${MaxDepth} relationships`
        : IsUnion<Targets<M, R>> extends true
          ? Rest extends keyof NameObjectKinds
            ? never
            : `'${Rest}' is not available through polymorphic ${M['name']}.${R} without TYPEOF (only Name fields: Id, Name, Type, Email, ...)`
          : TargetErrors<Reg, Targets<M, R>, Rest, [...D, 1], Full>
      : `'${R}' is not a parent relationship of ${M['name']}`
    : P extends keyof M['kinds']
      ? never
      : `'${P}' is not a field of ${M['name']}`;

type TargetErrors<Reg, N extends string, Rest extends string, D extends Counter, Full extends string> = [
  Exclude<N, keyof Reg>,
] extends [never]
  ? N extends keyof Reg
    ? PathErrors<Reg, MetaIn<Reg, N>, Rest, D, Full>
    : never
  : NotLoaded<Exclude<N, keyof Reg>>;

/** `P` when it is a valid path of `M`, else the error message (so the argument fails to compile, naming why). */
export type CheckPath<Reg, M extends MetaShape, P extends string> = [PathErrors<Reg, M, P>] extends [never]
  ? P
  : PathErrors<Reg, M, P>;

/** Validates a tuple of paths element by element. */
export type CheckPaths<Reg, M extends MetaShape, P extends readonly string[]> = {
  [I in keyof P]: CheckPath<Reg, M, P[I]>;
};

// ---------------------------------------------------------------------------------------------
// What the describe allows: queryable objects; filterable, sortable, groupable fields

/** Field-level describe flags, by the meta member listing the fields that lack them. */
export type FieldRestriction = 'unfilterable' | 'unsortable' | 'ungroupable';
/** The clause each restriction guards, and the describe flag it names, for messages. */
interface RestrictionWords {
  unfilterable: ['WHERE', 'filterable'];
  unsortable: ['ORDER BY', 'sortable'];
  ungroupable: ['GROUP BY', 'groupable'];
}

/**
 * The error of a valid path `P` of `M` whose last field lacks the flag of `F` (its object's meta
 * lists it in `F`), else never: `'Description' cannot be used in WHERE: Account.Description is not
 * filterable (describe)`. Polymorphic relationships end on Name fields, which have every flag.
 */
export type RestrictionError<Reg, M extends MetaShape, P extends string, F extends FieldRestriction, Full extends string = P> =
  P extends `${infer R}.${infer Rest}`
    ? IsUnion<Targets<M, R>> extends true
      ? never
      : Targets<M, R> extends infer N extends keyof Reg
        ? RestrictionError<Reg, MetaIn<Reg, N>, Rest, F, Full>
        : never
    : P extends MetaFields<M, F>
      ? `'${Full}' cannot be used in ${RestrictionWords[F][0]}: ${M['name']}.${P} is not ${RestrictionWords[F][1]} (describe)`
      : never;

/** `P` when it is a valid path of `M` usable in the clause `F` guards, else the error message. */
export type CheckClausePath<Reg, M extends MetaShape, P extends string, F extends FieldRestriction> = [PathErrors<Reg, M, P>] extends [never]
  ? [RestrictionError<Reg, M, P, F>] extends [never]
    ? P
    : RestrictionError<Reg, M, P, F>
  : PathErrors<Reg, M, P>;

/** The readable compile error for querying an object whose describe says `queryable: false`. */
export type NotQueryable<N extends string> = `${N} is not queryable (describe: queryable false; platform and change events are read with Pub/Sub)`;

/** `unknown` when `M` is queryable, else an object naming why (intersected with a parameter, it fails the call). */
export type QueryableCheck<M> = [DeniedFlags<M, 'queryable'>] extends [never]
  ? unknown
  : { readonly 'not queryable': NotQueryable<M extends { readonly name: infer N extends string } ? N : 'the object'> };

// ---------------------------------------------------------------------------------------------
// Field kinds and read types along a path

/** The field type(s) at the end of a path (a union through polymorphic relationships). */
export type PathKind<Reg, M extends MetaShape, P extends string> = P extends `${infer R}.${infer Rest}`
  ? IsUnion<Targets<M, R>> extends true
    ? Rest extends keyof NameObjectKinds
      ? NameObjectKinds[Rest]
      : never
    : PathKindIn<Reg, Targets<M, R>, Rest>
  : P extends keyof M['kinds']
    ? M['kinds'][P]
    : never;
type PathKindIn<Reg, N extends string, Rest extends string> = N extends keyof Reg
  ? PathKind<Reg, MetaIn<Reg, N>, Rest>
  : never;

/** The read type at the end of a path, with `null` when a parent on the path may be absent. */
export type PathValue<Reg, M extends MetaShape, P extends string> = P extends `${infer R}.${infer Rest}`
  ?
      | (IsUnion<Targets<M, R>> extends true
          ? Rest extends keyof NameObjectRecord
            ? NameObjectRecord[Rest]
            : never
          : PathValueIn<Reg, Targets<M, R>, Rest>)
      | (IsNullableParent<M, R> extends true ? null : never)
  : FieldValue<M, P>;
type PathValueIn<Reg, N extends string, Rest extends string> = N extends keyof Reg
  ? PathValue<Reg, MetaIn<Reg, N>, Rest>
  : never;

/** The read type of a field of `M`. */
export type FieldValue<M extends MetaShape, F> = F extends keyof M['record'] ? M['record'][F] : never;

// ---------------------------------------------------------------------------------------------
// Result rows

type Head<P extends string> = P extends `${infer H}.${string}` ? H : never;
type Tail<P extends string, H extends string> = P extends `${H}.${infer T}` ? T : never;

/**
 * The row shape of the selected field paths `P` on `M` (without `attributes` at the top): scalar
 * fields keyed by API name with their read types, parent relationships as nested objects (`null`
 * when the lookup may be empty; a union discriminated on `attributes.type` when polymorphic).
 */
export type PathsRow<Reg, M extends MetaShape, P extends string> = {
  [K in Exclude<P, `${string}.${string}`>]: M['record'][K & keyof M['record']];
} & {
  [R in Head<P>]:
    | (IsUnion<Targets<M, R>> extends true ? NameRow<Targets<M, R>, Tail<P, R>> : ParentRow<Reg, Targets<M, R>, Tail<P, R>>)
    | (IsNullableParent<M, R> extends true ? null : never);
};

type ParentRow<Reg, N extends string, T extends string> = N extends keyof Reg
  ? Simplify<{ attributes: RowAttributes<N> } & PathsRow<Reg, MetaIn<Reg, N>, T>>
  : never;

/**
 * A polymorphic parent without TYPEOF: per concrete target `N` (discriminated on
 * `attributes.type`), the selected Name-object fields. Targets need not be loaded.
 */
export type NameRow<N extends string, F extends string> = N extends string
  ? Simplify<{ attributes: RowAttributes<N> } & { [K in F & keyof NameObjectRecord]: NameObjectRecord[K] }>
  : never;

/** The last segment of a path: the key an aggregate query gives a grouped field (`Owner.Name` -> `Name`). */
export type LastSegment<P extends string> = P extends `${string}.${infer Rest}` ? LastSegment<Rest> : P;

/** Rows of an aggregate query: grouped fields keyed by their last segment. */
export type AggregatePathsRow<Reg, M extends MetaShape, P extends string> = {
  [K in P as LastSegment<K>]: PathValue<Reg, M, K>;
};

// ---------------------------------------------------------------------------------------------
// Operators and values by field type

/** Text-like field types: LIKE applies. */
export type TextKind = 'string' | 'textarea' | 'email' | 'phone' | 'url' | 'combobox' | 'picklist' | 'encryptedstring';
/** Numeric field types. */
export type NumericKind = 'int' | 'long' | 'double' | 'currency' | 'percent';
/**
 * Field types with an order: `<`, `<=`, `>`, `>=` apply. Not booleans, and not text areas
 * (Salesforce answers INVALID_QUERY_FILTER_OPERATOR; `sfgen lint` and the simulator say the same).
 */
export type OrderedKind =
  | NumericKind
  | 'date'
  | 'datetime'
  | 'time'
  | 'id'
  | 'reference'
  | 'string'
  | 'email'
  | 'phone'
  | 'url'
  | 'combobox';
/** Field types that cannot be filtered on at all. */
export type UnfilterableKind = 'base64' | 'address' | 'location' | 'anyType' | 'json' | 'complexvalue';

/** The comparison operators allowed on a field of type `K`. */
export type OperatorFor<K> = K extends UnfilterableKind
  ? never
  :
      | '='
      | '!='
      | (K extends OrderedKind ? '<' | '<=' | '>' | '>=' : never)
      | (K extends TextKind ? 'LIKE' : never)
      | (K extends 'multipicklist' | 'boolean' ? never : 'IN' | 'NOT IN')
      | (K extends 'multipicklist' ? 'INCLUDES' | 'EXCLUDES' : never);

/** A single value comparable with a field of type `K` whose read type is `V`. */
export type ScalarFor<K, V> = K extends 'date'
  ? SoqlDate | SoqlDateLiteral
  : K extends 'datetime'
    ? Date | SoqlDateTime | SoqlDateLiteral
    : K extends NumericKind
      ? number
      : K extends 'boolean'
        ? boolean
        : K extends 'picklist'
          ? Extract<NonNullable<V>, string> extends never
            ? string
            : Extract<NonNullable<V>, string>
          : string;

/**
 * A query usable on the right of `IN` / `NOT IN` (a semi- or anti-join): it selects exactly one
 * `id` or `reference` field. Builders carry this as a phantom member.
 */
export interface SemiJoinable {
  readonly __semiJoin: 'id';
}

/** The right-hand side allowed for `op` on a field of type `K` with read type `V`. */
export type ValueFor<K, Op, V> = Op extends 'IN' | 'NOT IN'
  ? readonly ScalarFor<K, V>[] | (K extends 'id' | 'reference' ? SemiJoinable : never)
  : Op extends 'INCLUDES' | 'EXCLUDES'
    ? readonly string[]
    : Op extends 'LIKE'
      ? string | LikePattern
      : Op extends '=' | '!='
        ? ScalarFor<K, V> | null
        : ScalarFor<K, V>;

/** Aggregate functions the builder offers. */
export type AggregateFn = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

/** The field types each aggregate function accepts. */
export type AggregateKinds<F extends AggregateFn> = F extends 'SUM' | 'AVG'
  ? NumericKind
  : F extends 'MIN' | 'MAX'
    ? NumericKind | 'date' | 'datetime' | 'time' | 'string' | 'picklist' | 'id' | 'reference' | 'email' | 'phone' | 'url' | 'combobox'
    : FieldType;

/** The result type of an aggregate over a field with read type `V`. */
export type AggregateResult<F extends AggregateFn, V> = F extends 'COUNT' | 'COUNT_DISTINCT'
  ? number
  : F extends 'SUM' | 'AVG'
    ? number | null
    : V | null;
