/** `sfgen init`: the config it writes resolves, its JSON Schema matches the config's zod schema, nothing is overwritten. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerInit } from '../../../generator/commands/init.js';
import { ConfigFileSchema, resolveConfig } from '../../../generator/config.js';
import { REPO, removeDir, tempDir } from './helpers.js';

let root: string;
beforeAll(async () => {
  root = await tempDir('init');
});
afterAll(async () => {
  await removeDir(root);
});

async function init(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('sfgen').exitOverride();
  registerInit(program);
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const before = process.cwd();
  process.exitCode = 0;
  process.chdir(cwd);
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'sfgen', 'init', ...args]);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.chdir(before);
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('sfgen init', () => {
  it('ships a JSON Schema equal to the config schema the CLI validates with', async () => {
    const shipped: unknown = JSON.parse(await readFile(path.join(REPO, 'generator/sfgen.config.schema.json'), 'utf8'));
    expect(shipped).toEqual(z.toJSONSchema(ConfigFileSchema));
  });

  it('writes a config that resolves, and a CI job running sfgen check', async () => {
    const cwd = path.join(root, 'fresh');
    await mkdir(cwd, { recursive: true });
    const res = await init(cwd, ['--out', 'src/sf']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/wrote sfgen\.config\.json/);
    expect(res.stdout).toMatch(/\.gitignore/);
    const config = JSON.parse(await readFile(path.join(cwd, 'sfgen.config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toEqual({ $schema: './node_modules/sfgen-cli/generator/sfgen.config.schema.json', outDir: 'src/sf' });
    expect(resolveConfig({ cwd, demo: true }, { HOME: cwd }).outDir).toBe(path.join(cwd, 'src/sf'));
    const job = await readFile(path.join(cwd, '.github/workflows/sfgen-check.yml'), 'utf8');
    expect(job).toMatch(/npx sfgen check --out src\/sf --format github/);
    expect(job).toMatch(/npx sfgen generate --check/);
  });

  it('refuses to overwrite without --force and writes nothing; --force overwrites', async () => {
    const cwd = path.join(root, 'existing');
    await mkdir(cwd, { recursive: true });
    await writeFile(path.join(cwd, 'sfgen.config.json'), '{"outDir":"mine"}');
    const refused = await init(cwd, ['--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { message: expect.stringMatching(/sfgen\.config\.json already exists: pass --force/) } });
    expect(await readFile(path.join(cwd, 'sfgen.config.json'), 'utf8')).toBe('{"outDir":"mine"}');
    expect(existsSync(path.join(cwd, '.github'))).toBe(false);
    const forced = await init(cwd, ['--force', '--ci', 'none', '--metadata-dir', 'meta']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(cwd, 'sfgen.config.json'), 'utf8'))).toMatchObject({ outDir: 'generated', metadataDir: 'meta' });
    expect(resolveConfig({ cwd }, { HOME: cwd }).source).toEqual({ kind: 'directory', dir: path.join(cwd, 'meta') });
  });
});
