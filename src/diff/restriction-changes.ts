/**
 * Where the restriction the engine does not evaluate of an allow (`SideVerdict.unevaluatedRestriction`: TLS server names,
 * TLS interception, an Envoy listener) changes between base and head on a connection allowed on both sides, though no item
 * that carries one changed: a plain allow beside an item with `serverNames` lifts its SNI list only when the agent keeps
 * its selector apart (pkg/policy/rule.go `mergePortProto` merges one cached selector's policies on a port, SNIs
 * included), so removing such a sibling narrows (Envoy now refuses every other SNI) and adding one widens. The verdicts
 * stay `allowed` on both sides, so the diff lists no change: the connections are counted here, for a note that
 * `--fail-on` counts as what they may be (a restriction gained: `denied`; lost: `allowed`).
 */
import { envoyRestricts, restrictionKey } from '../engine/evaluate';
import type { CompiledItem } from '../engine/compile';
import type { DirectionPolicy } from '../engine/direction-policy';
import { PolicySet } from '../engine/policy-set';
import type { CompiledPort } from '../engine/ports';
import { SideVerdict, Verdict, VerdictQuery } from '../engine/verdict';
import { ClassifiedEndpoint } from './endpoint-classes';
import { PortSegment } from './port-segments';
import { pushAll } from '../model/push-all';

/** A pair of classes to compare, on the segments that a port rule with a restriction may cover. */
export interface RestrictionPair {
  readonly from: ClassifiedEndpoint;
  readonly to: ClassifiedEndpoint;
  readonly segments: readonly PortSegment[];
}

/** The connections whose unevaluated restriction changed, allowed on both sides. */
export interface RestrictionChanges {
  /** Connections (pair and segment) that gained one on a side: the proxy may now refuse them. */
  readonly gained: number;
  /** Connections that lost one on a side: the proxy may now let through what it refused. */
  readonly lost: number;
  /** The first few, as `from → to ports: restricted in head, not in base`. */
  readonly examples: readonly string[];
}

/** The allow items of a direction policy with a port rule that `envoyRestricts`, and the ports of those port rules. */
interface Restricting {
  readonly items: readonly CompiledItem[];
  readonly ports: readonly CompiledPort[];
}

/**
 * The allow items (and their ports) that `envoyRestricts` in a direction policy, computed once per policy: the diff asks
 * for them per class and per changed pair of classes, and a policy is shared by the pairs of its class.
 */
const restrictingByPolicy = new WeakMap<DirectionPolicy, Restricting>();

function restricting(dp: DirectionPolicy): Restricting {
  let r = restrictingByPolicy.get(dp);
  if (r === undefined) {
    const items: CompiledItem[] = [];
    const ports: CompiledPort[] = [];
    for (const item of dp.allow) {
      if (item.l4.kind !== 'ports') continue;
      const restricted = item.l4.portRules.filter(envoyRestricts);
      if (restricted.length === 0) continue;
      items.push(item);
      for (const pr of restricted) pushAll(ports, pr.ports);
    }
    r = { items, ports };
    restrictingByPolicy.set(dp, r);
  }
  return r;
}

function restrictedPorts(dp: DirectionPolicy): readonly CompiledPort[] {
  return restricting(dp).ports;
}

/** Whether a direction policy has an allow item with a port rule that `envoyRestricts` (and ports: a port rule has some). */
export function restrictsSomePort(dp: DirectionPolicy | undefined): boolean {
  return dp !== undefined && restrictedPorts(dp).length > 0;
}

/**
 * The segments of `segments` that a port rule with a restriction in one of `dps` may cover (ICMP never: no proxy; a named
 * port or all ports: every TCP, UDP and SCTP segment, as what the name resolves to is not read here).
 */
export function restrictedSegments(segments: readonly PortSegment[], dps: readonly (DirectionPolicy | undefined)[]): PortSegment[] {
  const ports = dps.flatMap((dp) => (dp === undefined ? [] : restrictedPorts(dp)));
  if (ports.length === 0) return [];
  return segments.filter((seg) => seg.protocol !== 'ICMP' && ports.some((p) => p.kind === 'named' || p.kind === 'all'
    || (p.kind === 'range' && p.protocols.includes(seg.protocol) && p.lo <= seg.hi && p.hi >= seg.lo)));
}

/** The direction policies of each class in base and head (index 0, 1), per direction, as the diff resolved them. */
export interface RestrictionPolicies {
  readonly egress: readonly [readonly (DirectionPolicy | undefined)[], readonly (DirectionPolicy | undefined)[]];
  readonly ingress: readonly [readonly (DirectionPolicy | undefined)[], readonly (DirectionPolicy | undefined)[]];
}

/**
 * The pairs of classes (client, server) whose verdict may carry an unevaluated restriction on base or head, found per class
 * and direction from the selector caches, not per pair: a side's `unevaluatedRestriction` comes only from a matching allow
 * entry that `envoyRestricts` (`evaluate.ts` `unevaluatedRestrictionOf`), so on the egress side only a server that a
 * restricted egress item of the client (base or head) selects can have one, on the ingress side only a client that a
 * restricted ingress item of the server selects. The classes each such item selects are the selector cache's
 * (`PeerMatches.selects`, the engine's own peer decision, `itemSelectsPeer`), once per distinct pair of policies; a class
 * whose view as a peer depends on the other end or on the client's DNS learning (`open`: a node, an FQDN class) counts as
 * selected by every restricted item. A superset (the port is not read: `restrictedSegments` and the verdicts decide):
 * the pairs outside it carry no restriction on either side, so none can be gained or lost there. Ascending by client, then
 * server (the order of the examples), each pair as `client * n + server`.
 * A pair is kept only where the side whose restricted item selects it may decide otherwise in head (`mayDiffer`: its
 * rules, or what the side reads of its ends, differ): elsewhere that side's restriction is the same on both sides.
 * @param selects the classes an allow item of a side's direction policy selects as peers (1 at their index)
 * @param open 1 for a class that every restricted item is taken to select
 * @param mayDiffer whether a direction's side of the pair (client, server) may differ between base and head
 */
export function restrictionCandidates(policies: RestrictionPolicies, open: Uint8Array,
  selects: (side: 0 | 1, item: CompiledItem, dp: DirectionPolicy) => Uint8Array,
  mayDiffer: (direction: 'egress' | 'ingress', client: number, server: number) => boolean): Float64Array {
  const n = open.length;
  // Per distinct pair of direction policies (base, head), the classes their restricted items select, ascending.
  const ids = new Map<DirectionPolicy, number>();
  const idOf = (dp: DirectionPolicy | undefined): number => {
    if (dp === undefined) return 0;
    let id = ids.get(dp);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(dp, id);
    }
    return id;
  };
  const selected = new Map<string, readonly number[]>();
  const peersOf = (base: DirectionPolicy | undefined, head: DirectionPolicy | undefined): readonly number[] => {
    const key = `${idOf(base)}/${idOf(head)}`;
    let peers = selected.get(key);
    if (peers === undefined) {
      const bits = new Uint8Array(n);
      let any = false;
      ([base, head] as const).forEach((dp, side) => {
        if (dp === undefined) return;
        for (const item of restricting(dp).items) {
          any = true;
          const hits = selects(side as 0 | 1, item, dp);
          for (let i = 0; i < n; i++) bits[i] |= hits[i];
        }
      });
      const out: number[] = [];
      if (any) for (let i = 0; i < n; i++) if (bits[i] === 1 || open[i] === 1) out.push(i);
      peers = out;
      selected.set(key, peers);
    }
    return peers;
  };
  const codes: number[] = [];
  for (let c = 0; c < n; c++) {
    for (const server of peersOf(policies.egress[0][c], policies.egress[1][c])) if (mayDiffer('egress', c, server)) codes.push(c * n + server);
    for (const client of peersOf(policies.ingress[0][c], policies.ingress[1][c])) if (mayDiffer('ingress', client, c)) codes.push(client * n + c);
  }
  const sorted = Float64Array.from(codes).sort();
  let kept = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[kept++] = sorted[k];
  return sorted.subarray(0, kept);
}

/** Compares the restrictions of the verdicts of base and head on each pair's segments; `undefined` when none changed. */
export function restrictionChanges(base: PolicySet, head: PolicySet, pairs: Iterable<RestrictionPair>,
  query: (from: ClassifiedEndpoint, to: ClassifiedEndpoint, seg: PortSegment) => VerdictQuery): RestrictionChanges | undefined {
  let gained = 0;
  let lost = 0;
  const examples: string[] = [];
  for (const pair of pairs) {
    for (const seg of pair.segments) {
      const q = query(pair.from, pair.to, seg);
      const before = base._verdict(q);
      if (before.verdict !== 'allowed') continue;
      const after = head._verdict(q);
      if (after.verdict !== 'allowed') continue;
      const change = sidesChange(before, after);
      if (change === undefined) continue;
      if (change.gained) gained++;
      if (change.lost) lost++;
      if (examples.length < 3) {
        const ports = `${seg.lo}${seg.hi !== seg.lo ? `-${seg.hi}` : ''}/${seg.protocol}`;
        const what = change.gained && change.lost ? 'restricted otherwise in head' : change.gained ? 'restricted in head, not in base' : 'restricted in base, not in head';
        examples.push(`${pair.from.cls.name} → ${pair.to.cls.name} ${ports}: ${what}`);
      }
    }
  }
  return gained + lost === 0 ? undefined : { gained, lost, examples };
}

/** Whether a side of the connection gained or lost a restriction (another restriction in its place: both). */
function sidesChange(before: Verdict, after: Verdict): { gained: boolean; lost: boolean } | undefined {
  let gained = false;
  let lost = false;
  const sides: readonly (readonly [SideVerdict, SideVerdict])[] = [[before.egress, after.egress], [before.ingress, after.ingress]];
  for (const [b, a] of sides) {
    // By what is restricted (the data: SNI set, TLS contexts, listener), not by the rule that restricts it nor by its text
    // (`restrictionKey`: a renamed policy restricts alike; another listener or Secret does not).
    const [rb, ra] = [restrictionKey(b.unevaluatedRestrictions), restrictionKey(a.unevaluatedRestrictions)];
    if (rb === ra) continue;
    if (ra !== undefined) gained = true;
    if (rb !== undefined) lost = true;
  }
  return gained || lost ? { gained, lost } : undefined;
}
