// DefaultDenyNamespace through engine verdicts on what it synthesizes: what each option opens, and nothing more; the
// staged rollout and the metadata block; every refusal with its error id. In the mutation test set
// (vitest.mutation.config.mts): these tests kill the mutants of src/constructs/default-deny-namespace.ts.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumVersion, DefaultDenyNamespace, DefaultDenyNamespaceProps, DnsRule, IpFamilies, Peer, Port } from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const API = 'pod:payments:app=api';
const WEB = 'pod:payments:app=web';
const OTHER = 'pod:shop:app=web';
const PROMETHEUS = 'pod:monitoring:app=prometheus';
const KUBE_DNS = 'pod:kube-system:k8s-app=kube-dns';
const NODE_LOCAL_DNS = 'pod:kube-system:k8s-app=node-local-dns';
const WORLD = 'cidr:203.0.113.10';
const prometheus = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });
const nodeLocalDns = Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } });

function deny(props: DefaultDenyNamespaceProps = {}): ReturnType<typeof chart> {
  const c = chart('payments');
  new DefaultDenyNamespace(c, 'deny', props);
  return c;
}

describe('DefaultDenyNamespace: both directions by default', () => {
  test('ingress: nobody, not even the namespace, but the local node on every port', () => {
    const c = deny();
    expect(decidedBy(c, OTHER, API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, PROMETHEUS, API, '9090/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'entity:host', API, '8080/TCP', 'ingress')).toBe('allowed default-deny spec.ingress[1]');
    expect(decidedBy(c, 'entity:host', API, '1/UDP', 'ingress')).toBe('allowed default-deny spec.ingress[1]');
    expect(verdictOf(c, 'entity:remote-node', API, '8080/TCP')).toBe('denied');
    expect(verdictOf(c, 'entity:health', API, '4240/TCP')).toBe('denied');
  });

  test('egress: DNS to kube-dns through the proxy (any name), nothing else', () => {
    const c = deny();
    expect(decidedBy(c, API, KUBE_DNS, '53/UDP', 'egress', { dns: 'api.stripe.com' })).toBe('allowed default-deny spec.egress[1]');
    expect(verdictOf(c, API, KUBE_DNS, '53/TCP', { dns: 'anything.example' })).toBe('allowed');
    expect(verdictOf(c, API, KUBE_DNS, '9153/TCP')).toBe('denied');
    expect(verdictOf(c, API, NODE_LOCAL_DNS, '53/UDP', { dns: 'api.stripe.com' })).toBe('denied');
    expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, API, WEB, '8080/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, API, 'entity:kube-apiserver', '6443/TCP', 'egress')).toBe('default-deny');
    expect(verdictOf(c, API, 'cidr:169.254.169.254', '80/TCP')).toBe('denied');
  });

  test('only the namespace: pods of other namespaces are not selected', () => {
    const c = deny();
    expect(decidedBy(c, OTHER, 'pod:shop:app=api', '8080/TCP', 'ingress')).toBe('no-policy-default-allow');
    expect(decidedBy(c, OTHER, WORLD, '443/TCP', 'egress')).toBe('no-policy-default-allow');
  });

  test('a name of its own', () => {
    const c = deny({ name: 'lockdown' });
    expect(decidedBy(c, 'entity:host', API, '8080/TCP', 'ingress')).toBe('allowed lockdown spec.ingress[1]');
  });
});

describe('DefaultDenyNamespace: one direction', () => {
  test('ingress only: egress is not touched', () => {
    const c = deny({ egress: false });
    expect(decidedBy(c, OTHER, API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('no-policy-default-allow');
  });

  test('egress only: ingress is not touched, and no host rule is written', () => {
    const c = deny({ ingress: false });
    expect(decidedBy(c, OTHER, API, '8080/TCP', 'ingress')).toBe('no-policy-default-allow');
    expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('default-deny');
    expect(verdictOf(c, API, KUBE_DNS, '53/UDP', { dns: 'a.example' })).toBe('allowed');
  });

  test('without the host probes, the local node is denied too', () => {
    const c = deny({ allowHostProbes: false });
    expect(decidedBy(c, 'entity:host', API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'entity:host', API, '8080/TCP', 'ingress', { allowLocalhost: true })).toBe('allow-localhost');
  });

  test('both directions off is refused', () => {
    expect(refusal(() => deny({ ingress: false, egress: false })).id).toBe('default-deny-nothing');
  });

  test('the description names what is denied, and what is built in', () => {
    const descriptions = [deny(), deny({ egress: false }), deny({ ingress: false }), deny({ stagedRollout: true }),
      deny({ allowHostProbes: false, dnsRules: [DnsRule.exact('api.example.com')], dnsServer: Peer.cidr('169.254.20.10/32') }),
      deny({ egress: false, allowHostProbes: false })]
      .map((c) => Testing.synth(c)[0].spec.description);
    const host = 'ingress from the local node on every port (kubelet probes)';
    const dns = 'DNS to kube-dns on 53/UDP and 53/TCP for every name';
    expect(descriptions).toEqual([
      `default deny ingress and egress for namespace payments; built in: ${host}, ${dns}`,
      `default deny ingress for namespace payments; built in: ${host}`,
      `default deny egress for namespace payments; built in: ${dns}`,
      `default deny ingress and egress for namespace payments (staged: not enforced); built in: ${host}, ${dns}`,
      'default deny ingress and egress for namespace payments; built in: DNS to the dnsServer on 53/UDP and 53/TCP for the names of dnsRules',
      'default deny ingress for namespace payments',
    ]);
  });
});

describe('DefaultDenyNamespace options open what they say, and no more', () => {
  test('allowWithinNamespace: both directions inside the namespace, on every port; never across namespaces', () => {
    const c = deny({ allowWithinNamespace: true });
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('allowed default-deny spec.ingress[2]');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'egress')).toBe('allowed default-deny spec.egress[2]');
    expect(verdictOf(c, WEB, API, '5432/UDP')).toBe('allowed');
    expect(verdictOf(c, OTHER, API, '8080/TCP')).toBe('denied');
    expect(verdictOf(c, API, 'pod:shop:app=api', '8080/TCP')).toBe('denied');
    expect(verdictOf(c, API, WORLD, '443/TCP')).toBe('denied');
  });

  test('allowWithinNamespace on an ingress-only default deny opens ingress only', () => {
    const c = deny({ allowWithinNamespace: true, egress: false });
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('allowed default-deny spec.ingress[2]');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'egress')).toBe('no-policy-default-allow');
  });

  test('allowWithinNamespace on an egress-only default deny opens egress only', () => {
    const c = deny({ allowWithinNamespace: true, ingress: false });
    expect(decidedBy(c, WEB, API, '8080/TCP', 'egress')).toBe('allowed default-deny spec.egress[2]');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('no-policy-default-allow');
  });

  test('allowKubeApiServer: the API server on its ports only (6443/TCP, 443/TCP), never the rest of the control-plane nodes', () => {
    const c = deny({ allowKubeApiServer: true });
    expect(decidedBy(c, API, 'entity:kube-apiserver', '6443/TCP', 'egress')).toBe('allowed default-deny spec.egress[2]');
    expect(decidedBy(c, API, 'entity:kube-apiserver', '443/TCP', 'egress')).toBe('allowed default-deny spec.egress[2]');
    // On a self-managed cluster the entity is the control-plane nodes: etcd, the kubelet, SSH stay closed.
    for (const port of ['2379/TCP', '2380/TCP', '10250/TCP', '22/TCP', '6443/UDP', '8443/TCP']) {
      expect(verdictOf(c, API, 'entity:kube-apiserver', port)).toBe('denied');
    }
    expect(verdictOf(c, API, WORLD, '443/TCP')).toBe('denied');
    expect(verdictOf(c, API, 'entity:host', '10250/TCP')).toBe('denied');
  });

  test('scrapeFrom: the scraper on the scrape ports only', () => {
    const c = deny({ scrapeFrom: prometheus, scrapePorts: [Port.tcp(9090)] });
    expect(decidedBy(c, PROMETHEUS, API, '9090/TCP', 'ingress')).toBe('allowed default-deny spec.ingress[2]');
    expect(verdictOf(c, PROMETHEUS, API, '8080/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:monitoring:app=grafana', API, '9090/TCP')).toBe('denied');
  });

  test('scrapeFrom and scrapePorts go together, and the list is not empty', () => {
    expect(refusal(() => deny({ scrapeFrom: prometheus })).id).toBe('default-deny-scrape-ports');
    const empty = refusal(() => deny({ scrapeFrom: prometheus, scrapePorts: [] }));
    expect(empty.id).toBe('default-deny-scrape-ports');
    expect(empty.message).toContain('(an empty list)');
    expect(refusal(() => deny({ scrapeFrom: prometheus })).message).not.toContain('(an empty list)');
    expect(refusal(() => deny({ scrapePorts: [Port.tcp(9090)] })).id).toBe('default-deny-scrape-ports');
    // A single Port (plain JavaScript) is named as what it is, not as scrapePorts missing or empty.
    const one = refusal(() => deny({ scrapeFrom: prometheus, scrapePorts: Port.tcp(9090) as never }));
    expect(one.id).toBe('list-entry-invalid');
    expect(one.message).toMatch(/DefaultDenyNamespace scrapePorts is a Port, not a list[\s\S]*fix: pass a list, each entry a Port/);
  });

  test('dnsServer and dnsRules: lookups of those names at that server only', () => {
    const c = deny({ dnsServer: nodeLocalDns, dnsRules: [DnsRule.pattern('*.svc.cluster.local'), DnsRule.exact('api.example.com')] });
    expect(decidedBy(c, API, NODE_LOCAL_DNS, '53/UDP', 'egress', { dns: 'api.example.com' })).toBe('allowed default-deny spec.egress[1]');
    expect(verdictOf(c, API, NODE_LOCAL_DNS, '53/UDP', { dns: 'db.svc.cluster.local' })).toBe('allowed');
    expect(verdictOf(c, API, NODE_LOCAL_DNS, '53/UDP', { dns: 'evil.example.com' })).toBe('l7-denied');
    expect(verdictOf(c, API, KUBE_DNS, '53/UDP', { dns: 'api.example.com' })).toBe('denied');
    expect(refusal(() => deny({ dnsRules: [] })).id).toBe('dns-rules-empty');
  });

  test('the egress options on an ingress-only default deny are refused, each of them', () => {
    expect(refusal(() => deny({ egress: false, dnsRules: [DnsRule.exact('a.example')] })).id).toBe('default-deny-egress-options');
    expect(refusal(() => deny({ egress: false, dnsServer: nodeLocalDns })).id).toBe('default-deny-egress-options');
    expect(refusal(() => deny({ egress: false, allowKubeApiServer: true })).id).toBe('default-deny-egress-options');
    expect(verdictOf(deny({ egress: false, allowKubeApiServer: false }), API, WORLD, '443/TCP')).toBe('allowed');
  });
});

describe('DefaultDenyNamespace staged rollout and metadata block', () => {
  test('staged: every rule written, nothing enforced (what no rule allows is still allowed)', () => {
    const c = deny({ stagedRollout: true });
    expect(decidedBy(c, OTHER, API, '8080/TCP', 'ingress')).toBe('non-default-deny-allow');
    expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('non-default-deny-allow');
    expect(decidedBy(c, 'entity:host', API, '8080/TCP', 'ingress')).toBe('allowed default-deny spec.ingress[1]');
  });

  test('staged, one direction: the other direction stays untouched', () => {
    const ingressOnly = deny({ stagedRollout: true, egress: false });
    expect(decidedBy(ingressOnly, OTHER, API, '8080/TCP', 'ingress')).toBe('non-default-deny-allow');
    expect(decidedBy(ingressOnly, API, WORLD, '443/TCP', 'egress')).toBe('no-policy-default-allow');
    const egressOnly = deny({ stagedRollout: true, ingress: false });
    expect(decidedBy(egressOnly, API, WORLD, '443/TCP', 'egress')).toBe('non-default-deny-allow');
    expect(decidedBy(egressOnly, OTHER, API, '8080/TCP', 'ingress')).toBe('no-policy-default-allow');
  });

  // On 1.16.0-1.16.9 and 1.17.0-1.17.4 the DNS rules of a rule that enables no default deny refuse the names they do not list
  // (issue #38676; #38841's backports widen them from 1.16.10/1.17.5): a staged rollout with dnsRules restricted the lookups at once (api.example.com in, evil.example.org REFUSED), unlike the rest.
  test('staged with dnsRules before 1.18 is refused (the names were enforced); from 1.18 the names are visibility only', () => {
    const narrow = { stagedRollout: true, dnsRules: [DnsRule.exact('api.example.com')] };
    for (const version of [CiliumVersion.V1_16, CiliumVersion.V1_17]) {
      const r = refusal(() => new DefaultDenyNamespace(chart('payments', version), 'deny', narrow));
      expect(r.id).toBe('default-deny-staged-dns-rules');
      expect(r.message).toContain('on Cilium 1.16.0-1.16.9 and 1.17.0-1.17.4 the DNS proxy refuses (REFUSED) every name the DNS rules of a direction '
        + 'without default deny do not list, while from 1.16.10 and 1.17.5 (cilium/cilium#38841');
      expect(r.message).toContain(`the target Cilium ${version} names no patch, so on some patches the staged rollout would enforce the lookup restriction at once`);
      expect(r.message).toContain('leave dnsRules out while staged');
    }
    const v18 = chart('payments', CiliumVersion.V1_18);
    new DefaultDenyNamespace(v18, 'deny', narrow);
    expect(verdictOf(v18, API, KUBE_DNS, '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
    expect(verdictOf(v18, API, KUBE_DNS, '53/UDP', { dns: 'evil.example.org' })).toBe('allowed');
    expect(decidedBy(v18, API, WORLD, '443/TCP', 'egress')).toBe('non-default-deny-allow');
  });

  // Session 53: with a patch level the staged DNS rules are judged per patch: refused on 1.16.0-1.16.9 and 1.17.0-1.17.4 (they
  // restrict at once), accepted from 1.16.10 and 1.17.5 (#38841 backported: visibility only, every name allowed). Before: refused
  // on every 1.16/1.17 target, the patch was not read.
  test('staged with dnsRules on a 1.16/1.17 patch release: refused before the backport, visibility only from it', () => {
    const narrow = { stagedRollout: true, dnsRules: [DnsRule.exact('api.example.com')] };
    for (const release of ['1.16.9', '1.17.0', '1.17.4']) {
      const r = refusal(() => new DefaultDenyNamespace(chart('payments', CiliumVersion.parse(release)), 'deny', narrow));
      expect(r.id).toBe('default-deny-staged-dns-rules');
      expect(r.message).toContain(`on the target Cilium ${release} the staged rollout would enforce the lookup restriction at once`);
    }
    for (const release of ['1.16.10', '1.17.5']) {
      const version = CiliumVersion.parse(release);
      const c = chart('payments', version);
      new DefaultDenyNamespace(c, 'deny', narrow);
      expect(verdictOf(c, API, KUBE_DNS, '53/UDP', { dns: 'api.example.com', ciliumVersion: version })).toBe('allowed');
      expect(verdictOf(c, API, KUBE_DNS, '53/UDP', { dns: 'evil.example.org', ciliumVersion: version })).toBe('allowed');
      expect(decidedBy(c, API, WORLD, '443/TCP', 'egress', { ciliumVersion: version })).toBe('non-default-deny-allow');
    }
  });

  // Before 1.16 there is no enableDefaultDeny: staging itself is refused (version-enable-default-deny), not its DNS rules; and a
  // malformed dnsRules list gets its own error before the staged refusal.
  test('staged with dnsRules before 1.16 is not blamed on the DNS rules; a malformed list gets its own error on 1.17', () => {
    const narrow = { stagedRollout: true, dnsRules: [DnsRule.exact('api.example.com')] };
    for (const version of [CiliumVersion.V1_14, CiliumVersion.V1_15]) {
      expect(() => new DefaultDenyNamespace(chart('payments', version), 'deny', narrow), version.toString()).not.toThrow();
    }
    expect(refusal(() => new DefaultDenyNamespace(chart('payments', CiliumVersion.V1_17), 'deny', { stagedRollout: true, dnsRules: [] })).id)
      .toBe('dns-rules-empty');
  });

  test('staged before 1.18: every name (the default, or DnsRule.all() among the rules) stays accepted, and nothing is refused', () => {
    for (const dnsRules of [undefined, [DnsRule.exact('api.example.com'), DnsRule.all()]]) {
      const c = chart('payments', CiliumVersion.V1_17);
      new DefaultDenyNamespace(c, 'deny', { stagedRollout: true, ...(dnsRules ? { dnsRules } : {}) });
      expect(verdictOf(c, API, KUBE_DNS, '53/UDP', { dns: 'evil.example.org' })).toBe('allowed');
      expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('non-default-deny-allow');
    }
    // Enforced (not staged), the names restrict on every version, as meant.
    const enforced = chart('payments', CiliumVersion.V1_17);
    new DefaultDenyNamespace(enforced, 'deny', { dnsRules: [DnsRule.exact('api.example.com')] });
    expect(verdictOf(enforced, API, KUBE_DNS, '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
    expect(verdictOf(enforced, API, KUBE_DNS, '53/UDP', { dns: 'evil.example.org' })).toBe('l7-denied');
  });

  test('the metadata endpoint is denied by a deny rule, over allowWithinNamespace and the API server, both families', () => {
    const c = deny({ blockMetadataEndpoint: true, allowKubeApiServer: true });
    expect(decidedBy(c, API, 'cidr:169.254.169.254', '80/TCP', 'egress')).toBe('denied-by-deny-rule default-deny spec.egressDeny[0]');
    expect(decidedBy(c, API, 'cidr:fd00:ec2::254', '80/TCP', 'egress', { ipFamilies: IpFamilies.DUAL })).toBe('denied-by-deny-rule default-deny spec.egressDeny[0]');
    expect(decidedBy(c, API, 'cidr:fd20:ce::254', '80/TCP', 'egress', { ipFamilies: IpFamilies.DUAL })).toBe('denied-by-deny-rule default-deny spec.egressDeny[0]');
    expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, API, 'entity:kube-apiserver', '6443/TCP', 'egress')).toBe('allowed default-deny spec.egress[2]');
  });

  test('the metadata block on an ingress-only default deny does not put egress into default deny', () => {
    const c = deny({ egress: false, blockMetadataEndpoint: true });
    expect(decidedBy(c, API, 'cidr:169.254.169.254', '80/TCP', 'egress')).toBe('denied-by-deny-rule default-deny spec.egressDeny[0]');
    expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('non-default-deny-allow');
    expect(decidedBy(c, OTHER, API, '8080/TCP', 'ingress')).toBe('default-deny');
  });

  test('the metadata block in a staged rollout: denied at once, the rest observed', () => {
    const c = deny({ stagedRollout: true, egress: false, blockMetadataEndpoint: true });
    expect(decidedBy(c, API, 'cidr:169.254.169.254', '80/TCP', 'egress')).toBe('denied-by-deny-rule default-deny spec.egressDeny[0]');
    expect(decidedBy(c, API, WORLD, '443/TCP', 'egress')).toBe('non-default-deny-allow');
    expect(decidedBy(c, OTHER, API, '8080/TCP', 'ingress')).toBe('non-default-deny-allow');
  });

  test('without a namespace it is refused', () => {
    expect(refusal(() => new DefaultDenyNamespace(chart(), 'deny')).id).toBe('namespace-required');
  });
});
