import { join } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from './scratch';

/**
 * Type-checks generated files (README blocks, drafted TypeScript) against the library with the project's compiler
 * options (tsconfig.json), and returns the diagnostics of those files as text, `<file>: <message>` (empty: they
 * type-check).
 *
 * Only the given files are checked: the compiler resolves what they use from the library and its dependencies lazily,
 * and the library itself is type-checked by `npm run compile`. `ts.getPreEmitDiagnostics(program)` would check every file of
 * the program (the whole library, ~10 s of CPU) for each caller, only to filter those diagnostics out.
 * @param files absolute paths of the files to check
 * @param options compiler options over the project's (`noEmit` is always set)
 * @param extraRoots further root files whose declarations the checked files rely on (`src/vitest.mts` for the matcher
 *   types), not checked themselves
 */
export function typeCheckFiles(files: string[], options: ts.CompilerOptions = {}, extraRoots: string[] = []): string[] {
  const config = ts.readConfigFile(join(PROJECT_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, PROJECT_ROOT);
  const program = ts.createProgram([...files, ...extraRoots], { ...parsed.options, ...options, noEmit: true });
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`type-check: ${file} is not in the program`);
    diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source));
    if (program.getCompilerOptions().declaration) diagnostics.push(...program.getDeclarationDiagnostics(source));
  }
  return diagnostics.map((d) => `${d.file?.fileName ?? '(options)'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
