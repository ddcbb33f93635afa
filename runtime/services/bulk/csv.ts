/**
 * RFC 4180 CSV for Bulk API 2.0: a streaming reader and the writer's quoting.
 *
 * The reader is purpose-written (measured against csv-parse, papaparse, udsv and csv-parser: see
 * the commit that added it and docs/benchmarks.md). It takes text chunks as they arrive and hands
 * over complete rows; it accepts quoted and unquoted fields, doubled quotes, CR, LF and CRLF line
 * endings and line breaks inside quoted values, and reports malformed input (a quote inside an
 * unquoted field, text after a closing quote, an unterminated quote) naming the line.
 */

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** The column delimiters of Bulk API 2.0 (`columnDelimiter`) and their characters. */
export const COLUMN_DELIMITERS = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
} as const;

/** A `columnDelimiter` name of Bulk API 2.0. */
export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;

/** Malformed CSV: names the line (1-based, physical lines) and, when given, the source. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number, source?: string) {
    super(`${source === undefined ? '' : `${source}: `}line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

/**
 * A streaming CSV reader.
 *
 * @example
 * ```ts
 * const reader = new CsvReader();
 * for (const row of reader.push('Id,Name\n"001","A, B"\n')) console.log(row);
 * reader.end(); // throws on an unterminated quote
 * ```
 */
export class CsvReader {
  readonly #delimiter: number;
  readonly #source: string | undefined;
  #rest = '';
  /** Physical line (1-based) where the next row starts. */
  #line = 1;
  /** The line of each row returned by the last push/end, when tracked. */
  #rowLine = 1;
  /** The first line ending seen (`'LF'` or `'CRLF'`; `'CR'` for a lone CR), once a row has ended. */
  lineEnding: 'LF' | 'CRLF' | 'CR' | undefined;
  /** The first line whose row ends differently from the first row (mixed line endings), if any. */
  mixedEndingLine: number | undefined;

  constructor(options: { delimiter?: string; source?: string } = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error(`CSV delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
    }
    this.#delimiter = delimiter.charCodeAt(0);
    this.#source = options.source;
  }

  /** Line (1-based) where the next row starts: the line of the row after the last one returned. */
  get line(): number {
    return this.#line;
  }

  /** Line (1-based) where the last row returned started. */
  get lastRowLine(): number {
    return this.#rowLine;
  }

  /** Adds text and returns the rows it completed (possibly none). */
  push(text: string, onRow?: (row: string[], line: number) => void): string[][] {
    const input = this.#rest === '' ? text : this.#rest + text;
    return this.#parse(input, false, onRow);
  }

  /** Ends the input: returns the last row when it had no line break, throws on an unterminated quote. */
  end(onRow?: (row: string[], line: number) => void): string[][] {
    const input = this.#rest;
    this.#rest = '';
    if (input === '') return [];
    return this.#parse(input, true, onRow);
  }

  #fail(message: string, line: number): never {
    throw new CsvSyntaxError(message, line, this.#source);
  }

  #parse(s: string, final: boolean, onRow: ((row: string[], line: number) => void) | undefined): string[][] {
    const rows: string[][] = [];
    const n = s.length;
    const delim = this.#delimiter;
    let i = 0;
    let line = this.#line;
    rows: while (i < n) {
      const rowStart = i;
      const rowLine = line;
      const row: string[] = [];
      for (;;) {
        if (i >= n) {
          // After a delimiter, at the end of the input: an empty last field.
          if (!final) {
            i = rowStart;
            line = rowLine;
            break rows;
          }
          row.push('');
          line = this.#emit(rows, row, rowLine, onRow, line);
          i = n;
          break;
        }
        let c = s.charCodeAt(i);
        if (c === QUOTE) {
          let j = i + 1;
          let segment = j;
          let value = '';
          for (;;) {
            const q = s.indexOf('"', j);
            if (q < 0) {
              if (final) this.#fail('unterminated quoted value', rowLine);
              i = rowStart;
              line = rowLine;
              break rows;
            }
            if (q + 1 >= n && !final) {
              // A quote at the end of the chunk: closing or the first of a pair, decided by the next chunk.
              i = rowStart;
              line = rowLine;
              break rows;
            }
            if (s.charCodeAt(q + 1) === QUOTE) {
              value += s.slice(segment, q + 1);
              j = q + 2;
              segment = j;
              continue;
            }
            value = segment === i + 1 ? s.slice(segment, q) : value + s.slice(segment, q);
            i = q + 1;
            break;
          }
          if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) line += countLines(value);
          row.push(value);
          c = i < n ? s.charCodeAt(i) : -1;
          if (c === delim) {
            i++;
            continue;
          }
          if (c === -1) {
            // Only reached when final (non-final stops above at a quote ending the chunk).
            line = this.#emit(rows, row, rowLine, onRow, line);
            break;
          }
          if (c !== LF && c !== CR) this.#fail(`unexpected ${JSON.stringify(String.fromCharCode(c))} after a closing quote`, line);
        } else {
          let j = i;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            if (c === QUOTE) this.#fail('a quote inside an unquoted value (quote the whole value and double the quote)', line);
            j++;
          }
          if (j >= n) {
            if (!final) {
              i = rowStart;
              line = rowLine;
              break rows;
            }
            row.push(s.slice(i, j));
            line = this.#emit(rows, row, rowLine, onRow, line);
            i = n;
            break;
          }
          row.push(s.slice(i, j));
          i = j;
          if (c === delim) {
            i++;
            continue;
          }
        }
        // A line break ends the row.
        if (c === LF) {
          if (this.lineEnding !== 'LF') this.#ending('LF', line);
          i++;
        } else {
          if (i + 1 >= n && !final) {
            // A CR at the end of the chunk: maybe the first half of a CRLF.
            i = rowStart;
            line = rowLine;
            break rows;
          }
          if (s.charCodeAt(i + 1) === LF) {
            if (this.lineEnding !== 'CRLF') this.#ending('CRLF', line);
            i += 2;
          } else {
            if (this.lineEnding !== 'CR') this.#ending('CR', line);
            i++;
          }
        }
        line = this.#emit(rows, row, rowLine, onRow, line) + 1;
        break;
      }
    }
    this.#rest = i < n ? s.slice(i) : '';
    this.#line = line;
    return rows;
  }

  #ending(kind: 'LF' | 'CRLF' | 'CR', line: number): void {
    if (this.lineEnding === undefined) this.lineEnding = kind;
    else this.mixedEndingLine ??= line;
  }

  #emit(rows: string[][], row: string[], rowLine: number, onRow: ((row: string[], line: number) => void) | undefined, line: number): number {
    this.#rowLine = rowLine;
    if (onRow !== undefined) onRow(row, rowLine);
    else rows.push(row);
    return line;
  }
}

function countLines(value: string): number {
  let count = 0;
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && value.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}

/**
 * Parses a whole CSV text.
 *
 * @example parseCsv('a,b\n1,"x\ny"\n') // [['a', 'b'], ['1', 'x\ny']]
 */
export function parseCsv(text: string, options: { delimiter?: string } = {}): string[][] {
  const reader = new CsvReader(options);
  const rows = reader.push(text);
  for (const row of reader.end()) rows.push(row);
  return rows;
}

/**
 * Quotes a value when it needs it (delimiter, quote, CR, LF, or leading/trailing white space),
 * doubling its quotes.
 *
 * @example quoteCsv('a "b", c') // '"a ""b"", c"'
 */
export function quoteCsv(value: string, delimiter = ','): string {
  let needs = false;
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c === QUOTE || c === LF || c === CR || value[k] === delimiter) {
      needs = true;
      break;
    }
  }
  if (!needs && value.length > 0 && (value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32 || value.charCodeAt(0) === 9)) needs = true;
  if (!needs) return value;
  return `"${value.indexOf('"') < 0 ? value : value.replace(/"/g, '""')}"`;
}

/** One CSV line (without its line ending) of already-formatted values. */
export function csvLine(values: readonly string[], delimiter = ','): string {
  let out = '';
  for (let k = 0; k < values.length; k++) {
    if (k > 0) out += delimiter;
    out += quoteCsv(values[k] as string, delimiter);
  }
  return out;
}
