// TieredApp's promise, least privilege, through engine verdicts on what it synthesizes: each tier admits only the tier
// before it (the first: the entry peers), on its own ports and L7 rules; metrics only on a tier's metricsPorts; under
// egressLockdown a tier reaches only the next tier, DNS and its declared extras. And every refusal, with its error id.
// These tests are in the mutation test set (vitest.mutation.config.mts): they kill the mutants of src/constructs/tiered-app.ts.
import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, HttpRule, Icmp, KafkaRule, L7, LabelExpression, Peer, Port, Protocol, Tier, TieredApp, TieredAppProps } from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const TRAEFIK = 'pod:traefik:app=traefik';
const WEB = 'pod:shop:app=web';
const API = 'pod:shop:app=api';
const DB = 'pod:shop:app=db';
const PROMETHEUS = 'pod:monitoring:app=prometheus';
const KUBE_DNS = 'pod:kube-system:k8s-app=kube-dns';
const traefik = Peer.endpoints({ namespace: 'traefik', labels: { app: 'traefik' } });
const prometheus = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });

const web = { name: 'web', labels: { app: 'web' }, ports: [Port.tcp(3000)] };
const api = { name: 'api', labels: { app: 'api' }, ports: [Port.tcp(8080)] };
const db = { name: 'db', labels: { app: 'db' }, ports: [Port.tcp(5432)] };

/** A TieredApp `shop` in a chart of namespace `shop`. */
function shop(props: Partial<TieredAppProps> = {}): { c: ReturnType<typeof chart>; app: TieredApp } {
  const c = chart('shop');
  const app = new TieredApp(c, 'shop', { entry: [traefik], tiers: [web, api, db], ...props });
  return { c, app };
}

describe('TieredApp ingress: each tier admits only the tier before it, on its own ports', () => {
  test('the entry peers reach the first tier on its ports, and no other tier', () => {
    const { c } = shop();
    expect(decidedBy(c, TRAEFIK, WEB, '3000/TCP', 'ingress')).toBe('allowed shop-web spec.ingress[0]');
    expect(verdictOf(c, TRAEFIK, WEB, '3001/TCP')).toBe('denied');
    expect(verdictOf(c, TRAEFIK, WEB, '3000/UDP')).toBe('denied');
    expect(decidedBy(c, TRAEFIK, API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, TRAEFIK, DB, '5432/TCP', 'ingress')).toBe('default-deny');
  });

  test('each next tier admits the tier before it only, on its own ports only', () => {
    const { c } = shop();
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('allowed shop-api spec.ingress[0]');
    expect(decidedBy(c, API, DB, '5432/TCP', 'ingress')).toBe('allowed shop-db spec.ingress[0]');
    expect(verdictOf(c, WEB, API, '3000/TCP')).toBe('denied');
    expect(verdictOf(c, API, DB, '8080/TCP')).toBe('denied');
    // Never two tiers back, never backwards, never from itself.
    expect(decidedBy(c, WEB, DB, '5432/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, DB, API, '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, API, WEB, '3000/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, API, API, '8080/TCP', 'ingress')).toBe('default-deny');
    // The tier before, in another namespace: the namespace is explicit in the peer.
    expect(decidedBy(c, 'pod:other:app=web', API, '8080/TCP', 'ingress')).toBe('default-deny');
  });

  test('every tier admits the local node (kubelet probes) on every port, with allow-localhost off; nothing else of the node', () => {
    const { c } = shop();
    for (const [tier, name] of [[WEB, 'web'], [API, 'api'], [DB, 'db']]) {
      expect(decidedBy(c, 'entity:host', tier, '9999/TCP', 'ingress')).toBe(`allowed shop-${name} spec.ingress[1]`);
      expect(verdictOf(c, 'entity:remote-node', tier, '9999/TCP')).toBe('denied');
      expect(verdictOf(c, 'entity:health', tier, '4240/TCP')).toBe('denied');
    }
  });

  test('allowHostProbes: false: no tier admits the node, each still admits its sources, and a tier nobody reaches stays closed', () => {
    const { c } = shop({ allowHostProbes: false, metricsFrom: prometheus, tiers: [web, { ...api, metricsPorts: [Port.tcp(9090)] }, db] });
    for (const tier of [WEB, API, DB]) {
      expect(decidedBy(c, 'entity:host', tier, '9999/TCP', 'ingress')).toBe('default-deny');
      expect(decidedBy(c, 'entity:host', tier, '8080/TCP', 'ingress')).toBe('default-deny');
    }
    expect(decidedBy(c, TRAEFIK, WEB, '3000/TCP', 'ingress')).toBe('allowed shop-web spec.ingress[0]');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('allowed shop-api spec.ingress[0]');
    expect(decidedBy(c, PROMETHEUS, API, '9090/TCP', 'ingress')).toBe('allowed shop-api spec.ingress[1]');
    expect(decidedBy(c, API, DB, '5432/TCP', 'ingress')).toBe('allowed shop-db spec.ingress[0]');
    // No entry and no probes: the first tier is in ingress default deny, not left open by a policy without ingress rules.
    const { c: closed } = shop({ allowHostProbes: false, entry: undefined });
    expect(decidedBy(closed, TRAEFIK, WEB, '3000/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(closed, 'entity:host', WEB, '3000/TCP', 'ingress')).toBe('default-deny');
    expect(Testing.synth(closed)[0].spec.ingress).toEqual([{}]);
    expect(refusal(() => shop({ allowHostProbes: 'false' as unknown as boolean })).id).toBe('flag-not-boolean');
  });

  test('without entry peers the first tier admits nobody but the node', () => {
    const { c } = shop({ entry: undefined });
    expect(decidedBy(c, TRAEFIK, WEB, '3000/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'pod:shop:app=other', WEB, '3000/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'entity:host', WEB, '3000/TCP', 'ingress')).toBe('allowed shop-web spec.ingress[0]');
    expect(decidedBy(c, WEB, API, '8080/TCP', 'ingress')).toBe('allowed shop-api spec.ingress[0]');
  });

  test('several entry peers each reach the first tier, and only it', () => {
    const { c } = shop({ entry: [traefik, Peer.namespace('gateway')] });
    expect(decidedBy(c, TRAEFIK, WEB, '3000/TCP', 'ingress')).toBe('allowed shop-web spec.ingress[0]');
    expect(decidedBy(c, 'pod:gateway:app=envoy', WEB, '3000/TCP', 'ingress')).toBe('allowed shop-web spec.ingress[0]');
    expect(verdictOf(c, 'pod:gateway:app=envoy', WEB, '3001/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:gateway:app=envoy', API, '8080/TCP')).toBe('denied');
  });

  test("a tier's L7 rules apply to its own ingress only", () => {
    const { c } = shop({ tiers: [{ ...web, l7: L7.http(HttpRule.get('/.*')) }, api] });
    expect(verdictOf(c, TRAEFIK, WEB, '3000/TCP', { http: 'GET /cart' })).toBe('allowed');
    expect(verdictOf(c, TRAEFIK, WEB, '3000/TCP', { http: 'POST /cart' })).toBe('l7-denied');
    expect(verdictOf(c, WEB, API, '8080/TCP', { http: 'POST /orders' })).toBe('allowed');
  });

  test('without egressLockdown egress is not restricted at all (no egress rule selects the tiers)', () => {
    const { c } = shop();
    expect(decidedBy(c, API, 'cidr:203.0.113.10', '443/TCP', 'egress')).toBe('no-policy-default-allow');
    expect(decidedBy(c, DB, KUBE_DNS, '53/UDP', 'egress')).toBe('no-policy-default-allow');
  });

  // The README's TieredApp section says so (session 51: an adopter's platform of web → api → db beside the namespace's
  // default deny synthesized and validated clean, and every connection between tiers was dropped at its source).
  test('beside a namespace default deny of egress, the tiers reach each other only with egressLockdown (or allowWithinNamespace)', () => {
    const closed = shop();
    new DefaultDenyNamespace(closed.c, 'deny');
    expect(decidedBy(closed.c, WEB, API, '8080/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(closed.c, WEB, API, '8080/TCP', 'ingress')).toBe('allowed shop-api spec.ingress[0]');
    expect(verdictOf(closed.c, API, DB, '5432/TCP')).toBe('denied');
    const locked = shop({ egressLockdown: true });
    new DefaultDenyNamespace(locked.c, 'deny');
    expect(verdictOf(locked.c, WEB, API, '8080/TCP')).toBe('allowed');
    expect(verdictOf(locked.c, API, DB, '5432/TCP')).toBe('allowed');
    expect(verdictOf(locked.c, WEB, DB, '5432/TCP')).toBe('denied');
    const within = shop();
    new DefaultDenyNamespace(within.c, 'deny', { allowWithinNamespace: true });
    expect(verdictOf(within.c, WEB, API, '8080/TCP')).toBe('allowed');
  });

  test('one policy per tier, in tier order, named <app>-<tier>, with the namespace of the chart', () => {
    const { app } = shop({ name: 'store' });
    expect(app.policies.map((p) => p.node.id)).toEqual(['web', 'api', 'db']);
    expect(app.namespace).toBe('shop');
    const c = chart('shop');
    new TieredApp(c, 'store', { entry: [traefik], tiers: [web, api], namespace: 'other' });
    expect(decidedBy(c, TRAEFIK, 'pod:other:app=web', '3000/TCP', 'ingress')).toBe('allowed store-web spec.ingress[0]');
    expect(decidedBy(c, 'pod:shop:app=web', 'pod:other:app=api', '8080/TCP', 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'pod:other:app=web', 'pod:other:app=api', '8080/TCP', 'ingress')).toBe('allowed store-api spec.ingress[0]');
  });

  test('the description says who may reach each tier, and what is built in', () => {
    const { c } = shop();
    const host = '; built in: ingress from the local node on every port (kubelet probes)';
    expect(Testing.synth(c).map((m) => m.spec.description)).toEqual([
      `tier web of shop: reachable from the entry peers${host}`,
      `tier api of shop: reachable only from tier web${host}`,
      `tier db of shop: reachable only from tier api${host}`,
    ]);
    const { c: locked } = shop({ egressLockdown: true, dnsRules: [DnsRule.exact('api.example.com'), DnsRule.all()] });
    expect(Testing.synth(locked)[0].spec.description)
      .toBe(`tier web of shop: reachable from the entry peers${host}, DNS to kube-dns on 53/UDP and 53/TCP for every name`);
    const { c: bare } = shop({ allowHostProbes: false });
    expect(Testing.synth(bare)[1].spec.description).toBe('tier api of shop: reachable only from tier web');
    // No entry: the first tier is reached by the node's probes only, or (without them) by nobody: its ingress is [{}].
    expect(Testing.synth(shop({ entry: undefined }).c)[0].spec.description).toBe(`tier web of shop: no entry peers${host}`);
    const closed = Testing.synth(shop({ entry: undefined, allowHostProbes: false }).c)[0];
    expect(closed.spec.ingress).toEqual([{}]);
    expect(closed.spec.description).toBe('tier web of shop: reachable by nobody (no entry peers)');
    const scraped = shop({ entry: undefined, allowHostProbes: false, metricsFrom: prometheus,
      tiers: [{ ...web, metricsPorts: [Port.tcp(9090)] }, api, db] });
    expect(Testing.synth(scraped.c)[0].spec.description).toBe('tier web of shop: no entry peers');
  });
});

describe('TieredApp metrics: the scraper reaches each tier on that tier\'s metricsPorts only', () => {
  test('a tier with metricsPorts is scraped on them; a tier without them is not scraped at all', () => {
    const { c } = shop({ metricsFrom: prometheus, tiers: [web, { ...api, metricsPorts: [Port.tcp(9090)] }, db] });
    expect(decidedBy(c, PROMETHEUS, API, '9090/TCP', 'ingress')).toBe('allowed shop-api spec.ingress[2]');
    expect(verdictOf(c, PROMETHEUS, API, '8080/TCP')).toBe('denied');
    expect(verdictOf(c, PROMETHEUS, WEB, '9090/TCP')).toBe('denied');
    expect(verdictOf(c, PROMETHEUS, DB, '9090/TCP')).toBe('denied');
    // The metrics port is the scraper's only: the tier before does not get it.
    expect(verdictOf(c, WEB, API, '9090/TCP')).toBe('denied');
  });

  test('metricsFrom without any metricsPorts, or metricsPorts without metricsFrom, or an empty list, is refused', () => {
    expect(refusal(() => shop({ metricsFrom: prometheus })).id).toBe('tiered-app-metrics-ports');
    const unscraped = refusal(() => shop({ tiers: [web, { ...api, metricsPorts: [Port.tcp(9090)] }] }));
    expect(unscraped.id).toBe('tiered-app-metrics-ports');
    expect(unscraped.message).toContain('tier api declares metricsPorts');
    // Refused by the construct itself, naming the tier and the construct (the port list check further down would name neither).
    const empty = refusal(() => shop({ metricsFrom: prometheus, tiers: [{ ...web, metricsPorts: [] }] }));
    expect(empty.id).toBe('ports-empty');
    expect(empty.message).toMatch(/^\[test\/shop\] tier web has metricsPorts: \[\]/);
  });

  test('metricsPorts that meet serving ports with L7 rules are refused (the scraper got every request there, DELETE /admin too)', () => {
    const l7 = L7.http(HttpRule.get('/api/.*'));
    for (const metricsPorts of [[Port.tcp(8080)], [Port.tcpRange(8000, 8100)], [Port.allTcp()], [Port.tcp(9090), Port.any(8080)]]) {
      const refused = refusal(() => shop({ metricsFrom: prometheus, tiers: [web, { ...api, l7, metricsPorts }] }));
      expect(refused.id, metricsPorts.map(String).join()).toBe('tiered-app-metrics-ports');
      expect(refused.message).toMatch(/^\[test\/shop\] tier api metricsPorts .* meet its serving ports 8080\/TCP, which carry L7 http rules: the scraper \(endpoints /);
    }
  });

  test('HTTP rules on the metrics port: the message names the request that would pass', () => {
    const refused = refusal(() => shop({ metricsFrom: prometheus, tiers: [web, { ...api, l7: L7.http(HttpRule.get('/api/.*')), metricsPorts: [Port.tcp(8080)] }] }));
    expect(refused.message).toContain('so every request of it would pass (DELETE /admin as well as GET /metrics) past the L7 rules the tier sets');
  });

  test('Kafka rules on the metrics port: refused, the message naming Kafka and no HTTP request', () => {
    const broker = { name: 'broker', labels: { app: 'broker' }, ports: [Port.tcp(9092)], l7: L7.kafka(KafkaRule.produce('orders')), metricsPorts: [Port.tcp(9092)] };
    const refused = refusal(() => shop({ metricsFrom: prometheus, tiers: [web, broker] }));
    expect(refused.message).toContain('[test/shop] tier broker metricsPorts 9092/TCP meet its serving ports 9092/TCP, which carry L7 kafka rules: the scraper '
      + `(${prometheus.toString()}) would be allowed there without them, so every request of it would pass past the L7 rules the tier sets on traffic into it (tiered-app-metrics-ports)`);
  });

  test('an ICMP metrics entry beside a named serving port is no port the name may be: accepted, the scraper pings, and no more', () => {
    const l7 = L7.http(HttpRule.get('/api/.*'));
    const { c } = shop({ metricsFrom: prometheus, tiers: [web, { ...api, ports: [Port.named('http', Protocol.TCP)], l7, metricsPorts: [Icmp.echoRequest()] }] });
    expect(verdictOf(c, PROMETHEUS, API, 'icmp/8')).toBe('allowed');
    expect(verdictOf(c, PROMETHEUS, API, '8080/TCP', { http: 'GET /metrics' })).toBe('denied');
  });

  test('a metricsPorts or ports entry that is not a Port (plain JavaScript) is refused as such, before the L7 check reads it', () => {
    const l7 = L7.http(HttpRule.get('/api/.*'));
    const metrics = refusal(() => shop({ metricsFrom: prometheus, tiers: [web, { ...api, l7, metricsPorts: [9090 as unknown as Port] }] }));
    expect(metrics.id).toBe('ports-not-ports');
    expect(metrics.message).toMatch(/^\[test\/shop\] tier api metricsPorts\[0\] is 9090, not a Port/);
    const servingTier = { ...api, l7, ports: [8080 as unknown as Port], metricsPorts: [Port.tcp(9090)] };
    const serving = refusal(() => shop({ metricsFrom: prometheus, tiers: [web, servingTier] }));
    expect(serving.id).toBe('ports-not-ports');
    expect(serving.message).toMatch(/^\[test\/shop\] tier api ports\[0\] is 8080, not a Port/);
    const notList = refusal(() => shop({ metricsFrom: prometheus, tiers: [web, { ...api, l7, metricsPorts: Port.tcp(9090) as unknown as Port[] }] }));
    expect(notList.id).toBe('list-entry-invalid');
  });

  test('a named serving or metrics port: resolved on the tier\'s workload, else refused unless the other side opens none of its protocols', () => {
    const l7 = L7.http(HttpRule.get('/api/.*'));
    // No workload: http may be 8080 (the scraper would pass DELETE /admin there); it was accepted.
    for (const [ports, metricsPorts] of [[[Port.named('http', Protocol.TCP)], [Port.tcp(8080)]], [[Port.tcp(8080)], [Port.named('metrics', Protocol.TCP)]]]) {
      const refused = refusal(() => shop({ metricsFrom: prometheus, tiers: [web, { ...api, ports, l7, metricsPorts }] }));
      expect(refused.id, `${ports.map(String).join()} ${metricsPorts.map(String).join()}`).toBe('tiered-app-metrics-ports');
      expect(refused.message).toMatch(/^\[test\/shop\] tier api metricsPorts .* may be its serving ports .*, which carry L7 http rules: the named port .* is not resolved to a number here \(the tier has no workload/);
      expect(refused.message).toContain('fix: give the port as a number');
    }
    // A protocol the other side does not open: accepted.
    shop({ metricsFrom: prometheus, tiers: [web, { ...api, ports: [Port.named('http', Protocol.TCP)], l7, metricsPorts: [Port.udp(8080)] }] });
    // With the workload: http is 8080 there, and refused as meeting; 9100 apart is accepted.
    const tier = (c: ReturnType<typeof chart>, metricsPorts: Port[]): void => {
      const dep = new kplus.Deployment(c, `api${metricsPorts.length}${String(metricsPorts[0]).replace(/\W/g, '')}`, {
        podMetadata: { labels: { app: 'api' } },
        containers: [{ image: 'api', ports: [{ number: 8080, name: 'http' }, { number: 9100, name: 'metrics' }] }],
      });
      new TieredApp(c, `shop${String(metricsPorts[0]).replace(/\W/g, '')}`, {
        entry: [traefik], metricsFrom: prometheus,
        tiers: [{ name: 'api', workload: dep, ports: [Port.named('http', Protocol.TCP)], l7, metricsPorts }],
      });
    };
    const meeting = refusal(() => tier(chart('shop'), [Port.tcp(8080)]));
    expect(meeting.id).toBe('tiered-app-metrics-ports');
    expect(meeting.message).toContain('meet its serving ports http/TCP');
    const c = chart('shop');
    tier(c, [Port.tcp(9100)]);
    expect(verdictOf(c, PROMETHEUS, API, '9100/TCP', { http: 'GET /metrics' })).toBe('allowed');
  });

  test('a named metrics port on every protocol that the workload names on TCP only: resolved there, apart from the serving port, accepted', () => {
    const c = chart('shop');
    const dep = new kplus.Deployment(c, 'api', {
      podMetadata: { labels: { app: 'api' } }, containers: [{ image: 'api', ports: [{ number: 8080, name: 'http' }, { number: 9100, name: 'metrics' }] }],
    });
    // metrics/ANY is TCP, UDP and SCTP: on UDP and SCTP the name gives no port on these pods, so it cannot be 8080/TCP there.
    new TieredApp(c, 'shop', {
      entry: [traefik], metricsFrom: prometheus,
      tiers: [{ name: 'api', workload: dep, ports: [Port.tcp(8080)], l7: L7.http(HttpRule.get('/api/.*')), metricsPorts: [Port.named('metrics')] }],
    });
    expect(verdictOf(c, PROMETHEUS, API, '9100/TCP', { http: 'GET /metrics' })).toBe('allowed');
    expect(verdictOf(c, PROMETHEUS, API, '8080/TCP', { http: 'DELETE /admin' })).toBe('denied');
  });

  test('metricsPorts apart from L7-restricted serving ports, or serving ports without L7 rules: the scraper reaches the metrics only', () => {
    const { c } = shop({ metricsFrom: prometheus, tiers: [web, { ...api, l7: L7.http(HttpRule.get('/api/.*')), metricsPorts: [Port.tcp(9090), Port.udp(8080)] }] });
    expect(verdictOf(c, PROMETHEUS, API, '9090/TCP', { http: 'GET /metrics' })).toBe('allowed');
    expect(verdictOf(c, PROMETHEUS, API, '8080/TCP', { http: 'DELETE /admin' })).toBe('denied');
    expect(verdictOf(c, WEB, API, '8080/TCP', { http: 'DELETE /admin' })).toBe('l7-denied');
    const plain = shop({ metricsFrom: prometheus, tiers: [web, { ...api, metricsPorts: [Port.tcp(8080)] }] });
    expect(verdictOf(plain.c, PROMETHEUS, API, '8080/TCP')).toBe('allowed');
  });
});

describe('TieredApp egressLockdown: the next tier, DNS and the declared extras only', () => {
  test('a tier reaches the next tier on its ports, nothing else of the app', () => {
    const { c } = shop({ egressLockdown: true });
    expect(decidedBy(c, WEB, API, '8080/TCP', 'egress')).toBe('allowed shop-web spec.egress[1]');
    expect(decidedBy(c, API, DB, '5432/TCP', 'egress')).toBe('allowed shop-api spec.egress[1]');
    expect(decidedBy(c, API, DB, '5433/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, WEB, DB, '5432/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, API, WEB, '3000/TCP', 'egress')).toBe('default-deny');
    // The last tier has no next tier.
    expect(decidedBy(c, DB, API, '8080/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, DB, 'cidr:203.0.113.10', '443/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(c, WEB, 'pod:other:app=api', '8080/TCP', 'egress')).toBe('default-deny');
  });

  test('every tier looks up any name at kube-dns, through the DNS proxy, and reaches nothing else there', () => {
    const { c } = shop({ egressLockdown: true });
    for (const [tier, name] of [[WEB, 'web'], [API, 'api'], [DB, 'db']]) {
      expect(decidedBy(c, tier, KUBE_DNS, '53/UDP', 'egress', { dns: 'api.stripe.com' })).toBe(`allowed shop-${name} spec.egress[0]`);
      expect(verdictOf(c, tier, KUBE_DNS, '53/TCP', { dns: 'db.shop.svc.cluster.local' })).toBe('allowed');
      expect(verdictOf(c, tier, KUBE_DNS, '9153/TCP')).toBe('denied');
    }
  });

  test('dnsRules restrict the names; dnsServer moves DNS to another server', () => {
    const { c } = shop({
      egressLockdown: true,
      dnsRules: [DnsRule.exact('api.stripe.com')],
      dnsServer: Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } }),
    });
    expect(verdictOf(c, API, 'pod:kube-system:k8s-app=node-local-dns', '53/UDP', { dns: 'api.stripe.com' })).toBe('allowed');
    expect(verdictOf(c, API, 'pod:kube-system:k8s-app=node-local-dns', '53/UDP', { dns: 'evil.example.com' })).toBe('l7-denied');
    expect(verdictOf(c, API, KUBE_DNS, '53/UDP', { dns: 'api.stripe.com' })).toBe('denied');
  });

  test("a tier's extra egress is its own, on its ports and L7 rules", () => {
    const { c } = shop({
      egressLockdown: true,
      tiers: [
        web,
        { ...api, egress: [{ peer: Peer.cidr('10.9.0.0/16'), ports: [Port.tcp(443)], l7: L7.http(HttpRule.get('/v1/.*')) }] },
        { ...db, egress: [{ peer: Peer.cidr('10.8.0.0/16') }] },
      ],
    });
    expect(decidedBy(c, API, 'cidr:10.9.1.1', '443/TCP', 'egress', { http: 'GET /v1/charge' })).toBe('allowed shop-api spec.egress[2]');
    expect(verdictOf(c, API, 'cidr:10.9.1.1', '443/TCP', { http: 'DELETE /v1/charge' })).toBe('l7-denied');
    expect(verdictOf(c, API, 'cidr:10.9.1.1', '80/TCP')).toBe('denied');
    expect(verdictOf(c, WEB, 'cidr:10.9.1.1', '443/TCP')).toBe('denied');
    expect(verdictOf(c, DB, 'cidr:10.9.1.1', '443/TCP')).toBe('denied');
    // Without ports: every port of that peer, for that tier only.
    expect(decidedBy(c, DB, 'cidr:10.8.0.1', '6379/TCP', 'egress')).toBe('allowed shop-db spec.egress[1]');
    expect(verdictOf(c, API, 'cidr:10.8.0.1', '6379/TCP')).toBe('denied');
  });

  test('egress peers or dnsRules without egressLockdown are refused; an empty egress list is not', () => {
    const egress = refusal(() => shop({ tiers: [web, { ...api, egress: [{ peer: Peer.cidr('10.9.0.0/16') }] }] }));
    expect(egress.id).toBe('tiered-app-egress-without-lockdown');
    expect(egress.message).toContain('tier api declares egress peers');
    expect(refusal(() => shop({ dnsRules: [DnsRule.exact('a.example.com')] })).id).toBe('tiered-app-dns-without-lockdown');
    expect(refusal(() => shop({ egressLockdown: false, dnsRules: [DnsRule.exact('a.example.com')] })).id).toBe('tiered-app-dns-without-lockdown');
    // dnsServer alone was ignored: no DNS rule, the tiers kept every egress (dnsServer names no restriction without the lockdown).
    const server = refusal(() => shop({ dnsServer: Peer.cidr('169.254.20.10/32') }));
    expect([server.id, server.message]).toEqual(['tiered-app-dns-without-lockdown', expect.stringContaining('dnsServer is set, but egressLockdown is off')]);
    expect(refusal(() => shop({ egressLockdown: true, dnsRules: [] })).id).toBe('dns-rules-empty');
    const { c } = shop({ tiers: [web, { ...api, egress: [] }] });
    expect(decidedBy(c, API, 'cidr:203.0.113.10', '443/TCP', 'egress')).toBe('no-policy-default-allow');
  });
});

describe('TieredApp tiers: how a tier selects its pods and ports', () => {
  test('a selector tier: its pods, the tier peer of the next tier, and egress to it', () => {
    const c = chart('shop');
    new TieredApp(c, 'shop', {
      entry: [traefik],
      egressLockdown: true,
      tiers: [{ name: 'web', selector: EndpointSelector.labels({ tier: 'front' }), ports: [Port.tcp(3000)] }, api],
    });
    expect(decidedBy(c, TRAEFIK, 'pod:shop:tier=front', '3000/TCP', 'ingress')).toBe('allowed shop-web spec.ingress[0]');
    expect(decidedBy(c, 'pod:shop:tier=front', API, '8080/TCP', 'ingress')).toBe('allowed shop-api spec.ingress[0]');
    expect(decidedBy(c, 'pod:shop:tier=front', API, '8080/TCP', 'egress')).toBe('allowed shop-web spec.egress[1]');
    expect(decidedBy(c, TRAEFIK, 'pod:shop:tier=back', '3000/TCP', 'ingress')).toBe('no-policy-default-allow');
  });

  test('a workload tier: explicit ports win over the Service target ports', () => {
    const c = chart('shop');
    const svc = new kplus.Service(c, 'svc', { metadata: { name: 'web' }, ports: [{ port: 80, targetPort: 8081 }] });
    svc.selectLabel('app', 'web');
    new TieredApp(c, 'shop', { entry: [traefik], tiers: [{ name: 'web', workload: svc, ports: [Port.tcp(3000)] }] });
    expect(verdictOf(c, TRAEFIK, WEB, '3000/TCP')).toBe('allowed');
    expect(verdictOf(c, TRAEFIK, WEB, '8081/TCP')).toBe('denied');
  });

  test('a workload tier without ports: the target ports of the Service that selects it, never a merely declared port', () => {
    const c = chart('shop');
    const dep = new kplus.Deployment(c, 'web', {
      podMetadata: { labels: { app: 'web' } },
      containers: [{ image: 'web', portNumber: 8081, ports: [{ number: 9100, name: 'metrics' }] }],
    });
    new ApiObject(c, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8081 }] } });
    new TieredApp(c, 'shop', { entry: [traefik], tiers: [{ name: 'web', workload: dep }] });
    expect(decidedBy(c, TRAEFIK, WEB, '8081/TCP', 'ingress')).toBe('allowed shop-web spec.ingress[0]');
    expect(verdictOf(c, TRAEFIK, WEB, '9100/TCP')).toBe('denied');
    expect(verdictOf(c, TRAEFIK, WEB, '80/TCP')).toBe('denied');
  });

  test('tierPeer: the pods of a tier, namespace explicit, for a policy elsewhere; an unknown tier is refused', () => {
    const { c, app } = shop();
    const cache = new CiliumPolicy(c, 'cache', { namespace: 'data', endpointSelector: EndpointSelector.labels({ app: 'redis' }) });
    cache.allowIngress(app.tierPeer('api'), { ports: [Port.tcp(6379)] });
    expect(decidedBy(c, API, 'pod:data:app=redis', '6379/TCP', 'ingress')).toBe('allowed cache spec.ingress[0]');
    expect(verdictOf(c, WEB, 'pod:data:app=redis', '6379/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:data:app=api', 'pod:data:app=redis', '6379/TCP')).toBe('denied');
    cache.allowIngress(app.tierPeer('web'), { ports: [Port.tcp(6380)] });
    expect(verdictOf(c, WEB, 'pod:data:app=redis', '6380/TCP')).toBe('allowed');
    expect(verdictOf(c, API, 'pod:data:app=redis', '6380/TCP')).toBe('denied');
    const unknown = refusal(() => app.tierPeer('cache'));
    expect(unknown.id).toBe('tiered-app-unknown-tier');
    expect(unknown.message).toContain('use one of web, api, db');
  });
});

describe('TieredApp refusals, each with its error id', () => {
  test('no tiers', () => {
    expect(refusal(() => shop({ tiers: [] })).id).toBe('tiered-app-no-tiers');
    expect(refusal(() => shop({ tiers: undefined as unknown as [] })).id).toBe('tiered-app-no-tiers');
  });

  test('an empty entry list (a computed list that came out empty) is refused; leaving entry out admits nobody', () => {
    const empty = refusal(() => shop({ entry: [] }));
    expect(empty.id).toBe('tiered-app-entry-empty');
    expect(empty.message).toContain('leave entry out');
    expect(() => shop({ entry: undefined })).not.toThrow();
  });

  test('a tier name that cannot name a policy; names that can', () => {
    for (const name of ['', '-web', 'web-', 'we_b', 'web.1', 'w b', 'web/1', 7 as unknown as string]) {
      expect(refusal(() => shop({ tiers: [{ ...web, name }] })).id, JSON.stringify(name)).toBe('tiered-app-tier-name');
    }
    for (const name of ['w', 'w1', 'web-1', 'a-b-c', 'Web']) {
      const { c } = shop({ tiers: [{ ...web, name }] });
      expect(verdictOf(c, TRAEFIK, WEB, '3000/TCP'), name).toBe('allowed');
    }
  });

  test('overlapping tiers whose labels differ only by a source prefix (k8s:app implies app, the any source)', () => {
    // Before: accepted, and the entry reached the api pods on web's port (web's app=web selected them).
    const r = refusal(() => shop({ tiers: [web, { ...api, labels: { 'k8s:app': 'web', tier: 'api' } }] }));
    expect(r.id).toBe('tiered-app-tiers-overlap');
    expect(r.message).toContain('tier web selects {"app":"web"}, which also selects every pod of tier api');
    // A k8s: requirement is not implied by an any: one (a label of another source could carry it): no refusal, and the
    // tiers are told apart by tier=api.
    const { c } = shop({ tiers: [{ ...web, labels: { 'k8s:app': 'web', tier: 'web' } }, { ...api, labels: { app: 'web', tier: 'api' } }] });
    expect(verdictOf(c, TRAEFIK, 'pod:shop:app=web,tier=api', '3000/TCP')).toBe('denied');
    expect(verdictOf(c, TRAEFIK, 'pod:shop:app=web,tier=web', '3000/TCP')).toBe('allowed');
  });

  // Cilium sets the namespace of a CiliumNetworkPolicy's subject to the policy's: a tier of only the namespace label is every
  // pod of the namespace. Before: accepted, and (beside db) the entry reached the db pods on web's port, since web's policy
  // selected them too; the overlap check compared the selectors as written, where {ns=shop} does not follow from {app=db}.
  test('a tier of only the namespace label (an Exists on it, or a namespace label) selects every pod: refused as labels: {} is', () => {
    for (const tier of [{ ...web, labels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } } as Tier, { ...web, labels: { 'io.kubernetes.pod.namespace': 'shop' } },
      { ...web, labels: { 'io.cilium.k8s.namespace.labels.team': 'shop' } },
      { name: 'web', ports: [Port.tcp(3000)], selector: EndpointSelector.of({ expressions: [LabelExpression.exists('k8s:io.kubernetes.pod.namespace')] }) }]) {
      const r = refusal(() => shop({ tiers: [tier, db] }));
      expect(r.id).toBe('selector-empty');
      expect(r.message).toMatch(/^\[test\/shop\] tier web selects .*namespace.*, which in a CiliumNetworkPolicy of shop is every pod of the namespace/);
      expect(r.message).toContain('fix: give the tier\'s pod labels');
    }
    // What it granted, as the same tier written with EndpointSelector.all() (accepted alone: it says every pod): every pod
    // of the namespace admits the entry on web's port; with a db tier beside it, the overlap is refused.
    const { c } = shop({ tiers: [{ name: 'web', selector: EndpointSelector.all(), ports: [Port.tcp(3000)] }] });
    expect(verdictOf(c, TRAEFIK, DB, '3000/TCP')).toBe('allowed');
    expect(verdictOf(c, TRAEFIK, DB, '5432/TCP')).toBe('denied');
    expect(refusal(() => shop({ tiers: [{ name: 'web', selector: EndpointSelector.all(), ports: [Port.tcp(3000)] }, db] })).id).toBe('tiered-app-tiers-overlap');
    // Not every pod, yet every db pod once the namespace is the policy's: refused as an overlap (it was compared as written).
    const both = EndpointSelector.of({ expressions: [LabelExpression.exists('k8s:io.kubernetes.pod.namespace'), LabelExpression.in('app', ['web', 'db'])] });
    const overlap = refusal(() => shop({ tiers: [{ name: 'web', selector: both, ports: [Port.tcp(3000)] }, db] }));
    expect(overlap.id).toBe('tiered-app-tiers-overlap');
    expect(overlap.message).toContain('which also selects every pod of tier db');
    // The namespace label beside a pod label is as narrow as the pod label alone.
    const narrow = shop({ tiers: [{ ...web, labels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'web' } }, db] });
    expect(verdictOf(narrow.c, TRAEFIK, WEB, '3000/TCP')).toBe('allowed');
    expect(verdictOf(narrow.c, TRAEFIK, DB, '3000/TCP')).toBe('denied');
    expect(verdictOf(narrow.c, WEB, DB, '5432/TCP')).toBe('allowed');
  });

  // A tier by a selector that requires no pod label by value (only NotIn, DoesNotExist or Exists) is every pod of the namespace
  // but those it excludes, as a workload's selector is (workload-without-labels): one reading, selectorRequiresPodLabel. Before:
  // accepted, and the entry reached pod:shop:app=other on db's port.
  test('a tier by a selector of no pod label by value (NotIn, Exists, the cluster label) is refused; by In, it is the tier', () => {
    const lb = Peer.endpoints({ namespace: 'edge', labels: { app: 'lb' } });
    for (const [expression, shown, selects] of [
      [LabelExpression.notIn('app', ['web']), '{app NotIn (web)}', 'every pod of the namespace but those it excludes'],
      [LabelExpression.exists('app'), '{app Exists}', 'every pod of the namespace with app, whatever the value'],
      [LabelExpression.doesNotExist('tier'), '{tier DoesNotExist}', 'every pod of the namespace but those it excludes'],
      [LabelExpression.in('io.cilium.k8s.policy.cluster', ['default']), '{io.cilium.k8s.policy.cluster In (default)}', 'every pod of the namespace'],
    ] as const) {
      const r = refusal(() => shop({ entry: [lb], tiers: [{ name: 'db', selector: EndpointSelector.of({ expressions: [expression] }), ports: [Port.tcp(5432)] }] }));
      expect(r.id).toBe('selector-empty');
      expect(r.message).toContain(`[test/shop] tier db selects ${shown}, which in a CiliumNetworkPolicy of shop is ${selects}: it requires no pod label by value`);
      expect(r.message).toContain("fix: give the tier's pod labels, e.g. labels: { app: 'db' }, a selector with matchLabels or In on them, or a workload");
    }
    const { c } = shop({ entry: [lb], tiers: [{ name: 'db', selector: EndpointSelector.of({ expressions: [LabelExpression.in('app', ['db'])] }), ports: [Port.tcp(5432)] }] });
    new DefaultDenyNamespace(c, 'deny');
    expect(verdictOf(c, 'pod:edge:app=lb', DB, '5432/TCP')).toBe('allowed');
    expect(decidedBy(c, 'pod:edge:app=lb', 'pod:shop:app=other', '5432/TCP', 'ingress')).toBe('default-deny');
    expect(verdictOf(c, 'pod:edge:app=lb', 'pod:shop:app=other', '5432/TCP')).toBe('denied');
  });

  test('a duplicate tier name', () => {
    const r = refusal(() => shop({ tiers: [web, api, { ...db, name: 'api' }] }));
    expect(r.id).toBe('tiered-app-duplicate-tier');
    expect(r.message).toContain('"api" is used twice');
  });

  test('a tier without pods, or with two ways to select them, or with labels: {}', () => {
    expect(refusal(() => shop({ tiers: [{ name: 'web', ports: [Port.tcp(3000)] }] })).id).toBe('tiered-app-tier-selector');
    const selector = EndpointSelector.labels({ app: 'web' });
    const both = refusal(() => shop({ tiers: [{ ...web, selector }] }));
    expect(both.id).toBe('tiered-app-tier-selector');
    expect(both.message).toContain('takes a selector or labels');
    const c = chart('shop');
    const dep = new kplus.Deployment(c, 'web', { podMetadata: { labels: { app: 'web' } }, containers: [{ image: 'web', portNumber: 3000 }] });
    const withWorkload = refusal(() => new TieredApp(c, 'shop', { tiers: [{ name: 'web', workload: dep, selector, ports: [Port.tcp(3000)] }] }));
    expect(withWorkload.id).toBe('tiered-app-tier-selector');
    expect(withWorkload.message).toContain('takes a selector or a workload');
    // Refused by the construct itself, naming the tier and the construct (EndpointSelector.labels({}) would name neither).
    const everyPod = refusal(() => shop({ tiers: [{ ...web, labels: {} }] }));
    expect(everyPod.id).toBe('selector-empty');
    expect(everyPod.message).toMatch(/^\[test\/shop\] tier web has labels: \{\}/);
  });

  test('a tier without ports: none given, an empty list, or a workload no Service exposes', () => {
    expect(refusal(() => shop({ tiers: [{ name: 'web', labels: { app: 'web' } }] })).id).toBe('tiered-app-tier-ports');
    expect(refusal(() => shop({ tiers: [{ ...web, ports: [] }] })).id).toBe('tiered-app-tier-ports');
    const c = chart('shop');
    const dep = new kplus.Deployment(c, 'web', { containers: [{ image: 'web', portNumber: 3000 }] });
    const r = refusal(() => new TieredApp(c, 'shop', { tiers: [{ name: 'web', workload: dep }] }));
    expect(r.id).toBe('tiered-app-tier-ports');
    expect(r.message).toContain('tier web: no Service of the app selects');
  });
});
