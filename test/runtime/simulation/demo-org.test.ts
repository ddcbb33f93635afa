import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'sfgen/simulator';
import { call, V } from './helpers.js';

// The bundled demo org (test/fixtures/demo-org) served end to end.
const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/demo-org');
let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: DEMO, pageSize: 50 });
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

describe('the demo org through the simulator', () => {
  it('serves every describe exactly as stored', async () => {
    const names = sim.org.objectNames();
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names.slice(0, 40)) {
      const stored = JSON.parse(await readFile(path.join(DEMO, 'sobjects', `${name}.json`), 'utf8')) as unknown;
      const served = await call(sim, token, 'GET', `${V}/sobjects/${name}/describe`);
      expect(served.status).toBe(200);
      expect(served.json).toEqual(stored);
    }
  });

  it('has one org id: the Organization record, the identity URL, userinfo and the tokens agree', async () => {
    const org = await call(sim, token, 'GET', `${V}/query?q=${encodeURIComponent('SELECT Id FROM Organization')}`);
    const id = (org.json as { records: { Id: string }[] }).records[0]!.Id;
    expect(id).toBe(sim.orgId);
    const userinfo = await call(sim, token, 'GET', '/services/oauth2/userinfo');
    expect((userinfo.json as { organization_id: string }).organization_id).toBe(sim.orgId);
    expect(token.split('!')[0]).toBe(sim.orgId.slice(0, 15));
  });

  it('batches 25 describes in one request', async () => {
    sim.resetStats();
    const names = sim.org.objectNames().slice(0, 25);
    const r = await call(sim, token, 'POST', `${V}/composite/batch`, {
      batchRequests: names.map((n) => ({ method: 'GET', url: `v60.0/sobjects/${n}/describe` })),
    });
    const body = r.json as { hasErrors: boolean; results: { statusCode: number; result: { name: string } }[] };
    expect(body.hasErrors).toBe(false);
    expect(body.results.map((x) => x.result.name)).toEqual(names);
    expect(sim.stats().requests).toBe(1);
  });

  it('answers polymorphic and parent-path queries over the seed records, paged for jsforce', async () => {
    const conn = new jsforce.Connection({ instanceUrl: sim.url, accessToken: token, version: '60.0' });
    const tasks = await conn.query('SELECT Id, Subject, What.Name, Who.Name FROM Task', { autoFetch: true, maxFetch: 10_000 });
    expect(tasks.records.length).toBe(sim.org.records('Task').length);
    const contacts = await conn.query('SELECT Id, LastName, Account.Name FROM Contact ORDER BY LastName', { autoFetch: true, maxFetch: 10_000 });
    expect(contacts.totalSize).toBe(sim.org.records('Contact').length);
    expect(contacts.records.length).toBe(contacts.totalSize);
    expect(contacts.totalSize).toBeGreaterThan(50); // more than one page
  });

  it('validates writes against the demo describes', async () => {
    const ok = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'Demo write', BillingCountryCode: 'AU', acme__Tier__c: 'Gold' });
    expect(ok.status).toBe(201);
    const bad = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'Demo write', acme__Tier__c: 'Platinum-ish' });
    expect((bad.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const readOnly = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', BillingAddress: { city: 'x' } });
    expect((readOnly.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});
