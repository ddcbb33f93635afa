/**
 * OpenTelemetry spans are children of the caller's active span. The API is not installed, so this
 * uses a small tracer provider that follows the `@opentelemetry/api` contract: immutable contexts
 * keyed by symbols, `context.active()` / `context.with()` backed by AsyncLocalStorage (what the
 * SDK's AsyncLocalStorageContextManager does), `trace.setSpan()` / `trace.getSpan()`, and
 * `tracer.startSpan(name, options, parentContext)` taking its parent from that context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics_channel from 'node:diagnostics_channel';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../../runtime/client.js';
import { CHANNELS } from '../../../runtime/observability/channels.js';
import { instrumentOpenTelemetry, type OtelApiLike, type OtelSpanLike } from '../../../runtime/observability/otel.js';
import { writeMiniOrg } from '../fixtures/mini-org.js';
import { Account } from '../fixtures/sobjects.js';

/** An immutable context, as `@opentelemetry/api`'s BaseContext. */
class Ctx {
  constructor(private readonly values: ReadonlyMap<symbol, unknown> = new Map()) {}
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): Ctx {
    return new Ctx(new Map([...this.values, [key, value]]));
  }
}
const ROOT = new Ctx();
const SPAN_KEY = Symbol('span');

interface FakeSpan extends OtelSpanLike {
  readonly id: number;
  readonly name: string;
  readonly parentId: number | undefined;
  readonly attributes: Record<string, unknown>;
  status?: { code: number; message?: string };
  ended: boolean;
}

function fakeOtel() {
  const storage = new AsyncLocalStorage<Ctx>();
  const spans: FakeSpan[] = [];
  let ids = 0;
  const asCtx = (c: unknown): Ctx => (c instanceof Ctx ? c : ROOT);
  const context = {
    active: (): Ctx => storage.getStore() ?? ROOT,
    with<R>(ctx: unknown, fn: () => R): R {
      return storage.run(asCtx(ctx), fn);
    },
  };
  const getSpan = (ctx: unknown): FakeSpan | undefined => asCtx(ctx).getValue(SPAN_KEY) as FakeSpan | undefined;
  const tracer = {
    startSpan(name: string, options?: { attributes?: Record<string, string | number | boolean> }, ctx?: unknown): FakeSpan {
      // The API contract: without an explicit context, the parent comes from the active one.
      const parent = getSpan(ctx === undefined ? context.active() : ctx);
      const span: FakeSpan = {
        id: ++ids, name, parentId: parent?.id, attributes: { ...options?.attributes }, ended: false,
        setAttribute(k, v) {
          span.attributes[k] = v;
          return span;
        },
        setStatus(s) {
          span.status = s;
          return span;
        },
        end() {
          span.ended = true;
        },
      };
      spans.push(span);
      return span;
    },
    /** `tracer.startActiveSpan(name, fn)`: fn runs with the new span active. */
    startActiveSpan<R>(name: string, fn: (span: FakeSpan) => R): R {
      const span = tracer.startSpan(name);
      return context.with(asCtx(context.active()).setValue(SPAN_KEY, span), () => fn(span));
    },
  };
  const api: OtelApiLike = {
    trace: { getTracer: () => tracer, setSpan: (ctx, span) => asCtx(ctx).setValue(SPAN_KEY, span) },
    context,
    metrics: {
      getMeter: () => ({
        createCounter: () => ({ add: () => undefined }),
        createHistogram: () => ({ record: () => undefined }),
        createObservableGauge: () => ({ addCallback: () => undefined }),
      }),
    },
    SpanStatusCode: { OK: 1, ERROR: 2 },
  };
  return { api, spans, tracer, getSpan, context };
}

let sim: Simulator;
let client: SalesforceClient;
let dir: string;

beforeAll(async () => {
  dir = writeMiniOrg({ accounts: 3 });
  sim = await startSimulator({ metadataDir: dir, pageSize: 2 });
  client = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenTelemetry context propagation', () => {
  it("parents each operation's span to the span active when the call starts, concurrent callers kept apart", async () => {
    const otel = fakeOtel();
    const handle = await instrumentOpenTelemetry({ api: otel.api });
    try {
      const [a, b] = await Promise.all([
        otel.tracer.startActiveSpan('job A', async (span) => {
          await client.describe('Account');
          await client.query('SELECT Id FROM Account').toArray(); // 3 rows, pages of 2: two operations
          return span;
        }),
        otel.tracer.startActiveSpan('job B', async (span) => {
          await client.sobject(Account).get('001000000000000AAA').catch(() => undefined);
          return span;
        }),
      ]);
      await client.describe('Account'); // no active span: a root span
      const sf = otel.spans.filter((s) => s.name.startsWith('salesforce '));
      const under = (parent: FakeSpan) => sf.filter((s) => s.parentId === parent.id).map((s) => s.name);
      expect(under(a)).toEqual(['salesforce describe Account', 'salesforce query', 'salesforce query']);
      expect(under(b)).toEqual(['salesforce sobject.get Account']);
      expect(sf.at(-1)).toMatchObject({ name: 'salesforce describe Account', parentId: undefined });
      expect(sf.every((s) => s.ended)).toBe(true);
      const failed = sf.find((s) => s.name === 'salesforce sobject.get Account')!;
      expect(failed.status?.code).toBe(2);
      expect(failed.attributes).toMatchObject({ 'sf.error_code': 'NOT_FOUND', 'http.response.status_code': 404, 'sf.sobject': 'Account', 'sf.api_version': '60.0' });
    } finally {
      handle.dispose();
    }
  });

  it('runs the call inside its span: what the call does (HTTP-level events) sees the sfgen span as active', async () => {
    const otel = fakeOtel();
    const handle = await instrumentOpenTelemetry({ api: otel.api });
    const seen: (FakeSpan | undefined)[] = [];
    const onStart = () => seen.push(otel.getSpan(otel.context.active()));
    diagnostics_channel.subscribe(CHANNELS.requestStart, onStart);
    try {
      await otel.tracer.startActiveSpan('outer', () => client.describe('Account'));
    } finally {
      diagnostics_channel.unsubscribe(CHANNELS.requestStart, onStart);
      handle.dispose();
    }
    const outer = otel.spans.find((s) => s.name === 'outer')!;
    const op = otel.spans.find((s) => s.name === 'salesforce describe Account')!;
    expect(op.parentId).toBe(outer.id);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.id).toBe(op.id);
  });

  it('after dispose, no spans are made and calls take the unobserved path', async () => {
    const otel = fakeOtel();
    const handle = await instrumentOpenTelemetry({ api: otel.api });
    handle.dispose();
    await otel.tracer.startActiveSpan('outer', () => client.describe('Account'));
    expect(otel.spans.map((s) => s.name)).toEqual(['outer']);
  });
});
