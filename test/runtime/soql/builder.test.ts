import { describe, expect, it } from 'vitest';
import { childRecords, selectFrom, SelectQueryBuilder, MAX_OFFSET } from '../../../runtime/soql/builder.js';
import { SoqlBuildError } from '../../../runtime/soql/errors.js';
import { parseSoql } from '../../../runtime/soql/parser.js';
import { dateLiteral, like, soqlDate, soqlDateTime } from '../../../runtime/soql/values.js';
import { Account, Contact, Opportunity, Task } from './fixtures/sobjects.js';

const ID = '001000000000001AAA';

describe('SELECT', () => {
  it('selects fields and parent paths', () => {
    expect(selectFrom(Account).select('Id', 'Name', 'Owner.Name', 'Parent.Owner.Email').toSoql()).toBe(
      'SELECT Id, Name, Owner.Name, Parent.Owner.Email FROM Account',
    );
  });

  it('accumulates select calls in order', () => {
    expect(selectFrom(Account).select('Id').select('Name').toSoql()).toBe('SELECT Id, Name FROM Account');
  });

  it('compiles TYPEOF with WHEN and ELSE', () => {
    expect(
      selectFrom(Task)
        .select('Id')
        .typeOf('What', { Account: ['Name', 'Industry'], Opportunity: ['Amount'] }, ['Name'])
        .toSoql(),
    ).toBe('SELECT Id, TYPEOF What WHEN Account THEN Name, Industry WHEN Opportunity THEN Amount ELSE Name END FROM Task');
  });

  it('compiles child subqueries with their own clauses', () => {
    const q = selectFrom(Account)
      .select('Name')
      .subquery('Contacts', (c) => c.select('LastName', 'Email').where('Email', '!=', null).orderBy('LastName').limit(5));
    expect(q.toSoql()).toBe(
      'SELECT Name, (SELECT LastName, Email FROM Contacts WHERE Email != null ORDER BY LastName LIMIT 5) FROM Account',
    );
  });

  it('childRecords() presents a subquery envelope or null as an array', () => {
    const contact = { attributes: { type: 'Contact' as const, url: '/x' }, LastName: 'A' };
    expect(childRecords({ totalSize: 1, done: true, records: [contact] })).toEqual([contact]);
    expect(childRecords<typeof contact>(null)).toEqual([]);
  });

  it('compiles aggregates with aliases, GROUP BY and HAVING', () => {
    const q = selectFrom(Opportunity)
      .select('StageName')
      .aggregate('SUM', 'Amount', 'total')
      .aggregate('COUNT', 'Id')
      .aggregate('MAX', 'CloseDate')
      .groupBy('StageName')
      .having('COUNT', 'Id', '>', 1);
    expect(q.toSoql()).toBe(
      'SELECT StageName, SUM(Amount) total, COUNT(Id), MAX(CloseDate) FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1',
    );
  });

  it('compiles GROUP BY ROLLUP and CUBE', () => {
    expect(selectFrom(Account).select('Industry').aggregate('COUNT', 'Id', 'n').groupByRollup('Industry').toSoql()).toBe(
      'SELECT Industry, COUNT(Id) n FROM Account GROUP BY ROLLUP(Industry)',
    );
    expect(selectFrom(Account).select('Industry').aggregate('COUNT', 'Id').groupByCube('Industry').toSoql()).toBe(
      'SELECT Industry, COUNT(Id) FROM Account GROUP BY CUBE(Industry)',
    );
  });

  it('compiles FORMAT() and toLabel() with and without aliases', () => {
    expect(selectFrom(Account).select('Id').toLabel('Industry').format('AnnualRevenue', 'revenue').toSoql()).toBe(
      'SELECT Id, toLabel(Industry), FORMAT(AnnualRevenue) revenue FROM Account',
    );
  });
});

describe('WHERE', () => {
  const base = selectFrom(Account).select('Id');
  const where = (q: SelectQueryBuilder<never>): string => q.toSoql().replace('SELECT Id FROM Account WHERE ', '');

  it('compiles comparisons with values formatted by field type', () => {
    expect(where(base.where('Name', '=', "O'Brien") as never)).toBe("Name = 'O\\'Brien'");
    expect(where(base.where('NumberOfEmployees', '>=', 10) as never)).toBe('NumberOfEmployees >= 10');
    expect(where(base.where('AnnualRevenue', '<', 1.5e6) as never)).toBe('AnnualRevenue < 1500000');
    expect(where(base.where('IsDeleted', '=', false) as never)).toBe('IsDeleted = false');
    expect(where(base.where('Id', '!=', ID) as never)).toBe(`Id != '${ID}'`);
    expect(where(base.where('CreatedDate', '>', new Date(Date.UTC(2024, 0, 2, 3, 4, 5))) as never)).toBe(
      'CreatedDate > 2024-01-02T03:04:05Z',
    );
    expect(where(base.where('CreatedDate', '<=', soqlDateTime('2024-05-06T09:15:27.000+0000')) as never)).toBe(
      'CreatedDate <= 2024-05-06T09:15:27.000+00:00',
    );
    expect(where(base.where('Owner.Name', '=', 'x') as never)).toBe("Owner.Name = 'x'");
  });

  it('compiles null checks', () => {
    expect(where(base.where('ParentId', '=', null) as never)).toBe('ParentId = null');
    expect(where(base.where('Industry', '!=', null) as never)).toBe('Industry != null');
  });

  it('compiles LIKE with escaped user text or a written pattern', () => {
    expect(where(base.where('Name', 'LIKE', like.contains('50%_')) as never)).toBe("Name LIKE '%50\\%\\_%'");
    expect(where(base.where('Name', 'LIKE', 'Acme%') as never)).toBe("Name LIKE 'Acme%'");
    expect(() => base.where('Name', 'LIKE', 'a\\b')).toThrow(/must escape %, _ or \\/);
  });

  it('compiles IN / NOT IN lists and semi-/anti-joins', () => {
    expect(where(base.where('Industry', 'IN', ['Energy', 'Banking']) as never)).toBe("Industry IN ('Energy', 'Banking')");
    expect(where(base.where('NumberOfEmployees', 'NOT IN', [1, 2]) as never)).toBe('NumberOfEmployees NOT IN (1, 2)');
    expect(where(base.where('Id', 'IN', selectFrom(Contact).select('AccountId').where('Email', 'LIKE', '%@x.com')) as never)).toBe(
      "Id IN (SELECT AccountId FROM Contact WHERE Email LIKE '%@x.com')",
    );
    expect(where(base.where('Id', 'NOT IN', selectFrom(Opportunity).select('AccountId')) as never)).toBe(
      'Id NOT IN (SELECT AccountId FROM Opportunity)',
    );
  });

  it('compiles INCLUDES / EXCLUDES on multipicklists', () => {
    expect(where(base.where('Tags__c', 'INCLUDES', ['a;b', 'c']) as never)).toBe("Tags__c INCLUDES ('a;b', 'c')");
    expect(where(base.where('Tags__c', 'EXCLUDES', ['x']) as never)).toBe("Tags__c EXCLUDES ('x')");
  });

  it('compiles date values and literals', () => {
    const c = selectFrom(Contact).select('Id');
    expect(c.where('Birthdate', '>', soqlDate('2000-01-31')).toSoql()).toBe('SELECT Id FROM Contact WHERE Birthdate > 2000-01-31');
    expect(c.where('Birthdate', '=', dateLiteral('TODAY')).toSoql()).toBe('SELECT Id FROM Contact WHERE Birthdate = TODAY');
    expect(c.where('Birthdate', '<', dateLiteral('N_DAYS_AGO', 7)).toSoql()).toBe(
      'SELECT Id FROM Contact WHERE Birthdate < N_DAYS_AGO:7',
    );
  });

  it('ANDs repeated where() calls and nests AND / OR / NOT with parentheses', () => {
    expect(base.where('Name', '=', 'a').where('Industry', '=', 'Energy').where('NumberOfEmployees', '>', 1).toSoql()).toBe(
      "SELECT Id FROM Account WHERE Name = 'a' AND Industry = 'Energy' AND NumberOfEmployees > 1",
    );
    const q = base.where((eb) =>
      eb.or([
        eb('Industry', '=', 'Energy'),
        eb.and([eb('AnnualRevenue', '>', 100), eb.not(eb('Name', 'LIKE', 'Test%'))]),
        eb.not(eb.or([eb('Name', '=', 'a'), eb('Name', '=', 'b')])),
      ]),
    );
    expect(q.toSoql()).toBe(
      "SELECT Id FROM Account WHERE Industry = 'Energy' OR (AnnualRevenue > 100 AND NOT (Name LIKE 'Test%')) OR NOT (Name = 'a' OR Name = 'b')",
    );
    expect(base.where((eb) => eb.or([eb('Name', '=', 'a'), eb('Name', '=', 'b')])).where('IsDeleted', '=', false).toSoql()).toBe(
      "SELECT Id FROM Account WHERE (Name = 'a' OR Name = 'b') AND IsDeleted = false",
    );
  });
});

describe('ORDER BY, LIMIT, OFFSET, FOR, WITH', () => {
  const base = selectFrom(Account).select('Id');
  it('compiles ORDER BY with directions and NULLS', () => {
    expect(base.orderBy('AnnualRevenue', 'DESC', 'NULLS LAST').orderBy('Name').orderBy('Owner.Name', 'ASC', 'NULLS FIRST').toSoql()).toBe(
      'SELECT Id FROM Account ORDER BY AnnualRevenue DESC NULLS LAST, Name, Owner.Name ASC NULLS FIRST',
    );
  });
  it('compiles LIMIT and OFFSET', () => {
    expect(base.limit(10).offset(20).toSoql()).toBe('SELECT Id FROM Account LIMIT 10 OFFSET 20');
    expect(base.limit(0).toSoql()).toBe('SELECT Id FROM Account LIMIT 0');
    expect(base.offset(MAX_OFFSET).toSoql()).toBe('SELECT Id FROM Account OFFSET 2000');
  });
  it('compiles FOR VIEW / REFERENCE / UPDATE', () => {
    expect(base.forView().toSoql()).toBe('SELECT Id FROM Account FOR VIEW');
    expect(base.forReference().toSoql()).toBe('SELECT Id FROM Account FOR REFERENCE');
    expect(base.forView().forReference().forView().toSoql()).toBe('SELECT Id FROM Account FOR VIEW, REFERENCE');
    expect(base.forUpdate().toSoql()).toBe('SELECT Id FROM Account FOR UPDATE');
  });
  it('compiles WITH SECURITY_ENFORCED and WITH USER_MODE', () => {
    expect(base.withSecurityEnforced().toSoql()).toBe('SELECT Id FROM Account WITH SECURITY_ENFORCED');
    expect(base.withUserMode().toSoql()).toBe('SELECT Id FROM Account WITH USER_MODE');
  });
  it('puts every clause in SOQL order', () => {
    const q = selectFrom(Account)
      .limit(5)
      .offset(1)
      .forView()
      .orderBy('Name')
      .withUserMode()
      .where('Name', '!=', null)
      .select('Id', 'Name');
    expect(q.toSoql()).toBe('SELECT Id, Name FROM Account WHERE Name != null WITH USER_MODE ORDER BY Name LIMIT 5 OFFSET 1 FOR VIEW');
  });
});

describe('immutability', () => {
  it('returns a new builder per call and leaves the original untouched', () => {
    const a = selectFrom(Account).select('Id');
    const b = a.where('Name', '=', 'x');
    const c = a.limit(1);
    expect(a.toSoql()).toBe('SELECT Id FROM Account');
    expect(b.toSoql()).toBe("SELECT Id FROM Account WHERE Name = 'x'");
    expect(c.toSoql()).toBe('SELECT Id FROM Account LIMIT 1');
    expect(b).not.toBe(a);
  });

  it('freezes the builder and its node deeply', () => {
    const q = selectFrom(Account).select('Id').where('Industry', 'IN', ['Energy']);
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(q.node)).toBe(true);
    expect(Object.isFrozen(q.node.select)).toBe(true);
    expect(Object.isFrozen(q.node.where)).toBe(true);
    expect(() => {
      (q.node.select as unknown[]).push({});
    }).toThrow(TypeError);
  });

  it('compiles to text the SOQL parser reads back into the same tree', () => {
    const q = selectFrom(Account)
      .select('Id', 'Owner.Name')
      .subquery('Contacts', (c) => c.select('LastName'))
      .where((eb) => eb.or([eb('Name', 'LIKE', like.startsWith("a'b")), eb('Industry', 'IN', ['Energy'])]))
      .orderBy('Name', 'DESC', 'NULLS LAST')
      .limit(3);
    const text = q.toSoql();
    const reparsed = parseSoql(text);
    expect(stripSpans(reparsed)).toEqual(stripSpans(q.node));
  });
});

describe('misuse the types cannot prevent throws SoqlBuildError before any request', () => {
  const base = selectFrom(Account).select('Id');
  const cases: [string, () => unknown, RegExp][] = [
    ['empty IN list', () => base.where('Industry', 'IN', []), /IN needs at least one value/],
    ['empty NOT IN list', () => base.where('Id', 'NOT IN', []), /NOT IN needs at least one value/],
    ['empty INCLUDES list', () => base.where('Tags__c', 'INCLUDES', []), /INCLUDES needs at least one value/],
    ['null in an IN list', () => base.where('Industry', 'IN', [null as never]), /null is not allowed in an IN list/],
    ['negative LIMIT', () => base.limit(-1), /LIMIT: must be a non-negative integer, got -1/],
    ['fractional LIMIT', () => base.limit(1.5), /LIMIT/],
    ['NaN LIMIT', () => base.limit(Number.NaN), /LIMIT/],
    ['non-integer OFFSET', () => base.offset(2.5), /OFFSET: must be an integer from 0 to 2000/],
    ['OFFSET over 2000', () => base.offset(2001), /OFFSET: must be an integer from 0 to 2000, got 2001/],
    ['negative OFFSET', () => base.offset(-1), /OFFSET/],
    ['empty SELECT list', () => selectFrom(Account).toSoql(), /select at least one field/],
    ['NaN value', () => base.where('AnnualRevenue', '=', Number.NaN), /Account.AnnualRevenue: NaN is not a finite number/],
    ['bad id', () => base.where('Id', '=', 'nope'), /Account.Id: "nope" is not a 15- or 18-character Salesforce id/],
    ['bad id in a list', () => base.where('Id', 'IN', [ID, 'x']), /Account.Id\[1\]/],
    ['non-integer for an int field', () => base.where('NumberOfEmployees', '=', 1.5), /not an integer/],
    ['null with <', () => base.where('Name', '<', null as never), /null can only be compared with = or !=/],
    ['unknown field at run time', () => base.select('Nope' as never), /Account.Nope: no such field on Account/],
    ['identifier injection', () => base.select('Parent.Id FROM User --' as never).toSoql(), /not a valid SOQL identifier/],
    ['unknown operator', () => base.where('Name', 'CONTAINS' as never, 'x' as never), /unknown operator "CONTAINS"/],
    ['ungrouped field in an aggregate query', () => selectFrom(Account).select('Name').aggregate('COUNT', 'Id').toSoql(), /Name is selected in an aggregate query but not grouped/],
    ['empty OR', () => base.where((eb) => eb.or([])), /OR of no conditions/],
    ['TYPEOF without WHEN', () => selectFrom(Task).select('Id').typeOf('What', {}), /needs at least one WHEN/],
    ['semi-join selecting two fields', () => base.where('Id', 'IN', selectFrom(Contact).select('AccountId', 'Id') as never), /must select exactly one field/],
  ];
  it.each(cases)('%s', (_name, run, message) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SoqlBuildError);
    expect((error as Error).message).toMatch(message);
  });
});

function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'span' || k === 'segmentSpans' || k === 'operatorSpan') continue;
      if (k === 'raw') continue;
      out[k] = stripSpans(v);
    }
    return out;
  }
  return value;
}
