/**
 * SOSL over the simulated org: `GET /search?q=FIND {...} ...` and `/parameterizedSearch` (GET with
 * query parameters, POST with a JSON body). Both answer `{searchRecords: [{attributes, Id, ...}]}`.
 *
 * Served syntax (the common cases of the SOSL reference):
 * - `FIND {term}`: words (implicitly ANDed), `"phrases"`, `*` and `?` wildcards, `AND`, `OR`,
 *   `AND NOT`, parentheses; `\` escapes a reserved character. Matching is case-insensitive on
 *   words: text is split at anything that is not a letter or a digit.
 * - `IN ALL FIELDS | NAME FIELDS | EMAIL FIELDS | PHONE FIELDS | SIDEBAR FIELDS`.
 * - `RETURNING Object [(fields [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n])], ...`; the
 *   per-object clause is evaluated by the SOQL engine, so its WHERE and ORDER BY accept what SOQL
 *   accepts there. Without RETURNING every searchable object is searched and answers `Id`.
 * - a top-level `LIMIT n` (default and maximum 2,000); `WITH ...` and `UPDATE ...` clauses are
 *   accepted and have no effect.
 * Results come object by object in RETURNING order, records in insertion order unless ORDER BY
 * says otherwise (Salesforce orders by relevance, which the simulator does not model).
 */
import type { SelectQuery } from '../../soql/ast.js';
import { compileSoql } from '../../soql/compile.js';
import { parseSoql, SoqlParseError } from '../../soql/parser.js';
import { parseJsonBody, sfError, SimHttpError } from '../errors.js';
import { runQuery } from '../query-runner.js';
import type { Route, RouteContext, SimRequest, SimResponse } from '../router.js';
import type { SimDescribe, SimField, SimRecord } from '../store-types.js';

/** Most records one search returns. */
export const MAX_SEARCH_RESULTS = 2000;

type FieldGroup = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE' | 'SIDEBAR';

/** A RETURNING entry: the object and the SOQL-like clause inside its parentheses. */
interface Returning {
  readonly object: string;
  /** `Id, Name WHERE ... ORDER BY ... LIMIT n`, or '' for `Id` only. */
  readonly clause: string;
}

interface SearchSpec {
  readonly term: Term;
  readonly group: FieldGroup;
  readonly returning: readonly Returning[] | undefined;
  readonly limit: number;
}

const malformed = (message: string): SimHttpError => new SimHttpError(400, sfError('MALFORMED_SEARCH', message));

// ---- search term ---------------------------------------------------------------------------------

type Term =
  | { readonly kind: 'word'; readonly re: RegExp }
  | { readonly kind: 'phrase'; readonly words: readonly RegExp[] }
  | { readonly kind: 'and' | 'or'; readonly left: Term; readonly right: Term }
  | { readonly kind: 'andNot'; readonly left: Term; readonly right: Term };

/** Split text into lower-case words (letters and digits). */
function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}*?]+/u).filter((w) => w !== '');
}

function wordPattern(word: string): RegExp {
  const body = word.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'u');
}

/** A piece of search text that may hold separators: one word, or a phrase of its words. */
function termOf(text: string): Term | undefined {
  const ws = words(text);
  if (ws.length === 0) return undefined;
  if (ws.length === 1) return { kind: 'word', re: wordPattern(ws[0]!) };
  return { kind: 'phrase', words: ws.map(wordPattern) };
}

/** Parse a search term (`acme OR "big corp" AND NOT test*`). */
export function parseTerm(text: string): Term {
  if (text.replace(/[\s*?"()\\]/g, '').length < 2) throw malformed('search term must be longer than one character');
  type Tok = { kind: 'text' | 'phrase'; value: string } | { kind: 'op'; value: 'AND' | 'OR' | 'NOT' | '(' | ')' };
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      toks.push({ kind: 'op', value: c });
      i++;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw malformed(`unterminated phrase in search term: ${text}`);
      toks.push({ kind: 'phrase', value: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    let w = '';
    while (i < text.length && !/[\s()"]/.test(text[i]!)) {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      w += text[i];
      i++;
    }
    const upper = w.toUpperCase();
    if (upper === 'AND' || upper === 'OR' || upper === 'NOT') toks.push({ kind: 'op', value: upper });
    else toks.push({ kind: 'text', value: w });
  }
  let pos = 0;
  const peek = () => toks[pos];
  const primary = (): Term | undefined => {
    const t = toks[pos++];
    if (t === undefined) throw malformed(`search term ends too early: ${text}`);
    if (t.kind === 'op' && t.value === '(') {
      const inner = orExpr();
      const close = toks[pos++];
      if (close?.kind !== 'op' || close.value !== ')') throw malformed(`missing ) in search term: ${text}`);
      return inner;
    }
    if (t.kind === 'op') throw malformed(`unexpected ${t.value} in search term: ${text}`);
    return t.kind === 'phrase' ? (words(t.value).length === 0 ? undefined : { kind: 'phrase', words: words(t.value).map(wordPattern) }) : termOf(t.value);
  };
  const join = (kind: 'and' | 'or' | 'andNot', left: Term | undefined, right: Term | undefined): Term | undefined =>
    left === undefined ? (kind === 'andNot' ? undefined : right) : right === undefined ? left : { kind, left, right };
  const andExpr = (): Term | undefined => {
    let left = primary();
    for (;;) {
      const t = peek();
      if (t === undefined || (t.kind === 'op' && (t.value === 'OR' || t.value === ')'))) return left;
      if (t.kind === 'op' && t.value === 'AND') {
        pos++;
        const next = peek();
        if (next?.kind === 'op' && next.value === 'NOT') {
          pos++;
          left = join('andNot', left, primary());
        } else left = join('and', left, primary());
        continue;
      }
      left = join('and', left, primary()); // implicit AND between words
    }
  };
  const orExpr = (): Term | undefined => {
    let left = andExpr();
    while (peek()?.kind === 'op' && peek()!.value === 'OR') {
      pos++;
      left = join('or', left, andExpr());
    }
    return left;
  };
  const term = orExpr();
  if (pos < toks.length) throw malformed(`unexpected ${toks[pos]!.value} in search term: ${text}`);
  if (term === undefined) throw malformed('search term must be longer than one character');
  return term;
}

function matches(term: Term, tokens: readonly string[]): boolean {
  switch (term.kind) {
    case 'word':
      return tokens.some((t) => term.re.test(t));
    case 'phrase':
      for (let i = 0; i + term.words.length <= tokens.length; i++) {
        if (term.words.every((re, j) => re.test(tokens[i + j]!))) return true;
      }
      return false;
    case 'and':
      return matches(term.left, tokens) && matches(term.right, tokens);
    case 'or':
      return matches(term.left, tokens) || matches(term.right, tokens);
    case 'andNot':
      return matches(term.left, tokens) && !matches(term.right, tokens);
  }
}

// ---- which fields are searched ----------------------------------------------------------------

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox']);

function searchedFields(d: SimDescribe, group: FieldGroup): SimField[] {
  switch (group) {
    case 'NAME':
      return d.fields.filter((f) => f.nameField === true || (TEXT_TYPES.has(f.type) && /^(First|Last|Middle)?Name$/.test(f.name)));
    case 'EMAIL':
      return d.fields.filter((f) => f.type === 'email');
    case 'PHONE':
      return d.fields.filter((f) => f.type === 'phone');
    default:
      return d.fields.filter((f) => TEXT_TYPES.has(f.type) && f.type !== 'picklist' && f.type !== 'multipicklist');
  }
}

function recordTokens(record: SimRecord, fields: readonly SimField[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const v = record[f.name];
    if (typeof v === 'string') out.push(...words(v));
  }
  return out;
}

// ---- the FIND statement ----------------------------------------------------------------------------

/** Parse `FIND {term} [IN x FIELDS] [RETURNING ...] [WITH ...] [LIMIT n] [UPDATE ...]`. */
export function parseSosl(text: string): SearchSpec {
  const src = text.trim();
  const m = /^FIND\s*/i.exec(src);
  if (!m) throw malformed(`a search must start with FIND: ${src.slice(0, 40)}`);
  let i = m[0].length;
  const open = src[i];
  const close = open === '{' ? '}' : open === "'" ? "'" : undefined;
  if (close === undefined) throw malformed('the search term must be enclosed in braces: FIND {term}');
  let raw = '';
  i++;
  for (; i < src.length && src[i] !== close; i++) {
    if (src[i] === '\\' && i + 1 < src.length) {
      raw += src[i]! + src[i + 1]!;
      i++;
    } else raw += src[i];
  }
  if (i >= src.length) throw malformed(`the search term is missing its closing ${close}`);
  i++;
  const term = parseTerm(raw);
  let rest = src.slice(i).trim();
  let group: FieldGroup = 'ALL';
  const inGroup = /^IN\s+(ALL|NAME|EMAIL|PHONE|SIDEBAR)\s+FIELDS\b\s*/i.exec(rest);
  if (inGroup) {
    group = inGroup[1]!.toUpperCase() as FieldGroup;
    rest = rest.slice(inGroup[0].length);
  } else if (/^IN\b/i.test(rest)) throw malformed(`expected IN ALL|NAME|EMAIL|PHONE|SIDEBAR FIELDS: ${rest.slice(0, 40)}`);
  let returning: Returning[] | undefined;
  const ret = /^RETURNING\s+/i.exec(rest);
  if (ret) {
    rest = rest.slice(ret[0].length);
    returning = [];
    for (;;) {
      const name = /^([A-Za-z][A-Za-z0-9_]*)\s*/.exec(rest);
      if (!name) throw malformed(`expected an object name after RETURNING: ${rest.slice(0, 40)}`);
      rest = rest.slice(name[0].length);
      let clause = '';
      if (rest.startsWith('(')) {
        const end = closingParen(rest);
        clause = rest.slice(1, end).trim();
        rest = rest.slice(end + 1).trim();
      }
      returning.push({ object: name[1]!, clause });
      if (!rest.startsWith(',')) break;
      rest = rest.slice(1).trim();
    }
  }
  let limit = MAX_SEARCH_RESULTS;
  while (rest !== '') {
    const lim = /^LIMIT\s+(\d+)\s*/i.exec(rest);
    if (lim) {
      limit = Math.min(Number(lim[1]), MAX_SEARCH_RESULTS);
      rest = rest.slice(lim[0].length);
      continue;
    }
    const other = /^(?:WITH\s+(?:DIVISION\s*=\s*'[^']*'|DATA\s+CATEGORY\s+[^L]*?|HIGHLIGHT|METADATA\s*=\s*'[^']*'|NETWORK\s*(?:=|IN)\s*(?:'[^']*'|\([^)]*\))|PricebookId\s*=\s*'[^']*'|SNIPPET(?:\s*\(\s*target_length\s*=\s*\d+\s*\))?|SPELL_CORRECTION\s*=\s*(?:true|false)|USER_MODE|SYSTEM_MODE)|UPDATE\s+(?:TRACKING|VIEWSTAT))\s*/i.exec(rest);
    if (other) {
      rest = rest.slice(other[0].length);
      continue;
    }
    throw malformed(`unexpected token near: ${rest.slice(0, 40)}`);
  }
  return { term, group, returning, limit };
}

/** Offset of the `)` closing the `(` at offset 0, skipping quoted strings. */
function closingParen(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      for (i++; i < text.length && text[i] !== "'"; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw malformed(`missing ) in RETURNING: ${text.slice(0, 40)}`);
}

// ---- evaluation ---------------------------------------------------------------------------------

/** The SOQL of a RETURNING entry, without its LIMIT and OFFSET (applied after matching). */
function returningQuery(r: Returning): { query: SelectQuery; idAdded: boolean } {
  const clause = r.clause;
  const split = /\b(WHERE|ORDER\s+BY|LIMIT|OFFSET|USING\s+LISTVIEW)\b/i.exec(clause);
  let fields = (split ? clause.slice(0, split.index) : clause).trim();
  const tail = split ? clause.slice(split.index) : '';
  if (/USING\s+LISTVIEW/i.test(tail)) throw malformed('USING LISTVIEW is not supported by the simulator');
  const idAdded = fields === '' || !fields.split(',').some((f) => f.trim().toLowerCase() === 'id');
  fields = fields === '' ? 'Id' : idAdded ? `${fields}, Id` : fields;
  const soql = `SELECT ${fields} FROM ${r.object} ${tail}`;
  try {
    return { query: parseSoql(soql), idAdded };
  } catch (error) {
    if (error instanceof SoqlParseError) throw malformed(`${r.object}: ${error.detail}`);
    throw error;
  }
}

function search(spec: SearchSpec, req: SimRequest, ctx: RouteContext): SimResponse {
  const org = ctx.org;
  const entries: readonly Returning[] =
    spec.returning ??
    org
      .objectNames()
      .filter((n) => org.describe(n)?.searchable === true)
      .map((object) => ({ object, clause: '' }));
  const searchRecords: object[] = [];
  for (const entry of entries) {
    if (searchRecords.length >= spec.limit) break;
    const d = org.describe(entry.object);
    if (d === undefined) throw new SimHttpError(400, sfError('INVALID_TYPE', `sObject type '${entry.object}' is not supported.`));
    if (d.searchable === false) throw new SimHttpError(400, sfError('INVALID_TYPE', `entity type ${d.name} does not support search`));
    const fields = searchedFields(d, spec.group);
    const hits = new Set(org.records(d.name).filter((r) => matches(spec.term, recordTokens(r, fields))).map((r) => r.Id));
    if (hits.size === 0) continue;
    const { query, idAdded } = returningQuery(entry);
    const soql = compileSoql({ ...query, limit: undefined, offset: undefined });
    const rows = runQuery(soql, org, { includeDeleted: false, apiVersion: req.version, now: ctx.now() }).records as Record<string, unknown>[];
    const offset = query.offset ?? 0;
    const own = rows.filter((r) => hits.has(r.Id as string)).slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    for (const row of own) {
      if (searchRecords.length >= spec.limit) break;
      if (idAdded && entry.clause !== '') {
        const { Id: _id, ...rest } = row;
        searchRecords.push(rest);
      } else searchRecords.push(row);
    }
  }
  return { status: 200, body: { searchRecords } };
}

function sosl(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  const q = req.query.get('q');
  if (q === null || q.trim() === '') throw malformed('a search string (q) must be specified');
  return search(parseSosl(q), req, ctx);
}

/** `parameterizedSearch`: the same search described by parameters instead of a FIND statement. */
function parameterized(req: SimRequest, _p: readonly string[], ctx: RouteContext): SimResponse {
  let input: Record<string, unknown>;
  if (req.method === 'POST') {
    const v = req.body === undefined || req.body.trim() === '' ? undefined : parseJsonBody(req.body);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('the body must be a JSON object with q');
    input = v as Record<string, unknown>;
  } else {
    const sobjects = req.query.getAll('sobject').flatMap((s) => s.split(',')).map((name) => {
      const o: Record<string, unknown> = { name: name.trim() };
      const f = req.query.get(`${name.trim()}.fields`);
      const l = req.query.get(`${name.trim()}.limit`);
      if (f !== null) o.fields = f.split(',');
      if (l !== null) o.limit = Number(l);
      return o;
    });
    input = {
      q: req.query.get('q'),
      in: req.query.get('in') ?? undefined,
      fields: req.query.get('fields')?.split(','),
      overallLimit: req.query.get('overallLimit') === null ? undefined : Number(req.query.get('overallLimit')),
      defaultLimit: req.query.get('defaultLimit') === null ? undefined : Number(req.query.get('defaultLimit')),
      sobjects: sobjects.length > 0 ? sobjects : undefined,
    };
  }
  if (typeof input.q !== 'string' || input.q.trim() === '') throw malformed('q must be specified');
  const group = typeof input.in === 'string' ? input.in.toUpperCase().replace(/\s*FIELDS$/, '') : 'ALL';
  if (!['ALL', 'NAME', 'EMAIL', 'PHONE', 'SIDEBAR'].includes(group)) throw malformed(`in must be ALL, NAME, EMAIL, PHONE or SIDEBAR, got ${String(input.in)}`);
  const asList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : undefined);
  const defaultFields = asList(input.fields);
  const defaultLimit = typeof input.defaultLimit === 'number' ? input.defaultLimit : undefined;
  let returning: Returning[] | undefined;
  if (Array.isArray(input.sobjects)) {
    returning = input.sobjects.map((s: unknown, i: number) => {
      const o = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
      if (typeof o.name !== 'string' || o.name === '') throw malformed(`sobjects[${i}].name is required`);
      const fields = asList(o.fields) ?? defaultFields ?? ['Id'];
      const where = typeof o.where === 'string' && o.where.trim() !== '' ? ` WHERE ${o.where}` : '';
      const limit = typeof o.limit === 'number' ? o.limit : defaultLimit;
      return { object: o.name, clause: `${fields.join(', ')}${where}${limit === undefined ? '' : ` LIMIT ${limit}`}` };
    });
  } else if (defaultFields !== undefined || defaultLimit !== undefined) {
    returning = ctx.org
      .objectNames()
      .filter((n) => ctx.org.describe(n)?.searchable === true)
      .map((object) => ({ object, clause: `${(defaultFields ?? ['Id']).join(', ')}${defaultLimit === undefined ? '' : ` LIMIT ${defaultLimit}`}` }));
  }
  const overall = typeof input.overallLimit === 'number' ? Math.min(input.overallLimit, MAX_SEARCH_RESULTS) : MAX_SEARCH_RESULTS;
  return search({ term: parseTerm(input.q), group: group as FieldGroup, returning, limit: overall }, req, ctx);
}

export const searchRoutes: Route[] = [
  { method: 'GET', pattern: /^\/search\/?$/, key: 'GET /search', handler: sosl },
  { method: 'GET', pattern: /^\/parameterizedSearch\/?$/, key: 'GET /parameterizedSearch', handler: parameterized },
  { method: 'POST', pattern: /^\/parameterizedSearch\/?$/, key: 'POST /parameterizedSearch', handler: parameterized },
];
