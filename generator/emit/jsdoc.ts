/**
 * JSDoc from labels, help text and type details. Text is Salesforce's (unicode, any characters):
 * `*\/` is broken so it cannot end the comment, `@` at a word start is escaped so help text cannot
 * open a tag, and line breaks become separate comment lines.
 */
import type { FieldModel } from '../model/types.js';
import { lookupByOf } from './descriptor.js';

/** Longest formula text quoted in a comment. */
const MAX_FORMULA = 160;

/** Escapes text for use inside a block comment. */
export function escapeComment(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\*\//g, '*\\/')
    .replace(/(^|\s)@/g, '$1\\@')
    .replace(/[\u2028\u2029]/g, '\n');
}

/**
 * A JSDoc comment from lines (null lines skipped), indented for a member; empty when no line
 * remains. At most two lines: the first line, then every further line joined into a second one
 * (help text paragraphs, formulas), so that a generated file stays close to one line per field.
 *
 * @example
 * ```ts
 * jsdoc(['Account Name', null]); // "  /** Account Name *\/\n"
 * jsdoc(['Rating', 'Hot, Warm\nor Cold']); // "  /** Rating\n   * Hot, Warm or Cold *\/\n"
 * ```
 */
export function jsdoc(lines: readonly (string | null)[], pad = '  '): string {
  const text = lines
    .filter((l): l is string => l !== null && l.trim() !== '')
    .flatMap((l) => escapeComment(l).split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const [first, ...rest] = text;
  if (first === undefined) return '';
  if (rest.length === 0) return `${pad}/** ${first} */\n`;
  return `${pad}/** ${first}\n${pad} * ${rest.join(' ')} */\n`;
}

function quoteList(values: readonly string[], max = 30): string {
  const shown = values.slice(0, max).map((v) => JSON.stringify(v));
  return values.length > max ? `${shown.join(', ')}, … (${values.length - max} more)` : shown.join(', ');
}

/** The type-details line of a field: `Text(255)`, `Number(18, 2)`, `Lookup(User)`, ... */
export function typeDetails(field: FieldModel): string {
  switch (field.type) {
    case 'textarea':
      if (field.extraTypeInfo === 'richtextarea' || field.htmlFormatted) return `rich text area(${field.length}, HTML)`;
      return field.length > 0 ? `textarea(${field.length})` : 'textarea';
    case 'string':
    case 'email':
    case 'phone':
    case 'url':
    case 'encryptedstring':
    case 'combobox':
    case 'multipicklist':
    case 'picklist':
      return field.length > 0 ? `${field.type}(${field.length})` : field.type;
    case 'double':
    case 'currency':
    case 'percent':
      return field.precision > 0 ? `${field.type}(${field.precision}, ${field.scale})` : field.type;
    case 'int':
    case 'long':
      return field.digits > 0 ? `${field.type}(${field.digits} digits)` : field.type;
    case 'reference': {
      const targets = field.reference?.referenceTo ?? [];
      const by = lookupByOf(field);
      if (by !== null) {
        const kind = field.extraTypeInfo === 'externallookup' ? 'external lookup' : 'indirect lookup';
        return `${kind}(${targets.map((t) => `${t}.${by}`).join(' | ')})`;
      }
      const kind = field.reference?.masterDetail ? 'master-detail' : field.reference?.polymorphic ? 'polymorphic lookup' : 'lookup';
      return `${kind}(${targets.join(' | ')})`;
    }
    default:
      return field.type;
  }
}

/**
 * The documentation lines of a field: label, help text, type details and the properties that
 * change how it may be used.
 */
export function fieldDocLines(field: FieldModel): string[] {
  const flags: string[] = [typeDetails(field)];
  if (field.calculated === 'formula') flags.push('formula');
  if (field.calculated === 'rollup') flags.push('roll-up summary');
  if (field.autoNumber) flags.push('auto-number');
  if (field.encrypted) flags.push('encrypted (reads may be masked)');
  if (field.externalId) flags.push('external id');
  if (field.unique) flags.push('unique');
  if (field.requiredOnCreate) flags.push('required on create');
  const compound = field.type === 'address' || field.type === 'location';
  if (!field.createable && !field.updateable && !compound) flags.push('read-only');
  else if (field.createable && !field.updateable) flags.push('create-only');
  if (field.compoundFieldName !== null) flags.push(`component of ${field.compoundFieldName}`);
  if (compound) flags.push('compound (read-only; write its components)');
  if (field.reference?.relationshipName) flags.push(`relationship ${field.reference.relationshipName}`);
  if (field.picklist?.restricted) flags.push('restricted');
  if (field.picklist?.dependent && field.picklist.controllerName) flags.push(`depends on ${field.picklist.controllerName}`);
  const lines: string[] = [`${field.label} · \`${field.name}\` · ${flags.join(' · ')}`];
  const by = lookupByOf(field);
  if (by !== null) {
    const targets = field.reference?.referenceTo ?? [];
    lines.push(`Holds the parent's ${targets.map((t) => `${t}.${by}`).join(' or ')} value, not a record id.`);
  }
  if (field.type === 'textarea' && (field.extraTypeInfo === 'richtextarea' || field.htmlFormatted)) {
    lines.push('Holds HTML (rich text): escape or sanitize it before display, and write HTML.');
  }
  if (field.helpText) lines.push(field.helpText);
  if (field.type === 'multipicklist' && field.picklist) {
    lines.push(`Values (\`;\`-joined): ${quoteList(field.picklist.values.filter((v) => v.active).map((v) => v.value))}`);
  }
  if (field.formula) {
    const f = field.formula.replace(/\s+/g, ' ').trim();
    lines.push(`Formula: ${f.length > MAX_FORMULA ? `${f.slice(0, MAX_FORMULA)}…` : f}`);
  }
  return lines;
}
