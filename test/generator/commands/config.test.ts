/** `resolveConfig`: flags, sfgen.config.json and the environment resolved once, fully defaulted. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, sfDefaultTargetOrg } from '../../../generator/config.js';
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
  it('defaults everything but the source: generated/, the newest API version, all objects, sfgen/runtime', async () => {
    const cwd = await project('defaults');
    const config = resolveConfig({ cwd, demo: true }, { HOME: cwd });
    expect(config).toMatchObject({
      cwd,
      outDir: path.join(cwd, 'generated'),
      apiVersion: null,
      objects: 'all',
      runtimeImport: 'sfgen/runtime',
      source: { kind: 'demo' },
      eventsDir: null,
    });
  });

  it('never falls back to the demo org: with no source it fails listing the ways to name an org', async () => {
    const cwd = await project('no-source');
    const attempt = () => resolveConfig({ cwd }, { HOME: cwd });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/No org to read/);
    for (const way of ['--target-org', 'SF_ACCESS_TOKEN', 'SF_JWT_KEY_FILE', 'SF_CLIENT_SECRET', 'SF_REFRESH_TOKEN', '--metadata-dir', '--demo', 'sf config set target-org']) {
      expect(attempt).toThrow(way);
    }
  });

  it("uses the Salesforce CLI's default target org: SF_TARGET_ORG, the project's .sf/config.json, then the global one", async () => {
    const home = await project('sf-home');
    await mkdir(path.join(home, '.sf'), { recursive: true });
    await writeFile(path.join(home, '.sf', 'config.json'), JSON.stringify({ 'target-org': 'global-org' }));
    const proj = await project('sf-project');
    const nested = path.join(proj, 'src', 'app');
    await mkdir(nested, { recursive: true });
    expect(resolveConfig({ cwd: nested }, { HOME: home }).source).toEqual({ kind: 'org', auth: { kind: 'sfCli', alias: 'global-org' } });
    await mkdir(path.join(proj, '.sf'), { recursive: true });
    await writeFile(path.join(proj, '.sf', 'config.json'), JSON.stringify({ 'target-org': 'project-org' }));
    expect(sfDefaultTargetOrg(nested, { HOME: home })).toBe('project-org');
    expect(sfDefaultTargetOrg(nested, { HOME: home, SF_TARGET_ORG: 'env-org' })).toBe('env-org');
    // The legacy sfdx config is read too.
    const legacy = await project('sfdx-project');
    await mkdir(path.join(legacy, '.sfdx'), { recursive: true });
    await writeFile(path.join(legacy, '.sfdx', 'sfdx-config.json'), JSON.stringify({ defaultusername: 'old@x' }));
    expect(sfDefaultTargetOrg(legacy, { HOME: legacy })).toBe('old@x');
    // A metadataDir in the config file wins over the CLI's default org.
    const withFile = await project('sf-file', { metadataDir: 'meta' });
    expect(resolveConfig({ cwd: withFile }, { HOME: home }).source.kind).toBe('directory');
  });

  it.each([
    [{ SF_INSTANCE_URL: 'https://x.my.salesforce.com' }, /SF_INSTANCE_URL is set but no way to log in is/],
    [{ SF_ACCESS_TOKEN: 't' }, /An access token needs SF_INSTANCE_URL \+ SF_ACCESS_TOKEN: SF_ACCESS_TOKEN is set but SF_INSTANCE_URL is not/],
    [{ SF_CLIENT_ID: 'c', SF_USERNAME: 'u@x' }, /JWT bearer login needs .*SF_JWT_KEY_FILE is not/],
    [{ SF_USERNAME: 'u@x', SF_JWT_KEY_FILE: 'k.pem' }, /JWT bearer login needs .*SF_CLIENT_ID is not/],
    [{ SF_CLIENT_SECRET: 's' }, /client-credentials login needs .*SF_CLIENT_ID is not/],
    [{ SF_CLIENT_ID: 'c', SF_CLIENT_SECRET: 's' }, /My Domain URL in SF_LOGIN_URL/],
    [{ SF_REFRESH_TOKEN: 'r' }, /refresh-token login needs .*SF_CLIENT_ID is not/],
    [{ SF_CLIENT_ID: 'c' }, /SF_CLIENT_ID is set but no way to log in is/],
  ])('a half-configured environment %j names what is missing', async (env, message) => {
    const cwd = await project('half-env');
    expect(() => resolveConfig({ cwd }, { HOME: cwd, ...env })).toThrow(message);
  });

  it('reads client-credentials and refresh-token logins from the environment', async () => {
    const cwd = await project('env-logins');
    expect(resolveConfig({ cwd }, { HOME: cwd, SF_CLIENT_ID: 'c', SF_CLIENT_SECRET: 's', SF_LOGIN_URL: 'https://acme.my.salesforce.com' }).source).toEqual({
      kind: 'org',
      auth: { kind: 'clientCredentials', clientId: 'c', clientSecret: 's', loginUrl: 'https://acme.my.salesforce.com' },
    });
    expect(resolveConfig({ cwd }, { HOME: cwd, SF_CLIENT_ID: 'c', SF_REFRESH_TOKEN: 'r', SF_INSTANCE_URL: 'https://acme.my.salesforce.com' }).source).toEqual({
      kind: 'org',
      auth: { kind: 'refreshToken', clientId: 'c', refreshToken: 'r', loginUrl: 'https://acme.my.salesforce.com' },
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
    [{ metadataDir: 'm', targetOrg: 'dev' }, /Name one source, not --metadata-dir and --target-org/],
    [{ targetOrg: 'dev', instanceUrl: 'https://x' }, /Name one source, not --target-org and --instance-url/],
    [{ demo: true, metadataDir: 'm' }, /Name one source, not --metadata-dir and --demo/],
    [{ instanceUrl: 'https://x' }, /--instance-url needs an access token/],
    [{ objects: ['A'], all: true }, /mutually exclusive/],
    [{ apiVersion: 'v60' }, /Invalid API version 'v60'/],
  ])('rejects %j', async (flags, message) => {
    const cwd = await project('bad-flags');
    expect(() => resolveConfig({ cwd, ...flags }, { HOME: cwd })).toThrow(message);
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
