// `PolicySet.diff` and `PolicySet.report`, the library face the issue names: the same documents as `Connectivity.diff`
// and `Connectivity.report` (the package entry point loads the diff the engine reaches them through).
import { describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';

const base = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;
const head = base.replace('"8080"', '"9090"');

describe('PolicySet.diff and PolicySet.report', () => {
  test('a port moved: newly allowed on the new port, newly denied on the old, as Connectivity.diff says', () => {
    const before = PolicySet.fromYaml(base);
    const after = PolicySet.fromYaml(head);
    const doc = before.diff(after, { baseSource: 'main', headSource: 'pr' });
    expect(doc).toEqual(Connectivity.diff(before, after, { baseSource: 'main', headSource: 'pr' }));
    expect(doc.base.source).toBe('main');
    expect(doc.summary).toEqual({ newlyAllowed: 1, newlyDenied: 1 });
    const web = doc.endpoints.find((e) => e.name.includes('app=web'))?.id;
    const api = doc.endpoints.find((e) => e.name.includes('app=api'))?.id;
    expect(doc.changes.map((c) => [c.from, c.to, c.ports.join(), c.after])).toEqual([
      [web, api, '9090/TCP', 'allowed'],
      [web, api, '8080/TCP', 'denied'],
    ]);
  });

  test('a rename only is an empty diff, and report lists what one set allows', () => {
    const set = PolicySet.fromYaml(base);
    expect(set.diff(PolicySet.fromYaml(base.replace('name: api', 'name: api-v2'))).changes).toEqual([]);
    const report = set.report();
    expect(report).toEqual(Connectivity.report(set));
    expect(report.connections.some((c) => c.ports.join() === '8080/TCP')).toBe(true);
  });
});
