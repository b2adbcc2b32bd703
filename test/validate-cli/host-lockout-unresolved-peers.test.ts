// The host lockout guard (`pitfall-host-deny-lockout`, `pitfall-host-lockout`) on peer fields that add no selector, held
// to the engine's verdicts on the same YAML. From Cilium 1.16 only an empty endpoints, nodes, entities, CIDR or CIDR-set
// list selects nothing (pkg/policy/utils/parserules.go `mergeEndpointSelectors`, `EMPTY_LIST_CHECKED_PEER_FIELDS`): an
// empty `toFQDNs`, `toServices` or `to/fromGroups` adds no selector, so an item with toPorts is every peer on them. And
// `toServices` in `egressDeny` is never resolved (pkg/policy/k8s/service.go `processRule` and, before 1.17,
// pkg/k8s/rule_translate.go `RuleTranslator.Translate` walk `rule.Egress` only): with toPorts it denies them to every
// peer, without them nothing, whichever Service it names.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { check, findings, yaml } from './helpers';

const NODE = 'node:kubernetes.io/hostname=n1';
const ON = { hostFirewall: true, allowLocalhost: false };
const VERSIONS = [['1.15', CiliumVersion.V1_15], ['1.16', CiliumVersion.V1_16], ['1.19', CiliumVersion.V1_19]] as const;

/** A host policy on every node with `body` under spec. */
const host = (body: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: hosts
  spec:
    nodeSelector: {}
` + body;

/** A deny-only host policy (the nodes stay default allow) with one item in `section`. */
const denyOnly = (section: 'ingressDeny' | 'egressDeny', item: string): string =>
  host(`  enableDefaultDeny: { ingress: false, egress: false }\n  ${section}:\n    - ${item}\n`);
const PORT_6443 = 'toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]';
/** The finding on a deny of 6443/TCP to every peer. */
const CUTS_6443 = /cuts the kube-apiserver, pod-traffic paths of the nodes \{\} \(kube-apiserver: entity kube-apiserver on 6443\/TCP; pod-traffic: every pod/;

const messages = (text: string, id: string, ciliumVersion: string): string[] => findings(check({ 'h.yaml': text }, { ciliumVersion }), id).map((d) => d.message);
const verdict = (text: string, version: CiliumVersion, from: string, to: string, port: string): string =>
  verdictFor(PolicySet.fromYaml(text, { ...ON, ciliumVersion: version }), from, to, port).verdict;

describe('pitfall-host-deny-lockout: a deny item whose peer list adds no selector denies its ports to every peer', () => {
  it.each(VERSIONS)('egressDeny toServices: [] or toGroups: [] with 6443/TCP cuts the API server on %s, as the engine denies it', (name, version) => {
    for (const peer of ['toServices: []', 'toGroups: []']) {
      const text = denyOnly('egressDeny', `${peer}\n      ${PORT_6443}`);
      expect(messages(text, 'pitfall-host-deny-lockout', name), peer).toEqual([expect.stringMatching(CUTS_6443)]);
      expect(verdict(text, version, NODE, 'entity:kube-apiserver', '6443/TCP'), peer).toBe('denied');
      expect(verdict(text, version, NODE, 'cidr:203.0.113.7', '6443/TCP'), peer).toBe('denied');
      // enableDefaultDeny is 1.16+: before, a deny section puts the nodes in default deny.
      expect(verdict(text, version, NODE, 'entity:kube-apiserver', '443/TCP'), peer).toBe(version.atLeast(CiliumVersion.V1_16) ? 'allowed' : 'denied');
    }
  });

  it('egressDeny toFQDNs: [] with 6443/TCP is read the same way (toFQDNs is no field of egressDeny: crd-deny-fqdns, and the engine skips the policy)', () => {
    const text = denyOnly('egressDeny', `toFQDNs: []\n      ${PORT_6443}`);
    const report = check({ 'h.yaml': text }, { ciliumVersion: '1.19' });
    expect(findings(report, 'pitfall-host-deny-lockout').map((d) => d.message)).toEqual([expect.stringMatching(CUTS_6443)]);
    expect(findings(report, 'crd-deny-fqdns')).toHaveLength(1);
    expect(PolicySet.fromYaml(text).diagnostics.map((d) => d.id)).toEqual(['engine-policy-skipped']);
  });

  it('ingressDeny fromGroups: [] with 22/TCP cuts SSH from the world (1.19), as the engine denies it', () => {
    const text = denyOnly('ingressDeny', 'fromGroups: []\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]');
    expect(messages(text, 'pitfall-host-deny-lockout', '1.19')).toEqual([expect.stringMatching(/cuts the break-glass path of the nodes \{\} \(break-glass: entity world on 22\/TCP/)]);
    expect(verdict(text, CiliumVersion.V1_19, 'cidr:203.0.113.7', NODE, '22/TCP')).toBe('denied');
  });

  it('without toPorts the same items deny nothing, and beside a filled list they leave its peers alone (1.19)', () => {
    for (const peer of ['toServices: []', 'toGroups: []']) {
      const bare = denyOnly('egressDeny', peer);
      expect(messages(bare, 'pitfall-host-deny-lockout', '1.19'), peer).toEqual([]);
      expect(verdict(bare, CiliumVersion.V1_19, NODE, 'entity:kube-apiserver', '6443/TCP'), peer).toBe('allowed');
    }
    const beside = denyOnly('egressDeny', `toEntities: [kube-apiserver]\n      toGroups: []\n      ${PORT_6443}`);
    expect(messages(beside, 'pitfall-host-deny-lockout', '1.19')).toEqual([expect.stringMatching(/\(kube-apiserver: entity kube-apiserver on 6443\/TCP/)]);
    expect(verdict(beside, CiliumVersion.V1_19, NODE, 'entity:kube-apiserver', '6443/TCP')).toBe('denied');
    expect(verdict(beside, CiliumVersion.V1_19, NODE, 'cidr:203.0.113.7', '6443/TCP')).toBe('allowed');
  });
});

describe('pitfall-host-deny-lockout: egressDeny toServices is never resolved', () => {
  const KUBERNETES = 'toServices: [{ k8sService: { serviceName: kubernetes, namespace: default } }]';
  const WEB = 'toServices: [{ k8sService: { serviceName: web, namespace: default } }]';

  it('without toPorts it denies nothing, even to the kubernetes Service (engine: the API server stays allowed)', () => {
    for (const peer of [KUBERNETES, WEB]) {
      const text = denyOnly('egressDeny', peer);
      expect(messages(text, 'pitfall-host-deny-lockout', '1.19'), peer).toEqual([]);
      expect(verdict(text, CiliumVersion.V1_19, NODE, 'entity:kube-apiserver', '443/TCP'), peer).toBe('allowed');
    }
  });

  it('with toPorts it denies them to every peer, whichever Service it names (engine: denied to the API server and the world)', () => {
    for (const peer of [KUBERNETES, WEB]) {
      const text = denyOnly('egressDeny', `${peer}\n      ${PORT_6443}`);
      expect(messages(text, 'pitfall-host-deny-lockout', '1.19'), peer).toEqual([expect.stringMatching(CUTS_6443)]);
      expect(verdict(text, CiliumVersion.V1_19, NODE, 'entity:kube-apiserver', '6443/TCP'), peer).toBe('denied');
      expect(verdict(text, CiliumVersion.V1_19, NODE, 'cidr:203.0.113.7', '6443/TCP'), peer).toBe('denied');
    }
  });
});

describe('pitfall-host-lockout: an allow item whose peer list adds no selector allows its ports to every peer', () => {
  /** Every required egress path but the API server one, and `item` as the last egress allow. */
  const egress = (item: string): string => host('  egress:\n    - toEntities: [remote-node]\n'
    + '      toPorts: [{ ports: [{ port: "4240", protocol: TCP }, { port: "8472", protocol: UDP }] }]\n'
    + `    - ${item}\n      toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]\n`);
  const API_SERVER = /no host policy in the input allows the API server \(6443\/TCP or 443\/TCP, for the kubelet\)/;

  it.each(VERSIONS)('toFQDNs: [] or toGroups: [] with 443/TCP keeps the API server open on %s (the engine allows it)', (name, version) => {
    for (const peer of ['toFQDNs: []', 'toGroups: []']) {
      const text = egress(peer);
      expect(messages(text, 'pitfall-host-lockout', name), peer).toEqual([]);
      expect(verdict(text, version, NODE, 'entity:kube-apiserver', '443/TCP'), peer).toBe('allowed');
    }
  });

  it('toFQDNs: [] beside toEntities: [kube-apiserver] no longer empties the item from 1.16; toEntities: [] still does', () => {
    const kept = egress('toEntities: [kube-apiserver]\n      toFQDNs: []');
    expect(messages(kept, 'pitfall-host-lockout', '1.19')).toEqual([]);
    expect(verdict(kept, CiliumVersion.V1_19, NODE, 'entity:kube-apiserver', '443/TCP')).toBe('allowed');
    const emptied = egress('toFQDNs: [{ matchName: api.example.com }]\n      toEntities: []');
    expect(messages(emptied, 'pitfall-host-lockout', '1.19')).toEqual([expect.stringMatching(API_SERVER)]);
    expect(verdict(emptied, CiliumVersion.V1_19, NODE, 'entity:kube-apiserver', '443/TCP')).toBe('denied');
  });
});
