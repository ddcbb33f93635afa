/**
 * Type tests of sfgen/bulk against the generated demo org: typed ingest inputs are the generated
 * create/update payloads (what Salesforce would reject does not compile), and Bulk query rows are
 * the REST query's rows without `attributes`.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, selectFrom, soql, type CreateOf, type RowOf, type SfDate } from 'sfgen/runtime';
import { bulk, type BulkRow, type IngestResult, type IngestSummary } from '../../../../runtime/services/bulk/index.js';
import { Account } from '../../../../generated/sobjects/Account.js';
import { Contact } from '../../../../generated/sobjects/Contact.js';

const client = createClient({ auth: { accessToken: 'token', instanceUrl: 'https://acme.my.salesforce.com' } });
const b = bulk(client);

describe('typed ingest inputs', () => {
  it('accepts the generated payloads, arrays and async iterables', async () => {
    const run = b.insert(Contact, [{ LastName: 'Ada', Birthdate: '1815-12-10', DoNotCall: true }]);
    expectTypeOf(run.done()).resolves.toEqualTypeOf<IngestSummary>();
    for await (const result of run) {
      expectTypeOf(result).toEqualTypeOf<IngestResult<CreateOf<typeof Contact>>>();
      if (result.status === 'succeeded') {
        expectTypeOf(result.id).toEqualTypeOf<string>();
        expectTypeOf(result.created).toEqualTypeOf<boolean>();
        expectTypeOf(result.input.Birthdate).toEqualTypeOf<SfDate | Date | null | undefined>(); // inputs take Date objects (#10)
      }
      if (result.status === 'failed') expectTypeOf(result.error.fields).toEqualTypeOf<readonly string[]>();
    }
    async function* gen(): AsyncGenerator<CreateOf<typeof Contact>> {
      yield { LastName: 'Grace' };
    }
    b.insert(Contact, gen());
    b.update(Contact, [{ Id: '003000000000001AAA', Title: 'Dr' }]);
    b.upsert(Account, 'ERP_Account_Number__c', [{ ERP_Account_Number__c: 'E-1', Name: 'Acme' }]);
    b.delete(Contact, ['003000000000001AAA', { Id: '003000000000002AAA' }]);
    b.hardDelete(Contact, ['003000000000001AAA']);
  });

  it('rejects what Salesforce would reject', () => {
    // @ts-expect-error LastName is required on create
    b.insert(Contact, [{ FirstName: 'no last name' }]);
    // @ts-expect-error Name is read-only on Contact (a compound of its components)
    b.insert(Contact, [{ LastName: 'x', Name: 'full' }]);
    // @ts-expect-error DoNotCall is a boolean
    b.insert(Contact, [{ LastName: 'x', DoNotCall: 'yes' }]);
    // @ts-expect-error an update needs the record's Id
    b.update(Contact, [{ Title: 'Dr' }]);
    // @ts-expect-error Name is no external id field of Account
    b.upsert(Account, 'Name', [{ Name: 'Acme' }]);
    // @ts-expect-error an upsert record must carry its external id
    b.upsert(Account, 'ERP_Account_Number__c', [{ Name: 'Acme' }]);
    // @ts-expect-error delete takes ids
    b.delete(Contact, [{ LastName: 'x' }]);
  });
});

describe('typed query rows', () => {
  it('are the REST rows without attributes, from the builder and from checked soql()', async () => {
    const q = selectFrom(Contact).select('Id', 'LastName', 'DoNotCall', 'Account.Name');
    for await (const row of b.query(q, { types: [Contact, Account] })) {
      expectTypeOf(row).toEqualTypeOf<BulkRow<RowOf<typeof q>>>();
      expectTypeOf(row.LastName).toEqualTypeOf<string | null>();
      expectTypeOf(row.DoNotCall).toEqualTypeOf<boolean>();
      expectTypeOf<null>().toExtend<typeof row.Account>();
      expectTypeOf<keyof NonNullable<typeof row.Account>>().toEqualTypeOf<'Name'>();
      // @ts-expect-error Bulk CSV carries no attributes
      void row.attributes;
      // @ts-expect-error not selected
      void row.Title;
    }
    const checked = soql('SELECT Id, Email FROM Contact');
    for await (const row of b.queryAll(checked, { types: [Contact] })) {
      expectTypeOf(row.Email).toEqualTypeOf<string | null>();
      expectTypeOf(row.Id).toEqualTypeOf<string>();
    }
    for await (const row of b.query('SELECT Id FROM Contact')) expectTypeOf(row).toEqualTypeOf<Record<string, unknown>>();
  });
});
