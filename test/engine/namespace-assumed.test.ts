// Session 46: a CiliumNetworkPolicy without metadata.namespace was judged in `default` without a word. The API server
// stores it in the namespace of the request (kubectl: -n or its context's), so every verdict about it holds only if
// that is default: the set says so (`engine-namespace-assumed`, a warning at the policy's file and line).
import { describe, expect, test } from 'vitest';
import { Endpoints, PolicySet } from '../../src';

const cnp = (metadata: string, kind = 'CiliumNetworkPolicy'): string => `apiVersion: cilium.io/v2\nkind: ${kind}\nmetadata:\n${metadata}\nspec:\n`
  + '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]\n';
const query = (ns: string, port: number): Parameters<PolicySet['decide']>[0] =>
  ({ from: Endpoints.pod(ns, { app: 'client' }), to: Endpoints.pod(ns, { app: 'web' }), port, protocol: 'TCP' });

describe('a CiliumNetworkPolicy without metadata.namespace', () => {
  test('is judged in default, with a warning at its file and line naming the assumption', () => {
    const set = PolicySet.fromYaml('# a comment\n' + cnp('  name: web'), { file: 'p.yaml' });
    // The truth table of the assumption: default is subject to it (80 allowed, 81 denied), shop is not (no policy).
    expect([set.decide(query('default', 80)), set.decide(query('default', 81)), set.decide(query('shop', 81))]).toEqual(['allowed', 'denied', 'allowed']);
    const warnings = set.diagnostics.filter((d) => d.id === 'engine-namespace-assumed');
    expect(warnings.map((d) => [d.severity, `${d.file}:${d.line}`, d.message, d.fix])).toEqual([['warning', 'p.yaml:5',
      'CiliumNetworkPolicy web has no metadata.namespace: judged in namespace default; kubectl applies it to the namespace of -n or of its context '
        + '(kubectl config view --minify), kustomize and Helm to theirs: the verdicts hold only if that is default',
      'write metadata.namespace: <the namespace it is applied to>']]);
  });

  test('with a namespace, or clusterwide, nothing is assumed: no warning', () => {
    for (const [doc, ns] of [[cnp('  name: web\n  namespace: shop'), 'shop'], [cnp('  name: web\n  namespace: default'), 'default']] as const) {
      const set = PolicySet.fromYaml(doc, { file: 'p.yaml' });
      expect([set.diagnostics.map((d) => d.id), set.decide(query(ns, 81))], doc).toEqual([[], 'denied']);
    }
    const ccnp = PolicySet.fromYaml(cnp('  name: web', 'CiliumClusterwideNetworkPolicy'), { file: 'p.yaml' });
    expect([ccnp.diagnostics.map((d) => d.id), ccnp.decide(query('shop', 81))]).toEqual([[], 'denied']);
  });

  test('a NetworkPolicy without one alike (also as a List item); with one, no warning', () => {
    const np = (meta: string): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n${meta}\nspec:\n`
      + '  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 80}]}]\n';
    const set = PolicySet.fromYaml(np('  name: np'), { file: 'np.yaml' });
    expect([set.decide(query('default', 80)), set.decide(query('default', 81)), set.decide(query('shop', 81))]).toEqual(['allowed', 'denied', 'allowed']);
    expect(set.diagnostics.map((d) => [d.id, `${d.file}:${d.line}`, d.message.split(':')[0]]))
      .toEqual([['engine-namespace-assumed', 'np.yaml:4', 'NetworkPolicy np has no metadata.namespace']]);
    const list = PolicySet.fromYaml('apiVersion: v1\nkind: List\nitems:\n- ' + np('  name: np').split('\n').join('\n  '), { file: 'l.yaml' });
    expect([list.diagnostics.map((d) => d.id), list.decide(query('default', 81))]).toEqual([['engine-namespace-assumed'], 'denied']);
    const named = PolicySet.fromYaml(np('  name: np\n  namespace: shop'), { file: 'np.yaml' });
    expect([named.diagnostics, named.decide(query('shop', 81)), named.decide(query('default', 81))]).toEqual([[], 'denied', 'allowed']);
  });

  test('an empty namespace is the request\'s too (objectNamespace): warned about alike', () => {
    const set = PolicySet.fromYaml(cnp('  name: web\n  namespace: ""'), { file: 'p.yaml' });
    expect(set.diagnostics.filter((d) => d.id === 'engine-namespace-assumed').map((d) => d.line)).toEqual([4]);
  });
});
