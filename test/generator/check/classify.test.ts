/**
 * Usage-aware classification over the fixture codebase (test/fixtures/drift/usage-app): changes the
 * code relies on keep their class and point at the code; the rest are downgraded one class.
 * Also the report renderers over the same result.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../../generator/check/changes.js';
import { applyUsage, sortChanges } from '../../../generator/check/classify.js';
import { diffModels } from '../../../generator/check/diff.js';
import type { CheckResult } from '../../../generator/check/index.js';
import { renderGithub, renderJson, renderMarkdown, renderText, useColor } from '../../../generator/check/report.js';
import { scanUsage, type UsageIndex } from '../../../generator/check/usage.js';
import type { ObjectModel } from '../../../generator/model/types.js';
import { field, picklist, reference, usageAppModels, withField } from '../model/model-helpers.js';

const APP = 'test/fixtures/drift/usage-app';

function afterModels(before: ObjectModel[]): Map<string, ObjectModel> {
  const [account, contact, user] = before as [ObjectModel, ObjectModel, ObjectModel];
  let a = account;
  a = withField(a, 'Industry', (f) => ({ ...f, picklist: picklist(['Energy', 'Retail'], true) })); // Banking removed, Retail added
  a = withField(a, 'Phone', () => null); // never used
  a = withField(a, 'AnnualRevenue', (f) => ({ ...f, filterable: false })); // used in WHERE
  a = withField(a, 'Rating', (f) => ({ ...f, sortable: false })); // used in ORDER BY
  a = withField(a, 'Description', (f) => ({ ...f, groupable: false })); // never grouped
  a = withField(a, 'OwnerId', (f) => ({ ...f, reference: reference(['User'], 'Proprietor') })); // Owner.Name used
  a = { ...a, fields: [...a.fields, field('Region__c', { nillable: false, requiredOnCreate: true })] }; // Account is created
  a = { ...a, childRelationships: [{ ...a.childRelationships[0]!, relationshipName: 'People' }] }; // subquery used
  let c = contact;
  c = withField(c, 'Email', (f) => ({ ...f, updateable: false })); // updated in app.ts
  c = withField(c, 'Title', (f) => ({ ...f, createable: false })); // only read
  c = { ...c, deletable: false, fields: [...c.fields, field('Code__c', { nillable: false, requiredOnCreate: true })] }; // deleted; never created
  return new Map([['Account', a], ['Contact', c], ['User', user]]);
}

function row(c: Change): string {
  return `${c.class}${c.downgraded ? ` (was ${c.baseClass})` : ''} ${c.object}.${c.field ?? '*'} ${c.kind}${c.usage.length ? ` @ ${c.usage.map((s) => `${s.file.replace(`${APP}/`, '')}:${s.line}:${s.column}`).join(' ')}` : ''}`;
}

describe('applyUsage over the fixture codebase', () => {
  let usage: UsageIndex;
  let changes: Change[];
  beforeAll(() => {
    const models = usageAppModels();
    usage = scanUsage({ dir: `${APP}/src`, generatedDir: `${APP}/generated`, objects: models });
    changes = sortChanges(applyUsage(diffModels(models, afterModels(models), [], null, {}), usage));
  });

  it('keeps what the code relies on, downgrades the rest, and points at the code', () => {
    expect(changes.map(row)).toEqual([
      'breaking Account.* child-relationship-renamed @ src/app.ts:30:55',
      'breaking Account.AnnualRevenue field-not-filterable @ src/app.ts:30:84',
      'breaking Account.Industry picklist-value-removed @ src/app.ts:9:69 src/app.ts:20:3 src/app.ts:20:13',
      'breaking Account.OwnerId relationship-renamed @ src/app.ts:30:21',
      'breaking Account.Rating field-not-sortable @ src/app.ts:30:113',
      'breaking Account.Region__c field-added-required @ src/app.ts:9:48 src/app.ts:9:55 src/app.ts:9:57 src/app.ts:9:69 src/app.ts:16:10 src/app.ts:16:12 src/app.ts:16:24',
      'dangerous (was breaking) Account.Description field-not-groupable',
      'dangerous Account.Industry picklist-value-added @ src/app.ts:20:3',
      'dangerous (was breaking) Account.Phone field-removed',
      'breaking Contact.* object-not-deletable @ src/other.ts:16:33',
      'breaking Contact.Email field-not-updateable @ src/app.ts:10:64',
      'dangerous (was breaking) Contact.Code__c field-added-required',
      'dangerous (was breaking) Contact.Title field-not-createable',
    ]);
  });

  it('without a scan nothing is downgraded', () => {
    const models = usageAppModels();
    const plain = applyUsage(diffModels(models, afterModels(models), [], null, {}), null);
    expect(plain.every((c) => c.class === c.baseClass && !c.downgraded && c.usage.length === 0)).toBe(true);
  });

  it('a switch with a default clause does not make an added value dangerous', () => {
    const models = usageAppModels();
    const contact = withField(models[1]!, 'Title', (f) => ({ ...f, type: 'picklist', picklist: picklist(['CEO'], true) }));
    const contactAfter = withField(contact, 'Title', (f) => ({ ...f, picklist: picklist(['CEO', 'CTO'], true) }));
    const [added] = applyUsage(diffModels([contact], new Map([['Contact', contactAfter]]), [], null, {}), usage);
    expect(added).toMatchObject({ kind: 'picklist-value-added', baseClass: 'dangerous', class: 'safe', downgraded: true });
  });

  describe('reports', () => {
    let result: CheckResult;
    beforeAll(() => {
      const counts = { breaking: 0, dangerous: 0, safe: 0 };
      for (const c of changes) counts[c.class]++;
      result = {
        snapshotFile: `${APP}/generated/schema.lock.json`,
        snapshotVersion: '0.1.0',
        source: 'metadata directory fixtures',
        apiVersion: '60.0',
        objectsChecked: 3,
        notModified: 1,
        eventsChecked: 0,
        requests: 3,
        durationMs: 1234,
        usage: { scanned: true, target: `${APP}/src`, files: usage.files, sites: usage.sites.length, unparsedSoql: [] },
        notes: [],
        changes,
        counts,
        failOn: 'breaking',
        failed: true,
      };
    });

    it('text: grouped by object, worst first, with usage and downgrade notes; colour only when asked', () => {
      const text = renderText(result, { color: false });
      expect(text).toContain('sfgen check: 13 changes against');
      expect(text.indexOf('\nAccount\n')).toBeLessThan(text.indexOf('\nContact\n'));
      expect(text).toMatch(/✖ breaking +AnnualRevenue +field Account\.AnnualRevenue is no longer filterable\n +used at test\/fixtures\/drift\/usage-app\/src\/app\.ts:30:84 \(filter\)/);
      expect(text).toContain('not used by this codebase (downgraded from breaking)');
      expect(text).toContain('Result: 8 breaking, 5 dangerous, 0 safe — fails (--fail-on breaking)');
      expect(text).not.toContain('\u001b[');
      expect(renderText(result, { color: true })).toContain('\u001b[31m');
    });

    it('useColor honours TTY, NO_COLOR and FORCE_COLOR', () => {
      expect(useColor({ isTTY: true }, {})).toBe(true);
      expect(useColor({ isTTY: false }, {})).toBe(false);
      expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
      expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    });

    it('github: ::error at the code using a breaking change, ::warning for dangerous, escaped', () => {
      const lines = renderGithub(result).trimEnd().split('\n');
      expect(lines).toContain(
        `::error file=${APP}/src/app.ts,line=30,col=84,title=sfgen check%3A Account.AnnualRevenue (breaking)::field Account.AnnualRevenue is no longer filterable (used here: filter)`,
      );
      expect(lines).toContain(
        `::warning file=${APP}/src/app.ts,line=20,col=3,title=sfgen check%3A Account.Industry (dangerous)::restricted picklist Account.Industry: value "Retail" was added; an exhaustive switch over Industry misses it (used here: exhaustive switch)`,
      );
      expect(lines.find((l) => l.includes('Account.Phone'))).toMatch(/^::warning file=test\/fixtures\/drift\/usage-app\/generated\/schema\.lock\.json,title=.*not used by this codebase/);
      expect(lines.at(-1)).toBe('::notice title=sfgen check::8 breaking, 5 dangerous, 0 safe — fails (--fail-on breaking)');
    });

    it('markdown: a table per object for a PR comment', () => {
      const md = renderMarkdown(result);
      expect(md).toContain('### sfgen check: 8 breaking, 5 dangerous, 0 safe');
      expect(md).toContain('#### `Account`');
      expect(md).toContain('| 🔴 breaking | `AnnualRevenue` | field Account.AnnualRevenue is no longer filterable | `test/fixtures/drift/usage-app/src/app.ts:30:84` |');
      expect(md).toContain('| 🟠 dangerous | `Phone` | field Account.Phone was removed or is no longer accessible | _not used by this codebase (downgraded from breaking)_ |');
    });

    it('json: one document with counts and every change', () => {
      const doc = JSON.parse(renderJson(result)) as { failed: boolean; counts: unknown; changes: Array<{ kind: string; usage: unknown[] }> };
      expect(doc.failed).toBe(true);
      expect(doc.counts).toEqual({ breaking: 8, dangerous: 5, safe: 0 });
      expect(doc.changes).toHaveLength(13);
      expect(doc.changes[1]).toMatchObject({ kind: 'field-not-filterable', usage: [{ file: `${APP}/src/app.ts`, line: 30, column: 84, kind: 'filter' }] });
    });
  });
});
