/**
 * List views (REST API Developer Guide: List Views for an Object, List View Basic Information,
 * List View Describe, List View Results, Recent List Views). A metadata directory holds no list
 * view definitions, so the simulator serves the one every org has for an object with a tab: an
 * "All" view with no filter and the "everything" scope, whose columns are the object's name field
 * (shown, sorted ascending) and `Id`, `CreatedDate`, `LastModifiedDate`, `SystemModstamp`
 * (hidden), as Salesforce's standard views declare them. Its describe gives the SOQL query those
 * columns make, and its results are that query run by the simulator's query engine over the
 * current records, paged with `limit` and `offset`.
 *
 * An object has the view when its describe lists a `listviews` URL (Salesforce's sign that the
 * object has list views), it is queryable, and it has a name field. List view ids (`00B...`) are
 * derived from the object's name, so they are stable across runs and simulators.
 */
import { sfError, SimHttpError } from '../errors.js';
import { caseSafeSuffix, toId18 } from '../ids.js';
import { runQuery } from '../query-runner.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';
import type { SimDescribe, SimField } from '../store-types.js';
import { labelOf } from '../validation.js';
import { requireObject } from './sobjects.js';

/** One column of a list view, as List View Describe and List View Results answer it. */
interface ListViewColumn {
  readonly ascendingLabel: string | null;
  readonly descendingLabel: string | null;
  readonly fieldNameOrPath: string;
  readonly hidden: boolean;
  readonly label: string;
  readonly selectListItem: string;
  readonly sortDirection: 'ascending' | 'descending' | null;
  readonly sortIndex: number | null;
  readonly sortable: boolean;
  readonly type: string;
}

/** A list view the simulator serves. */
export interface SimListView {
  /** 18-char id (`00B...`). */
  readonly id: string;
  readonly developerName: string;
  readonly label: string;
  readonly sobjectType: string;
  readonly columns: readonly ListViewColumn[];
  readonly orderBy: readonly { fieldNameOrPath: string; nullsPosition: 'first' | 'last'; sortDirection: 'ascending' | 'descending' }[];
  /** The SOQL the view runs, as its describe states it. */
  readonly query: string;
}

/** Columns every standard list view carries, hidden, after the ones it shows. */
const HIDDEN_COLUMNS = ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'];
/** `limit` of List View Results: 25 by default, 1 to 2000. */
const DEFAULT_RESULTS_LIMIT = 25;
const MAX_RESULTS_LIMIT = 2000;

/** FNV-1a of the lower-cased name: the stable number behind an object's list view id. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of name.toLowerCase()) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function listViewId(sobject: string): string {
  const id15 = `00BSm0${String(nameHash(sobject) % 1_000_000_000).padStart(9, '0')}`;
  return id15 + caseSafeSuffix(id15);
}

/** Sort labels Salesforce shows for a column type (Z-A / A-Z for text, 9-0 / 0-9 for numbers). */
function sortLabels(type: string): { ascendingLabel: string | null; descendingLabel: string | null } {
  if (['string', 'textarea', 'email', 'url', 'combobox', 'encryptedstring', 'reference', 'id'].includes(type)) return { ascendingLabel: 'Z-A', descendingLabel: 'A-Z' };
  if (['phone', 'int', 'double', 'currency', 'percent', 'long'].includes(type)) return { ascendingLabel: '9-0', descendingLabel: '0-9' };
  if (type === 'picklist' || type === 'multipicklist') return { ascendingLabel: 'Low to High', descendingLabel: 'High to Low' };
  return { ascendingLabel: null, descendingLabel: null };
}

/** The object's "All" list view, or `undefined` when it has none (no list views, not queryable, no name field). */
export function allListView(d: SimDescribe): SimListView | undefined {
  const urls = d.urls as Record<string, unknown> | undefined;
  if (!d.queryable || typeof urls?.listviews !== 'string') return undefined;
  const nameField = d.fields.find((f) => f.nameField === true);
  if (nameField === undefined) return undefined;
  const shown: ListViewColumn = {
    ...sortLabels(nameField.type),
    fieldNameOrPath: nameField.name,
    hidden: false,
    label: labelOf(nameField),
    selectListItem: nameField.name,
    sortDirection: 'ascending',
    sortIndex: 0,
    sortable: true,
    type: nameField.type,
  };
  const hidden = HIDDEN_COLUMNS.map((name) => d.fields.find((f) => f.name === name))
    .filter((f): f is SimField => f !== undefined && f.name !== nameField.name)
    .map(
      (f): ListViewColumn => ({
        ascendingLabel: null,
        descendingLabel: null,
        fieldNameOrPath: f.name,
        hidden: true,
        label: labelOf(f),
        selectListItem: f.name,
        sortDirection: null,
        sortIndex: null,
        sortable: false,
        type: f.type,
      }),
    );
  const columns = [shown, ...hidden];
  const orderBy = [{ fieldNameOrPath: nameField.name, nullsPosition: 'first' as const, sortDirection: 'ascending' as const }];
  if (nameField.name !== 'Id') orderBy.push({ fieldNameOrPath: 'Id', nullsPosition: 'first', sortDirection: 'ascending' });
  const select = columns.map((c) => c.selectListItem.toLowerCase()).join(', ');
  const order = orderBy.map((o) => `${o.fieldNameOrPath} ASC NULLS FIRST`).join(', ');
  const custom = d.custom === true;
  const plural = typeof d.labelPlural === 'string' && d.labelPlural !== '' ? d.labelPlural : d.name;
  return {
    id: listViewId(d.name),
    developerName: custom ? 'All' : `All${plural.replace(/[^A-Za-z0-9]/g, '')}`,
    label: custom ? 'All' : `All ${plural}`,
    sobjectType: d.name,
    columns,
    orderBy,
    query: `SELECT ${select} FROM ${d.name} ORDER BY ${order}`,
  };
}

/** The list view with this id (15 or 18 chars) of any object, for `/query?explain=<list view id>`. */
export function listViewById(ctx: RouteContext, id: string): SimListView | undefined {
  const id18 = toId18(id);
  if (id18 === undefined || !id18.startsWith('00B')) return undefined;
  for (const name of ctx.org.objectNames()) {
    const d = ctx.org.describe(name);
    const view = d === undefined ? undefined : allListView(d);
    if (view?.id === id18) return view;
  }
  return undefined;
}

function listViewInfo(view: SimListView, base: string): Record<string, unknown> {
  const url = `${base}/sobjects/${view.sobjectType}/listviews/${view.id}`;
  return {
    describeUrl: `${url}/describe`,
    developerName: view.developerName,
    id: view.id,
    label: view.label,
    resultsUrl: `${url}/results`,
    soqlCompatible: true,
    url,
  };
}

/** The object's list view named by the path's id, else 404 (as Salesforce answers an unknown one). */
function requireListView(ctx: RouteContext, name: string, id: string): SimListView {
  const view = allListView(requireObject(ctx.org, name));
  const id18 = toId18(id);
  if (view === undefined || id18 === undefined || view.id !== id18) {
    throw new SimHttpError(404, sfError('NOT_FOUND', 'The requested resource does not exist'));
  }
  return view;
}

/** `GET /sobjects/{name}/listviews`. */
function list(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  const view = allListView(d);
  const listviews = view === undefined ? [] : [listViewInfo(view, ctx.base(req.version))];
  return { status: 200, body: { done: true, listviews, nextRecordsUrl: null, size: listviews.length, sobjectType: d.name } };
}

/**
 * `GET /sobjects/{name}/listviews/recent`: the list views the user used recently. Nobody opens a
 * list view in the simulator's (absent) user interface, so the list is empty.
 */
function recent(req: SimRequest, [name]: readonly string[], ctx: RouteContext): SimResponse {
  const d = requireObject(ctx.org, name!);
  return { status: 200, body: { done: true, listviews: [], nextRecordsUrl: null, size: 0, sobjectType: d.name } };
}

/** `GET /sobjects/{name}/listviews/{id}`: basic information. */
function basic(req: SimRequest, [name, id]: readonly string[], ctx: RouteContext): SimResponse {
  return { status: 200, body: listViewInfo(requireListView(ctx, name!, id!), ctx.base(req.version)) };
}

/** `GET /sobjects/{name}/listviews/{id}/describe`: columns, order, query, scope, filter. */
function describe(req: SimRequest, [name, id]: readonly string[], ctx: RouteContext): SimResponse {
  const view = requireListView(ctx, name!, id!);
  return {
    status: 200,
    body: {
      columns: view.columns,
      id: view.id.slice(0, 15),
      orderBy: view.orderBy,
      query: view.query,
      scope: 'everything',
      sobjectType: view.sobjectType,
      whereCondition: { conditions: [], conjunction: 'and' },
    },
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** A datetime as List View Results writes it (Java's `Date.toString()` in GMT: `Fri Aug 01 21:15:46 GMT 2014`). */
function javaDate(value: string): string {
  const d = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(d.getTime())) return value;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT ${d.getUTCFullYear()}`;
}

/** A cell of List View Results: text, as the list view shows it; `null` when empty. */
function cell(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'datetime' && typeof value === 'string') return javaDate(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function intParam(req: SimRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    // Salesforce documents the range, not the error; the code is the simulator's choice.
    throw new SimHttpError(400, sfError('INVALID_PARAMETER_VALUE', `${name} must be an integer from ${min} to ${max}, got ${raw}`));
  }
  return n;
}

/** `GET /sobjects/{name}/listviews/{id}/results?limit=&offset=`: the view's query, run now. */
function results(req: SimRequest, [name, id]: readonly string[], ctx: RouteContext): SimResponse {
  const view = requireListView(ctx, name!, id!);
  const limit = intParam(req, 'limit', DEFAULT_RESULTS_LIMIT, 1, MAX_RESULTS_LIMIT);
  const offset = intParam(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const all = runQuery(view.query, ctx.org, { includeDeleted: false, apiVersion: req.version, now: ctx.now() }).records as readonly Record<string, unknown>[];
  const page = all.slice(offset, offset + limit);
  const records = page.map((row) => ({
    columns: view.columns.map((c) => ({ fieldNameOrPath: c.fieldNameOrPath, value: cell(row[c.fieldNameOrPath], c.type) })),
  }));
  return {
    status: 200,
    body: {
      columns: view.columns,
      developerName: view.developerName,
      done: offset + page.length >= all.length,
      id: view.id.slice(0, 15),
      label: view.label,
      records,
      size: records.length,
    },
  };
}

/** Routes below `/sobjects/{name}/listviews`; they sit before the record routes. */
export const listViewRoutes: Route[] = [
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/listviews\/?$/, key: 'GET /sobjects/{name}/listviews', handler: list },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/listviews\/recent\/?$/, key: 'GET /sobjects/{name}/listviews/recent', handler: recent },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/listviews\/([^/]+)\/?$/, key: 'GET /sobjects/{name}/listviews/{id}', handler: basic },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/listviews\/([^/]+)\/describe\/?$/, key: 'GET /sobjects/{name}/listviews/{id}/describe', handler: describe },
  { method: 'GET', pattern: /^\/sobjects\/([^/]+)\/listviews\/([^/]+)\/results\/?$/, key: 'GET /sobjects/{name}/listviews/{id}/results', handler: results },
];
