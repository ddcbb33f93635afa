/**
 * Opens the metadata source a resolved config names — a metadata directory, a live org (sf CLI
 * alias, token, JWT) through the runtime client, or the bundled demo org served by the simulator
 * and read through the real HTTP path — so that `generate` and `check` read exactly the same way.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { ResolvedConfig } from '../config.js';
import { connectOrg } from './connect.js';
import { DirectorySource } from './directory.js';
import { MetadataError } from './errors.js';
import type { MetadataHttp } from './http.js';
import { LiveSource } from './live.js';
import type { MetadataSource } from './source.js';

/** An opened source; `close()` releases connections (and stops the demo simulator). */
export interface OpenedSource {
  readonly source: MetadataSource;
  /** Directory of `*.avsc` event schemas to read, or null (the source's own, when it has them). */
  readonly eventsDir: string | null;
  close(): Promise<void>;
}

/** Overrides for tests and benchmarks: a ready source, or the HTTP client for a live org. */
export interface OpenSourceOverrides {
  readonly source?: MetadataSource;
  readonly http?: MetadataHttp;
}

/**
 * Opens the source of `config` with API version `apiVersion`.
 *
 * @example
 * ```ts
 * const opened = await openSource(resolveConfig({ metadataDir: 'test/fixtures/demo-org' }, process.env), '60.0');
 * try { console.log(await opened.source.describeGlobal()); } finally { await opened.close(); }
 * ```
 */
export async function openSource(config: ResolvedConfig, apiVersion: string, overrides: OpenSourceOverrides = {}): Promise<OpenedSource> {
  const none = async (): Promise<void> => {};
  if (overrides.source) return { source: overrides.source, eventsDir: config.eventsDir, close: none };
  const src = config.source;
  switch (src.kind) {
    case 'directory':
      return { source: new DirectorySource(src.dir, apiVersion), eventsDir: config.eventsDir, close: none };
    case 'demo': {
      const sim = await startDemoSimulator(src.dir);
      try {
        const org = await connectOrg({ kind: 'token', instanceUrl: sim.url, accessToken: sim.issueAccessToken() }, apiVersion);
        return {
          source: new LiveSource(org.http, apiVersion, {
            description: `bundled demo org (${path.relative(config.cwd, src.dir) || src.dir}, served by the simulator at ${sim.url})`,
          }),
          eventsDir: config.eventsDir ?? path.join(src.dir, 'events'),
          close: async () => {
            await org.close();
            await sim.close();
          },
        };
      } catch (error) {
        await sim.close();
        throw error;
      }
    }
    case 'org': {
      if (overrides.http) return { source: new LiveSource(overrides.http, apiVersion), eventsDir: config.eventsDir, close: none };
      const org = await connectOrg(src.auth, apiVersion);
      return { source: new LiveSource(org.http, apiVersion), eventsDir: config.eventsDir, close: () => org.close() };
    }
  }
}

/** Starts the simulator on the demo org (imported lazily: only this path needs it). */
async function startDemoSimulator(dir: string): Promise<{ url: string; issueAccessToken(): string; close(): Promise<void> }> {
  try {
    await stat(path.join(dir, 'sobjects.json'));
  } catch (error) {
    throw new MetadataError('MISSING_FILE', `The bundled demo org is missing (${path.join(dir, 'sobjects.json')}); pass --metadata-dir or an org`, dir, { cause: error });
  }
  const { startSimulator } = await import('../../runtime/simulation/index.js');
  return startSimulator({ metadataDir: dir });
}
