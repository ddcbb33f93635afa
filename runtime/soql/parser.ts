/**
 * A hand-written recursive-descent parser for SOQL, producing the shared AST of `ast.ts`.
 *
 * Grammar (keywords case-insensitive, clauses in Salesforce's order):
 * ```
 * query      := SELECT item (',' item)* FROM name [alias] [USING SCOPE scope] [WHERE cond]
 *               [WITH with] [GROUP BY [ROLLUP|CUBE] group] [HAVING cond]
 *               [ORDER BY key (',' key)*] [LIMIT int] [OFFSET int]
 *               [FOR (VIEW|REFERENCE|UPDATE) (',' ...)*] [UPDATE (TRACKING|VIEWSTAT) (',' ...)*]
 * item       := '(' query ')' | TYPEOF name (WHEN name THEN fields)+ [ELSE fields] END
 *             | expr [alias]
 * expr       := path | function '(' [arg (',' arg)*] ')'
 * cond       := unary ((AND unary)* | (OR unary)*)       -- mixing AND/OR needs parentheses
 * unary      := NOT unary | '(' cond ')' | expr op operand
 * op         := = | != | <> | < | <= | > | >= | LIKE | IN | NOT IN | INCLUDES | EXCLUDES
 * operand    := literal | '(' literal (',' literal)* ')' | '(' query ')'
 * ```
 * Every node carries its `span`.
 */
import type {
  AggregateFunctionName,
  Comparison,
  ComparisonOperator,
  Condition,
  DataCategoryFilter,
  DateLiteralName,
  DateLiteralNName,
  FieldRef,
  ForOption,
  FromClause,
  FunctionArg,
  FunctionCall,
  FunctionName,
  GroupByClause,
  ListValue,
  Literal,
  Operand,
  OrderByItem,
  SelectItem,
  SelectQuery,
  Span,
  SubquerySelect,
  TypeOfSelect,
  TypeOfWhen,
  UpdateOption,
  ValueExpr,
  WithClause,
} from './ast.js';
import {
  AGGREGATE_FUNCTIONS,
  DATE_FUNCTIONS,
  DATE_LITERALS,
  DATE_LITERALS_N,
  OTHER_FUNCTIONS,
} from './ast.js';
import { SoqlParseError, describeToken, tokenize, type Token } from './lexer.js';

export { SoqlParseError } from './lexer.js';

/** Words that can never be an alias or an identifier in a position where a clause may start. */
const RESERVED = new Set([
  'AND', 'ASC', 'DESC', 'EXCLUDES', 'FIRST', 'FROM', 'GROUP', 'HAVING', 'IN', 'INCLUDES', 'LAST',
  'LIKE', 'LIMIT', 'NOT', 'NULL', 'NULLS', 'OR', 'SELECT', 'WHERE', 'WITH', 'ORDER', 'OFFSET',
  'FOR', 'UPDATE', 'USING', 'TYPEOF', 'WHEN', 'THEN', 'ELSE', 'END', 'TRUE', 'FALSE',
]);

const FUNCTIONS = new Map<string, FunctionName>(
  [...AGGREGATE_FUNCTIONS, ...DATE_FUNCTIONS, ...OTHER_FUNCTIONS].map((f) => [f.toUpperCase(), f]),
);
const AGGREGATES = new Set<string>(AGGREGATE_FUNCTIONS);
const DATE_LITERAL_SET = new Map<string, DateLiteralName>(DATE_LITERALS.map((d) => [d, d]));
const DATE_LITERAL_N_SET = new Map<string, DateLiteralNName>(DATE_LITERALS_N.map((d) => [d, d]));
const CURRENCY_LITERAL_RE = /^([A-Za-z]{3})(\d+(?:\.\d+)?)$/;

/** Is this aggregate function name (canonical)? */
export function isAggregateFunction(name: FunctionName): name is AggregateFunctionName {
  return AGGREGATES.has(name);
}

/**
 * Parses a SOQL query into the shared AST.
 *
 * @throws SoqlParseError (`errorCode: 'MALFORMED_QUERY'`) naming the line, column, what was found
 * and what was expected.
 * @example
 * ```ts
 * const q = parseSoql("SELECT Id, Owner.Name FROM Account WHERE Industry = 'Energy' LIMIT 5");
 * q.from.object; // 'Account'
 * ```
 */
export function parseSoql(text: string): SelectQuery {
  return new Parser(text, false).parseTop();
}

/** A query parsed with Apex-style bind variables (`:name`) allowed in value positions. */
export interface ParsedWithBinds {
  readonly query: SelectQuery;
  /**
   * Each bind variable, by name and span. In the tree a bind stands as a `null` literal with the
   * same span (a scalar) or, after IN / NOT IN / INCLUDES / EXCLUDES, a one-element list of one;
   * LIMIT/OFFSET binds leave the clause out. Consumers look the span up here before type-checking.
   */
  readonly binds: readonly { readonly name: string; readonly span: Span }[];
}

/**
 * Parses SOQL text that may hold `:name` bind variables (the `soql()` checked strings and Apex
 * style), for static checking (`sfgen lint`). Values are unknown, so binds are recorded by span.
 *
 * @example
 * ```ts
 * const { query, binds } = parseSoqlWithBinds('SELECT Id FROM Account WHERE Name = :name');
 * binds[0]?.name; // 'name'
 * ```
 */
export function parseSoqlWithBinds(text: string): ParsedWithBinds {
  const parser = new Parser(text, true);
  const query = parser.parseTop();
  return { query, binds: parser.binds };
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  readonly binds: { name: string; span: Span }[] = [];

  constructor(
    private readonly text: string,
    private readonly allowBinds: boolean,
  ) {
    this.tokens = tokenize(text);
  }

  parseTop(): SelectQuery {
    const query = this.parseQuery(false);
    const tok = this.peek();
    if (tok.type !== 'eof') {
      if (this.isPunct(tok, ')')) this.fail(tok, 'end of query', `unbalanced ')'`);
      this.fail(tok, this.expectedAfterQuery(query));
    }
    return query;
  }

  // --- token helpers ------------------------------------------------------------------------

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.type !== 'eof') this.pos++;
    return tok;
  }

  private prevEnd(): number {
    return this.pos > 0 ? (this.tokens[this.pos - 1] as Token).end : 0;
  }

  private isKeyword(tok: Token, word: string): boolean {
    return tok.type === 'ident' && tok.text.toUpperCase() === word;
  }

  private isPunct(tok: Token, p: string): boolean {
    return tok.type === 'punct' && tok.text === p;
  }

  private acceptKeyword(word: string): Token | undefined {
    const tok = this.peek();
    if (this.isKeyword(tok, word)) {
      this.pos++;
      return tok;
    }
    return undefined;
  }

  private expectKeyword(word: string, expected: string = word): Token {
    const tok = this.peek();
    if (!this.isKeyword(tok, word)) this.fail(tok, expected);
    this.pos++;
    return tok;
  }

  private acceptPunct(p: string): Token | undefined {
    const tok = this.peek();
    if (this.isPunct(tok, p)) {
      this.pos++;
      return tok;
    }
    return undefined;
  }

  private expectPunct(p: string, expected = `'${p}'`): Token {
    const tok = this.peek();
    if (!this.isPunct(tok, p)) this.fail(tok, expected);
    this.pos++;
    return tok;
  }

  private fail(tok: Token, expected: string, detail?: string): never {
    throw new SoqlParseError(this.text, tok.start, tok.end, describeToken(tok), expected, detail);
  }

  private isIdentifier(tok: Token): boolean {
    return tok.type === 'ident' && !RESERVED.has(tok.text.toUpperCase());
  }

  private expectIdentifier(expected: string): Token {
    const tok = this.peek();
    if (!this.isIdentifier(tok)) this.fail(tok, expected);
    this.pos++;
    return tok;
  }

  private span(start: number): Span {
    return { start, end: this.prevEnd() };
  }

  // --- query --------------------------------------------------------------------------------

  private parseQuery(nested: boolean): SelectQuery {
    const selectTok = this.expectKeyword('SELECT');
    const start = selectTok.start;
    const select: SelectItem[] = [];
    for (;;) {
      select.push(this.parseSelectItem());
      if (!this.acceptPunct(',')) break;
    }
    const fromTok = this.peek();
    if (!this.isKeyword(fromTok, 'FROM')) {
      // `SELECT Id, Name FORM Account`: `FORM` was taken as an alias of `Name`; report it there.
      const last = select[select.length - 1];
      if (last && last.kind === 'selectExpr' && last.alias !== undefined && last.expr.kind === 'field') {
        const aliasTok = this.tokens[this.pos - 1] as Token;
        this.fail(aliasTok, `',' or FROM`);
      }
      this.fail(fromTok, `',' or FROM`);
    }
    this.pos++;
    // Object names may be reserved words (`FROM Group`, `FROM Order`).
    const objTok = this.peek();
    if (objTok.type !== 'ident') this.fail(objTok, 'an object name');
    this.pos++;
    let from: FromClause = { kind: 'from', object: objTok.text, span: { start: objTok.start, end: objTok.end } };
    // `FROM Account.Contacts` is not SOQL; relationship subqueries name the relationship only.
    if (this.isIdentifier(this.peek())) {
      const aliasTok = this.next();
      from = { ...from, alias: aliasTok.text, span: { start: objTok.start, end: aliasTok.end } };
    }
    let query: SelectQuery = { kind: 'select', select, from };
    if (this.acceptKeyword('USING')) {
      this.expectKeyword('SCOPE');
      const scope = this.expectIdentifier('a scope (mine, everything, team, delegated, ...)');
      query = { ...query, usingScope: scope.text.toLowerCase() };
    }
    if (this.acceptKeyword('WHERE')) query = { ...query, where: this.parseCondition() };
    if (this.isKeyword(this.peek(), 'WITH')) query = { ...query, with: this.parseWith() };
    if (this.isKeyword(this.peek(), 'GROUP')) query = { ...query, groupBy: this.parseGroupBy() };
    if (this.acceptKeyword('HAVING')) query = { ...query, having: this.parseCondition() };
    if (this.isKeyword(this.peek(), 'ORDER')) query = { ...query, orderBy: this.parseOrderBy() };
    if (this.acceptKeyword('LIMIT')) {
      const limit = this.parseNonNegativeInt('LIMIT');
      if (limit !== undefined) query = { ...query, limit };
    }
    if (this.acceptKeyword('OFFSET')) {
      const offset = this.parseNonNegativeInt('OFFSET');
      if (offset !== undefined) query = { ...query, offset };
    }
    if (this.acceptKeyword('FOR')) {
      const opts: ForOption[] = [];
      do {
        const tok = this.peek();
        const word = tok.type === 'ident' ? tok.text.toUpperCase() : '';
        if (word !== 'VIEW' && word !== 'REFERENCE' && word !== 'UPDATE') this.fail(tok, 'VIEW, REFERENCE or UPDATE');
        this.pos++;
        opts.push(word);
      } while (this.acceptPunct(','));
      query = { ...query, for: opts };
    }
    if (this.acceptKeyword('UPDATE')) {
      const opts: UpdateOption[] = [];
      do {
        const tok = this.peek();
        const word = tok.type === 'ident' ? tok.text.toUpperCase() : '';
        if (word !== 'TRACKING' && word !== 'VIEWSTAT') this.fail(tok, 'TRACKING or VIEWSTAT');
        this.pos++;
        opts.push(word);
      } while (this.acceptPunct(','));
      query = { ...query, update: opts };
    }
    if (nested && !this.isPunct(this.peek(), ')')) {
      this.fail(this.peek(), this.expectedAfterQuery(query).replace('end of query', "')'"));
    }
    return { ...query, span: this.span(start) };
  }

  /** What may follow the last clause parsed (for "expected ..., found ..." messages). */
  private expectedAfterQuery(query: SelectQuery): string {
    const order: [keyof SelectQuery, string][] = [
      ['usingScope', 'USING SCOPE'],
      ['where', 'WHERE'],
      ['with', 'WITH'],
      ['groupBy', 'GROUP BY'],
      ['having', 'HAVING'],
      ['orderBy', 'ORDER BY'],
      ['limit', 'LIMIT'],
      ['offset', 'OFFSET'],
      ['for', 'FOR'],
      ['update', 'UPDATE'],
    ];
    let lastIndex = -1;
    order.forEach(([key], index) => {
      if (query[key] !== undefined) lastIndex = index;
    });
    const rest = order.slice(lastIndex + 1).map(([, word]) => word);
    const lastKey = lastIndex >= 0 ? order[lastIndex]?.[0] : undefined;
    const prefix = lastKey === 'where' || lastKey === 'having' ? ['AND', 'OR'] : [];
    if (lastKey === 'orderBy') prefix.push("','", 'ASC', 'DESC', 'NULLS');
    const all = [...prefix, ...rest, 'end of query'];
    if (all.length === 1) return all[0] as string;
    return `${all.slice(0, -1).join(', ')} or ${all[all.length - 1] as string}`;
  }

  /** A `:name` bind variable at the current position (binds allowed), consumed; else undefined. */
  private acceptBind(): Span | undefined {
    if (!this.allowBinds) return undefined;
    const colon = this.peek();
    const name = this.peek(1);
    if (!this.isPunct(colon, ':') || name.type !== 'ident' || name.start !== colon.end) return undefined;
    this.pos += 2;
    const span = { start: colon.start, end: name.end };
    this.binds.push({ name: name.text, span });
    return span;
  }

  private parseNonNegativeInt(clause: string): number | undefined {
    if (this.acceptBind()) return undefined;
    const tok = this.peek();
    if (tok.type !== 'number' || !/^\d+$/.test(tok.text)) this.fail(tok, `a non-negative integer after ${clause}`);
    this.pos++;
    const value = Number(tok.text);
    if (!Number.isSafeInteger(value)) this.fail(tok, `a non-negative integer after ${clause}`, `${clause} value ${tok.text} is too large`);
    return value;
  }

  // --- SELECT list ----------------------------------------------------------------------------

  private parseSelectItem(): SelectItem {
    const tok = this.peek();
    if (this.isPunct(tok, '(')) return this.parseSubquery();
    if (this.isKeyword(tok, 'TYPEOF')) return this.parseTypeOf();
    if (!this.startsValueExpr()) this.fail(tok, 'a field name, function, TYPEOF or subquery');
    const expr = this.parseValueExpr('a field name, function, TYPEOF or subquery');
    const aliasTok = this.peek();
    if (this.isIdentifier(aliasTok)) {
      this.pos++;
      return { kind: 'selectExpr', expr, alias: aliasTok.text, span: this.span(tok.start) };
    }
    return { kind: 'selectExpr', expr, span: this.span(tok.start) };
  }

  private parseSubquery(): SubquerySelect {
    const open = this.expectPunct('(');
    if (!this.isKeyword(this.peek(), 'SELECT')) this.fail(this.peek(), 'SELECT');
    const query = this.parseQuery(true);
    this.expectPunct(')');
    return { kind: 'subquery', query, span: this.span(open.start) };
  }

  private parseTypeOf(): TypeOfSelect {
    const start = this.expectKeyword('TYPEOF').start;
    const rel = this.expectIdentifier('a polymorphic relationship name');
    const whens: TypeOfWhen[] = [];
    while (this.isKeyword(this.peek(), 'WHEN')) {
      const whenStart = this.next().start;
      const type = this.expectIdentifier('an sObject type');
      this.expectKeyword('THEN');
      const fields = this.parseFieldList();
      whens.push({ kind: 'typeofWhen', objectType: type.text, fields, span: this.span(whenStart) });
    }
    if (whens.length === 0) this.fail(this.peek(), 'WHEN');
    let elseFields: FieldRef[] | undefined;
    if (this.acceptKeyword('ELSE')) elseFields = this.parseFieldList();
    if (!this.isKeyword(this.peek(), 'END')) this.fail(this.peek(), elseFields ? "',' or END" : "',', WHEN, ELSE or END");
    this.pos++;
    const node: TypeOfSelect = { kind: 'typeof', relationship: rel.text, whens, span: this.span(start) };
    return elseFields ? { ...node, else: elseFields } : node;
  }

  private parseFieldList(): FieldRef[] {
    const fields: FieldRef[] = [];
    do {
      fields.push(this.parseFieldPath('a field name'));
    } while (this.acceptPunct(','));
    return fields;
  }

  /** An identifier that can open a field path or call: reserved words only before `.` or `(` (`Order.Name`). */
  private startsValueExpr(): boolean {
    const tok = this.peek();
    if (tok.type !== 'ident') return false;
    if (!RESERVED.has(tok.text.toUpperCase())) return true;
    const next = this.peek(1);
    return next.type === 'punct' && (next.text === '.' || next.text === '(');
  }

  private parseFieldPath(expected: string): FieldRef {
    const first = this.peek();
    if (!this.startsValueExpr() || this.isPunct(this.peek(1), '(')) this.fail(first, expected);
    this.pos++;
    const path = [first.text];
    const segmentSpans: Span[] = [{ start: first.start, end: first.end }];
    while (this.isPunct(this.peek(), '.')) {
      this.pos++;
      const seg = this.peek();
      // A reserved word only continues a path (`OrderItem.Order.Name`); it never ends one.
      const reservedEnd = seg.type === 'ident' && RESERVED.has(seg.text.toUpperCase()) && !this.isPunct(this.peek(1), '.');
      if (seg.type !== 'ident' || reservedEnd) this.fail(seg, 'a field or relationship name after \'.\'');
      this.pos++;
      path.push(seg.text);
      segmentSpans.push({ start: seg.start, end: seg.end });
    }
    return { kind: 'field', path, segmentSpans, span: { start: first.start, end: this.prevEnd() } };
  }

  /** A field path or a function call. */
  private parseValueExpr(expected: string): ValueExpr {
    const tok = this.peek();
    if (tok.type === 'ident' && this.isPunct(this.peek(1), '(')) return this.parseFunction();
    return this.parseFieldPath(expected);
  }

  private parseFunction(): FunctionCall {
    const nameTok = this.next();
    const name = FUNCTIONS.get(nameTok.text.toUpperCase());
    if (name === undefined) {
      this.fail(nameTok, 'a known function', `unknown function '${nameTok.text}'`);
    }
    this.expectPunct('(');
    const args: FunctionArg[] = [];
    if (!this.isPunct(this.peek(), ')')) {
      do {
        args.push(this.parseFunctionArg());
      } while (this.acceptPunct(','));
    }
    this.expectPunct(')', args.length === 0 ? "an argument or ')'" : "',' or ')'");
    return { kind: 'function', name, args, span: this.span(nameTok.start) };
  }

  private parseFunctionArg(): FunctionArg {
    const tok = this.peek();
    if (tok.type === 'ident' && this.isPunct(this.peek(1), '(')) return this.parseFunction();
    if (this.isIdentifier(tok) && !this.looksLikeLiteralWord(tok)) return this.parseFieldPath('a field name');
    if (tok.type === 'ident' && !this.looksLikeLiteralWord(tok)) this.fail(tok, 'a field name or value');
    return this.parseLiteral('a field name or value');
  }

  /** An identifier that is a literal in value position (TRUE, NULL, TODAY, USD100, ...). */
  private looksLikeLiteralWord(tok: Token): boolean {
    const upper = tok.text.toUpperCase();
    return (
      upper === 'TRUE' ||
      upper === 'FALSE' ||
      upper === 'NULL' ||
      DATE_LITERAL_SET.has(upper) ||
      DATE_LITERAL_N_SET.has(upper) ||
      CURRENCY_LITERAL_RE.test(tok.text)
    );
  }

  // --- conditions -----------------------------------------------------------------------------

  private parseCondition(): Condition {
    const start = this.peek().start;
    const first = this.parseUnary();
    const joinTok = this.peek();
    const join = this.isKeyword(joinTok, 'AND') ? 'AND' : this.isKeyword(joinTok, 'OR') ? 'OR' : undefined;
    if (join === undefined) return first;
    const kind = join === 'AND' ? 'and' : 'or';
    // Written groups are kept as written: `a AND (b AND c)` is an `and` holding an `and`.
    const conditions: Condition[] = [first];
    while (this.acceptKeyword(join)) conditions.push(this.parseUnary());
    const other = join === 'AND' ? 'OR' : 'AND';
    if (this.isKeyword(this.peek(), other)) {
      this.fail(
        this.peek(),
        join,
        `cannot mix AND and OR without parentheses: found '${this.peek().text}' after ${join}; group the conditions with ( )`,
      );
    }
    return { kind, conditions, span: this.span(start) };
  }

  private parseUnary(): Condition {
    const tok = this.peek();
    if (this.isKeyword(tok, 'NOT')) {
      this.pos++;
      const condition = this.parseUnary();
      return { kind: 'not', condition, span: this.span(tok.start) };
    }
    if (this.isPunct(tok, '(')) {
      this.pos++;
      const inner = this.parseCondition();
      this.expectPunct(')', "AND, OR or ')'");
      return inner.kind === 'and' || inner.kind === 'or' ? { ...inner, span: this.span(tok.start) } : inner;
    }
    if (!this.startsValueExpr()) this.fail(tok, "a field name, function, NOT or '('");
    return this.parseComparison();
  }

  private parseComparison(): Comparison {
    const left = this.parseValueExpr('a field name');
    const start = left.span?.start ?? this.peek().start;
    const opTok = this.peek();
    let operator: ComparisonOperator | undefined;
    let opEnd = opTok.end;
    if (opTok.type === 'punct') {
      const map: Record<string, ComparisonOperator> = {
        '=': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
      };
      operator = map[opTok.text];
      if (operator) this.pos++;
    } else if (opTok.type === 'ident') {
      const word = opTok.text.toUpperCase();
      if (word === 'LIKE' || word === 'IN' || word === 'INCLUDES' || word === 'EXCLUDES') {
        operator = word;
        this.pos++;
      } else if (word === 'NOT' && this.isKeyword(this.peek(1), 'IN')) {
        operator = 'NOT IN';
        opEnd = this.peek(1).end;
        this.pos += 2;
      }
    }
    if (operator === undefined) {
      const expected = left.kind === 'field' ? "an operator (=, !=, <, <=, >, >=, LIKE, IN, NOT IN, INCLUDES, EXCLUDES) or '.'" : 'an operator (=, !=, <, <=, >, >=, LIKE, IN, NOT IN, INCLUDES, EXCLUDES)';
      this.fail(opTok, expected);
    }
    const operatorSpan: Span = { start: opTok.start, end: opEnd };
    let right: Operand;
    if (operator === 'IN' || operator === 'NOT IN') {
      const open = this.peek();
      const bindNext = this.allowBinds && this.isPunct(open, ':');
      if (!this.isPunct(open, '(') && !bindNext) this.fail(open, `'(' after ${operator}`);
      if (this.isKeyword(this.peek(1), 'SELECT')) right = this.parseSubquery();
      else right = this.parseList(operator);
    } else if (operator === 'INCLUDES' || operator === 'EXCLUDES') {
      const bindNext = this.allowBinds && this.isPunct(this.peek(), ':');
      if (!this.isPunct(this.peek(), '(') && !bindNext) this.fail(this.peek(), `'(' after ${operator}`);
      right = this.parseList(operator);
    } else {
      right = this.parseLiteral('a value');
    }
    return { kind: 'comparison', left, operator, right, operatorSpan, span: this.span(start) };
  }

  private parseList(operator: string): ListValue {
    const bind = this.acceptBind();
    if (bind) return { kind: 'list', values: [{ kind: 'null', span: bind }], span: bind };
    const open = this.expectPunct('(');
    const values: Literal[] = [];
    if (this.isPunct(this.peek(), ')')) this.fail(this.peek(), `a value (the list after ${operator} cannot be empty)`);
    do {
      values.push(this.parseLiteral('a value'));
    } while (this.acceptPunct(','));
    this.expectPunct(')', "',' or ')'");
    return { kind: 'list', values, span: this.span(open.start) };
  }

  private parseLiteral(expected: string): Literal {
    const tok = this.peek();
    const span = { start: tok.start, end: tok.end };
    switch (tok.type) {
      case 'string':
        this.pos++;
        return { kind: 'string', value: tok.value ?? '', span };
      case 'number':
        this.pos++;
        return { kind: 'number', value: Number(tok.text), raw: tok.text, span };
      case 'date':
        this.pos++;
        return { kind: 'date', value: tok.text, span };
      case 'datetime':
        this.pos++;
        return { kind: 'datetime', value: tok.text, span };
      case 'punct': {
        const bind = this.acceptBind();
        if (bind) return { kind: 'null', span: bind };
        if ((tok.text === '-' || tok.text === '+') && this.peek(1).type === 'number' && this.peek(1).start === tok.end) {
          const num = this.peek(1);
          this.pos += 2;
          const raw = tok.text === '-' ? `-${num.text}` : num.text;
          return { kind: 'number', value: Number(raw), raw, span: { start: tok.start, end: num.end } };
        }
        return this.fail(tok, expected);
      }
      case 'ident': {
        const upper = tok.text.toUpperCase();
        if (upper === 'TRUE' || upper === 'FALSE') {
          this.pos++;
          return { kind: 'boolean', value: upper === 'TRUE', span };
        }
        if (upper === 'NULL') {
          this.pos++;
          return { kind: 'null', span };
        }
        const fixed = DATE_LITERAL_SET.get(upper);
        if (fixed) {
          this.pos++;
          if (this.isPunct(this.peek(), ':')) this.fail(this.peek(), 'no \':n\'', `date literal ${fixed} takes no ':n' parameter`);
          return { kind: 'dateLiteral', name: fixed, span };
        }
        const withN = DATE_LITERAL_N_SET.get(upper);
        if (withN) {
          this.pos++;
          const colon = this.peek();
          if (!this.isPunct(colon, ':') || colon.start !== tok.end) {
            this.fail(colon, `':' and a number after ${withN}`, `date literal ${withN} needs ':n' (e.g. ${withN}:3), found ${describeToken(colon)}`);
          }
          this.pos++;
          const numTok = this.peek();
          if (numTok.type !== 'number' || !/^\d+$/.test(numTok.text) || numTok.start !== colon.end) {
            this.fail(numTok, `a non-negative integer after ${withN}:`);
          }
          this.pos++;
          return { kind: 'dateLiteralN', name: withN, n: Number(numTok.text), span: { start: tok.start, end: numTok.end } };
        }
        const currency = CURRENCY_LITERAL_RE.exec(tok.text);
        if (currency) {
          this.pos++;
          const raw = currency[2] as string;
          return { kind: 'number', value: Number(raw), raw, currency: (currency[1] as string).toUpperCase(), span };
        }
        if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(upper) && /(DAY|WEEK|MONTH|QUARTER|YEAR)S?(_AGO)?$/.test(upper)) {
          this.fail(tok, expected, `unknown date literal '${tok.text}'`);
        }
        return this.fail(tok, expected);
      }
      default:
        return this.fail(tok, expected);
    }
  }

  // --- WITH, GROUP BY, ORDER BY ---------------------------------------------------------------

  private parseWith(): WithClause {
    const start = this.expectKeyword('WITH').start;
    const tok = this.peek();
    const word = tok.type === 'ident' ? tok.text.toUpperCase() : '';
    if (word === 'SECURITY_ENFORCED' || word === 'USER_MODE' || word === 'SYSTEM_MODE') {
      this.pos++;
      return { kind: 'withSecurity', mode: word, span: this.span(start) };
    }
    if (word === 'DATA') {
      this.pos++;
      this.expectKeyword('CATEGORY');
      const filters: DataCategoryFilter[] = [];
      do {
        const group = this.expectIdentifier('a data category group name');
        const selTok = this.peek();
        const sel = selTok.type === 'ident' ? selTok.text.toUpperCase() : '';
        if (sel !== 'AT' && sel !== 'ABOVE' && sel !== 'BELOW' && sel !== 'ABOVE_OR_BELOW') {
          this.fail(selTok, 'AT, ABOVE, BELOW or ABOVE_OR_BELOW');
        }
        this.pos++;
        const categories: string[] = [];
        if (this.acceptPunct('(')) {
          do {
            categories.push(this.expectIdentifier('a data category name').text);
          } while (this.acceptPunct(','));
          this.expectPunct(')', "',' or ')'");
        } else {
          categories.push(this.expectIdentifier('a data category name or (').text);
        }
        filters.push({ kind: 'dataCategoryFilter', group: group.text, selector: sel, categories, span: this.span(group.start) });
      } while (this.acceptKeyword('AND'));
      return { kind: 'withDataCategory', filters, span: this.span(start) };
    }
    return this.fail(tok, 'SECURITY_ENFORCED, USER_MODE, SYSTEM_MODE or DATA CATEGORY');
  }

  private parseGroupBy(): GroupByClause {
    const start = this.expectKeyword('GROUP').start;
    this.expectKeyword('BY');
    const tok = this.peek();
    let mode: GroupByClause['mode'] = 'plain';
    if ((this.isKeyword(tok, 'ROLLUP') || this.isKeyword(tok, 'CUBE')) && this.isPunct(this.peek(1), '(')) {
      mode = tok.text.toUpperCase() === 'ROLLUP' ? 'ROLLUP' : 'CUBE';
      this.pos += 2;
    }
    const items: ValueExpr[] = [];
    do {
      items.push(this.parseValueExpr('a field name or function'));
    } while (this.acceptPunct(','));
    if (mode !== 'plain') this.expectPunct(')', "',' or ')'");
    return { kind: 'groupBy', mode, items, span: this.span(start) };
  }

  private parseOrderBy(): OrderByItem[] {
    this.expectKeyword('ORDER');
    this.expectKeyword('BY');
    const items: OrderByItem[] = [];
    do {
      const expr = this.parseValueExpr('a field name or function');
      const start = expr.span?.start ?? 0;
      let item: OrderByItem = { kind: 'orderBy', expr };
      if (this.acceptKeyword('ASC')) item = { ...item, direction: 'ASC' };
      else if (this.acceptKeyword('DESC')) item = { ...item, direction: 'DESC' };
      if (this.acceptKeyword('NULLS')) {
        const tok = this.peek();
        if (this.isKeyword(tok, 'FIRST')) item = { ...item, nulls: 'FIRST' };
        else if (this.isKeyword(tok, 'LAST')) item = { ...item, nulls: 'LAST' };
        else this.fail(tok, 'FIRST or LAST');
        this.pos++;
      }
      items.push({ ...item, span: this.span(start) });
    } while (this.acceptPunct(','));
    return items;
  }
}
