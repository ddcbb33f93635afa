import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SNAPSHOT_FILE,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotError,
  canonicalJson,
  objectHash,
  parseSnapshot,
  readSnapshot,
  serializeSnapshot,
} from '../../../generator/model/snapshot.js';
import type { FieldModel, ObjectModel, OrgModel } from '../../../generator/model/types.js';
import { field, object as buildObject } from './model-helpers.js';

/** Snapshot fixtures use a key prefix; otherwise the shared builders' defaults. */
function object(name: string, fields: FieldModel[], over: Partial<ObjectModel> = {}): ObjectModel {
  return buildObject(name, fields, { keyPrefix: '001', ...over });
}

const account = object(
  'Account',
  [
    field('Id', { type: 'id', nillable: false, createable: false, updateable: false, length: 18, byteLength: 18 }),
    field('Industry', {
      type: 'picklist',
      helpText: 'Line "one"\nline two — ünïcödé',
      picklist: {
        restricted: true,
        dependent: false,
        controllerName: null,
        values: [
          { value: 'Agriculture', label: 'Agriculture', active: true, defaultValue: false, validFor: null },
          { value: '__proto__', label: 'Proto', active: false, defaultValue: false, validFor: null },
        ],
      },
    }),
    field('Name', { nillable: false, requiredOnCreate: true, nameField: true }),
    field('NumberOfEmployees', { type: 'int', length: 0, byteLength: 0, digits: 8, defaultValue: 5 }),
    field('ParentId', {
      type: 'reference',
      reference: {
        referenceTo: ['Account'],
        relationshipName: 'Parent',
        polymorphic: false,
        masterDetail: false,
        relationshipOrder: null,
        cascadeDelete: false,
        restrictedDelete: false,
        referenceTargetField: null,
      },
    }),
  ],
  {
    childRelationships: [
      { relationshipName: 'Contacts', childSObject: 'Contact', field: 'AccountId', cascadeDelete: true, restrictedDelete: false },
    ],
    recordTypes: [{ developerName: 'Master', name: 'Master', recordTypeId: '012000000000000AAA', active: true, master: true }],
  },
);

const model: OrgModel = {
  formatVersion: 1,
  generatorVersion: '0.1.0',
  apiVersion: '60.0',
  orgId: '00D000000000001AAA',
  objects: [account, object('Widget__c', [field('Id', { type: 'id' }), field('Size__c', { type: 'double', precision: 18, scale: 2 })])],
  events: [
    {
      name: 'Order_Event__e',
      topic: '/event/Order_Event__e',
      kind: 'platformEvent',
      schemaId: 'abc123',
      schema: {
        type: 'record',
        name: 'Order_Event__e',
        namespace: 'com.sforce.eventbus',
        fields: [
          { name: 'CreatedDate', type: 'long' },
          { name: 'Amount__c', type: ['null', 'double'], default: null },
        ],
      },
    },
  ],
};

const meta = { lastModified: new Map<string, string | null>([['Account', 'Mon, 06 May 2024 09:15:27 GMT']]) };

describe('serializeSnapshot / parseSnapshot', () => {
  it('round-trips the model exactly, with hashes and lastModified', () => {
    const text = serializeSnapshot(model, meta);
    const snap = parseSnapshot(text, 'generated/schema.lock.json');
    expect(snap.model).toEqual(model);
    expect(snap.model.objects.map((o) => o.name)).toEqual(['Account', 'Widget__c']);
    expect(snap.model.objects[0]?.fields.map((f) => f.name)).toEqual(['Id', 'Industry', 'Name', 'NumberOfEmployees', 'ParentId']);
    expect(snap.objects.get('Account')?.lastModified).toBe('Mon, 06 May 2024 09:15:27 GMT');
    expect(snap.objects.get('Widget__c')?.lastModified).toBeNull();
    expect(snap.objects.get('Account')?.hash).toBe(objectHash(account));
    expect(snap.formatVersion).toBe(SNAPSHOT_FORMAT_VERSION);
    expect(snap.orgId).toBe('00D000000000001AAA');
    expect(snap.events.get('Order_Event__e')?.model).toEqual(model.events[0]);
    // A second serialization of the parsed model is byte-identical.
    expect(serializeSnapshot(snap.model, { lastModified: new Map([...snap.objects].map(([k, v]) => [k, v.lastModified])) })).toBe(text);
  });

  it('is deterministic and independent of property insertion order', () => {
    const reordered: OrgModel = JSON.parse(JSON.stringify(model), (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    ) as OrgModel;
    expect(serializeSnapshot(reordered, meta)).toBe(serializeSnapshot(model, meta));
    expect(objectHash(reordered.objects[0]!)).toBe(objectHash(account));
  });

  it('puts one field, child relationship and picklist value per line, leaving defaults out', () => {
    const lines = serializeSnapshot(model, meta).split('\n');
    expect(lines).toContain('        "Name": {"byteLength":765,"label":"Name","length":255,"nameField":true,"nillable":false,"requiredOnCreate":true,"type":"string"},');
    // A simple value is a bare string; one with anything special is an object of what differs.
    expect(lines).toContain('          "Agriculture",');
    expect(lines).toContain('          {"active":false,"label":"Proto","value":"__proto__"}');
    expect(lines).toContain('        {"cascadeDelete":true,"childSObject":"Contact","field":"AccountId","relationshipName":"Contacts"}');
    expect(lines.some((l) => l.startsWith('        "ParentId": {') && l.includes('"reference":{"referenceTo":["Account"],"relationshipName":"Parent"}'))).toBe(true);
    // The avro record's fields go one per line too.
    expect(lines.filter((l) => l.includes('"name":"CreatedDate"'))).toHaveLength(1);
  });

  it('hashes the compact canonical form: defaults spelled out or left out hash the same', () => {
    const spelled = { ...account, fields: account.fields.map((f) => ({ ...f })) };
    expect(objectHash(spelled)).toBe(objectHash(account));
    const changed = { ...account, fields: account.fields.map((f) => (f.name === 'Name' ? { ...f, sortable: false } : f)) };
    expect(objectHash(changed)).not.toBe(objectHash(account));
  });

  it('keeps properties a newer compatible model adds (generic writer), with a stable hash', () => {
    const extended = {
      ...model,
      objects: [{ ...account, fields: account.fields.map((f) => (f.name === 'Name' ? { ...f, aiPredictionField: true } : f)) }],
      events: [],
    } as OrgModel;
    const text = serializeSnapshot(extended, meta);
    expect(text).toContain('"aiPredictionField":true');
    const back = parseSnapshot(text, 'x.json');
    expect(back.model).toEqual(extended);
    expect(back.objects.get('Account')?.hash).toBe(objectHash(extended.objects[0]!));
  });

  it('lazy parsing validates an object when its model is first read', () => {
    const text = serializeSnapshot(model, meta).replace('"type":"double"', '"type":"nope"');
    expect(() => parseSnapshot(text, 'f.json')).toThrow(/objects\.Widget__c\.fields\.Size__c\.type/);
    const lazy = parseSnapshot(text, 'f.json', { lazy: true });
    expect(lazy.objects.get('Account')?.model).toEqual(account);
    expect(lazy.objects.get('Widget__c')?.lastModified).toBeNull();
    expect(() => lazy.objects.get('Widget__c')?.model).toThrow(SnapshotError);
  });

  it('changing one field changes one line of the snapshot (plus the hash)', () => {
    const changed: OrgModel = {
      ...model,
      objects: [
        { ...account, fields: account.fields.map((f) => (f.name === 'Name' ? { ...f, length: 80 } : f)) },
        ...model.objects.slice(1),
      ],
    };
    const a = serializeSnapshot(model, meta).split('\n');
    const b = serializeSnapshot(changed, meta).split('\n');
    expect(a.length).toBe(b.length);
    const diff = a.map((line, i) => [line, b[i]] as const).filter(([x, y]) => x !== y);
    expect(diff).toHaveLength(2);
    expect(diff.some(([x]) => x.includes('"hash"'))).toBe(true);
    expect(diff.some(([x]) => x.trimStart().startsWith('"Name"'))).toBe(true);
  });

  it('records the source objects that were not generated (notGenerated), one per line', () => {
    const text = serializeSnapshot(model, { ...meta, orgObjects: ['Zeta__c', 'Account', 'Contact', 'Widget__c', 'Contact'] });
    expect(text).toContain('  "notGenerated": [\n    "Contact",\n    "Zeta__c"\n  ],\n');
    expect(parseSnapshot(text, 'x.json').notGenerated).toEqual(['Contact', 'Zeta__c']);
    expect(parseSnapshot(serializeSnapshot(model, meta), 'x.json').notGenerated).toBeNull();
    expect(serializeSnapshot(model, meta)).not.toContain('notGenerated');
  });

  it('locates objects and fields in the file (for annotations on the snapshot)', () => {
    const text = serializeSnapshot(model, meta);
    const lines = text.split('\n');
    const snap = parseSnapshot(text, 'x.json');
    expect(snap.locate('Account')).toEqual({ line: lines.indexOf('    "Account": {') + 1, column: 5 });
    const nameLine = lines.findIndex((l) => l.startsWith('        "Name": {')) + 1;
    expect(snap.locate('Account', 'Name')).toEqual({ line: nameLine, column: 9 });
    // A field of another object is not found inside this one: the object's line is returned.
    expect(snap.locate('Widget__c', 'Name')).toEqual(snap.locate('Widget__c'));
    expect(snap.locate('Nope')).toBeUndefined();
  });

  it('canonicalJson sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('stays compact: about one line per field', () => {
    const big: OrgModel = {
      ...model,
      objects: [object('Big__c', Array.from({ length: 400 }, (_, i) => field(`F${String(i).padStart(3, '0')}__c`)))],
      events: [],
    };
    const lines = serializeSnapshot(big, { lastModified: new Map() }).split('\n').length;
    expect(lines).toBeLessThan(400 + 25);
  });
});

describe('parseSnapshot errors', () => {
  const text = serializeSnapshot(model, meta);
  const file = 'out/schema.lock.json';

  function error(input: string): SnapshotError {
    try {
      parseSnapshot(input, file);
    } catch (e) {
      expect(e).toBeInstanceOf(SnapshotError);
      return e as SnapshotError;
    }
    throw new Error('parseSnapshot accepted bad input');
  }

  it('reports truncated JSON with the file, line and column', () => {
    const cut = text.slice(0, Math.floor(text.length / 2));
    const e = error(cut);
    expect(e.code).toBe('SNAPSHOT_INVALID_JSON');
    expect(e.message).toContain(file);
    const lines = cut.split('\n');
    expect(e.line).toBe(lines.length);
    expect(e.message).toMatch(/end of file/);
  });

  it('reports a syntax error at its position', () => {
    const lines = text.split('\n');
    const target = lines.findIndex((l) => l.trimStart().startsWith('"Name": {'));
    lines[target] = lines[target]!.replace('"byteLength":765,', '"byteLength":765,,');
    const e = error(lines.join('\n'));
    expect(e.code).toBe('SNAPSHOT_INVALID_JSON');
    expect(e.line).toBe(target + 1);
    expect(e.column).toBe(lines[target]!.indexOf(',,') + 2);
    expect(e.message).toMatch(new RegExp(`^${file}:${target + 1}:\\d+: not valid JSON`));
  });

  it('rejects an empty file and a non-snapshot JSON document', () => {
    expect(error('').code).toBe('SNAPSHOT_INVALID_JSON');
    expect(error('{"hello": 1}').code).toBe('SNAPSHOT_INVALID');
    expect(error('[]').message).toContain('not an sfgen schema snapshot');
  });

  it('rejects a snapshot from a newer format, naming the versions', () => {
    const doc = JSON.parse(text) as Record<string, unknown>;
    const e = error(JSON.stringify({ ...doc, formatVersion: SNAPSHOT_FORMAT_VERSION + 1, sfgenVersion: '9.0.0' }));
    expect(e.code).toBe('SNAPSHOT_TOO_NEW');
    expect(e.message).toContain('9.0.0');
    expect(e.message).toContain('upgrade sfgen');
    expect(error(JSON.stringify({ ...doc, modelFormatVersion: 99 })).code).toBe('SNAPSHOT_TOO_NEW');
  });

  it('names the path of a wrongly shaped entry', () => {
    const e = error(text.replace('"type":"int"', '"type":"integer"'));
    expect(e.code).toBe('SNAPSHOT_INVALID');
    expect(e.message).toContain('objects.Account.fields.NumberOfEmployees.type');
  });

  it('rejects a model edited by hand (hash mismatch), naming the object and line', () => {
    const e = error(text.replace('"length":255,', '"length":254,'));
    expect(e.code).toBe('SNAPSHOT_HASH_MISMATCH');
    expect(e.message).toContain('object Account');
    expect(e.line).toBe(text.split('\n').findIndex((l) => l === '    "Account": {') + 1);
  });

  it('rejects a malformed hash', () => {
    expect(error(text.replace(/"hash": "sha256:[0-9a-f]+"/, '"hash": "nope"')).message).toContain('sha256');
  });
});

describe('readSnapshot', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfgen-snapshot-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads <out>/schema.lock.json', async () => {
    await writeFile(join(dir, SNAPSHOT_FILE), serializeSnapshot(model, meta));
    expect((await readSnapshot(dir)).model).toEqual(model);
  });

  it('a missing snapshot is a clear error naming the file', async () => {
    const missing = join(dir, 'nowhere');
    await expect(readSnapshot(missing)).rejects.toMatchObject({
      code: 'SNAPSHOT_MISSING',
      message: expect.stringContaining(join(missing, SNAPSHOT_FILE)),
    });
  });
});
