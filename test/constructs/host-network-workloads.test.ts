// A workload whose pods run on the host network (`hostNetwork: true`) named where its pods are selected by their labels:
// `Peer.workload()`, `EndpointSelector.workload()`, a `TieredApp` tier. It was accepted and written as a selector of its pod
// labels, which selects nothing: Cilium manages no endpoint for such a pod (pkg/k8s/watchers/pod.go `updatePodHostData`:
// "pod is using host networking") and its traffic carries its node's identity. As the subject, the policy left the pods'
// ports open to every peer; as a deny's peer, it denied nothing. Refused (`workload-host-network`).
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
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
  // The refusal names the construct that uses the pods and how, and what that use would do.
  const uses: [string, (c: Chart, db: ApiObject) => unknown, string][] = [
    ['a TieredApp tier', (c, db) => tiered(c, db), '[test/app] tier db of test/app: '],
    ['EndpointSelector.workload() as a subject', (c, db) => new CiliumPolicy(c, 'db-policy', { endpointSelector: EndpointSelector.workload(db) })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(5432)] }), '[test/db-policy] the subject (endpointSelector) of test/db-policy: '],
    ['Peer.workload() in a deny', (c, db) => {
      const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
      p.allowEgress(Peer.any(), { ports: [Port.tcp(5432)] });
      p.denyEgress(Peer.workload(db));
    }, '[test/web] denyEgress(test/db) of test/web: '],
    ['Peer.workload() in an allow', (c, db) => new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) })
      .allowEgress(Peer.workload(db), { ports: [Port.tcp(5432)] }), '[test/web] allowEgress(test/db) of test/web: '],
  ];
  const consequence = (user: string): string => (/subject|tier/.test(user) ? 'the policy would leave their ports open to every peer'
    : user.includes('deny') ? 'the deny would deny nothing of their traffic' : 'the allow would allow nothing (they are reached as their node)');

  test.each(uses)('%s', (_what, use, user) => {
    const c = chart('shop');
    // Read when the policy is written: at the call (a tier) or at synthesis (a selector or peer of the workload).
    const r = refusal(() => {
      use(c, deployment(c, 'db', true));
      Testing.synth(c);
    });
    expect(r.id).toBe('workload-host-network');
    expect(r.message.startsWith(`${user}Deployment test/db runs its pods on the host network (hostNetwork: true)`), r.message).toBe(true);
    expect(r.message).toContain(`selects nothing: ${consequence(user)}`);
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
    expect(r.message).toMatch(peer ? /^\[test\/web\] denyEgress\(test\/db-svc\) of test\/web: Service test\/db-svc sends only to pods of test\/db on the host network/
      : /^\[test\/db-policy\] the subject \(endpointSelector\) of test\/db-policy: Service test\/db-svc sends only to pods of test\/db on the host network/);
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

// A Service whose backends are partly on the host network: as a deny's peer its host-network backends stay undenied, as a
// subject their ports stay open (validate's `pitfall-host-network-pods` warns when any selected pod is on the host network).
// Refused there; as an allow's peer, taken: the backends off the host network are allowed, the others nothing.
describe('a Service with some backends on the host network (workload-host-network)', () => {
  function mixed(c: Chart): ApiObject {
    deployment(c, 'db', false);
    new ApiObject(c, 'db-host', {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'db-host' },
      spec: { selector: { matchLabels: { app: 'db', role: 'host' } }, template: { metadata: { labels: { app: 'db', role: 'host' } },
        spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 5432 }] }] } } },
    });
    return service(c);
  }

  test('as a deny\'s peer: refused, naming the policy, the use and the host-network backend', () => {
    const c = chart('shop');
    const svc = mixed(c);
    const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowEgress(Peer.any(), { ports: [Port.tcp(5432)] });
    p.denyEgress(Peer.workload(svc));
    const r = refusal(() => Testing.synth(c));
    expect(r.id).toBe('workload-host-network');
    expect(r.message).toContain('[test/web] denyEgress(test/db-svc) of test/web: Service test/db-svc sends also to pods of test/db-host on the host network');
    expect(r.message).toContain('the deny would deny nothing of their traffic, beside the pods that are Cilium endpoints');
    expect(r.message).toContain('select only the pods off the host network');
  });

  test('as a subject: refused', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'db-policy', { endpointSelector: EndpointSelector.workload(mixed(c)) })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(5432)] });
    const r = refusal(() => Testing.synth(c));
    expect(r.id).toBe('workload-host-network');
    expect(r.message).toContain('the subject (endpointSelector) of test/db-policy: Service test/db-svc sends also to pods of test/db-host');
  });

  test('as an allow\'s peer: taken; its backends off the host network are reached on the port, the host-network ones are not', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.workload(mixed(c)), { ports: [Port.tcp(5432)] });
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, DB_NODE, '5432/TCP')).toBe('denied');
  });

  test('a plain workload whose selector also selects a host-network DaemonSet\'s pods: refused in a deny, taken in an allow', () => {
    const c = chart('shop');
    mixed(c);
    const db = c.node.findChild('db') as ApiObject;
    const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowEgress(Peer.workload(db), { ports: [Port.tcp(5432)] });
    p.denyEgress(Peer.workload(db), { ports: [Port.tcp(22)] });
    const r = refusal(() => Testing.synth(c));
    expect(r.id).toBe('workload-host-network');
    expect(r.message).toContain('denyEgress(test/db) of test/web: the selector of Deployment test/db also selects the pods of test/db-host, which run on the host network');
  });
});

// `Peer.selectedBy(EndpointSelector.workload(db))` read the selector once, at the call: a workload moved onto the host network
// afterwards (a JSON patch) escaped the refusal, and the deny denied nothing. Judged again where the rule is written.
test('Peer.selectedBy() of a workload\'s selector, moved onto the host network after the call: refused at synthesis', () => {
  const c = chart('shop');
  const db = deployment(c, 'db', false);
  const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
  p.allowEgress(Peer.any(), { ports: [Port.tcp(5432)] });
  p.denyEgress(Peer.selectedBy(EndpointSelector.workload(db)));
  db.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
  const r = refusal(() => Testing.synth(c));
  expect(r.id).toBe('workload-host-network');
  expect(r.message).toContain('[test/web] denyEgress(test/db) of test/web: Deployment test/db runs its pods on the host network');
});
