// The lockout guard of low-level host policies (a ClusterwidePolicy rule with a nodeSelector): a deny that cuts a path the
// nodes need is refused at synthesis (`pitfall-host-deny-lockout`) unless the path is exempted with a reason; the
// engine confirms each refused deny really drops that path, and that each accepted one leaves it open.
import { ApiObject, Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  ClusterwidePolicy, Endpoint, EndpointKind, EndpointSelector, Entity, HostFirewall, Icmp, LabelExpression, LockoutExemptionsAnnotation, LockoutPath,
  NodeSelector, Peer, Port, Validator,
} from '../../src';
import { cut, lockout } from '../support/lockout-guard';
import { synthFailure } from '../support/synth';

const CONTROL_PLANE = NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' });
// Workers that say they are not control-plane nodes: a selector of other labels may hold control-plane nodes too.
const WORKERS = NodeSelector.of({ labels: { 'node-role.kubernetes.io/worker': '' }, expressions: [LabelExpression.doesNotExist('node-role.kubernetes.io/control-plane'), LabelExpression.doesNotExist('node-role.kubernetes.io/master')] });
const CP_NODE = 'node:node-role.kubernetes.io/control-plane=';
const WORKER_NODE = 'node:node-role.kubernetes.io/worker=';
// Other nodes with their labels (a node's host endpoint carries its node's labels, and whether a nodeSelector selects it
// depends on them: `entity:remote-node` alone is refused, engine-node-labels-unknown). Nodes no rule here selects: the
// verdict is that of the host rule on the other end.
const REMOTE = 'node:kubernetes.io/hostname=w1';
const API_SERVER: Endpoint = { kind: EndpointKind.NODE, name: 'w2', labels: { 'kubernetes.io/hostname': 'w2' }, entity: 'kube-apiserver' };
const EVERY_PATH = Object.values(LockoutPath).map((path) => ({ path, reason: 'test: the engine judges the deny' }));

/** A host rule: nodes, the deny, and the connection on the path it may cut (`in`: into the nodes, `out`: from them). */
interface Row {
  readonly what: string;
  readonly nodes?: NodeSelector;
  readonly deny: (p: ClusterwidePolicy) => void;
  /** from, to, port of a connection on the guarded path. */
  readonly connection: readonly [string | Endpoint, string | Endpoint, string];
  /** The paths the synthesis names (empty: accepted). */
  readonly cut: readonly string[];
}

const ROWS: readonly Row[] = [
  { what: 'SSH from the world entity', deny: (p) => p.denyIngress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(22)] }), connection: ['cidr:203.0.113.5', CP_NODE, '22/TCP'], cut: ['break-glass'] },
  { what: 'SSH from any peer', deny: (p) => p.denyIngress(Peer.any(), { ports: [Port.tcp(22)] }), connection: ['cidr:203.0.113.5', CP_NODE, '22/TCP'], cut: ['break-glass'] },
  { what: 'SSH from 0.0.0.0/0', deny: (p) => p.denyIngress(Peer.cidr('0.0.0.0/0'), { ports: [Port.tcp(22)] }), connection: ['cidr:203.0.113.5', CP_NODE, '22/TCP'], cut: ['break-glass'] },
  { what: 'the kubelet from the API server', deny: (p) => p.denyIngress(Peer.kubeApiServer(), { ports: [Port.tcp(10250)] }), connection: [API_SERVER, CP_NODE, '10250/TCP'], cut: ['kubelet'] },
  {
    what: 'the API server from other nodes, on control-plane nodes', deny: (p) => p.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(6443)] }),
    connection: [REMOTE, CP_NODE, '6443/TCP'], cut: ['kube-apiserver'],
  },
  {
    what: 'the API server from the cluster, on control-plane nodes', deny: (p) => p.denyIngress(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(6443)] }),
    connection: ['pod:shop:app=web', CP_NODE, '6443/TCP'], cut: ['kube-apiserver'],
  },
  { what: 'the VXLAN tunnel', deny: (p) => p.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.udp(8472)] }), connection: [REMOTE, CP_NODE, '8472/UDP'], cut: ['tunnel'] },
  { what: 'Cilium health', deny: (p) => p.denyIngress(Peer.entity(Entity.HEALTH), { ports: [Port.tcp(4240)] }), connection: ['entity:health', CP_NODE, '4240/TCP'], cut: ['cilium-health'] },
  {
    what: 'essential ICMP from the world', deny: (p) => p.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.destinationUnreachable()] }),
    connection: ['cidr:203.0.113.5', CP_NODE, 'icmp/3'], cut: ['icmp'],
  },
  {
    what: 'egress to the API server', deny: (p) => p.denyEgress(Peer.kubeApiServer(), { ports: [Port.tcp(6443)] }),
    connection: [CP_NODE, API_SERVER, '6443/TCP'], cut: ['kube-apiserver'],
  },
  { what: 'egress to pods', deny: (p) => p.denyEgress(Peer.allNamespaces(), { ports: [Port.tcp(8080)] }), connection: [CP_NODE, 'pod:shop:app=web', '8080/TCP'], cut: ['pod-traffic'] },
  {
    what: 'SSH from 0.0.0.0/1 and 128.0.0.0/1 (together the whole world)',
    deny: (p) => {
      p.denyIngress(Peer.cidr('0.0.0.0/1'), { ports: [Port.tcp(22)] });
      p.denyIngress(Peer.cidr('128.0.0.0/1'), { ports: [Port.tcp(22)] });
    },
    connection: ['cidr:203.0.113.5', CP_NODE, '22/TCP'], cut: ['break-glass'],
  },
  {
    what: 'egress to the world on 443 (a managed API server is in the world)', deny: (p) => p.denyEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] }),
    connection: [CP_NODE, 'cidr:203.0.113.5', '443/TCP'], cut: ['kube-apiserver'],
  },
  {
    what: 'the API server from other nodes, on nodes selected by another label (they may be control-plane nodes)', nodes: NodeSelector.labels({ zone: 'a' }),
    deny: (p) => p.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(6443)] }), connection: [REMOTE, 'node:zone=a', '6443/TCP'], cut: ['kube-apiserver'],
  },
  // Accepted: the deny leaves the path open.
  { what: 'SSH from one CIDR (operators are elsewhere)', deny: (p) => p.denyIngress(Peer.cidr('203.0.113.0/24'), { ports: [Port.tcp(22)] }), connection: ['cidr:198.51.100.7', CP_NODE, '22/TCP'], cut: [] },
  {
    what: 'the API server port on worker nodes (no API server there)', nodes: WORKERS, deny: (p) => p.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(6443)] }),
    connection: [REMOTE, WORKER_NODE, '10250/TCP'], cut: [],
  },
  { what: 'everything from one CIDR', deny: (p) => p.denyIngress(Peer.cidr('203.0.113.0/24')), connection: ['cidr:198.51.100.7', CP_NODE, 'icmp/3'], cut: [] },
  { what: 'ping from the world', deny: (p) => p.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.echoRequest()] }), connection: ['cidr:203.0.113.5', CP_NODE, 'icmp/3'], cut: [] },
  {
    what: 'SSH from 0.0.0.0/0 except a management range (the least-privilege way)',
    deny: (p) => p.denyIngress(Peer.cidr('0.0.0.0/0', { except: ['10.50.0.0/16'] }), { ports: [Port.tcp(22)] }), connection: ['cidr:10.50.0.7', CP_NODE, '22/TCP'], cut: [],
  },
  {
    what: 'egress to one CIDR on 443 (the API server address is not known)', deny: (p) => p.denyEgress(Peer.cidr('203.0.113.0/24'), { ports: [Port.tcp(443)] }),
    connection: [CP_NODE, API_SERVER, '443/TCP'], cut: [],
  },
];

/** A chart where the nodes allow everything, plus a host policy holding only the deny (optionally exempting every path). */
function chartWith(row: Row, exempt: boolean): Chart {
  const chart = new Chart(Testing.app(), 'hosts');
  const open = new ClusterwidePolicy(chart, 'open', { nodeSelector: row.nodes ?? CONTROL_PLANE });
  // Every port said outright (a port-less host ingress from all is refused), and the ICMP type the rows read (`Port.allPorts()` is L4 only).
  open.allowIngress(Peer.entity(Entity.ALL), { ports: [Port.allPorts(), Icmp.destinationUnreachable()] });
  open.allowEgress(Peer.entity(Entity.ALL));
  const deny = new ClusterwidePolicy(chart, 'deny', {
    nodeSelector: row.nodes ?? CONTROL_PLANE,
    enableDefaultDeny: { ingress: false, egress: false },
    ...(exempt ? { lockoutExemptions: EVERY_PATH } : {}),
  });
  row.deny(deny);
  return chart;
}

const synthError = synthFailure;

/** The paths the synthesis says a deny cuts. */
function cutPaths(message: string | undefined): string[] {
  const m = /cuts the ([\w, -]+) paths? of the nodes .*\(pitfall-host-deny-lockout\)/.exec(message ?? '');
  return m ? m[1].split(', ') : [];
}

describe('a ClusterwidePolicy host rule whose deny cuts a guarded path', () => {
  test.each(ROWS.map((r) => [r.what, r] as const))('%s', (_what, row) => {
    const error = synthError(chartWith(row, false));
    expect(cutPaths(error)).toEqual(row.cut);
    if (row.cut.length > 0) {
      expect(error).toContain('[hosts/deny/Resource] spec.');
      expect(error).toContain('fix: narrow the deny');
      expect(error).toMatch(/lockoutExemptions: \[\{ path: LockoutPath\.[A-Z_]+, reason/);
    } else {
      expect(error).toBeUndefined();
    }
    // Exempted, the same deny synthesizes, and the engine shows what the guard judged: a cut path is dropped (deny wins
    // over the allow-everything policy), an accepted deny leaves it open.
    const exempted = chartWith(row, true);
    expect(synthError(exempted)).toBeUndefined();
    const [from, to, port] = row.connection;
    if (row.cut.length > 0) expect(exempted).toDeny(from, to, port, { hostFirewall: true });
    else expect(exempted).toAllow(from, to, port, { hostFirewall: true });
  });

  test('a rule added with addRule({ nodeSelector }) is guarded, at its specs index', () => {
    const chart = new Chart(Testing.app(), 'hosts');
    const policy = new ClusterwidePolicy(chart, 'mixed', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    policy.denyIngress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(22)] }); // pods: no host path
    policy.addRule({ nodeSelector: NodeSelector.all() }).denyEgress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.udp(8472)] });
    const error = synthError(chart);
    expect(error).toContain('[hosts/mixed/Resource] specs[1].egressDeny[0]: this deny rule of a host policy cuts the tunnel path of the nodes {}');
    expect(error).toContain('tunnel: entity remote-node on 8472/UDP');
    expect(error).toContain('LockoutPath.TUNNEL');
    expect(error).not.toContain('specs[0]');
  });

  test('a pod policy denying SSH from the world is not a host policy', () => {
    const chart = new Chart(Testing.app(), 'pods');
    new ClusterwidePolicy(chart, 'no-ssh', { endpointSelector: EndpointSelector.labels({ app: 'web' }) })
      .denyIngress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(22)] });
    expect(synthError(chart)).toBeUndefined();
  });

  test('an exemption is written into the annotation, sorted, and only the exempted path may be cut', () => {
    const chart = new Chart(Testing.app(), 'hosts');
    const policy = new ClusterwidePolicy(chart, 'no-tunnel', {
      nodeSelector: NodeSelector.all(),
      lockoutExemptions: [{ path: LockoutPath.TUNNEL, reason: ' native routing ' }, { path: LockoutPath.HUBBLE, reason: 'no Hubble' }],
    });
    policy.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.udp(8472), Port.udp(6081)] });
    const [manifest] = Testing.synth(chart);
    expect(manifest.metadata.annotations[LockoutExemptionsAnnotation.KEY]).toBe('{"hubble":"no Hubble","tunnel":"native routing"}');
    policy.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(4240)] });
    expect(cutPaths(synthError(chart))).toEqual(['cilium-health']);
  });

  test('an exemption without a reason is refused', () => {
    expect(() => new ClusterwidePolicy(new Chart(Testing.app(), 'c'), 'p', { nodeSelector: NodeSelector.all(), lockoutExemptions: [{ path: LockoutPath.ICMP, reason: ' ' }] }))
      .toThrow(/^\[c\/p\] the lockout exemption of the icmp path has no reason \(lockout-exemption-reason\)\n\s+fix: say why/);
  });

  test('an exemption of a path that does not exist is refused', () => {
    expect(() => new ClusterwidePolicy(new Chart(Testing.app(), 'c'), 'p', { nodeSelector: NodeSelector.all(), lockoutExemptions: [{ path: 'ssh' as LockoutPath, reason: 'x' }] }))
      .toThrow(/^\[c\/p\] lockoutExemptions: "ssh" is not a LockoutPath \(lockout-exemption-path\)\n\s+fix: use one of LockoutPath\.BREAK_GLASS/);
  });

  test('a path exempted twice is refused, naming both reasons', () => {
    expect(() => new ClusterwidePolicy(new Chart(Testing.app(), 'c'), 'p', {
      nodeSelector: NodeSelector.all(),
      lockoutExemptions: [{ path: LockoutPath.TUNNEL, reason: 'native routing' }, { path: LockoutPath.TUNNEL, reason: 'again' }],
    })).toThrow(/^\[c\/p\] lockoutExemptions lists the tunnel path twice \(reasons "native routing" and "again"\) \(lockout-exemption-duplicate\)\n\s+fix: give each path once/);
  });

  test.each([['a newline', 'native routing\nfake: finding'], ['an escape sequence', 'native \u001b[2Jrouting'], ['a C1 control', 'native\u0085routing']])(
    'a reason with %s is refused', (_what, reason) => {
      expect(() => new ClusterwidePolicy(new Chart(Testing.app(), 'c'), 'p', { nodeSelector: NodeSelector.all(), lockoutExemptions: [{ path: LockoutPath.TUNNEL, reason }] }))
        .toThrow(/^\[c\/p\] the reason of the lockout exemption of the tunnel path has a control character .*\(lockout-exemption-reason\)\n\s+fix: write the reason on one line/);
    });
});

describe('HostFirewall exemptions reach the guard of every host policy', () => {
  test('a deny of an exempted path synthesizes, and validate on the output agrees', () => {
    const chart = new Chart(Testing.app(), 'fw');
    const fw = new HostFirewall(chart, 'cp', {
      nodeSelector: CONTROL_PLANE, managementCidrs: ['10.50.0.0/24'], exemptions: [{ path: LockoutPath.HUBBLE, reason: 'Hubble is not deployed' }],
    });
    fw.denyIngress(Peer.allNamespaces(), { ports: [Port.tcp(4244)] });
    const manifests = Testing.synth(chart);
    expect(manifests[0].metadata.annotations[LockoutExemptionsAnnotation.KEY]).toBe('{"hubble":"Hubble is not deployed"}');
    const text = manifests.map((m) => JSON.stringify(m)).join('\n---\n');
    const report = Validator.validateInputs([{ name: 'fw.yaml', text }], { ciliumVersion: '1.19' });
    // The exempted cut is not an error, but it shows: a warning names the path, the deny item and the reason.
    expect(report.diagnostics.filter((d) => d.id.startsWith('pitfall-host')).map((d) => `${d.id} ${d.severity} ${d.message}`)).toEqual([
      expect.stringMatching(/^pitfall-host-lockout-exempted warning this deny rule of a host policy cuts the hubble path .*reason "Hubble is not deployed"$/),
    ]);
    // Without the annotation the same manifest is a lockout for validate.
    const { [LockoutExemptionsAnnotation.KEY]: _exemptions, ...annotations } = manifests[0].metadata.annotations as Record<string, string>;
    const bare = { ...manifests[0], metadata: { ...manifests[0].metadata, annotations } };
    const again = Validator.validateInputs([{ name: 'fw.yaml', text: JSON.stringify(bare) }], { ciliumVersion: '1.19' });
    expect(again.diagnostics.filter((d) => d.id === 'pitfall-host-deny-lockout').map((d) => d.message)).toEqual([expect.stringContaining('cuts the hubble path')]);
  });

  test('a deny to pods cuts a guarded pod peer only when the selectors may select the same pod', () => {
    expect(lockout((fw) => fw.denyIngress(Peer.namespace('shop'), { ports: [Port.tcp(4244)] }))).toBeUndefined();
    expect(cut(lockout((fw) => fw.denyIngress(Peer.endpoints({ namespace: 'kube-system', labels: { app: 'x' } }), { ports: [Port.tcp(4244)] }))))
      .toEqual(['ingressDeny[0] hubble']);
  });
});

describe('a raw host policy: the guard reads empty port lists and empty items as the engine does', () => {
  /** A chart that allows everything to the control-plane nodes, plus a raw host policy with one ingress deny item. */
  const rawChart = (item: Record<string, unknown>, exempt = false): Chart => {
    const chart = new Chart(Testing.app(), 'raw');
    const open = new ClusterwidePolicy(chart, 'open', { nodeSelector: CONTROL_PLANE });
    open.allowIngress(Peer.entity(Entity.ALL), { ports: [Port.allPorts()] });
    new ApiObject(chart, 'deny', {
      apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'deny', ...(exempt ? { annotations: { [LockoutExemptionsAnnotation.KEY]: '{"break-glass":"t","icmp":"t","kube-apiserver":"t","kubelet":"t"}' } } : {}) },
      spec: { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }, enableDefaultDeny: { ingress: false, egress: false }, ingressDeny: [item] },
    });
    return chart;
  };

  test.each([['toPorts: []', { fromEntities: ['world'], toPorts: [] }], ['icmps: []', { fromEntities: ['world'], icmps: [] }]])(
    'a world deny with %s is every port: SSH is cut (and a managed API server\'s kubelet path), and the engine drops it', (_what, item) => {
      expect(cutPaths(synthError(rawChart(item)))).toEqual(['break-glass', 'kube-apiserver', 'kubelet', 'icmp']);
      expect(synthError(rawChart(item, true))).toBeUndefined();
      expect(rawChart(item, true)).toDeny('cidr:203.0.113.5', CP_NODE, '22/TCP', { hostFirewall: true });
    });

  test('an empty item (no peer, no port) denies nothing: no cut, and the engine allows SSH', () => {
    expect(synthError(rawChart({}))).toBeUndefined();
    expect(rawChart({})).toAllow('cidr:203.0.113.5', CP_NODE, '22/TCP', { hostFirewall: true });
  });
});

describe('world cuts the guard sees across host policies and in the CIDR groups of the app', () => {
  const everyone = (chart: Chart): ApiObject => new ApiObject(chart, 'everyone', {
    apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'everyone' }, spec: { externalCIDRs: ['0.0.0.0/1', '128.0.0.0/1'] },
  });

  test('two host policies of the app each deny SSH from one half of IPv4: refused, each naming the other; exempted, the engine drops SSH from both halves', () => {
    const build = (exempt: boolean): Chart => {
      const chart = new Chart(Testing.app(), 'hosts');
      const open = new ClusterwidePolicy(chart, 'open', { nodeSelector: CONTROL_PLANE });
      open.allowIngress(Peer.entity(Entity.ALL), { ports: [Port.allPorts()] });
      for (const [id, cidr] of [['low', '0.0.0.0/1'], ['high', '128.0.0.0/1']]) {
        new ClusterwidePolicy(chart, id, {
          nodeSelector: CONTROL_PLANE, enableDefaultDeny: { ingress: false, egress: false }, ...(exempt ? { lockoutExemptions: EVERY_PATH } : {}),
        }).denyIngress(Peer.cidr(cidr), { ports: [Port.tcp(22)] });
      }
      return chart;
    };
    const error = synthError(build(false));
    expect(error).toContain('[hosts/low/Resource] spec.ingressDeny[0]: this deny rule of a host policy cuts the break-glass path');
    expect(error).toContain('entity world on 22/TCP (together with ingressDeny[0] of CiliumClusterwideNetworkPolicy high (hosts/high/Resource))');
    expect(error).toContain('[hosts/high/Resource] spec.ingressDeny[0]');
    const exempted = build(true);
    expect(synthError(exempted)).toBeUndefined();
    expect(exempted).toDeny('cidr:10.1.2.3', CP_NODE, '22/TCP', { hostFirewall: true });
    expect(exempted).toDeny('cidr:203.0.113.5', CP_NODE, '22/TCP', { hostFirewall: true });
    expect(exempted).toAllow('cidr:203.0.113.5', CP_NODE, '2222/TCP', { hostFirewall: true });
  });

  test('a host deny from a CIDR group of the app that holds every address is refused; exempted, the engine drops SSH from anywhere', () => {
    const build = (exempt: boolean): Chart => {
      const chart = new Chart(Testing.app(), 'hosts');
      everyone(chart);
      new ClusterwidePolicy(chart, 'open', { nodeSelector: CONTROL_PLANE }).allowIngress(Peer.entity(Entity.ALL), { ports: [Port.allPorts()] });
      new ClusterwidePolicy(chart, 'deny', {
        nodeSelector: CONTROL_PLANE, enableDefaultDeny: { ingress: false, egress: false }, ...(exempt ? { lockoutExemptions: EVERY_PATH } : {}),
      }).denyIngress(Peer.cidrGroup('everyone'), { ports: [Port.tcp(22)] });
      return chart;
    };
    expect(cutPaths(synthError(build(false)))).toEqual(['break-glass']);
    const exempted = build(true);
    expect(synthError(exempted)).toBeUndefined();
    expect(exempted).toDeny('cidr:203.0.113.5', CP_NODE, '22/TCP', { hostFirewall: true });
    expect(exempted).toDeny('cidr:10.1.2.3', CP_NODE, '22/TCP', { hostFirewall: true });
  });
});
