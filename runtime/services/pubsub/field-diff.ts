/**
 * Change Data Capture "data differences": Salesforce may send an updated large text field (a
 * Description or Long Text Area of 1,000+ characters) as a unified diff of its value and list the
 * field in `ChangeEventHeader.diffFields`. The value then reads
 * `--- \n+++ <SHA-256 of the new value, hex>\n@@ -2,1 +2,1 @@\n-old line\n+new line...`.
 * {@link applyFieldDiff} rebuilds the new value from the previous one and checks the hash.
 *
 * @example
 * ```ts
 * const header = event.payload.ChangeEventHeader;
 * if (header.diffFields.includes('Description')) {
 *   description = applyFieldDiff(storedDescription, event.payload.Description!);
 * }
 * ```
 */
import { createHash } from 'node:crypto';
import { PubSubError } from './errors.js';

const HEADER = /^--- ?\r?\n\+\+\+ ([0-9a-fA-F]{64})\r?\n?/;
const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Whether a field value is a data-difference value (as listed in `diffFields`). */
export function isFieldDiff(value: unknown): value is string {
  return typeof value === 'string' && HEADER.test(value);
}

/**
 * The new value of a field sent as a diff: `previous` (the value before the update, as the
 * application stored it) with the diff's hunks applied, joined with the line break `previous`
 * uses. Throws a `PubSubError` when the diff is malformed, does not fit `previous`, or the result's
 * SHA-256 differs from the one in the diff (the stored value was not the one Salesforce diffed).
 */
export function applyFieldDiff(previous: string, diff: string): string {
  const fail = (why: string) => new PubSubError({ message: `cannot apply the field diff: ${why}` });
  const header = HEADER.exec(diff);
  if (header === null) throw fail('it does not start with "--- \\n+++ <sha-256>\\n"');
  const expected = header[1]!.toLowerCase();
  const newline = /\r\n|\n|\r/.exec(previous)?.[0] ?? '\n';
  const old = previous.split(/\r\n|\n|\r/);
  const body = diff.slice(header[0].length);
  const lines = body === '' ? [] : body.split(/\r?\n/);
  const out: string[] = [];
  let next = 0; // index in `old` of the next line not yet copied
  for (let k = 0; k < lines.length; ) {
    const line = lines[k]!;
    if (line === '' && k === lines.length - 1) break; // a trailing line break
    const h = HUNK.exec(line);
    if (h === null) throw fail(`expected a hunk header (@@ -a,b +c,d @@), got ${JSON.stringify(line.slice(0, 40))}`);
    const oldStart = Number(h[1]);
    const oldCount = h[2] === undefined ? 1 : Number(h[2]);
    const newCount = h[4] === undefined ? 1 : Number(h[4]);
    // 1-based start; an empty range names the line before it.
    const from = oldCount === 0 ? oldStart : oldStart - 1;
    if (from < next || from + oldCount > old.length) throw fail(`hunk ${line} does not fit a value of ${old.length} lines`);
    while (next < from) out.push(old[next++]!);
    k++;
    let removed = 0;
    let added = 0;
    while (k < lines.length && !HUNK.test(lines[k]!)) {
      const l = lines[k]!;
      if (l === '' && k === lines.length - 1) break;
      const body = l.slice(1);
      if (l.startsWith('-')) {
        if (old[next] !== body) throw fail(`hunk ${line}: line ${next + 1} of the previous value differs from the one the diff removes`);
        next++;
        removed++;
      } else if (l.startsWith('+')) {
        out.push(body);
        added++;
      } else if (l.startsWith(' ')) {
        if (old[next] !== body) throw fail(`hunk ${line}: context line ${next + 1} differs`);
        out.push(old[next++]!);
        removed++;
        added++;
      } else throw fail(`unexpected line ${JSON.stringify(l.slice(0, 40))} in hunk ${line}`);
      k++;
    }
    if (removed !== oldCount || added !== newCount) throw fail(`hunk ${line} has ${removed} old and ${added} new lines`);
  }
  while (next < old.length) out.push(old[next++]!);
  const value = out.join(newline);
  const actual = createHash('sha256').update(value, 'utf8').digest('hex');
  if (actual !== expected) throw fail(`the rebuilt value's SHA-256 is ${actual}, the diff names ${expected} (was the previous value the one Salesforce diffed?)`);
  return value;
}
