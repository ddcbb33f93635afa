/**
 * `sfgen generate`: metadata -> model -> typed modules in `--out` (default `generated/`), written
 * atomically, with the schema snapshot. `--check` exits 2 when `--out` is stale with respect to its
 * snapshot. Exit codes: 0 done, 1 error (output untouched), 2 stale (`--check`).
 */
import { Command, Option } from 'commander';
import type { GenerateProgress, GenerateSummary } from '../index.js';

interface GenerateCliOptions {
  targetOrg?: string;
  instanceUrl?: string;
  accessToken?: string;
  metadataDir?: string;
  demo?: boolean;
  eventsDir?: string;
  pubsubEndpoint?: string;
  caFile?: string;
  events?: boolean;
  out?: string;
  objects?: string;
  all?: boolean;
  apiVersion?: string;
  config?: string;
  check?: boolean;
  json?: boolean;
}

function progressPrinter(enabled: boolean): (event: GenerateProgress) => void {
  if (!enabled) return () => {};
  let last = 0;
  return (event) => {
    const now = Date.now();
    switch (event.phase) {
      case 'connect':
        process.stderr.write(`sfgen: reading ${event.source}\n`);
        break;
      case 'describe':
        if (event.done === event.total || now - last > 100) {
          last = now;
          process.stderr.write(`\rsfgen: described ${event.done}/${event.total} objects${event.done === event.total ? '\n' : ''}`);
        }
        break;
      case 'emit':
        process.stderr.write(`sfgen: rendered ${event.files} files\n`);
        break;
      case 'write':
        process.stderr.write(`sfgen: writing ${event.outDir}\n`);
        break;
    }
  };
}

function formatSummary(s: GenerateSummary): string {
  const lines: string[] = [];
  if (s.mode === 'check') {
    lines.push(
      s.stale
        ? `sfgen: ${s.outDir} is stale with respect to its snapshot (${s.changedFiles.length} file(s) differ); run 'sfgen generate'`
        : `sfgen: ${s.outDir} is up to date with its snapshot (${s.objects} objects, ${s.files} files)`,
    );
    for (const f of s.changedFiles.slice(0, 20)) lines.push(`  ${f}`);
    if (s.changedFiles.length > 20) lines.push(`  … ${s.changedFiles.length - 20} more`);
    return lines.join('\n');
  }
  lines.push(
    `sfgen: generated ${s.objects} objects (${s.fields} fields, ${s.events} events) into ${s.outDir}: ${s.files} files, ${s.requests} requests, ${(s.durationMs / 1000).toFixed(2)} s`,
    `  source: ${s.source}`,
  );
  if (s.removedFiles.length > 0) {
    lines.push(`  removed ${s.removedFiles.length} file(s) of the previous generation from ${s.outDir}:`);
    for (const f of s.removedFiles.slice(0, 20)) lines.push(`    ${f}`);
    if (s.removedFiles.length > 20) lines.push(`    … ${s.removedFiles.length - 20} more`);
  }
  if (s.eventsNote) lines.push(`  note: ${s.eventsNote}`);
  for (const w of s.warnings) lines.push(`  warning: ${w.location}: ${w.message}`);
  return lines.join('\n');
}

/** Registers `sfgen generate`. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate typed sObject modules from an org, a metadata directory or the bundled demo org')
    .option('--target-org <alias>', 'sf CLI org alias (runs `sf org display --json`)')
    .option('--instance-url <url>', 'org instance URL (or SF_INSTANCE_URL)')
    .option('--access-token <token>', 'access token (or SF_ACCESS_TOKEN)')
    .option('--metadata-dir <dir>', 'read describes from a metadata directory instead of an org')
    .option('--demo', 'generate from the bundled demo org (served by the simulator), to try sfgen without an org')
    .option('--events-dir <dir>', 'directory of event Avro schemas (*.avsc) for a live org')
    .option('--pubsub-endpoint <host:port>', 'Pub/Sub API endpoint for event discovery (default api.pubsub.salesforce.com:7443, or SF_PUBSUB_ENDPOINT)')
    .option('--ca-file <pem>', 'extra CA certificate to trust for the Pub/Sub endpoint (a corporate proxy, a local simulator; or SF_PUBSUB_CA_FILE)')
    .option('--no-events', 'read no event schemas (no Pub/Sub connection)')
    .option('--out <dir>', 'output directory (default: outDir of sfgen.config.json, else generated/)')
    .addOption(new Option('--objects <names>', 'comma-separated object API names to generate').conflicts('all'))
    .option('--all', 'generate every object of the source (the default)')
    .option('--api-version <version>', 'Salesforce API version (default: the newest the org serves)')
    .option('--config <file>', 'config file (default sfgen.config.json when present)')
    .option('--check', 'exit 2 when --out is stale with respect to its snapshot (nothing is written)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sfgen generate --target-org my-sandbox                 # every object, newest API version
  $ npx sfgen generate --target-org my-sandbox --objects Account,Contact --out src/sf
  $ SF_INSTANCE_URL=https://acme--dev.sandbox.my.salesforce.com SF_ACCESS_TOKEN=... npx sfgen generate
  $ npx sfgen generate --metadata-dir salesforce/metadata
  $ npx sfgen generate --demo --out /tmp/sfgen-demo                # try it without an org
  $ npx sfgen generate --check                                   # CI: exit 2 when --out is stale

Sources, in order: --metadata-dir; --target-org; --instance-url/--access-token; --demo;
SF_INSTANCE_URL + SF_ACCESS_TOKEN; SF_CLIENT_ID + SF_REFRESH_TOKEN; JWT bearer (SF_CLIENT_ID,
SF_USERNAME, SF_JWT_KEY_FILE, optional SF_LOGIN_URL); client credentials (SF_CLIENT_ID,
SF_CLIENT_SECRET, SF_LOGIN_URL); metadataDir in sfgen.config.json; the Salesforce CLI's default
target org. With none of these it fails and lists them; a half-set environment names what is missing.
The API version is the newest the org serves unless --api-version or apiVersion in the config pins one.
Prefer SF_ACCESS_TOKEN to --access-token: command lines are visible to other processes.
Exit codes: 0 success, 1 error (the output directory is left untouched), 2 stale (--check).`,
    )
    .action(async (opts: GenerateCliOptions) => {
      const objects = opts.objects?.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const showProgress = process.stderr.isTTY === true && !opts.json;
      try {
        const { generate } = await import('../index.js'); // loaded when it runs: `sfgen --help` stays fast
        const summary = await generate({
          ...(opts.targetOrg !== undefined && { targetOrg: opts.targetOrg }),
          ...(opts.instanceUrl !== undefined && { instanceUrl: opts.instanceUrl }),
          ...(opts.accessToken !== undefined && { accessToken: opts.accessToken }),
          ...(opts.metadataDir !== undefined && { metadataDir: opts.metadataDir }),
          ...(opts.demo === true && { demo: true }),
          ...(opts.eventsDir !== undefined && { eventsDir: opts.eventsDir }),
          ...(opts.pubsubEndpoint !== undefined && { pubsubEndpoint: opts.pubsubEndpoint }),
          ...(opts.caFile !== undefined && { caFile: opts.caFile }),
          ...(opts.events === false && { noEvents: true }),
          ...(opts.out !== undefined && { out: opts.out }),
          ...(objects !== undefined && { objects }),
          ...(opts.all !== undefined && { all: opts.all }),
          ...(opts.apiVersion !== undefined && { apiVersion: opts.apiVersion }),
          ...(opts.config !== undefined && { config: opts.config }),
          ...(opts.check !== undefined && { check: opts.check }),
          onProgress: progressPrinter(showProgress),
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else process.stdout.write(`${formatSummary(summary)}\n`);
        process.exitCode = summary.stale ? 2 : 0;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (opts.json) process.stdout.write(`${JSON.stringify({ error: { code: (error as { code?: unknown }).code ?? 'ERROR', message } })}\n`);
        process.stderr.write(`sfgen generate: ${message}\n`);
        process.exitCode = 1;
      }
    });
}
