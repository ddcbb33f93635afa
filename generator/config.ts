/**
 * Generator configuration: CLI flags + optional `sfgen.config.json` + environment, resolved once
 * into a fully-defaulted {@link ResolvedConfig}. Emitters and sources never see `undefined`.
 *
 * Precedence: flags, then the environment (org credentials), then the config file, then defaults.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_OUT_DIR, DEFAULT_RUNTIME_IMPORT } from './defaults.js';
import type { OrgAuth } from './metadata/connect.js';

export type { OrgAuth };

/** Salesforce's Pub/Sub API endpoint (production and sandboxes). */
export const DEFAULT_PUBSUB_ENDPOINT = 'api.pubsub.salesforce.com:7443';

/** The user-facing config file (`sfgen.config.json`); every field optional. */
export interface SfgenConfigFile {
  /** Output directory, relative to the config file. Default `generated`. */
  outDir?: string;
  /** Salesforce API version, pinned. Default: the newest version the org serves. */
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

/** The config file's schema; `generator/sfgen.config.schema.json` is its JSON Schema (a test keeps them equal). */
export const ConfigFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema of this file (sfgen init points it at the installed sfgen-cli).'),
    outDir: z.string().min(1).optional().describe('Output directory, relative to this file. Default "generated".'),
    apiVersion: z
      .string()
      .regex(/^\d+\.\d$/, 'expected an API version like "60.0"')
      .optional()
      .describe('Salesforce API version to pin, like "62.0". Default: the newest version the org serves.'),
    objects: z.array(z.string().min(1)).optional().describe('Objects to generate (API names). Default: every object of the org.'),
    runtimeImport: z.string().min(1).optional().describe('Module specifier generated code imports the runtime from. Default "sfgen/runtime".'),
    metadataDir: z.string().min(1).optional().describe('Generate from a metadata directory instead of an org, relative to this file.'),
    eventsDir: z.string().min(1).optional().describe('A directory of event Avro schemas (*.avsc) to use instead of the org\'s, relative to this file.'),
  })
  .describe('sfgen configuration (sfgen.config.json)');

/** Options as the CLI (or a programmatic caller) passes them. */
export interface GenerateFlags {
  /** Working directory (default `process.cwd()`). */
  cwd?: string;
  /** Config file; default `sfgen.config.json` in `cwd` when it exists. */
  config?: string;
  metadataDir?: string;
  eventsDir?: string;
  /** Read the bundled demo org (served by the simulator): for trying sfgen out and for its own tests. */
  demo?: boolean;
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
  /** The bundled demo org, served by the simulator (its directory comes from `sfgen/simulator`). */
  | { readonly kind: 'demo' }
  /** No source named: only for work that reads none (`generate --check` compares with the snapshot). */
  | { readonly kind: 'none' };

/** The fully-resolved configuration of one run. */
export interface ResolvedConfig {
  readonly cwd: string;
  /** Absolute output directory. */
  readonly outDir: string;
  /** The pinned API version, or null for the newest version the source serves. */
  readonly apiVersion: string | null;
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

export { DEFAULT_API_VERSION, DEFAULT_OUT_DIR, DEFAULT_RUNTIME_IMPORT } from './defaults.js';

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
export function resolveConfig(
  flags: GenerateFlags,
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly sourceRequired?: boolean } = {},
): ResolvedConfig {
  const cwd = path.resolve(flags.cwd ?? process.cwd());
  const configPath = flags.config ? path.resolve(cwd, flags.config) : path.join(cwd, 'sfgen.config.json');
  const file = readConfigFile(configPath, flags.config !== undefined);
  const base = path.dirname(configPath);

  if (flags.all && flags.objects && flags.objects.length > 0) throw new ConfigError('--objects and --all are mutually exclusive');
  const objectsList = flags.all ? undefined : (flags.objects ?? file.objects);
  const objects = objectsList && objectsList.length > 0 ? [...new Set(objectsList.map((o) => o.trim()).filter((o) => o !== ''))] : 'all';

  const apiVersion = flags.apiVersion ?? file.apiVersion ?? null;
  if (apiVersion !== null && !/^\d+\.\d$/.test(apiVersion)) throw new ConfigError(`Invalid API version '${apiVersion}': expected a version like 60.0`);

  const source = resolveSource(flags, file, base, cwd, env, options.sourceRequired ?? true);
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

/** How to name an org, listed when none is configured. */
export const SOURCE_HELP = [
  '  --target-org ALIAS          an org the Salesforce CLI knows (or set a default: sf config set target-org ALIAS)',
  '  --instance-url URL --access-token TOKEN   (or SF_INSTANCE_URL + SF_ACCESS_TOKEN)',
  '  JWT bearer                  SF_CLIENT_ID + SF_USERNAME + SF_JWT_KEY_FILE [+ SF_LOGIN_URL]',
  '  client credentials          SF_CLIENT_ID + SF_CLIENT_SECRET + SF_LOGIN_URL (your My Domain URL)',
  '  refresh token               SF_CLIENT_ID + SF_REFRESH_TOKEN [+ SF_CLIENT_SECRET, SF_LOGIN_URL]',
  '  --metadata-dir DIR          a metadata directory saved from an org (or metadataDir in sfgen.config.json)',
  '  --demo                      the bundled demo org, to try sfgen without an org',
].join('\n');

/** Which of `names` are set (non-blank) in `env`. */
function present(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): string[] {
  return names.filter((n) => nonEmpty(env[n]) !== undefined);
}

function requireEnv(env: Readonly<Record<string, string | undefined>>, what: string, needed: readonly string[]): Record<string, string> {
  const missing = needed.filter((n) => nonEmpty(env[n]) === undefined);
  if (missing.length > 0) {
    const set = present(env, needed);
    throw new ConfigError(`${what} needs ${needed.join(' + ')}: ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not`);
  }
  return Object.fromEntries(needed.map((n) => [n, nonEmpty(env[n]) as string]));
}

/**
 * The org from the environment, or null when no Salesforce variable is set. A half-configured
 * environment is an error naming the missing variable, never a silent fall-back. An access token
 * (SF_ACCESS_TOKEN + SF_INSTANCE_URL) wins over a login; {@link loginFromEnv} reads the logins.
 * `generate`, `check` and `events` all read the environment through this function.
 *
 * @example
 * ```ts
 * sourceFromEnv({ SF_CLIENT_ID: 'id', SF_CLIENT_SECRET: 's', SF_LOGIN_URL: 'https://acme.my.salesforce.com' }, process.cwd());
 * // { kind: 'org', auth: { kind: 'clientCredentials', clientId: 'id', clientSecret: 's', loginUrl: 'https://acme.my.salesforce.com' } }
 * ```
 */
export function sourceFromEnv(env: Readonly<Record<string, string | undefined>>, cwd: string): SourceConfig | null {
  if (nonEmpty(env['SF_ACCESS_TOKEN'])) {
    const v = requireEnv(env, 'An access token', ['SF_INSTANCE_URL', 'SF_ACCESS_TOKEN']);
    return { kind: 'org', auth: { kind: 'token', instanceUrl: v['SF_INSTANCE_URL'] as string, accessToken: v['SF_ACCESS_TOKEN'] as string } };
  }
  const login = loginFromEnv(env, cwd);
  if (login !== null) return { kind: 'org', auth: login };
  const stray = present(env, ['SF_INSTANCE_URL', 'SF_CLIENT_ID']);
  if (stray.length > 0) {
    throw new ConfigError(
      `${stray.join(' and ')} ${stray.length === 1 ? 'is' : 'are'} set but no way to log in is: add SF_ACCESS_TOKEN (a token), SF_USERNAME + SF_JWT_KEY_FILE (JWT bearer), SF_CLIENT_SECRET (client credentials) or SF_REFRESH_TOKEN`,
    );
  }
  return null;
}

/**
 * The login (a way to get new tokens) the environment configures: a refresh token, a JWT bearer
 * login or client credentials, in that order; null when none is. Half-set logins are errors naming
 * the missing variable, as in {@link sourceFromEnv}. Token requests go to SF_LOGIN_URL, else
 * SF_INSTANCE_URL, else login.salesforce.com (client credentials need a My Domain URL).
 */
export function loginFromEnv(env: Readonly<Record<string, string | undefined>>, cwd: string): OrgAuth | null {
  const loginUrl = (): string => nonEmpty(env['SF_LOGIN_URL']) ?? nonEmpty(env['SF_INSTANCE_URL']) ?? 'https://login.salesforce.com';
  if (nonEmpty(env['SF_REFRESH_TOKEN'])) {
    const v = requireEnv(env, 'The refresh-token login', ['SF_CLIENT_ID', 'SF_REFRESH_TOKEN']);
    const secret = nonEmpty(env['SF_CLIENT_SECRET']);
    return { kind: 'refreshToken', clientId: v['SF_CLIENT_ID'] as string, refreshToken: v['SF_REFRESH_TOKEN'] as string, loginUrl: loginUrl(), ...(secret !== undefined && { clientSecret: secret }) };
  }
  if (present(env, ['SF_USERNAME', 'SF_JWT_KEY_FILE']).length > 0) {
    const v = requireEnv(env, 'The JWT bearer login', ['SF_CLIENT_ID', 'SF_USERNAME', 'SF_JWT_KEY_FILE']);
    return { kind: 'jwt', clientId: v['SF_CLIENT_ID'] as string, username: v['SF_USERNAME'] as string, keyFile: path.resolve(cwd, v['SF_JWT_KEY_FILE'] as string), loginUrl: loginUrl() };
  }
  if (nonEmpty(env['SF_CLIENT_SECRET'])) {
    const v = requireEnv(env, 'The client-credentials login', ['SF_CLIENT_ID', 'SF_CLIENT_SECRET']);
    const url = nonEmpty(env['SF_LOGIN_URL']) ?? nonEmpty(env['SF_INSTANCE_URL']);
    if (url === undefined) throw new ConfigError('The client-credentials login needs your My Domain URL in SF_LOGIN_URL (or SF_INSTANCE_URL): it does not work on login.salesforce.com');
    return { kind: 'clientCredentials', clientId: v['SF_CLIENT_ID'] as string, clientSecret: v['SF_CLIENT_SECRET'] as string, loginUrl: url };
  }
  return null;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The Salesforce CLI's default target org, as `sf` itself finds it: `SF_TARGET_ORG`, then
 * `target-org` in the nearest project's `.sf/config.json`, then the global `~/.sf/config.json`
 * (and the legacy `.sfdx/sfdx-config.json` `defaultusername`).
 */
export function sfDefaultTargetOrg(cwd: string, env: Readonly<Record<string, string | undefined>>): string | null {
  const fromEnv = nonEmpty(env['SF_TARGET_ORG']);
  if (fromEnv) return fromEnv;
  const home = nonEmpty(env['HOME']) ?? homedir();
  const dirs: string[] = [];
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  if (!dirs.includes(home)) dirs.push(home);
  for (const dir of dirs) {
    const sf = readJson(path.join(dir, '.sf', 'config.json'))?.['target-org'];
    if (typeof sf === 'string' && sf.trim() !== '') return sf.trim();
    const legacy = readJson(path.join(dir, '.sfdx', 'sfdx-config.json'))?.['defaultusername'];
    if (typeof legacy === 'string' && legacy.trim() !== '') return legacy.trim();
  }
  return null;
}

function resolveSource(
  flags: GenerateFlags,
  file: SfgenConfigFile,
  base: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  required: boolean,
): SourceConfig {
  const explicit = [
    flags.metadataDir !== undefined && '--metadata-dir',
    flags.targetOrg !== undefined && '--target-org',
    (flags.instanceUrl !== undefined || flags.accessToken !== undefined) && '--instance-url/--access-token',
    flags.demo === true && '--demo',
  ].filter((x): x is string => x !== false);
  if (explicit.length > 1) throw new ConfigError(`Name one source, not ${explicit.join(' and ')}`);
  if (flags.metadataDir) return { kind: 'directory', dir: path.resolve(cwd, flags.metadataDir) };
  if (flags.targetOrg) return { kind: 'org', auth: { kind: 'sfCli', alias: flags.targetOrg } };
  if (flags.instanceUrl !== undefined || flags.accessToken !== undefined) {
    const instanceUrl = nonEmpty(flags.instanceUrl) ?? nonEmpty(env['SF_INSTANCE_URL']);
    const accessToken = nonEmpty(flags.accessToken) ?? nonEmpty(env['SF_ACCESS_TOKEN']);
    if (!instanceUrl) throw new ConfigError('--access-token needs an instance URL: pass --instance-url or set SF_INSTANCE_URL');
    if (!accessToken) throw new ConfigError('--instance-url needs an access token: pass --access-token or set SF_ACCESS_TOKEN');
    return { kind: 'org', auth: { kind: 'token', instanceUrl, accessToken } };
  }
  if (flags.demo) return { kind: 'demo' };
  const fromEnv = sourceFromEnv(env, cwd);
  if (fromEnv) return fromEnv;
  if (file.metadataDir) return { kind: 'directory', dir: path.resolve(base, file.metadataDir) };
  const alias = sfDefaultTargetOrg(cwd, env);
  if (alias) return { kind: 'org', auth: { kind: 'sfCli', alias } };
  if (!required) return { kind: 'none' };
  throw new ConfigError(`No org to read: nothing names one and the Salesforce CLI has no default target org. Name one with:\n${SOURCE_HELP}`);
}
