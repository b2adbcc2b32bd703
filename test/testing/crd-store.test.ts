// The test run's store of compiled CRD validators (test/support/crd-store.ts): one worker compiles each file, the others
// wait for its validators instead of compiling the file too; a lock whose process died or gave up is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CrdSchemas } from '../../src/testing';
import { CidrFormat } from '../../src/validate/cidr-format';
import { _usePrecompiled } from '../../src/validate/crd-compile';
import { crdStore } from '../support/crd-store';

const work = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-crd-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A store over a root of its own holding one (fake) CRD file. */
function fixture(name: string): { dir: string; file: string; store: ReturnType<typeof crdStore>; locks: () => string[] } {
  const root = mkdtempSync(join(work, `${name}-root-`));
  const dir = mkdtempSync(join(work, `${name}-store-`));
  const file = join(root, 'crd.yaml');
  writeFileSync(file, 'kind: CustomResourceDefinition\n');
  return { dir, file, store: crdStore(dir, [root]), locks: () => readdirSync(dir).filter((f) => f.endsWith('.lock')).map((f) => join(dir, f)) };
}

/** The id of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid as number;
}

describe('one worker compiles each CRD file', () => {
  test('the first to ask holds the lock until it puts the validators; then every ask gets them', () => {
    const { file, store, locks } = fixture('first');
    expect(store.get(file, CidrFormat.GO)).toBeUndefined();
    expect(locks().map((l) => readFileSync(l, 'utf8'))).toEqual([String(process.pid)]);
    store.put(file, CidrFormat.GO, 'validators');
    expect(locks()).toEqual([]);
    expect(store.get(file, CidrFormat.GO)).toBe('validators');
    // Another format is another entry, with a lock of its own.
    expect(store.get(file, CidrFormat.APISERVER)).toBeUndefined();
    expect(locks()).toHaveLength(1);
  });

  test('a file outside the roots is not kept', () => {
    const { store, locks } = fixture('outside');
    expect(store.get(join(work, 'elsewhere.yaml'), CidrFormat.GO)).toBeNull();
    expect(locks()).toEqual([]);
  });

  test('a waiter gets the validators another process puts while it holds the lock', async () => {
    const { file, store, locks } = fixture('wait');
    expect(store.get(file, CidrFormat.GO)).toBeUndefined();
    const [lock] = locks();
    const entry = lock.replace(/\.lock$/, '');
    // Another worker: it holds the lock, and after a while puts the validators as `put` does (a partial file renamed into
    // place: written in place, the waiter could read the entry between its creation and its content, '') and releases it.
    const other = spawn(process.execPath, ['-e', `setTimeout(() => { const fs = require('fs'); fs.writeFileSync(${JSON.stringify(`${entry}.partial`)}, 'theirs'); `
      + `fs.renameSync(${JSON.stringify(`${entry}.partial`)}, ${JSON.stringify(entry)}); fs.rmSync(${JSON.stringify(lock)}); }, 300); setTimeout(() => {}, 600);`]);
    await new Promise((resolve) => other.once('spawn', resolve));
    writeFileSync(lock, String(other.pid));
    // Not undefined (compile it yourself): it waited for the other process's validators.
    expect(store.get(file, CidrFormat.GO)).toBe('theirs');
    await new Promise((resolve) => other.once('exit', resolve));
  });

  test('the lock of a process that died is taken over', () => {
    const { file, store, locks } = fixture('dead');
    expect(store.get(file, CidrFormat.GO)).toBeUndefined();
    const [lock] = locks();
    writeFileSync(lock, String(deadPid()));
    expect(store.get(file, CidrFormat.GO)).toBeUndefined();
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
  });

  test('a compile that failed gives the lock up (abandon)', () => {
    const { file, store, locks } = fixture('abandon');
    expect(store.get(file, CidrFormat.GO)).toBeUndefined();
    store.abandon?.(file, CidrFormat.GO);
    expect(locks()).toEqual([]);
    expect(store.get(file, CidrFormat.GO)).toBeUndefined();
  });

  test('a file the library fails to compile gives its lock up: the next worker is not kept waiting', () => {
    const { file, store, locks } = fixture('broken');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');
    const previous = _usePrecompiled(store);
    try {
      expect(() => CrdSchemas.fromFiles([file]).load()).toThrow(/holds no CustomResourceDefinition \(crd-file-invalid\)/);
    } finally {
      _usePrecompiled(previous);
    }
    expect(locks()).toEqual([]);
  });
});
