/**
 * The simulator's SOQL engine: parses a query with the project's parser, validates it against the
 * org's describes and evaluates it over the stored records, shaping rows as Salesforce's REST API
 * does. The HTTP layer pages the rows (`nextRecordsUrl`); child subqueries come back as complete
 * envelopes (`{totalSize, done: true, records}`) or `null` when empty.
 */
import { parseSoql, SoqlParseError } from '../../soql/parser.js';
import type { SelectQuery } from '../../soql/ast.js';
import type { OrgStore } from '../store-types.js';
import { bindQuery } from './bind.js';
import { SoqlError } from './errors.js';
import { Executor, type FlatRows } from './execute.js';
import type { BoundQuery } from './bind.js';
import { IndexedSchema, schemaFromStore } from './schema.js';

export { SoqlError, type SoqlErrorCode } from './errors.js';
export { bindQuery, type BindResult, type Diagnostic, type BoundQuery } from './bind.js';
export type { FlatRows } from './execute.js';
export { schemaFromStore, type QuerySchema, type QueryObject, type QueryField, type QueryChildRelationship } from './schema.js';

export interface ExecuteQueryOptions {
  /** `queryAll`: include deleted (recycle bin) records. */
  readonly includeDeleted: boolean;
  /** API version for `attributes.url`, e.g. `'60.0'`. */
  readonly apiVersion: string;
  /** Clock for date literals (`TODAY`, `LAST_N_DAYS:n`), epoch ms; default `Date.now()`. */
  readonly now?: number;
}

export interface QueryResult {
  readonly totalSize: number;
  readonly records: object[];
}

/**
 * Runs a SOQL query against the simulated org and returns every row (the caller pages them).
 *
 * @throws SoqlError with `errorCode` `MALFORMED_QUERY` (syntax, misuse), `INVALID_TYPE` (unknown
 * object or child relationship), `INVALID_FIELD` (unknown field or relationship, non-filterable,
 * wrong value type) or `INVALID_QUERY_FILTER_OPERATOR` (operator not valid for the field type).
 * @example
 * ```ts
 * const { totalSize, records } = executeQuery(
 *   "SELECT Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account WHERE Industry = 'Energy'",
 *   sim.store, { includeDeleted: false, apiVersion: '60.0' });
 * ```
 */
export function executeQuery(soql: string, store: OrgStore, options: ExecuteQueryOptions): QueryResult {
  let parsed: SelectQuery;
  try {
    parsed = parseSoql(soql);
  } catch (error) {
    if (error instanceof SoqlParseError) {
      throw new SoqlError('MALFORMED_QUERY', error.detail, soql, { start: error.offset, end: error.endOffset });
    }
    throw error;
  }
  const schema = new IndexedSchema(schemaFromStore(store));
  const { query } = bindQuery(parsed, schema, { failFast: true, text: soql, now: options.now ?? Date.now() });
  if (query === undefined) throw new SoqlError('MALFORMED_QUERY', 'query could not be bound');
  return new Executor(store, schema, options).run(query);
}

/**
 * Parses and binds a query (throwing {@link SoqlError} like {@link executeQuery}) and returns the
 * bound query, so a caller can inspect its columns before running it with {@link runBoundFlat}.
 */
export function bindSoql(soql: string, store: OrgStore, now?: number): BoundQuery {
  let parsed: SelectQuery;
  try {
    parsed = parseSoql(soql);
  } catch (error) {
    if (error instanceof SoqlParseError) {
      throw new SoqlError('MALFORMED_QUERY', error.detail, soql, { start: error.offset, end: error.endOffset });
    }
    throw error;
  }
  const schema = new IndexedSchema(schemaFromStore(store));
  const { query } = bindQuery(parsed, schema, { failFast: true, text: soql, now: now ?? Date.now() });
  if (query === undefined) throw new SoqlError('MALFORMED_QUERY', 'query could not be bound');
  return query;
}

/** Runs a bound plain query, reading column values per row on demand (Bulk API 2.0 results). */
export function runBoundFlat(query: BoundQuery, store: OrgStore, options: ExecuteQueryOptions): FlatRows {
  const schema = new IndexedSchema(schemaFromStore(store));
  return new Executor(store, schema, options).runFlat(query);
}
