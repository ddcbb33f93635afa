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

/**
 * Rewrites an uploaded CSV into a result file at the byte level (the text is never decoded): rows
 * are split exactly as {@link CsvReader} splits them, every value is written quoted (a quoted value
 * as it came, an unquoted one wrapped in quotes with any quote in it doubled), each row with the
 * prefix `select` gives for its index (undefined: the row is left out) and the job's line ending.
 * The header row gets `headerPrefix` and loses a UTF-8 byte-order mark; blank rows are left out and
 * take no index.
 */
export class ResultRewriter {
  private tail: Buffer | undefined;
  private out: Buffer = Buffer.allocUnsafe(0);
  private pos = 0;
  private header = true;
  private row = 0;
  private readonly delim: number;
  private readonly crlf: boolean;
  private readonly eol: Buffer;

  constructor(
    delimiter: string,
    lineEnding: LineEnding,
    private readonly headerPrefix: string,
    private readonly select: (row: number) => string | undefined,
  ) {
    this.delim = delimiter.charCodeAt(0);
    this.crlf = lineEnding === 'CRLF';
    this.eol = Buffer.from(this.crlf ? '\r\n' : '\n');
  }

  /** Rows read so far (blank rows and the header excluded). */
  get rowCount(): number {
    return this.row;
  }

  /** The result bytes of the complete rows in `chunk` (and any kept from before). */
  push(chunk: Buffer): Buffer {
    const s = this.tail === undefined ? chunk : Buffer.concat([this.tail, chunk]);
    const consumed = this.rewrite(s, false);
    this.tail = consumed < s.length ? s.subarray(consumed) : undefined;
    return this.take();
  }

  /** The input ended: the result bytes of a last row without a line ending. */
  end(): Buffer {
    const s = this.tail;
    this.tail = undefined;
    if (s !== undefined && s.length > 0) this.rewrite(s, true);
    return this.take();
  }

  private take(): Buffer {
    const bytes = this.out.subarray(0, this.pos);
    this.out = Buffer.allocUnsafe(0);
    this.pos = 0;
    return bytes;
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.out.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.pos + more, 64 * 1024));
    this.out.copy(next, 0, 0, this.pos);
    this.out = next;
  }

  private writeText(text: string): void {
    this.ensure(Buffer.byteLength(text));
    this.pos += this.out.write(text, this.pos);
  }

  /** Rewrites whole rows of `s`; returns the offset of the first byte not consumed. */
  private rewrite(s: Buffer, final: boolean): number {
    const n = s.length;
    const delim = this.delim;
    const crlf = this.crlf;
    let rowStart = 0;
    while (rowStart < n) {
      // One row from rowStart: find its fields; write them once the row is known to be complete.
      const outStart = this.pos;
      let i = rowStart;
      let fields = 0;
      let rowEnd = -1;
      let blank = false;
      const header = this.header;
      let prefix: string | undefined;
      if (header) prefix = this.headerPrefix;
      else {
        // A blank row (empty line, or `""` alone) takes no index.
        const c0 = s[i];
        if (crlf ? c0 === CR && s[i + 1] === LF : c0 === LF) blank = true;
        else if (c0 === QUOTE && (i + 1 < n ? s[i + 1] === QUOTE : !final)) {
          const k = i + 2;
          if (k >= n) {
            if (!final) return rowStart;
            blank = true;
          } else if (crlf ? s[k] === CR && s[k + 1] === LF : s[k] === LF) blank = true;
          else if (crlf && s[k] === CR && k + 1 >= n && !final) return rowStart;
        } else if (crlf && c0 === CR && i + 1 >= n && !final) return rowStart;
        if (!blank) prefix = this.select(this.row);
      }
      const keep = prefix !== undefined;
      if (keep && prefix !== '') this.writeText(prefix!);
      // Worst case of the rest: every byte a quote (doubled) or a delimiter (`","`).
      this.ensure((n - i) * 3 + 16);
      let out = this.out;
      let p = this.pos;
      for (;;) {
        if (fields > 0 && keep) out[p++] = delim;
        fields += 1;
        if (i < n && s[i] === QUOTE) {
          let j = i + 1;
          for (;;) {
            while (j < n && s[j] !== QUOTE) j++;
            if (j >= n) {
              if (final) throw new CsvSyntaxError(`row ${this.row + 1}: a quoted value is not closed`, this.row + 1);
              this.pos = outStart;
              return rowStart;
            }
            if (j + 1 < n && s[j + 1] === QUOTE) {
              j += 2;
              continue;
            }
            if (j + 1 >= n && !final) {
              this.pos = outStart;
              return rowStart;
            }
            break;
          }
          if (keep) {
            s.copy(out, p, i, j + 1);
            p += j + 1 - i;
          }
          i = j + 1;
          if (i >= n) {
            rowEnd = n; // final: the last field of the last row
            break;
          }
          const c = s[i]!;
          if (c === delim) {
            i += 1;
            if (i >= n) {
              if (!final) {
                this.pos = outStart;
                return rowStart;
              }
              if (keep) {
                out[p++] = delim;
                out[p++] = QUOTE;
                out[p++] = QUOTE;
              }
              rowEnd = n;
              break;
            }
            continue;
          }
          if (crlf) {
            if (c === CR && i + 1 >= n && !final) {
              this.pos = outStart;
              return rowStart;
            }
            if (c === CR && s[i + 1] === LF) {
              rowEnd = i + 2;
              break;
            }
          } else if (c === LF) {
            rowEnd = i + 1;
            break;
          }
          throw new CsvSyntaxError(`row ${this.row + 1}: unexpected character after a closing quote`, this.row + 1);
        }
        // An unquoted value: wrapped in quotes, quotes in it doubled.
        if (keep) out[p++] = QUOTE;
        let j = i;
        if (header && fields === 1 && rowStart === 0 && s[0] === 0xef && s[1] === 0xbb && s[2] === 0xbf) j = i = 3;
        let ended = false;
        while (j < n) {
          const c = s[j]!;
          if (c === delim) {
            ended = true;
            break;
          }
          if (c === LF && !crlf) {
            rowEnd = j + 1;
            break;
          }
          if (c === CR && crlf) {
            if (j + 1 >= n) {
              if (!final) {
                this.pos = outStart;
                return rowStart;
              }
            } else if (s[j + 1] === LF) {
              rowEnd = j + 2;
              break;
            }
          }
          if (keep) {
            if (c === QUOTE) out[p++] = QUOTE;
            out[p++] = c;
          }
          j += 1;
        }
        if (keep) out[p++] = QUOTE;
        if (ended) {
          i = j + 1;
          if (i >= n) {
            if (!final) {
              this.pos = outStart;
              return rowStart;
            }
            if (keep) {
              out[p++] = delim;
              out[p++] = QUOTE;
              out[p++] = QUOTE;
            }
            rowEnd = n;
            break;
          }
          continue;
        }
        if (rowEnd >= 0) break;
        // The buffer ended inside the value.
        if (!final) {
          this.pos = outStart;
          return rowStart;
        }
        rowEnd = n;
        break;
      }
      if (keep) {
        this.eol.copy(out, p);
        p += this.eol.length;
        this.pos = p;
      } else this.pos = outStart;
      if (header) this.header = false;
      else if (!blank) this.row += 1;
      rowStart = rowEnd;
    }
    return rowStart;
  }
}
