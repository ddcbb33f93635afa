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
  registerEvents(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sfgen: ${message}\n`);
    process.exitCode = 1;
  }
}

await main();
