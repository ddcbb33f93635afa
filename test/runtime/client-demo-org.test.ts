/**
 * The end-to-end slice of issue 2 §5: the generated demo org's objects, the typed client, the
 * simulator serving the bundled demo org, over real sockets.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../runtime/errors.js';
import { parseDateTime } from '../../runtime/values.js';
import { Account } from '../../generated/sobjects/Account.js';
import { Contact } from '../../generated/sobjects/Contact.js';
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
});
