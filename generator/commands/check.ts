import type { Command } from 'commander';

/** Placeholder until the `check` command lands; it fails loudly rather than pretending. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('sfgen check is not implemented yet');
    });
}
