/**
 * The org simulator: a local stand-in for a Salesforce org, served over real HTTP on 127.0.0.1
 * from a metadata directory. Entry point of the `sfgen/simulator` subpath.
 *
 * @example
 * ```ts
 * import { startSimulator } from 'sfgen/simulator';
 * const sim = await startSimulator(); // the bundled demo org (DEMO_ORG_DIR); or { metadataDir: 'path/to/dir' }
 * const token = sim.issueAccessToken();
 * const res = await fetch(`${sim.url}/services/data/v60.0/sobjects/Account/describe`, {
 *   headers: { Authorization: `Bearer ${token}` },
 * });
 * await sim.close();
 * ```
 */
import type { JWK } from 'jose';
import { DEMO_ORG_DIR } from './demo-org.js';
import { BulkService, type BulkOptions } from './bulk/service.js';
import { selfSignedCertificate, type SelfSignedCertificate } from './certificate.js';
import { FaultRegistry } from './faults.js';
import { caseSafeSuffix, toId18 } from './ids.js';
import { loadMetadataDir } from './loader.js';
import { TokenService, type SimUser } from './oauth.js';
import { Router } from './router.js';
import { compositeRoutes } from './routes/composite.js';
import { collectionRoutes } from './routes/collections.js';
import { defaultLimits, describeRoutes } from './routes/describe.js';
import { queryRoutes } from './routes/query.js';
import { sobjectRoutes } from './routes/sobjects.js';
import { sobjectResourceRoutes } from './routes/sobject-resources.js';
import { searchRoutes } from './routes/search.js';
import { toolingRoutes } from './routes/tooling.js';
import { treeRoutes } from './routes/tree.js';
import { SimServer, type SimStats } from './server.js';
import { SimOrg } from './store.js';
import type { PubSubOptions, PubSubSimulator } from './pubsub/index.js';

export { DEMO_ORG_DIR } from './demo-org.js';
export type { FaultSpec, Fault } from './faults.js';
export { FaultRegistry } from './faults.js';
export { MetadataLoadError } from './loader.js';
export { SimOrg } from './store.js';
export type { OrgStore, SimDescribe, SimField, SimRecord } from './store-types.js';
export type { SimUser } from './oauth.js';
export type { PubSubOptions, PubSubSimulator, ManagedSubscriptionSpec, TopicSummary, PublishedEvent, StreamFaultAction, StreamFaultSpec, PublishFaultSpec, PubSubFault } from './pubsub/index.js';
export type { SimStats } from './server.js';
export type { SelfSignedCertificate } from './certificate.js';
export type { BulkOptions } from './bulk/service.js';
export { BulkService } from './bulk/service.js';
export { caseSafeSuffix, toId18 } from './ids.js';

/** OAuth settings of the simulator. Everything is optional. */
export interface SimulatorAuthOptions {
  /** Connected-app consumer key (JWT `iss`, `client_id`). Default `sfgen-simulator`. */
  readonly clientId?: string;
  /** Consumer secret; required for the client-credentials grant. */
  readonly clientSecret?: string;
  /** Public key that verifies JWT bearer assertions: SPKI PEM, X.509 certificate PEM, or a JWK. */
  readonly jwtPublicKey?: string | JWK;
  /**
   * Usernames the org knows (JWT `sub`). The first is the default user. `User` seed records are
   * known too. Default: the seed users, else `admin@sfgen.example`.
   */
  readonly users?: readonly string[];
  /**
   * Refresh tokens the org accepts, mapped to the username they act as ('' for the default user). The authorization-code
   * grant mints more; {@link Simulator.registerRefreshToken} adds one at run time.
   */
  readonly refreshTokens?: Readonly<Record<string, string>>;
  /** Run-as user of the client-credentials grant. Default: the default user. */
  readonly clientCredentialsUser?: string;
  /** Lifetime of issued access tokens in seconds. Default 7200. */
  readonly tokenLifetimeSeconds?: number;
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /**
   * Metadata directory: `sobjects.json`, `sobjects/<Name>.json`, `events/*.avsc`, `records/<Name>.json`.
   * Default: the bundled demo org ({@link DEMO_ORG_DIR}).
   */
  readonly metadataDir?: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /**
   * Serve REST, OAuth and Bulk over HTTPS instead of plain HTTP: `true` makes a self-signed
   * certificate (EC P-256, for `localhost`, `127.0.0.1` and `::1`) at start-up, or pass your own
   * `{ certPem, keyPem }`. Clients trust {@link Simulator.caPem} as a root (the runtime's
   * `transport.caPem`, `NODE_EXTRA_CA_CERTS` for the sf CLI and other Node tools). Pub/Sub over
   * TLS uses the same certificate unless `pubsub.certificate` names another. Default false.
   */
  readonly tls?: boolean | SelfSignedCertificate;
  /** Delay added to every HTTP request, in milliseconds (benchmarks). Default 0. */
  readonly latencyMs?: number;
  /** Query batch size (rows per page). Default 2000. */
  readonly pageSize?: number;
  /**
   * Rows of a child subquery delivered inline per parent record. A parent with more children gets
   * a child envelope with `done: false` and its own `nextRecordsUrl` (a query locator serving the
   * rest, `childPageSize` rows a page), as Salesforce does. Default 200.
   */
  readonly childPageSize?: number;
  /**
   * Newest API version served; versions from 31.0 up to it are listed. Default
   * {@link LATEST_API_VERSION}, the version of the newest Salesforce release.
   */
  readonly apiVersion?: string;
  /** Revision date of every describe at load (`Last-Modified`). Default `2024-01-01T00:00:00Z`. */
  readonly orgLastModified?: string | Date;
  /** Daily API request limit reported by `Sforce-Limit-Info` and `/limits`. Default 100000. */
  readonly dailyApiLimit?: number;
  /** Gzip JSON responses over 1 KB when the client sends `Accept-Encoding: gzip`. Default false. */
  readonly gzip?: boolean;
  /** Clock (ms since epoch) for token expiry, record timestamps and describe revisions. */
  readonly now?: () => number;
  readonly auth?: SimulatorAuthOptions;
  /**
   * Bulk API 2.0 (`/jobs/ingest`, `/jobs/query`): processing rate (`rowsPerSecond`, default as
   * fast as possible), default query page size, upload limit, listing page size.
   */
  readonly bulk?: BulkOptions;
  /**
   * Serve the Pub/Sub API (gRPC) on this port of 127.0.0.1 (0 picks a free one). Without it (and
   * without `pubsub`) Pub/Sub is not served and its code is not loaded.
   */
  readonly grpcPort?: number;
  /** Pub/Sub settings (TLS, retention, keepalive, managed subscriptions); implies `grpcPort: 0` when that is not given. */
  readonly pubsub?: PubSubOptions;
}

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`): both the instance URL and the login URL. */
  readonly url: string;
  /** With `tls`: the certificate (PEM) clients must trust as a root to reach {@link Simulator.url}. */
  readonly caPem: string | undefined;
  /** Newest API version served (`60.0`). */
  readonly apiVersion: string;
  /** Issue an access token for the default user (or `username`) without an OAuth flow. */
  issueAccessToken(username?: string): string;
  /** Invalidate one access token, or all of them. */
  revokeAccessTokens(token?: string): void;
  /** Accept a refresh token for `username` (default user) in refresh-token grants. */
  registerRefreshToken(token: string, username?: string): void;
  /** HTTP requests served, total and per route. */
  stats(): SimStats;
  resetStats(): void;
  /** Daily API usage as `Sforce-Limit-Info` reports it. */
  apiUsage(): { used: number; max: number };
  /** Set the day's API usage so far; at the limit, data requests get 403 REQUEST_LIMIT_EXCEEDED. */
  setApiUsage(used: number): void;
  /** The org's data and the mutation API (`removeField`, `addObject`, ...). */
  readonly store: SimOrg;
  /** Same object as {@link Simulator.store}. */
  readonly org: SimOrg;
  /** Fault injection. */
  readonly faults: FaultRegistry;
  /** Bulk API 2.0 jobs: `bulk.setRowsPerSecond(n)`, `bulk.jobIds()`. */
  readonly bulk: BulkService;
  /** Change the injected latency. */
  setLatency(ms: number): void;
  /** The org id (`00D...`). */
  readonly orgId: string;
  /** The default user. */
  readonly defaultUser: SimUser;
  /** The Pub/Sub API (endpoint, certificate, bus, faults), when served (`grpcPort` / `pubsub`). */
  readonly pubsub: PubSubSimulator | undefined;
  close(): Promise<void>;
}

const DEFAULT_USERNAME = 'admin@sfgen.example';

/**
 * The newest API version Salesforce serves, the simulator's default: 68.0, Winter '27 (released
 * October 2026). Each release adds one version, three a year: Spring '24 was 60.0, Winter '26 65.0.
 */
export const LATEST_API_VERSION = '68.0';

function mintId(prefix: string, n: number): string {
  const id15 = `${prefix}Sm0${String(n).padStart(9, '0')}`;
  return id15 + caseSafeSuffix(id15);
}

function checkPositiveInt(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new RangeError(`startSimulator: ${name} must be an integer >= ${min}, got ${v}`);
}

/**
 * A User record for every simulator user the seed does not have, so that clients that look their
 * user up (the sf CLI after `org login access-token`, identity) find one. Only fields the User
 * describe has are set; restricted picklists get a value they allow.
 */
function addUserRecords(org: SimOrg, users: readonly SimUser[]): void {
  const d = org.describe('User');
  if (d === undefined || d.keyPrefix !== '005') return;
  const profiles = org.records('Profile');
  const profile = profiles.find((p) => p.Name === 'System Administrator') ?? profiles[0];
  for (const user of users) {
    if (org.findById(user.userId) !== undefined) continue;
    const local = user.username.split('@')[0] || user.username;
    const wanted: Record<string, unknown> = {
      Id: user.userId,
      Username: user.username,
      LastName: local,
      Name: local,
      Alias: local.slice(0, 8),
      CommunityNickname: local,
      Email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(user.username) ? user.username : `${local}@example.com`,
      IsActive: true,
      UserType: 'Standard',
      TimeZoneSidKey: 'GMT',
      LocaleSidKey: 'en_US',
      LanguageLocaleKey: 'en_US',
      EmailEncodingKey: 'UTF-8',
      ProfileId: profile?.Id ?? null,
    };
    const record: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(wanted)) {
      const f = org.field('User', name);
      if (f === undefined) continue;
      if (f.restrictedPicklist && typeof value === 'string' && !f.picklistValues.some((p) => p.active && p.value === value)) {
        // The org's own default, a UTC-like zone, else its first value.
        const allowed = f.picklistValues.filter((p) => p.active);
        const pick =
          allowed.find((p) => (p as { defaultValue?: unknown }).defaultValue === true) ??
          allowed.find((p) => f.name === 'TimeZoneSidKey' && ['GMT', 'UTC', 'Europe/London'].includes(p.value)) ??
          allowed[0];
        if (pick !== undefined) record[f.name] = pick.value;
        continue;
      }
      record[f.name] = value;
    }
    org.seedRecord('User', record);
  }
}

/** The certificate of the `tls` option: made for `true`, checked when given. */
function resolveTls(option: SimulatorOptions['tls']): SelfSignedCertificate | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return selfSignedCertificate();
  if (typeof option !== 'object' || option === null) throw new TypeError(`startSimulator: tls must be true, false or { certPem, keyPem }, got ${typeof option}`);
  if (typeof option.certPem !== 'string' || !option.certPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new TypeError('startSimulator: tls.certPem holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  }
  if (typeof option.keyPem !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(option.keyPem)) {
    throw new TypeError('startSimulator: tls.keyPem holds no PEM private key (-----BEGIN PRIVATE KEY-----)');
  }
  return { certPem: option.certPem, keyPem: option.keyPem };
}

/**
 * Load a metadata directory and serve it on 127.0.0.1.
 *
 * @throws MetadataLoadError naming the file when the directory is malformed.
 * @example
 * ```ts
 * const sim = await startSimulator({ metadataDir: dir, latencyMs: 50 });
 * console.log(sim.url, sim.stats().requests);
 * await sim.close();
 * ```
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  if (options === null || typeof options !== 'object') throw new TypeError(`startSimulator: options must be an object, got ${options === null ? 'null' : typeof options}`);
  if (options.metadataDir !== undefined && (typeof options.metadataDir !== 'string' || options.metadataDir.trim() === '')) {
    throw new TypeError(`startSimulator: metadataDir must be a directory path, got ${JSON.stringify(options.metadataDir)}`);
  }
  const metadataDir = options.metadataDir ?? DEMO_ORG_DIR;
  checkPositiveInt('port', options.port, 0);
  checkPositiveInt('pageSize', options.pageSize, 1);
  checkPositiveInt('childPageSize', options.childPageSize, 1);
  checkPositiveInt('latencyMs', options.latencyMs, 0);
  checkPositiveInt('dailyApiLimit', options.dailyApiLimit, 1);
  const apiVersion = options.apiVersion ?? LATEST_API_VERSION;
  if (!/^\d+\.0$/.test(apiVersion) || Number(apiVersion) < 31) throw new RangeError(`startSimulator: apiVersion must look like "60.0", got ${apiVersion}`);
  const orgLastModified = new Date(options.orgLastModified ?? '2024-01-01T00:00:00Z');
  if (Number.isNaN(orgLastModified.getTime())) throw new RangeError(`startSimulator: orgLastModified is not a date: ${String(options.orgLastModified)}`);
  const now = options.now ?? Date.now;
  const tls = resolveTls(options.tls);

  const loaded = await loadMetadataDir(metadataDir);

  // Users: configured usernames plus the seed User records (their ids when the seed has them).
  const seedUsers = (loaded.records.get('User')?.records ?? [])
    .filter((r) => typeof r.Username === 'string')
    .map((r) => ({ username: r.Username as string, id: typeof r.Id === 'string' ? toId18(r.Id) : undefined }));
  const usernames = [...(options.auth?.users ?? []), ...seedUsers.map((u) => u.username)];
  if (usernames.length === 0) usernames.push(DEFAULT_USERNAME);
  const users: SimUser[] = [];
  let minted = 0;
  for (const username of usernames) {
    if (users.some((u) => u.username.toLowerCase() === username.toLowerCase())) continue;
    const seed = seedUsers.find((u) => u.username.toLowerCase() === username.toLowerCase());
    users.push({ username, userId: seed?.id ?? mintId('005', 900000000 + ++minted) });
  }
  const defaultUser = users[0]!;
  // The org id is the seed's Organization record's id when it has one, as in a real org, where
  // `SELECT Id FROM Organization`, the identity URL, tokens and Pub/Sub's tenant id all agree.
  const seedOrgId = loaded.records.get('Organization')?.records.find((r) => typeof r.Id === 'string')?.Id;
  const orgId = (typeof seedOrgId === 'string' ? toId18(seedOrgId) : undefined) ?? mintId('00D', 1);

  const org = new SimOrg(loaded, { orgLastModified, defaultUserId: defaultUser.userId, now });
  addUserRecords(org, users);
  const auth = options.auth ?? {};
  let serverUrl = '';
  const tokens = new TokenService(
    {
      clientId: auth.clientId ?? 'sfgen-simulator',
      clientSecret: auth.clientSecret,
      jwtPublicKey: auth.jwtPublicKey,
      users,
      refreshTokens: new Map(
        Object.entries(auth.refreshTokens ?? {}).map(([token, username], i) => {
          const user = username === '' ? defaultUser : users.find((u) => u.username.toLowerCase() === username.toLowerCase());
          if (user === undefined) throw new RangeError(`startSimulator: refresh token #${i + 1} names unknown user ${username}`);
          return [token, user.username] as const;
        }),
      ),
      clientCredentialsUser: auth.clientCredentialsUser ?? defaultUser.username,
      tokenLifetimeMs: (auth.tokenLifetimeSeconds ?? 7200) * 1000,
      orgId,
      scope: 'api refresh_token',
      audiences: ['https://login.salesforce.com', 'https://test.salesforce.com'],
    },
    () => serverUrl,
    now,
  );
  const versions: string[] = [];
  for (let v = 31; v <= Number(apiVersion); v++) versions.push(`${v}.0`);
  const faults = new FaultRegistry();
  const router = new Router([
    ...describeRoutes,
    ...compositeRoutes,
    ...treeRoutes,
    ...collectionRoutes,
    ...queryRoutes,
    ...searchRoutes,
    ...toolingRoutes,
    ...sobjectResourceRoutes,
    ...sobjectRoutes,
  ]);
  const settings = {
    apiVersion,
    versions,
    latencyMs: options.latencyMs ?? 0,
    pageSize: options.pageSize ?? 2000,
    childPageSize: options.childPageSize ?? 200,
    maxQueryCursors: 1000,
    // Salesforce keeps query cursors (and their results) for two days since API 56.0.
    queryCursorTtlMs: 2 * 24 * 60 * 60 * 1000,
    dailyApiLimit: options.dailyApiLimit ?? 100000,
    gzip: options.gzip ?? false,
    maxBodyBytes: 64 * 1024 * 1024,
    limits: defaultLimits('sfgen simulator'),
    now,
    ...(tls !== undefined && { tls }),
  };
  const bulk = new BulkService(org, settings.limits, now, options.bulk);
  const server = new SimServer(org, router, tokens, faults, settings, bulk);
  serverUrl = await server.listen(options.port ?? 0);
  tokens.addAudience(serverUrl);
  checkPositiveInt('grpcPort', options.grpcPort, 0);
  let pubsub: PubSubSimulator | undefined;
  if (options.grpcPort !== undefined || options.pubsub !== undefined) {
    try {
      // Loaded lazily: a REST-only simulator never loads grpc-js or avsc.
      const { PubSubSimulator } = await import('./pubsub/index.js');
      // One certificate for both listeners when both speak TLS: clients trust one CA file.
      const pubsubOptions: PubSubOptions | undefined =
        tls !== undefined && options.pubsub?.tls !== false && options.pubsub?.certificate === undefined ? { ...options.pubsub, certificate: tls } : options.pubsub;
      pubsub = await PubSubSimulator.start(
        { org, tokens, orgId, instanceUrl: () => serverUrl, apiVersion, now, port: options.grpcPort ?? 0 },
        pubsubOptions,
      );
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  return {
    url: serverUrl,
    caPem: tls?.certPem,
    apiVersion,
    issueAccessToken: (username?: string) => tokens.issue(username),
    revokeAccessTokens: (token?: string) => tokens.revoke(token),
    registerRefreshToken: (token: string, username?: string) => tokens.registerRefreshToken(token, username),
    stats: () => server.stats(),
    resetStats: () => server.resetStats(),
    apiUsage: () => server.apiUsage(),
    setApiUsage: (used: number) => server.setApiUsage(used),
    store: org,
    org,
    faults,
    bulk,
    setLatency: (ms: number) => {
      checkPositiveInt('latencyMs', ms, 0);
      settings.latencyMs = ms;
    },
    orgId,
    defaultUser,
    pubsub,
    close: async () => {
      bulk.close();
      await pubsub?.close();
      await server.close();
    },
  };
}
