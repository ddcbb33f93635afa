// The Salesforce CLI against the simulator: record CRUD (`data create|get|update|delete record`),
// and tree export and import (`/composite/tree/{sObject}`), logged in as a user added with
// `auth.users` (the CLI looks its User record up).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each sf command starts a Node process that loads ~700 packages: seconds each, more on a busy machine.
const SF_TIMEOUT = 180_000;
import type { Simulator } from 'sfgen/simulator';
import { startSimulator } from 'sfgen/simulator';
import { SfCli } from './sf.js';

let sim: Simulator;
let sf: SfCli;

beforeAll(async () => {
  sim = await startSimulator({
    metadataDir: 'test/fixtures/demo-org',
    auth: { users: ['ci-bot@sfgen.example'] },
  });
  sf = await SfCli.create();
  // A user added with auth.users has a User record, so the CLI's access-token login works for it.
  const login = await sf.loginAccessToken(sim.url, sim.issueAccessToken('ci-bot@sfgen.example'), 'sim');
  expect(login.username).toBe('ci-bot@sfgen.example');
}, SF_TIMEOUT);
afterAll(async () => {
  await sf?.dispose();
  await sim?.close();
});

describe('sf data record commands against the simulator', () => {
  it('creates, reads, updates and deletes a record', async () => {
    const created = await sf.json<{ id: string; success: boolean }>(['data', 'create', 'record', '-o', 'sim', '-s', 'Account', '-v', "Name='CLI Co' Industry=Energy"]);
    expect(created.success).toBe(true);
    expect(sim.org.findById(created.id)?.record.Name).toBe('CLI Co');

    const got = await sf.json<{ Id: string; Name: string; Industry: string }>(['data', 'get', 'record', '-o', 'sim', '-s', 'Account', '-i', created.id]);
    expect(got).toMatchObject({ Id: created.id, Name: 'CLI Co', Industry: 'Energy' });

    await sf.json(['data', 'update', 'record', '-o', 'sim', '-s', 'Account', '-w', "Name='CLI Co'", '-v', "Name='CLI Co 2'"]);
    expect(sim.org.findById(created.id)?.record.Name).toBe('CLI Co 2');
    expect(sim.org.findById(created.id)?.record.LastModifiedById).toBe(login().userId);

    await sf.json(['data', 'delete', 'record', '-o', 'sim', '-s', 'Account', '-i', created.id]);
    expect(sim.org.findById(created.id)).toBeUndefined();
  }, SF_TIMEOUT);

  it('reports a Salesforce error (INVALID_EMAIL_ADDRESS) with a non-zero exit', async () => {
    const r = await sf.run(['data', 'create', 'record', '-o', 'sim', '-s', 'Contact', '-v', "LastName=Bad Email='not-an-email'", '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('INVALID_EMAIL_ADDRESS');
  }, SF_TIMEOUT);
});

describe('sf data tree export and import against the simulator', () => {
  it('exports Accounts with their Contacts and imports them back as new records', async () => {
    await sf.json(['data', 'export', 'tree', '-o', 'sim', '--output-dir', 'tree', '--plan', '-q', "SELECT Name, Industry, (SELECT LastName, Email FROM Contacts) FROM Account WHERE Name LIKE 'Acme%'"]);
    const before = sim.org.records('Account').length;
    const beforeContacts = sim.org.records('Contact').length;
    const result = await sf.json<{ refId: string; type: string; id: string }[]>(['data', 'import', 'tree', '-o', 'sim', '--plan', path.join('tree', 'Account-Contact-plan.json')]);
    const accounts = result.filter((x) => x.type === 'Account');
    const contacts = result.filter((x) => x.type === 'Contact');
    expect(accounts).toHaveLength(3);
    expect(contacts.length).toBeGreaterThan(0);
    expect(sim.org.records('Account').length).toBe(before + 3);
    expect(sim.org.records('Contact').length).toBe(beforeContacts + contacts.length);
    // Each imported Contact points at an imported Account.
    const imported = new Set(accounts.map((a) => a.id));
    for (const c of contacts) expect(imported.has(sim.org.findById(c.id)?.record.AccountId as string)).toBe(true);
  }, SF_TIMEOUT);
});

function login(): { userId: string } {
  const user = sim.org.records('User').find((u) => u.Username === 'ci-bot@sfgen.example');
  if (user === undefined) throw new Error('the ci-bot user has no User record');
  return { userId: user.Id };
}
