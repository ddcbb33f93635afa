/**
 * Auth providers: a plain access token, OAuth 2.0 JWT bearer, refresh token, client credentials,
 * and the sf CLI's stored auth for an alias. Each only obtains tokens; caching, refresh ahead of
 * expiry, single-flight and replay on `INVALID_SESSION_ID` are the token manager's job.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { AuthError, ConfigError } from '../errors.js';
import { assertSecureUrl } from '../transport/security.js';
import type { AuthContext, AuthProvider, TokenInfo } from './types.js';

/** Production login host. Use `https://test.salesforce.com` or your My Domain for sandboxes. */
export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';

function tokenUrl(loginUrl: string, context: AuthContext): string {
  const url = assertSecureUrl(loginUrl, context.allowInsecureLoopback, 'loginUrl');
  return `${url.origin}/services/oauth2/token`;
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError({ message: `auth: ${what} is required` });
  return value;
}

/** Turns an OAuth token response into a `TokenInfo`, validating its shape. */
export function tokenFromResponse(body: Record<string, unknown>, provider: string, context: AuthContext, now = Date.now()): TokenInfo {
  const accessToken = body.access_token;
  const instanceUrl = body.instance_url;
  if (typeof accessToken !== 'string' || typeof instanceUrl !== 'string') {
    throw new AuthError({ message: `${provider}: the token response has no access_token or instance_url` });
  }
  context.secrets.add(accessToken);
  if (typeof body.refresh_token === 'string') context.secrets.add(body.refresh_token);
  assertSecureUrl(instanceUrl, context.allowInsecureLoopback, 'instance_url of the token response');
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : typeof body.expires_in === 'string' ? Number(body.expires_in) : undefined;
  return {
    accessToken,
    instanceUrl: instanceUrl.replace(/\/+$/, ''),
    expiresAt: expiresIn !== undefined && Number.isFinite(expiresIn) ? now + expiresIn * 1000 : undefined,
  };
}

/** Options of {@link staticToken}. */
export interface StaticTokenOptions {
  accessToken: string;
  instanceUrl: string;
}

/**
 * A fixed access token (from `SF_ACCESS_TOKEN`, a test, or your own flow). It cannot be refreshed:
 * when Salesforce rejects it, calls fail with `AuthError`.
 *
 * @example createClient({ auth: staticToken({ accessToken, instanceUrl: 'https://acme.my.salesforce.com' }) })
 */
export function staticToken(options: StaticTokenOptions): AuthProvider {
  const accessToken = requireString(options.accessToken, 'accessToken');
  const instanceUrl = requireString(options.instanceUrl, 'instanceUrl').replace(/\/+$/, '');
  return {
    kind: 'access-token',
    refreshable: false,
    async fetchToken(context) {
      context.secrets.add(accessToken);
      assertSecureUrl(instanceUrl, context.allowInsecureLoopback, 'instanceUrl');
      return { accessToken, instanceUrl };
    },
  };
}

/** Options of {@link jwtBearer}. */
export interface JwtBearerOptions {
  /** The connected app's consumer key (the assertion's `iss`). */
  clientId: string;
  /** The Salesforce username to act as (the assertion's `sub`). */
  username: string;
  /** PEM private key (PKCS#8 or PKCS#1) or a `KeyObject`; the connected app holds its certificate. */
  privateKey: string | KeyObject;
  /** Login host, default `https://login.salesforce.com`. The token request goes to `<loginUrl>/services/oauth2/token`. */
  loginUrl?: string;
  /** The assertion's `aud`; defaults to the login URL's origin. */
  audience?: string;
  /** Assertion lifetime in seconds (Salesforce allows at most 3 minutes). Default 180. */
  assertionLifetimeSeconds?: number;
}

/**
 * OAuth 2.0 JWT bearer flow: signs an RS256 assertion (iss = client id, sub = username,
 * aud = login URL, exp = now + 3 min) and exchanges it for an access token.
 *
 * @example
 * ```ts
 * const auth = jwtBearer({ clientId: process.env.SF_CLIENT_ID!, username: 'ci@acme.com',
 *   privateKey: await readFile('server.key', 'utf8'), loginUrl: 'https://test.salesforce.com' });
 * ```
 */
export function jwtBearer(options: JwtBearerOptions): AuthProvider {
  const clientId = requireString(options.clientId, 'clientId');
  const username = requireString(options.username, 'username');
  const loginUrl = options.loginUrl ?? DEFAULT_LOGIN_URL;
  const lifetime = options.assertionLifetimeSeconds ?? 180;
  let key: KeyObject;
  try {
    key = typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  } catch (err) {
    // The message names the option, never the key material.
    throw new ConfigError({ message: `auth: privateKey is not a valid PEM private key (${(err as Error).message.split('\n')[0]})` });
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError({ message: 'auth: privateKey must be an RSA private key (RS256)' });
  }
  return {
    kind: 'jwt-bearer',
    refreshable: true,
    async fetchToken(context, signal) {
      const url = tokenUrl(loginUrl, context);
      const audience = options.audience ?? new URL(loginUrl).origin;
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(clientId)
        .setSubject(username)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + lifetime)
        .sign(key);
      context.secrets.add(assertion);
      const body = await context.postForm(url, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, signal);
      return tokenFromResponse(body, 'jwt-bearer', context);
    },
  };
}

/** Options of {@link refreshToken}. */
export interface RefreshTokenOptions {
  clientId: string;
  /** Required by connected apps that demand it. */
  clientSecret?: string;
  refreshToken: string;
  loginUrl?: string;
}

/**
 * OAuth 2.0 refresh-token grant: exchanges a stored refresh token for access tokens as needed.
 *
 * @example refreshToken({ clientId, clientSecret, refreshToken: process.env.SF_REFRESH_TOKEN! })
 */
export function refreshToken(options: RefreshTokenOptions): AuthProvider {
  const clientId = requireString(options.clientId, 'clientId');
  const token = requireString(options.refreshToken, 'refreshToken');
  const loginUrl = options.loginUrl ?? DEFAULT_LOGIN_URL;
  return {
    kind: 'refresh-token',
    refreshable: true,
    async fetchToken(context, signal) {
      context.secrets.add(token);
      context.secrets.add(options.clientSecret);
      const form: Record<string, string> = { grant_type: 'refresh_token', client_id: clientId, refresh_token: token };
      if (options.clientSecret) form.client_secret = options.clientSecret;
      const body = await context.postForm(tokenUrl(loginUrl, context), form, signal);
      return tokenFromResponse(body, 'refresh-token', context);
    },
  };
}

/** Options of {@link clientCredentials}. */
export interface ClientCredentialsOptions {
  clientId: string;
  clientSecret: string;
  /** Your My Domain URL (the client credentials flow does not work on login.salesforce.com). */
  loginUrl: string;
}

/**
 * OAuth 2.0 client credentials grant (a connected app with a run-as user).
 *
 * @example clientCredentials({ clientId, clientSecret, loginUrl: 'https://acme.my.salesforce.com' })
 */
export function clientCredentials(options: ClientCredentialsOptions): AuthProvider {
  const clientId = requireString(options.clientId, 'clientId');
  const clientSecret = requireString(options.clientSecret, 'clientSecret');
  const loginUrl = requireString(options.loginUrl, 'loginUrl');
  return {
    kind: 'client-credentials',
    refreshable: true,
    async fetchToken(context, signal) {
      context.secrets.add(clientSecret);
      const body = await context.postForm(
        tokenUrl(loginUrl, context),
        { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
        signal,
      );
      return tokenFromResponse(body, 'client-credentials', context);
    },
  };
}

/** Options of {@link sfCliAlias}. */
export interface SfCliAliasOptions {
  /** The alias or username given to `sf org login ...`. */
  alias: string;
  /** The sf executable, default `sf` on PATH. */
  command?: string;
  /** Kill the CLI after this long (ms). Default 60 s. */
  timeoutMs?: number;
}

/**
 * The sf CLI's stored auth for an alias: runs `sf org display --json --target-org ALIAS`. The CLI
 * refreshes its own stored token, so a rejected token is replaced by running it again.
 *
 * @example createClient({ auth: sfCliAlias({ alias: 'my-sandbox' }) })
 */
export function sfCliAlias(options: SfCliAliasOptions): AuthProvider {
  const alias = requireString(options.alias, 'alias');
  const command = options.command ?? 'sf';
  return {
    kind: 'sf-cli',
    refreshable: true,
    fetchToken(context, signal) {
      return new Promise<TokenInfo>((resolve, reject) => {
        execFile(
          command,
          ['org', 'display', '--json', '--target-org', alias],
          { timeout: options.timeoutMs ?? 60_000, maxBuffer: 4 * 1024 * 1024, signal, windowsHide: true },
          (err, stdout) => {
            let parsed: { status?: unknown; message?: unknown; name?: unknown; result?: Record<string, unknown> } | undefined;
            try {
              parsed = JSON.parse(String(stdout)) as typeof parsed;
            } catch {
              parsed = undefined;
            }
            const result = parsed?.result;
            if (result && typeof result.accessToken === 'string' && typeof result.instanceUrl === 'string') {
              context.secrets.add(result.accessToken);
              try {
                assertSecureUrl(result.instanceUrl, context.allowInsecureLoopback, `instanceUrl of sf org ${alias}`);
              } catch (e) {
                reject(e);
                return;
              }
              resolve({
                accessToken: result.accessToken,
                instanceUrl: result.instanceUrl.replace(/\/+$/, ''),
                apiVersion: typeof result.apiVersion === 'string' ? result.apiVersion : undefined,
              });
              return;
            }
            // Never echo stdout: it may hold a token. The CLI's own message is safe.
            const reason =
              typeof parsed?.message === 'string' ? parsed.message
              : err && (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the sf CLI (${command}) is not installed or not on PATH`
              : err ? err.message.split('\n')[0] ?? 'failed'
              : 'unexpected output';
            reject(new AuthError({ message: `sf org display --target-org ${alias}: ${reason}`, errorCode: typeof parsed?.name === 'string' ? parsed.name : undefined }));
          },
        );
      });
    },
  };
}
