import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatTime, parseDate, parseDateTime, parseTime, toSalesforceValue } from '../../runtime/values.js';

describe('datetimes', () => {
  it('parses the +0000 offset Salesforce sends', () => {
    expect(parseDateTime('2024-05-06T09:15:27.000+0000').toISOString()).toBe('2024-05-06T09:15:27.000Z');
  });
  it('parses other offsets, Z and colons', () => {
    expect(parseDateTime('2024-05-06T09:15:27.000+0200').toISOString()).toBe('2024-05-06T07:15:27.000Z');
    expect(parseDateTime('2024-05-06T09:15:27-05:30').toISOString()).toBe('2024-05-06T14:45:27.000Z');
    expect(parseDateTime('2024-05-06T09:15:27.5Z').toISOString()).toBe('2024-05-06T09:15:27.500Z');
  });
  it('rejects garbage with the value in the message', () => {
    expect(() => parseDateTime('2024-05-06')).toThrow(/not a Salesforce datetime value: "2024-05-06"/);
    expect(() => parseDateTime('2024-13-06T09:15:27.000+0000')).toThrow(TypeError);
  });
  it('formats like Salesforce and round-trips', () => {
    expect(formatDateTime(new Date(Date.UTC(2024, 4, 6, 9, 15, 27)))).toBe('2024-05-06T09:15:27.000+0000');
    fc.assert(fc.property(fc.date({ min: new Date(Date.UTC(1700, 0, 1)), max: new Date(Date.UTC(4000, 0, 1)), noInvalidDate: true }), (d) => {
      expect(parseDateTime(formatDateTime(d)).getTime()).toBe(d.getTime());
    }));
  });
});

describe('dates', () => {
  it('parses to UTC midnight and formats the UTC day', () => {
    expect(parseDate('2024-02-29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(formatDate(new Date('2024-05-06T23:59:59.999Z'))).toBe('2024-05-06');
    expect(formatDate({ year: 2024, month: 5, day: 6 })).toBe('2024-05-06');
  });
  it('rejects impossible days', () => {
    expect(() => parseDate('2023-02-29')).toThrow(TypeError);
    expect(() => parseDate('2024-05-06T00:00:00Z')).toThrow(TypeError);
  });
});

describe('times', () => {
  it('parses and formats milliseconds since midnight', () => {
    expect(parseTime('08:30:00.000Z')).toBe(30_600_000);
    expect(formatTime(30_600_000)).toBe('08:30:00.000Z');
    expect(formatTime(86_399_999)).toBe('23:59:59.999Z');
    expect(() => formatTime(86_400_000)).toThrow(TypeError);
    expect(() => parseTime('25:00:00.000Z')).toThrow(TypeError);
  });
});

describe('toSalesforceValue', () => {
  it('formats Date by field type and passes other values through', () => {
    const d = new Date(Date.UTC(2024, 4, 6, 9, 15, 27));
    expect(toSalesforceValue('date', d)).toBe('2024-05-06');
    expect(toSalesforceValue('datetime', d)).toBe('2024-05-06T09:15:27.000+0000');
    expect(toSalesforceValue('time', new Date(Date.UTC(2024, 4, 6, 9, 15, 27, 5)))).toBe('09:15:27.005Z');
    expect(() => toSalesforceValue('time', new Date(Number.NaN))).toThrow(TypeError);
    expect(toSalesforceValue('string', 'x')).toBe('x');
  });
});
