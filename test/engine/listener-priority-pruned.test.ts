// A listener's `priority` came with Cilium 1.16 (cilium/cilium#28555); the 1.14/1.15 CRDs have no such field and the API
// server prunes it, so the agent never sees it there. The one reading of a listener reference (model/listener-kind.ts
// `resolvedListener`) drops it on those versions: the restriction an allowed connection carries, its explanation, and the
// diff of two policy sets that differ by a pruned priority only say what the agent holds.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { Connectivity } from '../../src/diff';
import { EndpointKind, PolicySet } from '../../src/engine';

function yaml(priority: number): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { app: api } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }], listener: { envoyConfig: { name: cec }, name: l1, priority: ${priority} } }]
`;
}

const set = (priority: number, version: CiliumVersion): PolicySet => PolicySet.fromYaml(yaml(priority), { file: `p${priority}.yaml`, ciliumVersion: version });
const web = { kind: EndpointKind.POD, namespace: 'prod', labels: { app: 'web' } };
const api = { kind: EndpointKind.POD, namespace: 'prod', labels: { app: 'api' } };

describe('listener priority pruned up to 1.15', () => {
  test.each([
    [CiliumVersion.V1_14, undefined], [CiliumVersion.V1_15, undefined], [CiliumVersion.V1_16, 2], [CiliumVersion.V1_19, 2],
  ])('%s: the restriction of web -> api:8080 carries priority %s', (version, priority) => {
    const v = set(2, version).verdict({ from: web, to: api, port: 8080, protocol: 'TCP' });
    expect(v.allowed).toBe(true);
    const restrictions = v.egress.unevaluatedRestrictions ?? [];
    expect(restrictions).toHaveLength(1);
    expect(restrictions[0].listener?.priority).toBe(priority);
    expect(restrictions[0].listener?.name).toBe('l1');
    expect(v.egress.unevaluatedRestriction?.includes('(priority 2)')).toBe(priority !== undefined);
    // Another port is denied either way.
    expect(set(2, version).verdict({ from: web, to: api, port: 8081, protocol: 'TCP' }).allowed).toBe(false);
  });

  test.each([[CiliumVersion.V1_15, 0], [CiliumVersion.V1_16, 1]])('%s: diff of priority 1 -> 2 lists %s not-compared change', (version, count) => {
    const doc = Connectivity.diff(set(1, version), set(2, version));
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared ?? []).toHaveLength(count);
  });
});
