/**
 * The simulator's Pub/Sub service: the logic of GetTopic, GetSchema, Subscribe, Publish,
 * PublishStream and ManagedSubscribe over the {@link EventBus}, with Salesforce's auth, flow
 * control, keepalives, replay and error statuses. The gRPC plumbing is `runtime/transport/grpc-server.ts`.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type {
  CallMetadata,
  PubSubHandlers,
  StreamCall,
} from '../../transport/grpc-server.js';
import type {
  FetchRequest,
  FetchResponse,
  ManagedFetchRequest,
  ManagedFetchResponse,
  Outgoing,
  ProducerEvent,
  PublishRequest,
  PublishResponse,
  PublishResult,
  SchemaInfo,
  SchemaRequest,
  TopicInfo,
  TopicRequest,
} from '../../transport/grpc-proto.js';
import { EncodedMessage, GrpcStatus, GrpcStatusError, type GrpcStatusCode } from '../../transport/grpc-status.js';
import type { SessionInfo, TokenService } from '../oauth.js';
import { replayIdOf, type EventBus, type NewEvent, type Topic } from './bus.js';
import type { PubSubFaultRegistry, StreamFaultAction, FaultableStream } from './faults.js';
import type { SchemaRegistry } from './schemas.js';
import { encodeFetchResponse } from './wire.js';

/** Salesforce's cap on the events a subscriber may have outstanding. */
export const MAX_NUM_REQUESTED = 100;
/** Largest event payload Salesforce publishes (1 MB); a larger one fails alone. */
export const MAX_EVENT_BYTES = 1024 * 1024;

/** Resolved settings of the service. */
export interface PubSubServiceSettings {
  /** Keepalive interval while events are owed and none flow (Salesforce: within 270 s). */
  keepaliveMs: number;
  /** A stream owed nothing is closed when no FetchRequest arrives for this long (Salesforce: 60 s). */
  fetchTimeoutMs: number;
  /** Most events in one FetchResponse. */
  maxBatch: number;
  readonly orgId: string;
  readonly instanceUrl: () => string;
}

/** A managed subscription (what the ManagedEventSubscription Tooling API record defines). */
export interface ManagedSubscription {
  readonly id: string;
  readonly developerName: string;
  readonly topicName: string;
  readonly defaultReplay: 'LATEST' | 'EARLIEST';
  state: 'RUN' | 'STOP';
  /** The committed position (replay id as a bus position), if any. */
  committedSeq: number | undefined;
}

const ERR = {
  auth: 'sfdc.platform.eventbus.grpc.service.auth.error',
  unavailable: 'sfdc.platform.eventbus.grpc.service.unavailable',
  replay: 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
  topic: 'sfdc.platform.eventbus.grpc.subscription.topic.permission.denied',
  invalid: 'sfdc.platform.eventbus.grpc.service.invalid.request',
  schema: 'sfdc.platform.eventbus.grpc.schema.notfound',
  managed: 'sfdc.platform.eventbus.grpc.managed.subscription.invalid',
} as const;

function statusError(code: GrpcStatusCode, message: string, errorCode: string, rpcId: string): GrpcStatusError {
  return new GrpcStatusError(code, `${message} rpcId: ${rpcId}`, { 'error-code': errorCode, 'rpc-id': rpcId });
}

const unavailable = (code: GrpcStatusCode, rpcId: string) => statusError(code, 'The service is unavailable. Try again later.', ERR.unavailable, rpcId);

/** A Subscribe or ManagedSubscribe stream delivering one topic's events. */
class EventStream implements FaultableStream {
  pending = 0;
  delivered = 0;
  silent = false;
  private waitingDrain = false;
  private scheduled = false;
  lastWriteAt = performance.now();
  pendingZeroSince: number | undefined = performance.now();
  private readonly armed: { action: StreamFaultAction; remaining: number }[] = [];
  private readonly wakeFn = () => this.wake();

  constructor(
    private readonly svc: PubSubService,
    readonly call: StreamCall<FetchRequest | ManagedFetchRequest, FetchResponse | ManagedFetchResponse>,
    readonly topic: Topic,
    readonly rpcId: string,
    public lastSeq: number,
    readonly session: SessionInfo,
  ) {
    topic.listeners.add(this.wakeFn);
    call.onDrain(() => {
      this.waitingDrain = false;
      this.wake();
    });
  }

  get topicName(): string {
    return this.topic.name;
  }

  detach(): void {
    this.topic.listeners.delete(this.wakeFn);
  }

  request(n: number): void {
    this.pending = Math.min(MAX_NUM_REQUESTED, this.pending + n);
    if (this.pending > 0) this.pendingZeroSince = undefined;
    this.wake();
  }

  arm(action: StreamFaultAction, afterEvents: number): void {
    if (afterEvents === 0) this.fire(action);
    else this.armed.push({ action, remaining: afterEvents });
  }

  private wake(): void {
    if (this.scheduled || this.call.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const topic = this.topic;
    while (this.pending > 0 && !this.silent && !this.waitingDrain && !this.call.closed) {
      let max = Math.min(this.pending, this.svc.settings.maxBatch);
      for (const a of this.armed) max = Math.min(max, a.remaining);
      const batch = topic.after(this.lastSeq, max);
      if (batch.length === 0) break;
      const n = batch.length;
      const last = batch[n - 1]!;
      this.pending -= n;
      this.lastSeq = last.seq;
      this.delivered += n;
      const wires = new Array<Buffer>(n);
      for (let i = 0; i < n; i++) wires[i] = batch[i]!.wire;
      const ok = this.call.write(new EncodedMessage(encodeFetchResponse(wires, last.replayId, this.rpcId, this.pending)));
      this.lastWriteAt = performance.now();
      this.svc.countDelivered(n);
      let fired: StreamFaultAction | undefined;
      for (let i = this.armed.length - 1; i >= 0; i--) {
        const a = this.armed[i]!;
        a.remaining -= n;
        if (a.remaining <= 0) {
          fired ??= a.action;
          this.armed.splice(i, 1);
        }
      }
      if (fired !== undefined) {
        this.fire(fired);
        return;
      }
      if (!ok) this.waitingDrain = true;
    }
    if (this.pending === 0) this.pendingZeroSince ??= performance.now();
  }

  /** Keepalive and fetch-timeout checks (called by the service's timer). */
  tick(now: number): void {
    if (this.call.closed || this.silent) return;
    const s = this.svc.settings;
    if (this.pending > 0 && now - this.lastWriteAt >= s.keepaliveMs && !this.waitingDrain) {
      const latest = replayIdOf(Math.max(this.lastSeq, this.topic.lastSeq));
      if (!this.topic.hasAfter(this.lastSeq)) {
        this.call.write(new EncodedMessage(encodeFetchResponse([], latest, this.rpcId, this.pending)));
        this.lastWriteAt = now;
      }
    }
    if (this.pending === 0 && this.pendingZeroSince !== undefined && now - this.pendingZeroSince >= s.fetchTimeoutMs) {
      this.call.end();
    }
  }

  fire(action: StreamFaultAction): void {
    switch (action) {
      case 'silence':
        this.silent = true;
        return;
      case 'unavailable':
        this.call.end(unavailable(GrpcStatus.UNAVAILABLE, this.rpcId));
        return;
      case 'internal':
        this.call.end(unavailable(GrpcStatus.INTERNAL, this.rpcId));
        return;
      case 'rst_stream':
        this.call.reset();
        return;
    }
  }
}

/** Hooks the service needs from the rest of the simulator. */
export interface PubSubServiceDeps {
  readonly bus: EventBus;
  readonly schemas: SchemaRegistry;
  readonly tokens: TokenService;
  readonly faults: () => PubSubFaultRegistry;
  readonly managed: Map<string, ManagedSubscription>;
  /** Encode-and-check an event for publishing on a topic (gRPC path). */
  readonly settings: PubSubServiceSettings;
}

/** The PubSub service's handlers. */
export class PubSubService implements PubSubHandlers {
  readonly streams = new Set<EventStream>();
  private readonly publishCalls = new Set<StreamCall<PublishRequest, PublishResponse>>();
  private timer: NodeJS.Timeout | undefined;
  private deliveredTotal = 0;
  readonly settings: PubSubServiceSettings;

  constructor(private readonly deps: PubSubServiceDeps) {
    this.settings = deps.settings;
  }

  /** Start the keepalive / fetch-timeout timer. */
  start(): void {
    const every = Math.max(10, Math.min(1000, Math.floor(Math.min(this.settings.keepaliveMs, this.settings.fetchTimeoutMs) / 4)));
    this.timer = setInterval(() => {
      const now = performance.now();
      for (const s of this.streams) s.tick(now);
    }, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.streams) s.call.end(unavailable(GrpcStatus.UNAVAILABLE, s.rpcId));
    for (const c of this.publishCalls) c.end(unavailable(GrpcStatus.UNAVAILABLE, randomUUID()));
  }

  /** Events written to subscribers since start. */
  get delivered(): number {
    return this.deliveredTotal;
  }

  countDelivered(n: number): void {
    this.deliveredTotal += n;
  }

  /** Open event streams (for faults). */
  openStreams(): EventStream[] {
    return [...this.streams].filter((s) => !s.call.closed);
  }

  /** End every open stream with UNAUTHENTICATED (sessions were revoked). */
  cutForAuth(): void {
    for (const s of this.openStreams()) s.call.end(this.authError(s.rpcId));
    for (const c of this.publishCalls) c.end(this.authError(randomUUID()));
  }

  // ---- auth ------------------------------------------------------------------------------------

  private authError(rpcId: string): GrpcStatusError {
    return statusError(GrpcStatus.UNAUTHENTICATED, 'An authentication exception occurred. Provide valid authentication via metadata headers.', ERR.auth, rpcId);
  }

  /** The session of a call's `accesstoken` / `instanceurl` / `tenantid`, or UNAUTHENTICATED. */
  private authenticate(md: CallMetadata, rpcId: string): SessionInfo {
    const token = md.get('accesstoken');
    const instanceUrl = md.get('instanceurl');
    const tenant = md.get('tenantid');
    const session = token === undefined || token === '' ? undefined : this.deps.tokens.session(token);
    const norm = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();
    const orgId = this.settings.orgId;
    if (
      session === undefined ||
      instanceUrl === undefined ||
      norm(instanceUrl) !== norm(this.settings.instanceUrl()) ||
      tenant === undefined ||
      (tenant !== orgId && tenant !== orgId.slice(0, 15))
    ) {
      throw this.authError(rpcId);
    }
    return session;
  }

  private topicFor(name: string, rpcId: string, need: 'subscribe' | 'publish'): Topic {
    if (name === '') throw statusError(GrpcStatus.INVALID_ARGUMENT, 'A topic name is required in the first request.', ERR.invalid, rpcId);
    const topic = this.deps.bus.topic(name);
    if (topic === undefined) {
      throw statusError(GrpcStatus.PERMISSION_DENIED, `Topic ${name} does not exist or you don't have permission to ${need} to it.`, ERR.topic, rpcId);
    }
    if (need === 'subscribe' ? !topic.canSubscribe : !topic.canPublish) {
      throw statusError(GrpcStatus.PERMISSION_DENIED, `You don't have permission to ${need} to topic ${topic.name}.`, ERR.topic, rpcId);
    }
    return topic;
  }

  // ---- unary RPCs ------------------------------------------------------------------------------

  async getTopic(req: TopicRequest, md: CallMetadata): Promise<Outgoing<TopicInfo>> {
    const rpcId = randomUUID();
    this.authenticate(md, rpcId);
    const topic = this.deps.bus.topic(req.topic_name);
    if (topic === undefined) {
      throw statusError(GrpcStatus.PERMISSION_DENIED, `Topic ${req.topic_name || '(empty)'} does not exist or you don't have access to it.`, ERR.topic, rpcId);
    }
    return {
      topic_name: topic.name,
      tenant_guid: this.settings.orgId,
      can_publish: topic.canPublish,
      can_subscribe: topic.canSubscribe,
      schema_id: topic.schema?.id ?? '',
      rpc_id: rpcId,
    };
  }

  async getSchema(req: SchemaRequest, md: CallMetadata): Promise<Outgoing<SchemaInfo>> {
    const rpcId = randomUUID();
    this.authenticate(md, rpcId);
    const schema = this.deps.schemas.get(req.schema_id);
    if (schema === undefined) throw statusError(GrpcStatus.NOT_FOUND, `Schema ${req.schema_id || '(empty)'} was not found.`, ERR.schema, rpcId);
    return { schema_json: schema.json, schema_id: schema.id, rpc_id: rpcId };
  }

  async publish(req: PublishRequest, md: CallMetadata): Promise<Outgoing<PublishResponse>> {
    const rpcId = randomUUID();
    this.authenticate(md, rpcId);
    const topic = this.topicFor(req.topic_name, rpcId, 'publish');
    return { results: this.publishEvents(topic, req.events), schema_id: topic.schema?.id ?? '', rpc_id: rpcId };
  }

  /** Check and publish events; one result per event, in order, matched by correlation key. */
  publishEvents(topic: Topic, events: readonly ProducerEvent[]): Outgoing<PublishResult>[] {
    const results: Outgoing<PublishResult>[] = new Array(events.length);
    const accepted: NewEvent[] = [];
    const acceptedAt: number[] = [];
    events.forEach((e, i) => {
      const id = e.id !== '' ? e.id : randomUUID();
      const fail = (msg: string) => {
        results[i] = { correlation_key: id, error: { code: 'PUBLISH', msg } };
      };
      if (e.payload.length > MAX_EVENT_BYTES) return fail(`Event ${id}: the event is ${e.payload.length} bytes; the maximum is ${MAX_EVENT_BYTES}.`);
      const schema = topic.schemas.get(e.schema_id);
      if (schema === undefined) return fail(`Event ${id}: schema id ${e.schema_id || '(empty)'} is not a schema of topic ${topic.name}.`);
      let valid = false;
      try {
        const { offset } = schema.type.decode(e.payload, 0);
        valid = offset === e.payload.length;
      } catch {
        valid = false;
      }
      if (!valid) return fail(`Event ${id}: the payload is not a valid Avro encoding of schema ${schema.id} of topic ${topic.name}.`);
      const injected = this.deps.faults().publishFailure(topic.name);
      if (injected !== undefined) return fail(`Event ${id}: ${injected}`);
      accepted.push({ id, schemaId: schema.id, payload: e.payload });
      acceptedAt.push(i);
    });
    const stored = this.deps.bus.publish(topic, accepted);
    stored.forEach((s, k) => {
      results[acceptedAt[k]!] = { replay_id: s.replayId, correlation_key: s.id };
    });
    return results;
  }

  // ---- streams ---------------------------------------------------------------------------------

  subscribe(call: StreamCall<FetchRequest, FetchResponse>): void {
    const rpcId = randomUUID();
    let session: SessionInfo;
    try {
      session = this.authenticate(call.metadata, rpcId);
    } catch (error) {
      call.end(error as GrpcStatusError);
      return;
    }
    let stream: EventStream | undefined;
    call.onClose(() => {
      if (stream) {
        stream.detach();
        this.streams.delete(stream);
      }
    });
    call.onMessage((req) => {
      if (call.closed) return;
      try {
        if (req.num_requested < 0) throw statusError(GrpcStatus.INVALID_ARGUMENT, `num_requested must not be negative, got ${req.num_requested}.`, ERR.invalid, rpcId);
        if (stream === undefined) {
          const topic = this.topicFor(req.topic_name, rpcId, 'subscribe');
          const start = this.startPosition(topic, req.replay_preset, req.replay_id, rpcId);
          stream = new EventStream(this, call, topic, rpcId, start, session);
          this.streams.add(stream);
          for (const [action, after] of this.deps.faults().forNewStream(topic.name)) stream.arm(action, after);
        } else if (req.topic_name !== '' && req.topic_name.toLowerCase() !== stream.topic.name.toLowerCase()) {
          throw statusError(GrpcStatus.INVALID_ARGUMENT, `The topic of a subscription cannot change (subscribed to ${stream.topic.name}, got ${req.topic_name}).`, ERR.invalid, rpcId);
        }
        if (req.num_requested > 0) stream.request(req.num_requested);
      } catch (error) {
        call.end(error instanceof GrpcStatusError ? error : unavailable(GrpcStatus.INTERNAL, rpcId));
      }
    });
    call.onHalfClose(() => call.end());
  }

  private startPosition(topic: Topic, preset: string, replayId: Buffer, rpcId: string): number {
    const bus = this.deps.bus;
    bus.evictExpired();
    switch (preset) {
      case 'EARLIEST':
        return topic.earliestStart;
      case 'CUSTOM': {
        const rejected = this.deps.faults().takeRejectedReplayId(replayId);
        const check = bus.checkReplayId(topic, replayId);
        if (rejected || !check.ok) {
          const why = rejected ? `replay id ${Buffer.from(replayId).toString('hex')} was rejected (simulated fault)` : check.ok ? '' : check.reason;
          throw statusError(GrpcStatus.INVALID_ARGUMENT, `The Replay ID validation failed: ${why}.`, ERR.replay, rpcId);
        }
        return check.seq;
      }
      default:
        return bus.lastSeq;
    }
  }

  publishStream(call: StreamCall<PublishRequest, PublishResponse>): void {
    const rpcId = randomUUID();
    try {
      this.authenticate(call.metadata, rpcId);
    } catch (error) {
      call.end(error as GrpcStatusError);
      return;
    }
    this.publishCalls.add(call);
    call.onClose(() => this.publishCalls.delete(call));
    let topic: Topic | undefined;
    call.onMessage((req) => {
      if (call.closed) return;
      try {
        if (topic === undefined) topic = this.topicFor(req.topic_name, rpcId, 'publish');
        else if (req.topic_name !== '' && req.topic_name.toLowerCase() !== topic.name.toLowerCase()) {
          throw statusError(GrpcStatus.INVALID_ARGUMENT, `The topic of a publish stream cannot change (publishing to ${topic.name}, got ${req.topic_name}).`, ERR.invalid, rpcId);
        }
        call.write({ results: this.publishEvents(topic, req.events), schema_id: topic.schema?.id ?? '', rpc_id: rpcId });
      } catch (error) {
        call.end(error instanceof GrpcStatusError ? error : unavailable(GrpcStatus.INTERNAL, rpcId));
      }
    });
    call.onHalfClose(() => call.end());
  }

  managedSubscribe(call: StreamCall<ManagedFetchRequest, ManagedFetchResponse>): void {
    const rpcId = randomUUID();
    let session: SessionInfo;
    try {
      session = this.authenticate(call.metadata, rpcId);
    } catch (error) {
      call.end(error as GrpcStatusError);
      return;
    }
    let stream: EventStream | undefined;
    let sub: ManagedSubscription | undefined;
    call.onClose(() => {
      if (stream) {
        stream.detach();
        this.streams.delete(stream);
      }
    });
    call.onMessage((req) => {
      if (call.closed) return;
      try {
        if (req.num_requested < 0) throw statusError(GrpcStatus.INVALID_ARGUMENT, `num_requested must not be negative, got ${req.num_requested}.`, ERR.invalid, rpcId);
        if (sub === undefined || stream === undefined) {
          sub = this.findManaged(req, rpcId);
          const topic = this.topicFor(sub.topicName, rpcId, 'subscribe');
          this.deps.bus.evictExpired();
          let start = sub.defaultReplay === 'EARLIEST' ? topic.earliestStart : this.deps.bus.lastSeq;
          if (sub.committedSeq !== undefined) start = Math.max(sub.committedSeq, topic.earliestStart);
          stream = new EventStream(this, call, topic, rpcId, start, session);
          this.streams.add(stream);
          for (const [action, after] of this.deps.faults().forNewStream(topic.name)) stream.arm(action, after);
        }
        const commit = req.commit_replay_id_request;
        if (commit !== null) {
          const check = this.deps.bus.checkReplayId(stream.topic, commit.replay_id);
          if (check.ok) sub.committedSeq = check.seq;
          call.write({
            commit_response: {
              commit_request_id: commit.commit_request_id,
              replay_id: commit.replay_id,
              ...(check.ok ? {} : { error: { code: 'COMMIT', msg: `Commit ${commit.commit_request_id} failed: ${check.reason}.` } }),
              process_time: String(Date.now()),
            },
            rpc_id: rpcId,
          });
        }
        if (req.num_requested > 0) stream.request(req.num_requested);
      } catch (error) {
        call.end(error instanceof GrpcStatusError ? error : unavailable(GrpcStatus.INTERNAL, rpcId));
      }
    });
    call.onHalfClose(() => call.end());
  }

  private findManaged(req: ManagedFetchRequest, rpcId: string): ManagedSubscription {
    const key = req.subscription_id !== '' ? req.subscription_id : req.developer_name;
    if (key === '') throw statusError(GrpcStatus.INVALID_ARGUMENT, 'A subscription_id or developer_name is required in the first request.', ERR.invalid, rpcId);
    const sub = [...this.deps.managed.values()].find((m) => m.id === key || m.developerName.toLowerCase() === key.toLowerCase());
    if (sub === undefined) throw statusError(GrpcStatus.NOT_FOUND, `Managed event subscription ${key} was not found.`, ERR.managed, rpcId);
    if (sub.state !== 'RUN') throw statusError(GrpcStatus.FAILED_PRECONDITION, `Managed event subscription ${sub.developerName} is in STOP state.`, ERR.managed, rpcId);
    return sub;
  }
}
