// A CiliumNetworkPolicy whose endpointSelector selects `reserved:init` (pods whose identity is not yet known). Cilium 1.14
// adds no namespace to such a rule (pkg/k8s/apis/cilium.io/utils/utils.go `ParseToCiliumRule`:
// `!retRule.EndpointSelector.HasKey(podInitLbl) && namespace != ""` before `AddMatch`; `getEndpointSelector`:
// `!matchesInit && ...` before adding the namespace to a peer), so it selects the init endpoints and its peers are of any
// namespace. From 1.15 (cilium/cilium#28007, "k8s: Restrict configuring reserved:init policy via CNP", and the 1.15
// upgrade note) the namespace is added whatever the subject: the CNP selects no init endpoint, which stays default deny
// in both directions with nothing allowed.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src';
import { cnp, policySet, verdict } from './helpers';

const DOCS = [
  cnp('init', {
    endpointSelector: { matchLabels: { 'reserved:init': '' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'cli' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    egress: [{ toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
  }, 'ns'),
];
const DNS = 'pod:kube-system:k8s-app=kube-dns';

describe('CNP of reserved:init, per Cilium version', () => {
  test.each([
    // [version, from, to, port, allowed]
    ['1.14', 'pod:ns:app=cli', 'entity:init', '80/TCP', true],
    ['1.14', 'pod:other:app=cli', 'entity:init', '80/TCP', true],
    ['1.14', 'pod:ns:app=cli', 'entity:init', '81/TCP', false],
    ['1.14', 'pod:ns:app=x', 'entity:init', '80/TCP', false],
    ['1.14', 'entity:init', DNS, '53/UDP', true],
    ['1.14', 'entity:init', DNS, '53/TCP', false],
    ['1.15', 'pod:ns:app=cli', 'entity:init', '80/TCP', false],
    ['1.15', 'entity:init', DNS, '53/UDP', false],
    ['1.19', 'pod:ns:app=cli', 'entity:init', '80/TCP', false],
  ] as const)('Cilium %s: %s -> %s %s allowed=%s', (version, from, to, port, allowed) => {
    expect(verdict(policySet(DOCS, { ciliumVersion: CiliumVersion.parse(version) }), from, to, port).allowed).toBe(allowed);
  });

  test('the deciding rule: the CNP on 1.14, none on 1.15 (always default deny)', () => {
    const old = verdict(policySet(DOCS, { ciliumVersion: CiliumVersion.V1_14 }), 'pod:ns:app=cli', 'entity:init', '80/TCP');
    expect(old.ingress.rule?.path).toBe('spec.ingress[0]');
    const now = verdict(policySet(DOCS, { ciliumVersion: CiliumVersion.V1_15 }), 'pod:ns:app=cli', 'entity:init', '80/TCP');
    expect(now.ingress.rule).toBeUndefined();
    expect(now.ingress.policies).toEqual([]);
  });
});
