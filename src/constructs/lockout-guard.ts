import { cidrsIntersect, parseCidr } from '../model/cidr';
import { ICMP_TYPE_NAMES } from '../model/icmp-types';
import { IcmpFieldModel, PortProtocolModel, RuleItemModel, SectionName, sectionDirection } from '../model/policy-model';
import { IPeer } from './peer';
import { Port } from './port';

/** One path the host-firewall lockout guard keeps open. */
export interface GuardPath {
  /** Its name (a `LockoutPath` value). */
  readonly path: string;
  /** Direction on the node. */
  readonly direction: 'ingress' | 'egress';
  /** The peers on the other side. */
  readonly peers: IPeer[];
  /** Its ports and ICMP types. */
  readonly ports: Port[];
}

/** A deny rule item that cuts a guarded path. */
export interface GuardViolation {
  /** The guarded path. */
  readonly path: string;
  /** The deny section. */
  readonly section: SectionName;
  /** Index of the item in the section. */
  readonly index: number;
  /** The peer and port it cuts. */
  readonly what: string;
}

/** Entities that `cluster` stands for (besides cluster pods). */
const CLUSTER_ENTITIES = ['cluster', 'host', 'remote-node', 'health', 'init', 'ingress', 'unmanaged', 'kube-apiserver'];

/** The deny items that would drop traffic of a guarded path (deny wins over any allow in Cilium). */
export function guardViolations(paths: GuardPath[], denies: { section: SectionName; item: RuleItemModel; index: number }[]): GuardViolation[] {
  const out: GuardViolation[] = [];
  for (const path of paths) {
    for (const deny of denies) {
      if (sectionDirection(deny.section) !== path.direction) continue;
      const peer = path.peers.find((p) => peerOverlaps(deny.item, p.toPeerConfig().item));
      const port = path.ports.find((p) => portOverlaps(deny.item, p));
      if (peer && port) out.push({ path: path.path, section: deny.section, index: deny.index, what: `${peer.toPeerConfig().description} on ${port}` });
    }
  }
  return out;
}

function peerOverlaps(deny: RuleItemModel, guard: RuleItemModel): boolean {
  const l3 = [deny.endpoints, deny.cidr, deny.cidrSet, deny.entities, deny.nodes, deny.services, deny.groups].some((f) => f !== undefined);
  if (!l3) return true;
  const guardEntity = guard.entities?.[0];
  const guardCidrs = [...(guard.cidr ?? []), ...(guard.cidrSet ?? []).map((c) => c.cidr ?? '')].filter(Boolean);
  // Addresses outside the cluster the guard names: CIDRs, or CIDR groups whose contents are not known here.
  const guardOutside = guardCidrs.length > 0 || hasCidrGroup(guard);
  if (deny.entities) {
    const e = new Set(deny.entities);
    if (e.has('all')) return true;
    if (guardEntity) {
      if (guardEntity === 'all' || e.has(guardEntity)) return true;
      if (e.has('cluster') && CLUSTER_ENTITIES.includes(guardEntity)) return true;
      // An in-cluster API server runs on nodes: their identity carries both remote-node and kube-apiserver.
      if ((guardEntity === 'kube-apiserver' && e.has('remote-node')) || (guardEntity === 'remote-node' && e.has('kube-apiserver'))) return true;
      if (guardEntity === 'cluster' && [...e].some((x) => CLUSTER_ENTITIES.includes(x))) return true;
    }
    if (guardOutside && e.has('world')) return true;
  }
  const denyCidrs = [...(deny.cidr ?? []), ...(deny.cidrSet ?? []).map((c) => c.cidr ?? '')].filter(Boolean);
  // CIDR groups and `toGroups` (cloud security groups) stand for addresses not known here: they may hold any guarded one.
  const denyGroups = hasCidrGroup(deny) || deny.groups !== undefined;
  if (denyCidrs.length || denyGroups) {
    if (guardEntity === 'all') return true;
    if ((denyGroups && guardOutside) || (denyCidrs.length && hasCidrGroup(guard))) return true;
    for (const d of denyCidrs) {
      const dc = parseCidr(d);
      if (dc && guardCidrs.some((g) => { const gc = parseCidr(g); return gc !== undefined && cidrsIntersect(dc, gc); })) return true;
    }
  }
  // A Service's backends: the pods its selector selects, or (no selector) the addresses of its Endpoints.
  if (deny.services && (guardEntity === 'cluster' || guardEntity === 'all' || guard.endpoints !== undefined || guardOutside)) return true;
  if (deny.endpoints && (guardEntity === 'cluster' || guardEntity === 'all' || guard.endpoints !== undefined)) return true;
  if (deny.nodes && (guardEntity === 'remote-node' || guardEntity === 'kube-apiserver' || guardEntity === 'cluster' || guardEntity === 'all'
    || guard.nodes !== undefined)) return true;
  if (guard.endpoints && deny.entities && deny.entities.includes('cluster')) return true;
  // Nodes selected by labels include the control-plane nodes, whose identity also carries kube-apiserver (in-cluster API server).
  if (guard.nodes && deny.entities && deny.entities.some((e) => e === 'cluster' || e === 'remote-node' || e === 'kube-apiserver')) return true;
  return false;
}

function hasCidrGroup(item: RuleItemModel): boolean {
  return (item.cidrSet ?? []).some((c) => c.cidrGroupRef !== undefined || c.cidrGroupSelector !== undefined);
}

function portOverlaps(deny: RuleItemModel, port: Port): boolean {
  if (deny.toPorts === undefined && deny.icmps === undefined) return true;
  const { icmp, l4 = {} } = port._match;
  if (icmp) return (deny.icmps ?? []).some((r) => (r.fields ?? []).some((f) => icmpEqual(f, icmp)));
  return (deny.toPorts ?? []).some((r) => (r.ports ?? []).some((p) => l4Overlaps(p, l4)));
}

function l4Overlaps(deny: PortProtocolModel, guard: PortProtocolModel): boolean {
  const dp = deny.protocol ?? 'ANY';
  const gp = guard.protocol ?? 'ANY';
  if (dp !== 'ANY' && gp !== 'ANY' && dp !== gp) return false;
  if (deny.port === undefined || deny.port === '0') return true;
  // A guarded "every port" path is cut by a deny on any port of its protocol.
  if (guard.port === undefined || guard.port === '0') return true;
  if (!/^\d+$/.test(deny.port) || guard.port === undefined || !/^\d+$/.test(guard.port)) return deny.port === guard.port;
  const from = Number(deny.port);
  const to = deny.endPort !== undefined && deny.endPort > from ? deny.endPort : from;
  const gFrom = Number(guard.port);
  const gTo = guard.endPort !== undefined && guard.endPort > gFrom ? guard.endPort : gFrom;
  return from <= gTo && gFrom <= to;
}

function icmpEqual(a: IcmpFieldModel, b: IcmpFieldModel): boolean {
  const family = (f: IcmpFieldModel): 'IPv4' | 'IPv6' => (f.family === 'IPv6' ? 'IPv6' : 'IPv4');
  const type = (f: IcmpFieldModel): number => (typeof f.type === 'number' ? f.type : /^\d+$/.test(f.type) ? Number(f.type) : ICMP_TYPE_NAMES[family(f)][f.type] ?? -1);
  return family(a) === family(b) && type(a) === type(b);
}
