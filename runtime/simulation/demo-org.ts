/**
 * Where the bundled demo org lives: `test/fixtures/demo-org` in the sfgen repository, copied to
 * `dist/demo-org` when the runtime package is built, so installed packages carry it too.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findDemoOrg(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../demo-org'), // built: dist/simulation -> dist/demo-org
    path.resolve(here, '../../test/fixtures/demo-org'), // source tree: runtime/simulation -> test/fixtures/demo-org
  ];
  return candidates.find((c) => existsSync(path.join(c, 'sobjects.json'))) ?? (candidates[0] as string);
}

/**
 * Absolute path of the bundled demo org's metadata directory (39 objects with Salesforce's
 * describes, seed records, event schemas): what {@link startSimulator} serves by default.
 *
 * @example
 * ```ts
 * import { DEMO_ORG_DIR, startSimulator } from 'sfgen/simulator';
 * const sim = await startSimulator({ metadataDir: DEMO_ORG_DIR });
 * ```
 */
export const DEMO_ORG_DIR: string = findDemoOrg();
