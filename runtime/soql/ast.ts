/**
 * The SOQL abstract syntax tree, shared by the parser (`parser.ts`), the typed builder (which builds
 * these nodes immutably and compiles them to strings) and the simulator's query engine.
 *
 * Plain readonly data, discriminated by `kind`, safe to `Object.freeze` deeply. Every node the parser
 * produces carries a `span` (0-based `[start, end)` offsets into the query text) for error messages;
 * builder-made nodes leave it out. Identifiers (objects, fields, relationships, aliases) keep the case
 * they were written in: SOQL is case-insensitive and resolution against describes is the consumer's job.
 * Keywords and function names are canonicalised (see {@link FunctionName}).
 *
 * Grouping: `and`/`or` nodes are n-ary. SOQL refuses `a AND b OR c` without parentheses, so a compiler
 * must parenthesise any `and`/`or` nested in another `and`/`or` or under `not`. The parser accepts
 * only what Salesforce accepts and keeps written groups: `a AND (b AND c)` is an `and` holding an `and`.
 *
 * @example
 * ```ts
 * const q: SelectQuery = {
 *   kind: 'select',
 *   select: [{ kind: 'selectExpr', expr: { kind: 'field', path: ['Owner', 'Name'] } }],
 *   from: { kind: 'from', object: 'Account' },
 *   where: { kind: 'comparison', left: { kind: 'field', path: ['Industry'] }, operator: '=',
 *            right: { kind: 'string', value: 'Energy' } },
 *   limit: 10,
 * };
 * ```
 */

/** Half-open range of 0-based character offsets into the query text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

interface NodeBase {
  /** Where the parser found this node; absent on builder-made nodes. */
  readonly span?: Span;
}

// ---------------------------------------------------------------------------------------------
// Query

/** A whole `SELECT` statement; also the body of a child subquery and of a semi-/anti-join. */
export interface SelectQuery extends NodeBase {
  readonly kind: 'select';
  /** The SELECT list, in written order; never empty. */
  readonly select: readonly SelectItem[];
  readonly from: FromClause;
  /** `USING SCOPE <scope>`, lower-cased (`mine`, `everything`, `team`, `delegated`, ...). */
  readonly usingScope?: string;
  readonly where?: Condition;
  readonly with?: WithClause;
  readonly groupBy?: GroupByClause;
  readonly having?: Condition;
  readonly orderBy?: readonly OrderByItem[];
  readonly limit?: number;
  readonly offset?: number;
  /** `FOR VIEW`, `FOR REFERENCE`, `FOR UPDATE` (comma-separated list allowed by the grammar). */
  readonly for?: readonly ForOption[];
  /** `UPDATE TRACKING`, `UPDATE VIEWSTAT`. */
  readonly update?: readonly UpdateOption[];
}

export interface FromClause extends NodeBase {
  readonly kind: 'from';
  /**
   * The sObject name (top-level query, semi-join) or the child relationship name (child subquery,
   * e.g. `Contacts`, `acme__Widgets__r`), as written.
   */
  readonly object: string;
  /** `FROM Account a`: field paths may then start with `a`. */
  readonly alias?: string;
}

export type ForOption = 'VIEW' | 'REFERENCE' | 'UPDATE';
export type UpdateOption = 'TRACKING' | 'VIEWSTAT';

// ---------------------------------------------------------------------------------------------
// SELECT list

export type SelectItem = SelectExpr | TypeOfSelect | SubquerySelect;

/** A field path or a function call in the SELECT list, optionally aliased (`COUNT(Id) total`). */
export interface SelectExpr extends NodeBase {
  readonly kind: 'selectExpr';
  readonly expr: ValueExpr;
  readonly alias?: string;
}

/** `TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END`. */
export interface TypeOfSelect extends NodeBase {
  readonly kind: 'typeof';
  /** The polymorphic relationship name (`What`, `Owner`). */
  readonly relationship: string;
  /** Never empty. */
  readonly whens: readonly TypeOfWhen[];
  /** `ELSE` fields, or absent. */
  readonly else?: readonly FieldRef[];
}

export interface TypeOfWhen extends NodeBase {
  readonly kind: 'typeofWhen';
  /** The concrete sObject type (`Account`). */
  readonly objectType: string;
  /** Fields of that type, relative to the relationship; never empty. */
  readonly fields: readonly FieldRef[];
}

/** A child subquery in the SELECT list: `(SELECT Id FROM Contacts)`. */
export interface SubquerySelect extends NodeBase {
  readonly kind: 'subquery';
  readonly query: SelectQuery;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Something that yields a value per row: a field path or a function call. */
export type ValueExpr = FieldRef | FunctionCall;

/** A field path: `['Name']`, `['Owner', 'Name']`, `['Account', 'Owner', 'Email']`. */
export interface FieldRef extends NodeBase {
  readonly kind: 'field';
  /** Path segments as written (relationship names then a field name); never empty. */
  readonly path: readonly string[];
  /** Span of each segment of `path`, when parsed. */
  readonly segmentSpans?: readonly Span[];
}

/** Aggregate functions (only in aggregate queries, or `COUNT()` alone). */
export type AggregateFunctionName =
  | 'COUNT'
  | 'COUNT_DISTINCT'
  | 'SUM'
  | 'AVG'
  | 'MIN'
  | 'MAX'
  | 'GROUPING';

/** Date functions over date and datetime fields. */
export type DateFunctionName =
  | 'CALENDAR_MONTH'
  | 'CALENDAR_QUARTER'
  | 'CALENDAR_YEAR'
  | 'DAY_IN_MONTH'
  | 'DAY_IN_WEEK'
  | 'DAY_IN_YEAR'
  | 'DAY_ONLY'
  | 'FISCAL_MONTH'
  | 'FISCAL_QUARTER'
  | 'FISCAL_YEAR'
  | 'HOUR_IN_DAY'
  | 'WEEK_IN_MONTH'
  | 'WEEK_IN_YEAR';

/**
 * Other SOQL functions, canonical spelling as Salesforce documents it. `FIELDS` takes one field
 * reference `ALL`, `STANDARD` or `CUSTOM` (`FIELDS(STANDARD)`), in the SELECT list only.
 */
export type OtherFunctionName =
  | 'FIELDS'
  | 'FORMAT'
  | 'toLabel'
  | 'convertCurrency'
  | 'convertTimezone'
  | 'DISTANCE'
  | 'GEOLOCATION';

/** Every function the grammar knows; the parser canonicalises case to these spellings. */
export type FunctionName = AggregateFunctionName | DateFunctionName | OtherFunctionName;

export const AGGREGATE_FUNCTIONS: readonly AggregateFunctionName[] = [
  'COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX', 'GROUPING',
];

export const DATE_FUNCTIONS: readonly DateFunctionName[] = [
  'CALENDAR_MONTH', 'CALENDAR_QUARTER', 'CALENDAR_YEAR', 'DAY_IN_MONTH', 'DAY_IN_WEEK',
  'DAY_IN_YEAR', 'DAY_ONLY', 'FISCAL_MONTH', 'FISCAL_QUARTER', 'FISCAL_YEAR', 'HOUR_IN_DAY',
  'WEEK_IN_MONTH', 'WEEK_IN_YEAR',
];

export const OTHER_FUNCTIONS: readonly OtherFunctionName[] = [
  'FIELDS', 'FORMAT', 'toLabel', 'convertCurrency', 'convertTimezone', 'DISTANCE', 'GEOLOCATION',
];

/** An argument: a field, a nested call (`FORMAT(MIN(CloseDate))`), or a literal (`GEOLOCATION(1, 2)`, `'mi'`). */
export type FunctionArg = FieldRef | FunctionCall | Literal;

/** A function call; `COUNT()` has no arguments. */
export interface FunctionCall extends NodeBase {
  readonly kind: 'function';
  readonly name: FunctionName;
  readonly args: readonly FunctionArg[];
}

// ---------------------------------------------------------------------------------------------
// Conditions (WHERE, HAVING)

export type Condition = Comparison | AndCondition | OrCondition | NotCondition;

export type ComparisonOperator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'IN'
  | 'NOT IN'
  | 'INCLUDES'
  | 'EXCLUDES';

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
  '=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN', 'INCLUDES', 'EXCLUDES',
];

/**
 * `left operator right`. `right` is a list for IN / NOT IN / INCLUDES / EXCLUDES, or a subquery for
 * a semi-join (`IN`) or anti-join (`NOT IN`); a single literal otherwise. (`<>` parses as `!=`.)
 */
export interface Comparison extends NodeBase {
  readonly kind: 'comparison';
  readonly left: ValueExpr;
  readonly operator: ComparisonOperator;
  readonly right: Operand;
  /** Span of the operator token(s), when parsed. */
  readonly operatorSpan?: Span;
}

export type Operand = Literal | ListValue | SubquerySelect;

/** n-ary AND (at least two conditions). */
export interface AndCondition extends NodeBase {
  readonly kind: 'and';
  readonly conditions: readonly Condition[];
}

/** n-ary OR (at least two conditions). */
export interface OrCondition extends NodeBase {
  readonly kind: 'or';
  readonly conditions: readonly Condition[];
}

export interface NotCondition extends NodeBase {
  readonly kind: 'not';
  readonly condition: Condition;
}

// ---------------------------------------------------------------------------------------------
// Values

export type Literal =
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | NullLiteral
  | DateValue
  | DateTimeValue
  | DateLiteral
  | DateLiteralN;

/**
 * A quoted string. `value` is decoded at the string level (`\'` -> `'`, `\\` -> `\`, `\n` -> newline,
 * ...), except `\_` and `\%`, which stay as two characters: they are LIKE-pattern escapes, and in a
 * LIKE pattern a backslash makes the next character literal. So `LIKE '50\%'` and `LIKE '50\\%'`
 * both give the pattern value `50\%`, matching the text `50%`. A compiler escapes `\` as `\\`.
 */
export interface StringLiteral extends NodeBase {
  readonly kind: 'string';
  readonly value: string;
}

/** A number; `raw` keeps the written digits (no precision loss), `currency` a prefix like `USD5000`. */
export interface NumberLiteral extends NodeBase {
  readonly kind: 'number';
  readonly value: number;
  readonly raw?: string;
  /** ISO currency code of a multi-currency literal (`USD5000`), upper-cased. */
  readonly currency?: string;
}

export interface BooleanLiteral extends NodeBase {
  readonly kind: 'boolean';
  readonly value: boolean;
}

export interface NullLiteral extends NodeBase {
  readonly kind: 'null';
}

/** `2024-05-06` (unquoted). */
export interface DateValue extends NodeBase {
  readonly kind: 'date';
  /** `YYYY-MM-DD`. */
  readonly value: string;
}

/** `2024-05-06T09:15:27Z`, `2024-05-06T09:15:27.000+01:00`, `2024-05-06T09:15:27-0800` (unquoted). */
export interface DateTimeValue extends NodeBase {
  readonly kind: 'datetime';
  /** As written. */
  readonly value: string;
}

/** Date literals without a parameter. */
export type DateLiteralName =
  | 'YESTERDAY'
  | 'TODAY'
  | 'TOMORROW'
  | 'LAST_WEEK'
  | 'THIS_WEEK'
  | 'NEXT_WEEK'
  | 'LAST_MONTH'
  | 'THIS_MONTH'
  | 'NEXT_MONTH'
  | 'LAST_90_DAYS'
  | 'NEXT_90_DAYS'
  | 'THIS_QUARTER'
  | 'LAST_QUARTER'
  | 'NEXT_QUARTER'
  | 'THIS_YEAR'
  | 'LAST_YEAR'
  | 'NEXT_YEAR'
  | 'THIS_FISCAL_QUARTER'
  | 'LAST_FISCAL_QUARTER'
  | 'NEXT_FISCAL_QUARTER'
  | 'THIS_FISCAL_YEAR'
  | 'LAST_FISCAL_YEAR'
  | 'NEXT_FISCAL_YEAR';

/** Date literals taking `:n`. */
export type DateLiteralNName =
  | 'LAST_N_DAYS'
  | 'NEXT_N_DAYS'
  | 'N_DAYS_AGO'
  | 'LAST_N_WEEKS'
  | 'NEXT_N_WEEKS'
  | 'N_WEEKS_AGO'
  | 'LAST_N_MONTHS'
  | 'NEXT_N_MONTHS'
  | 'N_MONTHS_AGO'
  | 'LAST_N_QUARTERS'
  | 'NEXT_N_QUARTERS'
  | 'N_QUARTERS_AGO'
  | 'LAST_N_YEARS'
  | 'NEXT_N_YEARS'
  | 'N_YEARS_AGO'
  | 'LAST_N_FISCAL_QUARTERS'
  | 'NEXT_N_FISCAL_QUARTERS'
  | 'N_FISCAL_QUARTERS_AGO'
  | 'LAST_N_FISCAL_YEARS'
  | 'NEXT_N_FISCAL_YEARS'
  | 'N_FISCAL_YEARS_AGO';

export const DATE_LITERALS: readonly DateLiteralName[] = [
  'YESTERDAY', 'TODAY', 'TOMORROW', 'LAST_WEEK', 'THIS_WEEK', 'NEXT_WEEK', 'LAST_MONTH',
  'THIS_MONTH', 'NEXT_MONTH', 'LAST_90_DAYS', 'NEXT_90_DAYS', 'THIS_QUARTER', 'LAST_QUARTER',
  'NEXT_QUARTER', 'THIS_YEAR', 'LAST_YEAR', 'NEXT_YEAR', 'THIS_FISCAL_QUARTER',
  'LAST_FISCAL_QUARTER', 'NEXT_FISCAL_QUARTER', 'THIS_FISCAL_YEAR', 'LAST_FISCAL_YEAR',
  'NEXT_FISCAL_YEAR',
];

export const DATE_LITERALS_N: readonly DateLiteralNName[] = [
  'LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO', 'LAST_N_WEEKS', 'NEXT_N_WEEKS', 'N_WEEKS_AGO',
  'LAST_N_MONTHS', 'NEXT_N_MONTHS', 'N_MONTHS_AGO', 'LAST_N_QUARTERS', 'NEXT_N_QUARTERS',
  'N_QUARTERS_AGO', 'LAST_N_YEARS', 'NEXT_N_YEARS', 'N_YEARS_AGO', 'LAST_N_FISCAL_QUARTERS',
  'NEXT_N_FISCAL_QUARTERS', 'N_FISCAL_QUARTERS_AGO', 'LAST_N_FISCAL_YEARS',
  'NEXT_N_FISCAL_YEARS', 'N_FISCAL_YEARS_AGO',
];

/** `TODAY`, `LAST_WEEK`, ... */
export interface DateLiteral extends NodeBase {
  readonly kind: 'dateLiteral';
  readonly name: DateLiteralName;
}

/** `LAST_N_DAYS:30`, `N_FISCAL_QUARTERS_AGO:2`, ... */
export interface DateLiteralN extends NodeBase {
  readonly kind: 'dateLiteralN';
  readonly name: DateLiteralNName;
  /** Non-negative integer. */
  readonly n: number;
}

/** `('a', 'b')` after IN / NOT IN / INCLUDES / EXCLUDES; never empty. */
export interface ListValue extends NodeBase {
  readonly kind: 'list';
  readonly values: readonly Literal[];
}

// ---------------------------------------------------------------------------------------------
// WITH, GROUP BY, ORDER BY

export type WithClause = WithSecurity | WithDataCategory;

/** `WITH SECURITY_ENFORCED`, `WITH USER_MODE`, `WITH SYSTEM_MODE`. */
export interface WithSecurity extends NodeBase {
  readonly kind: 'withSecurity';
  readonly mode: 'SECURITY_ENFORCED' | 'USER_MODE' | 'SYSTEM_MODE';
}

/** `WITH DATA CATEGORY Geography__c AT (usa__c, uk__c) AND Product__c BELOW all__c`. */
export interface WithDataCategory extends NodeBase {
  readonly kind: 'withDataCategory';
  /** Joined by AND; never empty. */
  readonly filters: readonly DataCategoryFilter[];
}

export interface DataCategoryFilter extends NodeBase {
  readonly kind: 'dataCategoryFilter';
  readonly group: string;
  readonly selector: 'AT' | 'ABOVE' | 'BELOW' | 'ABOVE_OR_BELOW';
  /** Never empty. */
  readonly categories: readonly string[];
}

/** `GROUP BY a, b`, `GROUP BY ROLLUP(a, b)`, `GROUP BY CUBE(a, b)`. */
export interface GroupByClause extends NodeBase {
  readonly kind: 'groupBy';
  readonly mode: 'plain' | 'ROLLUP' | 'CUBE';
  /** Never empty. */
  readonly items: readonly ValueExpr[];
}

/** One ORDER BY key; `direction`/`nulls` are absent when not written (Salesforce: ASC, NULLS FIRST for ASC). */
export interface OrderByItem extends NodeBase {
  readonly kind: 'orderBy';
  readonly expr: ValueExpr;
  readonly direction?: 'ASC' | 'DESC';
  readonly nulls?: 'FIRST' | 'LAST';
}

// ---------------------------------------------------------------------------------------------

/** Every node kind, for exhaustive visitors. */
export type SoqlNode =
  | SelectQuery
  | FromClause
  | SelectItem
  | TypeOfWhen
  | ValueExpr
  | Condition
  | Operand
  | WithClause
  | DataCategoryFilter
  | GroupByClause
  | OrderByItem;
