/**
 * Values are injection-safe by construction: for arbitrary values, the compiled query parses back
 * (with the project's SOQL parser) into exactly the tree that was built, and every value
 * round-trips. No value can add a clause, a condition or a field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectFrom } from '../../../runtime/soql/builder.js';
import { soqlIn } from '../../../runtime/soql/checked.js';
import { parseSoql } from '../../../runtime/soql/parser.js';
import { like, soqlDate, soqlDateTime } from '../../../runtime/soql/values.js';
import type { FixtureRegistry } from './fixtures/registry.js';
import { Account } from './fixtures/sobjects.js';

const soql = soqlIn<FixtureRegistry>();

/** Strings rich in what breaks naive escaping, mixed with arbitrary Unicode. */
const hostile = fc.oneof(
  fc.string({
    unit: fc.constantFrom("'", '"', '\\', '%', '_', '\n', '\r', '\t', '\b', '\f', ' ', ')', '(', ',', ':x', 'OR', 'AND',
      ' FROM User', '--', '/*', '\u0000', '\u0001', '\u007f', '\u2028', '日', '😀', 'a', '\\u0027', "\\'"),
    maxLength: 30,
  }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'span' || k === 'segmentSpans' || k === 'operatorSpan' || k === 'raw') continue;
      out[k] = strip(v);
    }
    return out;
  }
  return value;
}

/** The parser's representation of a LIKE pattern: `\\` decoded, `\%` and `\_` kept. */
function parsedLikeValue(pattern: string): string {
  return pattern.replace(/\\(.)/g, (_m, c: string) => (c === '\\' ? '\\' : `\\${c}`));
}

describe('no value can change the structure of a query', () => {
  it('builder: =, IN and LIKE values round-trip and the tree is unchanged', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (a, b, c) => {
        const q = selectFrom(Account)
          .select('Id', 'Name')
          .where('Name', '=', a)
          .where('Description', 'IN', [b, c])
          .where('Name', 'LIKE', like.contains(c))
          .limit(1);
        const parsed = parseSoql(q.toSoql());
        expect(strip(parsed)).toEqual(
          strip({ ...q.node, where: { ...q.node.where, conditions: q.node.where?.kind === 'and' ? q.node.where.conditions.map((cond, i) => (i === 2 && cond.kind === 'comparison' && cond.right.kind === 'string' ? { ...cond, right: { ...cond.right, value: parsedLikeValue(cond.right.value) } } : cond)) : [] } }),
        );
        const where = parsed.where;
        if (where?.kind !== 'and') throw new Error('expected AND');
        const [eq, inList, likeCond] = where.conditions;
        expect(eq).toMatchObject({ kind: 'comparison', operator: '=', right: { kind: 'string', value: a } });
        expect(inList).toMatchObject({ operator: 'IN', right: { kind: 'list', values: [{ value: b }, { value: c }] } });
        expect(likeCond).toMatchObject({ operator: 'LIKE' });
        expect(parsed.limit).toBe(1);
        expect(parsed.select).toHaveLength(2);
      }),
      { numRuns: 500 },
    );
  });

  it('checked strings: bind values round-trip and the tree is unchanged', () => {
    fc.assert(
      fc.property(hostile, fc.array(hostile, { minLength: 1, maxLength: 3 }), (a, list) => {
        const q = soql('SELECT Id FROM Account WHERE Name = :a AND Description IN :list LIMIT 2', { a, list });
        const parsed = parseSoql(q.toSoql());
        expect(strip(parsed)).toEqual(
          strip({
            kind: 'select',
            select: [{ kind: 'selectExpr', expr: { kind: 'field', path: ['Id'] } }],
            from: { kind: 'from', object: 'Account' },
            where: {
              kind: 'and',
              conditions: [
                { kind: 'comparison', left: { kind: 'field', path: ['Name'] }, operator: '=', right: { kind: 'string', value: a } },
                {
                  kind: 'comparison',
                  left: { kind: 'field', path: ['Description'] },
                  operator: 'IN',
                  right: { kind: 'list', values: list.map((value) => ({ kind: 'string', value })) },
                },
              ],
            },
            limit: 2,
          }),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('numbers, dates and datetimes round-trip', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }),
        (n, d) => {
          const q = selectFrom(Account)
            .select('Id')
            .where('AnnualRevenue', '=', n)
            .where('CreatedDate', '>', d)
            .where('CreatedDate', '<', soqlDateTime(d));
          const parsed = parseSoql(q.toSoql());
          if (parsed.where?.kind !== 'and') throw new Error('expected AND');
          const [num, dt, dt2] = parsed.where.conditions;
          expect(num).toMatchObject({ right: { kind: 'number', value: Object.is(n, -0) ? 0 : n } });
          expect(dt).toMatchObject({ right: { kind: 'datetime' } });
          expect(dt2).toMatchObject({ right: { kind: 'datetime' } });
          const written = (dt as { right: { value: string } }).right.value;
          expect(new Date(written).getTime()).toBe(d.getTime());
          expect(soqlDate(d).value).toBe(d.toISOString().slice(0, 10));
        },
      ),
      { numRuns: 300 },
    );
  });
});
