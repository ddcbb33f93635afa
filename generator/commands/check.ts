/**
 * `sfgen check`: compares the org (or a metadata directory, or the bundled demo org) with the
 * schema snapshot in `--out` and reports what drifted, how bad it is for this codebase, and where
 * the code uses it. Exit codes (the Prisma convention): 0 nothing at or above `--fail-on`, 2 drift,
 * 1 error (a missing/corrupt/newer snapshot, an unreachable org, bad flags) — never a false "no drift".
 */
import { Command, Option } from 'commander';
// Only the light tables load at start-up; the check itself (ts-morph included) loads when it runs.
import { CHANGE_CLASSES, type ChangeClass } from '../check/changes.js';
import type { CheckProgress, UsageTarget } from '../check/index.js';
import { REPORT_FORMATS, type ReportFormat } from '../check/report-formats.js';

interface CheckCliOptions {
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
  apiVersion?: string;
  config?: string;
  failOn: ChangeClass;
  json?: boolean;
  format?: ReportFormat;
  project?: string;
  usageDir?: string;
  usage: boolean;
  allowOtherOrg?: boolean;
}

/**
 * Progress on stderr: a rewritten line on a TTY; off a TTY (CI logs) one line per phase and one
 * every 10% of the objects, so a slow run still shows it is alive.
 */
function progressPrinter(enabled: boolean, tty: boolean): (event: CheckProgress) => void {
  if (!enabled) return () => {};
  if (!tty) {
    let nextTenth = 1;
    return (event) => {
      if (event.phase === 'connect') process.stderr.write(`sfgen check: reading ${event.source}\n`);
      else if (event.phase === 'usage') process.stderr.write(`sfgen check: scanning ${event.target} for usage\n`);
      else if (event.done === event.total || event.done * 10 >= nextTenth * event.total) {
        nextTenth = Math.floor((event.done * 10) / event.total) + 1;
        process.stderr.write(`sfgen check: compared ${event.done}/${event.total} objects\n`);
      }
    };
  }
  let last = 0;
  return (event) => {
    switch (event.phase) {
      case 'connect':
        process.stderr.write(`sfgen check: reading ${event.source}\n`);
        break;
      case 'describe': {
        const now = Date.now();
        if (event.done === event.total || now - last > 100) {
          last = now;
          process.stderr.write(`\rsfgen check: compared ${event.done}/${event.total} objects${event.done === event.total ? '\n' : ''}`);
        }
        break;
      }
      case 'usage':
        process.stderr.write(`sfgen check: scanning ${event.target} for usage\n`);
        break;
    }
  };
}

/** Registers `sfgen check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Compare the org schema with the snapshot in --out and report drift (exit 2 when it fails)')
    .option('--target-org <alias>', 'sf CLI org alias (runs `sf org display --json`)')
    .option('--instance-url <url>', 'org instance URL (or SF_INSTANCE_URL)')
    .option('--access-token <token>', 'access token (or SF_ACCESS_TOKEN)')
    .option('--metadata-dir <dir>', 'compare a metadata directory instead of an org')
    .option('--demo', 'compare the bundled demo org (served by the simulator)')
    .option('--events-dir <dir>', 'directory of event Avro schemas (*.avsc) to compare events against')
    .option('--pubsub-endpoint <host:port>', 'Pub/Sub API endpoint for event discovery (default api.pubsub.salesforce.com:7443, or SF_PUBSUB_ENDPOINT)')
    .option('--ca-file <pem>', 'extra CA certificate to trust for the Pub/Sub endpoint (a corporate proxy, a local simulator; or SF_PUBSUB_CA_FILE)')
    .option('--no-events', 'read no event schemas (no Pub/Sub connection)')
    .option('--out <dir>', 'generated directory holding schema.lock.json (default: outDir of sfgen.config.json, else generated/)')
    .option('--objects <names>', 'comma-separated object API names to check (default: every object in the snapshot)')
    .option('--api-version <version>', "Salesforce API version (default: the snapshot's)")
    .option('--config <file>', 'config file (default sfgen.config.json when present)')
    .addOption(new Option('--fail-on <class>', 'lowest class that fails the check').choices([...CHANGE_CLASSES]).default('breaking'))
    .addOption(new Option('--format <format>', 'report format').choices([...REPORT_FORMATS]).conflicts('json'))
    .option('--json', 'same as --format json')
    .addOption(new Option('--project <tsconfig>', 'scan this TypeScript project for usage (default: ./tsconfig.json when present)').conflicts('usageDir'))
    .option('--usage-dir <dir>', 'scan the .ts files under this directory for usage instead of a tsconfig')
    .option('--no-usage', 'do not scan for usage (classes from the schema alone)')
    .option('--allow-other-org', "compare even when the source is another org than the snapshot's (it fails otherwise)")
    .addHelpText(
      'after',
      `
Examples:
  $ npx sfgen check --target-org my-sandbox                      # text report, exit 2 on breaking drift
  $ npx sfgen check --target-org ci --format github --usage-dir src
  $ npx sfgen check --target-org my-sandbox --fail-on dangerous --json
  $ npx sfgen check --demo --no-usage                            # this repository's own snapshot

Classes: breaking (removed objects/fields, type changes, lost create/update/filter access, newly
required fields, removed restricted picklist values, retargeted references, shrunk lengths,
renamed relationships), dangerous (values added to restricted picklists switched over
exhaustively, newly encrypted fields, removed defaults, ...), safe (additions, labels, help text).
A change to something the scanned code never uses is downgraded one class.
Exit codes: 0 nothing at or above --fail-on, 2 drift at or above it, 1 error.`,
    )
    .action(async (opts: CheckCliOptions) => {
      const format: ReportFormat = opts.json ? 'json' : (opts.format ?? 'text');
      const objects = opts.objects?.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const usage: UsageTarget | undefined = !opts.usage
        ? false
        : opts.usageDir !== undefined
          ? { dir: opts.usageDir }
          : opts.project !== undefined
            ? { project: opts.project }
            : undefined;
      try {
        const [{ runCheck }, { renderReport, useColor }] = await Promise.all([import('../check/index.js'), import('../check/report.js')]);
        const result = await runCheck({
          ...(opts.targetOrg !== undefined && { targetOrg: opts.targetOrg }),
          ...(opts.instanceUrl !== undefined && { instanceUrl: opts.instanceUrl }),
          ...(opts.accessToken !== undefined && { accessToken: opts.accessToken }),
          ...(opts.metadataDir !== undefined && { metadataDir: opts.metadataDir }),
          ...(opts.demo === true && { demo: true }),
          ...(opts.allowOtherOrg === true && { allowOtherOrg: true }),
          ...(opts.eventsDir !== undefined && { eventsDir: opts.eventsDir }),
          ...(opts.pubsubEndpoint !== undefined && { pubsubEndpoint: opts.pubsubEndpoint }),
          ...(opts.caFile !== undefined && { caFile: opts.caFile }),
          ...(opts.events === false && { noEvents: true }),
          ...(opts.out !== undefined && { out: opts.out }),
          ...(objects !== undefined && objects.length > 0 && { objects }),
          ...(opts.apiVersion !== undefined && { apiVersion: opts.apiVersion }),
          ...(opts.config !== undefined && { config: opts.config }),
          ...(usage !== undefined && { usage }),
          failOn: opts.failOn,
          onProgress: progressPrinter(format === 'text', process.stderr.isTTY === true),
        });
        process.stdout.write(renderReport(result, format, { color: useColor(process.stdout) }));
        process.exitCode = result.failed ? 2 : 0;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const code = (error as { code?: unknown }).code;
        if (format === 'json') {
          process.stdout.write(`${JSON.stringify({ error: { code: typeof code === 'string' ? code : 'ERROR', message } })}\n`);
        } else if (format === 'github') {
          process.stdout.write(`::error title=sfgen check failed to run::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
        }
        process.stderr.write(`sfgen check: ${message}\n`);
        process.exitCode = 1;
      }
    });
}
