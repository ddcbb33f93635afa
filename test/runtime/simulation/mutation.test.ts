import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimDescribe, Simulator } from 'sfgen/simulator';
import { call, startTiny, V } from './helpers.js';

let sim: Simulator;
let token: string;
let clock = Date.parse('2025-06-01T12:00:00.500Z');

beforeAll(async () => {
  sim = await startTiny({ now: () => clock });
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

const LOAD = 'Mon, 01 Jan 2024 00:00:00 GMT';
const describeOf = async (name: string) => (await call(sim, token, 'GET', `${V}/sobjects/${name}/describe`, undefined, { 'If-Modified-Since': LOAD }));

describe('mutation API', () => {
  it('removeField changes the describe and bumps only that object', async () => {
    sim.org.removeField('Account', 'Rating');
    const acc = await describeOf('Account');
    expect(acc.status).toBe(200);
    expect(acc.headers.get('last-modified')).toBe('Sun, 01 Jun 2025 12:00:00 GMT');
    expect((acc.json as SimDescribe).fields.some((f) => f.name === 'Rating')).toBe(false);
    expect((await describeOf('Contact')).status).toBe(304);
    const global = await call(sim, token, 'GET', `${V}/sobjects`, undefined, { 'If-Modified-Since': LOAD });
    expect(global.status).toBe(200);
    const q = await call(sim, token, 'GET', `${V}/query?q=${encodeURIComponent('SELECT Rating FROM Account')}`);
    expect((q.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD');
  });

  it('two mutations within one second still move Last-Modified forward', () => {
    const before = sim.org.lastModified('Account')!.getTime();
    sim.org.removePicklistValue('Account', 'Industry', 'Retail');
    const after = sim.org.lastModified('Account')!.getTime();
    expect(after).toBeGreaterThan(before);
    expect(sim.org.field('Account', 'Industry')!.picklistValues.map((p) => p.value)).toEqual(['Banking', 'Energy']);
  });

  it('a removed picklist value is refused on write', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Industry: 'Retail' });
    expect((r.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  });

  it('addObject adds a describe and a global entry; removeObject takes them away', async () => {
    const contact = sim.org.describe('Contact')!;
    sim.org.addObject({ ...contact, name: 'Widget__c', keyPrefix: 'a01', label: 'Widget', custom: true });
    const g = (await call(sim, token, 'GET', `${V}/sobjects`)).json as { sobjects: { name: string; keyPrefix: string }[] };
    expect(g.sobjects.find((s) => s.name === 'Widget__c')).toMatchObject({ keyPrefix: 'a01', custom: true });
    const created = await call(sim, token, 'POST', `${V}/sobjects/Widget__c`, { LastName: 'w' });
    expect((created.json as { id: string }).id).toMatch(/^a01/);
    sim.org.removeObject('Widget__c');
    expect((await call(sim, token, 'GET', `${V}/sobjects/Widget__c/describe`)).status).toBe(404);
    expect(() => sim.org.addObject(contact)).toThrow(/already exists/);
  });

  it('updateDescribe and updateField replace describes; errors name the object', async () => {
    clock += 10_000;
    sim.org.updateField('Contact', 'FirstName', (f) => ({ ...f, length: 5 }));
    const r = await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: 'x', FirstName: 'Alexandra' });
    expect((r.json as { errorCode: string }[])[0]!.errorCode).toBe('STRING_TOO_LONG');
    sim.org.updateDescribe('Contact', (d) => ({ ...d, label: 'Person' }));
    expect(sim.org.describe('Contact')!.label).toBe('Person');
    expect(() => sim.org.removeField('Contact', 'Nope')).toThrow('unknown field Contact.Nope');
    expect(() => sim.org.removeField('Nope', 'X')).toThrow('unknown sObject Nope');
    expect(() => sim.org.updateDescribe('Contact', (d) => ({ ...d, name: 'Other' }))).toThrow(/cannot rename/);
  });
});
