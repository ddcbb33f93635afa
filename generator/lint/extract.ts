/**
 * Finds the SOQL in a TypeScript/JavaScript source file: `soql` tagged templates, `soql('...')`
 * checked strings, and string arguments of the query functions (`query(...)`, `queryAll(...)`,
 * `x.query(...)`, `x.queryAll(...)`). String constants, concatenations and templates are folded
 * when every part is known in the file (`const` strings); what is built at run time is reported
 * as such rather than guessed. Every character of the SOQL text maps back to its file position,
 * so errors point at the offending token, escapes and folded pieces included.
 */
import { ts } from 'ts-morph';

/** A piece of SOQL text whose every character maps to a file position. */
export interface StaticSoql {
  readonly kind: 'static';
  /** The SOQL text (string values cooked, substitutions of tagged templates as `:__n` binds). */
  readonly text: string;
  /** File position of each character of `text`, plus one past the end. */
  readonly positions: readonly number[];
  /** `:name` bind variables are allowed (`soql()` strings, tagged template substitutions). */
  readonly binds: boolean;
  /** How the query was found, for messages: `soql()`, `` soql`…` ``, `query()`, `queryAll()`. */
  readonly via: string;
  /** File position of the argument or template. */
  readonly start: number;
}

/** A query argument whose text is built at run time. */
export interface DynamicSoql {
  readonly kind: 'dynamic';
  readonly via: string;
  readonly start: number;
  /** What could not be resolved (`identifier 'where'`, `call 'buildWhere()'`, ...). */
  readonly reason: string;
}

export type SoqlSite = StaticSoql | DynamicSoql;

const QUERY_FUNCTIONS = new Set(['query', 'queryAll']);
const CHECKED_FUNCTIONS = new Set(['soql']);
const SOQL_START = /^\s*select\b/i;
const IGNORE_MARK = 'sfgen-lint-ignore';

interface Folded {
  text: string;
  positions: number[];
}

type FoldResult = Folded | { dynamic: string } | undefined;

/**
 * Scans a source file for SOQL sites.
 *
 * @example
 * ```ts
 * const sites = findSoql('app.ts', await readFile('app.ts', 'utf8'));
 * ```
 */
export function findSoql(fileName: string, sourceText: string): SoqlSite[] {
  // Every site holds `select` (query text) or `soql` (checked strings): skip files with neither unparsed.
  if (!/select|soql/i.test(sourceText)) return [];
  const kind = /\.[cm]?jsx?$/.test(fileName) ? ts.ScriptKind.JSX : fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.Latest, true, kind);
  const sites: SoqlSite[] = [];
  const consts = collectConsts(sf);

  let lines: string[] | undefined;
  const ignored = (node: ts.Node): boolean => {
    if (!sourceText.includes(IGNORE_MARK)) return false;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
    lines ??= sourceText.split('\n');
    return (lines[line] ?? '').includes(IGNORE_MARK) || (line > 0 && (lines[line - 1] ?? '').includes(IGNORE_MARK));
  };

  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && calleeName(node.tag) !== undefined && CHECKED_FUNCTIONS.has(calleeName(node.tag) as string)) {
      if (!ignored(node)) {
        const folded = foldTaggedTemplate(sf, node.template);
        sites.push({ kind: 'static', ...folded, binds: true, via: 'soql`…`', start: node.template.getStart(sf) });
      }
    } else if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const arg = node.arguments[0];
      if (name !== undefined && arg !== undefined && (QUERY_FUNCTIONS.has(name) || CHECKED_FUNCTIONS.has(name)) && !ignored(node)) {
        const checked = CHECKED_FUNCTIONS.has(name);
        const via = `${name}()`;
        const result = fold(sf, arg, consts, 0);
        if (result !== undefined && 'dynamic' in result) {
          // Only report run-time text that looks like SOQL (`.query()` is a common name).
          if (checked || /\bselect\b/i.test(arg.getText(sf))) {
            sites.push({ kind: 'dynamic', via, start: arg.getStart(sf), reason: result.dynamic });
          }
        } else if (result !== undefined && (checked || SOQL_START.test(result.text))) {
          sites.push({ kind: 'static', text: result.text, positions: [...result.positions, arg.end - 1], binds: checked, via, start: arg.getStart(sf) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites;
}

function calleeName(expr: ts.Expression): string | undefined {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  return undefined;
}

/** `const NAME = <initializer>` declarations of the file (any scope), by name; shadowing is ignored. */
function collectConsts(sf: ts.SourceFile): Map<string, ts.Expression> {
  const consts = new Map<string, ts.Expression>();
  const duplicate = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.Const) !== 0) {
      for (const d of node.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer) {
          if (consts.has(d.name.text)) duplicate.add(d.name.text);
          consts.set(d.name.text, d.initializer);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const name of duplicate) consts.delete(name);
  return consts;
}

/**
 * Folds an expression to SOQL text with positions: string literals, templates, `+`, parentheses,
 * `as`/`satisfies`, and identifiers bound to folding `const`s. `undefined` means "not a string
 * expression we recognise" (a builder, a variable of unknown kind): the caller skips it.
 */
function fold(sf: ts.SourceFile, expr: ts.Expression, consts: Map<string, ts.Expression>, depth: number): FoldResult {
  if (depth > 20) return undefined;
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return literalPiece(sf, expr);
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) {
    return fold(sf, expr.expression, consts, depth + 1);
  }
  if (ts.isTemplateExpression(expr)) {
    const head = literalPiece(sf, expr.head);
    let text = head.text;
    const positions = [...head.positions];
    for (const span of expr.templateSpans) {
      const sub = fold(sf, span.expression, consts, depth + 1);
      if (sub === undefined) return { dynamic: `template substitution \${${shortText(sf, span.expression)}}` };
      if ('dynamic' in sub) return sub;
      text += sub.text;
      positions.push(...sub.positions);
      const lit = literalPiece(sf, span.literal);
      text += lit.text;
      positions.push(...lit.positions);
    }
    return { text, positions };
  }
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = fold(sf, expr.left, consts, depth + 1);
    const right = fold(sf, expr.right, consts, depth + 1);
    if (left === undefined && right === undefined) return undefined;
    if (left === undefined) return { dynamic: `concatenation with ${shortText(sf, expr.left)}` };
    if (right === undefined) return { dynamic: `concatenation with ${shortText(sf, expr.right)}` };
    if ('dynamic' in left) return left;
    if ('dynamic' in right) return right;
    return { text: left.text + right.text, positions: [...left.positions, ...right.positions] };
  }
  if (ts.isIdentifier(expr)) {
    const init = consts.get(expr.text);
    if (init === undefined) return undefined;
    return fold(sf, init, consts, depth + 1);
  }
  return undefined;
}

/** A tagged template: substitutions become `:__0`-style binds mapped to the substitution. */
function foldTaggedTemplate(sf: ts.SourceFile, template: ts.TemplateLiteral): { text: string; positions: number[] } {
  if (ts.isNoSubstitutionTemplateLiteral(template)) {
    const p = literalPiece(sf, template);
    return { text: p.text, positions: [...p.positions, template.end - 1] };
  }
  const head = literalPiece(sf, template.head);
  let text = head.text;
  const positions = [...head.positions];
  template.templateSpans.forEach((span, i) => {
    const bind = ` :__${i} `;
    const at = span.expression.getStart(sf);
    text += bind;
    for (let k = 0; k < bind.length; k++) positions.push(at);
    const lit = literalPiece(sf, span.literal);
    text += lit.text;
    positions.push(...lit.positions);
  });
  positions.push(template.end - 1);
  return { text, positions };
}

function shortText(sf: ts.SourceFile, node: ts.Node): string {
  const t = node.getText(sf).replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/**
 * Cooked text of a string or template piece with the file position of each character. Escapes are
 * decoded from the raw source; if the decoding disagrees with TypeScript's cooked text, every
 * character maps to the literal's start (never a wrong column silently).
 */
function literalPiece(
  sf: ts.SourceFile,
  node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateHead | ts.TemplateMiddle | ts.TemplateTail,
): Folded {
  const start = node.getStart(sf);
  const rawStart = start + 1; // after ', ", ` or }
  const rawEnd = ts.isTemplateHead(node) || ts.isTemplateMiddle(node) ? node.end - 2 : node.end - 1;
  const raw = sf.text.slice(rawStart, rawEnd);
  const template = !ts.isStringLiteral(node);
  let text = '';
  const positions: number[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i] as string;
    const at = rawStart + i;
    if (c === '\\') {
      const n = raw[i + 1] ?? '';
      let len = 2;
      let cooked: string;
      switch (n) {
        case 'n': cooked = '\n'; break;
        case 'r': cooked = '\r'; break;
        case 't': cooked = '\t'; break;
        case 'b': cooked = '\b'; break;
        case 'f': cooked = '\f'; break;
        case 'v': cooked = '\v'; break;
        case '0': cooked = '\0'; break;
        case 'x': cooked = String.fromCharCode(parseInt(raw.slice(i + 2, i + 4), 16)); len = 4; break;
        case 'u': {
          if (raw[i + 2] === '{') {
            const close = raw.indexOf('}', i + 3);
            cooked = String.fromCodePoint(parseInt(raw.slice(i + 3, close), 16));
            len = close - i + 1;
          } else {
            cooked = String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16));
            len = 6;
          }
          break;
        }
        case '\r': cooked = ''; len = raw[i + 2] === '\n' ? 3 : 2; break;
        case '\n':
        case '\u2028':
        case '\u2029': cooked = ''; break;
        default: cooked = n;
      }
      text += cooked;
      for (let k = 0; k < cooked.length; k++) positions.push(at);
      i += len;
      continue;
    }
    if (template && c === '\r') {
      text += '\n';
      positions.push(at);
      i += raw[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    text += c;
    positions.push(at);
    i++;
  }
  const expected = node.text;
  if (text !== expected) {
    return { text: expected, positions: Array.from({ length: expected.length }, () => start) };
  }
  return { text, positions };
}
