// A `toServices` entry naming an ExternalName Service. Up to 1.17 the agent does not hold such a Service
// (pkg/k8s/service.go `ParseService`: "External-name services must be ignored"), so the entry adds no peer selector
// whatever Endpoints the inputs give it, and an item left without one opens its ports to every peer (as for a Service that
// does not exist). From 1.18 the load-balancer tables hold it like any other (pkg/loadbalancer/reflectors/conversions.go
// `convertService` copies its selector without looking at its type), so `processRule` adds its written selector, or the
// addresses of its Endpoints: read as any other Service (without Endpoints, a selector-less one is not judged).
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { EndpointKind, PolicySet } from '../../src/engine';
import { notJudgedRefusal } from './helpers';

const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toServices: [{ k8sService: { serviceName: ext, namespace: shop } }]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`;
/** Without toPorts (1.16 refuses toServices beside toPorts): an item left without a selector allows nothing. */
const L3_ONLY = POLICY.replace('\n    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]', '');
const service = (type: string, selector = false): string => `---
apiVersion: v1
kind: Service
metadata: { name: ext, namespace: shop }
spec:
  type: ${type}${selector ? '\n  selector: { app: db }' : ''}
  ${type === 'ExternalName' ? 'externalName: api.example.com' : 'clusterIP: 10.96.0.50'}
  ports: [{ port: 443 }]
`;
const ENDPOINTS = `---
apiVersion: v1
kind: Endpoints
metadata: { name: ext, namespace: shop }
subsets:
- addresses: [{ ip: 203.0.113.7 }]
  ports: [{ port: 443 }]
`;

/** decide()'s verdict of web -> cidr:`ip`:`port`/TCP, or `not judged`. */
function outcome(yaml: string, version: CiliumVersion, ip: string, port = 443): string {
  const set = PolicySet.fromYaml(yaml, { file: 'p.yaml', ciliumVersion: version });
  const to = ip.startsWith('pod:') ? set.endpoint(ip) : { kind: EndpointKind.CIDR, ip };
  const q = { from: { kind: EndpointKind.POD, namespace: 'shop', labels: { app: 'web' } }, to, port, protocol: 'TCP' };
  const refusal = notJudgedRefusal(() => set.decide(q));
  return refusal === undefined ? set.decide(q) : 'not judged';
}

const V = CiliumVersion;
describe('toServices to an ExternalName Service', () => {
  // [case, yaml, version, the endpoint's address, another address, the endpoint's address on port 80]
  const cases: [string, string, CiliumVersion, string, string, string][] = [
    ['ExternalName with Endpoints, L3 only, 1.16', L3_ONLY + service('ExternalName') + ENDPOINTS, V.V1_16, 'denied', 'denied', 'denied'],
    ['ClusterIP selector-less with Endpoints, L3 only, 1.16', L3_ONLY + service('ClusterIP') + ENDPOINTS, V.V1_16, 'allowed', 'denied', 'allowed'],
    ['ExternalName with Endpoints, 1.17', POLICY + service('ExternalName') + ENDPOINTS, V.V1_17, 'allowed', 'allowed', 'denied'],
    ['ExternalName without Endpoints, 1.17', POLICY + service('ExternalName'), V.V1_17, 'allowed', 'allowed', 'denied'],
    // From 1.18 held: a selector-less one without Endpoints in the inputs adds their addresses if the cluster has some.
    ['ExternalName without Endpoints, 1.18', POLICY + service('ExternalName'), V.V1_18, 'not judged', 'not judged', 'not judged'],
    ['ExternalName without Endpoints, 1.19', POLICY + service('ExternalName'), V.V1_19, 'not judged', 'not judged', 'not judged'],
    ['ExternalName with Endpoints, 1.19 (read as a selector-less Service)', POLICY + service('ExternalName') + ENDPOINTS, V.V1_19, 'allowed', 'denied', 'denied'],
    ['ClusterIP selector-less with Endpoints, 1.17', POLICY + service('ClusterIP') + ENDPOINTS, V.V1_17, 'allowed', 'denied', 'denied'],
  ];
  test.each(cases)('%s', (_, yaml, version, endpoint, other, port80) => {
    const got = [outcome(yaml, version, '203.0.113.7'), outcome(yaml, version, '198.51.100.1'), outcome(yaml, version, '203.0.113.7', 80)];
    expect(got).toEqual([endpoint, other, port80]);
  });

  // A written selector: ignored up to 1.17 (every peer), a generated toEndpoints selector from 1.18 (only app=db pods).
  test.each([[V.V1_17, 'allowed', 'allowed'], [V.V1_18, 'denied', 'allowed'], [V.V1_19, 'denied', 'allowed']] as const)(
    'ExternalName with a selector, without Endpoints, %s: an outside address %s, an app=db pod %s', (version, outside, pod) => {
      const yaml = POLICY + service('ExternalName', true);
      expect([outcome(yaml, version, '198.51.100.1'), outcome(yaml, version, 'pod:shop:app=db'), outcome(yaml, version, 'pod:shop:app=db', 80)])
        .toEqual([outside, pod, 'denied']);
    });

  test('the note says the agent ignores it', () => {
    const set = PolicySet.fromYaml(POLICY + service('ExternalName') + ENDPOINTS, { file: 'p.yaml', ciliumVersion: V.V1_17 });
    const v = set.verdict({ from: { kind: EndpointKind.POD, namespace: 'shop', labels: { app: 'web' } }, to: { kind: EndpointKind.CIDR, ip: '198.51.100.1' },
      port: 443, protocol: 'TCP' });
    expect(v.allowed).toBe(true);
    expect(JSON.stringify(v)).toContain('is an ExternalName Service, which Cilium 1.17 does not hold');
  });
});
