import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decoder, eventsOf, metadataFor, ORDER_TOPIC, orderEvent, orderPayload, record, seqOf, startPubSub, unary, type PubSubEnv } from './helpers.js';

let env: PubSubEnv;
beforeAll(async () => {
  env = await startPubSub();
});
afterAll(async () => env.close());

describe('GetTopic / GetSchema', () => {
  it('describes a platform-event topic with its schema id and permissions', async () => {
    const info = await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, env.md());
    expect(info).toMatchObject({ topic_name: ORDER_TOPIC, tenant_guid: env.sim.orgId, can_publish: true, can_subscribe: true });
    expect(info.schema_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(info.rpc_id).not.toBe('');
    const schema = await unary(env.client.GetSchema, env.client, { schema_id: info.schema_id }, env.md());
    expect(schema.schema_id).toBe(info.schema_id);
    const parsed = JSON.parse(schema.schema_json) as { name: string; fields: { name: string }[] };
    expect(parsed.name).toBe('Order_Event__e');
    expect(parsed.fields.map((f) => f.name)).toContain('Order_Number__c');
  });

  it('change-event topics are subscribe-only; /data/ChangeEvents exists', async () => {
    const info = await unary(env.client.GetTopic, env.client, { topic_name: '/data/AccountChangeEvent' }, env.md());
    expect(info).toMatchObject({ can_publish: false, can_subscribe: true });
    const all = await unary(env.client.GetTopic, env.client, { topic_name: '/data/ChangeEvents' }, env.md());
    expect(all).toMatchObject({ can_publish: false, can_subscribe: true, schema_id: '' });
  });

  it('an unknown topic is PERMISSION_DENIED naming the topic; an unknown schema NOT_FOUND', async () => {
    const err = await unary(env.client.GetTopic, env.client, { topic_name: '/event/Nope__e' }, env.md()).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((err as grpc.ServiceError).details).toContain('/event/Nope__e');
    expect((err as grpc.ServiceError).metadata.get('rpc-id')[0]).toBeTruthy();
    const err2 = (await unary(env.client.GetSchema, env.client, { schema_id: 'nope' }, env.md()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err2.code).toBe(grpc.status.NOT_FOUND);
    expect(err2.details).toContain('nope');
  });
});

describe('TLS', () => {
  it('serves TLS with a certificate for localhost/127.0.0.1 that a client must trust explicitly', async () => {
    const ps = env.sim.pubsub!;
    expect(ps.tls).toBe(true);
    expect(ps.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ps.caPem).toContain('BEGIN CERTIFICATE');
    const Ctor = env.client.constructor as new (a: string, c: grpc.ChannelCredentials) => typeof env.client;
    const untrusting = new Ctor(ps.endpoint, grpc.credentials.createSsl());
    const err = (await unary(untrusting.GetTopic, untrusting, { topic_name: ORDER_TOPIC }, env.md()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    untrusting.close();
    const plain = new Ctor(ps.endpoint, grpc.credentials.createInsecure());
    const err2 = (await unary(plain.GetTopic, plain, { topic_name: ORDER_TOPIC }, env.md()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err2.code).toBe(grpc.status.UNAVAILABLE);
    plain.close();
  });
});

describe('auth', () => {
  it('rejects a missing, unknown or revoked token, a wrong tenant and a wrong instance URL with UNAUTHENTICATED', async () => {
    const cases = [
      metadataFor(env.sim, 'not-a-token'),
      metadataFor(env.sim, env.token, { tenantid: '00D000000000000AAA' }),
      metadataFor(env.sim, env.token, { instanceurl: 'https://example.my.salesforce.com' }),
      new grpc.Metadata(),
    ];
    for (const md of cases) {
      const err = (await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, md).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(err.details).toMatch(/^An authentication exception occurred\. Provide valid authentication via metadata headers\. rpcId: \S+/);
      expect(err.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.service.auth.error']);
    }
    const revoked = env.sim.issueAccessToken();
    env.sim.revokeAccessTokens(revoked);
    const sub = record(env.client.Subscribe(metadataFor(env.sim, revoked)));
    const ended = await sub.ended;
    expect(ended?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('accepts the 15-character org id as tenant', async () => {
    const info = await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, metadataFor(env.sim, env.token, { tenantid: env.sim.orgId.slice(0, 15) }));
    expect(info.topic_name).toBe(ORDER_TOPIC);
  });
});

describe('Publish', () => {
  it('publishes a batch and answers one result per event by correlation key, failing only the bad ones', async () => {
    const info = await unary(env.client.GetTopic, env.client, { topic_name: ORDER_TOPIC }, env.md());
    const good = (n: number) => orderPayload(env.sim, info.schema_id, n);
    const res = await unary(
      env.client.Publish,
      env.client,
      {
        topic_name: ORDER_TOPIC,
        events: [
          { id: 'e-1', schema_id: info.schema_id, payload: good(1) },
          { id: 'e-2', schema_id: 'unknown-schema', payload: good(2) },
          { id: 'e-3', schema_id: info.schema_id, payload: Buffer.from([0xff, 0xff]) },
          { id: 'e-4', schema_id: info.schema_id, payload: good(4) },
          { id: 'e-5', schema_id: info.schema_id, payload: Buffer.alloc(1024 * 1024 + 1) },
        ],
      },
      env.md(),
    );
    expect(res.results.map((r) => r.correlation_key)).toEqual(['e-1', 'e-2', 'e-3', 'e-4', 'e-5']);
    expect(res.results[4]!.error!.msg).toContain('maximum is 1048576');
    expect(res.results[0]!.error).toBeNull();
    expect(res.results[0]!.replay_id).toHaveLength(8);
    expect(res.results[1]!.error).toMatchObject({ code: 'PUBLISH' });
    expect(res.results[1]!.error!.msg).toContain('unknown-schema');
    expect(res.results[1]!.replay_id).toHaveLength(0);
    expect(res.results[2]!.error!.msg).toContain('e-3');
    expect(seqOf(res.results[3]!.replay_id)).toBeGreaterThan(seqOf(res.results[0]!.replay_id));
    const retained = env.sim.pubsub!.retained(ORDER_TOPIC).map((e) => e.id);
    expect(retained).toContain('e-1');
    expect(retained).toContain('e-4');
    expect(retained).not.toContain('e-2');
  });

  it('refuses to publish to a change-event topic (PERMISSION_DENIED)', async () => {
    const err = (await unary(env.client.Publish, env.client, { topic_name: '/data/AccountChangeEvent', events: [] }, env.md()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('PublishStream answers each request in order and rejects a topic change', async () => {
    const schemaId = env.sim.pubsub!.schemaId(ORDER_TOPIC);
    const payload = (n: number) => orderPayload(env.sim, schemaId, n);
    const call = env.client.PublishStream(env.md());
    const rec = record(call);
    call.write({ topic_name: ORDER_TOPIC, events: [{ id: 'ps-1', schema_id: schemaId, payload: payload(1) }] });
    call.write({ events: [{ id: 'ps-2', schema_id: schemaId, payload: payload(2) }, { id: 'ps-3', schema_id: schemaId, payload: payload(3) }] });
    await rec.until((r) => r.length === 2);
    expect(rec.responses.map((r) => r.results.map((x) => x.correlation_key))).toEqual([['ps-1'], ['ps-2', 'ps-3']]);
    call.write({ topic_name: '/event/Other__e', events: [] });
    const ended = await rec.ended;
    expect(ended?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe('Subscribe', () => {
  it('EARLIEST replays retained events in order, honouring num_requested and the 100 cap', async () => {
    const ps = env.sim.pubsub!;
    const published = ps.publish(ORDER_TOPIC, Array.from({ length: 250 }, (_, i) => orderEvent(env.sim, i)));
    const all = ps.retained(ORDER_TOPIC);
    const call = env.client.Subscribe(env.md());
    const rec = record(call);
    call.write({ topic_name: ORDER_TOPIC, replay_preset: 'EARLIEST', num_requested: 30 });
    await rec.until((r) => eventsOf(r).length === 30);
    await new Promise((r) => setTimeout(r, 100));
    expect(eventsOf(rec.responses)).toHaveLength(30); // no more than asked
    expect(rec.responses.at(-1)!.pending_num_requested).toBe(0);
    call.write({ num_requested: 500 }); // capped at 100 outstanding
    await rec.until((r) => eventsOf(r).length === 130);
    await new Promise((r) => setTimeout(r, 100));
    expect(eventsOf(rec.responses)).toHaveLength(130);
    call.write({ num_requested: 100 });
    call.write({ num_requested: 100 });
    await rec.until((r) => eventsOf(r).length === all.length, 10_000);
    const got = eventsOf(rec.responses);
    expect(got.map((e) => e.event!.id)).toEqual(all.map((e) => e.id));
    const seqs = got.map((e) => seqOf(e.replay_id));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    const decode = decoder(env.sim);
    const last = got.at(-1)!;
    expect(decode(last.event!.schema_id, last.event!.payload)).toMatchObject({ Order_Number__c: 'ORD-249' });
    expect(published.at(-1)!.replayId.equals(last.replay_id)).toBe(true);
    for (const r of rec.responses) expect(r.events.length).toBeLessThanOrEqual(100);
    call.end();
    await rec.ended;
  });

  it('LATEST delivers only events published after the subscription; CUSTOM resumes after a replay id', async () => {
    const ps = env.sim.pubsub!;
    const before = ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 1000)]);
    const call = env.client.Subscribe(env.md());
    const rec = record(call);
    call.write({ topic_name: ORDER_TOPIC, replay_preset: 'LATEST', num_requested: 10 });
    await new Promise((r) => setTimeout(r, 100));
    const after = ps.publish(ORDER_TOPIC, [orderEvent(env.sim, 1001), orderEvent(env.sim, 1002)]);
    await rec.until((r) => eventsOf(r).length === 2);
    expect(eventsOf(rec.responses).map((e) => e.event!.id)).toEqual(after.map((e) => e.id));
    call.end();

    const custom = env.client.Subscribe(env.md());
    const rec2 = record(custom);
    custom.write({ topic_name: ORDER_TOPIC, replay_preset: 'CUSTOM', replay_id: before[0]!.replayId, num_requested: 10 });
    await rec2.until((r) => eventsOf(r).length === 2);
    expect(eventsOf(rec2.responses).map((e) => e.event!.id)).toEqual(after.map((e) => e.id));
    custom.end();
  });

  it('a malformed or never-issued replay id is INVALID_ARGUMENT with the replayid.corrupted error code', async () => {
    for (const replay_id of [Buffer.from([1, 2, 3]), Buffer.from('7fffffffffffff00', 'hex')]) {
      const call = env.client.Subscribe(env.md());
      const rec = record(call);
      call.write({ topic_name: ORDER_TOPIC, replay_preset: 'CUSTOM', replay_id, num_requested: 1 });
      const err = await rec.ended;
      expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err?.details).toMatch(/^The Replay ID validation failed/);
      expect(err?.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted']);
    }
  });

  it('an unknown topic ends the stream with PERMISSION_DENIED; changing the topic with INVALID_ARGUMENT', async () => {
    const call = env.client.Subscribe(env.md());
    const rec = record(call);
    call.write({ topic_name: '/event/Missing__e', num_requested: 1 });
    expect((await rec.ended)?.code).toBe(grpc.status.PERMISSION_DENIED);
    const call2 = env.client.Subscribe(env.md());
    const rec2 = record(call2);
    call2.write({ topic_name: ORDER_TOPIC, num_requested: 1 });
    call2.write({ topic_name: '/data/AccountChangeEvent', num_requested: 1 });
    expect((await rec2.ended)?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
