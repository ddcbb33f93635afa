/**
 * Typed SOQL: the immutable builder (`selectFrom`), checked strings (`soql`), value helpers and the
 * row types they produce. Re-exported by the runtime entry (`sfgen/runtime`).
 */
export { selectFrom, SelectQueryBuilder, SoqlCondition, childRecords, MAX_OFFSET } from './builder.js';
export type {
  BuilderState,
  ClauseCheck,
  DeepCheck,
  DeepClauseCheck,
  DeepGroupCheck,
  ExpressionBuilder,
  InitialState,
  PolymorphicRelationship,
  SelectablePath,
  SelectionRow,
  State,
  SubqueryReturn,
} from './builder.js';
export { soql, soqlIn, CheckedQuery, substituteBinds } from './checked.js';
export type { BindNames, BindValue, BindsFor, CheckSoql, SoqlFunction, SoqlRow } from './checked.js';
export { compileSoql } from './compile.js';
export { SoqlBuildError } from './errors.js';
export {
  LikePattern,
  SoqlDate,
  SoqlDateLiteral,
  SoqlDateTime,
  dateLiteral,
  escapeLikeWildcards,
  escapeSoqlString,
  like,
  quoteSoqlString,
  soqlDate,
  soqlDateTime,
} from './values.js';
export type { SoqlScalar } from './values.js';
export type {
  AggregateAttributes,
  AggregateFn,
  CheckClausePath,
  CheckPath,
  FieldRestriction,
  MaxDepth,
  MetaShape,
  NotLoaded,
  NotQueryable,
  OperatorFor,
  PathKind,
  PathValue,
  QueryableCheck,
  RegistryOf,
  RestrictionError,
  RowAttributes,
  SemiJoinable,
  SubqueryResult,
  ValueFor,
} from './types.js';
// The SOQL parser (used by `soql()` at run time, `sfgen lint` and the simulator): exported so
// callers can catch its error and parse queries themselves.
export { parseSoql } from './parser.js';
export { SoqlParseError } from './lexer.js';
