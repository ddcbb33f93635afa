import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { call, startTiny, V } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny();
  token = sim.issueAccessToken();
});
afterEach(() => sim.faults.clear());
afterAll(async () => {
  await sim.close();
});

/** A raw GET that reports a socket error instead of throwing (fetch hides the cause). */
function rawGet(path: string): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(sim.url + path, { headers: { Authorization: `Bearer ${token}` }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

describe('fault injection', () => {
  it('answers a status with Salesforce error body and Retry-After, a given number of times', async () => {
    const fault = sim.faults.add({ route: /\/query$/, status: 503, retryAfter: 2, times: 2 });
    const url = `${V}/query?q=${encodeURIComponent('SELECT Id FROM User')}`;
    const a = await call(sim, token, 'GET', url);
    expect(a.status).toBe(503);
    expect(a.headers.get('retry-after')).toBe('2');
    expect(a.json).toEqual([{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
    expect((await call(sim, token, 'GET', url)).status).toBe(503);
    expect((await call(sim, token, 'GET', url)).status).toBe(200);
    expect(fault.fired).toBe(2);
    expect(fault.active).toBe(false);
  });

  it('matches method + path strings and lets the first requests through with `after`', async () => {
    sim.faults.add({ route: `GET ${V}/limits`, status: 403, after: 1, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
    expect((await call(sim, token, 'GET', `${V}/limits`)).status).toBe(200);
    const r = await call(sim, token, 'GET', `${V}/limits`);
    expect(r.status).toBe(403);
    expect(r.json).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect((await call(sim, token, 'POST', `${V}/limits`, {})).status).toBe(405);
  });

  it('serves HTML error pages', async () => {
    sim.faults.add({ route: /sobjects/, status: 502, html: true });
    const r = await call(sim, token, 'GET', `${V}/sobjects`);
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('resets the connection', async () => {
    sim.faults.add({ route: /limits/, reset: true });
    const r = await rawGet(`${V}/limits`);
    expect(r.error).toMatch(/ECONNRESET|socket hang up/);
    expect((await rawGet(`${V}/limits`)).status).toBe(200);
  });

  it('delays then proceeds normally (lower bound only)', async () => {
    sim.faults.add({ route: /limits/, delayMs: 150 });
    const t0 = performance.now();
    const r = await call(sim, token, 'GET', `${V}/limits`);
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
  });

  it('expires the session of a matching request', async () => {
    const t = sim.issueAccessToken();
    sim.faults.add({ route: /sobjects/, expireSession: true });
    const r = await call(sim, t, 'GET', `${V}/sobjects`);
    expect(r.status).toBe(401);
    expect(r.json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect((await call(sim, t, 'GET', `${V}/limits`)).status).toBe(401);
  });

  it('expires every session after N requests; a new token works', async () => {
    const t = sim.issueAccessToken();
    sim.faults.expireSessionsAfter(2);
    expect((await call(sim, t, 'GET', `${V}/limits`)).status).toBe(200);
    expect((await call(sim, t, 'GET', `${V}/limits`)).status).toBe(200);
    expect((await call(sim, t, 'GET', `${V}/limits`)).status).toBe(401);
    const fresh = sim.issueAccessToken();
    expect((await call(sim, fresh, 'GET', `${V}/limits`)).status).toBe(200);
    token = sim.issueAccessToken();
  });

  it('a custom JSON body and remove()', async () => {
    const f = sim.faults.add({ route: /limits/, status: 500, body: { oops: true }, times: Infinity });
    expect((await call(sim, token, 'GET', `${V}/limits`)).json).toEqual({ oops: true });
    f.remove();
    expect((await call(sim, token, 'GET', `${V}/limits`)).status).toBe(200);
    expect(() => sim.faults.add({ status: 42 })).toThrow(/status/);
  });
});

describe('reset after processing', () => {
  it('performs the write, then drops the connection', async () => {
    sim.faults.add({ method: 'POST', route: /\/sobjects\/Contact$/, resetAfterProcessing: true });
    const before = sim.org.records('Contact').length;
    const outcome = await new Promise<{ status?: number; error?: string }>((resolve) => {
      const req = http.request(
        `${sim.url}${V}/sobjects/Contact`,
        { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      req.end(JSON.stringify({ LastName: 'Maybe' }));
    });
    expect(outcome.error).toMatch(/ECONNRESET|socket hang up/);
    expect(sim.org.records('Contact').length).toBe(before + 1);
  });
});
