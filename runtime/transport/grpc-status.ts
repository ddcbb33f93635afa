/**
 * gRPC status codes and a status error, without importing grpc-js: code that answers gRPC calls
 * (the simulator's Pub/Sub service) throws {@link GrpcStatusError}, and `grpc-server.ts` turns it
 * into a status with trailers on the wire.
 */

/** gRPC status codes (the numbers are the protocol's). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** A call outcome other than OK: the status code, its message, and trailing metadata. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: GrpcStatusCode,
    readonly details: string,
    readonly trailers: Readonly<Record<string, string>> = {},
  ) {
    super(details);
    this.name = 'GrpcStatusError';
  }
}

/** A message already serialized to protobuf bytes; the server writes it as is. */
export class EncodedMessage {
  constructor(readonly bytes: Buffer) {}
}
