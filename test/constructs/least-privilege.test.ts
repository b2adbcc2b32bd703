// The least-privilege refusals and warnings, each with what is wrong, where, the bad value and the fix.
import { Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import {
  Builtins, CiliumPolicy, ClusterDefaultDeny, DefaultDenyNamespace, DnsRule, EndpointSelector, Entity, FqdnEgress, HostFirewall, HttpRule, KafkaRule,
  L7, LockoutPath, MetadataEndpointBlock, MonitoringScrape, Peer, Port, TieredApp, Validator,
} from '../../src';
import { chart, refusal, synth, synthError } from '../support/synth';
import { verdictOf } from '../support/construct-verdicts';

describe('over-broad input is refused, never widened', () => {
  test('an empty port list names the call, the construct and the explicit forms', () => {
    const r = refusal(() => new CiliumPolicy(chart('shop'), 'api').allowIngress(Peer.any(), { ports: [] }));
    expect(r.id).toBe('ports-empty');
    expect(r.message).toMatch(/^\[test\/api\] allowIngress\(any peer, \{ ports: \[\] \}\): an empty port list would be written as no toPorts, which means every port/);
    expect(r.message).toMatch(/\{ ports: \[Port\.allPorts\(\)\] \}/);
  });

  test('port 0 in any spelling', () => {
    for (const port of [0, -0, Number('')]) {
      const r = refusal(() => Port.of({ port }));
      expect(r.id).toBe('port-out-of-range');
      expect(r.message).toMatch(/port 0 is not an integer between 1 and 65535 .*least-privilege\.test\.ts:\d+|least-privilege\.test\.ts:\d+.*port 0 is not/s);
      expect(r.message).toMatch(/Port\.allTcp\(\)/);
    }
    expect(refusal(() => Port.tcp('8080' as unknown as number)).message).toMatch(/port "8080" is a string, not a number.*pass the number 8080/s);
  });

  test('empty label maps point to the explicit form', () => {
    expect(refusal(() => EndpointSelector.labels({})).message).toMatch(/EndpointSelector\.all\(\)/);
    expect(refusal(() => Peer.endpoints({ labels: {} })).message).toMatch(/Peer\.namespace/);
    expect(refusal(() => Peer.nodes({})).message).toMatch(/Entity\.REMOTE_NODE/);
    expect(refusal(() => Peer.cidrGroupSelector({})).message).toMatch(/Peer\.cidrGroup\(name\)/);
    const tier = refusal(() => new TieredApp(chart('shop'), 'app', { tiers: [{ name: 'web', labels: {}, ports: [Port.tcp(80)] }] }));
    expect(tier.message).toMatch(/^\[test\/app\] tier web has labels: \{\}, which selects every pod of the namespace/);
  });

  test('an empty dnsRules list is refused, not read as every name', () => {
    const r = refusal(() => new DefaultDenyNamespace(chart('shop'), 'deny', { dnsRules: [] }));
    expect(r.id).toBe('dns-rules-empty');
    expect(r.message).toMatch(/^\[test\/deny\/Resource\] dnsRules is an empty list/);
    expect(refusal(() => new TieredApp(chart('shop'), 'app', { egressLockdown: true, dnsRules: [], tiers: [{ name: 'w', labels: { app: 'w' }, ports: [Port.tcp(80)] }] })).id)
      .toBe('dns-rules-empty');
  });

  test('every namespaced construct needs a namespace', () => {
    const fqdn = refusal(() => new FqdnEgress(chart(), 'github', { fqdns: ['api.github.com'] }));
    expect(fqdn.id).toBe('namespace-required');
    expect(fqdn.message).toMatch(/^\[test\/github\] FqdnEgress needs a namespace: without one the CiliumNetworkPolicy has no metadata\.namespace/);
    expect(refusal(() => new CiliumPolicy(chart(), 'p')).id).toBe('namespace-required');
    expect(new CiliumPolicy(chart(), 'p', { namespace: 'shop' }).namespace).toBe('shop');
  });

  test('namespace names Kubernetes would refuse, with the likely fix', () => {
    const r = refusal(() => new ClusterDefaultDeny(chart(), 'baseline', { excludedNamespaces: ['Kube-System'] }));
    expect(r.id).toBe('namespace-name-syntax');
    expect(r.message).toMatch(/ClusterDefaultDeny excludedNamespaces entry "Kube-System" is not a namespace name.*did you mean "kube-system"\?/s);
    expect(refusal(() => Peer.selectedBy(EndpointSelector.all(), 'UPPER')).id).toBe('namespace-name-syntax');
    expect(refusal(() => Peer.service('x', 'Bad_NS')).id).toBe('namespace-name-syntax');
    expect(refusal(() => new MonitoringScrape(chart(), 's', { scraper: Peer.namespace('m'), namespaces: ['shop', ''], ports: [Port.tcp(9090)] })).id)
      .toBe('namespace-name-syntax');
  });

  test('toServices: the policy namespace is written in a CNP, and required in a CCNP (Cilium matches every namespace without it)', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p');
    p.allowEgress(Peer.service('legacy-db'), { ports: [Port.tcp(5432)] });
    p.allowEgress(Peer.serviceSelector({ labels: { tier: 'db' } }), { ports: [Port.tcp(5432)] });
    const [cnp] = synth(c);
    expect(cnp.spec.egress.flatMap((i: any) => i.toServices)).toEqual([
      { k8sService: { serviceName: 'legacy-db', namespace: 'shop' } },
      { k8sServiceSelector: { selector: { matchLabels: { tier: 'db' } }, namespace: 'shop' } },
    ]);
  });
});

describe('deliberately broad peers are allowed, with a warning at synth', () => {
  test('0.0.0.0/0, ::/0 and toFQDNs *', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowEgress(Peer.cidr('0.0.0.0/0'), { ports: [Port.tcp(443)] });
    p.allowEgress(Peer.cidr('::/0'), { ports: [Port.tcp(443)] });
    new FqdnEgress(c, 'any-name', { endpointSelector: EndpointSelector.labels({ app: 'web' }), fqdns: ['*'], allowAllDnsLookups: true });
    const found = Validator.validateApp(c).filter((d) => d.id === 'pitfall-broad-peer' || d.id === 'pitfall-cidr-host-bits');
    expect(found.map((d) => `${d.severity} ${d.id} ${d.constructPath} ${d.path}`)).toEqual([
      'warning pitfall-broad-peer test/p/Resource spec.egress[0].toCIDR[0]',
      'warning pitfall-broad-peer test/p/Resource spec.egress[0].toCIDR[1]',
      'warning pitfall-broad-peer test/any-name/Resource/Resource spec.egress[0].toFQDNs[0].matchPattern',
    ]);
  });

  test('a CIDR with host bits is refused, in the range and in except (Cilium masks 10.1.2.3/8 to all of 10.0.0.0/8)', () => {
    const r = refusal(() => Peer.cidr('10.1.2.3/8'));
    expect(r.id).toBe('peer-cidr-host-bits');
    expect(r.message).toMatch(/Peer.cidr\(\) 10.1.2.3\/8 has host bits set: Cilium masks it to 10.0.0.0\/8, the whole \/8, not the one address 10.1.2.3/);
    expect(r.message).toMatch(/fix: write 10.1.2.3\/32 for the one address, or 10.0.0.0\/8 for the network/);
    expect(refusal(() => Peer.cidr('2001:db8::1/32')).id).toBe('peer-cidr-host-bits');
    expect(refusal(() => Peer.cidr('10.0.0.0/8', { except: ['10.1.2.3/16'] })).id).toBe('peer-cidr-host-bits');
    expect(refusal(() => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.50.0.7/24'] })).id).toBe('peer-cidr-host-bits');
    // What it allowed: every address of the /8; the network or the one address say which is meant.
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.cidr('10.1.2.3/32'), { ports: [Port.tcp(5432)] });
    expect(verdictOf(c, 'pod:shop:app=web', 'cidr:10.1.2.3', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=web', 'cidr:10.9.9.9', '5432/TCP')).toBe('denied');
  });

  // Before: found at synthesis by the CRD check, at the output field ("[c/p] spec.ingress[0].fromCIDR[0]: ... (crd-cidr)").
  test('a CIDR no Cilium version accepts is refused at the call or prop, with the value, where and the fix (peer-cidr-syntax)', () => {
    const r = refusal(() => Peer.cidr('10.0.0.0/33'));
    expect(r.id).toBe('peer-cidr-syntax');
    expect(r.message).toMatch(/least-privilege\.test\.ts:\d+\] Peer\.cidr\(\) "10\.0\.0\.0\/33" is not a CIDR any Cilium version accepts: the prefix length 33 is more than the 32 bits/);
    expect(r.message).toContain('fix: write a prefix length of 0 to 32: 10.0.0.0/32 for the one address, a shorter one for a network');
    expect(refusal(() => Peer.cidr('300.1.1.1/32')).message).toContain('"300.1.1.1" is no IPv4 address (four numbers of 0 to 255)');
    expect(refusal(() => Peer.cidr('garbage')).message).toContain('Peer.cidr() "garbage" is not a CIDR any Cilium version accepts: "garbage" is no IP address');
    expect(refusal(() => Peer.cidr('2001:db8::/129')).message).toContain('the prefix length 129 is more than the 128 bits of an IPv6 address');
    // The fix never offers an address some version refuses (a zone, leading zeros): it would be refused in turn.
    for (const given of ['fe80::1%eth0/200', '010.0.0.0/33']) {
      expect(refusal(() => Peer.cidr(given)).message, given).toMatch(/fix: write a prefix length of 0 to (32|128), after an address without a zone or leading zeros/);
    }
    expect(refusal(() => Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/40'] })).message).toContain('Peer.cidr("10.0.0.0/8") except[0] "10.1.0.0/40"');
    const fw = refusal(() => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.50.0.0/24', '10.50.1.0/33'] }));
    expect(fw.id).toBe('peer-cidr-syntax');
    expect(fw.message).toMatch(/^\[test\/fw\] HostFirewall managementCidrs\[1\] "10\.50\.1\.0\/33" is not a CIDR/);
    expect(refusal(() => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.50.0.0/24'], bgpPeers: ['1.2.3'] })).message)
      .toContain('HostFirewall bgpPeers[0] "1.2.3" is not a CIDR');
    expect(refusal(() => new MetadataEndpointBlock(chart('shop'), 'm', { extraCidrs: ['169.254.0.0/99'] })).message)
      .toContain('[test/m] MetadataEndpointBlock extraCidrs[0] "169.254.0.0/99" is not a CIDR');
    // What some version takes is left to the target version's checks (a bare address: crd-cidr, with its fix), not refused here.
    expect(() => Peer.cidr('10.0.0.1')).not.toThrow();
    expect(() => Peer.cidr('fe80::1%eth0/64')).not.toThrow();
    // And a CIDR every version takes is what it says.
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.cidr('10.0.0.0/32'), { ports: [Port.tcp(5432)] });
    expect(verdictOf(c, 'pod:shop:app=web', 'cidr:10.0.0.0', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=web', 'cidr:10.0.0.1', '5432/TCP')).toBe('denied');
  });
});

describe('DNS rules that cancel a restriction are refused at synth, naming both constructs', () => {
  test('DefaultDenyNamespace (every name) next to a restricted FqdnEgress on the same pods', () => {
    const c = chart('payments');
    new DefaultDenyNamespace(c, 'default-deny');
    new FqdnEgress(c, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg' }), fqdns: ['api.stripe.com'] });
    const message = synthError(c);
    expect(message).toMatch(/\[test\/pg\/Resource\/Resource\] spec\.egress\[\d\]\.toPorts: these pods may look up only "api\.stripe\.com", but CiliumNetworkPolicy payments\/default-deny \(test\/default-deny\/Resource\/Resource\) lets the same pods look up every name/);
    expect(message).toMatch(/\(pitfall-dns-rules-widened\)/);
    // What it protects: without the refusal, the engine shows the restriction does not hold.
    const ok = chart('payments');
    new DefaultDenyNamespace(ok, 'default-deny');
    new FqdnEgress(ok, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg' }), fqdns: ['api.stripe.com'], allowAllDnsLookups: true });
    expect(() => synth(ok)).not.toThrow();
    expect(ok).toAllow('pod:payments:app=pg', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.com' });
  });

  test('a restricted DefaultDenyNamespace next to TieredApp egress lockdown (every name by default)', () => {
    const c = chart('shop');
    new DefaultDenyNamespace(c, 'default-deny', { dnsRules: [DnsRule.exact('api.example.com')] });
    new TieredApp(c, 'app', { egressLockdown: true, tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] });
    expect(synthError(c)).toMatch(/these pods may look up only "api\.example\.com", but CiliumNetworkPolicy shop\/app-web \(test\/app\/web\/Resource\)/);
    const agreed = chart('shop');
    new DefaultDenyNamespace(agreed, 'default-deny', { dnsRules: [DnsRule.exact('api.example.com')] });
    new TieredApp(agreed, 'app', { egressLockdown: true, dnsRules: [DnsRule.exact('api.example.com')], tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] });
    expect(() => synth(agreed)).not.toThrow();
  });
});

describe('HostFirewall: removable only with a reason, and node DNS before the egress guard', () => {
  test('the egress guard needs the node resolvers, or an exemption with a reason', () => {
    const fw = new HostFirewall(chart(), 'fw', { managementCidrs: ['10.0.0.0/24'] });
    const r = refusal(() => fw.allowEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] }));
    expect(r.id).toBe('host-firewall-node-dns');
    const exempt = new HostFirewall(chart(), 'fw', {
      managementCidrs: ['10.0.0.0/24'], exemptions: [{ path: LockoutPath.NODE_DNS, reason: 'nodes resolve through the API' }],
    });
    expect(() => exempt.allowEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] })).not.toThrow();
  });
});

describe('found by review: more inputs that used to widen', () => {
  test('blank L7 fields and empty rules are refused', () => {
    expect(refusal(() => HttpRule.get('')).id).toBe('l7-field-blank');
    expect(refusal(() => HttpRule.of({ method: '', path: '/public' })).id).toBe('l7-field-blank');
    expect(refusal(() => HttpRule.of({})).message).toMatch(/HttpRule\.any\(\)/);
    expect(refusal(() => KafkaRule.produce('')).id).toBe('l7-field-blank');
    expect(refusal(() => KafkaRule.of({})).id).toBe('l7-rule-empty');
  });

  test('serverNames: [] and non-Port port entries are refused', () => {
    const p = new CiliumPolicy(chart('shop'), 'p');
    expect(refusal(() => p.allowEgress(Peer.cidr('203.0.113.0/24'), { ports: [Port.tcp(443)], serverNames: [] })).id).toBe('server-names-empty');
    expect(refusal(() => p.allowIngress(Peer.namespace('x'), { ports: [undefined as unknown as Port] })).id).toBe('ports-not-ports');
  });

  test('a CronJob with the same pod labels keeps the hash selector', () => {
    const c = chart('shop');
    const web = new kplus.Deployment(c, 'web', { podMetadata: { labels: { app: 'web' } }, containers: [{ image: 'nginx', portNumber: 8080 }] });
    new kplus.CronJob(c, 'warmer', { schedule: Cron.daily(), podMetadata: { labels: { app: 'web' } }, containers: [{ image: 'curl' }] });
    new CiliumPolicy(c, 'db-in').allowIngress(Peer.workload(web), { ports: [Port.tcp(5432)] });
    const [cnp] = synth(c).filter((m) => m.kind === 'CiliumNetworkPolicy');
    expect(cnp.spec.ingress[0].fromEndpoints[0].matchLabels).toHaveProperty(['cdk8s.io/metadata.addr']);
  });

  test('a workload selected by several Services (serving and metrics) must name its ports', () => {
    const c = chart('shop');
    const api = new kplus.Deployment(c, 'api', { podMetadata: { labels: { app: 'api' } }, containers: [{ image: 'api', portNumber: 8081 }] });
    api.exposeViaService({ name: 'api', ports: [{ port: 80, targetPort: 8081 }] });
    new kplus.Service(c, 'api-metrics', { selector: api, ports: [{ port: 9091, targetPort: 9091 }], clusterIP: 'None' });
    const r = refusal(() => new TieredApp(c, 'app', { tiers: [{ name: 'api', workload: api }] }));
    expect(r.message).toMatch(/tier api: 2 Services of the app select test\/api .* ambiguous/);
  });

  test('ClusterDefaultDeny with no exclusions, and remote-node denies cutting the kubelet and etcd guard', () => {
    expect(refusal(() => new ClusterDefaultDeny(chart(), 'd', { excludedNamespaces: [] })).id).toBe('cluster-default-deny-no-exclusions');
    const c = chart();
    const fw = new HostFirewall(c, 'fw', { managementCidrs: ['10.0.0.0/24'] });
    fw.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(10250)] });
    expect(synthError(c)).toMatch(/would cut the kubelet path/);
  });

  test('within one rule: the DNS companion\'s names beside an allow to the same server without DNS rules are refused', () => {
    const DNS = 'pod:kube-system:k8s-app=kube-dns';
    const policy = (c: ReturnType<typeof chart>): CiliumPolicy => {
      const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
      Builtins.allowDns(p.rule, { dnsRules: [DnsRule.exact('api.example.com')] });
      return p;
    };
    // The companion alone: the names hold on both protocols.
    const alone = chart('shop');
    policy(alone);
    expect(['api.example.com', 'evil.example.org'].flatMap((dns) => ['53/UDP', '53/TCP'].map((port) => verdictOf(alone, 'pod:shop:app=web', DNS, port, { dns }))))
      .toEqual(['allowed', 'allowed', 'l7-denied', 'l7-denied']);
    // An L4 allow to the resolver in the same rule: every name over UDP (Cilium merges it with `*`); it was written without a word.
    const c = chart('shop');
    policy(c).allowEgress(Peer.kubeDns(), { ports: [Port.udp(53)] });
    expect(synthError(c)).toMatch(/\[test\/web\/Resource\] spec\.egress\[0\]\.toPorts: these pods may look up only "api\.example\.com", but this rule's spec\.egress\[1\] lets the same pods look up every name \(an L4 allow with no DNS rules\).*\(pitfall-dns-rules-widened\)/s);
    // TieredApp: a tier's egress to the resolver beside egressLockdown's dnsRules.
    const tiers = (egress: { peer: Peer; ports: Port[] }[]): ReturnType<typeof chart> => {
      const t = chart('shop');
      new TieredApp(t, 'app', { tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)], egress }], egressLockdown: true,
        dnsRules: [DnsRule.exact('api.example.com')] });
      return t;
    };
    expect(synthError(tiers([{ peer: Peer.kubeDns(), ports: [Port.udp(53)] }]))).toMatch(/\[test\/app\/web\/Resource\] spec\.egress\[0\]\.toPorts: .*this rule's spec\.egress\[1\].*\(pitfall-dns-rules-widened\)/s);
    // Egress elsewhere keeps the names.
    const db = tiers([{ peer: Peer.endpoints({ labels: { app: 'db' } }), ports: [Port.tcp(5432)] }]);
    synth(db);
    expect(verdictOf(db, 'pod:shop:app=web', DNS, '53/UDP', { dns: 'evil.example.org' })).toBe('l7-denied');
    expect(verdictOf(db, 'pod:shop:app=web', 'pod:shop:app=db', '5432/TCP')).toBe('allowed');
  });

  test('within one rule: an allow to other pods on every port or a range is not the DNS server: the companion\'s names hold, and synthesis passes', () => {
    const DNS = 'pod:kube-system:k8s-app=kube-dns';
    const companion = (c: ReturnType<typeof chart>): CiliumPolicy => {
      const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
      Builtins.allowDns(p.rule, { dnsRules: [DnsRule.exact('api.example.com')] });
      return p;
    };
    // Each selector only may overlap kube-dns (another label key, or no fixed namespace): it does not take the server in.
    const egress: [string, Peer, { ports?: Port[] }][] = [
      ['every namespace, every port', Peer.endpoints({ allNamespaces: true, labels: { app: 'postgres' } }), {}],
      ['every namespace, 1-1024', Peer.endpoints({ allNamespaces: true, labels: { app: 'postgres' } }), { ports: [Port.tcpRange(1, 1024)] }],
      ['kube-system, another app', Peer.endpoints({ namespace: 'kube-system', labels: { app: 'vault' } }), {}],
      ['namespace labels', Peer.endpoints({ namespaceLabels: { team: 'data' }, labels: { app: 'pg' } }), {}],
      ['a Service, every port (said outright)', Peer.service('postgres'), { ports: [Port.allPorts()] }],
    ];
    for (const [, peer, opts] of egress) {
      const c = chart('shop');
      companion(c).allowEgress(peer, opts);
      synth(c);
      expect(['api.example.com', 'evil.example.org'].flatMap((dns) => ['53/UDP', '53/TCP'].map((port) => verdictOf(c, 'pod:shop:app=web', DNS, port, { dns }))))
        .toEqual(['allowed', 'allowed', 'l7-denied', 'l7-denied']);
    }
    // TieredApp: a tier's egress to such pods on ports 1-1024 beside egressLockdown's dnsRules.
    const t = chart('shop');
    new TieredApp(t, 'app', { tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)],
      egress: [{ peer: Peer.endpoints({ allNamespaces: true, labels: { app: 'pg' } }), ports: [Port.tcpRange(1, 1024)] }] }], egressLockdown: true,
    dnsRules: [DnsRule.exact('api.example.com')] });
    synth(t);
    expect(['api.example.com', 'evil.example.org'].map((dns) => verdictOf(t, 'pod:shop:app=web', DNS, '53/UDP', { dns }))).toEqual(['allowed', 'l7-denied']);
    // An allow that takes kube-dns in on 53 is still refused: every pod of kube-system, or the cluster. On every port it is
    // another L4 filter, which the DNS proxy does not read for a lookup on 53 (pkg/fqdn/dnsproxy/proxy.go CheckAllowed): the names hold.
    for (const peer of [Peer.endpoints({ namespace: 'kube-system' }), Peer.entity(Entity.CLUSTER)]) {
      const c = chart('shop');
      companion(c).allowEgress(peer, { ports: [Port.udp(53)] });
      expect(synthError(c)).toMatch(/this rule's spec\.egress\[1\] lets the same pods look up every name.*\(pitfall-dns-rules-widened\)/s);
      const every = chart('shop');
      companion(every).allowEgress(peer);
      synth(every);
      expect(['api.example.com', 'evil.example.org'].map((dns) => verdictOf(every, 'pod:shop:app=web', DNS, '53/UDP', { dns }))).toEqual(['allowed', 'l7-denied']);
    }
  });

  test('HostFirewall: the egress guard to every pod on every port leaves a DNS restriction of the nodes to kube-dns in force', () => {
    const fw = (exempt: boolean): ReturnType<typeof chart> => {
      const c = chart();
      new HostFirewall(c, 'fw', { managementCidrs: ['10.50.0.0/24'], nodeDnsServers: ['10.0.0.2/32'],
        ...(exempt ? { exemptions: [{ path: LockoutPath.POD_TRAFFIC, reason: 'the pod ports the nodes need are allowed by hand' }] } : {}) })
        .allowEgress(Peer.kubeDns(), { ports: [Port.udp(53), Port.tcp(53)], l7: L7.dns(DnsRule.exact('api.example.com')) });
      return c;
    };
    const lookup = (c: ReturnType<typeof chart>, dns: string): string => verdictOf(c, 'entity:host', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns });
    // Without the every-pod guard the names hold.
    const held = fw(true);
    synth(held);
    expect([lookup(held, 'api.example.com'), lookup(held, 'evil.example.org')]).toEqual(['allowed', 'l7-denied']);
    // With it too: the guard allows every port, another L4 filter than the DNS rules' 53, so the proxy still judges the lookup.
    const guarded = fw(false);
    synth(guarded);
    expect([lookup(guarded, 'api.example.com'), lookup(guarded, 'evil.example.org')]).toEqual(['allowed', 'l7-denied']);
  });

  test('HostFirewall: the node-DNS guard beside a DNS restriction to the same resolver: the fix names LockoutPath.NODE_DNS', () => {
    const fw = (exempt: LockoutPath[]): ReturnType<typeof chart> => {
      const c = chart();
      // nodeDnsServers beside the node-DNS path's exemption is refused (host-firewall-exempted-path-configured): one or the other.
      new HostFirewall(c, 'fw', { managementCidrs: ['10.50.0.0/24'], ...(exempt.includes(LockoutPath.NODE_DNS) ? {} : { nodeDnsServers: ['10.0.0.2/32'] }),
        exemptions: exempt.map((path) => ({ path, reason: 'allowed by hand' })) })
        .allowEgress(Peer.cidr('10.0.0.2/32'), { ports: [Port.udp(53), Port.tcp(53)], l7: L7.dns(DnsRule.exact('api.example.com')) });
      return c;
    };
    // POD_TRAFFIC is already exempted: the guard that widens is the node-DNS one, and the fix says so (not POD_TRAFFIC).
    const message = synthError(fw([LockoutPath.POD_TRAFFIC]));
    expect(message).toMatch(/spec\.egress\[6\]\.toPorts: these nodes may look up only "api\.example\.com", but this rule's spec\.egress\[5\].*\(pitfall-dns-rules-widened\)/s);
    expect(message).toMatch(/if it is a HostFirewall's node-DNS guard of nodeDnsServers: exempt LockoutPath\.NODE_DNS with a reason and leave nodeDnsServers out/);
    expect(message).not.toMatch(/POD_TRAFFIC/);
    // Exempting it, the names hold for the nodes' lookups to that resolver.
    const held = fw([LockoutPath.POD_TRAFFIC, LockoutPath.NODE_DNS]);
    synth(held);
    expect(['api.example.com', 'evil.example.org'].map((dns) => verdictOf(held, 'entity:host', 'cidr:10.0.0.2', '53/UDP', { dns }))).toEqual(['allowed', 'l7-denied']);
  });

  test('HttpRule.any() (visibility) for the same pods, peers and port cancels a tier\'s HTTP rules: refused', () => {
    const app = (visibility: boolean): ReturnType<typeof chart> => {
      const c = chart('shop');
      new TieredApp(c, 'app', { tiers: [{ name: 'api', labels: { app: 'api' }, ports: [Port.tcp(8080)], l7: L7.http(HttpRule.get('/api/.*')) }],
        entry: [Peer.endpoints({ namespace: 'ingress', labels: { app: 'gw' } })] });
      if (visibility) {
        new CiliumPolicy(c, 'vis', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
          .allowIngress(Peer.any(), { ports: [Port.tcp(8080)], l7: L7.http(HttpRule.any()) });
      }
      return c;
    };
    const request = (c: ReturnType<typeof chart>, http: string): string => verdictOf(c, 'pod:ingress:app=gw', 'pod:shop:app=api', '8080/TCP', { http });
    const alone = app(false);
    synth(alone);
    expect([request(alone, 'GET /api/orders'), request(alone, 'DELETE /admin')]).toEqual(['allowed', 'l7-denied']);
    // The proxy ORs the two rule lists, so DELETE /admin would pass (the engine agrees: test/validate-cli/pitfall-l7-widened.test.ts);
    // it was written without a word.
    const both = app(true);
    expect(synthError(both)).toMatch(/\[test\/app\/api\/Resource\] spec\.ingress\[0\]\.toPorts\[0\]: these HTTP rules restrict requests, but CiliumNetworkPolicy shop\/vis .* with HTTP rules that match every request.*\(pitfall-l7-rules-widened\)/s);
  });

  test('an L4-only DNS allow (every name, as Cilium merges it) cancels a lookup restriction too', () => {
    const c = chart('shop');
    new FqdnEgress(c, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'api' }), fqdns: ['api.stripe.com'] });
    new CiliumPolicy(c, 'dns', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowEgress(Peer.kubeDns(), { ports: [Port.udp(53), Port.tcp(53)] });
    expect(synthError(c)).toMatch(/these pods may look up only "api\.stripe\.com", but CiliumNetworkPolicy shop\/dns .*an L4 allow with no DNS rules.*\(pitfall-dns-rules-widened\)/s);
    const star = chart('shop');
    new FqdnEgress(star, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'api' }), fqdns: ['api.stripe.com'] });
    new CiliumPolicy(star, 'dns', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
      .allowEgress(Peer.entity(Entity.CLUSTER), { ports: [Port.udp(53)], l7: L7.dns(DnsRule.pattern('*')) });
    expect(synthError(star)).toMatch(/pitfall-dns-rules-widened/);
  });
});
