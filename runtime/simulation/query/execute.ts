/**
 * Evaluates a bound query over an {@link OrgStore}: filtering, parent traversal by id, child
 * subqueries, TYPEOF, ordering, paging windows, aggregates with GROUP BY / ROLLUP / CUBE / HAVING,
 * and the Salesforce JSON shape of every row (`attributes` on each record and relationship object).
 */
import type { SimRecord, OrgStore } from '../store-types.js';
import { toId18 } from '../ids.js';
import {
  normalize,
  type BoundColumn,
  type BoundCond,
  type BoundExpr,
  type BoundOperand,
  type BoundPath,
  type BoundQuery,
  type BoundValue,
  type Comparable,
  type RelStep,
} from './bind.js';
import { applyDateFunction, parseDateMs, parseInstantMs } from './dates.js';
import type { IndexedSchema, QueryField } from './schema.js';
import type { DateFunctionName } from '../../soql/ast.js';

/** A record with the sObject it belongs to. */
interface Row {
  readonly rec: SimRecord;
  readonly obj: string;
}

/** A group of rows in an aggregate query, with its group-by values (null when rolled up). */
interface Group {
  readonly rows: readonly Row[];
  readonly values: readonly unknown[];
  readonly rolled: readonly boolean[];
}

type Ctx = { readonly row: Row } | { readonly group: Group; readonly items: readonly BoundExpr[] };

export interface ExecuteOptions {
  readonly includeDeleted: boolean;
  readonly apiVersion: string;
}

/** Rows of {@link Executor.runFlat}: their number, and each row's column values on demand. */
export interface FlatRows {
  readonly size: number;
  values(index: number): unknown[];
}

export interface QueryRows {
  readonly totalSize: number;
  readonly records: Record<string, unknown>[];
}

const DATE_FUNCTIONS = new Set<string>([
  'CALENDAR_MONTH', 'CALENDAR_QUARTER', 'CALENDAR_YEAR', 'DAY_IN_MONTH', 'DAY_IN_WEEK', 'DAY_IN_YEAR',
  'DAY_ONLY', 'FISCAL_MONTH', 'FISCAL_QUARTER', 'FISCAL_YEAR', 'HOUR_IN_DAY', 'WEEK_IN_MONTH', 'WEEK_IN_YEAR',
]);

export class Executor {
  private readonly semiCache = new Map<BoundQuery, Set<Comparable>>();
  /** Child rows by parent id, per `childObject.parentField`, built on first use. */
  private readonly childIndex = new Map<string, Map<string, Row[]>>();
  private readonly fieldCache = new Map<BoundPath, Map<string, QueryField | null>>();
  private readonly picklistOrder = new Map<QueryField, Map<string, number>>();

  constructor(
    private readonly store: OrgStore,
    private readonly schema: IndexedSchema,
    private readonly options: ExecuteOptions,
  ) {}

  run(q: BoundQuery): QueryRows {
    const source = this.source(q.object.name);
    return this.runOver(q, source);
  }

  private source(obj: string): Row[] {
    const name = this.store.describe(obj)?.name ?? obj;
    const live = this.store.records(name).map((rec) => ({ rec, obj: name }));
    if (!this.options.includeDeleted) return live;
    return [...live, ...this.store.deletedRecords(name).map((rec) => ({ rec, obj: name }))];
  }

  private runOver(q: BoundQuery, source: readonly Row[]): QueryRows {
    let rows = q.where ? source.filter((row) => this.test(q.where as BoundCond, { row })) : [...source];
    if (q.countOnly) {
      const after = Math.max(0, rows.length - (q.offset ?? 0));
      return { totalSize: q.limit === undefined ? after : Math.min(after, q.limit), records: [] };
    }
    if (q.aggregate) return this.runAggregate(q, rows);
    if (q.orderBy.length > 0) rows = this.sort(rows.map((row) => ({ row }) as Ctx), q).map((c) => (c as { row: Row }).row);
    rows = window(rows, q.offset, q.limit);
    const records = rows.map((row) => this.project(row, q.columns));
    return { totalSize: records.length, records };
  }

  /**
   * A plain (non-aggregate) query's rows without shaping them as REST records: WHERE, ORDER BY and
   * LIMIT run now; each row's column values are read only when asked for, in column order (Bulk
   * API 2.0 serves millions of rows as CSV pages). Only field-path columns are allowed.
   */
  runFlat(q: BoundQuery): FlatRows {
    const source = this.source(q.object.name);
    let rows = q.where ? source.filter((row) => this.test(q.where as BoundCond, { row })) : source;
    if (q.orderBy.length > 0) rows = this.sort(rows.map((row) => ({ row }) as Ctx), q).map((c) => (c as { row: Row }).row);
    rows = window(rows as Row[], q.offset, q.limit);
    const columns = q.columns.map((col) => {
      if (col.kind !== 'path') throw new Error(`runFlat: column of kind ${col.kind} is not a field path`);
      return col;
    });
    return {
      size: rows.length,
      values: (i: number): unknown[] => {
        const row = rows[i]!;
        return columns.map((col) => {
          let cur: Row | null = row;
          for (const step of col.path.rels) {
            cur = this.hop(cur, step);
            if (cur === null) return null;
          }
          const value = this.fieldValue(cur, col.path);
          if (col.transform === 'toLabel') return this.label(cur.obj, col.path, value);
          if (col.transform === 'FORMAT') return formatValue(col.path.field.type, value);
          return value;
        });
      },
    };
  }

  // --- projection ---------------------------------------------------------------------------

  private attributes(row: Row): Record<string, unknown> {
    return { type: row.obj, url: `/services/data/v${this.options.apiVersion}/sobjects/${row.obj}/${row.rec.Id}` };
  }

  private project(row: Row, columns: readonly BoundColumn[]): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: this.attributes(row) };
    for (const col of columns) {
      switch (col.kind) {
        case 'path':
          this.putPath(out, row, col.path, col.transform);
          break;
        case 'typeof': {
          if (Object.hasOwn(out, col.rel.name)) break;
          const parent = this.hop(row, col.rel);
          if (parent === null) {
            out[col.rel.name] = null;
            break;
          }
          const nested: Record<string, unknown> = { attributes: this.attributes(parent) };
          const when = col.whens.find((w) => w.type.toLowerCase() === parent.obj.toLowerCase());
          const fields = when ? when.fields : (col.else ?? []);
          for (const f of fields) this.putPath(nested, parent, f, null);
          out[col.rel.name] = nested;
          break;
        }
        case 'child':
          out[col.name] = this.children(row, col);
          break;
        case 'expr':
          out[col.key] = this.evalExpr(col.expr, { row });
          break;
      }
    }
    return out;
  }

  private children(row: Row, col: Extract<BoundColumn, { kind: 'child' }>): Record<string, unknown> | null {
    const parentId = toId18(row.rec.Id) ?? row.rec.Id;
    const key = `${col.childObject}.${col.parentField}`.toLowerCase();
    let index = this.childIndex.get(key);
    if (index === undefined) {
      index = new Map();
      const field = this.schema.index(col.childObject)?.fields.get(col.parentField.toLowerCase())?.name ?? col.parentField;
      for (const r of this.source(col.childObject)) {
        const v = r.rec[field];
        if (typeof v !== 'string' || v === '') continue;
        const id = toId18(v) ?? v;
        const list = index.get(id);
        if (list) list.push(r);
        else index.set(id, [r]);
      }
      this.childIndex.set(key, index);
    }
    const result = this.runOver(col.query, index.get(parentId) ?? []);
    return result.records.length === 0 ? null : { totalSize: result.totalSize, done: true, records: result.records };
  }

  /** Writes a (possibly nested) path into `out`, creating relationship objects with attributes. */
  private putPath(out: Record<string, unknown>, row: Row, path: BoundPath, transform: 'toLabel' | 'FORMAT' | 'convertCurrency' | null): void {
    let target = out;
    let cur: Row | null = row;
    for (const step of path.rels) {
      const next: Row | null = cur === null ? null : this.hop(cur, step);
      const existing = target[step.name];
      if (existing === undefined) {
        target[step.name] = next === null ? null : { attributes: this.attributes(next) };
      }
      const holder = target[step.name];
      if (holder === null || typeof holder !== 'object') return;
      target = holder as Record<string, unknown>;
      cur = next;
      if (cur === null) return;
    }
    if (cur === null) return;
    const name = this.fieldName(cur.obj, path);
    let value = this.fieldValue(cur, path);
    if (transform === 'toLabel') value = this.label(cur.obj, path, value);
    else if (transform === 'FORMAT') value = formatValue(path.field.type, value);
    target[name] = value;
  }

  /** The field a path ends on, for a concrete object (cached: the same path meets few objects). */
  private resolveField(obj: string, path: BoundPath): QueryField | undefined {
    let perObject = this.fieldCache.get(path);
    if (perObject === undefined) {
      perObject = new Map();
      this.fieldCache.set(path, perObject);
    }
    if (perObject.has(obj)) return perObject.get(obj) ?? undefined;
    const f = this.schema.index(obj)?.fields.get(path.field.name.toLowerCase());
    perObject.set(obj, f ?? null);
    return f;
  }

  private fieldName(obj: string, path: BoundPath): string {
    if (path.pseudoType) return 'Type';
    return this.resolveField(obj, path)?.name ?? path.field.name;
  }

  private fieldValue(row: Row, path: BoundPath): unknown {
    if (path.pseudoType) {
      // Name.Type: the sObject type, except that a queue owner (a Group) shows its group type ('Queue').
      if (row.obj === 'Group' && typeof row.rec.Type === 'string') return row.rec.Type;
      return row.obj;
    }
    let f = this.resolveField(row.obj, path);
    // Through the Name object, `Name` is the record's name field (CaseNumber, Subject, ...).
    if (f === undefined && path.rels.at(-1)?.polymorphic === true && path.field.name === 'Name') {
      f = this.schema.index(row.obj)?.object.fields.find((x) => x.nameField === true);
    }
    if (f === undefined) return null;
    const v = row.rec[f.name];
    if (v === undefined) return f.type === 'boolean' ? false : null;
    return v;
  }

  private label(obj: string | undefined, path: BoundPath, value: unknown): unknown {
    if (typeof value !== 'string') return value;
    const f = (obj === undefined ? undefined : this.schema.index(obj)?.fields.get(path.field.name.toLowerCase())) ?? path.field;
    const labels = new Map(f.picklistValues.map((p) => [p.value, p.label ?? p.value]));
    if (f.type === 'multipicklist') return value.split(';').map((v) => labels.get(v) ?? v).join(';');
    return labels.get(value) ?? value;
  }

  /** Follows one parent relationship; null when the reference is empty or dangling. */
  private hop(row: Row, step: RelStep): Row | null {
    const relField = this.schema.index(row.obj)?.relationships.get(step.name.toLowerCase());
    if (relField === undefined) return null;
    const id = row.rec[relField.name];
    if (typeof id !== 'string' || id === '') return null;
    const found = this.store.findById(id);
    return found ? { rec: found.record, obj: found.sobject } : null;
  }

  /** The raw value of a path for a row. */
  private pathValue(row: Row, path: BoundPath): unknown {
    let cur: Row | null = row;
    for (const step of path.rels) {
      cur = this.hop(cur, step);
      if (cur === null) return null;
    }
    return this.fieldValue(cur, path);
  }

  // --- expressions ----------------------------------------------------------------------------

  private evalExpr(expr: BoundExpr, ctx: Ctx): unknown {
    if ('group' in ctx) {
      const i = ctx.items.findIndex((g) => g.key === expr.key);
      if (i >= 0) return ctx.group.values[i] ?? null;
      if (expr.kind === 'fn') return this.evalFn(expr, ctx);
      // a path not grouped (binding forbids it in SELECT): the first row's value
      const first = ctx.group.rows[0];
      return first ? this.pathValue(first, expr) : null;
    }
    if (expr.kind === 'path') return this.pathValue(ctx.row, expr);
    return this.evalFn(expr, ctx);
  }

  private evalFn(fn: Extract<BoundExpr, { kind: 'fn' }>, ctx: Ctx): unknown {
    const arg = fn.args[0];
    const argExpr = arg && arg.kind !== 'lit' ? arg : undefined;
    if (fn.aggregate && fn.name !== 'FORMAT') {
      if (!('group' in ctx)) return null;
      const rows = ctx.group.rows;
      const values = (): unknown[] =>
        argExpr ? rows.map((row) => this.evalExpr(argExpr, { row })).filter((v) => v !== null && v !== undefined) : [];
      switch (fn.name) {
        case 'COUNT':
          return argExpr ? values().length : rows.length;
        case 'COUNT_DISTINCT':
          return new Set(values().map((v) => normalize(argExpr?.cls ?? 'other', v))).size;
        case 'SUM': {
          const vs = values();
          return vs.length === 0 ? null : roundSum(vs.reduce<number>((a, v) => a + Number(v), 0));
        }
        case 'AVG': {
          const vs = values();
          return vs.length === 0 ? null : vs.reduce<number>((a, v) => a + Number(v), 0) / vs.length;
        }
        case 'MIN':
        case 'MAX': {
          let best: unknown = null;
          let bestKey: Comparable | null = null;
          for (const v of values()) {
            const k = normalize(argExpr?.cls ?? 'other', v);
            if (k === null) continue;
            if (bestKey === null || (fn.name === 'MIN' ? k < bestKey : k > bestKey)) {
              best = v;
              bestKey = k;
            }
          }
          return best;
        }
        case 'GROUPING': {
          const i = ctx.items.findIndex((g) => g.key === argExpr?.key);
          return i >= 0 && ctx.group.rolled[i] ? 1 : 0;
        }
        default:
          return null;
      }
    }
    switch (fn.name) {
      case 'FORMAT': {
        const v = argExpr ? this.evalExpr(argExpr, ctx) : null;
        return formatValue(argExpr?.kind === 'path' ? argExpr.field.type : argExpr?.cls === 'number' ? 'double' : 'string', v);
      }
      case 'toLabel': {
        if (argExpr?.kind !== 'path') return null;
        if ('row' in ctx) {
          let cur: Row | null = ctx.row;
          for (const step of argExpr.rels) {
            cur = this.hop(cur, step);
            if (cur === null) return null;
          }
          return this.label(cur.obj, argExpr, this.fieldValue(cur, argExpr));
        }
        return this.label(undefined, argExpr, this.evalExpr(argExpr, ctx));
      }
      case 'convertCurrency':
      case 'convertTimezone':
        return argExpr ? this.evalExpr(argExpr, ctx) : null;
      case 'GEOLOCATION': {
        const [lat, lng] = fn.args.map((a) => (a.kind === 'lit' && a.value.kind === 'number' ? a.value.value : Number.NaN));
        return { latitude: lat, longitude: lng };
      }
      case 'DISTANCE': {
        const [a, b, unit] = fn.args;
        const geo = (x: typeof a): { latitude: number; longitude: number } | null => {
          if (x === undefined || x.kind === 'lit') return null;
          const v = this.evalExpr(x, ctx) as { latitude?: unknown; longitude?: unknown } | null;
          if (v === null || typeof v !== 'object' || typeof v.latitude !== 'number' || typeof v.longitude !== 'number') return null;
          return { latitude: v.latitude, longitude: v.longitude };
        };
        const p = geo(a);
        const q = geo(b);
        if (p === null || q === null) return null;
        const km = haversineKm(p.latitude, p.longitude, q.latitude, q.longitude);
        return unit?.kind === 'lit' && unit.value.kind === 'string' && unit.value.value === 'mi' ? km / 1.609344 : km;
      }
      default: {
        if (!DATE_FUNCTIONS.has(fn.name) || argExpr === undefined) return null;
        const v = this.evalExpr(argExpr, ctx);
        if (typeof v !== 'string') return null;
        const ms = argExpr.cls === 'date' ? parseDateMs(v) : parseInstantMs(v);
        if (Number.isNaN(ms)) return null;
        return applyDateFunction(fn.name as DateFunctionName, ms);
      }
    }
  }

  // --- conditions -----------------------------------------------------------------------------

  private test(cond: BoundCond, ctx: Ctx): boolean {
    switch (cond.kind) {
      case 'and':
        return cond.conds.every((c) => this.test(c, ctx));
      case 'or':
        return cond.conds.some((c) => this.test(c, ctx));
      case 'not':
        return !this.test(cond.cond, ctx);
      case 'cmp':
        return this.compare(cond, ctx);
    }
  }

  private compare(cond: Extract<BoundCond, { kind: 'cmp' }>, ctx: Ctx): boolean {
    const raw = this.evalExpr(cond.left, ctx);
    const cls = cond.left.cls;
    const v = normalize(cls, raw);
    const right: BoundOperand = cond.right;
    switch (right.kind) {
      case 'null':
      case 'value':
      case 'range':
        return matchValue(cond.op, v, right);
      case 'list': {
        const hit = right.values.some((x) => matchValue('=', v, x));
        return cond.op === 'NOT IN' ? !hit : hit;
      }
      case 'like':
        return v !== null && typeof raw === 'string' ? right.re.test(raw) : false;
      case 'includes': {
        const have = v === null ? [] : String(v).split(';');
        const hit = right.sets.some((set) => set.length > 0 && set.every((t) => have.includes(t)));
        return cond.op === 'EXCLUDES' ? !hit : hit;
      }
      case 'semi': {
        let set = this.semiCache.get(right.query);
        if (set === undefined) {
          const col = right.query.columns[0];
          set = new Set<Comparable>();
          if (col?.kind === 'path') {
            const rows = this.source(right.query.object.name).filter((row) => !right.query.where || this.test(right.query.where, { row }));
            for (const row of rows) {
              const k = normalize(cls === 'id' ? 'id' : col.path.cls, this.pathValue(row, col.path));
              if (k !== null) set.add(k);
            }
          }
          this.semiCache.set(right.query, set);
        }
        const hit = v !== null && set.has(v);
        return cond.op === 'NOT IN' ? !hit : hit;
      }
    }
  }

  // --- ordering ------------------------------------------------------------------------------

  private sort(ctxs: Ctx[], q: BoundQuery): Ctx[] {
    const keyed = ctxs.map((ctx) => ({ ctx, keys: q.orderBy.map((o) => this.sortKey(o.expr, this.evalExpr(o.expr, ctx))) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < q.orderBy.length; i++) {
        const o = q.orderBy[i];
        if (o === undefined) continue;
        const x = a.keys[i] ?? null;
        const y = b.keys[i] ?? null;
        if (x === y) continue;
        if (x === null) return o.nullsFirst ? -1 : 1;
        if (y === null) return o.nullsFirst ? 1 : -1;
        const c = x < y ? -1 : x > y ? 1 : 0;
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
    return keyed.map((k) => k.ctx);
  }

  /**
   * Picklists sort by the order of their values in the describe (as Salesforce sorts them), values
   * outside the list after them; everything else by its normalized value.
   */
  private sortKey(expr: BoundExpr, raw: unknown): Comparable | null {
    if (expr.kind === 'path' && expr.field.type === 'picklist' && expr.field.picklistValues.length > 0 && raw !== null && raw !== undefined) {
      let order = this.picklistOrder.get(expr.field);
      if (order === undefined) {
        order = new Map(expr.field.picklistValues.map((p, i) => [p.value, i]));
        this.picklistOrder.set(expr.field, order);
      }
      return order.get(String(raw)) ?? order.size;
    }
    return normalize(expr.cls, raw);
  }

  // --- aggregates -----------------------------------------------------------------------------

  private runAggregate(q: BoundQuery, rows: Row[]): QueryRows {
    const items = q.groupBy?.items ?? [];
    const groups: Group[] = [];
    if (items.length === 0) {
      groups.push({ rows, values: [], rolled: [] });
    } else {
      const n = items.length;
      const sets: boolean[][] = []; // which items are kept per grouping set
      if (q.groupBy?.mode === 'ROLLUP') {
        for (let k = n; k >= 0; k--) sets.push(items.map((_, i) => i < k));
      } else if (q.groupBy?.mode === 'CUBE') {
        for (let mask = (1 << n) - 1; mask >= 0; mask--) sets.push(items.map((_, i) => (mask & (1 << (n - 1 - i))) !== 0));
        sets.sort((a, b) => b.filter(Boolean).length - a.filter(Boolean).length);
      } else {
        sets.push(items.map(() => true));
      }
      for (const keep of sets) {
        const map = new Map<string, { rows: Row[]; values: unknown[] }>();
        for (const row of rows) {
          const values = items.map((it, i) => (keep[i] ? this.evalExpr(it, { row }) ?? null : null));
          const key = JSON.stringify(values.map((v, i) => normalize((items[i] as BoundExpr).cls, v)));
          let g = map.get(key);
          if (g === undefined) {
            g = { rows: [], values };
            map.set(key, g);
          }
          g.rows.push(row);
        }
        const rolled = keep.map((k) => !k);
        for (const g of map.values()) groups.push({ rows: g.rows, values: g.values, rolled });
      }
    }
    let ctxs: Ctx[] = groups.map((group) => ({ group, items }));
    if (q.having) ctxs = ctxs.filter((ctx) => this.test(q.having as BoundCond, ctx));
    if (q.orderBy.length > 0) ctxs = this.sort(ctxs, q);
    ctxs = window(ctxs, q.offset, q.limit);
    const records = ctxs.map((ctx) => {
      const out: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
      for (const col of q.columns) {
        if (col.kind === 'expr') out[col.key] = this.evalExpr(col.expr, ctx);
      }
      return out;
    });
    return { totalSize: records.length, records };
  }
}

function window<T>(rows: T[], offset: number | undefined, limit: number | undefined): T[] {
  const start = offset ?? 0;
  return rows.slice(start, limit === undefined ? undefined : start + limit);
}

function matchValue(op: string, v: Comparable | null, right: BoundValue): boolean {
  if (right.kind === 'null') {
    if (op === '=') return v === null;
    if (op === '!=') return v !== null;
    return false;
  }
  if (v === null) return op === '!=';
  if (right.kind === 'range') {
    if (typeof v !== 'number') return false;
    switch (op) {
      case '=': return v >= right.start && v < right.end;
      case '!=': return !(v >= right.start && v < right.end);
      case '<': return v < right.start;
      case '<=': return v < right.end;
      case '>': return v >= right.end;
      case '>=': return v >= right.start;
      default: return false;
    }
  }
  const x = right.v;
  switch (op) {
    case '=': return v === x;
    case '!=': return v !== x;
    case '<': return v < x;
    case '<=': return v <= x;
    case '>': return v > x;
    case '>=': return v >= x;
    default: return false;
  }
}

function roundSum(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** FORMAT(): en_US presentation of a value (the simulated user's locale). */
export function formatValue(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'currency':
      return typeof value === 'number'
        ? value.toLocaleString('en-US', { style: 'currency', currency: 'USD' })
        : value;
    case 'int':
    case 'long':
    case 'double':
      return typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 18 }) : value;
    case 'percent':
      return typeof value === 'number' ? `${value.toLocaleString('en-US', { maximumFractionDigits: 18 })}%` : value;
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
      return m ? `${Number(m[2])}/${Number(m[3])}/${m[1]}` : value;
    }
    case 'datetime': {
      const ms = parseInstantMs(String(value));
      if (Number.isNaN(ms)) return value;
      const d = new Date(ms);
      const h = d.getUTCHours();
      const h12 = h % 12 === 0 ? 12 : h % 12;
      return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}, ${h12}:${String(d.getUTCMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
    }
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value;
  }
}
