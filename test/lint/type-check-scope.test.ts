/**
 * What the type-checks read: the project's (tsconfig.json: `npm run compile`, and `npm test` through
 * scripts/compile-and-lint.mjs) every TypeScript file of the project but the generated imports/, which nothing imports;
 * imports/tsconfig.json that file, with the same compiler options (`npm run import` type-checks it when it regenerates it).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const PROJECT = join(__dirname, '..', '..');

function parse(config: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(PROJECT, config), { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed || parsed.errors.length > 0) throw new Error(`${config} does not parse`);
  return parsed;
}

const files = (parsed: ts.ParsedCommandLine): string[] => parsed.fileNames.map((f) => relative(PROJECT, f).split('\\').join('/')).sort();

/** The .ts and .mts files under `dir` (a folder of the project), as paths from the project. */
function sources(dir: string): string[] {
  return readdirSync(join(PROJECT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.m?ts$/.test(e.name))
    .map((e) => relative(PROJECT, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

describe('type-check scope', () => {
  test('the project\'s type-check reads every source, test, script and bench file, and leaves the generated imports/ out', () => {
    const checked = files(parse('tsconfig.json'));
    for (const dir of ['src', 'test', 'scripts', 'bench']) expect(sources(dir).filter((f) => !checked.includes(f))).toEqual([]);
    expect(checked).toContain('main.ts');
    expect(checked).toContain('vitest.config.mts');
    expect(sources('imports')).toEqual(['imports/cilium-cilium.io.ts']);
    expect(checked.filter((f) => f.startsWith('imports/'))).toEqual([]);
  });

  test('imports/tsconfig.json checks the generated file with the project\'s compiler options', () => {
    const project = parse('tsconfig.json');
    const generated = parse(join('imports', 'tsconfig.json'));
    expect(files(generated)).toEqual(['imports/cilium-cilium.io.ts']);
    const { configFilePath: _a, ...projectOptions } = project.options;
    const { configFilePath: _b, ...generatedOptions } = generated.options;
    expect(generatedOptions).toEqual(projectOptions);
  });
});
