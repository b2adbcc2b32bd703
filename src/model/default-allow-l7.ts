// Default-allow mode of one direction of an endpoint (no selecting rule enables default deny there) and what it does to the
// L7 rules of its allow items, by version: the one predicate of the engine's verdicts and of validate's
// `pitfall-l7-default-allow`.
import { CiliumVersion } from '../core/cilium-version';

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
 * Whether every kind of L7 rule of the allow items of a direction policy gives visibility only. From 1.18 (PR #38841,
 * repository.go passes the endpoint's default-deny state to createL4Filter), an endpoint that no selecting rule puts into
 * default deny in this direction gets an L7 allow-all added to every allow rule's L7 rules. On 1.16-1.17 HTTP and Kafka
 * rules are visibility only there too, through the wildcard rule (`defaultAllowWildcardPort`), and DNS rules restrict on
 * the earlier patches only (`DNS_DEFAULT_ALLOW_PATCH_SPLIT`).
 */
export function l7VisibilityOnly(dp: DirectionDefaultDeny, version: CiliumVersion): boolean {
  return dp.hasRules && !dp.defaultDeny && !dp.init && version.atLeast(CiliumVersion.V1_18);
}

/**
 * Whether, before 1.18, the wildcard rule of default-allow mode lets every HTTP and Kafka request through Envoy: an endpoint
 * that no selecting rule puts into default deny in this direction gets a synthesized L3-only allow of every peer
 * (pkg/policy/repository.go `computePolicyEnforcementAndRules` → `wildcardRule`, 1.16-1.17: `FromEntities`/`ToEntities:
 * [all]`, no `toPorts`), an allow-all rule on the wildcard port, which Envoy consults beside the port's own rules (cilium/proxy
 * `PortNetworkPolicy`: "Check for any rules that wildcard the port"), as it does for a written every-port allow. The DNS
 * proxy reads the rules of the lookup's own port only (`dnsFilterEntries`), so DNS rules restrict there (issue #38676) on
 * the patches before #38841's backports only (`DNS_DEFAULT_ALLOW_PATCH_SPLIT`). From 1.18 `l7VisibilityOnly` holds instead.
 */
export function defaultAllowWildcardPort(dp: DirectionDefaultDeny, version: CiliumVersion): boolean {
  return dp.hasRules && !dp.defaultDeny && !dp.init && !version.atLeast(CiliumVersion.V1_18);
}
