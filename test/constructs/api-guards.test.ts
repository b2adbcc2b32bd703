// Calls written for 0.x, or from plain JavaScript, are refused with a coded error that shows the 1.0 form — never
// silently ignored (a dropped file name or host) and never a TypeError.
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, ClusterwidePolicy, EndpointSelector, IPortSpec, NodeSelector, PolicySet, Port, Queries, VerdictKind } from '../../src';
import { chart, refusal } from '../support/synth';

const CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress: [{ toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }] }]
`;

describe('positional arguments where 1.0 takes options', () => {
  test('PolicySet.fromYaml(text, file) of 0.x', () => {
    const r = refusal(() => PolicySet.fromYaml(CNP, 'policies.yaml' as never));
    expect(r.id).toBe('options-positional');
    expect(r.message).toMatch(/PolicySet\.fromYaml\(…, a string \("policies\.yaml"\)\): the second argument is an options object/);
    expect(r.message).toContain("{ file: 'policies.yaml'");
  });

  test('Queries.parseHttpRequest(text, host) of 0.x', () => {
    const r = refusal(() => Queries.parseHttpRequest('GET /', 'shop.example.com' as never));
    expect(r.id).toBe('options-positional');
    expect(Queries.parseHttpRequest('GET /', { host: 'shop.example.com' })).toMatchObject({ method: 'GET', path: '/', host: 'shop.example.com' });
  });

  test('a workload construct where an endpoint selector goes', () => {
    const c = chart('shop');
    const web = new kplus.Deployment(c, 'web', { containers: [{ image: 'nginx', portNumber: 8080 }] });
    const r = refusal(() => new CiliumPolicy(c, 'p', { endpointSelector: web as never }));
    expect(r.id).toBe('selector-unknown');
    expect(r.message).toContain('endpointSelector (the construct test/web) is not an endpoint selector');
    expect(r.message).toContain('EndpointSelector.workload(deployment)');
    // The 1.0 form works.
    expect(() => new CiliumPolicy(c, 'q', { endpointSelector: EndpointSelector.workload(web) })).not.toThrow();
  });

  test('something else where a node selector goes', () => {
    const c = chart();
    const r = refusal(() => new ClusterwidePolicy(c, 'host', { nodeSelector: { role: 'worker' } as never }));
    expect(r.id).toBe('selector-unknown');
    expect(r.message).toContain('nodeSelector (object) is not a node selector');
    expect(r.message).toContain('NodeSelector.labels({ … })');
    expect(() => new ClusterwidePolicy(c, 'host2', { nodeSelector: NodeSelector.labels({ role: 'worker' }) })).not.toThrow();
  });
});

describe('IPortSpec: a port value is whatever gives its layer-4 match', () => {
  test('Port values, and any IPortSpec, name a connection; other objects are refused', () => {
    expect(Queries.toConnection(Port.tcp(8080))).toEqual({ protocol: 'TCP', port: 8080 });
    const custom: IPortSpec = { toPortMatch: () => ({ l4: { port: '53', protocol: 'UDP' } }) };
    expect(Queries.toConnection(custom)).toEqual({ protocol: 'UDP', port: 53 });
    expect(Port.udp(53).toPortMatch()).toEqual({ l4: { port: '53', protocol: 'UDP' } });
    for (const bad of [{}, [1, 2], null]) {
      const r = refusal(() => Queries.toConnection(bad as never));
      expect(r.id).toBe('engine-port-syntax');
      expect(r.message).toMatch(/is not a port: expected a number, a string such as "8080\/TCP", or a Port\/Icmp value/);
    }
    const set = PolicySet.fromYaml(CNP);
    expect(set.verdict({ from: set.endpoint('pod:shop:app=x'), to: set.endpoint('pod:shop:app=web'), ...Queries.toConnection(custom) }).verdict).toBe(VerdictKind.DENIED);
    expect(set.verdict({ from: set.endpoint('pod:shop:app=x'), to: set.endpoint('pod:shop:app=web'), ...Queries.toConnection(Port.tcp(8080)) }).verdict).toBe(VerdictKind.ALLOWED);
  });
});
