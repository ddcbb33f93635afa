/**
 * Issue 11 §7: typed event decode alone vs raw avsc decode, in process. Target: the typed decode
 * runs at >= 0.8x the events/s of `avsc.Type.forSchema(schema).fromBuffer(payload)`.
 *
 * Two workloads from the demo org's schemas:
 * - `Order_Event__e` platform events (10 fields, nullable unions, longs);
 * - `AccountChangeEvent` updates (56 fields, nested address and person-name records) whose
 *   ChangeEventHeader carries changedFields/nulledFields/diffFields bitmaps: the typed decode turns
 *   them into field names, which the raw decode leaves as hex strings (extra work on our side).
 *
 * Runs are interleaved (raw, typed, raw, typed, ...) and the median of each is reported.
 * `BENCH_PUBSUB_DECODE_EVENTS` sets the events per run (default 200,000).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { EventCodec } from '../../../runtime/services/pubsub/codec.js';
import type { BenchSuite, Figure } from '../harness.js';

const BENCH = 'pubsub-decode';
const EVENTS = Number(process.env['BENCH_PUBSUB_DECODE_EVENTS'] ?? 200_000);
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function orderEvents(schema: string, count: number): Buffer[] {
  const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    out.push(type.toBuffer({
      CreatedDate: 1714953600000 + i, CreatedById: '005000000000001AAA', Order_Number__c: `A-${i}`, Account_Id__c: i % 3 ? null : '001000000000001AAA',
      Amount__c: i * 1.5, Quantity__c: i % 2 ? null : i, Ship_By__c: 1715014800000, Ship_Date__c: i % 5 ? null : 1714953600000, Express__c: i % 2 === 0, Notes__c: null,
    }));
  }
  return out;
}

const BITMAPS = [
  { changedFields: ['0x022180', '5-0x0E'], nulledFields: ['0x0100', '5-0x04'], diffFields: [] },
  { changedFields: ['0x020000', '1-0x04'], nulledFields: [], diffFields: [] },
  { changedFields: ['0x022000'], nulledFields: [], diffFields: ['0x2000'] },
];

function accountEvents(schema: string, count: number): Buffer[] {
  const json = JSON.parse(schema) as { fields: { name: string }[] };
  const type = avro.Type.forSchema(json as unknown as avro.Schema);
  const empty = Object.fromEntries(json.fields.slice(1).map((f) => [f.name, null]));
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const bits = BITMAPS[i % BITMAPS.length] as (typeof BITMAPS)[number];
    out.push(type.toBuffer({
      ...empty,
      ChangeEventHeader: {
        entityName: 'Account', recordIds: ['001000000000001AAA'], changeType: 'UPDATE', changeOrigin: 'com/salesforce/api/rest/60.0', transactionKey: `tk-${i}`,
        sequenceNumber: 1, commitTimestamp: 1714953600000 + i, commitNumber: 1082990428293 + i, commitUser: '005000000000001AAA', ...bits,
      },
      Phone: '555-0100', Description: 'changed', LastModifiedDate: 1714953600000 + i,
      BillingAddress: { 'com.sforce.eventbus.Address': { Street: null, City: 'Paris', State: 'IDF', PostalCode: '75001', Country: null, StateCode: null, CountryCode: null, Latitude: null, Longitude: null, GeocodeAccuracy: null } },
    }));
  }
  return out;
}

function time(decode: (b: Buffer) => unknown, payloads: readonly Buffer[]): number {
  let sink = 0;
  const started = performance.now();
  for (const p of payloads) if (decode(p) !== null) sink++;
  const ms = performance.now() - started;
  if (sink !== payloads.length) throw new Error('decode returned null');
  return (payloads.length / ms) * 1000;
}

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx) {
    const figures: Figure[] = [];
    const dir = join(ctx.repoRoot, 'test/fixtures/demo-org/events');
    for (const [name, make] of [['Order_Event__e', orderEvents], ['AccountChangeEvent', accountEvents]] as const) {
      const schema = readFileSync(join(dir, `${name}.avsc`), 'utf8');
      const payloads = make(schema, EVENTS);
      const raw = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
      const codec = new EventCodec(`bench-${name}`, schema);
      // Warm both up before measuring.
      time((b) => raw.fromBuffer(b), payloads.slice(0, 20_000));
      time((b) => codec.decode(b), payloads.slice(0, 20_000));
      const rawRuns: number[] = [];
      const typedRuns: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        rawRuns.push(time((b) => raw.fromBuffer(b), payloads));
        typedRuns.push(time((b) => codec.decode(b), payloads));
      }
      const rawRate = median(rawRuns);
      const typedRate = median(typedRuns);
      const note = `${EVENTS} ${name} payloads, median of ${RUNS} interleaved runs`;
      figures.push(
        { bench: BENCH, subject: 'floor', metric: `${name}_events_per_s`, value: Math.round(rawRate), unit: 'events/s', better: 'higher', note: `raw avsc fromBuffer, ${note}` },
        { bench: BENCH, subject: 'sfgen', metric: `${name}_events_per_s`, value: Math.round(typedRate), unit: 'events/s', better: 'higher', note: `typed decode${name.endsWith('ChangeEvent') ? ' incl. bitmaps -> names' : ''}, ${note}` },
        { bench: BENCH, subject: 'sfgen', metric: `${name}_vs_floor`, value: Math.round((typedRate / rawRate) * 100) / 100, target: { min: 0.8 }, note: 'typed / raw' },
      );
    }
    return figures;
  },
};

export default suite;
