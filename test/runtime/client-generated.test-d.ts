/**
 * Type tests of application-style code against the GENERATED demo org (generated/): the typed
 * client compiles under strict, and what Salesforce would reject does not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, type SfDateTime } from 'sfgen/runtime';
import { Account } from '../../generated/sobjects/Account.js';
import { AccountFeed } from '../../generated/sobjects/AccountFeed.js';
import { AccountHistory } from '../../generated/sobjects/AccountHistory.js';
import { Contact } from '../../generated/sobjects/Contact.js';
import { Order_Event__e } from '../../generated/sobjects/Order_Event__e.js';
import { Reading_History__b } from '../../generated/sobjects/Reading_History__b.js';
import { Shipment__x } from '../../generated/sobjects/Shipment__x.js';
import { Task } from '../../generated/sobjects/Task.js';
import { acme__Widget__c } from '../../generated/sobjects/acme__Widget__c.js';

const client = createClient({ auth: { accessToken: 'token', instanceUrl: 'https://acme.my.salesforce.com' } });

describe('generated demo org', () => {
  it('compiles application-style code', async () => {
    const accounts = client.sobject(Account);
    const { id } = await accounts.create({ Name: 'Acme', acme__Tier__c: 'Gold', Industry: 'Energy', BillingCity: 'Lyon' });
    const row = await accounts.get(id, { fields: ['Name', 'acme__Tier__c', 'CreatedDate', 'BillingAddress'] });
    // A restricted picklist reads as a literal union (inactive values included), not as string.
    expectTypeOf(row.acme__Tier__c).not.toEqualTypeOf<string | null>();
    expectTypeOf<'Gold'>().toExtend<typeof row.acme__Tier__c>();
    expectTypeOf(row.CreatedDate).toEqualTypeOf<SfDateTime | null>();
    expectTypeOf(row.BillingAddress?.city).toEqualTypeOf<string | null | undefined>();
    await accounts.update(id, { acme__Tier__c: null, Description: 'updated' });
    await accounts.upsert('ERP_Account_Number__c', 'ERP-1', { Name: 'Acme' });
    const results = await accounts.createMany([{ Name: 'a' }, { Name: 'b' }]);
    expectTypeOf(results[0]!.id).toEqualTypeOf<string | null>();
    await client.sobject(Contact).create({ LastName: 'Doe', AccountId: id });
  });

  it('rejects read-only fields, unknown fields and wrong restricted picklist values', async () => {
    const accounts = client.sobject(Account);
    // @ts-expect-error CreatedDate is read-only (not createable)
    await accounts.create({ Name: 'x', CreatedDate: '2024-01-01T00:00:00.000+0000' });
    // @ts-expect-error BillingAddress is a read-only compound: write its components
    await accounts.update('001000000000001AAA', { BillingAddress: null });
    // @ts-expect-error Nmae is not a field of Account
    await accounts.create({ Name: 'x', Nmae: 'typo' });
    // @ts-expect-error 'Diamond' is not a value of the restricted picklist acme__Tier__c
    await accounts.create({ Name: 'x', acme__Tier__c: 'Diamond' });
    // @ts-expect-error Name is required on create
    await accounts.create({ Industry: 'Energy' });
    // @ts-expect-error Name is not an external id of Account
    await accounts.upsert('Name', 'x', { Name: 'x' });
    // @ts-expect-error NoSuchField is not a field of Account
    await accounts.get('001000000000001AAA', { fields: ['NoSuchField'] });
  });

  it('accepts a Date for date, datetime and time fields in create and update (the runtime formats it)', async () => {
    const widgets = client.sobject(acme__Widget__c);
    const now = new Date();
    await widgets.create({ acme__Account__c: '001000000000001AAA', acme__Launch_Date__c: now, acme__Manufactured_At__c: now, acme__Shift_Start__c: now });
    await widgets.update('a00000000000001AAA', { acme__Launch_Date__c: '2024-05-06', acme__Manufactured_At__c: null });
    await client.sobject(Task).update('00T000000000001AAA', { Call_Start__c: now, ActivityDate: now });
    // @ts-expect-error a Date is not a text value: only date, datetime and time fields take one
    await widgets.update('a00000000000001AAA', { Name: now });
  });

  it('gates create, update, upsert and delete by the describe (createable, updateable, deletable)', async () => {
    const history = client.sobject(AccountHistory);
    // @ts-expect-error AccountHistory is not createable (describe)
    await history.create({});
    // @ts-expect-error AccountHistory is not updateable (describe)
    await history.update('017000000000001AAA', {});
    // @ts-expect-error AccountHistory is not deletable (describe)
    await history.delete('017000000000001AAA');
    // @ts-expect-error AccountHistory is not createable (describe)
    await history.createMany([{}]);
    // @ts-expect-error AccountHistory is not deletable (describe)
    await history.deleteMany(['017000000000001AAA']);
    // AccountFeed: deletable, neither createable nor updateable.
    const feed = client.sobject(AccountFeed);
    await feed.delete('0D5000000000001AAA');
    await feed.deleteMany(['0D5000000000001AAA']);
    // @ts-expect-error AccountFeed is not updateable (describe)
    await feed.update('0D5000000000001AAA', {});
    // @ts-expect-error AccountFeed is not updateable (describe)
    await feed.updateMany([{ Id: '0D5000000000001AAA' }]);
    // A big object takes inserts only.
    await client.sobject(Reading_History__b).createMany([]);
    // @ts-expect-error Reading_History__b is not deletable (describe)
    await client.sobject(Reading_History__b).delete('a0B000000000001AAA');
    // The external object has an external id but cannot be upserted (neither createable nor updateable).
    const shipments = client.sobject(Shipment__x);
    // @ts-expect-error Shipment__x is not createable / updateable (describe): no upsert
    await shipments.upsert('ExternalId', 'SHP-1', {});
    // @ts-expect-error Shipment__x is not createable / updateable (describe): no upsert
    await shipments.upsertMany('ExternalId', []);
    // Objects the describe allows keep every operation.
    const accounts = client.sobject(Account);
    await accounts.delete('001000000000001AAA');
    await accounts.upsertMany('ERP_Account_Number__c', [{ Name: 'Acme' }]);
  });

  it('gates reads by id by the describe (queryable)', async () => {
    // AccountHistory is read-only but queryable: it reads by id.
    await client.sobject(AccountHistory).get('017000000000001AAA', { fields: ['Field'] });
    await client.sobject(AccountHistory).retrieveMany(['017000000000001AAA'], ['Field']);
    const events = client.sobject(Order_Event__e);
    // @ts-expect-error Order_Event__e is not queryable (describe): a platform event has no record to read by id
    await events.get('e00000000000001AAA');
    // @ts-expect-error Order_Event__e is not queryable (describe)
    await events.retrieveMany(['e00000000000001AAA'], ['Amount__c']);
    expectTypeOf<Parameters<typeof events.get>[0]>().toEqualTypeOf<'read is not allowed: Order_Event__e is not queryable (describe)'>();
  });
});
