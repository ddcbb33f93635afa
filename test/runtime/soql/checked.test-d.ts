/**
 * Type tests of checked `soql()` strings over the fixture schema: the row type comes from the
 * text; unknown names are compile errors naming them.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { RowOf } from 'sfgen/runtime';
import { soqlIn } from '../../../runtime/soql/checked.js';
import type { BindsFor, CheckSoql, SoqlRow } from '../../../runtime/soql/checked.js';
import type { AggregateAttributes, RowAttributes, SubqueryResult } from '../../../runtime/soql/types.js';
import { dateLiteral, like, soqlDate } from '../../../runtime/soql/values.js';
import type { LikePattern, SoqlDate, SoqlDateLiteral } from '../../../runtime/soql/values.js';
import type { FixtureRegistry } from './fixtures/registry.js';
import type { AccountIndustry } from './fixtures/types/Account.js';
import type { OpportunityStageName } from './fixtures/types/Opportunity.js';

const soql = soqlIn<FixtureRegistry>();
/** The compile error message of query text `T` (the text itself when it type-checks). */
type Check<T extends string> = CheckSoql<T, FixtureRegistry>;
/** The binds object `soql()` requires for `T`. */
type Binds<T extends string> = BindsFor<T, FixtureRegistry> extends [infer B] ? B : 'no binds';

describe('row types from the text', () => {
  it('types fields, parents, subqueries; keywords are case-insensitive; whitespace is free', () => {
    const q = soql(`
      select Id, Name, Owner.Name, Parent.Industry,
             (SELECT LastName, Account.Name FROM Contacts WHERE Email != null ORDER BY LastName)
      from Account
      WHERE Name LIKE :pattern`, { pattern: like.startsWith('A') });
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Name: string | null;
      Owner: { attributes: RowAttributes<'User'>; Name: string | null };
      Parent: { attributes: RowAttributes<'Account'>; Industry: AccountIndustry | null } | null;
      Contacts: SubqueryResult<{
        attributes: RowAttributes<'Contact'>;
        LastName: string | null;
        Account: { attributes: RowAttributes<'Account'>; Name: string | null } | null;
      }> | null;
    }>();
  });

  it('types polymorphic parents and TYPEOF', () => {
    const q = soql('SELECT Id, What.Name, TYPEOF Who WHEN Contact THEN Email, Account.Name ELSE Name END FROM Task');
    type Row = RowOf<typeof q>;
    expectTypeOf<Row['What']>().toEqualTypeOf<
      | { attributes: RowAttributes<'Account'>; Name: string | null }
      | { attributes: RowAttributes<'Opportunity'>; Name: string | null }
      | null
    >();
    expectTypeOf<Row['Who']>().toEqualTypeOf<
      | { attributes: RowAttributes<'Contact'>; Email: string | null; Account: { attributes: RowAttributes<'Account'>; Name: string | null } | null }
      | { attributes: RowAttributes<'Lead'>; Name: string | null }
      | null
    >();
  });

  it('types aggregates with aliases and expr0 defaults, FORMAT and toLabel', () => {
    const q = soql('SELECT Industry, COUNT(Id), SUM(AnnualRevenue) total, MAX(CreatedDate) FROM Account GROUP BY Industry');
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<{
      attributes: AggregateAttributes;
      Industry: AccountIndustry | null;
      expr0: number;
      total: number | null;
      expr1: string | null;
    }>();
    const f = soql('SELECT Id, toLabel(Industry), FORMAT(AnnualRevenue) rev FROM Account');
    expectTypeOf<RowOf<typeof f>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Industry: string | null;
      rev: string | null;
    }>();
  });

  it('matches the builder for the same query', () => {
    type Text = SoqlRow<'SELECT Id, Owner.Name FROM Account', FixtureRegistry>;
    expectTypeOf<Text>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Owner: { attributes: RowAttributes<'User'>; Name: string | null };
    }>();
  });
});

describe('names in any case resolve to the API name', () => {
  it('types lower- and mixed-case fields, paths, subquery relationships and FROM objects with canonical keys', () => {
    const q = soql(`
      select id, NAME, owner.name, PARENT.industry,
             (select lastname, account.Name from contacts where email != null order by LASTNAME)
      from account
      where name like :pattern and annualrevenue > :min
      order by Name, owner.NAME desc`, { pattern: like.startsWith('A'), min: 5 });
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Name: string | null;
      Owner: { attributes: RowAttributes<'User'>; Name: string | null };
      Parent: { attributes: RowAttributes<'Account'>; Industry: AccountIndustry | null } | null;
      Contacts: SubqueryResult<{
        attributes: RowAttributes<'Contact'>;
        LastName: string | null;
        Account: { attributes: RowAttributes<'Account'>; Name: string | null } | null;
      }> | null;
    }>();
    expectTypeOf<SoqlRow<'SELECT id, name FROM account', FixtureRegistry>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Name: string | null;
    }>();
    // The same row as the correctly-cased query.
    expectTypeOf<SoqlRow<'select ID, owner.NAME from ACCOUNT', FixtureRegistry>>().toEqualTypeOf<
      SoqlRow<'SELECT Id, Owner.Name FROM Account', FixtureRegistry>
    >();
  });

  it('resolves TYPEOF relationships, WHEN types and their fields, polymorphic Name fields and semi-joins', () => {
    const q = soql('SELECT id, what.name, typeof who when contact then email, account.name else name end FROM task WHERE id IN (select whoid from TASK)');
    type Row = RowOf<typeof q>;
    expectTypeOf<Row['What']>().toEqualTypeOf<
      | { attributes: RowAttributes<'Account'>; Name: string | null }
      | { attributes: RowAttributes<'Opportunity'>; Name: string | null }
      | null
    >();
    expectTypeOf<Row['Who']>().toEqualTypeOf<
      | { attributes: RowAttributes<'Contact'>; Email: string | null; Account: { attributes: RowAttributes<'Account'>; Name: string | null } | null }
      | { attributes: RowAttributes<'Lead'>; Name: string | null }
      | null
    >();
    expectTypeOf<keyof Row>().toEqualTypeOf<'attributes' | 'Id' | 'What' | 'Who'>();
  });

  it('keys aggregate and function rows by the API name', () => {
    expectTypeOf<SoqlRow<'SELECT industry, count(id), sum(annualrevenue) total FROM account GROUP BY industry HAVING max(annualrevenue) > 1', FixtureRegistry>>().toEqualTypeOf<{
      attributes: AggregateAttributes;
      Industry: AccountIndustry | null;
      expr0: number;
      total: number | null;
    }>();
    expectTypeOf<SoqlRow<'SELECT id, tolabel(industry), format(annualrevenue) rev FROM account', FixtureRegistry>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Industry: string | null;
      rev: string | null;
    }>();
    // An alias is kept as written; an unaliased FORMAT is keyed by the field's API name.
    expectTypeOf<SoqlRow<'SELECT format(annualrevenue), tolabel(industry) industry FROM account', FixtureRegistry>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      AnnualRevenue: string | null;
      industry: string | null;
    }>();
  });

  it('checks operators, literals and binds as for the canonical field', () => {
    expectTypeOf<Binds<'select id from opportunity where stagename in :stages and amount > :min and closedate < :d and ACCOUNT.name = :n'>>().toEqualTypeOf<{
      readonly stages: readonly OpportunityStageName[];
      readonly min: number;
      readonly d: SoqlDate | SoqlDateLiteral;
      readonly n: string | null;
    }>();
    expectTypeOf<Check<"select id from account acc where ACC.name = 'x' order by Acc.owner.name">>().toEqualTypeOf<
      "select id from account acc where ACC.name = 'x' order by Acc.owner.name"
    >();
    expectTypeOf<Check<"select id from account acc where ACC.nmae = 'x'">>().toEqualTypeOf<"'nmae' is not a field of Account">();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE annualrevenue LIKE '1%'">>().toEqualTypeOf<
      'LIKE does not apply to AnnualRevenue (a currency field)'
    >();
    expectTypeOf<Check<"SELECT Id FROM account WHERE annualRevenue = '100'">>().toEqualTypeOf<
      'AnnualRevenue (a currency field) cannot be compared with a quoted string'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE calendar_year(name) = 2020'>>().toEqualTypeOf<
      'calendar_year() needs a date or datetime field, not Name (string)'
    >();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE calendar_year(createddate) = 2020 AND parent.isdeleted >= false">>().toEqualTypeOf<
      '>= does not apply to Parent.IsDeleted (a boolean field)'
    >();
    soql('select id from opportunity where stagename in :stages', { stages: ['Prospecting'] });
    // @ts-expect-error not a value of the StageName picklist (field written in lower case)
    soql('select id from opportunity where stagename in :stages', { stages: ['Nope'] });
    // @ts-expect-error a string for a currency field (field written in lower case)
    soql('SELECT Id FROM Opportunity WHERE amount > :min', { min: '1000' });
  });

  it('still names a misspelt name as written, in any case', () => {
    // @ts-expect-error 'nmae' is not a field of Account
    soql('select id, nmae from account');
    expectTypeOf<Check<'select id, nmae from account'>>().toEqualTypeOf<"'nmae' is not a field of Account">();
    expectTypeOf<Check<'select ownr.name from account'>>().toEqualTypeOf<"'ownr' is not a parent relationship of Account">();
    expectTypeOf<Check<'select owner.nme from account'>>().toEqualTypeOf<"'nme' is not a field of User">();
    expectTypeOf<Check<'select id from acount'>>().toEqualTypeOf<"'acount' is not a loaded sObject (misspelt, or its generated module is not imported)">();
    expectTypeOf<Check<'select id, (select id from contactz) from account'>>().toEqualTypeOf<"'contactz' is not a child relationship of Account">();
    expectTypeOf<Check<'select id, (select nope from contacts) from account'>>().toEqualTypeOf<"'nope' is not a field of Contact">();
    expectTypeOf<Check<'select id, (select id from signals) from lead'>>().toEqualTypeOf<
      'LeadSignal is not queryable (describe: queryable false; platform and change events are read with Pub/Sub)'
    >();
    expectTypeOf<Check<'select id from account where nmae = null order by industri'>>().toEqualTypeOf<
      "'nmae' is not a field of Account" | "'industri' is not a field of Account"
    >();
    expectTypeOf<Check<'select id from account where id in (select accountid from contct)'>>().toEqualTypeOf<
      "'contct' is not a loaded sObject (in the subquery of Id)"
    >();
    expectTypeOf<Check<'select typeof what when contact then name end from task'>>().toEqualTypeOf<"'contact' is not a target of Task.What">();
    expectTypeOf<Check<'select typeof who when contact then emal end from task'>>().toEqualTypeOf<"'emal' is not a field of Contact">();
    expectTypeOf<Check<'select what.industry from task'>>().toEqualTypeOf<
      "'industry' is not available through polymorphic Task.What without TYPEOF (only Name fields: Id, Name, Type, Email, ...)"
    >();
  });
});

describe('what must not compile', () => {
  it('names unknown fields, relationships, objects', () => {
    // @ts-expect-error 'Nmae' is not a field of Account
    soql('SELECT Id, Nmae FROM Account');
    // @ts-expect-error 'Ownr' is not a parent relationship of Account
    soql('SELECT Ownr.Name FROM Account');
    // @ts-expect-error 'Acount' is not a loaded sObject
    soql('SELECT Id FROM Acount');
    // @ts-expect-error 'Contactz' is not a child relationship of Account
    soql('SELECT Id, (SELECT Id FROM Contactz) FROM Account');
    // @ts-expect-error 'Nope' is not a field of Contact (in a subquery)
    soql('SELECT Id, (SELECT Nope FROM Contacts) FROM Account');
    // @ts-expect-error 'Profile' is not loaded: import its generated module
    soql('SELECT Profile.Name FROM User');
    // @ts-expect-error deeper than 5 relationships
    soql('SELECT Parent.Parent.Parent.Parent.Parent.Parent.Name FROM Account');
    // @ts-expect-error 'Contact' is not a target of Task.What
    soql('SELECT TYPEOF What WHEN Contact THEN Name END FROM Task');
  });

  it('rejects malformed SELECT lists', () => {
    // @ts-expect-error expected SELECT at the start
    soql('SELEC Id FROM Account');
    // @ts-expect-error expected a field, found FROM
    soql('SELECT FROM Account');
    // @ts-expect-error expected ',' or FROM
    soql('SELECT Id Name FROM Account');
    // @ts-expect-error unsupported function
    soql('SELECT FOO(Id) FROM Account');
  });

  it('requires exactly the binds the text names', () => {
    soql('SELECT Id FROM Account WHERE Name = :name AND Industry IN :inds', { name: 'x', inds: ['Energy'] });
    // @ts-expect-error the binds argument is missing
    soql('SELECT Id FROM Account WHERE Name = :name');
    // @ts-expect-error bind :name is missing
    soql('SELECT Id FROM Account WHERE Name = :name', { nam: 'x' });
    // @ts-expect-error no binds in the text
    soql('SELECT Id FROM Account', { name: 'x' });
    // @ts-expect-error an object is not a bind value
    soql('SELECT Id FROM Account WHERE Name = :name', { name: { x: 1 } });
  });
});

describe('clauses after FROM: field names', () => {
  it('accepts valid WHERE, ORDER BY, GROUP BY and HAVING over paths, functions and subqueries', () => {
    soql(`SELECT Id, Name FROM Account
          WHERE (Name = 'a, b (FROM c)' OR Name LIKE 'x%') AND NOT Industry IN ('Energy', 'Banking')
            AND Owner.Email != null AND Parent.Owner.Name LIKE :p AND CALENDAR_YEAR(CreatedDate) = 2024
            AND CreatedDate > LAST_N_DAYS:30 AND CreatedDate < 2024-01-01T00:00:00Z AND NumberOfEmployees>=5
            AND Tags__c INCLUDES ('a;b', 'c') AND Id IN (SELECT AccountId FROM Contact WHERE Email != null)
          WITH SECURITY_ENFORCED
          ORDER BY Name ASC NULLS FIRST, Owner.Name DESC
          LIMIT 10 OFFSET 5 FOR VIEW`, { p: like.contains('x') });
    soql('SELECT Industry, COUNT(Id) FROM Account GROUP BY ROLLUP(Industry) HAVING COUNT(Id) > 1 AND MAX(AnnualRevenue) < 5 ORDER BY COUNT(Id) DESC');
    const byYear = soql('SELECT CALENDAR_YEAR(CreatedDate) y, COUNT(Id), DAY_ONLY(CreatedDate) FROM Account GROUP BY CALENDAR_YEAR(CreatedDate), DAY_ONLY(CreatedDate)');
    expectTypeOf<RowOf<typeof byYear>>().toEqualTypeOf<{ attributes: AggregateAttributes; y: number | null; expr0: number; expr1: string | null }>();
    soql("SELECT Id FROM Account a WHERE a.Name = 'x' ORDER BY a.Name");
    soql('SELECT Id, (SELECT LastName FROM Contacts WHERE Email LIKE :d ORDER BY LastName LIMIT 3) FROM Account', { d: '%@x.org' });
    soql(`SELECT Id, (SELECT LastName FROM Contacts WHERE LastName IN ('a, b', 'c)') AND Id NOT IN (SELECT WhoId FROM Task WHERE Status = 'Completed')),
                 (SELECT Amount FROM Opportunities WHERE CALENDAR_YEAR(CloseDate) = 2024)
            FROM Account
           WHERE Id IN (SELECT AccountId FROM Opportunity WHERE Amount > :min AND AccountId IN (SELECT AccountId FROM Contact))`, { min: 5 });
    // Text inside string literals is data: no bind, no clause, no field.
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name = 'x :y ORDER BY Nope' AND Description = 'it\\'s, (odd)'">>().toEqualTypeOf<
      "SELECT Id FROM Account WHERE Name = 'x :y ORDER BY Nope' AND Description = 'it\\'s, (odd)'"
    >();
  });

  it('names an unknown field or relationship in every clause', () => {
    // @ts-expect-error 'Nmae' is not a field of Account (WHERE)
    soql('SELECT Id FROM Account WHERE Nmae = :n', { n: 'x' });
    // @ts-expect-error 'Ownr' is not a parent relationship of Account (WHERE)
    soql("SELECT Id FROM Account WHERE Ownr.Name = 'x'");
    // @ts-expect-error 'Nmae' is not a field of Account (ORDER BY)
    soql('SELECT Id FROM Account ORDER BY Nmae');
    // @ts-expect-error 'Industri' is not a field of Account (GROUP BY)
    soql('SELECT COUNT(Id) FROM Account GROUP BY Industri');
    // @ts-expect-error 'AnnualRevenu' is not a field of Account (HAVING)
    soql('SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry HAVING SUM(AnnualRevenu) > 1');
    // @ts-expect-error 'Emal' is not a field of Contact (a child subquery's WHERE)
    soql('SELECT Id, (SELECT Id FROM Contacts WHERE Emal != null) FROM Account');
    // @ts-expect-error 'LastNme' is not a field of Contact (a semi-join's WHERE)
    soql("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastNme = 'x')");
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Nmae = null'>>().toEqualTypeOf<"'Nmae' is not a field of Account">();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Owner.Nme = 'x' ORDER BY Nmae DESC NULLS LAST">>().toEqualTypeOf<
      "'Nme' is not a field of User" | "'Nmae' is not a field of Account"
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Ownr.Name = null'>>().toEqualTypeOf<"'Ownr' is not a parent relationship of Account">();
    expectTypeOf<Check<'SELECT Id FROM User WHERE Profile.Name = null'>>().toEqualTypeOf<"'Profile' is not loaded: import its generated module">();
    expectTypeOf<Check<"SELECT Id, (SELECT Id FROM Contacts WHERE Id NOT IN (SELECT WhoId FROM Task WHERE Stats = 'Open')) FROM Account">>().toEqualTypeOf<
      "'Stats' is not a field of Task"
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contct)'>>().toEqualTypeOf<
      "'Contct' is not a loaded sObject (in the subquery of Id)"
    >();
    expectTypeOf<Check<'SELECT Id FROM Task WHERE What.Industry = null'>>().toEqualTypeOf<
      "'Industry' is not available through polymorphic Task.What without TYPEOF (only Name fields: Id, Name, Type, Email, ...)"
    >();
  });

  it('checks the shape of a semi-join', () => {
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Id IN (SELECT Email FROM Contact)'>>().toEqualTypeOf<
      'the subquery of Id must select an id or reference field, not Email'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Id IN (SELECT Id, AccountId FROM Contact)'>>().toEqualTypeOf<
      'the subquery of Id must select exactly one field'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Name IN (SELECT Name FROM Contact)'>>().toEqualTypeOf<
      | 'Name (a string field) cannot be matched against a subquery: use an id or reference field'
      | 'the subquery of Name must select an id or reference field, not Name'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Id = (SELECT AccountId FROM Contact)'>>().toEqualTypeOf<
      'a subquery needs IN or NOT IN, not ='
    >();
  });
});

describe('clauses after FROM: operators and literals by field type', () => {
  it('rejects an operator that makes no sense for the field type', () => {
    // @ts-expect-error LIKE on a number
    soql("SELECT Id FROM Account WHERE AnnualRevenue LIKE '1%'");
    // @ts-expect-error INCLUDES on a field that is not a multipicklist
    soql("SELECT Id FROM Account WHERE Name INCLUDES ('a')");
    // @ts-expect-error < on a boolean
    soql('SELECT Id FROM Account WHERE IsDeleted < true');
    // @ts-expect-error > on a text area (Salesforce: INVALID_QUERY_FILTER_OPERATOR; lint says the same)
    soql("SELECT Id FROM Account WHERE Description > 'm'");
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Description >= 'm'">>().toEqualTypeOf<'>= does not apply to Description (a textarea field)'>();
    // A text area takes = and != (and LIKE); a text field takes < and >.
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Description != null AND Description LIKE 'a%' AND Name < 'm'">>().toEqualTypeOf<
      "SELECT Id FROM Account WHERE Description != null AND Description LIKE 'a%' AND Name < 'm'"
    >();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE AnnualRevenue LIKE '1%'">>().toEqualTypeOf<
      'LIKE does not apply to AnnualRevenue (a currency field)'
    >();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name INCLUDES ('a')">>().toEqualTypeOf<'INCLUDES does not apply to Name (a string field)'>();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE IsDeleted < true'>>().toEqualTypeOf<'< does not apply to IsDeleted (a boolean field)'>();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Tags__c = 'a;b' AND Tags__c LIKE 'a%'">>().toEqualTypeOf<
      'LIKE does not apply to Tags__c (a multipicklist field)'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Parent.IsDeleted >= false'>>().toEqualTypeOf<
      '>= does not apply to Parent.IsDeleted (a boolean field)'
    >();
  });

  it('rejects a literal of the wrong type', () => {
    // @ts-expect-error a quoted string for a currency field
    soql("SELECT Id FROM Account WHERE AnnualRevenue = '100'");
    expectTypeOf<Check<"SELECT Id FROM Account WHERE AnnualRevenue = '100'">>().toEqualTypeOf<
      'AnnualRevenue (a currency field) cannot be compared with a quoted string'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Name = 5'>>().toEqualTypeOf<'Name (a string field) cannot be compared with the number 5'>();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE IsDeleted = 1'>>().toEqualTypeOf<
      'IsDeleted (a boolean field) cannot be compared with the number 1'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE CreatedDate > 2024-01-01'>>().toEqualTypeOf<
      'CreatedDate (a datetime field) cannot be compared with the date 2024-01-01'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Name = TODAY'>>().toEqualTypeOf<
      'Name (a string field) cannot be compared with the date literal TODAY'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE AnnualRevenue > null'>>().toEqualTypeOf<'null can only be compared with = or !=, not >'>();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name NOT IN ('a', 5)">>().toEqualTypeOf<
      'Name (a string field) cannot be compared with the number 5'
    >();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name IN 'a'">>().toEqualTypeOf<'IN needs a list in parentheses or a :bind, found a quoted string'>();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name = ('a')">>().toEqualTypeOf<'a list needs IN, NOT IN, INCLUDES or EXCLUDES, not ='>();
  });

  it('checks functions in conditions', () => {
    expectTypeOf<Check<'SELECT Id FROM Account WHERE CALENDAR_YEAR(Name) = 2020'>>().toEqualTypeOf<
      'CALENDAR_YEAR() needs a date or datetime field, not Name (string)'
    >();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = '2020'">>().toEqualTypeOf<
      'CALENDAR_YEAR(CreatedDate) (a int field) cannot be compared with a quoted string'
    >();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE COUNT(Id) > 1'>>().toEqualTypeOf<'COUNT() is an aggregate: use it in HAVING, not WHERE'>();
    expectTypeOf<Check<'SELECT Industry FROM Account GROUP BY Industry HAVING SUM(Name) > 1'>>().toEqualTypeOf<'SUM() needs a number field, not Name'>();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE FOO(Name) = 1'>>().toEqualTypeOf<"'FOO' is not a function usable in a condition">();
  });

  it('rejects misplaced or misspelt clause words', () => {
    // @ts-expect-error LIMT is not a clause
    soql("SELECT Id FROM Account WHERE Name = 'x' LIMT 5");
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name = 'x' LIMT 5">>().toEqualTypeOf<"expected AND, OR or the next clause, found 'LIMT'">();
    expectTypeOf<Check<'SELECT Id FROM Account LIMIT many'>>().toEqualTypeOf<"LIMIT expects a number or a :bind, found 'many'">();
    expectTypeOf<Check<'SELECT Id FROM Account ORDER Name'>>().toEqualTypeOf<"expected BY after ORDER, found 'Name'">();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE'>>().toEqualTypeOf<'the query ends where a condition is expected'>();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Name'>>().toEqualTypeOf<'expected an operator after Name'>();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Name ~ 1'>>().toEqualTypeOf<"expected an operator after Name, found '~'">();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE Name NOT LIKE 1'>>().toEqualTypeOf<"expected IN after Name NOT, found 'LIKE'">();
    expectTypeOf<Check<'SELECT Id FROM Account WHERE = 1'>>().toEqualTypeOf<"expected a condition, found '='">();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name = 'a' >= 'b'">>().toEqualTypeOf<"expected AND, OR or the next clause, found '>='">();
    expectTypeOf<Check<"SELECT Id FROM Account WHERE Name = 'a' 'b'">>().toEqualTypeOf<'expected AND, OR or the next clause, found a quoted string'>();
  });
});

describe('GROUP BY without an aggregate function', () => {
  it('types the rows as AggregateResult', () => {
    expectTypeOf<SoqlRow<'SELECT Industry FROM Account GROUP BY Industry', FixtureRegistry>>().toEqualTypeOf<{
      attributes: AggregateAttributes;
      Industry: AccountIndustry | null;
    }>();
  });
});

describe('binds are typed by what they are compared with', () => {
  it('types each bind from its field and operator', () => {
    expectTypeOf<Binds<'SELECT Id FROM Account WHERE Industry IN :inds AND AnnualRevenue > :min AND Name LIKE :p AND Name = :n LIMIT :lim'>>().toEqualTypeOf<{
      readonly inds: readonly AccountIndustry[];
      readonly min: number;
      readonly p: string | LikePattern;
      readonly n: string | null;
      readonly lim: number;
    }>();
    expectTypeOf<Binds<'SELECT Id FROM Opportunity WHERE CloseDate < :d AND StageName = :s AND Probability IN (:a, 50)'>>().toEqualTypeOf<{
      readonly d: SoqlDate | SoqlDateLiteral;
      readonly s: OpportunityStageName | null;
      readonly a: number;
    }>();
    expectTypeOf<Binds<'SELECT Id FROM Account WHERE Tags__c INCLUDES :tags'>>().toEqualTypeOf<{ readonly tags: readonly string[] }>();
    // Binds in child subqueries and semi-joins are typed by the fields of their own object.
    expectTypeOf<
      Binds<'SELECT Id, (SELECT Id FROM Contacts WHERE Birthdate > :born) FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE HasOptedOutOfEmail = :out)'>
    >().toEqualTypeOf<{ readonly born: SoqlDate | SoqlDateLiteral; readonly out: boolean | null }>();
    // A bind used twice must suit both uses.
    expectTypeOf<Binds<'SELECT Id FROM Account WHERE AnnualRevenue > :x OR NumberOfEmployees < :x'>>().toEqualTypeOf<{ readonly x: number }>();
  });

  it('rejects a bind of the wrong type', () => {
    soql('SELECT Id FROM Opportunity WHERE Amount > :min AND CloseDate >= :from AND StageName IN :stages', {
      min: 1000,
      from: soqlDate('2024-01-01'),
      stages: ['Prospecting'],
    });
    soql('SELECT Id FROM Opportunity WHERE CloseDate = :d', { d: dateLiteral('NEXT_N_DAYS', 3) });
    // @ts-expect-error a string for a currency field
    soql('SELECT Id FROM Opportunity WHERE Amount > :min', { min: '1000' });
    // @ts-expect-error not a value of the StageName picklist
    soql('SELECT Id FROM Opportunity WHERE StageName IN :stages', { stages: ['Nope'] });
    // @ts-expect-error IN needs a list, not a single value
    soql('SELECT Id FROM Opportunity WHERE StageName IN :stages', { stages: 'Prospecting' });
    // @ts-expect-error a JS Date is a datetime, not a date
    soql('SELECT Id FROM Opportunity WHERE CloseDate = :d', { d: new Date() });
    // @ts-expect-error LIMIT takes a number
    soql('SELECT Id FROM Opportunity LIMIT :n', { n: '5' });
  });
});
