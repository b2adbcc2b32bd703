import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The project root. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** The library's source folder, as an import specifier usable from any directory. */
export const SRC_IMPORT = join(PROJECT_ROOT, 'src').split('\\').join('/');

/**
 * The `node_modules` folder the library's own imports resolve from: the project's, or, in a copy of the tree without one
 * (a mutant applied in `<worktree>/.scratch/<copy>`, docs/testing.md "Session 43"), the nearest one above it that holds
 * `cdk8s`, as Node and TypeScript look it up (the copy's own `node_modules` may hold only vitest's cache). A link to the
 * copy's own folder there would leave the generated files without `cdk8s` and `constructs`.
 */
function nodeModules(): string {
  for (let dir = PROJECT_ROOT; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', 'cdk8s'))) return join(dir, 'node_modules');
    if (dirname(dir) === dir) throw new Error(`no node_modules folder at or above ${PROJECT_ROOT}: run npm ci in the project`);
  }
}

/**
 * A fresh directory under the OS temp dir for generated files that import the library (README blocks, drafted
 * TypeScript): each run and each file gets its own, so parallel runs never collide and the project tree stays untouched.
 * A `node_modules` link to the project's lets the files import `cdk8s` and `constructs` as a user's app does.
 * @returns the directory and a function that removes it
 */
export function scratchDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `cdk8s-cilium-${prefix}-`));
  symlinkSync(nodeModules(), join(dir, 'node_modules'), 'junction');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
