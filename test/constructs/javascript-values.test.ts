// Values of the wrong type, as plain JavaScript (or a computed value) passes them, refused with their fix where they were
// read wrongly or failed with a TypeError far from the call.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  Builtins, CiliumPolicy, CiliumVersion, ClusterwidePolicy, DnsRule, EndpointSelector, FqdnEgress, Grpc, HostFirewall, HostFirewallProps, HttpRule,
  IPeer, MetadataEndpointBlock, MonitoringScrape, NodeSelector, Peer, Port, TieredApp,
} from '../../src';
import { showValue } from '../../src/core/errors';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

// A BigInt (a computed value) where a name, a path or a tier name goes: the refusal's own message ran JSON.stringify on it,
// so the caller got `TypeError: Do not know how to serialize a BigInt` with a stack trace instead of the refusal (session 48).
describe('a BigInt where text goes is refused by the check meant, shown as its digits (it was a TypeError of the message)', () => {
  test.each([
    ['Peer.namespace', () => Peer.namespace(10n as unknown as string), 'namespace-name-syntax', 'Peer.endpoints() namespace 10 is not a namespace name'],
    ['Peer.service', () => Peer.service(10n as unknown as string), 'peer-service-name-syntax', 'Peer.service(10) is not a Service name'],
    ['Peer.service namespace', () => Peer.service('db', 10n as unknown as string), 'namespace-name-syntax', 'Peer.service() namespace 10 is not'],
    ['HttpRule.get', () => HttpRule.get(10n as unknown as string), 'l7-field-blank', 'HttpRule path 10 is blank'],
    ['CiliumPolicy namespace', () => new CiliumPolicy(chart(), 'p', { namespace: 10n as unknown as string, endpointSelector: EndpointSelector.labels({ app: 'a' }) }),
      'namespace-name-syntax', 'CiliumPolicy namespace 10 is not a namespace name'],
    ['TieredApp tier name', () => new TieredApp(chart('shop'), 'p', { tiers: [{ name: 10n as unknown as string, ports: [Port.tcp(80)] }] }),
      'tiered-app-tier-name', 'tier name 10 cannot name a policy'],
  ])('%s', (_name, call, id, message) => {
    const r = refusal(call);
    expect(r.id).toBe(id);
    expect(r.message).toContain(message);
  });
});

// Session 48 review (fixlp48): the mend above left refusal sites that still ran JSON.stringify on the value given, so a BigInt
// (or a loop) was `TypeError: Do not know how to serialize a BigInt` where the refusal was meant. Each shows the value with
// the one display (`showValue`) now; `Peer.cidr(10n)` without except was taken and refused only at synthesis (`crd-type`).
describe('a BigInt at every refusal site that shows the value: the refusal meant, never a TypeError', () => {
  const big = 10n as unknown as string;
  const policy = () => new CiliumPolicy(chart('shop'), 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
  test.each([
    ['Peer.cidr with except', () => Peer.cidr(big, { except: ['10.0.0.0/24'] }), 'peer-cidr-syntax', 'Peer.cidr() got 10 (bigint), not a CIDR'],
    ['Peer.cidr', () => Peer.cidr(big), 'peer-cidr-syntax', 'Peer.cidr() got 10 (bigint), not a CIDR'],
    ['Grpc.service', () => Grpc.service(big), 'grpc-name-syntax', '10 is not a valid gRPC service name'],
    ['Grpc.method', () => Grpc.method('a.B', big), 'grpc-name-syntax', '10 is not a valid gRPC method name'],
    ['HttpRule.of headers', () => HttpRule.of({ path: '/', headers: [big] }), 'l7-header-never-matches', 'HttpRule header 10 matches no request'],
    ['Port.of endPort', () => Port.of({ endPort: 10n as unknown as number }), 'port-end-without-start', 'Port.of() got endPort 10 without port'],
    ['allowEgress ports', () => policy().allowEgress(Peer.cidr('10.0.0.0/8'), { ports: [10n as unknown as Port] }), 'ports-not-ports',
      'the port list holds 10, not a Port'],
    ['allowEgress serverNames', () => policy().allowEgress(Peer.cidr('10.0.0.0/8'), { ports: [Port.tcp(443)], serverNames: 10n as unknown as string[] }),
      'server-names-not-list', 'serverNames is 10, not a list'],
    ['ClusterwidePolicy lockoutExemptions path', () => new ClusterwidePolicy(chart(), 'c', { nodeSelector: NodeSelector.labels({ a: 'b' }),
      lockoutExemptions: [{ path: big as never, reason: 'x' }] }), 'lockout-exemption-path', 'lockoutExemptions: 10 is not a LockoutPath'],
    ['Peer.endpoints namespace label', () => Peer.endpoints({ namespace: 'x', labels: { 'k8s:io.kubernetes.pod.namespace': big } }),
      'peer-namespace-conflict', 'the labels already require k8s:io.kubernetes.pod.namespace=10: no pod has both'],
    ['Peer.endpoints expressions', () => Peer.endpoints({ labels: { app: 'a' }, expressions: [{ x: 10n } as never] }), 'selector-expressions-invalid',
      'expressions[0] is the object'],
    ['HostFirewall apiServerPort', () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], apiServerPort: 10n as unknown as number }),
      'host-firewall-api-server-port', 'HostFirewall apiServerPort 10 is not a port'],
    // JSON writes NaN and Infinity as null: the message showed a value not given.
    ['HostFirewall apiServerPort NaN', () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], apiServerPort: NaN }),
      'host-firewall-api-server-port', 'HostFirewall apiServerPort NaN is not a port'],
    ['HostFirewall apiServerPort -Infinity', () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], apiServerPort: -Infinity }),
      'host-firewall-api-server-port', 'HostFirewall apiServerPort -Infinity is not a port'],
    // Session 57 review: at any depth, not at the top only (`[NaN]` was shown `[null]`, `{ a: Infinity }` `{"a":null}`).
    ['HostFirewall apiServerPort [NaN]', () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], apiServerPort: [NaN] as unknown as number }),
      'host-firewall-api-server-port', 'HostFirewall apiServerPort [NaN] is not a port'],
    ['HostFirewall apiServerPort { a: Infinity, b: [-Infinity, 1] }', () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'],
      apiServerPort: { a: Infinity, b: [-Infinity, 1] } as unknown as number }),
    'host-firewall-api-server-port', 'HostFirewall apiServerPort {"a":Infinity,"b":[-Infinity,1]} is not a port'],
  ])('%s', (_name, call, id, message) => {
    const r = refusal(call);
    expect(r.id).toBe(id);
    expect(r.message).toContain(message);
  });
});

// Session 48 review (fixlp48): a peer with no prototype (`Object.create(null)` holding a `toPeerConfig`, from plain JavaScript
// or a config loader) has no `toString`: the messages and the role-peer copy called it, a TypeError where the check was meant.
describe('a peer with no prototype: no TypeError (textOf)', () => {
  const bare = (cidr: string): IPeer => Object.assign(Object.create(null) as object, {
    toPeerConfig: () => ({ item: { cidr: [cidr] }, description: `cidr ${cidr}` }),
  }) as IPeer;
  test('HostFirewall hubbleRelay: taken, and its range alone reaches 4244/TCP', () => {
    const c = chart();
    new HostFirewall(c, 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'],
      hubbleRelay: bare('10.60.0.0/24') });
    const cp = 'node:node-role.kubernetes.io/control-plane=';
    expect(verdictOf(c, 'cidr:10.60.0.5', cp, '4244/TCP', { hostFirewall: true })).toBe('allowed');
    expect(verdictOf(c, 'pod:kube-system:k8s-app=hubble-relay', cp, '4244/TCP', { hostFirewall: true })).toBe('denied');
  });

  test('FqdnEgress dnsServer: taken, and DNS goes to its range alone', () => {
    const c = chart('shop');
    new FqdnEgress(c, 'f', { endpointSelector: EndpointSelector.labels({ app: 'a' }), fqdns: ['api.example.com'], dnsServer: bare('10.96.0.10/32') });
    expect(verdictOf(c, 'pod:shop:app=a', 'cidr:10.96.0.10', '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.example.com' })).toBe('denied');
  });

  test('an unknown option, a peer where the options go, no peer at all: the refusal meant', () => {
    const p = new CiliumPolicy(chart('shop'), 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
    const options = Object.assign(Object.create(null) as object, { port: 5 }) as never;
    expect(refusal(() => p.allowEgress(bare('10.0.0.0/8'), options)).id).toBe('rule-option-unknown');
    // Its prototype has no toString either: not an object literal, so it is named as the peer it is.
    const inherited = Object.create(bare('10.1.0.0/16') as object) as never;
    expect(refusal(() => p.allowEgress(Peer.cidr('10.0.0.0/8'), inherited)).id).toBe('rule-options-positional');
    expect(refusal(() => p.allowEgress(Object.create(null) as IPeer)).id).toBe('peer-unknown');
  });
});

describe('HttpRule.of() lists', () => {
  test('headers as one string was read character by character: refused', () => {
    const r = refusal(() => HttpRule.of({ headers: 'X-Tenant: shop' as unknown as string[] }));
    expect(r.id).toBe('list-entry-invalid');
    expect(r.message).toContain('HttpRule.of() headers is a string ("X-Tenant: shop"), not a list');
    expect(HttpRule.of({ headers: ['X-Tenant: shop'] })).toBeInstanceOf(HttpRule);
  });

  test('headerMatches as one object was a TypeError: refused', () => {
    const r = refusal(() => HttpRule.of({ headerMatches: { name: 'X-Token', value: 'a' } as unknown as [] }));
    expect(r.id).toBe('list-entry-invalid');
    expect(r.message).toContain('HttpRule.of() headerMatches is a mapping, not a list');
    expect(refusal(() => HttpRule.of({ headerMatches: [undefined as unknown as { name: string }] })).message).toContain('headerMatches[0] is undefined');
  });
});

describe('CiliumVersion.use() with a version that is not a CiliumVersion', () => {
  test('a string was a TypeError at synth: refused at the call, naming the constant', () => {
    const r = refusal(() => CiliumVersion.use(Testing.app(), '1.18' as unknown as CiliumVersion));
    expect(r.id).toBe('version-unsupported');
    expect(r.message).toContain('CiliumVersion.use() got "1.18", not a CiliumVersion');
    const e = (() => {
      try {
        CiliumVersion.use(Testing.app(), 'v1.17.3' as unknown as CiliumVersion);
      } catch (err) {
        return err as { fix: string };
      }
      return undefined;
    })();
    expect(e?.fix).toBe('pass CiliumVersion.V1_17 (or CiliumVersion.parse("v1.17.3"))');
    expect(refusal(() => CiliumVersion.use(Testing.app(), undefined as unknown as CiliumVersion)).message).toContain('got undefined');
    const app = Testing.app();
    CiliumVersion.use(app, CiliumVersion.V1_18);
    expect(CiliumVersion.of(app)).toBe(CiliumVersion.V1_18);
  });
});

describe('Builtins with something that is not a PolicyRule', () => {
  test('undefined, or the policy instead of its rule, was a TypeError: refused, naming policy.rule', () => {
    const r = refusal(() => Builtins.allowDns(undefined as unknown as CiliumPolicy['rule']));
    expect(r.id).toBe('rule-not-a-rule');
    expect(r.message).toContain('Builtins.allowDns() got undefined, not a PolicyRule');
    const policy = new CiliumPolicy(chart('shop'), 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    expect(refusal(() => Builtins.allowHostProbes(policy as unknown as CiliumPolicy['rule'])).message).toContain('Builtins.allowHostProbes() got a policy');
    expect(() => Builtins.allowHostProbes(policy.rule)).not.toThrow();
  });
});

describe('FqdnEgress ports', () => {
  test('null was a TypeError, a single Port no list: refused naming the prop', () => {
    const c = chart('shop');
    const r = refusal(() => new FqdnEgress(c, 'a', { fqdns: ['api.example.com'], ports: null as unknown as Port[] }));
    expect([r.id, r.message]).toEqual(['list-entry-invalid', expect.stringContaining('FqdnEgress ports is null, not a list')]);
    expect(refusal(() => new FqdnEgress(c, 'b', { fqdns: ['api.example.com'], ports: Port.tcp(443) as unknown as Port[] })).id).toBe('list-entry-invalid');
    expect(refusal(() => new FqdnEgress(c, 'c', { fqdns: ['api.example.com'], ports: [443 as unknown as Port] })).message).toContain('FqdnEgress ports[0] is a number');
  });
});

// An entry `undefined` or `null` in a list of names or CIDRs (plain JavaScript, a computed value) was a TypeError far from
// the call (`Cannot read properties of undefined (reading 'trim')`, `(reading 'indexOf')`), with a stack trace.
describe('lists of names and CIDRs with an entry that is no string', () => {
  test('refused by name and position, with the fix', () => {
    const fqdn = refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com', undefined as unknown as string] }));
    // The one refusal of a name that is no string (`checkFqdnSyntax`), as `Peer.fqdn(5)` and `DnsRule.exact(5)` give it (session 47
    // review: it was `fqdn-egress-empty`, "a DNS name is written as text").
    expect(fqdn.message).toBe('[test/f] FqdnEgress fqdns[1] is undefined, not a string: no Cilium version accepts it (the CRD pattern of matchName '
      + "and matchPattern) (fqdn-syntax)\n  fix: write the name as a string, such as 'api.example.com'");
    // A number is no blank entry: it is not a string (it said "a blank entry (5)").
    const five = refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: [5 as unknown as string] }));
    const peer = refusal(() => Peer.fqdn(5 as unknown as string));
    const rule = refusal(() => DnsRule.exact(5 as unknown as string));
    expect(five.message).toMatch(/^\[test\/f\] FqdnEgress fqdns\[0\] is a number \(5\), not a string: no Cilium version accepts it .* \(fqdn-syntax\)\n/);
    // One id and one wording: the same words after the factory's name, the same fix (the message's last line).
    for (const other of [peer, rule]) {
      expect(other.id).toBe(five.id);
      expect(other.message.replace(/^\[[^\]]*\] (Peer\.fqdn|DnsRule\.exact) /, '')).toBe(five.message.replace(/^\[test\/f\] FqdnEgress fqdns\[0\] /, ''));
    }
    // Every entry that is no string, at once.
    expect(refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: [5, 'api.example.com', null] as unknown as string[] })).message)
      .toMatch(/FqdnEgress fqdns\[0\] is a number \(5\), not a string; FqdnEgress fqdns\[2\] is null, not a string: /);
    // A blank name: one judgement, one wording, wherever it is given (session 48: it was `fqdn-egress-empty`, "a blank entry",
    // in FqdnEgress, and `fqdn-syntax`, "is not a valid DNS name", in Peer.fqdn('')).
    const blank = refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com', ' '] }));
    expect(blank.message).toBe('[test/f] FqdnEgress fqdns[1] " " is blank, no DNS name: no Cilium version accepts it (the CRD pattern of matchName '
      + 'and matchPattern) (fqdn-syntax)\n  fix: write the name meant (a blank entry of a list: remove it)');
    for (const other of [refusal(() => Peer.fqdn(' ')), refusal(() => DnsRule.exact(' ')), refusal(() => Peer.fqdnPattern(' ')), refusal(() => DnsRule.pattern(' '))]) {
      expect(other.id).toBe(blank.id);
      expect(other.message.replace(/^\[[^\]]*\] (Peer\.fqdn|Peer\.fqdnPattern|DnsRule\.exact|DnsRule\.pattern) /, ''))
        .toBe(blank.message.replace(/^\[test\/f\] FqdnEgress fqdns\[1\] /, ''));
    }
    const except = refusal(() => Peer.cidr('10.0.0.0/8', { except: [undefined as unknown as string] }));
    expect(except.message).toMatch(/^\[test\/constructs\/javascript-values\.test\.ts:\d+\] Peer\.cidr\(\) except\[0\] is undefined, not a CIDR \(list-entry-invalid\)\n {2}fix: pass a CIDR at every position \(is a computed entry undefined\?\)$/);
    for (const prop of ['managementCidrs', 'controlPlaneCidrs', 'bgpPeers', 'nodeDnsServers']) {
      const props = { managementCidrs: ['10.50.0.0/24'], [prop]: ['10.60.0.0/24', null] } as unknown as HostFirewallProps;
      expect(refusal(() => new HostFirewall(chart(), 'h', props)).message, prop).toBe(`[test/h] HostFirewall ${prop}[1] is null, not a CIDR (list-entry-invalid)\n`
        + '  fix: pass a CIDR at every position (is a computed entry undefined?)');
    }
    for (const [prop, kind] of [['breakGlassPorts', 'a Port'], ['exemptions', 'a LockoutExemption ({ path, reason })']]) {
      const props = { managementCidrs: ['10.50.0.0/24'], [prop]: [undefined] } as unknown as HostFirewallProps;
      expect(refusal(() => new HostFirewall(chart(), 'h', props)).message, prop).toBe(`[test/h] HostFirewall ${prop}[0] is undefined, not ${kind} (list-entry-invalid)\n`
        + `  fix: pass ${kind} at every position (is a computed entry undefined?)`);
    }
    expect(refusal(() => new MetadataEndpointBlock(chart('shop'), 'm', { extraCidrs: [undefined as unknown as string] })).message)
      .toBe('[test/m] MetadataEndpointBlock extraCidrs[0] is undefined, not a CIDR (list-entry-invalid)\n  fix: pass a CIDR at every position (is a computed entry undefined?)');
  });

  // A look-alike of a Port passed the duck-typed check (`_match !== undefined`) and, having no match to write, gave no
  // toPorts: breakGlassPorts: [{ _match: 1 }] wrote fromCIDR 10.50.0.0/24 to every host port. Now `isPort` (the Port mark).
  test('a Port look-alike ({ _match: 1 }) is no Port: refused in every port list, not written as every port', () => {
    const fake = { _match: 1 } as unknown as Port;
    const glass = refusal(() => new HostFirewall(chart(), 'h', { managementCidrs: ['10.50.0.0/24'], breakGlassPorts: [Port.tcp(2222), fake] }));
    expect(glass.message).toBe('[test/h] HostFirewall breakGlassPorts[1] is a mapping, not a Port (list-entry-invalid)\n'
      + '  fix: pass a Port at every position (is a computed entry undefined?)');
    expect(refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com'], ports: [fake] })).id).toBe('list-entry-invalid');
    expect(refusal(() => new MonitoringScrape(chart(), 'm', {
      scraper: Peer.endpoints({ namespace: 'mon', labels: { app: 'prom' } }), namespaces: ['shop'], ports: [fake],
    })).id).toBe('list-entry-invalid');
    const policy = new CiliumPolicy(chart('shop'), 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    expect(refusal(() => policy.allowIngress(Peer.namespace('edge'), { ports: [fake] })).id).toBe('ports-not-ports');
    expect(refusal(() => new TieredApp(chart('shop'), 't', { tiers: [{ name: 'web', labels: { app: 'web' }, ports: [fake] }] })).id).toBe('ports-not-ports');
    // A real Port stays accepted: the management network reaches 2222/TCP only.
    const c = chart();
    new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'], breakGlassPorts: [Port.tcp(2222)] });
    expect(verdictOf(c, 'cidr:10.50.0.7', 'node:kubernetes.io/hostname=n1', '2222/TCP', { hostFirewall: true })).toBe('allowed');
    expect(verdictOf(c, 'cidr:10.50.0.7', 'node:kubernetes.io/hostname=n1', '2223/TCP', { hostFirewall: true })).toBe('denied');
  });

  // A shared construct library with a cdk8s-cilium of its own beside the app's: its Port is of another class object, which
  // `instanceof` refused (`FqdnEgress ports[0] is a Port, not a Port`). The mark is the same symbol in every copy.
  test('a Port of another copy of the package is a Port: accepted, and only its port reached', () => {
    const real = Port.tcp(8080);
    const other = Object.create({ get _match() { return real._match; }, toString: () => real.toString() }) as Port;
    Object.defineProperty(other, Symbol.for('cdk8s-cilium.Port'), { value: true });
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowIngress(Peer.endpoints({ labels: { app: 'lb' } }), { ports: [other] });
    expect(verdictOf(c, 'pod:shop:app=lb', 'pod:shop:app=web', '8080/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=lb', 'pod:shop:app=web', '8081/TCP')).toBe('denied');
    expect(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com'], ports: [other] })).not.toThrow();
  });

  // Session 48 (fixlp48): it was taken, and refused at synthesis only, at the output field (`crd-type`); refused at the call now.
  test('Peer.cidr(undefined) is refused at the call (peer-cidr-syntax), not a TypeError', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    const r = refusal(() => p.allowEgress(Peer.cidr(undefined as unknown as string), { ports: [Port.tcp(443)] }));
    expect(r.id).toBe('peer-cidr-syntax');
    expect(r.message).toContain('Peer.cidr() got undefined (undefined), not a CIDR: the CRD wants a string');
  });

  test('strings in every position stay accepted', () => {
    expect(Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'] }).toString()).toContain('10.1.0.0/16');
    expect(() => new HostFirewall(chart(), 'h', { managementCidrs: ['10.50.0.0/24'], bgpPeers: ['10.60.0.1/32'] })).not.toThrow();
    expect(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com', 'www.example.com'] })).not.toThrow();
  });
});

// Session 57 review: the one display of a value (`showValue`) writes NaN and ±Infinity as given at any depth, where JSON
// writes `null`; a text that merely looks like its mark is shown as the text it is.
describe('showValue: non-finite numbers as given, at any depth', () => {
  test.each([
    [NaN, 'NaN'], [-Infinity, '-Infinity'], [[NaN, 1, Infinity], '[NaN,1,Infinity]'], [{ a: NaN, b: 'x' }, '{"a":NaN,"b":"x"}'],
    [[null, 'NaN'], '[null,"NaN"]'], [['\uE000NaN', NaN], JSON.stringify(['\uE000NaN', null])],
  ] as [unknown, string][])('%s', (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });
});
