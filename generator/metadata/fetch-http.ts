/**
 * A {@link MetadataHttp} over Node's built-in `fetch` with a static bearer token. Used where no
 * runtime client is wired; the token is sent only in the Authorization header, never echoed.
 */
import type { MetadataHttp, MetadataHttpResponse, OrgCredentials } from './http.js';

async function toResponse(res: Response): Promise<MetadataHttpResponse> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const text = await res.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers, body };
}

/**
 * @example
 * ```ts
 * const http = fetchHttp({ instanceUrl: sim.url, accessToken: sim.issueAccessToken() });
 * ```
 */
export function fetchHttp(credentials: OrgCredentials, timeoutMs = 120_000): MetadataHttp {
  const base = credentials.instanceUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${credentials.accessToken}`, accept: 'application/json' };
  return {
    instanceUrl: base,
    async get(path, headers) {
      return toResponse(await fetch(base + path, { headers: { ...auth, ...headers }, signal: AbortSignal.timeout(timeoutMs) }));
    },
    async post(path, body, headers) {
      return toResponse(
        await fetch(base + path, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        }),
      );
    },
  };
}
