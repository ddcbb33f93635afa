import type { Command } from 'commander';

/** Placeholder until the `lint` command lands; it fails loudly rather than pretending. */
export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('sfgen lint is not implemented yet');
    });
}
