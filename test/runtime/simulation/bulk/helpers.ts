/** Plain-fetch helpers for the simulator's Bulk API 2.0 tests (deliberately not the sfgen client). */
import type { Simulator } from 'sfgen/simulator';
import { call, V, type Reply } from '../helpers.js';

export { call, V, type Reply };

export interface JobInfo {
  id: string;
  state: string;
  numberRecordsProcessed: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
  [key: string]: unknown;
}

/** Create an ingest job; fails the test when Salesforce would not have created it. */
export async function createIngest(sim: Simulator, token: string, body: Record<string, unknown>): Promise<JobInfo> {
  const r = await call(sim, token, 'POST', `${V}/jobs/ingest`, body);
  if (r.status !== 200) throw new Error(`create job: ${r.status} ${r.text}`);
  return r.json as JobInfo;
}

export async function upload(sim: Simulator, token: string, id: string, csv: string | Buffer, contentType = 'text/csv'): Promise<Reply> {
  const res = await fetch(`${sim.url}${V}/jobs/ingest/${id}/batches`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
    body: csv,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

export async function setState(sim: Simulator, token: string, kind: 'ingest' | 'query', id: string, state: string): Promise<Reply> {
  return call(sim, token, 'PATCH', `${V}/jobs/${kind}/${id}`, { state });
}

export async function info(sim: Simulator, token: string, kind: 'ingest' | 'query', id: string): Promise<JobInfo> {
  const r = await call(sim, token, 'GET', `${V}/jobs/${kind}/${id}`);
  if (r.status !== 200) throw new Error(`job info: ${r.status} ${r.text}`);
  return r.json as JobInfo;
}

/** Poll until the job is finished (bounded: 10 s). */
export async function waitDone(sim: Simulator, token: string, kind: 'ingest' | 'query', id: string): Promise<JobInfo> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = await info(sim, token, kind, id);
    if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function results(sim: Simulator, token: string, id: string, which: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Promise<Reply> {
  return call(sim, token, 'GET', `${V}/jobs/ingest/${id}/${which}`);
}

/** Create, upload, close and wait: the whole ingest round trip. */
export async function ingest(sim: Simulator, token: string, body: Record<string, unknown>, csv: string): Promise<JobInfo> {
  const job = await createIngest(sim, token, body);
  const up = await upload(sim, token, job.id, csv);
  if (up.status !== 201) throw new Error(`upload: ${up.status} ${up.text}`);
  const closed = await setState(sim, token, 'ingest', job.id, 'UploadComplete');
  if (closed.status !== 200) throw new Error(`close: ${closed.status} ${closed.text}`);
  return waitDone(sim, token, 'ingest', job.id);
}

/** A small RFC 4180 reader for assertions (independent of the simulator's reader). */
export function parseCsv(text: string, delimiter = ',', eol = '\n'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let any = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
      i += 1;
      continue;
    }
    if (c === delimiter) {
      row.push(field);
      field = '';
      any = true;
      i += 1;
      continue;
    }
    if (text.startsWith(eol, i)) {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      any = false;
      i += eol.length;
      continue;
    }
    field += c;
    any = true;
    i += 1;
  }
  if (any || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
