/**
 * Routing for the data API (`/services/data/vXX.X/...`). Handlers are synchronous functions of a
 * {@link SimRequest}; the HTTP server and the composite resources both dispatch through here, so a
 * subrequest behaves exactly like the same request sent alone.
 */
import { notFound, sfError, SimHttpError } from './errors.js';
import type { SessionInfo } from './oauth.js';
import type { SimOrg } from './store.js';

/** A data-API request, HTTP framing removed. */
export interface SimRequest {
  readonly method: string;
  /** Path below `/services/data/vXX.X`, starting with `/` (`/sobjects/Account/describe`), or ''. */
  readonly path: string;
  /** The API version of the request (`60.0`). */
  readonly version: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body text, if any. */
  readonly body: string | undefined;
  readonly session: SessionInfo;
  /** True when dispatched from a composite or batch request. */
  readonly sub: boolean;
}

/** A non-JSON response body (blob fields such as `Attachment.Body`). */
export class BinaryBody {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
  ) {}
}

/** A data-API response: the JSON body (`undefined` for none; a {@link BinaryBody} for bytes) and extra headers. */
export interface SimResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** What handlers can reach besides the request. */
export interface RouteContext {
  readonly org: SimOrg;
  /** `/services/data/v60.0` for the request's version. */
  base(version: string): string;
  /** The identity URL of a user (`http://127.0.0.1:PORT/id/<orgId>/<userId>`). */
  identityUrl(userId: string): string;
  /** Newest API version served. */
  readonly latestVersion: string;
  readonly pageSize: number;
  /** Child subquery rows delivered inline per parent record; more are paged with their own locator. */
  readonly childPageSize: number;
  readonly maxQueryCursors: number;
  /**
   * How long a query locator stays valid after the query ran (ms), its last page included: since
   * API 56.0 Salesforce keeps cursors and their results for two days.
   */
  readonly queryCursorTtlMs: number;
  /** Dispatch a request through the router (composite subrequests). */
  dispatch(req: SimRequest): SimResponse;
  /** Query cursors (locator -> remaining rows). */
  readonly cursors: Map<string, QueryCursor>;
  /** Mint a query locator id. */
  nextLocator(): string;
  /** Daily API usage so far and the limit. */
  apiUsage(): { used: number; max: number };
  readonly limits: Readonly<Record<string, unknown>>;
  /** The simulator's clock (ms since epoch). */
  now(): number;
}

/** Rows of a query not yet returned. */
export interface QueryCursor {
  readonly rows: readonly object[];
  readonly totalSize: number;
  readonly batchSize: number;
  readonly username: string;
  /** Rows may hold child subquery envelopes to page (false skips the scan: plain queries). */
  readonly children?: boolean;
  /** When the locator stops being valid (simulator clock, ms since epoch). */
  readonly expiresAt?: number;
}

export type Handler = (req: SimRequest, params: readonly string[], ctx: RouteContext) => SimResponse;

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  /** A stable name for stats (`GET /sobjects/{name}/describe`). */
  readonly key: string;
  readonly handler: Handler;
}

/** A route table with Salesforce's 404/405 answers. */
export class Router {
  constructor(private readonly routes: readonly Route[]) {}

  /** The stats key of the route a request would take (`undefined` when none matches). */
  routeKey(method: string, path: string): string | undefined {
    return this.routes.find((r) => r.method === method && r.pattern.test(path))?.key;
  }

  dispatch(req: SimRequest, ctx: RouteContext): SimResponse {
    let allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(req.path);
      if (!m) continue;
      if (route.method !== req.method) {
        allowed.push(route.method);
        continue;
      }
      const params = m.slice(1).map((p) => decodeURIComponent(p ?? ''));
      try {
        return route.handler(req, params, ctx);
      } catch (error) {
        if (error instanceof SimHttpError) return { status: error.status, headers: error.headers, body: error.body };
        throw error;
      }
    }
    allowed = [...new Set(allowed)];
    if (allowed.length > 0) {
      return {
        status: 405,
        headers: { Allow: allowed.join(', ') },
        body: [sfError('METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are ${allowed.join(',')}`)],
      };
    }
    const e = notFound();
    return { status: e.status, body: e.body };
  }
}
