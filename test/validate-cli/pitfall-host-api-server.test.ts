// The kubelet and API-server paths of `pitfall-host-lockout` checked against the engine's verdicts on the same YAML: an
// allow keeps a path open only when it reaches the API server wherever it runs. On the cluster's own nodes the API server
// is Cilium's identity 7 (reserved:kube-apiserver with reserved:remote-node), the engine's `entity:kube-apiserver`; a
// managed API server (EKS, GKE, AKS) is outside the cluster (reserved:kube-apiserver with reserved:world). So an allow
// from `remote-node` (or to it) reaches the first only: the engine allows it with a note on the managed one, and
// `validate` warns that the kubelet (and the node's own API access) may be cut.
import { describe, expect, it } from 'vitest';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { check, findings, yaml } from './helpers';

const NODE = 'node:kubernetes.io/hostname=n1';
const ON = { hostFirewall: true, allowLocalhost: false };
/** Every required ingress path but the kubelet one: the API server port from other nodes, health and the tunnel. */
const OTHERS_IN = '    - fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }, { port: "4240", protocol: TCP }, { port: "8472", protocol: UDP }] }]\n';
/** Every required egress path but the API server one. */
const OTHERS_OUT = '    - toEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "4240", protocol: TCP }, { port: "8472", protocol: UDP }] }]\n';

/** A host policy on every node with `body` under spec. */
const host = (body: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: hosts
  spec:
    nodeSelector: {}
` + body;

/** An ingress allow of 10250/TCP from `entities`, beside the other required paths. */
const kubeletFrom = (entities: string): string =>
  `  ingress:\n${OTHERS_IN}    - fromEntities: [${entities}]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]\n`;
/** An egress allow of 443/TCP to `entities`, beside the other required paths. */
const apiServerTo = (entities: string): string =>
  `  egress:\n${OTHERS_OUT}    - toEntities: [${entities}]\n      toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]\n`;

/** The messages of `pitfall-host-lockout`. */
const lockout = (text: string): string[] => findings(check({ 'h.yaml': text }), 'pitfall-host-lockout').map((d) => d.message);
const verdict = (text: string, from: string, to: string, port: string): string => verdictFor(PolicySet.fromYaml(text, ON), from, to, port).verdict;

const KUBELET = 'kubelet (10250/TCP from the API server)';
const API_SERVER = 'the API server (6443/TCP or 443/TCP, for the kubelet)';

describe('the kubelet path (10250/TCP from the API server) needs an allow that reaches the API server wherever it runs', () => {
  it('from remote-node: the engine allows an API server on the nodes, notes that a managed one is denied, and validate warns', () => {
    const text = host(kubeletFrom('remote-node'));
    expect(verdict(text, 'entity:remote-node', NODE, '10250/TCP')).toBe('allowed');
    const api = verdictFor(PolicySet.fromYaml(text, ON), 'entity:kube-apiserver', NODE, '10250/TCP');
    expect(api.verdict).toBe('allowed');
    expect(api.ingress.notes).toContainEqual(expect.stringMatching(/a managed API server outside the cluster .* is judged otherwise: default deny/));
    expect(lockout(text)).toEqual([`this host policy puts the nodes {} into ingress default deny, but no host policy in the input allows ${KUBELET}: `
      + 'the nodes can lose their kubelet, health checks, pod network or API server']);
  });

  it('from world: a managed API server is in the world, an in-cluster one is not; validate still warns', () => {
    expect(lockout(host(kubeletFrom('world')))).toHaveLength(1);
  });

  it('from kube-apiserver, cluster or all: the engine allows the API server, and validate is silent', () => {
    for (const entities of ['kube-apiserver', 'cluster', 'all', 'remote-node, kube-apiserver']) {
      const text = host(kubeletFrom(entities));
      expect(verdict(text, 'entity:kube-apiserver', NODE, '10250/TCP'), entities).toBe('allowed');
      expect(lockout(text), entities).toEqual([]);
    }
  });

  it('the guard allows nothing more: kube-apiserver on 10250 does not open other ports or peers', () => {
    const text = host(kubeletFrom('kube-apiserver'));
    expect(verdict(text, 'entity:kube-apiserver', NODE, '10255/TCP')).toBe('denied');
    expect(verdict(text, 'pod:shop:app=web', NODE, '10250/TCP')).toBe('denied');
  });
});

describe('node egress to the API server (6443 or 443/TCP) needs the kube-apiserver entity too', () => {
  it('to remote-node or world: the engine allows one placement of the API server and notes the other, and validate warns', () => {
    for (const [entities, onNodes, managed] of [['remote-node', 'allowed', /default deny/], ['world', 'denied', /allowed/]] as const) {
      const text = host(apiServerTo(entities));
      const api = verdictFor(PolicySet.fromYaml(text, ON), NODE, 'entity:kube-apiserver', '443/TCP');
      expect(api.verdict, entities).toBe(onNodes);
      expect(api.egress.notes.find((n) => n.includes('a managed API server outside the cluster')), entities).toMatch(managed);
      expect(lockout(text), entities).toEqual([`this host policy puts the nodes {} into egress default deny, but no host policy in the input allows ${API_SERVER}: `
        + 'the nodes can lose their kubelet, health checks, pod network or API server']);
    }
  });

  it('to kube-apiserver: allowed, no warning', () => {
    const text = host(apiServerTo('kube-apiserver'));
    expect(verdict(text, NODE, 'entity:kube-apiserver', '443/TCP')).toBe('allowed');
    expect(lockout(text)).toEqual([]);
  });
});

describe('a deny still cuts what it may: an in-cluster API server runs on nodes', () => {
  it('a deny of remote-node on 10250 is reported as cutting the kubelet path', () => {
    const text = host('  enableDefaultDeny: { ingress: false }\n  ingressDeny:\n    - fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]\n');
    expect(findings(check({ 'h.yaml': text }), 'pitfall-host-deny-lockout').map((d) => d.message))
      .toEqual([expect.stringContaining('cuts the kubelet path of the nodes {} (kubelet: entity kube-apiserver on 10250/TCP)')]);
  });

  it('a deny of world on 10250 is reported too: a managed API server is reserved:kube-apiserver with reserved:world', () => {
    const text = host('  enableDefaultDeny: { ingress: false }\n  ingressDeny:\n    - fromEntities: [world]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]\n');
    expect(findings(check({ 'h.yaml': text }), 'pitfall-host-deny-lockout').map((d) => d.message))
      .toEqual([expect.stringContaining('cuts the kubelet path of the nodes {} (kubelet: entity world (a managed API server outside the cluster) on 10250/TCP)')]);
  });

  it.each([
    ['some CIDRs (the API server\'s address is not known here)', 'fromCIDR: [203.0.113.0/24]'],
    ['the world on the etcd port (etcd on the nodes serves an API server on the nodes)', 'fromEntities: [world]', '2379'],
  ])('a deny of %s on the kubelet or etcd port cuts no API server path', (_what, peer, port = '10250') => {
    const text = host(`  enableDefaultDeny: { ingress: false }\n  ingressDeny:\n    - ${peer}\n      toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]\n`);
    expect(findings(check({ 'h.yaml': text }), 'pitfall-host-deny-lockout')).toEqual([]);
  });
});
