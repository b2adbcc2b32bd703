// The DNS companion's resolver is named by a pod label of its own: a selector of the namespace alone
// (`Peer.namespace('kube-system')`), or of only `NotIn`/`DoesNotExist`/`Exists` on pod labels, is every pod there (kube-proxy,
// the CNI and CSI agents, metrics-server…). Each of them would take the pods' lookups, and Cilium's DNS proxy forwards a
// lookup to the server the pod asked and hands the answer to toFQDNs (pkg/fqdn/dnsproxy `ServeDNS`, `NotifyOnDNSMsg`), so
// any of them could make an allowed name resolve to any address. Built in a test each.
import { Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Builtins, CiliumPolicy, ClusterDefaultDeny, DefaultDenyNamespace, FqdnEgress, LabelExpression, Peer, Port, TieredApp } from '../../src';
import { dnsLearning } from '../../src/engine/evaluate';
import { judge, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const WEB = 'pod:shop:app=web';
const KUBE_PROXY = 'pod:kube-system:k8s-app=kube-proxy';

const builds: [string, (c: Chart, dnsServer: Peer) => unknown][] = [
  ['DefaultDenyNamespace', (c, dnsServer) => new DefaultDenyNamespace(c, 'deny', { dnsServer })],
  ['FqdnEgress', (c, dnsServer) => new FqdnEgress(c, 'fqdn', { fqdns: ['api.example.com'], dnsServer })],
  ['TieredApp', (c, dnsServer) => new TieredApp(c, 'app', { egressLockdown: true, dnsServer, tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] })],
  ['Builtins.allowDns', (c, dnsServer) => Builtins.allowDns(new CiliumPolicy(c, 'p').rule, { dnsServer })],
];

describe('a dnsServer named by no pod label of its own is refused (dns-server-broad)', () => {
  // The selector as shown, and why it names no pod: the cluster label is on every pod; Exists keeps every pod with the label.
  const unlabelled: [string, () => Peer, string, string][] = [
    ['every pod of kube-system', () => Peer.namespace('kube-system'), '{k8s:io.kubernetes.pod.namespace=kube-system}', '(no pod label required by value, so every pod of its namespaces)'],
    ['every pod of kube-system but one app', () => Peer.endpoints({ namespace: 'kube-system', expressions: [LabelExpression.notIn('app', ['x'])] }),
      '{k8s:io.kubernetes.pod.namespace=kube-system, app NotIn (x)}', '(no pod label required by value, so every pod of its namespaces but those it excludes)'],
    ['pods of kube-system with any k8s-app', () => Peer.endpoints({ namespace: 'kube-system', expressions: [LabelExpression.exists('k8s-app')] }),
      '{k8s:io.kubernetes.pod.namespace=kube-system, k8s-app Exists}',
      '(no pod label required by value, so every pod of its namespaces with k8s-app, whatever the value)'],
    ['every pod of the namespaces labelled so', () => Peer.endpoints({ namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }),
      '{k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=kube-system}', '(no pod label required by value, so every pod of its namespaces)'],
    ['pods without an app label (the policy\'s namespace)', () => Peer.endpoints({ expressions: [LabelExpression.doesNotExist('app')] }), '{app DoesNotExist}', '(no pod label required by value, so every pod of its namespaces but those it excludes)'],
    // Cilium sets the cluster label on every pod (pkg/k8s/utils `SanitizePodLabels`): it names no pod.
    ['every pod of kube-system by the cluster label', () => Peer.endpoints({ namespace: 'kube-system', labels: { 'io.cilium.k8s.policy.cluster': 'default' } }),
      '{io.cilium.k8s.policy.cluster=default, k8s:io.kubernetes.pod.namespace=kube-system}', '(no pod label but the cluster label io.cilium.k8s.policy.cluster, which Cilium sets on every pod of the cluster, so every pod of its namespaces)'],
    ['every pod of kube-system by the k8s: cluster label', () => Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s:io.cilium.k8s.policy.cluster': 'default' } }),
      '{k8s:io.cilium.k8s.policy.cluster=default, k8s:io.kubernetes.pod.namespace=kube-system}', '(no pod label but the cluster label io.cilium.k8s.policy.cluster, which Cilium sets on every pod of the cluster, so every pod of its namespaces)'],
  ];

  describe.each(builds)('%s', (_, build) => {
    test.each(unlabelled)('%s', (_what, peer, shown, why) => {
      const r = refusal(() => build(chart('shop'), peer()));
      expect(r.id).toBe('dns-server-broad');
      const quote = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(r.message).toMatch(new RegExp(`^\\[test/[a-z]+(/Resource|/web)?\\] dnsServer selects the pods ${quote(shown)} ${quote(why)}`
        + ': the DNS companion would let the pods send DNS '
        + '\\(53/UDP, 53/TCP\\) to far more than one resolver, not to their resolver, and Cilium learns the addresses of toFQDNs names from '
        + 'whatever answer comes back \\(pkg/fqdn/dnsproxy ServeDNS\\), so any of them could answer \\(dns-server-broad\\)'));
      expect(r.message).toContain('its pods with Peer.endpoints({ namespace, labels })');
      // The fix offers the wide rule without DNS rules: an L7 DNS rule there is what feeds toFQDNs, the exposure refused.
      expect(r.message).toContain('a rule of its own without DNS rules (policy.allowEgress(peer, { ports: [Port.udp(53), Port.tcp(53)] }))');
      expect(r.message).not.toContain('l7:');
    });
  });

  // `toServices` by a selector of no Service label by value: the backends of every Service of the namespace but those excluded.
  test.each(builds)('%s: Services by a selector of no Service label by value are refused; by a label, accepted', (_, build) => {
    for (const [expression, shown] of [[LabelExpression.notIn('app', ['x']), '{app NotIn (x)}'], [LabelExpression.exists('k8s-app'), '{k8s-app Exists}']] as const) {
      const r = refusal(() => build(chart('shop'), Peer.serviceSelector({ namespace: 'kube-system', expressions: [expression] })));
      expect(r.id).toBe('dns-server-broad');
      expect(r.message).toContain(`dnsServer selects the backends of the Services ${shown} (no Service label required by value, so every Service of its namespace `
        + 'but those it excludes): the DNS companion would let the pods send DNS (53/UDP, 53/TCP) to far more than one resolver');
      // The fix offers the accepted Service forms too.
      expect(r.message).toContain("its Service with Peer.service('kube-dns', 'kube-system') or Peer.serviceSelector({ namespace, labels })");
    }
    expect(() => build(chart('shop'), Peer.serviceSelector({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }))).not.toThrow();
    expect(() => build(chart('shop'), Peer.service('kube-dns', 'kube-system'))).not.toThrow();
  });

  test('the resolver by its labels stays accepted: DNS to kube-dns, never to another pod of kube-system', () => {
    for (const dnsServer of [Peer.kubeDns(), Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }),
      Peer.endpoints({ namespace: 'kube-system', expressions: [LabelExpression.in('k8s-app', ['kube-dns'])] })]) {
      const c = chart('shop');
      new DefaultDenyNamespace(c, 'deny', { dnsServer });
      expect(verdictOf(c, WEB, 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
      expect(verdictOf(c, WEB, KUBE_PROXY, '53/UDP', { dns: 'api.example.com' })).toBe('denied');
      expect(verdictOf(c, WEB, KUBE_PROXY, '53/TCP', { dns: 'api.example.com' })).toBe('denied');
    }
  });

  test('DNS to every pod of a namespace, meant, is a rule of its own', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p').allowEgress(Peer.namespace('kube-system'), { ports: [Port.udp(53)] });
    expect(verdictOf(c, WEB, KUBE_PROXY, '53/UDP')).toBe('allowed');
    expect(verdictOf(c, WEB, KUBE_PROXY, '443/TCP')).toBe('denied');
  });

  // The rule the fix offers, beside the DNS companion and toFQDNs: a lookup to another pod of kube-system passes at L4 but
  // not through the DNS proxy (Cilium redirects per selector, pkg/policy/l4.go `toMapState` `currentRule.IsRedirect()`),
  // so its answer teaches toFQDNs nothing; the lookup to kube-dns, through the companion's DNS rules, does.
  test('the wide rule of the fix, beside toFQDNs, teaches toFQDNs nothing', () => {
    const c = chart('shop');
    // Every name may be looked up: the wide rule on 53 widens the kube-dns DNS rules to every name (pitfall-dns-rules-widened).
    new FqdnEgress(c, 'fqdn', { fqdns: ['api.example.com'], allowAllDnsLookups: true });
    new CiliumPolicy(c, 'p').allowEgress(Peer.namespace('kube-system'), { ports: [Port.udp(53), Port.tcp(53)] });
    const wide = judge(c, WEB, KUBE_PROXY, '53/UDP', { dns: 'api.example.com' });
    expect(wide.verdict).toBe('allowed');
    expect(dnsLearning(wide).learnable).toBe(false);
    expect(dnsLearning(judge(c, WEB, 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.example.com' })).learnable).toBe(true);
  });
});

// The same reading of "names a pod label" serves ClusterDefaultDeny, whose dnsServer is also the subject of the rule that
// admits 53/UDP and 53/TCP from every pod and node: by the cluster label alone it was every pod of kube-system.
describe('ClusterDefaultDeny: a dnsServer by the cluster label alone is refused (cluster-default-deny-dns-server)', () => {
  test('refused, naming the selector; the DNS pods by their label stay accepted, and only they answer', () => {
    const r = refusal(() => new ClusterDefaultDeny(chart(), 'baseline', {
      excludedNamespaces: ['cilium'], dnsServer: Peer.endpoints({ namespace: 'kube-system', labels: { 'io.cilium.k8s.policy.cluster': 'default' } }),
    }));
    expect(r.message).toBe('[test/baseline] ClusterDefaultDeny dnsServer endpoints {io.cilium.k8s.policy.cluster=default, k8s:io.kubernetes.pod.namespace=kube-system} '
      + 'has no pod label but the cluster label io.cilium.k8s.policy.cluster, which Cilium sets on every pod of the cluster (every pod of its namespaces): it is also the subject of the rule that keeps DNS answering, which would admit 53/UDP and 53/TCP '
      + 'from every pod and node to each pod it selects (cluster-default-deny-dns-server)\n'
      + "  fix: name the DNS pods by their labels in one namespace: Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } }), "
      + 'or leave dnsServer out for Peer.kubeDns()');
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', {
      excludedNamespaces: ['cilium'],
      dnsServer: Peer.endpoints({ namespace: 'kube-system', labels: { 'io.cilium.k8s.policy.cluster': 'default', 'k8s-app': 'kube-dns' } }),
    });
    expect(verdictOf(c, WEB, 'pod:kube-system:k8s-app=kube-dns', '53/UDP')).toBe('allowed');
    expect(verdictOf(c, WEB, KUBE_PROXY, '53/UDP')).toBe('denied');
  });
});
