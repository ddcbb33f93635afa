// pubsub bench child: sfgen's PubSubClient from the built package (sfgen/runtime + sfgen/pubsub,
// runtime/dist; the suite builds it first). Plain JavaScript under plain node, like an application.
import { readFileSync } from 'node:fs';
import { createClient } from 'sfgen/runtime';
import { PubSubClient } from 'sfgen/pubsub';
import { args, cpuSince, report, TOPIC } from './pubsub-child-common.mjs';

const { endpoint, caFile, instanceUrl, orgId, token, count } = args;

const client = createClient({ auth: { accessToken: token, instanceUrl }, allowInsecureLoopback: true });
const pubsub = new PubSubClient(client, { endpoint, caPem: readFileSync(caFile, 'utf8'), tenantId: orgId });
const started = performance.now();
const cpu = process.cpuUsage();
let events = 0;
let checksum = 0;
let firstMs = 0;
for await (const e of pubsub.subscribe(TOPIC, { replay: 'earliest' })) {
  if (events === 0) firstMs = performance.now() - started;
  checksum += e.payload.Amount__c ?? 0;
  if (++events === count) break;
}
const ms = performance.now() - started;
const cpuMs = cpuSince(cpu);
await pubsub.close();
await client.close();
report({ events, ms, cpuMs, checksum, firstMs });
