/**
 * A simulator serving the bundled demo org and a client connected to it over real sockets, for
 * end-to-end tests: `const demo = useDemoOrg();` in a test file, then `demo.client` / `demo.sim`
 * inside tests (started in beforeAll, closed in afterAll).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createClient, type SalesforceClient } from '../../../runtime/client.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../runtime/simulation/index.js';

export const DEMO_ORG_DIR = fileURLToPath(new URL('../../fixtures/demo-org', import.meta.url));

export interface DemoOrg {
  readonly sim: Simulator;
  readonly client: SalesforceClient;
}

/** Registers the hooks; the returned object's members are available once beforeAll has run. */
export function useDemoOrg(options: Omit<SimulatorOptions, 'metadataDir'> = {}): DemoOrg {
  let sim: Simulator | undefined;
  let client: SalesforceClient | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ metadataDir: DEMO_ORG_DIR, ...options });
    client = createClient({ auth: { accessToken: sim.issueAccessToken(), instanceUrl: sim.url }, allowInsecureLoopback: true });
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the demo org's ${what} is used before beforeAll started it`);
    return value;
  };
  return {
    get sim() {
      return started(sim, 'simulator');
    },
    get client() {
      return started(client, 'client');
    },
  };
}
