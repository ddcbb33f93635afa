/**
 * SOQL tokenizer: turns query text into identifiers, strings, numbers, date/datetime values and
 * punctuation, each with its 0-based `[start, end)` offsets. Keywords are identifiers; the parser
 * compares them case-insensitively. Errors are {@link SoqlParseError}s with Salesforce's
 * `MALFORMED_QUERY` code and a line/column.
 */

export type TokenType =
  | 'ident'
  | 'string'
  | 'number'
  | 'date'
  | 'datetime'
  | 'punct'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Source text of the token (for strings: including the quotes). */
  readonly text: string;
  /** Decoded value of a string token; absent otherwise. */
  readonly value?: string;
  readonly start: number;
  readonly end: number;
}

/** 1-based line and column of a 0-based offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(offset, text.length);
  for (let i = 0; i < limit; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A malformed SOQL query: what was found where, and what was expected.
 *
 * @example
 * ```ts
 * try { parseSoql('SELECT Id FORM Account'); }
 * catch (e) { if (e instanceof SoqlParseError) console.log(e.line, e.column, e.expected); }
 * ```
 */
export class SoqlParseError extends Error {
  override readonly name = 'SoqlParseError';
  readonly errorCode = 'MALFORMED_QUERY' as const;
  /** 0-based offset of the offending token in the query text. */
  readonly offset: number;
  /** 0-based end offset of the offending token. */
  readonly endOffset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** What was found: `'FORM'` (quoted token text) or `end of query`. */
  readonly found: string;
  /** What was expected (`FROM`, `a field name`), or null for errors that are not about expectation. */
  readonly expected: string | null;
  /** The message without the position suffix. */
  readonly detail: string;

  constructor(
    query: string,
    offset: number,
    endOffset: number,
    found: string,
    expected: string | null,
    detail?: string,
  ) {
    const { line, column } = lineColumn(query, offset);
    const what = detail ?? `expected ${expected ?? 'something else'}, found ${found}`;
    super(`${what} at line ${line}, column ${column}`);
    this.offset = offset;
    this.endOffset = endOffset;
    this.line = line;
    this.column = column;
    this.found = found;
    this.expected = expected;
    this.detail = what;
  }
}

/** How a token is shown in messages. */
export function describeToken(token: Token): string {
  if (token.type === 'eof') return 'end of query';
  if (token.type === 'string') return token.text.length > 40 ? `${token.text.slice(0, 36)}...'` : token.text;
  const text = token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text;
  return `'${text}'`;
}

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  "'": "'",
  '"': '"',
  '\\': '\\',
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  // LIKE-level escapes stay escaped (see StringLiteral in ast.ts).
  _: '\\_',
  '%': '\\%',
};

const DATE_RE = /\d{4}-\d{2}-\d{2}/y;
const DATETIME_TAIL_RE = /T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})/y;
const NUMBER_RE = /(?:\d+(?:\.\d*)?|\.\d+)/y;
const IDENT_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const CURRENCY_FRACTION_RE = /\.\d+/y;
const CURRENCY_IDENT_RE = /^[A-Za-z]{3}\d+$/;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 0xa0;
}

function isIdentChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

/**
 * Tokenizes SOQL text. The result always ends with an `eof` token.
 *
 * @throws SoqlParseError on an unterminated string, a bad escape, a malformed date/datetime or an
 * unexpected character.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  const fail = (at: number, end: number, detail: string): never => {
    const found = at >= n ? 'end of query' : `'${text.slice(at, Math.max(end, at + 1))}'`;
    throw new SoqlParseError(text, at, end, found, null, detail);
  };
  while (i < n) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      continue;
    }
    const start = i;
    const ch = text[i] as string;
    // String literal.
    if (ch === "'") {
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i] as string;
        if (c === "'") {
          closed = true;
          i++;
          break;
        }
        if (c === '\\') {
          const next = text[i + 1];
          if (next === undefined) break;
          if (next === 'u' || next === 'U') {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail(i, i + 2 + hex.length, `invalid unicode escape '\\${next}${hex}'`);
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            continue;
          }
          const decoded = STRING_ESCAPES[next];
          if (decoded === undefined) {
            fail(
              i,
              i + 2,
              `invalid escape sequence '\\${next}' in string (valid: \\' \\" \\\\ \\n \\r \\t \\b \\f \\_ \\% \\uXXXX)`,
            );
          }
          value += decoded;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (!closed) fail(start, n, 'unterminated string literal (missing closing quote)');
      tokens.push({ type: 'string', text: text.slice(start, i), value, start, end: i });
      continue;
    }
    if (ch === '"') {
      fail(start, start + 1, "string literals use single quotes ('...'), not double quotes");
    }
    // Date / datetime / number.
    if (code >= 48 && code <= 57) {
      DATE_RE.lastIndex = i;
      if (DATE_RE.test(text)) {
        let end = DATE_RE.lastIndex;
        let type: TokenType = 'date';
        if (text[end] === 'T' || text[end] === 't') {
          DATETIME_TAIL_RE.lastIndex = end;
          if (!DATETIME_TAIL_RE.test(text)) {
            let bad = end;
            while (bad < n && !isSpace(text.charCodeAt(bad)) && !',()'.includes(text[bad] as string)) bad++;
            fail(
              start,
              bad,
              `malformed datetime '${text.slice(start, bad)}' (expected YYYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm|-hhmm))`,
            );
          }
          end = DATETIME_TAIL_RE.lastIndex;
          type = 'datetime';
        }
        if (end < n && isIdentChar(text.charCodeAt(end))) {
          fail(start, end + 1, `malformed date '${text.slice(start, end + 1)}'`);
        }
        tokens.push({ type, text: text.slice(start, end), start, end });
        i = end;
        continue;
      }
    }
    if ((code >= 48 && code <= 57) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      NUMBER_RE.lastIndex = i;
      NUMBER_RE.test(text);
      let end = NUMBER_RE.lastIndex;
      if (text[end] === 'e' || text[end] === 'E') {
        const exp = /[eE][+-]?\d+/y;
        exp.lastIndex = end;
        if (exp.test(text)) end = exp.lastIndex;
      }
      if (end < n && isIdentChar(text.charCodeAt(end))) {
        let bad = end;
        while (bad < n && isIdentChar(text.charCodeAt(bad))) bad++;
        fail(start, bad, `malformed number '${text.slice(start, bad)}'`);
      }
      tokens.push({ type: 'number', text: text.slice(start, end), start, end });
      i = end;
      continue;
    }
    if (isIdentChar(code)) {
      IDENT_RE.lastIndex = i;
      IDENT_RE.test(text);
      let end = IDENT_RE.lastIndex;
      // Multi-currency literal with a fraction: USD5000.50
      if (CURRENCY_IDENT_RE.test(text.slice(start, end))) {
        CURRENCY_FRACTION_RE.lastIndex = end;
        if (CURRENCY_FRACTION_RE.test(text)) end = CURRENCY_FRACTION_RE.lastIndex;
      }
      tokens.push({ type: 'ident', text: text.slice(start, end), start, end });
      i = end;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ type: 'punct', text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if ('(),.:=<>+-'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch, start, end: i + 1 });
      i++;
      continue;
    }
    if (ch === '*') fail(start, start + 1, "unexpected character '*': SOQL has no SELECT *; list the fields");
    fail(start, start + 1, `unexpected character '${ch}'`);
  }
  tokens.push({ type: 'eof', text: '', start: n, end: n });
  return tokens;
}
