/**
 * Every retry, breaker, refresh and limit path against the simulator's fault injection, over real
 * sockets.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { createClient, type ClientConfig } from '../../../runtime/client.js';
import { jwtBearer } from '../../../runtime/auth/providers.js';
import {
  AbortedError, AuthError, CircuitOpenError, LimitError, LockError, NetworkError, ServerError, TimeoutError,
} from '../../../runtime/errors.js';
import { CHANNELS, type CircuitStateMessage, type RetryMessage, type LimitWarningMessage } from '../../../runtime/observability/channels.js';
import { DEFAULT_RETRY, backoffDelay, parseRetryAfter } from '../../../runtime/resilience/retry.js';
import { parseLimitInfo } from '../../../runtime/resilience/limits.js';
import { CircuitBreaker, circuitBreakerInterceptor } from '../../../runtime/resilience/circuit-breaker.js';
import { writeMiniOrg } from '../fixtures/mini-org.js';
import { Account } from '../fixtures/sobjects.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let sim: Simulator;
let dir: string;
const clients: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  dir = writeMiniOrg({ accounts: 10 });
  sim = await startSimulator({
    metadataDir: dir,
    auth: { clientId: 'sfgen-test', jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), users: ['ci@sfgen.test'] },
  });
});
afterEach(async () => {
  sim.faults.clear();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(overrides: Partial<ClientConfig> = {}) {
  const c = createClient({
    auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url },
    allowInsecureLoopback: true,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...overrides,
  });
  clients.push(c);
  return c;
}

function listen<T>(channel: string): { messages: T[]; stop(): void } {
  const messages: T[] = [];
  const fn = (m: unknown) => messages.push(m as T);
  diagnostics_channel.subscribe(channel, fn);
  return { messages, stop: () => diagnostics_channel.unsubscribe(channel, fn) };
}

async function someAccountId(): Promise<string> {
  const c = client();
  return (await c.query('SELECT Id FROM Account LIMIT 1').toArray())[0]!.Id as string;
}

describe('retry policy', () => {
  it('has visible defaults', () => {
    expect(DEFAULT_RETRY.maxAttempts).toBe(4);
    expect(DEFAULT_RETRY.statuses).toContain(503);
    expect(Object.isFrozen(DEFAULT_RETRY)).toBe(true);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, opts, () => 0.999)).toBe(99);
    expect(backoffDelay(3, opts, () => 0.999)).toBe(399);
    expect(backoffDelay(10, opts, () => 0.999)).toBe(999);
    expect(backoffDelay(5, opts, () => 0)).toBe(0);
  });

  it('parses Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retries against the simulator', () => {
  it('retries a read through 503s and an HTML gateway page, then succeeds', async () => {
    const c = client();
    sim.faults.add({ route: /\/describe$/, status: 503, times: 1 });
    sim.faults.add({ route: /\/describe$/, status: 502, html: true, times: 1 });
    const retries = listen<RetryMessage>(CHANNELS.retry);
    sim.resetStats();
    const result = await c.describe('Account');
    retries.stop();
    expect(result).toHaveProperty('name', 'Account');
    expect(sim.stats().requests).toBe(3);
    expect(retries.messages.map((m) => m.reason)).toEqual(['503 SERVER_UNAVAILABLE', 'HTTP 502']);
    expect(retries.messages[0]!.url).toBe('/services/data/v60.0/sobjects/Account/describe');
  });

  it('honours Retry-After', async () => {
    const c = client();
    sim.faults.add({ route: /\/describe$/, status: 429, retryAfter: 1, times: 1 });
    const started = Date.now();
    await c.describe('Account');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up after maxAttempts with the typed error of the last answer', async () => {
    const c = client({ retry: { maxAttempts: 3, baseDelayMs: 5 } });
    sim.faults.add({ route: /\/describe$/, status: 500, times: Infinity });
    sim.resetStats();
    const err = await c.describe('Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).errorCode).toBe('UNKNOWN_EXCEPTION');
    expect(sim.stats().requests).toBe(3);
  });

  it('stops when the total time cap would be exceeded', async () => {
    const c = client({ retry: { maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 200, maxElapsedMs: 300 }, circuitBreaker: false });
    sim.faults.add({ route: /\/describe$/, status: 503, retryAfter: 1, times: Infinity });
    sim.resetStats();
    const started = Date.now();
    await expect(c.describe('Account')).rejects.toBeInstanceOf(ServerError);
    expect(sim.stats().requests).toBe(1); // Retry-After 1 s would overrun the 300 ms budget
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('an abort signal cancels a pending backoff', async () => {
    const c = client();
    sim.faults.add({ route: /\/describe$/, status: 503, retryAfter: 30, times: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(c.describe('Account', { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('never resends a create that may have been processed (5xx answer)', async () => {
    const c = client();
    sim.faults.add({ method: 'POST', route: /\/sobjects\/Account$/, status: 503, times: 1 });
    sim.resetStats();
    await expect(c.sobject(Account).create({ Name: 'Once' })).rejects.toBeInstanceOf(ServerError);
    expect(sim.stats().requests).toBe(1);
  });

  it('never resends a create whose connection broke after sending', async () => {
    const c = client();
    sim.faults.add({ method: 'POST', route: /\/sobjects\/Account$/, reset: true, times: 1 });
    sim.resetStats();
    const err = await c.sobject(Account).create({ Name: 'Maybe' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).reachedServer).toBe(true);
    expect(sim.stats().requests).toBe(1);
  });

  it('never resends a create on a concurrent-limit error either', async () => {
    const c = client();
    sim.faults.add({ method: 'POST', route: /\/sobjects\/Account$/, status: 420, times: 1 });
    sim.resetStats();
    await expect(c.sobject(Account).create({ Name: 'Once' })).rejects.toBeInstanceOf(LimitError);
    expect(sim.stats().requests).toBe(1);
  });

  it('retries an update by id after a reset connection and lock contention', async () => {
    const id = await someAccountId();
    const c = client();
    sim.faults.add({ method: 'PATCH', reset: true, times: 1 });
    sim.faults.add({ method: 'PATCH', status: 409, times: 1 });
    sim.resetStats();
    await c.sobject(Account).update(id, { Description: 'after retries' });
    expect(sim.stats().requests).toBe(3);
    expect((await c.sobject(Account).get(id, { fields: ['Description'] })).Description).toBe('after retries');
  });

  it('surfaces lock contention as LockError when retries run out', async () => {
    const id = await someAccountId();
    const c = client({ retry: { maxAttempts: 2, baseDelayMs: 1 } });
    sim.faults.add({ method: 'PATCH', status: 409, times: Infinity });
    await expect(c.sobject(Account).update(id, { Description: 'x' })).rejects.toBeInstanceOf(LockError);
  });

  it('does not retry the daily API limit', async () => {
    const c = client();
    sim.faults.add({ route: /\/describe$/, status: 403, times: Infinity });
    sim.resetStats();
    await expect(c.describe('Account')).rejects.toBeInstanceOf(LimitError);
    expect(sim.stats().requests).toBe(1);
  });

  it('retries a read on a headers timeout', async () => {
    const c = client({ transport: { headersTimeoutMs: 300 } });
    sim.faults.add({ route: /\/describe$/, delayMs: 1500, times: 1, status: 200, body: {} });
    const result = await c.describe('Account');
    expect(result).toHaveProperty('name', 'Account');
  });

  it('does not retry when retry is disabled', async () => {
    const c = client({ retry: false });
    sim.faults.add({ route: /\/describe$/, status: 503, times: 1 });
    await expect(c.describe('Account')).rejects.toBeInstanceOf(ServerError);
  });

  it('resends even a create when the connection provably never reached the server', async () => {
    // A port that refuses connections first, then a server that comes up on it.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    let creates = 0;
    const late = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        creates++;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: '001000000000001AAA', success: true, errors: [] }));
      });
    });
    const c = createClient({ auth: { accessToken: 'token-for-late-server', instanceUrl: `http://127.0.0.1:${port}` }, allowInsecureLoopback: true, retry: { baseDelayMs: 50, maxDelayMs: 100, maxAttempts: 30 } });
    clients.push(c);
    const retries = listen<RetryMessage>(CHANNELS.retry);
    // The server comes up once the first attempt was refused (full jitter may make waits tiny, hence many attempts).
    const up = new Promise<void>((resolve, reject) => {
      const started = listen<RetryMessage>(CHANNELS.retry);
      const timer = setInterval(() => {
        if (started.messages.length === 0) return;
        clearInterval(timer);
        started.stop();
        late.once('error', reject);
        late.listen(port, '127.0.0.1', resolve);
      }, 5);
    });
    const result = await c.sobject(Account).create({ Name: 'Late' });
    await up;
    retries.stop();
    expect(result.id).toBe('001000000000001AAA');
    expect(creates).toBe(1);
    expect(retries.messages.length).toBeGreaterThanOrEqual(1);
    expect(retries.messages.every((m) => m.reason === 'network ECONNREFUSED')).toBe(true);
    await new Promise<void>((r) => late.close(() => r()));
  });
});

describe('token refresh against the simulator', () => {
  it('refreshes once when the session expires mid-run (JWT bearer) and replays the request', async () => {
    const c = client({
      auth: jwtBearer({ clientId: 'sfgen-test', username: 'ci@sfgen.test', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), loginUrl: sim.url }),
    });
    const refreshes = listen<{ reason: string }>(CHANNELS.tokenRefresh);
    await c.describe('Account');
    sim.faults.expireSessionsAfter(1);
    await c.describe('Account'); // uses the session once more
    const results = await Promise.all(Array.from({ length: 20 }, () => c.describe('Contact'))); // all 401 -> one refresh
    refreshes.stop();
    expect(results.every((r) => 'name' in r)).toBe(true);
    expect(refreshes.messages.map((m) => m.reason)).toEqual(['initial', 'rejected']);
  });

  it('an injected expired session with a static token is an AuthError', async () => {
    const c = client();
    sim.faults.add({ route: /\/describe$/, expireSession: true, times: 1 });
    await expect(c.describe('Account')).rejects.toBeInstanceOf(AuthError);
  });
});

describe('circuit breaker', () => {
  it('opens after repeated 5xx, fails fast without sending, half-opens and closes on a good probe', async () => {
    const states = listen<CircuitStateMessage>(CHANNELS.circuitState);
    const c = client({ retry: false, circuitBreaker: { failureThreshold: 3, openMs: 300 } });
    const fault = sim.faults.add({ route: /\/describe$/, status: 503, times: Infinity });
    for (let i = 0; i < 3; i++) await expect(c.describe('Account')).rejects.toBeInstanceOf(ServerError);
    expect(c.circuitState()).toBe('open');
    sim.resetStats();
    const err = await c.describe('Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).code).toBe('SF_CIRCUIT_OPEN');
    expect((err as CircuitOpenError).retryAt).toBeGreaterThan(Date.now());
    expect(sim.stats().requests).toBe(0);
    await new Promise((r) => setTimeout(r, 350));
    fault.remove();
    await expect(c.describe('Account')).resolves.toHaveProperty('name');
    expect(c.circuitState()).toBe('closed');
    states.stop();
    expect(states.messages.map((m) => `${m.from}->${m.to}`)).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('re-opens when the half-open probe fails; timeouts and REQUEST_LIMIT_EXCEEDED count as failures', async () => {
    const c = client({ retry: false, circuitBreaker: { failureThreshold: 2, openMs: 200 }, transport: { headersTimeoutMs: 200 } });
    sim.faults.add({ route: /\/describe$/, delayMs: 1500, status: 200, body: {}, times: 1 });
    sim.faults.add({ route: /\/describe$/, status: 403, times: 1 });
    await expect(c.describe('Account')).rejects.toBeInstanceOf(TimeoutError);
    await expect(c.describe('Account')).rejects.toBeInstanceOf(LimitError);
    expect(c.circuitState()).toBe('open');
    await new Promise((r) => setTimeout(r, 250));
    sim.faults.add({ route: /\/describe$/, status: 500, times: 1 });
    await expect(c.describe('Account')).rejects.toBeInstanceOf(ServerError);
    expect(c.circuitState()).toBe('open');
    await expect(c.describe('Account')).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('keeps one circuit per origin, also when one origin is a prefix of another', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 60_000 });
    const failing = new Set(['http://127.0.0.1:1234']);
    const dispatch = circuitBreakerInterceptor(breaker)(async (request) => {
      const origin = new URL(request.url).origin;
      return { status: failing.has(origin) ? 503 : 200, headers: {}, body: Buffer.alloc(0), url: request.url };
    });
    const req = (url: string) => ({ method: 'GET' as const, url, headers: {}, idempotent: true });
    await dispatch(req('http://127.0.0.1:1234/a'));
    expect(breaker.state('http://127.0.0.1:1234')).toBe('open');
    // Same leading characters, another port: its own (closed) circuit.
    await expect(dispatch(req('http://127.0.0.1:12345/a'))).resolves.toHaveProperty('status', 200);
    expect(breaker.state('http://127.0.0.1:12345')).toBe('closed');
    await expect(dispatch(req('http://127.0.0.1:1234/b'))).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(dispatch(req('http://127.0.0.1:12345/b'))).resolves.toHaveProperty('status', 200);
  });

  it('4xx answers such as NOT_FOUND do not open the circuit', async () => {
    const c = client({ retry: false, circuitBreaker: { failureThreshold: 2, openMs: 10_000 } });
    for (let i = 0; i < 4; i++) await expect(c.describe('Nope__c')).rejects.toThrow();
    expect(c.circuitState()).toBe('closed');
  });
});

describe('API limits', () => {
  it('parses api-usage and per-app-api-usage', () => {
    const u = parseLimitInfo('api-usage=10018/100000; per-app-api-usage=17/250(appName=sample-connected-app)')!;
    expect(u.used).toBe(10018);
    expect(u.max).toBe(100000);
    expect(u.app).toEqual({ name: 'sample-connected-app', used: 17, max: 250, ratio: 17 / 250 });
    expect(parseLimitInfo('api-bursts=1/750')).toBeUndefined();
  });

  it('tracks usage from every answer, warns once past the threshold, and reads /limits', async () => {
    const warnings: unknown[] = [];
    const events = listen<LimitWarningMessage>(CHANNELS.limitWarning);
    const max = sim.apiUsage().max;
    const c = client({ limits: { warnAt: Math.min(1, (sim.apiUsage().used + 3) / max), onWarning: (u) => warnings.push(u) } });
    expect(c.apiUsage()).toBeUndefined();
    await c.describe('Account');
    expect(c.apiUsage()?.max).toBe(max);
    expect(c.apiUsage()?.used).toBe(sim.apiUsage().used);
    for (let i = 0; i < 5; i++) await c.describe('Account');
    events.stop();
    expect(warnings).toHaveLength(1);
    expect(events.messages).toHaveLength(1);
    const limits = await c.limits();
    expect(limits.DailyApiRequests?.Max).toBe(max);
    expect(c.apiUsage()?.source).toBe('limits');
  });

  it('the optional throttle refuses calls before the daily limit is hit, without sending them', async () => {
    const c = client({ limits: { warnAt: 1, throttle: { refuseAt: 0.000001 } } });
    await c.describe('Account'); // learns the usage
    sim.resetStats();
    const err = await c.describe('Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).errorCode).toBe('CLIENT_THROTTLED');
    expect(sim.stats().requests).toBe(0);
  });

  it('the optional throttle slows calls above slowAt', async () => {
    const c = client({ limits: { warnAt: 1, throttle: { slowAt: 0.000001, delayMs: 300 } } });
    await c.describe('Account');
    const started = Date.now();
    await c.describe('Account');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
