/**
 * The generated event modules end to end against the simulator over TLS: a typed
 * AccountChangeEvent from REST writes (header typed, bitmaps decoded into field names including
 * compound components), and a typed Order_Event__e publish whose required field is checked before
 * anything is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../../generated/sobjects/Account.js';
import { AccountChangeEvent, type AccountChangeEventField } from '../../../../generated/events/AccountChangeEvent.js';
import { Order_Event__e } from '../../../../generated/events/Order_Event__e.js';
import { startPubSubEnv, take, type PubSubTestEnv } from './helpers.js';

describe('generated event modules against the simulator', { timeout: 120_000 }, () => {
  let env: PubSubTestEnv;

  beforeAll(async () => {
    env = await startPubSubEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('delivers typed change events for REST writes, bitmaps as field names', async () => {
    const sub = env.pubsub.subscribe(AccountChangeEvent, { replay: 'earliest' });
    try {
      const accounts = env.client.sobject(Account);
      const { id } = await accounts.create({ Name: 'Typed Events Inc', BillingCity: 'Paris' });
      await accounts.update(id, { Phone: '555-0100', BillingCity: 'Lyon' });
      const [created, updated] = await take(sub[Symbol.asyncIterator](), 2);
      // The generated definition's schema id is the one the server writes with: no GetSchema needed.
      expect(created?.schemaId).toBe(AccountChangeEvent.schemaId);
      const c = created!.payload.ChangeEventHeader;
      expect(c.changeType).toBe('CREATE');
      expect(c.entityName).toBe('Account');
      expect(c.recordIds).toEqual([id]);
      expect(c.changedFields).toEqual([]);
      expect(created!.payload.BillingAddress?.City).toBe('Paris');
      const u = updated!.payload.ChangeEventHeader;
      expect(u.changeType).toBe('UPDATE');
      const fields: readonly AccountChangeEventField[] = u.changedFields;
      expect(fields).toEqual(expect.arrayContaining(['Phone', 'LastModifiedDate', 'BillingAddress.City']));
      expect(fields.every((f) => !/^0x|^\d+-0x/.test(f))).toBe(true);
      expect(updated!.payload.Phone).toBe('555-0100');
      expect(typeof u.commitTimestamp).toBe('number');
    } finally {
      await sub.stop();
    }
  });

  it('publishes typed platform events and checks required fields before sending', async () => {
    const [ok] = await env.pubsub.publish(Order_Event__e, [{ Order_Number__c: 'GEN-1', Amount__c: 12.5 }]);
    expect(ok?.ok).toBe(true);
    const sub = env.pubsub.subscribe(Order_Event__e, { replay: 'earliest' });
    try {
      const [event] = await take(sub[Symbol.asyncIterator](), 1);
      expect(event?.payload.Order_Number__c).toBe('GEN-1');
      expect(event?.payload.Amount__c).toBe(12.5);
      expect(typeof event?.payload.CreatedDate).toBe('number');
    } finally {
      await sub.stop();
    }
    const before = env.sim.pubsub!.retained('/event/Order_Event__e').length;
    const missing = await env.pubsub.publish(Order_Event__e, [{ Amount__c: 1 } as never]).then(
      (results) => results,
      (error: unknown) => error,
    );
    const message = missing instanceof Error ? missing.message : JSON.stringify(missing, (_k, v: unknown) => (v instanceof Error ? v.message : v));
    expect(message).toMatch(/Order_Event__e\.Order_Number__c: is required/);
    expect(env.sim.pubsub!.retained('/event/Order_Event__e').length).toBe(before);
  });
});
