/**
 * The insert fast path of a Bulk API job (columns checked one by one, records stored through an
 * inserter of the row's layout) against the general path it bypasses (a row as an input object,
 * validateWrite, createRecord): the same outcome for every row (the same sf__Error text for a
 * failed one) and the same stored record, key for key in the same order. Rows carry every case
 * the fast path must hand over: empty cells, `#N/A`, bad numbers, dates and booleans, invalid
 * email, restricted picklist, too-long text, a read-only column, required fields missing or null,
 * references that exist or not, and rows shorter than the header.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_ORG_DIR, startSimulator, type Simulator } from 'sfgen/simulator';
import { RowApplier } from '../../../../runtime/simulation/bulk/ingest.js';

const HEADER = ['Name', 'Phone', 'Website', 'Industry', 'acme__Tier__c', 'AnnualRevenue', 'NumberOfEmployees', 'NumberofLocations__c', 'Delete__c', 'SLAExpirationDate__c', 'BillingStreet', 'BillingLatitude', 'PersonEmail', 'Regions__c', 'ParentId', 'Description'];

function rows(parentId: string): string[][] {
  const out: string[][] = [];
  const pick = <T>(i: number, xs: readonly T[]): T => xs[i % xs.length]!;
  for (let i = 0; i < 600; i++) {
    out.push([
      pick(i, [`Acme ${i}`, `Acme ${i}`, '', '#N/A', 'x'.repeat(256), `Ünïcödé ${i} 😀`]),
      pick(i, ['', '+1 555 0100', '#N/A']),
      pick(i, ['', 'https://example.com']),
      pick(i, ['', 'Banking', 'Not A Value', '#N/A']),
      pick(i, ['', 'Gold', 'Platinum', 'gold']),
      pick(i, ['', '1000', '12.5', 'abc', '1e3', ' 42 ']),
      pick(i, ['', '7', '7.5', '9999999999', '-3']),
      pick(i, ['', '12', '1234', '#N/A']),
      pick(i, ['', 'true', 'FALSE', '1', 'no', 'maybe', '#N/A']),
      pick(i, ['', '2024-02-29', '2023-02-29', '2024-01-01T10:00:00Z', 'soon']),
      pick(i, ['', `${i} Main St\nFloor 2`, '#N/A']),
      pick(i, ['', '45.5', '91x', '#N/A']),
      pick(i, ['', 'a@example.com', 'not-an-email']),
      pick(i, ['', 'East', 'East;West']),
      pick(i, ['', parentId, '001000000000000AAA', 'bad-id']),
      pick(i, ['', 'note, with "quotes"']),
    ].slice(0, i % 37 === 5 ? 3 : HEADER.length));
  }
  // A read-only column (CreatedDate) makes every row with a value in it fail the same way.
  return out;
}

let a: Simulator;
let b: Simulator;

beforeAll(async () => {
  a = await startSimulator({ metadataDir: DEMO_ORG_DIR, now: () => Date.UTC(2026, 0, 1) });
  b = await startSimulator({ metadataDir: DEMO_ORG_DIR, now: () => Date.UTC(2026, 0, 1) });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

function run(sim: Simulator, fast: boolean, header: readonly string[], data: readonly string[][]): { outcomes: unknown[]; records: unknown[] } {
  const d = sim.org.describe('Account')!;
  const applier = new RowApplier(sim.org, d, 'insert', header, undefined, '005000000000001AAA', fast);
  const outcomes: unknown[] = [];
  const records: unknown[] = [];
  for (const row of data) {
    const o = applier.apply(row);
    if (o.ok) {
      const r = sim.org.findById(o.id)!.record;
      // Ids differ only if the paths diverged on an earlier row: compare them as they come.
      records.push(Object.entries(r));
      outcomes.push({ ok: true, created: o.created });
    } else outcomes.push(o);
  }
  return { outcomes, records };
}

describe('bulk insert fast path', () => {
  it('stores and refuses exactly what the general path does', () => {
    const parent = a.org.records('Account')[0]!.Id;
    expect(b.org.records('Account')[0]!.Id).toBe(parent);
    const data = rows(parent);
    const inserter = vi.spyOn(a.org, 'inserter');
    const fast = run(a, true, HEADER, data);
    // Several row layouts (empty cells differ) went the fast way.
    expect(inserter.mock.calls.length).toBeGreaterThan(3);
    inserter.mockRestore();
    const general = run(b, false, HEADER, data);
    expect(fast.outcomes).toEqual(general.outcomes);
    expect(fast.records).toEqual(general.records);
    // The rows exercise both sides.
    const failed = fast.outcomes.filter((o) => (o as { ok: boolean }).ok === false).length;
    expect(failed).toBeGreaterThan(100);
    expect(fast.records.length).toBeGreaterThan(30);
  });

  it('hands a read-only column and a header without a required field to the general path', () => {
    for (const header of [['Name', 'CreatedDate'], ['Phone'], ['Name', 'Id']]) {
      const data = [['A', '2024-01-01T00:00:00Z'], ['B', ''], ['', ''], ['#N/A', '']].map((r) => r.slice(0, header.length));
      const fast = run(a, true, header, data);
      const general = run(b, false, header, data);
      expect(fast.outcomes).toEqual(general.outcomes);
      expect(fast.records).toEqual(general.records);
    }
  });
});

describe('bulk insert fast path after a describe change', () => {
  it('checks later rows on the current describe, as the general path does', () => {
    const sim = a;
    const d = sim.org.describe('Account')!;
    const applier = new RowApplier(sim.org, d, 'insert', ['Name', 'acme__Tier__c'], undefined, '005000000000001AAA');
    expect(applier.apply(['Before', 'Gold']).ok).toBe(true);
    // The job runs on; the picklist loses a value: Salesforce checks the row against the org as it is.
    sim.org.removePicklistValue('Account', 'acme__Tier__c', 'Gold');
    const after = applier.apply(['After', 'Gold']);
    expect(after).toEqual({ ok: false, id: '', error: expect.stringContaining('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST') as unknown });
  });
});
