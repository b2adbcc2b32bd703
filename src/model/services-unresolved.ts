// What the agent makes of an egress allow item whose `toServices` entries add no peer selector: its ports (or ICMP types)
// are open to every peer. The one judgement of the engine (`compile.ts`) and validate (`pitfall-services-every-peer.ts`).
import { CiliumVersion } from '../core/cilium-version';
import { LabelSet, Selector } from './labels';
import { LabelSelectorModel } from './policy-model';

/**
 * How one `toServices` entry of an egress allow item reads against the Services the inputs hold (`readServiceEntry`).
 * - `selector`: it adds a peer selector (from 1.17 pkg/policy/k8s/service.go `processRule`: the pod selector of a Service
 *   with one, `appendSelector`; the endpoint addresses of a selector-less one, `appendEndpoints`. Before 1.17
 *   pkg/k8s/rule_translate.go `RuleTranslator`: the endpoint addresses of a selector-less one only).
 * - `none`: it adds none whatever the cluster holds besides the inputs (the Services it matches add nothing, or it names
 *   no Service: an entry with neither field, or up to 1.18 a k8sServiceSelector that does not build).
 * - `not-in-inputs`: it names Services the inputs do not hold: it adds a selector if they exist in the cluster.
 * - `endpoints-not-in-inputs`: it matches selector-less Services of the inputs that add no selector there, some given
 *   without any Endpoints or EndpointSlice: it adds their addresses if the cluster has some.
 * - `undecided`: what it matches is not known (from 1.19 a k8sServiceSelector that does not build; the rule is not judged).
 */
export type ServiceEntryReading = 'selector' | 'none' | 'not-in-inputs' | 'endpoints-not-in-inputs' | 'undecided';

/** A Service of the inputs as a `toServices` entry reads it. */
interface ServiceFacts {
  readonly name: string;
  readonly namespace: string;
  /** The Service's own labels (a k8sServiceSelector matches them, and nothing else: no namespace label). */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether it has a pod selector. */
  readonly hasSelector: boolean;
  /**
   * How many endpoint addresses its Endpoints and EndpointSlices in the inputs hold; `undefined` when the inputs give
   * none of those objects (not known: the cluster may have them).
   */
  readonly addresses: number | undefined;
}

/**
 * Which of its two fields a `toServices` entry uses: Cilium checks `k8sServiceSelector` first and reads `k8sService`
 * only without one (pkg/policy/k8s/service.go `processRule`/`hasMatchingToServices`: `if sel := K8sServiceSelector; sel
 * != nil {…} else if ref := K8sService`). `undefined` for neither.
 */
export function serviceEntryUses(entry: unknown): 'k8sServiceSelector' | 'k8sService' | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { k8sServiceSelector, k8sService } = entry as { k8sServiceSelector?: unknown; k8sService?: unknown };
  if (typeof k8sServiceSelector === 'object' && k8sServiceSelector !== null) return 'k8sServiceSelector';
  return typeof k8sService === 'object' && k8sService !== null ? 'k8sService' : undefined;
}

const field = (o: unknown, k: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The Services of `services` a `toServices` entry matches (the field it uses, `serviceEntryUses`): `k8sService` by name,
 * a `k8sServiceSelector` against each Service's own labels only (pkg/policy/k8s/service.go `serviceSelectorMatches`; before
 * 1.17 pkg/k8s/rule_translate.go `serviceMatches`), in the entry's namespace, or every namespace when it names none
 * (`Namespace == "" ||`). A selector that does not build is the caller's (`readServiceEntry` `builds`).
 */
export function servicesOfEntry<S extends Pick<ServiceFacts, 'name' | 'namespace' | 'labels'>>(entry: unknown, services: readonly S[]): S[] {
  const uses = serviceEntryUses(entry);
  if (uses === undefined) return [];
  const of = field(entry, uses);
  const ns = text(field(of, 'namespace'));
  const inNamespace = services.filter((s) => ns === undefined || s.namespace === ns);
  if (uses === 'k8sService') return inNamespace.filter((s) => s.name === field(of, 'serviceName'));
  const sel = Selector.from(field(of, 'selector') as LabelSelectorModel | undefined);
  return inNamespace.filter((s) => sel.matches(LabelSet.of(Object.entries(s.labels).map(([key, value]) => ({ source: 'k8s', key, value })))));
}

/**
 * Whether a Service the inputs hold adds a peer selector to the item that names it. From 1.17 (pkg/policy/k8s/service.go
 * `processRule`) a Service with a selector adds it as a generated toEndpoints selector, and a selector-less one adds its
 * endpoint addresses as generated toCIDRSet entries, none when it has none (`appendEndpoints` of no address). processRule
 * visits only Services with an Endpoints object (pkg/k8s/service_cache.go `ForEachService` walks the cache's endpoints):
 * a Service with a selector always has one (the EndpointSlice controller writes a slice for it, empty while no pod is
 * ready, and `UpdateEndpoints` keeps an empty one), so its selector is added whether or not the inputs give its slices; a
 * selector-less Service without any has no addresses, and whether it has some is known only when the inputs give its
 * Endpoints or EndpointSlices (`addresses` `undefined`: `readServiceEntry` reads it as not known). Before 1.17
 * (pkg/k8s/rule_translate.go `RuleTranslator`, `PreprocessRules`: `svc.IsExternal()`) only the endpoint addresses of a
 * selector-less Service are added.
 * @param hasSelector whether the Service has a pod selector
 * @param addresses how many endpoint addresses the inputs give a selector-less Service (0 when not given)
 */
function serviceAddsSelector(hasSelector: boolean, addresses: number, version: CiliumVersion): boolean {
  return hasSelector ? version.atLeast(CiliumVersion.V1_17) : addresses > 0;
}

/**
 * How one `toServices` entry reads (`ServiceEntryReading`) against the Services of the inputs: the one reading of the
 * engine (`compile.ts` `serviceBackends`) and validate (`pitfall-services-every-peer.ts`).
 * @param builds false for a k8sServiceSelector whose requirements do not build (`plainSelectorProblem`): it matches no
 *   Service up to 1.18, and from 1.19 the patch release decides
 * @returns the reading, the Services it matches (`found`), and those of them selector-less without any Endpoints or
 *   EndpointSlice in the inputs (`endpointsMissing`; only when the reading is `endpoints-not-in-inputs`)
 */
export function readServiceEntry<S extends ServiceFacts>(entry: unknown, builds: boolean, services: readonly S[], version: CiliumVersion): {
  reading: ServiceEntryReading; found: S[]; endpointsMissing: S[];
} {
  if (serviceEntryUses(entry) === undefined) return { reading: 'none', found: [], endpointsMissing: [] };
  if (!builds) return { reading: version.atLeast(CiliumVersion.V1_19) ? 'undecided' : 'none', found: [], endpointsMissing: [] };
  const found = servicesOfEntry(entry, services);
  if (found.length === 0) return { reading: 'not-in-inputs', found, endpointsMissing: [] };
  if (found.some((s) => serviceAddsSelector(s.hasSelector, s.addresses ?? 0, version))) return { reading: 'selector', found, endpointsMissing: [] };
  const endpointsMissing = found.filter((s) => !s.hasSelector && s.addresses === undefined);
  return { reading: endpointsMissing.length > 0 ? 'endpoints-not-in-inputs' : 'none', found, endpointsMissing };
}

/**
 * What an egress allow item with ports or ICMP types (`onPorts`) does when none of its `toServices` entries adds a peer
 * selector, or `undefined` when one does (or may, `undecided`) or it has neither (an L3-only item without a selector allows
 * nothing: pkg/policy/rule.go `mergeEgress`). With no selector left, its L4 filter has the wildcard peer
 * (pkg/policy/l4.go `createL4Filter`: an empty L3 is every peer; before 1.16 `mergeEgress` puts the wildcard selector in
 * for toPorts or icmps, cilium/cilium#7520):
 * - `every-peer`: the inputs decide it: the ports are open to every peer, the world included;
 * - `not-known`: some entry names Services the inputs do not hold, or selector-less ones without their Endpoints or
 *   EndpointSlices: every peer if they do not exist (or have no address) in the cluster, their backends if they do.
 */
export function unresolvedServices(readings: readonly ServiceEntryReading[], onPorts: boolean): 'every-peer' | 'not-known' | undefined {
  if (!onPorts || readings.length === 0 || readings.some((r) => r === 'selector' || r === 'undecided')) return undefined;
  return readings.some((r) => r === 'not-in-inputs' || r === 'endpoints-not-in-inputs') ? 'not-known' : 'every-peer';
}
