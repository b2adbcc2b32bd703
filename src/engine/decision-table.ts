/**
 * The fast path of `PolicySet.decide`, shaped like the agent's policy map: peers interned as small integers (Cilium's
 * numeric identities), protocol and port interned as a small integer, and per direction policy a table from the packed
 * integer (peer identity, protocol, port) to the side's decision (every table held in one flat hash table keyed by table
 * number and that integer: `flat-decisions.ts`), filled on first use by the same decision code
 * `verdict()` runs (`sideOutcome`), so that both always agree. The explanation is not kept: `verdict()` rebuilds it when
 * asked.
 *
 * A direction policy is shared by every subject identity selected by the same rules (`DirectionPolicyCache`), and so is its
 * table: the decision reads nothing else of the subject but its named ports (on ingress, the destination's) and, for a
 * `toFQDNs` peer, whether the subject's DNS proxy learns the name. Decisions on peers with a DNS name are therefore kept
 * per subject identity and node (`own`), the others per direction policy and destination ports (`shared`).
 *
 * What a side's decision reads of the peer (labels, address, DNS name, named ports, whether it is the local host) makes
 * up its interned identity.
 */
import { DirectionPolicy } from './direction-policy';
import { NamedPort } from './endpoint';
import { SideOutcome } from './evaluate';
import { PeerView, ResolvedEndpoint } from './identity';
import { L4Query } from './ports';
import { LabelSet } from '../model/labels';
import { FlatDecisions } from './flat-decisions';

/** Bound on the decisions kept (all tables together); the tables start over when it is reached (hostile input: many peers). */
const MAX_DECISIONS = 1_000_000;
/** Peer identities are below this (so that a packed key stays a small integer); the interning starts over when it is reached. */
const MAX_PEERS = 1 << 18;
/** The most subject identities with tables of their own per direction policy, before their numbering starts over. */
const MAX_OWN_TABLES = 100_000;
/** Distinct protocol/port codes are below this; the interning starts over when it is reached. */
const MAX_L4 = 1 << 12;

/** Protocol numbers of `l4Code` (ICMP is 3). */
const PROTOCOL_CODES: Readonly<Record<string, number>> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3 };
/** Protocols by `l4Code` number. */
const PROTOCOL_NAMES = ['TCP', 'UDP', 'SCTP', 'ICMP'];

/** A subject's direction policy and its decision tables (table numbers of `DecisionTables`; decisions keyed by `decisionKey`). */
export interface DecisionSlot {
  /** The direction policy. */
  readonly dp: DirectionPolicy;
  /** Decisions on peers without a DNS name: shared by the subjects with this direction policy and destination ports. */
  readonly shared: number;
  /** Decisions on peers with a DNS name (they depend on the subject's DNS learning): this subject identity's own. */
  readonly own: number;
}

/**
 * What `decide` keeps per endpoint object (and per equal endpoint object: see `PolicySet`): its resolution, its interned
 * peer identity, and its decision slots.
 */
export interface EndpointRecord {
  /** The endpoint, resolved. */
  readonly resolved: ResolvedEndpoint;
  /** Its peer identity (see `DecisionTables.peerId`), valid while `peerGeneration` is the tables' generation. */
  peerId: number;
  /** The generation `peerId` belongs to (-1: none). */
  peerGeneration: number;
  /** Its egress slot: `null` when policy does not apply to it, `undefined` until first used. */
  egress: DecisionSlot | null | undefined;
  /** Its ingress slot, likewise. */
  ingress: DecisionSlot | null | undefined;
  /** Whether a connection with it as an end may be refused as not judged (`PolicySet.endMayLeaveUnjudged`); `undefined` until asked. */
  mayLeaveUnjudged: boolean | undefined;
  /**
   * As a client: whether its egress has `toFQDNs` items (`PolicySet._learnsNames`: a DNS name it reaches is judged with its
   * learning lookup), and whether a DNS lookup of it may split on the target's patches (`PolicySet.dnsMaySplit`); `undefined` until asked.
   */
  learnsNames: boolean | undefined;
  dnsMaySplit: boolean | undefined;
}

/** A fresh record of a resolved endpoint. */
export function endpointRecord(resolved: ResolvedEndpoint): EndpointRecord {
  return { resolved, peerId: 0, peerGeneration: -1, egress: undefined, ingress: undefined, mayLeaveUnjudged: undefined,
    learnsNames: undefined, dnsMaySplit: undefined };
}

/** What `DecisionTables` holds (`DecisionTables.counts`). */
export interface DecisionCounts {
  /** Peer identities interned in the current generation. */
  readonly peerIdentities: number;
  /** Tables numbered (shared per direction policy and destination ports, own per subject identity with DNS-name peers). */
  readonly tables: number;
  /** Decisions kept, all tables together: one per (table, peer identity, protocol/port) judged since they last started over. */
  readonly decisions: number;
}

/** Peer identities, protocol/port codes, decision tables, and their bounds. */
export class DecisionTables {
  /** Bumped when the peer identities start over: records with another generation re-intern their peer. */
  public generation = 0;
  /** Peer identities per label set object, then the rest of the peer key (`peerKey`). */
  private peerIds = new Map<LabelSet, Map<string, number>>();
  private peerCount = 0;
  /** Whether each peer identity has a DNS name (its decisions go to the subject's `own` table). */
  private peerHasName: boolean[] = [];
  private peerIdByView = new WeakMap<PeerView, number>();
  /**
   * Interned protocol/port codes (`l4Code`) plus one, 0 when not interned: one array of 2^16 per protocol, allocated on
   * first use (a set that is never asked to `decide` allocates none).
   */
  private l4Index: (Int32Array | undefined)[] = [undefined, undefined, undefined, undefined];
  private l4Count = 0;
  /** Shared table numbers per direction policy and destination ports. */
  private readonly sharedTables = new Map<DirectionPolicy, Map<string, number>>();
  /** Own table numbers per direction policy and subject identity (label set object, then ports and node). */
  private readonly ownTables = new Map<DirectionPolicy, Map<LabelSet, Map<string, number>>>();
  /** Tables numbered so far. */
  private tableCount = 0;
  /** Every table's decisions in one flat hash table: (table number, decision key) → side outcome. */
  private readonly kept = new FlatDecisions();

  /** The slot of `subject` with direction policy `dp`, with its tables (created on first use). */
  public slot(subject: ResolvedEndpoint, dp: DirectionPolicy): DecisionSlot {
    const ports = portsKey(subject.ports);
    const shared = this.table(this.sharedTables, dp, dp.direction === 'ingress' ? ports : '');
    let byLabels = this.ownTables.get(dp);
    if (!byLabels) {
      byLabels = new Map();
      this.ownTables.set(dp, byLabels);
    } else if (byLabels.size >= MAX_OWN_TABLES && !byLabels.has(subject.labels)) {
      // Bounded: past MAX_OWN_TABLES subject identities of one direction policy, their numbering starts over (the old
      // numbers stay valid for the slots that hold them; their decisions go when the tables are next emptied).
      byLabels.clear();
    }
    const own = this.table(byLabels, subject.labels, `${ports}|${subject.endpoint.nodeName ?? ''}`);
    return { dp, shared, own };
  }

  /** The interned identity of a peer as a subject's policy sees it. */
  public peerId(view: PeerView): number {
    const known = this.peerIdByView.get(view);
    if (known !== undefined) return known;
    const key = peerKey(view);
    let byLabels = this.peerIds.get(view.labels);
    let id = byLabels?.get(key);
    if (id === undefined) {
      if (this.peerCount >= MAX_PEERS) {
        this.startOverPeers();
        byLabels = undefined;
      }
      if (!byLabels) {
        byLabels = new Map();
        this.peerIds.set(view.labels, byLabels);
      }
      id = this.peerCount++;
      byLabels.set(key, id);
      this.peerHasName[id] = view.fqdn !== undefined;
    }
    this.peerIdByView.set(view, id);
    return id;
  }

  /** The interned index of a protocol/port code (`l4Code`), below `MAX_L4` (the tables start over when it is reached). */
  public l4(code: number): number {
    const byPort = this.l4Index[code >>> 16] ??= new Int32Array(0x10000);
    const known = byPort[code & 0xffff];
    if (known !== 0) return known - 1;
    if (this.l4Count >= MAX_L4) {
      this.clearTables();
      for (const ports of this.l4Index) ports?.fill(0);
      this.l4Count = 0;
    }
    byPort[code & 0xffff] = ++this.l4Count;
    return this.l4Count - 1;
  }

  /** The table (number) of `slot` that keeps decisions on `peer`. */
  public tableFor(slot: DecisionSlot, peer: number): number {
    return this.peerHasName[peer] ? slot.own : slot.shared;
  }

  /** The decision kept in `table` under `key`, if any. */
  public get(table: number, key: number): SideOutcome | undefined {
    return this.kept.get(table, key);
  }

  /** Keeps a decision (the tables start over when they hold `MAX_DECISIONS`). */
  public keep(table: number, key: number, outcome: SideOutcome): void {
    if (this.kept.size >= MAX_DECISIONS) this.clearTables();
    this.kept.set(table, key, outcome);
  }

  /** Empties every table (they stay attached to their slots). */
  public clearTables(): void {
    this.kept.clear();
  }

  /** What the tables hold: peer identities interned, tables numbered, decisions kept (for the engine benchmark). */
  public get counts(): DecisionCounts {
    return { peerIdentities: this.peerCount, tables: this.tableCount, decisions: this.kept.size };
  }

  /** The number of the table under `key` of `key1` (numbered on first use). */
  private table<K>(tables: Map<K, Map<string, number>>, key1: K, key: string): number {
    let byKey = tables.get(key1);
    if (!byKey) {
      byKey = new Map();
      tables.set(key1, byKey);
    }
    let t = byKey.get(key);
    if (t === undefined) {
      t = this.tableCount++;
      byKey.set(key, t);
    }
    return t;
  }

  /** Starts the peer interning over (a new generation): the tables are keyed by the old numbers. */
  private startOverPeers(): void {
    this.clearTables();
    this.peerIds = new Map();
    this.peerCount = 0;
    this.peerHasName = [];
    this.peerIdByView = new WeakMap();
    this.generation++;
  }
}

/** The key of a decision: peer identity and interned protocol/port packed into one small integer. */
export function decisionKey(peer: number, l4: number): number {
  return peer * MAX_L4 + l4;
}

/** Protocol and port (or ICMP family and type) as one integer below 4 × 2^16. */
export function l4Code(l4: L4Query): number {
  const protocol = PROTOCOL_CODES[l4.protocol] ?? 0;
  if (l4.protocol === 'ICMP') return protocol * 0x10000 + (l4.icmpFamily === 'IPv6' ? 0x100 : 0) + (l4.icmpType ?? 0);
  return protocol * 0x10000 + (l4.port ?? 0);
}

/** The layer-4 query of an `l4Code`, as `l4Query` gives it. */
export function l4OfCode(code: number): L4Query {
  const protocol = PROTOCOL_NAMES[code >>> 16];
  const low = code & 0xffff;
  if (protocol === 'ICMP') return { protocol, icmpType: low & 0xff, icmpFamily: low & 0x100 ? 'IPv6' : 'IPv4' };
  return { protocol, port: low, icmpFamily: 'IPv4' };
}

/**
 * Everything of a peer view a side's decision reads besides its labels (its text is for explanations only; the labels are
 * the first key: see `peerIds`).
 */
function peerKey(v: PeerView): string {
  const ip = v.ip ? `${v.ip.family}:${v.ip.value.toString(16)}` : '';
  return `${ip}\u0000${v.fqdn ?? ''}\u0000${v.worldFamily}${v.localHost ? 1 : 0}${v.node ? 1 : 0}\u0000${portsKey(v.ports)}`;
}

/** The text of each named-port list already keyed (endpoints are immutable values, their port lists shared by their views). */
const PORTS_KEYS = new WeakMap<readonly NamedPort[], string>();

function portsKey(ports: readonly NamedPort[]): string {
  if (ports.length === 0) return '';
  let key = PORTS_KEYS.get(ports);
  if (key === undefined) {
    key = JSON.stringify(ports);
    PORTS_KEYS.set(ports, key);
  }
  return key;
}
