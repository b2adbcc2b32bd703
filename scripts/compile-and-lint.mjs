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
// With `--docs` (`npm run compile-lint-docs`, in `npm test`) it then runs `npm run docs:check` (`typedoc --emit none`:
// TypeDoc's conversion and validation with typedoc.json, warnings as errors) on the same program: TypeDoc would otherwise
// build and bind a program of its own (tsconfig.build.json: src/ only, the same compiler options but for emit settings)
// and ask a fresh checker for every type of the public API. The entry points are typedoc.json's, found in the program as
// TypeDoc finds them; the conversion, validation and pass/fail rules are TypeDoc's own (those of its CLI, below). The
// TypeDoc model is the same either way (checked: its JSON serialization, `typedoc --json`, is identical).
//
// The npm scripts start it with `--max-semi-space-size=64`: the compiler, ESLint and TypeDoc allocate fast, and with
// V8's default young generation a fifth of the run's CPU went to garbage collection (about 3 s less CPU of about 45 s).
//
// Within `npm test` (CDK8S_CILIUM_PREBUILT_LIB set by scripts/run-checks.mjs) the program also builds the package: its
// compiler options are tsconfig.json's with tsconfig.build.json's emit settings (rootDir, outDir, sourceMap, stripInternal:
// none changes a diagnostic; any other difference between the two files and the build is not emitted here), and when the
// compiler reports nothing it emits src/ as `tsc -p tsconfig.build.json` does, for test/package.test.ts to pack
// (scripts/prebuilt-lib.mjs). The declaration emit reads the types the checker has already computed: about 3 s of CPU
// instead of the ≈ 14 s of a second compiler run in `npm pack`'s prepack.
//
// Output: the compiler's diagnostics as tsc prints them, then ESLint's (stylish formatter), then TypeDoc's. Exit status: 0
// when all are clean (ESLint warnings are printed but do not fail, as with `eslint .`), 1 otherwise.
import console from 'node:console';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import * as td from 'typedoc';
import ts from 'typescript';
import { claimPrebuiltLib } from './prebuilt-lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const prebuilt = claimPrebuiltLib();

// As `tsc --noEmit -p .`: the configuration's diagnostics, then syntax, options, global and semantic diagnostics (and
// declaration diagnostics, since tsconfig.json sets `declaration`), each stage only when the one before is clean.
const configFile = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
const parsed = ts.getParsedCommandLineOfConfigFile(configFile, { noEmit: true }, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  },
});
const build = prebuilt ? buildSettings(parsed.options, prebuilt.lib) : undefined;
if (build?.reason) prebuilt.settle({ ok: false, reason: build.reason });
const program = ts.createProgram({
  rootNames: parsed.fileNames,
  options: build?.options ?? parsed.options,
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
if (build?.options) prebuilt.settle(emitBuild(program, build.files, sorted.length));
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

const docsOk = process.argv.includes('--docs') ? await docsCheck(program) : true;

if (sorted.length || lintErrors || !docsOk) {
  process.exitCode = 1;
} else {
  console.log(`tsc: 0 errors (${parsed.fileNames.length} files); eslint: 0 errors (${results.length} files)`
    + `${process.argv.includes('--docs') ? '; typedoc: 0 warnings' : ''}`);
}

/**
 * tsconfig.build.json's settings over `options` (tsconfig.json's, `noEmit` given): the options to build the program
 * with, emitting into `lib`, and the build's files; or, when the two configurations differ in anything but the emit
 * settings, why the build is not emitted from this program.
 */
function buildSettings(options, lib) {
  const buildConfig = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined,
  });
  const emitOnly = new Set(['rootDir', 'outDir', 'sourceMap', 'stripInternal', 'noEmit', 'configFilePath']);
  const keys = new Set([...Object.keys(options), ...Object.keys(buildConfig?.options ?? {})]);
  const differing = buildConfig === undefined || buildConfig.errors.length > 0
    ? ['(tsconfig.build.json does not parse)']
    : [...keys].filter((k) => !emitOnly.has(k) && JSON.stringify(options[k]) !== JSON.stringify(buildConfig.options[k]));
  if (differing.length) return { reason: `tsconfig.build.json differs from tsconfig.json in ${differing.join(', ')}: not built from this program` };
  const b = buildConfig.options;
  return {
    options: { ...options, noEmit: false, rootDir: b.rootDir, outDir: lib, sourceMap: b.sourceMap, stripInternal: b.stripInternal },
    files: buildConfig.fileNames,
  };
}

/** Emits the build's files when the compiler reported nothing: the result for the package test. */
function emitBuild(program, files, errors) {
  if (errors > 0) return { ok: false, reason: `tsc reported ${errors} error(s)` };
  for (const file of files) {
    const sourceFile = program.getSourceFile(file);
    const emitted = sourceFile ? program.emit(sourceFile) : undefined;
    if (!emitted || emitted.emitSkipped || emitted.diagnostics.length > 0) return { ok: false, reason: `${relative(root, file)} was not emitted` };
  }
  return { ok: true, files: files.length };
}

/**
 * `typedoc --emit none` (TypeDoc's CLI: the same option readers, then convert, validate and the same failure rules) with
 * `program` in place of the one TypeDoc would create. True when TypeDoc passes.
 */
async function docsCheck(shared) {
  const args = ['--emit', 'none'];
  const app = await td.Application.bootstrapWithPlugins({}, [
    new td.ArgumentsReader(0, args), new td.TypeDocReader(), new td.PackageJsonReader(), new td.TSConfigReader(),
    new td.ArgumentsReader(300, args).ignoreErrors(),
  ]);
  const strict = app.options.getValue('treatWarningsAsErrors');
  if (app.logger.hasErrors() || (strict && app.logger.hasWarnings())) return false;
  // As TypeDoc's entry point resolution (strategy `resolve`, plain file paths): each entry point's source file, named by
  // its path from the entry points' common directory without the extension (and without a trailing /index).
  app.getEntryPoints = () => {
    const files = app.options.getValue('entryPoints').map((f) => resolve(root, f));
    const base = files.length === 1 ? dirname(files[0]) : commonDirectory(files);
    return files.flatMap((file) => {
      const sourceFile = shared.getSourceFile(file);
      if (!sourceFile) {
        app.logger.warn(`The entry point ${relative(root, file)} is not part of the TypeScript program (tsconfig.json)`);
        return [];
      }
      const displayName = relative(base, file).split('\\').join('/').replace(/(\/index)?(\.d)?\.([cm][tj]s|[tj]sx?)$/, '');
      return [{ displayName, sourceFile, program: shared }];
    });
  };
  const project = await app.convert();
  if (!project || (strict && app.logger.hasWarnings())) return false;
  const before = app.logger.warningCount;
  app.validate(project);
  const validationWarnings = app.logger.warningCount !== before || app.logger.validationWarningCount !== 0;
  if (app.logger.hasErrors()) return false;
  if (validationWarnings && (strict || app.options.getValue('treatValidationWarningsAsErrors'))) return false;
  return true;
}

/** The longest directory that contains every file. */
function commonDirectory(files) {
  const parts = files.map((f) => dirname(f).split(/[\\/]/));
  const common = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.join('/');
}
