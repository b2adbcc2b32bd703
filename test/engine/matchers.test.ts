// toAllow / toDeny on cdk8s apps and charts: policies from every chart, workloads and Services as the inventory, and
// failure messages that carry the explanation.
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import { engineMatchers, verdictFor } from '../../src/engine/matchers';
import { CiliumVersion } from '../../src/core/cilium-version';
import './helpers';

function policy(chart: Chart, name: string, spec: Record<string, unknown>): ApiObject {
  return new ApiObject(chart, name, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
}

function app(): App {
  const a = Testing.app();
  const chart = new Chart(a, 'shop', { namespace: 'shop' });
  const api = new kplus.Deployment(chart, 'api', {
    metadata: { namespace: 'shop' },
    podMetadata: { labels: { app: 'api' } },
    containers: [{ image: 'api', ports: [{ number: 8080, name: 'http' }], securityContext: { ensureNonRoot: false } }],
  });
  new kplus.Service(chart, 'api-svc', { metadata: { name: 'api', namespace: 'shop' }, selector: api, ports: [{ port: 80, targetPort: 8080 }] });
  policy(chart, 'api-policy', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] });
  const other = new Chart(a, 'web', { namespace: 'shop' });
  policy(other, 'web-policy', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toServices: [{ k8sService: { serviceName: 'api', namespace: 'shop' } }] }] });
  return a;
}

describe('engine matchers', () => {
  test('an App: policies of every chart, named ports and Services from its workloads', () => {
    const a = app();
    expect(a).toAllow('pod:shop:app=web', 'pod:shop:app=api', '8080/TCP');
    expect(a).toDeny('pod:shop:app=web', 'pod:shop:app=api', 9090);
    expect(a).toDeny('pod:shop:app=cli', 'pod:shop:app=api', 8080);
    expect(a).not.toAllow('pod:shop:app=web', 'pod:shop:app=db', 5432);
  });

  test('a Chart and a PolicySet', () => {
    const a = app();
    const shop = a.charts.find((c) => c.node.id === 'shop') as Chart;
    expect(shop).toAllow('pod:shop:app=web', 'pod:shop:app=api', 8080);
    expect(shop).toAllow('pod:shop:app=web', 'pod:shop:app=db', 5432);
    const set = PolicySet.fromConstruct(a);
    expect(set.policies.map((p) => p.name)).toEqual(['api-policy', 'web-policy']);
    expect(set).toDeny('pod:shop:app=web', 'pod:shop:app=db', 5432);
  });

  test('the Cilium version set on the construct is used', () => {
    const a = Testing.app();
    const chart = new Chart(a, 'c');
    CiliumVersion.use(chart, CiliumVersion.V1_18);
    policy(chart, 'p', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] });
    expect(PolicySet.fromConstruct(a).ciliumVersion).toBe(CiliumVersion.V1_18);
    expect(a).toAllow('pod:shop:app=web,io.cilium.k8s.policy.cluster=east', 'pod:shop:app=api', 80);
    expect(a).toDeny('pod:shop:app=web,io.cilium.k8s.policy.cluster=east', 'pod:shop:app=api', 80, { ciliumVersion: CiliumVersion.V1_19 });
  });

  test('failure messages carry the explanation', () => {
    const a = app();
    const denied = engineMatchers.toAllow(a, 'pod:shop:app=cli', 'pod:shop:app=api', 8080);
    expect(denied.pass).toBe(false);
    // The pod named app=api is the Deployment's pod: it carries the Deployment's full label set.
    const api = 'pod:shop:app=api,cdk8s.io/metadata.addr=shop-api-c8fa48f5';
    expect(denied.message()).toContain(`expected the connection to be allowed, but it is denied:\nDENIED pod:shop:app=cli → ${api} 8080/TCP\n`);
    expect(denied.message()).toContain(`ingress at ${api}: default deny`);
    const allowed = engineMatchers.toDeny(a, 'pod:shop:app=web', 'pod:shop:app=api', 8080);
    expect(allowed.pass).toBe(false);
    expect(allowed.message()).toMatch(/^expected the connection to be denied, but it is allowed:\nALLOWED/);
    expect(() => expect(a).toAllow('pod:shop:app=cli', 'pod:shop:app=api', 8080)).toThrow(/rule|default deny/);
  });

  test('L7 options and YAML text', () => {
    const yaml = JSON.stringify({
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p' },
      spec: { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] },
    });
    expect(yaml).toAllow('pod:default:app=a', 'pod:default:app=b', 80, { http: 'GET /' });
    expect(yaml).toDeny('pod:default:app=a', 'pod:default:app=b', 80, { http: 'POST /' });
    expect(verdictFor(yaml, 'pod:default:app=a', 'pod:default:app=b', 80, { http: { method: 'POST', path: '/' } }).verdict).toBe('l7-denied');
  });

  test('bad input is a CiliumPolicyError', () => {
    expect(() => engineMatchers.toAllow(42, 'pod:default:app=a', 'pod:default:app=b', 80)).toThrow(/not a cdk8s App, Chart, PolicySet or YAML text/);
    expect(() => engineMatchers.toAllow(app(), 'pod:default', 'pod:default:app=b', 'x/TCP')).toThrow(/bad port/);
  });
});

describe('PolicySet.fromConstruct on a construct that is not a chart', () => {
  test('reads the API objects under it once', () => {
    const a = app();
    const shop = a.charts.find((c) => c.node.id === 'shop') as Chart;
    const set = PolicySet.fromConstruct(shop.node.findChild('api-policy'));
    expect(set.policies.map((p) => p.name)).toEqual(['api-policy']);
    expect(set).toDeny('pod:shop:app=cli', 'pod:shop:app=api', 8080);
  });
});
