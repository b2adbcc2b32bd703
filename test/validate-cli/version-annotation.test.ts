// `validate` judges each policy for the Cilium version it was synthesized for (its cdk8s-cilium.io/cilium-version
// annotation) when no version is given: it always judged for 1.19, so a policy written for 1.16 that uses `log` (a 1.18
// field the 1.16 CRD prunes) passed. An app's charts may describe clusters of different versions (`CiliumVersion.use`
// per chart): each is judged for its own, where session 38 first refused them all (exit 2, a throw in the cdk8s plugin).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runValidate } from '../../src/cli/validate';
import { CiliumValidation } from '../../src/plugin/cilium-validation';
import { Validator } from '../../src/validate';
import { CRD_ROOT } from '../support/shared';
import { check, findings, yaml } from './helpers';

/** The CiliumNetworkPolicy CRD of a 1.18 cluster (shared test data). */
const CRD = join(CRD_ROOT, 'v1.18', 'ciliumnetworkpolicies.yaml');

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
  'main.yaml': logged('main', '1.20').replace('"1.20"', '1.20'),
  'v1174.yaml': logged('api', '1.17.4'),
  'v1175.yaml': logged('web', '1.17.5'),
  'v11704.yaml': logged('api', '1.17.04'),
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

  test('policies annotated for different versions: each judged for its own, the exit by the findings', async () => {
    const r = await validate('v116.yaml', 'v119.yaml');
    expect(r).toMatchObject({ code: 1, err: '' });
    expect(r.out).toContain('v116.yaml:10:8: error version-log: log needs Cilium 1.18 or newer (target is 1.16)');
    expect(r.out).not.toContain('v119.yaml:');
    expect(r.out).toMatch(/\(2 policies, 2 documents; Cilium 1\.16 \(v116\.yaml\), 1\.19 \(v119\.yaml\)\)\n$/);
    expect(await validate('v118.yaml', 'v119.yaml')).toMatchObject({ code: 0, err: '' });
    const json = JSON.parse((await validate('v116.yaml', 'v119.yaml', '--format', 'json')).out) as Record<string, unknown>;
    expect(json).toMatchObject({
      version: '1.19', versionSource: 'the annotation cdk8s-cilium.io/cilium-version of each policy',
      versions: [{ version: '1.16', files: ['v116.yaml'] }, { version: '1.19', files: ['v119.yaml'] }],
    });
    const sarif = JSON.parse((await validate('v116.yaml', 'v119.yaml', '--format', 'sarif')).out) as { runs: { properties: Record<string, unknown> }[] };
    expect(sarif.runs[0].properties.ciliumVersions).toEqual(json.versions);
    // --cilium-version judges them all for it.
    expect((await validate('v116.yaml', 'v118.yaml', '--cilium-version', '1.18')).code).toBe(0);
  });

  test('the pitfalls run once per version over the whole inventory: a finding on a NetworkPolicy is reported once', () => {
    const np = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: { name: ignored, namespace: shop }
      spec:
        podSelector: {}
        policyTypes: [Egress]
        ingress:
          - from: [{ podSelector: {} }]
    `;
    const report = check({ 'np.yaml': np, 'v116.yaml': files['v116.yaml'], 'v119.yaml': files['v119.yaml'] });
    expect(report.versions?.map((v) => v.version)).toEqual(['1.16', '1.19']);
    expect(findings(report, 'pitfall-np-policy-types-ignored')).toHaveLength(1);
  });

  test('an unannotated policy beside policies of one version is judged for that version; beside several, for 1.19', async () => {
    const one = await validate('plain.yaml', 'v116.yaml');
    expect(one.out).toContain('plain.yaml:8:8: error version-log: log needs Cilium 1.18 or newer (target is 1.16)');
    const several = await validate('plain.yaml', 'v116.yaml', 'v118.yaml');
    // Judged for 1.19, where log is known: no error, but a warning that 1.19 is a default, not a version it names.
    expect(several.out).not.toContain('plain.yaml:8:8');
    expect(several.out).toContain('plain.yaml:4:9: warning version-annotation-missing: it has no cdk8s-cilium.io/cilium-version annotation, '
      + 'while other policies name Cilium 1.16 and 1.18: it is judged for Cilium 1.19 (the default), which may not be its cluster\'s version');
    expect(several.out).toMatch(/Cilium 1\.16 \(v116\.yaml\), 1\.18 \(v118\.yaml\), 1\.19 \(plain\.yaml\)/);
  });

  test('with --crd (the CRDs of one cluster), policies annotated for different versions are still refused', async () => {
    const r = await validate('v116.yaml', 'v118.yaml', '--crd', CRD);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/^error: the policies were synthesized for different Cilium versions: 1\.16 \(CiliumNetworkPolicy shop\/api \(v116\.yaml\)\) and 1\.18 \(CiliumNetworkPolicy shop\/web \(v118\.yaml\)\) \(version-annotation-conflict\)/);
  });

  test('an annotation that names no supported version: a finding at its file:line, with the rest of the report', async () => {
    const r = await validate('plain.yaml', 'bad.yaml', 'v116.yaml');
    expect(r).toMatchObject({ code: 1, err: '' });
    expect(r.out).toContain('bad.yaml:7:37: error version-annotation-invalid: the annotation cdk8s-cilium.io/cilium-version is "1.9", which is not a '
      + 'supported Cilium version; it is judged for Cilium 1.16\n');
    expect(r.out).toContain('    fix: write one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19 as a quoted string (the constructs write it), or judge the '
      + 'policies for the version of the cluster with --cilium-version (which also takes 1.20, Cilium\'s main branch)\n');
    // Judged for the one version the other annotations name, as the unannotated policy is.
    expect(r.out).toContain('bad.yaml:10:8: error version-log');
    expect(r.out).toContain('plain.yaml:8:8: error version-log');
    expect(r.out).toContain('v116.yaml:10:8: error version-log');
    // An unquoted 1.20 (YAML reads the number 1.2) is not a released version either.
    const unquoted = await validate('main.yaml');
    expect(unquoted.code).toBe(1);
    expect(unquoted.out).toContain('main.yaml:7:37: error version-annotation-invalid: the annotation cdk8s-cilium.io/cilium-version is 1.20, unquoted');
  });

  test('an unquoted number that names no supported version: one finding (not parse-wrong-type too), whose fix quotes a supported one', () => {
    // Before: parse-wrong-type (fix: quote it: "1.20", still no supported version) and version-annotation-invalid.
    const r = check({ 'main.yaml': files['main.yaml'] });
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.id}`)).toEqual(['7:37 version-annotation-invalid']);
    expect(r.diagnostics[0].message).toBe('the annotation cdk8s-cilium.io/cilium-version is 1.20, unquoted: a number, which the API server rejects '
      + '(annotations are strings), and "1.20" is not a supported Cilium version; it is judged for Cilium 1.19');
    expect(r.diagnostics[0].fix).toMatch(/^write one of 1\.14, .* as a quoted string/);
    // An unquoted supported version: the reader's finding alone (quoting it is the fix), judged for it.
    const supported = check({ 'v116.yaml': files['v116.yaml'].replace('"1.16"', '1.16') });
    expect(supported.diagnostics.map((d) => `${d.id} ${d.fix}`)).toEqual(['parse-wrong-type quote it: "1.16"', expect.stringMatching(/^version-log /)]);
  });
});

// Session 53 review: patch releases in the annotation are named with their patch (`1.17 and 1.17` said nothing), and a
// malformed patch gets the fix --cilium-version gives it (`write 1.17.4`), not the list of minor releases.
describe('patch releases in the annotation', () => {
  test('with --crd, policies annotated for two patches of one minor are refused naming both patches', async () => {
    const r = await validate('v1174.yaml', 'v1175.yaml', '--crd', CRD);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/^error: the policies were synthesized for different Cilium versions: 1\.17\.4 \(CiliumNetworkPolicy shop\/api \(v1174\.yaml\)\) and 1\.17\.5 /);
  });

  test('an unannotated policy beside them: the warning names both patches', async () => {
    const r = await validate('plain.yaml', 'v1175.yaml', 'v1174.yaml');
    expect(r.out).toContain('while other policies name Cilium 1.17.4 and 1.17.5: it is judged for Cilium 1.19 (the default)');
  });

  test('a malformed patch level: the finding says what to write', async () => {
    const r = await validate('v11704.yaml');
    expect(r.out).toContain('error version-annotation-invalid: the annotation cdk8s-cilium.io/cilium-version is "1.17.04": Cilium version "1.17.04" has the '
      + 'patch level "04", which is not a whole number of 0 to 999 without leading zeros; it is judged for Cilium 1.19\n');
    expect(r.out).toContain('    fix: write 1.17.4\n');
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
    const two = check({ 'a.yaml': files['v116.yaml'], 'b.yaml': files['v118.yaml'] });
    expect(two).toMatchObject({ versions: [{ version: '1.16', files: ['a.yaml'] }, { version: '1.18', files: ['b.yaml'] }] });
    expect(findings(two, 'version-log')).toHaveLength(1);
    const bad = Validator.validateInputs([{ name: 'bad.yaml', text: files['bad.yaml'] }]);
    expect(bad).toMatchObject({ version: '1.19', versionSource: 'the default' });
    expect(bad.versions).toBeUndefined();
    expect(findings(bad, 'version-annotation-invalid')).toEqual([expect.objectContaining({
      file: 'bad.yaml', line: 7, column: 37, severity: 'error', fix: expect.stringContaining('with ciliumVersion (which also takes 1.20'),
    })]);
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

  test('the plugin judges the charts of an app synthesized for different versions each for its own (one file per chart)', async () => {
    const charts = mkdtempSync(join(dir, 'dist-'));
    writeFileSync(join(charts, 'east.k8s.yaml'), logged('east', '1.16'));
    writeFileSync(join(charts, 'west.k8s.yaml'), logged('west', '1.19'));
    let metadata: Record<string, string> | undefined;
    const violations: { rule: string; path: string }[] = [];
    await new CiliumValidation().validate({
      manifests: [join(charts, 'east.k8s.yaml'), join(charts, 'west.k8s.yaml')],
      report: {
        addViolation: (v) => violations.push({ rule: v.ruleName, path: v.violatingResources[0].manifestPath }),
        submit: (_status, m) => (metadata = m),
      },
    });
    expect(violations).toEqual([{ rule: 'version-log (error)', path: join(charts, 'east.k8s.yaml') }]);
    expect(metadata?.['Cilium version']).toMatch(/^1\.16 \(.*east\.k8s\.yaml\), 1\.19 \(.*west\.k8s\.yaml\)$/);
  });
});
