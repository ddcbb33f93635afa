import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { call, startTiny, V } from './helpers.js';

let sim: Simulator;
let privateKey: CryptoKey;
let otherKey: CryptoKey;
const CLIENT_ID = '3MVG9-test-client';
const SECRET = 'shh-client-secret';

async function assertion(claims: { iss?: string; sub?: string; aud?: string | string[]; expSeconds?: number }, key = privateKey): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(claims.iss ?? CLIENT_ID)
    .setSubject(claims.sub ?? 'integration@tiny.example')
    .setAudience(claims.aud ?? 'https://login.salesforce.com')
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expSeconds ?? 180));
  return jwt.sign(key);
}

async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

const JWT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  sim = await startTiny({
    auth: {
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      jwtPublicKey: await exportSPKI(pair.publicKey),
      users: ['integration@tiny.example'],
      refreshTokens: { 'refresh-abc': 'admin@tiny.example' },
    },
  });
});
afterAll(async () => {
  await sim.close();
});

describe('JWT bearer', () => {
  it('issues a working token in Salesforce shape', async () => {
    const r = await token({ grant_type: JWT, assertion: await assertion({}) });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type']);
    expect(r.json.instance_url).toBe(sim.url);
    expect(r.json.token_type).toBe('Bearer');
    expect(r.json.id).toMatch(new RegExp(`^${sim.url}/id/00D[A-Za-z0-9]{15}/005[A-Za-z0-9]{15}$`));
    expect(r.json.issued_at).toMatch(/^\d{13}$/);
    const data = await call(sim, r.json.access_token, 'GET', `${V}/limits`);
    expect(data.status).toBe(200);
  });

  it.each([
    ['https://test.salesforce.com'],
    ['self'],
  ])('accepts audience %s', async (aud) => {
    const r = await token({ grant_type: JWT, assertion: await assertion({ aud: aud === 'self' ? sim.url : aud }) });
    expect(r.status).toBe(200);
  });

  it('accepts a JWK public key', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const local = await startTiny({ auth: { clientId: CLIENT_ID, jwtPublicKey: await exportJWK(pair.publicKey) } });
    try {
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(CLIENT_ID)
        .setSubject('admin@tiny.example')
        .setAudience(local.url)
        .setExpirationTime('2m')
        .sign(pair.privateKey);
      const res = await fetch(`${local.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: JWT, assertion: jwt }).toString(),
      });
      expect(res.status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it.each([
    ['a wrong audience', { aud: 'https://evil.example.com' }, 'invalid_grant', 'audience is invalid'],
    ['an expired assertion', { expSeconds: -120 }, 'invalid_grant', 'expired authorization code'],
    ['an unknown user', { sub: 'nobody@tiny.example' }, 'invalid_grant', "user hasn't approved this consumer"],
    ['a wrong issuer', { iss: 'someone-else' }, 'invalid_client_id', 'client identifier invalid'],
  ])('rejects %s', async (_label, claims, error, description) => {
    const r = await token({ grant_type: JWT, assertion: await assertion(claims) });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error, error_description: description });
  });

  it('rejects an assertion signed by another key, and garbage', async () => {
    const wrong = await token({ grant_type: JWT, assertion: await assertion({}, otherKey) });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' });
    const garbage = await token({ grant_type: JWT, assertion: 'not.a.jwt' });
    expect(garbage.json.error).toBe('invalid_grant');
  });
});

describe('refresh token', () => {
  it('issues a token for the refresh token user', async () => {
    const r = await token({ grant_type: 'refresh_token', refresh_token: 'refresh-abc', client_id: CLIENT_ID, client_secret: SECRET });
    expect(r.status).toBe(200);
    expect(r.json.id).toMatch(/\/005000000000001AAA$/);
    expect((await call(sim, r.json.access_token, 'GET', `${V}/sobjects`)).status).toBe(200);
  });

  it('rejects an unknown refresh token and a wrong client', async () => {
    const bad = await token({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: CLIENT_ID });
    expect(bad.json).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
    const client = await token({ grant_type: 'refresh_token', refresh_token: 'refresh-abc', client_id: 'other' });
    expect(client.json).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
  });
});

describe('client credentials', () => {
  it('issues a token with the right secret (form or Basic auth)', async () => {
    const r = await token({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
    expect(r.status).toBe(200);
    const basic = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
    const r2 = await token({ grant_type: 'client_credentials' }, { Authorization: `Basic ${basic}` });
    expect(r2.status).toBe(200);
  });

  it('rejects a wrong secret with invalid_client', async () => {
    const r = await token({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'wrong' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });
});

describe('token endpoint errors', () => {
  it('rejects an unsupported grant type', async () => {
    const r = await token({ grant_type: 'password', username: 'x', password: 'y' });
    expect(r.json).toEqual({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
  });

  it('never echoes secrets or assertions in errors', async () => {
    const jwt = await assertion({ aud: 'https://evil.example.com' });
    const res = await fetch(`${sim.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: JWT, assertion: jwt, client_secret: SECRET }).toString(),
    });
    const text = await res.text();
    expect(text).not.toContain(jwt.slice(0, 20));
    expect(text).not.toContain(SECRET);
  });

  it('revokes a token', async () => {
    const t = sim.issueAccessToken();
    const res = await fetch(`${sim.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t }).toString(),
    });
    expect(res.status).toBe(200);
    expect((await call(sim, t, 'GET', `${V}/limits`)).status).toBe(401);
  });
});
