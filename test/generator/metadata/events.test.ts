/**
 * Live event discovery: the global describe names the events, Pub/Sub GetTopic gives each topic's
 * schema id and GetSchema each distinct schema, against the simulator over TLS (real sockets).
 * Generating through that path gives the same event modules as generating from the files.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../generator/index.js';
import { connectOrg, type OrgConnection } from '../../../generator/metadata/connect.js';
import { DirectorySource } from '../../../generator/metadata/directory.js';
import { MetadataError } from '../../../generator/metadata/errors.js';
import { discoverEventSchemas, eventTopics, type EventTopicSource } from '../../../generator/metadata/events.js';
import { LiveSource } from '../../../generator/metadata/live.js';
import { schemaFingerprint } from '../../../generator/model/events.js';
import { PubSubClient } from '../../../runtime/services/pubsub/index.js';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { DEMO_ORG, readTree, removeDir, tempDir } from '../commands/helpers.js';

describe('eventTopics', () => {
  it('lists platform events and change events of the global describe, or of the selected objects', async () => {
    const global = await new DirectorySource(DEMO_ORG).describeGlobal();
    expect(eventTopics(global, 'all')).toEqual([
      { name: 'AccountChangeEvent', topic: '/data/AccountChangeEvent', parent: 'Account' },
      { name: 'Order_Event__e', topic: '/event/Order_Event__e', parent: null },
      { name: 'acme__Widget__ChangeEvent', topic: '/data/acme__Widget__ChangeEvent', parent: 'acme__Widget__c' },
    ]);
    // `Event` (the calendar object) is neither; a selected object brings its change event.
    expect(eventTopics(global, ['Account', 'Event']).map((t) => t.name)).toEqual(['AccountChangeEvent']);
    expect(eventTopics(global, ['Order_Event__e', 'acme__Widget__ChangeEvent']).map((t) => t.name)).toEqual(['Order_Event__e', 'acme__Widget__ChangeEvent']);
  });
});

describe('discoverEventSchemas failures', () => {
  const topics = [{ name: 'Order_Event__e', topic: '/event/Order_Event__e', parent: null }];
  const failing = (grpcCode: number): EventTopicSource => ({
    endpoint: 'pubsub.example:7443',
    getTopic: () => Promise.reject(Object.assign(new Error(`status ${grpcCode}`), { grpcCode })),
    getSchema: () => Promise.reject(new Error('not called')),
  });

  it('skips a topic without permission or unknown to Pub/Sub, with a note naming it', async () => {
    const found = await discoverEventSchemas(topics, failing(7));
    expect(found.events).toEqual([]);
    expect(found.notes).toEqual(['event Order_Event__e skipped: GetTopic /event/Order_Event__e: status 7']);
  });

  it('fails naming the call, the endpoint and the way out on anything else', async () => {
    const error = await discoverEventSchemas(topics, failing(14)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataError);
    expect((error as Error).message).toMatch(/Pub\/Sub GetTopic \/event\/Order_Event__e at pubsub\.example:7443 failed: status 14 \(pass --events-dir DIR/);
  });
});

describe('against the simulator (TLS)', { timeout: 180_000 }, () => {
  let sim: Simulator;
  let org: OrgConnection;
  let pubsub: PubSubClient;
  let root: string;
  let caFile: string;

  beforeAll(async () => {
    root = await tempDir('live-events');
    sim = await startSimulator({ metadataDir: DEMO_ORG, pubsub: { topicPermissions: { '/data/acme__Widget__ChangeEvent': { canSubscribe: false } } } });
    org = await connectOrg({ kind: 'token', instanceUrl: sim.url, accessToken: sim.issueAccessToken() }, '60.0');
    const ps = sim.pubsub!;
    pubsub = new PubSubClient(org.client, { endpoint: ps.endpoint, caPem: ps.caPem!, tlsServerName: 'localhost' });
    caFile = path.join(root, 'ca.pem');
    await writeFile(caFile, ps.caPem!);
  });

  afterAll(async () => {
    await pubsub?.close();
    await org?.close();
    await sim?.close();
    await removeDir(root);
  });

  function counting(): EventTopicSource & { topics: string[]; schemas: string[] } {
    const topics: string[] = [];
    const schemas: string[] = [];
    return {
      endpoint: sim.pubsub!.endpoint,
      topics,
      schemas,
      getTopic: (t) => (topics.push(t), pubsub.getTopic(t)),
      getSchema: (id) => (schemas.push(id), pubsub.getSchema(id)),
    };
  }

  it('reads each topic schema id (GetTopic) and each schema once (GetSchema); skips what the user may not subscribe to', async () => {
    const calls = counting();
    const source = new LiveSource(org.http, '60.0', { events: calls });
    expect(source.hasEvents).toBe(true);
    const events = await source.eventSchemas();
    expect(events.map((e) => e.name)).toEqual(['AccountChangeEvent', 'Order_Event__e']);
    expect(source.eventNotes).toEqual(['event acme__Widget__ChangeEvent skipped: the user may not subscribe to /data/acme__Widget__ChangeEvent']);
    expect(calls.topics.sort()).toEqual(['/data/AccountChangeEvent', '/data/acme__Widget__ChangeEvent', '/event/Order_Event__e']);
    expect(calls.schemas).toHaveLength(2);
    const files = new Map((await new DirectorySource(DEMO_ORG).eventSchemas()).map((e) => [e.name, e.schema]));
    for (const e of events) {
      expect(e.schema).toEqual(files.get(e.name));
      // The simulator's ids are the files' fingerprints, so both sources generate the same modules.
      expect(e.schemaId).toBe(schemaFingerprint(files.get(e.name), e.name, 'test'));
    }
  });

  it('does not fetch schemas it already knows (a drift check of an unchanged org)', async () => {
    const first = await new LiveSource(org.http, '60.0', { events: counting() }).eventSchemas();
    const calls = counting();
    const again = await new LiveSource(org.http, '60.0', { events: calls }).eventSchemas({ known: new Map(first.map((e) => [e.schemaId!, e.schema])) });
    expect(calls.schemas).toEqual([]);
    expect(again).toEqual(first.map((e) => ({ ...e, origin: expect.any(String) })));
  });

  it('generates the same event modules over Pub/Sub (--pubsub-endpoint, --ca-file) as from the files', async () => {
    const live = path.join(root, 'live');
    const files = path.join(root, 'files');
    const objects = ['Account', 'Order_Event__e', 'AccountChangeEvent', 'acme__Widget__c'];
    const summary = await generate({
      cwd: root, out: live, instanceUrl: sim.url, accessToken: sim.issueAccessToken(), objects,
      pubsubEndpoint: `localhost:${sim.pubsub!.endpoint.split(':')[1]}`, caFile, env: {},
    });
    expect(summary.events).toBe(2);
    expect(summary.eventsNote).toMatch(/acme__Widget__ChangeEvent skipped/);
    await generate({ cwd: root, out: files, metadataDir: DEMO_ORG, objects, env: {} });
    const a = await readTree(live);
    const b = await readTree(files);
    for (const name of ['events/AccountChangeEvent.ts', 'events/Order_Event__e.ts']) {
      expect(a.get(name)).toBeDefined();
      expect(a.get(name)).toBe(b.get(name));
    }
    // From files, every events/*.avsc is read; over Pub/Sub the one without subscribe permission is skipped.
    expect(a.has('events/acme__Widget__ChangeEvent.ts')).toBe(false);
    expect(b.has('events/acme__Widget__ChangeEvent.ts')).toBe(true);
  });
});
