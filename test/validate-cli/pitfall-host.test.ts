// The two checks of src/validate/pitfall-host.ts by their findings (check id, path, message, fix): a host policy in
// default deny without the paths the nodes need (`pitfall-host-lockout`: which paths, which direction, which host
// policies count as allowing them), and the report of a deny that cuts a path (`pitfall-host-deny-lockout`: one finding
// per deny item, each path once, the fix naming the first; exempted cuts as warnings with the stated reason; a bad
// exemptions annotation once per document). In the mutation test set for pitfall-host.ts.
import { describe, expect, it } from 'vitest';
import { check, findings, yaml } from './helpers';

/** A host policy named `name` on `nodes` (flow style) with `body` under spec, and optional metadata lines. */
const host = (nodes: string, body: string, metadata = '', name = 'hosts'): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: ${name}
` + metadata + yaml`
  spec:
    nodeSelector: ${nodes}
` + body;

const WORKERS = '{ matchLabels: { node-role.kubernetes.io/worker: "" } }';
const exemptions = (json: string): string => `  annotations:\n    cdk8s-cilium.io/lockout-exemptions: '${json}'\n`;
const SSH_ONLY = '  ingress:\n    - fromEntities: [world]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
const INGRESS_MISSING = 'kube-apiserver (6443/TCP) on control-plane nodes; kubelet (10250/TCP from the API server); Cilium health (4240/TCP from other nodes); '
  + 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP from other nodes; not needed with native routing)';
const EGRESS_MISSING = 'the API server (6443/TCP or 443/TCP, for the kubelet); Cilium health (4240/TCP to other nodes); '
  + 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP to other nodes; not needed with native routing)';

/** `[path, message, fix]` of every finding with `id`. */
const found = (files: Record<string, string>, id: string, ciliumVersion?: string): string[][] =>
  findings(check(files, ciliumVersion ? { ciliumVersion } : {}), id).map((d) => [`${d.file}:${d.line} ${d.path ?? ''}`, d.message, d.fix ?? '']);

describe('pitfall-host-lockout: default deny without the paths the nodes need', () => {
  it('ingress: the missing paths, at the ingress section, with the fix for ingress', () => {
    expect(found({ 'h.yaml': host('{}', SSH_ONLY) }, 'pitfall-host-lockout')).toEqual([[
      'h.yaml:8 spec.ingress',
      `this host policy puts the nodes {} into ingress default deny, but no host policy in the input allows ${INGRESS_MISSING}: `
      + 'the nodes can lose their kubelet, health checks, pod network or API server',
      'allow these paths in a host policy for the same nodes (e.g. fromEntities: [remote-node, health, kube-apiserver] on those ports), '
      + 'or write the policy with the HostFirewall construct, which keeps them open; roll out with policyAuditMode first',
    ]]);
  });

  it('egress: the missing egress paths, at the egress section, with toEntities in the fix', () => {
    const [[at, message, fix], ...more] = found({ 'h.yaml': host(WORKERS, '  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "443", protocol: TCP }] }] }]\n') },
      'pitfall-host-lockout');
    expect(more).toEqual([]);
    expect(at).toBe('h.yaml:7 spec.egress');
    expect(message).toBe(`this host policy puts the nodes {node-role.kubernetes.io/worker=} into egress default deny, but no host policy in the input allows ${EGRESS_MISSING}: `
      + 'the nodes can lose their kubelet, health checks, pod network or API server');
    expect(fix).toContain('(e.g. toEntities: [remote-node, health, kube-apiserver] on those ports)');
  });

  it('a deny-only section puts the nodes into default deny too: reported at the deny section of that direction', () => {
    expect(found({ 'h.yaml': host('{}', '  ingressDeny: [{ fromEntities: [world], toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }] }]\n') }, 'pitfall-host-lockout')
      .map(([at]) => at)).toEqual(['h.yaml:7 spec.ingressDeny']);
    expect(found({ 'h.yaml': host('{}', '  egressDeny: [{ toEntities: [world], toPorts: [{ ports: [{ port: "25", protocol: TCP }] }] }]\n') }, 'pitfall-host-lockout')
      .map(([at, message]) => [at, message.includes('into egress default deny')])).toEqual([['h.yaml:7 spec.egressDeny', true]]);
  });

  it('both directions in default deny: one finding each', () => {
    const body = `${SSH_ONLY}  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "443", protocol: TCP }] }] }]\n`;
    expect(found({ 'h.yaml': host('{}', body) }, 'pitfall-host-lockout').map(([at]) => at)).toEqual(['h.yaml:8 spec.ingress', 'h.yaml:10 spec.egress']);
  });

  it('each direction needs allows of its own direction: ingress allows of every peer keep no egress path', () => {
    const body = '  ingress: [{ fromEntities: [all] }]\n  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "443", protocol: TCP }] }] }]\n';
    expect(found({ 'h.yaml': host('{}', body) }, 'pitfall-host-lockout').map(([at, message]) => [at, message.includes(EGRESS_MISSING)]))
      .toEqual([['h.yaml:8 spec.egress', true]]);
  });

  it('an exempted path is not required; every required path exempted: no finding', () => {
    const [[, message]] = found({ 'h.yaml': host('{}', SSH_ONLY, exemptions('{"tunnel": "native routing"}')) }, 'pitfall-host-lockout');
    expect(message).toContain('Cilium health (4240/TCP from other nodes): the nodes');
    expect(message).not.toContain('tunnel');
    const all = exemptions('{"tunnel": "native routing", "kube-apiserver": "x", "kubelet": "x", "cilium-health": "x"}');
    expect(found({ 'h.yaml': host('{}', SSH_ONLY, all) }, 'pitfall-host-lockout')).toEqual([]);
  });

  it('only the paths still missing are named: an allow of other nodes keeps health and the tunnel', () => {
    const body = `${SSH_ONLY}    - fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "4240", protocol: TCP }, { port: "8472", protocol: UDP }] }]\n`;
    const [[, message]] = found({ 'h.yaml': host('{}', body) }, 'pitfall-host-lockout');
    expect(message).toContain('allows kube-apiserver (6443/TCP) on control-plane nodes; kubelet (10250/TCP from the API server): the nodes');
  });

  it('allows of another host policy count when its nodes hold all of these nodes, not when they are fewer', () => {
    const open = host('{}', '  ingress: [{ fromEntities: [cluster] }]\n', '', 'open');
    expect(found({ 'h.yaml': host(WORKERS, SSH_ONLY), 'open.yaml': open }, 'pitfall-host-lockout')).toEqual([]);
    const openWorkers = host(WORKERS, '  ingress: [{ fromEntities: [cluster] }]\n', '', 'open');
    expect(found({ 'h.yaml': host('{}', SSH_ONLY), 'open.yaml': openWorkers }, 'pitfall-host-lockout').map(([at]) => at)).toEqual(['h.yaml:8 spec.ingress']);
  });

  it('allows of a pod policy do not count', () => {
    const pods = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata:
        name: pods
      spec:
        endpointSelector: {}
        ingress: [{ fromEntities: [cluster] }]
    `;
    expect(found({ 'h.yaml': host('{}', SSH_ONLY), 'pods.yaml': pods }, 'pitfall-host-lockout').map(([at]) => at)).toEqual(['h.yaml:8 spec.ingress']);
  });

  it('empty peer lists as the target version reads them: before 1.16 every peer on the item\'s ports (nothing without ports), none from 1.16', () => {
    // Pre-1.16 pkg/policy/rule.go mergeIngress: an L3-only item is merged only with a non-empty selector list; with
    // toPorts an empty list is the wildcard on those ports.
    const bare = `${SSH_ONLY}    - fromEntities: []\n`;
    expect(found({ 'h.yaml': host('{}', bare) }, 'pitfall-host-lockout', '1.15').map(([at]) => at)).toEqual(['h.yaml:8 spec.ingress']);
    expect(found({ 'h.yaml': host('{}', bare) }, 'pitfall-host-lockout', '1.16').map(([at]) => at)).toEqual(['h.yaml:8 spec.ingress']);
    const ports = ['6443/TCP', '10250/TCP', '4240/TCP', '8472/UDP', '6081/UDP'].map((p) => `{ port: "${p.split('/')[0]}", protocol: ${p.split('/')[1]} }`).join(', ');
    const onPorts = `${SSH_ONLY}    - fromEntities: []\n      toPorts: [{ ports: [${ports}] }]\n`;
    expect(found({ 'h.yaml': host('{}', onPorts) }, 'pitfall-host-lockout', '1.15')).toEqual([]);
    expect(found({ 'h.yaml': host('{}', onPorts) }, 'pitfall-host-lockout', '1.16').map(([at]) => at)).toEqual(['h.yaml:8 spec.ingress']);
  });

  it('an allow whose port rule has no ports keeps no path (the agent makes a filter per port entry, rule.go mergeIngress)', () => {
    const portless = '  ingress:\n    - fromEntities: [all]\n      toPorts: [{}]\n';
    expect(found({ 'h.yaml': host('{}', portless) }, 'pitfall-host-lockout').map(([at]) => at)).toEqual(['h.yaml:8 spec.ingress']);
    expect(found({ 'h.yaml': host('{}', '  ingress:\n    - fromEntities: [all]\n') }, 'pitfall-host-lockout')).toEqual([]);
  });

  it('not default deny (enableDefaultDeny false, no rules of that direction): no finding', () => {
    expect(found({ 'h.yaml': host('{}', `  enableDefaultDeny: { ingress: false }\n${SSH_ONLY}`) }, 'pitfall-host-lockout')).toEqual([]);
  });
});

describe('pitfall-host-deny-lockout: the finding of a deny that cuts paths', () => {
  const denyOnly = (item: string): string => `  enableDefaultDeny: { ingress: false, egress: false }\n  ingressDeny:\n    - ${item}\n`;

  it('one path: "path", "keep it open", the fix naming its LockoutPath and annotation key', () => {
    expect(found({ 'h.yaml': host(WORKERS, denyOnly('fromEntities: [kube-apiserver]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]')) },
      'pitfall-host-deny-lockout')).toEqual([[
      'h.yaml:9 spec.ingressDeny[0]',
      'this deny rule of a host policy cuts the kubelet path of the nodes {node-role.kubernetes.io/worker=} (kubelet: entity kube-apiserver on 10250/TCP): '
      + 'deny wins over every allow in Cilium, so no policy can keep it open and operators, the kubelet, the API server or Cilium itself can be locked out of the nodes',
      'narrow the deny (its peer or its ports) so that it leaves the path open; or, if the path is not needed on these nodes, exempt it with a reason: '
      + "ClusterwidePolicy lockoutExemptions: [{ path: LockoutPath.KUBELET, reason: '…' }] (HostFirewall: exemptions), or in YAML "
      + 'the annotation cdk8s-cilium.io/lockout-exemptions: \'{"kubelet": "…"}\'',
    ]]);
  });

  it('several paths: "paths", "keep them open", each path once with what cuts it, the fix naming the first', () => {
    const [[at, message, fix], ...more] = found({ 'h.yaml': host(WORKERS, denyOnly('fromEntities: [remote-node, health]\n      toPorts: [{ ports: [{ port: "4240", protocol: TCP }, { port: "8472", protocol: UDP }] }]')) },
      'pitfall-host-deny-lockout');
    expect(more).toEqual([]);
    expect(at).toBe('h.yaml:9 spec.ingressDeny[0]');
    expect(message).toContain('cuts the cilium-health, tunnel paths of the nodes {node-role.kubernetes.io/worker=} '
      + '(cilium-health: entity remote-node on 4240/TCP; tunnel: entity remote-node on 8472/UDP): deny wins over every allow in Cilium, so no policy can keep them open');
    expect(fix).toContain('LockoutPath.CILIUM_HEALTH');
    expect(fix).toContain('\'{"cilium-health": "…"}\'');
  });

  it('one finding per deny item, in item order', () => {
    const items = 'fromEntities: [kube-apiserver]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]\n'
      + '    - fromEntities: [world]\n      toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]\n'
      + '    - fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "8472", protocol: UDP }] }]';
    expect(found({ 'h.yaml': host(WORKERS, denyOnly(items)) }, 'pitfall-host-deny-lockout').map(([at, message]) => `${at} ${/cuts the (\S+) path/.exec(message)?.[1]}`))
      .toEqual(['h.yaml:9 spec.ingressDeny[0] kubelet', 'h.yaml:13 spec.ingressDeny[2] tunnel']);
  });

  it('an exempted path in an item that cuts another: a warning for the exempted one, an error naming only the other', () => {
    const files = { 'h.yaml': host(WORKERS, denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "4240", protocol: TCP }, { port: "8472", protocol: UDP }] }]'),
      exemptions('{"tunnel": "native routing"}')) };
    const [[, error], ...moreErrors] = found(files, 'pitfall-host-deny-lockout');
    expect(moreErrors).toEqual([]);
    expect(error).toContain('cuts the cilium-health path of the nodes {node-role.kubernetes.io/worker=} (cilium-health: entity remote-node on 4240/TCP)');
    expect(found(files, 'pitfall-host-lockout-exempted').map(([at, message]) => [at, message])).toEqual([[
      'h.yaml:11 spec.ingressDeny[0]',
      'this deny rule of a host policy cuts the tunnel path of the nodes {node-role.kubernetes.io/worker=} (entity remote-node on 8472/UDP), '
      + 'exempted by the annotation cdk8s-cilium.io/lockout-exemptions with the reason "native routing"',
    ]]);
  });

  it('an exempted path cut through two peers of one item: one warning, naming the first', () => {
    const files = { 'h.yaml': host(WORKERS, denyOnly('fromEntities: [remote-node, health]\n      toPorts: [{ ports: [{ port: "4240", protocol: TCP }] }]'),
      exemptions('{"cilium-health": "health checks off"}')) };
    expect(found(files, 'pitfall-host-deny-lockout')).toEqual([]);
    const warnings = found(files, 'pitfall-host-lockout-exempted');
    expect(warnings.map(([, message]) => /\((entity [^)]*)\)/.exec(message)?.[1])).toEqual(['entity remote-node on 4240/TCP']);
  });

  it('exempted cuts of two items: one warning each, in item order', () => {
    const items = 'fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "8472", protocol: UDP }] }]\n'
      + '    - fromEntities: [health]\n      toPorts: [{ ports: [{ port: "4240", protocol: TCP }] }]';
    const files = { 'h.yaml': host(WORKERS, denyOnly(items), exemptions('{"tunnel": "a", "cilium-health": "b"}')) };
    expect(found(files, 'pitfall-host-lockout-exempted').map(([at, message]) => `${at} ${/reason (".*")$/.exec(message)?.[1]}`))
      .toEqual(['h.yaml:11 spec.ingressDeny[0] "a"', 'h.yaml:13 spec.ingressDeny[1] "b"']);
  });

  it('the stated reason up to 200 characters, longer ones cut', () => {
    const item = denyOnly('fromEntities: [remote-node]\n      toPorts: [{ ports: [{ port: "8472", protocol: UDP }] }]');
    const reasonOf = (reason: string): string | undefined => found({ 'h.yaml': host(WORKERS, item, exemptions(`{"tunnel": "${reason}"}`)) }, 'pitfall-host-lockout-exempted')
      .map(([, message]) => /with the reason "(.*)"$/.exec(message)?.[1])[0];
    expect(reasonOf('r'.repeat(200))).toBe('r'.repeat(200));
    expect(reasonOf('r'.repeat(201))).toBe(`${'r'.repeat(200)}…`);
  });

  it('a bad exemptions annotation: one finding for the document, at its host rule, however many rules it holds; none on a pod policy', () => {
    const specs = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata:
        name: mixed
        annotations:
          cdk8s-cilium.io/lockout-exemptions: '{"break_glass": "x"}'
      specs:
        - endpointSelector: {}
          ingress: [{ fromEntities: [cluster] }]
        - nodeSelector: {}
          ingress: [{ fromEntities: [cluster] }]
        - nodeSelector: { matchLabels: { zone: a } }
          ingress: [{ fromEntities: [cluster] }]
    `;
    const [[at, message], ...more] = found({ 'm.yaml': specs }, 'pitfall-host-lockout-exemptions-invalid');
    expect(more).toEqual([]);
    expect(at).toBe('m.yaml:6 metadata.annotations');
    expect(message).toContain(': the lockout guard of this host policy exempts only the paths it could read');
    // A host policy before it in the input does not take its finding.
    expect(found({ 'first.yaml': host('{}', '  ingress: [{ fromEntities: [cluster] }]\n', '', 'first'), 'm.yaml': specs }, 'pitfall-host-lockout-exemptions-invalid')
      .map(([where]) => where)).toEqual(['m.yaml:6 metadata.annotations']);
    const pods = specs.replace(/nodeSelector: \{[^\n]*\}/g, 'endpointSelector: { matchLabels: { app: x } }');
    expect(found({ 'm.yaml': pods }, 'pitfall-host-lockout-exemptions-invalid')).toEqual([]);
  });

  it('the deny rules of pod policies are no companions: a pod policy denying one half of IPv4 and a host policy the other cut nothing', () => {
    const pods = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata:
        name: pods
      spec:
        endpointSelector: {}
        enableDefaultDeny: { ingress: false }
        ingressDeny: [{ fromCIDR: [128.0.0.0/1], toPorts: [{ ports: [{ port: "22", protocol: TCP }] }] }]
    `;
    const half = denyOnly('fromCIDR: [0.0.0.0/1]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]');
    expect(found({ 'h.yaml': host('{}', half), 'pods.yaml': pods }, 'pitfall-host-deny-lockout')).toEqual([]);
    const otherHalf = host('{}', denyOnly('fromCIDR: [128.0.0.0/1]\n      toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]'), '', 'other');
    expect(found({ 'h.yaml': host('{}', half), 'other.yaml': otherHalf }, 'pitfall-host-deny-lockout').map(([at]) => at))
      .toEqual(['h.yaml:9 spec.ingressDeny[0]', 'other.yaml:9 spec.ingressDeny[0]']);
  });
});
