import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { call, startTiny, V } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny({ pageSize: 5 });
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

interface Envelope {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}
const q = (soql: string, path = 'query') => `${V}/${path}?q=${encodeURIComponent(soql)}`;

describe('query', () => {
  it('pages through nextRecordsUrl with the configured batch size, envelope keys in order', async () => {
    const first = await call(sim, token, 'GET', q('SELECT Id, Name FROM Account ORDER BY Name'));
    expect(first.status).toBe(200);
    const e1 = first.json as Envelope;
    expect(Object.keys(e1)).toEqual(['totalSize', 'done', 'nextRecordsUrl', 'records']);
    expect(e1.totalSize).toBe(12);
    expect(e1.done).toBe(false);
    expect(e1.records).toHaveLength(5);
    expect(e1.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]{15}-5$/);
    expect(e1.records[0]).toEqual({
      attributes: { type: 'Account', url: expect.stringMatching(/^\/services\/data\/v60\.0\/sobjects\/Account\/001/) as unknown },
      Id: expect.any(String) as unknown,
      Name: 'Account 01',
    });
    const names: unknown[] = e1.records.map((r) => r.Name);
    let next = e1.nextRecordsUrl;
    let pages = 1;
    while (next !== undefined && pages < 10) {
      const page = (await call(sim, token, 'GET', next)).json as Envelope;
      expect(page.totalSize).toBe(12);
      names.push(...page.records.map((r) => r.Name));
      next = page.nextRecordsUrl;
      if (next === undefined) {
        expect(page.done).toBe(true);
        expect(Object.keys(page)).toEqual(['totalSize', 'done', 'records']);
      }
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toHaveLength(12);
    expect(names).toEqual([...names].sort());
  });

  it('honours Sforce-Query-Options batchSize below the page size', async () => {
    const r = await call(sim, token, 'GET', q('SELECT Id FROM Account'), undefined, { 'Sforce-Query-Options': 'batchSize=3' });
    expect((r.json as Envelope).records).toHaveLength(3);
  });

  it('an unknown locator is INVALID_QUERY_LOCATOR', async () => {
    const r = await call(sim, token, 'GET', `${V}/query/01gSm0000000000999AAA-5`);
    expect(r.status).toBe(400);
    expect((r.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('keeps a locator valid after its last page was served, until it expires (two days)', async () => {
    let clock = Date.parse('2024-06-01T00:00:00Z');
    const timed = await startTiny({ pageSize: 5, now: () => clock });
    try {
      const t = timed.issueAccessToken();
      const first = (await call(timed, t, 'GET', q('SELECT Id, Name FROM Account ORDER BY Name'))).json as Envelope;
      const second = (await call(timed, t, 'GET', first.nextRecordsUrl!)).json as Envelope;
      const lastUrl = second.nextRecordsUrl!;
      const last = await call(timed, t, 'GET', lastUrl);
      expect((last.json as Envelope).done).toBe(true);
      // A client whose answer was lost asks again: the same page, not INVALID_QUERY_LOCATOR.
      const again = await call(timed, t, 'GET', lastUrl);
      expect(again.status).toBe(200);
      expect(again.json).toEqual(last.json);
      expect((await call(timed, t, 'GET', first.nextRecordsUrl!)).json).toEqual(second);
      clock += 2 * 24 * 60 * 60 * 1000 - 1;
      const later = timed.issueAccessToken(); // sessions expire sooner than cursors
      expect((await call(timed, later, 'GET', lastUrl)).status).toBe(200);
      clock += 1;
      const expired = await call(timed, later, 'GET', lastUrl);
      expect(expired.status).toBe(400);
      expect((expired.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_QUERY_LOCATOR');
    } finally {
      await timed.close();
    }
  });

  it('evaluates WHERE, LIMIT and parent paths through the engine', async () => {
    const r = await call(sim, token, 'GET', q("SELECT Name, Owner.Username FROM Account WHERE Industry = 'Energy' ORDER BY Name LIMIT 2"));
    const e = r.json as Envelope;
    expect(e.totalSize).toBe(2);
    expect(e.done).toBe(true);
    expect(e.records[0]!.Name).toBe('Account 02');
    expect(e.records[0]!.Owner).toMatchObject({ attributes: { type: 'User' }, Username: 'admin@tiny.example' });
  });

  it('answers query errors with Salesforce error arrays', async () => {
    const bad = await call(sim, token, 'GET', q('SELECT Nme FROM Account'));
    expect(bad.status).toBe(400);
    expect((bad.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD');
    const type = await call(sim, token, 'GET', q('SELECT Id FROM Nope__c'));
    expect((type.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_TYPE');
    const malformed = await call(sim, token, 'GET', q('SELEC Id FROM Account'));
    expect((malformed.json as { errorCode: string }[])[0]!.errorCode).toBe('MALFORMED_QUERY');
    const empty = await call(sim, token, 'GET', `${V}/query`);
    expect((empty.json as { errorCode: string }[])[0]!.errorCode).toBe('MALFORMED_QUERY');
  });

  it('queryAll includes deleted rows, query does not', async () => {
    const created = await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: 'Ghost' });
    const id = (created.json as { id: string }).id;
    await call(sim, token, 'DELETE', `${V}/sobjects/Contact/${id}`);
    const live = (await call(sim, token, 'GET', q("SELECT Id FROM Contact WHERE LastName = 'Ghost'"))).json as Envelope;
    expect(live.totalSize).toBe(0);
    const all = (await call(sim, token, 'GET', q("SELECT Id, IsDeleted FROM Contact WHERE LastName = 'Ghost'", 'queryAll'))).json as Envelope;
    expect(all.totalSize).toBe(1);
    expect(all.records[0]).toMatchObject({ Id: id, IsDeleted: true });
  });

  it('queryAll pages under /query/ too', async () => {
    const r = (await call(sim, token, 'GET', q('SELECT Id FROM Account', 'queryAll'))).json as Envelope;
    expect(r.nextRecordsUrl).toMatch(/\/query\/01g/);
    const more = await call(sim, token, 'GET', r.nextRecordsUrl!);
    expect(more.status).toBe(200);
  });

  it('explains a query plan', async () => {
    const r = await call(sim, token, 'GET', `${V}/query?explain=${encodeURIComponent("SELECT Id FROM Account WHERE Industry = 'Energy'")}`);
    expect(r.status).toBe(200);
    const body = r.json as { plans: Record<string, unknown>[]; sourceQuery: string };
    expect(body.plans[0]).toMatchObject({ cardinality: 4, leadingOperationType: 'TableScan', sobjectCardinality: 12, sobjectType: 'Account' });
  });
});
