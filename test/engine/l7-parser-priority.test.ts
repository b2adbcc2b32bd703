// Two selectors with different L7 parsers on one egress port. Up to 1.17 the parser is the filter's (L4Filter.L7Parser):
// the merge fails ("cannot merge conflicting L7 parsers") and the agent refuses the endpoint's policy. From 1.18 it is per
// selector (PerSelectorPolicy.L7Parser, PR #37887), so the agent takes the policy, but the port still has ONE proxy
// redirect: pkg/policy/proxyid.go `ProxyID` is endpoint, direction, protocol, port and listener (no parser);
// pkg/endpoint/bpf.go `addNewRedirects` makes it with the parser of the first redirecting per-selector policy
// `RedirectFilters` yields (a Go map range over L4Filter.PerSelectorPolicies) and skips the later ones
// (`desiredRedirects[proxyID] != 0`); and every peer's policy-map entry on the port, whichever selector made it, carries
// that redirect's proxy port (pkg/policy/l4.go `L4Filter.toMapState`: `LookupRedirectPort(ingress, protocol, port,
// listener)`). The listener priority (`L7ParserType.defaultPriority`: HTTP 101, Kafka 106, DNS 121; kept by the
// map-state merge) ranks entries of different proxy ports, here all one, so it does not choose the parser: which proxy
// the port goes to, for a pod both selectors select and for a pod only one selects, is not decided by the inputs, and
// the proxy drops the requests it cannot parse. The engine's verdict reads each kind's own rules (as before), and every
// verdict of the endpoint carries the note that the policy Cilium enforces is not known (parser-conflicts.ts
// `parserRedirectsUndecided`; `diff`/`report` do not compare it, `replay` does not judge it, `trace` refuses).
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { cnp, judged, labels, policySet } from './helpers';

const P = [{ port: '9092', protocol: 'TCP' }];
const KAFKA = { toEndpoints: [labels({ app: 'kafka' })], toPorts: [{ ports: P, rules: { kafka: [{ topic: 'orders' }] } }] };
const DNS = { toEndpoints: [labels({ tier: 'infra' })], toPorts: [{ ports: P, rules: { dns: [{ matchPattern: '*.example.com' }] } }] };
const WEB = 'pod:default:app=web';
const BROKER = 'pod:default:app=kafka,tier=infra';
const RESOLVER = 'pod:default:app=resolver,tier=infra';

function pod(name: string, podLabels: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: podLabels }, spec: { containers: [{ name: 'c', image: 'x' }] } };
}

function set(egress: readonly Record<string, unknown>[], version: CiliumVersion): PolicySet {
  return policySet([pod('web', { app: 'web' }), pod('broker', { app: 'kafka', tier: 'infra' }), pod('resolver', { app: 'resolver', tier: 'infra' }),
    cnp('p', { endpointSelector: labels({ app: 'web' }), egress })], { ciliumVersion: version });
}

const REFUSED = (first: string, second: string, a: string, b: string, peer = ''): string => `Cilium refuses the policy of this endpoint: `
  + `CiliumNetworkPolicy default/p spec.egress[${first}] has ${a} rules and CiliumNetworkPolicy default/p spec.egress[${second}] ${b} rules on egress `
  + `9092/TCP${peer === '' ? '' : ` for the same peer ${peer}`}, and it cannot merge `
  + 'conflicting L7 parsers: the endpoint keeps the policy it had, so this verdict is not what the agent enforces; give each protocol its own port';
const NOT_KNOWN = (first: string, second: string, a: string, b: string): string => 'the policy Cilium enforces for this endpoint is not known: '
  + `CiliumNetworkPolicy default/p spec.egress[${first}] has ${a} rules and CiliumNetworkPolicy default/p spec.egress[${second}] ${b} rules on `
  + 'egress 9092/TCP for other peers: from 1.18 the agent takes both, but the port gets one proxy redirect (pkg/policy ProxyID has no parser), '
  + 'made with the parser of the first per-selector policy pkg/endpoint addNewRedirects meets in Go map order, and every peer\'s traffic on the '
  + 'port goes to that proxy, which drops the requests it cannot parse, so this verdict is not what the agent enforces; give each protocol its own port';

/** The notes on the merge of the endpoint's L7 parsers (refused, or one redirect not known). */
const mergeNotes = (notes: readonly string[]): string[] => notes.filter((n) => n.startsWith('Cilium refuses the policy of this endpoint')
  || n.startsWith('the policy Cilium enforces for this endpoint is not known'));

describe('Kafka and DNS rules of two selectors on one port (the broker both select, the resolver only the DNS one)', () => {
  const queries = [
    // [to, request, the verdict the engine computes from the rules of the request's kind, the deciding L7 protocol]
    [BROKER, { kafka: 'produce orders' }, 'allowed', 'kafka'],
    [BROKER, { kafka: 'produce secrets' }, 'l7-denied', 'kafka'],
    [BROKER, { dns: 'db.example.com' }, 'allowed', 'dns'],
    [BROKER, { dns: 'evil.org' }, 'l7-denied', 'dns'],
    [RESOLVER, { dns: 'db.example.com' }, 'allowed', 'dns'],
    [RESOLVER, { dns: 'evil.org' }, 'l7-denied', 'dns'],
    [RESOLVER, { kafka: 'produce orders' }, 'allowed', 'dns'],
  ] as const;
  const cases = [
    [CiliumVersion.V1_17, (a: string, b: string, pa: string, pb: string) => REFUSED(a, b, pa, pb)],
    [CiliumVersion.V1_18, (a: string, b: string, pa: string, pb: string) => NOT_KNOWN(a, b, pa, pb)],
    [CiliumVersion.V1_19, (a: string, b: string, pa: string, pb: string) => NOT_KNOWN(a, b, pa, pb)],
  ] as const;
  for (const [version, note] of cases) {
    for (const [order, items, first] of [['Kafka first', [KAFKA, DNS], true], ['DNS first', [DNS, KAFKA], false]] as const) {
      test(`${version}, ${order}: every verdict of the endpoint carries the note, the rules of each kind still read`, () => {
        const s = set(items, version);
        const expected = first ? note('0', '1', 'kafka', 'dns') : note('0', '1', 'dns', 'kafka');
        for (const [to, request, verdict, protocol] of queries) {
          const v = judged(s, WEB, to, 9092, request);
          expect([to, request, v.verdict, v.egress.l7?.protocol], JSON.stringify(request)).toEqual([to, request, verdict, protocol]);
          expect(mergeNotes(v.egress.notes), `${to} ${JSON.stringify(request)}`).toEqual([expected]);
        }
        // Another port of the endpoint: not allowed by any rule, the same note (the whole endpoint's policy).
        const other = judged(s, WEB, RESOLVER, 8080);
        expect(other.verdict).toBe('denied');
        expect(mergeNotes(other.egress.notes)).toEqual([expected]);
      });
    }
  }

  test('the same selector with both parsers is refused on every version, not a redirect left open', () => {
    const both = { toEndpoints: [labels({ app: 'kafka' })], toPorts: DNS.toPorts };
    for (const version of [CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const v = judged(set([KAFKA, both, DNS], version), WEB, BROKER, 9092, { kafka: 'produce orders' });
      expect(v.verdict, version.toString()).toBe('allowed');
      // From 1.19 a selector of a namespaced policy also requires the cluster label (the cached selector's key names it).
      const cluster = version.atLeast(CiliumVersion.V1_19) ? 'k8s:io.cilium.k8s.policy.cluster=default, ' : '';
      const peer = version.atLeast(CiliumVersion.V1_18) ? `endpoints {any:app=kafka, ${cluster}k8s:io.kubernetes.pod.namespace=default}` : '';
      expect(mergeNotes(v.egress.notes), version.toString()).toEqual([REFUSED('0', '1', 'kafka', 'dns', peer)]);
    }
  });

  test('items without a peer field are one selector, any peer: both parsers refused on every version, the peer named "(any peer)"', () => {
    // Seed-4848 mutant of l7-parsers.ts peerText (the wildcard key `*` printed as is): the note named the peer "*".
    const anyPeer = (rules: Record<string, unknown>): Record<string, unknown> => ({ toPorts: [{ ports: P, rules }] });
    for (const version of [CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const v = judged(set([anyPeer(KAFKA.toPorts[0].rules), anyPeer(DNS.toPorts[0].rules)], version), WEB, BROKER, 9092, { kafka: 'produce orders' });
      expect(v.verdict, version.toString()).toBe('allowed');
      const peer = version.atLeast(CiliumVersion.V1_18) ? '(any peer)' : '';
      expect(mergeNotes(v.egress.notes), version.toString()).toEqual([REFUSED('0', '1', 'kafka', 'dns', peer)]);
    }
  });

  test('toFQDNs peers are a selector per name: two names are other peers (the redirect not known), one name the same peer (refused)', () => {
    // Seed-4545 mutant of parser-conflicts.ts peerKeys (every FQDN selector one key): two names were taken for one peer.
    const fqdn = (name: string, rules: Record<string, unknown>): Record<string, unknown> => ({
      toFQDNs: [{ matchName: name }], toPorts: [{ ports: P, rules }],
    });
    const kafka = { kafka: [{ topic: 'orders' }] };
    const http = { http: [{ method: 'GET' }] };
    for (const version of [CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const two = judged(set([fqdn('a.example.com', kafka), fqdn('b.example.com', http)], version), WEB, RESOLVER, 8080);
      expect(mergeNotes(two.egress.notes), version.toString()).toEqual([NOT_KNOWN('0', '1', 'kafka', 'http')]);
      const one = judged(set([fqdn('a.example.com', kafka), fqdn('a.example.com', http)], version), WEB, RESOLVER, 8080);
      expect(mergeNotes(one.egress.notes), version.toString()).toEqual([REFUSED('0', '1', 'kafka', 'http', 'fqdn matchName: a.example.com')]);
    }
  });

  test('a refusal beside the undecided redirect leads (trace and replay name the first): the agent refuses the policy', () => {
    // Review of l7p44: an authentication mode conflict on 5432 came after the one-redirect note, so `trace` led with "not known".
    const auth = (mode: string): Record<string, unknown> => ({
      toEndpoints: [labels({ app: 'db' })], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }], authentication: { mode },
    });
    const s = set([KAFKA, DNS, auth('required'), auth('disabled')], CiliumVersion.V1_18);
    const notes = mergeNotes(judged(s, WEB, BROKER, 9092, { kafka: 'produce orders' }).egress.notes);
    expect(notes.map((n) => n.split(':')[0])).toEqual(['Cilium refuses the policy of this endpoint', 'the policy Cilium enforces for this endpoint is not known']);
    expect(notes[0]).toMatch(/authentication/);
  });

  test('no note: one parser on both selectors, or the parsers on different ports (allowed and denied as their rules say)', () => {
    const kafkaInfra = { toEndpoints: [labels({ tier: 'infra' })], toPorts: [{ ports: P, rules: { kafka: [{ topic: 'logs' }] } }] };
    const dns53 = { toEndpoints: [labels({ tier: 'infra' })], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: DNS.toPorts[0].rules }] };
    for (const version of [CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const one = set([KAFKA, kafkaInfra], version);
      const logs = judged(one, WEB, RESOLVER, 9092, { kafka: 'produce logs' });
      expect([logs.verdict, mergeNotes(logs.egress.notes)]).toEqual(['allowed', []]);
      const orders = judged(one, WEB, RESOLVER, 9092, { kafka: 'produce orders' });
      expect([orders.verdict, mergeNotes(orders.egress.notes)]).toEqual(['l7-denied', []]);
      const apart = set([KAFKA, dns53], version);
      const secrets = judged(apart, WEB, BROKER, 9092, { kafka: 'produce secrets' });
      expect([secrets.verdict, mergeNotes(secrets.egress.notes)]).toEqual(['l7-denied', []]);
      const lookup = judged(apart, WEB, RESOLVER, '53/UDP', { dns: 'db.example.com' });
      expect([lookup.verdict, mergeNotes(lookup.egress.notes)]).toEqual(['allowed', []]);
    }
  });
});

// Session 45: the agent keys a redirect by the entry's FIRST port (pkg/endpoint `proxyID`: "for port ranges the proxy is
// identified by the first port in the range"; pkg/policy `ProxyID` has no end port and no parser), while the merge keys
// a filter by port and end port as written (`80` and `80` with `endPort: 80` are two filters). So HTTP rules on `8080` and
// Kafka rules on `8080-8080` (or on `8080-8090`) get one redirect, with the parser of one of them in Go map order, on every
// version with endPort; the engine keyed the detection by filter and said nothing (before: both allowed, no note).
describe('two port entries of one first port (8080 and 8080 with endPort) with different parsers: one redirect, not known', () => {
  const entry = (endPort?: number): Record<string, unknown>[] => [{ port: '8080', protocol: 'TCP', ...(endPort !== undefined ? { endPort } : {}) }];
  const http = (endPort?: number): Record<string, unknown> => ({ toEndpoints: [labels({ app: 'kafka' })], toPorts: [{ ports: entry(endPort), rules: { http: [{ method: 'GET' }] } }] });
  const kafka = (endPort?: number): Record<string, unknown> => ({ toEndpoints: [labels({ tier: 'infra' })], toPorts: [{ ports: entry(endPort), rules: { kafka: [{ topic: 'orders' }] } }] });
  const note = (a: string, b: string): string => 'the policy Cilium enforces for this endpoint is not known: CiliumNetworkPolicy default/p spec.egress[0] has '
    + `http rules on egress ${a} and CiliumNetworkPolicy default/p spec.egress[1] kafka rules on egress ${b}: the agent takes both, but the two port entries get `
    + 'one proxy redirect (pkg/endpoint proxyID keys it by direction, protocol and first port, a range by its first port, a named port by the number it '
    + 'resolves to, with no parser), made with the parser of one of them in Go map order (pkg/endpoint addNewRedirects), and every peer\'s traffic on '
    + 'those ports goes to that proxy, which drops the requests it cannot parse, so this verdict is not what the agent enforces; give each protocol its own port';
  test.each([
    [CiliumVersion.V1_16, undefined, 8080, '8080/TCP', '8080-8080/TCP'],
    [CiliumVersion.V1_17, undefined, 8080, '8080/TCP', '8080-8080/TCP'],
    [CiliumVersion.V1_18, 8080, undefined, '8080-8080/TCP', '8080/TCP'],
    [CiliumVersion.V1_19, undefined, 8090, '8080/TCP', '8080-8090/TCP'],
  ])('%s: every verdict of the endpoint carries the note; each request still read by its own rules', (version, httpEnd, kafkaEnd, a, b) => {
    const s = set([http(httpEnd), kafka(kafkaEnd)], version);
    const cases = [
      [BROKER, { http: 'GET /' }, 'allowed'], [BROKER, { http: 'POST /' }, 'l7-denied'],
      [RESOLVER, { kafka: 'produce orders' }, 'allowed'], [RESOLVER, { kafka: 'produce secrets' }, 'l7-denied'],
    ] as const;
    for (const [to, request, verdict] of cases) {
      const v = judged(s, WEB, to, 8080, request);
      expect([v.verdict, mergeNotes(v.egress.notes)], `${to} ${JSON.stringify(request)}`).toEqual([verdict, [note(a, b)]]);
    }
  });

  test('no note where the first ports differ (8080 and 8081-8090), nor before endPort (1.15: one filter, the merge refuses)', () => {
    const apart = { toEndpoints: [labels({ tier: 'infra' })], toPorts: [{ ports: [{ port: '8081', endPort: 8090, protocol: 'TCP' }], rules: { kafka: [{ topic: 'orders' }] } }] };
    const v = judged(set([http(), apart], CiliumVersion.V1_19), WEB, BROKER, 8080, { http: 'POST /' });
    expect([v.verdict, mergeNotes(v.egress.notes)]).toEqual(['l7-denied', []]);
    const old = judged(set([http(), kafka(8080)], CiliumVersion.V1_15), WEB, BROKER, 8080, { http: 'GET /' });
    expect(mergeNotes(old.egress.notes).map((n) => n.split(':')[0])).toEqual(['Cilium refuses the policy of this endpoint']);
  });
});

// Session 47: a named port's redirect is keyed by the number it resolves to on the endpoint (pkg/endpoint/bpf.go `proxyID`:
// `port = e.GetNamedPort(l4.Ingress, l4.PortName, protocol)`, then pkg/policy `ProxyID`), so HTTP rules on `http` (the
// pod's container port 8080) and Kafka rules on `8080` are two filters of the merge but one redirect, made with one of the
// two parsers in Go map order. The engine keyed a named port's redirect by its name and said nothing (before: each request
// judged by its own rules, no note; `trace` gave a verdict).
describe('a named port and the number it resolves to, with different parsers: one redirect, not known', () => {
  const podWithPort = (name: string, podLabels: Record<string, string>, ports: readonly Record<string, unknown>[]): Record<string, unknown> =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: podLabels }, spec: { containers: [{ name: 'c', image: 'x', ports }] } });
  const HTTP_8080 = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
  const rules = (httpPort: string, kafkaPort: string): Record<string, unknown>[] => [
    { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: httpPort, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] },
    { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: kafkaPort, protocol: 'TCP' }], rules: { kafka: [{ topic: 'orders' }] } }] },
  ];
  const ingressSet = (ports: readonly Record<string, unknown>[], httpPort = 'http', kafkaPort = '8080'): PolicySet => policySet([
    podWithPort('web', { app: 'web' }, []), podWithPort('api', { app: 'api' }, ports),
    cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: rules(httpPort, kafkaPort) })], { ciliumVersion: CiliumVersion.V1_19 });
  const API = 'pod:default:app=api';
  const lead = 'the policy Cilium enforces for this endpoint is not known: CiliumNetworkPolicy default/p spec.ingress[0] has http rules on ingress http/TCP '
    + 'and CiliumNetworkPolicy default/p spec.ingress[1] kafka rules on ingress 8080/TCP: the agent takes both, but the two port entries get one proxy redirect';

  test('ingress: the pod names 8080 http: every verdict carries the note, trace/replay/diff see the endpoint as not known', () => {
    const s = ingressSet(HTTP_8080);
    for (const [request, verdict] of [[{ http: 'GET /' }, 'allowed'], [{ http: 'POST /' }, 'l7-denied'], [{ kafka: 'produce orders' }, 'allowed']] as const) {
      const v = judged(s, WEB, API, 8080, request);
      expect([v.verdict, mergeNotes(v.ingress.notes).map((n) => n.slice(0, lead.length))], JSON.stringify(request)).toEqual([verdict, [lead]]);
    }
    expect(s._agentRefusals(s.endpoint(API)).map((r) => r.check)).toEqual(['pitfall-l7-parser-conflict']);
  });

  test('(a guard, so before the fix too) no note where the name resolves elsewhere (8081), is not on the pod, or is ambiguous on it', () => {
    const cases: [string, PolicySet][] = [
      ['http is 8081', ingressSet([{ name: 'http', containerPort: 8081, protocol: 'TCP' }])],
      ['no named port', ingressSet([])],
      ['http twice', ingressSet([...HTTP_8080, { name: 'http', containerPort: 9090, protocol: 'TCP' }])],
    ];
    for (const [what, s] of cases) {
      const v = judged(s, WEB, API, 8080, { kafka: 'produce orders' });
      expect([mergeNotes(v.ingress.notes), s._agentRefusals(s.endpoint(API))], what).toEqual([[], []]);
    }
  });

  test('(session 47 review) one note per refusal: HTTP on http (8080) and on 8080-8090, Kafka on 8080, one redirect, one note', () => {
    const s = policySet([podWithPort('web', { app: 'web' }, []), podWithPort('api', { app: 'api' }, HTTP_8080),
      cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [
        ...rules('http', '8080'),
        { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '8080', endPort: 8090, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] },
      ] })], { ciliumVersion: CiliumVersion.V1_19 });
    const refusals = s._agentRefusals(s.endpoint(API));
    const notes = mergeNotes(judged(s, WEB, API, 8080, { kafka: 'produce orders' }).ingress.notes);
    expect([refusals.length, notes.length]).toEqual([1, 1]);
  });

  test('egress: the name resolves on the cluster\'s pods (the destination names 8080 http)', () => {
    const s = policySet([podWithPort('web', { app: 'web' }, []), podWithPort('api', { app: 'api' }, HTTP_8080),
      cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [
        { toEndpoints: [labels({ app: 'api' })], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] },
        { toEndpoints: [labels({ app: 'api' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { kafka: [{ topic: 'orders' }] } }] },
      ] })], { ciliumVersion: CiliumVersion.V1_19 });
    const v = judged(s, WEB, API, 8080, { http: 'GET /' });
    expect(mergeNotes(v.egress.notes).map((n) => n.split(':')[0])).toEqual(['the policy Cilium enforces for this endpoint is not known']);
    expect(s._agentRefusals(s.endpoint(WEB)).map((r) => r.check)).toEqual(['pitfall-l7-parser-conflict']);
  });
});
