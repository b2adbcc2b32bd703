// Label selectors as the agent matches them (src/model/labels.ts), pinned by engine verdicts: a key with a source
// (`k8s:app`, `container:app`) matches only labels of that source, a key without one matches every source, the four
// operators each with and without a source, and the legacy `reserved.` spelling.
import { describe, expect, test } from 'vitest';
import {
  formatLabel, kubeletMaySetNodeLabel, LabelSet, nodeCannotClaimLabel, nodeSelectorClaimable, Selector, sourceNoNodeCarries, splitLabelKey,
} from '../../src/model/labels';
import { labelKeyName, labelKeySource } from '../../src/model/selectors';
import { cnp, labels, policySet, verdict } from '../engine/helpers';

/** Whether a policy with this endpointSelector and `ingress: [{}]` (deny everything) selects the pod. */
function selects(selector: Record<string, unknown>, pod: string): boolean {
  const set = policySet([cnp('p', { endpointSelector: selector, ingress: [{}] })]);
  return verdict(set, 'pod:default:app=client', pod, 80).ingress.decision === 'default-deny';
}

const K8S_WEB = 'pod:default:app=web';
const CONTAINER_WEB = 'pod:default:container:app=web';
const BOTH = 'pod:default:app=web,container:app=db';

describe('selector keys and label sources (engine verdicts)', () => {
  test.each([
    // selector, pod, selected
    [labels({ app: 'web' }), K8S_WEB, true],
    [labels({ app: 'web' }), CONTAINER_WEB, true], // no source: any source
    [labels({ 'any:app': 'web' }), CONTAINER_WEB, true],
    [labels({ 'k8s:app': 'web' }), K8S_WEB, true],
    [labels({ 'k8s:app': 'web' }), CONTAINER_WEB, false],
    [labels({ 'container:app': 'web' }), CONTAINER_WEB, true],
    [labels({ 'container:app': 'web' }), K8S_WEB, false],
    [labels({ 'k8s:app': 'db' }), BOTH, false], // db is the container label's value
    [labels({ 'container:app': 'db' }), BOTH, true],
    [labels({ app: 'db' }), BOTH, true],
    [labels({ 'other:app': 'web' }), K8S_WEB, false], // `other:` is no source: the key is `other:app`
    [labels({ app: 'web', tier: 'x' }), K8S_WEB, false], // matchLabels are AND'ed
    [{}, K8S_WEB, true],
  ])('matchLabels %j selects %s: %s', (selector, pod, selected) => {
    expect(selects(selector, pod)).toBe(selected);
  });

  test.each([
    // operator, key, values, pod, selected
    ['In', 'app', ['web', 'api'], K8S_WEB, true],
    ['In', 'app', ['api', 'web'], K8S_WEB, true],
    ['In', 'app', ['api'], K8S_WEB, false],
    ['In', 'k8s:app', ['web'], CONTAINER_WEB, false],
    ['In', 'k8s:app', ['db'], BOTH, false],
    ['In', 'container:app', ['db'], BOTH, true],
    ['In', 'app', ['db'], BOTH, true],
    ['In', 'tier', ['web'], K8S_WEB, false],
    ['NotIn', 'app', ['api'], K8S_WEB, true],
    ['NotIn', 'app', ['web'], K8S_WEB, false],
    ['NotIn', 'tier', ['x'], K8S_WEB, true], // no such key: NotIn holds
    ['NotIn', 'k8s:app', ['db'], BOTH, true], // the db label is a container label
    ['NotIn', 'container:app', ['db'], BOTH, false],
    ['NotIn', 'app', ['db'], BOTH, false], // any source: the container label is db
    ['NotIn', 'k8s:app', ['web'], CONTAINER_WEB, true],
    ['Exists', 'app', [], K8S_WEB, true],
    ['Exists', 'app', [], CONTAINER_WEB, true],
    ['Exists', 'tier', [], K8S_WEB, false],
    ['Exists', 'k8s:app', [], CONTAINER_WEB, false],
    ['Exists', 'container:app', [], CONTAINER_WEB, true],
    ['Exists', 'container:app', [], K8S_WEB, false],
    ['DoesNotExist', 'tier', [], K8S_WEB, true],
    ['DoesNotExist', 'app', [], K8S_WEB, false],
    ['DoesNotExist', 'app', [], CONTAINER_WEB, false],
    ['DoesNotExist', 'k8s:app', [], CONTAINER_WEB, true],
    ['DoesNotExist', 'k8s:app', [], K8S_WEB, false],
    ['DoesNotExist', 'container:app', [], K8S_WEB, true],
  ])('matchExpressions %s on %s %j selects %s: %s', (operator, key, values, pod, selected) => {
    const expression = { key, operator, ...(values.length > 0 ? { values } : {}) };
    expect(selects({ matchExpressions: [expression] }, pod)).toBe(selected);
  });

  test('matchLabels and matchExpressions are AND\'ed', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    expect(selects(selector, K8S_WEB)).toBe(false);
    expect(selects(selector, 'pod:default:app=web,tier=front')).toBe(true);
    expect(selects(selector, 'pod:default:app=api,tier=front')).toBe(false);
  });

  test('the legacy reserved.<name> key selects the reserved identity, like reserved:<name>', () => {
    for (const key of ['reserved.world', 'reserved:world']) {
      const set = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ [key]: '' })] }] })]);
      expect(verdict(set, 'cidr:203.0.113.7', 'pod:default:app=api', 80).allowed, key).toBe(true);
      expect(verdict(set, 'pod:default:app=web', 'pod:default:app=api', 80).allowed, key).toBe(false);
    }
  });

  test('the explanation of a near miss prints the selector with its sources', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{
        fromEndpoints: [{ matchLabels: { 'k8s:app': 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'env', operator: 'NotIn', values: ['dev', 'test'] }, { key: 'x', operator: 'DoesNotExist' }] }],
        toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }],
      }],
    })]);
    const notes = verdict(set, 'pod:default:app=cli', 'pod:default:app=api', 80).ingress.notes.join('\n');
    expect(notes).toContain('allows 80/TCP only from fromEndpoints {k8s:app=web, any:tier In (a,b), any:env NotIn (dev,test), any:x DoesNotExist, '
      + 'k8s:io.kubernetes.pod.namespace=default, k8s:io.cilium.k8s.policy.cluster=default}');
  });
});

describe('label sets and keys', () => {
  test('splitLabelKey: the prefix before the first colon (known to Cilium or not), the reserved. spelling, else the default source', () => {
    expect(splitLabelKey('k8s:app')).toEqual({ source: 'k8s', key: 'app' });
    expect(splitLabelKey('app')).toEqual({ source: 'any', key: 'app' });
    expect(splitLabelKey('app', 'k8s')).toEqual({ source: 'k8s', key: 'app' });
    expect(splitLabelKey('reserved.world')).toEqual({ source: 'reserved', key: 'world' });
    expect(splitLabelKey('reserved:world')).toEqual({ source: 'reserved', key: 'world' });
    // pkg/labels ParseSource: everything before the first ':' is the source, a source Cilium has or not.
    expect(splitLabelKey('example.com:app')).toEqual({ source: 'example.com', key: 'app' });
    expect(splitLabelKey('reserved.x:y')).toEqual({ source: 'reserved.x', key: 'y' });
    expect(splitLabelKey('k8s:app:x')).toEqual({ source: 'k8s', key: 'app:x' });
    // An empty source is the default one (pkg/labels ParseSource returns "", a selector reads it as any).
    expect(splitLabelKey(':app')).toEqual({ source: 'any', key: 'app' });
    expect(splitLabelKey('k8s:io.cilium.k8s.policy.cluster')).toEqual({ source: 'k8s', key: 'io.cilium.k8s.policy.cluster' });
  });

  test('LabelSet: sorted canonical id, later duplicates win, lookup by source', () => {
    const set = LabelSet.of([
      { source: 'k8s', key: 'b', value: '1' },
      { source: 'reserved', key: 'host', value: '' },
      { source: 'k8s', key: 'a', value: '2' },
      { source: 'container', key: 'a', value: '3' },
      { source: 'k8s', key: 'b', value: '4' },
    ]);
    expect(set.id).toBe('container:a=3,k8s:a=2,k8s:b=4,reserved:host');
    expect(set.toStrings()).toEqual(['container:a=3', 'k8s:a=2', 'k8s:b=4', 'reserved:host']);
    expect(set.lookup('any', 'a').map(formatLabel)).toEqual(['container:a=3', 'k8s:a=2']);
    expect(set.lookup('k8s', 'a').map(formatLabel)).toEqual(['k8s:a=2']);
    expect(set.lookup('node', 'a')).toEqual([]);
    expect(set.lookup('k8s', 'b').map(formatLabel)).toEqual(['k8s:b=4']);
    expect(set.lookup('container', 'b')).toEqual([]);
    expect(set.lookup('any', 'missing')).toEqual([]);
    expect(set.has('reserved', 'host')).toBe(true);
    expect(set.has('k8s', 'host')).toBe(false);
    expect(set.get('k8s', 'a')).toBe('2');
    expect(set.get('container', 'a')).toBe('3');
    expect(set.get('k8s', 'missing')).toBeUndefined();
    expect(formatLabel({ source: 'k8s', key: 'app', value: '' })).toBe('k8s:app=');
    expect(LabelSet.of([{ source: 'k8s', key: 'a', value: '1' }]).id).toBe(LabelSet.of([{ source: 'k8s', key: 'a', value: '1' }]).id);
  });

  test('Selector: keys by exact source, prefixes, reserved keys, without', () => {
    const sel = Selector.from({ matchLabels: { 'k8s:app': 'web', 'reserved:host': '' }, matchExpressions: [{ key: 'io.cilium.k8s.namespace.labels.team', operator: 'Exists' }] });
    expect(sel.hasKey('k8s', 'app')).toBe(true);
    expect(sel.hasKey('any', 'app')).toBe(false);
    expect(sel.hasKey('k8s', 'ap')).toBe(false);
    expect(sel.hasKeyPrefix('any', 'io.cilium.k8s.namespace.labels.')).toBe(true);
    expect(sel.hasKeyPrefix('k8s', 'io.cilium.k8s.namespace.labels.')).toBe(false);
    expect(sel.hasKeyPrefix('any', 'team')).toBe(false);
    expect(sel.hasReservedKey()).toBe(true);
    expect(sel.without('reserved', 'host').hasReservedKey()).toBe(false);
    expect(sel.without('reserved', 'host').hasKey('k8s', 'app')).toBe(true);
    expect(sel.without('k8s', 'host').hasReservedKey()).toBe(true);
    expect(sel.without('any', 'app').hasKey('k8s', 'app')).toBe(true);
    expect(Selector.from({ matchLabels: { app: 'web' } }).hasReservedKey()).toBe(false);
    expect(Selector.all().toString()).toBe('{}');
    expect(Selector.from(undefined).matches(LabelSet.of([]))).toBe(true);
    const odd = Selector.from({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }).and([{ source: 'any', key: 'app', operator: 'Unknown', values: [] }]);
    expect(odd.matches(LabelSet.of([{ source: 'k8s', key: 'app', value: 'web' }]))).toBe(false); // an unknown operator never matches
    expect(odd.toString()).toBe('{any:app Exists, any:app Unknown}');
  });
});

describe('the sorted survivors of labels.ts:1-186 (issue 16): behaviour the first tests left open', () => {
  test('a key without a source whose first letters spell one (`k8sx`) is a key of any source, not a `k8s:` key', () => {
    // The key has no `:`, so no source prefix: it matches the label of every source, here a container label.
    expect(selects(labels({ k8sx: '1' }), 'pod:default:container:k8sx=1')).toBe(true);
    expect(selects(labels({ nodex: '1' }), 'pod:default:container:nodex=1')).toBe(true);
    expect(selects(labels({ k8sx: '1' }), 'pod:default:k8sx=1')).toBe(true);
    expect(splitLabelKey('k8sx')).toEqual({ source: 'any', key: 'k8sx' });
    expect(splitLabelKey('cidrx', 'k8s')).toEqual({ source: 'k8s', key: 'cidrx' });
  });

  test('a key of one source on a pod that has the key from two sources: each source finds its own value', () => {
    // `container:app` sorts before `k8s:app`, so the first label with the key is the container one.
    const pod = 'pod:default:app=web,container:app=db';
    expect(selects(labels({ 'k8s:app': 'web' }), pod)).toBe(true);
    expect(selects(labels({ 'container:app': 'db' }), pod)).toBe(true);
    expect(selects(labels({ 'container:app': 'web' }), pod)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'k8s:app', operator: 'In', values: ['web'] }] }, pod)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'k8s:app', operator: 'NotIn', values: ['db'] }] }, pod)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'node:app', operator: 'Exists' }] }, pod)).toBe(false);
    const set = LabelSet.of([{ source: 'k8s', key: 'app', value: 'web' }, { source: 'container', key: 'app', value: 'db' }, { source: 'node', key: 'app', value: 'n' }]);
    expect(set.get('k8s', 'app')).toBe('web');
    expect(set.get('node', 'app')).toBe('n');
    expect(set.has('cidr', 'app')).toBe(false);
  });

  test('LabelSet.of: of several labels with one source:key the last given wins, wherever the others sort', () => {
    const values = ['1', '2', '3', '4', '5'];
    const labelsOf = (order: number[]): { source: string; key: string; value: string }[] =>
      order.map((i) => (i < 5 ? { source: 'k8s', key: 'app', value: values[i] } : { source: 'k8s', key: `z${i}`, value: '' }));
    for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [0, 5, 1, 6, 2, 7, 3], [7, 6, 5, 2, 0, 1], [1, 0], [0, 1]]) {
      const last = order.filter((i) => i < 5).pop() as number;
      const set = LabelSet.of(labelsOf(order));
      expect(set.get('k8s', 'app'), order.join()).toBe(values[last]);
      expect(set.lookup('k8s', 'app'), order.join()).toHaveLength(1);
    }
    // Sorted by source:key in UTF-16 code units (upper case before lower case, a prefix first).
    expect(LabelSet.of([{ source: 'k8s', key: 'b', value: '' }, { source: 'k8s', key: 'B', value: '' }, { source: 'k8s', key: 'a1', value: '' }, { source: 'k8s', key: 'a', value: '' }]).id)
      .toBe('k8s:B=,k8s:a=,k8s:a1=,k8s:b=');
    expect(LabelSet.of([]).id).toBe('');
  });

  test('a reserved label without a value prints without `=`; every other label with it', () => {
    expect(formatLabel({ source: 'reserved', key: 'host', value: '' })).toBe('reserved:host');
    expect(formatLabel({ source: 'reserved', key: 'x', value: 'y' })).toBe('reserved:x=y');
    expect(formatLabel({ source: 'cidr', key: '10.0.0.0/8', value: '' })).toBe('cidr:10.0.0.0/8=');
    expect(formatLabel({ source: 'k8s', key: 'app', value: 'web' })).toBe('k8s:app=web');
  });

  test('Selector.without drops exactly the requirements on that source and key (contract: no engine path calls it)', () => {
    const sel = Selector.from({ matchLabels: { 'k8s:app': 'web', 'container:app': 'db', 'k8s:tier': 'x' } });
    const pod = (l: Record<string, string>): LabelSet => LabelSet.of(Object.entries(l).map(([k, v]) => ({ ...splitLabelKey(k, 'k8s'), value: v })));
    const full = pod({ app: 'web', 'container:app': 'db', tier: 'x' });
    expect(sel.matches(pod({ app: 'web', 'container:app': 'db' }))).toBe(false);
    expect(sel.without('k8s', 'tier').matches(pod({ app: 'web', 'container:app': 'db' }))).toBe(true);
    expect(sel.without('k8s', 'app').matches(pod({ 'container:app': 'db', tier: 'x' }))).toBe(true);
    expect(sel.without('k8s', 'app').matches(pod({ app: 'web', tier: 'x' }))).toBe(false); // the container requirement stays
    expect(sel.without('k8s', 'app').requirements.map((r) => `${r.source}:${r.key}`)).toEqual(['container:app', 'k8s:tier']);
    expect(sel.without('node', 'app').requirements).toHaveLength(3);
    expect(sel.without('k8s', 'nope').matches(full)).toBe(true);
  });

  test('Exists and DoesNotExist without values', () => {
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, K8S_WEB)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, K8S_WEB)).toBe(false);
    expect(Selector.from({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }).requirements[0].values).toEqual([]);
  });
});

// The NodeRestriction admission plugin (plugin/pkg/admission/noderestriction getForbiddenLabels, k8s.io/kubelet/pkg/apis
// IsKubeletLabel): a kubelet may set every label of its own Node but those of node-restriction.kubernetes.io and the
// kubernetes.io and k8s.io domains outside the kubelet's own (kubelet.kubernetes.io, node.kubernetes.io, the labels it reports).
describe('kubeletMaySetNodeLabel', () => {
  test.each([
    ['role', true], ['example.com/role', true], ['kubernetes.io.example.com/x', true], ['node.kubernetes.io/cp', true],
    ['a.node.kubernetes.io/cp', true], ['kubelet.kubernetes.io/x', true], ['kubernetes.io/os', true], ['kubernetes.io/hostname', true],
    ['topology.kubernetes.io/zone', true], ['node.kubernetes.io/instance-type', true], ['node:example.com/role', true],
    ['node-role.kubernetes.io/control-plane', false], ['node-role.kubernetes.io/master', false], ['kubernetes.io/role', false],
    ['example.k8s.io/cp', false], ['k8s.io/cp', false], ['node-restriction.kubernetes.io/cp', false], ['a.node-restriction.kubernetes.io/cp', false],
    ['topology.kubernetes.io/rack', false], ['node:node-role.kubernetes.io/control-plane', false], ['k8s:node-role.kubernetes.io/control-plane', false],
  ])('%s: %s', (key, may) => {
    expect(kubeletMaySetNodeLabel(key)).toBe(may);
  });
});

// A node's identity: node labels of the node source, reserved labels, and the k8s cluster label (pkg/node nodeIdentityLabels).
// One reading of a key's source (pkg/labels ParseSource): the selector helpers of model/selectors.ts said `example.com`
// where splitLabelKey said `any`, and the engine matched `example.com:role` as a key of any source.
describe('one rule for label key sources', () => {
  test.each(['app', 'k8s:app', ':app', 'any:app', '$host', 'reserved.world', 'reserved:world', 'example.com:role', 'a.io/b:role', 'k8s:app:x', 'reserved.x:y'])(
    '%s: labelKeySource and labelKeyName are splitLabelKey', (key) => {
      expect({ source: labelKeySource(key), key: labelKeyName(key) }).toEqual(splitLabelKey(key));
    });

  test('a selector key of a source Cilium has no name for (example.com:role) selects no pod: pods carry k8s labels', () => {
    expect(selects(labels({ 'example.com:role': 'admin' }), 'pod:default:role=admin')).toBe(false);
    expect(selects(labels({ 'example.com:role': 'admin' }), 'pod:default:k8s:role=admin')).toBe(false);
    expect(selects(labels({ role: 'admin' }), 'pod:default:role=admin')).toBe(true);
  });

  // Session 45: `pod:shop:app:frontend` (a typo of app=frontend) was a pod with the label frontend of the source app: a pod no
  // cluster has, so a trace or a toDeny check of it passed without judging anything. Such an endpoint is refused now.
  test.each([
    ['pod:default:example.com:role=admin', 'without a source (role=admin) or with the k8s source (k8s:role=admin)'],
    ['pod:shop:app:frontend', 'app=frontend if that is the label meant'],
  ])('a pod endpoint with a label of a source no pod carries (%s) is refused, naming the fix', (pod, fix) => {
    expect(() => selects(labels({ role: 'admin' }), pod)).toThrow(/which no pod's labels carry \(Cilium gives a pod's labels the source k8s\)/);
    expect(() => selects(labels({ role: 'admin' }), pod)).toThrow(expect.objectContaining({ fix: expect.stringContaining(fix) }));
  });

  test.each(['pod:default:k8s:role=admin', 'pod:default:container:role=admin', 'pod:default:any:role=admin', 'pod:default:unspec:role=admin'])(
    'a pod endpoint with a label of a source pods may carry (%s) is judged', (pod) => {
      expect(selects(labels({ role: 'admin' }), pod)).toBe(true);
    });

  test('a node endpoint with a label of a source no node carries (node:app:frontend, node:k8s:role=w) is refused, node:role=w judged', () => {
    expect(() => verdict(policySet([]), 'node:app:frontend', 'pod:default:app=web', 80)).toThrow(/has the label source app, which no node's identity carries/);
    expect(() => verdict(policySet([]), 'node:k8s:role=w', 'pod:default:app=web', 80)).toThrow(/has the label source k8s/);
    expect(verdict(policySet([]), 'node:role=w', 'pod:default:app=web', 80).ingress.decision).toBeDefined();
  });
});

describe('sourceNoNodeCarries', () => {
  test.each([
    ['role', undefined], ['node:role', undefined], ['any:role', undefined], ['reserved:remote-node', undefined], ['$host', undefined],
    ['k8s:io.cilium.k8s.policy.cluster', undefined], ['k8s:role', 'k8s'], ['container:role', 'container'], ['cidr:10.0.0.0/8', 'cidr'],
    ['fqdn:a.com', 'fqdn'], ['cidrgroup:g', 'cidrgroup'], ['unspec:role', 'unspec'], ['example.com:role', 'example.com'],
    ['reserved:kube-apiserver', undefined], ['$world', 'reserved'], ['reserved:role', 'reserved'], ['reserved.role', 'reserved'], ['node:a.io/b', undefined],
    // ParseSource takes everything before the first ':' as the source, a '/' in it too: no node carries a.io/b:role.
    ['a.io/b:role', 'a.io/b'],
  ])('%s: %s', (key, source) => {
    expect(sourceNoNodeCarries(key)).toBe(source);
  });
});

// Labels only administrators can give a node: node labels no kubelet may set, and the API server nodes' reserved label.
describe('nodeCannotClaimLabel', () => {
  test.each([
    ['node-role.kubernetes.io/control-plane', true], ['node:node-restriction.kubernetes.io/cp', true], ['reserved:kube-apiserver', true],
    ['role', false], ['node.kubernetes.io/cp', false], ['reserved:remote-node', false], ['$host', false], ['k8s:io.cilium.k8s.policy.cluster', false],
  ])('%s: %s', (key, cannot) => {
    expect(nodeCannotClaimLabel(key)).toBe(cannot);
  });
});

// A node selector a node may meet by labelling itself: no requirement (matchLabels, In, Exists) on a label only administrators give.
describe('nodeSelectorClaimable', () => {
  test.each([
    [{ matchLabels: { 'example.com/role': 'x' } }, true],
    [{ matchLabels: { 'reserved:remote-node': '' } }, true],
    [{ matchLabels: { 'example.com/role': 'x', 'node-role.kubernetes.io/control-plane': '' } }, false],
    [{ matchExpressions: [{ key: 'node-restriction.kubernetes.io/ops', operator: 'Exists' as const }] }, false],
    [{ matchExpressions: [{ key: 'node-restriction.kubernetes.io/ops', operator: 'In' as const, values: ['a'] }] }, false],
    // Excluding a protected label requires nothing: every node without it matches.
    [{ matchLabels: { role: 'x' }, matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' as const }] }, true],
    [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'NotIn' as const, values: ['true'] }] }, true],
    [{}, true],
  ])('%j: %s', (selector, claimable) => {
    expect(nodeSelectorClaimable(selector)).toBe(claimable);
  });
});
