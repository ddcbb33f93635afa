/**
 * Connecting to a live org through the runtime client (`createClient` over the runtime's own
 * transport and auth providers): an sf CLI alias, a static instance URL + token, or the JWT
 * bearer flow. The result is the small {@link MetadataHttp} the live source speaks. Secrets never
 * appear in messages (the runtime redacts them; this module never prints them).
 */
import { readFile } from 'node:fs/promises';
import { clientCredentials, createClient, jwtBearer, refreshToken, sfCliAlias, staticToken, SalesforceError, type AuthProvider, type SalesforceClient } from 'sfgen/runtime';
import { MetadataError } from './errors.js';
import type { MetadataHttp, MetadataHttpResponse } from './http.js';

/** How to authenticate against a live org. Tokens are held here only, never printed. */
export type OrgAuth =
  | { readonly kind: 'sfCli'; readonly alias: string; readonly command?: string }
  | { readonly kind: 'token'; readonly instanceUrl: string; readonly accessToken: string }
  | { readonly kind: 'jwt'; readonly clientId: string; readonly username: string; readonly keyFile: string; readonly loginUrl: string }
  | { readonly kind: 'refreshToken'; readonly clientId: string; readonly clientSecret?: string; readonly refreshToken: string; readonly loginUrl: string }
  | { readonly kind: 'clientCredentials'; readonly clientId: string; readonly clientSecret: string; readonly loginUrl: string };

/** A connected org: the HTTP surface plus a way to release pooled connections. */
export interface OrgConnection {
  readonly http: MetadataHttp;
  /** The runtime client (the Pub/Sub client for event discovery is built on it). */
  readonly client: SalesforceClient;
  close(): Promise<void>;
}

function describeAuth(auth: OrgAuth): string {
  switch (auth.kind) {
    case 'sfCli':
      return `sf org alias '${auth.alias}'`;
    case 'token':
      return `org ${auth.instanceUrl}`;
    case 'jwt':
      return `JWT login of ${auth.username} at ${auth.loginUrl}`;
    case 'refreshToken':
      return `refresh-token login at ${auth.loginUrl}`;
    case 'clientCredentials':
      return `client-credentials login at ${auth.loginUrl}`;
  }
}

/** Maps a runtime error to a {@link MetadataError} naming `where`. */
export function toMetadataError(error: unknown, where: string): MetadataError {
  if (error instanceof MetadataError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SalesforceError) {
    switch (error.code) {
      case 'SF_AUTH':
        return new MetadataError('AUTH_REJECTED', `Authentication failed for ${where}: ${message}`, where, { cause: error });
      case 'SF_NETWORK':
      case 'SF_TIMEOUT':
      case 'SF_CIRCUIT_OPEN':
        return new MetadataError('UNREACHABLE', `Cannot reach ${where}: ${message}`, where, { cause: error });
      case 'SF_CONFIG':
        return new MetadataError('NO_CREDENTIALS', `Invalid org settings for ${where}: ${message}`, where, { cause: error });
      default:
        return new MetadataError('REQUEST_FAILED', `${where}: ${message}`, where, { cause: error });
    }
  }
  return new MetadataError('UNREACHABLE', `Cannot reach ${where}: ${message}`, where, { cause: error });
}

/** The runtime auth provider of an {@link OrgAuth} (reads the JWT key file). */
export async function provider(auth: OrgAuth): Promise<AuthProvider> {
  switch (auth.kind) {
    case 'token':
      return staticToken({ instanceUrl: auth.instanceUrl, accessToken: auth.accessToken });
    case 'sfCli':
      return sfCliAlias({ alias: auth.alias, ...(auth.command !== undefined && { command: auth.command }) });
    case 'jwt': {
      let privateKey: string;
      try {
        privateKey = await readFile(auth.keyFile, 'utf8');
      } catch (error) {
        throw new MetadataError('MISSING_FILE', `Cannot read the JWT private key file ${auth.keyFile} (SF_JWT_KEY_FILE): ${(error as NodeJS.ErrnoException).code ?? 'error'}`, auth.keyFile, { cause: error });
      }
      return jwtBearer({ clientId: auth.clientId, username: auth.username, privateKey, loginUrl: auth.loginUrl });
    }
    case 'refreshToken':
      return refreshToken({ clientId: auth.clientId, refreshToken: auth.refreshToken, loginUrl: auth.loginUrl, ...(auth.clientSecret !== undefined && { clientSecret: auth.clientSecret }) });
    case 'clientCredentials':
      return clientCredentials({ clientId: auth.clientId, clientSecret: auth.clientSecret, loginUrl: auth.loginUrl });
  }
}

/**
 * Adapts a runtime client to {@link MetadataHttp}. `instanceUrl` is only used in messages.
 *
 * @example
 * ```ts
 * const http = clientHttp(createClient({ auth: staticToken({ instanceUrl, accessToken }) }), instanceUrl);
 * ```
 */
export function clientHttp(client: SalesforceClient, instanceUrl: string): MetadataHttp {
  const send = async (method: 'GET' | 'POST', path: string, body: unknown, headers: Readonly<Record<string, string>> | undefined): Promise<MetadataHttpResponse> => {
    try {
      const res = await client.request({
        method,
        path,
        ...(headers !== undefined && { headers: { ...headers } }),
        ...(method === 'POST' && { body, idempotent: true }),
      });
      const lower: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) lower[k.toLowerCase()] = v;
      return { status: res.status, headers: lower, body: res.body };
    } catch (error) {
      throw toMetadataError(error, `${method} ${instanceUrl}${path}`);
    }
  };
  return {
    instanceUrl,
    get: (path, headers) => send('GET', path, undefined, headers),
    post: (path, body, headers) => send('POST', path, body, headers),
  };
}

/**
 * Connects to a live org: builds the runtime client, fetches a token (so a bad alias, key or
 * token fails here, named), and returns the HTTP surface.
 *
 * @example
 * ```ts
 * const org = await connectOrg({ kind: 'token', instanceUrl: sim.url, accessToken: sim.issueAccessToken() }, '60.0');
 * const source = new LiveSource(org.http, '60.0');
 * await org.close();
 * ```
 */
export async function connectOrg(auth: OrgAuth, apiVersion: string): Promise<OrgConnection> {
  const where = describeAuth(auth);
  let client: SalesforceClient;
  try {
    client = createClient({ auth: await provider(auth), apiVersion, allowInsecureLoopback: true });
  } catch (error) {
    throw toMetadataError(error, where);
  }
  let instanceUrl: string;
  try {
    instanceUrl = (await client.token()).instanceUrl;
  } catch (error) {
    await client.close().catch(() => {});
    throw toMetadataError(error, where);
  }
  return { http: clientHttp(client, instanceUrl), client, close: () => client.close() };
}
