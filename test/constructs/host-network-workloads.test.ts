// A workload whose pods run on the host network (`hostNetwork: true`) named where its pods are selected by their labels:
// `Peer.workload()`, `EndpointSelector.workload()`, a `TieredApp` tier. It was accepted and written as a selector of its pod
// labels, which selects nothing: Cilium manages no endpoint for such a pod (pkg/k8s/watchers/pod.go `updatePodHostData`:
// "pod is using host networking") and its traffic carries its node's identity. As the subject, the policy left the pods'
// ports open to every peer; as a deny's peer, it denied nothing. Refused (`workload-host-network`).
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, EndpointSelector, Peer, Port, TieredApp } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const WEB = 'pod:shop:app=web';
/** The node a host-network pod of the other node runs on, as Cilium sees its traffic. */
const DB_NODE = 'entity:remote-node';

/** A plain Deployment of pods labelled `app: <app>` serving 5432/TCP, on the host network or not. */
function deployment(c: Construct, app: string, hostNetwork: boolean): ApiObject {
  return new ApiObject(c, app, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app },
    spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } },
      spec: { ...(hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 5432 }] }] } } },
  });
}

/** A plain Service `db-svc` sending 5432/TCP to the pods labelled `app: db`. */
function service(c: Construct): ApiObject {
  return new ApiObject(c, 'db-svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-svc' },
    spec: { selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 5432 }] } });
}

function tiered(c: Chart, db: ApiObject): TieredApp {
  return new TieredApp(c, 'app', {
    entry: [Peer.endpoints({ namespace: 'traefik', labels: { app: 'traefik' } })],
    tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)] }, { name: 'db', workload: db, ports: [Port.tcp(5432)] }],
  });
}

describe('a host-network workload selected by its pod labels is refused (workload-host-network)', () => {
  const uses: [string, (c: Chart, db: ApiObject) => unknown][] = [
    ['a TieredApp tier', (c, db) => tiered(c, db)],
    ['EndpointSelector.workload() as a subject', (c, db) => new CiliumPolicy(c, 'db-policy', { endpointSelector: EndpointSelector.workload(db) })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(5432)] })],
    ['Peer.workload() in a deny', (c, db) => {
      const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
      p.allowEgress(Peer.any(), { ports: [Port.tcp(5432)] });
      p.denyEgress(Peer.workload(db));
    }],
    ['Peer.workload() in an allow', (c, db) => new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) })
      .allowEgress(Peer.workload(db), { ports: [Port.tcp(5432)] })],
  ];

  test.each(uses)('%s', (_what, use) => {
    const c = chart('shop');
    // Read when the policy is written: at the call (a tier) or at synthesis (a selector or peer of the workload).
    const r = refusal(() => {
      use(c, deployment(c, 'db', true));
      Testing.synth(c);
    });
    expect(r.id).toBe('workload-host-network');
    expect(r.message).toMatch(/^\[test\/db\] Deployment test\/db runs its pods on the host network \(hostNetwork: true\)/);
    expect(r.message).toContain('selects nothing');
    expect(r.message).toContain('host policy');
  });

  test.each([['as a peer', true], ['as a subject', false]])('a Service whose backends all run on the host network, %s', (_what, peer) => {
    const c = chart('shop');
    deployment(c, 'db', true);
    const svc = service(c);
    const r = refusal(() => {
      if (peer) new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).denyEgress(Peer.workload(svc));
      else new CiliumPolicy(c, 'db-policy', { endpointSelector: EndpointSelector.workload(svc) }).allowIngress(Peer.namespace('shop'), { ports: [Port.tcp(5432)] });
      Testing.synth(c);
    });
    expect(r.id).toBe('workload-host-network');
    expect(r.message).toMatch(/^\[test\/db-svc\] Service test\/db-svc sends only to pods on the host network/);
  });

  test('a Service of pods off the host network is taken: its backends are reached on its target port, and nothing else', () => {
    const c = chart('shop');
    deployment(c, 'db', false);
    new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.workload(service(c)));
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '22/TCP')).toBe('denied');
    expect(verdictOf(c, WEB, 'pod:shop:app=other', '5432/TCP')).toBe('denied');
  });

  test('the same workload off the host network: the tier admits the tier before it on its port, and nothing else', () => {
    const c = chart('shop');
    tiered(c, deployment(c, 'db', false));
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:other:app=x', 'pod:shop:app=db', '5432/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:traefik:app=traefik', 'pod:shop:app=db', '5432/TCP')).toBe('denied');
  });

  test('what it was: the tier\'s policy, written by hand for the host-network pods, leaves their port open to every pod', () => {
    const c = chart('shop');
    deployment(c, 'db', true);
    new CiliumPolicy(c, 'app-db', { endpointSelector: EndpointSelector.labels({ app: 'db' }) })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(5432)] });
    // The pods are their node: the policy selects none of them, and any pod reaches the port.
    expect(() => verdictOf(c, WEB, 'pod:shop:app=db', '5432/TCP')).toThrow(/engine-endpoint-host-network/);
    expect(verdictOf(c, 'pod:other:app=x', DB_NODE, '5432/TCP')).toBe('allowed');
  });

  test('what it was: a deny of the host-network pods by their labels denies nothing', () => {
    const c = chart('shop');
    deployment(c, 'db', true);
    const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowEgress(Peer.any(), { ports: [Port.tcp(5432)] });
    p.denyEgress(Peer.endpoints({ labels: { app: 'db' } }));
    expect(verdictOf(c, WEB, DB_NODE, '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, 'pod:shop:app=other', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, DB_NODE, '22/TCP')).toBe('denied');
  });
});
