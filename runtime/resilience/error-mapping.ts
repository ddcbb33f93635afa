/**
 * Error mapping: turns every non-2xx/3xx answer into a typed `SalesforceError` (unless the request
 * asked for raw statuses). Error text passes through the secret registry first. When the answer
 * came after retries, the error records them (`attempts`, `earlierAttemptMayHaveApplied`).
 */
import type { SecretRegistry } from '../auth/secrets.js';
import { errorFromResponse, noteAttempts, safePath } from '../errors.js';
import type { Interceptor, SfRequest, SfResponse } from '../transport/types.js';

async function bodyText(response: SfResponse): Promise<string> {
  if (!response.stream) return response.body.toString('utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.stream) {
    const buf = chunk as Buffer;
    if (size < 64 * 1024) chunks.push(buf);
    size += buf.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function errorMappingInterceptor(secrets: SecretRegistry): Interceptor {
  const fail = async (request: SfRequest, response: SfResponse): Promise<never> => {
    const text = secrets.redact(await bodyText(response));
    const error = errorFromResponse({ status: response.status, headers: response.headers, text }, { method: request.method, path: safePath(response.url) });
    throw response.attempts === undefined ? error : noteAttempts(error, response.attempts);
  };
  // Promise chaining rather than async/await: the success path adds no extra ticks.
  return (next) => (request) =>
    next(request).then((response) => (response.status < 400 || request.allowErrorStatus ? response : fail(request, response)));
}
