/**
 * Composite resources: `/composite/batch` (independent subrequests), `/composite` and
 * `/composite/graph`, untyped. Typed plans (`composite-plan.ts`) build on this module and are sent
 * by `composite-typed.ts`; nothing here imports either, so every import points one way.
 */
import { ProtocolError, UsageError, safePath } from '../errors.js';
import type { HttpMethod } from '../transport/types.js';
import { apiPath, callJson, isObject, type RestContext } from './rest.js';

/** One subrequest of `/composite/batch`. `url` is relative to `/services/data` (`v60.0/sobjects/Account/describe`) or a versionless path (`sobjects/Account/describe`). */
export interface BatchSubrequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly richInput?: unknown;
  readonly httpHeaders?: Readonly<Record<string, string>>;
}

export interface BatchSubresult {
  readonly statusCode: number;
  readonly result: unknown;
}

export interface BatchResult {
  readonly hasErrors: boolean;
  readonly results: readonly BatchSubresult[];
}

/** Puts `vXX.X/` in front of a versionless subrequest URL. */
export function versionedSubUrl(context: RestContext, url: string): string {
  const trimmed = url.replace(/^\/services\/data\//, '').replace(/^\//, '');
  return /^v\d+\.\d+\//.test(trimmed) ? trimmed : `v${context.apiVersion}/${trimmed}`;
}

export const MAX_BATCH_SUBREQUESTS = 25;

/**
 * `/composite/batch`: up to 25 independent subrequests in one call. Idempotent (retried) when
 * every subrequest is a GET.
 */
export async function compositeBatch(
  context: RestContext,
  subrequests: readonly BatchSubrequest[],
  options: { haltOnError?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<BatchResult> {
  if (subrequests.length === 0) throw new UsageError({ message: 'compositeBatch: no subrequests' });
  if (subrequests.length > MAX_BATCH_SUBREQUESTS) {
    throw new UsageError({ message: `compositeBatch: ${subrequests.length} subrequests, at most ${MAX_BATCH_SUBREQUESTS} per call` });
  }
  const batchRequests = subrequests.map((s) => ({ ...s, url: versionedSubUrl(context, s.url) }));
  const { data } = await callJson(context, {
    method: 'POST', path: 'composite/batch', body: { batchRequests, haltOnError: options.haltOnError ?? false },
    idempotent: subrequests.every((s) => s.method === 'GET'), operation: 'compositeBatch', signal: options.signal,
  });
  if (!isObject(data) || !Array.isArray(data.results) || data.results.length !== subrequests.length) {
    throw new ProtocolError({ message: `expected a batch result with ${subrequests.length} results`, request: { method: 'POST', path: safePath(apiPath(context, 'composite/batch')) } });
  }
  return data as unknown as BatchResult;
}

// ---------------------------------------------------------------------------------------------
// /composite and /composite/graph

/** One subrequest of `/composite`. Later subrequests may use `@{referenceId.field}` in `url` and `body`. */
export interface CompositeSubrequest {
  readonly method: HttpMethod;
  /** `/services/data/v60.0/sobjects/Account` or versionless `sobjects/Account` (made absolute). */
  readonly url: string;
  readonly referenceId: string;
  readonly body?: unknown;
  readonly httpHeaders?: Readonly<Record<string, string>>;
}

export interface CompositeSubresponse<B = unknown> {
  readonly body: B;
  readonly httpHeaders: Readonly<Record<string, string>>;
  readonly httpStatusCode: number;
  readonly referenceId: string;
}

/** The result of `/composite`: responses in request order, and by reference id. */
export interface CompositeResult {
  readonly compositeResponse: readonly CompositeSubresponse[];
  /** The subresponse of a reference id. */
  get(referenceId: string): CompositeSubresponse | undefined;
  /** True when every subrequest answered 2xx. */
  readonly ok: boolean;
}

export const MAX_COMPOSITE_SUBREQUESTS = 25;
const REFERENCE_ID = /^[A-Za-z][A-Za-z0-9_]*$/;

function absoluteSubUrl(context: RestContext, url: string): string {
  if (url.startsWith('/services/')) return url;
  return `/services/data/${versionedSubUrl(context, url)}`;
}

/** Validates reference ids (unique, well formed) and that every `@{ref...}` names an earlier one. */
export function checkReferences(subrequests: readonly { referenceId: string; url: string; body?: unknown }[], what: string, known = new Set<string>()): void {
  for (const [i, sub] of subrequests.entries()) {
    if (!REFERENCE_ID.test(sub.referenceId)) {
      throw new UsageError({ message: `${what}: subrequest [${i}] referenceId ${JSON.stringify(sub.referenceId)} must be letters, digits and _ starting with a letter` });
    }
    const text = sub.url + (sub.body === undefined ? '' : JSON.stringify(sub.body));
    for (const m of text.matchAll(/@\{([A-Za-z][A-Za-z0-9_]*)[.}[]/g)) {
      if (!known.has(m[1] as string)) {
        throw new UsageError({ message: `${what}: subrequest [${i}] (${sub.referenceId}) refers to @{${m[1]}}, which is not an earlier referenceId` });
      }
    }
    if (known.has(sub.referenceId)) throw new UsageError({ message: `${what}: referenceId ${sub.referenceId} is used twice` });
    known.add(sub.referenceId);
  }
}

function toCompositeResult(list: CompositeSubresponse[]): CompositeResult {
  const byRef = new Map(list.map((r) => [r.referenceId, r] as const));
  return {
    compositeResponse: list,
    get: (referenceId) => byRef.get(referenceId),
    ok: list.every((r) => r.httpStatusCode >= 200 && r.httpStatusCode < 300),
  };
}

/**
 * `/composite`: up to 25 dependent subrequests in one call, wired with `@{referenceId.field}`.
 * Not retried unless every subrequest is a GET.
 *
 * @example
 * ```ts
 * const r = await client.composite([
 *   { method: 'POST', url: 'sobjects/Account', referenceId: 'acct', body: { Name: 'Acme' } },
 *   { method: 'POST', url: 'sobjects/Contact', referenceId: 'ct', body: { LastName: 'Doe', AccountId: '@{acct.id}' } },
 * ], { allOrNone: true });
 * r.get('ct')?.httpStatusCode; // 201
 * ```
 */
export async function composite(
  context: RestContext,
  subrequests: readonly CompositeSubrequest[],
  options: { allOrNone?: boolean; collateSubrequests?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<CompositeResult> {
  if (subrequests.length === 0) throw new UsageError({ message: 'composite: no subrequests' });
  if (subrequests.length > MAX_COMPOSITE_SUBREQUESTS) {
    throw new UsageError({ message: `composite: ${subrequests.length} subrequests, at most ${MAX_COMPOSITE_SUBREQUESTS} per call` });
  }
  checkReferences(subrequests, 'composite');
  const compositeRequest = subrequests.map((s) => ({ ...s, url: absoluteSubUrl(context, s.url) }));
  const { data } = await callJson(context, {
    method: 'POST', path: 'composite',
    body: { allOrNone: options.allOrNone ?? false, collateSubrequests: options.collateSubrequests ?? false, compositeRequest },
    idempotent: subrequests.every((s) => s.method === 'GET'), operation: 'composite', signal: options.signal,
  });
  if (!isObject(data) || !Array.isArray(data.compositeResponse)) {
    throw new ProtocolError({ message: 'expected {compositeResponse: [...]}', request: { method: 'POST', path: safePath(apiPath(context, 'composite')) } });
  }
  return toCompositeResult(data.compositeResponse as CompositeSubresponse[]);
}

/** One graph of `/composite/graph`. */
export interface CompositeGraph {
  readonly graphId: string;
  readonly compositeRequest: readonly CompositeSubrequest[];
}

export interface CompositeGraphResult {
  readonly graphId: string;
  readonly isSuccessful: boolean;
  readonly graphResponse: CompositeResult;
}

export const MAX_GRAPH_NODES = 500;

/**
 * `/composite/graph`: several graphs, each up to 500 subrequests, each graph all-or-nothing.
 */
export async function compositeGraph(
  context: RestContext,
  graphs: readonly CompositeGraph[],
  options: { signal?: AbortSignal | undefined } = {},
): Promise<CompositeGraphResult[]> {
  if (graphs.length === 0) throw new UsageError({ message: 'compositeGraph: no graphs' });
  const ids = new Set<string>();
  for (const g of graphs) {
    if (ids.has(g.graphId)) throw new UsageError({ message: `compositeGraph: graphId ${g.graphId} is used twice` });
    ids.add(g.graphId);
    if (g.compositeRequest.length === 0 || g.compositeRequest.length > MAX_GRAPH_NODES) {
      throw new UsageError({ message: `compositeGraph: graph ${g.graphId} has ${g.compositeRequest.length} subrequests; 1 to ${MAX_GRAPH_NODES} allowed` });
    }
    checkReferences(g.compositeRequest, `compositeGraph ${g.graphId}`);
  }
  const body = { graphs: graphs.map((g) => ({ graphId: g.graphId, compositeRequest: g.compositeRequest.map((s) => ({ ...s, url: absoluteSubUrl(context, s.url) })) })) };
  const { data } = await callJson(context, { method: 'POST', path: 'composite/graph', body, idempotent: false, operation: 'compositeGraph', signal: options.signal });
  if (!isObject(data) || !Array.isArray(data.graphs)) {
    throw new ProtocolError({ message: 'expected {graphs: [...]}', request: { method: 'POST', path: safePath(apiPath(context, 'composite/graph')) } });
  }
  return data.graphs.map((g: unknown) => {
    const graph = isObject(g) ? g : {};
    const response = isObject(graph.graphResponse) && Array.isArray(graph.graphResponse.compositeResponse) ? (graph.graphResponse.compositeResponse as CompositeSubresponse[]) : [];
    return { graphId: String(graph.graphId), isSuccessful: graph.isSuccessful === true, graphResponse: toCompositeResult(response) };
  });
}
