/**
 * What importing each entry loads, in a fresh process (a resolve hook records every module URL):
 * `sfgen/runtime` and `sfgen/pubsub` load neither zod nor undici, so an application that only
 * subscribes to events does not pay for them (undici is loaded by the first HTTP request);
 * `sfgen/validation`, and through it a generated sObject module, load zod, and `sfgen/pubsub`
 * grpc-js (which also proves the check can fail).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = path.join(REPO, 'node_modules/tsx/dist/loader.mjs');
let dir: string;
let trace: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sfgen-entry-'));
  trace = path.join(dir, 'trace.mjs');
  writeFileSync(trace, `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    const r = await next(specifier, context);
    process.stderr.write('RESOLVED ' + r.url + '\\\\n');
    return r;
  }\`));
`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packages (under node_modules) a fresh process resolved while importing `entry`. */
function packagesLoadedBy(entry: string, then = ''): Promise<string[]> {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(REPO, entry)).href)});\n${then}`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--conditions=sfgen-source', '--import', tsx, '--import', pathToFileURL(trace).href, '--input-type=module', '-e', script], { cwd: REPO, timeout: 60_000 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      const names = new Set<string>();
      for (const m of stderr.matchAll(/RESOLVED \S*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)) names.add(m[1]!);
      resolve([...names].sort());
    });
  });
}

describe('what each entry loads', () => {
  it('sfgen/runtime and sfgen/pubsub load neither zod nor undici', async () => {
    const [runtime, pubsub] = await Promise.all([packagesLoadedBy('runtime/index.ts'), packagesLoadedBy('runtime/services/pubsub/index.ts')]);
    expect(runtime).not.toContain('zod');
    expect(runtime).not.toContain('undici');
    expect(pubsub).toContain('@grpc/grpc-js'); // the hook sees the entry's packages
    expect(pubsub).not.toContain('zod');
    expect(pubsub).not.toContain('undici');
  }, 60_000);

  it('sfgen/validation and a generated sObject module do', async () => {
    const [validation, account] = await Promise.all([packagesLoadedBy('runtime/validation.ts'), packagesLoadedBy('generated/sobjects/Account.ts')]);
    expect(validation).toContain('zod');
    expect(account).toContain('zod');
  }, 60_000);

  it('a client made with an access token loads undici only with its first request', async () => {
    const make = "const client = m.createClient({ auth: { accessToken: 'x', instanceUrl: 'http://127.0.0.1:9' }, allowInsecureLoopback: true });";
    expect(await packagesLoadedBy('runtime/index.ts', make)).not.toContain('undici');
    expect(await packagesLoadedBy('runtime/index.ts', `${make}\nawait client.request({ method: 'GET', path: '/services/data' }).catch(() => undefined);\nawait client.close();`)).toContain('undici');
  }, 60_000);
});
