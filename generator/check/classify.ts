/**
 * Usage-aware classification: a change whose relevant usage (see {@link Relevance}) is absent from
 * the scanned codebase is downgraded one class — breaking -> dangerous, dangerous -> safe — and
 * says so. Without a scan, classes stay as the schema alone gives them.
 */
import { classRank, type Change, type ChangeClass, type RawChange, type UsageSite } from './changes.js';
import type { UsageIndex } from './usage.js';

const DOWNGRADE: Record<ChangeClass, ChangeClass> = { breaking: 'dangerous', dangerous: 'safe', safe: 'safe' };

/** The sites of `usage` that make `change` matter. */
export function relevantSites(change: RawChange, sites: readonly UsageSite[]): UsageSite[] {
  const r = change.relevance;
  const object = change.object;
  switch (r.scope) {
    case 'none':
      return [];
    case 'object':
      return sites.filter((s) => s.object === object && kindMatches(s, r.kinds));
    case 'field':
      return sites.filter((s) => s.object === object && s.field === r.field && kindMatches(s, r.kinds));
    case 'relationship': {
      const rel = r.relationship.toLowerCase();
      return sites.filter((s) => s.object === object && s.relationship?.toLowerCase() === rel);
    }
  }
}

function kindMatches(site: UsageSite, kinds: readonly UsageSite['kind'][] | 'any'): boolean {
  if (kinds === 'any') return true;
  if (!kinds.includes(site.kind)) return false;
  // A switch with a default clause handles values it does not list.
  return site.kind !== 'switch' || site.exhaustive === true;
}

/**
 * Applies usage to raw changes. With `usage` null (not scanned), nothing is downgraded.
 *
 * @example
 * ```ts
 * const changes = applyUsage(diffModels(...), scanUsage({ project: 'tsconfig.json', ... }));
 * ```
 */
export function applyUsage(raw: readonly RawChange[], usage: UsageIndex | null): Change[] {
  const byObject = new Map<string, UsageSite[]>();
  for (const site of usage?.sites ?? []) {
    const list = byObject.get(site.object);
    if (list) list.push(site);
    else byObject.set(site.object, [site]);
  }
  return raw.map((c): Change => {
    if (!usage || c.relevance.scope === 'none' || c.baseClass === 'safe') {
      const sites = usage && c.relevance.scope !== 'none' ? relevantSites(c, byObject.get(c.object) ?? []) : [];
      return { ...c, class: c.baseClass, usage: sites, downgraded: false };
    }
    const sites = relevantSites(c, byObject.get(c.object) ?? []);
    if (sites.length > 0) return { ...c, class: c.baseClass, usage: sites, downgraded: false };
    return { ...c, class: DOWNGRADE[c.baseClass], usage: [], downgraded: true };
  });
}

/** Sorts changes for reports: by object, then worst class first, then field and kind. */
export function sortChanges(changes: readonly Change[]): Change[] {
  return [...changes].sort(
    (a, b) =>
      cmp(a.object, b.object) ||
      classRank(b.class) - classRank(a.class) ||
      cmp(a.field ?? '', b.field ?? '') ||
      cmp(a.kind, b.kind) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
