import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { call, startTiny, V } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny();
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

type Save = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields: string[] }[]; created?: boolean };
const acc = (fields: Record<string, unknown>) => ({ attributes: { type: 'Account' }, ...fields });

describe('sObject Collections', () => {
  it('creates in order with per-record results; failures omit id and use statusCode', async () => {
    const r = await call(sim, token, 'POST', `${V}/composite/sobjects`, {
      records: [acc({ Name: 'C1' }), acc({ Industry: 'Energy' }), { attributes: { type: 'Contact' }, LastName: 'C3' }],
    });
    expect(r.status).toBe(200);
    const res = r.json as Save[];
    expect(res[0]).toEqual({ id: expect.stringMatching(/^001/) as unknown, success: true, errors: [] });
    expect(res[1]).toEqual({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }],
    });
    expect(res[2]!.id).toMatch(/^003/);
  });

  it('allOrNone rolls back and marks valid records ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const before = sim.org.records('Account').length;
    const r = await call(sim, token, 'POST', `${V}/composite/sobjects`, { allOrNone: true, records: [acc({ Name: 'A' }), acc({ Industry: 'Mining', Name: 'B' })] });
    const res = r.json as Save[];
    expect(res[0]).toEqual({ success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }) as unknown] });
    expect(res[1]!.errors[0]!.statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(sim.org.records('Account').length).toBe(before);
  });

  it('refuses more than 200 records', async () => {
    const records = Array.from({ length: 201 }, (_, i) => acc({ Name: `N${i}` }));
    const r = await call(sim, token, 'POST', `${V}/composite/sobjects`, { records });
    expect(r.status).toBe(400);
    expect((r.json as { errorCode: string }[])[0]!.errorCode).toBe('EXCEEDED_ID_LIMIT');
    const ok = await call(sim, token, 'POST', `${V}/composite/sobjects`, { records: records.slice(0, 200) });
    expect((ok.json as Save[]).every((x) => x.success)).toBe(true);
  });

  it('updates, retrieves and deletes', async () => {
    const created = (await call(sim, token, 'POST', `${V}/composite/sobjects`, { records: [acc({ Name: 'U1' }), acc({ Name: 'U2' })] })).json as Save[];
    const [id1, id2] = created.map((c) => c.id!);
    const upd = (await call(sim, token, 'PATCH', `${V}/composite/sobjects`, {
      records: [acc({ id: id1, Name: 'U1b' }), acc({ Id: id2, Industry: 'Bad' }), acc({ Name: 'no id' })],
    })).json as Save[];
    expect(upd[0]).toEqual({ id: id1, success: true, errors: [] });
    expect(upd[1]!.errors[0]!.statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(upd[2]!.errors[0]!.statusCode).toBe('MISSING_ARGUMENT');

    const got = await call(sim, token, 'GET', `${V}/composite/sobjects/Account?ids=${id1},${id2},001000000000999AAA&fields=Name`);
    expect(got.json).toEqual([
      { attributes: { type: 'Account', url: `${V}/sobjects/Account/${id1}` }, Name: 'U1b' },
      { attributes: { type: 'Account', url: `${V}/sobjects/Account/${id2}` }, Name: 'U2' },
      null,
    ]);
    const posted = await call(sim, token, 'POST', `${V}/composite/sobjects/Account`, { ids: [id1], fields: ['Name'] });
    expect((posted.json as { Name: string }[])[0]!.Name).toBe('U1b');

    const del = (await call(sim, token, 'DELETE', `${V}/composite/sobjects?ids=${id1},${id2},${id1}`)).json as Save[];
    expect(del.map((d) => d.success)).toEqual([true, true, false]);
    expect(del[2]!.errors[0]!.statusCode).toBe('ENTITY_IS_DELETED');
  });

  it('upserts by external id with created flags and a duplicate error', async () => {
    await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'D1', Ext_Id__c: 'COL-DUP' });
    await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'D2', Ext_Id__c: 'COL-DUP' });
    const r = (await call(sim, token, 'PATCH', `${V}/composite/sobjects/Account/Ext_Id__c`, {
      records: [acc({ Ext_Id__c: 'COL-NEW', Name: 'New' }), acc({ Ext_Id__c: 'EXT-1', Name: 'Seed renamed' }), acc({ Ext_Id__c: 'COL-DUP', Name: 'x' })],
    })).json as Save[];
    expect(r[0]).toMatchObject({ success: true, created: true });
    expect(r[1]).toMatchObject({ success: true, created: false });
    expect(r[2]).toMatchObject({ success: false });
    expect(r[2]!.errors[0]!.statusCode).toBe('DUPLICATE_EXTERNAL_ID');
  });
});
