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

/**
 * Line and column (1-based) of a `JSON.parse` failure. V8's messages do not always carry a
 * position (Node 20 often says only "Unexpected token"), so the text is scanned to the first
 * offending character.
 */
export function jsonErrorPosition(text: string, _message?: string): { line: number; column: number } | undefined {
  const pos = firstJsonError(text);
  if (pos === undefined) return undefined;
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

/** Offset of the first character that makes `text` invalid JSON (a bounded, non-recursive scan). */
function firstJsonError(text: string): number | undefined {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  // Stack of containers: '{' expects key, ':' expects value in object, '[' array.
  const stack: ('{' | '[')[] = [];
  type State = 'value' | 'afterValue' | 'key';
  let state: State = 'value';
  const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (;;) {
    ws();
    if (state === 'value') {
      if (i >= n) return i;
      const c = text[i];
      if (c === '{') {
        stack.push('{');
        i++;
        ws();
        if (text[i] === '}') {
          i++;
          stack.pop();
          state = 'afterValue';
        } else state = 'key';
        continue;
      }
      if (c === '[') {
        stack.push('[');
        i++;
        ws();
        if (text[i] === ']') {
          i++;
          stack.pop();
          state = 'afterValue';
        } else state = 'value';
        continue;
      }
      if (c === '"') {
        const end = scanString(text, i);
        if (end < 0) return -end - 1;
        i = end;
        state = 'afterValue';
        continue;
      }
      for (const lit of ['true', 'false', 'null']) {
        if (text.startsWith(lit, i)) {
          i += lit.length;
          state = 'afterValue';
          break;
        }
      }
      if (state === 'afterValue') continue;
      NUM.lastIndex = i;
      if (NUM.test(text)) {
        i = NUM.lastIndex;
        state = 'afterValue';
        continue;
      }
      return i;
    }
    if (state === 'key') {
      if (text[i] !== '"') return i;
      const end = scanString(text, i);
      if (end < 0) return -end - 1;
      i = end;
      ws();
      if (text[i] !== ':') return i;
      i++;
      state = 'value';
      continue;
    }
    // afterValue
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? i : undefined;
    if (text[i] === ',') {
      i++;
      state = top === '{' ? 'key' : 'value';
      continue;
    }
    if ((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']')) {
      i++;
      stack.pop();
      continue;
    }
    return i;
  }
}

/** End offset of the string starting at `start`, or `-(offset + 1)` of the error. */
function scanString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 32) return -(i + 1);
    if (c === 92) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -(i + 1);
        i += 6;
        continue;
      }
      if (e === undefined || !'"\\/bfnrt'.includes(e)) return -(i + 1);
      i += 2;
      continue;
    }
    i++;
  }
  return -(text.length + 1);
}
