// Cilium 1.14 and 1.15 resolve `fromCIDRSet` `cidrGroupRef` entries in the watcher, before the policy is imported: each
// entry is replaced by one entry per CIDR of its CiliumCIDRGroup, and the list becomes the entries without a reference
// followed by those (pkg/k8s/watchers `translateSpec`, `append(oldRules, newRules...)`; a missing or empty group adds
// none). When every entry names a group that is missing or empty, the list is nil: the item has no L3 selector, so its
// ports are open to every peer (`createL4Filter`: an empty L3 is the wildcard selector) and, without ports, it allows
// nothing. From 1.16 a list left with no entry is empty, which selects nothing (cilium/cilium#33396, #33445).
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src';
import { SideDecision } from '../../src/engine';
import { cnp, judged, labels, policySet } from './helpers';

const V = CiliumVersion;
const WEB = 'pod:default:app=web';
const PORTS = [{ ports: [{ port: '80', protocol: 'TCP' }] }];
const group = (name: string, cidrs: string[]): Record<string, unknown> =>
  ({ apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name }, spec: { externalCIDRs: cidrs } });
const from = (item: Record<string, unknown>): Record<string, unknown> => cnp('p', { endpointSelector: labels({ app: 'web' }), ingress: [item] });

describe('fromCIDRSet of cidrGroupRef entries that resolve to no CIDR', () => {
  test('1.15, a missing group, with toPorts: every peer on the ports (the list is dropped), nothing on other ports', () => {
    const set = policySet([from({ fromCIDRSet: [{ cidrGroupRef: 'missing' }], toPorts: PORTS })], { ciliumVersion: V.V1_15 });
    for (const peer of ['cidr:8.8.8.8', 'pod:other:app=x', 'entity:remote-node']) {
      const v = judged(set, peer, WEB, '80/TCP');
      expect(v.ingress.decision).toBe(SideDecision.ALLOWED);
      expect(v.ingress.rule?.path).toBe('spec.ingress[0]');
    }
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.notes.join('\n')).toMatch(/the list is dropped \(translateSpec\)/);
    expect(judged(set, 'cidr:8.8.8.8', WEB, '81/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('1.14, a group with no CIDRs, with toPorts: every peer on the ports', () => {
    const set = policySet([group('empty', []), from({ fromCIDRSet: [{ cidrGroupRef: 'empty' }], toPorts: PORTS })], { ciliumVersion: V.V1_14 });
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.ALLOWED);
  });

  test('1.15, without toPorts: the item allows nothing, and still puts the pod in default deny', () => {
    const set = policySet([from({ fromCIDRSet: [{ cidrGroupRef: 'missing' }] })], { ciliumVersion: V.V1_15 });
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('1.15, a known group with CIDRs: those CIDRs only', () => {
    const set = policySet([group('g', ['10.0.0.0/8']), from({ fromCIDRSet: [{ cidrGroupRef: 'g' }, { cidrGroupRef: 'missing' }], toPorts: PORTS })],
      { ciliumVersion: V.V1_15 });
    expect(judged(set, 'cidr:10.1.2.3', WEB, '80/TCP').ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('1.16 and 1.19: a missing group selects nothing', () => {
    for (const version of [V.V1_16, V.V1_19]) {
      const set = policySet([from({ fromCIDRSet: [{ cidrGroupRef: 'missing' }], toPorts: PORTS })], { ciliumVersion: version });
      expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
    }
  });
});

// Only the ingress allow lists are translated by the 1.14/1.15 watcher (translateSpec loops over spec.Ingress alone):
// an egress toCIDRSet or an ingressDeny fromCIDRSet keeps its reference, which those agents do not resolve, so the
// entry selects nothing (validate: version-egress-cidr-group-ref) and the item's ports are not opened to every peer.
describe('the lists the 1.14/1.15 watcher does not translate', () => {
  test('1.15 egress toCIDRSet of a missing or empty group, with toPorts: nothing on the ports', () => {
    for (const docs of [[], [group('g', [])]]) {
      const set = policySet([...docs, cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidrGroupRef: 'g' }], toPorts: PORTS }] })],
        { ciliumVersion: V.V1_15 });
      const v = judged(set, WEB, 'cidr:8.8.8.8', '80/TCP');
      expect(v.egress.decision).toBe(SideDecision.DEFAULT_DENY);
    }
  });

  test('1.14 ingressDeny fromCIDRSet of a missing group, with toPorts: denies nobody', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromCIDRSet: [{ cidrGroupRef: 'missing' }], toPorts: PORTS }] })], { ciliumVersion: V.V1_14 });
    const v = judged(set, 'cidr:8.8.8.8', WEB, '80/TCP');
    expect(v.ingress.decision).toBe(SideDecision.ALLOWED);
    expect(v.ingress.rule?.path).toBe('spec.ingress[0]');
  });

  test('1.15 a plain cidr beside a missing group: the cidr only', () => {
    const set = policySet([from({ fromCIDRSet: [{ cidr: '10.0.0.0/8' }, { cidrGroupRef: 'missing' }], toPorts: PORTS })], { ciliumVersion: V.V1_15 });
    expect(judged(set, 'cidr:10.1.2.3', WEB, '80/TCP').ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });
});
