/**
 * Type tests over the generated demo org (generated/): the global registry, real field sets, and
 * the 40-field queries the budget is about (no TS2589 "excessively deep" on either form).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { RowOf } from 'sfgen/runtime';
import { selectFrom } from '../../../runtime/soql/builder.js';
import { soql } from '../../../runtime/soql/checked.js';
import type { RowAttributes, SubqueryResult } from '../../../runtime/soql/types.js';
import { like } from '../../../runtime/soql/values.js';
import { Account } from '../../../generated/sobjects/Account.js';
import { Task } from '../../../generated/sobjects/Task.js';
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
});
