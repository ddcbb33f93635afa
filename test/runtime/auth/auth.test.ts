import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../runtime/client.js';
import { AuthError, ConfigError } from '../../../runtime/errors.js';
import { clientCredentials, jwtBearer, refreshToken, sfCliAlias, staticToken } from '../../../runtime/auth/providers.js';
import { json, startServer, type TestServer } from '../helpers/server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let server: TestServer;
let issued = 0;
let tokenDelayMs = 0;
let tokenLifetimeSeconds: number | undefined;
const validTokens = new Set<string>();

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** A small org: the token endpoint issues tokens, /sobjects/X/describe requires a valid one. */
function org(checkGrant: (form: URLSearchParams) => Promise<string | undefined> | string | undefined = () => undefined): void {
  server.handle(async (req, res) => {
    if (req.url === '/services/oauth2/token') {
      const form = new URLSearchParams(req.body);
      const problem = await checkGrant(form);
      if (problem) return json(res, 400, { error: 'invalid_grant', error_description: problem });
      await new Promise((r) => setTimeout(r, tokenDelayMs));
      const token = `00D000000000001!tok${++issued}-${'x'.repeat(20)}`;
      validTokens.add(token);
      return json(res, 200, {
        access_token: token, instance_url: server.url, id: `${server.url}/id/00D/005`, token_type: 'Bearer', issued_at: String(Date.now()), signature: 'sig',
        ...(tokenLifetimeSeconds !== undefined ? { expires_in: tokenLifetimeSeconds } : {}),
      });
    }
    const token = (req.headers.authorization ?? '').replace('Bearer ', '');
    if (!validTokens.has(token)) return json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    return json(res, 200, { name: 'Account', fields: [] });
  });
}

describe('JWT bearer', () => {
  it('signs an RS256 assertion with iss, sub, aud and a short expiry, and posts it to <loginUrl>/services/oauth2/token', async () => {
    let claims: Record<string, unknown> = {};
    org(async (form) => {
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'wrong grant type';
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, { issuer: 'CLIENT_ID', audience: server.url, subject: 'ci@acme.test' });
      claims = { ...payload, alg: protectedHeader.alg };
      return undefined;
    });
    const client = createClient({
      auth: jwtBearer({ clientId: 'CLIENT_ID', username: 'ci@acme.test', privateKey: privatePem, loginUrl: server.url }),
      allowInsecureLoopback: true,
    });
    const token = await client.token();
    expect(token.instanceUrl).toBe(server.url);
    expect(claims.alg).toBe('RS256');
    expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(180);
    expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeGreaterThan(100);
    await client.close();
  });

  it('rejects a key that is not an RSA private key without echoing it', () => {
    expect(() => jwtBearer({ clientId: 'c', username: 'u', privateKey: '-----BEGIN PRIVATE KEY-----\nnotakey\n-----END PRIVATE KEY-----' })).toThrow(ConfigError);
    try {
      jwtBearer({ clientId: 'c', username: 'u', privateKey: 'SECRETKEYMATERIAL' });
    } catch (err) {
      expect((err as Error).message).not.toContain('SECRETKEYMATERIAL');
    }
  });

  it('turns invalid_grant into an AuthError naming the request, without the assertion', async () => {
    org(() => 'user hasn\'t approved this consumer');
    const client = createClient({
      auth: jwtBearer({ clientId: 'CLIENT_ID', username: 'ci@acme.test', privateKey: privatePem, loginUrl: server.url }),
      allowInsecureLoopback: true,
    });
    const err = await client.describe('Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).errorCode).toBe('invalid_grant');
    expect((err as AuthError).message).toContain('POST /services/oauth2/token');
    expect((err as AuthError).status).toBe(400);
    const assertion = new URLSearchParams(server.requests.at(-1)!.body).get('assertion')!;
    expect(JSON.stringify(err)).not.toContain(assertion);
    expect(String((err as Error).stack)).not.toContain(assertion);
    await client.close();
  });
});

describe('refresh token and client credentials', () => {
  it('posts the refresh-token grant', async () => {
    let form: URLSearchParams | undefined;
    org((f) => {
      form = f;
      return undefined;
    });
    const client = createClient({ auth: refreshToken({ clientId: 'CID', clientSecret: 'CSECRET-123456', refreshToken: 'RT-abcdef123456', loginUrl: server.url }), allowInsecureLoopback: true });
    await client.describe('Account');
    expect(form?.get('grant_type')).toBe('refresh_token');
    expect(form?.get('refresh_token')).toBe('RT-abcdef123456');
    expect(form?.get('client_secret')).toBe('CSECRET-123456');
    await client.close();
  });

  it('posts the client-credentials grant', async () => {
    let form: URLSearchParams | undefined;
    org((f) => {
      form = f;
      return undefined;
    });
    const client = createClient({ auth: clientCredentials({ clientId: 'CID', clientSecret: 'CSECRET-123456', loginUrl: server.url }), allowInsecureLoopback: true });
    await client.describe('Account');
    expect(form?.get('grant_type')).toBe('client_credentials');
    expect(form?.get('client_id')).toBe('CID');
    await client.close();
  });

  it('refuses a plain-HTTP login URL to a remote host', async () => {
    const client = createClient({ auth: clientCredentials({ clientId: 'CID', clientSecret: 'S', loginUrl: 'http://login.example.com' }), allowInsecureLoopback: true });
    await expect(client.token()).rejects.toThrow(/plain HTTP/);
    await client.close();
  });
});

describe('token manager', () => {
  it('makes one token request for 100 concurrent calls', async () => {
    org();
    tokenDelayMs = 50;
    const before = server.requests.filter((r) => r.url === '/services/oauth2/token').length;
    const client = createClient({ auth: refreshToken({ clientId: 'CID', refreshToken: 'RT-abcdef123456', loginUrl: server.url }), allowInsecureLoopback: true });
    const results = await Promise.all(Array.from({ length: 100 }, () => client.describe('Account')));
    expect(results).toHaveLength(100);
    const after = server.requests.filter((r) => r.url === '/services/oauth2/token').length;
    expect(after - before).toBe(1);
    tokenDelayMs = 0;
    await client.close();
  });

  it('makes one refresh for 100 concurrent calls on an expired token', async () => {
    org();
    tokenLifetimeSeconds = 120;
    let now = Date.now();
    const client = createClient({
      auth: refreshToken({ clientId: 'CID', refreshToken: 'RT-abcdef123456', loginUrl: server.url }),
      allowInsecureLoopback: true,
      tokens: { now: () => now, refreshAheadMs: 60_000 },
    });
    const first = await client.token();
    tokenDelayMs = 50;
    now += 121_000; // expired
    const count = () => server.requests.filter((r) => r.url === '/services/oauth2/token').length;
    const before = count();
    await Promise.all(Array.from({ length: 100 }, () => client.describe('Account')));
    expect(count() - before).toBe(1);
    expect((await client.token()).accessToken).not.toBe(first.accessToken);
    tokenDelayMs = 0;
    tokenLifetimeSeconds = undefined;
    await client.close();
  });

  it('caches the token: sequential calls inside its lifetime make no new token request', async () => {
    org();
    tokenLifetimeSeconds = 3600;
    let now = Date.now();
    const client = createClient({
      auth: refreshToken({ clientId: 'CID', refreshToken: 'RT-abcdef123456', loginUrl: server.url }),
      allowInsecureLoopback: true,
      tokens: { now: () => now, refreshAheadMs: 60_000 },
    });
    const count = () => server.requests.filter((r) => r.url === '/services/oauth2/token').length;
    const before = count();
    for (let i = 0; i < 5; i++) {
      await client.describe('Account');
      now += 60_000;
    }
    expect(count() - before).toBe(1);
    tokenLifetimeSeconds = undefined;
    await client.close();
  });

  it('with a failing token endpoint, keeps using the old token inside the refresh-ahead window and fails once it expired', async () => {
    org();
    tokenLifetimeSeconds = 3600;
    let now = Date.now();
    const client = createClient({
      auth: refreshToken({ clientId: 'CID', refreshToken: 'RT-abcdef123456', loginUrl: server.url }),
      allowInsecureLoopback: true,
      retry: false,
      tokens: { now: () => now, refreshAheadMs: 60_000 },
    });
    const first = await client.token();
    const count = () => server.requests.filter((r) => r.url === '/services/oauth2/token').length;
    const handlerBefore = count();
    // The same org, whose token endpoint now answers 500.
    server.handle(async (req, res) => {
      if (req.url === '/services/oauth2/token') return json(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'token service down' }]);
      const token = (req.headers.authorization ?? '').replace('Bearer ', '');
      if (!validTokens.has(token)) return json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      return json(res, 200, { name: 'Account', fields: [] });
    });
    now += 3600_000 - 30_000; // inside the window: a refresh is tried, fails, the old token still works
    await expect(client.describe('Account')).resolves.toMatchObject({ name: 'Account' });
    expect((await client.token()).accessToken).toBe(first.accessToken);
    expect(count() - handlerBefore).toBeGreaterThanOrEqual(1); // the refresh was really attempted
    now += 31_000; // expired: no token to fall back on
    await expect(client.describe('Account')).rejects.toThrow(/token service down/);
    tokenLifetimeSeconds = undefined;
    await client.close();
  });

  it('refreshes ahead of expiry', async () => {
    org();
    tokenLifetimeSeconds = 3600;
    let now = Date.now();
    const client = createClient({
      auth: refreshToken({ clientId: 'CID', refreshToken: 'RT-abcdef123456', loginUrl: server.url }),
      allowInsecureLoopback: true,
      tokens: { now: () => now, refreshAheadMs: 60_000 },
    });
    const first = await client.token();
    now += 3600_000 - 30_000; // 30 s before expiry: inside the refresh-ahead window
    const second = await client.token();
    expect(second.accessToken).not.toBe(first.accessToken);
    tokenLifetimeSeconds = undefined;
    await client.close();
  });

  it('on 401 INVALID_SESSION_ID refreshes once and replays; 100 concurrent rejected calls share one refresh', async () => {
    org();
    const client = createClient({ auth: refreshToken({ clientId: 'CID', refreshToken: 'RT-abcdef123456', loginUrl: server.url }), allowInsecureLoopback: true });
    await client.token();
    validTokens.clear(); // the org revoked every session
    tokenDelayMs = 30;
    const count = () => server.requests.filter((r) => r.url === '/services/oauth2/token').length;
    const before = count();
    const results = await Promise.all(Array.from({ length: 100 }, () => client.describe('Account')));
    expect(results.every((r) => 'name' in r)).toBe(true);
    expect(count() - before).toBe(1);
    tokenDelayMs = 0;
    await client.close();
  });

  it('with a static token, a rejected session is an AuthError (no refresh possible)', async () => {
    org();
    const client = createClient({ auth: staticToken({ accessToken: '00Dxx!revoked-token-value', instanceUrl: server.url }), allowInsecureLoopback: true });
    const err = await client.describe('Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).errorCode).toBe('INVALID_SESSION_ID');
    expect((err as AuthError).message).toContain('GET /services/data/v60.0/sobjects/Account/describe');
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain('revoked-token-value');
    await client.close();
  });

  it('only replays once: a second 401 is returned as AuthError', async () => {
    org(); // every token issued is immediately invalid below
    server.handle((req, res) => {
      if (req.url === '/services/oauth2/token') return json(res, 200, { access_token: `tok-${++issued}-abcdefgh`, instance_url: server.url });
      return json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    });
    const client = createClient({ auth: refreshToken({ clientId: 'CID', refreshToken: 'RT-abcdef123456', loginUrl: server.url }), allowInsecureLoopback: true });
    const start = server.requests.length;
    await expect(client.describe('Account')).rejects.toBeInstanceOf(AuthError);
    const urls = server.requests.slice(start).map((r) => r.url);
    expect(urls.filter((u) => u.includes('describe'))).toHaveLength(2);
    expect(urls.filter((u) => u.includes('oauth2'))).toHaveLength(2);
    await client.close();
  });
});

describe('sf CLI alias', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sfgen-sfcli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fakeSf(output: unknown, exitCode = 0): string {
    const file = join(dir, `sf-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, `#!/usr/bin/env node\nif (process.argv.slice(2).join(' ') !== 'org display --json --target-org my-sandbox') { process.stdout.write(JSON.stringify({status:1,name:'BadArgs',message:'unexpected args '+process.argv.slice(2).join(' ')})); process.exit(1); }\nprocess.stdout.write(${JSON.stringify(JSON.stringify(output))});\nprocess.exit(${exitCode});\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('reads the token and instance URL of an alias', async () => {
    org();
    validTokens.add('00Dsfcli!token-from-cli-123');
    const command = fakeSf({ status: 0, result: { accessToken: '00Dsfcli!token-from-cli-123', instanceUrl: server.url, apiVersion: '60.0', username: 'u@x' } });
    const client = createClient({ auth: sfCliAlias({ alias: 'my-sandbox', command }), allowInsecureLoopback: true });
    const describe = await client.describe('Account');
    expect(describe).toMatchObject({ name: 'Account' });
    await client.close();
  });

  it('reports the CLI error message, never its output', async () => {
    const command = fakeSf({ status: 1, name: 'NoOrgFound', message: 'No authorization information found for my-sandbox.' }, 1);
    const client = createClient({ auth: sfCliAlias({ alias: 'my-sandbox', command }), allowInsecureLoopback: true });
    const err = await client.token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('No authorization information found');
    expect((err as AuthError).errorCode).toBe('NoOrgFound');
    await client.close();
  });

  it('says so when the CLI is not installed', async () => {
    const client = createClient({ auth: sfCliAlias({ alias: 'my-sandbox', command: join(dir, 'no-such-sf') }), allowInsecureLoopback: true });
    await expect(client.token()).rejects.toThrow(/not installed or not on PATH/);
    await client.close();
  });
});
