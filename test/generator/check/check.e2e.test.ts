/**
 * End to end over real sockets: generate against the simulator serving the demo org, alter the
 * org (drop a field, remove a restricted picklist value, add an object) and run `sfgen check` as a
 * child process, asserting the exact report and the exit codes (0 no drift, 2 drift, 1 error).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../generator/index.js';
import { SNAPSHOT_FILE } from '../../../generator/model/snapshot.js';
import { startSimulator, type Simulator } from '../../../runtime/simulation/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEMO = join(ROOT, 'test/fixtures/demo-org');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sfgen(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      TSX,
      ['--conditions=sfgen-source', join(ROOT, 'generator/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', SF_INSTANCE_URL: '', SF_ACCESS_TOKEN: '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

interface JsonReport {
  failed: boolean;
  counts: Record<string, number>;
  objectsChecked: number;
  notModified: number;
  changes: Array<{ object: string; field: string | null; kind: string; class: string; before: unknown; after: unknown; message: string }>;
}

// Each CLI child pays tsx start-up (seconds on a loaded 2-core machine): generous timeouts.
describe('sfgen check against the simulator (child process)', { timeout: 240_000 }, () => {
  let sim: Simulator;
  let base: string;
  let out: string;
  let app: string;
  let env: Record<string, string>;
  let objectCount: number;

  beforeAll(async () => {
    // Pub/Sub served too: the demo org's events are discovered and compared over GetTopic/GetSchema.
    sim = await startSimulator({ metadataDir: DEMO, pubsub: {} });
    // Inside the repository (test/**/tmp is ignored by git and tsc) so that the app resolves sfgen/runtime.
    await mkdir(join(ROOT, 'test/generator/check/tmp'), { recursive: true });
    base = await mkdtemp(join(ROOT, 'test/generator/check/tmp/e2e-'));
    out = join(base, 'out');
    app = join(base, 'app');
    await mkdir(app, { recursive: true });
    await writeFile(
      join(app, 'tier.ts'),
      [
        "import type { SalesforceClient } from 'sfgen/runtime';",
        "import { Account } from '../out/sobjects/Account.js';",
        '',
        'export async function promote(client: SalesforceClient, id: string): Promise<void> {',
        "  await client.sobject(Account).update(id, { acme__Tier__c: 'Platinum' });",
        '}',
        '',
      ].join('\n'),
    );
    const caFile = join(base, 'pubsub-ca.pem');
    await writeFile(caFile, sim.pubsub!.caPem!);
    env = {
      SF_INSTANCE_URL: sim.url,
      SF_ACCESS_TOKEN: sim.issueAccessToken(),
      SF_PUBSUB_ENDPOINT: `localhost:${sim.pubsub!.port}`,
      SF_PUBSUB_CA_FILE: caFile,
    };
    const summary = await generate({ cwd: out, out, env, instanceUrl: sim.url, accessToken: env['SF_ACCESS_TOKEN'] });
    objectCount = summary.objects;
  });

  afterAll(async () => {
    await sim?.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('an unchanged org reports no drift and exits 0, every describe answering 304', async () => {
    const lock = JSON.parse(await readFile(join(out, SNAPSHOT_FILE), 'utf8')) as { objects: Record<string, { lastModified: string | null }> };
    expect(Object.values(lock.objects).every((o) => typeof o.lastModified === 'string')).toBe(true);
    sim.resetStats();
    const run = await sfgen(['check', '--out', out, '--no-usage', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.changes).toEqual([]);
    expect(report.failed).toBe(false);
    expect(report.objectsChecked).toBe(objectCount);
    expect(report.notModified).toBe(objectCount);
    // the three events compared over Pub/Sub, their schemas known from the snapshot (no GetSchema)
    expect((report as JsonReport & { eventsChecked: number }).eventsChecked).toBe(3);
    // the version list (GET /services/data/), one global describe + one /composite per 25 objects
    // (+ the org id query), and the Pub/Sub client's one userinfo call for the tenant id its
    // GetTopic calls carry
    expect(sim.stats().requests).toBeLessThanOrEqual(4 + Math.ceil(objectCount / 25));

    const text = await sfgen(['check', '--out', out, '--no-usage'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`no drift — ${objectCount} objects`);
  });

  it('after dropping a field, removing a restricted picklist value and adding an object: exactly those, exit 2', async () => {
    sim.org.removeField('Account', 'Site');
    sim.org.removePicklistValue('Account', 'acme__Tier__c', 'Platinum');
    const project = JSON.parse(await readFile(join(DEMO, 'sobjects/Project__c.json'), 'utf8')) as Record<string, unknown>;
    sim.org.addObject({ ...project, name: 'Invoice__c', label: 'Invoice', labelPlural: 'Invoices', keyPrefix: 'a9Z' } as never);

    const run = await sfgen(['check', '--out', out, '--no-usage', '--json'], env);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.changes.map((c) => [c.object, c.field, c.kind, c.class])).toEqual([
      ['Account', 'Site', 'field-removed', 'breaking'],
      ['Account', 'acme__Tier__c', 'picklist-value-removed', 'breaking'],
      ['Invoice__c', null, 'object-added', 'safe'],
    ]);
    expect(report.changes[1]).toMatchObject({ before: 'Platinum', after: null });
    expect(report.counts).toEqual({ breaking: 2, dangerous: 0, safe: 1 });
    expect(report.notModified).toBe(objectCount - 1); // only Account's describe moved

    const text = await sfgen(['check', '--out', out, '--no-usage'], env);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^Account$/m);
    expect(text.stdout).toContain('✖ breaking');
    expect(text.stdout).toContain('field Account.Site was removed');
    expect(text.stdout).toContain('Objects added (1)');
    expect(text.stdout).toContain('Result: 2 breaking, 0 dangerous, 1 safe — fails (--fail-on breaking)');
    expect(text.stdout).not.toContain('\u001b['); // NO_COLOR

    const gh = await sfgen(['check', '--out', out, '--no-usage', '--format', 'github'], env);
    expect(gh.code).toBe(2);
    const errors = gh.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(2);
    // Not scanned for usage: the annotation points at the field's line in the snapshot.
    const siteLine = (await readFile(join(out, SNAPSHOT_FILE), 'utf8')).split('\n').findIndex((l) => l.startsWith('        "Site": {')) + 1;
    expect(errors[0]).toMatch(new RegExp(`^::error file=[^,]*schema\\.lock\\.json,line=${siteLine},title=sfgen check%3A Account\\.Site \\(breaking\\)::field Account\\.Site was removed`));

    const md = await sfgen(['check', '--out', out, '--no-usage', '--format', 'markdown'], env);
    expect(md.stdout).toContain('### sfgen check: 2 breaking, 0 dangerous, 1 safe');
    expect(md.stdout).toContain('| 🔴 breaking | `Site` |');
  });

  it('usage-aware (--usage-dir): what the code uses stays breaking and points at it; the rest is downgraded', async () => {
    const run = await sfgen(['check', '--out', out, '--usage-dir', app, '--json'], env);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as {
      changes: Array<{ object: string; field: string | null; kind: string; class: string; downgraded: boolean; usage: Array<{ file: string; line: number; column: number; kind: string }> }>;
    };
    expect(report.changes.map((c) => [c.object, c.field, c.kind, c.class, c.downgraded])).toEqual([
      ['Account', 'acme__Tier__c', 'picklist-value-removed', 'breaking', false],
      ['Account', 'Site', 'field-removed', 'dangerous', true],
      ['Invoice__c', null, 'object-added', 'safe', false],
    ]);
    const appFile = relative(ROOT, join(app, 'tier.ts'));
    expect(report.changes[0]?.usage).toEqual([{ file: appFile, line: 5, column: 46, kind: 'update' }]);

    const gh = await sfgen(['check', '--out', out, '--usage-dir', app, '--format', 'github'], env);
    expect(gh.code).toBe(2);
    expect(gh.stdout).toContain(`::error file=${appFile},line=5,col=46,title=sfgen check%3A Account.acme__Tier__c (breaking)::`);
    expect(gh.stdout).toMatch(/::warning file=[^\n]*schema\.lock\.json,line=\d+,title=sfgen check%3A Account\.Site \(dangerous\)::field Account\.Site was removed or is no longer accessible — not used by this codebase/);
  });

  it('--objects restricts the check; --fail-on decides the exit code', async () => {
    const contactOnly = await sfgen(['check', '--out', out, '--no-usage', '--objects', 'Contact'], env);
    expect(contactOnly.code).toBe(0);
    expect(contactOnly.stdout).toContain('no drift — 1 object');

    // A safe change (a label) passes by default and fails with --fail-on safe.
    sim.org.updateField('Contact', 'Title', (f) => ({ ...f, label: 'Job title' }));
    const safeDefault = await sfgen(['check', '--out', out, '--no-usage', '--objects', 'Contact'], env);
    expect(safeDefault.code).toBe(0);
    expect(safeDefault.stdout).toContain('● safe');
    expect(safeDefault.stdout).toContain('label changed from "Title" to "Job title"');
    const safeFails = await sfgen(['check', '--out', out, '--no-usage', '--objects', 'Contact', '--fail-on', 'safe'], env);
    expect(safeFails.code).toBe(2);
    expect(safeFails.stdout).toContain('fails (--fail-on safe)');

    const unknown = await sfgen(['check', '--out', out, '--no-usage', '--objects', 'Nope__c'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Nope__c is not in the snapshot');
  });

  it('a missing, corrupt or newer snapshot, and an unreachable org, are errors (exit 1), never "no drift"', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'sfgen-check-missing-'));
    try {
      const missing = await sfgen(['check', '--out', empty, '--no-usage'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(join(empty, SNAPSHOT_FILE));
      expect(missing.stderr).toContain('run `sfgen generate`');

      const good = await readFile(join(out, SNAPSHOT_FILE), 'utf8');
      await writeFile(join(empty, SNAPSHOT_FILE), good.slice(0, 5000));
      const corrupt = await sfgen(['check', '--out', empty, '--no-usage', '--json'], env);
      expect(corrupt.code).toBe(1);
      expect(JSON.parse(corrupt.stdout)).toMatchObject({ error: { code: 'SNAPSHOT_INVALID_JSON' } });
      expect(corrupt.stderr).toMatch(new RegExp(`${SNAPSHOT_FILE}:\\d+:\\d+: not valid JSON`));

      await writeFile(join(empty, SNAPSHOT_FILE), good.replace('"formatVersion": 1', '"formatVersion": 7'));
      const newer = await sfgen(['check', '--out', empty, '--no-usage'], env);
      expect(newer.code).toBe(1);
      expect(newer.stderr).toContain('upgrade sfgen');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    const unreachable = await sfgen(['check', '--out', out, '--no-usage'], { SF_INSTANCE_URL: 'http://127.0.0.1:9', SF_ACCESS_TOKEN: 'x' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toMatch(/127\.0\.0\.1:9/);
  });
});
