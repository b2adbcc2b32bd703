/**
 * Where the restriction the engine does not evaluate of an allow (`SideVerdict.unevaluatedRestriction`: TLS server names,
 * TLS interception, an Envoy listener) changes between base and head on a connection allowed on both sides, though no item
 * that carries one changed: a plain allow beside an item with `serverNames` lifts its SNI list only when the agent keeps
 * its selector apart (pkg/policy/rule.go `mergePortProto` merges one cached selector's policies on a port, SNIs
 * included), so removing such a sibling narrows (Envoy now refuses every other SNI) and adding one widens. The verdicts
 * stay `allowed` on both sides, so the diff lists no change: the connections are counted here, for a note that
 * `--fail-on` counts as what they may be (a restriction gained: `denied`; lost: `allowed`).
 */
import { envoyRestricts } from '../engine/evaluate';
import type { DirectionPolicy } from '../engine/direction-policy';
import { PolicySet } from '../engine/policy-set';
import type { CompiledPort } from '../engine/ports';
import { SideVerdict, Verdict, VerdictQuery } from '../engine/verdict';
import { ClassifiedEndpoint } from './endpoint-classes';
import { PortSegment } from './port-segments';

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

/**
 * The ports of the allow items' port rules that `envoyRestricts` in a direction policy, computed once per policy: the diff
 * asks for them per changed pair of classes, and a policy is shared by the pairs of its class.
 */
const restrictedPortsByPolicy = new WeakMap<DirectionPolicy, readonly CompiledPort[]>();

function restrictedPorts(dp: DirectionPolicy): readonly CompiledPort[] {
  let ports = restrictedPortsByPolicy.get(dp);
  if (ports === undefined) {
    ports = dp.allow.flatMap((item) => (item.l4.kind !== 'ports' ? [] : item.l4.portRules.filter(envoyRestricts).flatMap((pr) => pr.ports)));
    restrictedPortsByPolicy.set(dp, ports);
  }
  return ports;
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

/** Compares the restrictions of the verdicts of base and head on each pair's segments; `undefined` when none changed. */
export function restrictionChanges(base: PolicySet, head: PolicySet, pairs: Iterable<RestrictionPair>,
  query: (from: ClassifiedEndpoint, to: ClassifiedEndpoint, seg: PortSegment) => VerdictQuery): RestrictionChanges | undefined {
  let gained = 0;
  let lost = 0;
  const examples: string[] = [];
  for (const pair of pairs) {
    for (const seg of pair.segments) {
      const q = query(pair.from, pair.to, seg);
      const before = base.verdict(q);
      if (before.verdict !== 'allowed') continue;
      const after = head.verdict(q);
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
    const [rb, ra] = [b.unevaluatedRestriction, a.unevaluatedRestriction];
    if (rb === ra) continue;
    if (ra !== undefined) gained = true;
    if (rb !== undefined) lost = true;
  }
  return gained || lost ? { gained, lost } : undefined;
}
