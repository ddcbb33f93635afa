/**
 * The Pub/Sub API protocol (`proto/pubsub_api.proto`, package `eventbus.v1`) loaded with
 * `@grpc/proto-loader`, shared by the gRPC client and the simulator's server so both see the same
 * message shapes.
 *
 * Loader options (fixed; every message type below follows them):
 * - `keepCase: true`: fields keep the proto's names (`topic_name`, `num_requested`, `replay_id`),
 *   the names the Salesforce guide uses.
 * - `longs: String`: the one int64 field (`CommitReplayResponse.process_time`) decodes to a decimal
 *   string, never a lossy number.
 * - `enums: String`: enums decode to their names (`'CUSTOM'`, `'PUBLISH'`); on encode both the name
 *   and the number are accepted.
 * - bytes decode to `Buffer` (the loader's default): replay ids and payloads stay opaque bytes.
 * - `defaults: true`: decoded messages carry every field (`''`, `0`, empty `Buffer`, `[]`; absent
 *   sub-messages are `null`), so readers never branch on `undefined`.
 *
 * @example
 * ```ts
 * import { loadPubSubPackage } from './grpc-proto.js';
 * import * as grpc from '@grpc/grpc-js';
 * const pkg = grpc.loadPackageDefinition(loadPubSubPackage()) as unknown as PubSubGrpcObject;
 * const client = new pkg.eventbus.v1.PubSub('127.0.0.1:7443', grpc.credentials.createSsl());
 * ```
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

/** Options every user of the Pub/Sub proto loads it with (see the module doc). */
export const PUBSUB_PROTO_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: false,
});

/** Fully-qualified name of the service in the package definition. */
export const PUBSUB_SERVICE_NAME = 'eventbus.v1.PubSub';

/**
 * Absolute path of `proto/pubsub_api.proto`: in the built package (`dist/proto`), next to the sources (`runtime/transport/` -> `../../`)
 * or next to the built files (`dist/runtime/transport/` -> `../../../`).
 */
export function pubSubProtoPath(): string {
  // built package: dist/transport -> dist/proto (runtime/build.mjs copies it); source tree: runtime/transport -> proto/
  for (const rel of ['../proto/pubsub_api.proto', '../../proto/pubsub_api.proto', '../../../proto/pubsub_api.proto']) {
    const candidate = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`proto/pubsub_api.proto not found next to ${fileURLToPath(import.meta.url)} (is the package's proto/ folder missing?)`);
}

let cached: protoLoader.PackageDefinition | undefined;

/** The package definition of `pubsub_api.proto`, loaded once per process. */
export function loadPubSubPackage(): protoLoader.PackageDefinition {
  cached ??= protoLoader.loadSync(pubSubProtoPath(), PUBSUB_PROTO_OPTIONS);
  return cached;
}

/** `eventbus.v1.ReplayPreset` names. */
export type ReplayPresetName = 'LATEST' | 'EARLIEST' | 'CUSTOM';
/** `eventbus.v1.ErrorCode` names. */
export type ErrorCodeName = 'UNKNOWN' | 'PUBLISH' | 'COMMIT';

// Decoded messages (as received; `defaults: true` fills every field).

export interface TopicRequest { topic_name: string }
export interface TopicInfo { topic_name: string; tenant_guid: string; can_publish: boolean; can_subscribe: boolean; schema_id: string; rpc_id: string }
export interface SchemaRequest { schema_id: string }
export interface SchemaInfo { schema_json: string; schema_id: string; rpc_id: string }
export interface EventHeader { key: string; value: Buffer }
export interface ProducerEvent { id: string; schema_id: string; payload: Buffer; headers: EventHeader[] }
export interface ConsumerEvent { event: ProducerEvent | null; replay_id: Buffer }
export interface PubSubError { code: ErrorCodeName; msg: string }
export interface PublishResult { replay_id: Buffer; error: PubSubError | null; correlation_key: string }
export interface FetchRequest { topic_name: string; replay_preset: ReplayPresetName; replay_id: Buffer; num_requested: number; auth_refresh: string }
export interface FetchResponse { events: ConsumerEvent[]; latest_replay_id: Buffer; rpc_id: string; pending_num_requested: number }
export interface PublishRequest { topic_name: string; events: ProducerEvent[]; auth_refresh: string }
export interface PublishResponse { results: PublishResult[]; schema_id: string; rpc_id: string }
export interface CommitReplayRequest { commit_request_id: string; replay_id: Buffer }
export interface CommitReplayResponse { commit_request_id: string; replay_id: Buffer; error: PubSubError | null; process_time: string }
export interface ManagedFetchRequest { subscription_id: string; developer_name: string; num_requested: number; auth_refresh: string; commit_replay_id_request: CommitReplayRequest | null }
export interface ManagedFetchResponse { events: ConsumerEvent[]; latest_replay_id: Buffer; rpc_id: string; pending_num_requested: number; commit_response: CommitReplayResponse | null }

/**
 * What may be sent for a message type: any field may be left out (proto3 defaults), enums as
 * names or numbers, bytes as `Buffer` or `Uint8Array`, nested messages likewise.
 */
export type Outgoing<T> = {
  [K in keyof T]?: T[K] extends Buffer
    ? Uint8Array
    : T[K] extends ReplayPresetName | ErrorCodeName
      ? T[K] | number
      : T[K] extends readonly (infer E)[]
        ? readonly Outgoing<E>[]
        : T[K] extends object | null
          ? Outgoing<NonNullable<T[K]>> | null
          : T[K];
};
