/**
 * A small Bulk API 2.0 server on 127.0.0.1 for the client's tests until the simulator serves Bulk:
 * ingest jobs (one PUT per job, results CSVs quoted like Salesforce's), query jobs with locators,
 * and injectable faults. It parses CSV with csv-parse (not with the reader under test).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parse } from 'csv-parse/sync';

export interface Faults {
  /** Next N job-info GETs answer 503. */
  poll503: number;
  /** Next N result downloads are cut mid-body. */
  cutDownload: number;
  /** Next N uploads: the connection is reset after part of the body. */
  resetUpload: number;
  /** Next N job creates answer 403 REQUEST_LIMIT_EXCEEDED (concurrent: retryable with Retry-After). */
  limitOnCreate: number;
  /** Next N job creates answer the daily REQUEST_LIMIT_EXCEEDED (not retryable). */
  dailyLimitOnCreate: number;
  /** Jobs end Failed with this message (rows unprocessed). */
  failJobs: string | undefined;
  /** Polls a job stays InProgress. */
  processingPolls: number;
}

interface Job {
  id: string;
  kind: 'ingest' | 'query';
  object: string;
  operation: string;
  externalIdFieldName?: string;
  lineEnding: string;
  state: string;
  polls: number;
  csv?: string;
  uploads: number;
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  header: string[];
  rows: string[][];
  errorMessage?: string;
}

export interface FakeBulk {
  url: string;
  faults: Faults;
  jobs: Map<string, Job>;
  records: Map<string, Record<string, string>>;
  requests: string[];
  close(): Promise<void>;
}

const q = (v: string): string => `"${v.replace(/"/g, '""')}"`;
const line = (values: readonly string[]): string => values.map(q).join(',');

let counter = 0;
function newId(prefix: string): string {
  counter++;
  return `${prefix}${String(counter).padStart(15 - prefix.length, '0')}AAA`;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function info(job: Job): Record<string, unknown> {
  const processed = job.successful.length + job.failed.length;
  return {
    id: job.id, operation: job.operation, object: job.object, state: job.state, contentType: 'CSV', apiVersion: 60.0,
    lineEnding: job.lineEnding, columnDelimiter: 'COMMA', numberRecordsProcessed: job.kind === 'query' ? job.rows.length : processed,
    numberRecordsFailed: job.failed.length, retries: 0,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  };
}

export async function startFakeBulk(): Promise<FakeBulk> {
  const faults: Faults = { poll503: 0, cutDownload: 0, resetUpload: 0, limitOnCreate: 0, dailyLimitOnCreate: 0, failJobs: undefined, processingPolls: 1 };
  const jobs = new Map<string, Job>();
  const records = new Map<string, Record<string, string>>();
  const byExternal = new Map<string, string>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();

  const process = (job: Job): void => {
    if (job.csv === undefined) return;
    const rows = parse(job.csv, { relax_column_count: false, record_delimiter: job.lineEnding === 'CRLF' ? '\r\n' : '\n' }) as string[][];
    const header = rows.shift() ?? [];
    job.header = header;
    if (faults.failJobs !== undefined) {
      job.state = 'Failed';
      job.errorMessage = faults.failJobs;
      job.unprocessed = rows;
      return;
    }
    for (const row of rows) {
      const rec: Record<string, string> = {};
      header.forEach((h, k) => (rec[h] = row[k] ?? ''));
      if (Object.values(rec).some((v) => v.includes('FAIL'))) {
        job.failed.push(['', 'FIELD_CUSTOM_VALIDATION_EXCEPTION:the value says FAIL:LastName --', ...row]);
        continue;
      }
      if (job.operation === 'insert') {
        const id = newId('003');
        records.set(id, { Id: id, ...rec });
        job.successful.push([id, 'true', ...row]);
      } else if (job.operation === 'upsert') {
        const key = rec[job.externalIdFieldName ?? ''] ?? '';
        const existing = byExternal.get(key);
        const id = existing ?? newId('003');
        byExternal.set(key, id);
        records.set(id, { ...(records.get(id) ?? {}), Id: id, ...rec });
        job.successful.push([id, existing === undefined ? 'true' : 'false', ...row]);
      } else {
        const id = rec.Id ?? '';
        if (!records.has(id)) {
          job.failed.push([id, `ENTITY_IS_DELETED:entity is deleted:--`, ...row]);
          continue;
        }
        if (job.operation === 'update') records.set(id, { ...(records.get(id) ?? {}), ...rec });
        else records.delete(id);
        job.successful.push([id, 'false', ...row]);
      }
    }
    job.state = 'JobComplete';
  };

  const sendCsv = (res: ServerResponse, text: string, headers: Record<string, string> = {}): void => {
    if (faults.cutDownload > 0 && text.length > 20) {
      faults.cutDownload--;
      const body = Buffer.from(text);
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(body.length), ...headers });
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv', ...headers });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/services\/data\/v\d+\.\d\//, '');
    requests.push(`${req.method} ${path}`);
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === 'limits') {
      return json(res, 200, { DailyApiRequests: { Max: 15000, Remaining: 14000 }, DailyBulkV2QueryJobs: { Max: 10000, Remaining: 9999 }, DailyBulkApiBatches: { Max: 15000, Remaining: 15000 } });
    }
    if (req.method === 'POST' && (path === 'jobs/ingest' || path === 'jobs/query')) {
      if (faults.limitOnCreate > 0) {
        faults.limitOnCreate--;
        return json(res, 403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }], { 'retry-after': '0' });
      }
      if (faults.dailyLimitOnCreate > 0) {
        faults.dailyLimitOnCreate--;
        return json(res, 403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
      }
      const spec = JSON.parse(body) as { object?: string; operation: string; externalIdFieldName?: string; lineEnding?: string; query?: string };
      const kind = path === 'jobs/ingest' ? 'ingest' : 'query';
      const job: Job = {
        id: newId('750'), kind, object: spec.object ?? '', operation: spec.operation, lineEnding: spec.lineEnding ?? 'LF',
        state: kind === 'ingest' ? 'Open' : 'UploadComplete', polls: 0, uploads: 0, successful: [], failed: [], unprocessed: [], header: [], rows: [],
        ...(spec.externalIdFieldName ? { externalIdFieldName: spec.externalIdFieldName } : {}),
      };
      if (kind === 'query') {
        const sm = /^SELECT\s+(.+?)\s+FROM\s+(\w+)/i.exec(spec.query ?? '');
        if (!sm) return json(res, 400, [{ errorCode: 'MALFORMED_QUERY', message: 'bad query' }]);
        const fields = (sm[1] as string).split(',').map((f) => f.trim());
        job.object = sm[2] as string;
        job.header = fields;
        job.rows = [...records.values()].map((r) => fields.map((f) => r[f] ?? ''));
        if (faults.failJobs !== undefined) {
          job.state = 'Failed';
          job.errorMessage = faults.failJobs;
        }
      }
      jobs.set(job.id, job);
      return json(res, 200, { ...info(job), contentUrl: `services/data/v60.0/jobs/ingest/${job.id}/batches` });
    }
    if ((m = /^jobs\/(ingest|query)\/(\w+)(?:\/(.*))?$/.exec(path))) {
      const job = jobs.get(m[2] as string);
      if (!job) return json(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      const sub = m[3];
      if (req.method === 'PUT' && sub === 'batches') {
        job.uploads++;
        if (job.csv !== undefined || job.state !== 'Open') {
          return json(res, 400, [{ errorCode: 'INVALIDJOBSTATE', message: `Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.` }]);
        }
        job.csv = body;
        res.writeHead(201);
        return void res.end();
      }
      if (req.method === 'PATCH' && sub === undefined) {
        const { state } = JSON.parse(body) as { state: string };
        if (state === 'Aborted') job.state = 'Aborted';
        else if (state === 'UploadComplete' && job.state === 'Open') job.state = 'UploadComplete';
        return json(res, 200, info(job));
      }
      if (req.method === 'GET' && sub === undefined) {
        if (faults.poll503 > 0) {
          faults.poll503--;
          res.writeHead(503, { 'content-type': 'text/html' });
          return void res.end('<html><title>Service Unavailable</title></html>');
        }
        if (job.state === 'UploadComplete' || job.state === 'InProgress') {
          job.polls++;
          if (job.polls > faults.processingPolls) {
            if (job.kind === 'ingest') process(job);
            else job.state = 'JobComplete';
          } else job.state = 'InProgress';
        }
        return json(res, 200, info(job));
      }
      if (req.method === 'GET' && job.kind === 'ingest' && sub !== undefined) {
        const which = sub.replace(/\/$/, '');
        if (which === 'successfulResults') return sendCsv(res, [line(['sf__Id', 'sf__Created', ...job.header]), ...job.successful.map(line)].join('\n') + '\n');
        if (which === 'failedResults') return sendCsv(res, [line(['sf__Id', 'sf__Error', ...job.header]), ...job.failed.map(line)].join('\n') + '\n');
        if (which === 'unprocessedrecords') return sendCsv(res, [line(job.header), ...job.unprocessed.map(line)].join('\n') + '\n');
      }
      if (req.method === 'GET' && job.kind === 'query' && sub === 'results') {
        const max = Number(url.searchParams.get('maxRecords') ?? '1000');
        const start = Number(url.searchParams.get('locator') ?? '0');
        const slice = job.rows.slice(start, start + max);
        const next = start + max < job.rows.length ? String(start + max) : 'null';
        return sendCsv(res, [line(job.header), ...slice.map(line)].join('\n') + '\n', { 'sforce-locator': next, 'sforce-numberofrecords': String(slice.length) });
      }
    }
    json(res, 404, [{ errorCode: 'NOT_FOUND', message: `no route ${req.method} ${path}` }]);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let reset = false;
    if (req.method === 'PUT' && faults.resetUpload > 0) {
      faults.resetUpload--;
      reset = true;
    }
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (reset && size > 0) {
        requests.push(`RESET ${req.url}`);
        req.socket.destroy();
      }
    });
    req.on('end', () => {
      if (!reset) handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    jobs,
    records,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
