// Truth tables of the connectivity diff on real policies: each change shows up as exactly the connections it changes.
import { describe, expect, test } from 'vitest';
import { diffLines } from './support';

const API = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: prod
spec:
  endpointSelector:
    matchLabels:
      app: api
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: web
    toPorts:
    - ports:
      - port: "8080"
        protocol: TCP
`;

describe('diff of CiliumNetworkPolicies', () => {
  test('a port added: newly allowed, only that port, only from the peer the rule names', () => {
    const head = API.replace('        protocol: TCP\n', '        protocol: TCP\n      - port: "9090"\n        protocol: TCP\n');
    const { doc, lines } = diffLines(API, head);
    expect(lines).toEqual(['+ prod/app=web → prod/app=api 9090/TCP']);
    expect(doc.summary).toEqual({ newlyAllowed: 1, newlyDenied: 0 });
    const c = doc.changes[0];
    expect(c.reason.before.text).toBe('default deny at ingress of prod/app=api (selected by CiliumNetworkPolicy prod/api)');
    expect(c.reason.after).toEqual({ text: 'allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0]', policy: 'CiliumNetworkPolicy prod/api', location: 'head.yaml' });
  });

  test('a port range added: merged into one entry', () => {
    const head = API.replace('      - port: "8080"\n        protocol: TCP\n', '      - port: "8080"\n        endPort: 8090\n        protocol: TCP\n');
    expect(diffLines(API, head).lines).toEqual(['+ prod/app=web → prod/app=api 8081-8090/TCP']);
  });

  test('a deny added: newly denied, before the allow it overrides', () => {
    const head = `${API}  ingressDeny:\n  - fromEndpoints:\n    - matchLabels:\n        app: web\n        version: v1\n`;
    const { doc, lines } = diffLines(API, head);
    expect(lines).toEqual(['- prod/app=web,version=v1 → prod/app=api 8080/TCP']);
    expect(doc.changes[0].reason.after.text).toBe('denied by ingress CiliumNetworkPolicy prod/api spec.ingressDeny[0]');
    expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 1 });
  });

  test('a peer removed and another added: newly allowed first, then newly denied', () => {
    const head = API.replace('        app: web', '        app: admin');
    expect(diffLines(API, head).lines).toEqual(['+ prod/app=admin → prod/app=api 8080/TCP', '- prod/app=web → prod/app=api 8080/TCP']);
  });

  test('an L7 path changed on an allowed port: an L7 change', () => {
    const l7 = (path: string): string => `${API}      rules:\n        http:\n        - method: GET\n          path: ${path}\n`;
    const { doc, lines } = diffLines(l7('/api/v1/.*'), l7('/api/.*'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 8080/TCP L7: HTTP GET /api/v1/.* → HTTP GET /api/.*']);
    expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 0, l7Changed: 1 });
  });

  test('an L7 rule added on a newly allowed port is reported with it', () => {
    const head = API.replace('        protocol: TCP\n', '        protocol: TCP\n      - port: "9090"\n        protocol: TCP\n')
      + '      rules:\n        http:\n        - method: GET\n          path: /healthz\n';
    expect(diffLines(API, head).lines).toEqual([
      '+ prod/app=web → prod/app=api 9090/TCP [HTTP GET /healthz]',
      '~ prod/app=web → prod/app=api 8080/TCP L7: (none) → HTTP GET /healthz',
    ]);
  });

  /** prod/app=web's egress to one CIDR on one TCP port. */
  const webEgressTo = (cidr: string, port: number): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toCIDR: [${cidr}]
    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]
`;

  test('egress to a CIDR: a deny of a narrower CIDR denies only its addresses', () => {
    const base = webEgressTo('10.0.0.0/8', 443);
    const head = `${base}  egressDeny:\n  - toCIDR: [10.1.0.0/16]\n`;
    expect(diffLines(base, head).lines).toEqual(['- prod/app=web → world 10.1.0.0/16 443/TCP']);
  });

  // Session 46 (README, diff): a CIDR class is the CIDR less the narrower CIDRs the rules name, which have classes of their own.
  test('a CIDR widened to its /24: the /24 class is newly allowed, the /32 allowed before is no change', () => {
    expect(diffLines(webEgressTo('10.99.0.10/32', 22), webEgressTo('10.99.0.0/24', 22)).lines).toEqual(['+ prod/app=web → world 10.99.0.0/24 22/TCP']);
  });

  test('a rename and a reformat (JSON, keys reordered, matchLabels as matchExpressions) are no change', () => {
    const head = JSON.stringify({
      kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2',
      spec: {
        ingress: [{ toPorts: [{ ports: [{ protocol: 'TCP', port: '8080' }] }], fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }] }],
        endpointSelector: { matchLabels: { app: 'api' } },
      },
      metadata: { namespace: 'prod', name: 'api-renamed' },
    });
    const { doc } = diffLines(API, head);
    expect(doc.changes).toEqual([]);
    expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 0 });
    expect(doc.endpoints.map((e) => e.id)).toContain('prod/app=api');
  });
});

describe('diff of a CiliumClusterwideNetworkPolicy', () => {
  const ccnp = (namespaces: string): string => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: allow-scrape }
spec:
  endpointSelector: { matchLabels: { app: api, "k8s:io.kubernetes.pod.namespace": prod } }
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - { key: "k8s:io.kubernetes.pod.namespace", operator: In, values: [${namespaces}] }
    toPorts: [{ ports: [{ port: "9090", protocol: TCP }] }]
`;

  test('a namespace selector widened: newly allowed from every pod of the added namespace, only there', () => {
    const { lines } = diffLines(ccnp('monitoring'), ccnp('monitoring, logging'));
    expect(lines).toEqual(['+ logging/(other pods) → prod/app=api 9090/TCP']);
  });
});

describe('diff of Kubernetes NetworkPolicies', () => {
  const np = (from: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
  - from:
${from}
    ports: [{ port: 5432, protocol: TCP }]
`;

  test('a peer added to a NetworkPolicy: newly allowed', () => {
    const base = np('    - podSelector: { matchLabels: { app: api } }');
    const head = np('    - podSelector: { matchLabels: { app: api } }\n    - podSelector: { matchLabels: { app: jobs } }');
    expect(diffLines(base, head).lines).toEqual(['+ shop/app=jobs → shop/app=db 5432/TCP']);
  });

  test('a namespaceSelector added: every pod of the selected namespaces', () => {
    const base = np('    - podSelector: { matchLabels: { app: api } }');
    const head = np('    - podSelector: { matchLabels: { app: api } }\n    - namespaceSelector: { matchLabels: { team: data } }');
    // shop has no Namespace manifest: it may be labelled team=data itself, and then its own pods are newly allowed too.
    expect(diffLines(base, head).lines).toEqual([
      '+ shop (labelled team=data)/app=db → shop/app=db 5432/TCP',
      '+ shop (labelled team=data)/(other pods) → shop/app=db 5432/TCP',
      '+ (namespaces with team=data)/(other pods) → shop/app=db 5432/TCP',
    ]);
  });
});
