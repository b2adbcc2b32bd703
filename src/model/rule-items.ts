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

/** Appends `item`, or merges its peers into an earlier item with the same peer field, ports, ICMP and options. */
export function mergeRuleItem(items: RuleItemModel[], item: RuleItemModel): void {
  // The first item of a section has nothing to merge with (the keys below are made only when compared).
  if (items.length === 0) {
    items.push(item);
    return;
  }
  const field = peerFieldOf(item);
  if (field !== undefined && field !== 'requires') {
    let key: string | undefined;
    const target = items.find((other) => peerFieldOf(other) === field && nonPeerKey(other) === (key ??= nonPeerKey(item)));
    if (target) {
      const merged = dedupe([...(target[field] as unknown[]), ...(item[field] as unknown[])]);
      items[items.indexOf(target)] = { ...target, [field]: merged };
      return;
    }
  }
  if (isPlainL4(item)) {
    // The same peer on other plain ports: one item with the union of the ports (items are ORed, so this is equivalent).
    const peerKey = JSON.stringify(field === undefined ? null : item[field]);
    const target = items.find((other) => isPlainL4(other) && peerFieldOf(other) === field
      && JSON.stringify(field === undefined ? null : other[field]) === peerKey
      && JSON.stringify(other.authentication) === JSON.stringify(item.authentication));
    if (target) {
      const ports = sortPorts([...(target.toPorts ?? []), ...(item.toPorts ?? [])].flatMap((r) => [...(r.ports ?? [])]));
      items[items.indexOf(target)] = { ...target, toPorts: chunk(ports, MAX_PER_LIST).map((chunkPorts) => ({ ports: chunkPorts })) };
      return;
    }
  }
  if (!items.some((other) => JSON.stringify(other) === JSON.stringify(item))) items.push(item);
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
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = valueKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** `JSON.stringify` of a value, computed once per object (merging peers re-dedupes the growing list on every merge). */
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
