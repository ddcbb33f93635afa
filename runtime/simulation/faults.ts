/**
 * Fault injection: make chosen requests fail the way a real org (or the gateways in front of it)
 * does on a bad day: an error status with Salesforce's error body, `Retry-After`, an HTML error
 * page, a dropped connection, a delay, or an expired session.
 */
import { sfError } from './errors.js';

/** What a fault matches and what it does. */
export interface FaultSpec {
  /**
   * Which requests: a RegExp tested against the path (`/services/data/v60.0/query`) and against
   * `METHOD path` (`GET /services/data/v60.0/query`), or a string that must equal the path or
   * `METHOD path`. Omit for every request.
   */
  readonly route?: RegExp | string;
  /** Only this HTTP method (upper case). */
  readonly method?: string;
  /** How many matching requests to fault (default 1; `Infinity` for all). */
  readonly times?: number;
  /** Let this many matching requests through before faulting (default 0). */
  readonly after?: number;
  /** Answer with this status (and Salesforce's error body for it unless `body`/`html` is given). */
  readonly status?: number;
  /** Error code and message of the default error body. */
  readonly errorCode?: string;
  readonly message?: string;
  /** A JSON body to answer with instead of the default error array. */
  readonly body?: unknown;
  /** Answer with an HTML page (a string, or `true` for a gateway-style page). */
  readonly html?: boolean | string;
  /** `Retry-After` header value (seconds or an HTTP date). */
  readonly retryAfter?: number | string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Destroy the connection without answering (the client sees a reset / socket hang up), before
   * the request is processed: nothing happened on the server.
   */
  readonly reset?: boolean;
  /**
   * Process the request (a create really creates), then destroy the connection instead of
   * answering: the client cannot know whether its write happened.
   */
  readonly resetAfterProcessing?: boolean;
  /** Wait this long first; without `status`/`reset`/`expireSession`, the request then proceeds normally. */
  readonly delayMs?: number;
  /** Expire the request's session (and answer 401 INVALID_SESSION_ID). */
  readonly expireSession?: boolean;
  /**
   * Answer normally, but send only this many bytes of the body (`Content-Length` still promises
   * all of it), then destroy the connection: a download cut mid-body.
   */
  readonly cutAfterBytes?: number;
  /**
   * For a streamed upload (Bulk API 2.0 `PUT .../batches`): read this many bytes of the request
   * body, then destroy the connection. Nothing of the upload is kept. (`reset` resets before any
   * of the body is read.)
   */
  readonly resetAfterBytes?: number;
  /**
   * Bulk API 2.0: the request (closing an ingest job with `UploadComplete`, or creating a query
   * job) succeeds, but the job then ends `Failed` with this `errorMessage`, after processing
   * `afterRows` rows (default 0; the rest stay unprocessed).
   */
  readonly failJob?: string | { readonly message?: string; readonly afterRows?: number };
}

/** A registered fault: how often it fired, and a way to remove it. */
export interface Fault {
  readonly spec: FaultSpec;
  /** Matching requests seen so far. */
  readonly seen: number;
  /** Times it fired so far. */
  readonly fired: number;
  /** Whether it will still fire. */
  readonly active: boolean;
  remove(): void;
}

/** The action the HTTP layer takes for a faulted request. */
export interface FaultAction {
  readonly delayMs: number;
  readonly reset: boolean;
  readonly resetAfter: boolean;
  readonly expireSession: boolean;
  readonly cutAfterBytes?: number;
  readonly resetAfterBytes?: number;
  readonly failJob?: { readonly message: string; readonly afterRows: number };
  readonly response?: { status: number; headers: Record<string, string>; body: string; contentType: string };
}

const DEFAULT_ERRORS: Record<number, [string, string]> = {
  400: ['BAD_REQUEST', 'Bad request'],
  401: ['INVALID_SESSION_ID', 'Session expired or invalid'],
  403: ['REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'],
  404: ['NOT_FOUND', 'The requested resource does not exist'],
  409: ['UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record or 1 records'],
  420: ['REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'],
  429: ['REQUEST_LIMIT_EXCEEDED', 'Too many requests.'],
  500: ['UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)'],
  502: ['SERVER_UNAVAILABLE', 'Bad gateway'],
  503: ['SERVER_UNAVAILABLE', 'Server temporarily unavailable'],
  504: ['REQUEST_TIMEOUT', 'Gateway timeout'],
};

function htmlPage(status: number): string {
  return `<!DOCTYPE html>\n<html><head><title>${status} Service Unavailable</title></head>\n<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request. Please try again later.</p></body></html>\n`;
}

class FaultEntry implements Fault {
  seen = 0;
  fired = 0;
  removed = false;
  constructor(readonly spec: FaultSpec, private readonly owner: FaultRegistry) {}
  get active(): boolean {
    return !this.removed && this.fired < (this.spec.times ?? 1);
  }
  remove(): void {
    this.removed = true;
    this.owner.delete(this);
  }
  matches(method: string, path: string): boolean {
    if (this.spec.method !== undefined && this.spec.method.toUpperCase() !== method) return false;
    const r = this.spec.route;
    if (r === undefined) return true;
    const full = `${method} ${path}`;
    if (typeof r === 'string') return r === path || r === full;
    r.lastIndex = 0;
    if (r.test(path)) return true;
    r.lastIndex = 0;
    return r.test(full);
  }
}

/**
 * The simulator's faults. The first active fault matching a request fires.
 *
 * @example
 * ```ts
 * sim.faults.add({ route: /\/query/, status: 503, retryAfter: 1, times: 2 });
 * sim.faults.add({ method: 'POST', route: /\/sobjects\/Account$/, reset: true });
 * sim.faults.add({ method: 'POST', route: /\/sobjects\/Account$/, resetAfterProcessing: true });
 * sim.faults.add({ route: /\/jobs\/query\/[^/]+\/results/, cutAfterBytes: 1000 }); // download cut mid-body
 * sim.faults.add({ method: 'PUT', route: /\/batches$/, resetAfterBytes: 65536 });  // upload reset
 * sim.faults.add({ method: 'PATCH', route: /\/jobs\/ingest\//, failJob: { afterRows: 10 } });
 * sim.faults.expireSessionsAfter(3); // the 4th data request gets 401 INVALID_SESSION_ID
 * ```
 */
export class FaultRegistry {
  private entries: FaultEntry[] = [];
  private expireAfter: number | undefined;

  /** Register a fault. */
  add(spec: FaultSpec): Fault {
    if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)) {
      throw new RangeError(`fault status must be an HTTP status code, got ${spec.status}`);
    }
    for (const k of ['cutAfterBytes', 'resetAfterBytes'] as const) {
      const v = spec[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new RangeError(`fault ${k} must be a non-negative integer, got ${v}`);
    }
    const e = new FaultEntry(spec, this);
    this.entries.push(e);
    return e;
  }

  /** Remove every fault and any pending session expiry. */
  clear(): void {
    this.entries = [];
    this.expireAfter = undefined;
  }

  /** After `n` more authenticated data requests, every issued access token expires. */
  expireSessionsAfter(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`expireSessionsAfter needs a non-negative integer, got ${n}`);
    this.expireAfter = n;
  }

  /** @internal Called for each authenticated data request; true when sessions must expire now. */
  countSessionUse(): boolean {
    if (this.expireAfter === undefined) return false;
    if (this.expireAfter === 0) {
      this.expireAfter = undefined;
      return true;
    }
    this.expireAfter -= 1;
    return false;
  }

  /** @internal */
  delete(entry: FaultEntry): void {
    this.entries = this.entries.filter((e) => e !== entry);
  }

  /** @internal The action for a request, or `undefined` when no fault fires. */
  match(method: string, path: string): FaultAction | undefined {
    for (const e of this.entries) {
      if (!e.active || !e.matches(method, path)) continue;
      e.seen += 1;
      if (e.seen <= (e.spec.after ?? 0)) continue;
      e.fired += 1;
      return this.action(e.spec);
    }
    return undefined;
  }

  private action(spec: FaultSpec): FaultAction {
    const delayMs = spec.delayMs ?? 0;
    const resetAfter = spec.resetAfterProcessing === true;
    if (spec.reset === true || resetAfter || spec.expireSession === true || (spec.status === undefined && spec.html === undefined)) {
      const failJob =
        spec.failJob === undefined
          ? undefined
          : typeof spec.failJob === 'string'
            ? { message: spec.failJob, afterRows: 0 }
            : { message: spec.failJob.message ?? 'InternalServerError : the job failed (injected fault)', afterRows: spec.failJob.afterRows ?? 0 };
      return {
        delayMs,
        reset: spec.reset === true,
        resetAfter,
        expireSession: spec.expireSession === true,
        cutAfterBytes: spec.cutAfterBytes,
        resetAfterBytes: spec.resetAfterBytes,
        failJob,
      };
    }
    const status = spec.status ?? 503;
    const headers: Record<string, string> = { ...(spec.headers ?? {}) };
    if (spec.retryAfter !== undefined) headers['Retry-After'] = String(spec.retryAfter);
    if (spec.html !== undefined && spec.html !== false) {
      const body = typeof spec.html === 'string' ? spec.html : htmlPage(status);
      return { delayMs, reset: false, resetAfter: false, expireSession: false, response: { status, headers, body, contentType: 'text/html;charset=UTF-8' } };
    }
    const [code, message] = DEFAULT_ERRORS[status] ?? ['UNKNOWN_EXCEPTION', `HTTP ${status}`];
    const body = spec.body !== undefined ? spec.body : [sfError(spec.errorCode ?? code, spec.message ?? message)];
    return {
      delayMs,
      reset: false,
      resetAfter: false,
      expireSession: false,
      response: { status, headers, body: JSON.stringify(body), contentType: 'application/json;charset=UTF-8' },
    };
  }
}
