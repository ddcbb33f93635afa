/**
 * Resources below `/sobjects/{name}/` that are not records: replication (`/updated`, `/deleted`),
 * list views (`./listviews.ts`), layouts, and the two kinds of URL below a record, relationship traversal
 * (`/sobjects/Account/{id}/Contacts`) and blob fields (`/sobjects/Attachment/{id}/Body`). These
 * routes sit before the record routes, so `updated` is never taken for a record id and a
 * relationship or blob URL never for an external-id lookup.
 */
import { notFound, sfError, SimHttpError } from '../errors.js';
import { toId18 } from '../ids.js';
import { BinaryBody, type Route, type RouteContext, type SimRequest, type SimResponse } from '../router.js';
import type { SimDescribe, SimRecord } from '../store-types.js';
import { parseSfDateTime, toSfDateTime } from '../time.js';
import { listViewRoutes } from './listviews.js';
import { getByExternalId, liveRecord, recordJson, requireObject, resolveFields } from './sobjects.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Replication answers cover the last 30 days (REST API guide, sObject Get Updated / Get Deleted). */
const REPLICATION_WINDOW_MS = 30 * DAY_MS;
/** Most ids one replication call returns before `EXCEEDED_ID_LIMIT`. */
const MAX_REPLICATION_IDS = 600_000;

function replicationRange(req: SimRequest, ctx: RouteContext): { start: number; end: number } {
  const read = (name: 'start' | 'end'): number => {
    const raw = req.query.get(name);
    if (raw === null || raw.trim() === '') throw new SimHttpError(400, sfError('MISSING_ARGUMENT', `${name} must be specified`));
    const parsed = parseSfDateTime(raw.trim());
    if (parsed === undefined) throw new SimHttpError(400, sfError('INVALID_REPLICATION_DATE', `${name} is not a valid date/time: ${raw}`));
    // The seconds of both bounds are ignored, as Salesforce documents.
    return Math.floor(Date.parse(parsed.replace('+0000', 'Z')) / 60_000) * 60_000;
  };
  const start = read('start');
  const end = read('end');
  const now = ctx.now();
  if (start < now - REPLICATION_WINDOW_MS) {
    throw new SimHttpError(400, sfError('INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago'));
  }
  if (end <= start) throw new SimHttpError(400, sfError('INVALID_REPLICATION_DATE', 'endDate must chronologically follow the startDate'));
  // Never past now: what changes later is for a later call (which may see this minute again).
  return { start, end: Math.min(end, now + 1) };
}

/** `latestDateCovered`: the end of the range, to the minute. */
function covered(end: number): string {
  return toSfDateTime(new Date(Math.floor(end / 60_000) * 60_000));
}

function replicable(ctx: RouteContext, name: string): SimDescribe {
  const d = requireObject(ctx.org, name);
  if (d.replicateable === false) throw new SimHttpError(400, sfError('INVALID_TYPE', `${d.name} is not replicable`));
  return d;
}

function stampOf(record: SimRecord): number | undefined {
  const v = record.SystemModstamp ?? record.LastModifiedDate;
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v.replace(/\+0000$/, 'Z'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** `GET /sobjects/{name}/updated?start=&end=`: ids whose SystemModstamp falls in the range. */
function updated(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = replicable(ctx, name!);
  const { start, end } = replicationRange(req, ctx);
  const ids = ctx.org
    .records(d.name)
    .filter((r) => {
      const t = stampOf(r);
      return t !== undefined && t >= start && t < end;
    })
    .map((r) => r.Id);
  if (ids.length > MAX_REPLICATION_IDS) throw new SimHttpError(400, sfError('EXCEEDED_ID_LIMIT', 'too many ids; narrow the date range'));
  return { status: 200, body: { ids, latestDateCovered: covered(end) } };
}

/** `GET /sobjects/{name}/deleted?start=&end=`: records deleted in the range, with their dates. */
function deleted(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = replicable(ctx, name!);
  const { start, end } = replicationRange(req, ctx);
  const deletedRecords = ctx.org
    .deletedRecords(d.name)
    .map((r) => ({ id: r.Id, at: ctx.org.deletedDate(r.Id) }))
    .filter((x): x is { id: string; at: number } => x.at !== undefined && x.at >= start && x.at < end)
    .map((x) => ({ id: x.id, deletedDate: toSfDateTime(new Date(x.at)) }));
  return {
    status: 200,
    body: {
      deletedRecords,
      earliestDateAvailable: toSfDateTime(new Date(Math.floor((ctx.now() - REPLICATION_WINDOW_MS) / 60_000) * 60_000)),
      latestDateCovered: covered(end),
    },
  };
}

/**
 * `GET /sobjects/{name}/describe/layouts`: page layouts are not part of a metadata directory, so
 * the list is empty; the record type mappings come from the describe's `recordTypeInfos`.
 */
function layouts(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  if (d.layoutable === false) throw notFound();
  const infos = Array.isArray(d.recordTypeInfos) ? (d.recordTypeInfos as Record<string, unknown>[]) : [];
  const base = ctx.base(req.version);
  const recordTypeMappings = infos.map((rt) => ({
    available: rt.available ?? true,
    defaultRecordTypeMapping: rt.defaultRecordTypeMapping ?? false,
    developerName: rt.developerName ?? null,
    layoutId: null,
    master: rt.master ?? false,
    name: rt.name ?? null,
    picklistsForRecordType: [],
    recordTypeId: rt.recordTypeId ?? null,
    urls: { layout: `${base}/sobjects/${d.name}/describe/layouts/${String(rt.recordTypeId ?? '')}` },
  }));
  return { status: 200, body: { layouts: [], recordTypeMappings, recordTypeSelectorRequired: [false] } };
}

/** A record of `d` from a path segment that is a well-formed id of this object, else `undefined`. */
function ownRecordId(d: SimDescribe, segment: string): string | undefined {
  const id = toId18(segment);
  if (id === undefined || d.keyPrefix === null || id.slice(0, 3) !== d.keyPrefix) return undefined;
  return id;
}

/**
 * `GET /sobjects/{name}/{id}/{relationship or blob field}`, else the external-id lookup
 * `GET /sobjects/{name}/{field}/{value}`. A child relationship answers like a query
 * (`{totalSize, done, records}`), a lookup answers the parent record (404 when it is empty), a
 * base64 field answers its bytes.
 */
function below(req: SimRequest, params: readonly string[], ctx: RouteContext): SimResponse {
  const [name, idSegment, what] = params as [string, string, string];
  const d = requireObject(ctx.org, name);
  const id = ownRecordId(d, idSegment);
  if (id === undefined || ctx.org.field(d.name, idSegment) !== undefined) return getByExternalId(req, params, ctx);
  const key = what.toLowerCase();
  const base = ctx.base(req.version);
  const child = d.childRelationships.find((c) => c.relationshipName?.toLowerCase() === key);
  if (child !== undefined && child.relationshipName !== null) {
    const record = liveRecord(ctx.org, d, id);
    const cd = requireObject(ctx.org, child.childSObject);
    const fields = resolveFields(ctx.org, cd, req.query.get('fields'));
    const records = ctx.org.records(cd.name).filter((r) => r[child.field] === record.Id).map((r) => recordJson(cd, r, base, fields));
    return { status: 200, body: { totalSize: records.length, done: true, records } };
  }
  const lookup = d.fields.find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === key);
  if (lookup !== undefined) {
    const record = liveRecord(ctx.org, d, id);
    const parentId = record[lookup.name];
    const parent = typeof parentId === 'string' ? ctx.org.findById(parentId) : undefined;
    if (parent === undefined) throw notFound();
    const pd = requireObject(ctx.org, parent.sobject);
    return { status: 200, body: recordJson(pd, parent.record, base, resolveFields(ctx.org, pd, req.query.get('fields'))) };
  }
  const blobField = d.fields.find((f) => f.type === 'base64' && f.name.toLowerCase() === key);
  if (blobField !== undefined) {
    const record = liveRecord(ctx.org, d, id);
    const bytes = blobBytes(ctx, d, record, blobField.name);
    const contentType = typeof record.ContentType === 'string' && record.ContentType !== '' ? record.ContentType : 'application/octet-stream';
    return { status: 200, body: new BinaryBody(bytes, contentType) };
  }
  if (d.fields.some((f) => f.name.toLowerCase() === key)) {
    throw new SimHttpError(400, sfError('INVALID_FIELD', `${what} is not a relationship or blob field of ${d.name}`));
  }
  throw new SimHttpError(404, sfError('NOT_FOUND', `No relationship named ${what} on ${d.name}`));
}

/** Largest placeholder served for a seed blob whose bytes the metadata directory does not hold. */
const MAX_PLACEHOLDER_BYTES = 16 * 1024 * 1024;

/**
 * The bytes of a blob field: what the API wrote, or for seed records (whose file holds only the
 * field's URL) `<Field>Length` zero bytes, capped at 16 MB.
 */
function blobBytes(ctx: RouteContext, d: SimDescribe, record: SimRecord, field: string): Buffer {
  const stored = ctx.org.blob(record.Id, field);
  if (stored !== undefined) return stored;
  if (record[field] === null || record[field] === undefined) throw notFound();
  const length = record[`${field}Length`];
  return Buffer.alloc(typeof length === 'number' && length > 0 ? Math.min(length, MAX_PLACEHOLDER_BYTES) : 0);
}

export const sobjectResourceRoutes: Route[] = [
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/updated\/?$/, key: 'GET /sobjects/{name}/updated', handler: updated },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/deleted\/?$/, key: 'GET /sobjects/{name}/deleted', handler: deleted },
  ...listViewRoutes,
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/describe\/layouts\/?$/, key: 'GET /sobjects/{name}/describe/layouts', handler: layouts },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/([^/]+)\/([^/]+)\/?$/, key: 'GET /sobjects/{name}/{id}/{relationship|blob}', handler: below },
];
