/**
 * Bulk API 2.0 ingest: typed records or CSV in, one or more jobs, typed results out.
 *
 * Input is turned into CSV rows as it is read (constant memory) and streamed into the job's single
 * upload; when a job's data would pass `maxBytesPerJob` (or typed records gain a column) the rest
 * goes into a new job. Up to `maxConcurrentJobs` jobs are uploaded-and-processing at once. Each part
 * is also written to a temporary spool file while it streams, so that an upload broken by the
 * network is re-sent whole, from the start of its data (into the same job when it still takes an
 * upload, else into a fresh job; the old one is aborted, never deleted). Results are read back
 * streamed and typed, and every job is reconciled: successful + failed + unprocessed = rows sent.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AbortedError, SalesforceError, UsageError } from '../../errors.js';
import type { FieldDescriptor, SObjectDescriptor } from '../../schema.js';
import { COLUMN_DELIMITERS, csvLine, quoteCsv, type ColumnDelimiter } from './csv.js';
import { fromCsvConverter, inputFromCsv, toCsvValue } from './convert.js';
import { csvDownload } from './download.js';
import {
  BulkJobError, BulkReconcileError, BulkJobs, isTransient, type IngestJobInfo, type IngestOperation, type JobState, type LineEnding, type PollOptions,
} from './jobs.js';

/** Salesforce's limit of one job's upload (150 MB); {@link DEFAULT_MAX_BYTES_PER_JOB} is what it advises. */
export const MAX_BYTES_PER_JOB = 150_000_000;
/** Default split size: 100 MB of CSV per job, as Salesforce advises. */
export const DEFAULT_MAX_BYTES_PER_JOB = 100_000_000;
/** Salesforce's limit of characters in one record (row) of an ingest upload. */
export const MAX_ROW_CHARACTERS = 400_000;

/** A job as soon as it exists (reported through `onJob`). */
export interface BulkJobRef {
  readonly id: string;
  readonly object: string;
  readonly operation: IngestOperation;
  /** 0-based index of the part of the input this job carries. */
  readonly part: number;
  /** Set when this job replaces one whose upload broke. */
  readonly replaces?: string;
}

/** Salesforce's error of a failed row, parsed from `sf__Error` (`CODE:message:field1,field2 --`). */
export interface RowError {
  readonly code: string;
  readonly message: string;
  readonly fields: readonly string[];
  /** The text as Salesforce sent it. */
  readonly raw: string;
}

/** One input row's outcome. `input` is the row as sent, read back by field type. */
export type IngestResult<In> =
  | { readonly status: 'succeeded'; readonly jobId: string; readonly id: string; readonly created: boolean; readonly input: In }
  | { readonly status: 'failed'; readonly jobId: string; readonly id: string | null; readonly error: RowError; readonly input: In }
  | { readonly status: 'unprocessed'; readonly jobId: string; readonly input: In };

/** Counts of one job. */
export interface IngestJobSummary {
  readonly id: string;
  readonly object: string;
  readonly operation: IngestOperation;
  readonly state: JobState;
  /** Rows uploaded into this job (undefined for a re-attached job). */
  readonly rows: number | undefined;
  readonly succeeded: number;
  readonly failed: number;
  readonly unprocessed: number;
  readonly errorMessage?: string;
}

/** Counts of a whole run. */
export interface IngestSummary {
  readonly jobs: readonly IngestJobSummary[];
  readonly rows: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly unprocessed: number;
}

/** Options of an ingest. */
export interface IngestOptions extends Omit<PollOptions, 'signal' | 'onPoll'> {
  /** Split the input into jobs of at most this many bytes of CSV. Default 100 MB, at most 150 MB. */
  maxBytesPerJob?: number;
  /** Jobs uploaded and processing at the same time. Default 2. */
  maxConcurrentJobs?: number;
  /** Called as soon as a job exists, before its data is uploaded. */
  onJob?: (job: BulkJobRef) => void;
  /** Called with job info at every poll. */
  onPoll?: (info: IngestJobInfo) => void;
  /** Called after each part is uploaded: rows and bytes sent so far. */
  onUpload?: (progress: { readonly rows: number; readonly bytes: number }) => void;
  /** Aborts the run: jobs not finished are aborted on the org (never deleted). */
  signal?: AbortSignal;
  /** Columns (typed records) instead of the keys of the first records. */
  columns?: readonly string[];
  /** Line ending of the uploaded CSV. Default LF. */
  lineEnding?: LineEnding;
  /** Column delimiter of the uploaded CSV. Default COMMA. */
  columnDelimiter?: ColumnDelimiter;
  /** `assignmentRuleId` of the job (Case and Lead). */
  assignmentRuleId?: string;
  /** Directory for the spool files that make a broken upload re-sendable. Default the OS temp dir. */
  spoolDir?: string;
  /** Called with every raw batch of result rows as downloaded (the CLI writes its result files from them). */
  onRawResults?: (batch: { readonly kind: ResultKind; readonly jobId: string; readonly header: readonly string[]; readonly rows: readonly string[][] }) => void;
}

/** One row to upload: its columns (shared array), its CSV line, its source line (for messages). */
interface Row {
  readonly columns: readonly string[];
  readonly line: string;
}

/** Where the rows of an ingest come from. */
export interface RowSource {
  /** Rows in order, one by one or in batches; a change of `columns` (by identity) starts a new job. */
  rows(): AsyncIterator<Row | readonly Row[]>;
  /** Names the input in messages (`file data.csv`, `Contact records`). */
  readonly name: string;
}

/** What an ingest needs to know about its target. */
export interface IngestTarget {
  readonly object: string;
  readonly operation: IngestOperation;
  readonly externalIdFieldName?: string | undefined;
  /** Field descriptors: typed conversions of result rows. */
  readonly descriptor?: SObjectDescriptor | undefined;
}

const ROW_BATCH = 1000;

/** Parses `sf__Error`: `CODE:message:field1,field2 --` (free text: parsed defensively). */
export function parseRowError(raw: string): RowError {
  const text = raw.replace(/\s*--\s*$/, '');
  const first = text.indexOf(':');
  if (first < 0 || !/^[A-Z_]+$/.test(text.slice(0, first))) return { code: 'UNKNOWN', message: text, fields: [], raw };
  const code = text.slice(0, first);
  const rest = text.slice(first + 1);
  const last = rest.lastIndexOf(':');
  if (last >= 0) {
    const tail = rest.slice(last + 1).trim();
    if (tail === '' || /^[A-Za-z][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_]*)*$/.test(tail)) {
      return { code, message: rest.slice(0, last).trim(), fields: tail === '' ? [] : tail.split(',').map((f) => f.trim()), raw };
    }
  }
  return { code, message: rest.trim(), fields: [], raw };
}

// ---------------------------------------------------------------------------------------------
// Typed records -> rows

/** A converter of one column: a record's value -> quoted CSV text. */
type ColumnWriter = (record: Record<string, unknown>) => string;

function columnWriters(object: string, columns: readonly string[], descriptor: SObjectDescriptor | undefined, delimiter: string): ColumnWriter[] {
  return columns.map((column) => {
    const type = descriptor?.fields[column]?.type;
    const where = `${object}.${column}`;
    return (record) => {
      const value = record[column];
      if (typeof value === 'string' && value !== '') return quoteCsv(value, delimiter);
      if (value === undefined) return '';
      return quoteCsv(toCsvValue(type, value, where), delimiter);
    };
  });
}

/**
 * Rows from typed records. Columns are the keys of the first records (up to 1,000) or the given
 * ones; a later record with a key outside them starts a new set of columns (and so a new job).
 */
export function recordRows(
  target: IngestTarget,
  records: Iterable<object> | AsyncIterable<object>,
  options: { columns?: readonly string[] | undefined; delimiter: string; lineEnding: LineEnding },
): RowSource {
  const descriptor = target.descriptor;
  const fixed = options.columns;
  const deleting = target.operation === 'delete' || target.operation === 'hardDelete';
  const normalize = (value: object | string): Record<string, unknown> =>
    typeof value === 'string' ? { Id: value } : (value as Record<string, unknown>);
  return {
    name: `${target.object} records`,
    rows(): AsyncIterator<readonly Row[]> {
      const iterator: Iterator<object> | AsyncIterator<object> =
        Symbol.asyncIterator in records ? (records as AsyncIterable<object>)[Symbol.asyncIterator]() : (records as Iterable<object>)[Symbol.iterator]();
      let pending: Record<string, unknown>[] = [];
      let pos = 0;
      let done = false;
      let columns: string[] | undefined;
      let index: Set<string> = new Set();
      let writers: ColumnWriter[] = [];
      let count = 0;
      const fill = async (): Promise<void> => {
        if (pos > 0) {
          pending = pending.slice(pos);
          pos = 0;
        }
        while (!done && pending.length < ROW_BATCH) {
          const next = await iterator.next();
          if (next.done) done = true;
          else pending.push(normalize(next.value as object));
        }
      };
      const choose = (): void => {
        const seen = new Set<string>();
        const list: string[] = [];
        if (fixed !== undefined) for (const c of fixed) { seen.add(c); list.push(c); }
        else if (deleting) { seen.add('Id'); list.push('Id'); }
        if (fixed === undefined && !deleting) {
          for (let k = pos; k < pending.length; k++) {
            const record = pending[k] as Record<string, unknown>;
            for (const key in record) {
              if (key === 'attributes' || record[key] === undefined || seen.has(key)) continue;
              seen.add(key);
              list.push(key);
            }
          }
        }
        columns = list;
        index = seen;
        writers = columnWriters(target.object, list, descriptor, options.delimiter);
      };
      const fits = (record: Record<string, unknown>): boolean => {
        for (const key in record) {
          if (key !== 'attributes' && record[key] !== undefined && !index.has(key)) return false;
        }
        return true;
      };
      return {
        async next(): Promise<IteratorResult<readonly Row[]>> {
          if (pos >= pending.length) await fill();
          if (pos >= pending.length) return { done: true, value: undefined };
          const out: Row[] = [];
          while (pos < pending.length) {
            const record = pending[pos] as Record<string, unknown>;
            if (columns === undefined || !fits(record)) {
              if (columns !== undefined && (fixed !== undefined || deleting)) {
                const extra = Object.keys(record).find((k) => k !== 'attributes' && record[k] !== undefined && !index.has(k));
                throw new UsageError({ message: `${target.object} record ${count + 1}: field ${extra} is not among the columns ${columns.join(', ')}` });
              }
              // New columns (a new job): end this batch first, then choose from the next window.
              if (out.length > 0) break;
              await fill();
              choose();
            }
            pos++;
            count++;
            let line = '';
            for (let k = 0; k < writers.length; k++) {
              if (k > 0) line += options.delimiter;
              line += (writers[k] as ColumnWriter)(record);
            }
            if (line.length > MAX_ROW_CHARACTERS) {
              throw new UsageError({ message: `${target.object} record ${count}: ${line.length} characters, more than Salesforce's ${MAX_ROW_CHARACTERS} per record` });
            }
            out.push({ columns: columns as string[], line });
          }
          return { done: false, value: out };
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Parts and uploads

interface Part {
  readonly index: number;
  columns: readonly string[] | undefined;
  rows: number;
  bytes: number;
  /** The spool file holding this part's CSV once it was produced whole. */
  spool: string | undefined;
  /** An error of the input itself (bad row, conversion): never retried, the job is aborted. */
  inputError?: unknown;
}

class RowFeed {
  readonly #iterator: AsyncIterator<Row | readonly Row[]>;
  #batch: readonly Row[] = [];
  #at = 0;
  #back: Row | undefined;
  #ended = false;
  constructor(source: RowSource) {
    this.#iterator = source.rows();
  }
  /** The next row when it is already in memory, else undefined (then call `next()`). */
  nextSync(): Row | undefined {
    if (this.#back !== undefined) {
      const row = this.#back;
      this.#back = undefined;
      return row;
    }
    return this.#at < this.#batch.length ? this.#batch[this.#at++] : undefined;
  }
  async next(): Promise<Row | undefined> {
    const ready = this.nextSync();
    if (ready !== undefined) return ready;
    for (;;) {
      if (this.#ended) return undefined;
      const next = await this.#iterator.next();
      if (next.done) {
        this.#ended = true;
        return undefined;
      }
      const value = next.value;
      if (!Array.isArray(value)) return value as Row;
      this.#batch = value as readonly Row[];
      this.#at = 0;
      if (this.#batch.length > 0) return this.#batch[this.#at++];
    }
  }
  pushBack(row: Row): void {
    this.#back = row;
  }
}

const CHUNK_CHARS = 256 * 1024;

/** Produces one part's CSV chunks (header first) from the feed, stopping at the byte limit or a column change. */
async function* partChunks(feed: RowFeed, part: Part, limit: number, delimiter: string, eol: string, spool: WriteStream | undefined): AsyncGenerator<Buffer> {
  const next = async (): Promise<Row | undefined> => {
    try {
      return await feed.next();
    } catch (error) {
      part.inputError = error;
      throw error;
    }
  };
  const nextSync = (): Row | undefined => feed.nextSync();
  const first = await next();
  if (first === undefined) return;
  const columns = first.columns;
  part.columns = columns;
  const header = csvLine(columns, delimiter) + eol;
  let text = header;
  let bytes = Buffer.byteLength(header);
  let row: Row | undefined = first;
  const eolBytes = eol.length;
  const emit = async (chunk: string): Promise<Buffer> => {
    const buffer = Buffer.from(chunk);
    if (spool !== undefined && !spool.write(buffer)) await new Promise<void>((resolve) => spool.once('drain', resolve));
    return buffer;
  };
  while (row !== undefined) {
    if (row.columns !== columns) {
      feed.pushBack(row);
      break;
    }
    const size = Buffer.byteLength(row.line) + eolBytes;
    if (part.rows > 0 && bytes + size > limit) {
      feed.pushBack(row);
      break;
    }
    text += row.line;
    text += eol;
    bytes += size;
    part.rows++;
    if (text.length >= CHUNK_CHARS) {
      yield await emit(text);
      text = '';
    }
    row = nextSync() ?? (await next());
  }
  if (text !== '') yield await emit(text);
  part.bytes = bytes;
}

function endSpool(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

// ---------------------------------------------------------------------------------------------
// The run

interface JobSlot {
  readonly ref: BulkJobRef;
  readonly part: Part;
  /** Resolves when the job reached a final state. */
  readonly finished: Promise<IngestJobInfo>;
}

/**
 * One ingest: iterate it for every row's result (streamed, job by job as jobs finish), or call
 * {@link IngestRun.done} for the counts only. The work starts at the first of the two.
 *
 * @example
 * ```ts
 * const run = bulk(client).insert(Contact, contacts, { onJob: (job) => console.log('job', job.id) });
 * for await (const result of run) if (result.status === 'failed') console.error(result.error.message, result.input);
 * console.log(await run.done());
 * ```
 */
export class IngestRun<In> implements AsyncIterable<IngestResult<In>> {
  readonly #jobs: BulkJobs;
  readonly #target: IngestTarget;
  readonly #source: RowSource;
  readonly #options: IngestOptions;
  readonly #refs: BulkJobRef[] = [];
  readonly #summaries: IngestJobSummary[] = [];
  #started = false;
  #finished = false;
  #summary: Promise<IngestSummary> | undefined;

  /** @internal use `bulk(client).insert(...)` and friends */
  constructor(jobs: BulkJobs, target: IngestTarget, source: RowSource, options: IngestOptions) {
    const limit = options.maxBytesPerJob ?? DEFAULT_MAX_BYTES_PER_JOB;
    if (!Number.isInteger(limit) || limit < 1024 || limit > MAX_BYTES_PER_JOB) {
      throw new UsageError({ message: `bulk ingest: maxBytesPerJob must be an integer from 1024 to ${MAX_BYTES_PER_JOB}, got ${String(options.maxBytesPerJob)}` });
    }
    const concurrency = options.maxConcurrentJobs ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError({ message: `bulk ingest: maxConcurrentJobs must be a positive integer, got ${String(options.maxConcurrentJobs)}` });
    if (target.operation === 'upsert' && target.externalIdFieldName === undefined) {
      throw new UsageError({ message: `bulk upsert of ${target.object}: an external id field is required` });
    }
    this.#jobs = jobs;
    this.#target = target;
    this.#source = source;
    this.#options = options;
  }

  /** Jobs created so far (also reported through `onJob` as they appear). */
  get jobs(): readonly BulkJobRef[] {
    return this.#refs;
  }

  /** Per-job counts of the jobs whose results were read so far. */
  get summaries(): readonly IngestJobSummary[] {
    return this.#summaries;
  }

  /**
   * Runs everything and returns the counts (results are read and counted, not kept). After a
   * complete `for await` over the run, returns the counts of that iteration.
   */
  done(): Promise<IngestSummary> {
    if (this.#summary === undefined && this.#finished) this.#summary = Promise.resolve(this.#total());
    if (this.#summary === undefined) {
      this.#summary = (async () => {
        for await (const _ of this) {
          // counted inside
        }
        return this.#total();
      })();
    }
    return this.#summary;
  }

  #total(): IngestSummary {
    let rows = 0;
    let succeeded = 0;
    let failed = 0;
    let unprocessed = 0;
    for (const s of this.#summaries) {
      rows += s.rows ?? s.succeeded + s.failed + s.unprocessed;
      succeeded += s.succeeded;
      failed += s.failed;
      unprocessed += s.unprocessed;
    }
    return { jobs: [...this.#summaries], rows, succeeded, failed, unprocessed };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<IngestResult<In>, void, undefined> {
    if (this.#started) throw new UsageError({ message: 'bulk ingest: a run can be iterated once (or awaited with done())' });
    this.#started = true;
    const options = this.#options;
    const limit = options.maxBytesPerJob ?? DEFAULT_MAX_BYTES_PER_JOB;
    const concurrency = options.maxConcurrentJobs ?? 2;
    const delimiter = COLUMN_DELIMITERS[options.columnDelimiter ?? 'COMMA'];
    const eol = options.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const feed = new RowFeed(this.#source);
    const spoolDir = await mkdtemp(join(options.spoolDir ?? tmpdir(), 'sfgen-bulk-'));
    const queue: JobSlot[] = [];
    let producerError: unknown;
    let producing = true;
    let stopped = false;
    let wake: (() => void) | undefined;
    let slotFreed: (() => void) | undefined;
    let active = 0;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let uploadedRows = 0;
    let uploadedBytes = 0;

    const producer = (async () => {
      try {
        for (let index = 0; ; index++) {
          while (active >= concurrency && !stopped) await new Promise<void>((resolve) => (slotFreed = resolve));
          if (stopped) break;
          options.signal?.throwIfAborted();
          const part: Part = { index, columns: undefined, rows: 0, bytes: 0, spool: undefined };
          // Peek: no job for an empty remainder.
          const peek = await feed.next();
          if (peek === undefined) break;
          feed.pushBack(peek);
          active++;
          const slot = await this.#runPart(feed, part, limit, delimiter, eol, spoolDir);
          uploadedRows += part.rows;
          uploadedBytes += part.bytes;
          options.onUpload?.({ rows: uploadedRows, bytes: uploadedBytes });
          queue.push(slot);
          notify();
        }
      } catch (error) {
        producerError = error;
      } finally {
        producing = false;
        notify();
      }
    })();

    try {
      for (;;) {
        const slot = queue.shift();
        if (slot === undefined) {
          if (!producing) break;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        yield* this.#results(slot);
        active--;
        const freed = slotFreed;
        slotFreed = undefined;
        freed?.();
      }
      await producer;
      if (producerError !== undefined) throw producerError;
      const failedJobs = this.#summaries.filter((s) => s.state !== 'JobComplete');
      if (failedJobs.length > 0) {
        const first = failedJobs[0] as IngestJobSummary;
        throw new BulkJobError({
          message: `Bulk ${this.#target.operation} of ${this.#target.object}: job${failedJobs.length > 1 ? 's' : ''} ${failedJobs.map((j) => `${j.id} ${j.state}${j.errorMessage ? ` (${j.errorMessage})` : ''}`).join(', ')}; their results were read (${first.unprocessed} unprocessed rows in ${first.id}) and the jobs are kept on the org`,
          jobId: first.id, state: first.state,
        });
      }
      this.#finished = true;
    } finally {
      if (producing) {
        // The consumer stopped early or failed: no new job is started; the one being uploaded finishes.
        stopped = true;
        const freed = slotFreed;
        slotFreed = undefined;
        freed?.();
        await producer.catch(() => undefined);
      }
      await this.#abortUnfinished(queue);
      await rm(spoolDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async #abortUnfinished(slots: readonly JobSlot[]): Promise<void> {
    if (!this.#options.signal?.aborted) return;
    await Promise.all(slots.map(async (slot) => {
      try {
        const info = await this.#jobs.info('ingest', slot.ref.id);
        if (info.state === 'Open' || info.state === 'UploadComplete' || info.state === 'InProgress') await this.#jobs.setState('ingest', slot.ref.id, 'Aborted');
      } catch {
        // Reported by the abort error; the job id is in `jobs`.
      }
    }));
  }

  #report(ref: BulkJobRef): void {
    this.#refs.push(ref);
    this.#options.onJob?.(ref);
  }

  async #createJob(part: Part, replaces?: string): Promise<BulkJobRef> {
    const t = this.#target;
    const info = await this.#jobs.createIngestJob({
      object: t.object, operation: t.operation, externalIdFieldName: t.externalIdFieldName,
      lineEnding: this.#options.lineEnding ?? 'LF', columnDelimiter: this.#options.columnDelimiter ?? 'COMMA', assignmentRuleId: this.#options.assignmentRuleId,
    }, this.#options.signal);
    const ref: BulkJobRef = replaces === undefined
      ? { id: info.id, object: t.object, operation: t.operation, part: part.index }
      : { id: info.id, object: t.object, operation: t.operation, part: part.index, replaces };
    this.#report(ref);
    return ref;
  }

  /** Creates a job, streams the part into it (re-sending whole when the upload breaks), closes it, starts waiting. */
  async #runPart(feed: RowFeed, part: Part, limit: number, delimiter: string, eol: string, spoolDir: string): Promise<JobSlot> {
    const signal = this.#options.signal;
    let ref = await this.#createJob(part);
    const spoolPath = join(spoolDir, `part-${part.index}.csv`);
    const spool = createWriteStream(spoolPath);
    const chunks = partChunks(feed, part, limit, delimiter, eol, spool);
    let failure: unknown;
    try {
      await this.#jobs.upload(ref.id, Readable.from(chunks, { objectMode: false }), signal);
    } catch (error) {
      failure = error;
    }
    // Whatever happened, the part is produced to its end (the spool then holds all of it).
    if (part.inputError === undefined) {
      try {
        for await (const _ of chunks) {
          // drained into the spool
        }
      } catch {
        // recorded in part.inputError
      }
    }
    await endSpool(spool);
    part.spool = spoolPath;
    if (part.inputError !== undefined) {
      await this.#abortQuietly(ref.id);
      throw part.inputError;
    }
    if (failure !== undefined) {
      if (signal?.aborted || !isTransient(failure)) {
        await this.#abortQuietly(ref.id);
        throw new BulkJobError({ message: `Bulk job ${ref.id}: the upload failed: ${(failure as Error).message}; the job was aborted (not deleted)`, jobId: ref.id, cause: failure });
      }
      // Re-send the whole part from its start: into the same job, else into a fresh one.
      let sent = false;
      for (let attempt = 0; attempt < 3 && !sent; attempt++) {
        try {
          await this.#jobs.upload(ref.id, createReadStream(spoolPath), signal);
          sent = true;
        } catch (error) {
          if (signal?.aborted) throw error;
          const old = ref.id;
          await this.#abortQuietly(old);
          if (attempt === 2) {
            throw new BulkJobError({ message: `Bulk job ${old}: the upload of part ${part.index} broke and could not be re-sent (${(error as Error).message}); jobs ${this.#refs.filter((r) => r.part === part.index).map((r) => r.id).join(', ')} were aborted (not deleted)`, jobId: old, cause: error });
          }
          ref = await this.#createJob(part, old);
        }
      }
    }
    await rm(spoolPath, { force: true });
    part.spool = undefined;
    await this.#jobs.setState('ingest', ref.id, 'UploadComplete', signal);
    const finished = this.#jobs.wait('ingest', ref.id, {
      ...this.#pollOptions(),
    }) as Promise<IngestJobInfo>;
    finished.catch(() => undefined);
    return { ref, part, finished };
  }

  #pollOptions(): PollOptions {
    const o = this.#options;
    const poll: PollOptions = {};
    if (o.initialIntervalMs !== undefined) poll.initialIntervalMs = o.initialIntervalMs;
    if (o.maxIntervalMs !== undefined) poll.maxIntervalMs = o.maxIntervalMs;
    if (o.timeoutMs !== undefined) poll.timeoutMs = o.timeoutMs;
    if (o.maxPollFailures !== undefined) poll.maxPollFailures = o.maxPollFailures;
    if (o.signal !== undefined) poll.signal = o.signal;
    if (o.onPoll !== undefined) poll.onPoll = o.onPoll as (info: unknown) => void;
    return poll;
  }

  async #abortQuietly(jobId: string): Promise<void> {
    try {
      await this.#jobs.setState('ingest', jobId, 'Aborted');
    } catch {
      // The job may not be abortable any more; it is named in the error.
    }
  }

  async *#results(slot: JobSlot): AsyncGenerator<IngestResult<In>> {
    let info: IngestJobInfo;
    try {
      info = await slot.finished;
    } catch (error) {
      if (this.#options.signal?.aborted) {
        await this.#abortQuietly(slot.ref.id);
        throw new AbortedError({ message: `bulk ingest aborted; job ${slot.ref.id} was aborted (not deleted)`, cause: error });
      }
      throw error;
    }
    const reader = new JobResults<In>(this.#jobs, slot.ref.id, this.#target.descriptor, this.#options.signal, this.#options.onRawResults);
    yield* reader.all();
    const counts = reader.counts;
    const summary: IngestJobSummary = {
      id: slot.ref.id, object: this.#target.object, operation: this.#target.operation, state: info.state, rows: slot.part.rows,
      succeeded: counts.succeeded, failed: counts.failed, unprocessed: counts.unprocessed,
      ...(info.errorMessage !== undefined && { errorMessage: info.errorMessage }),
    };
    this.#summaries.push(summary);
    reconcile(summary, info);
  }
}

/** Checks a job's counts: successful + failed + unprocessed = rows uploaded, and the job info agrees. */
export function reconcile(summary: IngestJobSummary, info: IngestJobInfo): void {
  const total = summary.succeeded + summary.failed + summary.unprocessed;
  if (summary.rows !== undefined && total !== summary.rows) {
    throw new BulkReconcileError({
      message: `Bulk job ${summary.id}: ${summary.rows} rows were uploaded but the results account for ${total} (${summary.succeeded} successful, ${summary.failed} failed, ${summary.unprocessed} unprocessed)`,
      jobId: summary.id, expected: summary.rows, actual: total,
    });
  }
  const processed = info.numberRecordsProcessed;
  if (typeof processed === 'number' && info.state === 'JobComplete' && processed !== summary.succeeded + summary.failed) {
    throw new BulkReconcileError({
      message: `Bulk job ${summary.id}: the job processed ${processed} rows but its result files hold ${summary.succeeded + summary.failed}`,
      jobId: summary.id, expected: processed, actual: summary.succeeded + summary.failed,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Results

/** Which result file. */
export type ResultKind = 'successful' | 'failed' | 'unprocessed';

const RESULT_PATHS: Readonly<Record<ResultKind, string>> = { successful: 'successfulResults', failed: 'failedResults', unprocessed: 'unprocessedrecords' };

/** The result files of one ingest job, typed and streamed. */
export class JobResults<In> {
  readonly counts = { succeeded: 0, failed: 0, unprocessed: 0 };
  readonly #jobs: BulkJobs;
  readonly #jobId: string;
  readonly #descriptor: SObjectDescriptor | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onRaw: IngestOptions['onRawResults'];

  constructor(jobs: BulkJobs, jobId: string, descriptor: SObjectDescriptor | undefined, signal?: AbortSignal, onRaw?: IngestOptions['onRawResults']) {
    this.#jobs = jobs;
    this.#jobId = jobId;
    this.#descriptor = descriptor;
    this.#signal = signal;
    this.#onRaw = onRaw;
  }

  /** Raw row batches of one result file (header included in each batch). */
  raw(kind: ResultKind): AsyncGenerator<{ header: readonly string[]; rows: string[][] }> {
    const path = this.#jobs.path('ingest', `/${this.#jobId}/${RESULT_PATHS[kind]}/`);
    return csvDownload(() => this.#jobs.download(path, `bulk.ingest.${kind}`, this.#signal), { jobId: this.#jobId, path, signal: this.#signal });
  }

  /** Every row's result: successful, then failed, then unprocessed. */
  async *all(): AsyncGenerator<IngestResult<In>> {
    const jobId = this.#jobId;
    const onRaw = this.#onRaw;
    for await (const { header, rows } of this.raw('successful')) {
      onRaw?.({ kind: 'successful', jobId, header, rows });
      const input = this.#inputReader(header, 2);
      for (const row of rows) {
        this.counts.succeeded++;
        yield { status: 'succeeded', jobId, id: row[0] ?? '', created: row[1] === 'true', input: input(row) };
      }
    }
    for await (const { header, rows } of this.raw('failed')) {
      onRaw?.({ kind: 'failed', jobId, header, rows });
      const input = this.#inputReader(header, 2);
      for (const row of rows) {
        this.counts.failed++;
        const id = row[0] ?? '';
        yield { status: 'failed', jobId, id: id === '' ? null : id, error: parseRowError(row[1] ?? ''), input: input(row) };
      }
    }
    for await (const { header, rows } of this.raw('unprocessed')) {
      onRaw?.({ kind: 'unprocessed', jobId, header, rows });
      const input = this.#inputReader(header, 0);
      for (const row of rows) {
        this.counts.unprocessed++;
        yield { status: 'unprocessed', jobId, input: input(row) };
      }
    }
  }

  #inputReader(header: readonly string[], from: number): (row: string[]) => In {
    const fields = this.#descriptor?.fields;
    const columns = header.slice(from);
    const types = columns.map((c) => (fields === undefined ? undefined : (fields[c] as FieldDescriptor | undefined)?.type));
    return (row) => {
      const out: Record<string, unknown> = {};
      for (let k = 0; k < columns.length; k++) {
        const value = inputFromCsv(types[k], row[from + k] ?? '');
        if (value !== undefined) out[columns[k] as string] = value;
      }
      return out as In;
    };
  }
}

export { fromCsvConverter };
export type { SalesforceError };
