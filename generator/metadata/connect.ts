/**
 * Credentials for a live org: `sf org display --json --target-org ALIAS`, or an instance URL and
 * access token. Secrets never appear in messages.
 */
import { execFile } from 'node:child_process';
import { MetadataError } from './errors.js';
import type { OrgCredentials } from './http.js';

/** Runs a command and resolves with stdout (injectable for tests). */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<{ stdout: string; code: number; missing: boolean }>;

/** The default runner: `execFile`, no shell. */
export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, [...args], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout: String(stdout), code, missing: (error as NodeJS.ErrnoException | null)?.code === 'ENOENT' });
    });
  });

/**
 * Instance URL and access token of an sf CLI org alias.
 *
 * @example
 * ```ts
 * const { instanceUrl } = await sfCliCredentials('my-sandbox');
 * ```
 */
export async function sfCliCredentials(alias: string, run: CommandRunner = runCommand): Promise<OrgCredentials> {
  const where = `sf org display --json --target-org ${alias}`;
  const res = await run('sf', ['org', 'display', '--json', '--target-org', alias]);
  if (res.missing) {
    throw new MetadataError('NO_CREDENTIALS', `Cannot run the Salesforce CLI ('sf') for --target-org ${alias}: it is not installed or not on PATH`, where);
  }
  let json: unknown;
  try {
    json = JSON.parse(res.stdout);
  } catch {
    throw new MetadataError('NO_CREDENTIALS', `${where} did not print JSON (exit code ${res.code})`, where);
  }
  const o = (json ?? {}) as { status?: unknown; message?: unknown; result?: { instanceUrl?: unknown; accessToken?: unknown } };
  const instanceUrl = o.result?.instanceUrl;
  const accessToken = o.result?.accessToken;
  if (typeof instanceUrl !== 'string' || typeof accessToken !== 'string' || instanceUrl === '' || accessToken === '') {
    const why = typeof o.message === 'string' ? o.message : `exit code ${res.code}, no instanceUrl/accessToken in the result`;
    throw new MetadataError('NO_CREDENTIALS', `No credentials for org alias '${alias}' (${where}): ${why}`, where);
  }
  return { instanceUrl: instanceUrl.replace(/\/+$/, ''), accessToken };
}
