/**
 * Runs the pinned Salesforce CLI (test/tools/sf-cli, installed into .tmp/sf-cli by
 * test/tools/sf-cli/install.sh) against the simulator. Each test file gets its own HOME, so the
 * CLI's config, aliases and auth files live in a temporary directory and never touch the user's.
 * A missing CLI fails the test with the command that installs it; it is never skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CLI_DIR = process.env.SFGEN_SF_CLI_DIR ?? path.join(ROOT, '.tmp', 'sf-cli');
const RUN = path.join(CLI_DIR, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');

/** Path of the CLI's entry script; throws (failing the test) when it is not installed. */
export function sfBinary(): string {
  if (!existsSync(RUN)) {
    throw new Error(`the Salesforce CLI is not installed at ${CLI_DIR}: run test/tools/sf-cli/install.sh (CI runs it before npm test)`);
  }
  return RUN;
}

export interface SfResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI sandbox: a temporary HOME and the environment that keeps the CLI quiet and offline. */
export class SfCli {
  private constructor(readonly home: string) {}

  static async create(): Promise<SfCli> {
    sfBinary();
    return new SfCli(await mkdtemp(path.join(os.tmpdir(), 'sfgen-sf-cli-')));
  }

  /** Run `sf ...args` in the sandbox (cwd = its HOME); resolves with the exit code and output. */
  run(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<SfResult> {
    const bin = sfBinary();
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [bin, ...args],
        {
          cwd: this.home,
          timeout: timeoutMs,
          maxBuffer: 32 * 1024 * 1024,
          env: {
            PATH: `${path.join(CLI_DIR, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
            HOME: this.home,
            USERPROFILE: this.home,
            XDG_CONFIG_HOME: path.join(this.home, '.config'),
            XDG_DATA_HOME: path.join(this.home, '.local', 'share'),
            XDG_CACHE_HOME: path.join(this.home, '.cache'),
            SF_DISABLE_TELEMETRY: 'true',
            SF_AUTOUPDATE_DISABLE: 'true',
            SF_SKIP_NEW_VERSION_CHECK: 'true',
            SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
            SF_DISABLE_DNS_CHECK: 'true',
            NO_COLOR: '1',
            FORCE_COLOR: '0',
            ...env,
          },
        },
        (error, stdout, stderr) => {
          if (error && typeof (error as { code?: unknown }).code !== 'number') {
            reject(new Error(`sf ${args.join(' ')} did not run: ${error.message}\n${stderr}`));
            return;
          }
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
        },
      );
    });
  }

  /** Run with `--json` and return the parsed `result`; fails with the CLI's output on a non-zero exit. */
  async json<T = unknown>(args: readonly string[], env: Record<string, string> = {}): Promise<T> {
    const r = await this.run([...args, '--json'], env);
    let parsed: { status?: number; result?: T; message?: string };
    try {
      parsed = JSON.parse(r.stdout) as typeof parsed;
    } catch {
      throw new Error(`sf ${args.join(' ')} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    if (r.code !== 0 || parsed.status !== 0) throw new Error(`sf ${args.join(' ')} failed (exit ${r.code}): ${parsed.message ?? r.stdout}`);
    return parsed.result as T;
  }

  /** `sf org login access-token` with the instance URL as the CLI stores it (trailing slash). */
  async loginAccessToken(instanceUrl: string, token: string, alias: string): Promise<{ username: string; instanceUrl: string }> {
    return this.json(['org', 'login', 'access-token', '--instance-url', `${instanceUrl}/`, '--alias', alias, '--no-prompt'], { SF_ACCESS_TOKEN: token });
  }

  async dispose(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}
