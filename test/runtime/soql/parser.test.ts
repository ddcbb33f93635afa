import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition, Literal, SelectQuery } from '../../../runtime/soql/ast.js';
import { compileSoql } from '../../../runtime/soql/compile.js';
import { tokenize } from '../../../runtime/soql/lexer.js';
import { parseSoql, SoqlParseError } from '../../../runtime/soql/parser.js';

/** The tree without parser-only position data, for structural comparison. */
function strip<T>(node: T): T {
  return JSON.parse(
    JSON.stringify(node, (key, value: unknown) => (key === 'span' || key === 'segmentSpans' || key === 'operatorSpan' ? undefined : value)),
  ) as T;
}

const where = (cond: string): Condition => parseSoql(`SELECT Id FROM Account WHERE ${cond}`).where as Condition;
const value = (literal: string): Literal => {
  const c = where(`X = ${literal}`);
  if (c.kind !== 'comparison' || c.right.kind === 'list' || c.right.kind === 'subquery') throw new Error('not a literal');
  return strip(c.right);
};

describe('parseSoql: clauses', () => {
  it('parses a plain query with parent paths', () => {
    expect(strip(parseSoql('SELECT Id, Owner.Name, Account.Owner.Email FROM Contact'))).toEqual({
      kind: 'select',
      select: [
        { kind: 'selectExpr', expr: { kind: 'field', path: ['Id'] } },
        { kind: 'selectExpr', expr: { kind: 'field', path: ['Owner', 'Name'] } },
        { kind: 'selectExpr', expr: { kind: 'field', path: ['Account', 'Owner', 'Email'] } },
      ],
      from: { kind: 'from', object: 'Contact' },
    });
  });

  it('is case-insensitive for keywords and keeps identifier case', () => {
    const q = strip(parseSoql('select NAME from account where name like \'A%\' order by Name desc nulls last limit 5'));
    expect(q.select).toEqual([{ kind: 'selectExpr', expr: { kind: 'field', path: ['NAME'] } }]);
    expect(q.from.object).toBe('account');
    expect(q.where).toEqual({ kind: 'comparison', left: { kind: 'field', path: ['name'] }, operator: 'LIKE', right: { kind: 'string', value: 'A%' } });
    expect(q.orderBy).toEqual([{ kind: 'orderBy', expr: { kind: 'field', path: ['Name'] }, direction: 'DESC', nulls: 'LAST' }]);
    expect(q.limit).toBe(5);
  });

  it('parses every clause in order', () => {
    const q = strip(
      parseSoql(
        `SELECT Id FROM Account a USING SCOPE Mine WHERE Name != null WITH SECURITY_ENFORCED GROUP BY Id HAVING COUNT(Id) > 0 ` +
          `ORDER BY Id ASC NULLS FIRST LIMIT 10 OFFSET 20 FOR VIEW, REFERENCE UPDATE TRACKING, VIEWSTAT`,
      ),
    );
    expect(q).toMatchObject({
      from: { kind: 'from', object: 'Account', alias: 'a' },
      usingScope: 'mine',
      with: { kind: 'withSecurity', mode: 'SECURITY_ENFORCED' },
      groupBy: { kind: 'groupBy', mode: 'plain', items: [{ kind: 'field', path: ['Id'] }] },
      having: { kind: 'comparison', left: { kind: 'function', name: 'COUNT', args: [{ kind: 'field', path: ['Id'] }] }, operator: '>' },
      orderBy: [{ direction: 'ASC', nulls: 'FIRST' }],
      limit: 10,
      offset: 20,
      for: ['VIEW', 'REFERENCE'],
      update: ['TRACKING', 'VIEWSTAT'],
    });
  });

  it.each([
    ['WITH USER_MODE', { kind: 'withSecurity', mode: 'USER_MODE' }],
    ['WITH SYSTEM_MODE', { kind: 'withSecurity', mode: 'SYSTEM_MODE' }],
    [
      'WITH DATA CATEGORY Geography__c AT (usa__c, uk__c) AND Product__c BELOW all__c',
      {
        kind: 'withDataCategory',
        filters: [
          { kind: 'dataCategoryFilter', group: 'Geography__c', selector: 'AT', categories: ['usa__c', 'uk__c'] },
          { kind: 'dataCategoryFilter', group: 'Product__c', selector: 'BELOW', categories: ['all__c'] },
        ],
      },
    ],
  ])('parses %s', (clause, expected) => {
    expect(strip(parseSoql(`SELECT Id FROM KnowledgeArticleVersion ${clause}`)).with).toEqual(expected);
  });

  it('parses child subqueries and semi/anti-joins', () => {
    const q = strip(
      parseSoql(
        'SELECT Name, (SELECT LastName FROM Contacts WHERE Email != null ORDER BY LastName LIMIT 3) FROM Account ' +
          "WHERE Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Won') AND Id NOT IN (SELECT AccountId FROM Case)",
      ),
    );
    expect(q.select[1]).toMatchObject({ kind: 'subquery', query: { from: { object: 'Contacts' }, limit: 3 } });
    expect(q.where).toMatchObject({
      kind: 'and',
      conditions: [
        { operator: 'IN', right: { kind: 'subquery', query: { from: { object: 'Opportunity' } } } },
        { operator: 'NOT IN', right: { kind: 'subquery', query: { from: { object: 'Case' } } } },
      ],
    });
  });

  it('parses TYPEOF with several WHENs and ELSE', () => {
    expect(strip(parseSoql('SELECT TYPEOF What WHEN Account THEN Phone, Owner.Name WHEN Opportunity THEN Amount ELSE Name END FROM Event').select[0])).toEqual({
      kind: 'typeof',
      relationship: 'What',
      whens: [
        { kind: 'typeofWhen', objectType: 'Account', fields: [{ kind: 'field', path: ['Phone'] }, { kind: 'field', path: ['Owner', 'Name'] }] },
        { kind: 'typeofWhen', objectType: 'Opportunity', fields: [{ kind: 'field', path: ['Amount'] }] },
      ],
      else: [{ kind: 'field', path: ['Name'] }],
    });
  });

  it('parses aggregates, aliases, nested functions, ROLLUP and CUBE', () => {
    const q = strip(
      parseSoql(
        'SELECT calendar_year(CreatedDate) y, COUNT(), count_distinct(OwnerId), FORMAT(MIN(CloseDate)), toLabel(StageName), ' +
          'convertCurrency(Amount) amt, CALENDAR_MONTH(convertTimezone(CreatedDate)) FROM Opportunity GROUP BY ROLLUP(CALENDAR_YEAR(CreatedDate), StageName)',
      ),
    );
    expect(q.select.map((s) => (s.kind === 'selectExpr' && s.expr.kind === 'function' ? [s.expr.name, s.alias] : null))).toEqual([
      ['CALENDAR_YEAR', 'y'],
      ['COUNT', undefined],
      ['COUNT_DISTINCT', undefined],
      ['FORMAT', undefined],
      ['toLabel', undefined],
      ['convertCurrency', 'amt'],
      ['CALENDAR_MONTH', undefined],
    ]);
    expect(q.groupBy?.mode).toBe('ROLLUP');
    expect(q.groupBy?.items).toHaveLength(2);
    expect(strip(parseSoql('SELECT Type, COUNT(Id) FROM Account GROUP BY CUBE(Type)')).groupBy?.mode).toBe('CUBE');
  });

  it('parses FIELDS(ALL | STANDARD | CUSTOM)', () => {
    expect(strip(parseSoql('SELECT fields(standard) FROM Account').select[0])).toEqual({
      kind: 'selectExpr',
      expr: { kind: 'function', name: 'FIELDS', args: [{ kind: 'field', path: ['standard'] }] },
    });
  });

  it('parses DISTANCE and GEOLOCATION', () => {
    const q = strip(parseSoql("SELECT Id FROM Store__c WHERE DISTANCE(Loc__c, GEOLOCATION(37.775, -122.418), 'mi') < 20 ORDER BY DISTANCE(Loc__c, GEOLOCATION(37.775, -122.418), 'mi')"));
    expect(q.where).toMatchObject({
      left: {
        kind: 'function',
        name: 'DISTANCE',
        args: [
          { kind: 'field', path: ['Loc__c'] },
          { kind: 'function', name: 'GEOLOCATION', args: [{ kind: 'number', value: 37.775 }, { kind: 'number', value: -122.418 }] },
          { kind: 'string', value: 'mi' },
        ],
      },
    });
  });

  it('keeps written groups and allows reserved words as object and relationship names', () => {
    expect(strip(where('(A = 1 OR B = 2) AND NOT (C = 3 AND D = 4)'))).toMatchObject({
      kind: 'and',
      conditions: [{ kind: 'or' }, { kind: 'not', condition: { kind: 'and' } }],
    });
    expect(strip(where('A = 1 AND (B = 2 AND C = 3)'))).toMatchObject({ kind: 'and', conditions: [{}, { kind: 'and' }] });
    expect(strip(parseSoql('SELECT Order.OrderNumber FROM OrderItem WHERE Order.Status = \'x\'')).select[0]).toMatchObject({ expr: { path: ['Order', 'OrderNumber'] } });
    expect(parseSoql('SELECT Id FROM Group').from.object).toBe('Group');
  });
});

describe('parseSoql: values', () => {
  it.each<[string, Literal]>([
    ["'it\\'s'", { kind: 'string', value: "it's" }],
    ["'a\\\\b'", { kind: 'string', value: 'a\\b' }],
    ["'line\\nnext\\ttab\\r\\b\\f'", { kind: 'string', value: 'line\nnext\ttab\r\b\f' }],
    ["'q\\\"'", { kind: 'string', value: 'q"' }],
    ["'50\\%'", { kind: 'string', value: '50\\%' }],
    ["'a\\_b'", { kind: 'string', value: 'a\\_b' }],
    ["'\\u00e9'", { kind: 'string', value: 'é' }],
    ["''", { kind: 'string', value: '' }],
    ['42', { kind: 'number', value: 42, raw: '42' }],
    ['-3.25', { kind: 'number', value: -3.25, raw: '-3.25' }],
    ['.5', { kind: 'number', value: 0.5, raw: '.5' }],
    ['USD5000', { kind: 'number', value: 5000, raw: '5000', currency: 'USD' }],
    ['eur12.5', { kind: 'number', value: 12.5, raw: '12.5', currency: 'EUR' }],
    ['TRUE', { kind: 'boolean', value: true }],
    ['false', { kind: 'boolean', value: false }],
    ['NULL', { kind: 'null' }],
    ['2024-05-06', { kind: 'date', value: '2024-05-06' }],
    ['2024-05-06T09:15:27Z', { kind: 'datetime', value: '2024-05-06T09:15:27Z' }],
    ['2024-05-06T09:15:27.123+01:00', { kind: 'datetime', value: '2024-05-06T09:15:27.123+01:00' }],
    ['2024-05-06T09:15:27-0800', { kind: 'datetime', value: '2024-05-06T09:15:27-0800' }],
    ['TODAY', { kind: 'dateLiteral', name: 'TODAY' }],
    ['last_90_days', { kind: 'dateLiteral', name: 'LAST_90_DAYS' }],
    ['THIS_FISCAL_YEAR', { kind: 'dateLiteral', name: 'THIS_FISCAL_YEAR' }],
    ['LAST_N_DAYS:30', { kind: 'dateLiteralN', name: 'LAST_N_DAYS', n: 30 }],
    ['N_DAYS_AGO:3', { kind: 'dateLiteralN', name: 'N_DAYS_AGO', n: 3 }],
    ['LAST_N_FISCAL_QUARTERS:2', { kind: 'dateLiteralN', name: 'LAST_N_FISCAL_QUARTERS', n: 2 }],
    ['N_FISCAL_YEARS_AGO:1', { kind: 'dateLiteralN', name: 'N_FISCAL_YEARS_AGO', n: 1 }],
  ])('%s', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });

  it('parses every comparison operator', () => {
    const ops = ['=', '!=', '<', '<=', '>', '>='] as const;
    for (const op of ops) expect(where(`A ${op} 1`)).toMatchObject({ operator: op });
    expect(where('A <> 1')).toMatchObject({ operator: '!=' });
    expect(where("A LIKE 'x'")).toMatchObject({ operator: 'LIKE' });
    expect(where("A IN ('x', 'y')")).toMatchObject({ operator: 'IN', right: { kind: 'list', values: [{ value: 'x' }, { value: 'y' }] } });
    expect(where("A NOT IN ('x')")).toMatchObject({ operator: 'NOT IN' });
    expect(where("A INCLUDES ('x;y', 'z')")).toMatchObject({ operator: 'INCLUDES' });
    expect(where("A EXCLUDES ('x')")).toMatchObject({ operator: 'EXCLUDES' });
  });

  it('records spans for lint messages', () => {
    const text = 'SELECT Id, Owner.Name FROM Account WHERE Name = \'x\'';
    const q = parseSoql(text);
    const owner = q.select[1];
    expect(owner?.kind === 'selectExpr' && owner.expr.kind === 'field' ? owner.expr.segmentSpans : undefined).toEqual([
      { start: 11, end: 16 },
      { start: 17, end: 21 },
    ]);
    expect(q.from.span).toEqual({ start: 27, end: 34 });
    const w = q.where;
    expect(w?.kind === 'comparison' ? text.slice(w.operatorSpan?.start, w.operatorSpan?.end) : '').toBe('=');
    expect(q.span).toEqual({ start: 0, end: text.length });
  });
});

describe('parseSoql: malformed queries', () => {
  const cases: [string, number, number, string][] = [
    ['SELECT Id, Name, Foo FORM Account', 1, 22, "expected ',' or FROM, found 'FORM'"],
    ['SELECT Id Account', 1, 11, "expected ',' or FROM, found 'Account'"],
    ['SELECT FROM Account', 1, 8, "expected a field name, function, TYPEOF or subquery, found 'FROM'"],
    ['SELEC Id FROM Account', 1, 1, "expected SELECT, found 'SELEC'"],
    ['SELECT Id FROM', 1, 15, 'expected an object name, found end of query'],
    ['SELECT Id FROM Account WHERE', 1, 29, "expected a field name, function, NOT or '(', found end of query"],
    ['SELECT Id FROM Account WHERE Name', 1, 34, 'expected an operator'],
    ["SELECT Id FROM Account WHERE Name = 'x' AND", 1, 44, "expected a field name, function, NOT or '(', found end of query"],
    ['SELECT Id FROM Account WHERE Name =', 1, 36, 'expected a value, found end of query'],
    ['SELECT Id FROM Account WHERE Name = Other', 1, 37, "expected a value, found 'Other'"],
    ["SELECT Id FROM Account WHERE A = 1 AND B = 2 OR C = 3", 1, 46, 'cannot mix AND and OR without parentheses'],
    ["SELECT Id FROM Account WHERE (A = 1", 1, 36, "expected AND, OR or ')', found end of query"],
    ["SELECT Id FROM Account WHERE Name IN 'x'", 1, 38, "expected '(' after IN, found 'x'"],
    ['SELECT * FROM Account', 1, 8, 'SOQL has no SELECT *'],
    ['SELECT Id FROM Account WHERE Name IN ()', 1, 39, 'the list after IN cannot be empty'],
    ["SELECT Id FROM Account WHERE Name = 'abc", 1, 37, 'unterminated string literal'],
    ["SELECT Id FROM Account WHERE Name = 'a\\qb'", 1, 39, "invalid escape sequence '\\q'"],
    ['SELECT Id FROM Account WHERE Name = "x"', 1, 37, 'single quotes'],
    ['SELECT Id FROM Account WHERE CreatedDate > LAST_N_DAYS', 1, 55, "date literal LAST_N_DAYS needs ':n'"],
    ['SELECT Id FROM Account WHERE CreatedDate > LAST_N_DAYS:x', 1, 56, 'expected a non-negative integer after LAST_N_DAYS:'],
    ['SELECT Id FROM Account WHERE CreatedDate > TODAY:3', 1, 49, 'takes no'],
    ['SELECT Id FROM Account WHERE CreatedDate > LAST_N_DAY:3', 1, 44, "unknown date literal 'LAST_N_DAY'"],
    ['SELECT Id FROM Account WHERE CreatedDate > 2024-05-06T10:00', 1, 44, 'malformed datetime'],
    ['SELECT Id FROM Account LIMIT', 1, 29, 'expected a non-negative integer after LIMIT, found end of query'],
    ['SELECT Id FROM Account LIMIT -1', 1, 30, 'expected a non-negative integer after LIMIT'],
    ['SELECT Id FROM Account ORDER Name', 1, 30, "expected BY, found 'Name'"],
    ['SELECT Id FROM Account ORDER BY Name NULLS', 1, 43, 'expected FIRST or LAST, found end of query'],
    ['SELECT Id FROM Account LIMIT 5 WHERE Name = null', 1, 32, "expected OFFSET, FOR, UPDATE or end of query, found 'WHERE'"],
    ['SELECT Id FROM Account WITH', 1, 28, 'expected SECURITY_ENFORCED, USER_MODE, SYSTEM_MODE or DATA CATEGORY'],
    ['SELECT Id FROM Account FOR SHARE', 1, 28, 'expected VIEW, REFERENCE or UPDATE'],
    ['SELECT Id, (SELECT Id FROM Contacts FROM Account', 1, 37, "expected USING SCOPE, WHERE, WITH, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, FOR, UPDATE or ')', found 'FROM'"],
    ['SELECT Id FROM Account)', 1, 23, "unbalanced ')'"],
    ['SELECT COUNTS(Id) FROM Account', 1, 8, "unknown function 'COUNTS'"],
    ['SELECT COUNT(Id FROM Account', 1, 17, "expected ',' or ')', found 'FROM'"],
    ['SELECT TYPEOF What WHEN Account THEN Name FROM Event', 1, 43, "expected ',', WHEN, ELSE or END, found 'FROM'"],
    ['SELECT TYPEOF What END FROM Event', 1, 20, "expected WHEN, found 'END'"],
    ['SELECT Owner. FROM Account', 1, 15, "expected a field or relationship name after '.', found 'FROM'"],
    ['SELECT Id FROM Account WHERE Name = 5abc', 1, 37, "malformed number '5abc'"],
    ['SELECT Id FROM Account WHERE Name = $', 1, 37, "unexpected character '$'"],
    ['SELECT Id\nFROM Account\nWHERE Name ==', 3, 13, "expected a value, found '='"],
  ];
  it.each(cases)('%s', (text, line, column, message) => {
    let error: unknown;
    try {
      parseSoql(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SoqlParseError);
    const e = error as SoqlParseError;
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect({ line: e.line, column: e.column }).toEqual({ line, column });
    expect(e.message).toContain(message);
    expect(e.message).toContain(`at line ${line}, column ${column}`);
    // the offset points at the same place as line/column
    const lines = text.split('\n');
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
    expect(e.offset).toBe(offset);
  });
});

describe('lexer', () => {
  it('gives every token its offsets and ends with eof', () => {
    const tokens = tokenize("SELECT a.b FROM X WHERE y >= 'z'");
    expect(tokens.map((t) => [t.type, t.text, t.start, t.end])).toEqual([
      ['ident', 'SELECT', 0, 6],
      ['ident', 'a', 7, 8],
      ['punct', '.', 8, 9],
      ['ident', 'b', 9, 10],
      ['ident', 'FROM', 11, 15],
      ['ident', 'X', 16, 17],
      ['ident', 'WHERE', 18, 23],
      ['ident', 'y', 24, 25],
      ['punct', '>=', 26, 28],
      ['string', "'z'", 29, 32],
      ['eof', '', 32, 32],
    ]);
  });
});

describe('round trip with the compiler (compileSoql)', () => {
  const queries = [
    'SELECT Id, Owner.Name FROM Account',
    "SELECT Name, (SELECT LastName FROM Contacts WHERE Email != null ORDER BY LastName DESC NULLS LAST LIMIT 3) FROM Account WHERE Industry IN ('Energy', 'Banking') AND (NumberOfEmployees > 10 OR AnnualRevenue >= 1000.5) ORDER BY Name LIMIT 10 OFFSET 5",
    'SELECT TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END FROM Event',
    'SELECT Industry, COUNT(Id) c, SUM(AnnualRevenue) FROM Account GROUP BY ROLLUP(Industry) HAVING COUNT(Id) > 1',
    "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName LIKE 'S%') AND NOT Name = 'x'",
    'SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:30 AND Founded__c > 2020-01-01 AND LastModifiedDate < 2024-05-06T09:15:27Z',
    "SELECT Id FROM Account WHERE Regions__c INCLUDES ('A;B', 'C') WITH SECURITY_ENFORCED",
    'SELECT Id FROM Account FOR UPDATE',
    'SELECT COUNT() FROM Contact WITH USER_MODE',
    'SELECT Id, FIELDS(CUSTOM) FROM Account LIMIT 200',
  ];
  it.each(queries)('%s', (text) => {
    const ast = parseSoql(text);
    expect(strip(parseSoql(compileSoql(ast)))).toEqual(strip(ast));
  });

  it('holds for generated strings and conditions (property)', () => {
    const ident = fc.constantFrom('Name', 'Industry', 'Owner.Name', 'Account.Owner.Email', 'Custom__c');
    const literal: fc.Arbitrary<string> = fc.oneof(
      fc.string({ maxLength: 12 }).map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`),
      fc.integer({ min: -1000, max: 1000 }).map(String),
      fc.constantFrom('TRUE', 'FALSE', 'NULL', 'TODAY', 'LAST_N_DAYS:7', '2024-02-29', '2024-02-29T10:00:00Z'),
    );
    const cmp = fc.tuple(ident, fc.constantFrom('=', '!=', '<', '>='), literal).map(([f, op, v]) => `${f} ${op} ${v}`);
    const cond: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        cmp,
        fc.tuple(tie('c'), fc.constantFrom('AND', 'OR'), tie('c')).map(([a, j, b]) => `(${a}) ${j} (${b})`),
        tie('c').map((c) => `NOT (${c})`),
      ),
    })).c;
    fc.assert(
      fc.property(cond, (c) => {
        const ast: SelectQuery = parseSoql(`SELECT Id FROM Account WHERE ${c}`);
        expect(strip(parseSoql(compileSoql(ast)))).toEqual(strip(ast));
      }),
      { numRuns: 300 },
    );
  });
});
