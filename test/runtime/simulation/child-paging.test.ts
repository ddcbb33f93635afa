/**
 * Child subquery paging: a parent with more children than `childPageSize` gets a child envelope
 * with `done: false` and its own `nextRecordsUrl`, whose locator serves the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { startSimulator } from 'sfgen/simulator';
import { call, startTiny, TINY_ORG, V } from './helpers.js';

interface Envelope {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: { Id: string; LastName: string }[];
}
interface Page {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: { Id: string; Name: string; Contacts: Envelope | null }[];
}

let sim: Simulator;
let token: string;
let bigId: string;
let smallId: string;

beforeAll(async () => {
  sim = await startTiny({ childPageSize: 7 });
  token = sim.issueAccessToken();
  bigId = sim.store.insert('Account', { Name: 'ChildPaging Big' }).Id as string;
  smallId = sim.store.insert('Account', { Name: 'ChildPaging Small' }).Id as string;
  for (let i = 0; i < 20; i++) sim.store.insert('Contact', { LastName: `Kid ${String(i).padStart(2, '0')}`, AccountId: bigId });
  for (let i = 0; i < 3; i++) sim.store.insert('Contact', { LastName: `Small ${i}`, AccountId: smallId });
});
afterAll(async () => {
  await sim.close();
});

const SOQL = "SELECT Id, Name, (SELECT Id, LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name LIKE 'ChildPaging%' ORDER BY Name";

describe('child subquery paging', () => {
  it('cuts a large child envelope to childPageSize with done: false and a locator serving the rest', async () => {
    const first = (await call(sim, token, 'GET', `${V}/query?q=${encodeURIComponent(SOQL)}`)).json as Page;
    expect(first.done).toBe(true);
    const [big, small] = first.records;
    expect(big!.Contacts).toMatchObject({ totalSize: 20, done: false });
    expect(big!.Contacts!.records).toHaveLength(7);
    expect(big!.Contacts!.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]+-7$/);
    expect(small!.Contacts).toMatchObject({ totalSize: 3, done: true });
    expect(small!.Contacts).not.toHaveProperty('nextRecordsUrl');

    const names = big!.Contacts!.records.map((r) => r.LastName);
    let next = big!.Contacts!.nextRecordsUrl;
    let pages = 0;
    while (next !== undefined && pages < 10) {
      const page = (await call(sim, token, 'GET', next)).json as Envelope;
      expect(page.totalSize).toBe(20);
      expect(page.records.length).toBeLessThanOrEqual(7);
      names.push(...page.records.map((r) => r.LastName));
      next = page.done ? undefined : page.nextRecordsUrl;
      pages++;
    }
    expect(pages).toBe(2);
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `Kid ${String(i).padStart(2, '0')}`));
  });

  it('a child locator past its rows is invalid; another user cannot read it', async () => {
    const first = (await call(sim, token, 'GET', `${V}/query?q=${encodeURIComponent(SOQL)}`)).json as Page;
    const url = first.records[0]!.Contacts!.nextRecordsUrl!;
    const other = await call(sim, 'not-a-token', 'GET', url);
    expect(other.status).toBe(401);
    const locator = /query\/([A-Za-z0-9]+)-7$/.exec(url)![1];
    const bad = await call(sim, token, 'GET', `${V}/query/${locator}-999`);
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual([expect.objectContaining({ errorCode: 'INVALID_QUERY_LOCATOR' })]);
  });

  it('defaults to 200 children inline and rejects a bad childPageSize', async () => {
    const sim2 = await startTiny();
    try {
      const t = sim2.issueAccessToken();
      const id = sim2.store.insert('Account', { Name: 'Default Paging' }).Id as string;
      for (let i = 0; i < 201; i++) sim2.store.insert('Contact', { LastName: `C${i}`, AccountId: id });
      const q = `SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '${id}'`;
      const page = (await call(sim2, t, 'GET', `${V}/query?q=${encodeURIComponent(q)}`)).json as Page;
      expect(page.records[0]!.Contacts).toMatchObject({ totalSize: 201, done: false });
      expect(page.records[0]!.Contacts!.records).toHaveLength(200);
    } finally {
      await sim2.close();
    }
    await expect(startSimulator({ metadataDir: TINY_ORG, childPageSize: 0 })).rejects.toThrow(/childPageSize/);
  });
});
