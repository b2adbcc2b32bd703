// `pitfall-services-missing-every-peer` (src/validate/pitfall-services-every-peer.ts) as a truth table by path and
// severity: an egress allow item with toPorts (1.17+) or icmps whose toServices entries add no peer selector in the input,
// some naming Services the input does not hold. pkg/policy/k8s/service.go `processRule` (before 1.17 pkg/k8s
// `RuleTranslator`) adds a selector for a Service that exists only; an item left without one has the wildcard peer on its
// ports (pkg/policy/l4.go `createL4Filter`). The engine does not judge such a rule and names this check; with the Service
// in the input it judges it (test/engine/services-unresolved.test.ts).
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { AgentRefusalCheck } from '../../src/engine/parser-conflicts';
import { checkInfo } from '../../src/validate';
import { check, findings } from './helpers';

type Doc = Record<string, unknown>;

const ID = 'pitfall-services-missing-every-peer';
const WEB = { matchLabels: { app: 'web' } };
const P5432 = { toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] };
const ICMP = { icmps: [{ fields: [{ type: 8 }] }] };
const named = (serviceName: string, namespace = 'shop'): Doc => ({ k8sService: { serviceName, namespace } });
const egress = (item: Doc, section = 'egress'): Doc =>
  ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { endpointSelector: WEB, [section]: [item] } });
const service = (name: string, selector?: Record<string, string>): Doc =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { ...(selector ? { selector } : {}), ports: [{ port: 5432 }] } });
const endpoints = (name: string, ips: string[]): Doc =>
  ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'shop' }, subsets: [{ addresses: ips.map((ip) => ({ ip })) }] });

/** The paths of the findings, each at the catalogue severity. */
function paths(docs: readonly Doc[], ciliumVersion = '1.19'): string[] {
  const found = findings(check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion }), ID);
  for (const f of found) expect(f.severity).toBe(checkInfo(ID).severity);
  return found.map((f) => f.path ?? '');
}

describe('pitfall-services-missing-every-peer', () => {
  it('reported for a Service not in the input with toPorts (1.17+) or icmps (every version); not without them, nor in egressDeny', () => {
    for (const version of ['1.17', '1.18', '1.19']) expect(paths([egress({ toServices: [named('db')], ...P5432 })], version)).toEqual(['spec.egress[0].toServices']);
    for (const version of ['1.14', '1.16', '1.19']) expect(paths([egress({ toServices: [named('db')], ...ICMP })], version)).toEqual(['spec.egress[0].toServices']);
    // 1.14-1.16 refuse toPorts beside toServices (sanitize-services-with-ports): nothing to open.
    expect(paths([egress({ toServices: [named('db')], ...P5432 })], '1.16')).toEqual([]);
    expect(paths([egress({ toServices: [named('db')] })])).toEqual([]);
    expect(paths([egress({ toServices: [named('db')], ...P5432 }, 'egressDeny')])).toEqual([]);
  });

  it('not when an entry adds a selector in the input: a Service with a selector (1.17+), a selector-less one with endpoint addresses', () => {
    expect(paths([service('db', { app: 'db' }), egress({ toServices: [named('db')], ...P5432 })])).toEqual([]);
    expect(paths([service('cache', { app: 'cache' }), egress({ toServices: [named('db'), named('cache')], ...P5432 })])).toEqual([]);
    expect(paths([service('db'), endpoints('db', ['192.0.2.10']), egress({ toServices: [named('db')], ...P5432 })])).toEqual([]);
    // Every Service in the input, none adding a selector: the engine's verdict (every peer on the ports, pitfall-services-every-peer), no Service missing.
    expect(paths([service('db'), endpoints('db', []), egress({ toServices: [named('db')], ...P5432 })])).toEqual([]);
    // Beside a selector-less Service without endpoints, or before 1.17 a Service with a selector (icmps), one missing is reported.
    expect(paths([service('ext'), endpoints('ext', []), egress({ toServices: [named('db'), named('ext')], ...P5432 })])).toEqual(['spec.egress[0].toServices']);
    expect(paths([service('db', { app: 'db' }), egress({ toServices: [named('db'), named('cache')], ...ICMP })], '1.16')).toEqual(['spec.egress[0].toServices']);
    expect(paths([service('db', { app: 'db' }), egress({ toServices: [named('db'), named('cache')], ...ICMP })], '1.17')).toEqual([]);
  });

  it('names the Services and says what opens; the engine does not judge the same rule and names this check', () => {
    const doc = egress({ toServices: [named('db'), { k8sServiceSelector: { selector: { matchLabels: { tier: 'x' } } } }], ...P5432 });
    const [finding] = findings(check({ 'p.yaml': JSON.stringify(doc) }, { ciliumVersion: '1.19' }), ID);
    expect(finding.message).toBe('toServices with toPorts: Service shop/db, the Services matching {"matchLabels":{"tier":"x"}} (of any namespace) are not in the input, and no other '
      + 'toServices entry of this item adds a peer: Cilium adds a selector for a Service that exists only, so if they do not exist in the cluster (a typo, '
      + 'another namespace, not created yet, deleted) this item has no peer selector and its ports are open to every peer, the world included (the '
      + 'engine does not judge the endpoints this rule selects); if they exist, Cilium matches the ports against their backends\' (target) ports, not '
      + 'the Service ports, which cannot be checked without them either');
    expect(findings(check({ 'p.yaml': JSON.stringify(doc) }, { ciliumVersion: '1.19' }), 'pitfall-services-with-ports')).toEqual([]);
    const set = PolicySet.fromYaml(JSON.stringify(doc), { ciliumVersion: CiliumVersion.V1_19 });
    expect(set._agentRefusals(set.endpoint('pod:shop:app=web')).map((r) => r.check)).toEqual([ID]);
    expect(AgentRefusalCheck.SERVICE_MISSING_UNDECIDED).toBe(ID);
  });
});

describe('a selector-less Service without its Endpoints, and the certain case', () => {
  it('a selector-less Service given without any Endpoints or EndpointSlice: its addresses are not known (warning, naming the fix)', () => {
    expect(paths([service('db'), egress({ toServices: [named('db')], ...P5432 })])).toEqual(['spec.egress[0].toServices']);
    const [finding] = findings(check({ 's.yaml': JSON.stringify(service('db')), 'p.yaml': JSON.stringify(egress({ toServices: [named('db')], ...P5432 })) },
      { ciliumVersion: '1.19' }), ID);
    expect(finding.message).toContain('Service shop/db has no selector and no Endpoints or EndpointSlice in the input');
    expect(finding.fix).toContain('give the Endpoints or EndpointSlices of the Service');
  });

  it('every entry adds nothing as the input shows: pitfall-services-every-peer, an error; the engine judges every peer', () => {
    const every = (docs: readonly Doc[], version = '1.19'): string[] => {
      const found = findings(check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion: version }), 'pitfall-services-every-peer');
      for (const f of found) expect(f.severity).toBe('error');
      return found.map((f) => f.path ?? '');
    };
    const item = egress({ toServices: [named('db')], ...P5432 });
    expect(every([service('db'), endpoints('db', []), item])).toEqual(['spec.egress[0].toServices']);
    // A slice of not-ready endpoints only: no backend (pkg/k8s/endpoints.go ParseEndpointSliceV1).
    const notReady = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'db-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: false } }] };
    expect(every([service('db'), notReady, item])).toEqual(['spec.egress[0].toServices']);
    expect(every([service('db'), endpoints('db', ['192.0.2.10']), item])).toEqual([]);
    expect(every([service('db'), item])).toEqual([]);
    expect(every([service('db', { app: 'db' }), egress({ toServices: [named('db')], ...ICMP })], '1.16')).toEqual(['spec.egress[0].toServices']);
    expect(every([service('db', { app: 'db' }), egress({ toServices: [named('db')], ...ICMP })], '1.17')).toEqual([]);
  });

  it('an ExternalName Service: up to 1.17 the agent holds none (pkg/k8s ParseService), every peer; from 1.18 read as any other Service', () => {
    const every = (docs: readonly Doc[], version: string, id = 'pitfall-services-every-peer'): string[] =>
      findings(check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion: version }), id).map((f) => f.path ?? '');
    const external = { ...service('db'), spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ port: 5432 }] } };
    const withSelector = { ...external, spec: { ...external.spec, selector: { app: 'db' } } };
    const item = egress({ toServices: [named('db')], ...P5432 });
    expect(every([external, item], '1.17')).toEqual(['spec.egress[0].toServices']);
    expect(every([withSelector, item], '1.17')).toEqual(['spec.egress[0].toServices']);
    // From 1.18 (pkg/loadbalancer/reflectors/conversions.go convertService): held, its selector added; without one, its
    // Endpoints not in the input leave the rule unknown (a warning), as for any selector-less Service.
    for (const version of ['1.18', '1.19']) {
      expect(every([external, item], version)).toEqual([]);
      expect(every([external, item], version, ID)).toEqual(['spec.egress[0].toServices']);
      expect(every([withSelector, item], version)).toEqual([]);
      expect(every([withSelector, item], version, ID)).toEqual([]);
    }
    // With endpoint addresses: ignored up to 1.17; from 1.18 read as a selector-less Service.
    expect(every([external, endpoints('db', ['192.0.2.10']), item], '1.17')).toEqual(['spec.egress[0].toServices']);
    expect(every([external, endpoints('db', ['192.0.2.10']), item], '1.18')).toEqual([]);
    expect(every([service('db'), endpoints('db', ['192.0.2.10']), item], '1.17')).toEqual([]);
    const set = PolicySet.fromYaml([external, endpoints('db', ['192.0.2.10']), item].map((d) => JSON.stringify(d)).join('\n---\n'), { ciliumVersion: CiliumVersion.V1_17 });
    expect(set.decide({ from: set.endpoint('pod:shop:app=web'), to: set.endpoint('cidr:198.51.100.1'), port: 5432, protocol: 'TCP' })).toBe('allowed');
    expect(set.decide({ from: set.endpoint('pod:shop:app=web'), to: set.endpoint('cidr:198.51.100.1'), port: 5433, protocol: 'TCP' })).toBe('denied');
    const held = PolicySet.fromYaml([withSelector, item].map((d) => JSON.stringify(d)).join('\n---\n'), { ciliumVersion: CiliumVersion.V1_19 });
    expect(held.decide({ from: held.endpoint('pod:shop:app=web'), to: held.endpoint('cidr:198.51.100.1'), port: 5432, protocol: 'TCP' })).toBe('denied');
    expect(held.decide({ from: held.endpoint('pod:shop:app=web'), to: held.endpoint('pod:shop:app=db'), port: 5432, protocol: 'TCP' })).toBe('allowed');
  });

  it('a k8sServiceSelector matches the Service\'s own labels only (as the engine): a namespace label matches no Service', () => {
    const doc = egress({ toServices: [{ k8sServiceSelector: { selector: { matchLabels: { 'io.kubernetes.pod.namespace': 'shop' } } } }], ...P5432 });
    expect(paths([service('db', { app: 'db' }), doc])).toEqual(['spec.egress[0].toServices']);
    const set = PolicySet.fromYaml([service('db', { app: 'db' }), doc].map((d) => JSON.stringify(d)).join('\n---\n'), { ciliumVersion: CiliumVersion.V1_19 });
    expect(set._agentRefusals(set.endpoint('pod:shop:app=web')).map((r) => r.check)).toEqual([ID]);
  });
});
