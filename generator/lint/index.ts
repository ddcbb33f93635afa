/**
 * `sfgen lint`: validates every SOQL string of a codebase against the schema snapshot, with the
 * same parser and validator the simulator's query engine uses. Errors point at the offending token
 * inside the file; queries built at run time are reported as notes, never guessed at.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { OrgModel } from '../model/types.js';
import { closest } from '../suggest.js';
import { parseSoql, parseSoqlWithBinds, SoqlParseError } from 'sfgen/tooling';
import type { SelectQuery } from 'sfgen/tooling';
import { bindQuery } from 'sfgen/tooling';
import { IndexedSchema } from 'sfgen/tooling';
import { findSoql, type SoqlSite } from './extract.js';
import { picklistLiteralDiagnostics, PicklistIndex } from './picklists.js';
import { schemaFromModel } from './schema.js';

export { findSoql, type SoqlSite, type StaticSoql, type DynamicSoql } from './extract.js';
export { schemaFromModel } from './schema.js';
export { PicklistIndex, picklistLiteralDiagnostics, BAD_PICKLIST_VALUE } from './picklists.js';

export type LintSeverity = 'error' | 'note';

export interface LintDiagnostic {
  /** Path as given or found (relative to the working directory when under it). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly severity: LintSeverity;
  /**
   * `MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`, `INVALID_QUERY_FILTER_OPERATOR`,
   * `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST` (a quoted value no record of a restricted picklist
   * can hold), or `RUNTIME_SOQL` for notes.
   */
  readonly code: string;
  readonly message: string;
}

export interface LintResult {
  readonly diagnostics: readonly LintDiagnostic[];
  readonly errorCount: number;
  readonly noteCount: number;
  /** Files scanned. */
  readonly files: number;
  /** SOQL strings checked (static ones). */
  readonly queries: number;
}

export interface LintOptions {
  /** Clock for date literals; only affects nothing but range computation. */
  readonly now?: number;
  /** Base directory for relative file names in diagnostics; default `process.cwd()`. */
  readonly cwd?: string;
}

const SOURCE_EXT = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', 'build']);

/**
 * Lints one source text against a schema.
 *
 * @example
 * ```ts
 * const diags = lintSource('app.ts', text, schemaFromModel(model));
 * ```
 */
export function lintSource(
  file: string,
  sourceText: string,
  schema: IndexedSchema | OrgModel,
  options: LintOptions = {},
  /** Restricted picklist values to check literals against; built from `schema` when it is a model. */
  picklists: PicklistIndex | undefined = schema instanceof IndexedSchema ? undefined : new PicklistIndex(schema),
): { diagnostics: LintDiagnostic[]; queries: number } {
  const indexed = schema instanceof IndexedSchema ? schema : new IndexedSchema(schemaFromModel(schema));
  let lineStarts: number[] | undefined;
  const at = (pos: number): { line: number; column: number } => {
    if (lineStarts === undefined) {
      lineStarts = [0];
      for (let i = 0; i < sourceText.length; i++) if (sourceText.charCodeAt(i) === 10) lineStarts.push(i + 1);
    }
    const p = Math.max(0, Math.min(pos, sourceText.length));
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= p) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: p - (lineStarts[lo] as number) + 1 };
  };
  const diagnostics: LintDiagnostic[] = [];
  let queries = 0;
  for (const site of findSoql(file, sourceText)) {
    if (site.kind === 'dynamic') {
      diagnostics.push({
        file,
        ...at(site.start),
        severity: 'note',
        code: 'RUNTIME_SOQL',
        message: `cannot check: built at run time (${site.reason}) in ${site.via}`,
      });
      continue;
    }
    queries++;
    for (const d of checkSoql(site, indexed, options.now ?? Date.now(), picklists)) {
      const pos = site.positions[Math.min(d.offset, site.positions.length - 1)] ?? site.start;
      diagnostics.push({ file, ...at(pos), severity: 'error', code: d.code, message: d.message });
    }
  }
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  // A constant used by several calls yields the same problem at the same place: report it once.
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.line}:${d.column}:${d.severity}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { diagnostics: unique, queries };
}

/** Problems of one SOQL text, by offset into the text. */
export function checkSoql(
  site: Pick<Extract<SoqlSite, { kind: 'static' }>, 'text' | 'binds'>,
  schema: IndexedSchema,
  now: number,
  picklists?: PicklistIndex,
): { offset: number; code: string; message: string }[] {
  let query: SelectQuery;
  let binds: ReadonlySet<number> | undefined;
  try {
    if (site.binds) {
      const parsed = parseSoqlWithBinds(site.text);
      query = parsed.query;
      binds = new Set(parsed.binds.map((b) => b.span.start));
    } else {
      query = parseSoql(site.text);
    }
  } catch (error) {
    if (error instanceof SoqlParseError) {
      const hint = !site.binds && /^expected a value, found ':'/.test(error.detail) ? ' (bind variables are not supported in REST queries)' : '';
      return [{ offset: error.offset, code: 'MALFORMED_QUERY', message: `malformed SOQL: ${error.detail}${hint}` }];
    }
    throw error;
  }
  const { diagnostics } = bindQuery(query, schema, { failFast: false, now, ...(binds ? { binds } : {}) });
  const picklistDiagnostics = picklists === undefined ? [] : picklistLiteralDiagnostics(query, picklists);
  return diagnostics.map((d): { offset: number; code: string; message: string } => {
    const offending = d.span ? site.text.slice(d.span.start, d.span.end) : '';
    let message = shorten(d.message);
    const hint = d.candidates && offending ? closest(lastSegment(offending), d.candidates) : undefined;
    if (hint) message = `${message.replace(/\.$/, '')}; did you mean '${hint}'?`;
    return { offset: d.span?.start ?? 0, code: d.errorCode, message };
  }).concat(picklistDiagnostics);
}

/** Salesforce's boilerplate advice is noise in a lint message. */
function shorten(message: string): string {
  return message.replace(/\s*If you are attempting to use a custom [^.]*\.\s*Please reference your WSDL or the describe call for the appropriate names\./, '').trim();
}

function lastSegment(text: string): string {
  const parts = text.split('.');
  return parts[parts.length - 1] ?? text;
}

export { closest } from '../suggest.js';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Source files under the given paths (files are taken as given; directories are walked). */
export async function collectFiles(paths: readonly string[], exclude: readonly string[] = []): Promise<string[]> {
  const out: string[] = [];
  const excluded = new Set(exclude.map((p) => resolve(p)));
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || e.name.startsWith('.') || excluded.has(resolve(full))) continue;
        // An sfgen output tree (it holds a schema snapshot) is generated code, not hand-written SOQL.
        if (await isFile(join(full, 'schema.lock.json'))) continue;
        await walk(full);
      } else if (e.isFile() && SOURCE_EXT.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) {
        out.push(full);
      }
    }
  };
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new Error(`${p}: no such file or directory`);
    }
    if (info.isDirectory()) await walk(p);
    else out.push(p);
  }
  return out;
}

/**
 * Lints files and directories against an org model (the snapshot's).
 *
 * @example
 * ```ts
 * const snapshot = await readSnapshot('generated');
 * const result = await lintPaths(['src'], snapshot.model);
 * for (const d of result.diagnostics) console.log(formatDiagnostic(d));
 * ```
 */
export async function lintPaths(
  paths: readonly string[],
  model: OrgModel,
  options: LintOptions & { readonly exclude?: readonly string[] } = {},
): Promise<LintResult> {
  const schema = new IndexedSchema(schemaFromModel(model));
  const picklists = new PicklistIndex(model);
  const cwd = options.cwd ?? process.cwd();
  const files = await collectFiles(paths, options.exclude);
  const diagnostics: LintDiagnostic[] = [];
  let queries = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const rel = relative(cwd, resolve(file));
    const shown = rel.startsWith('..') ? file : rel;
    const result = lintSource(shown, text, schema, options, picklists);
    diagnostics.push(...result.diagnostics);
    queries += result.queries;
  }
  return {
    diagnostics,
    errorCount: diagnostics.filter((d) => d.severity === 'error').length,
    noteCount: diagnostics.filter((d) => d.severity === 'note').length,
    files: files.length,
    queries,
  };
}

/** `file:line:col: error: message`, the format editors and CI annotate from. */
export function formatDiagnostic(d: LintDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
