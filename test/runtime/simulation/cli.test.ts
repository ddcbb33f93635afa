import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_ORG } from './helpers.js';
import { loadPubSubPackage } from '../../../runtime/transport/grpc-proto.js';
import { createClient } from 'sfgen/runtime';

type Cb<R> = (e: Error | null, r: R) => void;
const PubSubCtor = (grpc.loadPackageDefinition(loadPubSubPackage()) as unknown as {
  eventbus: { v1: { PubSub: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { GetTopic(req: object, md: grpc.Metadata, cb: Cb<{ topic_name: string; can_subscribe: boolean }>): void } } };
}).eventbus.v1.PubSub;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(args: string[]): { child: ChildProcess; output: () => string; waitFor: (re: RegExp) => Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=sfgen-source', 'generator/cli.ts', 'simulate', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      // tsx compiles the CLI at start: seconds, over 20 s on a loaded 2-core machine.
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output:\n${out}`)), 90_000);
      const check = () => {
        const m = re.exec(out);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(m);
        }
      };
      child.stdout!.on('data', check);
      child.on('exit', () => {
        clearTimeout(timer);
        const m = re.exec(out);
        if (m) resolve(m);
        else reject(new Error(`exited before ${re}; output:\n${out}`));
      });
      check();
    });
  return { child, output: () => out, waitFor };
}

describe('sfgen simulate', { timeout: 180_000 }, () => {
  it('prints URLs and a working token, serves Pub/Sub over TLS with a printed certificate file, and stops on SIGTERM', async () => {
    const { child, waitFor, output } = start(['--metadata-dir', TINY_ORG, '--port', '0', '--grpc-port', '0', '--page-size', '5']);
    const [, url] = await waitFor(/instance \/ login URL\s+(http:\/\/127\.0\.0\.1:\d+)/);
    const [, token] = await waitFor(/access token \([^)]*\):\n\s+(\S+)/);
    const [, endpoint, orgId] = /Pub\/Sub gRPC\s+(127\.0\.0\.1:\d+) \(TLS\), org id (\w+)/.exec(output())!;
    const [, caFile] = /TLS certificate\s+(\S+)/.exec(output())!;
    expect(output()).toMatch(/topics\s+\/event\/Order_Event__e/);
    const client = new PubSubCtor(endpoint!, grpc.credentials.createSsl(readFileSync(caFile!)));
    const md = new grpc.Metadata();
    md.set('accesstoken', token!);
    md.set('instanceurl', url!);
    md.set('tenantid', orgId!);
    const info = await new Promise<{ topic_name: string; can_subscribe: boolean }>((resolve, reject) =>
      client.GetTopic({ topic_name: '/event/Order_Event__e' }, md, (e: Error | null, r: { topic_name: string; can_subscribe: boolean }) => (e ? reject(e) : resolve(r))),
    );
    expect(info).toMatchObject({ topic_name: '/event/Order_Event__e', can_subscribe: true });
    client.close();
    expect(output()).toContain('3 objects, 14 records');
    const res = await fetch(`${url}/services/data/v60.0/query?q=${encodeURIComponent('SELECT Id FROM Account')}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { records: unknown[]; done: boolean };
    expect(body.records).toHaveLength(5);
    expect(body.done).toBe(false);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toMatch(/SIGTERM, stopped after 1 requests/);
    expect(existsSync(caFile!)).toBe(false);
  });

  it('the printed `sfgen generate` line works as printed, with and without Pub/Sub', async () => {
    // The bundled demo org has platform and change events; the tiny org has none.
    for (const args of [['--grpc-port', '0'], ['--metadata-dir', TINY_ORG]]) {
      const sim = start(['--port', '0', ...args]);
      const [line, url, token, flags] = await sim.waitFor(/SF_INSTANCE_URL=(\S+) SF_ACCESS_TOKEN='([^']+)' npx sfgen generate (.*) --out \/tmp\/sfgen-out\n/);
      const pubsub = args[0] === '--grpc-port';
      if (pubsub) expect(flags, line).toMatch(/^--pubsub-endpoint 127\.0\.0\.1:\d+ --ca-file \S+$/);
      else expect(flags, line).toBe('--no-events');
      const out = mkdtempSync(path.join(tmpdir(), 'sfgen-sim-generate-'));
      const gen = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=sfgen-source', 'generator/cli.ts', 'generate', ...flags!.split(' '), '--out', out, '--json'], {
        cwd: ROOT,
        env: { ...process.env, SF_INSTANCE_URL: url, SF_ACCESS_TOKEN: token },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(gen.status, gen.stderr).toBe(0);
      expect(existsSync(path.join(out, 'sobjects', 'Account.ts')), readdirSync(out).join(' ')).toBe(true);
      // With the simulator's Pub/Sub listener, the event schemas come from it.
      if (pubsub) expect(existsSync(path.join(out, 'events', 'Order_Event__e.ts')), readdirSync(out).join(' ')).toBe(true);
      rmSync(out, { recursive: true, force: true });
      sim.child.kill('SIGTERM');
    }
  });

  it('--child-page-size pages child subqueries with their own nextRecordsUrl', async () => {
    const sim = start(['--json', '--child-page-size', '2']);
    const [line] = await sim.waitFor(/\{.*\}\n/);
    const info = JSON.parse(line) as { url: string; accessToken: string };
    const soql = "SELECT Id, (SELECT Id FROM Contacts ORDER BY Id) FROM Account WHERE Id = '001Dn0000aRgwtoIAB'";
    const res = await fetch(`${info.url}/services/data/v60.0/query?q=${encodeURIComponent(soql)}`, {
      headers: { Authorization: `Bearer ${info.accessToken}` },
    });
    const body = (await res.json()) as { records: { Contacts: { totalSize: number; done: boolean; nextRecordsUrl?: string; records: unknown[] } }[] };
    const contacts = body.records[0]?.Contacts;
    expect(contacts).toMatchObject({ totalSize: 3, done: false });
    expect(contacts?.records).toHaveLength(2);
    expect(contacts?.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\//);
    sim.child.kill('SIGINT');
    const bad = start(['--child-page-size', '0']);
    expect(await new Promise<number | null>((resolve) => bad.child.on('exit', (c) => resolve(c)))).toBe(1);
    expect(bad.output()).toContain('--child-page-size must be an integer >= 1, got "0"');
  });

  it('prints JSON with --json and fails clearly on a bad directory', async () => {
    const ok = start(['--metadata-dir', TINY_ORG, '--json']);
    const [line] = await ok.waitFor(/\{.*\}\n/);
    const info = JSON.parse(line) as { url: string; accessToken: string; grpc: null };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.grpc).toBeNull();
    ok.child.kill('SIGINT');
    const bad = start(['--metadata-dir', path.join(TINY_ORG, 'nope')]);
    const code = await new Promise<number | null>((resolve) => bad.child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(bad.output()).toMatch(/sfgen: .*nope: metadata directory not found/);
    // With --json the failure is a JSON line on stdout too, like every other command's errors.
    const badJson = start(['--metadata-dir', path.join(TINY_ORG, 'nope'), '--json']);
    const jsonCode = await new Promise<number | null>((resolve) => badJson.child.on('exit', (c) => resolve(c)));
    expect(jsonCode).toBe(1);
    const errorLine = badJson.output().split('\n').find((l) => l.startsWith('{'));
    expect(JSON.parse(errorLine ?? 'null')).toMatchObject({ error: { message: expect.stringMatching(/nope: metadata directory not found/) } });
  });
  it('--user gives the user a User record and --refresh-token registers a token the token endpoint accepts', async () => {
    const sim = start(['--metadata-dir', TINY_ORG, '--json', '--user', 'ops@tiny.example', '--refresh-token', '5Aep861cliRegisteredToken=ops@tiny.example']);
    const [line] = await sim.waitFor(/\{.*\}\n/);
    const info = JSON.parse(line) as { url: string; apiVersion: string };
    expect(info.apiVersion).toBe('68.0');
    const res = await fetch(`${info.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: '5Aep861cliRegisteredToken', client_id: 'sfgen-simulator' }),
    });
    expect(res.status).toBe(200);
    const token = (await res.json()) as { access_token: string };
    const q = await fetch(`${info.url}/services/data/v68.0/query?q=${encodeURIComponent("SELECT Username, LastName FROM User WHERE Username = 'ops@tiny.example'")}`, {
      headers: { Authorization: `Bearer ${token.access_token}` },
    });
    expect(((await q.json()) as { records: unknown[] }).records).toEqual([expect.objectContaining({ Username: 'ops@tiny.example', LastName: 'ops' })]);
    sim.child.kill('SIGINT');
    const bad = start(['--metadata-dir', TINY_ORG, '--refresh-token', 'short']);
    expect(await new Promise<number | null>((resolve) => bad.child.on('exit', (c) => resolve(c)))).toBe(1);
    expect(bad.output()).toContain('--refresh-token #1: a refresh token must have at least 8 characters');
    expect(bad.output()).not.toContain('short');
  });

  it('--bulk-rows-per-second slows Bulk API 2.0 jobs so a client sees InProgress', async () => {
    const sim = start(['--metadata-dir', TINY_ORG, '--json', '--bulk-rows-per-second', '20']);
    const [line] = await sim.waitFor(/\{.*\}\n/);
    const info = JSON.parse(line) as { url: string; accessToken: string };
    const api = `${info.url}/services/data/v60.0/jobs/ingest`;
    const headers = { Authorization: `Bearer ${info.accessToken}`, 'Content-Type': 'application/json' };
    const job = (await (await fetch(api, { method: 'POST', headers, body: JSON.stringify({ object: 'Account', operation: 'insert' }) })).json()) as { id: string };
    const rows = Array.from({ length: 40 }, (_, i) => `Cli ${i}`).join('\n');
    expect((await fetch(`${api}/${job.id}/batches`, { method: 'PUT', headers: { ...headers, 'Content-Type': 'text/csv' }, body: `Name\n${rows}\n` })).status).toBe(201);
    await fetch(`${api}/${job.id}`, { method: 'PATCH', headers, body: JSON.stringify({ state: 'UploadComplete' }) });
    await new Promise((r) => setTimeout(r, 400));
    const mid = (await (await fetch(`${api}/${job.id}`, { headers })).json()) as { state: string; numberRecordsProcessed: number };
    expect(mid.state).toBe('InProgress');
    expect(mid.numberRecordsProcessed).toBeLessThan(40);
    sim.child.kill('SIGINT');
  });

  it('--tls serves HTTPS with a printed certificate file (shared with Pub/Sub) that the runtime client trusts', async () => {
    const sim = start(['--metadata-dir', TINY_ORG, '--json', '--tls', '--grpc-port', '0']);
    const [line] = await sim.waitFor(/\{.*\}\n/);
    const info = JSON.parse(line) as { url: string; tls: boolean; caFile: string; accessToken: string; grpc: { tls: boolean; caFile: string } };
    expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(info.tls).toBe(true);
    expect(info.grpc).toMatchObject({ tls: true, caFile: info.caFile });
    const client = createClient({ auth: { instanceUrl: info.url, accessToken: info.accessToken }, transport: { caPem: readFileSync(info.caFile, 'utf8') } });
    const res = await client.request({ method: 'GET', path: 'sobjects' });
    await client.close();
    expect(res.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => sim.child.on('exit', (code) => resolve(code)));
    sim.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(info.caFile)).toBe(false);

    const text = start(['--metadata-dir', TINY_ORG, '--tls', '--refresh-token', '5Aep861cliTlsToken']);
    const [, url] = await text.waitFor(/instance \/ login URL\s+(https:\/\/127\.0\.0\.1:\d+)/);
    const [, caFile] = await text.waitFor(/TLS certificate\s+(\S+)/);
    await text.waitFor(/Press Ctrl\+C/);
    expect(text.output()).toContain(`force://sfgen-simulator::<refresh-token>@${new URL(url!).host}`);
    expect(text.output()).toContain(`NODE_EXTRA_CA_CERTS=${caFile}`);
    expect(text.output()).not.toContain('5Aep861cliTlsToken');
    text.child.kill('SIGINT');
  });

  it('--grpc-plaintext serves Pub/Sub without TLS and --json describes it', async () => {
    const plain = start(['--metadata-dir', TINY_ORG, '--json', '--grpc-port', '0', '--grpc-plaintext']);
    const [plainLine] = await plain.waitFor(/\{.*\}\n/);
    const plainInfo = JSON.parse(plainLine) as { grpc: { endpoint: string; tls: boolean; caFile: string | null; topics: string[] } };
    expect(plainInfo.grpc).toMatchObject({ tls: false, caFile: null, topics: ['/event/Order_Event__e'] });
    expect(plainInfo.grpc.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    plain.child.kill('SIGINT');
  });
});
