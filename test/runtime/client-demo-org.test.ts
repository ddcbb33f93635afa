/**
 * The end-to-end slice of issue 2 §5: the generated demo org's objects, the typed client, the
 * simulator serving the bundled demo org, over real sockets.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../runtime/client.js';
import { ValidationError } from '../../runtime/errors.js';
import { parseDateTime } from '../../runtime/values.js';
import { Account } from '../../generated/sobjects/Account.js';
import { Contact } from '../../generated/sobjects/Contact.js';

const demoOrg = fileURLToPath(new URL('../fixtures/demo-org', import.meta.url));
let sim: Simulator;
let client: SalesforceClient;

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: demoOrg });
  client = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});

describe('typed client on the generated demo org', () => {
  it('creates, reads (validated by the generated zod validator), updates, queries and deletes', async () => {
    const accounts = client.sobject(Account);
    const { id } = await accounts.create({ Name: 'Slice Corp', acme__Tier__c: 'Gold', BillingCity: 'Lyon' });
    const row = await accounts.get(id);
    expect(Account.validator.parse(row)).toMatchObject({ Id: id, Name: 'Slice Corp', acme__Tier__c: 'Gold' });
    expect(row.BillingAddress?.city).toBe('Lyon');
    expect(parseDateTime(row.CreatedDate!).getTime()).toBeLessThanOrEqual(Date.now());
    await accounts.update(id, { acme__Tier__c: 'Platinum' });
    expect((await accounts.get(id, { fields: ['acme__Tier__c'] })).acme__Tier__c).toBe('Platinum');
    const { id: contactId } = await client.sobject(Contact).create({ LastName: 'Slice', AccountId: id });
    const rows = await client.query<{ Id: string; Account: { Name: string | null } | null }>({
      toSoql: () => `SELECT Id, Account.Name FROM Contact WHERE Id = '${contactId}'`,
    }).toArray();
    expect(rows[0]?.Account?.Name).toBe('Slice Corp');
    await client.sobject(Contact).delete(contactId);
    await accounts.delete(id);
  });

  it('a wrong restricted picklist value that slipped past the types is rejected by the org', async () => {
    const err = await client.sobject(Account).create({ Name: 'x', acme__Tier__c: 'Diamond' as 'Gold' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toContain('acme__Tier__c');
  });
});
