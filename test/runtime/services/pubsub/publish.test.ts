/**
 * Publishing end to end over TLS: per-event results matched by correlation key, failed events
 * reported and retried alone, results reconciled with what the simulator's bus accepted; managed
 * subscriptions; bad input as typed errors.
 */
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { defineEvent, type EventDefinition } from '../../../../runtime/index.js';
import {
  PubSubDecodeError, PubSubError, PubSubInputError, PubSubPermissionError, PubSubReplayIdError, type PubSubEvent, type PublishResult,
} from '../../../../runtime/services/pubsub/index.js';
import { busReplayIds, orderEvent, ORDER_TOPIC, seedOrders, startPubSubEnv, take, type PubSubTestEnv } from './helpers.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_ORG_DIR } from './helpers.js';

let env: PubSubTestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

interface OrderPayload { CreatedDate: number; CreatedById: string; Order_Number__c: string | null; Amount__c: number | null }
interface OrderInput { Order_Number__c: string; Amount__c?: number | null }

/** What a generated event module exports (the schema of the demo org's Order_Event__e). */
function orderDefinition(schemaId: string): EventDefinition<OrderPayload, OrderInput> {
  return defineEvent<OrderPayload, OrderInput>({
    kind: 'platformEvent', name: 'Order_Event__e', topic: ORDER_TOPIC, schemaId,
    schemaJson: readFileSync(path.join(DEMO_ORG_DIR, 'events/Order_Event__e.avsc'), 'utf8'),
    requiredFields: ['Order_Number__c'],
  });
}

const bus = (e: PubSubTestEnv) => e.sim.pubsub!.retained(ORDER_TOPIC).map((x) => ({ id: x.id, replayId: x.replayId.readBigUInt64BE().toString() }));

describe('publish', () => {
  it('a batch over PublishStream: one result per event in input order, matched by event id, equal to the bus', async () => {
    env = await startPubSubEnv();
    const inputs = Array.from({ length: 250 }, (_, i) => (i % 2 ? { id: `evt-${i}`, payload: orderEvent(i) } : orderEvent(i)));
    const results = await env.pubsub.publish(ORDER_TOPIC, inputs, { chunkSize: 40 });
    expect(results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[1]!.id).toBe('evt-1');
    expect(results.map((r) => ({ id: r.id, replayId: (r as Extract<PublishResult, { ok: true }>).replayId }))).toEqual(bus(env));
    const decoded = env.sim.pubsub!.retained(ORDER_TOPIC).map((e) => env!.sim.pubsub!.decode(e.schemaId, e.payload) as Record<string, unknown>);
    expect(decoded[3]).toMatchObject({ Order_Number__c: 'ORD-3', Amount__c: 4.5, CreatedById: env.sim.defaultUser.userId });
  });

  it('failed events are reported with their error, never lose the successes, and are retried alone', async () => {
    env = await startPubSubEnv();
    env.sim.pubsub!.faults.failPublishes({ every: 4, times: 10 });
    const def = orderDefinition(env.sim.pubsub!.schemaId(ORDER_TOPIC));
    const inputs = Array.from({ length: 40 }, (_, i) => ({ id: `o-${i}`, payload: { Order_Number__c: `N-${i}` } }));
    const results = await env.pubsub.publish(def, inputs);
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((r) => r.id)).toEqual(['o-0', 'o-4', 'o-8', 'o-12', 'o-16', 'o-20', 'o-24', 'o-28', 'o-32', 'o-36']);
    for (const f of failed) {
      if (f.ok) continue;
      expect(f.error).toMatchObject({ code: 'SF_PUBSUB_PUBLISH', retryable: true, topic: ORDER_TOPIC, eventId: f.id });
    }
    // What the server accepted is exactly the successful results.
    expect(bus(env)).toEqual(results.filter((r) => r.ok).map((r) => ({ id: r.id, replayId: (r as Extract<PublishResult, { ok: true }>).replayId })));
    const retried = await env.pubsub.publish(def, failed.map((r) => inputs[r.index]!));
    expect(retried.every((r) => r.ok)).toBe(true);
    expect(new Set(bus(env).map((e) => e.id))).toEqual(new Set(inputs.map((i) => i.id)));
    expect(bus(env)).toHaveLength(40);
  });

  it('publish one, typed: a generated input type, and the event arrives typed at a subscriber', async () => {
    env = await startPubSubEnv();
    const def = orderDefinition(env.sim.pubsub!.schemaId(ORDER_TOPIC));
    const sub = env.pubsub.subscribe(def, { replay: 'earliest' });
    const result = await env.pubsub.publish(def, { Order_Number__c: 'T-1', Amount__c: 2 });
    expect(result.ok).toBe(true);
    const [event] = await take(sub, 1);
    await sub.stop();
    expectTypeOf(event!).toEqualTypeOf<PubSubEvent<OrderPayload>>();
    expect(event!.payload.Order_Number__c).toBe('T-1');
    expect(event!.id).toBe(result.id);
  });
});

describe('managed subscriptions (ManagedSubscribe + CommitReplayId)', () => {
  it('commits what the application finished; a new subscription resumes after it; reconnects deliver nothing twice', async () => {
    env = await startPubSubEnv({ pubsub: { managedSubscriptions: [{ developerName: 'Orders_Sub', topic: ORDER_TOPIC, defaultReplay: 'EARLIEST' }] } });
    seedOrders(env.sim, 0, 90);
    env.sim.pubsub!.faults.addStreamFault({ action: 'unavailable', afterEvents: 33, times: 2 });
    const sub = env.pubsub.managedSubscribe({ developerName: 'Orders_Sub' }, ORDER_TOPIC, { reconnect: { initialDelayMs: 20 } });
    const first = await take(sub, 70);
    await sub.stop();
    expect(env.sim.pubsub!.committedReplayId('Orders_Sub')?.readBigUInt64BE().toString()).toBe(first[69]!.replayId);
    const again = env.newPubSub().managedSubscribe({ developerName: 'Orders_Sub' }, ORDER_TOPIC);
    const rest = await take(again, 20);
    await again.stop();
    expect([...first, ...rest].map((e) => e.replayId)).toEqual(busReplayIds(env.sim));
  });
});

describe('bad input: typed errors naming the topic, the event or the replay id', () => {
  it('an unknown topic', async () => {
    env = await startPubSubEnv();
    const sub = env.pubsub.subscribe('/event/No_Such__e');
    const error = await sub.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PubSubError);
    expect(error).toMatchObject({ topic: '/event/No_Such__e', grpcCode: 7 });
    expect(String((error as Error).message)).toMatch(/No_Such__e/);
    await expect(env.pubsub.publish('/event/No_Such__e', [{ A: 1 }])).rejects.toMatchObject({ topic: '/event/No_Such__e' });
    await expect(env.pubsub.getTopic('not a topic')).rejects.toThrow(/not a topic name/);
  });

  it('a topic without subscribe permission', async () => {
    env = await startPubSubEnv({ pubsub: { topicPermissions: { [ORDER_TOPIC]: { canSubscribe: false } } } });
    const error = await env.pubsub.subscribe(ORDER_TOPIC).next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PubSubPermissionError);
    expect(error).toMatchObject({ code: 'SF_PUBSUB_PERMISSION', topic: ORDER_TOPIC });
  });

  it('a malformed replay id fails before anything is sent', async () => {
    env = await startPubSubEnv();
    expect(() => env!.pubsub.subscribe(ORDER_TOPIC, { replay: { after: 'yesterday' } })).toThrow(PubSubReplayIdError);
    expect(() => env!.pubsub.subscribe(ORDER_TOPIC, { replay: { after: -1n } })).toThrow(/malformed replay id -1 for \/event\/Order_Event__e/);
    expect(env.sim.pubsub!.stats().openStreams).toBe(0);
  });

  it('an event that cannot be decoded stops the stream with a PubSubDecodeError naming its replay id; the events before it are delivered', async () => {
    env = await startPubSubEnv();
    seedOrders(env.sim, 0, 3);
    const [bad] = env.sim.pubsub!.publishEncoded(ORDER_TOPIC, [Buffer.from([0xff, 0xff, 0xff])]);
    seedOrders(env.sim, 3, 2);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest' });
    const got: PubSubEvent[] = [];
    const error = await (async () => {
      for await (const e of sub) got.push(e);
    })().catch((e: unknown) => e);
    expect(got.map((e) => e.replayId)).toEqual(busReplayIds(env.sim).slice(0, 3));
    expect(error).toBeInstanceOf(PubSubDecodeError);
    expect(error).toMatchObject({ topic: ORDER_TOPIC, replayId: bad!.replayId.readBigUInt64BE().toString(), eventId: bad!.id });
  });

  it('a publish input missing a required field (or with a wrong type) sends nothing', async () => {
    env = await startPubSubEnv();
    const def = orderDefinition(env.sim.pubsub!.schemaId(ORDER_TOPIC));
    // @ts-expect-error Order_Number__c is required by the generated input type
    const missing = env.pubsub.publish(def, [{ Order_Number__c: 'ok' }, { Amount__c: 3 }]);
    await expect(missing).rejects.toBeInstanceOf(PubSubInputError);
    await expect(missing).rejects.toMatchObject({ topic: ORDER_TOPIC, index: 1, fields: ['Order_Number__c'] });
    await expect(env.pubsub.publish(ORDER_TOPIC, [{ Order_Number__c: 5 }])).rejects.toThrow(/event #0 .*Order_Number__c/);
    expect(bus(env)).toEqual([]);
  });
});
