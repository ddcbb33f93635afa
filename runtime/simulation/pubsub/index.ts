/**
 * The simulator's Pub/Sub API: an event bus per simulator, served over gRPC (TLS with a generated
 * certificate, or plaintext) on 127.0.0.1. Topics come from the metadata directory's
 * `events/*.avsc`: `X__e` -> `/event/X__e` (publish and subscribe), `<Object>ChangeEvent` ->
 * `/data/<Object>ChangeEvent` (subscribe only), plus `/data/ChangeEvents` carrying every change
 * event. REST writes raise change events; REST inserts of `__e` objects publish platform events.
 *
 * Loaded only when `startSimulator` is given `grpcPort` or `pubsub`.
 */
import { startPubSubGrpcServer, type RunningGrpcServer } from '../../transport/grpc-server.js';
import type { TokenService } from '../oauth.js';
import { SimHttpError, sfError } from '../errors.js';
import type { RecordChange, SimOrg } from '../store.js';
import { caseSafeSuffix } from '../ids.js';
import { EventBus, replayIdOf, seqOfReplayId, Topic, type BusEvent } from './bus.js';
import { selfSignedCertificate, type SelfSignedCertificate } from '../certificate.js';
import { ChangeEventBuilder, changeEventName, entityOfChangeEvent, transactionKey, type CommitInfo } from './change-events.js';
import { PubSubFaultRegistry } from './faults.js';
import { SchemaRegistry, toAvroValue, type RegisteredSchema } from './schemas.js';
import { PubSubService, type ManagedSubscription } from './service.js';

export type { StreamFaultAction, StreamFaultSpec, PublishFaultSpec, PubSubFault } from './faults.js';
export { PubSubFaultRegistry } from './faults.js';
export type { ManagedSubscription } from './service.js';
export { bitmapHex, changeEventName } from './change-events.js';
export { replayIdOf } from './bus.js';

/** Pub/Sub settings of the simulator. Everything is optional. */
export interface PubSubOptions {
  /** Serve over TLS with a generated self-signed certificate (default true); false serves plaintext. */
  readonly tls?: boolean;
  /** Use this certificate and key instead of generating one. */
  readonly certificate?: SelfSignedCertificate;
  /** Retention window of events in ms, on the simulator's clock (default 72 h). */
  readonly retentionMs?: number;
  /** Keepalive interval while events are owed and none flow (default 270000, Salesforce's bound). */
  readonly keepaliveMs?: number;
  /** A stream owed no events is closed when no FetchRequest arrives for this long (default 60000). */
  readonly fetchTimeoutMs?: number;
  /** Most events in one FetchResponse (default 100). */
  readonly maxBatch?: number;
  /** Managed subscriptions (ManagedSubscribe), as ManagedEventSubscription records define them. */
  readonly managedSubscriptions?: readonly ManagedSubscriptionSpec[];
  /** Override a topic's permissions (`/event/Order_Event__e`: `{ canSubscribe: false }`). */
  readonly topicPermissions?: Readonly<Record<string, { readonly canPublish?: boolean; readonly canSubscribe?: boolean }>>;
}

/** A managed subscription to create. */
export interface ManagedSubscriptionSpec {
  readonly developerName: string;
  readonly topic: string;
  /** Where a subscription without a committed replay id starts (default LATEST). */
  readonly defaultReplay?: 'LATEST' | 'EARLIEST';
  /** STOP refuses ManagedSubscribe calls (default RUN). */
  readonly state?: 'RUN' | 'STOP';
}

/** A topic as {@link PubSubSimulator.topics} lists it. */
export interface TopicSummary {
  readonly name: string;
  readonly kind: 'platform-event' | 'change-event' | 'change-channel';
  readonly schemaId: string;
  readonly canPublish: boolean;
  readonly canSubscribe: boolean;
  /** Events retained. */
  readonly retained: number;
}

/** An event on the bus, as tests and benchmarks see it. */
export interface PublishedEvent {
  readonly replayId: Buffer;
  readonly id: string;
  readonly schemaId: string;
  readonly payload: Buffer;
}

const DAY = 24 * 3600 * 1000;

function checkInt(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new RangeError(`pubsub.${name} must be an integer >= ${min}, got ${v}`);
}

/** Everything `startSimulator` hands the Pub/Sub part. */
export interface PubSubContext {
  readonly org: SimOrg;
  readonly tokens: TokenService;
  readonly orgId: string;
  readonly instanceUrl: () => string;
  readonly apiVersion: string;
  readonly now: () => number;
  readonly port: number;
}

/**
 * The simulator's Pub/Sub side: the bus, its faults, and the gRPC endpoint.
 *
 * @example
 * ```ts
 * const sim = await startSimulator({ metadataDir: 'test/fixtures/demo-org', grpcPort: 0 });
 * const ps = sim.pubsub!;
 * console.log(ps.endpoint, ps.caPem);                  // trust caPem as a root certificate
 * ps.publish('/event/Order_Event__e', [{ CreatedDate: Date.now(), CreatedById: sim.defaultUser.userId, Order_Number__c: 'A-1' }]);
 * ps.faults.endStreamsEvery(100, 'unavailable');
 * ```
 */
export class PubSubSimulator {
  /** `127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly port: number;
  /** Whether the endpoint speaks TLS. */
  readonly tls: boolean;
  /** The certificate clients must trust (PEM), when TLS. */
  readonly caPem: string | undefined;
  readonly faults: PubSubFaultRegistry;
  private readonly bus: EventBus;
  private readonly schemas = new SchemaRegistry();
  private readonly builders = new Map<string, ChangeEventBuilder>();
  private readonly managed = new Map<string, ManagedSubscription>();
  private readonly service: PubSubService;
  private server: RunningGrpcServer | undefined;
  private commitNumber = 10_000_000_000;
  private managedCount = 0;
  private schemaChanges = 0;
  private readonly unlisten: () => void;

  private constructor(
    private readonly ctx: PubSubContext,
    options: PubSubOptions,
    cert: SelfSignedCertificate | undefined,
  ) {
    checkInt('retentionMs', options.retentionMs, 1);
    checkInt('keepaliveMs', options.keepaliveMs, 1);
    checkInt('fetchTimeoutMs', options.fetchTimeoutMs, 1);
    checkInt('maxBatch', options.maxBatch, 1);
    this.tls = cert !== undefined;
    this.caPem = cert?.certPem;
    this.bus = new EventBus({ retentionMs: options.retentionMs ?? 3 * DAY, now: ctx.now });
    this.buildTopics(options);
    this.faults = new PubSubFaultRegistry({
      openStreams: () => this.service.openStreams(),
      expireSessions: (cutStreams) => {
        ctx.tokens.revoke();
        if (cutStreams) this.service.cutForAuth();
      },
      evictThrough: (topic, replayId) => {
        const t = this.requireTopic(topic);
        const seq = seqOfReplayId(replayId);
        if (seq === undefined) throw new Error(`evictThrough: replay id ${Buffer.from(replayId).toString('hex')} is not 8 bytes`);
        t.evict(Number.NEGATIVE_INFINITY, seq);
        if (t.kind === 'change-event') this.bus.topic('/data/ChangeEvents')?.evict(Number.NEGATIVE_INFINITY, seq);
      },
      changeSchema: (topic, schema) => this.changeSchema(topic, schema),
    });
    for (const m of options.managedSubscriptions ?? []) this.addManagedSubscription(m);
    this.service = new PubSubService({
      bus: this.bus,
      schemas: this.schemas,
      tokens: ctx.tokens,
      faults: () => this.faults,
      managed: this.managed,
      settings: {
        keepaliveMs: options.keepaliveMs ?? 270_000,
        fetchTimeoutMs: options.fetchTimeoutMs ?? 60_000,
        maxBatch: options.maxBatch ?? 100,
        orgId: ctx.orgId,
        instanceUrl: ctx.instanceUrl,
      },
    });
    const stopListening = ctx.org.onChanges((changes) => this.onChanges(changes));
    ctx.org.checkEventsWith((sobject, record, userId) => {
      const topic = this.bus.topic(`/event/${sobject}`);
      if (topic?.schema !== undefined) this.encodeEventRecord(topic, record, userId);
    });
    this.unlisten = () => {
      stopListening();
      ctx.org.checkEventsWith(undefined);
    };
    this.endpoint = '';
    this.port = 0;
  }

  /** @internal Build the bus and start the gRPC server. */
  static async start(ctx: PubSubContext, options: PubSubOptions = {}): Promise<PubSubSimulator> {
    const cert = options.tls === false ? undefined : (options.certificate ?? selfSignedCertificate());
    const sim = new PubSubSimulator(ctx, options, cert);
    sim.service.start();
    try {
      sim.server = await startPubSubGrpcServer(sim.service, { host: '127.0.0.1', port: ctx.port, ...(cert && { tls: cert }) });
    } catch (error) {
      sim.service.stop();
      sim.unlisten();
      throw new Error(`cannot serve Pub/Sub on 127.0.0.1:${ctx.port}: ${error instanceof Error ? error.message : String(error)}`);
    }
    Object.assign(sim, { port: sim.server.port, endpoint: `127.0.0.1:${sim.server.port}` });
    return sim;
  }

  private buildTopics(options: PubSubOptions): void {
    let anyChange = false;
    for (const [name, schema] of this.ctx.org.eventSchemas()) {
      let registered: RegisteredSchema;
      try {
        registered = this.schemas.register(schema);
      } catch (error) {
        throw new Error(`events/${name}.avsc: not a usable Avro schema (${error instanceof Error ? error.message : String(error)})`);
      }
      if (name.endsWith('__e')) this.bus.addTopic(new Topic(`/event/${name}`, 'platform-event', registered, true, true));
      else if (name.endsWith('ChangeEvent')) {
        anyChange = true;
        this.bus.addTopic(new Topic(`/data/${name}`, 'change-event', registered, false, true, entityOfChangeEvent(name)));
      }
    }
    if (anyChange) this.bus.addTopic(new Topic('/data/ChangeEvents', 'change-channel', undefined, false, true));
    for (const [name, perms] of Object.entries(options.topicPermissions ?? {})) {
      const t = this.requireTopic(name);
      if (perms.canPublish !== undefined) t.canPublish = perms.canPublish;
      if (perms.canSubscribe !== undefined) t.canSubscribe = perms.canSubscribe;
    }
  }

  private requireTopic(name: string): Topic {
    const t = this.bus.topic(name);
    if (t === undefined) {
      const known = this.bus.allTopics().map((x) => x.name).join(', ');
      throw new Error(`unknown topic ${name} (the simulator serves: ${known || 'none; add events/*.avsc to the metadata directory'})`);
    }
    return t;
  }

  // ---- REST writes -> events ------------------------------------------------------------------

  private onChanges(changes: readonly RecordChange[]): void {
    const commit: CommitInfo = {
      transactionKey: transactionKey(),
      commitNumber: ++this.commitNumber,
      commitTimestamp: this.ctx.now(),
      changeOrigin: `com/salesforce/api/rest/${this.ctx.apiVersion}`,
    };
    let sequence = 0;
    const channel = this.bus.topic('/data/ChangeEvents');
    for (const change of changes) {
      if (change.kind === 'EVENT') {
        const topic = this.bus.topic(`/event/${change.sobject}`);
        if (topic?.schema === undefined) continue;
        this.bus.publish(topic, [{ id: String(change.record.EventUuid ?? ''), schemaId: topic.schema.id, payload: this.encodeEventRecord(topic, change.record, change.userId) }]);
        continue;
      }
      const topic = this.bus.topic(`/data/${changeEventName(change.sobject)}`);
      if (topic?.schema === undefined) continue;
      const schema = topic.schema;
      let builder = this.builders.get(schema.id);
      if (builder === undefined) {
        builder = new ChangeEventBuilder(schema, this.ctx.org.describe(change.sobject));
        this.builders.set(schema.id, builder);
      }
      sequence += 1;
      this.bus.publish(topic, [{ schemaId: schema.id, payload: builder.encode(change, commit, sequence) }], channel);
    }
  }

  private encodeEventRecord(topic: Topic, record: Readonly<Record<string, unknown>>, userId: string): Buffer {
    const schema = topic.schema!;
    const value: Record<string, unknown> = {};
    for (const f of schema.fields) {
      let v = record[f.name];
      if (f.name === 'CreatedById' && (v === undefined || v === null)) v = userId;
      if (f.name === 'CreatedDate' && (v === undefined || v === null)) v = this.ctx.now();
      try {
        value[f.name] = toAvroValue(f.type, v, `${topic.name} ${f.name}`);
      } catch (error) {
        throw new SimHttpError(400, sfError('INVALID_FIELD', error instanceof Error ? error.message : String(error), [f.name]));
      }
    }
    return schema.type.toBuffer(value);
  }

  // ---- public API -----------------------------------------------------------------------------

  /** The topics served. */
  topics(): TopicSummary[] {
    return this.bus.allTopics().map((t) => ({ name: t.name, kind: t.kind, schemaId: t.schema?.id ?? '', canPublish: t.canPublish, canSubscribe: t.canSubscribe, retained: t.size }));
  }

  /** The current schema id of a topic. */
  schemaId(topic: string): string {
    return this.requireTopic(topic).schema?.id ?? '';
  }

  /** The schema JSON of a schema id. */
  schemaJson(schemaId: string): string | undefined {
    return this.schemas.get(schemaId)?.json;
  }

  /** Decode a payload with the schema it was written with. */
  decode(schemaId: string, payload: Buffer): unknown {
    const s = this.schemas.get(schemaId);
    if (s === undefined) throw new Error(`unknown schema id ${schemaId}`);
    return s.type.fromBuffer(payload);
  }

  /**
   * Publish events in process (tests, benchmarks): each payload is an Avro value of the topic's
   * current schema (or Salesforce JSON values: dates as strings are converted), encoded once.
   */
  publish(topic: string, payloads: readonly Readonly<Record<string, unknown>>[], options: { ids?: readonly string[] } = {}): PublishedEvent[] {
    const t = this.requireTopic(topic);
    if (t.schema === undefined) throw new Error(`cannot publish to ${t.name}: it has no single schema`);
    const schema = t.schema;
    const events = payloads.map((p, i) => {
      let payload: Buffer;
      try {
        // Fast path: already Avro values (absent nullable fields take their default).
        payload = schema.type.toBuffer(p);
      } catch {
        const value: Record<string, unknown> = {};
        for (const f of schema.fields) value[f.name] = toAvroValue(f.type, p[f.name], `${t.name} event [${i}] ${f.name}`);
        payload = schema.type.toBuffer(value);
      }
      return { ...(options.ids?.[i] !== undefined && { id: options.ids[i] }), schemaId: schema.id, payload };
    });
    return this.bus.publish(t, events).map(toPublished);
  }

  /** Publish already-encoded payloads (Avro binary of `schemaId`, a schema of the topic). */
  publishEncoded(topic: string, payloads: readonly Buffer[], schemaId?: string): PublishedEvent[] {
    const t = this.requireTopic(topic);
    const id = schemaId ?? t.schema?.id;
    if (id === undefined || !t.schemas.has(id)) throw new Error(`schema ${id ?? '(none)'} is not a schema of ${t.name}`);
    return this.bus.publish(t, payloads.map((payload) => ({ schemaId: id, payload }))).map(toPublished);
  }

  /** The events a topic retains, oldest first. */
  retained(topic: string): PublishedEvent[] {
    const t = this.requireTopic(topic);
    this.bus.evictExpired();
    return t.after(t.earliestStart, Number.MAX_SAFE_INTEGER).map(toPublished);
  }

  /** The newest replay id of the bus (8 bytes). */
  latestReplayId(): Buffer {
    return replayIdOf(this.bus.lastSeq);
  }

  /** Create a managed subscription; returns it (its `id` and `developerName` name it in ManagedSubscribe). */
  addManagedSubscription(spec: ManagedSubscriptionSpec): ManagedSubscription {
    const topic = this.requireTopic(spec.topic);
    if ([...this.managed.values()].some((m) => m.developerName.toLowerCase() === spec.developerName.toLowerCase())) {
      throw new Error(`managed subscription ${spec.developerName} already exists`);
    }
    const id15 = `18x${'Sm0'}${String(++this.managedCount).padStart(9, '0')}`;
    const sub: ManagedSubscription = {
      id: id15 + caseSafeSuffix(id15),
      developerName: spec.developerName,
      topicName: topic.name,
      defaultReplay: spec.defaultReplay ?? 'LATEST',
      state: spec.state ?? 'RUN',
      committedSeq: undefined,
    };
    this.managed.set(sub.id, sub);
    return sub;
  }

  /** A managed subscription by id or developer name. */
  managedSubscription(subscription: string): ManagedSubscription | undefined {
    return [...this.managed.values()].find((m) => m.id === subscription || m.developerName.toLowerCase() === subscription.toLowerCase());
  }

  /** The committed replay id of a managed subscription (by id or developer name), if any. */
  committedReplayId(subscription: string): Buffer | undefined {
    const sub = this.managedSubscription(subscription);
    if (sub === undefined) throw new Error(`unknown managed subscription ${subscription}`);
    return sub.committedSeq === undefined ? undefined : replayIdOf(sub.committedSeq);
  }

  /** Events written to subscribers so far, and open event streams. */
  stats(): { delivered: number; openStreams: number } {
    return { delivered: this.service.delivered, openStreams: this.service.openStreams().length };
  }

  /** Change a topic's schema: `schema`, or the current one plus a nullable string field. Returns the new id. */
  private changeSchema(topic: string, schema?: unknown): string {
    const t = this.requireTopic(topic);
    if (t.schema === undefined) throw new Error(`${t.name} has no single schema to change`);
    let next = schema;
    if (next === undefined) {
      const current = JSON.parse(t.schema.json) as { fields: unknown[] };
      next = { ...current, fields: [...current.fields, { name: `Sim_Field_${++this.schemaChanges}__c`, type: ['null', 'string'], doc: 'Data:Text', default: null }] };
    }
    const registered = this.schemas.register(next);
    t.schema = registered;
    t.schemas.set(registered.id, registered);
    return registered.id;
  }

  async close(): Promise<void> {
    this.unlisten();
    this.service.stop();
    await this.server?.close();
  }
}

function toPublished(e: BusEvent): PublishedEvent {
  return { replayId: e.replayId, id: e.id, schemaId: e.schemaId, payload: e.payload };
}
