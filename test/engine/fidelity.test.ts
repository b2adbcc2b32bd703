// One test per engine defect class of issue 17 (positive and negative), each with the Cilium code that decides.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { cnp, judged, labels, policySet, verdict } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';

describe('toCIDRSet 0.0.0.0/0 with except selects the world identity (CIDRRuleSlice.GetAsEndpointSelectors)', () => {
  const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }] })]);
  test('world and outside addresses are selected, the holes are not', () => {
    expect(verdict(set, WEB, 'entity:world', '443/TCP').allowed).toBe(true);
    expect(verdict(set, WEB, 'cidr:203.0.113.9', '443/TCP').allowed).toBe(true);
    expect(verdict(set, WEB, 'cidr:10.1.2.3', '443/TCP').allowed).toBe(false);
  });
  test('a narrower block does not select the world identity', () => {
    const narrow = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidr: '203.0.113.0/24' }] }] })]);
    expect(verdict(narrow, WEB, 'entity:world', '443/TCP').allowed).toBe(false);
  });
});

describe('an item with toEndpoints: [] next to another peer field selects nothing (mergeEndpointSelectors)', () => {
  test('the other field does not count', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [], toCIDR: ['203.0.113.0/24'] }] })]);
    expect(verdict(set, WEB, 'cidr:203.0.113.9', '443/TCP').allowed).toBe(false);
    expect(verdict(set, WEB, API, '80/TCP').allowed).toBe(false);
  });
  test('without the empty list the other field selects', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDR: ['203.0.113.0/24'] }] })]);
    expect(verdict(set, WEB, 'cidr:203.0.113.9', '443/TCP').allowed).toBe(true);
  });
});

describe('remote-node has no cluster label unless node-selector labels are on (nodeIdentityLabels)', () => {
  const docs = [cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromNodes: [{}] }] })];
  test('without the flag the agent refuses a policy with fromNodes (rule_validation.go ErrFromToNodesRequiresNodeSelectorOption): nothing of it applies', () => {
    for (const from of ['entity:remote-node', 'node:zone=a,kubernetes.io/hostname=n2', WEB]) {
      const v = verdict(policySet(docs), from, API, '80/TCP');
      expect(v.allowed, from).toBe(true);
      expect(v.ingress.decision, from).toBe('no-policy-default-allow');
    }
  });
  test('with enable-node-selector-labels the policy applies: fromNodes matches remote nodes, other peers are denied', () => {
    for (const options of [{ nodeSelectorLabels: true }, { nodeSelectorLabels: true, policyDefaultLocalCluster: false }]) {
      expect(verdict(policySet(docs, options), 'entity:remote-node', API, '80/TCP').allowed).toBe(true);
      expect(verdict(policySet(docs, options), WEB, API, '80/TCP').allowed).toBe(false);
    }
  });
  test('the cluster entity still covers remote nodes', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEntities: ['cluster'] }] })]);
    expect(verdict(set, 'entity:remote-node', API, '80/TCP').allowed).toBe(true);
  });
});

describe('CNP endpointSelector matchExpressions on the namespace key are kept (ParseToCiliumRule → AddMatch)', () => {
  const expr = (operator: string, values: string[]): Record<string, unknown> => ({
    matchLabels: { app: 'api' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator, values }],
  });
  test('NotIn [own namespace] selects nothing', () => {
    const set = policySet([cnp('p', { endpointSelector: expr('NotIn', ['default']), ingress: [{}] })]);
    expect(verdict(set, WEB, API, '80/TCP').allowed).toBe(true);
    expect(verdict(set, WEB, API, '80/TCP').ingress.policies).toEqual([]);
  });
  test('In [own namespace] selects as usual; a k8s: matchLabels entry is replaced', () => {
    expect(verdict(policySet([cnp('p', { endpointSelector: expr('In', ['default', 'x']), ingress: [{}] })]), WEB, API, '80/TCP').allowed).toBe(false);
    const replaced = policySet([cnp('p', { endpointSelector: labels({ app: 'api', 'k8s:io.kubernetes.pod.namespace': 'other' }), ingress: [{}] })]);
    expect(verdict(replaced, WEB, API, '80/TCP').allowed).toBe(false);
  });
});

describe('FQDN learnability: toFQDNs selects a name only if the pod\'s lookup reaches its DNS server through the DNS proxy', () => {
  const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } };
  const DNS_PORT = [{ port: '53', protocol: 'ANY' }];
  const FQDN = { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
  const TARGET = 'fqdn:api.example.com@198.51.100.7';
  const DNS = 'pod:kube-system:k8s-app=kube-dns';
  const web = (egress: unknown[]): Record<string, unknown> => cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [...egress, FQDN] });
  const dnsRule = (to: unknown, dns: Record<string, string>[] = [{ matchPattern: '*' }]): Record<string, unknown> => ({ toEndpoints: [to], toPorts: [{ ports: DNS_PORT, rules: { dns } }] });

  /** The FQDN verdict and the `trace --dns` verdict, which must agree. */
  function both(docs: Record<string, unknown>[], options = {}): [boolean, boolean] {
    const set = policySet(docs, options);
    return [verdict(set, WEB, TARGET, '443/TCP').allowed, verdict(set, WEB, DNS, '53/UDP', { dns: 'api.example.com' }).allowed];
  }

  test('a DNS rule to kube-dns: learnable (negative control)', () => {
    expect(both([web([dnsRule(KUBE_DNS)])])).toEqual([true, true]);
  });

  test('a DNS rule to another DNS server is not learnable, unless that server is the one configured', () => {
    const other = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dns', app: 'coredns' } };
    const set = policySet([web([dnsRule(other)])]);
    const v = verdict(set, WEB, TARGET, '443/TCP');
    expect(v.allowed).toBe(false);
    expect(v.egress.notes.join('\n')).toMatch(/never learns its IPs/);
    expect(verdict(policySet([web([dnsRule(other)])], { dnsServer: 'pod:dns:app=coredns' }), WEB, TARGET, '443/TCP').allowed).toBe(true);
  });

  test('a DNS rule cut by an egressDeny is not learnable', () => {
    const deny = cnp('deny', { endpointSelector: labels({ app: 'web' }), egressDeny: [{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] });
    expect(both([web([dnsRule(KUBE_DNS)]), deny])).toEqual([false, false]);
  });

  test('a DNS server whose ingress does not admit the lookup: not learnable', () => {
    const dnsIngress = cnp('dns', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }), ingress: [{ fromEndpoints: [labels({ app: 'other' })] }] }, 'kube-system');
    expect(both([web([dnsRule(KUBE_DNS)]), dnsIngress])).toEqual([false, false]);
    const admits = cnp('dns', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }), ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] }] }, 'kube-system');
    expect(both([web([dnsRule(KUBE_DNS)]), admits])).toEqual([true, true]);
  });

  test('a DNS server whose policy the agent refuses (two authentication modes for one peer and port): the verdict on the name says it is '
    + 'not what the agent enforces (pkg/fqdn/dnsproxy/proxy.go DNSProxy.ServeDNS forwards the lookup as the client: the server\'s ingress decides)', () => {
    const item = (mode: string): Record<string, unknown> => ({ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }], authentication: { mode } });
    const refused = cnp('dns', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }), ingress: [item('disabled'), item('required')] }, 'kube-system');
    const v = judged(policySet([web([dnsRule(KUBE_DNS)]), refused]), WEB, TARGET, '443/TCP');
    // Judged on the refused rules, the lookup meets `required` (mutual auth not judged passing): not learned, denied — and said unsure.
    expect([v.verdict, v.egress.decision]).toEqual(['denied', 'default-deny']);
    expect(v.egress.notes).toContainEqual(expect.stringMatching(new RegExp('^Cilium refuses the policy of the DNS server pod:kube-system:k8s-app=kube-dns: '
      + 'CiliumNetworkPolicy kube-system/dns spec\\.ingress\\[0\\] has authentication mode disabled .* \\(and \\d+ more\\): it keeps the policy it had .*: '
      + 'this verdict is not what the agent enforces; give both items the same mode$')));
    // The same server's policy computed: no such note; a client without toFQDNs rules: none either.
    const computed = judged(policySet([web([dnsRule(KUBE_DNS)]), cnp('dns', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }), ingress: [item('disabled')] }, 'kube-system')]),
      WEB, TARGET, '443/TCP');
    expect(computed.egress.notes.filter((n) => n.includes('DNS server'))).toEqual([]);
    expect(judged(policySet([refused]), WEB, TARGET, '443/TCP').egress.notes.filter((n) => n.includes('DNS server'))).toEqual([]);
  });

  test('a DNS rule whose patterns miss the name: not learnable', () => {
    expect(both([web([dnsRule(KUBE_DNS, [{ matchName: 'other.example.com' }])])])).toEqual([false, false]);
  });

  test('an L4-only allow on the same DNS port widens the DNS rules to allow-all: learnable', () => {
    const l4 = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: DNS_PORT }] };
    expect(both([web([dnsRule(KUBE_DNS, [{ matchName: 'other.example.com' }]), l4])])).toEqual([true, true]);
  });

  test('an L4-only allow without any DNS rule: the proxy never sees the lookup, not learnable', () => {
    const set = policySet([web([{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: DNS_PORT }] }])]);
    expect(verdict(set, WEB, TARGET, '443/TCP').allowed).toBe(false);
    expect(verdict(set, WEB, DNS, '53/UDP', { dns: 'api.example.com' }).allowed).toBe(true);
  });
});

describe('HTTP rules on a named port beside an allow of its number without L7, for the same peer (two filters the proxy ORs)', () => {
  // The agent keys the filters of `http` and `8080` apart (pkg/policy/l4.go: a named port is a filter of its own, PortName
  // set, Port 0), so rule.go `mergePortProto` never adds the wildcard L7 rule between them. Once the name resolves, both
  // give the policy map the key (web, 8080/TCP): mapstate.go `MapStateEntry.Merge` keeps the proxy redirect ("Proxy port
  // takes precedence"), and pkg/envoy/server.go `getDirectionNetworkPolicy` sends Envoy a port policy per filter — the
  // numeric filter's single-selector rule without L7 is an allow-all — which the proxy ORs: every request of web passes.
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'default', labels: { app: 'api' } },
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
  };
  const FROM_WEB = { fromEndpoints: [labels({ app: 'web' })] };
  const on = (port: string, rules?: unknown): Record<string, unknown> => ({ ...FROM_WEB, toPorts: [{ ports: [{ port, protocol: 'TCP' }], ...(rules ? { rules } : {}) }] });
  const GET = { http: [{ method: 'GET' }] };
  const api = (ingress: unknown[]): Record<string, unknown> => cnp('api', { endpointSelector: labels({ app: 'api' }), ingress });
  const rows: [string, unknown[], string, string, string | undefined][] = [
    // [case, ingress items, request, verdict, deciding item]
    ['http (GET only) + 8080 plain: DELETE passes, by the plain item', [on('http', GET), on('8080')], 'DELETE /x', 'allowed', 'spec.ingress[1]'],
    ['8080 (GET only) + http plain: DELETE passes, by the plain item', [on('8080', GET), on('http')], 'DELETE /x', 'allowed', 'spec.ingress[1]'],
    ['http (GET only) alone: DELETE is refused', [on('http', GET)], 'DELETE /x', 'l7-denied', 'spec.ingress[0]'],
    ['http (GET only) + 9090 plain: another port, DELETE is refused', [on('http', GET), on('9090')], 'DELETE /x', 'l7-denied', 'spec.ingress[0]'],
  ];
  test.each(rows)('%s', (_name, ingress, request, expected, item) => {
    for (const ciliumVersion of [CiliumVersion.V1_17, CiliumVersion.V1_19]) {
      const v = verdict(policySet([pod, api(ingress)], { ciliumVersion }), WEB, API, '8080/TCP', { http: request });
      expect([v.verdict, v.ingress.rule?.path], `${ciliumVersion}`).toEqual([expected, item]);
    }
  });
});
