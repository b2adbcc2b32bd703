/**
 * The fast path of `PolicySet.decide`, shaped like the agent's policy map: peers interned as small integers (Cilium's
 * numeric identities), and per subject identity and direction a map from (peer identity, protocol, port) to the side's
 * decision, filled on first use by the same decision code `verdict()` runs (`sideOutcome`), so that both always agree.
 * The explanation is not kept: `verdict()` rebuilds it when asked.
 *
 * What a side's decision reads of the peer (labels, address, DNS name, named ports, whether it is the local host) makes
 * up its interned identity; what it reads of the subject besides its identity (its named ports, its node for DNS
 * learning) selects the table.
 */
import { DirectionPolicy } from './direction-policy';
import { NamedPort } from './endpoint';
import { SideOutcome } from './evaluate';
import { PeerView, ResolvedEndpoint } from './identity';
import { L4Query } from './ports';

/** Bound on the decisions kept (all tables together); the tables start over when it is reached (hostile input: many peers). */
const MAX_DECISIONS = 1_000_000;
/** Bound on the interned peer identities; the interning starts over (with the tables) when it is reached. */
const MAX_PEERS = 1_000_000;

const PROTOCOL_CODES: Readonly<Record<string, number>> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3 };

/** A subject's direction policy and its decisions, keyed by `decisionKey`. */
export interface DecisionSlot {
  /** The direction policy. */
  readonly dp: DirectionPolicy;
  /** Decisions by peer identity, then by protocol and port (`l4Code`): small integers both. */
  readonly table: Map<number, Map<number, SideOutcome>>;
}

/** Peer identities, decision tables, and their bounds. */
export class DecisionTables {
  private peerIds = new Map<string, number>();
  private peerIdByView = new WeakMap<PeerView, number>();
  /** The peer identity of a resolved endpoint whose peer view does not depend on the other end (every kind but nodes). */
  private peerIdByEndpoint = new WeakMap<ResolvedEndpoint, number>();
  /** Tables per direction policy and subject key. */
  private readonly tables = new Map<DirectionPolicy, Map<string, Map<number, Map<number, SideOutcome>>>>();
  /** The slots of a resolved subject per direction (no key built once known). */
  private readonly slots = new WeakMap<ResolvedEndpoint, { ingress?: DecisionSlot; egress?: DecisionSlot }>();
  private decisions = 0;

  /** The slot of `subject` in `direction`, if attached. */
  public slot(subject: ResolvedEndpoint, direction: 'ingress' | 'egress'): DecisionSlot | undefined {
    return this.slots.get(subject)?.[direction];
  }

  /** Attaches `subject`'s direction policy `dp` and its table (shared by subjects with the same identity, named ports and node). */
  public attach(subject: ResolvedEndpoint, dp: DirectionPolicy): DecisionSlot {
    let slots = this.slots.get(subject);
    if (!slots) {
      slots = {};
      this.slots.set(subject, slots);
    }
    let byKey = this.tables.get(dp);
    if (!byKey) {
      byKey = new Map();
      this.tables.set(dp, byKey);
    }
    const key = `${portsKey(subject.ports)}|${subject.endpoint.nodeName ?? ''}`;
    let table = byKey.get(key);
    if (!table) {
      table = new Map();
      byKey.set(key, table);
    }
    const slot = { dp, table };
    slots[dp.direction] = slot;
    return slot;
  }

  /** The remembered peer identity of `target` (see `rememberPeer`). */
  public knownPeer(target: ResolvedEndpoint): number | undefined {
    return this.peerIdByEndpoint.get(target);
  }

  /** Remembers the peer identity of `target` (only for peers whose view does not depend on the other end). */
  public rememberPeer(target: ResolvedEndpoint, id: number): void {
    this.peerIdByEndpoint.set(target, id);
  }

  /** The interned identity of a peer as a subject's policy sees it. */
  public peerId(view: PeerView): number {
    const known = this.peerIdByView.get(view);
    if (known !== undefined) return known;
    const key = peerKey(view);
    let id = this.peerIds.get(key);
    if (id === undefined) {
      if (this.peerIds.size >= MAX_PEERS) {
        // Start over: the tables are keyed by the old numbers.
        this.clearTables();
        this.peerIds = new Map();
        this.peerIdByView = new WeakMap();
        this.peerIdByEndpoint = new WeakMap();
      }
      id = this.peerIds.size;
      this.peerIds.set(key, id);
    }
    this.peerIdByView.set(view, id);
    return id;
  }

  /** The decision kept for `peer` and `l4` in `slot`. */
  public get(slot: DecisionSlot, peer: number, l4: L4Query): SideOutcome | undefined {
    return slot.table.get(peer)?.get(l4Code(l4));
  }

  /** Keeps a decision (the tables start over when they hold `MAX_DECISIONS`). */
  public keep(slot: DecisionSlot, peer: number, l4: L4Query, outcome: SideOutcome): void {
    if (this.decisions >= MAX_DECISIONS) this.clearTables();
    let byPort = slot.table.get(peer);
    if (!byPort) {
      byPort = new Map();
      slot.table.set(peer, byPort);
    }
    byPort.set(l4Code(l4), outcome);
    this.decisions++;
  }

  /** Empties every table (they stay attached to their subjects). */
  private clearTables(): void {
    for (const byKey of this.tables.values()) for (const t of byKey.values()) t.clear();
    this.decisions = 0;
  }
}

/** Protocol and port (or ICMP family and type) as one small integer. */
function l4Code(l4: L4Query): number {
  const protocol = PROTOCOL_CODES[l4.protocol] ?? 0;
  if (l4.protocol === 'ICMP') return protocol * 0x10000 + (l4.icmpFamily === 'IPv6' ? 0x100 : 0) + (l4.icmpType ?? 0);
  return protocol * 0x10000 + (l4.port ?? 0);
}

/** Everything of a peer view a side's decision reads (its text is for explanations only). */
function peerKey(v: PeerView): string {
  const ip = v.ip ? `${v.ip.family}:${v.ip.value.toString(16)}` : '';
  return `${v.labels.id}\u0000${ip}\u0000${v.fqdn ?? ''}\u0000${v.anyWorldAddress ? 1 : 0}${v.localHost ? 1 : 0}${v.node ? 1 : 0}\u0000${portsKey(v.ports)}`;
}

function portsKey(ports: readonly NamedPort[]): string {
  return ports.length === 0 ? '' : JSON.stringify(ports);
}
