// The package build that `npm test` hands from `npm run compile-lint-docs` to test/package.test.ts.
//
// `npm pack` builds the package in its `prepack` (`npm run build`: `tsc -p tsconfig.build.json`), which type-checks
// src/ once more (≈ 14 s of CPU) after `compile-lint-docs` has type-checked the whole project on one program. Within
// `npm test`, `scripts/run-checks.mjs --tmp-env CDK8S_CILIUM_PREBUILT_LIB` names a fresh folder in the environment of both;
// `compile-and-lint.mjs` (the producer) builds its program with tsconfig.build.json's emit settings (the compiler options
// are otherwise the same, checked, so its diagnostics are those of `tsc --noEmit -p .`), emits src/ into `<folder>/lib`
// as `tsc -p tsconfig.build.json` would, and writes the result; the package test (the consumer) waits for it, packs
// that lib/ with `npm pack --ignore-scripts`, and builds with `npm pack` itself when there is no result to use (the
// variable unset, as when the file runs alone; a type error; a producer that ended without a result).
//
// The folder: `producer` (the producer's pid, written first), `lib/` (the emitted files), `result.json` (written last,
// by rename: `{ "ok": true, "files": n }` or `{ "ok": false, "reason": "…" }`).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

/** The environment variable naming the folder. */
export const PREBUILT_LIB_ENV = 'CDK8S_CILIUM_PREBUILT_LIB';

/** How long a consumer waits for a producer to claim the folder before it builds the package itself. */
const CLAIM_GRACE_MS = 20_000;

/**
 * The producer's side: claims the folder named by the environment (undefined when none is). Exactly one result is
 * written: by `settle`, or, if the process ends first, a failed one.
 */
export function claimPrebuiltLib(env = process.env) {
  const dir = env[PREBUILT_LIB_ENV];
  if (!dir) return undefined;
  writeFileSync(join(dir, 'producer'), String(process.pid));
  let settled = false;
  const settle = (result) => {
    if (settled) return;
    settled = true;
    const tmp = join(dir, 'result.json.tmp');
    writeFileSync(tmp, JSON.stringify(result));
    renameSync(tmp, join(dir, 'result.json'));
  };
  process.on('exit', () => settle({ ok: false, reason: 'compile-and-lint ended before it emitted the build' }));
  return { lib: join(dir, 'lib'), settle };
}

/**
 * The consumer's side: waits (blocking, 200 ms at a time) for the producer's result. `{ ok: true, lib }` when the
 * emitted lib/ is ready; `{ ok: false, reason }` when there is none to use (no folder named, a failed result, no claim
 * within `claimGraceMs`, a producer that ended without a result, or none after `timeoutMs`).
 */
export function awaitPrebuiltLib(timeoutMs, { env = process.env, claimGraceMs = CLAIM_GRACE_MS } = {}) {
  const dir = env[PREBUILT_LIB_ENV];
  if (!dir) return { ok: false, reason: `${PREBUILT_LIB_ENV} is not set` };
  const start = Date.now();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const result = readResult(dir);
    if (result) return result.ok ? { ok: true, lib: join(dir, 'lib') } : { ok: false, reason: String(result.reason) };
    const pid = readPid(dir);
    if (pid === undefined && Date.now() - start > claimGraceMs) {
      return { ok: false, reason: `no producer claimed ${dir} within ${claimGraceMs / 1000} s` };
    }
    if (pid !== undefined && !alive(pid)) {
      return readResult(dir) ?? { ok: false, reason: `the producer (pid ${pid}) ended without a result` };
    }
    if (Date.now() - start > timeoutMs) return { ok: false, reason: `no result after ${timeoutMs / 1000} s` };
    Atomics.wait(sleeper, 0, 0, 200);
  }
}

function readResult(dir) {
  const file = join(dir, 'result.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

function readPid(dir) {
  const file = join(dir, 'producer');
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8')) : NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
