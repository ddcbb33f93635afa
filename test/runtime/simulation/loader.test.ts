import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetadataLoadError, startSimulator } from 'sfgen/simulator';
import { TINY_ORG } from './helpers.js';

const dirs: string[] = [];
async function copyTiny(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfgen-sim-'));
  dirs.push(dir);
  await cp(TINY_ORG, dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('loading a metadata directory', () => {
  it('names a missing directory', async () => {
    await expect(startSimulator({ metadataDir: '/nonexistent/org' })).rejects.toThrow('/nonexistent/org: metadata directory not found');
  });

  it('names the file, line and column of bad JSON', async () => {
    const dir = await copyTiny();
    await writeFile(path.join(dir, 'sobjects', 'Contact.json'), '{\n  "name": "Contact",\n  "fields": [,]\n}\n');
    const error = await startSimulator({ metadataDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataLoadError);
    expect((error as Error).message).toMatch(/sobjects\/Contact\.json:3:14: invalid JSON/);
  });

  it('names a describe whose file name disagrees, or that the global describe lacks', async () => {
    const dir = await copyTiny();
    await writeFile(path.join(dir, 'sobjects', 'Thing__c.json'), JSON.stringify({ name: 'Other__c', fields: [] }));
    await expect(startSimulator({ metadataDir: dir })).rejects.toThrow(/Thing__c\.json: file name says Thing__c but the describe is of Other__c/);
    await writeFile(path.join(dir, 'sobjects', 'Thing__c.json'), JSON.stringify({ name: 'Thing__c', fields: [] }));
    await expect(startSimulator({ metadataDir: dir })).rejects.toThrow(/Thing__c is not listed in sobjects\.json/);
  });

  it('names the seed record and field at fault', async () => {
    const dir = await copyTiny();
    await writeFile(path.join(dir, 'records', 'Contact.json'), JSON.stringify([{ LastName: 'ok' }, { LastName: 'x', Nope__c: 1 }]));
    await expect(startSimulator({ metadataDir: dir })).rejects.toThrow(/records\/Contact\.json: record \[1\]: INVALID_FIELD: No such column 'Nope__c'/);
    await writeFile(path.join(dir, 'records', 'Contact.json'), JSON.stringify([{ Id: '001000000000001AAA', LastName: 'x' }]));
    await expect(startSimulator({ metadataDir: dir })).rejects.toThrow(/does not start with Contact's key prefix 003/);
    await writeFile(path.join(dir, 'records', 'Contact.json'), '[]');
    await writeFile(path.join(dir, 'records', 'Nope.json'), '[]');
    await expect(startSimulator({ metadataDir: dir })).rejects.toThrow(/records\/Nope\.json: no describe for Nope/);
  });

  it('validates options', async () => {
    await expect(startSimulator({ metadataDir: TINY_ORG, pageSize: 0 })).rejects.toThrow(/pageSize must be an integer >= 1/);
    await expect(startSimulator({ metadataDir: TINY_ORG, orgLastModified: 'yesterday' })).rejects.toThrow(/orgLastModified/);
  });

  it('loads event schemas and seeds deterministic ids', async () => {
    const a = await startSimulator({ metadataDir: TINY_ORG });
    const b = await startSimulator({ metadataDir: TINY_ORG });
    try {
      expect([...a.org.eventSchemas().keys()]).toEqual(['Order_Event__e']);
      expect(a.org.records('Account').map((r) => r.Id)).toEqual(b.org.records('Account').map((r) => r.Id));
      expect(a.org.records('Account')[0]!.CreatedDate).toBe('2024-01-01T00:00:00.000+0000');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
