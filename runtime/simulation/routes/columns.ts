/**
 * `GET /query?q=...&columns=true`: the query's column metadata instead of its rows, as Salesforce
 * answers it (the sf CLI's `data query` asks for it after every query that returns rows):
 * `{columnMetadata: [...], entityName, groupBy, idSelected, keyPrefix}`. Each column has
 * `columnName`, `displayName`, `joinColumns` (parent fields under a relationship column, child
 * subquery columns under an `aggregate: true` relationship column), `aggregate` (functions and
 * subqueries), the field's Apex type and whether it is insertable/updatable. Function columns are
 * named by their alias or `exprN`, displayed as written (`avg(Amount)`).
 */
import { parseSoql, SoqlParseError } from '../../soql/parser.js';
import { sfError, SimHttpError } from '../errors.js';
import { bindQuery, schemaFromStore, SoqlError, type QueryField } from '../query/index.js';
import type { BoundColumn, BoundPath, BoundQuery } from '../query/bind.js';
import type { SimOrg } from '../store.js';

/** One entry of `columnMetadata`. */
export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

/** Apex type of a describe field type (the `apexType` of a column). */
const APEX_TYPES: Readonly<Record<string, string>> = {
  id: 'Id',
  reference: 'Id',
  string: 'String',
  textarea: 'String',
  email: 'String',
  phone: 'String',
  url: 'String',
  picklist: 'String',
  multipicklist: 'String',
  combobox: 'String',
  encryptedstring: 'String',
  boolean: 'Boolean',
  int: 'Integer',
  long: 'Long',
  double: 'Double',
  currency: 'Decimal',
  percent: 'Decimal',
  date: 'Date',
  datetime: 'Datetime',
  time: 'Time',
  base64: 'Blob',
  address: 'Address',
  location: 'Location',
};
const TEXT = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const NUMBER = new Set(['int', 'long', 'double', 'currency', 'percent']);

function column(name: string, display: string, extra: Partial<ColumnMetadata> = {}): ColumnMetadata {
  return {
    aggregate: false,
    apexType: null,
    booleanType: false,
    columnName: name,
    custom: false,
    displayName: display,
    foreignKeyName: null,
    insertable: false,
    joinColumns: [],
    numberType: false,
    textType: false,
    updatable: false,
    ...extra,
  };
}

export function columnsResponse(soql: string, org: SimOrg, now: number): Record<string, unknown> {
  let bound: BoundQuery | undefined;
  try {
    const parsed = parseSoql(soql);
    bound = bindQuery(parsed, schemaFromStore(org), { failFast: true, text: soql, now }).query;
  } catch (error) {
    if (error instanceof SoqlParseError) {
      const e = new SoqlError('MALFORMED_QUERY', error.detail, soql, { start: error.offset, end: error.endOffset });
      throw new SimHttpError(400, sfError(e.errorCode, e.message));
    }
    if (error instanceof SoqlError) throw new SimHttpError(400, sfError(error.errorCode, error.message));
    throw error;
  }
  if (bound === undefined) throw new SimHttpError(400, sfError('MALFORMED_QUERY', 'query could not be bound'));
  const q = bound;
  const d = org.describe(q.object.name);
  const fieldOf = (object: string, name: string) => org.field(object, name);
  const fieldColumn = (object: string | undefined, f: QueryField, display: string): ColumnMetadata => {
    const full = object === undefined ? undefined : fieldOf(object, f.name);
    return column(f.name, display, {
      apexType: APEX_TYPES[f.type] ?? null,
      booleanType: f.type === 'boolean',
      custom: f.custom === true,
      insertable: full?.createable === true,
      updatable: full?.updateable === true,
      numberType: NUMBER.has(f.type),
      textType: TEXT.has(f.type),
    });
  };
  /** A field path: plain fields flat, `Owner.Name` as a relationship column holding `Name`. */
  const pathColumn = (from: string, p: BoundPath, depth = 0): ColumnMetadata => {
    if (depth === p.rels.length) return fieldColumn(ownerOf(from, p, depth), p.field, p.field.name);
    const rel = p.rels[depth]!;
    const owner = ownerOf(from, p, depth);
    const fk = owner === undefined ? undefined : org.describe(owner)?.fields.find((f) => f.relationshipName === rel.name);
    return column(rel.name, rel.name, { foreignKeyName: fk?.name ?? null, joinColumns: [pathColumn(from, p, depth + 1)] });
  };
  /** The object a path segment sits on (the first polymorphic target when several). */
  const ownerOf = (from: string, p: BoundPath, depth: number): string | undefined => {
    let object: string | undefined = from;
    for (let i = 0; i < depth; i++) object = p.rels[i]?.targets[0];
    return object;
  };
  const toColumns = (from: string, cols: readonly BoundColumn[]): ColumnMetadata[] => {
    const out: ColumnMetadata[] = [];
    for (const c of cols) {
      switch (c.kind) {
        case 'path':
          out.push(mergeInto(out, pathColumn(from, c.path)));
          break;
        case 'typeof':
          out.push(column(c.rel.name, c.rel.name, { joinColumns: [...new Map([...c.whens.flatMap((w) => w.fields), ...(c.else ?? [])].map((f) => [f.field.name, fieldColumn(undefined, f.field, f.field.name)])).values()] }));
          break;
        case 'child':
          out.push(column(c.name, c.name, { aggregate: true, joinColumns: toColumns(c.childObject, c.query.columns) }));
          break;
        case 'expr': {
          if (c.expr.kind === 'path') {
            // A grouped field of an aggregate query: a plain field column.
            out.push(mergeInto(out, pathColumn(from, c.expr)));
            break;
          }
          const span = c.expr.span;
          const display = span === undefined ? c.key : soql.slice(span.start, span.end);
          out.push(column(c.key, display, { aggregate: true, numberType: c.expr.kind === 'fn' && c.expr.cls === 'number' }));
          break;
        }
      }
    }
    // Relationship columns merged into an earlier one are marked and dropped here.
    return out.filter((c) => !merged.has(c));
  };
  const merged = new WeakSet<ColumnMetadata>();
  /** `Owner.Name, Owner.Email`: one `Owner` column with both join columns, as Salesforce lists them. */
  const mergeInto = (list: ColumnMetadata[], c: ColumnMetadata): ColumnMetadata => {
    if (c.joinColumns.length === 0 || c.aggregate) return c;
    const earlier = list.find((x) => !merged.has(x) && !x.aggregate && x.joinColumns.length > 0 && x.columnName.toLowerCase() === c.columnName.toLowerCase());
    if (earlier === undefined) return c;
    for (const j of c.joinColumns) earlier.joinColumns.push(mergeInto(earlier.joinColumns, j));
    earlier.joinColumns = earlier.joinColumns.filter((x) => !merged.has(x));
    merged.add(c);
    return c;
  };
  const columnMetadata = q.countOnly ? [] : toColumns(q.object.name, q.columns);
  return {
    columnMetadata,
    entityName: q.object.name,
    groupBy: q.groupBy !== undefined,
    idSelected: q.columns.some((c) => c.kind === 'path' && c.path.rels.length === 0 && c.path.field.name === 'Id'),
    keyPrefix: d?.keyPrefix ?? null,
  };
}
