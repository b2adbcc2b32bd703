/**
 * The outside addresses as a dual-stack cluster labels them, judged for a note when the IP families are defaulted (IPv4
 * only: neither `--ip-families` nor a capture tells them), for two reasons.
 *
 * The other family's world: with a rule naming a `/0`, the world classes are of IPv4 only, while a dual-stack cluster has
 * an IPv6 world too, which items of every family decide (the world entity, `all`, an item without a peer, a
 * `cidrGroupSelector` of no group label, a `0.0.0.0/0` the agent reads as the world of every family: before 1.15, without
 * `except`; not on 1.17-1.18, whose CIDRRuleSlice.GetAsEndpointSelectors maps it to reserved:world-ipv4 when dual-stack).
 *
 * The judged family's world (session 50 review): from Cilium 1.15 a single-stack agent labels an outside address
 * `reserved:world`, a dual-stack one `reserved:world-ipv4` or `reserved:world-ipv6` (pkg/labels/cidr.go `AddWorldLabel`:
 * `worldLabelNonDualStack` when `!option.Config.IsDualStack()`, else `worldLabelV4`/`worldLabelV6`; the engine's
 * `worldLabel`), so a selector of `reserved:world` (or of `world-ipv4`, or a 1.17-1.18 `0.0.0.0/0`) selects the IPv4 world
 * of one and not of the other: `toEndpoints: [{ matchLabels: { reserved:world: "" } }]` → `toCIDR: [0.0.0.0/0]` changes
 * nothing single-stack and newly allows `world (IPv4)` dual-stack.
 *
 * So both sides are judged again, as `--ip-families dual` judges them, for the world classes of both families (the pairs
 * to or from them only): the other family's changes are noted; the judged family's, where the judged diff does not show
 * the same change (same pair, ports, verdicts and L7 rules), are noted apart. Where nothing differs, no note is raised.
 */
import { familiesOf } from '../engine/identity';
import { PolicySet } from '../engine/policy-set';
import { IpFamilies } from '../engine/policy-set-options';
import { ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, EndpointClassKind } from '../model/connectivity-document';
import { parseIp } from '../model/cidr';
import { ClassifiedEndpoint, worldClassesOf } from './endpoint-classes';

/** The connections to or from the outside addresses of one family, judged dual-stack, whose verdicts differ between base and head. */
export interface OtherFamilyWorld {
  /** The world classes judged (`world (IPv6)`; for the judged family, `world (IPv4)` or `world`), with a class per CIDR of that family the rules name. */
  readonly world: string;
  /**
   * Whether these are the outside addresses of the family the diff judged (shown by the diff as a single-stack cluster
   * labels them, `reserved:world`), whose dual-stack verdicts (`reserved:world-ipv4`) differ from what the diff shows.
   */
  readonly judgedFamily: boolean;
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
 * The changes of the outside addresses judged dual-stack that the diff does not show, when the sets are judged for one
 * family by default: the other family's (a rule names a `/0`), and the judged family's that differ from the judged
 * changes; none when nothing differs there.
 * @param judgedClasses the classes the diff judged
 * @param judgedChanges the changes the diff found (those of the judged family's world are compared with their dual-stack reading)
 * @param diff the diff, for the two sets judged dual-stack and the classes given
 */
export function otherFamilyWorld(base: PolicySet, head: PolicySet, judgedClasses: readonly ClassifiedEndpoint[],
  judgedChanges: readonly ConnectivityChange[], diff: DiffOfClasses): OtherFamilyWorld[] {
  const config = base._engineConfig;
  if (config.ipFamiliesDefaulted !== true) return [];
  const judged = familiesOf(config.ipFamilies);
  if (judged.length !== 1) return [];
  const other = judged[0] === 4 ? 6 : 4;
  const [dualBase, dualHead] = [base._withIpFamilies(IpFamilies.DUAL), head._withIpFamilies(IpFamilies.DUAL)];
  // The other family's world classes (its free world address and a class per CIDR of that family the rules name; none
  // when no rule names a /0), and the judged
  // family's outside classes as the diff judged them (its world, CIDR and FQDN classes: those the caller gave, when it gave
  // the classes), judged beside the cluster's own classes (the pods, nodes and entities are worked out from selectors and
  // entity names, which the IP families do not change), in the order `endpointClasses` gives (pods, world and CIDRs,
  // FQDNs, host and entities).
  const ofOtherFamily = (c: ClassifiedEndpoint): boolean => c.endpoint.ip !== undefined && parseIp(c.endpoint.ip)?.family === other;
  const otherFamilyClasses = worldClassesOf([dualBase, dualHead], [other]);
  // No rule names a /0 (the one `world` class): the judged diff's `world` stands for the outside addresses of every family,
  // and a CIDR of the other family is the judged diff's own note (`comparison-limits.ts`, rules naming addresses of a
  // family the cluster is judged without).
  const otherWorld = otherFamilyClasses.some((c) => c.cls.id === 'world') ? [] : otherFamilyClasses.filter(ofOtherFamily);
  const outside = (c: ClassifiedEndpoint): boolean => c.cls.kind === EndpointClassKind.WORLD || c.cls.kind === EndpointClassKind.FQDN;
  const inner = (c: ClassifiedEndpoint): boolean => c.cls.kind === EndpointClassKind.POD || c.cls.kind === EndpointClassKind.OTHER_POD;
  const judgedWorld = judgedClasses.filter((c) => c.cls.kind === EndpointClassKind.WORLD);
  const judgedFqdn = judgedClasses.filter((c) => c.cls.kind === EndpointClassKind.FQDN);
  const ends = [...judgedWorld, ...otherWorld, ...judgedFqdn];
  if (ends.length === 0) return [];
  const classes = [...judgedClasses.filter(inner), ...ends, ...judgedClasses.filter((c) => !inner(c) && !outside(c))];
  const ofOther = new Set(otherWorld.map((c) => c.cls.id));
  const endIds = new Set(ends.map((c) => c.cls.id));
  // Only the pairs to or from those classes are judged (the others are the judged diff's), within the diff's limits.
  const changes = diff(dualBase, dualHead, classes, endIds).changes;
  const otherChanges = changes.filter((c) => ofOther.has(c.from) || ofOther.has(c.to));
  // The judged family's: a change the judged diff shows alike (pair, port, verdicts, L7 rules) is no news.
  const shown = new Set(judgedChanges.flatMap(portKeys));
  const judgedDiffer = changes.filter((c) => !ofOther.has(c.from) && !ofOther.has(c.to) && portKeys(c).some((k) => !shown.has(k)));
  // By the set of the ends' ids, not each id against every end: a rule of n CIDRs makes n ends and up to n changes.
  const worlds = (ids: readonly string[]): string => [...new Set(ids)].filter((id) => endIds.has(id)).join(', ');
  const out: OtherFamilyWorld[] = [];
  if (otherChanges.length > 0) out.push(summary(`world (IPv${other})`, false, otherChanges));
  if (judgedDiffer.length > 0) out.push(summary(worlds(judgedDiffer.flatMap((c) => [c.from, c.to])), true, judgedDiffer));
  return out;
}

/** A change as keys per port (from, to, port, verdicts, L7 rules): what two readings of the same pair are compared by. */
function portKeys(c: ConnectivityChange): string[] {
  return c.ports.map((p) => JSON.stringify([c.from, c.to, p, c.before, c.after, c.l7 ?? null, c.l7Before ?? null]));
}

/** Changes counted by the direction they took, with the first few as examples. */
function summary(world: string, judgedFamily: boolean, changes: readonly ConnectivityChange[]): OtherFamilyWorld {
  const allows = (c: ConnectivityChange): boolean => (c.before === c.after ? c.l7MayAllow !== false : c.after === ConnectionVerdict.ALLOWED);
  const denies = (c: ConnectivityChange): boolean => (c.before === c.after ? c.l7MayDeny !== false : c.before === ConnectionVerdict.ALLOWED);
  return {
    world,
    judgedFamily,
    allowed: changes.filter(allows).length,
    denied: changes.filter(denies).length,
    examples: changes.slice(0, EXAMPLES).map((c) => `${c.before === c.after ? '~' : c.after === ConnectionVerdict.ALLOWED ? '+' : '-'} `
      + `${c.from} → ${c.to} ${c.ports.join(', ')}`),
  };
}
