import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SalesforceClient } from 'sfgen/runtime';
import { startSimulator, type Simulator } from 'sfgen/simulator';
import { quickstart } from './quickstart.js';

const DEMO = path.resolve(import.meta.dirname, '../fixtures/demo-org');

describe('README quick-start against the simulator', () => {
  let sim: Simulator;
  let client: SalesforceClient;
  beforeAll(async () => {
    sim = await startSimulator({ metadataDir: DEMO });
    client = createClient({ auth: { instanceUrl: sim.url, accessToken: sim.issueAccessToken() }, allowInsecureLoopback: true });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('creates, updates, reads and queries with the generated types', async () => {
    const result = await quickstart(client);
    expect(result.id).toMatch(/^001[A-Za-z0-9]{15}$/);
    expect(result.names).toContain('Acme');
    expect(result.names.every((n) => n.startsWith('A'))).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(1);
    expect(result.contacts).toBeGreaterThan(0);
  });
});
