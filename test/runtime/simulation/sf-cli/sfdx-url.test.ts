// `sf org login sfdx-url` against the simulator over HTTPS: the CLI turns the auth URL's host into
// an https:// login URL, so it needs the simulator's `tls` option and its certificate trusted
// (NODE_EXTRA_CA_CERTS). The stored org then works for data commands, also after the simulator
// revoked every access token (the CLI refreshes with the stored refresh token).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { startSimulator } from 'sfgen/simulator';
import { SfCli } from './sf.js';

// Each sf command starts a Node process that loads ~700 packages: seconds each, more on a busy machine.
const SF_TIMEOUT = 180_000;
const REFRESH_TOKEN = '5Aep861SfdxUrlRefreshToken.Test';
const USER = 'ci-bot@sfgen.example';

let sim: Simulator;
let sf: SfCli;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: 'test/fixtures/demo-org', tls: true, auth: { users: [USER], refreshTokens: { [REFRESH_TOKEN]: USER } } });
  sf = await SfCli.create();
  const caFile = path.join(sf.home, 'simulator-ca.pem');
  await writeFile(caFile, sim.caPem!);
  env = { NODE_EXTRA_CA_CERTS: caFile };
}, SF_TIMEOUT);
afterAll(async () => {
  await sf?.dispose();
  await sim?.close();
});

async function authFile(name: string, url: string): Promise<string> {
  const file = path.join(sf.home, name);
  await writeFile(file, `${url}\n`, { mode: 0o600 });
  return name;
}

describe('sf org login sfdx-url against the simulator over HTTPS', () => {
  it('logs in with a registered refresh token, and sf data query works with the stored org', async () => {
    const host = new URL(sim.url).host;
    const file = await authFile('auth.txt', `force://sfgen-simulator::${REFRESH_TOKEN}@${host}`);
    const login = await sf.json<{ username: string; orgId: string; instanceUrl: string; loginUrl: string }>(['org', 'login', 'sfdx-url', '--sfdx-url-file', file, '--alias', 'sim'], env);
    expect(login).toMatchObject({ username: USER, orgId: sim.orgId, instanceUrl: sim.url, loginUrl: sim.url });
    expect(sim.stats().byRoute['POST /services/oauth2/token']).toBe(1);

    const q = await sf.json<{ totalSize: number; records: { Name: string }[] }>(['data', 'query', '-o', 'sim', '-q', 'SELECT Name FROM Account ORDER BY Name LIMIT 3'], env);
    const expected = sim.org
      .records('Account')
      .map((r) => r.Name as string)
      .sort()
      .slice(0, 3);
    expect(q.records.map((r) => r.Name)).toEqual(expected);

    // Every access token revoked: the CLI refreshes through the token endpoint and carries on.
    sim.revokeAccessTokens();
    const tokenCalls = sim.stats().byRoute['POST /services/oauth2/token'] ?? 0;
    const again = await sf.json<{ totalSize: number }>(['data', 'query', '-o', 'sim', '-q', 'SELECT Id FROM Contact'], env);
    expect(again.totalSize).toBe(sim.org.records('Contact').length);
    expect(sim.stats().byRoute['POST /services/oauth2/token']).toBeGreaterThan(tokenCalls);
  }, SF_TIMEOUT);

  it('fails on a refresh token the org does not know, with the token endpoint\'s error', async () => {
    const host = new URL(sim.url).host;
    const file = await authFile('bad.txt', `force://sfgen-simulator::5Aep861NotRegistered@${host}`);
    const r = await sf.run(['org', 'login', 'sfdx-url', '--sfdx-url-file', file, '--alias', 'bad', '--json'], env);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/expired access\/refresh token|invalid_grant/);
  }, SF_TIMEOUT);

  it('cannot reach the simulator without its certificate trusted (the CLI insists on https)', async () => {
    const host = new URL(sim.url).host;
    const file = await authFile('untrusted.txt', `force://sfgen-simulator::${REFRESH_TOKEN}@${host}`);
    const r = await sf.run(['org', 'login', 'sfdx-url', '--sfdx-url-file', file, '--alias', 'untrusted', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/self[- ]signed certificate/i);
  }, SF_TIMEOUT);
});
