// Layer 4 as the agent reads it (src/engine/ports.ts), pinned by engine verdicts and the explanations of near misses:
// ICMP types by number, numeric string and name per family (with the agent's aliases), named ports resolved on the
// destination per protocol, IANA service names, and the text the explanations give each port entry.
import { describe, expect, test } from 'vitest';
import { compileL4, CompiledPort, icmpTypeNumber, L4Query, matchL4, parsePortValue, portMatches, resolveNamedPort } from '../../src/engine/ports';
import { Endpoint, Queries } from '../../src/engine';
import { CiliumVersion, IpFamilies } from '../../src';
import { cnp, judged, labels, policySet, verdict } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';

/** A dual-stack cluster: ICMPv6 between pods is a packet only there (an IPv4-only one refuses it, engine-query). */
function ingress(...items: Record<string, unknown>[]): ReturnType<typeof policySet> {
  // SCTP judged by the policies: the agent runs with enable-sctp (without it the datapath drops SCTP before any policy).
  return policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: items })], { ipFamilies: IpFamilies.DUAL, sctp: true });
}

const fromWeb = { fromEndpoints: [labels({ app: 'web' })] };

describe('ICMP (engine verdicts)', () => {
  test('a rule per family: the type number only matches in its family', () => {
    const set = ingress({ ...fromWeb, icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 2 }] }] });
    expect(set).toAllow(WEB, API, 'icmp/8');
    expect(set).toDeny(WEB, API, 'icmpv6/8');
    expect(set).toAllow(WEB, API, 'icmpv6/2');
    expect(set).toDeny(WEB, API, 'icmp/2');
    expect(set).toDeny(WEB, API, 'icmp/0');
    expect(set).toDeny(WEB, API, '8/TCP');
  });

  test('types as numeric strings and names, per family', () => {
    const set = ingress({ ...fromWeb, icmps: [{ fields: [{ type: '13' }, { type: 'TimeExceeded' }, { family: 'IPv6', type: 'PacketTooBig' }, { family: 'IPv6', type: 'EchoReply' }] }] });
    expect(set.diagnostics).toEqual([]);
    expect(set).toAllow(WEB, API, 'icmp/13');
    expect(set).toAllow(WEB, API, 'icmp/11');
    expect(set).toDeny(WEB, API, 'icmp/0');
    expect(set).toAllow(WEB, API, 'icmpv6/2');
    expect(set).toAllow(WEB, API, 'icmpv6/129');
    expect(set).toDeny(WEB, API, 'icmpv6/0');
    expect(set).toDeny(WEB, API, 'icmp/129');
    expect(set).toDeny(WEB, API, 'icmp/14');
  });

  // Cilium 1.14-1.19 carries the ICMP type in the port of an L4 filter (pkg/policy/api/icmp.go `ICMPField.PortProtocol`),
  // and port 0 is the policy map's every-port wildcard (pkg/policy/portrange.go `PortRangeToMaskedPorts(0, 0)` = `{0, 0}`,
  // l4.go `toMapState`): type 0 covers every type of its family (cilium/cilium#41304, "match L3-Proto").
  test('a field of type 0 (IPv4 EchoReply) covers every ICMP type of its family, as an allow and as a deny', () => {
    const allow = ingress({ ...fromWeb, icmps: [{ fields: [{ type: 'EchoReply' }] }] });
    expect(allow).toAllow(WEB, API, 'icmp/0');
    expect(allow).toAllow(WEB, API, 'icmp/8');
    expect(allow).toAllow(WEB, API, 'icmp/255');
    expect(allow).toDeny(WEB, API, 'icmpv6/128');
    expect(allow).toDeny(WEB, API, '80/TCP');
    expect(judged(allow, WEB, API, 'icmp/8').ingress.rule).toBeDefined();
    const v6 = ingress({ ...fromWeb, icmps: [{ fields: [{ family: 'IPv6', type: 0 }] }] });
    expect(v6).toAllow(WEB, API, 'icmpv6/128');
    expect(v6).toDeny(WEB, API, 'icmp/8');
    const deny = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }), ingress: [fromWeb], ingressDeny: [{ ...fromWeb, icmps: [{ fields: [{ type: 0 }] }] }],
    })], { ipFamilies: IpFamilies.DUAL });
    expect(judged(deny, WEB, API, 'icmp/8').ingress.decision).toBe('denied-by-deny-rule');
    expect(deny).toAllow(WEB, API, 'icmpv6/128');
    expect(deny).toAllow(WEB, API, '80/TCP');
  });

  test('queries by name use the agent\'s aliases (ExtendedEchoReply is 43 for IPv4, 161 for IPv6)', () => {
    const set = ingress({ ...fromWeb, icmps: [{ fields: [{ type: 43 }, { family: 'IPv6', type: 161 }] }] });
    expect(set).toAllow(WEB, API, 'icmp/ExtendedEchoReply');
    expect(set).toAllow(WEB, API, 'icmpv6/ExtendedEchoReply');
    expect(set).toDeny(WEB, API, 'icmp/ExtendedEchoRequest');
    expect(set).toDeny(WEB, API, 'icmpv6/ExtendedEchoRequest');
    expect(Queries.parseConnection('icmp/EchoRequest')).toMatchObject({ protocol: 'ICMP', icmpType: 8 });
    expect(Queries.parseConnection('icmpv6/EchoRequest')).toMatchObject({ protocol: 'ICMP', icmpType: 128, icmpFamily: 'IPv6' });
  });

  test('icmpTypeNumber: numbers 0-255, numeric strings, names of the family, aliases; nothing else', () => {
    expect(icmpTypeNumber(0, 'IPv4')).toBe(0);
    expect(icmpTypeNumber(255, 'IPv4')).toBe(255);
    expect(icmpTypeNumber(256, 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber(-1, 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber(1.5, 'IPv6')).toBeUndefined();
    expect(icmpTypeNumber('0', 'IPv4')).toBe(0);
    expect(icmpTypeNumber('255', 'IPv6')).toBe(255);
    expect(icmpTypeNumber('256', 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber('8a', 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber('a8', 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber('', 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber('EchoReply', 'IPv4')).toBe(0);
    expect(icmpTypeNumber('EchoReply', 'IPv6')).toBe(129);
    expect(icmpTypeNumber('EchoRequest', 'IPv4')).toBe(8);
    expect(icmpTypeNumber('PacketTooBig', 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber('ExtendedEchoReply', 'IPv4')).toBe(43);
    expect(icmpTypeNumber('ExtendedEchoReply', 'IPv6')).toBe(161);
    expect(icmpTypeNumber('echoreply', 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber('toString', 'IPv4')).toBeUndefined();
    expect(icmpTypeNumber('constructor', 'IPv6')).toBeUndefined();
  });
});

describe('named ports (engine verdicts)', () => {
  test('a name resolves to the destination\'s container ports of the rule\'s protocols; no protocol on a container port is TCP', () => {
    const set = policySet([
      cnp('any', { endpointSelector: labels({ app: 'dns' }), ingress: [{ toPorts: [{ ports: [{ port: 'dns', protocol: 'ANY' }] }] }] }),
      cnp('tcp', { endpointSelector: labels({ app: 'tcp' }), ingress: [{ toPorts: [{ ports: [{ port: 'dns', protocol: 'TCP' }] }] }] }),
      cnp('udp', { endpointSelector: labels({ app: 'udp' }), ingress: [{ toPorts: [{ ports: [{ port: 'DNS', protocol: 'UDP' }] }] }] }),
    ]);
    const udpOnly = [{ name: 'dns', port: 53, protocol: 'UDP' }];
    const dns = { ...set.endpoint('pod:default:app=dns'), ports: udpOnly };
    expect(set).toAllow(WEB, dns, '53/UDP');
    expect(set).toDeny(WEB, dns, '53/TCP'); // the name is a UDP port
    expect(set).toDeny(WEB, dns, '54/UDP');
    const tcp = { ...set.endpoint('pod:default:app=tcp'), ports: udpOnly };
    expect(set).toDeny(WEB, tcp, '53/TCP');
    expect(set).toDeny(WEB, tcp, '53/UDP');
    const tcpDefault = { ...set.endpoint('pod:default:app=tcp'), ports: [{ name: 'dns', port: 5353 }] };
    expect(set).toAllow(WEB, tcpDefault, '5353/TCP');
    expect(set).toDeny(WEB, tcpDefault, '5353/UDP');
    const udp = { ...set.endpoint('pod:default:app=udp'), ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 54, protocol: 'TCP' }] };
    expect(set).toAllow(WEB, udp, '53/UDP'); // the rule's name is read lower-case
    expect(set).toDeny(WEB, udp, '54/TCP');
    expect(set).toDeny(WEB, udp, '54/UDP');
  });

  // pkg/policy/l4.go: `createL4Filter` keeps `EndPort: uint16(port.EndPort)` for a named port too, and `toMapState`
  // resolves the name (`GetNamedPort`) and then writes `PortRangeToMaskedPorts(port, l4.EndPort)`: the range starts at the
  // resolved number (a single port when endPort is not above it). Older CRDs (1.14/1.15) prune endPort.
  test('a named port with an endPort is the range from the number the name resolves to up to endPort (1.16+)', () => {
    const item = { ...fromWeb, toPorts: [{ ports: [{ port: 'http', endPort: 8090, protocol: 'TCP' }] }] };
    const set = ingress(item);
    const api = (port: number): Endpoint => ({ ...set.endpoint(API), ports: [{ name: 'http', port }] });
    expect(set).toAllow(WEB, api(8080), '8080/TCP');
    expect(set).toAllow(WEB, api(8080), '8085/TCP');
    expect(set).toAllow(WEB, api(8080), '8090/TCP');
    expect(set).toDeny(WEB, api(8080), '8091/TCP');
    expect(set).toDeny(WEB, api(8080), '8079/TCP');
    expect(set).toDeny(WEB, api(8080), '8085/UDP');
    expect(set).toAllow(WEB, api(9000), '9000/TCP'); // resolved above endPort: that port alone
    expect(set).toDeny(WEB, api(9000), '8090/TCP');
    expect(set).toDeny(WEB, api(9000), '9001/TCP');
    const old = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [item] })], { ciliumVersion: CiliumVersion.V1_15 });
    expect(old).toAllow(WEB, api(8080), '8080/TCP');
    expect(old).toDeny(WEB, api(8080), '8085/TCP');
  });

  test('IANA service names: letters required, single inner hyphens, at most 15 characters', () => {
    const names: [string, string | undefined][] = [
      ['a', 'a'], ['a1', 'a1'], ['1a', '1a'], ['a-1', 'a-1'], ['1-a', '1-a'], ['a-b-c', 'a-b-c'], ['http-80', 'http-80'],
      ['HTTP-Alt', 'http-alt'], ['x9-9', 'x9-9'],
      ['a--b', undefined], ['-a', undefined], ['a-', undefined], ['1-2', undefined], ['a_b', undefined], ['a.b', undefined],
      ['a b', undefined], ['9a-', undefined], ['-', undefined], ['a-b-', undefined], ['abcdefghijklmnop', undefined],
    ];
    for (const [text, name] of names) {
      expect(parsePortValue(text), text).toEqual(name === undefined ? { kind: 'invalid' } : { kind: 'name', name });
    }
  });

  test('a name that is not a service name makes the agent refuse the policy', () => {
    const set = ingress({ ...fromWeb, toPorts: [{ ports: [{ port: 'a--b', protocol: 'TCP' }] }] });
    expect(set.diagnostics.map((d) => d.id)).toContain('engine-policy-skipped');
  });
});

describe('port entries in explanations (near misses)', () => {
  test('each entry as the agent reads it: protocol, range, name, every port, ICMP per family', () => {
    const set = ingress(
      { ...fromWeb, toPorts: [{ ports: [{ port: '80' }, { port: '8000', endPort: 8100, protocol: 'TCP' }, { port: 'http', protocol: 'ANY' }, { port: '0', protocol: 'UDP' }, { port: '443', endPort: 443, protocol: 'TCP' }, { port: '010', protocol: 'SCTP' }] }] },
      { ...fromWeb, icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] },
      { fromEndpoints: [labels({ app: 'other' })], toPorts: [{ ports: [{ port: '9999', protocol: 'TCP' }] }] },
    );
    const v = verdict(set, WEB, API, '9999/TCP');
    expect(v.verdict).toBe('denied');
    expect(v.ingress.notes).toEqual([
      'CiliumNetworkPolicy default/p spec.ingress[0] allows pod:default:app=web only on 80/ANY, 8000-8100/TCP, http/ANY, 0/UDP (all ports), 443/TCP, 8/SCTP',
      'CiliumNetworkPolicy default/p spec.ingress[1] allows pod:default:app=web only on icmp 8/IPv4, icmp EchoRequest/IPv6',
      'CiliumNetworkPolicy default/p spec.ingress[2] allows 9999/TCP only from fromEndpoints {any:app=other, k8s:io.kubernetes.pod.namespace=default, k8s:io.cilium.k8s.policy.cluster=default}',
    ]);
    expect(set).toAllow(WEB, API, '8100/TCP');
    expect(set).toAllow(WEB, API, '8/SCTP');
    expect(set).toAllow(WEB, API, '80/SCTP');
    expect(set).toDeny(WEB, API, 'icmp/0');
  });

  test('near misses on ICMP (type, family) and below a range: the item covers the peer but not the query', () => {
    const set = ingress(
      { ...fromWeb, icmps: [{ fields: [{ type: 8 }] }] },
      { ...fromWeb, toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }, { port: '0', endPort: 65535, protocol: 'SCTP' }] }] },
      { ...fromWeb, toPorts: [{}] },
    );
    const onIcmp = 'CiliumNetworkPolicy default/p spec.ingress[0] allows pod:default:app=web only on icmp 8/IPv4';
    const onRange = 'CiliumNetworkPolicy default/p spec.ingress[1] allows pod:default:app=web only on 8000-8100/TCP, 0/SCTP (all ports)';
    const noPort = 'CiliumNetworkPolicy default/p spec.ingress[2] allows pod:default:app=web only on no port';
    expect(verdict(set, WEB, API, 'icmp/0').ingress.notes).toEqual([onIcmp, onRange, noPort]);
    expect(verdict(set, WEB, API, 'icmpv6/8').ingress.notes).toEqual([onIcmp, onRange, noPort]);
    expect(verdict(set, WEB, API, '7999/TCP').ingress.notes).toEqual([onIcmp, onRange, noPort]);
    expect(verdict(set, WEB, API, '8101/TCP').ingress.notes).toEqual([onIcmp, onRange, noPort]);
    expect(verdict(set, WEB, API, '80/UDP').verdict).toBe('denied'); // toPorts: [{}] has no port
    const emptyIcmps = ingress({ ...fromWeb, icmps: [{}] }); // icmps without fields: no ICMP type, no port
    expect(verdict(emptyIcmps, WEB, API, '80/TCP').ingress.notes).toEqual(['CiliumNetworkPolicy default/p spec.ingress[0] allows pod:default:app=web only on no port']);
    expect(verdict(emptyIcmps, WEB, API, 'icmp/8').verdict).toBe('denied');
    expect(verdict(set, WEB, API, '8000/TCP').ingress.rule?.path).toBe('spec.ingress[1]');
    expect(verdict(set, WEB, API, '1/SCTP').ingress.rule?.path).toBe('spec.ingress[1]');
  });

  test('what decides: an ICMP item or a peer-only item allows without L7 rules, even beside an L7 rule for the same peer', () => {
    const icmp = verdict(ingress({ ...fromWeb, icmps: [{ fields: [{ type: 8 }] }] }), WEB, API, 'icmp/8');
    expect(icmp.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[0]');
    expect(icmp.ingress.l7).toBeUndefined();
    const set = ingress(fromWeb, { ...fromWeb, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] });
    const post = verdict(set, WEB, API, '80/TCP', { http: 'POST /' });
    expect(post.verdict).toBe('allowed');
    expect(post.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[0]');
    expect(post.ingress.l7).toBeUndefined();
    expect(post.ingress.notes).toContain('L7 rules of other matching rules have no effect here: CiliumNetworkPolicy default/p spec.ingress[0] allows this peer and port without L7 rules');
  });

  test('toPorts: [] with a peer is every port; an item with neither peer nor port allows nothing', () => {
    expect(ingress({ ...fromWeb, toPorts: [] })).toAllow(WEB, API, '31337/UDP');
    expect(ingress({ ...fromWeb, toPorts: [] })).toAllow(WEB, API, 'icmp/8');
    expect(ingress({ ...fromWeb, toPorts: [] })).toDeny('pod:default:app=cli', API, '80/TCP');
    expect(ingress({})).toDeny(WEB, API, '80/TCP');
  });

  test('TLS origination alone, and SNI, are reported as not evaluated', () => {
    const tls = ingress({ ...fromWeb, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], originatingTLS: { secret: { name: 'x' } } }] });
    expect(verdict(tls, WEB, API, '80/TCP').ingress.notes).toContain('CiliumNetworkPolicy default/p spec.ingress[0] uses TLS interception or an Envoy listener (not evaluated)');
    const sni = ingress({ ...fromWeb, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['a.example', 'b.example'] }] });
    const notes = verdict(sni, WEB, API, '443/TCP').ingress.notes;
    expect(notes).toContain('CiliumNetworkPolicy default/p spec.ingress[0] also restricts the TLS SNI to a.example, b.example (not evaluated)');
    expect(notes.join('\n')).not.toContain('TLS interception');
    const listener = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toEndpoints: [labels({ app: 'api' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'x' }, name: 'l' } }] }],
    })]);
    expect(verdict(listener, WEB, API, '80/TCP').egress.notes).toContain('CiliumNetworkPolicy default/p spec.egress[0] uses TLS interception or an Envoy listener (not evaluated)');
  });
});

describe('the layer-4 functions\' contracts (differences the engine never reaches: it refuses unparsable ports first)', () => {
  const tcp80: L4Query = { protocol: 'TCP', port: 80, icmpFamily: 'IPv4' };
  const options = { endPort: true, deny: false, version: CiliumVersion.V1_19 };

  test('an unparsable port compiles to an invalid entry that matches nothing', () => {
    const l4 = compileL4([{ ports: [{ port: '08', protocol: 'TCP' }, { port: '081', protocol: 'TCP' }] }], undefined, true, options);
    expect(l4.kind).toBe('ports');
    const ports = l4.kind === 'ports' ? l4.portRules[0].ports : [];
    expect(ports.map((p) => [p.kind, p.text])).toEqual([['invalid', '08/TCP (not a port)'], ['invalid', '081/TCP (not a port)']]);
    for (const port of [0, 8, 80, 65535]) expect(matchL4(l4, { ...tcp80, port }, [])).toBeUndefined();
    expect(portMatches(ports[0], { ...tcp80, port: 0 }, [])).toBe(false);
    expect(parsePortValue('081')).toEqual({ kind: 'invalid' });
    expect(parsePortValue('0181')).toEqual({ kind: 'invalid' });
  });

  test('a query without a port is covered by no port entry, not even every port', () => {
    const all: CompiledPort = { protocols: ['TCP'], kind: 'all', lo: 0, hi: 65535, text: '0/TCP (all ports)' };
    expect(portMatches(all, { protocol: 'TCP', icmpFamily: 'IPv4' }, [])).toBe(false);
    expect(portMatches(all, tcp80, [])).toBe(true);
  });

  test('resolveNamedPort gives the container ports of that name whose protocol the entry covers', () => {
    const named: CompiledPort = { protocols: ['UDP'], kind: 'named', lo: 0, hi: 0, name: 'dns', text: 'dns/UDP' };
    const ports = [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'DNS', port: 5353 }, { name: 'dns', port: 54, protocol: 'tcp' }, { name: 'web', port: 80, protocol: 'UDP' }];
    expect(resolveNamedPort(named, ports)).toEqual([{ port: 53, endPort: 53, protocol: 'UDP' }]);
    expect(resolveNamedPort({ ...named, protocols: ['TCP', 'UDP', 'SCTP'] }, ports)).toEqual([
      { port: 53, endPort: 53, protocol: 'UDP' }, { port: 5353, endPort: 5353, protocol: 'TCP' }, { port: 54, endPort: 54, protocol: 'TCP' },
    ]);
    expect(resolveNamedPort({ ...named, endPort: 60 }, ports)).toEqual([{ port: 53, endPort: 60, protocol: 'UDP' }]);
  });
});
