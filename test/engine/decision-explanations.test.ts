// What an explained side verdict says beside its decision (src/engine/evaluate.ts: near misses naming each peer kind and
// port list, the L7 request as the proxy's answer names it): the text `trace` prints, asked through judged(), so decide()
// and the naive evaluator agree with every verdict.
import { describe, expect, test } from 'vitest';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';
const P443 = [{ ports: [{ port: '443', protocol: 'TCP' }] }];

describe('near misses name the peers of every kind an item allows on the port', () => {
  test('entities, CIDRs and FQDN selectors, each listed', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [
        { toEntities: ['world', 'host'], toPorts: P443 },
        { toCIDR: ['10.0.0.0/8', '192.0.2.0/24'], toPorts: P443 },
        { toFQDNs: [{ matchName: 'a.example.com' }, { matchPattern: '*.b.com' }], toPorts: P443 },
      ],
    })]);
    const v = judged(set, WEB, API, 443);
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes).toEqual([
      'CiliumNetworkPolicy default/p spec.egress[0] allows 443/TCP only to entities world, host',
      'CiliumNetworkPolicy default/p spec.egress[1] allows 443/TCP only to CIDR 10.0.0.0/8, 192.0.2.0/24',
      'CiliumNetworkPolicy default/p spec.egress[2] allows 443/TCP only to FQDNs matchName: a.example.com, matchPattern: *.b.com',
    ]);
    // Neither the port nor the peer: no near miss.
    expect(judged(set, WEB, API, 'icmp/8').egress.notes).toEqual([]);
  });

  test('Services, cloud provider groups and node selectors', () => {
    // The Service is given: a toServices item with toPorts whose Service is not in the inputs is not judged
    // (test/engine/services-unresolved.test.ts).
    const db = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' }, spec: { selector: { app: 'db' }, ports: [{ port: 443 }] } };
    const set = policySet([db, cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [
        { toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }], toPorts: P443 },
        { toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }], toPorts: P443 },
        { toNodes: [labels({ zone: 'a' })], toPorts: P443 },
      ],
    })], { nodeSelectorLabels: true });
    expect(judged(set, WEB, API, 443).egress.notes).toEqual([
      // The agent does not import a policy with toGroups (RequiresDerivative): test/engine/groups-derivative.test.ts.
      'Cilium refuses the policy of this endpoint: CiliumNetworkPolicy default/p spec.egress[1] has toGroups, so the agent does not import its policy '
        + '(RequiresDerivative): it enforces the derivative policy p-togroups-<uid> the operator writes with the groups\' addresses from the cloud API, '
        + 'so this verdict is not what the agent enforces; give the derivative policy (kubectl get cnp -n default -l '
        + 'io.cilium.network.policy.kind=derivative -o yaml) with the policies, or select the addresses with toCIDRSet or a CiliumCIDRGroup',
      'toGroups (AWS) is resolved by the operator into CIDRs from the cloud API; the engine cannot resolve it, so it selects nothing here',
      'CiliumNetworkPolicy default/p spec.egress[0] allows 443/TCP only to services Service data/db',
      'CiliumNetworkPolicy default/p spec.egress[1] allows 443/TCP only to cloud provider groups',
      'CiliumNetworkPolicy default/p spec.egress[2] allows 443/TCP only to toNodes {any:zone=a, reserved:remote-node Exists, k8s:io.cilium.k8s.policy.cluster=default}',
    ]);
  });
  test('a Service not found in an item without ports: the note ends there (no item is left open to every peer)', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] }],
    })]);
    const v = judged(set, WEB, 'cidr:192.0.2.10', 443);
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes).toContain('toServices: Service data/db is not in the inventory (give the Service manifest), so it selects nothing here');
  });
});

describe('near misses name the Services found', () => {
  test('a Service in the inventory is named by its namespace and name', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' }, spec: { ports: [{ port: 5432 }] } };
    const eps = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'data' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }] };
    const set = policySet([svc, eps, cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
    })]);
    const v = judged(set, WEB, 'cidr:192.0.2.11', 5432);
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes).toEqual(['CiliumNetworkPolicy default/p spec.egress[0] allows 5432/TCP only to services Service data/db']);
  });
});

describe('the L7 request as a refusal names it', () => {
  test('a Kafka request without a topic is named by its api key alone', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ apiKey: 'produce' }] } }] }],
    })]);
    const v = judged(set, WEB, API, 9092, { kafka: { apiKey: 'fetch' } });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.reason).toBe('L7 denied (Kafka error response): CiliumNetworkPolicy default/p spec.ingress[0] allows the connection, but fetch matches none of its KAFKA rules');
    expect(v.ingress.l7).toEqual({ protocol: 'kafka', result: 'denied', rules: ['apiKey=produce'], reason: 'the KAFKA request fetch matches none of the rules (Kafka error response)' });
  });
});

describe('the local host and a selector that selects it without being the host selector', () => {
  const http = [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }];
  const set = (peer: Record<string, unknown>): ReturnType<typeof policySet> =>
    policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ ...peer, toPorts: http }] })]);

  test('reserved:host Exists is not the host selector: Cilium adds the host with an L7 allow-all, so the host passes', () => {
    const v = judged(set({ fromEndpoints: [{ matchExpressions: [{ key: 'reserved:host', operator: 'Exists' }] }] }), 'entity:host', API, 80, { http: 'POST /' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.l7).toMatchObject({ matched: '(allow-all for the host)' });
  });

  test('reserved:host In ("") is the host selector: the host is held to the rules; the cluster entity names it too', () => {
    const named = set({ fromEndpoints: [{ matchExpressions: [{ key: 'reserved:host', operator: 'In', values: [''] }] }] });
    expect(judged(named, 'entity:host', API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
    expect(judged(set({ fromEntities: ['cluster'] }), 'entity:host', API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
    expect(judged(set({ fromEntities: ['world', 'host'] }), 'entity:host', API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
  });

  // Session 54 (mutant of namesHostSelector :1343): only the one value "" makes the host selector. Cilium adds the host
  // selector to a filter with L7 rules for a selector that selects the host (pkg/policy/l4.go `createL4IngressFilter`,
  // `cacheIdentitySelector`: only when the filter lacks that selector), and `In ("", "x")` is another
  // selector that selects the host too: the host gets the allow-all beside it.
  test('reserved:host In ("", "x") selects the host without being the host selector: the host passes, a pod is not selected', () => {
    const wider = set({ fromEndpoints: [{ matchExpressions: [{ key: 'reserved:host', operator: 'In', values: ['', 'x'] }] }] });
    const v = judged(wider, 'entity:host', API, 80, { http: 'POST /' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.l7).toMatchObject({ matched: '(allow-all for the host)' });
    expect(judged(wider, 'entity:host', API, 80, { http: 'GET /' }).verdict).toBe('allowed');
    expect(judged(wider, 'pod:default:app=web', API, 80, { http: 'GET /' }).ingress.decision).toBe('default-deny');
  });
});

describe('a query with requests of several kinds is judged by the kind of the port\'s rules', () => {
  test('DNS rules judge the lookup, Kafka rules the Kafka request, whatever else the query holds', () => {
    const dns = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
    })]);
    const lookup = judged(dns, WEB, API, '53/UDP', { dns: 'a.example.com', http: 'GET /', kafka: 'produce orders' });
    expect(lookup.verdict).toBe('allowed');
    expect(lookup.egress.l7).toMatchObject({ protocol: 'dns', result: 'allowed', matched: 'matchName: a.example.com' });
    expect(judged(dns, WEB, API, '53/UDP', { dns: 'b.example.com', http: 'GET /' }).verdict).toBe('l7-denied');
    const kafka = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ apiKey: 'produce', topic: 'orders' }] } }] }],
    })]);
    const produce = judged(kafka, WEB, API, 9092, { kafka: 'produce orders', http: 'GET /' });
    expect(produce.verdict).toBe('allowed');
    expect(produce.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'allowed', matched: 'apiKey=produce topic=orders' });
  });
});

describe('an item that selects no peer is no near miss', () => {
  test('fromEndpoints: [] on the port (Cilium 1.16+: selects nothing) is not named as allowing the port from some peer', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ fromEndpoints: [], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    })]);
    const v = judged(set, WEB, API, 80);
    expect(v.ingress.decision).toBe('default-deny');
    expect(v.ingress.notes.filter((n) => n.includes(' only '))).toEqual([]);
  });
});

// Session 54 (mutant of dedupe :1299): a note two items give in the same words is one note, also when it is the side's only
// note (a pairwise comparison that returned the list as it was once two notes differed would have kept both).
describe('a note given twice is listed once', () => {
  test('two policies with a toServices entry naming no Service: one note on the allowed side, the decision unchanged', () => {
    const spec = { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{}] }, { toEntities: ['all'] }] };
    const note = 'toServices: an entry with neither k8sService nor k8sServiceSelector names no Service, so it adds no selector, '
      + 'and the item has no toPorts or icmps: it selects nothing';
    for (const docs of [[cnp('a', spec)], [cnp('a', spec), cnp('b', spec)]]) {
      const v = judged(policySet(docs), WEB, 'cidr:198.51.100.7', 80);
      expect(v.egress.decision).toBe('allowed');
      expect(v.egress.rule?.path).toBe('spec.egress[1]');
      expect(v.egress.notes).toEqual([note]);
    }
  });
});
