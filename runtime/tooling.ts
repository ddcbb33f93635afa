/**
 * Internals that sfgen's own CLI and generator (the `sfgen-cli` package) share with the runtime:
 * the SOQL parser and AST, the query binder and schema index behind `sfgen lint`, and the field
 * type tables the generator emits descriptors from. Entry point of the `sfgen/tooling` subpath.
 *
 * Not a stable API for applications: it moves with `sfgen-cli`, which pins the runtime version it
 * was built with. Applications import `sfgen/runtime` (and `sfgen/bulk`, `sfgen/pubsub`,
 * `sfgen/simulator`).
 */
export { parseSoql, parseSoqlWithBinds } from './soql/parser.js';
export { SoqlParseError } from './soql/lexer.js';
export type * from './soql/ast.js';
export { bindQuery } from './simulation/query/bind.js';
export { IndexedSchema } from './simulation/query/schema.js';
export type { QueryObject, QuerySchema } from './simulation/query/schema.js';
export { FIELD_TYPES } from './schema.js';
export type { FieldType, FieldDescriptor } from './schema.js';
export { FIELD_FLAG_WORDS, nullableOnRead } from './fields.js';
export type { FieldDetails, FieldFlag } from './fields.js';
