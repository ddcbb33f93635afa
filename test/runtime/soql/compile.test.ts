import { describe, expect, it } from 'vitest';
import type { SelectQuery } from '../../../runtime/soql/ast.js';
import { compileSoql } from '../../../runtime/soql/compile.js';
import { SoqlBuildError } from '../../../runtime/soql/errors.js';
import { parseSoql } from '../../../runtime/soql/parser.js';

const base: SelectQuery = {
  kind: 'select',
  select: [{ kind: 'selectExpr', expr: { kind: 'field', path: ['Id'] } }],
  from: { kind: 'from', object: 'Account' },
};

describe('compileSoql: clauses the builder does not offer', () => {
  it('compiles USING SCOPE, WITH DATA CATEGORY, UPDATE TRACKING, aliases and nested functions', () => {
    expect(compileSoql({ ...base, from: { kind: 'from', object: 'Account', alias: 'a' }, usingScope: 'mine' })).toBe(
      'SELECT Id FROM Account a USING SCOPE mine',
    );
    expect(
      compileSoql({
        ...base,
        from: { kind: 'from', object: 'KnowledgeArticleVersion' },
        with: {
          kind: 'withDataCategory',
          filters: [
            { kind: 'dataCategoryFilter', group: 'Geography__c', selector: 'AT', categories: ['usa__c', 'uk__c'] },
            { kind: 'dataCategoryFilter', group: 'Product__c', selector: 'BELOW', categories: ['all__c'] },
          ],
        },
        update: ['TRACKING'],
      }),
    ).toBe('SELECT Id FROM KnowledgeArticleVersion WITH DATA CATEGORY Geography__c AT (usa__c, uk__c) AND Product__c BELOW all__c UPDATE TRACKING');
    expect(
      compileSoql({
        ...base,
        select: [
          {
            kind: 'selectExpr',
            expr: { kind: 'function', name: 'FORMAT', args: [{ kind: 'function', name: 'MIN', args: [{ kind: 'field', path: ['CloseDate'] }] }] },
            alias: 'first',
          },
          { kind: 'selectExpr', expr: { kind: 'function', name: 'CALENDAR_YEAR', args: [{ kind: 'field', path: ['CloseDate'] }] } },
          { kind: 'selectExpr', expr: { kind: 'function', name: 'COUNT', args: [] } },
        ],
        from: { kind: 'from', object: 'Opportunity' },
        groupBy: { kind: 'groupBy', mode: 'plain', items: [{ kind: 'function', name: 'CALENDAR_YEAR', args: [{ kind: 'field', path: ['CloseDate'] }] }] },
        where: { kind: 'comparison', left: { kind: 'field', path: ['Amount'] }, operator: '>', right: { kind: 'number', value: 5000, raw: '5000', currency: 'USD' } },
      }),
    ).toBe('SELECT FORMAT(MIN(CloseDate)) first, CALENDAR_YEAR(CloseDate), COUNT() FROM Opportunity WHERE Amount > USD5000 GROUP BY CALENDAR_YEAR(CloseDate)');
  });

  it('round-trips parsed queries to the same text and tree', () => {
    const corpus = [
      "SELECT Id, Name FROM Account WHERE Name LIKE 'A\\%%' AND (Industry = 'Energy' OR NOT (AnnualRevenue < 10)) ORDER BY Name DESC NULLS LAST LIMIT 5 OFFSET 10",
      'SELECT Id, TYPEOF What WHEN Account THEN Name WHEN Opportunity THEN Amount, StageName ELSE Name END FROM Task',
      'SELECT Name, (SELECT LastName FROM Contacts WHERE Email != null) FROM Account WITH SECURITY_ENFORCED FOR VIEW, REFERENCE',
      'SELECT StageName, SUM(Amount) total FROM Opportunity GROUP BY ROLLUP(StageName) HAVING SUM(Amount) > 100',
      "SELECT Id FROM Contact WHERE Birthdate = LAST_N_DAYS:30 AND CreatedDate > 2024-01-01T00:00:00Z AND Tags__c INCLUDES ('a;b', 'c') AND AccountId IN (SELECT Id FROM Account)",
    ];
    for (const text of corpus) {
      const tree = parseSoql(text);
      const compiled = compileSoql(tree);
      expect(compiled).toBe(text);
      expect(compileSoql(parseSoql(compiled))).toBe(compiled);
    }
  });
});

describe('compileSoql refuses trees that would not be the query they describe', () => {
  const cases: [string, SelectQuery][] = [
    ['an identifier with spaces', { ...base, from: { kind: 'from', object: 'Account WHERE Id != null' } }],
    ['a path segment with a quote', { ...base, select: [{ kind: 'selectExpr', expr: { kind: 'field', path: ["Name'"] } }] }],
    ['an alias with punctuation', { ...base, select: [{ kind: 'selectExpr', expr: { kind: 'field', path: ['Id'] }, alias: 'x,y' }] }],
    ['an unknown operator', { ...base, where: { kind: 'comparison', left: { kind: 'field', path: ['Id'] }, operator: '= 1 OR Id' as never, right: { kind: 'null' } } }],
    ['an unknown FOR option', { ...base, for: ['VIEW; DELETE' as never] }],
    ['an unknown ORDER BY direction', { ...base, orderBy: [{ kind: 'orderBy', expr: { kind: 'field', path: ['Id'] }, direction: 'ASC, Name' as never }] }],
    ['an empty SELECT list', { ...base, select: [] }],
    ['an empty IN list', { ...base, where: { kind: 'comparison', left: { kind: 'field', path: ['Id'] }, operator: 'IN', right: { kind: 'list', values: [] } } }],
    ['a negative LIMIT', { ...base, limit: -1 }],
    ['a malformed date value', { ...base, where: { kind: 'comparison', left: { kind: 'field', path: ['D'] }, operator: '=', right: { kind: 'date', value: "2024-01-01' OR 'x" } } }],
    ['a number literal with text', { ...base, where: { kind: 'comparison', left: { kind: 'field', path: ['N'] }, operator: '=', right: { kind: 'number', value: 1, raw: '1 OR Id != null' } } }],
  ];
  it.each(cases)('%s', (_name, tree) => {
    expect(() => compileSoql(tree)).toThrow(SoqlBuildError);
  });
});
