/**
 * The outside addresses of the IP family a defaulted judging leaves out, judged for a note. With the families defaulted
 * (IPv4 only: neither `--ip-families` nor a capture tells them) and a rule naming a `/0`, the world classes are of IPv4
 * only, while a dual-stack cluster has an IPv6 world too, which items of every family decide (the world entity, `all`, an
 * item without a peer, a `cidrGroupSelector` of no group label, a `0.0.0.0/0` the agent reads as the world of every
 * family: before 1.15, without `except`; not on 1.17-1.18, whose CIDRRuleSlice.GetAsEndpointSelectors maps it to
 * reserved:world-ipv4 when dual-stack). So both sides are judged again, as `--ip-families dual` judges them, for the
 * world classes of that family alone (`world (IPv6)` and a class per IPv6 CIDR the rules name): where their verdicts
 * differ between base and head the diff notes the connections it does not show, with the direction they took
 * (`--fail-on` counts them so); where they do not, a change of such items changed nothing there and no note is raised.
 */
import { familiesOf } from '../engine/identity';
import { PolicySet } from '../engine/policy-set';
import { IpFamilies } from '../engine/policy-set-options';
import { ConnectionVerdict, ConnectivityDiffDocument, EndpointClassKind } from '../model/connectivity-document';
import { ClassifiedEndpoint, worldClassesOf } from './endpoint-classes';

/** The connections to or from the outside addresses of the family left out whose verdicts differ between base and head. */
export interface OtherFamilyWorld {
  /** The other family's world (`world (IPv6)`), judged with a class per CIDR of that family the rules name. */
  readonly world: string;
  /** Connections newly allowed there (or whose L7 rules may let more through). */
  readonly allowed: number;
  /** Connections newly denied there (or whose L7 rules may refuse more). */
  readonly denied: number;
  /** The first few, as `+ prod/app=web → world (IPv6) 443/TCP`. */
  readonly examples: readonly string[];
}

/**
 * How the diff judges two sets for some classes, only the pairs with an end among `ends` (class ids), within the diff's
 * limits (the diff's own `diffPolicySets`: this file stands beside it).
 */
export type DiffOfClasses = (base: PolicySet, head: PolicySet, classes: readonly ClassifiedEndpoint[],
  ends: ReadonlySet<string>) => ConnectivityDiffDocument;

/** The most connections a note shows. */
const EXAMPLES = 3;

/**
 * The changes of the other family's world, when the sets are judged for one family by default and a rule names a `/0`
 * (otherwise the one `world` class stands for the outside addresses of every family, and the diff shows them); `undefined`
 * when nothing differs there.
 * @param judgedClasses the classes the diff judged (with a `world` class, no rule names a /0: nothing is left out)
 * @param diff the diff, for the two sets judged dual-stack and the classes given
 */
export function otherFamilyWorld(base: PolicySet, head: PolicySet, judgedClasses: readonly ClassifiedEndpoint[],
  diff: DiffOfClasses): OtherFamilyWorld | undefined {
  const config = base._engineConfig;
  // One `world` class (no rule names a /0) stands for the outside addresses of every family: the diff judged them.
  if (config.ipFamiliesDefaulted !== true || judgedClasses.some((c) => c.cls.id === 'world')) return undefined;
  const judged = familiesOf(config.ipFamilies);
  if (judged.length !== 1) return undefined;
  const other = judged[0] === 4 ? 6 : 4;
  const world = `world (IPv${other})`;
  const [dualBase, dualHead] = [base._withIpFamilies(IpFamilies.DUAL), head._withIpFamilies(IpFamilies.DUAL)];
  // The other family's world classes (its free world address and a class per CIDR of that family the rules name), judged
  // beside the cluster's own classes: the judged classes less their world and FQDN classes (which the judged diff holds;
  // the pods, nodes and entities are worked out from selectors and entity names, which the IP families do not change), in
  // the order `endpointClasses` gives (pods, world and CIDRs, host and entities). None when no rule names a /0.
  const worldClasses = worldClassesOf([dualBase, dualHead], [other]);
  if (worldClasses.length === 0) return undefined;
  const outside = (c: ClassifiedEndpoint): boolean => c.cls.kind === EndpointClassKind.WORLD || c.cls.kind === EndpointClassKind.FQDN;
  const inner = (c: ClassifiedEndpoint): boolean => c.cls.kind === EndpointClassKind.POD || c.cls.kind === EndpointClassKind.OTHER_POD;
  const pods = judgedClasses.filter(inner);
  const classes = [...pods, ...worldClasses, ...judgedClasses.filter((c) => !inner(c) && !outside(c))];
  const worlds = new Set(worldClasses.map((c) => c.cls.id));
  // Only the pairs to or from those classes are judged (the others are the judged diff's), within the diff's limits.
  const changes = diff(dualBase, dualHead, classes, worlds).changes;
  if (changes.length === 0) return undefined;
  const allows = (c: typeof changes[number]): boolean => (c.before === c.after ? c.l7MayAllow !== false : c.after === ConnectionVerdict.ALLOWED);
  const denies = (c: typeof changes[number]): boolean => (c.before === c.after ? c.l7MayDeny !== false : c.before === ConnectionVerdict.ALLOWED);
  return {
    world,
    allowed: changes.filter(allows).length,
    denied: changes.filter(denies).length,
    examples: changes.slice(0, EXAMPLES).map((c) => `${c.before === c.after ? '~' : c.after === ConnectionVerdict.ALLOWED ? '+' : '-'} `
      + `${c.from} → ${c.to} ${c.ports.join(', ')}`),
  };
}
