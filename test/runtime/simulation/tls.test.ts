// The simulator over HTTPS (`tls`): its self-signed certificate, trusted through `caPem`, carries
// the runtime client's OAuth and REST calls; without the certificate the client refuses it, and
// the default stays plain HTTP.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createClient, NetworkError, refreshToken } from 'sfgen/runtime';
import type { Simulator } from 'sfgen/simulator';
import { startTiny } from './helpers.js';
import { selfSignedCertificate } from '../../../runtime/simulation/certificate.js';

const REFRESH = '5Aep861TlsTestRefreshToken';
let sim: Simulator;

beforeAll(async () => {
  sim = await startTiny({ tls: true, auth: { clientId: 'tls-client', refreshTokens: { [REFRESH]: '' } } });
});
afterAll(async () => {
  await sim?.close();
});

describe('startSimulator({ tls: true })', () => {
  it('serves https://127.0.0.1 with a certificate for localhost and 127.0.0.1, returned as caPem', () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const cert = new X509Certificate(sim.caPem!);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('carries the runtime client (refresh-token OAuth, then REST) when the client trusts caPem', async () => {
    const client = createClient({
      auth: refreshToken({ clientId: 'tls-client', refreshToken: REFRESH, loginUrl: sim.url }),
      transport: { caPem: sim.caPem! },
    });
    try {
      const names: string[] = [];
      for await (const row of client.query('SELECT Name FROM Account ORDER BY Name')) names.push(String(row.Name));
      expect(names.length).toBeGreaterThan(0);
      expect(names).toEqual(sim.org.records('Account').map((r) => r.Name as string).sort());
      const created = await client.request({ method: 'POST', path: 'sobjects/Account', body: { Name: 'Over TLS' } });
      expect(created.status).toBe(201);
      expect(sim.org.findById((created.body as { id: string }).id)?.record.Name).toBe('Over TLS');
    } finally {
      await client.close();
    }
  });

  it('is refused by a client that does not trust the certificate: a network error saying nothing was sent', async () => {
    const client = createClient({ auth: { instanceUrl: sim.url, accessToken: sim.issueAccessToken() } });
    sim.resetStats();
    try {
      const error = await client.request({ method: 'GET', path: 'limits' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).causeCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect((error as NetworkError).reachedServer).toBe(false);
      expect(sim.stats().requests).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('refuses a transport caPem that holds no certificate, naming the option', () => {
    expect(() => createClient({ auth: { instanceUrl: sim.url, accessToken: 'x' }, transport: { caPem: 'not a pem' } })).toThrow(ConfigError);
    expect(() => createClient({ auth: { instanceUrl: sim.url, accessToken: 'x' }, transport: { caPem: 'not a pem' } })).toThrow(/transport\.caPem/);
  });

  it('keeps HTTPS enforced: plain http:// is still refused to a client with a CA unless it is loopback and allowed', async () => {
    const plain = await startTiny();
    try {
      expect(plain.url).toMatch(/^http:\/\//);
      expect(plain.caPem).toBeUndefined();
      const refused = createClient({ auth: { instanceUrl: plain.url, accessToken: plain.issueAccessToken() }, transport: { caPem: sim.caPem! } });
      await expect(refused.request({ method: 'GET', path: 'limits' })).rejects.toThrow(ConfigError);
      await refused.close();
      const allowed = createClient({ auth: { instanceUrl: plain.url, accessToken: plain.issueAccessToken() }, allowInsecureLoopback: true, transport: { caPem: sim.caPem! } });
      expect((await allowed.request({ method: 'GET', path: 'limits' })).status).toBe(200);
      await allowed.close();
    } finally {
      await plain.close();
    }
  });

  it('uses a given certificate, and shares it with Pub/Sub so one CA file covers both listeners', async () => {
    const given = selfSignedCertificate('given');
    const both = await startTiny({ tls: given, grpcPort: 0 });
    try {
      expect(both.caPem).toBe(given.certPem);
      expect(both.pubsub?.caPem).toBe(given.certPem);
      const client = createClient({ auth: { instanceUrl: both.url, accessToken: both.issueAccessToken() }, transport: { caPem: given.certPem } });
      const res = await client.request({ method: 'GET', path: 'limits' });
      await client.close();
      expect(res.status).toBe(200);
      expect(res.body).toHaveProperty('DailyApiRequests');
    } finally {
      await both.close();
    }
  });

  it('rejects a malformed tls option, naming it', async () => {
    await expect(startTiny({ tls: { certPem: 'nope', keyPem: 'nope' } })).rejects.toThrow(/tls\.certPem/);
    const cert = selfSignedCertificate();
    await expect(startTiny({ tls: { certPem: cert.certPem, keyPem: 'nope' } })).rejects.toThrow(/tls\.keyPem/);
  });
});
