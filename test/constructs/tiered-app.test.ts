import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import { HttpRule, L7, Peer, Port, Protocol, TieredApp } from '../../src';
import { byName, chart, synth } from '../support/synth';

const traefik = Peer.endpoints({ namespace: 'traefik', labels: { 'app.kubernetes.io/instance': 'traefik-traefik' } });

describe('TieredApp', () => {
  test('each tier admits only the tier before it, on container ports, plus host probes', () => {
    const c = chart('webapp');
    new TieredApp(c, 'webapp', {
      entry: [traefik],
      tiers: [
        { name: 'web', labels: { app: 'webapp' }, ports: [Port.tcp(3000)], l7: L7.http(HttpRule.get('/.*')) },
        { name: 'db', labels: { app: 'postgres' }, ports: [Port.tcp(5432)] },
      ],
    });
    const policies = byName(synth(c));
    expect(Object.keys(policies)).toEqual(['webapp-web', 'webapp-db']);
    expect(policies['webapp-web'].spec.ingress).toEqual([
      {
        fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/instance': 'traefik-traefik', 'k8s:io.kubernetes.pod.namespace': 'traefik' } }],
        toPorts: [{ ports: [{ port: '3000', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/.*' }] } }],
      },
      { fromEntities: ['host'] },
    ]);
    expect(policies['webapp-db'].spec.endpointSelector).toEqual({ matchLabels: { app: 'postgres' } });
    expect(policies['webapp-db'].spec.ingress[0]).toEqual({
      fromEndpoints: [{ matchLabels: { 'app': 'webapp', 'k8s:io.kubernetes.pod.namespace': 'webapp' } }],
      toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
    });
    expect(policies['webapp-db'].spec.egress).toBeUndefined();
  });

  test('egress lockdown: next tier, DNS and declared extras only', () => {
    const c = chart('shop');
    new TieredApp(c, 'shop', {
      egressLockdown: true,
      metricsFrom: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }),
      tiers: [
        { name: 'api', labels: { app: 'api' }, ports: [Port.tcp(8080)], metricsPorts: [Port.tcp(9090)] },
        { name: 'db', labels: { app: 'db' }, ports: [Port.tcp(5432)], egress: [{ peer: Peer.cidr('10.9.0.0/16'), ports: [Port.tcp(443)] }] },
      ],
    });
    const policies = byName(synth(c));
    const api = policies['shop-api'].spec;
    expect(api.egress).toHaveLength(2);
    expect(api.egress[0].toPorts[0].rules.dns).toEqual([{ matchPattern: '*' }]);
    expect(api.egress[1]).toEqual({
      toEndpoints: [{ matchLabels: { 'app': 'db', 'k8s:io.kubernetes.pod.namespace': 'shop' } }],
      toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
    });
    expect(api.ingress).toContainEqual({
      fromEndpoints: [{ matchLabels: { 'app': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }],
      toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }],
    });
    const db = policies['shop-db'].spec;
    // Metrics are opened per tier: db declares none, so the scraper gets nothing there.
    expect(JSON.stringify(db.ingress)).not.toContain('prometheus');
    expect(db.egress[1]).toEqual({ toCIDR: ['10.9.0.0/16'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
  });

  test('a cdk8s-plus workload: its own pod labels as selector, the ports of the Service that exposes it, never a merely declared port', () => {
    const c = chart('dns');
    const dep = new kplus.Deployment(c, 'resolver', {
      podMetadata: { labels: { app: 'resolver' } },
      containers: [{ image: 'coredns', portNumber: 5353, ports: [{ number: 9053, protocol: kplus.Protocol.UDP }, { number: 9153, name: 'metrics' }] }],
    });
    new ApiObject(c, 'svc', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'resolver' },
      spec: { selector: { app: 'resolver' }, ports: [{ port: 53, targetPort: 5353 }, { port: 53, targetPort: 9053, protocol: 'UDP', name: 'udp' }] },
    });
    new TieredApp(c, 'app', { entry: [Peer.namespace('clients')], tiers: [{ name: 'dns', workload: dep }] });
    const policy = byName(synth(c))['app-dns'];
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { app: 'resolver' } });
    expect(policy.spec.ingress[0].toPorts[0].ports).toEqual([{ port: '5353', protocol: 'TCP' }, { port: '9053', protocol: 'UDP' }]);
  });

  test('a workload that no Service exposes must declare its ports; the hash label stays when the pods have no labels of their own', () => {
    const c = chart('dns');
    const dep = new kplus.Deployment(c, 'resolver', { containers: [{ image: 'coredns', portNumber: 5353 }] });
    expect(() => new TieredApp(c, 'app', { entry: [Peer.namespace('clients')], tiers: [{ name: 'dns', workload: dep }] }))
      .toThrow(/tier dns: no Service of the app selects test\/resolver, so its serving ports are unknown.*\(tiered-app-tier-ports\)/s);
    new TieredApp(c, 'ok', { entry: [Peer.namespace('clients')], tiers: [{ name: 'dns', workload: dep, ports: [Port.tcp(5353)] }] });
    expect(byName(synth(c))['ok-dns'].spec.endpointSelector).toEqual({ matchLabels: dep.matchLabels });
  });

  test('own pod labels shared with another workload of the app fall back to the hash label', () => {
    const c = chart('dns');
    const a = new kplus.Deployment(c, 'a', { podMetadata: { labels: { app: 'x' } }, containers: [{ image: 'a', portNumber: 80 }] });
    new kplus.Deployment(c, 'b', { podMetadata: { labels: { app: 'x' } }, containers: [{ image: 'b', portNumber: 80 }] });
    new TieredApp(c, 'app', { tiers: [{ name: 'a', workload: a, ports: [Port.tcp(80)] }] });
    expect(byName(synth(c))['app-a'].spec.endpointSelector.matchLabels).toHaveProperty(['cdk8s.io/metadata.addr']);
  });

  test('a Service gives its selector and its targetPort, never the service port', () => {
    const c = chart('blog');
    const svc = new kplus.Service(c, 'svc', { metadata: { name: 'blog' }, ports: [{ port: 8080, targetPort: 80 }] });
    svc.selectLabel('app.kubernetes.io/name', 'blog');
    new TieredApp(c, 'blog', { entry: [traefik], tiers: [{ name: 'web', workload: svc }] });
    const policy = byName(synth(c))['blog-web'];
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'blog' } });
    expect(policy.spec.ingress[0].toPorts).toEqual([{ ports: [{ port: '80', protocol: 'TCP' }] }]);
  });

  test('a named targetPort resolves to the container port number of the selected workload', () => {
    const c = chart('app');
    new ApiObject(c, 'deploy', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api', ports: [{ name: 'http', containerPort: 8081 }] }] } },
      },
    });
    const svc = new ApiObject(c, 'svc', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' },
      spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http' }] },
    });
    new TieredApp(c, 'app', { entry: [Peer.namespace('gateway')], tiers: [{ name: 'api', workload: svc }] });
    expect(byName(synth(c))['app-api'].spec.ingress[0].toPorts).toEqual([{ ports: [{ port: '8081', protocol: 'TCP' }] }]);
  });

  test('a Service is also a peer: egress to its pods on its target ports', () => {
    const c = chart('app');
    const svc = new kplus.Service(c, 'svc', { metadata: { name: 'db' }, ports: [{ port: 5432, targetPort: 15432 }] });
    svc.selectLabel('app', 'db');
    new TieredApp(c, 'app', {
      egressLockdown: true,
      tiers: [{ name: 'api', labels: { app: 'api' }, ports: [Port.of({ port: 8080, protocol: Protocol.TCP })], egress: [{ peer: Peer.workload(svc) }] }],
    });
    const policy = byName(synth(c))['app-api'];
    expect(policy.spec.egress[1]).toEqual({
      toEndpoints: [{ matchLabels: { 'app': 'db', 'k8s:io.kubernetes.pod.namespace': 'app' } }],
      toPorts: [{ ports: [{ port: '15432', protocol: 'TCP' }] }],
    });
  });

  test('fails when a tier has neither labels nor workload, or no ports', () => {
    expect(() => new TieredApp(chart('ns'), 'a', { tiers: [{ name: 'web' }] })).toThrow(/tier web needs labels or a workload/);
    expect(() => new TieredApp(chart('ns'), 'a', { tiers: [{ name: 'web', labels: { app: 'web' } }] })).toThrow(/tier web has no ports/);
  });

  test('fails on duplicate tier names, no tiers, no namespace, egress without lockdown', () => {
    const web = { name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] };
    expect(() => new TieredApp(chart('ns'), 'a', { tiers: [web, web] })).toThrow(/tier name "web" is used twice/);
    expect(() => new TieredApp(chart('ns'), 'a', { tiers: [] })).toThrow(/at least one tier/);
    expect(() => new TieredApp(chart(), 'a', { tiers: [web] })).toThrow(/needs a namespace/);
    expect(() => new TieredApp(chart('ns'), 'a', { tiers: [{ ...web, egress: [{ peer: Peer.any() }] }] })).toThrow(/egressLockdown is off/);
  });

  test('fails when a named targetPort cannot be resolved', () => {
    const c = chart('app');
    const svc = new ApiObject(c, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { selector: { app: 'x' }, ports: [{ port: 80, targetPort: 'web' }] } });
    expect(() => new TieredApp(c, 'app', { tiers: [{ name: 'x', workload: svc }] })).toThrow(/targets the named port "web", which no workload it selects in this app declares/);
  });
});
