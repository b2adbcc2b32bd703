// Session 55: a CiliumCIDRGroup beside the policies was read whatever its apiVersion and CIDRs: `apiVersion: cilium.io/v1`,
// or one CIDR no CRD schema takes (`garbage`, `10.0.0.0/33`, a bare address, a number) beside a valid one, and its valid
// CIDRs were selected by a `cidrGroupRef` (trace ALLOWED), while the API server refuses the whole object (CRD
// pkg/k8s/apis/cilium.io/client/crds/v2alpha1 and v2 ciliumcidrgroups.yaml: items `pattern` (1.14/1.15) or `format: cidr`,
// `required: [externalCIDRs]`; no served version cilium.io/v1), so the cluster has no such group and the ref selects nothing.
// Such a group is now refused where it is written, as a workload with a label value that is no string is: validate reports
// the error, trace, report and diff exit 2 with it (one reading), and a valid group is judged as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, cliAsync } from '../support/cli';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-cidr-group-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const POLICY = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n'
  + '  endpointSelector: {matchLabels: {app: api}}\n  egress: [{toCIDRSet: [{cidrGroupRef: grp}]}]\n';

function files(apiVersion: string, spec: string): string {
  const file = join(scratch, 'group.yaml');
  writeFileSync(file, `apiVersion: ${apiVersion}\nkind: CiliumCIDRGroup\nmetadata: {name: grp}\nspec: ${spec}\n---\n${POLICY}`);
  return file;
}

const trace = (file: string, to: string): ReturnType<typeof cli> => cli('trace', '--policies', file, '--from', 'pod:shop:app=api', '--to', to, '--port', '80/TCP');

describe('a CiliumCIDRGroup the API server refuses is not read as a group (trace, validate, report, diff alike)', () => {
  test.each([
    ['cilium.io/v1', '{externalCIDRs: ["10.0.0.0/8"]}', 1, 'parse-api-version',
      'apiVersion is "cilium.io/v1", but CiliumCIDRGroup is served only as cilium.io/v2alpha1 or cilium.io/v2 (kubectl: no matches for kind)'],
    ['cilium.io/v2alpha1', '{externalCIDRs: ["10.0.0.0/8", "garbage"]}', 4, 'crd-cidr',
      'spec.externalCIDRs[1] "garbage" is not a CIDR ("garbage" is no IP address)'],
    ['cilium.io/v2', '{externalCIDRs: ["10.0.0.0/33", "10.0.0.0/8"]}', 4, 'crd-cidr',
      'spec.externalCIDRs[0] "10.0.0.0/33" is not a CIDR (the prefix length 33 is more than the 32 bits of an IPv4 address)'],
    ['cilium.io/v2alpha1', '{externalCIDRs: ["10.0.0.0", "10.0.0.0/8"]}', 4, 'crd-cidr', 'spec.externalCIDRs[0] "10.0.0.0" is not a CIDR (it has no prefix length)'],
    ['cilium.io/v2alpha1', '{externalCIDRs: [167772160, "10.0.0.0/8"]}', 4, 'parse-wrong-type', 'spec.externalCIDRs[0] must be a string, got a number (167772160)'],
    ['cilium.io/v2alpha1', '{externalCIDRs: "10.0.0.0/8"}', 4, 'parse-wrong-type', 'spec.externalCIDRs must be a list, got a string ("10.0.0.0/8")'],
    ['cilium.io/v2alpha1', '{}', 4, 'parse-missing-field', 'spec.externalCIDRs is missing, which the CRD requires'],
  ])('%s %s: exit 2 at line %i (%s), never ALLOWED through its valid CIDRs', async (apiVersion, spec, line, id, what) => {
    const file = files(apiVersion, spec);
    const why = `${what}; the API server refuses the CiliumCIDRGroup grp, so it is not in the cluster and a cidrGroupRef or cidrGroupSelector selects none of its CIDRs`;
    const t = trace(file, 'cidr:10.1.2.3');
    expect(t).toMatchObject({ code: 2, stdout: '' });
    expect(t.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.\\]/g, '\\$&')}:${line}: ${why.replace(/[.()[\]\\]/g, '\\$&')} \\(${id}\\); fix: `));
    const v = await cliAsync('validate', file, '--format', 'json');
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout).diagnostics).toEqual([expect.objectContaining({ id, severity: 'error', line, message: why })]);
    const r = await cliAsync('report', '--policies', file);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(`(${id})`);
    const d = await cliAsync('diff', '--base', file, '--head', file);
    expect(d).toMatchObject({ code: 2, stdout: '' });
    expect(d.stderr).toContain(`(${id})`);
    // Written as the API server stores it, the group is read: its CIDRs allowed, other addresses denied (by default deny).
    const fixed = files('cilium.io/v2alpha1', '{externalCIDRs: ["10.0.0.0/8"]}');
    expect(trace(fixed, 'cidr:10.1.2.3')).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^ALLOWED .*\n.*allowed by CiliumNetworkPolicy shop\/api spec\.egress\[0\]/) });
    expect(trace(fixed, 'cidr:11.1.2.3')).toMatchObject({ code: 1, stderr: '', stdout: expect.stringMatching(/^DENIED .*\n.*default deny/) });
    expect((await cliAsync('validate', fixed)).code).toBe(0);
  });
});

// The `--inventory` reader (its own checks, `inventoryProblem`) added such a group too: report listed `shop/app=api → world
// 10.0.0.0/8` as allowed through the group the cluster does not have.
describe('--inventory: a CiliumCIDRGroup the API server refuses is refused (cli-inventory), YAML and JSON alike', () => {
  const policy = join(scratch, 'policy.yaml');
  const group = (cidrs: string): Record<string, unknown> => ({ apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'grp' },
    spec: { externalCIDRs: JSON.parse(cidrs) as unknown } });
  test.each(['yaml', 'json'])('%s', async (ext) => {
    writeFileSync(policy, POLICY);
    const inventory = join(scratch, `inventory.${ext}`);
    const write = (cidrs: string): void => writeFileSync(inventory, ext === 'json' ? JSON.stringify(group(cidrs))
      : `apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {name: grp}\nspec: {externalCIDRs: ${cidrs}}\n`);
    write('["10.0.0.0/8", "garbage"]');
    const r = await cliAsync('report', '--policies', policy, '--inventory', inventory);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain('spec.externalCIDRs[1] "garbage" is not a CIDR ("garbage" is no IP address); the API server refuses the CiliumCIDRGroup grp');
    // The group's own fix (`cidrGroupRejections`), not the inventory's generic one.
    expect(r.stderr).toMatch(/\(cli-inventory\); fix: write an address and a prefix length, such as 10\.0\.0\.0\/8, 10\.1\.2\.3\/32 or 2001:db8::\/32\n$/);
    write('["10.0.0.0/8"]');
    const ok = await cliAsync('report', '--policies', policy, '--inventory', inventory);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('shop/app=api → world 10.0.0.0/8 any');
  });
});

// Session 56: CiliumCIDRGroup is served as cilium.io/v2 from Cilium 1.18 only (cilium/cilium#38940); a v2 group of
// `--inventory` is refused for an older release (its API server has no such resource) by the set, once the release is
// settled (`unservedCidrGroups`, at its file and line), and taken for 1.18.
test('--inventory with --cilium-version: a cilium.io/v2 group is refused for 1.17, read for 1.18', async () => {
  const policy = join(scratch, 'policy-v2.yaml');
  writeFileSync(policy, POLICY);
  const inventory = join(scratch, 'inventory-v2.yaml');
  writeFileSync(inventory, 'apiVersion: cilium.io/v2\nkind: CiliumCIDRGroup\nmetadata: {name: grp}\nspec: {externalCIDRs: ["10.0.0.0/8"]}\n');
  const old = await cliAsync('report', '--policies', policy, '--inventory', inventory, '--cilium-version', '1.17');
  expect(old).toMatchObject({ code: 2, stdout: '' });
  expect(old.stderr).toContain('apiVersion is "cilium.io/v2", but Cilium 1.17 serves CiliumCIDRGroup only as cilium.io/v2alpha1');
  expect(old.stderr).toMatch(/inventory-v2\.yaml:1: .*\(parse-api-version\); fix: set apiVersion: cilium\.io\/v2alpha1 /);
  const served = await cliAsync('report', '--policies', policy, '--inventory', inventory, '--cilium-version', '1.18');
  expect(served.code).toBe(0);
  expect(served.stdout).toContain('shop/app=api → world 10.0.0.0/8 any');
});
