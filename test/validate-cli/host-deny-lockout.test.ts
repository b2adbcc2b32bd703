// `validate` on host policies whose deny rules cut a path the nodes need (`pitfall-host-deny-lockout`): reported at the
// deny item (file:line), whether or not the nodes are in default deny, since a deny wins over every allow.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Validator } from '../../src';
import { checkInfo } from '../../src/validate';
import { scratchDir } from '../support/scratch';
import { check, findings, where, yaml } from './helpers';

/** A host policy on `nodes` (a nodeSelector in flow style) with `body` under spec, and optional metadata annotations. */
const host = (nodes: string, body: string, annotations = ''): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: host-deny
` + annotations + yaml`
  spec:
    nodeSelector: ${nodes}
` + body;

const CP = '{ matchLabels: { node-role.kubernetes.io/control-plane: "" } }';
const WORKERS = '{ matchLabels: { node-role.kubernetes.io/worker: "" } }';
/** Workers that exclude the control-plane nodes (a selector of other labels may select them). */
const NOT_CP = '{ matchExpressions: [{ key: node-role.kubernetes.io/control-plane, operator: DoesNotExist }, { key: node-role.kubernetes.io/master, operator: DoesNotExist }] }';

/** A deny-only ingress section that does not flip the nodes to default deny. */
const denyOnly = (item: string): string => `  enableDefaultDeny: { ingress: false, egress: false }\n  ingressDeny:\n    - ${item}\n`;

describe('pitfall-host-deny-lockout', () => {
  it('is an error in the catalogue (deny wins: no other policy can keep the path open)', () => {
    expect(checkInfo('pitfall-host-deny-lockout').severity).toBe('error');
  });

  it('SSH denied from the world, nodes not in default deny: reported at the deny item, with the path, the peer and the fix', () => {
    const report = check({ 'host.yaml': host(CP, denyOnly('fromEntities: [world]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]')) });
    expect(where(report, 'pitfall-host-deny-lockout')).toEqual(['host.yaml:9:7']);
    expect(where(report, 'pitfall-host-lockout')).toEqual([]);
    const [d] = findings(report, 'pitfall-host-deny-lockout');
    expect(d.path).toBe('spec.ingressDeny[0]');
    expect(d.message).toContain('cuts the break-glass path of the nodes {node-role.kubernetes.io/control-plane=} (break-glass: entity world on 22/TCP)');
    expect(d.fix).toContain("lockoutExemptions: [{ path: LockoutPath.BREAK_GLASS, reason: '…' }]");
    expect(d.fix).toContain('cdk8s-cilium.io/lockout-exemptions: \'{"break-glass": "…"}\'');
    expect(report.summary.passed).toBe(false);
  });

  it.each([
    ['the kubelet from the API server', 'fromEntities: [kube-apiserver]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]', CP, 'kubelet'],
    ['the API server from other nodes (control-plane nodes)', 'fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]', CP, 'kube-apiserver'],
    ['the API server from the cluster (every node may be a control-plane node)', 'fromEntities: [cluster]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]', '{}', 'kube-apiserver'],
    ['SSH from 0.0.0.0/0', 'fromCIDR: [0.0.0.0/0]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]', CP, 'break-glass'],
    ['SSH from any peer (a port range)', 'toPorts: [{ ports: [{ port: "20", endPort: 25, protocol: TCP }] }]', WORKERS, 'break-glass'],
    ['Geneve from other nodes', 'fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6081", protocol: UDP }] }]', WORKERS, 'tunnel'],
    ['health from the health endpoints', 'fromEntities: [health]\n      toPorts: [{ ports: [{ port: "4240", protocol: ANY }] }]', WORKERS, 'cilium-health'],
    ['essential ICMP by name', 'fromEntities: [world]\n      icmps: [{ fields: [{ family: IPv6, type: PacketTooBig }] }]', WORKERS, 'icmp'],
    ['the API server from every pod (an empty selector)', 'fromEndpoints: [{}]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]', CP, 'kube-apiserver'],
    ['Hubble from hubble-relay', 'fromEndpoints: [{ matchLabels: { k8s-app: hubble-relay } }]', WORKERS, 'hubble'],
    ['SSH from the world with toPorts: [] (every port)', 'fromEntities: [world]\n      toPorts: []', WORKERS, 'break-glass, kube-apiserver, kubelet, icmp'],
    ['SSH from the world with icmps: [] (every port)', 'fromEntities: [world]\n      icmps: []', WORKERS, 'break-glass, kube-apiserver, kubelet, icmp'],
    ['SSH from 0.0.0.0/1 and 128.0.0.0/1 in one item', 'fromCIDR: [0.0.0.0/1, 128.0.0.0/1]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]', WORKERS, 'break-glass'],
    ['SSH from ::/1 and 8000::/1 (all of IPv6)', 'fromCIDRSet: [{ cidr: "::/1" }, { cidr: "8000::/1" }]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]', WORKERS, 'break-glass'],
    ['the API server from other nodes on nodes of another label (may be control-plane)', 'fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]',
      '{ matchLabels: { zone: a } }', 'kube-apiserver'],
  ])('%s', (_what, item, nodes, path) => {
    const [d, ...more] = findings(check({ 'host.yaml': host(nodes, denyOnly(item)) }), 'pitfall-host-deny-lockout');
    expect(more).toEqual([]);
    expect(d.message).toMatch(new RegExp(`cuts the ${path} paths? `));
  });

  it.each([
    ['SSH from one CIDR', 'fromCIDR: [203.0.113.0/24]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]', CP],
    ['the API server port on nodes that exclude control-plane nodes', 'fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]', NOT_CP],
    ['the API server port on nodes NotIn the control-plane role values', 'fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]',
      '{ matchExpressions: [{ key: node-role.kubernetes.io/master, operator: NotIn, values: ["", "true"] }, { key: node-role.kubernetes.io/control-plane, operator: NotIn, values: ["", "true"] }] }'],
    ['an empty item (no peer, no port: it denies nothing)', '{}', CP],
    ['SSH from 0.0.0.0/0 except a management range', 'fromCIDRSet: [{ cidr: 0.0.0.0/0, except: [10.50.0.0/16] }]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]', CP],
    ['ping from the world', 'fromEntities: [world]\n      icmps: [{ fields: [{ type: 8 }] }]', CP],
    ['every port from the pods of one namespace (not every pod, not hubble-relay)', 'fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: shop } }]', CP],
    ['every port from one CIDR (not the whole world)', 'fromCIDR: [203.0.113.0/24]', CP],
    ['the kubelet from pods', 'fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: shop } }]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]', CP],
  ])('not a lockout: %s', (_what, item, nodes) => {
    expect(where(check({ 'host.yaml': host(nodes, denyOnly(item)) }), 'pitfall-host-deny-lockout')).toEqual([]);
  });

  it('egress: one finding per deny item, naming every path it cuts, in a specs list (a deny of one CIDR cuts none; of the world on 443, the managed API server)', () => {
    const text = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata:
        name: node-egress
      specs:
        - endpointSelector: { matchLabels: { app: web } }
          egressDeny: [{ toEntities: [remote-node] }]
        - nodeSelector: {}
          enableDefaultDeny: { egress: false }
          egressDeny:
            - toCIDR: [10.0.0.0/8]
            - toEntities: [remote-node]
            - toEntities: [world]
              toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
    `;
    const report = check({ 'egress.yaml': text });
    expect(where(report, 'pitfall-host-deny-lockout')).toEqual(['egress.yaml:12:9', 'egress.yaml:13:9']);
    const [d, world] = findings(report, 'pitfall-host-deny-lockout');
    expect(d.path).toBe('specs[1].egressDeny[1]');
    expect(d.message).toContain('cuts the kube-apiserver, kubelet, etcd, cilium-health, tunnel, icmp paths of the nodes {}');
    // A managed API server (EKS, GKE, AKS) is outside the cluster: its address carries the world identity.
    expect(world.path).toBe('specs[1].egressDeny[2]');
    expect(world.message).toContain('cuts the kube-apiserver path of the nodes {} (kube-apiserver: entity world (a managed API server outside the cluster) on 443/TCP)');
  });

  it('the exemptions annotation leaves the exempted paths out; a bad annotation is named in the finding', () => {
    const body = denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "8472", protocol: UDP }, { port: "4240", protocol: TCP }] }]');
    const annotated = (value: string): string => host(WORKERS, body, `  annotations:\n    cdk8s-cilium.io/lockout-exemptions: '${value}'\n`);
    const cut = (value: string): string[] => findings(check({ 'host.yaml': annotated(value) }), 'pitfall-host-deny-lockout').map((d) => d.message);
    expect(cut('{"tunnel": "native routing", "cilium-health": "health checks off"}')).toEqual([]);
    expect(cut('{"tunnel": "native routing"}')).toEqual([expect.stringMatching(/cuts the cilium-health path /)]);
    expect(cut('{"tunnel": ""}')).toEqual([expect.stringMatching(/cuts the cilium-health, tunnel paths /)]);
    expect(cut('tunnel')).toEqual([expect.stringMatching(/cuts the cilium-health, tunnel paths /)]);
  });

  it('an exemption that exempts a cut is a warning naming the path, the deny item and the reason; an unused one is silent', () => {
    const body = denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "8472", protocol: UDP }] }]');
    const annotated = (value: string): string => host(WORKERS, body, `  annotations:\n    cdk8s-cilium.io/lockout-exemptions: '${value}'\n`);
    const report = check({ 'host.yaml': annotated('{"tunnel": "native routing", "hubble": "not deployed"}') });
    expect(where(report, 'pitfall-host-deny-lockout')).toEqual([]);
    expect(checkInfo('pitfall-host-lockout-exempted').severity).toBe('warning');
    expect(where(report, 'pitfall-host-lockout-exempted')).toEqual(['host.yaml:11:7']);
    const [w] = findings(report, 'pitfall-host-lockout-exempted');
    expect(w.path).toBe('spec.ingressDeny[0]');
    expect(w.message).toContain('cuts the tunnel path of the nodes {node-role.kubernetes.io/worker=} (entity remote-node on 8472/UDP)');
    expect(w.message).toContain('with the reason "native routing"');
    expect(report.summary.passed).toBe(true);
  });

  it('a bad annotation is a finding of its own, once per document, naming at most 5 keys, each cut short', () => {
    const annotated = (value: string): string => host(WORKERS, '  ingress: [{ fromEntities: [cluster] }]\n', `  annotations:\n    cdk8s-cilium.io/lockout-exemptions: '${value}'\n`);
    const problems = (value: string): string[] => findings(check({ 'host.yaml': annotated(value) }), 'pitfall-host-lockout-exemptions-invalid').map((d) => d.message);
    expect(problems('{"tunnel": "native routing"}')).toEqual([]);
    expect(problems('tunnel')).toEqual([expect.stringMatching(/is not a JSON object of path → reason/)]);
    expect(problems('{"break_glass": "x", "__proto__": "y"}')).toEqual([expect.stringMatching(/"break_glass", "__proto__" ignored/)]);
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${'k'.repeat(60)}${i}`, 'x']));
    const [m, ...more] = problems(JSON.stringify(many));
    expect(more).toEqual([]);
    expect(m).toContain(`"${'k'.repeat(40)}…" ignored`.replace(' ignored', ''));
    expect(m).toContain(' and 7 more ignored');
    expect(m.length).toBeLessThan(800);
    const [f] = findings(check({ 'host.yaml': annotated('tunnel') }), 'pitfall-host-lockout-exemptions-invalid');
    expect([f.severity, f.path]).toEqual(['warning', 'metadata.annotations']);
  });

  it('a file on disk (OS temp dir): the finding names the file and line, and the report fails', () => {
    const { dir, remove } = scratchDir('host-deny');
    try {
      const file = join(dir, 'host.yaml');
      writeFileSync(file, host(CP, denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]')));
      const report = Validator.validatePaths([file], { ciliumVersion: '1.19' });
      const [d] = report.diagnostics.filter((x) => x.id === 'pitfall-host-deny-lockout');
      expect([d.file.endsWith('host.yaml'), d.line, d.severity]).toEqual([true, 9, 'error']);
      expect(d.message).toContain('cuts the kubelet path');
      expect(report.summary.passed).toBe(false);
    } finally {
      remove();
    }
  });
});

describe('pitfall-host-deny-lockout: control-plane nodes excluded only by both role keys', () => {
  it.each([
    ['master DoesNotExist (a kubeadm 1.24+ control-plane node has no master label)', '{ matchExpressions: [{ key: node-role.kubernetes.io/master, operator: DoesNotExist }] }'],
    ['control-plane DoesNotExist (a node from before kubeadm 1.20 has only the master label)', '{ matchExpressions: [{ key: node-role.kubernetes.io/control-plane, operator: DoesNotExist }] }'],
    ['a look-alike key (example.com/master)', '{ matchExpressions: [{ key: example.com/master, operator: DoesNotExist }, { key: example.com/control-plane, operator: DoesNotExist }] }'],
    // Session 49: the host endpoint's node labels are of the k8s source (pkg/endpointmanager/host.go), never node:.
    ['both role keys of the node: source, which no host endpoint carries',
      '{ matchExpressions: [{ key: "node:node-role.kubernetes.io/control-plane", operator: DoesNotExist }, { key: "node:node-role.kubernetes.io/master", operator: DoesNotExist }] }'],
  ])('the API server port from other nodes is cut on nodes selected by %s', (_what, nodes) => {
    const found = where(check({ 'host.yaml': host(nodes, denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]')) }), 'pitfall-host-deny-lockout');
    expect(found.length).toBe(1);
  });
});

describe('pitfall-host-deny-lockout: whole-world coverage stays cheap on hostile input', () => {
  it('2,000 deny items alternating the two halves of IPv4 on 22/TCP: every item is redundant, all reported', () => {
    const items = Array.from({ length: 2000 }, (_, i) => `fromCIDR: [${i % 2 === 0 ? '0.0.0.0/1' : '128.0.0.0/1'}]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]`);
    const found = where(check({ 'host.yaml': host(NOT_CP, denyOnly(items.join('\n    - '))) }), 'pitfall-host-deny-lockout');
    expect(found.length).toBe(2000);
  });
});

describe('pitfall-host-deny-lockout: CIDR groups of the input, other host policies, unusable addresses', () => {
  const ssh = (peer: string): string => denyOnly(`${peer}\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]`);
  const group = (name: string, cidrs: string[], labels = '{}'): string => yaml`
    apiVersion: cilium.io/v2alpha1
    kind: CiliumCIDRGroup
    metadata: { name: ${name}, labels: ${labels} }
    spec: { externalCIDRs: [${cidrs.join(', ')}] }
  `;
  const named = (name: string, nodes: string, body: string): string => host(nodes, body).replace('name: host-deny', `name: ${name}`);

  it('a CiliumCIDRGroup of the input holding the whole world, by name or by labels: SSH from it is cut', () => {
    expect(where(check({ 'host.yaml': host(WORKERS, ssh('fromCIDRSet: [{ cidrGroupRef: everyone }]')), 'groups.yaml': group('everyone', ['0.0.0.0/0']) }),
      'pitfall-host-deny-lockout')).toEqual(['host.yaml:9:7']);
    const halves = group('halves', ['0.0.0.0/1', '128.0.0.0/1'], '{ scope: all }');
    const [d] = findings(check({ 'host.yaml': host(WORKERS, ssh('fromCIDRSet: [{ cidrGroupSelector: { matchLabels: { scope: all } } }]')), 'groups.yaml': halves }),
      'pitfall-host-deny-lockout');
    expect(d.message).toContain('(break-glass: entity world on 22/TCP)');
  });

  it.each([
    ['the group is not in the input (its addresses are not known)', 'fromCIDRSet: [{ cidrGroupRef: elsewhere }]', group('everyone', ['0.0.0.0/0'])],
    ['the group holds one range', 'fromCIDRSet: [{ cidrGroupRef: office }]', group('office', ['203.0.113.0/24'])],
    ['the group holds the world but the item keeps a management range open', 'fromCIDRSet: [{ cidrGroupRef: everyone, except: [10.50.0.0/16] }]', group('everyone', ['0.0.0.0/0'])],
    ['the selector matches no group of the input', 'fromCIDRSet: [{ cidrGroupSelector: { matchLabels: { scope: none } } }]', group('everyone', ['0.0.0.0/0'], '{ scope: all }')],
  ])('not a world cut: %s', (_what, peer, groups) => {
    expect(where(check({ 'host.yaml': host(WORKERS, ssh(peer)), 'groups.yaml': groups }), 'pitfall-host-deny-lockout')).toEqual([]);
  });

  it('two host policies whose nodes overlap deny SSH from one half of IPv4 each: both are reported, each naming the other', () => {
    const report = check({ 'a.yaml': named('a', '{}', ssh('fromCIDR: [0.0.0.0/1]')), 'b.yaml': named('b', WORKERS, ssh('fromCIDR: [128.0.0.0/1]')) });
    expect(where(report, 'pitfall-host-deny-lockout')).toEqual(['a.yaml:9:7', 'b.yaml:9:7']);
    const [a, b] = findings(report, 'pitfall-host-deny-lockout');
    // The other policy's item is named at its own line (where its finding is), not at the start of its document.
    expect(a.message).toContain('entity world on 22/TCP (together with ingressDeny[0] of CiliumClusterwideNetworkPolicy b (b.yaml:9))');
    expect(b.message).toContain('entity world on 22/TCP (together with ingressDeny[0] of CiliumClusterwideNetworkPolicy a (a.yaml:9))');
  });

  it('the same halves on nodes that cannot overlap, or on another port, cut nothing', () => {
    expect(where(check({ 'a.yaml': named('a', CP, ssh('fromCIDR: [0.0.0.0/1]')), 'b.yaml': named('b', NOT_CP, ssh('fromCIDR: [128.0.0.0/1]')) }),
      'pitfall-host-deny-lockout')).toEqual([]);
    const other = denyOnly('fromCIDR: [128.0.0.0/1]\n      toPorts: [{ ports: [{ port: "2222", protocol: TCP }] }]');
    expect(where(check({ 'a.yaml': named('a', '{}', ssh('fromCIDR: [0.0.0.0/1]')), 'b.yaml': named('b', '{}', other) }), 'pitfall-host-deny-lockout')).toEqual([]);
  });

  it.each([
    ['0.0.0.0/32 (no operator has it)', '[0.0.0.0/32]'],
    ['loopback, link-local and multicast', '[127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, 240.0.0.0/4]'],
  ])('the world except only unusable addresses is the world: except %s', (_what, except) => {
    expect(where(check({ 'host.yaml': host(WORKERS, ssh(`fromCIDRSet: [{ cidr: 0.0.0.0/0, except: ${except} }]`)) }), 'pitfall-host-deny-lockout'))
      .toEqual(['host.yaml:9:7']);
  });

  // Session 46 (lockout-guard.ts `worldCutters`: `ranges[i].length > 0` → `<= 0` in `needing`, → `true` in `reported`): the items
  // the world cut needs are reported, not one the union does not need; with every item redundant, those with addresses only.
  it('the halves of IPv4 and a redundant 10.0.0.0/8: the halves only; with every item redundant, an item of no address is not reported', () => {
    const items = (peers: string[]): string => ssh(peers.join('\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n    - '));
    expect(where(check({ 'host.yaml': host(WORKERS, items(['fromCIDR: [0.0.0.0/1]', 'fromCIDR: [128.0.0.0/1]', 'fromCIDR: [10.0.0.0/8]'])) }),
      'pitfall-host-deny-lockout')).toEqual(['host.yaml:9:7', 'host.yaml:11:7']);
    const twice = ['fromCIDR: [0.0.0.0/1]', 'fromCIDR: [128.0.0.0/1]', 'fromCIDR: [0.0.0.0/1]', 'fromCIDR: [128.0.0.0/1]'];
    expect(where(check({ 'host.yaml': host(WORKERS, items([...twice, 'fromEndpoints: [{ matchLabels: { app: x } }]'])) }), 'pitfall-host-deny-lockout'))
      .toEqual(['host.yaml:9:7', 'host.yaml:11:7', 'host.yaml:13:7', 'host.yaml:15:7']);
  });

  it('unusable addresses alone are no world cut', () => {
    expect(where(check({ 'host.yaml': host(WORKERS, ssh('fromCIDR: [0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/3]')) }), 'pitfall-host-deny-lockout')).toEqual([]);
  });

  it('300 host policies denying SSH from alternating halves: every one reported (cost stays low however many policies)', () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}.yaml`, named(`p${i}`, '{}', ssh(`fromCIDR: [${i % 2 === 0 ? '0.0.0.0/1' : '128.0.0.0/1'}]`))]));
    expect(where(check(files), 'pitfall-host-deny-lockout').length).toBe(300);
  });
});

describe('pitfall-host-deny-lockout: empty peer lists read as the target version reads them', () => {
  const ssh = (peer: string): string => denyOnly(`${peer}\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]`);
  const cuts = (peer: string, ciliumVersion: string): string[] => where(check({ 'host.yaml': host(WORKERS, ssh(peer)) }, { ciliumVersion }), 'pitfall-host-deny-lockout');

  it('fromEntities: [] beside toPorts selects every peer on them before Cilium 1.16 (SSH from anywhere is cut) and nothing from 1.16', () => {
    expect(cuts('fromEntities: []', '1.15')).toEqual(['host.yaml:9:7']);
    expect(cuts('fromEntities: []', '1.16')).toEqual([]);
  });

  it('fromEntities: [] without ports denies nothing before 1.16 either (pre-1.16 mergeIngress merges an L3-only item only with selectors)', () => {
    expect(where(check({ 'host.yaml': host(WORKERS, denyOnly('fromEntities: []')) }, { ciliumVersion: '1.15' }), 'pitfall-host-deny-lockout')).toEqual([]);
    expect(where(check({ 'host.yaml': host(WORKERS, denyOnly('fromEntities: [world]')) }, { ciliumVersion: '1.15' }), 'pitfall-host-deny-lockout')).not.toEqual([]);
  });

  it('a port rule without ports denies nothing (the agent makes a filter per port entry, rule.go mergeIngress)', () => {
    const denied = (item: string): string[] => where(check({ 'host.yaml': host(WORKERS, denyOnly(item)) }), 'pitfall-host-deny-lockout');
    expect(denied('fromEntities: [world]\n      toPorts: [{}]')).toEqual([]);
    expect(denied('fromCIDR: [0.0.0.0/0]\n      toPorts: [{ ports: [] }]')).toEqual([]);
    expect(denied('fromEntities: [world]')).toEqual(['host.yaml:9:7']);
  });

  it('an empty list beside the world: ignored before 1.16 (a cut), and the whole item selects nothing from 1.16', () => {
    expect(cuts('fromEntities: [world]\n      fromCIDR: []', '1.15')).toEqual(['host.yaml:9:7']);
    expect(cuts('fromEntities: [world]\n      fromCIDR: []', '1.16')).toEqual([]);
    expect(cuts('fromCIDR: [0.0.0.0/0]\n      fromEndpoints: []', '1.18')).toEqual([]);
  });
});

// egressDeny toServices is never resolved by the agent (pkg/policy/k8s/service.go `processRule`, and pkg/k8s/rule_translate.go
// `RuleTranslator.Translate` before 1.17, walk rule.Egress only): a deny "to the kubernetes Service" is not a deny of the
// API server. Without toPorts it denies nothing; with them it denies those ports to every peer, whichever Service it names.
describe('pitfall-host-deny-lockout: egressDeny toServices is never resolved', () => {
  const egress = (item: string): string => `  enableDefaultDeny: { ingress: false, egress: false }\n  egressDeny:\n    - ${item}\n`;
  const cuts = (item: string): string[] => findings(check({ 'host.yaml': host('{}', egress(item)) }), 'pitfall-host-deny-lockout').map((d) => d.message);
  const SERVICES = [
    ['the kubernetes Service by name in default', 'toServices: [{ k8sService: { serviceName: kubernetes, namespace: default } }]'],
    ['the kubernetes Service by name in every namespace', 'toServices: [{ k8sService: { serviceName: kubernetes } }]'],
    ['the kubernetes Service by its labels', 'toServices: [{ k8sServiceSelector: { selector: { matchLabels: { component: apiserver } }, namespace: default } }]'],
    ['another Service of default', 'toServices: [{ k8sService: { serviceName: web, namespace: default } }]'],
  ];

  it.each(SERVICES)('without toPorts, a deny to %s cuts nothing', (_what, item) => {
    expect(cuts(item)).toEqual([]);
  });

  it.each(SERVICES)('with 6443/TCP, a deny to %s cuts the API server (every peer on 6443)', (_what, item) => {
    expect(cuts(`${item}\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]`))
      .toEqual([expect.stringMatching(/cuts the kube-apiserver, pod-traffic paths of the nodes \{\} \(kube-apiserver: entity kube-apiserver on 6443\/TCP/)]);
  });
});

describe('the guard reads deny ports as the agent does (readPort: Go ParseUint base 0, names by lower-case name)', () => {
  const allowAllDeny = (port: string, endPort = ''): string => host('{}', '  ingress:\n    - fromEntities: [all]\n  ingressDeny:\n'
    + `    - fromEntities: [all]\n      toPorts: [{ ports: [{ port: "${port}"${endPort}, protocol: TCP }] }]\n`);
  it.each(['6443', '6_443', '014453'])('a deny of every peer on %s cuts the API server (6443)', (port) => {
    const [d] = findings(check({ 'host.yaml': allowAllDeny(port) }), 'pitfall-host-deny-lockout');
    expect(d.path).toBe('spec.ingressDeny[0]');
    expect(d.message).toBe('this deny rule of a host policy cuts the kube-apiserver path of the nodes {} (kube-apiserver: entity world on 6443/TCP): '
      + 'deny wins over every allow in Cilium, so no policy can keep it open and operators, the kubelet, the API server or Cilium itself can be locked '
      + 'out of the nodes');
  });
  it('a port that is no port (6-443) overlaps nothing: no lockout finding', () => {
    expect(findings(check({ 'host.yaml': allowAllDeny('6-443') }), 'pitfall-host-deny-lockout')).toEqual([]);
  });
  it('port 0 bounded by an endPort below 22 cuts no path; port 00 with no endPort cuts every path', () => {
    expect(findings(check({ 'host.yaml': allowAllDeny('0', ', endPort: 21') }), 'pitfall-host-deny-lockout')).toEqual([]);
    expect(findings(check({ 'host.yaml': allowAllDeny('00') }), 'pitfall-host-deny-lockout')).toHaveLength(1);
  });
  it('before 1.16 the API server prunes endPort: port 0 with endPort 21 is every port and cuts the API server, as the engine reads it', () => {
    for (const ciliumVersion of ['1.14', '1.15']) {
      const [d] = findings(check({ 'host.yaml': allowAllDeny('0', ', endPort: 21') }, { ciliumVersion }), 'pitfall-host-deny-lockout');
      expect(d.path).toBe('spec.ingressDeny[0]');
      expect(d.message).toContain('kube-apiserver: entity world on 6443/TCP');
    }
    expect(findings(check({ 'host.yaml': allowAllDeny('0', ', endPort: 21') }, { ciliumVersion: '1.16' }), 'pitfall-host-deny-lockout')).toEqual([]);
  });
});

// A cidrGroupSelector that holds on no label (`{}`, only NotIn/DoesNotExist) selects, on Cilium 1.17+, every identity
// without a cidrgroup: label — remote nodes, health endpoints, pods — not only the groups' ranges, as the engine reads it
// (`ungroupedSelections`; v1.17-v1.18 CIDRRuleSlice.GetAsEndpointSelectors, v1.19 pkg/policy/types/selector.go
// newCIDRRuleSelector). The guard reads it so: a deny of it cuts the node paths, an allow of it keeps them.
describe('pitfall-host-deny-lockout / pitfall-host-lockout: a cidrGroupSelector of no label (Cilium 1.17+)', () => {
  const SELECTORS = [
    ['{}', '{}'],
    ['env NotIn (dev)', '{ matchExpressions: [{ key: env, operator: NotIn, values: [dev] }] }'],
  ] as const;
  const tunnelDeny = (sel: string): string => host('{}', denyOnly(`fromCIDRSet: [{ cidrGroupSelector: ${sel} }]\n      toPorts: [{ ports: [{ port: "6081", protocol: UDP }] }]`));

  it.each(SELECTORS)('a deny of %s on the tunnel port cuts the tunnel path from remote nodes, as fromEntities: [remote-node] does', (_what, sel) => {
    for (const ciliumVersion of ['1.17', '1.19']) {
      const [d] = findings(check({ 'host.yaml': tunnelDeny(sel) }, { ciliumVersion }), 'pitfall-host-deny-lockout');
      expect(d?.message, `Cilium ${ciliumVersion}`).toContain('(tunnel: entity remote-node on 6081/UDP)');
      expect(d.path).toBe('spec.ingressDeny[0]');
    }
    const entity = host('{}', denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6081", protocol: UDP }] }]'));
    expect(where(check({ 'host.yaml': entity }, { ciliumVersion: '1.19' }), 'pitfall-host-deny-lockout')).toEqual(['host.yaml:9:7']);
  });

  it('a selector that requires a label by value is no cut of the tunnel path', () => {
    expect(where(check({ 'host.yaml': tunnelDeny('{ matchLabels: { env: prod } }') }, { ciliumVersion: '1.19' }), 'pitfall-host-deny-lockout')).toEqual([]);
  });

  const allowOnly = (sel: string): string => host('{}', `  ingress:\n    - fromCIDRSet: [{ cidrGroupSelector: ${sel} }]\n`);
  it('an allow of {} keeps every path open: no pitfall-host-lockout', () => {
    expect(findings(check({ 'host.yaml': allowOnly('{}') }, { ciliumVersion: '1.19' }), 'pitfall-host-lockout')).toEqual([]);
  });

  it('an allow of env NotIn (dev) keeps the node paths, not a managed API server (it may sit in a group the selector refuses)', () => {
    const [d] = findings(check({ 'host.yaml': allowOnly(SELECTORS[1][1]) }, { ciliumVersion: '1.19' }), 'pitfall-host-lockout');
    expect(d?.message).toContain('no host policy in the input allows kubelet (10250/TCP from the API server):');
    // A selector by value keeps nothing of the nodes' own paths.
    const [byValue] = findings(check({ 'host.yaml': allowOnly('{ matchLabels: { env: prod } }') }, { ciliumVersion: '1.19' }), 'pitfall-host-lockout');
    expect(byValue?.message).toContain('Cilium health (4240/TCP from other nodes); the tunnel');
  });
});

describe('pitfall-host-deny-lockout: cidrGroupRef by its name label (1.17+)', () => {
  // Group b holds every address and carries `io.cilium.policy.cidrgroupname/a` as its own label: from 1.17 a
  // `cidrGroupRef: a` is `Exists cidrgroup:io.cilium.policy.cidrgroupname/a` and selects b too (pkg/policy/api/cidr.go
  // `GetAsEndpointSelectors`; 1.19 pkg/policy/types/selector.go `newCIDRRuleSelector`); before, only group a's CIDRs.
  // The groups are cilium.io/v2alpha1, which every release serves (cilium.io/v2 only from 1.18: a 1.17 cluster has no v2 group).
  const groups = yaml`
    apiVersion: cilium.io/v2alpha1
    kind: CiliumCIDRGroup
    metadata:
      name: a
    spec:
      externalCIDRs: [192.0.2.0/24]
    ---
    apiVersion: cilium.io/v2alpha1
    kind: CiliumCIDRGroup
    metadata:
      name: b
      labels: { io.cilium.policy.cidrgroupname/a: "" }
    spec:
      externalCIDRs: [0.0.0.0/0, "::/0"]
  `;
  const deny = (ref: string): string => denyOnly(`fromCIDRSet: [{ cidrGroupRef: ${ref} }]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]`);
  it.each([['1.17', 'a', ['host.yaml:9:7']], ['1.19', 'a', ['host.yaml:9:7']], ['1.16', 'a', []], ['1.19', 'x', []]] as [string, string, string[]][])(
    'v%s cidrGroupRef: %s -> %j', (ciliumVersion, ref, expected) => {
      const report = check({ 'host.yaml': host('{}', deny(ref)), 'g.yaml': groups }, { ciliumVersion });
      expect(where(report, 'pitfall-host-deny-lockout')).toEqual(expected);
    });
});
