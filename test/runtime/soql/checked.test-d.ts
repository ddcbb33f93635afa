/**
 * Type tests of checked `soql()` strings over the fixture schema: the row type comes from the
 * text; unknown names are compile errors naming them.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { RowOf } from 'sfgen/runtime';
import { soqlIn } from '../../../runtime/soql/checked.js';
import type { SoqlRow } from '../../../runtime/soql/checked.js';
import type { AggregateAttributes, RowAttributes, SubqueryResult } from '../../../runtime/soql/types.js';
import { like } from '../../../runtime/soql/values.js';
import type { FixtureRegistry } from './fixtures/registry.js';
import type { AccountIndustry } from './fixtures/types/Account.js';

const soql = soqlIn<FixtureRegistry>();

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
