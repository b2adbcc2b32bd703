// Pitfalls of DNS: toFQDNs without a DNS rule the proxy sees for the same pods (or one that does not allow the name),
// egress default deny without DNS, and DNS rules widened by another policy's `*`.
import { CiliumVersion } from '../core/cilium-version';
import { AddressRange, cidrRange, parseCidr, rangesCoverFamily, subtractRanges } from '../model/cidr';
import { CLUSTER_RESERVED_ENTITIES } from '../model/entities';
import { cidrSetEntrySelectsUngrouped, groupSelectorSelectsEverything, groupSelectorsSelectUngrouped } from '../model/cidr-groups';
import { addressShapedDnsName, compileFqdnSelector, matchesEveryDnsName } from '../model/fqdn-pattern';
import { l4Scope } from '../model/l4-scope';
import { l4FilterKey } from '../model/l7-parsers';
import { POD_LABEL_SOURCES, Selector } from '../model/labels';
import { namedPortNumber, namedPortNumbers, workloadNamedPortNumbers } from '../model/named-port-numbers';
import { namedPortEnd } from '../model/port-entries';
import {
  CidrRuleModel, FqdnSelectorModel, itemNamesPeer, LabelSelectorModel, PolicyKind, PortProtocolModel, PortRuleModel, RuleItemModel,
  SectionName,
} from '../model/policy-model';
import {
  CONVENTIONAL_DNS_PORTS, DNS_PORT_NAMES, DnsPortNumbers, items, matchesEveryName, objects, PitfallRun, portCovers, protocolsMeet, readPortEntry,
  RuleView,
} from './pitfall-run';
import { fromModel, implies, mayOverlap, peerSelector, selectsReserved } from './pod-selectors';
import { CLUSTER_KEY, DEFAULT_CLUSTER_NAME, isClusterKey, selectorFixesNamespace, selectorRequiresNothing } from '../model/selectors';
import { clusterFilter, importEndpointSelector } from '../model/selector-import';
import { DNS_SERVER_ROLE, itemsSelectBroadly, reservedAsEntities } from './lockout-guard';
import { AGENT_SINCE } from './tables';
import { arr, isObject } from './walk';

/** Named port numbers by `namedPortKey` (`DnsPortNumbers.numbers`). */
type DnsPortMap = ReadonlyMap<string, ReadonlySet<number>>;

/** The cluster DNS pods, for "could this peer be the DNS server". */
const KUBE_DNS = fromModel({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } });

/** Entities that can hold a DNS server (cluster DNS, node-local DNS, an upstream resolver). */
const DNS_ENTITIES = ['all', 'cluster', 'world', 'host', 'remote-node'];

// Free helpers

/** An egress allow item on the DNS port: whether it allows every name, whether without DNS rules, and the names it allows. */
interface DnsItem {
  readonly item: RuleItemModel;
  readonly index: number;
  readonly all: boolean;
  readonly l4Only: boolean;
  readonly names: string[];
}

/**
 * The egress allow items of a rule with L7 DNS rules: whether they allow every name, and the names they allow.
 * `restrictingOnly`: only the items with DNS rules of their own (those that may restrict names; the others allow every name).
 */
function dnsItems(r: RuleView, numbers: DnsPortMap, restrictingOnly = false): DnsItem[] {
  return items(r.rule, SectionName.EGRESS).flatMap(({ item, index }): DnsItem[] => {
    const sels = arr<PortRuleModel>(item.toPorts).flatMap((pr) => (isObject(pr) && isObject(pr.rules) ? arr<FqdnSelectorModel>(pr.rules.dns) : []));
    if (restrictingOnly && sels.length === 0) return [];
    const l3 = (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'groups'] as const).some((f) => item[f] !== undefined);
    // `{}` (the default-deny idiom, also with empty toPorts/icmps lists) allows nothing; toFQDNs items are not DNS allowances.
    if (l4Scope(arr(item.toPorts), arr(item.icmps), l3) === 'none' || arr(item.fqdns).length > 0) return [];
    // An allow of the DNS port itself without DNS rules wildcards the L7 rules of that port (mergePortProto): every name. An
    // allow of every port, port 0 or a range over 53 is another L4 filter, which the DNS proxy does not read for a lookup on
    // 53 (pkg/fqdn/dnsproxy/proxy.go CheckAllowed reads the rules of the destination port only), as the engine judges it.
    const l4Only = sels.length === 0;
    if (!portsOverlap53(item, endPortExists(r), { toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }, true, numbers)) return [];
    if (l4Only) return [{ item, index, all: true, l4Only, names: ['an L4 allow with no DNS rules'] }];
    const names = sels.flatMap((s) => (isObject(s) ? [String(s.matchName ?? s.matchPattern ?? '')] : []));
    return [{ item, index, all: names.some((n) => matchesEveryName(n, r.version)), l4Only, names: names.map((n) => JSON.stringify(n)) }];
  });
}

/**
 * The rules with an egress item that lets their pods look up every name (`dnsItems` with `all`), in rule order, found once
 * per run: `dnsRulesWidened` compares each restricting rule with these only, not with every rule of the input (thousands
 * of policies times their restricting rules was the square of the input).
 */
function everyNameRules(run: PitfallRun): readonly RuleView[] {
  return run.cachedEveryNameRules ??= run.rules.filter((c) => dnsItems(c, dnsPortNumbers(run).numbers).some((d) => d.all));
}

/** Whether a rule's target version keeps `endPort` (1.16+; before, the API server prunes it and port 0 is every port). */
function endPortExists(r: RuleView): boolean {
  return r.version.atLeast(CiliumVersion.V1_16);
}

/**
 * Whether two items (each with whether its rule's version keeps `endPort`) both cover DNS on 53 with a common protocol
 * (`allowsPort53`: a named port as the agent resolves it on the cluster's pods, `dnsPortNumbers`).
 */
function portsOverlap53(a: RuleItemModel, aEndPort: boolean, b: RuleItemModel, bEndPort: boolean, numbers: DnsPortMap): boolean {
  return (['UDP', 'TCP'] as const).some((protocol) => allowsPort53(a, protocol, aEndPort, numbers) && allowsPort53(b, protocol, bEndPort, numbers));
}

/**
 * Whether an L4-only item `b` falls into an L4 filter of 53 that holds DNS rules of item `a` (each with whether its rule's
 * version keeps `endPort`): the same port or name as written, end port and protocol (`l4FilterKey`, as the engine judges
 * it), TCP or UDP. Only then does it widen them: a named port and the number it resolves to are two filters, and the DNS
 * proxy reads the rules of the one that made the port's redirect (pkg/endpoint/bpf.go `proxyID`, pkg/proxy/dns.go
 * `setRules`), which wins the shared policy map key over a plain allow (mapstate `merge`).
 */
function sharesDnsFilter(a: RuleItemModel, aEndPort: boolean, b: RuleItemModel, bEndPort: boolean, numbers: DnsPortMap): boolean {
  const filters = (i: RuleItemModel, endPort: boolean, withDnsRules: boolean): string[] => arr<PortRuleModel>(i.toPorts)
    .filter((pr) => isObject(pr) && (!withDnsRules || (isObject(pr.rules) && arr(pr.rules.dns).length > 0)))
    .flatMap((pr) => objects<PortProtocolModel>(pr.ports))
    .flatMap((p) => {
      const port = readPortEntry(p, endPort);
      return (['UDP', 'TCP'] as const).filter((protocol) => port.protocols.includes(protocol) && coversDnsPort(p, protocol, endPort, numbers))
        .map((protocol) => l4FilterKey(port, protocol));
    });
  const ofA = new Set(filters(a, aEndPort, true));
  return filters(b, bEndPort, false).some((key) => ofA.has(key));
}

/** Whether a port rule carries L7 rules of any kind (DNS, HTTP, Kafka, a generic L7 protocol); without, it is L4-only. */
function hasL7Rules(pr: PortRuleModel): boolean {
  const rules = pr.rules;
  return isObject(rules) && (arr(rules.dns).length > 0 || arr(rules.http).length > 0 || arr(rules.kafka).length > 0 || rules.l7proto !== undefined);
}

/**
 * The L7 DNS selectors of a rule's egress allow items. Not those of a `toFQDNs` item: its DNS rules see only queries sent
 * to the addresses of its names, never the lookups to the resolver (before a lookup it selects no address at all).
 */
function dnsSelectors(run: PitfallRun, c: RuleView): FqdnSelectorModel[] {
  // Nor those of an item to another cluster's pods only: the pods look names up in their own cluster (`otherClustersOnly`).
  return items(c.rule, SectionName.EGRESS).filter(({ item }) => arr(item.fqdns).length === 0 && !otherClustersOnly(run, item, c))
    .flatMap(({ item }) => arr<PortRuleModel>(item.toPorts))
    .flatMap((pr) => (isObject(pr) && isObject(pr.rules) && seesLookups(run, c, pr) ? arr<FqdnSelectorModel>(pr.rules.dns) : []))
    .filter(isObject);
}

/**
 * Whether the DNS proxy sees the lookups to the cluster DNS through a port rule: some port entry covers 53 over UDP or
 * TCP (`coversDnsPort`), a named port resolved as the agent resolves it (`dnsPortNumbers(run).numbers`, the engine's
 * reading; the conventional DNS ports when the input holds no DNS pods). DNS rules on a name no pod declares for 53
 * (`foo`, `dns` over TCP beside CoreDNS, `metrics`) or on another number redirect no lookup to the proxy: the agent makes
 * the redirect for the port the name resolves to, or none (pkg/endpoint `GetNamedPort(ingress=false)`).
 */
function seesLookups(run: PitfallRun, c: RuleView, pr: PortRuleModel): boolean {
  const { numbers } = dnsPortNumbers(run);
  return objects<PortProtocolModel>(pr.ports).some((p) => (['UDP', 'TCP'] as const)
    .some((protocol) => protocolsMeet(protocol, p.protocol) && coversDnsPort(p, protocol, endPortExists(c), numbers)));
}

/**
 * The port names of DNS rules of the run that name no port 53 on the DNS pods assumed (`dnsPortNumbers(run).assumed`: the
 * input holds none), for the finding to say what it assumed; none when the input holds DNS pods.
 */
function assumedUnresolvedDnsNames(run: PitfallRun): string[] {
  if (!dnsPortNumbers(run).assumed) return [];
  const names = new Set<string>();
  for (const c of run.rules) {
    if (c.host) continue;
    for (const { item } of items(c.rule, SectionName.EGRESS)) {
      for (const pr of arr<PortRuleModel>(item.toPorts)) {
        if (!isObject(pr) || !isObject(pr.rules) || arr(pr.rules.dns).length === 0 || seesLookups(run, c, pr)) continue;
        for (const p of objects<PortProtocolModel>(pr.ports)) {
          const entry = readPortEntry(p, endPortExists(c));
          if (entry.kind === 'named' && entry.name !== undefined) names.add(entry.name);
        }
      }
    }
  }
  return [...names];
}

function dnsMatcher(sel: FqdnSelectorModel, subdomainWildcard: boolean): (name: string) => boolean {
  const matcher = compileFqdnSelector(sel, subdomainWildcard);
  return (name) => matcher.matches(name);
}

/**
 * A name a `toFQDNs` selector selects, to test DNS rules with: `*` → `x`, and a leading `**.` → `x.x.` where it means
 * "one or more labels" (1.19+; before, `**` is `*`).
 */
function sampleName(sel: FqdnSelectorModel, subdomainWildcard: boolean): string | undefined {
  if (typeof sel.matchName === 'string' && sel.matchName !== '') return sel.matchName;
  if (typeof sel.matchPattern !== 'string' || sel.matchPattern === '') return undefined;
  if (matchesEveryDnsName(sel.matchPattern, subdomainWildcard)) return 'x.example.';
  const pattern = subdomainWildcard ? sel.matchPattern.replace(/^\*\*\./, 'x.x.') : sel.matchPattern;
  return pattern.replace(/\*+/g, 'x');
}

/**
 * The named ports of egress rules as the agent resolves them (worked out once per run): on the named container ports of
 * every pod of the cluster, a name and protocol with one number only (1.14-1.19 pkg/endpoint `GetNamedPort(ingress=false)`
 * → `NamedPortMultiMap.GetNamedPort`; `workloadNamedPortNumbers`, the engine's reading), here the workloads of the input.
 * When the input holds no pods of the cluster DNS (`k8s-app: kube-dns` in kube-system) they are assumed to declare the
 * conventional ports (`CONVENTIONAL_DNS_PORTS`: CoreDNS's `dns` 53/UDP and `dns-tcp` 53/TCP, …) and the named targetPorts
 * a kube-dns Service of the input gives its port 53: a finding that rests on them says so.
 */
export function dnsPortNumbers(run: PitfallRun): DnsPortNumbers {
  if (run.cachedDnsPortNumbers) return run.cachedDnsPortNumbers;
  const assumed = !(run.podsOf(KUBE_DNS) ?? []).some((w) => !w.hostNetwork);
  const servicePorts = assumed ? run.servicesIn(['kube-system']).filter((svc) => svc.selector?.['k8s-app'] === 'kube-dns')
    .flatMap((svc) => svc.ports.filter((p) => p.port === 53 && typeof p.targetPort === 'string')
      .map((p) => ({ name: String(p.targetPort), port: 53, protocol: p.protocol }))) : [];
  const assumedPods = assumed ? [{ ports: [...CONVENTIONAL_DNS_PORTS, ...servicePorts] }] : [];
  const numbers = workloadNamedPortNumbers([...run.workloadsIn(undefined), ...assumedPods]);
  const inputNumbers = assumed ? workloadNamedPortNumbers(run.workloadsIn(undefined)) : numbers;
  const names = [...new Set([...DNS_PORT_NAMES, ...servicePorts.map((p) => p.name)])];
  const forAllows = assumed ? namedPortNumbers(names.flatMap((name) => ['UDP', 'TCP'].map((protocol) => ({ name, port: 53, protocol })))) : numbers;
  const serviceNames = [...new Set(servicePorts.map((p) => p.name.toLowerCase()))];
  run.cachedDnsPortNumbers = { numbers, assumed, forAllows, inputNumbers, serviceNames };
  return run.cachedDnsPortNumbers;
}

/**
 * Whether a port entry covers 53/`protocol`: every port, 53 or a range over it, or a named port that resolves to 53 on
 * `numbers` (`dnsPortNumbers`; from the resolved number up to the entry's `endPort`, `namedPortEnd`, as the engine reads
 * it).
 */
function coversDnsPort(p: PortProtocolModel, protocol: 'UDP' | 'TCP', endPort: boolean, numbers: ReadonlyMap<string, ReadonlySet<number>>): boolean {
  const entry = readPortEntry(p, endPort);
  if (entry.kind !== 'named') return portCovers(p, 53, [], endPort);
  const resolved = entry.name !== undefined ? namedPortNumber(numbers, entry.name, protocol) : undefined;
  return resolved !== undefined && resolved <= 53 && 53 <= namedPortEnd(entry, resolved);
}

/**
 * Whether an allow item lets 53/`protocol` through (all ports, port 0, 53, a range over 53, or a named port that resolves
 * to 53 on `numbers`, `coversDnsPort`; that protocol or ANY).
 */
function allowsPort53(item: RuleItemModel, protocol: 'UDP' | 'TCP', endPort: boolean, numbers: ReadonlyMap<string, ReadonlySet<number>>): boolean {
  // No toPorts and no icmps, absent or empty (L3 only, rule.go `toPorts.Len() == 0 && icmp.Len() == 0`): every port.
  // Without a peer (`egress: [{toPorts: []}]`) the item allows nothing, as `egress: [{}]`: the L3-only wildcard needs one.
  if (arr(item.toPorts).length === 0) return l4Scope(arr(item.toPorts), arr(item.icmps), itemNamesPeer(item)) === 'all';
  return arr<PortRuleModel>(item.toPorts).some((pr) => {
    if (!isObject(pr)) return false;
    // A port rule without ports allows no port: the agent makes a filter per port entry (rule.go `mergeEgress` iterates
    // `GetPortProtocols()`), as the engine reads it.
    return objects<PortProtocolModel>(pr.ports).some((p) => protocolsMeet(protocol, p.protocol) && coversDnsPort(p, protocol, endPort, numbers));
  });
}

/** `toFQDNs` needs an L7 DNS rule for the same pods, and that rule must allow looking the names up. */
export function fqdnWithoutDns(run: PitfallRun, r: RuleView): void {
  if (r.host) return;
  const fqdnItems = items(r.rule, SectionName.EGRESS).filter(({ item }) => arr(item.fqdns).length > 0);
  if (fqdnItems.length === 0) return;
  const providers = dnsRuleProviders(run);
  const cov = run.coverage(r, providers);
  if (!cov.covered) {
    run.fqdnFlagged.add(r);
    if (run.seen('pitfall-fqdn-without-dns', r)) return;
    const first = fqdnItems[0];
    run.report('pitfall-fqdn-without-dns', r, `${r.path}.egress[${first.index}].toFQDNs`,
      `no policy in the input gives ${run.who(r, cov)} an L7 DNS rule (toPorts rules.dns), so Cilium's DNS proxy never sees their lookups and ` +
      `toFQDNs learns no address from their lookups: it allows nothing unless another pod on the same node looks the names up through its own `
      + `DNS proxy (Cilium's name manager is agent-wide)${run.assumption(cov)}${unresolvedAssumption(assumedUnresolvedDnsNames(run))}`,
      'allow egress for the same pods to kube-dns (k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns) on 53/UDP and 53/TCP with ' +
      'rules: {dns: [{matchPattern: "*"}]} (or the names used here); if a policy outside the input does this, ignore this warning');
    return;
  }
  const covering = run.coveringRules(r, providers);
  const dns = covering.flatMap((c) => dnsSelectors(run, c));
  if (dns.length === 0) return;
  const subdomainWildcard = r.version.atLeast(AGENT_SINCE.fqdnDoubleStar);
  const matchers = dns.map((s) => dnsMatcher(s, subdomainWildcard));
  // A toFQDNs selector written as a DNS rule too (the same name, or the same pattern, without case): looked up in sets of
  // the DNS rules' texts, not compared with each DNS rule (an `FqdnEgress` of n names paired n × n: 16,000 names took 10 s).
  const lower = (v: unknown): string | undefined => (typeof v === 'string' ? v.toLowerCase() : undefined);
  const dnsNames = new Set(dns.map((d) => lower(d.matchName)));
  const dnsPatterns = new Set(dns.map((d) => lower(d.matchPattern)));
  const same = (a: FqdnSelectorModel): boolean =>
    (typeof a.matchName === 'string' && dnsNames.has(a.matchName.toLowerCase()))
    || (typeof a.matchPattern === 'string' && dnsPatterns.has(a.matchPattern.toLowerCase()));
  for (const { item, index } of fqdnItems) {
    arr<FqdnSelectorModel>(item.fqdns).forEach((sel, j) => {
      if (!isObject(sel) || same(sel)) return;
      // An address written as a name is pitfall-fqdn-ip-address, whose fix is toCIDR: adding it to the DNS rules would not help.
      const written = typeof sel.matchName === 'string' ? sel.matchName : sel.matchPattern;
      if (typeof written === 'string' && addressShapedDnsName(written)) return;
      const sample = sampleName(sel, subdomainWildcard);
      if (sample === undefined || matchers.some((m) => m(sample))) return;
      const field = typeof sel.matchName === 'string' ? 'matchName' : 'matchPattern';
      const value = String(sel[field]);
      run.report('pitfall-fqdn-not-in-dns-rules', r, `${r.path}.egress[${index}].toFQDNs[${j}].${field}`,
        `the DNS rules of these pods (${covering.map((c) => c.name).join(', ')}) do not allow looking up ${JSON.stringify(value)}: the DNS proxy refuses ` +
        `the lookup, so toFQDNs ${field} ${JSON.stringify(value)} never learns an address from their lookups (only from other pods' on the same node: `
        + 'Cilium\'s name manager is agent-wide)',
        `add {${field}: ${JSON.stringify(value)}} (or a pattern covering it) to the rules.dns list of the DNS rule`);
    });
  }
}

/** What a finding assumed of the DNS pods for the port names of DNS rules that resolve to no 53 on them (none: nothing). */
function unresolvedAssumption(names: readonly string[]): string {
  if (names.length === 0) return '';
  const many = names.length > 1;
  return `. Assumed: the input holds no cluster DNS pods (k8s-app: kube-dns in kube-system), so the DNS rules on the port name${many ? 's' : ''} `
    + `${names.map((n) => JSON.stringify(n)).join(', ')} are read on the conventional DNS ports (CoreDNS: dns 53/UDP, dns-tcp `
    + `53/TCP), where ${many ? 'they name' : 'it names'} no port 53 and the DNS proxy sees no lookup through ${many ? 'them' : 'it'}; give the DNS `
    + 'Deployment with the input to have them resolved on its ports';
}

/** The endpoint rules with toFQDNs egress items (computed once). */
function fqdnRules(run: PitfallRun): readonly RuleView[] {
  run.cachedFqdnRules ??= run.rules.filter((c) => !c.host && items(c.rule, SectionName.EGRESS).some(({ item }) => arr(item.fqdns).length > 0));
  return run.cachedFqdnRules;
}

/**
 * An L7 DNS rule whose peers are far more than one resolver, while the input has toFQDNs rules: the DNS proxy forwards each
 * lookup the rule allows to the server the pod asked and learns the addresses of the answer (pkg/fqdn/dnsproxy `ServeDNS`
 * → `NotifyOnDNSMsg`), for every toFQDNs selector of the node (the name manager is agent-wide), so any server the peers
 * take in can make a toFQDNs name resolve to any address. A clusterwide rule's pod selector without a namespace takes in
 * pods of every namespace. A host rule's DNS rules (nodes) are left out.
 */
export function fqdnDnsServerBroad(run: PitfallRun, r: RuleView): void {
  if (r.host || fqdnRules(run).length === 0) return;
  for (const d of dnsItems(r, dnsPortNumbers(run).numbers, true)) {
    const item = reservedAsEntities(d.item, r.version);
    const peers = itemsSelectBroadly([item], DNS_SERVER_ROLE, r.version)
      ?? (r.kind === PolicyKind.CILIUM_NETWORK_POLICY ? undefined
        : arr<LabelSelectorModel>(item.endpoints).filter(isObject).some((m) => !selectorFixesNamespace(m)) ? 'pods of every namespace' : undefined);
    if (peers === undefined) continue;
    const fqdn = fqdnRules(run)[0];
    const fed = fqdn === r ? 'the toFQDNs rules of this policy' : `toFQDNs rules such as ${fqdn.name}'s`;
    run.report('pitfall-fqdn-dns-server-broad', r, `${r.path}.egress[${d.index}]`,
      `this DNS rule (${d.names.join(', ')}) sends lookups through Cilium's DNS proxy to ${peers}: the proxy forwards each lookup to the server `
        + `the pod asked and learns the addresses of its answer for every toFQDNs selector on the node (pkg/fqdn/dnsproxy ServeDNS, NotifyOnDNSMsg; `
        + `the name manager is agent-wide), so any server there can make the names of ${fed} resolve to any address, which the pods may then reach`,
      'name the resolver as this rule\'s peer: toEndpoints kube-dns (k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns), its '
        + 'Service (toServices), or its address (toCIDR 169.254.20.10/32); DNS meant to reach that widely is an allow of 53 without DNS rules, '
        + 'which Cilium does not send through its DNS proxy, so its answers teach toFQDNs nothing');
  }
}

/** Egress default deny without any DNS for the same pods. */
export function defaultDenyWithoutDns(run: PitfallRun, r: RuleView): void {
  if (r.host || run.fqdnFlagged.has(r) || !run.defaultDeny(r, 'egress') || arr(r.rule.egress).length === 0) return;
  if (r.subject && selectsReserved(r.subject)) return; // Cilium's own endpoints (health, ingress, init) do not resolve names
  const udp = run.coverage(r, dnsProviders(run, 'UDP'));
  const tcp = run.coverage(r, dnsProviders(run, 'TCP'));
  if ((udp.covered && tcp.covered) || run.seen('pitfall-default-deny-without-dns', r)) return;
  const cov = udp.covered ? tcp : udp;
  const missing = !udp.covered && !tcp.covered ? '53/UDP and 53/TCP' : udp.covered ? '53/TCP' : '53/UDP';
  const effect = !udp.covered ? 'every name lookup of these pods fails' : 'lookups whose answers do not fit in UDP (truncated, retried over TCP) fail';
  const problem = `puts ${run.who(r, cov)} into egress default deny, and no policy in the input allows them DNS on ${missing} (to kube-dns or another ` +
    `resolver): ${effect}${run.assumption(cov)}`;
  if (r.np) {
    // Cilium's translation of an Egress policyType without egress rules is the `egress: [{}]` deny-all.
    const denyAll = arr(r.rule.egress).length === 1 && Object.keys(arr<RuleItemModel>(r.rule.egress)[0] ?? {}).length === 0;
    run.report('pitfall-default-deny-without-dns', r, denyAll ? 'spec.policyTypes' : 'spec.egress',
      `this NetworkPolicy (policyTypes: Egress) ${problem}`,
      'add an egress rule to kube-dns: {to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: ' +
      '{matchLabels: {k8s-app: kube-dns}}}], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}, in this or another policy for the same pods');
    return;
  }
  run.report('pitfall-default-deny-without-dns', r, `${r.path}.egress`, `this rule ${problem}`,
    'allow egress for the same pods to kube-dns (k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns) on 53/UDP and 53/TCP, ' +
    'ideally with rules: {dns: [{matchPattern: "*"}]}; or, if egress is not meant to be restricted, set enableDefaultDeny: {egress: false} (1.16+)');
}

/**
 * The local cluster as the DNS pitfalls read it, once per run: its name (`PitfallRun.localCluster`: `--cluster-name`,
 * `ValidateInputsOptions.clusterName`, else `default` as the engine has it); its pods (the cluster requirement, in the
 * normal form's source); its DNS pods (`KUBE_DNS` on the local cluster), for "does this selector take them in"; and an
 * egress item to them, the peer a deny is tested against (`sameDnsPeer`).
 */
function localDns(run: PitfallRun): NonNullable<PitfallRun['cachedLocalDns']> {
  if (run.cachedLocalDns === undefined) {
    const name = run.localCluster.get('k8s', CLUSTER_KEY) ?? DEFAULT_CLUSTER_NAME; // one reading of the name: PitfallRun's
    const pods = clusterRequirements(run, { matchLabels: { [CLUSTER_KEY]: name } });
    run.cachedLocalDns = {
      name,
      pods,
      kubeDns: KUBE_DNS.and(pods.requirements),
      kubeDnsItem: {
        endpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns', [`k8s:${CLUSTER_KEY}`]: name } }],
      },
    };
  }
  return run.cachedLocalDns;
}

/**
 * An item with only those of its endpoint selectors whose cluster requirements hold on the local cluster's pods: Cilium
 * gives every pod the label `k8s:io.cilium.k8s.policy.cluster=<cluster-name>` (pkg/k8s/utils `SanitizePodLabels`), and a
 * key without a source is `any:`, which holds on it (pkg/labels `LabelArray.Has`), so `io.cilium.k8s.policy.cluster: east`
 * (or `In [east]`, `DoesNotExist`) selects no pod of a cluster named otherwise, its kube-dns included (clustermesh: the
 * pods of cluster `east`). The validator's selectors leave the cluster key out (`normalise`: one local cluster), so it is
 * read here, against the local cluster's name (`PitfallRun.localCluster`), in `r`'s translation (`clusterRequirements`).
 * `policy-default-local-cluster` (1.19) adds the local cluster to selectors without a cluster key only, which takes in the
 * local kube-dns all the same, and to a NetworkPolicy peer whose cluster label is empty, which it then takes in too.
 */
function localClusterPeers(run: PitfallRun, item: RuleItemModel, r: RuleView): RuleItemModel {
  if (item.endpoints === undefined) return item;
  const local = (m: LabelSelectorModel): boolean => !isObject(m) || clusterRequirements(run, m, r).matches(run.localCluster);
  return { ...item, endpoints: arr<LabelSelectorModel>(item.endpoints).filter(local) };
}

/**
 * Whether an item's endpoint selectors all select pods of other clusters only (`localClusterPeers` keeps none of them): no
 * DNS server of the local pods, who look names up in their own cluster.
 */
function otherClustersOnly(run: PitfallRun, item: RuleItemModel, r: RuleView): boolean {
  return arr(item.endpoints).length > 0 && arr(localClusterPeers(run, item, r).endpoints).length === 0;
}

/**
 * The cluster requirements of a from/toEndpoints selector as written (on `io.cilium.k8s.policy.cluster`, with or without
 * the `k8s:` source), as a selector of their own in the normal form's source (`k8s`), with the cluster filter of
 * `policy-default-local-cluster` (1.19+: a selector without a cluster key selects the local cluster only, `clusterFilter`,
 * pkg/k8s/apis/cilium.io/utils `getEndpointSelector`) when `r`'s version has it. A Kubernetes NetworkPolicy's peer (`r.np`)
 * gets the NetworkPolicy's own filter (`importEndpointSelector` in mode `k8s`, as the engine translates it: pkg/k8s/network_policy.go
 * `parseNetworkPolicyPeer` → `isPodSelectorSelectingCluster`), where `io.cilium.k8s.policy.cluster: ""` gives no cluster:
 * the match label of the local cluster replaces it. Before 1.19 (1.16: `parseNetworkPolicyPeer(namespace, peer)` takes no
 * cluster name) the empty value stays and selects no pod. The normal form of the pitfall layer drops these (`normalise`);
 * the DNS pitfalls read them here.
 */
function clusterRequirements(run: PitfallRun, m: LabelSelectorModel, r?: Pick<RuleView, 'version' | 'np'>): Selector {
  const cluster = (s: Selector): Selector => Selector.all().and(s.requirements.filter((q) => isClusterKey(`${q.source}:${q.key}`)));
  const written = cluster(Selector.from(m));
  const localCluster = r?.version.atLeast(AGENT_SINCE.policyDefaultLocalCluster) ? localDns(run).name : undefined;
  // A NetworkPolicy peer: its own cluster filter, on the whole selector (an empty cluster label is no cluster given).
  const filtered = r?.np !== undefined ? cluster(importEndpointSelector(Selector.from(m), { mode: 'k8s', localCluster }))
    : clusterFilter(written, localCluster);
  return Selector.all().and(filtered.requirements.map((q) => ({ ...q, source: 'k8s' })));
}

/**
 * An `egressDeny` item that takes in the cluster DNS pods on 53/UDP or 53/TCP: Cilium's deny wins over every allow of the
 * same or a narrower key (pkg/policy/mapstate.go `denyPreferredInsertWithChanges`), so the subjects lose DNS over that
 * protocol whatever allows DNS. The ports as an allow's (`allowsPort53`: every port, 53, a range over 53, that protocol or
 * ANY, a named port resolved as the agent resolves it, `dnsPortNumbers`: on the DNS pods of the input, else on the
 * conventional DNS port names, which the finding then says it assumes); the peer as a DNS rule's server (`sameDnsPeer`:
 * `all`, `cluster`, a peer-less item, a selector the local kube-dns pods match, `localClusterPeers`). Error when UDP is
 * denied (every lookup) or the same pods use toFQDNs (the DNS proxy learns nothing); warning (`pitfall-dns-tcp-denied`)
 * when only TCP is (answers too large for UDP). A toServices deny is never resolved (`pitfall-deny-services-unresolved`)
 * and a CIDR is not matched with pod addresses the input does not hold. A rule of a refused document (a parse, CRD or
 * agent error: `port: 53` unquoted, `protocol: udp`) is skipped: the cluster never has it, as the engine judges it.
 */
export function dnsDenied(run: PitfallRun, r: RuleView): void {
  if (r.host || r.refused || (r.subject && selectsReserved(r.subject))) return;
  const { numbers, assumed, inputNumbers, serviceNames } = dnsPortNumbers(run);
  // Per protocol: the first deny item that takes it, one that does by number (not through an assumed port name) first.
  const denied = new Map<'UDP' | 'TCP', { index: number; assumedNames?: string[] }>();
  // A deny whose selector kube-dns's known labels do not imply (another label as well) may or may not take it in.
  const maybe = new Map<'UDP' | 'TCP', number>();
  for (const { item, index } of items(r.rule, SectionName.EGRESS_DENY)) {
    if (item.services !== undefined) continue;
    if (!sameDnsPeer(run, r, localDns(run).kubeDnsItem, r, item, false)) {
      if (mayTakeInKubeDns(run, r, item)) {
        (['UDP', 'TCP'] as const).filter((p) => !maybe.has(p) && allowsPort53(item, p, endPortExists(r), numbers)).forEach((p) => maybe.set(p, index));
      }
      continue;
    }
    for (const protocol of ['UDP', 'TCP'] as const) {
      if (denied.has(protocol) && denied.get(protocol)?.assumedNames === undefined) continue;
      if (!allowsPort53(item, protocol, endPortExists(r), numbers)) continue;
      // By number, or by a name the input's own workloads resolve: no assumption.
      if (!assumed || allowsPort53(item, protocol, endPortExists(r), inputNumbers)) denied.set(protocol, { index });
      else if (!denied.has(protocol)) denied.set(protocol, { index, assumedNames: namedPorts(item, protocol, endPortExists(r), numbers) });
    }
  }
  if (denied.size === 0) {
    mayDenyDns(run, r, maybe);
    return;
  }
  const fqdn = fqdnRules(run).find((c) => c === r || run.covers(c, r) || run.covers(r, c));
  const id = denied.has('UDP') || fqdn ? 'pitfall-dns-denied' : 'pitfall-dns-tcp-denied';
  if (run.seen(id, r)) return;
  const index = (denied.get('UDP') ?? denied.get('TCP'))?.index ?? 0;
  const lost = denied.size === 2 ? '53/UDP and 53/TCP' : denied.has('UDP') ? '53/UDP' : '53/TCP';
  const allowing = [...new Set((['UDP', 'TCP'] as const).filter((p) => denied.has(p)).flatMap((p) => run.coveringRules(r, dnsProviders(run, p))))];
  const effect = denied.has('UDP') ? 'every name lookup of these pods fails' : 'lookups whose answers do not fit in UDP (truncated, retried over TCP) fail';
  const fqdnEffect = fqdn ? `, and the toFQDNs rules of ${fqdn === r ? 'this policy' : fqdn.name} learn no address from their lookups` : '';
  const allowed = allowing.length > 0 ? `, so the DNS allow of ${allowing.map((c) => c.name).join(', ')} does not help` : '';
  const names = [...new Set([...denied.values()].flatMap((d) => d.assumedNames ?? []))];
  // Each name says where its number came from: the kube-dns Service's targetPort of 53, or the conventional DNS ports.
  const read = (group: string[], as: string): string => (group.length === 0 ? '' : `; the port name${group.length > 1 ? 's' : ''} `
    + `${group.map((n) => JSON.stringify(n)).join(', ')} ${group.length > 1 ? 'are' : 'is'} read as ${as}`);
  const assumption = names.length === 0 ? '' : '. Assumed: the input holds no cluster DNS pods (k8s-app: kube-dns in kube-system) whose declared '
    + `ports would resolve ${names.length > 1 ? 'them' : 'it'}${read(names.filter((n) => serviceNames.includes(n)), 'the targetPort the kube-dns Service of the input gives its port 53')}`
    + `${read(names.filter((n) => !serviceNames.includes(n)), 'the conventional DNS ports (CoreDNS: dns 53/UDP, dns-tcp 53/TCP)')}; `
    + 'give the DNS Deployment with the input to have it resolved on its ports';
  const finding: [RuleView, string, string, string] = [r, `${r.path}.egressDeny[${index}]`,
    `this deny takes in the cluster DNS pods (kube-system/kube-dns) on ${lost}, so ${run.who(r, { covered: false, missing: [], assumed: true })} `
    + `lose DNS over ${denied.size === 2 ? 'UDP and TCP' : denied.has('UDP') ? 'UDP' : 'TCP'}: ${effect}${fqdnEffect}; a deny wins over every allow `
    + `(Cilium's policy map prefers deny entries)${allowed}${assumption}`,
    'narrow the deny so it leaves DNS to kube-dns: exclude port 53 from its toPorts, or select peers without the DNS pods (toEndpoints with '
    + 'matchExpressions [{key: k8s:k8s-app, operator: NotIn, values: [kube-dns]}], toCIDRSet with the DNS addresses in except); an allow cannot override it'];
  // Each id written out: the catalogue test reads the ids a pitfall file reports from its `report('pitfall-…'` calls.
  if (id === 'pitfall-dns-denied') run.report('pitfall-dns-denied', ...finding);
  else run.report('pitfall-dns-tcp-denied', ...finding);
}

/**
 * Whether an egress deny item's endpoint selectors (on the local cluster, `localClusterPeers`) may take in the cluster DNS
 * pods without provably doing so: a selector that may overlap kube-dns's known labels and that a pod can match (no
 * required label of a source no pod carries, `POD_LABEL_SOURCES`: `cilium:foo` selects no pod, and no reserved key).
 */
function mayTakeInKubeDns(run: PitfallRun, r: RuleView, item: RuleItemModel): boolean {
  return arr<LabelSelectorModel>(localClusterPeers(run, item, r).endpoints).filter(isObject).some((m) => {
    const sel = peerSelector(r, m);
    const podless = sel.requirements.some((q) => POSITIVE.has(q.operator) && (q.source === 'reserved' || !POD_LABEL_SOURCES.has(q.source)));
    return !podless && mayOverlap(sel, KUBE_DNS);
  });
}

/**
 * `pitfall-dns-may-be-denied`: a deny whose selector may take in the cluster DNS pods, by labels beyond the ones they are
 * known to carry (`k8s:foo: bar` beside `k8s-app: kube-dns`): a warning, which says what it depends on.
 */
function mayDenyDns(run: PitfallRun, r: RuleView, maybe: ReadonlyMap<'UDP' | 'TCP', number>): void {
  if (maybe.size === 0 || run.seen('pitfall-dns-may-be-denied', r)) return;
  const index = maybe.get('UDP') ?? maybe.get('TCP') ?? 0;
  const on = maybe.size === 2 ? '53/UDP and 53/TCP' : maybe.has('UDP') ? '53/UDP' : '53/TCP';
  run.report('pitfall-dns-may-be-denied', r, `${r.path}.egressDeny[${index}]`,
    `this deny may take in the cluster DNS pods (kube-system/kube-dns) on ${on}: its selector requires labels beyond the ones they are known to `
    + 'carry (k8s-app: kube-dns in kube-system), so it depends on the labels of the DNS pods of the cluster; if they carry them, these pods lose DNS '
    + `over ${on} whatever allows it (a deny wins over every allow)`,
    'if the DNS pods are not meant, exclude them: matchExpressions [{key: k8s:k8s-app, operator: NotIn, values: [kube-dns]}], or exclude port 53 '
    + 'from the deny\'s toPorts; give the DNS Deployment with the input to have its labels read');
}

/** The port names (lower case) of an item's entries that resolve to 53/`protocol` on `numbers` (`coversDnsPort`). */
function namedPorts(item: RuleItemModel, protocol: 'UDP' | 'TCP', endPort: boolean, numbers: ReadonlyMap<string, ReadonlySet<number>>): string[] {
  return arr<PortRuleModel>(item.toPorts).filter(isObject).flatMap((pr) => objects<PortProtocolModel>(pr.ports))
    .filter((p) => protocolsMeet(protocol, p.protocol) && coversDnsPort(p, protocol, endPort, numbers)).map((p) => readPortEntry(p, endPort))
    .flatMap((p) => (p.kind === 'named' && p.name !== undefined ? [p.name] : []));
}

/**
 * The identities a DNS item's peers can be, by kind: the DNS proxy keeps the DNS rules of each peer selector apart
 * (`PerSelectorPolicy`) and allows a lookup when any selector that selects the server's identity allows the name, so two
 * items meet only where their peers can be one identity. Pods (by selector), reserved identities (`host`, `remote-node`,
 * …) and addresses outside the cluster (`world`, CIDRs) are disjoint kinds; a peer-less item, `all`, an empty or
 * purely negative selector (which also selects reserved and world identities in a clusterwide policy) is any peer.
 */
interface DnsPeers {
  any: boolean;
  anyPod: boolean;
  /**
   * Whether `anyPod` takes in pods of other clusters too (a Service, a cidrGroupSelector of no label, any peer); the
   * `cluster` entity is the local cluster's pods only (pkg/policy/api/entity.go: `k8s:io.cilium.k8s.policy.cluster=<cluster-name>`).
   */
  anyRemotePod: boolean;
  readonly pods: Selector[];
  readonly reserved: Set<string>;
  anyAddress: boolean;
  /** Each CIDR of the item as the addresses it takes in: its range less its `except` holes. */
  readonly cidrs: AddressRange[][];
}

/** The identities a node peer can be; `kube-apiserver` runs on a host or remote node. */
const NODE_IDENTITIES = ['host', 'remote-node', 'kube-apiserver'];
const POSITIVE = new Set(['In', 'Exists']);

/**
 * `covering`: the identities the item provably takes in, for the widening side: a Service, a group, a node selector that
 * requires something, or a CIDR the check cannot read then takes in nothing (its backends or addresses are not known).
 */
function dnsPeers(run: PitfallRun, r: RuleView, item: RuleItemModel, covering = false): DnsPeers {
  const p: DnsPeers = { any: false, anyPod: false, anyRemotePod: false, pods: [], reserved: new Set(), anyAddress: false, cidrs: [] };
  const l3 = (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'fqdns', 'groups'] as const).some((f) => item[f] !== undefined);
  if (!l3) return { ...p, any: true };
  for (const entity of arr<string>(item.entities)) {
    if (entity === 'all') p.any = true;
    else if (entity === 'cluster') { p.anyPod = true; CLUSTER_RESERVED_ENTITIES.forEach((e) => p.reserved.add(e)); } else if (entity === 'world' || entity === 'world-ipv4' || entity === 'world-ipv6') p.anyAddress = true;
    else if (entity === 'kube-apiserver') NODE_IDENTITIES.forEach((e) => p.reserved.add(e));
    else if (typeof entity === 'string' && entity !== 'none') p.reserved.add(entity);
  }
  for (const m of arr<LabelSelectorModel>(item.endpoints).filter(isObject)) {
    const sel = peerSelector(r, m);
    // Pods of the clusters its cluster key names (clustermesh): a selector of another cluster only is those pods, which the
    // local kube-dns is not one of, and two items of one other cluster's DNS pods still meet (`clusterRequirements`).
    const clusters = clusterRequirements(run, m, r);
    if (!clusters.matches(run.localCluster)) {
      p.pods.push(sel.and(clusters.requirements));
      continue;
    }
    const positive = sel.requirements.filter((q) => POSITIVE.has(q.operator));
    if (positive.length === 0) p.any = true;
    else if (sel.hasReservedKey()) {
      const keys = positive.filter((q) => q.source === 'reserved').map((q) => q.key);
      if (keys.length === 0) p.any = true;
      keys.forEach((k) => p.reserved.add(k));
    } else p.pods.push(sel.and(clusters.requirements));
  }
  const everyNode = arr<LabelSelectorModel>(item.nodes).some((m) => isObject(m) && selectorRequiresNothing(m));
  if (item.nodes !== undefined && (!covering || everyNode)) NODE_IDENTITIES.forEach((e) => p.reserved.add(e));
  // backends: pods by selector, or the addresses of a selector-less Service
  if (item.services !== undefined && !covering) p.anyPod = p.anyRemotePod = p.anyAddress = true;
  if ((item.groups !== undefined || item.fqdns !== undefined) && !covering) p.anyAddress = true;
  const cidrs: { cidr: unknown; except: readonly unknown[] }[] = [...arr<string>(item.cidr).map((cidr) => ({ cidr, except: [] })),
    ...arr<CidrRuleModel>(item.cidrSet).map((c) => (isObject(c) ? { cidr: c.cidr, except: arr<unknown>(c.except) } : { cidr: c, except: [] }))];
  // A cidrGroupSelector of no label (1.17+) selects every identity without a cidrgroup: label: every pod (the cluster DNS
  // pods too), node and reserved entity, and addresses (`cidrSetEntrySelectsUngrouped`, as the engine reads it). Provably
  // (`covering`): every peer for `{}` without except; else the pods and the entities of the cluster (a managed API server
  // may sit in an except or a group it refuses).
  if (groupSelectorsSelectUngrouped(r.version)) {
    for (const c of arr<CidrRuleModel>(item.cidrSet)) {
      if (!isObject(c) || !cidrSetEntrySelectsUngrouped(c)) continue;
      if (groupSelectorSelectsEverything(c)) p.any = true;
      p.anyPod = p.anyRemotePod = true;
      CLUSTER_RESERVED_ENTITIES.filter((e) => !covering || e !== 'kube-apiserver').forEach((e) => p.reserved.add(e));
      if (!covering) p.anyAddress = true;
    }
  }
  for (const { cidr, except } of cidrs) {
    const parsed = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
    // The except holes are cut out; one the check cannot read cuts nothing (the schema check reports it).
    const holes = except.flatMap((e) => {
      const h = typeof e === 'string' ? parseCidr(e) : undefined;
      return h ? [cidrRange(h)] : [];
    });
    if (parsed) p.cidrs.push(subtractRanges([cidrRange(parsed)], holes));
    else if (!covering) p.anyAddress = true; // a CIDR group, or a value the schema check reports
  }
  return p;
}

/**
 * Whether an item names its peers as DNS servers: it has DNS rules of its own, or allows only port 53 (53 with no `endPort`
 * above it, or a named port that resolves to 53 as the agent resolves it, `dnsPortNumbers`), not every port or a range
 * over 53.
 */
function namesDnsServer(item: RuleItemModel, endPort: boolean, numbers: DnsPortMap): boolean {
  const prs = arr<PortRuleModel>(item.toPorts).filter(isObject);
  if (prs.some((pr) => isObject(pr.rules) && arr(pr.rules.dns).length > 0)) return true;
  const ports = prs.flatMap((pr) => objects<PortProtocolModel>(pr.ports));
  return ports.length > 0 && ports.every((p) => {
    const entry = readPortEntry(p, endPort);
    if (entry.kind !== 'named') return entry.kind === 'range' && entry.lo === 53 && entry.hi === 53;
    return (['UDP', 'TCP'] as const).some((protocol) => {
      const resolved = entry.name !== undefined && entry.protocols.includes(protocol) ? namedPortNumber(numbers, entry.name, protocol) : undefined;
      return resolved === 53 && namedPortEnd(entry, resolved) === 53;
    });
  });
}

/**
 * Whether DNS item `b` (of rule `c`) provably takes in a DNS server of item `a` (of rule `r`), so that the lookups `a`
 * restricts are ORed with `b`'s on that server ({@link DnsPeers}). Pods: a selector of `a` implied by one of `b`'s (as
 * `pitfall-l7-rules-widened` requires, `implies`); the cluster DNS pods taken in by both; or, when `b` names its peers as
 * DNS servers (DNS rules, or port 53 only), a selector of `b` implied by one of `a`'s or taken in by `a`'s `all`/`cluster`.
 * A selector that only may overlap (another label key, every namespace) is not the server: an egress allow to
 * `app: postgres` in every namespace, on every port, leaves the lookups to kube-dns restricted (the engine agrees).
 * Reserved identities: one in both. Addresses (each CIDR less its `except` holes): `b`'s CIDRs holding all of one of
 * `a`'s (or `world` beside any), or, when `b` names its peers as DNS servers, CIDRs that meet. Unless `b` names its peers as
 * DNS servers, a Service, a group or a node selector that requires something on its side takes in nothing provably (its
 * backends or nodes are not known). `server: false` reads `b` as provably taking in (a deny: `dnsDenied`). Endpoint
 * selectors of either item are read on the local cluster (`localClusterPeers`, in `dnsPeers`).
 */
export function sameDnsPeer(run: PitfallRun, r: RuleView, a: RuleItemModel, c: RuleView, b: RuleItemModel, server: boolean): boolean {
  const pa = dnsPeers(run, r, a);
  const pb = dnsPeers(run, c, b, !server);
  if (pb.any) return true;
  if (pa.any) {
    pa.anyPod = pa.anyRemotePod = pa.anyAddress = true;
    pb.reserved.forEach((e) => pa.reserved.add(e));
  }
  if ([...pa.reserved].some((e) => pb.reserved.has(e))) return true;
  // Every pod: of the local cluster only for the `cluster` entity, so not a selector of other clusters' pods only.
  const inAnyPod = (q: DnsPeers, s: Selector): boolean => q.anyRemotePod || mayOverlap(s, localDns(run).pods);
  if (pb.anyPod && (pa.anyPod || pa.pods.some((x) => inAnyPod(pb, x)))) return true;
  const dnsIn = (s: Selector): boolean => implies(localDns(run).kubeDns, s);
  if (pa.pods.some((x) => pb.pods.some((y) => implies(x, y) || (server && implies(y, x)) || (dnsIn(x) && dnsIn(y))))) return true;
  if (pa.anyPod && pb.pods.some((y) => inAnyPod(pa, y) && (server || dnsIn(y)))) return true;
  // Addresses as pods: `b`'s CIDRs hold all of one of `a`'s (every server it restricts), or meet it where `b` names its peers
  // as DNS servers. An allow on 53 and other ports to 10.0.0.5/32 beside DNS rules to 10.0.0.0/8 is not the server's.
  // Each CIDR counts less its except holes: `0.0.0.0/0` except `10.0.0.0/8` takes in no server of `10.0.0.0/8`.
  const aCidrs = pa.cidrs.filter((x) => x.length > 0);
  const bAddresses = pb.cidrs.flat();
  if (pb.anyAddress && (pa.anyAddress || aCidrs.length > 0)) return true;
  if (pa.anyAddress && (server ? bAddresses.length > 0 : rangesCoverFamily(bAddresses, 4) || rangesCoverFamily(bAddresses, 6))) return true;
  return aCidrs.some((x) => {
    const outside = subtractRanges(x, bAddresses);
    return server ? subtractRanges(x, outside).length > 0 : outside.length === 0;
  });
}

/**
 * Cilium ORs the L7 DNS rules of every allow rule on the same DNS peer and port (`mergePortProto`), across policies and
 * within one rule: an item that lets the same pods look up every name (`*`, or an allow of the DNS port without DNS rules,
 * which the agent widens with `*`: `appendL7WildcardRule`) silently cancels an item that restricts their lookups. In one
 * rule that is a second item of it (a DNS companion with `dnsRules` beside an L4 allow to the same server on 53, as a
 * `TieredApp` tier's `egress`, or a host rule's DNS restriction beside `HostFirewall`'s node-DNS guard). An allow of every
 * port, port 0 or a range is another L4 filter, which the DNS proxy does not read for a lookup on 53 (`dnsItems`), and so
 * is an allow of a named port beside DNS rules on 53, or of 53 beside DNS rules on the name (`sharesDnsFilter`).
 */
export function dnsRulesWidened(run: PitfallRun, r: RuleView): void {
  const { numbers, assumed, inputNumbers } = dnsPortNumbers(run);
  const restricted = dnsItems(r, numbers, true).filter((d) => !d.all);
  if (restricted.length === 0) return;
  // A finding that holds only on the DNS pods' assumed port names (none of them in the input) says so, as `dnsDenied` does.
  const assumption = (holdsOnInput: boolean): string => (!assumed || holdsOnInput ? '' : '. Assumed: the input holds no cluster DNS pods '
    + '(k8s-app: kube-dns in kube-system) whose declared ports would resolve the port names here; they are read as the conventional DNS ports '
    + '(CoreDNS: dns 53/UDP, dns-tcp 53/TCP); give the DNS Deployment with the input to have them resolved on its ports');
  // Within the restricted item: a port entry of it without L7 rules in the same filter (`mergePortProto`, same selectors).
  for (const d of restricted) {
    const plain = arr<PortRuleModel>(d.item.toPorts).filter((pr) => isObject(pr) && !hasL7Rules(pr));
    const merged = (nums: DnsPortMap): boolean => sharesDnsFilter(d.item, endPortExists(r), { toPorts: plain }, endPortExists(r), nums);
    if (plain.length === 0 || !merged(numbers)) continue;
    const who = r.host ? 'nodes' : 'pods';
    run.report('pitfall-dns-rules-widened', r, `${r.path}.egress[${d.index}].toPorts`,
      `these ${who} may look up only ${d.names.join(', ')}, but another toPorts entry of the same item allows the same DNS port without DNS rules: `
      + `Cilium merges them into one L4 filter and widens the DNS rules with an allow-all, so the restriction does not hold${assumption(merged(inputNumbers))}`,
      'drop the ports entry without rules (the DNS rules already allow the port), or give it the same DNS rules');
    return;
  }
  // A host rule (its DNS rules enforced from 1.17) is compared with itself only: `HostFirewall`'s egress guard to every pod on
  // every port beside a DNS restriction to kube-dns, say. Other rules select pods, not its nodes.
  for (const c of r.host ? [r] : everyNameRules(run)) {
    // Some pods of one are (provably, or per the workloads of the input) pods of the other.
    // The rule itself too: its other items (a restricted item is never one that allows every name).
    if (c.host !== r.host || !(c === r || run.covers(c, r) || run.covers(r, c))) continue;
    for (const theirs of dnsItems(c, numbers)) {
      if (!theirs.all) continue;
      const widens = (d: DnsItem, nums: DnsPortMap): boolean =>
        sameDnsPeer(run, r, d.item, c, theirs.item, namesDnsServer(theirs.item, endPortExists(c), nums))
        && (theirs.l4Only ? sharesDnsFilter(d.item, endPortExists(r), theirs.item, endPortExists(c), nums)
          : portsOverlap53(d.item, endPortExists(r), theirs.item, endPortExists(c), nums));
      const hit = restricted.find((d) => widens(d, numbers));
      if (!hit) continue;
      if (run.seen(`pitfall-dns-rules-widened\0${c.doc}/${c.path}`, r)) return;
      const other = c === r ? `this rule's ${c.path}.egress[${theirs.index}]` : c.name;
      const who = r.host ? 'nodes' : 'pods';
      run.report('pitfall-dns-rules-widened', r, `${r.path}.egress[${hit.index}].toPorts`,
        `these ${who} may look up only ${hit.names.join(', ')}, but ${other} lets the same ${who} look up every name (${theirs.names.join(', ')}) on the same `
        + `DNS server and port: Cilium ORs the DNS rules of ${c === r ? 'every item' : 'all policies'} there, so the restriction does not hold`
        + assumption(widens(hit, inputNumbers)),
        c === r
          ? `give ${other} the same DNS rules, or narrow its peers or ports so it does not reach the DNS server on 53${r.host ? hostGuardHint(theirs.item, endPortExists(c), numbers) : ''}; `
            + 'drop the restriction here if every name is meant'
          : `restrict the DNS rules of ${c.name} too (or select other pods with it), or drop the restriction here if every name is meant `
            + '(an FqdnEgress: allowAllDnsLookups: true)');
      return;
    }
  }
}

/**
 * For a host rule: the HostFirewall lockout guard an item of that shape is (the user cannot edit it) and the exemption that
 * lets the restriction hold; '' for other items. CIDRs on 53 only: the node-DNS guard of `nodeDnsServers`,
 * `LockoutPath.NODE_DNS`. (The pod guard allows every port: another L4 filter, which never widens DNS rules.)
 */
function hostGuardHint(item: RuleItemModel, endPort: boolean, numbers: DnsPortMap): string {
  const cidrOnly = (['endpoints', 'entities', 'nodes', 'services', 'fqdns', 'groups'] as const).every((f) => item[f] === undefined);
  if (cidrOnly && (item.cidr !== undefined || item.cidrSet !== undefined) && namesDnsServer(item, endPort, numbers)) {
    return ' (if it is a HostFirewall\'s node-DNS guard of nodeDnsServers: exempt LockoutPath.NODE_DNS with a reason and leave nodeDnsServers out, so this allow, with its DNS '
      + 'rules, is the nodes\' DNS to that server)';
  }
  return '';
}

/** The endpoint rules with an L7 DNS rule (computed once). */
export function dnsRuleProviders(run: PitfallRun): readonly RuleView[] {
  run.cachedDnsRules ??= run.rules.filter((c) => !c.host && dnsSelectors(run, c).length > 0);
  return run.cachedDnsRules;
}

/** The endpoint rules that allow DNS on 53/`protocol` to something that can be a DNS server (computed once per protocol). */
export function dnsProviders(run: PitfallRun, protocol: 'UDP' | 'TCP'): readonly RuleView[] {
  const cached = run.cachedDns.get(protocol);
  if (cached) return cached;
  const found = [...run.rules, ...run.networkPolicyViews()]
    .filter((c) => !c.host && items(c.rule, SectionName.EGRESS).some(({ item }) => allowsDns(run, item, c, protocol)));
  run.cachedDns.set(protocol, found);
  return found;
}

/**
 * Whether an egress allow item lets DNS (53/`protocol`) through to something that can be a DNS server. An item with
 * neither peers nor ports (`egress: [{}]`, the default-deny idiom) allows nothing; endpoint selectors are read on the
 * local cluster (`localClusterPeers`): an allow to kube-dns of cluster `east` only is no DNS of these pods.
 */
export function allowsDns(run: PitfallRun, written: RuleItemModel, c: RuleView, protocol: 'UDP' | 'TCP'): boolean {
  // Endpoint selectors of another cluster (clustermesh) select no local resolver: the pods look names up in their own.
  if (otherClustersOnly(run, written, c)) return false;
  const item = localClusterPeers(run, written, c);
  // A toFQDNs peer is never the resolver: it selects the addresses its names resolved to, and none before a lookup.
  if (!allowsPort53(item, protocol, endPortExists(c), dnsPortNumbers(run).forAllows) || arr(item.fqdns).length > 0) return false;
  if (arr<PortRuleModel>(item.toPorts).some((pr) => isObject(pr) && isObject(pr.rules) && arr(pr.rules.dns).length > 0)) return true;
  const l3 = (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'fqdns', 'groups'] as const).filter((f) => item[f] !== undefined);
  if (l3.length === 0) return item.toPorts !== undefined;
  if (arr<string>(item.entities).some((e) => DNS_ENTITIES.includes(e))) return true;
  if ((['cidr', 'cidrSet', 'services', 'nodes', 'groups'] as const).some((f) => arr(item[f]).length > 0)) return true;
  return arr<LabelSelectorModel>(item.endpoints).some((model) => {
    if (!isObject(model)) return false;
    // A NetworkPolicy rule without peers is the wildcard selector: every peer, the DNS server included.
    if (c.doc < 0 && selectorRequiresNothing(model)) return true;
    const peer = peerSelector(c, model);
    if (mayOverlap(peer, KUBE_DNS)) return true;
    return (run.podsOf(peer) ?? []).some((w) => w.ports.some((p) => p.port === 53));
  });
}
