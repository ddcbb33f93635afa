/**
 * The end-to-end slice of issue 2 §5: the generated demo org's objects, the typed client, the
 * simulator serving the bundled demo org, over real sockets.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../runtime/errors.js';
import { parseDateTime } from '../../runtime/values.js';
import { compositePlan } from '../../runtime/services/composite-plan.js';
import { Account } from '../../generated/sobjects/Account.js';
import { Contact } from '../../generated/sobjects/Contact.js';
import { acme__Widget__c } from '../../generated/sobjects/acme__Widget__c.js';
import { useDemoOrg } from './helpers/demo-org.js';

const demo = useDemoOrg();

describe('typed client on the generated demo org', () => {
  it('creates, reads (validated by the generated zod validator), updates, queries and deletes', async () => {
    const accounts = demo.client.sobject(Account);
    const { id } = await accounts.create({ Name: 'Slice Corp', acme__Tier__c: 'Gold', BillingCity: 'Lyon' });
    const row = await accounts.get(id);
    expect(Account.validator.parse(row)).toMatchObject({ Id: id, Name: 'Slice Corp', acme__Tier__c: 'Gold' });
    expect(row.BillingAddress?.city).toBe('Lyon');
    expect(parseDateTime(row.CreatedDate!).getTime()).toBeLessThanOrEqual(Date.now());
    await accounts.update(id, { acme__Tier__c: 'Platinum' });
    expect((await accounts.get(id, { fields: ['acme__Tier__c'] })).acme__Tier__c).toBe('Platinum');
    const { id: contactId } = await demo.client.sobject(Contact).create({ LastName: 'Slice', AccountId: id });
    const rows = await demo.client.query<{ Id: string; Account: { Name: string | null } | null }>({
      toSoql: () => `SELECT Id, Account.Name FROM Contact WHERE Id = '${contactId}'`,
    }).toArray();
    expect(rows[0]?.Account?.Name).toBe('Slice Corp');
    await demo.client.sobject(Contact).delete(contactId);
    await accounts.delete(id);
  });

  it('a wrong restricted picklist value that slipped past the types is rejected by the org', async () => {
    const err = await demo.client.sobject(Account).create({ Name: 'x', acme__Tier__c: 'Diamond' as 'Gold' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toContain('acme__Tier__c');
  });

  it('writes Date values to date, datetime and time fields, formatted by the field type', async () => {
    const { id: accountId } = await demo.client.sobject(Account).create({ Name: 'Dates Corp' });
    const at = new Date(Date.UTC(2024, 4, 6, 9, 15, 27, 250));
    const widgets = demo.client.sobject(acme__Widget__c);
    const { id } = await widgets.create({ acme__Account__c: accountId, acme__Launch_Date__c: at, acme__Manufactured_At__c: at, acme__Shift_Start__c: at });
    const row = await widgets.get(id, { fields: ['acme__Launch_Date__c', 'acme__Manufactured_At__c', 'acme__Shift_Start__c'] });
    expect(row.acme__Launch_Date__c).toBe('2024-05-06');
    expect(parseDateTime(row.acme__Manufactured_At__c!).getTime()).toBe(at.getTime());
    expect(row.acme__Shift_Start__c).toBe('09:15:27.250Z');
    await widgets.update(id, { acme__Shift_Start__c: new Date(Date.UTC(2000, 0, 1, 23, 59, 0)) });
    expect((await widgets.get(id, { fields: ['acme__Shift_Start__c'] })).acme__Shift_Start__c).toBe('23:59:00.000Z');
    await widgets.delete(id);
    await demo.client.sobject(Account).delete(accountId);
  });

  it('sends a composite plan whose payloads are callbacks (literal picklist values, Dates)', async () => {
    const plan = compositePlan()
      .create('acct', Account, { Name: 'Composite Corp' })
      .create('w', acme__Widget__c, (ref) => ({ acme__Account__c: ref('acct', 'id'), acme__Status__c: 'Active', acme__Launch_Date__c: new Date(Date.UTC(2024, 0, 31)) }))
      .get('read', acme__Widget__c, (ref) => ref('w', 'id'), ['acme__Status__c', 'acme__Launch_Date__c']);
    const result = await demo.client.composite(plan, { allOrNone: true });
    expect(result.ok).toBe(true);
    expect(result.unwrap('read')).toMatchObject({ acme__Status__c: 'Active', acme__Launch_Date__c: '2024-01-31' });
  });
});
