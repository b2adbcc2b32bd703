// Property: the engine's verdicts equal those of an independent reference evaluator written from the spec
// (support/reference-evaluator.ts: its own selector matching, entities, CIDRs, port parsing and precedence, no engine
// code), on random policy sets of the reference's grammar and random connections: both sides' decisions and the verdict.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PolicySet, Verdict } from '../../src/engine';
import { propertyParams } from '../support/property';
import { RefDecision, RefEndpoint, RefItem, RefRule, RefSelector, referenceVerdict } from './support/reference-evaluator';

const NAMESPACES = ['ns1', 'ns2'];

const selector: fc.Arbitrary<RefSelector> = fc.record({
  matchLabels: fc.option(fc.dictionary(fc.constantFrom('app', 'k8s:app', 'container:app', 'any:app'), fc.constantFrom('a', 'b', 'c'), { maxKeys: 1 }),
    { nil: undefined }),
  matchExpressions: fc.option(fc.array(fc.record({
    key: fc.constantFrom('app', 'tier', 'k8s:tier'),
    operator: fc.constantFrom('In' as const, 'NotIn' as const, 'Exists' as const, 'DoesNotExist' as const),
    values: fc.constantFrom(['a'], ['b', 'c'], ['x']),
  }).map((e) => (e.operator === 'Exists' || e.operator === 'DoesNotExist' ? { key: e.key, operator: e.operator } : e)), { minLength: 1, maxLength: 2 }),
  { nil: undefined }),
}, { requiredKeys: [] }).map(prune);

/** A peer selector may pin a namespace (then a CNP does not inject its own). */
const peerSelector: fc.Arbitrary<RefSelector> = fc.tuple(selector, fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined, freq: 3 }))
  .map(([s, ns]) => (ns === undefined ? s : { ...s, matchLabels: { ...(s.matchLabels ?? {}), 'k8s:io.kubernetes.pod.namespace': ns } }));

const ports = fc.array(fc.record({
  port: fc.constantFrom('80', '443', '0', '010', '8080', '53', '8'),
  endPort: fc.option(fc.constantFrom(90, 444, 8090, 5), { nil: undefined, freq: 3 }),
  protocol: fc.option(fc.constantFrom('TCP' as const, 'UDP' as const, 'ANY' as const), { nil: undefined }),
}, { requiredKeys: ['port'] }).map(prune), { minLength: 1, maxLength: 2 });

const item = (deny: boolean): fc.Arbitrary<RefItem> => {
  const peer = fc.oneof(
    fc.constant({}),
    fc.array(peerSelector, { minLength: 1, maxLength: 2 }).map((endpoints) => ({ endpoints })),
    fc.subarray(['world', 'cluster', 'host', 'remote-node', 'all'], { minLength: 1 }).map((entities) => ({ entities })),
    fc.subarray(['10.0.0.0/8', '192.0.2.0/24', '0.0.0.0/0'], { minLength: 1 }).map((cidr) => ({ cidr })),
    fc.constant({ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }),
  );
  const l4 = fc.option(fc.array(ports.map((p) => ({ ports: p })), { minLength: 1, maxLength: 2 }), { nil: undefined });
  return fc.tuple(peer, l4).map(([p, toPorts]) => (toPorts ? { ...p, toPorts } : p))
    // `{}` (no peer, no port) only in allow sections: "select, allow nothing" (§6.2).
    .filter((i) => !deny || Object.keys(i).length > 0);
};

const section = (deny: boolean): fc.Arbitrary<RefItem[] | undefined> =>
  fc.option(fc.array(item(deny), { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 });

const rule: fc.Arbitrary<RefRule> = fc.record({
  kind: fc.constantFrom('CiliumNetworkPolicy' as const, 'CiliumClusterwideNetworkPolicy' as const),
  namespace: fc.constantFrom(...NAMESPACES),
  endpointSelector: selector,
  ingress: section(false),
  ingressDeny: section(true),
  egress: section(false),
  egressDeny: section(true),
  dd: fc.record({ ingress: fc.option(fc.boolean(), { nil: undefined }), egress: fc.option(fc.boolean(), { nil: undefined }) }),
}).filter((r) => [r.ingress, r.ingressDeny, r.egress, r.egressDeny].some((s) => s !== undefined))
  .map(({ kind, namespace, dd, ...rest }) => {
    const has = (d: 'ingress' | 'egress'): boolean => rest[d] !== undefined || rest[`${d}Deny`] !== undefined;
    const enableDefaultDeny = prune({ ingress: has('ingress') ? dd.ingress : undefined, egress: has('egress') ? dd.egress : undefined });
    return prune({
      kind, ...(kind === 'CiliumNetworkPolicy' ? { namespace } : {}), ...rest,
      ...(Object.keys(enableDefaultDeny).length > 0 ? { enableDefaultDeny } : {}),
    }) as RefRule;
  });

const endpoint: fc.Arbitrary<RefEndpoint> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ ns: fc.constantFrom(...NAMESPACES), app: fc.constantFrom('a', 'b', 'c'), tier: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }) })
    .map((p) => prune({ kind: 'pod' as const, ...p })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'host' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'remote-node' as const }) },
  { weight: 2, arbitrary: fc.constantFrom('10.1.2.3', '10.2.0.1', '192.0.2.9', '8.8.8.8').map((ip) => ({ kind: 'world' as const, ip })) },
);

const query = fc.record({
  from: endpoint,
  to: endpoint,
  protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
  port: fc.constantFrom(8, 10, 53, 80, 85, 90, 443, 444, 8080, 8085),
});

// ---- rendering the grammar as Cilium YAML and engine endpoints ---------------------------------------------------------

function toYaml(r: RefRule, i: number): string {
  const wire = (items: readonly RefItem[] | undefined, prefix: 'from' | 'to'): unknown => items?.map((it) => prune({
    [`${prefix}Endpoints`]: it.endpoints, [`${prefix}Entities`]: it.entities, [`${prefix}CIDR`]: it.cidr, [`${prefix}CIDRSet`]: it.cidrSet, toPorts: it.toPorts,
  }));
  const spec = prune({
    endpointSelector: r.endpointSelector,
    ingress: wire(r.ingress, 'from'), ingressDeny: wire(r.ingressDeny, 'from'), egress: wire(r.egress, 'to'), egressDeny: wire(r.egressDeny, 'to'),
    enableDefaultDeny: r.enableDefaultDeny,
  });
  const metadata = r.kind === 'CiliumNetworkPolicy' ? { name: `p${i}`, namespace: r.namespace } : { name: `p${i}` };
  return JSON.stringify({ apiVersion: 'cilium.io/v2', kind: r.kind, metadata, spec });
}

function endpointText(e: RefEndpoint): string {
  switch (e.kind) {
    case 'pod': return `pod:${e.ns}:app=${e.app}${e.tier !== undefined ? `,tier=${e.tier}` : ''}`;
    case 'host': return 'entity:host';
    case 'remote-node': return 'entity:remote-node';
    case 'world': return `cidr:${e.ip}`;
  }
}

/** The engine's decision in the reference's words. */
function decisionOf(d: Verdict['egress']['decision']): RefDecision | string {
  switch (d) {
    case 'denied-by-deny-rule': return 'deny-rule';
    case 'allowed': return 'allow-rule';
    case 'allow-localhost': return 'allow-localhost';
    case 'default-deny': return 'default-deny';
    case 'no-policy-default-allow': case 'non-default-deny-allow': return 'default-allow';
    case 'not-evaluated': return 'not-evaluated';
    default: return d;
  }
}

function prune<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

describe('engine vs the reference evaluator written from the spec', () => {
  test('agree on both sides\' decisions and the verdict', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(fc.array(rule, { minLength: 0, maxLength: 5 }), fc.array(query, { minLength: 1, maxLength: 20 }), fc.boolean(),
      (rules, queries, allowLocalhost) => {
        const set = PolicySet.fromYaml(rules.map(toYaml).join('\n---\n'), { file: 'random.yaml', allowLocalhost });
        expect(set.diagnostics.filter((d) => d.severity === 'error' || d.id === 'engine-policy-skipped')).toEqual([]);
        for (const q of queries) {
          const [from, to] = [set.endpoint(endpointText(q.from)), set.endpoint(endpointText(q.to))];
          const v = set.verdict({ from, to, protocol: q.protocol, port: q.port });
          const ref = referenceVerdict(rules, q.from, q.to, q.protocol, q.port, { allowLocalhost });
          const got = { egress: decisionOf(v.egress.decision), ingress: decisionOf(v.ingress.decision), allowed: v.allowed };
          expect(got, `${endpointText(q.from)} -> ${endpointText(q.to)} ${q.port}/${q.protocol}\n${v.summary}`).toEqual(ref);
          seen.add(`egress ${ref.egress}`).add(`ingress ${ref.ingress}`);
        }
      }), propertyParams('REFERENCE_AGREEMENT', 200));
    // The generated cases reach every decision of both sides (otherwise the agreement says little).
    expect([...seen].sort()).toEqual([
      'egress allow-rule', 'egress default-allow', 'egress default-deny', 'egress deny-rule', 'egress not-evaluated',
      'ingress allow-localhost', 'ingress allow-rule', 'ingress default-allow', 'ingress default-deny', 'ingress deny-rule', 'ingress not-evaluated',
    ]);
  });
});
