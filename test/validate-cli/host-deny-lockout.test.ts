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
  ])('%s', (_what, item, nodes, path) => {
    const [d, ...more] = findings(check({ 'host.yaml': host(nodes, denyOnly(item)) }), 'pitfall-host-deny-lockout');
    expect(more).toEqual([]);
    expect(d.message).toMatch(new RegExp(`cuts the ${path} path `));
  });

  it.each([
    ['SSH from one CIDR', 'fromCIDR: [203.0.113.0/24]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]', CP],
    ['the API server port on worker nodes', 'fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]', WORKERS],
    ['ping from the world', 'fromEntities: [world]\n      icmps: [{ fields: [{ type: 8 }] }]', CP],
    ['every port from the pods of one namespace (not every pod, not hubble-relay)', 'fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: shop } }]', CP],
    ['every port from one CIDR (not the whole world)', 'fromCIDR: [203.0.113.0/24]', CP],
    ['the kubelet from pods', 'fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: shop } }]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]', CP],
  ])('not a lockout: %s', (_what, item, nodes) => {
    expect(where(check({ 'host.yaml': host(nodes, denyOnly(item)) }), 'pitfall-host-deny-lockout')).toEqual([]);
  });

  it('egress: one finding per deny item, naming every path it cuts, in a specs list (a deny of one CIDR or of the world on 443 cuts none)', () => {
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
    expect(where(report, 'pitfall-host-deny-lockout')).toEqual(['egress.yaml:12:9']);
    const [d] = findings(report, 'pitfall-host-deny-lockout');
    expect(d.path).toBe('specs[1].egressDeny[1]');
    expect(d.message).toContain('cuts the kube-apiserver, kubelet, etcd, cilium-health, tunnel, icmp paths of the nodes {}');
  });

  it('the exemptions annotation leaves the exempted paths out; a bad annotation is named in the finding', () => {
    const body = denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "8472", protocol: UDP }, { port: "4240", protocol: TCP }] }]');
    const annotated = (value: string): string => host(WORKERS, body, `  annotations:\n    cdk8s-cilium.io/lockout-exemptions: '${value}'\n`);
    const cut = (value: string): string[] => findings(check({ 'host.yaml': annotated(value) }), 'pitfall-host-deny-lockout').map((d) => d.message);
    expect(cut('{"tunnel": "native routing", "cilium-health": "health checks off"}')).toEqual([]);
    expect(cut('{"tunnel": "native routing"}')).toEqual([expect.stringMatching(/cuts the cilium-health path /)]);
    expect(cut('{"tunnel": ""}')).toEqual([expect.stringMatching(/cuts the cilium-health, tunnel paths .*"tunnel" ignored/)]);
    expect(cut('tunnel')).toEqual([expect.stringMatching(/is not a JSON object of path → reason/)]);
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
