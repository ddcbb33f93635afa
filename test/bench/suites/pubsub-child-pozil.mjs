// pubsub bench child: salesforce-pubsub-api-client 5.x (pozil), its bundled CA file swapped for the
// simulator's certificate and its https:// instance-URL check satisfied (nothing else changed; its
// logger is a no-op, its debug strings are still built, as for any user). Plain JavaScript.
import { readFileSync } from 'node:fs';
import fs from 'node:fs';
import { args, cpuSince, report, TOPIC } from './pubsub-child-common.mjs';

const { endpoint, caFile, instanceUrl, orgId, token, count } = args;

const caPem = readFileSync(caFile);
const original = fs.readFileSync;
// pozil reads its bundled CA file; give it the simulator's certificate instead.
fs.readFileSync = (file, ...rest) => (String(file).includes('cacert-') ? caPem : original(file, ...rest));
// Imported after the patch above: it reads its CA file when loaded.
const PubSubApiClient = (await import('salesforce-pubsub-api-client')).default;
const noop = () => undefined;
const config = { authType: 'user-supplied', accessToken: token, instanceUrl: instanceUrl.replace(/^http:/, 'https:'), organizationId: orgId, pubSubEndpoint: endpoint };
const client = new PubSubApiClient(config, { debug: noop, info: noop, warn: noop, error: noop });
config.instanceUrl = instanceUrl; // the simulator's URL, after pozil's https:// check
await client.connect();
const started = performance.now();
const cpu = process.cpuUsage();
let events = 0;
let checksum = 0;
let firstMs = 0;
await new Promise((resolve, reject) => {
  client.subscribeFromEarliestEvent(TOPIC, (_sub, type, data) => {
    if (type === 'event') {
      if (events === 0) firstMs = performance.now() - started;
      checksum += data.payload.Amount__c ?? 0;
      if (++events === count) resolve();
    } else if (type === 'error') reject(new Error(`pozil error: ${String(data?.message ?? data)}`));
  }, null);
});
const ms = performance.now() - started;
const cpuMs = cpuSince(cpu);
client.close();
report({ events, ms, cpuMs, checksum, firstMs });
