// Session 52: an egress allow of a Service peer without ports (Peer.service(), Peer.serviceSelector()) wrote a toServices
// item without toPorts: every port of the Service's backends, since Cilium translates toServices to the backends and never
// reads the Service's ports (pkg/policy/k8s/service.go processRule). Refused (peer-service-every-port); the backends' ports,
// or Port.allPorts() said outright, written as no toPorts on every version (on 1.17+ a toPorts entry beside a Service that does
// not exist is open to every peer; before 1.17 the agent refuses toPorts beside toServices).
import { ApiObject } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumVersion, EndpointSelector, IPeer, Peer, Port, TieredApp } from '../../src';
import { judge, verdictOf } from '../support/construct-verdicts';
import { chart, refusal, synth, synthError } from '../support/synth';

const WEB = 'pod:shop:app=web';
const DB = 'pod:shop:app=db';

/** The chart of namespace `shop` with the Service `db` (port 80 to the pods' 5432) and the policy of `web` (egress). */
function shop(version?: CiliumVersion): { c: ReturnType<typeof chart>; web: CiliumPolicy } {
  const c = chart('shop', version);
  new ApiObject(c, 'db-svc', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', labels: { tier: 'data' } },
    spec: { selector: { app: 'db' }, ports: [{ port: 80, targetPort: 5432 }] },
  });
  return { c, web: new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }) };
}

describe('an egress allow of a Service without ports (peer-service-every-port)', () => {
  test('refused on 1.17+ with the construct path and the fix; with the backends\' ports, only they are allowed', () => {
    for (const version of [CiliumVersion.V1_17, CiliumVersion.V1_19]) {
      for (const peer of [Peer.service('db'), Peer.serviceSelector({ labels: { tier: 'data' } })]) {
        const { web } = shop(version);
        const r = refusal(() => web.allowEgress(peer));
        expect(r.id).toBe('peer-service-every-port');
        expect(r.message).toMatch(/^\[test\/web\] allowEgress\(services? [^)]*\) without ports would allow every port of the Service's backends, not the Service's ports: /);
        expect(r.message).toContain('never reads the Service\'s ports');
        expect(r.message).toMatch(/fix: give the ports the backends listen on \(the Service's targetPorts, matched after service translation\)/);
        expect(r.message).toContain('if every port of the backends is meant, say so: { ports: [Port.allPorts()] }');
      }
    }
    // With the backends' port: that port of the Service's pods only; the Service's own port, SSH and other pods denied.
    const { c, web } = shop();
    web.allowEgress(Peer.service('db'), { ports: [Port.tcp(5432)] });
    const [cnp] = synth(c).filter((m) => m.kind === 'CiliumNetworkPolicy');
    expect(cnp.spec.egress).toEqual([{ toServices: [{ k8sService: { namespace: 'shop', serviceName: 'db' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }]);
    expect(['5432/TCP', '80/TCP', '22/TCP', '2379/TCP', '5432/UDP'].map((port) => verdictOf(c, WEB, DB, port)))
      .toEqual(['allowed', 'denied', 'denied', 'denied', 'denied']);
    expect(verdictOf(c, WEB, 'pod:shop:app=cache', '5432/TCP')).toBe('denied');
  });

  test('every port said outright is taken, written as no toPorts on 1.17+ too: every port of the backends, and nothing while the Service does not exist', () => {
    for (const version of [CiliumVersion.V1_17, CiliumVersion.V1_19]) {
      const { c, web } = shop(version);
      web.allowEgress(Peer.service('db'), { ports: [Port.allPorts()] });
      const [cnp] = synth(c).filter((m) => m.kind === 'CiliumNetworkPolicy');
      expect(cnp.spec.egress).toEqual([{ toServices: [{ k8sService: { namespace: 'shop', serviceName: 'db' } }] }]);
      expect(['5432/TCP', '22/TCP', '53/UDP'].map((port) => verdictOf(c, WEB, DB, port))).toEqual(['allowed', 'allowed', 'allowed']);
      expect(verdictOf(c, WEB, 'pod:shop:app=cache', '22/TCP')).toBe('denied');
      expect(verdictOf(c, WEB, 'cidr:8.8.8.8', '22/TCP')).toBe('denied');
      // No such Service in the cluster (a typo, not created yet, deleted; a serviceSelector matching nothing): the agent adds no
      // selector, and the port-less item allows nothing. Written as toPorts port "0" ANY, it would open every port to the world.
      for (const peer of [Peer.service('dbb'), Peer.serviceSelector({ labels: { tier: 'none' } })]) {
        const missing = chart('shop', version);
        new CiliumPolicy(missing, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(peer, { ports: [Port.allPorts()] });
        const [written] = synth(missing).filter((m) => m.kind === 'CiliumNetworkPolicy');
        expect(written.spec.egress[0].toPorts).toBeUndefined();
        expect(['22/TCP', '443/TCP', '53/UDP'].map((port) => verdictOf(missing, WEB, 'cidr:8.8.8.8', port))).toEqual(['denied', 'denied', 'denied']);
        expect(verdictOf(missing, WEB, DB, '5432/TCP')).toBe('denied');
        expect(judge(missing, WEB, 'cidr:8.8.8.8', '22/TCP').egress.notes.join('\n')).not.toContain('opens its ports to every peer');
      }
    }
    // With L7 rules or server names beside it, or other ports, the toPorts entry stays (the refusal's fix says what it means then).
    const other = shop();
    other.web.allowEgress(Peer.service('db'), { ports: [Port.allPorts(), Port.tcp(5432)] });
    const [withOther] = synth(other.c).filter((m) => m.kind === 'CiliumNetworkPolicy');
    expect(withOther.spec.egress[0].toPorts).toEqual([{ ports: [{ port: '5432', protocol: 'TCP' }, { port: '0', protocol: 'ANY' }] }]);
  });

  test('the fix on 1.17+ says that toServices with ports opens them to every peer while the Service does not exist', () => {
    const r = refusal(() => shop().web.allowEgress(Peer.service('db')));
    expect(r.message).toContain('(on Cilium 1.17+ toServices with ports opens those ports to every peer, the world included, while the Service does not '
      + 'exist in the cluster: the agent adds no selector for it); if every port of the backends is meant, say so: { ports: [Port.allPorts()] } '
      + '(written as no toPorts, which allows nothing while the Service does not exist)');
    // What the fix warns of, as the engine judges it: a toPorts entry beside a Service not in the inputs is open to every peer if
    // the Service does not exist in the cluster, so the engine does not judge the client (test/engine/services-unresolved.test.ts).
    const missing = chart('shop');
    new CiliumPolicy(missing, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.service('dbb'), { ports: [Port.tcp(5432)] });
    expect(() => judge(missing, WEB, 'cidr:8.8.8.8', '5432/TCP')).toThrow(/Service shop\/dbb is not in the inputs, .* the item's ports are open to every peer/);
  });

  test('before 1.17 refused with the fix to name the pods with their ports; Port.allPorts() is written as no toPorts, which the agent accepts', () => {
    const v16 = (): ReturnType<typeof shop> => shop(CiliumVersion.V1_16);
    const r = refusal(() => v16().web.allowEgress(Peer.service('db')));
    expect(r.id).toBe('peer-service-every-port');
    expect(r.message).toContain('fix: Cilium 1.16 refuses toPorts beside toServices (from 1.17 it takes them): select the backends by their labels with '
      + 'their ports, allowEgress(Peer.endpoints({ namespace, labels }), { ports: [Port.tcp(5432)] }); if every port of the backends is meant, say so: '
      + '{ ports: [Port.allPorts()] } (written as no toPorts on 1.16)');
    // Every port said outright: no toPorts (the agent would refuse them), so synthesis and the agent's rules pass. Before 1.17
    // toServices selects only Services without a selector: their endpoint addresses, on every port.
    const c = chart('shop', CiliumVersion.V1_16);
    new ApiObject(c, 'ext-svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { ports: [{ port: 80 }] } });
    new ApiObject(c, 'ext-eps', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 5432 }] }] });
    new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.service('ext'), { ports: [Port.allPorts()] });
    const [cnp] = synth(c).filter((m) => m.kind === 'CiliumNetworkPolicy');
    expect(cnp.spec.egress).toEqual([{ toServices: [{ k8sService: { namespace: 'shop', serviceName: 'ext' } }] }]);
    expect(['5432/TCP', '22/TCP'].map((port) => verdictOf(c, WEB, 'cidr:10.1.2.3', port))).toEqual(['allowed', 'allowed']);
    expect(verdictOf(c, WEB, 'cidr:10.1.2.4', '22/TCP')).toBe('denied');
    // Named ports still meet the agent's refusal there (sanitize-services-with-ports), and so does every port with server names.
    const named = v16();
    named.web.allowEgress(Peer.service('db'), { ports: [Port.tcp(5432)] });
    expect(synthError(named.c)).toContain('(sanitize-services-with-ports)');
    const sni = v16();
    sni.web.allowEgress(Peer.service('db'), { ports: [Port.allPorts()], serverNames: ['db.example.com'] });
    expect(synthError(sni.c)).toContain('(sanitize-services-with-ports)');
  });

  test('judged again at synthesis on a peer of one\'s own, and in a TieredApp tier\'s egress', () => {
    const { c, web } = shop();
    let calls = 0;
    // Answers an endpoint peer when the rule is given, and the Service when synthesis reads it again.
    const shifty: IPeer = {
      toPeerConfig: () => (calls++ === 0
        ? { item: { endpoints: [{ matchLabels: { app: 'db' } }] }, description: 'pods app=db' }
        : { field: 'services', item: { services: [{ k8sService: { serviceName: 'db' } }] }, description: 'service db' }) as never,
    };
    web.allowEgress(shifty);
    expect(synthError(c)).toMatch(/allowEgress\(service db\) without ports would allow every port of the Service's backends.*\(peer-service-every-port\)/s);
    const t = chart('shop');
    const r = refusal(() => new TieredApp(t, 'app', { tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)], egress: [{ peer: Peer.service('db') }] }], egressLockdown: true }));
    expect(r.id).toBe('peer-service-every-port');
  });
});
