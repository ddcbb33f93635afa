import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { decoder, eventsOf, metadataFor, ORDER_TOPIC, orderEvent, orderPayload, record, seqOf, startPubSub, unary, type PubSubEnv } from './helpers.js';

let env: PubSubEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

function subscribeEarliest(e: PubSubEnv, n = 100, replay?: Buffer) {
  const c = e.client.Subscribe(e.md());
  const rec = record(c);
  c.write(replay ? { topic_name: ORDER_TOPIC, replay_preset: 'CUSTOM', replay_id: replay, num_requested: n } : { topic_name: ORDER_TOPIC, replay_preset: 'EARLIEST', num_requested: n });
  return { c, rec };
}

describe('stream faults', () => {
  for (const [action, code, details] of [
    ['unavailable', grpc.status.UNAVAILABLE, /^The service is unavailable\. Try again later\. rpcId: \S+$/],
    ['internal', grpc.status.INTERNAL, /^The service is unavailable\. Try again later\. rpcId: \S+$/],
    ['rst_stream', grpc.status.INTERNAL, /RST_STREAM/],
  ] as const) {
    it(`endStreamsEvery(K, '${action}'): each stream ends after K events; resubscribing after the last one loses nothing`, async () => {
      env = await startPubSub();
      const ps = env.sim.pubsub!;
      const published = ps.publish(ORDER_TOPIC, Array.from({ length: 25 }, (_, i) => orderEvent(env!.sim, i)));
      ps.faults.endStreamsEvery(10, action);
      const received: string[] = [];
      let replay: Buffer | undefined;
      for (let round = 0; round < 3; round++) {
        const { rec } = subscribeEarliest(env, 100, replay);
        const err = round < 2 ? await rec.ended : null;
        if (round < 2) {
          expect(err?.code).toBe(code);
          expect(err?.details).toMatch(details);
          if (action !== 'rst_stream') expect(err?.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.service.unavailable']);
        } else await rec.until((r) => eventsOf(r).length === 5);
        const evs = eventsOf(rec.responses);
        if (action !== 'rst_stream') expect(evs).toHaveLength(round < 2 ? 10 : 5);
        received.push(...evs.map((e) => e.event!.id));
        replay = evs.at(-1)?.replay_id ?? replay;
      }
      expect(received).toEqual(published.map((e) => e.id));
    });
  }

  it('goSilent: an open stream sends nothing more (no events, no keepalives) but stays open', async () => {
    env = await startPubSub({ pubsub: { keepaliveMs: 50 } });
    const ps = env.sim.pubsub!;
    const { rec, c } = subscribeEarliest(env, 50);
    ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 1)]);
    await rec.until((r) => eventsOf(r).length === 1);
    await rec.until((r) => r.length >= 2 && r.at(-1)!.events.length === 0); // keepalives flow while events are owed
    ps.faults.goSilent();
    const count = rec.responses.length;
    ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 2)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.responses).toHaveLength(count);
    expect(ps.stats().openStreams).toBe(1);
    c.cancel();
  });

  it('expireSessions: open streams end with UNAUTHENTICATED and the old token is refused; a new one works', async () => {
    env = await startPubSub();
    const { rec } = subscribeEarliest(env, 10);
    await new Promise((r) => setTimeout(r, 100));
    env.sim.pubsub!.faults.expireSessions();
    const err = await rec.ended;
    expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err?.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.service.auth.error']);
    const refused = (await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, env.md()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    const fresh = env.sim.issueAccessToken();
    const info = await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, metadataFor(env.sim, fresh));
    expect(info.topic_name).toBe(ORDER_TOPIC);
  });

  it('expireSessions({ cutStreams: false }): the open stream keeps delivering, GetSchema with the old token is UNAUTHENTICATED', async () => {
    env = await startPubSub();
    const ps = env.sim.pubsub!;
    const { rec, c } = subscribeEarliest(env, 10);
    await new Promise((r) => setTimeout(r, 100));
    ps.faults.expireSessions({ cutStreams: false });
    const newId = ps.faults.changeSchema(ORDER_TOPIC);
    ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 1)]);
    await rec.until((r) => eventsOf(r).length === 1);
    expect(eventsOf(rec.responses)[0]!.event!.schema_id).toBe(newId);
    const err = (await unary(env.client.GetSchema, env.client, { schema_id: newId }, env.md()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    const ok = await unary(env.client.GetSchema, env.client, { schema_id: newId }, metadataFor(env.sim, env.sim.issueAccessToken()));
    expect(ok.schema_id).toBe(newId);
    c.end();
  });

  it('tokens that expire by lifetime are refused on new calls', async () => {
    let now = Date.parse('2024-06-01T00:00:00Z');
    env = await startPubSub({ now: () => now, auth: { tokenLifetimeSeconds: 60 } });
    now += 61_000;
    const err = (await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, env.md()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('changeSchema: events after the change carry the new schema id and decode with it; GetSchema serves both', async () => {
    env = await startPubSub();
    const ps = env.sim.pubsub!;
    const oldId = ps.schemaId(ORDER_TOPIC);
    const { rec } = subscribeEarliest(env, 10);
    ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 1)]);
    await rec.until((r) => eventsOf(r).length === 1);
    const newId = ps.faults.changeSchema(ORDER_TOPIC);
    expect(newId).not.toBe(oldId);
    ps.publish(ORDER_TOPIC, [{ ...orderEvent(env.sim, 2), Sim_Field_1__c: 'added' }]);
    await rec.until((r) => eventsOf(r).length === 2);
    const [a, b] = eventsOf(rec.responses);
    expect(a!.event!.schema_id).toBe(oldId);
    expect(b!.event!.schema_id).toBe(newId);
    const info = await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, env.md());
    expect(info.schema_id).toBe(newId);
    for (const id of [oldId, newId]) expect((await unary(env.client.GetSchema, env.client, { schema_id: id }, env.md())).schema_id).toBe(id);
    expect(decoder(env.sim)(newId, b!.event!.payload)).toMatchObject({ Order_Number__c: 'ORD-2', Sim_Field_1__c: 'added' });
  });

  it('rejectReplayId and evictThrough: an old replay id is refused as corrupted, EARLIEST starts after the evicted events', async () => {
    env = await startPubSub();
    const ps = env.sim.pubsub!;
    const published = ps.publish(ORDER_TOPIC, Array.from({ length: 5 }, (_, i) => orderEvent(env!.sim, i)));
    ps.faults.rejectReplayId(published[3]!.replayId);
    const first = subscribeEarliest(env, 10, published[3]!.replayId);
    expect((await first.rec.ended)?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const second = subscribeEarliest(env, 10, published[3]!.replayId); // only once
    await second.rec.until((r) => eventsOf(r).length === 1);
    second.c.end();

    ps.faults.evictThrough(ORDER_TOPIC, published[2]!.replayId);
    const old = subscribeEarliest(env, 10, published[0]!.replayId);
    const err = await old.rec.ended;
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toContain('retention');
    const earliest = subscribeEarliest(env, 10);
    await earliest.rec.until((r) => eventsOf(r).length === 2);
    expect(eventsOf(earliest.rec.responses).map((e) => e.event!.id)).toEqual(published.slice(3).map((e) => e.id));
    earliest.c.end();
  });

  it('failPublishes: chosen events fail with code PUBLISH and no replay id; the others are published', async () => {
    env = await startPubSub();
    const ps = env.sim.pubsub!;
    ps.faults.failPublishes({ every: 2, times: 2 });
    const schemaId = ps.schemaId(ORDER_TOPIC);
    const res = await unary(
      env.client.Publish,
      env.client,
      { topic_name: ORDER_TOPIC, events: [1, 2, 3, 4, 5].map((n) => ({ id: `f-${n}`, schema_id: schemaId, payload: orderPayload(env!.sim, schemaId, n) })) },
      env.md(),
    );
    expect(res.results.map((r) => (r.error ? 'fail' : 'ok'))).toEqual(['fail', 'ok', 'fail', 'ok', 'ok']);
    expect(res.results[0]!.error!.code).toBe('PUBLISH');
    expect(res.results[0]!.replay_id).toHaveLength(0);
    expect(ps.retained(ORDER_TOPIC).map((e) => e.id)).toEqual(['f-2', 'f-4', 'f-5']);
  });
});

describe('retention and keepalives', () => {
  it('events older than the retention window are evicted; their replay ids are rejected', async () => {
    let now = Date.parse('2024-06-01T00:00:00Z');
    env = await startPubSub({ now: () => now, auth: { tokenLifetimeSeconds: 30 * 24 * 3600 }, pubsub: { retentionMs: 72 * 3600_000 } });
    const ps = env.sim.pubsub!;
    const old = ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 1), orderEvent(env.sim, 2)]);
    now += 48 * 3600_000;
    const newer = ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 3)]);
    now += 25 * 3600_000; // the first two are now 73 h old
    expect(ps.retained(ORDER_TOPIC).map((e) => e.id)).toEqual(newer.map((e) => e.id));
    const stale = subscribeEarliest(env, 10, old[0]!.replayId);
    const err = await stale.rec.ended;
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted']);
    // The last evicted position is still a valid place to resume from: nothing after it was lost.
    const edge = subscribeEarliest(env, 10, old[1]!.replayId);
    await edge.rec.until((r) => eventsOf(r).length === 1);
    expect(eventsOf(edge.rec.responses)[0]!.event!.id).toBe(newer[0]!.id);
    edge.c.end();
  });

  it('an idle stream owed events gets keepalives with latest_replay_id and pending_num_requested; one owed nothing is closed after the fetch timeout', async () => {
    env = await startPubSub({ pubsub: { keepaliveMs: 60, fetchTimeoutMs: 300 } });
    const ps = env.sim.pubsub!;
    const [e] = ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 1)]);
    const { rec } = subscribeEarliest(env, 5);
    await rec.until((r) => r.filter((x) => x.events.length === 0).length >= 2);
    const keepalive = rec.responses.find((x) => x.events.length === 0)!;
    expect(seqOf(keepalive.latest_replay_id)).toBeGreaterThanOrEqual(seqOf(e!.replayId));
    expect(keepalive.pending_num_requested).toBe(4);
    expect(keepalive.rpc_id).not.toBe('');

    const drained = subscribeEarliest(env, 1);
    await drained.rec.until((r) => eventsOf(r).length === 1);
    const started = Date.now();
    expect(await drained.rec.ended).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(drained.rec.responses.filter((x) => x.events.length === 0)).toHaveLength(0);
  });
});
