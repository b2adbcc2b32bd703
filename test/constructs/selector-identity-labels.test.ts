// Selectors on label keys Cilium's default label filter keeps out of identities (model/identity-labels.ts): the constructs
// refuse them where they are given, for the target version; the engine shows why (a host policy on kubernetes.io/os
// enforces nothing).
import { describe, expect, test } from 'vitest';
import { CiliumVersion, CiliumPolicy, ClusterwidePolicy, EndpointSelector, Entity, HostFirewall, LabelExpression, NodeSelector, Peer, Port } from '../../src';
import { decidedBy } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const NODE_FIX = 'label the nodes with a key Cilium keeps, such as node-role.kubernetes.io/<role> or a label of your own (example.com/pool: edge), and select on that';
const POD_FIX = 'select on a label that is in the identity: app.kubernetes.io/… (name, component, instance) or a label of your own on the pod template';

describe('constructs refuse selectors on labels no identity has', () => {
  test('a host policy on kubernetes.io/os (ClusterwidePolicy and HostFirewall nodeSelector)', () => {
    const c = chart();
    const r = refusal(() => new ClusterwidePolicy(c, 'host', { nodeSelector: NodeSelector.labels({ 'kubernetes.io/os': 'linux' }) }));
    expect(r.id).toBe('selector-non-identity-label');
    expect(r.message).toBe('[test/host] nodeSelector requires kubernetes.io/os: linux, but Cilium 1.19 keeps kubernetes.io/os out of every identity (its default '
      + 'identity-relevant labels, pkg/labelsfilter, drop it from the node labels of the host endpoint), so no selector sees it: the requirement never holds '
      + `and the selector selects no node (the host policy would be enforced on no node) (selector-non-identity-label)\n  fix: ${NODE_FIX}`);
    const fw = refusal(() => new HostFirewall(chart(), 'fw', { nodeSelector: NodeSelector.labels({ 'kubernetes.io/os': 'linux' }), managementCidrs: ['10.0.0.0/8'] }));
    expect(fw.id).toBe('selector-non-identity-label');
    expect(() => new ClusterwidePolicy(chart(), 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }) })).not.toThrow();
  });

  // Session 49: the host endpoint's node labels are of the k8s source (pkg/endpoint InitWithNodeLabels); node: is remote nodes'.
  test('a host policy on a node: key: refused (it would be enforced on no node, or on every node); k8s: and no source are taken', () => {
    const r = refusal(() => new ClusterwidePolicy(chart(), 'host', { nodeSelector: NodeSelector.labels({ 'node:example.com/pool': 'edge' }) }));
    expect(r.id).toBe('selector-non-identity-label');
    expect(r.message).toBe('[test/host] nodeSelector requires node:example.com/pool: edge, but a host endpoint, which a nodeSelector selects, carries '
      + 'reserved:host and its node\'s labels of the k8s source only (pkg/endpoint InitWithNodeLabels, Map2Labels(…, LabelSourceK8s)); node: is the source of '
      + 'the labels node identities carry as peers (read by fromNodes/toNodes, pkg/node nodeIdentityLabels), never of the host endpoint\'s labels as a policy '
      + 'subject, so this requirement never holds: the nodeSelector selects no node, so the host policy is enforced on no node (selector-non-identity-label)'
      + '\n  fix: write the key without a source (example.com/pool) or with k8s: (k8s:example.com/pool)');
    const dne = refusal(() => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.50.0.0/24'], nodeSelector: NodeSelector.of({ expressions: [
      LabelExpression.doesNotExist('node:node-role.kubernetes.io/control-plane'), LabelExpression.doesNotExist('node:node-role.kubernetes.io/master')] }) }));
    expect(dne.id).toBe('selector-non-identity-label');
    expect(dne.message).toContain('always holds: the nodeSelector applies to every node it would select without this requirement (control-plane nodes too)');
    // Without a source, or k8s:, the policy applies to the node that carries the label, and to no other.
    for (const key of ['example.com/pool', 'k8s:example.com/pool']) {
      const c = chart();
      const p = new ClusterwidePolicy(c, 'host', { nodeSelector: NodeSelector.labels({ [key]: 'edge' }) });
      p.allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
      expect(decidedBy(c, 'cidr:203.0.113.5', 'node:example.com/pool=edge', '22/TCP', 'ingress', { hostFirewall: true }), key).toBe('default-deny');
      expect(decidedBy(c, 'cidr:10.50.0.7', 'node:example.com/pool=edge', '22/TCP', 'ingress', { hostFirewall: true }), key).toBe('allowed host spec.ingress[0]');
      expect(decidedBy(c, 'cidr:203.0.113.5', 'node:example.com/pool=core', '22/TCP', 'ingress', { hostFirewall: true }), key).toBe('no-policy-default-allow');
    }
  });

  // Session 49 (review mend): a host endpoint carries reserved:host and its node's k8s: labels only, and rules select it by them
  // (pkg/endpoint InitWithNodeLabels; pkg/policy/rule.go matches): reserved:remote-node, reserved:kube-apiserver (the ipcache
  // gives it the host identity as a peer), cidr: or a source of one's own select no node; reserved:host selects every node.
  test('a host policy on a reserved label but host, cidr: or a source of its own: refused, saying what the source is', () => {
    const cidr = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.labels({ 'cidr:10.0.0.0/8': '' }) }));
    expect(cidr.id).toBe('selector-non-identity-label');
    expect(cidr.message).toContain('nodeSelector requires cidr:10.0.0.0/8: "", but a host endpoint');
    expect(cidr.message).toContain('no label of the cidr source is on any host endpoint, so this requirement never holds: the nodeSelector selects no node');
    expect(cidr.message).not.toContain('fromNodes');
    expect(cidr.message).not.toContain('write the key without a source');
    const own = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.of({ expressions: [LabelExpression.exists('example.com:role')] }) }));
    expect(own.message).toContain('requires example.com:role Exists, but');
    expect(own.message).toContain('no label of the example.com source is on any host endpoint');
    for (const key of ['reserved:remote-node', 'reserved:world', 'reserved:kube-apiserver', 'reserved.remote-node']) {
      const r = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.labels({ [key]: '' }) }));
      expect(r.id, key).toBe('selector-non-identity-label');
      expect(r.message, key).toContain('is on no host endpoint\'s labels');
      expect(r.message, key).toContain('this requirement never holds: the nodeSelector selects no node, so the host policy is enforced on no node');
    }
    // DoesNotExist on such a key holds on every node: the selector is broader than written.
    const dne = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.of({ expressions: [
      LabelExpression.exists('example.com/pool'), LabelExpression.doesNotExist('reserved:kube-apiserver')] }) }));
    expect(dne.message).toContain('requires reserved:kube-apiserver DoesNotExist, but');
    expect(dne.message).toContain('always holds: the nodeSelector applies to every node it would select without this requirement');
    // reserved:host is on every host endpoint: DoesNotExist on it selects no node; matchLabels on it selects every node.
    const noHost = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.of({ expressions: [LabelExpression.doesNotExist('reserved:host')] }) }));
    expect(noHost.message).toContain('every host endpoint has reserved:host, with the value "", so this requirement never holds');
    // Session 49 (second review): without a source the key matches reserved:host as well (pkg/labels LabelArray.Has): refused alike.
    const anyHost = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.of({ expressions: [LabelExpression.doesNotExist('host')] }) }));
    expect(anyHost.id).toBe('selector-non-identity-label');
    expect(anyHost.message).toContain('requires host DoesNotExist, but');
    expect(anyHost.message).toContain('every host endpoint has reserved:host, so this requirement never holds: the nodeSelector selects no node');
    expect(anyHost.message).toContain('fix: leave the requirement out; for a node label named host, write k8s:host DoesNotExist');
    expect(() => new ClusterwidePolicy(chart(), 'k', { nodeSelector: NodeSelector.of({ expressions: [LabelExpression.doesNotExist('k8s:host')] }) })).not.toThrow();
    const c = chart();
    new ClusterwidePolicy(c, 'host', { nodeSelector: NodeSelector.labels({ 'reserved:host': '' }) }).allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
    for (const node of ['node:example.com/pool=edge', 'node:example.com/pool=core']) {
      expect(decidedBy(c, 'cidr:203.0.113.5', node, '22/TCP', 'ingress', { hostFirewall: true }), node).toBe('default-deny');
      expect(decidedBy(c, 'cidr:10.50.0.7', node, '22/TCP', 'ingress', { hostFirewall: true }), node).toBe('allowed host spec.ingress[0]');
    }
  });

  test('a matchLabels entry of an empty value reads key: "" in the message, not In ()', () => {
    const r = refusal(() => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.labels({ 'kubernetes.io/os': '' }) }));
    expect(r.message).toContain('nodeSelector requires kubernetes.io/os: "", but Cilium');
    expect(r.message).not.toContain('In ()');
  });

  test('a subject on pod-template-hash, a peer with NotIn on kubernetes.io/hostname', () => {
    const c = chart('shop');
    const r = refusal(() => new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web', 'pod-template-hash': 'abc' }) }));
    expect(r.message).toBe('[test/web] endpointSelector requires pod-template-hash: abc, but Cilium 1.19 keeps pod-template-hash out of every identity (its default '
      + 'identity-relevant labels, pkg/labelsfilter, drop it from pod labels), so no selector sees it: the requirement never holds and the selector selects no '
      + `endpoint (selector-non-identity-label)\n  fix: ${POD_FIX}`);
    const p = new CiliumPolicy(c, 'db', { endpointSelector: EndpointSelector.labels({ 'app.kubernetes.io/name': 'db' }) });
    const peer = Peer.endpoints({ labels: { app: 'api' }, expressions: [LabelExpression.notIn('kubernetes.io/hostname', ['n1'])] });
    const q = refusal(() => p.allowIngress(peer));
    expect(q.id).toBe('selector-non-identity-label');
    expect(q.message).toBe('[test/db] allowIngress(endpoints {app=api, kubernetes.io/hostname NotIn (n1)} (policy namespace)) requires kubernetes.io/hostname '
      + 'NotIn (n1), but Cilium 1.19 keeps kubernetes.io/hostname out of every identity (its default identity-relevant labels, pkg/labelsfilter, drop it from '
      + `pod labels), so no selector sees it: the requirement always holds and the selector selects more than written (selector-non-identity-label)\n  fix: ${POD_FIX}`);
    expect(() => p.allowIngress(Peer.endpoints({ labels: { 'app.kubernetes.io/name': 'api' } }))).not.toThrow();
    expect(() => p.allowIngress(Peer.entity(Entity.CLUSTER))).not.toThrow();
  });

  test('selectors on kept labels are accepted and leave the version free; labels of other sources are not filtered', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'db', { endpointSelector: EndpointSelector.labels({ 'app.kubernetes.io/name': 'db' }) });
    p.allowIngress(Peer.endpoints({ labels: { app: 'api' }, expressions: [LabelExpression.exists('team')] }));
    // Nothing was decided by the version: a later CiliumVersion.use is taken, not refused as set too late.
    expect(() => CiliumVersion.use(c, CiliumVersion.V1_14)).not.toThrow();
    // A remote node's labels (node: source, with node-selector labels) keep every key. (As a pod peer, a node: key is refused:
    // peer-endpoints-label-source, test/constructs/peer-verdicts.test.ts.)
    expect(() => p.allowIngress(Peer.nodes({ 'node:kubernetes.io/hostname': 'n2' }))).not.toThrow();
  });

  test('a k8s: key is judged like a key of any source; Exists on it never holds', () => {
    const c = chart('shop');
    const r = refusal(() => new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ 'k8s:pod-template-hash': 'abc' }) }));
    expect(r.id).toBe('selector-non-identity-label');
    expect(r.message).toContain('endpointSelector requires k8s:pod-template-hash: abc, but');
    const p = new CiliumPolicy(c, 'db', { endpointSelector: EndpointSelector.labels({ app: 'db' }) });
    const q = refusal(() => p.allowIngress(Peer.endpoints({ labels: { app: 'api' }, expressions: [LabelExpression.exists('k8s:pod-template-hash')] })));
    expect(q.id).toBe('selector-non-identity-label');
    expect(q.message).toContain('requires k8s:pod-template-hash Exists, but Cilium 1.19 keeps pod-template-hash out of every identity');
    expect(q.message).toContain('the requirement never holds and the selector selects no endpoint');
  });

  test('statefulset.kubernetes.io/pod-name: accepted on 1.14 (and the version is then pinned), refused from 1.15', () => {
    const sel = (): EndpointSelector => EndpointSelector.labels({ 'statefulset.kubernetes.io/pod-name': 'db-0' });
    const old = chart('shop', CiliumVersion.V1_14);
    expect(() => new CiliumPolicy(old, 'db', { endpointSelector: sel() })).not.toThrow();
    expect(refusal(() => CiliumVersion.use(old.node.scope!, CiliumVersion.V1_15)).id).toBe('version-set-too-late');
    expect(refusal(() => new CiliumPolicy(chart('shop', CiliumVersion.V1_15), 'db', { endpointSelector: sel() })).message)
      .toContain('Cilium 1.15 keeps statefulset.kubernetes.io/pod-name out of every identity');
  });
});
