// The pitfalls of src/validate/pitfall-selectors.ts that decide safety, as truth tables: a direction with only deny rules
// (`pitfall-deny-only-default-deny`: which rules put their endpoints into default deny, which other rules already do),
// clusterwide peers without a namespace (`pitfall-ccnp-peer-namespace`), a clusterwide select-all default deny
// (`pitfall-ccnp-select-all-default-deny`) and a clusterwide subject that only excludes (`pitfall-ccnp-subject-selects-reserved`),
// each asserted by id and path. Documents are written as JSON (a YAML subset), built inside each test.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { check, findings } from './helpers';
import { Chart, Testing } from 'cdk8s';
import { CiliumPolicy, EndpointSelector, IpFamilies, LabelExpression, Peer, Port } from '../../src';
import { sourcelessReservedLabels } from '../../src/validate/lockout-guard';
import { validateApp } from '../../src/validate/validate-app';

type Doc = Record<string, unknown>;
const WEB = { matchLabels: { app: 'web' } };

function cnp(spec: Doc, name = 'p', namespace = 'shop'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}
function ccnp(spec: Doc, name = 'c'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

/** `document index: path` of each finding of `id`. */
function paths(id: string, docs: readonly Doc[], ciliumVersion = '1.19'): string[] {
  return findings(check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion }), id)
    .map((d) => `${d.file}: ${d.path ?? ''}`);
}

describe('pitfall-deny-only-default-deny', () => {
  const ID = 'pitfall-deny-only-default-deny';
  const denyIn = (extra: Doc = {}): Doc => cnp({ endpointSelector: WEB, ingressDeny: [{ fromEntities: ['world'] }], ...extra });
  const denyOut = (extra: Doc = {}): Doc => cnp({ endpointSelector: WEB, egressDeny: [{ toEntities: ['world'] }], ...extra });

  it('only deny rules in a direction: flagged on that deny section, per direction', () => {
    expect(paths(ID, [denyIn()])).toEqual(['d0.yaml: spec.ingressDeny']);
    expect(paths(ID, [denyOut()])).toEqual(['d0.yaml: spec.egressDeny']);
    expect(paths(ID, [denyIn({ egressDeny: [{ toEntities: ['world'] }] })])).toEqual(['d0.yaml: spec.ingressDeny', 'd0.yaml: spec.egressDeny']);
  });

  it('allows in the same direction, or enableDefaultDeny false for it (1.16+), keep it from default deny', () => {
    expect(paths(ID, [denyIn({ ingress: [{ fromEntities: ['all'] }] })])).toEqual([]);
    expect(paths(ID, [denyIn({ egress: [{ toEntities: ['all'] }] })])).toEqual(['d0.yaml: spec.ingressDeny']);
    expect(paths(ID, [denyIn({ enableDefaultDeny: { ingress: false } })])).toEqual([]);
    expect(paths(ID, [denyIn({ enableDefaultDeny: { egress: false } })])).toEqual(['d0.yaml: spec.ingressDeny']);
    expect(paths(ID, [denyOut({ enableDefaultDeny: { egress: false } })])).toEqual([]);
    // 1.15 has no enableDefaultDeny: still default deny.
    expect(paths(ID, [denyIn({ enableDefaultDeny: { ingress: false } })], '1.15')).toEqual(['d0.yaml: spec.ingressDeny']);
  });

  it('the fix: enableDefaultDeny from 1.16, an allow-all rule of the direction before', () => {
    const fix = (doc: Doc, v: string): string | undefined => findings(check({ 'd.yaml': JSON.stringify(doc) }, { ciliumVersion: v }), ID)[0]?.fix;
    expect(fix(denyIn(), '1.16')).toBe('add enableDefaultDeny: {ingress: false} to the rule so that only the denied traffic is dropped');
    expect(fix(denyOut(), '1.15')).toBe('add an egress rule allowing everything else (toEntities: [all]); deny rules still win over it');
    expect(fix(denyIn(), '1.15')).toBe('add an ingress rule allowing everything else (fromEntities: [all]); deny rules still win over it');
  });

  it('another rule that already puts the same pods into default deny for that direction: no finding', () => {
    const allowIn = (selector: Doc, extra: Doc = {}, namespace = 'shop'): Doc => cnp({ endpointSelector: selector, ingress: [{ fromEndpoints: [WEB] }], ...extra }, 'allow', namespace);
    expect(paths(ID, [denyIn(), allowIn({})])).toEqual([]);
    expect(paths(ID, [denyIn(), allowIn(WEB)])).toEqual([]);
    expect(paths(ID, [denyIn(), allowIn({ matchLabels: { app: 'api' } })])).toEqual(['d0.yaml: spec.ingressDeny']);
    expect(paths(ID, [denyIn(), allowIn({}, {}, 'other')])).toEqual(['d0.yaml: spec.ingressDeny']);
    // An allow rule that is itself no default deny, or allows only the other direction, does not count.
    expect(paths(ID, [denyIn(), allowIn({}, { enableDefaultDeny: { ingress: false } })])).toEqual(['d0.yaml: spec.ingressDeny']);
    expect(paths(ID, [denyIn(), cnp({ endpointSelector: {}, egress: [{ toEntities: ['all'] }] }, 'allow')])).toEqual(['d0.yaml: spec.ingressDeny']);
    // A host policy is no provider for pods, and a pod policy none for nodes.
    const hostAllow = ccnp({ nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] }, 'host-allow');
    expect(paths(ID, [denyIn(), hostAllow])).toEqual(['d0.yaml: spec.ingressDeny']);
    const hostDeny = ccnp({ nodeSelector: {}, ingressDeny: [{ fromEntities: ['world'] }] }, 'host-deny');
    expect(paths(ID, [hostDeny, cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] })])).toEqual(['d0.yaml: spec.ingressDeny']);
    expect(paths(ID, [hostDeny, hostAllow])).toEqual([]);
    // Another deny-only rule of the same pods is no provider: both are flagged.
    expect(paths(ID, [denyIn(), cnp({ endpointSelector: WEB, ingressDeny: [{ fromEntities: ['cluster'] }] }, 'deny2')]))
      .toEqual(['d0.yaml: spec.ingressDeny', 'd1.yaml: spec.ingressDeny']);
  });
});

describe('pitfall-ccnp-peer-namespace', () => {
  const ID = 'pitfall-ccnp-peer-namespace';
  const APP = { matchLabels: { app: 'prometheus' } };

  it('a clusterwide peer selector without a namespace, in every section, at its index', () => {
    expect(paths(ID, [ccnp({ endpointSelector: WEB, ingress: [{ fromEndpoints: [APP] }] })])).toEqual(['d0.yaml: spec.ingress[0].fromEndpoints[0]']);
    expect(paths(ID, [ccnp({ endpointSelector: WEB, egress: [{ toEntities: ['world'] }, { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'a' } }, APP] }] })]))
      .toEqual(['d0.yaml: spec.egress[1].toEndpoints[1]']);
    expect(paths(ID, [ccnp({ endpointSelector: WEB, ingressDeny: [{ fromEndpoints: [APP] }], egressDeny: [{ toEndpoints: [APP] }] })]))
      .toEqual(['d0.yaml: spec.ingressDeny[0].fromEndpoints[0]', 'd0.yaml: spec.egressDeny[0].toEndpoints[0]']);
  });

  it('not flagged: a namespace (by name, expression or namespace label), every endpoint, a reserved identity, a namespaced policy', () => {
    const peer = (sel: Doc): Doc => ccnp({ endpointSelector: WEB, ingress: [{ fromEndpoints: [sel] }] });
    expect(paths(ID, [peer({ matchLabels: { app: 'x', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } })])).toEqual([]);
    expect(paths(ID, [peer({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] })])).toEqual([]);
    expect(paths(ID, [peer({ matchLabels: { app: 'x', 'k8s:io.cilium.k8s.namespace.labels.team': 'ops' } })])).toEqual([]);
    expect(paths(ID, [peer({})])).toEqual([]);
    expect(paths(ID, [peer({ matchLabels: { 'reserved:host': '' } })])).toEqual([]);
    expect(paths(ID, [cnp({ endpointSelector: WEB, ingress: [{ fromEndpoints: [APP] }] })])).toEqual([]);
  });
});

describe('pitfall-ccnp-select-all-default-deny', () => {
  const ID = 'pitfall-ccnp-select-all-default-deny';
  const select = (endpointSelector: Doc, extra: Doc = { ingress: [{ fromEntities: ['cluster'] }] }): Doc => ccnp({ endpointSelector, ...extra });

  it('every endpoint, or only namespace constraints that keep kube-system: flagged on the endpointSelector', () => {
    expect(paths(ID, [select({})])).toEqual(['d0.yaml: spec.endpointSelector']);
    expect(paths(ID, [select({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] })])).toEqual(['d0.yaml: spec.endpointSelector']);
    expect(paths(ID, [select({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['shop'] }] })])).toEqual(['d0.yaml: spec.endpointSelector']);
    // Deny rules put the endpoints into default deny too.
    expect(paths(ID, [select({}, { egressDeny: [{ toEntities: ['world'] }] })])).toEqual(['d0.yaml: spec.endpointSelector']);
  });

  it('only excluding requirements that leave cluster DNS selected: flagged (every pod without those labels)', () => {
    for (const selector of [
      { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }, { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] },
    ]) {
      expect(paths(ID, [select(selector)]), JSON.stringify(selector)).toEqual(['d0.yaml: spec.endpointSelector']);
    }
    const [d] = findings(check({ 'd.yaml': JSON.stringify(select({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] })) }), ID);
    expect(d.message).toContain('selects every pod it does not exclude, in every namespace (cluster DNS, k8s-app=kube-dns in kube-system, included)');
    // Excluding cluster DNS itself, or kube-system: not flagged.
    expect(paths(ID, [select({ matchExpressions: [{ key: 'k8s-app', operator: 'NotIn', values: ['kube-dns'] }] })])).toEqual([]);
    expect(paths(ID, [select({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' },
      { key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] })])).toEqual([]);
  });

  it('not flagged: kube-system excluded, other labels, a namespaced policy, a host policy, no default deny', () => {
    expect(paths(ID, [select({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] })])).toEqual([]);
    expect(paths(ID, [select({ matchLabels: { app: 'web' } })])).toEqual([]);
    expect(paths(ID, [select({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }, { key: 'app', operator: 'Exists' }] })])).toEqual([]);
    expect(paths(ID, [cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })])).toEqual([]);
    expect(paths(ID, [ccnp({ nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })])).toEqual([]);
    expect(paths(ID, [select({}, { ingress: [{ fromEntities: ['cluster'] }], enableDefaultDeny: { ingress: false } })])).toEqual([]);
    expect(paths(ID, [select({}, {})])).toEqual([]);
  });

  it('a namespace constraint beside a requirement that spares cluster DNS, or a selector of DNS pods only: not flagged', () => {
    // Neither selects every pod: the first keeps kube-dns out of the default deny, the second is about kube-dns alone.
    expect(paths(ID, [select({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
      { key: 'k8s-app', operator: 'NotIn', values: ['kube-dns'] }] })])).toEqual([]);
    expect(paths(ID, [select({ matchLabels: { 'k8s-app': 'kube-dns' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })])).toEqual([]);
  });

  it('what the finding says the selector takes in: every endpoint (Cilium\'s own too), every pod of kube-system, or every pod not excluded', () => {
    const said = (endpointSelector: Doc): string => findings(check({ 'd.yaml': JSON.stringify(select(endpointSelector)) }), ID)[0]?.message ?? '';
    const kinds = (m: string): boolean[] => [/Cilium's own endpoints/, /every pod of kube-system/, /every pod it does not exclude/].map((re) => re.test(m));
    expect(kinds(said({}))).toEqual([true, false, false]);
    expect(kinds(said({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }))).toEqual([false, true, false]);
    expect(kinds(said({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }, { key: 'app', operator: 'NotIn', values: ['x'] }] })))
      .toEqual([false, false, true]);
  });

  it('the directions it puts into default deny, in the fix', () => {
    const fix = (doc: Doc): string | undefined => findings(check({ 'd.yaml': JSON.stringify(doc) }, { ciliumVersion: '1.19' }), ID)[0]?.fix;
    expect(fix(select({}))).toContain('enableDefaultDeny: {ingress: false} (1.16+)');
    expect(fix(select({}, { ingress: [{ fromEntities: ['cluster'] }], egress: [{ toEntities: ['cluster'] }] }))).toContain('enableDefaultDeny: {ingress: false, egress: false} (1.16+)');
    expect(fix(select({}, { ingress: [{ fromEntities: ['cluster'] }], egress: [{ toEntities: ['cluster'] }], enableDefaultDeny: { ingress: false } })))
      .toContain('enableDefaultDeny: {egress: false} (1.16+)');
  });
});

describe('pitfall-peer-selector-only-excludes: a peer that only excludes and gets no namespace takes reserved identities along', () => {
  const ID = 'pitfall-peer-selector-only-excludes';
  const NS = 'k8s:io.kubernetes.pod.namespace';
  const notIn = (key: string, ...values: string[]): Doc => ({ matchExpressions: [{ key, operator: 'NotIn', values }] });
  const absent = (key: string): Doc => ({ matchExpressions: [{ key, operator: 'DoesNotExist' }] });
  const from = (...peers: Doc[]): Doc => ({ endpointSelector: WEB, ingress: [{ fromEndpoints: peers }] });

  it('NotIn on the namespace key, in a CNP or a CCNP, before 1.19: flagged at the peer; on 1.19 the cluster filter keeps them out', () => {
    expect(paths(ID, [cnp(from(WEB, notIn(NS, 'kube-system')))], '1.18')).toEqual(['d0.yaml: spec.ingress[0].fromEndpoints[1]']);
    expect(paths(ID, [ccnp({ endpointSelector: WEB, egress: [{ toEndpoints: [notIn(NS, 'kube-system')] }] })], '1.14'))
      .toEqual(['d0.yaml: spec.egress[0].toEndpoints[0]']);
    expect(paths(ID, [cnp(from(notIn(NS, 'kube-system')))], '1.19')).toEqual([]);
  });

  it('a reserved: key is taken as written, on every version; a namespace-labels key in a CNP gets no namespace, in a CCNP it gets Exists', () => {
    expect(paths(ID, [cnp(from(absent('reserved:host')))], '1.19')).toEqual(['d0.yaml: spec.ingress[0].fromEndpoints[0]']);
    const nsLabel = absent('k8s:io.cilium.k8s.namespace.labels.team');
    expect(paths(ID, [cnp(from(nsLabel))], '1.17')).toEqual(['d0.yaml: spec.ingress[0].fromEndpoints[0]']);
    expect(paths(ID, [ccnp(from(nsLabel))], '1.17')).toEqual([]);
  });

  it('not flagged: a selector that requires a label, excludes only pod labels (the namespace is added), adds Exists, or sits in a deny', () => {
    expect(paths(ID, [cnp(from(notIn('app', 'db'), absent('k8s:tier')))], '1.16')).toEqual([]);
    expect(paths(ID, [cnp(from({ matchLabels: { app: 'a' }, matchExpressions: [{ key: NS, operator: 'NotIn', values: ['x'] }] }))], '1.16')).toEqual([]);
    expect(paths(ID, [cnp(from({ matchExpressions: [{ key: NS, operator: 'Exists' }, { key: NS, operator: 'NotIn', values: ['x'] }] }))], '1.16')).toEqual([]);
    expect(paths(ID, [cnp({ endpointSelector: WEB, ingressDeny: [{ fromEndpoints: [notIn(NS, 'x')] }] })], '1.16')).toEqual([]);
    expect(paths(ID, [cnp(from({ matchExpressions: 'x' } as Doc, { matchLabels: 3 } as Doc, { matchExpressions: [null] } as Doc))], '1.16')).toEqual([]);
  });

  it('the message names what it takes along; the engine agrees: the world reaches the pods on 1.18, not on 1.19', () => {
    const [f] = findings(check({ 'p.yaml': JSON.stringify(cnp(from(notIn(NS, 'kube-system')))) }, { ciliumVersion: '1.18' }), ID);
    expect(f.message).toMatch(/selects the reserved identities world, host, remote-node, health, kube-apiserver \(every address outside the cluster\) \(from Cilium 1\.19/);
    expect(f.fix).toMatch(/operator: Exists/);
    const policy = JSON.stringify(cnp(from(notIn(NS, 'kube-system'))));
    const world = (version: string): string => verdictFor(PolicySet.fromYaml(policy, { ciliumVersion: CiliumVersion.parse(version) }), 'cidr:203.0.113.9', 'pod:shop:app=web', '80/TCP').verdict;
    expect([world('1.18'), world('1.19')]).toEqual(['allowed', 'denied']);
  });
});

describe('pitfall-peer-sourceless-reserved(-world): a source-less key naming a reserved label, without a namespace, selects that identity', () => {
  const WORLD_ID = 'pitfall-peer-sourceless-reserved-world';
  const OTHER_ID = 'pitfall-peer-sourceless-reserved';
  const DNE = { key: 'io.kubernetes.pod.namespace', operator: 'DoesNotExist' };
  const sourceless = (key: string, extra: Doc[] = [DNE]): Doc => ({ matchLabels: { [key]: '' }, matchExpressions: extra });
  const allow = (peer: Doc, egress = false): Doc => ({ endpointSelector: WEB, ...(egress
    ? { egress: [{ toEndpoints: [peer], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }
    : { ingress: [{ fromEndpoints: [peer], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }) });
  const VERSIONS = ['1.14', '1.15', '1.16', '1.17', '1.18', '1.19'];
  /** Per version: `E` (error finding), `W` (warning finding) or `-`, and the engine's verdict from the identity named. */
  const table = (doc: Doc, from: string, to: string): string[] => VERSIONS.map((v) => {
    const set = PolicySet.fromYaml(JSON.stringify(doc), { ciliumVersion: CiliumVersion.parse(v) });
    const flag = paths(WORLD_ID, [doc], v).length > 0 ? 'E' : paths(OTHER_ID, [doc], v).length > 0 ? 'W' : '-';
    return `${v} ${flag} ${verdictFor(set, from, to, '80/TCP').verdict}`;
  });

  it('world: "" beside namespace DoesNotExist, a CNP or a CCNP: an error on 1.14-1.18, where the engine lets the world in; none on 1.19, where it does not', () => {
    const expected = ['1.14 E allowed', '1.15 E allowed', '1.16 E allowed', '1.17 E allowed', '1.18 E allowed', '1.19 - denied'];
    expect(table(cnp(allow(sourceless('world'))), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(expected);
    expect(table(ccnp(allow(sourceless('world'))), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(expected);
    expect(table(cnp(allow(sourceless('any:world'))), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(expected);
    // NotIn on the namespace names the namespace key too; world Exists requires the label as world: "" does.
    const notIn = { key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] };
    expect(table(cnp(allow(sourceless('world', [notIn]))), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(expected);
    expect(table(cnp(allow({ matchExpressions: [{ key: 'world', operator: 'Exists' }, DNE] })), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(expected);
  });

  it('host: "" in an egress allow: an error; the engine lets the pod reach the node on 1.14-1.18', () => {
    expect(table(cnp(allow(sourceless('host'), true)), 'pod:shop:app=web', 'entity:host'))
      .toEqual(['1.14 E allowed', '1.15 E allowed', '1.16 E allowed', '1.17 E allowed', '1.18 E allowed', '1.19 - denied']);
  });

  it('beside a reserved: key the agent keeps the selector as written: an error on 1.19 too, where the engine lets the world in', () => {
    const peer = sourceless('world', [{ key: 'reserved:health', operator: 'DoesNotExist' }]);
    expect(table(cnp(allow(peer)), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(VERSIONS.map((v) => `${v} E allowed`));
  });

  it('other reserved identities: a warning, the engine agreeing that they are selected (remote-node, health, kube-apiserver)', () => {
    expect(table(cnp(allow(sourceless('remote-node'))), 'entity:remote-node', 'pod:shop:app=web'))
      .toEqual(['1.14 W allowed', '1.15 W allowed', '1.16 W allowed', '1.17 W allowed', '1.18 W allowed', '1.19 - denied']);
    expect(table(cnp(allow(sourceless('health'), true)), 'pod:shop:app=web', 'entity:health').slice(4)).toEqual(['1.18 W allowed', '1.19 - denied']);
    expect(table(cnp(allow(sourceless('kube-apiserver'), true)), 'pod:shop:app=web', 'entity:kube-apiserver').slice(4))
      .toEqual(['1.18 W allowed', '1.19 - denied']);
  });

  it('not flagged where the agent adds a namespace or the key has a source: the engine denies the world', () => {
    const denied = VERSIONS.map((v) => `${v} - denied`);
    // No namespace key: the policy namespace (CNP) or namespace Exists (CCNP) is added, which no reserved identity carries.
    expect(table(cnp(allow(sourceless('world', []))), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(denied);
    expect(table(ccnp(allow(sourceless('world', []))), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(denied);
    // k8s:world is a pod label; a namespace named by value is no reserved identity's.
    expect(table(cnp(allow(sourceless('k8s:world'))), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(denied);
    expect(table(cnp(allow({ matchLabels: { 'world': '', 'io.kubernetes.pod.namespace': 'shop' } })), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(denied);
    // A namespace-labels key stands in for the namespace in a CNP from 1.16, not in a CCNP (namespace Exists is added).
    const nsLabels = sourceless('world', [{ key: 'io.cilium.k8s.namespace.labels.team', operator: 'DoesNotExist' }]);
    expect(table(cnp(allow(nsLabels)), 'cidr:203.0.113.9', 'pod:shop:app=web'))
      .toEqual(['1.14 - denied', '1.15 - denied', '1.16 E allowed', '1.17 E allowed', '1.18 E allowed', '1.19 - denied']);
    expect(table(ccnp(allow(nsLabels)), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(denied);
  });

  it('world-ipv4: "" selects the IPv4 world of a dual-stack cluster from 1.15 only, where that identity exists; not flagged on 1.14', () => {
    const dual = (doc: Doc): string[] => VERSIONS.map((v) => {
      const set = PolicySet.fromYaml(JSON.stringify(doc), { ciliumVersion: CiliumVersion.parse(v), ipFamilies: IpFamilies.DUAL });
      const flag = paths(WORLD_ID, [doc], v).length > 0 ? 'E' : paths(OTHER_ID, [doc], v).length > 0 ? 'W' : '-';
      return `${v} ${flag} ${verdictFor(set, 'cidr:203.0.113.9', 'pod:shop:app=web', '80/TCP').verdict}`;
    });
    expect(dual(cnp(allow(sourceless('world-ipv4')))))
      .toEqual(['1.14 - denied', '1.15 E allowed', '1.16 E allowed', '1.17 E allowed', '1.18 E allowed', '1.19 - denied']);
  });

  it('in a deny section: a warning whatever the identity (the deny drops its traffic, never widens); the engine denies the world there', () => {
    const doc = (section: 'ingressDeny' | 'egressDeny', key: string): Doc => cnp({ endpointSelector: WEB,
      ...(section === 'ingressDeny' ? { ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEndpoints: [sourceless(key)] }] }
        : { egress: [{ toEntities: ['all'] }], egressDeny: [{ toEndpoints: [sourceless(key)] }] }) });
    const flipped = ['1.14 W denied', '1.15 W denied', '1.16 W denied', '1.17 W denied', '1.18 W denied', '1.19 - allowed'];
    expect(table(doc('ingressDeny', 'world'), 'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(flipped);
    expect(table(doc('egressDeny', 'host'), 'pod:shop:app=web', 'entity:host')).toEqual(flipped);
    expect(table(doc('egressDeny', 'remote-node'), 'pod:shop:app=web', 'entity:remote-node')).toEqual(flipped);
    const [f] = findings(check({ 'p.yaml': JSON.stringify(doc('ingressDeny', 'world')) }, { ciliumVersion: '1.18' }), OTHER_ID);
    expect([f.severity, f.path]).toEqual(['warning', 'spec.ingressDeny[0].fromEndpoints[0]']);
    expect(f.message).toContain('selects the reserved identity world (every address outside the cluster), not pods labelled world');
    expect(f.message).toContain('this deny drops the traffic from it (a deny wins over every allow), a restriction, never a widening');
    // The fix names the entity field of the section's direction: fromEntities in an ingressDeny, toEntities in an egressDeny.
    expect(f.fix).toBe('a pod label is written with the k8s source (k8s:world); if the identity is meant, say so: fromEntities: [world]');
    const [g] = findings(check({ 'p.yaml': JSON.stringify(doc('egressDeny', 'host')) }, { ciliumVersion: '1.18' }), OTHER_ID);
    expect(g.fix).toBe('a pod label is written with the k8s source (k8s:host); if the identity is meant, say so: toEntities: [host]');
    // With the namespace added by the agent, a deny of pods: no finding, the engine lets the world in.
    expect(table(cnp({ endpointSelector: WEB, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEndpoints: [sourceless('world', [])] }] }),
      'cidr:203.0.113.9', 'pod:shop:app=web')).toEqual(VERSIONS.map((v) => `${v} - allowed`));
  });

  it('without a version (a construct\'s check): the reading of every supported version, 1.14\'s unnamespaced peers of reserved:init included', () => {
    // A CNP of reserved:init: on 1.14 its peers get no namespace (cnpInitUnnamespaced), so world: "" alone selects the world.
    const peer = { matchLabels: { world: '' } };
    const scope = { mode: 'cnp' as const, namespace: 'shop', matchesInit: true };
    expect([CiliumVersion.V1_14, CiliumVersion.V1_15, undefined].map((v) => sourcelessReservedLabels(peer, v, scope))).toEqual([['world'], [], ['world']]);
    const init = cnp({ endpointSelector: { matchLabels: { 'reserved:init': '' } }, ingress: [{ fromEndpoints: [peer] }] });
    expect(table(init, 'cidr:203.0.113.9', 'entity:init').slice(0, 2).map((t) => t.replace(/ [EW-] /, ' '))).toEqual(['1.14 allowed', '1.15 denied']);
    // world-ipv4 exists from 1.15: read without a version, it is a candidate; on 1.14 it is not.
    expect([CiliumVersion.V1_14, undefined].map((v) => sourcelessReservedLabels(sourceless('world-ipv4'), v, scope))).toEqual([[], ['world-ipv4']]);
  });

  it('world NotIn/DoesNotExist requires no world label: not this finding but only-excludes\' warning, which says what the engine does', () => {
    // world NotIn [x] holds on the world identity (its value "" is not x), world DoesNotExist does not.
    for (const [operator, world] of [['NotIn', 'allowed'], ['DoesNotExist', 'denied']]) {
      const peer = { matchExpressions: [{ key: 'world', operator, ...(operator === 'NotIn' ? { values: ['x'] } : {}) }, DNE] };
      const doc = cnp(allow(peer));
      expect(table(doc, 'cidr:203.0.113.9', 'pod:shop:app=web').slice(4)).toEqual([`1.18 - ${world}`, '1.19 - denied']);
      expect(paths('pitfall-peer-selector-only-excludes', [doc], '1.18')).toEqual(['d0.yaml: spec.ingress[0].fromEndpoints[0]']);
    }
  });

  it('a requirement the world cannot meet (k8s:app: scanner, any:app: scanner): no finding, the engine denies the world; host stays flagged', () => {
    const denied = VERSIONS.map((v) => `${v} - denied`);
    expect(table(cnp(allow(sourceless('world', [DNE, { key: 'k8s:app', operator: 'In', values: ['scanner'] }]))), 'cidr:203.0.113.9', 'pod:shop:app=web'))
      .toEqual(denied);
    expect(table(cnp(allow({ matchLabels: { world: '', app: 'scanner' }, matchExpressions: [DNE] })), 'cidr:203.0.113.9', 'pod:shop:app=web'))
      .toEqual(denied);
    // A requirement the world does meet (k8s:app DoesNotExist) keeps the finding.
    expect(table(cnp(allow(sourceless('world', [DNE, { key: 'k8s:app', operator: 'DoesNotExist' }]))), 'cidr:203.0.113.9', 'pod:shop:app=web'))
      .toEqual(['1.14 E allowed', '1.15 E allowed', '1.16 E allowed', '1.17 E allowed', '1.18 E allowed', '1.19 - denied']);
    // The host's node labels are unknown: a requirement on another key leaves it flagged.
    expect(paths(WORLD_ID, [cnp(allow(sourceless('host', [DNE, { key: 'k8s:app', operator: 'In', values: ['scanner'] }]), true))], '1.18')).toHaveLength(1);
  });

  it('the finding: where, what it selects and why, how a pod label is written, the entity if meant; the 1.19 note before 1.19', () => {
    const [f] = findings(check({ 'p.yaml': JSON.stringify(cnp(allow(sourceless('world')))) }, { ciliumVersion: '1.18' }), WORLD_ID);
    expect(f.severity).toBe('error');
    expect(f.path).toBe('spec.ingress[0].fromEndpoints[0]');
    expect(f.message).toBe('fromEndpoints {world=, io.kubernetes.pod.namespace DoesNotExist} requires the key "world" without a source (or with "any:"), '
      + 'which matches Cilium\'s reserved label reserved:world too, and the agent adds no namespace to this selector (it names the namespace key, a reserved: '
      + 'key or a namespace-labels key): on Cilium 1.18 it selects the reserved identity world (every address outside the cluster), not pods labelled world '
      + '(from Cilium 1.19, policy-default-local-cluster, on by default, keeps it out)');
    expect(f.fix).toBe('a pod label is written with the k8s source (k8s:world); if the identity is meant, say so: fromEntities: [world]');
    const [g] = findings(check({ 'p.yaml': JSON.stringify(cnp(allow(sourceless('remote-node'), true))) }, { ciliumVersion: '1.16' }), OTHER_ID);
    expect([g.severity, g.path, g.fix]).toEqual(['warning', 'spec.egress[0].toEndpoints[0]',
      'a pod label is written with the k8s source (k8s:remote-node); if the identity is meant, say so: toEntities: [remote-node]']);
    expect(g.message).toContain('selects the reserved identity remote-node (every other node of the cluster), not pods labelled remote-node');
  });

  it('a construct peer written so (Peer.endpoints with world and namespace DoesNotExist): validateApp reports it on 1.18, not on 1.19', () => {
    const ids = (version: string): string[] => {
      const app = Testing.app();
      const c = new Chart(app, 'c', { namespace: 'shop' });
      CiliumVersion.use(c, CiliumVersion.parse(version));
      new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowIngress(
        Peer.endpoints({ labels: { world: '' }, expressions: [LabelExpression.doesNotExist('io.kubernetes.pod.namespace')] }), { ports: [Port.tcp(80)] });
      return validateApp(app).filter((d) => d.id.startsWith('pitfall-peer-sourceless')).map((d) => `${d.severity} ${d.id}`);
    };
    expect([ids('1.18'), ids('1.19')]).toEqual([['error pitfall-peer-sourceless-reserved-world'], []]);
  });

  it('validateApp: world with k8s:app: scanner beside namespace DoesNotExist: no error, synthesis passes; the engine denies the world', () => {
    for (const peer of [Peer.endpoints({ labels: { 'world': '', 'k8s:app': 'scanner' },
      expressions: [LabelExpression.doesNotExist('io.kubernetes.pod.namespace')] })]) {
      const app = Testing.app();
      const c = new Chart(app, 'c', { namespace: 'shop' });
      CiliumVersion.use(c, CiliumVersion.parse('1.18'));
      new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowIngress(peer, { ports: [Port.tcp(80)] });
      expect(validateApp(app).filter((d) => d.severity === 'error' || d.id.startsWith('pitfall-peer-sourceless'))).toEqual([]);
      const yaml = JSON.stringify(Testing.synth(c)[0]);
      expect(verdictFor(PolicySet.fromYaml(yaml, { ciliumVersion: CiliumVersion.parse('1.18') }), 'cidr:203.0.113.9', 'pod:shop:app=web', '80/TCP').verdict)
        .toBe('denied');
    }
  });
});

describe('pitfall-ccnp-subject-selects-reserved: a clusterwide subject that only excludes selects Cilium\'s own endpoints', () => {
  const ID = 'pitfall-ccnp-subject-selects-reserved';
  const NS = 'k8s:io.kubernetes.pod.namespace';
  const ALL_BUT_KUBE_SYSTEM = { matchExpressions: [{ key: NS, operator: 'NotIn', values: ['kube-system'] }] };
  const WORLD_IN = { ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] };

  it('flagged at the endpointSelector, naming the values and what the rule gives; the engine agrees: the world reaches the health endpoint', () => {
    const policy = ccnp({ endpointSelector: ALL_BUT_KUBE_SYSTEM, ...WORLD_IN });
    expect(paths(ID, [policy])).toEqual(['d0.yaml: spec.endpointSelector']);
    const [f] = findings(check({ 'p.yaml': JSON.stringify(policy) }, { ciliumVersion: '1.19' }), ID);
    expect(f.message).toBe('endpointSelector {k8s:io.kubernetes.pod.namespace NotIn (kube-system)} only excludes, and Cilium adds no namespace to the subject '
      + 'of a clusterwide policy: besides the pods it does not exclude, it selects Cilium\'s own endpoints without those labels (the health and ingress '
      + 'endpoints and pods still initializing): reserved:health, reserved:ingress, reserved:init, which get its allows (ingress) and its ingress default deny');
    const set = PolicySet.fromYaml(JSON.stringify(policy));
    expect(verdictFor(set, 'cidr:203.0.113.9', 'entity:health', '80/TCP').verdict).toBe('allowed');
  });

  it('a deny-only rule without default deny: what it gives is its denies', () => {
    const [f] = findings(check({ 'p.yaml': JSON.stringify(ccnp({ endpointSelector: ALL_BUT_KUBE_SYSTEM, enableDefaultDeny: { egress: false },
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] })) }, { ciliumVersion: '1.19' }), ID);
    expect(f.message).toMatch(/which get its denies \(egressDeny\)$/);
  });

  it('a selector that keeps the reserved endpoints out itself (reserved:health, reserved:ingress, reserved:init DoesNotExist) is not flagged; '
    + 'one that keeps out some is flagged for the others', () => {
    const keepOut = (...ids: string[]): Doc => ({ matchExpressions: [...ids.map((id) => ({ key: `reserved:${id}`, operator: 'DoesNotExist' })),
      ...ALL_BUT_KUBE_SYSTEM.matchExpressions] });
    const policy = ccnp({ endpointSelector: keepOut('health', 'ingress', 'init'), ...WORLD_IN });
    expect(paths(ID, [policy])).toEqual([]);
    // The engine agrees: the health endpoint is not in the rule's default deny (81/TCP stays open), as it is without the keep-out.
    const health81 = (doc: Doc): string => verdictFor(PolicySet.fromYaml(JSON.stringify(doc)), 'cidr:203.0.113.9', 'entity:health', '81/TCP').verdict;
    expect([health81(policy), health81(ccnp({ endpointSelector: ALL_BUT_KUBE_SYSTEM, ...WORLD_IN }))]).toEqual(['allowed', 'denied']);
    const [f] = findings(check({ 'p.yaml': JSON.stringify(ccnp({ endpointSelector: keepOut('health'), ...WORLD_IN })) }, { ciliumVersion: '1.19' }), ID);
    expect(f.message).toContain('pods still initializing): reserved:ingress, reserved:init, which get');
  });

  it('not flagged: Exists on the namespace beside it, a label required, a CNP (its namespace is added), a host rule', () => {
    expect(paths(ID, [ccnp({ endpointSelector: { matchExpressions: [{ key: NS, operator: 'Exists' }, ...ALL_BUT_KUBE_SYSTEM.matchExpressions] }, ...WORLD_IN })]))
      .toEqual([]);
    expect(paths(ID, [ccnp({ endpointSelector: { ...WEB, ...ALL_BUT_KUBE_SYSTEM }, ...WORLD_IN })])).toEqual([]);
    expect(paths(ID, [cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, ...WORLD_IN })])).toEqual([]);
    expect(paths(ID, [ccnp({ nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
      ingress: [{ fromEntities: ['cluster'] }] })])).toEqual([]);
  });
});
