/**
 * What importing each entry loads, in a fresh process (a resolve hook records every module URL):
 * `sfgen/runtime` and `sfgen/pubsub` never load zod, so an application that only subscribes to
 * events does not pay for it (~13 MB of RSS); `sfgen/validation`, and through it a generated
 * sObject module, do (which also proves the check can fail).
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
function packagesLoadedBy(entry: string): Promise<string[]> {
  const script = `await import(${JSON.stringify(pathToFileURL(path.join(REPO, entry)).href)});`;
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
  it('sfgen/runtime and sfgen/pubsub load no zod', async () => {
    const [runtime, pubsub] = await Promise.all([packagesLoadedBy('runtime/index.ts'), packagesLoadedBy('runtime/services/pubsub/index.ts')]);
    expect(runtime).toContain('undici'); // the hook sees the entry's packages
    expect(runtime).not.toContain('zod');
    expect(pubsub).toContain('@grpc/grpc-js');
    expect(pubsub).not.toContain('zod');
  }, 60_000);

  it('sfgen/validation and a generated sObject module do', async () => {
    const [validation, account] = await Promise.all([packagesLoadedBy('runtime/validation.ts'), packagesLoadedBy('generated/sobjects/Account.ts')]);
    expect(validation).toContain('zod');
    expect(account).toContain('zod');
  }, 60_000);
});
