import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { busReplayIds, ORDER_TOPIC, seedOrders, startPubSubEnv, take, type PubSubTestEnv } from './helpers.js';

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
