import { describe, expect, it } from 'vitest';
import { executeQuery, SoqlError } from '../../../../runtime/simulation/query/index.js';
import { IDS, makeStore } from './fixture.js';

const NOW = Date.parse('2024-05-08T12:00:00Z'); // a Wednesday
const store = makeStore();
const run = (soql: string, includeDeleted = false) =>
  executeQuery(soql, store, { includeDeleted, apiVersion: '60.0', now: NOW });
const rows = (soql: string) => run(soql).records as Record<string, unknown>[];
const names = (soql: string) => rows(soql).map((r) => r.Name);

function failure(soql: string): SoqlError {
  try {
    run(soql);
  } catch (error) {
    if (error instanceof SoqlError) return error;
    throw error;
  }
  throw new Error(`expected ${soql} to fail`);
}

describe('executeQuery: record shape', () => {
  it('puts attributes on every record and uses the describe case for field names', () => {
    const [r] = rows(`SELECT name, INDUSTRY FROM account WHERE Name = 'Acme'`);
    expect(r).toEqual({
      attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${IDS.a1}` },
      Name: 'Acme',
      Industry: 'Energy',
    });
    expect(Object.keys(r ?? {})).toEqual(['attributes', 'Name', 'Industry']);
  });

  it('nests parent paths with their own attributes, merging paths through the same relationship', () => {
    const [r] = rows(`SELECT Name, Owner.Name, Owner.Email, Parent.Owner.Manager.Name FROM Account WHERE Name = 'globex'`);
    expect(r).toEqual({
      attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${IDS.a2}` },
      Name: 'globex',
      Owner: {
        attributes: { type: 'User', url: `/services/data/v60.0/sobjects/User/${IDS.u2}` },
        Name: 'Bob Builder',
        Email: 'bob@example.com',
      },
      Parent: {
        attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${IDS.a1}` },
        Owner: {
          attributes: { type: 'User', url: `/services/data/v60.0/sobjects/User/${IDS.u1}` },
          Manager: null,
        },
      },
    });
  });

  it('gives a null parent as null', () => {
    expect(rows(`SELECT Parent.Name FROM Account WHERE Name = 'Acme'`)[0]?.Parent).toBeNull();
  });

  it('carries the concrete type of polymorphic parents and Type through the Name object', () => {
    const r = rows(`SELECT Subject, Owner.Name, Owner.Type, What.Name FROM Task ORDER BY Subject`);
    expect(r.map((x) => (x.Owner as { attributes: { type: string } }).attributes.type)).toEqual(['User', 'Group', 'User', 'User']);
    // Name.Type is the sObject type; a queue (Group) shows its group type, as `Owner.Type = 'Queue'` filters rely on.
    expect(r.map((x) => (x.Owner as { Type: string }).Type)).toEqual(['User', 'Queue', 'User', 'User']);
    // Name.Name is the record's name field: CaseNumber for a Case.
    expect(r[3]?.What).toMatchObject({ attributes: { type: 'Case' }, Name: '00001234' });
    expect(r[1]?.What).toEqual({
      attributes: { type: 'Opportunity', url: `/services/data/v60.0/sobjects/Opportunity/${IDS.o1}` },
      Name: 'Big deal',
    });
    expect(r[2]?.What).toBeNull();
  });

  it('evaluates TYPEOF per concrete type with ELSE', () => {
    const r = rows(`SELECT TYPEOF What WHEN Account THEN Name, Industry WHEN Opportunity THEN Amount ELSE Name END FROM Task ORDER BY Subject`);
    expect(r[0]?.What).toMatchObject({ attributes: { type: 'Account' }, Name: 'Acme', Industry: 'Energy' });
    expect(r[1]?.What).toMatchObject({ attributes: { type: 'Opportunity' }, Amount: 1000 });
    expect(r[1]?.What).not.toHaveProperty('Name');
    expect(r[2]?.What).toBeNull();
  });

  it('reads every name in any case and answers with the API names, as the same query correctly cased', () => {
    const pairs: [string, string][] = [
      [
        `select name, owner.email, parent.owner.manager.name, (select lastname from contacts order by lastname) from account where name != null order by name`,
        `SELECT Name, Owner.Email, Parent.Owner.Manager.Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name != null ORDER BY Name`,
      ],
      [
        `select subject, owner.type, typeof what when account then name, industry when opportunity then amount else name end from TASK order by subject`,
        `SELECT Subject, Owner.Type, TYPEOF What WHEN Account THEN Name, Industry WHEN Opportunity THEN Amount ELSE Name END FROM Task ORDER BY Subject`,
      ],
      [`select tolabel(industry), format(annualrevenue) rev from account order by name`, `SELECT toLabel(Industry), FORMAT(AnnualRevenue) rev FROM Account ORDER BY Name`],
      [`select industry, count(id) from account group by industry order by industry`, `SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Industry`],
      [`select id from account where id in (select accountid from contact)`, `SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)`],
    ];
    for (const [lower, canonical] of pairs) {
      const expected = rows(canonical);
      expect(expected.length).toBeGreaterThan(0);
      const actual = rows(lower);
      expect(actual).toEqual(expected);
      // toEqual ignores key order; Salesforce keeps the SELECT order.
      actual.forEach((r, i) => expect(Object.keys(r)).toEqual(Object.keys(expected[i] ?? {})));
    }
    const [account] = rows(`select name, owner.email, (select lastname from contacts) from account where name = 'Acme'`);
    expect(Object.keys(account ?? {})).toEqual(['attributes', 'Name', 'Owner', 'Contacts']);
    expect(Object.keys(account?.Owner ?? {})).toEqual(['attributes', 'Email']);
  });

  it('returns child subqueries as envelopes, or null when empty', () => {
    const r = rows(`SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC) FROM Account ORDER BY Name LIMIT 2`);
    expect(r[0]?.Name).toBe('Acme');
    expect(r[0]?.Contacts).toEqual({
      totalSize: 2,
      done: true,
      records: [
        { attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${IDS.c2}` }, LastName: 'Roe' },
        { attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${IDS.c1}` }, LastName: 'Doe' },
      ],
    });
    expect(r[1]?.Name).toBe('globex');
    expect(r[1]?.Contacts).toBeNull();
  });

  it('filters, orders and limits child subqueries', () => {
    const r = rows(`SELECT Name, (SELECT Name, Amount FROM Opportunities WHERE Amount > 100 ORDER BY Amount LIMIT 1) FROM Account WHERE Name = 'Acme'`);
    expect((r[0]?.Opportunities as { records: unknown[] }).records).toEqual([
      { attributes: { type: 'Opportunity', url: `/services/data/v60.0/sobjects/Opportunity/${IDS.o1}` }, Name: 'Big deal', Amount: 1000 },
    ]);
  });

  it('supports a FROM alias', () => {
    expect(rows(`SELECT a.Name FROM Account a WHERE a.Industry = 'Banking'`).map((r) => r.Name)).toEqual(['globex']);
  });
});

describe('executeQuery: WHERE', () => {
  const cases: [string, string, unknown[]][] = [
    ['text = is case-insensitive', `Name = 'ACME'`, ['Acme']],
    ['!= includes nulls', `Industry != 'Energy'`, ['globex', 'Initech 50%']],
    ['= null', `Industry = null`, ['Initech 50%']],
    ['!= null', `NumberOfEmployees != null`, ['Acme', 'globex', 'Umbrella']],
    ['number <', `NumberOfEmployees < 100`, ['globex']],
    ['number >=', `NumberOfEmployees >= 100`, ['Acme', 'Umbrella']],
    ['currency literal', `AnnualRevenue > USD50`, ['Acme', 'Umbrella']],
    ['boolean', `IsActive__c = true`, ['Acme', 'Initech 50%']],
    ['LIKE with %', `Name LIKE 'a%'`, ['Acme']],
    ['LIKE with _', `Name LIKE '_lobex'`, ['globex']],
    ['LIKE with escaped %', `Name LIKE '%50\\%'`, ['Initech 50%']],
    ['LIKE does not match literal % elsewhere', `Name LIKE '%5\\%'`, []],
    ['IN list', `Industry IN ('Banking', 'energy')`, ['Acme', 'globex', 'Umbrella']],
    ['NOT IN list keeps nulls', `Industry NOT IN ('Energy')`, ['globex', 'Initech 50%']],
    ['IN with null', `Industry IN (null, 'Banking')`, ['globex', 'Initech 50%']],
    ['INCLUDES any', `Regions__c INCLUDES ('AMER', 'xx')`, ['globex']],
    ['INCLUDES with ; means all of', `Regions__c INCLUDES ('apac;emea')`, ['Acme']],
    ['EXCLUDES', `Regions__c EXCLUDES ('APAC')`, ['globex', 'Initech 50%']],
    ['multipicklist = is order-insensitive', `Regions__c = 'APAC;EMEA'`, ['Acme']],
    ['date compare', `Founded__c < 2000-01-01`, ['Acme', 'Umbrella']],
    ['datetime compare as instants', `CreatedDate > 2024-05-06T10:15:26+01:00`, ['Acme', 'globex', 'Umbrella']],
    ['datetime -0800 offset', `CreatedDate < 2024-05-06T01:15:28-0800`, ['Acme', 'Initech 50%']],
    ['LAST_N_DAYS:n includes today', `CreatedDate = LAST_N_DAYS:1`, ['globex']],
    ['LAST_N_DAYS:2 reaches the day before yesterday', `CreatedDate = LAST_N_DAYS:2`, ['Acme', 'globex']],
    ['TODAY on a date field', `Founded__c = TODAY`, []],
    ['date literal THIS_YEAR', `CreatedDate = THIS_YEAR`, ['Acme', 'globex']],
    ['date literal > LAST_YEAR', `CreatedDate > LAST_YEAR`, ['Acme', 'globex', 'Umbrella']],
    ['date literal < THIS_YEAR', `CreatedDate < THIS_YEAR`, ['Initech 50%']],
    ['N_YEARS_AGO on a date field', `Founded__c = N_YEARS_AGO:14`, ['globex']],
    ['parent path filter', `Owner.Name = 'Bob Builder'`, ['globex', 'Initech 50%']],
    ['two-level parent path', `Parent.Owner.Name LIKE 'Ada%'`, ['globex', 'Initech 50%']],
    ['AND', `Industry = 'Energy' AND NumberOfEmployees > 1000`, ['Umbrella']],
    ['OR', `Industry = 'Banking' OR NumberOfEmployees > 1000`, ['globex', 'Umbrella']],
    ['NOT', `NOT Industry = 'Energy'`, ['globex', 'Initech 50%']],
    ['nested groups', `(Industry = 'Energy' OR Industry = null) AND NOT (Name LIKE 'U%')`, ['Acme', 'Initech 50%']],
    ['semi-join', `Id IN (SELECT AccountId FROM Contact)`, ['Acme']],
    ['anti-join', `Id NOT IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Won')`, ['globex', 'Initech 50%', 'Umbrella']],
    ['15-char id literal', `Id = '${IDS.a2.slice(0, 15)}'`, ['globex']],
    ['reference = id', `OwnerId = '${IDS.u1}'`, ['Acme', 'Umbrella']],
    ['date function', `CALENDAR_YEAR(CreatedDate) = 2024`, ['Acme', 'globex']],
    ['DISTANCE', `DISTANCE(Location__c, GEOLOCATION(48.85, 2.35), 'km') < 10`, ['Acme']],
  ];
  it.each(cases)('%s', (_label, where, expected) => {
    expect(names(`SELECT Name FROM Account WHERE ${where} ORDER BY Name`)).toEqual(expected);
  });
});

describe('executeQuery: ORDER BY, LIMIT, OFFSET, COUNT()', () => {
  it('orders ASC with nulls first by default, DESC with nulls last', () => {
    expect(names(`SELECT Name FROM Account ORDER BY NumberOfEmployees`)).toEqual(['Initech 50%', 'globex', 'Acme', 'Umbrella']);
    expect(names(`SELECT Name FROM Account ORDER BY NumberOfEmployees DESC`)).toEqual(['Umbrella', 'Acme', 'globex', 'Initech 50%']);
    expect(names(`SELECT Name FROM Account ORDER BY NumberOfEmployees ASC NULLS LAST`)).toEqual(['globex', 'Acme', 'Umbrella', 'Initech 50%']);
    expect(names(`SELECT Name FROM Account ORDER BY NumberOfEmployees DESC NULLS FIRST`)).toEqual(['Initech 50%', 'Umbrella', 'Acme', 'globex']);
  });

  it('orders by several keys, text case-insensitively, and by parent paths', () => {
    expect(names(`SELECT Name FROM Account ORDER BY Name DESC`)).toEqual(['Umbrella', 'Initech 50%', 'globex', 'Acme']);
    expect(names(`SELECT Name FROM Account ORDER BY Owner.Name DESC, Name DESC`)).toEqual(['Initech 50%', 'globex', 'Umbrella', 'Acme']);
  });

  it('sorts picklists by the order of their values in the describe', () => {
    // Industry's values are Energy, Banking (in that order): Energy sorts before Banking.
    expect(names(`SELECT Name FROM Account WHERE Industry != null ORDER BY Industry, Name`)).toEqual(['Acme', 'Umbrella', 'globex']);
  });

  it('applies OFFSET then LIMIT', () => {
    expect(names(`SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1`)).toEqual(['globex', 'Initech 50%']);
  });

  it('COUNT() returns totalSize with no records', () => {
    expect(run(`SELECT COUNT() FROM Account WHERE Industry = 'Energy'`)).toEqual({ totalSize: 2, records: [] });
    expect(run(`SELECT COUNT() FROM Contact`)).toEqual({ totalSize: 3, records: [] });
  });

  it('includes deleted records only for queryAll', () => {
    const deletedStore = makeStore({ Account: [{ Id: '001000000000099AAA', Name: 'Gone', IsDeleted: true }] });
    const q = `SELECT Name FROM Account WHERE Name = 'Gone'`;
    expect(executeQuery(q, deletedStore, { includeDeleted: false, apiVersion: '60.0' }).totalSize).toBe(0);
    expect(executeQuery(q, deletedStore, { includeDeleted: true, apiVersion: '60.0' }).totalSize).toBe(1);
  });
});

describe('executeQuery: aggregates', () => {
  it('groups with exprN names and aliases', () => {
    expect(rows(`SELECT Industry, COUNT(Id), SUM(AnnualRevenue) total, MAX(Founded__c) FROM Account GROUP BY Industry ORDER BY Industry NULLS LAST`)).toEqual([
      { attributes: { type: 'AggregateResult' }, Industry: 'Energy', expr0: 2, total: 5099.5, expr1: '1999-01-31' },
      { attributes: { type: 'AggregateResult' }, Industry: 'Banking', expr0: 1, total: null, expr1: '2010-06-15' },
      { attributes: { type: 'AggregateResult' }, Industry: null, expr0: 1, total: 10, expr1: null },
    ]);
  });

  it('aggregates without GROUP BY give one row, even over no rows', () => {
    expect(rows(`SELECT COUNT(Id), AVG(NumberOfEmployees), MIN(Name) FROM Account`)).toEqual([
      { attributes: { type: 'AggregateResult' }, expr0: 4, expr1: (100 + 20 + 5000) / 3, expr2: 'Acme' },
    ]);
    expect(rows(`SELECT COUNT(Id) c FROM Account WHERE Name = 'nobody'`)).toEqual([{ attributes: { type: 'AggregateResult' }, c: 0 }]);
  });

  it('filters groups with HAVING and orders by an aggregate', () => {
    expect(rows(`SELECT StageName, SUM(Amount) FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1`)).toEqual([
      { attributes: { type: 'AggregateResult' }, StageName: 'Won', expr0: 1010.25 },
    ]);
    expect(rows(`SELECT Account.Name, COUNT(Id) n FROM Opportunity GROUP BY Account.Name ORDER BY COUNT(Id) ASC`).map((r) => [r.Name, r.n])).toEqual([
      ['globex', 1],
      ['Acme', 2],
    ]);
  });

  it('groups by a date function and counts distinct values', () => {
    expect(rows(`SELECT CALENDAR_YEAR(CloseDate) y, COUNT_DISTINCT(AccountId) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate) ORDER BY CALENDAR_YEAR(CloseDate)`)).toEqual([
      { attributes: { type: 'AggregateResult' }, y: 2023, expr0: 1 },
      { attributes: { type: 'AggregateResult' }, y: 2024, expr0: 1 },
    ]);
  });

  it('adds subtotal rows for ROLLUP with GROUPING()', () => {
    const r = rows(`SELECT StageName, COUNT(Id) n, GROUPING(StageName) g FROM Opportunity GROUP BY ROLLUP(StageName)`);
    expect(r.map((x) => [x.StageName, x.n, x.g])).toEqual([
      ['Won', 2, 0],
      ['Lost', 1, 0],
      [null, 3, 1],
    ]);
  });

  it('adds every combination for CUBE', () => {
    const r = rows(`SELECT StageName, AccountId, COUNT(Id) n FROM Opportunity GROUP BY CUBE(StageName, AccountId)`);
    // 2 detail groups (Won/a1, Lost/a2) + 2 StageName subtotals + 2 AccountId subtotals + grand total
    expect(r).toHaveLength(7);
    expect(r.at(-1)).toMatchObject({ StageName: null, AccountId: null, n: 3 });
  });

  it('supports toLabel and FORMAT in the SELECT list', () => {
    const [r] = rows(`SELECT toLabel(Industry), FORMAT(AnnualRevenue), FORMAT(Founded__c) FROM Account WHERE Name = 'Acme'`);
    expect(r).toMatchObject({ Industry: 'Energy (label)', AnnualRevenue: '$5,000.50', Founded__c: '1/31/1999' });
  });
});

describe('executeQuery: errors', () => {
  const cases: [string, string, string][] = [
    [`SELECT Id FROM Foo`, 'INVALID_TYPE', "sObject type 'Foo' is not supported."],
    [`SELECT Nme FROM Account`, 'INVALID_FIELD', "No such column 'Nme' on entity 'Account'."],
    [`SELECT Owner.Nme FROM Account`, 'INVALID_FIELD', "No such column 'Nme' on entity 'User'."],
    [`SELECT Ownr.Name FROM Account`, 'INVALID_FIELD', "Didn't understand relationship 'Ownr' in field path."],
    [`SELECT (SELECT Id FROM Kontacts) FROM Account`, 'INVALID_TYPE', "Didn't understand relationship 'Kontacts' in FROM part of query call."],
    [`SELECT Id FORM Account`, 'MALFORMED_QUERY', "expected ',' or FROM, found 'FORM'"],
    [`SELECT Id FROM Account WHERE Description = 'x'`, 'INVALID_FIELD', "field 'Description' can not be filtered in a query call"],
    [`SELECT Id FROM Account ORDER BY Description`, 'INVALID_FIELD', "field 'Description' can not be sorted in a query call"],
    [`SELECT AnnualRevenue FROM Account GROUP BY AnnualRevenue`, 'INVALID_FIELD', "field 'AnnualRevenue' can not be grouped in a query call"],
    [`SELECT Id FROM Account WHERE NumberOfEmployees = '5'`, 'INVALID_FIELD', "value of filter criterion for field 'NumberOfEmployees' must be of type int and should not be enclosed in quotes"],
    [`SELECT Id FROM Account WHERE Name = 5`, 'INVALID_FIELD', "must be of type string and should be enclosed in quotes"],
    [`SELECT Id FROM Account WHERE CreatedDate > 2024-01-01`, 'INVALID_FIELD', 'must be of type dateTime'],
    [`SELECT Id FROM Account WHERE Regions__c = 'A' AND Name INCLUDES ('x')`, 'INVALID_QUERY_FILTER_OPERATOR', 'includes or excludes operator only valid on multipicklist field'],
    [`SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'`, 'INVALID_QUERY_FILTER_OPERATOR', 'LIKE'],
    [`SELECT Id FROM Account WHERE Regions__c LIKE 'A%'`, 'INVALID_QUERY_FILTER_OPERATOR', 'multipicklist'],
    [`SELECT Id FROM Account WHERE Id = 'nope'`, 'INVALID_QUERY_FILTER_OPERATOR', 'invalid ID field: nope'],
    [`SELECT Name, COUNT(Id) FROM Account GROUP BY Industry`, 'MALFORMED_QUERY', 'Field must be grouped or aggregated: Name'],
    [`SELECT Id FROM Account WHERE COUNT(Id) > 1`, 'MALFORMED_QUERY', 'not allowed in WHERE'],
    [`SELECT Id FROM Account ORDER BY COUNT(Id)`, 'MALFORMED_QUERY', 'needs an aggregate query'],
    [`SELECT TYPEOF Owner WHEN User THEN Name END FROM Account`, 'MALFORMED_QUERY', 'not polymorphic'],
    [`SELECT Id FROM Account LIMIT 10 OFFSET 2001`, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000'],
    [`SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)`, 'MALFORMED_QUERY', "Semi join sub-selects are not allowed with the 'OR' operator"],
  ];
  it.each(cases)('%s -> %s', (soql, code, text) => {
    const e = failure(soql);
    expect(e.errorCode).toBe(code);
    expect(e.detail).toContain(text);
  });

  it('shapes the message like Salesforce: query line, caret, row and column', () => {
    const e = failure('SELECT Id, Nme FROM Account');
    expect(e.message).toBe(
      "\nSELECT Id, Nme FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nme' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });
});

describe('executeQuery: polymorphic relationships resolve through the Name object', () => {
  it('rejects a field outside the Name object without TYPEOF, and allows it with TYPEOF', () => {
    const e = failure('SELECT What.Industry FROM Task');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.detail).toContain("No such column 'Industry' on entity 'Name'");
    expect(rows('SELECT TYPEOF What WHEN Account THEN Industry END FROM Task ORDER BY Subject')[0]?.What).toMatchObject({ Industry: 'Energy' });
  });

  it('serves Name fields the concrete object lacks as null', () => {
    const r = rows('SELECT Owner.Email FROM Task ORDER BY Subject');
    expect(r.map((x) => (x.Owner as { Email: unknown }).Email)).toEqual(['ada@example.com', null, 'bob@example.com', 'ada@example.com']);
  });
});

describe('executeQuery: aliases outside aggregate queries', () => {
  it('puts an aliased function value under its alias and rejects an aliased plain field', () => {
    expect(rows(`SELECT Name, FORMAT(AnnualRevenue) rev, toLabel(Industry) ind FROM Account WHERE Name = 'Acme'`)[0]).toMatchObject({ Name: 'Acme', rev: '$5,000.50', ind: 'Energy (label)' });
    const e = failure('SELECT Name n FROM Account');
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.detail).toContain('Only aggregate expressions use field aliasing');
  });
});

describe('executeQuery: FIELDS()', () => {
  it('expands FIELDS(STANDARD) and FIELDS(CUSTOM) in describe order, and requires a LIMIT for CUSTOM/ALL', () => {
    const [std] = rows(`SELECT FIELDS(STANDARD) FROM Group WHERE Name = 'Support Queue'`);
    expect(Object.keys(std ?? {})).toEqual(['attributes', 'Id', 'Name', 'Type']);
    const [custom] = rows(`SELECT Id, FIELDS(CUSTOM) FROM Account WHERE Name = 'Acme' LIMIT 1`);
    expect(Object.keys(custom ?? {})).toEqual(['attributes', 'Id', 'IsActive__c', 'Regions__c', 'Founded__c', 'Location__c']);
    const e = failure('SELECT FIELDS(ALL) FROM Account');
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.detail).toContain('FIELDS function must have a LIMIT of at most 200');
  });
});

describe('executeQuery: nested child subqueries (API 58.0+)', () => {
  it('nests parent-to-child subqueries with their own envelopes', () => {
    const r = rows(`SELECT Name, (SELECT LastName, (SELECT Subject FROM Tasks) FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Acme'`);
    const contacts = (r[0]?.Contacts as { records: Record<string, unknown>[] }).records;
    expect(contacts.map((c) => c.LastName)).toEqual(['Doe', 'Roe']);
    expect(contacts[0]?.Tasks).toEqual({
      totalSize: 1,
      done: true,
      records: [{ attributes: { type: 'Task', url: `/services/data/v60.0/sobjects/Task/${IDS.t1}` }, Subject: 'Call' }],
    });
    expect((contacts[1]?.Tasks as { records: { Subject: string }[] }).records.map((t) => t.Subject)).toEqual(['Meet']);
  });
});
