/** Global and per-object describe, with `If-Modified-Since` support. */
import { ProtocolError, safePath } from '../errors.js';
import { apiPath, assertApiName, callJson, isObject, type RestContext } from './rest.js';

/** The body of `GET /sobjects` (global describe); other keys pass through. */
export interface DescribeGlobalResult {
  readonly encoding: string;
  readonly maxBatchSize: number;
  readonly sobjects: readonly DescribeGlobalSObject[];
  readonly [key: string]: unknown;
}

export interface DescribeGlobalSObject {
  readonly name: string;
  readonly label: string;
  readonly custom: boolean;
  readonly queryable: boolean;
  readonly keyPrefix: string | null;
  readonly [key: string]: unknown;
}

/** The body of `GET /sobjects/<Name>/describe`, kept whole; well-known keys typed. */
export interface DescribeSObjectResult {
  readonly name: string;
  readonly label: string;
  readonly fields: readonly ({ readonly name: string; readonly type: string; readonly [key: string]: unknown })[];
  readonly [key: string]: unknown;
}

/** A describe answered 304: unchanged since `ifModifiedSince`. */
export interface NotModified {
  readonly notModified: true;
}

/** An HTTP date for `If-Modified-Since` from a `Date` or a string (kept as is). */
export function httpDate(value: Date | string): string {
  return typeof value === 'string' ? value : value.toUTCString();
}

export async function describeGlobal(context: RestContext, signal?: AbortSignal): Promise<DescribeGlobalResult> {
  const { data } = await callJson(context, { method: 'GET', path: 'sobjects', idempotent: true, operation: 'describeGlobal', signal });
  if (!isObject(data) || !Array.isArray(data.sobjects)) {
    throw new ProtocolError({ message: 'expected a global describe {sobjects: [...]}', request: { method: 'GET', path: safePath(apiPath(context, 'sobjects')) } });
  }
  return data as DescribeGlobalResult;
}

export async function describeSObject(
  context: RestContext,
  name: string,
  options: { ifModifiedSince?: Date | string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<DescribeSObjectResult | NotModified> {
  assertApiName(name, 'describe');
  const headers: Record<string, string> = {};
  if (options.ifModifiedSince !== undefined) headers['if-modified-since'] = httpDate(options.ifModifiedSince);
  const path = `sobjects/${name}/describe`;
  const { status, data } = await callJson(context, { method: 'GET', path, headers, idempotent: true, operation: 'describe', sobject: name, signal: options.signal });
  if (status === 304) return { notModified: true };
  if (!isObject(data) || !Array.isArray(data.fields)) {
    throw new ProtocolError({ message: `expected a describe of ${name} with fields`, request: { method: 'GET', path: safePath(apiPath(context, path)) } });
  }
  return data as DescribeSObjectResult;
}
