// What the agent makes of an egress allow item whose `toServices` entries add no peer selector: its ports (or ICMP types)
// are open to every peer. The one judgement of the engine (`compile.ts`) and validate (`pitfall-services-every-peer.ts`).
import { CiliumVersion } from '../core/cilium-version';

/**
 * How one `toServices` entry of an egress allow item reads against the Services the inputs hold.
 * - `selector`: it adds a peer selector (pkg/policy/k8s/service.go `processRule`: the pod selector of a Service with one,
 *   from 1.17, `appendSelector`; the endpoint addresses of a selector-less one, `appendEndpoints`).
 * - `none`: it adds none whatever the cluster holds besides the inputs (the Services it matches add nothing, or it names
 *   no Service: an entry with neither field, or up to 1.18 a k8sServiceSelector that does not build).
 * - `not-in-inputs`: it names Services the inputs do not hold: it adds a selector if they exist in the cluster.
 * - `undecided`: what it matches is not known (from 1.19 a k8sServiceSelector that does not build; the rule is not judged).
 */
export type ServiceEntryReading = 'selector' | 'none' | 'not-in-inputs' | 'undecided';

/**
 * Whether a Service the inputs hold adds a peer selector to the item that names it. From 1.17 (pkg/policy/k8s/service.go
 * `processRule`) a Service with a selector adds it as a generated toEndpoints selector and a selector-less one adds its
 * endpoint addresses as generated toCIDRSet entries, none when it has none (`appendEndpoints` of no address; a Service
 * without any Endpoints object is not even visited: pkg/k8s/service_cache.go `ForEachService` walks the Services with
 * endpoints). Before 1.17 (pkg/k8s/rule_translate.go `RuleTranslator`, `PreprocessRules`: `svc.IsExternal()`) only the
 * endpoint addresses of a selector-less Service are added.
 * @param hasSelector whether the Service has a pod selector
 * @param addresses how many endpoint addresses the inputs give a selector-less Service
 */
export function serviceAddsSelector(hasSelector: boolean, addresses: number, version: CiliumVersion): boolean {
  return hasSelector ? version.atLeast(CiliumVersion.V1_17) : addresses > 0;
}

/**
 * What an egress allow item with ports or ICMP types (`onPorts`) does when none of its `toServices` entries adds a peer
 * selector, or `undefined` when one does (or may, `undecided`) or it has neither (an L3-only item without a selector allows
 * nothing: pkg/policy/rule.go `mergeEgress`). With no selector left, its L4 filter has the wildcard peer
 * (pkg/policy/l4.go `createL4Filter`: an empty L3 is every peer; before 1.16 `mergeEgress` puts the wildcard selector in
 * for toPorts or icmps, cilium/cilium#7520):
 * - `every-peer`: the inputs decide it: the ports are open to every peer, the world included;
 * - `not-known`: some entry names Services the inputs do not hold: every peer if they do not exist in the cluster, their
 *   backends if they do.
 */
export function unresolvedServices(readings: readonly ServiceEntryReading[], onPorts: boolean): 'every-peer' | 'not-known' | undefined {
  if (!onPorts || readings.length === 0 || readings.some((r) => r === 'selector' || r === 'undecided')) return undefined;
  return readings.includes('not-in-inputs') ? 'not-known' : 'every-peer';
}
