// A pod endpoint with a reserved label (`pod:shop:app=api,reserved:world`) or a label of another identity's source
// (`cidr:`, `fqdn:`, `node:`) is refused (engine-endpoint-syntax), in its text form and built by hand (Endpoints.pod, a
// plain object). Cilium gives reserved labels only to the identities of entities (pkg/labels `LabelWorld`, `LabelHost`, …)
// and a pod's labels the source k8s (`Map2Labels(labels, "k8s")`; a Kubernetes label key holds no `:`). Session 59's probe:
// the pod was judged as the world (ALLOWED through `toEntities: [world]`, the same pod without it DENIED), and
// `reserved:host` on a pod met no policy.
import { describe, expect, test } from 'vitest';
import { Endpoint, EndpointKind, Endpoints } from '../../src/engine';
import { cnp, labels, policySet } from './helpers';

const WEB_TO_WORLD = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['world'] }] }, 'shop');

describe('a reserved label on a pod endpoint', () => {
  const set = policySet([WEB_TO_WORLD]);
  const q = (to: string | Endpoint): string => {
    try {
      return set.decide({ from: set.endpoint('pod:shop:app=web'), to: typeof to === 'string' ? set.endpoint(to) : to, protocol: 'TCP', port: 8080 });
    } catch (e) {
      return `${(e as { id?: string }).id ?? 'no id'}: ${(e as Error).message} | ${(e as { fix?: string }).fix ?? ''}`;
    }
  };

  test('the pod alone is denied and the world allowed: the truth table the refusal keeps', () => {
    expect([q('pod:shop:app=api'), q('entity:world'), q('cidr:203.0.113.7')]).toEqual(['denied', 'allowed', 'allowed']);
  });

  test.each(['pod:shop:app=api,reserved:world', 'pod:shop:app=api,reserved:host', 'pod:shop:reserved:world', 'pod:shop:app=api,reserved:init'])(
    '%s is refused, naming the entity to trace', (pod) => {
      const entity = pod.slice(pod.lastIndexOf('reserved:') + 'reserved:'.length);
      const r = q(pod);
      expect(r).toMatch(/^engine-endpoint-syntax: /);
      expect(r).toContain(`is the reserved label ${entity}, which no pod carries`);
      expect(r).toContain(`trace the entity itself as entity:${entity}`);
    });

  test('reserved.example.com/tier (read as reserved:example.com/tier) is refused, naming the k8s: form of the pod label', () => {
    const r = q('pod:shop:app=api,reserved.example.com/tier=front');
    expect(r).toMatch(/^engine-endpoint-syntax: /);
    expect(r).toContain('k8s:reserved.example.com/tier for the pod label reserved.example.com/tier');
    expect(q('pod:shop:app=api,k8s:reserved.example.com/tier=front')).toBe('denied');
  });

  test('built by hand: Endpoints.pod and a plain object with reserved:, cidr:, fqdn: or node: labels are refused', () => {
    for (const key of ['reserved:world', 'cidr:203.0.113.0/24', 'fqdn:api.example.com', 'node:role', 'cidrgroup:g']) {
      expect(q(Endpoints.pod('shop', { app: 'api', [key]: '' })), key).toMatch(/^engine-endpoint-syntax: /);
      expect(q({ kind: EndpointKind.POD, namespace: 'shop', labels: { app: 'api', [key]: '' } }), key).toMatch(/^engine-endpoint-syntax: /);
    }
  });

  test('built by hand: the sources a pod carries stay judged (denied: the pod is no world)', () => {
    for (const key of ['k8s:tier', 'container:tier', 'any:tier', 'unspec:tier', 'tier']) {
      expect(q(Endpoints.pod('shop', { app: 'api', [key]: 'x' })), key).toBe('denied');
    }
  });

  test('a hand-built node with a cidr: or fqdn: label is refused; reserved:kube-apiserver and node: labels are a node\'s', () => {
    for (const key of ['cidr:203.0.113.0/24', 'fqdn:api.example.com', 'reserved:world']) {
      expect(q({ kind: EndpointKind.NODE, labels: { [key]: '' } }), key).toMatch(/^engine-endpoint-syntax: /);
    }
    expect(q(Endpoints.node({ 'node:role': 'w', 'kubernetes.io/hostname': 'n1' }))).toBe('denied');
  });
});
