/**
 * Metadata sources: the directory source's errors name the file; the live source against the
 * simulator over real sockets, counting requests (one global describe + one batch per 25 objects),
 * conditional re-fetches answering 304, and a rejected token.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { connectOrg, type OrgConnection } from '../../../generator/metadata/connect.js';
import { DirectorySource } from '../../../generator/metadata/directory.js';
import { MetadataError } from '../../../generator/metadata/errors.js';
import { parseJsonText } from '../../../generator/metadata/json.js';
import { BATCH_SIZE, LiveSource } from '../../../generator/metadata/live.js';
import type { MetadataHttp } from '../../../generator/metadata/http.js';
import { DEMO_ORG, copyDemoMetadata, removeDir, tempDir } from '../commands/helpers.js';

let root: string;
let org: string;

beforeAll(async () => {
  root = await tempDir('sources');
  org = await copyDemoMetadata(root);
});
afterAll(async () => {
  await removeDir(root);
});

describe('DirectorySource', () => {
  it('reads the global describe, describes in the order asked, and event schemas', async () => {
    const source = new DirectorySource(org);
    const global = await source.describeGlobal();
    expect(global.sobjects.length).toBeGreaterThanOrEqual(25);
    const described = await source.describeSObjects(['Task', 'Account']);
    expect(described.map((d) => d.name)).toEqual(['Task', 'Account']);
    expect(described[1]?.origin).toBe(path.join(org, 'sobjects', 'Account.json'));
    const events = await source.eventSchemas();
    expect(events.map((e) => e.name)).toEqual(['AccountChangeEvent', 'Order_Event__e', 'acme__Widget__ChangeEvent']);
    expect(source.requestCount()).toBe(0);
  });

  it('names a describe whose name does not match its file', async () => {
    const dir = path.join(root, 'renamed');
    await mkdir(path.join(dir, 'sobjects'), { recursive: true });
    const text = await readFile(path.join(org, 'sobjects', 'Account.json'), 'utf8');
    await writeFile(path.join(dir, 'sobjects', 'Contact.json'), text);
    await expect(new DirectorySource(dir).describeSObjects(['Contact'])).rejects.toThrow(/Contact\.json: Contact\.name: the file describes 'Account', expected 'Contact'/);
  });

  it('names a missing global describe', async () => {
    const dir = path.join(root, 'empty');
    await mkdir(dir, { recursive: true });
    const error = await new DirectorySource(dir).describeGlobal().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataError);
    expect((error as MetadataError).code).toBe('MISSING_FILE');
    expect((error as MetadataError).message).toMatch(/Missing file .*empty\/sobjects\.json \(the global describe\)/);
  });

  it('names a missing required property', async () => {
    const dir = path.join(root, 'noname');
    await mkdir(path.join(dir, 'sobjects'), { recursive: true });
    const json = JSON.parse(await readFile(path.join(org, 'sobjects', 'Account.json'), 'utf8')) as { fields: Record<string, unknown>[] };
    delete json.fields[2]!['type'];
    await writeFile(path.join(dir, 'sobjects', 'Account.json'), JSON.stringify(json));
    await expect(new DirectorySource(dir).describeSObjects(['Account'])).rejects.toThrow(/Account\.fields\[2\] \(\w+\)\.type/);
  });

  it('reports JSON syntax errors with line and column', () => {
    expect(() => parseJsonText('{\n  "a": 1,\n  "b": }\n', 'x.json')).toThrow(/Malformed JSON in x\.json:3:8/);
  });
});

describe('LiveSource against the simulator', () => {
  let sim: Simulator;
  let connection: OrgConnection;

  beforeAll(async () => {
    sim = await startSimulator({ metadataDir: org });
    connection = await connectOrg({ kind: 'token', instanceUrl: sim.url, accessToken: sim.issueAccessToken() }, '60.0');
  });
  afterAll(async () => {
    await connection.close();
    await sim.close();
  });

  it('describes every object in one global describe plus one composite/batch per 25 objects', async () => {
    sim.resetStats();
    const source = new LiveSource(connection.http, '60.0');
    const names = (await source.describeGlobal()).sobjects.map((s) => s.name);
    const progress: number[] = [];
    const described = await source.describeSObjects(names, (done) => progress.push(done));
    expect(described.map((d) => d.name)).toEqual(names);
    const expected = 1 + Math.ceil(names.length / BATCH_SIZE);
    expect(source.requestCount()).toBe(expected);
    expect(sim.stats().requests).toBe(expected);
    expect(sim.stats().byRoute['POST /composite/batch']).toBe(Math.ceil(names.length / BATCH_SIZE));
    expect(progress.at(-1)).toBe(names.length);
    // Batch subresults carry no headers: the global describe's Last-Modified stands in.
    expect(described[0]?.lastModified).toMatch(/GMT$/);
    // Same describes as the files.
    const fromDir = await new DirectorySource(org).describeSObjects(['Account']);
    expect(described.find((d) => d.name === 'Account')?.describe).toEqual(fromDir[0]?.describe);
  });

  it('re-fetches conditionally: unchanged objects answer 304, a changed one its new describe', async () => {
    const source = new LiveSource(connection.http, '60.0');
    const names = (await source.describeGlobal()).sobjects.map((s) => s.name);
    const [first] = await source.describeSObjects(['Account']);
    const since = new Map(names.map((n) => [n, first!.lastModified!] as const));
    sim.resetStats();
    const unchanged = await source.describeIfModified(since);
    expect(unchanged.every((r) => r.status === 'notModified')).toBe(true);
    expect(sim.stats().requests).toBe(Math.ceil(names.length / BATCH_SIZE));
    sim.org.removeField('Account', 'Industry');
    const after = await source.describeIfModified(since);
    const changed = after.filter((r) => r.status === 'modified');
    expect(changed.map((r) => r.name)).toEqual(['Account']);
    const account = changed[0];
    expect(account?.status === 'modified' && account.described.describe.fields.some((f) => f.name === 'Industry')).toBe(false);
  });

  it('reads the org id with one query, and yields null when the org will not say', async () => {
    // This copy of the demo org has no seed records: no Organization row, so no id.
    expect(await new LiveSource(connection.http, '60.0').orgId()).toBeNull();
    const seeded = await startSimulator({ metadataDir: DEMO_ORG });
    const conn = await connectOrg({ kind: 'token', instanceUrl: seeded.url, accessToken: seeded.issueAccessToken() }, '60.0');
    try {
      expect(await new LiveSource(conn.http, '60.0').orgId()).toMatch(/^00D[A-Za-z0-9]{15}$/);
    } finally {
      await conn.close();
      await seeded.close();
    }
    const refusing: MetadataHttp = {
      instanceUrl: 'http://fake',
      get: async () => ({ status: 400, headers: {}, body: [{ errorCode: 'INVALID_TYPE', message: 'sObject type Organization is not supported.' }] }),
      post: async () => ({ status: 500, headers: {}, body: null }),
    };
    expect(await new LiveSource(refusing, '60.0').orgId()).toBeNull();
  });

  it('names an unknown object', async () => {
    const source = new LiveSource(connection.http, '60.0');
    await expect(source.describeSObjects(['Nope__c'])).rejects.toThrow(/Unknown object 'Nope__c'/);
  });

  it('names a rejected token and the request', async () => {
    const bad = await connectOrg({ kind: 'token', instanceUrl: sim.url, accessToken: 'not-a-token' }, '60.0');
    try {
      const error = await new LiveSource(bad.http, '60.0').describeGlobal().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetadataError);
      expect((error as MetadataError).code).toBe('AUTH_REJECTED');
      expect((error as MetadataError).message).toMatch(/rejected the access token \(GET \/services\/data\/v60\.0\/sobjects\)/);
      expect((error as MetadataError).message).not.toContain('not-a-token');
    } finally {
      await bad.close();
    }
  });

  it('names an unreachable org', async () => {
    const gone = await startSimulator({ metadataDir: org });
    const url = gone.url;
    await gone.close();
    const conn = await connectOrg({ kind: 'token', instanceUrl: url, accessToken: 'x' }, '60.0');
    try {
      const error = await new LiveSource(conn.http, '60.0').describeGlobal().catch((e: unknown) => e);
      expect((error as MetadataError).code).toBe('UNREACHABLE');
      expect((error as MetadataError).message).toContain(url);
    } finally {
      await conn.close();
    }
  });

  it('rejects a malformed describe in a batch result, naming the subrequest', async () => {
    const http: MetadataHttp = {
      instanceUrl: 'http://fake',
      get: async () => ({ status: 200, headers: {}, body: { sobjects: [{ name: 'Account' }] } }),
      post: async () => ({ status: 200, headers: {}, body: { hasErrors: false, results: [{ statusCode: 200, result: { name: 'Account', label: 'Account', fields: [{ name: 'Id' }] } }] } }),
    };
    await expect(new LiveSource(http, '60.0').describeSObjects(['Account'])).rejects.toThrow(
      /Malformed describe in POST \/services\/data\/v60\.0\/composite\/batch \(GET v60\.0\/sobjects\/Account\/describe\): Account\.fields\[0\] \(Id\)\.label/,
    );
  });
});

describe('connectOrg', () => {
  it('names a missing JWT key file', async () => {
    await expect(connectOrg({ kind: 'jwt', clientId: 'c', username: 'u', keyFile: path.join(root, 'missing.key'), loginUrl: 'http://127.0.0.1:9' }, '60.0')).rejects.toThrow(
      /Cannot read the JWT private key file .*missing\.key/,
    );
  });

  it('names an sf CLI alias that cannot be resolved', async () => {
    await rm(path.join(root, 'bin'), { recursive: true, force: true });
    await expect(connectOrg({ kind: 'sfCli', alias: 'nope', command: path.join(root, 'bin', 'sf-missing') }, '60.0')).rejects.toThrow(/sf org alias 'nope'/);
  });
});
