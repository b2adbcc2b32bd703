// Truth tables of ICMP rules, entities, CIDR rules, ports and protocols, and the namespace of endpoint selectors, each
// row allowed or denied AND the side's decision and deciding rule item, so that a row fails when the engine reaches the
// same verdict for another reason. Each row is what Cilium's code decides:
// - ICMP: pkg/policy/api/icmp.go `ICMPField.PortProtocol` (the type in the port of an ICMP/ICMPv6 filter, names per family
//   from 1.16), pkg/policy/api/rule_validation.go (icmps beside toPorts in one item is refused), pkg/policy/rule.go
//   (`ProtoAny` expands to TCP, UDP and SCTP only);
// - entities: pkg/policy/api/entity.go `EntitySelectorMapping` / `InitEntities` (cluster = host, remote-node, init, ingress,
//   health, unmanaged, kube-apiserver and the local cluster's pods; all = the wildcard selector), pkg/policy/resolve.go
//   `determineAllowLocalhostIngress` (the host's allow is inserted deny-preferred: a deny of `all` covers it), and
//   pkg/policy/repository.go (reserved:init is always default deny);
// - CIDRs: pkg/policy/api/cidr.go `CIDRRule.sanitize` (an except must hold its cidr's address: `prefix.Contains(except.Addr())`,
//   so `10.1.0.0/8` is accepted in `10.1.0.0/16` and, masked, excludes all of it), `CIDRRuleSlice.GetAsEndpointSelectors`
//   (an except is a `!cidr:` requirement of its own rule only), deny precedence in pkg/policy/mapstate.go (a deny of a
//   shorter prefix wins over an allow of a longer one: a CIDR identity carries every containing prefix's label);
// - ports: pkg/policy/api/l4.go (`strconv.ParseUint(port, 0, 16)`: a leading 0 is octal; `iana.IsSvcName`: `0x50` is a port
//   name), pkg/policy/types `PortRangeToMaskedPorts` (port 0 with an endPort is 0-endPort);
// - namespaces: pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector` (a CNP peer without a namespace key gets the
//   policy namespace unless it has a namespace-labels key; a peer with the key, of `k8s:` or any source, keeps it as
//   written, so `NotIn` holds for identities without the key, the world included, until 1.19's cluster filter
//   `addClusterFilterByDefault` requires the local cluster) and `ParseToCiliumRule` (a CNP subject's namespace match is
//   overwritten with the policy's namespace).
import { describe, expect, test } from 'vitest';
import { CiliumVersion, IpFamilies, PolicySetOptions } from '../../src';
import { SideDecision } from '../../src/engine';
import { ccnp, cnp, judged, labels, policySet } from './helpers';

const WEB = labels({ app: 'web' });
const FROM_WEB = 'pod:default:app=web';

type Side = 'egress' | 'ingress';
/** SCTP judged by the policies: the agent runs with enable-sctp (without it the datapath drops SCTP before any policy). */
const SCTP_ON: PolicySetOptions = { sctp: true };

/** One row: its name, policies, connection, options, and the decision and deciding item path on `side`. */
type Row = [string, Record<string, unknown>[], string, string, string, PolicySetOptions, Side, SideDecision, string | undefined];

const A = SideDecision.ALLOWED;
const DENY_RULE = SideDecision.DENIED_BY_DENY_RULE;
const DEFAULT_DENY = SideDecision.DEFAULT_DENY;
const DUAL: PolicySetOptions = { ipFamilies: IpFamilies.DUAL };
const ALLOWING = new Set<SideDecision>([A, SideDecision.ALLOW_LOCALHOST, SideDecision.NO_POLICY_DEFAULT_ALLOW, SideDecision.NON_DEFAULT_DENY_ALLOW]);

function egress(...items: Record<string, unknown>[]): Record<string, unknown>[] {
  return [cnp('p', { endpointSelector: WEB, egress: items })];
}

function egressWithDeny(allow: Record<string, unknown>, deny: Record<string, unknown>): Record<string, unknown>[] {
  return [cnp('p', { endpointSelector: WEB, egress: [allow], egressDeny: [deny] })];
}

function check(rows: Row[]): void {
  test.each(rows)('%s', (_name, docs, from, to, port, options, side, decision, path) => {
    const v = judged(policySet(docs, options), from, to, port);
    expect(v[side].decision).toBe(decision);
    expect(v.allowed).toBe(ALLOWING.has(decision));
    expect(v[side].rule?.path).toBe(path);
  });
}

const WORLD = { toEntities: ['world'] };

describe('ICMP rules', () => {
  check([
    ['icmps IPv6 EchoRequest is ICMPv6 type 128', egress({ ...WORLD, icmps: [{ fields: [{ family: 'IPv6', type: 'EchoRequest' }] }] }),
      FROM_WEB, 'cidr:2001:db8::1', 'icmpv6/128', DUAL, 'egress', A, 'spec.egress[0]'],
    ['… and not type 129 (EchoReply)', egress({ ...WORLD, icmps: [{ fields: [{ family: 'IPv6', type: 'EchoRequest' }] }] }),
      FROM_WEB, 'cidr:2001:db8::1', 'icmpv6/129', DUAL, 'egress', DEFAULT_DENY, undefined],
    ['an IPv4 field of type 128 is not ICMPv6 128', egress({ ...WORLD, icmps: [{ fields: [{ type: 128 }] }] }),
      FROM_WEB, 'cidr:2001:db8::1', 'icmpv6/128', DUAL, 'egress', DEFAULT_DENY, undefined],
    ['IPv4 name Echo is type 8', [cnp('p', { endpointSelector: WEB, ingress: [{ fromEntities: ['world'], icmps: [{ fields: [{ type: 'Echo' }] }] }] })],
      'cidr:8.8.8.8', FROM_WEB, 'icmp/8', {}, 'ingress', A, 'spec.ingress[0]'],
    ['port 0 protocol ANY is no ICMP', egress({ ...WORLD, toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }),
      FROM_WEB, 'cidr:8.8.8.8', 'icmp/8', {}, 'egress', DEFAULT_DENY, undefined],
    ['port 0 protocol ANY is SCTP', egress({ ...WORLD, toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }),
      FROM_WEB, 'cidr:8.8.8.8', '9/SCTP', SCTP_ON, 'egress', A, 'spec.egress[0]'],
    ['an L3-only allow is every ICMP type', egress(WORLD), FROM_WEB, 'cidr:8.8.8.8', 'icmp/3', {}, 'egress', A, 'spec.egress[0]'],
    ['a deny of type 8 denies type 8', egressWithDeny(WORLD, { ...WORLD, icmps: [{ fields: [{ type: 8 }] }] }),
      FROM_WEB, 'cidr:8.8.8.8', 'icmp/8', {}, 'egress', DENY_RULE, 'spec.egressDeny[0]'],
    ['… and nothing else', egressWithDeny(WORLD, { ...WORLD, icmps: [{ fields: [{ type: 8 }] }] }),
      FROM_WEB, 'cidr:8.8.8.8', 'icmp/3', {}, 'egress', A, 'spec.egress[0]'],
    ['… no TCP port', egressWithDeny(WORLD, { ...WORLD, icmps: [{ fields: [{ type: 8 }] }] }),
      FROM_WEB, 'cidr:8.8.8.8', '443/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['a deny of EchoReply (type 0, the port wildcard) denies every ICMP type', egressWithDeny(WORLD, { ...WORLD, icmps: [{ fields: [{ type: 'EchoReply' }] }] }),
      FROM_WEB, 'cidr:8.8.8.8', 'icmp/8', {}, 'egress', DENY_RULE, 'spec.egressDeny[0]'],
  ]);
});

describe('ICMP rules: refusals', () => {
  // pkg/policy/api/rule_validation.go: "The ICMPs block may only be present without ToPorts".
  test('icmps beside toPorts in one item makes the agent refuse the rule: no policy, the pod default allow', () => {
    const docs = egress({ ...WORLD, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }], icmps: [{ fields: [{ type: 8 }] }] });
    for (const port of ['icmp/8', '443/TCP', 'icmp/3']) {
      const v = judged(policySet(docs), FROM_WEB, 'cidr:8.8.8.8', port);
      expect(v.egress.decision).toBe(SideDecision.NO_POLICY_DEFAULT_ALLOW);
      expect(v.egress.notes.join('\n')).toMatch(/is not imported by the agent/);
    }
  });
});

describe('entities', () => {
  const allWithDeny = (entity: string): Record<string, unknown>[] =>
    [cnp('p', { endpointSelector: WEB, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEntities: [entity] }] })];
  const only = (entity: string): Record<string, unknown>[] => [cnp('p', { endpointSelector: WEB, ingress: [{ fromEntities: [entity] }] })];
  check([
    // The host's allow-localhost entry is inserted deny-preferred: a deny of all (the wildcard identity) covers it.
    ['deny all: the local host', allWithDeny('all'), 'entity:host', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny all: the world', allWithDeny('all'), 'cidr:8.8.8.8', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny all: kube-apiserver', allWithDeny('all'), 'entity:kube-apiserver', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny cluster: a pod of another namespace', allWithDeny('cluster'), 'pod:other:app=x', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny cluster: ingress (Envoy)', allWithDeny('cluster'), 'entity:ingress', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny cluster: unmanaged', allWithDeny('cluster'), 'entity:unmanaged', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny cluster: health', allWithDeny('cluster'), 'entity:health', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny cluster: kube-apiserver', allWithDeny('cluster'), 'entity:kube-apiserver', FROM_WEB, '80/TCP', {}, 'ingress', DENY_RULE, 'spec.ingressDeny[0]'],
    ['deny cluster: not the world', allWithDeny('cluster'), 'entity:world', FROM_WEB, '80/TCP', {}, 'ingress', A, 'spec.ingress[0]'],
    ['deny world: not the local host', allWithDeny('world'), 'entity:host', FROM_WEB, '80/TCP', {}, 'ingress', A, 'spec.ingress[0]'],
    ['allow ingress: the Envoy identity', only('ingress'), 'entity:ingress', FROM_WEB, '80/TCP', {}, 'ingress', A, 'spec.ingress[0]'],
    ['allow ingress: not a remote node', only('ingress'), 'entity:remote-node', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    ['allow cluster: not the world', only('cluster'), 'entity:world', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    ['allow none: the local host only by allow-localhost', only('none'), 'entity:host', FROM_WEB, '80/TCP', {}, 'ingress', SideDecision.ALLOW_LOCALHOST, undefined],
    ['allow none: nothing else', only('none'), 'entity:remote-node', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    // reserved:init is always default deny: its egress is allowed only by a rule selecting it (a CCNP on reserved:init).
    ['init: its own egress is default deny', only('cluster'), 'entity:init', FROM_WEB, '80/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['init: a CCNP on reserved:init lets it out', [...only('cluster'), ccnp('init', { endpointSelector: { matchLabels: { 'reserved:init': '' } }, egress: [{ toEntities: ['cluster'] }] })],
      'entity:init', FROM_WEB, '80/TCP', {}, 'egress', A, 'spec.egress[0]'],
  ]);
});

describe('CIDR rules', () => {
  check([
    ['an except is a hole of its own rule only: another item allows inside it',
      egress({ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }, { toCIDR: ['10.1.2.0/24'] }),
      FROM_WEB, 'cidr:10.1.2.3', '443/TCP', {}, 'egress', A, 'spec.egress[1]'],
    ['… and outside the other item the hole stays', egress({ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }, { toCIDR: ['10.1.2.0/24'] }),
      FROM_WEB, 'cidr:10.1.3.3', '443/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['a deny of a shorter prefix wins over an allow of a longer one', egressWithDeny({ toCIDR: ['10.1.2.0/24'] }, { toCIDR: ['10.0.0.0/8'] }),
      FROM_WEB, 'cidr:10.1.2.3', '443/TCP', {}, 'egress', DENY_RULE, 'spec.egressDeny[0]'],
    ['a deny of a longer prefix leaves the rest of the allow', egressWithDeny({ toCIDR: ['10.0.0.0/8'] }, { toCIDR: ['10.1.2.0/24'] }),
      FROM_WEB, 'cidr:10.1.3.3', '443/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['… and denies inside it', egressWithDeny({ toCIDR: ['10.0.0.0/8'] }, { toCIDR: ['10.1.2.0/24'] }),
      FROM_WEB, 'cidr:10.1.2.9', '443/TCP', {}, 'egress', DENY_RULE, 'spec.egressDeny[0]'],
    ['a deny\'s except is not denied', egressWithDeny({ toCIDR: ['10.0.0.0/8'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }),
      FROM_WEB, 'cidr:10.1.3.3', '443/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['… the rest of the deny is', egressWithDeny({ toCIDR: ['10.0.0.0/8'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }),
      FROM_WEB, 'cidr:10.2.3.3', '443/TCP', {}, 'egress', DENY_RULE, 'spec.egressDeny[0]'],
    ['an except equal to its cidr leaves nothing', egress({ toCIDRSet: [{ cidr: '10.1.0.0/16', except: ['10.1.0.0/16'] }] }),
      FROM_WEB, 'cidr:10.1.2.3', '443/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    // sanitize checks the except's address only: 10.1.0.0/8 is accepted in 10.1.0.0/16, and as 10.0.0.0/8 holds all of it.
    ['an except written 10.1.0.0/8 inside 10.1.0.0/16 is accepted and leaves nothing', egress({ toCIDRSet: [{ cidr: '10.1.0.0/16', except: ['10.1.0.0/8'] }] }),
      FROM_WEB, 'cidr:10.1.2.3', '443/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['an IPv4-mapped IPv6 CIDR selects no IPv4 address', egress({ toCIDR: ['::ffff:10.0.0.0/104'] }),
      FROM_WEB, 'cidr:10.0.0.1', '443/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['a CIDR with host bits is its network', egress({ toCIDR: ['10.0.0.1/8'] }), FROM_WEB, 'cidr:10.9.0.1', '443/TCP', {}, 'egress', A, 'spec.egress[0]'],
  ]);

  test('an except outside its cidr, or an IP without a prefix, makes the agent refuse the rule: no policy, the pod default allow', () => {
    for (const item of [{ toCIDRSet: [{ cidr: '10.1.0.0/16', except: ['10.0.0.0/8'] }] }, { toCIDR: ['10.0.0.1'] }]) {
      const v = judged(policySet(egress(item)), FROM_WEB, 'cidr:10.1.2.3', '443/TCP');
      expect(v.egress.decision).toBe(SideDecision.NO_POLICY_DEFAULT_ALLOW);
      expect(v.egress.notes.join('\n')).toMatch(/is not imported by the agent/);
    }
  });

  test('cidrGroupRef with except: the except holes the group\'s CIDRs (1.17+); 1.16 refuses the rule', () => {
    const group = { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'g' }, spec: { externalCIDRs: ['10.0.0.0/8'] } };
    const docs = [group, ...egress({ toCIDRSet: [{ cidrGroupRef: 'g', except: ['10.1.0.0/16'] }] })];
    expect(judged(policySet(docs), FROM_WEB, 'cidr:10.2.2.3', '443/TCP').egress.rule?.path).toBe('spec.egress[0]');
    expect(judged(policySet(docs), FROM_WEB, 'cidr:10.1.2.3', '443/TCP').egress.decision).toBe(DEFAULT_DENY);
    expect(judged(policySet(docs, { ciliumVersion: CiliumVersion.V1_16 }), FROM_WEB, 'cidr:10.1.2.3', '443/TCP').egress.decision)
      .toBe(SideDecision.NO_POLICY_DEFAULT_ALLOW);
  });
});

describe('ports and protocols', () => {
  const to = (ports: Record<string, unknown>[]): Record<string, unknown>[] => egress({ ...WORLD, toPorts: [{ ports }] });
  check([
    ['a leading 0 is octal: 0100 is port 64', to([{ port: '0100', protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '64/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['… not port 100', to([{ port: '0100', protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '100/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['0x50 is a port name, not port 80', to([{ port: '0x50', protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '80/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['port 0 with endPort 80 is 0-80', to([{ port: '0', endPort: 80, protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '70/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['… not 85', to([{ port: '0', endPort: 80, protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '85/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['an endPort below its port is the port alone', to([{ port: '90', endPort: 80, protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '90/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['… nothing below it', to([{ port: '90', endPort: 80, protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '85/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['1.15 prunes endPort: 80 alone', to([{ port: '80', endPort: 90, protocol: 'TCP' }]), FROM_WEB, 'cidr:8.8.8.8', '85/TCP', { ciliumVersion: CiliumVersion.V1_15 },
      'egress', DEFAULT_DENY, undefined],
    ['an exact deny inside an allowed range', egressWithDeny({ ...WORLD, toPorts: [{ ports: [{ port: '80', endPort: 90, protocol: 'TCP' }] }] },
      { ...WORLD, toPorts: [{ ports: [{ port: '85', protocol: 'TCP' }] }] }), FROM_WEB, 'cidr:8.8.8.8', '85/TCP', {}, 'egress', DENY_RULE, 'spec.egressDeny[0]'],
    ['… the rest of the range', egressWithDeny({ ...WORLD, toPorts: [{ ports: [{ port: '80', endPort: 90, protocol: 'TCP' }] }] },
      { ...WORLD, toPorts: [{ ports: [{ port: '85', protocol: 'TCP' }] }] }), FROM_WEB, 'cidr:8.8.8.8', '86/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['a protocol-less port is SCTP too', to([{ port: '53' }]), FROM_WEB, 'cidr:8.8.8.8', '53/SCTP', SCTP_ON, 'egress', A, 'spec.egress[0]'],
    ['a UDP deny leaves TCP', egressWithDeny(WORLD, { ...WORLD, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }),
      FROM_WEB, 'cidr:8.8.8.8', '53/TCP', {}, 'egress', A, 'spec.egress[0]'],
  ]);
});

describe('the namespace of endpoint selectors (CNP and CCNP)', () => {
  const NOT_IN = { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] };
  const from = (peer: Record<string, unknown>, kind: 'cnp' | 'ccnp' = 'cnp'): Record<string, unknown>[] =>
    [kind === 'cnp' ? cnp('p', { endpointSelector: WEB, ingress: [{ fromEndpoints: [peer] }] }) : ccnp('p', { endpointSelector: WEB, ingress: [{ fromEndpoints: [peer] }] })];
  const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'a' } } };
  const V18: PolicySetOptions = { ciliumVersion: CiliumVersion.V1_18 };
  // A pod of namespace other, of service account `default` (Kubernetes' default).
  const X = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'other' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  };
  check([
    // A namespace key, NotIn: no namespace is added, so identities without the key (the world) match before 1.19.
    ['NotIn kube-system, 1.18: the world', from(NOT_IN), 'cidr:8.8.8.8', FROM_WEB, '80/TCP', V18, 'ingress', A, 'spec.ingress[0]'],
    ['NotIn kube-system, 1.18: a remote node', from(NOT_IN), 'entity:remote-node', FROM_WEB, '80/TCP', V18, 'ingress', A, 'spec.ingress[0]'],
    ['NotIn kube-system, 1.19: not the world (the local cluster is required)', from(NOT_IN), 'cidr:8.8.8.8', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    ['NotIn kube-system, 1.19: a pod of another namespace', from(NOT_IN), 'pod:other:app=x', FROM_WEB, '80/TCP', {}, 'ingress', A, 'spec.ingress[0]'],
    ['NotIn kube-system, CCNP 1.18: the world too', from(NOT_IN, 'ccnp'), 'cidr:8.8.8.8', FROM_WEB, '80/TCP', V18, 'ingress', A, 'spec.ingress[0]'],
    // Any source (`io.kubernetes.pod.namespace`) is the namespace key too.
    ['io.kubernetes.pod.namespace: other, CNP: that namespace', from(labels({ 'io.kubernetes.pod.namespace': 'other' })),
      'pod:other:app=x', FROM_WEB, '80/TCP', {}, 'ingress', A, 'spec.ingress[0]'],
    ['… not the policy\'s own', from(labels({ 'io.kubernetes.pod.namespace': 'other' })), 'pod:default:app=x', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    // A namespace-labels key: the CNP's namespace is not added.
    ['namespace labels in a CNP: another namespace with them', [NS, ...from(labels({ 'k8s:io.cilium.k8s.namespace.labels.team': 'a' }))],
      'pod:other:app=x', FROM_WEB, '80/TCP', {}, 'ingress', A, 'spec.ingress[0]'],
    ['… not the policy\'s own namespace without them', [NS, ...from(labels({ 'k8s:io.cilium.k8s.namespace.labels.team': 'a' }))],
      'pod:default:app=x', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    ['a service account in a CNP: its own namespace only', [X, ...from(labels({ 'io.cilium.k8s.policy.serviceaccount': 'default' }))],
      'pod:other:app=x', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    ['a service account in a CCNP: every namespace', [X, ...from(labels({ 'io.cilium.k8s.policy.serviceaccount': 'default' }), 'ccnp')],
      'pod:other:app=x', FROM_WEB, '80/TCP', {}, 'ingress', A, 'spec.ingress[0]'],
    // A CNP subject's namespace match is overwritten with the policy's namespace (ParseToCiliumRule `AddMatch`).
    ['a CNP subject naming another namespace selects the policy\'s own pods', [cnp('p', {
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other', app: 'web' } }, ingress: [{ fromEntities: ['world'] }],
    })], 'pod:x:app=a', FROM_WEB, '80/TCP', {}, 'ingress', DEFAULT_DENY, undefined],
    ['… and not the pods of the namespace it names', [cnp('p', {
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other', app: 'web' } }, ingress: [{ fromEntities: ['world'] }],
    })], 'pod:x:app=a', 'pod:other:app=web', '80/TCP', {}, 'ingress', SideDecision.NO_POLICY_DEFAULT_ALLOW, undefined],
  ]);
});

// enableDefaultDeny (pkg/policy/repository.go `computePolicyEnforcementAndRules` 1.16-1.18, pkg/policy/utils
// `RulesToPolicyEntries` 1.19): a direction is default deny when a selecting rule with items in that direction does not
// set it false; a rule without items in a direction does nothing there, whatever it sets. 1.14-1.15 CRDs prune the field.
describe('enableDefaultDeny by version and beside other policies', () => {
  const open = cnp('open', { endpointSelector: WEB, enableDefaultDeny: { egress: false }, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
  const strict = cnp('strict', { endpointSelector: WEB, egress: [{ toEntities: ['cluster'] }] });
  const explicitWithout = cnp('explicit', { endpointSelector: WEB, enableDefaultDeny: { egress: true }, ingress: [{ fromEntities: ['world'] }] });
  check([
    ['only enableDefaultDeny.egress false: another port is allowed', [open], FROM_WEB, 'cidr:8.8.8.8', '80/TCP', {}, 'egress', SideDecision.NON_DEFAULT_DENY_ALLOW, undefined],
    ['… its own port by its rule', [open], FROM_WEB, 'cidr:8.8.8.8', '443/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['1.15 prunes the field: default deny', [open], FROM_WEB, 'cidr:8.8.8.8', '80/TCP', { ciliumVersion: CiliumVersion.V1_15 }, 'egress', DEFAULT_DENY, undefined],
    ['beside a default-deny policy on the same pods: default deny', [open, strict], FROM_WEB, 'cidr:8.8.8.8', '80/TCP', {}, 'egress', DEFAULT_DENY, undefined],
    ['… the open policy still allows its port', [open, strict], FROM_WEB, 'cidr:8.8.8.8', '443/TCP', {}, 'egress', A, 'spec.egress[0]'],
    ['egress: true without egress items: no egress default deny (1.19)', [explicitWithout], FROM_WEB, 'cidr:8.8.8.8', '80/TCP', {}, 'egress',
      SideDecision.NO_POLICY_DEFAULT_ALLOW, undefined],
    ['… nor on 1.16', [explicitWithout], FROM_WEB, 'cidr:8.8.8.8', '80/TCP', { ciliumVersion: CiliumVersion.V1_16 }, 'egress', SideDecision.NO_POLICY_DEFAULT_ALLOW, undefined],
  ]);
});
