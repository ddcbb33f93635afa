/**
 * sObject Collections: create, update, upsert, delete and retrieve many records, chunked
 * automatically to 200 per call, with one result per input record in input order.
 *
 * `allOrNone` applies per call of 200 (Salesforce has no transaction across calls): when a chunk
 * fails under `allOrNone`, later chunks are not sent and their records are reported as failed with
 * `NOT_ATTEMPTED`, so nothing is silently lost. Pass `chunk: false` to insist on one call (more than
 * 200 records is then a `UsageError`).
 */
import { ProtocolError, UsageError, safePath } from '../errors.js';
import type { SObjectDescriptor } from '../schema.js';
import type { HttpMethod } from '../transport/types.js';
import { apiPath, assertApiName, assertId, callJson, isObject, type RestContext } from './rest.js';
import { serializeRecord } from './sobjects.js';

export const COLLECTION_LIMIT = 200;

/** One error of a collection item (`statusCode`, not `errorCode`, as Salesforce sends it). */
export interface CollectionItemError {
  readonly statusCode: string;
  readonly message: string;
  readonly fields: readonly string[];
}

/** One result per input record, in input order. Failed items have `id: null`. */
export interface CollectionResult {
  readonly id: string | null;
  readonly success: boolean;
  readonly errors: readonly CollectionItemError[];
  /** Upsert only: whether the record was created. */
  readonly created?: boolean;
}

export interface CollectionOptions {
  /** Roll back the whole call (chunk) when one record fails. Default false. */
  allOrNone?: boolean;
  /** Split into calls of 200 (default true). With false, more than 200 records is a `UsageError`. */
  chunk?: boolean;
  signal?: AbortSignal;
}

function chunks<T>(items: readonly T[], options: CollectionOptions, what: string): T[][] {
  if (items.length === 0) return [];
  if (options.chunk === false && items.length > COLLECTION_LIMIT) {
    throw new UsageError({ message: `${what}: ${items.length} records in one call; sObject Collections accept at most ${COLLECTION_LIMIT} (leave chunk on to split automatically)` });
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += COLLECTION_LIMIT) out.push(items.slice(i, i + COLLECTION_LIMIT));
  return out;
}

function normalizeResult(value: unknown): CollectionResult {
  if (!isObject(value)) return { id: null, success: false, errors: [{ statusCode: 'UNKNOWN', message: 'no result for this record', fields: [] }] };
  const errors = Array.isArray(value.errors)
    ? value.errors.map((e: unknown) => {
        const item = isObject(e) ? e : {};
        return {
          statusCode: typeof item.statusCode === 'string' ? item.statusCode : typeof item.errorCode === 'string' ? item.errorCode : 'UNKNOWN',
          message: typeof item.message === 'string' ? item.message : '',
          fields: Array.isArray(item.fields) ? item.fields.filter((f): f is string => typeof f === 'string') : [],
        };
      })
    : [];
  return {
    id: typeof value.id === 'string' ? value.id : null,
    success: value.success === true,
    errors,
    ...(typeof value.created === 'boolean' ? { created: value.created } : {}),
  };
}

const notAttempted = (): CollectionResult => ({
  id: null, success: false, errors: [{ statusCode: 'NOT_ATTEMPTED', message: 'not sent: an earlier chunk failed under allOrNone', fields: [] }],
});

async function run<T>(
  context: RestContext,
  items: readonly T[],
  options: CollectionOptions,
  what: string,
  send: (chunk: T[]) => { method: HttpMethod; path: string; body?: unknown; idempotent: boolean },
  sobject: string | undefined,
): Promise<CollectionResult[]> {
  const results: CollectionResult[] = [];
  let halted = false;
  for (const chunk of chunks(items, options, what)) {
    if (halted) {
      for (let i = 0; i < chunk.length; i++) results.push(notAttempted());
      continue;
    }
    const call = send(chunk);
    const { data } = await callJson(context, { ...call, operation: what, sobject, signal: options.signal });
    if (!Array.isArray(data) || data.length !== chunk.length) {
      throw new ProtocolError({ message: `${what}: expected ${chunk.length} results in input order, got ${Array.isArray(data) ? data.length : typeof data}`, request: { method: call.method, path: safePath(apiPath(context, call.path)) } });
    }
    const normalized = data.map(normalizeResult);
    results.push(...normalized);
    if (options.allOrNone && normalized.some((r) => !r.success)) halted = true;
  }
  return results;
}

function withType(descriptor: SObjectDescriptor | undefined, sobject: string, record: object): Record<string, unknown> {
  return { attributes: { type: sobject }, ...serializeRecord(descriptor, record) };
}

export async function collectionCreate(context: RestContext, sobject: string, descriptor: SObjectDescriptor | undefined, records: readonly object[], options: CollectionOptions = {}): Promise<CollectionResult[]> {
  assertApiName(sobject, 'createMany');
  return run(context, records, options, 'collections.create', (chunk) => ({
    method: 'POST', path: 'composite/sobjects', body: { allOrNone: options.allOrNone ?? false, records: chunk.map((r) => withType(descriptor, sobject, r)) },
    // A create that may have been processed is never resent.
    idempotent: false,
  }), sobject);
}

export async function collectionUpdate(context: RestContext, sobject: string, descriptor: SObjectDescriptor | undefined, records: readonly ({ Id: string } & object)[], options: CollectionOptions = {}): Promise<CollectionResult[]> {
  assertApiName(sobject, 'updateMany');
  records.forEach((r, i) => assertId(r.Id, `updateMany record [${i}] Id`));
  return run(context, records, options, 'collections.update', (chunk) => ({
    method: 'PATCH', path: 'composite/sobjects', body: { allOrNone: options.allOrNone ?? false, records: chunk.map((r) => withType(descriptor, sobject, r)) },
    idempotent: true,
  }), sobject);
}

export async function collectionUpsert(context: RestContext, sobject: string, descriptor: SObjectDescriptor | undefined, externalIdField: string, records: readonly object[], options: CollectionOptions = {}): Promise<CollectionResult[]> {
  assertApiName(sobject, 'upsertMany');
  assertApiName(externalIdField, 'upsertMany external id field');
  records.forEach((r, i) => {
    const value = (r as Record<string, unknown>)[externalIdField];
    if (value === undefined || value === null || value === '') {
      throw new UsageError({ message: `upsertMany ${sobject}: record [${i}] has no value for the external id ${externalIdField}` });
    }
  });
  return run(context, records, options, 'collections.upsert', (chunk) => ({
    method: 'PATCH', path: `composite/sobjects/${sobject}/${externalIdField}`,
    body: { allOrNone: options.allOrNone ?? false, records: chunk.map((r) => withType(descriptor, sobject, r)) },
    idempotent: true,
  }), sobject);
}

export async function collectionDelete(context: RestContext, ids: readonly string[], options: CollectionOptions = {}): Promise<CollectionResult[]> {
  ids.forEach((id, i) => assertId(id, `deleteMany id [${i}]`));
  return run(context, ids, options, 'collections.delete', (chunk) => ({
    method: 'DELETE', path: `composite/sobjects?ids=${chunk.join(',')}&allOrNone=${options.allOrNone ?? false}`, idempotent: true,
  }), undefined);
}

/** Retrieves records by id (null for ids that were not found), in input order. */
export async function collectionRetrieve(context: RestContext, sobject: string, ids: readonly string[], fields: readonly string[], options: CollectionOptions = {}): Promise<(Record<string, unknown> | null)[]> {
  assertApiName(sobject, 'retrieveMany');
  ids.forEach((id, i) => assertId(id, `retrieveMany id [${i}]`));
  if (fields.length === 0) throw new UsageError({ message: `retrieveMany ${sobject}: name at least one field` });
  fields.forEach((f) => assertApiName(f, `retrieveMany ${sobject} field`));
  const out: (Record<string, unknown> | null)[] = [];
  for (const chunk of chunks(ids, options, 'retrieveMany')) {
    const path = `composite/sobjects/${sobject}`;
    const { data } = await callJson(context, { method: 'POST', path, body: { ids: chunk, fields }, idempotent: true, operation: 'collections.retrieve', sobject, signal: options.signal });
    if (!Array.isArray(data) || data.length !== chunk.length) {
      throw new ProtocolError({ message: `retrieveMany: expected ${chunk.length} records in input order`, request: { method: 'POST', path: safePath(apiPath(context, path)) } });
    }
    for (const r of data) out.push(isObject(r) ? r : null);
  }
  return out;
}
