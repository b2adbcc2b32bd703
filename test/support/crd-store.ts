import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { CidrFormat } from '../../src/validate/cidr-format';
import type { _PrecompiledStore } from '../../src/validate/crd-compile';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of the run's precompiled CRD validators (`crdStore`), made by the global setup of vitest.config.mts. */
    crdStoreDir: string;
  }
}

/** The library's files whose code shapes the stored validators. */
const LIBRARY_CODE = ['crd-compile.ts', 'crd-schema.ts', 'cidr-format.ts'].map((f) => join(__dirname, '..', '..', 'src', 'validate', f));

/**
 * The CRD validators of a test run, compiled once per run: the first worker that needs a CRD file of `roots` (the shared
 * CRDs, the bundled ones) compiles it and leaves its printed validators in `dir`; the other workers load them (a fraction
 * of a second instead of about 0.3 s per file). A file is kept under its path, format, modification time and size, so an
 * edited or copied CRD file is compiled as before; files outside `roots` (the temp copies the tests make) always are.
 *
 * One worker compiles each file: the first to ask takes a lock file (created exclusively) and the others wait for its
 * validators. The workers start with the same long files, which need the same CRDs at the same moment: without the lock
 * each compiled them (about 5 s of CPU twice at the start of `npm test`). A waiter compiles the file itself when the
 * lock's process has died, has given up (`abandon`: its compile threw), or has held it for `LOCK_WAIT_MS`.
 */
export function crdStore(dir: string, roots: readonly string[]): _PrecompiledStore {
  // The code that prints and closes the validators is part of the key: in a long `vitest --watch` session, an edit of it
  // must not load validators the old code printed.
  const code = LIBRARY_CODE.map((f) => { const st = statSync(f); return `${st.mtimeMs}:${st.size}`; }).join(',');
  const entry = (file: string, format: CidrFormat): string | undefined => {
    if (!roots.some((root) => isInside(root, file))) return undefined;
    const { mtimeMs, size } = statSync(file);
    return join(dir, `${createHash('sha256').update(`${format}\0${file}\0${mtimeMs}\0${size}\0${code}`).digest('hex')}.json`);
  };
  return {
    get: (file, format) => {
      const path = entry(file, format);
      if (path === undefined) return null;
      const lock = `${path}.lock`;
      const since = Date.now();
      for (;;) {
        if (existsSync(path)) return readFileSync(path, 'utf8');
        if (takeLock(lock)) {
          // The validators may have been put between the check above and taking the lock.
          if (!existsSync(path)) return undefined;
          rmSync(lock, { force: true });
          return readFileSync(path, 'utf8');
        }
        if (lockAbandoned(lock) || Date.now() - since > LOCK_WAIT_MS) return undefined;
        Atomics.wait(SLEEPER, 0, 0, 25);
      }
    },
    put: (file, format, text) => {
      const path = entry(file, format);
      if (path === undefined) return;
      // Written whole, then renamed: a worker reading at the same time sees the file complete or not at all.
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, text);
      renameSync(partial, path);
      rmSync(`${path}.lock`, { force: true });
    },
    abandon: (file, format) => {
      const path = entry(file, format);
      if (path !== undefined) rmSync(`${path}.lock`, { force: true });
    },
  };
}

/** How long a worker waits for another one's validators of a file before it compiles the file itself. */
const LOCK_WAIT_MS = 60_000;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Takes the lock of a file's validators (created exclusively, holding this process's id); false when another holds it. */
function takeLock(lock: string): boolean {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Whether a lock is gone or its process has died (then whoever asks next takes it, or compiles without it). */
function lockAbandoned(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch {
    return false; // released just now: the next round finds the validators, or takes the lock
  }
  if (!Number.isInteger(pid) || pid <= 0) return false; // being written
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    rmSync(lock, { force: true });
    return false;
  }
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

const SHARED_RUN = Symbol.for('cdk8s-cilium.crd-store');

/**
 * Global setup (vitest.config.mts): one store folder under the OS temp dir for the whole run, every project included,
 * removed at the end.
 */
export default function setup(project: TestProject): () => void {
  const shared = globalThis as { [SHARED_RUN]?: { dir: string; users: number } };
  const run = (shared[SHARED_RUN] ??= { dir: mkdtempSync(join(tmpdir(), 'cdk8s-cilium-crd-')), users: 0 });
  run.users++;
  project.provide('crdStoreDir', run.dir);
  return () => {
    if (--run.users > 0) return;
    rmSync(run.dir, { recursive: true, force: true });
    shared[SHARED_RUN] = undefined;
  };
}
