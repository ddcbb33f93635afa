import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSoql, formatDiagnostic, lintPaths, lintSource, type LintDiagnostic } from '../../../generator/lint/index.js';
import { DirectorySource } from '../../../generator/metadata/directory.js';
import { buildModel } from '../../../generator/model/build.js';
import { serializeSnapshot, SNAPSHOT_FILE } from '../../../generator/model/snapshot.js';
import type { OrgModel } from '../../../generator/model/types.js';

const FIXTURES = 'test/generator/lint/fixtures/app';
let model: OrgModel;
/** A directory holding the demo org's snapshot, written for the CLI tests. */
let outDir: string;

beforeAll(async () => {
  // The demo org's model, built as `sfgen generate` builds it (not read from generated/, which
  // another engineer may be regenerating).
  const source = new DirectorySource('test/fixtures/demo-org');
  const names = (await readdir('test/fixtures/demo-org/sobjects')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  model = buildModel({ apiVersion: '60.0', orgId: null, objects: await source.describeSObjects(names), events: [] });
  outDir = await mkdtemp(join(tmpdir(), 'sfgen-lint-'));
  await writeFile(join(outDir, SNAPSHOT_FILE), serializeSnapshot(model, { lastModified: new Map() }));
});

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** 1-based line/column of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
function locate(text: string, needle: string, delta = 0, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} not found`);
  }
  const pos = at + delta;
  const before = text.slice(0, pos).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
}

const lint = (source: string): LintDiagnostic[] => lintSource('inline.ts', source, model, { now: Date.parse('2024-05-08T00:00:00Z') }).diagnostics;

describe('sfgen lint over the fixture codebase', () => {
  it('reports every error at the offending token, and notes for run-time queries', async () => {
    const result = await lintPaths([FIXTURES], model);
    const bad = await readFile(join(FIXTURES, 'bad.ts'), 'utf8');
    const dynamic = await readFile(join(FIXTURES, 'nested/dynamic.ts'), 'utf8');
    const badFile = join(FIXTURES, 'bad.ts');
    const dynFile = join(FIXTURES, 'nested/dynamic.ts');
    const expected: [string, { line: number; column: number }, string, string][] = [
      [badFile, locate(bad, 'Nmae'), 'INVALID_FIELD', "No such column 'Nmae' on entity 'Account'; did you mean 'Name'?"],
      [badFile, locate(bad, 'Acount'), 'INVALID_TYPE', "sObject type 'Acount' is not supported; did you mean 'Account'?"],
      [badFile, locate(bad, 'Ownr'), 'INVALID_FIELD', "Didn't understand relationship 'Ownr' in field path; did you mean 'Owner'?"],
      [badFile, locate(bad, 'Description ='), 'INVALID_FIELD', "field 'Description' can not be filtered in a query call"],
      [badFile, locate(bad, "LIKE '5%'"), 'INVALID_QUERY_FILTER_OPERATOR', "invalid operator LIKE on field 'NumberOfEmployees' of type int: LIKE only works on text fields"],
      [badFile, locate(bad, "INCLUDES ('x')"), 'INVALID_QUERY_FILTER_OPERATOR', "includes or excludes operator only valid on multipicklist field (field 'Name' is string)"],
      [badFile, locate(bad, "'ten'"), 'INVALID_FIELD', "value of filter criterion for field 'NumberOfEmployees' must be of type int and should not be enclosed in quotes"],
      [badFile, locate(bad, 'Description', 0, 1), 'INVALID_FIELD', "field 'Description' can not be sorted in a query call"],
      [badFile, locate(bad, 'Description', 0, 3), 'INVALID_FIELD', "field 'Description' can not be grouped in a query call"],
      [badFile, locate(bad, 'Contactz'), 'INVALID_TYPE', "Didn't understand relationship 'Contactz' in FROM part of query call; did you mean 'Contacts'?"],
      [badFile, locate(bad, 'FORM'), 'MALFORMED_QUERY', "malformed SOQL: expected ',' or FROM, found 'FORM'"],
      [badFile, locate(bad, 'Emial'), 'INVALID_FIELD', "No such column 'Emial' on entity 'User'; did you mean 'Email'?"],
      [badFile, locate(bad, 'Nam ='), 'INVALID_FIELD', "No such column 'Nam' on entity 'Account'; did you mean 'Name'?"],
      [dynFile, locate(dynamic, '`SELECT Id FROM ${'), 'RUNTIME_SOQL', 'cannot check: built at run time (template substitution ${objectName}) in query()'],
      [dynFile, locate(dynamic, "'SELECT Id FROM Account WHERE '"), 'RUNTIME_SOQL', 'cannot check: built at run time (concatenation with where) in query()'],
    ];
    expect(result.diagnostics.map((d) => [d.file, { line: d.line, column: d.column }, d.code, d.message])).toEqual(expected);
    expect(result.errorCount).toBe(13);
    expect(result.noteCount).toBe(2);
    expect(result.files).toBe(4);
  });

  it('finds nothing wrong in the valid queries (every form: soql(), tagged, const folding, concatenation)', async () => {
    const result = await lintPaths([join(FIXTURES, 'good.ts')], model);
    expect(result.diagnostics).toEqual([]);
    expect(result.queries).toBe(9);
  });

  it('formats diagnostics as file:line:col: severity: message', () => {
    expect(formatDiagnostic({ file: 'src/a.ts', line: 3, column: 14, severity: 'error', code: 'INVALID_FIELD', message: 'm' })).toBe('src/a.ts:3:14: error: m');
  });
});

describe('lintSource', () => {
  it('maps columns through escapes in the string literal', () => {
    const src = "client.query('SELECT Id FROM Account WHERE Name = \\'it\\\\\\'s\\' AND Nmae = \\'x\\'');\n";
    const [d] = lint(src);
    expect(d).toMatchObject({ line: 1, ...{ column: locate(src, 'Nmae').column }, code: 'INVALID_FIELD' });
  });

  it('maps columns on later lines of a multi-line template', () => {
    const src = 'await client.query(`\n  SELECT Id\n  FROM Contact\n  WHERE Account.Nme = null`);\n';
    const [d] = lint(src);
    expect(d).toMatchObject({ line: 4, column: 17, code: 'INVALID_FIELD' });
  });

  it('maps errors inside a folded constant to the constant', () => {
    const src = "const F = 'Id, Nam';\nclient.query('SELECT ' + F + ' FROM Account');\n";
    const [d] = lint(src);
    expect(d).toMatchObject({ line: 1, column: 16 });
  });

  it('points a malformed query at the right column, or at the closing quote at the end', () => {
    expect(lint("query('SELECT Id FROM Account WHERE');")[0]).toMatchObject({ line: 1, column: 36, code: 'MALFORMED_QUERY', message: "malformed SOQL: expected a field name, function, NOT or '(', found end of query" });
    expect(lint("query('SELECT Id FROM Account WHERE Name = :n');")[0]?.message).toContain('bind variables are not supported in REST queries');
  });

  it('accepts bind variables in soql() strings and checks around them', () => {
    expect(lint("soql('SELECT Id FROM Account WHERE Name IN :names AND NumberOfEmployees > :n LIMIT :max', {});")).toEqual([]);
    expect(lint("soql('SELECT Id FROM Account WHERE Description = :d', {});")[0]?.message).toBe("field 'Description' can not be filtered in a query call");
  });

  it('checks value types, polymorphic targets and child relationships', () => {
    const cases: [string, string | null][] = [
      ["SELECT Id FROM Account WHERE AnnualRevenue > '5'", "must be of type currency"],
      ['SELECT Id FROM Account WHERE Name = 5', 'must be of type string and should be enclosed in quotes'],
      ['SELECT Id FROM Account WHERE CreatedDate > 2024-01-01', 'must be of type dateTime'],
      ['SELECT Id FROM Account WHERE Is_Key_Account__c = 1', 'must be of type boolean'],
      ['SELECT Id FROM Task WHERE What.Name LIKE \'A%\'', null],
      ['SELECT Id FROM Task WHERE Who.Bogus__c = null', "No such column 'Bogus__c' on entity"],
      ['SELECT TYPEOF What WHEN Account THEN Industry WHEN Opportunity THEN StageName END FROM Task', null],
      ['SELECT TYPEOF What WHEN Account THEN Amount END FROM Task', "No such column 'Amount' on entity 'Account'"],
      ['SELECT Id, (SELECT Id FROM Widgets__r) FROM Account', "Didn't understand relationship 'Widgets__r' in FROM part of query call"],
      ['SELECT Id, (SELECT Id FROM acme__Widgets__r) FROM Account', null],
      ['SELECT Id FROM Attachment WHERE Body != null', "field 'Body' can not be filtered in a query call"],
      ["SELECT Id FROM Account WHERE Regions__c = 'EMEA' AND Regions__c LIKE 'E%'", 'multipicklist'],
    ];
    for (const [soql, message] of cases) {
      const diags = lint(`query(${JSON.stringify(soql)});`);
      if (message === null) expect(diags, soql).toEqual([]);
      else expect(diags[0]?.message, soql).toContain(message);
    }
  });

  it('reports each independent problem of one query', () => {
    const diags = lint("query('SELECT Nme, Phne FROM Account WHERE Industri = null ORDER BY Descripton');");
    expect(diags.map((d) => d.message.split(';')[0])).toEqual([
      "No such column 'Nme' on entity 'Account'",
      "No such column 'Phne' on entity 'Account'",
      "No such column 'Industri' on entity 'Account'",
      "No such column 'Descripton' on entity 'Account'",
    ]);
  });
});

describe('operators the README says lint rejects', () => {
  // Each case fails if its check in the query validator is disabled: the query is otherwise valid.
  it.each([
    ['SELECT Id FROM Account WHERE IsDeleted > false', 'invalid operator > on boolean'],
    ['SELECT Id FROM Account WHERE Is_Key_Account__c < true', 'invalid operator < on boolean'],
    ['SELECT Id FROM Account WHERE IsDeleted >= true', 'invalid operator >= on boolean'],
    ["SELECT Id FROM Account WHERE BillingStreet > 'M'", 'invalid operator > on textarea'],
    ["SELECT Id FROM Account WHERE BillingStreet <= 'M'", 'invalid operator <= on textarea'],
    ["SELECT Id FROM Contact WHERE Account.BillingStreet < 'M'", 'invalid operator < on textarea'],
  ])('%s', (soql, message) => {
    const src = `query(${JSON.stringify(soql)});`;
    const diags = lint(src);
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ code: 'INVALID_QUERY_FILTER_OPERATOR', ...locate(src, /[<>]=?/.exec(soql)![0]) });
    expect(diags[0]?.message).toContain(message);
  });

  it('accepts = and != on booleans and text areas, and < on ordered types', () => {
    expect(lint(`query("SELECT Id FROM Account WHERE IsDeleted = false AND BillingStreet != 'x' AND Name < 'M' AND NumberOfEmployees > 5");`)).toEqual([]);
  });
});

describe('restricted picklist literals (one rule with the builder, binds and checked strings)', () => {
  const errors = (soql: string): string[] => lint(`query(${JSON.stringify(soql)});`).map((d) => `${d.code}: ${d.message}`);

  it('accepts values records can hold, active or inactive, and anything on open picklists', () => {
    expect(errors("SELECT Id FROM Account WHERE acme__Tier__c = 'Gold' OR acme__Tier__c IN ('Silver', 'Legacy')")).toEqual([]);
    expect(errors("SELECT Id FROM acme__Widget__c WHERE acme__Status__c = 'Recalled' AND acme__Category__c = 'Anything at all'")).toEqual([]);
    expect(errors("SELECT Id FROM Account WHERE Industry = 'Space Mining' AND acme__Tier__c LIKE 'Go%'")).toEqual([]);
  });

  it('reports a value no record can hold, at the literal, wherever the field is reached', () => {
    const src = "query(\"SELECT Id FROM Account WHERE acme__Tier__c = 'Diamond'\");";
    expect(lint(src)).toEqual([
      {
        file: 'inline.ts', ...locate(src, "'Diamond'"), severity: 'error', code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        message: "'Diamond' is not a value of the restricted picklist acme__Tier__c (values records can hold: Bronze, Silver, Gold, Platinum, Legacy)",
      },
    ]);
    const cases: [string, string][] = [
      ["SELECT Id FROM Account WHERE acme__Tier__c NOT IN ('Gold', 'gold')", "'gold' is not a value of the restricted picklist acme__Tier__c"],
      ["SELECT Id FROM Contact WHERE Account.acme__Tier__c != 'Diamond'", "'Diamond' is not a value of the restricted picklist Account.acme__Tier__c"],
      ["SELECT Id FROM Account a WHERE a.acme__Tier__c = 'Diamond'", "'Diamond' is not a value of the restricted picklist acme__Tier__c"],
      ["SELECT Id, (SELECT Id FROM acme__Widgets__r WHERE acme__Status__c = 'Gone') FROM Account", "'Gone' is not a value of the restricted picklist acme__Status__c"],
      ["SELECT Id FROM Account WHERE Id IN (SELECT acme__Account__c FROM acme__Widget__c WHERE acme__Status__c = 'Gone')", "'Gone' is not a value of the restricted picklist acme__Status__c"],
    ];
    for (const [soql, message] of cases) {
      const found = errors(soql);
      expect(found, soql).toHaveLength(1);
      expect(found[0], soql).toContain(`INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: ${message}`);
    }
  });

  it('leaves binds to the types (their values are not in the text)', () => {
    expect(lint("soql('SELECT Id FROM Account WHERE acme__Tier__c = :t', {});")).toEqual([]);
  });
});

describe('findSoql', () => {
  it('ignores non-SOQL query() arguments and builder objects, and honours sfgen-lint-ignore', () => {
    const src = [
      "db.query('INSERT INTO t VALUES (1)');",
      'client.query(selectFrom(Account).select("Id"));',
      'client.query(someVariable);',
      "// sfgen-lint-ignore\nclient.query('SELECT Nope FROM Nothing');",
      "client.query('SELECT Id FROM Account');",
    ].join('\n');
    const sites = findSoql('x.ts', src);
    expect(sites.map((s) => (s.kind === 'static' ? s.text : s.reason))).toEqual(['SELECT Id FROM Account']);
  });
});

describe('sfgen lint (CLI)', () => {
  const exec = promisify(execFile);
  const tsx = join('node_modules', '.bin', 'tsx');
  const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await exec(tsx, ['--conditions=sfgen-source', 'generator/cli.ts', 'lint', ...args]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 1 with file:line:col lines on errors, 0 on a clean tree, 1 without a snapshot', async () => {
    const bad = await run(join(FIXTURES, 'bad.ts'), '--out', outDir);
    expect(bad.code).toBe(1);
    expect(bad.stdout.split('\n')[0]).toBe(`${join(FIXTURES, 'bad.ts')}:4:34: error: No such column 'Nmae' on entity 'Account'; did you mean 'Name'?`);
    expect(bad.stderr).toContain('13 errors, 0 notes');

    const good = await run(join(FIXTURES, 'good.ts'), join(FIXTURES, 'nested'), '--json', '--out', outDir);
    expect(good.code).toBe(0);
    const json = JSON.parse(good.stdout) as { errors: number; notes: number; diagnostics: LintDiagnostic[] };
    expect(json.errors).toBe(0);
    expect(json.notes).toBe(2);

    const missing = await run(FIXTURES, '--out', join(FIXTURES, 'nested'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('schema.lock.json');
  });
});

describe('lintSource: one report per place', () => {
  it('reports a problem in a constant used by two calls once', () => {
    const src = "const Q = 'SELECT Nme FROM Account';\nclient.query(Q);\nclient.queryAll(Q);\n";
    expect(lint(src)).toHaveLength(1);
  });
});

describe('collecting files', () => {
  it('walks directories but skips node_modules, dot-directories and sfgen output trees (they hold schema.lock.json)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfgen-lint-walk-'));
    try {
      const bad = "client.query('SELECT Nme FROM Account');\n";
      const { mkdir } = await import('node:fs/promises');
      for (const sub of ['src', 'node_modules/pkg', '.cache', 'out']) await mkdir(join(dir, sub), { recursive: true });
      await writeFile(join(dir, 'src/a.ts'), bad);
      await writeFile(join(dir, 'node_modules/pkg/b.ts'), bad);
      await writeFile(join(dir, '.cache/c.ts'), bad);
      await writeFile(join(dir, 'out/d.ts'), bad);
      await writeFile(join(dir, 'out/schema.lock.json'), '{}');
      await writeFile(join(dir, 'src/types.d.ts'), bad);
      const result = await lintPaths([dir], model);
      expect(result.files).toBe(1);
      expect(result.diagnostics.map((d) => d.file.endsWith(join('src', 'a.ts')))).toEqual([true]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
