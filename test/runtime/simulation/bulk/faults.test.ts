import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { startTiny } from '../helpers.js';
import { call, createIngest, info, ingest, parseCsv, results, setState, upload, V, waitDone } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny();
  token = sim.issueAccessToken();
});
afterEach(() => sim.faults.clear());
afterAll(async () => {
  await sim.close();
});

/** A raw GET that reports how many body bytes arrived, what Content-Length promised, and whether the socket failed. */
function rawGet(url: string): Promise<{ status: number; promised: number; received: number; error: string | undefined }> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let received = 0;
      res.on('data', (c: Buffer) => (received += c.length));
      const done = (error: string | undefined) => resolve({ status: res.statusCode ?? 0, promised: Number(res.headers['content-length'] ?? -1), received, error });
      res.on('end', () => done(undefined));
      res.on('error', (e) => done(e.message));
      res.on('aborted', () => done('aborted'));
    });
    req.on('error', (e) => resolve({ status: 0, promised: -1, received: 0, error: e.message }));
  });
}

/** A raw PUT that writes the body in two parts and reports what happened. */
function rawPut(url: string, parts: Buffer[]): Promise<{ status: number; error: string | undefined }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, error: undefined }));
    });
    req.on('error', (e) => resolve({ status: 0, error: e.message }));
    (async () => {
      for (const p of parts) {
        if (!req.write(p)) await new Promise((r) => req.once('drain', r));
        await new Promise((r) => setTimeout(r, 30));
      }
      req.end();
    })().catch(() => undefined);
  });
}

describe('Bulk API 2.0 faults', () => {
  it('503 on a poll, then the job info again', async () => {
    const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
    const fault = sim.faults.add({ method: 'GET', route: new RegExp(`/jobs/ingest/${job.id}$`), status: 503, retryAfter: 1 });
    const r = await call(sim, token, 'GET', `${V}/jobs/ingest/${job.id}`);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.json).toEqual([{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }]);
    expect(fault.fired).toBe(1);
    expect((await info(sim, token, 'ingest', job.id)).state).toBe('Open');
  });

  it('REQUEST_LIMIT_EXCEEDED on job creation creates no job', async () => {
    sim.faults.add({ method: 'POST', route: /\/jobs\/ingest$/, status: 403 });
    const before = sim.bulk.jobIds().length;
    const r = await call(sim, token, 'POST', `${V}/jobs/ingest`, { object: 'Account', operation: 'insert' });
    expect(r.status).toBe(403);
    expect(r.json).toEqual([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
    expect(sim.bulk.jobIds().length).toBe(before);
  });

  it('a job that ends Failed keeps the results of the rows it processed', async () => {
    sim.faults.add({ method: 'PATCH', route: /\/jobs\/ingest\//, failJob: { message: 'InternalServerError : simulated', afterRows: 2 } });
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, 'Name\nF1\nF2\nF3\nF4\n');
    expect(job).toMatchObject({ state: 'Failed', errorMessage: 'InternalServerError : simulated', numberRecordsProcessed: 2 });
    expect(parseCsv((await results(sim, token, job.id, 'successfulResults')).text).slice(1).map((r) => r[2])).toEqual(['F1', 'F2']);
    expect(parseCsv((await results(sim, token, job.id, 'unprocessedrecords')).text)).toEqual([['Name'], ['F3'], ['F4']]);
  });

  it('a query job that ends Failed', async () => {
    sim.faults.add({ method: 'POST', route: /\/jobs\/query$/, failJob: 'InternalServerError : query failed' });
    const r = await call(sim, token, 'POST', `${V}/jobs/query`, { operation: 'query', query: 'SELECT Id FROM Account' });
    expect(r.status).toBe(200);
    const job = await waitDone(sim, token, 'query', (r.json as { id: string }).id);
    expect(job).toMatchObject({ state: 'Failed', errorMessage: 'InternalServerError : query failed' });
  });

  it('a results download cut mid-body: Content-Length promised, socket destroyed', async () => {
    const job = await ingest(sim, token, { object: 'Account', operation: 'insert' }, `Name\n${Array.from({ length: 50 }, (_, i) => `Cut ${i}`).join('\n')}\n`);
    const whole = (await results(sim, token, job.id, 'successfulResults')).text;
    sim.faults.add({ route: /successfulResults/, cutAfterBytes: 100 });
    const cut = await rawGet(`${sim.url}${V}/jobs/ingest/${job.id}/successfulResults`);
    expect(cut.status).toBe(200);
    expect(cut.promised).toBe(Buffer.byteLength(whole));
    expect(cut.received).toBe(100);
    expect(cut.error).toBeDefined();
    // and for query results
    const q = await call(sim, token, 'POST', `${V}/jobs/query`, { operation: 'query', query: 'SELECT Id, Name FROM Account' });
    const qid = (q.json as { id: string }).id;
    await waitDone(sim, token, 'query', qid);
    sim.faults.add({ route: /\/results$/, cutAfterBytes: 50 });
    const qc = await rawGet(`${sim.url}${V}/jobs/query/${qid}/results`);
    expect(qc.received).toBe(50);
    expect(qc.promised).toBeGreaterThan(50);
    expect(qc.error).toBeDefined();
    // the same page again, whole
    expect((await call(sim, token, 'GET', `${V}/jobs/query/${qid}/results`)).status).toBe(200);
  });

  it('an upload reset part-way keeps nothing; the job still takes a whole upload', async () => {
    const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
    sim.faults.add({ method: 'PUT', route: /\/batches$/, resetAfterBytes: 20 });
    const parts = [Buffer.from('Name\nReset 1\nReset 2\n'), Buffer.from('Reset 3\n')];
    const r = await rawPut(`${sim.url}${V}/jobs/ingest/${job.id}/batches`, parts);
    expect(r.status).toBe(0);
    expect(r.error).toBeDefined();
    expect((await info(sim, token, 'ingest', job.id)).state).toBe('Open');
    expect((await upload(sim, token, job.id, 'Name\nWhole 1\nWhole 2\n')).status).toBe(201);
    await setState(sim, token, 'ingest', job.id, 'UploadComplete');
    expect(await waitDone(sim, token, 'ingest', job.id)).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2 });
  });

  it('an upload reset before any of the body is read', async () => {
    const job = await createIngest(sim, token, { object: 'Account', operation: 'insert' });
    sim.faults.add({ method: 'PUT', route: /\/batches$/, reset: true });
    const r = await rawPut(`${sim.url}${V}/jobs/ingest/${job.id}/batches`, [Buffer.from('Name\nA\n')]);
    expect(r.error).toBeDefined();
    expect((await upload(sim, token, job.id, 'Name\nA\n')).status).toBe(201);
  });
});
