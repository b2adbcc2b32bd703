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

const SCRIPT = join(__dirname, '..', 'scripts', 'check-bundle.mjs');
const work = realpathSync(mkdtempSync(join(tmpdir(), 'cdk8s-cilium-check-bundle-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project bundling `a`, which needs `b`, with the packages of `installed` in `<dir>/node_modules`; returns `dir`. */
function project(name: string, installed: string[]): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', dependencies: { a: '1' }, bundleDependencies: ['a'] }));
  const manifests: Record<string, object> = { a: { name: 'a', dependencies: { b: '1' } }, b: { name: 'b' } };
  for (const pkg of installed) {
    mkdirSync(join(dir, 'node_modules', pkg));
    writeFileSync(join(dir, 'node_modules', pkg, 'package.json'), JSON.stringify(manifests[pkg]));
  }
  return dir;
}

function check(cwd: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT], { cwd, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('scripts/check-bundle.mjs (prepack)', () => {
  test('passes when the bundled closure is installed in the project', () => {
    expect(check(project('complete', ['a', 'b']))).toEqual({ status: 0, stderr: '' });
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
});
