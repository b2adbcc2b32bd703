// pitfall-selector-non-identity-label: selector requirements on label keys Cilium's default label filter keeps out of
// every identity (model/identity-labels.ts): In/Exists select nothing, NotIn/DoesNotExist always hold.
import { describe, expect, it } from 'vitest';
import { ccnp, judged, labels, policySet, verdict } from '../engine/helpers';
import { PolicySet } from '../../src/engine';
import { check, findings, yaml } from './helpers';

const ID = 'pitfall-selector-non-identity-label';

function reported(files: Record<string, string>, version?: string): string[] {
  return findings(check(files, version ? { ciliumVersion: version } : {}), ID).map((d) => `${d.path}: ${d.message}`);
}

const cnp = (subject: string, peer: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    endpointSelector:
      ${subject}
    ingress:
      - fromEndpoints:
          - ${peer}
`;

const host = (selector: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: host
  spec:
    nodeSelector:
      ${selector}
    ingress:
      - fromEntities: [cluster]
      - fromNodes:
          - matchLabels:
              kubernetes.io/hostname: node-a
`;

describe('pitfall-selector-non-identity-label', () => {
  it('a host policy on kubernetes.io/os: enforced on no node; node-role.kubernetes.io/control-plane and fromNodes are not reported', () => {
    expect(reported({ 'h.yaml': host('matchLabels: {kubernetes.io/os: linux}') }, '1.16')).toEqual([
      'spec.nodeSelector.matchLabels["kubernetes.io/os"]: nodeSelector requires kubernetes.io/os: linux, but Cilium 1.16 keeps kubernetes.io/os out of every '
      + 'identity (its default identity-relevant labels, pkg/labelsfilter, drop it from the node labels of the host endpoint), so no selector sees it and this '
      + 'requirement never holds: the nodeSelector selects no node, so the host policy is enforced on no node',
    ]);
    const fix = findings(check({ 'h.yaml': host('matchLabels: {kubernetes.io/os: linux}') }), ID)[0].fix;
    expect(fix).toContain('node-role.kubernetes.io/<role>');
    expect(reported({ 'h.yaml': host('matchLabels: {node-role.kubernetes.io/control-plane: ""}') })).toEqual([]);
  });

  // Session 49: the host endpoint's node labels are of the k8s source (pkg/endpoint InitWithNodeLabels), never node:.
  it('a host policy on a node: key: enforced on no node (matchLabels), or on every node (DoesNotExist); k8s: and no source are not reported', () => {
    expect(reported({ 'h.yaml': host('matchLabels: {"node:example.com/pool": edge}') })).toEqual([
      'spec.nodeSelector.matchLabels["node:example.com/pool"]: nodeSelector requires node:example.com/pool: edge, but a host endpoint, which a nodeSelector '
      + 'selects, carries reserved:host and its node\'s labels of the k8s source only (pkg/endpoint InitWithNodeLabels, Map2Labels(…, LabelSourceK8s)); node: '
      + 'is the source of the labels node identities carry as peers (read by fromNodes/toNodes, pkg/node nodeIdentityLabels), never of the host endpoint\'s '
      + 'labels as a policy subject, so this requirement never holds: the nodeSelector selects no node, so the host policy is enforced on no node',
    ]);
    expect(findings(check({ 'h.yaml': host('matchLabels: {"node:example.com/pool": edge}') }), ID)[0].fix)
      .toBe('write the key without a source (example.com/pool) or with k8s: (k8s:example.com/pool)');
    const dne = reported({ 'h.yaml': host('matchExpressions: [{ key: "node:node-role.kubernetes.io/control-plane", operator: DoesNotExist }]') });
    expect(dne).toHaveLength(1);
    expect(dne[0]).toContain('always holds: the nodeSelector applies to every node it would select without this requirement (control-plane nodes too)');
    for (const key of ['example.com/pool', 'k8s:example.com/pool', 'any:example.com/pool']) {
      expect(reported({ 'h.yaml': host(`matchLabels: {"${key}": edge}`) }), key).toEqual([]);
    }
    // What the finding says, by the engine: the node: selector enforces nothing on a node labelled example.com/pool=edge, k8s: does.
    const from = 'cidr:203.0.113.5';
    const to = 'node:example.com/pool=edge';
    const decision = (selector: string): string => verdict(PolicySet.fromYaml(host(selector).replace(/ {4}- fromNodes:[^]*$/, ''), { hostFirewall: true }),
      from, to, 22).ingress.decision;
    expect(decision('matchLabels: {"node:example.com/pool": edge}')).toBe('no-policy-default-allow');
    expect(decision('matchLabels: {"k8s:example.com/pool": edge}')).toBe('default-deny');
  });

  // Session 49 (review mend): a host endpoint carries reserved:host and its node's k8s: labels only (pkg/endpoint
  // InitWithNodeLabels); reserved:remote-node and reserved:kube-apiserver label node identities as peers, never a host endpoint.
  it('a host policy on a reserved label but host, or cidr:: reported, saying what the source is, with no false lockout; reserved:host is every node', () => {
    for (const key of ['reserved:remote-node', 'reserved:kube-apiserver', '$world']) {
      const out = reported({ 'h.yaml': host(`matchLabels: {"${key}": ""}`) });
      expect(out, key).toHaveLength(1);
      expect(out[0], key).toContain(`nodeSelector requires ${key}: "", but a host endpoint`);
      expect(out[0], key).toContain('is on no host endpoint\'s labels');
      expect(out[0], key).toContain('never holds: the nodeSelector selects no node, so the host policy is enforced on no node');
    }
    const cidr = findings(check({ 'h.yaml': host('matchLabels: {"cidr:10.0.0.0/8": ""}') }), ID);
    expect(cidr.map((d) => d.message)).toEqual([expect.stringContaining('no label of the cidr source is on any host endpoint, so this requirement never holds')]);
    expect(cidr[0].message).not.toContain('fromNodes');
    expect(cidr[0].fix).not.toContain('write the key without a source');
    expect(reported({ 'h.yaml': host('matchExpressions: [{ key: "reserved:remote-node", operator: DoesNotExist }]') }))
      .toEqual([expect.stringContaining('always holds: the nodeSelector applies to every node it would select without this requirement')]);
    expect(reported({ 'h.yaml': host('matchExpressions: [{ key: "reserved:host", operator: DoesNotExist }]') }))
      .toEqual([expect.stringContaining('every host endpoint has reserved:host, with the value "", so this requirement never holds')]);
    expect(reported({ 'h.yaml': host('matchLabels: {"reserved:host": ""}') })).toEqual([]);
    // Session 49 (second review): a key without a source matches reserved:host too (pkg/labels LabelArray.Has, IsAnySource):
    // `host DoesNotExist` selects no node, and was accepted. In/NotIn read the first label of the key (a node label host where
    // one is set, LabelArray.Get): not reported. k8s:host DoesNotExist reads the node label only.
    for (const key of ['host', 'any:host']) {
      expect(reported({ 'h.yaml': host(`matchExpressions: [{ key: "${key}", operator: DoesNotExist }]`) }), key)
        .toEqual([expect.stringContaining('a key without a source matches a label of every source (pkg/labels LabelArray.Has), and every host endpoint has '
          + 'reserved:host, so this requirement never holds')]);
    }
    expect(reported({ 'h.yaml': host('matchExpressions: [{ key: "k8s:host", operator: DoesNotExist }]') })).toEqual([]);
    expect(reported({ 'h.yaml': host('matchExpressions: [{ key: host, operator: NotIn, values: [""] }]') })).toEqual([]);
    // A host policy of 22/TCP alone: on reserved:host it puts every node into default deny (the lockout is real); on
    // reserved:remote-node it puts no node there (no lockout to report), and the engine enforces it on no node.
    const sshOnly = (selector: string): string => yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata:
        name: ssh
      spec:
        nodeSelector:
          ${selector}
        ingress:
          - fromCIDR: [10.50.0.0/24]
            toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
    `;
    expect(findings(check({ 'h.yaml': sshOnly('matchLabels: {"reserved:remote-node": ""}') }), 'pitfall-host-lockout')).toEqual([]);
    expect(findings(check({ 'h.yaml': sshOnly('matchLabels: {"reserved:host": ""}') }), 'pitfall-host-lockout')).toHaveLength(1);
    const decision = (selector: string): string => verdict(PolicySet.fromYaml(sshOnly(selector), { hostFirewall: true }), 'cidr:203.0.113.5',
      'node:example.com/pool=edge', 22).ingress.decision;
    expect(decision('matchLabels: {"reserved:remote-node": ""}')).toBe('no-policy-default-allow');
    expect(decision('matchLabels: {"reserved:host": ""}')).toBe('default-deny');
  });

  it('pod-template-hash in a subject selects nothing; app.kubernetes.io/name beside it is kept', () => {
    const out = reported({ 'p.yaml': cnp('matchLabels: {pod-template-hash: abc, app.kubernetes.io/name: web}', 'matchLabels: {app.kubernetes.io/name: api}') });
    expect(out).toEqual([
      'spec.endpointSelector.matchLabels["pod-template-hash"]: endpointSelector requires pod-template-hash: abc, but Cilium 1.19 keeps pod-template-hash out of '
      + 'every identity (its default identity-relevant labels, pkg/labelsfilter, drop it from pod labels), so no selector sees it and this requirement never '
      + 'holds: endpointSelector selects no endpoint, so the rule applies to nothing',
    ]);
  });

  it('an allow peer on k8s:controller-revision-hash allows nothing; NotIn on kubernetes.io/hostname is broader than written', () => {
    const peer = 'matchExpressions: [{key: k8s:controller-revision-hash, operator: Exists}, {key: kubernetes.io/hostname, operator: NotIn, values: [a]}]';
    expect(reported({ 'p.yaml': cnp('matchLabels: {app: web}', peer) })).toEqual([
      'spec.ingress[0].fromEndpoints[0].matchExpressions[0].key: fromEndpoints requires k8s:controller-revision-hash Exists, but Cilium 1.19 keeps '
      + 'controller-revision-hash out of every identity (its default identity-relevant labels, pkg/labelsfilter, drop it from pod labels), so no selector sees '
      + 'it and this requirement never holds: fromEndpoints selects nothing, so the rule allows nothing through it',
      'spec.ingress[0].fromEndpoints[0].matchExpressions[1].key: fromEndpoints requires kubernetes.io/hostname NotIn (a), but Cilium 1.19 keeps kubernetes.io/hostname '
      + 'out of every identity (its default identity-relevant labels, pkg/labelsfilter, drop it from pod labels), so no selector sees it and this requirement '
      + 'always holds: fromEndpoints is broader than written, it selects every endpoint it would select without this requirement (the rule allows more than written)',
    ]);
  });

  it('statefulset.kubernetes.io/pod-name: kept on 1.14, left out from 1.15', () => {
    const files = { 's.yaml': cnp('matchLabels: {statefulset.kubernetes.io/pod-name: db-0}', 'matchLabels: {app: api}') };
    expect(reported(files, '1.14')).toEqual([]);
    expect(reported(files, '1.15')).toHaveLength(1);
    expect(reported(files, '1.15')[0]).toMatch(/^spec\.endpointSelector\.matchLabels\["statefulset\.kubernetes\.io\/pod-name"\]: .* Cilium 1\.15 keeps/);
  });

  it('reserved: keys, namespace keys and namespace labels are not reported', () => {
    const peer = 'matchLabels: {reserved:host: "", k8s:io.kubernetes.pod.namespace: kube-system, io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: x}';
    expect(reported({ 'p.yaml': cnp('matchLabels: {app: web}', peer) })).toEqual([]);
  });

  it('a NetworkPolicy: podSelector keys are pod labels (reported), namespaceSelector keys namespace labels (kept)', () => {
    const np = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: db
        namespace: shop
      spec:
        podSelector:
          matchLabels:
            apps.kubernetes.io/pod-index: "0"
        ingress:
          - from:
              - namespaceSelector:
                  matchLabels:
                    kubernetes.io/metadata.name: shop
                podSelector:
                  matchExpressions: [{key: pod-template-hash, operator: DoesNotExist}]
    `;
    const out = reported({ 'np.yaml': np }, '1.16');
    expect(out.map((l) => l.split(': ')[0])).toEqual(['spec.podSelector', 'spec.ingress[0].from[0].podSelector']);
    expect(out[0]).toContain('podSelector requires apps.kubernetes.io/pod-index: 0, but Cilium 1.16 keeps apps.kubernetes.io/pod-index out of every identity');
    expect(out[1]).toContain('requires pod-template-hash DoesNotExist');
    expect(out[1]).toContain('always holds');
  });

  it('selectors of the wrong shape neither crash nor report (the CRD layer does)', () => {
    for (const sel of ['matchExpressions: pod-template-hash', 'matchLabels: [pod-template-hash]', 'matchExpressions: [{key: 7, operator: In}, null, [1]]',
      'matchExpressions: [{key: kubernetes.io/os, operator: Bogus, values: [linux]}]']) {
      expect(reported({ 'p.yaml': cnp(sel, 'matchLabels: {app: api}') }), sel).toEqual([]);
    }
  });
});

describe('what the finding says, as the engine decides it', () => {
  const NODE = 'node:kubernetes.io/os=linux,kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=';
  const hostPolicy = (nodeSelector: Record<string, string>): Record<string, unknown> =>
    ccnp('host', { nodeSelector: labels(nodeSelector), ingress: [{ fromEntities: ['cluster'] }] });

  it('a host policy on kubernetes.io/os enforces nothing: the node stays default allow; on node-role.kubernetes.io/control-plane it is default deny', () => {
    const os = judged(policySet([hostPolicy({ 'kubernetes.io/os': 'linux' })]), 'cidr:203.0.113.7', NODE, '443/TCP');
    expect(os.allowed).toBe(true);
    expect(os.ingress.decision).toBe('no-policy-default-allow');
    const role = judged(policySet([hostPolicy({ 'node-role.kubernetes.io/control-plane': '' })]), 'cidr:203.0.113.7', NODE, '443/TCP');
    expect(role.allowed).toBe(false);
    expect(role.ingress.decision).toBe('default-deny');
  });

  it('fromNodes on kubernetes.io/hostname (not reported) selects the remote node: its node: labels are not filtered', () => {
    const docs = [ccnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromNodes: [labels({ 'kubernetes.io/hostname': 'n2' })] }] })];
    const v = judged(policySet(docs, { nodeSelectorLabels: true }), 'node:kubernetes.io/hostname=n2', 'pod:default:app=api', '80/TCP');
    expect(v.allowed).toBe(true);
  });
});
