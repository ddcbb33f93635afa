import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_ORG } from './helpers.js';
import { loadPubSubPackage } from '../../../runtime/transport/grpc-proto.js';

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
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output:\n${out}`)), 20_000);
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

describe('sfgen simulate', () => {
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
