/** Salesforce's wire formats for dates and times. */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2024-05-06T09:15:27.000+0000`: the datetime format REST responses use (UTC, no colon). */
export function toSfDateTime(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}+0000`
  );
}

/** RFC 7231 HTTP date (`Mon, 01 Jan 2024 00:00:00 GMT`), used by Last-Modified. */
export function toHttpDate(date: Date): string {
  return date.toUTCString();
}

/** Parse an HTTP date (or ISO date) header; `undefined` when it is not a date. */
export function parseHttpDate(text: string | undefined): Date | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Floor a date to whole seconds (HTTP dates carry no milliseconds). */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$/;

/** A `date` value in `YYYY-MM-DD` form naming a real calendar day. */
export function parseSfDate(text: string): string | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? text : undefined;
}

/** A datetime as written (`Z`, `+0000`, `+01:00` offsets or none), normalised to Salesforce's output form. */
export function parseSfDateTime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  let iso = text;
  const offset = m[8];
  if (offset === undefined) iso += 'Z';
  else if (/^[+-]\d{4}$/.test(offset)) iso = text.slice(0, -5) + `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : toSfDateTime(new Date(ms));
}

/** A time value normalised to `HH:mm:ss.SSSZ`. */
export function parseSfTime(text: string): string | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return `${pad(h)}:${pad(mi)}:${pad(s)}.${(m[4] ?? '0').padEnd(3, '0')}Z`;
}
