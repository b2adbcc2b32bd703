// An egress allow item whose toServices entries add no peer selector. pkg/policy/k8s/service.go `processRule` (1.17+;
// before, pkg/k8s/rule_translate.go `RuleTranslator` for selector-less Services only) appends a selector for each Service
// that matches an entry: its pod selector (`appendSelector`) or its endpoint addresses (`appendEndpoints`, none for a Service
// without endpoints; pkg/k8s/service_cache.go `ForEachService` does not even visit a Service without an Endpoints object).
// An item left without any selector: with toPorts or icmps its L4 filter has the wildcard peer (pkg/policy/l4.go
// `createL4Filter`), so the ports are open to every peer; without them it allows nothing (pkg/policy/rule.go `mergeEgress`).
// A Service the inputs do not hold may exist in the cluster, so such an item is not judged (the not-judged path of
// pitfall-cidr-group-ref-missing): trace exits 2, report and diff do not judge the class.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion, Connectivity, PolicySet } from '../../src';
import { SideDecision } from '../../src/engine';
import { AgentRefusalCheck } from '../../src/engine/parser-conflicts';
import { cli } from '../support/cli';
import { cnp, judged, labels, policySet, refusedByMatchers } from './helpers';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-services-unresolved-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const V = CiliumVersion;
const WEB = 'pod:default:app=web';
const PEERS = ['cidr:8.8.8.8', 'pod:other:app=x', 'pod:data:app=db', 'entity:host'];
const P5432 = [{ ports: [{ port: '5432', protocol: 'TCP' }] }];
const svc = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'data' }, spec: { ports: [{ port: 5432 }], ...spec } });
const eps = (name: string, ips: string[]): Record<string, unknown> =>
  ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'data' }, subsets: ips.length > 0 ? [{ addresses: ips.map((ip) => ({ ip })) }] : [] });
const slice = (endpoints: Record<string, unknown>[]): Record<string, unknown> => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name: 'db-x', namespace: 'data', labels: { 'kubernetes.io/service-name': 'db' } }, addressType: 'IPv4', endpoints });
const to = (item: Record<string, unknown>): Record<string, unknown> => cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [item] });
const ref = (name: string): Record<string, unknown> => ({ k8sService: { serviceName: name, namespace: 'data' } });
const refusals = (set: PolicySet): string[] => set._agentRefusals(set.endpoint(WEB)).map((r) => r.check);

describe('a Service of the inputs that adds no selector: the ports are open to every peer', () => {
  test('1.17-1.19, a selector-less Service without endpoint addresses (an empty Endpoints, or a slice of not-ready ones): every peer on 5432/TCP only; with a selector, its peers', () => {
    for (const ciliumVersion of [V.V1_17, V.V1_18, V.V1_19]) {
      for (const endpoints of [[eps('db', [])], [slice([{ addresses: ['192.0.2.10'], conditions: { ready: false } }])]]) {
        const set = policySet([svc('db'), ...endpoints, to({ toServices: [ref('db')], toPorts: P5432 })], { ciliumVersion });
        expect(refusals(set)).toEqual([]);
        for (const peer of PEERS) {
          const v = judged(set, WEB, peer, '5432/TCP');
          expect([peer, v.egress.decision, v.egress.rule?.path]).toEqual([peer, SideDecision.ALLOWED, 'spec.egress[0]']);
          expect(judged(set, WEB, peer, '5433/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
          expect(judged(set, WEB, peer, '5432/UDP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
        }
        const notes = judged(set, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.notes;
        expect(notes).toContain('toServices: no entry adds a peer selector (Service data/db has no '
          + 'selector and no endpoint address in the inputs): the item has no L3 selector, so its ports apply to every peer (as if toServices were absent)');
        // Said once.
        expect(notes.filter((n) => n.includes('Service data/db has no selector'))).toHaveLength(1);
      }
    }
    // The item has a selector: an endpoint address (that address only; without toPorts nothing else), a Service with a selector from 1.17.
    const address = policySet([svc('db'), eps('db', ['192.0.2.10']), to({ toServices: [ref('db')], toPorts: P5432 })], { ciliumVersion: V.V1_19 });
    expect(judged(address, WEB, 'cidr:192.0.2.10', '5432/TCP').egress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(address, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
    const l3 = policySet([svc('db'), eps('db', []), to({ toServices: [ref('db')] })], { ciliumVersion: V.V1_19 });
    for (const port of ['5432/TCP', '22/TCP']) expect(judged(l3, WEB, 'cidr:8.8.8.8', port).egress.decision).toBe(SideDecision.DEFAULT_DENY);
    const pods = policySet([svc('db', { selector: { app: 'db' } }), to({ toServices: [ref('db')], toPorts: P5432 })], { ciliumVersion: V.V1_17 });
    expect(judged(pods, WEB, 'pod:data:app=db', '5432/TCP').egress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(pods, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('1.14-1.16 (toPorts beside toServices refused): icmps beside a Service with a selector, which those agents do not translate, are open to every peer', () => {
    const ICMP = [{ fields: [{ type: 8, family: 'IPv4' }] }];
    for (const ciliumVersion of [V.V1_14, V.V1_16]) {
      const set = policySet([svc('db', { selector: { app: 'db' } }), to({ toServices: [ref('db')], icmps: ICMP })], { ciliumVersion });
      expect(refusals(set)).toEqual([]);
      for (const peer of ['cidr:8.8.8.8', 'pod:data:app=db']) expect(judged(set, WEB, peer, 'icmp/8').egress.decision).toBe(SideDecision.ALLOWED);
      expect(judged(set, WEB, 'cidr:8.8.8.8', 'icmp/0').egress.decision).toBe(SideDecision.DEFAULT_DENY);
      expect(judged(set, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
    }
    // From 1.17 the selector is translated: its pods only.
    const v17 = policySet([svc('db', { selector: { app: 'db' } }), to({ toServices: [ref('db')], icmps: ICMP })], { ciliumVersion: V.V1_17 });
    expect(judged(v17, WEB, 'cidr:8.8.8.8', 'icmp/8').egress.decision).toBe(SideDecision.DEFAULT_DENY);
    expect(judged(v17, WEB, 'pod:data:app=db', 'icmp/8').egress.decision).toBe(SideDecision.ALLOWED);
  });

  test('1.18: a k8sServiceSelector that does not build beside a selector-less Service without endpoints: every peer on the ports', () => {
    const bad = { k8sServiceSelector: { selector: { matchLabels: { 'k8s:app': 'db' } } } };
    const set = policySet([svc('db'), to({ toServices: [bad, ref('db')], toPorts: P5432 })], { ciliumVersion: V.V1_18 });
    expect(judged(set, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(set, WEB, 'cidr:8.8.8.8', '22/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
  });
});

describe('the endpoint addresses Cilium keeps (pkg/k8s/endpoints.go ParseEndpointSliceV1, ParseEndpoints)', () => {
  test('ready or unset, and not ready but serving, are backends; not ready and not serving, and Endpoints notReadyAddresses, are not', () => {
    const item = to({ toServices: [ref('db')], toPorts: P5432 });
    const kept = [{ addresses: ['192.0.2.10'] }, { addresses: ['192.0.2.11'], conditions: { ready: true } },
      { addresses: ['192.0.2.12'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['192.0.2.13'], conditions: { ready: false, serving: false, terminating: true } }];
    const set = policySet([svc('db'), slice(kept), item], { ciliumVersion: V.V1_19 });
    for (const [ip, decision] of [['192.0.2.10', 'ALLOWED'], ['192.0.2.11', 'ALLOWED'], ['192.0.2.12', 'ALLOWED'], ['192.0.2.13', 'DEFAULT_DENY'],
      ['8.8.8.8', 'DEFAULT_DENY']] as const) {
      expect([ip, judged(set, WEB, `cidr:${ip}`, '5432/TCP').egress.decision]).toEqual([ip, SideDecision[decision]]);
    }
    const v1 = { ...eps('db', ['192.0.2.10']), subsets: [{ addresses: [{ ip: '192.0.2.10' }], notReadyAddresses: [{ ip: '192.0.2.13' }] }] };
    const old = policySet([svc('db'), v1, item], { ciliumVersion: V.V1_19 });
    expect(judged(old, WEB, 'cidr:192.0.2.10', '5432/TCP').egress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(old, WEB, 'cidr:192.0.2.13', '5432/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
  });
});

describe('a selector-less Service given without any Endpoints or EndpointSlice: not judged', () => {
  test('its addresses are not known: trace exits 2 naming them and the fix; with an empty Endpoints, every peer', () => {
    for (const ciliumVersion of [V.V1_17, V.V1_19]) {
      const set = policySet([svc('db'), to({ toServices: [ref('db')], toPorts: P5432 })], { ciliumVersion });
      expect(refusals(set)).toEqual([AgentRefusalCheck.SERVICE_MISSING_UNDECIDED]);
      expect(refusedByMatchers(set, WEB, 'cidr:8.8.8.8', '5432/TCP')).toBe(true);
      const [found] = set._agentRefusals(set.endpoint(WEB));
      expect(found).toMatchObject({
        why: 'Service data/db has no selector and no Endpoints or EndpointSlice in the inputs, and no other entry of the item adds a peer selector: '
          + `Cilium ${ciliumVersion} adds for a selector-less Service its endpoint addresses, none when it has none (pkg/policy/k8s/service.go processRule), so if `
          + 'it has no endpoint address in the cluster the item\'s ports are open to every peer, the world included, else to its backends only',
        fix: 'pass the Endpoints or EndpointSlices of Service data/db with --policies, or select the backends with toEndpoints (their labels and '
          + 'namespace) or toCIDRSet (their addresses)',
      });
    }
    // The API: a Service added without endpointCidrs is not known; with [] it has none.
    const api = (endpointCidrs: string[] | undefined): PolicySet => {
      const set = PolicySet.fromYaml(JSON.stringify(to({ toServices: [ref('db')], toPorts: P5432 })), { ciliumVersion: V.V1_19 });
      set.inventory.addService({ name: 'db', namespace: 'data', labels: {}, ports: [{ port: 5432, targetPort: 5432, protocol: 'TCP' }],
        ...(endpointCidrs ? { endpointCidrs } : {}) });
      return set;
    };
    expect(refusals(api(undefined))).toEqual([AgentRefusalCheck.SERVICE_MISSING_UNDECIDED]);
    expect(judged(api([]), WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.ALLOWED);
    // Before 1.17 (icmps): the source of those agents, and their addresses only.
    const icmp = policySet([svc('db', { selector: { app: 'db' } }), to({ toServices: [ref('db'), ref('cache')], icmps: [{ fields: [{ type: 8 }] }] })],
      { ciliumVersion: V.V1_15 });
    expect(icmp._agentRefusals(icmp.endpoint(WEB))[0]).toHaveProperty('why', 'Service data/cache is not in the inputs, and no other entry of the item adds a peer '
      + 'selector: Cilium 1.15 adds one only for a Service that exists (pkg/k8s/rule_translate.go RuleTranslator), so if it does not exist in the '
      + 'cluster (a typo, another namespace, not created yet, deleted) the item\'s ICMP types are open to every peer, the world included, else to its '
      + 'endpoint addresses if it has no selector');
  });

  test('a k8sServiceSelector matches the Service\'s own labels only, not its namespace', () => {
    const bySel = to({ toServices: [{ k8sServiceSelector: { selector: { matchLabels: { 'io.kubernetes.pod.namespace': 'data' } } } }], toPorts: P5432 });
    const set = policySet([svc('db'), eps('db', []), bySel], { ciliumVersion: V.V1_19 });
    expect(refusals(set)).toEqual([AgentRefusalCheck.SERVICE_MISSING_UNDECIDED]);
  });
});

describe('a Service not in the inputs, no entry adding a selector: not judged', () => {
  const policy = to({ toServices: [ref('db')], toPorts: P5432 });

  test('with toPorts (1.17+) or icmps: the endpoints the rule selects are not judged; with the Service given, judged', () => {
    for (const ciliumVersion of [V.V1_17, V.V1_19]) {
      const set = policySet([policy], { ciliumVersion });
      expect(refusals(set)).toEqual([AgentRefusalCheck.SERVICE_MISSING_UNDECIDED]);
      expect(refusedByMatchers(set, WEB, 'cidr:8.8.8.8', '5432/TCP')).toBe(true);
      expect(refusals(policySet([svc('db', { selector: { app: 'db' } }), policy], { ciliumVersion }))).toEqual([]);
      expect(refusals(policySet([svc('db'), eps('db', []), policy], { ciliumVersion }))).toEqual([]);
    }
    const icmp = policySet([to({ toServices: [ref('db')], icmps: [{ fields: [{ type: 8 }] }] })], { ciliumVersion: V.V1_15 });
    expect(refusals(icmp)).toEqual([AgentRefusalCheck.SERVICE_MISSING_UNDECIDED]);
    // Two Services not in the inputs, in the plural.
    const two = policySet([to({ toServices: [ref('db'), ref('cache')], toPorts: P5432 })], { ciliumVersion: V.V1_19 });
    const [found] = two._agentRefusals(two.endpoint(WEB));
    expect(found).toMatchObject({
      check: AgentRefusalCheck.SERVICE_MISSING_UNDECIDED, at: 'toServices',
      why: 'Service data/db, Service data/cache are not in the inputs, and no other entry of the item adds a peer selector: Cilium 1.19 adds one only '
        + 'for a Service that exists (pkg/policy/k8s/service.go processRule), so if they do not exist in the cluster (a typo, another namespace, not '
        + 'created yet, deleted) the item\'s ports are open to every peer, the world included, else to their backends only',
      fix: 'pass the Service manifests (with the Endpoints or EndpointSlices of a selector-less one) with --policies, or select the backends with '
        + 'toEndpoints (their labels and namespace) or toCIDRSet (their addresses)',
    });
    // Judged when another entry adds a selector, without toPorts (nothing without a selector), and in egressDeny (never resolved).
    const mixed = policySet([svc('cache', { selector: { app: 'cache' } }), to({ toServices: [ref('db'), ref('cache')], toPorts: P5432 })]);
    expect(refusals(mixed)).toEqual([]);
    expect(judged(mixed, WEB, 'pod:data:app=cache', '5432/TCP').egress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(mixed, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
    const l3 = policySet([to({ toServices: [ref('db')] })]);
    expect(refusals(l3)).toEqual([]);
    expect(judged(l3, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
    const deny = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['all'] }], egressDeny: [{ toServices: [ref('db')], toPorts: P5432 }] })]);
    expect(refusals(deny)).toEqual([]);
    expect(judged(deny, WEB, 'cidr:8.8.8.8', '5432/TCP').egress.decision).toBe(SideDecision.DENIED_BY_DENY_RULE);
    expect(judged(deny, WEB, 'cidr:8.8.8.8', '5433/TCP').egress.decision).toBe(SideDecision.ALLOWED);
  });

  test('trace exits 2 naming the Service and the fix; with the Service in the inputs it is judged', () => {
    const file = (docs: readonly Record<string, unknown>[], name: string): string => {
      const path = join(scratch, `${name}.yaml`);
      writeFileSync(path, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
      return path;
    };
    const r = cli('trace', '--policies', file([policy], 'missing'), '--from', WEB, '--to', 'cidr:8.8.8.8', '--port', '5432/TCP');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('the policy Cilium enforces for this endpoint is not known: CiliumNetworkPolicy default/p spec.egress[0] has toServices '
      + 'that add no peer selector here: Service data/db is not in the inputs');
    expect(r.stderr).toContain('the inputs do not say whether the Services it names exist');
    expect(r.stderr).toContain('reports it as pitfall-services-missing-every-peer');
    const known = cli('trace', '--policies', file([svc('db'), eps('db', []), policy], 'known'), '--from', WEB, '--to', 'cidr:8.8.8.8', '--port', '5432/TCP');
    expect(known.code).toBe(0);
    expect(known.stdout).toContain('toServices: no entry adds a peer selector');
  });

  test('report does not judge it, diff does not compare it', () => {
    const set = PolicySet.fromYaml(JSON.stringify(policy));
    const report = Connectivity.report(set);
    expect(report.notJudged?.[0].text).toContain('get the policy the cluster\'s Services make of it, which the inputs do not hold');
    const base = PolicySet.fromYaml(JSON.stringify(to({ toCIDR: ['10.0.0.0/8'], toPorts: P5432 })));
    expect(Connectivity.diff(base, set).notCompared?.map((n) => n.text)).toContainEqual(expect.stringContaining('The policy Cilium enforces for the endpoint '
      + 'class default/app=web on head is not known: CiliumNetworkPolicy default/p spec.egress[0] has toServices that add no peer selector here'));
  });
});
