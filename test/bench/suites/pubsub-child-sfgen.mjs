// pubsub bench child: sfgen's PubSubClient from the built package (sfgen/runtime + sfgen/pubsub,
// runtime/dist; the suite builds it first). Plain JavaScript under plain node, like an application.
// Usage: node pubsub-child-sfgen.mjs <endpoint> <caFile> <instanceUrl> <orgId> <token> <count>
import { readFileSync } from 'node:fs';
import { createClient } from 'sfgen/runtime';
import { PubSubClient } from 'sfgen/pubsub';

const TOPIC = '/event/Order_Event__e';
const [endpoint, caFile, instanceUrl, orgId, token, countText] = process.argv.slice(2);
const count = Number(countText);
const cpuSince = (start) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

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
process.stdout.write(`\n${JSON.stringify({ events, ms, cpuMs, checksum, firstMs })}\n`);
process.exit(0);
