/**
 * Salesforce's REST error shapes, and the error the simulator's route handlers throw to answer
 * with one. The HTTP layer turns a thrown {@link SimHttpError} into its status and JSON body.
 */

/** One entry of a REST error array: `[{message, errorCode, fields?}]`. */
export interface SfErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** A failure answered with `status` and a Salesforce error array (or a custom JSON body). */
export class SimHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, errors: SfErrorItem[] | SfErrorItem, headers: Record<string, string> = {}) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
    this.name = 'SimHttpError';
    this.status = status;
    this.body = list;
    this.headers = headers;
  }

  /** An error whose body is not an error array (OAuth errors use `{error, error_description}`). */
  static withBody(status: number, body: unknown, message: string): SimHttpError {
    const e = new SimHttpError(status, { errorCode: 'CUSTOM', message });
    (e as { body: unknown }).body = body;
    return e;
  }
}

export function sfError(errorCode: string, message: string, fields?: string[]): SfErrorItem {
  return fields === undefined ? { message, errorCode } : { message, errorCode, fields };
}

export const notFound = (): SimHttpError =>
  new SimHttpError(404, sfError('NOT_FOUND', 'The requested resource does not exist'));

export const invalidSession = (): SimHttpError =>
  new SimHttpError(401, sfError('INVALID_SESSION_ID', 'Session expired or invalid'));

/**
 * Parse a JSON request body the way Salesforce reports failures: 400 `JSON_PARSER_ERROR` with the
 * line and column of the problem.
 */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const where = jsonErrorPosition(text, detail);
    throw new SimHttpError(
      400,
      sfError('JSON_PARSER_ERROR', `Unexpected JSON: ${detail}${where ? ` at [line:${where.line}, column:${where.column}]` : ''}`),
    );
  }
}

/** Line and column (1-based) of a `JSON.parse` failure, read from V8's "at position N" message. */
export function jsonErrorPosition(text: string, message: string): { line: number; column: number } | undefined {
  const m = /position (\d+)/.exec(message);
  let pos: number;
  if (m?.[1] !== undefined) pos = Number(m[1]);
  else if (/end of JSON input/i.test(message)) pos = text.length;
  else return undefined;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: pos - lineStart + 1 };
}
