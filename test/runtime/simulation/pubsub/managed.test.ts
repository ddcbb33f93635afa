import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, ORDER_TOPIC, orderEvent, record, startPubSub, unary, type PubSubEnv } from './helpers.js';

let env: PubSubEnv;
beforeAll(async () => {
  env = await startPubSub({
    pubsub: {
      managedSubscriptions: [
        { developerName: 'Orders_Managed', topic: ORDER_TOPIC, defaultReplay: 'EARLIEST' },
        { developerName: 'Stopped_Sub', topic: ORDER_TOPIC, state: 'STOP' },
      ],
    },
  });
});
afterAll(async () => env.close());

describe('ManagedSubscribe', () => {
  it('delivers from the default replay, commits replay ids server-side, and resumes after the commit', async () => {
    const ps = env.sim.pubsub!;
    const published = ps.publish(ORDER_TOPIC, Array.from({ length: 6 }, (_, i) => orderEvent(env.sim, i)));
    const c = env.client.ManagedSubscribe(env.md());
    const rec = record(c);
    c.write({ developer_name: 'Orders_Managed', num_requested: 3 });
    await rec.until((r) => eventsOf(r).length === 3);
    expect(eventsOf(rec.responses).map((e) => e.event!.id)).toEqual(published.slice(0, 3).map((e) => e.id));
    c.write({ commit_replay_id_request: { commit_request_id: 'commit-1', replay_id: published[2]!.replayId } });
    await rec.until((r) => r.some((x) => x.commit_response !== null));
    const commit = rec.responses.find((x) => x.commit_response !== null)!.commit_response!;
    expect(commit).toMatchObject({ commit_request_id: 'commit-1', error: null });
    expect(commit.replay_id.equals(published[2]!.replayId)).toBe(true);
    expect(Number(commit.process_time)).toBeGreaterThan(0);
    expect(ps.committedReplayId('Orders_Managed')!.equals(published[2]!.replayId)).toBe(true);
    c.end();
    await rec.ended;

    // A new stream (by id this time) resumes after the committed replay id.
    const id = ps.managedSubscription('Orders_Managed')!.id;
    expect(id).toMatch(/^18x[A-Za-z0-9]{15}$/);
    const c2 = env.client.ManagedSubscribe(env.md());
    const rec2 = record(c2);
    c2.write({ subscription_id: id, num_requested: 10 });
    await rec2.until((r) => eventsOf(r).length === 3);
    expect(eventsOf(rec2.responses).map((e) => e.event!.id)).toEqual(published.slice(3).map((e) => e.id));
    // A bad commit answers a COMMIT error on the stream, which stays open.
    c2.write({ commit_replay_id_request: { commit_request_id: 'bad', replay_id: Buffer.from([9]) } });
    await rec2.until((r) => r.some((x) => x.commit_response?.commit_request_id === 'bad'));
    expect(rec2.responses.find((x) => x.commit_response?.commit_request_id === 'bad')!.commit_response!.error).toMatchObject({ code: 'COMMIT' });
    c2.end();
  });

  it('an unknown subscription is NOT_FOUND; a stopped one FAILED_PRECONDITION', async () => {
    const c = env.client.ManagedSubscribe(env.md());
    const rec = record(c);
    c.write({ developer_name: 'Nope', num_requested: 1 });
    const err = await rec.ended;
    expect(err?.code).toBe(grpc.status.NOT_FOUND);
    expect(err?.details).toContain('Nope');
    const c2 = env.client.ManagedSubscribe(env.md());
    const rec2 = record(c2);
    c2.write({ developer_name: 'Stopped_Sub', num_requested: 1 });
    const err2 = await rec2.ended;
    expect(err2?.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(err2?.details).toContain('STOP');
  });

  it('a topic without subscribe permission refuses Subscribe with PERMISSION_DENIED', async () => {
    const limited = await startPubSub({ pubsub: { tls: false, topicPermissions: { [ORDER_TOPIC]: { canSubscribe: false } } } });
    try {
      expect(limited.sim.pubsub!.tls).toBe(false);
      const info = await unary(limited.client.GetTopic, limited.client, { topic_name: ORDER_TOPIC }, limited.md());
      expect(info.can_subscribe).toBe(false);
      const c = limited.client.Subscribe(limited.md());
      const rec = record(c);
      c.write({ topic_name: ORDER_TOPIC, num_requested: 1 });
      const err = await rec.ended;
      expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(err?.details).toContain(ORDER_TOPIC);
    } finally {
      await limited.close();
    }
  });
});

