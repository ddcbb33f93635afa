/**
 * SOQL AST -> SOQL text. Pure and exhaustive over node kinds (a `never` check in every switch), so
 * a new node kind fails to compile here until it is handled. Identifiers are validated (letters,
 * digits and underscores, starting with a letter), literals are escaped by `values.ts`: whatever
 * the tree holds, the text has the structure of the tree.
 */
import type {
  Condition,
  DataCategoryFilter,
  FieldRef,
  FunctionArg,
  FunctionCall,
  GroupByClause,
  Operand,
  OrderByItem,
  SelectItem,
  SelectQuery,
  TypeOfSelect,
  ValueExpr,
  WithClause,
} from './ast.js';
import { SoqlBuildError } from './errors.js';
import { formatLiteral } from './values.js';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

function identifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new SoqlBuildError(what, `${JSON.stringify(name)} is not a valid SOQL identifier`);
  }
  return name;
}

function nonEmpty<T>(items: readonly T[], what: string): readonly T[] {
  if (items.length === 0) throw new SoqlBuildError(what, 'must not be empty');
  return items;
}

/**
 * Compiles a SELECT statement to SOQL text.
 *
 * @example
 * ```ts
 * compileSoql({
 *   kind: 'select',
 *   select: [{ kind: 'selectExpr', expr: { kind: 'field', path: ['Name'] } }],
 *   from: { kind: 'from', object: 'Account' },
 *   limit: 1,
 * }); // "SELECT Name FROM Account LIMIT 1"
 * ```
 */
export function compileSoql(query: SelectQuery): string {
  const parts: string[] = [
    `SELECT ${nonEmpty(query.select, 'SELECT list').map(compileSelectItem).join(', ')}`,
    `FROM ${identifier(query.from.object, 'FROM')}${query.from.alias === undefined ? '' : ` ${identifier(query.from.alias, 'FROM alias')}`}`,
  ];
  if (query.usingScope !== undefined) parts.push(`USING SCOPE ${identifier(query.usingScope, 'USING SCOPE')}`);
  if (query.where !== undefined) parts.push(`WHERE ${compileCondition(query.where, false)}`);
  if (query.with !== undefined) parts.push(compileWith(query.with));
  if (query.groupBy !== undefined) parts.push(compileGroupBy(query.groupBy));
  if (query.having !== undefined) parts.push(`HAVING ${compileCondition(query.having, false)}`);
  if (query.orderBy !== undefined && query.orderBy.length > 0) {
    parts.push(`ORDER BY ${query.orderBy.map(compileOrderBy).join(', ')}`);
  }
  if (query.limit !== undefined) parts.push(`LIMIT ${count(query.limit, 'LIMIT')}`);
  if (query.offset !== undefined) parts.push(`OFFSET ${count(query.offset, 'OFFSET')}`);
  if (query.for !== undefined && query.for.length > 0) parts.push(`FOR ${query.for.map((o) => oneOf(o, FOR_OPTIONS, 'FOR')).join(', ')}`);
  if (query.update !== undefined && query.update.length > 0) {
    parts.push(`UPDATE ${query.update.map((o) => oneOf(o, UPDATE_OPTIONS, 'UPDATE')).join(', ')}`);
  }
  return parts.join(' ');
}

const FOR_OPTIONS: readonly string[] = ['VIEW', 'REFERENCE', 'UPDATE'];
const UPDATE_OPTIONS: readonly string[] = ['TRACKING', 'VIEWSTAT'];
const OPERATORS: readonly string[] = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN', 'INCLUDES', 'EXCLUDES'];

/** Keywords from a tree are checked too: a hand-made (or untyped) node cannot smuggle text in. */
function oneOf(value: string, allowed: readonly string[], what: string): string {
  if (!allowed.includes(value)) throw new SoqlBuildError(what, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value;
}

function count(n: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SoqlBuildError(what, `must be a non-negative integer, got ${String(n)}`);
  }
  return String(n);
}

function compileSelectItem(item: SelectItem): string {
  switch (item.kind) {
    case 'selectExpr':
      return item.alias === undefined
        ? compileValueExpr(item.expr)
        : `${compileValueExpr(item.expr)} ${identifier(item.alias, 'alias')}`;
    case 'typeof':
      return compileTypeOf(item);
    case 'subquery':
      return `(${compileSoql(item.query)})`;
    default: {
      const unreachable: never = item;
      throw new SoqlBuildError('SELECT', `unknown select item ${JSON.stringify(unreachable)}`);
    }
  }
}

function compileTypeOf(item: TypeOfSelect): string {
  const whens = nonEmpty(item.whens, `TYPEOF ${item.relationship}`).map(
    (w) =>
      `WHEN ${identifier(w.objectType, 'TYPEOF WHEN')} THEN ${nonEmpty(w.fields, `TYPEOF WHEN ${w.objectType}`)
        .map(compileField)
        .join(', ')}`,
  );
  const otherwise =
    item.else === undefined ? '' : ` ELSE ${nonEmpty(item.else, 'TYPEOF ELSE').map(compileField).join(', ')}`;
  return `TYPEOF ${identifier(item.relationship, 'TYPEOF')} ${whens.join(' ')}${otherwise} END`;
}

function compileField(field: FieldRef): string {
  return nonEmpty(field.path, 'field path')
    .map((segment) => identifier(segment, 'field path'))
    .join('.');
}

function compileValueExpr(expr: ValueExpr): string {
  switch (expr.kind) {
    case 'field':
      return compileField(expr);
    case 'function':
      return compileFunction(expr);
    default: {
      const unreachable: never = expr;
      throw new SoqlBuildError('expression', `unknown expression ${JSON.stringify(unreachable)}`);
    }
  }
}

function compileFunction(call: FunctionCall): string {
  return `${identifier(call.name, 'function')}(${call.args.map(compileFunctionArg).join(', ')})`;
}

function compileFunctionArg(arg: FunctionArg): string {
  switch (arg.kind) {
    case 'field':
      return compileField(arg);
    case 'function':
      return compileFunction(arg);
    default:
      return formatLiteral(arg);
  }
}

/** `nested`: the condition sits inside AND / OR / NOT, so a compound needs parentheses. */
function compileCondition(condition: Condition, nested: boolean): string {
  switch (condition.kind) {
    case 'comparison':
      return `${compileValueExpr(condition.left)} ${oneOf(condition.operator, OPERATORS, 'operator')} ${compileOperand(
        condition.right,
        condition.operator === 'LIKE',
        condition.operator,
      )}`;
    case 'and':
    case 'or': {
      const joined = nonEmpty(condition.conditions, condition.kind.toUpperCase())
        .map((c) => compileCondition(c, true))
        .join(condition.kind === 'and' ? ' AND ' : ' OR ');
      return nested && condition.conditions.length > 1 ? `(${joined})` : joined;
    }
    case 'not':
      return `NOT (${compileCondition(condition.condition, false)})`;
    default: {
      const unreachable: never = condition;
      throw new SoqlBuildError('condition', `unknown condition ${JSON.stringify(unreachable)}`);
    }
  }
}

function compileOperand(operand: Operand, likePattern: boolean, operator: string): string {
  switch (operand.kind) {
    case 'list':
      return `(${nonEmpty(operand.values, `${operator} list`)
        .map((v) => formatLiteral(v))
        .join(', ')})`;
    case 'subquery':
      return `(${compileSoql(operand.query)})`;
    default:
      return formatLiteral(operand, likePattern);
  }
}

function compileWith(clause: WithClause): string {
  switch (clause.kind) {
    case 'withSecurity':
      return `WITH ${oneOf(clause.mode, ['SECURITY_ENFORCED', 'USER_MODE', 'SYSTEM_MODE'], 'WITH')}`;
    case 'withDataCategory':
      return `WITH DATA CATEGORY ${nonEmpty(clause.filters, 'WITH DATA CATEGORY').map(compileDataCategory).join(' AND ')}`;
    default: {
      const unreachable: never = clause;
      throw new SoqlBuildError('WITH', `unknown WITH clause ${JSON.stringify(unreachable)}`);
    }
  }
}

function compileDataCategory(filter: DataCategoryFilter): string {
  const categories = nonEmpty(filter.categories, 'data categories').map((c) => identifier(c, 'data category'));
  const list = categories.length === 1 ? categories[0] : `(${categories.join(', ')})`;
  return `${identifier(filter.group, 'data category group')} ${oneOf(filter.selector, ['AT', 'ABOVE', 'BELOW', 'ABOVE_OR_BELOW'], 'data category selector')} ${list}`;
}

function compileGroupBy(clause: GroupByClause): string {
  const items = nonEmpty(clause.items, 'GROUP BY').map(compileValueExpr).join(', ');
  switch (clause.mode) {
    case 'plain':
      return `GROUP BY ${items}`;
    case 'ROLLUP':
    case 'CUBE':
      return `GROUP BY ${clause.mode}(${items})`;
    default: {
      const unreachable: never = clause.mode;
      throw new SoqlBuildError('GROUP BY', `unknown mode ${JSON.stringify(unreachable)}`);
    }
  }
}

function compileOrderBy(item: OrderByItem): string {
  let out = compileValueExpr(item.expr);
  if (item.direction !== undefined) out += ` ${oneOf(item.direction, ['ASC', 'DESC'], 'ORDER BY')}`;
  if (item.nulls !== undefined) out += ` NULLS ${oneOf(item.nulls, ['FIRST', 'LAST'], 'NULLS')}`;
  return out;
}
