// `pitfall-l7-parser-conflict` (src/validate/pitfall-parser-merge.ts) as a truth table: two allow items giving one
// endpoint different L7 parsers on one port entry are flagged (across policies, inside one rule, CCNP with CNP; up to
// 1.17 whatever the peers, from 1.18 for an identical peer selector, and from 1.18 for other peers as one proxy redirect
// of either parser: ProxyID has no parser, pkg/endpoint addNewRedirects), and not flagged for disjoint or other-namespace
// subjects, other ports (overlapping ranges included: separate filters in Cilium), other directions, one kind, or a rule
// without L7. The engine's note (src/engine/parser-conflicts.ts, the same mechanism) agrees case by case.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { judged, refusedByMatchers } from '../engine/helpers';
import { check, findings } from './helpers';

const HTTP = 'rules: { http: [{ method: GET }] }';
const KAFKA = 'rules: { kafka: [{ role: consume, topic: orders }] }';

/** One policy document (flow style): `kind` CNP in `namespace` (or CCNP when `''`) on `subject` with `sections`. */
function policy(name: string, subject: string, sections: string, namespace = 'shop'): string {
  const kind = namespace === '' ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  return `apiVersion: cilium.io/v2\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace === '' ? '' : `  namespace: ${namespace}\n`}`
    + `spec:\n  endpointSelector: { matchLabels: ${subject} }\n${sections}`;
}

/** An ingress item from `peer` on `ports` with `rules` (or none). */
const from = (peer: string, ports: string, rules = ''): string => `    - ${peer}\n      toPorts: [{ ports: [${ports}]${rules ? `, ${rules}` : ''} }]\n`;
const WEB = 'fromEndpoints: [{ matchLabels: { app: web } }]';
const WORKER = 'fromEndpoints: [{ matchLabels: { app: worker } }]';
const P80 = '{ port: "80", protocol: TCP }';
const API = '{ app: api }';

type Files = Record<string, string>;
/** `file:line path` and message of every finding. */
const flagged = (files: Files, ciliumVersion = '1.19'): string[][] =>
  findings(check(files, { ciliumVersion }), 'pitfall-l7-parser-conflict').map((d) => [`${d.file}:${d.line} ${d.path ?? ''}`, d.message]);
const at = (files: Files, ciliumVersion?: string): string[] => flagged(files, ciliumVersion).map(([where]) => where);
/** The findings as `where` and whether they are refusals (`same peer`) or, from 1.18, one redirect for other peers. */
const kinds = (files: Files, ciliumVersion?: string): string[] => flagged(files, ciliumVersion)
  .map(([where, message]) => `${where} ${message.includes(', for other peers: from 1.18 the agent takes both') ? 'other peers' : 'refused'}`);

describe('flagged', () => {
  it('two policies on the same pods, HTTP and Kafka from the same peer on 80/TCP: at the later one, naming the other with its line', () => {
    const files = {
      'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, HTTP)}`),
      'b.yaml': policy('b', API, `  ingress:\n${from(WEB, P80, KAFKA)}`),
    };
    expect(flagged(files)).toEqual([[
      'b.yaml:10 spec.ingress[0].toPorts[0]',
      'kafka rules on ingress 80/TCP here, and http rules on the same port entry in CiliumNetworkPolicy shop/a (a.yaml:10), a rule that may select '
      + 'the same endpoints for the same peer endpoints {any:app=web, k8s:io.kubernetes.pod.namespace=shop}: Cilium cannot merge conflicting L7 '
      + 'parsers, so the agent refuses the policy of the endpoints both select and keeps the one they had (kubectl apply succeeds; the error shows '
      + 'only in the agent log and the endpoint\'s status)',
    ]]);
    const [d] = findings(check(files), 'pitfall-l7-parser-conflict');
    expect([d.severity, d.fix]).toEqual(['error', 'give each protocol its own port (or its own peers); if one of the rules is not meant for these endpoints, narrow its endpointSelector']);
  });

  it('an item on several ports, only one of which meets another parser: the conflict on that port, from the peer of its own item', () => {
    // Peers are worked out only for the filters that meet two parsers (80/TCP here): 8080/TCP, HTTP only, is skipped,
    // and the later item's peer is its own, not the first item's.
    const both = `${P80}, { port: "8080", protocol: TCP }`;
    const files = {
      'a.yaml': policy('a', API, `  ingress:\n${from(WEB, both, HTTP)}${from(WORKER, '{ port: "8080", protocol: TCP }', HTTP)}`),
      'b.yaml': policy('b', API, `  ingress:\n${from(WORKER, '{ port: "9090", protocol: TCP }', HTTP)}${from(WEB, P80, KAFKA)}`),
    };
    expect(flagged(files).map(([where, message]) => [where, /for the same peer (.*?}):/.exec(message)?.[1]])).toEqual([
      ['b.yaml:12 spec.ingress[1].toPorts[0]', 'endpoints {any:app=web, k8s:io.kubernetes.pod.namespace=shop}'],
    ]);
    // Worker's Kafka and web's HTTP on 80/TCP: not refused from 1.18, but one redirect of either parser for both peers.
    expect(kinds({ ...files, 'b.yaml': policy('b', API, `  ingress:\n${from(WORKER, P80, KAFKA)}`) })).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0] other peers']);
  });

  it('items without a peer field (any peer, one wildcard selector): refused on every version, the peer named "(any peer)" from 1.18', () => {
    // Seed-4848 mutant of l7-parsers.ts peerText (the wildcard key `*` printed as is): the finding named the peer "*".
    const anyPeer = (rules: string): string => `    - toPorts: [{ ports: [${P80}], ${rules} }]\n`;
    const files = { 'a.yaml': policy('a', API, `  ingress:\n${anyPeer(HTTP)}`), 'b.yaml': policy('b', API, `  ingress:\n${anyPeer(KAFKA)}`) };
    for (const version of ['1.17', '1.18', '1.19']) {
      const found = flagged(files, version);
      expect(found.map(([where]) => where), version).toEqual(['b.yaml:9 spec.ingress[0].toPorts[0]']);
      expect(/a rule that may select the same endpoints( for the same peer [^:]*)?: Cilium cannot merge/.exec(found[0][1])?.[1], version)
        .toBe(version === '1.17' ? undefined : ' for the same peer (any peer)');
    }
  });

  it('inside one rule: two items on the same port', () => {
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, HTTP)}${from(WEB, P80, KAFKA)}`) }))
      .toEqual(['a.yaml:12 spec.ingress[1].toPorts[0]']);
  });

  it('a clusterwide policy and a namespaced one whose subjects may meet', () => {
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, HTTP)}`), 'c.yaml': policy('c', API, `  ingress:\n${from('{}'.replace('{}', 'fromEntities: [all]'), P80, KAFKA)}`, '') }, '1.17'))
      .toEqual(['c.yaml:9 spec.ingress[0].toPorts[0]']);
  });

  it('different peers: refused up to 1.17 (one parser per port); from 1.18 taken, but the port gets one redirect of either parser', () => {
    const files = { 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, HTTP)}${from(WORKER, P80, KAFKA)}`) };
    expect(kinds(files, '1.17')).toEqual(['a.yaml:12 spec.ingress[1].toPorts[0] refused']);
    for (const version of ['1.18', '1.19']) {
      expect(flagged(files, version)).toEqual([[
        'a.yaml:12 spec.ingress[1].toPorts[0]',
        'kafka rules on ingress 80/TCP here, and http rules on the same port entry in CiliumNetworkPolicy shop/a (a.yaml:10), for other peers: from '
        + '1.18 the agent takes both, but the port gets one proxy redirect (its ID has no parser), made with the parser of the first per-selector '
        + 'policy the agent meets in Go map order (pkg/endpoint addNewRedirects), and the traffic of every peer on the port goes to that proxy, '
        + 'which drops the requests it cannot parse: which protocol passes can change from one regeneration to the next',
      ]]);
      const [d] = findings(check(files, { ciliumVersion: version }), 'pitfall-l7-parser-conflict');
      expect([d.severity, d.fix]).toEqual(['error', 'give each protocol its own port; if one of the rules is not meant for these endpoints, narrow its endpointSelector']);
    }
    // Each entry once: a refusal for the same peer is not reported again as one redirect.
    const same = { 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, HTTP)}${from(WEB, P80, KAFKA)}${from(WORKER, P80, KAFKA)}`) };
    expect(kinds(same, '1.19')).toEqual(['a.yaml:12 spec.ingress[1].toPorts[0] refused', 'a.yaml:14 spec.ingress[2].toPorts[0] other peers']);
  });

  it('from 1.18 the cached selectors decide: cluster holds the host selector, so cluster and host meet', () => {
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from('fromEntities: [cluster]', P80, HTTP)}${from('fromEntities: [host]', P80, KAFKA)}`) }))
      .toEqual(['a.yaml:12 spec.ingress[1].toPorts[0]']);
  });

  it('from 1.18, the match labels of one peer in another order are the same cached selector', () => {
    const files = {
      'a.yaml': policy('a', API, `  ingress:\n${from('fromEndpoints: [{ matchLabels: { app: web, tier: front } }]', P80, HTTP)}`),
      'b.yaml': policy('b', API, `  ingress:\n${from('fromEndpoints: [{ matchLabels: { tier: front, app: web } }]', P80, KAFKA)}`),
    };
    expect(at(files, '1.19')).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
  });

  it('ANY is TCP, UDP and SCTP: DNS on 53/ANY and HTTP on 53/TCP meet on 53/TCP (egress)', () => {
    const kubeDns = 'toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns } }]';
    const egress = `  egress:\n${from(kubeDns, '{ port: "53", protocol: ANY }', 'rules: { dns: [{ matchPattern: "*" }] }')}${from(kubeDns, '{ port: "53", protocol: TCP }', HTTP)}`;
    const [[where, message]] = flagged({ 'a.yaml': policy('a', API, egress) });
    expect(where).toBe('a.yaml:12 spec.egress[1].toPorts[0]');
    expect(message).toMatch(/^http rules on egress 53\/TCP here, and dns rules on the same port entry in CiliumNetworkPolicy shop\/a \(a\.yaml:10\) for the same peer/);
  });

  it('a clusterwide policy earlier in the input than a namespaced one: reported at the later, namespaced entry', () => {
    // A namespace's uses and the clusterwide ones meet in document order, so the conflict is named where it comes second.
    expect(at({
      'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, HTTP)}`, ''),
      'b.yaml': policy('b', API, `  ingress:\n${from(WEB, P80, KAFKA)}`),
    }, '1.17')).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
  });

  it('from 1.18, a `{}` peer left unscoped (clusterwide, init subjects) is the wildcard selector of an item without peers', () => {
    const init = `{ 'reserved:init': '' }`;
    const files = { 'c.yaml': policy('c', init, `  ingress:\n${from('fromEndpoints: [{}]', P80, HTTP)}    - toPorts: [{ ports: [${P80}], ${KAFKA} }]\n`, '') };
    expect(at(files, '1.19')).toEqual(['c.yaml:10 spec.ingress[1].toPorts[0]']);
  });

  // pkg/policy/api/cidr.go CIDRRuleSlice.GetAsEndpointSelectors (1.17-1.18): `{}` without except is an empty
  // EndpointSelector, the wildcard; from 1.19 a CIDRSelector of its own (pkg/policy/types/selector.go newCIDRRuleSelector).
  it('on 1.18 a cidrGroupSelector {} without except is the wildcard selector of an item without peers; not on 1.19, nor with except', () => {
    const files = (entry: string): Files => ({
      'a.yaml': policy('a', API, `  ingress:\n${from(`fromCIDRSet: [${entry}]`, P80, HTTP)}    - toPorts: [{ ports: [${P80}], ${KAFKA} }]\n`),
    });
    expect(kinds(files('{ cidrGroupSelector: {} }'), '1.18')).toEqual(['a.yaml:11 spec.ingress[1].toPorts[0] refused']);
    expect(kinds(files('{ cidrGroupSelector: {} }'), '1.19')).toEqual(['a.yaml:11 spec.ingress[1].toPorts[0] other peers']);
    expect(kinds(files('{ cidrGroupSelector: {}, except: [8.8.4.0/24] }'), '1.18')).toEqual(['a.yaml:11 spec.ingress[1].toPorts[0] other peers']);
  });

  it('an empty peer list beside toPorts selects every peer on them before 1.16 and none from 1.16: its parser meets the other item\'s only before', () => {
    const files = { 'a.yaml': policy('a', API, `  ingress:\n${from('fromEndpoints: []', P80, HTTP)}${from(WEB, P80, KAFKA)}`) };
    expect(at(files, '1.15')).toEqual(['a.yaml:12 spec.ingress[1].toPorts[0]']);
    expect(at(files, '1.17')).toEqual([]);
  });
});

describe('not flagged', () => {
  const pair = (a: string, b: string, nsB = 'shop', subjectB = API): Files => ({
    'a.yaml': policy('a', API, a), 'b.yaml': policy('b', subjectB, b, nsB),
  });

  it('subjects that cannot both match (a required key with other values), or CNPs of other namespaces', () => {
    expect(at(pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, P80, KAFKA)}`, 'shop', '{ app: db }'), '1.17')).toEqual([]);
    expect(at(pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, P80, KAFKA)}`, 'other'), '1.17')).toEqual([]);
  });

  it('subjects whose selectors may meet, but no workload of the input is selected by both', () => {
    const deploy = (name: string, labels: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: shop }\n`
      + `spec:\n  selector: { matchLabels: ${labels} }\n  template:\n    metadata: { labels: ${labels} }\n    spec: { containers: [{ name: c, image: i }] }\n`;
    const files = {
      ...pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, P80, KAFKA)}`, 'shop', '{ tier: backend }'),
      'deploy.yaml': `${deploy('api', '{ app: api }')}---\n${deploy('db', '{ app: db, tier: backend }')}`,
    };
    expect(at(files, '1.17')).toEqual([]);
    // A workload both select: they meet. Workloads that neither selects: the selectors decide (they may meet).
    expect(at({ ...files, 'deploy.yaml': deploy('api', '{ app: api, tier: backend }') }, '1.17')).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(at({ ...files, 'deploy.yaml': deploy('db', '{ app: db }') }, '1.17')).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
    // One of the first subject's two workloads is the other's: they meet.
    expect(at({ ...files, 'deploy.yaml': `${deploy('api-1', '{ app: api, tier: front }')}---\n${deploy('api-2', '{ app: api, tier: backend }')}` }, '1.17'))
      .toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
    // Only one subject selects workloads of the input (either one): they share none.
    expect(at({ ...files, 'deploy.yaml': deploy('api', '{ app: api }') }, '1.17')).toEqual([]);
    expect(at({ ...files, 'deploy.yaml': deploy('db', '{ app: db, tier: backend }') }, '1.17')).toEqual([]);
    delete (files as Partial<Files>)['deploy.yaml'];
    expect(at(files, '1.17')).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
  });

  it('other ports, and overlapping but unequal entries (8000-8100 and 8080 are separate filters in Cilium)', () => {
    expect(at(pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, '{ port: "81", protocol: TCP }', KAFKA)}`), '1.17')).toEqual([]);
    expect(at(pair(`  ingress:\n${from(WEB, '{ port: "8000", endPort: 8100, protocol: TCP }', HTTP)}`,
      `  ingress:\n${from(WEB, '{ port: "8080", protocol: TCP }', KAFKA)}`), '1.17')).toEqual([]);
  });

  it('from 1.18, one peer written two ways is two cached selectors (a match label and an In expression, app and k8s:app): not refused, one redirect', () => {
    const asExpression = 'fromEndpoints: [{ matchExpressions: [{ key: app, operator: In, values: [web] }] }]';
    const k8sSourced = 'fromEndpoints: [{ matchLabels: { k8s:app: web } }]';
    for (const other of [asExpression, k8sSourced]) {
      const files = pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(other, P80, KAFKA)}`);
      expect(kinds(files, '1.19'), other).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0] other peers']);
      expect(kinds(files, '1.17'), other).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0] refused']);
    }
  });

  // Session 45: two filters of the merge, but ONE proxy redirect (pkg/endpoint proxyID keys a redirect by its first port,
  // ProxyID has no end port nor parser): flagged on every version with endPort (before: nothing, as two filters).
  it('a port and the same port with endPort (equal to it, or a range from it) are two filters in Cilium, but one redirect', () => {
    const files = pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, '{ port: "80", endPort: 80, protocol: TCP }', KAFKA)}`);
    for (const version of ['1.16', '1.17', '1.19']) {
      expect(flagged(files, version), version).toEqual([['b.yaml:10 spec.ingress[0].toPorts[0]', 'kafka rules on ingress 80-80/TCP here, and http rules '
        + 'on ingress 80/TCP in CiliumNetworkPolicy shop/a (a.yaml:10), a rule that may select the same endpoints: the agent takes both, but the two '
        + 'port entries get one proxy redirect (pkg/endpoint proxyID keys it by direction, protocol and first port, a range by its first port, a named '
        + 'port by the number it resolves to on the endpoint, with no parser), made with the parser of one of them in Go map order (pkg/endpoint addNewRedirects), and the traffic of every peer on those '
        + 'ports goes to that proxy, which drops the requests it cannot parse: which protocol passes can change from one regeneration to the next']]);
    }
    expect(at(pair(`  ingress:\n${from(WORKER, P80, HTTP)}`, `  ingress:\n${from(WEB, '{ port: "80", endPort: 90, protocol: TCP }', KAFKA)}`), '1.19'))
      .toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(at(pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, '{ port: "79", endPort: 90, protocol: TCP }', KAFKA)}`), '1.19')).toEqual([]);
    expect(at(pair(`  ingress:\n${from(WEB, '{ port: "80", endPort: 80, protocol: TCP }', HTTP)}`,
      `  ingress:\n${from(WEB, '{ port: "80", endPort: 80, protocol: TCP }', KAFKA)}`), '1.17')).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
  });

  // Session 45 review: on 1.16 the agent refuses L7 rules on a port range (`sanitize-l7-port-range`), so that policy is
  // never imported and merges with nothing; the finding said "the agent takes both". `80` with endPort 80 is no range.
  it('a policy the agent refuses (L7 on a port range before 1.17) meets no parser: only its sanitize error', () => {
    const range = pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WORKER, '{ port: "80", endPort: 90, protocol: TCP }', KAFKA)}`);
    const ids = (files: Files, version: string): string[] => check(files, { ciliumVersion: version }).diagnostics
      .filter((d) => d.severity === 'error').map((d) => `${d.id} ${d.file}:${d.line}`);
    expect(ids(range, '1.16')).toEqual(['sanitize-l7-port-range b.yaml:10']);
    expect(ids(range, '1.17')).toEqual(['pitfall-l7-parser-conflict b.yaml:10']);
    const single = pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WORKER, '{ port: "80", endPort: 80, protocol: TCP }', KAFKA)}`);
    expect(ids(single, '1.16')).toEqual(['pitfall-l7-parser-conflict b.yaml:10']);
  });

  it('other directions, one kind, a rule without L7', () => {
    const egressKafka = `  egress:\n${from('toEndpoints: [{ matchLabels: { app: web } }]', P80, KAFKA)}`;
    expect(at(pair(`  ingress:\n${from(WEB, P80, HTTP)}`, egressKafka), '1.17')).toEqual([]);
    expect(at(pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, P80, 'rules: { http: [{ method: POST }] }')}`), '1.17')).toEqual([]);
    expect(at(pair(`  ingress:\n${from(WEB, P80, HTTP)}`, `  ingress:\n${from(WEB, P80)}`), '1.17')).toEqual([]);
  });

  it('an empty rule list is no parser (Cilium\'s IsEmpty): `http: []` beside Kafka on one port', () => {
    expect(at(pair(`  ingress:\n${from(WEB, P80, 'rules: { http: [] }')}`, `  ingress:\n${from(WEB, P80, KAFKA)}`), '1.17')).toEqual([]);
  });

  it('a host policy and a pod policy, both clusterwide: nodes and pods are not the same endpoints', () => {
    const host = 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: h\nspec:\n  nodeSelector: { matchLabels: { role: web } }\n'
      + `  ingress:\n${from('fromEntities: [world]', P80, HTTP)}`;
    const pods = policy('p', '{ tier: web }', `  ingress:\n${from('fromEntities: [world]', P80, KAFKA)}`, '');
    expect(at({ 'a.yaml': host, 'b.yaml': pods }, '1.17')).toEqual([]);
    // Host ingress L7 rules are refused by the agent (`sanitize-host-l7`): two such policies merge nothing. Host egress
    // takes DNS and l7proto rules from 1.17: two host policies of the same nodes meet there.
    expect(at({ 'a.yaml': host, 'b.yaml': host.replace('name: h', 'name: h2').replace(HTTP, KAFKA) }, '1.17')).toEqual([]);
    const egress = (name: string, rules: string): string => host.replace('name: h', `name: ${name}`)
      .replace(/ {2}ingress:\n.*$/s, `  egress:\n${from('toEntities: [world]', '{ port: "53", protocol: TCP }', rules)}`);
    const files = { 'a.yaml': egress('h', 'rules: { dns: [{ matchPattern: "*" }] }'), 'b.yaml': egress('h2', 'rules: { l7proto: foo, l7: [{ k: v }] }') };
    expect(at(files, '1.17')).toEqual(['b.yaml:9 spec.egress[0].toPorts[0]']);
  });
});

describe('the engine\'s note agrees with the finding', () => {
  // The engine's verdict carries the note; the matchers refuse the connection exactly then (no verdict of theirs is Cilium's).
  const refused = (text: string, version: CiliumVersion, from = 'pod:shop:app=web'): boolean => {
    const set = PolicySet.fromYaml(text, { ciliumVersion: version });
    const noted = judged(set, from, 'pod:shop:app=api', '80/TCP').ingress.notes
      .some((n) => n.startsWith('Cilium refuses the policy of this endpoint') || n.startsWith('the policy Cilium enforces for this endpoint is not known'));
    expect(refusedByMatchers(set, from, 'pod:shop:app=api', '80/TCP'), from).toBe(noted);
    return noted;
  };
  const cases: [string, string][] = [
    ['same peer', `  ingress:\n${from(WEB, P80, HTTP)}${from(WEB, P80, KAFKA)}`],
    ['other peers', `  ingress:\n${from(WEB, P80, HTTP)}${from(WORKER, P80, KAFKA)}`],
    ['cluster and host', `  ingress:\n${from('fromEntities: [cluster]', P80, HTTP)}${from('fromEntities: [host]', P80, KAFKA)}`],
    ['other ports', `  ingress:\n${from(WEB, P80, HTTP)}${from(WEB, '{ port: "81", protocol: TCP }', KAFKA)}`],
    ['range and port', `  ingress:\n${from(WEB, '{ port: "70", endPort: 90, protocol: TCP }', HTTP)}${from(WEB, P80, KAFKA)}`],
    ['label and expression', `  ingress:\n${from(WEB, P80, HTTP)}${from('fromEndpoints: [{ matchExpressions: [{ key: app, operator: In, values: [web] }] }]', P80, KAFKA)}`],
    ['labels reordered', `  ingress:\n${from('fromEndpoints: [{ matchLabels: { app: web, tier: a } }]', P80, HTTP)}`
      + `${from('fromEndpoints: [{ matchLabels: { tier: a, app: web } }]', P80, KAFKA)}`],
    ['port and endPort equal', `  ingress:\n${from(WEB, P80, HTTP)}${from(WEB, '{ port: "80", endPort: 80, protocol: TCP }', KAFKA)}`],
    ['range from the port', `  ingress:\n${from(WORKER, P80, HTTP)}${from(WEB, '{ port: "80", endPort: 90, protocol: TCP }', KAFKA)}`],
  ];
  for (const [name, sections] of cases) {
    for (const version of [CiliumVersion.V1_17, CiliumVersion.V1_19]) {
      it(`${name} on ${version}`, () => {
        const text = policy('a', API, sections);
        expect(refused(text, version)).toBe(at({ 'a.yaml': text }, version.toString()).length > 0);
      });
    }
  }
});

// Session 48: `trace` says the policy of a pod is not known (exit 2) when a named port and the number it resolves to on the
// pod carry different L7 parsers (one redirect, pkg/endpoint/bpf.go proxyID → GetNamedPort, session 47), but validate
// keyed the named port's redirect by its name and said nothing. Now it resolves the name on the pods a rule selects
// (ingress) or on the cluster's (egress), as the engine does.
describe('a named port and the number it resolves to on the pods, with different parsers (one redirect)', () => {
  const pod = (name: string, app: string, ports: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: shop\n`
    + `  labels: { app: ${app} }\nspec:\n  containers:\n  - name: c\n    image: x\n    ports: [${ports}]\n`;
  const HTTP_8080 = '{ name: http, containerPort: 8080, protocol: TCP }';
  const NAMED = '{ port: http, protocol: TCP }';
  const P8080 = '{ port: "8080", protocol: TCP }';
  const ingressFiles = (apiPorts: string): Files => ({
    'a.yaml': policy('a', API, `  ingress:\n${from(WEB, NAMED, HTTP)}${from(WEB, P8080, KAFKA)}`),
    'pods.yaml': `${pod('web', 'web', '')}---\n${pod('api', 'api', apiPorts)}`,
  });
  const notKnown = (files: Files, from: string, to: string): boolean => {
    const set = PolicySet.fromYaml(Object.values(files).join('---\n'), { ciliumVersion: CiliumVersion.V1_19 });
    const v = judged(set, from, to, '8080/TCP');
    const noted = [...v.ingress.notes, ...v.egress.notes].some((n) => n.startsWith('the policy Cilium enforces for this endpoint is not known'));
    expect(refusedByMatchers(set, from, to, '8080/TCP'), `${from} → ${to}`).toBe(noted);
    return noted;
  };

  it('ingress: flagged where the pod names 8080 http, as trace refuses the endpoint; not where http is 8081, absent or twice', () => {
    const files = ingressFiles(HTTP_8080);
    const found = flagged(files);
    expect(found.map(([where]) => where)).toEqual(['a.yaml:12 spec.ingress[1].toPorts[0]']);
    expect(found[0][1]).toMatch(/^kafka rules on ingress 8080\/TCP here, and http rules on ingress http\/TCP in CiliumNetworkPolicy shop\/a \(a\.yaml:10\) /);
    expect(found[0][1]).toContain('(the named port http is 8080/TCP on the pods both select): the agent takes both, but the two port entries get one proxy redirect');
    expect(notKnown(files, 'pod:shop:app=web', 'pod:shop:app=api')).toBe(true);
    for (const ports of ['{ name: http, containerPort: 8081, protocol: TCP }', '', `${HTTP_8080}, { name: http, containerPort: 9090, protocol: TCP }`]) {
      expect([at(ingressFiles(ports)), notKnown(ingressFiles(ports), 'pod:shop:app=web', 'pod:shop:app=api')], ports).toEqual([[], false]);
    }
  });

  it('ingress: per pod — a rule on two workloads, http 8080 on one: flagged only if the other rule selects that one', () => {
    const twoPods = `${pod('api', 'api', HTTP_8080)}---\n${pod('api2', 'api2', '{ name: http, containerPort: 8081, protocol: TCP }')}`;
    const httpOnBoth = policy('a', API, `  ingress:\n${from(WEB, NAMED, HTTP)}`)
      .replace('{ matchLabels: { app: api } }', '{ matchExpressions: [{ key: app, operator: In, values: [api, api2] }] }');
    const kafkaOn = (app: string): string => policy('b', `{ app: ${app} }`, `  ingress:\n${from(WEB, P8080, KAFKA)}`);
    expect(at({ 'a.yaml': httpOnBoth, 'b.yaml': kafkaOn('api'), 'pods.yaml': twoPods })).toEqual(['b.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(at({ 'a.yaml': httpOnBoth, 'b.yaml': kafkaOn('api2'), 'pods.yaml': twoPods })).toEqual([]);
  });

  it('egress: the name resolves on the cluster\'s pods (the destination names 8080 http)', () => {
    const to = 'toEndpoints: [{ matchLabels: { app: api } }]';
    const files = (apiPorts: string): Files => ({
      'a.yaml': policy('a', '{ app: web }', `  egress:\n${from(to, NAMED, HTTP)}${from(to, P8080, KAFKA)}`),
      'pods.yaml': `${pod('web', 'web', '')}---\n${pod('api', 'api', apiPorts)}`,
    });
    expect(at(files(HTTP_8080))).toEqual(['a.yaml:12 spec.egress[1].toPorts[0]']);
    expect(notKnown(files(HTTP_8080), 'pod:shop:app=web', 'pod:shop:app=api')).toBe(true);
    expect([at(files('{ name: http, containerPort: 8081, protocol: TCP }')), notKnown(files('{ name: http, containerPort: 8081, protocol: TCP }'),
      'pod:shop:app=web', 'pod:shop:app=api')]).toEqual([[], false]);
  });
});
