// How one rule renders its calls (src/constructs/policy-rule.ts), through engine verdicts with the deciding rule item and
// through the findings of the policy's own synthesis (`synthesizeModel()`: id and path): each verb writes its section,
// every call of a section counts, implicit namespaces are made explicit (or refused in a clusterwide policy), ports
// default only where documented, ICMP beside TCP, the options that reach the engine (TLS server names, authentication,
// enableDefaultDeny) and the rule's metadata. In the mutation test set (set `rules`). Every value is built inside a test.
import { ApiObject, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  AuthenticationMode, CiliumPolicy, CiliumVersion, ClusterwidePolicy, DnsRule, EndpointSelector, HttpRule, Icmp, L7, NodeSelector, Peer, Port,
} from '../../src';
import { decidedBy, judge, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const API = 'pod:shop:app=api';
const CLIENT = 'pod:shop:app=client';
const OTHER = 'pod:shop:app=other';
const client = (): Peer => Peer.endpoints({ labels: { app: 'client' } });

/** A policy on `app=api` in namespace `shop`, and its chart. */
function apiPolicy(version?: CiliumVersion, options: Partial<ConstructorParameters<typeof CiliumPolicy>[2]> = {}): { c: Chart; p: CiliumPolicy } {
  const c = chart('shop', version);
  const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }), ...options });
  return { c, p };
}

/** `<id> <path>` of each finding of the policy's synthesis. */
function findings(p: CiliumPolicy | ClusterwidePolicy): string[] {
  return p.synthesizeModel().diagnostics.map((d) => `${d.id} ${d.path ?? ''}`.trim());
}

describe('each verb writes its section, and every call counts', () => {
  test('allow and deny, in and out, each decided by its own item', () => {
    const { c, p } = apiPolicy();
    p.allowIngress(Peer.any(), { ports: [Port.tcp(80), Port.tcp(81)] });
    p.allowIngress(client(), { ports: [Port.tcp(82)] });
    p.denyIngress(client(), { ports: [Port.tcp(81)] });
    p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443)] });
    p.allowEgress(Peer.cidr('198.51.100.0/24'), { ports: [Port.tcp(443)] });
    p.denyEgress(Peer.cidr('192.0.2.128/25'));
    expect(decidedBy(c, CLIENT, API, 80, 'ingress')).toBe(`allowed ${p.name} spec.ingress[0]`);
    expect(decidedBy(c, CLIENT, API, 81, 'ingress')).toBe(`denied-by-deny-rule ${p.name} spec.ingressDeny[0]`);
    expect(decidedBy(c, OTHER, API, 81, 'ingress')).toBe(`allowed ${p.name} spec.ingress[0]`);
    expect(decidedBy(c, CLIENT, API, 82, 'ingress')).toBe(`allowed ${p.name} spec.ingress[1]`);
    expect(verdictOf(c, OTHER, API, 82)).toBe('denied');
    expect(decidedBy(c, API, 'cidr:192.0.2.1', 443, 'egress')).toBe(`allowed ${p.name} spec.egress[0]`);
    expect(decidedBy(c, API, 'cidr:198.51.100.1', 443, 'egress')).toBe(`allowed ${p.name} spec.egress[0]`);
    expect(decidedBy(c, API, 'cidr:192.0.2.200', 443, 'egress')).toBe(`denied-by-deny-rule ${p.name} spec.egressDeny[0]`);
    expect(verdictOf(c, API, 'cidr:203.0.113.1', 443)).toBe('denied');
    expect(findings(p)).toEqual([]);
  });

  test('isolate: default deny without an allow; the other direction untouched', () => {
    const { c, p } = apiPolicy();
    p.isolateIngress();
    expect(decidedBy(c, CLIENT, API, 80, 'ingress')).toBe('default-deny');
    expect(verdictOf(c, API, 'cidr:192.0.2.1', 443)).toBe('allowed');
    const e = apiPolicy();
    e.p.isolateEgress();
    e.p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443)] });
    expect(verdictOf(e.c, API, 'cidr:192.0.2.1', 443)).toBe('allowed');
    expect(verdictOf(e.c, API, 'cidr:198.51.100.1', 443)).toBe('denied');
    expect(verdictOf(e.c, CLIENT, API, 80)).toBe('allowed');
  });

  test('the subject: the endpoint selector, or every pod of the namespace without one', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'all').allowIngress(client(), { ports: [Port.tcp(80)] });
    expect(verdictOf(c, OTHER, API, 80)).toBe('denied');
    expect(verdictOf(c, OTHER, 'pod:shop:app=web', 80)).toBe('denied');
    expect(verdictOf(c, OTHER, 'pod:prod:app=web', 80)).toBe('allowed');
  });

  test('enableDefaultDeny: a direction set to false adds allows without denying the rest', () => {
    const { c, p } = apiPolicy(undefined, { enableDefaultDeny: { ingress: false } });
    p.allowIngress(client(), { ports: [Port.tcp(80)] });
    p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443)] });
    expect(verdictOf(c, OTHER, API, 80)).toBe('allowed');
    expect(verdictOf(c, API, 'cidr:198.51.100.1', 443)).toBe('denied');
    const both = apiPolicy(undefined, { enableDefaultDeny: { ingress: false, egress: false } });
    both.p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443)] });
    expect(verdictOf(both.c, API, 'cidr:198.51.100.1', 443)).toBe('allowed');
  });
});

describe('namespaces made explicit, or refused in a clusterwide policy', () => {
  test('pods and Services without a namespace: the policy namespace', () => {
    const { c, p } = apiPolicy();
    p.allowIngress(client(), { ports: [Port.tcp(80)] });
    new ApiObject(c, 'db', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop', labels: { tier: 'data' } },
      spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] } });
    new ApiObject(c, 'db2', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'prod', labels: { tier: 'data' } },
      spec: { selector: { app: 'db2' }, ports: [{ port: 5432 }] } });
    p.allowEgress(Peer.service('db'), { ports: [Port.tcp(5432)] });
    p.allowEgress(Peer.serviceSelector({ labels: { tier: 'data' } }), { ports: [Port.tcp(5433)] });
    p.allowEgress(Peer.service('db', 'prod'), { ports: [Port.tcp(5434)] });
    expect(verdictOf(c, CLIENT, API, 80)).toBe('allowed');
    expect(verdictOf(c, 'pod:prod:app=client', API, 80)).toBe('denied');
    expect(verdictOf(c, API, 'pod:shop:app=db', 5432)).toBe('allowed');
    expect(verdictOf(c, API, 'pod:prod:app=db2', 5432)).toBe('denied');
    expect(verdictOf(c, API, 'pod:shop:app=db', 5433)).toBe('allowed');
    expect(verdictOf(c, API, 'pod:prod:app=db2', 5433)).toBe('denied');
    expect(verdictOf(c, API, 'pod:prod:app=db2', 5434)).toBe('allowed');
    expect(verdictOf(c, API, 'pod:shop:app=db', 5434)).toBe('denied');
    expect(findings(p)).toEqual([]);
  });

  test('in a clusterwide policy, a pod or Service peer without a namespace is refused with its path', () => {
    const c = chart();
    const p = new ClusterwidePolicy(c, 'cw', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    p.allowIngress(client(), { ports: [Port.tcp(80)] });
    p.allowEgress(Peer.service('db'), { ports: [Port.tcp(5432)] });
    p.allowEgress(Peer.serviceSelector({ labels: { tier: 'data' } }), { ports: [Port.tcp(5432)] });
    p.allowEgress(Peer.service('db', 'shop'), { ports: [Port.tcp(5433)] });
    p.allowEgress(Peer.endpoints({ labels: { app: 'x' }, allNamespaces: true }), { ports: [Port.tcp(80)] });
    const d = p.synthesizeModel().diagnostics;
    expect(d.map((x) => `${x.id} ${x.path}`)).toEqual([
      'peer-namespace-required spec.ingress', 'peer-service-namespace-required spec.egress', 'peer-service-namespace-required spec.egress',
    ]);
    // Each names the factory that takes the namespace.
    expect(d[1].fix).toMatch(/Peer\.service\(\)/);
    expect(d[1].message).toMatch(/Services of that name/);
    expect(d[2].fix).toMatch(/Peer\.serviceSelector\(\)/);
    expect(d[2].message).toMatch(/Services with those labels/);
  });
});

describe('ports: as given, defaulted only for egress to a workload', () => {
  test('TCP beside ICMP in one call: both open, nothing else', () => {
    const { c, p } = apiPolicy();
    p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443), Icmp.echoRequest()] });
    expect(verdictOf(c, API, 'cidr:192.0.2.1', 443)).toBe('allowed');
    expect(verdictOf(c, API, 'cidr:192.0.2.1', 'icmp/8')).toBe('allowed');
    expect(verdictOf(c, API, 'cidr:192.0.2.1', 'icmp/0')).toBe('denied');
    expect(verdictOf(c, API, 'cidr:192.0.2.1', 80)).toBe('denied');
    expect(findings(p)).toEqual([]);
  });

  test('L7 rules with an ICMP type are refused with the path', () => {
    const { p } = apiPolicy();
    p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(80), Icmp.echoRequest()], l7: L7.http(HttpRule.get('/')) });
    expect(findings(p)).toContain('l7-with-icmp spec.egress');
    const ok = apiPolicy();
    ok.p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.get('/')) });
    expect(findings(ok.p)).toEqual([]);
  });

  function withDb(c: Chart, service: boolean): ApiObject {
    const db = new ApiObject(c, 'db', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' },
      spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image: 'db', ports: [{ containerPort: 5432 }, { containerPort: 9187 }] }] } } },
    });
    if (service) new ApiObject(c, 'db-svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] } });
    return db;
  }

  test('egress to a workload without ports: its Service\'s target ports; ingress from it and a deny to it: every port', () => {
    const { c, p } = apiPolicy();
    const db = withDb(c, true);
    p.allowEgress(Peer.workload(db));
    p.allowIngress(Peer.workload(db));
    expect(verdictOf(c, API, 'pod:shop:app=db', 5432)).toBe('allowed');
    expect(verdictOf(c, API, 'pod:shop:app=db', 9187)).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=db', API, 9187)).toBe('allowed');
    expect(findings(p)).toEqual([]);
    const d = apiPolicy();
    const db2 = withDb(d.c, true);
    d.p.allowEgress(Peer.any());
    d.p.denyEgress(Peer.workload(db2));
    expect(verdictOf(d.c, API, 'pod:shop:app=db', 5432)).toBe('denied');
    expect(verdictOf(d.c, API, 'pod:shop:app=db', 22)).toBe('denied');
    expect(verdictOf(d.c, API, 'pod:shop:app=web', 22)).toBe('allowed');
    expect(findings(d.p)).toEqual([]);
  });

  test('egress to a workload no Service selects, without ports: refused with the path; with ports: accepted', () => {
    const { c, p } = apiPolicy();
    const db = withDb(c, false);
    p.allowEgress(Peer.workload(db));
    expect(findings(p)).toEqual(['workload-ports-unknown spec.egress']);
    const ok = apiPolicy();
    ok.p.allowEgress(Peer.workload(withDb(ok.c, false)), { ports: [Port.tcp(5432)] });
    ok.p.allowIngress(Peer.workload(withDb(chart('x'), false)));
    expect(findings(ok.p)).toEqual([]);
  });
});

describe('the options that reach the engine, and the rule\'s metadata', () => {
  test('L7 rules are carried to the item: the request they name is allowed, another refused by the proxy', () => {
    const { c, p } = apiPolicy();
    p.allowIngress(client(), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.get('/health')) });
    expect(verdictOf(c, CLIENT, API, 80, { http: 'GET /health' })).toBe('allowed');
    expect(verdictOf(c, CLIENT, API, 80, { http: 'POST /health' })).toBe('l7-denied');
    expect(verdictOf(c, OTHER, API, 80, { http: 'GET /health' })).toBe('denied');
  });

  test('TLS server names and authentication are carried to the item that allows (authentication: required drops)', () => {
    const { c, p } = apiPolicy();
    p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443)], serverNames: ['api.example.com'] });
    p.allowEgress(Peer.cidr('198.51.100.0/24'), { ports: [Port.tcp(443)], authentication: AuthenticationMode.REQUIRED });
    p.allowEgress(Peer.kubeDns(), { ports: [Port.any(53)], l7: L7.dns(DnsRule.pattern('*')) });
    const sni = judge(c, API, 'cidr:192.0.2.1', 443).egress;
    expect(sni.decision).toBe('allowed');
    expect(sni.notes.join('\n')).toMatch(/restricts the TLS SNI to api\.example\.com/);
    expect(sni.notes.join('\n')).not.toMatch(/mutual authentication/);
    // authentication: required drops without mutual authentication (DROP_POLICY_AUTH_REQUIRED), and even with it for a
    // peer outside the cluster, which SPIRE never attests.
    const auth = judge(c, API, 'cidr:198.51.100.1', 443).egress;
    expect(auth).toMatchObject({ decision: 'auth-required', allowed: false, rule: { path: 'spec.egress[1]' } });
    expect(auth.reason).toMatch(/authentication mode required drops every packet .*unless the cluster runs mutual authentication with SPIRE/);
    expect(auth.notes.join('\n')).not.toMatch(/TLS SNI/);
    expect(judge(c, API, 'cidr:198.51.100.1', 443, { mutualAuth: true }).egress.reason).toMatch(/the peer has an identity outside the cluster \(reserved:world\)/);
  });

  test('description, log and labels: written when given, and only then (a log tag before 1.18 is refused)', () => {
    const given = apiPolicy(CiliumVersion.V1_18, { description: 'the api', log: 'api-tag', labels: { team: 'b', app: 'a' } });
    given.p.allowIngress(client(), { ports: [Port.tcp(80)] });
    const spec = given.p.synthesizeModel().model.spec;
    expect(spec?.description).toBe('the api');
    expect(spec?.log).toEqual({ value: 'api-tag' });
    expect(spec?.labels).toEqual([{ key: 'app', value: 'a' }, { key: 'team', value: 'b' }]);
    expect(findings(given.p)).toEqual([]);
    const old = apiPolicy(CiliumVersion.V1_17, { log: 'api-tag' });
    old.p.allowIngress(client(), { ports: [Port.tcp(80)] });
    expect(findings(old.p)).toEqual(['version-log spec.log']);
    // Not given: not written, so a 1.17 target has nothing to refuse.
    const none = apiPolicy(CiliumVersion.V1_17);
    none.p.allowIngress(client(), { ports: [Port.tcp(80)] });
    expect(findings(none.p)).toEqual([]);
    const bare = none.p.synthesizeModel().model.spec ?? {};
    expect(Object.keys(bare).sort()).toEqual(['endpointSelector', 'ingress']);
  });

  test('a host rule selects nodes, not pods', () => {
    const c = chart();
    new ClusterwidePolicy(c, 'h', { nodeSelector: NodeSelector.labels({ role: 'db' }) })
      .allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
    expect(verdictOf(c, 'cidr:192.0.2.1', 'node:role=db', 22, { hostFirewall: true })).toBe('denied');
    expect(verdictOf(c, 'cidr:10.50.0.1', 'node:role=db', 22, { hostFirewall: true })).toBe('allowed');
    expect(verdictOf(c, 'cidr:192.0.2.1', 'pod:shop:role=db', 22, { hostFirewall: true })).toBe('allowed');
  });
});

describe('what plain JavaScript (or 0.x code) passes is refused where it is called', () => {
  test('a construct or another value where the peer goes', () => {
    const { c, p } = apiPolicy();
    const db = new ApiObject(c, 'db', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db' } });
    for (const bad of [db, null, 'app=db', {}]) {
      const r = refusal(() => p.allowIngress(bad as never));
      expect(r.id).toBe('peer-unknown');
      expect(r.message).toMatch(bad === db ? /test\/db is not a peer[\s\S]*Peer\.workload\(\)/ : / is not a peer[\s\S]*pass a Peer/);
    }
  });

  test('a port list, null or a string where the options go', () => {
    const { p } = apiPolicy();
    for (const bad of [[Port.tcp(80)], null, 'tcp/80', 80]) {
      const r = refusal(() => p.allowEgress(client(), bad as never));
      expect(r.id).toBe('rule-options-positional');
    }
    // The options object itself, and no options, are accepted.
    p.allowEgress(client(), { ports: [Port.tcp(80)] });
    p.allowEgress(client());
  });

  test('a Port, L7 rules or a peer where the options go: refused, never a rule of every port', () => {
    // From plain JavaScript the value's fields were read as no options: `allowIngress(peer, Port.tcp(80))` allowed every
    // port, `denyEgress(peer, Port.tcp(25))` denied every port, `allowIngress(peer, L7.http(…))` dropped the L7 rules.
    const { c, p } = apiPolicy();
    p.allowIngress(Peer.endpoints({ labels: { app: 'other' } }), { ports: [Port.tcp(443)] });
    const cases: Array<[unknown, RegExp, RegExp]> = [
      [Port.tcp(80), /allowIngress\(.*, Port 80\/TCP\): the second argument is the options, not a Port; .* allowing every port/,
        /the ports as a list in the options: allowIngress\(peer, \{ ports: \[Port\.tcp\(8080\)\] \}\)/],
      [Icmp.echoRequest(), /not a Port/, /ports: \[/],
      [L7.http(HttpRule.get('/api')), /L7 rules\): the second argument is the options, not L7 rules/, /\{ ports: \[Port\.tcp\(8080\)\], l7 \}/],
      [Peer.namespace('other'), /not a peer/, /once for each peer/],
    ];
    for (const [bad, message, fix] of cases) {
      const r = refusal(() => p.allowIngress(client(), bad as never));
      expect(r.id).toBe('rule-options-positional');
      expect(r.message).toMatch(message);
      expect(r.message).toMatch(fix);
    }
    const deny = refusal(() => p.denyEgress(client(), Port.tcp(25) as never));
    expect(deny.id).toBe('rule-options-positional');
    expect(deny.message).toMatch(/denying every port/);
    // Nothing was added: the client reaches the api on no port, not on every one.
    expect(verdictOf(c, CLIENT, API, 80)).toBe('denied');
    expect(verdictOf(c, CLIENT, API, 9999)).toBe('denied');
    // The options object is accepted and allows its port only.
    p.allowIngress(client(), { ports: [Port.tcp(80)] });
    expect(verdictOf(c, CLIENT, API, 80)).toBe('allowed');
    expect(verdictOf(c, CLIENT, API, 9999)).toBe('denied');
  });

  test('any class instance where the options go (a selector, a construct, a rule, a Map): refused with its kind, never every port', () => {
    // Only a Port, L7 rules and a peer were refused: `allowIngress(peer, EndpointSelector.labels(…))` (or a workload, a policy,
    // a Map, an options class) was read as no options and allowed every port; a deny denied every port.
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    const w = new ApiObject(c, 'w', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w' } });
    class Options { public readonly ports = [Port.tcp(80)]; }
    const cases: Array<[unknown, string]> = [
      [EndpointSelector.labels({ app: 'x' }), 'an EndpointSelector'], [w, 'an ApiObject'], [p, 'a CiliumPolicy'], [p.rule, 'a PolicyRule'],
      [new Map([['ports', [Port.tcp(80)]]]), 'a Map'], [new Options(), 'an Options'],
    ];
    for (const [bad, kind] of cases) {
      for (const call of [() => p.allowIngress(client(), bad as never), () => p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'api' }) })
        .allowIngress(client(), bad as never)]) {
        const r = refusal(call);
        expect(r.id).toBe('rule-options-positional');
        expect(r.message).toContain(`the second argument is the options, not ${kind}; the rule would be written without ports, allowing every port`);
        expect(r.message).toMatch(/^\[[^\]]*\/api\] /);
      }
    }
    const ccnp = new ClusterwidePolicy(c, 'cw', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    expect(refusal(() => ccnp.allowIngress(Peer.endpoints({ labels: { app: 'client' }, namespace: 'shop' }), w as never)).message)
      .toMatch(/not an ApiObject; .* allowing every port/);
    // A deny: refused, never a deny of every port; the allow of every port stays in force.
    const open = apiPolicy();
    open.p.allowIngress(client());
    const deny = refusal(() => open.p.denyIngress(client(), EndpointSelector.labels({ app: 'x' }) as never));
    expect(deny.id).toBe('rule-options-positional');
    expect(deny.message).toMatch(/not an EndpointSelector; .* denying every port/);
    expect(verdictOf(open.c, CLIENT, API, 9999)).toBe('allowed');
    // Nothing of a refused allow is added: the options given next allow their port only.
    const only = chart('shop');
    const q = new CiliumPolicy(only, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    expect(() => q.allowIngress(client(), EndpointSelector.labels({ app: 'x' }) as never)).toThrow();
    q.allowIngress(client(), { ports: [Port.tcp(80)] });
    expect(verdictOf(only, CLIENT, API, 80)).toBe('allowed');
    expect(verdictOf(only, CLIENT, API, 9999)).toBe('denied');
    // A Set of ports is named as such (it was `object`).
    expect(refusal(() => q.allowIngress(client(), { ports: new Set([Port.tcp(80)]) as never })).message).toMatch(/ports is a Set, not a list/);
    // An object literal, `Object.create(null)` or JSON is the options.
    const bare = Object.create(null) as { ports?: Port[] };
    Object.assign(bare, { ports: [Port.tcp(81)] });
    q.allowIngress(client(), bare);
    q.allowIngress(client(), { ...(JSON.parse('{}') as object), ports: [Port.tcp(82)] });
    expect(verdictOf(only, CLIENT, API, 81)).toBe('allowed');
    expect(verdictOf(only, CLIENT, API, 82)).toBe('allowed');
    expect(verdictOf(only, CLIENT, API, 9999)).toBe('denied');
  });

  test('an argument after the options (the 0.x form, a third-argument auth or L7 rules): refused, never dropped', () => {
    // `allowIngress(peer, undefined, undefined, { authentication })` (0.x) allowed every port without authentication;
    // `…, { ports }, { authentication })` dropped the authentication, `…, { ports }, L7.http(GET /api))` the HTTP rules.
    const { c, p } = apiPolicy();
    p.allowIngress(Peer.endpoints({ labels: { app: 'other' } }), { ports: [Port.tcp(443)] });
    const extra: Array<[() => void, number]> = [
      [() => (p.allowIngress as (...a: unknown[]) => void)(client(), undefined, undefined, { authentication: AuthenticationMode.REQUIRED }), 4],
      [() => (p.allowIngress as (...a: unknown[]) => void)(client(), { ports: [Port.tcp(80)] }, { authentication: AuthenticationMode.REQUIRED }), 3],
      [() => (p.allowIngress as (...a: unknown[]) => void)(client(), { ports: [Port.tcp(80)] }, L7.http(HttpRule.get('/api'))), 3],
      [() => (p.rule.allowEgress as (...a: unknown[]) => void).call(p.rule, client(), { ports: [Port.tcp(80)] }, L7.http(HttpRule.get('/api'))), 3],
      [() => (p.denyEgress as (...a: unknown[]) => void)(client(), { ports: [Port.tcp(25)] }, undefined), 3],
      [() => (p.rule.denyIngress as (...a: unknown[]) => void).call(p.rule, client(), {}, [Port.tcp(25)]), 3],
    ];
    for (const [call, count] of extra) {
      const r = refusal(call);
      expect(r.id).toBe('rule-options-positional');
      expect(r.message).toContain(`got ${count} arguments: the call takes the peer and the options`);
      expect(r.message).toMatch(/^\[[^\]]*\/api\] /);
      expect(r.message).toMatch(/would be dropped/);
      expect(r.message).toMatch(/(allowing|denying) more than asked/);
    }
    // None was added: the client reaches no port of the api; the options form carries the L7 rules.
    expect(verdictOf(c, CLIENT, API, 80)).toBe('denied');
    p.allowIngress(client(), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.get('/api')) });
    expect(verdictOf(c, CLIENT, API, 80, { http: 'GET /api' })).toBe('allowed');
    expect(verdictOf(c, CLIENT, API, 80, { http: 'GET /admin' })).toBe('l7-denied');
    expect(verdictOf(c, CLIENT, API, 9999)).toBe('denied');
  });

  test('a construct or another value where a selector goes names what it got', () => {
    const c = chart('shop');
    const web = new ApiObject(c, 'web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } });
    const r = refusal(() => new CiliumPolicy(c, 'p', { endpointSelector: web as never }));
    expect(r.id).toBe('selector-unknown');
    expect(r.message).toMatch(/endpointSelector \(the construct test\/web\) is not an endpoint selector/);
    const n = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: { labels: {} } as never }));
    expect(n.id).toBe('selector-unknown');
    expect(n.message).toMatch(/nodeSelector \(object\) is not a node selector/);
    const both = refusal(() => new ClusterwidePolicy(chart(), 'b', { endpointSelector: EndpointSelector.all(), nodeSelector: NodeSelector.all() }));
    expect(both.id).toBe('rule-two-selectors');
  });
});
