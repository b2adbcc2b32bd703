// `pitfall-l7-rules-widened` (src/validate/pitfall-l7-widened.ts) as a truth table: HTTP or Kafka rules cancelled by an
// allow without L7 rules whose pods, peers and ports take in theirs (Cilium merges the two with an allow-all L7 rule:
// pkg/policy/rule.go mergePortProto, and an L3-only allow on every port), flagged across policies and inside one rule;
// not flagged when the peers only may overlap, on other ports, for other pods, in the other direction, or when the other
// allow carries L7 rules too. The engine, which judges such requests, agrees case by case.
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { DefaultDenyNamespace, HttpRule, L7, Peer, Port, TieredApp } from '../../src';
import { Endpoints, PolicySet, Queries } from '../../src/engine';
import { check, findings } from './helpers';

const HTTP = 'rules: { http: [{ method: GET, path: "/api/.*" }] }';
const KAFKA = 'rules: { kafka: [{ role: consume, topic: orders }] }';

/** One CNP in shop (or a CCNP when `namespace` is '') on `subject` with ingress `items`. */
function policy(name: string, subject: string, items: string, namespace = 'shop'): string {
  const kind = namespace === '' ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  return `apiVersion: cilium.io/v2\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace === '' ? '' : `  namespace: ${namespace}\n`}`
    + `spec:\n  endpointSelector: ${subject}\n  ingress:\n${items}`;
}

/** An ingress item from `peer`, on `port` with `rules` when given. */
const from = (peer: string, port?: string, rules = ''): string => `    - ${peer}\n`
  + (port === undefined ? '' : `      toPorts: [{ ports: [{ port: "${port}", protocol: TCP }]${rules ? `, ${rules}` : ''} }]\n`);
const WEB = 'fromEndpoints: [{ matchLabels: { app: web } }]';
const API = '{ matchLabels: { app: api } }';

type Files = Record<string, string>;
const flagged = (files: Files): string[] => findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-l7-rules-widened').map((d) => `${d.file}:${d.line} ${d.path ?? ''}`);

/** What the engine says of web → api on 8080/TCP with `request`, the files read together. */
function judged(files: Files, request: string): string {
  const set = PolicySet.fromYaml(Object.values(files).join('\n---\n'), { file: 'p.yaml' });
  return set.verdict({ from: Endpoints.parse('pod:shop:app=web'), to: Endpoints.parse('pod:shop:app=api'), protocol: 'TCP', port: 8080, http: Queries.parseHttpRequest(request) }).verdict;
}

describe('flagged: the L7 rules do not hold, and the engine lets every request through', () => {
  it('every pod of the namespace on every port (an L3-only allow), in another policy', () => {
    const files = { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP)), 'ns.yaml': policy('ns', '{}', from('fromEndpoints: [{}]')) };
    expect(flagged(files)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    const message = findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-l7-rules-widened')[0].message;
    expect(message).toContain('CiliumNetworkPolicy shop/ns (ns.yaml:9), for pods this rule selects, also allows from these peers on every port (no toPorts)');
    expect(judged(files, 'DELETE /admin')).toBe('allowed');
  });

  it('the same peer on the same port without L7 rules, in the same rule; Kafka too', () => {
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from(WEB, '8080')) })).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', KAFKA) + from(WEB, '9090')) })).toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', KAFKA) + from('fromEntities: [all]', '8080')) })).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(judged({ 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from(WEB, '8080')) }, 'DELETE /admin')).toBe('allowed');
  });

  it('an allow with empty toPorts or icmps lists is L3-only (rule.go: toPorts.Len() == 0 && icmp.Len() == 0): every port', () => {
    for (const empty of ['toPorts: []', 'icmps: []']) {
      const files = { 'api.yaml': policy('api', API, `${from(WEB, '8080', HTTP)}    - ${WEB}\n      ${empty}\n`) };
      expect(flagged(files)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
      expect(judged(files, 'DELETE /admin')).toBe('allowed');
    }
  });

  it('an allow whose HTTP (or Kafka) rules match every request (the visibility idiom), in another policy or the same rule', () => {
    const visibility = 'rules: { http: [{}] }';
    const other = { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP)), 'vis.yaml': policy('vis', API, from('fromEntities: [all]', '8080', visibility)) };
    expect(flagged(other)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(findings(check(other, { ciliumVersion: '1.19' }), 'pitfall-l7-rules-widened')[0].message)
      .toContain('also allows from these peers on the same port with HTTP rules that match every request: Cilium merges the two and the proxy ORs their rules');
    expect([judged(other, 'DELETE /admin'), judged({ 'api.yaml': other['api.yaml'] }, 'DELETE /admin')]).toEqual(['allowed', 'l7-denied']);
    // method, path and host of ".*" match every request too; one such rule beside restricting ones is enough.
    const dotStar = 'rules: { http: [{ method: GET, path: "/x" }, { method: ".*", path: ".*" }] }';
    const same = { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from(WEB, '8080', dotStar)) };
    expect(flagged(same)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(judged(same, 'DELETE /admin')).toBe('allowed');
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', KAFKA) + from(WEB, '8080', 'rules: { kafka: [{}] }')) }))
      .toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    // Not: another port, peers it does not take in, or restricting rules on both sides.
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from(WEB, '9090', visibility)) })).toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from('fromEndpoints: [{ matchLabels: { app: db } }]', '8080', visibility)) }))
      .toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from(WEB, '8080', 'rules: { http: [{ method: POST }] }')) })).toEqual([]);
  });

  it('a clusterwide allow of every pod on the port widens a namespaced rule', () => {
    const files = { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP)), 'all.yaml': policy('all', '{}', from('fromEndpoints: [{}]', '8080'), '') };
    expect(flagged(files)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(judged(files, 'DELETE /admin')).toBe('allowed');
  });
});

describe('flagged: the cluster entity, a Kubernetes NetworkPolicy, a namespaced rule under a clusterwide one', () => {
  /** web in shop admits frontend on 80 with GET only; `extra` is appended to its ingress or as other documents. */
  const web = (items = ''): string => 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n'
    + '  endpointSelector: {matchLabels: {app: web}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {app: frontend}}]\n'
    + `    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET}]}}]\n${items}`;
  const at80 = (files: Files, to = 'pod:shop:app=web', from = 'pod:shop:app=frontend'): string => PolicySet.fromYaml(Object.values(files).join('\n---\n'))
    .verdict({ from: Endpoints.parse(from), to: Endpoints.parse(to), protocol: 'TCP', port: 80, http: Queries.parseHttpRequest('DELETE /x') }).verdict;

  it('fromEntities: [cluster] takes in every pod', () => {
    const files = { 'web.yaml': web('  - fromEntities: [cluster]\n') };
    expect(flagged(files)).toEqual(['web.yaml:8 spec.ingress[0].toPorts[0]']);
    expect(at80(files)).toBe('allowed');
  });

  it('a NetworkPolicy that admits the namespace to itself', () => {
    const files = {
      'web.yaml': web(),
      'np.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: same-namespace, namespace: shop}\nspec:\n'
        + '  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{podSelector: {}}]\n',
    };
    expect(flagged(files)).toEqual(['web.yaml:8 spec.ingress[0].toPorts[0]']);
    expect(findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-l7-rules-widened')[0].message).toContain('NetworkPolicy shop/same-namespace (np.yaml:1)');
    expect(at80(files)).toBe('allowed');
  });

  it('a clusterwide rule with HTTP rules, widened for its pods in shop by a rule of shop', () => {
    const files = {
      'ccnp.yaml': 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: web}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n'
        + '  ingress:\n  - fromEndpoints: [{matchLabels: {app: frontend, k8s:io.kubernetes.pod.namespace: shop}}]\n'
        + '    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET}]}}]\n',
      'shop.yaml': policy('all', '{}', from('fromEndpoints: [{}]')),
    };
    expect(flagged(files)).toEqual(['ccnp.yaml:8 spec.ingress[0].toPorts[0]']);
    expect(at80(files)).toBe('allowed');
    // A rule of another namespace, where the clusterwide rule's peers are not: not flagged, and the rules hold in shop.
    const other = { ...files, 'shop.yaml': policy('all', '{}', from('fromEndpoints: [{}]'), 'data') };
    expect(flagged(other)).toEqual([]);
    expect(at80(other)).toBe('l7-denied');
  });

  it('not: HTTP rules that match every request anyway (method ".*", the visibility idiom)', () => {
    const files = { 'web.yaml': web('  - fromEndpoints: [{}]\n').replace('{method: GET}', '{method: ".*"}') };
    expect(flagged(files)).toEqual([]);
  });
});

describe('not flagged: the L7 rules hold for the peers they name', () => {
  const cases: [string, Files][] = [
    ['another port', { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP)), 'ns.yaml': policy('ns', '{}', from('fromEndpoints: [{}]', '9090')) }],
    ['peers that only may overlap (a pod with both labels)', {
      'api.yaml': policy('api', API, from(WEB, '8080', HTTP)), 'ns.yaml': policy('ns', '{}', from('fromEndpoints: [{ matchLabels: { team: a } }]')),
    }],
    ['other pods', { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP)), 'db.yaml': policy('db', '{ matchLabels: { app: db } }', from(WEB)) }],
    ['another namespace', { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP)), 'ns.yaml': policy('ns', '{}', from('fromEndpoints: [{}]'), 'data') }],
    ['the other allow has L7 rules too (they are ORed)', { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from(WEB, '8080', HTTP)) }],
    // The agent makes a filter per port entry (rule.go mergeIngress iterates GetPortProtocols): a port rule without ports allows nothing.
    ['the other allow\'s port rule has no ports (toPorts: [{}])', { 'api.yaml': policy('api', API, `${from(WEB, '8080', HTTP)}    - ${WEB}\n      toPorts: [{}]\n`) }],
    ['the other allow\'s port rule has an empty ports list and only serverNames', {
      'api.yaml': policy('api', API, `${from(WEB, '8080', HTTP)}    - ${WEB}\n      toPorts: [{ ports: [], serverNames: [api.example.com] }]\n`),
    }],
  ];
  it.each(cases)('%s', (_name, files) => {
    expect(flagged(files)).toEqual([]);
    expect(judged(files, 'DELETE /admin')).toBe('l7-denied');
    expect(judged(files, 'GET /api/orders')).toBe('allowed');
  });
});

describe('an item of several peer kinds: every peer must be taken in, selectors, entities and CIDRs alike', () => {
  const BOTH = 'fromEndpoints: [{ matchLabels: { app: web } }]\n      fromEntities: [host]';
  const CIDR = 'fromEndpoints: [{ matchLabels: { app: web } }]\n      fromCIDR: [10.0.0.0/8]';

  it('taken in whole: flagged', () => {
    expect(flagged({ 'api.yaml': policy('api', API, from(BOTH, '8080', HTTP) + from(BOTH, '8080')) })).toEqual(['api.yaml:11 spec.ingress[0].toPorts[0]']);
    expect(flagged({ 'api.yaml': policy('api', API, from(CIDR, '8080', HTTP) + from(CIDR, '8080')) })).toEqual(['api.yaml:11 spec.ingress[0].toPorts[0]']);
    expect(flagged({ 'api.yaml': policy('api', API, from(BOTH, '8080', HTTP) + from('fromEntities: [cluster]', '8080')) })).toEqual(['api.yaml:11 spec.ingress[0].toPorts[0]']);
  });

  it('the selectors, the entity or the CIDR left out: not flagged (a namespace default deny\'s fromEntities: [host] meets every rule)', () => {
    expect(flagged({ 'api.yaml': policy('api', API, from(BOTH, '8080', HTTP) + from(WEB, '8080')) })).toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(BOTH, '8080', HTTP) + from('fromEntities: [host]', '8080')) })).toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from('fromEntities: [host]')) })).toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(CIDR, '8080', HTTP) + from(WEB, '8080')) })).toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(CIDR, '8080', HTTP) + from('fromCIDR: [10.0.0.0/8]', '8080')) })).toEqual([]);
  });

  // Seed-42 mutant of pitfall-l7-widened.ts (a fromCIDRSet entry without except no longer counted as a whole block): the
  // allow below lets every request from 10.1.2.3 through, and was not reported.
  it('a fromCIDRSet entry without except takes in the CIDRs inside it; one whose except cuts into them does not', () => {
    const restricted = from('fromCIDR: [10.1.0.0/16]', '8080', HTTP);
    const whole = { 'api.yaml': policy('api', API, restricted + from('fromCIDRSet: [{ cidr: 10.0.0.0/8 }]', '8080')) };
    expect(flagged(whole)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    const holed = { 'api.yaml': policy('api', API, restricted + from('fromCIDRSet: [{ cidr: 10.0.0.0/8, except: [10.1.5.0/24] }]', '8080')) };
    expect(flagged(holed)).toEqual([]);
    const verdict = (files: Files, request: string): string => PolicySet.fromYaml(Object.values(files).join('\n---\n'), { file: 'p.yaml' }).verdict({
      from: Endpoints.parse('cidr:10.1.2.3'), to: Endpoints.parse('pod:shop:app=api'), protocol: 'TCP', port: 8080, http: Queries.parseHttpRequest(request),
    }).verdict;
    expect(verdict(whole, 'DELETE /admin')).toBe('allowed');
  });
});

describe('a named port and its number: two filters, which the proxy ORs', () => {
  // The agent keys the filters of `http` and `8080` apart (l4.go: a named port is a filter of its own), and both give the
  // policy map the key (peer, 8080/TCP) once the name resolves: the entry with a proxy redirect wins (mapstate.go
  // `mapStateEntry.merge`: "proxy redirection over no proxy redirection"), and Envoy gets a port policy per filter
  // (pkg/envoy/server.go `getDirectionNetworkPolicy`: the numeric filter's single-selector rule without L7 allows all) and
  // ORs the policies of the port, so the HTTP rules do not hold for that peer.
  /** The api Deployment of shop, declaring the container port `name` = `port`. */
  const deployment = (name: string, port: number): string => 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\n'
    + 'spec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n'
    + `      - name: api\n        image: api:1\n        ports: [{name: ${name}, containerPort: ${port}, protocol: TCP}]\n`;

  it('HTTP rules on the named port http (8080 on the pods) and an allow of 8080 without L7: flagged, and the engine lets DELETE through', () => {
    const files = { 'api.yaml': policy('api', API, from(WEB, 'http', HTTP) + from(WEB, '8080')), 'deploy.yaml': deployment('http', 8080) };
    expect(flagged(files)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-l7-rules-widened')[0].message)
      .toContain('also allows from these peers on the same port without L7 rules (the named port http is 8080/TCP on its pods)');
    expect(judged(files, 'DELETE /admin')).toBe('allowed');
  });

  it('HTTP rules on 8080 and an allow of the named port http (8080 on the pods) without L7: flagged', () => {
    const files = { 'api.yaml': policy('api', API, from(WEB, '8080', HTTP) + from(WEB, 'http')), 'deploy.yaml': deployment('http', 8080) };
    expect(flagged(files)).toEqual(['api.yaml:10 spec.ingress[0].toPorts[0]']);
    expect(judged(files, 'DELETE /admin')).toBe('allowed');
  });

  it('not: the name is another number on the pods, or the input has no workloads to resolve it', () => {
    const other = { 'api.yaml': policy('api', API, from(WEB, 'http', HTTP) + from(WEB, '8080')), 'deploy.yaml': deployment('http', 9090) };
    expect(flagged(other)).toEqual([]);
    expect(flagged({ 'api.yaml': policy('api', API, from(WEB, 'http', HTTP) + from(WEB, '8080')) })).toEqual([]);
  });

  it('egress: a named port resolves on the cluster\'s pods (1.14-1.19 `NamedPortMultiMap.GetNamedPort`), one number for the name', () => {
    const egress = (items: string): string => 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n'
      + `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n${items.replace(/fromEndpoints/g, 'toEndpoints')}`;
    const items = from(`toEndpoints: [${API}]`, 'http', HTTP) + from(`toEndpoints: [${API}]`, '8080');
    expect(flagged({ 'web.yaml': egress(items), 'deploy.yaml': deployment('http', 8080) })).toEqual(['web.yaml:8 spec.egress[0].toPorts[0]']);
    expect(judged({ 'web.yaml': egress(items), 'deploy.yaml': deployment('http', 8080) }, 'DELETE /admin')).toBe('allowed');
    expect(flagged({ 'web.yaml': egress(items), 'deploy.yaml': deployment('http', 9090) })).toEqual([]);
    // Two numbers for the name among the cluster's pods: the agent skips the entry (ErrDuplicateNamedPorts), nothing to widen.
    const two = `${deployment('http', 8080)}---\n${deployment('http', 9090).replace(/api/g, 'db')}`;
    expect(flagged({ 'web.yaml': egress(items), 'deploy.yaml': two })).toEqual([]);
  });
});

describe('the constructs: a namespace opened within itself cancels a tier\'s HTTP rules, and synthesis stops', () => {
  it('DefaultDenyNamespace allowWithinNamespace with a TieredApp tier restricted to GET /api/.*', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new DefaultDenyNamespace(chart, 'dd', { allowWithinNamespace: true });
    new TieredApp(chart, 'app', {
      tiers: [
        { name: 'web', labels: { app: 'web' }, ports: [Port.tcp(3000)] },
        { name: 'api', labels: { app: 'api' }, ports: [Port.tcp(8080)], l7: L7.http(HttpRule.get('/api/.*')) },
      ],
      entry: [Peer.endpoints({ namespace: 'traefik', labels: { app: 'traefik' } })],
    });
    expect(() => Testing.synth(chart)).toThrow(/pitfall-l7-rules-widened/);
  });
});
