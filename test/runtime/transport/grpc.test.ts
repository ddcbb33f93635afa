/**
 * The gRPC channel's TLS trust: the system roots plus an optional extra CA, against local TLS
 * servers whose self-signed certificates stand in for "a public CA" and "a corporate proxy's CA".
 * Node's root store is extended for one child process with NODE_EXTRA_CA_CERTS, so that a server
 * trusted only through the system roots exists without reaching the internet.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../runtime/errors.js';
import { selfSignedCertificate } from '../../../runtime/simulation/certificate.js';
import { createGrpcChannel, createGrpcSecurity, GrpcStatus, type GrpcCallError, type GrpcMethod } from '../../../runtime/transport/grpc.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ECHO: GrpcMethod<Buffer, Buffer> = { path: '/sfgen.test.Echo/Echo', encode: (b) => b, decode: (b) => b };

interface EchoServer { endpoint: string; caPem: string; server: grpc.Server }

async function startEchoServer(name: string): Promise<EchoServer> {
  const cert = selfSignedCertificate(name);
  const server = new grpc.Server();
  server.register<Buffer, Buffer>(ECHO.path, (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    callback(null, Buffer.concat([Buffer.from(`${name}:`), call.request]));
  }, (b: Buffer) => b, (b: Buffer) => b, 'unary');
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }]), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return { endpoint: `127.0.0.1:${port}`, caPem: cert.certPem, server };
}

let publicCa: EchoServer; // trusted through the (extended) system roots only
let proxyCa: EchoServer; // trusted through caPem only
let dir: string;

beforeAll(async () => {
  [publicCa, proxyCa] = await Promise.all([startEchoServer('public'), startEchoServer('proxy')]);
  dir = mkdtempSync(path.join(tmpdir(), 'sfgen-grpc-tls-'));
});
afterAll(async () => {
  publicCa.server.forceShutdown();
  proxyCa.server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function echo(endpoint: string, caPem: string | undefined): Promise<string> {
  const channel = createGrpcChannel({ endpoint, caPem, connectTimeoutMs: 3000 });
  try {
    return (await channel.unary(ECHO, Buffer.from('hi'), {}, 3000)).toString();
  } finally {
    channel.close();
  }
}

describe('gRPC channel TLS', () => {
  it('trusts a server signed by the extra CA (caPem)', async () => {
    expect(await echo(proxyCa.endpoint, proxyCa.caPem)).toBe('proxy:hi');
  });

  it('refuses a server no trusted CA signed, with UNAVAILABLE naming the certificate', async () => {
    const err = await echo(proxyCa.endpoint, publicCa.caPem).then(() => undefined, (e: GrpcCallError) => e);
    expect(err?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(err?.details).toMatch(/certificate|self.signed|connect/i);
    const noCa = await echo(proxyCa.endpoint, undefined).then(() => undefined, (e: GrpcCallError) => e);
    expect(noCa?.code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('adds the extra CA to what Node trusts by default (NODE_EXTRA_CA_CERTS included) rather than replacing it', async () => {
    // A child whose default trust includes the "public" CA (NODE_EXTRA_CA_CERTS): with caPem = the
    // proxy's CA it must reach both servers.
    const publicCaFile = path.join(dir, 'public-ca.pem');
    writeFileSync(publicCaFile, publicCa.caPem);
    const child = path.join(dir, 'child.mts');
    const grpcModule = pathToFileURL(path.join(REPO, 'runtime/transport/grpc.ts')).href;
    writeFileSync(child, `
import { createGrpcChannel } from ${JSON.stringify(grpcModule)};
const ECHO = { path: '/sfgen.test.Echo/Echo', encode: (b: Buffer) => b, decode: (b: Buffer) => b };
const [caPem, ...endpoints] = [process.env.CA_PEM, ...process.argv.slice(2)];
const out: string[] = [];
for (const endpoint of endpoints) {
  const channel = createGrpcChannel({ endpoint, caPem, connectTimeoutMs: 3000 });
  try {
    out.push((await channel.unary(ECHO, Buffer.from('hi'), {}, 3000)).toString());
  } catch (e) {
    out.push('error ' + (e as { code: number }).code);
  } finally {
    channel.close();
  }
}
console.log(JSON.stringify(out));
`);
    const run = (env: NodeJS.ProcessEnv): Promise<string[]> => new Promise((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--conditions=sfgen-source', child, publicCa.endpoint, proxyCa.endpoint], {
        cwd: REPO, env: { ...process.env, CA_PEM: proxyCa.caPem, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('error', reject);
      c.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[]) : reject(new Error(`child exited ${code}: ${stderr}`))));
    });
    expect(await run({ NODE_EXTRA_CA_CERTS: publicCaFile })).toEqual(['public:hi', 'proxy:hi']);
    // The same child without the "public" CA among its roots: that server is refused, so the
    // first answer above came from the default trust.
    expect(await run({ NODE_EXTRA_CA_CERTS: '' })).toEqual([`error ${GrpcStatus.UNAVAILABLE}`, 'proxy:hi']);
  }, 30_000);

  it('builds the credentials once for every channel that shares them (a replacement channel reuses them)', async () => {
    const security = createGrpcSecurity({ endpoint: proxyCa.endpoint, caPem: proxyCa.caPem });
    for (let i = 0; i < 2; i++) {
      const channel = createGrpcChannel({ endpoint: proxyCa.endpoint, connectTimeoutMs: 3000 }, security);
      try {
        expect((await channel.unary(ECHO, Buffer.from(`#${i}`), {}, 3000)).toString()).toBe(`proxy:#${i}`);
      } finally {
        channel.close();
      }
    }
  });

  it('rejects a caPem without a certificate, and plain text except to a loopback address that allows it', () => {
    expect(() => createGrpcChannel({ endpoint: '127.0.0.1:1', caPem: 'not a pem' })).toThrow(ConfigError);
    expect(() => createGrpcChannel({ endpoint: '127.0.0.1:1', caPem: 'not a pem' })).toThrow(/caPem holds no PEM certificate/);
    expect(() => createGrpcChannel({ endpoint: 'api.pubsub.salesforce.com:7443', plaintext: true, allowInsecureLoopback: true })).toThrow(/only allowed to a loopback address/);
    expect(() => createGrpcChannel({ endpoint: '127.0.0.1:7443', plaintext: true })).toThrow(/allowInsecureLoopback/);
    expect(() => createGrpcSecurity({ endpoint: 'no-port', caPem: proxyCa.caPem })).toThrow(/is not HOST:PORT/);
    expect(() => createGrpcChannel({ endpoint: '127.0.0.1:7443', plaintext: true, allowInsecureLoopback: true }).close()).not.toThrow();
  });
});
