/**
 * `POST /composite/tree/{sObject}` (sObject Tree): creates record trees (a record and its children
 * by child-relationship name, up to five levels, 200 records a call) in one transaction. Success:
 * 201 `{hasErrors: false, results: [{referenceId, id}]}` in the order the records were written
 * (each parent before its children). Failure: 400 `{hasErrors: true, results: [{referenceId,
 * errors}]}` for the failed records and nothing written. `sf data tree import` posts here.
 */
import { parseJsonBody, sfError, SimHttpError, type SfErrorItem } from '../errors.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';
import type { SimDescribe } from '../store-types.js';
import { createRecord, requireObject } from './sobjects.js';

/** Records one tree request may hold, at every level together. */
export const MAX_TREE_RECORDS = 200;
/** Levels of a tree (the top records are level 1). */
export const MAX_TREE_DEPTH = 5;

interface TreeError {
  statusCode: string;
  message: string;
  fields: string[];
}

type TreeResult = { referenceId: string; id: string } | { referenceId: string; errors: TreeError[] };

function bad(message: string): SimHttpError {
  return new SimHttpError(400, sfError('INVALID_INPUT', message));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the whole tree before writing anything: shape, types, reference ids, counts, depth. */
function checkTree(ctx: RouteContext, d: SimDescribe, records: unknown, depth: number, seen: Set<string>, where: string): void {
  if (!Array.isArray(records)) throw bad(`${where}: records must be an array`);
  if (depth > MAX_TREE_DEPTH) throw bad(`${where}: a tree can have at most ${MAX_TREE_DEPTH} levels`);
  records.forEach((r: unknown, i: number) => {
    const at = `${where}[${i}]`;
    if (!isObject(r) || !isObject(r.attributes)) throw bad(`${at}: each record needs an attributes object`);
    const { type, referenceId } = r.attributes;
    if (typeof type !== 'string' || type.toLowerCase() !== d.name.toLowerCase()) {
      throw bad(`${at}: attributes.type must be ${d.name}, got ${JSON.stringify(type)}`);
    }
    if (typeof referenceId !== 'string' || !/^[A-Za-z0-9_]+$/.test(referenceId)) {
      throw bad(`${at}: attributes.referenceId is required and must be alphanumeric`);
    }
    if (seen.has(referenceId.toLowerCase())) throw bad(`${at}: duplicate referenceId ${referenceId}`);
    seen.add(referenceId.toLowerCase());
    if (seen.size > MAX_TREE_RECORDS) throw bad(`a tree request can hold at most ${MAX_TREE_RECORDS} records`);
    for (const [key, value] of Object.entries(r)) {
      if (key === 'attributes' || !isObject(value) || !('records' in value)) continue;
      const rel = d.childRelationships.find((c) => c.relationshipName?.toLowerCase() === key.toLowerCase());
      if (rel === undefined) throw bad(`${at}: ${d.name} has no child relationship ${key}`);
      checkTree(ctx, requireObject(ctx.org, rel.childSObject), value.records, depth + 1, seen, `${at}.${key}.records`);
    }
  });
}

function tree(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  if (req.body === undefined || req.body.trim() === '') throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', 'No content to map due to end-of-input'));
  const input = parseJsonBody(req.body);
  if (!isObject(input)) throw bad('the body must be an object with a records array');
  checkTree(ctx, d, input.records, 1, new Set(), 'records');

  const results: TreeResult[] = [];
  const failures: TreeResult[] = [];
  const userId = req.session.user.userId;
  const write = (od: SimDescribe, records: readonly Record<string, unknown>[], parent?: { field: string; id: string }): void => {
    for (const r of records) {
      const referenceId = (r.attributes as Record<string, unknown>).referenceId as string;
      const fields: Record<string, unknown> = {};
      const children: [string, Record<string, unknown>[]][] = [];
      for (const [key, value] of Object.entries(r)) {
        if (key === 'attributes') continue;
        if (isObject(value) && Array.isArray(value.records)) children.push([key, value.records as Record<string, unknown>[]]);
        else fields[key] = value;
      }
      if (parent !== undefined) fields[parent.field] = parent.id;
      let id: string;
      try {
        id = createRecord(ctx.org, od, fields, userId);
      } catch (error) {
        if (!(error instanceof SimHttpError) || !Array.isArray(error.body)) throw error;
        failures.push({ referenceId, errors: (error.body as SfErrorItem[]).map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] })) });
        continue; // its children cannot be written without it; the request fails anyway
      }
      results.push({ referenceId, id });
      for (const [key, list] of children) {
        const rel = od.childRelationships.find((c) => c.relationshipName?.toLowerCase() === key.toLowerCase())!;
        write(requireObject(ctx.org, rel.childSObject), list, { field: rel.field, id });
      }
    }
  };
  return ctx.org.transaction(() => {
    write(d, input.records as Record<string, unknown>[]);
    if (failures.length > 0) return { status: 400, body: { hasErrors: true, results: failures }, rollback: true };
    return { status: 201, body: { hasErrors: false, results }, rollback: false };
  });
}

export const treeRoutes: Route[] = [{ method: 'POST', pattern: /^\/composite\/tree\/([^/]+)\/?$/, key: 'POST /composite/tree/{name}', handler: tree }];
