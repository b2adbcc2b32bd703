/**
 * The `authentication.mode` a connection is held to, as the datapath finds it (pkg/policy mapstate, bpf/lib/policy.h,
 * bpf/lib/auth.h), and whether it drops the connection. Each matching allow item is a policy map entry keyed by peer
 * identity (or every identity: no peer field, `all`, a selector without requirements) and by protocol and port (a port,
 * a masked block of a range, every port of a protocol, or every protocol for an item without `toPorts`). The datapath
 * takes the most specific entry: the more specific protocol and port first, then the identity over the wildcard
 * (`__policy_can_access`). Its auth type is its own when an item of that key sets `authentication.mode` (explicit; of
 * several peer selectors, the highest: disabled < required < test-always-fail, `MapStateEntry.Merge`; two modes for one
 * selector on one filter are a merge error, noted by `parser-conflicts.ts`), else the one of the most specific
 * less specific matching entry that sets one (`__policy_check` propagates it; the agent derives it for the keys it adds:
 * distillery_test.go `Test_MergeL3` cases 2, 3, 5 and 9).
 *
 * Whether that mode drops is `authenticationDrop` (model/authentication.ts, shared with the validator): `test-always-fail`
 * always, `required` unless the cluster runs mutual authentication (`mutualAuth`), and even then for a pair with a
 * reserved identity (world, CIDR and FQDN peers, host, remote-node, health, …), which the auth manager never
 * authenticates (pkg/auth `handleAuthRequest`).
 */
import { AUTHENTICATION_MODE_ORDER, authenticationDrop } from '../model/authentication';
import { icmpTypeIsWildcard } from '../model/icmp-types';
import { LabelSet } from '../model/labels';
import { CompiledItem, entityMatches } from './compile';
import { CompiledPort, L4Match, L4Query } from './ports';

/** The mode that decides, with the item that set it. */
export interface AuthRequirement {
  /** `required` or `test-always-fail`. */
  readonly mode: string;
  /** The allow item whose `authentication` it is. */
  readonly item: CompiledItem;
}

/** What the authentication of the deciding entry does to a connection. */
export interface AuthOutcome extends AuthRequirement {
  /**
   * Why it drops the connection (one clause).
   * @default - it passes: mode `required` with mutual authentication, between two identities that can attest
   */
  readonly drop?: string;
  /**
   * What to change, when it drops.
   * @default - nothing
   */
  readonly fix?: string;
}

/**
 * What the authentication of the matching allow items does to the connection: `undefined` when there is none (no explicit
 * mode on the deciding entry or the entries it inherits from, or `disabled`).
 * @param mutualAuth the cluster runs mutual authentication with SPIRE (`PolicySetOptions.mutualAuth`)
 * @param subjectReserved the endpoint whose policy this is has a reserved identity (`reservedIdentity`)
 * @param peer the identity labels of the other end
 * @param clusterName the local cluster's name (the `cluster` entity)
 */
export function authOutcome(matches: readonly { item: CompiledItem; l4: L4Match }[], query: L4Query, mutualAuth: boolean,
  subjectReserved: boolean, peer: LabelSet, clusterName: string): AuthOutcome | undefined {
  const req = authRequirement(matches, query, peer, clusterName);
  if (req === undefined) return undefined;
  const drop = authenticationDrop(req.mode, mutualAuth);
  if (drop !== undefined) return { ...req, drop: drop.why, fix: drop.fix };
  if (!subjectReserved && !reservedIdentity(peer)) return req;
  const who = subjectReserved ? 'this endpoint has a reserved identity (host, health, ingress, init)'
    : `the peer has ${peer.has('reserved', 'world') ? 'an identity outside the cluster' : 'a reserved identity'} `
      + `(${peer.labels.filter((l) => l.source === 'reserved').map((l) => `reserved:${l.key}`).join(', ')})`;
  return {
    ...req,
    drop: `authentication mode required drops every packet (DROP_POLICY_AUTH_REQUIRED): ${who}, which the auth manager never authenticates`,
    fix: 'allow this peer by a rule without authentication',
  };
}

/**
 * Whether an identity is one the auth manager skips or SPIRE cannot attest: a reserved identity (host, remote-node,
 * health, init, ingress, kube-apiserver) or one outside the cluster (world, a CIDR or FQDN identity).
 */
export function reservedIdentity(labels: LabelSet): boolean {
  return labels.labels.some((l) => l.source === 'reserved' || l.source === 'cidr' || l.source === 'fqdn');
}

/**
 * The authentication the matching allow items hold the connection to, `undefined` when none (no explicit mode on the
 * deciding entry or the entries it inherits from, or `disabled`).
 */
export function authRequirement(matches: readonly { item: CompiledItem; l4: L4Match }[], query: L4Query, peer: LabelSet,
  clusterName: string): AuthRequirement | undefined {
  let any = false;
  for (let i = 0; i < matches.length && !any; i++) any = matches[i].item.authentication !== undefined;
  if (!any) return undefined;
  const ranked = matches.map((m) => ({ item: m.item, rank: keyRank(m.item, m.l4, query, wildcardIdentity(m.item, peer, clusterName)) }))
    .sort((a, b) => b.rank - a.rank);
  for (let i = 0; i < ranked.length;) {
    let j = i;
    let best: { item: CompiledItem; mode: string } | undefined;
    for (; j < ranked.length && ranked[j].rank === ranked[i].rank; j++) {
      const mode = ranked[j].item.authentication;
      if (mode !== undefined && (best === undefined || modeOrder(mode) > modeOrder(best.mode))) best = { item: ranked[j].item, mode };
    }
    if (best !== undefined) return best.mode === 'disabled' ? undefined : best;
    i = j;
  }
  return undefined;
}

/**
 * The precedence of an item's policy map key for the query: protocol and port specificity (an L3-only item 0, every port
 * of one protocol 100, a masked port block 100 + its prefix bits, a port or an ICMP type 116), then 1 more for a key of
 * the peer's identity over the wildcard identity.
 */
function keyRank(item: CompiledItem, l4: L4Match, query: L4Query, wildcard: boolean): number {
  let portRank = 0;
  if (l4.allPorts) portRank = 0;
  else if (l4.icmp) portRank = icmpKeyRank(item, query);
  else {
    for (const pr of l4.portRules) {
      for (const p of pr.ports) if (p.protocols.includes(query.protocol)) portRank = Math.max(portRank, portEntryRank(p, query.port));
    }
  }
  return portRank * 2 + (wildcard ? 0 : 1);
}

/** An ICMP type's key is 116, the one of a type-0 field (every type of the family, `icmpTypeCovers`) 100. */
function icmpKeyRank(item: CompiledItem, query: L4Query): number {
  const l4 = item.l4;
  const exact = l4.kind === 'ports' && l4.icmps.some((i) => i.family === query.icmpFamily && !icmpTypeIsWildcard(i.type) && i.type === query.icmpType);
  return exact ? 116 : 100;
}

function modeOrder(mode: string): number {
  return AUTHENTICATION_MODE_ORDER[mode] ?? 0;
}

function portEntryRank(p: CompiledPort, port: number | undefined): number {
  if (port === undefined) return 0;
  switch (p.kind) {
    case 'all':
      return 100;
    case 'named':
      return 116;
    case 'range':
      return port >= p.lo && port <= p.hi ? 100 + maskedBlockBits(p.lo, p.hi, port) : 0;
    case 'invalid':
      return 0;
  }
}

/** The prefix bits of the masked block of `[lo, hi]` holding `port`. */
function maskedBlockBits(lo: number, hi: number, port: number): number {
  for (const b of maskedBlocks(lo, hi)) if (port < b.start + b.size) return 16 - Math.log2(b.size);
  return 16;
}

/**
 * The masked port blocks a range is written to the policy map as (`PortRangeToMaskedPorts`: the largest aligned blocks,
 * in order), each as its first port and its size.
 */
export function maskedBlocks(lo: number, hi: number): { start: number; size: number }[] {
  const out: { start: number; size: number }[] = [];
  let start = lo;
  while (start <= hi) {
    let size = 1;
    while (start % (size * 2) === 0 && start + size * 2 - 1 <= hi && size < 65536) size *= 2;
    out.push({ start, size });
    start += size;
  }
  return out;
}

/**
 * Whether the item's key for this peer is the wildcard identity's only: no peer field, or the wildcard selector (the `all`
 * entity, a selector without requirements) with no other selector of the item selecting the peer. Each selector of an
 * item writes its own keys (pkg/policy l4.go `toMapState`: the wildcard selector's at identity 0, each other's at the
 * identities it selects), so a peer that another selector of the item selects has the item's identity key as well.
 */
function wildcardIdentity(item: CompiledItem, peer: LabelSet, clusterName: string): boolean {
  const p = item.peer;
  if (p.kind === 'any') return true;
  if (p.kind === 'entities') return p.entities.includes('all') && !p.entities.some((e) => e !== 'all' && entityMatches(e, peer, clusterName));
  if (p.kind === 'endpoints') {
    return p.selectors.some((s) => s.requirements.length === 0) && !p.selectors.some((s) => s.requirements.length > 0 && s.matches(peer));
  }
  return false;
}
