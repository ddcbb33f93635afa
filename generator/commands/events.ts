/**
 * `sfgen events subscribe|publish TOPIC`: the Pub/Sub API from the command line, NDJSON out/in.
 * The Pub/Sub client (grpc-js, avsc) is loaded inside the actions, so other commands never load it.
 *
 * Exit codes: subscribe 0 (after --limit events, or Ctrl+C), 1 error; publish 0 every event
 * published, 2 some failed (after --retries), 1 error (nothing is sent when an input line is bad).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { OrgAuth } from '../config.js';

interface OrgCliOptions {
  targetOrg?: string;
  instanceUrl?: string;
  accessToken?: string;
  apiVersion?: string;
  pubsubEndpoint: string;
  caFile?: string;
  orgId?: string;
  plaintext?: boolean;
  tlsServerName?: string;
  json?: boolean;
}

interface SubscribeCliOptions extends OrgCliOptions {
  replay: string;
  limit?: string;
  idleTimeout?: string;
  checkpoint?: string;
}

interface PublishCliOptions extends OrgCliOptions {
  file: string;
  retries: string;
}

const DEFAULT_ENDPOINT = 'api.pubsub.salesforce.com:7443';

function intOption(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${text}"`);
  return n;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** JSON with bigints (longs beyond 2^53) as decimal strings. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function orgOptions(command: Command): Command {
  return command
    .option('--target-org <alias>', 'sf CLI org alias (runs `sf org display --json`)')
    .option('--instance-url <url>', 'org instance URL (or SF_INSTANCE_URL)')
    .option('--access-token <token>', 'access token (or SF_ACCESS_TOKEN)')
    .option('--api-version <version>', 'Salesforce API version for the REST calls (default 60.0)')
    .option('--pubsub-endpoint <host:port>', 'Pub/Sub API endpoint', DEFAULT_ENDPOINT)
    .option('--ca-file <pem>', 'extra trusted CA certificate (PEM), e.g. the simulator\'s or a proxy\'s')
    .option('--tls-server-name <name>', 'name to check the server certificate against, when it differs from the endpoint host')
    .option('--plaintext', 'no TLS (only to a loopback endpoint: a local simulator)')
    .option('--org-id <id>', 'org (tenant) id sent to the Pub/Sub API (default: discovered from the org)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sfgen events subscribe /event/Order_Event__e --target-org my-sandbox --replay earliest --limit 10
  $ npx sfgen events subscribe /data/AccountChangeEvent --replay 1234567 --idle-timeout 300000 > events.ndjson
  $ npx sfgen events publish /event/Order_Event__e --file orders.ndjson --retries 3 --target-org my-sandbox

Org (read as \`sfgen generate\` reads it): --target-org; --instance-url/--access-token (or
SF_INSTANCE_URL + SF_ACCESS_TOKEN); a refresh token (SF_REFRESH_TOKEN with SF_CLIENT_ID, optional
SF_CLIENT_SECRET); JWT bearer (SF_CLIENT_ID, SF_USERNAME, SF_JWT_KEY_FILE); client credentials
(SF_CLIENT_ID + SF_CLIENT_SECRET); else the sf CLI's default target org. Token requests go to
SF_LOGIN_URL, else the instance URL, else https://login.salesforce.com. With an access token and
one of those logins, the token is used first and the login refreshes it when it expires.
Prefer environment variables to --access-token: command lines are visible to other processes.`,
    );
}

/** The org lines of `generate`'s "how to name an org" help (events read no metadata directory). */
async function orgHelp(): Promise<string> {
  const { SOURCE_HELP } = await import('../config.js');
  return SOURCE_HELP.split('\n').filter((l) => !/--metadata-dir|--demo/.test(l)).join('\n');
}

/**
 * The org of the options, read as `generate` reads it: --target-org, or --instance-url and
 * --access-token (each falling back to SF_INSTANCE_URL / SF_ACCESS_TOKEN), else the environment
 * (`sourceFromEnv`, the same function and the same errors for a half-set environment), else the
 * sf CLI's default target org. With an access token, a login the environment also configures
 * (`loginFromEnv`) refreshes it once it expires.
 */
async function orgAuth(opts: OrgCliOptions): Promise<{ auth: OrgAuth; login: OrgAuth | null }> {
  const { ConfigError, loginFromEnv, sfDefaultTargetOrg, sourceFromEnv } = await import('../config.js');
  const env = process.env;
  const cwd = process.cwd();
  if (opts.targetOrg !== undefined && (opts.instanceUrl !== undefined || opts.accessToken !== undefined)) {
    throw new ConfigError('Name one source, not --target-org and --instance-url/--access-token');
  }
  if (opts.targetOrg !== undefined) return { auth: { kind: 'sfCli', alias: opts.targetOrg }, login: null };
  if (opts.instanceUrl !== undefined || opts.accessToken !== undefined) {
    const instanceUrl = nonEmpty(opts.instanceUrl) ?? nonEmpty(env.SF_INSTANCE_URL);
    const accessToken = nonEmpty(opts.accessToken) ?? nonEmpty(env.SF_ACCESS_TOKEN);
    if (!instanceUrl) throw new ConfigError('--access-token needs an instance URL: pass --instance-url or set SF_INSTANCE_URL');
    if (!accessToken) throw new ConfigError('--instance-url needs an access token: pass --access-token or set SF_ACCESS_TOKEN');
    return { auth: { kind: 'token', instanceUrl, accessToken }, login: loginFromEnv(env, cwd) };
  }
  const source = sourceFromEnv(env, cwd);
  if (source?.kind === 'org') return { auth: source.auth, login: source.auth.kind === 'token' ? loginFromEnv(env, cwd) : null };
  const alias = sfDefaultTargetOrg(cwd, env);
  if (alias) return { auth: { kind: 'sfCli', alias }, login: null };
  throw new ConfigError(`No org: nothing names one and the Salesforce CLI has no default target org. Name one with:\n${await orgHelp()}`);
}

/** The runtime client for the org options (loaded lazily with the runtime). */
async function connect(opts: OrgCliOptions) {
  const runtime = await import('sfgen/runtime');
  const { provider } = await import('../metadata/connect.js');
  const { auth: orgAuthConfig, login } = await orgAuth(opts);
  const first = await provider(orgAuthConfig);
  let auth: import('sfgen/runtime').AuthProvider = first;
  if (login !== null) {
    // The given token first; the login's tokens once Salesforce rejects it.
    const then = await provider(login);
    let used = false;
    auth = {
      kind: then.kind,
      refreshable: true,
      fetchToken(context, signal) {
        if (!used) {
          used = true;
          return first.fetchToken(context, signal);
        }
        return then.fetchToken(context, signal);
      },
    };
  }
  const client = runtime.createClient({ auth, allowInsecureLoopback: true, ...(opts.apiVersion !== undefined && { apiVersion: opts.apiVersion }) });
  const pubsubModule = await import('sfgen/pubsub');
  let caPem: string | undefined;
  if (opts.caFile) {
    try {
      caPem = await readFile(opts.caFile, 'utf8');
    } catch (error) {
      throw new Error(`cannot read --ca-file ${opts.caFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const pubsub = new pubsubModule.PubSubClient(client, {
    endpoint: opts.pubsubEndpoint,
    ...(caPem !== undefined && { caPem }),
    ...(opts.plaintext && { plaintext: true, allowInsecureLoopback: true }),
    ...(opts.tlsServerName !== undefined && { tlsServerName: opts.tlsServerName }),
    ...(opts.orgId !== undefined && { tenantId: opts.orgId }),
  });
  return {
    pubsub,
    pubsubModule,
    async close() {
      await pubsub.close();
      await client.close();
    },
  };
}

function fail(command: string, error: unknown, json: boolean | undefined): void {
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${toJson({ error: { code: (error as { code?: unknown }).code ?? 'ERROR', message } })}\n`);
  process.stderr.write(`sfgen events ${command}: ${message}\n`);
  process.exitCode = 1;
}

async function subscribeAction(topic: string, opts: SubscribeCliOptions): Promise<void> {
  const limit = opts.limit !== undefined ? intOption('--limit', opts.limit, 1) : undefined;
  const idleTimeoutMs = opts.idleTimeout !== undefined ? intOption('--idle-timeout', opts.idleTimeout, 100) : undefined;
  const replay = opts.replay === 'earliest' || opts.replay === 'latest' ? opts.replay : { after: opts.replay };
  const org = await connect(opts);
  const { pubsub, pubsubModule } = org;
  const sub = pubsub.subscribe(topic, {
    replay,
    ...(idleTimeoutMs !== undefined && { idleTimeoutMs }),
    ...(opts.checkpoint !== undefined && { checkpoint: { store: new pubsubModule.FileCheckpointStore(path.resolve(opts.checkpoint)) } }),
  });
  const onSignal = (): void => {
    process.stderr.write('sfgen events subscribe: stopping\n');
    void sub.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stderr.write(`sfgen events subscribe: ${topic} from ${typeof replay === 'string' ? replay : `after ${opts.replay}`} via ${opts.pubsubEndpoint}${limit ? `, ${limit} events` : ''}\n`);
  let count = 0;
  try {
    for await (const event of sub) {
      const line = opts.json
        ? toJson({ replayId: event.replayId, schemaId: event.schemaId, id: event.id, payload: event.payload })
        : `${event.replayId}\t${event.schemaId}\t${toJson(event.payload)}`;
      if (!process.stdout.write(`${line}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      count++;
      if (limit !== undefined && count >= limit) {
        await sub.stop();
        break;
      }
    }
    process.stderr.write(`sfgen events subscribe: ${count} event(s)\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await org.close();
  }
}

interface InputLine {
  readonly line: number;
  readonly id: string | undefined;
  readonly payload: Record<string, unknown>;
}

/** Reads `file` (NDJSON): each line a payload, or `{ "id": "...", "payload": {...} }`. */
async function readInputs(file: string): Promise<InputLine[]> {
  let text: string;
  try {
    text = file === '-' ? await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      process.stdin.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject);
    }) : await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const inputs: InputLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`${file}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}:${i + 1}: expected a JSON object (a payload, or { "id", "payload" })`);
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if ('payload' in obj && keys.every((k) => k === 'id' || k === 'payload')) {
      if (obj.payload === null || typeof obj.payload !== 'object' || Array.isArray(obj.payload)) throw new Error(`${file}:${i + 1}: "payload" must be an object`);
      if (obj.id !== undefined && (typeof obj.id !== 'string' || obj.id === '')) throw new Error(`${file}:${i + 1}: "id" must be a non-empty string`);
      inputs.push({ line: i + 1, id: obj.id as string | undefined, payload: obj.payload as Record<string, unknown> });
    } else {
      inputs.push({ line: i + 1, id: undefined, payload: obj });
    }
  }
  return inputs;
}

async function publishAction(topic: string, opts: PublishCliOptions): Promise<void> {
  const retries = intOption('--retries', opts.retries, 0);
  const inputs = await readInputs(opts.file);
  if (inputs.length === 0) throw new Error(`${opts.file}: no events`);
  const org = await connect(opts);
  try {
    const { randomUUID } = await import('node:crypto');
    // Ids are fixed up front so a retried event keeps its uuid.
    const envelopes = inputs.map((input) => ({ id: input.id ?? randomUUID(), payload: input.payload }));
    type Final = { ok: true; replayId: string } | { ok: false; error: { code: string; message: string; retryable: boolean } };
    const finals = new Map<number, Final>();
    let todo = envelopes.map((_, index) => index);
    for (let attempt = 0; attempt <= retries && todo.length > 0; attempt++) {
      if (attempt > 0) {
        process.stderr.write(`sfgen events publish: retrying ${todo.length} failed event(s) (attempt ${attempt + 1})\n`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 250 * 2 ** (attempt - 1))));
      }
      const batch = todo.map((i) => envelopes[i] as { id: string; payload: Record<string, unknown> });
      const results = await org.pubsub.publish(topic, batch);
      const next: number[] = [];
      for (const r of results) {
        const index = todo[r.index] as number;
        if (r.ok) finals.set(index, { ok: true, replayId: r.replayId });
        else {
          finals.set(index, { ok: false, error: { code: r.error.code, message: r.error.message, retryable: r.error.retryable } });
          // Only events the server said it did not accept are sent again: never a possible duplicate.
          if (r.error.retryable) next.push(index);
        }
      }
      todo = next;
    }
    let failed = 0;
    for (let index = 0; index < envelopes.length; index++) {
      const final = finals.get(index) as Final;
      const id = (envelopes[index] as { id: string }).id;
      const line = (inputs[index] as InputLine).line;
      if (final.ok) process.stdout.write(`${toJson({ line, id, replayId: final.replayId })}\n`);
      else {
        failed++;
        process.stdout.write(`${toJson({ line, id, error: final.error })}\n`);
      }
    }
    process.stderr.write(`sfgen events publish: ${envelopes.length - failed} published, ${failed} failed\n`);
    process.exitCode = failed > 0 ? 2 : 0;
  } finally {
    await org.close();
  }
}

/** Registers `sfgen events subscribe` and `sfgen events publish`. */
export function registerEvents(program: Command): void {
  const events = program.command('events').description('Subscribe to and publish platform events and change events (Pub/Sub API)');
  orgOptions(
    events
      .command('subscribe <topic>')
      .description('Print events of a topic (/event/Name__e, /data/AccountChangeEvent) as they arrive')
      .option('--replay <earliest|latest|ID>', 'where to start: earliest, latest, or after a replay id', 'latest')
      .option('--limit <n>', 'exit 0 after this many events')
      .option('--json', 'one NDJSON line per event: {"replayId","schemaId","id","payload"} (replayId as a decimal string)')
      .option('--idle-timeout <ms>', 'reconnect when nothing arrived for this long while events are owed (default 300000)')
      .option('--checkpoint <file>', 'keep the last printed replay id in this file and resume after it'),
  ).action(async (topic: string, opts: SubscribeCliOptions) => {
    try {
      await subscribeAction(topic, opts);
    } catch (error) {
      fail('subscribe', error, opts.json);
    }
  });
  orgOptions(
    events
      .command('publish <topic>')
      .description('Publish the events of an NDJSON file; one result line per event')
      .requiredOption('--file <events.ndjson>', 'one event per line: a payload, or {"id": "<uuid>", "payload": {...}}; - for stdin')
      .option('--retries <n>', 'publish events the server rejected again, alone, up to n times', '2')
      .option('--json', 'errors as JSON on stdout too'),
  ).action(async (topic: string, opts: PublishCliOptions) => {
    try {
      await publishAction(topic, opts);
    } catch (error) {
      fail('publish', error, opts.json);
    }
  });
}
