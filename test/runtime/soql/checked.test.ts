import { describe, expect, it } from 'vitest';
import { CheckedQuery, soqlIn, substituteBinds } from '../../../runtime/soql/checked.js';
import { SoqlBuildError } from '../../../runtime/soql/errors.js';
import { SoqlParseError } from '../../../runtime/soql/parser.js';
import { dateLiteral, like, soqlDate } from '../../../runtime/soql/values.js';
import type { FixtureRegistry } from './fixtures/registry.js';

const soql = soqlIn<FixtureRegistry>();

describe('soql() at run time', () => {
  it('keeps a query without binds as written', () => {
    const q = soql('SELECT Id, Name, Owner.Name FROM Account LIMIT 5');
    expect(q).toBeInstanceOf(CheckedQuery);
    expect(q.toSoql()).toBe('SELECT Id, Name, Owner.Name FROM Account LIMIT 5');
    expect(String(q)).toBe(q.toSoql());
    expect(Object.isFrozen(q)).toBe(true);
  });

  it('substitutes binds with escaped values formatted by JS type', () => {
    const q = soql(
      'SELECT Id FROM Contact WHERE LastName = :name AND Birthdate > :born AND Id IN :ids AND HasOptedOutOfEmail = :flag AND Name LIKE :pattern AND Birthdate < :rel',
      {
        name: "O'Brien\n",
        born: soqlDate('2000-01-31'),
        ids: ['003000000000001', '003000000000002'],
        flag: false,
        pattern: like.startsWith('50%'),
        rel: dateLiteral('LAST_N_DAYS', 3),
      },
    );
    expect(q.toSoql()).toBe(
      "SELECT Id FROM Contact WHERE LastName = 'O\\'Brien\\n' AND Birthdate > 2000-01-31 AND Id IN ('003000000000001', '003000000000002') AND HasOptedOutOfEmail = false AND Name LIKE '50\\%%' AND Birthdate < LAST_N_DAYS:3",
    );
  });

  it('leaves colons inside string literals and date literal numbers alone', () => {
    expect(substituteBinds("SELECT Id FROM Account WHERE Name = 'a :b \\' :c' AND CreatedDate = LAST_N_DAYS:30 AND Name = :d", { d: 'x' })).toBe(
      "SELECT Id FROM Account WHERE Name = 'a :b \\' :c' AND CreatedDate = LAST_N_DAYS:30 AND Name = 'x'",
    );
  });

  it('rejects a missing bind, an unused bind and an empty list bind', () => {
    expect(() => substituteBinds('SELECT Id FROM Account WHERE Name = :n', {})).toThrow(/:n: no value given for bind variable :n/);
    expect(() => substituteBinds('SELECT Id FROM Account', { n: 1 })).toThrow(/bind variable :n is not used/);
    expect(() => substituteBinds('SELECT Id FROM Account WHERE Id IN :ids', { ids: [] })).toThrow(SoqlBuildError);
    expect(() => substituteBinds('SELECT Id FROM Account WHERE Name = :n', { n: undefined })).toThrow(/undefined is not a SOQL value/);
    expect(() => substituteBinds('SELECT Id FROM Account WHERE Name = :n', { n: Number.NaN })).toThrow(/not a finite number/);
  });

  it('does not take bind names from the prototype', () => {
    expect(() => substituteBinds('SELECT Id FROM Account WHERE Name = :toString', {})).toThrow(/no value given/);
  });

  it('parses the text before anything is sent: malformed SOQL is a SoqlParseError with a position', () => {
    const bad = 'SELECT Id FROM Account WHERE Name = = 1' as never;
    expect(() => soql(bad)).toThrow(SoqlParseError);
  });

  it('exposes the parsed tree', () => {
    const q = soql('SELECT Id, (SELECT LastName FROM Contacts), (SELECT Id FROM Opportunities) FROM Account');
    expect(q.node.from.object).toBe('Account');
    expect(q.node.select.map((s) => s.kind)).toEqual(['selectExpr', 'subquery', 'subquery']);
  });
});
