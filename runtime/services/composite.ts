/** Composite resources: `/composite/batch` (independent subrequests), `/composite` and `/composite/graph`. */
import { ProtocolError, UsageError, safePath } from '../errors.js';
import type { HttpMethod } from '../transport/types.js';
import { apiPath, callJson, isObject, type RestContext } from './rest.js';

/** One subrequest of `/composite/batch`. `url` is relative to `/services/data` (`v60.0/sobjects/Account/describe`) or a versionless path (`sobjects/Account/describe`). */
export interface BatchSubrequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly richInput?: unknown;
  readonly httpHeaders?: Readonly<Record<string, string>>;
}

export interface BatchSubresult {
  readonly statusCode: number;
  readonly result: unknown;
}

export interface BatchResult {
  readonly hasErrors: boolean;
  readonly results: readonly BatchSubresult[];
}

/** Puts `vXX.X/` in front of a versionless subrequest URL. */
export function versionedSubUrl(context: RestContext, url: string): string {
  const trimmed = url.replace(/^\/services\/data\//, '').replace(/^\//, '');
  return /^v\d+\.\d+\//.test(trimmed) ? trimmed : `v${context.apiVersion}/${trimmed}`;
}

export const MAX_BATCH_SUBREQUESTS = 25;

/**
 * `/composite/batch`: up to 25 independent subrequests in one call. Idempotent (retried) when
 * every subrequest is a GET.
 */
export async function compositeBatch(
  context: RestContext,
  subrequests: readonly BatchSubrequest[],
  options: { haltOnError?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<BatchResult> {
  if (subrequests.length === 0) throw new UsageError({ message: 'compositeBatch: no subrequests' });
  if (subrequests.length > MAX_BATCH_SUBREQUESTS) {
    throw new UsageError({ message: `compositeBatch: ${subrequests.length} subrequests, at most ${MAX_BATCH_SUBREQUESTS} per call` });
  }
  const batchRequests = subrequests.map((s) => ({ ...s, url: versionedSubUrl(context, s.url) }));
  const { data } = await callJson(context, {
    method: 'POST', path: 'composite/batch', body: { batchRequests, haltOnError: options.haltOnError ?? false },
    idempotent: subrequests.every((s) => s.method === 'GET'), operation: 'compositeBatch', signal: options.signal,
  });
  if (!isObject(data) || !Array.isArray(data.results) || data.results.length !== subrequests.length) {
    throw new ProtocolError({ message: `expected a batch result with ${subrequests.length} results`, request: { method: 'POST', path: safePath(apiPath(context, 'composite/batch')) } });
  }
  return data as unknown as BatchResult;
}
