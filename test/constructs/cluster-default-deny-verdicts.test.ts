// ClusterDefaultDeny through engine verdicts on what it synthesizes: which endpoints it puts into default deny (pods
// outside the excluded namespaces; never namespace-less endpoints), what stays open (the node's probes, DNS to the DNS
// pods from every pod and node), each option, and every refusal with its error id. In the mutation test set
// (vitest.mutation.config.mts): these tests kill the mutants of src/constructs/cluster-default-deny.ts.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumVersion, ClusterDefaultDeny, ClusterDefaultDenyProps, DnsRule, LabelExpression, Peer } from '../../src';
import { decidedBy, judge, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const WEB = 'pod:shop:app=web';
const API = 'pod:shop:app=api';
const KUBE_DNS = 'pod:kube-system:k8s-app=kube-dns';
const WORLD = 'cidr:203.0.113.10';
const NAME = 'cluster-default-deny';

function deny(props: ClusterDefaultDenyProps = {}, version?: CiliumVersion): ReturnType<typeof chart> {
  const c = chart(undefined, version);
  new ClusterDefaultDeny(c, 'baseline', props);
  return c;
}

describe('ClusterDefaultDeny: who is in default deny', () => {
  test('every pod outside the system namespaces, for ingress only', () => {
    const c = deny();
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'pod:kube-system:app=x', 'pod:team-a:app=api', '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, WEB, WORLD, '443/TCP', 'egress')).toBe('no-policy-default-allow');
    for (const ns of ['cilium', 'kube-node-lease', 'kube-public', 'kube-system']) {
      expect(decidedBy(c, WEB, `pod:${ns}:app=x`, '8080/TCP', 'ingress'), ns).toBe('no-policy-default-allow');
    }
  });

  test('never the endpoints without a namespace (health, ingress)', () => {
    const c = deny();
    for (const entity of ['entity:health', 'entity:ingress']) {
      const side = judge(c, WEB, entity, '4240/TCP').ingress;
      expect(side.decision, entity).toBe('no-policy-default-allow');
      expect(side.policies, entity).toEqual([]);
    }
  });

  test('allowHostProbes: false: the node probes no selected pod; DNS stays answering it; refused without ingress', () => {
    const c = deny({ allowHostProbes: false });
    expect(decidedBy(c, 'entity:host', API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'entity:host', API, '7/UDP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(verdictOf(c, 'entity:host', KUBE_DNS, '53/UDP')).toBe('allowed');
    expect(decidedBy(deny({ allowHostProbes: true }), 'entity:host', API, '8080/TCP', 'ingress')).toBe(`allowed ${NAME} specs[0].ingress[1]`);
    const e = refusal(() => deny({ ingress: false, egress: true, allowHostProbes: false }));
    expect(e.id).toBe('default-deny-ingress-options');
    expect(e.message).toContain('[test/baseline] ClusterDefaultDeny ingress is false, yet allowHostProbes is set');
  });

  test('the node probes every selected pod on every port; remote nodes and the world do not', () => {
    const c = deny();
    expect(decidedBy(c, 'entity:host', API, '8080/TCP', 'ingress')).toBe(`allowed ${NAME} specs[0].ingress[1]`);
    expect(decidedBy(c, 'entity:host', API, '7/UDP', 'ingress')).toBe(`allowed ${NAME} specs[0].ingress[1]`);
    expect(verdictOf(c, 'entity:remote-node', API, '8080/TCP')).toBe('denied');
    expect(verdictOf(c, WORLD, API, '8080/TCP')).toBe('denied');
  });

  test('excludedNamespaces: the given ones only, sorted in the description', () => {
    const c = deny({ excludedNamespaces: ['monitoring', 'kube-system'] });
    expect(decidedBy(c, WEB, 'pod:monitoring:app=prometheus', '9090/TCP', 'ingress')).toBe('no-policy-default-allow');
    expect(decidedBy(c, WEB, 'pod:kube-public:app=x', '80/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, WEB, 'pod:cilium:app=x', '80/TCP', 'ingress')).toBe('default-deny');
    expect(Testing.synth(c)[0].specs[0].description)
      .toBe('default deny ingress for every pod outside kube-system, monitoring; built in: ingress from the local node on every port (kubelet probes)');
  });

  test('the description names the directions, the namespaces and what is built in', () => {
    const descriptions = [deny(), deny({ egress: true }), deny({ ingress: false, egress: true }), deny({ allowHostProbes: false }),
      deny({ dnsVisibility: true, allowHostProbes: false })]
      .map((c) => { const [ccnp] = Testing.synth(c); return (ccnp.specs?.[0] ?? ccnp.spec).description; });
    const outside = 'for every pod outside cilium, kube-node-lease, kube-public, kube-system';
    const host = 'ingress from the local node on every port (kubelet probes)';
    const dns = 'DNS to kube-dns on 53/UDP and 53/TCP for every name';
    expect(descriptions).toEqual([`default deny ingress ${outside}; built in: ${host}`, `default deny ingress and egress ${outside}; built in: ${host}, ${dns}`,
      `default deny egress ${outside}; built in: ${dns}`, `default deny ingress ${outside}`, `default deny ingress ${outside}; built in: ${dns}`]);
  });

  test('a name of its own', () => {
    expect(decidedBy(deny({ name: 'baseline' }), 'entity:host', API, '80/TCP', 'ingress')).toBe('allowed baseline specs[0].ingress[1]');
  });

  test('the excluded namespaces default to a copy of DEFAULT_SYSTEM_NAMESPACES', () => {
    const c = chart();
    const baseline = new ClusterDefaultDeny(c, 'baseline');
    expect(baseline.excludedNamespaces).toEqual(['cilium', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(ClusterDefaultDeny.DEFAULT_SYSTEM_NAMESPACES).toEqual(baseline.excludedNamespaces);
  });
});

describe('ClusterDefaultDeny keeps DNS answering', () => {
  test('DNS pods in an excluded namespace: an additive rule (1.16+) lets every pod and node query them, nothing else changes', () => {
    const c = deny();
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    expect(decidedBy(c, 'pod:kube-system:app=x', KUBE_DNS, '53/TCP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    expect(decidedBy(c, 'entity:host', KUBE_DNS, '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[1]`);
    expect(decidedBy(c, 'entity:remote-node', KUBE_DNS, '53/TCP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[1]`);
    // Additive: the DNS pods are not put into default deny by it.
    expect(decidedBy(c, WEB, KUBE_DNS, '9153/TCP', 'ingress')).toBe('non-default-deny-allow');
    expect(decidedBy(c, WEB, 'pod:kube-system:k8s-app=metrics', '53/UDP', 'ingress')).toBe('no-policy-default-allow');
  });

  test('DNS pods in a namespace it denies: port 53 from every pod and node, nothing else', () => {
    const c = deny({ excludedNamespaces: ['cilium'] });
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    expect(decidedBy(c, 'entity:remote-node', KUBE_DNS, '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[1]`);
    expect(decidedBy(c, WEB, KUBE_DNS, '9153/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, WORLD, KUBE_DNS, '53/UDP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, WEB, 'pod:kube-system:app=x', '53/UDP', 'ingress')).toBe('default-deny');
  });

  test('on Cilium 1.15 the rule is written only when it need not be additive', () => {
    const excluded = deny({}, CiliumVersion.V1_15);
    expect(decidedBy(excluded, WEB, KUBE_DNS, '9153/TCP', 'ingress')).toBe('no-policy-default-allow');
    expect(judge(excluded, WEB, KUBE_DNS, '53/UDP').ingress.policies).toEqual([]);
    const denied = deny({ excludedNamespaces: ['cilium'] }, CiliumVersion.V1_15);
    expect(decidedBy(denied, WEB, KUBE_DNS, '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    expect(decidedBy(denied, WEB, KUBE_DNS, '9153/TCP', 'ingress')).toBe('default-deny');
  });

  test('an egress-only default deny writes no DNS ingress rule', () => {
    const c = deny({ ingress: false, egress: true, excludedNamespaces: ['cilium'] });
    expect(decidedBy(c, WEB, KUBE_DNS, '9153/TCP', 'ingress')).toBe('no-policy-default-allow');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('no-policy-default-allow');
  });

  test('dnsServer: the rule selects that server, not kube-dns', () => {
    const nodeLocal = Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } });
    const c = deny({ excludedNamespaces: ['cilium'], dnsServer: nodeLocal });
    expect(decidedBy(c, WEB, 'pod:kube-system:k8s-app=node-local-dns', '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'ingress')).toBe('default-deny');
  });

  test('a dnsServer pod selector is the DNS pods by label in one namespace: every pod (of a namespace, of the cluster) is refused', () => {
    // It is the subject of the rule that admits 53 from every pod and node: Peer.allNamespaces() opened 53 on every pod.
    for (const [what, dnsServer] of [
      ['every pod', Peer.allNamespaces()],
      ['every pod of shop', Peer.namespace('shop')],
      ['labelled pods of every namespace', Peer.endpoints({ allNamespaces: true, labels: { 'k8s-app': 'kube-dns' } })],
      ['labelled pods of two namespaces', Peer.endpoints({ labels: { 'k8s-app': 'kube-dns' },
        expressions: [LabelExpression.in('k8s:io.kubernetes.pod.namespace', ['kube-system', 'shop'])] })],
      ['labelled pods of every namespace but one', Peer.endpoints({ labels: { 'k8s-app': 'kube-dns' },
        expressions: [LabelExpression.notIn('k8s:io.kubernetes.pod.namespace', ['shop'])] })],
      ['labelled pods of labelled namespaces', Peer.endpoints({ namespaceLabels: { team: 'dns' }, labels: { 'k8s-app': 'kube-dns' } })],
    ] as const) {
      const e = refusal(() => deny({ excludedNamespaces: ['cilium'], dnsServer }));
      expect(e.id, what).toBe('cluster-default-deny-dns-server');
      expect(e.message, what).toMatch(/^\[test\/baseline\] ClusterDefaultDeny dnsServer endpoints /);
      expect(e.message, what).toContain('fix: name the DNS pods by their labels in one namespace');
    }
    // Accepted: one namespace, by equality or a one-value In, or none (dnsNamespace); only those pods answer on 53.
    const inOne = deny({ excludedNamespaces: ['cilium'], dnsServer: Peer.endpoints({ labels: { 'k8s-app': 'node-local-dns' },
      expressions: [LabelExpression.in('k8s:io.kubernetes.pod.namespace', ['kube-system'])] }) });
    expect(verdictOf(inOne, WEB, 'pod:kube-system:k8s-app=node-local-dns', '53/UDP')).toBe('allowed');
    expect(verdictOf(inOne, WEB, 'pod:shop:k8s-app=node-local-dns', '53/UDP')).toBe('denied');
    expect(verdictOf(inOne, WEB, API, '53/UDP')).toBe('denied');
    expect(verdictOf(inOne, WEB, 'pod:kube-system:app=other', '53/UDP')).toBe('denied');
  });

  test('a dnsServer that is no pod selector: the rule keeps kube-dns answering', () => {
    const c = deny({ excludedNamespaces: ['cilium'], dnsServer: Peer.cidr('10.96.0.10/32') });
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    // kube-dns by its labels, not every pod of kube-system.
    expect(decidedBy(c, WEB, 'pod:kube-system:app=x', '53/UDP', 'ingress')).toBe('default-deny');
  });

  test('dnsNamespace: the DNS pods elsewhere, excluded or not', () => {
    const coredns = Peer.endpoints({ namespace: 'dns', labels: { app: 'coredns' } });
    const excluded = deny({ excludedNamespaces: ['dns', 'kube-system'], dnsServer: coredns, dnsNamespace: 'dns' });
    expect(decidedBy(excluded, WEB, 'pod:dns:app=coredns', '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    expect(decidedBy(excluded, WEB, 'pod:dns:app=coredns', '9153/TCP', 'ingress')).toBe('non-default-deny-allow');
    const denied = deny({ excludedNamespaces: ['kube-system'], dnsServer: coredns, dnsNamespace: 'dns' }, CiliumVersion.V1_15);
    expect(decidedBy(denied, WEB, 'pod:dns:app=coredns', '53/UDP', 'ingress')).toBe(`allowed ${NAME} specs[1].ingress[0]`);
    expect(decidedBy(denied, WEB, 'pod:dns:app=coredns', '9153/TCP', 'ingress')).toBe('default-deny');
    // Said excluded on 1.15: no rule (it could not be additive).
    const old = deny({ excludedNamespaces: ['dns'], dnsServer: coredns, dnsNamespace: 'dns' }, CiliumVersion.V1_15);
    expect(judge(old, WEB, 'pod:dns:app=coredns', '53/UDP').ingress.policies).toEqual([]);
  });
});

describe('ClusterDefaultDeny egress and DNS visibility', () => {
  test('egress: every selected pod reaches DNS (any name, through the proxy) and nothing else', () => {
    const c = deny({ egress: true });
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'egress', { dns: 'api.example.com' })).toBe(`allowed ${NAME} specs[0].egress[1]`);
    expect(verdictOf(c, WEB, KUBE_DNS, '9153/TCP')).toBe('denied');
    expect(decidedBy(c, WEB, WORLD, '443/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, 'pod:kube-system:app=x', WORLD, '443/TCP', 'egress')).toBe('no-policy-default-allow');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('default-deny');
  });

  test('egress with dnsRules: only those names', () => {
    const c = deny({ egress: true, dnsRules: [DnsRule.exact('api.example.com')] });
    expect(verdictOf(c, WEB, KUBE_DNS, '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
    expect(verdictOf(c, WEB, KUBE_DNS, '53/UDP', { dns: 'evil.example.com' })).toBe('l7-denied');
  });

  test('dnsRules without egress: refused where they would restrict nothing (no DNS rule, or a visibility-only one from 1.18)', () => {
    const names = [DnsRule.exact('api.example.com')];
    const none = refusal(() => deny({ dnsRules: names }));
    expect(none.id).toBe('cluster-default-deny-dns-rules');
    expect(none.message).toContain('dnsRules is set without egress: true, so every lookup stays allowed: no DNS rule is written');
    for (const version of [CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const visibility = refusal(() => deny({ dnsVisibility: true, dnsRules: names }, version));
      expect(visibility.id).toBe('cluster-default-deny-dns-rules');
      expect(visibility.message).toContain(`on Cilium ${version} (from 1.18, and from 1.16.10 and 1.17.5 through the backports of cilium/cilium#38841) the L7 rules of such a rule give visibility only`);
    }
    // What the refused form allowed on 1.19: every name, despite the list.
    const open = chart();
    new ClusterDefaultDeny(open, 'deny', { dnsVisibility: true });
    expect(verdictOf(open, WEB, KUBE_DNS, '53/UDP', { dns: 'evil.example.com' })).toBe('allowed');
    const egress = deny({ egress: true, dnsRules: names });
    expect(verdictOf(egress, WEB, KUBE_DNS, '53/UDP', { dns: 'evil.example.com' })).toBe('l7-denied');
  });

  // Session 53: the visibility rule's names restrict on 1.16.0-1.16.9 and 1.17.0-1.17.4 only (#38841 backported to 1.16.10
  // and 1.17.5, pkg/policy/l4.go createL4Filter adds `matchPattern: "*"`). Before: on 1.16/1.17 without a patch level the
  // construct accepted them (its docs promised they restrict), and on 1.17.5+ every name was allowed despite the list.
  test('dnsRules with dnsVisibility on 1.16/1.17: accepted on the earlier patches (they restrict), refused without a patch and from the backport', () => {
    const names = [DnsRule.exact('api.example.com')];
    for (const [version, early] of [[CiliumVersion.V1_16, '1.16.9'], [CiliumVersion.V1_17, '1.17.4']] as const) {
      const r = refusal(() => deny({ dnsVisibility: true, dnsRules: names }, version));
      expect(r.id).toBe('cluster-default-deny-dns-rules');
      expect(r.message).toContain(`so the lookups may all stay allowed: dnsVisibility's DNS rule puts no pod into egress default deny, and on Cilium `
        + '1.16.0-1.16.9 and 1.17.0-1.17.4 the DNS proxy refuses (REFUSED) every name');
      expect(r.message).toContain(`the target Cilium ${version} names no patch`);
      expect(r.message).toContain(`CiliumVersion.use(app, CiliumVersion.parse('${early}'))`);
    }
    for (const release of ['1.16.10', '1.17.5', '1.17.12']) {
      const r = refusal(() => deny({ dnsVisibility: true, dnsRules: names }, CiliumVersion.parse(release)));
      expect(r.id).toBe('cluster-default-deny-dns-rules');
      expect(r.message).toContain(`every lookup stays allowed: dnsVisibility's DNS rule puts no pod into egress default deny, and on Cilium ${release} `);
    }
    for (const release of ['1.16.0', '1.16.9', '1.17.4']) {
      const version = CiliumVersion.parse(release);
      const c = deny({ dnsVisibility: true, dnsRules: names }, version);
      expect(verdictOf(c, WEB, KUBE_DNS, '53/UDP', { dns: 'api.example.com', ciliumVersion: version })).toBe('allowed');
      expect(verdictOf(c, WEB, KUBE_DNS, '53/UDP', { dns: 'evil.example.com', ciliumVersion: version })).toBe('l7-denied');
      expect(decidedBy(c, WEB, WORLD, '443/TCP', 'egress', { ciliumVersion: version })).toBe('non-default-deny-allow');
    }
  });

  test('dnsVisibility on an ingress-only default deny: DNS through the proxy, egress still not denied', () => {
    const c = deny({ dnsVisibility: true });
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'egress', { dns: 'api.example.com' })).toBe(`allowed ${NAME} specs[0].egress[0]`);
    expect(judge(c, WEB, KUBE_DNS, '53/UDP', { dns: 'api.example.com' }).egress.l7?.result).toBe('allowed');
    expect(decidedBy(c, WEB, WORLD, '443/TCP', 'egress')).toBe('non-default-deny-allow');
  });

  test('without dnsVisibility an ingress-only default deny has no egress rule at all', () => {
    const c = deny({ dnsVisibility: false });
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'egress')).toBe('no-policy-default-allow');
  });

  test('dnsVisibility with egress: the egress default deny stays', () => {
    const c = deny({ egress: true, dnsVisibility: true });
    expect(decidedBy(c, WEB, WORLD, '443/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, WEB, KUBE_DNS, '53/UDP', 'egress', { dns: 'a.example' })).toBe(`allowed ${NAME} specs[0].egress[1]`);
  });
});

describe('ClusterDefaultDeny refusals', () => {
  test('no exclusions, a bad namespace name, a bad dnsNamespace, nothing denied', () => {
    expect(refusal(() => deny({ excludedNamespaces: [] })).id).toBe('cluster-default-deny-no-exclusions');
    expect(refusal(() => deny({ excludedNamespaces: ['kube-system', 'Bad_Name'] })).id).toBe('namespace-name-syntax');
    expect(refusal(() => deny({ dnsNamespace: 'Bad_Name' })).id).toBe('namespace-name-syntax');
    expect(refusal(() => deny({ ingress: false })).id).toBe('default-deny-nothing');
    expect(refusal(() => deny({ ingress: false, egress: false })).id).toBe('default-deny-nothing');
  });
});
