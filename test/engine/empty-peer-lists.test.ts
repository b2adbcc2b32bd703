// Empty peer lists (`fromEndpoints: []`, `fromEntities: []`, `toCIDR: []` …) per Cilium version.
//
// Before 1.16 (pkg/policy/rule.go `mergeIngress`/`mergeEgress`, read in two stored versions: one before 1.14 and one
// of the 1.16 development before PR #29608, which agree on this; 1.14 and 1.15 lie between them): the item's selectors
// are the concatenation of its peer lists (pkg/policy/api/ingress.go `GetSourceEndpointSelectorsWithRequirements`,
// egress.go `GetDestinationEndpointSelectorsWithRequirements`), an L3-only item (no toPorts, no icmps) is merged only
// when that slice is non-empty (`toPorts.Len() == 0 && icmp.Len() == 0 && len(fromEndpoints) > 0`), and for each
// toPorts or icmps entry an empty slice becomes the wildcard selector (PR #7520: "In L3-only, it means select nothing
// at all; in any L4 type of rule, it means select all endpoints with this port"). Deny sections go through the same
// mergeIngress/mergeEgress. So an empty list alone selects nothing without ports, every peer on the item's ports with
// them, and beside a filled list it adds nothing (the agent's sanitize counts `len()`, so the item is accepted).
//
// From 1.16 (PR #29608, "Do not select any identity with empty slices"; pkg/policy/utils/parserules.go
// `mergeEndpointSelectors` later): an empty non-nil list selects nothing, ports or not, and so does the whole item.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { cnp, judged, labels, policySet } from './helpers';

const API = 'pod:default:app=api';
const CLI = 'pod:default:app=cli';
const WORLD = 'cidr:203.0.113.9';
const PRE = [CiliumVersion.V1_14, CiliumVersion.V1_15];
const POST = [CiliumVersion.V1_16, CiliumVersion.V1_19];
const P80 = { toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] };

const ingress = (items: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> =>
  cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: items, ...extra });

const allowed = (doc: Record<string, unknown>, version: CiliumVersion, from: string, to: string, port: string): boolean =>
  judged(policySet([doc], { ciliumVersion: version }), from, to, port).allowed;

describe.each([...PRE, ...POST].map((v) => [String(v), v] as const))('Cilium %s', (_name, version) => {
  const pre = !version.atLeast(CiliumVersion.V1_16);

  test.each(['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet'])('%s: [] without ports selects nothing (default deny)', (field) => {
    const doc = ingress([{ [field]: [] }]);
    expect(allowed(doc, version, CLI, API, '80/TCP')).toBe(false);
    expect(allowed(doc, version, WORLD, API, '80/TCP')).toBe(false);
    expect(judged(policySet([doc], { ciliumVersion: version }), CLI, API, '80/TCP').ingress.decision).toBe('default-deny');
  });

  test('fromEndpoints: [] beside toPorts: every peer on those ports before 1.16, nothing from 1.16', () => {
    const doc = ingress([{ fromEndpoints: [], ...P80 }]);
    expect(allowed(doc, version, CLI, API, '80/TCP')).toBe(pre);
    expect(allowed(doc, version, WORLD, API, '80/TCP')).toBe(pre);
    expect(allowed(doc, version, CLI, API, '81/TCP')).toBe(false);
  });

  test('fromEntities: [] beside icmps: every peer on the ICMP type before 1.16, nothing from 1.16', () => {
    const doc = ingress([{ fromEntities: [], icmps: [{ fields: [{ type: 8 }] }] }]);
    expect(allowed(doc, version, CLI, API, 'icmp/8')).toBe(pre);
    expect(allowed(doc, version, CLI, API, '80/TCP')).toBe(false);
  });

  test('egress toCIDR: [] without ports selects nothing; beside toPorts every destination on them before 1.16', () => {
    const egress = (item: Record<string, unknown>): Record<string, unknown> => cnp('p', { endpointSelector: labels({ app: 'api' }), egress: [item] });
    expect(allowed(egress({ toCIDR: [] }), version, API, WORLD, '443/TCP')).toBe(false);
    expect(allowed(egress({ toCIDR: [], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }), version, API, WORLD, '443/TCP')).toBe(pre);
    expect(allowed(egress({ toCIDR: [], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }), version, API, WORLD, '80/TCP')).toBe(false);
  });

  test('ingressDeny fromEntities: [] beside an allow-all: denies nothing without ports; before 1.16 denies every peer on its ports', () => {
    const allowAll = { fromEntities: ['all'] };
    const bare = ingress([allowAll], { ingressDeny: [{ fromEntities: [] }] });
    expect(allowed(bare, version, CLI, API, '80/TCP')).toBe(true);
    expect(allowed(bare, version, WORLD, API, '22/TCP')).toBe(true);
    const ssh = ingress([allowAll], { ingressDeny: [{ fromEntities: [], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] });
    expect(allowed(ssh, version, CLI, API, '22/TCP')).toBe(!pre);
    expect(allowed(ssh, version, CLI, API, '80/TCP')).toBe(true);
  });

  test('egressDeny toCIDR: [] beside an allow-all denies nothing without ports', () => {
    const doc = cnp('p', { endpointSelector: labels({ app: 'api' }), egress: [{ toEntities: ['all'] }], egressDeny: [{ toCIDR: [] }] });
    expect(allowed(doc, version, API, WORLD, '443/TCP')).toBe(true);
  });

  test('an empty list beside a filled one: ignored before 1.16 (the filled one selects), the whole item selects nothing from 1.16', () => {
    const doc = ingress([{ fromEndpoints: [], fromEntities: ['world'] }]);
    expect(allowed(doc, version, WORLD, API, '80/TCP')).toBe(pre);
    expect(allowed(doc, version, CLI, API, '80/TCP')).toBe(false);
    const withPorts = ingress([{ fromCIDR: [], fromEndpoints: [labels({ app: 'cli' })], ...P80 }]);
    expect(allowed(withPorts, version, CLI, API, '80/TCP')).toBe(pre);
    // Not the wildcard: the filled list is the item's peers.
    expect(allowed(withPorts, version, 'pod:default:app=other', API, '80/TCP')).toBe(false);
  });
});

describe('the explanation', () => {
  test('before 1.16 an empty list without ports is explained as selecting nothing, with ports as every peer on them', () => {
    const none = judged(policySet([ingress([{ fromEndpoints: [] }])], { ciliumVersion: CiliumVersion.V1_15 }), CLI, API, '80/TCP');
    expect(JSON.stringify(none)).not.toMatch(/selects every peer/);
    const on80 = judged(policySet([ingress([{ fromEndpoints: [], ...P80 }])], { ciliumVersion: CiliumVersion.V1_15 }), CLI, API, '80/TCP');
    expect(on80.ingress.notes.join('\n')).toMatch(/fromEndpoints: \[\] is an empty list, which selects every peer on the item's ports before Cilium 1\.16/);
  });
});

// The lists the agent does not check for emptiness: toFQDNs, toServices, from/toGroups (parserules.go
// `mergeEndpointSelectors` checks endpoints, nodes, entities, CIDRs and CIDR sets only; toServices is not among its
// arguments, as the agent has already translated it into generated toEndpoints/toCIDRSet). Such a list adds no selector:
// an item left without any is open to every peer on its toPorts (createL4Filter: an empty L3 is the wildcard) and selects
// nothing without them. egressDeny toServices is never translated (pkg/policy/k8s/service.go processRule walks
// rule.Egress only), so it is always such a list.
describe('empty lists the agent does not check, and egressDeny toServices', () => {
  const P443 = { toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
  const egress = (items: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> =>
    cnp('p', { endpointSelector: labels({ app: 'api' }), egress: items, ...extra });

  test.each([...PRE, ...POST].map((v) => [String(v), v] as const))('toFQDNs: [] beside toPorts is every destination on them on %s', (_name, version) => {
    expect(allowed(egress([{ toFQDNs: [], ...P443 }]), version, API, WORLD, '443/TCP')).toBe(true);
    expect(allowed(egress([{ toFQDNs: [], ...P443 }]), version, API, CLI, '443/TCP')).toBe(true);
    expect(allowed(egress([{ toFQDNs: [], ...P443 }]), version, API, WORLD, '80/TCP')).toBe(false);
    expect(allowed(egress([{ toFQDNs: [] }]), version, API, WORLD, '443/TCP')).toBe(false);
  });

  test('toFQDNs: [] beside a filled toEndpoints adds nothing (the whole item is not emptied)', () => {
    const doc = egress([{ toFQDNs: [], toEndpoints: [labels({ app: 'cli' })], ...P443 }]);
    expect(allowed(doc, CiliumVersion.V1_19, API, CLI, '443/TCP')).toBe(true);
    expect(allowed(doc, CiliumVersion.V1_19, API, WORLD, '443/TCP')).toBe(false);
  });

  test('toServices: [] beside toPorts is every destination on them (1.17+, where toServices may have toPorts)', () => {
    const v = judged(policySet([egress([{ toServices: [], ...P443 }])], { ciliumVersion: CiliumVersion.V1_19 }), API, WORLD, '443/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.notes.join('\n')).toContain('toServices: [] adds no selector (the agent does not check this list for emptiness): the item has no L3 selector');
  });

  test('egressDeny toServices with toPorts denies every destination on them, whatever the Service; without toPorts nothing', () => {
    const svc = { toServices: [{ k8sService: { serviceName: 'db', namespace: 'default' } }] };
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { app: 'db' }, ports: [{ port: 443 }] } };
    const withPorts = policySet([egress([{ toEntities: ['all'] }], { egressDeny: [{ ...svc, ...P443 }] }), service], { ciliumVersion: CiliumVersion.V1_19 });
    const v = judged(withPorts, API, WORLD, '443/TCP');
    expect(v.allowed).toBe(false);
    expect(v.egress.decision).toBe('denied-by-deny-rule');
    expect(v.egress.notes.join('\n')).toContain('toServices in egressDeny is never resolved by the agent');
    expect(judged(withPorts, API, WORLD, '80/TCP').allowed).toBe(true);
    const bare = policySet([egress([{ toEntities: ['all'] }], { egressDeny: [svc] }), service], { ciliumVersion: CiliumVersion.V1_19 });
    expect(judged(bare, API, 'pod:default:app=db', '443/TCP').allowed).toBe(true);
  });
});
