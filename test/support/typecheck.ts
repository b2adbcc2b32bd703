import { join } from 'node:path';
// TypeScript is loaded with require, not import: vitest loads a dependency with the native import(), and Node's ESM
// loader reads a CommonJS file for its export names (cjs-module-lexer) and for module syntax before it runs it, which for
// typescript.js (9 MB, one file) costs about 0.6 s of CPU per worker that loads it; require runs it as it is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import ts = require('typescript');
import { PROJECT_ROOT } from './scratch';

/**
 * Parsed files by path and parse settings, with their text: the library, its dependencies' declarations and the standard
 * library are the same for every type-check of a run (the README blocks, the drafted code of the samples and of the draft
 * tests share a worker), so each is parsed once per worker instead of once per call. A file whose text has changed since
 * is parsed again. Parsing is per file and depends only on its text and these settings; sharing parsed files between
 * programs is what TypeScript's language service does.
 */
const PARSED = new Map<string, { text: string; source: ts.SourceFile }>();

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
  const compilerOptions: ts.CompilerOptions = { ...parsed.options, ...options, noEmit: true };
  const host = ts.createCompilerHost(compilerOptions);
  // As `tsc` parses (its command line sets the same): JSDoc comments of .ts files are skipped unless they hold `@see` or
  // `@link`; they give no type error. The library's files are mostly doc comment by size.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
    const settings = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
    const key = `${fileName}|${settings.languageVersion}|${settings.impliedNodeFormat}|${settings.jsDocParsingMode}|${compilerOptions.moduleDetection}`;
    const text = shouldCreateNewSourceFile ? undefined : host.readFile(fileName);
    const cached = PARSED.get(key);
    if (text !== undefined && cached?.text === text) return cached.source;
    const source = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
    if (source && text !== undefined && source.text === text) PARSED.set(key, { text, source });
    return source;
  };
  const program = ts.createProgram({ rootNames: [...files, ...extraRoots], options: compilerOptions, host });
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`type-check: ${file} is not in the program`);
    diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source));
    if (program.getCompilerOptions().declaration) diagnostics.push(...program.getDeclarationDiagnostics(source));
  }
  return diagnostics.map((d) => `${d.file?.fileName ?? '(options)'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
