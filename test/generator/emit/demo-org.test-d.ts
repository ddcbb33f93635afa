/**
 * Application-style code against the committed generated demo org (`generated/`): what must
 * compile under `strict`, and what must not (`@ts-expect-error` with the reason).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { CreateOf, MetaOf, RecordOf, SfAddress, SObjectRegistry, UpdateOf } from 'sfgen/runtime';
import { Account } from '../../../generated/sobjects/Account.js';
import { Task } from '../../../generated/sobjects/Task.js';
import { Quirk__c } from '../../../generated/sobjects/Quirk__c.js';
import { acme__Widget__c } from '../../../generated/sobjects/acme__Widget__c.js';
import type { AccountCreate, AccountPicklists, AccountUpdate } from '../../../generated/types/Account.js';
import type { Quirk__cCreate, Quirk__cPicklists } from '../../../generated/types/Quirk__c.js';
import type { acme__Widget__cCreate, acme__Widget__cPicklists, acme__Widget__cUpdate } from '../../../generated/types/acme__Widget__c.js';
import type { TaskUpdate } from '../../../generated/types/Task.js';
import { AccountFeed } from '../../../generated/sobjects/AccountFeed.js';
import { AccountHistory } from '../../../generated/sobjects/AccountHistory.js';
import { Order_Event__e } from '../../../generated/sobjects/Order_Event__e.js';
import { Shipment__x } from '../../../generated/sobjects/Shipment__x.js';
import type { AccountChangeEventCreate } from '../../../generated/types/AccountChangeEvent.js';
import { sobjectNames, type GeneratedSObjectName } from '../../../generated/index.js';

describe('records as read', () => {
  it('types Id as string, booleans as boolean and every other field as nullable', () => {
    type Row = RecordOf<typeof Account>;
    expectTypeOf<Row['Id']>().toEqualTypeOf<string>();
    expectTypeOf<Row['Name']>().toEqualTypeOf<string | null>();
    expectTypeOf<Row['IsDeleted']>().toEqualTypeOf<boolean>();
    expectTypeOf<Row['AnnualRevenue']>().toEqualTypeOf<number | null>();
    expectTypeOf<Row['BillingAddress']>().toEqualTypeOf<SfAddress | null>();
    expectTypeOf<Row['BillingCity']>().toEqualTypeOf<string | null>();
  });

  it('reads restricted picklists as their exact values, inactive ones included', () => {
    expectTypeOf<RecordOf<typeof Quirk__c>['Enum__c']>().toEqualTypeOf<Quirk__cPicklists['Enum__c'] | null>();
    expectTypeOf<'Inactive_Value'>().toMatchTypeOf<Quirk__cPicklists['Enum__c']>();
    expectTypeOf<'__proto__'>().toMatchTypeOf<Quirk__cPicklists['Enum__c']>();
    // Open picklists keep their known values and accept any text.
    expectTypeOf<'Something new'>().toMatchTypeOf<AccountPicklists['AccountSource']>();
  });

  it('exposes relationships with target names, polymorphic ones as unions', () => {
    type TaskMeta = MetaOf<typeof Task>;
    expectTypeOf<TaskMeta['parents']['Who']>().toEqualTypeOf<'Contact' | 'Lead'>();
    expectTypeOf<TaskMeta['parents']['Owner']>().toEqualTypeOf<'Group' | 'User'>();
    expectTypeOf<TaskMeta['nullableParents']['What']>().toEqualTypeOf<true>();
    expectTypeOf<MetaOf<typeof Account>['externalIds']>().toEqualTypeOf<'ERP_Account_Number__c'>();
    // Direct parent targets are registered by importing the value module.
    expectTypeOf<SObjectRegistry['Contact']['name']>().toEqualTypeOf<'Contact'>();
    expectTypeOf<SObjectRegistry['Account']['kinds']['BillingAddress']>().toEqualTypeOf<'address'>();
  });

  it('lists the generated names', () => {
    expectTypeOf(sobjectNames).toMatchTypeOf<readonly string[]>();
    expectTypeOf<'Account'>().toMatchTypeOf<GeneratedSObjectName>();
  });
});

describe('writes', () => {
  it('compiles application-style create and update payloads', () => {
    const create: CreateOf<typeof Account> = { Name: 'Acme', Industry: 'Banking', BillingCity: 'Paris', BillingCountryCode: 'FR', Description: null };
    const update: UpdateOf<typeof Account> = { Phone: null, AccountSource: 'Trade show' };
    const widget: acme__Widget__cCreate = { acme__Account__c: '001000000000001AAA' };
    const quirk: Quirk__cCreate = { Enum__c: '__proto__', Delete__c: true, Class__c: 'x', Attributes__c: 'a' };
    expectTypeOf(create).toEqualTypeOf<AccountCreate>();
    expectTypeOf(update).toEqualTypeOf<AccountUpdate>();
    expectTypeOf(widget).toEqualTypeOf<acme__Widget__cCreate>();
    expectTypeOf(quirk).toEqualTypeOf<Quirk__cCreate>();
  });

  it('rejects what Salesforce would reject', () => {
    // @ts-expect-error Name is required on create (createable, not nillable, not defaulted)
    const missingName: AccountCreate = { Industry: 'Banking' };
    // @ts-expect-error Id is read-only: not part of the create payload
    const writesId: AccountCreate = { Name: 'Acme', Id: '001000000000001AAA' };
    // @ts-expect-error CreatedDate is read-only: not part of the update payload
    const writesSystemField: AccountUpdate = { CreatedDate: '2024-01-01T00:00:00.000+0000' };
    // @ts-expect-error BillingAddress is a read-only compound: write its components
    const writesCompound: AccountUpdate = { BillingAddress: null };
    // @ts-expect-error Nmae is not a field of Account
    const unknownField: AccountUpdate = { Nmae: 'typo' };
    // @ts-expect-error ZZ is not a value of the restricted picklist BillingCountryCode
    const wrongPicklist: AccountUpdate = { BillingCountryCode: 'ZZ' };
    // @ts-expect-error Inactive_Value is readable but no longer writable
    const inactiveValue: Quirk__cCreate = { Enum__c: 'Inactive_Value' };
    // @ts-expect-error a master-detail parent is create-only (not reparentable)
    const reparent: acme__Widget__cUpdate = { acme__Account__c: '001000000000001AAA' };
    // @ts-expect-error Account.Name is not nillable: null is not a valid value
    const nullName: AccountUpdate = { Name: null };
    // @ts-expect-error a change event has no createable field
    const changeEvent: AccountChangeEventCreate = { Name: 'x' };
    void [missingName, writesId, writesSystemField, writesCompound, unknownField, wrongPicklist, inactiveValue, reparent, nullName, changeEvent];
  });

  it('takes a Date for date, datetime and time fields (formatted by the runtime), not for others', () => {
    const now = new Date();
    const widget: acme__Widget__cCreate = { acme__Account__c: '001000000000001AAA', acme__Launch_Date__c: now, acme__Manufactured_At__c: now, acme__Shift_Start__c: now };
    const task: TaskUpdate = { ActivityDate: now, Call_Start__c: '09:30:00.000Z' };
    expectTypeOf<acme__Widget__cUpdate['acme__Launch_Date__c']>().toEqualTypeOf<string | Date | null | undefined>();
    // @ts-expect-error a Date is not text: Name is a string field
    const dateAsName: acme__Widget__cUpdate = { Name: now };
    // @ts-expect-error a Date is not a number
    const dateAsNumber: AccountUpdate = { AnnualRevenue: now };
    void [widget, task, dateAsName, dateAsNumber];
  });

  it('offers only active values of an open picklist in writes; reads keep the inactive ones', () => {
    // acme__Category__c is open; 'Thingamajig' is inactive.
    expectTypeOf<'Thingamajig'>().toMatchTypeOf<acme__Widget__cPicklists['acme__Category__c']>();
    expectTypeOf<acme__Widget__cCreate['acme__Category__c']>().toEqualTypeOf<'Gadget' | 'Gizmo' | 'Doohickey' | (string & {}) | null | undefined>();
    expectTypeOf<acme__Widget__cPicklists['acme__Category__c']>().toEqualTypeOf<'Gadget' | 'Gizmo' | 'Doohickey' | 'Thingamajig' | (string & {})>();
  });

  it('declares what the describe allows in the meta', () => {
    type History = MetaOf<typeof AccountHistory>;
    expectTypeOf<[History['queryable'], History['createable'], History['updateable'], History['deletable']]>().toEqualTypeOf<[true, false, false, false]>();
    expectTypeOf<MetaOf<typeof AccountFeed>['deletable']>().toEqualTypeOf<true>();
    expectTypeOf<MetaOf<typeof Order_Event__e>['queryable']>().toEqualTypeOf<false>();
    expectTypeOf<MetaOf<typeof Shipment__x>['createable']>().toEqualTypeOf<false>();
    type AccountMeta = MetaOf<typeof Account>;
    expectTypeOf<'Description'>().toMatchTypeOf<AccountMeta['unfilterable']>();
    expectTypeOf<'Regions__c'>().toMatchTypeOf<AccountMeta['unsortable']>();
    expectTypeOf<'CreatedDate'>().toMatchTypeOf<AccountMeta['ungroupable']>();
    expectTypeOf<'Name'>().not.toMatchTypeOf<AccountMeta['unfilterable'] | AccountMeta['unsortable'] | AccountMeta['ungroupable']>();
  });
});
