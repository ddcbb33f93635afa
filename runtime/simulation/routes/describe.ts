/** Resources, global and per-object describes (with Last-Modified / If-Modified-Since), limits. */
import { notFound, sfError, SimHttpError } from '../errors.js';
import { cachedJson, RawJson } from '../json.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';
import { parseHttpDate, toHttpDate } from '../time.js';

/** 304 when the resource did not change since the request's `If-Modified-Since`. */
export function conditional(req: SimRequest, lastModified: Date, body: () => unknown): SimResponse {
  const headers = { 'Last-Modified': toHttpDate(lastModified) };
  const since = parseHttpDate(req.headers['if-modified-since']);
  if (since !== undefined && lastModified.getTime() <= since.getTime()) return { status: 304, headers };
  return { status: 200, headers, body: body() };
}

/**
 * `GET /services/data/vXX.X/`: the resources this simulator serves, by name (Salesforce lists more,
 * but a client that follows a listed URL here always finds it). `identity` is the user's identity URL.
 */
function resources(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const base = ctx.base(req.version);
  const names = ['sobjects', 'search', 'query', 'queryAll', 'tooling', 'composite', 'recent', 'parameterizedSearch', 'limits', 'jobs'];
  const body: Record<string, string> = Object.fromEntries(names.map((n) => [n, `${base}/${n}`]));
  body.identity = ctx.identityUrl(req.session.user.userId);
  return { status: 200, body };
}

const VERSIONED_URL = /\/services\/data\/v\d+\.\d(?=\/)/g;
const byVersion = new WeakMap<RawJson, Map<string, RawJson>>();

/** A describe's JSON with every `/services/data/vNN.N/` URL in it at the request's version. */
function atVersion(raw: RawJson, version: string): RawJson {
  let cache = byVersion.get(raw);
  if (cache === undefined) {
    cache = new Map();
    byVersion.set(raw, cache);
  }
  let out = cache.get(version);
  if (out === undefined) {
    out = new RawJson(raw.text.replace(VERSIONED_URL, `/services/data/v${version}`));
    cache.set(version, out);
  }
  return out;
}

function globalDescribe(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  return conditional(req, ctx.org.lastModified()!, () => atVersion(ctx.org.globalDescribeJson(), req.version));
}

function describe(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = ctx.org.describe(name!);
  if (d === undefined) throw notFound();
  return conditional(req, ctx.org.lastModified(d.name)!, () => atVersion(cachedJson(d), req.version));
}

/**
 * `GET /recent?limit=n`: the simulator does not track record views, so "recently viewed" is the
 * most recently modified records of objects with `mruEnabled`, newest first (default and maximum
 * 200), shaped `{attributes, Id, Name}`.
 */
function recent(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const raw = req.query.get('limit');
  const limit = raw === null ? 200 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1) throw new SimHttpError(400, sfError('INVALID_QUERY_FILTER_OPERATOR', `limit must be a positive integer, got ${raw}`));
  const base = ctx.base(req.version);
  const rows: { at: string; item: Record<string, unknown> }[] = [];
  for (const name of ctx.org.objectNames()) {
    const d = ctx.org.describe(name)!;
    if (d.mruEnabled !== true) continue;
    for (const r of ctx.org.records(d.name)) {
      const at = typeof r.LastModifiedDate === 'string' ? r.LastModifiedDate : '';
      const item: Record<string, unknown> = { attributes: { type: d.name, url: `${base}/sobjects/${d.name}/${r.Id}` }, Id: r.Id };
      if (r.Name !== undefined) item.Name = r.Name;
      rows.push({ at, item });
    }
  }
  rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return { status: 200, body: rows.slice(0, Math.min(limit, 200)).map((r) => r.item) };
}

function basicInfo(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = ctx.org.describe(name!);
  if (d === undefined) throw notFound();
  const entry = (ctx.org.globalDescribe().sobjects as Record<string, unknown>[]).find((s) => s.name === d.name);
  const recent = ctx.org
    .records(d.name)
    .slice(-5)
    .reverse()
    .map((r) => ({
      attributes: { type: d.name, url: `${ctx.base(req.version)}/sobjects/${d.name}/${r.Id}` },
      Id: r.Id,
      ...(typeof r.Name === 'string' ? { Name: r.Name } : {}),
    }));
  const objectDescribe =
    entry === undefined ? { name: d.name } : { ...entry, urls: Object.fromEntries(Object.entries((entry.urls ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v.replace(VERSIONED_URL, `/services/data/v${req.version}`) : v])) };
  return { status: 200, body: { objectDescribe, recentItems: recent } };
}

function eventSchema(_req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = ctx.org.describe(name!);
  const schema = d === undefined ? undefined : ctx.org.eventSchemas().get(d.name);
  if (schema === undefined) throw notFound();
  return { status: 200, body: schema };
}

function limits(_req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const { used, max } = ctx.apiUsage();
  const body: Record<string, unknown> = { ...ctx.limits };
  const daily = (body.DailyApiRequests ?? {}) as Record<string, unknown>;
  body.DailyApiRequests = { ...daily, Max: max, Remaining: Math.max(0, max - used) };
  return { status: 200, body };
}

export const describeRoutes: Route[] = [
  { method: 'GET', pattern: /^\/?$/, key: 'GET /', handler: resources },
  { method: 'GET', pattern: /^\/sobjects\/?$/, key: 'GET /sobjects', handler: globalDescribe },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/describe\/?$/, key: 'GET /sobjects/{name}/describe', handler: describe },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/eventSchema\/?$/, key: 'GET /sobjects/{name}/eventSchema', handler: eventSchema },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/?$/, key: 'GET /sobjects/{name}', handler: basicInfo },
  { method: 'GET', pattern: /^\/limits\/?$/, key: 'GET /limits', handler: limits },
  { method: 'GET', pattern: /^\/recent\/?$/, key: 'GET /recent', handler: recent },
];

/** Default `/limits` body (facts §11): nested per-app entries with spaces and dots in their keys. */
export function defaultLimits(appName: string): Record<string, unknown> {
  const l = (Max: number, Remaining = Max) => ({ Max, Remaining });
  return {
    ActiveScratchOrgs: l(3),
    AnalyticsExternalDataSizeMB: l(40960),
    ConcurrentAsyncGetReportInstances: l(200),
    ConcurrentEinsteinDataInsightsStoryCreation: l(5),
    ConcurrentEinsteinDiscoveryStoryCreation: l(2),
    ConcurrentSyncReportRuns: l(20),
    DailyAnalyticsDataflowJobExecutions: l(60),
    DailyAnalyticsUploadedFilesSizeMB: l(51200),
    DailyApiRequests: { Max: 100000, Remaining: 100000, 'Ant Migration Tool': l(0), 'Force.com IDE': l(0), [appName]: l(0), 'Salesforce CLI': l(0) },
    DailyAsyncApexExecutions: l(250000),
    DailyAsyncApexTests: l(500),
    DailyBulkApiBatches: l(15000),
    DailyBulkV2QueryFileStorageMB: l(976562),
    DailyBulkV2QueryJobs: l(10000),
    DailyDurableGenericStreamingApiEvents: l(10000),
    DailyDurableStreamingApiEvents: l(10000),
    DailyEinsteinDataInsightsStoryCreation: l(1000),
    DailyEinsteinDiscoveryPredictAPICalls: l(50000),
    DailyFunctionsApiCallLimit: l(235000),
    DailyGenericStreamingApiEvents: { Max: 10000, Remaining: 10000, 'Ant Migration Tool': l(0), 'Force.com IDE': l(0) },
    DailyScratchOrgs: l(6),
    DailyStandardVolumePlatformEvents: l(10000),
    DailyStreamingApiEvents: { Max: 10000, Remaining: 10000, 'Ant Migration Tool': l(0), 'Force.com IDE': l(0) },
    DailyWorkflowEmails: l(2000),
    DataStorageMB: l(5, 5),
    DurableStreamingApiConcurrentClients: l(20),
    FileStorageMB: l(20, 20),
    HourlyAsyncReportRuns: l(1200),
    HourlyDashboardRefreshes: l(200),
    HourlyDashboardResults: l(5000),
    HourlyDashboardStatuses: l(999999999),
    HourlyLongTermIdMapping: l(100000),
    HourlyManagedContentPublicRequests: l(50000),
    HourlyODataCallout: l(10000),
    HourlyPublishedPlatformEvents: l(50000),
    HourlyPublishedStandardVolumePlatformEvents: l(1000),
    HourlyShortTermIdMapping: l(100000),
    HourlySyncReportRuns: l(500),
    HourlyTimeBasedWorkflow: l(50),
    MassEmail: l(10),
    MonthlyEinsteinDiscoveryStoryCreation: l(100),
    MonthlyPlatformEventsUsageEntitlement: l(0),
    Package2VersionCreates: l(6),
    Package2VersionCreatesWithoutValidation: l(500),
    PermissionSets: { Max: 1500, Remaining: 1488, CreateCustom: l(1000, 988) },
    PrivateConnectOutboundCalloutHourlyLimitMB: l(0),
    PublishCallbackUsageInApex: l(5242880),
    SingleEmail: l(15),
    StreamingApiConcurrentClients: l(20),
  };
}
