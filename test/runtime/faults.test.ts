/**
 * The fault suite at CI size: every operation of the client (single writes, each collection call,
 * upsert, delete, a query stream, composite) x every fault kind of the proxy (resets before and
 * after processing, 503 with Retry-After, HTML 500, gateway 504 after processing, 401, concurrency
 * REQUEST_LIMIT_EXCEEDED, a stall past the deadline, a close-delimited body cut short, a 500 that
 * echoes the bearer token), once on a seeded request of the operation and once "sticky" (its
 * retries fail too), reconciled against the simulator's store. `npm run bench -- faults` runs the
 * same engine at a larger size with figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../bench/prng.js';
import { FAULT_KINDS } from './helpers/fault-proxy.js';
import { OP_NAMES, emptyTally, requestsOf, runScenario, startFaultEnv, violations, type FaultEnv } from './helpers/fault-matrix.js';

let env: FaultEnv;

beforeAll(async () => {
  env = await startFaultEnv({ deadlineMs: 500, batch: 250, queryRows: 1000, pageSize: 200 });
});
afterAll(async () => {
  await env?.close();
});

describe('fault matrix (fault kinds x operations, reconciled against the store)', () => {
  for (const op of OP_NAMES) {
    it(`${op}: 0 lost, 0 duplicates, 0 re-sent creates, 0 discarded results, 0 hangs, 0 secrets`, async () => {
      const rng = createRng(0x5f9 + OP_NAMES.indexOf(op));
      const tally = emptyTally();
      await runScenario(env, op, undefined, tally);
      for (const kind of FAULT_KINDS) {
        for (const sticky of [false, true]) {
          await runScenario(env, op, { kind, at: rng.int(1, requestsOf(op, env)), sticky }, tally);
        }
      }
      expect(tally.problems).toEqual([]);
      expect(violations(tally)).toEqual({ lost: 0, duplicates: 0, resent: 0, discarded: 0, hangs: 0, secrets: 0 });
      // The faults really bit: sticky faults make calls fail (a query stream is resumed instead).
      expect(tally.failedCalls + tally.resumes).toBeGreaterThan(0);
    }, 60_000);
  }
});
