/**
 * The pairs (client, `fqdn:` class) a diff judges, and the ones it takes from a pair judged alike. The decision on an FQDN
 * class is the client's egress decision alone (the name is outside the cluster), which reads the client's egress
 * direction policy, the peer (every `fqdn:` class is at the same world address: only its name differs) and whether the
 * client's DNS proxy learns the name (its lookup at the DNS server, `PolicySet._dnsLookup`). So:
 *
 * - clients with the same egress direction policies on both sides (the same objects: the same rules, so the same
 *   explanations) and the same two sides of their lookup on both sides (so the same learning of every name) get the same
 *   decisions and explanations on every FQDN class, up to their names: one client per such group is judged
 *   (`clientKey`);
 * - for that client, the FQDN classes that its `toFQDNs` items select alike and whose names it learns alike on each
 *   side get the same decisions: one class per such group is judged (`peerGroups`); when it changes, the classes are
 *   also split by what the explanation names (the first pattern of each item that matches a name not learned), and
 *   one class per part is judged.
 */
import type { CompiledItem } from '../engine/compile';
import type { DirectionPolicy } from '../engine/direction-policy';
import { EndpointKind } from '../engine/endpoint';
import type { SideOutcome } from '../engine/evaluate';
import type { PolicySet } from '../engine/policy-set';
import type { ClassifiedEndpoint } from './endpoint-classes';
import { stable } from './rule-content';

/** A client's egress direction policies on base and head (`undefined` where policy does not apply). */
export type EgressPair = readonly [DirectionPolicy | undefined, DirectionPolicy | undefined];

/** How the pairs of clients and FQDN classes of a diff are grouped (see the file comment). */
export class FqdnGroups {
  private readonly dpIds = new Map<DirectionPolicy, number>();
  /** Per `toFQDNs` item, the index of its first matcher that matches each FQDN class's name (-1: none). */
  private readonly firstMatches = new WeakMap<CompiledItem, Int32Array>();
  /** The DNS name of each FQDN class. */
  private readonly names: readonly string[];

  /**
   * @param sets base and head
   * @param classes the classes of the diff
   * @param fqdn the indexes of the FQDN classes in `classes`
   */
  public constructor(private readonly sets: readonly [PolicySet, PolicySet], private readonly classes: readonly ClassifiedEndpoint[],
    private readonly fqdn: readonly number[]) {
    this.names = fqdn.map((f) => classes[f].endpoint.name ?? '');
  }

  /**
   * A key equal for clients whose pairs with every FQDN class get the same decisions and explanations on both sides (up
   * to the clients' names); `undefined` for a client that shares its judging with no other (a node, or a node as the
   * DNS server: its view depends on the other end).
   */
  public clientKey(a: number, egress: EgressPair): string | undefined {
    const client = this.classes[a].endpoint;
    if (client.kind === EndpointKind.NODE || this.sets.some((s) => s._dnsServer.kind === EndpointKind.NODE)) return undefined;
    const lookups = this.sets.map((s) => s._dnsLookup(client)).map((l) => `${outcomeKey(l.egress)}/${outcomeKey(l.ingress)}`);
    return `${this.dpId(egress[0])}|${this.dpId(egress[1])}|${lookups.join('|')}`;
  }

  /**
   * The FQDN classes (indexes in `classes`) grouped so that the client's egress decides every class of a group alike on
   * both sides (`decided`), each split into the classes it also explains alike (`explained`: an item's pattern that
   * matches a name the client does not learn is named by the explanation), in the order of their first class.
   */
  public peerGroups(a: number, egress: EgressPair): { readonly explained: number[][] }[] {
    const client = this.classes[a].endpoint;
    const lookups = this.sets.map((s) => s._dnsLookup(client));
    const items = egress.map((dp) => (dp ? [...dp.allow, ...dp.deny].filter((i) => i.peer.kind === 'fqdns').map((i) => this.firstMatch(i)) : []));
    const groups = new Map<string, Map<string, number[]>>();
    for (let k = 0; k < this.fqdn.length; k++) {
      let decided = '';
      let explained = '';
      for (const side of [0, 1] as const) {
        const learns = lookups[side].learns(this.names[k]);
        decided += learns ? 'L' : 'N';
        // Learned: whether an item selects it decides; not learned: no item selects it, and the explanation names the
        // first pattern of each item that matches it.
        for (const m of items[side]) {
          if (learns) decided += `,${m[k] >= 0 ? 1 : 0}`;
          else explained += `,${m[k]}`;
        }
        decided += '|';
        explained += '|';
      }
      let byExplanation = groups.get(decided);
      if (!byExplanation) {
        byExplanation = new Map();
        groups.set(decided, byExplanation);
      }
      const g = byExplanation.get(explained);
      if (g) g.push(this.fqdn[k]);
      else byExplanation.set(explained, [this.fqdn[k]]);
    }
    return [...groups.values()].map((byExplanation) => ({ explained: [...byExplanation.values()] }));
  }

  private dpId(dp: DirectionPolicy | undefined): number {
    if (!dp) return -1;
    let id = this.dpIds.get(dp);
    if (id === undefined) {
      id = this.dpIds.size;
      this.dpIds.set(dp, id);
    }
    return id;
  }

  private firstMatch(item: CompiledItem): Int32Array {
    let m = this.firstMatches.get(item);
    if (!m) {
      const matchers = item.peer.kind === 'fqdns' ? item.peer.matchers : [];
      m = Int32Array.from(this.names, (name) => matchers.findIndex((x) => x.matches(name)));
      this.firstMatches.set(item, m);
    }
    return m;
  }
}

/** Everything of a side's outcome that the learning of a name reads (`dnsLearnable`). */
function outcomeKey(o: SideOutcome): string {
  return `${o.decision}|${o.allowed ? 1 : 0}|${o.dnsProxied === true ? 1 : 0}|${o.l7Rules ? stable(o.l7Rules.map((e) => e.pr?.rules ?? null)) : ''}`;
}
