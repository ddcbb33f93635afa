/**
 * Small TypeScript-text helpers every emitter uses: string literals, quoted keys, unions. The
 * generated code is text; these functions are the only place that decides how a value is spelled.
 */

/**
 * A single-quoted TypeScript string literal for any text (picklist values such as `__proto__`,
 * `A, B & "C"`, `日本語`, backslashes, line breaks).
 *
 * @example
 * ```ts
 * str("it's"); // "'it\\'s'"
 * ```
 */
export function str(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "'") out += "\\'";
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/** A quoted property key (`'Name'`): API names are always quoted, so reserved words are safe. */
export function key(name: string): string {
  return str(name);
}

/** A union type of literal strings, `never` when empty. */
export function literalUnion(values: readonly string[]): string {
  return values.length === 0 ? 'never' : values.map(str).join(' | ');
}

/** An array literal of strings (`['A', 'B']`). */
export function stringArray(values: readonly string[]): string {
  return `[${values.map(str).join(', ')}]`;
}

/** A JavaScript literal for a primitive. */
export function literal(value: string | number | boolean | null): string {
  if (typeof value === 'string') return str(value);
  return String(value);
}

/** Indents every non-empty line of a block. */
export function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');
}
