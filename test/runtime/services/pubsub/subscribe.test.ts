import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { busReplayIds, ORDER_TOPIC, orderEvent, seedOrders, startPubSubEnv, take, type PubSubTestEnv } from './helpers.js';

let env: PubSubTestEnv;
beforeEach(async () => {
  env = await startPubSubEnv();
});
afterEach(async () => {
  await env.close();
});

describe('subscribe over TLS', () => {
  it('delivers exactly the events on the bus, in order, from earliest', async () => {
    seedOrders(env.sim, 0, 250);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest' });
    const events = await take(sub, 250);
    await sub.stop();
    expect(events.map((e) => e.replayId)).toEqual(busReplayIds(env.sim));
    expect(events[0]!.payload).toMatchObject({ Order_Number__c: 'ORD-0', Amount__c: 0 });
    expect(events[249]!.payload).toMatchObject({ Order_Number__c: 'ORD-249' });
  });
});

describe('the iterator protocol', () => {
  it('answers overlapping next() calls in call order, waiting or buffered', async () => {
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest' });
    // Three calls before any event exists: all wait, none is forgotten.
    const waiting = [sub.next(), sub.next(), sub.next()];
    await new Promise((r) => setTimeout(r, 200));
    seedOrders(env.sim, 0, 6);
    const first = await Promise.all(waiting);
    // Three more while the rest is buffered.
    const buffered = await Promise.all([sub.next(), sub.next(), sub.next()]);
    await sub.stop();
    const got = [...first, ...buffered].map((r) => (r.done ? 'done' : r.value.replayId));
    expect(got).toEqual(busReplayIds(env.sim));
    expect([...first, ...buffered].map((r) => (r.done ? undefined : r.value.payload.Order_Number__c))).toEqual([0, 1, 2, 3, 4, 5].map((n) => orderEvent(n).Order_Number__c));
  });
});

describe('the default buffer', () => {
  it('holds up to 1000 events for an application that stopped reading, and no more', async () => {
    seedOrders(env.sim, 0, 2500);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest' });
    const first = await sub.next();
    expect(first.done).toBe(false);
    // The application pauses: the client fills its buffer, then stops asking.
    let held = -1;
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 30));
      const now = sub.buffered + sub.pendingRequested;
      if (now === held && sub.pendingRequested === 0) break;
      held = now;
    }
    expect(sub.buffered + sub.pendingRequested).toBeLessThanOrEqual(1000);
    expect(sub.buffered).toBeGreaterThanOrEqual(900);
    expect(sub.pendingRequested).toBe(0);
    const rest = await take(sub, 2499);
    await sub.stop();
    expect([first.done ? '' : first.value.replayId, ...rest.map((e) => e.replayId)]).toEqual(busReplayIds(env.sim));
  });
});
