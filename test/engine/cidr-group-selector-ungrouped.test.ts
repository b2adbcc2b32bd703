// A `cidrGroupSelector` that holds on an identity without any `cidrgroup:` label (`{}`, only `NotIn`/`DoesNotExist`):
// Cilium 1.17+ selects with the selector's requirements alone (v1.17-v1.18 pkg/policy/api/cidr.go
// `CIDRRuleSlice.GetAsEndpointSelectors`, v1.19 pkg/policy/types/selector.go `newCIDRRuleSelector`), so it selects every
// identity no CiliumCIDRGroup labels — pods, nodes, outside addresses outside the groups — less its `except` holes, not
// only the groups' ranges. Members of a group whose labels the selector refuses stay out.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src';
import { cnp, judged, policySet } from './helpers';

const GROUPS = {
  prod: { cidrs: ['1.2.3.0/24'], labels: { env: 'prod' } },
  dev: { cidrs: ['5.5.5.0/24'], labels: { env: 'dev' } },
};
const DOCS = [
  cnp('every-group', { endpointSelector: { matchLabels: { app: 'all' } }, egress: [{ toCIDRSet: [{ cidrGroupSelector: {}, except: ['8.8.4.0/24'] }] }] }, 'ns'),
  cnp('not-dev', {
    endpointSelector: { matchLabels: { app: 'notdev' } },
    egress: [{ toCIDRSet: [{ cidrGroupSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }] }],
  }, 'ns'),
  cnp('prod-only', { endpointSelector: { matchLabels: { app: 'prod' } }, egress: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { env: 'prod' } } }] }] }, 'ns'),
  cnp('deny-every-group', {
    endpointSelector: { matchLabels: { app: 'den' } },
    egress: [{ toEntities: ['all'] }],
    egressDeny: [{ toCIDRSet: [{ cidrGroupSelector: {} }] }],
  }, 'ns'),
];

describe('cidrGroupSelector that holds on no label (Cilium 1.17+)', () => {
  test.each([
    // [from, to, allowed]
    ['pod:ns:app=all', 'cidr:1.2.3.4', true],
    ['pod:ns:app=all', 'cidr:5.5.5.5', true],
    ['pod:ns:app=all', 'cidr:8.8.8.8', true],
    ['pod:ns:app=all', 'cidr:8.8.4.4', false],
    ['pod:ns:app=all', 'pod:other:app=x', true],
    ['pod:ns:app=all', 'entity:remote-node', true],
    ['pod:ns:app=notdev', 'cidr:1.2.3.4', true],
    ['pod:ns:app=notdev', 'cidr:5.5.5.5', false],
    ['pod:ns:app=notdev', 'cidr:8.8.8.8', true],
    ['pod:ns:app=notdev', 'pod:other:app=x', true],
    ['pod:ns:app=prod', 'cidr:1.2.3.4', true],
    ['pod:ns:app=prod', 'cidr:5.5.5.5', false],
    ['pod:ns:app=prod', 'cidr:8.8.8.8', false],
    ['pod:ns:app=prod', 'pod:other:app=x', false],
    ['pod:ns:app=den', 'pod:other:app=x', false],
    ['pod:ns:app=den', 'cidr:8.8.8.8', false],
  ] as const)('%s -> %s allowed=%s on 1.17, 1.18 and 1.19', (from, to, allowed) => {
    for (const v of ['1.17', '1.18', '1.19']) {
      const set = policySet(DOCS, { ciliumVersion: CiliumVersion.parse(v), cidrGroups: GROUPS });
      expect(judged(set, from, to, '443/TCP').allowed, `Cilium ${v}`).toBe(allowed);
    }
  });

  test('the deciding rules: the selector allows a pod and an address outside the groups; the deny denies a pod', () => {
    const set = policySet(DOCS, { ciliumVersion: CiliumVersion.V1_19, cidrGroups: GROUPS });
    const pod = judged(set, 'pod:ns:app=all', 'pod:other:app=x', '443/TCP');
    expect(pod.egress.decision).toBe('allowed');
    expect(pod.egress.rule?.path).toBe('spec.egress[0]');
    const world = judged(set, 'pod:ns:app=notdev', 'cidr:8.8.8.8', '443/TCP');
    expect(world.egress.rule?.path).toBe('spec.egress[0]');
    const denied = judged(set, 'pod:ns:app=den', 'pod:other:app=x', '443/TCP');
    expect(denied.egress.decision).toBe('denied-by-deny-rule');
    expect(denied.egress.rule?.path).toBe('spec.egressDeny[0]');
    // The group the NotIn refuses stays out: default deny, no rule.
    const dev = judged(set, 'pod:ns:app=notdev', 'cidr:5.5.5.5', '443/TCP');
    expect(dev.egress.decision).toBe('default-deny');
  });
});

// Every prefix of a CiliumCIDRGroup carries `cidrgroup:io.cilium.policy.cidrgroupname/<name>` beside the group's own
// labels, less those of a key Cilium owns (`io.cilium.k8s…`): pkg/policy/k8s/cilium_cidr_group.go `applyCIDRGroup`
// (`RemoveCiliumLabels`, `api.LabelForCIDRGroupRef(name)`). A selector on the name label reads it.
describe('cidrGroupSelector on the label of the group\'s name (Cilium 1.17+)', () => {
  const NAMED = {
    ...GROUPS,
    owned: { cidrs: ['7.7.7.0/24'], labels: { 'io.cilium.k8s.policy.name': 'x', team: 'ops' } },
  };
  const egress = (app: string, sel: unknown, deny = false) => cnp(`sel-${app}`, {
    endpointSelector: { matchLabels: { app } },
    ...(deny ? { egress: [{ toEntities: ['all'] }], egressDeny: [{ toCIDRSet: [{ cidrGroupSelector: sel }] }] } : { egress: [{ toCIDRSet: [{ cidrGroupSelector: sel }] }] }),
  }, 'ns');
  const NAME = 'io.cilium.policy.cidrgroupname';
  const NAME_DOCS = [
    egress('notdev', { matchExpressions: [{ key: `${NAME}/dev`, operator: 'DoesNotExist' }] }),
    egress('prod', { matchExpressions: [{ key: `${NAME}/prod`, operator: 'Exists' }] }),
    egress('prodlabel', { matchLabels: { [`${NAME}/prod`]: '' } }),
    egress('owned', { matchLabels: { 'io.cilium.k8s.policy.name': 'x' } }),
    egress('ops', { matchLabels: { team: 'ops' } }),
    egress('denydev', { matchExpressions: [{ key: `${NAME}/dev`, operator: 'Exists' }] }, true),
  ];
  test.each([
    // [from, to, allowed]
    ['pod:ns:app=notdev', 'cidr:5.5.5.5', false],
    ['pod:ns:app=notdev', 'cidr:1.2.3.4', true],
    ['pod:ns:app=notdev', 'cidr:9.9.9.9', true],
    ['pod:ns:app=prod', 'cidr:1.2.3.4', true],
    ['pod:ns:app=prod', 'cidr:5.5.5.5', false],
    ['pod:ns:app=prod', 'cidr:9.9.9.9', false],
    ['pod:ns:app=prodlabel', 'cidr:1.2.3.4', true],
    ['pod:ns:app=prodlabel', 'cidr:5.5.5.5', false],
    ['pod:ns:app=owned', 'cidr:7.7.7.7', false],
    ['pod:ns:app=ops', 'cidr:7.7.7.7', true],
    ['pod:ns:app=denydev', 'cidr:5.5.5.5', false],
    ['pod:ns:app=denydev', 'cidr:1.2.3.4', true],
    ['pod:ns:app=denydev', 'pod:other:app=x', true],
  ] as const)('%s -> %s allowed=%s on 1.17, 1.18 and 1.19', (from, to, allowed) => {
    for (const v of ['1.17', '1.18', '1.19']) {
      const set = policySet(NAME_DOCS, { ciliumVersion: CiliumVersion.parse(v), cidrGroups: NAMED });
      expect(judged(set, from, to, '443/TCP').allowed, `Cilium ${v}`).toBe(allowed);
    }
  });

  test('the deciding rules: the name label keeps dev out by default deny, lets prod in, and the deny of dev decides', () => {
    const set = policySet(NAME_DOCS, { ciliumVersion: CiliumVersion.V1_19, cidrGroups: NAMED });
    expect(judged(set, 'pod:ns:app=notdev', 'cidr:5.5.5.5', '443/TCP').egress.decision).toBe('default-deny');
    const prod = judged(set, 'pod:ns:app=prod', 'cidr:1.2.3.4', '443/TCP');
    expect(prod.egress.decision).toBe('allowed');
    expect(prod.egress.rule?.path).toBe('spec.egress[0]');
    const dev = judged(set, 'pod:ns:app=denydev', 'cidr:5.5.5.5', '443/TCP');
    expect(dev.egress.decision).toBe('denied-by-deny-rule');
    expect(dev.egress.rule?.path).toBe('spec.egressDeny[0]');
  });
});

// On 1.17-1.18 a cidrGroupSelector that requires nothing, without except, is an empty EndpointSelector
// (pkg/policy/api/cidr.go CIDRRuleSlice.GetAsEndpointSelectors): the wildcard cached selector of an item without peers,
// so on 1.18 (parsers merged per selector) its HTTP rules and a port-only item's Kafka rules on one port cannot merge.
// From 1.19 it is a CIDRSelector of its own (pkg/policy/types/selector.go newCIDRRuleSelector).
describe('cidrGroupSelector {} and the wildcard cached selector (parser merges)', () => {
  const conflict = (v: string, entry: Record<string, unknown>): boolean => {
    const set = policySet([cnp('l7', {
      endpointSelector: { matchLabels: { app: 'a' } },
      ingress: [
        { toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { kafka: [{ topic: 'foo' }] } }] },
        { fromCIDRSet: [entry], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/' }] } }] },
      ],
    }, 'ns')], { ciliumVersion: CiliumVersion.parse(v), cidrGroups: GROUPS });
    const verdict = judged(set, 'pod:other:app=x', 'pod:ns:app=a', '80/TCP');
    return [...verdict.ingress.notes, ...verdict.egress.notes].some((n) => n.includes('cannot merge conflicting L7 parsers'));
  };
  test.each([
    // [version, entry, refused]
    ['1.18', { cidrGroupSelector: {} }, true],
    ['1.18', { cidrGroupSelector: { matchLabels: {} } }, true],
    ['1.18', { cidrGroupSelector: {}, except: ['8.8.4.0/24'] }, false],
    ['1.18', { cidrGroupSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }, false],
    ['1.19', { cidrGroupSelector: {} }, false],
  ] as const)('Cilium %s, %j: refused=%s', (v, entry, refused) => {
    expect(conflict(v, entry)).toBe(refused);
  });
});

describe('cidrGroupSelector of no label on ingress: fromCIDRSet and ingressDeny (Cilium 1.17+)', () => {
  const INGRESS = [
    cnp('in-all', { endpointSelector: { matchLabels: { app: 'in' } }, ingress: [{ fromCIDRSet: [{ cidrGroupSelector: {}, except: ['8.8.4.0/24'] }] }] }, 'ns'),
    cnp('deny-notdev', {
      endpointSelector: { matchLabels: { app: 'den' } },
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromCIDRSet: [{ cidrGroupSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }] }],
    }, 'ns'),
  ];
  test.each([
    // [from, to, allowed, deciding path]
    ['pod:other:app=x', 'pod:ns:app=in', true, 'spec.ingress[0]'],
    ['cidr:9.9.9.9', 'pod:ns:app=in', true, 'spec.ingress[0]'],
    ['entity:remote-node', 'pod:ns:app=in', true, 'spec.ingress[0]'],
    ['cidr:8.8.4.4', 'pod:ns:app=in', false, undefined],
    ['pod:other:app=x', 'pod:ns:app=den', false, 'spec.ingressDeny[0]'],
    ['cidr:1.2.3.4', 'pod:ns:app=den', false, 'spec.ingressDeny[0]'],
    ['cidr:5.5.5.5', 'pod:ns:app=den', true, 'spec.ingress[0]'],
  ] as const)('%s -> %s allowed=%s (%s) on 1.17, 1.18 and 1.19', (from, to, allowed, path) => {
    for (const v of ['1.17', '1.18', '1.19']) {
      const verdict = judged(policySet(INGRESS, { ciliumVersion: CiliumVersion.parse(v), cidrGroups: GROUPS }), from, to, '443/TCP');
      expect(verdict.allowed, `Cilium ${v}`).toBe(allowed);
      expect(verdict.ingress.rule?.path, `Cilium ${v}`).toBe(path);
    }
  });
});
