import { describe, expect, test } from 'vitest';
import { CiliumVersion, EndpointSelector, FqdnEgress, Peer, PolicyModel, Port, Validator } from '../../src';
import { chart, refusal, synth, synthError } from '../support/synth';

describe('FqdnEgress', () => {
  test('writes toFQDNs and a DNS companion restricted to exactly the same names, in one policy', () => {
    const c = chart('payments');
    new FqdnEgress(c, 'pg-gateway', {
      endpointSelector: EndpointSelector.labels({ app: 'pg-gateway' }),
      fqdns: ['api.stripe.com', '*.tosspayments.com'],
    });
    const [cnp] = synth(c);
    expect(cnp.metadata).toEqual({ name: 'pg-gateway', namespace: 'payments', annotations: { 'cdk8s-cilium.io/cilium-version': '1.19' } });
    expect(cnp.spec.egress).toEqual([
      {
        toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.tosspayments.com' }],
        toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
      },
      {
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
        toPorts: [{
          ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }],
          rules: { dns: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.tosspayments.com' }] },
        }],
      },
    ]);
  });

  test('all lookups on request, and other ports', () => {
    const c = chart('ns');
    new FqdnEgress(c, 'x', { fqdns: ['example.com'], ports: [Port.tcp(80), Port.tcp(443)], allowAllDnsLookups: true });
    const [cnp] = synth(c);
    expect(cnp.spec.egress[0].toPorts[0].ports).toEqual([{ port: '80', protocol: 'TCP' }, { port: '443', protocol: 'TCP' }]);
    expect(cnp.spec.egress[1].toPorts[0].rules.dns).toEqual([{ matchPattern: '*' }]);
  });

  test('** patterns are accepted on Cilium 1.19', () => {
    const c = chart('ns', CiliumVersion.V1_19);
    new FqdnEgress(c, 'x', { fqdns: ['**.example.com'] });
    expect(synth(c)[0].spec.egress[0].toFQDNs).toEqual([{ matchPattern: '**.example.com' }]);
  });

  test('fails when a ** pattern targets Cilium 1.18', () => {
    const c = chart('ns', CiliumVersion.V1_18);
    new FqdnEgress(c, 'x', { fqdns: ['**.example.com'] });
    expect(synthError(c)).toMatch(/matchPattern "\*\*\.example\.com" needs Cilium 1\.19 or newer \(target is 1\.18\)/);
  });

  test('fails on a malformed name', () => {
    const c = chart('ns');
    expect(() => new FqdnEgress(c, 'x', { fqdns: ['api example.com'] })).toThrow(/^\[test\/x\] FqdnEgress fqdns\[0\] "api example\.com" is not a valid DNS name/);
  });

  test('fails without names', () => {
    expect(() => new FqdnEgress(chart('ns'), 'x', { fqdns: [] })).toThrow(/at least one name/);
  });
});

// Session 46: a URL or host:port given where a DNS name belongs failed with "use letters, digits, ... such as
// api.example.com", which does not say what to drop; the fix names the name alone and where the port goes.
const fixOf = (message: string): string => message.slice(message.indexOf('\n  fix: ') + '\n  fix: '.length);

describe('a URL or host:port as a name: the fix names the DNS name alone', () => {
  // Before (session 46's adoption): each bad name failed synthesis twice, at the output fields toFQDNs[0].matchName and
  // rules.dns[0].matchName (crd-fqdn-syntax). After: once, at the prop, every bad entry named, each with its fix.
  test('FqdnEgress fqdns: refused once, at the prop, naming the entry (fqdn-syntax)', () => {
    for (const [given, host] of [['https://api.stripe.com/v1', 'api.stripe.com'], ['api.stripe.com:443', 'api.stripe.com'],
      ['*.stripe.com:443', '*.stripe.com']]) {
      const r = refusal(() => new FqdnEgress(chart('payments'), 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg' }), fqdns: ['api.example.com', given] }));
      expect(r.id, given).toBe('fqdn-syntax');
      expect(r.message, given).toMatch(new RegExp(`^\\[test/pg\\] FqdnEgress fqdns\\[1\\] "${given.replace(/[.*/]/g, '\\$&')}" is not a valid DNS (name|pattern)`));
      expect(r.message.match(/fix: write the name alone/g), given).toHaveLength(1);
      expect(fixOf(r.message)).toMatch(new RegExp(`^write the name alone, ${host.replace(/[.*]/g, '\\$&')}: match(Name|Pattern) matches DNS names, `
        + 'without a scheme, port or path \\(the port goes in toPorts, a construct\'s ports\\)$'));
    }
    // A second bad entry is not hidden behind the first: both are named, each with its own fix.
    const two = refusal(() => new FqdnEgress(chart('payments'), 'pg', { fqdns: ['api.stripe.com:443', 'a b'] }));
    expect(two.message).toContain('FqdnEgress fqdns[0] "api.stripe.com:443" is not a valid DNS name; FqdnEgress fqdns[1] "a b" is not a valid DNS name');
    expect(fixOf(two.message)).toBe('fqdns[0]: write the name alone, api.stripe.com: matchName matches DNS names, without a scheme, port or path (the port goes '
      + 'in toPorts, a construct\'s ports); fqdns[1]: use letters, digits, "-", "_" and single dots, such as api.example.com');
    // A blank or non-string entry too, in the same one refusal (fixlp48: two passes named fqdns[0] of ['', 'http://x.com'] only).
    const mixed = refusal(() => new FqdnEgress(chart('payments'), 'pg', { fqdns: [' ', 'http://x.com', 5 as unknown as string, 'api.example.com'] }));
    expect(mixed.id).toBe('fqdn-syntax');
    expect(mixed.message).toContain('FqdnEgress fqdns[0] " " is blank, no DNS name; FqdnEgress fqdns[1] "http://x.com" is not a valid DNS name; '
      + 'FqdnEgress fqdns[2] is a number (5), not a string');
    expect(mixed.message).not.toContain('fqdns[3]');
    // Peer.fqdn and Peer.fqdnPattern at the call.
    expect(refusal(() => Peer.fqdn('https://api.stripe.com')).message).toMatch(/fqdn-egress\.test\.ts:\d+\] Peer\.fqdn "https:\/\/api\.stripe\.com" is not a valid DNS name/);
    expect(refusal(() => Peer.fqdnPattern('*.stripe.com/x')).id).toBe('fqdn-syntax');
    // What the CRD takes is still synthesized, and allows what it says.
    const c = chart('payments');
    new FqdnEgress(c, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg' }), fqdns: ['api_v1.stripe.com'] });
    expect(synth(c)[0].spec.egress[0].toFQDNs).toEqual([{ matchName: 'api_v1.stripe.com' }]);
  });

  test('validate, on YAML; a name that is no URL keeps the general fix', () => {
    const fixes = (name: string): string[] => {
      const [doc] = PolicyModel.fromYaml(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: x, namespace: shop }\n`
        + `spec: { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: "${name}" }] }] }\n`).documents;
      return Validator.validatePolicy(doc.model, { version: CiliumVersion.V1_19 }).filter((d) => d.id === 'crd-fqdn-syntax').map((d) => d.fix ?? '');
    };
    expect(fixes('http://api.example.com')).toEqual(['write the name alone, api.example.com: matchName matches DNS names, without a scheme, port or path '
      + '(the port goes in toPorts, a construct\'s ports)']);
    expect(fixes('api..example.com')).toEqual(['use letters, digits, "-", "_" and single dots, such as api.example.com']);
    expect(fixes('http://api..example.com')).toEqual(['use letters, digits, "-", "_" and single dots, such as api.example.com']);
  });

  // Session 46 review: the scheme was retried away, so the scheme became the "name" (following the fix gave matchName: https).
  test('a URL that is no scheme://host[:digits][path] never names its scheme; an address goes to toCIDR; whitespace is named', () => {
    const fixes = (name: string): string[] => {
      const [doc] = PolicyModel.fromYaml(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: x, namespace: shop }\n`
        + `spec: { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: ${JSON.stringify(name)} }] }] }\n`).documents;
      return Validator.validatePolicy(doc.model, { version: CiliumVersion.V1_19 }).filter((d) => d.id === 'crd-fqdn-syntax').map((d) => d.fix ?? '');
    };
    const general = ['use letters, digits, "-", "_" and single dots, such as api.example.com'];
    for (const given of ['https://admin:secret@api.example.com', 'https://api.example.com:https', 'https://api.example.com (prod)',
      'https://api.example.com:443 /v1', 'api.example.com:', 'http://a..b']) {
      expect(fixes(given), given).toEqual(general);
    }
    expect(fixes('https://api.example.com:8443/v1')[0]).toMatch(/^write the name alone, api\.example\.com: /);
    expect(fixes('10.0.0.1:443')).toEqual(['10.0.0.1 is an IP address, not a DNS name: allow it with toCIDR 10.0.0.1/32 '
      + '(Peer.cidr(\'10.0.0.1/32\') in a construct), the port in toPorts']);
    expect(fixes('http://[2001:db8::1]:80/')).toEqual(['2001:db8::1 is an IP address, not a DNS name: allow it with toCIDR 2001:db8::1/128 '
      + '(Peer.cidr(\'2001:db8::1/128\') in a construct), the port in toPorts']);
    expect(fixes(' api.example.com')).toEqual(['remove the whitespace around the name: write api.example.com']);
    // A host of wildcards alone matches every name: the fix never offers it (`https://*` would become `*`).
    const patternFixes = (pattern: string): string[] => {
      const [doc] = PolicyModel.fromYaml(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: x, namespace: shop }\n`
        + `spec: { endpointSelector: {}, egress: [{ toFQDNs: [{ matchPattern: ${JSON.stringify(pattern)} }] }] }\n`).documents;
      return Validator.validatePolicy(doc.model, { version: CiliumVersion.V1_19 }).filter((d) => d.id === 'crd-fqdn-syntax').map((d) => d.fix ?? '');
    };
    const generalPattern = ['use letters, digits, "-", "_", "*" and single dots, such as *.example.com'];
    for (const given of ['https://*', 'https://*.*', '*:443', 'http://**/x']) expect(patternFixes(given), given).toEqual(generalPattern);
    expect(patternFixes('https://*.example.com')[0]).toMatch(/^write the name alone, \*\.example\.com: /);
  });
});
