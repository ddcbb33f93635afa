/**
 * The README's quick-start, as code that CI type-checks (strict) and runs against the simulator
 * (`quickstart.test.ts`). Keep the two in step: if this changes, update README.md.
 */
import { childRecords, like, selectFrom, soql, type SalesforceClient } from 'sfgen/runtime';
import { Account } from '../../generated/sobjects/Account.js';
import type { AccountCreate } from '../../generated/types/Account.js';
import type {} from '../../generated/types/Contact.js'; // child objects used in subqueries must be loaded

export async function quickstart(client: SalesforceClient): Promise<{ id: string; names: string[]; contacts: number; checked: number }> {
  // Typed writes: read-only fields, unknown fields and wrong restricted picklist values don't compile.
  const input: AccountCreate = { Name: 'Acme', Industry: 'Banking', BillingCity: 'Paris', acme__Tier__c: 'Gold' };
  const { id } = await client.sobject(Account).create(input);
  await client.sobject(Account).update(id, { Phone: '+33 1 23 45 67 89' });
  const row = await client.sobject(Account).get(id, { fields: ['Name', 'Phone', 'acme__Tier__c'] });

  // Typed SOQL: unknown fields and relationships are compile errors; rows are typed by the selection.
  const q = selectFrom(Account)
    .select('Id', 'Name', 'Owner.Name')
    .subquery('Contacts', (c) => c.select('LastName', 'Email'))
    .where('Name', 'LIKE', like.startsWith('A'))
    .orderBy('Name', 'ASC', 'NULLS LAST')
    .limit(20);
  const names: string[] = [];
  let contacts = 0;
  for await (const account of client.query(q)) {
    names.push(account.Name ?? '(no name)');
    const owner: string | null = account.Owner.Name; // the owner lookup is required; the name may be null
    void owner;
    contacts += childRecords(account.Contacts).length;
  }

  // Checked SOQL strings: parsed at compile time; values are :binds, escaped at run time.
  const checked = await client.query(soql('SELECT Id, Name FROM Account WHERE Name = :name', { name: row.Name ?? '' })).toArray();
  return { id, names, contacts, checked: checked.length };
}
