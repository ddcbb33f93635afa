/**
 * Tokens, keys and secrets never appear in diagnostics events, errors (message, stack, JSON,
 * inspect, cause chain) or recordings, across the auth flows and failure paths.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../runtime/client.js';
import { clientCredentials, jwtBearer, refreshToken } from '../../runtime/auth/providers.js';
import { CHANNELS } from '../../runtime/observability/channels.js';
import { writeMiniOrg } from './fixtures/mini-org.js';
import { json, startServer } from './helpers/server.js';
import { Account } from './fixtures/sobjects.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const CLIENT_SECRET = 'client-secret-0123456789abcdef';
const REFRESH_TOKEN = 'refresh-token-5aaa0123456789abcdef';
const tmp = mkdtempSync(join(tmpdir(), 'sfgen-secrets-'));
let sim: Simulator;
let dir: string;
const seen: string[] = [];
const unsubscribers: (() => void)[] = [];

beforeAll(async () => {
  dir = writeMiniOrg({ accounts: 5 });
  sim = await startSimulator({
    metadataDir: dir,
    auth: {
      clientId: 'secret-app', clientSecret: CLIENT_SECRET, jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      users: ['sec@sfgen.test'], refreshTokens: { [REFRESH_TOKEN]: 'sec@sfgen.test' },
    },
  });
  for (const name of Object.values(CHANNELS)) {
    const fn = (m: unknown) => seen.push(`${name} ${JSON.stringify(m)}`);
    diagnostics_channel.subscribe(name, fn);
    unsubscribers.push(() => diagnostics_channel.unsubscribe(name, fn));
  }
});
afterAll(async () => {
  for (const u of unsubscribers) u();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

function everything(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  return [String(e?.message), String(e?.stack), JSON.stringify(e), inspect(e, { depth: 6 }), inspect(e?.cause, { depth: 6 })].join('\n');
}

async function exercise(client: SalesforceClient, cassette: string | undefined): Promise<{ errors: string[]; tokens: string[] }> {
  const errors: string[] = [];
  const capture = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => errors.push(everything(err)));
  await client.describe('Account');
  const tokens = [(await client.token()).accessToken];
  await capture(client.sobject(Account).get('001000000000000AAA'));
  await capture(client.sobject(Account).create({ Rating: 'Hot' } as never));
  await capture(client.query('SELECT Nope FROM Account').toArray());
  sim.faults.add({ route: /\/describe$/, status: 500, times: Infinity });
  await capture(client.describe('Contact'));
  sim.faults.clear();
  sim.faults.add({ route: /\/describe$/, status: 503, html: true, times: Infinity });
  await capture(client.describe('Contact'));
  sim.faults.clear();
  sim.faults.add({ route: /\/describe$/, reset: true, times: Infinity });
  await capture(client.describe('Contact'));
  sim.faults.clear();
  sim.revokeAccessTokens();
  await client.describe('Account'); // refresh + replay
  tokens.push((await client.token()).accessToken);
  await client.close();
  if (cassette) errors.push(readFileSync(cassette, 'utf8'));
  return { errors, tokens };
}

describe('no secret ever leaks', () => {
  it.each([
    ['jwt bearer', () => jwtBearer({ clientId: 'secret-app', username: 'sec@sfgen.test', privateKey: privatePem, loginUrl: sim.url })],
    ['refresh token', () => refreshToken({ clientId: 'secret-app', clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN, loginUrl: sim.url })],
    ['client credentials', () => clientCredentials({ clientId: 'secret-app', clientSecret: CLIENT_SECRET, loginUrl: sim.url })],
  ])('%s: events, errors and recordings are secret-free', async (name, auth) => {
    seen.length = 0;
    const cassette = join(tmp, `${name.replace(/ /g, '-')}.json`);
    const client = createClient({ auth: auth(), allowInsecureLoopback: true, retry: { baseDelayMs: 1, maxAttempts: 2 }, circuitBreaker: false, replay: { mode: 'record', cassette } });
    const { errors, tokens } = await exercise(client, cassette);
    expect(errors.length).toBeGreaterThanOrEqual(7);
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(tokens).size).toBe(2);
    const haystack = [...errors, ...seen].join('\n');
    const keyBody = privatePem.split('\n').slice(1, -2).join('');
    for (const secret of [...tokens, CLIENT_SECRET, REFRESH_TOKEN, keyBody.slice(0, 40), ...keyBody.match(/.{64}/g)!.slice(0, 3)]) {
      expect(haystack, `leaked ${secret.slice(0, 6)}...`).not.toContain(secret);
    }
    expect(haystack).not.toMatch(/eyJhbGciOi/); // no JWT assertion
    expect(haystack).not.toMatch(/Bearer (?!\[REDACTED\])[A-Za-z0-9!]/);
  });

  it('a rejected refresh token is an AuthError that does not echo the grant', async () => {
    const client = createClient({ auth: refreshToken({ clientId: 'secret-app', clientSecret: CLIENT_SECRET, refreshToken: 'refresh-token-that-is-wrong-123', loginUrl: sim.url }), allowInsecureLoopback: true });
    const err = await client.describe('Account').catch((e: unknown) => e);
    expect((err as Error).name).toBe('AuthError');
    const text = everything(err);
    expect(text).not.toContain('refresh-token-that-is-wrong-123');
    expect(text).not.toContain(CLIENT_SECRET);
    await client.close();
  });

  it('a server that echoes the bearer token in its error answers (JSON 500, HTML 502, 400 array) does not leak it into errors', async () => {
    const token = '00D000000000ECHO!AQ8AQ-echo-token-9f8e7d6c5b4a';
    const server = await startServer((req, res) => {
      const auth = String(req.headers.authorization);
      if (req.url.includes('/describe')) return json(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: `bad session ${auth} (${auth.slice(7)})` }]);
      if (req.url.includes('/limits')) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(`<html><head><title>Bad gateway for ${auth}</title></head><body>${encodeURIComponent(auth.slice(7))}</body></html>`);
        return;
      }
      return json(res, 400, [{ errorCode: 'INVALID_FIELD', message: `token ${auth.slice(7)} cannot do that` }]);
    });
    const client = createClient({ auth: { accessToken: token, instanceUrl: server.url }, allowInsecureLoopback: true, retry: false });
    const errors = await Promise.all([
      client.describe('Account').catch((e: unknown) => e),
      client.limits().catch((e: unknown) => e),
      client.sobject(Account).update('001000000000001AAA', { Name: 'x' }).catch((e: unknown) => e),
    ]);
    for (const err of errors) {
      expect(err).toBeInstanceOf(Error);
      const text = everything(err);
      expect(text).not.toContain(token);
      expect(text).not.toContain(encodeURIComponent(token));
      expect(text).toContain('[REDACTED]');
    }
    await client.close();
    await server.close();
  });

  it('a recording drops OAuth token fields even when the value is not a secret the client knows', async () => {
    const foreign = 'foreign-access-token-0123456789abcdef';
    const server = await startServer((_req, res) => json(res, 200, { access_token: foreign, refresh_token: `${foreign}-refresh`, instance_url: 'https://example.invalid' }));
    const cassette = join(tmp, 'foreign-token.json');
    const client = createClient({ auth: { accessToken: 'known-token-abcdef123456', instanceUrl: server.url }, allowInsecureLoopback: true, replay: { mode: 'record', cassette } });
    await client.request({ method: 'GET', path: 'connect/some/resource' });
    await client.close();
    await server.close();
    const text = readFileSync(cassette, 'utf8');
    expect(text).toContain('connect/some/resource');
    expect(text).not.toContain(foreign);
  });
});
