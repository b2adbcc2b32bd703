// The constructs' port props refuse a port listed twice (`ports-duplicate`, `checkPortsUnique`): the policy opens it once,
// so the list says one port fewer than it reads, and the copy is most likely a slip for another port, never opened. The
// same lists without the copy synthesize and are judged: the port given allowed, its neighbour denied.
import { describe, expect, test } from 'vitest';
import { Construct } from 'constructs';
import { DefaultDenyNamespace, FqdnEgress, HostFirewall, Icmp, MonitoringScrape, Peer, Port, TieredApp } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const SCRAPER = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });
const PROMETHEUS = 'pod:monitoring:app=prometheus';

/** Each construct with a port prop, built with `ports` there. */
const BUILDERS: readonly { readonly prop: string; readonly build: (c: Construct, ports: Port[]) => unknown }[] = [
  { prop: 'DefaultDenyNamespace scrapePorts', build: (c, ports) => new DefaultDenyNamespace(c, 'd', { scrapeFrom: SCRAPER, scrapePorts: ports }) },
  { prop: 'tier web metricsPorts', build: (c, ports) => new TieredApp(c, 't', { metricsFrom: SCRAPER,
    tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)], metricsPorts: ports }] }) },
  { prop: 'tier web ports', build: (c, ports) => new TieredApp(c, 't', { tiers: [{ name: 'web', labels: { app: 'web' }, ports }] }) },
  { prop: 'MonitoringScrape ports', build: (c, ports) => new MonitoringScrape(c, 'm', { scraper: SCRAPER, namespaces: ['shop'], ports }) },
  { prop: 'FqdnEgress ports', build: (c, ports) => new FqdnEgress(c, 'f', { fqdns: ['api.example.com'], ports }) },
  { prop: 'HostFirewall breakGlassPorts', build: (c, ports) => new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'], breakGlassPorts: ports }) },
];

describe('a port listed twice in a construct\'s port prop is refused, naming the prop, the port and both positions', () => {
  test.each(BUILDERS.map((b) => [b.prop, b] as const))('%s', (prop, b) => {
    const r = refusal(() => b.build(chart('shop'), [Port.tcp(9090), Port.tcp(9091), Port.tcp(9090)]));
    expect(r.id).toBe('ports-duplicate');
    expect(r.message).toContain(`${prop} lists 9090/TCP twice (at [0] and [2]): the policy opens it once, so the list holds one port fewer than it reads`);
    expect(r.message).toContain('fix: list each port once; if another port was meant at [2], give it');
  });

  test('the same port of another protocol, a range over it, an ICMP type: no copy, accepted', () => {
    for (const b of BUILDERS.filter((x) => !x.prop.startsWith('HostFirewall'))) {
      expect(() => b.build(chart('shop'), [Port.tcp(9090), Port.udp(9090), Port.tcpRange(9000, 9100), Icmp.echoRequest()]), b.prop).not.toThrow();
    }
    // ICMP twice is a copy too.
    expect(refusal(() => BUILDERS[0].build(chart('shop'), [Icmp.echoRequest(), Icmp.echoRequest()])).message)
      .toContain('DefaultDenyNamespace scrapePorts lists icmp 8/IPv4 twice (at [0] and [1])');
  });
});

describe('without the copy: the ports given are allowed, their neighbours denied', () => {
  test('DefaultDenyNamespace scrapePorts [9090, 9091]: the scraper reaches 9090 and 9091, not 9092', () => {
    const c = chart('shop');
    BUILDERS[0].build(c, [Port.tcp(9090), Port.tcp(9091)]);
    expect(['9090/TCP', '9091/TCP', '9092/TCP'].map((p) => verdictOf(c, PROMETHEUS, 'pod:shop:app=web', p))).toEqual(['allowed', 'allowed', 'denied']);
  });

  test('MonitoringScrape ports [9090]: the scraper reaches 9090 in shop, not 9091', () => {
    const c = chart('shop');
    new DefaultDenyNamespace(c, 'deny');
    BUILDERS[3].build(c, [Port.tcp(9090)]);
    expect(['9090/TCP', '9091/TCP'].map((p) => verdictOf(c, PROMETHEUS, 'pod:shop:app=web', p))).toEqual(['allowed', 'denied']);
  });
});
