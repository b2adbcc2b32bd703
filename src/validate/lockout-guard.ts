// The host-policy lockout guard: the paths a node needs open, and whether a rule item (a deny that cuts it, an allow that
// keeps it) covers one of them. One mechanism for the HostFirewall construct (its paths built from its props), the
// synthesis of any host policy, and `validate` (the generic paths below); see README "HostFirewall".
import { l4Scope } from '../model/l4-scope';
import { CompiledPort, compilePortEntry } from '../model/port-entries';
import { AddressRange, cidrRange, cidrsIntersect, parseCidr, ParsedCidr, rangesCoverFamily, subtractRanges } from '../model/cidr';
import { CLUSTER_RESERVED_ENTITIES } from '../model/entities';
import { API_SERVER_PORTS } from '../model/companion-rules';
import {
  isClusterKey, isNamespaceKey, labelKeyName, labelKeySource, noPodLabelReason, selectorConstrainsNamespace, selectorFixesNamespace, selectorKeys,
  selectorRequiresPodLabel,
} from '../model/selectors';
import { LabelSet, nodeSelectorClaimable, readsHostEndpointNodeLabels, Selector, SelectorRequirement } from '../model/labels';
import { importEndpointSelector, versionImportOptions } from '../model/selector-import';
import { CidrGroupContents, cidrSetEntrySelectsUngrouped, groupSelectorSelectsEverything, selectedCidrGroups } from '../model/cidr-groups';
import { icmpTypeCovers, icmpTypeNumber } from '../model/icmp-types';
import {
  CidrRuleModel, EMPTY_LIST_CHECKED_PEER_FIELDS, IcmpFieldModel, LabelExpressionModel, LabelSelectorModel, itemNamesPeer, L3_PEER_FIELDS, PeerField,
  PolicyMetadataModel, PortProtocolModel, RuleItemModel, SectionName, ServiceSelectorModel,
  sectionDirection,
} from '../model/policy-model';
import { describeSelector, fromModel, mayOverlap, NAMESPACE_KEY } from './pod-selectors';
import { AGENT_SINCE } from './tables';
import { arr, isObject } from './walk';
import { CiliumVersion } from '../core/cilium-version';
import { serviceEntryMatchesNothing, serviceEntryTarget } from '../model/services-unresolved';

/** The paths the lockout guard keeps open. */
export enum LockoutPath {
  /** SSH (or the declared break-glass ports) from the management CIDRs. */
  BREAK_GLASS = 'break-glass',
  /** kube-apiserver 6443/TCP from the management CIDRs, other nodes and the API clients (default: every pod); egress to it. */
  KUBE_APISERVER = 'kube-apiserver',
  /** kubelet 10250/TCP from the API server (and declared kubelet clients); from the nodes to other kubelets. */
  KUBELET = 'kubelet',
  /** etcd 2379-2380/TCP between control-plane nodes (declared by node labels or CIDRs; default the API server nodes). */
  ETCD = 'etcd',
  /** Cilium health checks: 4240/TCP and ICMP echo between nodes and health endpoints. */
  CILIUM_HEALTH = 'cilium-health',
  /** The tunnel port of the routing mode (VXLAN 8472/UDP, Geneve 6081/UDP) between nodes. */
  TUNNEL = 'tunnel',
  /** Essential ICMP from anywhere: destination unreachable, time exceeded, (IPv6) packet too big and neighbor discovery. */
  ICMP = 'icmp',
  /** Hubble 4244/TCP from hubble-relay: the flows that `replay` audits. */
  HUBBLE = 'hubble',
  /** Egress from the nodes to pods, every port: kubelet probes, admission webhooks, aggregated APIs, metrics-server. */
  POD_TRAFFIC = 'pod-traffic',
  /** Egress from the nodes to their DNS resolvers (`nodeDnsServers`) on 53/UDP and 53/TCP. */
  NODE_DNS = 'node-dns',
  /** Optional: Cilium, operator, Envoy and Hubble metrics 9962-9965/TCP from `metricsScraper`. */
  METRICS = 'metrics',
  /** Optional: WireGuard 51871/UDP between nodes (`wireGuard: true`). */
  WIREGUARD = 'wireguard',
  /** Optional: BGP 179/TCP with `bgpPeers`. */
  BGP = 'bgp',
}

/** The fields of `LockoutExemption` (for the constructs' `checkPropKeys`). */
export const LOCKOUT_EXEMPTION_KEYS: readonly string[] = ['path', 'reason'];

/** Removing one guarded path, with the reason. */
export interface LockoutExemption {
  /** The path not to keep open (and that deny rules may cut). */
  readonly path: LockoutPath;
  /** Why it is safe to leave it out (written into the policy). */
  readonly reason: string;
}

/**
 * The annotation that carries a host policy's lockout exemptions in its manifest, read by synthesis and `validate`: a JSON
 * object from `LockoutPath` value to reason, e.g. `{"tunnel": "native routing"}`.
 */
export const LOCKOUT_EXEMPTIONS_ANNOTATION = 'cdk8s-cilium.io/lockout-exemptions';

/** The annotation of a host policy's lockout exemptions (see `ClusterwidePolicyProps.lockoutExemptions`). */
export class LockoutExemptionsAnnotation {
  /** The annotation key: `cdk8s-cilium.io/lockout-exemptions`, value a JSON object from path to reason. */
  public static readonly KEY: string = LOCKOUT_EXEMPTIONS_ANNOTATION;

  private constructor() {}
}

/** One peer of a guarded path: an L3 peer as the model writes it, and how messages name it. */
export interface GuardPeer {
  /** The peer fields of a rule item (`entities`, `cidr`, `endpoints`, …). */
  readonly item: RuleItemModel;
  /** `entity remote-node`, `cidr 10.50.0.0/24`. */
  readonly description: string;
  /**
   * Cut only by a deny of the whole peer (the world entity, `0.0.0.0/0`, every pod, any peer), not by one that overlaps
   * part of it: for the generic paths, whose operators' addresses and API clients are not known.
   * @default false - any overlap cuts the path
   */
  readonly whole?: boolean;
  /**
   * Only a deny cuts the path through this peer; an allow of it does not keep the path open (`pitfall-host-lockout`):
   * a managed API server outside the cluster is in the world, but an allow to some CIDR is not known to reach it.
   * @default false
   */
  readonly cutOnly?: boolean;
}

/** One port or ICMP type of a guarded path. */
export interface GuardPort {
  /** A port, range or protocol. @default - an ICMP type (`icmp`) */
  readonly l4?: PortProtocolModel;
  /** An ICMP type. @default - a port (`l4`) */
  readonly icmp?: IcmpFieldModel;
  /** `22/TCP`, `icmp 3/IPv4`. */
  readonly description: string;
}

/** One path the lockout guard keeps open: any of its peers on any of its ports. */
export interface GuardPath {
  /** Which path. */
  readonly path: LockoutPath;
  /** Direction on the node. */
  readonly direction: 'ingress' | 'egress';
  /** The peers on the other side. */
  readonly peers: readonly GuardPeer[];
  /** Its ports and ICMP types (alternatives: traffic on any of them belongs to the path). */
  readonly ports: readonly GuardPort[];
}

/** A deny rule item that cuts a guarded path. */
export interface GuardViolation {
  /** The guarded path. */
  readonly path: LockoutPath;
  /** The deny section. */
  readonly section: SectionName;
  /** Index of the item in the section. */
  readonly index: number;
  /** The peer and port it cuts (`entity remote-node on 10250/TCP`). */
  readonly what: string;
}

/** A deny item of a rule, with where it is. */
export interface DenyItem {
  /**
   * For a deny item of another rule (`GuardOptions.companions`): that rule, as messages name it
   * (`CiliumClusterwidePolicy b specs[0].ingressDeny[1]`).
   * @default - an item of the rule being checked
   */
  readonly where?: string;
  /** `ingressDeny` or `egressDeny`. */
  readonly section: SectionName;
  /** The item. */
  readonly item: RuleItemModel;
  /** Its index in the section. */
  readonly index: number;
}

/** What the guard knows besides the rule it checks. */
export interface GuardOptions {
  /**
   * The CiliumCIDRGroups of the input, by name: `cidrGroupRef`/`cidrGroupSelector` entries of deny items select their
   * CIDRs. A group not in it (or, for a selector, one the cluster may hold besides) may hold any address.
   * @default - none known
   */
  readonly cidrGroups?: ReadonlyMap<string, CidrGroupContents>;
  /**
   * Deny items that apply to some of the same nodes, the checked rule's own included: in Cilium every deny of every rule
   * selecting a node applies, so their CIDRs count toward cutting the whole world together (each rule's items are
   * reported on that rule; the others are named with `DenyItem.where`). Asked for only when a world cut is judged.
   * @default - the checked rule's deny items only
   */
  readonly companions?: () => readonly DenyItem[];
  /**
   * A memo of world cuts shared by the checks of one run, and the key of this rule's set of `companions` in it: rules
   * with the same set share the sweeps, so checking many host rules stays linear.
   * @default - no memo
   */
  readonly worldCutMemo?: { readonly cuts: Map<string, WorldCut>; readonly key: string };
  /**
   * The rules are for a Cilium version before 1.16, where an empty peer list (`fromEntities: []`) in an item with toPorts
   * or icmps selects every peer on those ports (and nothing in an item without them); from 1.16 an empty list of
   * `EMPTY_LIST_CHECKED_PEER_FIELDS` selects nothing, and so does an item holding one (parserules.go
   * `mergeEndpointSelectors`), while an empty `toFQDNs`, `toServices` or `from/toGroups` still adds no selector (see
   * `itemPeerScope`).
   * @default false
   */
  readonly emptyPeerListSelectsAll?: boolean;
  /**
   * The rules are for Cilium 1.16 or later, where a port entry's `endPort` exists; before, the API server prunes it and
   * port 0 is every port (a deny of `port: "0", endPort: 21` then cuts 6443 too), as the engine reads it.
   * @default true
   */
  readonly endPortExists?: boolean;
  /**
   * The rules are for Cilium 1.17 or later, where a `cidrGroupSelector` that holds on no label (`{}`, only `NotIn` or
   * `DoesNotExist`: `groupSelectorSelectsUngrouped`) selects every identity without a `cidrgroup:` label too: every pod,
   * node and reserved entity, and every outside address no CiliumCIDRGroup holds, less its `except` ranges (as the engine
   * reads it, src/engine/compile.ts `ungroupedSelections`).
   * @default false
   */
  readonly groupSelectorsSelectUngrouped?: boolean;
  /**
   * The target Cilium version, to read an allow's `toServices` entries (`itemPeerScope`, `serviceEntryTarget`).
   * @default - none: only entries that match no Service on every version read as matching none
   */
  readonly ciliumVersion?: CiliumVersion;
}

/**
 * How peers and ports are read: the CIDR groups known, what an empty peer list means, whether `endPort` exists, whether
 * a `cidrGroupSelector` of no label selects the identities of no group.
 */
interface PeerReading {
  readonly groups: ReadonlyMap<string, CidrGroupContents>;
  readonly emptyPeerListSelectsAll: boolean;
  readonly endPortExists: boolean;
  readonly groupSelectorsSelectUngrouped: boolean;
  readonly ciliumVersion?: CiliumVersion;
}

/** The deny items (of one direction, on one port) whose CIDRs cut the whole world together, and where the others are. */
export interface WorldCut {
  /** The items. */
  readonly items: ReadonlySet<RuleItemModel>;
  /** `DenyItem.where` of the items that have one. */
  readonly where: ReadonlyMap<RuleItemModel, string>;
}

/**
 * The deny items that would drop traffic of a guarded path (deny wins over any allow in Cilium). A peer guarded whole
 * (`GuardPeer.whole`: the world) is cut by the world entity, by a deny item of any peer, or by deny items of the
 * same direction on a port of the path (this rule's and its `companions`) whose CIDRs together (`except`s removed) hold
 * every usable IPv4 or IPv6 address (addresses no operator or API server has, such as `0.0.0.0/8`, loopback, link-local
 * and multicast, need not be held); each item of this rule needed for that is reported. CIDR groups count with the
 * CIDRs `cidrGroups` gives them; unknown groups count toward no coverage.
 */
export function guardViolations(paths: readonly GuardPath[], denies: readonly DenyItem[], options: GuardOptions = {}): GuardViolation[] {
  const groups = options.cidrGroups ?? NO_GROUPS;
  const reading: PeerReading = {
    groups, emptyPeerListSelectsAll: options.emptyPeerListSelectsAll ?? false, endPortExists: options.endPortExists ?? true,
    groupSelectorsSelectUngrouped: options.groupSelectorsSelectUngrouped ?? false,
  };
  const out: GuardViolation[] = [];
  const memo = options.worldCutMemo ?? { cuts: new Map<string, WorldCut>(), key: '' };
  const pool = (): readonly DenyItem[] => options.companions?.() ?? denies;
  for (const path of paths) {
    const direction = denies.filter((d) => sectionDirection(d.section) === path.direction);
    const peers = cutPeers(path);
    // Per port of the path, which deny items cut the whole world together: computed once per set of items, on first need.
    const worldCutOn = (port: GuardPort): WorldCut => {
      const key = `${memo.key}|${reading.emptyPeerListSelectsAll}|${reading.endPortExists}|${reading.groupSelectorsSelectUngrouped}|${path.direction}|`
        + JSON.stringify(port.l4 ?? port.icmp);
      let cut = memo.cuts.get(key);
      if (!cut) {
        const items = pool().filter((d) => sectionDirection(d.section) === path.direction && portOverlaps(d.item, port, reading.endPortExists));
        memo.cuts.set(key, cut = worldCutters(items, reading));
      }
      return cut;
    };
    // The other rules' items a world cut on a port needed, for the message.
    const own = new Set(direction.map((d) => d.item));
    const withOthers = (port: GuardPort): string => {
      const others = [...worldCutOn(port).where].filter(([item]) => !own.has(item)).map(([, where]) => where);
      return others.length > 0 ? ` (together with ${others.slice(0, 3).join(', ')}${others.length > 3 ? `, and ${others.length - 3} more` : ''})` : '';
    };
    for (const deny of direction) {
      const cut = path.ports.flatMap((port) => {
        if (!portOverlaps(deny.item, port, reading.endPortExists)) return [];
        let viaWorld = false;
        const peer = peers.find((p) => (p.whole
          ? coversWhole(deny.item, p.item, reading, () => (viaWorld = worldCutOn(port).items.has(deny.item)))
          : peerOverlaps(deny.item, p.item, reading)));
        return peer ? [`${peer.description} on ${port.description}${viaWorld ? withOthers(port) : ''}`] : [];
      })[0];
      if (cut) out.push({ path: path.path, section: deny.section, index: deny.index, what: cut });
    }
  }
  return out;
}

/**
 * The peers a deny may cut a path through: its own and, where it guards the API server's traffic with the kubelet or the
 * nodes' traffic to the API server (`kube-apiserver` entity on the kubelet or kube-apiserver path), a managed API server
 * outside the cluster, whose identity carries `reserved:world` (`MANAGED_APISERVER`). Not on the etcd path: etcd on the
 * cluster's own nodes is served to an API server on those nodes (`reserved:kube-apiserver` with `host` or `remote-node`).
 */
function cutPeers(path: GuardPath): readonly GuardPeer[] {
  if (path.path !== LockoutPath.KUBELET && path.path !== LockoutPath.KUBE_APISERVER) return path.peers;
  const at = path.peers.findIndex((p) => !p.cutOnly && isApiServerEntity(p.item));
  if (at < 0 || path.peers.includes(MANAGED_APISERVER)) return path.peers;
  return [...path.peers.slice(0, at + 1), MANAGED_APISERVER, ...path.peers.slice(at + 1)];
}

/** Whether a guarded peer is exactly the `kube-apiserver` entity. */
function isApiServerEntity(item: RuleItemModel): boolean {
  const entities = strings(item.entities);
  return entities.length === 1 && entities[0] === 'kube-apiserver' && Object.keys(item).length === 1;
}

/**
 * Whether an allow rule item keeps a guarded path open: one of its peers on one of its ports. An allow must select the
 * guarded peer wherever it runs (`keeps`), not only where it may (a deny's overlap): the API server is selected by the
 * `kube-apiserver` entity (or `cluster`, `all`, any peer) only, since a managed one (EKS, GKE, AKS) is outside the cluster,
 * its identity `reserved:kube-apiserver` with `reserved:world`, not a remote node; an allow from `remote-node` (or nodes by
 * label, or the `kubernetes` Service) reaches only an API server on the cluster's own nodes.
 */
export function itemCoversPath(item: RuleItemModel, path: GuardPath,
  options: Pick<GuardOptions, 'cidrGroups' | 'emptyPeerListSelectsAll' | 'endPortExists' | 'groupSelectorsSelectUngrouped' | 'ciliumVersion'> = {}): boolean {
  const reading: PeerReading = {
    groups: options.cidrGroups ?? NO_GROUPS,
    emptyPeerListSelectsAll: options.emptyPeerListSelectsAll ?? false,
    endPortExists: options.endPortExists ?? true,
    groupSelectorsSelectUngrouped: options.groupSelectorsSelectUngrouped ?? false,
    ciliumVersion: options.ciliumVersion,
  };
  return path.peers.some((p) => !p.cutOnly && peerOverlaps(item, p.item, reading, 'keeps'))
    && path.ports.some((p) => portOverlaps(item, p, reading.endPortExists));
}

const NO_GROUPS: ReadonlyMap<string, CidrGroupContents> = new Map();

/**
 * Which peers an item selects, as the engine reads it (`compileItem`): see `itemPeerScope`; a deny item is read as one of
 * `egressDeny` (the only deny section with `toServices`).
 */
function peerScope(item: RuleItemModel, reading: PeerReading, deny: boolean): 'any' | 'none' | 'listed' {
  return itemPeerScope(item, reading.emptyPeerListSelectsAll, deny ? SectionName.EGRESS_DENY : undefined, reading.ciliumVersion);
}

/**
 * Which peers a rule item selects, as the engine reads it (src/engine/compile.ts `compileItem`, `compilePeer`), for the
 * checks that read items as the agent does: `any` without an L3 peer field; `none` from Cilium 1.16 when it holds an empty
 * list the agent checks (`EMPTY_LIST_CHECKED_PEER_FIELDS`: an empty endpoints, nodes, entities, CIDR or CIDR-set list
 * selects nothing, and merged with the item's other selectors, nothing at all; pkg/policy/utils/parserules.go
 * `mergeEndpointSelectors`); else the peers `listed` when a list adds a selector; else (no selector: an empty list before
 * 1.16, an empty `toFQDNs`, `toServices` or `from/toGroups` on any version, `toServices` in `egressDeny`) `any` when the
 * item has toPorts or icmps (the wildcard on them, pkg/policy/rule.go `createL4Filter`) and `none` without them.
 * In `egressDeny`, `toServices` is never resolved (pkg/policy/k8s/service.go `processRule` and, before 1.17,
 * pkg/k8s/rule_translate.go `RuleTranslator.Translate` walk `rule.Egress` only), so it adds no selector; nor in `egress`
 * does a `toServices` whose entries all match no Service, whatever the cluster holds (`serviceEntryTarget` `nothing`: no
 * serviceName, a selector that matches none up to 1.18), as the engine reads it (`unresolvedServices`).
 * @param emptyPeerListSelectsAll the target is before Cilium 1.16
 * @param section the item's section, where it matters (`egressDeny`)
 * @param version the target version, to read `toServices` entries; without one, only entries that match no Service on
 *   every version (`serviceEntryMatchesNothing`) are read as matching none
 */
export function itemPeerScope(item: RuleItemModel, emptyPeerListSelectsAll: boolean, section?: SectionName,
  version?: CiliumVersion): 'any' | 'none' | 'listed' {
  const egressDeny = section === SectionName.EGRESS_DENY;
  const named = L3_PEER_FIELDS.filter((f) => item[f] !== undefined);
  if (named.length === 0) return 'any';
  const empty = (f: PeerField): boolean => Array.isArray(item[f]) && (item[f] as unknown[]).length === 0;
  if (!emptyPeerListSelectsAll && named.some((f) => empty(f) && EMPTY_LIST_CHECKED_PEER_FIELDS.includes(f))) return 'none';
  const noService = egressDeny || (Array.isArray(item.services) && item.services.every((e) => serviceEntryMatchesNothing(e, version)));
  if (named.some((f) => !empty(f) && !(noService && f === PeerField.SERVICES))) return 'listed';
  // No selector: the wildcard of an item with ports (pkg/policy/rule.go mergeIngress/mergeEgress before 1.16,
  // createL4Filter); without toPorts or icmps an empty selector slice is not merged at all.
  return arr(item.toPorts).length > 0 || arr(item.icmps).length > 0 ? 'any' : 'none';
}

/**
 * The addresses a deny item's CIDRs select: `cidr`, and each `cidrSet` entry's `cidr` (or the CIDRs of the known groups
 * it names) minus its `except`s. With `ungrouped` (1.17+), an entry whose `cidrGroupSelector` holds on no label
 * (`ungroupedEntries`) selects every address but its `except`s and the known groups it does not select, and a
 * `cidrGroupRef` selects every known group labelled with its name (`selectedCidrGroups`).
 */
function itemRanges(item: RuleItemModel, groups: ReadonlyMap<string, CidrGroupContents>, ungrouped = false): AddressRange[] {
  return [
    ...cidrTextRanges(arr<unknown>(item.cidr)),
    ...arr<unknown>(item.cidrSet).flatMap((entry) => {
      if (!isObject(entry)) return [];
      const e = entry as CidrRuleModel;
      const except = cidrTextRanges(arr<unknown>(e.except));
      if (ungrouped && cidrSetEntrySelectsUngrouped(e)) {
        const selected = new Set(selectedCidrGroups(e, groups, ungrouped).map(([name]) => name));
        const refused = [...groups].filter(([name]) => !selected.has(name)).flatMap(([, g]) => cidrTextRanges(g.cidrs));
        return subtractRanges(EVERY_ADDRESS, [...except, ...refused]);
      }
      const cidrs = typeof e.cidr === 'string' ? [e.cidr] : selectedCidrGroups(e, groups, ungrouped).flatMap(([, g]) => g.cidrs);
      return subtractRanges(cidrTextRanges(cidrs), except);
    }),
  ];
}

/** The ranges of the CIDRs among `texts`; an entry that is no CIDR counts for nothing. */
function cidrTextRanges(texts: readonly unknown[]): AddressRange[] {
  return texts.flatMap((t) => {
    const c = typeof t === 'string' ? parseCidr(t) : undefined;
    return c ? [cidrRange(c)] : [];
  });
}

/** Every IPv4 and every IPv6 address. */
const EVERY_ADDRESS: readonly AddressRange[] = ['0.0.0.0/0', '::/0'].map((c) => cidrRange(parseCidr(c) as ParsedCidr));

/**
 * The entries of an item that select every identity of no CIDR group (`cidrSetEntrySelectsUngrouped`) where the target reads them so
 * (`PeerReading.groupSelectorsSelectUngrouped`), with whether each requires no label and has no `except`: `{}` alone is
 * every peer, an API server outside the cluster and every address included.
 */
function ungroupedEntries(item: RuleItemModel, reading: PeerReading): { everything: boolean }[] {
  if (!reading.groupSelectorsSelectUngrouped) return [];
  return arr<unknown>(item.cidrSet).flatMap((entry) => {
    if (!isObject(entry) || !cidrSetEntrySelectsUngrouped(entry as CidrRuleModel)) return [];
    return [{ everything: groupSelectorSelectsEverything(entry as CidrRuleModel) }];
  });
}

/**
 * Addresses that no operator, API server or node peer has: `0.0.0.0/8` and `::`, loopback, link-local, multicast and
 * the reserved `240.0.0.0/4`. A deny that leaves only these open (`0.0.0.0/0` except `0.0.0.0/32`) cuts the world.
 */
const UNUSABLE: readonly AddressRange[] = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3', '::/127', 'fe80::/10', 'ff00::/8']
  .map((c) => cidrRange(parseCidr(c) as ParsedCidr));

/**
 * The family whose every usable address the CIDRs hold together (`0.0.0.0/0`, or `0.0.0.0/1` + `128.0.0.0/1`, …), the
 * same "whole world" as for denies; `undefined` when they hold no whole family. Unparsable entries count for nothing.
 */
export function cidrsHoldWholeWorld(cidrs: readonly string[]): 4 | 6 | undefined {
  return itemCidrsHoldWholeWorld([{ cidr: [...cidrs] }]);
}

/**
 * The family whose every usable address the CIDRs of rule items hold together: `cidr`, and each `cidrSet` entry's `cidr`
 * minus its `except`s (`0.0.0.0/0` except `0.0.0.0/32` is the whole world; CIDR groups count for nothing, their addresses
 * are not known); `undefined` when they hold no whole family.
 */
function itemCidrsHoldWholeWorld(items: readonly RuleItemModel[]): 4 | 6 | undefined {
  const ranges = items.flatMap((item) => itemRanges(item, new Map()));
  if (ranges.length === 0) return undefined;
  return ([4, 6] as const).find((f) => ranges.some((r) => r.family === f) && rangesCoverFamily([...ranges, ...UNUSABLE], f));
}

/** The entities that hold every address outside the cluster (all of IPv4 or IPv6 at least). */
const WORLD_ENTITIES: readonly string[] = ['all', 'world', 'world-ipv4', 'world-ipv6'];

/**
 * An item whose endpoint selectors that require a reserved identity's label (`reserved:host: ""`, `reserved.unmanaged: ""`,
 * a node-local resolver, a peer of one's own) are read as the entity they are: Cilium leaves a selector with a reserved key
 * as written, no namespace added (pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`; `importEndpointSelector`),
 * so `{ matchLabels: { 'reserved:unmanaged': '' } }` selects the `unmanaged` identity as `entities: [unmanaged]` does, not
 * pods named by a pod label. A selector requires the label by `matchLabels` or by a `matchExpressions` `Exists` (or `In`
 * with the empty value, a reserved label's value) on its key (pkg/policy/api/selector.go: every requirement must hold, so
 * `reserved:world Exists` alone is the world), and is read as the entity whatever else it requires (`requiredReservedLabel`):
 * more requirements only narrow it, and the SDK cannot tell which labels the identity carries beside its reserved one (the
 * world's CIDR identities carry `cidr:` labels, node identities node labels). `{ 'reserved:world': '', x: 'y' }` or
 * `reserved:world Exists` was read as pods, so a narrow role (`kubeletClients`, `hubbleRelay`) let the world in. A key
 * without a source naming a reserved label (`world: ""`) is one too where Cilium adds no namespace or cluster requirement
 * the reserved identity fails (`sourcelessReservedLabels`). The one reading, for the narrow roles (`itemsSelectBroadly`,
 * `itemsSelectWholeWorld`) and the DNS pitfall alike.
 * @param item a rule item
 * @param version the target version (from 1.19 the cluster filter of `policy-default-local-cluster` keeps a source-less
 *   key's reserved identity out); without one, every supported version and either setting of that option is read (a
 *   construct's check: the agent's options are not known at synthesis)
 */
export function reservedAsEntities(item: RuleItemModel, version?: CiliumVersion): RuleItemModel {
  const endpoints = arr<LabelSelectorModel>(item.endpoints);
  const entities = endpoints.map((m) => requiredReservedLabel(m, version));
  if (entities.every((e) => e === undefined)) return item;
  return {
    ...item,
    endpoints: endpoints.filter((_, i) => entities[i] === undefined),
    entities: [...arr<string>(item.entities), ...entities.filter((e): e is string => e !== undefined)],
  };
}

/**
 * The name of the one reserved label a selector requires (`matchLabels`, or `matchExpressions` `Exists` or `In` with `""`),
 * or `undefined` when it requires none, or two (`reserved:remote-node` and `reserved:kube-apiserver`: the API server's
 * nodes, left as the selector they are). A requirement that excludes a reserved label (`DoesNotExist`, `NotIn`) names no entity.
 */
function requiredReservedLabel(m: LabelSelectorModel, version?: CiliumVersion): string | undefined {
  const names = requiredReservedLabels(m, version);
  return names.size === 1 ? [...names][0] : undefined;
}

/**
 * The names of the reserved labels a selector requires (`matchLabels`, or `matchExpressions` `Exists` or `In` with `""`):
 * on a `reserved:` key, or on a key without a source naming a reserved label where the selector selects that identity on
 * `version` (`sourcelessReservedLabels`; `undefined`: on some supported version).
 */
function requiredReservedLabels(m: LabelSelectorModel, version?: CiliumVersion): Set<string> {
  const names = new Set<string>();
  if (!isObject(m)) return names;
  for (const key of Object.keys(isObject(m.matchLabels) ? m.matchLabels : {})) {
    if (labelKeySource(key) === 'reserved') names.add(labelKeyName(key));
  }
  for (const e of arr<unknown>(m.matchExpressions)) {
    if (!isObject(e)) continue;
    const { key, operator, values } = e as { key?: unknown; operator?: unknown; values?: unknown };
    if (typeof key !== 'string' || labelKeySource(key) !== 'reserved') continue;
    if (operator === 'Exists' || (operator === 'In' && arr<unknown>(values).includes(''))) names.add(labelKeyName(key));
  }
  for (const name of sourcelessReservedLabels(m, version)) names.add(name);
  return names;
}

/**
 * The reserved labels a selector key without a source may name: the reserved identities' (pkg/labels `LabelWorld`,
 * `LabelHost`, …: `reserved:<name>` with the value `""`).
 */
const RESERVED_LABEL_NAMES: ReadonlySet<string> = new Set(['world', 'world-ipv4', 'world-ipv6', ...CLUSTER_RESERVED_ENTITIES]);

/** The reserved labels of the world of one IP family, which Cilium has from 1.15 (`AGENT_SINCE.ipFamilyWorldEntities`). */
const WORLD_OF_FAMILY: ReadonlySet<string> = new Set(['world-ipv4', 'world-ipv6']);

/**
 * The reserved identities whose other labels the SDK cannot know: the host's and a remote node's carry node labels
 * (`node:`, or `k8s:` ones with per-node identities), the kube-apiserver's those of the host it runs on.
 */
const LABELS_UNKNOWN: ReadonlySet<string> = new Set(['host', 'remote-node', 'kube-apiserver']);

/**
 * Whether a requirement is decided on a reserved identity other than `LABELS_UNKNOWN`'s, whose labels are its `reserved:`
 * one and, for the world, `cidr:`/`cidrgroup:`/`fqdn:` ones, each with the value `""`: a requirement of another source
 * (`k8s:app In [scanner]` does not hold, `k8s:app DoesNotExist` holds), or an `any:` key's `In` without `""` (no label of
 * the identity has that value).
 */
function knownAbsent(r: SelectorRequirement): boolean {
  if (r.source === 'any') return r.operator === 'In' && !r.values.includes('');
  return !['cidr', 'cidrgroup', 'fqdn'].includes(r.source);
}

/** The kind, namespace and subject of the rule whose peer `sourcelessReservedLabels` reads. */
export interface SourcelessScope {
  /** `cnp`: a CiliumNetworkPolicy; `ccnp`: a CiliumClusterwideNetworkPolicy. */
  readonly mode: 'cnp' | 'ccnp';
  /** The namespace of a CNP (`default` when unset). */
  readonly namespace?: string;
  /** Whether the rule's subject selects `reserved:init` (a CCNP's peers then get no namespace). */
  readonly matchesInit?: boolean;
}

/**
 * The reserved labels a selector takes in through a key without a source (`world: ""`, `host Exists`): such a key is `any:`
 * (pkg/policy/api/selector.go `EndpointSelector.UnmarshalJSON`, `labels.GetExtendedKeyFrom`), and a requirement on an `any:`
 * key holds on a label of that key of every source, `reserved:` included (pkg/labels `LabelArray.Has`/`Get`: "The key can be
 * of source any, in which case the source is ignored"), so `world: ""` holds on the world identity. Cilium adds the policy's
 * namespace (a CNP) or `io.kubernetes.pod.namespace Exists` (a CCNP) to a selector without a namespace key, which no
 * reserved identity carries; not to one with a namespace key, a `reserved:` key, or (CNP, 1.16+) a namespace-labels key
 * (pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`, `importEndpointSelector`); from 1.19 the cluster filter of
 * `policy-default-local-cluster` (on by default) adds the local cluster, which no reserved identity carries, unless a
 * `reserved:` key keeps the selector as written. So `world: ""` beside `io.kubernetes.pod.namespace DoesNotExist` selects the
 * world on 1.14–1.18, and beside `reserved:health DoesNotExist` on every version. The selector, so imported, must hold on the
 * identity's label set as far as its `reserved:`, source-less reserved, namespace and cluster requirements go (the others
 * are on labels the SDK cannot know, and only narrow it).
 * The one reading of a source-less reserved key: the narrow roles' (`reservedAsEntities`, either kind of policy) and
 * `validate`'s `pitfall-peer-sourceless-reserved-*` (the rule's own kind and namespace).
 * @param version the target version; `undefined`: every supported version, with the cluster filter on or off
 * @param scope the rule's kind, namespace and subject (`matchesInit`) as the agent imports its peers; `undefined`: either
 *   kind (a construct's check, whose policy kind the peer does not know)
 * @param exact `validate`'s reading: only a requirement that holds on the reserved label names it (`NotIn`/`DoesNotExist`
 *   do not), and on an identity other than the host, a remote node or the kube-apiserver a requirement on another label it
 *   cannot carry decides (`knownAbsent`: `k8s:app: scanner` is not the world); the narrow roles' (`false`) stay
 *   conservative
 */
export function sourcelessReservedLabels(m: LabelSelectorModel, version: CiliumVersion | undefined, scope?: SourcelessScope,
  exact = false): string[] {
  // Entries that are no requirement (a value that is no string, a selector of one's own answering `[null]`) are left out.
  const written = Selector.from({
    matchLabels: Object.fromEntries(Object.entries(isObject(m.matchLabels) ? m.matchLabels : {}).filter(([, v]) => typeof v === 'string')),
    matchExpressions: arr<unknown>(m.matchExpressions).filter((e): e is LabelExpressionModel => isObject(e) && typeof e.key === 'string'
      && typeof e.operator === 'string' && (e.values === undefined || (Array.isArray(e.values) && e.values.every((v) => typeof v === 'string')))),
  });
  // `exact`: only a requirement that holds on the label (`= ""`, `In` with `""`, `Exists`) names it; `NotIn`/`DoesNotExist`
  // on it is a selector that only excludes (`pitfall-peer-selector-only-excludes`).
  const names = (r: SelectorRequirement): boolean => !exact || r.operator === 'Exists' || (r.operator === 'In' && r.values.includes(''));
  // The world of one IP family (`reserved:world-ipv4`, `-ipv6`) exists from 1.15 (pkg/labels `IDNameWorldIPv4`, cilium/cilium#22625).
  const exists = (name: string): boolean => version === undefined || version.atLeast(AGENT_SINCE.ipFamilyWorldEntities) || !WORLD_OF_FAMILY.has(name);
  const candidates = [...RESERVED_LABEL_NAMES]
    .filter((name) => exists(name) && written.requirements.some((r) => r.source === 'any' && r.key === name && names(r)));
  if (candidates.length === 0) return [];
  // Without a version, the reading of every supported one, without the cluster filter (which only keeps identities out).
  const readings = version !== undefined ? [{ options: versionImportOptions(version), cluster: version.atLeast(CiliumVersion.V1_19) }]
    : CiliumVersion.ALL.map((v) => ({ options: versionImportOptions(v), cluster: false }));
  const scopes: readonly SourcelessScope[] = scope !== undefined ? [scope] : [{ mode: 'cnp', namespace: 'default' }, { mode: 'ccnp' }];
  const imported = readings.flatMap(({ options, cluster }) => scopes.map((s) => importEndpointSelector(written,
    { ...s, ...options, ...(cluster ? { localCluster: 'default' } : {}) })));
  return candidates.filter((name) => {
    const identity = LabelSet.of([{ source: 'reserved', key: name, value: '' }]);
    const known = (r: SelectorRequirement): boolean => r.source === 'reserved' || (r.source === 'any' && RESERVED_LABEL_NAMES.has(r.key))
      || isNamespaceKey(`${r.source}:${r.key}`) || isClusterKey(`${r.source}:${r.key}`) || (exact && !LABELS_UNKNOWN.has(name) && knownAbsent(r));
    return imported.some((sel) => Selector.all().and(sel.requirements.filter(known)).matches(identity));
  });
}

/**
 * Whether a from/toEndpoints selector selects pods of every namespace because of a reserved key that requires no reserved
 * label: Cilium adds no namespace to a selector with a `reserved:` key (pkg/k8s/apis/cilium.io/utils/utils.go
 * `getEndpointSelector`; `importEndpointSelector`), so `{ app: x }` with `reserved:health DoesNotExist` and no namespace key
 * is every pod labelled `app=x`, any tenant's. A selector that requires a reserved label is that identity
 * (`reservedAsEntities`), not pods.
 */
function reservedKeyDropsNamespace(m: LabelSelectorModel, version?: CiliumVersion): boolean {
  const reservedKey = selectorKeys(m).some((key) => typeof key === 'string' && labelKeySource(key) === 'reserved');
  return reservedKey && requiredReservedLabels(m, version).size === 0 && !selectorConstrainsNamespace(m);
}

/**
 * Why the peers of rule items, together, select the whole world, or `undefined` when they do not: an item without a peer
 * field (any peer), the `world` or `all` entity (or a selector of its reserved label, `reservedAsEntities`), or CIDRs that
 * hold every usable address of a family (`0.0.0.0/0`, `0.0.0.0/1` + `128.0.0.0/1`). For the guard's sources, which must
 * never be the world (`HostFirewall`).
 * @param given the peers' rule items
 */
export function itemsSelectWholeWorld(given: readonly RuleItemModel[], version?: CiliumVersion): string | undefined {
  const why = wholeWorldOf(given.map((item) => reservedAsEntities(item, version)));
  if (why === undefined || !why.startsWith('the entity ')) return why;
  // A key written without a source (`world: ""`) reads as the entity: say so, a user may have meant a pod label.
  const sourceless = given.flatMap((item) => arr<LabelSelectorModel>(item.endpoints)).flatMap((m) => sourcelessReservedLabels(m, version));
  return sourceless.length === 0 ? why
    : `${why} (the selector key ${JSON.stringify(sourceless[0])}, without a source or with "any:", matches Cilium's reserved label of that name; `
      + `a pod label is written "k8s:${sourceless[0]}")`;
}

/** `itemsSelectWholeWorld` of items already read with `reservedAsEntities`. */
function wholeWorldOf(items: readonly RuleItemModel[]): string | undefined {
  if (items.some((item) => itemPeerScope(item, false) === 'any')) return 'any peer';
  const entity = items.flatMap((item) => strings(item.entities)).find((e) => WORLD_ENTITIES.includes(e));
  if (entity !== undefined) return `the entity ${entity}`;
  const family = itemCidrsHoldWholeWorld(items);
  return family !== undefined ? `every ${family === 6 ? 'IPv6' : 'IPv4'} address` : undefined;
}

/**
 * The shortest prefix a CIDR may have where a prop names a narrow role (a management network, a DNS resolver, a metrics
 * scraper, the clients of a node port), per address family: the largest block one organization holds. IPv4 /8: a former
 * class A, or all of `10.0.0.0/8`; a shorter one (`0.0.0.0/1`, or `0.0.0.0/0` with `except` holes) is most of the
 * internet, whatever its holes. IPv6 /32: the regional registries' allocation to one ISP or LIR (a site gets a /48, a
 * subnet a /64, a ULA network a /48 under `fd00::/8`); the same share of the family as IPv4's /8 would be an IPv6 /8, 2^120
 * addresses (`2000::/8`, or every locally assigned ULA `fd00::/8`), which no resolver, scraper or management network is.
 * Inside the NAT64 prefixes (`64:ff9b::/96`, and the local-use `64:ff9b:1::/48`), whose addresses are IPv4 ones, the
 * IPv4 limit holds: a /104.
 */
export const NARROW_ROLE_MIN_PREFIX: Readonly<Record<4 | 6, number>> = { 4: 8, 6: 32 };

/** The limit `NARROW_ROLE_MIN_PREFIX` sets, for messages: `an IPv4 /8 or an IPv6 /32`. */
export const NARROW_ROLE_LIMIT = `an IPv4 /${NARROW_ROLE_MIN_PREFIX[4]} or an IPv6 /${NARROW_ROLE_MIN_PREFIX[6]}`;

/**
 * The first CIDR of `cidrs` shorter than `NARROW_ROLE_MIN_PREFIX` for its family, as a message names it (`"0.0.0.0/1",
 * a range wider than an IPv4 /8`), or `undefined`; entries that are no CIDR count for nothing.
 * @param cidrs a peer's CIDRs (`cidr`, and each `cidrSet` entry's `cidr`, excepts or not)
 */
function cidrWiderThanRole(cidrs: readonly unknown[]): string | undefined {
  for (const c of cidrs) {
    const parsed = typeof c === 'string' ? parseCidr(c) : undefined;
    if (parsed === undefined) continue;
    if (parsed.prefix < NARROW_ROLE_MIN_PREFIX[parsed.family]) {
      return `${JSON.stringify(c)}, a range wider than an IPv${parsed.family} /${NARROW_ROLE_MIN_PREFIX[parsed.family]} (excepts or not)`;
    }
    // The NAT64 prefixes hold IPv4 addresses: a DNS server in 64:ff9b::/96 is any IPv4 resolver behind the cluster's NAT64.
    const nat64 = parsed.family === 6 && parsed.prefix < NAT64_ROLE_MIN_PREFIX
      ? NAT64_PREFIXES.find((p) => cidrsIntersect(parsed, p.cidr)) : undefined;
    if (nat64 !== undefined) {
      return `${JSON.stringify(c)}, NAT64 addresses (${nat64.text}, ${nat64.rfc}: they embed IPv4 addresses) of a range wider than `
        + `an IPv4 /${NARROW_ROLE_MIN_PREFIX[4]} (a /${NAT64_ROLE_MIN_PREFIX} there, excepts or not)`;
    }
  }
  return undefined;
}

/**
 * The NAT64 prefixes: the well-known `64:ff9b::/96` (RFC 6052), through which an IPv6-only cluster reaches the IPv4
 * internet (`64:ff9b::8.8.8.8` being 8.8.8.8), and the local-use `64:ff9b:1::/48` (RFC 8215), where an operator places
 * its own translation prefix (a /96 there is all of IPv4 again). Cilium reads them as any IPv6 range (the world-ipv6
 * identity), so the narrow-role limit of their embedded IPv4 addresses is the IPv4 one: a /8 of them, a /104 in IPv6
 * (`NAT64_ROLE_MIN_PREFIX`), whatever the layout of the local-use prefix.
 */
const NAT64_PREFIXES: readonly { readonly cidr: ParsedCidr; readonly text: string; readonly rfc: string }[] = [
  { cidr: parseCidr('64:ff9b::/96') as ParsedCidr, text: '64:ff9b::/96', rfc: 'RFC 6052' },
  { cidr: parseCidr('64:ff9b:1::/48') as ParsedCidr, text: '64:ff9b:1::/48', rfc: 'RFC 8215' },
];

/** The shortest prefix of a narrow-role CIDR inside the NAT64 prefix: 96 bits of prefix and an IPv4 /8. */
const NAT64_ROLE_MIN_PREFIX = 96 + NARROW_ROLE_MIN_PREFIX[4];

/** What `itemsSelectBroadly` also counts as broad. */
export interface BroadPeerOptions {
  /** Whether every pod of the cluster (`Peer.allNamespaces()`, the `cluster` entity) is broad for the role. */
  readonly everyPod: boolean;
  /**
   * Whether pods must be in namespaces fixed by name or namespace labels (`selectorFixesNamespace`): a selector with
   * `allNamespaces: true`, or `NotIn`/`Exists` on the namespace key, lets any tenant label a pod into the role.
   */
  readonly namespaceFixed: boolean;
  /**
   * Whether a CIDR group (`cidrGroupRef`, `cidrGroupSelector`) is broad for the role: its ranges live in the cluster's
   * CiliumCIDRGroup objects, unseen where the peer is judged, and may hold any address, the world included.
   * @default false
   */
  readonly cidrGroups?: boolean;
  /**
   * Whether every other node (the `remote-node` entity) and nodes by labels a node may give itself are broad for the role
   * (`nodeSelectorClaimable`): a node selector that requires no label only the cluster's administrators can give a node
   * lets a node label itself into the role
   * (its kubelet may set every node label outside the protected domains), or, on labels every node carries, selects every node.
   * @default false
   */
  readonly claimableNodes?: boolean;
  /**
   * Whether pods must be named by a label of their own (`selectorRequiresPodLabel`: equality or `In` on a pod label): a
   * selector of the namespace alone (`Peer.namespace('kube-system')`), or with only `NotIn`, `DoesNotExist` or `Exists` on pod
   * labels, is every pod of its namespaces but those excluded, not the one workload the role names; likewise Services by a
   * selector (`toServices` `k8sServiceSelector`) that requires no Service label by value.
   * @default false
   */
  readonly podLabel?: boolean;
  /**
   * Whether the `unmanaged` and `init` entities are broad for the role (`UNRESOLVED_POD_ENTITIES`): pods of any namespace, any
   * tenant's, whose own identity Cilium has not resolved.
   * @default false
   */
  readonly unresolvedPods?: boolean;
  /**
   * Whether the `ingress` entity is broad for the role (`INGRESS_PROXY_ENTITY`): the source of every request Cilium's Ingress
   * and Gateway API Envoy forwards, for any client its routes accept (the world included), to any backend a route names.
   * @default false
   */
  readonly ingressProxy?: boolean;
}

/**
 * What is far more than one resolver for DNS (the DNS companion's `dnsServer`, `refuseBroadDnsServer`; a DNS rule's peers
 * beside toFQDNs, `pitfall-fqdn-dns-server-broad`): the world, a CIDR wider than an IPv4 /8 or an IPv6 /32, the `cluster`
 * entity, every pod, pods of namespaces not fixed, pods named by no pod label of their own, the `unmanaged` and `init`
 * entities (pods of any namespace) and the `ingress` entity (any client the Ingress routes accept). The one definition.
 */
export const DNS_SERVER_ROLE: BroadPeerOptions = { everyPod: true, namespaceFixed: true, podLabel: true, unresolvedPods: true, ingressProxy: true };

/**
 * The `ingress` entity, with what it holds: `reserved:ingress` (pkg/identity/numericidentity.go `ReservedIdentityIngress`)
 * is the identity of the source addresses of Cilium's Ingress and Gateway API Envoy (pkg/ipcache `labels.LabelIngress`,
 * the node's ingress IPs), with which Envoy opens its connection to a route's backend: what reaches a peer as `ingress` is
 * any client the Ingress and Gateway routes accept, the world included, relayed to any backend a route names (a Service
 * of one's own whose Endpoints are a node's address and port). Never one scraper or one client.
 */
const INGRESS_PROXY_ENTITY = 'ingress';

/**
 * The entities of pods whose own identity Cilium has not resolved, with what they hold: `reserved:unmanaged` is the identity
 * the agent's pod watcher gives every pod address it learns until the pod's own identity replaces it, and keeps for a pod
 * Cilium does not manage (pkg/k8s/watchers/pod.go `updatePodHostData`: "If the endpoint remains unmanaged, the identity
 * remains untouched"); `reserved:init` is the identity of an endpoint whose labels are not yet resolved
 * (pkg/identity/numericidentity.go `ReservedIdentityInit`). Either is pods of any namespace, never one named workload.
 */
const UNRESOLVED_POD_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['unmanaged', 'every pod of any namespace whose own identity Cilium has not resolved: the agent gives a pod\'s address reserved:unmanaged until '
    + 'the pod\'s identity replaces it, and keeps it for a pod Cilium does not manage'],
  ['init', 'every endpoint of any namespace whose labels Cilium has not yet resolved: reserved:init'],
]);

/**
 * The CIDR group a rule item names (`cidrSet` `cidrGroupRef` or `cidrGroupSelector`), as messages name it, or `undefined`.
 * The one reading of "this peer is a CIDR group", for the roles that refuse one (`itemsSelectBroadly` with `cidrGroups`,
 * the DNS companion's `dns-server-not-resolver`).
 * @param item a peer's rule item
 */
export function itemCidrGroup(item: RuleItemModel): string | undefined {
  for (const e of arr<unknown>(item.cidrSet)) {
    if (!isObject(e)) continue;
    const entry = e as CidrRuleModel;
    if (typeof entry.cidrGroupRef === 'string') return `the CIDR group ${JSON.stringify(entry.cidrGroupRef)}`;
    if (isObject(entry.cidrGroupSelector)) return `the CIDR groups ${describeSelector(entry.cidrGroupSelector as LabelSelectorModel)}`;
  }
  return undefined;
}

/**
 * Why the peers of rule items, named for a narrow role, select far more than one (`undefined` when they do not): the
 * whole world (`itemsSelectWholeWorld`); a CIDR shorter than `NARROW_ROLE_MIN_PREFIX` for its family, excepts or not; with `everyPod`,
 * the `cluster` entity or a selector of every pod; with `namespaceFixed`, pods of namespaces any tenant's pod can be in;
 * with `claimableNodes`, the `remote-node` entity and nodes by labels a node may give itself (`nodeSelectorClaimable`); with
 * `podLabel`, pods named by no pod label of their own (`selectorRequiresPodLabel`); with `unresolvedPods`, the `unmanaged` and
 * `init` entities (`UNRESOLVED_POD_ENTITIES`); with `ingressProxy`, the `ingress` entity (`INGRESS_PROXY_ENTITY`). A selector of a reserved label is the entity it names (`reservedAsEntities`).
 * An item whose `toServices` entries, its only peer, all match no Service (`serviceEntryMatchesNothing`) is any peer on the
 * role's ports; Services by labels with `podLabel` are read as the engine reads them on `version` (`serviceEntryTarget`).
 * @param given the peers' rule items
 * @param options what else counts as broad for the role
 * @param version the target version, to read `toServices` entries; without one, only entries that match no Service on every
 *   version are read as matching none, and a selector as from 1.19 (`CiliumVersion.DEFAULT`)
 */
export function itemsSelectBroadly(given: readonly RuleItemModel[], options: BroadPeerOptions, version?: CiliumVersion): string | undefined {
  const items = given.map((item) => reservedAsEntities(item, version));
  const world = wholeWorldOf(items);
  if (world !== undefined) return world;
  for (const item of items) {
    const cidrs = [...arr<unknown>(item.cidr), ...arr<unknown>(item.cidrSet).map((e) => (isObject(e) ? (e as CidrRuleModel).cidr : undefined))];
    const wide = cidrWiderThanRole(cidrs);
    if (wide !== undefined) return wide;
    const group = options.cidrGroups ? itemCidrGroup(item) : undefined;
    if (group !== undefined) return `${group}, whose ranges live in the cluster's CiliumCIDRGroup objects, unseen here, and may hold any address`;
    if (options.everyPod && strings(item.entities).includes('cluster')) return 'the entity cluster (every pod and node)';
    const unresolved = options.unresolvedPods ? strings(item.entities).find((e) => UNRESOLVED_POD_ENTITIES.has(e)) : undefined;
    if (unresolved !== undefined) return `the entity ${unresolved} (${UNRESOLVED_POD_ENTITIES.get(unresolved)})`;
    if (options.ingressProxy && strings(item.entities).includes(INGRESS_PROXY_ENTITY)) {
      return 'the entity ingress (the source of every request Cilium\'s Ingress and Gateway API Envoy relays: any client its routes accept, the world '
        + 'included, to any backend a route names)';
    }
    // Every other node: what `Peer.nodes` by labels every node carries selects (below), refused alike.
    if (options.claimableNodes && strings(item.entities).includes('remote-node')) return 'the entity remote-node (every other node of the cluster)';
    const claimable = options.claimableNodes
      ? arr<unknown>(item.nodes).find((sel) => isObject(sel) && nodeSelectorClaimable(sel as LabelSelectorModel)) : undefined;
    if (claimable !== undefined) {
      return `the nodes ${describeSelector(claimable as LabelSelectorModel)}, by labels a node's own kubelet may set on its Node object (the NodeRestriction `
        + 'admission plugin protects only node-restriction.kubernetes.io/ keys and the kubernetes.io and k8s.io domains, except kubelet.kubernetes.io/, '
        + 'node.kubernetes.io/ and the labels the kubelet reports) or labels every node carries: a node could label itself into it with its own kubelet\'s credentials, '
        + 'or every node would match';
    }
    for (const sel of arr<unknown>(item.endpoints)) {
      if (!isObject(sel)) continue;
      const model = sel as LabelSelectorModel;
      if (options.everyPod && selectsEveryPod(model)) return 'every pod of the cluster';
      const notFixed = (selectorConstrainsNamespace(model) && !selectorFixesNamespace(model)) || reservedKeyDropsNamespace(model, version);
      if (options.namespaceFixed && notFixed) {
        return 'pods of namespaces not fixed by name or namespace labels (any tenant can label a pod into it)';
      }
      if (options.podLabel && !selectorRequiresPodLabel(model)) {
        const { why, selects } = noPodLabelReason(model);
        return `the pods ${describeSelector(model)} (${why}, so ${selects})`;
      }
    }
    // The Services (`toServices`), each entry as the engine reads it on the version (`serviceEntryTarget`). Entries that all
    // match no Service, the item's only peer, add no selector: the item's ports (the role's) are open to every peer.
    const services = arr<unknown>(item.services);
    const targets = services.map((entry) => serviceEntryTarget(entry, version ?? CiliumVersion.DEFAULT));
    if (services.length > 0 && services.every((entry) => serviceEntryMatchesNothing(entry, version))
      && L3_PEER_FIELDS.every((f) => f === PeerField.SERVICES || item[f] === undefined)) {
      const first = targets.find((t) => t.kind === 'nothing');
      return `any peer: the toServices entries match no Service${first?.kind === 'nothing' ? ` (${first.why})` : ''}, so the item adds no peer selector `
        + 'and its ports are open to every peer, the world included';
    }
    // The Services by labels (`k8sServiceSelector`): every Service of the namespace but those excluded, their backends.
    for (const [i, target] of options.podLabel ? targets.entries() : []) {
      if (target.kind !== 'labels') continue;
      // `labels` reads the k8sServiceSelector; without a selector object (1.19+) it is every Service, as `{}`.
      const written = (services[i] as ServiceSelectorModel).k8sServiceSelector?.selector;
      const selector = (isObject(written) ? written : {}) as LabelSelectorModel;
      if (!selectorRequiresPodLabel(selector)) {
        return `the backends of the Services ${describeSelector(selector)} (no Service label required by value, so every Service `
          + 'of its namespace but those it excludes)';
      }
    }
  }
  return undefined;
}

/** Whether ranges hold every usable IPv4 or every usable IPv6 address. */
function wholeWorld(ranges: readonly AddressRange[]): boolean {
  if (ranges.length === 0) return false;
  return rangesCoverFamily([...ranges, ...UNUSABLE], 4) || rangesCoverFamily([...ranges, ...UNUSABLE], 6);
}

/**
 * The deny items (of one direction, on one port) whose CIDRs are part of cutting the whole world: each that holds every
 * IPv4 or IPv6 address alone, and each the union needs (a redundant `10.0.0.0/8` next to `0.0.0.0/1` and `128.0.0.0/1`
 * is not reported; if every item is redundant, all are). One sweep over the range boundaries per family, so the cost
 * grows as n log n with the items, however hostile the input.
 */
function worldCutters(denies: readonly DenyItem[], reading: PeerReading): WorldCut {
  // The unusable addresses are one more list, never reported: it fills what no deny needs to hold. An item that selects
  // no peer (an empty peer list beside its CIDRs, 1.16+) holds no address.
  const ranges = [
    ...denies.map((d) => (peerScope(d.item, reading, true) === 'listed'
      ? subtractRanges(itemRanges(d.item, reading.groups, reading.groupSelectorsSelectUngrouped), []) : [])),
    subtractRanges(UNUSABLE, []),
  ];
  const families = ([4, 6] as const)
    .filter((f) => denies.some((_, i) => ranges[i].some((r) => r.family === f)) && rangesCoverFamily(ranges.flat(), f));
  if (families.length === 0) return { items: new Set(), where: new Map() };
  // An item is needed when, in every family the union covers, some address is covered by it alone.
  const sole = families.map((f) => soleCovers(ranges, f));
  const needed = (i: number): boolean => sole.every((s) => s.has(i));
  const whole = (i: number): boolean => wholeWorld(ranges[i]);
  const needing = denies.filter((_, i) => ranges[i].length > 0 && (whole(i) || needed(i)));
  const reported = needing.length > 0 ? needing : denies.filter((_, i) => ranges[i].length > 0);
  return { items: new Set(reported.map((d) => d.item)), where: new Map(reported.flatMap((d) => (d.where !== undefined ? [[d.item, d.where]] : []))) };
}

/** The indexes of the range lists that alone cover some address of `family` (each list merged beforehand). */
function soleCovers(ranges: readonly (readonly AddressRange[])[], family: 4 | 6): Set<number> {
  const events: { at: bigint; delta: 1 | -1; item: number }[] = [];
  ranges.forEach((list, item) => {
    for (const r of list) {
      if (r.family !== family) continue;
      events.push({ at: r.first, delta: 1, item }, { at: r.last + 1n, delta: -1, item });
    }
  });
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const active = new Set<number>();
  const out = new Set<number>();
  for (let k = 0; k < events.length;) {
    const at = events[k].at;
    for (; k < events.length && events[k].at === at; k++) {
      if (events[k].delta === 1) active.add(events[k].item);
      else active.delete(events[k].item);
    }
    // The segment from `at` to the next boundary is non-empty; with one item active, that item alone covers it.
    if (active.size === 1 && k < events.length) out.add(active.values().next().value as number);
  }
  return out;
}

/** Entities that `cluster` stands for (besides cluster pods). */
const CLUSTER_ENTITIES = ['cluster', ...CLUSTER_RESERVED_ENTITIES];

function strings(value: unknown): string[] {
  return arr<unknown>(value).filter((v): v is string => typeof v === 'string');
}

/** Whether two lists of address ranges share an address. */
function rangesIntersect(a: readonly AddressRange[], b: readonly AddressRange[]): boolean {
  return a.some((x) => b.some((y) => x.family === y.family && x.first <= y.last && y.first <= x.last));
}

/**
 * Whether a rule item's peers reach a guarded peer: `cuts` (a deny), when they may select some of it in some cluster (an
 * in-cluster API server runs on nodes, so a deny of remote nodes may cut it); `keeps` (an allow), only the inferences that
 * hold in every cluster (see `itemCoversPath`).
 */
function peerOverlaps(deny: RuleItemModel, guard: RuleItemModel, reading: PeerReading, intent: 'cuts' | 'keeps' = 'cuts'): boolean {
  const cuts = intent === 'cuts';
  const scope = peerScope(deny, reading, cuts);
  if (scope !== 'listed') return scope === 'any';
  const groups = reading.groups;
  const guardEntity = strings(guard.entities)[0];
  const guardRanges = itemRanges(guard, groups);
  // A cidrGroupSelector of no label (1.17+) selects every pod, node and reserved entity (no identity of theirs carries a
  // cidrgroup: or cidr: label, so no except excludes them): a deny cuts them; an allow keeps them, and the API server and
  // every address only when it is `{}` without except (a managed API server may be in an except or in a group it refuses).
  const ungrouped = ungroupedEntries(deny, reading);
  if (ungrouped.length > 0) {
    const inCluster = guard.endpoints !== undefined || guard.nodes !== undefined
      || (guardEntity !== undefined && guardEntity !== 'world' && (guardEntity !== 'kube-apiserver' || cuts));
    if (inCluster || ungrouped.some((u) => u.everything)) return true;
  }
  // Addresses outside the cluster the guard names: CIDRs, or CIDR groups whose contents are not known here.
  const guardOutside = guardRanges.length > 0 || hasUnknownGroup(guard, groups);
  const denyEntities = strings(deny.entities);
  if (deny.entities) {
    const e = new Set(denyEntities);
    if (e.has('all')) return true;
    if (guardEntity) {
      if (guardEntity === 'all' || e.has(guardEntity)) return true;
      if (e.has('cluster') && CLUSTER_ENTITIES.includes(guardEntity)) return true;
      // An in-cluster API server runs on nodes: their identity carries both remote-node and kube-apiserver.
      if (cuts && ((guardEntity === 'kube-apiserver' && e.has('remote-node')) || (guardEntity === 'remote-node' && e.has('kube-apiserver')))) return true;
      if (guardEntity === 'cluster' && [...e].some((x) => CLUSTER_ENTITIES.includes(x))) return true;
    }
    if (guardOutside && e.has('world')) return true;
  }
  // The addresses the deny's CIDRs select (`except`s removed: Cilium does not deny them).
  const denyRanges = itemRanges(deny, groups, reading.groupSelectorsSelectUngrouped);
  // CIDR groups not in the input and `toGroups` (cloud security groups) stand for addresses not known here: they may
  // hold any guarded one.
  const denyGroups = hasUnknownGroup(deny, groups) || deny.groups !== undefined;
  if (denyRanges.length || denyGroups) {
    if (guardEntity === 'all') return true;
    // Addresses outside the cluster are the world's.
    if (guardEntity === 'world' && denyRanges.length > 0) return true;
    if ((denyGroups && guardOutside) || (denyRanges.length && hasUnknownGroup(guard, groups))) return true;
    if (rangesIntersect(denyRanges, guardRanges)) return true;
  }
  // FQDNs resolve to addresses outside the cluster (an allow to a name; Cilium has no toFQDNs deny).
  if (deny.fqdns && (guardEntity === 'all' || guardEntity === 'world' || guardOutside)) return true;
  // An allow's Services: their backends, the pods their selector selects, or (no selector) the addresses of their
  // Endpoints. A deny's are never resolved (`itemPeerScope`: egressDeny toServices selects no peer of its own).
  if (!cuts && deny.services && (guardEntity === 'cluster' || guardEntity === 'all' || guard.endpoints !== undefined || guardOutside)) return true;
  if (deny.endpoints && (guardEntity === 'cluster' || guardEntity === 'all')) return true;
  if (deny.endpoints && guard.endpoints !== undefined && endpointsMayOverlap(deny.endpoints, guard.endpoints)) return true;
  if (deny.nodes && (guardEntity === 'remote-node' || (cuts && guardEntity === 'kube-apiserver') || guardEntity === 'cluster' || guardEntity === 'all'
    || guard.nodes !== undefined)) return true;
  if (guard.endpoints && denyEntities.includes('cluster')) return true;
  // Nodes selected by labels include the control-plane nodes, whose identity also carries kube-apiserver (in-cluster API server).
  if (guard.nodes && denyEntities.some((e) => e === 'cluster' || e === 'remote-node' || (cuts && e === 'kube-apiserver'))) return true;
  return false;
}

/** Whether two endpoint selector lists (of clusterwide rules) may select a common pod; a selector that cannot be read may. */
function endpointsMayOverlap(deny: unknown, guard: unknown): boolean {
  const read = (list: unknown): (ReturnType<typeof fromModel> | undefined)[] => arr<unknown>(list).map((m) => {
    try {
      return isObject(m) ? fromModel(m as LabelSelectorModel) : undefined;
    } catch {
      return undefined;
    }
  });
  const guards = read(guard);
  return read(deny).some((d) => guards.some((g) => d === undefined || g === undefined || mayOverlap(d, g)));
}

/**
 * Whether a deny drops the whole of a broad guarded peer: the world (with `worldCovered`, whether the CIDRs of the deny
 * items on the port together hold all of IPv4 or IPv6), or every pod.
 */
function coversWhole(deny: RuleItemModel, guard: RuleItemModel, reading: PeerReading, worldCoveredByCidrs: () => boolean): boolean {
  const scope = peerScope(deny, reading, true);
  if (scope !== 'listed') return scope === 'any';
  const entities = strings(deny.entities);
  if (entities.includes('all')) return true;
  if (strings(guard.entities)[0] === 'world') {
    // `0.0.0.0/0` and `::/0` select the world identity; so do CIDRs that together hold every address (`0.0.0.0/1` and
    // `128.0.0.0/1`), but not `0.0.0.0/0` with an `except`, which leaves a range open.
    return entities.includes('world') || worldCoveredByCidrs();
  }
  if (guard.endpoints !== undefined) {
    return entities.includes('cluster') || arr<LabelSelectorModel>(deny.endpoints).some((sel) => isObject(sel) && selectsEveryPod(sel))
      || ungroupedEntries(deny, reading).length > 0;
  }
  return peerOverlaps(deny, guard, reading);
}

/** An endpoint selector of a clusterwide rule that selects every pod: no requirement but "has a namespace". */
function selectsEveryPod(model: LabelSelectorModel): boolean {
  return fromModel(model).requirements.every((r) => r.key === NAMESPACE_KEY && r.operator === 'Exists');
}

/**
 * Whether an item names CIDR groups whose addresses are not all known: a `cidrGroupRef` not in `groups`, or any
 * `cidrGroupSelector` (the cluster may hold more groups with matching labels than the input).
 */
function hasUnknownGroup(item: RuleItemModel, groups: ReadonlyMap<string, CidrGroupContents>): boolean {
  return arr<{ cidrGroupRef?: unknown; cidrGroupSelector?: unknown }>(item.cidrSet)
    .some((c) => isObject(c) && ((c.cidrGroupRef !== undefined && !(typeof c.cidrGroupRef === 'string' && groups.has(c.cidrGroupRef)))
      || c.cidrGroupSelector !== undefined));
}

function portOverlaps(deny: RuleItemModel, port: GuardPort, endPortExists: boolean): boolean {
  // As the engine reads it: no ports (absent or empty lists) is every port with an L3 peer, and nothing without one.
  const scope = l4Scope(arr(deny.toPorts), arr(deny.icmps), itemNamesPeer(deny));
  if (scope !== 'ports') return scope === 'all';
  if (port.icmp) {
    const icmp = port.icmp;
    return arr<{ fields?: unknown }>(deny.icmps)
      .some((r) => isObject(r) && arr<IcmpFieldModel>(r.fields).some((f) => isObject(f) && icmpCovers(f, icmp)));
  }
  const l4 = port.l4 ?? {};
  return arr<{ ports?: unknown }>(deny.toPorts).some((r) => {
    if (!isObject(r)) return false;
    // A port rule without ports (only L7 rules or server names) covers no port: the agent makes a filter per port entry
    // (rule.go `mergeIngress`/`mergeEgress` iterate `GetPortProtocols()`), as the engine reads it.
    return arr<PortProtocolModel>(r.ports).some((p) => isObject(p) && l4Overlaps(p, l4, endPortExists));
  });
}

function l4Overlaps(deny: PortProtocolModel, guard: PortProtocolModel, endPortExists: boolean): boolean {
  const dp = String(deny.protocol ?? 'ANY').toUpperCase();
  const gp = guard.protocol ?? 'ANY';
  if (dp !== 'ANY' && gp !== 'ANY' && dp !== gp) return false;
  // Both ports read as the agent and the engine read them (`compilePortEntry`): a number in any base Go's ParseUint
  // takes (`6_443`, `014453`; `0x192b` is a name), a name by its lower-case name, port 0 every port unless an endPort
  // bounds it (from 1.16: before, the API server prunes endPort).
  // A port that is no port overlaps nothing.
  const d = readEntry(deny, endPortExists);
  const g = readEntry(guard, endPortExists);
  if (d.kind === 'invalid' || g.kind === 'invalid') return false;
  // A guarded "every port" path is cut by a deny on any port of its protocol.
  if (d.kind === 'all' || g.kind === 'all') return true;
  if (d.kind === 'named' || g.kind === 'named') return d.kind === g.kind && d.name === g.name;
  return d.lo <= g.hi && g.lo <= d.hi;
}

/** A port entry as the engine reads it (`compilePortEntry`), its endPort honoured where it exists; the protocol is read apart. */
function readEntry(p: PortProtocolModel, endPortExists: boolean): CompiledPort {
  const port = p.port === undefined || p.port === null ? undefined : String(p.port);
  return compilePortEntry({ port, ...(typeof p.endPort === 'number' ? { endPort: p.endPort } : {}) }, endPortExists);
}

/** Whether the deny's ICMP field covers the guarded type: the same family, and the same type or type 0 (every type). */
function icmpCovers(deny: IcmpFieldModel, guarded: IcmpFieldModel): boolean {
  const family = (f: IcmpFieldModel): 'IPv4' | 'IPv6' => (f.family === 'IPv6' ? 'IPv6' : 'IPv4');
  const type = (f: IcmpFieldModel): number => (typeof f.type === 'number' || typeof f.type === 'string' ? icmpTypeNumber(f.type, family(f)) : undefined) ?? -1;
  return family(deny) === family(guarded) && icmpTypeCovers(type(deny), type(guarded));
}

// The generic paths of any host policy, for rules whose author's network is not known (a ClusterwidePolicy with a
// nodeSelector, a host policy read from YAML). HostFirewall builds its own from its props (the management CIDRs, the
// kubelet clients, ICMP from every peer). A path guarded from `world` is cut by a deny of the whole world (the entity,
// `0.0.0.0/0`, any peer), not by a deny of some CIDRs: the operators' addresses are not known here.
const entity = (name: string): GuardPeer => ({ item: { entities: [name] }, description: `entity ${name}` });
const WORLD: GuardPeer = { ...entity('world'), whole: true };
const REMOTE_NODE = entity('remote-node');
const HEALTH = entity('health');
const KUBE_APISERVER = entity('kube-apiserver');
/**
 * A managed API server (EKS, GKE, AKS) outside the cluster: its address has a CIDR identity that carries `reserved:world`
 * (Cilium pkg/ipcache/metadata.go merges the labels of an API server IP outside the cluster), so a deny of the whole
 * world cuts node egress to it and its calls to the kubelet; a deny of some CIDRs is not known to (its address is not
 * known here). Added to every path that guards the `kube-apiserver` entity for the kubelet or the API server (`cutPeers`).
 */
const MANAGED_APISERVER: GuardPeer = {
  item: { entities: ['world'] }, description: 'entity world (a managed API server outside the cluster)', whole: true, cutOnly: true,
};
const PODS: GuardPeer = {
  item: { endpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] },
  description: 'every pod',
  whole: true,
};
const HUBBLE_RELAY: GuardPeer = {
  item: { endpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'hubble-relay' } }] },
  description: 'endpoints {k8s:io.kubernetes.pod.namespace=kube-system, k8s:k8s-app=hubble-relay}',
};
const tcp = (port: number): GuardPort => ({ l4: { port: String(port), protocol: 'TCP' }, description: `${port}/TCP` });
const udp = (port: number): GuardPort => ({ l4: { port: String(port), protocol: 'UDP' }, description: `${port}/UDP` });
const icmp = (type: number, family: 'IPv4' | 'IPv6' = 'IPv4'): GuardPort => ({ icmp: { family, type }, description: `icmp ${type}/${family}` });
const HEALTH_PORTS = [tcp(4240), icmp(8), icmp(128, 'IPv6')];
const TUNNEL_PORTS = [udp(8472), udp(6081)];

/** ICMP every host needs from anywhere: errors (path MTU discovery, traceroute) and IPv6 neighbor discovery; never echo. */
export const ESSENTIAL_ICMP: readonly { readonly type: number; readonly family: 'IPv4' | 'IPv6' }[] = [
  { type: 3, family: 'IPv4' }, { type: 11, family: 'IPv4' },
  { type: 1, family: 'IPv6' }, { type: 2, family: 'IPv6' }, { type: 3, family: 'IPv6' }, { type: 135, family: 'IPv6' }, { type: 136, family: 'IPv6' },
];

/** A generic path, with whether it matters only on control-plane nodes and whether a default deny must allow it. */
interface GenericPath extends GuardPath {
  /** Only on nodes that may run the API server (and etcd). */
  readonly controlPlane: boolean;
  /** What a host policy in default deny must allow (`pitfall-host-lockout`), and how the finding names it. */
  readonly required?: string;
}

const GENERIC_PATHS: readonly GenericPath[] = [
  { path: LockoutPath.BREAK_GLASS, direction: 'ingress', peers: [WORLD], ports: [tcp(22)], controlPlane: false },
  {
    path: LockoutPath.KUBE_APISERVER, direction: 'ingress', peers: [WORLD, REMOTE_NODE, PODS], ports: [tcp(6443)], controlPlane: true,
    required: 'kube-apiserver (6443/TCP) on control-plane nodes',
  },
  { path: LockoutPath.KUBELET, direction: 'ingress', peers: [KUBE_APISERVER], ports: [tcp(10250)], controlPlane: false, required: 'kubelet (10250/TCP from the API server)' },
  { path: LockoutPath.ETCD, direction: 'ingress', peers: [KUBE_APISERVER], ports: [tcp(2379), tcp(2380)], controlPlane: true },
  {
    path: LockoutPath.CILIUM_HEALTH, direction: 'ingress', peers: [REMOTE_NODE, HEALTH], ports: HEALTH_PORTS, controlPlane: false,
    required: 'Cilium health (4240/TCP from other nodes)',
  },
  {
    path: LockoutPath.TUNNEL, direction: 'ingress', peers: [REMOTE_NODE], ports: TUNNEL_PORTS, controlPlane: false,
    required: 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP from other nodes; not needed with native routing)',
  },
  { path: LockoutPath.ICMP, direction: 'ingress', peers: [WORLD, REMOTE_NODE], ports: ESSENTIAL_ICMP.map((i) => icmp(i.type, i.family)), controlPlane: false },
  { path: LockoutPath.HUBBLE, direction: 'ingress', peers: [HUBBLE_RELAY], ports: [tcp(4244)], controlPlane: false },
  {
    path: LockoutPath.KUBE_APISERVER, direction: 'egress', peers: [KUBE_APISERVER], ports: API_SERVER_PORTS.map(tcp), controlPlane: false,
    required: 'the API server (6443/TCP or 443/TCP, for the kubelet)',
  },
  { path: LockoutPath.KUBELET, direction: 'egress', peers: [REMOTE_NODE], ports: [tcp(10250)], controlPlane: false },
  { path: LockoutPath.ETCD, direction: 'egress', peers: [KUBE_APISERVER], ports: [tcp(2379), tcp(2380)], controlPlane: true },
  {
    path: LockoutPath.CILIUM_HEALTH, direction: 'egress', peers: [REMOTE_NODE, HEALTH], ports: HEALTH_PORTS, controlPlane: false,
    required: 'Cilium health (4240/TCP to other nodes)',
  },
  {
    path: LockoutPath.TUNNEL, direction: 'egress', peers: [REMOTE_NODE], ports: TUNNEL_PORTS, controlPlane: false,
    required: 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP to other nodes; not needed with native routing)',
  },
  { path: LockoutPath.ICMP, direction: 'egress', peers: [WORLD, REMOTE_NODE], ports: ESSENTIAL_ICMP.map((i) => icmp(i.type, i.family)), controlPlane: false },
  { path: LockoutPath.POD_TRAFFIC, direction: 'egress', peers: [PODS], ports: [{ l4: { port: '0', protocol: 'ANY' }, description: 'every port' }], controlPlane: false },
  { path: LockoutPath.NODE_DNS, direction: 'egress', peers: [WORLD], ports: [udp(53), tcp(53)], controlPlane: false },
];

/** Options of `hostGuardPaths`. */
export interface HostGuardOptions {
  /** The nodes of the host rule, to know whether they may be control-plane nodes (see `mayBeControlPlane`). */
  readonly nodeSelector: LabelSelectorModel | undefined;
  /**
   * Paths left out on purpose.
   * @default - none
   */
  readonly exempted?: ReadonlySet<string>;
  /**
   * Only the paths a host policy in default deny must allow (`pitfall-host-lockout`).
   * @default false
   */
  readonly requiredOnly?: boolean;
}

/** A generic guarded path, with how `pitfall-host-lockout` names it when no allow keeps it open. */
export interface HostGuardPath extends GuardPath {
  /** The path as the missing-allow finding names it. @default - the path's name */
  readonly required?: string;
}

/**
 * The paths any host policy must not cut (and, `requiredOnly`, those a host policy in default deny must allow): break-glass
 * SSH from the world, the API server and etcd on nodes that may be control-plane nodes, the kubelet from the API server,
 * Cilium health, the tunnel (VXLAN or Geneve), essential ICMP, Hubble from hubble-relay; from the nodes: the API server
 * (6443 or 443, the kube-apiserver entity), other kubelets, etcd, health, the tunnel, essential ICMP, every pod, DNS to the world.
 */
export function hostGuardPaths(options: HostGuardOptions): HostGuardPath[] {
  const controlPlane = mayBeControlPlane(options.nodeSelector);
  return GENERIC_PATHS
    .filter((p) => (!p.controlPlane || controlPlane) && !options.exempted?.has(p.path) && (!options.requiredOnly || p.required !== undefined))
    .map(({ path, direction, peers, ports, required }) => ({ path, direction, peers, ports, ...(required ? { required } : {}) }));
}

/**
 * Whether a guarded path matters only on control-plane nodes (the API server's ingress, etcd both ways): the generic
 * paths' own notion, which `HostFirewall` reads too, so that a firewall of worker-only nodes (`mayBeControlPlane` false)
 * opens neither.
 * @param path the path
 * @param direction its direction on the node
 */
export function controlPlaneOnly(path: string, direction: 'ingress' | 'egress'): boolean {
  return GENERIC_PATHS.some((p) => p.path === path && p.direction === direction && p.controlPlane);
}

/** The values the control-plane role labels carry: `""` (kubeadm) and `"true"` (k3s, RKE2). */
const ROLE_VALUES = ['', 'true'];

/** The role labels of control-plane nodes: kubeadm 1.24+ sets only the first, before 1.20 only the second; k3s both. */
const ROLE_KEYS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/**
 * Whether a node selector may select control-plane nodes: any selector may, unless it excludes them by requirements on
 * both role keys (`node-role.kubernetes.io/control-plane` and `…/master`), each `DoesNotExist` or `NotIn` the values
 * those labels carry (`""` and `"true"`), of a source the host endpoint's node labels have (`readsHostEndpointNodeLabels`:
 * none written, `k8s:` or `any:`). The safe side: a selector of other labels (`zone: a`) may hold them, and so does one that
 * excludes `master` only (a kubeadm 1.24+ control-plane node has no `master` label), or excludes them by `node:` keys (absent
 * from every host endpoint, so `DoesNotExist` on them holds on control-plane nodes too).
 */
export function mayBeControlPlane(model: LabelSelectorModel | undefined): boolean {
  const sel = fromModel(model);
  const excludes = (key: string): boolean => sel.requirements.some((r) => r.key === key && readsHostEndpointNodeLabels(r.source, r.key)
    && (r.operator === 'DoesNotExist' || (r.operator === 'NotIn' && ROLE_VALUES.every((v) => r.values.includes(v)))));
  return !ROLE_KEYS.every(excludes);
}

/** The lockout exemptions of a manifest (`LOCKOUT_EXEMPTIONS_ANNOTATION`), and what could not be read of them. */
export interface ReadExemptions {
  /** Exempted path → reason. */
  readonly exempted: ReadonlyMap<LockoutPath, string>;
  /** Why the annotation (or part of it) was not read. @default - read in full */
  readonly problem?: string;
}

const PATH_VALUES = new Set<string>(Object.values(LockoutPath));
/** How many ignored keys of the annotation a finding names, and how many characters of each. */
const MAX_NAMED_KEYS = 5;
const MAX_KEY_CHARS = 40;

/** Reads the lockout exemptions of a policy's metadata. */
export function readLockoutExemptions(metadata: PolicyMetadataModel | undefined): ReadExemptions {
  const annotations = isObject(metadata) && isObject(metadata.annotations) ? metadata.annotations : {};
  const text = annotations[LOCKOUT_EXEMPTIONS_ANNOTATION];
  if (text === undefined) return { exempted: new Map() };
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    value = undefined;
  }
  if (!isObject(value)) return { exempted: new Map(), problem: `annotation ${LOCKOUT_EXEMPTIONS_ANNOTATION} is not a JSON object of path → reason` };
  const exempted = new Map<LockoutPath, string>();
  const bad: string[] = [];
  for (const [path, reason] of Object.entries(value)) {
    if (PATH_VALUES.has(path) && typeof reason === 'string' && reason.trim() !== '') exempted.set(path as LockoutPath, reason.trim());
    else bad.push(path);
  }
  if (bad.length === 0) return { exempted };
  // Name a few bad keys, each cut short: an annotation of thousands of keys must not make a finding of megabytes.
  const named = bad.slice(0, MAX_NAMED_KEYS).map((b) => JSON.stringify(b.length > MAX_KEY_CHARS ? `${b.slice(0, MAX_KEY_CHARS)}…` : b));
  const more = bad.length > MAX_NAMED_KEYS ? ` and ${bad.length - MAX_NAMED_KEYS} more` : '';
  const problem = `annotation ${LOCKOUT_EXEMPTIONS_ANNOTATION}: ${named.join(', ')}${more} ignored`
    + ` (a path is one of ${[...PATH_VALUES].join(', ')}, with a non-empty reason)`;
  return { exempted, problem };
}

/** The annotation value of a list of exemptions (JSON, sorted by path), or `undefined` for none. */
export function lockoutExemptionsAnnotation(exemptions: readonly LockoutExemption[]): string | undefined {
  if (exemptions.length === 0) return undefined;
  const sorted = [...exemptions].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted.map((e) => [e.path, e.reason.trim()])));
}

/** The `LockoutPath` member name of a path value (`ETCD` for `etcd`). */
export function lockoutPathKey(path: string): string {
  return (Object.keys(LockoutPath) as (keyof typeof LockoutPath)[]).find((k) => LockoutPath[k] === path) ?? path;
}
