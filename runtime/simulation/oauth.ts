/**
 * OAuth 2.0 for the simulator: the token endpoint (`POST /services/oauth2/token`) with the JWT
 * bearer, refresh token and client credentials grants, and the registry of issued access tokens
 * that bearer auth checks. Tokens are random and never appear in errors or messages.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { errors as joseErrors, importJWK, importSPKI, importX509, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { SimHttpError } from './errors.js';

/** A user the simulator can issue tokens for. */
export interface SimUser {
  readonly username: string;
  readonly userId: string;
}

/** What bearer auth resolved a token to. */
export interface SessionInfo {
  readonly user: SimUser;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Resolved OAuth configuration (see `SimulatorAuthOptions` for the user-facing form). */
export interface OAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** PEM (SPKI public key or X.509 certificate) or a public JWK; JWT bearer is refused without one. */
  readonly jwtPublicKey: string | JWK | undefined;
  readonly users: readonly SimUser[];
  /** Refresh tokens registered up front -> username (more are minted by the authorization-code grant). */
  readonly refreshTokens: ReadonlyMap<string, string>;
  /** User that client-credentials tokens run as. */
  readonly clientCredentialsUser: string;
  readonly tokenLifetimeMs: number;
  readonly orgId: string;
  readonly scope: string;
  /** Audiences accepted in JWT assertions (login URLs); the simulator adds its own URL. */
  readonly audiences: readonly string[];
}

const oauthError = (status: number, error: string, description: string): SimHttpError =>
  SimHttpError.withBody(status, { error, error_description: description }, `${error}: ${description}`);

/** Issued access tokens and the token endpoint's grant logic. */
/** An authorization code handed out by `/services/oauth2/authorize`, waiting for its token request. */
interface PendingCode {
  readonly username: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string | undefined;
  readonly expiresAt: number;
}

/** Lifetime of an authorization code (Salesforce: 15 minutes). */
const CODE_LIFETIME_MS = 15 * 60 * 1000;

export class TokenService {
  private readonly sessions = new Map<string, SessionInfo>();
  private readonly refreshTokens: Map<string, string>;
  private readonly codes = new Map<string, PendingCode>();
  private keyPromise: Promise<CryptoKey | Uint8Array> | undefined;
  private readonly signingSecret = randomBytes(32);
  private readonly extraAudiences: string[] = [];

  constructor(
    private readonly config: OAuthConfig,
    private readonly instanceUrl: () => string,
    private readonly now: () => number,
  ) {
    this.refreshTokens = new Map(config.refreshTokens);
  }

  /** Accept `token` in refresh-token grants, acting as `username` (the default user without one). */
  registerRefreshToken(token: string, username?: string): void {
    const user = username === undefined ? this.defaultUser : this.findUser(username);
    if (user === undefined) throw new Error(`cannot register a refresh token for unknown user ${username ?? ''}`);
    if (token.length < 8) throw new Error('a refresh token must have at least 8 characters');
    this.refreshTokens.set(token, user.username);
  }

  /**
   * The authorization endpoint without a login page: approves at once for the user named by
   * `login_hint` (default user otherwise) and answers with the redirect Salesforce would send,
   * `redirect_uri?code=...&state=...`. Errors are OAuth error objects (400).
   */
  authorize(query: URLSearchParams): string {
    const responseType = query.get('response_type');
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    if (clientId !== this.config.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (redirectUri === null || !/^[a-z][a-z0-9+.-]*:/i.test(redirectUri)) throw oauthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    if (responseType !== 'code') throw oauthError(400, 'unsupported_response_type', 'response type not supported');
    const hint = query.get('login_hint');
    const user = hint === null ? this.defaultUser : this.findUser(hint);
    if (user === undefined) throw oauthError(400, 'invalid_request', 'login_hint names no user of this org');
    const challenge = query.get('code_challenge') ?? undefined;
    const code = `aPrx${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, { username: user.username, clientId, redirectUri, codeChallenge: challenge, expiresAt: this.now() + CODE_LIFETIME_MS });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return target.toString();
  }

  /** Accept one more JWT audience (the simulator's own URL once it listens). */
  addAudience(audience: string): void {
    this.extraAudiences.push(audience);
  }

  /** Issue an access token for a user (the default user without a name). */
  issue(username?: string, lifetimeMs = this.config.tokenLifetimeMs): string {
    const user = username === undefined ? this.config.users[0] : this.findUser(username);
    if (user === undefined) throw new Error(username === undefined ? 'the simulator has no users' : `unknown user ${username}`);
    const token = `${this.config.orgId.slice(0, 15)}!${randomBytes(36).toString('base64url')}`;
    const issuedAt = this.now();
    this.sessions.set(token, { user, issuedAt, expiresAt: issuedAt + lifetimeMs });
    return token;
  }

  /** The session of a bearer token, or `undefined` when unknown or expired. */
  session(token: string): SessionInfo | undefined {
    const s = this.sessions.get(token);
    if (s === undefined) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return s;
  }

  /** Invalidate one token, or every token when none is given. */
  revoke(token?: string): void {
    if (token === undefined) this.sessions.clear();
    else this.sessions.delete(token);
  }

  /** Forget a refresh token; whether it was known. */
  revokeRefreshToken(token: string): boolean {
    return this.refreshTokens.delete(token);
  }

  /** Number of live sessions (for tests). */
  sessionCount(): number {
    return this.sessions.size;
  }

  get orgId(): string {
    return this.config.orgId;
  }

  get defaultUser(): SimUser {
    const u = this.config.users[0];
    if (u === undefined) throw new Error('the simulator has no users');
    return u;
  }

  findUser(username: string): SimUser | undefined {
    const key = username.toLowerCase();
    return this.config.users.find((u) => u.username.toLowerCase() === key);
  }

  /** Handle a token request (form fields already parsed). Returns Salesforce's token response. */
  async grant(form: URLSearchParams, basicAuth: { id: string; secret: string } | undefined): Promise<Record<string, string>> {
    const grantType = form.get('grant_type');
    switch (grantType) {
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
        return this.jwtBearer(form.get('assertion'));
      case 'refresh_token':
        return this.refresh(form, basicAuth);
      case 'authorization_code':
        return this.authorizationCode(form, basicAuth);
      case 'client_credentials':
        return this.clientCredentials(form, basicAuth);
      default:
        throw oauthError(400, 'unsupported_grant_type', 'grant type not supported');
    }
  }

  private respond(user: SimUser, extra: Record<string, string> = {}): Record<string, string> {
    const token = this.issue(user.username);
    const issuedAt = String(this.sessions.get(token)!.issuedAt);
    const id = `${this.instanceUrl()}/id/${this.config.orgId}/${user.userId}`;
    const signature = createHmac('sha256', this.signingSecret).update(id + issuedAt).digest('base64');
    return {
      access_token: token,
      ...extra,
      signature,
      scope: this.config.scope,
      instance_url: this.instanceUrl(),
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
  }

  private async key(): Promise<CryptoKey | Uint8Array> {
    const material = this.config.jwtPublicKey;
    if (material === undefined) throw oauthError(400, 'invalid_grant', 'invalid assertion: no certificate is configured for this client');
    this.keyPromise ??= (async () => {
      if (typeof material !== 'string') return importJWK(material, 'RS256');
      if (material.includes('BEGIN CERTIFICATE')) return importX509(material, 'RS256');
      return importSPKI(material, 'RS256');
    })();
    return this.keyPromise;
  }

  private async jwtBearer(assertion: string | null): Promise<Record<string, string>> {
    if (!assertion) throw oauthError(400, 'invalid_grant', 'invalid assertion');
    const key = await this.key();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(assertion, key, {
        algorithms: ['RS256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['iss', 'sub', 'aud', 'exp'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw oauthError(400, 'invalid_grant', 'expired authorization code');
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        throw oauthError(400, 'invalid_grant', `invalid assertion: missing or invalid claim "${error.claim}"`);
      }
      throw oauthError(400, 'invalid_grant', 'invalid assertion');
    }
    if (payload.iss !== this.config.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const accepted = new Set([...this.config.audiences, ...this.extraAudiences].flatMap((a) => [a, a.replace(/\/$/, ''), `${a.replace(/\/$/, '')}/`]));
    if (!aud.some((a) => typeof a === 'string' && accepted.has(a))) throw oauthError(400, 'invalid_grant', 'audience is invalid');
    const user = typeof payload.sub === 'string' ? this.findUser(payload.sub) : undefined;
    if (user === undefined) throw oauthError(400, 'invalid_grant', "user hasn't approved this consumer");
    return this.respond(user);
  }

  private clientOf(form: URLSearchParams, basicAuth: { id: string; secret: string } | undefined): { id: string | null; secret: string | null } {
    return { id: basicAuth?.id ?? form.get('client_id'), secret: basicAuth?.secret ?? form.get('client_secret') };
  }

  private refresh(form: URLSearchParams, basicAuth: { id: string; secret: string } | undefined): Record<string, string> {
    const client = this.clientOf(form, basicAuth);
    if (client.id !== this.config.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (client.secret !== null && this.config.clientSecret !== undefined && client.secret !== this.config.clientSecret) {
      throw oauthError(400, 'invalid_client', 'invalid client credentials');
    }
    const refreshToken = form.get('refresh_token');
    const username = refreshToken === null ? undefined : this.refreshTokens.get(refreshToken);
    const user = username === undefined ? undefined : this.findUser(username);
    if (user === undefined) throw oauthError(400, 'invalid_grant', 'expired access/refresh token');
    return this.respond(user);
  }

  /** The web-server flow's token request: the answer carries a new refresh token (scope `refresh_token`). */
  private authorizationCode(form: URLSearchParams, basicAuth: { id: string; secret: string } | undefined): Record<string, string> {
    const client = this.clientOf(form, basicAuth);
    if (client.id !== this.config.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (client.secret !== null && this.config.clientSecret !== undefined && client.secret !== this.config.clientSecret) {
      throw oauthError(400, 'invalid_client', 'invalid client credentials');
    }
    const code = form.get('code');
    const pending = code === null ? undefined : this.codes.get(code);
    if (code !== null) this.codes.delete(code); // single use, even when the request fails
    if (pending === undefined || pending.expiresAt <= this.now() || pending.clientId !== client.id) {
      throw oauthError(400, 'invalid_grant', 'invalid authorization code');
    }
    if (form.get('redirect_uri') !== pending.redirectUri) throw oauthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    if (pending.codeChallenge !== undefined) {
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) {
        throw oauthError(400, 'invalid_grant', 'invalid code verifier');
      }
    }
    const user = this.findUser(pending.username);
    if (user === undefined) throw oauthError(400, 'invalid_grant', 'invalid authorization code');
    const refreshToken = `5Aep${randomBytes(40).toString('base64url')}`;
    this.refreshTokens.set(refreshToken, user.username);
    return this.respond(user, { refresh_token: refreshToken });
  }

  private clientCredentials(form: URLSearchParams, basicAuth: { id: string; secret: string } | undefined): Record<string, string> {
    const client = this.clientOf(form, basicAuth);
    if (client.id !== this.config.clientId) throw oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (this.config.clientSecret === undefined || client.secret !== this.config.clientSecret) {
      throw oauthError(400, 'invalid_client', 'invalid client credentials');
    }
    const user = this.findUser(this.config.clientCredentialsUser);
    if (user === undefined) throw oauthError(400, 'invalid_grant', 'no client credentials user enabled');
    return this.respond(user);
  }
}
