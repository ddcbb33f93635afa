/**
 * faults: the fault suite at benchmark size. Every round runs each operation of the runtime client
 * (single create/update/upsert/delete, createMany/updateMany/upsertMany/deleteMany/retrieveMany in
 * chunks of 200, a query stream resumed after failures, composite) through the fault-injecting
 * loopback proxy with a seeded random fault (kind, which request, once or sticky; one in ten runs
 * clean), then reconciles what the client reported with the simulator's store. The engine is
 * test/runtime/helpers/fault-matrix.ts, the same as the CI-sized test/runtime/faults.test.ts.
 *
 * Targets: 0 records lost, 0 duplicates, 0 non-idempotent requests processed twice, 0 completed
 * results discarded, 0 hangs, 0 secrets in anything the client reported.
 *
 * Size: SFGEN_BENCH_FAULTS_ROUNDS (default 100 rounds x 11 operations), SFGEN_BENCH_FAULTS_SEED
 * (default 9), SFGEN_BENCH_FAULTS_BATCH (records per multi-record call, default 450),
 * SFGEN_BENCH_FAULTS_QUERY_ROWS (default 3000, pages of 500). Run: `npm run bench -- faults`.
 */
import type { BenchContext, BenchSuite, Figure } from '../harness.js';
import { createRng } from '../prng.js';
import { FAULT_KINDS, type FaultPlan } from '../../runtime/helpers/fault-proxy.js';
import { OP_NAMES, emptyTally, requestsOf, runScenario, startFaultEnv } from '../../runtime/helpers/fault-matrix.js';

const BENCH = 'faults';

const suite: BenchSuite = {
  name: BENCH,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const rounds = Number(process.env.SFGEN_BENCH_FAULTS_ROUNDS ?? 100);
    const seed = Number(process.env.SFGEN_BENCH_FAULTS_SEED ?? 9);
    const batch = Number(process.env.SFGEN_BENCH_FAULTS_BATCH ?? 450);
    const queryRows = Number(process.env.SFGEN_BENCH_FAULTS_QUERY_ROWS ?? 3000);
    const deadlineMs = 1000;
    const env = await startFaultEnv({ deadlineMs, batch, queryRows, pageSize: 500 });
    const rng = createRng(seed);
    const tally = emptyTally();
    const byKind = new Map<string, number>();
    const started = performance.now();
    const cpu = process.cpuUsage();
    try {
      for (let round = 1; round <= rounds; round++) {
        for (const op of OP_NAMES) {
          let plan: FaultPlan | undefined;
          if (!rng.chance(0.1)) {
            plan = { kind: rng.pick(FAULT_KINDS), at: rng.int(1, requestsOf(op, env)), sticky: rng.chance(0.5) };
            if (plan.sticky && plan.kind === 'reset-after' && rng.chance(0.5)) plan = { ...plan, retryKind: 'html-500' };
            const label = `${plan.kind}${plan.sticky ? ' sticky' : ''}`;
            byKind.set(label, (byKind.get(label) ?? 0) + 1);
          }
          await runScenario(env, op, plan, tally);
        }
        if (round % 10 === 0) ctx.log(`round ${round}/${rounds}: ${tally.scenarios} operations, ${tally.requests} requests, ${tally.problems.length} problems`);
      }
    } finally {
      await env.close();
    }
    const wallS = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    for (const p of tally.problems.slice(0, 20)) ctx.log(`problem: ${p}`);
    const zero = (metric: string, value: number, note: string): Figure => ({ bench: BENCH, subject: 'sfgen', metric, value, target: { max: 0 }, note });
    const fig = (metric: string, value: number, unit: string, note?: string): Figure => ({ bench: BENCH, subject: 'sfgen', metric, value, unit, ...(note ? { note } : {}) });
    return [
      fig('operations', tally.scenarios, 'ops', `${rounds} rounds x ${OP_NAMES.length} operations, seed ${seed}; ${tally.scenarios - [...byKind.values()].reduce((a, b) => a + b, 0)} without a fault`),
      fig('records', tally.records, 'records', `multi-record calls of ${batch}, query streams of ${queryRows} rows (pages of 500)`),
      fig('requests', tally.requests, 'requests', 'data requests through the proxy, retries included'),
      fig('faults_injected', [...byKind.values()].reduce((a, b) => a + b, 0), 'faults', [...byKind.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ')),
      zero('records_lost', tally.lost, 'reported written but not in the store as reported, or query rows never delivered'),
      zero('duplicates', tally.duplicates, 'records created twice, query rows delivered twice'),
      zero('non_idempotent_resent', tally.resent, 'creates processed by the simulator more than once'),
      zero('results_discarded', tally.discarded, 'writes in the store the client reported as failed, not attempted or not applied'),
      zero('hangs', tally.hangs, `operations still running 30x past their ${deadlineMs} ms deadline`),
      zero('secrets_captured', tally.secrets, 'access tokens or the client secret in errors, outcomes or diagnostics messages'),
      fig('failed_calls', tally.failedCalls, 'calls', 'calls that threw (sticky faults), every record accounted for'),
      fig('outcome_unknown_applied', tally.unknownApplied, 'records', '"unknown" outcomes whose write did happen'),
      fig('outcome_unknown_not_applied', tally.unknownNotApplied, 'records', '"unknown" outcomes whose write did not happen'),
      fig('not_attempted', tally.notAttempted, 'records'),
      fig('query_resumes', tally.resumes, 'resumes', 'streams continued from their position after a failure'),
      fig('wall_s', wallS, 's', 'shared machine: includes deadlines waited out by stall faults'),
      fig('cpu_s', (used.user + used.system) / 1e6, 's', 'this process: client, proxy and simulator together'),
    ];
  },
};

export default suite;
