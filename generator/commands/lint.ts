/**
 * `sfgen lint [PATHS...] [--out DIR] [--json]`: validates the SOQL in a codebase against the schema
 * snapshot in `--out` (`schema.lock.json`). Prints `file:line:col: error: message` per problem and
 * `note:` lines for queries built at run time; exit 1 on any error (or when the snapshot cannot be
 * read), 0 otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_OUT_DIR } from '../defaults.js';

interface LintFlags {
  out?: string;
  json?: boolean;
}

/** `outDir` of `sfgen.config.json` in the working directory, when there is one. */
function configuredOutDir(): string | undefined {
  const file = resolve('sfgen.config.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const outDir = (parsed as { outDir?: unknown } | null)?.outDir;
    return typeof outDir === 'string' && outDir !== '' ? outDir : undefined;
  } catch {
    return undefined; // `sfgen generate` reports a broken config; lint falls back to the default
  }
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('validate the SOQL in a codebase against the schema snapshot (schema.lock.json in --out)')
    .argument('[paths...]', 'files or directories to scan (default: the current directory)')
    .option('--out <dir>', 'directory holding schema.lock.json (default: outDir of sfgen.config.json, else generated/)')
    .option('--json', 'print diagnostics and a summary as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sfgen lint src                                          # file:line:col per error, exit 1 on any
  $ npx sfgen lint src/queries.ts --out src/sf --json

Finds SOQL in soql\`...\` templates, soql('...') checked strings and string arguments of
query()/queryAll() (x.query(...) too), and checks objects, fields, parent and child
relationships, operators and values against field types and the describe's
filterable/sortable/groupable flags. Queries built at run time are reported as notes.
Put "sfgen-lint-ignore" in a comment on the line (or the line before) to skip a call.

Exit codes: 0 no errors, 1 errors found (or the snapshot could not be read).`,
    )
    .action(async (paths: string[], opts: LintFlags) => {
      const outDir = opts.out ?? configuredOutDir() ?? DEFAULT_OUT_DIR;
      try {
        const [{ formatDiagnostic, lintPaths }, { readSnapshot }] = await Promise.all([import('../lint/index.js'), import('../model/snapshot.js')]);
        const snapshot = await readSnapshot(outDir);
        const targets = paths.length > 0 ? paths : ['.'];
        // The generated tree holds no hand-written SOQL; skip it when walking a parent directory.
        const result = await lintPaths(targets, snapshot.model, { exclude: [resolve(outDir)] });
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify(
              {
                snapshot: join(outDir, 'schema.lock.json'),
                files: result.files,
                queries: result.queries,
                errors: result.errorCount,
                notes: result.noteCount,
                diagnostics: result.diagnostics,
              },
              null,
              2,
            )}\n`,
          );
        } else {
          for (const d of result.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
          process.stderr.write(
            `sfgen lint: ${result.queries} ${result.queries === 1 ? 'query' : 'queries'} in ${result.files} ${result.files === 1 ? 'file' : 'files'} checked against ${join(outDir, 'schema.lock.json')}: ` +
              `${result.errorCount} ${result.errorCount === 1 ? 'error' : 'errors'}, ${result.noteCount} ${result.noteCount === 1 ? 'note' : 'notes'}\n`,
          );
        }
        process.exitCode = result.errorCount > 0 ? 1 : 0;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (opts.json) process.stdout.write(`${JSON.stringify({ error: { code: (error as { code?: unknown }).code ?? 'ERROR', message } })}\n`);
        process.stderr.write(`sfgen lint: ${message}\n`);
        process.exitCode = 1;
      }
    });
}
