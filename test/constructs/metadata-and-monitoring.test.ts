import { describe, expect, test } from 'vitest';
import { CiliumVersion, EndpointSelector, MetadataEndpointBlock, MonitoringScrape, Peer, Port } from '../../src';
import { chart, synth, synthError } from '../support/synth';

describe('MetadataEndpointBlock', () => {
  test('denies the metadata endpoint without switching egress to default deny', () => {
    const c = chart('shop');
    new MetadataEndpointBlock(c, 'block');
    const [cnp] = synth(c);
    expect(cnp.metadata).toEqual({ name: 'block-metadata-endpoint', namespace: 'shop', annotations: { 'cdk8s-cilium.io/cilium-version': '1.19' } });
    expect(cnp.spec).toEqual({
      description: 'deny egress to the cloud metadata endpoint without switching egress to default deny',
      endpointSelector: {},
      egressDeny: [{ toCIDR: ['169.254.169.254/32', 'fd00:ec2::254/128', 'fd20:ce::254/128'] }],
      enableDefaultDeny: { egress: false },
    });
  });

  test('several namespaces make one clusterwide policy', () => {
    const c = chart();
    new MetadataEndpointBlock(c, 'block', { namespaces: ['b', 'a'], endpointSelector: EndpointSelector.labels({ tier: 'web' }) });
    const [ccnp] = synth(c);
    expect(ccnp.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(ccnp.spec.endpointSelector).toEqual({
      matchLabels: { tier: 'web' },
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['a', 'b'] }],
    });
  });

  test('fails on Cilium 1.15, where it would flip egress to default deny', () => {
    const c = chart('shop', CiliumVersion.V1_15);
    new MetadataEndpointBlock(c, 'block');
    expect(synthError(c)).toMatch(/enableDefaultDeny needs Cilium 1\.16/);
  });
});

describe('MonitoringScrape', () => {
  const prometheus = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });

  test('one CCNP: additive ingress on the scraped pods and the scraper egress', () => {
    const c = chart();
    new MonitoringScrape(c, 'scrape', { scraper: prometheus, namespaces: ['shop', 'webapp', 'blog'], ports: [Port.tcp(8080)] });
    const [ccnp] = synth(c);
    expect(ccnp.specs).toHaveLength(2);
    const inNamespaces = { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['blog', 'shop', 'webapp'] };
    expect(ccnp.specs[0].endpointSelector).toEqual({ matchExpressions: [inNamespaces] });
    expect(ccnp.specs[0].enableDefaultDeny).toEqual({ ingress: false });
    expect(ccnp.specs[0].ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    }]);
    expect(ccnp.specs[1].endpointSelector).toEqual({ matchLabels: { 'app': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } });
    expect(ccnp.specs[1].enableDefaultDeny).toEqual({ egress: false });
    expect(ccnp.specs[1].egress).toEqual([{ toEndpoints: [{ matchExpressions: [inNamespaces] }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
  });

  test('fails when the scraper has no namespace, or nothing is scraped', () => {
    expect(() => new MonitoringScrape(chart(), 's', { scraper: Peer.endpoints({ labels: { app: 'p' } }), namespaces: ['a'], ports: [Port.tcp(1)] }))
      .toThrow(/must be pods in a fixed namespace/);
    expect(() => new MonitoringScrape(chart(), 's', { scraper: prometheus, namespaces: [], ports: [Port.tcp(1)] })).toThrow(/MonitoringScrape namespaces is an empty list \(\[\]\): it needs the namespaces whose pods are scraped/);
  });
});
