// The Salesforce CLI (2.138.0, pinned in test/tools/sf-cli) against the simulator over real
// sockets: login with an access token (the CLI keeps the instance URL with a trailing slash and
// then requests //services/...), `data query` in each result format (it asks for columns=true
// metadata after every query that returns rows) and `data search` (SOSL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each sf command starts a Node process that loads ~700 packages: seconds each, more on a busy machine.
const SF_TIMEOUT = 180_000;
import type { Simulator } from 'sfgen/simulator';
import { startSimulator } from 'sfgen/simulator';
import { SfCli } from './sf.js';

const DEMO = 'test/fixtures/demo-org';
let sim: Simulator;
let sf: SfCli;

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: DEMO });
  sf = await SfCli.create();
  const login = await sf.loginAccessToken(sim.url, sim.issueAccessToken(), 'sim');
  expect(login.username).toBe(sim.defaultUser.username);
  // The CLI keeps the trailing slash, so every later request goes to //services/data/...
  expect(login.instanceUrl).toBe(`${sim.url}/`);
}, SF_TIMEOUT);
afterAll(async () => {
  await sf?.dispose();
  await sim?.close();
});

describe('sf data query against the simulator', () => {
  it('prints a human table with parent fields and child subquery rows', async () => {
    const r = await sf.run(['data', 'query', '-o', 'sim', '-q', "SELECT Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'Acme Industries'"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/NAME\s+│\s+OWNER\.NAME\s+│\s+CONTACTS\.LASTNAME/);
    expect(r.stdout).toMatch(/Acme Industries\s+│\s+Grace Hopper\s+│\s+Hamilton/);
    expect(r.stdout).toContain('Total number of records retrieved: 1.');
    // The CLI came through //services/... and asked for the column metadata.
    expect(sim.stats().byRoute['GET /query']).toBeGreaterThanOrEqual(2);
  }, SF_TIMEOUT);

  it('writes CSV, aggregate columns named as written', async () => {
    const r = await sf.run(['data', 'query', '-o', 'sim', '-r', 'csv', '-q', 'SELECT Industry, COUNT(Id) FROM Account WHERE Industry != null GROUP BY Industry ORDER BY Industry LIMIT 2']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('Industry,COUNT(Id)');
    expect(lines.slice(1)).toEqual(['Agriculture,2', 'Apparel,2']);
  }, SF_TIMEOUT);

  it('answers --json with the records and totalSize', async () => {
    const result = await sf.json<{ totalSize: number; records: { Name: string; attributes: { type: string } }[] }>([
      'data', 'query', '-o', 'sim', '-q', "SELECT Id, Name FROM Account WHERE Name LIKE 'Acme%' ORDER BY Name",
    ]);
    expect(result.totalSize).toBe(3);
    expect(result.records.map((x) => x.Name)).toEqual(['Acme Corporation', 'Acme Industries', 'Acme Systems']);
    expect(result.records[0]!.attributes.type).toBe('Account');
  }, SF_TIMEOUT);
});

describe('sf data search against the simulator', () => {
  it('runs SOSL with IN NAME FIELDS and RETURNING fields per object', async () => {
    const result = await sf.json<{ searchRecords: { attributes: { type: string }; Name?: string; LastName?: string }[] }>([
      'data', 'search', '-o', 'sim', '-q', 'FIND {Acme} IN NAME FIELDS RETURNING Account(Name ORDER BY Name LIMIT 2), Contact(LastName)',
    ]);
    expect(result.searchRecords.map((x) => [x.attributes.type, x.Name])).toEqual([
      ['Account', 'Acme Corporation'],
      ['Account', 'Acme Industries'],
    ]);
  }, SF_TIMEOUT);
});
