// Session 54: `PolicySet.verdict()`, `decide()` and `evaluateNaive()` refused only a request onto L7 rules not evaluated
// (session 53). Where trace exits 2 and the matchers refuse for another reason — a node given without its labels where a
// rule reads them, a pod given without its service account where the accounts disagree, a DNS lookup the 1.16/1.17 patch
// decides, a `toFQDNs` name whose learning lookup is not judged, a `toServices` entry whose Service is not in the inputs,
// a policy the agent refuses — they answered (mostly `allowed`): a library user's check passed on a verdict that is no
// claim about Cilium. Now the three go through the gate trace and the matchers use (`unjudgedConnectionError`) and throw
// its error: the same id and fix, the message led by the call.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { CiliumPolicyError } from '../../src/core/errors';
import { EngineMatcherOptions, PolicySet, PolicySetOptions, VerdictKind } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { ccnp, cnp, labels, matcherQuery, notJudgedRefusal, policySet } from './helpers';

const SA = 'io.cilium.k8s.policy.serviceaccount';
const WEB = 'pod:shop:app=web';
const KUBE_DNS = labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' });
const ports = (port: number, protocol = 'TCP', rules?: unknown): Record<string, unknown> =>
  ({ toPorts: [{ ports: [{ port: String(port), protocol }], ...(rules !== undefined ? { rules } : {}) }] });

// web: default allow on egress, DNS rules listing a.example.com only, toFQDNs *.example.com.
const dnsListing = cnp('web', { endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false }, egress: [
  { toEndpoints: [KUBE_DNS], ...ports(53, 'UDP', { dns: [{ matchName: 'a.example.com' }] }) },
  { toFQDNs: [{ matchPattern: '*.example.com' }] }] }, 'shop');
// web looks names up at the host; nodes labelled dns=deny drop everything but the world on ingress.
const hostDns = [cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [
  { toEntities: ['host'], ...ports(53, 'UDP', { dns: [{ matchPattern: '*' }] }) },
  { toFQDNs: [{ matchName: 'x.example.com' }], ...ports(443) }] }, 'shop'),
ccnp('locked', { nodeSelector: labels({ dns: 'deny' }), ingress: [{ fromEntities: ['world'] }] })];
// The DNS server holds 53/UDP to l7proto rules, which judge no DNS name.
const l7protoDns = [cnp('dns', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }),
  ingress: [{ fromEntities: ['cluster'], ...ports(53, 'UDP', { l7proto: 'r2d2' }) }] }, 'kube-system'),
cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [
  { toEndpoints: [KUBE_DNS], ...ports(53, 'UDP', { dns: [{ matchPattern: '*' }] }) },
  { toFQDNs: [{ matchName: 'x.example.com' }], ...ports(443) }] }, 'shop')];
// The DNS server is selected by its service account.
const dnsBySa = [cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [
  { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', [SA]: 'coredns' } }], ...ports(53, 'ANY', { dns: [{ matchPattern: '*' }] }) },
  { toFQDNs: [{ matchName: 'x.example.com' }], ...ports(443) }] }, 'shop')];
const bySa = cnp('by-sa', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [{ matchLabels: { [SA]: 'default' } }], ...ports(80) }] }, 'shop');
const twoParsers = cnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [
  { fromEndpoints: [labels({ app: 'web' })], ...ports(80, 'TCP', { http: [{ method: 'GET' }] }) },
  { fromEndpoints: [labels({ app: 'web' })], ...ports(80, 'TCP', { kafka: [{ topic: 'orders' }] }) }] }, 'shop');
// web may reach everything but control-plane nodes: with per-node labels on, whether it reaches a node depends on its labels.
const peerNodes = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['all'] }],
  egressDeny: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }] }, 'shop');
const serviceMissing = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' }, spec: { ports: [{ port: 5432 }] } },
  cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }], ...ports(5432) }] }, 'shop')];

interface Case {
  readonly docs: readonly Record<string, unknown>[];
  readonly options?: PolicySetOptions;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly dns?: string;
}

const V17 = { ciliumVersion: CiliumVersion.V1_17 };
/** Per case: the refusal id trace and the matchers give. */
const REFUSED: readonly (readonly [string, string, Case])[] = [
  ['a node given without its labels under a nodeSelector', 'engine-node-labels-unknown',
    { docs: hostDns, options: { hostFirewall: true }, from: WEB, to: 'entity:host', port: '53/UDP' }],
  ['a pod given without its service account, the accounts disagreeing', 'engine-service-account-unknown',
    { docs: [bySa], from: 'pod:shop:app=fe', to: 'pod:shop:app=api', port: '80/TCP' }],
  ['a lookup the 1.16/1.17 patch decides', 'engine-dns-patch-split',
    { docs: [dnsListing], options: V17, from: WEB, to: 'pod:kube-system:k8s-app=kube-dns', port: '53/UDP', dns: 'b.example.com' }],
  ['a toFQDNs name whose lookup the patch decides', 'engine-dns-patch-split',
    { docs: [dnsListing], options: V17, from: WEB, to: 'fqdn:b.example.com@1.2.3.4', port: '443/TCP' }],
  ['a toFQDNs name looked up at a node given without its labels', 'engine-node-labels-unknown',
    { docs: hostDns, options: { hostFirewall: true, dnsServer: 'entity:host' }, from: WEB, to: 'fqdn:x.example.com@1.2.3.4', port: '443/TCP' }],
  ['a toFQDNs name looked up onto l7proto rules', 'engine-l7-not-evaluated',
    { docs: l7protoDns, from: WEB, to: 'fqdn:x.example.com@1.2.3.4', port: '443/TCP' }],
  ['a toFQDNs name looked up at a DNS server given without its service account', 'engine-service-account-unknown',
    { docs: dnsBySa, from: `${WEB},${SA}=web`, to: 'fqdn:x.example.com@1.2.3.4', port: '443/TCP' }],
  ['toServices naming a Service without Endpoints in the inputs', 'engine-policy-refused',
    { docs: serviceMissing, from: WEB, to: 'cidr:8.8.8.8', port: '5432/TCP' }],
  ['two L7 parsers on one port', 'engine-policy-refused',
    { docs: [twoParsers], from: WEB, to: 'pod:shop:app=api', port: '80/TCP' }],
  ['a node peer given without its labels under a toNodes reading them (per-node labels on)', 'engine-node-labels-unknown',
    { docs: [peerNodes], options: { nodeSelectorLabels: true }, from: WEB, to: 'entity:remote-node', port: '443/TCP' }],
];

/** The error of `call`, without the name of the call that leads its message. */
function refusal(call: () => unknown): { id: string; message: string; fix: string | undefined } {
  const e: CiliumPolicyError | undefined = notJudgedRefusal(call);
  if (e === undefined) throw new Error('not refused');
  return { id: e.id, message: e.message.replace(/^(Verdicts\.verdictFor|PolicySet\.(verdict|decide|evaluateNaive))\(\) /, ''), fix: e.fix };
}

describe('verdict(), decide() and evaluateNaive() refuse what trace and the matchers refuse', () => {
  test.each(REFUSED)('%s: %s', (_, id, c) => {
    const set = policySet(c.docs, c.options);
    const options = c.dns !== undefined ? { dns: c.dns } : {};
    const q = matcherQuery(set, c.from, c.to, c.port, options);
    const matchers = refusal(() => verdictFor(set, c.from, c.to, c.port, options));
    expect(matchers.id).toBe(id);
    // decide() cold on a fresh set (its first query) and warm, verdict() and the naive evaluator: the matchers' error.
    const fresh = policySet(c.docs, c.options);
    expect(refusal(() => fresh.decide(matcherQuery(fresh, c.from, c.to, c.port, options)))).toEqual(matchers);
    expect(refusal(() => set.verdict(q))).toEqual(matchers);
    expect(refusal(() => set.decide(q))).toEqual(matchers);
    expect(refusal(() => set.decide(q))).toEqual(matchers);
    expect(refusal(() => set.evaluateNaive(q))).toEqual(matchers);
    // Led by the call and the connection.
    expect(notJudgedRefusal(() => set.decide(q))?.message).toMatch(/^PolicySet\.decide\(\) \S+ → \S+: /);
    // The refused verdict stays there to explain (what trace and the matchers read before refusing).
    expect(set._verdict(q).verdict).toBeDefined();
  });
});

describe('once the missing input is given, each is judged, allowed and denied alike by all three', () => {
  /** The verdict of each public entry point, and that of the matchers. */
  const answers = (docs: readonly Record<string, unknown>[], options: PolicySetOptions, from: string, to: string, port: string,
    dns?: string): VerdictKind[] => {
    const set = policySet(docs, options);
    const request = dns !== undefined ? { dns } : {};
    const q = matcherQuery(set, from, to, port, request);
    return [set.decide(q), set.verdict(q).verdict, set.evaluateNaive(q).verdict, verdictFor(set, from, to, port, request).verdict];
  };
  const all = (v: VerdictKind): VerdictKind[] => [v, v, v, v];

  test('the node by its labels', () => {
    const other = 'pod:shop:app=other';
    expect(answers(hostDns, { hostFirewall: true }, other, 'node:kubernetes.io/hostname=n1,dns=deny', '53/UDP')).toEqual(all(VerdictKind.DENIED));
    expect(answers(hostDns, { hostFirewall: true }, other, 'node:kubernetes.io/hostname=n1', '53/UDP')).toEqual(all(VerdictKind.ALLOWED));
  });

  test('the pod\'s service account', () => {
    expect(answers([bySa], {}, `pod:shop:app=fe,${SA}=default`, 'pod:shop:app=api', '80/TCP')).toEqual(all(VerdictKind.ALLOWED));
    expect(answers([bySa], {}, `pod:shop:app=fe,${SA}=robot`, 'pod:shop:app=api', '80/TCP')).toEqual(all(VerdictKind.DENIED));
  });

  test('the patch level', () => {
    const early = { ciliumVersion: CiliumVersion.parse('1.17.4') };
    const late = { ciliumVersion: CiliumVersion.parse('1.17.5') };
    expect(answers([dnsListing], early, WEB, 'pod:kube-system:k8s-app=kube-dns', '53/UDP', 'b.example.com')).toEqual(all(VerdictKind.L7_DENIED));
    expect(answers([dnsListing], late, WEB, 'pod:kube-system:k8s-app=kube-dns', '53/UDP', 'b.example.com')).toEqual(all(VerdictKind.ALLOWED));
  });

  test('the Service\'s endpoints (none: every peer; one address: it alone)', () => {
    const endpoints = (ips: string[]): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'data' },
      subsets: ips.length === 0 ? [] : [{ addresses: ips.map((ip) => ({ ip })) }] });
    const known = [...serviceMissing, endpoints(['192.0.2.10'])];
    expect(answers(known, {}, WEB, 'cidr:192.0.2.10', '5432/TCP')).toEqual(all(VerdictKind.ALLOWED));
    expect(answers(known, {}, WEB, 'cidr:8.8.8.8', '5432/TCP')).toEqual(all(VerdictKind.DENIED));
  });

  test('an end that may leave a connection not judged is judged where it does not: a decision kept on its record answers', () => {
    // entity:host is given without labels, but no rule selects nodes by them.
    const set = policySet(hostDns.slice(0, 1), { hostFirewall: true });
    for (const [port, v] of [['53/UDP', VerdictKind.ALLOWED], ['443/TCP', VerdictKind.DENIED]] as const) {
      const q = matcherQuery(set, WEB, 'entity:host', port, {});
      expect([set.decide(q), set.decide(q), set.verdict(q).verdict, set.evaluateNaive(q).verdict]).toEqual(all(v));
    }
  });
});

test('a set of plain policies: every entry point answers, allowed and denied', () => {
  const set = policySet([cnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })], ...ports(80) }] }, 'shop')]);
  for (const [from, port, v] of [[WEB, '80/TCP', VerdictKind.ALLOWED], [WEB, '81/TCP', VerdictKind.DENIED], ['pod:shop:app=x', '80/TCP', VerdictKind.DENIED]] as const) {
    const q = matcherQuery(set, from, 'pod:shop:app=api', port, {});
    expect([set.decide(q), set.verdict(q).verdict, set.evaluateNaive(q).verdict]).toEqual([v, v, v]);
  }
  expect(PolicySet.fromYaml('').decide(matcherQuery(set, WEB, 'pod:shop:app=api', '80/TCP', {}))).toBe(VerdictKind.ALLOWED);
});

// Session 54 review: `decide()` asks the gate only where a refusal can reach the ends (a node-label reader, a client that
// learns names, a DNS lookup whose patch may split), and keeps the queries it let through per pair of ends by their L4 code
// and request. A query the gate let through must not let through another between the same ends that it refuses.
interface MemoCase {
  readonly docs: readonly Record<string, unknown>[];
  readonly options?: PolicySetOptions;
  readonly from: string;
  readonly to: string;
  /** The query let through, then the one refused: port, request. */
  readonly passes: readonly [string, EngineMatcherOptions];
  readonly refused: readonly [string, EngineMatcherOptions];
}
const peerNodes443 = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['all'] }],
  egressDeny: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }], ...ports(443) }] }, 'shop');
const MEMO: readonly (readonly [string, string, MemoCase])[] = [
  ['another port', 'engine-service-account-unknown',
    { docs: [bySa], from: 'pod:shop:app=fe', to: 'pod:shop:app=api', passes: ['81/TCP', {}], refused: ['80/TCP', {}] }],
  ['another DNS name', 'engine-dns-patch-split', { docs: [dnsListing], options: V17, from: WEB, to: 'pod:kube-system:k8s-app=kube-dns',
    passes: ['53/UDP', { dns: 'a.example.com' }], refused: ['53/UDP', { dns: 'b.example.com' }] }],
  ['another port to a node peer', 'engine-node-labels-unknown', { docs: [peerNodes443], options: { nodeSelectorLabels: true },
    from: WEB, to: 'entity:remote-node', passes: ['53/UDP', {}], refused: ['443/TCP', {}] }],
];

describe('decide(): a query let through does not let through one it refuses between the same ends', () => {
  test.each(MEMO)('%s: %s', (_, id, c) => {
    const set = policySet(c.docs, c.options);
    const ok = matcherQuery(set, c.from, c.to, c.passes[0], c.passes[1]);
    const refused = matcherQuery(set, c.from, c.to, c.refused[0], c.refused[1]);
    const v = set.verdict(ok).verdict;
    // Let through cold, then from the memo; the refused query after it, twice (warm), as verdict() refuses it.
    expect([set.decide(ok), set.decide(ok)]).toEqual([v, v]);
    expect(notJudgedRefusal(() => set.decide(refused))?.id).toBe(id);
    expect(notJudgedRefusal(() => set.decide(refused))?.id).toBe(id);
    expect(notJudgedRefusal(() => set.verdict(refused))?.id).toBe(id);
    expect(set.decide(ok)).toBe(v);
  });
});

test('decide(): ends that need no gate (no node-label reader, a client that learns no names, a patched version) answer as verdict()', () => {
  const resolver = cnp('resolver', { endpointSelector: labels({ app: 'x' }), egress: [
    { toEndpoints: [KUBE_DNS], ...ports(53, 'UDP', { dns: [{ matchName: 'a.example.com' }] }) }] }, 'shop');
  const set = policySet([peerNodes, resolver], { ciliumVersion: CiliumVersion.parse('1.17.5') });
  const queries: readonly (readonly [string, string, string, EngineMatcherOptions])[] = [
    [WEB, 'entity:remote-node', '443/TCP', {}], ['entity:host', WEB, '443/TCP', {}], [WEB, 'fqdn:b.example.com@1.2.3.4', '443/TCP', {}],
    ['pod:shop:app=x', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'b.example.com' }],
  ];
  for (const [from, to, port, options] of queries) {
    const q = matcherQuery(set, from, to, port, options);
    const v = set.verdict(q).verdict;
    expect([set.decide(q), set.decide(q), set.evaluateNaive(q).verdict]).toEqual([v, v, v]);
  }
});

test('a pod given without a service account connecting to itself: the refusal names it', () => {
  const self = cnp('self', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [{ matchLabels: { [SA]: 'default' } }], ...ports(80) }] }, 'shop');
  const set = policySet([self]);
  const q = matcherQuery(set, 'pod:shop:app=api', 'pod:shop:app=api', '80/TCP', {});
  for (const call of [(): unknown => set.verdict(q), (): unknown => set.decide(q)]) {
    const e = notJudgedRefusal(call);
    expect(e?.id).toBe('engine-service-account-unknown');
    expect(e?.message).toMatch(/→ pod:shop:app=api: the client pod:shop:app=api is given without a service account /);
  }
});
