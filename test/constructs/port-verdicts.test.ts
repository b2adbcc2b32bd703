// What each `Port` and `Icmp` factory opens, through engine verdicts on a policy that allows only that port (known
// expected verdicts per protocol, range end and ICMP type per family), and every refusal with its error id, message and
// fix. In the mutation test set (vitest.mutation.config.mts): they kill the mutants of src/constructs/port.ts. Every Port is
// built inside a test (the tables hold functions), never while the file is collected: a mutant that makes a factory throw
// must fail a test, not the collection (Stryker counts a file that fails to collect as no test run). The tests without a
// verdict (refusals, printing) come first in each block: a mutant is killed by the first failing test, so cheap first.
import { describe, expect, test } from 'vitest';
import { ApiObject, Testing } from 'cdk8s';
import { CiliumPolicy, DefaultDenyNamespace, EndpointSelector, Entity, Icmp, IcmpFamily, Peer, Port, PortOptions, Protocol } from '../../src';
import { Endpoints, IpFamilies, PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const CLIENT = 'pod:shop:app=client';
const API = 'pod:shop:app=api';

/** A chart whose only policy lets `client` reach `api` on `ports`, nothing else. */
function opened(...ports: Port[]): ReturnType<typeof chart> {
  const c = chart('shop');
  const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
  p.allowIngress(Peer.endpoints({ labels: { app: 'client' } }), { ports });
  return c;
}

/** The verdicts of `connections` from client to api (or to `to`) through a policy opening `ports`. */
function verdicts(ports: Port[], connections: string[], to: unknown = API): Record<string, string> {
  const c = opened(...ports);
  // ICMPv6 is judged in a dual-stack cluster: an IPv4-only one carries none (engine-query). SCTP is judged by the policy
  // with enable-sctp (the datapath drops it before any policy without).
  return Object.fromEntries(connections.map((conn) => [conn,
    verdictOf(c, CLIENT, to as string, conn, { sctp: true, ...(conn.startsWith('icmpv6') ? { ipFamilies: IpFamilies.DUAL } : {}) })]));
}

/** The refusal of `run`: `<id>: <message>\n  fix: <fix>` (without the caller location). */
function refused(run: () => unknown): string {
  const r = refusal(run);
  return `${r.id}: ${r.message.replace(/^\[[^\]]*\] /, '').replace(` (${r.id})`, '')}`;
}

describe('refused port values: what, the bad value and the fix', () => {
  test('out of range, with the every-port hint only for 0', () => {
    expect(refused(() => Port.tcp(0))).toMatch(/^port-out-of-range: port 0 is not an integer between 1 and 65535[\s\S]*use a port between 1 and 65535; port 0 means every port: say so with Port\.allPorts\(\), Port\.allTcp\(\), Port\.allUdp\(\) or Port\.allSctp\(\)/);
    expect(refused(() => Port.udp(65536))).toMatch(/^port-out-of-range: port 65536 is not an integer between 1 and 65535[\s\S]*fix: use a port between 1 and 65535$/);
    expect(refused(() => Port.sctp(-1))).toMatch(/^port-out-of-range: port -1 is not/);
    expect(refused(() => Port.any(80.5))).toMatch(/^port-out-of-range: port 80\.5 is not/);
    expect(refused(() => Port.of({ port: 0, protocol: Protocol.UDP }))).toMatch(/Port\.allUdp\(\)/);
  });

  test('not a number: the type, and the number to pass when it is a string of digits', () => {
    expect(refused(() => Port.tcp('80' as unknown as number))).toMatch(/^port-not-a-number: port "80" is a string, not a number[\s\S]*pass the number 80, not the string '80'/);
    expect(refused(() => Port.tcp('http' as unknown as number))).toMatch(/^port-not-a-number: port "http" is a string, not a number[\s\S]*pass an integer between 1 and 65535/);
    expect(refused(() => Port.tcp('8a' as unknown as number))).toMatch(/pass an integer between 1 and 65535/);
    expect(refused(() => Port.tcp('a8' as unknown as number))).toMatch(/pass an integer between 1 and 65535/);
    expect(refused(() => Port.tcp(null as unknown as number))).toMatch(/^port-not-a-number: port null is a null, not a number/);
    // A BigInt made the message itself fail with a TypeError (JSON.stringify cannot write it).
    expect(refused(() => Port.tcp(BigInt(80) as unknown as number))).toMatch(/^port-not-a-number: port 80n is a bigint, not a number/);
    expect(refused(() => Port.tcp(['80'] as unknown as number))).toMatch(/^port-not-a-number: port \["80"\] is a object, not a number\n {2}fix: pass an integer between 1 and 65535$/);
    expect(refused(() => Port.tcp(undefined as unknown as number))).toMatch(/^port-not-a-number: port undefined is a undefined, not a number/);
    expect(refused(() => Icmp.type('8' as unknown as number))).toMatch(/^port-not-a-number: ICMP type "8" is a string[\s\S]*pass the number 8/);
    expect(refused(() => Port.tcpRange(80, '90' as unknown as number))).toMatch(/^port-not-a-number: port range end "90" is a string/);
  });

  test('a protocol with ports needs a port: the all-ports factory of that protocol is named', () => {
    expect(refused(() => Port.protocol(Protocol.TCP))).toMatch(/^port-protocol-needs-port: protocol TCP needs a port[\s\S]*use Port\.allTcp\(\) or give a port number/);
    expect(refused(() => Port.protocol(Protocol.UDP))).toMatch(/use Port\.allUdp\(\)/);
    expect(refused(() => Port.protocol(Protocol.SCTP))).toMatch(/use Port\.allSctp\(\)/);
    expect(refused(() => Port.protocol(Protocol.ANY))).toMatch(/^port-protocol-needs-port: protocol ANY needs a port[\s\S]*use Port\.allPorts\(\)/);
    expect(refused(() => Port.of({}))).toMatch(/^port-protocol-needs-port: protocol ANY/);
    expect(refused(() => Port.of({ protocol: Protocol.UDP }))).toMatch(/^port-protocol-needs-port: protocol UDP/);
  });
});

describe('ports by protocol: each factory opens its port on its protocols only', () => {
  test('a portless protocol opens no TCP, UDP or SCTP port', () => {
    for (const protocol of [Protocol.VRRP, Protocol.IGMP]) {
      expect(verdicts([Port.protocol(protocol)], ['80/TCP', '80/UDP', '80/SCTP'])).toEqual({ '80/TCP': 'denied', '80/UDP': 'denied', '80/SCTP': 'denied' });
      expect(verdicts([Port.of({ protocol })], ['112/TCP'])).toEqual({ '112/TCP': 'denied' });
      expect(String(Port.protocol(protocol))).toBe(`/${protocol}`);
    }
  });

  test.each([
    ['Port.tcp(80)', () => Port.tcp(80), { '80/TCP': 'allowed', '80/UDP': 'denied', '80/SCTP': 'denied', '79/TCP': 'denied', '81/TCP': 'denied' }],
    ['Port.udp(53)', () => Port.udp(53), { '53/UDP': 'allowed', '53/TCP': 'denied', '53/SCTP': 'denied', '54/UDP': 'denied' }],
    ['Port.sctp(9)', () => Port.sctp(9), { '9/SCTP': 'allowed', '9/TCP': 'denied', '9/UDP': 'denied', '10/SCTP': 'denied' }],
    ['Port.any(53)', () => Port.any(53), { '53/TCP': 'allowed', '53/UDP': 'allowed', '53/SCTP': 'allowed', '52/UDP': 'denied', 'icmp/8': 'denied' }],
    ['Port.of({ port: 53 }) (ANY)', () => Port.of({ port: 53 }), { '53/TCP': 'allowed', '53/UDP': 'allowed', '53/SCTP': 'allowed', '54/TCP': 'denied' }],
    ['Port.of({ port: 53, protocol: UDP })', () => Port.of({ port: 53, protocol: Protocol.UDP }), { '53/UDP': 'allowed', '53/TCP': 'denied' }],
    ['Port.tcp(1)', () => Port.tcp(1), { '1/TCP': 'allowed', '2/TCP': 'denied' }],
    ['Port.tcp(65535)', () => Port.tcp(65535), { '65535/TCP': 'allowed', '65534/TCP': 'denied' }],
  ])('%s', (_name, port, expected) => {
    expect(verdicts([port()], Object.keys(expected))).toEqual(expected);
  });

  test.each([
    ['Port.allTcp()', () => Port.allTcp(), { '1/TCP': 'allowed', '65535/TCP': 'allowed', '80/UDP': 'denied', '80/SCTP': 'denied', 'icmp/8': 'denied' }],
    ['Port.allUdp()', () => Port.allUdp(), { '1/UDP': 'allowed', '65535/UDP': 'allowed', '80/TCP': 'denied', '80/SCTP': 'denied' }],
    ['Port.allSctp()', () => Port.allSctp(), { '7/SCTP': 'allowed', '65535/SCTP': 'allowed', '80/TCP': 'denied', '80/UDP': 'denied' }],
    ['Port.allPorts()', () => Port.allPorts(), { '1/TCP': 'allowed', '443/UDP': 'allowed', '65535/SCTP': 'allowed', 'icmp/8': 'denied' }],
  ])('%s opens every port of its protocols, no ICMP', (_name, port, expected) => {
    expect(verdicts([port()], Object.keys(expected))).toEqual(expected);
  });
});

describe('port ranges: both ends included', () => {
  test('a range of one port is written as that port, a longer one with its end', () => {
    expect(String(Port.tcpRange(80, 80))).toBe('80/TCP');
    expect(String(Port.range(53, 53))).toBe('53/ANY');
    expect(String(Port.tcpRange(80, 90))).toBe('80-90/TCP');
    expect(String(Port.udpRange(1, 2))).toBe('1-2/UDP');
    expect(String(Port.range(80, 81))).toBe('80-81/ANY');
  });

  test('a reversed range is refused with the range to write, on the protocol asked (session 50)', () => {
    // Before, every fix said Port.range(80, 90): Protocol.ANY, so following the fix of Port.tcpRange(90, 80) allowed UDP
    // and SCTP on 80-90 too. Each fix is the call that writes the same protocol; what it writes is checked here.
    const cases: Array<[() => Port, string, Port, string]> = [
      [() => Port.tcpRange(90, 80), 'Port.tcpRange(80, 90)', Port.tcpRange(80, 90), '80-90/TCP'],
      [() => Port.udpRange(90, 80), 'Port.udpRange(80, 90)', Port.udpRange(80, 90), '80-90/UDP'],
      [() => Port.range(90, 80), 'Port.range(80, 90)', Port.range(80, 90), '80-90/ANY'],
      [() => Port.range(90, 80, Protocol.SCTP), 'Port.range(80, 90, Protocol.SCTP)', Port.range(80, 90, Protocol.SCTP), '80-90/SCTP'],
      [() => Port.of({ port: 90, endPort: 80, protocol: Protocol.TCP }), 'Port.tcpRange(80, 90)', Port.tcpRange(80, 90), '80-90/TCP'],
      [() => Port.of({ port: 90, endPort: 80 }), 'Port.range(80, 90)', Port.range(80, 90), '80-90/ANY'],
    ];
    for (const [run, fix, fixed, written] of cases) {
      const message = refused(run);
      expect(message, fix).toMatch(/^port-range-reversed: port range 90-80 ends before it starts/);
      expect(message.split('\n').pop(), fix).toBe(`  fix: write ${fix}`);
      expect(String(fixed), fix).toBe(written);
    }
  });

  test('range ends outside 1-65535 are refused, naming which end', () => {
    expect(refused(() => Port.tcpRange(0, 80))).toMatch(/^port-out-of-range: port range start 0 is not an integer between 1 and 65535[\s\S]*use a port between 1 and 65535; port 0 means every port/);
    expect(refused(() => Port.tcpRange(80, 65536))).toMatch(/^port-out-of-range: port range end 65536 is not an integer between 1 and 65535[\s\S]*use a port between 1 and 65535$/);
    expect(refused(() => Port.udpRange(1.5, 3))).toMatch(/^port-out-of-range: port range start 1\.5 is not an integer/);
    expect(refused(() => Port.range(1, 0))).toMatch(/^port-out-of-range: port range end 0 is not an integer between 1 and 65535[\s\S]*port 0 means every port/);
  });

  test.each([
    ['Port.tcpRange(80, 90)', () => Port.tcpRange(80, 90), { '79/TCP': 'denied', '80/TCP': 'allowed', '85/TCP': 'allowed', '90/TCP': 'allowed', '91/TCP': 'denied', '85/UDP': 'denied' }],
    ['Port.udpRange(5000, 5001)', () => Port.udpRange(5000, 5001), { '4999/UDP': 'denied', '5000/UDP': 'allowed', '5001/UDP': 'allowed', '5002/UDP': 'denied', '5000/TCP': 'denied' }],
    ['Port.range(80, 81) (ANY)', () => Port.range(80, 81), { '80/TCP': 'allowed', '81/UDP': 'allowed', '81/SCTP': 'allowed', '82/TCP': 'denied', '79/UDP': 'denied' }],
    ['Port.range(1, 65535, SCTP)', () => Port.range(1, 65535, Protocol.SCTP), { '1/SCTP': 'allowed', '65535/SCTP': 'allowed', '80/TCP': 'denied' }],
    ['Port.of({ port: 80, endPort: 82, protocol: TCP })', () => Port.of({ port: 80, endPort: 82, protocol: Protocol.TCP }), { '80/TCP': 'allowed', '82/TCP': 'allowed', '83/TCP': 'denied', '81/UDP': 'denied' }],
    ['Port.of({ port: 80, endPort: 82 }) (ANY)', () => Port.of({ port: 80, endPort: 82 }), { '81/UDP': 'allowed', '83/UDP': 'denied' }],
    ['Port.tcpRange(80, 80), one port', () => Port.tcpRange(80, 80), { '80/TCP': 'allowed', '81/TCP': 'denied', '80/UDP': 'denied' }],
    ['Port.range(53, 53), one port on ANY', () => Port.range(53, 53), { '53/UDP': 'allowed', '53/TCP': 'allowed', '54/UDP': 'denied' }],
  ])('%s', (_name, port, expected) => {
    expect(verdicts([port()], Object.keys(expected))).toEqual(expected);
  });
});

describe('named ports: resolved on the destination, lower-case, on the port\'s protocols', () => {
  const api = (ports: { name: string; port: number; protocol?: string }[]): unknown => Endpoints.pod('shop', { app: 'api' }, { ports });

  test('IANA service names: 1-15 letters, digits and single inner dashes, at least one letter', () => {
    for (const ok of ['a', 'z', 'A', 'a1', '1a', '9z9', 'a-1', '1-a', 'a-b-c', 'http-alt', 'abcdefghijklmno', '12345678901234a', 'x0x50']) {
      expect(String(Port.named(ok)), ok).toBe(`${ok.toLowerCase()}/ANY`);
    }
    for (const bad of ['', '1', '1234', '1-2', 'a--b', '-a', 'a-', '-', 'a_b', 'a.b', 'a b', 'abcdefghijklmnop', '123456789012345a', 'é']) {
      const r = refusal(() => Port.named(bad));
      expect(r.id, bad).toBe('port-name-syntax');
      expect(r.message, bad).toContain(`"${bad}" is not a valid port name`);
      expect(r.message, bad).toContain('use an IANA service name: 1-15 letters, digits and single dashes, with at least one letter');
    }
  });

  // Session 47: `RegExp.test(undefined)` reads the text "undefined", a valid name, so `Port.named(undefined)` got past the
  // check and failed on `name.length` with a TypeError; `['http']` (a list, read as the text "http") was a port named by a list.
  test('a name that is no string (plain JavaScript) is refused as such, not a TypeError or a port named "undefined"', () => {
    for (const [bad, shown] of [[undefined, 'undefined'], [['http'], 'a list'], [8080, 'a number (8080)']] as const) {
      const r = refusal(() => Port.named(bad as unknown as string));
      expect(r.id).toBe('port-name-syntax');
      expect(r.message).toContain(`the port name is ${shown}`);
    }
  });

  test('a name that reads as a hex, octal or binary number is refused, with the number when it is hex', () => {
    expect(refused(() => Port.named('0x50'))).toMatch(/^port-name-numeric: port name "0x50" reads like a number[\s\S]*Port\.tcp\(80\) for a number/);
    expect(refused(() => Port.named('0X1f'))).toMatch(/^port-name-numeric: port name "0X1f"[\s\S]*Port\.tcp\(31\) for a number/);
    expect(refused(() => Port.named('0b1'))).toMatch(/^port-name-numeric:[\s\S]*Port\.tcp\(<number>\) for a number/);
    expect(refused(() => Port.named('0o17'))).toMatch(/^port-name-numeric:[\s\S]*Port\.tcp\(<number>\)/);
    expect(refused(() => Port.named('0xg'))).toMatch(/^port-name-numeric:[\s\S]*Port\.tcp\(<number>\)/);
    expect(refused(() => Port.named('0xab-c'))).toMatch(/^port-name-numeric:[\s\S]*Port\.tcp\(<number>\)/);
    expect(refused(() => Port.named('0b0x5'))).toMatch(/^port-name-numeric:[\s\S]*Port\.tcp\(<number>\)/); // binary, not hex
    // Not at the start: an ordinary name.
    expect(String(Port.named('a0x50'))).toBe('a0x50/ANY');
    expect(String(Port.named('x50'))).toBe('x50/ANY');
  });

  test('a name with a number is refused, naming both', () => {
    expect(refused(() => Port.of({ name: 'http', port: 80 }))).toMatch(/^port-name-and-number: a port has either a name \("http"\) or a number \(80\), not both/);
    expect(refused(() => Port.of({ name: 'http', endPort: 90 }))).toMatch(/^port-name-and-number: a port has either a name \("http"\) or a number \(90\), not both/);
    expect(refused(() => Port.of({ name: 'http', port: 80, endPort: 90 }))).toMatch(/or a number \(80\)/);
  });

  test('a protocol that is no Protocol is refused: Port.of() read null as ANY (TCP, UDP and SCTP)', () => {
    expect(refused(() => Port.of({ port: 53, protocol: null as unknown as Protocol }))).toMatch(/^port-protocol-unknown: protocol null is not a Protocol\n {2}fix: pass one of Protocol\.TCP, [\s\S]*or leave it out for Protocol\.ANY$/);
    expect(refused(() => Port.range(80, 90, 'tcp' as Protocol))).toMatch(/^port-protocol-unknown: protocol "tcp" is not a Protocol\n {2}fix: pass Protocol\.TCP$/);
    expect(refused(() => Port.named('http', 'udp ' as Protocol))).toMatch(/fix: pass Protocol\.UDP$/);
    expect(refused(() => Port.of({ port: 80, protocol: 'ICMP' as Protocol }))).toMatch(/fix: ICMP types are Icmp values/);
    expect(refused(() => Port.protocol('IGMPv2' as Protocol))).toMatch(/^port-protocol-unknown: protocol "IGMPv2"/);
    // Left out (undefined) is ANY, as documented.
    expect(String(Port.of({ port: 53, protocol: undefined }))).toBe('53/ANY');
  });

  test('an endPort without port is refused: with a portless protocol the range was dropped and the whole protocol allowed', () => {
    expect(refused(() => Port.of({ endPort: 90, protocol: Protocol.VRRP }))).toMatch(/^port-end-without-start: Port\.of\(\) got endPort 90 without port[\s\S]*fix: drop endPort: VRRP has no ports/);
    expect(refused(() => Port.of({ endPort: 90, protocol: Protocol.TCP }))).toMatch(/^port-end-without-start:[\s\S]*fix: give port, the first port of the range/);
    expect(refused(() => Port.of({ endPort: 90 }))).toMatch(/^port-end-without-start:/);
  });

  test('a name opens the destination\'s container port of that name, whatever its case in the call', () => {
    const to = api([{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);
    expect(verdicts([Port.named('HTTP')], ['8080/TCP', '9090/TCP', '8081/TCP'], to)).toEqual({ '8080/TCP': 'allowed', '9090/TCP': 'denied', '8081/TCP': 'denied' });
    expect(verdicts([Port.of({ name: 'Metrics', protocol: Protocol.TCP })], ['9090/TCP', '8080/TCP'], to)).toEqual({ '9090/TCP': 'allowed', '8080/TCP': 'denied' });
    expect(String(Port.named('HTTP'))).toBe('http/ANY');
    expect(String(Port.named('dns', Protocol.UDP))).toBe('dns/UDP');
  });

  test('the port\'s protocol filters the container port\'s protocol (ANY by default)', () => {
    const to = api([{ name: 'dns', port: 53, protocol: 'UDP' }]);
    expect(verdicts([Port.named('dns')], ['53/UDP'], to)).toEqual({ '53/UDP': 'allowed' });
    expect(verdicts([Port.of({ name: 'dns' })], ['53/UDP'], to)).toEqual({ '53/UDP': 'allowed' });
    expect(verdicts([Port.named('dns', Protocol.TCP)], ['53/UDP', '53/TCP'], to)).toEqual({ '53/UDP': 'denied', '53/TCP': 'denied' });
    expect(verdicts([Port.named('dns', Protocol.UDP)], ['53/UDP'], to)).toEqual({ '53/UDP': 'allowed' });
  });
});

// Cilium 1.14-1.19 resolves the named ports of egress rules against the container ports of every pod of the cluster
// (pkg/endpoint GetNamedPort(ingress=false), cilium/cilium#24779): the engine shows what such rules allowed before the SDK
// refused them.
describe('named ports on egress: only to pods, never in a deny', () => {
  /** A chart with a Deployment whose pods name their container ports `ports`, and a policy of `cli` pods. */
  function cluster(...workloads: [string, Record<string, number>][]): { c: ReturnType<typeof chart>; cli: CiliumPolicy } {
    const c = chart('shop');
    for (const [name, ports] of workloads) {
      new ApiObject(c, name, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' },
        spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x',
          ports: Object.entries(ports).map(([n, p]) => ({ name: n, containerPort: p })) }] } } },
      });
    }
    return { c, cli: new CiliumPolicy(c, 'cli', { endpointSelector: EndpointSelector.labels({ app: 'cli' }) }) };
  }

  /** The chart's manifests and a raw policy (what the SDK now refuses to write), as one policy set. */
  function withApp(c: ReturnType<typeof chart>, policy: object): PolicySet {
    return PolicySet.fromYaml([...Testing.synth(c), policy].map((m) => JSON.stringify(m)).join('\n---\n'));
  }

  test('an egress allow with a named port to a peer that is not pods is refused: it opened the number some pod gives the name', () => {
    for (const peer of [Peer.cidr('203.0.113.0/24'), Peer.entity(Entity.WORLD), Peer.fqdn('api.example.com'), Peer.any(), Peer.entity(Entity.CLUSTER),
      Peer.nodes({ role: 'db' }), Peer.cidrGroup('partners'), Peer.kubeApiServer()]) {
      const { cli } = cluster();
      const r = refusal(() => cli.allowEgress(peer, { ports: [Port.tcp(443), Port.named('http', Protocol.TCP)] }));
      expect(r.id, String(peer)).toBe('port-name-egress-peer');
      expect(r.message, String(peer)).toMatch(/resolves the named port "http" of an egress rule against the container ports of every pod of the cluster[\s\S]*fix: give the port by number/);
    }
    // What it allowed: a pod of the cluster names 8080 "http", so the world was open on 8080.
    const { c, cli } = cluster(['web', { http: 8080 }]);
    cli.allowEgress(Peer.cidr('203.0.113.0/24'), { ports: [Port.tcp(443)] });
    expect(verdictOf(c, 'pod:shop:app=cli', 'cidr:203.0.113.5', 8080)).toBe('denied');
    const raw = withApp(c, {
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'raw', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'cli' } }, egress: [{ toCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] },
    });
    expect(verdictFor(raw, 'pod:shop:app=cli', 'cidr:203.0.113.5', 8080).verdict).toBe('allowed');
  });

  test('an egress allow with a named port to pods keeps it: one number in the cluster is that number', () => {
    const { c, cli } = cluster(['db', { sql: 5432 }]);
    cli.allowEgress(Peer.endpoints({ labels: { app: 'db' } }), { ports: [Port.named('sql', Protocol.TCP)] });
    cli.allowEgress(Peer.service('db'), { ports: [Port.named('sql', Protocol.TCP)] });
    // The Service is given: a toServices item with ports whose Service is not in the inputs is not judged (it would be open to
    // every peer if the Service did not exist; test/engine/services-unresolved.test.ts).
    new ApiObject(c, 'db-svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] } });
    expect(verdictOf(c, 'pod:shop:app=cli', 'pod:shop:app=db', 5432)).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=cli', 'pod:shop:app=db', 5433)).toBe('denied');
  });

  test('an egress deny with a named port is refused: skipped as soon as two pods give the name different numbers', () => {
    for (const peer of [Peer.endpoints({ labels: { app: 'db' } }), Peer.cidr('10.0.0.0/8'), Peer.any()]) {
      const { cli } = cluster();
      const r = refusal(() => cli.denyEgress(peer, { ports: [Port.named('admin', Protocol.TCP)] }));
      expect(r.id, String(peer)).toBe('port-name-egress-deny');
      expect(r.message).toMatch(/as soon as two pods anywhere in the cluster give "admin" different numbers, the deny is skipped[\s\S]*fix: deny the port by number/);
    }
    // What it allowed: web and db name "admin" 8080 and 9000; the deny of db's admin port was dropped.
    const { c, cli } = cluster(['web', { admin: 8080 }], ['db', { admin: 9000 }]);
    cli.allowEgress(Peer.endpoints({ labels: { app: 'db' } }));
    const raw = withApp(c, {
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'deny', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'cli' } }, egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: 'admin', protocol: 'TCP' }] }] }] },
    });
    const dropped = verdictFor(raw, 'pod:shop:app=cli', 'pod:shop:app=db', 9000);
    expect(dropped.verdict).toBe('allowed');
    expect(dropped.egress.notes.join('\n')).toMatch(/named port admin is 8080\/TCP and 9000\/TCP/);
    // A deny by number holds; a named port on ingress (the selected pod's own) is kept.
    cli.denyEgress(Peer.endpoints({ labels: { app: 'db' } }), { ports: [Port.tcp(9000)] });
    cli.denyIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.named('admin', Protocol.TCP)] });
    expect(verdictOf(c, 'pod:shop:app=cli', 'pod:shop:app=db', 9000)).toBe('denied');
  });
});

describe('ICMP types: each factory opens its type on its family only', () => {
  test('printed with the family', () => {
    expect(String(Icmp.echoRequest())).toBe('icmp 8/IPv4');
    expect(String(Icmp.packetTooBig())).toBe('icmp 2/IPv6');
    expect(String(Icmp.named('EchoReply', IcmpFamily.IPV6))).toBe('icmp EchoReply/IPv6');
  });

  test('types outside 0-255 and unknown names are refused', () => {
    expect(refused(() => Icmp.type(256))).toMatch(/^port-out-of-range: ICMP type 256 is not an integer between 0 and 255[\s\S]*use an integer between 0 and 255$/);
    expect(refused(() => Icmp.type(-1))).toMatch(/^port-out-of-range: ICMP type -1 is not an integer between 0 and 255/);
    expect(refused(() => Icmp.type(0.5))).toMatch(/^port-out-of-range: ICMP type 0\.5/);
    expect(refused(() => Icmp.named('NeighborSolicitation'))).toMatch(/^icmp-name-unknown: "NeighborSolicitation" is not an ICMP type name[\s\S]*use one of EchoReply, [\s\S]*EchoRequest[\s\S]*, or Icmp\.type\(<number>\)/);
    expect(refused(() => Icmp.named('Nope', IcmpFamily.IPV6))).toMatch(/^icmp-name-unknown: "Nope" is not an ICMPv6 type name[\s\S]*NeighborSolicitation/);
    expect(refused(() => Icmp.named('toString'))).toMatch(/^icmp-name-unknown: "toString"/);
    expect(refused(() => Icmp.named(8 as unknown as string))).toMatch(/^icmp-name-unknown: 8 is not an ICMP type name/);
    // A non-string whose text is a name (JavaScript callers) is no name either.
    expect(refused(() => Icmp.named(['EchoRequest'] as unknown as string))).toMatch(/^icmp-name-unknown: \["EchoRequest"\] is not an ICMP type name/);
  });

  test('a family that is no IcmpFamily is refused, naming the one meant (Icmp.named() failed with a TypeError)', () => {
    expect(refused(() => Icmp.named('EchoRequest', 'IPV6' as IcmpFamily))).toMatch(/^icmp-family-unknown: ICMP family "IPV6" is not IcmpFamily\.IPV4 or IcmpFamily\.IPV6\n {2}fix: pass IcmpFamily\.IPV6$/);
    expect(refused(() => Icmp.type(8, 'ipv4' as IcmpFamily))).toMatch(/^icmp-family-unknown: ICMP family "ipv4"[\s\S]*fix: pass IcmpFamily\.IPV4$/);
    // The helpers read anything but IcmpFamily.IPV6 as IPv4: 'ipv6' asked for echo request type 8 under a family Cilium refuses.
    expect(refused(() => Icmp.echoRequest('ipv6' as IcmpFamily))).toMatch(/^icmp-family-unknown: ICMP family "ipv6"[\s\S]*pass IcmpFamily\.IPV6$/);
    expect(refused(() => Icmp.echoReply('v6' as IcmpFamily))).toMatch(/^icmp-family-unknown: ICMP family "v6"[\s\S]*pass IcmpFamily\.IPV4 \(the default\) or IcmpFamily\.IPV6$/);
    expect(refused(() => Icmp.type(3, null as unknown as IcmpFamily))).toMatch(/^icmp-family-unknown: ICMP family null/);
  });

  test('ICMP beside ports: both open, each on its own', () => {
    expect(verdicts([Icmp.echoRequest(), Port.tcp(80)], ['icmp/8', '80/TCP', 'icmp/0', '81/TCP']))
      .toEqual({ 'icmp/8': 'allowed', '80/TCP': 'allowed', 'icmp/0': 'denied', '81/TCP': 'denied' });
  });

  test.each([
    ['echoRequest', () => Icmp.echoRequest(), 'icmp/8', ['icmp/0', 'icmpv6/8', 'icmpv6/128']],
    ['echoRequest IPv6', () => Icmp.echoRequest(IcmpFamily.IPV6), 'icmpv6/128', ['icmp/8', 'icmpv6/129']],
    ['echoReply IPv6', () => Icmp.echoReply(IcmpFamily.IPV6), 'icmpv6/129', ['icmpv6/128', 'icmp/0']],
    ['destinationUnreachable', () => Icmp.destinationUnreachable(), 'icmp/3', ['icmp/1', 'icmpv6/3']],
    ['destinationUnreachable IPv6', () => Icmp.destinationUnreachable(IcmpFamily.IPV6), 'icmpv6/1', ['icmpv6/3', 'icmp/3']],
    ['timeExceeded', () => Icmp.timeExceeded(), 'icmp/11', ['icmp/3', 'icmpv6/11']],
    ['timeExceeded IPv6', () => Icmp.timeExceeded(IcmpFamily.IPV6), 'icmpv6/3', ['icmpv6/11', 'icmp/11']],
    ['packetTooBig', () => Icmp.packetTooBig(), 'icmpv6/2', ['icmp/2', 'icmpv6/1']],
    ['type(1)', () => Icmp.type(1), 'icmp/1', ['icmp/0', 'icmp/8', 'icmpv6/1']],
    ['type(255, IPv6)', () => Icmp.type(255, IcmpFamily.IPV6), 'icmpv6/255', ['icmp/255']],
    ['named EchoRequest', () => Icmp.named('EchoRequest'), 'icmp/8', ['icmp/0', 'icmpv6/128']],
    ['named NeighborSolicitation', () => Icmp.named('NeighborSolicitation', IcmpFamily.IPV6), 'icmpv6/135', ['icmpv6/136', 'icmp/8']],
  ])('%s', (_name, port, open, closed) => {
    const expected = Object.fromEntries([[open, 'allowed'], ...closed.map((c) => [c, 'denied']), ['80/TCP', 'denied']]);
    expect(verdicts([port()], Object.keys(expected))).toEqual(expected);
  });
});

// Type 0 is the port-0 wildcard of Cilium's policy map key (pkg/policy/api/icmp.go `ICMPField.PortProtocol`,
// portrange.go `PortRangeToMaskedPorts(0, 0)`; cilium/cilium#41304): a rule for IPv4 echo reply would open every ICMPv4
// type. Each way of asking for type 0 is refused; the engine shows what the rule would have allowed.
test('Icmp.echoReply(), Icmp.type(0) and Icmp.named(\'EchoReply\') are refused: Cilium reads type 0 as every ICMP type', () => {
  const asks: [string, () => unknown, string][] = [
    ['echoReply()', () => Icmp.echoReply(), 'ICMPv4 type 0 (echo reply) would match every ICMPv4 type'],
    ['type(0)', () => Icmp.type(0), 'ICMPv4 type 0 (echo reply) would match every ICMPv4 type'],
    ['named(EchoReply)', () => Icmp.named('EchoReply'), 'ICMPv4 type 0 (echo reply) would match every ICMPv4 type'],
    ['type(0, IPv6)', () => Icmp.type(0, IcmpFamily.IPV6), 'ICMPv6 type 0 would match every ICMPv6 type'],
  ];
  for (const [what, ask, message] of asks) {
    const text = refused(ask);
    expect(text, what).toContain(`icmp-type-zero: ${message}`);
    expect(text, what).toMatch(/cilium\/cilium#41304[\s\S]*drop it: replies to an allowed echo request pass through connection tracking/);
  }
  const wide = PolicySet.fromYaml(JSON.stringify({
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ icmps: [{ fields: [{ family: 'IPv4', type: 0 }] }] }] },
  }), { ipFamilies: IpFamilies.DUAL });
  expect(['icmp/0', 'icmp/8', 'icmp/3', 'icmpv6/128'].map((c) => verdictFor(wide, 'pod:shop:app=client', 'pod:shop:app=web', c).verdict))
    .toEqual(['allowed', 'allowed', 'allowed', 'denied']);
});

describe('a Port is a value', () => {
  test('ports read from a model (the DNS companion\'s 53/UDP and 53/TCP) open exactly those ports', () => {
    const c = chart('shop');
    new DefaultDenyNamespace(c, 'deny');
    const kubeDns = 'pod:kube-system:k8s-app=kube-dns';
    expect(verdictOf(c, CLIENT, kubeDns, '53/UDP', { dns: 'example.com' })).toBe('allowed');
    expect(verdictOf(c, CLIENT, kubeDns, '53/TCP', { dns: 'example.com' })).toBe('allowed');
    expect(verdictOf(c, CLIENT, kubeDns, '54/UDP')).toBe('denied');
    expect(verdictOf(c, CLIENT, kubeDns, '53/SCTP', { sctp: true })).toBe('denied');
  });

  test('changing the match it hands out changes neither the port nor the policy built from it', () => {
    const tcp = Port.tcp(80);
    const l4 = tcp.toPortMatch().l4 as { port?: string };
    l4.port = '81';
    const icmp = Icmp.echoRequest();
    const field = icmp.toPortMatch().icmp as { type?: number | string };
    field.type = 0;
    expect(String(tcp)).toBe('80/TCP');
    expect(String(icmp)).toBe('icmp 8/IPv4');
    expect(verdicts([tcp, icmp], ['80/TCP', '81/TCP', 'icmp/8', 'icmp/0'])).toEqual({ '80/TCP': 'allowed', '81/TCP': 'denied', 'icmp/8': 'allowed', 'icmp/0': 'denied' });
    expect(tcp.toPortMatch()).toEqual({ l4: { port: '80', protocol: 'TCP' } });
    expect(icmp.toPortMatch()).toEqual({ icmp: { family: 'IPv4', type: 8 } });
  });

  test('the options of Port.of are read, not kept', () => {
    const options: { port: number; protocol: Protocol } = { port: 80, protocol: Protocol.TCP };
    const port = Port.of(options as PortOptions);
    options.port = 81;
    expect(verdicts([port], ['80/TCP', '81/TCP'])).toEqual({ '80/TCP': 'allowed', '81/TCP': 'denied' });
  });
});
