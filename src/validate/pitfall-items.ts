// Pitfalls of single rule items: toServices with toPorts, the API server reached (egress) or denied (egressDeny, where the
// agent never resolves toServices) through toServices, Kafka on 1.20, authentication that drops what the item allows, an ICMP type 0 that stands for every type,
// a toPorts entry without ports, an egress allow of the API server's addresses without ports, a TLS server name wildcard in the
// registrable part of the name.
import { authenticationDrop } from '../model/authentication';
import { droppedGroupRefs } from '../model/cidr-groups';
import { icmpTypeIsWildcard, icmpTypeNumber } from '../model/icmp-types';
import { IcmpFieldModel, IcmpRuleModel, LabelSelectorModel, PortRuleModel, RuleItemModel, SectionName, SECTIONS } from '../model/policy-model';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { servicesReferenced } from './pitfall-services';
import { describeSelector } from './pod-selectors';
import { serviceEntryTarget, servicesOfTarget } from '../model/services-unresolved';
import { AGENT_SINCE } from './tables';
import { arr, isObject } from './walk';
import { kubeApiServerEveryPort, selectorRequiresKubeApiServer } from './kube-apiserver-every-port';
import { registrableServerName } from './server-name-registrable';
import { itemUnresolved, servicesMissingEveryPeer } from './pitfall-services-every-peer';

function serviceRefText(ref: unknown, r: RuleView): string {
  const target = serviceEntryTarget(ref, r.version);
  if (target.kind !== 'name' && target.kind !== 'labels') return 'a Service';
  const ns = target.namespace;
  const where = ns === undefined ? ' (of any namespace)' : '';
  if (target.kind === 'name') return `Service ${ns ? `${ns}/` : ''}${target.name}${where}`;
  const selector = isObject(ref) && isObject(ref.k8sServiceSelector) ? ref.k8sServiceSelector.selector : undefined;
  return `the Services ${describeSelector(selector as LabelSelectorModel)}${ns ? ` in ${ns}` : where}`;
}

/**
 * `toServices` + `toPorts` (1.17+): fine when the ports are target ports; unverifiable when the Service is not in the
 * input. One finding an item: when no other entry adds a peer selector, `pitfall-services-missing-every-peer` says it
 * (`itemUnresolved` `not-known`), the ports open to every peer if the Services do not exist, and this caveat with it.
 */
export function servicesWithPorts(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  if (!r.version.atLeast(AGENT_SINCE.servicesWithPorts) || arr(item.services).length === 0 || arr(item.toPorts).length === 0) return;
  if (itemUnresolved(run, r, item) === 'not-known') return;
  // An entry that matches no Service at all is not a Service missing from the input (`pitfall-service-selector-invalid`).
  const unknown = arr<unknown>(item.services).filter((ref) => ['name', 'labels'].includes(serviceEntryTarget(ref, r.version).kind)
    && servicesReferenced(run, r, ref).length === 0).map((ref) => serviceRefText(ref, r));
  if (unknown.length === 0) return;
  run.report('pitfall-services-with-ports', r, `${itemPath}.toPorts`,
    `toServices with toPorts: Cilium matches these ports after the Service is translated, against the backend (container) ports, not the Service ` +
    `port; ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the input, so this cannot be checked`,
    'make sure the ports are the targetPorts of the Service (or give its manifest to validate, which then checks them)');
}

/**
 * `toServices` in `egressDeny`: the agent never resolves it (pkg/policy/k8s/service.go `processRule` walks `rule.Egress`
 * only; before 1.17 pkg/k8s/rule_translate.go likewise), so the item has no peer selector: with toPorts (or icmps) it
 * denies them to every destination, without them nothing. The engine reads it so. Left to `pitfall-kube-apiserver-service`
 * for the default/kubernetes Service.
 */
export function denyServicesUnresolved(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const onPorts = arr(item.toPorts).length > 0 || arr(item.icmps).length > 0;
  arr<unknown>(item.services).forEach((ref, j) => {
    if (!isObject(ref) || isKubernetesService(ref, r)) return;
    run.report('pitfall-deny-services-unresolved', r, `${itemPath}.toServices[${j}]`,
      `toServices in a deny is never resolved: Cilium translates the toServices of egress rules only, so ${serviceRefText(ref, r)} is not `
      + `what this item denies; it has no peer selector and ${onPorts ? `denies its ${arr(item.toPorts).length > 0 ? 'ports' : 'ICMP types'} to `
        + 'every destination, the world included' : 'denies nothing'}`,
      'deny the backends with toEndpoints (their labels and namespace) or their addresses with toCIDRSet');
  });
}

/**
 * Whether a toServices entry names the default/kubernetes Service (by name, or by a selector with requirements its labels
 * match), with `default` or no namespace (which matches every namespace), as the engine reads the entry (`serviceEntryTarget`).
 */
function isKubernetesService(ref: unknown, r: RuleView): boolean {
  const target = serviceEntryTarget(ref, r.version);
  if (target.kind === 'labels' && target.selector.requirements.length === 0) return false;
  return servicesOfTarget(target, [{ name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }]).length > 0;
}

/**
 * `toServices` to `default/kubernetes`: an allow does not reliably reach the API server (the Service has no selector, so it
 * becomes the addresses of its endpoints, which do not select the kube-apiserver identity). A deny (`egressDeny`) does not
 * cut it at all: the agent never resolves the toServices of a deny (pkg/policy/k8s/service.go `processRule`, and before 1.17
 * pkg/k8s/rule_translate.go `RuleTranslator.Translate`, walk `rule.Egress` only), so the item has no selector: with toPorts
 * it denies them to every peer, without them nothing (the engine reads it so).
 */
export function kubeApiServerService(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string, deny: boolean): void {
  arr<unknown>(item.services).forEach((ref, j) => {
    if (!isObject(ref)) return;
    if (!isKubernetesService(ref, r)) return;
    const onPorts = arr(item.toPorts).length > 0 || arr(item.icmps).length > 0;
    run.report('pitfall-kube-apiserver-service', r, `${itemPath}.toServices[${j}]`,
      deny
        ? 'toServices to the default/kubernetes Service in a deny does not cut the API server: Cilium resolves the toServices of egress '
          + 'rules only, never of egressDeny, so this item has no peer selector and '
          + (onPorts ? `denies its ${arr(item.toPorts).length > 0 ? 'ports' : 'ICMP types'} to every destination` : 'denies nothing')
        : 'toServices to the default/kubernetes Service does not reliably reach the API server: the Service has no selector, so Cilium '
          + 'turns it into the addresses of its endpoints, and address-based rules do not select the API server once Cilium gives it '
          + 'the kube-apiserver identity',
      `use toEntities: [kube-apiserver]${deny ? ' in egressDeny' : ''} (with toPorts 443/TCP or 6443/TCP if you restrict ports)`);
  });
}

/**
 * A `toServices` entry of an egress allow that matches no Service whatever the cluster holds, or (1.19) whose selector
 * does not build (`serviceEntryTarget`: a `k8sServiceSelector` whose requirements Kubernetes cannot build, such as a key
 * with a source prefix `k8s:app` or an `In` without values, or up to 1.18 one written `{}`; a `k8sService` without a
 * serviceName): the agent checks no toServices entry, so it imports the policy. Up to 1.18 the entry matches no Service
 * (pkg/policy/k8s/service.go `serviceSelectorMatches`/`serviceRefMatches`); on 1.19 what a selector that does not build
 * matches depends on the patch release (before cilium/cilium#46946 every Service, after it a source prefix is ignored), so
 * the engine does not judge the endpoints the rule selects. On 1.14-1.16 with toPorts the agent refuses the policy
 * (`sanitize-services-with-ports` says so): the message does not speak of an import. A selector left out is the CRD's
 * (`crd-service-selector`); an entry with neither field is `pitfall-services-every-peer`'s. Egress only: a deny's
 * toServices is never resolved (`pitfall-deny-services-unresolved`).
 */
export function serviceSelectorInvalid(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const onPorts = arr(item.toPorts).length > 0 || arr(item.icmps).length > 0;
  const refused = !r.version.atLeast(AGENT_SINCE.servicesWithPorts) && arr(item.toPorts).length > 0;
  arr<unknown>(item.services).forEach((ref, j) => {
    const target = serviceEntryTarget(ref, r.version);
    if ((target.kind !== 'nothing' && target.kind !== 'undecided') || target.at === undefined) return;
    if (isObject(ref) && isObject(ref.k8sServiceSelector) && ref.k8sServiceSelector.selector === undefined) return;
    const message = refused
      ? `${target.kind === 'undecided' ? `this k8sServiceSelector does not build: ${target.why}` : target.why}; with toPorts the agent refuses the policy `
        + `anyway on ${r.version} (sanitize-services-with-ports)`
      : target.kind === 'undecided'
        ? `this k8sServiceSelector does not build: ${target.why}; the agent does not check toServices selectors, so it imports the policy, and which Services the selector matches `
          + 'depends on the 1.19 patch release: before cilium/cilium#46946 its requirements do not build and it matches every Service '
          + '(of its namespace, if it names one), after it a source prefix is read as a source and ignored (k8s:app matches the Services '
          + 'labelled app); the engine does not judge the endpoints this rule selects'
        : `${target.why}: the agent does not check toServices entries, so it imports the policy`
          + (onPorts ? ` (if no other toServices entry of the item resolves, its ${arr(item.toPorts).length > 0 ? 'ports' : 'ICMP types'} are open to every peer)` : '');
    run.report('pitfall-service-selector-invalid', r, `${itemPath}.toServices[${j}].${target.at}`, message, target.fix ?? '');
  });
}

/**
 * An allow item whose `authentication.mode` drops what it allows: `test-always-fail` always, `required` unless the cluster
 * runs mutual authentication with SPIRE (the engine's reading, `authenticationDrop`; the engine judges it so unless told
 * `mutualAuth`).
 */
export function authenticationDrops(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const mode = isObject(item.authentication) ? item.authentication.mode : undefined;
  const drop = typeof mode === 'string' ? authenticationDrop(mode, false) : undefined;
  if (drop === undefined) return;
  run.report('pitfall-authentication-drops', r, `${itemPath}.authentication.mode`, `this allow rule requires authentication: ${drop.why}`, drop.fix);
}

/**
 * An `icmps` field of type 0 (IPv4 `EchoReply`, or `0`): the agent reads it as every ICMP type of its family
 * (`icmpTypeCovers`, cilium/cilium#41304), so an allow opens all of them and a deny drops all of them, ping included.
 */
export function icmpTypeZero(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string, deny: boolean): void {
  arr<IcmpRuleModel>(item.icmps).forEach((rule, j) => {
    if (!isObject(rule)) return;
    arr<IcmpFieldModel>(rule.fields).forEach((f, k) => {
      if (!isObject(f) || (typeof f.type !== 'number' && typeof f.type !== 'string')) return;
      const family = f.family === 'IPv6' ? 'IPv6' : 'IPv4';
      if (!icmpTypeIsWildcard(icmpTypeNumber(f.type, family))) return;
      const icmp = family === 'IPv6' ? 'ICMPv6' : 'ICMPv4';
      run.report('pitfall-icmp-type-zero', r, `${itemPath}.icmps[${j}].fields[${k}].type`,
        `icmps type ${JSON.stringify(f.type)} (${family}) is read by the agent as every ${icmp} type: the type is the port of the policy map key, `
        + `and port 0 is its wildcard (cilium/cilium#41304), so this ${deny ? 'deny drops' : 'allow opens'} all ${icmp}, not only type 0`,
        deny
          ? `if all ${icmp} is meant, deny it without icmps (an L3 deny covers ICMP); otherwise list the types meant, other than 0`
          : `drop it: echo replies to an allowed echo request pass through connection tracking without a rule; if all ${icmp} is meant, `
            + 'say so with an item without toPorts and icmps');
    });
  });
}

/**
 * A `toPorts` entry that lists no ports (no `ports`, or `ports: []`): the agent makes one filter per listed port
 * (pkg/policy/rule.go `mergeIngress`/`mergeEgress` iterate `GetPortProtocols()`; only an item without toPorts is L3-only),
 * so the entry allows (or denies) nothing, its L7 rules and server names included. The engine reads it so. Left to
 * `sanitize-dns-no-ports` when it has DNS rules (the agent refuses those).
 */
export function portRuleWithoutPorts(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string, deny: boolean): void {
  arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
    if (!isObject(pr) || arr(pr.ports).length > 0 || (isObject(pr.rules) && pr.rules.dns !== undefined)) return;
    const others = arr<PortRuleModel>(item.toPorts).some((o) => isObject(o) && arr(o.ports).length > 0);
    run.report('pitfall-port-rule-without-ports', r, `${itemPath}.toPorts[${k}]`,
      `this toPorts entry lists no ports: Cilium makes one filter per listed port, so it ${deny ? 'denies' : 'allows'} nothing`
      + `${deny ? '' : ' (its L7 rules and server names never apply)'}${others ? '' : ', and the item is not every port either (only an item without toPorts is)'}`,
      deny ? 'list the ports to deny, or drop toPorts from the item to deny every port'
        : 'list the ports (e.g. ports: [{port: "80", protocol: TCP}]), or drop toPorts from the item to allow every port');
  });
}

/**
 * The checks of single rule items: toServices (with toPorts, to the API server), in egress and egressDeny (a deny's
 * toServices is never resolved: it denies its ports to every peer, or nothing), authentication, ICMP type 0, and Kafka on
 * Cilium 1.20.
 */
/**
 * Cilium 1.14/1.15: an ingress allow item with toPorts or icmps whose `fromCIDRSet` is only `cidrGroupRef` entries to
 * CiliumCIDRGroups that are missing from the input or have no externalCIDRs (`droppedGroupRefs`, the engine's reading):
 * the watcher drops the list, and the item's ports are open to every peer. An error when every group is in the input
 * without CIDRs (`pitfall-cidr-group-ref-empty`), a warning when some are only missing from the input
 * (`pitfall-cidr-group-ref-missing`: they may exist in the cluster with CIDRs; the engine does not judge the endpoints).
 */
export function cidrGroupRefDropped(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const onPorts = arr(item.toPorts).length > 0 ? 'ports' : arr(item.icmps).length > 0 ? 'ICMP types' : undefined;
  if (onPorts === undefined || !Array.isArray(item.cidrSet)) return;
  const dropped = droppedGroupRefs(item, 'ingress', false, r.version, run.inventory._cidrGroupMap);
  if (dropped === undefined) return;
  const q = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');
  const empty = dropped.empty.length > 0 ? `${dropped.empty.length === 1 ? 'the CiliumCIDRGroup' : 'the CiliumCIDRGroups'} ${q(dropped.empty)} of the input `
    + `${dropped.empty.length === 1 ? 'has' : 'have'} no externalCIDRs` : '';
  const missing = dropped.missing.length > 0 ? `${dropped.missing.length === 1 ? 'the CiliumCIDRGroup' : 'the CiliumCIDRGroups'} ${q(dropped.missing)} `
    + `${dropped.missing.length === 1 ? 'is' : 'are'} not in the input` : '';
  const lead = `every entry of fromCIDRSet is a cidrGroupRef and ${[empty, missing].filter((t) => t !== '').join(', and ')}: Cilium ${r.version} `
    + 'replaces each reference with its group\'s CIDRs before import and drops a list left with none, so the item has no peer selector';
  const fix = 'add a plain cidr entry to fromCIDRSet, ship the CiliumCIDRGroup with its externalCIDRs, or target Cilium 1.16 (where the list selects nothing)';
  if (dropped.missing.length === 0) {
    run.report('pitfall-cidr-group-ref-empty', r, `${itemPath}.fromCIDRSet`, `${lead}: its ${onPorts} are open to every peer, the world included`, fix);
    return;
  }
  run.report('pitfall-cidr-group-ref-missing', r, `${itemPath}.fromCIDRSet`,
    `${lead} if the missing ${dropped.missing.length === 1 ? 'group is' : 'groups are'} missing or empty in the cluster too: its ${onPorts} are then open `
    + 'to every peer, the world included (if one has CIDRs, only those are allowed); the engine does not judge the endpoints this rule selects',
    `pass the CiliumCIDRGroup manifest with the policies; or ${fix}`);
}

/**
 * An egress allow of the API server's addresses without ports (`toEntities: [kube-apiserver]`, or `toEndpoints`/`toNodes`
 * requiring `reserved:kube-apiserver`, with no toPorts and no icmps): the one rule `kubeApiServerEveryPort`, which the
 * constructs refuse as `peer-kube-apiserver-every-port` — every port of the control-plane nodes, etcd and the kubelet included.
 */
export function kubeApiServerEveryPortItem(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const problem = kubeApiServerEveryPort(item, arr(item.toPorts).length + arr(item.icmps).length);
  if (problem === undefined) return;
  const field = problem.entity ? undefined : arr<unknown>(item.endpoints).some(selectorRequiresKubeApiServer) ? 'toEndpoints' : 'toNodes';
  const at = field === undefined ? `toEntities[${arr<unknown>(item.entities).indexOf('kube-apiserver')}]`
    : `${field}[${arr<unknown>(field === 'toEndpoints' ? item.endpoints : item.nodes).findIndex(selectorRequiresKubeApiServer)}]`;
  run.report('pitfall-kube-apiserver-every-port', r, `${itemPath}.${at}`,
    `this egress allow of the API server has no toPorts, so it allows every port of the API server's addresses, not the API server: ${problem.reason}`,
    `give the port the API server listens on, as pods reach it after service translation: toPorts: [{ports: [${problem.ports
      .map((p) => `{port: "${p}", protocol: TCP}`).join(', ')}]}]; if every port of those addresses is meant, say so: ports: [{port: "0", protocol: ANY}]`);
}

/**
 * A TLS `serverNames` entry of an allow whose wildcard stands in the registrable part of the name (`*.com`, `**.co.uk`): the
 * one rule `registrableServerName`, which the constructs refuse as `server-names-registrable`.
 */
export function serverNamesRegistrable(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string, direction: 'ingress' | 'egress'): void {
  arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
    if (!isObject(pr)) return;
    arr<unknown>(pr.serverNames).forEach((name, j) => {
      const means = typeof name === 'string' ? registrableServerName(name, r.version, direction) : undefined;
      if (means === undefined) return;
      run.report('pitfall-server-names-registrable', r, `${itemPath}.toPorts[${k}].serverNames[${j}]`,
        `serverNames ${JSON.stringify(name)} has its wildcard in the registrable part of the name: ${means}`,
        'list the server names, or put the wildcard below a domain of your own ("*.api.example.com", "**.example.com")');
    });
  });
}

export function itemChecks(run: PitfallRun, r: RuleView): void {
  for (const section of SECTIONS) {
    for (const { item, index } of items(r.rule, section)) {
      if (section === 'ingress' || section === 'egress') authenticationDrops(run, r, item, `${r.path}.${section}[${index}]`);
      icmpTypeZero(run, r, item, `${r.path}.${section}[${index}]`, section === SectionName.INGRESS_DENY || section === SectionName.EGRESS_DENY);
      portRuleWithoutPorts(run, r, item, `${r.path}.${section}[${index}]`, section === SectionName.INGRESS_DENY || section === SectionName.EGRESS_DENY);
      if (section === SectionName.EGRESS) servicesWithPorts(run, r, item, `${r.path}.${section}[${index}]`);
      if (section === SectionName.EGRESS) servicesMissingEveryPeer(run, r, item, `${r.path}.${section}[${index}]`);
      if (section === SectionName.EGRESS) serviceSelectorInvalid(run, r, item, `${r.path}.${section}[${index}]`);
      if (section === SectionName.EGRESS) kubeApiServerEveryPortItem(run, r, item, `${r.path}.${section}[${index}]`);
      if (section === SectionName.INGRESS || section === SectionName.EGRESS) serverNamesRegistrable(run, r, item, `${r.path}.${section}[${index}]`,
        section === SectionName.INGRESS ? 'ingress' : 'egress');
      if (section === SectionName.INGRESS) cidrGroupRefDropped(run, r, item, `${r.path}.${section}[${index}]`);
      if (section === SectionName.EGRESS_DENY) denyServicesUnresolved(run, r, item, `${r.path}.${section}[${index}]`);
      if (section === SectionName.EGRESS || section === SectionName.EGRESS_DENY) {
        kubeApiServerService(run, r, item, `${r.path}.${section}[${index}]`, section === SectionName.EGRESS_DENY);
      }
      if (!run.options.kafkaRemoved) continue;
      arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
        if (!isObject(pr) || !isObject(pr.rules)) return;
        for (const field of ['kafka', 'l7proto'] as const) {
          if (pr.rules[field] === undefined) continue;
          run.report('pitfall-kafka-removed', r, `${r.path}.${section}[${index}].toPorts[${k}].rules.${field}`,
            `${field} rules were removed in Cilium 1.20: its CRD no longer has them, so the API server rejects the policy`,
            field === 'kafka' ? 'enforce Kafka at L4 (toPorts without rules), or with a service mesh' : 'replace the proxylib parser before upgrading to 1.20');
        }
      });
    }
  }
}
