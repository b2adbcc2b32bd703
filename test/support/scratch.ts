import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The project root. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** The library's source folder, as an import specifier usable from any directory. */
export const SRC_IMPORT = join(PROJECT_ROOT, 'src').split('\\').join('/');

/**
 * A fresh directory under the OS temp dir for generated files that import the library (README blocks, drafted
 * TypeScript): each run and each file gets its own, so parallel runs never collide and the project tree stays untouched.
 * A `node_modules` link to the project's lets the files import `cdk8s` and `constructs` as a user's app does.
 * @returns the directory and a function that removes it
 */
export function scratchDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `cdk8s-cilium-${prefix}-`));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'junction');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
