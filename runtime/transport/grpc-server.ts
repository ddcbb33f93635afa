/**
 * A gRPC server for the `eventbus.v1.PubSub` service (grpc-js), used by the org simulator. The
 * service logic lives elsewhere (`runtime/simulation/pubsub/`) and sees only the small call
 * interfaces below, so grpc-js stays inside `runtime/transport/`.
 *
 * Responses may be {@link EncodedMessage}s (protobuf bytes built ahead of time): the serializer
 * writes them unchanged, which keeps the per-event cost of a subscription at a buffer copy.
 */
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition, MethodDefinition } from '@grpc/proto-loader';
import { loadPubSubPackage, PUBSUB_SERVICE_NAME } from './grpc-proto.js';
import type {
  FetchRequest,
  ManagedFetchRequest,
  PublishRequest,
  PublishResponse,
  SchemaInfo,
  SchemaRequest,
  TopicInfo,
  TopicRequest,
  Outgoing,
  FetchResponse,
  ManagedFetchResponse,
} from './grpc-proto.js';
import { EncodedMessage, GrpcStatus, GrpcStatusError } from './grpc-status.js';

/** Call metadata: lower-case key -> first value (binary values are skipped). */
export type CallMetadata = ReadonlyMap<string, string>;

/** One bidirectional streaming call, as the service logic sees it. */
export interface StreamCall<Req, Res> {
  readonly metadata: CallMetadata;
  /** Each request message, in order. */
  onMessage(listener: (req: Req) => void): void;
  /** The client half-closed its side. */
  onHalfClose(listener: () => void): void;
  /** The call is over (ended by either side, cancelled, or the connection went away). */
  onClose(listener: () => void): void;
  /** Send a message; false means the buffer is full: wait for {@link StreamCall.onDrain}. */
  write(res: Outgoing<Res> | EncodedMessage): boolean;
  onDrain(listener: () => void): void;
  /** End the call with OK, or with the given status and trailers. */
  end(error?: GrpcStatusError): void;
  /** Reset the HTTP/2 stream (RST_STREAM, code 0) without a gRPC status, as a dropped proxy does. */
  reset(): void;
  readonly closed: boolean;
}

/** The PubSub service's logic. Unary handlers throw {@link GrpcStatusError} to fail. */
export interface PubSubHandlers {
  getTopic(req: TopicRequest, metadata: CallMetadata): Promise<Outgoing<TopicInfo>>;
  getSchema(req: SchemaRequest, metadata: CallMetadata): Promise<Outgoing<SchemaInfo>>;
  publish(req: PublishRequest, metadata: CallMetadata): Promise<Outgoing<PublishResponse>>;
  subscribe(call: StreamCall<FetchRequest, FetchResponse>): void;
  publishStream(call: StreamCall<PublishRequest, PublishResponse>): void;
  managedSubscribe(call: StreamCall<ManagedFetchRequest, ManagedFetchResponse>): void;
}

/** Where and how to listen. */
export interface GrpcServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** PEM certificate and key; plaintext without. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
}

/** A listening gRPC server. */
export interface RunningGrpcServer {
  readonly port: number;
  /** Stop accepting calls and cut open ones. */
  close(): Promise<void>;
}

function metadataOf(md: grpc.Metadata): CallMetadata {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(md.getMap())) if (typeof v === 'string') out.set(k.toLowerCase(), v);
  return out;
}

function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof GrpcStatusError) {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(error.trailers)) metadata.set(k, v);
    return { code: error.code, details: error.details, metadata };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: GrpcStatus.INTERNAL, details: `simulator error: ${message}` };
}

function serviceDefinition(def: PackageDefinition): grpc.ServiceDefinition {
  const service = def[PUBSUB_SERVICE_NAME] as Record<string, MethodDefinition<object, object>>;
  const out: Record<string, grpc.MethodDefinition<object, object | EncodedMessage>> = {};
  for (const [name, m] of Object.entries(service)) {
    const serialize = m.responseSerialize;
    out[name] = {
      ...m,
      responseSerialize: (value: object | EncodedMessage) => (value instanceof EncodedMessage ? value.bytes : serialize(value as object)),
    } as grpc.MethodDefinition<object, object | EncodedMessage>;
  }
  return out as grpc.ServiceDefinition;
}

function streamCall<Req, Res>(call: grpc.ServerDuplexStream<Req, Outgoing<Res> | EncodedMessage>): StreamCall<Req, Res> {
  let closed = false;
  const closeListeners: (() => void)[] = [];
  const markClosed = () => {
    if (closed) return;
    closed = true;
    for (const l of closeListeners) l();
  };
  call.on('cancelled', markClosed);
  call.on('close', markClosed);
  call.on('finish', markClosed);
  call.on('error', () => undefined);
  return {
    metadata: metadataOf(call.metadata),
    onMessage: (l) => call.on('data', l),
    onHalfClose: (l) => call.on('end', l),
    onClose: (l) => closeListeners.push(l),
    write: (res) => (closed ? false : call.write(res)),
    onDrain: (l) => call.on('drain', l),
    end: (error) => {
      if (closed) return;
      if (error === undefined) call.end();
      else call.emit('error', toServiceError(error));
      markClosed();
    },
    reset: () => {
      if (closed) return;
      // grpc-js keeps the HTTP/2 stream on its base call object; close it with NO_ERROR so the
      // client sees RST_STREAM code 0 and no gRPC status, like a proxy dropping the stream.
      const base = (call as unknown as { call?: { stream?: http2.ServerHttp2Stream } }).call;
      const h2 = base?.stream;
      if (h2 !== undefined && typeof h2.close === 'function') h2.close(http2.constants.NGHTTP2_NO_ERROR);
      else call.emit('error', { code: GrpcStatus.INTERNAL, details: 'Received RST_STREAM with code 0' });
      markClosed();
    },
    get closed() {
      return closed;
    },
  };
}

function unary<Req, Res>(fn: (req: Req, md: CallMetadata) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, metadataOf(call.metadata)).then(
      (res) => callback(null, res),
      (error: unknown) => callback(toServiceError(error) as grpc.ServiceError),
    );
  };
}

/**
 * Serve the PubSub service with `handlers`.
 *
 * @example
 * ```ts
 * const server = await startPubSubGrpcServer(handlers, { host: '127.0.0.1', port: 0, tls: { certPem, keyPem } });
 * console.log(server.port);
 * await server.close();
 * ```
 */
export async function startPubSubGrpcServer(handlers: PubSubHandlers, options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    // gRPC's 4 MB: a larger PublishRequest fails as a whole (Salesforce's documented limit too).
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 1000,
    'grpc.http2.max_ping_strikes': 0,
  } as grpc.ServerOptions);
  const impl: grpc.UntypedServiceImplementation = {
    GetTopic: unary(handlers.getTopic.bind(handlers)),
    GetSchema: unary(handlers.getSchema.bind(handlers)),
    Publish: unary(handlers.publish.bind(handlers)),
    Subscribe: (call: grpc.ServerDuplexStream<FetchRequest, Outgoing<FetchResponse> | EncodedMessage>) => handlers.subscribe(streamCall(call)),
    PublishStream: (call: grpc.ServerDuplexStream<PublishRequest, Outgoing<PublishResponse> | EncodedMessage>) => handlers.publishStream(streamCall(call)),
    ManagedSubscribe: (call: grpc.ServerDuplexStream<ManagedFetchRequest, Outgoing<ManagedFetchResponse> | EncodedMessage>) =>
      handlers.managedSubscribe(streamCall(call)),
  };
  server.addService(serviceDefinition(loadPubSubPackage()), impl);
  const credentials =
    options.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(options.tls.certPem), private_key: Buffer.from(options.tls.keyPem) }], false);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
