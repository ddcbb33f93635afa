/**
 * Streamed CSV downloads that survive a cut: a download that breaks mid-body (or ends short of the
 * `Sforce-NumberOfRecords` it announced) is requested again from its start (result files and query
 * locators can be read again) and the rows already handed over are skipped. Rows come out in
 * batches (one per network chunk), parsed by the purpose-written reader, in constant memory.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { AbortedError, SalesforceError, safePath } from '../../errors.js';
import { CsvReader } from './csv.js';
import { BulkJobError } from './jobs.js';

/** What a download opener returns. */
export interface OpenedDownload {
  readonly stream: Readable;
  readonly headers: Readonly<Record<string, string>>;
}

export interface CsvDownloadOptions {
  readonly jobId: string;
  /** For messages: the path downloaded. */
  readonly path: string;
  readonly delimiter?: string;
  /** Attempts per download (a cut costs one). Default 5. */
  readonly maxAttempts?: number;
  readonly signal?: AbortSignal | undefined;
  /** Called once with the response headers of the first successful open. */
  readonly onHeaders?: (headers: Readonly<Record<string, string>>) => void;
}

/** One batch of rows of a download; `header` is the CSV header row. */
export interface RowBatch {
  readonly header: readonly string[];
  readonly rows: string[][];
}

function announced(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers['sforce-numberofrecords'];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Downloads one CSV (a result file or one query page) as row batches, re-requesting it after a cut.
 *
 * @example
 * ```ts
 * for await (const { header, rows } of csvDownload(() => jobs.download(path, 'op'), { jobId, path })) count += rows.length;
 * ```
 */
export async function* csvDownload(open: () => Promise<OpenedDownload>, options: CsvDownloadOptions): AsyncGenerator<RowBatch, void, undefined> {
  const maxAttempts = options.maxAttempts ?? 5;
  let delivered = 0;
  let header: string[] | undefined;
  let headersSeen = false;
  for (let attempt = 1; ; attempt++) {
    let opened: OpenedDownload;
    try {
      opened = await open();
    } catch (error) {
      throw error instanceof SalesforceError && !(error instanceof BulkJobError)
        ? new BulkJobError({ message: `Bulk job ${options.jobId}: download of ${safePath(options.path)} failed: ${error.message}`, jobId: options.jobId, status: error.status, errorCode: error.errorCode, cause: error })
        : error;
    }
    if (!headersSeen) {
      headersSeen = true;
      options.onHeaders?.(opened.headers);
    }
    const expected = announced(opened.headers);
    const reader = new CsvReader({ delimiter: options.delimiter ?? ',', source: safePath(options.path) });
    const decoder = new StringDecoder('utf8');
    let seen = 0; // data rows of this attempt
    let headerRead = false;
    let cut: unknown;
    const take = function* (rows: string[][]): Generator<RowBatch> {
      let start = 0;
      if (!headerRead && rows.length > 0) {
        // Every download (and every query page) starts with its own header row.
        header ??= rows[0] as string[];
        headerRead = true;
        start = 1;
      }
      const available = rows.length - start;
      // Skip the rows an earlier attempt already handed over.
      const skip = Math.max(0, Math.min(available, delivered - seen));
      seen += available;
      if (available - skip > 0) {
        const batch = start + skip === 0 ? rows : rows.slice(start + skip);
        delivered += batch.length;
        yield { header: header as string[], rows: batch };
      }
    };
    try {
      for await (const chunk of opened.stream) {
        const rows = reader.push(decoder.write(chunk as Buffer));
        if (rows.length > 0) yield* take(rows);
      }
      const rest = reader.push(decoder.end());
      for (const row of reader.end()) rest.push(row);
      if (rest.length > 0) yield* take(rest);
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError({ message: `Bulk job ${options.jobId}: download aborted`, cause: options.signal.reason });
      // A cut can also surface as malformed CSV (an unterminated quote at the end of the body).
      cut = error;
      opened.stream.destroy();
    }
    if (cut === undefined && expected !== undefined && seen < expected) {
      cut = new Error(`the body ended after ${seen} of ${expected} rows (Sforce-NumberOfRecords)`);
    }
    if (cut === undefined) {
      if (expected !== undefined && seen > expected) {
        throw new BulkJobError({ message: `Bulk job ${options.jobId}: ${safePath(options.path)} held ${seen} rows but announced ${expected}`, jobId: options.jobId });
      }
      return;
    }
    if (attempt >= maxAttempts) {
      throw new BulkJobError({
        message: `Bulk job ${options.jobId}: the download of ${safePath(options.path)} broke ${attempt} times (last: ${(cut as Error).message ?? String(cut)}); ${delivered} rows were delivered, the rest was not`,
        jobId: options.jobId, cause: cut,
      });
    }
  }
}
