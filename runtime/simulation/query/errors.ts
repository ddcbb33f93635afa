/**
 * The query engine's error: Salesforce's `errorCode` (`MALFORMED_QUERY`, `INVALID_FIELD`,
 * `INVALID_TYPE`, `INVALID_QUERY_FILTER_OPERATOR`) and a message shaped like Salesforce's, which
 * quotes the query line, points a caret at the offending token and says `ERROR at Row:r:Column:c`.
 */
import type { Span } from '../../soql/ast.js';
import { lineColumn } from '../../soql/lexer.js';

export type SoqlErrorCode =
  | 'MALFORMED_QUERY'
  | 'INVALID_FIELD'
  | 'INVALID_TYPE'
  | 'INVALID_QUERY_FILTER_OPERATOR'
  | 'NUMBER_OUTSIDE_VALID_RANGE';

/**
 * A query Salesforce would refuse. `message` is Salesforce-shaped; `detail` is the bare reason.
 *
 * @example
 * ```ts
 * try { executeQuery('SELECT Nme FROM Account', store, { includeDeleted: false, apiVersion: '60.0' }); }
 * catch (e) { if (e instanceof SoqlError) console.log(e.errorCode, e.detail); }
 * ```
 */
export class SoqlError extends Error {
  override readonly name = 'SoqlError';
  readonly errorCode: SoqlErrorCode;
  /** The reason without the query excerpt (`No such column 'Nme' on entity 'Account'. ...`). */
  readonly detail: string;
  /** Where in the query, when known. */
  readonly span: Span | undefined;

  constructor(errorCode: SoqlErrorCode, detail: string, query?: string, span?: Span) {
    super(query !== undefined && span !== undefined ? salesforceMessage(query, span, detail) : detail);
    this.errorCode = errorCode;
    this.detail = detail;
    this.span = span;
  }
}

/** `\n<line>\n<caret>\nERROR at Row:1:Column:8\n<detail>`, as Salesforce words query errors. */
export function salesforceMessage(query: string, span: Span, detail: string): string {
  const { line, column } = lineColumn(query, span.start);
  const text = query.split('\n')[line - 1] ?? '';
  return `\n${text}\n${' '.repeat(Math.max(0, column - 1))}^\nERROR at Row:${line}:Column:${column}\n${detail}`;
}
