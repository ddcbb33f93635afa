import diagnostics_channel from 'node:diagnostics_channel';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../../runtime/client.js';
import { CHANNELS, type RequestEndMessage, type RequestStartMessage } from '../../../runtime/observability/channels.js';
import { instrumentOpenTelemetry, type OtelApiLike } from '../../../runtime/observability/otel.js';
import { writeMiniOrg } from '../fixtures/mini-org.js';
import { Account } from '../fixtures/sobjects.js';

let sim: Simulator;
let client: SalesforceClient;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = writeMiniOrg({ accounts: 3 });
  sim = await startSimulator({ metadataDir: dir });
  token = sim.issueAccessToken();
  client = createClient({ auth: { accessToken: token, instanceUrl: sim.url }, allowInsecureLoopback: true });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function listen<T>(channel: string): { messages: T[]; stop(): void } {
  const messages: T[] = [];
  const fn = (m: unknown) => messages.push(m as T);
  diagnostics_channel.subscribe(channel, fn);
  return { messages, stop: () => diagnostics_channel.unsubscribe(channel, fn) };
}

describe('diagnostics_channel events', () => {
  it('publishes request start and end with method, secret-free URL, status and duration', async () => {
    const starts = listen<RequestStartMessage>(CHANNELS.requestStart);
    const ends = listen<RequestEndMessage>(CHANNELS.requestEnd);
    await client.describe('Account');
    starts.stop();
    ends.stop();
    expect(starts.messages).toHaveLength(1);
    expect(starts.messages[0]).toMatchObject({ method: 'GET', url: `${sim.url}/services/data/v60.0/sobjects/Account/describe`, operation: 'describe', sobject: 'Account' });
    expect(ends.messages[0]).toMatchObject({ status: 200, id: starts.messages[0]!.id });
    expect(ends.messages[0]!.durationMs).toBeGreaterThan(0);
    expect(JSON.stringify([starts.messages, ends.messages])).not.toContain(token);
  });

  it('publishes nothing and builds nothing when nobody listens', () => {
    expect(diagnostics_channel.channel(CHANNELS.requestStart).hasSubscribers).toBe(false);
    expect(diagnostics_channel.channel(CHANNELS.operationEnd).hasSubscribers).toBe(false);
  });
});

describe('OpenTelemetry adapter', () => {
  it('costs nothing without an installed SDK: disabled, no subscription', async () => {
    const handle = await instrumentOpenTelemetry();
    expect(handle.enabled).toBe(false);
    expect(diagnostics_channel.channel(CHANNELS.operationEnd).hasSubscribers).toBe(false);
    handle.dispose();
  });

  it('turns operations into spans and metrics with sobject and API version', async () => {
    const spans: { name: string; attributes: Record<string, unknown>; status?: { code: number }; ended: boolean }[] = [];
    const counters: Record<string, unknown>[] = [];
    const histogram: number[] = [];
    const gauges: number[] = [];
    let gaugeCallback: ((r: { observe(v: number): void }) => void) | undefined;
    const api: OtelApiLike = {
      trace: {
        getTracer: () => ({
          startSpan(name, options) {
            const span = { name, attributes: { ...options?.attributes }, status: undefined as { code: number } | undefined, ended: false };
            spans.push(span);
            return { setAttribute: (k, v) => (span.attributes[k] = v), setStatus: (s) => (span.status = s), end: () => (span.ended = true) };
          },
        }),
      },
      metrics: {
        getMeter: () => ({
          createCounter: () => ({ add: (_v, a) => counters.push(a ?? {}) }),
          createHistogram: () => ({ record: (v) => histogram.push(v) }),
          createObservableGauge: () => ({ addCallback: (cb) => (gaugeCallback = cb) }),
        }),
      },
      SpanStatusCode: { OK: 1, ERROR: 2 },
    };
    const handle = await instrumentOpenTelemetry({ api });
    expect(handle.enabled).toBe(true);
    await client.describe('Account');
    await client.sobject(Account).get('001000000000000AAA').catch(() => undefined);
    handle.dispose();
    await client.describe('Account'); // after dispose: not recorded
    expect(spans.map((s) => s.name)).toEqual(['salesforce describe Account', 'salesforce sobject.get Account']);
    expect(spans[0]!.attributes).toMatchObject({ 'sf.operation': 'describe', 'sf.sobject': 'Account', 'sf.api_version': '60.0', 'http.response.status_code': 200 });
    expect(spans[1]!.status?.code).toBe(2);
    expect(spans[1]!.attributes['sf.error_code']).toBe('NOT_FOUND');
    expect(spans.every((s) => s.ended)).toBe(true);
    expect(counters).toHaveLength(2);
    expect(counters[1]).toMatchObject({ operation: 'sobject.get', outcome: 'error', status: 404 });
    expect(histogram.every((v) => v > 0 && v < 10)).toBe(true);
    gaugeCallback?.({ observe: (v) => gauges.push(v) });
    expect(gauges[0]).toBe(sim.apiUsage().max - (sim.apiUsage().used - 1));
  });
});
