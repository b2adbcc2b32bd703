// What the agent makes of an egress allow item whose `toServices` entries add no peer selector: its ports (or ICMP types)
// are open to every peer. The one judgement of the engine (`compile.ts`) and validate (`pitfall-services-every-peer.ts`).
import { CiliumVersion } from '../core/cilium-version';
import { LabelSet, Selector } from './labels';
import { LabelSelectorModel } from './policy-model';
import { plainSelectorProblem } from './selector-build';

/**
 * How one `toServices` entry of an egress allow item reads against the Services the inputs hold (`readServiceEntry`).
 * - `selector`: it adds a peer selector (from 1.17 pkg/policy/k8s/service.go `processRule`: the pod selector of a Service
 *   with one, `appendSelector`; the endpoint addresses of a selector-less one, `appendEndpoints`. Before 1.17
 *   pkg/k8s/rule_translate.go `RuleTranslator`: the endpoint addresses of a selector-less one only).
 * - `none`: it adds none whatever the cluster holds besides the inputs (the Services it matches add nothing, or it matches
 *   no Service at all: `serviceEntryTarget` `nothing`).
 * - `not-in-inputs`: it names Services the inputs do not hold: it adds a selector if they exist in the cluster.
 * - `endpoints-not-in-inputs`: it matches selector-less Services of the inputs that add no selector there, some given
 *   without any Endpoints or EndpointSlice: it adds their addresses if the cluster has some.
 * - `undecided`: what it matches is not known (`serviceEntryTarget` `undecided`; the rule is not judged).
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
  /**
   * `spec.type`, when known: an `ExternalName` Service is one the agent up to 1.17 does not hold (`heldByAgent`).
   * @default - not known: held
   */
  readonly type?: string;
}

/**
 * Whether the agent holds a Service of the inputs, so that a `toServices` entry matching it may add a peer selector. Up to
 * 1.17 it ignores an `ExternalName` Service: pkg/k8s/service.go `ParseService` (the ServiceCache that pkg/k8s/rule_translate.go
 * `RuleTranslator` and, in 1.17, pkg/policy/k8s/service.go `processRule` walk) returns no Service for it ("External-name
 * services must be ignored"), so an entry naming it adds nothing, as for a Service that does not exist. From 1.18 it holds
 * it like any other: the Services come from the load-balancer tables, and pkg/loadbalancer/reflectors/conversions.go
 * `convertService` copies `spec.selector` whatever `spec.type` says (pkg/loadbalancer/reflectors/k8s.go
 * `runServiceEndpointsReflector` upserts every Service it converts), so pkg/policy/k8s/service.go `processRule` adds the
 * written selector (`appendSelector`) or, without one, the backends' addresses (`appendEndpoints`).
 */
function heldByAgent(service: Pick<ServiceFacts, 'type'>, version: CiliumVersion): boolean {
  return service.type !== 'ExternalName' || version.atLeast(CiliumVersion.V1_18);
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
/** Whether a field is written: neither missing nor null (the API server prunes nulls, `parse-null-value`). */
const written = (v: unknown): boolean => v !== undefined && v !== null;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Which Services a `toServices` entry matches on the target version, whatever the cluster holds (`serviceEntryTarget`):
 * - `name`: the Service named `name` (`k8sService`), in `namespace` or, without one, in every namespace;
 * - `labels`: the Services whose own labels `selector` matches (`k8sServiceSelector`), in `namespace` or every namespace;
 * - `nothing`: no Service at all (`why`, and where in the entry, `at`, with how to write it, `fix`; no `at` for an entry
 *   naming no Service);
 * - `undecided`: from 1.19, a selector whose requirements do not build: the patch release decides (`why` it does not
 *   build, `at`, `fix`).
 */
export type ServiceEntryTarget =
  | { readonly kind: 'name'; readonly name: string; readonly namespace?: string }
  | { readonly kind: 'labels'; readonly selector: Selector; readonly namespace?: string }
  | { readonly kind: 'nothing'; readonly why: string; readonly at?: string; readonly fix?: string }
  | { readonly kind: 'undecided'; readonly why: string; readonly at: string; readonly fix: string };

/**
 * The one reading of which Services a `toServices` entry matches (`ServiceEntryTarget`), for the engine (`compile.ts`)
 * and every validate check of toServices. The agent checks no toServices entry (pkg/policy/api/rule_validation.go
 * `EgressRule.sanitize` counts them only; the CRD requires `selector` and nothing else), and matches each against every
 * Service (from 1.17 pkg/policy/k8s/service.go `processRule`, before pkg/k8s/rule_translate.go `RuleTranslator.serviceMatches`):
 * - the field it uses (`serviceEntryUses`, the selector first); neither names no Service;
 * - `namespace` empty or missing is every namespace, in a CiliumNetworkPolicy too (`Namespace == "" ||`);
 * - `k8sService` by name (`serviceRefMatches`: `ServiceName == svcID.Name`): without a serviceName (or `""`) no Service,
 *   as every Service has a name;
 * - `k8sServiceSelector` against the Service's own labels, keys as written (`serviceSelectorMatches`:
 *   `EndpointSelector(sel.Selector)`, `SyncRequirementsWithLabelSelector`, `Matches(labels.Set(svc.Labels))`). Up to 1.18
 *   `EndpointSelector.Matches` matches nothing when its requirements are nil (`labelSelectorToRequirements`): when they
 *   do not build (`plainSelectorProblem`), and when there is no label selector: `api.ServiceSelector` embeds a
 *   `*LabelSelector` that JSON decoding sets only when the object has `matchLabels` or `matchExpressions`, so a selector
 *   written `{}` (or left out) is none, `LabelSelectorAsSelector(nil)` is `labels.Nothing()`, not selectable. From 1.19
 *   `serviceSelectorMatches` builds `policytypes.NewLabelSelector`, whose nil requirements match every Service: an empty
 *   selector is every Service of its scope, and one that does not build depends on the patch release
 *   (cilium/cilium#46946; `undecided`).
 */
export function serviceEntryTarget(entry: unknown, version: CiliumVersion): ServiceEntryTarget {
  const uses = serviceEntryUses(entry);
  if (uses === undefined) return { kind: 'nothing', why: 'an entry with neither k8sService nor k8sServiceSelector names no Service' };
  const of = field(entry, uses);
  const namespace = text(field(of, 'namespace'));
  const scope = namespace === undefined ? {} : { namespace };
  if (uses === 'k8sService') {
    const name = text(field(of, 'serviceName'));
    if (name !== undefined) return { kind: 'name', name, ...scope };
    return {
      kind: 'nothing', at: 'k8sService.serviceName',
      why: 'the k8sService has no serviceName, so it matches no Service: Cilium matches it by name (serviceRefMatches), and every Service has one',
      fix: 'write the Service\'s name: k8sService: {serviceName: <name>, namespace: <namespace>}',
    };
  }
  const selector = field(of, 'selector');
  const given = typeof selector === 'object' && selector !== null && !Array.isArray(selector)
    // A null field is none: `matchLabels: null` is `{}`.
    && (written(field(selector, 'matchLabels')) || written(field(selector, 'matchExpressions')));
  const modern = version.atLeast(CiliumVersion.V1_19);
  if (!given) {
    if (modern) return { kind: 'labels', selector: Selector.all(), ...scope };
    return {
      kind: 'nothing', at: 'k8sServiceSelector.selector',
      why: `the k8sServiceSelector's selector ${selector === undefined ? 'is missing' : 'has neither matchLabels nor matchExpressions'}, so it matches `
        + `no Service on Cilium ${version}: the agent decodes it as no label selector, which matches nothing (EndpointSelector.Matches)`,
      fix: 'name the labels of the Services meant: selector: {matchLabels: {<key>: <value>}}',
    };
  }
  const problem = plainSelectorProblem(selector);
  if (problem !== undefined) {
    const at = `k8sServiceSelector.selector.${problem.at}`;
    return modern ? { kind: 'undecided', why: problem.why, at, fix: problem.fix } : {
      kind: 'nothing', at, fix: problem.fix,
      why: `the k8sServiceSelector ${Selector.from(selector as LabelSelectorModel).toString()} matches no Service: ${problem.why}; `
        + 'Cilium matches it against each Service\'s own labels, and the requirement does not build',
    };
  }
  return { kind: 'labels', selector: Selector.from(selector as LabelSelectorModel), ...scope };
}

/**
 * Whether a `toServices` entry matches no Service whatever the cluster holds (`serviceEntryTarget` `nothing`) on `version`,
 * or, without one, on every version (an entry naming no Service; a selector that matches none only up to 1.18 is not).
 */
export function serviceEntryMatchesNothing(entry: unknown, version?: CiliumVersion): boolean {
  return (version === undefined ? CiliumVersion.ALL : [version]).every((v) => serviceEntryTarget(entry, v).kind === 'nothing');
}

/**
 * The Services of `services` a `toServices` entry matches on `version` (`serviceEntryTarget`, `servicesOfTarget`).
 */
export function servicesOfEntry<S extends Pick<ServiceFacts, 'name' | 'namespace' | 'labels'>>(
  entry: unknown, services: readonly S[], version: CiliumVersion,
): S[] {
  return servicesOfTarget(serviceEntryTarget(entry, version), services);
}

/** The Services of `services` a `ServiceEntryTarget` matches: none for `nothing` and `undecided`. */
export function servicesOfTarget<S extends Pick<ServiceFacts, 'name' | 'namespace' | 'labels'>>(target: ServiceEntryTarget, services: readonly S[]): S[] {
  if (target.kind !== 'name' && target.kind !== 'labels') return [];
  const inNamespace = services.filter((s) => target.namespace === undefined || s.namespace === target.namespace);
  if (target.kind === 'name') return inNamespace.filter((s) => s.name === target.name);
  return inNamespace.filter((s) => target.selector.matches(LabelSet.of(Object.entries(s.labels).map(([key, value]) => ({ source: 'k8s', key, value })))));
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
 * @returns the reading, the Services it matches that the agent holds (`found`: `heldByAgent`), those of them selector-less
 *   without any Endpoints or EndpointSlice in the inputs (`endpointsMissing`; only when the reading is
 *   `endpoints-not-in-inputs`), and, when it matches only Services the agent ignores, those (`ignored`: `ExternalName` ones)
 */
export function readServiceEntry<S extends ServiceFacts>(entry: unknown, services: readonly S[], version: CiliumVersion): {
  reading: ServiceEntryReading; found: S[]; endpointsMissing: S[]; ignored?: S[];
} {
  const target = serviceEntryTarget(entry, version).kind;
  if (target === 'nothing' || target === 'undecided') return { reading: target === 'nothing' ? 'none' : 'undecided', found: [], endpointsMissing: [] };
  const matched = servicesOfEntry(entry, services, version);
  if (matched.length === 0) return { reading: 'not-in-inputs', found: matched, endpointsMissing: [] };
  const found = matched.filter((s) => heldByAgent(s, version));
  if (found.length === 0) return { reading: 'none', found, endpointsMissing: [], ignored: matched };
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
