/**
 * A fault-injecting HTTP proxy on 127.0.0.1, between a client and the org simulator: independent
 * of both (it neither imports the runtime nor asks the simulator to misbehave), so what it tests
 * is what a real network and the gateways in front of Salesforce do to a client.
 *
 * Each data request (OAuth token requests pass untouched) is numbered from when a plan was set;
 * the planned request gets the planned fault, and with `sticky` every later request with the same
 * method, path and body (its retries) gets it too. Every request is recorded: whether it reached
 * the simulator, and its body's hash, so a test can count how often a write was really processed.
 */
import { createHash } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy can do to a request. "before": the simulator never sees it; "after": it was processed. */
export type FaultKind =
  /** The connection is dropped before the request is forwarded. */
  | 'reset-before'
  /** The request is processed, then the connection is dropped instead of answering. */
  | 'reset-after'
  /** 503 SERVER_UNAVAILABLE with `Retry-After: 0`, not forwarded. */
  | 'unavailable-503'
  /** A gateway's HTML 500 page, not forwarded. */
  | 'html-500'
  /** The request is processed, then a gateway's HTML 504 page is answered. */
  | 'gateway-504-after'
  /** 401 INVALID_SESSION_ID, not forwarded (the client should refresh its token and replay). */
  | 'session-401'
  /** 403 REQUEST_LIMIT_EXCEEDED (a concurrency limit), not forwarded. */
  | 'limit-403'
  /** No answer at all, not forwarded: the connection stays open until the client gives up. */
  | 'stall'
  /** The request is processed; the answer's body is cut in half and delimited by closing the connection (no Content-Length). */
  | 'truncate'
  /** A 500 whose error message echoes the request's bearer token, not forwarded. */
  | 'echo-secret';

export const FAULT_KINDS: readonly FaultKind[] = [
  'reset-before', 'reset-after', 'unavailable-503', 'html-500', 'gateway-504-after', 'session-401', 'limit-403', 'stall', 'truncate', 'echo-secret',
];

export interface FaultPlan {
  readonly kind: FaultKind;
  /** 1-based number of the data request to fault, counted from when the plan was set. */
  readonly at: number;
  /** Also fault every later request with the same method, path and body (the retries of that request). */
  readonly sticky: boolean;
  /** With `sticky`: what the retries get instead of `kind` (a reset, then a 500 page). */
  readonly retryKind?: FaultKind | undefined;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly bodyHash: string;
  /** Whether the simulator received it. */
  readonly forwarded: boolean;
  readonly fault: FaultKind | undefined;
}

export interface FaultProxy {
  readonly url: string;
  /** Data requests since the last `plan()`. */
  readonly requests: readonly ProxiedRequest[];
  /** Bearer tokens seen on requests (to check that none leaks into what the client reports). */
  readonly tokens: ReadonlySet<string>;
  /** Sets the fault plan (or none) and starts counting (and recording) requests afresh. */
  plan(plan: FaultPlan | undefined): void;
  /** The network heals: no more faults, the record of requests is kept. */
  heal(): void;
  close(): Promise<void>;
}

const HTML_PAGE = (status: number, title: string): string =>
  `<!DOCTYPE html><html><head><title>${status} ${title}</title></head><body><h1>${title}</h1><p>The server encountered a problem.</p></body></html>`;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Starts a proxy in front of `target` (the simulator's base URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const sockets = new Set<Socket>();
  const stalled = new Set<ServerResponse>();
  let current: FaultPlan | undefined;
  let count = 0;
  let stickyKey: string | undefined;
  let requests: ProxiedRequest[] = [];
  const tokens = new Set<string>();
  let selfUrl = '';

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host };
      delete headers['content-length'];
      if (body.length > 0) headers['content-length'] = String(body.length);
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });

  const answer = (res: ServerResponse, up: Upstream): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) {
      if (v === undefined || k === 'connection' || k === 'keep-alive' || k === 'transfer-encoding' || k === 'content-length') continue;
      headers[k] = v;
    }
    headers['content-length'] = String(up.body.length);
    res.writeHead(up.status, headers);
    res.end(up.body);
  };

  const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(Buffer.byteLength(text)), ...extra });
    res.end(text);
  };
  const html = (res: ServerResponse, status: number, title: string): void => {
    const text = HTML_PAGE(status, title);
    res.writeHead(status, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const path = req.url ?? '/';
    if (path.startsWith('/services/oauth2/')) {
      // Token requests pass; the instance URL the simulator names is replaced by the proxy's own.
      const up = await forward(req, body);
      answer(res, { ...up, body: Buffer.from(up.body.toString('utf8').split(target).join(selfUrl)) });
      return;
    }
    const method = req.method ?? 'GET';
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) tokens.add(auth.slice(7));
    const bodyHash = createHash('sha1').update(body).digest('hex');
    const key = `${method} ${path} ${bodyHash}`;
    count++;
    let fault: FaultKind | undefined;
    if (current !== undefined && count === current.at) {
      fault = current.kind;
      if (current.sticky) stickyKey = key;
    } else if (current !== undefined && current.sticky && stickyKey === key) {
      fault = current.retryKind ?? current.kind;
    }
    const forwarded = fault === undefined || fault === 'reset-after' || fault === 'gateway-504-after' || fault === 'truncate';
    requests.push({ method, path, bodyHash, forwarded, fault });
    if (fault === undefined) {
      answer(res, await forward(req, body));
      return;
    }
    switch (fault) {
      case 'reset-before':
        req.socket.destroy();
        return;
      case 'unavailable-503':
        json(res, 503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }], { 'retry-after': '0' });
        return;
      case 'html-500':
        html(res, 500, 'Internal Server Error');
        return;
      case 'session-401':
        json(res, 401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
        return;
      case 'limit-403':
        json(res, 403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded' }]);
        return;
      case 'echo-secret':
        json(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: `could not serve ${path} for ${String(auth)} (session ${String(auth).slice(7)})` }]);
        return;
      case 'stall':
        // Held until the client gives up and closes the connection (or the proxy closes).
        stalled.add(res);
        res.on('close', () => stalled.delete(res));
        return;
      case 'reset-after': {
        await forward(req, body);
        req.socket.destroy();
        return;
      }
      case 'gateway-504-after': {
        await forward(req, body);
        html(res, 504, 'Gateway Timeout');
        return;
      }
      case 'truncate': {
        const up = await forward(req, body);
        const cut = up.body.subarray(0, Math.floor(up.body.length / 2));
        const socket = req.socket;
        // A close-delimited answer: no Content-Length, no chunking; the body ends when the connection does.
        socket.write(`HTTP/1.1 ${up.status} OK\r\ncontent-type: application/json;charset=UTF-8\r\nconnection: close\r\n\r\n`);
        socket.write(cut);
        socket.end();
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  selfUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: selfUrl,
    get requests() {
      return requests;
    },
    tokens,
    plan(plan) {
      current = plan;
      count = 0;
      stickyKey = undefined;
      requests = [];
    },
    heal() {
      current = undefined;
      stickyKey = undefined;
    },
    close() {
      for (const res of stalled) res.destroy();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Requests that create something each time they are processed (never safe to process twice). */
export function isNonIdempotent(request: Pick<ProxiedRequest, 'method' | 'path'>): boolean {
  if (request.method !== 'POST') return false;
  const path = request.path.replace(/\?.*$/, '');
  return /\/sobjects\/[A-Za-z0-9_]+$/.test(path) && !/\/composite\/sobjects\/[A-Za-z0-9_]+$/.test(path)
    || /\/composite\/sobjects$/.test(path)
    || /\/composite(?:\/graph)?$/.test(path);
}

/** Non-idempotent requests the simulator processed more than once (same path and body). */
export function resentWrites(requests: readonly ProxiedRequest[]): number {
  const seen = new Map<string, number>();
  let resent = 0;
  for (const r of requests) {
    if (!r.forwarded || !isNonIdempotent(r)) continue;
    const key = `${r.method} ${r.path} ${r.bodyHash}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 1) resent++;
  }
  return resent;
}
