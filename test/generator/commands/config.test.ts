/** `resolveConfig`: flags, sfgen.config.json and the environment resolved once, fully defaulted. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, demoOrgDir, resolveConfig } from '../../../generator/config.js';
import { removeDir, tempDir } from './helpers.js';

let root: string;
beforeAll(async () => {
  root = await tempDir('config');
});
afterAll(async () => {
  await removeDir(root);
});

async function project(name: string, config?: unknown): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  if (config !== undefined) await writeFile(path.join(dir, 'sfgen.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

describe('resolveConfig', () => {
  it('defaults everything: demo org, generated/, 60.0, all objects, sfgen/runtime', async () => {
    const cwd = await project('defaults');
    const config = resolveConfig({ cwd }, {});
    expect(config).toMatchObject({
      cwd,
      outDir: path.join(cwd, 'generated'),
      apiVersion: '60.0',
      objects: 'all',
      runtimeImport: 'sfgen/runtime',
      source: { kind: 'demo', dir: demoOrgDir() },
      eventsDir: null,
    });
  });

  it('reads sfgen.config.json relative to the file; flags win', async () => {
    const cwd = await project('file', { outDir: 'src/sf', apiVersion: '61.0', objects: ['Account', 'Contact'], runtimeImport: '@acme/sfgen/runtime', metadataDir: 'meta' });
    expect(resolveConfig({ cwd }, {})).toMatchObject({
      outDir: path.join(cwd, 'src/sf'),
      apiVersion: '61.0',
      objects: ['Account', 'Contact'],
      runtimeImport: '@acme/sfgen/runtime',
      source: { kind: 'directory', dir: path.join(cwd, 'meta') },
    });
    expect(resolveConfig({ cwd, out: 'x', all: true, apiVersion: '59.0', metadataDir: 'other' }, {})).toMatchObject({
      outDir: path.join(cwd, 'x'),
      objects: 'all',
      apiVersion: '59.0',
      source: { kind: 'directory', dir: path.join(cwd, 'other') },
    });
  });

  it('takes org credentials from flags, then the environment', async () => {
    const cwd = await project('org');
    expect(resolveConfig({ cwd, targetOrg: 'dev' }, {}).source).toEqual({ kind: 'org', auth: { kind: 'sfCli', alias: 'dev' } });
    expect(resolveConfig({ cwd }, { SF_INSTANCE_URL: 'https://x.my.salesforce.com', SF_ACCESS_TOKEN: 't' }).source).toEqual({
      kind: 'org',
      auth: { kind: 'token', instanceUrl: 'https://x.my.salesforce.com', accessToken: 't' },
    });
    expect(resolveConfig({ cwd, instanceUrl: 'https://y.my.salesforce.com' }, { SF_ACCESS_TOKEN: 't' }).source).toMatchObject({ auth: { instanceUrl: 'https://y.my.salesforce.com' } });
    expect(resolveConfig({ cwd }, { SF_CLIENT_ID: 'c', SF_USERNAME: 'u@x', SF_JWT_KEY_FILE: 'k.pem' }).source).toEqual({
      kind: 'org',
      auth: { kind: 'jwt', clientId: 'c', username: 'u@x', keyFile: path.join(cwd, 'k.pem'), loginUrl: 'https://login.salesforce.com' },
    });
    // An explicit directory beats credentials in the environment.
    expect(resolveConfig({ cwd, metadataDir: 'm' }, { SF_INSTANCE_URL: 'https://x', SF_ACCESS_TOKEN: 't' }).source.kind).toBe('directory');
  });

  it.each([
    [{ metadataDir: 'm', targetOrg: 'dev' }, /either --metadata-dir or an org/],
    [{ targetOrg: 'dev', instanceUrl: 'https://x' }, /either --target-org or --instance-url/],
    [{ instanceUrl: 'https://x' }, /both an instance URL and an access token/],
    [{ objects: ['A'], all: true }, /mutually exclusive/],
    [{ apiVersion: 'v60' }, /Invalid API version 'v60'/],
  ])('rejects %j', async (flags, message) => {
    const cwd = await project('bad-flags');
    expect(() => resolveConfig({ cwd, ...flags }, {})).toThrow(message);
  });

  it('names the config file and the property at fault', async () => {
    const unknownKey = await project('unknown-key', { outdir: 'x' });
    expect(() => resolveConfig({ cwd: unknownKey }, {})).toThrow(ConfigError);
    expect(() => resolveConfig({ cwd: unknownKey }, {})).toThrow(/Invalid config file .*unknown-key\/sfgen\.config\.json/);
    const badJson = await project('bad-json', '{ "outDir": ');
    expect(() => resolveConfig({ cwd: badJson }, {})).toThrow(/bad-json\/sfgen\.config\.json is not valid JSON/);
    const badType = await project('bad-type', { objects: 'Account' });
    expect(() => resolveConfig({ cwd: badType }, {})).toThrow(/sfgen\.config\.json: objects:/);
    const cwd = await project('missing');
    expect(() => resolveConfig({ cwd, config: 'nope.json' }, {})).toThrow(/Cannot read config file .*nope\.json/);
  });
});
