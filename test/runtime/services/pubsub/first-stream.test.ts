/**
 * The first Subscribe goes out at once. From 'latest', GetTopic + GetSchema (the schema prefetch)
 * run beside it, not before it, so a slow or silent GetTopic costs the application nothing; from
 * 'earliest' or a replay id there is no GetTopic. Either way the stream's own answer is what says
 * whether the topic exists and may be read.
 */
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../../runtime/client.js';
import { PubSubClient, PubSubError } from '../../../../runtime/services/pubsub/index.js';
import { ORDER_TOPIC } from './helpers.js';
import { fetchResponse, goodEvent, ORG_ID, SCHEMA_ID, startScriptedServer, type ScriptedServer } from './scripted-server.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
let server: ScriptedServer | undefined;
let pubsub: PubSubClient | undefined;
const client = createClient({ auth: { accessToken: 'token-for-a-test-server', instanceUrl: 'http://127.0.0.1:9' }, allowInsecureLoopback: true });
afterEach(async () => {
  await pubsub?.close();
  server?.close();
  server = pubsub = undefined;
});

describe('the first stream', () => {
  it('from latest, GetTopic and GetSchema run beside the stream: a GetTopic that never answers holds nothing up', async () => {
    server = await startScriptedServer({ response: fetchResponse([goodEvent(1), goodEvent(2), goodEvent(3)]), getTopic: 'never' });
    // GetTopic would only give up after callTimeoutMs; the events must come long before.
    pubsub = new PubSubClient(client, { endpoint: server.endpoint, plaintext: true, allowInsecureLoopback: true, tenantId: ORG_ID, callTimeoutMs: 60_000 });
    const sub = pubsub.subscribe(ORDER_TOPIC, { replay: 'latest', idleTimeoutMs: 60_000 });
    const started = performance.now();
    const got: string[] = [];
    for await (const e of sub) {
      got.push(`${e.replayId}:${String(e.payload.Order_Number__c)}`);
      if (got.length === 3) break;
    }
    expect(got).toEqual(['1:ORD-1', '2:ORD-2', '3:ORD-3']);
    expect(performance.now() - started).toBeLessThan(10_000);
    // Both went out; the events were decoded with a schema fetched for them (GetSchema).
    expect(server.calls).toEqual(expect.arrayContaining(['GetTopic', 'Subscribe', 'GetSchema']));
  }, 20_000);

  it('from latest, the schema is fetched before any event arrives', async () => {
    server = await startScriptedServer({ response: fetchResponse([]) });
    pubsub = new PubSubClient(client, { endpoint: server.endpoint, plaintext: true, allowInsecureLoopback: true, tenantId: ORG_ID });
    const sub = pubsub.subscribe(ORDER_TOPIC, { replay: 'latest', idleTimeoutMs: 60_000 });
    const next = sub.next();
    for (let i = 0; i < 100 && !server.calls.includes('GetSchema'); i++) await new Promise((r) => setTimeout(r, 20));
    expect([...server.calls].sort()).toEqual(['GetSchema', 'GetTopic', 'Subscribe']);
    expect(pubsub.schemas.peek(SCHEMA_ID)).toBeDefined();
    await sub.stop();
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it('from earliest or a replay id, no GetTopic: the first events name their schema and GetSchema follows', async () => {
    for (const replay of ['earliest', { after: '1' }] as const) {
      server = await startScriptedServer({ response: fetchResponse([goodEvent(2), goodEvent(3)]) });
      pubsub = new PubSubClient(client, { endpoint: server.endpoint, plaintext: true, allowInsecureLoopback: true, tenantId: ORG_ID });
      const sub = pubsub.subscribe(ORDER_TOPIC, { replay, idleTimeoutMs: 60_000 });
      const first = await sub.next();
      expect(first.done ? undefined : first.value.replayId).toBe('2');
      await sub.stop();
      expect(server.calls).toEqual(['Subscribe', 'GetSchema']);
      await pubsub.close();
      server.close();
    }
  });

  it('a connect that never completes is bounded by connectTimeoutMs, each attempt, and ends with an error naming it', async () => {
    // Accepts TCP and never answers the TLS handshake.
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      pubsub = new PubSubClient(client, { endpoint: `127.0.0.1:${port}`, tenantId: ORG_ID, connectTimeoutMs: 300, allowInsecureLoopback: true });
      const sub = pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
      const started = performance.now();
      const error = await sub.next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PubSubError);
      expect(String((error as Error).message)).toMatch(new RegExp(`gave up after 2 reconnects .*could not connect to 127\\.0\\.0\\.1:${port} within 300 ms`));
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(sockets.length).toBeGreaterThanOrEqual(1);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('a malformed topic name throws from subscribe(), before anything is sent', async () => {
    server = await startScriptedServer({ response: fetchResponse([]) });
    pubsub = new PubSubClient(client, { endpoint: server.endpoint, plaintext: true, allowInsecureLoopback: true, tenantId: ORG_ID });
    expect(() => pubsub!.subscribe('Order_Event__e')).toThrow(PubSubError);
    expect(() => pubsub!.subscribe('Order_Event__e')).toThrow(/topic "Order_Event__e" is not a topic name like \/event\/Order_Event__e/);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.calls).toEqual([]);
  });

  it('a client that is never used connects nothing and does not keep its process alive', async () => {
    const sockets: Socket[] = [];
    const counting = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => counting.listen(0, '127.0.0.1', r));
    const endpoint = `127.0.0.1:${(counting.address() as { port: number }).port}`;
    const script = `
      import { createClient } from ${JSON.stringify(path.join(REPO, 'runtime/client.ts'))};
      import { PubSubClient } from ${JSON.stringify(path.join(REPO, 'runtime/services/pubsub/index.ts'))};
      const client = createClient({ auth: { accessToken: 'token-for-a-test-server', instanceUrl: 'http://127.0.0.1:9' }, allowInsecureLoopback: true });
      const pubsub = new PubSubClient(client, { endpoint: ${JSON.stringify(endpoint)}, tenantId: '${ORG_ID}' });
      await new Promise((r) => setTimeout(r, 300));
      console.log('channels', pubsub.channelsOpened);
    `;
    try {
      const started = performance.now();
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--conditions=sfgen-source', '--import', path.join(REPO, 'node_modules/tsx/dist/loader.mjs'), '--input-type=module', '-e', script], { cwd: REPO, timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      });
      expect(out.trim()).toBe('channels 1');
      expect(sockets).toHaveLength(0);
      // It ended by itself (nothing closed the client), long before the 30 s timeout.
      expect(performance.now() - started).toBeLessThan(20_000);
    } finally {
      counting.close();
    }
  }, 40_000);
});
