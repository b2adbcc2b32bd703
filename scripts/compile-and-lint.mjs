// `npm run compile` and `npm run lint` in one process over one TypeScript program (`npm run compile-and-lint`, in `npm test`).
//
// Both type-check the same project (tsconfig.json): `tsc --noEmit -p .` to report the compiler's errors, and ESLint's
// type-aware rules (no-floating-promises, no-misused-promises, …) to ask for the types of promises. Run apart, each
// builds and checks the whole program: ESLint's type information costs about as much CPU as tsc itself. Here the
// program is built once; the compiler's diagnostics check every file, and ESLint gets the same program
// (`parserOptions.programs`) instead of building its own through the project service, so its rules read types the
// checker has already computed. The configurations are the project's own (tsconfig.json, eslint.config.mjs): the
// findings are those of the two commands.
//
// Output: the compiler's diagnostics as tsc prints them, then ESLint's (stylish formatter). Exit status: 0 when both are
// clean (ESLint warnings are printed but do not fail, as with `eslint .`), 1 otherwise.
import console from 'node:console';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// As `tsc --noEmit -p .`: the configuration's diagnostics, then syntax, options, global and semantic diagnostics (and
// declaration diagnostics, since tsconfig.json sets `declaration`), each stage only when the one before is clean.
const configFile = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
const parsed = ts.getParsedCommandLineOfConfigFile(configFile, { noEmit: true }, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  },
});
const program = ts.createProgram({
  rootNames: parsed.fileNames,
  options: parsed.options,
  projectReferences: parsed.projectReferences,
  configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
});
const diagnostics = [...program.getConfigFileParsingDiagnostics()];
const fromConfig = diagnostics.length;
diagnostics.push(...program.getSyntacticDiagnostics());
if (diagnostics.length === fromConfig) {
  diagnostics.push(...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics());
  if (diagnostics.length === fromConfig) diagnostics.push(...program.getSemanticDiagnostics());
  if ((parsed.options.declaration || parsed.options.composite) && diagnostics.length === fromConfig) {
    diagnostics.push(...program.getDeclarationDiagnostics());
  }
}
const sorted = ts.sortAndDeduplicateDiagnostics(diagnostics);
if (sorted.length) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  process.stdout.write(ts.formatDiagnosticsWithColorAndContext(sorted, host));
  process.stdout.write(`\ntsc: ${sorted.length} error(s)\n`);
}

// As `eslint .`, with the program above in place of the project service's.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parserOptions: { projectService: false, programs: [program] } },
  },
});
const results = await eslint.lintFiles(['.']);
const formatter = await eslint.loadFormatter('stylish');
const text = await formatter.format(results);
if (text) process.stdout.write(text);
// As `eslint .`: errors fail, warnings are printed.
const lintErrors = results.reduce((n, r) => n + r.errorCount, 0);

if (sorted.length || lintErrors) {
  process.exitCode = 1;
} else {
  console.log(`tsc: 0 errors (${parsed.fileNames.length} files); eslint: 0 errors (${results.length} files)`);
}
