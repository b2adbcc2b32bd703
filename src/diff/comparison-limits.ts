/**
 * What a connectivity diff cannot see: rule items whose peers the endpoint classes cannot stand for — cloud groups
 * (`toGroups`), peers the inputs cannot resolve (a CIDR group or Service that is not in them), and DNS names or patterns
 * (`toFQDNs`) that got no `fqdn:` class (the named CIDRs leave no world address free) — and named ports where no
 * workload of the inputs declares the port. Also `toFQDNs` items that differ while a DNS rule of a client goes to peers
 * the modelled DNS server is not one of (the pods may look names up at another server: `--dns-server`). When such items differ between base and
 * head, the diff says so, and `--fail-on` counts them as the change they may be, instead of a silent "no change".
 * Likewise when the two inventories say different things of the same Namespace or workload (namespace labels, pod
 * labels, container ports, service account): the endpoint classes hold one version of those facts for both sides.
 * And CIDR rules under `cidrMatchNodes` (`policy-cidr-match-mode=nodes`): they then select the nodes whose IPs they hold,
 * which the `host` and `remote-node` classes do not carry (the inputs do not give node IPs). And, with the IP families
 * defaulted beside a rule naming a /0, the verdicts of the other family's outside addresses that differ
 * (`other-family-world.ts`).
 */
import { CompiledItem, CompiledRule } from '../engine/compile';
import { mayOverlap } from '../validate/pod-selectors';
import { familiesOf, peerView, resolveEndpoint } from '../engine/identity';
import { itemSelectsPeer } from '../engine/peer-selection';
import { PolicySet } from '../engine/policy-set';
import { formatEndpoint } from '../engine/endpoint';
import { describePolicy, envoyRestricts, serverNameSet } from '../engine/evaluate';
import { EndpointClass, EndpointClassKind, NotCompared, NotJudged } from '../model/connectivity-document';
import { MAX_OVERLAP_CLASSES, fqdnClassIdOf, fqdnClassIdOfSelector, fqdnClassPlan, selectsNoLookupName } from './fqdn-classes';
import { CiliumVersion } from '../core/cilium-version';
import { stable } from './rule-content';
import { compareCodeUnits } from '../model/code-unit-order';
import type { RestrictionChanges } from './restriction-changes';
import type { OtherFamilyWorld } from './other-family-world';

interface Blind {
  readonly kind: string;
  readonly what: string;
  readonly check: string;
  /**
   * Whether what the engine misses of these items is a restriction of an allow it does judge (TLS server names, TLS
   * interception, a listener, mutual authentication judged as passing): an item added may then deny, one removed allow.
   * Otherwise what it misses is the item's own allow or deny: an allow added (or a deny removed) may allow.
   * @default false
   */
  readonly restricts?: boolean;
}

const FQDNS: Blind = {
  kind: 'fqdns', what: 'toFQDNs rules whose names or patterns have no fqdn: class (the named CIDRs leave no world address free)',
  check: 'trace --to fqdn:<name>@<ip> on both sides',
};
const GROUPS: Blind = { kind: 'groups', what: 'toGroups rules', check: 'the groups are resolved by the operator from the cloud API; review them by hand' };
const UNRESOLVED: Blind = {
  kind: 'unresolved', what: 'rules with peers the inputs cannot resolve (CIDR groups or Services that are not in them)',
  check: 'add the CiliumCIDRGroup and Service manifests to both sides',
};
const OVERLAPS: Blind = {
  kind: 'overlaps',
  what: `toFQDNs and DNS rules with patterns whose overlaps got no fqdn: class (over ${MAX_OVERLAP_CLASSES} overlapping pairs of patterns)`,
  check: 'trace --to fqdn:<name>@<ip> on both sides for names several patterns match',
};
const UNEVALUATED: Blind = {
  kind: 'unevaluated',
  what: 'rules with TLS server names (serverNames), TLS interception or an Envoy listener, which the engine does not evaluate, or mutual '
    + 'authentication judged as passing (mutualAuth: it assumes SPIRE attests both identities)',
  check: 'review the TLS and authentication settings by hand (trace notes them on the connections they allow)',
  // The engine judges these items as plain allows, so the allow of one added or removed is compared; what it misses is the
  // restriction: an SNI list, a TLS context, a listener or authentication added narrows (Envoy refuses another SNI; Cilium's
  // createL4Filter keeps them also without default deny), one removed widens.
  restricts: true,
};
const NODE_CIDRS: Blind = {
  kind: 'node-cidrs',
  what: 'CIDR rules, which select node IPs here (cidrMatchNodes: policy-cidr-match-mode=nodes) while the host and remote-node classes carry no IP,',
  check: 'trace the nodes by their IPs (node:<labels>@<ip>) on both sides',
};
const FAMILIES: Blind = {
  kind: 'families',
  what: 'rules naming addresses or ICMP types of an IP family the cluster is judged without (--ip-families: the endpoint classes '
    + 'carry none of its addresses)',
  check: 'diff with --ip-families dual (or the families the cluster runs) to compare them',
};
const FQDN_FAMILY: Blind = {
  kind: 'fqdn-family',
  what: 'toFQDNs rules beside a rule naming a /0 (the fqdn: classes carry an address of one IP family, while a /0 selects the answers '
    + 'of its own family only: a dual-stack cluster\'s AAAA answers are world-ipv6 CIDR identities)',
  check: 'trace --to fqdn:<name>@<an address of the other family> on both sides',
};
const SCTP: Blind = {
  kind: 'sctp',
  what: 'rules naming SCTP, judged without enable-sctp (the datapath then drops SCTP before any policy: bpf/lib/conntrack.h '
    + '`ipv4_extract_tuple`, DROP_CT_UNKNOWN_PROTO)',
  check: 'pass --sctp if the cluster enables it (Helm sctp.enabled)',
};
const NAMED: Blind = { kind: 'named', what: 'rules with named ports', check: 'give the workloads that declare the ports (--inventory, or their manifests beside the policies)' };

/**
 * The limits of comparing `base` with `head`, in a fixed order; empty when every differing item could be compared.
 * @param classes the endpoint classes the diff judged (a `toFQDNs` name or pattern without an `fqdn:` class is blind)
 * @param restrictions the connections, allowed on both sides, whose unevaluated restriction (TLS server names, TLS
 *   interception, a listener) changed (`restriction-changes.ts`): noted with the unevaluated items, gained as `denied`,
 *   lost as `allowed`
 * @param otherWorld the connections of the outside addresses of the family a defaulted judging leaves out whose verdicts
 *   differ, and of the judged family's whose dual-stack verdicts differ from the changes shown (`other-family-world.ts`):
 *   noted, as `allowed` and `denied` by the direction they took
 */
export function comparisonLimits(base: PolicySet, head: PolicySet, classes: readonly EndpointClass[],
  restrictions?: RestrictionChanges, otherWorld: readonly OtherFamilyWorld[] = []): NotCompared[] {
  const fqdnIds = new Set(classes.filter((c) => c.kind === EndpointClassKind.FQDN).map((c) => c.id));
  // The world classes split by family (a rule names a /0) while the cluster may run both families (defaulted, or dual): the
  // fqdn: classes stand at an address of one family only (endpoint-classes.ts `fqdnClassesOf`), and the answers of the other
  // are decided apart by the /0 (pkg/labels GetCIDRLabels: a dual-stack agent labels them world-ipv6).
  const config = base._engineConfig;
  const fqdnOneFamily = classes.some((c) => c.kind === EndpointClassKind.WORLD && /^world \(IPv[46]\)$/.test(c.id))
    && (config.ipFamiliesDefaulted === true || familiesOf(config.ipFamilies).length === 2);
  const sees = { fqdnIds, overlapsLeftOut: overlapPatternsLeftOut([base, head], fqdnIds), fqdnOneFamily };
  const before = blindItems(base, sees);
  const after = blindItems(head, sees);
  const out: NotCompared[] = [];
  for (const blind of [FQDNS, OVERLAPS, GROUPS, UNRESOLVED, NAMED, UNEVALUATED, NODE_CIDRS, FAMILIES, FQDN_FAMILY, SCTP]) {
    const added = minus(after.get(blind.kind) ?? [], before.get(blind.kind) ?? []);
    const removed = minus(before.get(blind.kind) ?? [], after.get(blind.kind) ?? []);
    // The restrictions that changed on allowed connections while no item of theirs did (a plain sibling allow added or
    // removed): noted with these items, as what they may do.
    const verdicts = blind.restricts === true ? restrictions : undefined;
    if (added.length === 0 && removed.length === 0 && verdicts === undefined) continue;
    const mayAllow = blind.restricts === true ? removed.length > 0 || (verdicts?.lost ?? 0) > 0
      : added.some((s) => !s.deny) || removed.some((s) => s.deny);
    const mayDeny = blind.restricts === true ? added.length > 0 || (verdicts?.gained ?? 0) > 0
      : removed.some((s) => !s.deny) || added.some((s) => s.deny);
    const counts = [added.length > 0 ? `${added.length} added` : '', removed.length > 0 ? `${removed.length} removed` : ''].filter(Boolean).join(', ');
    const items = counts === '' ? '' : `${blind.what} differ between base and head (${counts}): the connections they decide are not compared`;
    const changed = verdicts === undefined ? '' : `${restrictionsText(verdicts)}: whether the proxy lets them through is not compared`;
    out.push({
      text: `${[items, changed].filter((t) => t !== '').join('; and ')}; ${blind.check}`,
      mayAllow,
      mayDeny,
    });
  }
  for (const w of otherWorld) out.push(otherWorldNote(w));
  const skipped = skippedDifference(base, head);
  if (skipped !== undefined) out.push(skipped);
  const elsewhere = otherDnsServer(base, head);
  if (elsewhere !== undefined) out.push(elsewhere);
  const onHost = hostNetworkDifferences(base, head);
  if (onHost !== undefined) out.push(onHost);
  const facts = inventoryDifferences(base, head);
  if (facts.length > 0) {
    const shown = facts.slice(0, 5).join('; ') + (facts.length > 5 ? `; and ${facts.length - 5} more` : '');
    out.push({
      text: `the inventories say different things of the same Namespaces or workloads (${shown}): the endpoint classes hold one `
        + 'version of these facts for both sides, so the connections they decide (namespace-label selectors, named ports, '
        + 'service accounts) are not compared; trace the workloads on both sides, or diff with the same --inventory',
      mayAllow: true,
      mayDeny: true,
    });
  }
  return out;
}

/** The connections whose unevaluated restriction changed, as words. */
function restrictionsText(r: RestrictionChanges): string {
  const n = r.gained + r.lost;
  const how = [r.gained > 0 ? `gained on ${r.gained}` : '', r.lost > 0 ? `lost on ${r.lost}` : ''].filter((t) => t !== '').join(', ');
  return `the TLS server names, TLS interception or Envoy listener restricting ${n} connection${n === 1 ? '' : 's'} allowed on both sides differ `
    + `between base and head (${how}; ${r.examples.join('; ')}${n > r.examples.length ? '; …' : ''})`;
}

/**
 * The connections of the outside addresses of the family a defaulted judging leaves out whose verdicts differ, or of the
 * judged family's whose dual-stack verdicts differ from the changes shown (`other-family-world.ts`), as a note counted
 * by the direction they took.
 */
function otherWorldNote(w: OtherFamilyWorld): NotCompared {
  const n = w.examples.length < w.allowed + w.denied ? '; …' : '';
  const examples = `(${w.examples.join('; ')}${n})`;
  const text = w.judgedFamily
    ? 'judged for one IP family (the families are defaulted: --ip-families), its outside addresses carry reserved:world, while a dual-stack '
      + 'cluster on Cilium 1.15 or later labels them reserved:world-ipv4 (a selector of reserved:world or world-ipv4 reads them otherwise): '
      + `judged dual-stack, base and head decide ${w.world} differently than shown ${examples}: the connections are not compared; ${FAMILIES.check}`
    : 'judged for the IP family of the cluster only (the families are defaulted: --ip-families), the outside addresses of the other '
      + `(${w.world}, which a dual-stack cluster has: the world entity, all, an item without a peer and a cidrGroupSelector of no group label `
      + `select them, a /0 of that family does) are decided differently by base and head ${examples}: the connections are `
      + `not compared; ${FAMILIES.check}`;
  return { text, mayAllow: w.allowed > 0, mayDeny: w.denied > 0 };
}

/**
 * When the rules the engine skips (the API server or the agent rejects them: `engine-policy-skipped`) differ between base
 * and head: the diff judges each side without them, but whether the cluster enforces none of them is the engine's claim,
 * and an update the API server rejects leaves the old object in force, not none. Such a rule added, changed or removed
 * may allow or deny anything, so `--fail-on` counts it as both (a pull request adding a policy the engine cannot judge
 * never passes as "no change").
 */
function skippedDifference(base: PolicySet, head: PolicySet): NotCompared | undefined {
  const keys = (set: PolicySet): { key: string; text: string }[] => set._compiledRules.filter((r) => !r.imported)
    .map((r) => ({ key: JSON.stringify([r.policy.kind, r.policy.namespace ?? '', r.policy.name, r.rulePath]), text: describePolicy(r.policy) }));
  const [before, after] = [keys(base), keys(head)];
  const differing = [...new Set([...minus(after, before), ...minus(before, after)].map((k) => k.text))].sort(compareCodeUnits);
  if (differing.length === 0) return undefined;
  const shown = differing.slice(0, 5).join(', ') + (differing.length > 5 ? ` and ${differing.length - 5} more` : '');
  return {
    text: `policies the engine skips (the API server or the agent rejects them) differ between base and head (${shown}): the `
      + 'connections they would decide are not compared (a rejected update leaves the old object in force); run '
      + '`cdk8s-cilium validate` on them and fix their errors',
    mayAllow: true,
    mayDeny: true,
  };
}

/**
 * When a DNS rule (`rules.dns`) of either side goes to peers that do not include the DNS server the engine models (a
 * NodeLocal DNSCache address, another resolver) and either `toFQDNs` items differ between the sides (for pods that may
 * have such a DNS rule), or such a DNS rule itself differs (for pods that may have `toFQDNs` items): the pods may look
 * names up there, and the learning the diff judged through the modelled server may not be theirs. Narrowing the
 * NodeLocal DNS rule alone stops the learning of names no `toFQDNs` change touches.
 */
function otherDnsServer(base: PolicySet, head: PolicySet): NotCompared | undefined {
  const fqdns = (set: PolicySet): Signature[] => blindItems(set, undefined).get('toFQDNs') ?? [];
  const before = fqdns(base);
  const after = fqdns(head);
  // The rules whose toFQDNs items differ: only their subjects' lookups matter.
  const differing = [...minus(after, before), ...minus(before, after)].map((s) => s.rule);
  // The DNS rules toward another server that differ, for the subjects of any toFQDNs rule of either side.
  const withFqdns = [...before, ...after].map((s) => s.rule);
  const [elsewhereBefore, elsewhereAfter] = [dnsRulesElsewhere(base), dnsRulesElsewhere(head)];
  const changedDns = [...minus(elsewhereAfter, elsewhereBefore), ...minus(elsewhereBefore, elsewhereAfter)];
  const concernedDns = changedDns.filter((e) => withFqdns.some((d) => d.subjectKind === e.rule.subjectKind && mayOverlap(d.subject, e.rule.subject)));
  const servers = [...new Set([...dnsRulesElsewhereOf([base, head], differing), ...concernedDns.map((e) => e.text)])].sort(compareCodeUnits);
  if (servers.length === 0) return undefined;
  return { text: otherDnsServerText(servers, DnsElsewhereIn.DIFF), mayAllow: true, mayDeny: true };
}

/** Where the note on DNS rules toward another server is printed: a diff or a report. */
export enum DnsElsewhereIn {
  /** A diff: `toFQDNs` items, or DNS rules toward another server of pods with `toFQDNs` items, differ. */
  DIFF = 'diff',
  /** A report: `toFQDNs` items exist. */
  REPORT = 'report',
}

/**
 * The note on DNS rules that go to peers other than the modelled DNS server (`servers`, as `dnsRulesElsewhereOf`
 * lists them), worded for a diff (`toFQDNs` rules differ, the connections are not compared) or a report (the connections
 * are not judged, and may be left out).
 */
export function otherDnsServerText(servers: readonly string[], where: DnsElsewhereIn): string {
  const lead = where === DnsElsewhereIn.DIFF ? 'toFQDNs rules, or DNS rules of pods with toFQDNs rules, differ between base and head, and DNS rules of the same pods'
    : 'DNS rules of pods that have toFQDNs rules';
  const outcome = where === DnsElsewhereIn.DIFF ? 'not compared through it'
    : 'judged only through the modelled server (names those pods learn elsewhere are left out of the report)';
  return `${lead} go to peers that are not the modelled DNS server (${servers.join('; ')}): the pods may look names up at `
    + `another DNS server (a NodeLocal DNSCache), so the connections to toFQDNs names are ${outcome}; give that server with --dns-server`;
}

/**
 * The DNS rules of the sets (`<policy> <path> does not select <server>`, sorted, once each) that go to peers other than
 * the set's DNS server, in rules whose subjects may overlap those of one of `concerning` (the rules with `toFQDNs`
 * items that matter).
 */
export function dnsRulesElsewhereOf(sets: readonly PolicySet[], concerning: readonly CompiledRule[]): string[] {
  if (concerning.length === 0) return [];
  const concerned = (rule: CompiledRule): boolean => concerning.some((d) => d.subjectKind === rule.subjectKind
    && mayOverlap(d.subject, rule.subject));
  return [...new Set(sets.flatMap((set) => dnsRulesElsewhere(set).filter((e) => concerned(e.rule)).map((e) => e.text)))].sort(compareCodeUnits);
}

/**
 * The notes of a report on what it cannot judge: DNS rules of pods with `toFQDNs` rules that go to another DNS server
 * than the modelled one (the names those pods reach through it are not in the report); items the engine does not
 * evaluate; CIDR rules under `cidrMatchNodes`, which select the nodes of their IPs (the node classes carry none).
 */
export function reportLimits(set: PolicySet): NotJudged[] {
  const withFqdns = (blindItems(set, undefined).get('toFQDNs') ?? []).map((s) => s.rule);
  const servers = dnsRulesElsewhereOf([set], withFqdns);
  const out: NotJudged[] = servers.length === 0 ? [] : [{ text: otherDnsServerText(servers, DnsElsewhereIn.REPORT) }];
  const items = set._compiledRules.filter((r) => r.imported)
    .flatMap((r) => Object.values(r.items).flat().filter((item) => !item.deny && unevaluated(item, set._engineConfig.mutualAuth))
      .map((item) => `${r.policy.namespace !== undefined ? `${r.policy.namespace}/` : ''}${r.policy.name} ${item.path}`));
  if (items.length > 0) {
    const shown = items.slice(0, 5).join(', ') + (items.length > 5 ? ` and ${items.length - 5} more` : '');
    out.push({
      text: `${items.length} allow rule item${items.length === 1 ? '' : 's'} (${shown}) restrict TLS server names (serverNames), `
        + 'intercept TLS or use an Envoy listener, which the engine does not evaluate, or require mutual authentication, which it '
        + 'judges as passing (mutualAuth): the connections they allow are listed without those restrictions; review them by hand',
    });
  }
  // Every CIDR item, whatever else it carries (a named port, which the report does not note, is classified first by
  // `blindKind`).
  const nodeCidrs = !set._engineConfig.cidrMatchNodes ? 0 : set._compiledRules.filter((r) => r.imported)
    .reduce((n, r) => n + Object.values(r.items).flat().filter((item) => item.peer.kind === 'cidr').length, 0);
  if (nodeCidrs > 0) {
    out.push({
      text: `${nodeCidrs} rule item${nodeCidrs === 1 ? '' : 's'} with CIDR peers select${nodeCidrs === 1 ? 's' : ''} node IPs (cidrMatchNodes: policy-cidr-match-mode=nodes), `
        + `which the host and remote-node classes do not carry: the nodes' connections they decide are not judged; ${NODE_CIDRS.check}`,
    });
  }
  return out;
}

/** The DNS rule items of the set (`<policy> <path> does not select <server>`) whose peers do not include its DNS server. */
function dnsRulesElsewhere(set: PolicySet): { text: string; rule: CompiledRule; key: string }[] {
  const config = set._engineConfig;
  const server = resolveEndpoint(set.inventory.enrich(set._dnsServer), config);
  const view = peerView(server, server, config);
  const out: { text: string; rule: CompiledRule; key: string }[] = [];
  for (const rule of set._compiledRules) {
    if (!rule.imported) continue;
    for (const item of rule.items.egress) {
      if (item.deny || item.l4.kind !== 'ports' || !item.l4.portRules.some((r) => (r.rules?.dns?.length ?? 0) > 0)) continue;
      if (itemSelectsPeer(item, view, [], config)) continue;
      const text = `${rule.policy.namespace !== undefined ? `${rule.policy.namespace}/` : ''}${rule.policy.name} ${item.path} does not select ${formatEndpoint(set._dnsServer)}`;
      out.push({ text, rule, key: JSON.stringify(itemContentKey(rule, item)) });
    }
  }
  return out;
}

/** The Namespaces and workloads (by name) whose labels, container ports or service account differ between the inventories. */
function inventoryDifferences(base: PolicySet, head: PolicySet): string[] {
  const out: string[] = [];
  const nsKey = (set: PolicySet, ns: string): string => JSON.stringify(Object.entries(set.inventory.namespaceLabels(ns) ?? {}).sort());
  const names = new Set(base.inventory.namespaceNames());
  for (const ns of [...names].sort()) {
    if (head.inventory.namespaceNames().includes(ns) && nsKey(base, ns) !== nsKey(head, ns)) out.push(`labels of Namespace ${ns}`);
  }
  const workloads = (set: PolicySet): Map<string, string> => new Map(set.inventory.workloads.map((w) => [
    `${w.kind} ${w.namespace}/${w.name}`,
    JSON.stringify([Object.entries(w.podLabels).sort(), w.ports, w.serviceAccount ?? '']),
  ]));
  const before = workloads(base);
  const after = workloads(head);
  for (const [name, key] of [...before].sort((a, b) => compareCodeUnits(a[0], b[0]))) {
    const other = after.get(name);
    if (other !== undefined && other !== key) out.push(`labels, container ports or service account of ${name}`);
  }
  return out;
}

/**
 * The workloads (by name) that run their pods on the host network (`hostNetwork: true`) on one side only: on that side
 * Cilium manages no endpoint for their pods, whose traffic carries their node's identity (pkg/endpoint: no endpoint is
 * created for a host-network pod), so the endpoint classes make a pod class of them on neither side (`endpoint-classes.ts`
 * `mergedInventory`) and their connections as pods on the other side are not compared: noted, never a refusal.
 */
function hostNetworkDifferences(base: PolicySet, head: PolicySet): NotCompared | undefined {
  const onHost = (set: PolicySet): Map<string, boolean> => new Map(set.inventory.workloads.map((w) => [`${w.kind} ${w.namespace}/${w.name}`, w.hostNetwork === true]));
  const before = onHost(base);
  const after = onHost(head);
  const differ = [...before].filter(([name, host]) => after.has(name) && after.get(name) !== host)
    .sort((a, b) => compareCodeUnits(a[0], b[0])).map(([name, host]) => `${name} (on ${host ? 'base' : 'head'} only)`);
  if (differ.length === 0) return undefined;
  const shown = differ.slice(0, 5).join(', ') + (differ.length > 5 ? `, and ${differ.length - 5} more` : '');
  return {
    text: `workloads run their pods on the host network (hostNetwork: true) on one side only (${shown}): there Cilium manages no endpoint `
      + 'for them and their traffic carries their node\'s identity (the host and remote-node classes), so no pod class stands for them '
      + 'and their connections as pods on the other side are not compared; trace them as pods (pod:<namespace>:<labels>) on the side '
      + 'where they are pods, as their node (entity:host, entity:remote-node) on the other',
    mayAllow: true,
    mayDeny: true,
  };
}

interface Signature {
  readonly key: string;
  readonly deny: boolean;
  /** The rule the item belongs to (whose subjects it is a rule of). */
  readonly rule: CompiledRule;
}

/** What the classes of a diff stand for: their `fqdn:` ids, and the patterns with an overlap left without a class. */
interface ClassesSee {
  readonly fqdnIds: ReadonlySet<string>;
  readonly overlapsLeftOut: ReadonlySet<string>;
  /** Whether the fqdn: classes stand for the answers of one IP family only, beside a /0 (see `comparisonLimits`). */
  readonly fqdnOneFamily: boolean;
}

/**
 * The patterns (as their `fqdn:` class shows them) of the overlaps that got no class (`fqdnClassPlan`), when the classes
 * judged have `fqdn:` classes (none: every toFQDNs item is blind anyway).
 */
function overlapPatternsLeftOut(sets: readonly PolicySet[], fqdnIds: ReadonlySet<string>): ReadonlySet<string> {
  if (fqdnIds.size === 0) return new Set();
  const rules = sets.flatMap((s) => s._compiledRules.filter((r) => r.imported));
  const plan = fqdnClassPlan(rules, sets[0]._engineConfig.version.atLeast(CiliumVersion.V1_19));
  return new Set(plan.overlapsLeftOut.flatMap((o) => o.split(' & ')));
}

/** Items of the set the diff cannot compare, by kind, as content signatures (policy names left out: a rename is no change). */
function blindItems(set: PolicySet, sees: ClassesSee | undefined): Map<string, Signature[]> {
  const out = new Map<string, Signature[]>();
  const namedResolvable = set.inventory.workloads.length > 0;
  const mutualAuth = set._engineConfig.mutualAuth;
  const nodeCidrs = set._engineConfig.cidrMatchNodes;
  const sctp = set._engineConfig.sctp;
  // Only a defaulted family choice leaves the other family unknown: one given (or inferred from a capture) that leaves it
  // out says the agent runs without it (`enable-ipv4`/`enable-ipv6` off), so its addresses and ICMP types are inert.
  const families = set._engineConfig.ipFamiliesDefaulted === true ? familiesOf(set._engineConfig.ipFamilies) : undefined;
  for (const rule of set._compiledRules) {
    if (!rule.imported) continue;
    for (const items of Object.values(rule.items)) {
      for (const item of items) {
        // Without classes: every toFQDNs item, under its own kind (the DNS server check compares them).
        const kind = sees === undefined ? (item.peer.kind === 'fqdns' ? 'toFQDNs' : undefined)
          : blindKind(item, namedResolvable, mutualAuth, sees, nodeCidrs)
            ?? (families !== undefined && otherFamily(item, families) ? FAMILIES.kind : undefined)
            ?? (sees.fqdnOneFamily && item.peer.kind === 'fqdns' ? FQDN_FAMILY.kind : undefined)
            ?? (!sctp && namesSctp(item) ? SCTP.kind : undefined);
        if (kind === undefined) continue;
        const key = JSON.stringify([...itemContentKey(rule, item), item.notes]);
        const list = out.get(kind) ?? [];
        list.push({ key, deny: item.deny, rule });
        out.set(kind, list);
      }
    }
  }
  return out;
}

function blindKind(item: CompiledItem, namedResolvable: boolean, mutualAuth: boolean, sees: ClassesSee, nodeCidrs: boolean): string | undefined {
  // A name or pattern no lookup gives a name of (a label past 63) selects nothing: nothing of it to compare.
  if (item.peer.kind === 'fqdns' && item.peer.matchers.some((m) => {
    const id = fqdnClassIdOf(m.text);
    return id !== undefined && !sees.fqdnIds.has(id) && !selectsNoLookupName(m.text);
  })) return FQDNS.kind;
  if (sees.overlapsLeftOut.size > 0) {
    const overlapping = (text: string | undefined): boolean => text !== undefined && sees.overlapsLeftOut.has(text.slice('fqdn:'.length));
    if (item.peer.kind === 'fqdns' && item.peer.matchers.some((m) => overlapping(fqdnClassIdOf(m.text)))) return OVERLAPS.kind;
    if (!item.deny && item.l4.kind === 'ports' && item.l4.portRules.some((r) => (r.rules?.dns ?? []).some((d) => overlapping(fqdnClassIdOfSelector(d))))) {
      return OVERLAPS.kind;
    }
  }
  if (item.peer.kind === 'groups') return GROUPS.kind;
  if (item.notes.some((n) => n.includes('selects nothing'))) return UNRESOLVED.kind;
  if (!namedResolvable && item.l4.kind === 'ports' && item.l4.portRules.some((r) => r.ports.some((p) => p.kind === 'named'))) return NAMED.kind;
  if (unevaluated(item, mutualAuth)) return UNEVALUATED.kind;
  if (nodeCidrs && item.peer.kind === 'cidr') return NODE_CIDRS.kind;
  return undefined;
}

/** Whether an item's ports name SCTP alone (`protocol: SCTP`; `ANY` names every protocol, judged as such). */
function namesSctp(item: CompiledItem): boolean {
  return item.l4.kind === 'ports' && item.l4.portRules.some((r) => r.ports.some((p) => p.protocols.length === 1 && p.protocols[0] === 'SCTP'));
}

/**
 * Whether an item names a CIDR or an ICMP type of an IP family the cluster is judged without: the classes carry no address
 * of it, so a change of only that part changed no verdict (a moved IPv6 block in an IPv4-only judging, the default, was a
 * silent "no change"). The outside addresses of that family, which items of every family decide too, are judged apart
 * (`other-family-world.ts`).
 */
function otherFamily(item: CompiledItem, families: readonly (4 | 6)[]): boolean {
  if (families.length === 2) return false;
  if (item.peer.kind === 'cidr' && item.peer.blocks.some((b) => !families.includes(b.cidr.family))) return true;
  return item.l4.kind === 'ports' && item.l4.icmps.some((i) => !families.includes(i.family === 'IPv6' ? 6 : 4));
}

/**
 * Whether an item carries what the engine does not evaluate: TLS server names, TLS interception or a listener (the engine's
 * `envoyRestricts`, which also gives the verdicts their `unevaluatedRestriction`), or mutual
 * authentication it judges as passing (mode `required` with `mutualAuth`; without it, and `test-always-fail` always, it is
 * judged: the traffic is dropped).
 */
function unevaluated(item: CompiledItem, mutualAuth: boolean): boolean {
  return (item.authentication === 'required' && mutualAuth)
    || (item.l4.kind === 'ports' && item.l4.portRules.some(envoyRestricts));
}

/** What an item says and whose it is, without names (a rename is no change): the parts of its comparison key. */
function itemContentKey(rule: CompiledRule, item: CompiledItem): unknown[] {
  return [rule.subjectKind, rule.subject.toString(), item.section, peerText(item), l4Text(item), item.authentication ?? null];
}

function peerText(item: CompiledItem): string {
  const p = item.peer;
  switch (p.kind) {
    case 'fqdns':
      return `fqdns ${p.matchers.map((m) => m.text).sort().join(' ')}`;
    case 'endpoints':
    case 'nodes':
      return `${p.kind} ${p.selectors.map((s) => s.toString()).sort().join(' ')}`;
    case 'entities':
      return `entities ${[...p.entities].sort().join(' ')}`;
    case 'cidr':
      // The blocks and their holes: a block moved is an item changed (the key had the kind alone). The holes are a set (the
      // agent subtracts each from the block): sorted, so that reordering them is no change.
      // (`text` holds the holes as written: the block's own part of it only.)
      return `cidr ${p.blocks.map((b) => [b.text.split(' except ')[0], ...b.except.map((e) => `${e.family}:${e.network.toString(16)}/${e.prefix}`).sort()]
        .join(' except '))
        .sort().join(' ')}${(p.ungrouped ?? []).map((u) => ` ${u.text}`).sort().join('')}`;
    default:
      return p.kind;
  }
}

function l4Text(item: CompiledItem): string {
  const l4 = item.l4;
  if (l4.kind !== 'ports') return l4.kind;
  const rules = l4.portRules.map((r) => JSON.stringify([r.ports.map((p) => p.text).sort(), r.rules ?? null, serverNameSet(r.serverNames) ?? null,
    r.proxy === undefined ? null : stable(r.proxy)]));
  return JSON.stringify([rules.sort(), l4.icmps.map((i) => i.text).sort()]);
}

/** The entries of `a` not matched one for one (by key) in `b`. */
function minus<T extends { readonly key: string }>(a: readonly T[], b: readonly T[]): T[] {
  const left = new Map<string, number>();
  for (const s of b) left.set(s.key, (left.get(s.key) ?? 0) + 1);
  return a.filter((s) => {
    const n = left.get(s.key) ?? 0;
    if (n === 0) return true;
    left.set(s.key, n - 1);
    return false;
  });
}
