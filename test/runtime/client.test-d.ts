/**
 * Type tests: application-style code against the typed client compiles under strict, and what
 * Salesforce would reject does not. Uses the hand-written mini-org modules (shaped like generated
 * code per runtime/schema.ts).
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createClient, jwtBearer, type RecordOf, type SaveResult, type SObjectRecord, type TypedQuery, type UpsertResult } from 'sfgen/runtime';
import { Account, Contact, type AccountRating } from './fixtures/sobjects.js';

declare const privateKey: string;
const client = createClient({
  auth: jwtBearer({ clientId: 'id', username: 'u@example.com', privateKey, loginUrl: 'https://test.salesforce.com' }),
  apiVersion: '60.0',
});

describe('typed record operations', () => {
  it('compiles application-style code', async () => {
    const accounts = client.sobject(Account);
    const created = await accounts.create({ Name: 'Acme', Rating: 'Hot', Founded__c: '1999-12-31', Industry: 'Anything: open picklist' });
    expectTypeOf(created).toEqualTypeOf<SaveResult>();
    const row = await accounts.get(created.id, { fields: ['Name', 'Rating'] });
    expectTypeOf(row.Name).toEqualTypeOf<string | null>();
    expectTypeOf(row.Rating).toEqualTypeOf<AccountRating | null>();
    // Only the chosen fields are on the row.
    // @ts-expect-error Industry was not selected
    void row.Industry;
    const full = await accounts.get(created.id);
    expectTypeOf(full.CreatedDate).toEqualTypeOf<string>();
    expectTypeOf<RecordOf<typeof Account>>().toHaveProperty('AnnualRevenue');
    await accounts.update(created.id, { Rating: null, AnnualRevenue: 10 });
    const upserted = await accounts.upsert('Ext_Id__c', 'EXT-1', { Name: 'Acme' });
    expectTypeOf(upserted).toEqualTypeOf<UpsertResult>();
    await accounts.delete(created.id);
    await client.sobject(Contact).create({ LastName: 'Doe', AccountId: created.id });
  });

  it('rejects writing a read-only field', async () => {
    // @ts-expect-error CreatedDate is not createable (read-only system field)
    await client.sobject(Account).create({ Name: 'x', CreatedDate: '2024-01-01T00:00:00.000+0000' });
    // @ts-expect-error Id is not updateable
    await client.sobject(Account).update('001000000000001AAA', { Id: '001000000000002AAA' });
  });

  it('rejects an unknown field', async () => {
    // @ts-expect-error Nmae is not a field of Account
    await client.sobject(Account).create({ Name: 'x', Nmae: 'typo' });
    // @ts-expect-error Bogus__c is not a field of Account
    await client.sobject(Account).get('001000000000001AAA', { fields: ['Bogus__c'] });
  });

  it('rejects a wrong restricted picklist value', async () => {
    // @ts-expect-error 'Lukewarm' is not a value of the restricted picklist Rating
    await client.sobject(Account).create({ Name: 'x', Rating: 'Lukewarm' });
    // @ts-expect-error 'hot' (lower case) is not a value of the restricted picklist Rating
    await client.sobject(Account).update('001000000000001AAA', { Rating: 'hot' });
  });

  it('requires required fields on create', async () => {
    // @ts-expect-error Name is required on create
    await client.sobject(Account).create({ Rating: 'Hot' });
  });

  it('only accepts external id fields for upsert', async () => {
    // @ts-expect-error Name is not an external id
    await client.sobject(Account).upsert('Name', 'x', { Name: 'x' });
  });
});

describe('queries', () => {
  it('types rows of a TypedQuery and of a string query', async () => {
    const q = {} as TypedQuery<{ Id: string; Name: string | null }>;
    for await (const row of client.query(q)) {
      expectTypeOf(row).toEqualTypeOf<{ Id: string; Name: string | null }>();
    }
    const rows = await client.query('SELECT Id FROM Account', { maxRecords: 10 }).toArray();
    expectTypeOf(rows).toEqualTypeOf<SObjectRecord[]>();
    expectTypeOf(rows[0]).toEqualTypeOf<SObjectRecord | undefined>();
  });
});
