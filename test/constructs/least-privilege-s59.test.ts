// Least privilege leftovers (session 59): peers and selectors whose internal `_workload` cannot be read, props whose getter
// throws, numeric props swept, `CiliumAppValidation.ensure` with other options.
import { describe, expect, test } from 'vitest';
import { App, Chart } from 'cdk8s';
import {
  CiliumAppValidation, CiliumPolicy, EndpointSelector, FqdnEgress, HostFirewall, IEndpointSelector, IPeer, MetadataEndpointBlock, MonitoringScrape,
  Icmp, Peer, Port, TieredApp,
} from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

/** A peer of one's own selecting `app=x`, whose `_workload` getter throws. */
const badPeer = (): IPeer => ({
  toPeerConfig: () => Peer.endpoints({ labels: { app: 'x' } }).toPeerConfig(),
  get _workload(): unknown {
    throw new Error('boom');
  },
}) as IPeer;
/** A selector of one's own selecting `app=x`, whose `_workload` getter throws; or answers what is no construct. */
const badSelector = (workload?: unknown): IEndpointSelector => ({
  toEndpointSelector: () => ({ matchLabels: { app: 'x' } }),
  get _workload(): unknown {
    if (workload !== undefined) return workload;
    throw new Error('boom');
  },
}) as IEndpointSelector;
const WEB = EndpointSelector.labels({ app: 'web' });

describe('a peer or selector whose _workload cannot be read is refused where it is given, not the getter\'s raw error', () => {
  const cases: readonly [string, string, string, () => unknown][] = [
    ['allowIngress', 'peer-unknown', 'allowIngress: a mapping whose toPeerConfig or _workload cannot be read is not a peer',
      () => new CiliumPolicy(chart('shop'), 'p', { endpointSelector: WEB }).allowIngress(badPeer(), { ports: [Port.tcp(80)] })],
    ['denyEgress', 'peer-unknown', 'denyEgress: a mapping whose toPeerConfig or _workload',
      () => new CiliumPolicy(chart('shop'), 'p', { endpointSelector: WEB }).denyEgress(badPeer(), { ports: [Port.tcp(80)] })],
    ['TieredApp entry', 'peer-unknown', '[test/t] TieredApp entry[0]: a mapping whose toPeerConfig or _workload',
      () => new TieredApp(chart('shop'), 't', { entry: [badPeer()], tiers: [{ name: 'web', selector: WEB, ports: [Port.tcp(80)] }] })],
    ['HostFirewall apiServerClients', 'peer-unknown', '[test/h] HostFirewall apiServerClients[0]: a mapping whose toPeerConfig or _workload',
      () => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.0.0.0/8'], apiServerClients: [badPeer()] })],
    ['MonitoringScrape scraper', 'peer-unknown', '[test/m] MonitoringScrape scraper: a mapping whose toPeerConfig or _workload',
      () => new MonitoringScrape(chart('shop'), 'm', { scraper: badPeer(), namespaces: ['shop'], ports: [Port.tcp(9090)] })],
    ['CiliumPolicy endpointSelector', 'selector-unknown', '[test/p] endpointSelector (object) whose toEndpointSelector or _workload cannot be read',
      () => new CiliumPolicy(chart('shop'), 'p', { endpointSelector: badSelector() })],
    ['CiliumPolicy endpointSelector, _workload no construct', 'selector-unknown', 'whose toEndpointSelector or _workload cannot be read',
      () => new CiliumPolicy(chart('shop'), 'p', { endpointSelector: badSelector(5) })],
    ['FqdnEgress endpointSelector', 'selector-unknown', 'endpointSelector (object) whose toEndpointSelector or _workload',
      () => new FqdnEgress(chart('shop'), 'f', { endpointSelector: badSelector(), fqdns: ['api.example.com'] })],
    ['MetadataEndpointBlock endpointSelector', 'selector-unknown', '[test/m] endpointSelector (object) whose toEndpointSelector or _workload',
      () => new MetadataEndpointBlock(chart('shop'), 'm', { namespaces: ['shop'], endpointSelector: badSelector() })],
    ['Peer.selectedBy', 'selector-unknown', 'Peer.selectedBy(): a mapping whose _workload cannot be read (it throws, or is no construct) is not a selector',
      () => Peer.selectedBy(badSelector(), 'shop')],
  ];
  test.each(cases)('%s', (_, id, message, build) => {
    const r = refusal(build);
    expect(r.id).toBe(id);
    expect(r.message).toContain(message);
  });

  test('the same peer without the getter is taken: app=x allowed on 80, app=y and port 81 denied', () => {
    const c = chart('shop');
    const { _workload: _unused, ...plain } = Object.getOwnPropertyDescriptors(badPeer());
    new CiliumPolicy(c, 'p', { endpointSelector: WEB }).allowIngress(Object.defineProperties({}, plain) as IPeer, { ports: [Port.tcp(80)] });
    expect([['pod:shop:app=x', 80], ['pod:shop:app=y', 80], ['pod:shop:app=x', 81]]
      .map(([from, port]) => verdictOf(c, from as string, 'pod:shop:app=web', `${port}/TCP`))).toEqual(['allowed', 'denied', 'denied']);
  });
});

describe('CiliumAppValidation.ensure takes the options of a later call, or refuses other values', () => {
  // The options the app's validation runs with (the mark `ensure` leaves on the root).
  const optionsOf = (app: App): unknown => (app as unknown as Record<symbol, unknown>)[Symbol.for('cdk8s-cilium.AppValidation')];

  test('after a policy (which ensures it without options), the app\'s own clusterName is taken, not ignored', () => {
    const app = new App();
    new CiliumPolicy(new Chart(app, 'c', { namespace: 'shop' }), 'p', { endpointSelector: WEB });
    expect(optionsOf(app)).toEqual({});
    expect(CiliumAppValidation.ensure(app, { clusterName: 'east' })).toBe(false);
    expect(optionsOf(app)).toEqual({ clusterName: 'east' });
    // The same value again, and no options, are taken.
    expect(CiliumAppValidation.ensure(app, { clusterName: 'east' })).toBe(false);
    expect(CiliumAppValidation.ensure(app)).toBe(false);
    expect(optionsOf(app)).toEqual({ clusterName: 'east' });
  });

  test('another value of an option given before is refused, naming both', () => {
    const app = new App();
    expect(CiliumAppValidation.ensure(app, { clusterName: 'east', includeSdkPolicyLayers: true })).toBe(true);
    const r = refusal(() => CiliumAppValidation.ensure(app, { clusterName: 'west' }));
    expect(r.id).toBe('app-validation-options-conflict');
    expect(r.message).toContain('got clusterName: "west", but an earlier call gave clusterName: "east"');
    expect(refusal(() => CiliumAppValidation.ensure(app, { includeSdkPolicyLayers: false })).id).toBe('app-validation-options-conflict');
    expect(optionsOf(app)).toEqual({ clusterName: 'east', includeSdkPolicyLayers: true });
  });
});

describe('numeric props and arguments: each value accepted with its meaning or refused by id (the sweep)', () => {
  // Every numeric input of the constructs and helpers (API.md: `Port.*`, `Icmp.type`, `HostFirewall` `apiServerPort`).
  const INPUTS: readonly [string, (v: number) => unknown][] = [
    ['Port.tcp', (v) => Port.tcp(v)],
    ['Port.any', (v) => Port.any(v)],
    ['Port.tcpRange start', (v) => Port.tcpRange(v, 65535)],
    ['Port.range end', (v) => Port.range(1, v)],
    ['Port.of port', (v) => Port.of({ port: v })],
    ['Port.of endPort', (v) => Port.of({ port: 1, endPort: v })],
    ['Icmp.type', (v) => Icmp.type(v)],
    ['HostFirewall apiServerPort', (v) => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.0.0.0/8'], apiServerPort: v })],
  ];
  const badNumber = (name: string): string => (name === 'HostFirewall apiServerPort' ? 'host-firewall-api-server-port' : 'port-out-of-range');
  const badType = (name: string): string => (name === 'HostFirewall apiServerPort' ? 'host-firewall-api-server-port' : 'port-not-a-number');
  const VALUES: readonly [string, unknown, (name: string) => string | undefined][] = [
    ['0', 0, (n) => (n === 'Icmp.type' ? 'icmp-type-zero' : badNumber(n))],
    ['-1', -1, badNumber], ['1.5', 1.5, badNumber], ['NaN', NaN, badNumber], ['Infinity', Infinity, badNumber],
    ['65536', 65536, badNumber], ['2**53', 2 ** 53, badNumber],
    ['256', 256, (n) => (n === 'Icmp.type' ? 'port-out-of-range' : undefined)],
    ["'80'", '80', badType], ['null', null, badType], ['10n', 10n, badType],
    ['a getter that throws', 'getter', (n) => (n.startsWith('Port.of') || n.startsWith('HostFirewall') ? 'prop-unreadable' : undefined)],
  ];
  const rows = INPUTS.flatMap(([name, build]) => VALUES.map(([shown, value, expected]) => [name, shown, value, expected(name), build] as const));
  test.each(rows)('%s %s', (name, _, value, expected, build) => {
    if (value === 'getter') {
      // Only props objects have getters: a call's argument is read by the call.
      if (expected === undefined) return;
      const key = name === 'Port.of port' ? 'port' : name === 'Port.of endPort' ? 'endPort' : 'apiServerPort';
      const props = Object.defineProperty(name === 'Port.of endPort' ? { port: 1 } : name.startsWith('Host') ? { managementCidrs: ['10.0.0.0/8'] } : {},
        key, { enumerable: true, get: () => { throw new Error('boom'); } });
      const r = refusal(() => (name.startsWith('Port') ? Port.of(props) : new HostFirewall(chart('shop'), 'h', props as never)));
      expect([r.id, r.message]).toEqual([expected, expect.stringContaining(`${key} cannot be read (its getter threw: "boom")`)]);
      return;
    }
    if (expected === undefined) {
      expect(() => build(value as number)).not.toThrow();
      return;
    }
    expect(refusal(() => build(value as number)).id).toBe(expected);
  });
});
