/**
 * The byte-level result rewriter against the reference it replaces: rows read with CsvReader and
 * written back with csvLine. Random CSVs full of hazards (quotes, delimiters and both line breaks
 * inside values, blank rows, a byte-order mark, multi-byte characters), split at random byte
 * offsets, for both line endings and several delimiters: the bytes must be identical, and a CSV
 * one refuses the other must refuse too.
 */
import { describe, expect, it } from 'vitest';
import { StringDecoder } from 'node:string_decoder';
import { CsvReader, CsvSyntaxError, csvLine, quote, ResultRewriter, type LineEnding } from '../../../../runtime/simulation/bulk/csv.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'bc', 'Zürich', '日本', '😀', ' ', '"', '""', ',', ';', '|', '\t', '\n', '\r', '\r\n', 'x"y', '#N/A', ''];

function randomValue(r: () => number, delim: string): string {
  let v = '';
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) v += PIECES[Math.floor(r() * PIECES.length)]!;
  return v.replaceAll(delim === '\t' ? '\t' : '\u0000', '');
}

/** A random CSV: most values written as a careful writer would, some raw (unquoted hazards). */
function randomCsv(r: () => number, delim: string, eol: string): string {
  const cols = 1 + Math.floor(r() * 4);
  let text = r() < 0.2 ? '\ufeff' : '';
  const rows = Math.floor(r() * 12);
  for (let row = 0; row <= rows; row++) {
    if (row > 0 && r() < 0.1) {
      text += r() < 0.5 ? eol : `""${eol}`;
      continue;
    }
    const n = r() < 0.1 ? cols + (r() < 0.5 ? 1 : -1) : cols;
    const values: string[] = [];
    for (let c = 0; c < Math.max(1, n); c++) {
      const v = randomValue(r, delim);
      const raw = r() < 0.3 && !v.includes(delim) && !v.includes('\n') && !v.includes('\r') && !v.startsWith('"');
      values.push(raw ? v : v === '' && r() < 0.5 ? '' : `"${v.replaceAll('"', '""')}"`);
    }
    text += values.join(delim);
    if (row < rows || r() < 0.7) text += eol;
  }
  // Now and then a broken CSV: a cut quoted value, or text after a closing quote.
  if (r() < 0.05) text += '"open';
  if (r() < 0.05) text += `"a"b${eol}`;
  return text;
}

type Pick = (row: number) => string | undefined;

function reference(bytes: Buffer, delim: string, lineEnding: LineEnding, headerPrefix: readonly string[], pick: Pick): Buffer {
  const eol = lineEnding === 'CRLF' ? '\r\n' : '\n';
  const reader = new CsvReader(delim, lineEnding);
  const decoder = new StringDecoder('utf8');
  let header = false;
  let r = 0;
  let out = '';
  const onRow = (row: string[]): void => {
    if (!header) {
      if (row[0]?.charCodeAt(0) === 0xfeff) row[0] = row[0].slice(1);
      header = true;
      out += csvLine([...headerPrefix, ...row], delim, eol);
      return;
    }
    if (row.length === 1 && row[0] === '') return;
    const prefix = pick(r++);
    if (prefix !== undefined) out += prefix + csvLine(row, delim, eol);
  };
  reader.push(decoder.write(bytes), onRow);
  reader.push(decoder.end(), onRow);
  reader.end(onRow);
  return Buffer.from(out, 'utf8');
}

function rewritten(bytes: Buffer, cuts: readonly number[], delim: string, lineEnding: LineEnding, headerPrefix: readonly string[], pick: Pick): Buffer {
  const w = new ResultRewriter(delim, lineEnding, headerPrefix.map((h) => quote(h) + delim).join(''), pick);
  const parts: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    parts.push(w.push(bytes.subarray(at, cut)));
    at = cut;
  }
  parts.push(w.end());
  return Buffer.concat(parts);
}

function outcome(f: () => Buffer): Buffer | 'syntax error' {
  try {
    return f();
  } catch (error) {
    if (error instanceof CsvSyntaxError) return 'syntax error';
    throw error;
  }
}

describe('ResultRewriter', () => {
  for (const lineEnding of ['LF', 'CRLF'] as const) {
    for (const delim of [',', ';', '\t', '|']) {
      it(`writes what CsvReader + csvLine write (${lineEnding}, ${JSON.stringify(delim)}), 400 random CSVs in random chunks`, () => {
        const r = rng(lineEnding.length * 1000 + delim.charCodeAt(0));
        for (let k = 0; k < 400; k++) {
          const text = randomCsv(r, delim, lineEnding === 'CRLF' ? '\r\n' : '\n');
          const bytes = Buffer.from(text, 'utf8');
          const cuts: number[] = [];
          for (let c = 0; c < 3; c++) cuts.push(Math.floor(r() * (bytes.length + 1)));
          cuts.sort((a, b) => a - b);
          const which = Math.floor(r() * 3);
          const pick: Pick = which === 0 ? (i) => (i % 3 === 1 ? undefined : `"id${i}"${delim}"true"${delim}`) : which === 1 ? (i) => `"${i}"${delim}"ERR:é ""x"" --"${delim}` : () => '';
          const header = which === 0 ? ['sf__Id', 'sf__Created'] : which === 1 ? ['sf__Id', 'sf__Error'] : [];
          const want = outcome(() => reference(bytes, delim, lineEnding, header, pick));
          const got = outcome(() => rewritten(bytes, cuts, delim, lineEnding, header, pick));
          if (typeof want === 'string' || typeof got === 'string') expect({ text, got: String(got) }).toEqual({ text, got: String(want) });
          else expect({ text, cuts, got: got.toString('utf8') }).toEqual({ text, cuts, got: want.toString('utf8') });
        }
      });
    }
  }

  it('counts data rows (not the header, not blank rows)', () => {
    const w = new ResultRewriter(',', 'LF', '', () => '');
    w.push(Buffer.from('Name\na\n\n""\nb\n"c'));
    w.push(Buffer.from('"'));
    w.end();
    expect(w.rowCount).toBe(3);
  });
});
