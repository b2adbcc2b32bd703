// What MetadataEndpointBlock and MonitoringScrape allow and deny (src/constructs/metadata-endpoint-block.ts,
// monitoring-scrape.ts), judged by the engine with the deciding rule item: the block denies the metadata addresses (and
// the extra CIDRs) for the selected pods of the namespace(s) only, and nothing else (no egress default deny); the scrape
// admits the scraper on the metrics ports of the listed namespaces only, and lets the scraper send that traffic. Their
// refusals by error id. In the mutation test set (set `rules`). Every chart is built inside a test.
import { Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  CiliumPolicy, EndpointSelector, LabelExpression, MetadataEndpointBlock, MetadataEndpointBlockProps, MonitoringScrape, MonitoringScrapeProps, Peer,
  IpFamilies,
  Port,
} from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const METADATA = ['cidr:169.254.169.254', 'cidr:fd00:ec2::254', 'cidr:fd20:ce::254'];
const DUAL = { ipFamilies: IpFamilies.DUAL };

/** A chart (namespace `shop`, none for `null`) with a MetadataEndpointBlock. */
function block(props: MetadataEndpointBlockProps = {}, namespace: string | null = 'shop'): { c: Chart; b: MetadataEndpointBlock } {
  const c = chart(namespace ?? undefined);
  return { c, b: new MetadataEndpointBlock(c, 'block', props) };
}

/** The egress verdict of `from` to each destination on 80/TCP. */
function egress(c: Chart, from: string, destinations: string[]): string[] {
  // Dual-stack: the IPv6 metadata addresses are packets there only (an IPv4-only cluster refuses them: engine-query).
  return destinations.map((d) => verdictOf(c, from, d, '80/TCP', DUAL));
}

describe('MetadataEndpointBlock', () => {
  test('denies both metadata addresses to every pod of the chart\'s namespace, by its deny rule, and nothing else', () => {
    const { c, b } = block();
    expect(b.policy.name).toBe('block-metadata-endpoint');
    for (const m of METADATA) expect(decidedBy(c, 'pod:shop:app=web', m, '80/TCP', 'egress', DUAL)).toBe(`denied-by-deny-rule block-metadata-endpoint spec.egressDeny[0]`);
    expect(egress(c, 'pod:shop:app=web', ['cidr:169.254.169.253', 'cidr:192.0.2.1', 'pod:shop:app=db'])).toEqual(['allowed', 'allowed', 'allowed']);
    expect(egress(c, 'pod:prod:app=web', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
  });

  test('the namespace, name, endpoint selector and extra CIDRs it is given', () => {
    const { c, b } = block({ namespace: 'prod', name: 'no-imds', endpointSelector: EndpointSelector.labels({ app: 'web' }), extraCidrs: ['100.100.100.200/32'] });
    expect(b.policy.name).toBe('no-imds');
    expect(egress(c, 'pod:prod:app=web', [...METADATA, 'cidr:100.100.100.200', 'cidr:100.100.100.201'])).toEqual(['denied', 'denied', 'denied', 'denied', 'allowed']);
    expect(egress(c, 'pod:prod:app=db', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
    expect(egress(c, 'pod:shop:app=web', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
  });

  test('several namespaces: one clusterwide policy for the selected pods of those namespaces only', () => {
    const { c, b } = block({ namespaces: ['b', 'a'], endpointSelector: EndpointSelector.labels({ tier: 'web' }) }, null);
    expect(b.policy.kind).toBe('CiliumClusterwideNetworkPolicy');
    for (const ns of ['a', 'b']) {
      expect(decidedBy(c, `pod:${ns}:tier=web`, METADATA[0], '80/TCP', 'egress')).toBe('denied-by-deny-rule block-metadata-endpoint spec.egressDeny[0]');
      expect(egress(c, `pod:${ns}:tier=web`, [METADATA[1], 'cidr:192.0.2.1'])).toEqual(['denied', 'allowed']);
      expect(egress(c, `pod:${ns}:tier=db`, METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
    }
    expect(egress(c, 'pod:c:tier=web', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
    const all = block({ namespaces: ['a'] }, null);
    expect(egress(all.c, 'pod:a:app=x', METADATA)).toEqual(['denied', 'denied', 'denied']);
    expect(egress(all.c, 'pod:b:app=x', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
  });

  test('several namespaces keep the expressions of the endpoint selector', () => {
    const { c } = block({
      namespaces: ['a', 'b'],
      endpointSelector: EndpointSelector.of({ labels: { tier: 'web' }, expressions: [LabelExpression.notIn('app', ['legacy'])] }),
    }, null);
    expect(egress(c, 'pod:a:tier=web,app=new', METADATA)).toEqual(['denied', 'denied', 'denied']);
    expect(egress(c, 'pod:a:tier=web,app=legacy', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
    expect(egress(c, 'pod:a:tier=db,app=new', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
    const only = block({ namespaces: ['a'], endpointSelector: EndpointSelector.of({ expressions: [LabelExpression.exists('web')] }) }, null);
    expect(egress(only.c, 'pod:a:web=1', METADATA)).toEqual(['denied', 'denied', 'denied']);
    expect(egress(only.c, 'pod:a:app=x', METADATA)).toEqual(['allowed', 'allowed', 'allowed']);
  });

  test('the addresses it denies, as a public constant (a copy)', () => {
    expect(MetadataEndpointBlock.METADATA_ENDPOINTS).toEqual(['169.254.169.254/32', 'fd00:ec2::254/128', 'fd20:ce::254/128']);
  });

  test('refusals: an empty namespaces list, namespace beside namespaces, a bad namespace name, no namespace at all', () => {
    expect(refusal(() => block({ namespaces: [] })).id).toBe('metadata-block-namespaces-empty');
    expect(refusal(() => block({ namespaces: [] }, null)).id).toBe('metadata-block-namespaces-empty');
    expect(refusal(() => block({ namespaces: ['a'], namespace: 'b' }, null)).id).toBe('metadata-block-namespace-ambiguous');
    expect(refusal(() => block({ namespaces: ['a', 'Bad'] }, null)).id).toBe('namespace-name-syntax');
    expect(refusal(() => block({}, null)).id).toBe('namespace-required');
  });

  test('extraCidrs given but empty ([]) is refused, naming the prop; left out, the metadata endpoints alone are denied and other addresses allowed', () => {
    const r = refusal(() => block({ extraCidrs: [] }));
    expect(r.id).toBe('metadata-block-extra-cidrs-empty');
    expect(r.message).toContain('MetadataEndpointBlock extraCidrs is an empty list ([]): it adds no address to deny');
    const { c } = block({});
    expect(egress(c, 'pod:shop:app=web', [...METADATA, 'cidr:100.100.100.200'])).toEqual(['denied', 'denied', 'denied', 'allowed']);
  });

  test('namespaces as a string (plain JavaScript) is refused: it was read as the namespaces s, h, o, p, and shop was not blocked', () => {
    const r = refusal(() => block({ namespaces: 'shop' as never }, null));
    expect(r.id).toBe('list-entry-invalid');
    expect(r.message).toMatch(/^\[test\/block\] MetadataEndpointBlock namespaces is a string \("shop"\), not a list[\s\S]*fix: pass a list: \["shop"\]/);
    expect(refusal(() => block({ extraCidrs: '100.100.100.200/32' as never })).id).toBe('list-entry-invalid');
    // The list form blocks shop.
    const { c } = block({ namespaces: ['shop'] }, null);
    expect(egress(c, 'pod:shop:app=x', METADATA)).toEqual(['denied', 'denied', 'denied']);
  });
});

describe('MonitoringScrape', () => {
  const prometheus = (): Peer => Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });
  const PROM = 'pod:monitoring:app=prometheus';

  /** A chart where shop's pods and the scraper are in default deny, with the scrape. */
  function scraped(props: Partial<MonitoringScrapeProps> = {}): Chart {
    const c = chart();
    new CiliumPolicy(c, 'shop-in', { namespace: 'shop' }).isolateIngress();
    new CiliumPolicy(c, 'blog-in', { namespace: 'blog' }).isolateIngress();
    new CiliumPolicy(c, 'prom-out', { namespace: 'monitoring', endpointSelector: EndpointSelector.labels({ app: 'prometheus' }) }).isolateEgress();
    new MonitoringScrape(c, 'scrape', { scraper: prometheus(), namespaces: ['shop'], ports: [Port.tcp(9090)], ...props });
    return c;
  }

  test('the scraper reaches the metrics port of every pod of the listed namespaces, both sides by the scrape\'s rules', () => {
    const c = scraped();
    expect(decidedBy(c, PROM, 'pod:shop:app=web', 9090, 'ingress')).toBe('allowed scrape specs[0].ingress[0]');
    expect(decidedBy(c, PROM, 'pod:shop:app=web', 9090, 'egress')).toBe('allowed scrape specs[1].egress[0]');
    // Each side on the metrics ports only: another port is left to the pods' own default deny, on both sides.
    expect(decidedBy(c, PROM, 'pod:shop:app=web', 9091, 'ingress')).toBe('default-deny');
    expect(decidedBy(c, PROM, 'pod:shop:app=web', 9091, 'egress')).toBe('default-deny');
    expect(verdictOf(c, PROM, 'pod:blog:app=web', 9090)).toBe('denied');
    expect(verdictOf(c, 'pod:monitoring:app=grafana', 'pod:shop:app=web', 9090)).toBe('denied');
    // Additive only: the pods of the namespaces and the scraper keep their other paths (none here, default deny stays theirs).
    expect(decidedBy(c, 'pod:blog:app=x', 'pod:prod:app=web', 9090, 'ingress')).toBe('no-policy-default-allow');
    expect(decidedBy(c, 'pod:prod:app=x', 'pod:shop:app=web', 9090, 'ingress')).toBe('default-deny');
  });

  test('adds no default deny: a scraped namespace without other policies stays open', () => {
    const c = chart();
    new MonitoringScrape(c, 'scrape', { scraper: prometheus(), namespaces: ['shop'], ports: [Port.tcp(9090)] });
    expect(verdictOf(c, 'pod:prod:app=x', 'pod:shop:app=web', 8080)).toBe('allowed');
    expect(verdictOf(c, PROM, 'cidr:192.0.2.1', 443)).toBe('allowed');
  });

  test('several namespaces; allowScraperEgress: false leaves the scraper\'s egress to its own policies', () => {
    const c = scraped({ namespaces: ['shop', 'blog'] });
    expect(verdictOf(c, PROM, 'pod:blog:app=web', 9090)).toBe('allowed');
    expect(verdictOf(c, PROM, 'pod:shop:app=web', 9090)).toBe('allowed');
    const noEgress = scraped({ allowScraperEgress: false });
    expect(decidedBy(noEgress, PROM, 'pod:shop:app=web', 9090, 'ingress')).toBe('allowed scrape spec.ingress[0]');
    expect(decidedBy(noEgress, PROM, 'pod:shop:app=web', 9090, 'egress')).toBe('default-deny');
  });

  test('refusals: a scraper that is no namespaced pod selector, no namespaces or no ports, a bad namespace', () => {
    const base = { scraper: prometheus(), namespaces: ['shop'], ports: [Port.tcp(9090)] };
    for (const scraper of [Peer.endpoints({ labels: { app: 'p' } }), Peer.cidr('10.0.0.0/8'), Peer.any()]) {
      expect(refusal(() => new MonitoringScrape(chart(), 's', { ...base, scraper })).id, String(scraper)).toBe('monitoring-scrape-scraper');
    }
    // Before (session 46): "MonitoringScrape needs namespaces and ports (got 1 namespaces, 0 ports)", naming no prop. After:
    // the prop, its value and the fix.
    const emptyPorts = refusal(() => new MonitoringScrape(chart(), 's', { ...base, ports: [] }));
    expect(emptyPorts.id).toBe('monitoring-scrape-empty');
    expect(emptyPorts.message).toBe('[test/s] MonitoringScrape ports is an empty list ([]): it needs the metrics ports the scraper may reach, at least one (monitoring-scrape-empty)\n'
      + '  fix: pass ports: [Port.tcp(9090)], the metrics ports the scraper may reach');
    const emptyNamespaces = refusal(() => new MonitoringScrape(chart(), 's', { ...base, namespaces: [] }));
    expect(emptyNamespaces.message).toMatch(/^\[test\/s\] MonitoringScrape namespaces is an empty list \(\[\]\): it needs the namespaces whose pods are scraped/);
    expect(emptyNamespaces.message).toContain("fix: pass namespaces: ['shop'], the namespaces whose pods are scraped");
    // Left out (plain JavaScript): refused the same, saying it is not given.
    const noNamespaces = refusal(() => new MonitoringScrape(chart(), 's', { ...base, namespaces: undefined as never }));
    expect([noNamespaces.id, noNamespaces.message.includes('MonitoringScrape namespaces is not given')]).toEqual(['monitoring-scrape-empty', true]);
    const noPorts = refusal(() => new MonitoringScrape(chart(), 's', { ...base, ports: undefined as never }));
    expect([noPorts.id, noPorts.message.includes('MonitoringScrape ports is not given')]).toEqual(['monitoring-scrape-empty', true]);
    expect(refusal(() => new MonitoringScrape(chart(), 's', { ...base, namespaces: ['Shop'] })).id).toBe('namespace-name-syntax');
    expect(() => new MonitoringScrape(chart(), 's', { ...base, scraper: Peer.namespace('monitoring') })).not.toThrow();
  });

  test('the scraper\'s namespace is fixed (by name, In, or namespace labels): pods of every namespace (but some) are refused', () => {
    const base = { namespaces: ['shop'], ports: [Port.tcp(9090)] };
    // Any tenant could label a pod app=prometheus and scrape: the namespace is named, but not fixed.
    for (const scraper of [
      Peer.endpoints({ allNamespaces: true, labels: { app: 'prometheus' } }),
      Peer.endpoints({ labels: { app: 'prometheus' }, expressions: [LabelExpression.notIn('io.kubernetes.pod.namespace', ['kube-system'])] }),
      Peer.endpoints({ labels: { app: 'prometheus' }, expressions: [LabelExpression.exists('io.cilium.k8s.namespace.labels.team')] }),
    ]) {
      const r = refusal(() => new MonitoringScrape(chart(), 's', { ...base, scraper }));
      expect(r.id, String(scraper)).toBe('monitoring-scrape-scraper');
      expect(r.message).toContain('must be pods in a fixed namespace (by name, or by namespace labels)');
    }
    // Fixed: In on the namespace key; only the scraper of that namespace reaches the port (shop in ingress default deny).
    const c = scraped({ scraper: Peer.endpoints({ labels: { app: 'prometheus' },
      expressions: [LabelExpression.in('k8s:io.kubernetes.pod.namespace', ['monitoring'])] }) });
    expect(verdictOf(c, PROM, 'pod:shop:app=web', 9090)).toBe('allowed');
    expect(verdictOf(c, 'pod:tenant:app=prometheus', 'pod:shop:app=web', 9090)).toBe('denied');
    expect(verdictOf(c, PROM, 'pod:shop:app=web', 8080)).toBe('denied');
    // Fixed by namespace labels: accepted.
    expect(() => new MonitoringScrape(chart(), 's', { ...base,
      scraper: Peer.endpoints({ namespaceLabels: { team: 'monitoring' }, labels: { app: 'prometheus' } }) })).not.toThrow();
  });

  test('the namespace keys read as Cilium reads them: any source or k8s: fixes it, another source is no namespace', () => {
    const base = { namespaces: ['shop'], ports: [Port.tcp(9090)] };
    // In on the namespace key without a source (any source): fixed, only the scraper of that namespace reaches the port.
    const c = scraped({ scraper: Peer.endpoints({ labels: { app: 'prometheus' },
      expressions: [LabelExpression.in('io.kubernetes.pod.namespace', ['monitoring'])] }) });
    expect(verdictOf(c, PROM, 'pod:shop:app=web', 9090)).toBe('allowed');
    expect(verdictOf(c, 'pod:tenant:app=prometheus', 'pod:shop:app=web', 9090)).toBe('denied');
    // In on a namespace-labels key: fixed by namespace labels, accepted.
    expect(() => new MonitoringScrape(chart(), 's', { ...base, scraper: Peer.endpoints({ labels: { app: 'prometheus' },
      expressions: [LabelExpression.in('k8s:io.cilium.k8s.namespace.labels.team', ['monitoring'])] }) })).not.toThrow();
    // The namespace key of another source (container:, unspec:) is no pod's namespace: every namespace, refused. Beside the
    // k8s:io.kubernetes.pod.namespace Exists of allNamespaces it is refused by the peer itself (session 45): an endpoint
    // keeps one label per key (pkg/labels Labels), so no pod carries both; without it, by the scrape.
    for (const key of ['container:io.kubernetes.pod.namespace', 'unspec:io.kubernetes.pod.namespace']) {
      expect(refusal(() => Peer.endpoints({ allNamespaces: true, labels: { app: 'prometheus', [key]: 'monitoring' } })).id, key)
        .toBe('selector-contradictory');
      const scraper = Peer.endpoints({ labels: { app: 'prometheus', [key]: 'monitoring' } });
      expect(refusal(() => new MonitoringScrape(chart(), 's', { ...base, scraper })).id, key).toBe('monitoring-scrape-scraper');
    }
  });
});
