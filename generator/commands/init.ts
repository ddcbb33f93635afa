/**
 * `sfgen init`: sets a project up — `sfgen.config.json` (with the JSON Schema editors complete
 * from), a CI job that runs `sfgen check`, and hints for `.gitignore`. Existing files are never
 * overwritten without `--force`; every file is written to a temporary name and renamed, so a
 * failure leaves nothing half-written.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_OUT_DIR } from '../defaults.js';

interface InitCliOptions {
  out: string;
  metadataDir?: string;
  ci: 'github' | 'none';
  force?: boolean;
  json?: boolean;
}

/** Where the config's JSON Schema sits once sfgen-cli is installed (relative to the project). */
export const CONFIG_SCHEMA_REF = './node_modules/sfgen-cli/generator/sfgen.config.schema.json';

/** The files `sfgen init` writes, by path relative to the project. */
export function initFiles(options: { out: string; metadataDir?: string; ci: 'github' | 'none' }): Map<string, string> {
  const files = new Map<string, string>();
  const config: Record<string, unknown> = { $schema: CONFIG_SCHEMA_REF, outDir: options.out };
  if (options.metadataDir !== undefined) config.metadataDir = options.metadataDir;
  files.set('sfgen.config.json', `${JSON.stringify(config, null, 2)}\n`);
  if (options.ci === 'github') {
    files.set(
      '.github/workflows/sfgen-check.yml',
      [
        '# Fails when the org schema drifted from what the code was generated against (sfgen check).',
        '# Secrets: SF_CLIENT_ID, SF_USERNAME and SF_JWT_KEY (the connected app\'s private key, PEM).',
        'name: sfgen check',
        'on:',
        '  pull_request:',
        "  schedule: [{ cron: '0 6 * * 1-5' }] # catch admin changes between pull requests",
        'jobs:',
        '  drift:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - uses: actions/setup-node@v4',
        '        with: { node-version: 20, cache: npm }',
        '      - run: npm ci',
        '      - name: generated code is up to date with its snapshot',
        '        run: npx sfgen generate --check',
        '      - name: sfgen check',
        '        env:',
        '          SF_CLIENT_ID: ${{ secrets.SF_CLIENT_ID }}',
        '          SF_USERNAME: ${{ secrets.SF_USERNAME }}',
        '          SF_LOGIN_URL: https://test.salesforce.com',
        '          SF_JWT_KEY: ${{ secrets.SF_JWT_KEY }}',
        '        run: |',
        '          umask 077',
        '          printf "%s" "$SF_JWT_KEY" > "$RUNNER_TEMP/sf.key"',
        `          SF_JWT_KEY_FILE="$RUNNER_TEMP/sf.key" npx sfgen check --out ${options.out} --format github`,
        '',
      ].join('\n'),
    );
  }
  return files;
}

/** Lines worth adding to `.gitignore`, and what must stay committed. */
export const GITIGNORE_HINTS = [
  '# sfgen: commit the generated directory (its schema.lock.json is what `sfgen check` compares with);',
  '# never commit credentials:',
  '*.key',
  '*.pem',
  '.env',
  '.sf/',
  '.sfdx/',
];

async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.sfgen-${process.pid}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Registers `sfgen init`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Set up a project: sfgen.config.json (with a JSON Schema), a CI job running sfgen check, .gitignore hints')
    .option('--out <dir>', 'where generated code goes', DEFAULT_OUT_DIR)
    .option('--metadata-dir <dir>', 'generate from a metadata directory instead of an org')
    .option('--ci <provider>', 'CI job to write: github or none', 'github')
    .option('--force', 'overwrite files that exist')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sfgen init                       # sfgen.config.json + .github/workflows/sfgen-check.yml
  $ npx sfgen init --out src/sf --ci none
  $ npx sfgen init --metadata-dir salesforce/metadata --force

Then: npx sfgen generate --target-org my-sandbox (or any source: npx sfgen generate --help).
Exit codes: 0 written, 1 error (a file exists without --force; nothing is written).`,
    )
    .action(async (opts: InitCliOptions) => {
      try {
        if (opts.ci !== 'github' && opts.ci !== 'none') throw new Error(`--ci must be github or none, got '${String(opts.ci)}'`);
        const cwd = process.cwd();
        const files = initFiles({
          out: opts.out,
          ci: opts.ci,
          ...(opts.metadataDir !== undefined && { metadataDir: opts.metadataDir }),
        });
        const existing = [...files.keys()].filter((f) => existsSync(path.join(cwd, f)));
        if (existing.length > 0 && !opts.force) throw new Error(`${existing.join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'}: pass --force to overwrite (nothing was written)`);
        for (const [file, content] of files) await writeAtomically(path.join(cwd, file), content);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ written: [...files.keys()], gitignore: GITIGNORE_HINTS.filter((l) => !l.startsWith('#')) })}\n`);
        } else {
          for (const file of files.keys()) process.stdout.write(`sfgen init: wrote ${file}\n`);
          process.stdout.write(`\nAdd to .gitignore:\n${GITIGNORE_HINTS.map((l) => `  ${l}`).join('\n')}\n\nNext: npx sfgen generate (npx sfgen generate --help lists the ways to name an org)\n`);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (opts.json) process.stdout.write(`${JSON.stringify({ error: { code: 'ERROR', message } })}\n`);
        process.stderr.write(`sfgen init: ${message}\n`);
        process.exitCode = 1;
      }
    });
}
