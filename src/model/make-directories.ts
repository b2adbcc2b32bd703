/**
 * Creating the folders an output goes to (`init`'s scaffold, `Synth.run`'s output directory) one level at a time, each
 * with a plain `mkdir`: Node 20's `mkdirSync(path, { recursive: true })` never returns for a path below a folder where
 * `mkdir` fails with ENOENT although the parent exists (`/proc/x`: it retries the parent and the child forever). A folder
 * that cannot be made is a `CiliumPolicyError` naming it and the reason, not a hang or a raw Node error.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CiliumPolicyError } from '../core/errors';
import { withoutControls } from './printable';

/**
 * Makes `path` and the folders above it that do not exist yet.
 * @param path the folder
 * @param fix what the user can do when it cannot be made
 * @throws CiliumPolicyError (`output-folder`) when a folder cannot be made (a file in the way, no permission, a system folder)
 */
export function makeDirectories(path: string, fix: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); !isDirectory(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && isDirectory(dir)) continue;
      const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file or a link is in the way' : code === 'EACCES' || code === 'EPERM' ? 'no permission'
        : code === 'ENOENT' ? 'the system does not let a folder be made there' : (code ?? String(e));
      throw new CiliumPolicyError({ id: 'output-folder', message: `cannot make the folder ${withoutControls(dir)}: ${why}`, fix });
    }
  }
}

/** Whether `path` is a directory (following symbolic links). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
