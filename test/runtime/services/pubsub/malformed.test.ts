/**
 * A server that sends an event whose protobuf envelope cannot be read. Received responses are only
 * scanned for their events' bounds (wire.ts), and each event is read when the application reaches
 * it: the events before the bad one are delivered, then the subscription stops with a
 * PubSubDecodeError naming the last replay id delivered. Nothing is skipped and nothing hangs.
 * A plain grpc-js server over a real socket plays the server, so the bytes can be chosen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../../../runtime/client.js';
import { PubSubClient, PubSubDecodeError, type PubSubEvent } from '../../../../runtime/services/pubsub/index.js';
import { ORDER_TOPIC } from './helpers.js';
import { fetchResponse, goodEvent, ORG_ID, startScriptedServer, type ScriptedServer } from './scripted-server.js';

let server: ScriptedServer | undefined;
let pubsub: PubSubClient | undefined;
afterEach(async () => {
  await pubsub?.close();
  server?.close();
  server = pubsub = undefined;
});

describe('an event whose envelope cannot be read', () => {
  it('delivers the events before it, then stops with PubSubDecodeError naming the last replay id delivered', async () => {
    // ProducerEvent field 1 claims 80 bytes inside a ConsumerEvent of 7: the response's own
    // framing is intact, the event's is not.
    const broken = Buffer.concat([Buffer.from([0x0a, 0x50]), Buffer.from('short')]);
    server = await startScriptedServer({ response: fetchResponse([goodEvent(1), goodEvent(2), broken, goodEvent(4)]) });
    const endpoint = server.endpoint;
    const client = createClient({ auth: { accessToken: 'token-for-a-test-server', instanceUrl: 'http://127.0.0.1:9' }, allowInsecureLoopback: true });
    pubsub = new PubSubClient(client, { endpoint, plaintext: true, allowInsecureLoopback: true, tenantId: ORG_ID });
    const sub = pubsub.subscribe(ORDER_TOPIC, { replay: 'earliest', idleTimeoutMs: 5000 });
    const delivered: PubSubEvent[] = [];
    let failure: unknown;
    try {
      for await (const e of sub) delivered.push(e);
    } catch (err) {
      failure = err;
    }
    expect(delivered.map((e) => [e.replayId, e.id, e.payload.Order_Number__c])).toEqual([['1', 'uuid-1', 'ORD-1'], ['2', 'uuid-2', 'ORD-2']]);
    expect(failure).toBeInstanceOf(PubSubDecodeError);
    const err = failure as PubSubDecodeError;
    expect(err.topic).toBe(ORDER_TOPIC);
    expect(err.replayId).toBe('2');
    expect(err.message).toMatch(/cannot read the event after replay id 2: malformed ConsumerEvent \(bytes \d+-\d+ of a FetchResponse\): truncated message field/);
    await client.close();
  });
});
