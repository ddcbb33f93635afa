/**
 * Dates, datetimes and times.
 *
 * Decision: records keep Salesforce's strings unchanged (`SfDate` `2024-05-06`, `SfDateTime`
 * `2024-05-06T09:15:27.000+0000`, `SfTime` `08:30:00.000Z`). That is lossless, round-trips exactly,
 * costs nothing when streaming large queries, and avoids a `date` silently shifting a day through a
 * local time zone. These converters turn them into JavaScript values when the application wants
 * them, and format JavaScript values for writes:
 *
 * - a `datetime` is an instant: {@link parseDateTime} -> `Date`, {@link formatDateTime} -> `...+0000`
 *   (the form Salesforce itself sends, so a formatted value equals a read one);
 * - a `date` is a calendar day with no zone: {@link parseDate} -> `Date` at 00:00 UTC,
 *   {@link formatDate} uses the UTC calendar day of a `Date` (or accepts `{year, month, day}`);
 * - a `time` has no zone semantics: {@link parseTime} -> milliseconds since midnight,
 *   {@link formatTime} from milliseconds.
 *
 * Write payloads may also hold a `Date` where a date or datetime field is expected: the client
 * formats it with {@link toSalesforceValue} using the field's descriptor.
 */
import type { FieldType, SfDate, SfDateTime, SfTime } from './schema.js';

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?$/;

function invalid(kind: string, value: unknown): never {
  throw new TypeError(`not a Salesforce ${kind} value: ${JSON.stringify(value)}`);
}

function millis(fraction: string | undefined): number {
  return fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
}

/**
 * Parses a Salesforce datetime (`2024-05-06T09:15:27.000+0000`, also `Z` and `+02:00`) into a `Date`.
 *
 * @example parseDateTime('2024-05-06T09:15:27.000+0000').toISOString() // '2024-05-06T09:15:27.000Z'
 */
export function parseDateTime(value: SfDateTime): Date {
  const m = DATETIME.exec(value);
  if (!m) invalid('datetime', value);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== undefined) {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), millis(frac));
  const result = new Date(utc - offsetMinutes * 60_000);
  if (Number.isNaN(result.getTime()) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59) invalid('datetime', value);
  return result;
}

/**
 * Formats an instant the way Salesforce sends datetimes: UTC, milliseconds, `+0000`.
 *
 * @example formatDateTime(new Date(Date.UTC(2024, 4, 6, 9, 15, 27))) // '2024-05-06T09:15:27.000+0000'
 */
export function formatDateTime(value: Date): SfDateTime {
  if (Number.isNaN(value.getTime())) invalid('datetime', String(value));
  return value.toISOString().replace('Z', '+0000');
}

/**
 * Parses a Salesforce date (`YYYY-MM-DD`) into a `Date` at 00:00 UTC of that day.
 *
 * @example parseDate('2024-05-06').getUTCDate() // 6
 */
export function parseDate(value: SfDate): Date {
  const m = DATE.exec(value);
  if (!m) invalid('date', value);
  const [, y, mo, d] = m;
  const result = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (result.getUTCMonth() !== Number(mo) - 1 || result.getUTCDate() !== Number(d)) invalid('date', value);
  return result;
}

/**
 * Formats a calendar day. A `Date` contributes its UTC day (use `{year, month, day}` to be explicit).
 *
 * @example formatDate({ year: 2024, month: 5, day: 6 }) // '2024-05-06'
 */
export function formatDate(value: Date | { year: number; month: number; day: number }): SfDate {
  const [y, m, d] =
    value instanceof Date
      ? [value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate()]
      : [value.year, value.month, value.day];
  if (![y, m, d].every(Number.isInteger) || m < 1 || m > 12 || d < 1 || d > 31) invalid('date', value);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Parses a Salesforce time (`08:30:00.000Z`) into milliseconds since midnight.
 *
 * @example parseTime('08:30:00.000Z') // 30600000
 */
export function parseTime(value: SfTime): number {
  const m = TIME.exec(value);
  if (!m) invalid('time', value);
  const [, h, mi, s, frac] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) invalid('time', value);
  return ((Number(h) * 60 + Number(mi)) * 60 + Number(s ?? 0)) * 1000 + millis(frac);
}

/**
 * Formats milliseconds since midnight as a Salesforce time (`HH:mm:ss.SSSZ`).
 *
 * @example formatTime(30_600_000) // '08:30:00.000Z'
 */
export function formatTime(msSinceMidnight: number): SfTime {
  if (!Number.isInteger(msSinceMidnight) || msSinceMidnight < 0 || msSinceMidnight >= 86_400_000) invalid('time', msSinceMidnight);
  const ms = msSinceMidnight % 1000;
  const totalSeconds = Math.floor(msSinceMidnight / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}.${pad(ms, 3)}Z`;
}

/**
 * Formats a value for a write according to the field type: a `Date` becomes the Salesforce string
 * of a `date` (its UTC day), `time` (its UTC time of day) or `datetime` field (the instant, also
 * the default when the type is unknown); everything else passes through.
 *
 * @example toSalesforceValue('time', new Date(Date.UTC(2024, 4, 6, 9, 15, 27))) // '09:15:27.000Z'
 */
export function toSalesforceValue(type: FieldType | undefined, value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  if (type === 'date') return formatDate(value);
  if (type === 'time') {
    if (Number.isNaN(value.getTime())) invalid('time', String(value));
    return formatTime(((value.getUTCHours() * 60 + value.getUTCMinutes()) * 60 + value.getUTCSeconds()) * 1000 + value.getUTCMilliseconds());
  }
  return formatDateTime(value);
}
