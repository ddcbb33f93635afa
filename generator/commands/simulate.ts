import type { Command } from 'commander';

/** Placeholder until the `simulate` command lands; it fails loudly rather than pretending. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('sfgen simulate is not implemented yet');
    });
}
