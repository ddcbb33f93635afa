/**
 * The Tooling API (`/services/data/vXX.X/tooling/...`) as far as the simulator can honestly answer
 * it. A metadata directory holds no Apex, no setup objects and no tooling describes, so a tooling
 * query is checked for syntax and answers a well-formed empty result
 * (`{size: 0, totalSize: 0, done: true, queryLocator: null, entityTypeName, records: []}`), and the
 * tooling global describe lists no objects. Clients that probe the Tooling API (the sf CLI's
 * `--use-tooling-api`, jsforce's `conn.tooling`) get an answer of the right shape, not a 404.
 */
import { parseSoql, SoqlParseError } from '../../soql/parser.js';
import { sfError, SimHttpError } from '../errors.js';
import { SoqlError } from '../query/index.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';

function parsedObject(soql: string): string {
  try {
    return parseSoql(soql).from.object;
  } catch (error) {
    if (error instanceof SoqlParseError) {
      const e = new SoqlError('MALFORMED_QUERY', error.detail, soql, { start: error.offset, end: error.endOffset });
      throw new SimHttpError(400, sfError(e.errorCode, e.message));
    }
    throw error;
  }
}

function query(req: SimRequest, _p: readonly string[], _ctx: RouteContext): SimResponse {
  const soql = req.query.get('q');
  if (soql === null || soql.trim() === '') throw new SimHttpError(400, sfError('MALFORMED_QUERY', 'A query string has to be specified'));
  const entityTypeName = parsedObject(soql);
  if (req.query.get('columns') === 'true') {
    return { status: 200, body: { columnMetadata: [], entityName: entityTypeName, groupBy: false, idSelected: false, keyPrefix: null } };
  }
  return { status: 200, body: { size: 0, totalSize: 0, done: true, queryLocator: null, entityTypeName, records: [] } };
}

function globalDescribe(_req: SimRequest, _p: readonly string[], _ctx: RouteContext): SimResponse {
  return { status: 200, body: { encoding: 'UTF-8', maxBatchSize: 200, sobjects: [] } };
}

function resources(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const base = `${ctx.base(req.version)}/tooling`;
  return { status: 200, body: { sobjects: `${base}/sobjects`, query: `${base}/query` } };
}

export const toolingRoutes: Route[] = [
  { method: 'GET', pattern: /^\/tooling\/?$/, key: 'GET /tooling', handler: resources },
  { method: 'GET', pattern: /^\/tooling\/query\/?$/, key: 'GET /tooling/query', handler: query },
  { method: 'GET', pattern: /^\/tooling\/sobjects\/?$/, key: 'GET /tooling/sobjects', handler: globalDescribe },
];
