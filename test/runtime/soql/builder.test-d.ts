/**
 * Type tests of the builder over the fixture schema, both ways: exact row types for what compiles,
 * `@ts-expect-error` (with the reason) for what must not.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { RowOf, TypedQuery } from 'sfgen/runtime';
import { childRecords, selectFrom } from '../../../runtime/soql/builder.js';
import type { DeepCheck, SelectablePath, SelectQueryBuilder } from '../../../runtime/soql/builder.js';
import type { AggregateAttributes, RowAttributes, SubqueryResult } from '../../../runtime/soql/types.js';
import { dateLiteral, like, soqlDate, soqlDateTime } from '../../../runtime/soql/values.js';
import { Account, Contact, Lead, Opportunity, Task, User } from './fixtures/sobjects.js';
import type { AccountIndustry, AccountMeta } from './fixtures/types/Account.js';
import type { OpportunityStageName } from './fixtures/types/Opportunity.js';

describe('rows narrowed to the selection', () => {
  it('types scalar fields and nested parents, null where a lookup may be empty', () => {
    const q = selectFrom(Account).select('Id', 'Name', 'Industry', 'Owner.Name', 'Parent.Owner.Email', 'Parent.Name');
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Name: string | null;
      Industry: AccountIndustry | null;
      Owner: { attributes: RowAttributes<'User'>; Name: string | null };
      Parent: {
        attributes: RowAttributes<'Account'>;
        Name: string | null;
        Owner: { attributes: RowAttributes<'User'>; Email: string | null };
      } | null;
    }>();
    expectTypeOf(q).toMatchTypeOf<TypedQuery<RowOf<typeof q>>>();
  });

  it('types polymorphic parents as unions discriminated on attributes.type', () => {
    const q = selectFrom(Task).select('Id', 'Who.Name', 'Owner.Name');
    type Row = RowOf<typeof q>;
    expectTypeOf<Row['Who']>().toEqualTypeOf<
      | { attributes: RowAttributes<'Contact'>; Name: string | null }
      | { attributes: RowAttributes<'Lead'>; Name: string | null }
      | null
    >();
    expectTypeOf<Row['Owner']>().toEqualTypeOf<
      { attributes: RowAttributes<'Group'>; Name: string | null } | { attributes: RowAttributes<'User'>; Name: string | null }
    >();
  });

  it('types TYPEOF per target, with ELSE fields for the others', () => {
    const q = selectFrom(Task).select('Id').typeOf('Who', { Contact: ['Email', 'Account.Name'] }, ['Name']);
    expectTypeOf<RowOf<typeof q>['Who']>().toEqualTypeOf<
      | { attributes: RowAttributes<'Contact'>; Email: string | null; Account: { attributes: RowAttributes<'Account'>; Name: string | null } | null }
      | { attributes: RowAttributes<'Lead'>; Name: string | null }
      | null
    >();
  });

  it('types child subqueries as Salesforce sends them: an envelope, or null for no children', () => {
    const q = selectFrom(Account)
      .select('Id')
      .subquery('Contacts', (c) => c.select('LastName', 'Owner.Name'))
      .subquery('Opportunities', (o) => o.select('Amount'));
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Contacts: SubqueryResult<{
        attributes: RowAttributes<'Contact'>;
        LastName: string | null;
        Owner: { attributes: RowAttributes<'User'>; Name: string | null };
      }> | null;
      Opportunities: SubqueryResult<{ attributes: RowAttributes<'Opportunity'>; Amount: number | null }> | null;
    }>();
    type Row = RowOf<typeof q>;
    expectTypeOf(childRecords(null as unknown as Row['Contacts'])).toEqualTypeOf<
      { attributes: RowAttributes<'Contact'>; LastName: string | null; Owner: { attributes: RowAttributes<'User'>; Name: string | null } }[]
    >();
  });

  it('types aggregate rows: grouped fields by last segment, aliases, expr0...', () => {
    const q = selectFrom(Opportunity)
      .select('StageName', 'Owner.Name')
      .aggregate('SUM', 'Amount', 'total')
      .aggregate('COUNT', 'Id')
      .aggregate('MAX', 'CloseDate')
      .groupBy('StageName', 'Owner.Name');
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<{
      attributes: AggregateAttributes;
      StageName: OpportunityStageName | null;
      Name: string | null;
      total: number | null;
      expr0: number;
      expr1: string | null;
    }>();
  });

  it('types toLabel and FORMAT as strings under the field name or alias', () => {
    const q = selectFrom(Account).select('Id').toLabel('Industry').format('AnnualRevenue', 'revenue');
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<{
      attributes: RowAttributes<'Account'>;
      Id: string;
      Industry: string | null;
      revenue: string | null;
    }>();
  });

  it('keeps the row through where/orderBy/limit', () => {
    const a = selectFrom(Account).select('Id');
    const b = a.where('Name', '=', 'x').orderBy('Name').limit(1).offset(1).forView().withSecurityEnforced();
    expectTypeOf<RowOf<typeof b>>().toEqualTypeOf<RowOf<typeof a>>();
  });
});

describe('paths that must not compile', () => {
  it('rejects unknown fields and relationships, naming them', () => {
    // @ts-expect-error 'Nmae' is not a field of Account
    selectFrom(Account).select('Id', 'Nmae');
    // @ts-expect-error 'Ownr' is not a parent relationship of Account
    selectFrom(Account).select('Ownr.Name');
    // @ts-expect-error 'Nmae' is not a field of User (through Owner)
    selectFrom(Account).select('Owner.Nmae');
    // @ts-expect-error a relationship is not a field
    selectFrom(Account).select('Owner');
    // @ts-expect-error Contacts is a child relationship, not a parent
    selectFrom(Account).select('Contacts.LastName');
  });

  it('names the bad dotted path in the message (the this-parameter check of select and groupBy)', () => {
    type Start = typeof selectFrom<AccountMeta> extends (...args: never[]) => SelectQueryBuilder<infer S> ? S : never;
    expectTypeOf<DeepCheck<Start, ['Id', 'Owner.Name']>>().toEqualTypeOf<unknown>();
    expectTypeOf<DeepCheck<Start, ['Id', 'Owner.Nmae', 'Ownr.Name']>>().toEqualTypeOf<{
      readonly 'path error': "'Nmae' is not a field of User" | "'Ownr' is not a parent relationship of Account";
    }>();
    // A bad plain field is reported at its argument; the dotted-path check stays quiet then.
    expectTypeOf<DeepCheck<Start, readonly SelectablePath<AccountMeta>[]>>().toEqualTypeOf<unknown>();
    // @ts-expect-error 'Owner.Nmae' in GROUP BY
    selectFrom(Account).select('Industry').aggregate('COUNT', 'Id').groupBy('Industry', 'Owner.Nmae');
  });

  it('rejects a path through an unloaded target', () => {
    // @ts-expect-error 'Profile' is not loaded: import its generated module
    selectFrom(User).select('Profile.Name');
  });

  it('refuses a subquery onto a child object the describe says is not queryable', () => {
    selectFrom(Lead).select('Id').subquery('Tasks', (t) => t.select('Subject'));
    // @ts-expect-error LeadSignal is not queryable (describe: queryable false)
    selectFrom(Lead).select('Id').subquery('Signals', (s) => s.select('Id'));
  });

  it('allows only Name-object fields through a polymorphic relationship without TYPEOF', () => {
    const q = selectFrom(Task).select('What.Type', 'Who.Email');
    expectTypeOf<RowOf<typeof q>['What']>().toEqualTypeOf<
      { attributes: RowAttributes<'Account'>; Type: string | null } | { attributes: RowAttributes<'Opportunity'>; Type: string | null } | null
    >();
    // @ts-expect-error Company is a field of Lead only, not of the Name object (use TYPEOF)
    selectFrom(Task).select('Who.Company');
    // @ts-expect-error no relationship paths through a polymorphic relationship without TYPEOF
    selectFrom(Task).select('Who.Account.Name');
  });

  it('allows 5 relationship hops and rejects 6', () => {
    selectFrom(Account).select('Parent.Parent.Parent.Parent.Parent.Name');
    // @ts-expect-error deeper than 5 relationships
    selectFrom(Account).select('Parent.Parent.Parent.Parent.Parent.Parent.Name');
  });

  it('rejects unknown child relationships, wrong TYPEOF targets and fields', () => {
    // @ts-expect-error 'Contactz' is not a child relationship of Account
    selectFrom(Account).select('Id').subquery('Contactz', (q) => q.select('Id'));
    // @ts-expect-error 'Nope' is not a field of Contact (inside the subquery)
    selectFrom(Account).select('Id').subquery('Contacts', (q) => q.select('Nope'));
    // @ts-expect-error Owner is not polymorphic on Account
    selectFrom(Account).select('Id').typeOf('Owner', { User: ['Name'] });
    // @ts-expect-error 'Contact' is not a target of Task.What
    selectFrom(Task).select('Id').typeOf('What', { Contact: ['Name'] });
    // @ts-expect-error 'Amount' is not a field of Account
    selectFrom(Task).select('Id').typeOf('What', { Account: ['Amount'] });
  });
});

describe('operators and values typed by field type', () => {
  const q = selectFrom(Account).select('Id');
  const c = selectFrom(Contact).select('Id');

  it('accepts what makes sense', () => {
    q.where('Name', 'LIKE', like.contains('x'));
    q.where('Name', 'LIKE', 'A%');
    q.where('NumberOfEmployees', '>', 5);
    q.where('AnnualRevenue', 'IN', [1, 2]);
    q.where('Industry', 'IN', ['Energy', 'Banking']);
    q.where('Tags__c', 'INCLUDES', ['a', 'b;c']);
    q.where('Tags__c', 'EXCLUDES', ['a']);
    q.where('CreatedDate', '>', new Date());
    q.where('CreatedDate', '>', soqlDateTime('2024-01-01T00:00:00Z'));
    q.where('CreatedDate', '=', dateLiteral('TODAY'));
    q.where('Id', 'IN', selectFrom(Contact).select('AccountId'));
    q.where('Id', 'NOT IN', selectFrom(Opportunity).select('AccountId'));
    q.where('ParentId', '=', null);
    q.where('IsDeleted', '=', true);
    q.where('Owner.Email', 'LIKE', '%@example.com');
    c.where('Birthdate', '>=', soqlDate('2000-01-01'));
    c.where('Birthdate', '<', dateLiteral('LAST_N_YEARS', 18));
    q.where('Name', '<', 'M');
    q.where('Description', 'LIKE', '%renewal%');
    q.where('Description', '!=', null);
  });

  it('rejects what does not', () => {
    // @ts-expect-error LIKE on a number
    q.where('NumberOfEmployees', 'LIKE', '5%');
    // @ts-expect-error INCLUDES on a non-multipicklist
    q.where('Name', 'INCLUDES', ['a']);
    // @ts-expect-error < on a boolean
    q.where('IsDeleted', '<', true);
    // @ts-expect-error > on a text area (Salesforce: INVALID_QUERY_FILTER_OPERATOR)
    q.where('Description', '>', 'm');
    // @ts-expect-error a string for a number field
    q.where('NumberOfEmployees', '=', 'ten');
    // @ts-expect-error a number for a text field
    q.where('Name', '=', 5);
    // @ts-expect-error a value outside the picklist
    q.where('Industry', '=', 'Mining');
    // @ts-expect-error a plain string for a date field (use soqlDate)
    c.where('Birthdate', '=', '2000-01-01');
    // @ts-expect-error a Date for a date field (a Date is a datetime; use soqlDate)
    c.where('Birthdate', '=', new Date());
    // @ts-expect-error a semi-join must select an id or reference field
    q.where('Id', 'IN', selectFrom(Contact).select('LastName'));
    // @ts-expect-error null with <
    q.where('Name', '<', null);
    // @ts-expect-error unknown field in where
    q.where('Nope', '=', 'x');
    // @ts-expect-error an IN value must be a list
    q.where('Name', 'IN', 'x');
    // @ts-expect-error SUM of a text field
    selectFrom(Account).select('Industry').aggregate('SUM', 'Name').groupBy('Industry');
    // @ts-expect-error ORDER BY an unknown field
    q.orderBy('Nope');
    // @ts-expect-error a bad NULLS option
    q.orderBy('Name', 'ASC', 'NULLS MIDDLE');
    // @ts-expect-error toLabel of an unknown field
    q.toLabel('Nope');
  });

  it('types nested conditions like where()', () => {
    q.where((eb) => eb.or([eb('Name', '=', 'a'), eb.not(eb('NumberOfEmployees', '>', 1))]));
    // @ts-expect-error LIKE on a number inside a callback
    q.where((eb) => eb('NumberOfEmployees', 'LIKE', 'x'));
  });
});
