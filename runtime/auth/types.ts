import type { SecretRegistry } from './secrets.js';

/** An access token and where to use it. */
export interface TokenInfo {
  readonly accessToken: string;
  /** The instance the token is valid for (`https://mydomain.my.salesforce.com`). */
  readonly instanceUrl: string;
  /** Epoch ms after which the token must not be used; unknown for most Salesforce grants. */
  readonly expiresAt?: number | undefined;
  /** API version reported by the source (the sf CLI does), informational. */
  readonly apiVersion?: string | undefined;
}

/** What a provider may use to obtain a token. */
export interface AuthContext {
  /**
   * POSTs a form to an OAuth token endpoint and returns the parsed JSON; rejects with `AuthError`
   * on an OAuth error answer. The form values are registered as secrets.
   */
  postForm(url: string, form: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** Every secret the provider handles must be registered here. */
  readonly secrets: SecretRegistry;
  readonly allowInsecureLoopback: boolean;
}

/**
 * Obtains access tokens. `refreshable: false` means a rejected token cannot be replaced
 * (a static access token).
 */
export interface AuthProvider {
  /** Provider kind, for events and errors: `'jwt-bearer'`, `'refresh-token'`, ... */
  readonly kind: string;
  readonly refreshable: boolean;
  fetchToken(context: AuthContext, signal?: AbortSignal): Promise<TokenInfo>;
}
