/**
 * sfgen runtime: what generated code and applications import at run time.
 * Heavy parts live behind their own subpath exports (`sfgen/simulator`, `sfgen/generator`);
 * record/replay stays here because the client's `replay` option uses it (no dependencies of its own).
 */
export * from './schema.js';
/** zod's namespace, as types only: generated value modules annotate their validators with it, so apps never import zod themselves. */
export type { z } from 'zod';
export { FIELD_FLAG_WORDS, nullableOnRead, sobjectField, sobjectFields } from './fields.js';
export type { FieldDetails, FieldFlag } from './fields.js';
// The zod validators (`recordValidator`, `fieldValidator`) are `sfgen/validation`: importing this
// entry never loads zod.
// runtime client (runtime helper): client, auth, errors, values, observability channels
export * from './client.js';
export * from './errors.js';
export * from './values.js';
export * from './auth/index.js';
export { CHANNELS } from './diagnostics.js';
export type * from './diagnostics.js';
export { instrumentOpenTelemetry } from './observability/otel.js';
export type { OtelApiLike, OtelHandle } from './observability/otel.js';
export { QueryStream } from './services/query.js';
export type { QueryOptions, QueryPage, QueryPosition, SObjectRecord } from './services/query.js';
export { SObjectApi, serializeRecord } from './services/sobjects.js';
export type { SaveResult, UpsertResult, SelectedRecord, FieldName, CallOptions, CreateInput, UpdateInput, UpsertKey, DeleteId } from './services/sobjects.js';
export type { BatchSubrequest, BatchResult, BatchSubresult } from './services/composite.js';
export type { DescribeGlobalResult, DescribeGlobalSObject, DescribeSObjectResult, NotModified } from './services/describe.js';
export type { HttpMethod, SfRequest, SfResponse, Dispatch, Interceptor } from './transport/types.js';
export { DEFAULT_TRANSPORT } from './transport/http.js';
// typed SOQL (soql-types helper): builder, checked soql() strings, value helpers
export * from './soql/index.js';
export type { TransportOptions } from './transport/http.js';
export { COLLECTION_LIMIT, recordOutcomes } from './services/collections.js';
export type {
  CollectionOptions, CollectionResult, CollectionItemError, RecordOutcome, RecordSucceeded, RecordFailed, RecordOutcomeUnknown, RecordNotAttempted, RetrieveOutcome,
} from './services/collections.js';
export type { CompositeSubrequest, CompositeSubresponse, CompositeResult, CompositeGraph, CompositeGraphResult } from './services/composite.js';
export { CompositePlan, compositePlan } from './services/composite-plan.js';
export type { CompositeEntry, GraphPlan, NewReferenceId, RefFn, RefPath, Reference, TypedCompositeResult, TypedGraphResult, TypedGraphResults, UpsertSaveResult, WithRefs } from './services/composite-plan.js';
export type { LimitsResult, LimitEntry, QueryPlan } from './services/limits.js';
export { ATTEMPT_TIMEOUT, DEFAULT_RETRY } from './resilience/retry.js';
export type { RetryOptions } from './resilience/retry.js';
export { DEFAULT_CIRCUIT_BREAKER } from './resilience/circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitState } from './resilience/circuit-breaker.js';
export { DEFAULT_LIMITS, parseLimitInfo } from './resilience/limits.js';
export type { ApiUsage, LimitsOptions } from './resilience/limits.js';
export { Cassette } from './replay/cassette.js';
export type { CassetteFile, Interaction, ReplayMode, ReplayOptions } from './replay/cassette.js';
// Pub/Sub event definitions (plain data; the codec and the client live behind `sfgen/pubsub`)
export { defineEvent } from './services/pubsub/event.js';
export type { AnyEventDefinition, ChangeEventHeader, ChangeType, EventDefinition, EventDefinitionSpec, EventKind, PayloadOf, PublishInputOf } from './services/pubsub/event.js';
