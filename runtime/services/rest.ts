/** Shared plumbing of the REST services: paths, JSON requests, JSON parsing with clear errors. */
import { ProtocolError, UsageError, noteAttempts, safePath, type AttemptInfo } from '../errors.js';
import type { RetryOptions } from '../resilience/retry.js';
import type { Dispatch, HttpMethod, SfResponse } from '../transport/types.js';

/** What every service needs: the composed dispatch and the pinned API version. */
export interface RestContext {
  readonly dispatch: Dispatch;
  /** `'60.0'` */
  readonly apiVersion: string;
  /**
   * The client's retry policy, for what services repeat themselves (a query page whose body could
   * not be read). `DEFAULT_RETRY` when unset.
   */
  readonly retry?: Readonly<Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'>> | undefined;
}

/** `/services/data/v60.0/<rel>`; paths that already start with `/` are kept. */
export function apiPath(context: RestContext, rel: string): string {
  return rel.startsWith('/') ? rel : `/services/data/v${context.apiVersion}/${rel}`;
}

export interface JsonCall {
  method: HttpMethod;
  /** Relative to the versioned API root, or instance-absolute (`/services/...`). */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  idempotent: boolean;
  operation: string;
  sobject?: string | undefined;
  signal?: AbortSignal | undefined;
  /** The call's deadline (ms); the client's `deadlineMs` when unset. */
  deadlineMs?: number | undefined;
  allowErrorStatus?: boolean;
}

/** A parsed JSON answer. */
export interface JsonAnswer {
  status: number;
  headers: Readonly<Record<string, string>>;
  data: unknown;
  /** Set when the answer came after retries (see {@link SfResponse.attempts}). */
  attempts?: AttemptInfo | undefined;
}

/** Parses a JSON response body; an empty body is `null`; malformed JSON is a `ProtocolError` naming the request. */
export function parseJson(response: SfResponse, method: string, attempts?: AttemptInfo): unknown {
  if (response.body.length === 0) return null;
  const text = response.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const contentType = response.headers['content-type'] ?? 'no content type';
    const error = new ProtocolError({
      message: `malformed JSON in a ${response.status} response (${contentType}): ${(err as Error).message} (${response.body.length} bytes received)`,
      status: response.status,
      request: { method, path: safePath(response.url) },
      body: text.slice(0, 500),
    });
    throw attempts === undefined ? error : noteAttempts(error, attempts);
  }
}

/** Sends a JSON request and parses the JSON answer. Errors (non-2xx) are thrown by the error interceptor. */
export async function callJson(context: RestContext, call: JsonCall): Promise<JsonAnswer> {
  const headers: Record<string, string> = call.headers === undefined ? { accept: 'application/json' } : { accept: 'application/json', ...call.headers };
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  const response = await context.dispatch({
    method: call.method,
    url: apiPath(context, call.path),
    headers,
    body,
    idempotent: call.idempotent,
    operation: call.operation,
    sobject: call.sobject,
    signal: call.signal,
    deadlineMs: call.deadlineMs,
    allowErrorStatus: call.allowErrorStatus,
  });
  const data = parseJson(response, call.method, response.attempts);
  return { status: response.status, headers: response.headers, data, attempts: response.attempts };
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Throws a `UsageError` unless `id` looks like a Salesforce id (15 or 18 alphanumerics). */
export function assertId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new UsageError({ message: `${what}: ${JSON.stringify(id)} is not a Salesforce id (15 or 18 letters and digits)` });
  }
}

/** Throws a `UsageError` unless `name` is a valid sObject or field API name. */
export function assertApiName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError({ message: `${what}: ${JSON.stringify(name)} is not a valid API name` });
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
