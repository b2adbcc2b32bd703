// The verbs of a rule (src/constructs/policy-rule.ts, lines 1-323): each refusal of a call that would allow more than it
// says, by its error id, for every verb it applies to, beside the closest call that is accepted; that a deny refuses the allow
// options it is handed; that a call keeps its ports as given; the rule's two selectors. In the mutation test set
// (set `rules`). Every value is built inside a test.
import { ApiObject, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  AllowOptions, CiliumPolicy, ClusterwidePolicy, DnsRule, EndpointSelector, FqdnEgress, HostFirewall, HttpRule, Icmp, L7, MetadataEndpointBlock,
  NodeSelector, Peer, Port, PolicyRule, SectionName,
} from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const API = 'pod:shop:app=api';
const CLIENT = 'pod:shop:app=client';
const client = (): Peer => Peer.endpoints({ labels: { app: 'client' } });
type Verb = 'allowIngress' | 'allowEgress' | 'denyIngress' | 'denyEgress';
const VERBS: Verb[] = ['allowIngress', 'allowEgress', 'denyIngress', 'denyEgress'];

/** A policy on `app=api` in namespace `shop`, and its chart. */
function apiPolicy(): { c: Chart; p: CiliumPolicy } {
  const c = chart('shop');
  return { c, p: new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }) };
}

/** Calls `verb` on a fresh policy (options handed as JavaScript could hand them). */
function call(verb: Verb, peer: unknown, options: unknown): void {
  const { p } = apiPolicy();
  (p[verb] as (peer: unknown, options: unknown) => void).call(p, peer, options);
}

describe('peers that exist in one direction only', () => {
  test('FQDN and Service peers are refused on ingress (allow and deny), accepted on egress', () => {
    for (const peer of [() => Peer.fqdn('api.example.com'), () => Peer.service('db', 'shop')]) {
      expect(refusal(() => call('allowIngress', peer(), { ports: [Port.tcp(443)] })).id).toBe('peer-wrong-direction');
      expect(refusal(() => call('denyIngress', peer(), { ports: [Port.tcp(443)] })).id).toBe('peer-wrong-direction');
      expect(() => call('allowEgress', peer(), { ports: [Port.tcp(443)] })).not.toThrow();
    }
    // Peers of every other kind go both ways.
    for (const verb of VERBS) expect(() => call(verb, Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443)] }), verb).not.toThrow();
  });

  test('an FQDN cannot be denied (no toFQDNs in egressDeny), nor a Service (the agent never resolves toServices there)', () => {
    expect(refusal(() => call('denyEgress', Peer.fqdn('api.example.com'), {})).id).toBe('peer-fqdn-deny');
    expect(refusal(() => call('denyEgress', Peer.fqdnPattern('*.example.com'), { ports: [Port.tcp(443)] })).id).toBe('peer-fqdn-deny');
    // With ports the deny would hold them for every peer (the world included), without them nothing.
    const withPorts = refusal(() => call('denyEgress', Peer.service('db', 'shop'), { ports: [Port.tcp(5432)] }));
    expect(withPorts.id).toBe('peer-service-deny');
    expect(withPorts.message).toContain('[test/api] denyEgress(service shop/db): Cilium never resolves toServices in egressDeny, so the deny would hold its ports '
      + 'for every peer, the whole world included, not the Service\'s backends (peer-service-deny)');
    expect(refusal(() => call('denyEgress', Peer.serviceSelector({ labels: { tier: 'data' } }), {})).message).toContain('so the deny would hold nothing');
    // The backends by their labels, as the fix says, are denied.
    expect(() => call('denyEgress', Peer.endpoints({ labels: { app: 'db' } }), { ports: [Port.tcp(5432)] })).not.toThrow();
    expect(() => call('allowEgress', Peer.service('db', 'shop'), { ports: [Port.tcp(5432)] })).not.toThrow();
  });
});

describe('what the refusals name: the verb, the peer, the kind of peer, the port to use', () => {
  test('each verb names itself, and a workload peer its construct path', () => {
    for (const verb of VERBS) expect(refusal(() => call(verb, client(), { ports: [] })).message, verb).toContain(`${verb}(`);
    const c = chart('shop');
    const db = new ApiObject(c, 'db', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { selector: { app: 'db' }, ports: [{ port: 80 }] } });
    const p = new CiliumPolicy(c, 'p');
    expect(refusal(() => p.allowEgress(Peer.workload(db), { ports: [] })).message).toContain('allowEgress(test/db,');
  });

  test('an ingress FQDN and an ingress Service are told apart, in the message and the fix', () => {
    const fqdn = refusal(() => call('allowIngress', Peer.fqdn('api.example.com'), {})).message;
    const svc = refusal(() => call('allowIngress', Peer.service('db', 'shop'), {})).message;
    expect([/FQDN peers exist only for egress/.test(fqdn), /Peer\.cidr\(\)/.test(fqdn)]).toEqual([true, true]);
    expect([/service peers exist only for egress/.test(svc), /Peer\.endpoints\(\)/.test(svc), /FQDN/.test(svc)]).toEqual([true, true, false]);
  });

  test('L7 rules without ports: the fix names 53 for DNS rules, 8080 otherwise', () => {
    expect(refusal(() => call('allowEgress', client(), { l7: L7.dns(DnsRule.all()) })).message).toMatch(/Port\.tcp\(53\)/);
    expect(refusal(() => call('allowEgress', client(), { l7: L7.http(HttpRule.get('/')) })).message).toMatch(/Port\.tcp\(8080\)/);
  });

  test('a function carrying toPeerConfig is no peer', () => {
    const fn = Object.assign(() => undefined, { toPeerConfig: () => ({ item: {}, description: 'fn' }) });
    expect(refusal(() => call('allowIngress', fn, {})).id).toBe('peer-unknown');
  });
});

describe('isolate', () => {
  test('isolateEgress alone puts the pods into egress default deny, and only egress', () => {
    const { c, p } = apiPolicy();
    p.isolateEgress();
    expect(decidedBy(c, API, 'cidr:192.0.2.1', 443, 'egress')).toBe('default-deny');
    expect(decidedBy(c, CLIENT, API, 80, 'ingress')).not.toBe('default-deny');
    const r = apiPolicy();
    r.p.rule.isolateEgress();
    expect(decidedBy(r.c, API, 'cidr:192.0.2.1', 443, 'egress')).toBe('default-deny');
  });

  test('isolating a direction the rule turns default deny off for is refused (it wrote ingress: [{}] and left the pods open)', () => {
    for (const direction of ['ingress', 'egress'] as const) {
      const c = chart('shop');
      const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }), enableDefaultDeny: { [direction]: false } });
      const verb = direction === 'ingress' ? 'isolateIngress' : 'isolateEgress';
      const r = refusal(() => p[verb]());
      expect(r.id).toBe('isolate-without-default-deny');
      expect(r.message).toContain(`[test/api] ${verb}() in a rule with enableDefaultDeny: { ${direction}: false }`);
      // The other direction is isolated as asked.
      const other = direction === 'ingress' ? 'isolateEgress' : 'isolateIngress';
      p[other]();
      expect(direction === 'ingress' ? decidedBy(c, API, 'cidr:192.0.2.1', 443, 'egress') : decidedBy(c, CLIENT, API, 80, 'ingress')).toBe('default-deny');
      // An added rule with the flag is refused too; additive allows stay accepted.
      const rule = p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'db' }), enableDefaultDeny: { [direction]: false } });
      expect(refusal(() => rule[verb]()).id).toBe('isolate-without-default-deny');
      expect(() => rule.allowIngress(client(), { ports: [Port.tcp(80)] })).not.toThrow();
    }
  });
});

describe('port lists', () => {
  test('an empty or non-list port list is refused by every verb; leaving ports out means every port', () => {
    for (const verb of VERBS) {
      expect(refusal(() => call(verb, client(), { ports: [] })).id, verb).toBe('ports-empty');
      const one = refusal(() => call(verb, client(), { ports: Port.tcp(80) }));
      expect(one.id, verb).toBe('ports-empty');
      // Named as given, not as an empty list (the message said `{ ports: [] }` for a Port).
      expect(one.message, verb).toMatch(/\{ ports \}\): ports is the Port 80\/TCP, not a list[\s\S]*fix: pass a list: \{ ports: \[Port\.tcp\(8080\)\] \}/);
      const text = refusal(() => call(verb, client(), { ports: 'tcp/80' }));
      expect(text.id, verb).toBe('ports-empty');
      expect(text.message, verb).toMatch(/ports is a string \("tcp\/80"\), not a list/);
      expect(() => call(verb, client(), {}), verb).not.toThrow();
    }
    const { c, p } = apiPolicy();
    p.allowIngress(client());
    expect(decidedBy(c, CLIENT, API, 12345, 'ingress')).toBe(`allowed ${p.name} spec.ingress[0]`);
  });

  test('a value that is not a Port is refused wherever it stands in the list', () => {
    for (const verb of VERBS) {
      expect(refusal(() => call(verb, client(), { ports: [80] })).id, verb).toBe('ports-not-ports');
      expect(refusal(() => call(verb, client(), { ports: [Port.tcp(80), { port: 81 }] })).id, verb).toBe('ports-not-ports');
      expect(refusal(() => call(verb, client(), { ports: [Port.tcp(80), Port.udp(53), null] })).id, verb).toBe('ports-not-ports');
    }
  });

  test('the call keeps its ports as given: a port pushed to the list afterwards is not allowed', () => {
    const { c, p } = apiPolicy();
    const ports = [Port.tcp(80)];
    p.allowIngress(client(), { ports });
    ports.push(Port.tcp(81));
    expect(verdictOf(c, CLIENT, API, 80)).toBe('allowed');
    expect(verdictOf(c, CLIENT, API, 81)).toBe('denied');
  });
});

describe('L7 rules and server names need the ports they restrict', () => {
  test('L7 rules without ports are refused (they would restrict nothing); with ports they restrict', () => {
    for (const verb of ['allowIngress', 'allowEgress'] as const) {
      expect(refusal(() => call(verb, client(), { l7: L7.http(HttpRule.get('/')) })).id, verb).toBe('l7-without-ports');
    }
    const { c, p } = apiPolicy();
    p.allowIngress(client(), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.get('/')) });
    expect(verdictOf(c, CLIENT, API, 80, { http: 'POST /' })).toBe('l7-denied');
  });

  test('server names: an empty list is refused, and so are server names without a TCP/UDP port', () => {
    for (const verb of ['allowIngress', 'allowEgress'] as const) {
      expect(refusal(() => call(verb, client(), { ports: [Port.tcp(443)], serverNames: [] })).id, verb).toBe('server-names-empty');
      expect(refusal(() => call(verb, client(), { serverNames: ['a.example.com'] })).id, verb).toBe('server-names-without-ports');
      expect(refusal(() => call(verb, client(), { ports: [Icmp.echoRequest()], serverNames: ['a.example.com'] })).id, verb).toBe('server-names-without-ports');
      expect(() => call(verb, client(), { ports: [Icmp.echoRequest(), Port.tcp(443)], serverNames: ['a.example.com'] }), verb).not.toThrow();
      expect(() => call(verb, client(), { ports: [Port.tcp(443), Icmp.echoRequest()], serverNames: ['a.example.com'] }), verb).not.toThrow();
    }
  });
});

describe('an option the call does not know is refused (plain JavaScript)', () => {
  test('a typo of ports would allow every port: refused, with the name meant', () => {
    const { p } = apiPolicy();
    const typo = { port: [Port.tcp(80)] } as unknown as AllowOptions;
    const e = refusal(() => p.allowIngress(client(), typo));
    expect(e.id).toBe('rule-option-unknown');
    expect(e.message).toContain('allowIngress() has no option port; it would be left out, and the rule would allow more than asked');
    expect(e.message).toContain('fix: did you mean ports? the options are ports, l7, authentication, serverNames');
    expect(refusal(() => p.denyEgress(client(), { prots: [Port.tcp(80)] } as unknown as AllowOptions)).message).toMatch(/fix: did you mean ports\? the options are ports$/);
    expect(refusal(() => p.allowEgress(client(), { ports: [Port.tcp(80)], bogus: 1 } as unknown as AllowOptions)).id).toBe('rule-option-unknown');
    // Nothing was written by the refused calls.
    expect(p.synthesizeModel().model.spec?.ingress).toBeUndefined();
  });

  // The options were read (every getter run, `readPropsOnce`) before the unknown-key check: an unknown option whose getter throws
  // surfaced the getter's error, not rule-option-unknown (the contract of `checkKnownKeys`, src/model/known-keys.ts).
  test('an unknown option whose getter throws is refused as unknown, by every call and HostFirewall\'s props; nothing is added', () => {
    const throwing = (known: object, key: string): AllowOptions => Object.defineProperty({ ...known }, key, {
      get() { throw new Error('user getter'); }, enumerable: true,
    }) as AllowOptions;
    const { c, p } = apiPolicy();
    const rule = p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'db' }) });
    for (const verb of VERBS) {
      for (const target of [p, rule]) {
        const e = refusal(() => target[verb](client(), throwing({ ports: [Port.tcp(80)] }, verb.startsWith('deny') ? 'serverName' : 'prots')));
        expect(e.id, verb).toBe('rule-option-unknown');
        expect(e.message, verb).toMatch(verb.startsWith('deny') ? /has no option serverName; .*fix: did you mean serverNames\?/s : /has no option prots; .*fix: did you mean ports\?/s);
      }
    }
    const hosts = chart();
    const fw = new HostFirewall(hosts, 'hf', { managementCidrs: ['10.50.0.0/24'] });
    for (const verb of VERBS) expect(refusal(() => fw[verb](Peer.cidr('10.9.0.0/16'), throwing({ ports: [Port.tcp(22)] }, 'prots'))).id, verb).toBe('rule-option-unknown');
    const e = refusal(() => new HostFirewall(chart(), 'hf2', throwing({ managementCidrs: ['10.50.0.0/24'] }, 'wireguard') as never));
    expect(e.id).toBe('prop-unknown');
    expect(e.message).toMatch(/HostFirewall: wireguard \(a getter that throws\) is not a prop of HostFirewall; .*fix: did you mean wireGuard\?/s);
    // Nothing was written by the refused calls: no rule has a section; given a section, the client alone on its port.
    for (const r of [p.rule, rule]) expect(sectionsOf(r)).toEqual([]);
    p.allowIngress(client(), { ports: [Port.tcp(80)] });
    rule.allowIngress(client(), { ports: [Port.tcp(80)] });
    expect(verdictOf(c, CLIENT, API, '80/TCP')).toBe('allowed');
    expect(verdictOf(c, CLIENT, API, '81/TCP')).toBe('denied');
  });

  test('an option left undefined is no option', () => {
    const { c, p } = apiPolicy();
    p.allowIngress(client(), { ports: [Port.tcp(80)], l7: undefined, other: undefined } as unknown as AllowOptions);
    expect(decidedBy(c, CLIENT, API, 80, 'ingress')).toBe(`allowed ${p.name} spec.ingress[0]`);
    expect(decidedBy(c, CLIENT, API, 81, 'ingress')).toMatch(/^default-deny/);
  });
});

// Cilium's deny rules carry ports only (PortDenyRule): from plain JavaScript an allow option handed to a deny was dropped, and a
// deny meant for GET /admin on 80/TCP held every connection of the peer on 80/TCP.
describe('a deny handed an allow option (plain JavaScript) is refused, not widened', () => {
  test.each([
    ['l7', () => ({ l7: L7.http(HttpRule.get('/admin')) })],
    ['authentication', () => ({ authentication: 'required' })],
    ['serverNames', () => ({ serverNames: ['api.example.com'] })],
  ])('%s', (option, extra) => {
    for (const verb of ['denyIngress', 'denyEgress'] as const) {
      const { c, p } = apiPolicy();
      p.allowIngress(client(), { ports: [Port.tcp(80)] });
      const e = refusal(() => (p[verb] as (peer: unknown, o: unknown) => void).call(p, client(), { ports: [Port.tcp(80)], ...extra() }));
      expect(e.id).toBe('deny-allow-option');
      expect(e.message).toContain(`[test/api] ${verb}(endpoints {app=client} (policy namespace), { ${option} }): ${option} is an option of allow rules only`);
      expect(e.message).toContain('fix: drop');
      // Nothing was written: the client still reaches 80/TCP, as the allow says.
      expect(p.synthesizeModel().model.spec?.ingressDeny).toBeUndefined();
      expect(p.synthesizeModel().model.spec?.egressDeny).toBeUndefined();
      expect(verdictOf(c, CLIENT, API, 80)).toBe('allowed');
    }
  });

  test('the allow options left undefined are no options; a deny with ports only is written', () => {
    const { c, p } = apiPolicy();
    p.allowIngress(client(), { ports: [Port.tcp(80)] });
    p.denyIngress(client(), { ports: [Port.tcp(80)], l7: undefined, authentication: undefined, serverNames: undefined } as unknown as AllowOptions);
    expect(decidedBy(c, CLIENT, API, 80, 'ingress')).toBe(`denied-by-deny-rule ${p.name} spec.ingressDeny[0]`);
  });
});

describe('the rule itself', () => {
  test('a rule selects endpoints or nodes, not both; either alone is a rule', () => {
    const c = chart();
    expect(refusal(() => new ClusterwidePolicy(c, 'both', { endpointSelector: EndpointSelector.all(), nodeSelector: NodeSelector.all() })).id)
      .toBe('rule-two-selectors');
    const p = new ClusterwidePolicy(c, 'p', { endpointSelector: EndpointSelector.all() });
    expect(refusal(() => p.addRule({ endpointSelector: EndpointSelector.all(), nodeSelector: NodeSelector.all() })).id).toBe('rule-two-selectors');
    expect(p.addRule({ nodeSelector: NodeSelector.all() }).isHostPolicy).toBe(true);
    expect(p.addRule({ endpointSelector: EndpointSelector.all() }).isHostPolicy).toBe(false);
    expect(p.addRule().isHostPolicy).toBe(false);
  });

  test('a value that is not a selector is refused in either selector option', () => {
    const c = chart();
    expect(refusal(() => new ClusterwidePolicy(c, 'e', { endpointSelector: { matchLabels: { app: 'a' } } as never })).id).toBe('selector-unknown');
    expect(refusal(() => new ClusterwidePolicy(c, 'n', { nodeSelector: { matchLabels: { role: 'x' } } as never })).id).toBe('selector-unknown');
    expect(refusal(() => new ClusterwidePolicy(c, 'x', { nodeSelector: EndpointSelector.all() as never })).id).toBe('selector-unknown');
    expect(refusal(() => new ClusterwidePolicy(c, 'y', { endpointSelector: NodeSelector.all() as never })).id).toBe('selector-unknown');
  });

  test('null, false or "" where a selector goes is refused: read as none, the rule applied to every endpoint', () => {
    const c = chart('shop');
    // `nodeSelector: null` wrote `endpointSelector: {}`: the host rules went to every pod of the cluster (and isHostPolicy said true).
    const node = refusal(() => new ClusterwidePolicy(c, 'n', { nodeSelector: null as never }));
    expect([node.id, node.message]).toEqual(['selector-unknown', expect.stringMatching(/nodeSelector \(null\) is not a node selector: it would be read as none, and the rule would be no host policy/)]);
    for (const none of [null, false, '']) {
      const r = refusal(() => new CiliumPolicy(c, `e${String(none)}`, { endpointSelector: none as never }));
      expect([r.id, r.message], String(none)).toEqual(['selector-unknown', expect.stringMatching(/it would be read as none, and the rule would apply to every endpoint[\s\S]*leave endpointSelector out \(or say EndpointSelector\.all\(\)\) if that is meant/)]);
    }
    expect(refusal(() => new ClusterwidePolicy(c, 'r', {}).addRule({ nodeSelector: null as never })).id).toBe('selector-unknown');
    expect(refusal(() => new FqdnEgress(c, 'f', { fqdns: ['api.example.com'], endpointSelector: null as never })).id).toBe('selector-unknown');
    expect(refusal(() => new MetadataEndpointBlock(c, 'm', { endpointSelector: null as never })).id).toBe('selector-unknown');
    const fw = refusal(() => new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'], nodeSelector: null as never }));
    expect([fw.id, fw.message]).toEqual(['selector-unknown', expect.stringContaining('the firewall would apply to every node')]);
    // Left out, or undefined, is the documented default.
    expect(new CiliumPolicy(c, 'ok', { endpointSelector: undefined }).rule.isHostPolicy).toBe(false);
  });

  test('a selector of one\'s own answering what is no selector is refused (selector-unknown), where it was read as every pod or failed at synthesis', () => {
    // MetadataEndpointBlock with namespaces wrote {NS In (shop)}: every pod of those namespaces lost the metadata endpoint.
    for (const answer of [null, 'app', 5, [], [{ matchLabels: { app: 'web' } }]]) {
      const c = chart();
      const r = refusal(() => new MetadataEndpointBlock(c, 'b', { namespaces: ['shop'], endpointSelector: { toEndpointSelector: () => answer as never } }));
      expect([r.id, r.message], JSON.stringify(answer)).toEqual(['selector-unknown', expect.stringContaining(
        `[test/b] MetadataEndpointBlock endpointSelector of one's own answered ${JSON.stringify(answer)}: it is not a label selector (an object of matchLabels and matchExpressions)`)]);
    }
    // HostFirewall failed at synthesis with crd-subject-one-of (a rule with no subject).
    for (const answer of [null, 'role', []]) {
      const r = refusal(() => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.50.0.0/24'], nodeSelector: { toNodeSelector: () => answer as never } }));
      expect([r.id, r.message], JSON.stringify(answer)).toEqual(['selector-unknown', expect.stringContaining(
        `[test/fw] HostFirewall nodeSelector of one's own answered ${JSON.stringify(answer)}: it is not a label selector (an object of matchLabels and matchExpressions)`)]);
    }
    const peer = refusal(() => Peer.selectedBy({ toEndpointSelector: () => null as never }, 'shop'));
    expect([peer.id, peer.message]).toEqual(['selector-unknown', expect.stringContaining(
      "Peer.selectedBy(): the endpoint selector of one's own answered null: it is not a label selector (an object of matchLabels and matchExpressions)")]);
  });

  test('hasSection: true for the sections written to, and only those', () => {
    const { p } = apiPolicy();
    const rule: PolicyRule = p.rule;
    expect(sectionsOf(rule)).toEqual([]);
    rule.denyEgress(Peer.cidr('192.0.2.0/24'));
    expect(sectionsOf(rule)).toEqual([SectionName.EGRESS_DENY]);
    rule.isolateIngress();
    expect(sectionsOf(rule)).toEqual([SectionName.INGRESS, SectionName.EGRESS_DENY]);
  });
});

function sectionsOf(rule: PolicyRule): SectionName[] {
  return [SectionName.INGRESS, SectionName.INGRESS_DENY, SectionName.EGRESS, SectionName.EGRESS_DENY].filter((s) => rule.hasSection(s));
}
