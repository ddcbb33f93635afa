/**
 * The purpose-written RFC 4180 reader and the writer's quoting: quotes, doubled quotes, CR/LF/CRLF,
 * line breaks in values, malformed input named by line, and a property test: any table written by
 * the writer, cut into arbitrary chunks, reads back exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvReader, CsvSyntaxError, csvLine, parseCsv, quoteCsv } from '../../../../runtime/services/bulk/csv.js';
import { toCsvValue, fromCsvConverter, inputFromCsv } from '../../../../runtime/services/bulk/convert.js';

describe('CsvReader', () => {
  it('reads quoted and unquoted fields, doubled quotes, empty fields and every line ending', () => {
    expect(parseCsv('a,b,c\n1,"x, y","say ""hi"""\n,,\n')).toEqual([['a', 'b', 'c'], ['1', 'x, y', 'say "hi"'], ['', '', '']]);
    expect(parseCsv('a,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,b\r1,2\r')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a\n"line1\nline2\r\nline3"\n')).toEqual([['a'], ['line1\nline2\r\nline3']]);
    expect(parseCsv('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('"",""\n')).toEqual([['', '']]);
    expect(parseCsv('a|b\n"1|2"|3\n', { delimiter: '|' })).toEqual([['a', 'b'], ['1|2', '3']]);
  });

  it('reports the line where a row starts, counting line breaks inside values', () => {
    const reader = new CsvReader();
    const lines: number[] = [];
    reader.push('h\n"a\nb"\nc\n', (_row, line) => lines.push(line));
    expect(lines).toEqual([1, 2, 4]);
  });

  it('names the line of malformed input', () => {
    expect(() => parseCsv('a\nb"c\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a\nb"c\n')).toThrow(/line 2: a quote inside an unquoted value/);
    expect(() => parseCsv('a\n"b"c\n')).toThrow(/line 2: unexpected "c" after a closing quote/);
    expect(() => parseCsv('a\n"open\n')).toThrow(/line 2: unterminated quoted value/);
  });

  it('records the line ending and the first line that ends differently', () => {
    const reader = new CsvReader();
    reader.push('a\r\nb\r\nc\nd\r\n');
    expect(reader.lineEnding).toBe('CRLF');
    expect(reader.mixedEndingLine).toBe(3);
  });

  it('property: written tables read back exactly, however the text is chunked', () => {
    const value = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r', 'é', '✓', ';', '\t') }),
      fc.string(),
    );
    const table = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(value, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 12 }));
    fc.assert(
      fc.property(table, fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (rows, cuts, eol) => {
        // A one-column row with an empty value would be an empty line: written quoted.
        const text = rows.map((r) => (r.length === 1 && r[0] === '' ? '""' : csvLine(r))).join(eol) + eol;
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
        const reader = new CsvReader();
        const out: string[][] = [];
        let from = 0;
        for (const p of [...points, text.length]) {
          out.push(...reader.push(text.slice(from, p)));
          from = p;
        }
        out.push(...reader.end());
        expect(out).toEqual(rows);
      }),
      { numRuns: 400 },
    );
  });
});

describe('quoting and conversions', () => {
  it('quotes only what needs it', () => {
    expect(quoteCsv('plain')).toBe('plain');
    expect(quoteCsv('a,b')).toBe('"a,b"');
    expect(quoteCsv('say "x"')).toBe('"say ""x"""');
    expect(quoteCsv('l1\nl2')).toBe('"l1\nl2"');
    expect(quoteCsv(' pad ')).toBe('" pad "');
  });

  it('writes values by field type: nulls as #N/A, booleans, plain numbers, dates, multipicklists', () => {
    expect(toCsvValue('string', null, 'X.f')).toBe('#N/A');
    expect(toCsvValue('string', '', 'X.f')).toBe('#N/A');
    expect(toCsvValue('string', undefined, 'X.f')).toBe('');
    expect(toCsvValue('boolean', false, 'X.f')).toBe('false');
    expect(toCsvValue('double', 1e21, 'X.f')).toBe('1000000000000000000000');
    expect(toCsvValue('double', 1.5e-7, 'X.f')).toBe('0.00000015');
    expect(toCsvValue('date', new Date(Date.UTC(2024, 4, 6, 23)), 'X.f')).toBe('2024-05-06');
    expect(toCsvValue('datetime', new Date(Date.UTC(2024, 4, 6, 9, 15, 27)), 'X.f')).toBe('2024-05-06T09:15:27.000+0000');
    expect(toCsvValue('multipicklist', ['A', 'B'], 'X.f')).toBe('A;B');
    expect(() => toCsvValue('double', Number.NaN, 'Contact.Amount')).toThrow(/Contact.Amount: NaN/);
    expect(() => toCsvValue('address', { city: 'x' }, 'Contact.MailingAddress')).toThrow(/Contact.MailingAddress/);
  });

  it('reads values back like the REST API sends them', () => {
    expect(fromCsvConverter('boolean')('true')).toBe(true);
    expect(fromCsvConverter('currency')('12.50')).toBe(12.5);
    expect(fromCsvConverter('string')('')).toBeNull();
    expect(fromCsvConverter('datetime')('2024-05-06T09:15:27.000Z')).toBe('2024-05-06T09:15:27.000+0000');
    expect(inputFromCsv('string', '')).toBeUndefined();
    expect(inputFromCsv('string', '#N/A')).toBeNull();
  });
});
