// From Cilium 1.17 a `cidrGroupRef: <name>` is the label requirement `Exists cidrgroup:io.cilium.policy.cidrgroupname/<name>`
// (v1.17-v1.18 pkg/policy/api/cidr.go `GetAsEndpointSelectors`, v1.19 pkg/policy/types/selector.go `newCIDRRuleSelector`):
// a group of another name that carries that label as its own (`applyCIDRGroup` keeps it) is selected too. Before 1.17
// the watcher copies the named group's CIDRs (`translateSpec`), so only the group of that name counts.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src';
import { cnp, judged, policySet } from './helpers';

const GROUPS = {
  a: { cidrs: ['1.1.1.0/24'] },
  b: { cidrs: ['2.2.2.0/24'], labels: { 'io.cilium.policy.cidrgroupname/a': '' } },
  c: { cidrs: ['3.3.3.0/24'], labels: { 'io.cilium.k8s.policy.cidrgroupname/a': '' } },
};
const DOCS = [
  cnp('deny-ref', { endpointSelector: { matchLabels: { app: 'd' } }, egress: [{ toEntities: ['all'] }], egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'a' }] }] }, 'ns'),
  cnp('allow-ref', { endpointSelector: { matchLabels: { app: 'r' } }, egress: [{ toCIDRSet: [{ cidrGroupRef: 'a' }] }] }, 'ns'),
];

describe('cidrGroupRef selects by the name label (1.17+)', () => {
  // [version, destination, deny verdict of app=d, allow verdict of app=r]
  const table: [string, string, boolean, boolean][] = [
    ['1.17', 'cidr:1.1.1.1', false, true],
    ['1.17', 'cidr:2.2.2.2', false, true],
    ['1.17', 'cidr:3.3.3.3', true, false],
    ['1.17', 'cidr:4.4.4.4', true, false],
    ['1.19', 'cidr:1.1.1.1', false, true],
    ['1.19', 'cidr:2.2.2.2', false, true],
    ['1.19', 'cidr:3.3.3.3', true, false],
    ['1.16', 'cidr:1.1.1.1', false, true],
    ['1.16', 'cidr:2.2.2.2', true, false],
  ];
  it.each(table)('v%s pod:ns:app=d/app=r -> %s: deny-ref allows=%s, allow-ref allows=%s', (v, to, dAllowed, rAllowed) => {
    const set = policySet(DOCS, { ciliumVersion: CiliumVersion.parse(v), cidrGroups: GROUPS });
    const d = judged(set, 'pod:ns:app=d', to, '443/TCP');
    expect(d.allowed).toBe(dAllowed);
    expect(d.egress.rule?.path).toBe(dAllowed ? 'spec.egress[0]' : 'spec.egressDeny[0]');
    const r = judged(set, 'pod:ns:app=r', to, '443/TCP');
    expect(r.allowed).toBe(rAllowed);
    if (rAllowed) expect(r.egress.rule?.path).toBe('spec.egress[0]');
    else expect(r.egress.decision).toBe('default-deny');
  });
});
