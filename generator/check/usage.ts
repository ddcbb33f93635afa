/**
 * The usage scanner: finds where a TypeScript codebase uses the generated objects and fields, so
 * that the drift check can tell a change the code depends on from one it never touches (like
 * graphql-inspector's `considerUsage`).
 *
 * With ts-morph and the type checker it records:
 * - imports of generated modules (`generated/sobjects/Account`, `generated/types/Account`, or a barrel);
 * - property accesses (`rec.Industry`, `rec['Industry']`) whose property is declared in a generated
 *   file: the declaring type tells a record (read) from a create or update payload;
 * - object-literal keys typed (contextually) by a generated type (`{ Name: 'x' }` passed as a create payload);
 * - `create` / `update` / `upsert` / `delete` calls on a receiver that mentions a generated object;
 * - `switch` statements over a generated field (a picklist), exhaustive when there is no `default`;
 * - SOQL in string and template literals (`SELECT Name FROM Account WHERE Industry = 'x'`), parsed
 *   with sfgen's SOQL parser: fields read, filtered, sorted, grouped, parent paths and subqueries;
 * - field names passed as strings to builder calls on a generated object (`.where('Industry', ...)`).
 *
 * Names are resolved case-insensitively against the snapshot model and recorded in their
 * canonical case.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import { Node, Project, SyntaxKind, ts, type ResolutionHostFactory, type SourceFile, type Type } from 'ts-morph';
import { parseSoqlWithBinds } from 'sfgen/tooling';
import type { Condition, FieldRef, FunctionArg, SelectQuery, Span, ValueExpr } from 'sfgen/tooling';
import type { ObjectModel } from '../model/types.js';
import type { UsageKind, UsageSite } from './changes.js';

/** Where to scan and what the generated code is. */
export interface UsageScanOptions {
  /** A tsconfig.json whose program is scanned. */
  readonly project?: string;
  /** A directory whose `.ts`/`.tsx`/`.mts`/`.cts` files are scanned (node_modules excluded). */
  readonly dir?: string;
  /** The generated output directory (`--out`); files inside it are not scanned. */
  readonly generatedDir: string;
  /** The snapshot's objects: resolves names, relationships and subqueries. */
  readonly objects: readonly ObjectModel[];
  /** Paths in sites are relative to this (default: the current directory). */
  readonly cwd?: string;
  /**
   * The module specifier generated code imports the runtime from (default `sfgen/runtime`). Its
   * package (and `sfgen`'s) is the only one in `node_modules` the scanner resolves: see
   * {@link leanResolution}.
   */
  readonly runtimeImport?: string;
}

/** What the scanner found. */
export interface UsageIndex {
  /** Files scanned. */
  readonly files: number;
  readonly sites: readonly UsageSite[];
  /** SOQL strings that looked like queries but did not parse (file:line:col and the parser's message). */
  readonly unparsedSoql: readonly { file: string; line: number; column: number; message: string }[];
}

/** A scanner failure (bad tsconfig, missing directory). */
export class UsageScanError extends Error {
  override readonly name = 'UsageScanError';
}

interface ObjectInfo {
  readonly model: ObjectModel;
  readonly fields: ReadonlyMap<string, string>; // lower -> canonical
  /** Parent relationship name (lower) -> { field, targets }. */
  readonly parents: ReadonlyMap<string, { field: string; relationship: string; referenceTo: readonly string[] }>;
  /** Child relationship name (lower) -> child object. */
  readonly children: ReadonlyMap<string, { relationship: string; childSObject: string; field: string }>;
}

class ModelIndex {
  readonly objects = new Map<string, ObjectInfo>();
  /** Every field and relationship name (lower case) of any object: a cheap pre-filter for SOQL. */
  readonly memberNames = new Set<string>();
  /** The same names as written: TypeScript property names are case-sensitive, so code is filtered by these. */
  readonly exactMemberNames = new Set<string>();

  constructor(objects: readonly ObjectModel[]) {
    for (const model of objects) {
      const fields = new Map<string, string>();
      const parents = new Map<string, { field: string; relationship: string; referenceTo: readonly string[] }>();
      for (const f of model.fields) {
        fields.set(f.name.toLowerCase(), f.name);
        this.memberNames.add(f.name.toLowerCase());
        this.exactMemberNames.add(f.name);
        const rel = f.reference?.relationshipName;
        if (rel) {
          parents.set(rel.toLowerCase(), { field: f.name, relationship: rel, referenceTo: f.reference?.referenceTo ?? [] });
          this.memberNames.add(rel.toLowerCase());
          this.exactMemberNames.add(rel);
        }
      }
      const children = new Map<string, { relationship: string; childSObject: string; field: string }>();
      for (const c of model.childRelationships) {
        if (!c.relationshipName) continue;
        children.set(c.relationshipName.toLowerCase(), { relationship: c.relationshipName, childSObject: c.childSObject, field: c.field });
        this.memberNames.add(c.relationshipName.toLowerCase());
        this.exactMemberNames.add(c.relationshipName);
      }
      this.objects.set(model.name.toLowerCase(), { model, fields, parents, children });
    }
  }

  object(name: string): ObjectInfo | undefined {
    return this.objects.get(name.toLowerCase());
  }
}

const SOQL_HINT = /^\s*\(?\s*select\b[\s\S]*\bfrom\b/i;
const WRITE_METHODS: Record<string, UsageKind[]> = {
  create: ['create'],
  insert: ['create'],
  update: ['update'],
  upsert: ['create', 'update'],
  delete: ['delete'],
  del: ['delete'],
  destroy: ['delete'],
  remove: ['delete'],
};

/**
 * Scans a codebase for uses of the generated objects and fields.
 *
 * @example
 * ```ts
 * const usage = scanUsage({ project: 'tsconfig.json', generatedDir: 'generated', objects: snapshot.model.objects });
 * usage.sites.filter((s) => s.object === 'Account' && s.field === 'Industry');
 * ```
 */
export function scanUsage(options: UsageScanOptions): UsageIndex {
  const cwd = options.cwd ?? process.cwd();
  const generatedDir = resolve(cwd, options.generatedDir);
  const project = openProject(options, cwd, generatedDir);
  const model = new ModelIndex(options.objects);
  const sites: UsageSite[] = [];
  const unparsed: Array<{ file: string; line: number; column: number; message: string }> = [];
  const seen = new Set<string>();
  let files = 0;

  const inGenerated = (path: string): boolean => {
    const p = resolve(path);
    return p === generatedDir || p.startsWith(generatedDir + sep);
  };

  /** The generated object a declaration belongs to, from its file (`types/Account.d.ts` or `sobjects/Account.ts` -> Account). */
  const objectOfFile = (path: string): ObjectInfo | undefined => {
    if (!inGenerated(path)) return undefined;
    const base = basename(path).replace(/(\.d)?\.[cm]?tsx?$/, '');
    return model.object(base);
  };

  for (const sourceFile of project.getSourceFiles()) {
    const path = sourceFile.getFilePath();
    if (inGenerated(path) || path.includes(`${sep}node_modules${sep}`) || path.includes('/node_modules/')) continue;
    if (sourceFile.isDeclarationFile()) continue;
    files++;
    const file = relative(cwd, path).split(sep).join('/');
    const add = (node: Node | number, site: Omit<UsageSite, 'file' | 'line' | 'column'>, offset = 0): void => {
      const pos = (typeof node === 'number' ? node : node.getStart()) + offset;
      const { line, column } = sourceFile.getLineAndColumnAtPos(pos);
      const key = `${file}:${pos}:${site.object}:${site.field ?? ''}:${site.relationship ?? ''}:${site.kind}`;
      if (seen.has(key)) return;
      seen.add(key);
      sites.push({ ...site, file, line, column });
    };
    scanFile(sourceFile, { model, objectOfFile, inGenerated, add, unparsed, file });
  }
  sites.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.kind, b.kind) || cmp(a.object, b.object) || cmp(a.field ?? '', b.field ?? ''));
  return { files, sites, unparsedSoql: unparsed };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The package name of a bare module specifier (`@scope/pkg/sub` -> `@scope/pkg`), or undefined for a relative or absolute path. */
function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Module resolution for the scan: the application's own files (`paths` aliases included), the
 * generated code and the runtime package resolve as the compiler would; every other package the
 * compiler finds in `node_modules` (test frameworks, `@types/node`, zod, ...) is left unresolved. The scanner only asks the type checker about values
 * whose types come from the generated code and the runtime, so the rest is parsing and binding
 * that answers nothing: leaving it out makes the scan of a small project about twice as fast.
 */
function leanResolution(runtimeImport: string | undefined): ResolutionHostFactory {
  const keep = new Set(['sfgen', packageName(runtimeImport ?? 'sfgen/runtime') ?? 'sfgen']);
  return (host, getCompilerOptions) => ({
    resolveModuleNames: (moduleNames, containingFile, _reused, redirectedReference, _options, containingSourceFile) =>
      moduleNames.map((name) => {
        const resolved = ts.resolveModuleName(name, containingFile, getCompilerOptions(), host, undefined, redirectedReference, containingSourceFile?.impliedNodeFormat)
          .resolvedModule;
        // Only what resolves into node_modules is dropped: `paths` aliases and workspace links to
        // the application's own code (or to its generated code) still resolve.
        if (resolved?.isExternalLibraryImport !== true) return resolved;
        const pkg = packageName(name);
        return pkg !== undefined && keep.has(pkg) ? resolved : undefined;
      }),
  });
}

function openProject(options: UsageScanOptions, cwd: string, generatedDir: string): Project {
  const resolutionHost = leanResolution(options.runtimeImport);
  if (options.project) {
    const tsconfig = resolve(cwd, options.project);
    if (!existsSync(tsconfig)) throw new UsageScanError(`usage scan: ${options.project} does not exist`);
    try {
      return new Project({ tsConfigFilePath: tsconfig, skipFileDependencyResolution: true, resolutionHost });
    } catch (error) {
      throw new UsageScanError(`usage scan: cannot load ${options.project}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
  if (!options.dir) throw new UsageScanError('usage scan: give a tsconfig (--project) or a directory (--usage-dir)');
  const dir = resolve(cwd, options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageScanError(`usage scan: ${options.dir} is not a directory`);
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      allowJs: false,
      skipLibCheck: true,
      noEmit: true,
      // No DOM and no @types packages: nothing the scanner asks about is declared there.
      lib: ['lib.es2023.d.ts'],
      types: [],
    },
    resolutionHost,
  });
  project.addSourceFilesAtPaths([
    `${toGlob(dir)}/**/*.{ts,tsx,mts,cts}`,
    `!${toGlob(dir)}/**/node_modules/**`,
    `!${toGlob(dir)}/**/*.d.ts`,
  ]);
  void generatedDir; // resolved through imports by the type checker; never scanned
  return project;
}

function toGlob(path: string): string {
  return path.split(sep).join('/');
}

interface FileContext {
  readonly model: ModelIndex;
  readonly objectOfFile: (path: string) => ObjectInfo | undefined;
  readonly inGenerated: (path: string) => boolean;
  readonly add: (node: Node | number, site: Omit<UsageSite, 'file' | 'line' | 'column'>, offset?: number) => void;
  readonly unparsed: Array<{ file: string; line: number; column: number; message: string }>;
  readonly file: string;
}

function scanFile(sourceFile: SourceFile, ctx: FileContext): void {
  const { model } = ctx;

  // Imports of generated modules.
  for (const decl of sourceFile.getImportDeclarations()) {
    const target = decl.getModuleSpecifierSourceFile();
    const targetPath = target?.getFilePath();
    if (!targetPath || !ctx.inGenerated(targetPath)) continue;
    const obj = ctx.objectOfFile(targetPath);
    if (obj) {
      ctx.add(decl, { object: obj.model.name, field: null, kind: 'import' });
      continue;
    }
    // A barrel (`generated/index.ts`): named imports that are object names (or Object + suffix).
    for (const spec of decl.getNamedImports()) {
      const name = spec.getName();
      const found = model.object(name) ?? model.object(name.replace(/(Record|Create|Update|Upsert|Meta|Fields|Type|Query)$/, ''));
      if (found) ctx.add(spec, { object: found.model.name, field: null, kind: 'import' });
    }
  }

  sourceFile.forEachDescendant((node) => {
    switch (node.getKind()) {
      case SyntaxKind.PropertyAccessExpression: {
        const pa = node.asKindOrThrow(SyntaxKind.PropertyAccessExpression);
        const nameNode = pa.getNameNode();
        const name = nameNode.getText();
        if (!model.exactMemberNames.has(name)) {
          if (WRITE_METHODS[name] && Node.isCallExpression(pa.getParent()) && (pa.getParent() as Node).getChildAtIndex(0) === pa) {
            writeCall(pa.getExpression(), name, nameNode, ctx);
          }
          return;
        }
        memberUse(nameNode, name, ctx);
        return;
      }
      case SyntaxKind.ElementAccessExpression: {
        const ea = node.asKindOrThrow(SyntaxKind.ElementAccessExpression);
        const arg = ea.getArgumentExpression();
        if (arg && Node.isStringLiteral(arg) && model.exactMemberNames.has(arg.getLiteralText())) {
          memberUse(arg, arg.getLiteralText(), ctx);
        }
        return;
      }
      case SyntaxKind.ObjectLiteralExpression: {
        objectLiteral(node.asKindOrThrow(SyntaxKind.ObjectLiteralExpression), ctx);
        return;
      }
      case SyntaxKind.SwitchStatement: {
        const sw = node.asKindOrThrow(SyntaxKind.SwitchStatement);
        const expr = sw.getExpression();
        const target = Node.isPropertyAccessExpression(expr)
          ? expr.getNameNode()
          : Node.isElementAccessExpression(expr)
            ? expr.getArgumentExpression()
            : undefined;
        if (!target) return;
        const resolved = resolveMember(target, ctx);
        if (!resolved || !resolved.field) return;
        const exhaustive = !sw.getClauses().some((c) => Node.isDefaultClause(c));
        ctx.add(sw, { object: resolved.object, field: resolved.field, kind: 'switch', exhaustive });
        return;
      }
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral: {
        const lit = node as Node;
        const text = Node.isStringLiteral(lit) || Node.isNoSubstitutionTemplateLiteral(lit) ? lit.getLiteralText() : '';
        if (SOQL_HINT.test(text)) {
          soqlUse(text, lit.getStart() + 1, lit, ctx);
        } else if (model.exactMemberNames.has(text.split('.')[0] ?? '')) {
          builderArgument(lit, text, ctx);
        }
        return;
      }
      case SyntaxKind.TemplateExpression: {
        const te = node.asKindOrThrow(SyntaxKind.TemplateExpression);
        const origin = te.getStart() + 1;
        let text = te.getText().slice(1, -1);
        if (!SOQL_HINT.test(text)) return;
        // Replace each `${...}` with a quoted placeholder of the same length so spans still line up.
        let prevEnd = te.getHead().getEnd();
        for (const span of te.getTemplateSpans()) {
          const start = prevEnd - 2 - origin;
          const end = span.getLiteral().getStart() + 1 - origin;
          // Inside a quoted SOQL string the placeholder is plain text; elsewhere a quoted literal.
          const quotes = (text.slice(0, start).match(/(?<!\\)'/g) ?? []).length;
          const filler = quotes % 2 === 1 ? 'x'.repeat(end - start) : `'${'x'.repeat(Math.max(0, end - start - 2))}'`;
          text = text.slice(0, start) + filler + text.slice(end);
          prevEnd = span.getLiteral().getEnd();
        }
        soqlUse(text, origin, te, ctx);
        return;
      }
      default:
        return;
    }
  });
}

/** What a property access or key names: the generated object and field (or relationship). */
interface ResolvedMember {
  readonly object: string;
  readonly field: string | null;
  readonly relationship?: string;
  readonly kind: UsageKind;
}

function resolveMember(nameNode: Node, ctx: FileContext): ResolvedMember | undefined {
  const symbol = nameNode.getSymbol();
  if (!symbol) return undefined;
  return resolveSymbolDeclarations(symbol.getName(), symbol.getDeclarations(), ctx);
}

function resolveSymbolDeclarations(name: string, declarations: readonly Node[], ctx: FileContext): ResolvedMember | undefined {
  for (const decl of declarations) {
    const path = decl.getSourceFile().getFilePath();
    if (!ctx.inGenerated(path)) continue;
    const obj = ctx.objectOfFile(path) ?? objectFromAncestors(decl, ctx);
    if (!obj) continue;
    const kind = payloadKind(decl, obj.model.name);
    const field = obj.fields.get(name.toLowerCase());
    if (field) return { object: obj.model.name, field, kind };
    const parent = obj.parents.get(name.toLowerCase());
    if (parent) return { object: obj.model.name, field: parent.field, relationship: parent.relationship, kind: 'relationship' };
    const child = obj.children.get(name.toLowerCase());
    if (child) return { object: obj.model.name, field: null, relationship: child.relationship, kind: 'relationship' };
  }
  return undefined;
}

/** For generated files that are not per object (a barrel or a shared file): `AccountRecord` -> Account. */
function objectFromAncestors(decl: Node, ctx: FileContext): ObjectInfo | undefined {
  for (const anc of decl.getAncestors()) {
    if (Node.isInterfaceDeclaration(anc) || Node.isTypeAliasDeclaration(anc) || Node.isClassDeclaration(anc)) {
      const name = anc.getName() ?? '';
      const base = name.replace(/(Record|Create|CreateInput|Update|UpdateInput|Upsert|UpsertInput|Meta|Fields|Row)$/, '');
      const found = ctx.model.object(base);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Read, create or update, from the declaration around a generated property: `<Object>Create`,
 * `<Object>Update`, `<Object>Upsert` (the generator's names), or a `create` / `update` member of a
 * meta type; anything else is the record (read).
 */
function payloadKind(decl: Node, object: string): UsageKind {
  for (const anc of [decl, ...decl.getAncestors()]) {
    let name: string | undefined;
    if (Node.isInterfaceDeclaration(anc) || Node.isTypeAliasDeclaration(anc)) name = anc.getName();
    else if (Node.isPropertySignature(anc) && anc !== decl) name = anc.getName();
    if (!name) continue;
    const suffix = name.startsWith(object) ? name.slice(object.length) : name;
    if (/^(Create|CreateInput|Insert|create)$/.test(suffix)) return 'create';
    if (/^(Update|UpdateInput|Upsert|UpsertInput|update|upsert)$/.test(suffix)) return 'update';
    if (Node.isInterfaceDeclaration(anc) || Node.isTypeAliasDeclaration(anc)) return 'read';
  }
  return 'read';
}

function memberUse(nameNode: Node, name: string, ctx: FileContext): void {
  const symbol = nameNode.getSymbol();
  if (!symbol) return;
  let resolved = resolveSymbolDeclarations(name, symbol.getDeclarations(), ctx);
  if (!resolved) {
    // A property of an intersection or mapped type: look at the declared type of the receiver.
    const parent = nameNode.getParent();
    if (parent && (Node.isPropertyAccessExpression(parent) || Node.isElementAccessExpression(parent))) {
      const recvType = parent.getExpression().getType();
      resolved = resolveFromType(recvType, name, ctx);
    }
  }
  if (!resolved) return;
  let kind = resolved.kind;
  // `rec.Name = x` on a create/update payload stays create/update; on a record it is a read.
  if (kind === 'read' || kind === 'relationship') {
    const call = enclosingBuilderCall(nameNode);
    if (call) kind = call;
  }
  ctx.add(nameNode, { object: resolved.object, field: resolved.field, kind, ...(resolved.relationship ? { relationship: resolved.relationship } : {}) });
  if (resolved.relationship && kind !== 'relationship') {
    ctx.add(nameNode, { object: resolved.object, field: resolved.field, kind: 'relationship', relationship: resolved.relationship });
  }
}

function resolveFromType(type: Type, name: string, ctx: FileContext): ResolvedMember | undefined {
  const candidates = [type, ...(type.isUnion() ? type.getUnionTypes() : []), ...(type.isIntersection() ? type.getIntersectionTypes() : [])];
  for (const t of candidates) {
    const prop = t.getProperty(name);
    if (!prop) continue;
    const resolved = resolveSymbolDeclarations(name, prop.getDeclarations(), ctx);
    if (resolved) return resolved;
  }
  return undefined;
}

/** Inside `x.where(...)`, `x.orderBy(...)`, `x.groupBy(...)`: the clause kind. */
function enclosingBuilderCall(node: Node): UsageKind | undefined {
  for (const anc of node.getAncestors()) {
    if (Node.isCallExpression(anc)) {
      const callee = anc.getExpression();
      if (Node.isPropertyAccessExpression(callee)) {
        const kind = clauseKind(callee.getName());
        if (kind) return kind;
      }
      return undefined;
    }
    if (Node.isStatement(anc) || Node.isFunctionLikeDeclaration(anc)) return undefined;
  }
  return undefined;
}

function clauseKind(method: string): UsageKind | undefined {
  if (/^(where|andWhere|orWhere|having|filter)/i.test(method)) return 'filter';
  if (/^(orderBy|sort)/i.test(method)) return 'sort';
  if (/^groupBy/i.test(method)) return 'group';
  return undefined;
}

function objectLiteral(lit: Node, ctx: FileContext): void {
  if (!Node.isObjectLiteralExpression(lit)) return;
  const props = lit.getProperties().filter(
    (p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) && ctx.model.exactMemberNames.has(p.getName().replace(/^['"]|['"]$/g, '')),
  );
  // Only literals with a key named like a generated field can be payloads worth the type lookup.
  if (props.length === 0) return;
  const contextual = lit.getContextualType();
  if (!contextual) return;
  const types = contextual.isUnion() ? contextual.getUnionTypes() : [contextual];
  let objectKind: { object: string; kind: UsageKind } | undefined;
  for (const p of props) {
    if (!Node.isPropertyAssignment(p) && !Node.isShorthandPropertyAssignment(p)) continue;
    const name = p.getName().replace(/^['"]|['"]$/g, '');
    for (const t of types) {
      const prop = t.getProperty(name);
      if (!prop) continue;
      const resolved = resolveSymbolDeclarations(name, prop.getDeclarations(), ctx);
      if (!resolved) continue;
      let kind = resolved.kind;
      const clause = enclosingBuilderCall(lit);
      if (clause && kind === 'read') kind = clause;
      ctx.add(p.getNameNode(), { object: resolved.object, field: resolved.field, kind, ...(resolved.relationship ? { relationship: resolved.relationship } : {}) });
      if (kind === 'create' || kind === 'update') objectKind ??= { object: resolved.object, kind };
      break;
    }
  }
  // An empty or unmatched payload still creates/updates the object: find it from the type.
  if (!objectKind) {
    for (const t of types) {
      const symbol = t.getAliasSymbol() ?? t.getSymbol();
      for (const decl of symbol?.getDeclarations() ?? []) {
        if (!ctx.inGenerated(decl.getSourceFile().getFilePath())) continue;
        const obj = ctx.objectOfFile(decl.getSourceFile().getFilePath()) ?? objectFromAncestors(decl, ctx);
        const kind = obj ? payloadKind(decl, obj.model.name) : 'read';
        if (obj && (kind === 'create' || kind === 'update')) objectKind = { object: obj.model.name, kind };
      }
      if (objectKind) break;
    }
  }
  if (objectKind) ctx.add(lit, { object: objectKind.object, field: null, kind: objectKind.kind });
}

/** `client.sobject(Account).create(...)`: the object comes from an identifier in the receiver. */
function writeCall(receiver: Node, method: string, at: Node, ctx: FileContext): void {
  const kinds = WRITE_METHODS[method];
  if (!kinds) return;
  const obj = generatedObjectIn(receiver, ctx);
  if (!obj) return;
  for (const kind of kinds) ctx.add(at, { object: obj.model.name, field: null, kind });
}

function generatedObjectIn(node: Node, ctx: FileContext): ObjectInfo | undefined {
  const candidates = [node, ...node.getDescendantsOfKind(SyntaxKind.Identifier)];
  for (const id of candidates) {
    if (!Node.isIdentifier(id)) continue;
    let symbol = id.getSymbol();
    if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
    for (const decl of symbol?.getDeclarations() ?? []) {
      const path = decl.getSourceFile().getFilePath();
      if (!ctx.inGenerated(path)) continue;
      const obj = ctx.objectOfFile(path) ?? ctx.model.object(id.getText());
      if (obj) return obj;
    }
  }
  // A generated type as the receiver's type (a repository typed by the generated object).
  const type = node.getType();
  for (const decl of (type.getAliasSymbol() ?? type.getSymbol())?.getDeclarations() ?? []) {
    const path = decl.getSourceFile().getFilePath();
    if (ctx.inGenerated(path)) {
      const obj = ctx.objectOfFile(path);
      if (obj) return obj;
    }
  }
  return undefined;
}

/**
 * A field name passed as a string to a call on a generated object: `.where('Industry', ...)`,
 * `.get(id, { fields: ['Name'] })`. Climbs through arrays and object-literal properties (a property
 * named `where`/`orderBy`/`groupBy` sets the clause) up to the call.
 */
function builderArgument(lit: Node, text: string, ctx: FileContext): void {
  let arg: Node = lit;
  let clause: UsageKind | undefined;
  for (let depth = 0; depth < 6; depth++) {
    const parent = arg.getParent();
    if (!parent) return;
    if (Node.isCallExpression(parent)) {
      if (!parent.getArguments().includes(arg)) return;
      const callee = parent.getExpression();
      if (!Node.isPropertyAccessExpression(callee)) return;
      const obj = generatedObjectIn(callee.getExpression(), ctx);
      if (!obj) return;
      const kind = clause ?? clauseKind(callee.getName()) ?? 'read';
      resolvePath(obj, text.split('.'), kind, (site, segmentOffset) => ctx.add(lit, site, 1 + segmentOffset), ctx);
      return;
    }
    if (Node.isPropertyAssignment(parent)) {
      clause ??= clauseKind(parent.getName().replace(/^['"]|['"]$/g, ''));
    } else if (!Node.isArrayLiteralExpression(parent) && !Node.isObjectLiteralExpression(parent)) {
      return;
    }
    arg = parent;
  }
}

/**
 * Records a field path on an object: every leading segment is a parent relationship (recorded as
 * `relationship`), the last is a field used as `kind`. Stops at polymorphic relationships (the target
 * is not known statically) after recording the relationship.
 */
function resolvePath(
  start: ObjectInfo,
  path: readonly string[],
  kind: UsageKind,
  emit: (site: Omit<UsageSite, 'file' | 'line' | 'column'>, segmentOffset: number) => void,
  ctx: FileContext,
  spans?: readonly Span[],
): void {
  let obj: ObjectInfo | undefined = start;
  let offset = 0;
  for (let i = 0; i < path.length && obj; i++) {
    const seg = path[i] ?? '';
    const segOffset = spans?.[i]?.start ?? offset;
    offset += seg.length + 1;
    const last = i === path.length - 1;
    if (last) {
      const field = obj.fields.get(seg.toLowerCase());
      if (field) emit({ object: obj.model.name, field, kind }, segOffset);
      return;
    }
    const parent = obj.parents.get(seg.toLowerCase());
    if (!parent) return;
    emit({ object: obj.model.name, field: parent.field, relationship: parent.relationship, kind: 'relationship' }, segOffset);
    obj = parent.referenceTo.length === 1 ? ctx.model.object(parent.referenceTo[0] ?? '') : undefined;
  }
}

function soqlUse(text: string, base: number, node: Node, ctx: FileContext): void {
  let query: SelectQuery;
  try {
    // Queries in code carry `:name` binds (checked `soql()` strings, Apex-style text): spans are kept.
    query = parseSoqlWithBinds(text).query;
  } catch (error) {
    const { line, column } = node.getSourceFile().getLineAndColumnAtPos(node.getStart());
    ctx.unparsed.push({ file: ctx.file, line, column, message: error instanceof Error ? error.message : String(error) });
    soqlFallback(text, base, ctx);
    return;
  }
  walkQuery(query, undefined, base, ctx);
}

function walkQuery(query: SelectQuery, parentObject: ObjectInfo | undefined, base: number, ctx: FileContext): void {
  let obj: ObjectInfo | undefined;
  const fromName = query.from.object;
  const fromOffset = query.from.span ? base + query.from.span.start : base;
  if (parentObject) {
    const child = parentObject.children.get(fromName.toLowerCase());
    if (!child) return;
    ctx.add(fromOffset, { object: parentObject.model.name, field: null, relationship: child.relationship, kind: 'relationship' });
    obj = ctx.model.object(child.childSObject);
  } else {
    obj = ctx.model.object(fromName);
    if (obj) ctx.add(fromOffset, { object: obj.model.name, field: null, kind: 'read' });
  }
  if (!obj) return;
  const current = obj;
  const alias = query.from.alias?.toLowerCase();
  const field = (ref: FieldRef, kind: UsageKind): void => {
    let path = ref.path;
    let spans = ref.segmentSpans;
    if (alias && path.length > 1 && path[0]?.toLowerCase() === alias) {
      path = path.slice(1);
      spans = spans?.slice(1);
    }
    // `Account.Name` written with the object's own name as a prefix.
    if (path.length > 1 && path[0]?.toLowerCase() === current.model.name.toLowerCase() && !current.parents.has(path[0].toLowerCase())) {
      path = path.slice(1);
      spans = spans?.slice(1);
    }
    const refStart = ref.span?.start ?? 0;
    resolvePath(current, path, kind, (site, segOffset) => ctx.add(base + (spans ? segOffset : refStart + segOffset), site), ctx, spans);
  };
  const value = (expr: ValueExpr | FunctionArg, kind: UsageKind): void => {
    if (expr.kind === 'field') field(expr, kind);
    else if (expr.kind === 'function') for (const arg of expr.args) value(arg, kind);
  };
  for (const item of query.select) {
    if (item.kind === 'selectExpr') value(item.expr, 'read');
    else if (item.kind === 'subquery') walkQuery(item.query, current, base, ctx);
    else if (item.kind === 'typeof') {
      const parent = current.parents.get(item.relationship.toLowerCase());
      if (parent) {
        ctx.add(base + (item.span?.start ?? 0), { object: current.model.name, field: parent.field, relationship: parent.relationship, kind: 'relationship' });
      }
      for (const when of item.whens) {
        const target = ctx.model.object(when.objectType);
        if (!target) continue;
        for (const ref of when.fields) resolvePath(target, ref.path, 'read', (site) => ctx.add(base + (ref.span?.start ?? 0), site), ctx);
      }
    }
  }
  const condition = (cond: Condition | undefined, kind: UsageKind): void => {
    if (!cond) return;
    if (cond.kind === 'and' || cond.kind === 'or') for (const c of cond.conditions) condition(c, kind);
    else if (cond.kind === 'not') condition(cond.condition, kind);
    else {
      value(cond.left, kind);
      if (cond.right.kind === 'subquery') walkQuery(cond.right.query, undefined, base, ctx);
    }
  };
  condition(query.where, 'filter');
  condition(query.having, 'filter');
  for (const item of query.groupBy?.items ?? []) value(item, 'group');
  for (const item of query.orderBy ?? []) value(item.expr, 'sort');
}

/**
 * SOQL the parser refused (often a template with interpolated parts): record the object and any of
 * its field names that appear, by clause, so usage is not silently lost.
 */
function soqlFallback(text: string, base: number, ctx: FileContext): void {
  const from = /\bfrom\s+([A-Za-z_][\w]*)/i.exec(text);
  if (!from || from[1] === undefined) return;
  const obj = ctx.model.object(from[1]);
  if (!obj) return;
  ctx.add(base + from.index, { object: obj.model.name, field: null, kind: 'read' });
  const clauses: Array<{ start: number; kind: UsageKind }> = [{ start: 0, kind: 'read' }];
  for (const m of text.matchAll(/\b(where|having|group\s+by|order\s+by|limit|offset)\b/gi)) {
    const kw = (m[1] ?? '').toLowerCase();
    const kind: UsageKind = kw === 'where' || kw === 'having' ? 'filter' : kw.startsWith('group') ? 'group' : kw.startsWith('order') ? 'sort' : 'read';
    clauses.push({ start: m.index ?? 0, kind });
  }
  for (const m of text.matchAll(/[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*/g)) {
    const at = m.index ?? 0;
    let kind: UsageKind = 'read';
    for (const c of clauses) if (c.start <= at) kind = c.kind;
    resolvePath(obj, m[0].split('.'), kind, (site, segOffset) => ctx.add(base + at + segOffset, site), ctx);
  }
}

/** The default scan target: the working directory's tsconfig.json, when there is one. */
export function defaultUsageProject(cwd: string): string | undefined {
  const tsconfig = resolve(cwd, 'tsconfig.json');
  return existsSync(tsconfig) ? tsconfig : undefined;
}
