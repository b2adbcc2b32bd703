// Kubernetes NetworkPolicy evaluated with CNP/CCNP, translated as the agent does (pkg/k8s/network_policy.go): a truth table
// per feature (each allowed and denied), mixing with Cilium policies, and explanations that name the NetworkPolicy rule.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { EndpointInventory, PolicySet, PolicySetOptions } from '../../src/engine';
import { formatVerdict } from '../../src/engine/explain';
import { translateNetworkPolicy } from '../../src/model/network-policy';
import { cnp, verdict } from './helpers';

function np(name: string, spec: Record<string, unknown>, namespace = 'default'): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function ns(name: string, labels: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function set(docs: readonly Record<string, unknown>[], options: PolicySetOptions = {}): PolicySet {
  return PolicySet.fromYaml(docs.map((d) => JSON.stringify(d)).join('\n---\n'), { file: 'np.yaml', ...options });
}

type Row = [allowed: boolean, from: string, to: string, port: string];

/** SCTP judged by the policies: the agent runs with enable-sctp (without it the datapath drops SCTP before any policy). */
const SCTP_ON: PolicySetOptions = { sctp: true };

function table(s: PolicySet, rows: Row[]): void {
  for (const [allowed, from, to, port] of rows) {
    expect([from, to, port, verdict(s, from, to, port).allowed]).toEqual([from, to, port, allowed]);
  }
}

const API = 'pod:shop:app=api';

describe('NetworkPolicy truth table', () => {
  test('podSelector peers select pods of the policy namespace only', () => {
    const s = set([np('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }, 'shop')]);
    table(s, [
      [true, 'pod:shop:app=web', API, '8080/TCP'],
      [false, 'pod:other:app=web', API, '8080/TCP'],
      [false, 'pod:shop:app=db', API, '8080/TCP'],
      [true, 'pod:shop:app=db', 'pod:shop:app=other', '8080/TCP'],
    ]);
  });

  test('namespaceSelector reads namespace labels from Namespace objects, or from the inventory given', () => {
    const policy = np('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }] }, 'shop');
    table(set([policy, ns('front', { team: 'a' }), ns('back', { team: 'b' })]), [
      [true, 'pod:front:app=x', API, '80/TCP'],
      [false, 'pod:back:app=x', API, '80/TCP'],
    ]);
    const inventory = new EndpointInventory();
    inventory.addNamespace('front', { team: 'a' });
    table(set([policy], { inventory }), [[true, 'pod:front:app=x', API, '80/TCP'], [false, 'pod:back:app=x', API, '80/TCP']]);
    // Session 46 (network-policy.ts `peerSelector`: the namespace requirement added to every selector without expressions):
    // parseNetworkPolicyPeer adds `io.kubernetes.pod.namespace Exists` only to an empty namespaceSelector, and the allow
    // rule the default deny names holds the selector as the agent does.
    const denied = verdict(set([policy, ns('back', { team: 'b' })]), 'pod:back:app=x', API, '80/TCP').ingress;
    expect([denied.decision, denied.notes]).toEqual(['default-deny', ['NetworkPolicy shop/api spec.ingress[0].from[0] allows 80/TCP only from '
      + 'fromEndpoints {k8s:io.cilium.k8s.namespace.labels.team=a, k8s:io.cilium.k8s.policy.cluster=default}']]);
  });

  test('an empty namespaceSelector selects every namespace, never the world', () => {
    const s = set([np('api', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }, 'shop')]);
    table(s, [[true, 'pod:any:app=x', API, '80/TCP'], [false, 'cidr:203.0.113.9', API, '80/TCP']]);
  });

  test('namespaceSelector and podSelector in one peer are AND; in two peers OR', () => {
    const and = set([np('api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } }] }],
    }, 'shop'), ns('front', { team: 'a' })]);
    table(and, [[true, 'pod:front:app=web', API, '80/TCP'], [false, 'pod:front:app=db', API, '80/TCP'], [false, 'pod:shop:app=web', API, '80/TCP']]);
    const or = set([np('api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }],
    }, 'shop'), ns('front', { team: 'a' })]);
    table(or, [[true, 'pod:front:app=db', API, '80/TCP'], [true, 'pod:shop:app=web', API, '80/TCP'], [false, 'pod:shop:app=db', API, '80/TCP']]);
  });

  test('ipBlock with except selects outside addresses only (never pods)', () => {
    const s = set([np('api', {
      podSelector: {}, policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
    }, 'shop')]);
    table(s, [
      [true, API, 'cidr:203.0.113.9', '443/TCP'],
      [false, API, 'cidr:10.1.2.3', '443/TCP'],
      [false, API, 'pod:shop:app=db', '5432/TCP'],
      [true, API, 'entity:world', '443/TCP'],
    ]);
  });

  test('ports: protocol TCP by default, endPort ranges, named ports, no port = every port', () => {
    const s = set([np('api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 8080 }, { protocol: 'UDP', port: 5000, endPort: 5010 }, { port: 'metrics' }, { protocol: 'SCTP' }] }],
    }, 'shop'), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
      spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'metrics', containerPort: 9090 }] }] },
    }], SCTP_ON);
    table(s, [
      [true, 'pod:shop:app=web', API, '8080/TCP'],
      [false, 'pod:shop:app=web', API, '8080/UDP'],
      [true, 'pod:shop:app=web', API, '5005/UDP'],
      [false, 'pod:shop:app=web', API, '5011/UDP'],
      [true, 'pod:shop:app=web', API, '9090/TCP'],
      [false, 'pod:shop:app=web', API, '9091/TCP'],
      [true, 'pod:shop:app=web', API, '4444/SCTP'],
    ]);
  });

  // parsePorts (pkg/k8s/network_policy.go): ports applied to every peer of the rule only when `len(ports) > 0`; one
  // PortRule per port, protocol TCP unless given, port "0" (every port) unless given, EndPort copied from 1.16 (before,
  // parsePorts had no EndPort: the range is its first port).
  test('ports: missing and [] are every port of every protocol; protocol alone is every port of it', () => {
    const web = { from: [{ podSelector: { matchLabels: { app: 'web' } } }] };
    const rows = (ports: unknown): PolicySet => set([np('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ...web, ...(ports !== undefined ? { ports } : {}) }] }, 'shop')], SCTP_ON);
    for (const ports of [undefined, []]) {
      table(rows(ports), [
        [true, 'pod:shop:app=web', API, '1/TCP'], [true, 'pod:shop:app=web', API, '53/UDP'], [true, 'pod:shop:app=web', API, '9/SCTP'],
        [false, 'pod:shop:app=db', API, '1/TCP'],
      ]);
    }
    table(rows([{ protocol: 'UDP' }]), [[true, 'pod:shop:app=web', API, '53/UDP'], [true, 'pod:shop:app=web', API, '65535/UDP'], [false, 'pod:shop:app=web', API, '53/TCP']]);
    table(rows([{ port: 53 }]), [[true, 'pod:shop:app=web', API, '53/TCP'], [false, 'pod:shop:app=web', API, '53/UDP'], [false, 'pod:shop:app=web', API, '54/TCP']]);
  });

  // parsePorts (pkg/k8s/network_policy.go): 1.14 has no EndPort (the first port only); 1.15 returns ErrEndPortUnsupported
  // for any endPort (cilium/cilium#28704), so ParseNetworkPolicy fails and the agent imports nothing of the policy; 1.16
  // translates the range.
  test('endPort is a range from Cilium 1.16; 1.15 refuses the whole NetworkPolicy; 1.14 allows its first port only', () => {
    const docs = [np('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 5000, endPort: 5010 }] }] }, 'shop')];
    table(set(docs, { ciliumVersion: CiliumVersion.V1_16 }), [
      [true, 'pod:shop:app=web', API, '5000/TCP'], [true, 'pod:shop:app=web', API, '5010/TCP'], [false, 'pod:shop:app=web', API, '5011/TCP'],
    ]);
    table(set(docs, { ciliumVersion: CiliumVersion.V1_14 }), [
      [true, 'pod:shop:app=web', API, '5000/TCP'], [false, 'pod:shop:app=web', API, '5001/TCP'], [false, 'pod:shop:app=web', API, '5010/TCP'],
    ]);
    // 1.15: not imported, so api is not isolated by it: every port is allowed, and the skip says why.
    const s15 = set(docs, { ciliumVersion: CiliumVersion.V1_15 });
    table(s15, [[true, 'pod:shop:app=web', API, '5000/TCP'], [true, 'pod:shop:app=web', API, '5005/TCP'], [true, 'pod:shop:app=web', API, '22/TCP']]);
    expect(s15.skippedRules.map((r) => r.reason)).toEqual(['the whole policy is not imported: the agent rejects it: the agent of Cilium 1.15 supports no NetworkPolicy endPort (5010 at spec.ingress[0].ports[0].endPort; '
      + 'parsePorts returns ErrEndPortUnsupported, cilium/cilium#28704) [pitfall-np-agent-refuses]']);
    // An endPort equal to its port is refused too (the check is `port.EndPort != nil`).
    const same = [np('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 5000, endPort: 5000 }] }] }, 'shop')];
    expect(set(same, { ciliumVersion: CiliumVersion.V1_15 }).skippedRules).toHaveLength(1);
    expect(set(same, { ciliumVersion: CiliumVersion.V1_14 }).skippedRules).toEqual([]);
    // The 1.14 explanation says why (a NetworkPolicy is no CRD: the API server keeps endPort, the agent drops it).
    const note = 'endPort 5010 at spec.ingress[0]: Cilium 1.14 translates no NetworkPolicy endPort (1.16+; 1.15 refuses it), so the rule allows port 5000 only';
    expect(verdict(set(docs, { ciliumVersion: CiliumVersion.V1_14 }), 'pod:shop:app=web', API, '5005/TCP').ingress.notes)
      .toEqual([`NetworkPolicy shop/api spec.ingress[0] allows pod:shop:app=web only on 5000/TCP (${note})`]);
    expect(verdict(set(docs, { ciliumVersion: CiliumVersion.V1_14 }), 'pod:shop:app=web', API, '5000/TCP').ingress.notes).toEqual([note]);
    expect(verdict(set(docs, { ciliumVersion: CiliumVersion.V1_16 }), 'pod:shop:app=web', API, '5011/TCP').ingress.notes)
      .toEqual(['NetworkPolicy shop/api spec.ingress[0] allows pod:shop:app=web only on 5000-5010/TCP']);
  });

  test('1.15 refuses a NetworkPolicy for each endPort of a rule once, whatever its peers, at any rule index (mutation tests)', () => {
    const from = [{ podSelector: { matchLabels: { app: 'web' } } }, { podSelector: { matchLabels: { app: 'db' } } }];
    const twoPeers = [np('api', { podSelector: {}, ingress: [{ from, ports: [{ port: 5000, endPort: 5010 }] }] }, 'shop')];
    expect(set(twoPeers, { ciliumVersion: CiliumVersion.V1_15 }).skippedRules.map((r) => r.reason)).toEqual(['the whole policy is not imported: the agent '
      + 'rejects it: the agent of Cilium 1.15 supports no NetworkPolicy endPort (5010 at spec.ingress[0].ports[0].endPort; parsePorts returns '
      + 'ErrEndPortUnsupported, cilium/cilium#28704) [pitfall-np-agent-refuses]']);
    const rules = Array.from({ length: 11 }, (_, i) => ({ from, ports: [i === 10 ? { port: 5000, endPort: 5010 } : { port: 80 + i }] }));
    const eleventh = set([np('api', { podSelector: {}, ingress: rules }, 'shop')], { ciliumVersion: CiliumVersion.V1_15 });
    expect(eleventh.skippedRules.map((r) => r.reason)).toEqual([expect.stringContaining('(5010 at spec.ingress[10].ports[0].endPort;')]);
  });

  test('policyTypes: implicit Ingress, explicit Egress, and both', () => {
    const implicit = set([np('deny', { podSelector: {} }, 'shop')]);
    table(implicit, [[false, 'pod:shop:app=web', API, '80/TCP'], [true, API, 'cidr:203.0.113.9', '443/TCP']]);
    const egressOnly = set([np('deny', { podSelector: {}, policyTypes: ['Egress'] }, 'shop')]);
    table(egressOnly, [[true, 'pod:other:app=web', API, '80/TCP'], [false, API, 'cidr:203.0.113.9', '443/TCP']]);
    const both = set([np('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'shop')]);
    table(both, [[false, 'pod:other:app=web', API, '80/TCP'], [false, API, 'cidr:203.0.113.9', '443/TCP']]);
  });

  test('empty rule lists deny; `ingress: [{}]` and `from: []` allow every peer', () => {
    table(set([np('a', { podSelector: {}, ingress: [] }, 'shop')]), [[false, 'pod:shop:app=web', API, '80/TCP']]);
    table(set([np('a', { podSelector: {}, ingress: [{}] }, 'shop')]), [
      [true, 'pod:other:app=web', API, '80/TCP'], [true, 'cidr:203.0.113.9', API, '80/TCP'], [true, 'entity:remote-node', API, '80/TCP'],
    ]);
    table(set([np('a', { podSelector: {}, ingress: [{ from: [], ports: [{ port: 80 }] }] }, 'shop')]), [
      [true, 'pod:other:app=web', API, '80/TCP'], [false, 'pod:other:app=web', API, '81/TCP'],
    ]);
    table(set([np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }, 'shop')]), [[true, API, 'cidr:203.0.113.9', '443/TCP']]);
  });

  test('`egress: []` without policyTypes enforces no egress (the API server defaults policyTypes to [Ingress]); `policyTypes: []` is defaulted alike', () => {
    for (const spec of [{ podSelector: {}, egress: [] }, { podSelector: {}, policyTypes: [], egress: [] }]) {
      table(set([np('a', spec, 'shop')]), [[true, API, 'cidr:203.0.113.9', '443/TCP'], [false, 'pod:shop:app=web', API, '80/TCP']]);
    }
    // Egress rules with `policyTypes: []`: defaulted to [Ingress, Egress], both enforced.
    table(set([np('a', { podSelector: {}, policyTypes: [], egress: [{ ports: [{ port: 443 }] }] }, 'shop')]), [
      [true, API, 'cidr:203.0.113.9', '443/TCP'], [false, API, 'cidr:203.0.113.9', '80/TCP'], [false, 'pod:shop:app=web', API, '80/TCP'],
    ]);
  });

  test('egress to kube-dns under default deny: 53 over UDP and TCP to the kube-dns pods of kube-system, nothing else', () => {
    const s = set([np('dns', {
      podSelector: {}, policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      }],
    }, 'shop')], SCTP_ON);
    const DNS = 'pod:kube-system:k8s-app=kube-dns';
    table(s, [
      [true, API, DNS, '53/UDP'], [true, API, DNS, '53/TCP'], [false, API, DNS, '54/UDP'], [false, API, DNS, '53/SCTP'],
      [false, API, 'pod:kube-system:k8s-app=other', '53/UDP'], [false, API, 'pod:shop:k8s-app=kube-dns', '53/UDP'],
      [false, API, 'cidr:8.8.8.8', '53/UDP'], [false, API, 'entity:host', '53/UDP'],
    ]);
  });

  test('pods no NetworkPolicy selects keep default allow', () => {
    table(set([np('a', { podSelector: { matchLabels: { app: 'api' } } }, 'shop')]), [
      [false, 'pod:shop:app=web', API, '80/TCP'], [true, API, 'pod:shop:app=web', '80/TCP'],
    ]);
  });
});

describe('NetworkPolicy peers and the cluster filter (policy-default-local-cluster, on by default from 1.19)', () => {
  // parseNetworkPolicyPeer (pkg/k8s/network_policy.go): unless isPodSelectorSelectingCluster(podSelector) — a match
  // expression on io.cilium.k8s.policy.cluster, or a matchLabels entry on it with a NON-EMPTY value — the peer's
  // podSelector gets matchLabels[io.cilium.k8s.policy.cluster] = <local cluster>, which overwrites an empty value. A peer
  // with neither selector (from/to left out) is the wildcard selector and gets no filter.
  const LOCAL = 'pod:shop:app=q';
  const REMOTE = 'pod:shop:app=q,io.cilium.k8s.policy.cluster=c2';
  const peerSet = (podSelector: Record<string, unknown>, policyDefaultLocalCluster?: boolean): PolicySet => set([np('api', {
    podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector }] }],
  }, 'shop')], { clusterName: 'c1', ...(policyDefaultLocalCluster !== undefined ? { policyDefaultLocalCluster } : {}) });

  test.each<[string, Record<string, unknown>, boolean | undefined, boolean, boolean]>([
    ['no cluster key: the local cluster only', { matchLabels: { app: 'q' } }, undefined, true, false],
    ['no cluster key, filter off: every cluster', { matchLabels: { app: 'q' } }, false, true, true],
    ['an empty matchLabels value does not select a cluster: replaced by the local one', { matchLabels: { app: 'q', 'io.cilium.k8s.policy.cluster': '' } },
      undefined, true, false],
    ['an empty matchLabels value, filter off: kept, and no pod has an empty cluster', { matchLabels: { app: 'q', 'io.cilium.k8s.policy.cluster': '' } },
      false, false, false],
    ['a named cluster', { matchLabels: { app: 'q', 'io.cilium.k8s.policy.cluster': 'c2' } }, undefined, false, true],
    ['a match expression In [""] selects a cluster (no filter): no pod', {
      matchLabels: { app: 'q' }, matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'In', values: [''] }] }, undefined, false, false],
    ['Exists: every cluster', { matchLabels: { app: 'q' }, matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' }] },
      undefined, true, true],
  ])('%s', (_name, podSelector, filter, local, remote) => {
    const s = peerSet(podSelector, filter);
    table(s, [[local, LOCAL, API, '80/TCP'], [remote, REMOTE, API, '80/TCP'], [false, 'pod:shop:app=other', API, '80/TCP']]);
  });

  test('a namespaceSelector-only peer is filtered; a rule without peers is not', () => {
    const ns = set([np('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }, 'shop')], { clusterName: 'c1' });
    table(ns, [[true, LOCAL, API, '80/TCP'], [false, REMOTE, API, '80/TCP']]);
    const all = set([np('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 80 }] }] }, 'shop')], { clusterName: 'c1' });
    table(all, [[true, LOCAL, API, '80/TCP'], [true, REMOTE, API, '80/TCP'], [true, 'cidr:203.0.113.9', API, '80/TCP'], [false, REMOTE, API, '81/TCP']]);
  });
});

describe('NetworkPolicy namespaceSelector: which identities it selects (parseNetworkPolicyPeer)', () => {
  // parseNetworkPolicyPeer (pkg/k8s/network_policy.go) prefixes each namespaceSelector key with
  // io.cilium.k8s.namespace.labels. (k8s: source); only an EMPTY namespaceSelector gets the requirement
  // k8s:io.kubernetes.pod.namespace Exists (allowAllNamespacesRequirement), which keeps the reserved identities (world,
  // host, remote-node, health: no namespace label) out. A namespaceSelector that only excludes gets nothing of the kind,
  // so it also selects every identity without that namespace label, unless the cluster filter (on by default from 1.19)
  // adds k8s:io.cilium.k8s.policy.cluster=<local cluster>, which reserved identities do not carry either.
  const RESERVED = ['entity:world', 'cidr:203.0.113.9', 'entity:host', 'entity:remote-node', 'entity:health'];
  const egressTo = (peer: Record<string, unknown>, options: PolicySetOptions = {}): PolicySet =>
    set([np('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [peer] }] }, 'shop'),
      ns('front', { team: 'a' }), ns('back', {})], options);

  test('{} selects the pods of every namespace and no reserved identity, whatever the cluster filter', () => {
    for (const policyDefaultLocalCluster of [true, false]) {
      table(egressTo({ namespaceSelector: {} }, { policyDefaultLocalCluster }), [
        [true, API, 'pod:front:app=x', '80/TCP'], [true, API, 'pod:back:app=x', '80/TCP'],
        ...RESERVED.map((peer): Row => [false, API, peer, '80/TCP']),
      ]);
    }
  });

  test('kubernetes.io/metadata.name (set by the API server on every Namespace) selects one namespace by name', () => {
    table(egressTo({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'back' } } }), [
      [true, API, 'pod:back:app=x', '80/TCP'], [false, API, 'pod:front:app=x', '80/TCP'], [false, API, 'pod:shop:app=x', '80/TCP'],
      ...RESERVED.map((peer): Row => [false, API, peer, '80/TCP']),
    ]);
  });

  test('a namespaceSelector that only excludes selects the reserved identities too, unless the cluster filter is on', () => {
    const peer = { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } };
    table(egressTo(peer), [
      [true, API, 'pod:back:app=x', '80/TCP'], [false, API, 'pod:front:app=x', '80/TCP'],
      ...RESERVED.map((p): Row => [false, API, p, '80/TCP']),
    ]);
    table(egressTo(peer, { policyDefaultLocalCluster: false }), [
      [true, API, 'pod:back:app=x', '80/TCP'], [false, API, 'pod:front:app=x', '80/TCP'],
      ...RESERVED.map((p): Row => [true, API, p, '80/TCP']),
    ]);
  });
});

describe('NetworkPolicy with Cilium policies', () => {
  test('allows add up across kinds', () => {
    const s = set([
      np('web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }, 'shop'),
      cnp('db', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'db' } }] }] }, 'shop'),
    ]);
    table(s, [[true, 'pod:shop:app=web', API, '80/TCP'], [true, 'pod:shop:app=db', API, '80/TCP'], [false, 'pod:shop:app=x', API, '80/TCP']]);
  });

  // A NetworkPolicy's rules always put the pods it selects into default deny for the directions it has rules in
  // (ParseNetworkPolicy: DefaultDeny = true on every entry; before, Sanitize set EnableDefaultDeny for a direction with
  // rules), and one selecting rule in default deny makes the endpoint default deny for that direction
  // (computePolicyEnforcementAndRules). So beside a CNP with enableDefaultDeny {ingress: false}, no allow-all is
  // synthesized, and from 1.18 the CNP's L7 rules restrict again (createL4Filter adds its L7 wildcard only in default allow).
  test('a NetworkPolicy ends the default allow of a CNP with enableDefaultDeny: false (and its L7 rules then restrict)', () => {
    const l7 = cnp('l7', {
      endpointSelector: { matchLabels: { app: 'api' } }, enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/ok' }] } }] }],
    }, 'shop');
    const fromOther = np('other', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'other' } } }] }] }, 'shop');
    const egressOnly = np('out', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{}] }, 'shop');
    const fromWeb = np('web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }] }, 'shop');
    const http = (s: PolicySet, request: string): string => verdict(s, 'pod:shop:app=web', API, '80/TCP', { http: request }).verdict;
    const rows: [string, Record<string, unknown>[], string, string, boolean][] = [
      // name, policies, GET /ok, GET /bad, pod:shop:app=x on 81/TCP allowed
      ['the CNP alone: default allow, L7 for visibility only', [l7], 'allowed', 'allowed', true],
      ['an egress-only NetworkPolicy: ingress stays default allow', [l7, egressOnly], 'allowed', 'allowed', true],
      ['an ingress NetworkPolicy for other peers: default deny, the HTTP rules restrict', [l7, fromOther], 'allowed', 'l7-denied', false],
      ['an ingress NetworkPolicy allowing web on 80 without L7: every request', [l7, fromWeb], 'allowed', 'allowed', false],
    ];
    for (const [name, docs, ok, bad, other] of rows) {
      const s = set(docs);
      expect([name, http(s, 'GET /ok'), http(s, 'GET /bad'), verdict(s, 'pod:shop:app=x', API, '81/TCP').allowed]).toEqual([name, ok, bad, other]);
    }
  });

  test('Cilium deny rules win over NetworkPolicy allows', () => {
    const s = set([
      np('all', { podSelector: {}, ingress: [{}] }, 'shop'),
      cnp('deny', { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] }, 'shop'),
    ]);
    table(s, [[false, 'pod:shop:app=web', API, '80/TCP'], [true, 'pod:shop:app=db', API, '80/TCP']]);
  });

  test('explanations name the NetworkPolicy and its rule', () => {
    const s = set([np('api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }, { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { podSelector: { matchLabels: { app: 'web' } } }] }],
    }, 'shop')]);
    const v = verdict(s, 'pod:shop:app=web', API, '80/TCP');
    expect(v.ingress.rule).toMatchObject({ kind: 'NetworkPolicy', name: 'api', namespace: 'shop', section: 'ingress', item: 1, path: 'spec.ingress[1].from[1]' });
    expect(v.ingress.reason).toContain('NetworkPolicy shop/api spec.ingress[1].from[1]');
    const denied = verdict(s, 'pod:other:app=db', API, '80/TCP');
    expect(denied.ingress.decision).toBe('default-deny');
    expect(denied.ingress.policies).toEqual([{ kind: 'NetworkPolicy', name: 'api', namespace: 'shop', file: 'np.yaml' }]);
    expect(s.policies.map((p) => p.kind)).toEqual(['NetworkPolicy']);
  });

  test('NetworkPolicies in a List, and of another API group (ignored)', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [np('deny', { podSelector: {} }, 'shop')] };
    expect(verdict(set([list]), 'pod:shop:app=web', API, '80/TCP').allowed).toBe(false);
    // A List inside a List: kubectl flattens it (FlattenListVisitor) and applies its policies, so they are enforced.
    const nested = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'List', items: [np('deny', { podSelector: {} }, 'shop')] }] };
    expect(verdict(set([nested]), 'pod:shop:app=web', API, '80/TCP').allowed).toBe(false);
    const cnpIn = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'CiliumNetworkPolicyList', items: [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'shop' }, spec: { endpointSelector: {}, ingress: [{}] } }] }] };
    expect(verdict(set([cnpIn]), 'pod:shop:app=web', API, '80/TCP').allowed).toBe(false);
    // A NetworkPolicyList (as the API returns it) whose items carry neither kind nor apiVersion: kubectl decodes them as
    // NetworkPolicies of the List's apiVersion and applies them.
    const { kind: _k, apiVersion: _a, ...bare } = np('deny', { podSelector: {} }, 'shop');
    const typed = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList', items: [bare] };
    expect(verdict(set([typed]), 'pod:shop:app=web', API, '80/TCP').allowed).toBe(false);
    const other = { ...np('deny', { podSelector: {} }, 'shop'), apiVersion: 'crd.projectcalico.org/v1' };
    expect(verdict(set([other]), 'pod:shop:app=web', API, '80/TCP').allowed).toBe(true);
    // Session 46 (network-policy.ts `isNetworkPolicy`, `=== 'extensions/v1beta1'` → `!==`): another group's NetworkPolicy is
    // no policy at all; the old extensions/v1beta1 one is read as a NetworkPolicy the API server rejects, skipped with a warning.
    expect([set([other]).policies.length, set([other]).diagnostics.map((d) => d.id)]).toEqual([0, []]);
    const old = set([{ ...np('deny', { podSelector: {} }, 'shop'), apiVersion: 'extensions/v1beta1' }]);
    expect(verdict(old, 'pod:shop:app=web', API, '80/TCP').allowed).toBe(true);
    expect([old.policies.map((p) => p.kind), old.diagnostics.map((d) => d.id)]).toEqual([['NetworkPolicy'], ['engine-policy-skipped']]);
  });
});

describe('translateNetworkPolicy', () => {
  test('builds the Cilium rule ParseNetworkPolicy builds', () => {
    const t = translateNetworkPolicy(np('x', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80 }] }],
    }));
    expect(t?.rule).toEqual({
      endpointSelector: { matchLabels: { 'k8s:app': 'api', 'k8s:io.kubernetes.pod.namespace': 'default' } },
      ingress: [
        { endpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
        { cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      ],
    });
    expect(t?.sources.ingress.map((x) => x.path)).toEqual(['spec.ingress[0].from[0]', 'spec.ingress[0].from[1]']);
    expect(translateNetworkPolicy({ kind: 'Deployment' })).toBeUndefined();
  });

  // GetPolicyLabelsv1 (pkg/k8s/network_policy.go): the rule's label io.cilium.k8s.policy.name, which Hubble reports, is
  // annotation.Get(np, "policy.cilium.io/name", "io.cilium.name") (the first key present), else metadata.name when empty.
  // A CiliumNetworkPolicy is always labelled with its metadata.name (cnp_types.go Parse).
  test.each<[string, Record<string, string> | undefined, string]>([
    ['no annotation', undefined, 'api'],
    ['policy.cilium.io/name', { 'policy.cilium.io/name': 'legacy' }, 'legacy'],
    ['the alias io.cilium.name', { 'io.cilium.name': 'older' }, 'older'],
    ['both: policy.cilium.io/name first', { 'io.cilium.name': 'older', 'policy.cilium.io/name': 'legacy' }, 'legacy'],
    ['an empty policy.cilium.io/name hides the alias: metadata.name', { 'policy.cilium.io/name': '', 'io.cilium.name': 'older' }, 'api'],
    ['other annotations only', { 'cilium.io/name': 'x', 'policy.cilium.io/other': 'y' }, 'api'],
  ])('the name Cilium gives the rule: %s', (_name, annotations, expected) => {
    const obj = np('api', { podSelector: {} }, 'shop');
    const annotated = annotations ? { ...obj, metadata: { name: 'api', namespace: 'shop', annotations } } : obj;
    expect(translateNetworkPolicy(annotated)?.ciliumName).toBe(expected);
    // The engine keeps naming the object by metadata.name, and carries Cilium's name when it differs.
    const v = verdict(set([annotated]), 'pod:shop:app=web', API, '80/TCP');
    expect(v.ingress.policies).toEqual([{ kind: 'NetworkPolicy', name: 'api', namespace: 'shop', file: 'np.yaml', ...(expected !== 'api' ? { ciliumName: expected } : {}) }]);
    expect(formatVerdict(v)).toContain(`policies selecting ${API}: NetworkPolicy shop/api${expected !== 'api' ? ` (Cilium: ${expected})` : ''}`);
  });
});

describe('policyTypes that leave out a direction with rules (cilium/cilium#48703: ParseNetworkPolicy translates every rule)', () => {
  const spec = (policyTypes: string[]): Record<string, unknown> => ({
    podSelector: { matchLabels: { app: 'api' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    policyTypes,
  });

  test('[Egress] beside ingress rules: Cilium enforces them (Kubernetes would not), so the pods are ingress default deny', () => {
    const s = set([np('x', spec(['Egress']), 'shop')]);
    table(s, [
      [true, 'pod:shop:app=web', API, '80/TCP'],
      [false, 'pod:shop:app=other', API, '80/TCP'],
    ]);
    // Egress listed without egress rules: egress default deny.
    expect(verdict(s, API, 'pod:shop:app=web', '80/TCP').allowed).toBe(false);
    expect(translateNetworkPolicy(np('x', spec(['Egress'])))?.enforcedOutsidePolicyTypes).toEqual(['ingress']);
  });

  test('the direction listed, or policyTypes not written: nothing is enforced outside it', () => {
    expect(translateNetworkPolicy(np('x', spec(['Ingress'])))?.enforcedOutsidePolicyTypes).toEqual([]);
    const { policyTypes: _omitted, ...implicit } = spec([]);
    expect(translateNetworkPolicy(np('x', implicit))?.enforcedOutsidePolicyTypes).toEqual([]);
    expect(translateNetworkPolicy(np('x', { ...implicit, egress: [{}], policyTypes: ['Ingress'] }))?.enforcedOutsidePolicyTypes).toEqual(['egress']);
  });
});
