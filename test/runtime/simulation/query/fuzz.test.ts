/**
 * Robustness over the demo org: random queries (fields, parent paths, functions, operators and
 * literals of every kind, ordering, grouping) either answer rows or fail with a SoqlError carrying
 * a Salesforce error code, never with an internal exception; and whatever parses re-parses.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMetadataDir } from '../../../../runtime/simulation/loader.js';
import { SimOrg } from '../../../../runtime/simulation/store.js';
import { executeQuery, SoqlError } from '../../../../runtime/simulation/query/index.js';

let org: SimOrg;
let objects: { name: string; fields: string[]; parents: string[]; types: Map<string, string> }[];

/** A literal that fits a field type (so that a good share of the random queries is valid). */
function fitting(type: string | undefined): string {
  switch (type) {
    case 'int': case 'double': case 'currency': case 'percent': case 'long': return '10';
    case 'boolean': return 'TRUE';
    case 'date': return 'LAST_N_DAYS:400';
    case 'datetime': return '2024-01-01T00:00:00Z';
    case 'id': case 'reference': return 'NULL';
    default: return "'a'";
  }
}

beforeAll(async () => {
  const loaded = await loadMetadataDir('test/fixtures/demo-org');
  org = new SimOrg(loaded, { orgLastModified: new Date('2024-01-01T00:00:00Z'), defaultUserId: '005000000000001AAA', now: () => Date.parse('2024-06-01T00:00:00Z') });
  objects = org
    .objectNames()
    .map((name) => org.describe(name))
    .filter((d): d is NonNullable<typeof d> => d !== undefined && d.queryable && org.records(d.name).length > 0)
    .map((d) => ({
      name: d.name,
      fields: d.fields.map((f) => f.name),
      parents: d.fields.filter((f) => f.relationshipName && f.referenceTo.length === 1).map((f) => `${f.relationshipName}.Id`),
      types: new Map(d.fields.map((f) => [f.name, f.type])),
    }));
});

const literal = fc.oneof(
  fc.constantFrom("'x'", "'Energy'", '42', '-1.5', 'TRUE', 'FALSE', 'NULL', 'TODAY', 'LAST_N_DAYS:30', '2024-01-01', '2024-01-01T00:00:00Z', "'001000000000000AAA'", 'USD10'),
);
const op = fc.constantFrom('=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN', 'INCLUDES', 'EXCLUDES');

describe('random queries over the demo org', () => {
  it('answer rows or a SoqlError, never an internal error', () => {
    let answered = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.option(fc.tuple(fc.nat(), op, fc.option(literal, { nil: undefined, freq: 1 }), fc.boolean()), { nil: undefined }),
        fc.option(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { nil: undefined }),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom('COUNT', 'MAX', 'MIN', 'SUM', 'COUNT_DISTINCT', 'CALENDAR_YEAR', 'toLabel', 'FORMAT')), { nil: undefined }),
        (o, picks, where, order, fn) => {
          const obj = objects[o % objects.length];
          if (obj === undefined) return;
          const pool = [...obj.fields, ...obj.parents];
          const pick = (i: number): string => pool[i % pool.length] as string;
          const select = [...new Set(picks.map(pick))];
          let soql: string;
          let groupBy = '';
          if (fn) {
            const f = pick(fn[0]);
            soql = `SELECT ${f}, ${fn[1]}(${f}) FROM ${obj.name}`;
            groupBy = ` GROUP BY ${f}`;
          } else {
            soql = `SELECT ${select.join(', ')} FROM ${obj.name}`;
          }
          if (where) {
            const [fi, operator, random, negate] = where;
            const value = random ?? fitting(obj.types.get(pick(fi)));
            const rhs = ['IN', 'NOT IN', 'INCLUDES', 'EXCLUDES'].includes(operator) ? `(${value})` : value;
            soql += ` WHERE ${negate ? 'NOT ' : ''}${pick(fi)} ${operator} ${rhs}`;
          }
          soql += groupBy;
          if (order) soql += ` ORDER BY ${pick(order[0])} ${order[1] ? 'DESC' : 'ASC'} NULLS ${order[2] ? 'FIRST' : 'LAST'}`;
          soql += ' LIMIT 20';
          try {
            const result = executeQuery(soql, org, { includeDeleted: false, apiVersion: '60.0' });
            expect(result.records.length).toBeLessThanOrEqual(20);
            answered++;
          } catch (error) {
            if (!(error instanceof SoqlError)) throw new Error(`${soql}: ${String(error)}`);
            expect(['MALFORMED_QUERY', 'INVALID_FIELD', 'INVALID_TYPE', 'INVALID_QUERY_FILTER_OPERATOR']).toContain(error.errorCode);
            refused++;
          }
        },
      ),
      { numRuns: 1500 },
    );
    // the generator exercises both paths substantially
    expect(answered).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(150);
  });
});
