import { describe, expect, it } from 'vitest';
import { SoqlBuildError } from '../../../runtime/soql/errors.js';
import {
  dateLiteral,
  escapeLikeWildcards,
  escapeSoqlString,
  formatLiteral,
  formatNumber,
  like,
  quoteLikePattern,
  quoteSoqlString,
  soqlDate,
  soqlDateTime,
  toLiteral,
} from '../../../runtime/soql/values.js';

const format = (value: unknown, kind?: Parameters<typeof toLiteral>[2]): string =>
  formatLiteral(toLiteral(value, 'X.F', kind));

describe('escapeSoqlString', () => {
  it('escapes quotes, backslashes and control characters with SOQL escapes', () => {
    expect(escapeSoqlString(`it's "q" \\ x`)).toBe(`it\\'s \\"q\\" \\\\ x`);
    expect(escapeSoqlString('a\nb\rc\td\be\ff')).toBe('a\\nb\\rc\\td\\be\\ff');
    expect(quoteSoqlString("' OR Name != '")).toBe("'\\' OR Name != \\''");
  });

  it('keeps unicode and other characters verbatim', () => {
    expect(quoteSoqlString('日本語 € \u0001 %_')).toBe("'日本語 € \u0001 %_'");
  });
});

describe('LIKE patterns', () => {
  it('escapes wildcards in user text', () => {
    expect(escapeLikeWildcards('50%_off\\')).toBe('50\\%\\_off\\\\');
    expect(like.contains('50%').pattern).toBe('%50\\%%');
    expect(like.startsWith('a_b').pattern).toBe('a\\_b%');
    expect(like.endsWith('x').pattern).toBe('%x');
    expect(like.exact('%').pattern).toBe('\\%');
  });

  it('quotes a pattern keeping its LIKE escapes and escaping the rest', () => {
    expect(quoteLikePattern(like.contains("O'Brien 50%").pattern)).toBe("'%O\\'Brien 50\\%%'");
    expect(quoteLikePattern('a\\\\b')).toBe("'a\\\\b'");
  });

  it('rejects a hand-written pattern with a stray backslash', () => {
    expect(() => like.pattern('a\\b')).toThrow(/must escape %, _ or \\/);
    expect(like.pattern('A%\\_x').pattern).toBe('A%\\_x');
  });
});

describe('numbers', () => {
  it('formats finite numbers without exponents', () => {
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(-1.5)).toBe('-1.5');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(1.5e-7)).toBe('0.00000015');
    expect(formatNumber(-2.5e22)).toBe('-25000000000000000000000');
    expect(formatNumber(12345678901234567890n)).toBe('12345678901234567890');
  });

  it('rejects NaN and infinities', () => {
    expect(() => formatNumber(Number.NaN, 'Account.AnnualRevenue')).toThrow(SoqlBuildError);
    expect(() => format(Number.POSITIVE_INFINITY)).toThrow(/Infinity is not a finite number/);
  });

  it('checks integers for int fields and numbers for numeric fields', () => {
    expect(format(5, 'int')).toBe('5');
    expect(() => format(1.5, 'int')).toThrow(/1.5 is not an integer/);
    expect(() => format('5', 'int')).toThrow(/a string cannot be compared with a int field/);
    expect(() => format(5, 'string')).toThrow(/a number cannot be compared with a string field/);
  });
});

describe('dates and datetimes', () => {
  it('validates calendar dates', () => {
    expect(soqlDate('2024-02-29').value).toBe('2024-02-29');
    expect(() => soqlDate('2023-02-29')).toThrow(/not a calendar date/);
    expect(() => soqlDate("2024-01-01' OR Id != '")).toThrow(SoqlBuildError);
    expect(soqlDate(new Date(Date.UTC(2024, 4, 6, 23, 59))).value).toBe('2024-05-06');
  });

  it('formats datetimes in UTC with Z, keeping milliseconds only when set', () => {
    expect(soqlDateTime(new Date(Date.UTC(2024, 4, 6, 9, 15, 27))).value).toBe('2024-05-06T09:15:27Z');
    expect(soqlDateTime(new Date(Date.UTC(2024, 4, 6, 9, 15, 27, 5))).value).toBe('2024-05-06T09:15:27.005Z');
  });

  it("normalises Salesforce's +0000 offset and rejects malformed datetimes", () => {
    expect(soqlDateTime('2024-05-06T09:15:27.000+0000').value).toBe('2024-05-06T09:15:27.000+00:00');
    expect(soqlDateTime('2024-05-06T09:15:27-08:00').value).toBe('2024-05-06T09:15:27-08:00');
    expect(() => soqlDateTime('2024-05-06 09:15:27')).toThrow(/not an ISO 8601 datetime/);
    expect(() => soqlDateTime('2024-05-06T25:00:00Z')).toThrow(SoqlBuildError);
    expect(() => soqlDateTime(new Date(Number.NaN))).toThrow(/Invalid Date/);
  });

  it('formats by field kind', () => {
    expect(format(soqlDate('2024-01-31'))).toBe('2024-01-31');
    expect(format(new Date(Date.UTC(2024, 0, 31)))).toBe('2024-01-31T00:00:00Z');
    expect(format(new Date(Date.UTC(2024, 0, 31)), 'date')).toBe('2024-01-31');
    expect(format('2024-01-31', 'date')).toBe('2024-01-31');
    expect(format('2024-01-31T10:00:00Z', 'datetime')).toBe('2024-01-31T10:00:00Z');
    expect(() => format(soqlDate('2024-01-31'), 'datetime')).toThrow(/a date value cannot be compared with a datetime field/);
    expect(() => format('2024-01-31', 'datetime')).toThrow(/not an ISO 8601 datetime/);
  });

  it('builds relative date literals', () => {
    expect(format(dateLiteral('TODAY'))).toBe('TODAY');
    expect(format(dateLiteral('LAST_N_DAYS', 30))).toBe('LAST_N_DAYS:30');
    expect(() => dateLiteral('LAST_N_DAYS', -1)).toThrow(/non-negative integer/);
    expect(() => dateLiteral('LAST_N_DAYS', 1.5)).toThrow(SoqlBuildError);
    expect(() => dateLiteral('NOPE' as 'TODAY')).toThrow(/unknown date literal/);
    expect(() => format(dateLiteral('TODAY'), 'int')).toThrow(/needs a date or datetime field/);
  });
});

describe('ids, booleans, null', () => {
  it('validates 15- and 18-character ids for id and reference fields', () => {
    expect(format('001000000000001', 'id')).toBe("'001000000000001'");
    expect(format('001000000000001AAA', 'reference')).toBe("'001000000000001AAA'");
    expect(() => format('001', 'id')).toThrow(/not a 15- or 18-character Salesforce id/);
    expect(() => format("001000000000001' OR Id != '", 'id')).toThrow(SoqlBuildError);
  });

  it('formats booleans and null', () => {
    expect(format(true)).toBe('true');
    expect(format(false, 'boolean')).toBe('false');
    expect(format(null)).toBe('null');
    expect(() => format(true, 'string')).toThrow(/a boolean cannot be compared/);
  });

  it('rejects undefined and other JS values with the location', () => {
    expect(() => format(undefined)).toThrow('X.F: undefined is not a SOQL value');
    expect(() => format({})).toThrow(/an object is not a SOQL value/);
    expect(() => format(Symbol('x'))).toThrow(/a symbol is not a SOQL value/);
  });
});
