/**
 * SOQL values: escaping, validation and formatting.
 *
 * Every value that enters a query (builder `where()` values, `soql()` bind variables) is turned into
 * an AST literal here, and every literal is written back as SOQL text by {@link formatLiteral}. Text
 * is always quoted and escaped, so no value can change the structure of a query; dates, datetimes,
 * numbers, booleans and ids are validated and written in the one form Salesforce accepts.
 *
 * Dates are never plain strings: a plain string is text. Use {@link soqlDate} (a `date` field),
 * a `Date` or {@link soqlDateTime} (a `datetime` field), or a {@link dateLiteral} (`TODAY`,
 * `LAST_N_DAYS:30`). The typed builder enforces this per field type.
 */
import type { FieldType } from '../schema.js';
import type {
  DateLiteralName,
  DateLiteralNName,
  Literal,
  StringLiteral,
} from './ast.js';
import { DATE_LITERALS, DATE_LITERALS_N } from './ast.js';
import { SoqlBuildError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Value wrappers

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z?$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** A `date` value (`2024-05-06`, unquoted in SOQL). Build it with {@link soqlDate}. */
export class SoqlDate {
  /** `YYYY-MM-DD`. */
  readonly value: string;
  /** @internal use {@link soqlDate} */
  constructor(value: string) {
    this.value = value;
    Object.freeze(this);
  }
  toString(): string {
    return this.value;
  }
}

/** A `datetime` value (`2024-05-06T09:15:27Z`, unquoted in SOQL). Build it with {@link soqlDateTime}. */
export class SoqlDateTime {
  /** ISO 8601 with `Z` or a `+hh:mm` offset. */
  readonly value: string;
  /** @internal use {@link soqlDateTime} */
  constructor(value: string) {
    this.value = value;
    Object.freeze(this);
  }
  toString(): string {
    return this.value;
  }
}

/** A relative date literal (`TODAY`, `LAST_N_DAYS:30`). Build it with {@link dateLiteral}. */
export class SoqlDateLiteral {
  readonly name: DateLiteralName | DateLiteralNName;
  readonly n: number | undefined;
  /** @internal use {@link dateLiteral} */
  constructor(name: DateLiteralName | DateLiteralNName, n: number | undefined) {
    this.name = name;
    this.n = n;
    Object.freeze(this);
  }
  toString(): string {
    return this.n === undefined ? this.name : `${this.name}:${this.n}`;
  }
}

/**
 * A LIKE pattern: `%` and `_` are wildcards, `\%`, `\_` and `\\` stand for a literal `%`, `_` and
 * backslash. Build it with the {@link like} helpers, which escape user text for you.
 */
export class LikePattern {
  readonly pattern: string;
  /** @internal use {@link like} */
  constructor(pattern: string) {
    this.pattern = pattern;
    Object.freeze(this);
  }
  toString(): string {
    return this.pattern;
  }
}

/**
 * A `date` value for `where()` and bind variables.
 *
 * @param value `YYYY-MM-DD`, or a `Date` (its UTC calendar day).
 * @example
 * ```ts
 * selectFrom(Opportunity).select('Id').where('CloseDate', '>=', soqlDate('2024-01-31'));
 * ```
 */
export function soqlDate(value: string | Date): SoqlDate {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new SoqlBuildError('date', 'Invalid Date');
    return new SoqlDate(value.toISOString().slice(0, 10));
  }
  const m = DATE_RE.exec(value);
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new SoqlBuildError('date', `${JSON.stringify(value)} is not a calendar date (YYYY-MM-DD)`);
  }
  return new SoqlDate(value);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Formats a JS Date as a SOQL datetime in UTC (`2024-05-06T09:15:27Z`, milliseconds kept when not 0). */
function formatDateTime(date: Date): string {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new SoqlBuildError('datetime', 'Invalid Date');
  const y = date.getUTCFullYear();
  if (y < 0 || y > 9999) throw new SoqlBuildError('datetime', `year ${y} is outside 0000-9999`);
  const ms = date.getUTCMilliseconds();
  return (
    `${pad(y, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    (ms === 0 ? '' : `.${pad(ms, 3)}`) +
    'Z'
  );
}

/**
 * A `datetime` value for `where()` and bind variables.
 *
 * @param value a `Date`, or an ISO 8601 string with seconds and a zone (`Z`, `+01:00`, or
 *   Salesforce's own `+0000` as records carry it, which is normalised to `+00:00`).
 * @example
 * ```ts
 * selectFrom(Account).select('Id').where('CreatedDate', '>', soqlDateTime('2024-05-06T09:15:27.000+0000'));
 * ```
 */
export function soqlDateTime(value: string | Date): SoqlDateTime {
  if (value instanceof Date) return new SoqlDateTime(formatDateTime(value));
  const m = DATETIME_RE.exec(value);
  if (
    !m ||
    !validDate(Number(m[1]), Number(m[2]), Number(m[3])) ||
    Number(m[4]) > 23 ||
    Number(m[5]) > 59 ||
    Number(m[6]) > 59
  ) {
    throw new SoqlBuildError(
      'datetime',
      `${JSON.stringify(value)} is not an ISO 8601 datetime with a zone (2024-05-06T09:15:27Z)`,
    );
  }
  const zone = m[8] ?? 'Z';
  const normalisedZone = zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return new SoqlDateTime(value.slice(0, value.length - zone.length) + normalisedZone);
}

/**
 * A relative date literal.
 *
 * @example
 * ```ts
 * dateLiteral('TODAY');            // TODAY
 * dateLiteral('LAST_N_DAYS', 30);  // LAST_N_DAYS:30
 * ```
 */
export function dateLiteral(name: DateLiteralName): SoqlDateLiteral;
export function dateLiteral(name: DateLiteralNName, n: number): SoqlDateLiteral;
export function dateLiteral(name: DateLiteralName | DateLiteralNName, n?: number): SoqlDateLiteral {
  if ((DATE_LITERALS as readonly string[]).includes(name)) {
    if (n !== undefined) throw new SoqlBuildError(name, 'this date literal takes no number');
    return new SoqlDateLiteral(name, undefined);
  }
  if ((DATE_LITERALS_N as readonly string[]).includes(name)) {
    if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
      throw new SoqlBuildError(name, `needs a non-negative integer, got ${String(n)}`);
    }
    return new SoqlDateLiteral(name, n);
  }
  throw new SoqlBuildError('date literal', `unknown date literal ${JSON.stringify(name)}`);
}

/** Escapes `\`, `%` and `_` so that `text` matches itself literally inside a LIKE pattern. */
export function escapeLikeWildcards(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * LIKE patterns built from user text, with the text's own `%`, `_` and `\` escaped.
 *
 * @example
 * ```ts
 * selectFrom(Account).select('Id').where('Name', 'LIKE', like.contains(userInput));
 * ```
 */
export const like = Object.freeze({
  /** Matches values containing `text`. */
  contains: (text: string): LikePattern => new LikePattern(`%${escapeLikeWildcards(text)}%`),
  /** Matches values starting with `text`. */
  startsWith: (text: string): LikePattern => new LikePattern(`${escapeLikeWildcards(text)}%`),
  /** Matches values ending with `text`. */
  endsWith: (text: string): LikePattern => new LikePattern(`%${escapeLikeWildcards(text)}`),
  /** Matches `text` exactly (case-insensitively, as LIKE does). */
  exact: (text: string): LikePattern => new LikePattern(escapeLikeWildcards(text)),
  /**
   * A pattern you wrote yourself: `%` and `_` are wildcards; a backslash may only escape `%`, `_`
   * or another backslash.
   */
  pattern: (pattern: string): LikePattern => {
    validateLikePattern(pattern);
    return new LikePattern(pattern);
  },
});

function validateLikePattern(pattern: string): void {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      const next = pattern[i + 1];
      if (next !== '%' && next !== '_' && next !== '\\') {
        throw new SoqlBuildError(
          'LIKE',
          `a backslash in a LIKE pattern must escape %, _ or \\ (at ${i} in ${JSON.stringify(pattern)})`,
        );
      }
      i++;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Escaping

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * Escapes text for the inside of a SOQL string literal: backslash, both quotes, newline, carriage
 * return, tab, backspace and form feed become their backslash escapes. Other characters (including
 * other control characters and any Unicode) are kept verbatim: inside quotes they cannot end the
 * literal.
 */
export function escapeSoqlString(value: string): string {
  return value.replace(/[\\'"\n\r\t\b\f]/g, (c) => STRING_ESCAPES[c] ?? c);
}

/** `value` as a quoted SOQL string literal. */
export function quoteSoqlString(value: string): string {
  return `'${escapeSoqlString(value)}'`;
}

/**
 * A LIKE pattern as a quoted SOQL literal: the pattern's own `\%`, `\_` and `\\` escapes are kept,
 * everything else is escaped as for {@link quoteSoqlString}.
 */
export function quoteLikePattern(pattern: string): string {
  validateLikePattern(pattern);
  let out = "'";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      out += `\\${pattern[i + 1] as string}`;
      i++;
    } else {
      out += STRING_ESCAPES[c] ?? c;
    }
  }
  return `${out}'`;
}

/** Writes a finite number without exponent notation (SOQL has none). */
export function formatNumber(value: number | bigint, location = 'number'): string {
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isFinite(value)) {
    throw new SoqlBuildError(location, `${String(value)} is not a finite number`);
  }
  if (Object.is(value, -0)) return '0';
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  // Expand d.ddde±x into plain decimal notation.
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const [intPart, fracPart = ''] = mantissa.split('.') as [string, string?];
  const digits = intPart + fracPart;
  const point = intPart.length + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

// ---------------------------------------------------------------------------------------------
// JS value -> AST literal

/** What may be compared with a field in `where()`, `having()` and `soql()` bind variables. */
export type SoqlScalar =
  | string
  | number
  | bigint
  | boolean
  | null
  | Date
  | SoqlDate
  | SoqlDateTime
  | SoqlDateLiteral
  | LikePattern;

const ID_RE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

const NUMERIC_KINDS: ReadonlySet<FieldType> = new Set(['int', 'long', 'double', 'currency', 'percent']);

/**
 * Turns a JS value into a SOQL literal node. When the field's type is known (`kind`), the value is
 * also validated against it: ids must be 15 or 18 alphanumerics, `int`/`long` integers, `date`
 * values calendar dates, and so on. `location` names the field in error messages.
 */
export function toLiteral(value: unknown, location: string, kind?: FieldType): Literal {
  if (value === null) return { kind: 'null' };
  if (value === undefined) {
    throw new SoqlBuildError(location, 'undefined is not a SOQL value (use null for a null check)');
  }
  if (value instanceof SoqlDate) {
    if (kind !== undefined && kind !== 'date') {
      throw new SoqlBuildError(location, `a date value cannot be compared with a ${kind} field`);
    }
    return { kind: 'date', value: value.value };
  }
  if (value instanceof SoqlDateTime || value instanceof Date) {
    if (kind === 'date' && value instanceof Date) return { kind: 'date', value: soqlDate(value).value };
    if (kind !== undefined && kind !== 'datetime') {
      throw new SoqlBuildError(location, `a datetime value cannot be compared with a ${kind} field`);
    }
    return {
      kind: 'datetime',
      value: value instanceof Date ? formatDateTime(value) : value.value,
    };
  }
  if (value instanceof SoqlDateLiteral) {
    if (kind !== undefined && kind !== 'date' && kind !== 'datetime') {
      throw new SoqlBuildError(location, `date literal ${value.toString()} needs a date or datetime field`);
    }
    return value.n === undefined
      ? { kind: 'dateLiteral', name: value.name as DateLiteralName }
      : { kind: 'dateLiteralN', name: value.name as DateLiteralNName, n: value.n };
  }
  if (value instanceof LikePattern) {
    return { kind: 'string', value: value.pattern };
  }
  switch (typeof value) {
    case 'string':
      return stringLiteral(value, location, kind);
    case 'number':
    case 'bigint': {
      if (kind !== undefined && !NUMERIC_KINDS.has(kind)) {
        throw new SoqlBuildError(location, `a number cannot be compared with a ${kind} field`);
      }
      const raw = formatNumber(value, location);
      if ((kind === 'int' || kind === 'long') && raw.includes('.')) {
        throw new SoqlBuildError(location, `${raw} is not an integer (field type ${kind})`);
      }
      return { kind: 'number', value: Number(value), raw };
    }
    case 'boolean':
      if (kind !== undefined && kind !== 'boolean') {
        throw new SoqlBuildError(location, `a boolean cannot be compared with a ${kind} field`);
      }
      return { kind: 'boolean', value };
    default:
      throw new SoqlBuildError(location, `${describeValue(value)} is not a SOQL value`);
  }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

function stringLiteral(value: string, location: string, kind: FieldType | undefined): Literal {
  switch (kind) {
    case 'id':
    case 'reference':
      if (!ID_RE.test(value)) {
        throw new SoqlBuildError(location, `${JSON.stringify(value)} is not a 15- or 18-character Salesforce id`);
      }
      return { kind: 'string', value };
    case 'date':
      return { kind: 'date', value: soqlDate(value).value };
    case 'datetime':
      return { kind: 'datetime', value: soqlDateTime(value).value };
    case 'time':
      if (!TIME_RE.test(value)) {
        throw new SoqlBuildError(location, `${JSON.stringify(value)} is not a time (HH:mm:ss.SSSZ)`);
      }
      return { kind: 'string', value } satisfies StringLiteral;
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
    case 'boolean':
      throw new SoqlBuildError(location, `a string cannot be compared with a ${kind} field`);
    default:
      return { kind: 'string', value };
  }
}

/**
 * Writes a literal node as SOQL text. `likePattern` marks the right side of a LIKE, whose `\%`,
 * `\_` escapes are kept (see {@link LikePattern}).
 */
export function formatLiteral(literal: Literal, likePattern = false): string {
  switch (literal.kind) {
    case 'string':
      return likePattern ? quoteLikePattern(literal.value) : quoteSoqlString(literal.value);
    case 'number': {
      const raw = literal.raw ?? formatNumber(literal.value);
      if (!/^-?\d+(?:\.\d+)?$/.test(raw)) throw new SoqlBuildError('number', `${JSON.stringify(raw)} is not a SOQL number`);
      return literal.currency === undefined ? raw : `${validCurrency(literal.currency)}${raw}`;
    }
    case 'boolean':
      return literal.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'date':
      return soqlDate(literal.value).value;
    case 'datetime':
      return soqlDateTime(literal.value).value;
    case 'dateLiteral':
      return dateLiteral(literal.name).toString();
    case 'dateLiteralN':
      return dateLiteral(literal.name, literal.n).toString();
    default: {
      const unreachable: never = literal;
      throw new SoqlBuildError('literal', `unknown literal kind ${JSON.stringify(unreachable)}`);
    }
  }
}

function validCurrency(code: string): string {
  if (!/^[A-Z]{3}$/.test(code)) throw new SoqlBuildError('number', `${JSON.stringify(code)} is not an ISO currency code`);
  return code;
}
