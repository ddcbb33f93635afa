/**
 * What a call reports when the network loses answers, checked through the fault proxy against the
 * simulator's store: per-record outcomes of every multi-record call after a reset (record and
 * request counts), honest errors of retried calls, the breaker counting calls, one deadline per call.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClientConfig, type SalesforceClient } from '../../../runtime/client.js';
import { clientCredentials } from '../../../runtime/auth/providers.js';
import {
  CircuitOpenError, MultiRecordError, NotFoundError, ServerError, TimeoutError, UsageError, mayHaveBeenApplied,
} from '../../../runtime/errors.js';
import type { RecordOutcome, RetrieveOutcome } from '../../../runtime/services/collections.js';
import { startFaultEnv, type FaultEnv } from '../helpers/fault-matrix.js';
import { Account } from '../fixtures/sobjects.js';

let env: FaultEnv;
const clients: SalesforceClient[] = [];

beforeAll(async () => {
  env = await startFaultEnv({ deadlineMs: 2000, batch: 450, queryRows: 0, pageSize: 200 });
});
afterEach(async () => {
  env.proxy.plan(undefined);
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await env?.close();
});

async function client(overrides: Partial<ClientConfig> = {}): Promise<SalesforceClient> {
  const c = createClient({
    auth: clientCredentials({ clientId: 'fault-suite', clientSecret: env.clientSecret, loginUrl: env.proxy.url }),
    allowInsecureLoopback: true,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
  clients.push(c);
  await c.token();
  return c;
}

const accounts = () => env.sim.store.records('Account');
const countExt = (prefix: string) => accounts().filter((r) => typeof r.Ext_Id__c === 'string' && r.Ext_Id__c.startsWith(prefix)).length;
const seed = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => env.sim.store.insert('Account', { Name: `${prefix}${i}`, Ext_Id__c: `${prefix}${i}` }).Id);
const forwarded = () => env.proxy.requests.filter((r) => r.forwarded).length;

describe('every multi-record call after a reset of its second request (processed, answer lost)', () => {
  it('createMany: 3 requests, 450 records exist once, chunk 2 unknown, chunk 3 still sent, error carries every outcome', async () => {
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 2, sticky: false });
    const rows = Array.from({ length: 450 }, (_, i) => ({ Name: `cm-${i}`, Ext_Id__c: `cm-${i}` }));
    const err = await c.sobject(Account).createMany(rows).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultiRecordError);
    const outcomes = (err as MultiRecordError<RecordOutcome>).outcomes;
    expect(env.proxy.requests).toHaveLength(3); // the create was not resent
    expect(countExt('cm-')).toBe(450); // chunk 2 was processed: exists once
    expect(outcomes.map((o) => o.outcome)).toEqual([...Array(200).fill('succeeded'), ...Array(200).fill('unknown'), ...Array(50).fill('succeeded')]);
    expect(outcomes.every((o, i) => o.index === i)).toBe(true);
    expect((err as Error).message).toMatch(/200 outcome unknown \[200\.\.399\].*check before resending/);
    const ids = new Set(accounts().map((r) => r.Id));
    for (const o of outcomes) if (o.outcome === 'succeeded') expect(ids.has(o.id)).toBe(true);
  });

  it('updateMany: the reset request is retried (4 requests), every record updated, all succeeded', async () => {
    const ids = seed('um-', 450);
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 2, sticky: false });
    const outcomes = await c.sobject(Account).updateMany(ids.map((Id) => ({ Id, Name: 'updated' })));
    expect(env.proxy.requests).toHaveLength(4);
    expect(outcomes.every((o) => o.outcome === 'succeeded')).toBe(true);
    expect(accounts().filter((r) => ids.includes(r.Id) && r.Name === 'updated')).toHaveLength(450);
  });

  it('upsertMany: retried, no duplicates, and the chunk whose first attempt was applied does not claim created', async () => {
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 2, sticky: false });
    const outcomes = await c.sobject(Account).upsertMany('Ext_Id__c', Array.from({ length: 450 }, (_, i) => ({ Name: `upm-${i}`, Ext_Id__c: `upm-${i}` })));
    expect(env.proxy.requests).toHaveLength(4);
    expect(countExt('upm-')).toBe(450);
    expect(outcomes.slice(0, 200).every((o) => o.outcome === 'succeeded' && o.created === true)).toBe(true);
    // The first attempt created these records; the retry found them: unknown who created them.
    expect(outcomes.slice(200, 400).every((o) => o.outcome === 'succeeded' && o.created === undefined)).toBe(true);
    expect(outcomes.slice(400).every((o) => o.outcome === 'succeeded' && o.created === true)).toBe(true);
  });

  it('deleteMany: retried; ENTITY_IS_DELETED after the applied attempt counts as deleted', async () => {
    const ids = seed('dm-', 450);
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 2, sticky: false });
    const outcomes = await c.deleteMany(ids);
    expect(env.proxy.requests).toHaveLength(4);
    expect(outcomes.every((o) => o.outcome === 'succeeded')).toBe(true);
    expect(outcomes.map((o) => o.id)).toEqual(ids);
    expect(accounts().filter((r) => ids.includes(r.Id))).toHaveLength(0);
  });

  it('retrieveMany: retried; with a sticky failure on chunk 2, chunks 1 and 3 are still read and returned in the error', async () => {
    const ids = seed('rm-', 450);
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 2, sticky: false });
    const rows = await c.sobject(Account).retrieveMany(ids, ['Ext_Id__c']);
    expect(env.proxy.requests).toHaveLength(4);
    expect(rows.map((r) => r?.Ext_Id__c)).toEqual(ids.map((_, i) => `rm-${i}`));
    env.proxy.plan({ kind: 'unavailable-503', at: 2, sticky: true });
    const err = await c.sobject(Account).retrieveMany(ids, ['Ext_Id__c']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultiRecordError);
    const outcomes = (err as MultiRecordError<RetrieveOutcome>).outcomes;
    expect(outcomes.map((o) => o.outcome)).toEqual([...Array(200).fill('succeeded'), ...Array(200).fill('failed'), ...Array(50).fill('succeeded')]);
  });

  it('a /composite request of POSTs is not resent after a reset; its error says it may have been applied', async () => {
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 1, sticky: false });
    const err = await c.composite([
      { method: 'POST', url: 'sobjects/Account', referenceId: 'a', body: { Name: 'cmp-0', Ext_Id__c: 'cmp-0' } },
      { method: 'POST', url: 'sobjects/Account', referenceId: 'b', body: { Name: 'cmp-1', Ext_Id__c: 'cmp-1' } },
    ]).catch((e: unknown) => e);
    expect(env.proxy.requests).toHaveLength(1);
    expect(countExt('cmp-')).toBe(2);
    expect(mayHaveBeenApplied(err)).toBe(true);
  });
});

describe('errors of retried calls', () => {
  it('a DELETE applied on a lost first attempt is a success, not ENTITY_IS_DELETED', async () => {
    const [id] = seed('del-', 1);
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 1, sticky: false });
    await expect(c.sobject(Account).delete(id!)).resolves.toBeUndefined();
    expect(env.proxy.requests).toHaveLength(2);
    // Without a lost attempt, deleting a deleted record is still an error.
    await expect(c.sobject(Account).delete(id!)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an upsert applied on a lost first attempt reports created: undefined, not false', async () => {
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 1, sticky: false });
    const result = await c.sobject(Account).upsert('Ext_Id__c', 'ups-lost', { Name: 'ups-lost' });
    expect(result.created).toBeUndefined();
    expect(countExt('ups-lost')).toBe(1);
    // A clean upsert still knows.
    expect((await c.sobject(Account).upsert('Ext_Id__c', 'ups-clean', { Name: 'ups-clean' })).created).toBe(true);
  });

  it('an upsert whose retry hit a 500 page says an earlier attempt may have been applied (field and message)', async () => {
    const c = await client();
    env.proxy.plan({ kind: 'reset-after', at: 1, sticky: true, retryKind: 'html-500' });
    const err = await c.sobject(Account).upsert('Ext_Id__c', 'ups-500', { Name: 'ups-500' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).earlierAttemptMayHaveApplied).toBe(true);
    expect((err as ServerError).attempts).toBe(4);
    expect((err as Error).message).toMatch(/4 attempts; an earlier attempt may have been applied/);
    expect(countExt('ups-500')).toBe(1);
  });

  it('retries that never reached a processed state say so', async () => {
    const c = await client();
    env.proxy.plan({ kind: 'unavailable-503', at: 1, sticky: true });
    const err = await c.sobject(Account).upsert('Ext_Id__c', 'ups-503', { Name: 'x' }).catch((e: unknown) => e);
    expect((err as ServerError).earlierAttemptMayHaveApplied).toBe(false);
    expect((err as Error).message).toMatch(/4 attempts; no earlier attempt was applied/);
    expect(mayHaveBeenApplied(err)).toBe(false);
  });
});

describe('circuit breaker counts calls', () => {
  it('one call that exhausted 4 attempts is one failure; the call is not failed fast by its own attempts', async () => {
    const c = await client({ circuitBreaker: { failureThreshold: 2, openMs: 60_000 } });
    env.proxy.plan({ kind: 'unavailable-503', at: 1, sticky: true });
    const first = await c.describe('Account').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ServerError);
    expect((first as ServerError).attempts).toBe(4);
    expect(c.circuitState()).toBe('closed');
    env.proxy.plan({ kind: 'unavailable-503', at: 1, sticky: true });
    await expect(c.describe('Account')).rejects.toBeInstanceOf(ServerError);
    expect(c.circuitState()).toBe('open');
    env.proxy.plan(undefined);
    await expect(c.describe('Account')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(env.proxy.requests).toHaveLength(0);
  });
});

describe('one deadline per call', () => {
  it('a stalled read is retried inside the deadline (attempt timeout = half of it) and succeeds', async () => {
    const c = await client({ deadlineMs: 1000 });
    env.proxy.plan({ kind: 'stall', at: 1, sticky: false });
    const started = Date.now();
    await expect(c.describe('Account')).resolves.toMatchObject({ name: 'Account' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1000);
    expect(env.proxy.requests).toHaveLength(2);
  });

  it('a read that stays stalled ends at the deadline with a TimeoutError, every attempt and wait included', async () => {
    const c = await client({ deadlineMs: 800 });
    env.proxy.plan({ kind: 'stall', at: 1, sticky: true });
    const started = Date.now();
    const err = await c.describe('Account').catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/deadline of 800 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(1200);
  });

  it('a per-call deadline overrides the client one; a stalled create gets the whole deadline and is not resent', async () => {
    const c = await client({ deadlineMs: 60_000 });
    env.proxy.plan({ kind: 'stall', at: 1, sticky: true });
    const started = Date.now();
    const err = await c.sobject(Account).create({ Name: 'stalled' }, { deadlineMs: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(900);
    expect(env.proxy.requests).toHaveLength(1);
    expect(mayHaveBeenApplied(err)).toBe(true);
  });

  it('rejects a deadline that is not a positive number', () => {
    expect(() => createClient({ auth: { accessToken: 'x'.repeat(20), instanceUrl: env.sim.url }, allowInsecureLoopback: true, deadlineMs: 0 })).toThrow(/deadlineMs must be a positive number/);
  });
});

describe('bad input to multi-record calls names the records and sends nothing', () => {
  it('too many records for one request, an invalid id in a batch', async () => {
    const c = await client();
    env.proxy.plan(undefined);
    const tooMany = await c.sobject(Account).createMany(Array.from({ length: 230 }, (_, i) => ({ Name: `x${i}` })), { chunk: false }).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(UsageError);
    expect((tooMany as Error).message).toMatch(/230 records in one request.*records \[200\.\.229\] are over the limit/);
    const ids = seed('bad-', 3);
    const badId = await c.deleteMany([ids[0]!, ids[1]!, 'not-an-id', ids[2]!]).catch((e: unknown) => e);
    expect(badId).toBeInstanceOf(UsageError);
    expect((badId as Error).message).toMatch(/deleteMany id \[2\]: "not-an-id" is not a Salesforce id/);
    const badUpdate = await c.sobject(Account).updateMany([{ Id: ids[0]!, Name: 'a' }, { Id: '001', Name: 'b' }]).catch((e: unknown) => e);
    expect((badUpdate as Error).message).toMatch(/updateMany Account record \[1\] Id/);
    expect(env.proxy.requests).toHaveLength(0);
  });
});
