// Identity-relevant labels: Cilium keeps a pod's labels, and a node's on the host endpoint, in its identity only through
// its default label filter (pkg/labelsfilter defaultLabelPrefixCfg, applied by labelsfilter.Filter; the host endpoint's in
// pkg/endpoint InitWithNodeLabels). A label left out is in no identity, so no selector sees it. Remote nodes' labels are in
// their identity only with enable-node-selector-labels, of the `node` source (pkg/node nodeIdentityLabels).
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { identityRelevantLabel, selectorOnIdentities } from '../../src/model/identity-labels';
import { Selector } from '../../src/model/labels';
import { ccnp, cnp, judged, labels, policySet } from './helpers';

const V14 = { ciliumVersion: CiliumVersion.V1_14 };
const V15 = { ciliumVersion: CiliumVersion.V1_15 };
const V16 = { ciliumVersion: CiliumVersion.V1_16 };

describe('identityRelevantLabel: the default prefixes, matched at the start of the key', () => {
  test('topology.kubernetes.io labels are left out from 1.19 (cilium/cilium#43725), kept before', () => {
    expect(identityRelevantLabel('k8s', 'topology.kubernetes.io/zone', CiliumVersion.V1_18)).toBe(true);
    expect(identityRelevantLabel('k8s', 'topology.kubernetes.io/zone', CiliumVersion.V1_19)).toBe(false);
    expect(identityRelevantLabel('k8s', 'topology.kubernetes.io/region', CiliumVersion.V1_19)).toBe(false);
    expect(identityRelevantLabel('k8s', 'node-role.kubernetes.io/control-plane', CiliumVersion.V1_19)).toBe(true);
  });

  test.each([
    // [key, kept on 1.14, kept on 1.15, kept on 1.16+]
    ['app', true, true, true],
    ['app.kubernetes.io/name', true, true, true],
    ['node-role.kubernetes.io/control-plane', true, true, true],
    ['ioXkubernetes', true, true, true],
    ['io.kubernetes.pod.namespace', true, true, true],
    ['io.cilium.k8s.policy.serviceaccount', true, true, true],
    ['io.kubernetes.pod.name', false, false, false],
    ['kubernetes.io/os', false, false, false],
    ['kubernetes.io/hostname', false, false, false],
    ['beta.kubernetes.io/arch', false, false, false],
    ['failure-domain.beta.kubernetes.io/zone', false, false, false],
    ['k8s.io/x', false, false, false],
    ['pod-template-hash', false, false, false],
    ['controller-revision-hash', false, false, false],
    ['pod-template-generation', false, false, false],
    ['annotation.foo', false, false, false],
    ['etcd_node', false, false, false],
    ['statefulset.kubernetes.io/pod-name', true, false, false],
    ['apps.kubernetes.io/pod-index', true, false, false],
    ['batch.kubernetes.io/job-completion-index', true, false, false],
    ['batch.kubernetes.io/job-name', true, true, true],
    ['batch.kubernetes.io/controller-uid', true, true, false],
    ['controller-uid', true, true, false],
    ['job-name', true, true, true],
    // Include prefixes no ignore prefix matches: the namespace labels and the cluster name Cilium adds to every identity.
    ['io.cilium.k8s.namespace.labels.team', true, true, true],
    ['io.cilium.k8s.policy.cluster', true, true, true],
    // The shortest ignore prefix that matches is compared with the longest include (io.kubernetes, 13, under
    // io.kubernetes.pod.namespace, 27, though .*beta.kubernetes.io matches all 47 characters); an ignore longer than the
    // include wins (app.kubernetes.io, 17, under .*beta.kubernetes.io, 36).
    ['io.kubernetes.pod.namespace.beta.kubernetes.io', true, true, true],
    ['app.kubernetes.io/beta.kubernetes.io', false, false, false],
  ])('%s', (key, on14, on15, on16) => {
    expect(identityRelevantLabel('k8s', key, CiliumVersion.V1_14)).toBe(on14);
    expect(identityRelevantLabel('k8s', key, CiliumVersion.V1_15)).toBe(on15);
    for (const v of [CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19]) expect(identityRelevantLabel('k8s', key, v)).toBe(on16);
  });

  test('reserved labels are kept', () => {
    expect(identityRelevantLabel('reserved', 'host', CiliumVersion.V1_19)).toBe(true);
  });

  test('selectorOnIdentities settles the requirements on keys no identity has', () => {
    const v = CiliumVersion.V1_19;
    expect(selectorOnIdentities(Selector.from(labels({ 'pod-template-hash': 'abc', app: 'web' })), v)).toBeUndefined();
    const notIn = Selector.from({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'pod-template-hash', operator: 'DoesNotExist' }] });
    expect(selectorOnIdentities(notIn, v)?.toString()).toBe('{any:app=web}');
    const plain = Selector.from(labels({ app: 'web' }));
    expect(selectorOnIdentities(plain, v)).toBe(plain);
    // Exists on such a key never holds either; NotIn always holds and is dropped, the other requirements kept.
    const exists = Selector.from({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'Exists' }] });
    expect(selectorOnIdentities(exists, v)).toBeUndefined();
    const notInHost = Selector.from({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['n1'] }] });
    expect(selectorOnIdentities(notInHost, v)?.toString()).toBe('{any:app=web}');
    // A key left out only from a later version is settled only there.
    const byPod = Selector.from(labels({ 'statefulset.kubernetes.io/pod-name': 'web-0' }));
    expect(selectorOnIdentities(byPod, CiliumVersion.V1_14)).toBe(byPod);
    expect(selectorOnIdentities(byPod, CiliumVersion.V1_15)).toBeUndefined();
  });
});

const DB = 'pod:default:app=db';
const WEB0 = 'pod:default:app=web,statefulset.kubernetes.io/pod-name=web-0';

describe('a pod\'s labels outside its identity', () => {
  const byPodName = [cnp('db', { endpointSelector: labels({ app: 'db' }), ingress: [{ fromEndpoints: [labels({ 'statefulset.kubernetes.io/pod-name': 'web-0' })] }] })];

  test('a peer selector on a StatefulSet pod name selects no pod from 1.15 (1.14 keeps the label)', () => {
    const v = judged(policySet(byPodName), WEB0, DB, '5432/TCP');
    expect(v.allowed).toBe(false);
    expect(v.ingress.notes.join('\n')).toContain('fromEndpoints {any:statefulset.kubernetes.io/pod-name=web-0, k8s:io.kubernetes.pod.namespace=default, '
      + 'k8s:io.cilium.k8s.policy.cluster=default} selects no endpoint: any:statefulset.kubernetes.io/pod-name is not in any identity');
    expect(v.ingress.notes).toContain('k8s:statefulset.kubernetes.io/pod-name=web-0 is not in the identity of '
      + `${WEB0}: Cilium 1.19 leaves it out (its default identity-relevant labels, the agent's labels option), so no selector sees it`);
    expect(judged(policySet(byPodName, V15), WEB0, DB, '5432/TCP').allowed).toBe(false);
    const v14 = judged(policySet(byPodName, V14), WEB0, DB, '5432/TCP');
    expect(v14.allowed).toBe(true);
    expect(v14.ingress.notes.join('\n')).not.toContain('identity');
  });

  test('a subject selector on a pod-template-hash selects no pod', () => {
    const docs = [cnp('web', { endpointSelector: labels({ app: 'web', 'pod-template-hash': '5d8f' }), egress: [{}] })];
    const v = judged(policySet(docs), 'pod:default:app=web,pod-template-hash=5d8f', DB, '80/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.decision).toBe('no-policy-default-allow');
  });

  test('NotIn and DoesNotExist on such a key always hold', () => {
    const docs = [cnp('db', {
      endpointSelector: labels({ app: 'db' }),
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'statefulset.kubernetes.io/pod-name', operator: 'NotIn', values: ['web-0'] }] }] }],
    })];
    expect(judged(policySet(docs), WEB0, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(policySet(docs, V14), WEB0, DB, '5432/TCP').allowed).toBe(false);
  });

  test('the Job controller UID is left out from 1.16', () => {
    const docs = [cnp('db', { endpointSelector: labels({ app: 'db' }), ingress: [{ fromEndpoints: [labels({ 'controller-uid': 'u1' })] }] })];
    const job = 'pod:default:app=report,controller-uid=u1';
    expect(judged(policySet(docs, V15), job, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(policySet(docs, V16), job, DB, '5432/TCP').allowed).toBe(false);
  });

  test('a NetworkPolicy podSelector on the pod name selects no pod either', () => {
    const np = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'vpn', namespace: 'default' },
      spec: { podSelector: labels({ app: 'db' }), ingress: [{ from: [{ podSelector: labels({ 'statefulset.kubernetes.io/pod-name': 'web-0' }) }] }] },
    };
    expect(judged(policySet([np]), WEB0, DB, '5432/TCP').allowed).toBe(false);
    expect(judged(policySet([np], V14), WEB0, DB, '5432/TCP').allowed).toBe(true);
  });

  test('the note on labels left out comes only where a selector of the policies names their key', () => {
    const docs = [cnp('db', { endpointSelector: labels({ app: 'db' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] })];
    const v = judged(policySet(docs), 'pod:default:app=web,pod-template-hash=5d8f', DB, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(JSON.stringify(v)).not.toContain('not in the identity');
  });

  test('labels the filter keeps still select', () => {
    const docs = [cnp('db', { endpointSelector: labels({ app: 'db' }), ingress: [{ fromEndpoints: [labels({ 'app.kubernetes.io/name': 'web' })] }] })];
    const v = judged(policySet(docs), 'pod:default:app.kubernetes.io/name=web', DB, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.ingress.notes.join('\n')).not.toContain('identity');
  });
});

describe('a node\'s labels on the host endpoint (host policies) go through the same filter', () => {
  const NODE = 'node:kubernetes.io/os=linux,kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=,pool=a';
  const hostPolicy = (nodeSelector: Record<string, string>): Record<string, unknown> =>
    ccnp('ssh', { nodeSelector: labels(nodeSelector), ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] });

  test('a nodeSelector on kubernetes.io/os or kubernetes.io/hostname selects no node: the host stays default allow', () => {
    for (const sel of [{ 'kubernetes.io/os': 'linux' }, { 'kubernetes.io/hostname': 'n1' }] as Record<string, string>[]) {
      const v = judged(policySet([hostPolicy(sel)]), 'cidr:203.0.113.7', NODE, '443/TCP');
      expect(v.allowed, JSON.stringify(sel)).toBe(true);
      expect(v.ingress.decision).toBe('no-policy-default-allow');
      const [key, value] = Object.entries(sel)[0];
      expect(v.ingress.notes.join('\n')).toMatch(new RegExp(`k8s:${key.replace(/\./g, '\\.')}=${value} is not in the identity of node:[^:]*: Cilium 1\\.19 leaves it out`));
    }
  });

  test('a nodeSelector on topology.kubernetes.io/zone selects the node on 1.18, none on 1.19 (cilium/cilium#43725)', () => {
    const zoned = 'node:kubernetes.io/hostname=n1,topology.kubernetes.io/zone=a';
    const set = (version: CiliumVersion) => policySet([hostPolicy({ 'topology.kubernetes.io/zone': 'a' })], { ciliumVersion: version });
    expect(judged(set(CiliumVersion.V1_18), 'cidr:203.0.113.7', zoned, '22/TCP').ingress.decision).toBe('default-deny');
    const v19 = judged(set(CiliumVersion.V1_19), 'cidr:203.0.113.7', zoned, '22/TCP');
    expect(v19.allowed).toBe(true);
    expect(v19.ingress.decision).toBe('no-policy-default-allow');
  });

  test('a nodeSelector on a role or a custom label selects it', () => {
    for (const sel of [{ 'node-role.kubernetes.io/control-plane': '' }, { pool: 'a' }] as Record<string, string>[]) {
      const v = judged(policySet([hostPolicy(sel)]), 'cidr:203.0.113.7', NODE, '443/TCP');
      expect(v.allowed, JSON.stringify(sel)).toBe(false);
      expect(v.ingress.decision).toBe('default-deny');
    }
  });
});

describe('a remote node\'s labels are in its identity only with node-selector labels, as node: labels', () => {
  const REMOTE = 'node:zone=a,kubernetes.io/hostname=n2';
  const API = 'pod:default:app=api';
  // A selector with a reserved: key gets no namespace; 1.18 has no cluster filter by default.
  const bySelector = (key: string): Record<string, unknown>[] => [ccnp('api', {
    endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ 'reserved:remote-node': '', [key]: 'a' })] }],
  })];

  test('without them a remote node is reserved:remote-node alone', () => {
    expect(judged(policySet(bySelector('zone'), { ciliumVersion: CiliumVersion.V1_18 }), REMOTE, API, '80/TCP').allowed).toBe(false);
  });

  test('with them its labels are of the node source: any: and node: keys select them, k8s: keys do not', () => {
    const options = { ciliumVersion: CiliumVersion.V1_18, nodeSelectorLabels: true };
    expect(judged(policySet(bySelector('zone'), options), REMOTE, API, '80/TCP').allowed).toBe(true);
    expect(judged(policySet(bySelector('node:zone'), options), REMOTE, API, '80/TCP').allowed).toBe(true);
    expect(judged(policySet(bySelector('k8s:zone'), options), REMOTE, API, '80/TCP').allowed).toBe(false);
  });
});

describe('labels named host or init: Cilium reads LabelArray.Has("host"/"init") as a key of any source', () => {
  // repository.go computePolicyEnforcementAndRules: `lbls.Has(labels.IDNameHost) && !EnableHostFirewall` enforces nothing,
  // `lbls.Has(labels.IDNameInit)` enforces default deny both ways; Has parses "host" as any:host (cilium/cilium#48027).
  const docs = [cnp('db', {
    endpointSelector: labels({ app: 'db' }),
    ingress: [{ fromEndpoints: [labels({ app: 'api' })] }],
    ingressDeny: [{ fromEndpoints: [labels({ app: 'web' })] }],
  })];

  test('a pod labelled host has no policy enforced while the host firewall is off, not even deny rules', () => {
    const v = judged(policySet(docs, { hostFirewall: false }), 'pod:default:app=web', 'pod:default:app=db,host=n1', '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.ingress.decision).toBe('not-evaluated');
    expect(v.ingress.reason).toContain('its identity has the label k8s:host=n1, and with the host firewall off Cilium enforces no policy');
    expect(judged(policySet(docs, { hostFirewall: false }), 'pod:default:app=web', 'pod:default:app=db', '5432/TCP').allowed).toBe(false);
  });

  test('with the host firewall on its policy applies', () => {
    const v = judged(policySet(docs, { hostFirewall: true }), 'pod:default:app=web', 'pod:default:app=db,host=n1', '5432/TCP');
    expect(v.ingress.decision).toBe('denied-by-deny-rule');
  });

  test('a pod labelled init is always default deny, like reserved:init, with no policy selecting it', () => {
    const none = policySet([cnp('other', { endpointSelector: labels({ app: 'other' }), ingress: [{}] })]);
    const v = judged(none, 'pod:default:app=web', 'pod:default:app=batch,init=true', '80/TCP');
    expect(v.allowed).toBe(false);
    expect(v.ingress.reason).toBe('default deny: its identity has the label k8s:init=true, which Cilium takes for reserved:init '
      + '(LabelArray.Has("init") reads the key of any source), so it is always default deny and no rule allows this');
    expect(judged(none, 'pod:default:app=batch,init=true', 'pod:default:app=web', '80/TCP').egress.decision).toBe('default-deny');
    expect(judged(none, 'entity:init', 'pod:default:app=web', '80/TCP').egress.reason).toContain('reserved:init endpoints are always default deny');
  });
});

describe('a node as a peer: its labels are filtered as the host endpoint\'s only where it is the local host', () => {
  // A selector names kubernetes.io/os, which the filter leaves out of the host endpoint's identity from 1.19. To the pod on
  // n1, node n1 is its local host (the host endpoint's identity): noted. To the pod on n2, n1 is a remote node: not noted.
  const docs = [cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [{ toNodes: [labels({ 'kubernetes.io/os': 'linux' })] }] })];
  const notes = (podNode: string): string => {
    const set = policySet(docs);
    const v = set.verdict({
      from: { ...set.endpoint('pod:default:app=web'), nodeName: podNode }, to: set.endpoint('node:kubernetes.io/os=linux,kubernetes.io/hostname=n1'),
      protocol: 'TCP', port: 10250,
    });
    return v.egress.notes.join('\n');
  };

  test('local host: noted; remote node: not noted', () => {
    expect(notes('n1')).toMatch(/k8s:kubernetes\.io\/os=linux is not in the identity of node:[^:]*: Cilium 1\.19 leaves it out/);
    expect(notes('n2')).not.toContain('not in the identity');
  });
});
