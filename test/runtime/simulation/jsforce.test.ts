import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { startTiny } from './helpers.js';

// A client nobody here wrote: jsforce 3 against the simulator over real HTTP.
let sim: Simulator;
let conn: InstanceType<typeof jsforce.Connection>;

beforeAll(async () => {
  sim = await startTiny({ pageSize: 4 });
  conn = new jsforce.Connection({ instanceUrl: sim.url, accessToken: sim.issueAccessToken(), version: '60.0' });
});
afterAll(async () => {
  await sim.close();
});

describe('jsforce 3 against the simulator', () => {
  it('describes the org and an object', async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(['Account', 'Contact', 'User']);
    const account = await conn.describe('Account');
    expect(account.name).toBe('Account');
    expect(account.fields.find((f) => f.name === 'Industry')?.restrictedPicklist).toBe(true);
  });

  it('runs a paged query with autoFetch over several pages', async () => {
    const records: Record<string, unknown>[] = [];
    const result = await conn.query('SELECT Id, Name FROM Account ORDER BY Name', { autoFetch: true, maxFetch: 100 });
    records.push(...(result.records as Record<string, unknown>[]));
    expect(result.totalSize).toBe(12);
    expect(records).toHaveLength(12);
    expect(records.map((r) => r.Name)).toEqual(Array.from({ length: 12 }, (_, i) => `Account ${String(i + 1).padStart(2, '0')}`));
    expect(sim.stats().byRoute['GET /query/{locator}']).toBe(2);
  });

  it('stops at maxFetch', async () => {
    const result = await conn.query('SELECT Id FROM Account', { autoFetch: true, maxFetch: 6 });
    expect(result.records.length).toBeGreaterThanOrEqual(6);
    expect(result.records.length).toBeLessThan(12);
  });

  it('creates, retrieves, updates and deletes a record; errors surface with Salesforce codes', async () => {
    const created = await conn.sobject('Account').create({ Name: 'From jsforce' });
    expect(created.success).toBe(true);
    const id = (created as { id: string }).id;
    const rec = await conn.sobject('Account').retrieve(id);
    expect(rec.Name).toBe('From jsforce');
    const upd = await conn.sobject('Account').update({ Id: id, Name: 'Renamed' });
    expect(upd.success).toBe(true);
    const del = await conn.sobject('Account').destroy(id);
    expect(del.success).toBe(true);
    await expect(conn.sobject('Account').create({ Industry: 'Energy' })).rejects.toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING' });
  });

  it('reads limits', async () => {
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100000);
  });
});
