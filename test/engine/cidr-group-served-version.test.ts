// A CiliumCIDRGroup is served as cilium.io/v2 from Cilium 1.18 only (cilium/cilium#38940, "k8s: Promote CCG to v2 and
// deprecate v2alpha1"; before, crds/v2alpha1/ciliumcidrgroups.yaml serves v2alpha1 alone): a 1.17 API server has no v2
// resource, so such a group is not in the cluster and a cidrGroupRef to it selects nothing. Session 56 read the groups
// without the release (the policy reader cannot know it): trace --cilium-version 1.17 ALLOWED through a v2 group, validate
// passed it, and report with a policy annotated 1.17 listed it as allowed. The set now judges each group's apiVersion once
// its release is settled (given, or the policies' annotation: `unservedCidrGroups`), validate likewise: the truth table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion, EndpointInventory, PolicySet, Validator } from '../../src';
import { verdict } from './helpers';
import { cli, cliAsync } from '../support/cli';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-cidr-group-served-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const groupYaml = (apiVersion: string): string => `apiVersion: ${apiVersion}\nkind: CiliumCIDRGroup\nmetadata: {name: grp}\nspec: {externalCIDRs: ["10.0.0.0/8"]}\n`;
// Ingress in the table: before 1.16 the agent refuses a cidrGroupRef in an egress toCIDRSet (`sanitize-egress-cidr-group-ref`).
const policyYaml = (annotation?: string, rule = 'ingress: [{fromCIDRSet: [{cidrGroupRef: grp}]}]'): string => 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n'
  + `metadata: {name: api, namespace: shop${annotation === undefined ? '' : `, annotations: {cdk8s-cilium.io/cilium-version: "${annotation}"}`}}\nspec:\n`
  + `  endpointSelector: {matchLabels: {app: api}}\n  ${rule}\n`;
const WHY = (release: string): string => `apiVersion is "cilium.io/v2", but Cilium ${release} serves CiliumCIDRGroup only as cilium.io/v2alpha1 `
  + '(cilium.io/v2alpha1 in every Cilium version, cilium.io/v2 from 1.18) (kubectl: no matches for kind); the API server refuses the CiliumCIDRGroup grp';
const FIX = 'set apiVersion: cilium.io/v2alpha1 (served by every Cilium version; cilium.io/v2 from 1.18), or judge for the release the cluster runs (--cilium-version)';
const query = { from: 'cidr:10.1.2.3', to: 'pod:shop:app=api', port: '80/TCP' };

const table = CiliumVersion.ALL.flatMap((v) => ['cilium.io/v2alpha1', 'cilium.io/v2'].map((a) => [v.release, a, v] as const));

describe.each(table)('Cilium %s, a group of %s', (release, apiVersion, version) => {
  const served = apiVersion === 'cilium.io/v2alpha1' || version.atLeast(CiliumVersion.V1_18);
  const text = `${groupYaml(apiVersion)}---\n${policyYaml()}`;

  test(`the library: ${served ? 'the group is read, ALLOWED' : 'an error at its apiVersion, the group left out'}`, () => {
    const set = PolicySet.fromYaml(text, { file: 'both.yaml', ciliumVersion: version });
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    expect(Object.keys(set.inventory.cidrGroups)).toEqual(served ? ['grp'] : []);
    if (served) {
      expect(errors).toEqual([]);
      expect(verdict(set, query.from, query.to, query.port).allowed).toBe(true);
    } else {
      // The test matchers refuse the inputs (`policyInputError`), as the commands do.
      expect(() => verdict(set, query.from, query.to, query.port)).toThrow(/both\.yaml:1: apiVersion is "cilium\.io\/v2".*\(parse-api-version\)/);
      expect(errors).toEqual([expect.objectContaining({ id: 'parse-api-version', file: 'both.yaml', line: 1, path: 'apiVersion', fix: FIX,
        message: expect.stringMatching(new RegExp(`^${WHY(release).replace(/[.()]/g, '\\$&')}.* \\(judged for Cilium ${release}: given\\)$`)) })]);
    }
    // The same group in an inventory given to the set, and the release from the policy's annotation.
    const inventory = new EndpointInventory();
    inventory.addManifest({ apiVersion, kind: 'CiliumCIDRGroup', metadata: { name: 'grp' }, spec: { externalCIDRs: ['10.0.0.0/8'] } });
    const annotated = PolicySet.fromYaml(policyYaml(release), { inventory });
    expect(annotated.ciliumVersion).toBe(version);
    if (served) expect(verdict(annotated, query.from, query.to, query.port).allowed).toBe(true);
    expect(annotated.diagnostics.filter((d) => d.severity === 'error').map((d) => d.id)).toEqual(served ? [] : ['parse-api-version']);
  });

  test(`trace --cilium-version ${release}: ${served ? 'ALLOWED' : 'exit 2 with the refusal'}; validate: ${served ? 'no error' : 'the error'}`, () => {
    const file = join(scratch, `both-${release}-${apiVersion.replace(/\W/g, '')}.yaml`);
    writeFileSync(file, text);
    const t = cli('trace', '--policies', file, '--cilium-version', release, '--from', query.from, '--to', query.to, '--port', query.port);
    if (served) {
      expect(t).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^ALLOWED /) });
    } else {
      expect(t).toMatchObject({ code: 2, stdout: '' });
      expect(t.stderr).toContain(`error: ${file}:1: ${WHY(release)}`);
      expect(t.stderr).toContain(`(judged for Cilium ${release}: given) (parse-api-version); fix: ${FIX}`);
    }
    const report = Validator.validateInputs([{ name: 'both.yaml', text }], { ciliumVersion: release });
    expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.id, d.line, d.kind, d.name]))
      .toEqual(served ? [] : [['parse-api-version', 1, 'CiliumCIDRGroup', 'grp']]);
  });
});

test('report --inventory of a cilium.io/v2 group, the policy annotated 1.17: exit 2 (the release from the annotation); 1.18: read', async () => {
  const inventory = join(scratch, 'inv-v2.yaml');
  writeFileSync(inventory, groupYaml('cilium.io/v2'));
  for (const [release, code] of [['1.17', 2], ['1.18', 0]] as const) {
    const policy = join(scratch, `policy-${release}.yaml`);
    writeFileSync(policy, policyYaml(release, 'egress: [{toCIDRSet: [{cidrGroupRef: grp}]}]'));
    const r = await cliAsync('report', '--policies', policy, '--inventory', inventory);
    expect(r.code).toBe(code);
    if (code === 2) {
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`inv-v2.yaml:1: ${WHY('1.17')}`);
      expect(r.stderr).toContain('(judged for Cilium 1.17: the annotation cdk8s-cilium.io/cilium-version of CiliumNetworkPolicy shop/api');
    } else {
      expect(r.stdout).toContain('shop/app=api → world 10.0.0.0/8 any');
    }
  }
});

// Session 57 (issue 16, seed 5704): the library's error (`unservedCidrGroups`) is placed where validate places it, at the
// apiVersion's value: line and column. A group after a comment document, written kind first, so its apiVersion is at
// line 4, column 13, not at the document's start.
test('the library and validate place a 1.17 error of a cilium.io/v2 group at its apiVersion value: line 4, column 13', () => {
  const text = `# inventory\n---\nkind: CiliumCIDRGroup\napiVersion: cilium.io/v2\nmetadata: {name: grp}\nspec: {externalCIDRs: ["10.0.0.0/8"]}\n---\n${policyYaml()}`;
  const at = (d: { id: string; file?: string; line?: number; column?: number }): unknown[] => [d.id, d.file, d.line, d.column];
  const set = PolicySet.fromYaml(text, { file: 'both.yaml', ciliumVersion: CiliumVersion.V1_17 });
  expect(set.diagnostics.filter((d) => d.severity === 'error').map(at)).toEqual([['parse-api-version', 'both.yaml', 4, 13]]);
  const report = Validator.validateInputs([{ name: 'both.yaml', text }], { ciliumVersion: '1.17' });
  expect(report.diagnostics.filter((d) => d.severity === 'error').map(at)).toEqual([['parse-api-version', 'both.yaml', 4, 13]]);
  // 1.18 serves cilium.io/v2: no error, and the group selects 10.1.2.3.
  const served = PolicySet.fromYaml(text, { file: 'both.yaml', ciliumVersion: CiliumVersion.V1_18 });
  expect(served.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(verdict(served, query.from, query.to, query.port).allowed).toBe(true);
});
