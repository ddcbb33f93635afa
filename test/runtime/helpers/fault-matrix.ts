/**
 * The fault suite's engine, shared by the CI test (test/runtime/faults.test.ts) and the benchmark
 * (`npm run bench -- faults`): runs one operation of the runtime client through the
 * fault-injecting proxy with one planned fault, then reconciles what the client reported with what
 * the simulator's store holds.
 *
 * What is counted (every count must stay 0):
 * - lost: a record the client reported written that the store does not hold as reported, or a
 *   query row never delivered (after resuming the stream once the network healed);
 * - duplicates: a record created twice, or a query row delivered twice;
 * - resent: a non-idempotent request (a create) processed by the simulator more than once;
 * - discarded: a write the store shows but the client reported as failed, not attempted or not
 *   applied (completed work whose result the caller did not get);
 * - hangs: an operation still running long after its deadline;
 * - secrets: an access token or the client secret in anything the client reported (errors,
 *   outcomes, diagnostics messages).
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';
import { createClient, type SalesforceClient } from '../../../runtime/client.js';
import { clientCredentials } from '../../../runtime/auth/providers.js';
import { CHANNELS } from '../../../runtime/diagnostics.js';
import { MultiRecordError, mayHaveBeenApplied } from '../../../runtime/errors.js';
import type { RecordOutcome, RetrieveOutcome } from '../../../runtime/services/collections.js';
import { writeMiniOrg } from '../fixtures/mini-org.js';
import { Account } from '../fixtures/sobjects.js';
import { resentWrites, startFaultProxy, type FaultPlan, type FaultProxy } from './fault-proxy.js';

export type OpName =
  | 'create' | 'update' | 'upsert' | 'delete'
  | 'createMany' | 'updateMany' | 'upsertMany' | 'deleteMany' | 'retrieveMany'
  | 'query' | 'composite';

export const OP_NAMES: readonly OpName[] = ['create', 'update', 'upsert', 'delete', 'createMany', 'updateMany', 'upsertMany', 'deleteMany', 'retrieveMany', 'query', 'composite'];

export interface Tally {
  scenarios: number;
  records: number;
  requests: number;
  lost: number;
  duplicates: number;
  resent: number;
  discarded: number;
  hangs: number;
  secrets: number;
  /** Calls that threw (expected under sticky faults). */
  failedCalls: number;
  /** Record outcomes reported `unknown`, split by what the store shows. */
  unknownApplied: number;
  unknownNotApplied: number;
  notAttempted: number;
  /** Query streams resumed after a failure. */
  resumes: number;
  /** What went wrong, one line per violation (for the test's failure message). */
  problems: string[];
}

export function emptyTally(): Tally {
  return {
    scenarios: 0, records: 0, requests: 0, lost: 0, duplicates: 0, resent: 0, discarded: 0, hangs: 0, secrets: 0,
    failedCalls: 0, unknownApplied: 0, unknownNotApplied: 0, notAttempted: 0, resumes: 0, problems: [],
  };
}

export interface FaultEnv {
  readonly sim: Simulator;
  readonly proxy: FaultProxy;
  readonly clientSecret: string;
  readonly deadlineMs: number;
  /** Records per multi-record call (more than 200 makes several requests). */
  readonly batch: number;
  /** Rows the query operation streams (pages of `pageSize`). */
  readonly queryRows: number;
  readonly pageSize: number;
  close(): Promise<void>;
}

export interface FaultEnvOptions {
  deadlineMs: number;
  batch: number;
  queryRows: number;
  pageSize: number;
}

/** Requests an operation makes when nothing goes wrong (where a fault can be planned). */
export function requestsOf(op: OpName, env: Pick<FaultEnv, 'batch' | 'queryRows' | 'pageSize'>): number {
  if (op.endsWith('Many')) return Math.ceil(env.batch / 200);
  if (op === 'query') return Math.ceil(env.queryRows / env.pageSize);
  return 1;
}

export async function startFaultEnv(options: FaultEnvOptions): Promise<FaultEnv> {
  const dir = writeMiniOrg({});
  const clientSecret = 'fault-suite-client-secret-7f3a9c';
  const sim = await startSimulator({ metadataDir: dir, pageSize: options.pageSize, auth: { clientId: 'fault-suite', clientSecret } });
  for (let i = 0; i < options.queryRows; i++) sim.store.insert('Account', { Name: `Q ${String(i).padStart(6, '0')}`, Industry: 'QueryRows' });
  const proxy = await startFaultProxy(sim.url);
  return {
    sim, proxy, clientSecret, ...options,
    async close() {
      await proxy.close();
      await sim.close();
      const { rmSync } = await import('node:fs');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function newClient(env: FaultEnv): SalesforceClient {
  return createClient({
    auth: clientCredentials({ clientId: 'fault-suite', clientSecret: env.clientSecret, loginUrl: env.proxy.url }),
    allowInsecureLoopback: true,
    deadlineMs: env.deadlineMs,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
}

/** Everything the client reported, as text: where secrets must not be. */
function reportText(value: unknown, depth = 0): string {
  if (depth > 4 || value === undefined || value === null) return '';
  if (value instanceof Error) {
    const e = value as Error & { body?: unknown; outcomes?: unknown; cause?: unknown };
    return [e.message, String(e.stack ?? ''), safeJson(e.body), reportText(e.outcomes, depth + 1), reportText(e.cause, depth + 1)].join('\n');
  }
  if (Array.isArray(value)) return value.map((v) => reportText(v, depth + 1)).join('\n');
  if (typeof value === 'object') {
    return Object.values(value as Record<string, unknown>).map((v) => (typeof v === 'object' ? reportText(v, depth + 1) : String(v))).join(' ');
  }
  return String(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

function storeIndex(sim: Simulator): { byExt: Map<string, number>; names: Map<string, string[]>; byId: Map<string, Record<string, unknown>> } {
  const byExt = new Map<string, number>();
  const names = new Map<string, string[]>();
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of sim.store.records('Account')) {
    byId.set(r.Id, r);
    const ext = r.Ext_Id__c;
    if (typeof ext === 'string') {
      byExt.set(ext, (byExt.get(ext) ?? 0) + 1);
      const list = names.get(ext);
      if (list) list.push(String(r.Name));
      else names.set(ext, [String(r.Name)]);
    }
  }
  return { byExt, names, byId };
}

let scenarioSeq = 0;

/**
 * Runs `op` with `plan` through the proxy on a fresh client and reconciles the result into
 * `tally`. `variant` decides the data (which upserts find an existing record).
 */
export async function runScenario(env: FaultEnv, op: OpName, plan: FaultPlan | undefined, tally: Tally): Promise<void> {
  const id = `S${++scenarioSeq}`;
  const sim = env.sim;
  const client = newClient(env);
  const captured: unknown[] = [];
  const listeners = Object.values(CHANNELS).map((name) => {
    const fn = (m: unknown): void => void captured.push(m);
    diagnostics_channel.subscribe(name, fn);
    return () => diagnostics_channel.unsubscribe(name, fn);
  });
  const problem = (kind: keyof Tally, text: string): void => {
    (tally[kind] as number)++;
    tally.problems.push(`${op} ${plan ? `${plan.kind}@${plan.at}${plan.sticky ? ' sticky' : ''}` : 'no fault'}: ${kind}: ${text}`);
  };
  const marker = (i: number) => `${id}-${i}`;
  const n = op.endsWith('Many') ? env.batch : 1;
  tally.scenarios++;
  tally.records += op === 'query' ? env.queryRows : n;
  try {
    // Data the operation works on, written straight into the store.
    const seeded: string[] = [];
    if (op === 'update' || op === 'delete' || op === 'updateMany' || op === 'deleteMany' || op === 'retrieveMany') {
      for (let i = 0; i < n; i++) seeded.push(sim.store.insert('Account', { Name: marker(i), Ext_Id__c: marker(i) }).Id);
    }
    const existed = new Set<number>();
    if (op === 'upsert' || op === 'upsertMany') {
      for (let i = 0; i < n; i += 2) {
        sim.store.insert('Account', { Name: `${marker(i)} before`, Ext_Id__c: marker(i) });
        existed.add(i);
      }
    }
    // Make sure the client has its token before the fault plan starts counting.
    await client.token();
    env.proxy.plan(plan);
    const watchdogMs = 30 * env.deadlineMs + 5000;
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), watchdogMs);
    });
    const run = async (): Promise<{ value?: unknown; error?: unknown }> => {
      try {
        return { value: await perform(op, client, env, seeded, marker, n, tally) };
      } catch (error) {
        return { error };
      }
    };
    const result = await Promise.race([run(), watchdog]);
    clearTimeout(timer);
    env.proxy.heal();
    if (result === 'hang') {
      problem('hangs', `still running after ${watchdogMs} ms`);
      return;
    }
    captured.push(result.value, result.error);
    if (result.error !== undefined) tally.failedCalls++;
    tally.requests += env.proxy.requests.length;
    const resent = resentWrites(env.proxy.requests);
    if (resent > 0) problem('resent', `${resent} non-idempotent request(s) processed twice`);
    reconcile(op, env, result, { seeded, existed, marker, n }, problem, tally);
  } finally {
    env.proxy.plan(undefined);
    // Keep the store small (the simulator scans it): remove this scenario's records.
    for (const r of [...sim.store.records('Account')]) {
      if (typeof r.Ext_Id__c === 'string' && r.Ext_Id__c.startsWith(`${id}-`)) sim.store.delete('Account', r.Id);
    }
    for (const stop of listeners) stop();
    const text = reportText(captured);
    for (const secret of [...env.proxy.tokens, env.clientSecret]) {
      if (text.includes(secret)) problem('secrets', `a secret (${secret.slice(0, 4)}...) appears in what the client reported`);
    }
    await client.close();
  }
}

async function perform(op: OpName, client: SalesforceClient, env: FaultEnv, seeded: readonly string[], marker: (i: number) => string, n: number, tally: Tally): Promise<unknown> {
  const accounts = client.sobject(Account);
  const range = Array.from({ length: n }, (_, i) => i);
  switch (op) {
    case 'create':
      return accounts.create({ Name: marker(0), Ext_Id__c: marker(0) });
    case 'update':
      return accounts.update(seeded[0] as string, { Name: `${marker(0)} updated` });
    case 'upsert':
      return accounts.upsert('Ext_Id__c', marker(0), { Name: `${marker(0)} upserted` });
    case 'delete':
      return accounts.delete(seeded[0] as string);
    case 'createMany':
      return accounts.createMany(range.map((i) => ({ Name: marker(i), Ext_Id__c: marker(i) })));
    case 'updateMany':
      return accounts.updateMany(range.map((i) => ({ Id: seeded[i] as string, Name: `${marker(i)} updated` })));
    case 'upsertMany':
      return accounts.upsertMany('Ext_Id__c', range.map((i) => ({ Name: `${marker(i)} upserted`, Ext_Id__c: marker(i) })));
    case 'deleteMany':
      return client.deleteMany(seeded);
    case 'retrieveMany':
      return accounts.retrieveMany(seeded, ['Name', 'Ext_Id__c']);
    case 'composite':
      return client.composite([
        { method: 'POST', url: 'sobjects/Account', referenceId: 'a', body: { Name: marker(0), Ext_Id__c: marker(0) } },
        { method: 'POST', url: 'sobjects/Account', referenceId: 'b', body: { Name: marker(1), Ext_Id__c: marker(1), Description: '@{a.id}' } },
      ], { allOrNone: true });
    case 'query': {
      const rows: string[] = [];
      let stream = client.query('SELECT Id FROM Account WHERE Industry = \'QueryRows\'');
      for (let resumes = 0; ; resumes++) {
        try {
          for await (const row of stream) rows.push(row.Id as string);
          return rows;
        } catch (error) {
          // The network heals; the application resumes where the stream stopped.
          if (stream.position === undefined || resumes >= 5) throw Object.assign(error as object, { rows });
          env.proxy.heal();
          tally.resumes++;
          stream = stream.resume();
        }
      }
    }
  }
}

interface Data {
  seeded: readonly string[];
  existed: ReadonlySet<number>;
  marker: (i: number) => string;
  n: number;
}

function reconcile(op: OpName, env: FaultEnv, result: { value?: unknown; error?: unknown }, data: Data, problem: (kind: keyof Tally, text: string) => void, tally: Tally): void {
  const { byExt, names, byId } = storeIndex(env.sim);
  const { seeded, existed, marker, n } = data;
  const error = result.error;
  const notApplied = error !== undefined && !mayHaveBeenApplied(error);
  const outcomes: readonly RecordOutcome[] | undefined = Array.isArray(result.value)
    ? (result.value as RecordOutcome[])
    : error instanceof MultiRecordError ? (error.outcomes as RecordOutcome[]) : undefined;
  if (error !== undefined && op.endsWith('Many') && !(error instanceof MultiRecordError)) {
    problem('discarded', `a multi-record call threw ${(error as Error).name} without per-record outcomes: ${(error as Error).message}`);
  }
  const countOutcome = (o: RecordOutcome | undefined, applied: boolean): void => {
    if (o?.outcome === 'unknown') {
      if (applied) tally.unknownApplied++;
      else tally.unknownNotApplied++;
    }
    if (o?.outcome === 'not-attempted') tally.notAttempted++;
  };
  switch (op) {
    case 'create':
    case 'composite': {
      const count = op === 'create' ? 1 : 2;
      for (let i = 0; i < count; i++) {
        const k = byExt.get(marker(i)) ?? 0;
        if (k > 1) problem('duplicates', `${marker(i)} exists ${k} times`);
        if (error === undefined && k !== 1) problem('lost', `${marker(i)} reported created, ${k} in the store`);
        if (notApplied && k > 0) problem('discarded', `${marker(i)} exists although the call said it was not applied: ${(error as Error).message}`);
      }
      if (op === 'composite' && (byExt.get(marker(0)) ?? 0) !== (byExt.get(marker(1)) ?? 0)) problem('lost', 'allOrNone composite half applied');
      if (error !== undefined && !notApplied) {
        if ((byExt.get(marker(0)) ?? 0) > 0) tally.unknownApplied++;
        else tally.unknownNotApplied++;
      }
      return;
    }
    case 'update':
    case 'delete': {
      const record = byId.get(seeded[0] as string);
      const applied = op === 'delete' ? record === undefined : record?.Name === `${marker(0)} updated`;
      if (error === undefined && !applied) problem('lost', `${op} reported done but not in the store`);
      if (notApplied && applied) problem('discarded', `${op} applied although the call said it was not: ${(error as Error).message}`);
      return;
    }
    case 'upsert': {
      const k = byExt.get(marker(0)) ?? 0;
      if (k > 1) problem('duplicates', `${marker(0)} exists ${k} times`);
      if (error === undefined) {
        if (k !== 1) problem('lost', `upsert reported done, ${k} in the store`);
        const created = (result.value as { created: boolean | undefined }).created;
        if (created === true && existed.has(0)) problem('lost', 'upsert claims it created a record that existed before');
        if (created === false && !existed.has(0)) problem('lost', 'upsert claims it updated a record that did not exist before (an earlier attempt created it)');
      }
      const upserted = (names.get(marker(0)) ?? []).includes(`${marker(0)} upserted`);
      if (notApplied && upserted) problem('discarded', `upsert applied although the call said it was not: ${(error as Error).message}`);
      return;
    }
    case 'createMany':
    case 'upsertMany':
    case 'updateMany':
    case 'deleteMany': {
      if (outcomes === undefined) return;
      if (outcomes.length !== n) problem('lost', `${outcomes.length} outcomes for ${n} records`);
      for (let i = 0; i < n; i++) {
        const o = outcomes[i];
        if (o?.index !== i) problem('lost', `outcome ${i} has index ${String(o?.index)}`);
        let applied: boolean;
        if (op === 'createMany' || op === 'upsertMany') {
          const k = byExt.get(marker(i)) ?? 0;
          if (k > 1) problem('duplicates', `${marker(i)} exists ${k} times`);
          applied = op === 'createMany' ? k > 0 : (names.get(marker(i)) ?? []).includes(`${marker(i)} upserted`);
          if (op === 'upsertMany' && o?.outcome === 'succeeded') {
            if (o.created === true && existed.has(i)) problem('lost', `record ${i}: created claimed for an existing record`);
            if (o.created === false && !existed.has(i)) problem('lost', `record ${i}: updated claimed for a record that did not exist (an earlier attempt created it)`);
          }
        } else {
          const record = byId.get(seeded[i] as string);
          applied = op === 'deleteMany' ? record === undefined : record?.Name === `${marker(i)} updated`;
        }
        if (o?.outcome === 'succeeded' && !applied) problem('lost', `record ${i} reported succeeded, not in the store`);
        if ((o?.outcome === 'failed' || o?.outcome === 'not-attempted') && applied) problem('discarded', `record ${i} reported ${o.outcome} but was written`);
        countOutcome(o, applied);
      }
      return;
    }
    case 'retrieveMany': {
      if (error === undefined) {
        const rows = result.value as ({ Ext_Id__c?: unknown } | null)[];
        rows.forEach((r, i) => {
          if (r?.Ext_Id__c !== marker(i)) problem('lost', `retrieveMany row ${i} is not ${marker(i)}`);
        });
      } else if (error instanceof MultiRecordError) {
        (error.outcomes as RetrieveOutcome[]).forEach((o, i) => {
          if (o.outcome === 'succeeded' && (o.record as { Ext_Id__c?: unknown } | null)?.Ext_Id__c !== marker(i)) problem('lost', `retrieveMany outcome ${i} is not ${marker(i)}`);
          if (o.outcome === 'not-attempted') tally.notAttempted++;
        });
      }
      return;
    }
    case 'query': {
      const rows = (error === undefined ? result.value : (error as { rows?: unknown }).rows) as string[] | undefined ?? [];
      const expected = new Set(env.sim.store.records('Account').filter((r) => r.Industry === 'QueryRows').map((r) => r.Id));
      const seen = new Set<string>();
      for (const row of rows) {
        if (seen.has(row)) problem('duplicates', `query row ${row} delivered twice`);
        seen.add(row);
      }
      const missing = [...expected].filter((rowId) => !seen.has(rowId)).length;
      if (missing > 0) problem('lost', `${missing} of ${expected.size} query rows never delivered${error ? `: ${(error as Error).message}` : ''}`);
      return;
    }
  }
}

/** A test's view of a tally: the six counts that must be zero. */
export function violations(tally: Tally): Record<'lost' | 'duplicates' | 'resent' | 'discarded' | 'hangs' | 'secrets', number> {
  return { lost: tally.lost, duplicates: tally.duplicates, resent: tally.resent, discarded: tally.discarded, hangs: tally.hangs, secrets: tally.secrets };
}

