// Pitfalls of selectors and subjects: clusterwide peers without a namespace, selectors matching nothing or host-network
// pods, select-all clusterwide default deny, NetworkPolicy overlap, deny-only directions, enableDefaultDeny without rules.
import { CiliumVersion } from '../core/cilium-version';
import { NP_IP_BLOCK_LAST_WIDENED, ipBlockPeerSelectsNamespace, ipBlockPeerSplitText } from '../model/np-ip-block-peer';
import { LabelSet, Selector } from '../model/labels';
import { isDenySection, LabelSelectorModel, PEER_FIELDS, PolicyKind, sectionDirection, SectionName, SECTIONS } from '../model/policy-model';
import { clusterFilter } from '../model/selector-import';
import { reservedSubjectsSelected } from '../model/reserved-subjects';
import { ruleEffects } from '../model/rule-effects';
import { selectorOnlyExcludes, writtenSelectorOnlyExcludes } from '../model/selectors';
import { items, PitfallRun, RuleView, where } from './pitfall-run';
import { sourcelessReservedLabels, SourcelessScope } from './lockout-guard';
import { listObjects } from '../model/object-names';
import { constrainsNamespace, describeSelector, fromModel, mayOverlap, NAMESPACE_KEY, namespacesOf, peerSelector, selectsLabels, selectsReserved } from './pod-selectors';
import { arr, isObject } from './walk';

/** A direction with only deny rules still puts the endpoints into default deny for it. */
export function denyOnly(run: PitfallRun, r: RuleView): void {
  for (const direction of ['ingress', 'egress'] as const) {
    const deny: SectionName = direction === 'ingress' ? SectionName.INGRESS_DENY : SectionName.EGRESS_DENY;
    if (arr(r.rule[deny]).length === 0 || arr(r.rule[direction]).length > 0 || !run.defaultDeny(r, direction)) continue;
    const providers = run.rules.filter((c) => c !== r && c.host === r.host && arr(c.rule[direction]).length > 0 && run.defaultDeny(c, direction));
    const cov = run.coverage(r, providers);
    if (cov.covered) continue;
    const all = direction === 'ingress' ? 'fromEntities' : 'toEntities';
    run.report('pitfall-deny-only-default-deny', r, `${r.path}.${deny}`,
      `this rule has only ${deny} rules for ${direction}, yet it puts ${r.host ? 'the nodes it selects' : run.who(r, cov)} into ${direction} default deny: ` +
      `all ${direction} traffic that no other policy allows is dropped, not only what is denied${run.assumption(cov)}`,
      r.version.atLeast(CiliumVersion.V1_16)
        ? `add enableDefaultDeny: {${direction}: false} to the rule so that only the denied traffic is dropped`
        : `add an ${direction} rule allowing everything else (${all}: [all]); deny rules still win over it`);
  }
}

/**
 * `enableDefaultDeny.<direction>: true` on a rule without rules of that direction: the agent enforces a direction only for
 * the rules that have rules of it (`computePolicyEnforcementAndRules`: `len(r.Egress) > 0 || len(r.EgressDeny) > 0`),
 * so the flag alone puts nothing into default deny.
 */
export function defaultDenyWithoutRules(run: PitfallRun, r: RuleView): void {
  const edd = r.rule.enableDefaultDeny;
  if (!isObject(edd) || !r.version.atLeast(CiliumVersion.V1_16)) return;
  for (const direction of ['ingress', 'egress'] as const) {
    const deny: SectionName = direction === 'ingress' ? SectionName.INGRESS_DENY : SectionName.EGRESS_DENY;
    if (edd[direction] !== true || arr(r.rule[direction]).length > 0 || arr(r.rule[deny]).length > 0) continue;
    run.report('pitfall-default-deny-without-rules', r, `${r.path}.enableDefaultDeny.${direction}`,
      `enableDefaultDeny.${direction} is true, but this rule has no ${direction} or ${deny} rules: Cilium enforces a direction only for rules `
      + `that have rules of it, so this rule puts ${r.host ? 'the nodes it selects' : 'its endpoints'} into no ${direction} default deny`,
      `add ${direction}: [{}] (an item that allows nothing) to make ${direction} default deny, or drop enableDefaultDeny.${direction}`);
  }
}

/** A CCNP peer selector without a namespace matches those labels in every namespace. */
export function ccnpPeerNamespace(run: PitfallRun, r: RuleView): void {
  if (r.kind !== 'CiliumClusterwideNetworkPolicy') return;
  for (const section of SECTIONS) {
    for (const { item, index } of items(r.rule, section)) {
      const wire = PEER_FIELDS.endpoints[sectionDirection(section)] ?? 'fromEndpoints';
      arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
        if (!isObject(model)) return;
        const sel = fromModel(model);
        if (sel.requirements.length === 0 || selectsReserved(sel) || constrainsNamespace(sel)) return;
        run.report('pitfall-ccnp-peer-namespace', r, `${r.path}.${section}[${index}].${wire}[${j}]`,
          `${wire} ${describeSelector(model)} in a clusterwide policy names no namespace, so it matches pods with these labels in every namespace`,
          'add k8s:io.kubernetes.pod.namespace: <namespace> to the selector; if every namespace is meant, say so with ' +
          'matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: Exists}]');
      });
    }
  }
}

/** The reserved identities a peer selector may take along with the pods, each as its label set. */
const RESERVED_PEERS = ['world', 'host', 'remote-node', 'health', 'kube-apiserver']
  .map((id) => ({ id, labels: LabelSet.of([{ source: 'reserved', key: id, value: '' }]) }));

/**
 * An allow rule's from/toEndpoints selector that only excludes (`NotIn`/`DoesNotExist`) and, as the agent imports it
 * (`peerSelector`: no namespace is added once the selector names the namespace key, a namespace-labels key in a CNP (from 1.16), or
 * a `reserved:` key; from 1.19 the cluster filter of `policy-default-local-cluster`, on by default), selects reserved
 * identities besides pods: the world, the host, remote nodes. The same reading as the engine's.
 */
export function peerSelectsReserved(run: PitfallRun, r: RuleView): void {
  for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
    for (const { item, index } of items(r.rule, section)) {
      const wire = PEER_FIELDS.endpoints[sectionDirection(section)] ?? 'fromEndpoints';
      arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
        if (!writtenSelectorOnlyExcludes(model)) return;
        const imported = peerSelector(r, model);
        const sel = r.version.atLeast(CiliumVersion.V1_19) && !imported.hasReservedKey() ? clusterFilter(imported, 'local') : imported;
        const taken = RESERVED_PEERS.filter((p) => sel.matches(p.labels)).map((p) => p.id);
        if (taken.length === 0) return;
        run.report('pitfall-peer-selector-only-excludes', r, `${r.path}.${section}[${index}].${wire}[${j}]`,
          `${wire} ${describeSelector(model)} only excludes labels and names the namespace (or a reserved: key) itself, so the agent adds no `
          + `namespace to it: besides pods it selects the reserved identities ${taken.join(', ')}${taken.includes('world') ? ' (every address outside the cluster)' : ''}`
          + `${r.version.atLeast(CiliumVersion.V1_19) || imported.hasReservedKey() ? '' : ' (from Cilium 1.19, policy-default-local-cluster keeps them out)'}`,
          'keep it to pods: add {key: k8s:io.kubernetes.pod.namespace, operator: Exists} to its matchExpressions, or a label the pods carry');
      });
    }
  }
}

/** What a reserved identity a source-less key selects is, for the finding's message. */
const RESERVED_IDENTITY_WHAT: Readonly<Record<string, string>> = {
  'world': 'every address outside the cluster',
  'world-ipv4': 'every IPv4 address outside a dual-stack cluster',
  'world-ipv6': 'every IPv6 address outside a dual-stack cluster',
  'host': 'the local node, and with it every host-network pod',
  'remote-node': 'every other node of the cluster',
};

/**
 * An allow rule's from/toEndpoints selector with a key written without a source that names a reserved label (`world: ""`,
 * `any:host: ""`, `remote-node Exists`) where the agent adds no namespace to it: a key without a source is `any:`
 * (pkg/policy/api/selector.go `EndpointSelector.UnmarshalJSON`, `labels.GetExtendedKeyFrom`), which holds on a label of
 * that key of every source, `reserved:` included (pkg/labels `LabelArray.Has`), and `getEndpointSelector`
 * (pkg/k8s/apis/cilium.io/utils/utils.go) adds no namespace beside `io.kubernetes.pod.namespace DoesNotExist`/`NotIn`, a
 * `reserved:` key or (a CNP, 1.16+) a namespace-labels key: it selects that reserved identity, not pods labelled so. Read
 * as the narrow-role constructs read it (`sourcelessReservedLabels`, which refuse it), on the rule's kind and the target
 * version (from 1.19 the cluster filter of `policy-default-local-cluster` keeps it out unless a `reserved:` key keeps the
 * selector as written; the family worlds `world-ipv4`/`-ipv6` from 1.15). In an allow section an error where it selects
 * the world or the host (`pitfall-peer-sourceless-reserved-world`), a warning for the other identities
 * (`pitfall-peer-sourceless-reserved`). In a deny section a warning whatever the identity: the deny drops that identity's
 * traffic (a deny wins over every allow, pkg/policy/mapstate.go) where pods were meant, which restricts and never widens
 * (nothing is exposed, and the drops show at once as denied flows), but is not what the rule says.
 */
export function peerSourcelessReserved(run: PitfallRun, r: RuleView): void {
  if (r.np !== undefined) return;
  const scope: SourcelessScope = r.kind === PolicyKind.CILIUM_NETWORK_POLICY ? { mode: 'cnp', namespace: r.namespace }
    : { mode: 'ccnp', matchesInit: r.subject?.hasKey('reserved', 'init') ?? false };
  for (const section of [SectionName.INGRESS, SectionName.EGRESS, SectionName.INGRESS_DENY, SectionName.EGRESS_DENY]) {
    const deny = isDenySection(section);
    for (const { item, index } of items(r.rule, section)) {
      const wire = PEER_FIELDS.endpoints[sectionDirection(section)] ?? 'fromEndpoints';
      const entities = PEER_FIELDS.entities[sectionDirection(section)] ?? 'fromEntities';
      arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
        if (!isObject(model)) return;
        const names = sourcelessReservedLabels(model, r.version, scope, true);
        if (names.length === 0) return;
        const severe = !deny && names.some((n) => n === 'host' || n.startsWith('world'));
        const later = r.version.atLeast(CiliumVersion.V1_19) ? names : sourcelessReservedLabels(model, CiliumVersion.V1_19, scope, true);
        const what = names.map((n) => `${n}${RESERVED_IDENTITY_WHAT[n] !== undefined ? ` (${RESERVED_IDENTITY_WHAT[n]})` : ''}`).join(', ');
        const [first] = names;
        const path = `${r.path}.${section}[${index}].${wire}[${j}]`;
        const message = `${wire} ${describeSelector(model)} requires the key ${JSON.stringify(first)} without a source (or with "any:"), which matches Cilium's `
          + `reserved label reserved:${first} too, and the agent adds no namespace to this selector (it names the namespace key, a reserved: key or a `
          + `namespace-labels key): on Cilium ${r.version.toString()} it selects the reserved ${names.length === 1 ? 'identity' : 'identities'} ${what}, `
          + `not pods labelled ${first}${later.length < names.length ? ' (from Cilium 1.19, policy-default-local-cluster, on by default, keeps it out)' : ''}`
          + (deny ? `: this deny drops the traffic ${sectionDirection(section) === 'ingress' ? 'from' : 'to'} ${names.length === 1 ? 'it' : 'them'} `
            + '(a deny wins over every allow), a restriction, never a widening, but not of the pods the selector names' : '');
        const fix = `a pod label is written with the k8s source (k8s:${first}); if the identity is meant, say so: ${entities}: [${names.join(', ')}]`;
        if (severe) run.report('pitfall-peer-sourceless-reserved-world', r, path, message, fix);
        else run.report('pitfall-peer-sourceless-reserved', r, path, message, fix);
      });
    }
  }
}

/**
 * A Kubernetes NetworkPolicy peer whose selector, as the agent translates it (`parseNetworkPolicyPeer`), only excludes: a
 * namespaceSelector of only `NotIn`/`DoesNotExist` requirements, without a podSelector or with one that only excludes
 * too. Only an EMPTY namespaceSelector gets `k8s:io.kubernetes.pod.namespace Exists`; this one gets nothing of the kind,
 * so besides the pods of the namespaces it selects it takes every identity without namespace labels (the world, the
 * host, remote nodes, health), where Kubernetes means pods only. The cluster filter (`policy-default-local-cluster`, on
 * by default from 1.19) keeps them out, as it does in the engine.
 */
export function networkPolicyPeerSelectsReserved(run: PitfallRun): void {
  const version = run.networkPolicyVersion;
  for (const np of run.inventory.networkPolicies) {
    for (const [direction, paths] of [['ingress', np.ingressPaths], ['egress', np.egressPaths]] as const) {
      (np.rule?.[direction] ?? []).forEach((item, i) => {
        const model = item.endpoints?.[0];
        const path = paths?.[i];
        if (model === undefined || path === undefined || !selectorOnlyExcludes(model)) return;
        const imported = Selector.from(model);
        const sel = version.atLeast(CiliumVersion.V1_19) ? clusterFilter(imported, 'local') : imported;
        const taken = RESERVED_PEERS.filter((p) => sel.matches(p.labels)).map((p) => p.id);
        if (taken.length === 0) return;
        run.reportNetworkPolicy('pitfall-np-peer-selects-reserved', np, `${path}.namespaceSelector`,
          `this namespaceSelector only excludes (NotIn/DoesNotExist), and Cilium gives a namespace requirement only to an empty one: besides the pods `
          + `of the namespaces it selects, it selects the reserved identities ${taken.join(', ')}${taken.includes('world') ? ' (every address outside the cluster)' : ''} `
          + `on Cilium ${version.toString()} (from 1.19, policy-default-local-cluster keeps them out)`,
          'keep it to pods: add {key: kubernetes.io/metadata.name, operator: Exists} to its matchExpressions (the API server sets that label on every Namespace)');
      });
    }
  }
}

/**
 * A Kubernetes NetworkPolicy ingress peer of only an `ipBlock`, on Cilium 1.19: from 1.19.0 to 1.19.4 with the cluster filter
 * on the agent also selects the pods of the policy namespace with it (`ipBlockPeerSelectsNamespace`, cilium/cilium#46305,
 * fixed in 1.19.5). The engine judges a 1.19.0-1.19.4 target as the agent translates it and does not judge, on an
 * unpatched 1.19, the connections whose verdict the patch decides (`engine-ip-block-patch-split`).
 */
export function networkPolicyIpBlockSelectsNamespace(run: PitfallRun): void {
  // The agents' cluster filter is not an input of validate: its 1.19 default (on) is assumed.
  if (ipBlockPeerSelectsNamespace(run.networkPolicyVersion, true) === false) return;
  for (const np of run.inventory.networkPolicies) {
    for (const path of np.ipBlockOnlyPaths ?? []) {
      run.reportNetworkPolicy('pitfall-np-ip-block-selects-namespace', np, `${path}.ipBlock`,
        `this ingress peer is only an ipBlock, yet ${ipBlockPeerSplitText(np.namespace)}. \`trace\` judges 1.19.0-${NP_IP_BLOCK_LAST_WIDENED.release} `
        + 'as the agent translates it, and on a target that names no patch does not judge the connections from pods of the namespace that the patch decides',
        'run Cilium 1.19.5 or later, or set policy-default-local-cluster: false on the agents, so that the peer is the ipBlock only');
    }
  }
}

/**
 * A clusterwide rule whose endpointSelector only excludes (`NotIn`/`DoesNotExist`): the agent adds no namespace to the
 * subject of a CCNP (`ParseToCiliumRule` with no namespace), so besides the pods it does not exclude it selects Cilium's
 * own endpoints that lack those labels (`reserved:health`, `reserved:ingress`, `reserved:init`), which get what the rule
 * gives (`ruleEffects`). The construct refuses the same selector (`subject-selector-only-excludes`).
 */
export function ccnpSubjectSelectsReserved(run: PitfallRun, r: RuleView): void {
  if (r.kind !== 'CiliumClusterwideNetworkPolicy' || r.host || r.subject === undefined || !writtenSelectorOnlyExcludes(r.rule.endpointSelector)) return;
  const taken = reservedSubjectsSelected(r.subject);
  const effects = ruleEffects(r.rule as Record<string, unknown>);
  if (taken.length === 0 || effects === undefined) return;
  run.report('pitfall-ccnp-subject-selects-reserved', r, `${r.path}.endpointSelector`,
    `endpointSelector ${describeSelector(r.rule.endpointSelector)} only excludes, and Cilium adds no namespace to the subject of a clusterwide policy: `
    + `besides the pods it does not exclude, it selects Cilium's own endpoints without those labels (the health and ingress endpoints and pods `
    + `still initializing): ${taken.join(', ')}, which get ${effects}`,
    'keep it to pods: add {key: k8s:io.kubernetes.pod.namespace, operator: Exists} to its matchExpressions, or a label the pods carry');
}

/** A clusterwide rule with an empty endpoint selector in default deny: every endpoint of the cluster, kube-system and Cilium's own included. */
export function clusterwideSelectAll(run: PitfallRun, r: RuleView): void {
  if (r.kind !== 'CiliumClusterwideNetworkPolicy' || r.host || !isObject(r.rule.endpointSelector)) return;
  const subject = r.subject;
  if (subject === undefined) return;
  const all = subject.requirements.length === 0;
  // Only namespace constraints (Exists, NotIn a list without kube-system): every pod of kube-system is selected too.
  const kubeSystem = !all && subject.requirements.every((q) => q.key === NAMESPACE_KEY) && selectsLabels(subject, 'kube-system', {});
  // Only requirements that exclude (`DoesNotExist`, `NotIn`) and select cluster DNS: every pod without those labels.
  const excluding = !all && !kubeSystem && subject.requirements.every((q) => q.key === NAMESPACE_KEY || q.operator === 'DoesNotExist' || q.operator === 'NotIn')
    && selectsLabels(subject, 'kube-system', { 'k8s-app': 'kube-dns' });
  if (!all && !kubeSystem && !excluding) return;
  const directions = (['ingress', 'egress'] as const).filter((d) => run.defaultDeny(r, d));
  if (directions.length === 0) return;
  run.report('pitfall-ccnp-select-all-default-deny', r, `${r.path}.endpointSelector`,
    `${all ? 'endpointSelector {} in a clusterwide policy selects every endpoint of the cluster, kube-system, DNS and Cilium\'s own endpoints included'
      : excluding ? `endpointSelector ${describeSelector(r.rule.endpointSelector)} in a clusterwide policy selects every pod it does not exclude, `
        + 'in every namespace (cluster DNS, k8s-app=kube-dns in kube-system, included)'
        : `endpointSelector ${describeSelector(r.rule.endpointSelector)} in a clusterwide policy selects every pod of kube-system (DNS included) and of every other namespace it does not exclude`}, and `
    + `this rule puts all of them into ${directions.join(' and ')} default deny: everything no other rule allows is dropped cluster-wide`,
    `select the namespaces meant (matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: Exists}, {key: k8s:io.kubernetes.pod.namespace, `
    + `operator: NotIn, values: [kube-system, …]}]), or add enableDefaultDeny: {${directions.map((d) => `${d}: false`).join(', ')}} (1.16+) `
    + 'if the rule only adds allows or denies');
}

/** Selectors that match none of the workloads of the input. */
export function selectorsMatchingNothing(run: PitfallRun, r: RuleView): void {
  if (r.host) return;
  if (r.subject && r.pods !== undefined && r.pods.length === 0) {
    run.report('pitfall-selector-matches-nothing', r, `${r.path}.endpointSelector`, nothingMessage(run, 'endpointSelector', r.rule.endpointSelector, r.subject),
      'compare the labels with the pod template labels of the workloads (spec.template.metadata.labels): a rule whose subject matches no pod does nothing');
  }
  // Without workloads in the input `podsOf` cannot tell for any selector: no peer is reported (nor its selector built).
  if (run.workloadsIn(undefined).length === 0) return;
  for (const section of SECTIONS) {
    const wire = PEER_FIELDS.endpoints[sectionDirection(section)] ?? 'fromEndpoints';
    for (const { item, index } of items(r.rule, section)) {
      arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
        if (!isObject(model)) return;
        const peer = peerSelector(r, model);
        const pods = run.podsOf(peer);
        if (pods === undefined || pods.length > 0) return;
        run.report('pitfall-selector-matches-nothing', r, `${r.path}.${section}[${index}].${wire}[${j}]`, nothingMessage(run, wire, model, peer),
          'compare the labels with the pod template labels of the workloads (spec.template.metadata.labels), and check the namespace: a peer that ' +
          'matches no pod allows (or denies) nothing');
      });
    }
  }
}

/**
 * Pod selectors that select pods on the host network: Cilium creates no endpoint for them, so a rule whose subject they
 * are does not apply to them, and a peer selector never matches their traffic, which carries the node's identity
 * (`reserved:host` on the same node, `reserved:remote-node` from others).
 */
export function hostNetworkPods(run: PitfallRun, r: RuleView): void {
  if (r.host) return;
  if (r.np) return networkPolicyHostNetworkPods(run, r);
  const onHost = (r.pods ?? []).filter((w) => w.hostNetwork);
  if (onHost.length > 0) {
    run.report('pitfall-host-network-pods', r, `${r.path}.endpointSelector`,
      `endpointSelector ${describeSelector(r.rule.endpointSelector)} selects pods on the host network (${listObjects(onHost)}): Cilium does not manage `
      + 'hostNetwork pods as endpoints, so this rule does not apply to them',
      'restrict them with a host policy (a CiliumClusterwideNetworkPolicy with nodeSelector, with the host firewall on), or run them without hostNetwork');
  }
  // Without workloads in the input `podsOf` finds no pods for any selector: no peer is reported (nor its selector built).
  if (run.workloadsIn(undefined).length === 0) return;
  for (const section of SECTIONS) {
    const direction = sectionDirection(section);
    const wire = PEER_FIELDS.endpoints[direction] ?? 'fromEndpoints';
    const entities = direction === 'ingress' ? 'fromEntities' : 'toEntities';
    for (const { item, index } of items(r.rule, section)) {
      arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
        if (!isObject(model)) return;
        const peers = (run.podsOf(peerSelector(r, model)) ?? []).filter((w) => w.hostNetwork);
        if (peers.length === 0) return;
        run.report('pitfall-host-network-pods', r, `${r.path}.${section}[${index}].${wire}[${j}]`,
          `${wire} ${describeSelector(model)} selects pods on the host network (${listObjects(peers)}): their traffic carries the node's identity `
          + '(host on the same node, remote-node from other nodes), which a pod selector never matches',
          `name them as ${entities}: [host, remote-node] (with toPorts to keep it narrow), or run them without hostNetwork`);
      });
    }
  }
}

/**
 * `hostNetworkPods` for a Kubernetes NetworkPolicy, at its own paths: a `podSelector` selecting hostNetwork pods applies
 * to none of them, and a peer selecting them never matches their traffic. A peer that selects every pod of a namespace
 * or more (`namespaceSelector`) is reported only when it names no pod label, so as not to flag `namespaceSelector: {}`
 * for the hostNetwork pods it may happen to cover; the wildcard of a rule without peers matches the node too.
 */
function networkPolicyHostNetworkPods(run: PitfallRun, r: RuleView): void {
  const onHost = (r.pods ?? []).filter((w) => w.hostNetwork);
  if (onHost.length > 0) {
    run.report('pitfall-host-network-pods', r, 'spec.podSelector',
      `podSelector selects pods on the host network (${listObjects(onHost)}): Cilium does not manage hostNetwork pods as endpoints, so this `
      + 'NetworkPolicy does not apply to them',
      'restrict them with a host policy (a CiliumClusterwideNetworkPolicy with nodeSelector, with the host firewall on), or run them without hostNetwork');
  }
  if (run.workloadsIn(undefined).length === 0) return;
  for (const [direction, paths] of [['ingress', r.np?.ingressPaths], ['egress', r.np?.egressPaths]] as const) {
    (r.rule[direction] ?? []).forEach((item, i) => {
      const model = item.endpoints?.[0];
      const path = paths?.[i];
      if (!isObject(model) || path === undefined || !/\.(from|to)\[\d+\]$/.test(path)) return;
      const sel = fromModel(model);
      if (!sel.requirements.some((q) => !(q.source === 'k8s' && (q.key === NAMESPACE_KEY || q.key.startsWith('io.cilium.k8s.namespace.labels.'))))) return;
      const peers = (run.podsOf(sel) ?? []).filter((w) => w.hostNetwork);
      if (peers.length === 0) return;
      run.report('pitfall-host-network-pods', r, `${path}.podSelector`,
        `this peer selects pods on the host network (${listObjects(peers)}): their traffic carries the node's identity (host on the same node, `
        + 'remote-node from other nodes), which a pod selector never matches',
        'allow the node addresses with an ipBlock (Cilium matches node IPs with CIDRs only with policy-cidr-match-mode: nodes), or a CiliumNetworkPolicy '
        + `with ${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: [host, remote-node], or run them without hostNetwork`);
    });
  }
}

export function nothingMessage(run: PitfallRun, field: string, model: LabelSelectorModel | undefined, sel: Selector): string {
  const scope = namespacesOf(sel);
  const candidates = run.workloadsIn(scope);
  const shown = candidates.slice(0, 3).map((w) => `${w.kind} ${w.namespace}/${w.name} ${describeSelector({ matchLabels: w.podLabels })}`);
  const more = candidates.length > 3 ? ` and ${candidates.length - 3} more` : '';
  const which = candidates.length === 1 ? 'does not match the only workload' : `matches none of the ${candidates.length} workloads`;
  return `${field} ${describeSelector(model)}${scope ? ` (namespace ${scope.join(', ')})` : ''} ${which} of the input${scope ? ' there' : ''}: ` +
    `${shown.join('; ')}${more}`;
}

/** A Kubernetes NetworkPolicy on the same pods as a Cilium rule. */
export function networkPolicyOverlap(run: PitfallRun, r: RuleView): void {
  // A rule of a policy the API server or the agent refuses (no name, say) is no rule of the cluster: no union to warn of.
  if (r.host || !r.subject || r.refused) return;
  // Those the API server accepts (the cluster has no other), of the rule's namespace for a CNP rule.
  for (const { np, selector: npSel, pods: npPods } of run.networkPolicySubjects(r)) {
    let how: string;
    if (r.pods !== undefined && npPods !== undefined && (r.pods.length > 0 || npPods.length > 0)) {
      const shared = r.pods.filter((w) => npPods.includes(w));
      if (shared.length === 0) continue;
      how = `both select the pods of ${listObjects(shared)}`;
    } else {
      if (!mayOverlap(r.subject, npSel)) continue;
      how = 'judged from the selectors, they can select the same pods';
    }
    run.report('pitfall-network-policy-overlap', r, `${r.path}.endpointSelector`,
      `this rule and the Kubernetes NetworkPolicy ${np.namespace}/${np.name}${where(np.source)} ${describeSelector(np.podSelector)} apply to the same pods (${how}): ` +
      'Cilium enforces both, a connection allowed by either one is allowed, and neither shows on its own what these pods may do',
      'keep the rules for these pods in one kind of policy (translate the NetworkPolicy into the Cilium policy), or check that the union of both is intended');
  }
}
