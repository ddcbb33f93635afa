/**
 * sObject Collections (`/composite/sobjects`): create, update, upsert, delete and retrieve up to
 * 200 records a call. Results come back in input order, one per record, with errors shaped
 * `{statusCode, message, fields}`; with `allOrNone` a failure rolls every write back and the
 * otherwise-valid records report `ALL_OR_NONE_OPERATION_ROLLED_BACK`.
 */
import { parseJsonBody, sfError, SimHttpError, type SfErrorItem } from '../errors.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';
import {
  createRecord,
  deleteRecord,
  externalIdField,
  pathId,
  recordJson,
  requireObject,
  resolveFields,
  updateRecord,
  upsertRecord,
} from './sobjects.js';
import { toId18 } from '../ids.js';

/** Records allowed in one collections call. */
export const MAX_COLLECTION_RECORDS = 200;

interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}
type SaveResult = { id?: string; success: boolean; errors: SaveError[]; created?: boolean };

const toSaveErrors = (items: SfErrorItem[]): SaveError[] =>
  items.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] }));

function errorsOf(error: unknown): SaveError[] {
  if (error instanceof SimHttpError && Array.isArray(error.body)) return toSaveErrors(error.body as SfErrorItem[]);
  throw error;
}

const ROLLED_BACK: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

function body(req: SimRequest): Record<string, unknown> {
  if (req.body === undefined || req.body.trim() === '') throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', 'No content to map due to end-of-input'));
  const v = parseJsonBody(req.body);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', 'Expected a JSON object'));
  return v as Record<string, unknown>;
}

function recordsOf(input: Record<string, unknown>): Record<string, unknown>[] {
  const records = input.records;
  if (!Array.isArray(records)) throw new SimHttpError(400, sfError('INVALID_FIELD', "'records' is required"));
  if (records.length > MAX_COLLECTION_RECORDS) {
    throw new SimHttpError(400, sfError('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`));
  }
  return records.map((r: unknown) => (typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as Record<string, unknown>) : {}));
}

function typeOf(record: Record<string, unknown>): string {
  const attrs = record.attributes;
  const type = typeof attrs === 'object' && attrs !== null ? (attrs as Record<string, unknown>).type : undefined;
  if (typeof type !== 'string' || type === '') throw new SimHttpError(400, sfError('INVALID_TYPE', 'Must specify a type in attributes'));
  return type;
}

/** Run one write per record, honouring allOrNone, and answer the per-record results. */
function runAll(ctx: RouteContext, allOrNone: boolean, count: number, write: (i: number) => SaveResult): SimResponse {
  const outcome = ctx.org.transaction(() => {
    const results: SaveResult[] = [];
    for (let i = 0; i < count; i++) {
      try {
        results.push(write(i));
      } catch (error) {
        results.push({ success: false, errors: errorsOf(error) });
      }
    }
    const failed = results.some((r) => !r.success);
    if (allOrNone && failed) {
      const rolled = results.map((r): SaveResult => (r.success ? { success: false, errors: [ROLLED_BACK] } : r));
      return { results: rolled, rollback: true };
    }
    return { results, rollback: false };
  });
  return { status: 200, body: outcome.results };
}

function create(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const input = body(req);
  const records = recordsOf(input);
  const user = req.session.user.userId;
  return runAll(ctx, input.allOrNone === true, records.length, (i) => {
    const r = records[i]!;
    const d = ctx.org.describe(typeOf(r));
    if (d === undefined) throw new SimHttpError(400, sfError('INVALID_TYPE', `sObject type '${typeOf(r)}' is not supported.`));
    if (r.Id !== undefined || r.id !== undefined) {
      throw new SimHttpError(400, sfError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']));
    }
    return { id: createRecord(ctx.org, d, r, user), success: true, errors: [] };
  });
}

function update(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const input = body(req);
  const records = recordsOf(input);
  const user = req.session.user.userId;
  return runAll(ctx, input.allOrNone === true, records.length, (i) => {
    const r = { ...records[i]! };
    const d = ctx.org.describe(typeOf(r));
    if (d === undefined) throw new SimHttpError(400, sfError('INVALID_TYPE', `sObject type '${typeOf(r)}' is not supported.`));
    const idKey = Object.keys(r).find((k) => k.toLowerCase() === 'id');
    const rawId = idKey === undefined ? undefined : r[idKey];
    if (typeof rawId !== 'string') throw new SimHttpError(400, sfError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']));
    delete r[idKey!];
    const id = pathId(d, rawId);
    updateRecord(ctx.org, d, id, r, user);
    return { id, success: true, errors: [] };
  });
}

function upsert(req: SimRequest, [name, fieldName]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  const field = externalIdField(ctx, d, fieldName!);
  const input = body(req);
  const records = recordsOf(input);
  return runAll(ctx, input.allOrNone === true, records.length, (i) => {
    const r = records[i]!;
    const type = typeOf(r);
    if (type.toLowerCase() !== d.name.toLowerCase()) {
      throw new SimHttpError(400, sfError('INVALID_TYPE', `record type ${type} does not match the upsert object ${d.name}`));
    }
    const key = Object.keys(r).find((k) => k.toLowerCase() === field.toLowerCase());
    const value = key === undefined ? undefined : r[key];
    if (value === undefined || value === null || value === '') {
      throw new SimHttpError(400, sfError('MISSING_ARGUMENT', `${field} not specified`, [field]));
    }
    const res = upsertRecord(ctx, req, d, field, String(value), r);
    if (res.status === 300) {
      throw new SimHttpError(300, sfError('DUPLICATE_EXTERNAL_ID', `${field}: more than one record found for external id field: ${(res.body as string[]).map((u) => u.split('/').pop()).join(', ')}`, [field]));
    }
    const b = res.body as { id: string; created: boolean };
    return { id: b.id, success: true, errors: [], created: b.created };
  });
}

function destroy(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const idsParam = req.query.get('ids');
  if (idsParam === null || idsParam.trim() === '') throw new SimHttpError(400, sfError('MISSING_ARGUMENT', 'ids is required'));
  const ids = idsParam.split(',').map((s) => s.trim());
  if (ids.length > MAX_COLLECTION_RECORDS) {
    throw new SimHttpError(400, sfError('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`));
  }
  const allOrNone = req.query.get('allOrNone') === 'true';
  return runAll(ctx, allOrNone, ids.length, (i) => {
    const raw = ids[i]!;
    const id = toId18(raw);
    if (id === undefined) throw new SimHttpError(400, sfError('MALFORMED_ID', `malformed id ${raw}`));
    const found = ctx.org.findById(id);
    if (found === undefined) {
      if (ctx.org.findDeleted(id) !== undefined) throw new SimHttpError(404, sfError('ENTITY_IS_DELETED', 'entity is deleted'));
      throw new SimHttpError(404, sfError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`));
    }
    deleteRecord(ctx.org, ctx.org.describe(found.sobject)!, id, req.session.user.userId);
    return { id, success: true, errors: [] };
  });
}

function retrieveWith(req: SimRequest, name: string, ids: unknown, fieldsList: unknown, ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name);
  const idList = typeof ids === 'string' ? ids.split(',').map((s) => s.trim()) : Array.isArray(ids) ? ids.map(String) : undefined;
  if (idList === undefined || idList.length === 0) throw new SimHttpError(400, sfError('MISSING_ARGUMENT', 'ids is required'));
  if (idList.length > 2000) throw new SimHttpError(400, sfError('EXCEEDED_ID_LIMIT', 'cannot retrieve more than 2000 records in one call'));
  const fieldsText = typeof fieldsList === 'string' ? fieldsList : Array.isArray(fieldsList) ? fieldsList.map(String).join(',') : null;
  if (fieldsText === null || fieldsText.trim() === '') throw new SimHttpError(400, sfError('MISSING_ARGUMENT', 'fields is required'));
  const fields = resolveFields(ctx.org, d, fieldsText);
  const base = ctx.base(req.version);
  const out = idList.map((raw) => {
    const id = toId18(raw);
    if (id === undefined) throw new SimHttpError(400, sfError('MALFORMED_ID', `malformed id ${raw}`));
    const found = ctx.org.findById(id);
    return found !== undefined && found.sobject === d.name ? recordJson(d, found.record, base, fields) : null;
  });
  return { status: 200, body: out };
}

function retrieveGet(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  return retrieveWith(req, name!, req.query.get('ids') ?? undefined, req.query.get('fields'), ctx);
}

function retrievePost(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const input = body(req);
  return retrieveWith(req, name!, input.ids, input.fields, ctx);
}

export const collectionRoutes: Route[] = [
  { method: 'POST', pattern: /^\/composite\/sobjects\/?$/, key: 'POST /composite/sobjects', handler: create },
  { method: 'PATCH', pattern: /^\/composite\/sobjects\/?$/, key: 'PATCH /composite/sobjects', handler: update },
  { method: 'DELETE', pattern: /^\/composite\/sobjects\/?$/, key: 'DELETE /composite/sobjects', handler: destroy },
  { method: 'GET', pattern: /^\/composite\/sobjects\/([^/]+)\/?$/, key: 'GET /composite/sobjects/{name}', handler: retrieveGet },
  { method: 'POST', pattern: /^\/composite\/sobjects\/([^/]+)\/?$/, key: 'POST /composite/sobjects/{name}', handler: retrievePost },
  { method: 'PATCH', pattern: /^\/composite\/sobjects\/([^/]+)\/([^/]+)\/?$/, key: 'PATCH /composite/sobjects/{name}/{field}', handler: upsert },
];
