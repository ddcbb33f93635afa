/**
 * Record/replay: record against the simulator (JWT auth, paged query, writes), then play back with
 * the simulator gone; cassettes are readable, normalized and secret-free; a missing recording is a
 * loud error naming the request; update mode adds what is new.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../../runtime/client.js';
import { jwtBearer } from '../../../runtime/auth/providers.js';
import { ConfigError, ReplayMissingError } from '../../../runtime/errors.js';
import type { CassetteFile, ReplayOptions } from '../../../runtime/replay/cassette.js';
import { writeMiniOrg } from '../fixtures/mini-org.js';
import { Account } from '../fixtures/sobjects.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const tmp = mkdtempSync(join(tmpdir(), 'sfgen-replay-'));
let dir: string;

beforeAll(() => {
  dir = writeMiniOrg({ accounts: 450 });
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

async function withSim<T>(fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({
    metadataDir: dir, pageSize: 200,
    auth: { clientId: 'replay-app', jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), users: ['rec@sfgen.test'] },
  });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

function makeClient(loginUrl: string, replay: ReplayOptions): SalesforceClient {
  return createClient({
    auth: jwtBearer({ clientId: 'replay-app', username: 'rec@sfgen.test', privateKey: privatePem, loginUrl }),
    allowInsecureLoopback: true,
    replay,
  });
}

/** The application code under test. */
async function scenario(client: SalesforceClient, withDates = false) {
  const describe = await client.describe('Account');
  const rows = await client.query('SELECT Id, Name FROM Account').toArray();
  const { id } = await client.sobject(Account).create({ Name: 'Recorded' });
  const row = await client.sobject(Account).get(id, { fields: withDates ? ['Name', 'CreatedDate'] : ['Name'] });
  return { fields: 'fields' in describe ? describe.fields.length : 0, rows: rows.length, name: row.Name, id };
}

describe('record and playback', () => {
  const cassette = join(tmp, 'scenario.json');
  let recorded: Awaited<ReturnType<typeof scenario>>;
  let simUrl = '';
  let secrets: string[] = [];

  it('records a scenario into a readable JSON cassette', async () => {
    await withSim(async (sim) => {
      simUrl = sim.url;
      const client = makeClient(sim.url, { mode: 'record', cassette });
      recorded = await scenario(client);
      secrets = [(await client.token()).accessToken];
      await client.close();
    });
    expect(recorded.rows).toBe(450);
    const text = readFileSync(cassette, 'utf8');
    const file = JSON.parse(text) as CassetteFile;
    expect(file.sfgen).toBe('cassette');
    expect(file.interactions.map((i) => `${i.request.method} ${i.request.path.split('?')[0]}`)).toEqual([
      'POST /services/oauth2/token',
      'GET /services/data/v60.0/sobjects/Account/describe',
      'GET /services/data/v60.0/query',
      'GET /services/data/v60.0/query/cursor1-200',
      'GET /services/data/v60.0/query/cursor1-400',
      'POST /services/data/v60.0/sobjects/Account',
      `GET /services/data/v60.0/sobjects/Account/${recorded.id}`,
    ]);
    expect(text).toContain('"nextRecordsUrl": "/services/data/v60.0/query/cursor1-200"');
    expect(text).toContain('{{instanceUrl}}');
    expect(text).not.toContain(simUrl);
    expect(text.split('\n').length).toBeGreaterThan(100); // pretty-printed
    // Secrets never written: access token, assertion, Authorization header.
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT assertion
    expect(text.toLowerCase()).not.toContain('authorization');
    expect(file.interactions[0]!.request.body).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: '[REDACTED]' });
    expect(file.interactions[0]!.response.body).toMatchObject({ access_token: '[REDACTED]' });
    expect(Object.keys(file.interactions[1]!.response.headers)).not.toContain('date');
  });

  it('plays the scenario back with no server at all', async () => {
    const client = makeClient(simUrl, { mode: 'playback', cassette }); // simUrl is closed: any network use would fail
    const replayed = await scenario(client);
    expect(replayed).toEqual(recorded);
    await client.close();
  });

  it('fails loudly, naming the request, when playback has no recording', async () => {
    const client = makeClient(simUrl, { mode: 'playback', cassette });
    await client.describe('Account');
    const err = await client.describe('Contact').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayMissingError);
    expect((err as ReplayMissingError).code).toBe('SF_REPLAY_MISSING');
    expect((err as Error).message).toContain('no recording for GET /services/data/v60.0/sobjects/Contact/describe');
    expect((err as Error).message).toContain(cassette);
    // The second identical describe was recorded once only: it is missing too.
    await expect(client.describe('Account')).rejects.toThrow(/recording\(s\) of that path exist/);
    await client.close();
  });

  it('never writes in playback and refuses a missing cassette', async () => {
    const before = readFileSync(cassette, 'utf8');
    const client = makeClient(simUrl, { mode: 'playback', cassette });
    await client.describe('Account');
    await client.close();
    expect(readFileSync(cassette, 'utf8')).toBe(before);
    expect(() => makeClient(simUrl, { mode: 'playback', cassette: join(tmp, 'nope.json') })).toThrow(ConfigError);
  });

  it('update mode plays back what exists and records what is new', async () => {
    const updated = join(tmp, 'updated.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(updated, readFileSync(cassette, 'utf8'));
    await withSim(async (sim) => {
      const client = makeClient(sim.url, { mode: 'update', cassette: updated });
      sim.resetStats();
      await client.describe('Account'); // a live token request; the describe plays back
      expect(Object.keys(sim.stats().byRoute).join()).not.toMatch(/describe/);
      expect(sim.stats().requests).toBe(1);
      await client.describe('Contact'); // new: a live token, then the live describe
      expect(sim.stats().requests).toBe(2);
      await client.close();
    });
    const file = JSON.parse(readFileSync(updated, 'utf8')) as CassetteFile;
    expect(file.interactions.length).toBe(8);
    expect(file.interactions.at(-1)!.response.status).toBe(200);
    expect(file.interactions.at(-1)!.request.path).toBe('/services/data/v60.0/sobjects/Contact/describe');
  });

  it('with stableTimestamps, re-recording the same scenario gives the same file', async () => {
    const a = join(tmp, 'a.json');
    const b = join(tmp, 'b.json');
    for (const file of [a, b]) {
      await withSim(async (sim) => {
        const client = makeClient(sim.url, { mode: 'record', cassette: file, stableTimestamps: true });
        await scenario(client, true);
        await client.close();
      });
    }
    const textA = readFileSync(a, 'utf8');
    expect(textA).toContain('2000-01-01T00:00:00.000+0000');
    expect(readFileSync(b, 'utf8')).toBe(textA);
  });
});
