/**
 * Every simulator fault, end to end over TLS: the events delivered to the application are exactly
 * the events on the bus, in order, none twice, none missing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileCheckpointStore, PUBSUB_CHANNELS, PubSubReplayIdError, parseReplayId, type PubSubEvent, type PubSubReconnectMessage, type PubSubWarningMessage,
} from '../../../../runtime/services/pubsub/index.js';
import { clientCredentials, createClient, type AuthProvider } from '../../../../runtime/index.js';
import { PubSubClient } from '../../../../runtime/services/pubsub/index.js';
import { busReplayIds, ids, listen, CLIENT_SECRET, ORDER_TOPIC, seedOrders, startPubSubEnv, take, type PubSubTestEnv } from './helpers.js';

let env: PubSubTestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const fast = { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } };

describe('streams ended by the server', () => {
  it.each(['unavailable', 'internal', 'rst_stream'] as const)('%s every 37 events: exact delivery across reconnects', async (action) => {
    env = await startPubSubEnv();
    const reconnects = listen<PubSubReconnectMessage>(PUBSUB_CHANNELS.reconnect);
    seedOrders(env.sim, 0, 300);
    env.sim.pubsub!.faults.endStreamsEvery(37, action);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', ...fast });
    const events = await take(sub, 300);
    await sub.stop();
    expect(ids(events)).toEqual(busReplayIds(env.sim));
    expect(new Set(ids(events)).size).toBe(300);
    expect(sub.streams).toBeGreaterThanOrEqual(8);
    expect(reconnects.length).toBeGreaterThanOrEqual(7);
  });

  it('a slow consumer: events published while it lags and streams drop are all delivered once; the buffer stays bounded', async () => {
    env = await startPubSubEnv();
    seedOrders(env.sim, 0, 120);
    env.sim.pubsub!.faults.endStreamsEvery(25, 'unavailable');
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', bufferSize: 30, ...fast });
    const got: PubSubEvent[] = [];
    for await (const e of sub) {
      got.push(e);
      expect(sub.buffered + sub.pendingRequested).toBeLessThanOrEqual(30);
      expect(sub.pendingRequested).toBeLessThanOrEqual(100);
      if (got.length % 20 === 0) await new Promise((r) => setTimeout(r, 30));
      if (got.length === 60) seedOrders(env.sim, 120, 60);
      if (got.length === 180) break;
    }
    expect(ids(got)).toEqual(busReplayIds(env.sim));
  });
});

describe('silence and half-open connections', () => {
  it('the idle watchdog reconnects on a new channel and nothing is lost', async () => {
    env = await startPubSubEnv();
    seedOrders(env.sim, 0, 50);
    env.sim.pubsub!.faults.goSilent({ afterEvents: 20 });
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', idleTimeoutMs: 400, ...fast });
    const events = await take(sub, 50);
    await sub.stop();
    expect(ids(events)).toEqual(busReplayIds(env.sim));
    expect(env.pubsub.channelsOpened).toBe(2);
  });
});

describe('token expiry', () => {
  it('UNAUTHENTICATED on the stream: one token refresh, the stream resumes after the last delivered event', async () => {
    env = await startPubSubEnv();
    const warnings = listen<PubSubWarningMessage>(PUBSUB_CHANNELS.warning);
    seedOrders(env.sim, 0, 40);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', ...fast });
    const first = await take(sub, 40);
    const before = env.client.token();
    env.sim.pubsub!.faults.expireSessions();
    seedOrders(env.sim, 40, 40);
    const rest = await take(sub, 40);
    await sub.stop();
    expect(ids([...first, ...rest])).toEqual(busReplayIds(env.sim));
    expect((await env.client.token()).accessToken).not.toBe((await before).accessToken);
    expect(warnings.some((w) => w.kind === 'token-refreshed')).toBe(true);
  });

  it('UNAUTHENTICATED on GetSchema of a new schema mid-stream: refresh once, decode, nothing skipped', async () => {
    env = await startPubSubEnv();
    seedOrders(env.sim, 0, 10);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', ...fast });
    await take(sub, 10);
    const newSchema = env.sim.pubsub!.faults.changeSchema(ORDER_TOPIC);
    env.sim.pubsub!.faults.expireSessions();
    seedOrders(env.sim, 10, 10);
    const rest = await take(sub, 10);
    await sub.stop();
    expect(rest.map((e) => e.schemaId)).toEqual(Array(10).fill(newSchema));
    expect(ids(rest)).toEqual(busReplayIds(env.sim).slice(10));
  });
});

describe('a token the org no longer accepts before the first call', () => {
  it("userinfo's 403 Bad_OAuth_Token refreshes the token once; the org id comes from userinfo, not a fallback", async () => {
    env = await startPubSubEnv();
    const sim = env.sim;
    const login = clientCredentials({ clientId: 'sfgen-simulator', clientSecret: CLIENT_SECRET, loginUrl: sim.url });
    let calls = 0;
    // An expired token first (what SF_ACCESS_TOKEN holds after 2 hours), then the login's.
    const auth: AuthProvider = {
      kind: login.kind,
      refreshable: true,
      fetchToken(context, signal) {
        calls++;
        return calls === 1 ? Promise.resolve({ accessToken: '00DSm0000000001!expired', instanceUrl: sim.url }) : login.fetchToken(context, signal);
      },
    };
    const client = createClient({ auth, allowInsecureLoopback: true });
    const pubsub = new PubSubClient(client, { endpoint: sim.pubsub!.endpoint, caPem: sim.pubsub!.caPem!, tlsServerName: 'localhost' });
    try {
      const info = await pubsub.getTopic(ORDER_TOPIC);
      expect(info.tenantGuid).toBe(sim.orgId);
      expect(calls).toBe(2);
      seedOrders(sim, 0, 3);
      const sub = pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', ...fast });
      expect(ids(await take(sub, 3))).toEqual(busReplayIds(sim));
      await sub.stop();
    } finally {
      await pubsub.close();
      await client.close();
    }
  });
});

describe('schema change mid-stream', () => {
  it('each event is decoded with its own schema; the new field is kept; each schema fetched once', async () => {
    env = await startPubSubEnv();
    seedOrders(env.sim, 0, 5);
    const oldSchema = env.sim.pubsub!.schemaId(ORDER_TOPIC);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', ...fast });
    const first = await take(sub, 5);
    const base = JSON.parse(env.sim.pubsub!.schemaJson(oldSchema)!) as { fields: unknown[] };
    const newSchema = env.sim.pubsub!.faults.changeSchema(ORDER_TOPIC, {
      ...base,
      fields: [...base.fields, { name: 'Priority__c', type: ['null', 'string'], default: null }],
    });
    env.sim.pubsub!.publish(ORDER_TOPIC, [{ CreatedDate: 1, CreatedById: env.sim.defaultUser.userId, Order_Number__c: 'NEW-1', Priority__c: 'High' }]);
    env.sim.pubsub!.faults.endStreamsEvery(1, 'unavailable');
    seedOrders(env.sim, 100, 3);
    const rest = await take(sub, 4);
    await sub.stop();
    expect(first.every((e) => e.schemaId === oldSchema)).toBe(true);
    expect(rest.map((e) => e.schemaId)).toEqual([newSchema, newSchema, newSchema, newSchema]);
    expect(rest[0]!.payload).toMatchObject({ Order_Number__c: 'NEW-1', Priority__c: 'High' });
    expect(ids([...first, ...rest])).toEqual(busReplayIds(env.sim));
    expect(env.pubsub.schemas.fetches).toBe(2);
  });
});

describe('a replay id the server rejects (outside the 72-hour retention)', () => {
  async function rejected(policy: 'earliest' | 'latest' | 'error') {
    env = await startPubSubEnv();
    const ids0 = seedOrders(env.sim, 0, 30);
    const old = parseReplayId(ids0[4]!);
    env.sim.pubsub!.faults.evictThrough(ORDER_TOPIC, parseReplayId(ids0[9]!));
    env.sim.pubsub!.faults.rejectReplayId(old);
    const warnings = listen<PubSubWarningMessage>(PUBSUB_CHANNELS.warning);
    const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: { after: ids0[4]! }, onInvalidReplayId: policy, ...fast });
    return { sub, warnings, ids0 };
  }

  it("policy 'earliest' (default): resubscribes from the earliest retained event and warns", async () => {
    const { sub, warnings } = await rejected('earliest');
    const events = await take(sub, 20);
    await sub.stop();
    expect(ids(events)).toEqual(busReplayIds(env!.sim));
    expect(warnings.find((w) => w.kind === 'replay-id-invalid')?.message).toMatch(/earliest/);
  });

  it("policy 'latest': skips to new events and warns", async () => {
    const { sub, warnings } = await rejected('latest');
    const pending = take(sub, 3);
    await new Promise((r) => setTimeout(r, 300));
    const fresh = seedOrders(env!.sim, 100, 3);
    const events = await pending;
    await sub.stop();
    expect(ids(events)).toEqual(fresh);
    expect(warnings.some((w) => w.kind === 'replay-id-invalid')).toBe(true);
  });

  it("policy 'error': a PubSubReplayIdError naming the topic and the replay id", async () => {
    const { sub, ids0 } = await rejected('error');
    const error = await sub.next().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PubSubReplayIdError);
    expect(error).toMatchObject({ topic: ORDER_TOPIC, replayId: ids0[4], reason: 'invalid', code: 'SF_PUBSUB_REPLAY_ID' });
  });
});

describe('checkpoints', () => {
  it('a restarted process resumes exactly after the last event the handler finished', async () => {
    env = await startPubSubEnv();
    const dir = await mkdtemp(path.join(tmpdir(), 'sfgen-cp-'));
    try {
      const file = path.join(dir, 'checkpoints.json');
      seedOrders(env.sim, 0, 60);
      const sub = env.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', checkpoint: { store: new FileCheckpointStore(file) } });
      const first = await take(sub, 25);
      await sub.stop();
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ [ORDER_TOPIC]: first[24]!.replayId });
      // A new client and a new store object: what a restarted process has.
      const again = env.newPubSub().subscribe(ORDER_TOPIC, { replay: 'latest', checkpoint: { store: new FileCheckpointStore(file) } });
      const rest = await take(again, 35);
      await again.stop();
      expect(ids([...first, ...rest])).toEqual(busReplayIds(env.sim));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an event the loop body threw on is not committed (it is delivered again after a restart)', async () => {
    env = await startPubSubEnv();
    const dir = await mkdtemp(path.join(tmpdir(), 'sfgen-cp-'));
    try {
      const file = path.join(dir, 'cp.json');
      const bus = seedOrders(env.sim, 0, 10);
      const store = new FileCheckpointStore(file);
      await expect((async () => {
        for await (const e of env!.pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', checkpoint: { store } })) {
          if (e.replayId === bus[4]) throw new Error('handler failed');
        }
      })()).rejects.toThrow('handler failed');
      const again = env.newPubSub().subscribe(ORDER_TOPIC, { checkpoint: { store: new FileCheckpointStore(file) } });
      const rest = await take(again, 6);
      await again.stop();
      expect(ids(rest)).toEqual(bus.slice(4));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
