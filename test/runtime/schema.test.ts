import { describe, expect, it } from 'vitest';
import { FIELD_TYPES, defineSObject } from 'sfgen/runtime';
import { z } from 'zod';

describe('runtime/schema', () => {
  it('lists every field type once', () => {
    expect(new Set(FIELD_TYPES).size).toBe(FIELD_TYPES.length);
    expect(FIELD_TYPES).toContain('address');
  });

  it('defineSObject freezes and names the sObject', () => {
    const t = defineSObject<{
      name: 'X__c'; record: { Id: string }; create: object; update: object;
      kinds: { Id: 'id' }; parents: {}; nullableParents: {}; children: {}; externalIds: never;
    }>(
      { name: 'X__c', label: 'X', keyPrefix: null, queryable: true, createable: true, updateable: true,
        deletable: true, fields: {}, parents: {}, children: {} },
      z.object({ Id: z.string() }),
    );
    expect(t.name).toBe('X__c');
    expect(Object.isFrozen(t)).toBe(true);
  });
});
