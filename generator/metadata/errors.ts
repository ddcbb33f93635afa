/**
 * Errors of the metadata stage. Every one names where it happened: the file or the request, and
 * when known the object and property at fault.
 */

/** Stable codes callers (the CLI, tests) branch on. */
export type MetadataErrorCode =
  | 'MALFORMED_DESCRIBE'
  | 'MISSING_FILE'
  | 'UNKNOWN_OBJECT'
  | 'UNREACHABLE'
  | 'AUTH_REJECTED'
  | 'REQUEST_FAILED'
  | 'UNSUPPORTED_VERSION'
  | 'NO_CREDENTIALS';

/**
 * A failure to read metadata.
 *
 * @example
 * ```ts
 * try { await source.describeGlobal(); }
 * catch (e) { if (e instanceof MetadataError && e.code === 'MISSING_FILE') console.error(e.where); }
 * ```
 */
export class MetadataError extends Error {
  override readonly name = 'MetadataError';
  constructor(
    readonly code: MetadataErrorCode,
    message: string,
    /** The file or the request at fault (`test/fixtures/demo-org/sobjects/Account.json`, `GET /services/data/v60.0/sobjects`). */
    readonly where: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
