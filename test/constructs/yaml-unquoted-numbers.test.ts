// Strings of a policy that cdk8s writes into YAML without quotes but that Go's YAML readers (kubectl, Helm, Argo CD,
// Flux) read as numbers (src/model/unquoted-numbers.ts): `0o17`, `0O17`, `0B1`, `0X1F`, `0_x1`, `1e1_0`. The API
// server would get a number where a string belongs (or another key): every policy refuses them at synthesis
// (yaml-unquoted-number), whatever field they reach (names, namespaces, label keys and values, FQDNs, L7 fields),
// while the strings the writer quotes (`8080`, `010`, `0x1F`, `0b1`, `1_000`) stay allowed and reach Go as strings.
import { Chart, Testing, Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, ClusterwidePolicy, DefaultDenyNamespace, EndpointSelector, FqdnEgress, HttpRule, L7, Peer, PolicyBase, Port } from '../../src';
import { unquotedNumber, yamlQuotingGoNumbers } from '../../src/model/unquoted-numbers';
import { readYamlStream } from '../../src/model/yaml-stream';
import { synthFailure } from '../support/synth';

const web = (): EndpointSelector => EndpointSelector.labels({ app: 'web' });
const client = (): Peer => Peer.endpoints({ labels: { app: 'client' } });

/** The manifests as kubectl gets them: cdk8s's YAML, read back as Go's YAML readers read it. */
function asGoReadsThem(c: Chart): unknown[] {
  const manifests = Testing.synth(c);
  return readYamlStream(Yaml.stringify(...manifests)).docs.map((d) => d.toJS());
}

/** `<id> <path>` of the yaml-unquoted-number findings of a policy. */
function unquoted(p: PolicyBase): string[] {
  return p.synthesizeModel().diagnostics.filter((d) => d.id === 'yaml-unquoted-number').map((d) => `${d.path}: ${d.message}`);
}

describe('unquotedNumber: exactly the strings cdk8s writes plain and Go reads as numbers', () => {
  test.each([['0o17', 15], ['0O17', 15], ['0B1', 1], ['0X1F', 31], ['0_x1', 1], ['1e1_0', 1e10], ['0e_0', 0], ['-0B1', -1], ['+0O7', 7]])(
    '%s is written plain and read as %d', (text, n) => {
      expect(unquotedNumber(text)).toBe(n);
      expect(unquotedNumber(text, true)).toBe(n);
      // The hazard itself: cdk8s's YAML of the string, read back as Go reads it, is a number.
      expect(readYamlStream(Yaml.stringify({ v: text })).docs[0].toJS()).toStrictEqual({ v: n });
    });

  test.each(['8080', '010', '08', '0x1F', '0b1', '1_000', '1e3', '1.5', 'v0o17', '0o8', 'web', 'yes', '0X1FFFFFFFFFFFFFFFF'])('%s reaches Go as a string', (text) => {
    expect(unquotedNumber(text)).toBeUndefined();
    expect(readYamlStream(Yaml.stringify({ v: text })).docs[0].toJS()).toStrictEqual({ v: text });
  });
});

describe('decimal digits (every port) are never asked of the writer: it always quotes them', () => {
  test.each(['0', '00', '08', '010', '0777', '1', '443', '65535', '99999999999999999999', '0000000000000000000000009'])('%s', (text) => {
    expect(Yaml.stringify({ v: text })).toBe(`v: "${text}"\n`);
    expect(Yaml.stringify({ [text]: 0 })).toBe(`"${text}": 0\n`);
    expect(unquotedNumber(text)).toBeUndefined();
  });
});

describe('the policies refuse such strings wherever they reach the YAML', () => {
  test('a selector label value, a label key, a peer namespace, an FQDN, an HTTP header value, a generic L7 key', () => {
    const c = new Chart(Testing.app(), 't', { namespace: 'shop' });
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ version: '0o17', '0X1F': 'a' }) });
    p.allowIngress(Peer.namespace('0o17'));
    p.allowEgress(Peer.fqdn('0_x1.example.com'), { ports: [Port.tcp(443)] });
    p.allowEgress(Peer.fqdn('0B1'), { ports: [Port.tcp(443)] });
    p.allowIngress(client(), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.of({ headerMatches: [{ name: 'X-V', value: '1e1_0' }] })) });
    p.allowIngress(client(), { ports: [Port.tcp(81)], l7: L7.generic('envoy.x', [{ '0o7': 'a' }]) });
    expect(unquoted(p)).toEqual([
      'spec.endpointSelector.matchLabels.version: "0o17" would be written into the YAML without quotes, and kubectl, Helm, Argo CD and Flux'
      + ' (Go\'s YAML readers) read it as the number 15: the API server would get a number where a string belongs and refuse the policy',
      'spec.endpointSelector.matchLabels.0X1F: the key "0X1F" would be written into the YAML without quotes, and kubectl, Helm, Argo CD and Flux'
      + ' (Go\'s YAML readers) read it as the number 31: the API server would get the key "31" instead',
      expect.stringMatching(/^spec\.ingress\[0\]\.fromEndpoints\[0\]\.matchLabels\["k8s:io\.kubernetes\.pod\.namespace"\]: "0o17" .* number 15:/),
      expect.stringMatching(/^spec\.ingress\[1\]\.toPorts\[0\]\.rules\.http\[0\]\.headerMatches\[0\]\.value: "1e1_0" .* number 10000000000:/),
      expect.stringMatching(/^spec\.ingress\[2\]\.toPorts\[0\]\.rules\.l7\[0\]\.0o7: the key "0o7" .* number 7: .* the key "7" instead$/),
      expect.stringMatching(/^spec\.egress\[0\]\.toFQDNs\[1\]\.matchName: "0B1" .* number 1:/),
    ]);
    // A name with a dot is no number: left alone.
    expect(unquoted(p).some((f) => f.includes('0_x1.example.com'))).toBe(false);
    const failure = synthFailure(c);
    expect(failure).toMatch(/\[t\/p\] spec\.endpointSelector\.matchLabels\.version: "0o17" would be written .*\(yaml-unquoted-number\)\n\s+fix: cdk8s cannot write "0o17" safely/);
  });

  test('a policy name and a namespace (the chart\'s, a prop\'s) are refused too; a CCNP writes no namespace', () => {
    const c = new Chart(Testing.app(), 't', { namespace: '0o17' });
    const p = new CiliumPolicy(c, 'p', { endpointSelector: web(), name: '0o1' });
    p.allowIngress(client());
    expect(unquoted(p).map((f) => f.split(':')[0])).toEqual(['metadata.name', 'metadata.namespace', 'spec.ingress[0].fromEndpoints[0].matchLabels["k8s']);
    const ccnp = new ClusterwidePolicy(c, 'cw', { endpointSelector: web() });
    ccnp.allowIngress(Peer.namespace('shop'));
    expect(unquoted(ccnp)).toEqual([]);
    const d = new DefaultDenyNamespace(new Chart(Testing.app(), 'd'), 'deny', { namespace: '0b1', stagedRollout: false });
    expect(d.node.findAll().filter(PolicyBase.isPolicy).flatMap(unquoted)).toEqual([]);
    const e = new Chart(Testing.app(), 'e');
    new DefaultDenyNamespace(e, 'deny', { namespace: '0o7' });
    expect(synthFailure(e)).toMatch(/metadata\.namespace: "0o7" would be written .*\(yaml-unquoted-number\)/);
  });

  test('the policy\'s own labels and annotations (the chart\'s labels, addLabel, addAnnotation) are refused too', () => {
    const c = new Chart(Testing.app(), 't', { namespace: 'shop', labels: { release: '0o17', team: 'pay' } });
    const p = new CiliumPolicy(c, 'p', { endpointSelector: web() });
    p.allowIngress(client());
    p.apiObject.metadata.addLabel('0B1', 'key');
    p.apiObject.metadata.addAnnotation('note', '1e1_0');
    p.apiObject.metadata.addAnnotation('build', '0x1F');
    expect(unquoted(p).map((f) => f.split(':')[0])).toEqual(['metadata.labels.0B1', 'metadata.labels.release', 'metadata.annotations.note']);
    expect(synthFailure(c)).toMatch(/metadata\.labels\.release: "0o17" would be written .*\(yaml-unquoted-number\)/);
    const ok = new Chart(Testing.app(), 'ok', { namespace: 'shop', labels: { release: '0x1F', version: '1.19' } });
    new CiliumPolicy(ok, 'p', { endpointSelector: web() }).allowIngress(client());
    expect(asGoReadsThem(ok)).toStrictEqual(JSON.parse(JSON.stringify(Testing.synth(ok))));
  });

  test('FqdnEgress: an FQDN that reads as a number is refused, one the writer quotes is allowed and reaches Go as written', () => {
    const bad = new Chart(Testing.app(), 'b', { namespace: 'shop' });
    new FqdnEgress(bad, 'out', { endpointSelector: web(), fqdns: ['0o17'] });
    expect(synthFailure(bad)).toMatch(/toFQDNs\[0\]\.matchName: "0o17" would be written .*\(yaml-unquoted-number\)/);
    const good = new Chart(Testing.app(), 'g', { namespace: 'shop' });
    // ('8080', all digits, is refused before: fqdn-ip-address.)
    new FqdnEgress(good, 'out', { endpointSelector: web(), fqdns: ['0x1f', '1e3'] });
    const docs = asGoReadsThem(good) as { spec?: { egress?: { toFQDNs?: { matchName: string }[] }[] } }[];
    const names = docs.flatMap((d) => d.spec?.egress ?? []).flatMap((e) => e.toFQDNs ?? []).map((f) => f.matchName);
    expect(names).toEqual(['0x1f', '1e3']);
  });

  test('values the writer quotes stay allowed, and every manifest reaches Go as written (no number where a string was)', () => {
    const c = new Chart(Testing.app(), 't', { namespace: '010' });
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ version: '0b1', '1_000': '0x1F' }) });
    p.allowIngress(Peer.namespace('8080'), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.of({ headerMatches: [{ name: 'X-V', value: '1e3' }] })) });
    expect(unquoted(p)).toEqual([]);
    const manifests = Testing.synth(c);
    expect(asGoReadsThem(c)).toStrictEqual(JSON.parse(JSON.stringify(manifests)));
  });
});

describe('yamlQuotingGoNumbers (the draft\'s writer): cdk8s\'s YAML, with exactly those strings quoted', () => {
  test('the same text as cdk8s writes when no string reads as a number', () => {
    const c = new Chart(Testing.app(), 't', { namespace: '010' });
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ version: '0b1', '1_000': '0x1F' }) })
      .allowIngress(Peer.namespace('8080'), { ports: [Port.tcp(80), Port.udpRange(1000, 2000)] });
    for (const m of Testing.synth(c)) expect(yamlQuotingGoNumbers(m)).toBe(Yaml.stringify(m));
  });

  test('keys and values Go reads as numbers are double-quoted, and read back as the strings written', () => {
    const value = { metadata: { name: '0o17', labels: { '0X1F': 'a', b: '1e1_0', c: 'web' } }, list: ['0B1', 'x', 443] };
    const text = yamlQuotingGoNumbers(value);
    expect(text).toBe('metadata:\n  name: "0o17"\n  labels:\n    "0X1F": a\n    b: "1e1_0"\n    c: web\nlist:\n  - "0B1"\n  - x\n  - 443\n');
    expect(readYamlStream(text).docs[0].toJS()).toStrictEqual(value);
  });
});
