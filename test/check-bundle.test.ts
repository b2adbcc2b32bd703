/**
 * The prepack guard (scripts/check-bundle.mjs): npm pack bundles a bundled package's own dependencies only as it finds
 * them in the project's tree, so a node_modules linked from another checkout gave a tarball with ajv and without
 * fast-deep-equal. The guard refuses to pack then, and when a package of the closure is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkBundle } from '../scripts/check-bundle.mjs';

const SCRIPT = join(__dirname, '..', 'scripts', 'check-bundle.mjs');
const work = realpathSync(mkdtempSync(join(tmpdir(), 'cdk8s-cilium-check-bundle-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project bundling `a`, which needs `b`, with the packages of `installed` in `<dir>/node_modules`; returns `dir`. */
function project(name: string, installed: string[], manifests: Record<string, object> = {}): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', dependencies: { a: '1' }, bundleDependencies: ['a'], ...manifests.p }));
  install(join(dir, 'node_modules'), installed, manifests);
  return dir;
}

/** Writes the package.json of each package of `names` into `nodeModules`: `manifests[name]`, by default a needs b. */
function install(nodeModules: string, names: string[], manifests: Record<string, object> = {}): void {
  const defaults: Record<string, object> = { a: { name: 'a', dependencies: { b: '1' } } };
  for (const pkg of names) {
    mkdirSync(join(nodeModules, pkg), { recursive: true });
    writeFileSync(join(nodeModules, pkg, 'package.json'), JSON.stringify(manifests[pkg] ?? defaults[pkg] ?? { name: pkg }));
  }
}

/** The guard as npm's prepack runs it: `node scripts/check-bundle.mjs` in the project (or `script`, a link to it). */
function spawned(cwd: string, script = SCRIPT): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [script], { cwd, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/**
 * The guard in-process: `checkBundle`, the status and stderr the script exits with and prints (its main block writes the
 * one and exits with the other, which the spawned tests check: a pass, and a refusal through a linked path).
 */
const check = (cwd: string): { status: number | null; stderr: string } => checkBundle(cwd);

describe('scripts/check-bundle.mjs (prepack)', () => {
  test('passes when the bundled closure is installed in the project', () => {
    expect(spawned(project('complete', ['a', 'b']))).toEqual({ status: 0, stderr: '' });
  });

  test('refuses a node_modules linked from elsewhere, naming where the packages are', () => {
    const other = project('other', ['a', 'b']);
    const linked = join(work, 'linked');
    mkdirSync(linked);
    writeFileSync(join(linked, 'package.json'), JSON.stringify({ name: 'p', dependencies: { a: '1' }, bundleDependencies: ['a'] }));
    symlinkSync(join(other, 'node_modules'), join(linked, 'node_modules'), 'junction');
    const r = check(linked);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: npm pack would bundle an incomplete dependency tree: a (needed by p) is installed at ${join(other, 'node_modules', 'a')}`);
    expect(r.stderr).toContain('(pack-bundle-incomplete)\n    fix: install the dependencies in this checkout (npm ci)');
  });

  test('refuses a missing dependency of a bundled package', () => {
    const r = check(project('missing', ['a']));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('b (needed by a) is not installed');
  });

  test('checks when run through a symlinked path to the script (it exited 0 there without checking)', () => {
    const links = join(work, 'links');
    mkdirSync(links);
    symlinkSync(SCRIPT, join(links, 'check-bundle.mjs'));
    const r = spawned(project('missing-via-link', ['a']), join(links, 'check-bundle.mjs'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('b (needed by a) is not installed');
  });

  test('an optional dependency of a bundled package that is not installed is no problem (npm pack skips it too)', () => {
    const manifests = { a: { name: 'a', dependencies: { b: '1' }, optionalDependencies: { 'fsevents-like': '1' } } };
    expect(check(project('optional-absent', ['a', 'b'], manifests))).toEqual({ status: 0, stderr: '' });
    // The same for a bundled package the project lists in its own optionalDependencies.
    const root = { p: { dependencies: { a: '1' }, optionalDependencies: { e: '1' }, bundleDependencies: ['a', 'e'] } };
    expect(check(project('root-optional-absent', ['a', 'b'], root))).toEqual({ status: 0, stderr: '' });
  });

  test('an installed optional dependency of a bundled package is checked like the others: npm pack bundles it', () => {
    const manifests = { a: { name: 'a', dependencies: { b: '1' }, optionalDependencies: { c: '1' } }, c: { name: 'c', dependencies: { d: '1' } } };
    // c found above the project (in the folder holding it): npm pack would not bundle it.
    install(join(work, 'node_modules'), ['c']);
    try {
      const outside = check(project('optional-outside', ['a', 'b'], manifests));
      expect(outside.status).toBe(1);
      expect(outside.stderr).toContain(`c (needed by a) is installed at ${join(work, 'node_modules', 'c')}, outside`);
      // c inside the project: its own dependencies are walked.
      const inside = check(project('optional-inside', ['a', 'b', 'c'], manifests));
      expect(inside.status).toBe(1);
      expect(inside.stderr).toContain('d (needed by c) is not installed');
    } finally {
      rmSync(join(work, 'node_modules'), { recursive: true });
    }
  });

  test('reads `bundleDependencies: true` (all of `dependencies`) and the spelling `bundledDependencies`', () => {
    const all = check(project('bundle-true', ['a'], { p: { bundleDependencies: true } }));
    expect(all.status).toBe(1);
    expect(all.stderr).toContain('b (needed by a) is not installed');
    const spelled = check(project('bundled-spelling', ['a'], { p: { bundleDependencies: undefined, bundledDependencies: ['a'] } }));
    expect(spelled.status).toBe(1);
    expect(spelled.stderr).toContain('b (needed by a) is not installed');
  });
});
