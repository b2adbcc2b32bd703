// Hostile input, DNS names past DNS's lengths (RFC 1035 2.3.4: 63 characters a label, 253 in all): no lookup asks or
// answers one, so a name of a `trace` endpoint, of `--dns` or of a capture is never judged as a looked-up name. One test
// of the lengths (`dnsLengthProblem`, `isLookupName`) for the endpoint check, `--dns`, replay, draft and the diff's classes.
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine/policy-set';
import { EndpointKind } from '../../src/engine/endpoint';
import { dnsLengthProblem, isLookupName } from '../../src/model/fqdn-pattern';
import { GUARD, draft, replay, report, scratchDir, trace, write } from './support';

const dir = scratchDir();
/** web may reach *.example.com on 443/TCP (and look names up); nothing else outside the cluster. */
const EGRESS = [
  'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: web, namespace: shop}', 'spec:',
  '  endpointSelector: {matchLabels: {app: web}}', '  egress:',
  '  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}]',
  '    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]',
  '  - toFQDNs: [{matchPattern: "*.example.com"}]', '    toPorts: [{ports: [{port: "443", protocol: TCP}]}]', '',
].join('\n');
const POLICIES = write(dir, 'egress.yaml', EGRESS);
const LABEL_63 = 'a'.repeat(63);
const EMPTY_LABEL = 'an empty label (a leading dot, or two dots in a row)';
const LABEL_64 = 'a'.repeat(64);
/** 253 characters: three labels of 63 and their dots (192), 49 b's, `.example.com` (12). */
const NAME_253 = `${LABEL_63}.${LABEL_63}.${LABEL_63}.${'b'.repeat(49)}.example.com`;
const NAME_254 = `${LABEL_63}.${LABEL_63}.${LABEL_63}.${'b'.repeat(50)}.example.com`;

describe('trace: an fqdn: endpoint past DNS lengths is refused, never judged', () => {
  const to = (name: string): string[] => ['--policies', POLICIES, '--from', 'pod:shop:app=web', '--to', `fqdn:${name}@203.0.113.9`, '--port', '443/TCP'];

  test.each([
    [`${LABEL_64}.example.com`, 'a label of 64 characters, more than 63'],
    [NAME_254, '254 characters, more than 253'],
  ])('%s: exit 2 naming the limit (it was ALLOWED by *.example.com)', GUARD, (name, problem) => {
    const r = trace(...to(name));
    expect([r.code, r.stdout]).toEqual([2, '']);
    // Session 53: one wording of the refusal (`dnsLengthRefusal`) for fqdn: endpoints, trace --dns and the engine's query check.
    expect(r.stderr).toContain(`is ${problem}: no query carries it (RFC 1035: 63 characters a label, 253 in all; the DNS proxy's server answers such a `
      + 'message FORMERR before any policy judges it) (engine-endpoint-syntax); fix: give the name the lookup asked, e.g. api.example.com');
  });

  test.each([`${LABEL_63}.example.com`, `${LABEL_63}.example.com.`])('%s (a label of 63): ALLOWED by *.example.com', GUARD, (name) => {
    const r = trace(...to(name));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ALLOWED /);
  });

  test.each([NAME_253, `${NAME_253}.`])('%s (253 characters): judged, DENIED (* is one label: *.example.com does not match it)', GUARD, (name) => {
    const r = trace(...to(name));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DENIED /);
  });

  test('other.org within the lengths: DENIED (the policy decides, the check lets it through)', GUARD, () => {
    expect(trace(...to('other.org')).code).toBe(1);
  });

  test('the library refuses the endpoint object too', () => {
    const set = PolicySet.fromYaml(EGRESS);
    const from = { kind: EndpointKind.POD, namespace: 'shop', labels: { app: 'web' } };
    expect(() => set.decide({ from, to: { kind: EndpointKind.FQDN, name: `${LABEL_64}.example.com`, ip: '203.0.113.9' }, protocol: 'TCP', port: 443 }))
      .toThrow(/a label of 64 characters, more than 63/);
    expect(set.decide({ from, to: { kind: EndpointKind.FQDN, name: `${LABEL_63}.example.com`, ip: '203.0.113.9' }, protocol: 'TCP', port: 443 }))
      .toBe('allowed');
  });
});

describe('trace --dns: a query name past DNS lengths is refused', () => {
  const dns = (name: string): string[] => ['--policies', POLICIES, '--from', 'pod:shop:app=web', '--to', 'pod:kube-system:k8s-app=kube-dns', '--dns', name];

  test('a label of 64 characters: exit 2 (it was ALLOWED by matchPattern "*")', GUARD, () => {
    const r = dns(`${LABEL_64}.example.com`);
    const out = trace(...r);
    expect([out.code, out.stdout]).toEqual([2, '']);
    // Session 53: in the engine's words (`dnsLengthRefusal`), naming the name; it had its own wording and fix.
    expect(out.stderr).toBe(`error: --dns: the DNS name "${LABEL_64}.example.com" is a label of 64 characters, more than 63: no query carries it (RFC 1035: `
      + '63 characters a label, 253 in all; the DNS proxy\'s server answers such a message FORMERR before any policy judges it) (cli-flag); '
      + 'fix: give the name the lookup asked, e.g. api.example.com\n');
  });

  test('254 characters: exit 2; 253 and 63 a label: ALLOWED', GUARD, () => {
    expect(trace(...dns(NAME_254)).stderr).toContain('is 254 characters, more than 253: no query carries it');
    expect(trace(...dns(NAME_253)).code).toBe(0);
    expect(trace(...dns(`${LABEL_63}.example.com`)).code).toBe(0);
  });

  // Session 54: an fqdn: endpoint of such a name was refused, a --dns query of it judged (DENIED under "*").
  test.each(['a..example.com', '.example.com', 'example.com..'])('%s (an empty label): exit 2, as the fqdn: endpoint', GUARD, (name) => {
    const out = trace(...dns(name));
    expect([out.code, out.stdout]).toEqual([2, '']);
    expect(out.stderr).toBe(`error: --dns: the DNS name "${name}" is written with ${EMPTY_LABEL}: no query carries it (RFC 1035: 1 to 63 characters `
      + "a label, the empty one is the root that ends the name; miekg/dns, which Cilium's DNS proxy reads queries with, packs no such name, "
      + 'so no policy judges a lookup of it) (cli-flag); fix: give the name the lookup asked, e.g. api.example.com\n');
  });

  // Review mend (session 54): checked as given, then trimmed by the matcher, ` .example.com` was judged as `.example.com`.
  test.each([' .example.com', '\t.example.com', 'api.example.com '])('%j (white space around it): exit 2, never trimmed and judged', GUARD, (name) => {
    const out = trace(...dns(name));
    expect([out.code, out.stdout]).toEqual([2, '']);
    expect(out.stderr).toContain(`error: --dns: the DNS name ${JSON.stringify(name)} is written with white space around it: no query carries it`);
  });

  test('the root (.) keeps the lengths: judged, ALLOWED by matchPattern "*"', GUARD, () => {
    expect(trace(...dns('.')).code).toBe(0);
  });
});

describe('a capture naming a destination past DNS lengths', () => {
  const WEB = { identity: 300, namespace: 'shop', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'] };
  const line = (name: string): string => JSON.stringify({ flow: {
    time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', Type: 'L3_L4', traffic_direction: 'EGRESS', is_reply: false,
    IP: { source: '10.0.1.10', destination: '203.0.113.9' }, l4: { TCP: { source_port: 40000, destination_port: 443, flags: { SYN: true } } },
    source: WEB, destination: { identity: 2, labels: ['reserved:world'] }, destination_names: [name],
  } });

  test('replay: the name is not tried, so the address alone is judged: would be dropped (it was ALLOWED by *.example.com)', GUARD, async () => {
    const flows = write(dir, 'long-label.jsonl', `${line(`${LABEL_64}.example.com`)}\n`);
    const r = await replay('--flows', flows, '--policies', POLICIES, '--output', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { connections: { predicted: { verdict: string; resolvedName?: string } }[] };
    expect(out.connections.map((c) => c.predicted.verdict)).toEqual(['denied']);
  });

  test('replay: a name of 63 a label is tried: ALLOWED by *.example.com', GUARD, async () => {
    const flows = write(dir, 'label-63.jsonl', `${line(`${LABEL_63}.example.com`)}\n`);
    const r = await replay('--flows', flows, '--policies', POLICIES, '--output', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { connections: { predicted: { verdict: string; resolvedName?: string } }[] };
    expect(out.connections.map((c) => [c.predicted.verdict, c.predicted.resolvedName])).toEqual([['allowed', `${LABEL_63}.example.com`]]);
  });

  test('draft: the destination is drafted by its address, not a toFQDNs name no lookup gives', GUARD, async () => {
    const long = write(dir, 'draft-long.jsonl', `${line(`${LABEL_64}.example.com`)}\n`);
    const r = await draft('--flows', long, '--namespace', 'shop', '--output', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(LABEL_64);
    expect(r.stdout).toContain('203.0.113.9/32');
    const ok = write(dir, 'draft-63.jsonl', `${line(`${LABEL_63}.example.com`)}\n`);
    expect((await draft('--flows', ok, '--namespace', 'shop', '--output', 'yaml')).stdout).toContain(`matchName: ${LABEL_63}.example.com`);
  });
});

// Review mends (session 54): the capture's readers stripped one trailing dot before the check (`capturedDnsName` now checks
// the name as given), so `api.example.com..` (an empty label) was judged, and drafted, as `api.example.com`.
describe('a capture naming a destination with an empty label at its end', () => {
  const WEB = { ID: 1, identity: 300, namespace: 'shop', pod_name: 'web-1', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'] };
  const DNS_POD = { ID: 3, identity: 3003, namespace: 'kube-system', pod_name: 'coredns-1',
    labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'] };
  const connect = (names?: string[]): string => JSON.stringify({ flow: {
    time: '2025-06-02T10:00:01Z', verdict: 'FORWARDED', Type: 'L3_L4', traffic_direction: 'EGRESS', is_reply: false,
    IP: { source: '10.0.1.10', destination: '203.0.113.9' }, l4: { TCP: { source_port: 40000, destination_port: 443, flags: { SYN: true } } },
    source: WEB, destination: { identity: 2, labels: ['reserved:world'] }, ...(names ? { destination_names: names } : {}),
  } });
  const lookup = (query: string, verdict = 'FORWARDED'): string => JSON.stringify({ flow: {
    time: '2025-06-02T10:00:00Z', verdict, Type: 'L7', event_type: { type: 129 }, traffic_direction: 'EGRESS', is_reply: false,
    IP: { source: '10.0.1.10', destination: '10.0.0.9' }, l4: { UDP: { source_port: 40000, destination_port: 53 } },
    source: WEB, destination: DNS_POD, l7: { type: 'REQUEST', dns: { query, qtypes: ['A'] } },
  } });
  const answer = (query: string): string => JSON.stringify({ flow: {
    time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', Type: 'L7', event_type: { type: 129 }, traffic_direction: 'EGRESS', is_reply: true,
    IP: { source: '10.0.0.9', destination: '10.0.1.10' }, l4: { UDP: { source_port: 53, destination_port: 40000 } },
    source: DNS_POD, destination: WEB, l7: { type: 'RESPONSE', dns: { query, ips: ['203.0.113.9'], rcode: 0 } },
  } });
  const verdicts = async (name: string, lines: string[]): Promise<string[]> => {
    const r = await replay('--flows', write(dir, name, `${lines.join('\n')}\n`), '--policies', POLICIES, '--output', 'json');
    return (JSON.parse(r.stdout) as { connections: { predicted: { verdict: string } }[] }).connections.map((c) => c.predicted.verdict);
  };

  test('replay: destination_names ["api.example.com.."] is not tried: would be dropped (it was ALLOWED by *.example.com)', GUARD, async () => {
    expect(await verdicts('dots-names.jsonl', [connect(['api.example.com..'])])).toEqual(['denied']);
    expect(await verdicts('dot-names.jsonl', [connect(['api.example.com.'])])).toEqual(['allowed']);
  });

  test('replay: a DNS answer for "api.example.com.." names no address: would be dropped (it was ALLOWED)', GUARD, async () => {
    expect(await verdicts('dots-answer.jsonl', [answer('api.example.com..'), connect()])).toEqual(['denied']);
    expect(await verdicts('dot-answer.jsonl', [answer('api.example.com.'), connect()])).toEqual(['allowed']);
  });

  test('draft: a lookup of "example.com.." seen passing is no name of the DNS companion (it drafted matchName: example.com.)', GUARD, async () => {
    const flows = write(dir, 'draft-dots.jsonl', [lookup('ok.example.'), lookup('evil.example.', 'DROPPED'), lookup('example.com..')].join('\n'));
    const r = await draft('--flows', flows, '--namespace', 'shop', '--output', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('matchName: ok.example');
    expect(r.stdout).not.toContain('example.com');
  });

  // Session 55 (mutants of capturedDnsName that kept the trailing dot): a destination named `api.example.com.` (one dot: the
  // root) is drafted by its name without the dot, not by its address.
  test('draft: destination_names ["api.example.com."] is drafted as toFQDNs matchName api.example.com', GUARD, async () => {
    const r = await draft('--flows', write(dir, 'draft-dot.jsonl', `${connect(['api.example.com.'])}\n`), '--namespace', 'shop', '--output', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/matchName: api\.example\.com\n/);
    expect(r.stdout).not.toContain('203.0.113.9');
  });
});

describe('report: a matchName past DNS lengths (the CRD takes it) is no class, never an error', () => {
  test('exit 0, and the name of 63 a label is a class', GUARD, async () => {
    const policy = (name: string): string => EGRESS.replace('matchPattern: "*.example.com"', `matchName: "${name}"`);
    const long = await report('--policies', write(dir, 'report-64.yaml', policy(`${LABEL_64}.example.com`)));
    expect([long.code, long.stderr]).toEqual([0, '']);
    expect(long.stdout).not.toContain(LABEL_64);
    const ok = await report('--policies', write(dir, 'report-63.yaml', policy(`${LABEL_63}.example.com`)));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${LABEL_63}.example.com`);
  });
});

describe('dnsLengthProblem / isLookupName', () => {
  test.each([
    ['api.example.com', undefined, true],
    [`${LABEL_63}.com`, undefined, true],
    [`${LABEL_63}.com.`, undefined, true],
    [`${LABEL_64}.com`, 'a label of 64 characters, more than 63', false],
    [`x.${LABEL_64}`, 'a label of 64 characters, more than 63', false],
    [`${LABEL_64}.`, 'a label of 64 characters, more than 63', false],
    [NAME_253, undefined, true],
    [`${NAME_253}.`, undefined, true],
    [NAME_254, '254 characters, more than 253', false],
    ['a b.com', undefined, false],
    // Session 54: an empty label (miekg/dns PackDomainName: leading dots, two dots back to back) is no name a query carries.
    ['.example.com', `written with ${EMPTY_LABEL}`, false],
    ['a..example.com', `written with ${EMPTY_LABEL}`, false],
    ['example.com..', `written with ${EMPTY_LABEL}`, false],
    ['..', `written with ${EMPTY_LABEL}`, false],
    ['.', undefined, false],
    // Review mend (session 54): white space around a name is refused: the matchers trim, Cilium does not.
    [' .example.', 'written with white space around it', false],
    ['example.com\n', 'written with white space around it', false],
    ['\u00a0example.com', 'written with white space around it', false],
  ])('%s', (name, problem, lookup) => {
    expect(dnsLengthProblem(name)).toBe(problem);
    expect(isLookupName(name)).toBe(lookup);
  });
});

// Review mends (session 52): the query's DNS name is checked by the engine's one query check, so `decide`/`verdict`, the
// matchers and replay refuse what `trace --dns` refuses (miekg/dns answers FORMERR before Cilium's proxy judges it).
describe('a DNS query name past DNS lengths: the engine judges no such lookup', () => {
  /** shop/a may look up *.example only. */
  const DNS_POLICY = [
    'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: a, namespace: shop}', 'spec:',
    '  endpointSelector: {matchLabels: {app: a}}', '  egress:',
    '  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}]',
    '    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*.example"}]}}]', '',
  ].join('\n');
  const from = { kind: EndpointKind.POD, namespace: 'shop', labels: { app: 'a' } };
  const to = { kind: EndpointKind.POD, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

  test.each([`${LABEL_64}.example.`, `${'b'.repeat(63)}.${'b'.repeat(63)}.${'b'.repeat(63)}.${'b'.repeat(54)}.example`])(
    'decide and verdict refuse %s (engine-query); 63 a label is judged: allowed, evil.test denied', (name) => {
      const set = PolicySet.fromYaml(DNS_POLICY);
      const ask = (dns: string): string => set.decide({ from, to, protocol: 'UDP', port: 53, dns });
      expect(() => ask(name)).toThrow(/PolicySet\.decide\(\): the DNS name .* is (a label of 64 characters, more than 63|254 characters, more than 253): no query carries it/);
      expect(() => set.verdict({ from, to, protocol: 'UDP', port: 53, dns: name })).toThrow(/PolicySet\.verdict\(\): the DNS name/);
      expect(ask(`${LABEL_63}.example.`)).toBe('allowed');
      expect(ask('evil.test.')).toBe('l7-denied');
    });

  // Session 54: `*` of `*.example` matched the empty label, so a lookup no message carries was allowed.
  test.each(['.example.', 'a..example.'])('decide refuses %s (an empty label; it was allowed by *.example)', (name) => {
    const set = PolicySet.fromYaml(DNS_POLICY);
    expect(() => set.decide({ from, to, protocol: 'UDP', port: 53, dns: name }))
      .toThrow(`PolicySet.decide(): the DNS name "${name}" is written with ${EMPTY_LABEL}: no query carries it`);
    expect(set.decide({ from, to, protocol: 'UDP', port: 53, dns: 'a.example.' })).toBe('allowed');
  });

  // Review mend (session 54): the check saw ` .example.`, the matcher the trimmed `.example.`: allowed by *.example.
  test.each([' .example.', '.example. '])('decide refuses %j (white space around it; it was allowed by *.example)', (name) => {
    const set = PolicySet.fromYaml(DNS_POLICY);
    expect(() => set.decide({ from, to, protocol: 'UDP', port: 53, dns: name }))
      .toThrow(`PolicySet.decide(): the DNS name ${JSON.stringify(name)} is written with white space around it: no query carries it`);
  });

  // Session 55 (mutants of dnsLengthRefusal): the refusal names the name as given up to 80 characters, a longer one by its
  // first 40 and last 20 around an ellipsis, and says why per problem: white space (Cilium matches the name untrimmed), an
  // empty label (miekg/dns packs none), the lengths (FORMERR before any policy).
  test('the refusal shows a name of 80 characters whole, a longer one cut, and gives the reason of its problem', () => {
    const set = PolicySet.fromYaml(DNS_POLICY);
    const refusal = (dns: string): string => {
      try {
        set.decide({ from, to, protocol: 'UDP', port: 53, dns });
      } catch (e) {
        return (e as Error).message;
      }
      return 'judged';
    };
    const eighty = `${'c'.repeat(71)}.example.`; // 80 characters, a label of 71
    expect(eighty.length).toBe(80);
    expect(refusal(eighty)).toContain(`the DNS name "${eighty}" is a label of 71 characters, more than 63: no query carries it (RFC 1035: 63 characters `
      + 'a label, 253 in all;');
    const eightyOne = `${'c'.repeat(72)}.example.`;
    expect(refusal(eightyOne)).toContain(`the DNS name "${'c'.repeat(40)}…${'c'.repeat(11)}.example." is a label of 72 characters`);
    const long = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(54)}.example`;
    expect(refusal(long)).toContain(`the DNS name "${'d'.repeat(40)}…${'g'.repeat(12)}.example" is 254 characters, more than 253: no query carries it (RFC 1035`);
    expect(refusal(' .example.')).toContain('is written with white space around it: no query carries it (a name as looked up has no space around it (Hubble and dig '
      + 'write a space in a label as \\032); Cilium matches the name as asked, untrimmed, and its patterns match no space)');
    expect(refusal('a..example.')).toContain(`is written with ${EMPTY_LABEL}: no query carries it (RFC 1035: 1 to 63 characters a label`);
    expect(refusal(`${LABEL_63}.example.`)).toBe('judged');
  });

  test('replay: a lookup record of a 64-character label is not judged (an error line), never ALLOWED', GUARD, async () => {
    const base = { IP: { source: '10.0.0.1', destination: '10.0.0.9' }, l4: { UDP: { source_port: 40000, destination_port: 53 } },
      source: { ID: 1, identity: 3001, namespace: 'shop', pod_name: 'a-1', labels: ['k8s:app=a', 'k8s:io.kubernetes.pod.namespace=shop'] },
      destination: { ID: 3, identity: 3003, namespace: 'kube-system', pod_name: 'coredns-1', labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'] },
      traffic_direction: 'EGRESS', is_reply: false, verdict: 'FORWARDED', Type: 'L7', event_type: { type: 129 } };
    const lookup = (query: string): string => JSON.stringify({ flow: { ...base, time: '2025-06-02T10:00:00Z', l7: { type: 'REQUEST', dns: { query, qtypes: ['A'] } } } });
    const policies = write(dir, 'dns-a.yaml', DNS_POLICY);
    const r = await replay('--flows', write(dir, 'dns-64.jsonl', `${lookup(`${LABEL_64}.example.`)}\n`), '--policies', policies, '--output', 'json');
    const out = JSON.parse(r.stdout) as { connections: unknown[]; errors: { message: string }[] };
    expect(out.connections).toEqual([]);
    expect(out.errors.map((e) => e.message)).toEqual([expect.stringContaining('is a label of 64 characters, more than 63: no query carries it')]);
    // Review mend (session 54): a query ` .example.` was ALLOWED by *.example.
    const spaced = await replay('--flows', write(dir, 'dns-space.jsonl', `${lookup(' .example.')}\n`), '--policies', policies, '--output', 'json');
    const spacedOut = JSON.parse(spaced.stdout) as { connections: unknown[]; errors: { message: string }[] };
    expect(spacedOut.connections).toEqual([]);
    expect(spacedOut.errors.map((e) => e.message)).toEqual([expect.stringContaining('" .example." is written with white space around it')]);
    const ok = await replay('--flows', write(dir, 'dns-63.jsonl', `${lookup(`${LABEL_63}.example.`)}\n`), '--policies', policies, '--output', 'json');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { connections: { predicted: { verdict: string } }[] }).connections.map((c) => c.predicted.verdict)).toEqual(['allowed']);
  });
});
