import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UsageSite } from '../../../generator/check/changes.js';
import { scanUsage, UsageScanError, type UsageIndex } from '../../../generator/check/usage.js';
import { usageAppModels } from '../model/model-helpers.js';

const APP = 'test/fixtures/drift/usage-app';

function sites(index: UsageIndex, filter: Partial<UsageSite>): string[] {
  return index.sites
    .filter((s) => Object.entries(filter).every(([k, v]) => (s as unknown as Record<string, unknown>)[k] === v))
    .map((s) => `${s.file.replace(`${APP}/`, '')}:${s.line}:${s.column} ${s.kind} ${s.object}.${s.field ?? '*'}${s.relationship ? ` (${s.relationship})` : ''}${s.exhaustive !== undefined ? (s.exhaustive ? ' exhaustive' : ' with default') : ''}`);
}

describe('scanUsage over a fixture codebase (--usage-dir)', () => {
  let index: UsageIndex;
  beforeAll(() => {
    index = scanUsage({ dir: `${APP}/src`, generatedDir: `${APP}/generated`, objects: usageAppModels() });
  });

  it('scans the sources, not the generated files', () => {
    expect(index.files).toBe(2);
    expect(index.sites.every((s) => s.file.startsWith(`${APP}/src/`))).toBe(true);
  });

  it('records imports of generated modules', () => {
    expect(sites(index, { kind: 'import', file: `${APP}/src/app.ts` })).toEqual([
      'src/app.ts:4:1 import Account.*',
      'src/app.ts:5:1 import Contact.*',
      'src/app.ts:6:1 import Account.*',
    ]);
  });

  it('records create and update payload keys and the object-level write', () => {
    expect(sites(index, { kind: 'create' })).toEqual([
      'src/app.ts:9:48 create Account.*', // .create(
      'src/app.ts:9:55 create Account.*', // the payload
      'src/app.ts:9:57 create Account.Name',
      'src/app.ts:9:69 create Account.Industry',
      'src/app.ts:16:10 create Account.*',
      'src/app.ts:16:12 create Account.Name',
      'src/app.ts:16:24 create Account.Description',
    ]);
    expect(sites(index, { kind: 'update' })).toEqual([
      'src/app.ts:10:33 update Contact.*',
      'src/app.ts:10:62 update Contact.*',
      'src/app.ts:10:64 update Contact.Email',
    ]);
    expect(sites(index, { kind: 'delete' })).toEqual(['src/other.ts:16:33 delete Contact.*']);
  });

  it('records reads: property accesses and field names passed to calls', () => {
    expect(sites(index, { kind: 'read', file: `${APP}/src/app.ts` }).filter((s) => !s.startsWith('src/app.ts:30') && !s.startsWith('src/app.ts:33'))).toEqual([
      'src/app.ts:11:65 read Account.Name', // get(id, { fields: ['Name', 'Rating'] })
      'src/app.ts:11:73 read Account.Rating',
      'src/app.ts:12:14 read Account.Name', // rec.Name
      'src/app.ts:20:13 read Account.Industry', // switch (a.Industry)
    ]);
  });

  it('records switches over picklists, exhaustive or with a default', () => {
    expect(sites(index, { kind: 'switch' })).toEqual([
      'src/app.ts:20:3 switch Account.Industry exhaustive',
      'src/other.ts:7:3 switch Contact.Title with default',
    ]);
  });

  it('reads SOQL: fields, filters, sorts, parent paths and subqueries, with positions inside the string', () => {
    const line30 = index.sites.filter((s) => s.line === 30 && s.file.endsWith('app.ts'));
    expect(sites({ ...index, sites: line30 }, {})).toEqual([
      'src/app.ts:30:11 read Account.Id',
      'src/app.ts:30:15 read Account.Name',
      'src/app.ts:30:21 relationship Account.OwnerId (Owner)',
      'src/app.ts:30:27 read User.Name', // Owner.Name, through the relationship
      'src/app.ts:30:41 read Contact.LastName', // inside the Contacts subquery
      'src/app.ts:30:55 relationship Account.* (Contacts)',
      'src/app.ts:30:70 read Account.*', // FROM Account
      'src/app.ts:30:84 filter Account.AnnualRevenue',
      'src/app.ts:30:113 sort Account.Rating',
    ]);
  });

  it('reads SOQL in template literals with interpolations', () => {
    expect(index.unparsedSoql).toEqual([]);
    expect(sites(index, { line: 33 })).toEqual([
      'src/app.ts:33:48 read Contact.Title',
      'src/app.ts:33:59 read Contact.*',
      'src/app.ts:33:73 filter Contact.AccountId',
    ]);
  });

  it('reads SOQL with :binds (checked soql() strings), not loosely', () => {
    expect(index.unparsedSoql).toEqual([]);
    expect(sites(index, { line: 19 })).toEqual([
      'src/other.ts:19:33 read Contact.LastName',
      'src/other.ts:19:47 read Contact.*',
      'src/other.ts:19:61 filter Contact.Title',
      'src/other.ts:19:80 filter Contact.Email',
    ]);
  });

  it('sorts its sites deterministically', () => {
    const again = scanUsage({ dir: `${APP}/src`, generatedDir: `${APP}/generated`, objects: usageAppModels() });
    expect(again.sites).toEqual(index.sites);
  });
});

describe('scanUsage with a tsconfig (--project)', () => {
  it('scans the program of the tsconfig, excluding the generated directory', () => {
    const index = scanUsage({ project: `${APP}/tsconfig.json`, generatedDir: resolve(APP, 'generated'), objects: usageAppModels() });
    expect(index.files).toBe(2);
    expect(index.sites.some((s) => s.kind === 'switch' && s.field === 'Industry')).toBe(true);
  });

  it('follows `paths` aliases to the generated code (only packages in node_modules other than the runtime are left unresolved)', () => {
    const alias = 'test/fixtures/drift/usage-app-alias';
    const index = scanUsage({ project: `${alias}/tsconfig.json`, generatedDir: resolve(APP, 'generated'), objects: usageAppModels() });
    expect(index.files).toBe(1);
    expect(index.sites.map((s) => `${s.line}:${s.column} ${s.kind} ${s.object}.${s.field ?? '*'}`)).toEqual([
      '3:1 import Account.*',
      '6:33 update Account.*',
      '6:44 update Account.*',
      '6:46 update Account.Name',
    ]);
  });

  it('a missing tsconfig or directory is a clear error', () => {
    expect(() => scanUsage({ project: 'nope/tsconfig.json', generatedDir: 'generated', objects: [] })).toThrow(UsageScanError);
    expect(() => scanUsage({ dir: 'nope-dir', generatedDir: 'generated', objects: [] })).toThrow(/nope-dir is not a directory/);
  });
});
