/**
 * Renders a {@link CheckResult}: a readable (optionally coloured) text report grouped by object,
 * JSON, GitHub workflow annotations, or Markdown for a pull-request comment. Pure: returns strings.
 */
import type { Change, ChangeClass, UsageSite } from './changes.js';
import type { CheckResult } from './index.js';

import type { ReportFormat } from './report-formats.js';
export { REPORT_FORMATS, type ReportFormat } from './report-formats.js';

/** Sites shown per change before "+N more". */
const MAX_SITES = 5;
/** Added objects listed by name before "+N more". */
const MAX_ADDED = 25;

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  cyan: '\u001b[36m',
} as const;

type Paint = (style: keyof typeof ANSI, text: string) => string;

const MARK: Record<ChangeClass, string> = { breaking: '✖', dangerous: '▲', safe: '●' };
const CLASS_COLOR: Record<ChangeClass, keyof typeof ANSI> = { breaking: 'red', dangerous: 'yellow', safe: 'green' };

/**
 * Whether to colour output: only on a TTY, never with `NO_COLOR` set (https://no-color.org),
 * always with `FORCE_COLOR` set to something other than `0`.
 */
export function useColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

function site(s: UsageSite): string {
  return `${s.file}:${s.line}:${s.column}`;
}

function siteWithKind(s: UsageSite): string {
  return `${site(s)} (${s.kind === 'switch' ? (s.exhaustive ? 'exhaustive switch' : 'switch') : s.kind})`;
}

function uniqueSites(sites: readonly UsageSite[]): UsageSite[] {
  const seen = new Set<string>();
  const out: UsageSite[] = [];
  for (const s of sites) {
    const key = `${site(s)}:${s.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

function downgradeNote(c: Change): string {
  return `not used by this codebase (downgraded from ${c.baseClass})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summaryLine(r: CheckResult): string {
  const { breaking, dangerous, safe } = r.counts;
  return `${breaking} breaking, ${dangerous} dangerous, ${safe} safe`;
}

function verdict(r: CheckResult): string {
  return r.failed ? `fails (--fail-on ${r.failOn})` : `passes (--fail-on ${r.failOn})`;
}

function splitAdded(changes: readonly Change[]): { added: Change[]; rest: Change[] } {
  const added: Change[] = [];
  const rest: Change[] = [];
  for (const c of changes) (c.kind === 'object-added' ? added : rest).push(c);
  return { added, rest };
}

function groupByObject(changes: readonly Change[]): Map<string, Change[]> {
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const list = groups.get(c.object);
    if (list) list.push(c);
    else groups.set(c.object, [c]);
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * The human report, grouped by object, worst first.
 *
 * @example
 * ```ts
 * process.stdout.write(renderText(result, { color: useColor(process.stdout) }));
 * ```
 */
export function renderText(r: CheckResult, options: { color: boolean }): string {
  const paint: Paint = options.color ? (style, text) => `${ANSI[style]}${text}${ANSI.reset}` : (_s, text) => text;
  const lines: string[] = [];
  const total = r.changes.length;
  lines.push(
    total === 0
      ? `${paint('bold', 'sfgen check:')} no drift — ${plural(r.objectsChecked, 'object')}${r.eventsChecked ? ` and ${plural(r.eventsChecked, 'event')}` : ''} match ${r.snapshotFile}`
      : `${paint('bold', 'sfgen check:')} ${plural(total, 'change')} against ${r.snapshotFile} (${summaryLine(r)})`,
  );
  const cached = r.notModified > 0 ? `, ${r.notModified} unchanged (304)` : '';
  lines.push(
    paint('dim', `  source: ${r.source} · ${plural(r.objectsChecked, 'object')} checked${cached} · ${plural(r.requests, 'request')} · ${(r.durationMs / 1000).toFixed(2)} s`),
  );
  lines.push(
    paint(
      'dim',
      r.usage.scanned
        ? `  usage: ${r.usage.target} — ${plural(r.usage.files, 'file')}, ${plural(r.usage.sites, 'reference')} to generated objects`
        : '  usage: not scanned',
    ),
  );
  for (const note of r.notes) lines.push(paint('dim', `  note: ${note}`));
  for (const u of r.usage.unparsedSoql.slice(0, 5)) lines.push(paint('dim', `  note: SOQL at ${u.file}:${u.line}:${u.column} did not parse (${u.message}); scanned loosely`));

  const { added, rest } = splitAdded(r.changes);
  for (const [object, changes] of groupByObject(rest)) {
    lines.push('');
    lines.push(paint('bold', object));
    const width = Math.max(...changes.map((c) => (c.field ?? '').length), 0);
    for (const c of changes) {
      const label = `${MARK[c.class]} ${c.class.padEnd(9)}`;
      const field = (c.field ?? '').padEnd(width);
      lines.push(`  ${paint(CLASS_COLOR[c.class], label)} ${field}${width ? '  ' : ''}${c.message}`);
      const indent = ' '.repeat(2 + label.length + 1 + (width ? width + 2 : 0));
      if (c.downgraded) lines.push(paint('dim', `${indent}${downgradeNote(c)}`));
      const sites = uniqueSites(c.usage);
      if (sites.length > 0) {
        const shown = sites.slice(0, MAX_SITES).map(siteWithKind).join(', ');
        const more = sites.length > MAX_SITES ? ` … +${sites.length - MAX_SITES} more` : '';
        lines.push(paint('cyan', `${indent}used at ${shown}${more}`));
      }
    }
  }
  if (added.length > 0) {
    lines.push('');
    lines.push(paint('bold', `Objects added (${added.length})`));
    const names = added.slice(0, MAX_ADDED).map((c) => c.object);
    lines.push(`  ${paint('green', `${MARK.safe} safe     `)} ${names.join(', ')}${added.length > MAX_ADDED ? ` … +${added.length - MAX_ADDED} more` : ''}`);
  }
  lines.push('');
  const result = `${summaryLine(r)} — ${verdict(r)}`;
  lines.push(r.failed ? paint('red', paint('bold', `Result: ${result}`)) : paint('green', `Result: ${result}`));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// JSON

/**
 * The result as JSON (stable key order, one document).
 *
 * @example
 * ```ts
 * const report = JSON.parse(renderJson(result)); report.counts.breaking;
 * ```
 */
export function renderJson(r: CheckResult): string {
  return `${JSON.stringify(
    {
      failed: r.failed,
      failOn: r.failOn,
      counts: r.counts,
      snapshot: { file: r.snapshotFile, sfgenVersion: r.snapshotVersion },
      source: r.source,
      apiVersion: r.apiVersion,
      objectsChecked: r.objectsChecked,
      notModified: r.notModified,
      eventsChecked: r.eventsChecked,
      requests: r.requests,
      durationMs: r.durationMs,
      usage: r.usage,
      notes: r.notes,
      changes: r.changes.map((c) => ({
        object: c.object,
        field: c.field,
        kind: c.kind,
        class: c.class,
        baseClass: c.baseClass,
        downgraded: c.downgraded,
        message: c.message,
        before: c.before ?? null,
        after: c.after ?? null,
        usage: uniqueSites(c.usage).map((s) => ({ file: s.file, line: s.line, column: s.column, kind: s.kind })),
        snapshotLine: c.snapshotLine ?? null,
      })),
    },
    null,
    2,
  )}\n`;
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

/** Escapes the message of a workflow command. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value of a workflow command. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions annotations: `::error` for breaking and `::warning` for dangerous changes, one per
 * place in the code that uses what changed (up to 10 per change), else one on the snapshot file;
 * safe changes are summed up in a `::notice`.
 *
 * @example
 * ```text
 * ::error file=src/app.ts,line=9,col=69,title=sfgen check%3A Account.Industry (breaking)::restricted picklist …
 * ```
 */
export function renderGithub(r: CheckResult): string {
  const lines: string[] = [];
  for (const c of r.changes) {
    if (c.class === 'safe') continue;
    const command = c.class === 'breaking' ? 'error' : 'warning';
    const title = escapeProperty(`sfgen check: ${c.object}${c.field ? `.${c.field}` : ''} (${c.class})`);
    const message = escapeData(`${c.message}${c.downgraded ? ` — ${downgradeNote(c)}` : ''}`);
    const sites = uniqueSites(c.usage).slice(0, 10);
    if (sites.length === 0) {
      const line = c.snapshotLine !== undefined ? `,line=${c.snapshotLine}` : '';
      lines.push(`::${command} file=${escapeProperty(r.snapshotFile)}${line},title=${title}::${message}`);
      continue;
    }
    for (const s of sites) {
      const used = escapeData(` (used here: ${s.kind === 'switch' ? 'exhaustive switch' : s.kind})`);
      lines.push(`::${command} file=${escapeProperty(s.file)},line=${s.line},col=${s.column},title=${title}::${message}${used}`);
    }
  }
  const safe = r.counts.safe;
  lines.push(`::notice title=sfgen check::${escapeData(`${summaryLine(r)} — ${verdict(r)}${safe ? ` (${plural(safe, 'safe change')} not annotated)` : ''}`)}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

function mdEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ');
}

/**
 * Markdown for a pull-request comment: a summary, then a table per object (breaking and dangerous
 * changes open, safe ones folded in `<details>`).
 *
 * @example
 * ```ts
 * await writeFile('drift.md', renderMarkdown(result));
 * ```
 */
export function renderMarkdown(r: CheckResult): string {
  const icon: Record<ChangeClass, string> = { breaking: '🔴', dangerous: '🟠', safe: '🟢' };
  const out: string[] = [];
  out.push(`### sfgen check: ${r.changes.length === 0 ? 'no schema drift' : `${summaryLine(r)}`}`);
  out.push('');
  out.push(
    `${r.failed ? '❌' : '✅'} ${verdict(r)} · ${plural(r.objectsChecked, 'object')} checked against \`${mdEscape(r.snapshotFile)}\` · source: ${mdEscape(r.source)}` +
      (r.usage.scanned ? ` · usage: ${plural(r.usage.files, 'file')} scanned` : ' · usage not scanned'),
  );
  for (const note of r.notes) out.push(`> ${mdEscape(note)}`);
  const { added, rest } = splitAdded(r.changes);
  const table = (changes: readonly Change[]): string[] => {
    const rows = ['| | Field | Change | Used at |', '|---|---|---|---|'];
    for (const c of changes) {
      const sites = uniqueSites(c.usage);
      const used =
        sites.length > 0
          ? sites.slice(0, MAX_SITES).map((s) => `\`${mdEscape(site(s))}\``).join(', ') + (sites.length > MAX_SITES ? ` +${sites.length - MAX_SITES} more` : '')
          : c.downgraded
            ? `_${downgradeNote(c)}_`
            : '';
      rows.push(`| ${icon[c.class]} ${c.class} | ${c.field ? `\`${mdEscape(c.field)}\`` : ''} | ${mdEscape(c.message)} | ${used} |`);
    }
    return rows;
  };
  for (const [object, changes] of groupByObject(rest)) {
    const loud = changes.filter((c) => c.class !== 'safe');
    const quiet = changes.filter((c) => c.class === 'safe');
    out.push('');
    out.push(`#### \`${mdEscape(object)}\``);
    if (loud.length > 0) {
      out.push('');
      out.push(...table(loud));
    }
    if (quiet.length > 0) {
      out.push('');
      out.push(`<details><summary>${plural(quiet.length, 'safe change')}</summary>`);
      out.push('');
      out.push(...table(quiet));
      out.push('');
      out.push('</details>');
    }
  }
  if (added.length > 0) {
    out.push('');
    out.push(`<details><summary>${plural(added.length, 'object')} added</summary>`);
    out.push('');
    out.push(added.map((c) => `\`${mdEscape(c.object)}\``).join(', '));
    out.push('');
    out.push('</details>');
  }
  return `${out.join('\n')}\n`;
}

/** Renders in the given format. */
export function renderReport(r: CheckResult, format: ReportFormat, options: { color: boolean }): string {
  switch (format) {
    case 'text':
      return renderText(r, options);
    case 'json':
      return renderJson(r);
    case 'github':
      return renderGithub(r);
    case 'markdown':
      return renderMarkdown(r);
  }
}
