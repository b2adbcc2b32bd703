// `PolicySet.decide` on every conformance case (Cilium-authored and NetworkPolicy verdicts): always the `verdict` of
// `verdict()`, whether asked first (cold decision tables) or after it, and on repeated asks (warm).
import { describe, expect, test } from 'vitest';
import { IpFamilies, PolicySet, VerdictQuery } from '../../src/engine';
import { parseEndpoint } from '../../src/engine/endpoint';
import { PolicyModel } from '../../src/model/policy-model-io';
import { caseQuery, readCases } from './support/verdict-cases';

const CASES = [...readCases('cilium-cases.yaml'), ...readCases('networkpolicy-cases.yaml')];

describe('decide() == verdict().verdict on the conformance cases', () => {
  test.each(CASES.map((c) => [`${c.id}: ${c.from} → ${c.to} ${c.port}`, c] as const))('%s', (_name, c) => {
    const cold = caseQuery(c);
    const decidedCold = cold.set.decide(cold.query);
    const warm = caseQuery(c);
    const expected = warm.set.verdict(warm.query).verdict;
    expect(decidedCold).toBe(expected);
    expect(warm.set.decide(warm.query)).toBe(expected);
    expect(cold.set.decide(cold.query)).toBe(expected);
    // A fresh but equal query object decides the same.
    expect(cold.set.decide({ ...cold.query, from: { ...cold.query.from }, to: { ...cold.query.to } })).toBe(expected);
  });

  test('the rules that can cover a port are asked in rule order: exact ports, ranges and peer-only items interleaved', () => {
    // Four rules select the subject: a range, an exact port, a peer-only item, the exact port again with HTTP rules. The
    // first matching item without L7 rules decides, so the order of the merged candidates shows in the deciding rule.
    const cnp = (name: string, toPorts: string): string => `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]${toPorts}
---`;
    const set = PolicySet.fromYaml([
      cnp('a-range', '\n      toPorts: [{ ports: [{ port: "70", endPort: 90, protocol: TCP }] }]'),
      cnp('b-exact', '\n      toPorts: [{ ports: [{ port: "80", protocol: TCP }, { port: "8443", protocol: TCP }] }]'),
      cnp('c-peer-only', ''),
      cnp('d-exact-http', '\n      toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ method: GET }] } }]'),
      cnp('e-exact', '\n      toPorts: [{ ports: [{ port: "8443", protocol: TCP }] }]'),
    ].join('\n'));
    const from = parseEndpoint('pod:shop:app=web');
    const to = parseEndpoint('pod:shop:app=api');
    const decidedBy = (port: number): string | undefined => {
      const query = { from, to, protocol: 'TCP', port };
      expect(set.decide(query)).toBe('allowed');
      return set.verdict(query).ingress.rule?.name;
    };
    expect(decidedBy(80)).toBe('a-range');
    expect(decidedBy(8443)).toBe('b-exact');
    expect(decidedBy(9000)).toBe('c-peer-only');
    // The peer-only rule comes before the last exact one: with the range rule out of the way (95 is outside it), it decides.
    expect(set.verdict({ from, to, protocol: 'TCP', port: 95 }).ingress.rule?.name).toBe('c-peer-only');
  });

  test('a rule with an exact port and a range covering it is a candidate once: its L7 rules are listed once, as the naive walk lists them', () => {
    const set = PolicySet.fromYaml(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: both, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "80", protocol: TCP }, { port: "70", endPort: 90, protocol: TCP }], rules: { http: [{ method: GET }] } }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: post, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ method: POST }] } }]
`);
    const query = { from: parseEndpoint('pod:shop:app=web'), to: parseEndpoint('pod:shop:app=api'), protocol: 'TCP', port: 80, http: { method: 'PUT', path: '/' } };
    const v = set.verdict(query);
    expect(v.ingress.l7?.rules).toEqual(['GET *', 'POST *']);
    expect(v).toEqual(set.evaluateNaive(query));
    expect(set.decide(query)).toBe('l7-denied');
  });

  test('L7 requests on one peer and port are judged each (HTTP 403 and allowed from one kept L4 decision)', () => {
    const set = PolicySet.fromYaml(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "8080", protocol: TCP }], rules: { http: [{ method: GET, path: "/public/.*" }] } }]
`);
    const from = parseEndpoint('pod:shop:app=web');
    const to = parseEndpoint('pod:shop:app=api');
    const q = { from, to, protocol: 'TCP', port: 8080 };
    expect(set.decide(q)).toBe('allowed');
    expect(set.decide({ ...q, http: { method: 'GET', path: '/public/a' } })).toBe('allowed');
    expect(set.decide({ ...q, http: { method: 'GET', path: '/admin' } })).toBe('l7-denied');
    expect(set.decide({ ...q, http: { method: 'POST', path: '/public/a' } })).toBe('l7-denied');
    expect(set.decide({ ...q, port: 8081 })).toBe('denied');
    expect(set.decide({ ...q, from: parseEndpoint('pod:shop:app=other') })).toBe('denied');
    for (const query of [q, { ...q, http: { method: 'GET', path: '/admin' } }, { ...q, port: 8081 }]) {
      expect(set.decide(query)).toBe(set.verdict(query).verdict);
    }
  });

  test('kept L7 decisions: each request by its method, path and host, or its DNS name; headers and mixed requests judged every time', () => {
    const set = PolicySet.fromYaml(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts:
        - ports: [{ port: "8080", protocol: TCP }]
          rules: { http: [{ method: GET, path: "/public/.*", host: 'api\\.shop' }, { method: GET, path: "/h", headers: ["X-Token: 1"] }] }
        - ports: [{ port: "53", protocol: UDP }]
        - ports: [{ port: "53", protocol: TCP }, { port: "9092", protocol: TCP }]
          rules: { http: [{ method: GET, path: "/public/.*" }] }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
    - toEndpoints: [{ matchLabels: { app: api } }]
      toPorts:
        - ports: [{ port: "8080", protocol: TCP }]
        - ports: [{ port: "53", protocol: UDP }]
          rules: { dns: [{ matchPattern: "*.shop.internal" }] }
        - ports: [{ port: "53", protocol: TCP }]
          rules: { dns: [{ matchPattern: "*.shop.internal" }] }
        - ports: [{ port: "9092", protocol: TCP }]
          rules: { kafka: [{ role: produce, topic: orders }] }
`);
    const from = parseEndpoint('pod:shop:app=web');
    const to = parseEndpoint('pod:shop:app=api');
    const q = { from, to, protocol: 'TCP', port: 8080 };
    const queries: VerdictQuery[] = [
      { ...q, http: { method: 'GET', path: '/public/a', host: 'api.shop' } },
      { ...q, http: { method: 'GET', path: '/public/a' } },
      { ...q, http: { method: 'GET', path: '/public/a', host: 'other' } },
      { ...q, http: { method: 'GET', path: '/h' } },
      { ...q, http: { method: 'GET', path: '/h', headers: { 'X-Token': '1' } } },
      { ...q, http: { method: 'GET', path: '/h', headers: { 'X-Other': '1' } } },
      { ...q, protocol: 'UDP', port: 53, dns: 'a.shop.internal' },
      { ...q, protocol: 'UDP', port: 53, dns: 'a.example.com' },
      { ...q, protocol: 'UDP', port: 53, dns: 'a.shop.internal', http: { method: 'GET', path: '/x' } },
      // The same HTTP request beside another DNS name: a mixed query is not kept by its HTTP request alone.
      { ...q, protocol: 'UDP', port: 53, dns: 'a.example.com', http: { method: 'GET', path: '/x' } },
      // Where HTTP rules (ingress) and DNS or Kafka rules (egress) both judge: neither request alone keys the decision.
      { ...q, port: 53, dns: 'a.shop.internal', http: { method: 'GET', path: '/public/a' } },
      { ...q, port: 53, dns: 'a.shop.internal', http: { method: 'GET', path: '/admin' } },
      { ...q, port: 53, dns: 'a.example.com', http: { method: 'GET', path: '/public/a' } },
      { ...q, port: 9092, http: { method: 'GET', path: '/public/a' }, kafka: { apiKey: 'produce', topic: 'orders' } },
      { ...q, port: 9092, http: { method: 'GET', path: '/public/a' }, kafka: { apiKey: 'produce', topic: 'audit' } },
      { ...q, port: 9092, http: { method: 'GET', path: '/admin' }, kafka: { apiKey: 'produce', topic: 'orders' } },
      { ...q, port: 9092, dns: 'a.shop.internal', kafka: { apiKey: 'produce', topic: 'orders' } },
      { ...q, port: 9092, dns: 'a.shop.internal', kafka: { apiKey: 'produce', topic: 'audit' } },
      // A null request (from JavaScript or JSON) is no request: allowed at L4, as verdict() says.
      { ...q, http: null as unknown as undefined },
    ];
    const expected = ['allowed', 'l7-denied', 'l7-denied', 'l7-denied', 'allowed', 'l7-denied', 'allowed', 'l7-denied', 'allowed', 'l7-denied',
      'allowed', 'l7-denied', 'l7-denied', 'allowed', 'l7-denied', 'l7-denied', 'allowed', 'l7-denied', 'allowed'];
    for (let round = 0; round < 2; round++) {
      for (const [i, query] of [...queries.entries()].reverse()) {
        expect([i, set._decide(query)]).toEqual([i, expected[i]]);
        expect([i, set._verdict(query).verdict]).toEqual([i, expected[i]]);
      }
    }
  });

  // Where the proxy terminates TLS, a request without a scheme is https: it and one of scheme `http` are not one kept decision.
  test.each([[['http', undefined]], [[undefined, 'http']]])('kept L7 decisions on a terminatingTLS port: scheme omitted and http apart (order %j)', (order) => {
    const set = PolicySet.fromYaml(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts:
        - ports: [{ port: "443", protocol: TCP }]
          terminatingTLS: { secret: { name: cert } }
          rules: { http: [{ headerMatches: [{ name: ":scheme", value: https }] }] }
`);
    const q = { from: parseEndpoint('pod:shop:app=web'), to: parseEndpoint('pod:shop:app=api'), protocol: 'TCP', port: 443 };
    for (let round = 0; round < 2; round++) {
      for (const scheme of order) {
        const query: VerdictQuery = { ...q, http: { method: 'GET', path: '/a', ...(scheme !== undefined ? { scheme } : {}) } };
        const expected = scheme === undefined ? 'allowed' : 'l7-denied';
        expect([scheme, set.decide(query)]).toEqual([scheme, expected]);
        expect([scheme, set.verdict(query).verdict]).toEqual([scheme, expected]);
      }
    }
  });

  test('identities selected by the same rules share decisions, except on DNS names (their lookups are judged per client)', () => {
    const yaml = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: client, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: client } }
  egress:
    - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]
      toPorts: [{ ports: [{ port: "53", protocol: UDP }], rules: { dns: [{ matchPattern: "*" }] } }]
    - toFQDNs: [{ matchName: api.example.com }]
      toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: dns, namespace: kube-system }
spec:
  endpointSelector: { matchLabels: { k8s-app: kube-dns } }
  ingress:
    - fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: shop, version: v1 } }]
      toPorts: [{ ports: [{ port: "53", protocol: UDP }] }]
`;
    const api = parseEndpoint('fqdn:api.example.com@192.0.2.10');
    const ip = parseEndpoint('cidr:192.0.2.10');
    const v1 = parseEndpoint('pod:shop:app=client,version=v1');
    const v2 = parseEndpoint('pod:shop:app=client,version=v2');
    const expected = new Map([[v1, 'allowed'], [v2, 'denied']]);
    for (const order of [[v2, v1], [v1, v2]]) {
      const set = PolicySet.fromYaml(yaml);
      for (const from of order) {
        const q = { from, to: api, protocol: 'TCP', port: 443 };
        expect(set.decide(q)).toBe(expected.get(from));
        expect(set.verdict(q).verdict).toBe(expected.get(from));
        // The same address without the name: no toFQDNs match for either (a decision both identities share).
        expect(set.decide({ ...q, to: ip })).toBe('denied');
      }
    }
  });

  test('ICMP queries in every spelling decide as verdict() does (numeric types read without building the layer-4 query)', () => {
    const set = PolicySet.fromYaml(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ping, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      icmps: [{ fields: [{ type: 8 }, { family: IPv6, type: EchoRequest }] }]
`, { ipFamilies: IpFamilies.DUAL });
    const from = parseEndpoint('pod:shop:app=web');
    const to = parseEndpoint('pod:shop:app=api');
    const cases: [Partial<VerdictQuery>, string][] = [
      [{ protocol: 'ICMP', icmpType: 8 }, 'allowed'],
      [{ protocol: 'ICMP' }, 'allowed'], // EchoRequest of IPv4 by default
      [{ protocol: 'ICMP', icmpFamily: 'IPv4', icmpType: 0 }, 'denied'],
      [{ protocol: 'ICMP', icmpFamily: 'IPv6', icmpType: 128 }, 'allowed'],
      [{ protocol: 'ICMP', icmpFamily: 'IPv6' }, 'allowed'], // EchoRequest of IPv6 by default
      [{ protocol: 'ICMP', icmpFamily: 'IPv6', icmpType: 8 }, 'denied'], // type 8 of IPv6 is not IPv4's echo request
      [{ protocol: 'ICMPv6', icmpType: 128 }, 'allowed'],
      [{ protocol: 'icmp', icmpType: 8 }, 'allowed'],
      [{ protocol: 'ICMP', icmpType: 'EchoRequest' as unknown as number }, 'allowed'],
      [{ protocol: 'ICMP', icmpType: 255 }, 'denied'],
    ];
    for (const [l4, expected] of cases) {
      const q = { from, to, ...l4 } as VerdictQuery;
      expect(set.decide(q), JSON.stringify(l4)).toBe(expected);
      expect(set.decide(q), JSON.stringify(l4)).toBe(expected);
      expect(set.verdict(q).verdict, JSON.stringify(l4)).toBe(expected);
    }
    // Malformed ICMP queries fail as verdict() fails.
    for (const l4 of [{ icmpType: 256 }, { icmpType: -1 }, { icmpType: 1.5 }, { icmpType: 'Nope' }, { icmpFamily: 'IPv5' }]) {
      const q = { from, to, protocol: 'ICMP', ...l4 } as unknown as VerdictQuery;
      let error: unknown;
      try {
        set.verdict(q);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(l4)).toBeInstanceOf(Error);
      expect(() => set.decide(q), JSON.stringify(l4)).toThrow((error as Error).message);
    }
  });

  test('a port that is no port number (0, 65536, 1.5, none) is refused by verdict() and decide() alike, never judged', () => {
    const set = PolicySet.fromYaml(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress: [{ fromEndpoints: [{ matchLabels: { app: web } }] }]
`);
    const from = parseEndpoint('pod:shop:app=web');
    const to = parseEndpoint('pod:shop:app=api');
    for (const port of [0, 65536, 1.5, -80, undefined]) {
      const q = { from, to, protocol: 'TCP', port } as unknown as VerdictQuery;
      const message = `port ${port ?? '(none)'} is not a port number between 1 and 65535`;
      expect(() => set.verdict(q), String(port)).toThrow(message);
      expect(() => set.decide(q), String(port)).toThrow(message);
    }
    expect(set.decide({ from, to, protocol: 'TCP', port: 65535 } as VerdictQuery)).toBe('allowed');
  });

  test('first decisions through the cheaper paths: some of an item\'s port entries, exact-port indexes, allows without L7 refinement', () => {
    const yaml = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts:
        - ports: [{ port: "80", protocol: TCP }]
          rules: { http: [{ method: GET, path: "/a" }] }
        - ports: [{ port: "81", protocol: TCP }]
        - ports: [{ port: "80", protocol: TCP }, { port: "82", protocol: TCP }]
          rules: { http: [{ method: GET, path: "/b" }] }
    - fromEndpoints: [{ matchLabels: { app: admin } }]
      toPorts:
        - ports: [{ port: "80", protocol: TCP }]
          rules: { http: [{ method: POST, path: "/c" }] }
        - ports: [{ port: "80", protocol: TCP }]
    - fromEndpoints: [{ matchLabels: { app: ops } }]
    - fromEndpoints: [{ matchLabels: { app: dns } }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: dns, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: dns } }
  egress:
    - toEndpoints: [{ matchLabels: { app: api } }]
      toPorts:
        - ports: [{ port: "53", protocol: UDP }]
          rules: { dns: [{ matchPattern: "*.shop" }] }
        - ports: [{ port: "53", protocol: ANY }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: lenient, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: lenient } }
  enableDefaultDeny: { ingress: false, egress: false }
  egress:
    - toEndpoints: [{ matchLabels: { app: api } }]
      toPorts:
        - ports: [{ port: "53", protocol: UDP }]
          rules: { dns: [{ matchName: "a.shop" }] }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts:
        - ports: [{ port: "8080", protocol: TCP }]
          rules: { http: [{ method: GET }] }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: exact, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "90", protocol: TCP }, { port: "90", protocol: UDP }, { port: "91", protocol: SCTP }] }]
  ingressDeny:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "91", protocol: TCP }] }]
`;
    const peers = ['web', 'admin', 'ops', 'dns', 'lenient', 'other'].map((app) => parseEndpoint(`pod:shop:app=${app}`));
    const subjects = ['api', 'lenient'].map((app) => parseEndpoint(`pod:shop:app=${app}`));
    const requests: Partial<VerdictQuery>[] = [
      {}, { http: { method: 'GET', path: '/a' } }, { http: { method: 'GET', path: '/b' } }, { http: { method: 'POST', path: '/c' } },
      { http: { method: 'GET', path: '/z' } }, { dns: 'x.shop' }, { dns: 'a.shop' }, { dns: 'x.example' },
    ];
    const l4s: Partial<VerdictQuery>[] = [80, 81, 82, 83, 90, 91, 53, 8080].flatMap((port) => ['TCP', 'UDP', 'SCTP'].map((protocol) => ({ port, protocol })));
    const queries: VerdictQuery[] = [];
    for (const to of subjects) {
      for (const from of peers) for (const l4 of l4s) for (const r of requests) queries.push({ from, to, ...l4, ...r } as VerdictQuery);
    }
    // Cold (each query first on a fresh set, then every query in one set), then warm: always verdict()'s verdict. SCTP is
    // judged by the policies (enable-sctp on), so that its queries take the paths too.
    const sctp = { sctp: true };
    const reference = PolicySet.fromYaml(yaml, sctp);
    const expected = queries.map((q) => reference._verdict(q).verdict);
    // The fresh sets are built from the documents read once (reading the YAML again would only repeat the parse).
    const docs = PolicyModel.fromYaml(yaml).documents.map((d) => d.model);
    expect(docs).toHaveLength(4);
    queries.forEach((q, i) => {
      if (i % 7 === 0) expect(PolicySet.fromDocuments(docs, sctp)._decide(q), JSON.stringify(q)).toBe(expected[i]);
    });
    const set = PolicySet.fromYaml(yaml, sctp);
    for (let pass = 0; pass < 2; pass++) queries.forEach((q, i) => expect(set._decide(q), JSON.stringify(q)).toBe(expected[i]));
    // The cases the paths are for, pinned.
    const [web, admin, ops, dns, lenientPeer] = peers;
    const [api, lenient] = subjects;
    const tcp = (from: typeof web, to: typeof api, port: number, extra: Partial<VerdictQuery> = {}): VerdictQuery =>
      ({ from, to, protocol: 'TCP', port, ...extra }) as VerdictQuery;
    expect(set._decide(tcp(web, api, 80, { http: { method: 'GET', path: '/b' } }))).toBe('allowed'); // through the third entry only
    expect(set._decide(tcp(web, api, 80, { http: { method: 'GET', path: '/z' } }))).toBe('l7-denied');
    expect(set._decide(tcp(web, api, 82, { http: { method: 'GET', path: '/a' } }))).toBe('l7-denied'); // 82: only /b
    expect(set._decide(tcp(admin, api, 80, { http: { method: 'GET', path: '/z' } }))).toBe('allowed'); // an entry without L7 rules
    expect(set._decide(tcp(ops, api, 4444))).toBe('allowed');
    expect(set._decide(tcp(web, api, 91))).toBe('denied'); // the deny's exact port
    expect(set._decide({ from: web, to: api, protocol: 'SCTP', port: 91 } as VerdictQuery)).toBe('allowed');
    expect(set._decide({ from: dns, to: api, protocol: 'UDP', port: 53, dns: 'x.example' } as VerdictQuery)).toBe('allowed'); // widened
    expect(set._decide(tcp(web, lenient, 8080, { http: { method: 'POST', path: '/' } }))).toBe('allowed'); // visibility only
    expect(set._decide(tcp(web, api, 83))).toBe('denied');
    expect(set._decide({ from: lenientPeer, to: api, protocol: 'UDP', port: 53, dns: 'x.shop' } as VerdictQuery)).toBe('denied'); // api's ingress
    for (const q of queries) expect(set._decide(q)).toBe(set._verdict(q).verdict);
  });
});
