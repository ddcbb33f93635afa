/**
 * Identifier hazards: reserved words and prototype members as field names, object names that
 * collide with imported helpers or are reserved words, hostile picklist values and labels. The
 * emitted modules must be valid, collision-free TypeScript (checked with tsc under strict).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../generator/model/build.js';
import { objectIdentifiers, importNames, declaredNames } from '../../../generator/emit/identifiers.js';
import { planFiles, renderFiles } from '../../../generator/emit/plan.js';
import { str } from '../../../generator/emit/ts.js';
import { escapeComment } from '../../../generator/emit/jsdoc.js';
import { described, idField, pv, rawField, rawObject } from '../model/raw-builders.js';
import { removeDir, tempDir, typecheck } from '../commands/helpers.js';

const hostileValues = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'null', "It's", 'C:\\temp', '${x}', 'end */ comment', 'line\u2028sep', '日本語', 'A, B & "C"', '`tick`'];

function hostileFields() {
  return [
    idField(),
    ...['Delete__c', 'Class__c', 'Enum__c', 'Await__c', 'constructor', 'toString__c', 'hasOwnProperty__c', 'Attributes__c', 'Name', 'Name__c', 'Owner__r', 'X2nd_Address__c'].map((n) =>
      rawField(n, 'string', { length: 10, label: `Label of ${n} */ with 重量 (kg)`, inlineHelpText: 'Help */ @param x\nsecond line' }),
    ),
    rawField('Hostile__c', 'picklist', { restrictedPicklist: true, picklistValues: hostileValues.map((v) => pv(v)) }),
    rawField('Hostile_Open__c', 'picklist', { picklistValues: hostileValues.map((v) => pv(v)) }),
    rawField('Hostile_Multi__c', 'multipicklist', { restrictedPicklist: true, picklistValues: hostileValues.filter((v) => !v.includes(';')).map((v) => pv(v)) }),
    rawField('When__c', 'date'),
    rawField('Parent__c', 'reference', { referenceTo: ['Quirk__c'], relationshipName: 'Parent__r' }),
    rawField('Outside__c', 'reference', { referenceTo: ['NotGenerated__c'], relationshipName: 'Outside__r' }),
  ];
}

const objectNames = ['Quirk__c', 'SObjectMeta', 'SfDate', 'z', 'defineSObject', 'SObjectType', 'class', 'Object', 'Record', 'Event', 'Name'];

describe('identifiers', () => {
  it('derives names from the object API name only', () => {
    expect(objectIdentifiers('acme__Widget__c')).toMatchObject({ record: 'acme__Widget__c', create: 'acme__Widget__cCreate', meta: 'acme__Widget__cMeta', validator: 'acme__Widget__cValidator' });
  });

  it('prefixes reserved words with $ and aliases colliding imports with $', () => {
    expect(objectIdentifiers('class').record).toBe('$class');
    expect(objectIdentifiers('class').create).toBe('classCreate');
    const local = importNames(['SfDate', 'z', 'SObjectMeta'] as const, declaredNames(objectIdentifiers('SfDate')));
    expect(local).toEqual({ SfDate: '$SfDate', z: 'z', SObjectMeta: 'SObjectMeta' });
  });

  it('rejects object names that are not identifiers', () => {
    expect(() => objectIdentifiers('Bad-Name')).toThrow(/not an ASCII identifier/);
  });

  it('quotes any text as a string literal and escapes comment closers', () => {
    for (const value of hostileValues) expect(new Function(`return ${str(value)};`)()).toBe(value);
    expect(escapeComment('a */ b @tag')).toBe('a *\\/ b \\@tag');
  });
});

describe('hostile org compiles', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('hostile');
  });
  afterAll(async () => {
    await removeDir(root);
  });

  it('emits valid, collision-free TypeScript (tsc strict)', async () => {
    const model = buildModel({
      apiVersion: '60.0',
      orgId: null,
      objects: objectNames.map((name) => described(rawObject(name, hostileFields(), { label: `${name} */ label` }))),
      events: [],
    });
    const files = renderFiles(planFiles(model, { settings: { runtimeImport: 'sfgen/runtime', command: 'sfgen generate' }, lastModified: new Map(), snapshot: false, warnings: [] }));
    const out = path.join(root, 'out');
    for (const [rel, content] of files) {
      await mkdir(path.dirname(path.join(out, rel)), { recursive: true });
      await writeFile(path.join(out, rel), content);
    }
    expect(files.get('types/SfDate.d.ts')).toContain("import type { SObjectMeta, SfDate as $SfDate } from 'sfgen/runtime';");
    expect(files.get('sobjects/z.ts')).toMatch(/import \{ [^}]*type z as \$z \} from 'sfgen\/runtime';/);
    expect(files.get('types/class.d.ts')).toContain('export interface $class {');
    expect(files.get('sobjects/Quirk__c.ts')).not.toContain("'../types/NotGenerated__c.js'");
    expect(files.get('types/Quirk__c.d.ts')).toContain("readonly 'Outside__r': 'NotGenerated__c';");
    // A tiny app using the hostile objects' runtime values.
    await writeFile(
      path.join(root, 'app.ts'),
      [
        "import { Quirk__c, Quirk__cValidator } from './out/sobjects/Quirk__c.js';",
        "import { $class } from './out/sobjects/class.js';",
        "import type { Quirk__cCreate } from './out/types/Quirk__c.js';",
        "const ok: Quirk__cCreate = { Hostile__c: '__proto__', constructor: 'x', Attributes__c: 'a' };",
        "// @ts-expect-error not a value of the restricted picklist",
        "const bad: Quirk__cCreate = { Hostile__c: 'proto' };",
        "import type { z } from 'sfgen/runtime';",
        "import type { Quirk__c as QuirkRecord } from './out/types/Quirk__c.js';",
        'const validator: z.ZodType<QuirkRecord> = Quirk__cValidator;',
        "// @ts-expect-error the validator is typed by Quirk__c's record, not by another shape",
        'const wrong: z.ZodType<{ Hostile__c: number }> = Quirk__cValidator;',
        'export const used = [ok, bad, Quirk__c.name, $class.name, validator, wrong];',
        '',
      ].join('\n'),
    );
    const result = await typecheck(root, { strict: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, skipLibCheck: false }, ['app.ts']);
    expect(result.output).toBe('');
  }, 300_000);

  it('validators accept hostile values and reject others at run time', async () => {
    const mod = (await import(path.join(root, 'out', 'sobjects', 'Quirk__c.ts'))) as { Quirk__cValidator: { safeParse(v: unknown): { success: boolean } }; Quirk__c: { descriptor: { fields: Record<string, { picklist?: { values: string[] } }> } } };
    const record = Object.fromEntries(hostileFields().map((f) => [f.name, f.type === 'id' ? '001000000000001AAA' : null]));
    expect(mod.Quirk__cValidator.safeParse({ ...record, Hostile__c: '__proto__', Hostile_Multi__c: 'constructor;日本語', attributes: { type: 'Quirk__c' } }).success).toBe(true);
    expect(mod.Quirk__cValidator.safeParse({ ...record, Hostile__c: 'nope' }).success).toBe(false);
    expect(mod.Quirk__cValidator.safeParse({ ...record, Hostile_Multi__c: 'constructor;nope' }).success).toBe(false);
    expect(mod.Quirk__cValidator.safeParse({ ...record, Delete__c: 'x'.repeat(11) }).success).toBe(false);
    expect(mod.Quirk__c.descriptor.fields['Hostile__c']?.picklist?.values).toEqual(hostileValues);
    expect(Object.isFrozen(mod.Quirk__c)).toBe(true);
  });
});
