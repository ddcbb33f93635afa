/**
 * Type tests of typed composite plans over the GENERATED demo org: each answer is typed by its
 * subrequest, references only name earlier reference ids, and misuse does not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  compositePlan, createClient, selectFrom,
  type CompositeEntry, type QueryPage, type RecordAttributes, type RowOf, type SaveResult, type SalesforceErrorItem, type SObjectRecord, type UpsertSaveResult,
} from 'sfgen/runtime';
import { Account } from '../../../generated/sobjects/Account.js';
import { AccountHistory } from '../../../generated/sobjects/AccountHistory.js';
import { Contact } from '../../../generated/sobjects/Contact.js';
import { Shipment__x } from '../../../generated/sobjects/Shipment__x.js';
import { acme__Widget__c } from '../../../generated/sobjects/acme__Widget__c.js';
import type { Contact as ContactRecord } from '../../../generated/types/Contact.js';
import type { Account as AccountRecord } from '../../../generated/types/Account.js';

const client = createClient({ auth: { accessToken: 'token', instanceUrl: 'https://acme.my.salesforce.com' } });

describe('typed composite', () => {
  it('types each answer by its subrequest', async () => {
    const contactsQuery = selectFrom(Contact).select('Id', 'LastName').where('LastName', '=', 'Doe');
    const plan = compositePlan()
      .create('newAccount', Account, { Name: 'Acme' })
      .create('newContact', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('newAccount', 'id') }))
      .get('contact', Contact, (ref) => ref('newContact', 'id'), ['LastName', 'AccountId'])
      .query('contacts', contactsQuery)
      .query('raw', 'SELECT Id FROM Contact')
      .update('rename', Account, (ref) => ref('newAccount', 'id'), { Description: 'renamed' })
      .upsert('byErp', Account, 'ERP_Account_Number__c', 'ERP-1', { Name: 'Acme ERP' })
      .delete('drop', Contact, (ref) => ref('newContact', 'id'));
    const result = await client.composite(plan, { allOrNone: true });

    expectTypeOf(result.unwrap('newAccount')).toEqualTypeOf<SaveResult>();
    expectTypeOf(result.unwrap('byErp')).toEqualTypeOf<UpsertSaveResult>();
    expectTypeOf(result.unwrap('rename')).toEqualTypeOf<null>();
    expectTypeOf(result.unwrap('drop')).toEqualTypeOf<null>();
    const contact = result.unwrap('contact');
    expectTypeOf(contact.LastName).toEqualTypeOf<ContactRecord['LastName']>();
    expectTypeOf(contact.AccountId).toEqualTypeOf<ContactRecord['AccountId']>();
    expectTypeOf(contact.attributes).toEqualTypeOf<RecordAttributes>();
    // @ts-expect-error Email was not among the chosen fields
    void contact.Email;
    const page = result.unwrap('contacts');
    expectTypeOf(page).toEqualTypeOf<QueryPage<RowOf<typeof contactsQuery>>>();
    expectTypeOf(page.records[0]!.Id).toEqualTypeOf<string>();
    expectTypeOf(result.unwrap('raw')).toEqualTypeOf<QueryPage<SObjectRecord>>();

    // Entries discriminate on `ok`: the body is the answer or Salesforce's error array.
    const entry = result.get('newContact');
    expectTypeOf(entry).toEqualTypeOf<CompositeEntry<'newContact', SaveResult>>();
    if (entry.ok) expectTypeOf(entry.body).toEqualTypeOf<SaveResult>();
    else expectTypeOf(entry.body).toEqualTypeOf<readonly SalesforceErrorItem[]>();
    const { newAccount, drop } = result.results;
    expectTypeOf(newAccount.referenceId).toEqualTypeOf<'newAccount'>();
    if (drop.ok) expectTypeOf(drop.body).toBeNull();
    for (const e of result.entries) {
      if (e.ok && e.referenceId === 'newAccount') expectTypeOf(e.body).toEqualTypeOf<SaveResult>();
    }
    // @ts-expect-error 'nope' is not a reference id of the plan
    result.get('nope');
    // @ts-expect-error 'nope' is not a reference id of the plan
    result.unwrap('nope');
  });

  it('references name only earlier reference ids and the paths their answers have', () => {
    const start = compositePlan().create('acct', Account, { Name: 'Acme' });
    expectTypeOf(start.ref('acct', 'id')).toEqualTypeOf<'@{acct.id}'>();
    // @ts-expect-error 'newAcct' is not an earlier reference id (typo)
    start.create('ct', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('newAcct', 'id') }));
    // @ts-expect-error a save result offers only `id`
    start.create('ct', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('acct', 'Name') }));
    // @ts-expect-error a reference cannot point at a later subrequest (nothing declared yet)
    compositePlan().create('ct', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('acct', 'id') }));
    const withGet = start.get('read', Account, (ref) => ref('acct', 'id'), ['Name', 'OwnerId']);
    expectTypeOf(withGet.ref('read', 'OwnerId')).toEqualTypeOf<'@{read.OwnerId}'>();
    // @ts-expect-error Industry was not read by the get
    withGet.ref('read', 'Industry');
    const withUpdate = start.update('upd', Account, (ref) => ref('acct', 'id'), { Industry: 'Energy' });
    // @ts-expect-error an update answers 204 (null): there is nothing to reference
    withUpdate.ref('upd', 'id');
    const withQuery = start.query('q', selectFrom(Account).select('Id', 'Name'));
    expectTypeOf(withQuery.ref('q', 'records[0].Name')).toEqualTypeOf<'@{q.records[0].Name}'>();
    // @ts-expect-error Industry is not a column of the query
    withQuery.ref('q', 'records[0].Industry');
  });

  it('rejects reused reference ids and payloads Salesforce would reject', () => {
    const plan = compositePlan().create('acct', Account, { Name: 'Acme' });
    // @ts-expect-error referenceId 'acct' is already used in this plan
    plan.create('acct', Account, { Name: 'again' });
    // @ts-expect-error Name is required on create
    plan.create('a2', Account, { Industry: 'Energy' });
    // @ts-expect-error CreatedDate is read-only
    plan.update('u', Account, '001000000000001AAA', { CreatedDate: '2024-01-01T00:00:00.000+0000' });
    // @ts-expect-error Name is not an external id of Account
    plan.upsert('up', Account, 'Name', 'x', { Name: 'x' });
    // @ts-expect-error NoSuchField is not a field of Contact
    plan.get('g', Contact, '003000000000001AAA', ['NoSuchField']);
  });

  it('keeps literal types in callback payloads (restricted picklist values, Dates)', () => {
    const start = compositePlan().create('acct', Account, { Name: 'Acme' });
    // The sObject is inferred from the type argument alone: a callback's object literal is checked
    // against the concrete payload type, so 'Draft' stays a literal.
    const plan = start
      .create('w', acme__Widget__c, (ref) => ({ acme__Account__c: ref('acct', 'id'), acme__Status__c: 'Draft', acme__Launch_Date__c: new Date() }))
      .create('w2', acme__Widget__c, () => ({ acme__Account__c: '001000000000001AAA', acme__Status__c: 'Active' }))
      .update('u', acme__Widget__c, (ref) => ref('w', 'id'), () => ({ acme__Status__c: 'Discontinued' }))
      .upsert('up', acme__Widget__c, 'acme__SKU__c', 'SKU-1', (ref) => ({ acme__Account__c: ref('acct', 'id'), acme__Status__c: 'Draft' }));
    expectTypeOf(plan.ref('w', 'id')).toEqualTypeOf<'@{w.id}'>();
    // @ts-expect-error 'Recalled' is inactive: not writable
    start.create('w3', acme__Widget__c, () => ({ acme__Account__c: '001000000000001AAA', acme__Status__c: 'Recalled' }));
    // @ts-expect-error 'Nope' is not a value of the restricted picklist acme__Status__c
    start.update('u2', acme__Widget__c, '001000000000001AAA', (ref) => ({ acme__Status__c: 'Nope', Name: ref('acct', 'id') }));
  });

  it('gates subrequests by the describe (createable, updateable, deletable)', () => {
    const plan = compositePlan();
    // @ts-expect-error AccountHistory is not createable (describe)
    plan.create('h', AccountHistory, {});
    // @ts-expect-error AccountHistory is not createable (describe), a callback payload neither
    plan.create('h', AccountHistory, () => ({}));
    // @ts-expect-error AccountHistory is not updateable (describe)
    plan.update('h', AccountHistory, '017000000000001AAA', {});
    // @ts-expect-error AccountHistory is not deletable (describe)
    plan.delete('h', AccountHistory, '017000000000001AAA');
    // @ts-expect-error Shipment__x is not createable / updateable (describe): no upsert
    plan.upsert('s', Shipment__x, 'ExternalId', 'SHP-1', {});
    plan.get('h', AccountHistory, '017000000000001AAA', ['Field', 'NewValue']);
  });

  it('types graphs by graph id', async () => {
    const g1 = compositePlan().create('acct', Account, { Name: 'Acme' }).create('ct', Contact, (ref) => ({ LastName: 'Doe', AccountId: ref('acct', 'id') }));
    const g2 = compositePlan().get('read', Account, '001000000000001AAA', ['Name']);
    const graphs = await client.compositeGraph({ g1, g2 });
    expectTypeOf(graphs.g1.isSuccessful).toEqualTypeOf<boolean>();
    expectTypeOf(graphs.g1.graphResponse.unwrap('ct')).toEqualTypeOf<SaveResult>();
    expectTypeOf(graphs.g2.graphResponse.unwrap('read').Name).toEqualTypeOf<AccountRecord['Name']>();
    // @ts-expect-error g3 is not a graph of the request
    void graphs.g3;
    // @ts-expect-error 'acct' belongs to graph g1, not g2
    graphs.g2.graphResponse.get('acct');
  });

  it('keeps the untyped low-level call', async () => {
    const raw = await client.composite([{ method: 'GET', url: 'limits', referenceId: 'l' }]);
    expectTypeOf(raw.compositeResponse[0]!.body).toEqualTypeOf<unknown>();
  });
});
