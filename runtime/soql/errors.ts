/**
 * Errors raised while building or compiling a SOQL query, before any request is sent.
 */

/**
 * Builder misuse the types cannot prevent (an empty IN list, a negative LIMIT, an OFFSET above
 * 2,000, a value that cannot be formatted for its field): thrown synchronously by the builder or
 * by `toSoql()`, so nothing malformed ever reaches Salesforce.
 *
 * @example
 * ```ts
 * try {
 *   selectFrom(Account).select('Id').where('Id', 'IN', []).toSoql();
 * } catch (error) {
 *   if (error instanceof SoqlBuildError) console.error(error.code, error.message);
 * }
 * ```
 */
export class SoqlBuildError extends Error {
  /** Stable code callers can branch on. */
  readonly code = 'SOQL_BUILD' as const;
  /** Where the problem is, e.g. `Account.Industry` or `LIMIT`. */
  readonly location: string;

  constructor(location: string, message: string) {
    super(`${location}: ${message}`);
    this.name = 'SoqlBuildError';
    this.location = location;
  }
}
