/**
 * `GET /query?q=`, `/queryAll?q=` and the paged continuation `/query/<locator>-<offset>`.
 * The query engine returns every row; this module pages them with `nextRecordsUrl` exactly as
 * Salesforce shapes the envelope: `{totalSize, done, nextRecordsUrl?, records}`.
 *
 * Child subqueries are paged too: a parent with more than `childPageSize` children gets a child
 * envelope `{totalSize, done: false, nextRecordsUrl, records: <first childPageSize>}` whose
 * locator serves the rest through the same continuation route (nested levels likewise).
 *
 * A locator stays valid until it expires (`queryCursorTtlMs`, two days as on Salesforce since API
 * 56.0), also after its last page was served: a client whose answer was lost can ask for any page
 * again, as it can of a real org. The store keeps at most `maxQueryCursors`, dropping the oldest.
 */
import { sfError, SimHttpError } from '../errors.js';
import type { QueryCursor, Route, RouteContext, SimRequest, SimResponse } from '../router.js';
import { runQuery } from '../query-runner.js';
import { columnsResponse } from './columns.js';
import { listViewById } from './listviews.js';

/** Batch size from `Sforce-Query-Options: batchSize=N`, capped by the simulator's page size. */
function batchSize(req: SimRequest, ctx: RouteContext): number {
  const header = req.headers['sforce-query-options'];
  const m = header === undefined ? null : /batchSize\s*=\s*(\d+)/i.exec(header);
  const asked = m?.[1] === undefined ? undefined : Number(m[1]);
  if (asked === undefined || asked <= 0) return ctx.pageSize;
  return Math.min(asked, ctx.pageSize);
}

/** Registers a cursor under a new locator, closing expired ones and the oldest beyond the limit. */
function openCursor(ctx: RouteContext, cursor: QueryCursor): string {
  const locator = ctx.nextLocator();
  const now = ctx.now();
  for (const [key, open] of ctx.cursors) {
    if (open.expiresAt !== undefined && open.expiresAt <= now) ctx.cursors.delete(key);
  }
  ctx.cursors.set(locator, { ...cursor, expiresAt: now + ctx.queryCursorTtlMs });
  while (ctx.cursors.size > ctx.maxQueryCursors) {
    const oldest = ctx.cursors.keys().next().value;
    if (oldest === undefined) break;
    ctx.cursors.delete(oldest);
  }
  return locator;
}

/** A child-relationship envelope as the engine builds it: `{totalSize, done, records}`. */
function isEnvelope(value: unknown): value is { totalSize: number; done: boolean; records: object[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.records) && typeof v.done === 'boolean' && typeof v.totalSize === 'number';
}

/**
 * Cuts every child envelope of these records to `childPageSize` rows, opening a locator for the
 * rest. Records are copied only where something changes (cursor rows stay intact for re-reads).
 */
function pageChildren(records: readonly object[], req: SimRequest, ctx: RouteContext): object[] {
  const limit = ctx.childPageSize;
  return records.map((record) => {
    let copy: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(record)) {
      if (!isEnvelope(value)) continue;
      let envelope: Record<string, unknown>;
      if (value.records.length > limit) {
        const locator = openCursor(ctx, { rows: value.records, totalSize: value.totalSize, batchSize: limit, username: req.session.user.username, children: true });
        envelope = { totalSize: value.totalSize, done: false, nextRecordsUrl: `${ctx.base(req.version)}/query/${locator}-${limit}`, records: pageChildren(value.records.slice(0, limit), req, ctx) };
      } else {
        const nested = pageChildren(value.records, req, ctx);
        if (nested.every((r, i) => r === value.records[i])) continue;
        envelope = { ...value, records: nested };
      }
      copy ??= { ...(record as Record<string, unknown>) };
      copy[key] = envelope;
    }
    return copy ?? record;
  });
}

function page(req: SimRequest, ctx: RouteContext, locator: string, cursor: QueryCursor, offset: number): SimResponse {
  const end = Math.min(offset + cursor.batchSize, cursor.rows.length);
  const rows = cursor.rows.slice(offset, end);
  const records = cursor.children === true ? pageChildren(rows, req, ctx) : rows;
  const done = end >= cursor.rows.length;
  const body: Record<string, unknown> = { totalSize: cursor.totalSize, done };
  if (!done) body.nextRecordsUrl = `${ctx.base(req.version)}/query/${locator}-${end}`;
  body.records = records;
  return { status: 200, body };
}

/** `?explain=`: a query, or a list view id (`00B...`, the plan of the view's query). */
function explainPlan(req: SimRequest, ctx: RouteContext, explain: string): SimResponse {
  const soql = (/^00B[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/.test(explain.trim()) ? listViewById(ctx, explain.trim())?.query : undefined) ?? explain;
  const result = runQuery(soql, ctx.org, { includeDeleted: false, apiVersion: req.version, now: ctx.now() });
  const m = /\bfrom\s+([A-Za-z0-9_]+)/i.exec(soql);
  const sobject = ctx.org.describe(m?.[1] ?? '')?.name ?? m?.[1] ?? '';
  const cardinality = result.totalSize;
  const sobjectCardinality = ctx.org.records(sobject).length;
  return {
    status: 200,
    body: {
      plans: [
        {
          cardinality,
          fields: [],
          leadingOperationType: 'TableScan',
          notes: [],
          relativeCost: sobjectCardinality === 0 ? 0 : Math.round((cardinality / sobjectCardinality) * 1000) / 1000 + 0.5,
          sobjectCardinality,
          sobjectType: sobject,
        },
      ],
      sourceQuery: soql,
    },
  };
}

function start(includeDeleted: boolean) {
  return (req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse => {
    const explain = req.query.get('explain');
    if (explain !== null && !includeDeleted) return explainPlan(req, ctx, explain);
    const soql = req.query.get('q');
    if (soql === null || soql.trim() === '') {
      throw new SimHttpError(400, sfError('MALFORMED_QUERY', 'A query string has to be specified'));
    }
    if (req.query.get('columns') === 'true') return { status: 200, body: columnsResponse(soql, ctx.org, ctx.now()) };
    const result = runQuery(soql, ctx.org, { includeDeleted, apiVersion: req.version, now: ctx.now() });
    const cursor: QueryCursor = {
      rows: result.records,
      totalSize: result.totalSize,
      batchSize: batchSize(req, ctx),
      username: req.session.user.username,
      // A parenthesized SELECT: a child subquery (or a semi-join, which only costs a scan).
      children: /\(\s*select\b/i.test(soql),
    };
    return page(req, ctx, openCursor(ctx, cursor), cursor, 0);
  };
}

function more(req: SimRequest, [locator, offsetText]: readonly string[], ctx: RouteContext): SimResponse {
  let cursor = ctx.cursors.get(locator!);
  if (cursor?.expiresAt !== undefined && cursor.expiresAt <= ctx.now()) {
    ctx.cursors.delete(locator!);
    cursor = undefined;
  }
  const offset = Number(offsetText);
  if (cursor === undefined || cursor.username !== req.session.user.username || !Number.isInteger(offset) || offset < 0 || offset > cursor.rows.length) {
    throw new SimHttpError(400, sfError('INVALID_QUERY_LOCATOR', 'invalid query locator'));
  }
  return page(req, ctx, locator!, cursor, offset);
}

export const queryRoutes: Route[] = [
  { method: 'GET', pattern: /^\/query\/?$/, key: 'GET /query', handler: start(false) },
  { method: 'GET', pattern: /^\/queryAll\/?$/, key: 'GET /queryAll', handler: start(true) },
  { method: 'GET', pattern: /^\/(?:query|queryAll)\/([A-Za-z0-9]+)-(\d+)\/?$/, key: 'GET /query/{locator}', handler: more },
];
