import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, NetworkError, TimeoutError, AbortedError } from '../../../runtime/errors.js';
import { createHttpTransport } from '../../../runtime/transport/http.js';
import { assertSecureUrl, isLoopbackHost } from '../../../runtime/transport/security.js';
import { json, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const get = (url: string) => ({ method: 'GET' as const, url, headers: {}, idempotent: true });

describe('HTTPS enforcement', () => {
  it('recognizes loopback hosts only', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.10.20.30')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.evil.com')).toBe(false);
    expect(isLoopbackHost('localhost.evil.com')).toBe(false);
  });

  it('refuses plain HTTP to a remote host even with allowInsecureLoopback', async () => {
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    await expect(transport.dispatch(get('http://example.com/services/data'))).rejects.toThrow(ConfigError);
    await expect(transport.dispatch(get('http://example.com/services/data'))).rejects.toThrow(/must use HTTPS/);
    await transport.close();
  });

  it('refuses plain HTTP to loopback without the explicit option, with a clear message', async () => {
    const transport = createHttpTransport();
    await expect(transport.dispatch(get(`${server.url}/x`))).rejects.toThrow(/allowInsecureLoopback: true/);
    expect(() => assertSecureUrl('ftp://x', true, 'loginUrl')).toThrow(/loginUrl must be an https/);
    await transport.close();
  });
});

describe('undici transport', () => {
  it('keeps connections alive across sequential requests', async () => {
    server.handle((_req, res) => json(res, 200, { ok: true }));
    const before = server.connections;
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    for (let i = 0; i < 30; i++) {
      const res = await transport.dispatch(get(`${server.url}/k${i}`));
      expect(res.status).toBe(200);
    }
    // undici may open a second socket while the first one is finishing a response; never one per request.
    expect(server.connections - before).toBeLessThanOrEqual(2);
    await transport.close();
  });

  it('checks every new origin even right after a request to a known one (the origin cache is exact)', async () => {
    server.handle((_req, res) => json(res, 200, { ok: true }));
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    await expect(transport.dispatch(get(`${server.url}/first`))).resolves.toHaveProperty('status', 200);
    // Same leading characters, then userinfo: the host is example.com, which is not loopback.
    await expect(transport.dispatch(get(`${server.url}@example.com/x`))).rejects.toThrow(ConfigError);
    await expect(transport.dispatch(get(`${server.url}/second`))).resolves.toHaveProperty('status', 200);
    // Another server: its own origin, not mistaken for the cached one.
    const other = await startServer((_req, res) => json(res, 200, { other: true }));
    const res = await transport.dispatch(get(`${other.url}/x`));
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ other: true });
    const back = await transport.dispatch(get(`${server.url}/y`));
    expect(JSON.parse(back.body.toString('utf8'))).toEqual({ ok: true });
    await other.close();
    await transport.close();
  });

  it('hands over response headers lower-cased, a repeated header joined, and sends the request headers with the token', async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    server.handle((req, res) => {
      seen = req.headers;
      res.setHeader('X-Repeated', ['a', 'b']);
      res.setHeader('Sforce-Limit-Info', 'api-usage=1/100');
      json(res, 200, { ok: true });
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const headers = { accept: 'application/json', 'x-custom': 'kept' };
    const res = await transport.dispatch({ ...get(`${server.url}/h`), headers, authorization: 'Bearer T0K' });
    expect(res.headers['x-repeated']).toBe('a, b');
    expect(res.headers['sforce-limit-info']).toBe('api-usage=1/100');
    expect(Object.keys(res.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(seen).toMatchObject({ accept: 'application/json', 'x-custom': 'kept', authorization: 'Bearer T0K', 'accept-encoding': 'gzip' });
    // The caller's header map is never written to (the token only travels in the sent copy).
    expect(headers).toEqual({ accept: 'application/json', 'x-custom': 'kept' });
    await transport.close();
  });

  it('asks for gzip and decodes it, whole and streamed', async () => {
    server.handle((req, res) => {
      expect(req.headers['accept-encoding']).toBe('gzip');
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ hello: 'world'.repeat(100) })));
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const whole = await transport.dispatch(get(`${server.url}/gz`));
    expect(JSON.parse(whole.body.toString()).hello).toHaveLength(500);
    expect(whole.headers['content-encoding']).toBeUndefined();
    const streamed = await transport.dispatch({ ...get(`${server.url}/gz`), responseType: 'stream' });
    const chunks: Buffer[] = [];
    for await (const c of streamed.stream!) chunks.push(c as Buffer);
    expect(JSON.parse(Buffer.concat(chunks).toString()).hello).toHaveLength(500);
    await transport.close();
  });

  it('maps a headers timeout to TimeoutError that reached the server', async () => {
    server.handle((_req, res) => {
      setTimeout(() => json(res, 200, {}), 3000).unref();
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true, headersTimeoutMs: 200 });
    const err = await transport.dispatch(get(`${server.url}/slow`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).reachedServer).toBe(true);
    expect((err as TimeoutError).code).toBe('SF_TIMEOUT');
    expect((err as TimeoutError).message).toContain('GET /slow');
    await transport.close();
  });

  it('maps a refused connection to a NetworkError that provably never reached the server', async () => {
    const dead = await startServer();
    const url = dead.url;
    await dead.close();
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const err = await transport.dispatch(get(`${url}/x`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).reachedServer).toBe(false);
    expect((err as NetworkError).causeCode).toBe('ECONNREFUSED');
    await transport.close();
  });

  it('maps a reset connection to a NetworkError that may have reached the server', async () => {
    server.handle((_req, res) => {
      res.socket?.destroy();
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const err = await transport.dispatch({ method: 'POST', url: `${server.url}/reset`, headers: {}, body: '{}', idempotent: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).reachedServer).toBe(true);
    await transport.close();
  });

  it('aborts with AbortedError', async () => {
    server.handle((_req, res) => {
      setTimeout(() => json(res, 200, {}), 1000);
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(transport.dispatch({ ...get(`${server.url}/abort`), signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    await transport.close();
  });

  it('does not send a request whose signal is already aborted', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const before = server.requests.length;
    const controller = new AbortController();
    controller.abort();
    await expect(transport.dispatch({ ...get(`${server.url}/pre-aborted`), signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(server.requests.length).toBe(before);
    await transport.close();
  });

  it('aborts a response whose body is still arriving, and removes its abort listener after a normal answer', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"slow":');
      setTimeout(() => res.end('true}'), 1000);
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(transport.dispatch({ ...get(`${server.url}/slow-body`), signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(900);

    server.handle((_req, res) => json(res, 200, { ok: true }));
    const kept = new AbortController();
    const res = await transport.dispatch({ ...get(`${server.url}/fast`), signal: kept.signal });
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ ok: true });
    kept.abort(); // after the answer: nothing left to cancel, nothing thrown
    await transport.close();
  });

  it('reads a body written in many chunks, and decodes deflate', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ Id: `001${String(i).padStart(15, '0')}`, Name: `Account ${i}` }));
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const text = JSON.stringify({ records: rows });
      for (let i = 0; i < text.length; i += 4096) res.write(text.slice(i, i + 4096));
      res.end();
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const res = await transport.dispatch(get(`${server.url}/chunks`));
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ records: rows });
    server.handle((_req, res2) => {
      res2.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'deflate' });
      res2.end(deflateSync(JSON.stringify({ deflated: true })));
    });
    const deflated = await transport.dispatch(get(`${server.url}/deflate`));
    expect(JSON.parse(deflated.body.toString('utf8'))).toEqual({ deflated: true });
    expect(deflated.headers['content-encoding']).toBeUndefined();
    await transport.close();
  });

  it('uses up to 20 connections per origin by default', async () => {
    let open = 0;
    let peak = 0;
    server.handle((_req, res) => {
      open++;
      peak = Math.max(peak, open);
      setTimeout(() => {
        open--;
        json(res, 200, {});
      }, 50);
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    await Promise.all(Array.from({ length: 40 }, (_, i) => transport.dispatch(get(`${server.url}/p${i}`))));
    expect(peak).toBe(20);
    await transport.close();
  });
});

describe('streamed bodies through the client', () => {
  it('streams a gzip-encoded blob decompressed, and maps an error status to a typed error', async () => {
    const { createClient } = await import('../../../runtime/client.js');
    const blob = Buffer.alloc(3_000_000, 7);
    server.handle((req, res) => {
      if (req.url.endsWith('/Missing/Body')) return json(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      res.writeHead(200, { 'content-type': 'application/octetstream', 'content-encoding': 'gzip' });
      res.end(gzipSync(blob));
    });
    const client = createClient({ auth: { accessToken: 'stream-token-123', instanceUrl: server.url }, allowInsecureLoopback: true });
    const res = await client.requestStream({ method: 'GET', path: 'sobjects/Attachment/00P000000000001AAA/Body' });
    let size = 0;
    let chunks = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      chunks++;
    }
    expect(size).toBe(blob.length);
    expect(chunks).toBeGreaterThan(1);
    await expect(client.requestStream({ method: 'GET', path: 'sobjects/Attachment/Missing/Body' })).rejects.toMatchObject({ code: 'SF_NOT_FOUND', status: 404 });
    await client.close();
  });
});

describe('lifecycle', () => {
  it('a transport closed before its first request refuses requests afterwards (undici is loaded lazily)', async () => {
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    await transport.close();
    await transport.close(); // twice is harmless
    await expect(transport.dispatch(get(`${server.url}/x`))).rejects.toThrow(NetworkError);
  });

  it('closing while the first request is under way lets it settle, and refuses the next', async () => {
    server.handle((_req, res) => {
      setTimeout(() => json(res, 200, { ok: true }), 50);
    });
    const transport = createHttpTransport({ allowInsecureLoopback: true });
    const first = transport.dispatch(get(`${server.url}/slow`));
    const closing = transport.close();
    const settled = await first.then((r) => r.status, (e: Error) => e.name);
    expect([200, 'NetworkError']).toContain(settled);
    await closing;
    await expect(transport.dispatch(get(`${server.url}/slow`))).rejects.toThrow(NetworkError);
  });
});

