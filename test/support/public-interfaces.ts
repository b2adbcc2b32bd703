// The exported interfaces of an entry point with their property names, for the drift tests of the known-key lists
// (test/constructs/prop-keys-interfaces.test.ts, test/engine/option-keys-interfaces.test.ts).
//
// Read from the syntax of src/ alone (no type checker): a program with a checker over src/index.ts cost each drift test
// about 5 s of CPU, for names that the declarations spell out. Only the files the entry point leads to are parsed (on first
// use, once per worker): parsing all of src/ cost each drift test about 1.9 s of CPU. What the syntax cannot say (an `extends` of a
// type other than an interface of src/, `Omit<>` or `Partial<>` of one) fails the read, so a new form is noticed, not
// misread.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
// TypeScript is loaded with require, not import: vitest loads a dependency with the native import(), and Node's ESM
// loader reads a CommonJS file for its export names (cjs-module-lexer) and for module syntax before it runs it, which for
// typescript.js (9 MB, one file) costs about 0.6 s of CPU per worker that loads it; require runs it as it is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import ts = require('typescript');
import { PROJECT_ROOT } from './scratch';

/** An exported interface: its property names (inherited ones included) and the file that declares it. */
export interface PublicInterface {
  readonly props: string[];
  readonly file: string;
}

/** An interface of src/ as written: its own members and what it extends (with the names an `Omit<>` leaves out). */
interface Declared {
  readonly file: string;
  readonly own: string[];
  readonly bases: ReadonlyArray<{ readonly name: string; readonly omit: readonly string[] }>;
}

const SRC = join(PROJECT_ROOT, 'src');
/** Per file of src/ asked for: its syntax and the interfaces it declares, or `null` when it is no source file of src/. */
const sources = new Map<string, { readonly source: ts.SourceFile; readonly declared: Map<string, Declared> } | null>();

/**
 * The exported interfaces of an entry point of src/ (its `export { … } from` and `export type { … } from` lines), by
 * exported name, with their property names (inherited ones included) and file.
 * @param entry the entry point, relative to src/ @default 'index.ts'
 */
export function publicInterfaces(entry = 'index.ts'): Map<string, PublicInterface> {
  /** The props of interface `name` of `file`, its bases found where the file declares or imports them. */
  const propsOf = (file: string, name: string, seen: readonly string[] = []): string[] => {
    const d = parsed(file)?.declared.get(name);
    if (!d) throw new Error(`${seen.at(-1) ?? entry} extends ${name}, which is no interface of src/ (${relative(SRC, file)})`);
    if (seen.includes(`${file}#${name}`)) throw new Error(`interface ${name} extends itself`);
    const props = new Set(d.own);
    for (const b of d.bases) {
      const at = locate(file, b.name);
      if (at === undefined) throw new Error(`${relative(SRC, file)}: interface ${name} extends ${b.name}, which it neither declares nor imports from src/`);
      for (const p of propsOf(at, b.name, [...seen, `${file}#${name}`])) if (!b.omit.includes(p)) props.add(p);
    }
    return [...props];
  };
  const source = parsed(join(SRC, entry))?.source;
  if (!source) throw new Error(`src/${entry} not found`);
  const result = new Map<string, PublicInterface>();
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      result.set(statement.name.text, { props: propsOf(source.fileName, statement.name.text), file: source.fileName });
      continue;
    }
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    const from = resolveModule(dirname(source.fileName), statement.moduleSpecifier.text);
    for (const element of statement.exportClause.elements) {
      const name = (element.propertyName ?? element.name).text;
      const at = locate(from, name);
      const d = at !== undefined ? parsed(at)?.declared.get(name) : undefined;
      if (at !== undefined && d) result.set(element.name.text, { props: propsOf(at, name), file: d.file });
    }
  }
  return result;
}

/**
 * The file of src/ that declares the interface `name` as `file` sees it: `file` itself, or the file it imports or
 * re-exports `name` from (`import { name } from './x'`, `export { name } from './x'`), followed to the declaration.
 */
function locate(file: string, name: string, depth = 0): string | undefined {
  const here = parsed(file);
  if (here?.declared.has(name)) return file;
  const source = here?.source;
  if (!source || depth > 10) return undefined;
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    let clause: ts.NamedImportBindings | ts.NamedExportBindings | undefined;
    if (ts.isImportDeclaration(statement)) [specifier, clause] = [statement.moduleSpecifier, statement.importClause?.namedBindings];
    else if (ts.isExportDeclaration(statement)) [specifier, clause] = [statement.moduleSpecifier, statement.exportClause];
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    if (!clause || !(ts.isNamedImports(clause) || ts.isNamedExports(clause))) continue;
    if (clause.elements.some((e: ts.ImportSpecifier | ts.ExportSpecifier) => e.name.text === name && e.propertyName === undefined)) {
      return locate(resolveModule(dirname(file), specifier.text), name, depth + 1);
    }
  }
  return undefined;
}

/**
 * A .ts/.mts file of src/ (not a .d.ts), parsed on first use (once per worker), with the interfaces it declares (exported
 * or not) by name; `undefined` for any other path.
 */
function parsed(file: string): { readonly source: ts.SourceFile; readonly declared: Map<string, Declared> } | undefined {
  const known = sources.get(file);
  if (known !== undefined) return known ?? undefined;
  const rel = relative(SRC, file);
  const inSrc = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && /\.m?ts$/.test(file) && !file.endsWith('.d.ts');
  if (!inSrc || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    sources.set(file, null);
    return undefined;
  }
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const declared = new Map<string, Declared>();
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    const own = statement.members.flatMap((m) => memberName(m, file, statement.name.text));
    const bases = (statement.heritageClauses ?? []).flatMap((clause) => clause.types.map((t) => base(t, file)));
    declared.set(statement.name.text, { file, own, bases });
  }
  const entry = { source, declared };
  sources.set(file, entry);
  return entry;
}

/**
 * A member's name: a property or method signature with a plain name; none for an index, call or construct signature (which
 * are not properties to the checker either). A computed name is noted as `[computed]`, which no list holds: the drift test
 * of such an interface fails, and says why.
 */
function memberName(member: ts.TypeElement, file: string, owner: string): string[] {
  if (ts.isIndexSignatureDeclaration(member) || ts.isCallSignatureDeclaration(member) || ts.isConstructSignatureDeclaration(member)) return [];
  if ((ts.isPropertySignature(member) || ts.isMethodSignature(member)) && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) {
    return [member.name.text];
  }
  return [`[computed member of ${owner} in ${relative(SRC, file)}]`];
}

/** What an `extends` names: an interface, `Omit<Interface, 'a' | 'b'>` or `Partial<Interface>`. */
function base(t: ts.ExpressionWithTypeArguments, file: string): { name: string; omit: string[] } {
  const expression = t.expression;
  if (!ts.isIdentifier(expression)) throw new Error(`${relative(SRC, file)}: extends ${expression.getText()}, which this reader does not follow`);
  const args = t.typeArguments ?? [];
  if (args.length === 0) return { name: expression.text, omit: [] };
  const [target] = args;
  if (!ts.isTypeReferenceNode(target) || !ts.isIdentifier(target.typeName)) throw new Error(`${relative(SRC, file)}: extends ${expression.text}<…> of no interface`);
  if (expression.text === 'Partial' && args.length === 1) return { name: target.typeName.text, omit: [] };
  if (expression.text === 'Omit' && args.length === 2) {
    const keys = args[1];
    const literals = ts.isUnionTypeNode(keys) ? keys.types : [keys];
    return {
      name: target.typeName.text,
      omit: literals.map((k) => {
        if (ts.isLiteralTypeNode(k) && ts.isStringLiteral(k.literal)) return k.literal.text;
        throw new Error(`${relative(SRC, file)}: Omit<${target.typeName.getText()}, …> with keys that are not string literals`);
      }),
    };
  }
  throw new Error(`${relative(SRC, file)}: extends ${expression.text}<…>, which this reader does not follow`);
}

/** The file a relative module specifier of src/ names (`./x.js` and `./x` are `./x.ts`, `./x.mjs` is `./x.mts`). */
function resolveModule(from: string, specifier: string): string {
  const path = join(from, specifier);
  if (path.endsWith('.mjs')) return path.replace(/\.mjs$/, '.mts');
  return `${path.replace(/\.js$/, '')}.ts`;
}
