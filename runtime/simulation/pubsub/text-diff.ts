/**
 * Change Data Capture "data differences": for an update of a large text field, Salesforce may send
 * a unified diff of the value instead of the value, and lists the field in
 * `ChangeEventHeader.diffFields` (Change Data Capture Developer Guide, "Sending Data Differences
 * for Fields of Updated Records" and "Data Differences in Event Fields").
 *
 * What the guide says and this follows:
 * - the value is `--- \n+++ <SHA-256 of the whole new value, hex>\n` followed by the changes in
 *   unified diff format, computed per line (the value is split at its line breaks); the guide's
 *   example has hunks without context lines (`@@ -2,1 +2,1 @@`, then `-old line`, `+new line`);
 * - no diff (the whole value is sent) when the new value has fewer than 1,000 characters, when the
 *   lengths of the old and new values differ by more than 50 %, when more than 25 % of the lines of
 *   the old and new values together changed, or when the diff would be longer than the new value.
 *
 * Where the guide is silent: hunk starts of empty ranges follow GNU diff (`-3,0` inserts after old
 * line 3), diff lines are joined with `\n` without a trailing one, and a change whose changed middle
 * is too large to compare line by line cheaply (more than {@link MAX_CELLS} line pairs) is sent
 * whole, which the guide allows ("Salesforce sometimes sends data differences").
 */
import { createHash } from 'node:crypto';

/** Shortest new value sent as a diff (characters). */
export const DIFF_MIN_LENGTH = 1000;
/** Largest table of line pairs compared for one value. */
const MAX_CELLS = 4_000_000;

/** Lines of a text value, split at `\r\n`, `\n` or `\r`. */
export function textLines(value: string): string[] {
  return value.split(/\r\n|\n|\r/);
}

type Op = { kind: '=' | '-' | '+'; line: string };

/** Line edit script from `a` to `b` (longest common subsequence), or undefined when too large. */
function lineOps(a: readonly string[], b: readonly string[]): Op[] | undefined {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if ((n + 1) * (m + 1) > MAX_CELLS) return undefined;
  // lcs[i][j] = LCS length of a[start+i..endA) and b[start+j..endB), row-major.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[start + i] === b[start + j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < start; k++) ops.push({ kind: '=', line: a[k]! });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      ops.push({ kind: '=', line: a[start + i]! });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) {
      ops.push({ kind: '+', line: b[start + j]! });
      j++;
    } else {
      ops.push({ kind: '-', line: a[start + i]! });
      i++;
    }
  }
  for (let k = endA; k < a.length; k++) ops.push({ kind: '=', line: a[k]! });
  // Deletions before insertions within a run of changes, as unified diffs print them.
  const out: Op[] = [];
  for (let k = 0; k < ops.length; ) {
    if (ops[k]!.kind === '=') {
      out.push(ops[k++]!);
      continue;
    }
    const run: Op[] = [];
    while (k < ops.length && ops[k]!.kind !== '=') run.push(ops[k++]!);
    out.push(...run.filter((o) => o.kind === '-'), ...run.filter((o) => o.kind === '+'));
  }
  return out;
}

/**
 * The diff value Salesforce would send for an update of a large text field from `before` to
 * `after`, or undefined when it sends the whole value.
 */
export function textDiff(before: string, after: string): string | undefined {
  if (after.length < DIFF_MIN_LENGTH || before === after) return undefined;
  if (Math.abs(after.length - before.length) > before.length * 0.5) return undefined;
  const a = textLines(before);
  const b = textLines(after);
  const ops = lineOps(a, b);
  if (ops === undefined) return undefined;
  const changed = ops.filter((o) => o.kind !== '=').length;
  if (changed > (a.length + b.length) * 0.25) return undefined;
  const lines: string[] = [];
  let oldLine = 0;
  let newLine = 0;
  for (let k = 0; k < ops.length; ) {
    const op = ops[k]!;
    if (op.kind === '=') {
      oldLine++;
      newLine++;
      k++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (k < ops.length && ops[k]!.kind !== '=') {
      const o = ops[k++]!;
      (o.kind === '-' ? removed : added).push(o.line);
    }
    const oldStart = removed.length > 0 ? oldLine + 1 : oldLine;
    const newStart = added.length > 0 ? newLine + 1 : newLine;
    lines.push(`@@ -${oldStart},${removed.length} +${newStart},${added.length} @@`);
    for (const l of removed) lines.push(`-${l}`);
    for (const l of added) lines.push(`+${l}`);
    oldLine += removed.length;
    newLine += added.length;
  }
  const hash = createHash('sha256').update(after, 'utf8').digest('hex');
  const diff = `--- \n+++ ${hash}\n${lines.join('\n')}`;
  return diff.length > after.length ? undefined : diff;
}
