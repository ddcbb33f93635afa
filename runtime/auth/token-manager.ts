/**
 * Caches the access token, refreshes it ahead of expiry, makes one token request however many
 * calls need a token at once, and replaces a token Salesforce rejected (once).
 */
import { channels } from '../diagnostics.js';
import type { AuthContext, AuthProvider, TokenInfo } from './types.js';

export interface TokenManagerOptions {
  /** Refresh this long before `expiresAt` (ms). Default 60 s. */
  refreshAheadMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * @example
 * ```ts
 * const tokens = new TokenManager(jwtBearer({...}), context);
 * const { accessToken, instanceUrl } = await tokens.getToken();
 * ```
 */
export class TokenManager {
  readonly provider: AuthProvider;
  readonly #context: AuthContext;
  readonly #refreshAheadMs: number;
  readonly #now: () => number;
  #current: TokenInfo | undefined;
  #inflight: Promise<TokenInfo> | undefined;
  #requests = 0;

  constructor(provider: AuthProvider, context: AuthContext, options: TokenManagerOptions = {}) {
    this.provider = provider;
    this.#context = context;
    this.#refreshAheadMs = options.refreshAheadMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** How many token requests the provider has been asked for (for tests and metrics). */
  get tokenRequests(): number {
    return this.#requests;
  }

  /** The cached token, if any (never triggers a request). */
  get current(): TokenInfo | undefined {
    return this.#current;
  }

  /** The cached token when it is usable without a refresh (synchronous fast path), else undefined. */
  peek(): TokenInfo | undefined {
    const current = this.#current;
    if (current === undefined) return undefined;
    if (current.expiresAt === undefined || current.expiresAt - this.#now() > this.#refreshAheadMs) return current;
    return undefined;
  }

  /** A usable token: the cached one, or a fresh one when none is cached or it is about to expire. */
  async getToken(): Promise<TokenInfo> {
    const current = this.#current;
    if (current === undefined) return this.#refresh('initial');
    if (current.expiresAt === undefined || current.expiresAt - this.#now() > this.#refreshAheadMs) return current;
    try {
      return await this.#refresh('expiring');
    } catch (err) {
      // Refresh ahead failed but the old token has not expired yet: keep using it.
      if (current.expiresAt > this.#now()) return current;
      throw err;
    }
  }

  /**
   * Called when Salesforce rejected `rejected` (401 `INVALID_SESSION_ID`). Returns a fresh token,
   * or the current one when another caller already replaced it, or `undefined` when the provider
   * cannot refresh.
   */
  async replaceRejected(rejected: TokenInfo): Promise<TokenInfo | undefined> {
    if (!this.provider.refreshable) return undefined;
    const current = this.#current;
    if (current !== undefined && current.accessToken !== rejected.accessToken) return current;
    if (this.#inflight) return this.#inflight;
    this.#current = undefined;
    return this.#refresh('rejected');
  }

  /** Forgets the cached token. */
  invalidate(): void {
    this.#current = undefined;
  }

  #refresh(reason: 'initial' | 'expiring' | 'rejected'): Promise<TokenInfo> {
    if (this.#inflight) return this.#inflight;
    this.#requests++;
    const started = performance.now();
    const publish = (ok: boolean): void => {
      if (channels.tokenRefresh.hasSubscribers) {
        channels.tokenRefresh.publish({ provider: this.provider.kind, reason, durationMs: performance.now() - started, ok });
      }
    };
    const flight = this.provider
      .fetchToken(this.#context)
      .then(
        (token) => {
          this.#current = token;
          publish(true);
          return token;
        },
        (err: unknown) => {
          publish(false);
          throw err;
        },
      )
      .finally(() => {
        if (this.#inflight === flight) this.#inflight = undefined;
      });
    this.#inflight = flight;
    return flight;
  }
}
