/**
 * The port space of a connectivity diff, split where a rule may change its mind: at every port and range boundary the
 * items of either side name (per protocol), at the named container ports of the destination, and per ICMP type named
 * (with one segment for every other type). Each segment is judged once, at its first port.
 */
import { maskedBlocks } from '../engine/authentication';
import type { CompiledItem } from '../engine/compile';
import type { DirectionPolicy } from '../engine/direction-policy';
import { NamedPort } from '../engine/endpoint';
import { icmpFamilyCarried } from '../engine/l4-query';
import { pushAll } from '../model/push-all';

/** The transport protocols, in output order. */
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** One segment of the port space: a port range of a protocol, or an ICMP type (or every other type). */
export interface PortSegment {
  /** `TCP`, `UDP`, `SCTP` or `ICMP`. */
  readonly protocol: string;
  /** First port (ICMP: the type judged). */
  readonly lo: number;
  /** Last port (ICMP: the same type). */
  readonly hi: number;
  /** ICMP family. */
  readonly icmpFamily: 'IPv4' | 'IPv6';
  /** ICMP: the segment stands for every type no rule names. */
  readonly otherTypes: boolean;
  /** Position in the segment list (adjacent segments of one protocol have consecutive positions). */
  readonly order: number;
}

/** The boundaries the items of some direction policies name. */
export class PortBoundaries {
  private readonly cuts: Record<string, Set<number>> = { TCP: new Set(), UDP: new Set(), SCTP: new Set(), IPv4: new Set(), IPv6: new Set() };
  /** Whether some item names a port by name (resolved on the destination). */
  public named = false;
  /** The port ranges of allow items with L7 rules (`all` for a named port: resolved per destination). */
  private readonly l7Ranges: { protocols: readonly string[]; lo: number; hi: number }[] = [];

  /**
   * Adds the boundaries of the items of a direction policy (allow and deny). When an allow item requires authentication,
   * also those of the masked blocks of its port ranges: the policy map entry that decides the mode, the most specific one,
   * can change there (`authRequirement`).
   */
  public addPolicy(dp: DirectionPolicy | undefined): this {
    if (!dp) return this;
    const auth = dp.allow.some((item) => item.authentication !== undefined);
    for (const item of dp.allow) this.addItem(item, auth);
    for (const item of dp.deny) this.addItem(item, false);
    return this;
  }

  /** Adds another set of boundaries. */
  public addAll(other: PortBoundaries): this {
    for (const [k, set] of Object.entries(other.cuts)) for (const v of set) this.cuts[k].add(v);
    this.named ||= other.named;
    pushAll(this.l7Ranges, other.l7Ranges);
    return this;
  }

  /** A text that is equal for boundaries that give the same segments and L7 coverage. */
  public key(): string {
    const cuts = Object.entries(this.cuts).map(([k, set]) => `${k}:${[...set].sort((a, b) => a - b).join(',')}`).join(';');
    return `${cuts}|${this.l7Ranges.map((r) => `${r.protocols.join('/')}:${r.lo}-${r.hi}`).sort().join(',')}`;
  }

  /** Adds the container ports of a destination (for named ports). */
  public addNamedPorts(ports: readonly NamedPort[]): this {
    for (const p of ports) {
      const set = this.cuts[(p.protocol ?? 'TCP').toUpperCase()];
      if (set) {
        set.add(p.port);
        set.add(p.port + 1);
      }
    }
    return this;
  }

  /** Whether an allow item with L7 rules may cover a segment (its L7 rules then need a verdict to be read). */
  public l7At(seg: PortSegment): boolean {
    if (seg.protocol === 'ICMP') return false;
    return this.l7Ranges.some((r) => r.protocols.includes(seg.protocol) && r.lo <= seg.hi && r.hi >= seg.lo);
  }

  /** The segments, in order: TCP, UDP, SCTP ranges, then ICMP and ICMPv6 types. */
  public segments(): PortSegment[] {
    const out: PortSegment[] = [];
    for (const protocol of PROTOCOLS) {
      const cuts = [...this.cuts[protocol]].filter((p) => p > 1 && p <= 65535).sort((a, b) => a - b);
      let lo = 1;
      for (const c of [...cuts, 65536]) {
        out.push({ protocol, lo, hi: c - 1, icmpFamily: 'IPv4', otherTypes: false, order: out.length });
        lo = c;
      }
    }
    for (const family of ['IPv4', 'IPv6'] as const) {
      const types = [...this.cuts[family]].sort((a, b) => a - b);
      for (const t of types) out.push({ protocol: 'ICMP', lo: t, hi: t, icmpFamily: family, otherTypes: false, order: out.length });
      let other = family === 'IPv4' ? 8 : 128;
      if (types.includes(other)) for (other = 0; types.includes(other); other++);
      if (other <= 255) out.push({ protocol: 'ICMP', lo: other, hi: other, icmpFamily: family, otherTypes: true, order: out.length });
    }
    return out;
  }

  private addItem(item: CompiledItem, auth: boolean): void {
    const l4 = item.l4;
    if (l4.kind !== 'ports') return;
    for (const i of l4.icmps) if (i.type !== undefined) this.cuts[i.family].add(i.type);
    for (const pr of l4.portRules) {
      for (const p of pr.ports) {
        if (pr.rules !== undefined) this.l7Ranges.push(p.kind === 'range' ? p : { protocols: p.protocols, lo: 0, hi: 65535 });
        if (p.kind === 'named') {
          this.named = true;
          // A named port with an endPort covers the resolved number up to endPort (`namedPortEnd`): the range ends there.
          if (p.endPort !== undefined && p.endPort > 0) for (const proto of p.protocols) this.cuts[proto]?.add(Math.min(p.endPort, 65535) + 1);
        }
        if (p.kind !== 'range') continue;
        for (const proto of p.protocols) {
          const set = this.cuts[proto];
          if (!set) continue;
          set.add(p.lo);
          set.add(p.hi + 1);
          if (auth) for (const b of maskedBlocks(p.lo, p.hi)) set.add(b.start);
        }
      }
    }
  }
}

/** Per list of segments, the lists `carriedSegments` made of it, by the families of the ends. */
const carriedLists = new WeakMap<readonly PortSegment[], Map<string, readonly PortSegment[]>>();

/**
 * The segments of a pair that are packets between its ends: without the ICMP segments of a family the address of an end
 * cannot carry (`icmpFamilyCarried`: no packet is ICMPv6 to `8.8.8.1`, and the engine refuses such a query), and without
 * the SCTP segments unless the agent runs with `enable-sctp` (`PolicySetOptions.sctp`: without it the datapath drops SCTP
 * before any policy, so no rule change changes an SCTP connection). The report and the diff judge these only; `any`
 * (`formatPorts`) is then every packet the pair can exchange. The same list when neither end has an address (pods,
 * entities) and SCTP is on, else one list per list, families and SCTP setting, made once.
 * @param from the packet family of the client's address (`packetFamilyOf`), `undefined` without one
 * @param to the packet family of the server's address, `undefined` without one
 * @param sctp whether the agent (of either side, for a diff) runs with `enable-sctp`
 */
export function carriedSegments(segments: readonly PortSegment[], from: 4 | 6 | undefined, to: 4 | 6 | undefined,
  sctp: boolean): readonly PortSegment[] {
  if (from === undefined && to === undefined && sctp) return segments;
  let lists = carriedLists.get(segments);
  if (!lists) {
    lists = new Map();
    carriedLists.set(segments, lists);
  }
  const key = `${from ?? ''}/${to ?? ''}/${sctp ? 1 : 0}`;
  let list = lists.get(key);
  if (!list) {
    list = segments.filter((seg) => (seg.protocol === 'ICMP' ? icmpFamilyCarried(seg.icmpFamily, from, to) : sctp || seg.protocol !== 'SCTP'));
    lists.set(key, list);
  }
  return list;
}

/**
 * The ports of a list of segments, merged: `8080/TCP`, `8000-8999/TCP`, `1-65535/UDP` (every port), `icmp/8`, `icmpv6/128`,
 * `icmp/other` (the types no rule names), `icmp` (every type, when no rule names one); `any` when the list is every
 * segment of `all`.
 */
export function formatPorts(segments: readonly PortSegment[], all: readonly PortSegment[]): string[] {
  if (segments.length === all.length) return ['any'];
  const out: string[] = [];
  const sorted = [...segments].sort((a, b) => a.order - b.order);
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i];
    if (s.protocol === 'ICMP') {
      const prefix = s.icmpFamily === 'IPv6' ? 'icmpv6' : 'icmp';
      const alone = all.filter((x) => x.protocol === 'ICMP' && x.icmpFamily === s.icmpFamily).length === 1;
      out.push(s.otherTypes ? (alone ? prefix : `${prefix}/other`) : `${prefix}/${s.lo}`);
      continue;
    }
    let hi = s.hi;
    while (i + 1 < sorted.length && sorted[i + 1].protocol === s.protocol && sorted[i + 1].order === sorted[i].order + 1) hi = sorted[++i].hi;
    out.push(`${s.lo === hi ? s.lo : `${s.lo}-${hi}`}/${s.protocol}`);
  }
  return mergeAnyProtocol(out, PROTOCOLS.filter((proto) => all.some((x) => x.protocol === proto)));
}

/**
 * `443/TCP`, `443/UDP` and `443/SCTP` as one `443/ANY` (Cilium's word for the three), in the place of the TCP one; where
 * SCTP is no packet (`carriedSegments`: no `enable-sctp`), `443/TCP` and `443/UDP`, every protocol the pair carries, as
 * `any` is every packet it can exchange.
 * @param carried the transport protocols of the pair's segments
 */
function mergeAnyProtocol(ports: readonly string[], carried: readonly string[]): string[] {
  const set = new Set(ports);
  const out: string[] = [];
  for (const p of ports) {
    const m = /^(.*)\/(TCP|UDP|SCTP)$/.exec(p);
    if (!m) {
      out.push(p);
      continue;
    }
    const all = carried.length > 1 && carried.every((proto) => set.has(`${m[1]}/${proto}`));
    if (!all) out.push(p);
    else if (m[2] === 'TCP') out.push(`${m[1]}/ANY`);
  }
  return out;
}
