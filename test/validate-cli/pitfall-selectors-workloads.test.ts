// The pitfalls of src/validate/pitfall-selectors.ts judged against the workloads of the input, as truth tables (found by
// mutation testing, docs/testing.md "Validate rules, third round"): selectors that match no workload
// (`pitfall-selector-matches-nothing`), selectors of pods on the host network (`pitfall-host-network-pods`) and a
// NetworkPolicy on the same pods as a Cilium rule (`pitfall-network-policy-overlap`), each asserted by id and path, and
// their messages where they name the workloads. Documents are written as JSON (a YAML subset), built inside each test.
import { describe, expect, it } from 'vitest';
import { check, findings } from './helpers';

type Doc = Record<string, unknown>;
const labels = (app: string): Doc => ({ matchLabels: { app } });

function cnp(spec: Doc, name = 'p', namespace = 'shop'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}
function ccnp(spec: Doc, name = 'c'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}
function deployment(name: string, namespace = 'shop', options: { app?: string; hostNetwork?: boolean } = {}): Doc {
  const app = options.app ?? name;
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: {
      selector: labels(app),
      template: { metadata: { labels: { app } }, spec: { ...(options.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}
function networkPolicy(app: string, name = 'np', namespace = 'shop', spec: Doc = {}): Doc {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector: labels(app), policyTypes: ['Ingress'], ...spec } };
}

const run = (docs: readonly Doc[]) => check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])));
/** `document: path` of each finding of `id`. */
const paths = (id: string, docs: readonly Doc[]): string[] => findings(run(docs), id).map((d) => `${d.file}: ${d.path ?? ''}`);
const messages = (id: string, docs: readonly Doc[]): string[] => findings(run(docs), id).map((d) => d.message);

describe('pitfall-selector-matches-nothing', () => {
  const ID = 'pitfall-selector-matches-nothing';

  it('two selectors whose agent text is the same are told apart: `app In ["web,api"]` and `app In [web, api]`, in either order', () => {
    // Session 55 review: the run's per-selector memo was keyed by `cacheKey()` (values joined unquoted), so the refused
    // one-value selector and the valid two-value one shared an entry: a false finding on the valid policy, or none on the bad.
    const bad = cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web,api'] }] }, ingress: [{ fromEndpoints: [{}] }] }, 'a-bad');
    const good = cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, ingress: [{ fromEndpoints: [{}] }] }, 'b-good');
    const web = deployment('web');
    expect(paths(ID, [web, bad, good])).toEqual(['d1.yaml: spec.endpointSelector']);
    expect(paths(ID, [web, good, bad])).toEqual(['d2.yaml: spec.endpointSelector']);
  });

  it('the subject: flagged when it matches none of the workloads, not when it matches one, not without workloads', () => {
    expect(paths(ID, [deployment('web'), cnp({ endpointSelector: labels('webapp'), ingress: [{ fromEntities: ['world'] }] })]))
      .toEqual(['d1.yaml: spec.endpointSelector']);
    expect(paths(ID, [deployment('web'), cnp({ endpointSelector: labels('web'), ingress: [{ fromEntities: ['world'] }] })])).toEqual([]);
    expect(paths(ID, [cnp({ endpointSelector: labels('webapp'), ingress: [{ fromEntities: ['world'] }] })])).toEqual([]);
    // Workloads only in another namespace: the input cannot tell for this one.
    expect(paths(ID, [deployment('web', 'other'), cnp({ endpointSelector: labels('webapp'), ingress: [{ fromEntities: ['world'] }] })])).toEqual([]);
  });

  it('peers in every section, at their index, with the field of their direction', () => {
    const spec = {
      endpointSelector: labels('web'),
      ingress: [{ fromEntities: ['world'] }, { fromEndpoints: [labels('web'), labels('nope-in')] }],
      egress: [{ toEndpoints: [labels('nope-out')] }],
      ingressDeny: [{ fromEndpoints: [labels('nope-in-deny')] }],
      egressDeny: [{ toEndpoints: [labels('web')] }, { toEndpoints: [labels('nope-out-deny')] }],
    };
    expect(paths(ID, [deployment('web'), cnp(spec)])).toEqual([
      'd1.yaml: spec.ingress[1].fromEndpoints[1]',
      'd1.yaml: spec.egress[0].toEndpoints[0]',
      'd1.yaml: spec.ingressDeny[0].fromEndpoints[0]',
      'd1.yaml: spec.egressDeny[1].toEndpoints[0]',
    ]);
    expect(messages(ID, [deployment('web'), cnp(spec)]).map((m) => m.split(' ')[0])).toEqual(['fromEndpoints', 'toEndpoints', 'fromEndpoints', 'toEndpoints']);
  });

  it('a peer is not judged without workloads, nor when it selects a reserved identity or a namespace without workloads', () => {
    const peers = (...selectors: Doc[]): Doc => cnp({ endpointSelector: labels('web'), ingress: [{ fromEndpoints: selectors }] });
    expect(paths(ID, [peers(labels('nope'))])).toEqual([]);
    expect(paths(ID, [deployment('web'), peers({ matchLabels: { 'reserved:host': '' } })])).toEqual([]);
    expect(paths(ID, [deployment('web'), peers({ matchLabels: { app: 'nope', 'k8s:io.kubernetes.pod.namespace': 'other' } })])).toEqual([]);
    expect(paths(ID, [deployment('web'), peers({ matchLabels: { app: 'nope', 'k8s:io.kubernetes.pod.namespace': 'shop' } })]))
      .toEqual(['d1.yaml: spec.ingress[0].fromEndpoints[0]']);
  });

  it('host policies are not judged against workloads (their subject is nodes)', () => {
    const host = ccnp({ nodeSelector: labels('nope'), ingress: [{ fromEndpoints: [labels('nope')] }] });
    expect(paths(ID, [deployment('web'), host])).toEqual([]);
  });

  it('the message: the only workload, or how many, at most three of them, with the namespace when the selector has one', () => {
    const rule = cnp({ endpointSelector: labels('webapp'), ingress: [{ fromEntities: ['world'] }] });
    expect(messages(ID, [deployment('web'), rule])).toEqual([
      'endpointSelector {app=webapp} (namespace shop) does not match the only workload of the input there: Deployment shop/web {app=web}',
    ]);
    expect(messages(ID, [deployment('a'), deployment('b'), deployment('c'), rule])).toEqual([
      'endpointSelector {app=webapp} (namespace shop) matches none of the 3 workloads of the input there: '
      + 'Deployment shop/a {app=a}; Deployment shop/b {app=b}; Deployment shop/c {app=c}',
    ]);
    const [four] = messages(ID, [deployment('a'), deployment('b'), deployment('c'), deployment('d'), deployment('e', 'other'), rule]);
    expect(four).toBe('endpointSelector {app=webapp} (namespace shop) matches none of the 4 workloads of the input there: '
      + 'Deployment shop/a {app=a}; Deployment shop/b {app=b}; Deployment shop/c {app=c} and 1 more');
    // A clusterwide subject has no namespace: every workload is a candidate.
    const cluster = ccnp({ endpointSelector: labels('webapp'), ingress: [{ fromEntities: ['world'] }] });
    expect(messages(ID, [deployment('a'), deployment('b', 'other'), cluster])).toEqual([
      'endpointSelector {app=webapp} matches none of the 2 workloads of the input: Deployment shop/a {app=a}; Deployment other/b {app=b}',
    ]);
  });
});

describe('pitfall-host-network-pods', () => {
  const ID = 'pitfall-host-network-pods';
  const onHost = (name: string, namespace = 'shop'): Doc => deployment(name, namespace, { app: 'web', hostNetwork: true });

  it('the subject: flagged when it selects hostNetwork pods, naming only those', () => {
    const rule = cnp({ endpointSelector: labels('web'), ingress: [{ fromEntities: ['world'] }] });
    expect(paths(ID, [onHost('a'), rule])).toEqual(['d1.yaml: spec.endpointSelector']);
    expect(paths(ID, [deployment('a', 'shop', { app: 'web' }), rule])).toEqual([]);
    expect(messages(ID, [deployment('plain', 'shop', { app: 'web' }), onHost('a'), rule])[0]).toContain('(Deployment shop/a):');
    expect(messages(ID, [onHost('a'), onHost('b'), onHost('c'), onHost('d'), onHost('e'), rule])[0])
      .toContain('(Deployment shop/a, Deployment shop/b, Deployment shop/c and 2 more):');
    expect(messages(ID, [onHost('a'), onHost('b'), onHost('c'), rule])[0]).toContain('(Deployment shop/a, Deployment shop/b, Deployment shop/c):');
  });

  it('peers in every section, with the entities of their direction in the fix', () => {
    const spec = {
      endpointSelector: labels('api'),
      ingress: [{ fromEntities: ['world'] }, { fromEndpoints: [labels('api'), labels('web')] }],
      egress: [{ toEndpoints: [labels('web')] }],
      ingressDeny: [{ fromEndpoints: [labels('web')] }],
      egressDeny: [{ toEndpoints: [labels('api')] }, { toEndpoints: [labels('web')] }],
    };
    const docs = [deployment('api'), onHost('a'), cnp(spec)];
    expect(paths(ID, docs)).toEqual([
      'd2.yaml: spec.ingress[1].fromEndpoints[1]',
      'd2.yaml: spec.egress[0].toEndpoints[0]',
      'd2.yaml: spec.ingressDeny[0].fromEndpoints[0]',
      'd2.yaml: spec.egressDeny[1].toEndpoints[0]',
    ]);
    const found = findings(run(docs), ID);
    expect(found.map((d) => d.message.split(' ')[0])).toEqual(['fromEndpoints', 'toEndpoints', 'fromEndpoints', 'toEndpoints']);
    expect(found.map((d) => d.fix.split(':')[0])).toEqual([
      'name them as fromEntities', 'name them as toEntities', 'name them as fromEntities', 'name them as toEntities',
    ]);
    expect(found[0].message).toContain('(Deployment shop/a): their traffic carries the node\'s identity');
  });

  it('host policies are not judged (they are what restricts hostNetwork pods)', () => {
    const host = ccnp({ nodeSelector: {}, ingress: [{ fromEndpoints: [labels('web')] }] });
    expect(paths(ID, [onHost('a'), host])).toEqual([]);
  });
});

describe('pitfall-network-policy-overlap', () => {
  const ID = 'pitfall-network-policy-overlap';
  const rule = (app: string, namespace = 'shop'): Doc => cnp({ endpointSelector: labels(app), ingress: [{ fromEntities: ['world'] }] }, 'p', namespace);

  it('with workloads: flagged when both select a workload, naming the shared ones; not when they select different ones', () => {
    expect(paths(ID, [deployment('web'), networkPolicy('web'), rule('web')])).toEqual(['d2.yaml: spec.endpointSelector']);
    expect(paths(ID, [deployment('web'), deployment('db'), networkPolicy('db'), rule('web')])).toEqual([]);
    // The rule selects a workload and the NetworkPolicy none (known): not the same pods.
    expect(paths(ID, [deployment('web'), networkPolicy('cache'), rule('web')])).toEqual([]);
    expect(paths(ID, [deployment('web'), networkPolicy('web'), rule('cache')])).toEqual([]);
    const [m] = messages(ID, [deployment('web'), deployment('db', 'shop', { app: 'web' }), deployment('x'), networkPolicy('web'), rule('web')]);
    expect(m).toBe('this rule and the Kubernetes NetworkPolicy shop/np (d3.yaml:1) {app=web} apply to the same pods (both select the pods of '
      + 'Deployment shop/web, Deployment shop/db): Cilium enforces both, a connection allowed by either one is allowed, and neither shows on its own '
      + 'what these pods may do');
  });

  it('without workloads of theirs, judged from the selectors', () => {
    expect(messages(ID, [networkPolicy('web'), rule('web')])).toEqual([expect.stringContaining('(judged from the selectors, they can select the same pods)')]);
    expect(paths(ID, [networkPolicy('db'), rule('web')])).toEqual([]);
    expect(paths(ID, [networkPolicy('web', 'np', 'other'), rule('web')])).toEqual([]);
    // Workloads that neither selects: the selectors decide.
    expect(paths(ID, [deployment('x'), networkPolicy('web'), rule('web')])).toEqual(['d2.yaml: spec.endpointSelector']);
    expect(paths(ID, [deployment('x'), networkPolicy('db'), rule('web')])).toEqual([]);
  });

  it('the pods decide when both sides are known and one selects any: selectors that could overlap but select different pods', () => {
    const byTier = cnp({ endpointSelector: { matchLabels: { tier: 'front' } }, ingress: [{ fromEntities: ['world'] }] });
    const npByTier = { ...networkPolicy('x'), spec: { podSelector: { matchLabels: { tier: 'front' } }, policyTypes: ['Ingress'] } };
    // The rule selects Deployment web, the NetworkPolicy no workload (and the other way round): no finding, although
    // `app=web` and `tier=front` could select the same pod.
    expect(paths(ID, [deployment('web'), npByTier, rule('web')])).toEqual([]);
    expect(paths(ID, [deployment('web'), networkPolicy('web'), byTier])).toEqual([]);
  });

  it('when one side cannot be told from the input, the selectors decide', () => {
    // The rule selects by a namespace label, and the input has no Namespace: its pods are unknown, the NetworkPolicy's known.
    const byNamespaceLabel = cnp({
      endpointSelector: { matchLabels: { app: 'web', 'k8s:io.cilium.k8s.namespace.labels.team': 'a' } }, ingress: [{ fromEntities: ['world'] }],
    });
    expect(messages(ID, [deployment('web'), networkPolicy('web'), byNamespaceLabel]))
      .toEqual([expect.stringContaining('(judged from the selectors, they can select the same pods)')]);
    // A clusterwide rule's pods are known, those of a NetworkPolicy in a namespace without workloads are not.
    const clusterwide = ccnp({ endpointSelector: labels('web'), ingress: [{ fromEntities: ['world'] }] });
    expect(messages(ID, [deployment('web'), networkPolicy('web', 'np', 'other'), clusterwide]))
      .toEqual([expect.stringContaining('(judged from the selectors, they can select the same pods)')]);
  });

  it('each NetworkPolicy is judged; one the API server rejects is not (the cluster does not have it)', () => {
    const bad = networkPolicy('web', 'bad', 'shop', { policyTypes: ['ingress'] });
    expect(paths(ID, [bad, networkPolicy('web', 'good'), rule('web')])).toEqual(['d2.yaml: spec.endpointSelector']);
    expect(messages(ID, [bad, networkPolicy('web', 'good'), rule('web')])[0]).toContain('NetworkPolicy shop/good');
    expect(paths(ID, [networkPolicy('web', 'a'), networkPolicy('web', 'b'), rule('web')])).toHaveLength(2);
  });

  it('(session 47 review) a NetworkPolicy or a Cilium policy without a name, or with one that is no string, is no object of the cluster', () => {
    const namedNp = (metadata: Doc): Doc => ({ ...networkPolicy('web'), metadata });
    for (const metadata of [{ namespace: 'shop' }, { name: '', namespace: 'shop' }, { name: 0, namespace: 'shop' }, { name: { a: 1 }, namespace: 'shop' }]) {
      expect(paths(ID, [deployment('web'), namedNp(metadata), rule('web')]), JSON.stringify(metadata)).toEqual([]);
    }
    expect(paths(ID, [deployment('web'), namedNp({ generateName: 'np-', namespace: 'shop' }), rule('web')])).toEqual(['d2.yaml: spec.endpointSelector']);
    const namelessRule = { ...rule('web'), metadata: { namespace: 'shop' } };
    expect(paths(ID, [deployment('web'), networkPolicy('web'), namelessRule])).toEqual([]);
  });

  it('host policies are not judged against NetworkPolicies', () => {
    expect(paths(ID, [networkPolicy('web'), ccnp({ nodeSelector: {}, ingress: [{ fromEntities: ['world'] }] })])).toEqual([]);
  });
});
