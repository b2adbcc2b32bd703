// Pitfalls of host policies: default deny without the paths nodes need (kubelet, health, tunnel, API server).
import { LabelSelectorModel, PortProtocolModel, PortRuleModel, RuleItemModel, SectionName } from '../model/policy-model';
import { GuardPath, items, objects, peerClasses, PitfallRun, portCovers, protocolsMeet, RuleView } from './pitfall-run';
import { describeSelector, fromModel, implies, mayOverlap } from './pod-selectors';
import { arr, isObject } from './walk';

const GUARD_PATHS: readonly GuardPath[] = [
  { what: 'kubelet (10250/TCP from the API server)', direction: 'ingress', ports: [{ port: 10250, protocol: 'TCP' }], peers: ['any', 'apiserver', 'node'] },
  { what: 'Cilium health (4240/TCP from other nodes)', direction: 'ingress', ports: [{ port: 4240, protocol: 'TCP' }], peers: ['any', 'node', 'health'] },
  {
    what: 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP from other nodes; not needed with native routing)', direction: 'ingress',
    ports: [{ port: 8472, protocol: 'UDP' }, { port: 6081, protocol: 'UDP' }], peers: ['any', 'node'],
  },
  {
    what: 'kube-apiserver (6443/TCP) on control-plane nodes', direction: 'ingress', ports: [{ port: 6443, protocol: 'TCP' }],
    peers: ['any', 'pods', 'node', 'apiserver', 'health', 'world'], controlPlane: true,
  },
  {
    what: 'the API server (6443/TCP or 443/TCP, for the kubelet)', direction: 'egress', ports: [{ port: 6443, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
    peers: ['any', 'apiserver', 'node', 'world'],
  },
  { what: 'Cilium health (4240/TCP to other nodes)', direction: 'egress', ports: [{ port: 4240, protocol: 'TCP' }], peers: ['any', 'node', 'health'] },
  {
    what: 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP to other nodes; not needed with native routing)', direction: 'egress',
    ports: [{ port: 8472, protocol: 'UDP' }, { port: 6081, protocol: 'UDP' }], peers: ['any', 'node'],
  },
];

/** Whether an item (allow or deny) covers a guard path: one of its ports and one of its peers. */
function itemCoversPath(item: RuleItemModel, path: GuardPath): boolean {
  const peers = peerClasses(item);
  if (!path.peers.some((p) => peers.has(p)) && !peers.has('any')) return false;
  if (item.toPorts === undefined) return item.icmps === undefined;
  return arr<PortRuleModel>(item.toPorts).some((pr) => {
    if (!isObject(pr)) return false;
    const ports = objects<PortProtocolModel>(pr.ports);
    if (ports.length === 0) return true;
    return ports.some((p) => path.ports.some((g) => protocolsMeet(g.protocol, p.protocol) && portCovers(p, g.port)));
  });
}

/** Whether a node selector may select control-plane nodes: all nodes, or a control-plane/master role label. */
function mayBeControlPlane(model: LabelSelectorModel | undefined): boolean {
  const sel = fromModel(model);
  if (sel.requirements.length === 0) return true;
  return sel.requirements.some((r) => /(^|\/)(control-plane|master)$/.test(r.key) && (r.operator === 'In' || r.operator === 'Exists'));
}

/** Host policies in default deny without the paths nodes need. */
export function hostLockout(run: PitfallRun, r: RuleView): void {
  const nodes = r.subject;
  if (!r.host || !nodes) return;
  const controlPlane = mayBeControlPlane(r.rule.nodeSelector);
  for (const direction of ['ingress', 'egress'] as const) {
    if (!run.defaultDeny(r, direction)) continue;
    const deny: SectionName = direction === 'ingress' ? SectionName.INGRESS_DENY : SectionName.EGRESS_DENY;
    const hosts = run.rules.filter((c) => c.host);
    const allowing = hosts.filter((c) => c.subject !== undefined && implies(nodes, c.subject));
    const denying = hosts.filter((c) => c.subject !== undefined && mayOverlap(nodes, c.subject));
    const missing: string[] = [];
    const cut: string[] = [];
    for (const path of GUARD_PATHS.filter((p) => p.direction === direction && (!p.controlPlane || controlPlane))) {
      const allowed = allowing.some((c) => items(c.rule, direction === 'ingress' ? SectionName.INGRESS : SectionName.EGRESS).some(({ item }) => itemCoversPath(item, path)));
      const deniedBy = denying.find((c) => items(c.rule, deny).some(({ item }) => itemCoversPath(item, path)));
      if (!allowed) missing.push(path.what);
      else if (deniedBy) cut.push(`${path.what}, denied by ${deniedBy.name}`);
    }
    if (missing.length === 0 && cut.length === 0) continue;
    const section = arr(r.rule[direction]).length > 0 ? direction : deny;
    const problems = [
      ...(missing.length ? [`no host policy in the input allows ${missing.join('; ')}`] : []),
      ...(cut.length ? [`a deny rule cuts ${cut.join('; ')}`] : []),
    ];
    run.report('pitfall-host-lockout', r, `${r.path}.${section}`,
      `this host policy puts the nodes ${describeSelector(r.rule.nodeSelector)} into ${direction} default deny, but ${problems.join(', and ')}: ` +
      `the nodes can lose their kubelet, health checks, pod network or API server`,
      `allow these paths in a host policy for the same nodes (e.g. ${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: ` +
      '[remote-node, health, kube-apiserver] on those ports), or write the policy with the HostFirewall construct, which keeps them open; ' +
      'roll out with policyAuditMode first');
  }
}
