import { ApiObject, App, Chart, JsonPatch, Lazy, ResolutionContext, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, ClusterwidePolicy, EndpointSelector, Entity, HttpRule, L7, Peer, Port } from '../../src';

/** A policy with several rules and most kinds of peer, ports and L7 rules. */
function busyPolicy(chart: Chart): CiliumPolicy {
  const p = new CiliumPolicy(chart, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web', tier: 'front' }), description: 'the web tier' });
  p.allowIngress(Peer.endpoints({ labels: { app: 'lb' } }), { ports: [Port.tcp(8080), Port.udp(53)], l7: L7.http(HttpRule.get('/api/.*')) });
  p.allowEgress(Peer.fqdn('api.example.com'), { ports: [Port.tcp(443)] });
  p.allowEgress(Peer.cidr('10.0.0.0/8'));
  p.denyEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(25)] });
  p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'worker' }) }).allowEgress(Peer.endpoints({ namespace: 'db', labels: { app: 'pg' } }), { ports: [Port.tcp(5432)] });
  return p;
}

/** What cdk8s renders for the object through its resolver (`ApiObject.prototype.toJson`), with the SDK's annotation added. */
function viaCdk8s(o: ApiObject, version = '1.19'): Record<string, any> {
  const json = ApiObject.prototype.toJson.call(o);
  return { ...json, metadata: { ...json.metadata, annotations: { ...json.metadata.annotations, 'cdk8s-cilium.io/cilium-version': version } } };
}

/** The policy's manifest is written without cdk8s's resolver (plain data), and must be exactly what the resolver would give. */
describe('a policy\'s manifest', () => {
  test('is the one cdk8s renders through its resolver, keys in the same order', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop', labels: { team: 'a' } });
    const p = busyPolicy(chart);
    const ours = p.apiObject.toJson();
    expect(JSON.stringify(ours)).toBe(JSON.stringify(viaCdk8s(p.apiObject)));
    expect(ours.specs).toHaveLength(2);
    expect(Object.keys(ours)).toEqual(['apiVersion', 'kind', 'metadata', 'specs']);
    const one = new ClusterwidePolicy(chart, 'one', { endpointSelector: EndpointSelector.labels({ app: 'x' }) });
    one.allowIngress(Peer.entity(Entity.CLUSTER));
    const cdk8sOne = viaCdk8s(one.apiObject);
    delete cdk8sOne.metadata.namespace;
    expect(JSON.stringify(one.apiObject.toJson())).toBe(JSON.stringify(cdk8sOne));
  });

  test('writes the metadata cdk8s writes: the chart\'s labels, labels, annotations, finalizers, owner references and other fields added', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop', labels: { team: 'a', zone: 'b' } });
    const p = busyPolicy(chart);
    const m = p.apiObject.metadata;
    m.addLabel('app.kubernetes.io/part-of', 'shop');
    m.addAnnotation('z-last', 'z');
    m.addAnnotation('a-first', 'a');
    m.addFinalizers('example.com/keep');
    m.addOwnerReference({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '1234' });
    m.add('generation', 3);
    m.add('empty', {});
    m.add('nothing', null);
    expect(JSON.stringify(p.apiObject.toJson())).toBe(JSON.stringify(viaCdk8s(p.apiObject)));
  });

  test('fails as cdk8s does when the metadata cannot be rendered', () => {
    const p = busyPolicy(new Chart(Testing.app(), 'c', { namespace: 'shop' }));
    p.apiObject.metadata.add('bad', new Map([['a', 1]]));
    expect(() => p.apiObject.toJson()).toThrow(/^Failed serializing construct at path 'c\/web\/Resource' with name 'web': .*non-simple object of type 'Map'/);
  });

  test('takes the JSON patches of the escape hatch', () => {
    const p = busyPolicy(new Chart(Testing.app(), 'c', { namespace: 'shop' }));
    p.apiObject.addJsonPatch(JsonPatch.replace('/specs/0/description', 'patched'), JsonPatch.remove('/specs/1'));
    const json = p.apiObject.toJson();
    expect(json.specs).toHaveLength(1);
    expect(json.specs[0].description).toBe('patched');
  });

  test('goes through the app\'s own resolvers, which see the values of the rules', () => {
    const app = new App({
      outdir: Testing.app().outdir,
      resolvers: [{ resolve: (ctx: ResolutionContext) => { if (ctx.value === 'lb') ctx.replaceValue('load-balancer'); } }],
    });
    const p = busyPolicy(new Chart(app, 'c', { namespace: 'shop' }));
    expect(p.apiObject.toJson().specs[0].ingress[0].fromEndpoints[0].matchLabels).toEqual({ app: 'load-balancer', 'k8s:io.kubernetes.pod.namespace': 'shop' });
  });

  test('honours CDK8S_DISABLE_SORT as cdk8s does', () => {
    const before = process.env.CDK8S_DISABLE_SORT;
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const p = busyPolicy(new Chart(Testing.app(), 'c', { namespace: 'shop' }));
      expect(JSON.stringify(p.apiObject.toJson())).toBe(JSON.stringify(viaCdk8s(p.apiObject)));
    } finally {
      process.env.CDK8S_DISABLE_SORT = before;
    }
  });

  test('renders through cdk8s a rule holding a value cdk8s resolves late (a Lazy)', () => {
    const p = busyPolicy(new Chart(Testing.app(), 'c', { namespace: 'shop' }));
    p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'late' }), description: Lazy.any({ produce: () => 'resolved' }) as never }).isolateIngress();
    const json = p.apiObject.toJson();
    expect(json.specs.map((r: { description?: string }) => r.description)).toEqual(['the web tier', undefined, 'resolved']);
    expect(JSON.stringify(json)).toBe(JSON.stringify(viaCdk8s(p.apiObject)));
  });
});
