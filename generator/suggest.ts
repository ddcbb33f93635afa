/** "Did you mean" hints: the nearest known name to a misspelt one, shared by generate, check and lint. */

/** The candidate nearest to `name` (edit distance, case-insensitive) when it is plausibly a typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const target = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of new Set(candidates)) {
    const d = distance(target, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(target.length / 3));
  return best !== undefined && bestDistance > 0 && bestDistance <= limit ? best : undefined;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Number.POSITIVE_INFINITY;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** ` (did you mean 'X'?)` for the nearest of `candidates` to `name`, or '' when none is close. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const exact = candidates.find((c) => c.toLowerCase() === name.toLowerCase() && c !== name);
  const hit = exact ?? closest(name, candidates);
  return hit !== undefined ? ` (did you mean '${hit}'?)` : '';
}
