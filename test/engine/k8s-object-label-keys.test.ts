// A Kubernetes object's labels become identity labels as written, of source k8s (pkg/labels `Map2Labels(labels, "k8s")`):
// no source is parsed out of the key. A valid key like `reserved.example.com/tier` is the k8s label of that name; a selector
// key written so is parsed (`ParseSource`: no `:`, the `reserved.` prefix) to `reserved:example.com/tier`, which no pod has.
import { describe, expect, test } from 'vitest';
import { Endpoints, PolicySet } from '../../src/engine';
import { k8sObjectLabels } from '../../src/model/labels';
import { resolveTraceEndpoints } from '../../src/cli/trace-endpoints';

const FRONT = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: front, namespace: shop}
spec:
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front, reserved.example.com/tier: front}}
    spec:
      containers: [{name: c, image: x}]
---
apiVersion: v1
kind: Service
metadata: {name: front, namespace: shop}
spec:
  selector: {app: front}
  ports: [{port: 80, targetPort: 8080}]
`;

function policy(key: string): string {
  return `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress: [{fromEndpoints: [{matchLabels: {${JSON.stringify(key)}: front}}], toPorts: [{ports: [{port: "8080", protocol: TCP}]}]}]
`;
}

function judge(key: string, from: string): string {
  const set = PolicySet.fromYaml(`${FRONT}---${policy(key)}`, { file: 'p.yaml' });
  return set.verdict({ from: Endpoints.parse(from), to: Endpoints.parse('pod:shop:app=api'), protocol: 'TCP', port: 8080 }).verdict;
}

describe('a Kubernetes object\'s label keys are read as written, of source k8s', () => {
  test('a pod of the Deployment with label reserved.example.com/tier: a selector of that key (reserved:example.com/tier) does not select it', () => {
    // Before: the pod's label was read as reserved:example.com/tier, and the selector let it in.
    expect(judge('reserved.example.com/tier', 'pod:shop:app=front')).toBe('denied');
    expect(judge('k8s:reserved.example.com/tier', 'pod:shop:app=front')).toBe('allowed');
    expect(judge('any:reserved.example.com/tier', 'pod:shop:app=front')).toBe('allowed');
  });

  test('an endpoint written on the command line keeps Cilium\'s reading of its keys', () => {
    expect(judge('k8s:reserved.example.com/tier', 'pod:shop:app=other,k8s:reserved.example.com/tier=front')).toBe('allowed');
    // Read as the reserved label example.com/tier, which no pod carries: refused since session 59 (it was judged, denied).
    expect(() => judge('k8s:reserved.example.com/tier', 'pod:shop:app=other,reserved.example.com/tier=front'))
      .toThrow(expect.objectContaining({ id: 'engine-endpoint-syntax', fix: expect.stringContaining('k8s:reserved.example.com/tier') }));
  });

  test('trace --from svc:shop/front: the Service\'s pods are named by their labels as Kubernetes has them', () => {
    for (const [key, verdict] of [['reserved.example.com/tier', 'denied'], ['k8s:reserved.example.com/tier', 'allowed']]) {
      const set = PolicySet.fromYaml(`${FRONT}---${policy(key)}`, { file: 'p.yaml' });
      const ends = resolveTraceEndpoints(set, 'svc:shop/front', 'pod:shop:app=api', '8080');
      expect(set.verdict({ from: ends.from, to: ends.to, protocol: 'TCP', port: 8080 }).verdict, key).toBe(verdict);
    }
  });

  test('k8sObjectLabels: only keys splitLabelKey would read another source from get k8s:', () => {
    const plain = { 'app': 'x', 'example.com/tier': 'y' };
    expect(k8sObjectLabels(plain)).toBe(plain);
    expect(k8sObjectLabels({ 'app': 'x', 'reserved.example.com/tier': 'front' })).toEqual({ 'app': 'x', 'k8s:reserved.example.com/tier': 'front' });
  });
});
