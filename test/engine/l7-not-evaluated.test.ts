// A request allowed onto L7 rules the engine does not judge it by: generic `l7proto` rules (the proxylib parser of that
// name reads its own protocol and matches its own key-value rules: proxylib/proxylib/policymap.go
// `PortNetworkPolicyRule.Matches`, proxylib/r2d2/r2d2parser.go `OnData`), or rules of another protocol than the request's
// (the port has one parser, its rules': pkg/policy/l4.go `createL4Filter`). Session 52: trace, toAllow and toDeny said
// "allowed" for such a request (exit 0, toAllow passed, toDeny failed), and replay judged a captured request on such a port
// allowed; now they refuse it (engine-l7-not-evaluated) as every other unjudged connection, and the same connection
// without the request keeps its L4 verdict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { PolicySet } from '../../src/engine';
import { EngineMatcherOptions, verdictFor } from '../../src/engine/matchers';
import { FlowSource, collectConnections, replayCapture } from '../../src/hubble';
import { cli } from '../support/cli';
import { matcherQuery, notEvaluatedRefusal } from './helpers';

const YAML = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts:
    - ports: [{ port: "9000", protocol: TCP }]
      rules: { l7proto: r2d2, l7: [{ cmd: READ }] }
    - ports: [{ port: "9001", protocol: TCP }]
      rules: { l7proto: r2d2 }
    - ports: [{ port: "9092", protocol: TCP }]
      rules: { kafka: [{ role: produce, topic: orders }] }
    - ports: [{ port: "8080", protocol: TCP }]
      rules: { http: [{ method: GET, path: /public }] }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { app: api } }]
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]
    toPorts:
    - ports: [{ port: "53", protocol: UDP }]
      rules: { dns: [{ matchPattern: "*.example.com" }] }
`;
const WEB = 'pod:shop:app=web';
const API = 'pod:shop:app=api';
const DNS = 'pod:kube-system:k8s-app=kube-dns';
const set = PolicySet.fromYaml(YAML);

/** `refused` (engine-l7-not-evaluated), else the verdict. */
function outcome(to: string, port: string, request: EngineMatcherOptions): string {
  try {
    return verdictFor(set, WEB, to, port, request).verdict;
  } catch (e) {
    if (e instanceof CiliumPolicyError && e.id === 'engine-l7-not-evaluated') return 'refused';
    throw e;
  }
}

const ROWS: readonly [string, string, EngineMatcherOptions, string][] = [
  // Generic rules: no request of the engine's is one of the parser's.
  [API, '9000/TCP', { http: 'GET /x' }, 'refused'],
  [API, '9000/TCP', { kafka: 'produce orders' }, 'refused'],
  [API, '9000/TCP', { dns: 'a.example.com' }, 'refused'],
  [API, '9001/TCP', { http: 'GET /x' }, 'refused'],
  [API, '9000/TCP', {}, 'allowed'],
  [API, '9001/TCP', {}, 'allowed'],
  // Kafka rules: a Kafka request judged, another protocol's not.
  [API, '9092/TCP', { kafka: 'produce orders' }, 'allowed'],
  [API, '9092/TCP', { kafka: 'fetch orders' }, 'l7-denied'],
  [API, '9092/TCP', { http: 'GET /public' }, 'refused'],
  [API, '9092/TCP', {}, 'allowed'],
  // HTTP rules.
  [API, '8080/TCP', { http: 'GET /public' }, 'allowed'],
  [API, '8080/TCP', { http: 'GET /private' }, 'l7-denied'],
  [API, '8080/TCP', { kafka: 'produce orders' }, 'refused'],
  [API, '8080/TCP', { dns: 'a.example.com' }, 'refused'],
  [API, '8080/TCP', {}, 'allowed'],
  // DNS rules.
  [DNS, '53/UDP', { dns: 'a.example.com' }, 'allowed'],
  [DNS, '53/UDP', { dns: 'evil.org' }, 'l7-denied'],
  [DNS, '53/UDP', { http: 'GET /' }, 'refused'],
  // Denied at L4 whatever the request: a true claim, judged.
  [API, '7000/TCP', { http: 'GET /x' }, 'denied'],
  [DNS, '5353/UDP', { kafka: 'produce orders' }, 'denied'],
];

describe('a request onto L7 rules the engine does not judge it by: refused (engine-l7-not-evaluated)', () => {
  test.each(ROWS)('web → %s %s %j: %s', (to, port, request, expected) => {
    expect(outcome(to, port, request)).toBe(expected);
  });

  test('toAllow and toDeny neither pass nor fail on it; without the request the L4 verdict stands', () => {
    expect(() => expect(set).toAllow(WEB, API, '9000/TCP', { http: 'GET /x' })).toThrow(
      'toAllow() pod:shop:app=web → pod:shop:app=api: the request GET /x on 9000/TCP is not judged: the ingress policy of the server pod:shop:app=api '
      + '(CiliumNetworkPolicy shop/api spec.ingress[0]) holds this port to generic L7 (l7proto) rules (l7proto: r2d2 cmd="READ"), which the proxy '
      + 'enforces on the requests its parser of that protocol reads from the bytes; the engine does not evaluate them: whether the request passes is not known '
      + '(engine-l7-not-evaluated)\n  fix: ask without the request for the connection\'s verdict at L4 (allowed, the L7 rules left to the proxy)');
    expect(() => expect(set).toDeny(WEB, API, '9092/TCP', { http: 'GET /public' })).toThrow(
      /holds this port to Kafka rules \(role=produce topic=orders\), which the proxy enforces on the bytes read as Kafka requests; the engine judges only a Kafka request by them: whether this one passes is not known \(engine-l7-not-evaluated\)\n {2}fix: give a Kafka request to judge it, or ask without/);
    expect(set).toAllow(WEB, API, '9000/TCP');
    const l4 = verdictFor(set, WEB, API, '9000/TCP');
    expect(l4.ingress.reason).toBe('allowed at L4 by CiliumNetworkPolicy shop/api spec.ingress[0]; L7 L7PROTO rules will be enforced by the proxy');
    expect(l4.ingress.l7).toMatchObject({ protocol: 'l7proto', result: 'not-evaluated', rules: ['l7proto: r2d2 cmd="READ"'] });
    expect(set).toDeny(WEB, API, '8080/TCP', { http: 'GET /private' });
  });
});

// Session 53: PolicySet.verdict() and decide() answered `allowed` for such a request (with `l7.result: not-evaluated` on the
// side, which decide() has no room for): a library user asking whether the request passes got a fail-open answer. Now they
// refuse it as trace and the matchers do, with the same words; the same connection without the request keeps its L4
// verdict, and a judged request or a denial is answered as before.
describe('PolicySet.verdict() and decide(): refused as the matchers refuse it (engine-l7-not-evaluated)', () => {
  /** `refused` (engine-l7-not-evaluated), else the answer; the message checked to be `verdict()`'s words with the call. */
  function answer(call: () => string): string {
    try {
      return call();
    } catch (e) {
      if (e instanceof CiliumPolicyError && e.id === 'engine-l7-not-evaluated') return 'refused';
      throw e;
    }
  }
  test.each(ROWS)('web → %s %s %j: %s, from verdict(), decide() cold and warm, and decide() after verdict()', (to, port, request, expected) => {
    const fresh = PolicySet.fromYaml(YAML);
    const q = matcherQuery(fresh, WEB, to, port, request);
    expect(answer(() => fresh.decide(q))).toBe(expected);
    expect(answer(() => fresh.verdict(q).verdict)).toBe(expected);
    expect(answer(() => fresh.decide(q))).toBe(expected);
    // evaluateNaive() too ("the same verdict"): it answered `allowed` here (review of session 53).
    expect(answer(() => fresh.evaluateNaive(q).verdict)).toBe(expected);
    const other = PolicySet.fromYaml(YAML);
    expect(answer(() => other.verdict(q).verdict)).toBe(expected);
    expect(answer(() => other.decide(q))).toBe(expected);
  });

  test('the message names the call, the connection, the side, its rule item and the rules, with the fix', () => {
    const q = matcherQuery(set, WEB, API, '9092/TCP', { http: 'GET /x' });
    const words = 'the request GET /x on 9092/TCP is not judged: the ingress policy of the server pod:shop:app=api (CiliumNetworkPolicy shop/api '
      + 'spec.ingress[0]) holds this port to Kafka rules (role=produce topic=orders), which the proxy enforces on the bytes read as Kafka requests; '
      + 'the engine judges only a Kafka request by them: whether this one passes is not known';
    const fix = 'give a Kafka request to judge it, or ask without the request for the connection\'s verdict at L4 (allowed, the L7 rules left to the proxy)';
    for (const [call, run] of [['PolicySet.verdict()', () => set.verdict(q)], ['PolicySet.decide()', () => set.decide(q)],
      ['PolicySet.evaluateNaive()', () => set.evaluateNaive(q)]] as const) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CiliumPolicyError);
      expect((error as CiliumPolicyError).id).toBe('engine-l7-not-evaluated');
      expect((error as CiliumPolicyError).message).toBe(`${call} pod:shop:app=web → pod:shop:app=api: ${words} (engine-l7-not-evaluated)\n  fix: ${fix}`);
    }
    // Without the request: the L4 verdict, the rules left to the proxy.
    const l4 = set.verdict(matcherQuery(set, WEB, API, '9092/TCP', {}));
    expect(l4.verdict).toBe('allowed');
    expect(l4.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'not-evaluated', rules: ['role=produce topic=orders'] });
  });
});

describe('trace: exit 2 on such a request, the verdict without it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'l7-not-evaluated-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'policies.yaml');
  writeFileSync(file, YAML);
  const trace = (to: string, port: string, ...request: string[]): { code: number; stderr: string } => {
    const r = cli('trace', '--policies', file, '--from', WEB, '--to', to, '--port', port, ...request);
    return { code: r.code, stderr: r.stderr };
  };
  test.each([
    [API, '9000/TCP', ['--http', 'GET /x'], 2],
    [API, '9001/TCP', ['--kafka', 'produce orders'], 2],
    [API, '9092/TCP', ['--http', 'GET /x'], 2],
    [API, '8080/TCP', ['--dns', 'a.example.com'], 2],
    [DNS, '53/UDP', ['--http', 'GET /'], 2],
    [API, '9000/TCP', [], 0],
    [API, '9092/TCP', ['--kafka', 'produce orders'], 0],
    [API, '9092/TCP', ['--kafka', 'fetch orders'], 1],
    [API, '8080/TCP', ['--http', 'GET /public'], 0],
    [API, '8080/TCP', ['--http', 'GET /private'], 1],
    [DNS, '53/UDP', ['--dns', 'a.example.com'], 0],
    [API, '7000/TCP', ['--http', 'GET /x'], 1],
  ] as const)('web → %s %s %j: exit %d', (to, port, request, code) => {
    const r = trace(to, port, ...request);
    expect(r.code).toBe(code);
    if (code === 2) expect(r.stderr).toMatch(/^error: the request .* is not judged: .* \(engine-l7-not-evaluated\); fix: /);
  });
  test('the message names the flag\'s end, the rule item and the rules', () => {
    expect(trace(API, '9092/TCP', '--http', 'GET /x').stderr).toBe('error: the request GET /x on 9092/TCP is not judged: the ingress policy of --to '
      + 'pod:shop:app=api (CiliumNetworkPolicy shop/api spec.ingress[0]) holds this port to Kafka rules (role=produce topic=orders), which the proxy '
      + 'enforces on the bytes read as Kafka requests; the engine judges only a Kafka request by them: whether this one passes is not known '
      + '(engine-l7-not-evaluated); fix: give a Kafka request to judge it, or ask without the request for the connection\'s verdict at L4 (allowed, '
      + 'the L7 rules left to the proxy)\n');
  });
});

describe('replay: a captured request onto such rules is not judged, in the same words', () => {
  const pod = (app: string, identity: number): Record<string, unknown> => ({
    ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`,
    labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=default'],
  });
  const request = (port: number): string => JSON.stringify({
    flow: {
      time: '2026-12-04T10:00:02Z', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40001, destination_port: port } }, source: pod('web', 40001), destination: pod('api', 40002), Type: 'L7',
      event_type: { type: 129 }, traffic_direction: 'INGRESS', is_reply: false,
      l7: { type: 'REQUEST', http: { method: 'GET', url: `http://api:${port}/public`, protocol: 'HTTP/1.1' } },
    },
  });
  test.each([
    [9000, 'generic L7 (l7proto) rules (l7proto: r2d2 cmd="READ")'],
    [9092, 'Kafka rules (role=produce topic=orders)'],
  ])('an HTTP request on %d: not judged (it was allowed)', async (port, rules) => {
    const r = replayCapture(await collectConnections(FlowSource.text(request(port))), set);
    expect(r.connections).toEqual([]);
    expect(r.summary.notEvaluated).toBe(1);
    expect(r.errors.map((e) => e.connection)).toEqual([`pod:shop:app=web → pod:shop:app=api ${port}/TCP`]);
    expect(r.errors[0].message).toMatch(new RegExp(`^the request GET /public on ${port}/TCP is not judged: the ingress policy of the destination pod:shop:app=api `
      + `\\(CiliumNetworkPolicy shop/api spec\\.ingress\\[0\\]\\) holds this port to ${rules.replace(/[().|*]/g, '\\$&')}, .*; this connection is not judged `
      + '\\(engine-l7-not-evaluated\\)$'));
  });
  test('the same request on the HTTP port is judged', async () => {
    const r = replayCapture(await collectConnections(FlowSource.text(request(8080))), set);
    expect(r.errors).toEqual([]);
    expect(r.connections.map((c) => `${c.request ?? '-'}: ${c.predicted.verdict}`)).toEqual(['GET /public: allowed']);
  });
});

// Review of session 53: a toFQDNs connection was judged allowed though the lookup that learns its name is refused as not
// judged (the DNS server's l7proto rules on 53/UDP). trace and the matchers now refuse the connection too, in the lookup
// refusal's words, as they refuse one whose lookup the 1.16/1.17 patch decides (`learningLookupError`).
describe('a toFQDNs name learned through a lookup onto rules that do not judge it: not judged either', () => {
  const FQDN_YAML = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: dns, namespace: kube-system }
spec:
  endpointSelector: { matchLabels: { k8s-app: kube-dns } }
  ingress:
  - fromEntities: [cluster]
    toPorts:
    - ports: [{ port: "53", protocol: UDP }]
      rules: { l7proto: r2d2 }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]
    toPorts:
    - ports: [{ port: "53", protocol: UDP }]
      rules: { dns: [{ matchPattern: "*" }] }
  - toFQDNs: [{ matchName: a.example.com }]
    toPorts:
    - ports: [{ port: "443", protocol: TCP }]
`;
  const fqdnSet = PolicySet.fromYaml(FQDN_YAML);
  const NAME = 'fqdn:a.example.com@1.2.3.4';
  const refusal = notEvaluatedRefusal;

  test('the matchers refuse the connection, naming the lookup; the lookup itself is refused', () => {
    expect(refusal(() => verdictFor(fqdnSet, WEB, DNS, '53/UDP', { dns: 'a.example.com' }))).toBeDefined();
    expect(refusal(() => verdictFor(fqdnSet, WEB, NAME, '443/TCP'))).toBe('Verdicts.verdictFor() pod:shop:app=web → fqdn:a.example.com@1.2.3.4: the server fqdn:a.example.com@1.2.3.4 is reached through toFQDNs, which '
      + 'learns the name only from the lookup of a.example.com at the DNS server pod:kube-system:k8s-app=kube-dns, and that lookup is not judged: '
      + 'the request dns a.example.com on 53/UDP is not judged: the ingress policy of the DNS server pod:kube-system:k8s-app=kube-dns (CiliumNetworkPolicy '
      + 'kube-system/dns spec.ingress[0]) holds this port to generic L7 (l7proto) rules (l7proto: r2d2), which the proxy enforces on the requests '
      + 'its parser of that protocol reads from the bytes; the engine does not evaluate them: whether the request passes is not known; whether the '
      + 'name is learned, and so whether toFQDNs selects it, is not known (engine-l7-not-evaluated)\n  fix: give the DNS server\'s port rules the engine '
      + 'judges a DNS name by (DNS rules, or none): the proxy decides the lookup now, and with it whether toFQDNs selects the name');
  });

  test('trace exits 2 on it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'l7-not-evaluated-fqdn-'));
    try {
      const file = join(dir, 'policies.yaml');
      writeFileSync(file, FQDN_YAML);
      const r = cli('trace', '--policies', file, '--from', WEB, '--to', NAME, '--port', '443/TCP');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --to fqdn:a\.example\.com@1\.2\.3\.4 is reached through toFQDNs, .* \(engine-l7-not-evaluated\); fix: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('verdict() and decide() agree on it', () => {
    const q = matcherQuery(fqdnSet, WEB, NAME, '443/TCP', {});
    const fresh = PolicySet.fromYaml(FQDN_YAML);
    const decided = refusal(() => fresh.decide(q)) ?? fresh.decide(q);
    const v = refusal(() => fqdnSet.verdict(q)) ?? fqdnSet.verdict(q).verdict;
    expect(typeof decided === 'string' && decided.startsWith('PolicySet.') ? decided.replace('PolicySet.decide()', 'PolicySet.verdict()') : decided).toBe(v);
  });
});
