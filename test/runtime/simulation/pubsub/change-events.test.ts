import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, V } from '../helpers.js';
import { decoder, eventsOf, record, startPubSub, type PubSubEnv } from './helpers.js';

let env: PubSubEnv;
beforeAll(async () => {
  env = await startPubSub();
});
afterAll(async () => env.close());

interface Header {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

/** Subscribe (LATEST) and return a function that waits for n events and decodes them. */
async function subscribe(topic: string) {
  const c = env.client.Subscribe(env.md());
  const rec = record(c);
  c.write({ topic_name: topic, replay_preset: 'LATEST', num_requested: 100 });
  await new Promise((r) => setTimeout(r, 100));
  const decode = decoder(env.sim);
  return {
    take: async (n: number) => {
      await rec.until((r) => eventsOf(r).length >= n);
      return eventsOf(rec.responses).map((e) => ({ replayId: e.replay_id, schemaId: e.event!.schema_id, value: decode(e.event!.schema_id, e.event!.payload) }));
    },
    count: () => eventsOf(rec.responses).length,
    end: () => c.end(),
  };
}

describe('change events from REST writes', () => {
  it('create, update (with a compound field and a nulled field), delete: headers and bitmaps as Salesforce encodes them', async () => {
    const sub = await subscribe('/data/AccountChangeEvent');
    const all = await subscribe('/data/ChangeEvents');
    const created = await call(env.sim, env.token, 'POST', `${V}/sobjects/Account`, { Name: 'Acme CDC', Phone: '555-0100', Fax: '555-0101', BillingCity: 'Paris', NumberOfEmployees: 12 });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const upd = await call(env.sim, env.token, 'PATCH', `${V}/sobjects/Account/${id}`, { Phone: '555-0199', Fax: null, BillingCity: 'Lyon', BillingState: 'ARA' });
    expect(upd.status).toBe(204);
    expect((await call(env.sim, env.token, 'DELETE', `${V}/sobjects/Account/${id}`)).status).toBe(204);

    const events = await sub.take(3);
    const [c, u, d] = events.map((e) => e.value as Record<string, unknown> & { ChangeEventHeader: Header });
    const user = env.sim.defaultUser.userId;
    expect(c!.ChangeEventHeader).toMatchObject({ entityName: 'Account', recordIds: [id], changeType: 'CREATE', changeOrigin: `com/salesforce/api/rest/${env.sim.apiVersion}`, commitUser: user, sequenceNumber: 1, changedFields: [], nulledFields: [], diffFields: [] });
    expect(c!.ChangeEventHeader.transactionKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(c).toMatchObject({ Name: 'Acme CDC', Phone: '555-0100', Fax: '555-0101', NumberOfEmployees: 12, OwnerId: user, CreatedById: user });
    expect(c!.BillingAddress).toMatchObject({ City: 'Paris', Street: null });
    expect(typeof c!.CreatedDate).toBe('number');

    // Positions in AccountChangeEvent.avsc: 5 BillingAddress (City 1, State 2), 7 Phone, 8 Fax, 17 LastModifiedDate.
    const h = u!.ChangeEventHeader;
    expect(h.changeType).toBe('UPDATE');
    expect(h.changedFields).toEqual(['0x020180', '5-0x06']);
    expect(h.nulledFields).toEqual(['0x0100']);
    expect(u).toMatchObject({ Phone: '555-0199', Fax: null, Name: null, NumberOfEmployees: null });
    expect(u!.BillingAddress).toMatchObject({ City: 'Lyon', State: 'ARA', Street: null });
    expect(h.commitNumber).toBeGreaterThan(c!.ChangeEventHeader.commitNumber);
    expect(h.transactionKey).not.toBe(c!.ChangeEventHeader.transactionKey);

    expect(d!.ChangeEventHeader).toMatchObject({ changeType: 'DELETE', recordIds: [id], changedFields: [] });
    expect(d).toMatchObject({ Name: null, Phone: null, BillingAddress: null });

    // The all-changes channel carries the same events with the same replay ids.
    const channel = await all.take(3);
    expect(channel.map((e) => e.replayId.toString('hex'))).toEqual(events.map((e) => e.replayId.toString('hex')));
    sub.end();
    all.end();
  });

  it('one collections call is one transaction: same transactionKey, sequence numbers 1..n; a rolled-back call raises nothing', async () => {
    const sub = await subscribe('/data/AccountChangeEvent');
    const res = await call(env.sim, env.token, 'POST', `${V}/composite/sobjects`, {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'Batch A' },
        { attributes: { type: 'Account' }, Name: 'Batch B' },
      ],
    });
    expect(res.status).toBe(200);
    const events = await sub.take(2);
    const headers = events.map((e) => (e.value as { ChangeEventHeader: Header }).ChangeEventHeader);
    expect(headers.map((h) => h.sequenceNumber)).toEqual([1, 2]);
    expect(headers[0]!.transactionKey).toBe(headers[1]!.transactionKey);
    expect(headers.map((h) => h.recordIds[0])).toEqual((res.json as { id: string }[]).map((r) => r.id));

    const failed = await call(env.sim, env.token, 'POST', `${V}/composite/sobjects`, {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'Rolled back' },
        { attributes: { type: 'Account' }, NoSuchField__c: 1 },
      ],
    });
    expect(failed.status).toBe(200);
    expect((failed.json as { success: boolean }[]).every((r) => !r.success)).toBe(true);
    const marker = await call(env.sim, env.token, 'POST', `${V}/sobjects/Account`, { Name: 'After rollback' });
    const after = await sub.take(3);
    expect(after).toHaveLength(3);
    expect((after[2]!.value as { ChangeEventHeader: Header }).ChangeEventHeader.recordIds).toEqual([(marker.json as { id: string }).id]);
    sub.end();
  });

  it('a /composite request is one transaction too (create then update)', async () => {
    const sub = await subscribe('/data/AccountChangeEvent');
    const res = await call(env.sim, env.token, 'POST', `${V}/composite`, {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: { Name: 'Composite A' } },
        { method: 'PATCH', url: `${V}/sobjects/Account/@{a.id}`, referenceId: 'b', body: { Website: 'https://a.example' } },
      ],
    });
    expect(res.status).toBe(200);
    const events = await sub.take(2);
    const headers = events.map((e) => (e.value as { ChangeEventHeader: Header }).ChangeEventHeader);
    expect(headers.map((h) => [h.changeType, h.sequenceNumber])).toEqual([
      ['CREATE', 1],
      ['UPDATE', 2],
    ]);
    expect(headers[0]!.transactionKey).toBe(headers[1]!.transactionKey);
    expect(headers[1]!.changedFields).toEqual(['0x020400']); // 10 Website, 17 LastModifiedDate
    sub.end();
  });

  it('an update of a long Description is sent as a diff: its bit in diffFields (and changedFields), the value a unified diff', async () => {
    const sub = await subscribe('/data/AccountChangeEvent');
    const lines = Array.from({ length: 20 }, (_, i) => `Line ${i + 1} of a description long enough to be sent as a diff.`);
    const created = await call(env.sim, env.token, 'POST', `${V}/sobjects/Account`, { Name: 'Diff Co', Description: lines.join('\n') });
    const id = (created.json as { id: string }).id;
    lines[2] = 'Line 3, rewritten.';
    expect((await call(env.sim, env.token, 'PATCH', `${V}/sobjects/Account/${id}`, { Description: lines.join('\n'), Phone: '555-0142' })).status).toBe(204);
    const [, u] = (await sub.take(2)).map((e) => e.value as Record<string, unknown> & { ChangeEventHeader: Header });
    // Positions: 7 Phone, 13 Description, 17 LastModifiedDate.
    expect(u!.ChangeEventHeader.diffFields).toEqual(['0x2000']);
    expect(u!.ChangeEventHeader.changedFields).toEqual(['0x022080']);
    expect(u!.Description).toMatch(/^--- \n\+\+\+ [0-9a-f]{64}\n@@ -3,1 \+3,1 @@\n-Line 3 of a description long enough to be sent as a diff\.\n\+Line 3, rewritten\.$/);
    expect(u!.Phone).toBe('555-0142');
    sub.end();
  });

  it('a custom object change event (acme__Widget__c -> /data/acme__Widget__ChangeEvent)', async () => {
    const sub = await subscribe('/data/acme__Widget__ChangeEvent');
    const account = env.sim.org.records('Account')[0]!.Id;
    const created = await call(env.sim, env.token, 'POST', `${V}/sobjects/acme__Widget__c`, { acme__Account__c: account, acme__Location__Latitude__s: 48.85, acme__Location__Longitude__s: 2.35 });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    expect((await call(env.sim, env.token, 'PATCH', `${V}/sobjects/acme__Widget__c/${id}`, { acme__Location__Longitude__s: 2.4 })).status).toBe(204);
    const [e, u] = await sub.take(2);
    expect((e!.value as { ChangeEventHeader: Header }).ChangeEventHeader).toMatchObject({ entityName: 'acme__Widget__c', changeType: 'CREATE' });
    expect(e!.value).toMatchObject({ acme__Account__c: account, acme__Location__c: { Latitude: 48.85, Longitude: 2.35 } });
    // Position 20 is acme__Location__c (Latitude 0, Longitude 1); 6 is LastModifiedDate.
    expect((u!.value as { ChangeEventHeader: Header }).ChangeEventHeader.changedFields).toEqual(['0x40', '20-0x02']);
    expect(u!.value).toMatchObject({ acme__Location__c: { Latitude: null, Longitude: 2.4 } });
    sub.end();
  });
});

describe('platform events over REST', () => {
  it('POST /sobjects/Order_Event__e answers 201 with OPERATION_ENQUEUED and the event reaches subscribers with that UUID', async () => {
    const sub = await subscribe('/event/Order_Event__e');
    const res = await call(env.sim, env.token, 'POST', `${V}/sobjects/Order_Event__e`, { Order_Number__c: 'R-1', Amount__c: 9.5, Ship_Date__c: '2024-05-06', Ship_By__c: '2024-05-07T10:00:00.000+0000', Express__c: true });
    expect(res.status).toBe(201);
    const body = res.json as { id: string; success: boolean; errors: { statusCode: string; message: string; fields: string[] }[] };
    expect(body.success).toBe(true);
    expect(body.id).toMatch(/^e00/);
    expect(body.errors).toEqual([{ statusCode: 'OPERATION_ENQUEUED', message: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown as string, fields: [] }]);
    const [e] = await sub.take(1);
    expect(e!.value).toMatchObject({ Order_Number__c: 'R-1', Amount__c: 9.5, Ship_Date__c: 1714953600000, Ship_By__c: Date.parse('2024-05-07T10:00:00Z'), Express__c: true, CreatedById: env.sim.defaultUser.userId });
    const onBus = env.sim.pubsub!.retained('/event/Order_Event__e').at(-1)!;
    expect(onBus.id).toBe(body.errors[0]!.message);
    // Events are not records.
    const q = await call(env.sim, env.token, 'GET', `${V}/sobjects/Order_Event__e/${body.id}`);
    expect(q.status).toBe(404);
    sub.end();
  });

  it('a bad field is a 400 naming it and publishes nothing', async () => {
    const before = env.sim.pubsub!.retained('/event/Order_Event__e').length;
    const res = await call(env.sim, env.token, 'POST', `${V}/sobjects/Order_Event__e`, { Amount__c: 'not a number' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Amount__c');
    expect(env.sim.pubsub!.retained('/event/Order_Event__e')).toHaveLength(before);
  });
});
