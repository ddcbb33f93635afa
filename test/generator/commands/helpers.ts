/** Shared helpers of the generator end-to-end tests: temp dirs inside the repo, tree hashing, tsc. */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_ORG = path.join(REPO, 'test/fixtures/demo-org');
/** Under test/generator/tmp (excluded from the root tsconfig), so generated code resolves the repo's node_modules. */
export const TMP_ROOT = path.join(REPO, 'test/generator/tmp');

export async function tempDir(prefix: string): Promise<string> {
  await mkdir(TMP_ROOT, { recursive: true });
  return mkdtemp(path.join(TMP_ROOT, `${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A copy of the demo org's metadata (describes, global describe, events) without seed records. */
export async function copyDemoMetadata(into: string): Promise<string> {
  const dir = path.join(into, 'org');
  await mkdir(dir, { recursive: true });
  await cp(path.join(DEMO_ORG, 'sobjects.json'), path.join(dir, 'sobjects.json'));
  await cp(path.join(DEMO_ORG, 'sobjects'), path.join(dir, 'sobjects'), { recursive: true });
  await cp(path.join(DEMO_ORG, 'events'), path.join(dir, 'events'), { recursive: true });
  return dir;
}

/** Every file of a tree: relative path -> content. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string, rel: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else out.set(r, await readFile(path.join(d, e.name), 'utf8'));
    }
  }
  await walk(dir, '');
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Runs a command; resolves with exit code and output (never rejects). */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { cwd: options.cwd ?? REPO, env: options.env ?? process.env, timeout: options.timeoutMs ?? 180_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Type-checks generated code in `dir` with extra compiler options (a minimal tsconfig pointing `sfgen/runtime` at the repo). */
export async function typecheck(dir: string, compilerOptions: Record<string, unknown>, extraFiles: readonly string[] = []): Promise<{ code: number; output: string }> /* output: diagnostics in the checked files */ {
  const configPath = path.join(dir, `tsconfig.${Object.keys(compilerOptions).join('-') || 'default'}.json`);
  await writeFile(
    configPath,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', customConditions: ['sfgen-source'],
        skipLibCheck: true, noEmit: true, types: ['node'], lib: ['ES2023'], ...compilerOptions,
      },
      include: ['out/**/*.ts', ...extraFiles],
    }),
  );
  const res = await run(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', configPath], { cwd: dir, timeoutMs: 300_000 });
  const output = res.stdout + res.stderr;
  // Only diagnostics in the checked files count: other teams' in-progress runtime files are not ours to judge here.
  const ours = output.split('\n').filter((l) => l.startsWith('out/') || extraFiles.some((f) => l.startsWith(f)));
  return { code: res.code, output: ours.join('\n') };
}
