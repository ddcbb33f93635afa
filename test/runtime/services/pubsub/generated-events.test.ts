/**
 * The generated event modules end to end against the simulator over TLS: a typed
 * AccountChangeEvent from REST writes (header typed, bitmaps decoded into field names including
 * compound components, a large Description update sent as a diff and named in diffFields), and a
 * typed Order_Event__e publish whose required field is checked before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../../generated/sobjects/Account.js';
import { AccountChangeEvent, type AccountChangeEventField } from '../../../../generated/events/AccountChangeEvent.js';
import { Order_Event__e } from '../../../../generated/events/Order_Event__e.js';
import { applyFieldDiff, isFieldDiff } from '../../../../runtime/services/pubsub/index.js';
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

  it('a small change to a long Description arrives as a diff named in diffFields; the client rebuilds the value', async () => {
    const sub = env.pubsub.subscribe(AccountChangeEvent, { replay: 'latest' });
    try {
      const accounts = env.client.sobject(Account);
      const paragraphs = Array.from({ length: 24 }, (_, i) => `Paragraph ${i + 1}: the account's history, told at some length for the test.`);
      const original = paragraphs.join('\n');
      expect(original.length).toBeGreaterThanOrEqual(1000);
      const pending = take(sub[Symbol.asyncIterator](), 3);
      await new Promise((r) => setTimeout(r, 200));
      const { id } = await accounts.create({ Name: 'Diff Fields Ltd', Description: original });
      const edited = paragraphs.map((p, i) => (i === 6 ? `${p} One sentence more.` : p)).join('\n');
      await accounts.update(id, { Description: edited });
      // A short text field changes whole: no diff for it.
      await accounts.update(id, { Description: 'Short again.' });
      const [created, diffed, whole] = await pending;

      expect(created!.payload.Description).toBe(original);
      const h = diffed!.payload.ChangeEventHeader;
      expect(h.changeType).toBe('UPDATE');
      const diffFields: readonly AccountChangeEventField[] = h.diffFields;
      expect(diffFields).toEqual(['Description']);
      expect(h.changedFields).toEqual(expect.arrayContaining(['Description', 'LastModifiedDate']));
      const value = diffed!.payload.Description!;
      expect(isFieldDiff(value)).toBe(true);
      expect(value).toMatch(/^--- \n\+\+\+ [0-9a-f]{64}\n@@ -7,1 \+7,1 @@\n-Paragraph 7: /);
      expect(value.length).toBeLessThan(edited.length);
      expect(applyFieldDiff(original, value)).toBe(edited);

      expect(whole!.payload.ChangeEventHeader.diffFields).toEqual([]);
      expect(whole!.payload.Description).toBe('Short again.');
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
