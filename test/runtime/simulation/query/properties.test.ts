/**
 * Algebraic properties of WHERE evaluation over random conditions: NOT is the complement, AND the
 * intersection, OR the union, COUNT() the row count, and LIMIT/OFFSET a window of the ordered rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executeQuery } from '../../../../runtime/simulation/query/index.js';
import { makeStore } from './fixture.js';

const store = makeStore();
const NOW = Date.parse('2024-05-08T12:00:00Z');
const ids = (where: string): string[] =>
  (executeQuery(`SELECT Id FROM Account${where ? ` WHERE ${where}` : ''} ORDER BY Id`, store, { includeDeleted: false, apiVersion: '60.0', now: NOW }).records as { Id: string }[]).map((r) => r.Id);
const ALL = ids('');

const text = fc.constantFrom("'Acme'", "'acme'", "'globex'", "'Zed'", 'null');
const comparison = fc.oneof(
  fc.tuple(fc.constantFrom('Name', 'Owner.Name', 'Parent.Name'), fc.constantFrom('=', '!=', '<', '>='), text).map(([f, op, v]) =>
    v === 'null' && op !== '=' && op !== '!=' ? `${f} = null` : `${f} ${op} ${v}`,
  ),
  fc.tuple(fc.constantFrom('=', '!=', '<', '<=', '>', '>='), fc.integer({ min: -1, max: 6000 })).map(([op, n]) => `NumberOfEmployees ${op} ${n}`),
  fc.tuple(fc.constantFrom('IN', 'NOT IN'), fc.subarray(["'Energy'", "'Banking'", 'null', "'Retail'"], { minLength: 1 })).map(([op, vs]) => `Industry ${op} (${vs.join(', ')})`),
  fc.constantFrom('IsActive__c = true', 'IsActive__c = false', "Name LIKE '%e%'", "Name LIKE 'A_me'", "Regions__c INCLUDES ('APAC')", "Regions__c EXCLUDES ('APAC')"),
  fc.constantFrom('CreatedDate = THIS_YEAR', 'CreatedDate > LAST_N_DAYS:2', 'CreatedDate < 2024-05-07T00:00:00Z', 'Founded__c >= 2000-01-01', 'Founded__c = null'),
);
const condition: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small' },
    comparison,
    fc.tuple(tie('c'), tie('c')).map(([a, b]) => `(${a}) AND (${b})`),
    fc.tuple(tie('c'), tie('c')).map(([a, b]) => `(${a}) OR (${b})`),
    tie('c').map((c) => `NOT (${c})`),
  ),
})).c;

describe('WHERE algebra (property)', () => {
  it('NOT, AND, OR behave as complement, intersection and union', () => {
    fc.assert(
      fc.property(condition, condition, (a, b) => {
        const ra = ids(a);
        const rb = ids(b);
        expect(ids(`NOT (${a})`)).toEqual(ALL.filter((id) => !ra.includes(id)));
        expect(ids(`(${a}) AND (${b})`)).toEqual(ra.filter((id) => rb.includes(id)));
        expect(ids(`(${a}) OR (${b})`)).toEqual(ALL.filter((id) => ra.includes(id) || rb.includes(id)));
      }),
      { numRuns: 200 },
    );
  });

  it('COUNT() counts the rows, and LIMIT/OFFSET window the ordered rows', () => {
    fc.assert(
      fc.property(condition, fc.nat(5), fc.nat(5), (c, limit, offset) => {
        const all = ids(c);
        const count = executeQuery(`SELECT COUNT() FROM Account WHERE ${c}`, store, { includeDeleted: false, apiVersion: '60.0', now: NOW });
        expect(count.totalSize).toBe(all.length);
        const page = executeQuery(`SELECT Id FROM Account WHERE ${c} ORDER BY Id LIMIT ${limit} OFFSET ${offset}`, store, { includeDeleted: false, apiVersion: '60.0', now: NOW });
        expect((page.records as { Id: string }[]).map((r) => r.Id)).toEqual(all.slice(offset, offset + limit));
      }),
      { numRuns: 100 },
    );
  });
});
