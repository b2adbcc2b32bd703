// The API server's checks of Kubernetes NetworkPolicies (`k8s-np-…`): each id with a failing and a passing manifest, placed
// at file:line:column; and the engine, through the same function, skips a NetworkPolicy the API server rejects.
import { describe, expect, it } from 'vitest';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { NETWORK_POLICY_CHECKS, validateNetworkPolicy } from '../../src/validate';
import { check, findings, summary, where, yaml } from './helpers';

/** A NetworkPolicy `shop/api` whose ingress rule is `rule` (YAML, indented under `ingress:`). */
const np = (rule: string, extra = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: api
    namespace: shop
  spec:
    podSelector:
      matchLabels:
        app: api
    ingress:
${rule.split('\n').map((l) => `      ${l}`).join('\n')}
${extra}`;

const FROM_WEB = '- from:\n    - podSelector:\n        matchLabels: {app: web}';

interface Case {
  readonly id: string;
  readonly when: string;
  readonly bad: string;
  /** `line:column` of the finding in `bad`. */
  readonly at: string;
  readonly good: string;
  /**
   * The findings of `good`, which passes the API server's checks: an ingress ipBlock peer is
   * `pitfall-np-ip-block-selects-namespace` on 1.19 (Cilium 1.19.0-1.19.4 adds the namespace's pods to it).
   */
  readonly goodFindings?: string[];
  readonly message: RegExp;
}

/** The 1.19 warning on the ingress ipBlock peer at `spec.ingress[0].from[0]` of `good`. */
const IP_BLOCK_1_19 = ['warning pitfall-np-ip-block-selects-namespace@np.yaml:12:20 spec.ingress[0].from[0].ipBlock'];

const CASES: Case[] = [
  {
    id: 'k8s-np-api-version', when: 'a version the API server does not serve (kubectl finds no such kind: the object is never stored)',
    bad: np(FROM_WEB).replace('networking.k8s.io/v1', 'networking.k8s.io/v1beta1'), at: '1:13', good: np(FROM_WEB),
    message: /apiVersion is "networking\.k8s\.io\/v1beta1", but NetworkPolicy is served only as networking\.k8s\.io\/v1/,
  },
  {
    id: 'k8s-np-type', when: 'ports is not a list',
    bad: np(`${FROM_WEB}\n  ports: {port: 80}`), at: '14:14', good: np(`${FROM_WEB}\n  ports: [{port: 80}]`),
    message: /spec\.ingress\[0\]\.ports is an object, the API server wants a list/,
  },
  {
    id: 'k8s-np-metadata', when: 'the name has upper-case letters',
    bad: np(FROM_WEB).replace('name: api', 'name: API'), at: '4:9', good: np(FROM_WEB), message: /metadata\.name "API" is not a DNS-1123 subdomain/,
  },
  {
    id: 'k8s-np-selector', when: 'an operator in lower case',
    bad: np('- from:\n    - podSelector:\n        matchExpressions: [{key: app, operator: in, values: [web]}]'), at: '13:53',
    good: np('- from:\n    - podSelector:\n        matchExpressions: [{key: app, operator: In, values: [web]}]'),
    message: /"in" is not a label selector operator/,
  },
  {
    id: 'k8s-np-selector', when: 'In without values',
    bad: np('- from:\n    - namespaceSelector:\n        matchExpressions: [{key: team, operator: In}]'), at: '13:32',
    good: np('- from:\n    - namespaceSelector:\n        matchExpressions: [{key: team, operator: Exists}]'),
    message: /operator In needs at least one value/,
  },
  {
    id: 'k8s-np-peer', when: 'an empty peer',
    bad: np('- from:\n    - {}\n  ports: [{port: 80}]'), at: '12:11', good: np('- ports: [{port: 80}]'),
    message: /the peer has none of podSelector, namespaceSelector and ipBlock/,
  },
  {
    id: 'k8s-np-peer', when: 'ipBlock beside a podSelector',
    bad: np('- from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}'), at: '12:11',
    good: np('- from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n    - podSelector: {}'), goodFindings: IP_BLOCK_1_19,
    message: /ipBlock beside a selector/,
  },
  {
    id: 'k8s-np-ip-block', when: 'except equal to the cidr',
    bad: np('- from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}'), at: '12:48',
    good: np('- from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}'), goodFindings: IP_BLOCK_1_19,
    message: /except 10\.0\.0\.0\/8 is not strictly inside cidr 10\.0\.0\.0\/8/,
  },
  {
    id: 'k8s-np-ip-block', when: 'a cidr that is not one',
    bad: np('- from:\n    - ipBlock: {cidr: 10.0.0.0/33}'), at: '12:27', good: np('- from:\n    - ipBlock: {cidr: 10.0.0.0/32}'), goodFindings: IP_BLOCK_1_19,
    message: /"10\.0\.0\.0\/33" is not a CIDR/,
  },
  {
    id: 'k8s-np-protocol', when: 'a lower-case protocol',
    bad: np(`${FROM_WEB}\n  ports: [{port: 80, protocol: tcp}]`), at: '14:36', good: np(`${FROM_WEB}\n  ports: [{port: 80, protocol: TCP}]`),
    message: /protocol "tcp" is not supported/,
  },
  {
    id: 'k8s-np-port', when: 'a port above 65535',
    bad: np(`${FROM_WEB}\n  ports: [{port: 70000}]`), at: '14:22', good: np(`${FROM_WEB}\n  ports: [{port: 7000}]`),
    message: /port 70000 is not between 1 and 65535/,
  },
  {
    id: 'k8s-np-port', when: 'a quoted number (a port name without a letter)',
    bad: np(`${FROM_WEB}\n  ports: [{port: "8080"}]`), at: '14:22', good: np(`${FROM_WEB}\n  ports: [{port: http-alt}]`),
    message: /port "8080" is a string/,
  },
  {
    id: 'k8s-np-end-port', when: 'endPort below port',
    bad: np(`${FROM_WEB}\n  ports: [{port: 9000, endPort: 8000}]`), at: '14:37', good: np(`${FROM_WEB}\n  ports: [{port: 8000, endPort: 9000}]`),
    message: /endPort 8000 is below port 9000/,
  },
  {
    id: 'k8s-np-end-port', when: 'endPort with a named port',
    bad: np(`${FROM_WEB}\n  ports: [{port: http, endPort: 90}]`), at: '14:37', good: np(`${FROM_WEB}\n  ports: [{port: http}]`),
    message: /endPort with the named port "http"/,
  },
  {
    id: 'k8s-np-policy-types', when: 'a lower-case policy type',
    bad: np(FROM_WEB, '    policyTypes: [ingress]\n'), at: '14:17', good: np(FROM_WEB, '    policyTypes: [Ingress]\n'),
    message: /"ingress" is not a policy type/,
  },
];

describe('k8s-np-… checks', () => {
  it('every id has a case', () => {
    expect([...new Set(CASES.map((c) => c.id))].sort()).toEqual(NETWORK_POLICY_CHECKS.map((c) => c.id).sort());
  });

  for (const c of CASES) {
    it(`${c.id}: ${c.when}`, () => {
      const bad = check({ 'np.yaml': c.bad });
      expect(where(bad, c.id), summary(bad).join('\n')).toEqual([`np.yaml:${c.at}`]);
      const [d] = findings(bad, c.id);
      expect(d).toMatchObject({ severity: 'error', kind: 'NetworkPolicy', namespace: 'shop' });
      expect(d.message).toMatch(c.message);
      expect(d.fix).not.toBe('');
      expect(bad.summary.passed).toBe(false);
      const good = check({ 'np.yaml': c.good });
      expect(summary(good)).toEqual(c.goodFindings ?? []);
    });
  }

  it('a NetworkPolicy that is not an object, or without spec, is left alone; a spec that is not an object is a type error', () => {
    expect(validateNetworkPolicy('x')).toEqual([]);
    expect(validateNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'a' } })).toEqual([]);
    expect(validateNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: [] }).map((d) => `${d.id} ${d.path}`)).toEqual(['k8s-np-type spec']);
    // Without an apiVersion, kubectl refuses it ("apiVersion not set").
    expect(validateNetworkPolicy({ kind: 'NetworkPolicy', metadata: { name: 'a' } }).map((d) => `${d.id} ${d.path}`)).toEqual(['k8s-np-api-version apiVersion']);
  });

  it('a label key name of 63 characters is a qualified name, of 64 it is not (k8s-np-selector), with or without a prefix', () => {
    const keyFindings = (key: string): string[] => validateNetworkPolicy({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'a' }, spec: { podSelector: { matchLabels: { [key]: 'x' } } },
    }).map((d) => `${d.id} ${d.path}`);
    for (const name of ['a'.repeat(63), `example.com/${'b'.repeat(63)}`]) expect(keyFindings(name), name).toEqual([]);
    for (const name of ['a'.repeat(64), `example.com/${'b'.repeat(64)}`]) {
      expect(keyFindings(name), name).toEqual([`k8s-np-selector spec.podSelector.matchLabels[${JSON.stringify(name)}]`]);
    }
  });

  it('more than two policy types, and an except outside the cidr', () => {
    const found = validateNetworkPolicy({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'a' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16', 'x'] } }] }] },
    });
    expect(found.map((d) => `${d.id} ${d.path}`)).toEqual([
      'k8s-np-ip-block spec.egress[0].to[0].ipBlock.except[0]',
      'k8s-np-ip-block spec.egress[0].to[0].ipBlock.except[1]',
      'k8s-np-policy-types spec.policyTypes',
    ]);
  });
});

describe('the engine skips a NetworkPolicy the API server rejects', () => {
  const deny = (port: unknown): Record<string, unknown> => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [port] }] },
  });
  const verdictOf = (s: PolicySet, from: string): string => verdictFor(s, from, 'pod:shop:app=api', '80/TCP').verdict;

  it('a valid one is enforced: web allowed on 80, db denied', () => {
    const s = PolicySet.fromYaml(JSON.stringify(deny({ port: 80 })), { file: 'np.yaml' });
    expect(s.diagnostics).toEqual([]);
    expect([verdictOf(s, 'pod:shop:app=web'), verdictOf(s, 'pod:shop:app=db')]).toEqual(['allowed', 'denied']);
  });

  it.each([
    ['a lower-case protocol', { port: 80, protocol: 'tcp' }],
    ['a port above 65535', { port: 70000 }],
    ['an endPort with a named port', { port: 'http', endPort: 90 }],
  ])('%s: not in the cluster, so not enforced (default allow), with a warning naming it and why', (_what, port) => {
    const s = PolicySet.fromYaml(JSON.stringify(deny(port)), { file: 'np.yaml' });
    expect([verdictOf(s, 'pod:shop:app=web'), verdictOf(s, 'pod:shop:app=db')]).toEqual(['allowed', 'allowed']);
    expect(s.diagnostics.map((d) => d.id)).toEqual(['engine-policy-skipped']);
    expect(s.diagnostics[0].message).toMatch(/^NetworkPolicy shop\/api is skipped \(the cluster enforces none of it\): the whole policy is not imported: the API server rejects it: .*\[k8s-np-/);
  });

  it.each([
    ['a name that is no DNS-1123 subdomain', { name: 'use_common_labels', namespace: 'shop' }, 'k8s-np-metadata'],
    ['an upper-case name', { name: 'API', namespace: 'shop' }, 'k8s-np-metadata'],
    ['a namespace that is no string', { name: 'api', namespace: 7 }, 'parse-wrong-type'],
    ['a namespace that is a list', { name: 'api', namespace: ['shop'] }, 'parse-wrong-type'],
  ])('%s: the API server refuses it, so the engine enforces none of it (db allowed as web is)', (_what, metadata, id) => {
    const doc = deny({ port: 80 });
    doc.metadata = metadata;
    const s = PolicySet.fromYaml(JSON.stringify(doc), { file: 'np.yaml' });
    // In shop (where a namespace 7 was judged before) and in default.
    for (const ns of ['shop', 'default']) {
      const v = (from: string): string => verdictFor(s, `pod:${ns}:${from}`, `pod:${ns}:app=api`, '80/TCP').verdict;
      expect([v('app=web'), v('app=db')], ns).toEqual(['allowed', 'allowed']);
    }
    const skipped = s.diagnostics.filter((d) => d.id === 'engine-policy-skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0].message).toContain(`[${id}]`);
  });

  it('a namespace that is no string is said at its line by the reader (parse-wrong-type), as a CNP\'s is', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: 7\nspec:\n  podSelector: {}\n';
    const s = PolicySet.fromYaml(text, { file: 'np.yaml' });
    const wrong = s.diagnostics.filter((d) => d.id === 'parse-wrong-type');
    expect(wrong.map((d) => `${d.line}`)).toEqual(['5']);
    // Default deny of the whole namespace, refused: nothing denied anywhere.
    expect(verdictFor(s, 'pod:default:app=web', 'pod:default:app=api', '80/TCP').verdict).toBe('allowed');
  });

  it('an empty peer (which the API server refuses) never widens into "every peer"', () => {
    const doc = deny({ port: 80 });
    (doc.spec as { ingress: { from: unknown[] }[] }).ingress[0].from = [{}];
    const s = PolicySet.fromYaml(JSON.stringify(doc), { file: 'np.yaml' });
    expect(s.diagnostics[0].message).toContain('[k8s-np-peer]');
    expect(verdictOf(s, 'pod:shop:app=db')).toBe('allowed');
  });
});

describe('pitfalls ignore a NetworkPolicy the API server rejects', () => {
  it('a rejected egress deny-all is not reported as cutting DNS (the cluster does not have it)', () => {
    const text = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: deny
        namespace: shop
      spec:
        podSelector: {}
        policyTypes: [Egress, egress]
    `;
    const report = check({ 'np.yaml': text });
    expect(report.diagnostics.map((d) => d.id)).toEqual(['k8s-np-policy-types']);
    expect(check({ 'np.yaml': text.replace(', egress]', ']') }).diagnostics.map((d) => d.id)).toEqual(['pitfall-default-deny-without-dns']);
  });
});

// Session 44 review: a label `country: NO` was "is the boolean false, the API server wants a string; fix: write … as a
// string", the value written unnamed. It is said as the policy reader says it, and the fix quotes it as written.
describe('a NetworkPolicy label written as a YAML 1.1 boolean', () => {
  it('names the text written and why it is a boolean, and quotes it in the fix; true keeps quote it: "true"', () => {
    const r = check({ 'np.yaml': yaml`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: default}
spec:
  podSelector:
    matchLabels:
      country: NO
      app: true
` });
    expect(r.diagnostics.filter((d) => d.id === 'k8s-np-type').map((d) => `${d.line}:${d.column} ${d.message} | ${d.fix}`)).toEqual([
      '7:16 spec.podSelector.matchLabels["country"] is the boolean false, the API server wants a string (unquoted NO is a YAML 1.1 boolean: kubectl, '
        + 'Helm, Argo CD and Flux send false) | quote it: "NO"',
      '8:12 spec.podSelector.matchLabels["app"] is the boolean true, the API server wants a string | quote it: "true"',
    ]);
  });
});
