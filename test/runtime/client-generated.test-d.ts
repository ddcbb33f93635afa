/**
 * Type tests of application-style code against the GENERATED demo org (generated/): the typed
 * client compiles under strict, and what Salesforce would reject does not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, type SfDateTime } from 'sfgen/runtime';
import { Account } from '../../generated/sobjects/Account.js';
import { Contact } from '../../generated/sobjects/Contact.js';

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
});
