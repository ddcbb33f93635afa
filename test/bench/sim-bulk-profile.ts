/**
 * Quick profile of the simulator's Bulk API 2.0 side (not a peer benchmark: `npm run bench -- bulk`
 * is that). Ingests N Account rows in one streamed upload, downloads the successful results,
 * then runs a query job over them and downloads every page; prints rows/s per phase and memory.
 *
 *   npx tsx --conditions=sfgen-source test/bench/sim-bulk-profile.ts [rows=100000] [maxRecords=50000]
 */
import { Readable } from 'node:stream';
import { startSimulator } from 'sfgen/simulator';
import { TINY_ORG } from '../runtime/simulation/helpers.js';

const rows = Number(process.argv[2] ?? 100_000);
const maxRecords = Number(process.argv[3] ?? 50_000);
const V = '/services/data/v60.0';
const mb = (n: number) => Math.round(n / 1048576);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

function* csv(): Generator<Buffer> {
  yield Buffer.from('Name,NumberOfEmployees,Active__c,Founded__c,Ext_Id__c,BillingStreet\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `"Account ${i}, Inc.",${i % 1000},${i % 2 === 0},2020-01-${String((i % 28) + 1).padStart(2, '0')},P-${i},"${i} Main St\nFloor ${i % 9}"\n`;
    if (chunk.length > 65536) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  yield Buffer.from(chunk);
}

async function drain(res: Response): Promise<number> {
  let bytes = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) bytes += c.length;
  return bytes;
}

const sim = await startSimulator({ metadataDir: TINY_ORG });
const token = sim.issueAccessToken();
const h = { Authorization: `Bearer ${token}` };
const json = { ...h, 'Content-Type': 'application/json' };
global.gc?.();
const base = process.memoryUsage();

async function poll(kind: string, id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const info = (await (await fetch(`${sim.url}${V}/jobs/${kind}/${id}`, { headers: h })).json()) as Record<string, unknown>;
    if (['JobComplete', 'Failed', 'Aborted'].includes(String(info.state))) return info;
    await new Promise((r) => setTimeout(r, 20));
  }
}

let t = performance.now();
let c = process.cpuUsage();
const cpu = () => {
  const d = process.cpuUsage(c);
  c = process.cpuUsage();
  return (d.user + d.system) / 1000;
};
const job = (await (await fetch(`${sim.url}${V}/jobs/ingest`, { method: 'POST', headers: json, body: JSON.stringify({ object: 'Account', operation: 'insert' }) })).json()) as { id: string };
const put = await fetch(`${sim.url}${V}/jobs/ingest/${job.id}/batches`, {
  method: 'PUT',
  headers: { ...h, 'Content-Type': 'text/csv' },
  body: Readable.toWeb(Readable.from(csv())) as ReadableStream,
  duplex: 'half',
} as RequestInit);
if (put.status !== 201) throw new Error(`upload ${put.status} ${await put.text()}`);
const tUpload = performance.now() - t;
const cUpload = cpu();
t = performance.now();
await fetch(`${sim.url}${V}/jobs/ingest/${job.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ state: 'UploadComplete' }) });
const done = await poll('ingest', job.id);
const tProcess = performance.now() - t;
const cProcess = cpu();
if (done.numberRecordsProcessed !== rows || done.numberRecordsFailed !== 0) throw new Error(`ingest: ${JSON.stringify(done)}`);
global.gc?.();
const afterIngest = process.memoryUsage();
t = performance.now();
cpu();
const okBytes = await drain(await fetch(`${sim.url}${V}/jobs/ingest/${job.id}/successfulResults`, { headers: h }));
const tResults = performance.now() - t;
const cResults = cpu();

t = performance.now();
const q = (await (await fetch(`${sim.url}${V}/jobs/query`, { method: 'POST', headers: json, body: JSON.stringify({ operation: 'query', query: "SELECT Id, Name, NumberOfEmployees, Active__c, Founded__c, BillingStreet, Owner.Username FROM Account WHERE Ext_Id__c LIKE 'P-%'" }) })).json()) as { id: string };
await poll('query', q.id);
const tQueryJob = performance.now() - t;
const cQueryJob = cpu();
t = performance.now();
let locator = '';
let got = 0;
let qBytes = 0;
for (;;) {
  const res = await fetch(`${sim.url}${V}/jobs/query/${q.id}/results?maxRecords=${maxRecords}${locator ? `&locator=${locator}` : ''}`, { headers: h });
  got += Number(res.headers.get('sforce-numberofrecords'));
  qBytes += await drain(res);
  locator = res.headers.get('sforce-locator') ?? 'null';
  if (locator === 'null') break;
}
const tQuery = performance.now() - t;
const cQuery = cpu();
if (got !== rows) throw new Error(`query returned ${got} rows, expected ${rows}`);
// What the jobs themselves hold (outcome bytes, ids, query rows): heap freed by deleting them.
global.gc?.();
const withJobs = process.memoryUsage().heapUsed;
// A long GC pause can outlast the keep-alive window: a DELETE is safe to send again.
const del = (url: string) => fetch(url, { method: 'DELETE', headers: h }).catch(() => fetch(url, { method: 'DELETE', headers: h }));
await del(`${sim.url}${V}/jobs/ingest/${job.id}`);
await del(`${sim.url}${V}/jobs/query/${q.id}`);
global.gc?.();
const jobsHeld = withJobs - process.memoryUsage().heapUsed;
clearInterval(sampler);
global.gc?.();
const end = process.memoryUsage();
const rate = (ms: number) => Math.round(rows / (ms / 1000));
console.log(JSON.stringify({
  rows,
  upload_rows_per_s: rate(tUpload),
  process_rows_per_s: rate(tProcess),
  successful_results_rows_per_s: rate(tResults),
  successful_results_MB: mb(okBytes),
  query_job_ms: Math.round(tQueryJob),
  query_download_rows_per_s: rate(tQuery),
  query_MB: mb(qBytes),
  jobs_held_bytes_per_row: Math.round(jobsHeld / rows),
  heap_MB: { start: mb(base.heapUsed), afterIngest: mb(afterIngest.heapUsed), end: mb(end.heapUsed) },
  rss_MB: { start: mb(base.rss), afterIngest: mb(afterIngest.rss), peak: mb(peakRss), end: mb(end.rss) },
  // CPU time of this process (client and simulator together): rows per CPU second, less sensitive to a shared machine's load
  cpu_rows_per_s: { upload: rate(cUpload), process: rate(cProcess), successfulResults: rate(cResults), queryJob: rate(cQueryJob), queryDownload: rate(cQuery) },
  loadavg: (await import('node:os')).loadavg().map((x) => Math.round(x * 10) / 10),
}));
await sim.close();
