/**
 * Values to and from Bulk API 2.0 CSV, by field type (the generated field descriptors).
 *
 * Writing (ingest): `undefined` leaves the field out (an empty CSV value: Salesforce does not
 * touch it), `null` and `''` clear it (`#N/A`), booleans `true`/`false`, numbers in plain decimal
 * notation, `Date` objects as Salesforce dates or datetimes by field type, multi-select picklists
 * given as arrays joined with `;`. Reading (results, query): empty is `null` (query) or absent
 * (an ingest result's echo of the input), `#N/A` is `null`, checkboxes are booleans, numbers are
 * numbers, datetimes are normalized to the REST form (`...+0000`), everything else is text.
 */
import { UsageError } from '../../errors.js';
import type { FieldDescriptor, FieldType } from '../../schema.js';
import { formatDate, formatDateTime, formatTime } from '../../values.js';

/** The CSV value that sets a field to null in Bulk API 2.0 ingest. */
export const CSV_NULL = '#N/A';

function plainNumber(value: number): string {
  const text = String(value);
  if (text.indexOf('e') < 0) return text;
  // 1e21 and 1e-7 in plain decimal notation (Salesforce does not read exponents).
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * One value as Bulk ingest CSV text (not yet quoted). `where` names the field for errors.
 *
 * @example toCsvValue('boolean', true, 'Contact.DoNotCall') // 'true'
 */
export function toCsvValue(type: FieldType | undefined, value: unknown, where: string): string {
  if (value === undefined) return '';
  if (value === null || value === '') return CSV_NULL;
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new UsageError({ message: `${where}: ${String(value)} is not a number Salesforce accepts` });
      return type === 'time' ? formatTime(value) : plainNumber(value);
    case 'bigint':
      return value.toString();
    default:
      break;
  }
  if (value instanceof Date) return type === 'date' ? formatDate(value) : formatDateTime(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(';');
  throw new UsageError({ message: `${where}: a ${Array.isArray(value) ? 'list' : typeof value} cannot be written through Bulk API CSV (compound fields are written through their components)` });
}

/** A converter from query CSV text to a REST-typed value (empty text is null). */
export type FromCsv = (text: string) => unknown;

const asText: FromCsv = (text) => (text === '' ? null : text);
const asBoolean: FromCsv = (text) => (text === '' ? null : text === 'true' ? true : text === 'false' ? false : text);
const asNumber: FromCsv = (text) => {
  if (text === '') return null;
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
};
/** Bulk sends `2024-05-06T09:15:27.000Z`; REST sends `...+0000`: rows match REST. */
const asDateTime: FromCsv = (text) => (text === '' ? null : text.charCodeAt(text.length - 1) === 90 /* Z */ ? `${text.slice(0, -1)}+0000` : text);

/**
 * The converter of one field type (query results): the value as the REST API would have given it.
 *
 * @example fromCsvConverter('double')('1.5') // 1.5
 */
export function fromCsvConverter(type: FieldType | undefined): FromCsv {
  switch (type) {
    case 'boolean':
      return asBoolean;
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return asNumber;
    case 'datetime':
      return asDateTime;
    default:
      return asText;
  }
}

/**
 * Reads back an ingest input value echoed in a result file: empty is `undefined` (the field was
 * not sent), `#N/A` is `null`, otherwise as {@link fromCsvConverter}.
 */
export function inputFromCsv(type: FieldType | undefined, text: string): unknown {
  if (text === '') return undefined;
  if (text === CSV_NULL) return null;
  return fromCsvConverter(type)(text);
}

/** The descriptor of a field, case-insensitively (CSV headers may differ in case from API names). */
export function findField(fields: { readonly [name: string]: FieldDescriptor }, name: string): { name: string; field: FieldDescriptor } | undefined {
  const exact = fields[name];
  if (exact !== undefined) return { name, field: exact };
  const lower = name.toLowerCase();
  for (const key of Object.keys(fields)) {
    if (key.toLowerCase() === lower) return { name: key, field: fields[key] as FieldDescriptor };
  }
  return undefined;
}
