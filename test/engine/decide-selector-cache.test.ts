// Least privilege of how `decide()` finds a subject's rules (`RuleIndex`: a new identity is matched only against the rules
// filed under one of its labels, by one `key In (values)` requirement each, and the few without one) and shares them
// (`DirectionPolicyCache`: identities selected by the same rules share their direction policies and decisions). A cache
// keyed too coarsely (a label's value without its key, candidates taken without the full match, `reserved:init` left out
// of the key) would hand one subject another's decisions. The identities here are one label apart, the same value under another key,
// a namespace label apart, reserved entities, a node and a pod with the same labels; their peers include CIDR and FQDN
// peers, deny rules, L7 rules. Every connection is asked on one set right after the one it must not be confused with, in
// both orders, and must get what Cilium decides, what a fresh set gives it alone and what `verdict()` says.
import { describe, expect, test } from 'vitest';
import { PolicySet, VerdictKind, VerdictQuery } from '../../src/engine';
import { ccnp, cnp, labels, policySet } from './helpers';

const TEAM = 'io.cilium.k8s.namespace.labels.team';
const DNS_ALL = { toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })],
  toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] };

const DOCS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'pay' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab', labels: { team: 'ops' } } },
  // The value `db` under two keys: role=db may reach the CIDR 203.0.113.0/24 on 443 only; app=db, api.example.com
  // (toFQDNs, learnt through its DNS rules) on 443 only.
  cnp('role-db', { endpointSelector: labels({ role: 'db' }), egress: [DNS_ALL, { toCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }, 'shop'),
  cnp('app-db', { endpointSelector: labels({ app: 'db' }), egress: [DNS_ALL, { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }, 'shop'),
  // app=api: GET only from role=client on 8080 (L7); in a namespace labelled team=pay, role=client is denied on 8080 (deny
  // wins); with tier=edge (one label more), POST too.
  ccnp('api-get', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ role: 'client' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] }),
  ccnp('api-pay-deny', { endpointSelector: labels({ app: 'api', [TEAM]: 'pay' }), ingressDeny: [{ fromEndpoints: [labels({ role: 'client' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }),
  ccnp('api-edge-post', { endpointSelector: labels({ app: 'api', tier: 'edge' }), ingress: [{ fromEndpoints: [labels({ role: 'client' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'POST' }] } }] }] }),
  // Every endpoint (reserved:init and health included): ingress from the cluster on 9090 only (init: default deny in both
  // directions anyway).
  ccnp('all-9090', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] }] }),
  // The DNS server answers the cluster (so that app=db learns api.example.com).
  ccnp('dns', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }), ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] }),
  // Nodes with role=db (host policy): ingress from the world on 22 only. A pod with role=db is not selected by it.
  ccnp('db-nodes', { nodeSelector: labels({ role: 'db' }), ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] }),
];

type Case = { from: string; to: string; port: number; http?: string; expected: VerdictKind };
const A = VerdictKind.ALLOWED;
const D = VerdictKind.DENIED;
const L7 = VerdictKind.L7_DENIED;

/** Pairs of connections whose subjects a coarse cache would confuse, with what Cilium decides. */
const CASES: Case[] = [
  // The same value under two keys: role=db reaches the CIDR, not the name; app=db the name, not the CIDR.
  { from: 'pod:shop:role=db', to: 'cidr:203.0.113.7', port: 443, expected: A },
  { from: 'pod:shop:app=db', to: 'cidr:203.0.113.7', port: 443, expected: D },
  { from: 'pod:shop:app=db', to: 'fqdn:api.example.com@192.0.2.10', port: 443, expected: A },
  { from: 'pod:shop:role=db', to: 'fqdn:api.example.com@192.0.2.10', port: 443, expected: D },
  // One label apart (a pod with both values has both rules).
  { from: 'pod:shop:app=db,role=db', to: 'cidr:203.0.113.7', port: 443, expected: A },
  { from: 'pod:shop:app=db,role=db', to: 'fqdn:api.example.com@192.0.2.10', port: 443, expected: A },
  { from: 'pod:shop:app=db,role=db', to: 'cidr:198.51.100.1', port: 443, expected: D },
  // L7, deny precedence and a namespace label apart: app=api in lab (team=ops) allows GET, in shop (team=pay) denies at L3/L4.
  { from: 'pod:lab:role=client', to: 'pod:lab:app=api', port: 8080, http: 'GET /', expected: A },
  { from: 'pod:shop:role=client', to: 'pod:shop:app=api', port: 8080, http: 'GET /', expected: D },
  { from: 'pod:lab:role=client', to: 'pod:lab:app=api', port: 8080, http: 'POST /', expected: L7 },
  { from: 'pod:lab:role=client', to: 'pod:lab:app=api,tier=edge', port: 8080, http: 'POST /', expected: A },
  { from: 'pod:lab:role=client', to: 'pod:lab:app=api,tier=front', port: 8080, http: 'POST /', expected: L7 },
  // Reserved entities: health and init are both selected by the empty selector; init is in default deny in every direction.
  { from: 'pod:lab:role=client', to: 'entity:health', port: 9090, expected: A },
  { from: 'pod:lab:role=client', to: 'entity:init', port: 9090, expected: A },
  { from: 'entity:health', to: 'pod:lab:app=other', port: 9090, expected: A },
  { from: 'entity:init', to: 'pod:lab:app=other', port: 9090, expected: D },
  // Kind apart: a node with role=db is selected by the host policy, a pod with role=db by the endpoint ones.
  { from: 'entity:world', to: 'node:role=db,kubernetes.io/hostname=n1', port: 22, expected: A },
  { from: 'entity:world', to: 'node:role=db,kubernetes.io/hostname=n1', port: 9090, expected: D },
  { from: 'entity:world', to: 'pod:shop:role=db', port: 22, expected: D },
  { from: 'pod:lab:role=client', to: 'pod:shop:role=db', port: 9090, expected: A },
];

const OPTIONS = { hostFirewall: true };

function query(set: PolicySet, c: Case): VerdictQuery {
  const [method, path] = (c.http ?? '').split(' ');
  return { from: set.endpoint(c.from), to: set.endpoint(c.to), protocol: 'TCP', port: c.port, ...(c.http ? { http: { method, path } } : {}) };
}

describe('decide(): the rule index and the selection cache keep each identity to its own rules', () => {
  test.each([['in order', CASES], ['in reverse order', [...CASES].reverse()]])('one set, every connection %s, cold', (_order, cases) => {
    const set = policySet(DOCS, OPTIONS);
    for (const c of cases) {
      const alone = policySet(DOCS, OPTIONS);
      expect({ ...c, alone: alone.decide(query(alone, c)) }).toEqual({ ...c, alone: c.expected });
      expect({ ...c, decided: set.decide(query(set, c)) }).toEqual({ ...c, decided: c.expected });
      expect({ ...c, verdict: set.verdict(query(set, c)).verdict }).toEqual({ ...c, verdict: c.expected });
    }
  });

  test('the deciding rule is the subject\'s own (verdict() explains with the same selection decide() used)', () => {
    const set = policySet(DOCS, OPTIONS);
    const role = query(set, CASES[0]);
    const app = query(set, CASES[2]);
    expect(set.decide(app)).toBe(A);
    expect(set.decide(role)).toBe(A);
    expect(set.verdict(role).egress.rule).toMatchObject({ name: 'role-db', section: 'egress', item: 1 });
    expect(set.verdict(app).egress.rule).toMatchObject({ name: 'app-db', section: 'egress', item: 1 });
    expect(set.verdict(role).egress.policies.map((p) => p.name)).toEqual(['role-db', 'all-9090']);
    expect(set.verdict(app).egress.policies.map((p) => p.name)).toEqual(['app-db', 'all-9090']);
  });
});
