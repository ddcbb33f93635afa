/**
 * Record operations typed by generated sObjects: get (chosen fields), create, update, upsert by
 * external id, delete.
 */
import { AmbiguousExternalIdError, NotFoundError, ProtocolError, safePath } from '../errors.js';
import type { CreateOf, IfAllowed, MetaOf, RecordAttributes, RecordOf, SObjectDescriptor, SObjectType, UpdateOf } from '../schema.js';
import { toSalesforceValue } from '../values.js';
import { apiPath, assertApiName, assertId, callJson, isObject, type RestContext } from './rest.js';
import {
  collectionCreate, collectionDelete, collectionRetrieve, collectionUpdate, collectionUpsert,
  type CollectionOptions, type RecordOutcome,
} from './collections.js';

/** The result of a create. */
export interface SaveResult {
  readonly id: string;
  readonly success: boolean;
  readonly errors: readonly unknown[];
}

/** The result of an upsert: the record id and whether it was created (201) or updated (200/204). */
export interface UpsertResult {
  readonly id: string;
  /**
   * `true` created, `false` updated; `undefined` when an earlier attempt of the call may have been
   * applied (its answer was lost), so the answer of the last attempt cannot tell who created it.
   */
  readonly created: boolean | undefined;
}

/** Field names of a generated sObject's record type. */
export type FieldName<T> = keyof RecordOf<T> & string;

/** A record read with a chosen set of fields. */
export type SelectedRecord<T, K extends FieldName<T>> = Pick<RecordOf<T>, K> & { readonly attributes: RecordAttributes };

/**
 * Write parameters gated by the object's describe (`createable`, `updateable`, `deletable`): the
 * payload type when the operation is allowed, else a message (`"create is not allowed:
 * AccountHistory is not createable (describe)"`) that no argument matches, so the call does not
 * compile. Upsert needs both `createable` and `updateable` (it may insert or update).
 */
export type CreateInput<T> = IfAllowed<MetaOf<T>, 'createable', CreateOf<T>, 'create'>;
/** See {@link CreateInput}. */
export type UpdateInput<T> = IfAllowed<MetaOf<T>, 'updateable', UpdateOf<T>, 'update'>;
/** See {@link CreateInput}: the external id field of an upsert. */
export type UpsertKey<T> = IfAllowed<MetaOf<T>, 'createable' | 'updateable', MetaOf<T>['externalIds'] & string, 'upsert'>;
/** See {@link CreateInput}: the record id of a delete. */
export type DeleteId<T> = IfAllowed<MetaOf<T>, 'deletable', string, 'delete'>;
/**
 * See {@link CreateInput}: the record id of a read by id (`get`, `retrieveMany`). Platform and
 * change events (`queryable: false`) have no records to read by id; they are read with Pub/Sub.
 */
export type ReadId<T> = IfAllowed<MetaOf<T>, 'queryable', string, 'read'>;

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** The call's deadline in ms (every attempt, wait and timeout); the client's `deadlineMs` when unset. */
  deadlineMs?: number;
}

/**
 * Serializes a write payload: `Date` values become Salesforce date/datetime strings by field type,
 * `attributes` is dropped, keys are kept verbatim (even `__proto__`).
 */
export function serializeRecord(descriptor: SObjectDescriptor | undefined, data: object): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    if (key === 'attributes' || value === undefined) continue;
    out[key] = toSalesforceValue(descriptor?.fields[key]?.type, value);
  }
  return out;
}

/**
 * Typed operations on one sObject: `client.sobject(Account)`.
 *
 * @example
 * ```ts
 * const accounts = client.sobject(Account);
 * const { id } = await accounts.create({ Name: 'Acme' });
 * const row = await accounts.get(id, { fields: ['Name', 'Industry'] });
 * await accounts.update(id, { Industry: 'Energy' });
 * await accounts.delete(id);
 * ```
 */
export class SObjectApi<T extends SObjectType> {
  readonly type: T;
  readonly #context: RestContext;
  readonly #name: string;

  constructor(context: RestContext, type: T) {
    assertApiName(type.name, 'sobject');
    this.type = type;
    this.#context = context;
    this.#name = type.name;
  }

  /** Reads one record; `fields` selects the fields (all readable fields when omitted). */
  async get<K extends FieldName<T> = FieldName<T>>(
    id: ReadId<T>,
    options: CallOptions & { fields?: readonly K[] } = {},
  ): Promise<SelectedRecord<T, K>> {
    assertId(id, `${this.#name}.get`);
    let path = `sobjects/${this.#name}/${id}`;
    if (options.fields && options.fields.length > 0) {
      for (const field of options.fields) assertApiName(field, `${this.#name}.get fields`);
      path += `?fields=${options.fields.map(encodeURIComponent).join(',')}`;
    }
    const { data } = await callJson(this.#context, {
      method: 'GET', path, idempotent: true, operation: 'sobject.get', sobject: this.#name, signal: options.signal, deadlineMs: options.deadlineMs,
    });
    if (!isObject(data)) throw this.#shapeError('GET', path, 'a record object');
    return data as SelectedRecord<T, K>;
  }

  /** Creates a record. Never retried once it may have reached Salesforce. */
  async create(data: CreateInput<T>, options: CallOptions = {}): Promise<SaveResult> {
    const path = `sobjects/${this.#name}`;
    const { data: body } = await callJson(this.#context, {
      method: 'POST', path, body: serializeRecord(this.type.descriptor, data as object),
      idempotent: false, operation: 'sobject.create', sobject: this.#name, signal: options.signal, deadlineMs: options.deadlineMs,
    });
    if (!isObject(body) || typeof body.id !== 'string') throw this.#shapeError('POST', path, 'a save result with an id');
    return { id: body.id, success: body.success !== false, errors: Array.isArray(body.errors) ? body.errors : [] };
  }

  /** Updates fields of a record by id (safe to retry). */
  async update(id: string, data: UpdateInput<T>, options: CallOptions = {}): Promise<void> {
    assertId(id, `${this.#name}.update`);
    await callJson(this.#context, {
      method: 'PATCH', path: `sobjects/${this.#name}/${id}`, body: serializeRecord(this.type.descriptor, data as object),
      idempotent: true, operation: 'sobject.update', sobject: this.#name, signal: options.signal, deadlineMs: options.deadlineMs,
    });
  }

  /**
   * Upserts by an external id field: 201 created, 200/204 updated; 300 (several records match) is an
   * `AmbiguousExternalIdError` listing the candidates. The payload is typed as a create (the record
   * may be created); safe to retry (the external id makes it idempotent).
   */
  async upsert(
    externalIdField: UpsertKey<T>,
    externalIdValue: string,
    data: CreateOf<T>,
    options: CallOptions = {},
  ): Promise<UpsertResult> {
    assertApiName(externalIdField, `${this.#name}.upsert external id field`);
    const path = `sobjects/${this.#name}/${externalIdField}/${encodeURIComponent(externalIdValue)}`;
    const { status, data: body, attempts } = await callJson(this.#context, {
      method: 'PATCH', path, body: serializeRecord(this.type.descriptor, data as object),
      idempotent: true, operation: 'sobject.upsert', sobject: this.#name, signal: options.signal, deadlineMs: options.deadlineMs,
    });
    if (status === 300) {
      throw new AmbiguousExternalIdError({
        message: `upsert of ${this.#name} by ${externalIdField} = ${JSON.stringify(externalIdValue)} matched several records`,
        status, errorCode: 'MULTIPLE_CHOICES', request: { method: 'PATCH', path: apiPath(this.#context, path) }, body,
      });
    }
    // After a lost answer the record may have been created by the earlier attempt: do not claim either way.
    const unsure = attempts?.earlierAttemptMayHaveApplied === true;
    if (isObject(body) && typeof body.id === 'string') return { id: body.id, created: unsure ? undefined : body.created === true || status === 201 };
    if (status === 204 || body === null) {
      // Old API versions answer 204 with no body on update; the id is not returned.
      return { id: '', created: unsure ? undefined : false };
    }
    throw this.#shapeError('PATCH', path, 'an upsert result');
  }

  /**
   * Deletes a record by id (safe to retry). When an earlier attempt may have been applied and the
   * retry finds the record `ENTITY_IS_DELETED`, the delete succeeded.
   */
  async delete(id: DeleteId<T>, options: CallOptions = {}): Promise<void> {
    assertId(id, `${this.#name}.delete`);
    try {
      await callJson(this.#context, {
        method: 'DELETE', path: `sobjects/${this.#name}/${id}`, idempotent: true, operation: 'sobject.delete', sobject: this.#name, signal: options.signal, deadlineMs: options.deadlineMs,
      });
    } catch (err) {
      if (err instanceof NotFoundError && err.errorCode === 'ENTITY_IS_DELETED' && err.earlierAttemptMayHaveApplied) return;
      throw err;
    }
  }

  /**
   * Creates many records (sObject Collections, chunked to 200 a request); one {@link RecordOutcome}
   * per record, in input order. A request that may have reached Salesforce is never resent: its
   * records come back `unknown`. Throws `MultiRecordError` (with every outcome) when a request
   * failed or an `allOrNone` call was rejected.
   */
  createMany(records: readonly CreateInput<T>[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
    return collectionCreate(this.#context, this.#name, this.#serialize, records as readonly object[], options);
  }

  /** Updates many records by `Id` (chunked to 200); one outcome per record, in order; `MultiRecordError` as for `createMany`. */
  updateMany(records: readonly (UpdateInput<T> & { Id: string })[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
    return collectionUpdate(this.#context, this.#name, this.#serialize, records, options);
  }

  /** Upserts many records by an external id field (chunked to 200); succeeded outcomes carry `created`. */
  upsertMany(externalIdField: UpsertKey<T>, records: readonly CreateOf<T>[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
    return collectionUpsert(this.#context, this.#name, this.#serialize, externalIdField, records as readonly object[], options);
  }

  /** Deletes many records by id (chunked to 200); one outcome per id, in order. */
  deleteMany(ids: readonly DeleteId<T>[], options: CollectionOptions = {}): Promise<RecordOutcome[]> {
    return collectionDelete(this.#context, ids, options);
  }

  /** Reads many records by id with chosen fields; `null` where an id was not found. */
  async retrieveMany<K extends FieldName<T>>(ids: readonly ReadId<T>[], fields: readonly K[], options: CollectionOptions = {}): Promise<(SelectedRecord<T, K> | null)[]> {
    return (await collectionRetrieve(this.#context, this.#name, ids, fields, options)) as (SelectedRecord<T, K> | null)[];
  }

  /** The serializer handed to the collection calls (collections.ts does not import this module). */
  readonly #serialize = (record: object): Record<string, unknown> => serializeRecord(this.type.descriptor, record);

  #shapeError(method: string, path: string, expected: string): ProtocolError {
    return new ProtocolError({ message: `expected ${expected} from ${this.#name}`, request: { method, path: safePath(apiPath(this.#context, path)) } });
  }
}
