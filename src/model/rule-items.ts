/**
 * Rule items from allow/deny grants: how one grant (a peer, ports, ICMP types, L7 rules) becomes rule items, and how the
 * items of one section are merged. The constructs (`PolicyRule`) and the Hubble draft render through it, so a policy
 * built either way is written the same.
 *
 * Rendering is deterministic: ICMP in its own item, ports deduplicated, sorted and grouped in lists of at most 40, and
 * grants with the same ports and L7 rules merged into one item.
 */
import {
  IcmpFieldModel, L7RulesModel, PEER_FIELDS, PeerField, PortProtocolModel, PortRuleModel, RuleItemModel,
} from './policy-model';

/** At most this many ports per `toPorts` entry and ICMP fields per `icmps` entry (Cilium's limit). */
export const MAX_PER_LIST = 40;

/** One allow or deny of a peer, in model form: what a rule item is rendered from. */
export interface RuleGrantModel {
  /**
   * The peer field `peerItem` sets.
   * @default - any peer
   */
  readonly field?: PeerField;
  /** The rule-item fields that select the peer (only `field` is set). */
  readonly peerItem: RuleItemModel;
  /** The L4 ports (none: every port, unless `icmps` are given). */
  readonly ports: PortProtocolModel[];
  /** The ICMP types. */
  readonly icmps: IcmpFieldModel[];
  /**
   * L7 rules on the ports.
   * @default - L4 only
   */
  readonly rules?: L7RulesModel;
  /**
   * TLS server names on the ports.
   * @default - any
   */
  readonly serverNames?: string[];
  /**
   * The `authentication.mode`.
   * @default - no authentication requirement
   */
  readonly authentication?: string;
}

/** The rule items of one grant: one for the L4 ports (or every port), one for the ICMP types. */
export function grantItems(grant: RuleGrantModel): RuleItemModel[] {
  const extras: RuleItemModel = grant.authentication ? { authentication: { mode: grant.authentication } } : {};
  const out: RuleItemModel[] = [];
  const { ports: l4, icmps: icmp } = grant;
  if (l4.length > 0 || icmp.length === 0) {
    const toPorts = l4.length ? chunk(sortPorts(l4), MAX_PER_LIST).map((ports): PortRuleModel => ({
      ports,
      ...(grant.rules ? { rules: grant.rules } : {}),
      ...(grant.serverNames?.length ? { serverNames: [...grant.serverNames] } : {}),
    })) : undefined;
    if (!toPorts && grant.field === undefined) {
      // "any peer, any port": an item without peer and ports would allow nothing (`ingress: [{}]`).
      out.push({ entities: ['all'], ...extras });
    } else {
      out.push({ ...grant.peerItem, ...(toPorts ? { toPorts } : {}), ...extras });
    }
  }
  if (icmp.length > 0) {
    out.push({ ...grant.peerItem, icmps: chunk(sortIcmp(icmp), MAX_PER_LIST).map((fields) => ({ fields })), ...extras });
  }
  return out;
}

/**
 * The items of one section, merged as they are added: `add` appends an item, or merges its peers into an earlier item
 * with the same peer field, ports, ICMP and options.
 *
 * A merge costs the peers it adds, not the peers already merged: the merged item's peer list is its own copy, kept with
 * the keys of its values, and grows in place (a copy and a deduplication of the whole growing list per merge made an
 * `FqdnEgress` of n names cost n² / 2 value copies: 8,000 names took 10 s of CPU).
 */
export class RuleItemMerger {
  /** The merged items, in the order first added. */
  public readonly items: RuleItemModel[] = [];
  /** The items whose peer list is the merger's own copy, with the keys of its values. */
  private readonly owned = new Map<RuleItemModel, Set<string>>();

  /** Appends `item`, or merges it into an earlier item (see the class). */
  public add(item: RuleItemModel): void {
    const items = this.items;
    // The first item of a section has nothing to merge with (the keys below are made only when compared).
    if (items.length === 0) {
      items.push(item);
      return;
    }
    const field = peerFieldOf(item);
    if (field !== undefined && field !== 'requires') {
      let key: string | undefined;
      const at = items.findIndex((other) => peerFieldOf(other) === field && nonPeerKey(other) === (key ??= nonPeerKey(item)));
      if (at >= 0) {
        this.mergePeers(at, field, item[field] as unknown[]);
        return;
      }
    }
    if (isPlainL4(item)) {
      // The same peer on other plain ports: one item with the union of the ports (items are ORed, so this is equivalent).
      const peerKey = JSON.stringify(field === undefined ? null : item[field]);
      const at = items.findIndex((other) => isPlainL4(other) && peerFieldOf(other) === field
        && JSON.stringify(field === undefined ? null : other[field]) === peerKey
        && JSON.stringify(other.authentication) === JSON.stringify(item.authentication));
      if (at >= 0) {
        const target = items[at];
        const ports = sortPorts([...(target.toPorts ?? []), ...(item.toPorts ?? [])].flatMap((r) => [...(r.ports ?? [])]));
        // A new object: its peer list, shared with `target`, is copied again by its next merge.
        items[at] = { ...target, toPorts: chunk(ports, MAX_PER_LIST).map((chunkPorts) => ({ ports: chunkPorts })) };
        return;
      }
    }
    if (!items.some((other) => JSON.stringify(other) === JSON.stringify(item))) items.push(item);
  }

  /** Adds `values` to the peer list `field` of item `at`, each value once (first occurrence kept, in order). */
  private mergePeers(at: number, field: keyof RuleItemModel, values: unknown[]): void {
    let target = this.items[at];
    let seen = this.owned.get(target);
    if (seen === undefined) {
      // The first merge into this item: its own copy of the list, deduplicated, and the keys of its values.
      seen = new Set<string>();
      const own = dedupeInto(target[field] as unknown[], [], seen);
      target = { ...target, [field]: own };
      this.items[at] = target;
      this.owned.set(target, seen);
    }
    dedupeInto(values, target[field] as unknown[], seen);
  }
}

/** An item with ports only: no L7 rules, server names, TLS or ICMP. */
function isPlainL4(item: RuleItemModel): boolean {
  return item.toPorts !== undefined && item.icmps === undefined
    && item.toPorts.every((r) => Object.keys(r).every((k) => k === 'ports') && (r.ports ?? []).length > 0);
}

/** The peer fields, in `PEER_FIELDS` order. */
const PEER_FIELD_KEYS = Object.keys(PEER_FIELDS) as (keyof RuleItemModel)[];

function peerFieldOf(item: RuleItemModel): keyof RuleItemModel | undefined {
  return PEER_FIELD_KEYS.find((f) => item[f] !== undefined);
}

function nonPeerKey(item: RuleItemModel): string {
  return JSON.stringify([item.toPorts, item.icmps, item.authentication]);
}

function dedupe<T>(values: T[]): T[] {
  // One value (a grant's one port, a peer's one selector) has no duplicate: no key to make.
  if (values.length < 2) return values.slice();
  return dedupeInto(values, [], new Set<string>());
}

/** Appends to `out` each of `values` whose key is not in `seen` yet (and adds the key): the one deduplication of values. */
function dedupeInto<T>(values: readonly T[], out: T[], seen: Set<string>): T[] {
  for (const v of values) {
    const k = valueKey(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

/** `JSON.stringify` of a value, computed once per object (a peer merged into several items, a port of several grants). */
const KEYS = new WeakMap<object, string>();
function valueKey(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'undefined';
  let k = KEYS.get(v);
  if (k === undefined) {
    k = JSON.stringify(v);
    KEYS.set(v, k);
  }
  return k;
}

const PROTOCOL_ORDER = ['TCP', 'UDP', 'SCTP', 'ANY', 'VRRP', 'IGMP'];

function sortPorts(ports: PortProtocolModel[]): PortProtocolModel[] {
  const rank = (p: PortProtocolModel): [number, number, string, number] => {
    const n = p.port !== undefined && /^\d+$/.test(p.port) ? Number(p.port) : -1;
    return [PROTOCOL_ORDER.indexOf(p.protocol ?? 'ANY'), n, p.port ?? '', p.endPort ?? 0];
  };
  return dedupe(ports).sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) {
      if (ra[i] < rb[i]) return -1;
      if (ra[i] > rb[i]) return 1;
    }
    return 0;
  });
}

function sortIcmp(fields: IcmpFieldModel[]): IcmpFieldModel[] {
  const key = (f: IcmpFieldModel): string => `${f.family ?? 'IPv4'}/${typeof f.type === 'number' ? String(f.type).padStart(3, '0') : f.type}`;
  return dedupe(fields).sort((a, b) => key(a).localeCompare(key(b)));
}

function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
