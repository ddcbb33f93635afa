/**
 * Typed composite requests: a {@link CompositePlan} collects subrequests by reference id and
 * remembers, at the type level, what each one answers (create -> {@link SaveResult}, get -> the
 * chosen fields of the record, query -> a page of the query's rows, update/delete -> `null`).
 * References between subrequests are made with a typed `ref(referenceId, path)` that only accepts
 * reference ids declared earlier in the plan, so a reference to an unknown subrequest does not
 * compile; hand-written `@{...}` strings are still checked at run time before anything is sent.
 *
 * The plan is pure data: `client.composite(plan, options)` sends it to `/composite`, and
 * `client.compositeGraph({ graphId: plan, ... })` sends plans as graphs of `/composite/graph`.
 */
import { errorFromResponse, ProtocolError, UsageError, type SalesforceError, type SalesforceErrorItem, parseErrorItems, safePath } from '../errors.js';
import type { CreateOf, SObjectType, TypedQuery } from '../schema.js';
import type { HttpMethod } from '../transport/types.js';
import type { CompositeResult, CompositeSubrequest, CompositeSubresponse } from './composite.js';
import type { QueryPage, SObjectRecord } from './query.js';
import { isObject } from './rest.js';
import { serializeRecord, type CreateInput, type DeleteId, type FieldName, type SaveResult, type SelectedRecord, type UpdateInput, type UpsertKey } from './sobjects.js';

/** The body of a successful upsert subrequest (201 created, 200 updated). */
export interface UpsertSaveResult extends SaveResult {
  readonly created: boolean;
}

/**
 * The reference paths a subrequest's answer offers to later subrequests: `id` of a save result,
 * the fields of a record, `records[n].Field` and `totalSize` of a query page; `null` answers
 * (update, delete) offer nothing.
 */
export type RefPath<B> =
  [B] extends [null] ? never
  : [B] extends [SaveResult] ? 'id'
  : [B] extends [QueryPage<infer R>] ? 'totalSize' | `records[${number}].${Exclude<keyof R, 'attributes'> & string}`
  : [B] extends [object] ? Exclude<keyof B, 'attributes'> & string
  : string;

/** A `@{referenceId.path}` reference, as a string literal type (assignable wherever a string is). */
export type Reference<K extends string, P extends string> = `@{${K}.${P}}`;

/**
 * Builds a reference to an earlier subrequest's answer. Only reference ids declared before are
 * accepted, and only paths their answer has.
 *
 * @example
 * ```ts
 * compositePlan()
 *   .create('acct', Account, { Name: 'Acme' })
 *   .create('ct', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('acct', 'id') }));
 * ```
 */
export type RefFn<Results> = <K extends keyof Results & string, P extends RefPath<Results[K]>>(referenceId: K, path: P) => Reference<K, P>;

/** A value given directly, or computed from earlier answers with `ref`. */
export type WithRefs<X, Results> = X | ((ref: RefFn<Results>) => X);

/**
 * A write payload parameter: `NoInfer` so that the sObject type is inferred from the `type`
 * argument alone and the payload (a callback's return value included) is checked against the
 * concrete create/update type. Without it a callback's object literal is typed while the sObject
 * is still being inferred, and its picklist literals widen to `string`.
 */
type Payload<X, Results> = NoInfer<WithRefs<X, Results>>;

/** A reference id not used yet in the plan (a readable error when it is). */
export type NewReferenceId<K extends string, Results> = K extends keyof Results ? `referenceId '${K}' is already used in this plan` : K;

/**
 * One answered subrequest: discriminate on `ok` (2xx; for `request()` subrequests also 304 Not
 * Modified, body `null`) to get the typed body or Salesforce's error array.
 */
export type CompositeEntry<K extends string, B> =
  | {
      readonly ok: true;
      readonly referenceId: K;
      readonly httpStatusCode: number;
      readonly httpHeaders: Readonly<Record<string, string>>;
      /** What the subrequest answers: save result, record, query page, or `null` (204). */
      readonly body: B;
    }
  | {
      readonly ok: false;
      readonly referenceId: K;
      readonly httpStatusCode: number;
      readonly httpHeaders: Readonly<Record<string, string>>;
      /** Salesforce's error array (`PROCESSING_HALTED` for subrequests rolled back by `allOrNone`). */
      readonly body: readonly SalesforceErrorItem[];
    };

/** The typed answer of a {@link CompositePlan}. */
export interface TypedCompositeResult<Results> {
  /** True when every entry is `ok`. */
  readonly ok: boolean;
  /** Every subrequest's entry, in request order. */
  readonly entries: readonly { [K in keyof Results & string]: CompositeEntry<K, Results[K]> }[keyof Results & string][];
  /** The entries by reference id: `const { acct, ct } = result.results`. */
  readonly results: { readonly [K in keyof Results & string]: CompositeEntry<K, Results[K]> };
  /** The entry of a reference id. */
  get<K extends keyof Results & string>(referenceId: K): CompositeEntry<K, Results[K]>;
  /** The body of a successful subrequest, or its error thrown as a typed `SalesforceError`. */
  unwrap<K extends keyof Results & string>(referenceId: K): Results[K];
  /** The untyped result, as Salesforce sent it. */
  readonly raw: CompositeResult;
}

/** How a plan entry checks and converts a 2xx body (kept with the subrequest, not in the type). */
type BodyKind = 'save' | 'upsert' | 'record' | 'query' | 'none' | 'raw';

interface PlanEntry {
  readonly subrequest: CompositeSubrequest;
  readonly kind: BodyKind;
  readonly what: string;
}

const REFERENCE = /^@\{[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[\d+\])*\}$/;
const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

function assertIdOrReference(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || !(ID.test(id) || REFERENCE.test(id))) {
    throw new UsageError({ message: `${what}: ${JSON.stringify(id)} is neither a Salesforce id (15 or 18 letters and digits) nor a @{referenceId.field} reference` });
  }
}

function assertName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError({ message: `${what}: ${JSON.stringify(name)} is not a valid API name` });
  }
}

/** `encodeURIComponent`, keeping `@{ref.path}` references readable so Salesforce substitutes them. */
function encodeKeepingReferences(text: string): string {
  return encodeURIComponent(text).replace(/%40%7B([A-Za-z0-9_.]+(?:%5B\d+%5D[A-Za-z0-9_.]*)*)%7D/g, (_m, inner: string) => `@{${inner.replace(/%5B/g, '[').replace(/%5D/g, ']')}}`);
}

/**
 * A typed `/composite` request under construction. Every method returns a new plan (the plan is
 * immutable), typed with one more reference id. Create one with {@link compositePlan}.
 *
 * @example
 * ```ts
 * const plan = compositePlan()
 *   .create('acct', Account, { Name: 'Acme' })
 *   .create('ct', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('acct', 'id') }))
 *   .get('read', Contact, (ref) => ref('ct', 'id'), ['LastName', 'AccountId'])
 *   .query('same', selectFrom(Contact).select('Id', 'LastName').where('LastName', '=', 'Doe'));
 * const result = await client.composite(plan, { allOrNone: true });
 * const contact = result.unwrap('read');          // { LastName, AccountId, attributes }
 * const entry = result.get('acct');
 * if (entry.ok) entry.body.id; else entry.body[0]?.errorCode;
 * ```
 */
export class CompositePlan<Results extends object = {}> {
  /** Phantom: the answer type of every reference id; always undefined at run time. */
  declare readonly __results?: Results;
  readonly #entries: readonly PlanEntry[];
  readonly #refs: ReadonlySet<string>;

  /** @internal use {@link compositePlan}. */
  constructor(entries: readonly PlanEntry[] = []) {
    this.#entries = entries;
    this.#refs = new Set(entries.map((e) => e.subrequest.referenceId));
    Object.freeze(this);
  }

  /** Number of subrequests in the plan. */
  get size(): number {
    return this.#entries.length;
  }

  /** The plain subrequests, as sent (URLs versionless: the client makes them absolute). */
  get subrequests(): readonly CompositeSubrequest[] {
    return this.#entries.map((e) => e.subrequest);
  }

  /** A reference to an earlier subrequest (same as the `ref` handed to callbacks). */
  ref<K extends keyof Results & string, P extends RefPath<Results[K]>>(referenceId: K, path: P): Reference<K, P> {
    if (!this.#refs.has(referenceId)) {
      throw new UsageError({ message: `composite: ref(${JSON.stringify(referenceId)}) names no earlier subrequest (known: ${[...this.#refs].join(', ') || 'none'})` });
    }
    if (typeof path !== 'string' || !/^(?:[A-Za-z0-9_]+|\[\d+\])(?:\.[A-Za-z0-9_]+|\[\d+\])*$/.test(path)) {
      throw new UsageError({ message: `composite: ref(${JSON.stringify(referenceId)}, ${JSON.stringify(path)}): the path must be field names, dots and [n] indexes` });
    }
    return `@{${referenceId}.${path}}` as Reference<K, P>;
  }

  #resolve<X>(value: WithRefs<X, Results>): X {
    return typeof value === 'function' ? (value as (ref: RefFn<Results>) => X)(this.ref.bind(this) as RefFn<Results>) : value;
  }

  #add<K extends string, B>(referenceId: K, kind: BodyKind, what: string, sub: Omit<CompositeSubrequest, 'referenceId'>): CompositePlan<Results & { [P in K]: B }> {
    if (typeof referenceId !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(referenceId)) {
      throw new UsageError({ message: `composite: referenceId ${JSON.stringify(referenceId)} must be letters, digits and _ starting with a letter` });
    }
    if (this.#refs.has(referenceId)) throw new UsageError({ message: `composite: referenceId ${referenceId} is already used in this plan` });
    const subrequest: CompositeSubrequest = { ...sub, referenceId };
    return new CompositePlan<Results & { [P in K]: B }>([...this.#entries, { subrequest, kind, what: `${referenceId} (${what})` }]);
  }

  /** `POST sobjects/<T>`: answers a {@link SaveResult} (201). */
  create<K extends string, T extends SObjectType>(
    referenceId: NewReferenceId<K, Results>,
    type: T,
    data: Payload<CreateInput<T>, Results>,
  ): CompositePlan<Results & { [P in K]: SaveResult }> {
    assertName(type.name, 'composite create');
    const body = serializeRecord(type.descriptor, this.#resolve(data) as object);
    return this.#add<K, SaveResult>(referenceId as K, 'save', `create ${type.name}`, { method: 'POST', url: `sobjects/${type.name}`, body });
  }

  /** `PATCH sobjects/<T>/<id>`: answers `null` (204). */
  update<K extends string, T extends SObjectType>(
    referenceId: NewReferenceId<K, Results>,
    type: T,
    id: WithRefs<string, Results>,
    data: Payload<UpdateInput<T>, Results>,
  ): CompositePlan<Results & { [P in K]: null }> {
    assertName(type.name, 'composite update');
    const recordId = this.#resolve(id);
    assertIdOrReference(recordId, `composite update ${type.name}`);
    const body = serializeRecord(type.descriptor, this.#resolve(data) as object);
    return this.#add<K, null>(referenceId as K, 'none', `update ${type.name}`, { method: 'PATCH', url: `sobjects/${type.name}/${recordId}`, body });
  }

  /** `PATCH sobjects/<T>/<field>/<value>`: answers an {@link UpsertSaveResult} (201 created, 200 updated). */
  upsert<K extends string, T extends SObjectType>(
    referenceId: NewReferenceId<K, Results>,
    type: T,
    externalIdField: UpsertKey<T>,
    externalIdValue: WithRefs<string, Results>,
    data: Payload<CreateOf<T>, Results>,
  ): CompositePlan<Results & { [P in K]: UpsertSaveResult }> {
    assertName(type.name, 'composite upsert');
    assertName(externalIdField, `composite upsert ${type.name} external id field`);
    const value = this.#resolve(externalIdValue);
    if (typeof value !== 'string' || value === '') throw new UsageError({ message: `composite upsert ${type.name}: the ${externalIdField} value must be a non-empty string` });
    const body = serializeRecord(type.descriptor, this.#resolve(data) as object);
    const url = `sobjects/${type.name}/${externalIdField}/${encodeKeepingReferences(value)}`;
    return this.#add<K, UpsertSaveResult>(referenceId as K, 'upsert', `upsert ${type.name}`, { method: 'PATCH', url, body });
  }

  /** `DELETE sobjects/<T>/<id>`: answers `null` (204). */
  delete<K extends string, T extends SObjectType>(
    referenceId: NewReferenceId<K, Results>,
    type: T,
    id: Payload<DeleteId<T>, Results>,
  ): CompositePlan<Results & { [P in K]: null }> {
    assertName(type.name, 'composite delete');
    const recordId = this.#resolve(id);
    assertIdOrReference(recordId, `composite delete ${type.name}`);
    return this.#add<K, null>(referenceId as K, 'none', `delete ${type.name}`, { method: 'DELETE', url: `sobjects/${type.name}/${recordId}` });
  }

  /** `GET sobjects/<T>/<id>?fields=...`: answers the record with the chosen fields (all when omitted). */
  get<K extends string, T extends SObjectType, F extends FieldName<T> = FieldName<T>>(
    referenceId: NewReferenceId<K, Results>,
    type: T,
    id: WithRefs<string, Results>,
    fields?: readonly F[],
  ): CompositePlan<Results & { [P in K]: SelectedRecord<T, F> }> {
    assertName(type.name, 'composite get');
    const recordId = this.#resolve(id);
    assertIdOrReference(recordId, `composite get ${type.name}`);
    let url = `sobjects/${type.name}/${recordId}`;
    if (fields && fields.length > 0) {
      for (const f of fields) assertName(f, `composite get ${type.name} fields`);
      url += `?fields=${fields.join(',')}`;
    }
    return this.#add<K, SelectedRecord<T, F>>(referenceId as K, 'record', `get ${type.name}`, { method: 'GET', url });
  }

  /**
   * `GET query?q=...`: answers the FIRST page of the query (`done`/`nextRecordsUrl` tell whether
   * more exist; follow it with `client.query()` or a raw request). References (`@{ref.id}`) in the
   * SOQL are sent unencoded so Salesforce substitutes them.
   */
  query<K extends string, R>(referenceId: NewReferenceId<K, Results>, query: TypedQuery<R>): CompositePlan<Results & { [P in K]: QueryPage<R> }>;
  query<K extends string>(referenceId: NewReferenceId<K, Results>, query: string): CompositePlan<Results & { [P in K]: QueryPage<SObjectRecord> }>;
  query<K extends string, R>(referenceId: NewReferenceId<K, Results>, query: string | TypedQuery<R>): CompositePlan<Results & { [P in K]: QueryPage<R> }> {
    const text = typeof query === 'string' ? query : query.toSoql();
    if (typeof text !== 'string' || text.trim() === '') throw new UsageError({ message: `composite query ${String(referenceId)}: the SOQL text is empty` });
    return this.#add<K, QueryPage<R>>(referenceId as K, 'query', 'query', { method: 'GET', url: `query?q=${encodeKeepingReferences(text)}` });
  }

  /**
   * Any other subrequest (untyped answer): `{ method, url, body?, httpHeaders? }` with `url`
   * versionless (`sobjects/Account/describe`) or absolute (`/services/data/v60.0/...`).
   */
  request<K extends string>(
    referenceId: NewReferenceId<K, Results>,
    sub: { method: HttpMethod; url: WithRefs<string, Results>; body?: WithRefs<unknown, Results>; httpHeaders?: Readonly<Record<string, string>> },
  ): CompositePlan<Results & { [P in K]: unknown }> {
    const url = this.#resolve(sub.url);
    if (typeof url !== 'string' || url === '') throw new UsageError({ message: `composite request ${String(referenceId)}: url is required` });
    const out: Omit<CompositeSubrequest, 'referenceId'> = {
      method: sub.method,
      url,
      ...(sub.body === undefined ? {} : { body: this.#resolve(sub.body) }),
      ...(sub.httpHeaders === undefined ? {} : { httpHeaders: sub.httpHeaders }),
    };
    return this.#add<K, unknown>(referenceId as K, 'raw', `${sub.method} ${url}`, out);
  }

  /** @internal Maps Salesforce's answer onto the plan (used by the client). */
  static toResult<Results extends object>(plan: CompositePlan<Results>, raw: CompositeResult, request: { method: string; path: string }, apiVersion: string): TypedCompositeResult<Results> {
    return plan.#toResult(raw, request, apiVersion);
  }

  #toResult(raw: CompositeResult, request: { method: string; path: string }, apiVersion: string): TypedCompositeResult<Results> {
    const list = raw.compositeResponse;
    if (list.length !== this.#entries.length) {
      throw new ProtocolError({ message: `composite: expected ${this.#entries.length} subresponses, got ${list.length}`, request });
    }
    type Entry = CompositeEntry<string, unknown>;
    const entries: Entry[] = [];
    const byRef = Object.create(null) as Record<string, Entry>;
    const errors = new Map<string, SalesforceError>();
    for (const [i, planned] of this.#entries.entries()) {
      const response = list[i] as CompositeSubresponse;
      const referenceId = planned.subrequest.referenceId;
      if (!isObject(response) || response.referenceId !== referenceId || typeof response.httpStatusCode !== 'number') {
        throw new ProtocolError({ message: `composite: subresponse [${i}] is not the answer of ${planned.what}`, request });
      }
      const httpHeaders = isObject(response.httpHeaders) ? (response.httpHeaders as Record<string, string>) : {};
      const status = response.httpStatusCode;
      let entry: Entry;
      if ((status >= 200 && status < 300) || (status === 304 && planned.kind === 'raw')) {
        entry = { ok: true, referenceId, httpStatusCode: status, httpHeaders, body: checkBody(planned, status, response.body, request) };
      } else {
        const items = parseErrorItems(response.body);
        entry = { ok: false, referenceId, httpStatusCode: status, httpHeaders, body: items };
        const text = response.body === undefined || response.body === null ? '' : JSON.stringify(response.body);
        const url = planned.subrequest.url.startsWith('/') ? planned.subrequest.url : `/services/data/v${apiVersion}/${planned.subrequest.url}`;
        const sub = { method: request.method, path: `${request.path} [${referenceId}: ${planned.subrequest.method} ${safePath(url)}]` };
        errors.set(referenceId, errorFromResponse({ status, headers: { ...httpHeaders, 'content-type': 'application/json' }, text }, sub));
      }
      entries.push(entry);
      byRef[referenceId] = entry;
    }
    const get = (referenceId: string): Entry => {
      const entry = byRef[referenceId];
      if (entry === undefined) throw new UsageError({ message: `composite: no subrequest has referenceId ${JSON.stringify(referenceId)}` });
      return entry;
    };
    const result = {
      ok: entries.every((e) => e.ok),
      entries,
      results: byRef,
      get,
      unwrap(referenceId: string): unknown {
        const entry = get(referenceId);
        if (entry.ok) return entry.body;
        throw errors.get(referenceId) as SalesforceError;
      },
      raw,
    };
    return result as unknown as TypedCompositeResult<Results>;
  }
}

/** Checks a 2xx body against what the subrequest promises; a wrong shape is a ProtocolError. */
function checkBody(planned: PlanEntry, status: number, body: unknown, request: { method: string; path: string }): unknown {
  const fail = (expected: string): never => {
    throw new ProtocolError({ message: `composite: ${planned.what} answered ${status} without ${expected}`, request, body });
  };
  switch (planned.kind) {
    case 'save':
      if (!isObject(body) || typeof body.id !== 'string') fail('a save result with an id');
      return { id: (body as Record<string, unknown>).id, success: (body as Record<string, unknown>).success !== false, errors: Array.isArray((body as Record<string, unknown>).errors) ? (body as Record<string, unknown>).errors : [] };
    case 'upsert': {
      if (!isObject(body) || typeof body.id !== 'string') fail('an upsert result with an id');
      const b = body as Record<string, unknown>;
      return { id: b.id, success: b.success !== false, errors: Array.isArray(b.errors) ? b.errors : [], created: b.created === true || status === 201 };
    }
    case 'record':
      if (!isObject(body)) fail('a record');
      return body;
    case 'query':
      if (!isObject(body) || !Array.isArray(body.records) || typeof body.done !== 'boolean' || typeof body.totalSize !== 'number') fail('a query result {totalSize, done, records}');
      return body;
    case 'none':
      return null;
    case 'raw':
      return body ?? null;
  }
}

/**
 * Starts an empty typed composite plan.
 *
 * @example
 * ```ts
 * const plan = compositePlan()
 *   .create('acct', Account, { Name: 'Acme' })
 *   .create('ct', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('acct', 'id') }));
 * const { acct, ct } = (await client.composite(plan)).results;
 * ```
 */
export function compositePlan(): CompositePlan<{}> {
  return new CompositePlan<{}>();
}

/** The typed answer of one graph of `client.compositeGraph({ graphId: plan })`. */
export interface TypedGraphResult<Results> {
  readonly graphId: string;
  /** False when any node failed: Salesforce rolled the whole graph back. */
  readonly isSuccessful: boolean;
  readonly graphResponse: TypedCompositeResult<Results>;
}

/** What `client.compositeGraph()` accepts per graph id: any {@link CompositePlan}. */
export interface GraphPlan {
  readonly subrequests: readonly CompositeSubrequest[];
  readonly __results?: object;
}

/** The results of typed graphs, by graph id. */
export type TypedGraphResults<G extends Readonly<Record<string, GraphPlan>>> = {
  readonly [K in keyof G]: G[K] extends CompositePlan<infer R> ? TypedGraphResult<R> : never;
};
