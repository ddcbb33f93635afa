/**
 * Date handling for the query engine: Salesforce's date literals as UTC half-open ranges, date
 * functions, and parsing of the date/datetime strings records carry. The simulated org's users
 * are in UTC and its fiscal year starts in January; weeks start on Sunday (en_US).
 */
import type { DateFunctionName, DateLiteralName, DateLiteralNName } from '../../soql/ast.js';

const DAY = 86_400_000;

/** Half-open `[start, end)` range of epoch milliseconds. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

const utc = (y: number, m: number, d = 1): number => Date.UTC(y, m, d);

/** Epoch ms of a `YYYY-MM-DD` date at 00:00 UTC, or NaN. */
export function parseDateMs(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  return utc(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/**
 * Epoch ms of a datetime as Salesforce writes it (`2024-05-06T09:15:27.000+0000`) or as SOQL
 * accepts it (`Z`, `+01:00`, `-0800`, fractional seconds), or NaN.
 */
export function parseInstantMs(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!m) return Number.NaN;
  const fraction = m[5] ? m[5].slice(0, 4).padEnd(4, '0') : '.000';
  let offset = m[6] ?? 'Z';
  if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${fraction}${offset.toUpperCase()}`);
}

/** `2024-05-06` for epoch ms (UTC). */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The range a date literal denotes at `now`. */
export function dateLiteralRange(name: DateLiteralName | DateLiteralNName, n: number, now: number): Range {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const today = utc(y, mo, d.getUTCDate());
  const weekStart = today - d.getUTCDay() * DAY;
  const q = Math.floor(mo / 3) * 3;
  const days = (a: number, b: number): Range => ({ start: today + a * DAY, end: today + b * DAY });
  const weeks = (a: number, b: number): Range => ({ start: weekStart + a * 7 * DAY, end: weekStart + b * 7 * DAY });
  const months = (a: number, b: number): Range => ({ start: utc(y, mo + a), end: utc(y, mo + b) });
  const quarters = (a: number, b: number): Range => ({ start: utc(y, q + 3 * a), end: utc(y, q + 3 * b) });
  const years = (a: number, b: number): Range => ({ start: utc(y + a, 0), end: utc(y + b, 0) });
  switch (name) {
    case 'YESTERDAY': return days(-1, 0);
    case 'TODAY': return days(0, 1);
    case 'TOMORROW': return days(1, 2);
    case 'LAST_WEEK': return weeks(-1, 0);
    case 'THIS_WEEK': return weeks(0, 1);
    case 'NEXT_WEEK': return weeks(1, 2);
    case 'LAST_MONTH': return months(-1, 0);
    case 'THIS_MONTH': return months(0, 1);
    case 'NEXT_MONTH': return months(1, 2);
    case 'LAST_90_DAYS': return days(-90, 1);
    case 'NEXT_90_DAYS': return days(1, 91);
    case 'LAST_N_DAYS': return days(-n, 1);
    case 'NEXT_N_DAYS': return days(1, n + 1);
    case 'N_DAYS_AGO': return days(-n, -n + 1);
    case 'LAST_N_WEEKS': return weeks(-n, 0);
    case 'NEXT_N_WEEKS': return weeks(1, n + 1);
    case 'N_WEEKS_AGO': return weeks(-n, -n + 1);
    case 'LAST_N_MONTHS': return months(-n, 0);
    case 'NEXT_N_MONTHS': return months(1, n + 1);
    case 'N_MONTHS_AGO': return months(-n, -n + 1);
    case 'THIS_QUARTER':
    case 'THIS_FISCAL_QUARTER': return quarters(0, 1);
    case 'LAST_QUARTER':
    case 'LAST_FISCAL_QUARTER': return quarters(-1, 0);
    case 'NEXT_QUARTER':
    case 'NEXT_FISCAL_QUARTER': return quarters(1, 2);
    case 'LAST_N_QUARTERS':
    case 'LAST_N_FISCAL_QUARTERS': return quarters(-n, 0);
    case 'NEXT_N_QUARTERS':
    case 'NEXT_N_FISCAL_QUARTERS': return quarters(1, n + 1);
    case 'N_QUARTERS_AGO':
    case 'N_FISCAL_QUARTERS_AGO': return quarters(-n, -n + 1);
    case 'THIS_YEAR':
    case 'THIS_FISCAL_YEAR': return years(0, 1);
    case 'LAST_YEAR':
    case 'LAST_FISCAL_YEAR': return years(-1, 0);
    case 'NEXT_YEAR':
    case 'NEXT_FISCAL_YEAR': return years(1, 2);
    case 'LAST_N_YEARS':
    case 'LAST_N_FISCAL_YEARS': return years(-n, 0);
    case 'NEXT_N_YEARS':
    case 'NEXT_N_FISCAL_YEARS': return years(1, n + 1);
    case 'N_YEARS_AGO':
    case 'N_FISCAL_YEARS_AGO': return years(-n, -n + 1);
  }
}

/** A date function applied to epoch ms (UTC). `DAY_ONLY` yields a date string, the others numbers. */
export function applyDateFunction(name: DateFunctionName, ms: number): number | string {
  const d = new Date(ms);
  const month = d.getUTCMonth() + 1;
  const dayOfYear = Math.floor((utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - utc(d.getUTCFullYear(), 0)) / DAY) + 1;
  switch (name) {
    case 'CALENDAR_MONTH':
    case 'FISCAL_MONTH':
      return month;
    case 'CALENDAR_QUARTER':
    case 'FISCAL_QUARTER':
      return Math.floor((month - 1) / 3) + 1;
    case 'CALENDAR_YEAR':
    case 'FISCAL_YEAR':
      return d.getUTCFullYear();
    case 'DAY_IN_MONTH':
      return d.getUTCDate();
    case 'DAY_IN_WEEK':
      return d.getUTCDay() + 1;
    case 'DAY_IN_YEAR':
      return dayOfYear;
    case 'DAY_ONLY':
      return formatDate(ms);
    case 'HOUR_IN_DAY':
      return d.getUTCHours();
    case 'WEEK_IN_MONTH':
      return Math.floor((d.getUTCDate() - 1) / 7) + 1;
    case 'WEEK_IN_YEAR':
      return Math.floor((dayOfYear - 1) / 7) + 1;
  }
}
