/**
 * Bulk API 2.0 jobs over the client's stack: create, upload, close, abort, job info, polling with
 * backoff, and the result downloads (streamed). Every request goes through the client's composed
 * dispatch (auth, retry, circuit breaker, limits, record/replay); only `runtime/transport` touches
 * undici.
 */
import type { Readable } from 'node:stream';
import { AbortedError, CircuitOpenError, NetworkError, ProtocolError, SalesforceError, ServerError, safePath, type SalesforceErrorOptions } from '../../errors.js';
import { sleep } from '../../resilience/sleep.js';
import { apiPath, callJson, isObject, type RestContext } from '../rest.js';
import type { ColumnDelimiter } from './csv.js';

/** Ingest operations of Bulk API 2.0. */
export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
/** Job states of Bulk API 2.0. */
export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
/** `lineEnding` of a job. */
export type LineEnding = 'LF' | 'CRLF';

/** Job info as Salesforce returns it (`GET .../jobs/ingest/{id}`); unknown keys are kept. */
export interface IngestJobInfo {
  readonly id: string;
  readonly operation: IngestOperation;
  readonly object: string;
  readonly state: JobState;
  readonly externalIdFieldName?: string;
  readonly contentType?: string;
  readonly apiVersion?: number | string;
  readonly contentUrl?: string;
  readonly lineEnding?: LineEnding;
  readonly columnDelimiter?: ColumnDelimiter;
  readonly createdDate?: string;
  readonly systemModstamp?: string;
  readonly numberRecordsProcessed?: number;
  readonly numberRecordsFailed?: number;
  readonly retries?: number;
  readonly totalProcessingTime?: number;
  readonly errorMessage?: string;
  readonly [key: string]: unknown;
}

/** Query job info (`GET .../jobs/query/{id}`); unknown keys are kept. */
export interface QueryJobInfo {
  readonly id: string;
  readonly operation: 'query' | 'queryAll';
  readonly object: string;
  readonly state: JobState;
  readonly numberRecordsProcessed?: number;
  readonly errorMessage?: string;
  readonly lineEnding?: LineEnding;
  readonly columnDelimiter?: ColumnDelimiter;
  readonly [key: string]: unknown;
}

/** Which kind of job an id belongs to. */
export type JobKind = 'ingest' | 'query';

/**
 * A Bulk job ended in a state other than `JobComplete` (Failed or Aborted), or could not be
 * completed. Names the job; the job and its results are left on the org.
 */
export class BulkJobError extends SalesforceError {
  override readonly code = 'SF_ERROR' as const;
  readonly jobId: string;
  readonly state: JobState | undefined;
  constructor(options: SalesforceErrorOptions & { jobId: string; state?: JobState | undefined }) {
    super(options);
    this.jobId = options.jobId;
    this.state = options.state;
  }
}

/** The optional overall deadline of a wait passed before the job finished (the job keeps running). */
export class BulkTimeoutError extends BulkJobError {}

/**
 * The counts do not add up: successful + failed + unprocessed rows differ from the rows uploaded
 * (or a query returned fewer rows than it announced). Never silently short.
 */
export class BulkReconcileError extends BulkJobError {
  readonly expected: number;
  readonly actual: number;
  constructor(options: SalesforceErrorOptions & { jobId: string; expected: number; actual: number }) {
    super(options);
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

const JOB_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function assertJobId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !JOB_ID.test(id)) {
    throw new BulkJobError({ message: `${JSON.stringify(id)} is not a Bulk job id (15 or 18 letters and digits)`, jobId: String(id) });
  }
}

/** Polling: how long to wait between job-info requests. */
export interface PollOptions {
  /** First wait, ms. Default 500. */
  initialIntervalMs?: number;
  /** Longest wait between polls, ms. Default 10,000. */
  maxIntervalMs?: number;
  /** Optional overall deadline (ms from the start of the wait); none by default: the job's state decides. */
  timeoutMs?: number;
  /** Consecutive failed polls (network errors, 5xx after the client's own retries) tolerated. Default 20. */
  maxPollFailures?: number;
  signal?: AbortSignal;
  /** Called with every job info read. */
  onPoll?: (info: IngestJobInfo | QueryJobInfo) => void;
}

export const DEFAULT_POLL = Object.freeze({ initialIntervalMs: 500, maxIntervalMs: 10_000, maxPollFailures: 20 });

const TERMINAL: ReadonlySet<JobState> = new Set(['JobComplete', 'Failed', 'Aborted']);

export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

/** Whether an error is worth another poll: network trouble, 5xx answers, an open circuit. */
export function isTransient(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof ServerError || error instanceof CircuitOpenError;
}

function checkInfo<T extends { id: string; state: JobState }>(data: unknown, method: string, path: string): T {
  if (!isObject(data) || typeof data.id !== 'string' || typeof data.state !== 'string') {
    throw new ProtocolError({ message: 'expected Bulk job info {id, state, ...}', request: { method, path: safePath(path) } });
  }
  return data as unknown as T;
}

/** Low-level Bulk API 2.0 calls. */
export class BulkJobs {
  readonly context: RestContext;
  constructor(context: RestContext) {
    this.context = context;
  }

  path(kind: JobKind, rest = ''): string {
    return `jobs/${kind}${rest}`;
  }

  /**
   * Creates an ingest job. Sent as safe to repeat: a job without data does nothing, and a create
   * answered by 5xx or a concurrency `REQUEST_LIMIT_EXCEEDED` created no job.
   */
  async createIngestJob(body: {
    object: string; operation: IngestOperation; externalIdFieldName?: string | undefined; lineEnding: LineEnding; columnDelimiter: ColumnDelimiter; assignmentRuleId?: string | undefined;
  }, signal?: AbortSignal): Promise<IngestJobInfo> {
    const payload: Record<string, unknown> = { object: body.object, operation: body.operation, contentType: 'CSV', lineEnding: body.lineEnding, columnDelimiter: body.columnDelimiter };
    if (body.externalIdFieldName !== undefined) payload.externalIdFieldName = body.externalIdFieldName;
    if (body.assignmentRuleId !== undefined) payload.assignmentRuleId = body.assignmentRuleId;
    const path = this.path('ingest');
    const { data } = await callJson(this.context, { method: 'POST', path, body: payload, idempotent: true, operation: 'bulk.ingest.create', sobject: body.object, signal });
    return checkInfo<IngestJobInfo>(data, 'POST', apiPath(this.context, path));
  }

  /** Creates a query job. */
  async createQueryJob(soql: string, operation: 'query' | 'queryAll', signal?: AbortSignal): Promise<QueryJobInfo> {
    const path = this.path('query');
    const { data } = await callJson(this.context, {
      method: 'POST', path, body: { operation, query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' },
      idempotent: true, operation: 'bulk.query.create', signal,
    });
    return checkInfo<QueryJobInfo>(data, 'POST', apiPath(this.context, path));
  }

  /** Uploads the job's CSV (one PUT per job). A streamed body is never re-sent by the client's retry layer. */
  async upload(jobId: string, body: Readable | string | Buffer, signal?: AbortSignal): Promise<void> {
    await this.context.dispatch({
      method: 'PUT',
      url: apiPath(this.context, this.path('ingest', `/${jobId}/batches`)),
      headers: { 'content-type': 'text/csv', accept: 'application/json' },
      body,
      idempotent: false,
      operation: 'bulk.ingest.upload',
      signal,
    });
  }

  /** Sets a job's state: `UploadComplete` (close) or `Aborted`. Safe to repeat. */
  async setState(kind: JobKind, jobId: string, state: 'UploadComplete' | 'Aborted', signal?: AbortSignal): Promise<IngestJobInfo> {
    const path = this.path(kind, `/${jobId}`);
    const { data } = await callJson(this.context, { method: 'PATCH', path, body: { state }, idempotent: true, operation: `bulk.${kind}.${state === 'Aborted' ? 'abort' : 'close'}`, signal });
    return checkInfo<IngestJobInfo>(data, 'PATCH', apiPath(this.context, path));
  }

  async info(kind: 'ingest', jobId: string, signal?: AbortSignal): Promise<IngestJobInfo>;
  async info(kind: 'query', jobId: string, signal?: AbortSignal): Promise<QueryJobInfo>;
  async info(kind: JobKind, jobId: string, signal?: AbortSignal): Promise<IngestJobInfo | QueryJobInfo> {
    const path = this.path(kind, `/${jobId}`);
    const { data } = await callJson(this.context, { method: 'GET', path, idempotent: true, operation: `bulk.${kind}.info`, signal });
    return checkInfo<IngestJobInfo>(data, 'GET', apiPath(this.context, path));
  }

  /**
   * Polls until the job reaches JobComplete, Failed or Aborted, with backoff (x1.5 per poll up to
   * `maxIntervalMs`). No fixed timeout unless `timeoutMs` is given. 5xx and network failures are
   * polled through (up to `maxPollFailures` in a row); the signal cancels the wait (not the job).
   */
  async wait(kind: JobKind, jobId: string, options: PollOptions = {}): Promise<IngestJobInfo | QueryJobInfo> {
    const initial = options.initialIntervalMs ?? DEFAULT_POLL.initialIntervalMs;
    const max = options.maxIntervalMs ?? DEFAULT_POLL.maxIntervalMs;
    const maxFailures = options.maxPollFailures ?? DEFAULT_POLL.maxPollFailures;
    const started = Date.now();
    let interval = initial;
    let failures = 0;
    const request = { method: 'GET', path: apiPath(this.context, this.path(kind, `/${jobId}`)) };
    for (;;) {
      let info: IngestJobInfo | QueryJobInfo | undefined;
      try {
        info = kind === 'ingest' ? await this.info('ingest', jobId, options.signal) : await this.info('query', jobId, options.signal);
        failures = 0;
      } catch (error) {
        if (error instanceof AbortedError || !isTransient(error)) throw error;
        if (error instanceof CircuitOpenError) {
          // The client's breaker is open for this instance: wait until it lets a probe through.
          await sleep(Math.max(interval, error.retryAt - Date.now()), options.signal, request);
          continue;
        }
        failures++;
        if (failures >= maxFailures) {
          throw new BulkJobError({ message: `Bulk ${kind} job ${jobId}: ${failures} polls in a row failed; the job is left as it is (re-attach with its id): ${(error as Error).message}`, jobId, request, cause: error });
        }
      }
      if (info !== undefined) {
        options.onPoll?.(info);
        if (isTerminal(info.state)) return info;
      }
      if (options.timeoutMs !== undefined && Date.now() - started + interval > options.timeoutMs) {
        throw new BulkTimeoutError({ message: `Bulk ${kind} job ${jobId} did not finish within ${options.timeoutMs} ms (state ${info?.state ?? 'unknown'}); it keeps running: re-attach with its id`, jobId, state: info?.state, request });
      }
      await sleep(interval, options.signal, request);
      interval = Math.min(max, Math.round(interval * 1.5));
    }
  }

  /** Opens a result download as a stream (errors are thrown typed, with their body read). */
  async download(path: string, operation: string, signal?: AbortSignal): Promise<{ stream: Readable; headers: Readonly<Record<string, string>> }> {
    const response = await this.context.dispatch({
      method: 'GET', url: apiPath(this.context, path), headers: { accept: 'text/csv' }, idempotent: true, responseType: 'stream', operation, signal,
    });
    if (response.stream === undefined) {
      const { Readable } = await import('node:stream');
      return { stream: Readable.from([response.body]), headers: response.headers };
    }
    return { stream: response.stream, headers: response.headers };
  }
}
