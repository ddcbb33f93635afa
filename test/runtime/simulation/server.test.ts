import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { call, startTiny, V } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny();
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

describe('versions and resources', () => {
  it('lists versions without auth and without Sforce-Limit-Info', async () => {
    const r = await call(sim, undefined, 'GET', '/services/data');
    expect(r.status).toBe(200);
    const list = r.json as { version: string; url: string; label: string }[];
    // The newest release by default: Winter '27 is 68.0 (Spring '24 was 60.0, three releases a year).
    expect(list.at(-1)).toEqual({ label: "Winter '27", url: '/services/data/v68.0', version: '68.0' });
    expect(list.find((v) => v.version === '60.0')).toEqual({ label: "Spring '24", url: '/services/data/v60.0', version: '60.0' });
    expect(list.find((v) => v.version === '69.0')).toBeUndefined();
    expect(r.headers.get('sforce-limit-info')).toBeNull();
  });

  it('serves the resource map of a version', async () => {
    const r = await call(sim, token, 'GET', `${V}/`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ sobjects: `${V}/sobjects`, query: `${V}/query`, limits: `${V}/limits` });
  });

  it('answers 404 for an unknown version', async () => {
    const r = await call(sim, token, 'GET', '/services/data/v99.0/sobjects');
    expect(r.status).toBe(404);
    expect(r.json).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });
});

describe('bearer auth', () => {
  it.each([
    ['missing', undefined],
    ['unknown', 'bogus-token'],
  ])('a %s token gets 401 INVALID_SESSION_ID', async (_label, t) => {
    const r = await call(sim, t, 'GET', `${V}/sobjects`);
    expect(r.status).toBe(401);
    expect(r.json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('an expired token gets 401', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const local = await startTiny({ now: () => now, auth: { tokenLifetimeSeconds: 60 } });
    try {
      const t = local.issueAccessToken();
      expect((await call(local, t, 'GET', `${V}/limits`)).status).toBe(200);
      now += 61_000;
      const r = await call(local, t, 'GET', `${V}/limits`);
      expect(r.status).toBe(401);
      expect(r.text).not.toContain(t);
    } finally {
      await local.close();
    }
  });

  it('accepts the OAuth scheme name too', async () => {
    const r = await fetch(`${sim.url}${V}/limits`, { headers: { Authorization: `OAuth ${token}` } });
    expect(r.status).toBe(200);
  });
});

describe('describes', () => {
  it('serves the global describe with Last-Modified at orgLastModified', async () => {
    const r = await call(sim, token, 'GET', `${V}/sobjects`);
    expect(r.status).toBe(200);
    expect(r.headers.get('last-modified')).toBe('Mon, 01 Jan 2024 00:00:00 GMT');
    const body = r.json as { encoding: string; maxBatchSize: number; sobjects: { name: string }[] };
    expect(body.encoding).toBe('UTF-8');
    expect(body.maxBatchSize).toBe(200);
    expect(body.sobjects.map((s) => s.name)).toEqual(['Account', 'Contact', 'User']);
  });

  it('serves a per-object describe as stored, case-insensitively', async () => {
    const r = await call(sim, token, 'GET', `${V}/sobjects/account/describe`);
    expect(r.status).toBe(200);
    const d = r.json as { name: string; fields: { name: string }[] };
    expect(d.name).toBe('Account');
    expect(d.fields.map((f) => f.name)).toContain('BillingAddress');
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers 304 when not modified since, 200 when modified', async () => {
    const lm = 'Mon, 01 Jan 2024 00:00:00 GMT';
    const same = await call(sim, token, 'GET', `${V}/sobjects/Account/describe`, undefined, { 'If-Modified-Since': lm });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    const later = await call(sim, token, 'GET', `${V}/sobjects`, undefined, { 'If-Modified-Since': 'Tue, 02 Jan 2024 00:00:00 GMT' });
    expect(later.status).toBe(304);
    const earlier = await call(sim, token, 'GET', `${V}/sobjects/Account/describe`, undefined, {
      'If-Modified-Since': 'Sun, 31 Dec 2023 23:59:59 GMT',
    });
    expect(earlier.status).toBe(200);
  });

  it('answers 404 NOT_FOUND for an unknown object', async () => {
    const r = await call(sim, token, 'GET', `${V}/sobjects/Nope__c/describe`);
    expect(r.status).toBe(404);
    expect(r.json).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });

  it('serves basic info and event schemas', async () => {
    const info = await call(sim, token, 'GET', `${V}/sobjects/Account`);
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ objectDescribe: { name: 'Account', keyPrefix: '001' } });
    const missing = await call(sim, token, 'GET', `${V}/sobjects/Account/eventSchema`);
    expect(missing.status).toBe(404);
  });

  it('answers 405 METHOD_NOT_ALLOWED for a wrong method', async () => {
    const r = await call(sim, token, 'PUT', `${V}/sobjects`, {});
    expect(r.status).toBe(405);
    expect((r.json as { errorCode: string }[])[0]!.errorCode).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('limits and usage', () => {
  it('counts real usage in Sforce-Limit-Info and /limits', async () => {
    const local = await startTiny({ dailyApiLimit: 500 });
    try {
      const t = local.issueAccessToken();
      const a = await call(local, t, 'GET', `${V}/sobjects`);
      expect(a.headers.get('sforce-limit-info')).toBe('api-usage=1/500');
      await call(local, t, 'GET', `${V}/sobjects/Account/describe`);
      const l = await call(local, t, 'GET', `${V}/limits`);
      expect(l.headers.get('sforce-limit-info')).toBe('api-usage=3/500');
      const body = l.json as Record<string, Record<string, unknown>>;
      expect(body.DailyApiRequests).toMatchObject({ Max: 500, Remaining: 497, 'Ant Migration Tool': { Max: 0, Remaining: 0 } });
      expect(body.PermissionSets!.CreateCustom).toEqual({ Max: 1000, Remaining: 988 });
      // 401s are not API calls but still carry the header.
      const bad = await call(local, 'nope', 'GET', `${V}/limits`);
      expect(bad.headers.get('sforce-limit-info')).toBe('api-usage=3/500');
      expect(local.apiUsage()).toEqual({ used: 3, max: 500 });
      local.setApiUsage(499);
      expect((await call(local, t, 'GET', `${V}/limits`)).status).toBe(200);
      const over = await call(local, t, 'GET', `${V}/limits`);
      expect(over.status).toBe(403);
      expect(over.json).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
      expect(over.headers.get('sforce-limit-info')).toBe('api-usage=500/500');
    } finally {
      await local.close();
    }
  });
});

describe('stats and latency', () => {
  it('counts requests per route and resets', async () => {
    const local = await startTiny();
    try {
      const t = local.issueAccessToken();
      await call(local, t, 'GET', `${V}/sobjects/Account/describe`);
      await call(local, t, 'GET', `${V}/sobjects/Contact/describe`);
      await call(local, t, 'GET', `${V}/sobjects`);
      await call(local, t, 'GET', '/nowhere');
      const s = local.stats();
      expect(s.requests).toBe(4);
      expect(s.byRoute['GET /sobjects/{name}/describe']).toBe(2);
      expect(s.byRoute['GET /sobjects']).toBe(1);
      expect(s.byRoute['GET (no route)']).toBe(1);
      local.resetStats();
      expect(local.stats()).toEqual({ requests: 0, byRoute: {} });
    } finally {
      await local.close();
    }
  });

  it('applies injected latency to every request (lower bound)', async () => {
    const local = await startTiny({ latencyMs: 120 });
    try {
      const t = local.issueAccessToken();
      const t0 = performance.now();
      const r = await call(local, t, 'GET', `${V}/limits`);
      expect(r.status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
      local.setLatency(0);
      const t1 = performance.now();
      await call(local, t, 'GET', `${V}/limits`);
      const fast = performance.now() - t1;
      const t2 = performance.now();
      local.setLatency(200);
      await call(local, t, 'GET', `${V}/limits`);
      expect(performance.now() - t2).toBeGreaterThanOrEqual(195);
      expect(fast).toBeLessThan(performance.now() - t2);
    } finally {
      await local.close();
    }
  });
});

describe('identity and encodings', () => {
  it('serves the identity URL of a token response and userinfo', async () => {
    const id = `${sim.url}/id/${sim.orgId}/${sim.defaultUser.userId}`;
    const r = await fetch(id, { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id, user_id: sim.defaultUser.userId, organization_id: sim.orgId, username: sim.defaultUser.username });
    expect((body.urls as Record<string, string>).rest).toBe(`${sim.url}/services/data/v{version}/`);
    const info = await fetch(`${sim.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await info.json()).toMatchObject({ preferred_username: sim.defaultUser.username });
    const denied = await fetch(id);
    expect(denied.status).toBe(403);
  });

  it('sends WWW-Authenticate with 401', async () => {
    const r = await call(sim, undefined, 'GET', `${V}/limits`);
    expect(r.headers.get('www-authenticate')).toBe('Token');
  });

  it('gzips responses when enabled and asked, and reads gzipped request bodies', async () => {
    const { gzipSync, gunzipSync } = await import('node:zlib');
    const http = await import('node:http');
    const local = await startTiny({ gzip: true });
    try {
      const t = local.issueAccessToken();
      const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        http
          .get(`${local.url}${V}/sobjects/Account/describe`, { headers: { Authorization: `Bearer ${t}`, 'Accept-Encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
      expect(raw.encoding).toBe('gzip');
      expect((JSON.parse(gunzipSync(raw.body).toString('utf8')) as { name: string }).name).toBe('Account');
      const created = await fetch(`${local.url}${V}/sobjects/Contact`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: gzipSync(Buffer.from(JSON.stringify({ LastName: 'Zipped' }))),
      });
      expect(created.status).toBe(201);
    } finally {
      await local.close();
    }
  });
});
