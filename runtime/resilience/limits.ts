/**
 * API-limit tracking from `Sforce-Limit-Info` (`api-usage=N/M`, `per-app-api-usage=N/M(appName=x)`)
 * and `/limits`: current usage readable at any time, a warning past a threshold, and an optional
 * throttle that slows or refuses calls before the org's daily limit is hit.
 */
import { LimitError, safePath } from '../errors.js';
import { channels } from '../diagnostics.js';
import type { Interceptor, SfResponse } from '../transport/types.js';
import { sleep } from './sleep.js';

/** API usage as last reported. */
export interface ApiUsage {
  /** Requests used today and the daily limit (`api-usage`). */
  readonly used: number;
  readonly max: number;
  /** used / max */
  readonly ratio: number;
  /** `per-app-api-usage`, when the org reports it for this connected app. */
  readonly app?: { readonly name: string; readonly used: number; readonly max: number; readonly ratio: number } | undefined;
  /** Epoch ms of the report. */
  readonly updatedAt: number;
  /** `'header'` (Sforce-Limit-Info) or `'limits'` (the /limits resource). */
  readonly source: 'header' | 'limits';
}

export interface LimitsOptions {
  /** Warn (event + `onWarning`) when usage reaches this ratio of the daily limit. Default 0.8. */
  warnAt: number;
  onWarning?: ((usage: ApiUsage & { threshold: number }) => void) | undefined;
  /**
   * Optional throttle (off by default): above `slowAt` every call waits `delayMs` first; at or above
   * `refuseAt` calls fail with `LimitError` (errorCode `CLIENT_THROTTLED`) without being sent.
   */
  throttle?: { slowAt?: number; delayMs?: number; refuseAt?: number } | false | undefined;
}

export const DEFAULT_LIMITS: Readonly<LimitsOptions> = Object.freeze({ warnAt: 0.8, throttle: false });

const API_USAGE = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/i;
const PER_APP_USAGE = /per-app-api-usage=(\d+)\/(\d+)(?:\s*\(appName=([^)]*)\))?/i;

/** Parses `api-usage=10018/100000; per-app-api-usage=17/250(appName=sample-connected-app)`. */
export function parseLimitInfo(header: string, now = Date.now()): ApiUsage | undefined {
  const m = API_USAGE.exec(header);
  if (!m) return undefined;
  const used = Number(m[1]);
  const max = Number(m[2]);
  let app: ApiUsage['app'];
  if (header.includes('per-app-api-usage')) {
    const a = PER_APP_USAGE.exec(header);
    if (a) {
      const u = Number(a[1]);
      const x = Number(a[2]);
      app = { name: a[3] ?? '', used: u, max: x, ratio: x > 0 ? u / x : 0 };
    }
  }
  return { used, max, ratio: max > 0 ? used / max : 0, app, updatedAt: now, source: 'header' };
}

/** used/max of `api-usage=N/M` read without allocating (NaN when absent). */
function quickRatio(header: string): number {
  const at = header.indexOf('api-usage=');
  if (at < 0) return Number.NaN;
  let i = at + 10;
  let used = 0;
  let max = 0;
  for (let c = header.charCodeAt(i); c >= 48 && c <= 57; c = header.charCodeAt(++i)) used = used * 10 + (c - 48);
  if (header.charCodeAt(i) !== 47) return Number.NaN;
  for (let c = header.charCodeAt(++i); c >= 48 && c <= 57; c = header.charCodeAt(++i)) max = max * 10 + (c - 48);
  return max > 0 ? used / max : Number.NaN;
}

/** Tracks API usage for one client. */
export class LimitTracker {
  readonly options: LimitsOptions;
  #usage: ApiUsage | undefined;
  #warned = false;
  /** The newest `Sforce-Limit-Info` and when it came, parsed lazily (most responses only need a ratio check). */
  #pendingHeader: string | undefined;
  #pendingAt = 0;

  constructor(options: Partial<LimitsOptions> = {}) {
    this.options = { ...DEFAULT_LIMITS, ...options };
    const t = this.options.throttle;
    if (this.options.warnAt <= 0 || this.options.warnAt > 1) throw new RangeError(`limits.warnAt must be in (0, 1], got ${this.options.warnAt}`);
    if (t && t.slowAt !== undefined && t.refuseAt !== undefined && t.slowAt > t.refuseAt) {
      throw new RangeError('limits.throttle.slowAt must not be above refuseAt');
    }
  }

  /** The last reported usage, or undefined before the first response. */
  get usage(): ApiUsage | undefined {
    this.#flush();
    return this.#usage;
  }

  #flush(): void {
    const header = this.#pendingHeader;
    if (header === undefined) return;
    this.#pendingHeader = undefined;
    const usage = parseLimitInfo(header, this.#pendingAt);
    if (usage) this.record(usage);
  }

  /**
   * Notes a `Sforce-Limit-Info` header. Parsed at once only when it matters now (near the warning
   * threshold, an app quota reported, someone subscribed to usage events); otherwise on demand.
   */
  observeHeader(header: string): void {
    this.#pendingHeader = header;
    this.#pendingAt = Date.now();
    if (this.#warned || channels.limitUsage.hasSubscribers || header.includes('per-app')) return this.#flush();
    if (quickRatio(header) >= this.options.warnAt) this.#flush();
  }

  /** The ratio the throttle and the warning use: the higher of org and app usage. */
  static effectiveRatio(usage: ApiUsage): number {
    return Math.max(usage.ratio, usage.app?.ratio ?? 0);
  }

  record(usage: ApiUsage): void {
    this.#usage = usage;
    const ratio = LimitTracker.effectiveRatio(usage);
    if (channels.limitUsage.hasSubscribers) channels.limitUsage.publish({ used: usage.used, max: usage.max, ratio, app: usage.app });
    if (ratio >= this.options.warnAt) {
      if (!this.#warned) {
        this.#warned = true;
        const warning = { ...usage, threshold: this.options.warnAt };
        this.options.onWarning?.(warning);
        if (channels.limitWarning.hasSubscribers) channels.limitWarning.publish({ used: usage.used, max: usage.max, ratio, app: usage.app, threshold: this.options.warnAt });
      }
    } else {
      this.#warned = false; // a new day (or a raised limit) re-arms the warning
    }
  }

  /** Updates from the `/limits` resource (`DailyApiRequests: {Max, Remaining}`). */
  recordLimits(limits: Record<string, unknown>, now = Date.now()): void {
    const daily = limits.DailyApiRequests as { Max?: unknown; Remaining?: unknown } | undefined;
    if (daily && typeof daily.Max === 'number' && typeof daily.Remaining === 'number') {
      const used = daily.Max - daily.Remaining;
      this.record({ used, max: daily.Max, ratio: daily.Max > 0 ? used / daily.Max : 0, app: this.#usage?.app, updatedAt: now, source: 'limits' });
    }
  }

  /** Waits or refuses according to the throttle; `undefined` (no promise) when the call may go at once. */
  gate(request: { method: string; url: string; signal?: AbortSignal | undefined }): Promise<void> | undefined {
    if (!this.options.throttle || this.usage === undefined) return undefined;
    return this.#gate(request);
  }

  async #gate(request: { method: string; url: string; signal?: AbortSignal | undefined }): Promise<void> {
    const throttle = this.options.throttle;
    const usage = this.#usage;
    if (!throttle || usage === undefined) return;
    const ratio = LimitTracker.effectiveRatio(usage);
    if (throttle.refuseAt !== undefined && ratio >= throttle.refuseAt) {
      throw new LimitError({
        message: `API usage ${usage.used}/${usage.max}${usage.app ? ` (app ${usage.app.name}: ${usage.app.used}/${usage.app.max})` : ''} is at or above the throttle's refuseAt ${throttle.refuseAt}; call not sent`,
        errorCode: 'CLIENT_THROTTLED',
        request: { method: request.method, path: safePath(request.url) },
      });
    }
    if (throttle.slowAt !== undefined && ratio >= throttle.slowAt) {
      await sleep(throttle.delayMs ?? 1000, request.signal, { method: request.method, path: safePath(request.url) });
    }
  }
}

export function limitsInterceptor(tracker: LimitTracker): Interceptor {
  let lastHeader: string | undefined;
  const observe = (response: SfResponse): SfResponse => {
    const header = response.headers['sforce-limit-info'];
    if (header !== undefined && header !== lastHeader) {
      lastHeader = header;
      tracker.observeHeader(header);
    }
    return response;
  };
  return (next) => (request) => {
    const wait = tracker.gate(request);
    return wait ? wait.then(() => next(request)).then(observe) : next(request).then(observe);
  };
}
