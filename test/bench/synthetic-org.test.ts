import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_RELATIONSHIP_KEYS,
  DESCRIBE_KEYS,
  FIELD_KEYS,
  GLOBAL_ENTRY_KEYS,
  decodeValidFor,
  encodeValidFor,
  planSyntheticOrg,
  syntheticId,
  writeSyntheticOrg,
  writeSyntheticRecords,
  type GlobalDescribe,
  type SObjectDescribe,
} from './synthetic-org.js';

const SMALL = { objectCount: 120, seed: 7 };
const FIELD_TYPES = new Set([
  'id', 'string', 'textarea', 'email', 'phone', 'url', 'combobox', 'encryptedstring', 'picklist',
  'multipicklist', 'boolean', 'int', 'double', 'currency', 'percent', 'date', 'datetime', 'time',
  'reference', 'address', 'location',
]);
const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

let root: string;
let dirA: string;
let describes: Map<string, SObjectDescribe>;
let global: GlobalDescribe;

async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  out.set('sobjects.json', await readFile(join(dir, 'sobjects.json'), 'utf8'));
  for (const file of (await readdir(join(dir, 'sobjects'))).sort()) {
    out.set(`sobjects/${file}`, await readFile(join(dir, 'sobjects', file), 'utf8'));
  }
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sfgen-synthetic-'));
  dirA = join(root, 'a');
  await writeSyntheticOrg(dirA, SMALL);
  global = JSON.parse(await readFile(join(dirA, 'sobjects.json'), 'utf8')) as GlobalDescribe;
  describes = new Map();
  for (const entry of global.sobjects) {
    describes.set(entry.name, JSON.parse(await readFile(join(dirA, 'sobjects', `${entry.name}.json`), 'utf8')) as SObjectDescribe);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('synthetic org: determinism', () => {
  it('writes byte-identical files for the same options and different ones for another seed', async () => {
    const dirB = join(root, 'b');
    await writeSyntheticOrg(dirB, SMALL);
    const [a, b] = await Promise.all([readTree(dirA), readTree(dirB)]);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, text] of a) expect(b.get(file), file).toBe(text);

    const dirC = join(root, 'c');
    await writeSyntheticOrg(dirC, { ...SMALL, seed: 8 });
    const c = await readTree(dirC);
    expect(c.get('sobjects.json')).not.toBe(a.get('sobjects.json'));
  });

  it('plans the benchmark org: 1,500 objects with 50 to 400 fields each', () => {
    const plan = planSyntheticOrg();
    expect(plan.objects).toHaveLength(1500);
    const counts = plan.objects.map((o) => o.fields.length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...counts)).toBeLessThanOrEqual(400);
    expect(plan.fieldCount).toBe(counts.reduce((s, n) => s + n, 0));
    // A spread, not a constant: both ends of the range are populated.
    expect(counts.filter((n) => n < 100).length).toBeGreaterThan(100);
    expect(counts.filter((n) => n > 350).length).toBeGreaterThan(100);
  });
});

describe('synthetic org: describe validity', () => {
  it('has a global describe listing exactly the written describes, with every key', async () => {
    expect(Object.keys(global)).toEqual(['encoding', 'maxBatchSize', 'sobjects']);
    expect(global.sobjects).toHaveLength(SMALL.objectCount);
    const files = (await readdir(join(dirA, 'sobjects'))).map((f) => f.replace(/\.json$/, '')).sort();
    expect(global.sobjects.map((s) => s.name).sort()).toEqual(files);
    const prefixes = new Set<string>();
    for (const entry of global.sobjects) {
      expect(Object.keys(entry), entry.name).toEqual([...GLOBAL_ENTRY_KEYS]);
      expect(entry.keyPrefix).toMatch(/^[0-9A-Za-z]{3}$/);
      expect(prefixes.has(entry.keyPrefix ?? ''), `duplicate key prefix ${entry.keyPrefix}`).toBe(false);
      prefixes.add(entry.keyPrefix ?? '');
      const d = describes.get(entry.name);
      expect(d?.label).toBe(entry.label);
      expect(d?.keyPrefix).toBe(entry.keyPrefix);
    }
  });

  it('gives every describe, field, picklist entry and child relationship the full key set', () => {
    for (const [name, d] of describes) {
      expect(Object.keys(d), name).toEqual([...DESCRIBE_KEYS]);
      expect(d.name).toBe(name);
      expect(d.recordTypeInfos.some((r) => r.master && r.recordTypeId === '012000000000000AAA')).toBe(true);
      for (const field of d.fields) {
        expect(Object.keys(field), `${name}.${field.name}`).toEqual([...FIELD_KEYS]);
        for (const entry of field.picklistValues) {
          expect(Object.keys(entry)).toEqual(['active', 'defaultValue', 'label', 'validFor', 'value']);
        }
      }
      for (const child of d.childRelationships) expect(Object.keys(child)).toEqual([...CHILD_RELATIONSHIP_KEYS]);
    }
  });

  it('keeps field semantics consistent with facts §2-§5', () => {
    const seenTypes = new Set<string>();
    for (const [name, d] of describes) {
      const byName = new Map(d.fields.map((f) => [f.name, f] as const));
      const lower = new Set<string>();
      const relationshipNames = new Set<string>();
      expect(d.fields[0]?.name).toBe('Id');
      for (const f of d.fields) {
        const where = `${name}.${f.name}`;
        seenTypes.add(f.type);
        expect(FIELD_TYPES.has(f.type), where).toBe(true);
        expect(f.name, where).toMatch(API_NAME);
        expect(lower.has(f.name.toLowerCase()), `duplicate field ${where}`).toBe(false);
        lower.add(f.name.toLowerCase());
        if (f.type === 'boolean') expect(f.nillable, where).toBe(false);
        if (f.calculated) expect([f.createable, f.updateable], where).toEqual([false, false]);
        if (f.type === 'address' || f.type === 'location') {
          expect([f.createable, f.updateable, f.compoundFieldName], where).toEqual([false, false, null]);
        }
        if (f.compoundFieldName !== null) {
          const compound = byName.get(f.compoundFieldName);
          expect(compound?.type === 'address' || compound?.type === 'location', where).toBe(true);
        }
        if (f.type === 'picklist' || f.type === 'multipicklist') {
          expect(f.picklistValues.length, where).toBeGreaterThan(0);
          const values = f.picklistValues.map((v) => v.value);
          expect(new Set(values).size, `${where} duplicate values`).toBe(values.length);
        }
        if (f.dependentPicklist) {
          const controller = byName.get(f.controllerName ?? '');
          expect(controller?.type === 'picklist' || controller?.type === 'boolean', where).toBe(true);
          const size = controller?.type === 'boolean' ? 2 : controller?.picklistValues.length ?? 0;
          for (const v of f.picklistValues) {
            expect(v.validFor, where).not.toBeNull();
            for (const i of decodeValidFor(v.validFor ?? '')) expect(i, where).toBeLessThan(size);
          }
        } else {
          expect(f.controllerName, where).toBeNull();
        }
        if (f.type === 'reference') {
          expect(f.referenceTo.length, where).toBeGreaterThan(0);
          for (const target of f.referenceTo) expect(describes.has(target), `${where} -> ${target}`).toBe(true);
          expect(f.polymorphicForeignKey, where).toBe(f.referenceTo.length > 1);
          if (f.relationshipName !== null) {
            expect(relationshipNames.has(f.relationshipName.toLowerCase()), `${where} relationship`).toBe(false);
            relationshipNames.add(f.relationshipName.toLowerCase());
          }
          if (f.relationshipOrder !== null) {
            expect([f.cascadeDelete, f.nillable], `${where} master-detail`).toEqual([true, false]);
          }
        } else {
          expect(f.referenceTo, where).toEqual([]);
        }
      }
      const masterDetail = d.fields.some((f) => f.relationshipOrder !== null);
      if (d.custom) expect(byName.has('OwnerId'), `${name}: detail objects have no owner`).toBe(!masterDetail);
    }
    for (const type of FIELD_TYPES) expect(seenTypes.has(type), `type ${type} never generated`).toBe(true);
  });

  it('includes the hard cases: polymorphic lookups, junctions, roll-ups, hazards, unicode', () => {
    const all = [...describes.values()].flatMap((d) => d.fields.map((f) => ({ d, f })));
    expect(describes.get('Task')?.fields.find((f) => f.name === 'WhoId')?.referenceTo).toEqual(['Contact', 'Lead']);
    expect(all.some(({ f }) => f.name === 'OwnerId' && f.referenceTo.join() === 'Group,User')).toBe(true);
    expect([...describes.values()].some((d) => d.fields.filter((f) => f.relationshipOrder !== null).length === 2)).toBe(true);
    expect(all.some(({ f }) => f.calculated && f.calculatedFormula === null)).toBe(true);
    expect(all.some(({ f }) => f.calculated && f.calculatedFormula !== null)).toBe(true);
    expect(all.some(({ f }) => f.type === 'picklist' && f.restrictedPicklist)).toBe(true);
    expect(all.some(({ f }) => f.type === 'picklist' && !f.restrictedPicklist)).toBe(true);
    expect(all.some(({ f }) => f.picklistValues.some((v) => v.value === '__proto__' || v.value === 'constructor'))).toBe(true);
    expect(all.some(({ f }) => /[^\x20-\x7e]/.test(f.label))).toBe(true);
    expect(all.some(({ f }) => /^(syn__)?(Delete|Class|Enum|Await|Constructor|Prototype|toString|hasOwnProperty)__c$/.test(f.name))).toBe(true);
    expect([...describes.keys()].some((n) => n.startsWith('syn__'))).toBe(true);
  });
});

describe('synthetic org: relationship reciprocity', () => {
  it('mirrors every reference field as a child relationship on each parent, and nothing else', () => {
    for (const [child, d] of describes) {
      for (const f of d.fields.filter((x) => x.type === 'reference')) {
        for (const parent of f.referenceTo) {
          const rel = describes.get(parent)?.childRelationships.filter((c) => c.childSObject === child && c.field === f.name);
          expect(rel, `${child}.${f.name} missing on ${parent}`).toHaveLength(1);
          expect(rel?.[0]?.cascadeDelete, `${child}.${f.name}`).toBe(f.cascadeDelete);
        }
      }
    }
    for (const [parent, d] of describes) {
      const names = new Set<string>();
      for (const c of d.childRelationships) {
        const field = describes.get(c.childSObject)?.fields.find((f) => f.name === c.field);
        expect(field?.referenceTo, `${parent} <- ${c.childSObject}.${c.field}`).toContain(parent);
        if (c.relationshipName !== null) {
          expect(names.has(c.relationshipName.toLowerCase()), `${parent}: duplicate ${c.relationshipName}`).toBe(false);
          names.add(c.relationshipName.toLowerCase());
        }
      }
    }
    // A named and an unnamed relationship from the same child (facts §1: Task.WhatId vs Task.AccountId).
    const account = describes.get('Account');
    expect(account?.childRelationships.find((c) => c.childSObject === 'Task' && c.field === 'WhatId')?.relationshipName).toBe('Tasks');
    expect(account?.childRelationships.find((c) => c.childSObject === 'Task' && c.field === 'AccountId')?.relationshipName).toBeNull();
  });
});

describe('validFor and ids', () => {
  it('encodes and decodes validFor as facts §3 describes', () => {
    expect(decodeValidFor('gAAA')).toEqual([0]);
    expect(decodeValidFor('oAAA')).toEqual([0, 2]);
    expect(decodeValidFor('gIAA')).toEqual([0, 8]);
    expect(decodeValidFor('AEAA')).toEqual([9]);
    expect(encodeValidFor([0, 2], 3)).toBe('oAAA');
    expect(encodeValidFor([], 24)).toBe('AAAA');
    expect(encodeValidFor([], 30)).toBe('AAAAAAAA');
    expect(decodeValidFor(encodeValidFor([1, 25, 30], 31))).toEqual([1, 25, 30]);
    expect(() => encodeValidFor([4], 4)).toThrow(/outside controller/);
  });

  it('makes 18-character ids with the case-safe suffix', () => {
    // 001000000000001 -> no upper-case letters after the prefix: suffix AAA.
    expect(syntheticId('001', 1)).toBe('001000000000001AAA');
    const id = syntheticId('a0B', 61 * 62);
    expect(id).toHaveLength(18);
    expect(id.slice(0, 3)).toBe('a0B');
    expect(id.slice(15, 16)).toBe('E'); // chunk 0 = "a0B00": upper case at position 2 -> 1 << 2 = 4 -> 'E'
  });
});

describe('writeSyntheticRecords', () => {
  it('streams valid, deterministic records for an object', async () => {
    const name = [...describes.keys()].find((n) => n.endsWith('__c') && (describes.get(n)?.fields.length ?? 0) > 100) ?? 'Account';
    const first = await writeSyntheticRecords(dirA, name, 300);
    const text = await readFile(first.file, 'utf8');
    const again = await writeSyntheticRecords(dirA, name, 300, { file: join(root, 'again.json') });
    expect(await readFile(again.file, 'utf8')).toBe(text);
    expect(first.bytes).toBe(Buffer.byteLength(text));

    const records = JSON.parse(text) as Record<string, unknown>[];
    expect(records).toHaveLength(300);
    const d = describes.get(name) as SObjectDescribe;
    const ids = new Set(records.map((r) => r['Id']));
    expect(ids.size).toBe(300);
    for (const record of records) {
      for (const [key, value] of Object.entries(record)) {
        const field = d.fields.find((f) => f.name === key);
        expect(field, `${name}.${key}`).toBeDefined();
        if (!field || value === null) continue;
        if (typeof value === 'string' && ['string', 'textarea', 'email', 'phone', 'url'].includes(field.type)) {
          expect(value.length, `${name}.${key}`).toBeLessThanOrEqual(field.length);
        }
        if (field.type === 'picklist' && field.restrictedPicklist) {
          expect(field.picklistValues.map((v) => v.value), `${name}.${key}`).toContain(value);
        }
        if (field.type === 'boolean') expect(typeof value).toBe('boolean');
        if (key === 'IsDeleted') expect(value).toBe(false);
        if (field.createable === false && field.type !== 'id' && !field.autoNumber && field.custom) {
          expect.fail(`${name}.${key}: read-only custom field written`);
        }
      }
    }
  });

  it('writes only the named fields when asked, and rejects unknown ones', async () => {
    const { file } = await writeSyntheticRecords(dirA, 'Account', 5, { fields: ['Name', 'Industry'], file: join(root, 'narrow.json') });
    const records = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>[];
    for (const r of records) expect(Object.keys(r).filter((k) => k !== 'Industry' || r[k] !== undefined)).toEqual(expect.arrayContaining(['Id', 'Name']));
    for (const r of records) expect(Object.keys(r).every((k) => ['Id', 'Name', 'Industry'].includes(k))).toBe(true);
    await expect(writeSyntheticRecords(dirA, 'Account', 1, { fields: ['Nope'], file: join(root, 'x.json') })).rejects.toThrow(/Account has no field Nope/);
  });

  it('names the object and file when the describe is missing', async () => {
    await expect(writeSyntheticRecords(dirA, 'Nope__c', 1)).rejects.toThrow(/Nope__c.*sobjects\/Nope__c\.json/);
  });
});
