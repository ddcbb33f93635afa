/** JSON parsing that names the file and the line of a syntax error. */
import { MetadataError } from './errors.js';

/** Line and column (1-based) of a character offset in a text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Parses JSON text; a syntax error becomes a {@link MetadataError} naming the origin and the line.
 *
 * @example
 * ```ts
 * parseJsonText('{"a":1}', 'sobjects/Account.json'); // { a: 1 }
 * ```
 */
export function parseJsonText(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const at = position?.[1] !== undefined ? lineColumn(text, Number(position[1])) : null;
    const where = at ? `${origin}:${at.line}:${at.column}` : origin;
    throw new MetadataError('MALFORMED_DESCRIBE', `Malformed JSON in ${where}: ${message}`, origin, { cause: error });
  }
}
