/**
 * Generator configuration: CLI flags + optional `sfgen.config.json` + environment, resolved once
 * into a fully-defaulted {@link ResolvedConfig}. Emitters and sources never see `undefined`.
 *
 * Precedence: flags, then the environment (org credentials), then the config file, then defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { OrgAuth } from './metadata/connect.js';

export type { OrgAuth };

/** Salesforce's Pub/Sub API endpoint (production and sandboxes). */
export const DEFAULT_PUBSUB_ENDPOINT = 'api.pubsub.salesforce.com:7443';

/** The user-facing config file (`sfgen.config.json`); every field optional. */
export interface SfgenConfigFile {
  /** Output directory, relative to the config file. Default `generated`. */
  outDir?: string;
  /** Salesforce API version. Default `'60.0'`. */
  apiVersion?: string;
  /** Objects to generate (API names); all objects of the source when absent. */
  objects?: string[];
  /** Module specifier generated code imports the runtime from. Default `'sfgen/runtime'`. */
  runtimeImport?: string;
  /** A metadata directory to generate from instead of an org, relative to the config file. */
  metadataDir?: string;
  /** A directory of event Avro schemas (`*.avsc`) for live orgs, relative to the config file. */
  eventsDir?: string;
}

const ConfigFileSchema = z.strictObject({
  $schema: z.string().optional(),
  outDir: z.string().min(1).optional(),
  apiVersion: z.string().regex(/^\d+\.\d$/, 'expected an API version like "60.0"').optional(),
  objects: z.array(z.string().min(1)).optional(),
  runtimeImport: z.string().min(1).optional(),
  metadataDir: z.string().min(1).optional(),
  eventsDir: z.string().min(1).optional(),
});

/** Options as the CLI (or a programmatic caller) passes them. */
export interface GenerateFlags {
  /** Working directory (default `process.cwd()`). */
  cwd?: string;
  /** Config file; default `sfgen.config.json` in `cwd` when it exists. */
  config?: string;
  metadataDir?: string;
  eventsDir?: string;
  /** Pub/Sub API endpoint for live event discovery (`host:port`). */
  pubsubEndpoint?: string;
  /** Extra CA certificate (PEM file) to trust for the Pub/Sub endpoint. */
  caFile?: string;
  /** Read no event schemas (`--no-events`): no Pub/Sub connection, no event modules. */
  noEvents?: boolean;
  targetOrg?: string;
  instanceUrl?: string;
  accessToken?: string;
  out?: string;
  objects?: readonly string[];
  all?: boolean;
  apiVersion?: string;
  runtimeImport?: string;
}

/** Where the metadata comes from. */
export type SourceConfig =
  | { readonly kind: 'directory'; readonly dir: string }
  | { readonly kind: 'org'; readonly auth: OrgAuth }
  /** The bundled demo org, served by the simulator. */
  | { readonly kind: 'demo'; readonly dir: string };

/** The fully-resolved configuration of one run. */
export interface ResolvedConfig {
  readonly cwd: string;
  /** Absolute output directory. */
  readonly outDir: string;
  readonly apiVersion: string;
  /** Explicit object names, or `'all'`. */
  readonly objects: readonly string[] | 'all';
  readonly runtimeImport: string;
  readonly source: SourceConfig;
  /** Event schemas directory for live orgs, or null. */
  readonly eventsDir: string | null;
  /** Pub/Sub endpoint and extra CA for live event discovery (ignored for a metadata directory). */
  readonly pubsub: { readonly endpoint: string; readonly caFile: string | null };
  /** Whether event schemas are read at all (`--no-events` turns it off). */
  readonly events: boolean;
  /** Command named in the generated banner. */
  readonly command: string;
}

/** A configuration problem (bad flag combination, invalid config file). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
}

/** Default output directory. */
export const DEFAULT_OUT_DIR = 'generated';
/** Default API version. */
export const DEFAULT_API_VERSION = '60.0';
/** Default runtime module specifier. */
export const DEFAULT_RUNTIME_IMPORT = 'sfgen/runtime';

/** The bundled demo org (`test/fixtures/demo-org`), found from this module in the source tree or in `dist/`. */
export function demoOrgDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../test/fixtures/demo-org'), path.resolve(here, '../../test/fixtures/demo-org')];
  return candidates.find((c) => existsSync(path.join(c, 'sobjects.json'))) ?? (candidates[0] as string);
}

function readConfigFile(file: string, required: boolean): SfgenConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read config file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new ConfigError(`Invalid config file ${file}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const { $schema: _schema, ...rest } = parsed.data;
  return rest;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Resolves flags, config file and environment.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ metadataDir: 'test/fixtures/demo-org', objects: ['Account'] }, process.env);
 * config.outDir; // '/abs/path/generated'
 * ```
 */
export function resolveConfig(flags: GenerateFlags, env: Readonly<Record<string, string | undefined>>): ResolvedConfig {
  const cwd = path.resolve(flags.cwd ?? process.cwd());
  const configPath = flags.config ? path.resolve(cwd, flags.config) : path.join(cwd, 'sfgen.config.json');
  const file = readConfigFile(configPath, flags.config !== undefined);
  const base = path.dirname(configPath);

  if (flags.all && flags.objects && flags.objects.length > 0) throw new ConfigError('--objects and --all are mutually exclusive');
  const objectsList = flags.all ? undefined : (flags.objects ?? file.objects);
  const objects = objectsList && objectsList.length > 0 ? [...new Set(objectsList.map((o) => o.trim()).filter((o) => o !== ''))] : 'all';

  const apiVersion = flags.apiVersion ?? file.apiVersion ?? DEFAULT_API_VERSION;
  if (!/^\d+\.\d$/.test(apiVersion)) throw new ConfigError(`Invalid API version '${apiVersion}': expected a version like 60.0`);

  const explicitOrg = flags.targetOrg !== undefined || flags.instanceUrl !== undefined || flags.accessToken !== undefined;
  if (flags.metadataDir && explicitOrg) throw new ConfigError('Use either --metadata-dir or an org (--target-org / --instance-url), not both');
  if (flags.targetOrg && (flags.instanceUrl || flags.accessToken)) throw new ConfigError('Use either --target-org or --instance-url/--access-token, not both');

  let source: SourceConfig;
  if (flags.metadataDir) {
    source = { kind: 'directory', dir: path.resolve(cwd, flags.metadataDir) };
  } else if (flags.targetOrg) {
    source = { kind: 'org', auth: { kind: 'sfCli', alias: flags.targetOrg } };
  } else if (flags.instanceUrl || flags.accessToken) {
    const instanceUrl = nonEmpty(flags.instanceUrl) ?? nonEmpty(env['SF_INSTANCE_URL']);
    const accessToken = nonEmpty(flags.accessToken) ?? nonEmpty(env['SF_ACCESS_TOKEN']);
    if (!instanceUrl || !accessToken) throw new ConfigError('An org needs both an instance URL and an access token (--instance-url/SF_INSTANCE_URL and --access-token/SF_ACCESS_TOKEN)');
    source = { kind: 'org', auth: { kind: 'token', instanceUrl, accessToken } };
  } else if (nonEmpty(env['SF_INSTANCE_URL']) && nonEmpty(env['SF_ACCESS_TOKEN'])) {
    source = { kind: 'org', auth: { kind: 'token', instanceUrl: nonEmpty(env['SF_INSTANCE_URL']) as string, accessToken: nonEmpty(env['SF_ACCESS_TOKEN']) as string } };
  } else if (nonEmpty(env['SF_CLIENT_ID']) && nonEmpty(env['SF_USERNAME']) && nonEmpty(env['SF_JWT_KEY_FILE'])) {
    source = {
      kind: 'org',
      auth: {
        kind: 'jwt',
        clientId: nonEmpty(env['SF_CLIENT_ID']) as string,
        username: nonEmpty(env['SF_USERNAME']) as string,
        keyFile: path.resolve(cwd, nonEmpty(env['SF_JWT_KEY_FILE']) as string),
        loginUrl: nonEmpty(env['SF_LOGIN_URL']) ?? 'https://login.salesforce.com',
      },
    };
  } else if (file.metadataDir) {
    source = { kind: 'directory', dir: path.resolve(base, file.metadataDir) };
  } else {
    source = { kind: 'demo', dir: demoOrgDir() };
  }

  const eventsDir = flags.eventsDir ? path.resolve(cwd, flags.eventsDir) : file.eventsDir ? path.resolve(base, file.eventsDir) : null;
  const outDir = flags.out ? path.resolve(cwd, flags.out) : path.resolve(base, file.outDir ?? DEFAULT_OUT_DIR);
  return {
    cwd,
    outDir,
    apiVersion,
    objects,
    runtimeImport: flags.runtimeImport ?? file.runtimeImport ?? DEFAULT_RUNTIME_IMPORT,
    source,
    eventsDir,
    pubsub: {
      endpoint: flags.pubsubEndpoint ?? env['SF_PUBSUB_ENDPOINT'] ?? DEFAULT_PUBSUB_ENDPOINT,
      caFile: flags.caFile ? path.resolve(cwd, flags.caFile) : env['SF_PUBSUB_CA_FILE'] ? path.resolve(cwd, env['SF_PUBSUB_CA_FILE']) : null,
    },
    events: flags.noEvents !== true,
    command: 'sfgen generate',
  };
}
