/**
 * Event schemas in the snapshot and in `sfgen check`: generate from a copy of the demo org, then
 * change an event's Avro schema (a field added, a field removed) and check: exactly those changes,
 * classified, and the check fails on the removal.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../generator/index.js';
import { runCheck } from '../../../generator/check/index.js';
import { readSnapshot } from '../../../generator/model/snapshot.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEMO = join(ROOT, 'test/fixtures/demo-org');

describe('event schema drift', { timeout: 120_000 }, () => {
  let base: string;
  let org: string;
  let out: string;

  beforeAll(async () => {
    await mkdir(join(ROOT, 'test/generator/check/tmp'), { recursive: true });
    base = await mkdtemp(join(ROOT, 'test/generator/check/tmp/events-'));
    org = join(base, 'org');
    out = join(base, 'out');
    await cp(DEMO, org, { recursive: true });
    await generate({ cwd: base, metadataDir: org, out, objects: ['Account', 'Order_Event__e', 'AccountChangeEvent', 'acme__Widget__c'] });
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('generates one module per event and records the schemas in the snapshot', async () => {
    expect((await readdir(join(out, 'events'))).sort()).toEqual(['AccountChangeEvent.ts', 'Order_Event__e.ts', 'acme__Widget__ChangeEvent.ts']);
    const snapshot = await readSnapshot(out);
    expect([...snapshot.events.keys()]).toEqual(['AccountChangeEvent', 'Order_Event__e', 'acme__Widget__ChangeEvent']);
    expect(snapshot.events.get('Order_Event__e')?.model.topic).toBe('/event/Order_Event__e');
    const module = await readFile(join(out, 'events/Order_Event__e.ts'), 'utf8');
    expect(module).toContain(`schemaId: '${snapshot.events.get('Order_Event__e')?.model.schemaId}'`);
    expect(module).not.toMatch(/from 'avsc'|sfgen\/pubsub'/);
  });

  it('reports no event drift for the unchanged schemas', async () => {
    const result = await runCheck({ cwd: base, metadataDir: org, out, usage: false });
    expect(result.eventsChecked).toBe(3);
    expect(result.changes.filter((c) => c.kind.startsWith('event'))).toEqual([]);
    expect(result.failed).toBe(false);
  });

  it('reports a field added (safe) and a field removed (breaking) and fails', async () => {
    const file = join(org, 'events/Order_Event__e.avsc');
    const schema = JSON.parse(await readFile(file, 'utf8')) as { fields: { name: string }[] };
    schema.fields = schema.fields.filter((f) => f.name !== 'Notes__c');
    schema.fields.push({ name: 'Priority__c', type: ['null', 'string'], doc: 'Data:Text:00NDn0000ZZZZZZ', default: null } as { name: string });
    await writeFile(file, JSON.stringify(schema, null, 2));
    const result = await runCheck({ cwd: base, metadataDir: org, out, usage: false });
    const events = result.changes.filter((c) => c.kind.startsWith('event')).map((c) => [c.kind, c.object, c.field, c.class]);
    expect(events.sort()).toEqual([
      ['event-field-added', 'Order_Event__e', 'Priority__c', 'safe'],
      ['event-field-removed', 'Order_Event__e', 'Notes__c', 'breaking'],
    ]);
    expect(result.failed).toBe(true);
  });
});
