import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { startTiny } from '../helpers.js';

// A Bulk API 2.0 client nobody here wrote (jsforce 3 `bulk2`, the benchmark's peer) against the simulator.
let sim: Simulator;
let conn: InstanceType<typeof jsforce.Connection>;

beforeAll(async () => {
  sim = await startTiny();
  conn = new jsforce.Connection({ instanceUrl: sim.url, accessToken: sim.issueAccessToken(), version: '60.0' });
});
afterAll(async () => {
  await sim.close();
});

describe('jsforce bulk2 against the simulator', () => {
  it('ingests and reads successful and failed results', async () => {
    const res = await conn.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'insert',
      input: 'Name,NumberOfEmployees\n"Js, Force",3\n,4\n',
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    expect(res.successfulResults).toHaveLength(1);
    expect(res.successfulResults[0]).toMatchObject({ sf__Created: 'true', Name: 'Js, Force' });
    expect(res.failedResults).toHaveLength(1);
    expect(res.failedResults[0]).toMatchObject({ sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --' });
    expect(res.unprocessedRecords).toHaveLength(0);
  });

  // One result set only: jsforce 3.10 pipes every set into one stream that the first set's end
  // closes, so small sets fail with "write after end" (large ones survive by backpressure, which
  // is how issue 12 saw each later set's header row come back as a record).
  it('queries', async () => {
    const rows = (await (await conn.bulk2.query('SELECT Id, Name FROM Account', { pollInterval: 20, pollTimeout: 10_000 })).toArray()) as Record<string, string>[];
    expect(rows).toHaveLength(sim.store.records('Account').length);
    expect(rows.map((r) => r.Id).sort()).toEqual(sim.store.records('Account').map((r) => r.Id).sort());
  });
});
