/**
 * sObject Collections: create, update, upsert, delete and retrieve many records, chunked
 * automatically to 200 per request, with one outcome per input record in input order.
 *
 * Every input record is accounted for, whatever happens to the requests:
 * - `succeeded`: Salesforce answered success for it (with its id; upserts say whether they created);
 * - `failed`: Salesforce answered an error for it, or rejected its whole request (nothing applied);
 * - `unknown`: its request may have reached Salesforce and the answer was lost (a broken connection
 *   after sending, a timeout, a gateway page, an unreadable 200): the write may or may not exist;
 * - `not-attempted`: its request was never sent (an earlier chunk failed under `allOrNone`, the call
 *   was aborted, the credentials were rejected, the circuit is open).
 *
 * Chunks are independent requests (Salesforce has no transaction across them). With
 * `allOrNone: false` (the default) every chunk is sent even when one fails; with `allOrNone: true`
 * the first failing chunk stops the call. The call resolves with the outcomes when every request
 * was answered and, under `allOrNone`, every record succeeded; otherwise it throws a
 * {@link MultiRecordError} whose `outcomes` are the same per-record outcomes, so completed work
 * is never lost to the caller. Creates are never resent once they may have reached Salesforce.
 *
 * This module takes the record serializer from its caller (`sobjects.ts`), so that it imports
 * nothing from the typed record operations built on it.
 */
import {
  AbortedError, AuthError, CircuitOpenError, ConfigError, MultiRecordError, ProtocolError, SalesforceError, UsageError,
  mayHaveBeenApplied, safePath, type AttemptInfo,
} from '../errors.js';
import type { HttpMethod } from '../transport/types.js';
import { apiPath, assertApiName, assertId, callJson, isObject, type RestContext } from './rest.js';

/** Records Salesforce accepts in one sObject Collections request. */
export const COLLECTION_LIMIT = 200;

/** One error of a collection item (`statusCode`, not `errorCode`, as Salesforce sends it). */
export interface CollectionItemError {
  readonly statusCode: string;
  readonly message: string;
  readonly fields: readonly string[];
}

/** What every outcome has: the record's position in the input. */
interface OutcomeBase {
  /** Position of the record in the input array. */
  readonly index: number;
}

/** Salesforce answered success for this record. */
export interface RecordSucceeded extends OutcomeBase {
  readonly outcome: 'succeeded';
  readonly success: true;
  /** The record id. */
  readonly id: string;
  readonly errors: readonly [];
  /**
   * Upsert only: `true` created, `false` updated. `undefined` when an earlier attempt of its request
   * may have been applied (its answer was lost), so the last answer cannot tell who created it.
   */
  readonly created?: boolean | undefined;
}

/** Salesforce answered an error for this record, or rejected its whole request: nothing was written for it. */
export interface RecordFailed extends OutcomeBase {
  readonly outcome: 'failed';
  readonly success: false;
  /** The record id when Salesforce named one (updates, deletes), else null. */
  readonly id: string | null;
  /** Salesforce's errors for the record (`ALL_OR_NONE_OPERATION_ROLLED_BACK` for records rolled back with others). */
  readonly errors: readonly CollectionItemError[];
  readonly created?: undefined;
  /** The request-level error, when the whole request was rejected. */
  readonly cause?: SalesforceError | undefined;
}

/** The record's request may have reached Salesforce and its answer was lost: the write may or may not have happened. */
export interface RecordOutcomeUnknown extends OutcomeBase {
  readonly outcome: 'unknown';
  readonly success: false;
  readonly id: null;
  /** One `OUTCOME_UNKNOWN` item saying why. */
  readonly errors: readonly CollectionItemError[];
  readonly created?: undefined;
  /** What happened to the request (a `NetworkError`, `TimeoutError`, `ServerError`, ...). */
  readonly cause: SalesforceError;
}

/** The record's request was never sent. */
export interface RecordNotAttempted extends OutcomeBase {
  readonly outcome: 'not-attempted';
  readonly success: false;
  readonly id: null;
  /** One `NOT_ATTEMPTED` item saying why. */
  readonly errors: readonly CollectionItemError[];
  readonly created?: undefined;
  /** The error that stopped the call, when one did. */
  readonly cause?: SalesforceError | undefined;
}

/**
 * The outcome of one input record of a multi-record write; discriminate on `outcome`. Every
 * outcome also has `id`, `success` and `errors`, shaped like Salesforce's save results.
 *
 * @example
 * ```ts
 * for (const r of outcomes) {
 *   if (r.outcome === 'succeeded') ids[r.index] = r.id;
 *   else if (r.outcome === 'unknown') console.warn(`record ${r.index}: ${r.cause.message}`); // check before resending
 * }
 * ```
 */
export type RecordOutcome = RecordSucceeded | RecordFailed | RecordOutcomeUnknown | RecordNotAttempted;

/** One result per input record, in input order (the former name of {@link RecordOutcome}). */
export type CollectionResult = RecordOutcome;

/** The outcome of one id of `retrieveMany`. */
export type RetrieveOutcome<R = Record<string, unknown>> =
  | (OutcomeBase & { readonly outcome: 'succeeded'; readonly id: string; /** The record, or null when no record has this id. */ readonly record: R | null })
  | (OutcomeBase & { readonly outcome: 'failed'; readonly id: string; readonly cause: SalesforceError })
  | (OutcomeBase & { readonly outcome: 'not-attempted'; readonly id: string; readonly cause?: SalesforceError | undefined });

export interface CollectionOptions {
  /** Roll back the whole request (chunk of 200) when one record fails, and stop the call there. Default false. */
  allOrNone?: boolean;
  /** Split into requests of 200 (default true). With false, more than 200 records is a `UsageError`. */
  chunk?: boolean;
  signal?: AbortSignal;
  /** The deadline of each request (ms); the client's `deadlineMs` when unset. */
  deadlineMs?: number;
}

/** Turns a record into its JSON payload (fields serialized by type, `attributes` dropped). */
export type RecordSerializer = (record: object) => Record<string, unknown>;

/**
 * The per-record outcomes of a failed multi-record write: `err.outcomes` when `err` is the
 * {@link MultiRecordError} of `createMany`, `updateMany`, `upsertMany` or `deleteMany`, else
 * undefined (so anything else can be rethrown).
 *
 * @example
 * ```ts
 * const outcomes = await accounts.createMany(rows).catch((err: unknown) => {
 *   const outcomes = recordOutcomes(err);
 *   if (outcomes === undefined) throw err;
 *   return outcomes;
 * });
 * ```
 */
export function recordOutcomes(err: unknown): readonly RecordOutcome[] | undefined {
  if (!(err instanceof MultiRecordError)) return undefined;
  const outcomes = err.outcomes as readonly unknown[];
  return outcomes.every((o) => isObject(o) && typeof o.success === 'boolean' && typeof o.outcome === 'string') ? (outcomes as readonly RecordOutcome[]) : undefined;
}

function chunkRanges(count: number, options: CollectionOptions, what: string): [start: number, end: number][] {
  if (options.chunk === false && count > COLLECTION_LIMIT) {
    throw new UsageError({
      message: `${what}: ${count} records in one request; sObject Collections accept at most ${COLLECTION_LIMIT} (records [${COLLECTION_LIMIT}..${count - 1}] are over the limit; leave chunk on to split automatically)`,
    });
  }
  const out: [number, number][] = [];
  for (let i = 0; i < count; i += COLLECTION_LIMIT) out.push([i, Math.min(count, i + COLLECTION_LIMIT)]);
  return out;
}

function itemErrors(value: unknown): CollectionItemError[] {
  if (!Array.isArray(value)) return [];
  return value.map((e: unknown) => {
    const item = isObject(e) ? e : {};
    return {
      statusCode: typeof item.statusCode === 'string' ? item.statusCode : typeof item.errorCode === 'string' ? item.errorCode : 'UNKNOWN',
      message: typeof item.message === 'string' ? item.message : '',
      fields: Array.isArray(item.fields) ? item.fields.filter((f): f is string => typeof f === 'string') : [],
    };
  });
}

/** One record's outcome from its item of a 2xx answer. */
function outcomeOf(value: unknown, index: number, attempts: AttemptInfo | undefined, inputId: string | undefined): RecordOutcome {
  const item = isObject(value) ? value : {};
  const errors = itemErrors(item.errors);
  const id = typeof item.id === 'string' ? item.id : null;
  const earlier = attempts?.earlierAttemptMayHaveApplied === true;
  if (item.success === true && id !== null) {
    const succeeded: RecordSucceeded = { outcome: 'succeeded', index, success: true, id, errors: [] };
    if (typeof item.created === 'boolean') return { ...succeeded, created: earlier ? undefined : item.created };
    return succeeded;
  }
  // A delete whose earlier attempt may have been applied finds the record already deleted: done.
  if (earlier && inputId !== undefined && errors.length > 0 && errors.every((e) => e.statusCode === 'ENTITY_IS_DELETED')) {
    return { outcome: 'succeeded', index, success: true, id: id ?? inputId, errors: [] };
  }
  if (errors.length === 0) errors.push({ statusCode: 'UNKNOWN', message: 'Salesforce answered neither success nor an error for this record', fields: [] });
  return { outcome: 'failed', index, success: false, id, errors };
}

/** The outcomes of the records of a request that failed as a whole. */
function requestFailed(error: SalesforceError, start: number, end: number): RecordOutcome[] {
  const out: RecordOutcome[] = [];
  if (mayHaveBeenApplied(error)) {
    const errors = [{ statusCode: 'OUTCOME_UNKNOWN', message: `the request may have reached Salesforce and its answer was lost: ${error.message}`, fields: [] }];
    for (let i = start; i < end; i++) out.push({ outcome: 'unknown', index: i, success: false, id: null, errors, cause: error });
  } else {
    const items = error.errors.length > 0
      ? error.errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] }))
      : [{ statusCode: error.errorCode ?? error.code, message: error.message, fields: [] }];
    for (let i = start; i < end; i++) out.push({ outcome: 'failed', index: i, success: false, id: null, errors: items, cause: error });
  }
  return out;
}

function notAttempted(start: number, end: number, reason: string, cause: SalesforceError | undefined): RecordNotAttempted[] {
  const errors = [{ statusCode: 'NOT_ATTEMPTED', message: `not sent: ${reason}`, fields: [] }];
  const out: RecordNotAttempted[] = [];
  for (let i = start; i < end; i++) out.push({ outcome: 'not-attempted', index: i, success: false, id: null, errors, cause });
  return out;
}

/** Why later requests are not sent after this error, or undefined to carry on. */
function stopsTheCall(error: SalesforceError): string | undefined {
  if (error instanceof AbortedError) return 'the call was aborted';
  if (error instanceof AuthError) return `the credentials were rejected (${error.errorCode ?? error.code})`;
  if (error instanceof CircuitOpenError) return 'the circuit breaker is open';
  if (error instanceof ConfigError || error instanceof UsageError) return error.message;
  return undefined;
}

function asSalesforceError(error: unknown): SalesforceError {
  if (error instanceof SalesforceError) return error;
  // Not the runtime's (a bug below): keep it as the cause; whether the request was applied is unknown.
  return new ProtocolError({ message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`, cause: error });
}

/** `[0..4], [7], [200..399]` for a sorted list of indices. */
export function describeRanges(indices: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && (indices[j + 1] as number) === (indices[j] as number) + 1) j++;
    parts.push(i === j ? `[${indices[i]}]` : `[${indices[i]}..${indices[j]}]`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** One line per kind of outcome: counts, which records, and the first errors. */
function summarize(what: string, outcomes: readonly { outcome: string; index: number; errors?: readonly CollectionItemError[]; cause?: SalesforceError | undefined }[]): string {
  const by = new Map<string, number[]>();
  for (const o of outcomes) {
    let list = by.get(o.outcome);
    if (!list) by.set(o.outcome, (list = []));
    list.push(o.index);
  }
  const parts: string[] = [];
  for (const kind of ['succeeded', 'failed', 'unknown', 'not-attempted']) {
    const list = by.get(kind);
    if (!list) continue;
    let text = `${list.length} ${kind === 'unknown' ? 'outcome unknown' : kind.replace('-', ' ')} ${describeRanges(list)}`;
    if (kind === 'failed') {
      const examples = outcomes
        .filter((o) => o.outcome === 'failed' && !(o.errors?.[0]?.statusCode === 'ALL_OR_NONE_OPERATION_ROLLED_BACK'))
        .slice(0, 3)
        .map((o) => `[${o.index}] ${o.errors?.[0] ? `${o.errors[0].statusCode}: ${o.errors[0].message}` : o.cause?.message ?? ''}`);
      if (examples.length > 0) text += ` (${examples.join('; ')})`;
    }
    if (kind === 'unknown') {
      const cause = outcomes.find((o) => o.outcome === 'unknown')?.cause;
      text += ` (the request may have been applied, its answer was lost${cause ? `: ${cause.message}` : ''}; check before resending)`;
    }
    parts.push(text);
  }
  return `${what}: ${outcomes.length} records: ${parts.join(', ')}`;
}

interface ChunkRequest {
  method: HttpMethod;
  path: string;
  body?: unknown;
  idempotent: boolean;
}

async function run(
  context: RestContext,
  count: number,
  options: CollectionOptions,
  what: string,
  send: (start: number, end: number) => ChunkRequest,
  sobject: string | undefined,
  inputIds: readonly string[] | undefined,
): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  let stopped: { reason: string; cause: SalesforceError | undefined } | undefined;
  let firstError: SalesforceError | undefined;
  for (const [start, end] of chunkRanges(count, options, what)) {
    if (stopped === undefined && options.signal?.aborted) stopped = { reason: 'the call was aborted', cause: undefined };
    if (stopped !== undefined) {
      outcomes.push(...notAttempted(start, end, stopped.reason, stopped.cause));
      continue;
    }
    const call = send(start, end);
    let chunkOutcomes: RecordOutcome[];
    try {
      const { data, attempts } = await callJson(context, { ...call, operation: what, sobject, signal: options.signal, deadlineMs: options.deadlineMs });
      if (!Array.isArray(data) || data.length !== end - start) {
        // Salesforce processed the request (it answered 2xx) but the results cannot be matched to records.
        throw new ProtocolError({
          message: `${what}: expected ${end - start} results in input order, got ${Array.isArray(data) ? data.length : typeof data}`,
          status: 200, request: { method: call.method, path: safePath(apiPath(context, call.path)) },
        });
      }
      chunkOutcomes = data.map((item, i) => outcomeOf(item, start + i, attempts, inputIds?.[start + i]));
    } catch (caught) {
      const error = asSalesforceError(caught);
      firstError ??= error;
      chunkOutcomes = requestFailed(error, start, end);
      const reason = stopsTheCall(error);
      if (reason !== undefined) stopped = { reason, cause: error };
    }
    outcomes.push(...chunkOutcomes);
    if (options.allOrNone && stopped === undefined && chunkOutcomes.some((o) => o.outcome !== 'succeeded')) {
      stopped = { reason: `an earlier request (records [${start}..${end - 1}]) failed under allOrNone`, cause: firstError };
    }
  }
  const complete = outcomes.every((o) => o.outcome === 'succeeded' || o.outcome === 'failed');
  const rejected = options.allOrNone === true && outcomes.some((o) => o.outcome !== 'succeeded');
  if (complete && !rejected) return outcomes;
  const committed = options.allOrNone === true && outcomes.some((o) => o.outcome === 'succeeded')
    ? ' Records that succeeded were committed by their own request and are not rolled back.'
    : '';
  throw new MultiRecordError<RecordOutcome>({
    message: `${summarize(what, outcomes)}.${committed}`,
    status: firstError?.status,
    errorCode: firstError?.errorCode,
    request: firstError?.request,
    outcomes,
    cause: firstError,
  });
}

/** Creates many records. A request that may have reached Salesforce is never resent (its records are `unknown`). */
export async function collectionCreate(context: RestContext, sobject: string, serialize: RecordSerializer, records: readonly object[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
  assertApiName(sobject, 'createMany');
  const what = `createMany ${sobject}`;
  return run(context, records.length, options, what, (start, end) => ({
    method: 'POST', path: 'composite/sobjects',
    body: { allOrNone: options.allOrNone ?? false, records: records.slice(start, end).map((r) => ({ attributes: { type: sobject }, ...serialize(r) })) },
    // A create that may have been processed is never resent.
    idempotent: false,
  }), sobject, undefined);
}

export async function collectionUpdate(context: RestContext, sobject: string, serialize: RecordSerializer, records: readonly ({ Id: string } & object)[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
  assertApiName(sobject, 'updateMany');
  records.forEach((r, i) => assertId(r.Id, `updateMany ${sobject} record [${i}] Id`));
  return run(context, records.length, options, `updateMany ${sobject}`, (start, end) => ({
    method: 'PATCH', path: 'composite/sobjects',
    body: { allOrNone: options.allOrNone ?? false, records: records.slice(start, end).map((r) => ({ attributes: { type: sobject }, ...serialize(r) })) },
    idempotent: true,
  }), sobject, records.map((r) => r.Id));
}

export async function collectionUpsert(context: RestContext, sobject: string, serialize: RecordSerializer, externalIdField: string, records: readonly object[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
  assertApiName(sobject, 'upsertMany');
  assertApiName(externalIdField, 'upsertMany external id field');
  records.forEach((r, i) => {
    const value = (r as Record<string, unknown>)[externalIdField];
    if (value === undefined || value === null || value === '') {
      throw new UsageError({ message: `upsertMany ${sobject}: record [${i}] has no value for the external id ${externalIdField}` });
    }
  });
  return run(context, records.length, options, `upsertMany ${sobject}`, (start, end) => ({
    method: 'PATCH', path: `composite/sobjects/${sobject}/${externalIdField}`,
    body: { allOrNone: options.allOrNone ?? false, records: records.slice(start, end).map((r) => ({ attributes: { type: sobject }, ...serialize(r) })) },
    idempotent: true,
  }), sobject, undefined);
}

/** Deletes many records by id. An id found already deleted after a lost answer of an earlier attempt is a success. */
export async function collectionDelete(context: RestContext, ids: readonly string[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
  ids.forEach((id, i) => assertId(id, `deleteMany id [${i}]`));
  return run(context, ids.length, options, 'deleteMany', (start, end) => ({
    method: 'DELETE', path: `composite/sobjects?ids=${ids.slice(start, end).join(',')}&allOrNone=${options.allOrNone ?? false}`, idempotent: true,
  }), undefined, ids);
}

/**
 * Retrieves records by id (null for ids that were not found), in input order. Every chunk is read
 * even when one fails; then a {@link MultiRecordError} carries a {@link RetrieveOutcome} per id.
 */
export async function collectionRetrieve(context: RestContext, sobject: string, ids: readonly string[], fields: readonly string[], options: CollectionOptions = {}): Promise<(Record<string, unknown> | null)[]> {
  assertApiName(sobject, 'retrieveMany');
  ids.forEach((id, i) => assertId(id, `retrieveMany ${sobject} id [${i}]`));
  if (fields.length === 0) throw new UsageError({ message: `retrieveMany ${sobject}: name at least one field` });
  fields.forEach((f) => assertApiName(f, `retrieveMany ${sobject} field`));
  const what = `retrieveMany ${sobject}`;
  const outcomes: RetrieveOutcome[] = [];
  let firstError: SalesforceError | undefined;
  let stopped: { reason: string; cause: SalesforceError | undefined } | undefined;
  for (const [start, end] of chunkRanges(ids.length, options, what)) {
    if (stopped === undefined && options.signal?.aborted) stopped = { reason: 'the call was aborted', cause: undefined };
    if (stopped !== undefined) {
      for (let i = start; i < end; i++) outcomes.push({ outcome: 'not-attempted', index: i, id: ids[i] as string, cause: stopped.cause });
      continue;
    }
    const path = `composite/sobjects/${sobject}`;
    try {
      const { data } = await callJson(context, { method: 'POST', path, body: { ids: ids.slice(start, end), fields }, idempotent: true, operation: 'collections.retrieve', sobject, signal: options.signal, deadlineMs: options.deadlineMs });
      if (!Array.isArray(data) || data.length !== end - start) {
        throw new ProtocolError({ message: `${what}: expected ${end - start} records in input order`, status: 200, request: { method: 'POST', path: safePath(apiPath(context, path)) } });
      }
      data.forEach((r, i) => outcomes.push({ outcome: 'succeeded', index: start + i, id: ids[start + i] as string, record: isObject(r) ? r : null }));
    } catch (caught) {
      const error = asSalesforceError(caught);
      firstError ??= error;
      for (let i = start; i < end; i++) outcomes.push({ outcome: 'failed', index: i, id: ids[i] as string, cause: error });
      const reason = stopsTheCall(error);
      if (reason !== undefined) stopped = { reason, cause: error };
    }
  }
  if (firstError === undefined && stopped === undefined) return outcomes.map((o) => (o.outcome === 'succeeded' ? o.record : null));
  throw new MultiRecordError<RetrieveOutcome>({
    message: `${summarize(what, outcomes)}.`,
    status: firstError?.status, errorCode: firstError?.errorCode, request: firstError?.request, outcomes, cause: firstError,
  });
}
