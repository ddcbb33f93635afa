import type { Command } from 'commander';

/** Placeholder until the `generate` command lands; it fails loudly rather than pretending. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('(not implemented yet)')
    .action(() => {
      throw new Error('sfgen generate is not implemented yet');
    });
}
