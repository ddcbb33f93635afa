/**
 * Records built from a shape template (one per set of written keys) against records built key by
 * key (what the store does once it keeps no more shapes): same keys in the same order, same
 * values, compounds derived the same way, for creates with every mix of compound components.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORG_DIR, startSimulator, type Simulator } from 'sfgen/simulator';

let fresh: Simulator;
let full: Simulator;
const NOW = () => Date.UTC(2026, 0, 1);

/** Value sets that mix compound components (Billing*, Shipping*) and plain fields. */
function valueSets(): Record<string, unknown>[] {
  const parts: [string, unknown][] = [
    ['BillingStreet', '1 Main St'], ['BillingCity', 'Paris'], ['BillingLatitude', 48.85], ['ShippingCountry', 'France'],
    ['ShippingLongitude', 2.35], ['Phone', '+33 1'], ['Industry', 'Banking'], ['Delete__c', true], ['BillingPostalCode', null],
  ];
  const sets: Record<string, unknown>[] = [];
  for (let mask = 0; mask < 1 << parts.length; mask += 7) {
    const v: Record<string, unknown> = { Name: `Acme ${mask}` };
    parts.forEach(([k, x], i) => {
      if (mask & (1 << i)) v[k] = x;
    });
    sets.push(v);
  }
  return sets;
}

beforeAll(async () => {
  fresh = await startSimulator({ metadataDir: DEMO_ORG_DIR, now: NOW });
  full = await startSimulator({ metadataDir: DEMO_ORG_DIR, now: NOW });
  // Use up `full`'s shapes for Account with key sets the comparison does not use.
  const optional = ['Description', 'Site', 'Sic', 'TickerSymbol', 'YearStarted', 'NaicsCode', 'DunsNumber', 'Tradestyle', 'SicDesc'];
  for (let i = 0; i < 300; i++) {
    const v: Record<string, unknown> = { Name: `Filler ${i}`, AccountNumber: String(i) };
    optional.forEach((k, b) => {
      if (i & (1 << b)) v[k] = 'x';
    });
    full.org.insert('Account', v);
  }
});
afterAll(async () => {
  await fresh?.close();
  await full?.close();
});

describe('SimOrg record shapes', () => {
  it('build the same records as key-by-key writes', () => {
    let compared = 0;
    for (const values of valueSets()) {
      const a = fresh.org.insert('Account', { ...values });
      const b = full.org.insert('Account', { ...values });
      const strip = (r: object) => Object.entries(r).filter(([k]) => k !== 'Id');
      expect(strip(a)).toEqual(strip(b));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(50);
    // The precondition: `full` keeps no more shapes (a look at the store's private state).
    const shapes = (full.org as unknown as { objects: Map<string, { shapes: Map<string, unknown> }> }).objects.get('account')!.shapes.size;
    expect(shapes).toBe(256);
  });
});
