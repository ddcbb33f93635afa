/**
 * `PubSubClient`: the Salesforce Pub/Sub API (gRPC) on top of a runtime client. It shares the REST
 * client's token manager (one token, one refresh for both APIs), discovers the org (tenant) id
 * from the org, keeps one gRPC channel (replaced after a silent stream), caches schemas by id for
 * its whole life, and hands out subscriptions and publishers.
 */
import type { TokenInfo } from '../../auth/types.js';
import type { SalesforceClient } from '../../client.js';
import { AuthError, ConfigError } from '../../errors.js';
import {
  createGrpcChannel, createGrpcSecurity, GrpcStatus, type GrpcCallError, type GrpcChannel, type GrpcChannelOptions, type GrpcMethod, type GrpcSecurity,
} from '../../transport/grpc.js';
import { pubsubChannels } from './channels.js';
import { PubSubError, PubSubPermissionError } from './errors.js';
import { encodePlain, publishEvents, type PayloadEncoder, type PublishEnvelope, type PublishOptions, type PublishResult, type PublishHost } from './publish.js';
import { SchemaCache } from './schemas.js';
import {
  backoffDelay, pubSubErrorFrom, Subscription, type PayloadDecoder, type SubscribeOptions,
} from './subscription.js';
import { METHODS, type TopicInfo as WireTopicInfo } from './wire.js';
import { EventCodec, codecFor } from './codec.js';
import type { EventDefinition } from './event.js';

/** Salesforce's Pub/Sub API endpoint (production and sandboxes alike). */
export const DEFAULT_PUBSUB_ENDPOINT = 'api.pubsub.salesforce.com:7443';

/** Options of {@link PubSubClient}. */
export interface PubSubClientOptions {
  /** `host:port`; default {@link DEFAULT_PUBSUB_ENDPOINT}. */
  readonly endpoint?: string;
  /** Extra trusted CA certificate(s) (PEM), added to what Node trusts by default (its bundled roots and NODE_EXTRA_CA_CERTS). */
  readonly caPem?: string | Buffer;
  /** Plain text to a loopback address (a local simulator without TLS); needs `allowInsecureLoopback`. */
  readonly plaintext?: boolean;
  readonly allowInsecureLoopback?: boolean;
  /** Certificate name to check when it differs from the endpoint host. */
  readonly tlsServerName?: string;
  /** The org id sent as `tenantid`; discovered from the org (`/services/oauth2/userinfo`) when absent. */
  readonly tenantId?: string;
  /** Deadline of GetTopic / GetSchema calls (ms). Default 30 s. */
  readonly callTimeoutMs?: number;
  /** gRPC keepalive and connect bounds. */
  readonly keepaliveTimeMs?: number;
  readonly keepaliveTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/** What GetTopic says about a topic. */
export interface TopicInfo {
  readonly topicName: string;
  readonly tenantGuid: string;
  readonly canPublish: boolean;
  readonly canSubscribe: boolean;
  /** The topic's current schema id. */
  readonly schemaId: string;
}

/** A schema by id. */
export interface SchemaInfo {
  readonly schemaId: string;
  /** The Avro schema JSON. */
  readonly schemaJson: string;
}


/** Managed subscription (ManagedSubscribe): the server stores the committed replay id. */
export type ManagedTarget = { readonly developerName: string; readonly topic?: string } | { readonly subscriptionId: string; readonly topic?: string };

const TRANSIENT = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.RESOURCE_EXHAUSTED]);

const decodePlain: PayloadDecoder<Record<string, unknown>> = (schema, payload) => schema.codec.decode(payload) as Record<string, unknown>;

/** Codecs of a generated event for the topic's current schema ids (required fields checked). */
const definitionCodecs = new WeakMap<object, Map<string, EventCodec<unknown, unknown>>>();

function definitionEncoder<Input>(definition: EventDefinition<unknown, Input>): PayloadEncoder<Input> {
  return (schema, input, createdById) => {
    let byId = definitionCodecs.get(definition);
    if (!byId) definitionCodecs.set(definition, (byId = new Map()));
    let codec = byId.get(schema.schemaId);
    if (!codec) {
      codec = schema.schemaId === definition.schemaId
        ? (codecFor(definition) as EventCodec<unknown, unknown>)
        : new EventCodec<unknown, unknown>(schema.schemaId, schema.json, { name: definition.name, requiredFields: definition.requiredFields });
      byId.set(schema.schemaId, codec);
    }
    return codec.encode(input, { createdById });
  };
}

/** A topic name is `/event/Name__e`, `/data/NameChangeEvent`, `/data/ChannelName__chn`... */
function topicNameError(topic: unknown): PubSubError | undefined {
  if (typeof topic === 'string' && topic.startsWith('/')) return undefined;
  return new PubSubError({ message: `topic ${JSON.stringify(topic)} is not a topic name like /event/Order_Event__e or /data/AccountChangeEvent`, topic: String(topic) });
}

/**
 * The Pub/Sub API client.
 *
 * @example
 * ```ts
 * import { createClient, clientCredentials } from 'sfgen/runtime';
 * import { PubSubClient } from 'sfgen/pubsub';
 *
 * const client = createClient({ auth: clientCredentials({ clientId, clientSecret, loginUrl }) });
 * const pubsub = new PubSubClient(client);
 * for await (const event of pubsub.subscribe('/event/Order_Event__e', { replay: 'earliest' })) {
 *   console.log(event.replayId, event.payload);
 * }
 * ```
 */
export class PubSubClient {
  readonly client: SalesforceClient;
  readonly endpoint: string;
  readonly schemas: SchemaCache;
  readonly #options: PubSubClientOptions;
  readonly #callTimeoutMs: number;
  #channel: GrpcChannel | undefined;
  readonly #security: GrpcSecurity;
  #channels = 0;
  #tenant: Promise<{ orgId: string; userId: string | undefined }> | undefined;
  readonly #topics = new Map<string, Promise<TopicInfo>>();
  readonly #subscriptions = new Set<Subscription<unknown>>();
  #closed = false;
  readonly #host: PublishHost;

  constructor(client: SalesforceClient, options: PubSubClientOptions = {}) {
    if (client === null || typeof client !== 'object' || typeof client.token !== 'function') {
      throw new ConfigError({ message: 'PubSubClient: pass the runtime client (createClient(...)) as the first argument' });
    }
    this.client = client;
    this.#options = options;
    this.endpoint = options.endpoint ?? DEFAULT_PUBSUB_ENDPOINT;
    this.#callTimeoutMs = options.callTimeoutMs ?? 30_000;
    if (options.tenantId !== undefined && !/^00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/.test(options.tenantId)) {
      throw new ConfigError({ message: `PubSubClient: tenantId ${JSON.stringify(options.tenantId)} is not an org id (00D...)` });
    }
    this.schemas = new SchemaCache((schemaId, topic) => this.#fetchSchema(schemaId, topic));
    // Fail early on a bad endpoint or CA; the credentials serve every channel this client opens.
    this.#security = createGrpcSecurity(this.#channelOptions());
    // The channel object now (grpc-js builds it in ~3 ms, cold); it connects on the first call.
    this.#currentChannel();
    this.#host = {
      metadata: () => this.#metadata(),
      channel: () => this.#currentChannel(),
      renewChannel: (old) => this.#renewChannel(old),
      renewToken: (rejected) => this.client.renewToken(rejected),
      schemas: this.schemas,
      release: (sub) => {
        this.#subscriptions.delete(sub as Subscription<unknown>);
      },
      prefetchTopic: (topic) => {
        // GetTopic then GetSchema, beside the first Subscribe rather than before it: events written
        // with the topic's current schema then decode without waiting. Advisory only: an unknown
        // topic or a missing permission is the stream's own error (NOT_FOUND / PERMISSION_DENIED),
        // and a failed lookup costs nothing but the prefetch.
        this.getTopic(topic).then((info) => (info.schemaId ? this.schemas.get(info.schemaId, topic) : undefined)).catch(() => undefined);
      },
      topicSchema: async (topic) => {
        const info = await this.getTopic(topic);
        if (!info.canPublish) throw new PubSubPermissionError({ message: 'this user may not publish on the topic (GetTopic can_publish: false)', topic });
        return this.schemas.get(info.schemaId, topic);
      },
      userId: async () => (await this.#tenantInfo()).userId,
    };
  }

  /** Number of gRPC channels opened so far (1 + replacements after silent streams). */
  get channelsOpened(): number {
    return this.#channels;
  }

  #channelOptions(): GrpcChannelOptions {
    const o = this.#options;
    return {
      endpoint: this.endpoint,
      caPem: o.caPem,
      plaintext: o.plaintext,
      allowInsecureLoopback: o.allowInsecureLoopback,
      tlsServerName: o.tlsServerName,
      keepaliveTimeMs: o.keepaliveTimeMs,
      keepaliveTimeoutMs: o.keepaliveTimeoutMs,
      connectTimeoutMs: o.connectTimeoutMs,
    };
  }

  #currentChannel(): GrpcChannel {
    if (this.#closed) throw new PubSubError({ message: 'the PubSubClient is closed' });
    if (!this.#channel) {
      this.#channel = createGrpcChannel(this.#channelOptions(), this.#security);
      this.#channels++;
    }
    return this.#channel;
  }

  #renewChannel(old: GrpcChannel): void {
    if (this.#channel === old) this.#channel = undefined;
    old.close();
  }

  /** The org id and user id, discovered once (userinfo, else `SELECT Id FROM Organization`). */
  #tenantInfo(): Promise<{ orgId: string; userId: string | undefined }> {
    this.#tenant ??= (async () => {
      const token = await this.client.token();
      let res = await this.client.request({ method: 'GET', path: '/services/oauth2/userinfo' });
      // userinfo answers a token it does not accept with 403 "Bad_OAuth_Token" (401 on some
      // instances), which the REST layer does not treat as an expired session: refresh once (when
      // the auth can) and ask again, rather than fall back with credentials known to be bad.
      if (res.status === 401 || res.status === 403) {
        const renewed = await this.client.renewToken(token).then(
          () => true,
          (error: unknown) => {
            if (error instanceof AuthError) return false; // not refreshable: the fallback below says why
            throw error;
          },
        );
        if (renewed) res = await this.client.request({ method: 'GET', path: '/services/oauth2/userinfo' });
      }
      const body = res.body as { organization_id?: unknown; user_id?: unknown } | null;
      const userId = typeof body?.user_id === 'string' ? body.user_id : undefined;
      if (this.#options.tenantId !== undefined) return { orgId: this.#options.tenantId, userId };
      if (res.status === 200 && typeof body?.organization_id === 'string') return { orgId: body.organization_id, userId };
      const rows = await this.client.query('SELECT Id FROM Organization LIMIT 1').toArray();
      const id = rows[0]?.Id;
      if (typeof id !== 'string') throw new ConfigError({ message: 'could not discover the org id (userinfo and SELECT Id FROM Organization gave none); pass tenantId / --org-id' });
      return { orgId: id, userId };
    })();
    this.#tenant.catch(() => {
      this.#tenant = undefined;
    });
    return this.#tenant;
  }

  async #orgId(): Promise<string> {
    if (this.#options.tenantId !== undefined) return this.#options.tenantId;
    return (await this.#tenantInfo()).orgId;
  }

  async #metadata(): Promise<{ metadata: Record<string, string>; token: TokenInfo }> {
    const [token, tenantid] = await Promise.all([this.client.token(), this.#orgId()]);
    return { metadata: { accesstoken: token.accessToken, instanceurl: token.instanceUrl, tenantid }, token };
  }

  /** A unary call with a deadline, retries for transient failures and one token refresh. */
  async #unary<Req, Res>(method: GrpcMethod<Req, Res>, request: Req, what: string, topic: string | undefined): Promise<Res> {
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      const { metadata, token } = await this.#metadata();
      try {
        return await this.#currentChannel().unary(method, request, metadata, this.#callTimeoutMs);
      } catch (e) {
        const err = e as GrpcCallError;
        if (err.code === GrpcStatus.UNAUTHENTICATED && !renewed) {
          renewed = true;
          await this.client.renewToken(token);
          continue;
        }
        if (TRANSIENT.has(err.code) && attempt < 4) {
          await new Promise((r) => setTimeout(r, backoffDelay(attempt, 200, 5000)));
          continue;
        }
        throw pubSubErrorFrom(err, topic, what);
      }
    }
  }

  /**
   * GetTopic: whether the user may publish/subscribe and the topic's current schema id. Cached for
   * the client's life (a topic's schema id changes when fields are added; subscriptions do not rely
   * on it, they decode each event with its own schema id).
   */
  getTopic(topic: string): Promise<TopicInfo> {
    const malformed = topicNameError(topic);
    if (malformed) return Promise.reject(malformed);
    let info = this.#topics.get(topic);
    if (!info) {
      info = this.#unary(METHODS.GetTopic, { topicName: topic }, 'GetTopic', topic).then((t: WireTopicInfo) => ({
        topicName: t.topicName || topic, tenantGuid: t.tenantGuid, canPublish: t.canPublish, canSubscribe: t.canSubscribe, schemaId: t.schemaId,
      }));
      this.#topics.set(topic, info);
      info.catch(() => this.#topics.delete(topic));
    }
    return info;
  }

  /** GetSchema by id (cached). */
  async getSchema(schemaId: string): Promise<SchemaInfo> {
    const compiled = await this.schemas.get(schemaId);
    return { schemaId, schemaJson: compiled.json };
  }

  async #fetchSchema(schemaId: string, topic: string | undefined): Promise<string> {
    const started = performance.now();
    try {
      const info = await this.#unary(METHODS.GetSchema, { schemaId }, `GetSchema ${schemaId}`, topic);
      if (pubsubChannels.schema.hasSubscribers) pubsubChannels.schema.publish({ schemaId, durationMs: performance.now() - started, ok: true });
      return info.schemaJson;
    } catch (err) {
      if (pubsubChannels.schema.hasSubscribers) pubsubChannels.schema.publish({ schemaId, durationMs: performance.now() - started, ok: false });
      throw err;
    }
  }

  /**
   * Subscribes to a topic. Given a generated event (`OrderEvent`), payloads are typed; given a
   * topic name, payloads are plain records decoded with each event's own schema.
   *
   * A malformed `replay.after` throws `PubSubReplayIdError` here, and a malformed topic name a
   * `PubSubError`, before anything is sent. The stream opens on the first `next()`; an unknown topic
   * or a missing permission rejects it with `PubSubTopicNotFoundError` / `PubSubPermissionError`.
   */
  subscribe<Payload, Input>(event: EventDefinition<Payload, Input>, options?: SubscribeOptions): Subscription<Payload>;
  subscribe(topic: string, options?: SubscribeOptions): Subscription<Record<string, unknown>>;
  subscribe<Payload, Input>(target: string | EventDefinition<Payload, Input>, options: SubscribeOptions = {}): Subscription<Payload | Record<string, unknown>> {
    const { topic, decode } = this.#resolve(target);
    const malformed = topicNameError(topic);
    if (malformed) throw malformed;
    const sub = new Subscription<Payload | Record<string, unknown>>(this.#host, { kind: 'subscribe', topic }, decode, options);
    this.#track(sub);
    return sub;
  }

  /**
   * A managed subscription (ManagedSubscribe, beta at Salesforce): the server keeps the replay id
   * the client commits (after the application finished with an event; every 10 events and on
   * `stop()`), and a new subscription resumes after it.
   */
  managedSubscribe<Payload, Input>(target: ManagedTarget, event: EventDefinition<Payload, Input>, options?: Omit<SubscribeOptions, 'replay' | 'onInvalidReplayId'>): Subscription<Payload>;
  managedSubscribe(target: ManagedTarget, event?: string, options?: Omit<SubscribeOptions, 'replay' | 'onInvalidReplayId'>): Subscription<Record<string, unknown>>;
  managedSubscribe<Payload, Input>(target: ManagedTarget, event?: string | EventDefinition<Payload, Input>, options: Omit<SubscribeOptions, 'replay' | 'onInvalidReplayId'> = {}): Subscription<Payload | Record<string, unknown>> {
    const name = 'developerName' in target ? target.developerName : target.subscriptionId;
    if (typeof name !== 'string' || name === '') throw new ConfigError({ message: 'managedSubscribe: developerName or subscriptionId is required' });
    const resolved = event === undefined ? { topic: target.topic ?? `managed:${name}`, decode: decodePlain } : this.#resolve(event);
    const sub = new Subscription<Payload | Record<string, unknown>>(
      this.#host,
      { kind: 'managed', topic: resolved.topic, ...('developerName' in target ? { developerName: target.developerName } : { subscriptionId: target.subscriptionId }) },
      resolved.decode,
      options,
    );
    this.#track(sub);
    return sub;
  }

  #track(sub: Subscription<unknown>): void {
    this.#subscriptions.add(sub);
  }

  #resolve<Payload, Input>(target: string | EventDefinition<Payload, Input>): { topic: string; decode: PayloadDecoder<Payload | Record<string, unknown>> } {
    if (typeof target === 'string') return { topic: target, decode: decodePlain };
    if (target === null || typeof target !== 'object' || typeof target.topic !== 'string') {
      throw new ConfigError({ message: 'subscribe: pass a topic name or a generated event definition' });
    }
    return { topic: target.topic, decode: decodePlain };
  }

  /**
   * Publishes events (PublishStream). Given an array, one result per input, in input order; given
   * one input, its result. Inputs are payloads or `{ id, payload }` to choose the event uuid. Every
   * input is encoded before anything is sent: a bad one throws `PubSubInputError` and nothing is
   * published. A failed event is a result with `ok: false` and its error (`error.retryable`: the
   * server refused it, publishing it again cannot duplicate it), never an exception that loses the
   * results of the others.
   *
   * @example
   * ```ts
   * const results = await pubsub.publish(Order_Event__e, [{ Order_Number__c: 'A-1' }, { Order_Number__c: 'A-2' }]);
   * const retry = results.filter((r) => !r.ok && r.error.retryable).map((r) => inputs[r.index]);
   * const one = await pubsub.publish(Order_Event__e, { Order_Number__c: 'A-3' });
   * if (one.ok) console.log(one.replayId);
   * ```
   */
  publish<Payload, Input>(event: EventDefinition<Payload, Input>, inputs: readonly (NoInfer<Input> | PublishEnvelope<NoInfer<Input>>)[], options?: PublishOptions): Promise<PublishResult[]>;
  publish<Payload, Input>(event: EventDefinition<Payload, Input>, input: NoInfer<Input> | PublishEnvelope<NoInfer<Input>>, options?: PublishOptions): Promise<PublishResult>;
  publish(topic: string, inputs: readonly (Record<string, unknown> | PublishEnvelope<Record<string, unknown>>)[], options?: PublishOptions): Promise<PublishResult[]>;
  publish(topic: string, input: Record<string, unknown> | PublishEnvelope<Record<string, unknown>>, options?: PublishOptions): Promise<PublishResult>;
  async publish<Payload, Input>(
    target: string | EventDefinition<Payload, Input>,
    inputs: Input | PublishEnvelope<Input> | readonly (Input | PublishEnvelope<Input>)[],
    options?: PublishOptions,
  ): Promise<PublishResult[] | PublishResult> {
    const single = !Array.isArray(inputs);
    const list = (single ? [inputs] : inputs) as readonly (Input | PublishEnvelope<Input>)[];
    const results = typeof target === 'string'
      ? await publishEvents<Input>(this.#host, target, list, encodePlain as PayloadEncoder<Input>, options)
      : await publishEvents<Input>(this.#host, target.topic, list, definitionEncoder(target as EventDefinition<unknown, Input>), options);
    return single ? (results[0] as PublishResult) : results;
  }

  /** Stops every subscription (committing checkpoints) and closes the channel. The REST client stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    this.#subscriptions.clear();
    this.#channel?.close();
    this.#channel = undefined;
  }
}


