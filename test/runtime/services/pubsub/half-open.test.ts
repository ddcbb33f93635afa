/**
 * A half-open connection at the transport level: a TCP proxy between the client and the simulator
 * stops forwarding bytes in both directions without closing either socket (what a NAT or load
 * balancer that lost its state does). Nothing tells the client; its idle watchdog must notice,
 * drop that connection, and resume on a new one after the last event it DELIVERED, within the
 * bound it was given, with nothing lost or duplicated.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { PUBSUB_CHANNELS, type PubSubEvent, type PubSubReconnectMessage, type PubSubSubscribeMessage } from '../../../../runtime/services/pubsub/index.js';
import { busReplayIds, ORDER_TOPIC, seedOrders, startPubSubEnv, take, type PubSubTestEnv } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

let env: PubSubTestEnv | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await env?.close();
  await proxy?.close();
  env = undefined;
  proxy = undefined;
});

function listen<T>(channel: string): { at: number; message: T }[] {
  const seen: { at: number; message: T }[] = [];
  const fn = (m: unknown) => seen.push({ at: performance.now(), message: m as T });
  diagnostics_channel.subscribe(channel, fn);
  afterEach(() => diagnostics_channel.unsubscribe(channel, fn));
  return seen;
}

const IDLE_MS = 800;

describe('a half-open TCP connection under a subscription', () => {
  it('the idle watchdog notices within its bound and resumes on a new connection after the last delivered event', async () => {
    env = await startPubSubEnv();
    const [host, port] = env.sim.pubsub!.endpoint.split(':') as [string, string];
    proxy = await startTcpProxy(host, Number(port));
    // gRPC keepalive pings stay at their default (60 s): the watchdog, not the pings, must catch this.
    const pubsub = env.newPubSub({ endpoint: proxy.endpoint });
    const reconnects = listen<PubSubReconnectMessage>(PUBSUB_CHANNELS.reconnect);
    const subscribes = listen<PubSubSubscribeMessage>(PUBSUB_CHANNELS.subscribe);
    seedOrders(env.sim, 0, 100);
    // A small buffer keeps the flow going request by request, so events are owed when the line dies.
    const sub = pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', idleTimeoutMs: IDLE_MS, bufferSize: 20, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const before = await take(sub, 30);
    expect(proxy.freeze()).toBe(1);
    const frozenAt = performance.now();
    // Published after the connection went half-open: they can only arrive on a new connection.
    seedOrders(env.sim, 100, 20);
    const after = await take(sub, 90, IDLE_MS + 5000);
    const doneAt = performance.now();
    await sub.stop();

    const events: PubSubEvent[] = [...before, ...after];
    expect(events.map((e) => e.replayId)).toEqual(busReplayIds(env.sim));
    expect(new Set(events.map((e) => e.replayId)).size).toBe(120);

    // Detected by the watchdog, within its bound, and resumed on a new channel (a new TCP connection).
    expect(reconnects).toHaveLength(1);
    const reconnect = reconnects[0]!;
    expect(reconnect.message).toMatchObject({ newChannel: true, reason: expect.stringMatching(new RegExp(`no message for ${IDLE_MS} ms`)) as unknown });
    // The bound: idleTimeoutMs after the last byte (which came before the freeze), plus timer slack on a loaded machine.
    expect(reconnect.at - frozenAt).toBeLessThanOrEqual(IDLE_MS + 500);
    expect(doneAt - frozenAt).toBeLessThanOrEqual(IDLE_MS + 2000);
    expect(pubsub.channelsOpened).toBe(2);
    expect(proxy.accepted).toBe(2);

    // The new stream started right after the last event delivered before it (not the last received).
    const resumed = subscribes.filter((s) => s.message.attempt > 0);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.message.replay).toBe('CUSTOM');
    const at = events.findIndex((e) => e.replayId === resumed[0]!.message.replayId);
    expect(at).toBeGreaterThanOrEqual(29);
    expect(events[at + 1]!.replayId).toBe(busReplayIds(env.sim)[at + 1]);
  });
});
