/**
 * The auth interceptor: resolves instance-relative paths against the token's instance URL, attaches
 * the bearer token, and on 401 `INVALID_SESSION_ID` replaces the token once and replays the request
 * (safe for every method: Salesforce rejected the request before processing it).
 */
import { isReplayableBody, type Interceptor, type SfRequest, type SfResponse } from '../transport/types.js';
import type { TokenManager } from './token-manager.js';
import type { TokenInfo } from './types.js';

/**
 * The request as sent: the instance URL resolved and the token attached. Built as one fixed-shape
 * literal naming every field (the mapped type makes a newly added `SfRequest` field a compile error
 * here): an object spread of requests of varying shapes was the costliest step of the auth layer.
 */
function withToken(request: SfRequest, url: string, authorization: string): SfRequest {
  const sent: { [K in keyof Required<SfRequest>]: SfRequest[K] } = {
    method: request.method,
    url,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    idempotent: request.idempotent,
    responseType: request.responseType,
    authorization,
    anonymous: request.anonymous,
    allowErrorStatus: request.allowErrorStatus,
    operation: request.operation,
    sobject: request.sobject,
    deadlineMs: request.deadlineMs,
  };
  return sent;
}

/** An instance-relative path (`/services/...`) resolved against the token's instance URL. */
function resolveUrl(url: string, token: TokenInfo): string {
  return url.charCodeAt(0) === 47 /* '/' */ ? token.instanceUrl + url : url;
}

/** True when a response says the session (token) is invalid or expired. */
export function isInvalidSession(response: SfResponse): boolean {
  if (response.status !== 401) return false;
  const text = response.body.toString('utf8');
  return text.includes('INVALID_SESSION_ID') || text.length === 0 || text.includes('invalid_token');
}

export function authInterceptor(tokens: TokenManager): Interceptor {
  return (next) => {
    // The header value of the last token seen: built once per token, not once per request.
    let lastAccessToken: string | undefined;
    let lastAuthorization = '';
    const send = (request: SfRequest, token: TokenInfo): Promise<SfResponse> => {
      if (token.accessToken !== lastAccessToken) {
        lastAccessToken = token.accessToken;
        lastAuthorization = `Bearer ${token.accessToken}`;
      }
      return next(withToken(request, resolveUrl(request.url, token), lastAuthorization)).then((response) => {
        if (response.status !== 401 || !isReplayableBody(request.body) || !isInvalidSession(response)) return response;
        // One replay with the fresh token, whatever it answers (no second refresh).
        return tokens.replaceRejected(token).then((fresh) => (fresh === undefined ? response : next(withToken(request, resolveUrl(request.url, fresh), `Bearer ${fresh.accessToken}`))));
      });
    };
    return (request) => {
      if (request.anonymous) return next(request);
      const token = tokens.peek();
      return token ? send(request, token) : tokens.getToken().then((t) => send(request, t));
    };
  };
}
