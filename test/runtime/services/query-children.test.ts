/**
 * The query iterator completes child subquery envelopes that the simulator paged (`done: false`
 * with their own `nextRecordsUrl`), over real sockets: every child row is delivered.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../../runtime/client.js';
import { MalformedQueryError } from '../../../runtime/errors.js';
import { writeMiniOrg } from '../fixtures/mini-org.js';

interface Row {
  Id: string;
  Name: string;
  Contacts: { totalSize: number; done: boolean; nextRecordsUrl?: string; records: { LastName: string }[] } | null;
}

let sim: Simulator;
let client: SalesforceClient;
let dir: string;
const sizes = [25, 0, 7, 8, 15];

beforeAll(async () => {
  dir = writeMiniOrg({ accounts: 0 });
  sim = await startSimulator({ metadataDir: dir, pageSize: 2, childPageSize: 7 });
  client = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true });
  sizes.forEach((n, a) => {
    const id = sim.store.insert('Account', { Name: `Parent ${a}` }).Id as string;
    for (let i = 0; i < n; i++) sim.store.insert('Contact', { LastName: `P${a} kid ${String(i).padStart(2, '0')}`, AccountId: id });
  });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const SOQL = 'SELECT Id, Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name';
const expected = (a: number): string[] => Array.from({ length: sizes[a]! }, (_, i) => `P${a} kid ${String(i).padStart(2, '0')}`);

describe('paged child subqueries', () => {
  it('delivers every child row of every parent, following each nested nextRecordsUrl', async () => {
    sim.resetStats();
    const rows: Row[] = [];
    for await (const row of client.query<Row>({ toSoql: () => SOQL })) rows.push(row);
    expect(rows.map((r) => r.Name)).toEqual(sizes.map((_, a) => `Parent ${a}`));
    rows.forEach((row, a) => {
      if (sizes[a] === 0) return expect(row.Contacts).toBeNull();
      expect(row.Contacts!.records.map((c) => c.LastName)).toEqual(expected(a));
      expect(row.Contacts!.done).toBe(true);
      expect(row.Contacts!.totalSize).toBe(sizes[a]);
      expect(row.Contacts).not.toHaveProperty('nextRecordsUrl');
    });
    // 3 top-level pages (2 parents a page); child pages: 25 -> 3 more, 8 -> 1, 15 -> 2.
    const stats = sim.stats();
    expect(stats.byRoute['GET /query']).toBe(1);
    expect(stats.byRoute['GET /query/{locator}']).toBe(2 + 3 + 1 + 2);
  });

  it('childPages: false leaves the envelopes as sent, cursor included (nothing dropped silently)', async () => {
    const rows = await client.query<Row>({ toSoql: () => SOQL }, { childPages: false }).toArray();
    const first = rows[0]!.Contacts!;
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(7);
    expect(first.nextRecordsUrl).toMatch(/\/query\/01g[A-Za-z0-9]+-7$/);
    expect(rows[2]!.Contacts!.done).toBe(true);
  });

  it('stops at maxRecords without fetching children of parents it does not deliver', async () => {
    sim.resetStats();
    const rows = await client.query<Row>({ toSoql: () => SOQL }, { maxRecords: 1 }).toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.Contacts!.records).toHaveLength(25);
    expect(sim.stats().byRoute['GET /query/{locator}']).toBe(3);
  });

  it('a failing child page surfaces as a typed error naming the child cursor request', async () => {
    const fault = sim.faults.add({ route: /\/query\/01g[A-Za-z0-9]+-14$/, status: 400, errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' });
    try {
      const err = await client.query<Row>({ toSoql: () => SOQL }).toArray().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MalformedQueryError);
      expect((err as MalformedQueryError).errorCode).toBe('INVALID_QUERY_LOCATOR');
      expect((err as MalformedQueryError).request?.path).toMatch(/^\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]+-14$/);
      expect(fault.fired).toBe(1);
    } finally {
      fault.remove();
    }
  });
});
