/**
 * Regenerates `imports/cilium-cilium.io.ts` from Cilium's CNP and CCNP CRDs.
 *
 * Usage: `npm run import -- <crd-dir>`; `<crd-dir>` holds `ciliumnetworkpolicies.yaml` and
 * `ciliumclusterwidenetworkpolicies.yaml` (default: `../shared/crds/cilium/v1.19`).
 *
 * Both CRDs belong to the API group `cilium.io`; importing them one by one would overwrite
 * the first with the second, so they are concatenated into one multi-document file first.
 *
 * The generated file is then type-checked (`tsc -p imports`: imports/tsconfig.json, the project's compiler options); a
 * type error there fails the command (exit 1). `npm test` does not type-check imports/ (nothing imports it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? join(__dirname, '..', '..', 'shared', 'crds', 'cilium', 'v1.19'));
const files = ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml'].map((f) => join(dir, f));
for (const f of files) {
  if (!existsSync(f)) {
    console.error(`error: CRD file not found: ${f}\nfix: pass the directory that holds both CRDs, e.g. npm run import -- ../shared/crds/cilium/v1.19`);
    process.exit(2);
  }
}
const work = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-import-'));
try {
  const combined = join(work, 'cilium-policy-crds.yaml');
  writeFileSync(combined, files.map((f) => readFileSync(f, 'utf8').replace(/\n*$/, '\n')).join('---\n'));
  execFileSync('npx', ['cdk8s', 'import', `cilium:=${combined}`, '--language', 'typescript', '--output', 'imports', '--no-save', '--no-check-upgrade'], {
    cwd: join(__dirname, '..'),
    stdio: 'inherit',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
  console.log(`imported ${files.join(' + ')} -> imports/cilium-cilium.io.ts`);
  // The project's type-check (tsconfig.json, `npm test`) leaves imports/ out, since nothing imports it: the generated
  // file is type-checked here, when it changes, with the project's compiler options (imports/tsconfig.json extends them).
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'imports'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
  console.log('imports/cilium-cilium.io.ts type-checks (tsc -p imports)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
