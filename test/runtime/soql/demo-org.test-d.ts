/**
 * Type tests over the generated demo org (generated/): the global registry, real field sets, and
 * the 40-field queries the budget is about (no TS2589 "excessively deep" on either form).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { CheckSoql, NotQueryable, RowOf } from 'sfgen/runtime';
import { selectFrom, type ClauseCheck, type DeepClauseCheck, type InitialState } from '../../../runtime/soql/builder.js';
import { soql } from '../../../runtime/soql/checked.js';
import type { RowAttributes, SubqueryResult } from '../../../runtime/soql/types.js';
import { like } from '../../../runtime/soql/values.js';
import { Account } from '../../../generated/sobjects/Account.js';
import type { AccountMeta } from '../../../generated/types/Account.js';
import type { ContactMeta } from '../../../generated/types/Contact.js';
import { Contact } from '../../../generated/sobjects/Contact.js';
import { Order_Event__e } from '../../../generated/sobjects/Order_Event__e.js';
import { AccountChangeEvent } from '../../../generated/sobjects/AccountChangeEvent.js';
import { Task } from '../../../generated/sobjects/Task.js';
import { acme__Widget__c } from '../../../generated/sobjects/acme__Widget__c.js';
import type { Account as AccountRecord } from '../../../generated/types/Account.js';
import type { Contact as ContactRecord } from '../../../generated/types/Contact.js';
import type {} from '../../../generated/types/Opportunity.js';

describe('the generated demo org', () => {
  it('types a 40-field builder query with 3 parent paths and 2 subqueries', () => {
    const q = selectFrom(Account)
      .select('AccountNumber', 'AccountSource', 'Active__c', 'AnnualRevenue', 'BillingCity', 'BillingCountry', 'BillingCountryCode', 'BillingGeocodeAccuracy', 'BillingLatitude', 'BillingLongitude', 'BillingPostalCode', 'BillingState', 'BillingStateCode', 'BillingStreet', 'CleanStatus', 'CreatedById', 'CreatedDate', 'CustomerPriority__c', 'Delete__c', 'Description', 'DunsNumber', 'ERP_Account_Number__c', 'Fax', 'FirstName', 'Id', 'Industry', 'IsDeleted', 'IsPersonAccount', 'Is_Key_Account__c', 'Jigsaw', 'JigsawCompanyId', 'Languages__pc', 'LastActivityDate', 'LastModifiedById', 'LastModifiedDate', 'LastName', 'LastReferencedDate', 'LastViewedDate', 'Level__pc', 'MasterRecordId')
      .select('Owner.Name', 'Parent.Name', 'CreatedBy.Email')
      .subquery('Contacts', (c) => c.select('Id', 'LastName', 'Email', 'Account.Name', 'ReportsTo.Name').where('Email', 'LIKE', like.endsWith('@example.com')))
      .subquery('Opportunities', (o) => o.select('Id', 'Name', 'Amount', 'CloseDate', 'StageName'))
      .where('Industry', '!=', null)
      .orderBy('Name')
      .limit(100);
    type Row = RowOf<typeof q>;
    expectTypeOf<Row['Industry']>().toEqualTypeOf<AccountRecord['Industry']>();
    expectTypeOf<Row['AnnualRevenue']>().toEqualTypeOf<number | null>();
    expectTypeOf<Row['Owner']>().toEqualTypeOf<{ attributes: RowAttributes<'User'>; Name: string | null }>();
    expectTypeOf<Row['Contacts']>().toEqualTypeOf<SubqueryResult<{
      attributes: RowAttributes<'Contact'>;
      Id: string;
      LastName: ContactRecord['LastName'];
      Email: string | null;
      Account: { attributes: RowAttributes<'Account'>; Name: AccountRecord['Name'] } | null;
      ReportsTo: { attributes: RowAttributes<'Contact'>; Name: ContactRecord['Name'] } | null;
    }> | null>();
    expectTypeOf<keyof Row>().toEqualTypeOf<
      'attributes' | 'AccountNumber' | 'AccountSource' | 'Active__c' | 'AnnualRevenue' | 'BillingCity' | 'BillingCountry' | 'BillingCountryCode' | 'BillingGeocodeAccuracy' | 'BillingLatitude' | 'BillingLongitude' | 'BillingPostalCode' | 'BillingState' | 'BillingStateCode' | 'BillingStreet' | 'CleanStatus' | 'CreatedById' | 'CreatedDate' | 'CustomerPriority__c' | 'Delete__c' | 'Description' | 'DunsNumber' | 'ERP_Account_Number__c' | 'Fax' | 'FirstName' | 'Id' | 'Industry' | 'IsDeleted' | 'IsPersonAccount' | 'Is_Key_Account__c' | 'Jigsaw' | 'JigsawCompanyId' | 'Languages__pc' | 'LastActivityDate' | 'LastModifiedById' | 'LastModifiedDate' | 'LastName' | 'LastReferencedDate' | 'LastViewedDate' | 'Level__pc' | 'MasterRecordId' | 'Owner' | 'Parent' | 'CreatedBy' | 'Contacts' | 'Opportunities'
    >();
  });

  it('types the same query as a checked string identically', () => {
    const q = soql(
      `SELECT AccountNumber, AccountSource, Active__c, AnnualRevenue, BillingCity, BillingCountry, BillingCountryCode, BillingGeocodeAccuracy, BillingLatitude, BillingLongitude, BillingPostalCode, BillingState, BillingStateCode, BillingStreet, CleanStatus, CreatedById, CreatedDate, CustomerPriority__c, Delete__c, Description, DunsNumber, ERP_Account_Number__c, Fax, FirstName, Id, Industry, IsDeleted, IsPersonAccount, Is_Key_Account__c, Jigsaw, JigsawCompanyId, Languages__pc, LastActivityDate, LastModifiedById, LastModifiedDate, LastName, LastReferencedDate, LastViewedDate, Level__pc, MasterRecordId,
              Owner.Name, Parent.Name, CreatedBy.Email,
              (SELECT Id, LastName, Email, Account.Name, ReportsTo.Name FROM Contacts WHERE Email LIKE :domain),
              (SELECT Id, Name, Amount, CloseDate, StageName FROM Opportunities)
         FROM Account
        WHERE Industry != null ORDER BY Name LIMIT 100`,
      { domain: like.endsWith('@example.com') },
    );
    const b = selectFrom(Account)
      .select('AccountNumber', 'AccountSource', 'Active__c', 'AnnualRevenue', 'BillingCity', 'BillingCountry', 'BillingCountryCode', 'BillingGeocodeAccuracy', 'BillingLatitude', 'BillingLongitude', 'BillingPostalCode', 'BillingState', 'BillingStateCode', 'BillingStreet', 'CleanStatus', 'CreatedById', 'CreatedDate', 'CustomerPriority__c', 'Delete__c', 'Description', 'DunsNumber', 'ERP_Account_Number__c', 'Fax', 'FirstName', 'Id', 'Industry', 'IsDeleted', 'IsPersonAccount', 'Is_Key_Account__c', 'Jigsaw', 'JigsawCompanyId', 'Languages__pc', 'LastActivityDate', 'LastModifiedById', 'LastModifiedDate', 'LastName', 'LastReferencedDate', 'LastViewedDate', 'Level__pc', 'MasterRecordId')
      .select('Owner.Name', 'Parent.Name', 'CreatedBy.Email')
      .subquery('Contacts', (c) => c.select('Id', 'LastName', 'Email', 'Account.Name', 'ReportsTo.Name'))
      .subquery('Opportunities', (o) => o.select('Id', 'Name', 'Amount', 'CloseDate', 'StageName'));
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<RowOf<typeof b>>();
  });

  it('checks a 40-field query with a 10-condition WHERE, ORDER BY and binds (no TS2589)', () => {
    const q = soql(
      `SELECT AccountNumber, AccountSource, Active__c, AnnualRevenue, BillingCity, BillingCountry, BillingCountryCode, BillingGeocodeAccuracy, BillingLatitude, BillingLongitude, BillingPostalCode, BillingState, BillingStateCode, BillingStreet, CleanStatus, CreatedById, CreatedDate, CustomerPriority__c, Delete__c, Description, DunsNumber, ERP_Account_Number__c, Fax, FirstName, Id, Industry, IsDeleted, IsPersonAccount, Is_Key_Account__c, Jigsaw, JigsawCompanyId, Languages__pc, LastActivityDate, LastModifiedById, LastModifiedDate, LastName, LastReferencedDate, LastViewedDate, Level__pc, MasterRecordId,
              Owner.Name, Parent.Name, CreatedBy.Email,
              (SELECT Id, LastName, Email, Account.Name, ReportsTo.Name FROM Contacts WHERE Email LIKE :domain),
              (SELECT Id, Name, Amount, CloseDate, StageName FROM Opportunities WHERE Amount > :minAmount)
         FROM Account
        WHERE Industry IN :industries
          AND AnnualRevenue >= :minRevenue
          AND (Name LIKE :name OR AccountNumber = 'A-1')
          AND CreatedDate > LAST_N_DAYS:365
          AND Delete__c = false
          AND NumberOfEmployees < 5000
          AND LastActivityDate != null
          AND Owner.Email LIKE '%@example.com'
          AND BillingCountryCode != null
          AND Id IN (SELECT AccountId FROM Contact WHERE Email != null)
        ORDER BY Name, AnnualRevenue DESC NULLS LAST
        LIMIT :limit`,
      { domain: like.endsWith('@example.com'), minAmount: 1000, industries: ['Energy'], minRevenue: 1e6, name: like.startsWith('A'), limit: 100 },
    );
    const b = selectFrom(Account)
      .select('AccountNumber', 'AccountSource', 'Active__c', 'AnnualRevenue', 'BillingCity', 'BillingCountry', 'BillingCountryCode', 'BillingGeocodeAccuracy', 'BillingLatitude', 'BillingLongitude', 'BillingPostalCode', 'BillingState', 'BillingStateCode', 'BillingStreet', 'CleanStatus', 'CreatedById', 'CreatedDate', 'CustomerPriority__c', 'Delete__c', 'Description', 'DunsNumber', 'ERP_Account_Number__c', 'Fax', 'FirstName', 'Id', 'Industry', 'IsDeleted', 'IsPersonAccount', 'Is_Key_Account__c', 'Jigsaw', 'JigsawCompanyId', 'Languages__pc', 'LastActivityDate', 'LastModifiedById', 'LastModifiedDate', 'LastName', 'LastReferencedDate', 'LastViewedDate', 'Level__pc', 'MasterRecordId')
      .select('Owner.Name', 'Parent.Name', 'CreatedBy.Email')
      .subquery('Contacts', (c) => c.select('Id', 'LastName', 'Email', 'Account.Name', 'ReportsTo.Name'))
      .subquery('Opportunities', (o) => o.select('Id', 'Name', 'Amount', 'CloseDate', 'StageName'));
    expectTypeOf<RowOf<typeof q>>().toEqualTypeOf<RowOf<typeof b>>();
    // @ts-expect-error one misspelt field among the ten conditions is named
    soql('SELECT Id FROM Account WHERE Industry != null AND AnnualRevenue > 1 AND Name LIKE :n AND CreatedDate > TODAY AND Delete__c = false AND NumberOfEmployees < 5 AND LastActivityDate != null AND Owner.Emial != null AND BillingCountryCode != null AND Id != null', { n: 'x' });
  });

  it('types polymorphic What/Who over every target, loaded or not (Contract and Order are not generated)', () => {
    const q = selectFrom(Task).select('Id', 'What.Name', 'Who.Name');
    type What = NonNullable<RowOf<typeof q>['What']>;
    expectTypeOf<What['attributes']['type']>().toEqualTypeOf<
      'Account' | 'Campaign' | 'Case' | 'Contract' | 'Opportunity' | 'Order' | 'Product2' | 'Project__c' | 'acme__Widget__c'
    >();
    expectTypeOf<What['Name']>().toEqualTypeOf<string | null>();
  });

  it('rejects what the demo org does not have', () => {
    // @ts-expect-error 'Nmae' is not a field of Account
    selectFrom(Account).select('Nmae');
    // @ts-expect-error 'Profile.Name' through User: Profile has no field Nope
    selectFrom(Account).select('Owner.Profile.Nope');
    // @ts-expect-error 'Contactz' is not a child relationship of Account
    soql('SELECT Id, (SELECT Id FROM Contactz) FROM Account');
    // @ts-expect-error LIKE on a currency field
    selectFrom(Account).select('Id').where('AnnualRevenue', 'LIKE', '1%');
  });

  it('refuses objects the describe says are not queryable (platform and change events)', () => {
    // @ts-expect-error Order_Event__e is not queryable (describe)
    selectFrom(Order_Event__e);
    // @ts-expect-error AccountChangeEvent is not queryable (describe)
    selectFrom(AccountChangeEvent);
    expectTypeOf<CheckSoql<'SELECT Id FROM Order_Event__e'>>().toEqualTypeOf<NotQueryable<'Order_Event__e'>>();
    expectTypeOf<CheckSoql<'SELECT Id FROM account WHERE Id IN (SELECT Account_Id__c FROM Order_Event__e)'>>().toEqualTypeOf<
      NotQueryable<'Order_Event__e'> | 'the subquery of Id must select an id or reference field, not Account_Id__c'
    >();
    // @ts-expect-error Order_Event__e is not queryable (describe)
    soql('SELECT Id, Order_Number__c FROM Order_Event__e');
    selectFrom(Account).select('Id');
  });

  it('refuses WHERE, ORDER BY and GROUP BY on fields the describe does not allow there', () => {
    // Account.Description is a long text area: not filterable, sortable or groupable.
    // @ts-expect-error Account.Description is not filterable (describe)
    selectFrom(Account).select('Id').where('Description', '=', 'x');
    // @ts-expect-error Account.Description is not filterable (describe), through a relationship too
    selectFrom(Contact).select('Id').where('Account.Description', '!=', null);
    // @ts-expect-error Account.Description is not filterable (describe), in a callback condition
    selectFrom(Account).select('Id').where((eb) => eb.or([eb('Name', '=', 'a'), eb('Description', '=', 'b')]));
    // @ts-expect-error Account.Description is not sortable (describe)
    selectFrom(Account).select('Id').orderBy('Description');
    // @ts-expect-error Account.Regions__c (a multipicklist) is not groupable (describe)
    selectFrom(Account).select('Regions__c').groupBy('Regions__c');
    // @ts-expect-error Account.CreatedDate (a datetime) is not groupable (describe), through a relationship
    selectFrom(Contact).select('Account.CreatedDate').groupBy('Account.CreatedDate');
    // What the describe allows compiles.
    selectFrom(Account).select('Id').where('Regions__c', 'INCLUDES', ['EMEA']).orderBy('Name').orderBy('Owner.Name');
    selectFrom(Account).select('Industry').groupBy('Industry', 'Owner.Name');

    expectTypeOf<CheckSoql<"SELECT Id FROM Account WHERE Description = 'x'">>().toEqualTypeOf<
      "'Description' cannot be used in WHERE: Account.Description is not filterable (describe)"
    >();
    expectTypeOf<CheckSoql<'SELECT Id FROM Contact WHERE Account.Description != null'>>().toEqualTypeOf<
      "'Account.Description' cannot be used in WHERE: Account.Description is not filterable (describe)"
    >();
    expectTypeOf<CheckSoql<'SELECT Id FROM Account ORDER BY Name, Description DESC'>>().toEqualTypeOf<
      "'Description' cannot be used in ORDER BY: Account.Description is not sortable (describe)"
    >();
    expectTypeOf<CheckSoql<'SELECT Regions__c, COUNT(Id) FROM Account GROUP BY Regions__c'>>().toEqualTypeOf<
      "'Regions__c' cannot be used in GROUP BY: Account.Regions__c is not groupable (describe)"
    >();
    // The builder names the problem in the message (the this-parameter check of where, orderBy, groupBy).
    type AccountStart = InitialState<AccountMeta>;
    type ContactStart = InitialState<ContactMeta>;
    expectTypeOf<ClauseCheck<AccountStart, 'Description', 'unfilterable'>>().toEqualTypeOf<{
      readonly 'path error': "'Description' cannot be used in WHERE: Account.Description is not filterable (describe)";
    }>();
    expectTypeOf<ClauseCheck<ContactStart, 'Account.Description', 'unfilterable'>>().toEqualTypeOf<{
      readonly 'path error': "'Account.Description' cannot be used in WHERE: Account.Description is not filterable (describe)";
    }>();
    expectTypeOf<ClauseCheck<AccountStart, 'Nmae', 'unfilterable'>>().toEqualTypeOf<{ readonly 'path error': "'Nmae' is not a field of Account" }>();
    expectTypeOf<ClauseCheck<AccountStart, 'Owner.Nmae', 'unfilterable'>>().toEqualTypeOf<{ readonly 'path error': "'Nmae' is not a field of User" }>();
    expectTypeOf<ClauseCheck<AccountStart, 'Name', 'unfilterable'>>().toEqualTypeOf<unknown>();
    expectTypeOf<ClauseCheck<ContactStart, 'Account.Name', 'unfilterable'>>().toEqualTypeOf<unknown>();
    expectTypeOf<DeepClauseCheck<AccountStart, 'Description', 'unsortable'>>().toEqualTypeOf<{
      readonly 'path error': "'Description' cannot be used in ORDER BY: Account.Description is not sortable (describe)";
    }>();
    expectTypeOf<DeepClauseCheck<AccountStart, 'Owner.Nmae', 'unsortable'>>().toEqualTypeOf<{ readonly 'path error': "'Nmae' is not a field of User" }>();
    expectTypeOf<DeepClauseCheck<AccountStart, 'Name' | 'Owner.Name', 'unsortable'>>().toEqualTypeOf<unknown>();
    // @ts-expect-error 'Owner.Nmae' in WHERE
    selectFrom(Account).select('Id').where('Owner.Nmae', '=', 'x');
    // @ts-expect-error 'Nmae' in WHERE
    selectFrom(Account).select('Id').where('Nmae', '=', 'x');
    // @ts-expect-error 'Owner.Nmae' in ORDER BY
    selectFrom(Account).select('Id').orderBy('Owner.Nmae');
    // @ts-expect-error Account.Description is not filterable (describe), in a subquery too
    soql("SELECT Id, (SELECT Id FROM Contacts WHERE Description = 'x') FROM Account");
    // A function's result is grouped or sorted, not the field: CreatedDate itself is not groupable.
    soql('SELECT CALENDAR_YEAR(CreatedDate), COUNT(Id) FROM Account GROUP BY CALENDAR_YEAR(CreatedDate) ORDER BY CALENDAR_YEAR(CreatedDate)');
    soql("SELECT Id FROM Account WHERE Regions__c INCLUDES ('EMEA') ORDER BY Name");
  });

  it('takes a FROM alias in the SELECT list of a checked string, as in WHERE and ORDER BY', () => {
    const aliased = soql("SELECT w.Id, w.acme__Account__r.Name, COUNT_DISTINCT(w.Name) n FROM acme__Widget__c w WHERE w.Name != null GROUP BY w.Id, w.acme__Account__r.Name");
    const plain = soql('SELECT Id, acme__Account__r.Name, COUNT_DISTINCT(Name) n FROM acme__Widget__c GROUP BY Id, acme__Account__r.Name');
    expectTypeOf<RowOf<typeof aliased>>().toEqualTypeOf<RowOf<typeof plain>>();
    const rows = soql("SELECT W.Id, w.acme__Account__r.Name, (SELECT p.Name FROM acme__Parts__r p) FROM acme__Widget__c w WHERE w.Name LIKE 'A%' ORDER BY w.Name");
    type Row = RowOf<typeof rows>;
    expectTypeOf<Row['Id']>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<Row['acme__Account__r']>['Name']>().toEqualTypeOf<AccountRecord['Name']>();
    // @ts-expect-error 'x' is not the alias (nor a relationship) of acme__Widget__c
    soql('SELECT x.Id FROM acme__Widget__c w');
    // @ts-expect-error without an alias, 'w' is not a parent relationship
    soql('SELECT w.Id FROM acme__Widget__c');
  });

  it('applies one rule to restricted picklist values: a value records can hold passes (active or inactive), any other is an error', () => {
    // acme__Tier__c: restricted; Bronze, Silver, Gold, Platinum active, Legacy inactive.
    soql("SELECT Id FROM Account WHERE acme__Tier__c = 'Gold' OR acme__Tier__c = 'Legacy' OR acme__Tier__c IN ('Silver', 'Legacy')");
    soql('SELECT Id FROM Account WHERE acme__Tier__c = :t OR acme__Tier__c IN :ts', { t: 'Legacy', ts: ['Gold', 'Legacy'] });
    selectFrom(Account).select('Id').where('acme__Tier__c', '=', 'Legacy').where('acme__Tier__c', 'IN', ['Gold', 'Legacy']);
    expectTypeOf<CheckSoql<"SELECT Id FROM Account WHERE acme__Tier__c = 'Diamond'">>().toEqualTypeOf<
      "'Diamond' is not a value of the restricted picklist acme__Tier__c"
    >();
    expectTypeOf<CheckSoql<"SELECT Id FROM Account WHERE acme__Tier__c NOT IN ('Gold', 'gold (typo)')">>().toEqualTypeOf<
      "'gold (typo)' is not a value of the restricted picklist acme__Tier__c"
    >();
    expectTypeOf<CheckSoql<"SELECT Id FROM Contact WHERE Account.acme__Tier__c != 'Dia, mond: =x'">>().toEqualTypeOf<
      "'Dia, mond: =x' is not a value of the restricted picklist Account.acme__Tier__c"
    >();
    // @ts-expect-error 'Diamond' is not a value of acme__Tier__c (bind)
    soql('SELECT Id FROM Account WHERE acme__Tier__c = :t', { t: 'Diamond' });
    // @ts-expect-error 'Diamond' is not a value of acme__Tier__c (builder)
    selectFrom(Account).select('Id').where('acme__Tier__c', '=', 'Diamond');
    // Open picklists take any text; LIKE takes a pattern; a literal with an escape is not compared.
    soql("SELECT Id FROM Account WHERE Industry = 'Space Mining' AND acme__Tier__c LIKE 'G%' AND acme__Tier__c != 'it\\'s'");
    selectFrom(acme__Widget__c).select('Id').where('acme__Category__c', '=', 'Thingamajig').where('acme__Status__c', '=', 'Recalled');
    soql("SELECT Id FROM acme__Widget__c WHERE acme__Category__c = 'Anything' AND acme__Status__c = 'Recalled'");
  });
});
