/**
 * Validation and binding: resolves a parsed query against a {@link QuerySchema} (objects, fields,
 * parent and child relationships, polymorphic targets), checks operators and values against field
 * types and the describe's filterable/sortable/groupable flags, and produces a bound query the
 * executor evaluates. Shared by the simulator's engine (fail fast, Salesforce's error codes) and
 * `sfgen lint` (collect every diagnostic with its span).
 */
import type {
  Comparison,
  ComparisonOperator,
  Condition,
  FieldRef,
  FunctionCall,
  FunctionName,
  Literal,
  SelectQuery,
  Span,
  ValueExpr,
} from '../../soql/ast.js';
import { isAggregateFunction } from '../../soql/parser.js';
import { toId18 } from '../ids.js';
import { dateLiteralRange, parseDateMs, parseInstantMs } from './dates.js';
import { SoqlError, type SoqlErrorCode } from './errors.js';
import { IndexedSchema, type ObjectIndex, type QueryField, type QueryObject, type QuerySchema } from './schema.js';

// ---------------------------------------------------------------------------------------------
// Value classes

/** How values of a field type compare. */
export type ValueClass =
  | 'text'
  | 'id'
  | 'multipicklist'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'time'
  | 'compound'
  | 'geo'
  | 'other';

export function classOf(type: string): ValueClass {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'combobox':
    case 'picklist':
    case 'encryptedstring':
      return 'text';
    case 'multipicklist':
      return 'multipicklist';
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'time':
      return 'time';
    case 'address':
    case 'location':
      return 'compound';
    default:
      return 'other';
  }
}

/** A normalized value compared with `<`, `===`: lower-cased text, 18-char ids, epoch ms, numbers. */
export type Comparable = string | number | boolean;

/** Normalizes a stored value of a class for comparison; null for null/absent. */
export function normalize(cls: ValueClass, raw: unknown): Comparable | null {
  if (raw === null || raw === undefined) return null;
  switch (cls) {
    case 'text':
      return String(raw).toLowerCase();
    case 'multipicklist':
      return String(raw)
        .split(';')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== '')
        .sort()
        .join(';');
    case 'id': {
      const s = String(raw);
      return toId18(s) ?? s;
    }
    case 'number':
      return typeof raw === 'number' ? raw : Number(raw);
    case 'boolean':
      return raw === true || raw === 'true';
    case 'date': {
      const s = String(raw);
      const ms = parseDateMs(s);
      return Number.isNaN(ms) ? parseInstantMs(s) : ms;
    }
    case 'datetime':
      return parseInstantMs(String(raw));
    case 'time':
      return String(raw);
    default:
      return typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
  }
}

// ---------------------------------------------------------------------------------------------
// Bound query

export interface RelStep {
  /** Relationship name in the describe's case (`Owner`). */
  readonly name: string;
  readonly polymorphic: boolean;
  readonly targets: readonly string[];
}

export interface BoundPath {
  readonly kind: 'path';
  readonly rels: readonly RelStep[];
  /** The field on the last object (for polymorphic parents: as found on one of the targets). */
  readonly field: QueryField;
  /** `Type` on a polymorphic parent: the concrete sObject name. */
  readonly pseudoType: boolean;
  readonly cls: ValueClass;
  /** Case-insensitive identity of the path, for GROUP BY matching. */
  readonly key: string;
  readonly span: Span | undefined;
}

export interface BoundFn {
  readonly kind: 'fn';
  readonly name: FunctionName;
  readonly args: readonly BoundArg[];
  readonly cls: ValueClass;
  readonly aggregate: boolean;
  readonly key: string;
  readonly span: Span | undefined;
}

export type BoundExpr = BoundPath | BoundFn;
export type BoundArg = BoundExpr | { readonly kind: 'lit'; readonly value: Literal };

export type BoundColumn =
  | {
      readonly kind: 'path';
      readonly path: BoundPath;
      /** `toLabel(Status)`, `FORMAT(Amount)`, `convertCurrency(Amount)` without alias: the value is transformed. */
      readonly transform: 'toLabel' | 'FORMAT' | 'convertCurrency' | null;
    }
  | {
      readonly kind: 'typeof';
      readonly rel: RelStep;
      readonly whens: readonly { readonly type: string; readonly fields: readonly BoundPath[] }[];
      readonly else: readonly BoundPath[] | null;
    }
  | {
      readonly kind: 'child';
      /** Child relationship name in the describe's case. */
      readonly name: string;
      readonly childObject: string;
      readonly parentField: string;
      readonly query: BoundQuery;
    }
  | { readonly kind: 'expr'; readonly key: string; readonly expr: BoundExpr };

export type BoundValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'value'; readonly v: Comparable }
  | { readonly kind: 'range'; readonly start: number; readonly end: number };

export type BoundOperand =
  | BoundValue
  | { readonly kind: 'list'; readonly values: readonly BoundValue[] }
  | { readonly kind: 'like'; readonly re: RegExp }
  | { readonly kind: 'includes'; readonly sets: readonly (readonly string[])[] }
  | { readonly kind: 'semi'; readonly query: BoundQuery };

export type BoundCond =
  | { readonly kind: 'and' | 'or'; readonly conds: readonly BoundCond[] }
  | { readonly kind: 'not'; readonly cond: BoundCond }
  | { readonly kind: 'cmp'; readonly left: BoundExpr; readonly op: ComparisonOperator; readonly right: BoundOperand };

export interface BoundOrder {
  readonly expr: BoundExpr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export interface BoundQuery {
  readonly object: QueryObject;
  readonly columns: readonly BoundColumn[];
  /** `SELECT COUNT() FROM ...`: only `totalSize` matters. */
  readonly countOnly: boolean;
  readonly aggregate: boolean;
  readonly where: BoundCond | undefined;
  readonly groupBy: { readonly mode: 'plain' | 'ROLLUP' | 'CUBE'; readonly items: readonly BoundExpr[] } | undefined;
  readonly having: BoundCond | undefined;
  readonly orderBy: readonly BoundOrder[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

export interface Diagnostic {
  readonly errorCode: SoqlErrorCode;
  readonly message: string;
  readonly span: Span | undefined;
  /** For an unknown name: the names valid at that point (for "did you mean" hints). */
  readonly candidates?: readonly string[];
}

export interface BindOptions {
  /** Throw the first problem as a {@link SoqlError} (engine) instead of collecting them (lint). */
  readonly failFast: boolean;
  /** The query text, for Salesforce-shaped error messages. */
  readonly text?: string;
  /** Clock for date literals (epoch ms). */
  readonly now: number;
  /**
   * Start offsets of bind variables (`parseSoqlWithBinds`): the `null` literals standing for them
   * are values of unknown type and pass every value check.
   */
  readonly binds?: ReadonlySet<number>;
}

export interface BindResult {
  readonly query: BoundQuery | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

class Abort extends Error {}

const CUSTOM_FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_REL_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_OBJECT_HINT =
  "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";

const TEXT_LIKE_TYPES = new Set(['string', 'email', 'phone', 'url', 'combobox', 'picklist', 'encryptedstring', 'textarea', 'id', 'reference']);

interface Scope {
  readonly index: ObjectIndex;
  readonly alias: string | undefined;
}

/** Resolves and checks `query` against `schema`. */
export function bindQuery(query: SelectQuery, schema: QuerySchema | IndexedSchema, options: BindOptions): BindResult {
  const binder = new Binder(schema instanceof IndexedSchema ? schema : new IndexedSchema(schema), options);
  let bound: BoundQuery | undefined;
  try {
    bound = binder.bindTop(query);
  } catch (error) {
    if (!(error instanceof Abort)) throw error;
  }
  return { query: binder.diagnostics.length === 0 ? bound : undefined, diagnostics: binder.diagnostics };
}

class Binder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly schema: IndexedSchema,
    private readonly options: BindOptions,
  ) {}

  private report(errorCode: SoqlErrorCode, message: string, span: Span | undefined, candidates?: () => readonly string[]): void {
    if (this.options.failFast) throw new SoqlError(errorCode, message, this.options.text, span);
    this.diagnostics.push(candidates ? { errorCode, message, span, candidates: candidates() } : { errorCode, message, span });
  }

  /** Report and stop binding this query (nothing after it can be checked meaningfully). */
  private abort(errorCode: SoqlErrorCode, message: string, span: Span | undefined, candidates?: () => readonly string[]): never {
    this.report(errorCode, message, span, candidates);
    throw new Abort();
  }

  bindTop(query: SelectQuery): BoundQuery {
    const objectName = query.from.object;
    const index = this.schema.index(objectName);
    if (index === undefined) {
      this.abort('INVALID_TYPE', `sObject type '${objectName}' is not supported. ${CUSTOM_OBJECT_HINT}`, query.from.span, () => this.schema.objectNames());
    }
    if (!index.object.queryable) {
      this.abort('INVALID_TYPE', `entity type ${index.object.name} does not support query`, query.from.span);
    }
    return this.bindQueryOn(query, index, 'top');
  }

  /** `depth`: parent-to-child nesting level (0 for the top query; Salesforce allows 5 since API 58.0). */
  private bindQueryOn(query: SelectQuery, index: ObjectIndex, role: 'top' | 'child' | 'semi', depth = 0): BoundQuery {
    const scope: Scope = { index, alias: query.from.alias };
    const columns: BoundColumn[] = [];
    const aggregate =
      query.groupBy !== undefined ||
      query.select.some((s) => s.kind === 'selectExpr' && s.expr.kind === 'function' && containsAggregate(s.expr));
    const countOnly =
      query.select.length === 1 &&
      query.select[0]?.kind === 'selectExpr' &&
      query.select[0].expr.kind === 'function' &&
      query.select[0].expr.name === 'COUNT' &&
      query.select[0].expr.args.length === 0 &&
      query.select[0].alias === undefined;
    if (countOnly && query.groupBy !== undefined) {
      this.report('MALFORMED_QUERY', 'COUNT() cannot be used with GROUP BY; use COUNT(field)', query.select[0]?.span);
    }
    if (role === 'child' && aggregate) {
      this.report('MALFORMED_QUERY', 'aggregate functions and GROUP BY are not supported in a relationship subquery', query.span);
    }

    // GROUP BY first: the SELECT list of an aggregate query is checked against it.
    let groupBy: BoundQuery['groupBy'];
    if (query.groupBy) {
      const items: BoundExpr[] = [];
      for (const item of query.groupBy.items) {
        const b = this.bindExpr(item, scope, 'group');
        if (b === undefined) continue;
        if (b.kind === 'path' && !b.field.groupable && !b.pseudoType) {
          this.report('INVALID_FIELD', `field '${b.field.name}' can not be grouped in a query call`, b.span);
        }
        if (b.kind === 'fn' && b.aggregate) {
          this.report('MALFORMED_QUERY', `aggregate function ${b.name} cannot be used in GROUP BY`, b.span);
        }
        items.push(b);
      }
      groupBy = { mode: query.groupBy.mode, items };
    }
    const groupKeys = new Set(groupBy?.items.map((g) => g.key));

    let exprCounter = 0;
    const seen = new Set<string>();
    for (const item of query.select) {
      switch (item.kind) {
        case 'subquery': {
          if (role === 'semi' || aggregate || depth >= 5) {
            this.report(
              'MALFORMED_QUERY',
              role === 'semi'
                ? 'a semi-join subquery cannot hold a relationship subquery'
                : aggregate
                  ? 'a relationship subquery cannot be used in an aggregate query'
                  : 'SOQL relationship subqueries can nest at most 5 levels',
              item.span,
            );
            break;
          }
          const col = this.bindChild(item.query, index, depth + 1);
          if (col) {
            const k = `child:${col.name.toLowerCase()}`;
            if (seen.has(k)) this.report('MALFORMED_QUERY', `duplicate field selected: ${col.name}`, item.span);
            seen.add(k);
            columns.push(col);
          }
          break;
        }
        case 'typeof': {
          if (aggregate) {
            this.report('MALFORMED_QUERY', 'TYPEOF cannot be used in an aggregate query', item.span);
            break;
          }
          const col = this.bindTypeOf(item, scope);
          if (col) columns.push(col);
          break;
        }
        case 'selectExpr': {
          if (countOnly) break;
          const expr = item.expr;
          if (expr.kind === 'function' && expr.name === 'FIELDS') {
            for (const path of this.expandFields(expr, query, index, aggregate)) {
              const k = `path:${path.key}`;
              if (seen.has(k)) continue;
              seen.add(k);
              columns.push({ kind: 'path', path, transform: null });
            }
            break;
          }
          if (expr.kind === 'function' && expr.name === 'COUNT' && expr.args.length === 0) {
            this.report('MALFORMED_QUERY', 'COUNT() must be the only item in the SELECT list; use COUNT(Id) with other items', expr.span);
            break;
          }
          const b = this.bindExpr(expr, scope, aggregate ? 'aggregateSelect' : 'select');
          if (b === undefined) break;
          if (aggregate) {
            if (!isGroupedOrAggregated(b, groupKeys)) {
              this.report('MALFORMED_QUERY', `Field must be grouped or aggregated: ${b.kind === 'path' ? b.field.name : b.name}`, b.span);
            }
            let key: string;
            if (item.alias !== undefined) key = item.alias;
            else if (b.kind === 'path') key = b.pseudoType ? 'Type' : b.field.name;
            else key = `expr${exprCounter++}`;
            if (seen.has(key.toLowerCase())) this.report('MALFORMED_QUERY', `duplicate alias: ${key}`, item.span);
            seen.add(key.toLowerCase());
            columns.push({ kind: 'expr', key, expr: b });
            break;
          }
          if (item.alias !== undefined && b.kind === 'path') {
            this.report('MALFORMED_QUERY', `Only aggregate expressions use field aliasing (alias '${item.alias}' on ${printPath(b)})`, item.span);
          }
          if (item.alias !== undefined && b.kind === 'fn' && (b.name === 'toLabel' || b.name === 'FORMAT' || b.name === 'convertCurrency' || b.name === 'DISTANCE')) {
            // Function calls may be aliased outside aggregate queries: the value comes under the alias.
            if (seen.has(item.alias.toLowerCase())) this.report('MALFORMED_QUERY', `duplicate alias: ${item.alias}`, item.span);
            seen.add(item.alias.toLowerCase());
            columns.push({ kind: 'expr', key: item.alias, expr: b });
          } else if (b.kind === 'path') {
            const k = `path:${b.key}`;
            if (seen.has(k)) this.report('MALFORMED_QUERY', `duplicate field selected: ${printPath(b)}`, b.span);
            seen.add(k);
            columns.push({ kind: 'path', path: b, transform: null });
          } else if ((b.name === 'toLabel' || b.name === 'FORMAT' || b.name === 'convertCurrency') && b.args[0]?.kind === 'path') {
            columns.push({ kind: 'path', path: b.args[0], transform: b.name });
          } else if (b.name === 'DISTANCE' || b.name === 'FORMAT' || b.name === 'convertCurrency' || b.name === 'toLabel') {
            columns.push({ kind: 'expr', key: `expr${exprCounter++}`, expr: b });
          } else {
            this.report('MALFORMED_QUERY', `${b.name}() can only be used in the SELECT list of an aggregate query (with GROUP BY)`, b.span);
          }
          break;
        }
      }
    }

    const where = query.where ? this.bindCondition(query.where, scope, 'where') : undefined;
    let having: BoundCond | undefined;
    if (query.having) {
      if (!aggregate) this.report('MALFORMED_QUERY', 'HAVING requires GROUP BY or an aggregate query', query.having.span);
      having = this.bindCondition(query.having, scope, 'having', groupKeys);
    }
    const orderBy: BoundOrder[] = [];
    for (const o of query.orderBy ?? []) {
      const b = this.bindExpr(o.expr, scope, aggregate ? 'aggregateOrder' : 'order');
      if (b === undefined) continue;
      if (b.kind === 'path' && !b.field.sortable && !b.pseudoType) {
        this.report('INVALID_FIELD', `field '${b.field.name}' can not be sorted in a query call`, b.span);
      }
      if (aggregate && !isGroupedOrAggregated(b, groupKeys)) {
        this.report('MALFORMED_QUERY', `Ordered field must be grouped or aggregated: ${b.kind === 'path' ? b.field.name : b.name}`, b.span);
      }
      const desc = o.direction === 'DESC';
      orderBy.push({ expr: b, desc, nullsFirst: o.nulls === undefined ? !desc : o.nulls === 'FIRST' });
    }
    if (query.offset !== undefined && query.offset > 2000 && role === 'top') {
      this.report('NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000', query.span);
    }
    return {
      object: index.object,
      columns,
      countOnly,
      aggregate,
      where,
      groupBy,
      having,
      orderBy,
      limit: query.limit,
      offset: query.offset,
    };
  }

  // --- SELECT items -------------------------------------------------------------------------

  /** `FIELDS(ALL | STANDARD | CUSTOM)`: the object's fields as plain columns. */
  private expandFields(call: FunctionCall, query: SelectQuery, index: ObjectIndex, aggregate: boolean): BoundPath[] {
    const arg = call.args[0];
    const which = call.args.length === 1 && arg?.kind === 'field' && arg.path.length === 1 ? (arg.path[0] as string).toUpperCase() : undefined;
    if (which !== 'ALL' && which !== 'STANDARD' && which !== 'CUSTOM') {
      this.report('MALFORMED_QUERY', 'FIELDS() takes ALL, STANDARD or CUSTOM', call.span);
      return [];
    }
    if (aggregate) {
      this.report('MALFORMED_QUERY', 'FIELDS() cannot be used in an aggregate query', call.span);
      return [];
    }
    if (which !== 'STANDARD' && (query.limit === undefined || query.limit > 200)) {
      this.report('MALFORMED_QUERY', `The SOQL FIELDS function must have a LIMIT of at most 200 (FIELDS(${which}))`, call.span);
    }
    return index.object.fields
      .filter((f) => which === 'ALL' || (which === 'CUSTOM') === (f.custom === true))
      .map((f) => ({ kind: 'path', rels: [], field: f, pseudoType: false, cls: classOf(f.type), key: keyOf([], f.name), span: call.span }));
  }

  private bindChild(query: SelectQuery, parent: ObjectIndex, depth: number): Extract<BoundColumn, { kind: 'child' }> | undefined {
    const relName = query.from.object;
    const rel = parent.children.get(relName.toLowerCase());
    if (rel === undefined || rel.relationshipName === null) {
      this.report('INVALID_TYPE', `Didn't understand relationship '${relName}' in FROM part of query call. ${CUSTOM_REL_HINT}`, query.from.span, () =>
        [...parent.children.values()].flatMap((c) => (c.relationshipName ? [c.relationshipName] : [])),
      );
      return undefined;
    }
    const child = this.schema.index(rel.childSObject);
    if (child === undefined) {
      // The child object is not in the schema (a partial snapshot): nothing more can be checked.
      return undefined;
    }
    try {
      const bound = this.bindQueryOn(query, child, 'child', depth);
      return { kind: 'child', name: rel.relationshipName, childObject: child.object.name, parentField: rel.field, query: bound };
    } catch (error) {
      if (error instanceof Abort) return undefined;
      throw error;
    }
  }

  private bindTypeOf(
    item: Extract<SelectQuery['select'][number], { kind: 'typeof' }>,
    scope: Scope,
  ): BoundColumn | undefined {
    const relField = scope.index.relationships.get(item.relationship.toLowerCase());
    const span = item.span ? { start: item.span.start, end: item.span.start + 6 } : undefined;
    if (relField === undefined) {
      this.report('INVALID_FIELD', `Didn't understand relationship '${item.relationship}' in field path. ${CUSTOM_REL_HINT}`, span);
      return undefined;
    }
    if (!isPolymorphic(relField)) {
      this.report('MALFORMED_QUERY', `TYPEOF can only be used on a polymorphic relationship; '${relField.relationshipName ?? item.relationship}' is not polymorphic`, span);
      return undefined;
    }
    const rel: RelStep = { name: relField.relationshipName ?? item.relationship, polymorphic: true, targets: relField.referenceTo };
    const whens: { type: string; fields: BoundPath[] }[] = [];
    for (const when of item.whens) {
      const target = relField.referenceTo.find((t) => t.toLowerCase() === when.objectType.toLowerCase());
      if (target === undefined) {
        this.report('INVALID_TYPE', `'${when.objectType}' is not a type of relationship '${rel.name}' (it refers to ${relField.referenceTo.join(', ')})`, when.span);
        continue;
      }
      const idx = this.schema.index(target);
      if (idx === undefined) continue;
      const fields: BoundPath[] = [];
      for (const f of when.fields) {
        const b = this.bindPathOn(f, [idx], [], false);
        if (b) fields.push(b);
      }
      whens.push({ type: idx.object.name, fields });
    }
    let elseFields: BoundPath[] | null = null;
    if (item.else) {
      const targets = relField.referenceTo.map((t) => this.schema.index(t)).filter((x): x is ObjectIndex => x !== undefined);
      elseFields = [];
      for (const f of item.else) {
        const b = this.bindPathOn(f, targets, [], true);
        if (b) elseFields.push(b);
      }
    }
    return { kind: 'typeof', rel, whens, else: elseFields };
  }

  // --- expressions --------------------------------------------------------------------------

  private bindExpr(
    expr: ValueExpr,
    scope: Scope,
    context: 'select' | 'aggregateSelect' | 'where' | 'having' | 'group' | 'order' | 'aggregateOrder' | 'arg',
  ): BoundExpr | undefined {
    if (expr.kind === 'field') return this.bindPath(expr, scope);
    return this.bindFunction(expr, scope, context);
  }

  private bindPath(ref: FieldRef, scope: Scope): BoundPath | undefined {
    let path = ref.path;
    let spans = ref.segmentSpans;
    if (scope.alias !== undefined && path.length > 1 && path[0]?.toLowerCase() === scope.alias.toLowerCase()) {
      path = path.slice(1);
      spans = spans?.slice(1);
    }
    return this.bindPathOn({ ...ref, path, segmentSpans: spans }, [scope.index], [], false);
  }

  /** Resolves a field path starting on any of `candidates` (several for a polymorphic parent). */
  private bindPathOn(ref: FieldRef, candidates: ObjectIndex[], prefix: RelStep[], polymorphicStart: boolean): BoundPath | undefined {
    const rels: RelStep[] = [...prefix];
    let objects = candidates;
    let polymorphic = polymorphicStart;
    const segSpan = (i: number): Span | undefined => ref.segmentSpans?.[i] ?? ref.span;
    for (let i = 0; i < ref.path.length - 1; i++) {
      const seg = ref.path[i] as string;
      let relField: QueryField | undefined;
      for (const o of objects) {
        relField = o.relationships.get(seg.toLowerCase());
        if (relField) break;
      }
      if (polymorphic && !NAME_RELATIONSHIPS.has(seg.toLowerCase())) relField = undefined;
      if (relField === undefined) {
        const from = objects;
        this.report('INVALID_FIELD', `Didn't understand relationship '${seg}' in field path. ${CUSTOM_REL_HINT}`, segSpan(i), () =>
          from.flatMap((o) => [...o.relationships.values()].flatMap((f) => (f.relationshipName ? [f.relationshipName] : []))),
        );
        return undefined;
      }
      rels.push({ name: relField.relationshipName ?? seg, polymorphic: isPolymorphic(relField), targets: relField.referenceTo });
      if (rels.length > 5) {
        this.report('MALFORMED_QUERY', 'SOQL statements cannot query relationships that are more than 5 levels away from the root entity object', segSpan(i));
        return undefined;
      }
      polymorphic = isPolymorphic(relField);
      objects = relField.referenceTo.map((t) => this.schema.index(t)).filter((x): x is ObjectIndex => x !== undefined);
      if (objects.length === 0) {
        // Target objects outside the schema (partial snapshot): the rest cannot be checked.
        const name = ref.path[ref.path.length - 1] as string;
        const field: QueryField = { name, type: 'anyType', filterable: true, sortable: true, groupable: true, aggregatable: true, referenceTo: [], relationshipName: null, picklistValues: [] };
        return { kind: 'path', rels, field, pseudoType: false, cls: 'other', key: keyOf(rels, name), span: ref.span };
      }
    }
    const last = ref.path[ref.path.length - 1] as string;
    let field: QueryField | undefined;
    for (const o of objects) {
      field = o.fields.get(last.toLowerCase());
      if (field) break;
    }
    // Polymorphic parents resolve through the Name pseudo-object: only its fields are visible
    // (TYPEOF lifts that), and its `Type` is the concrete sObject type.
    if (polymorphic && !NAME_FIELDS.has(last.toLowerCase())) {
      this.report('INVALID_FIELD', `No such column '${last}' on entity 'Name'. ${CUSTOM_FIELD_HINT} (A polymorphic relationship only exposes the Name object's fields; use TYPEOF for others.)`, segSpan(ref.path.length - 1), () => [...NAME_FIELDS.values()].map(nameFieldCase));
      return undefined;
    }
    if (polymorphic && last.toLowerCase() === 'type') {
      const pseudo: QueryField = { name: 'Type', type: 'string', filterable: true, sortable: true, groupable: true, aggregatable: true, referenceTo: [], relationshipName: null, picklistValues: [] };
      return { kind: 'path', rels, field: pseudo, pseudoType: true, cls: 'text', key: keyOf(rels, 'Type'), span: ref.span };
    }
    if (polymorphic && field === undefined) {
      const name = nameFieldCase(last.toLowerCase());
      const type = name === 'Id' || name.endsWith('Id') ? 'reference' : name === 'IsActive' ? 'boolean' : name.endsWith('Date') ? 'datetime' : 'string';
      const synthetic: QueryField = { name, type, filterable: true, sortable: true, groupable: true, aggregatable: true, referenceTo: [], relationshipName: null, picklistValues: [] };
      return { kind: 'path', rels, field: synthetic, pseudoType: false, cls: classOf(type), key: keyOf(rels, name), span: ref.span };
    }
    if (field === undefined) {
      const entity = polymorphic && objects.length > 1 ? objects.map((o) => o.object.name).join('/') : (objects[0]?.object.name ?? '?');
      const from = objects;
      this.report('INVALID_FIELD', `No such column '${last}' on entity '${entity}'. ${CUSTOM_FIELD_HINT}`, segSpan(ref.path.length - 1), () =>
        from.flatMap((o) => o.object.fields.map((f) => f.name)),
      );
      return undefined;
    }
    return { kind: 'path', rels, field, pseudoType: false, cls: classOf(field.type), key: keyOf(rels, field.name), span: ref.span };
  }

  private bindFunction(call: FunctionCall, scope: Scope, context: string): BoundFn | undefined {
    const name = call.name;
    const aggregate = isAggregateFunction(name);
    const span = call.span;
    if (aggregate && context === 'where') {
      this.report('MALFORMED_QUERY', `aggregate function ${name}() is not allowed in WHERE; use HAVING`, span);
      return undefined;
    }
    if (aggregate && context === 'group') {
      this.report('MALFORMED_QUERY', `aggregate function ${name}() cannot be used in GROUP BY`, span);
      return undefined;
    }
    if (aggregate && (context === 'order' || context === 'select')) {
      this.report('MALFORMED_QUERY', `aggregate function ${name}() needs an aggregate query (GROUP BY, or aggregates only in the SELECT list)`, span);
      return undefined;
    }
    const args: BoundArg[] = [];
    for (const a of call.args) {
      if (a.kind === 'field' || a.kind === 'function') {
        if (a.kind === 'function' && isAggregateFunction(a.name) && name !== 'FORMAT') {
          this.report('MALFORMED_QUERY', `${a.name}() cannot be nested in ${name}()`, a.span);
          return undefined;
        }
        const b = this.bindExpr(a, scope, 'arg');
        if (b === undefined) return undefined;
        args.push(b);
      } else {
        args.push({ kind: 'lit', value: a });
      }
    }
    const first = args[0];
    const arity = (min: number, max: number): boolean => {
      if (args.length < min || args.length > max) {
        this.report('MALFORMED_QUERY', `${name}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${args.length}`, span);
        return false;
      }
      return true;
    };
    const needPath = (): BoundPath | undefined => {
      if (first?.kind !== 'path') {
        this.report('MALFORMED_QUERY', `${name}() needs a field argument`, span);
        return undefined;
      }
      return first;
    };
    const fn = (cls: ValueClass): BoundFn => ({
      kind: 'fn',
      name,
      args,
      cls,
      aggregate: aggregate || args.some((a) => a.kind === 'fn' && a.aggregate),
      key: `${name.toLowerCase()}(${args.map((a) => (a.kind === 'lit' ? JSON.stringify(a.value) : a.key)).join(',')})`,
      span,
    });
    switch (name) {
      case 'COUNT':
        if (!arity(0, 1)) return undefined;
        if (args.length === 1 && !needPath()) return undefined;
        return fn('number');
      case 'COUNT_DISTINCT':
      case 'GROUPING': {
        if (!arity(1, 1)) return undefined;
        const p = needPath();
        if (!p) return undefined;
        return fn('number');
      }
      case 'SUM':
      case 'AVG': {
        if (!arity(1, 1)) return undefined;
        const p = needPath();
        if (!p) return undefined;
        if (p.cls !== 'number' && p.cls !== 'other') {
          this.report('MALFORMED_QUERY', `field ${p.field.name} does not support aggregate operator ${name}`, span);
          return undefined;
        }
        if (!p.field.aggregatable) this.report('INVALID_FIELD', `field '${p.field.name}' can not be aggregated in a query call`, p.span);
        return fn('number');
      }
      case 'MIN':
      case 'MAX': {
        if (!arity(1, 1)) return undefined;
        const p = needPath();
        if (!p) return undefined;
        if (p.cls === 'boolean' || p.cls === 'multipicklist' || p.cls === 'compound' || p.cls === 'other') {
          this.report('MALFORMED_QUERY', `field ${p.field.name} does not support aggregate operator ${name}`, span);
          return undefined;
        }
        if (!p.field.aggregatable) this.report('INVALID_FIELD', `field '${p.field.name}' can not be aggregated in a query call`, p.span);
        return fn(p.cls);
      }
      case 'convertTimezone': {
        if (!arity(1, 1)) return undefined;
        const p = needPath();
        if (!p) return undefined;
        if (p.cls !== 'datetime') {
          this.report('MALFORMED_QUERY', `convertTimezone() needs a datetime field; '${p.field.name}' is ${p.field.type}`, span);
          return undefined;
        }
        return fn('datetime');
      }
      case 'toLabel': {
        if (!arity(1, 1)) return undefined;
        const p = needPath();
        if (!p) return undefined;
        return fn('text');
      }
      case 'FORMAT': {
        if (!arity(1, 1)) return undefined;
        if (first?.kind === 'lit' || first === undefined) {
          this.report('MALFORMED_QUERY', 'FORMAT() needs a field or an aggregate function', span);
          return undefined;
        }
        return fn('text');
      }
      case 'convertCurrency': {
        if (!arity(1, 1)) return undefined;
        const p = needPath();
        if (!p) return undefined;
        if (p.field.type !== 'currency') {
          this.report('MALFORMED_QUERY', `convertCurrency() needs a currency field; '${p.field.name}' is ${p.field.type}`, span);
        }
        return fn('number');
      }
      case 'GEOLOCATION': {
        if (!arity(2, 2)) return undefined;
        if (args.some((a) => a.kind !== 'lit' || a.value.kind !== 'number')) {
          this.report('MALFORMED_QUERY', 'GEOLOCATION() takes two numbers (latitude, longitude)', span);
          return undefined;
        }
        return fn('geo');
      }
      case 'DISTANCE': {
        if (!arity(3, 3)) return undefined;
        const [a, b, unit] = args;
        const isGeo = (x: BoundArg | undefined): boolean => (x?.kind === 'path' && x.field.type === 'location') || (x?.kind === 'fn' && x.name === 'GEOLOCATION');
        if (!isGeo(a) || !isGeo(b)) {
          this.report('MALFORMED_QUERY', 'DISTANCE() compares a location field with GEOLOCATION(lat, lng) or another location field', span);
          return undefined;
        }
        if (unit?.kind !== 'lit' || unit.value.kind !== 'string' || !['mi', 'km'].includes(unit.value.value)) {
          this.report('MALFORMED_QUERY', "DISTANCE() unit must be 'mi' or 'km'", span);
          return undefined;
        }
        return fn('number');
      }
      default: {
        // date functions
        if (!arity(1, 1)) return undefined;
        const a = first;
        const ok = (a?.kind === 'path' && (a.cls === 'date' || a.cls === 'datetime')) || (a?.kind === 'fn' && a.name === 'convertTimezone');
        if (!ok) {
          this.report('MALFORMED_QUERY', `${name}() needs a date or datetime field`, span);
          return undefined;
        }
        if (name === 'DAY_ONLY' || name === 'HOUR_IN_DAY') {
          if (a?.kind === 'path' && a.cls !== 'datetime') {
            this.report('MALFORMED_QUERY', `${name}() needs a datetime field; '${a.field.name}' is ${a.field.type}`, span);
            return undefined;
          }
        }
        return fn(name === 'DAY_ONLY' ? 'date' : 'number');
      }
    }
  }

  // --- conditions ---------------------------------------------------------------------------

  private bindCondition(cond: Condition, scope: Scope, clause: 'where' | 'having', groupKeys?: Set<string>): BoundCond | undefined {
    switch (cond.kind) {
      case 'and':
      case 'or': {
        if (cond.kind === 'or') {
          const semi = cond.conditions.find(hasSemiJoin);
          if (semi) this.report('MALFORMED_QUERY', "Semi join sub-selects are not allowed with the 'OR' operator", semi.span ?? cond.span);
        }
        const conds = cond.conditions.map((c) => this.bindCondition(c, scope, clause, groupKeys));
        if (conds.some((c) => c === undefined)) return undefined;
        return { kind: cond.kind, conds: conds as BoundCond[] };
      }
      case 'not': {
        const inner = this.bindCondition(cond.condition, scope, clause, groupKeys);
        return inner && { kind: 'not', cond: inner };
      }
      case 'comparison':
        return this.bindComparison(cond, scope, clause, groupKeys);
    }
  }

  private bindComparison(cmp: Comparison, scope: Scope, clause: 'where' | 'having', groupKeys?: Set<string>): BoundCond | undefined {
    const left = this.bindExpr(cmp.left, scope, clause);
    if (left === undefined) return undefined;
    const op = cmp.operator;
    const opSpan = cmp.operatorSpan ?? cmp.span;
    if (clause === 'having' && groupKeys && !isGroupedOrAggregated(left, groupKeys)) {
      this.report('MALFORMED_QUERY', `field in HAVING must be grouped or aggregated: ${left.kind === 'path' ? left.field.name : left.name}`, left.span);
    }
    const cls = left.cls;
    const what = left.kind === 'path' ? `field '${left.field.name}'` : `${left.name}()`;
    const typeName = left.kind === 'path' ? left.field.type : cls;
    if (left.kind === 'path' && clause === 'where') {
      if (!left.field.filterable && !left.pseudoType) {
        this.report('INVALID_FIELD', `field '${left.field.name}' can not be filtered in a query call`, left.span);
        return undefined;
      }
    }
    // Operator against type.
    if (cls === 'compound' || cls === 'geo' || (cls === 'other' && left.kind === 'path' && left.field.type !== 'anyType')) {
      this.report('INVALID_QUERY_FILTER_OPERATOR', `${what} of type ${typeName} cannot be used in a filter`, left.span);
      return undefined;
    }
    if (op === 'INCLUDES' || op === 'EXCLUDES') {
      if (cls !== 'multipicklist') {
        this.report('INVALID_QUERY_FILTER_OPERATOR', `includes or excludes operator only valid on multipicklist field (${what} is ${typeName})`, opSpan);
        return undefined;
      }
    } else if (cls === 'multipicklist' && op !== '=' && op !== '!=') {
      this.report('INVALID_QUERY_FILTER_OPERATOR', `invalid operator ${op} on multipicklist field '${left.kind === 'path' ? left.field.name : ''}': use INCLUDES, EXCLUDES, = or !=`, opSpan);
      return undefined;
    }
    if (op === 'LIKE') {
      const textual = left.kind === 'path' ? TEXT_LIKE_TYPES.has(left.field.type) || left.pseudoType : cls === 'text';
      if (!textual) {
        this.report('INVALID_QUERY_FILTER_OPERATOR', `invalid operator LIKE on ${what} of type ${typeName}: LIKE only works on text fields`, opSpan);
        return undefined;
      }
    }
    if (cls === 'boolean' && (op === '<' || op === '<=' || op === '>' || op === '>=')) {
      this.report('INVALID_QUERY_FILTER_OPERATOR', `invalid operator ${op} on boolean ${what}`, opSpan);
      return undefined;
    }
    if (left.kind === 'path' && left.field.type === 'textarea' && (op === '<' || op === '<=' || op === '>' || op === '>=')) {
      this.report('INVALID_QUERY_FILTER_OPERATOR', `invalid operator ${op} on textarea ${what}`, opSpan);
      return undefined;
    }

    // Operand.
    const right = cmp.right;
    if (right.kind === 'subquery') {
      if (cls !== 'id' && cls !== 'text') {
        this.report('INVALID_QUERY_FILTER_OPERATOR', `a semi-join needs an Id or reference field on the left; ${what} is ${typeName}`, left.span);
        return undefined;
      }
      const sub = right.query;
      const index = this.schema.index(sub.from.object);
      if (index === undefined) {
        this.report('INVALID_TYPE', `sObject type '${sub.from.object}' is not supported. ${CUSTOM_OBJECT_HINT}`, sub.from.span, () => this.schema.objectNames());
        return undefined;
      }
      let bound: BoundQuery;
      try {
        bound = this.bindQueryOn(sub, index, 'semi');
      } catch (error) {
        if (error instanceof Abort) return undefined;
        throw error;
      }
      const only = bound.columns[0];
      if (bound.columns.length !== 1 || only?.kind !== 'path' || (only.path.cls !== 'id' && only.path.cls !== 'text')) {
        this.report('MALFORMED_QUERY', 'a semi-join or anti-join subquery must select exactly one Id or reference field', sub.span);
        return undefined;
      }
      if (bound.aggregate || bound.countOnly) {
        this.report('MALFORMED_QUERY', 'a semi-join subquery cannot use aggregate functions or COUNT()', sub.span);
        return undefined;
      }
      return { kind: 'cmp', left, op, right: { kind: 'semi', query: bound } };
    }
    if (right.kind === 'list') {
      const values: BoundValue[] = [];
      for (const v of right.values) {
        const b = this.bindValue(v, left, what, typeName, op);
        if (b === undefined) return undefined;
        values.push(b);
      }
      if (op === 'INCLUDES' || op === 'EXCLUDES') {
        const sets = right.values.map((v) =>
          v.kind === 'string'
            ? v.value.split(';').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')
            : [],
        );
        return { kind: 'cmp', left, op, right: { kind: 'includes', sets } };
      }
      return { kind: 'cmp', left, op, right: { kind: 'list', values } };
    }
    if (op === 'IN' || op === 'NOT IN' || op === 'INCLUDES' || op === 'EXCLUDES') {
      this.report('MALFORMED_QUERY', `${op} needs a parenthesised list of values`, right.span);
      return undefined;
    }
    if (op === 'LIKE') {
      if (this.isBind(right)) return { kind: 'cmp', left, op: '=', right: { kind: 'null' } };
      if (right.kind !== 'string' && right.kind !== 'null') {
        this.report('INVALID_FIELD', `value of filter criterion for ${what} must be a string pattern enclosed in quotes`, right.span);
        return undefined;
      }
      if (right.kind === 'null') return { kind: 'cmp', left, op: '=', right: { kind: 'null' } };
      return { kind: 'cmp', left, op, right: { kind: 'like', re: likeToRegExp(right.value) } };
    }
    const value = this.bindValue(right, left, what, typeName, op);
    if (value === undefined) return undefined;
    if (value.kind === 'null' && op !== '=' && op !== '!=' && !this.isBind(right)) {
      this.report('MALFORMED_QUERY', `null can only be compared with = or !=`, right.span);
      return undefined;
    }
    return { kind: 'cmp', left, op, right: value };
  }

  private isBind(v: Literal): boolean {
    return v.kind === 'null' && v.span !== undefined && this.options.binds?.has(v.span.start) === true;
  }

  /** Checks a literal against the left side's type and normalizes it. */
  private bindValue(v: Literal, left: BoundExpr, what: string, typeName: string, op: ComparisonOperator): BoundValue | undefined {
    if (v.kind === 'null') return { kind: 'null' };
    const cls = left.cls;
    const bad = (expected: string, quoted: boolean): undefined => {
      this.report(
        'INVALID_FIELD',
        `value of filter criterion for ${what} must be of type ${expected} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
        v.span,
      );
      return undefined;
    };
    switch (cls) {
      case 'text':
      case 'multipicklist':
      case 'time':
        if (v.kind !== 'string') return bad('string', true);
        return { kind: 'value', v: normalize(cls, v.value) as Comparable };
      case 'id': {
        if (v.kind !== 'string') return bad('id', true);
        if (left.kind === 'path' && toId18(v.value) === undefined && !(op === '!=' || op === 'NOT IN') && v.value !== '') {
          this.report('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${v.value}`, v.span);
          return undefined;
        }
        return { kind: 'value', v: normalize('id', v.value) as Comparable };
      }
      case 'number':
        if (v.kind !== 'number') return bad(typeName === 'number' ? 'double' : typeName, false);
        return { kind: 'value', v: v.value };
      case 'boolean':
        if (v.kind !== 'boolean') return bad('boolean', false);
        return { kind: 'value', v: v.value };
      case 'date':
      case 'datetime': {
        if (v.kind === 'dateLiteral' || v.kind === 'dateLiteralN') {
          const r = dateLiteralRange(v.name, v.kind === 'dateLiteralN' ? v.n : 0, this.options.now);
          return { kind: 'range', start: r.start, end: r.end };
        }
        if (cls === 'date') {
          if (v.kind !== 'date') return bad('date', false);
          const ms = parseDateMs(v.value);
          if (Number.isNaN(ms)) return bad('date', false);
          return { kind: 'value', v: ms };
        }
        if (v.kind !== 'datetime') return bad('dateTime', false);
        const ms = parseInstantMs(v.value);
        if (Number.isNaN(ms)) return bad('dateTime', false);
        return { kind: 'value', v: ms };
      }
      default:
        if (v.kind === 'string') return { kind: 'value', v: v.value };
        if (v.kind === 'number' || v.kind === 'boolean') return { kind: 'value', v: v.value };
        return bad(typeName, false);
    }
  }
}

/** Fields of the Name pseudo-object, through which polymorphic relationships resolve. */
const NAME_FIELD_LIST = [
  'Id', 'Name', 'Type', 'Alias', 'Email', 'FirstName', 'LastName', 'IsActive', 'Phone', 'Title', 'Username',
  'NameOrAlias', 'CommunityNickname', 'UserRoleId', 'ProfileId', 'RecordTypeId', 'SmallPhotoUrl', 'MediumPhotoUrl',
  'FullPhotoUrl', 'LastReferencedDate', 'LastViewedDate',
];
const NAME_FIELDS = new Set(NAME_FIELD_LIST.map((f) => f.toLowerCase()));
const NAME_RELATIONSHIPS = new Set(['profile', 'userrole', 'recordtype']);
const nameFieldCase = (lower: string): string => NAME_FIELD_LIST.find((f) => f.toLowerCase() === lower) ?? lower;

/** A reference that resolves through the Name object: several targets, or `namePointing`. */
function isPolymorphic(f: QueryField): boolean {
  return f.referenceTo.length > 1 || f.namePointing === true;
}

function keyOf(rels: readonly RelStep[], field: string): string {
  return [...rels.map((r) => r.name), field].join('.').toLowerCase();
}

function printPath(p: BoundPath): string {
  return [...p.rels.map((r) => r.name), p.field.name].join('.');
}

/** A semi- or anti-join anywhere in the condition (not inside a nested query). */
function hasSemiJoin(cond: Condition): boolean {
  switch (cond.kind) {
    case 'comparison':
      return cond.right.kind === 'subquery';
    case 'not':
      return hasSemiJoin(cond.condition);
    case 'and':
    case 'or':
      return cond.conditions.some(hasSemiJoin);
  }
}

function containsAggregate(call: FunctionCall): boolean {
  return isAggregateFunction(call.name) || call.args.some((a) => a.kind === 'function' && containsAggregate(a));
}

function isGroupedOrAggregated(b: BoundExpr, groupKeys: Set<string>): boolean {
  if (groupKeys.has(b.key)) return true;
  if (b.kind === 'fn') {
    if (b.aggregate) return true;
    return b.args.every((a) => a.kind === 'lit' || isGroupedOrAggregated(a, groupKeys));
  }
  return false;
}

/** A LIKE pattern (`%` any run, `_` one character, `\` escapes) as an anchored, case-insensitive RegExp. */
export function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i] as string);
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'iu');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
