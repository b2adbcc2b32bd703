// Whether Cilium widens the L7 rules of a direction that no selecting rule puts into default deny (`enableDefaultDeny: false`
// everywhere): a change made on main for 1.18 and backported within 1.16 and 1.17, so on those the patch release decides.
import { CiliumVersion } from './cilium-version';

/**
 * The first patch release of each minor that carries cilium/cilium#38841 ("Add an L7 allow-all rule when EnableDefaultDeny is
 * false"), backported in #39382 [1.16] and #39375 [1.17]; PR #40441: "The fix was backported to v1.17.5 and v1.16.10".
 */
const L7_ALLOW_ALL_BACKPORTS: readonly CiliumVersion[] = [CiliumVersion.parse('1.16.10'), CiliumVersion.parse('1.17.5')];

/**
 * Whether Cilium adds an L7 allow-all to the L7 rules of a direction that no selecting rule puts into default deny
 * (pkg/policy/l4.go `createL4Filter`: "Adding wildcard L7 rules for default-allow policy", `L7Rules.EnsureWildcard`: a DNS
 * rule list gets `matchPattern: "*"`), so they give visibility only: `true` from 1.18 and from 1.16.10 and 1.17.5 (#38841
 * and its backports); `false` before 1.16 (no `enableDefaultDeny`) and on 1.16.0-1.16.9 and 1.17.0-1.17.4, where the DNS
 * proxy (pkg/fqdn/dnsproxy `CheckAllowed`) refuses a name such rules do not list (issue #38676); `undefined` when the target
 * is 1.16 or 1.17 without a patch level: the answer depends on the patch (`DNS_DEFAULT_ALLOW_PATCH_SPLIT`).
 */
export function l7AllowAllWithoutDefaultDeny(version: CiliumVersion): boolean | undefined {
  if (version.atLeast(CiliumVersion.V1_18)) return true;
  const backport = l7AllowAllBackport(version);
  if (backport === undefined) return false;
  return version.patch === undefined ? undefined : version.patch >= (backport.patch as number);
}

/** The first patch release of `version`'s minor that adds the L7 allow-all (1.16.10, 1.17.5); `undefined` for other minors. */
export function l7AllowAllBackport(version: CiliumVersion): CiliumVersion | undefined {
  return L7_ALLOW_ALL_BACKPORTS.find((b) => b.minorRelease === version.minorRelease);
}

/**
 * Where the DNS rules of a direction without default deny restrict on 1.16/1.17 (`l7AllowAllWithoutDefaultDeny`), as words:
 * the one explanation of the patch split, read by the engine (`engine-dns-patch-split`), replay's readiness and the constructs.
 */
export const DNS_DEFAULT_ALLOW_PATCH_SPLIT = `on Cilium ${L7_ALLOW_ALL_BACKPORTS.map((b) => `${b}.0-${b}.${(b.patch as number) - 1}`).join(' and ')} `
  + 'the DNS proxy refuses (REFUSED) every name the DNS rules of a direction without default deny do not list, while from '
  + `${L7_ALLOW_ALL_BACKPORTS.map((b) => b.release).join(' and ')} (cilium/cilium#38841, backported in #39382 and #39375) Cilium adds `
  + '`matchPattern: "*"` to those DNS rules, so they give visibility only';

/**
 * How to have a lookup under `DNS_DEFAULT_ALLOW_PATCH_SPLIT` judged on the target `version` (1.16 or 1.17 without a patch
 * level): for the patch the cluster runs, naming the first patch of that minor that adds the allow-all
 * (`l7AllowAllBackport`: 1.16.10 on 1.16, 1.17.5 on 1.17), or alike on every patch.
 */
export function dnsDefaultAllowPatchFix(version: CiliumVersion): string {
  const example = (l7AllowAllBackport(version) ?? L7_ALLOW_ALL_BACKPORTS[L7_ALLOW_ALL_BACKPORTS.length - 1]).release;
  return `give the patch release the cluster runs (e.g. --cilium-version ${example} or CiliumVersion.parse('${example}')) to judge for that patch; `
    + 'or make every patch alike: list the names in the DNS rules (matchName or matchPattern) to allow them, add `matchPattern: "*"` for '
    + 'visibility only, or enable default deny on egress (enableDefaultDeny.egress true) so the DNS rules refuse the other names';
}

/** What decides whether a direction of an endpoint is in default-allow mode (the engine's `DirectionPolicy` has it). */
export interface DirectionDefaultDeny {
  /** Whether some selecting rule has a non-empty section in this direction. */
  readonly hasRules: boolean;
  /** Whether the endpoint is in default deny in this direction (some selecting rule with rules of it enables it). */
  readonly defaultDeny: boolean;
  /** Whether the endpoint is a `reserved:init` endpoint, or has another label named `init` (always default deny). */
  readonly init: boolean;
}

/**
 * How default-allow mode widens the L7 rules of a direction (`defaultAllowL7`). The one reading of it: `decideSide`,
 * `directionCanDrop` and the DNS patch split (`PolicySet._dnsPatchSplit`) all take it from here.
 */
export interface DefaultAllowL7 {
  /**
   * Every kind of L7 rule gives visibility only: an endpoint that no selecting rule puts into default deny in this direction
   * gets an L7 allow-all added to every allow rule's L7 rules (pkg/policy/l4.go `createL4Filter`, PR #38841: from 1.18, and
   * from 1.16.10 and 1.17.5 through its backports, `l7AllowAllWithoutDefaultDeny`).
   */
  readonly visibilityOnly: boolean;
  /**
   * Before that allow-all, the wildcard rule of default-allow mode lets every HTTP and Kafka request through Envoy: such an
   * endpoint gets a synthesized L3-only allow of every peer (pkg/policy/repository.go `computePolicyEnforcementAndRules` →
   * `wildcardRule`, 1.16-1.17: `FromEntities`/`ToEntities: [all]`, no `toPorts`), an allow-all rule on the wildcard port,
   * which Envoy consults beside the port's own rules (cilium/proxy `PortNetworkPolicy`: "Check for any rules that wildcard the
   * port"), as it does for a written every-port allow. The DNS proxy reads the rules of the lookup's own port only
   * (`dnsFilterEntries`), so DNS rules restrict there (issue #38676).
   */
  readonly wildcardPort: boolean;
  /**
   * With `wildcardPort`: the target is 1.16 or 1.17 without a patch level, so whether the DNS rules restrict is not known
   * (they do on 1.16.0-1.16.9 and 1.17.0-1.17.4 only, `DNS_DEFAULT_ALLOW_PATCH_SPLIT`).
   */
  readonly dnsPatchUnknown: boolean;
}

/** How default-allow mode widens the L7 rules of a direction policy on `version` (`DefaultAllowL7`); all false under default deny. */
export function defaultAllowL7(dp: DirectionDefaultDeny, version: CiliumVersion): DefaultAllowL7 {
  const defaultAllow = dp.hasRules && !dp.defaultDeny && !dp.init;
  const allowAll = l7AllowAllWithoutDefaultDeny(version);
  return {
    visibilityOnly: defaultAllow && allowAll === true,
    wildcardPort: defaultAllow && allowAll !== true,
    dnsPatchUnknown: defaultAllow && allowAll === undefined,
  };
}
