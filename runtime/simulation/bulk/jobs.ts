/**
 * Bulk API 2.0 jobs as the simulator keeps them, and their JSON as Salesforce writes it (key
 * order of a real org's job info; `apiVersion` a JSON number written `60.0`; `contentUrl` without
 * a leading slash; datetimes `2024-05-06T09:15:27.000+0000`).
 */
import type { FlatRows } from '../query/index.js';
import { toSfDateTime } from '../time.js';
import type { ColumnDelimiter, LineEnding } from './csv.js';
import type { IngestOperation } from './ingest.js';

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** Row outcomes of an ingest job, one byte per uploaded data row. */
export const UNPROCESSED = 0;
export const CREATED = 1;
export const UPDATED = 2;
export const FAILED = 3;

interface JobBase {
  readonly id: string;
  readonly object: string;
  readonly createdById: string;
  readonly createdDate: number;
  systemModstamp: number;
  state: JobState;
  /** `60.0`: the API version the job was created with. */
  readonly apiVersion: string;
  readonly lineEnding: LineEnding;
  readonly columnDelimiter: ColumnDelimiter;
  errorMessage: string | undefined;
  /** ms spent processing so far. */
  totalProcessingTime: number;
  numberRecordsProcessed: number;
}

/** A spooled upload: the CSV on disk, never held in memory. */
export interface Upload {
  readonly file: string;
  readonly bytes: number;
  /** Line-ending mismatch found while the bytes streamed in (`LF` or `CRLF`: what the data used). */
  readonly lineEndingMismatch: 'LF' | 'CRLF' | undefined;
  readonly unterminatedQuote: boolean;
}

export interface IngestJob extends JobBase {
  readonly kind: 'ingest';
  readonly operation: IngestOperation;
  readonly externalIdFieldName: string | undefined;
  readonly assignmentRuleId: string | undefined;
  upload: Upload | undefined;
  /** An upload is streaming in now. */
  uploading: boolean;
  numberRecordsFailed: number;
  /** Data rows read from the upload so far (processed or not). */
  rows: number;
  /** Outcome per data row ({@link UNPROCESSED}, {@link CREATED}, {@link UPDATED}, {@link FAILED}). */
  outcomes: Uint8Array;
  /** Record id per data row (the stored record's own id string; '' when none). */
  ids: string[];
  /** `sf__Error` per failed data row. */
  errors: Map<number, string>;
  /** Injected failure: fail after this many rows with this message. */
  failAt: { rows: number; message: string } | undefined;
}

export interface QueryJob extends JobBase {
  readonly kind: 'query';
  readonly operation: 'query' | 'queryAll';
  readonly query: string;
  /** Column headers (`Id`, `Owner.Name`), in query order. */
  readonly header: readonly string[];
  /** Field types per column (datetimes are written with `Z`). */
  readonly types: readonly string[];
  rows: FlatRows | undefined;
  failAt: { rows: number; message: string } | undefined;
}

export type Job = IngestJob | QueryJob;

function json(fields: [string, unknown][], apiVersion: string): string {
  const parts: string[] = [];
  for (const [k, v] of fields) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${k === 'apiVersion' ? apiVersion : JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** `contentUrl` of an ingest job: `services/data/v60.0/jobs/ingest/<id>/batches`. */
export function contentUrl(job: IngestJob): string {
  return `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
}

/** The body of a create-job response (no counters, no jobType). */
export function createdJson(job: Job): string {
  const base: [string, unknown][] = [
    ['id', job.id],
    ['operation', job.operation],
    ['object', job.object],
    ['createdById', job.createdById],
    ['createdDate', toSfDateTime(new Date(job.createdDate))],
    ['systemModstamp', toSfDateTime(new Date(job.systemModstamp))],
    ['state', job.state],
  ];
  if (job.kind === 'ingest') {
    base.push(['externalIdFieldName', job.externalIdFieldName], ['assignmentRuleId', job.assignmentRuleId]);
  }
  base.push(['concurrencyMode', 'Parallel'], ['contentType', 'CSV'], ['apiVersion', 0]);
  if (job.kind === 'ingest') base.push(['contentUrl', contentUrl(job)]);
  base.push(['lineEnding', job.lineEnding], ['columnDelimiter', job.columnDelimiter]);
  return json(base, job.apiVersion);
}

/** The body of `GET /jobs/ingest/{id}` or `GET /jobs/query/{id}`. */
export function infoJson(job: Job): string {
  const fields: [string, unknown][] = [
    ['id', job.id],
    ['operation', job.operation],
    ['object', job.object],
    ['createdById', job.createdById],
    ['createdDate', toSfDateTime(new Date(job.createdDate))],
    ['systemModstamp', toSfDateTime(new Date(job.systemModstamp))],
    ['state', job.state],
  ];
  if (job.kind === 'ingest') {
    fields.push(['externalIdFieldName', job.externalIdFieldName], ['assignmentRuleId', job.assignmentRuleId]);
  }
  fields.push(['concurrencyMode', 'Parallel'], ['contentType', 'CSV'], ['apiVersion', 0]);
  if (job.kind === 'ingest' && job.state === 'Open') fields.push(['contentUrl', contentUrl(job)]);
  fields.push(
    ['jobType', job.kind === 'ingest' ? 'V2Ingest' : 'V2Query'],
    ['lineEnding', job.lineEnding],
    ['columnDelimiter', job.columnDelimiter],
    ['numberRecordsProcessed', job.numberRecordsProcessed],
  );
  if (job.kind === 'ingest') fields.push(['numberRecordsFailed', job.numberRecordsFailed]);
  fields.push(['retries', 0], ['totalProcessingTime', Math.round(job.totalProcessingTime)]);
  if (job.kind === 'ingest') {
    fields.push(['apiActiveProcessingTime', Math.round(job.totalProcessingTime)], ['apexProcessingTime', 0]);
  } else {
    fields.push(['isPkChunkingSupported', true]);
  }
  fields.push(['errorMessage', job.errorMessage]);
  return json(fields, job.apiVersion);
}

/** One entry of a job listing (`GET /jobs/ingest`, `GET /jobs/query`). */
export function listEntryJson(job: Job): string {
  return json(
    [
      ['id', job.id],
      ['operation', job.operation],
      ['object', job.object],
      ['createdById', job.createdById],
      ['createdDate', toSfDateTime(new Date(job.createdDate))],
      ['systemModstamp', toSfDateTime(new Date(job.systemModstamp))],
      ['state', job.state],
      ['externalIdFieldName', job.kind === 'ingest' ? job.externalIdFieldName : undefined],
      ['concurrencyMode', 'Parallel'],
      ['contentType', 'CSV'],
      ['apiVersion', 0],
      ['jobType', job.kind === 'ingest' ? 'V2Ingest' : 'V2Query'],
      ['lineEnding', job.lineEnding],
      ['columnDelimiter', job.columnDelimiter],
    ],
    job.apiVersion,
  );
}
