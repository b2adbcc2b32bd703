// The diff compares what the L7 rules of a connection decide by their descriptions: every field that decides must be in
// them (session 46: `headerMatches` values and mismatch actions, and the key-value rules of `l7proto`, were left out, so
// a change of only those was "no connectivity change"), and a rule two policies both give is one rule, listed once.
import { describe, expect, test } from 'vitest';
import { Connectivity } from '../../src/diff';
import { Endpoints, PolicySet } from '../../src/engine';
import { diffLines } from './support';

const policy = (name: string, rules: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts:
    - ports: [{ port: "80", protocol: TCP }]
      rules:
${rules}`;

const headerMatch = (entry: string): string => policy('api', `        http:\n        - method: GET\n          headerMatches: [${entry}]\n`);

describe('L7 changes the diff sees', () => {
  test('a headerMatches value changed: an L7 change naming both values', () => {
    const { doc, lines } = diffLines(headerMatch('{ name: X-Env, value: prod }'), headerMatch('{ name: X-Env, value: dev }'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP GET * headers [x-env: prod] → HTTP GET * headers [x-env: dev]']);
    expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 0, l7Changed: 1 });
  });

  test('a mismatch action added (the header no longer refuses anything): an L7 change', () => {
    const { lines } = diffLines(headerMatch('{ name: X-Env, value: prod }'), headerMatch('{ name: X-Env, value: prod, mismatch: LOG }'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP GET * headers [x-env: prod] → HTTP GET * headerMatches [x-env: "prod" on mismatch LOG]']);
  });

  test('a headerMatches Secret changed: an L7 change naming both Secrets', () => {
    const { lines } = diffLines(headerMatch('{ name: Authorization, secret: { name: a, namespace: prod } }'),
      headerMatch('{ name: Authorization, secret: { name: b, namespace: prod }, value: x }'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP GET * headerMatches [authorization from Secret prod/a] → '
      + 'HTTP GET * headerMatches [authorization from Secret prod/b (else "x")]']);
  });

  test('an l7proto key-value rule changed: an L7 change; its keys reordered: none', () => {
    const generic = (rule: string): string => policy('api', `        l7proto: r2d2\n        l7:\n        - ${rule}\n`);
    expect(diffLines(generic('{ cmd: READ, file: a }'), generic('{ cmd: WRITE, file: a }')).lines)
      .toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: L7 l7proto: r2d2 cmd="READ" file="a" → L7 l7proto: r2d2 cmd="WRITE" file="a"']);
    expect(diffLines(generic('{ cmd: READ, file: a }'), generic('{ file: a, cmd: READ }')).lines).toEqual([]);
  });
});

describe('one Envoy header matcher, two spellings (session 48)', () => {
  // pkg/envoy getHTTPRule makes `headers: ["X-Env: prod"]` and `headerMatches: [{name: X-Env, value: prod}]` (no mismatch
  // action, no Secret) the same HeaderMatcher {name: X-Env, exact: prod}, and `X-Env` / `{name: X-Env}` the same presence
  // matcher. The diff read them as two rules: "1 L7 changed" (exit 1 under --fail-on denied) for no change at all.
  const http = (rule: string): string => policy('api', `        http: [${rule}]\n`);
  const judge = (text: string, headers: string[]): string => {
    const set = PolicySet.fromYaml(text, { file: 'p.yaml' });
    return set.verdict({ from: set.endpoint('pod:prod:app=web'), to: set.endpoint('pod:prod:app=api'), port: 80, protocol: 'TCP',
      http: { method: 'GET', path: '/', headers: Object.fromEntries(headers.map((h) => h.split(': '))) } }).verdict;
  };

  test.each([
    ['a value', '{ method: GET, headers: ["X-Env: prod"] }', '{ method: GET, headerMatches: [{ name: X-Env, value: prod }] }'],
    ['presence', '{ headers: ["X-Env"] }', '{ headerMatches: [{ name: X-Env }] }'],
    ['presence, an empty value', '{ headers: ["X-Env"] }', '{ headerMatches: [{ name: X-Env, value: "" }] }'],
    ['both kinds', '{ headers: ["X-Env: prod", "X-Team"] }', '{ headers: ["X-Team"], headerMatches: [{ name: X-Env, value: prod }] }'],
    // Envoy matches header names in any case (HeaderMatcher's name is an Http::LowerCaseString).
    ['a name in another case, across the two lists', '{ method: GET, headers: ["X-Env: prod"] }', '{ method: GET, headerMatches: [{ name: x-env, value: prod }] }'],
    ['a name in another case, in headers', '{ headers: ["X-Env: prod", "X-TEAM"] }', '{ headers: ["x-env: prod", "x-team"] }'],
    ['a name in another case, in headerMatches with a mismatch action', '{ headerMatches: [{ name: X-Env, value: prod, mismatch: LOG }] }',
      '{ headerMatches: [{ name: X-ENV, value: prod, mismatch: LOG }] }'],
  ])('%s: the same verdicts, and no L7 change either way', (_what, a, b) => {
    for (const headers of [[], ['X-Env: prod'], ['X-Env: dev'], ['X-Env: prod', 'X-Team: a']]) {
      expect(judge(http(b), headers), headers.join()).toBe(judge(http(a), headers));
    }
    expect(diffLines(http(a), http(b)).lines).toEqual([]);
    expect(diffLines(http(b), http(a)).lines).toEqual([]);
  });

  test('the truth table of the value rule: X-Env: prod allowed, other or no X-Env refused by the proxy', () => {
    const text = http('{ headerMatches: [{ name: X-Env, value: prod }] }');
    expect([judge(text, ['X-Env: prod']), judge(text, ['x-env: prod']), judge(text, ['X-Env: dev']), judge(text, [])])
      .toEqual(['allowed', 'allowed', 'l7-denied', 'l7-denied']);
  });

  test('entries that decide differently stay apart: a mismatch action, a Secret, a name no headers entry can write', () => {
    const base = http('{ headers: ["X-Env: prod"] }');
    for (const other of ['{ headerMatches: [{ name: X-Env, value: prod, mismatch: LOG }] }',
      '{ headerMatches: [{ name: X-Env, secret: { name: s, namespace: prod } }] }', '{ headerMatches: [{ name: "X-Env:", value: prod }] }',
      '{ headers: ["X-Env: dev"] }']) {
      expect(diffLines(base, http(other)).lines, other).toHaveLength(1);
    }
  });
});

describe('L7 values that contain separators (session 47)', () => {
  // The descriptions joined values by spaces and `; ` unquoted: `{path: "/a host b"}` read as `{path: "/a", host: "b"}`,
  // so a change between two rules that decide differently was "no connectivity change". Such values are now quoted.
  const http = (rule: string): string => policy('api', `        http: [${rule}]\n`);

  test('a path with spaces is not a path and a host', () => {
    const { doc, lines } = diffLines(http('{ path: "/a host b" }'), http('{ path: "/a", host: b }'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP * "/a host b" → HTTP * /a host b']);
    expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 0, l7Changed: 1 });
  });

  test('a header value with "; " is not two headers', () => {
    const { lines } = diffLines(http('{ headers: ["X-A: 1; X-B: 2"] }'), http('{ headers: ["X-A: 1", "X-B: 2"] }'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP * * headers ["x-a: 1; X-B: 2"] → HTTP * * headers [x-a: 1; x-b: 2]']);
  });

  test('a Kafka clientID with spaces is not a clientID and a topic', () => {
    const kafka = (rule: string): string => policy('api', `        kafka: [${rule}]\n`);
    const { lines } = diffLines(kafka('{ clientID: "a topic=b" }'), kafka('{ clientID: a, topic: b }'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: KAFKA clientID="a topic=b" → KAFKA clientID=a topic=b']);
  });

  test('the same HTTP rules in another order: no L7 change (Cilium sorts them for Envoy)', () => {
    expect(diffLines(http('{ method: GET }, { method: POST }'), http('{ method: POST }, { method: GET }')).lines).toEqual([]);
    expect(diffLines(http('{ method: POST }'), http('{ method: POST }, { method: GET }')).lines)
      .toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP POST * → HTTP GET * | POST *']);
  });
});

describe('review mends (session 47)', () => {
  const http = (rule: string): string => policy('api', `        http: [${rule}]\n`);

  test('a Secret name holding "/" is not a namespace and a name: an L7 change', () => {
    const { doc, lines } = diffLines(http('{ headerMatches: [{ name: Authorization, secret: { name: "a/b" } }] }'),
      http('{ headerMatches: [{ name: Authorization, secret: { namespace: a, name: b } }] }'));
    expect(lines).toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP * * headerMatches [authorization from Secret "a/b"] → '
      + 'HTTP * * headerMatches [authorization from Secret a/b]']);
    expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 0, l7Changed: 1 });
  });

  test('the trace note names the Secret as the rule text does (one writer)', () => {
    const set = PolicySet.fromYaml(http('{ headerMatches: [{ name: Authorization, secret: { name: "a/b" } }] }'), { file: 'p.yaml' });
    const v = set.verdict({ from: set.endpoint('pod:prod:app=web'), to: set.endpoint('pod:prod:app=api'), protocol: 'TCP', port: 80,
      http: { method: 'GET', path: '/' } });
    expect(v.ingress.notes.join('\n')).toContain('headerMatches Authorization takes its value from Secret "a/b", which the engine cannot read');
  });

  test('reordered headers, and reordered headerMatches without a mismatch action: no L7 change (Cilium sorts them)', () => {
    expect(diffLines(http('{ headers: ["A: 1", "B: 2"] }'), http('{ headers: ["B: 2", "A: 1"] }')).lines).toEqual([]);
    expect(diffLines(http('{ headerMatches: [{ name: A, value: "1" }, { name: B }] }'),
      http('{ headerMatches: [{ name: B }, { name: A, value: "1" }] }')).lines).toEqual([]);
    // A header changed still is one.
    expect(diffLines(http('{ headers: ["A: 1", "B: 2"] }'), http('{ headers: ["B: 2", "A: 3"] }')).lines)
      .toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP * * headers [a: 1; b: 2] → HTTP * * headers [a: 3; b: 2]']);
  });

  test('reordered headerMatches with mismatch actions: an L7 change (Envoy applies them in turn)', () => {
    const a = '{ name: X-A, value: "1", mismatch: REPLACE }';
    const b = '{ name: X-A, value: "2", mismatch: REPLACE }';
    expect(diffLines(http(`{ headerMatches: [${a}, ${b}] }`), http(`{ headerMatches: [${b}, ${a}] }`)).lines)
      .toEqual(['~ prod/app=web → prod/app=api 80/TCP L7: HTTP * * headerMatches [x-a: "1" on mismatch REPLACE; x-a: "2" on mismatch REPLACE] → '
        + 'HTTP * * headerMatches [x-a: "2" on mismatch REPLACE; x-a: "1" on mismatch REPLACE]']);
  });
});

describe('one rule of two policies is listed once', () => {
  const dns = (name: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns } }]
    toPorts:
    - ports: [{ port: "53", protocol: ANY }]
      rules:
        dns: [{ matchPattern: "*" }]
`;
  const twice = `${dns('web')}---\n${dns('web-copy')}`;

  test('the report and the verdict list the DNS rule once', () => {
    const set = PolicySet.fromYaml(twice);
    const row = Connectivity.report(set).connections.find((c) => c.from === 'prod/app=web' && c.to === 'kube-system/k8s-app=kube-dns');
    expect(row?.l7).toBe('DNS matchPattern: *');
    const v = set.verdict({ from: Endpoints.parse('pod:prod:app=web'), to: Endpoints.parse('pod:kube-system:k8s-app=kube-dns'), port: 53, protocol: 'UDP' });
    expect(v.egress.l7?.rules).toEqual(['matchPattern: *']);
  });

  test('the same rule copied into a second policy is no L7 change', () => {
    expect(diffLines(dns('web'), twice).lines).toEqual([]);
  });
});
