/**
 * A REST-only application never loads Bulk code: the import graph of the runtime's main entry
 * (`sfgen/runtime`, runtime/index.ts) reaches no file of runtime/services/bulk/, while the bulk
 * entry reaches the CSV reader. Followed statically through every relative value import.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

function graph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    // Value imports and re-exports (type-only ones are erased and load nothing).
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec === undefined) continue;
      visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  };
  visit(resolve(ROOT, entry));
  return seen;
}

describe('entry points', () => {
  it('sfgen/runtime loads no Bulk or CSV code', () => {
    const files = [...graph('runtime/index.ts')].map((f) => f.slice(ROOT.length + 1));
    expect(files).toContain('runtime/client.ts');
    expect(files.filter((f) => f.startsWith('runtime/services/bulk/'))).toEqual([]);
  });

  it('sfgen/bulk loads the CSV reader', () => {
    const files = [...graph('runtime/services/bulk/index.ts')].map((f) => f.slice(ROOT.length + 1));
    expect(files).toContain('runtime/services/bulk/csv.ts');
  });
});
