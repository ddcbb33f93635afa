/** `/limits` and query `explain`. */
import { ProtocolError, UsageError, safePath } from '../errors.js';
import { apiPath, callJson, isObject, type RestContext } from './rest.js';

/** One limit: `{Max, Remaining}`, possibly with named sub-limits (keys may hold spaces, dots, parentheses). */
export type LimitEntry = { readonly Max: number; readonly Remaining: number } & { readonly [sub: string]: unknown };

/** The body of `/limits`. */
export type LimitsResult = Readonly<Record<string, LimitEntry>>;

export async function getLimits(context: RestContext, signal?: AbortSignal): Promise<LimitsResult> {
  const { data } = await callJson(context, { method: 'GET', path: 'limits', idempotent: true, operation: 'limits', signal });
  if (!isObject(data)) throw new ProtocolError({ message: 'expected the /limits object', request: { method: 'GET', path: safePath(apiPath(context, 'limits')) } });
  return data as LimitsResult;
}

/** A query plan of `explain`. */
export interface QueryPlan {
  readonly cardinality: number;
  readonly fields: readonly string[];
  readonly leadingOperationType: string;
  readonly relativeCost: number;
  readonly sobjectCardinality: number;
  readonly sobjectType: string;
  readonly notes: readonly { readonly description: string; readonly fields: readonly string[]; readonly tableEnumOrId: string }[];
}

export async function explain(context: RestContext, soql: string, signal?: AbortSignal): Promise<{ plans: QueryPlan[]; sourceQuery?: string }> {
  if (soql.trim() === '') throw new UsageError({ message: 'explain: the SOQL text is empty' });
  const path = `query?explain=${encodeURIComponent(soql)}`;
  const { data } = await callJson(context, { method: 'GET', path, idempotent: true, operation: 'explain', signal });
  if (!isObject(data) || !Array.isArray(data.plans)) throw new ProtocolError({ message: 'expected {plans: [...]}', request: { method: 'GET', path: safePath(apiPath(context, path)) } });
  return data as unknown as { plans: QueryPlan[]; sourceQuery?: string };
}
