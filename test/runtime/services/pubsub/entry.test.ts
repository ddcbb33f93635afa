/**
 * `sfgen/runtime` (the REST entry) must not load grpc-js or avsc: a REST-only application pays
 * nothing for Pub/Sub. Checked in a fresh process; the second case proves the check can fail.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const tsx = path.join(REPO, 'node_modules/tsx/dist/loader.mjs');

function loadedAfterImporting(entry: string): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(entry)});
    const require = createRequire(import.meta.url);
    const loaded = Object.keys(require('module')._cache).filter((f) => /node_modules[\\\\/](@grpc[\\\\/]grpc-js|@grpc[\\\\/]proto-loader|avsc|protobufjs)[\\\\/]/.test(f));
    console.log(JSON.stringify([...new Set(loaded.map((f) => f.split(/node_modules[\\\\/]/)[1].split(/[\\\\/]/).slice(0, f.includes('@grpc') ? 2 : 1).join('/')))]));
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--conditions=sfgen-source', '--import', tsx, '--input-type=module', '-e', script], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[]);
    });
  });
}

describe('subpath isolation', () => {
  it('importing sfgen/runtime loads neither grpc-js nor avsc', async () => {
    expect(await loadedAfterImporting(path.join(REPO, 'runtime/index.ts'))).toEqual([]);
  });

  it('importing sfgen/pubsub does load them (the check above can fail)', async () => {
    const loaded = await loadedAfterImporting(path.join(REPO, 'runtime/services/pubsub/index.ts'));
    expect(loaded).toEqual(expect.arrayContaining(['@grpc/grpc-js', 'avsc']));
  });
});
