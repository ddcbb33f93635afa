/**
 * Where a generated sObject value module imports its validator from: `sfgen/validation` beside the
 * default `sfgen/runtime` (which never loads zod), or a custom `runtimeImport` module itself.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../generator/model/build.js';
import { planFiles, renderFiles } from '../../../generator/emit/plan.js';
import { described, idField, rawField, rawObject } from '../model/raw-builders.js';

function render(runtimeImport: string): string {
  const model = buildModel({
    apiVersion: '60.0',
    orgId: null,
    objects: [described(rawObject('Widget__c', [idField(), rawField('Name', 'string', { length: 80 })]))],
    events: [],
  });
  const files = renderFiles(planFiles(model, { settings: { runtimeImport, command: 'sfgen generate' }, lastModified: new Map(), snapshot: false, warnings: [] }));
  return files.get('sobjects/Widget__c.ts') ?? '';
}

describe('sObject value module imports', () => {
  it('takes the validator from sfgen/validation with the default runtime import', () => {
    const text = render('sfgen/runtime');
    expect(text).toContain("import { recordValidator as $validator } from 'sfgen/validation';");
    expect(text).toMatch(/import \{ defineSObject, sobjectFields as \$decodeFields, type SObjectType, type z \} from 'sfgen\/runtime';/);
  });

  it('takes everything from a custom runtime module', () => {
    const text = render('@acme/sf-runtime');
    expect(text).not.toContain('sfgen/validation');
    expect(text).toMatch(/import \{ defineSObject, recordValidator as \$validator, sobjectFields as \$decodeFields, type SObjectType, type z \} from '@acme\/sf-runtime';/);
  });
});
