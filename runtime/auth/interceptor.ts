/**
 * The auth interceptor: resolves instance-relative paths against the token's instance URL, attaches
 * the bearer token, and on 401 `INVALID_SESSION_ID` replaces the token once and replays the request
 * (safe for every method: Salesforce rejected the request before processing it).
 */
import { isReplayableBody, type Interceptor, type SfRequest, type SfResponse } from '../transport/types.js';
import type { TokenManager } from './token-manager.js';
import type { TokenInfo } from './types.js';

function withToken(request: SfRequest, token: TokenInfo): SfRequest {
  const url = request.url.startsWith('/') ? token.instanceUrl + request.url : request.url;
  return { ...request, url, authorization: `Bearer ${token.accessToken}` };
}

/** True when a response says the session (token) is invalid or expired. */
export function isInvalidSession(response: SfResponse): boolean {
  if (response.status !== 401) return false;
  const text = response.body.toString('utf8');
  return text.includes('INVALID_SESSION_ID') || text.length === 0 || text.includes('invalid_token');
}

export function authInterceptor(tokens: TokenManager): Interceptor {
  return (next) => {
    const send = (request: SfRequest, token: TokenInfo): Promise<SfResponse> =>
      next(withToken(request, token)).then((response) => {
        if (response.status !== 401 || !isReplayableBody(request.body) || !isInvalidSession(response)) return response;
        return tokens.replaceRejected(token).then((fresh) => (fresh === undefined ? response : next(withToken(request, fresh))));
      });
    return (request) => {
      if (request.anonymous) return next(request);
      const token = tokens.peek();
      return token ? send(request, token) : tokens.getToken().then((t) => send(request, t));
    };
  };
}
