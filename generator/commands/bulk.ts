/**
 * `sfgen bulk import|export|status|results`: Bulk API 2.0 from the command line, close to the sf
 * CLI's `data import|update|upsert|delete bulk`, `data export bulk` and `data bulk results` (same
 * CSV, same result columns; the differences are listed in docs/bulk.md). Registration only: the
 * runtime's Bulk code is loaded inside the actions (bulk-actions.ts), so `sfgen --help` stays fast.
 * Exit codes: 0 every row succeeded, 2 some rows failed or were not processed, 1 error.
 */
import { Command, Option } from 'commander';

/** Org options shared by every bulk command (the same as `generate`'s org options). */
export interface BulkOrgOptions {
  targetOrg?: string;
  instanceUrl?: string;
  accessToken?: string;
  apiVersion?: string;
  json?: boolean;
}

function orgOptions(command: Command): Command {
  return command
    .option('--target-org <alias>', 'sf CLI org alias (runs `sf org display --json`)')
    .option('--instance-url <url>', 'org instance URL (or SF_INSTANCE_URL)')
    .option('--access-token <token>', 'access token (or SF_ACCESS_TOKEN)')
    .option('--api-version <version>', 'Salesforce API version (default 60.0)')
    .option('--json', 'print the result as JSON on stdout');
}

const ORG_HELP = `
Org: --target-org; --instance-url/--access-token; SF_INSTANCE_URL + SF_ACCESS_TOKEN; JWT bearer
(SF_CLIENT_ID, SF_USERNAME, SF_JWT_KEY_FILE, optional SF_LOGIN_URL). Prefer SF_ACCESS_TOKEN to
--access-token: command lines are visible to other processes.`;

async function act(name: string, json: boolean | undefined, body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: (error as { code?: unknown }).code ?? 'ERROR', message } })}\n`);
    process.stderr.write(`sfgen bulk ${name}: ${message}\n`);
    process.exitCode = 1;
  }
}

/** Registers `sfgen bulk ...`. */
export function registerBulk(program: Command): void {
  const bulk = program.command('bulk').description('Bulk API 2.0: import and export CSV, job status and results (like sf data import/export bulk, sf data bulk results)');

  orgOptions(
    bulk
      .command('import')
      .description('Import a CSV file into an object with Bulk API 2.0 ingest jobs (sf data import|update|upsert|delete bulk)')
      .argument('<object>', 'object API name, e.g. Contact')
      .requiredOption('--file <csv>', 'CSV file with a header row of field API names')
      .addOption(new Option('--operation <op>', 'ingest operation').choices(['insert', 'update', 'upsert', 'delete', 'hardDelete']).default('insert'))
      .option('--external-id <field>', 'external id field of an upsert (sf: --external-id)')
      .option('--results-dir <dir>', 'where successful.csv, failed.csv and unprocessed.csv are written', '.')
      .addOption(new Option('--line-ending <ending>', "the file's line ending (default: detected)").choices(['LF', 'CRLF']))
      .option('--max-bytes-per-job <n>', 'split the file into jobs of at most this many bytes (default 100000000)')
      .option('--wait <minutes>', 'give up waiting after this many minutes (the jobs keep running; default: wait until they finish)'),
  )
    .addHelpText('after', `
Before anything is uploaded the file is read once and checked: header fields the object does not
have (one describe of that object), a delete file with columns other than Id, an upsert without
its external id column, rows wider or narrower than the header, rows over 400,000 characters,
line endings that do not match. Errors name the file, the line and the field.
The file must be comma-separated (the sf CLI also detects ; | ^ \` and tab).
Job ids are printed as soon as the jobs exist; \`sfgen bulk results JOB_ID\` reads them later.
Unlike the sf CLI, the command waits until the jobs finish (--wait only sets a limit) and
always writes all three result files, for every job of the file, in --results-dir.
Exit codes: 0 every row succeeded, 2 some rows failed or were not processed (the sf CLI exits 1),
1 error.
sf CLI equivalents:
  --operation insert      sf data import bulk --sobject OBJECT --file data.csv --wait 10
  --operation update      sf data update bulk --sobject OBJECT --file data.csv --wait 10
  --operation upsert      sf data upsert bulk --sobject OBJECT --file data.csv --external-id FIELD --wait 10
  --operation delete      sf data delete bulk --sobject OBJECT --file ids.csv --wait 10
  --operation hardDelete  sf data delete bulk --sobject OBJECT --file ids.csv --hard-delete --wait 10
${ORG_HELP}`)
    .action(async (object: string, opts: BulkOrgOptions & { file: string; operation: string; externalId?: string; resultsDir: string; lineEnding?: string; maxBytesPerJob?: string; wait?: string }) => {
      await act('import', opts.json, async () => (await import('./bulk-actions.js')).bulkImport(object, opts));
    });

  orgOptions(
    bulk
      .command('export')
      .description('Export the rows of a SOQL query with a Bulk API 2.0 query job (sf data export bulk)')
      .argument('<soql>', 'the SOQL query, e.g. "SELECT Id, Name FROM Account"')
      .requiredOption('--out <file>', 'output file (written whole or not at all)')
      .addOption(new Option('--format <format>', 'csv as Salesforce returns it, or ndjson with typed values').choices(['csv', 'ndjson']).default('csv'))
      .option('--all', 'include deleted and archived rows (queryAll; sf: --all-rows)')
      .option('--wait <minutes>', 'give up waiting after this many minutes (the job keeps running)'),
  )
    .addHelpText('after', `
CSV export talks to the Bulk endpoints only; NDJSON describes the queried objects once to type the
values (numbers, booleans, nulls; parent paths nested).
The CSV is comma-separated with LF line ends, values quoted only where needed (the sf CLI writes
Salesforce's CSV as served, every value quoted). --format ndjson has typed values, one object a
line; the sf CLI's --result-format json is one array of objects with string values.
sf CLI equivalent: sf data export bulk --query "SOQL" --output-file FILE --result-format csv --wait 10 [--all-rows]
${ORG_HELP}`)
    .action(async (soql: string, opts: BulkOrgOptions & { out: string; format: 'csv' | 'ndjson'; all?: boolean; wait?: string }) => {
      await act('export', opts.json, async () => (await import('./bulk-actions.js')).bulkExport(soql, opts));
    });

  orgOptions(
    bulk
      .command('status')
      .description('Show the state and counts of an ingest or query job (the counts sf data import resume and sf data bulk results print)')
      .argument('<jobId>', 'the job id (750...)'),
  )
    .addHelpText('after', ORG_HELP)
    .action(async (jobId: string, opts: BulkOrgOptions) => {
      await act('status', opts.json, async () => (await import('./bulk-actions.js')).bulkStatus(jobId, opts));
    });

  orgOptions(
    bulk
      .command('results')
      .description('Write the success, failed and unprocessed records of an ingest job started elsewhere (sf data bulk results)')
      .argument('<jobId>', 'the job id (750...)')
      .option('--results-dir <dir>', 'where the result files are written', '.')
      .option('--wait <minutes>', 'wait for the job to finish, at most this many minutes'),
  )
    .addHelpText('after', `
Files, named as the sf CLI's \`data bulk results\` names them: JOB_ID-success-records.csv
(sf__Id, sf__Created, the uploaded columns), JOB_ID-failed-records.csv (sf__Id, sf__Error, ...)
and JOB_ID-unprocessed-records.csv (the uploaded columns), all three always (the sf CLI writes
the failed file only when rows failed and the unprocessed one only for Failed or Aborted jobs).
Exit codes: 0 every row succeeded, 2 some rows failed or were not processed, 1 error (or the job
has not finished).
sf CLI equivalent: sf data bulk results --job-id JOB_ID
${ORG_HELP}`)
    .action(async (jobId: string, opts: BulkOrgOptions & { resultsDir: string; wait?: string }) => {
      await act('results', opts.json, async () => (await import('./bulk-actions.js')).bulkResults(jobId, opts));
    });
}
