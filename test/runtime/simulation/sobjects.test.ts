import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseSafeSuffix, toId18, type Simulator } from 'sfgen/simulator';
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

const errors = (json: unknown) => json as { message: string; errorCode: string; fields?: string[] }[];

describe('ids', () => {
  it('computes the case-safe suffix', () => {
    expect(caseSafeSuffix('001000000000001')).toBe('AAA');
    // 'A' at positions 0..4 of chunk 1 -> bit 0 set -> 'B'.
    expect(caseSafeSuffix('A01000000000001')).toBe('BAA');
    expect(caseSafeSuffix('00100000000000Z')).toBe('AAQ');
    expect(toId18('001000000000001')).toBe('001000000000001AAA');
    expect(toId18('001000000000001aaa')).toBe('001000000000001AAA');
    expect(toId18('001000000000001ABA')).toBeUndefined();
    expect(toId18('001-00000000000')).toBeUndefined();
  });
});

describe('create', () => {
  it('creates with defaults and answers 201 {id, success, errors}', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'Acme', Industry: 'Energy', BillingCity: 'Oslo' });
    expect(r.status).toBe(201);
    const body = r.json as { id: string; success: boolean; errors: unknown[] };
    expect(body).toEqual({ id: body.id, success: true, errors: [] });
    expect(body.id).toMatch(/^001[A-Za-z0-9]{15}$/);
    expect(toId18(body.id.slice(0, 15))).toBe(body.id);
    expect(r.headers.get('location')).toBe(`${V}/sobjects/Account/${body.id}`);

    const got = await call(sim, token, 'GET', `${V}/sobjects/Account/${body.id}`);
    expect(got.status).toBe(200);
    const rec = got.json as Record<string, unknown>;
    expect(rec.attributes).toEqual({ type: 'Account', url: `${V}/sobjects/Account/${body.id}` });
    expect(rec.Active__c).toBe(true); // boolean defaultValue
    expect(rec.IsDeleted).toBe(false);
    expect(rec.Rating).toBe('Warm'); // picklist default
    expect(rec.OwnerId).toBe(sim.defaultUser.userId);
    expect(rec.CreatedById).toBe(sim.defaultUser.userId);
    expect(rec.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(rec.SystemModstamp).toBe(rec.CreatedDate);
    expect(rec.Number__c).toBe('A-0013'); // auto-number continues after the seed's A-0012
    expect(rec.BillingAddress).toMatchObject({ city: 'Oslo', street: null, postalCode: null });
    expect(rec.Founded__c).toBeNull();
  });

  it('mints distinct, valid ids', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: `L${i}` });
      ids.add((r.json as { id: string }).id);
    }
    expect(ids.size).toBe(5);
    for (const id of ids) expect(toId18(id)).toBe(id);
  });

  it('REQUIRED_FIELD_MISSING lists the missing fields', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Industry: 'Energy' });
    expect(r.status).toBe(400);
    expect(errors(r.json)).toEqual([{ message: 'Required fields are missing: [Name]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }]);
  });

  it('INVALID_FIELD_FOR_INSERT_UPDATE for read-only fields', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', CreatedDate: '2024-01-01T00:00:00Z', Number__c: 'A-9' });
    expect(r.status).toBe(400);
    const e = errors(r.json)[0]!;
    expect(e.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(e.fields).toEqual(['CreatedDate', 'Number__c']);
    expect(e.message).toMatch(/^Unable to create\/update fields: CreatedDate, Number__c\./);
  });

  it('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST for a bad value, also inside a multipicklist', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Industry: 'Mining' });
    expect(errors(r.json)).toEqual([
      { message: 'Industry: bad value for restricted picklist field: Mining', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Industry'] },
    ]);
    const multi = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Regions__c: 'EMEA;MARS' });
    expect(errors(multi.json)[0]!.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const ok = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Regions__c: 'EMEA;APAC', Rating: 'Lukewarm' });
    expect(ok.status).toBe(201); // Rating is an open picklist
  });

  it('STRING_TOO_LONG and NUMBER_OUTSIDE_VALID_RANGE', async () => {
    const long = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Ext_Id__c: 'X'.repeat(21) });
    expect(long.status).toBe(400);
    expect(errors(long.json)[0]).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['Ext_Id__c'] });
    expect(errors(long.json)[0]!.message).toContain('(max length=20)');
    const big = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Score__c: 1234.5 });
    expect(errors(big.json)[0]).toMatchObject({ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', fields: ['Score__c'] });
    const ints = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', NumberOfEmployees: 123456789 });
    expect(errors(ints.json)[0]!.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    const fits = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Score__c: 999.994 });
    expect(fits.status).toBe(201);
    const rec = await call(sim, token, 'GET', `${V}/sobjects/Account/${(fits.json as { id: string }).id}?fields=Score__c`);
    expect((rec.json as { Score__c: number }).Score__c).toBe(999.99);
  });

  it('INVALID_FIELD for an unknown field', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Bogus__c: 1 });
    expect(errors(r.json)).toEqual([{ message: "No such column 'Bogus__c' on sobject of type Account", errorCode: 'INVALID_FIELD' }]);
  });

  it('JSON_PARSER_ERROR for malformed JSON and wrong value types', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Account`, '{"Name": "x",\n "Industry": }', { 'Content-Type': 'application/json' });
    expect(r.status).toBe(400);
    const e = errors(r.json)[0]!;
    expect(e.errorCode).toBe('JSON_PARSER_ERROR');
    expect(e.message).toMatch(/\[line:2, column:\d+\]/);
    const typed = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Active__c: 'yes' });
    expect(errors(typed.json)[0]!.errorCode).toBe('JSON_PARSER_ERROR');
    const date = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'x', Founded__c: '2024-02-30' });
    expect(errors(date.json)[0]!.errorCode).toBe('JSON_PARSER_ERROR');
    const arr = await call(sim, token, 'POST', `${V}/sobjects/Account`, [{ Name: 'x' }]);
    expect(errors(arr.json)[0]!.errorCode).toBe('JSON_PARSER_ERROR');
  });

  it('checks reference ids: MALFORMED_ID and FIELD_INTEGRITY_EXCEPTION', async () => {
    const bad = await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: 'x', AccountId: 'not-an-id' });
    expect(errors(bad.json)[0]).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['AccountId'] });
    const wrongType = await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: 'x', AccountId: '005000000000001AAA' });
    expect(errors(wrongType.json)[0]).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['AccountId'] });
  });

  it('404 for an unknown object', async () => {
    const r = await call(sim, token, 'POST', `${V}/sobjects/Nope__c`, { Name: 'x' });
    expect(r.status).toBe(404);
  });
});

describe('get, update, delete', () => {
  it('gets chosen fields, updates with 204, deletes with 204', async () => {
    const created = await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'Before' });
    const id = (created.json as { id: string }).id;
    const some = await call(sim, token, 'GET', `${V}/sobjects/Account/${id}?fields=name,Industry`);
    expect(some.json).toEqual({ attributes: { type: 'Account', url: `${V}/sobjects/Account/${id}` }, Name: 'Before', Industry: null });

    const upd = await call(sim, token, 'PATCH', `${V}/sobjects/Account/${id.slice(0, 15)}`, { Name: 'After', Industry: 'Retail' });
    expect(upd.status).toBe(204);
    expect(upd.text).toBe('');
    const after = (await call(sim, token, 'GET', `${V}/sobjects/Account/${id}`)).json as Record<string, unknown>;
    expect(after.Name).toBe('After');
    expect(after.Industry).toBe('Retail');

    const nulling = await call(sim, token, 'PATCH', `${V}/sobjects/Account/${id}`, { Name: null });
    expect(errors(nulling.json)[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] });
    const readOnly = await call(sim, token, 'PATCH', `${V}/sobjects/Account/${id}`, { Id: id });
    expect(errors(readOnly.json)[0]!.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');

    const del = await call(sim, token, 'DELETE', `${V}/sobjects/Account/${id}`);
    expect(del.status).toBe(204);
    const gone = await call(sim, token, 'GET', `${V}/sobjects/Account/${id}`);
    expect(gone.status).toBe(404);
    expect(errors(gone.json)[0]!.errorCode).toBe('ENTITY_IS_DELETED');
    expect(sim.org.deletedRecords('Account').some((r) => r.Id === id)).toBe(true);
  });

  it('cascades deletes to master-detail children', async () => {
    const a = ((await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'Parent' })).json as { id: string }).id;
    const c = ((await call(sim, token, 'POST', `${V}/sobjects/Contact`, { LastName: 'Child', AccountId: a })).json as { id: string }).id;
    await call(sim, token, 'DELETE', `${V}/sobjects/Account/${a}`);
    expect(sim.org.findById(c)).toBeUndefined();
  });

  it('NOT_FOUND, MALFORMED_ID and INVALID_FIELD on reads', async () => {
    const missing = await call(sim, token, 'GET', `${V}/sobjects/Account/001000000000999AAA`);
    expect(missing.status).toBe(404);
    expect(errors(missing.json)).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const malformed = await call(sim, token, 'GET', `${V}/sobjects/Account/003000000000001AAA`);
    expect(malformed.status).toBe(400);
    expect(errors(malformed.json)[0]!.errorCode).toBe('MALFORMED_ID');
    const checksum = await call(sim, token, 'GET', `${V}/sobjects/Account/001000000000001ABC`);
    expect(errors(checksum.json)[0]!.errorCode).toBe('MALFORMED_ID');
    const seedId = sim.org.records('Account')[0]!.Id;
    const field = await call(sim, token, 'GET', `${V}/sobjects/Account/${seedId}?fields=Name,Nope`);
    expect(field.status).toBe(400);
    expect(errors(field.json)[0]!.errorCode).toBe('INVALID_FIELD');
    const upd = await call(sim, token, 'PATCH', `${V}/sobjects/Account/001000000000999AAA`, { Name: 'x' });
    expect(upd.status).toBe(404);
  });
});

describe('upsert by external id', () => {
  it('creates (201), updates (200), and answers 300 for several matches', async () => {
    const created = await call(sim, token, 'PATCH', `${V}/sobjects/Account/Ext_Id__c/NEW-1`, { Name: 'Upserted' });
    expect(created.status).toBe(201);
    const c = created.json as { id: string; created: boolean };
    expect(c).toEqual({ id: c.id, success: true, errors: [], created: true });
    expect((sim.org.findById(c.id)!.record as Record<string, unknown>).Ext_Id__c).toBe('NEW-1');

    const updated = await call(sim, token, 'PATCH', `${V}/sobjects/Account/Ext_Id__c/new-1`, { Name: 'Again' });
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ id: c.id, success: true, errors: [], created: false });

    await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'Dup A', Ext_Id__c: 'DUP' });
    await call(sim, token, 'POST', `${V}/sobjects/Account`, { Name: 'Dup B', Ext_Id__c: 'DUP' });
    const multi = await call(sim, token, 'PATCH', `${V}/sobjects/Account/Ext_Id__c/DUP`, { Name: 'Which?' });
    expect(multi.status).toBe(300);
    expect((multi.json as string[]).length).toBe(2);
    expect((multi.json as string[])[0]).toMatch(new RegExp(`^${V}/sobjects/Account/001`));

    const byExt = await call(sim, token, 'GET', `${V}/sobjects/Account/Ext_Id__c/NEW-1?fields=Name`);
    expect(byExt.json).toMatchObject({ Name: 'Again' });
    const notExt = await call(sim, token, 'PATCH', `${V}/sobjects/Account/Name/x`, { Industry: 'Energy' });
    expect(notExt.status).toBe(404);
  });
});
