/**
 * The library as it is published: `tsc -p tsconfig.build.json` into a temporary directory (with the project's
 * node_modules beside it), loaded from there. The benchmarks time this build by default, because what users run is the
 * compiled package: code transpiled on the fly by tsx runs differently (it keeps function names with a helper call per
 * closure created, for one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** What a benchmark times: the compiled build (default) or the TypeScript sources through tsx (`--source`). */
export interface CodeUnderTest {
  /** `compiled build` or `sources (tsx)`. */
  readonly description: string;
  /** Loads a module of `src/` (e.g. `engine`) from it. */
  load<T>(srcModule: string): T;
  /** The directory of the compiled build (`lib/` inside it holds `src/`), for child processes to load it (`compiledAt`). */
  readonly dir?: string;
}

/** The code to time: `source` loads `src/` through tsx; otherwise the compiled build, made once per process. */
export function codeUnderTest(source: boolean): CodeUnderTest {
  if (source) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module path is chosen at run time
    return { description: 'sources (tsx)', load: <T>(m: string): T => require(join(ROOT, 'src', m)) as T };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'lib')],
    { stdio: 'inherit' });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return compiledAt(dir);
}

/** The compiled build made by `codeUnderTest(false)` in `dir` (in a child process of the benchmark that made it). */
export function compiledAt(dir: string): CodeUnderTest {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module path is chosen at run time
  return { description: 'compiled build (tsc, as published)', dir, load: <T>(m: string): T => require(join(dir, 'lib', 'src', m)) as T };
}
