/**
 * `/composite/batch` (independent subrequests) and `/composite` (subrequests with `referenceId`,
 * `@{ref.path}` references, `httpHeaders`, `allOrNone`). Subrequests go through the same router
 * as top-level requests.
 */
import { parseJsonBody, sfError, SimHttpError } from '../errors.js';
import { RawJson, toJson } from '../json.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';

/** Subrequests allowed in one composite or batch request. */
export const MAX_SUBREQUESTS = 25;

/** Split a subrequest URL into version, path below `/services/data/vXX.X`, and query. */
export function parseSubUrl(url: string, defaultVersion: string): { version: string; path: string; query: URLSearchParams } | undefined {
  const u = new URL(url, 'http://sub.invalid/');
  const m = /^\/(?:services\/data\/)?v(\d+\.\d)(\/.*)?$/.exec(u.pathname);
  if (!m) return undefined;
  return { version: m[1] ?? defaultVersion, path: m[2] ?? '', query: u.searchParams };
}

function requestBody(req: SimRequest): Record<string, unknown> {
  if (req.body === undefined || req.body.trim() === '') throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', 'No content to map due to end-of-input'));
  const v = parseJsonBody(req.body);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', 'Expected a JSON object'));
  return v as Record<string, unknown>;
}

function subRequest(
  parent: SimRequest,
  method: unknown,
  url: unknown,
  body: unknown,
  headers: Record<string, string>,
  where: string,
): SimRequest {
  if (typeof method !== 'string' || !/^(GET|POST|PATCH|PUT|DELETE|HEAD)$/i.test(method)) {
    throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `${where}: method must be one of GET, POST, PATCH, PUT, DELETE`));
  }
  if (typeof url !== 'string') throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `${where}: url is required`));
  const parsed = parseSubUrl(url, parent.version);
  if (parsed === undefined) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `${where}: the url ${url} is not a /services/data/vXX.X resource`));
  if (/^\/composite(?:\/(?:batch|graph|tree)\b.*)?\/?$/.test(parsed.path)) {
    throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `${where}: a composite request cannot contain ${parsed.path}`));
  }
  return {
    method: method.toUpperCase(),
    path: parsed.path,
    version: parsed.version,
    query: parsed.query,
    headers,
    body: body === undefined || body === null ? undefined : JSON.stringify(body),
    session: parent.session,
    sub: true,
  };
}

function batch(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const input = requestBody(req);
  const list = input.batchRequests;
  if (!Array.isArray(list)) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', 'batchRequests is required'));
  if (list.length > MAX_SUBREQUESTS) {
    throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `A batch cannot contain more than ${MAX_SUBREQUESTS} requests`));
  }
  const halt = input.haltOnError === true;
  let halted = false;
  let hasErrors = false;
  const results = list.map((item: unknown, i: number) => {
    if (halted) return { statusCode: 412, result: [sfError('BATCH_PROCESSING_HALTED', 'Batch processing halted per request')] };
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    let res: SimResponse;
    try {
      res = ctx.dispatch(subRequest(req, o.method, o.url, o.richInput, {}, `batchRequests[${i}]`));
    } catch (error) {
      if (!(error instanceof SimHttpError)) throw error;
      res = { status: error.status, body: error.body };
    }
    if (res.status >= 400) {
      hasErrors = true;
      if (halt) halted = true;
    }
    return { statusCode: res.status, result: res.body ?? null };
  });
  return { status: 200, body: new RawJson(toJson({ hasErrors, results })) };
}

const REF = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

class UnresolvedReference extends Error {
  constructor(readonly ref: string, readonly expr: string) {
    super(`unresolved reference ${expr}`);
  }
}

function lookup(results: Map<string, SimResponse>, ref: string, path: string, expr: string): unknown {
  const res = results.get(ref);
  if (res === undefined || res.status >= 400) throw new UnresolvedReference(ref, expr);
  let v: unknown = res.body instanceof RawJson ? res.body.value() : res.body;
  for (const m of path.matchAll(/\.([A-Za-z0-9_]+)|\[(\d+)\]/g)) {
    if (v === null || typeof v !== 'object') throw new UnresolvedReference(ref, expr);
    v = m[1] !== undefined ? (v as Record<string, unknown>)[m[1]] : (v as unknown[])[Number(m[2])];
  }
  if (v === undefined) throw new UnresolvedReference(ref, expr);
  return v;
}

function substitute(value: unknown, results: Map<string, SimResponse>): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(value);
    if (whole) return lookup(results, whole[1]!, whole[2] ?? '', value);
    return value.replace(REF, (expr, ref: string, path: string) => String(lookup(results, ref, path, expr)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  }
  return value;
}

const ROLLED_BACK = 'The transaction was rolled back since another operation in the same transaction failed.';

type SubResult = { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string };

/** Check referenceIds: alphanumeric and unique. */
function checkReferences(list: unknown[], where: string): Record<string, unknown>[] {
  const seen = new Set<string>();
  return list.map((item: unknown, i: number) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof o.referenceId !== 'string' || !/^[A-Za-z0-9_]+$/.test(o.referenceId)) {
      throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `${where}[${i}]: referenceId must be alphanumeric`));
    }
    if (seen.has(o.referenceId)) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `Duplicate referenceId ${o.referenceId}`));
    seen.add(o.referenceId);
    return o;
  });
}

/**
 * Run composite subrequests in order inside one transaction. With `allOrNone`, a failure rolls
 * every write back and turns every other result into 400 PROCESSING_HALTED.
 */
function runSubrequests(req: SimRequest, ctx: RouteContext, list: Record<string, unknown>[], allOrNone: boolean, where: string): { out: SubResult[]; failed: boolean } {
  const run = () => {
    const results = new Map<string, SimResponse>();
    const out: SubResult[] = [];
    let failed = false;
    list.forEach((item, i) => {
      const referenceId = item.referenceId as string;
      if (allOrNone && failed) {
        out.push({ body: [sfError('PROCESSING_HALTED', ROLLED_BACK)], httpHeaders: {}, httpStatusCode: 400, referenceId });
        return;
      }
      let res: SimResponse;
      try {
        const url = substitute(item.url, results);
        const body = substitute(item.body, results);
        const rawHeaders = (typeof item.httpHeaders === 'object' && item.httpHeaders !== null ? item.httpHeaders : {}) as Record<string, unknown>;
        const headers = Object.fromEntries(Object.entries(rawHeaders).map(([k, v]) => [k.toLowerCase(), String(v)]));
        res = ctx.dispatch(subRequest(req, item.method, url, body, headers, `${where}[${i}]`));
      } catch (error) {
        if (error instanceof UnresolvedReference) {
          res = {
            status: 400,
            body: [
              sfError(
                'PROCESSING_HALTED',
                `Invalid reference specified. No value for ${error.expr} found in ${error.ref}. Provided referenceId ('${error.ref}') does not exist or has an error.`,
              ),
            ],
          };
        } else if (error instanceof SimHttpError) res = { status: error.status, body: error.body };
        else throw error;
      }
      results.set(referenceId, res);
      if (res.status >= 400) failed = true;
      out.push({ body: res.body ?? null, httpHeaders: { ...(res.headers ?? {}) }, httpStatusCode: res.status, referenceId });
    });
    if (allOrNone && failed) {
      for (const r of out) {
        if (r.httpStatusCode < 400) {
          r.body = [sfError('PROCESSING_HALTED', ROLLED_BACK)];
          r.httpHeaders = {};
          r.httpStatusCode = 400;
        }
      }
    }
    return { out, failed, rollback: allOrNone && failed };
  };
  return ctx.org.transaction(run);
}

function composite(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const input = requestBody(req);
  const list = input.compositeRequest;
  if (!Array.isArray(list)) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', 'compositeRequest is required'));
  if (list.length > MAX_SUBREQUESTS) {
    throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `Composite requests cannot contain more than ${MAX_SUBREQUESTS} subrequests`));
  }
  const items = checkReferences(list, 'compositeRequest');
  const { out } = runSubrequests(req, ctx, items, input.allOrNone === true, 'compositeRequest');
  return { status: 200, body: new RawJson(toJson({ compositeResponse: out })) };
}

/** Graphs per composite graph request, and nodes per graph. */
export const MAX_GRAPHS = 75;
export const MAX_GRAPH_NODES = 500;

/**
 * `/composite/graph`: independent graphs, each all-or-nothing:
 * `{graphs: [{graphId, graphResponse: {compositeResponse}, isSuccessful}]}`.
 */
function graph(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const input = requestBody(req);
  const graphs = input.graphs;
  if (!Array.isArray(graphs) || graphs.length === 0) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', 'graphs is required'));
  if (graphs.length > MAX_GRAPHS) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `A request cannot contain more than ${MAX_GRAPHS} graphs`));
  const ids = new Set<string>();
  const checked = graphs.map((g: unknown, i: number) => {
    const o = (typeof g === 'object' && g !== null ? g : {}) as Record<string, unknown>;
    if (typeof o.graphId !== 'string' || o.graphId === '') throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `graphs[${i}]: graphId is required`));
    if (ids.has(o.graphId)) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `Duplicate graphId ${o.graphId}`));
    ids.add(o.graphId);
    if (!Array.isArray(o.compositeRequest)) throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `graphs[${i}]: compositeRequest is required`));
    if (o.compositeRequest.length > MAX_GRAPH_NODES) {
      throw new SimHttpError(400, sfError('INVALID_BATCH_REQUEST', `graph ${o.graphId} has more than ${MAX_GRAPH_NODES} nodes`));
    }
    return { graphId: o.graphId, items: checkReferences(o.compositeRequest, `graphs[${i}].compositeRequest`) };
  });
  const out = checked.map(({ graphId, items }) => {
    const { out: responses, failed } = runSubrequests(req, ctx, items, true, `graph ${graphId}`);
    return { graphId, graphResponse: { compositeResponse: responses }, isSuccessful: !failed };
  });
  return { status: 200, body: new RawJson(toJson({ graphs: out }, 6)) };
}

export const compositeRoutes: Route[] = [
  { method: 'POST', pattern: /^\/composite\/batch\/?$/, key: 'POST /composite/batch', handler: batch },
  { method: 'POST', pattern: /^\/composite\/?$/, key: 'POST /composite', handler: composite },
  { method: 'POST', pattern: /^\/composite\/graph\/?$/, key: 'POST /composite/graph', handler: graph },
];
