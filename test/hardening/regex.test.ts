// Hostile input, regexes: ReDoS in HTTP rules and FQDN patterns, regexes Cilium rejects (the policy is skipped whole),
// valid RE2 that a JavaScript translation would break. Each input would hang or give a wrong verdict if the bug came back.
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { FqdnEgress, PolicySet, Synth } from '../../src';
import { MAX_COMPILED_PROGRAM, compileRe2, goProgramSizeEstimate, re2AngleNamedGroups, re2Error, re2FullMatch } from '../../src/model/re2';
import { GUARD, OTHER_POLICY, flowLine, httpPolicy, replay, scratchDir, trace, validate, webToApi, write } from './support';

const dir = scratchDir();
const OTHER = write(dir, 'other.yaml', OTHER_POLICY);
const EVIL_FQDN = `${'*a'.repeat(20)}.example.com`;
const EVIL_NAME = `${'a'.repeat(40)}b.example.com`;

describe('ReDoS: HTTP regexes run in linear time (RE2)', () => {
  test('trace: (a+)+$ against a 40-character path is decided at once', GUARD, () => {
    const policies = write(dir, 'redos.yaml', httpPolicy([{ method: 'GET', path: '/(a+)+$' }]));
    const r = trace(...webToApi(policies, `GET /${'a'.repeat(40)}!`));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DENIED \(L7: HTTP 403\) pod:shop:app=web → pod:shop:app=api 80\/TCP GET \/a+!/);
    expect(trace(...webToApi(policies, `GET /${'a'.repeat(40)}`)).code).toBe(0);
  });

  test('replay: the same rule against a flow of the request', GUARD, async () => {
    const policies = write(dir, 'redos-replay.yaml', httpPolicy([{ method: 'GET', path: '/(a+)+$' }]));
    const flows = write(dir, 'redos.jsonl', `${flowLine({ l7: { type: 'REQUEST', http: { method: 'GET', url: `http://api/${'a'.repeat(5000)}!` } } })}\n`);
    const r = await replay('--flows', flows, '--policies', policies, '--output', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary.newlyDropped).toBe(1);
  });

  test('the RE2 matcher is linear on a long input', GUARD, () => {
    expect(re2FullMatch('(a+)+$', `${'a'.repeat(100_000)}!`)).toBe(false);
    expect(re2FullMatch('(x+x+)+y', 'x'.repeat(100_000))).toBe(false);
  });
});

describe('ReDoS: FQDN patterns are matched by the linear glob matcher', () => {
  const fqdnPolicy = (pattern: string): string => [
    'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: dns, namespace: shop}', 'spec:',
    '  endpointSelector: {matchLabels: {app: web}}', '  egress:',
    '  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, k8s-app: kube-dns}}]',
    '    toPorts:', '    - ports: [{port: "53", protocol: ANY}]', `      rules: {dns: [{matchPattern: "${pattern}"}]}`,
    `  - toFQDNs: [{matchPattern: "${pattern}"}]`, '',
  ].join('\n');

  test('validate (pitfall checks) on *a*a… (20×).example.com', GUARD, async () => {
    const file = write(dir, 'fqdn.yaml', fqdnPolicy(EVIL_FQDN));
    const r = await validate([file, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).summary.policies).toBe(1);
  });

  test('trace --dns against the pattern', GUARD, () => {
    const file = write(dir, 'fqdn-trace.yaml', fqdnPolicy(EVIL_FQDN));
    const args = ['--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:kube-system:k8s-app=kube-dns'];
    const r = trace(...args, '--dns', EVIL_NAME);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/DNS REFUSED/);
    expect(trace(...args, '--dns', `${'a'.repeat(40)}.example.com`).code).toBe(0);
  });

  test('Synth.run (its app-wide checks) with a construct using the pattern', GUARD, () => {
    const app = Synth.run({ addCharts: (a) => {
      new FqdnEgress(new Chart(a, 'fqdn', { namespace: 'shop' }), 'egress', { fqdns: [EVIL_FQDN] });
    } }, { outdir: `${dir}/synth-dist` });
    expect(app).toBeDefined();
    expect(Testing.synth(new Chart(Testing.app(), 'empty'))).toEqual([]);
  });

  test('a name longer than a DNS name is refused by trace --dns', () => {
    const file = write(dir, 'fqdn-long.yaml', fqdnPolicy('*.example.com'));
    const r = trace('--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:kube-system:k8s-app=kube-dns', '--dns', `${'a.'.repeat(200)}com`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --dns: the DNS name "a\.a\..*" is 403 characters, more than 253: no query carries it/);
  });

  test('a DNS name is checked in linear time: trace fqdn:<name>@<ip> and replay destination_names (aaaa…a!)', GUARD, async () => {
    const bad = `${'a'.repeat(40)}!`;
    const t = trace('--policies', write(dir, 'fqdn-endpoint.yaml', fqdnPolicy('*.example.com')), '--from', 'pod:shop:app=web', '--to', `fqdn:${bad}@192.0.2.10`, '--port', '443');
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^error: bad endpoint "fqdn:a+!@192\.0\.2\.10": "a+!" is not a DNS name/);
    const policies = write(dir, 'fqdn-names.yaml', fqdnPolicy('*.example.com'));
    const flow = JSON.parse(flowLine()) as { flow: Record<string, unknown> };
    Object.assign(flow.flow, {
      IP: { source: '10.0.1.10', destination: '192.0.2.10' }, l4: { TCP: { source_port: 40000, destination_port: 443 } },
      destination: { identity: 2, labels: ['reserved:world'] }, destination_names: [bad, 'api.example.com'],
    });
    const r = await replay('--flows', write(dir, 'fqdn-names.jsonl', `${JSON.stringify(flow)}\n`), '--policies', policies, '--output', 'json');
    // The invalid name is passed over; the valid one decides.
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).connections.map((c: any) => [c.change, c.predicted.resolvedName])).toEqual([['unchanged', 'api.example.com']]);
  });

  test('an empty or blank --dns (an unset shell variable) is refused, not judged against the DNS rules', () => {
    const file = write(dir, 'fqdn-empty.yaml', fqdnPolicy('*.example.com'));
    for (const name of ['', '  ']) {
      const r = trace('--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:kube-system:k8s-app=kube-dns', '--dns', name);
      expect(r.code, JSON.stringify(name)).toBe(2);
      expect(r.stderr).toMatch(/^error: --dns is empty: no name to look up/);
    }
  });
});

describe('regexes Cilium rejects: the whole policy is skipped, with a warning naming it', () => {
  test('a look-ahead path: the policy is not imported, so it neither allows nor isolates', () => {
    const policies = write(dir, 'lookahead.yaml', httpPolicy([{ method: 'GET', path: '/(?!secret).*' }]));
    const r = trace(...webToApi(policies, 'GET /public'), '--policies', OTHER);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/CiliumNetworkPolicy shop\/api is skipped \(the cluster enforces none of it\): the API server or the agent rejects it: http path "\/\(\?!secret\)\.\*" is not a valid RE2 regular expression: invalid or unsupported Perl syntax: \(\?! at spec\.ingress\[0\]\.toPorts\[0\]\.rules\.http\[0\]\.path \[sanitize-http-regex\] \(engine-policy-skipped\)/);
    expect(r.stdout).toMatch(/ingress at pod:shop:app=api: allowed: no policy selects pod:shop:app=api/);
  });

  test('every spec of the object is skipped, also the valid ones', () => {
    const text = [
      'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: two, namespace: shop}', 'specs:',
      '- endpointSelector: {matchLabels: {app: api}}', '  ingress: [{fromEndpoints: [{matchLabels: {app: other}}]}]',
      '- endpointSelector: {matchLabels: {app: db}}', '  ingress:', '  - toPorts:', '    - ports: [{port: "80", protocol: TCP}]',
      '      rules: {http: [{path: "(a)\\\\1"}]}', '',
    ].join('\n');
    const set = PolicySet.fromYaml(text, { file: 'two.yaml' });
    expect(set.diagnostics.map((d) => [d.id, d.severity])).toEqual([['engine-policy-skipped', 'warning']]);
    expect(set.diagnostics[0].message).toMatch(/^CiliumNetworkPolicy shop\/two is skipped .*"\(a\)\\\\1" is not a valid RE2 regular expression.* at specs\[1\]\.ingress\[0\]\.toPorts\[0\]\.rules\.http\[0\]\.path/);
    expect(set.skippedRules.map((r) => r.rule)).toEqual(['specs[0]', 'specs[1]']);
    expect(set.verdict({ from: set.endpoint('pod:shop:app=web'), to: set.endpoint('pod:shop:app=api'), protocol: 'TCP', port: 80 }).allowed).toBe(true);
  });

  test('replay warns about the skipped policy', async () => {
    const policies = write(dir, 'backref.yaml', httpPolicy([{ path: '(a)\\1' }]));
    const flows = write(dir, 'one.jsonl', `${flowLine()}\n`);
    const r = await replay('--flows', flows, '--policies', policies, OTHER, '--output', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings[0]).toMatch(/backref\.yaml: CiliumNetworkPolicy shop\/api is skipped \(the cluster enforces none of it\): .*"\(a\)\\\\1" is not a valid RE2 regular expression: invalid escape sequence: \\1 .*\(engine-policy-skipped\)$/);
  });

  test('validate and the engine agree on what compiles', () => {
    for (const bad of ['/(?!x)', '(a)\\1', '(?<=a)b', '(?>a)', 'a{1001}', 'a**', '\\C']) expect(re2Error(bad), bad).toBeDefined();
  });
});

describe('valid RE2 is matched as RE2 (no hand translation)', () => {
  test.each([
    ['/[[:digit:]]+', '/', 'GET /123'],
    ['/\\Qa.b\\E', '/', 'GET /a.b'],
    ['/\\pL+', '/', 'GET /héllo'],
    ['/ab(?i)cd', '/', 'GET /abCD'],
    ['/\\x{41}', '/', 'GET /A'],
  ])('path %s allows "%s"', (path, _unused, request) => {
    const policies = write(dir, `re2-${encodeURIComponent(path)}.yaml`, httpPolicy([{ method: 'GET', path }]));
    const r = trace(...webToApi(policies, request));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('mid-pattern (?i) applies only after it', () => {
    expect(re2FullMatch('/ab(?i)cd', '/ABcd')).toBe(false);
    expect(re2FullMatch('/ab(?i)cd', '/abCd')).toBe(true);
  });

  test('a value asked again gets the same answer, past the bound of the kept answers and for long values', () => {
    // Full matches are kept per pattern and value: every answer, first or kept, is the match itself.
    const pattern = '/api/v[12]/.*';
    const values = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? `/api/v${(i % 4) + 1}/items/${i}` : `/other/${i}`));
    values.push(`/api/v1/${'x'.repeat(600)}`, `/api/v3/${'x'.repeat(600)}`);
    const expected = values.map((v) => /^\/api\/v[12]\/.*$/s.test(v));
    for (let round = 0; round < 3; round++) {
      expect(values.map((v) => re2FullMatch(pattern, v))).toEqual(expected);
    }
    expect(expected.filter(Boolean).length).toBeGreaterThan(50);
    expect(expected.filter((e) => !e).length).toBeGreaterThan(50);
  });
});

describe('named groups: (?<name>…) is Go 1.22 syntax, (?P<name>…) always', () => {
  test.each<[string, string[]]>([
    ['/users/(?<id>[0-9]+)', ['id']],
    ['/users/(?P<id>[0-9]+)', []],
    ['(?P<a>x)(?<b>y)', ['b']],
    ['\\(\\?<x>', []],
    ['[(?<x>]', []],
    ['(x)', []],
    ['(?<=x)y', []], // look-behind: RE2 refuses it, so no groups at all
  ])('%s', (pattern, names) => {
    expect(re2AngleNamedGroups(pattern)).toEqual(names);
  });
});

describe('a regex whose program a repeat multiplies past what the engine compiles (session 44)', () => {
  // `(?:a…a){1000}`: a body of 1,000 runes repeated 1,000 times, a program of a million instructions in 1 KB of text.
  const huge = (letter: string): string => `/(?:${letter.repeat(1000)}){1000}`;
  const over = `/(?:${'a'.repeat(20)}){1000}`;

  test('is not compiled: known from its text (before: compiled, 4 s and 120 MB each, then sized, 22 s)', () => {
    expect(compileRe2(over)).toEqual({ ok: false, tooLarge: 20_001, error: expect.stringContaining('more than the 10,000 this tool compiles') });
    expect(MAX_COMPILED_PROGRAM).toBe(10_000);
    // Not a refusal of Go's: the agent's Sanitize compiles it.
    expect(re2Error(over)).toBeUndefined();
    expect(re2FullMatch(over, `/${'a'.repeat(20_000)}`)).toBe(false);
  });

  test('the estimate is Go\'s calcSize on the text; nested repeat counts over 1,000 are left to Go\'s own refusal', () => {
    expect([
      '/api/v1/.*', 'a{1000}', '(?:ab|cd)*', '(?P<x>a){5}b|c', '[]a]{4,9}', '\\Qa.b\\E{3}', '\\pL{10}', '\\x{41}{7}', 'a{,5}', '(?i)GET',
    ].map(goProgramSizeEstimate)).toEqual([11, 1000, 7, 18, 14, 5, 10, 7, 5, 3]);
    expect(goProgramSizeEstimate(huge('a'))).toBe(1_000_001);
    expect(goProgramSizeEstimate('[[:digit:][:alpha:]]{3}x')).toBe(4);
    // Session 46 (re2.ts `skipClass`, the range `lo-hi` not read as one element): in `[!-[:alpha:]x]` Go's parseClass takes
    // `[` as the upper end of `!-[`, so `]` after `:alpha:` closes the class and `x]` are literals (not a POSIX class and `x`).
    expect(goProgramSizeEstimate('[!-[:alpha:]x]{3}')).toBe(5);
    const ranged = `(?:[!-[:alpha:]${'x'.repeat(10)}]){1000}`;
    expect(compileRe2(ranged)).toEqual({ ok: false, tooLarge: 12_000, error: expect.stringContaining('more than the 10,000 this tool compiles') });
    // Read in one pass: a class of 100,000 unclosed `[:` is not searched to its end at each (before this test: 85 s).
    expect(goProgramSizeEstimate(`[${'[:'.repeat(100_000)}`)).toBe(1);
    // Go refuses nested counts over 1,000 (`invalid repeat count`): counted all the same, and reported as Go's refusal.
    expect(goProgramSizeEstimate('((a{100}){100}){100}')).toBeGreaterThan(1_000_000);
    expect(re2Error('((a{100}){100}){100}')).toMatch(/invalid repeat count/);
    expect(compileRe2('((a{100}){100}){100}')).toEqual({ ok: false, error: 'invalid repeat count: {100}' });
    expect(re2Error('(?:a{1000}){0}')).toBeUndefined();
  });

  test('a class of many [: with no :] after them is refused before re2js searches the rest of the pattern at each', () => {
    // 20,000 (40 KB): re2js compiled it in 2.4 s before, 100,000 in 49.5 s (quadratic); Go reads each as a literal [.
    const r = compileRe2(`/[${'[:'.repeat(20_000)}x]`);
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^it has 20,000 `\[:` that no `:\]` follows .* write them `\\\[:`$/) });
    expect(re2Error(`/[${'[:'.repeat(100)}x]`)).toBeUndefined();
    // With a :] after them the first is read as a class name, which Go refuses at once.
    expect(re2Error(`/[${'[:'.repeat(20_000)}[:alpha:]]`)).toMatch(/^invalid character class range/);
  });

  // Go's sizes measured with re2js's own Parser.calcSize (the review of session 44); each estimated at 1 or ~1,000 before.
  const body = (k: number): string => 'a'.repeat(k);
  test.each<[string, string, number]>([
    ['a count with a leading zero is literal text to Go, not a count over 1,000', `/x{01001}/(?:${body(1000)}){1000}`, 1_000_010],
    ['the same as the upper count', `/x{1,01001}/(?:${body(1000)}){1000}`, 1_000_012],
    ['counts under {0} do not multiply those outside it', `(?:(?:b{1000}){0}){2}(${body(100)}){100}`, 10_202],
    ['flags longer than 12 characters', `(?iiiiiiiiiiiiii)/(${body(1000)}){1000}`, 1_002_001],
    ['[: as the upper end of a range is no POSIX class', `/(?:${body(1000)}[!-[:]){1000}:]]`, 1_001_004],
    ['empty alternatives count 1 each', '(?:|a){1000}', 3_000],
  ])('%s: estimated at least Go\'s size', (_what, pattern, goSize) => {
    expect(goProgramSizeEstimate(pattern)).toBeGreaterThanOrEqual(goSize);
    if (goSize > MAX_COMPILED_PROGRAM) expect(compileRe2(pattern)).toMatchObject({ ok: false, tooLarge: goProgramSizeEstimate(pattern) });
  });

  test('trace: no verdict, the regex named as too large for Envoy (exit 2), not the policy skipped', GUARD, () => {
    const policies = write(dir, 'repeat-over.yaml', httpPolicy([{ method: 'GET', path: over }]));
    const r = trace(...webToApi(policies, 'GET /x'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/too large for Envoy: its program would have about 20,001 instructions \(its literals and classes times their repeat counts\), more than the 10,000 this tool compiles and far above the 100 Envoy accepts/);
    expect(r.stderr).toMatch(/\(engine-policy-refused\)/);
  });

  test('validate: 20 such paths in a 21 KB file are 20 errors at their lines (before: past 2 minutes and 2.6 GB)', GUARD, async () => {
    const file = write(dir, 'repeat-huge.yaml', httpPolicy('abcdefghijklmnopqrst'.split('').map((l) => ({ path: huge(l) }))));
    const r = await validate([file, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.diagnostics.map((d: { id: string }) => d.id)).toEqual(Array(20).fill('pitfall-http-regex-too-large'));
    expect(report.diagnostics[0].message).toMatch(/^http path "\/\(\?:a{113}\.\.\." is too large for Envoy: its program would have about 1,000,001 instructions/);
  });
});
