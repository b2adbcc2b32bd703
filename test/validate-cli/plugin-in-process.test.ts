// The cdk8s CLI validation plugin in-process (the spawned `cdk8s synth` run is in plugin.test.ts): what it reports to the
// CLI's report object for each property, so its branches are covered and pinned without a child process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumValidation, CiliumValidationProps, PluginViolation } from '../../src/plugin/cilium-validation';
import { CRD_ROOT } from '../support/shared';
import { CLEAN_CNP, FQDN_OCTAL_PORT_CNP } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-plugin-in-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function manifest(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

interface Submitted {
  violations: PluginViolation[];
  status: string;
  metadata?: Record<string, string>;
}

async function run(files: string[], props?: CiliumValidationProps): Promise<Submitted> {
  const violations: PluginViolation[] = [];
  let submitted: { status: string; metadata?: Record<string, string> } | undefined;
  await new CiliumValidation(props).validate({
    manifests: files,
    report: {
      addViolation: (v) => violations.push(v),
      submit: (status, metadata) => {
        expect(submitted).toBeUndefined();
        submitted = { status, metadata };
      },
    },
  });
  expect(submitted).toBeDefined();
  return { violations, ...submitted! };
}

const BAD = manifest('bad.k8s.yaml', FQDN_OCTAL_PORT_CNP);
const CLEAN = manifest('clean.k8s.yaml', CLEAN_CNP);
const CLEAN_API = manifest('clean-api.k8s.yaml', CLEAN_CNP.replace('name: web', 'name: api'));
const WARNING_ONLY = manifest('warning.k8s.yaml', FQDN_OCTAL_PORT_CNP.replace('"0443"', '"443"'));

describe('CiliumValidation.validate (in-process)', () => {
  test('an error: failure, every finding as a violation with its rule, location, fix and the manifest path', async () => {
    const r = await run([BAD]);
    expect(r.status).toBe('failure');
    expect(r.violations.map((v) => v.ruleName).sort()).toEqual(['pitfall-fqdn-without-dns (warning)', 'sanitize-port-octal (error)']);
    const octal = r.violations.find((v) => v.ruleName.startsWith('sanitize-port-octal'))!;
    expect(octal.fix).toContain('write "443" if you meant decimal');
    expect(octal.recommendation).toContain('0443');
    expect(octal.violatingResources).toEqual([{
      resourceName: 'web',
      locations: ['spec.egress[0].toPorts[0].ports[0].port (line 15, column 21)'],
      manifestPath: BAD,
    }]);
    expect(r.metadata).toEqual({ 'Cilium version': '1.19', Errors: '1', Warnings: '1', Policies: '1' });
  });

  test('a clean app on another Cilium version: success, no violations', async () => {
    const r = await run([CLEAN], { ciliumVersion: '1.17' });
    expect(r).toEqual({ violations: [], status: 'success', metadata: { 'Cilium version': '1.17', Errors: '0', Warnings: '0', Policies: '1' } });
  });

  test('warnings fail only beyond maxWarnings', async () => {
    expect((await run([WARNING_ONLY])).status).toBe('success');
    const strict = await run([WARNING_ONLY], { maxWarnings: 0 });
    expect(strict.status).toBe('failure');
    expect(strict.metadata).toMatchObject({ Warnings: '1', 'Max warnings': '0' });
    expect((await run([WARNING_ONLY], { maxWarnings: 1 })).status).toBe('success');
  });

  test('several manifests are validated together', async () => {
    const r = await run([CLEAN_API, BAD]);
    expect(r.metadata).toMatchObject({ Policies: '2', Errors: '1' });
    expect(new Set(r.violations.map((v) => v.violatingResources[0].manifestPath))).toEqual(new Set([BAD]));
  });

  test('two manifests holding one policy (same kind, namespace and name): an error on each', async () => {
    const r = await run([CLEAN, BAD]);
    expect(r.status).toBe('failure');
    const duplicates = r.violations.filter((v) => v.ruleName === 'pitfall-policy-name-duplicate (error)');
    expect(duplicates.map((v) => v.violatingResources[0].manifestPath).sort()).toEqual([BAD, CLEAN].sort());
  });

  test('CRD files of the cluster replace the built-in schema rules', async () => {
    const crd = [join(CRD_ROOT, 'v1.15', 'ciliumnetworkpolicies.yaml'), join(CRD_ROOT, 'v1.15', 'ciliumclusterwidenetworkpolicies.yaml')];
    const r = await run([CLEAN], { crd });
    expect(r.status).toBe('success');
    // An empty list means "not given": the built-in rules.
    expect((await run([CLEAN], { crd: [] })).status).toBe('success');
  });

  test('an unknown Cilium version is refused with an error naming it', async () => {
    await expect(run([CLEAN], { ciliumVersion: '9.9' })).rejects.toThrow(/9\.9/);
  });
});
