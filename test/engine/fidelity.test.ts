// One test per engine defect class of issue 17 (positive and negative), each with the Cilium code that decides.
import { describe, expect, test } from 'vitest';
import { cnp, labels, policySet, verdict } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';

describe('toCIDRSet 0.0.0.0/0 with except selects the world identity (CIDRRuleSlice.GetAsEndpointSelectors)', () => {
  const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }] })]);
  test('world and outside addresses are selected, the holes are not', () => {
    expect(verdict(set, WEB, 'entity:world', '443/TCP').allowed).toBe(true);
    expect(verdict(set, WEB, 'cidr:203.0.113.9', '443/TCP').allowed).toBe(true);
    expect(verdict(set, WEB, 'cidr:10.1.2.3', '443/TCP').allowed).toBe(false);
  });
  test('a narrower block does not select the world identity', () => {
    const narrow = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidr: '203.0.113.0/24' }] }] })]);
    expect(verdict(narrow, WEB, 'entity:world', '443/TCP').allowed).toBe(false);
  });
});

describe('an item with toEndpoints: [] next to another peer field selects nothing (mergeEndpointSelectors)', () => {
  test('the other field does not count', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [], toCIDR: ['203.0.113.0/24'] }] })]);
    expect(verdict(set, WEB, 'cidr:203.0.113.9', '443/TCP').allowed).toBe(false);
    expect(verdict(set, WEB, API, '80/TCP').allowed).toBe(false);
  });
  test('without the empty list the other field selects', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDR: ['203.0.113.0/24'] }] })]);
    expect(verdict(set, WEB, 'cidr:203.0.113.9', '443/TCP').allowed).toBe(true);
  });
});

describe('remote-node has no cluster label unless node-selector labels are on (nodeIdentityLabels)', () => {
  const docs = [cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromNodes: [{}] }] })];
  test('a cluster-filtered fromNodes (1.19 default) matches no node without the flag', () => {
    expect(verdict(policySet(docs), 'entity:remote-node', API, '80/TCP').allowed).toBe(false);
    expect(verdict(policySet(docs), 'node:zone=a,kubernetes.io/hostname=n2', API, '80/TCP').allowed).toBe(false);
  });
  test('it matches with enable-node-selector-labels, or without the cluster filter', () => {
    expect(verdict(policySet(docs, { nodeSelectorLabels: true }), 'entity:remote-node', API, '80/TCP').allowed).toBe(true);
    expect(verdict(policySet(docs, { policyDefaultLocalCluster: false }), 'entity:remote-node', API, '80/TCP').allowed).toBe(true);
  });
  test('the cluster entity still covers remote nodes', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEntities: ['cluster'] }] })]);
    expect(verdict(set, 'entity:remote-node', API, '80/TCP').allowed).toBe(true);
  });
});

describe('CNP endpointSelector matchExpressions on the namespace key are kept (ParseToCiliumRule → AddMatch)', () => {
  const expr = (operator: string, values: string[]): Record<string, unknown> => ({
    matchLabels: { app: 'api' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator, values }],
  });
  test('NotIn [own namespace] selects nothing', () => {
    const set = policySet([cnp('p', { endpointSelector: expr('NotIn', ['default']), ingress: [{}] })]);
    expect(verdict(set, WEB, API, '80/TCP').allowed).toBe(true);
    expect(verdict(set, WEB, API, '80/TCP').ingress.policies).toEqual([]);
  });
  test('In [own namespace] selects as usual; a k8s: matchLabels entry is replaced', () => {
    expect(verdict(policySet([cnp('p', { endpointSelector: expr('In', ['default', 'x']), ingress: [{}] })]), WEB, API, '80/TCP').allowed).toBe(false);
    const replaced = policySet([cnp('p', { endpointSelector: labels({ app: 'api', 'k8s:io.kubernetes.pod.namespace': 'other' }), ingress: [{}] })]);
    expect(verdict(replaced, WEB, API, '80/TCP').allowed).toBe(false);
  });
});
