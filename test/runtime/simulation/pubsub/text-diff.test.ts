/**
 * The simulator's data differences (Change Data Capture guide, "Sending Data Differences for
 * Fields of Updated Records"): when a diff is sent and when the whole value is, the diff's shape
 * (`--- \n+++ <sha-256>\n` + hunks without context), and that the client's applyFieldDiff rebuilds
 * the new value from it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { textDiff } from '../../../../runtime/simulation/pubsub/text-diff.js';
import { applyFieldDiff, isFieldDiff, PubSubError } from '../../../../runtime/services/pubsub/index.js';

/** `n` distinct lines of about 60 characters. */
function paragraph(n: number, tag = 'line'): string[] {
  return Array.from({ length: n }, (_, i) => `${tag} ${i + 1}: the quick brown fox jumps over the lazy dog, again.`);
}
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('textDiff: when Salesforce sends a diff', () => {
  const before = paragraph(30).join('\n');

  it('a one-line change of a long value: a diff with the hash of the new value and a hunk without context', () => {
    const lines = paragraph(30);
    lines[1] = 'line 2: the quick brown fox jumps over the lazy cat, again.';
    const after = lines.join('\n');
    const diff = textDiff(before, after)!;
    expect(diff).toBe(`--- \n+++ ${sha(after)}\n@@ -2,1 +2,1 @@\n-${paragraph(30)[1]}\n+${lines[1]}`);
    expect(isFieldDiff(diff)).toBe(true);
    expect(applyFieldDiff(before, diff)).toBe(after);
  });

  it('insertions, deletions and several hunks round-trip, CRLF line breaks kept', () => {
    const lines = paragraph(40);
    lines.splice(5, 1);
    lines.splice(20, 0, 'an inserted line', 'and another');
    lines[35] = 'a replaced line near the end';
    const after = lines.join('\r\n');
    const diff = textDiff(paragraph(40).join('\r\n'), after)!;
    expect(diff.match(/^@@ /gm)).toHaveLength(3);
    expect(diff).toContain('@@ -6,1 +5,0 @@');
    expect(diff).toContain('@@ -21,0 +21,2 @@'); // after old line 21 (GNU convention for an empty range)
    expect(applyFieldDiff(paragraph(40).join('\r\n'), diff)).toBe(after);
  });

  it('the whole value is sent for a value under 1,000 characters', () => {
    const short = paragraph(10).join('\n');
    expect(short.length).toBeLessThan(1000);
    expect(textDiff(short, short.replace('line 3', 'LINE 3'))).toBeUndefined();
  });

  it('the whole value is sent when the length changes by more than 50 %', () => {
    expect(textDiff(before, [before, ...paragraph(16, 'extra')].join('\n'))).toBeUndefined();
    expect(textDiff(before, [before, ...paragraph(10, 'extra')].join('\n'))).toBeDefined();
  });

  it('the whole value is sent when more than 25 % of the lines changed', () => {
    const lines = paragraph(30);
    for (let i = 0; i < 9; i++) lines[i * 3] = `changed ${i}: the quick brown fox jumps over the lazy cat, again.`;
    // 9 removed + 9 added = 18 of 60 lines: 30 % > 25 %.
    expect(textDiff(before, lines.join('\n'))).toBeUndefined();
    const fewer = paragraph(30);
    for (let i = 0; i < 7; i++) fewer[i * 3] = `changed ${i}: the quick brown fox jumps over the lazy cat, again.`;
    expect(textDiff(before, fewer.join('\n'))).toBeDefined();
  });

  it('the whole value is sent when the diff would be longer than the value', () => {
    // One long line: any change rewrites it all, and the diff (old + new line) is longer than the value.
    const one = 'x'.repeat(1500);
    expect(textDiff(one, `${one}y`)).toBeUndefined();
  });
});

describe('applyFieldDiff refuses what it cannot rebuild', () => {
  it('a previous value other than the one diffed, and a malformed diff', () => {
    const lines = paragraph(30);
    lines[4] = 'changed';
    const diff = textDiff(paragraph(30).join('\n'), [...lines, 'x'.repeat(10)].join('\n').slice(0, -10) + 'y'.repeat(10))!;
    expect(diff).toBeDefined();
    expect(() => applyFieldDiff(paragraph(30, 'other').join('\n'), diff)).toThrow(PubSubError);
    expect(() => applyFieldDiff(paragraph(30, 'other').join('\n'), diff)).toThrow(/line 5 of the previous value differs/);
    const wrongHash = diff.replace(/\+\+\+ [0-9a-f]{64}/, `+++ ${'0'.repeat(64)}`);
    expect(() => applyFieldDiff(paragraph(30).join('\n'), wrongHash)).toThrow(/SHA-256/);
    expect(() => applyFieldDiff('a', 'not a diff')).toThrow(/does not start with/);
    expect(isFieldDiff('plain text')).toBe(false);
  });
});
