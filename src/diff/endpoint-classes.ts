/**
 * The endpoint classes of a connectivity diff or report: groups of endpoints that every policy of the compared sets
 * treats alike, each with a representative `Endpoint` the engine judges.
 *
 * - With an inventory (workloads found in the inputs, `--inventory`, `--flows`): one class per workload (workloads with
 *   the same pod labels, named ports and service account share one), derived classes (below) for the selectors no
 *   workload matches, plus per namespace the pods no workload covers. Workloads on the host network (`hostNetwork:
 *   true`) are not pods to Cilium (no endpoint, their traffic carries the node's identity): no pod class stands for
 *   them, they are listed in the `host` and `remote-node` classes, which they are.
 * - Without one, the classes are derived from what the policies' selectors tell apart: per namespace (named by a policy,
 *   a selector — pinned by `In` or left out by `NotIn` — or the inventory), a witness pod per selector whose requirements hold there (matchLabels and
 *   matchExpressions, service accounts, namespace selectors of CCNPs) and per label value a selector names (each `In`
 *   value; another value and the key absent under `NotIn`, `Exists`, `DoesNotExist`), witnesses that every selector of
 *   both sides sees alike merged into one class, plus "other pods".
 * - In both, the pods that several selectors select at once (`app=web` and `tier=frontend` in different rules): per side
 *   of a connection (`SelectorRole`), a witness for every combination of that side's selectors one pod can satisfy
 *   (`selector-atoms.ts`) that no class stands for yet; likewise namespaces of several namespace-label selectors. Over
 *   `ATOM_LIMIT` in a namespace, the diff notes it (`classLimits`).
 *
 * Both modes add "any other namespace", `world` (split into `world (IPv4)` and `world (IPv6)`, an address of each family
 * no other named CIDR holds, when a rule names `0.0.0.0/0` or `::/0`), one class per CIDR (and CIDR group) the rules
 * name, a `node <labels>` class per combination of node selectors one node can satisfy (`nodeClasses`), `host`,
 * `remote-node`, and the other entities the rules name (all those `cluster` holds when a rule names `cluster` or `all`).
 */
import { EndpointClass, EndpointClassKind, NotCompared } from '../model/connectivity-document';
import type { CompiledRule } from '../engine/compile';
import { LabelIndex } from '../engine/direction-policy';
import { Endpoint, Endpoints } from '../engine/endpoint';
import { familiesOf, IdentityOptions, peerView, podLabels, resolveEndpoint } from '../engine/identity';
import { IpFamilies } from '../engine/policy-set-options';
import { CLUSTER_KEY, NAMESPACE_KEY, NAMESPACE_LABELS_PREFIX, SERVICE_ACCOUNT_KEY } from '../model/selectors';
import { EndpointInventory, InventoryWorkload } from '../engine/inventory';
import { k8sObjectLabels, LabelSet, readsHostEndpointNodeLabels, Selector, SelectorRequirement } from '../model/labels';
import { readsPeerNodeLabel } from '../model/node-label-reads';
import type { PolicySet } from '../engine/policy-set';
import { formatIp, parseIp, ParsedCidr } from '../model/cidr';
import { CidrNesting } from '../model/cidr-nesting';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { CiliumVersion } from '../core/cilium-version';
import { IDENTITY_LABEL_FILTER_VERSIONS, selectorOnIdentities } from '../model/identity-labels';
import { fqdnClasses } from './fqdn-classes';
import { AtomSelector, keyValues, selectorAtoms } from './selector-atoms';
import { pushAll } from '../model/push-all';

/** An endpoint class with the endpoint that stands for it. */
export interface ClassifiedEndpoint {
  /** The class, as the documents show it. */
  readonly cls: EndpointClass;
  /** Its representative endpoint (what the engine judges). */
  readonly endpoint: Endpoint;
  /**
   * Whether the class stands for its pods as clients only (a variant of a namespace known only by name, labelled as only
   * the selectors of clients tell apart: as servers its pods are those of the namespace itself).
   * @default false
   */
  readonly clientOnly?: boolean;
  /**
   * Whether the class stands for its pods as servers only (likewise, for the selectors of servers).
   * @default false
   */
  readonly serverOnly?: boolean;
  /**
   * On a node class given without its labels (`host`, `remote-node`): the keys of the node labels its nodes are known not
   * to carry. `endpointClasses` gives the class of the other nodes each key its node selectors read where every node of no
   * `node <labels>` class reads as one without it (every requirement on the key is `In`/`Exists`, or a `<key> Exists` alone
   * selects every node that carries it; on `host`, not a key an endpoint selector reads: the local host carries its node's
   * labels), so a rule that reads only those keys is judged as on a node without them, where the verdict gate would refuse
   * the connection as a node given without its labels (`engine-node-labels-unknown`); a rule that reads another label of the
   * node (`role NotIn [edge]`: role=edge is of no class) still leaves it not judged (NOT COMPARED, NOT JUDGED).
   * @default - none known: every node label a rule reads is unknown
   */
  readonly nodeLabelsAbsent?: string[];
}

/** The namespace that stands for every namespace no policy or inventory names. */
export const OTHER_NAMESPACE = 'cdk8s-cilium-other-namespace';

const META_NAME = 'kubernetes.io/metadata.name';

/** Entities that get a class of their own when a rule names them (world, host and remote-node always have one). */
const NAMED_ENTITIES = ['kube-apiserver', 'health', 'ingress', 'init', 'unmanaged'];

interface NamespaceInfo {
  /** The namespace name the representative pods carry. */
  readonly name: string;
  /** Shown in class names. */
  readonly display: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Whether the namespaces with the labels of several selectors at once were over `ATOM_LIMIT` (on the stand-in for other namespaces). */
  readonly atomsExceeded?: boolean;
  /** Whether a namespace known only by name had more label variants than `ATOM_LIMIT` or the class budget left. */
  readonly variantsExceeded?: boolean;
  /** The sides of a connection a variant of a namespace known only by name stands for (`SelectorRole` bits; both when absent). */
  readonly roles?: number;
}

/**
 * The endpoint classes of one or more policy sets (a diff passes base and head: a class must not merge endpoints that
 * either side treats differently), sorted: pods by namespace, other namespaces, world and CIDRs, host, entities.
 */
export function endpointClasses(sets: readonly PolicySet[]): ClassifiedEndpoint[] {
  const rules = sets.flatMap((s) => s._compiledRules.filter((r) => r.imported));
  const clusterName = sets[0]?._engineConfig.clusterName ?? 'default';
  const subdomainWildcard = sets[0]?._engineConfig.version.atLeast(CiliumVersion.V1_19) ?? true;
  const inventory = mergedInventory(sets);
  const namespaces = namespacesOf(rules, inventory);
  const pods = inventory.workloads.length > 0
    ? inventoryClasses(rules, inventory, namespaces, clusterName)
    : derivedClasses(rules, namespaces, clusterName);
  const families = familiesOf(sets[0]?._engineConfig.ipFamilies ?? IpFamilies.IPV4);
  const onHost = inventory.workloads.filter((w) => w.hostNetwork === true).map(workloadName).sort(compare);
  // The named CIDRs' nesting, built once for the world and the FQDN classes.
  const nesting = new CidrNesting(namedCidrs(rules));
  return [...pods, ...worldClasses(nesting, families), ...fqdnClassesOf(rules, nesting, subdomainWildcard, families),
    ...entityClasses(rules, onHost, sets[0]?._engineConfig)];
}

/**
 * The world classes of one or more policy sets for some IP families (`worldClasses`: the classes `endpointClasses` holds
 * of those families), without working out their pods again.
 */
export function worldClassesOf(sets: readonly PolicySet[], families: readonly (4 | 6)[]): ClassifiedEndpoint[] {
  return worldClasses(new CidrNesting(namedCidrs(sets.flatMap((s) => s._compiledRules.filter((r) => r.imported)))), families);
}

/** A workload as classes list it: `Deployment prod/api`. */
function workloadName(w: InventoryWorkload): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

/**
 * The inventories of the sets as one (workloads by kind, namespace and name, once: the first set's copy, but the copy on
 * the host network where a set runs it there). A workload on the host network on one side only is then a pod class on
 * neither: on that side no Cilium endpoint stands for its pods (`EndpointInventory.enrich` refuses such a pod), and the
 * diff notes its connections as not compared (`comparison-limits.ts` `hostNetworkDifferences`).
 */
function mergedInventory(sets: readonly PolicySet[]): EndpointInventory {
  const out = new EndpointInventory();
  const key = (w: InventoryWorkload): string => `${w.kind}/${w.namespace}/${w.name}`;
  const onHost = new Map(sets.flatMap((s) => s.inventory.workloads.filter((w) => w.hostNetwork === true).map((w) => [key(w), w] as const)));
  const seen = new Set<string>();
  for (const s of sets) {
    const inv = s.inventory;
    for (const w of inv.workloads) {
      const k = key(w);
      if (seen.has(k)) continue;
      seen.add(k);
      out.addWorkload(onHost.get(k) ?? w);
    }
    for (const ns of inv.namespaceNames()) out.addNamespace(ns, inv.namespaceLabels(ns) ?? {});
  }
  return out;
}

/** The namespaces: those policies, selectors and the inventory name, sorted; then the stand-in for any other. */
function namespacesOf(rules: readonly CompiledRule[], inventory: EndpointInventory): NamespaceInfo[] {
  const names = new Set<string>(inventory.namespaceNames());
  for (const w of inventory.workloads) names.add(w.namespace);
  for (const r of rules) {
    if (r.policy.namespace !== undefined) names.add(r.policy.namespace);
    for (const sel of podSelectors(r)) for (const ns of namedNamespaces(sel.requirements)) names.add(ns);
  }
  const known = [...names].sort().map((name) => ({ name, display: name, labels: inventory.namespaceLabels(name) ?? {} }));
  // Namespace-label selectors (CCNPs, namespaceSelector) get a namespace of their own unless a known namespace that no
  // selector pins by name (no policy of its own: any namespace of its labels is treated as it is) satisfies them. One
  // that policies pin does not stand for the other namespaces of its labels: its own policies apply to it alone.
  const extra: NamespaceInfo[] = [];
  const seen = new Set<string>();
  const probes = new Set<string>();
  const probeSelectors = new Map<string, Selector>();
  const pinned = selectorIndex(rules).pinned;
  const generic = known.filter((ns) => !pinned.has(ns.name));
  const nsLabels = generic.map((ns) => podLabels(Endpoints.pod(ns.name, {}, { namespaceLabels: ns.labels }), 'default'));
  for (const r of rules) {
    for (const sel of podSelectors(r)) {
      const nsReqs = sel.requirements.filter(isNamespaceRequirement);
      if (nsReqs.length === 0 || pinnedNamespaces(nsReqs).length > 0) continue;
      // The selector's namespaces, and those a NotIn or DoesNotExist leaves out by a label (`team NotIn [infra]`: a
      // namespace labelled team=infra), which a namespace without the label never stands for.
      for (const reqs of [nsReqs, ...excludedByLabel(nsReqs)]) {
        const probe = Selector.all().and(reqs);
        const probeKey = probe.toString();
        if (probes.has(probeKey)) continue;
        probes.add(probeKey);
        probeSelectors.set(probeKey, probe);
        if (nsLabels.some((l) => probe.matches(l))) continue;
        const labels = witnessLabels(reqs.map((q) => ({ ...q, key: q.key.slice(NAMESPACE_LABELS_PREFIX.length) })));
        if (!labels) continue;
        const text = labelText(labels.labels);
        if (seen.has(text)) continue;
        seen.add(text);
        const info = { name: `cdk8s-cilium-namespace-${extra.length + 1}`, display: namespacesWith(text), labels: labels.labels };
        extra.push(info);
        nsLabels.push(podLabels(Endpoints.pod(info.name, {}, { namespaceLabels: info.labels }), 'default'));
      }
    }
  }
  // Namespaces with the labels of several selectors at once (`team=pay` and `env=dev`): one per atom an unmatched probe holds in.
  const selectors = [...probeSelectors.values()];
  const signature = (labels: ReturnType<typeof podLabels>): string => selectors.map((p) => (p.matches(labels) ? '1' : '0')).join('');
  const signatures = new Set(nsLabels.map(signature));
  const atoms = selectorAtoms(selectors.map((p) => ({
    requirements: p.requirements.map((q) => ({ ...q, key: q.key.slice(NAMESPACE_LABELS_PREFIX.length) })),
    holds: true,
    source: !generic.some((_, i) => p.matches(nsLabels[i])),
  })), {
    limit: ATOM_LIMIT,
    matches: (key, value, reqs) => Selector.all().and(reqs.map((q) => ({ ...q, key: `${NAMESPACE_LABELS_PREFIX}${q.key}` })))
      .matches(podLabels(Endpoints.pod(OTHER_NAMESPACE, {}, { namespaceLabels: value === undefined ? {} : { [key]: value } }), 'default')),
  });
  for (const labels of atoms.witnesses) {
    const info = { name: `cdk8s-cilium-namespace-${extra.length + 1}`, display: namespacesWith(labelText(labels)), labels };
    const sig = signature(podLabels(Endpoints.pod(info.name, {}, { namespaceLabels: info.labels }), 'default'));
    if (signatures.has(sig)) continue;
    signatures.add(sig);
    extra.push(info);
  }
  const budget = { left: ATOM_CLASS_BUDGET };
  const withVariants = known.flatMap((ns) => (inventory.namespaceLabels(ns.name) !== undefined ? [ns] : unlabelledVariants(ns, rules, budget)));
  return [...withVariants, ...extra, { name: OTHER_NAMESPACE, display: '(other namespaces)', labels: {}, atomsExceeded: atoms.exceeded }];
}

/**
 * A namespace known only by name (no Namespace manifest, no inventory namespace), as itself without labels followed by
 * a variant per combination of the namespace-label selectors it could satisfy (`pay (labelled team=pay)`): its labels
 * are unknown, and a namespace-label selector may apply to it. The variants are the atoms of those selectors' namespace
 * requirements (`selector-atoms.ts`), with the namespace's name held fixed (its `kubernetes.io/metadata.name`), so
 * they are exact. Each variant draws on `budget` (its pods, estimated as one per selector that can hold there plus the
 * other pods); past it or past `ATOM_LIMIT` combinations, the namespace keeps no variants and its other pods say so.
 */
function unlabelledVariants(ns: NamespaceInfo, rules: readonly CompiledRule[], budget: { left: number }): NamespaceInfo[] {
  const probes = namespaceProbes(rules);
  if (probes.length === 0) return [ns];
  const bare = podLabels(Endpoints.pod(ns.name, {}, {}), 'default');
  const withLabels = (labels: Readonly<Record<string, string>>): ReturnType<typeof podLabels> =>
    podLabels(Endpoints.pod(ns.name, {}, { namespaceLabels: labels }), 'default');
  const holding = probes.filter((p) => Selector.all().and(p.pins).matches(bare));
  if (holding.length === 0) return [ns];
  const atoms = selectorAtoms(holding.map((p) => ({
    requirements: p.labels.map((q) => ({ ...q, key: q.key.slice(NAMESPACE_LABELS_PREFIX.length) })), holds: true, source: true,
  })), {
    limit: ATOM_LIMIT,
    matches: (key, value, reqs) => Selector.all().and(reqs.map((q) => ({ ...q, key: `${NAMESPACE_LABELS_PREFIX}${q.key}` })))
      .matches(withLabels(value === undefined ? {} : { [key]: value })),
  });
  // A variant is a class on a side of a connection where the probes of that side tell it from the namespace and the
  // variants before it; as a client only, or a server only, when only one side does.
  const projection = (labels: Readonly<Record<string, string>>, side: SelectorRole): string => {
    const l = withLabels(labels);
    return holding.map((p) => ((p.roles & side) !== 0 && Selector.all().and(p.labels).matches(l) ? '1' : '0')).join('');
  };
  const sides = [SelectorRole.SOURCE, SelectorRole.DESTINATION];
  const seen = sides.map((side) => new Set([projection({}, side)]));
  const variants: NamespaceInfo[] = [];
  for (const labels of atoms.witnesses) {
    let roles = 0;
    sides.forEach((side, i) => {
      const p = projection(labels, side);
      if (seen[i].has(p)) return;
      seen[i].add(p);
      roles |= side;
    });
    if (roles === 0) continue;
    variants.push({ name: ns.name, display: `${ns.display} (labelled ${labelText(labels)})`, labels, roles });
  }
  const cost = variants.length * (1 + selectorsIn(rules, ns).length);
  if (atoms.exceeded || cost > budget.left) return [{ ...ns, variantsExceeded: true }];
  budget.left -= cost;
  return [ns, ...variants];
}

/** A selector's requirements on namespace labels (`labels`), and those that pin namespaces by name (`pins`). */
interface NamespaceProbe {
  readonly labels: readonly SelectorRequirement[];
  readonly pins: readonly SelectorRequirement[];
  /** The sides of a connection its selectors decide (`SelectorRole` bits). */
  roles: number;
}

const namespaceProbeCache = new WeakMap<readonly CompiledRule[], NamespaceProbe[]>();

/** The distinct namespace-label requirements of the rules' pod selectors, with the name requirements beside them. */
function namespaceProbes(rules: readonly CompiledRule[]): NamespaceProbe[] {
  let out = namespaceProbeCache.get(rules);
  if (out) return out;
  const byText = new Map<string, NamespaceProbe>();
  const metaName = `${NAMESPACE_LABELS_PREFIX}${META_NAME}`;
  const index = selectorIndex(rules);
  const rolesOfSelector = rolesOf(rules);
  for (const sel of [...index.general, ...[...index.pinned.values()].flat()]) {
    const labels = sel.requirements.filter((q) => isNamespaceRequirement(q) && q.key !== metaName);
    if (labels.length === 0) continue;
    const pins = sel.requirements.filter((q) => (q.source === 'k8s' || q.source === 'any') && (q.key === NAMESPACE_KEY || q.key === metaName));
    const text = Selector.all().and([...labels, ...pins]).toString();
    const probe = byText.get(text);
    if (probe) probe.roles |= rolesOfSelector(sel);
    else byText.set(text, { labels, pins, roles: rolesOfSelector(sel) });
  }
  out = [...byText.values()];
  namespaceProbeCache.set(rules, out);
  return out;
}

/**
 * One class per workload group (same namespace, pod labels, named ports and service account); derived classes for the
 * selectors no workload matches (a policy whose subject or peer is not in the inventory still shows); other pods per namespace.
 */
function inventoryClasses(rules: readonly CompiledRule[], inventory: EndpointInventory, namespaces: readonly NamespaceInfo[],
  clusterName: string): ClassifiedEndpoint[] {
  const out: ClassifiedEndpoint[] = [];
  // Pods on the host network are no Cilium endpoints: policies selecting them by pod labels never apply to them.
  const workloads = inventory.workloads.filter((w) => w.hostNetwork !== true);
  const workloadLabels = workloads.map((w) => podLabels(Endpoints.pod(w.namespace, k8sObjectLabels(w.podLabels), {
    ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}), namespaceLabels: namespaceLabelsOf(namespaces, w.namespace),
  }), clusterName));
  // The selectors some workload matches: each workload against the selectors filed under its labels (`LabelIndex`).
  const index = selectorIndex(rules);
  const all = [...index.general, ...[...index.pinned.values()].flat()];
  const byLabels = new LabelIndex(all, (s) => s);
  const matched = new Set<string>();
  for (const l of workloadLabels) for (const pos of byLabels.matching(l)) matched.add(all[pos].toString());
  const matchesNone = (sel: Selector): boolean => !matched.has(sel.toString());
  const inNamespace = new Map<string, InventoryWorkload[]>();
  for (const w of workloads) {
    const list = inNamespace.get(w.namespace);
    if (list) list.push(w);
    else inNamespace.set(w.namespace, [w]);
  }
  const budget = { left: ATOM_CLASS_BUDGET };
  for (const ns of namespaces) {
    const groups = new Map<string, InventoryWorkload[]>();
    for (const w of inNamespace.get(ns.name) ?? []) {
      const key = JSON.stringify([sortedEntries(w.podLabels), w.ports, w.serviceAccount ?? '']);
      const g = groups.get(key);
      if (g) g.push(w);
      else groups.set(key, [w]);
    }
    const classes = [...groups.values()].map((ws) => {
      const w = ws[0];
      const endpoint = Endpoints.pod(ns.name, k8sObjectLabels(w.podLabels), {
        ...(w.ports.length > 0 ? { ports: w.ports } : {}), ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
        namespaceLabels: ns.labels,
      });
      const name = `${ns.display}/${ws.map((x) => x.name).sort()[0]}`;
      const cls: EndpointClass = {
        id: name, kind: EndpointClassKind.POD, name, namespace: ns.display, labels: { ...k8sObjectLabels(w.podLabels) },
        workloads: ws.map(workloadName).sort(),
      };
      return { cls, endpoint };
    }).sort((a, b) => compare(a.cls.name, b.cls.name));
    const other = otherPods(ns);
    const selectors = selectorsIn(rules, ns);
    const sources = selectors.filter(matchesNone);
    const derived = sources.length === 0 ? []
      : withinLimit(other, derivedPods(ns, sources, selectors, clusterName, {
        known: [...classes.map((c) => c.endpoint), other.endpoint], fromEmpty: false, roles: rolesOf(rules), budget,
      }));
    // A derived pod that is one of a hostNetwork workload's is no endpoint (the engine refuses it): the host classes list them.
    const endpoints = derived.filter((d) => inventory._hostNetworkWorkloads(d.endpoint).length === 0);
    endpoints.sort((a, b) => compare(a.cls.name, b.cls.name));
    pushAll(out, sided(ns, [...uniqueIds([...classes, ...endpoints]), other]));
  }
  return out;
}

/** The classes of a namespace variant that stands for one side of a connection only, marked so. */
function sided(ns: NamespaceInfo, classes: ClassifiedEndpoint[]): ClassifiedEndpoint[] {
  if (ns.roles === undefined || ns.roles === (SelectorRole.SOURCE | SelectorRole.DESTINATION)) return classes;
  const mark = ns.roles === SelectorRole.SOURCE ? { clientOnly: true } : { serverOnly: true };
  return classes.map((c) => carryNotes(c, { ...c, ...mark }));
}

/** `copy`, holding the limits noted on `original` (notes are kept per class object). */
function carryNotes(original: ClassifiedEndpoint, copy: ClassifiedEndpoint): ClassifiedEndpoint {
  const notes = atomLimits.get(original);
  if (notes !== undefined) atomLimits.set(copy, notes);
  return copy;
}

/** The labels of a namespace by name (none when it is not one of `namespaces`). */
function namespaceLabelsOf(namespaces: readonly NamespaceInfo[], name: string): Readonly<Record<string, string>> {
  return namespaces.find((ns) => ns.name === name)?.labels ?? {};
}

/** The pods of a namespace no other class covers. */
function otherPods(ns: NamespaceInfo): ClassifiedEndpoint {
  const name = ns.name === OTHER_NAMESPACE ? '(other namespaces)/(any pod)' : `${ns.display}/(other pods)`;
  const other = {
    cls: { id: name, kind: EndpointClassKind.OTHER_POD, name, namespace: ns.display, ...(Object.keys(ns.labels).length > 0 ? { labels: {} } : {}) },
    endpoint: Endpoints.pod(ns.name, {}, { namespaceLabels: ns.labels }),
  };
  if (ns.atomsExceeded === true) {
    noteLimit(other, `namespaces with the labels of several namespace selectors at once make more than ${ATOM_LIMIT} label sets to tell `
      + 'apart: only a namespace per selector is a class, so the connections of pods in namespaces of several selectors are not '
      + 'compared; give the Namespace manifests, or trace such pods on both sides');
  }
  if (ns.variantsExceeded === true) {
    noteLimit(other, {
      who: `namespace ${ns.display}`, prefix: 'namespaces', where: ns.display,
      what: 'known only by name (no Namespace manifest): the namespace-label selectors that could apply there '
        + `make more than ${ATOM_LIMIT} label sets, or more classes than the ${ATOM_CLASS_BUDGET} left to all such namespaces `
        + 'together: taken without labels, so the connections of pods there under namespace-label selectors are not '
        + 'compared; give the Namespace manifests',
    });
  }
  return other;
}

/** Pod classes from the selectors: witnesses per selector and label value, merged when every selector sees them alike. */
function derivedClasses(rules: readonly CompiledRule[], namespaces: readonly NamespaceInfo[], clusterName: string): ClassifiedEndpoint[] {
  const out: ClassifiedEndpoint[] = [];
  const budget = { left: ATOM_CLASS_BUDGET };
  for (const ns of namespaces) {
    const selectors = selectorsIn(rules, ns);
    const other = otherPods(ns);
    const options = { known: [other.endpoint], fromEmpty: true, roles: rolesOf(rules), budget };
    const classes = withinLimit(other, derivedPods(ns, selectors, selectors, clusterName, options));
    classes.sort((a, b) => compare(a.cls.name, b.cls.name));
    pushAll(out, sided(ns, [...uniqueIds(classes), other]));
  }
  return out;
}

/** The distinct pod selectors of the rules that can hold in `ns`: those pinned to it by name, then those pinned to none. */
function selectorsIn(rules: readonly CompiledRule[], ns: NamespaceInfo): Selector[] {
  const index = selectorIndex(rules);
  return [...(index.pinned.get(ns.name) ?? []), ...index.general];
}

/** The distinct pod selectors of some rules (first occurrences, in order) by the namespaces they pin, and those pinned to none. */
interface SelectorIndex {
  readonly pinned: Map<string, Selector[]>;
  readonly general: Selector[];
  /** Per selector (`toString()`), the sides of a connection it decides for the pods it selects (`SelectorRole` bits). */
  readonly roles: Map<string, number>;
}

/**
 * The side of a connection a selector decides for the pods it selects: as its source (subjects of egress rules, peers of
 * ingress rules) or as its destination (subjects of ingress rules, peers of egress rules and Service backends). A pod's
 * verdicts as a source depend only on which source-side selectors select it, and as a destination on the other side's.
 */
enum SelectorRole {
  SOURCE = 1,
  DESTINATION = 2,
}

/** The roles of a rule's pod selectors (`podSelectors`, with the side each decides). */
function podSelectorRoles(r: CompiledRule): [Selector, number][] {
  const out: [Selector, number][] = [];
  if (r.subjectKind === 'endpoint') {
    const egress = r.present.egress || r.defaultDeny.egress ? SelectorRole.SOURCE : 0;
    const ingress = r.present.ingress || r.defaultDeny.ingress ? SelectorRole.DESTINATION : 0;
    // A rule of neither direction still selects: count it on both sides.
    out.push([r.subject, egress | ingress || SelectorRole.SOURCE | SelectorRole.DESTINATION]);
  }
  for (const [items, role] of [[[...r.items.ingress, ...r.items.ingressDeny], SelectorRole.SOURCE],
    [[...r.items.egress, ...r.items.egressDeny], SelectorRole.DESTINATION]] as const) {
    for (const item of items) {
      if (item.peer.kind === 'endpoints') pushAll(out, item.peer.selectors.map((s): [Selector, number] => [s, role]));
      if (item.peer.kind === 'services') for (const b of item.peer.backends) if (b.selector) out.push([b.selector, role]);
    }
  }
  // `fromRequires`/`toRequires` (before 1.19): ANDed onto every endpoint peer of the rules of the same subject, so which
  // peers satisfy them decides that side as a peer selector does. One selector per rule and section (the conjunction of
  // its items' requirements): the conjunction over the rules of a subject follows from which of them a pod satisfies.
  for (const [sections, role] of [[['ingress', 'ingressDeny'], SelectorRole.SOURCE], [['egress', 'egressDeny'], SelectorRole.DESTINATION]] as const) {
    for (const section of sections) if (r.requires[section].length > 0) out.push([Selector.all().and(r.requires[section]), role]);
  }
  return identityViews(out.filter(([s]) => !s.requirements.some((q) => q.source === 'reserved' && q.operator !== 'DoesNotExist' && q.operator !== 'NotIn')));
}

/**
 * The selectors as they read the identities of pods, whose labels Cilium filters before it makes them (its default
 * identity-relevant labels, which changed with 1.15 and 1.16): a selector on a key some version keeps out of identities
 * stands for its view on each version's identities (`selectorOnIdentities`), so that classes of pods, made of labels as
 * written, part the pods any version's verdicts tell apart, whatever version each set is judged for.
 */
function identityViews(selectors: [Selector, number][]): [Selector, number][] {
  const out: [Selector, number][] = [];
  for (const [sel, role] of selectors) {
    const views = new Map<string, Selector>();
    for (const v of IDENTITY_LABEL_FILTER_VERSIONS) {
      const view = selectorOnIdentities(sel, v);
      if (view !== undefined) views.set(view.toString(), view);
    }
    for (const view of views.values()) out.push([view, role]);
  }
  return out;
}

const selectorIndexes = new WeakMap<readonly CompiledRule[], SelectorIndex>();

/** The selector index of a rule list, built once (one walk over the rules rather than one per namespace). */
function selectorIndex(rules: readonly CompiledRule[]): SelectorIndex {
  let index = selectorIndexes.get(rules);
  if (!index) {
    const pinned = new Map<string, Selector[]>();
    const general: Selector[] = [];
    const seen = new Set<string>();
    const roles = new Map<string, number>();
    for (const r of rules) {
      for (const [sel, role] of podSelectorRoles(r)) roles.set(sel.toString(), (roles.get(sel.toString()) ?? 0) | role);
      for (const sel of podSelectors(r)) {
        const key = sel.toString();
        if (seen.has(key)) continue;
        seen.add(key);
        const nss = pinnedNamespaces(sel.requirements);
        if (nss.length === 0) general.push(sel);
        for (const ns of new Set(nss)) {
          const list = pinned.get(ns);
          if (list) list.push(sel);
          else pinned.set(ns, [sel]);
        }
      }
    }
    index = { pinned, general, roles };
    selectorIndexes.set(rules, index);
  }
  return index;
}

/**
 * The most label sets the atoms of one namespace's selectors keep at once (`selector-atoms.ts`): beyond it, the pods that
 * several selectors select at once are not all classes, and the diff says so (NOT COMPARED).
 */
export const ATOM_LIMIT = 2048;

/**
 * The most classes of pods that several selectors select at once, over all namespaces together: past it, a namespace's
 * combinations are not classes (noted as over `ATOM_LIMIT` is), so that hostile inputs of many namespaces each just under
 * the per-namespace limit cannot make the pairs of classes grow without bound.
 */
export const ATOM_CLASS_BUDGET = 4096;

/**
 * The most node classes of node selectors taken together (`nodeClasses`): host policies name a few node roles and zones,
 * and past this bound the nodes are a class per selector, noted (NOT COMPARED), so that many node selectors on many keys
 * cannot make the pairs grow without bound.
 */
export const NODE_CLASS_LIMIT = 256;

/** A limit noted on a class: `${who} ${what}`; notes with the same `what` are one note naming every `who`. */
interface LimitNote {
  /** What it is about, e.g. `pods of namespace prod`. */
  readonly who: string;
  /** When several notes share it, the subjects: `pods of` + `namespace prod`. */
  readonly prefix?: string;
  readonly where?: string;
  /** The rest of the sentence. */
  readonly what: string;
}

/** The classes of the pods several selectors select at once that are missing, noted per "other pods" class of their namespace. */
const atomLimits = new WeakMap<ClassifiedEndpoint, LimitNote[]>();

/** Notes on `cls` what the classes beside it could not stand for (`text` whole, or a note to merge with others). */
function noteLimit(cls: ClassifiedEndpoint, text: string | LimitNote): void {
  const note = typeof text === 'string' ? { who: '', what: text } : text;
  atomLimits.set(cls, [...(atomLimits.get(cls) ?? []), note]);
}

/** The classes of `derived`, noting on `other` (the namespace's other pods) when its atoms were over the limit. */
function withinLimit(other: ClassifiedEndpoint, derived: DerivedPods): ClassifiedEndpoint[] {
  if (derived.exceeded) {
    const where = other.cls.namespace === '(other namespaces)' ? 'other namespaces' : `namespace ${other.cls.namespace ?? ''}`;
    noteLimit(other, {
      who: `pods of ${where}`, prefix: 'pods of', where,
      what: `that several selectors select at once make more than ${ATOM_LIMIT} label sets to `
        + `tell apart, or more classes than the ${ATOM_CLASS_BUDGET} left to all namespaces together: only a pod per selector `
        + 'and per label value is a class there, so the connections of pods of several selectors are not compared; give the '
        + 'workloads (--inventory), or trace such pods on both sides',
    });
  }
  return derived.classes;
}

/**
 * What the endpoint classes could not stand for (namespaces whose pods of several selectors at once were over
 * `ATOM_LIMIT`), as notes of a diff: the connections of those pods are not compared, a possible change either way. The
 * namespaces of one limit are one note (the first five named, then how many more).
 * @param classes the classes a diff judged (as `endpointClasses` gave them)
 */
export function classLimits(classes: readonly ClassifiedEndpoint[]): NotCompared[] {
  const merged = new Map<string, LimitNote[]>();
  for (const note of classes.flatMap((c) => atomLimits.get(c) ?? [])) {
    const key = note.prefix === undefined ? `\u0000${note.who} ${note.what}` : `${note.prefix}\u0000${note.what}`;
    merged.set(key, [...(merged.get(key) ?? []), note]);
  }
  return [...merged.values()].map((notes) => {
    const [first] = notes;
    if (notes.length === 1 || first.prefix === undefined) {
      return { text: first.who === '' ? first.what : `${first.who} ${first.what}`, mayAllow: true, mayDeny: true };
    }
    const wheres = notes.map((n) => n.where ?? '');
    const shown = wheres.slice(0, 5).join(', ') + (wheres.length > 5 ? ` and ${wheres.length - 5} more` : '');
    return { text: `${first.prefix} ${shown} ${first.what}`, mayAllow: true, mayDeny: true };
  });
}

/** Witness pods, and whether the atoms of their selectors were over `ATOM_LIMIT`. */
interface DerivedPods {
  readonly classes: ClassifiedEndpoint[];
  readonly exceeded: boolean;
}

interface DerivedPodsOptions {
  /** Endpoints whose classes exist already: a witness with the signature of one of them is not a class of its own. */
  readonly known: readonly Endpoint[];
  /** The sides of a connection a selector decides for the pods it selects (`SelectorRole` bits). */
  readonly roles: (sel: Selector) => number;
  /** Also vary every key from a pod without labels (derived mode; not next to an inventory, whose workloads are the pods). */
  readonly fromEmpty: boolean;
  /** What is left of `ATOM_CLASS_BUDGET` for the classes of several selectors at once, shared by every namespace. */
  readonly budget: { left: number };
}

/**
 * Witness pods of `ns` for the `sources` selectors, one per distinct signature over all `selectors` (and none whose
 * signature one of `options.known` already has). Each source selector gives its own witness; from it (on the keys the
 * selector constrains) and, with `options.fromEmpty`, from a pod with no labels (on every key), one witness per value a
 * selector names for a key (each `In` value, plus a value none names and the key absent for keys under `NotIn`,
 * `Exists` or `DoesNotExist`), one key at a time: the witnesses grow with the keys and values the selectors name, not
 * with their product. Then, per side of a connection, a witness for each combination of that side's selectors a pod can
 * satisfy at once (an atom in which a source holds) whose verdicts on that side no witness has yet: exact, and no larger
 * than the combinations that occur.
 */
function derivedPods(ns: NamespaceInfo, sources: readonly Selector[], selectors: readonly Selector[], clusterName: string,
  options: DerivedPodsOptions): DerivedPods {
  const { known, fromEmpty } = options;
  // Which selectors select a pod, as the positions of those that do: each pod is matched only against the selectors
  // filed under its labels (`LabelIndex`), so the witnesses cost about their number, not it times the selectors'.
  const index = new LabelIndex(selectors, (s) => s);
  const signature = (ep: Endpoint): string => index.matching(podLabels(ep, clusterName)).join(',');
  const seen = new Set<string>(known.map(signature));
  const values = keyValues(selectors.flatMap((s) => s.requirements.filter(isPodRequirement)));
  const empty = podLabels(Endpoints.pod(ns.name, {}, { namespaceLabels: ns.labels }), clusterName);
  const classes: ClassifiedEndpoint[] = [];
  const add = (labels: Readonly<Record<string, string>>): void => {
    const plain = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== SERVICE_ACCOUNT_KEY));
    const sa = labels[SERVICE_ACCOUNT_KEY];
    const endpoint = podOf(ns, labels);
    const sig = signature(endpoint);
    if (seen.has(sig)) return;
    seen.add(sig);
    const text = labelText({ ...plain, ...(sa !== undefined ? { serviceaccount: sa } : {}) });
    const name = `${ns.display}/${text}`;
    classes.push({ cls: { id: name, kind: EndpointClassKind.POD, name, namespace: ns.display, labels: { ...plain } }, endpoint });
  };
  const bases: { labels: Record<string, string>; keys: ReadonlySet<string> | undefined }[] = [];
  for (const sel of sources) {
    if (!Selector.all().and(sel.requirements.filter((q) => !isPodRequirement(q))).matches(empty)) continue;
    const reqs = sel.requirements.filter(isPodRequirement);
    const w = witnessLabels(reqs);
    if (!w) continue;
    bases.push({ labels: w.labels, keys: new Set(reqs.map((q) => q.key)) });
    add(w.labels);
  }
  // The label values the selectors tell apart, one key at a time: from each witness on the keys its selector
  // constrains, and from a pod without labels on every key.
  // A witness without the key and the key varied is the same for every witness that differs only on that key (600
  // selectors `app=a<i>`: one pod without `app`, and each value once): each is varied once, so the candidates grow with
  // the witnesses plus the values, not with their product.
  const varied = new Set<string>();
  for (const { labels: base, keys } of [...bases, ...(fromEmpty ? [{ labels: {}, keys: undefined }] : [])]) {
    for (const [key, vals] of values) {
      if (keys !== undefined && !keys.has(key)) continue;
      const rest = Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
      const restKey = JSON.stringify([key, Object.entries(rest).sort(([a], [b]) => compare(a, b))]);
      if (varied.has(restKey)) continue;
      varied.add(restKey);
      for (const v of vals) add(v === undefined ? rest : { ...rest, [key]: v });
    }
  }
  // The pods several selectors select at once (`app=web` and `tier=frontend`): per side of a connection, one per atom of
  // the selectors that decide that side (a source holding in it) that no class has yet.
  const sourceSet = new Set(sources);
  // The label set of a pod with one label (or none), made once per key and value: the atoms ask it of every selector.
  const single = new Map<string, LabelSet>();
  const onlyLabel = (key: string, value: string | undefined): LabelSet => {
    const k = value === undefined ? '' : `${key}=${value}`;
    let labels = single.get(k);
    if (labels === undefined) {
      labels = podLabels(podOf(ns, value === undefined ? {} : { [key]: value }), clusterName);
      single.set(k, labels);
    }
    return labels;
  };
  let exceeded = false;
  for (const side of [SelectorRole.SOURCE, SelectorRole.DESTINATION]) {
    const sided = selectors.filter((sel) => (options.roles(sel) & side) !== 0);
    const sidedIndex = new LabelIndex(sided, (s) => s);
    const projection = (ep: Endpoint): string => sidedIndex.matching(podLabels(ep, clusterName)).join(',');
    const atoms = selectorAtoms(sided.map((sel): AtomSelector => ({
      requirements: sel.requirements.filter(isPodRequirement),
      holds: Selector.all().and(sel.requirements.filter((q) => !isPodRequirement(q))).matches(empty),
      source: sourceSet.has(sel),
    })), {
      limit: ATOM_LIMIT,
      matches: (key, value, reqs) => Selector.all().and(reqs).matches(onlyLabel(key, value)),
    });
    exceeded ||= atoms.exceeded;
    const projections = new Set([...known, ...classes.map((c) => c.endpoint)].map(projection));
    const pending: Readonly<Record<string, string>>[] = [];
    for (const labels of atoms.witnesses) {
      const p = projection(podOf(ns, labels));
      if (projections.has(p)) continue;
      projections.add(p);
      pending.push(labels);
    }
    if (pending.length > options.budget.left) {
      exceeded = true;
      continue;
    }
    const before = classes.length;
    for (const labels of pending) add(labels);
    options.budget.left -= classes.length - before;
  }
  return { classes, exceeded };
}

/** A pod of `ns` with `labels` (the service-account key as its service account). */
function podOf(ns: NamespaceInfo, labels: Readonly<Record<string, string>>): Endpoint {
  const plain = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== SERVICE_ACCOUNT_KEY));
  const sa = labels[SERVICE_ACCOUNT_KEY];
  return Endpoints.pod(ns.name, plain, { namespaceLabels: ns.labels, ...(sa !== undefined ? { serviceAccount: sa } : {}) });
}

/**
 * The CIDRs the rules name (blocks, their `except`s, Service backend addresses), once each. Every block's excepts count:
 * the same CIDR with other excepts on the two sides names both sides' excepts.
 */
function namedCidrs(rules: readonly CompiledRule[]): ParsedCidr[] {
  const named = new Map<string, ParsedCidr>();
  const add = (c: ParsedCidr): void => {
    const text = cidrText(c);
    if (!named.has(text)) named.set(text, c);
  };
  for (const r of rules) {
    for (const item of allItems(r)) {
      if (item.peer.kind === 'cidr') {
        for (const b of item.peer.blocks) {
          add(b.cidr);
          b.except.forEach(add);
        }
        // A cidrGroupSelector of every identity outside the groups: its holes and the groups' ranges split the world.
        for (const u of item.peer.ungrouped ?? []) {
          u.except.forEach(add);
          u.groupCidrs.forEach(add);
        }
      }
      if (item.peer.kind !== 'services') continue;
      for (const be of item.peer.backends) (be.cidrs ?? []).forEach(add);
    }
  }
  return [...named.values()];
}

/**
 * `world`, and a class per CIDR the rules name of a family the cluster runs (represented by an address of it that no more
 * specific CIDR holds). The named CIDRs are looked up in their nesting (`nesting`: the `CidrNesting` of `namedCidrs`),
 * never each against all the others: a rule of n CIDRs costs O(n log n) here, not O(n²).
 */
function worldClasses(nesting: CidrNesting, families: readonly (4 | 6)[]): ClassifiedEndpoint[] {
  const texts = nesting.cidrs.map(cidrText);
  // The named CIDRs that hold an address, as a key.
  const holdersOf = (ip: ParsedCidr): string => nesting.holders({ family: ip.family, value: ip.network }).map((i) => texts[i]).sort().join(',');
  const out = worldWitnesses(nesting, families);
  // A CIDR whose representative the same named CIDRs hold as a world witness is that witness's class.
  const seen = new Set<string>(out.flatMap((w) => {
    const ip = hostOf(w.endpoint.ip);
    return ip ? [holdersOf(ip)] : [];
  }));
  nesting.cidrs.forEach((c, i) => {
    // A single-stack cluster has no outside address of the other family: no class for a CIDR of it.
    if (!families.includes(c.family)) return;
    const ip = representative(c, nesting);
    if (ip === undefined) return;
    const key = holdersOf(ip);
    if (seen.has(key)) return;
    seen.add(key);
    const name = `world ${texts[i]}`;
    out.push({ cls: { id: name, kind: EndpointClassKind.WORLD, name }, endpoint: Endpoints.cidr(formatIp(ip)) });
  });
  return out;
}

/** Public documentation addresses per family: the world witnesses when no named CIDR other than a /0 holds them. */
const WORLD_ADDRESSES: Readonly<Record<4 | 6, readonly string[]>> = {
  4: ['192.0.2.1', '198.51.100.1', '203.0.113.1'],
  6: ['2001:db8::1', '2001:db8:1::1', '3fff::1'],
};

/**
 * The world classes: one `world` (no named address, every world rule holds both families alike) unless a rule names
 * `0.0.0.0/0` or `::/0`; then `world (IPv4)` and `world (IPv6)` for the families the cluster runs (`ipFamilies`: a
 * single-stack cluster has no outside address of the other family), each an address of its family that no other named
 * CIDR holds.
 */
function worldWitnesses(nesting: CidrNesting, families: readonly (4 | 6)[]): ClassifiedEndpoint[] {
  if (!nesting.cidrs.some((c) => c.prefix === 0)) {
    return [{ cls: { id: 'world', kind: EndpointClassKind.WORLD, name: 'world' }, endpoint: Endpoints.entity('world') }];
  }
  const out: ClassifiedEndpoint[] = [];
  for (const family of families) {
    const ip = freeWorldAddress(nesting, family);
    if (ip === undefined) continue;
    const name = `world (IPv${family})`;
    out.push({ cls: { id: name, kind: EndpointClassKind.WORLD, name }, endpoint: Endpoints.cidr(formatIp(ip)) });
  }
  return out;
}

/** An address of a family that no named CIDR but a /0 holds: a documentation address when one is free. */
function freeWorldAddress(nesting: CidrNesting, family: 4 | 6): ParsedCidr | undefined {
  const world: ParsedCidr = { family, network: 0n, prefix: 0 };
  const docs = WORLD_ADDRESSES[family].map(hostOf).find((ip): ip is ParsedCidr => ip !== undefined && !heldInside(world, ip.network, nesting));
  return docs ?? representative(world, nesting);
}

/**
 * The FQDN classes of the rules (`fqdn-classes.ts`), at a world address no named CIDR but a /0 holds, of a family the
 * cluster runs: IPv4, else IPv6 (named CIDRs may cover all of IPv4). None when the named CIDRs cover those families: then
 * the `toFQDNs` items that differ are not compared (`comparison-limits.ts` lists every `toFQDNs` name or pattern without a class).
 */
function fqdnClassesOf(
  rules: readonly CompiledRule[], nesting: CidrNesting, subdomainWildcard: boolean, families: readonly (4 | 6)[],
): ClassifiedEndpoint[] {
  // An address of a family the cluster runs (the first free one: IPv4 first when dual-stack).
  const ip = families.map((f) => freeWorldAddress(nesting, f)).find((a) => a !== undefined);
  return ip === undefined ? [] : fqdnClasses(rules, { subdomainWildcard, address: formatIp(ip) });
}

/** Whether a named CIDR more specific than `c` holds the address `value` of `c` (`c` a named CIDR, or a /0). */
function heldInside(c: ParsedCidr, value: bigint, nesting: CidrNesting): boolean {
  const at = nesting.innermost({ family: c.family, value });
  return at >= 0 && nesting.cidrs[at].prefix > c.prefix;
}

/** An address of `c` that no more specific named CIDR holds (a host of `c` itself when it is a single address). */
function representative(c: ParsedCidr, nesting: CidrNesting): ParsedCidr | undefined {
  const bits = c.family === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - c.prefix);
  const candidates = size === 1n ? [c.network]
    : [c.network + 1n, c.network + size - 2n, c.network + size / 2n + 1n, c.network, c.network + size - 1n];
  for (const n of candidates) {
    if (!heldInside(c, n, nesting)) return { family: c.family, network: n, prefix: bits };
  }
  // Every probe is in a more specific CIDR: step through the space between them.
  const step = size / 64n > 0n ? size / 64n : 1n;
  for (let n = c.network; n < c.network + size; n += step) {
    if (!heldInside(c, n, nesting)) return { family: c.family, network: n, prefix: bits };
  }
  return undefined;
}

/** `host`, `remote-node`, and the entities the rules name (every one `cluster` holds when a rule names `cluster` or `all`). */
function entityClasses(rules: readonly CompiledRule[], onHost: readonly string[], identity: IdentityOptions | undefined): ClassifiedEndpoint[] {
  const named = new Set<string>();
  for (const r of rules) {
    for (const item of allItems(r)) if (item.peer.kind === 'entities') for (const e of item.peer.entities) named.add(e);
    for (const q of r.subject.requirements) if (q.source === 'reserved' && NAMED_ENTITIES.includes(q.key)) named.add(q.key);
  }
  // `cluster` (and `all`) hold every entity below: a rule naming them tells each apart from the others.
  if (named.has('cluster') || named.has('all')) NAMED_ENTITIES.forEach((e) => named.add(e));
  // Workloads on the host network: their pods' traffic is the node's (the local one's `host`, another's `remote-node`).
  const workloads = onHost.length > 0 ? { workloads: [...onHost] } : {};
  const nodes = nodeClasses(rules, identity);
  // The other nodes: those with none of the labels the node selectors read (the others are node classes of their own).
  const absentOf = (keys: string[] | undefined): { nodeLabelsAbsent?: string[] } => (
    keys !== undefined && keys.length > 0 ? { nodeLabelsAbsent: keys } : {});
  const absent = absentOf(nodes.keys);
  // The local host's identity carries its node's labels (pkg/ipcache/metadata.go: the reserved:host identity with the node's
  // labels): a key an endpoint selector reads may be one it carries, so it is not said absent there.
  const host: ClassifiedEndpoint = {
    cls: { id: 'host', kind: EndpointClassKind.HOST, name: 'host', ...workloads }, endpoint: Endpoints.entity('host'), ...absentOf(nodes.hostKeys),
  };
  if (nodes.exceeded) {
    // On the first node class, or on `host` when no selector's own witness has labels (NotIn, DoesNotExist): never silent.
    noteLimit(nodes.classes[0] ?? host, `nodes that several node selectors select at once make more than ${NODE_CLASS_LIMIT} label sets to `
      + 'tell apart: only a node per selector is a class, so the connections of nodes of several selectors are not compared; '
      + 'trace such nodes on both sides (node:<labels>)');
  }
  const out: ClassifiedEndpoint[] = [
    ...nodes.classes,
    host,
    {
      cls: { id: 'remote-node', kind: EndpointClassKind.HOST, name: 'remote-node', ...workloads }, endpoint: Endpoints.entity('remote-node'), ...absent,
    },
  ];
  for (const e of NAMED_ENTITIES.filter((x) => named.has(x))) {
    out.push({ cls: { id: e, kind: EndpointClassKind.ENTITY, name: e }, endpoint: Endpoints.entity(e) });
  }
  return out;
}

/**
 * Which labels of a node a node selector reads. `subject`: a host policy's `nodeSelector` (taken as written, pkg/k8s/apis/cilium.io/utils
 * `ParseToCiliumRule`) reads the host endpoint's labels, `reserved:host` and the node's labels of the `k8s` source, no `node:` one
 * (`readsHostEndpointNodeLabels`; pkg/endpoint `InitWithNodeLabels`). `peer`: `fromNodes`/`toNodes` (with `reserved:remote-node Exists`
 * added, so never the local host) read another node's identity: its labels of the `node` source and, with per-node labels on, the
 * cluster label, no `k8s:` node label (`readsPeerNodeLabel`; pkg/node/manager `nodeIdentityLabels`).
 */
type NodeView = 'subject' | 'peer';

/** A node selector as the node classes read it: its requirements on the node's own labels, in its view, and whether the others hold. */
interface ViewedNodeSelector {
  readonly view: NodeView;
  /** Its requirements on the node's own labels, as its view reads them. */
  readonly reads: readonly SelectorRequirement[];
  /** Whether its other requirements (reserved, cluster, a source the view does not carry) hold on a node of that view. */
  readonly holds: boolean;
}

/** Whether a requirement of a node selector read in `view` reads the node's own labels (the cluster label is not the node's). */
function readsOwnNodeLabel(view: NodeView, q: SelectorRequirement): boolean {
  if (view === 'peer') return readsPeerNodeLabel(q);
  return readsHostEndpointNodeLabels(q.source, q.key) && q.source !== 'reserved' && q.key !== CLUSTER_KEY;
}

/**
 * Nodes with labels: a `node <labels>` class per combination of node selectors (the `nodeSelector` of host rules,
 * `fromNodes`/`toNodes` peers, endpoint peers and requirements that read a remote node's labels) that one node's labels can satisfy at once (`selector-atoms.ts`), so that a host policy
 * of `role=worker` nodes, or a pod's rule to them, applies to a class (`host` and `remote-node` are nodes without
 * labels, which such selectors do not select). As the subject of host policies the class is a node with those labels;
 * as the peer of a pod, another node with them (`remote-node`). Each selector is matched against the labels its role
 * reads (`NodeView`), as the engine gives them (`resolveEndpoint` and `peerView` of the class's node): `role: db` with
 * `node:role DoesNotExist` as a nodeSelector selects the nodes role=db (their host endpoints carry no `node:` label), and
 * as a `toNodes` peer no node. Over `NODE_CLASS_LIMIT` label sets, the classes are a node per selector, noted on the
 * first (`classLimits`, `exceeded`). `keys`: the keys of the node labels the selectors read which the nodes of no class
 * (`remote-node`) are known not to carry, `hostKeys` those of them the local `host` is; `undefined` when the classes are not
 * worked out (no identity options).
 * @param identity the options of the node identities (the compared sets' engine configuration)
 */
function nodeClasses(rules: readonly CompiledRule[], identity: IdentityOptions | undefined): NodeClasses {
  const selectors = new Map<string, { selector: Selector; view: NodeView; endpoints: boolean }>();
  const peerSelector = (endpoints: boolean) => (s: Selector): void => {
    const id = `peer ${s.toString()}`;
    selectors.set(id, { selector: s, view: 'peer', endpoints: endpoints || selectors.get(id)?.endpoints === true });
  };
  for (const r of rules) {
    if (r.subjectKind === 'node') selectors.set(`subject ${r.subject.toString()}`, { selector: r.subject, view: 'subject', endpoints: false });
    for (const item of allItems(r)) {
      if (item.peer.kind === 'nodes') item.peer.selectors.forEach(peerSelector(false));
      // An endpoint selector that may select remote nodes by their labels (`reserved:remote-node` and `role: edge`, with
      // per-node labels on), as the engine's gate reads it (`peerNodeLabelItems`): without it, its nodes had no class.
      if (item.peer.kind === 'endpoints') item.peer.selectors.filter((sel) => sel.requirements.some(readsPeerNodeLabel)).forEach(peerSelector(true));
    }
    // `fromRequires`/`toRequires`, AND'ed on the endpoint selectors (before 1.19): one selector per rule and section.
    for (const reqs of Object.values(r.requires)) if (reqs.some(readsPeerNodeLabel)) peerSelector(true)(Selector.all().and(reqs));
  }
  if (selectors.size === 0) return { classes: [], keys: [], hostKeys: [], exceeded: false };
  if (identity === undefined) return { classes: [], exceeded: false };
  // The labels of a node (with the labels `own`) in a view: its host endpoint's, or its identity as another node's peer.
  const viewLabels = new Map<string, LabelSet>();
  const labelsIn = (view: NodeView, own: Record<string, string>): LabelSet => {
    const id = `${view}\u0000${JSON.stringify(own)}`;
    let labels = viewLabels.get(id);
    if (labels === undefined) {
      const node = resolveEndpoint(Endpoints.node(own), identity);
      labels = view === 'subject' ? node.labels : peerView(node, node, identity).labels;
      viewLabels.set(id, labels);
    }
    return labels;
  };
  const list = [...selectors.values()].map(({ selector, view, endpoints }): ViewedNodeSelector & { endpoints: boolean } => {
    const reads = selector.requirements.filter((q) => readsOwnNodeLabel(view, q));
    const others = selector.requirements.filter((q) => !readsOwnNodeLabel(view, q));
    return { view, reads, holds: Selector.all().and(others).matches(labelsIn(view, {})), endpoints };
  }).filter((s) => s.reads.length > 0 || s.holds);
  const read = [...new Set(list.flatMap((s) => s.reads.map((q) => q.key)))].sort(compare);
  // A selector that reads no label of the node holds on every node of its view, or on none: it makes classes only with
  // one that reads labels (then the nodes it alone selects, `role NotIn [db]` beside every node, are a class: role=db).
  if (read.length === 0) return { classes: [], keys: [], hostKeys: [], exceeded: false };
  // The classes are the nodes some selector selects: `remote-node` (and `host`) stand for the others, which no selector
  // selects, as nodes without the keys. That holds of a key where every requirement on it fails without it (`In`, `Exists`:
  // a value no selector names reads as none), or where a selector `<key> Exists` alone selects every node that carries it
  // (each one is of a class). Not otherwise: `role NotIn [edge]` holds without the key and not on role=edge, of no class.
  const negated = new Set(list.flatMap((s) => s.reads.filter((q) => q.operator !== 'In' && q.operator !== 'Exists').map((q) => q.key)));
  const everyCarrier = new Set(list.filter((s) => s.holds && s.reads.length === 1 && s.reads[0].operator === 'Exists').map((s) => s.reads[0].key));
  const keys = read.filter((k) => !negated.has(k) || everyCarrier.has(k));
  // The local host carries its node's labels: a key an endpoint selector reads (`reserved:host` and `zone: a`) is not said absent on it.
  const hostRead = new Set(list.filter((s) => s.endpoints).flatMap((s) => s.reads.map((q) => q.key)));
  const hostKeys = keys.filter((k) => !hostRead.has(k));
  const found = selectorAtoms(list.map((s): AtomSelector => ({ requirements: s.reads, holds: s.holds, source: true })), {
    limit: NODE_CLASS_LIMIT,
    matches: (key, value, reqs, i) => Selector.all().and(reqs).matches(labelsIn(list[i].view, value === undefined ? {} : { [key]: value })),
  });
  const atoms = found.witnesses.length > NODE_CLASS_LIMIT ? { exceeded: true, witnesses: [] } : found;
  const witnesses = atoms.exceeded
    ? list.flatMap((s): Record<string, string>[] => {
      const w = s.holds ? witnessLabels(s.reads) : undefined;
      return w === undefined ? [] : [w.labels];
    })
    : atoms.witnesses;
  const seen = new Set<string>();
  const out: ClassifiedEndpoint[] = [];
  for (const labels of witnesses) {
    const name = `node ${labelText(labels)}`;
    if (Object.keys(labels).length === 0 || seen.has(name)) continue;
    seen.add(name);
    out.push({ cls: { id: name, kind: EndpointClassKind.HOST, name }, endpoint: Endpoints.node(labels) });
  }
  out.sort((a, b) => compare(a.cls.name, b.cls.name));
  // Past the limit a node per selector is a class: a carrier of an `Exists` key need not be of one, so only the keys read
  // by `In`/`Exists` alone are said absent then.
  const trusted = (ks: string[]): string[] => (atoms.exceeded ? ks.filter((k) => !negated.has(k)) : ks);
  return { classes: out, keys: trusted(keys), hostKeys: trusted(hostKeys), exceeded: atoms.exceeded };
}

/** The node classes (`nodeClasses`), the keys of the labels their selectors read, and whether they are a node per selector. */
interface NodeClasses {
  readonly classes: ClassifiedEndpoint[];
  readonly keys?: string[];
  /** The keys of `keys` the local host is known not to carry (not those an endpoint selector reads). */
  readonly hostKeys?: string[];
  readonly exceeded: boolean;
}

function allItems(r: CompiledRule): CompiledRule['items'][keyof CompiledRule['items']] {
  return [...r.items.ingress, ...r.items.ingressDeny, ...r.items.egress, ...r.items.egressDeny];
}

/** The selectors of a rule that select pods: its subject (endpoint rules), endpoint peers, Service backends with a selector. */
function podSelectors(r: CompiledRule): Selector[] {
  return podSelectorRoles(r).map(([s]) => s);
}

/** The sides of a connection each pod selector of `rules` decides (`SelectorRole` bits; both for a selector they lack). */
function rolesOf(rules: readonly CompiledRule[]): (sel: Selector) => number {
  const { roles } = selectorIndex(rules);
  return (sel) => roles.get(sel.toString()) ?? SelectorRole.SOURCE | SelectorRole.DESTINATION;
}

function isNamespaceRequirement(q: SelectorRequirement): boolean {
  return (q.source === 'k8s' || q.source === 'any') && q.key.startsWith(NAMESPACE_LABELS_PREFIX);
}

/**
 * The namespaces that namespace-label requirements leave out by a label, one requirement set each: `team NotIn [infra]`
 * → `team In [infra]`, `team DoesNotExist` → `team Exists`. (An `In` or `Exists` one leaves out the namespaces without
 * the label, which "(other namespaces)" stands for.)
 */
function excludedByLabel(reqs: readonly SelectorRequirement[]): SelectorRequirement[][] {
  const out: SelectorRequirement[][] = [];
  for (const q of reqs) {
    // A namespace left out by name is a class of its own already (`namedNamespaces`).
    if (q.key === `${NAMESPACE_LABELS_PREFIX}kubernetes.io/metadata.name`) continue;
    if (q.operator === 'NotIn' && q.values.length > 0) out.push([{ ...q, operator: 'In' }]);
    else if (q.operator === 'DoesNotExist') out.push([{ ...q, operator: 'Exists', values: [] }]);
  }
  return out;
}

/** A requirement on the pod's own labels or service account (not its namespace, cluster or reserved identity). */
function isPodRequirement(q: SelectorRequirement): boolean {
  return (q.source === 'k8s' || q.source === 'any') && q.key !== NAMESPACE_KEY && q.key !== CLUSTER_KEY && !q.key.startsWith(NAMESPACE_LABELS_PREFIX);
}

/** The namespaces a selector pins by name (`io.kubernetes.pod.namespace In`, or the namespace's `kubernetes.io/metadata.name`). */
function pinnedNamespaces(reqs: readonly SelectorRequirement[]): string[] {
  return namespacesByName(reqs, false);
}

/**
 * The namespaces requirements name, to be told apart from the others: those they pin (`In`) and those they leave out
 * (`NotIn`: a CCNP of `k8s:io.kubernetes.pod.namespace NotIn [kube-system]` selects every namespace but that one, so
 * kube-system is a class of its own; before, it stood in "(other namespaces)", selected or not as the other side had it).
 */
function namedNamespaces(reqs: readonly SelectorRequirement[]): string[] {
  return namespacesByName(reqs, true);
}

function namespacesByName(reqs: readonly SelectorRequirement[], excluded: boolean): string[] {
  const out: string[] = [];
  for (const q of reqs) {
    if ((q.source !== 'k8s' && q.source !== 'any') || (q.operator !== 'In' && !(excluded && q.operator === 'NotIn'))) continue;
    if (q.key === NAMESPACE_KEY || q.key === `${NAMESPACE_LABELS_PREFIX}${META_NAME}`) pushAll(out, q.values);
  }
  return out;
}

/** Labels that satisfy requirements on plain keys, or `undefined` when they cannot all hold. */
function witnessLabels(reqs: readonly SelectorRequirement[]): { labels: Record<string, string> } | undefined {
  const byKey = new Map<string, SelectorRequirement[]>();
  for (const q of reqs) {
    const list = byKey.get(q.key);
    if (list) list.push(q);
    else byKey.set(q.key, [q]);
  }
  const labels: Record<string, string> = {};
  for (const [key, list] of [...byKey.entries()].sort(([a], [b]) => compare(a, b))) {
    let allowed: string[] | undefined;
    const excluded = new Set<string>();
    let exists = false;
    let absent = false;
    for (const q of list) {
      if (q.operator === 'In') allowed = allowed === undefined ? [...q.values] : allowed.filter((v) => q.values.includes(v));
      else if (q.operator === 'NotIn') q.values.forEach((v) => excluded.add(v));
      else if (q.operator === 'Exists') exists = true;
      else if (q.operator === 'DoesNotExist') absent = true;
      else return undefined;
    }
    if (allowed !== undefined) {
      if (absent) return undefined;
      const v = [...allowed].sort().find((x) => !excluded.has(x));
      if (v === undefined) return undefined;
      labels[key] = v;
    } else if (exists) {
      if (absent) return undefined;
      let v = 'any';
      for (let i = 1; excluded.has(v); i++) v = `any${i}`;
      labels[key] = v;
    }
  }
  return { labels };
}

/** The name of a class of namespaces no input names: `(namespaces with team=pay)`, `(namespaces without labels)`. */
function namespacesWith(text: string): string {
  return text === '' ? '(namespaces without labels)' : `(namespaces with ${text})`;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return sortedEntries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(',');
}

function sortedEntries(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => compare(a, b));
}

function cidrText(c: ParsedCidr): string {
  return `${formatIp(c)}/${c.prefix}`;
}

/** Makes ids unique within a list (`name`, `name (2)`, …). */
function uniqueIds(list: ClassifiedEndpoint[]): ClassifiedEndpoint[] {
  const seen = new Map<string, number>();
  return list.map((c) => {
    const n = (seen.get(c.cls.id) ?? 0) + 1;
    seen.set(c.cls.id, n);
    if (n === 1) return c;
    const id = `${c.cls.id} (${n})`;
    return carryNotes(c, { ...c, cls: { ...c.cls, id, name: id } });
  });
}

/** An address as a single-address CIDR (`undefined` when it is not one). */
function hostOf(text: string | undefined): ParsedCidr | undefined {
  const ip = text === undefined ? undefined : parseIp(text);
  return ip && { family: ip.family, network: ip.value, prefix: ip.family === 4 ? 32 : 128 };
}
