/**
 * CSV as Bulk API 2.0 speaks it: a configurable column delimiter, LF or CRLF row endings, values
 * optionally quoted with `"` (a quote inside doubled), delimiters and line breaks allowed inside
 * quoted values. The reader is incremental (text is pushed chunk by chunk, complete rows come out)
 * so a 100 MB upload is never held as one string; the writer quotes every value, as Salesforce's
 * result files do.
 */

/** `columnDelimiter` values and their characters. */
export const COLUMN_DELIMITERS = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
} as const;

export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;
export type LineEnding = 'LF' | 'CRLF';

/** A CSV that cannot be read: an unterminated quote, text after a closing quote. */
export class CsvSyntaxError extends Error {
  constructor(message: string, readonly row: number) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Incremental CSV reader. `push` text as it arrives; every complete row is handed to `onRow`
 * (fields as strings, quotes removed). A row is complete at its line ending outside quotes; the
 * unfinished tail is kept for the next push. With `CRLF` rows end at `\r\n` only (a lone `\n`
 * stays in the value); with `LF` at `\n` (a `\r` before it is reported through `onCrlf`).
 */
export class CsvReader {
  private tail = '';
  private rows = 0;
  private readonly delim: number;

  constructor(
    delimiter: string,
    private readonly lineEnding: LineEnding,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Rows completed so far. */
  get rowCount(): number {
    return this.rows;
  }

  push(text: string, onRow: (fields: string[]) => void): void {
    const s = this.tail.length > 0 ? this.tail + text : text;
    const consumed = this.parse(s, onRow, false);
    this.tail = consumed < s.length ? s.slice(consumed) : '';
  }

  /** The input ended: a final row without a line ending is complete; an open quote is an error. */
  end(onRow: (fields: string[]) => void): void {
    const s = this.tail;
    this.tail = '';
    if (s.length > 0) this.parse(s, onRow, true);
  }

  /** Parses whole rows from `s`; returns the offset of the first unconsumed character. */
  private parse(s: string, onRow: (fields: string[]) => void, final: boolean): number {
    const n = s.length;
    const delim = this.delim;
    const crlf = this.lineEnding === 'CRLF';
    let rowStart = 0;
    let i = 0;
    let fields: string[] = [];
    outer: while (i < n || (final && rowStart < n)) {
      // one field starting at i
      if (i < n && s.charCodeAt(i) === QUOTE) {
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = s.indexOf('"', j);
          if (q < 0) {
            if (final) throw new CsvSyntaxError(`row ${this.rows + 1}: a quoted value is not closed`, this.rows + 1);
            return rowStart;
          }
          if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) return rowStart; // may be "" split across chunks
          value += s.slice(j, q);
          i = q + 1;
          break;
        }
        fields.push(value);
        if (i >= n) {
          // final: last field of the last row
          onRow(fields);
          this.rows += 1;
          return n;
        }
        const c = s.charCodeAt(i);
        if (c === delim) {
          i += 1;
          if (i >= n && final) {
            fields.push('');
            onRow(fields);
            this.rows += 1;
            return n;
          }
          continue;
        }
        const end = this.lineEnd(s, i, crlf, final);
        if (end === -1) return rowStart;
        if (end > 0) {
          onRow(fields);
          this.rows += 1;
          fields = [];
          i = end;
          rowStart = i;
          continue;
        }
        throw new CsvSyntaxError(`row ${this.rows + 1}: unexpected character after a closing quote`, this.rows + 1);
      }
      // unquoted field
      let j = i;
      while (j < n) {
        const c = s.charCodeAt(j);
        if (c === delim) {
          fields.push(s.slice(i, j));
          i = j + 1;
          if (i >= n) {
            if (!final) return rowStart;
            fields.push('');
            onRow(fields);
            this.rows += 1;
            return n;
          }
          continue outer;
        }
        if (c === LF || (crlf && c === CR)) {
          const end = this.lineEnd(s, j, crlf, final);
          if (end === -1) return rowStart;
          if (end > 0) {
            fields.push(s.slice(i, j));
            onRow(fields);
            this.rows += 1;
            fields = [];
            i = end;
            rowStart = i;
            continue outer;
          }
        }
        j += 1;
      }
      if (!final) return rowStart;
      fields.push(s.slice(i, n));
      onRow(fields);
      this.rows += 1;
      return n;
    }
    return rowStart;
  }

  /**
   * At offset `i`: the offset after a row ending that starts there, 0 when none starts there, -1
   * when more input is needed to tell.
   */
  private lineEnd(s: string, i: number, crlf: boolean, final: boolean): number {
    const c = s.charCodeAt(i);
    if (crlf) {
      if (c !== CR) return 0;
      if (i + 1 >= s.length) return final ? 0 : -1;
      return s.charCodeAt(i + 1) === LF ? i + 2 : 0;
    }
    return c === LF ? i + 1 : 0;
  }
}

/**
 * Byte-level scan of an upload as it streams in: counts rows (line endings outside quotes) and
 * finds the first line ending that does not match the job's, without decoding the text.
 */
export class LineScanner {
  private inQuotes = false;
  private prevCr = false;
  private endings = 0;
  private lastByte = -1;
  /** Row endings seen that do not match the job's line ending. */
  mismatched = 0;
  /** Which ending the first mismatch was. */
  firstMismatch: 'LF' | 'CRLF' | undefined;

  constructor(private readonly lineEnding: LineEnding) {}

  push(chunk: Buffer): void {
    let inQuotes = this.inQuotes;
    let prevCr = this.prevCr;
    const crlf = this.lineEnding === 'CRLF';
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === QUOTE) inQuotes = !inQuotes;
      else if (!inQuotes && b === LF) {
        this.endings += 1;
        if (crlf !== prevCr) {
          this.mismatched += 1;
          this.firstMismatch ??= prevCr ? 'CRLF' : 'LF';
        }
      }
      prevCr = b === CR;
    }
    if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1]!;
    this.inQuotes = inQuotes;
    this.prevCr = prevCr;
  }

  /** Rows in the data, header included (a last row without a line ending counts). */
  get lines(): number {
    return this.endings + (this.lastByte !== -1 && this.lastByte !== LF ? 1 : 0);
  }

  /** Whether the data ended inside a quoted value. */
  get unterminatedQuote(): boolean {
    return this.inQuotes;
  }
}

/** One value quoted for a result file: `"` + value with quotes doubled + `"`. */
export function quote(value: string): string {
  return value.indexOf('"') < 0 ? `"${value}"` : `"${value.replace(/"/g, '""')}"`;
}

/** A row of quoted values joined by the delimiter, with the line ending. */
export function csvLine(values: readonly string[], delimiter: string, eol: string): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += delimiter;
    out += quote(values[i]!);
  }
  return out + eol;
}
