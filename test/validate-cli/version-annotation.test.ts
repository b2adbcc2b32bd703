// `validate` judges for the Cilium version the policies were synthesized for (their cdk8s-cilium.io/cilium-version
// annotation) when no version is given, by the same rule as trace, diff, report and replay (`judgedVersion`): it always
// judged for 1.19, so a policy written for 1.16 that uses `log` (a 1.18 field the 1.16 CRD prunes) passed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runValidate } from '../../src/cli/validate';
import { CiliumValidation } from '../../src/plugin/cilium-validation';
import { Validator } from '../../src/validate';
import { check, findings, yaml } from './helpers';

/** A CNP annotated for `version` that uses `log` (added in 1.18). */
const logged = (name: string, version: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: ${name}
    namespace: shop
    annotations:
      cdk8s-cilium.io/cilium-version: "${version}"
  spec:
    endpointSelector: { matchLabels: { app: ${name} } }
    log: { value: audit }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: web } }]
`;

/** The same without the annotation (hand-written). */
const UNANNOTATED = logged('plain', '1.16').replace(/ {2}annotations:\n.*\n/, '');

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-validate-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files: Record<string, string> = {
  'v116.yaml': logged('api', '1.16'),
  'v118.yaml': logged('web', '1.18'),
  'v119.yaml': logged('db', '1.19'),
  'bad.yaml': logged('api', '1.9'),
  'plain.yaml': UNANNOTATED,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

async function validate(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runValidate(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: dir });
  return { code, out, err };
}

describe('validate without --cilium-version', () => {
  test('judges a policy annotated for 1.16 for 1.16: the 1.18 field the 1.16 CRD prunes is an error', async () => {
    const r = await validate('v116.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toContain('v116.yaml:10:8: error version-log: log needs Cilium 1.18 or newer (target is 1.16)');
    expect(r.out).toMatch(/\(1 policy, 1 document; Cilium 1\.16 from the annotation cdk8s-cilium\.io\/cilium-version of CiliumNetworkPolicy shop\/api \(v116\.yaml\)\)\n$/);
    const json = JSON.parse((await validate('v116.yaml', '--format', 'json')).out) as { version: string; versionSource: string };
    expect(json).toMatchObject({ version: '1.16', versionSource: 'the annotation cdk8s-cilium.io/cilium-version of CiliumNetworkPolicy shop/api (v116.yaml)' });
    const sarif = JSON.parse((await validate('v116.yaml', '--format', 'sarif')).out) as { runs: { properties: Record<string, unknown> }[] };
    expect(sarif.runs[0].properties).toMatchObject({ ciliumVersion: '1.16', ciliumVersionSource: json.versionSource });
  });

  test('the same policy annotated for 1.19 passes, and an unannotated one is judged for the default', async () => {
    expect(await validate('v119.yaml')).toMatchObject({ code: 0, err: '' });
    const plain = await validate('plain.yaml');
    expect(plain.code).toBe(0);
    expect(plain.out).toBe('0 errors, 0 warnings in 1 file (1 policy, 1 document; Cilium 1.19)\n');
    // Unannotated policies do not count: the annotated one decides, as in trace.
    const both = await validate('plain.yaml', 'v116.yaml');
    expect(both.code).toBe(1);
    expect(both.out).toContain('Cilium 1.16 from the annotation');
    expect(both.out).toContain('plain.yaml:8:8: error version-log');
  });

  test('--cilium-version wins over the annotation (and then the annotation is not read)', async () => {
    const r = await validate('v116.yaml', '--cilium-version', '1.19');
    expect(r).toMatchObject({ code: 0, out: '0 errors, 0 warnings in 1 file (1 policy, 1 document; Cilium 1.19)\n' });
    expect((await validate('v119.yaml', '--cilium-version', '1.17')).out).toContain('error version-log: log needs Cilium 1.18 or newer (target is 1.17)');
    expect((await validate('bad.yaml', '--cilium-version', '1.18')).code).toBe(0);
    expect((await validate('v116.yaml', '--cilium-version', '1.20')).out).toMatch(/Cilium 1\.20-dev\)\n$/);
  });

  test('policies annotated for different versions: exit 2 naming both, as trace; --cilium-version settles it', async () => {
    const r = await validate('v116.yaml', 'v118.yaml');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/^error: the policies were synthesized for different Cilium versions: 1\.16 \(CiliumNetworkPolicy shop\/api \(v116\.yaml\)\) and 1\.18 \(CiliumNetworkPolicy shop\/web \(v118\.yaml\)\) \(version-annotation-conflict\); fix: pass the version of the cluster explicitly \(--cilium-version\)/);
    expect((await validate('v116.yaml', 'v118.yaml', '--cilium-version', '1.18')).code).toBe(0);
  });

  test('an annotation that names no supported version: exit 2 at its file:line, with the value and the fix', async () => {
    const r = await validate('plain.yaml', 'bad.yaml');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe('error: [bad.yaml:7] CiliumNetworkPolicy shop/api has the annotation cdk8s-cilium.io/cilium-version: "1.9", which is not a '
      + 'supported Cilium version (version-annotation-invalid); fix: write one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19, or pass the version of the '
      + 'cluster explicitly (--cilium-version)\n');
  });
});

describe('the programmatic API', () => {
  test('validateInputs and validatePaths take the annotation when ciliumVersion is not given', () => {
    const annotated = check({ 'v116.yaml': files['v116.yaml'] });
    expect(annotated.version).toBe('1.16');
    expect(annotated.versionSource).toBe('the annotation cdk8s-cilium.io/cilium-version of CiliumNetworkPolicy shop/api (v116.yaml)');
    expect(findings(annotated, 'version-log')).toHaveLength(1);
    const given = check({ 'v116.yaml': files['v116.yaml'] }, { ciliumVersion: '1.19' });
    expect(given).toMatchObject({ version: '1.19', versionSource: 'given' });
    expect(findings(given, 'version-log')).toEqual([]);
    expect(check({ 'plain.yaml': UNANNOTATED })).toMatchObject({ version: '1.19', versionSource: 'the default' });
    expect(Validator.validatePaths(['v116.yaml'], { cwd: dir })).toMatchObject({ version: '1.16' });
    expect(() => check({ 'a.yaml': files['v116.yaml'], 'b.yaml': files['v118.yaml'] })).toThrow(/version-annotation-conflict/);
    expect(() => Validator.validateInputs([{ name: 'bad.yaml', text: files['bad.yaml'] }])).toThrow(/^\[bad\.yaml:7\] .*"1\.9".*version-annotation-invalid/);
  });

  test('the cdk8s validation plugin reports the version it took and where from', async () => {
    let metadata: Record<string, string> | undefined;
    const violations: string[] = [];
    await new CiliumValidation().validate({
      manifests: [join(dir, 'v116.yaml')],
      report: { addViolation: (v) => violations.push(v.ruleName), submit: (_status, m) => (metadata = m) },
    });
    expect(violations).toEqual(['version-log (error)']);
    expect(metadata?.['Cilium version']).toMatch(/^1\.16 \(the annotation cdk8s-cilium\.io\/cilium-version of CiliumNetworkPolicy shop\/api \(.*v116\.yaml\)\)$/);
  });
});
