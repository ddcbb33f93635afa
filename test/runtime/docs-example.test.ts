/**
 * The "When answers get lost" example of docs/runtime.md, run: the code between the markers below
 * must appear verbatim in the guide, and it runs here against the simulator through the fault
 * proxy (the second request of createMany is processed and its answer lost; a query page is cut
 * short twice, so the stream fails once and is resumed).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, recordOutcomes, type SObjectRecord } from '../../runtime/index.js';
import { clientCredentials } from '../../runtime/auth/providers.js';
import { startFaultEnv, type FaultEnv } from './helpers/fault-matrix.js';
import { Account } from './fixtures/sobjects.js';

let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv({ deadlineMs: 5000, batch: 0, queryRows: 1200, pageSize: 500 });
});
afterAll(async () => {
  await env?.close();
});

const guide = readFileSync(fileURLToPath(new URL('../../docs/runtime.md', import.meta.url)), 'utf8');
const self = readFileSync(fileURLToPath(import.meta.url), 'utf8');

it('the guide shows the example verbatim', () => {
  const example = /\/\/ docs:start\n([\s\S]*?)\s*\/\/ docs:end/.exec(self)?.[1];
  expect(example).toBeDefined();
  const unindented = example!.split('\n').map((line) => line.replace(/^ {2}/, '')).join('\n').trim();
  expect(guide).toContain(unindented);
});

it('runs: every record accounted for after a lost answer, and a failed stream resumed without re-reading', async () => {
  const client = createClient({
    auth: clientCredentials({ clientId: 'fault-suite', clientSecret: env.clientSecret, loginUrl: env.proxy.url }),
    allowInsecureLoopback: true,
    retry: { maxAttempts: 2, baseDelayMs: 5 },
  });
  await client.token();
  const crm = Array.from({ length: 450 }, (_, i) => ({ company: `Docs ${i}`, crmId: `DOCS-${i}` }));
  const handle = (_row: SObjectRecord): void => undefined;
  env.proxy.plan({ kind: 'reset-after', at: 2, sticky: false });
  // docs:start
  const accounts = client.sobject(Account);
  const rows = crm.map((c) => ({ Name: c.company, Ext_Id__c: c.crmId }));
  const outcomes = await accounts.createMany(rows).catch((err: unknown) => {
    const outcomes = recordOutcomes(err); // a request failed: every record's outcome is still here
    if (outcomes === undefined) throw err;
    return outcomes;
  });
  const ids = outcomes.filter((o) => o.outcome === 'succeeded').map((o) => o.id);
  const resend = outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'not-attempted').map((o) => rows[o.index]);
  // 'unknown': the request may have been applied and its answer was lost. Look before resending.
  const check = outcomes.filter((o) => o.outcome === 'unknown').map((o) => rows[o.index]);

  let stream = client.query('SELECT Id, Name FROM Account', { deadlineMs: 30_000 });
  for (let resumes = 0; ; resumes++) {
    try {
      for await (const row of stream) handle(row);
      break;
    } catch (err) {
      if (stream.position === undefined || resumes === 3) throw err;
      stream = stream.resume(); // continues with the page that failed: no row twice, none skipped
    }
  }
  // docs:end
  expect(ids).toHaveLength(250);
  expect(resend).toHaveLength(0);
  expect(check).toHaveLength(200);
  expect(env.sim.store.records('Account').filter((r) => String(r.Ext_Id__c).startsWith('DOCS-'))).toHaveLength(450);
  // The query part: the second page is cut short on the first attempt and on its re-fetch.
  env.proxy.plan({ kind: 'truncate', at: 2, sticky: true });
  const seen: string[] = [];
  let s = client.query('SELECT Id FROM Account');
  try {
    for await (const row of s) seen.push(row.Id as string);
  } catch {
    expect(s.position?.delivered).toBe(500);
    env.proxy.heal();
    s = s.resume();
    for await (const row of s) seen.push(row.Id as string);
  }
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen).toHaveLength(env.sim.store.records('Account').length);
  await client.close();
});
