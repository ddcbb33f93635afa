/**
 * End to end: builder queries and checked strings over the generated demo org, sent by the runtime
 * client to the org simulator over a real socket, return records of the promised shape.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type RowOf, type SalesforceClient, type TypedQuery } from 'sfgen/runtime';
import { startSimulator, type Simulator } from 'sfgen/simulator';
import { childRecords, selectFrom } from '../../../runtime/soql/builder.js';
import { soql } from '../../../runtime/soql/checked.js';
import { dateLiteral, like, soqlDate } from '../../../runtime/soql/values.js';
import { Account } from '../../../generated/sobjects/Account.js';
import { Contact } from '../../../generated/sobjects/Contact.js';
import { Opportunity } from '../../../generated/sobjects/Opportunity.js';
import { Task } from '../../../generated/sobjects/Task.js';

const ORG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/demo-org');

interface SeedRecord {
  readonly Id: string;
  readonly [field: string]: unknown;
}
const seed = (name: string): SeedRecord[] =>
  JSON.parse(readFileSync(path.join(ORG, 'records', `${name}.json`), 'utf8')) as SeedRecord[];
const accounts = seed('Account');
const users = new Map(seed('User').map((u) => [u.Id, u]));
const contacts = seed('Contact');
const opportunities = seed('Opportunity');
const taskDescribe = JSON.parse(readFileSync(path.join(ORG, 'sobjects', 'Task.json'), 'utf8')) as {
  fields: { name: string; referenceTo: string[] }[];
};
const whatTargets = taskDescribe.fields.find((f) => f.name === 'WhatId')?.referenceTo ?? [];

let sim: Simulator;
let client: SalesforceClient;

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: ORG, port: 0 });
  client = createClient({
    auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url },
    allowInsecureLoopback: true,
    retry: false,
  });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

async function rows<R>(q: TypedQuery<R>): Promise<R[]> {
  return client.query(q).toArray();
}

describe('builder queries against the simulator', () => {
  it('returns fields, nested parents and child subqueries as typed', async () => {
    const q = selectFrom(Account)
      .select('Id', 'Name', 'OwnerId', 'Owner.Name', 'Owner.Email', 'Parent.Name')
      .subquery('Contacts', (c) => c.select('Id', 'LastName', 'AccountId').orderBy('LastName'))
      .orderBy('Name')
      .limit(20);
    const result: RowOf<typeof q>[] = await rows(q);
    expect(result.length).toBe(Math.min(20, accounts.length));
    const names = result.map((r) => r.Name);
    expect(names).toEqual([...names].sort((a, b) => String(a).localeCompare(String(b))));
    for (const row of result) {
      expect(row.attributes.type).toBe('Account');
      expect(typeof row.Id).toBe('string');
      const owner = users.get(String(row.OwnerId));
      expect(row.Owner.attributes.type).toBe('User');
      expect(row.Owner.Name).toBe(owner?.Name ?? null);
      expect(row.Owner.Email).toBe(owner?.Email ?? null);
      expect(row.Parent === null || row.Parent.attributes.type === 'Account').toBe(true);
      const expected = contacts.filter((c) => c.AccountId === row.Id);
      if (expected.length === 0) expect(row.Contacts).toBeNull();
      else {
        expect(row.Contacts?.totalSize).toBe(expected.length);
        expect(row.Contacts?.done).toBe(true);
      }
      for (const contact of childRecords(row.Contacts)) {
        expect(contact.attributes.type).toBe('Contact');
        expect(contact.AccountId).toBe(row.Id);
      }
    }
  });

  it('returns polymorphic parents discriminated on attributes.type', async () => {
    const q = selectFrom(Task).select('Id', 'WhatId', 'What.Name', 'Who.Name');
    const result = await rows(q);
    expect(result.length).toBeGreaterThan(0);
    for (const row of result) {
      if (row.What === null) {
        expect(row.WhatId).toBeNull();
        continue;
      }
      // Every target the describe lists (Contract and Order included, though not generated).
      expect(whatTargets).toContain(row.What.attributes.type);
      expect(row.What.Name === null || typeof row.What.Name === 'string').toBe(true);
      if (row.What.attributes.type === 'Account') {
        expect(row.What.Name).toBe(accounts.find((a) => a.Id === row.WhatId)?.Name);
      }
    }
    expect(result.some((r) => r.Who?.attributes.type === 'Lead')).toBe(true);
    expect(result.some((r) => r.Who?.attributes.type === 'Contact')).toBe(true);
  });

  it('runs TYPEOF', async () => {
    const q = selectFrom(Task).select('Id').typeOf('Who', { Contact: ['LastName', 'Email'], Lead: ['Company'] });
    const result = await rows(q);
    for (const row of result) {
      if (row.Who === null) continue;
      if (row.Who.attributes.type === 'Contact') expect(row.Who).toHaveProperty('Email');
      else expect(row.Who).toHaveProperty('Company');
    }
    expect(result.some((r) => r.Who?.attributes.type === 'Lead')).toBe(true);
  });

  it('runs aggregates with aliases and expr0', async () => {
    const q = selectFrom(Opportunity).select('StageName').aggregate('COUNT', 'Id').aggregate('SUM', 'Amount', 'total').groupBy('StageName');
    const result = await rows(q);
    const byStage = new Map(result.map((r) => [r.StageName, r]));
    for (const stage of new Set(opportunities.map((o) => o.StageName as string))) {
      const expected = opportunities.filter((o) => o.StageName === stage);
      const row = byStage.get(stage as never);
      expect(row?.attributes.type).toBe('AggregateResult');
      expect(row?.expr0).toBe(expected.length);
      const sum = expected.reduce((s, o) => s + (typeof o.Amount === 'number' ? o.Amount : 0), 0);
      expect(row?.total).toBeCloseTo(sum, 2);
    }
  });

  it('filters with semi-joins, IN lists, LIKE, dates and nested conditions', async () => {
    const withContacts = await rows(
      selectFrom(Account).select('Id').where('Id', 'IN', selectFrom(Contact).select('AccountId')),
    );
    expect(new Set(withContacts.map((r) => r.Id))).toEqual(
      new Set(accounts.filter((a) => contacts.some((c) => c.AccountId === a.Id)).map((a) => a.Id)),
    );
    const first = accounts[0] as SeedRecord;
    const byName = await rows(
      selectFrom(Account)
        .select('Id', 'Name')
        .where((eb) => eb.or([eb('Name', 'LIKE', like.startsWith(String(first.Name))), eb('Id', 'IN', [first.Id])])),
    );
    expect(byName.map((r) => r.Id)).toContain(first.Id);
    const closed = await rows(selectFrom(Opportunity).select('Id', 'CloseDate').where('CloseDate', '>=', soqlDate('1900-01-01')));
    expect(closed.length).toBe(opportunities.filter((o) => typeof o.CloseDate === 'string').length);
    const recent = await rows(selectFrom(Opportunity).select('Id').where('CloseDate', '<', dateLiteral('NEXT_N_YEARS', 100)));
    expect(recent.length).toBeGreaterThan(0);
  });

  it('treats a hostile value as data: no injection', async () => {
    const hostile = "x' OR Name != 'y";
    const result = await rows(selectFrom(Account).select('Id').where('Name', '=', hostile));
    expect(result).toEqual([]);
    const hostileLike = await rows(selectFrom(Account).select('Id').where('Name', 'LIKE', like.contains('%')));
    expect(hostileLike).toEqual([]);
  });
});

describe('checked strings against the simulator', () => {
  it('returns the rows the text promises, binds escaped', async () => {
    const target = contacts.find((c) => typeof c.AccountId === 'string' && typeof c.LastName === 'string') as SeedRecord;
    const q = soql(
      `SELECT Id, LastName, Account.Name, Account.Owner.Name
         FROM Contact
        WHERE LastName = :last AND AccountId IN :accountIds
        ORDER BY LastName`,
      { last: String(target.LastName), accountIds: [String(target.AccountId)] },
    );
    const result = await rows(q);
    expect(result.length).toBeGreaterThan(0);
    for (const row of result) {
      expect(row.attributes.type).toBe('Contact');
      expect(row.LastName).toBe(target.LastName);
      const account = accounts.find((a) => a.Id === target.AccountId);
      expect(row.Account?.Name).toBe(account?.Name);
      expect(row.Account?.Owner.Name).toBe(users.get(String(account?.OwnerId))?.Name);
    }
  });

  it('runs subqueries and aggregates written as text', async () => {
    const q = soql('SELECT Name, (SELECT Amount FROM Opportunities) FROM Account ORDER BY Name LIMIT 5');
    for (const row of await rows(q)) {
      for (const opp of childRecords(row.Opportunities)) expect(opp.attributes.type).toBe('Opportunity');
    }
    const agg = soql('SELECT COUNT(Id) n FROM Contact');
    const [count] = await rows(agg);
    expect(count?.n).toBe(contacts.length);
  });

  it('filters, sorts and groups with clauses checked at compile time', async () => {
    const target = opportunities.find((o) => typeof o.Amount === 'number' && typeof o.StageName === 'string') as SeedRecord;
    const min = (target.Amount as number) - 1;
    const q = soql(
      `SELECT Id, Name, Amount, StageName, Account.Name
         FROM Opportunity
        WHERE Amount > :min AND StageName IN :stages AND (Name LIKE :name OR Name != 'it\\'s, (not) :a bind')
          AND AccountId IN (SELECT Id FROM Account WHERE Name != null)
        ORDER BY Amount DESC NULLS LAST, Name
        LIMIT :limit`,
      { min, stages: [target.StageName as never], name: like.contains(''), limit: 50 },
    );
    const result: RowOf<typeof q>[] = await rows(q);
    const expected = opportunities.filter(
      (o) => typeof o.Amount === 'number' && o.Amount > min && o.StageName === target.StageName && typeof o.AccountId === 'string'
        && typeof accounts.find((a) => a.Id === o.AccountId)?.Name === 'string',
    );
    expect(result.length).toBeGreaterThan(0);
    expect(new Set(result.map((r) => r.Id))).toEqual(new Set(expected.slice(0, 50).map((o) => o.Id)));
    const amounts = result.map((r) => r.Amount as number);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    for (const row of result) {
      expect(row.attributes.type).toBe('Opportunity');
      expect(row.StageName).toBe(target.StageName);
      expect(row.Account === null || typeof row.Account.Name === 'string' || row.Account.Name === null).toBe(true);
    }
  });

  it('accepts names in any case and returns rows keyed by the API names, as Salesforce does', async () => {
    const target = contacts.find((c) => typeof c.AccountId === 'string' && typeof c.LastName === 'string') as SeedRecord;
    const lower = soql(
      `select id, name, owner.name, (select lastname, account.name from contacts order by lastname) from account
        where id = :id order by name`,
      { id: String(target.AccountId) },
    );
    const canonical = soql(
      `SELECT Id, Name, Owner.Name, (SELECT LastName, Account.Name FROM Contacts ORDER BY LastName) FROM Account
        WHERE Id = :id ORDER BY Name`,
      { id: String(target.AccountId) },
    );
    const result: RowOf<typeof canonical>[] = await rows(lower);
    expect(result).toHaveLength(1);
    expect(result).toEqual(await rows(canonical));
    const [row] = result;
    expect(Object.keys(row ?? {})).toEqual(['attributes', 'Id', 'Name', 'Owner', 'Contacts']);
    expect(row?.attributes.type).toBe('Account');
    expect(Object.keys(row?.Owner ?? {})).toEqual(['attributes', 'Name']);
    const children = childRecords(row?.Contacts ?? null);
    expect(children.length).toBe(contacts.filter((c) => c.AccountId === target.AccountId).length);
    for (const child of children) {
      expect(Object.keys(child)).toEqual(['attributes', 'LastName', 'Account']);
      expect(child.attributes.type).toBe('Contact');
    }
    const grouped = await rows(soql('select stagename, count(id) n from OPPORTUNITY group by stagename'));
    for (const g of grouped) expect(Object.keys(g).sort()).toEqual(['StageName', 'attributes', 'n']);
    expect(grouped.reduce((sum, g) => sum + g.n, 0)).toBe(opportunities.length);
  });

  it('groups without an aggregate function and filters groups with HAVING', async () => {
    const grouped = await rows(soql('SELECT StageName FROM Opportunity GROUP BY StageName'));
    expect(new Set(grouped.map((r) => r.StageName))).toEqual(new Set(opportunities.map((o) => o.StageName ?? null)));
    for (const row of grouped) expect(row.attributes.type).toBe('AggregateResult');
    const busy = await rows(soql('SELECT StageName, COUNT(Id) n FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > :atLeast', { atLeast: 1 }));
    const counts = new Map<unknown, number>();
    for (const o of opportunities) counts.set(o.StageName ?? null, (counts.get(o.StageName ?? null) ?? 0) + 1);
    expect(new Map(busy.map((r) => [r.StageName, r.n]))).toEqual(new Map([...counts].filter(([, n]) => n > 1)));
  });
});
