/**
 * Pub/Sub fault injection: what Salesforce's Pub/Sub API does to long-lived streams and publishes
 * on a bad day, on demand. Reached as `sim.pubsub.faults`.
 */

/** How a stream fault ends (or stalls) a Subscribe / ManagedSubscribe stream. */
export type StreamFaultAction =
  /** Status 14 UNAVAILABLE, `sfdc.platform.eventbus.grpc.service.unavailable`. */
  | 'unavailable'
  /** Status 13 INTERNAL, same message and trailers. */
  | 'internal'
  /** HTTP/2 RST_STREAM (code 0) without a gRPC status: grpc-js reports 13 INTERNAL "Received RST_STREAM". */
  | 'rst_stream'
  /** Stay open and send nothing more: no events, no keepalives (a stalled or half-open stream). */
  | 'silence';

/** A stream fault rule. */
export interface StreamFaultSpec {
  readonly action: StreamFaultAction;
  /** Fire after this many more events were delivered on a stream (default 0: at once). */
  readonly afterEvents?: number;
  /** How many streams it hits (default 1; `Infinity` for every stream). Open streams count first. */
  readonly times?: number;
  /** Only streams on this topic. */
  readonly topic?: string;
}

/** A publish fault rule: events that fail with `Error { code: PUBLISH }`. */
export interface PublishFaultSpec {
  /** Let this many matching events through first (default 0). */
  readonly after?: number;
  /** How many events fail (default 1; `Infinity` for all). */
  readonly times?: number;
  /** Fail only every n-th matching event (default 1: each one). */
  readonly every?: number;
  readonly topic?: string;
  /** The error message (default Salesforce-like). */
  readonly message?: string;
}

/** A registered stream or publish fault. */
export interface PubSubFault {
  /** Times it fired so far. */
  readonly fired: number;
  readonly active: boolean;
  remove(): void;
}

class StreamRule implements PubSubFault {
  fired = 0;
  removed = false;
  constructor(readonly spec: StreamFaultSpec) {}
  get active(): boolean {
    return !this.removed && this.fired < (this.spec.times ?? 1);
  }
  remove(): void {
    this.removed = true;
  }
}

class PublishRule implements PubSubFault {
  fired = 0;
  seen = 0;
  removed = false;
  constructor(readonly spec: PublishFaultSpec) {}
  get active(): boolean {
    return !this.removed && this.fired < (this.spec.times ?? 1);
  }
  remove(): void {
    this.removed = true;
  }
}

/** What an open stream exposes to the fault registry. */
export interface FaultableStream {
  readonly topicName: string;
  /** Arm a fault on this stream: fire after `afterEvents` more events. */
  arm(action: StreamFaultAction, afterEvents: number): void;
}

/** Hooks the simulator gives the registry. */
export interface PubSubFaultHooks {
  openStreams(): readonly FaultableStream[];
  /** Revoke every access token; with `cutStreams`, end open streams with UNAUTHENTICATED. */
  expireSessions(cutStreams: boolean): void;
  /** Evict events through `replayId` of `topic` as if the retention window had passed them. */
  evictThrough(topic: string, replayId: Uint8Array): void;
  /** Give the topic a new schema (current schema plus an optional field); returns its id. */
  changeSchema(topic: string, schema?: unknown): string;
}

/**
 * Pub/Sub faults.
 *
 * @example
 * ```ts
 * sim.pubsub.faults.endStreamsEvery(50, 'unavailable');   // every stream dies after 50 events
 * sim.pubsub.faults.addStreamFault({ action: 'silence' }); // the open (or next) stream stalls
 * sim.pubsub.faults.failPublishes({ every: 3, times: Infinity });
 * sim.pubsub.faults.expireSessions();
 * const newSchemaId = sim.pubsub.faults.changeSchema('/event/Order_Event__e');
 * ```
 */
export class PubSubFaultRegistry {
  private streamRules: StreamRule[] = [];
  private publishRules: PublishRule[] = [];
  private readonly rejectedReplayIds: { hex: string; remaining: number }[] = [];

  constructor(private readonly hooks: PubSubFaultHooks) {}

  /** Hit open streams (first) and then new ones with a stream fault. */
  addStreamFault(spec: StreamFaultSpec): PubSubFault {
    const afterEvents = spec.afterEvents ?? 0;
    if (!Number.isInteger(afterEvents) || afterEvents < 0) throw new RangeError(`afterEvents must be a non-negative integer, got ${afterEvents}`);
    const rule = new StreamRule(spec);
    this.streamRules.push(rule);
    for (const s of this.hooks.openStreams()) {
      if (!rule.active) break;
      if (spec.topic !== undefined && spec.topic.toLowerCase() !== s.topicName.toLowerCase()) continue;
      rule.fired++;
      s.arm(spec.action, afterEvents);
    }
    return rule;
  }

  /** Every stream (open and future) ends with `action` after each `k` events it delivered. */
  endStreamsEvery(k: number, action: Exclude<StreamFaultAction, 'silence'> = 'unavailable', topic?: string): PubSubFault {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`endStreamsEvery needs k >= 1, got ${k}`);
    return this.addStreamFault({ action, afterEvents: k, times: Infinity, ...(topic !== undefined && { topic }) });
  }

  /** Open streams (and the next `times - open` new ones) stop sending anything. */
  goSilent(options: { afterEvents?: number; times?: number; topic?: string } = {}): PubSubFault {
    return this.addStreamFault({ action: 'silence', ...options });
  }

  /** Fail published events (gRPC Publish and PublishStream): each gets `Error { code: PUBLISH }` and no replay id. */
  failPublishes(spec: PublishFaultSpec = {}): PubSubFault {
    const rule = new PublishRule(spec);
    this.publishRules.push(rule);
    return rule;
  }

  /**
   * Revoke every access token: new calls (GetSchema included) fail with UNAUTHENTICATED. Open
   * streams end with UNAUTHENTICATED too, unless `cutStreams` is false (then they keep delivering,
   * as a stream that outlives its session does, and only the client's next call fails).
   */
  expireSessions(options: { cutStreams?: boolean } = {}): void {
    this.hooks.expireSessions(options.cutStreams ?? true);
  }

  /** The next `times` subscriptions with CUSTOM replay at `replayId` are rejected as corrupted. */
  rejectReplayId(replayId: Uint8Array, times = 1): void {
    this.rejectedReplayIds.push({ hex: Buffer.from(replayId).toString('hex'), remaining: times });
  }

  /** Evict a topic's events through `replayId` (as if retention had passed them). */
  evictThrough(topic: string, replayId: Uint8Array): void {
    this.hooks.evictThrough(topic, replayId);
  }

  /** Change a topic's schema mid-stream (default: the current one plus a nullable string field). */
  changeSchema(topic: string, schema?: unknown): string {
    return this.hooks.changeSchema(topic, schema);
  }

  /** Remove every fault. */
  clear(): void {
    this.streamRules = [];
    this.publishRules = [];
    this.rejectedReplayIds.length = 0;
  }

  /** @internal Faults for a new stream on `topic`: `[action, afterEvents]` pairs. */
  forNewStream(topic: string): [StreamFaultAction, number][] {
    const out: [StreamFaultAction, number][] = [];
    for (const r of this.streamRules) {
      if (!r.active) continue;
      if (r.spec.topic !== undefined && r.spec.topic.toLowerCase() !== topic.toLowerCase()) continue;
      r.fired++;
      out.push([r.spec.action, r.spec.afterEvents ?? 0]);
    }
    this.streamRules = this.streamRules.filter((r) => !r.removed);
    return out;
  }

  /** @internal The error message when this published event must fail, else undefined. */
  publishFailure(topic: string): string | undefined {
    for (const r of this.publishRules) {
      if (!r.active) continue;
      if (r.spec.topic !== undefined && r.spec.topic.toLowerCase() !== topic.toLowerCase()) continue;
      r.seen++;
      if (r.seen <= (r.spec.after ?? 0)) continue;
      if ((r.seen - (r.spec.after ?? 0) - 1) % (r.spec.every ?? 1) !== 0) continue;
      r.fired++;
      return r.spec.message ?? 'Publish failed: the event could not be stored on the event bus (simulated fault).';
    }
    return undefined;
  }

  /** @internal Whether a CUSTOM replay id must be rejected now. */
  takeRejectedReplayId(replayId: Uint8Array): boolean {
    const hex = Buffer.from(replayId).toString('hex');
    const r = this.rejectedReplayIds.find((x) => x.hex === hex && x.remaining > 0);
    if (r === undefined) return false;
    r.remaining--;
    return true;
  }
}
