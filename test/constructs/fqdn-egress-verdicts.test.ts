// FqdnEgress through engine verdicts on what it synthesizes: the listed names and patterns on the given ports, the DNS
// lookups of exactly those names (or every name on request), nothing else; every refusal with its error id. In the
// mutation test set (vitest.mutation.config.mts): these tests kill the mutants of src/constructs/fqdn-egress.ts.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { EndpointSelector, FqdnEgress, FqdnEgressProps, Peer, Port } from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const PG = 'pod:payments:app=pg';
const KUBE_DNS = 'pod:kube-system:k8s-app=kube-dns';
const STRIPE = 'fqdn:api.stripe.com@198.51.100.7';

function fqdnEgress(props: Partial<FqdnEgressProps> = {}): ReturnType<typeof chart> {
  const c = chart('payments');
  new FqdnEgress(c, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg' }), fqdns: ['api.stripe.com', '*.toss.com'], ...props });
  return c;
}

describe('FqdnEgress: the names, on the ports, nothing else', () => {
  test('a listed name and a name matching a listed pattern, on 443/TCP by default', () => {
    const c = fqdnEgress();
    expect(decidedBy(c, PG, STRIPE, '443/TCP', 'egress')).toBe('allowed pg spec.egress[0]');
    expect(decidedBy(c, PG, 'fqdn:pay.toss.com@198.51.100.8', '443/TCP', 'egress')).toBe('allowed pg spec.egress[0]');
    expect(verdictOf(c, PG, 'fqdn:a.b.toss.com@198.51.100.9', '443/TCP')).toBe('denied');
    expect(verdictOf(c, PG, 'fqdn:toss.com@198.51.100.9', '443/TCP')).toBe('denied');
    expect(verdictOf(c, PG, 'fqdn:api.stripe.com.evil.io@198.51.100.9', '443/TCP')).toBe('denied');
    expect(verdictOf(c, PG, 'fqdn:xapi.stripe.com@198.51.100.9', '443/TCP')).toBe('denied');
    expect(verdictOf(c, PG, STRIPE, '80/TCP')).toBe('denied');
    expect(verdictOf(c, PG, STRIPE, '443/UDP')).toBe('denied');
    expect(verdictOf(c, PG, 'cidr:198.51.100.7', '443/TCP')).toBe('denied');
    expect(decidedBy(c, PG, 'pod:payments:app=db', '5432/TCP', 'egress')).toBe('default-deny');
  });

  test('ports: exactly those', () => {
    const c = fqdnEgress({ ports: [Port.tcp(80), Port.tcp(8443)] });
    expect(verdictOf(c, PG, STRIPE, '80/TCP')).toBe('allowed');
    expect(verdictOf(c, PG, STRIPE, '8443/TCP')).toBe('allowed');
    expect(verdictOf(c, PG, STRIPE, '443/TCP')).toBe('denied');
  });

  test('names are trimmed (a name twice, trimmed or not, is refused: test/constructs/list-duplicates.test.ts)', () => {
    const c = fqdnEgress({ fqdns: [' api.stripe.com ', '*.toss.com'] });
    expect(verdictOf(c, PG, STRIPE, '443/TCP')).toBe('allowed');
    expect(verdictOf(c, PG, KUBE_DNS, '53/UDP', { dns: 'api.stripe.com' })).toBe('allowed');
    expect(Testing.synth(c)[0].spec.description).toBe('egress to api.stripe.com, *.toss.com with the DNS lookups Cilium needs to learn their addresses');
  });

  test('only the selected pods; without a selector every pod of the namespace, never another namespace', () => {
    const c = fqdnEgress();
    expect(decidedBy(c, 'pod:payments:app=web', STRIPE, '443/TCP', 'egress')).toBe('no-policy-default-allow');
    const all = chart('payments');
    new FqdnEgress(all, 'pg', { fqdns: ['api.stripe.com'] });
    expect(decidedBy(all, 'pod:payments:app=web', STRIPE, '443/TCP', 'egress')).toBe('allowed pg spec.egress[0]');
    expect(decidedBy(all, 'pod:payments:app=web', 'cidr:203.0.113.1', '443/TCP', 'egress')).toBe('default-deny');
    expect(decidedBy(all, 'pod:shop:app=web', 'cidr:203.0.113.1', '443/TCP', 'egress')).toBe('no-policy-default-allow');
  });

  test('a name and namespace of its own', () => {
    const c = chart('payments');
    new FqdnEgress(c, 'pg', { fqdns: ['api.stripe.com'], name: 'stripe', namespace: 'billing' });
    expect(decidedBy(c, 'pod:billing:app=x', STRIPE, '443/TCP', 'egress')).toBe('allowed stripe spec.egress[0]');
    expect(decidedBy(c, 'pod:payments:app=x', STRIPE, '443/TCP', 'egress')).toBe('no-policy-default-allow');
  });
});

describe('FqdnEgress: the DNS companion', () => {
  test('lookups of exactly the listed names and patterns, at kube-dns, on 53/UDP and 53/TCP', () => {
    const c = fqdnEgress();
    expect(decidedBy(c, PG, KUBE_DNS, '53/UDP', 'egress', { dns: 'api.stripe.com' })).toBe('allowed pg spec.egress[1]');
    expect(verdictOf(c, PG, KUBE_DNS, '53/TCP', { dns: 'pay.toss.com' })).toBe('allowed');
    expect(verdictOf(c, PG, KUBE_DNS, '53/UDP', { dns: 'evil.example.com' })).toBe('l7-denied');
    expect(verdictOf(c, PG, KUBE_DNS, '53/UDP', { dns: 'a.b.toss.com' })).toBe('l7-denied');
    expect(verdictOf(c, PG, KUBE_DNS, '53/UDP', { dns: 'stripe.com' })).toBe('l7-denied');
    expect(verdictOf(c, PG, KUBE_DNS, '9153/TCP')).toBe('denied');
  });

  test('allowAllDnsLookups: every name may be looked up, the egress stays the listed names', () => {
    const c = fqdnEgress({ allowAllDnsLookups: true });
    expect(verdictOf(c, PG, KUBE_DNS, '53/UDP', { dns: 'db.payments.svc.cluster.local' })).toBe('allowed');
    expect(verdictOf(c, PG, 'fqdn:evil.example.com@203.0.113.9', '443/TCP')).toBe('denied');
    const off = fqdnEgress({ allowAllDnsLookups: false });
    expect(verdictOf(off, PG, KUBE_DNS, '53/UDP', { dns: 'db.payments.svc.cluster.local' })).toBe('l7-denied');
  });

  test('dnsServer: lookups go to that server only', () => {
    const c = fqdnEgress({ dnsServer: Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } }) });
    expect(verdictOf(c, PG, 'pod:kube-system:k8s-app=node-local-dns', '53/UDP', { dns: 'api.stripe.com' })).toBe('allowed');
    expect(verdictOf(c, PG, KUBE_DNS, '53/UDP', { dns: 'api.stripe.com' })).toBe('denied');
  });
});

describe('FqdnEgress refusals', () => {
  test('no names, a blank name, an empty port list, no namespace', () => {
    expect(refusal(() => fqdnEgress({ fqdns: [] })).id).toBe('fqdn-egress-empty');
    expect(refusal(() => fqdnEgress({ fqdns: undefined as unknown as string[] })).id).toBe('fqdn-egress-empty');
    for (const blank of ['', '  ', 7 as unknown as string]) {
      const r = refusal(() => fqdnEgress({ fqdns: ['api.stripe.com', blank] }));
      // A name that is no string or a blank one: the FQDN factories' one refusal (`fqdn-syntax`; a blank one was
      // `fqdn-egress-empty` here and `fqdn-syntax` in Peer.fqdn(''), session 48).
      expect(r.id, JSON.stringify(blank)).toBe('fqdn-syntax');
      expect(r.message, JSON.stringify(blank)).toContain(typeof blank === 'string' ? `fqdns[1] ${JSON.stringify(blank)} is blank, no DNS name` : 'fqdns[1] is a number (7), not a string');
    }
    // Refused by the construct itself, naming it and the default (the port list check of allowEgress would not).
    const noPorts = refusal(() => fqdnEgress({ ports: [] }));
    expect(noPorts.id).toBe('ports-empty');
    expect(noPorts.message).toMatch(/^\[test\/pg\] FqdnEgress ports is an empty list/);
    expect(noPorts.message).toContain('leave ports out for the default 443/TCP');
    expect(refusal(() => new FqdnEgress(chart(), 'pg', { fqdns: ['api.stripe.com'] })).id).toBe('namespace-required');
  });
});
