/**
 * The package build handed from `compile-lint-docs` to the package test within `npm test` (scripts/prebuilt-lib.mjs): a
 * consumer uses the emitted lib/ only on a producer's successful result, and never waits on a producer that is gone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { awaitPrebuiltLib, claimPrebuiltLib, PREBUILT_LIB_ENV } from '../scripts/prebuilt-lib.mjs';

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-prebuilt-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs a node script that claims `dir` as the producer, then does `then` (ESM source), and exits. */
function producer(dir: string, then: string): void {
  const module = join(__dirname, '..', 'scripts', 'prebuilt-lib.mjs');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { claimPrebuiltLib } from ${JSON.stringify(pathToFileURL(module).href)}; const p = claimPrebuiltLib(); ${then}`],
  { env: { ...process.env, [PREBUILT_LIB_ENV]: dir }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
}

describe('the prebuilt package lib', () => {
  test('without the variable there is nothing to claim or wait for', () => {
    expect(claimPrebuiltLib({})).toBeUndefined();
    expect(awaitPrebuiltLib(1000, { env: {} })).toEqual({ ok: false, reason: `${PREBUILT_LIB_ENV} is not set` });
  });

  test('a successful result gives the lib folder; the first result written is the one that counts', () => {
    const dir = folder();
    producer(dir, 'p.settle({ ok: true, files: 3 }); p.settle({ ok: false, reason: "late" });');
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'))).toEqual({ ok: true, files: 3 });
    expect(awaitPrebuiltLib(1000, { env: { [PREBUILT_LIB_ENV]: dir } })).toEqual({ ok: true, lib: join(dir, 'lib') });
  });

  test('a failed result is passed on with its reason', () => {
    const dir = folder();
    producer(dir, 'p.settle({ ok: false, reason: "tsc reported 2 error(s)" });');
    expect(awaitPrebuiltLib(1000, { env: { [PREBUILT_LIB_ENV]: dir } })).toEqual({ ok: false, reason: 'tsc reported 2 error(s)' });
  });

  test('a producer that exits without settling leaves a failed result', () => {
    const dir = folder();
    producer(dir, 'process.exitCode = 1;');
    expect(awaitPrebuiltLib(1000, { env: { [PREBUILT_LIB_ENV]: dir } }))
      .toEqual({ ok: false, reason: 'compile-and-lint ended before it emitted the build' });
  });

  test('a producer killed without a result is not waited for', () => {
    const dir = folder();
    // A pid that no longer runs: a finished child's.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'producer'), gone);
    // Not the 60 s timeout's reason: it returned when it found the producer gone.
    expect(awaitPrebuiltLib(60_000, { env: { [PREBUILT_LIB_ENV]: dir } })).toEqual({ ok: false, reason: `the producer (pid ${gone}) ended without a result` });
  });

  test('no claim within the grace period, or no result in time: built by the consumer', () => {
    const unclaimed = folder();
    expect(awaitPrebuiltLib(60_000, { env: { [PREBUILT_LIB_ENV]: unclaimed }, claimGraceMs: 300 }))
      .toEqual({ ok: false, reason: `no producer claimed ${unclaimed} within 0.3 s` });
    const slow = folder();
    writeFileSync(join(slow, 'producer'), String(process.pid));
    expect(awaitPrebuiltLib(300, { env: { [PREBUILT_LIB_ENV]: slow } })).toEqual({ ok: false, reason: 'no result after 0.3 s' });
    expect(existsSync(join(slow, 'result.json'))).toBe(false);
  });
});
