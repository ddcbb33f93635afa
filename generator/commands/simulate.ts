/**
 * `sfgen simulate`: serve an org (the bundled demo org unless `--metadata-dir` says otherwise) on
 * 127.0.0.1 with the org simulator, print its URLs and a ready access token, and run until
 * SIGINT/SIGTERM.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';

interface SimulateCliOptions {
  metadataDir?: string;
  port: string;
  tls?: boolean;
  grpcPort?: string;
  grpcPlaintext?: boolean;
  latency: string;
  pageSize: string;
  childPageSize: string;
  apiVersion?: string;
  clientId?: string;
  jwtPublicKey?: string;
  user?: string[];
  refreshToken?: string[];
  bulkRowsPerSecond?: string;
  bulkPageSize?: string;
  json?: boolean;
}

function intOption(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${text}"`);
  return n;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `TOKEN` or `TOKEN=USERNAME` pairs of `--refresh-token`; the token is never echoed in errors. */
function parseRefreshTokens(values: readonly string[]): [string, string | undefined][] {
  return values.map((v, i) => {
    const eq = v.indexOf('=');
    const token = eq < 0 ? v : v.slice(0, eq);
    const user = eq < 0 ? undefined : v.slice(eq + 1);
    if (token.length < 8) throw new Error(`--refresh-token #${i + 1}: a refresh token must have at least 8 characters`);
    if (user === '') throw new Error(`--refresh-token #${i + 1}: empty username after "="`);
    return [token, user];
  });
}

/** Registers `sfgen simulate`. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Serve an org from a metadata directory on 127.0.0.1 (REST, OAuth, Pub/Sub gRPC) until interrupted')
    .option('--metadata-dir <dir>', 'metadata directory to serve (default: the bundled demo org)')
    .option('--port <n>', 'HTTP port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--tls', 'serve REST, OAuth and Bulk over HTTPS with a generated self-signed certificate (default: plain HTTP)')
    .option('--grpc-port <n>', 'serve the Pub/Sub API (gRPC) on this port of 127.0.0.1 (0 picks a free one)')
    .option('--grpc-plaintext', 'serve Pub/Sub without TLS (default: TLS with a generated certificate)')
    .option('--latency <ms>', 'delay added to every request, in milliseconds', '0')
    .option('--page-size <n>', 'query batch size (rows per page)', '2000')
    .option('--child-page-size <n>', 'child subquery rows inline per parent; more are paged with their own nextRecordsUrl', '200')
    .option('--api-version <version>', 'newest API version served (default: the newest Salesforce release\'s)')
    .option('--client-id <id>', 'connected-app consumer key for OAuth (default sfgen-simulator)')
    .option('--jwt-public-key <file>', 'PEM public key or certificate that verifies JWT bearer assertions')
    .option('--user <username>', 'a username the org knows, with a User record (repeatable; the first is the default user)', collect)
    .option('--refresh-token <token[=username]>', 'a refresh token the token endpoint accepts, for the default user or the named one (repeatable)', collect)
    .option('--bulk-rows-per-second <n>', 'Bulk API 2.0: rows a job processes per second (default: as fast as possible)')
    .option('--bulk-page-size <n>', 'Bulk API 2.0: query result rows per set when the client gives no maxRecords', '50000')
    .option('--json', 'print the URLs and token as one JSON line instead of text')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sfgen simulate                                          # the bundled demo org on a free port
  $ npx sfgen simulate --metadata-dir test/fixtures/my-org --port 8443 --latency 50
  $ npx sfgen simulate --grpc-port 7443 --json                   # REST + Bulk + Pub/Sub, URLs as JSON
  $ npx sfgen simulate --tls --refresh-token 5Aep861myRefreshToken  # HTTPS, for sf org login sfdx-url

The simulator prints an access token for the default user; send it as "Authorization: Bearer <token>".
With --tls the instance URL is https://127.0.0.1:PORT and the simulator writes its self-signed
certificate to a PEM file and prints the path: trust it as a root certificate (NODE_EXTRA_CA_CERTS=FILE
for the sf CLI and other Node tools, curl --cacert FILE, the runtime's transport.caPem). With a
refresh token it prints the sfdx auth URL for "sf org login sfdx-url" (force://<client id>::<token>@host).
With --grpc-port it serves the Pub/Sub API for the events of the metadata directory (events/*.avsc):
gRPC metadata accesstoken=<token>, instanceurl=<instance URL>, tenantid=<org id>. Over TLS (the same
certificate as --tls when both are on) it writes the certificate to a PEM file likewise: trust it as a
root (sfgen events --ca-file FILE, grpc-js credentials.createSsl(pem), or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH).
OAuth clients can also use POST /services/oauth2/token: JWT bearer (--client-id, --jwt-public-key)
or client credentials (--client-id and the secret in the SFGEN_SIM_CLIENT_SECRET environment variable).
Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.`,
    )
    .action(async (opts: SimulateCliOptions) => {
      const port = intOption('--port', opts.port, 0);
      const latencyMs = intOption('--latency', opts.latency, 0);
      const pageSize = intOption('--page-size', opts.pageSize, 1);
      const childPageSize = intOption('--child-page-size', opts.childPageSize, 1);
      const bulkRowsPerSecond = opts.bulkRowsPerSecond === undefined ? undefined : intOption('--bulk-rows-per-second', opts.bulkRowsPerSecond, 1);
      const bulkPageSize = intOption('--bulk-page-size', opts.bulkPageSize ?? '50000', 1);
      const grpcPort = opts.grpcPort === undefined ? undefined : intOption('--grpc-port', opts.grpcPort, 0);
      if (opts.grpcPlaintext && grpcPort === undefined) throw new Error('--grpc-plaintext needs --grpc-port');
      let jwtPublicKey: string | undefined;
      if (opts.jwtPublicKey !== undefined) {
        try {
          jwtPublicKey = await readFile(opts.jwtPublicKey, 'utf8');
        } catch (error) {
          throw new Error(`cannot read --jwt-public-key ${opts.jwtPublicKey}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        }
      }
      const refreshTokens = parseRefreshTokens(opts.refreshToken ?? []);
      // Loaded lazily so other commands never pay for the simulator.
      const { startSimulator, DEMO_ORG_DIR } = await import('sfgen/simulator');
      const metadataDir = path.resolve(opts.metadataDir ?? DEMO_ORG_DIR);
      const sim = await startSimulator({
        metadataDir,
        port,
        ...(opts.tls === true && { tls: true }),
        latencyMs,
        pageSize,
        childPageSize,
        ...(opts.apiVersion !== undefined && { apiVersion: opts.apiVersion }),
        bulk: { queryPageSize: bulkPageSize, ...(bulkRowsPerSecond !== undefined && { rowsPerSecond: bulkRowsPerSecond }) },
        ...(grpcPort !== undefined && { grpcPort, pubsub: { tls: opts.grpcPlaintext !== true } }),
        auth: {
          ...(opts.clientId !== undefined && { clientId: opts.clientId }),
          ...(jwtPublicKey !== undefined && { jwtPublicKey }),
          ...(opts.user !== undefined && { users: opts.user }),
          ...(refreshTokens.length > 0 && { refreshTokens: Object.fromEntries(refreshTokens.map(([t, u]) => [t, u ?? opts.user?.[0] ?? ''])) }),
          ...(process.env.SFGEN_SIM_CLIENT_SECRET !== undefined && { clientSecret: process.env.SFGEN_SIM_CLIENT_SECRET }),
        },
      });
      const token = sim.issueAccessToken();
      const objects = sim.org.objectNames();
      const records = objects.reduce((n, o) => n + sim.org.records(o).length, 0);
      const api = `${sim.url}/services/data/v${sim.apiVersion}`;
      const ps = sim.pubsub;
      // One PEM file per certificate: REST and Pub/Sub share one when both speak TLS.
      const caFiles: string[] = [];
      const writeCa = async (pem: string, port: number): Promise<string> => {
        const file = path.join(os.tmpdir(), `sfgen-simulator-${port}-ca.pem`);
        await writeFile(file, pem, { mode: 0o644 });
        caFiles.push(file);
        return file;
      };
      const restCaFile = sim.caPem === undefined ? undefined : await writeCa(sim.caPem, Number(new URL(sim.url).port));
      const caFile = ps?.caPem === undefined ? undefined : ps.caPem === sim.caPem ? restCaFile : await writeCa(ps.caPem, ps.port);
      const clientId = opts.clientId ?? 'sfgen-simulator';
      const sfdxUrl = sim.caPem !== undefined && refreshTokens.length > 0 ? `force://${clientId}::<refresh-token>@${new URL(sim.url).host}` : undefined;
      const topics = ps?.topics().map((t) => t.name) ?? [];
      const grpcLines =
        ps === undefined
          ? ['  Pub/Sub gRPC          not served (add --grpc-port N)']
          : [
              `  Pub/Sub gRPC          ${ps.endpoint} (${ps.tls ? 'TLS' : 'plaintext'}), org id ${sim.orgId}`,
              ...(caFile !== undefined && caFile !== restCaFile ? [`  TLS certificate       ${caFile} (self-signed for localhost / 127.0.0.1; trust it as a root)`] : []),
              `  topics                ${topics.join(', ') || 'none (no events/*.avsc)'}`,
            ];
      // Event schemas come from the simulator's Pub/Sub listener when it speaks TLS (generate trusts it
      // with --ca-file); otherwise generate would ask Salesforce's own Pub/Sub host, so it reads none.
      const generateEventFlags = ps !== undefined && ps.tls && caFile !== undefined ? `--pubsub-endpoint ${ps.endpoint} --ca-file ${caFile}` : '--no-events';
      if (opts.json) {
        const grpc = ps === undefined ? null : { endpoint: ps.endpoint, tls: ps.tls, caFile: caFile ?? null, orgId: sim.orgId, topics };
        process.stdout.write(
          `${JSON.stringify({ url: sim.url, instanceUrl: sim.url, loginUrl: sim.url, restUrl: api, tokenUrl: `${sim.url}/services/oauth2/token`, tls: sim.caPem !== undefined, caFile: restCaFile ?? null, accessToken: token, username: sim.defaultUser.username, apiVersion: sim.apiVersion, metadataDir, objects: objects.length, records, grpc })}\n`,
        );
      } else {
        process.stdout.write(
          [
            `sfgen simulate: serving ${metadataDir}`,
            `  ${objects.length} objects, ${records} records${latencyMs > 0 ? `, ${latencyMs} ms latency` : ''}, pages of ${pageSize}`,
            '',
            `  instance / login URL  ${sim.url}`,
            `  REST API              ${api}`,
            `  Bulk API 2.0          ${api}/jobs/ingest, ${api}/jobs/query${bulkRowsPerSecond === undefined ? '' : ` (${bulkRowsPerSecond} rows/s)`}`,
            `  OAuth token endpoint  ${sim.url}/services/oauth2/token`,
            ...(restCaFile !== undefined ? [`  TLS certificate       ${restCaFile} (self-signed for localhost / 127.0.0.1; trust it as a root)`] : []),
            ...grpcLines,
            '',
            `  access token (${sim.defaultUser.username}, valid 2 hours):`,
            `  ${token}`,
            '',
            'Try it:',
            ...(restCaFile === undefined
              ? [
                  `  curl -H 'Authorization: Bearer ${token}' ${api}/sobjects/Account/describe`,
                  `  SF_INSTANCE_URL=${sim.url} SF_ACCESS_TOKEN='${token}' npx sfgen generate ${generateEventFlags} --out /tmp/sfgen-out`,
                  `  SF_ACCESS_TOKEN='${token}' sf org login access-token --instance-url ${sim.url} --alias sfgen-sim --no-prompt`,
                ]
              : [
                  `  curl --cacert ${restCaFile} -H 'Authorization: Bearer ${token}' ${api}/sobjects/Account/describe`,
                  `  NODE_EXTRA_CA_CERTS=${restCaFile} SF_ACCESS_TOKEN='${token}' sf org login access-token --instance-url ${sim.url} --alias sfgen-sim --no-prompt`,
                  ...(sfdxUrl !== undefined
                    ? [`  echo '${sfdxUrl}' > auth.txt && NODE_EXTRA_CA_CERTS=${restCaFile} sf org login sfdx-url --sfdx-url-file auth.txt --alias sfgen-sim`]
                    : []),
                ]),
            '',
            'Press Ctrl+C to stop.',
            '',
          ].join('\n'),
        );
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          const { requests } = sim.stats();
          sim.close().then(
            async () => {
              for (const file of caFiles) await rm(file, { force: true });
              if (!opts.json) process.stdout.write(`sfgen simulate: ${signal}, stopped after ${requests} requests\n`);
              resolve();
            },
            () => resolve(),
          );
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
