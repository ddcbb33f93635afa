/**
 * Opens the metadata source a resolved config names — a metadata directory, a live org (sf CLI
 * alias, token, JWT) through the runtime client, or the bundled demo org served by the simulator
 * and read through the real HTTP path — so that `generate` and `check` read exactly the same way.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { SalesforceClient } from 'sfgen/runtime';
import { DEFAULT_API_VERSION, type ResolvedConfig } from '../config.js';
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
  /** The API version the source is read with: the one asked for, else the newest the org serves. */
  readonly apiVersion: string;
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
  const { PubSubClient } = await import('sfgen/pubsub');
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
 * Opens the source of `config`, read with API version `apiVersion` (null: the newest the org serves;
 * for a metadata directory, the version its describes were saved with).
 *
 * @example
 * ```ts
 * const opened = await openSource(resolveConfig({ metadataDir: 'test/fixtures/demo-org' }, process.env), null);
 * try { console.log(opened.apiVersion, await opened.source.describeGlobal()); } finally { await opened.close(); }
 * ```
 */
export async function openSource(config: ResolvedConfig, apiVersion: string | null, overrides: OpenSourceOverrides = {}): Promise<OpenedSource> {
  const none = async (): Promise<void> => {};
  if (overrides.source) return { source: overrides.source, eventsDir: config.eventsDir, apiVersion: apiVersion ?? DEFAULT_API_VERSION, close: none };
  const src = config.source;
  switch (src.kind) {
    case 'directory': {
      const version = apiVersion ?? (await directoryApiVersion(src.dir));
      return { source: new DirectorySource(src.dir, version), eventsDir: config.eventsDir, apiVersion: version, close: none };
    }
    case 'demo': {
      const { startSimulator, DEMO_ORG_DIR } = await import('sfgen/simulator');
      const sim = await startSimulator({ metadataDir: DEMO_ORG_DIR, pubsub: {} });
      try {
        const org = await connectOrg({ kind: 'token', instanceUrl: sim.url, accessToken: sim.issueAccessToken() }, apiVersion ?? DEFAULT_API_VERSION);
        let events: EventTopicSource | undefined;
        try {
          const version = await negotiateVersion(org.http, apiVersion, `the bundled demo org (${sim.url})`);
          // Events are discovered as from a real org: GetTopic/GetSchema against the simulator's Pub/Sub endpoint (TLS).
          if (config.eventsDir === null && sim.pubsub && config.events) {
            events = await pubsubSource(org.client, { endpoint: sim.pubsub.endpoint, caPem: sim.pubsub.caPem, tlsServerName: 'localhost' });
          }
          return {
            source: new LiveSource(org.http, version, { description: `bundled demo org (served by the simulator at ${sim.url})`, ...(events && { events }) }),
            eventsDir: config.eventsDir,
            apiVersion: version,
            close: async () => {
              await events?.close?.();
              await org.close();
              await sim.close();
            },
          };
        } catch (error) {
          await events?.close?.();
          await org.close();
          throw error;
        }
      } catch (error) {
        await sim.close();
        throw error;
      }
    }
    case 'none':
      throw new MetadataError('NO_CREDENTIALS', 'No org to read: name one (--target-org, --metadata-dir, --demo, ...)', 'configuration');
    case 'org': {
      if (overrides.http) {
        const version = await negotiateVersion(overrides.http, apiVersion, overrides.http.instanceUrl);
        return { source: new LiveSource(overrides.http, version, overrides.events ? { events: overrides.events } : {}), eventsDir: config.eventsDir, apiVersion: version, close: none };
      }
      const org = await connectOrg(src.auth, apiVersion ?? DEFAULT_API_VERSION);
      let events: EventTopicSource | undefined;
      let version: string;
      try {
        version = await negotiateVersion(org.http, apiVersion, org.http.instanceUrl);
        // With --events-dir the schemas come from files: no Pub/Sub connection is opened.
        if (config.eventsDir === null && config.events) events = await pubsubSource(org.client, { endpoint: config.pubsub.endpoint, caPem: await readCa(config.pubsub.caFile) });
      } catch (error) {
        await org.close();
        throw error;
      }
      return {
        source: new LiveSource(org.http, version, events ? { events } : {}),
        eventsDir: config.eventsDir,
        apiVersion: version,
        close: async () => {
          await events?.close?.();
          await org.close();
        },
      };
    }
  }
}

function compareVersions(a: string, b: string): number {
  return Number.parseFloat(a) - Number.parseFloat(b);
}

/**
 * The version to read an org with: `asked` when the org serves it, else the newest it serves
 * (`GET /services/data/`). A version the org does not serve is an error listing the ones it does.
 */
export async function negotiateVersion(http: MetadataHttp, asked: string | null, where: string): Promise<string> {
  const res = await http.get('/services/data/');
  const versions = Array.isArray(res.body)
    ? res.body.flatMap((v: unknown) => (v !== null && typeof v === 'object' && typeof (v as { version?: unknown }).version === 'string' ? [(v as { version: string }).version] : []))
    : [];
  if (res.status !== 200 || versions.length === 0) {
    if (asked !== null) return asked; // an org that does not list its versions: trust the pinned one
    throw new MetadataError('REQUEST_FAILED', `GET ${where}/services/data/ answered ${res.status} without a version list: pin one with --api-version`, `GET ${where}/services/data/`);
  }
  versions.sort(compareVersions);
  const newest = versions[versions.length - 1] as string;
  if (asked === null) return newest;
  if (versions.includes(asked)) return asked;
  const range = versions.length > 1 ? `${versions[0]} to ${newest}` : newest;
  throw new MetadataError(
    'UNSUPPORTED_VERSION',
    `API version ${asked} is not served by ${where}: it serves ${range} (newest ${newest}). Pass --api-version with one of those, or drop apiVersion from sfgen.config.json to use the newest`,
    `GET ${where}/services/data/`,
  );
}

/** The API version a metadata directory was saved with, read from its global describe's URLs. */
async function directoryApiVersion(dir: string): Promise<string> {
  try {
    const text = await readFile(path.join(dir, 'sobjects.json'), 'utf8');
    const match = /"\/services\/data\/v(\d+\.\d)\//.exec(text);
    if (match?.[1]) return match[1];
  } catch {
    // the directory source reports a missing or broken sobjects.json with its own error
  }
  return DEFAULT_API_VERSION;
}
