// The apiVersions a Cilium release serves CiliumCIDRGroup at (src/model/cidr-group-admission.ts `cidrGroupApiVersions`):
// cilium.io/v2alpha1 in every supported release, cilium.io/v2 from 1.18 (cilium/cilium#38940, "k8s: Promote CCG to v2 and
// deprecate v2alpha1"; crds/v2/ciliumcidrgroups.yaml serves v2 and v2alpha1). Session 55 took cilium.io/v2 for every
// release: a 1.17 cluster has no such resource (kubectl: no matches for kind), so the group is not in it. The truth table
// of each release and apiVersion, in the reader the policy reader and the inventory reader share, and in the inventory
// and validate once the release is settled (test/engine/cidr-group-served-version.test.ts).
import { describe, expect, test } from 'vitest';
import { inventoryProblem } from '../../src/cli/inventory';
import { CiliumVersion } from '../../src/core/cilium-version';
import { cidrGroupApiVersionRejection, cidrGroupApiVersions, cidrGroupRejections } from '../../src/model/cidr-group-admission';

const group = (apiVersion: string): Record<string, unknown> => ({
  apiVersion, kind: 'CiliumCIDRGroup', metadata: { name: 'grp' }, spec: { externalCIDRs: ['10.0.0.0/8'] },
});

describe.each(CiliumVersion.ALL.map((v) => [v.release, v] as const))('Cilium %s', (release, version) => {
  const v2 = version.atLeast(CiliumVersion.V1_18);
  test(`cilium.io/v2alpha1 is stored; cilium.io/v2 ${v2 ? 'is stored' : 'is refused'}; cilium.io/v1 is refused`, () => {
    // The set and validate judge a group read with its apiVersion once the release is settled (`unservedCidrGroups`).
    expect(cidrGroupApiVersionRejection('cilium.io/v2alpha1', ' grp', version)).toBeUndefined();
    expect(cidrGroupApiVersionRejection('cilium.io/v1', ' grp', version)?.id).toBe('parse-api-version');
    const refusal = cidrGroupApiVersionRejection('cilium.io/v2', ' grp', version);
    expect(refusal?.id).toBe(v2 ? undefined : 'parse-api-version');
    expect(cidrGroupApiVersions(version)).toEqual(v2 ? ['cilium.io/v2alpha1', 'cilium.io/v2'] : ['cilium.io/v2alpha1']);
    if (!v2) {
      expect(refusal).toMatchObject({
        path: ['apiVersion'],
        message: `apiVersion is "cilium.io/v2", but Cilium ${release} serves CiliumCIDRGroup only as cilium.io/v2alpha1 (cilium.io/v2alpha1 in every `
          + 'Cilium version, cilium.io/v2 from 1.18) (kubectl: no matches for kind); the API server refuses the CiliumCIDRGroup grp, so it is not in '
          + 'the cluster and a cidrGroupRef or cidrGroupSelector selects none of its CIDRs',
        fix: 'set apiVersion: cilium.io/v2alpha1 (served by every Cilium version; cilium.io/v2 from 1.18), or judge for the release the cluster runs (--cilium-version)',
      });
    }
  });
});

test('without a release, an apiVersion some release serves is stored; another is refused as before', () => {
  expect(cidrGroupApiVersions()).toEqual(['cilium.io/v2alpha1', 'cilium.io/v2']);
  expect(cidrGroupRejections(group('cilium.io/v2'))).toEqual([]);
  expect(cidrGroupRejections(group('cilium.io/v2alpha1'))).toEqual([]);
  expect(cidrGroupRejections(group('cilium.io/v1'))[0]?.message).toMatch(/^apiVersion is "cilium.io\/v1", but CiliumCIDRGroup is served only as cilium.io\/v2alpha1 or cilium.io\/v2 \(kubectl/);
  expect(inventoryProblem(group('cilium.io/v2'))).toBeUndefined();
});
