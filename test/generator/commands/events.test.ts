/**
 * `sfgen events subscribe|publish` end to end: the CLI as a child process against the simulator's
 * Pub/Sub API over TLS (its certificate passed with --ca-file).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'sfgen/simulator';
import { REPO, run, TMP_ROOT } from './helpers.js';
import { mkdir } from 'node:fs/promises';
import { sourceFromEnv } from '../../../generator/config.js';

const TOPIC = '/event/Order_Event__e';
const tsx = path.join(REPO, 'node_modules/tsx/dist/cli.mjs');
let sim: Simulator;
let dir: string;
let caFile: string;

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: path.join(REPO, 'test/fixtures/demo-org'), grpcPort: 0, auth: { clientSecret: 'cli-secret' } });
  await mkdir(TMP_ROOT, { recursive: true });
  dir = await mkdtemp(path.join(TMP_ROOT, 'events-'));
  caFile = path.join(dir, 'ca.pem');
  await writeFile(caFile, sim.pubsub!.caPem!);
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function sfgen(args: readonly string[], env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, SF_INSTANCE_URL: sim.url, SF_ACCESS_TOKEN: sim.issueAccessToken(), ...env };
  for (const k of ['SF_CLIENT_ID', 'SF_CLIENT_SECRET', 'SF_REFRESH_TOKEN', 'SF_USERNAME', 'SF_JWT_KEY_FILE', 'SF_LOGIN_URL']) if (!(k in env)) delete base[k];
  return run(process.execPath, [tsx, '--conditions=sfgen-source', 'generator/cli.ts', 'events', ...args, '--pubsub-endpoint', sim.pubsub!.endpoint, '--ca-file', caFile], { env: base, timeoutMs: 60_000 });
}

const lines = (text: string) => text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const bus = () => sim.pubsub!.retained(TOPIC).map((e) => ({ id: e.id, replayId: e.replayId.readBigUInt64BE().toString() }));

// Each case starts the CLI (tsx compiles it): seconds on an idle machine, much more on a loaded one.
describe('sfgen events', { timeout: 240_000 }, () => {
  it('publish: one result line per event; a rejected event is retried alone; exit 0 when all were published', async () => {
    const file = path.join(dir, 'in.ndjson');
    await writeFile(file, [
      JSON.stringify({ Order_Number__c: 'C-1', Amount__c: 1 }),
      '',
      JSON.stringify({ id: 'my-event-2', payload: { Order_Number__c: 'C-2' } }),
      JSON.stringify({ Order_Number__c: 'C-3' }),
    ].join('\n'));
    sim.pubsub!.faults.failPublishes({ after: 1, times: 1 });
    const res = await sfgen(['publish', TOPIC, '--file', file, '--retries', '1']);
    expect(res.stderr).toMatch(/retrying 1 failed event/);
    expect(res.code).toBe(0);
    const out = lines(res.stdout);
    expect(out.map((l) => l.line)).toEqual([1, 3, 4]);
    expect(out[1]!.id).toBe('my-event-2');
    expect(out.every((l) => typeof l.replayId === 'string' && l.error === undefined)).toBe(true);
    expect(new Set(bus().map((e) => e.id))).toEqual(new Set(out.map((l) => l.id)));
  });

  it('publish: exit 2 with an error line when an event still failed after --retries', async () => {
    const file = path.join(dir, 'fail.ndjson');
    await writeFile(file, `${JSON.stringify({ Order_Number__c: 'F-1' })}\n${JSON.stringify({ Order_Number__c: 'F-2' })}\n`);
    const before = bus().length;
    sim.pubsub!.faults.failPublishes({ times: 1 });
    const res = await sfgen(['publish', TOPIC, '--file', file, '--retries', '0']);
    expect(res.code).toBe(2);
    const out = lines(res.stdout);
    expect(out[0]).toMatchObject({ line: 1, error: { code: 'SF_PUBSUB_PUBLISH', retryable: true } });
    expect(out[1]).toMatchObject({ line: 2, replayId: expect.any(String) });
    expect(bus().length).toBe(before + 1);
  });

  it('publish: a bad line is an error naming file and line; nothing is sent (exit 1)', async () => {
    const file = path.join(dir, 'bad.ndjson');
    await writeFile(file, `${JSON.stringify({ Order_Number__c: 'B-1' })}\n{not json\n`);
    const before = bus().length;
    const res = await sfgen(['publish', TOPIC, '--file', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${file}:2: not JSON`);
    const wrongType = path.join(dir, 'type.ndjson');
    await writeFile(wrongType, `${JSON.stringify({ Order_Number__c: 7 })}\n`);
    const res2 = await sfgen(['publish', TOPIC, '--file', wrongType]);
    expect(res2.code).toBe(1);
    expect(res2.stderr).toMatch(/event #0 .*Order_Number__c/);
    expect(bus().length).toBe(before);
  });

  it('subscribe --json --limit: NDJSON of the bus from earliest, replay ids as decimal strings, exit 0 (client credentials auth)', async () => {
    const res = await sfgen(['subscribe', TOPIC, '--replay', 'earliest', '--limit', '3', '--json'], {
      SF_ACCESS_TOKEN: '', SF_CLIENT_ID: 'sfgen-simulator', SF_CLIENT_SECRET: 'cli-secret', SF_LOGIN_URL: sim.url,
    });
    expect(res.code, res.stderr).toBe(0);
    const out = lines(res.stdout);
    expect(out.map((l) => l.replayId)).toEqual(bus().slice(0, 3).map((e) => e.replayId));
    expect(out[0]).toMatchObject({ schemaId: sim.pubsub!.schemaId(TOPIC), payload: { Order_Number__c: 'C-1', Amount__c: 1 } });
    expect(res.stderr).toMatch(/3 event\(s\)/);
    expect(res.stdout).not.toContain('cli-secret');
  });

  it('a half-set environment: exit 1 with the error generate gives (the shared sourceFromEnv)', async () => {
    const halfSet = { SF_ACCESS_TOKEN: '', SF_INSTANCE_URL: '', SF_CLIENT_ID: 'sfgen-simulator' };
    const expected = (() => {
      try {
        sourceFromEnv(halfSet, REPO);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    })();
    expect(expected).toMatch(/SF_CLIENT_ID is set but no way to log in is/);
    const res = await sfgen(['subscribe', TOPIC, '--limit', '1'], halfSet);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(expected);
    const file = path.join(dir, 'env.ndjson');
    await writeFile(file, `${JSON.stringify({ Order_Number__c: 'E-1' })}\n`);
    const before = bus().length;
    const jwt = await sfgen(['publish', TOPIC, '--file', file], { ...halfSet, SF_USERNAME: 'a@b.c' });
    expect(bus().length).toBe(before);
    expect(jwt.code).toBe(1);
    expect(jwt.stderr).toContain('The JWT bearer login needs SF_CLIENT_ID + SF_USERNAME + SF_JWT_KEY_FILE: SF_CLIENT_ID, SF_USERNAME are set but SF_JWT_KEY_FILE is not');
  });

  it('an expired access token with a login in the environment: the login gets a new token and the command succeeds', async () => {
    const res = await sfgen(['subscribe', TOPIC, '--replay', 'earliest', '--limit', '1', '--json'], {
      SF_ACCESS_TOKEN: '00DSm0000000001!expired-token', SF_CLIENT_ID: 'sfgen-simulator', SF_CLIENT_SECRET: 'cli-secret', SF_LOGIN_URL: sim.url,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(lines(res.stdout).map((l) => l.replayId)).toEqual(bus().slice(0, 1).map((e) => e.replayId));
    // Without the login, the same token is an error (no refresh to fall back on).
    const alone = await sfgen(['subscribe', TOPIC, '--replay', 'earliest', '--limit', '1'], { SF_ACCESS_TOKEN: '00DSm0000000001!expired-token' });
    expect(alone.code).toBe(1);
    expect(alone.stderr).not.toContain('expired-token');
  });

  it('subscribe --replay with a malformed id: exit 1 naming it and the topic', async () => {
    const bad = await sfgen(['subscribe', TOPIC, '--replay', 'yesterday', '--limit', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/malformed replay id "yesterday" for \/event\/Order_Event__e/);
  });
});
