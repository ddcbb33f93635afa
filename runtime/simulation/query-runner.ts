/**
 * Bridge to the SOQL engine (`./query/index.ts`, owned by the query-engine author). Until that
 * engine lands, a deliberately tiny fallback answers `SELECT f1, f2 FROM X [LIMIT n]` so paging
 * can be exercised; anything else is reported as not supported by the fallback.
 */
import { sfError, SimHttpError } from './errors.js';
import type { OrgStore } from './store-types.js';

export interface QueryResult {
  readonly totalSize: number;
  readonly records: readonly object[];
}

/** Run a query; engine errors become Salesforce's 400 error array. */
export function runQuery(soql: string, store: OrgStore, options: { includeDeleted: boolean; apiVersion: string }): QueryResult {
  return fallbackQuery(soql, store, options);
}

function fallbackQuery(soql: string, store: OrgStore, options: { includeDeleted: boolean; apiVersion: string }): QueryResult {
  const m = /^\s*select\s+(.+?)\s+from\s+([A-Za-z0-9_]+)(?:\s+limit\s+(\d+))?\s*$/is.exec(soql);
  if (!m) throw new SimHttpError(400, sfError('MALFORMED_QUERY', `unsupported query (fallback engine): ${soql}`));
  const d = store.describe(m[2]!);
  if (d === undefined) {
    throw new SimHttpError(400, sfError('INVALID_TYPE', `sObject type '${m[2]}' is not supported.`));
  }
  const byLower = new Map(d.fields.map((f) => [f.name.toLowerCase(), f.name]));
  const fields = m[1]!.split(',').map((raw) => {
    const name = byLower.get(raw.trim().toLowerCase());
    if (name === undefined) throw new SimHttpError(400, sfError('INVALID_FIELD', `No such column '${raw.trim()}' on entity '${d.name}'.`));
    return name;
  });
  let rows = [...store.records(d.name), ...(options.includeDeleted ? store.deletedRecords(d.name) : [])];
  if (m[3] !== undefined) rows = rows.slice(0, Number(m[3]));
  const records = rows.map((r) => {
    const out: Record<string, unknown> = { attributes: { type: d.name, url: `/services/data/v${options.apiVersion}/sobjects/${d.name}/${r.Id}` } };
    for (const f of fields) out[f] = r[f] ?? null;
    return out;
  });
  return { totalSize: records.length, records };
}
