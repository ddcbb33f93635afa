// pubsub bench child: the floor, a plain grpc-js + proto-loader + avsc subscriber that keeps its
// window full (it asks for as many events as each response brought). Plain JavaScript, plain node.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import { args, cpuSince, TOPIC } from './pubsub-child-common.mjs';
const marks=[];let started=performance.now();const mark=(n)=>marks.push(n+'@'+(performance.now()-started).toFixed(1));

const { endpoint, caFile, instanceUrl, orgId, token, count } = args;

const protoFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto/pubsub_api.proto');
const definition = protoLoader.loadSync(protoFile, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const PubSub = grpc.loadPackageDefinition(definition).eventbus.v1.PubSub;
const client = new PubSub(endpoint, grpc.credentials.createSsl(readFileSync(caFile)));
const md = new grpc.Metadata();
md.set('accesstoken', token);
md.set('instanceurl', instanceUrl);
md.set('tenantid', orgId);
const types = new Map();
const typeOf = (id) => new Promise((resolve, reject) => {
  mark('getSchema-start');
  client.GetSchema({ schema_id: id }, md, (err, res) => {
    mark('getSchema-done');
    if (err) return reject(err);
    const type = avro.Type.forSchema(JSON.parse(res.schema_json), { wrapUnions: 'never' });
    types.set(id, type);
    resolve(type);
  });
});
started = performance.now();
const cpu = process.cpuUsage();
let events = 0;
let checksum = 0;
let firstMs = 0;
await new Promise((resolve, reject) => {
  const call = client.Subscribe(md);
  let chain = Promise.resolve();
  let firstData = true;
  call.on('data', (res) => {
    if (firstData) { mark('first-data'); firstData = false; }
    // Keep the window full: ask for as many as arrived.
    if (res.events.length > 0) call.write({ topic_name: TOPIC, num_requested: res.events.length });
    chain = chain.then(async () => {
      for (const e of res.events) {
        const type = types.get(e.event.schema_id) ?? (await typeOf(e.event.schema_id));
        const payload = type.fromBuffer(e.event.payload);
        if (events === 0) { firstMs = performance.now() - started; mark('first-event'); }
        checksum += payload.Amount__c ?? 0;
        if (++events === count) {
          call.cancel();
          resolve();
          return;
        }
      }
    }, reject);
  });
  call.on('error', (err) => {
    if (events < count) reject(err);
  });
  call.write({ topic_name: TOPIC, replay_preset: 'EARLIEST', num_requested: 100 });
});
const ms = performance.now() - started;
const cpuMs = cpuSince(cpu);
client.close();
process.stdout.write('\n'+JSON.stringify({events, marks: marks.join(' ')})+'\n'); process.exit(0);
