/**
 * The undici transport: the only module that imports undici. One undici `Agent` per client keeps
 * one connection `Pool` per origin (the Salesforce instance, the login host), with keep-alive and
 * timeouts whose defaults sit in {@link DEFAULT_TRANSPORT}. Responses are decompressed (gzip,
 * deflate) and either read whole or handed over as a stream.
 *
 * Whole bodies (every JSON call) are collected by a {@link WholeResponse} dispatch handler straight
 * from undici's parser: no body stream is built for them, which is most of what a single GET costs
 * on the client beyond undici itself. Streamed bodies use `agent.request()`.
 *
 * undici is loaded by the first request, not with this module: a client that never makes one (a
 * Pub/Sub subscriber given an access token) does not pay its ~20 MB of memory.
 */
import type { Agent, Dispatcher } from 'undici';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { createGunzip, createInflate, gunzip, inflate } from 'node:zlib';
import { AbortedError, ConfigError, NetworkError, TimeoutError, safePath } from '../errors.js';
import { channels } from '../diagnostics.js';
import { assertSecureUrl, extraCaCertificates } from './security.js';
import type { Dispatch, SfRequest, SfResponse } from './types.js';

/** Transport options; every one has a default in {@link DEFAULT_TRANSPORT}. */
export interface TransportOptions {
  /** Connections per origin. */
  connections?: number;
  /** How long an idle keep-alive connection is kept (ms). */
  keepAliveTimeoutMs?: number;
  /** Upper bound for a server-suggested keep-alive (ms). */
  keepAliveMaxTimeoutMs?: number;
  /** TCP + TLS connect timeout (ms). */
  connectTimeoutMs?: number;
  /** Time to receive the response headers (ms); Salesforce queries can take up to 120 s. */
  headersTimeoutMs?: number;
  /** Maximum silence while receiving the body (ms). */
  bodyTimeoutMs?: number;
  /** Ask for gzip and decode it. */
  compression?: boolean;
  /** Allow plain HTTP to 127.0.0.0/8, ::1 and localhost (the simulator). */
  allowInsecureLoopback?: boolean;
  /**
   * Extra trusted CA certificate(s), PEM (several may be concatenated), added to Node's root
   * certificates and `NODE_EXTRA_CA_CERTS`: a corporate TLS proxy, or the simulator over HTTPS
   * (`sim.caPem`). `''` (default): the usual roots only.
   */
  caPem?: string;
}

/** Visible defaults of the transport. */
export const DEFAULT_TRANSPORT: Required<TransportOptions> = {
  connections: 20,
  keepAliveTimeoutMs: 30_000,
  keepAliveMaxTimeoutMs: 600_000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 120_000,
  bodyTimeoutMs: 120_000,
  compression: true,
  allowInsecureLoopback: false,
  caPem: '',
};

/** The transport: a `Dispatch` plus lifecycle. */
export interface HttpTransport {
  readonly dispatch: Dispatch;
  readonly options: Readonly<Required<TransportOptions>>;
  /** Closes every pooled connection (waits for in-flight requests). */
  close(): Promise<void>;
}

// Nothing was sent: no connection, or a server certificate the client refused during the handshake.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps an undici/system error to the runtime's errors. */
export function toNetworkError(err: unknown, request: { method: string; path: string }, signal?: AbortSignal): Error {
  if (err instanceof NetworkError || err instanceof AbortedError) return err;
  const name = (err as { name?: unknown } | null)?.name;
  const code = errorCode(err);
  if (signal?.aborted || name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
    return new AbortedError({ message: 'request aborted', request, cause: signal?.reason ?? err });
  }
  const reachedServer = code === undefined || !NOT_SENT_CODES.has(code);
  const Cls = code !== undefined && TIMEOUT_CODES.has(code) ? TimeoutError : NetworkError;
  const detail = err instanceof Error ? err.message : String(err);
  return new Cls({ message: `network error ${code ?? ''}: ${detail}`.replace('  ', ' '), request, cause: err, reachedServer, causeCode: code });
}

/**
 * Response headers as one string per name. undici already lower-cases names; only repeated headers
 * (arrays) need joining, so the object is fixed up in place instead of copied per response.
 */
function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const key in raw) {
    const value = raw[key];
    if (typeof value !== 'string') {
      if (Array.isArray(value)) raw[key] = value.join(', ');
      else delete raw[key];
    }
  }
  return raw as Record<string, string>;
}

function decoder(encoding: string | undefined): ((source: Readable) => Readable) | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return (source) => source.pipe(createGunzip());
  if (encoding === 'deflate') return (source) => source.pipe(createInflate());
  return undefined;
}

/** Decompresses a whole body (off the main thread, like the streaming decoders). */
function decodeWhole(encoding: string, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, out: Buffer): void => (err ? reject(err) : resolve(out));
    if (encoding === 'deflate') inflate(body, done);
    else gunzip(body, done);
  });
}

type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * An undici dispatch handler that collects one whole response: status, headers (parsed by undici,
 * lower-cased) and the body chunks. Honours the request's abort signal like `agent.request()` does:
 * an abort before the request is written cancels it when it would be; after, it aborts the exchange.
 */
class WholeResponse implements Dispatcher.DispatchHandler {
  status = 0;
  headers: RawHeaders = {};
  readonly chunks: Buffer[] = [];
  readonly #resolve: (response: WholeResponse) => void;
  readonly #reject: (error: unknown) => void;
  readonly #signal: AbortSignal | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #onAbort: (() => void) | undefined;

  constructor(resolve: (response: WholeResponse) => void, reject: (error: unknown) => void, signal: AbortSignal | undefined) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    if (signal !== undefined) {
      this.#onAbort = () => this.#controller?.abort(abortReason(signal));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#signal?.aborted) controller.abort(abortReason(this.#signal));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: RawHeaders): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.#release();
    this.#resolve(this);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#release();
    this.#reject(error);
  }

  #release(): void {
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

/** Removes `content-encoding`/`content-length` and decodes when the body is compressed. */
function decodeBody(headers: Record<string, string>, body: Buffer): Buffer | Promise<Buffer> {
  const encoding = headers['content-encoding'];
  if (encoding === undefined || decoder(encoding) === undefined) return body;
  delete headers['content-encoding'];
  delete headers['content-length'];
  return body.length === 0 ? body : decodeWhole(encoding, body);
}

const EMPTY = Buffer.alloc(0);

let nextRequestId = 0;

/**
 * Creates the undici transport.
 *
 * @example
 * ```ts
 * const transport = createHttpTransport({ allowInsecureLoopback: true });
 * const res = await transport.dispatch({ method: 'GET', url: 'http://127.0.0.1:8080/services/data', headers: {}, idempotent: true });
 * await transport.close();
 * ```
 */
export function createHttpTransport(options: TransportOptions = {}): HttpTransport {
  const resolved: Required<TransportOptions> = { ...DEFAULT_TRANSPORT, ...stripUndefined(options) };
  // Checked now (a bad CA fails when the client is made), used when the agent is.
  const ca = resolved.caPem !== '' ? trustedRoots(resolved.caPem) : undefined;
  let agentLoading: Promise<Agent> | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  const loadAgent = (): Promise<Agent> => {
    // A request after close() gets a closed agent: it fails as it did on a closed client.
    const afterClose = closed;
    return (agentLoading ??= import('undici').then(({ Agent: UndiciAgent }) => {
      const created = new UndiciAgent({
        connections: resolved.connections,
        keepAliveTimeout: resolved.keepAliveTimeoutMs,
        keepAliveMaxTimeout: resolved.keepAliveMaxTimeoutMs,
        headersTimeout: resolved.headersTimeoutMs,
        bodyTimeout: resolved.bodyTimeoutMs,
        connect: { timeout: resolved.connectTimeoutMs, ...(ca !== undefined && { ca }) },
      });
      if (afterClose) void created.close();
      return created;
    }));
  };

  // Origins already checked by assertSecureUrl: the hot path splits the URL with string operations.
  const secureOrigins = new Set<string>();
  // The origin of the previous request as written in its URL, and lower-cased.
  let lastPrefix = '';
  let lastOrigin = '';

  // Per request: no closures, no copies of the caller's header map beyond the one object undici
  // reads, and diagnostics messages only when someone subscribed.
  const compression = resolved.compression;
  let agentNow: Agent | undefined;
  const dispatch: Dispatch = async (request: SfRequest): Promise<SfResponse> => {
    const url = request.url;
    let origin: string;
    let path: string;
    if (lastPrefix !== '' && url.startsWith(lastPrefix) && url.charCodeAt(lastPrefix.length) === 47 /* '/' */) {
      // Same origin as the previous request (already checked): only the path is cut out.
      origin = lastOrigin;
      path = url.slice(lastPrefix.length);
    } else {
      const split = splitUrl(url);
      origin = split.origin;
      path = split.path;
      if (!secureOrigins.has(origin)) {
        assertSecureUrl(url, resolved.allowInsecureLoopback, 'request URL');
        secureOrigins.add(origin);
      }
      if (path !== '/' || url.endsWith('/')) {
        lastPrefix = url.slice(0, url.length - path.length);
        lastOrigin = origin;
      }
    }
    const agent = agentNow ?? (agentNow = await loadAgent());
    const source = request.headers;
    const headers: Record<string, string> = {};
    for (const key in source) headers[key] = source[key] as string;
    if (request.authorization !== undefined) headers.authorization = request.authorization;
    if (compression && source['accept-encoding'] === undefined) headers['accept-encoding'] = 'gzip';
    const observed = channels.requestStart.hasSubscribers || channels.requestEnd.hasSubscribers || channels.requestError.hasSubscribers;
    const started = observed ? performance.now() : 0;
    const base = observed ? { id: ++nextRequestId, method: request.method, url: origin + safePath(path), operation: request.operation, sobject: request.sobject } : undefined;
    if (base && channels.requestStart.hasSubscribers) channels.requestStart.publish(base);
    try {
      let response: SfResponse;
      if (request.responseType === 'stream') {
        const res = await agent.request({
          origin,
          path,
          method: request.method as Dispatcher.HttpMethod,
          headers,
          body: request.body ?? null,
          signal: request.signal,
        });
        const responseHeaders = flattenHeaders(res.headers);
        if (res.statusCode >= 400) {
          // An error answer is read whole: the error mapping needs its text.
          const whole = Buffer.from(await res.body.arrayBuffer());
          response = { status: res.statusCode, headers: responseHeaders, body: await decodeBody(responseHeaders, whole), url };
        } else {
          const decode = decoder(responseHeaders['content-encoding']);
          if (decode) {
            delete responseHeaders['content-encoding'];
            delete responseHeaders['content-length'];
          }
          response = { status: res.statusCode, headers: responseHeaders, body: EMPTY, stream: decode ? decode(res.body) : res.body, url };
        }
      } else {
        const signal = request.signal;
        if (signal?.aborted) throw abortReason(signal);
        const res = await new Promise<WholeResponse>((resolve, reject) => {
          agent.dispatch(
            { origin, path, method: request.method as Dispatcher.HttpMethod, headers, body: request.body ?? null },
            new WholeResponse(resolve, reject, signal),
          );
        });
        const responseHeaders = flattenHeaders(res.headers);
        const chunks = res.chunks;
        const raw = chunks.length === 1 ? (chunks[0] as Buffer) : chunks.length === 0 ? EMPTY : Buffer.concat(chunks);
        const decoded = decodeBody(responseHeaders, raw);
        // No `await` (and no extra microtask) for the common uncompressed body.
        response = { status: res.status, headers: responseHeaders, body: decoded instanceof Buffer ? decoded : await decoded, url };
      }
      if (base && channels.requestEnd.hasSubscribers) {
        channels.requestEnd.publish({ ...base, status: response.status, durationMs: performance.now() - started });
      }
      return response;
    } catch (err) {
      const mapped = toNetworkError(err, { method: request.method, path: safePath(path) }, request.signal);
      if (base && channels.requestError.hasSubscribers) {
        channels.requestError.publish({ ...base, error: mapped.message, code: (mapped as { code?: string }).code ?? 'SF_NETWORK', durationMs: performance.now() - started });
      }
      throw mapped;
    }
  };

  return {
    dispatch,
    options: resolved,
    close: () => (closing ??= (async () => {
      closed = true;
      if (agentLoading !== undefined) await (await agentLoading).close();
    })()),
  };
}

/**
 * Node's root certificates, those of `NODE_EXTRA_CA_CERTS` (which a `ca` option would otherwise
 * replace) and `caPem`.
 */
function trustedRoots(caPem: string): string[] {
  if (typeof caPem !== 'string' || !caPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError({ message: 'transport.caPem holds no PEM certificate (-----BEGIN CERTIFICATE-----)' });
  }
  const extra = extraCaCertificates();
  return [...rootCertificates, ...(extra !== '' ? [extra] : []), caPem];
}

/** Splits an absolute URL into origin and path+query; throws ConfigError (via assertSecureUrl) when it is not absolute. */
function splitUrl(url: string): { origin: string; path: string } {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) {
    assertSecureUrl(url, false, 'request URL'); // throws a clear error
    return { origin: url, path: '/' };
  }
  const pathStart = url.indexOf('/', schemeEnd + 3);
  return pathStart < 0 ? { origin: url.toLowerCase(), path: '/' } : { origin: url.slice(0, pathStart).toLowerCase(), path: url.slice(pathStart) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}
