/**
 * The engine over the bundled demo org (loaded as the simulator loads it): every queryable object
 * answers a SELECT of all its fields, of every parent relationship and of every child relationship,
 * and results agree with the stored records.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMetadataDir } from '../../../../runtime/simulation/loader.js';
import { SimOrg } from '../../../../runtime/simulation/store.js';
import { executeQuery } from '../../../../runtime/simulation/query/index.js';

let org: SimOrg;
const run = (soql: string) => executeQuery(soql, org, { includeDeleted: false, apiVersion: '60.0' });

beforeAll(async () => {
  const loaded = await loadMetadataDir('test/fixtures/demo-org');
  org = new SimOrg(loaded, { orgLastModified: new Date('2024-01-01T00:00:00Z'), defaultUserId: '005000000000001AAA', now: () => Date.parse('2024-06-01T00:00:00Z') });
});

describe('executeQuery over the demo org', () => {
  it('selects every field, parent relationship and child relationship of every queryable object', () => {
    let queries = 0;
    for (const name of org.objectNames()) {
      const d = org.describe(name);
      if (!d?.queryable) continue;
      const all = run(`SELECT ${d.fields.map((f) => f.name).join(', ')} FROM ${name}`);
      expect(all.totalSize, name).toBe(org.records(name).length);
      queries++;
      const parents = d.fields.filter((f) => f.relationshipName && f.referenceTo.length > 0).map((f) => `${f.relationshipName}.Id`);
      if (parents.length > 0) {
        run(`SELECT ${parents.join(', ')} FROM ${name}`);
        queries++;
      }
      for (const c of d.childRelationships) {
        if (!c.relationshipName || !org.describe(c.childSObject)) continue;
        run(`SELECT Id, (SELECT Id FROM ${c.relationshipName}) FROM ${name} LIMIT 5`);
        queries++;
      }
    }
    expect(queries).toBeGreaterThan(50);
  });

  it('returns as many child rows as records point at their parent', () => {
    const result = run('SELECT Id, (SELECT Id FROM Contacts) FROM Account');
    const contacts = org.records('Contact');
    for (const rec of result.records as { Id: string; Contacts: { totalSize: number } | null }[]) {
      const expected = contacts.filter((c) => c.AccountId === rec.Id).length;
      expect(rec.Contacts?.totalSize ?? 0).toBe(expected);
      if (expected === 0) expect(rec.Contacts).toBeNull();
    }
  });

  it('agrees with a hand count for a filtered aggregate', () => {
    const opps = org.records('Opportunity');
    const expected = new Map<string, number>();
    for (const o of opps) expected.set(String(o.StageName), (expected.get(String(o.StageName)) ?? 0) + 1);
    const result = run('SELECT StageName, COUNT(Id) n FROM Opportunity GROUP BY StageName');
    expect(new Map((result.records as { StageName: string; n: number }[]).map((r) => [r.StageName, r.n]))).toEqual(expected);
  });
});
