/**
 * CSV input for an ingest: a file or a stream, read with the purpose-written reader, checked row by
 * row (and, for a file, in a pass before anything is uploaded): header fields the object does not
 * have, a delete file with columns other than Id, an upsert without its external id column, rows
 * wider or narrower than the header, rows over Salesforce's 400,000 characters, a line ending that
 * does not match the job's. Every error names the file, the line and the field.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { UsageError } from '../../errors.js';
import { CsvReader, CsvSyntaxError, csvLine } from './csv.js';
import { findField } from './convert.js';
import { MAX_ROW_CHARACTERS, type IngestTarget, type RowSource } from './ingest.js';
import type { LineEnding } from './jobs.js';

/** Bad CSV input for an ingest: names the file, the line and the field when there is one. */
export class BulkInputError extends UsageError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(file: string, line: number | undefined, field: string | undefined, message: string) {
    super({ message: `${file}${line === undefined ? '' : `:${line}`}: ${message}` });
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** Where CSV comes from: a file path, a stream, or text. */
export type CsvInput = { readonly file: string } | { readonly stream: Readable | AsyncIterable<Buffer | string>; readonly name?: string } | { readonly text: string; readonly name?: string };

export interface CsvCheckOptions {
  /** The fields the object has (API names); unknown header fields are errors. Omit to let Salesforce check. */
  readonly fields?: readonly string[] | undefined;
  /** The job's line ending; rows ending otherwise are errors. Default: the file's own (LF when none). */
  readonly lineEnding?: LineEnding | undefined;
  readonly delimiter?: string | undefined;
}

function nameOf(input: CsvInput): string {
  if ('file' in input) return input.file;
  return input.name ?? 'CSV input';
}

async function* chunksOf(input: CsvInput): AsyncGenerator<string> {
  if ('text' in input) {
    yield input.text;
    return;
  }
  const source = 'file' in input ? createReadStream(input.file, { highWaterMark: 256 * 1024 }) : input.stream;
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of source as AsyncIterable<Buffer | string>) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    yield text;
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

/** Checks the header row; returns the canonical column names. */
export function checkHeader(file: string, header: readonly string[], target: IngestTarget, options: CsvCheckOptions): string[] {
  const seen = new Set<string>();
  const columns: string[] = [];
  for (const raw of header) {
    const name = raw.trim();
    if (name === '') throw new BulkInputError(file, 1, undefined, 'the header has an empty column name');
    if (seen.has(name.toLowerCase())) throw new BulkInputError(file, 1, name, `the header names ${name} twice`);
    seen.add(name.toLowerCase());
    columns.push(name);
  }
  const deleting = target.operation === 'delete' || target.operation === 'hardDelete';
  if (deleting) {
    const other = columns.find((c) => c.toLowerCase() !== 'id');
    if (other !== undefined || columns.length === 0) {
      throw new BulkInputError(file, 1, other, `a ${target.operation} file holds only the Id column${other === undefined ? '' : `, not ${other}`}`);
    }
  }
  if (target.operation === 'upsert') {
    const ext = target.externalIdFieldName ?? '';
    if (!seen.has(ext.toLowerCase())) throw new BulkInputError(file, 1, ext, `an upsert by ${ext} needs a ${ext} column; the header has ${columns.join(', ')}`);
  }
  if (target.operation === 'update' && !seen.has('id')) throw new BulkInputError(file, 1, 'Id', `an update needs an Id column; the header has ${columns.join(', ')}`);
  const known = options.fields ?? (target.descriptor === undefined ? undefined : Object.keys(target.descriptor.fields));
  if (known !== undefined) {
    const fields = Object.fromEntries(known.map((k) => [k, true as const]));
    for (const column of columns) {
      // Relationship columns (`Account.External__c`, `Owner:User.Email`) name a parent's field.
      const base = column.includes('.') ? column.split('.')[0] as string : column;
      if (column.includes('.')) {
        const rel = base.split(':')[0] as string;
        const parents = target.descriptor?.parents;
        if (parents !== undefined && !Object.keys(parents).some((p) => p.toLowerCase() === rel.toLowerCase())) {
          throw new BulkInputError(file, 1, column, `${target.object} has no relationship ${rel} (column ${column})`);
        }
        continue;
      }
      if (findField(fields as unknown as Record<string, never>, base) === undefined) {
        throw new BulkInputError(file, 1, column, `${target.object} has no field ${column}`);
      }
    }
  }
  return columns;
}

/**
 * Rows of a CSV input, checked as they are read. The upload is re-serialized from the parsed rows
 * (same values, the job's line ending).
 */
export function csvRows(input: CsvInput, target: IngestTarget, options: CsvCheckOptions = {}): RowSource & { readonly lineEnding: () => LineEnding | undefined } {
  const file = nameOf(input);
  let ending: LineEnding | undefined;
  return {
    name: `file ${file}`,
    lineEnding: () => ending,
    rows(): AsyncIterator<{ columns: readonly string[]; line: string }> {
      return rowsOf(input, file, target, options, (e) => (ending = e));
    },
  };
}

async function* rowsOf(input: CsvInput, file: string, target: IngestTarget, options: CsvCheckOptions, setEnding: (e: LineEnding) => void): AsyncGenerator<{ columns: readonly string[]; line: string }> {
  const delimiter = options.delimiter ?? ',';
  const reader = new CsvReader({ delimiter, source: file });
  let columns: string[] | undefined;
  let expectedEnding = options.lineEnding;
  let endingChecked = false;
  const check = (row: string[], line: number): string => {
    if (row.length !== (columns as string[]).length) {
      if (row.length === 1 && row[0] === '') throw new BulkInputError(file, line, undefined, 'an empty line (Salesforce reads it as a row with no values)');
      throw new BulkInputError(file, line, undefined, `the row has ${row.length} values but the header has ${(columns as string[]).length} columns`);
    }
    const text = csvLine(row, delimiter);
    if (text.length > MAX_ROW_CHARACTERS) throw new BulkInputError(file, line, undefined, `the row has ${text.length} characters, more than Salesforce's ${MAX_ROW_CHARACTERS} per record`);
    return text;
  };
  const endingCheck = (): void => {
    if (endingChecked || reader.lineEnding === undefined) return;
    endingChecked = true;
    const seen = reader.lineEnding;
    if (seen === 'CR') throw new BulkInputError(file, 1, undefined, 'lines end with a lone CR; Bulk API accepts LF or CRLF');
    if (expectedEnding !== undefined && seen !== expectedEnding) {
      throw new BulkInputError(file, 1, undefined, `lines end with ${seen} but the job's lineEnding is ${expectedEnding}`);
    }
    expectedEnding = seen;
    setEnding(seen);
  };
  try {
    for await (const text of chunksOf(input)) {
      const rows = reader.push(text);
      endingCheck();
      for (const row of rows) {
        if (columns === undefined) {
          columns = checkHeader(file, row, target, options);
          continue;
        }
        const line = check(row, reader.lastRowLine);
        yield { columns, line };
      }
      if (reader.mixedEndingLine !== undefined) throw new BulkInputError(file, reader.mixedEndingLine, undefined, `this line ends differently from line 1 (${reader.lineEnding ?? ''}): mixed line endings do not match the job's lineEnding`);
    }
    const last = reader.end();
    for (const row of last) {
      if (columns === undefined) {
        columns = checkHeader(file, row, target, options);
        continue;
      }
      yield { columns, line: check(row, reader.lastRowLine) };
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new BulkInputError(file, error.line, undefined, error.message.replace(/^.*?line \d+: /, ''));
    throw error;
  }
  if (columns === undefined) throw new BulkInputError(file, 1, undefined, 'the file is empty (no header row)');
}

/**
 * Reads a whole CSV input and checks it without uploading anything: returns the row count and
 * the line ending, or throws {@link BulkInputError} naming the file, line and field.
 */
export async function checkCsv(input: CsvInput, target: IngestTarget, options: CsvCheckOptions = {}): Promise<{ rows: number; lineEnding: LineEnding | undefined; columns: readonly string[] }> {
  const source = csvRows(input, target, options);
  const iterator = source.rows();
  let rows = 0;
  let columns: readonly string[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    // A source yields a row or a batch of rows.
    const value = next.value;
    const batch: readonly { readonly columns: readonly string[] }[] = 'columns' in value ? [value] : value;
    rows += batch.length;
    if (batch.length > 0) columns = (batch[batch.length - 1] as { readonly columns: readonly string[] }).columns;
  }
  return { rows, lineEnding: source.lineEnding(), columns };
}
