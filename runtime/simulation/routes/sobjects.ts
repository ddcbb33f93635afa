/** Single-record resources: create, get (`?fields=`), update (PATCH), delete, upsert by external id. */
import { notFound, parseJsonBody, sfError, SimHttpError } from '../errors.js';
import { looksLikeId, toId18 } from '../ids.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';
import type { SimDescribe, SimRecord } from '../store-types.js';
import type { SimOrg } from '../store.js';

/** The describe of an object named in a path, or 404. */
export function requireObject(org: SimOrg, name: string): SimDescribe {
  const d = org.describe(name);
  if (d === undefined) throw notFound();
  return d;
}

/** A request body that must be a JSON object. */
export function objectBody(req: SimRequest, what = 'SObject'): Record<string, unknown> {
  if (req.body === undefined || req.body.trim() === '') {
    throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', 'No content to map due to end-of-input'));
  }
  const value = parseJsonBody(req.body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'START_ARRAY' : 'VALUE_' + (value === null ? 'NULL' : typeof value).toUpperCase();
    throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', `Cannot deserialize instance of ${what} from ${kind} value at [line:1, column:1]`));
  }
  return value as Record<string, unknown>;
}

/** Record JSON as REST returns it: `attributes` first, then fields in describe order. */
export function recordJson(d: SimDescribe, record: SimRecord, base: string, fields?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: d.name, url: `${base}/sobjects/${d.name}/${record.Id}` } };
  const names = fields ?? d.fields.map((f) => f.name);
  for (const name of names) out[name] = record[name] ?? null;
  return out;
}

/** Resolve a `fields` list (comma-separated, any case) to canonical names or 400 INVALID_FIELD. */
export function resolveFields(org: SimOrg, d: SimDescribe, list: string | null): string[] | undefined {
  if (list === null || list.trim() === '') return undefined;
  return list.split(',').map((raw) => {
    const name = raw.trim();
    const f = org.field(d.name, name);
    if (f === undefined) {
      throw new SimHttpError(
        400,
        sfError(
          'INVALID_FIELD',
          `No such column '${name}' on entity '${d.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
        ),
      );
    }
    return f.name;
  });
}

/** A record id from a URL segment, checked against the object's key prefix. */
export function pathId(d: SimDescribe, segment: string): string {
  const id = toId18(segment);
  if (id === undefined) {
    if (looksLikeId(segment)) throw new SimHttpError(400, sfError('MALFORMED_ID', `${d.name} ID: id value of incorrect type: ${segment}`));
    throw new SimHttpError(404, sfError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${segment}`));
  }
  if (d.keyPrefix !== null && id.slice(0, 3) !== d.keyPrefix) {
    throw new SimHttpError(400, sfError('MALFORMED_ID', `${d.name} ID: id value of incorrect type: ${segment}`));
  }
  return id;
}

/** A live record by id, or the Salesforce error for a missing or deleted one. */
export function liveRecord(org: SimOrg, d: SimDescribe, id: string): SimRecord {
  const found = org.findById(id);
  if (found !== undefined && found.sobject === d.name) return found.record;
  if (org.findDeleted(id)?.sobject === d.name) throw new SimHttpError(404, sfError('ENTITY_IS_DELETED', 'entity is deleted'));
  throw notFound();
}

/** Validate and insert; returns the new id or throws the DML errors (400). */
export function createRecord(org: SimOrg, d: SimDescribe, input: Record<string, unknown>, userId: string): string {
  if (d.createable !== true) throw new SimHttpError(400, sfError('INVALID_TYPE', `entity type ${d.name} does not support insert`));
  const checked = org.validate(d.name, input, 'create');
  if (!checked.ok) throw new SimHttpError(400, checked.errors);
  return org.insert(d.name, checked.values, userId).Id;
}

/** Validate and update a live record; throws the DML errors. */
export function updateRecord(org: SimOrg, d: SimDescribe, id: string, input: Record<string, unknown>, userId: string): void {
  if (d.updateable !== true) throw new SimHttpError(400, sfError('INVALID_TYPE', `entity type ${d.name} does not support update`));
  liveRecord(org, d, id);
  const checked = org.validate(d.name, input, 'update');
  if (!checked.ok) throw new SimHttpError(400, checked.errors);
  org.update(d.name, id, checked.values, userId);
}

/** Delete a live record; throws NOT_FOUND / ENTITY_IS_DELETED. */
export function deleteRecord(org: SimOrg, d: SimDescribe, id: string, userId?: string): void {
  if (d.deletable !== true) throw new SimHttpError(400, sfError('INVALID_TYPE', `entity type ${d.name} does not support delete`));
  liveRecord(org, d, id);
  org.delete(d.name, id, userId);
}

function create(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  if (d.name.endsWith('__e')) {
    // A platform event: published asynchronously; Salesforce answers 201 with the event UUID in an
    // OPERATION_ENQUEUED "error" of a successful result.
    if (d.createable !== true) throw new SimHttpError(400, sfError('INVALID_TYPE', `entity type ${d.name} does not support insert`));
    const checked = ctx.org.validate(d.name, objectBody(req), 'create');
    if (!checked.ok) throw new SimHttpError(400, checked.errors);
    const event = ctx.org.insert(d.name, checked.values, req.session.user.userId);
    const uuid = typeof event.EventUuid === 'string' ? event.EventUuid : '';
    return { status: 201, body: { id: event.Id, success: true, errors: [{ statusCode: 'OPERATION_ENQUEUED', message: uuid, fields: [] }] } };
  }
  const id = createRecord(ctx.org, d, objectBody(req), req.session.user.userId);
  return {
    status: 201,
    headers: { Location: `${ctx.base(req.version)}/sobjects/${d.name}/${id}` },
    body: { id, success: true, errors: [] },
  };
}

function get(req: SimRequest, [name, idSegment]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  const id = pathId(d, idSegment!);
  const fields = resolveFields(ctx.org, d, req.query.get('fields'));
  const record = liveRecord(ctx.org, d, id);
  return { status: 200, body: recordJson(d, record, ctx.base(req.version), fields) };
}

function patch(req: SimRequest, [name, idSegment]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  const id = pathId(d, idSegment!);
  updateRecord(ctx.org, d, id, objectBody(req), req.session.user.userId);
  return { status: 204 };
}

function del(req: SimRequest, [name, idSegment]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  deleteRecord(ctx.org, d, pathId(d, idSegment!), req.session.user.userId);
  return { status: 204 };
}

/** The external-id field named in an upsert path, or 404 like Salesforce. */
export function externalIdField(ctx: RouteContext, d: SimDescribe, fieldName: string): string {
  const f = ctx.org.field(d.name, fieldName);
  if (f === undefined || (f.type !== 'id' && f.externalId !== true && f.idLookup !== true)) {
    throw new SimHttpError(404, sfError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`));
  }
  return f.name;
}

/** Live records whose external-id field equals `value` (case-insensitive unless the field is case sensitive). */
export function matchExternalId(ctx: RouteContext, d: SimDescribe, field: string, value: string): SimRecord[] {
  const f = ctx.org.field(d.name, field)!;
  const sensitive = f.caseSensitive === true;
  const want = sensitive ? value : value.toLowerCase();
  return ctx.org.records(d.name).filter((r) => {
    const v = r[field];
    if (v === null || v === undefined) return false;
    const s = String(v);
    return (sensitive ? s : s.toLowerCase()) === want;
  });
}

/**
 * Upsert one record by external id: 201 `{id, success, errors, created:true}` when created, 200
 * with `created:false` when updated, 300 with the matching record URLs when several match.
 */
export function upsertRecord(
  ctx: RouteContext,
  req: SimRequest,
  d: SimDescribe,
  field: string,
  value: string,
  input: Record<string, unknown>,
): SimResponse {
  const matches = matchExternalId(ctx, d, field, value);
  const base = ctx.base(req.version);
  if (matches.length > 1) {
    return { status: 300, body: matches.map((r) => `${base}/sobjects/${d.name}/${r.Id}`) };
  }
  const own = Object.keys(input).find((k) => k.toLowerCase() === field.toLowerCase());
  const body = { ...input };
  if (own !== undefined) delete body[own];
  if (matches.length === 1) {
    const id = matches[0]!.Id;
    updateRecord(ctx.org, d, id, body, req.session.user.userId);
    return { status: 200, headers: { Location: `${base}/sobjects/${d.name}/${id}` }, body: { id, success: true, errors: [], created: false } };
  }
  const f = ctx.org.field(d.name, field)!;
  const id = createRecord(ctx.org, d, f.type === 'id' ? body : { ...body, [field]: value }, req.session.user.userId);
  return { status: 201, headers: { Location: `${base}/sobjects/${d.name}/${id}` }, body: { id, success: true, errors: [], created: true } };
}

function upsert(req: SimRequest, [name, fieldName, value]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  const field = externalIdField(ctx, d, fieldName!);
  return upsertRecord(ctx, req, d, field, value!, objectBody(req));
}

function getByExternalId(req: SimRequest, [name, fieldName, value]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  const field = externalIdField(ctx, d, fieldName!);
  const fields = resolveFields(ctx.org, d, req.query.get('fields'));
  const matches = matchExternalId(ctx, d, field, value!);
  const base = ctx.base(req.version);
  if (matches.length === 0) throw notFound();
  if (matches.length > 1) return { status: 300, body: matches.map((r) => `${base}/sobjects/${d.name}/${r.Id}`) };
  return { status: 200, body: recordJson(d, matches[0]!, base, fields) };
}

function deleteByExternalId(req: SimRequest, [name, fieldName, value]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  const field = externalIdField(ctx, d, fieldName!);
  const matches = matchExternalId(ctx, d, field, value!);
  if (matches.length === 0) throw notFound();
  if (matches.length > 1) throw new SimHttpError(300, sfError('MULTIPLE_CHOICES', `More than one record found for ${d.name}.${field} = ${value}`));
  deleteRecord(ctx.org, d, matches[0]!.Id, req.session.user.userId);
  return { status: 204 };
}

export const sobjectRoutes: Route[] = [
  { method: 'POST', pattern: /^\/sobjects\/([^/]+)\/?$/, key: 'POST /sobjects/{name}', handler: create },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/([^/]+)\/?$/, key: 'GET /sobjects/{name}/{id}', handler: get },
  { method: 'PATCH', pattern: /^\/sobjects\/([^/]+)\/([^/]+)\/?$/, key: 'PATCH /sobjects/{name}/{id}', handler: patch },
  { method: 'DELETE', pattern: /^\/sobjects\/([^/]+)\/([^/]+)\/?$/, key: 'DELETE /sobjects/{name}/{id}', handler: del },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/([^/]+)\/([^/]+)\/?$/, key: 'GET /sobjects/{name}/{field}/{value}', handler: getByExternalId },
  { method: 'PATCH', pattern: /^\/sobjects\/([^/]+)\/([^/]+)\/([^/]+)\/?$/, key: 'PATCH /sobjects/{name}/{field}/{value}', handler: upsert },
  { method: 'DELETE', pattern: /^\/sobjects\/([^/]+)\/([^/]+)\/([^/]+)\/?$/, key: 'DELETE /sobjects/{name}/{field}/{value}', handler: deleteByExternalId },
];
