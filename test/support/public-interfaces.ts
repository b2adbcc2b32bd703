// The exported interfaces of an entry point as the TypeScript compiler reads them, for the drift tests of the known-key
// lists (test/constructs/prop-keys-interfaces.test.ts, test/engine/option-keys-interfaces.test.ts).
import { join } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from './scratch';

/** An exported interface: its property names (inherited ones included) and the file that declares it. */
export interface PublicInterface {
  readonly props: string[];
  readonly file: string;
}

/**
 * The exported interfaces of an entry point of src/, by exported name, with their property names (inherited ones included)
 * and file.
 * @param entry the entry point, relative to src/ @default 'index.ts'
 */
export function publicInterfaces(entry = 'index.ts'): Map<string, PublicInterface> {
  const config = ts.readConfigFile(join(PROJECT_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, PROJECT_ROOT);
  const index = join(PROJECT_ROOT, 'src', entry);
  const program = ts.createProgram({ rootNames: [index], options: { ...parsed.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(index);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`src/${entry} has no module symbol`);
  const result = new Map<string, PublicInterface>();
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & ts.SymbolFlags.Interface)) continue;
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
    result.set(exported.name, { props: checker.getPropertiesOfType(type).map((p) => p.name), file });
  }
  return result;
}
