// Builds the runtime package into runtime/dist: compiles the TypeScript sources, then copies the
// assets the runtime reads at run time (the bundled demo org the simulator defaults to, the Pub/Sub
// protocol definition) and the licence. Run by `prepare` (git and folder installs) and by the
// repository's `npm run build`. Writes into a temporary directory and swaps it in, so a failed
// build never leaves a half-written dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const staging = path.join(here, '.dist-staging');
const out = path.join(here, 'dist');

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.error('sfgen runtime build: TypeScript is not installed (run `npm install` in the sfgen checkout first)');
  process.exit(1);
}

rmSync(staging, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit', cwd: here });
  const assets = [
    [path.join(repo, 'test/fixtures/demo-org'), path.join(staging, 'demo-org')],
    [path.join(repo, 'proto'), path.join(staging, 'proto')],
  ];
  for (const [from, to] of assets) {
    if (existsSync(from)) cpSync(from, to, { recursive: true });
  }
  if (!existsSync(path.join(staging, 'demo-org/sobjects.json'))) throw new Error('the bundled demo org (test/fixtures/demo-org) is missing');
  if (existsSync(path.join(repo, 'LICENSE'))) cpSync(path.join(repo, 'LICENSE'), path.join(here, 'LICENSE'));
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
} catch (error) {
  rmSync(staging, { recursive: true, force: true });
  console.error(`sfgen runtime build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
