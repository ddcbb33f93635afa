/**
 * The gRPC channel for the Pub/Sub API: the only module of the runtime that imports
 * `@grpc/grpc-js`. It is reached only through the `sfgen/pubsub` subpath, so a REST-only
 * application never loads it.
 *
 * - TLS with Node's default trust plus an optional extra CA (a corporate proxy, the local simulator);
 *   plain text only to a loopback address and only when asked for.
 * - HTTP/2 keepalive pings, so a dead connection is noticed even while the server owes nothing.
 * - A bounded connect: {@link GrpcChannel.ready} waits at most `connectTimeoutMs`.
 * - Per-call metadata (the Pub/Sub API's `accesstoken`, `instanceurl`, `tenantid`) is built by the
 *   caller for every call; this module never sees where tokens come from.
 * - Messages are (de)serialized by functions the caller passes (the Pub/Sub wire codec), so no
 *   `.proto` file is read at run time.
 *
 * Each channel has its own connection (a local subchannel pool): replacing a channel after a
 * silent stream really opens a new TCP/TLS connection instead of reusing the half-open one.
 */
import * as grpc from '@grpc/grpc-js';
import { createSecureContext, rootCertificates } from 'node:tls';
import { ConfigError } from '../errors.js';
import { extraCaCertificates, isLoopbackHost } from './security.js';

/** Options of {@link createGrpcChannel}; defaults in {@link DEFAULT_GRPC}. */
export interface GrpcChannelOptions {
  /** `host:port` of the server, e.g. `api.pubsub.salesforce.com:7443`. */
  readonly endpoint: string;
  /** Extra trusted CA certificate(s), PEM, added to what Node trusts by default (bundled roots, NODE_EXTRA_CA_CERTS). */
  readonly caPem?: string | Buffer | undefined;
  /** Plain text instead of TLS: only to a loopback host and with `allowInsecureLoopback`. */
  readonly plaintext?: boolean | undefined;
  readonly allowInsecureLoopback?: boolean | undefined;
  /** Name checked against the server certificate when it differs from the endpoint host. */
  readonly tlsServerName?: string | undefined;
  /** HTTP/2 ping interval (ms). */
  readonly keepaliveTimeMs?: number | undefined;
  /** How long a ping may stay unanswered before the connection is dropped (ms). */
  readonly keepaliveTimeoutMs?: number | undefined;
  /** Upper bound of a connect (TCP + TLS + HTTP/2 settings) in {@link GrpcChannel.ready} (ms). */
  readonly connectTimeoutMs?: number | undefined;
  /** Largest message accepted (bytes). */
  readonly maxReceiveMessageBytes?: number | undefined;
}

/** Visible defaults of the gRPC channel. */
export const DEFAULT_GRPC = {
  keepaliveTimeMs: 60_000,
  keepaliveTimeoutMs: 20_000,
  connectTimeoutMs: 15_000,
  /** Salesforce sends FetchResponses of up to 100 events of at most 1 MB each. */
  maxReceiveMessageBytes: 128 * 1024 * 1024,
} as const;

/** gRPC status codes (the subset the Pub/Sub client branches on, plus the rest by number). */
export const GrpcStatus = grpc.status;
export type GrpcStatusCode = grpc.status;

/** A failed gRPC call, as grpc-js reports it: `code`, `details` and the trailers. */
export interface GrpcCallError extends Error {
  readonly code: number;
  readonly details: string;
  /** Trailer values by lower-case key (`error-code`, `rpc-id`). */
  readonly trailers: Readonly<Record<string, string>>;
}

/** One method: its path and the wire codec of its messages. */
export interface GrpcMethod<Req, Res> {
  /** `/eventbus.v1.PubSub/Subscribe`. */
  readonly path: string;
  readonly encode: (message: Req) => Buffer;
  readonly decode: (bytes: Buffer) => Res;
}

/** A bidirectional stream. Events: `data` (Res), `error` (GrpcCallError), `end`, `status`. */
export interface GrpcDuplexCall<Req, Res> {
  write(message: Req, callback?: (error?: Error | null) => void): boolean;
  end(): void;
  cancel(): void;
  on(event: 'data', listener: (message: Res) => void): this;
  on(event: 'error', listener: (error: GrpcCallError) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'status', listener: (status: { code: number; details: string }) => void): this;
  on(event: 'drain', listener: () => void): this;
  removeAllListeners(): this;
}

/** One channel (one connection) to a gRPC server. */
export interface GrpcChannel {
  readonly endpoint: string;
  /** Resolves once connected; rejects with a `GrpcCallError` (UNAVAILABLE) after `connectTimeoutMs`. */
  ready(): Promise<void>;
  unary<Req, Res>(method: GrpcMethod<Req, Res>, request: Req, metadata: Readonly<Record<string, string>>, deadlineMs: number): Promise<Res>;
  duplex<Req, Res>(method: GrpcMethod<Req, Res>, metadata: Readonly<Record<string, string>>): GrpcDuplexCall<Req, Res>;
  /** Closes the connection; calls still running on it end with CANCELLED or UNAVAILABLE. */
  close(): void;
  readonly closed: boolean;
}

function toMetadata(values: Readonly<Record<string, string>>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(values)) md.set(key, value);
  return md;
}

/** Normalizes grpc-js's ServiceError into {@link GrpcCallError} (trailers flattened). */
export function toCallError(error: unknown): GrpcCallError {
  const e = error as Partial<grpc.ServiceError> & Error;
  const trailers: Record<string, string> = {};
  if (e.metadata instanceof grpc.Metadata) {
    for (const [key, value] of Object.entries(e.metadata.getMap())) trailers[key] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  const out = e as GrpcCallError & { trailers: Record<string, string> };
  if (typeof out.code !== 'number') (out as { code: number }).code = grpc.status.UNKNOWN;
  if (typeof out.details !== 'string') (out as { details: string }).details = e.message ?? 'unknown error';
  out.trailers = trailers;
  return out;
}

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(endpoint.trim());
  if (!m) throw new ConfigError({ message: `Pub/Sub endpoint ${JSON.stringify(endpoint)} is not HOST:PORT (e.g. api.pubsub.salesforce.com:7443)` });
  return { host: m[1] as string, port: Number(m[2]) };
}

/**
 * TLS credentials trusting what Node trusts by default (its bundled roots and the certificates of
 * NODE_EXTRA_CA_CERTS) plus `caPem`. The certificates are added to a context that starts from a
 * copy of Node's bundled root store (X509 objects Node parsed once per process), rather than passed
 * as `ca` with every root certificate as PEM text, which re-parses ~140 certificates for each
 * channel (20-27 ms on a 2-vCPU machine, against ~1.5 ms) and, like any `ca` option, drops
 * NODE_EXTRA_CA_CERTS.
 */
function tlsCredentials(caPem: string | Buffer | undefined): grpc.ChannelCredentials {
  if (caPem === undefined) return grpc.credentials.createSsl();
  const extra = Buffer.isBuffer(caPem) ? caPem.toString('utf8') : caPem;
  if (!extra.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError({ message: 'Pub/Sub CA: caPem holds no PEM certificate (-----BEGIN CERTIFICATE-----)' });
  const pems = [extraCaCertificates(), extra].filter((p) => p !== '');
  const context = createSecureContext();
  const native = (context as { context?: { addCACert?: unknown } }).context;
  if (typeof native?.addCACert !== 'function') {
    // A Node whose secure context has no addCACert: the bundled roots as PEM text, plus the rest.
    return grpc.credentials.createSsl(Buffer.from(`${[...rootCertificates, ...pems].join('\n')}\n`));
  }
  // The first certificate added swaps the context's store for a copy of the bundled roots.
  for (const pem of pems) (native.addCACert as (pem: string) => void).call(native, pem);
  return grpc.credentials.createFromSecureContext(context);
}

/**
 * A channel's transport security (TLS credentials, or plain text to a loopback address), checked
 * and built once: building TLS credentials with an extra CA loads Node's root store (20-30 ms on
 * a 2-vCPU machine), which a client should pay when it is made, not in its first call nor again
 * for each replacement channel.
 */
export class GrpcSecurity {
  /** @internal */
  readonly credentials: grpc.ChannelCredentials;
  /** @internal */
  constructor(credentials: grpc.ChannelCredentials) {
    this.credentials = credentials;
  }
}

/** Checks the endpoint and the plain-text rules and builds the credentials for its channels. */
export function createGrpcSecurity(options: Pick<GrpcChannelOptions, 'endpoint' | 'caPem' | 'plaintext' | 'allowInsecureLoopback'>): GrpcSecurity {
  const { host } = splitEndpoint(options.endpoint);
  if (options.plaintext) {
    if (!isLoopbackHost(host)) {
      throw new ConfigError({ message: `Pub/Sub endpoint ${options.endpoint}: plain text is only allowed to a loopback address; Salesforce traffic must use TLS` });
    }
    if (!options.allowInsecureLoopback) {
      throw new ConfigError({ message: `Pub/Sub endpoint ${options.endpoint}: set allowInsecureLoopback: true to talk to a local simulator without TLS` });
    }
    return new GrpcSecurity(grpc.credentials.createInsecure());
  }
  return new GrpcSecurity(tlsCredentials(options.caPem));
}

/**
 * Opens a channel. Nothing connects until the first call or {@link GrpcChannel.ready}. `security`
 * (from {@link createGrpcSecurity}) lets channels share credentials; without it they are built
 * from `options`, whose `caPem` / `plaintext` / `allowInsecureLoopback` are then not read again.
 *
 * @example
 * ```ts
 * const channel = createGrpcChannel({ endpoint: 'api.pubsub.salesforce.com:7443' });
 * await channel.ready();
 * ```
 */
export function createGrpcChannel(options: GrpcChannelOptions, security: GrpcSecurity = createGrpcSecurity(options)): GrpcChannel {
  const credentials = security.credentials;
  const channelOptions: grpc.ChannelOptions = {
    'grpc.keepalive_time_ms': options.keepaliveTimeMs ?? DEFAULT_GRPC.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? DEFAULT_GRPC.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_GRPC.maxReceiveMessageBytes,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.use_local_subchannel_pool': 1,
    'grpc.enable_retries': 0,
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 10_000,
    ...(options.tlsServerName !== undefined && { 'grpc.ssl_target_name_override': options.tlsServerName, 'grpc.default_authority': options.tlsServerName }),
  };
  const client = new grpc.Client(options.endpoint, credentials, channelOptions);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_GRPC.connectTimeoutMs;
  let closed = false;

  return {
    endpoint: options.endpoint,
    get closed() {
      return closed;
    },
    ready() {
      return new Promise<void>((resolve, reject) => {
        client.waitForReady(Date.now() + connectTimeoutMs, (error) => {
          if (!error) return resolve();
          const err = new Error(`could not connect to ${options.endpoint} within ${connectTimeoutMs} ms: ${error.message}`) as Error & { code: number; details: string };
          err.code = grpc.status.UNAVAILABLE;
          err.details = err.message;
          reject(toCallError(err));
        });
      });
    },
    unary(method, request, metadata, deadlineMs) {
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          method.path,
          method.encode,
          method.decode,
          request,
          toMetadata(metadata),
          { deadline: Date.now() + deadlineMs },
          (error, response) => {
            if (error) reject(toCallError(error));
            else resolve(response as NonNullable<typeof response>);
          },
        );
      });
    },
    duplex(method, metadata) {
      const call = client.makeBidiStreamRequest(method.path, method.encode, method.decode, toMetadata(metadata), {});
      const origOn = call.on.bind(call);
      // Errors surface as GrpcCallError with flattened trailers.
      (call as unknown as { on: (event: string, listener: (...args: unknown[]) => void) => unknown }).on = (event, listener) => {
        if (event === 'error') return origOn('error', (e: unknown) => listener(toCallError(e)));
        return origOn(event, listener);
      };
      return call as unknown as GrpcDuplexCall<Parameters<typeof method.encode>[0], ReturnType<typeof method.decode>>;
    },
    close() {
      closed = true;
      client.close();
    },
  };
}
