#!/usr/bin/env node
/**
 * The `sfgen` command line. Each command lives in `commands/<name>.ts` and registers itself on
 * the program; this file only wires them and maps failures to exit codes:
 * 0 success, 1 error, 2 drift/stale (the Prisma convention, used by `check` and `generate --check`).
 */
import { Command } from 'commander';
import { registerGenerate } from './commands/generate.js';
import { registerCheck } from './commands/check.js';
import { registerLint } from './commands/lint.js';
import { registerSimulate } from './commands/simulate.js';
import { registerInit } from './commands/init.js';
import { registerBulk } from './commands/bulk.js';
import { registerEvents } from './commands/events.js';
import { SFGEN_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('sfgen')
    .description('Typed Salesforce SDK generator, drift check, SOQL lint and org simulator')
    .version(SFGEN_VERSION)
    .showHelpAfterError();
  registerGenerate(program);
  registerCheck(program);
  registerLint(program);
  registerSimulate(program);
  registerInit(program);
  registerBulk(program);
  registerEvents(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    // A command that failed before it could report (e.g. `simulate` on a bad metadata directory):
    // with --json the error is JSON on stdout like every other command's, and always on stderr.
    const message = error instanceof Error ? error.message : String(error);
    if (process.argv.includes('--json')) {
      const code = (error as { code?: unknown }).code;
      process.stdout.write(`${JSON.stringify({ error: { code: typeof code === 'string' ? code : 'ERROR', message } })}\n`);
    }
    process.stderr.write(`sfgen: ${message}\n`);
    process.exitCode = 1;
  }
}

await main();
