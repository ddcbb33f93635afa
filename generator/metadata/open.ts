/**
 * Opens the metadata source a resolved config names — a metadata directory, a live org (sf CLI
 * alias, token, JWT) through the runtime client, or the bundled demo org served by the simulator
 * and read through the real HTTP path — so that `generate` and `check` read exactly the same way.
 */
import path from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import type { SalesforceClient } from '../../runtime/index.js';
import type { ResolvedConfig } from '../config.js';
import { connectOrg } from './connect.js';
import { DirectorySource } from './directory.js';
import { MetadataError } from './errors.js';
import type { MetadataHttp } from './http.js';
import type { EventTopicSource } from './events.js';
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
  /** With `http`: the Pub/Sub calls for event discovery (without it a live org lists no events). */
  readonly events?: EventTopicSource;
}

/** Pub/Sub settings of {@link pubsubSource}. */
interface PubSubSettings {
  readonly endpoint: string;
  readonly caPem?: string | undefined;
  readonly tlsServerName?: string | undefined;
}

/**
 * The Pub/Sub client used for event discovery (GetTopic, GetSchema), on the same runtime client
 * (token, refresh) as the describes. Loaded lazily: only live event discovery loads grpc-js and avsc.
 */
async function pubsubSource(client: SalesforceClient, settings: PubSubSettings): Promise<EventTopicSource> {
  const { PubSubClient } = await import('../../runtime/services/pubsub/index.js');
  const pubsub = new PubSubClient(client, {
    endpoint: settings.endpoint,
    ...(settings.caPem !== undefined && { caPem: settings.caPem }),
    ...(settings.tlsServerName !== undefined && { tlsServerName: settings.tlsServerName }),
  });
  return {
    endpoint: settings.endpoint,
    getTopic: (topic) => pubsub.getTopic(topic),
    getSchema: (id) => pubsub.getSchema(id),
    close: () => pubsub.close(),
  };
}

async function readCa(file: string | null): Promise<string | undefined> {
  if (file === null) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new MetadataError('MISSING_FILE', `Cannot read --ca-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, file, { cause: error });
  }
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
        // Events are discovered as from a real org: GetTopic/GetSchema against the simulator's Pub/Sub endpoint (TLS).
        const events = sim.pubsub && config.events
          ? await pubsubSource(org.client, { endpoint: sim.pubsub.endpoint, caPem: sim.pubsub.caPem, tlsServerName: 'localhost' })
          : undefined;
        return {
          source: new LiveSource(org.http, apiVersion, {
            description: `bundled demo org (${path.relative(config.cwd, src.dir) || src.dir}, served by the simulator at ${sim.url})`,
            ...(events && { events }),
          }),
          eventsDir: config.eventsDir,
          close: async () => {
            await events?.close?.();
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
      if (overrides.http) {
        return { source: new LiveSource(overrides.http, apiVersion, overrides.events ? { events: overrides.events } : {}), eventsDir: config.eventsDir, close: none };
      }
      const org = await connectOrg(src.auth, apiVersion);
      let events: EventTopicSource | undefined;
      try {
        // With --events-dir the schemas come from files: no Pub/Sub connection is opened.
        if (config.eventsDir === null && config.events) events = await pubsubSource(org.client, { endpoint: config.pubsub.endpoint, caPem: await readCa(config.pubsub.caFile) });
      } catch (error) {
        await org.close();
        throw error;
      }
      return {
        source: new LiveSource(org.http, apiVersion, events ? { events } : {}),
        eventsDir: config.eventsDir,
        close: async () => {
          await events?.close?.();
          await org.close();
        },
      };
    }
  }
}

/** Starts the simulator on the demo org (imported lazily: only this path needs it). */
async function startDemoSimulator(
  dir: string,
): Promise<{ url: string; issueAccessToken(): string; pubsub: { endpoint: string; caPem: string | undefined } | undefined; close(): Promise<void> }> {
  try {
    await stat(path.join(dir, 'sobjects.json'));
  } catch (error) {
    throw new MetadataError('MISSING_FILE', `The bundled demo org is missing (${path.join(dir, 'sobjects.json')}); pass --metadata-dir or an org`, dir, { cause: error });
  }
  const { startSimulator } = await import('../../runtime/simulation/index.js');
  return startSimulator({ metadataDir: dir, pubsub: {} });
}
