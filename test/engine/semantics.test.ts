// One test per Cilium policy semantic the engine implements, each with an allowed and a denied connection.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { ccnp, cnp, labels, policySet, verdict } from './helpers';
import { Endpoint, Endpoints, IpFamilies, Verdict } from '../../src/engine';

const DNS_COMPANION = {
  toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};
const WORLD = 'cidr:203.0.113.7';
const V1_18 = { ciliumVersion: CiliumVersion.V1_18 };
const V1_15 = { ciliumVersion: CiliumVersion.V1_15 };

describe('selectors and namespaces', () => {
  test('CNP from/toEndpoints get the policy namespace: the same label in another namespace is denied', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] }, 'shop')]);
    expect(set).toAllow('pod:shop:app=web', 'pod:shop:app=api', 80);
    expect(set).toDeny('pod:other:app=web', 'pod:shop:app=api', 80);
  });

  test('a CCNP selector without namespace matches the label in every namespace', () => {
    const set = policySet([ccnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] })]);
    expect(set).toAllow('pod:other:app=web', 'pod:shop:app=api', 80);
    expect(set).toAllow('pod:shop:app=web', 'pod:third:app=api', 80);
    expect(set).toDeny('pod:other:app=cli', 'pod:shop:app=api', 80);
  });

  test('a CNP endpointSelector only selects pods of the policy namespace (a namespace key in it is overwritten)', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api', 'k8s:io.kubernetes.pod.namespace': 'other' }), ingress: [{}],
    }, 'shop')]);
    expect(set).toDeny('pod:shop:app=web', 'pod:shop:app=api', 80);
    expect(set).toAllow('pod:shop:app=web', 'pod:other:app=api', 80);
  });

  test('a CNP without namespace is in default', () => {
    const set = policySet([{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, ingress: [{}] } }]);
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80);
    expect(set).toAllow('pod:default:app=web', 'pod:shop:app=api', 80);
  });

  test('an explicit namespace key or a namespace-labels key in fromEndpoints is not overridden', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [
        { fromEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'ops', app: 'probe' })] },
        { fromEndpoints: [labels({ 'io.cilium.k8s.namespace.labels.team': 'blue' })] },
      ],
    }, 'shop')]);
    expect(set).toAllow('pod:ops:app=probe', 'pod:shop:app=api', 80);
    expect(set).toDeny('pod:shop:app=probe', 'pod:shop:app=api', 80);
    const blue = set.endpoint('pod:team1:app=x');
    expect(set).toAllow({ ...blue, namespaceLabels: { team: 'blue' } }, 'pod:shop:app=api', 80);
    expect(set).toDeny({ ...blue, namespaceLabels: { team: 'red' } }, 'pod:shop:app=api', 80);
  });

  test('CCNP fromEndpoints [{}] is every pod of every namespace, not the host or the world', () => {
    const set = policySet([ccnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [{}] }] })]);
    expect(set).toAllow('pod:kube-system:app=anything', 'pod:shop:app=api', 80);
    expect(set).toDeny(WORLD, 'pod:shop:app=api', 80);
    expect(set).toDeny('entity:remote-node', 'pod:shop:app=api', 80);
  });

  test('selector key sources: no prefix matches any source, k8s: only k8s labels, reserved: reserved labels; reserved.world is legacy', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ 'k8s:app': 'api' }),
      ingress: [{ fromEndpoints: [labels({ 'any:app': 'web' })] }, { fromEndpoints: [labels({ 'reserved.world': '' })] }],
    })]);
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    expect(set).toAllow(WORLD, 'pod:default:app=api', 80);
    expect(set).toDeny('pod:default:app=cli', 'pod:default:app=api', 80);
    expect(set).toDeny('entity:remote-node', 'pod:default:app=api', 80);
  });

  test('matchExpressions In/NotIn/Exists/DoesNotExist are AND-ed with matchLabels', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{
        fromEndpoints: [{
          matchLabels: { tier: 'front' },
          matchExpressions: [
            { key: 'env', operator: 'In', values: ['prod', 'stage'] },
            { key: 'team', operator: 'NotIn', values: ['red'] },
            { key: 'owner', operator: 'Exists' },
            { key: 'legacy', operator: 'DoesNotExist' },
          ],
        }],
      }],
    })]);
    expect(set).toAllow('pod:default:tier=front,env=prod,owner=a', 'pod:default:app=api', 80);
    expect(set).toAllow('pod:default:tier=front,env=stage,owner=a,team=blue', 'pod:default:app=api', 80);
    expect(set).toDeny('pod:default:tier=front,env=dev,owner=a', 'pod:default:app=api', 80);
    expect(set).toDeny('pod:default:tier=front,env=prod,owner=a,team=red', 'pod:default:app=api', 80);
    expect(set).toDeny('pod:default:tier=front,env=prod', 'pod:default:app=api', 80);
    expect(set).toDeny('pod:default:tier=front,env=prod,owner=a,legacy=yes', 'pod:default:app=api', 80);
    expect(set).toDeny('pod:default:env=prod,owner=a', 'pod:default:app=api', 80);
  });

  test('cluster filter: from 1.19 selectors without a cluster key select the local cluster only', () => {
    const docs = [cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] })];
    const remote = 'pod:default:app=web,io.cilium.k8s.policy.cluster=east';
    expect(policySet(docs)).toDeny(remote, 'pod:default:app=api', 80);
    expect(policySet(docs)).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    expect(policySet(docs, V1_18)).toAllow(remote, 'pod:default:app=api', 80);
    expect(policySet(docs, { policyDefaultLocalCluster: false })).toAllow(remote, 'pod:default:app=api', 80);
    const local = policySet(docs, { clusterName: 'east' });
    expect(local).toAllow(remote, 'pod:default:app=api', 80);
    expect(local).toDeny('pod:default:app=web,io.cilium.k8s.policy.cluster=west', 'pod:default:app=api', 80);
  });
});

describe('default deny and rule items', () => {
  test('no policy: default allow; a policy with an ingress section: default deny for ingress only', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] })]);
    expect(set).toAllow('pod:default:app=api', 'pod:default:app=db', 5432);
    expect(set).toDeny('pod:default:app=db', 'pod:default:app=api', 80);
    const v = verdict(set, 'pod:default:app=api', 'pod:default:app=db', 5432);
    expect(v.egress.decision).toBe('no-policy-default-allow');
    expect(v.ingress.decision).toBe('no-policy-default-allow');
  });

  test('the ingress: [{}] idiom selects the endpoint and allows nothing', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{}] })]);
    const v = verdict(set, 'pod:default:app=web', 'pod:default:app=api', 80);
    expect(v.verdict).toBe('denied');
    expect(v.ingress.decision).toBe('default-deny');
    expect(set).toAllow('pod:default:app=api', 'pod:default:app=web', 80);
  });

  test('fromEndpoints: [] selects nothing but still puts the endpoint into default deny; before 1.16 too in an item without ports (empty-peer-lists.test.ts)', () => {
    const docs = [cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [] }, { fromEndpoints: [labels({ app: 'web' })] }] })];
    expect(policySet(docs)).toDeny('pod:default:app=cli', 'pod:default:app=api', 80);
    expect(policySet(docs)).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    expect(policySet(docs, V1_15)).toDeny('pod:default:app=cli', 'pod:default:app=api', 80);
    expect(policySet(docs, V1_15)).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
  });

  test('ingress: [] does not count: the rule is not imported on 1.17+ and puts nothing into default deny', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [] })]);
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    expect(set.skippedRules.map((r) => r.reason)).toEqual([
      'the API server or the agent rejects it: rule has only empty sections (ingress: []); the agent refuses it at spec [sanitize-no-rules]',
    ]);
    const other = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [], egress: [{ toEndpoints: [labels({ app: 'db' })] }] })]);
    expect(other).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    expect(other).toDeny('pod:default:app=api', 'pod:default:app=web', 80);
  });

  test('items without peer fields allow any peer on their ports; items are OR-ed; peer AND port within an item', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }, { fromEndpoints: [labels({ app: 'admin' })], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
    })]);
    expect(set).toAllow(WORLD, 'pod:default:app=api', 80);
    expect(set).toAllow('pod:default:app=admin', 'pod:default:app=api', 22);
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 22);
    expect(set).toDeny('pod:default:app=admin', 'pod:default:app=api', 23);
  });

  test('enableDefaultDeny false: everything not denied is allowed; deny rules still apply', () => {
    const set = policySet([ccnp('p', {
      endpointSelector: {},
      enableDefaultDeny: { egress: false },
      egress: [{ toEntities: ['kube-apiserver'] }],
      egressDeny: [{ toCIDR: ['198.51.100.0/24'] }],
    })]);
    const v = verdict(set, 'pod:shop:app=web', WORLD, 443);
    expect(v.verdict).toBe('allowed');
    expect(v.egress.decision).toBe('non-default-deny-allow');
    expect(set).toDeny('pod:shop:app=web', 'cidr:198.51.100.9', 443);
    expect(verdict(set, 'pod:shop:app=web', 'entity:kube-apiserver', 443).egress.decision).toBe('allowed');
  });

  test('enableDefaultDeny false in one rule does not lift the default deny of another rule', () => {
    const set = policySet([
      ccnp('dns', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egress: [DNS_COMPANION] }),
      cnp('strict', { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [labels({ app: 'api' })] }] }),
    ]);
    expect(set).toDeny('pod:default:app=web', WORLD, 443);
    expect(set).toAllow('pod:default:app=other', WORLD, 443);
  });

  test('enableDefaultDeny is pruned before 1.16', () => {
    const docs = [cnp('p', { endpointSelector: {}, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] })];
    expect(policySet(docs)).toAllow('pod:default:app=cli', 'pod:default:app=api', 80);
    expect(policySet(docs, V1_15)).toDeny('pod:default:app=cli', 'pod:default:app=api', 80);
  });

  test('reserved:init endpoints are always default deny', () => {
    const set = policySet([]);
    expect(set).toDeny('entity:init', 'pod:default:app=api', 80);
    expect(set).toAllow('entity:health', 'pod:default:app=api', 80);
  });

  test('rules the agent would not import are ignored and named in the explanation', () => {
    const set = policySet([
      cnp('node-in-cnp', { nodeSelector: {}, ingress: [{}] }),
      cnp('two-peers', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })], fromEntities: ['world'] }] }),
    ]);
    expect(set).toAllow('pod:default:app=cli', 'pod:default:app=api', 80);
    const v = verdict(set, 'pod:default:app=cli', 'pod:default:app=api', 80);
    expect(v.ingress.notes.join('\n')).toContain('combining fromEndpoints and fromEntities in one ingress rule is not supported by the agent at spec.ingress[0].fromEntities [sanitize-l3-combination]');
    expect(set.skippedRules.map((r) => r.policy.name)).toEqual(['node-in-cnp', 'two-peers']);
    expect(set.skippedRules[0].reason).toMatch(/a CiliumNetworkPolicy cannot have nodeSelector.* \[sanitize-cnp-node-selector\]$/);
    expect(policySet([cnp('ok', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEntities: ['world'] }] })])).toDeny('pod:default:app=cli', 'pod:default:app=api', 80);
  });
});

describe('entities', () => {
  const ingressFrom = (entity: string): ReturnType<typeof policySet> => policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEntities: [entity] }] })]);
  const egressTo = (entity: string): ReturnType<typeof policySet> => policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: [entity] }] })]);

  test('cluster: every cluster identity, not the world', () => {
    expect(ingressFrom('cluster')).toAllow('pod:other:app=x', 'pod:default:app=api', 80);
    expect(ingressFrom('cluster')).toAllow('entity:remote-node', 'pod:default:app=api', 80);
    expect(ingressFrom('cluster')).toAllow('entity:health', 'pod:default:app=api', 80);
    expect(ingressFrom('cluster')).toDeny(WORLD, 'pod:default:app=api', 80);
    expect(ingressFrom('cluster')).toDeny('pod:other:app=x,io.cilium.k8s.policy.cluster=east', 'pod:default:app=api', 80);
  });

  test('world: IPs and FQDNs outside the cluster, not pods', () => {
    expect(egressTo('world')).toAllow('pod:default:app=web', WORLD, 443);
    expect(egressTo('world')).toAllow('pod:default:app=web', 'entity:world', 443);
    expect(egressTo('world')).toDeny('pod:default:app=web', 'pod:default:app=api', 443);
    expect(egressTo('world')).toDeny('pod:default:app=web', 'entity:kube-apiserver', 443);
  });

  test('all: everything', () => {
    expect(egressTo('all')).toAllow('pod:default:app=web', WORLD, 443);
    expect(egressTo('all')).toAllow('pod:default:app=web', 'entity:host', 443);
    expect(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['none'] }] })])).toDeny('pod:default:app=web', WORLD, 443);
  });

  test('host, remote-node, kube-apiserver, health', () => {
    expect(egressTo('host')).toAllow('pod:default:app=web', 'entity:host', 10250);
    expect(egressTo('host')).toDeny('pod:default:app=web', 'entity:remote-node', 10250);
    expect(egressTo('remote-node')).toAllow('pod:default:app=web', 'node:kubernetes.io/hostname=n2', 10250);
    expect(egressTo('remote-node')).toDeny('pod:default:app=web', 'entity:host', 10250);
    expect(egressTo('kube-apiserver')).toAllow('pod:default:app=web', 'entity:kube-apiserver', 6443);
    expect(egressTo('health')).toAllow('pod:default:app=web', 'entity:health', 4240);
    expect(egressTo('health')).toDeny('pod:default:app=web', 'entity:ingress', 4240);
  });

  test('a node is the local host of a pod on it, a remote node otherwise', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['host'] }] })]);
    const node = 'node:kubernetes.io/hostname=n1';
    const onN1 = { ...set.endpoint('pod:default:app=web'), nodeName: 'n1' };
    const onN2 = { ...set.endpoint('pod:default:app=web'), nodeName: 'n2' };
    expect(set).toAllow(onN1, node, 10250);
    expect(set).toDeny(onN2, node, 10250);
  });
});

describe('CIDR', () => {
  const set = policySet([cnp('p', {
    endpointSelector: labels({ app: 'web' }),
    egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }, { toCIDR: ['2001:db8::/32'] }, { toCIDRSet: [{ cidrGroupRef: 'partners' }] }],
  })], { cidrGroups: { partners: { cidrs: ['192.0.2.0/24'] } }, ipFamilies: IpFamilies.DUAL });

  test('cidr, cidrSet with except, IPv6', () => {
    expect(set).toAllow('pod:default:app=web', 'cidr:10.1.2.3', 443);
    expect(set).toDeny('pod:default:app=web', 'cidr:10.96.0.10', 443);
    expect(set).toAllow('pod:default:app=web', 'cidr:2001:db8::1', 443);
    expect(set).toDeny('pod:default:app=web', 'cidr:2001:db9::1', 443);
  });

  test('cidrGroupRef resolves through the CIDR groups; an unknown group selects nothing', () => {
    expect(set).toAllow('pod:default:app=web', 'cidr:192.0.2.77', 443);
    const unknown = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidrGroupRef: 'nope' }] }] })]);
    expect(unknown).toDeny('pod:default:app=web', 'cidr:192.0.2.77', 443);
    expect(verdict(unknown, 'pod:default:app=web', 'cidr:192.0.2.77', 443).egress.notes.join('\n')).toMatch(/cidrGroupRef nope: no such CiliumCIDRGroup/);
  });

  test('the except holes of a cidrGroupRef entry apply to the group\'s CIDRs (1.17+)', () => {
    const holed = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidrGroupRef: 'corp', except: ['10.1.0.0/16'] }] }] })],
      { cidrGroups: { corp: { cidrs: ['10.0.0.0/8'] } }, ciliumVersion: CiliumVersion.V1_18 });
    expect(holed).toAllow('pod:default:app=web', 'cidr:10.2.3.4', 443);
    expect(holed).toDeny('pod:default:app=web', 'cidr:10.1.2.3', 443);
  });

  test('CIDR rules never match pods or nodes (unless cidrMatchNodes)', () => {
    const all = [cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDR: ['0.0.0.0/0'] }] })];
    expect(policySet(all)).toAllow('pod:default:app=web', WORLD, 443);
    expect(policySet(all)).toDeny('pod:default:app=web', 'pod:default:app=api', 443);
    expect(policySet(all)).toDeny('pod:default:app=web', 'node:kubernetes.io/hostname=n2@10.0.0.2', 443);
    expect(policySet(all, { cidrMatchNodes: true })).toAllow('pod:default:app=web', 'node:kubernetes.io/hostname=n2@10.0.0.2', 443);
  });
});

describe('ports', () => {
  // SCTP judged by the policies: the agent runs with enable-sctp (without it the datapath drops SCTP before any policy).
  const ingress = (ports: unknown[]): ReturnType<typeof policySet> => policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ toPorts: [{ ports }] }] })], { sctp: true });

  test('toPorts omitted: every port and protocol, ICMP included', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] })], { ipFamilies: IpFamilies.DUAL, sctp: true });
    for (const port of ['1/TCP', '65535/TCP', '53/UDP', '9/SCTP', 'icmp/8', 'icmpv6/128']) expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', port);
    expect(set).toDeny('pod:default:app=cli', 'pod:default:app=api', 'icmp/8');
  });

  test('port "0" is every port of the protocol', () => {
    expect(ingress([{ port: '0', protocol: 'TCP' }])).toAllow(WORLD, 'pod:default:app=api', 31337);
    expect(ingress([{ port: '0', protocol: 'TCP' }])).toDeny(WORLD, 'pod:default:app=api', '31337/UDP');
  });

  test('port "0" with an endPort is the range 0-endPort, unless endPort is 65535 (PortRangeToMaskedPorts)', () => {
    const bounded = ingress([{ port: '0', endPort: 100, protocol: 'TCP' }]);
    expect(bounded).toAllow(WORLD, 'pod:default:app=api', 100);
    expect(bounded).toDeny(WORLD, 'pod:default:app=api', 101);
    expect(bounded).toDeny(WORLD, 'pod:default:app=api', 8080);
    const full = ingress([{ port: '0', endPort: 65535, protocol: 'TCP' }]);
    expect(full).toAllow(WORLD, 'pod:default:app=api', 8080);
  });

  test('endPort ranges (1.16+; pruned before)', () => {
    const set = ingress([{ port: '8000', endPort: 8100, protocol: 'TCP' }]);
    expect(set).toAllow(WORLD, 'pod:default:app=api', 8000);
    expect(set).toAllow(WORLD, 'pod:default:app=api', 8100);
    expect(set).toDeny(WORLD, 'pod:default:app=api', 8101);
    const old = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }] }] }] })], V1_15);
    expect(old).toAllow(WORLD, 'pod:default:app=api', 8000);
    expect(old).toDeny(WORLD, 'pod:default:app=api', 8050);
  });

  test('protocol omitted or ANY is TCP, UDP and SCTP, not ICMP', () => {
    for (const set of [ingress([{ port: '53' }]), ingress([{ port: '53', protocol: 'ANY' }])]) {
      expect(set).toAllow(WORLD, 'pod:default:app=api', '53/TCP');
      expect(set).toAllow(WORLD, 'pod:default:app=api', '53/UDP');
      expect(set).toAllow(WORLD, 'pod:default:app=api', '53/SCTP');
      expect(set).toDeny(WORLD, 'pod:default:app=api', 'icmp/8');
    }
  });

  test('named ports resolve on the destination: ingress on the selected pod, egress on the peer; an unknown name allows nothing', () => {
    const set = policySet([
      cnp('in', { endpointSelector: labels({ app: 'api' }), ingress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] }),
      cnp('out', { endpointSelector: labels({ app: 'web' }), egress: [{ toPorts: [{ ports: [{ port: 'metrics' }] }] }] }),
    ]);
    const api = { ...set.endpoint('pod:default:app=api'), ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }] };
    expect(set).toAllow('pod:default:app=cli', api, 8080);
    expect(set).toDeny('pod:default:app=cli', api, 80);
    expect(set).toDeny('pod:default:app=cli', 'pod:default:app=api', 8080);
    expect(set).toDeny('pod:default:app=web', api, 8080);
    expect(set).toAllow('pod:default:app=web', { ...set.endpoint('pod:default:app=db'), ports: [{ name: 'metrics', port: 9090 }] }, 9090);
    expect(set).toDeny('pod:default:app=web', { ...set.endpoint('pod:default:app=db'), ports: [{ name: 'metrics', port: 9090, protocol: 'UDP' }] }, 9090);
  });

  test('egress named ports resolve across the cluster\'s pods (1.14-1.19): one number for every peer; two numbers for one name and protocol, nothing', () => {
    // pkg/endpoint GetNamedPort(ingress=false) reads the named ports of every pod (NamedPortMultiMap.GetNamedPort):
    // a name with two port numbers is ErrDuplicateNamedPorts and the entry is skipped (issues #24779, #30003; resolved by
    // destination identities only on main, PR #44429). Ingress stays on the pod's own ports.
    const workload = (name: string, port: number): Record<string, unknown> => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
      spec: { selector: labels({ app: name }), template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port }] }] } } },
    });
    const out = cnp('out', { endpointSelector: labels({ app: 'web' }), egress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] });
    const unique = policySet([workload('api', 8080), out]);
    expect(unique).toAllow('pod:default:app=web', 'pod:default:app=api', 8080);
    // A peer that does not name the port is reached on the cluster's one number for it.
    expect(unique).toAllow('pod:default:app=web', 'pod:default:app=db', 8080);
    expect(unique).toDeny('pod:default:app=web', 'pod:default:app=db', 9090);
    const ambiguous = policySet([workload('api', 8080), workload('admin', 9090), out]);
    expect(ambiguous).toDeny('pod:default:app=web', 'pod:default:app=api', 8080);
    expect(ambiguous).toDeny('pod:default:app=web', 'pod:default:app=admin', 9090);
    expect(verdict(ambiguous, 'pod:default:app=web', 'pod:default:app=api', 8080).egress.notes.join('\n'))
      .toMatch(/named port http is 8080\/TCP and 9090\/TCP among the cluster's pods/);
    const inbound = policySet([workload('api', 8080), workload('admin', 9090),
      cnp('in', { endpointSelector: labels({ app: 'api' }), ingress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] })]);
    expect(inbound).toAllow('pod:default:app=web', 'pod:default:app=api', 8080);
    expect(inbound).toDeny('pod:default:app=web', 'pod:default:app=api', 9090);
  });

  test('egress named ports: host-network pods add none; the destination\'s own names count; several numbers listed ascending (mutation tests)', () => {
    const workload = (name: string, port: number, hostNetwork = false): Record<string, unknown> => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
      spec: { selector: labels({ app: name }), template: { metadata: { labels: { app: name } },
        spec: { ...(hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port }] }] } } },
    });
    const out = cnp('out', { endpointSelector: labels({ app: 'web' }), egress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }, { port: 'metrics', protocol: 'TCP' }] }] }] });
    // A host-network pod's container ports are the node's: Cilium has no endpoint for it, so its name adds no number.
    expect(policySet([workload('api', 8080), workload('agent', 9090, true), out])).toAllow('pod:default:app=web', 'pod:default:app=api', 8080);
    // A destination's own names beside the cluster's, whether or not the cluster knows some of them.
    const set = policySet([workload('api', 8080), out]);
    const db = (ports: { name: string; port: number }[]): Endpoint => ({ ...set.endpoint('pod:default:app=db'), ports });
    expect(set).toAllow('pod:default:app=web', db([{ name: 'metrics', port: 9100 }]), 9100);
    expect(set).toAllow('pod:default:app=web', db([{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }]), 9100);
    // The destination is one of the cluster's pods: its http 9999 beside api's 8080 makes the name ambiguous.
    expect(set).toDeny('pod:default:app=web', db([{ name: 'http', port: 9999 }]), 8080);
    expect(set).toDeny('pod:default:app=web', db([{ name: 'http', port: 9999 }]), 9999);
    // A workload added to the policy set's inventory after a verdict counts in the next one.
    const growing = policySet([workload('api', 8080), out]);
    expect(growing).toAllow('pod:default:app=web', 'pod:default:app=api', 8080);
    growing.inventory.addWorkload({ kind: 'Deployment', name: 'admin', namespace: 'default', podLabels: { app: 'admin' }, ports: [{ name: 'http', port: 9090 }] });
    expect(growing).toDeny('pod:default:app=web', 'pod:default:app=api', 8080);
    // The numbers of an ambiguous name, ascending whatever the order of the workloads.
    const ambiguous = policySet([workload('admin', 9090), workload('api', 8080), out]);
    expect(verdict(ambiguous, 'pod:default:app=web', 'pod:default:app=api', 8080).egress.notes.join('\n'))
      .toMatch(/named port http is 8080\/TCP and 9090\/TCP among the cluster's pods/);
  });

  test('ingress: a destination standing for pods that declare one name as two numbers is noted; one number is not (mutation tests)', () => {
    const set = policySet([cnp('in', { endpointSelector: labels({ app: 'api' }), ingress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] })]);
    const api = (ports: { name: string; port: number }[]): Endpoint => ({ ...set.endpoint('pod:default:app=api'), ports });
    const notes = (ports: { name: string; port: number }[]): string =>
      set.verdict({ from: set.endpoint('pod:default:app=web'), to: api(ports), protocol: 'TCP', port: 8080 }).ingress.notes.join('\n');
    expect(notes([{ name: 'http', port: 8080 }, { name: 'http', port: 9090 }])).toMatch(/only on the pods that declare http as/);
    expect(notes([{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }])).not.toMatch(/only on the pods that declare/);
  });

  test('named ports from the inventory: a pod whose labels match a workload inherits its container ports', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'default' },
      spec: { selector: labels({ app: 'api' }), template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
    };
    const set = policySet([deployment, cnp('in', { endpointSelector: labels({ app: 'api' }), ingress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] })]);
    expect(set).toAllow('pod:default:app=cli', 'pod:default:app=api', 8080);
    expect(set).toDeny('pod:default:app=cli', 'pod:default:app=api', 8081);
  });

  test('ICMP through icmps; any L4 rule blocks other ICMP', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] }, { toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    })], { ipFamilies: IpFamilies.DUAL });
    expect(set).toAllow(WORLD, 'pod:default:app=api', 'icmp/8');
    expect(set).toAllow('cidr:2001:db8::7', 'pod:default:app=api', 'icmpv6/EchoRequest');
    expect(set).toDeny(WORLD, 'pod:default:app=api', 'icmp/0');
    expect(set).toDeny('cidr:2001:db8::7', 'pod:default:app=api', 'icmpv6/129');
    expect(set).toAllow(WORLD, 'pod:default:app=api', 80);
    expect(set).toDeny(WORLD, 'pod:default:app=api', 81);
  });
});

describe('deny rules', () => {
  test('deny beats allow regardless of resource, even a more specific allow', () => {
    const set = policySet([
      cnp('allow', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDR: ['20.1.1.1/32'] }, { toEntities: ['cluster'] }] }),
      ccnp('deny', { endpointSelector: {}, egressDeny: [{ toCIDR: ['0.0.0.0/0'] }] }),
    ]);
    const v = verdict(set, 'pod:default:app=web', 'cidr:20.1.1.1', 443);
    expect(v.verdict).toBe('denied');
    expect(v.egress.decision).toBe('denied-by-deny-rule');
    expect(v.egress.rule).toMatchObject({ kind: 'CiliumClusterwideNetworkPolicy', name: 'deny', section: 'egressDeny', item: 0, path: 'spec.egressDeny[0]' });
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
  });

  test('a deny on a port covers only that port; a deny without ports covers all of them', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }, { fromEntities: ['world'] }],
    })]);
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 22);
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    expect(set).toDeny(WORLD, 'pod:default:app=api', 'icmp/8');
    expect(set).toAllow('pod:default:app=cli', 'pod:default:app=api', 22);
  });

  test('a deny-only policy still puts its endpoints into default deny', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingressDeny: [{ fromEntities: ['world'] }] })]);
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80);
    expect(set).toAllow('pod:default:app=api', 'pod:default:app=web', 80);
  });
});

describe('FQDN and DNS', () => {
  const fqdn = (pattern: Record<string, string>, companion = true): unknown[] => [...(companion ? [DNS_COMPANION] : []), { toFQDNs: [pattern] }];

  test('toFQDNs with a DNS companion rule allows the resolved IP', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: fqdn({ matchName: 'api.example.com' }) })]);
    expect(set).toAllow('pod:default:app=web', 'fqdn:API.example.com.@192.0.2.10', 443);
    expect(set).toDeny('pod:default:app=web', 'fqdn:www.example.com@192.0.2.11', 443);
    expect(set).toDeny('pod:default:app=web', 'cidr:192.0.2.10', 443);
  });

  test('toFQDNs without a DNS rule never learns IPs: denied, and the explanation says why', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: fqdn({ matchName: 'api.example.com' }, false) })]);
    const v = verdict(set, 'pod:default:app=web', 'fqdn:api.example.com@192.0.2.10', 443);
    expect(v.verdict).toBe('denied');
    expect(v.egress.notes.join('\n')).toMatch(/DNS proxy never learns its IPs, so toFQDNs selects nothing: the lookup is dropped at egress/);
    const narrow = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ ...DNS_COMPANION, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'other.example.com' }] } }] }, { toFQDNs: [{ matchName: 'api.example.com' }] }],
    })]);
    expect(narrow).toDeny('pod:default:app=web', 'fqdn:api.example.com@192.0.2.10', 443);
    expect(narrow).toAllow('pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'other.example.com' });
  });

  test('matchPattern: * is one label part, *.x is not x, * alone is everything', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: fqdn({ matchPattern: '*.cilium.io' }) })]);
    expect(set).toAllow('pod:default:app=web', 'fqdn:docs.cilium.io@192.0.2.1', 443);
    expect(set).toDeny('pod:default:app=web', 'fqdn:cilium.io@192.0.2.1', 443);
    expect(set).toDeny('pod:default:app=web', 'fqdn:a.b.cilium.io@192.0.2.1', 443);
    const all = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: fqdn({ matchPattern: '*' }) })]);
    expect(all).toAllow('pod:default:app=web', 'fqdn:anything.example@192.0.2.1', 443);
    const partial = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: fqdn({ matchPattern: 'part*ial.com' }) })]);
    expect(partial).toAllow('pod:default:app=web', 'fqdn:partial.com@192.0.2.1', 443);
    expect(partial).toDeny('pod:default:app=web', 'fqdn:part.ial.com@192.0.2.1', 443);
  });

  test('**. matches one or more labels from 1.19; before 1.19 it is *.', () => {
    const docs = [cnp('p', { endpointSelector: labels({ app: 'web' }), egress: fqdn({ matchPattern: '**.cilium.io' }) })];
    expect(policySet(docs)).toAllow('pod:default:app=web', 'fqdn:a.cilium.io@192.0.2.1', 443);
    expect(policySet(docs)).toAllow('pod:default:app=web', 'fqdn:b.a.cilium.io@192.0.2.1', 443);
    expect(policySet(docs)).toDeny('pod:default:app=web', 'fqdn:cilium.io@192.0.2.1', 443);
    expect(policySet(docs, V1_18)).toAllow('pod:default:app=web', 'fqdn:a.cilium.io@192.0.2.1', 443);
    expect(policySet(docs, V1_18)).toDeny('pod:default:app=web', 'fqdn:b.a.cilium.io@192.0.2.1', 443);
  });

  test('**, *. and **. match every name from 1.19 only; before 1.19 they are one-label patterns (toFQDNs and DNS rules)', () => {
    for (const p of ['**', '*.', '***']) {
      const docs = [cnp('p', {
        endpointSelector: labels({ app: 'web' }),
        egress: [{ ...DNS_COMPANION, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: p }] } }] }, { toFQDNs: [{ matchPattern: p }] }],
      })];
      expect(policySet(docs)).toAllow('pod:default:app=web', 'fqdn:evil.example.org@203.0.113.9', 443);
      expect(policySet(docs)).toAllow('pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.org' });
      expect(policySet(docs, V1_18)).toDeny('pod:default:app=web', 'fqdn:evil.example.org@203.0.113.9', 443);
      expect(verdict(policySet(docs, V1_18), 'pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.org' }).verdict)
        .toBe('l7-denied');
      expect(policySet(docs, V1_18)).toAllow('pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'localhost' });
    }
  });

  test('DNS L7 rules on the DNS server: other names are REFUSED', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ ...DNS_COMPANION, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.example.com' }] } }] }],
    })]);
    expect(set).toAllow('pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.example.com' });
    const v = verdict(set, 'pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.org' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.summary).toMatch(/^DENIED \(L7: DNS REFUSED\)/);
  });
});

describe('L7 HTTP and Kafka', () => {
  const rule = (rules: unknown, extra: unknown[] = []): ReturnType<typeof policySet> => policySet([cnp('p', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules }] }, ...extra],
  })]);

  test('method and path are full-match regexes; the path includes the query string', () => {
    const set = rule({ http: [{ method: 'GET', path: '/public' }, { method: 'POST|PUT', path: '/items/[0-9]+' }] });
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /public' });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /public/x' });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /public?page=2' });
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: 'PUT /items/42' });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'DELETE /items/42' });
    const v = verdict(set, 'pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /private' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.summary).toMatch(/^DENIED \(L7: HTTP 403\)/);
    expect(v.ingress.l7).toMatchObject({ protocol: 'http', result: 'denied', rules: ['GET /public', 'POST|PUT /items/[0-9]+'] });
  });

  test('without an HTTP request in the query: allowed at L4, with the L7 rules reported', () => {
    const v = verdict(rule({ http: [{ method: 'GET' }] }), 'pod:default:app=web', 'pod:default:app=api', 80);
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.l7).toMatchObject({ protocol: 'http', result: 'not-evaluated' });
    expect(v.ingress.reason).toMatch(/L7 HTTP rules will be enforced/);
  });

  test('headers: presence and exact value; host; headerMatches', () => {
    const set = rule({ http: [{ headers: ['X-Token', 'X-Env: prod'], host: 'api\\.example\\.com' }, { headerMatches: [{ name: 'X-Team', value: 'blue' }] }] });
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/', host: 'api.example.com', headers: { 'x-token': 'a', 'X-Env': 'prod' } } });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/', host: 'api.example.com', headers: { 'X-Env': 'prod' } } });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/', host: 'api.example.com', headers: { 'X-Token': 'a', 'X-Env': 'dev' } } });
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/', headers: { 'X-Team': 'blue' } } });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/', headers: { 'X-Team': 'red' } } });
  });

  test('headers entries as Cilium hands them to Envoy: split at the first space, the name without its colons, the value exact', () => {
    const q = (headers: Record<string, string>, extra: { host?: string; path?: string } = {}) =>
      ({ http: { method: 'GET', path: extra.path ?? '/', ...(extra.host ? { host: extra.host } : {}), headers } });
    const judge = (entry: string, request: ReturnType<typeof q>): string =>
      verdict(rule({ http: [{ headers: [entry] }] }), 'pod:default:app=web', 'pod:default:app=api', 80, request).verdict;
    // `Name: value` and `Name value`: the exact value; `Name:: value` loses every trailing colon of the name.
    expect(judge('X-Env: prod', q({ 'X-Env': 'prod' }))).toBe('allowed');
    expect(judge('X-Env prod', q({ 'x-env': 'prod' }))).toBe('allowed');
    expect(judge('X-Env:: prod', q({ 'X-Env': 'prod' }))).toBe('allowed');
    expect(judge('X-Env: a b', q({ 'X-Env': 'a b' }))).toBe('allowed');
    expect(judge('X-Env: a b', q({ 'X-Env': 'a' }))).toBe('l7-denied');
    // No space: the whole entry is one header name. `X-Env:` and `X-Env:prod` are names no request has.
    for (const entry of ['X-Env:', 'X-Env:prod']) {
      expect(judge(entry, q({ 'X-Env': 'prod' })), entry).toBe('l7-denied');
      // A request given that very name is refused: no request carries it (engine-query).
      expect(() => judge(entry, q({ [entry]: 'prod' })), `${entry} as a request header`).toThrow(/is not a header name/);
    }
    // A value with whitespace at either end: HTTP strips it from the request's value, so the match never holds.
    for (const entry of ['X-Env:  prod', 'X-Env: prod ']) {
      expect(judge(entry, q({ 'X-Env': 'prod' })), entry).toBe('l7-denied');
      expect(judge(entry, q({ 'X-Env': entry.slice(6) })), `${entry} with the same spaces`).toBe('l7-denied');
    }
    // Pseudo-headers are the request's own method, path and authority.
    expect(judge(':authority: api.example.com', q({}, { host: 'api.example.com' }))).toBe('allowed');
    expect(judge(':authority: api.example.com', q({}, { host: 'web.example.com' }))).toBe('l7-denied');
    expect(judge(':path: /a', q({}, { path: '/a' }))).toBe('allowed');
    expect(judge(':path: /a', q({}, { path: '/b' }))).toBe('l7-denied');
    expect(judge(':method', q({}))).toBe('allowed');
  });

  test('headerMatches bound to a Secret: the value is the Secret\'s, which the engine cannot read, so no request is judged to match', () => {
    // pkg/envoy getHTTPRule + getSecretString: the header must equal the Secret's value (`value` is only the fallback when
    // the agent cannot read the Secret). Any value of the header is not enough: the engine was allowing it (presence only).
    const judged = (match: Record<string, unknown>, headers: Record<string, string>) =>
      verdict(rule({ http: [{ method: 'GET', headerMatches: [match] }] }), 'pod:default:app=web', 'pod:default:app=api', 80,
        { http: { method: 'GET', path: '/', headers } });
    const secret = { name: 'token', namespace: 'default' };
    const any = judged({ name: 'Authorization', secret }, { Authorization: 'anything' });
    expect(any.verdict).toBe('l7-denied');
    expect(any.ingress.notes.join('\n')).toMatch(/headerMatches Authorization takes its value from Secret default\/token, which the engine cannot read/);
    expect(judged({ name: 'Authorization', secret, value: 'fallback' }, { Authorization: 'fallback' }).verdict).toBe('l7-denied');
    // A mismatch action acts on a mismatch instead of refusing; without a fallback value, a Secret the agent cannot read
    // makes Envoy match nothing (an inverted empty matcher), which the explanation says.
    const replace = judged({ name: 'Authorization', secret, mismatch: 'REPLACE' }, {});
    expect(replace.verdict).toBe('allowed');
    expect(replace.ingress.notes.join('\n')).toMatch(/if the agent cannot read it, Envoy matches no request to this rule/);
    expect(judged({ name: 'Authorization', secret, value: 'fallback', mismatch: 'REPLACE' }, {}).ingress.notes.join('\n')).not.toMatch(/Secret/);
  });

  test('a rule without L7 for the same peer and port makes L7 allow-all', () => {
    const set = rule({ http: [{ method: 'GET' }] }, [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }]);
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: 'DELETE /x' });
    const other = rule({ http: [{ method: 'GET' }] }, [{ fromEndpoints: [labels({ app: 'admin' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }]);
    expect(other).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'DELETE /x' });
    expect(other).toAllow('pod:default:app=admin', 'pod:default:app=api', 80, { http: 'DELETE /x' });
  });

  test('L7 rules of default-allow endpoints: HTTP visibility only beside the wildcard rule on 1.16-1.17 (DNS rules: the patch decides), '
    + 'every kind visibility only from 1.18, enforced again once a rule enables default deny', () => {
    const l7 = cnp('p', {
      endpointSelector: labels({ app: 'api' }), enableDefaultDeny: { ingress: false },
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    });
    for (const v of [CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const set = policySet([l7], { ciliumVersion: v });
      expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: 'POST /' });
      expect(verdict(set, 'pod:default:app=web', 'pod:default:app=api', 80, { http: 'POST /' }).ingress.l7?.reason)
        .toMatch(v.atLeast(CiliumVersion.V1_18) ? /adds an allow-all to these HTTP rules: they give visibility only/
          : /adds a wildcard rule \(fromEntities: \[all\], every port\), and Envoy also consults the rules of the wildcard port/);
      expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 81);
      const enforcing = policySet([l7, cnp('dd', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'x' })] }] })], { ciliumVersion: v });
      expect(enforcing).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'POST /' });
      expect(enforcing).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /' });
    }
    const dns = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
    })]);
    expect(dns).toAllow('pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'other.example.com' });
    // On 1.17 the patch decides (refused on 1.17.0-1.17.4, visibility only from 1.17.5): not judged, the matchers refuse it.
    expect(() => expect(policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
    })], { ciliumVersion: CiliumVersion.V1_17 })).toDeny('pod:default:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'other.example.com' }))
      .toThrow(/engine-dns-patch-split/);
  });

  test('Kafka role and topic', () => {
    const set = rule(undefined, [{
      fromEndpoints: [labels({ app: 'hq' })],
      toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'plans' }, { apiKey: 'fetch', clientID: 'c1' }] } }],
    }]);
    expect(set).toAllow('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: 'produce plans' });
    expect(set).toDeny('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: 'produce other' });
    expect(set).toAllow('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: { apiKey: 'fetch', clientID: 'c1' } });
    expect(set).toDeny('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: { apiKey: 'fetch', clientID: 'c2' } });
  });

  test('Kafka API keys by name or number: every key of the agent\'s table (0-33), not the first 21 only', () => {
    // pkg/policy/api/kafka APIKeyMap / GetAPIKeys: `deleterecords` is key 21, `alterconfigs` 33; a request gives the number.
    const set = rule(undefined, [{
      fromEndpoints: [labels({ app: 'hq' })],
      toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ apiKey: 'DeleteRecords' }, { apiKey: 'alterconfigs' }] } }],
    }]);
    expect(set).toAllow('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: { apiKey: '21' } });
    expect(set).toAllow('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: { apiKey: '33' } });
    expect(set).toAllow('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: { apiKey: 'deleterecords' } });
    expect(set).toDeny('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: { apiKey: '22' } });
    expect(set).toDeny('pod:default:app=hq', 'pod:default:app=api', 9092, { kafka: { apiKey: 'produce' } });
  });
});

describe('services, nodes and requires', () => {
  test('toServices: a Service with a selector is its pods from 1.17, nothing before; a selector-less one its Endpoints addresses; a missing one nothing', () => {
    // pkg/policy/k8s/service.go processRule (1.17+): the selector becomes a generated toEndpoints; before, only
    // selector-less Services were targets (isSelectableService; the 1.14-1.16 CRDs say so).
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data', labels: { tier: 'db' } }, spec: { selector: { app: 'postgres' }, ports: [{ port: 5432 }] } };
    const toDb = cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] }] });
    const set = policySet([svc, toDb]);
    expect(set).toAllow('pod:default:app=web', 'pod:data:app=postgres', 5432);
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=postgres', 5432);
    const old = policySet([svc, toDb], { ciliumVersion: CiliumVersion.V1_16 });
    expect(old).toDeny('pod:default:app=web', 'pod:data:app=postgres', 5432);
    expect(verdict(old, 'pod:default:app=web', 'pod:data:app=postgres', 5432).egress.notes.join('\n'))
      .toContain('toServices: Service data/db has a selector, and Cilium 1.16 selects only Services without one');
    const missing = policySet([toDb]);
    expect(missing).toDeny('pod:default:app=web', 'pod:data:app=postgres', 5432);
    const bySelector = policySet([svc, cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sServiceSelector: { selector: labels({ tier: 'db' }) } }] }] })]);
    expect(bySelector).toAllow('pod:default:app=web', 'pod:data:app=postgres', 5432);
    expect(bySelector).toDeny('pod:default:app=web', 'pod:data:app=redis', 5432);
    // A selector-less Service with its Endpoints: the addresses are selected, nothing else (every version).
    const external = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data', labels: { tier: 'db' } }, spec: { ports: [{ port: 5432 }] } };
    const endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'data' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }] };
    for (const ciliumVersion of [CiliumVersion.V1_15, CiliumVersion.V1_19]) {
      const ext = policySet([external, endpoints, toDb], { ciliumVersion });
      expect(ext).toAllow('pod:default:app=web', 'cidr:192.0.2.10', 5432);
      expect(ext).toDeny('pod:default:app=web', 'cidr:192.0.2.11', 5432);
      expect(ext).toDeny('pod:default:app=web', 'pod:data:app=postgres', 5432);
    }
  });

  test('toServices with a namespace: only the Services of that namespace, and by name only the Service of that name', () => {
    // pkg/policy/k8s/service.go serviceRefMatches / serviceSelectorMatches: the namespace given (or none) and the name.
    // Seed-4545 mutants of inventory.ts servicesNamed/servicesMatching (the namespace or the name not compared) allowed the rest.
    const service = (name: string, namespace: string, app: string) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: { tier: 'db' } }, spec: { selector: { app }, ports: [{ port: 5432 }] },
    });
    const services = [service('db', 'data', 'postgres'), service('db', 'other', 'mysql'), service('cache', 'data', 'redis')];
    const byName = policySet([...services, cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] }] })]);
    expect(byName).toAllow('pod:default:app=web', 'pod:data:app=postgres', 5432);
    expect(byName).toDeny('pod:default:app=web', 'pod:other:app=mysql', 5432);
    expect(byName).toDeny('pod:default:app=web', 'pod:data:app=redis', 5432);
    const bySelector = policySet([...services, cnp('p', {
      endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sServiceSelector: { selector: labels({ tier: 'db' }), namespace: 'data' } }] }],
    })]);
    expect(bySelector).toAllow('pod:default:app=web', 'pod:data:app=postgres', 5432);
    expect(bySelector).toAllow('pod:default:app=web', 'pod:data:app=redis', 5432);
    expect(bySelector).toDeny('pod:default:app=web', 'pod:other:app=mysql', 5432);
  });

  test('toServices: an IPv4-mapped Endpoints address is a CIDR-set entry: IPv4 on 1.14-1.16, selecting nothing from 1.17 (before: nothing in every version)', () => {
    // pkg/policy/k8s/service.go appendEndpoints: the addresses become generated toCIDRSet entries; ComputeResultantCIDRSet
    // (1.14-1.16) writes ::ffff:192.0.2.10/128 as 192.0.2.10/32, 1.17+ selects the IPv6 prefix as written, which no packet carries.
    const external = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' }, spec: { ports: [{ port: 5432 }] } };
    const endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'data' }, subsets: [{ addresses: [{ ip: '::ffff:192.0.2.10' }], ports: [{ port: 5432 }] }] };
    const toDb = cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] }] });
    const cases = [[CiliumVersion.V1_14, true], [CiliumVersion.V1_16, true], [CiliumVersion.V1_17, false], [CiliumVersion.V1_19, false]] as const;
    for (const [ciliumVersion, allowed] of cases) {
      const set = policySet([external, endpoints, toDb], { ciliumVersion });
      const v = verdict(set, 'pod:default:app=web', 'cidr:192.0.2.10', 5432);
      expect(v.verdict, ciliumVersion.toString()).toBe(allowed ? 'allowed' : 'denied');
      expect(v.egress.notes.join('\n'), ciliumVersion.toString()).toContain(allowed
        ? 'toServices: the endpoint address ::ffff:c000:20a/128 of Service data/db (a generated toCIDRSet entry) at '
        : 'toServices: the endpoint address ::ffff:c000:20a/128 of Service data/db is IPv4-mapped');
      expect(set).toDeny('pod:default:app=web', 'cidr:192.0.2.11', 5432);
    }
  });

  test('from/toNodes without enable-node-selector-labels (1.16+): the agent refuses the whole policy, its other rules included', () => {
    // pkg/policy/api rule_validation.go IngressCommonRule/EgressCommonRule.Validate: a non-empty FromNodes/ToNodes without
    // option.Config.EnableNodeSelectorLabels is ErrFromToNodesRequiresNodeSelectorOption, so the policy is not imported.
    const docs = [
      cnp('dd', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'admin' })] }] }),
      cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }, { fromNodes: [labels({ zone: 'a' })] }] }),
    ];
    const off = policySet(docs);
    expect(off).toDeny('pod:default:app=web', 'pod:default:app=api', 80);
    expect(verdict(off, 'pod:default:app=web', 'pod:default:app=api', 80).ingress.notes.join('\n'))
      .toMatch(/CiliumNetworkPolicy default\/p spec selects this endpoint but is not imported by the agent: .*enable-node-selector-labels/);
    expect(policySet(docs, { nodeSelectorLabels: true })).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    // 1.15 has no fromNodes (the API server prunes it): the rest of the policy is imported.
    expect(policySet(docs, { ciliumVersion: CiliumVersion.V1_15 })).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    // An empty list is not a node rule.
    expect(policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), egress: [{ toNodes: [] }] })])).toDeny('pod:default:app=api', 'pod:default:app=db', 80);
  });

  test('fromNodes selects remote nodes by label, never the local host', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromNodes: [labels({ zone: 'a' })] }] })], { nodeSelectorLabels: true });
    expect(set).toAllow('node:zone=a,kubernetes.io/hostname=n2', 'pod:default:app=api', 80);
    expect(set).toDeny('node:zone=b,kubernetes.io/hostname=n2', 'pod:default:app=api', 80);
    // The node of the pod is its local host: fromNodes does not select it (it still gets in through allow-localhost).
    const local = { ...set.endpoint('pod:default:app=api'), nodeName: 'n1' };
    const v = set.verdict({ from: set.endpoint('node:zone=a,kubernetes.io/hostname=n1'), to: local, protocol: 'TCP', port: 80 });
    expect(v.ingress.decision).toBe('allow-localhost');
    expect(v.ingress.rule).toBeUndefined();
  });

  // `trace --from node:… --to pod:…` cannot say where the pod runs: the verdict said "none allows node:…" while the kubelet
  // probes of the pod's own node (the local host) pass; a note now says which node was judged, and how to judge the other.
  test('a node endpoint is a remote node to a pod unless the pod runs on it, and the verdict says so', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{}, { fromEntities: ['host'] }], egress: [{ toEntities: ['host'] }] })]);
    const node = 'node:kubernetes.io/hostname=n1';
    const remote = verdict(set, node, 'pod:default:app=api', 8080);
    expect(remote.verdict).toBe('denied');
    const NOTE = /^node:kubernetes\.io\/hostname=n1 is judged as another node than the one pod:default:app=api runs on \(reserved:remote-node\)\. The pod's own node, where kubelet probes come from, is its local host/;
    expect(remote.ingress.notes.filter((n) => NOTE.test(n))).toHaveLength(1);
    expect(set).toAllow('entity:host', 'pod:default:app=api', 8080);
    // Egress from the pod: the same node judged remote is denied, the local host allowed.
    const out = verdict(set, 'pod:default:app=api', node, 10250, { hostFirewall: false });
    expect(out.verdict).toBe('denied');
    expect(out.egress.notes.some((n) => NOTE.test(n))).toBe(true);
    // The pod on that node: its local host, allowed, and no such note.
    const local = set.verdict({ from: set.endpoint(node), to: { ...set.endpoint('pod:default:app=api'), nodeName: 'n1' }, protocol: 'TCP', port: 8080 });
    expect(local.verdict).toBe('allowed');
    expect(local.ingress.notes.some((n) => n.includes('reserved:remote-node'))).toBe(false);
    // A remote-node entity is not a node endpoint: no note.
    expect(verdict(set, 'entity:remote-node', 'pod:default:app=api', 8080).ingress.notes.some((n) => n.includes('is judged as another node'))).toBe(false);
  });

  // After review: the note said "trace entity:host" for the pod's own node, but entity:host carries no node labels, so a
  // host policy that selects the node by nodeSelector no longer applied: the advice gave ALLOWED where the node is DENIED.
  test('the node note points to the form that keeps the node labels (the pod endpoint with nodeName), not entity:host', () => {
    const set = policySet([
      cnp('web', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromEntities: ['host'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }, 'shop'),
      ccnp('host', { nodeSelector: labels({ role: 'w' }), egress: [{ toEntities: ['world'] }] }),
    ]);
    const node = 'node:role=w,kubernetes.io/hostname=n1';
    const remote = verdict(set, node, 'pod:shop:app=web', 8080);
    expect(remote.verdict).toBe('denied');
    const note = remote.ingress.notes.find((n) => n.includes('is judged as another node'));
    expect(note).toBe('node:kubernetes.io/hostname=n1,role=w is judged as another node than the one pod:shop:app=web runs on (reserved:remote-node). '
      + "The pod's own node, where kubelet probes come from, is its local host (reserved:host with the node's labels), which a trace cannot name: in "
      + "code, give the pod endpoint the node's kubernetes.io/hostname as nodeName, Endpoints.pod('shop', {\"app\":\"web\"}, { nodeName: 'n1' }). "
      + "entity:host is the local host without the node's labels: as a subject, under host policies that select nodes by their labels (nodeSelector), "
      + 'trace and the test matchers refuse it and replay leaves it not judged, and its verdict here is that of a node without labels');
    // The form the note gives: the node's egress policy (world only) drops it. entity:host has no verdict to assert: it is a
    // node without the label role=w, which the host rule does not select (verdict() notes it; trace and the matchers refuse it).
    const local = set.verdict({ from: set.endpoint(node), to: Endpoints.pod('shop', { app: 'web' }, { nodeName: 'n1' }), protocol: 'TCP', port: 8080 });
    expect(local.verdict).toBe('denied');
    expect(local.egress.decision).toBe('default-deny');
    expect(local.ingress.decision).toBe('allowed');
    expect(() => expect(set).toAllow('entity:host', 'pod:shop:app=web', 8080)).toThrow(/^toAllow\(\) entity:host → pod:shop:app=web: the client entity:host as the subject of egress host policy .* \(engine-node-labels-unknown\)\n {2}fix: give the node by its labels instead, .* as the client$/s);
    // A node with its labels: on a node role=w selects, the host rule's egress (world only) drops it; on another it passes.
    expect(set).toDeny(Endpoints.node({ 'kubernetes.io/hostname': 'n1', role: 'w' }), Endpoints.pod('shop', { app: 'web' }, { nodeName: 'n1' }), 8080);
    expect(set).toAllow(Endpoints.node({ 'kubernetes.io/hostname': 'n2' }), Endpoints.pod('shop', { app: 'web' }, { nodeName: 'n2' }), 8080);
    // A node without a hostname label: the note says to give it one.
    expect(verdict(set, 'node:role=w', 'pod:shop:app=web', 8080).ingress.notes.some((n) => n.includes("{ nodeName: '<node name>' }) (and give the node "
      + 'endpoint its kubernetes.io/hostname label'))).toBe(true);
  });

  // After review: the note was added for any endpoint subject (entity:health, entity:ingress) with pod-only advice, and to
  // default-allow verdicts where the node's identity decided nothing.
  test('the node note is only on a pod side whose policy looked at the node: not health, ingress, or a pod without policy', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEntities: ['host'] }] })]);
    const node = 'node:kubernetes.io/hostname=n1';
    const noted = (v: Verdict): boolean => [...v.ingress.notes, ...v.egress.notes].some((n) => n.includes('is judged as another node'));
    for (const [to, port] of [['entity:health', 4240], ['entity:ingress', 80], ['pod:default:app=other', 8080]] as const) {
      const v = verdict(set, node, to, port);
      expect(v.verdict, to).toBe('allowed');
      expect(noted(v), to).toBe(false);
    }
    // The pod's egress has no policy: default allow, no note; its ingress has one: default deny, the note.
    expect(noted(verdict(set, 'pod:default:app=api', node, 10250))).toBe(false);
    const denied = verdict(set, node, 'pod:default:app=api', 8080);
    expect(denied.verdict).toBe('denied');
    expect(noted(denied)).toBe(true);
  });

  test('fromRequires is AND-ed onto the fromEndpoints of every rule selecting the endpoint (before 1.19); in 1.19 the API server refuses the policy', () => {
    const docs = [
      cnp('requires', { endpointSelector: labels({ env: 'prod' }), ingress: [{ fromRequires: [labels({ env: 'prod' })] }] }),
      cnp('allow', { endpointSelector: labels({ env: 'prod' }), ingress: [{ fromEndpoints: [labels({ role: 'frontend' })] }] }),
    ];
    expect(policySet(docs, V1_18)).toAllow('pod:default:role=frontend,env=prod', 'pod:default:env=prod', 80);
    expect(policySet(docs, V1_18)).toDeny('pod:default:role=frontend', 'pod:default:env=prod', 80);
    expect(policySet(docs)).toAllow('pod:default:role=frontend', 'pod:default:env=prod', 80);
    // 1.19 CRD: fromRequires is `maxItems: 0`, so the API server stores no policy `requires` at all; `allow` alone is enforced.
    expect(policySet(docs)).toDeny('pod:default:role=backend', 'pod:default:env=prod', 80);
    expect(verdict(policySet(docs), 'pod:default:role=frontend', 'pod:default:env=prod', 80).ingress.notes.join('\n'))
      .toMatch(/requires spec selects this endpoint but is not imported.*\[version-requires-removed\]/);
  });
});

describe('host policies and the local host', () => {
  const host = ccnp('host', {
    nodeSelector: labels({ role: 'worker' }),
    ingress: [{ fromEntities: ['cluster'] }, { toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
    egress: [{ toEntities: ['cluster'] }],
  });

  test('L7 in host policies as the agent counts it: HTTP/Kafka/DNS refuse the policy (DNS on egress allowed from 1.17); l7proto is not counted', () => {
    // rule_validation.go: `countL7Rules` counts DNS, HTTP and Kafka rules only; host ingress refuses any of them, host
    // egress all but DNS (1.17+; before, "host policies do not support L7 rules yet" for DNS too).
    const hostPolicy = (item: Record<string, unknown>): Record<string, unknown> => ccnp('h', { nodeSelector: labels({ role: 'worker' }), ...item });
    const dns = hostPolicy({ egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] });
    expect(policySet([dns], { ciliumVersion: CiliumVersion.V1_16 })).toAllow('node:role=worker', WORLD, 443);
    expect(policySet([dns], { ciliumVersion: CiliumVersion.V1_17 })).toDeny('node:role=worker', WORLD, 443);
    const l7proto = hostPolicy({ ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '9000', protocol: 'TCP' }], rules: { l7proto: 'r2d2' } }] }] });
    expect(policySet([l7proto])).toDeny(WORLD, 'node:role=worker', 22);
    expect(policySet([l7proto])).toAllow(WORLD, 'node:role=worker', 9000);
    const http = hostPolicy({ ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] });
    expect(policySet([http])).toAllow(WORLD, 'node:role=worker', 22);
  });

  test('host policies apply with the host firewall on: by default (auto) when the set holds host policies; explicit off ignores them', () => {
    const auto = policySet([host]);
    expect(auto.hostFirewallMode).toBe('auto-on');
    expect(auto).toDeny(WORLD, 'node:role=worker', 80);
    expect(policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{}] })]).hostFirewallMode).toBe('auto-off');
    const on = policySet([host], { hostFirewall: true });
    expect(on.hostFirewallMode).toBe('on');
    expect(on).toAllow(WORLD, 'node:role=worker', 22);
    expect(on).toDeny(WORLD, 'node:role=worker', 80);
    expect(on).toAllow('pod:default:app=web', 'node:role=worker', 80);
    expect(on).toDeny('node:role=worker', WORLD, 443);
    expect(on).toAllow(WORLD, 'node:role=db', 80);
    const off = policySet([host], { hostFirewall: false });
    expect(off.hostFirewallMode).toBe('off');
    expect(off).toAllow(WORLD, 'node:role=worker', 80);
    expect(verdict(off, WORLD, 'node:role=worker', 80).ingress.reason).toMatch(/host firewall is off/);
  });

  test('entity:host is the local node: it reaches its pods even under default deny; remote nodes do not', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{}] })]);
    const v = verdict(set, 'entity:host', 'pod:default:app=api', 8080);
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.decision).toBe('allow-localhost');
    expect(set).toDeny('entity:remote-node', 'pod:default:app=api', 8080);
  });

  test('allow-localhost and L7: the local host is not held to L7 rules whose peer selects it without naming it (wildcard, all)', () => {
    // L4Filter.attach / createL4IngressFilter: cacheIdentitySelector(host) with no L7 rules, unless the host selector is
    // already one of the filter's selectors (fromEntities host or cluster), whose L7 rules then apply to the host.
    const l7 = { ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/ok' }] } };
    const withPeer = (peer: Record<string, unknown>): ReturnType<typeof policySet> =>
      policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ ...peer, toPorts: [l7] }] })]);
    for (const peer of [{}, { fromEntities: ['all'] }]) {
      const set = withPeer(peer);
      expect(set).toAllow('entity:host', 'pod:default:app=api', 80, { http: { method: 'POST', path: '/x' } });
      expect(verdict(set, 'entity:host', 'pod:default:app=api', 80).ingress.reason).toMatch(/the local host is not held to its L7 rules/);
      // Everyone else still is.
      expect(verdict(set, 'pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'POST', path: '/x' } }).verdict).toBe('l7-denied');
    }
    for (const peer of [{ fromEntities: ['host'] }, { fromEntities: ['cluster'] }]) {
      const set = withPeer(peer);
      expect(verdict(set, 'entity:host', 'pod:default:app=api', 80, { http: { method: 'POST', path: '/x' } }).verdict).toBe('l7-denied');
      expect(set).toAllow('entity:host', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/ok' } });
    }
  });

  test('endpoint policies (CCNP endpointSelector {}) do not select the host', () => {
    const set = policySet([ccnp('all', { endpointSelector: {}, ingress: [{}] })], { hostFirewall: true });
    expect(set).toAllow('pod:default:app=web', 'entity:host', 22);
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 22);
  });
});
