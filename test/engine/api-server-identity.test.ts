// The API server as a peer (entity:kube-apiserver): Cilium's reserved identity 7, the identity of a node that runs it,
// carries reserved:kube-apiserver and reserved:remote-node (pkg/identity `ReservedIdentityKubeAPIServer`). A managed API
// server (EKS, GKE, AKS) is outside the cluster: a CIDR identity with reserved:kube-apiserver and reserved:world. The
// verdict is for the first; a note says how the second fares wherever the two are judged apart.
import { describe, expect, test } from 'vitest';
import { Endpoints } from '../../src/engine';
import { ccnp, cnp, labels, policySet, verdict } from './helpers';

const API = 'entity:kube-apiserver';
const NODE = 'node:kubernetes.io/hostname=n1';
const HOST = { hostFirewall: true };
const MANAGED_NOTE = /a managed API server outside the cluster \(EKS, GKE, AKS: reserved:kube-apiserver with reserved:world\) is judged otherwise: (.*)/;

const hostPolicy = (spec: Record<string, unknown>): ReturnType<typeof ccnp> => ccnp('host', { nodeSelector: {}, ...spec });
const managed = (notes: readonly string[]): string | undefined => notes.map((n) => MANAGED_NOTE.exec(n)?.[1]).find((n) => n !== undefined);

describe('the API server on the cluster\'s nodes carries remote-node', () => {
  test('a host allow from remote-node admits it on 10250 (and a deny of remote-node cuts it)', () => {
    const allow = policySet([hostPolicy({ ingress: [{ fromEntities: ['remote-node'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }] })]);
    const v = verdict(allow, API, NODE, 10250, HOST);
    expect(v.verdict).toBe('allowed');
    // A managed API server is no remote node: default deny, and the note says so.
    expect(managed(v.ingress.notes)).toMatch(/^default deny/);
    // A node's host policy does not judge its own traffic to itself: no note of an API server on the same node.
    expect(v.ingress.notes.filter((n) => n.includes('own node'))).toEqual([]);

    const deny = policySet([hostPolicy({
      ingress: [{ fromEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }],
      ingressDeny: [{ fromEntities: ['remote-node'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }],
    })]);
    const d = verdict(deny, API, NODE, 10250, HOST);
    expect(d.verdict).toBe('denied');
    expect(d.ingress.decision).toBe('denied-by-deny-rule');
    expect(managed(d.ingress.notes)).toMatch(/^allowed/);
  });

  test('a pod egress allow to remote-node reaches it; to world reaches only a managed one', () => {
    const remote = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['remote-node'] }] })]);
    expect(remote).toAllow('pod:default:app=web', API, 443);
    const world = verdict(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['world'] }] })]),
      'pod:default:app=web', API, 443);
    expect(world.verdict).toBe('denied');
    expect(managed(world.egress.notes)).toMatch(/^allowed/);
    // A CIDR rule of /0 holds it only if its address is in the block's family and no `except` holds it: not known here.
    for (const egress of [[{ toCIDR: ['0.0.0.0/0'] }], [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }]]) {
      const zero = verdict(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress })]), 'pod:default:app=web', API, 443);
      expect(managed(zero.egress.notes)).toBeUndefined();
      expect(zero.egress.notes).toContainEqual(expect.stringMatching(
        /a managed API server outside the cluster .* is judged by its address, which is not known here: if a CIDR rule of \/0 holds it, allowed .*; if not, default deny/));
    }
    // A CIDR that is not all of IPv4: the managed API server's address is not known to be in it.
    const some = verdict(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDR: ['198.51.100.0/24'] }] })]),
      'pod:default:app=web', API, 443);
    expect(managed(some.egress.notes)).toBeUndefined();
  });

  // Session 52 (seed-5253 mutant of apiServerNotes: two verdicts taken as alike when their `allowed` agree, an L7 denial
  // and an allow both allowing at L4): identity 7 denied by the proxy and a managed API server allowed are judged apart.
  test('HTTP rules toward remote-node, L4 toward world: identity 7 is denied by the proxy, the managed one allowed, and the note says so', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [
      { toEntities: ['remote-node'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/a' }] } }] },
      { toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ] })]);
    const denied = verdict(set, 'pod:default:app=web', API, 443, { http: 'GET /b' });
    expect([denied.verdict, managed(denied.egress.notes)]).toEqual(['l7-denied', 'allowed by CiliumNetworkPolicy default/p spec.egress[1]']);
    // Both by the proxy's rules: allowed alike, no note of the managed one.
    const allowed = verdict(set, 'pod:default:app=web', API, 443, { http: 'GET /a' });
    expect([allowed.verdict, managed(allowed.egress.notes)]).toEqual(['allowed', undefined]);
  });
});

describe('the API server on the pod\'s own node is the host identity (with reserved:kube-apiserver)', () => {
  test('an egress allow to host: denied for identity 7, with the local API server allowed in a note', () => {
    const v = verdict(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['host'] }] })]), 'pod:default:app=web', API, 443);
    expect(v.verdict).toBe('denied');
    expect(v.egress.notes).toContainEqual(expect.stringMatching(/an API server on this endpoint's own node \(the host identity with reserved:kube-apiserver\) is judged otherwise: allowed/));
  });

  test('an egress allow to remote-node: allowed for identity 7, with the local API server denied in a note', () => {
    const v = verdict(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['remote-node'] }] })]), 'pod:default:app=web', API, 443);
    expect(v.verdict).toBe('allowed');
    expect(v.egress.notes).toContainEqual(expect.stringMatching(/an API server on this endpoint's own node .* is judged otherwise: default deny/));
  });
});

describe('the API server as a client is a node\'s process under the host firewall', () => {
  test('its calls leave through the node\'s host policy (egress default deny drops them), with a note on a managed one', () => {
    const set = policySet([hostPolicy({ egress: [{ toEntities: ['remote-node'] }], ingress: [{ fromEntities: ['all'] }] })]);
    const v = verdict(set, API, 'pod:default:app=db', 443, HOST);
    expect(v.verdict).toBe('denied');
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes).toContainEqual(expect.stringMatching(/a managed API server \(EKS, GKE, AKS\) is outside the cluster, where no policy applies to them/));
    // With the host firewall off, host policies are not enforced: allowed.
    const off = policySet([hostPolicy({ egress: [{ toEntities: ['remote-node'] }], ingress: [{ fromEntities: ['all'] }] })], { hostFirewall: false });
    expect(verdict(off, API, 'pod:default:app=db', 443).verdict).toBe('allowed');
  });
});

describe('a world deny cuts a managed API server only', () => {
  test('the kubelet path under a host deny of the world: allowed for identity 7, with the managed one denied in a note', () => {
    const set = policySet([hostPolicy({
      ingress: [{ fromEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }],
      ingressDeny: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }],
    })]);
    const v = verdict(set, API, NODE, 10250, HOST);
    expect(v.verdict).toBe('allowed');
    expect(managed(v.ingress.notes)).toBe('denied by deny rule CiliumClusterwideNetworkPolicy host spec.ingressDeny[0]: deny rules win over any allow');
  });

  test('no note where both are judged alike: the kube-apiserver entity, cluster, all', () => {
    for (const entity of ['kube-apiserver', 'all']) {
      const v = verdict(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: [entity] }] })]), 'pod:default:app=web', API, 443);
      expect(v.verdict).toBe('allowed');
      expect(managed(v.egress.notes)).toBeUndefined();
      // Session 52 (seed-5253 mutant: the local API server without reserved:kube-apiserver): on the pod's own node it is the
      // host identity with reserved:kube-apiserver added, which the kube-apiserver entity selects too, so no note of it.
      expect(v.egress.notes.filter((n) => n.includes('own node')), entity).toEqual([]);
    }
    // `cluster` holds identity 7 (kube-apiserver, remote-node) and, through the kube-apiserver label, the managed one.
    const c = verdict(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['cluster'] }] })]), 'pod:default:app=web', API, 443);
    expect(c.verdict).toBe('allowed');
    expect(managed(c.egress.notes)).toBeUndefined();
  });
});

describe('a managed API server by its address (entity:kube-apiserver@<ip>, Endpoints.managedApiServer)', () => {
  const MANAGED = 'entity:kube-apiserver@203.0.113.10';
  const ingressFrom = (peer: Record<string, unknown>): ReturnType<typeof policySet> => policySet([cnp('webhook', {
    endpointSelector: labels({ app: 'webhook' }), ingress: [{ ...peer, toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] }],
  })]);

  test.each([
    [{ fromEntities: ['kube-apiserver'] }, 'allowed'],
    [{ fromEntities: ['world'] }, 'allowed'],
    [{ fromEntities: ['cluster'] }, 'allowed'],
    [{ fromCIDR: ['203.0.113.0/24'] }, 'allowed'],
    [{ fromEntities: ['remote-node'] }, 'denied'],
    [{ fromEntities: ['host'] }, 'denied'],
    [{ fromCIDR: ['10.0.0.0/8'] }, 'denied'],
  ])('a webhook pod admitting %j: the managed API server is %s, with no note of another placement', (peer, expected) => {
    const v = verdict(ingressFrom(peer), MANAGED, 'pod:default:app=webhook', 9443);
    expect(v.verdict).toBe(expected);
    expect(v.ingress.notes.filter((n) => /managed API server|identity 7/.test(n))).toEqual([]);
  });

  test('the API server on the nodes and the managed one are judged apart: remote-node admits only the first', () => {
    const set = ingressFrom({ fromEntities: ['remote-node'] });
    expect(verdict(set, API, 'pod:default:app=webhook', 9443).verdict).toBe('allowed');
    expect(verdict(set, MANAGED, 'pod:default:app=webhook', 9443).verdict).toBe('denied');
    // Session 52 (seed-5253 mutant of apiServerNotes: the API server on the pod's own node judged as no local host): the
    // notes of identity 7's verdict. On the webhook's own node the API server is the host, which allow-localhost admits (no
    // note); the managed one is default deny whatever its address (no address note).
    const notes = verdict(set, API, 'pod:default:app=webhook', 9443).ingress.notes;
    expect(notes.filter((n) => n.includes('own node') || n.includes('judged by its address'))).toEqual([]);
    expect(managed(notes)).toMatch(/^default deny: /);
  });

  test('egress to it: the kube-apiserver entity or a CIDR holding its address; as a client it is outside policy', () => {
    const egress = (peer: Record<string, unknown>): ReturnType<typeof policySet> => policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [peer] })]);
    expect(verdict(egress({ toEntities: ['kube-apiserver'] }), 'pod:default:app=web', MANAGED, 443).verdict).toBe('allowed');
    expect(verdict(egress({ toCIDR: ['203.0.113.10/32'] }), 'pod:default:app=web', MANAGED, 443).verdict).toBe('allowed');
    expect(verdict(egress({ toEntities: ['remote-node'] }), 'pod:default:app=web', MANAGED, 443).verdict).toBe('denied');
    const client = verdict(egress({ toEntities: ['world'] }), MANAGED, 'pod:default:app=web', 443);
    expect(client.egress.evaluated).toBe(false);
  });

  test('text form round trip; only kube-apiserver takes an address', () => {
    expect(Endpoints.format(Endpoints.parse(MANAGED))).toBe(MANAGED);
    expect(Endpoints.parse(MANAGED)).toEqual(Endpoints.managedApiServer('203.0.113.10'));
    expect(() => Endpoints.parse('entity:host@203.0.113.10')).toThrow(/only the kube-apiserver entity takes an address/);
    expect(() => Endpoints.parse('entity:kube-apiserver@nope')).toThrow(/not an IPv4 or IPv6 address/);
  });
});

// Session 49 (review mend): as a policy subject the API server on a node is that node's host endpoint, whose labels are
// reserved:host and the node's k8s: labels (pkg/endpoint InitWithNodeLabels; pkg/policy/rule.go matches reads them);
// reserved:kube-apiserver is what the ipcache adds to the host identity as a peer (pkg/ipcache/metadata.go).
describe('the API server as a host policy subject', () => {
  test('a nodeSelector on reserved:kube-apiserver selects no node, the API server\'s either; an empty one does', () => {
    const egress = [{ toCIDR: ['10.0.0.0/8'] }];
    const onLabel = policySet([ccnp('host', { nodeSelector: { matchLabels: { 'reserved:kube-apiserver': '' } }, egress })]);
    expect(verdict(onLabel, API, 'cidr:203.0.113.5', 443, HOST).egress.decision).toBe('no-policy-default-allow');
    const every = policySet([hostPolicy({ egress })]);
    expect(verdict(every, API, 'cidr:203.0.113.5', 443, HOST).egress.decision).toBe('default-deny');
    expect(verdict(every, API, 'cidr:10.1.2.3', 443, HOST).verdict).toBe('allowed');
  });
});

// Session 50 review: a node that runs the API server (`{ kind: 'node', entity: 'kube-apiserver', ip }`, what replay builds
// from a control-plane node of CIDR labels under policy-cidr-match-mode nodes) is that node with reserved:kube-apiserver:
// CIDR rules hold its address under cidrMatchNodes, the kube-apiserver and remote-node entities select it.
describe('a node that runs the API server', () => {
  const CONTROL_PLANE = { kind: 'node' as const, labels: {}, ip: '10.10.0.5', entity: 'kube-apiserver' };
  const web = Endpoints.parse('pod:default:app=web');
  const judge = (egress: Record<string, unknown>[], cidrMatchNodes: boolean, to: Record<string, unknown> = CONTROL_PLANE): string =>
    policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress })], { cidrMatchNodes })
      .verdict({ from: web, to: to as never, protocol: 'TCP', port: 6443 }).verdict;

  test.each([
    [[{ toEntities: ['kube-apiserver'] }], false, 'allowed'],
    [[{ toEntities: ['kube-apiserver'] }], true, 'allowed'],
    [[{ toEntities: ['remote-node'] }], true, 'allowed'],
    [[{ toCIDR: ['10.10.0.0/16'] }], true, 'allowed'],
    [[{ toCIDR: ['10.10.0.0/16'] }], false, 'denied'],
    [[{ toEntities: ['world'] }], true, 'denied'],
  ])('egress %j, cidrMatchNodes %s → %s', (egress, mode, expected) => {
    expect(judge(egress, mode)).toBe(expected);
  });

  test('a plain node is not the API server; a node takes no other entity', () => {
    expect(judge([{ toEntities: ['kube-apiserver'] }], true, { kind: 'node', labels: {}, ip: '10.10.0.5' })).toBe('denied');
    expect(() => judge([{ toEntities: ['kube-apiserver'] }], true, { ...CONTROL_PLANE, entity: 'world' })).toThrow(/a node takes only the entity kube-apiserver/);
  });
  // Session 51 review: the notes of identity 7 and of a managed API server were added for a node named by its labels too.
  test('the notes on where else the API server runs are the entity\'s, not those of a node named by its labels', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['remote-node'] }] })]);
    const notes = (to: string): string[] => set.verdict({ from: web, to: Endpoints.parse(to), protocol: 'TCP', port: 6443 }).egress.notes;
    const entity = notes('entity:kube-apiserver');
    expect(entity).toContainEqual(expect.stringMatching(/^this is the API server on another of the cluster's nodes \(Cilium's identity 7/));
    expect(entity).toContainEqual(expect.stringContaining('a managed API server outside the cluster (EKS, GKE, AKS'));
    const node = notes('node:reserved:kube-apiserver,kubernetes.io/hostname=w1');
    expect(node.filter((n) => /identity 7|managed API server/.test(n))).toEqual([]);
    expect(set.verdict({ from: web, to: Endpoints.parse('node:reserved:kube-apiserver,kubernetes.io/hostname=w1'), protocol: 'TCP', port: 6443 }).verdict)
      .toBe('allowed');
  });
});
