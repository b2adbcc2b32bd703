/**
 * The merge conflicts of one subject's policy (`model/l7-parsers.ts`): when the allow items of the rules that select it
 * put two L7 parsers on one filter (from 1.18: for one peer selector), or two `authentication.mode`s on one filter for one
 * peer selector, the agent refuses to compute its policy and keeps the one it had (pkg/endpoint `regeneratePolicy`
 * returns before the policy changes), so no verdict on it — either direction, any port — is what the agent enforces.
 * An HTTP regex of an allow item that is certainly larger than Envoy accepts (`model/envoy-regex.ts`) is refused the same
 * way: cilium-envoy refuses (NACKs) the network-policy update that carries it and keeps the L7 policy it had, and the
 * endpoint's regeneration fails waiting for Envoy's acknowledgement.
 * Worked out once per set of selecting rules (`agentRefusals`): for explained verdicts (a note), and for the diff, the
 * report and replay, which do not judge the connections of such an endpoint.
 */
import { CiliumVersion } from '../core/cilium-version';
import {
  ParserUse, authenticationFilters, endpointsPeerKey, entityPeerKeys, l7ParserOf, parserConflicts, parserFilters, parserRulesText, parsersPerSelector,
  filterPeerKey, mergeOrderDecided, peerText, redirectOf, resolvedRedirect, sharesRedirect,
} from '../model/l7-parsers';
import { EnvoyRegexSizeProblem, envoyRegexSizeProblem } from '../model/envoy-regex';
import { SECTIONS, SectionName } from '../model/policy-model';
import { DERIVATIVE_KIND_LABEL } from '../model/groups-derivative';
import { namedPortNumber, namedPortNumbers } from '../model/named-port-numbers';
import { pushAll } from '../model/push-all';
import { LISTENER_KIND_FIX, listenerKindError, namespacedListenerName } from '../model/listener-kind';
import {
  SelectorMergeProblem, SelectorPolicyUse, selectorMergeFix, selectorMergeProblems, selectorMergeText, sniCheckedL7Rules,
} from '../model/selector-policy-merge';
import { CompiledItem, CompiledRule, PeerSpec } from './compile';
import { NamedPort } from './endpoint';

/** The validate check that finds each kind of merge error (the check to run for a refused policy). */
export enum AgentRefusalCheck {
  /** Two L7 parsers on one filter (from 1.18: for one peer selector): "cannot merge conflicting L7 parsers". */
  L7_PARSER_CONFLICT = 'pitfall-l7-parser-conflict',
  /** Two `authentication.mode`s on one filter for one peer selector: "cannot merge conflicting authentication types". */
  AUTH_MODE_CONFLICT = 'pitfall-auth-mode-conflict',
  /** An HTTP `path`, `method` or `host` regex whose RE2 program is certainly larger than Envoy accepts. */
  HTTP_REGEX_TOO_LARGE = 'pitfall-http-regex-too-large',
  /** A policy with cloud provider groups (`toGroups`, `fromGroups`), left to the operator's derivative policy. */
  GROUPS_DERIVATIVE = 'pitfall-groups-derivative',
  /** From 1.19: a `toServices` `k8sServiceSelector` that does not build, whose Services the patch release decides. */
  SERVICE_SELECTOR_UNDECIDED = 'pitfall-service-selector-invalid',
  /** 1.14/1.15: a `fromCIDRSet` of references, dropped unless a group the inputs do not hold has CIDRs in the cluster. */
  CIDR_GROUP_UNDECIDED = 'pitfall-cidr-group-ref-missing',
  /** An egress allow item with toPorts or icmps whose `toServices` add no selector here, some Services not in the inputs. */
  SERVICE_MISSING_UNDECIDED = 'pitfall-services-missing-every-peer',
  /** A listener of kind `CiliumEnvoyConfig` for a subject without a namespace: "Listener %q in CCNP can not use Kind CiliumEnvoyConfig". */
  LISTENER_KIND = 'pitfall-listener-kind-refused',
  /** Two different Envoy listeners for one peer selector on one filter: "cannot merge conflicting CiliumEnvoyConfig Listeners". */
  LISTENER_CONFLICT = 'pitfall-listener-conflict',
  /** `serverNames` beside L7 rules for one peer selector on one filter, no TLS termination: refused or not by the merge order. */
  SNI_L7_UNDECIDED = 'pitfall-sni-l7-merge',
}

/**
 * Why the agent refuses the policy of the endpoints the rules select: a merge error, a regex Envoy refuses, or a policy
 * it leaves to the operator's derivative.
 */
export type AgentRefusal = AgentMergeRefusal | EnvoyRegexRefusal | GroupsDerivativeRefusal | ServiceSelectorUndecided | ListenerKindRefusal
  | SelectorMergeRefusal;

/**
 * A merge of the per-selector policies of one filter that the agent refuses, or may refuse depending on the order it meets
 * the rules in (`model/selector-policy-merge.ts`): two Envoy listeners (`mergeListenerReference`), or `serverNames` beside
 * L7 rules without TLS termination ("cannot merge L7 rules for cached selector %s with SNI filtering without TLS termination").
 */
export interface SelectorMergeRefusal {
  /** The validate check that finds it. */
  readonly check: AgentRefusalCheck.LISTENER_CONFLICT | AgentRefusalCheck.SNI_L7_UNDECIDED;
  /** The two uses and whether the refusal is certain. */
  readonly problem: SelectorMergeProblem<CompiledItem>;
  /** The target version (the merge's rules and words depend on it). */
  readonly version: CiliumVersion;
  /** The subject's namespace as the listeners were resolved in: a stand-in for any namespace, or `''` for none. */
  readonly subjectNamespace: string;
}

/**
 * An egress allow item with a `listener` whose `envoyConfig.kind` is `CiliumEnvoyConfig`, selecting a subject without a
 * namespace (a node's host endpoint, a reserved identity): the agent resolves a listener in the namespace of the subject
 * identity (pkg/policy/repository.go `resolvePolicyLocked`: `policyContext.ns` is its `k8s:io.kubernetes.pod.namespace`
 * label), and pkg/policy/l4.go `createL4Filter` (1.14 to 1.19) fails with "Listener %q in CCNP can not use Kind
 * CiliumEnvoyConfig" when that namespace is "", so the subject's regeneration fails and it keeps the policy it had.
 */
export interface ListenerKindRefusal {
  /** The validate check that finds it. */
  readonly check: AgentRefusalCheck.LISTENER_KIND;
  /** The item. */
  readonly item: CompiledItem;
  /** Where the kind is within the item: `toPorts[0].listener.envoyConfig.kind`. */
  readonly at: string;
  /** The listener's name. */
  readonly name: string;
}

/**
 * Not a refusal, but judged the same way: from Cilium 1.19 a selecting rule has a `toServices` `k8sServiceSelector` whose
 * requirements do not build (`CompiledRule.serviceSelectorUndecided`). Before cilium/cilium#46946 the agent matches it
 * with no requirement, so against every Service in its scope; after it, a source prefix is read as a source, which the
 * Service match ignores. Which of the two an agent does depends on its 1.19 patch release, so no verdict on the endpoint
 * is one the engine can stand behind.
 */
export interface ServiceSelectorUndecided {
  /**
   * The validate check that finds it. The same path carries, for Cilium 1.14/1.15, an ingress allow item whose
   * `fromCIDRSet` names only CiliumCIDRGroups without CIDRs here, some of them not in the inputs
   * (`CompiledRule.undecided`, `cidr-group`): whether its ports are open to every peer depends on those groups. And an
   * egress allow item with toPorts or icmps whose `toServices` add no selector here, some naming Services not in the
   * inputs (`service-missing`): whether its ports are open to every peer depends on whether those Services exist.
   */
  readonly check: AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED | AgentRefusalCheck.CIDR_GROUP_UNDECIDED | AgentRefusalCheck.SERVICE_MISSING_UNDECIDED;
  /** The item. */
  readonly item: CompiledItem;
  /** Where the requirement is within the item: `toServices[0].k8sServiceSelector.selector.matchLabels["k8s:app"]`. */
  readonly at: string;
  /** Why it does not build: `the key "k8s:app" is not a label key (…)`. */
  readonly why: string;
  /** How to write it. */
  readonly fix: string;
}

/** What an undecided k8sServiceSelector does on each side of cilium/cilium#46946 (no leading capital, no final stop). */
const UNDECIDED_SERVICES = 'which Services it matches depends on the 1.19 patch release: before cilium/cilium#46946 its requirements do not '
  + 'build and it matches every Service (of its namespace, if it names one), after it a source prefix is read as a source and ignored '
  + '(k8s:app matches the Services labelled app)';

/**
 * A selecting rule whose policy has cloud provider groups, without the operator's derivative in the input
 * (`CompiledRule.derivative`, `model/groups-derivative.ts`): the agent does not import that policy and enforces the
 * derivative the operator writes from the cloud API instead, so no verdict on the endpoint is what Cilium enforces.
 */
export interface GroupsDerivativeRefusal {
  /** The validate check that finds it. */
  readonly check: AgentRefusalCheck.GROUPS_DERIVATIVE;
  /** The policy's first item with groups. */
  readonly item: CompiledItem;
  /** `toGroups` or `fromGroups`. */
  readonly field: string;
  /** The derivative's name prefix: `<name>-togroups-`. */
  readonly prefix: string;
}

/**
 * An HTTP regex of an allow item certainly larger than Envoy accepts (`envoyRegexSizeProblem`, `certain`): cilium-envoy
 * refuses (NACKs) the whole network-policy update that carries it and keeps the L7 policy it had, and the endpoint's
 * regeneration fails (it waits for Envoy's acknowledgement), so no verdict on the endpoint is what Cilium enforces.
 */
export interface EnvoyRegexRefusal {
  /** The validate check that finds it. */
  readonly check: AgentRefusalCheck.HTTP_REGEX_TOO_LARGE;
  /** The allow item. */
  readonly item: CompiledItem;
  /** Where the regex is within the item: `toPorts[0].rules.http[1].path`. */
  readonly at: string;
  /** The field: `path`, `method` or `host`. */
  readonly field: string;
  /** The size and how to fix it. */
  readonly size: EnvoyRegexSizeProblem;
}

/**
 * A merge error that makes the agent refuse to compute the policy of the endpoints the rules select: two allow items
 * (`first`, `second`, in input order) give one filter (and peer selector) two L7 parsers or two authentication modes.
 * The endpoint's regeneration fails before its policy changes (pkg/endpoint `regeneratePolicy`), so it keeps the one it
 * had: no verdict on it — either direction, any port — is what the agent enforces.
 */
export interface AgentMergeRefusal {
  /** The validate check that finds it. */
  readonly check: AgentRefusalCheck.L7_PARSER_CONFLICT | AgentRefusalCheck.AUTH_MODE_CONFLICT;
  /** The earlier item, its parser or mode, filter and peer. */
  readonly first: ParserUse<CompiledItem>;
  /** The later item, with another parser or mode on the same filter (and peer). */
  readonly second: ParserUse<CompiledItem>;
  /** Whether the conflict is per peer selector (L7 parsers from 1.18, authentication modes always). */
  readonly perSelector: boolean;
  /**
   * From 1.18, two parsers on one filter for different peer selectors (`parserRedirectsUndecided`): the agent takes the
   * policy, but the port has one proxy redirect whose parser the inputs do not decide, so this is no refusal but a policy
   * the engine cannot stand behind (`undecidedRedirect`).
   * @default false
   */
  readonly oneRedirect?: boolean;
  /**
   * Two authentication modes of a peer and filter a deny item also covers (`deniedFilterPeers`): the agent's merge fails only
   * if it meets both modes before the deny (pkg/policy/rule.go `mergePortProto`: "Denies takes priority over any rule" ends
   * the merge of later entries), so whether it refuses the policy depends on the order: not known.
   * @default false
   */
  readonly denyOrdered?: boolean;
}

/** The refusals already worked out, per list of contributing rules (`contributingRules`), version, resolution of named-port redirects and namespace. */
const REFUSALS = new WeakMap<readonly CompiledRule[], Map<string, readonly AgentRefusal[]>>();

/**
 * The named ports a subject's redirects resolve on (pkg/endpoint `proxyID` → `GetNamedPort`): on ingress its own
 * container ports, on egress the cluster's view (`egressNamedPorts`).
 */
export interface RedirectNamedPorts {
  readonly ingress: readonly NamedPort[];
  readonly egress: readonly NamedPort[];
}

/** How a named port resolves for a redirect: the one number of the name and protocol, else none (`ErrDuplicateNamedPorts`, unknown). */
type RedirectResolver = (direction: 'ingress' | 'egress', name: string, protocol: string) => number | undefined;

function resolverOf(ports: RedirectNamedPorts): RedirectResolver {
  // The one reading of named ports (`namedPortNumbers`, as `egressNamedPorts` and the L4 match resolve them).
  const numbers = { ingress: namedPortNumbers(ports.ingress), egress: namedPortNumbers(ports.egress) };
  return (direction, name, protocol) => namedPortNumber(numbers[direction], name, protocol);
}

/** The named-port redirects of the selecting rules' parser uses and what each resolves to (`''` when none has a name). */
function namedRedirects(selecting: readonly CompiledRule[], resolve: RedirectResolver): string {
  const out = new Set<string>();
  for (const redirect of namedPortRedirects(selecting)) {
    const resolved = resolvedRedirect(redirect, resolve);
    if (resolved !== redirect) out.add(`${redirect}=${resolved}`);
  }
  return [...out].sort().join(',');
}

/** The refusals of a selection none of whose rules brings anything (`contributingRules`): shared, never changed. */
const NO_REFUSALS: readonly AgentRefusal[] = Object.freeze([]);

/** `contributingRules` already worked out, per list of selecting rules (`null`: none brings anything). */
const CONTRIBUTING = new WeakMap<readonly CompiledRule[], readonly CompiledRule[] | null>();

/** A node of the trie that interns lists of contributing rules: one list object per sequence of rules. */
interface ContributingNode {
  list?: readonly CompiledRule[];
  next?: Map<CompiledRule, ContributingNode>;
}

/** The roots of that trie, per first rule (the rules of one set; gone with them). */
const CONTRIBUTING_ROOTS = new WeakMap<CompiledRule, ContributingNode>();

/**
 * The rules of `selecting` that `conflicts` reads (`RuleUses.nothing` false, and, where some rule brings an authentication
 * mode, a listener or `serverNames`, the rules with deny items, which end such a merge: `deniedFilterPeers`), in input order, as one list object per
 * sequence of rules: selections that differ only in rules bringing nothing share their refusals (`REFUSALS`) and their
 * named-port redirects. `undefined` when none does: then the selection has no refusals, whatever the version, named ports
 * and namespace. The rest of `selecting` adds nothing to `conflicts`: no parser use on any filter (so none per selector),
 * no mode, regex, groups, undecided selector or listener. Worked out once per list of selecting rules (one per distinct
 * selection).
 */
function contributingRules(selecting: readonly CompiledRule[]): readonly CompiledRule[] | undefined {
  let rules = CONTRIBUTING.get(selecting);
  if (rules === undefined) {
    // A deny ends the merge of modes, listeners and serverNames alike (`deniedFilterPeers`).
    const merged = selecting.some((rule) => usesOf(rule).auth.modes.length > 0 || usesOf(rule).proxied);
    const found = selecting.filter((rule) => !usesOf(rule).nothing || (merged && usesOf(rule).auth.denies.length > 0));
    rules = found.length === 0 ? null : internedRules(found);
    CONTRIBUTING.set(selecting, rules);
  }
  return rules ?? undefined;
}

/** The one list object of this sequence of rules (`CONTRIBUTING_ROOTS`); `rules` is not empty. */
function internedRules(rules: readonly CompiledRule[]): readonly CompiledRule[] {
  let node: ContributingNode | undefined = CONTRIBUTING_ROOTS.get(rules[0]);
  if (node === undefined) CONTRIBUTING_ROOTS.set(rules[0], node = {});
  for (let i = 1; i < rules.length; i++) {
    const next: Map<CompiledRule, ContributingNode> = node.next ??= new Map();
    let child = next.get(rules[i]);
    if (child === undefined) next.set(rules[i], child = {});
    node = child;
  }
  return node.list ??= rules;
}

/** `namedPortRedirects` already worked out, per list of contributing rules (`contributingRules`). */
const NAMED_PORT_REDIRECTS = new WeakMap<readonly CompiledRule[], readonly string[]>();

/**
 * The redirects of the selecting rules' parser uses that a named port keys (`redirectKey`), which `resolvedRedirect` may
 * resolve to a number on an endpoint: the others are the same on every endpoint. Worked out once per list of rules (the
 * gate asks `agentRefusals` of every end it sees).
 */
function namedPortRedirects(selecting: readonly CompiledRule[]): readonly string[] {
  let named = NAMED_PORT_REDIRECTS.get(selecting);
  if (named === undefined) {
    const out = new Set<string>();
    for (const rule of selecting) {
      for (const use of usesOf(rule).parsers(false)) {
        const redirect = redirectOf(use.filter);
        // Resolved to some number only where it names a port (a numbered redirect or another key is kept as it is).
        if (resolvedRedirect(redirect, ANY_NUMBER) !== redirect) out.add(redirect);
      }
    }
    named = [...out];
    NAMED_PORT_REDIRECTS.set(selecting, named);
  }
  return named;
}

/** A resolver of every named port to a number (`namedPortRedirects`' probe). */
const ANY_NUMBER: RedirectResolver = () => 0;

/**
 * The merge errors among `selecting` (the imported rules that select one subject, both directions) for which the agent
 * refuses the subject's policy: empty when it computes it. The one detection behind the engine's note
 * (`agentRefusalNotes`), the connectivity diff and report (a refused class is not compared) and replay (not judged).
 */
export function agentRefusals(selecting: readonly CompiledRule[], version: CiliumVersion, namedPorts?: RedirectNamedPorts,
  subjectNamespace?: string): readonly AgentRefusal[] {
  // Most selections have no rule that brings anything to a refusal: no key, resolver or merge for them. The others are
  // worked out on the rules that bring something (`contributingRules`), shared by the selections with the same such rules.
  const rules = contributingRules(selecting);
  if (rules === undefined) return NO_REFUSALS;
  let byKey = REFUSALS.get(rules);
  if (!byKey) REFUSALS.set(rules, byKey = new Map());
  const resolve = namedPorts === undefined || namedPortRedirects(rules).length === 0 ? undefined : resolverOf(namedPorts);
  const named = resolve === undefined ? '' : namedRedirects(rules, resolve);
  const noNamespace = subjectNamespace === '';
  const key = `${version.toString()}\0${named}\0${noNamespace ? 'no-namespace' : ''}`;
  let refusals = byKey.get(key);
  if (!refusals) {
    refusals = conflicts(rules, version, named === '' ? undefined : resolve, noNamespace);
    byKey.set(key, refusals);
  }
  return refusals;
}

/**
 * The listeners of kind `CiliumEnvoyConfig` among the egress allow items of `selecting` (`ListenerKindRefusal`): refused
 * for a subject without a namespace. Listeners are egress only (`sanitize-listener-ingress`) and allow only (`crd-deny-l7`).
 */
function listenerKindRefusals(selecting: readonly CompiledRule[]): ListenerKindRefusal[] {
  const out: ListenerKindRefusal[] = [];
  for (const rule of selecting) {
    for (const item of rule.items[SectionName.EGRESS] ?? []) {
      if (item.l4.kind !== 'ports') continue;
      for (const pr of item.l4.portRules) {
        const name = namespacedListenerName(pr.proxy?.listener);
        if (name !== undefined) out.push({ check: AgentRefusalCheck.LISTENER_KIND, item, at: `toPorts[${pr.index}].listener.envoyConfig.kind`, name });
      }
    }
  }
  return out;
}

/**
 * What the agent cannot merge, naming both items with `describe`: `<first> has http rules and <second> kafka rules on
 * ingress 80/TCP …, and it cannot merge conflicting L7 parsers` (no leading capital, no final stop).
 */
export function agentRefusalText(r: AgentRefusal, describe: (item: CompiledItem) => string): string {
  if (r.check === AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED) {
    return `${describe(r.item)} has a k8sServiceSelector that does not build (${r.at}: ${r.why}): ${UNDECIDED_SERVICES}`;
  }
  if (r.check === AgentRefusalCheck.SERVICE_MISSING_UNDECIDED) return `${describe(r.item)} has toServices that add no peer selector here: ${r.why}`;
  if (undecided(r)) return `${describe(r.item)} has a ${r.at} of cidrGroupRef entries only: ${r.why}`;
  if (r.check === AgentRefusalCheck.GROUPS_DERIVATIVE) {
    return `${describe(r.item)} has ${r.field}, so the agent does not import its policy (RequiresDerivative): it enforces the derivative policy `
      + `${r.prefix}<uid> the operator writes with the groups' addresses from the cloud API`;
  }
  if (r.check === AgentRefusalCheck.LISTENER_KIND) {
    return `${describe(r.item)} has the listener ${r.name} of kind CiliumEnvoyConfig (${r.at}), which the agent looks up in the namespace of the `
      + 'endpoint whose policy it computes (pkg/policy/repository.go resolvePolicyLocked), and this endpoint has none: pkg/policy/l4.go '
      + `createL4Filter fails with ${listenerKindError(r.name)}`;
  }
  if (selectorMerge(r)) return selectorMergeText(r.problem, describe, r.version, r.subjectNamespace);
  if (r.check === AgentRefusalCheck.HTTP_REGEX_TOO_LARGE) {
    return `${describe(r.item)} has the http ${r.field} regex ${r.size.shown} (${r.at}), too large for Envoy: ${r.size.problem}, `
      + 'so cilium-envoy refuses the network-policy update that carries it';
  }
  const { first, second } = r;
  if (r.oneRedirect === true) {
    if (first.filter.text !== second.filter.text) {
      return `${describe(first.ref)} has ${parserRulesText(first.parser)} on ${first.filter.text} and ${describe(second.ref)} ${parserRulesText(second.parser)} on `
        + `${second.filter.text}: the agent takes both, but the two port entries get one proxy redirect (pkg/endpoint proxyID keys it by direction, `
        + 'protocol and first port, a range by its first port, a named port by the number it resolves to, with no parser), made with the parser of one of them in Go map order '
        + '(pkg/endpoint addNewRedirects), and every peer\'s traffic on those ports goes to that proxy, which drops the requests it cannot parse';
    }
    return `${describe(first.ref)} has ${parserRulesText(first.parser)} and ${describe(second.ref)} ${parserRulesText(second.parser)} on ${first.filter.text} for `
      + 'other peers: from 1.18 the agent takes both, but the port gets one proxy redirect (pkg/policy ProxyID has no parser), made with the '
      + 'parser of the first per-selector policy pkg/endpoint addNewRedirects meets in Go map order, and every peer\'s traffic on the port goes '
      + 'to that proxy, which drops the requests it cannot parse';
  }
  if (r.check === AgentRefusalCheck.L7_PARSER_CONFLICT) {
    return `${describe(first.ref)} has ${parserRulesText(first.parser)} and ${describe(second.ref)} ${parserRulesText(second.parser)} on ${first.filter.text}`
      + `${r.perSelector ? ` for the same peer ${peerText(first.peer)}` : ''}, and it cannot merge conflicting L7 parsers`;
  }
  return `${describe(first.ref)} has authentication mode ${first.parser} and ${describe(second.ref)} mode ${second.parser} on ${first.filter.text} `
    + `for the same peer ${peerText(first.peer)}, and it cannot merge conflicting authentication types`;
}

/** The first refusal of `refusals` (`agentRefusalText`), and how many more there are: `… (and 2 more)`. */
export function refusalsText(refusals: readonly AgentRefusal[], describe: (item: CompiledItem) => string): string {
  return `${agentRefusalText(refusals[0], describe)}${refusals.length > 1 ? ` (and ${refusals.length - 1} more)` : ''}`;
}

/**
 * Why no verdict on a DNS name (an `fqdn:` endpoint, `toFQDNs`) is what the agent enforces when it refuses the policy of
 * the DNS server (`server`, as text) for `refusals` (`agentRefusalText`, joined): the DNS proxy learns a name's IPs only
 * from the answer to a lookup it forwards, and it forwards the lookup as the client (pkg/fqdn/dnsproxy/proxy.go
 * `DNSProxy.ServeDNS`: `setSoMarks` with the endpoint's identity, and in transparent mode its address), so the server's
 * ingress policy decides whether an answer comes back. That server keeps the policy it had (or, for a policy with cloud
 * provider groups, enforces the operator's derivative: `first`), which the inputs do not hold: whether `toFQDNs` selects
 * the name is not known. No leading capital, no final stop.
 */
export function learningRefusalText(server: string, refusals: string, first: AgentRefusal): string {
  const consequence = first.check === AgentRefusalCheck.GROUPS_DERIVATIVE ? 'that derivative is not among the inputs'
    : notKnown(first) ? undecidedConsequence(first)
      : 'it keeps the policy it had (its regeneration fails before it changes)';
  return `${agentRefusalLead(first, `the DNS server ${server}`)}: ${refusals}: ${consequence}, `
    + 'and the DNS proxy learns the IPs of a name (toFQDNs) only from the answers to lookups it forwards to that server as the client, '
    + 'so whether toFQDNs selects a name is not known';
}

/** How to end a refusal: `give each protocol its own port`, `give both items the same mode`. */
export function agentRefusalFix(r: AgentRefusal): string {
  if (r.check === AgentRefusalCheck.HTTP_REGEX_TOO_LARGE) return r.size.fix;
  if (selectorMerge(r)) return selectorMergeFix(r.problem, r.version);
  if (r.check === AgentRefusalCheck.LISTENER_KIND) {
    return `${LISTENER_KIND_FIX}, or select only pods (a pod's listener of kind CiliumEnvoyConfig is in the pod's namespace)`;
  }
  if (undecided(r)) return `${r.fix} (${r.at} of ${r.item.rule.rulePath}.${r.item.section}[${r.item.index}])`;
  if (r.check === AgentRefusalCheck.GROUPS_DERIVATIVE) {
    const { kind, namespace } = r.item.rule.policy;
    return `give the derivative policy (kubectl get ${kind === 'CiliumNetworkPolicy' ? `cnp -n ${namespace ?? '<namespace>'}` : 'ccnp'} `
      + `-l ${DERIVATIVE_KIND_LABEL}=derivative -o yaml) with the policies, or select the addresses with toCIDRSet or a CiliumCIDRGroup`;
  }
  return r.check === AgentRefusalCheck.L7_PARSER_CONFLICT ? 'give each protocol its own port' : 'give both items the same mode';
}

/**
 * The notes of the refusals among `selecting` (`agentRefusals`, the one source), naming both items with `describe`: the
 * merge errors and what the inputs do not decide, with the named-port redirects resolved on the endpoint's ports
 * (`namedPorts`: a named port and the number it resolves to share one redirect). One note per refusal.
 */
export function agentRefusalNotes(selecting: readonly CompiledRule[], version: CiliumVersion, namedPorts: RedirectNamedPorts,
  describe: (item: CompiledItem) => string, subjectNamespace?: string): readonly string[] {
  return agentRefusals(selecting, version, namedPorts, subjectNamespace).map((r) => refusalNote(r, describe));
}

function refusalNote(r: AgentRefusal, describe: (item: CompiledItem) => string): string {
  return `${agentRefusalLead(r, 'this endpoint')}: ${agentRefusalText(r, describe)}`
    + `${r.check === AgentRefusalCheck.GROUPS_DERIVATIVE || notKnown(r) ? ','
      : ': the endpoint keeps the policy it had,'} `
    + `so this verdict is not what the agent enforces; ${agentRefusalFix(r)}`;
}

/**
 * The refusals first, then what the inputs do not decide (`notKnown`), each in its order: `trace` and `replay` lead with the
 * first, and a policy the agent refuses is what the endpoint gets, whatever else is undecided in it.
 */
function conflicts(selecting: readonly CompiledRule[], version: CiliumVersion, resolve: RedirectResolver | undefined,
  noNamespace: boolean): AgentRefusal[] {
  const all = [...mergeConflicts(selecting, version, resolve), ...selecting.flatMap((rule) => usesOf(rule).regexes), ...derivativeRefusals(selecting),
    ...(noNamespace ? listenerKindRefusals(selecting) : []), ...selectorMergeRefusals(selecting, version, noNamespace),
    ...selecting.flatMap((rule): ServiceSelectorUndecided[] => {
      if (rule.undecided === undefined) return [];
      const { kind, ...rest } = rule.undecided;
      const check = kind === 'cidr-group' ? AgentRefusalCheck.CIDR_GROUP_UNDECIDED
        : kind === 'service-missing' ? AgentRefusalCheck.SERVICE_MISSING_UNDECIDED : AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED;
      return [{ check, ...rest }];
    })];
  return [...all.filter((r) => !notKnown(r)), ...all.filter(notKnown)];
}

/** Whether `r` is no refusal but a policy the inputs do not decide (`ServiceSelectorUndecided`). */
export function undecided(r: AgentRefusal): r is ServiceSelectorUndecided {
  return r.check === AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED || r.check === AgentRefusalCheck.CIDR_GROUP_UNDECIDED
    || r.check === AgentRefusalCheck.SERVICE_MISSING_UNDECIDED;
}

/**
 * Whether `r` is no refusal but a policy the inputs do not decide: a `ServiceSelectorUndecided`, or from 1.18 two L7
 * parsers on one port for different peers (`AgentMergeRefusal.oneRedirect`), whose one redirect's parser is not known.
 */
export function notKnown(r: AgentRefusal): boolean {
  return undecided(r) || ((r.check === AgentRefusalCheck.L7_PARSER_CONFLICT) && r.oneRedirect === true)
    || (r.check === AgentRefusalCheck.AUTH_MODE_CONFLICT && r.denyOrdered === true) || (selectorMerge(r) && !r.problem.certain);
}

/** Whether `r` is a merge of per-selector policies (`SelectorMergeRefusal`). */
function selectorMerge(r: AgentRefusal): r is SelectorMergeRefusal {
  return r.check === AgentRefusalCheck.LISTENER_CONFLICT || r.check === AgentRefusalCheck.SNI_L7_UNDECIDED;
}

/** What the inputs do not say for a policy they do not decide (`notKnown`; no leading capital, no final stop). */
function undecidedConsequence(r: AgentRefusal): string {
  if (r.check === AgentRefusalCheck.L7_PARSER_CONFLICT) return 'the inputs do not say which proxy the port\'s one redirect goes to';
  if (r.check === AgentRefusalCheck.AUTH_MODE_CONFLICT) return 'the inputs do not say in which order the agent merges the rules and the deny';
  if (selectorMerge(r)) {
    return r.problem.otherPeers ? 'the stored 1.14/1.15 source does not settle whether the agent keeps one listener per port or per peer'
      : 'the inputs do not say in which order the agent merges the rules';
  }
  if (r.check === AgentRefusalCheck.SERVICE_MISSING_UNDECIDED) return 'the inputs do not say whether the Services it names exist';
  return r.check === AgentRefusalCheck.CIDR_GROUP_UNDECIDED ? 'the inputs do not hold the CiliumCIDRGroups it names'
    : 'the inputs do not say which patch release the agent runs';
}

/**
 * How a sentence on a refusal of `subject` (`this endpoint`, `the DNS server …`) begins: `Cilium refuses the policy of
 * …`, or, for a k8sServiceSelector whose Services the patch release decides, `the policy Cilium 1.19 enforces for … is
 * not known`. No final stop.
 */
export function agentRefusalLead(r: AgentRefusal, subject: string): string {
  if (r.check === AgentRefusalCheck.CIDR_GROUP_UNDECIDED || r.check === AgentRefusalCheck.SERVICE_MISSING_UNDECIDED
    || (r.check === AgentRefusalCheck.L7_PARSER_CONFLICT && r.oneRedirect === true) || (selectorMerge(r) && notKnown(r))
    || (r.check === AgentRefusalCheck.AUTH_MODE_CONFLICT && r.denyOrdered === true)) {
    return `the policy Cilium enforces for ${subject} is not known`;
  }
  return r.check === AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED
    ? `the policy Cilium 1.19 enforces for ${subject} is not known` : `Cilium refuses the policy of ${subject}`;
}

/**
 * The merges of per-selector policies among `selecting` that the agent refuses or may refuse (`selectorMergeProblems`):
 * worked out only when a selecting rule has a listener or `serverNames` (`RuleUses.proxied`). The listeners resolve in the
 * subject's namespace, which is one for all its rules: a stand-in namespace, or none (`noNamespace`).
 */
function selectorMergeRefusals(selecting: readonly CompiledRule[], version: CiliumVersion, noNamespace: boolean): SelectorMergeRefusal[] {
  if (!selecting.some((rule) => usesOf(rule).proxied)) return [];
  const subjectNamespace = noNamespace ? '' : SUBJECT_NAMESPACE;
  const denied = deniedFilterPeers(selecting);
  return selectorMergeProblems(selecting.flatMap((rule) => usesOf(rule).selectorPolicies()), version, subjectNamespace,
    (first) => mergeOrderDecided(first, denied))
    .map((problem) => ({
      check: problem.kind === 'listeners' ? AgentRefusalCheck.LISTENER_CONFLICT : AgentRefusalCheck.SNI_L7_UNDECIDED, problem, version, subjectNamespace,
    }));
}

/** The namespace a subject's listeners resolve in, for the merge: any one (its rules all resolve in the same). */
const SUBJECT_NAMESPACE = 'namespace';

/**
 * What the allow items of a rule bring to the per-selector policies of their filters (`SelectorPolicyUse`): per port rule
 * with a listener, `serverNames`, a terminating TLS context or L7 rules the SNI check reads, per filter and peer selector
 * (per selector on every version, `PerSelectorPolicy`); none for peers whose selectors the engine does not know as the
 * agent caches them (Services, cloud groups).
 */
function selectorPolicyUses(rule: CompiledRule): SelectorPolicyUse<CompiledItem>[] {
  const uses: SelectorPolicyUse<CompiledItem>[] = [];
  for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
    for (const item of rule.items[section] ?? []) {
      if (item.l4.kind !== 'ports' || item.peer.kind === 'none') continue;
      let peers: readonly string[] | undefined;
      for (const pr of item.l4.portRules) {
        const listener = pr.proxy?.listener ?? undefined;
        const serverNames = pr.serverNames !== undefined && pr.serverNames.length > 0;
        const terminatingTls = pr.proxy?.terminatingTLS !== undefined && pr.proxy.terminatingTLS !== null;
        const l7Rules = sniCheckedL7Rules(pr.rules);
        if (listener === undefined && !serverNames && !terminatingTls && !l7Rules) continue;
        peers ??= peerKeys(item.peer);
        for (const port of pr.ports) {
          for (const filter of parserFilters(item.direction, port)) {
            for (const peer of peers) {
              uses.push({ filter, peer, ref: item, ...(listener !== undefined ? { listener } : {}), serverNames, l7Rules, terminatingTls });
            }
          }
        }
      }
    }
  }
  return uses;
}

/** One refusal per policy with cloud provider groups among the selecting rules (`CompiledRule.derivative`). */
function derivativeRefusals(selecting: readonly CompiledRule[]): GroupsDerivativeRefusal[] {
  const seen = new Set<CompiledItem>();
  const out: GroupsDerivativeRefusal[] = [];
  for (const rule of selecting) {
    const d = rule.derivative;
    if (d === undefined || seen.has(d.item)) continue;
    seen.add(d.item);
    out.push({ check: AgentRefusalCheck.GROUPS_DERIVATIVE, ...d });
  }
  return out;
}

/**
 * What Cilium enforces instead for the endpoint (named `subject`: `it`, `the endpoint`) of a refusal (after "Cilium
 * refuses the policy of …"): the policy it had, or the operator's derivative. No leading capital, no final stop.
 */
export function agentRefusalConsequence(r: AgentRefusal, subject: string): string {
  if (notKnown(r)) return undecidedConsequence(r);
  return r.check === AgentRefusalCheck.GROUPS_DERIVATIVE
    ? `that derivative, not these policies, is ${subject === 'it' ? 'its' : `${subject}'s`} policy`
    : `${subject} keeps the policy it had (its regeneration fails before it changes), which these policies do not hold`;
}

function mergeConflicts(selecting: readonly CompiledRule[], version: CiliumVersion, resolve: RedirectResolver | undefined): AgentMergeRefusal[] {
  const perSelector = parsersPerSelector(version);
  // The uses are worked out once per rule (rules are shared by the selections of many subjects), then met per selection.
  const uses = selecting.flatMap((rule) => usesOf(rule).parsers(perSelector));
  const parsers = uses.length < 2 ? [] : parserConflicts(uses)
    .map(({ first, second }): AgentMergeRefusal => ({ check: AgentRefusalCheck.L7_PARSER_CONFLICT, first, second, perSelector }));
  pushAll(parsers, parserRedirectsUndecided(selecting, parsers, resolve));
  const modeUses = selecting.flatMap((rule) => usesOf(rule).auth.modes);
  if (modeUses.length < 2) return parsers;
  // A deny of the same peer and filter makes whether two modes meet depend on the order (`denyOrdered`): not known.
  const denied = deniedFilterPeers(selecting);
  const modes = parserConflicts(modeUses).map(({ first, second }): AgentMergeRefusal => ({
    check: AgentRefusalCheck.AUTH_MODE_CONFLICT, first, second, perSelector: true,
    ...(mergeOrderDecided(first, denied) !== undefined ? { denyOrdered: true } : {}),
  }));
  return [...parsers, ...modes];
}

/**
 * The filters and peer selectors (`filter.key` NUL `peer`) a deny item of `selecting` covers, each with the first such item. pkg/policy/rule.go `mergePortProto`
 * (1.14 to 1.19): a deny of the same filter and cached selector replaces the allow entries merged so far and skips the merge
 * of later ones ("Denies takes priority over any rule"), so two entries the merge refuses (authentication modes, listeners,
 * `serverNames` beside L7 rules) are refused only if both come before the deny: the rules' order decides.
 */
function deniedFilterPeers(selecting: readonly CompiledRule[]): ReadonlyMap<string, CompiledItem> {
  const denied = new Map<string, CompiledItem>();
  for (const use of selecting.flatMap((rule) => usesOf(rule).auth.denies)) {
    if (!denied.has(filterPeerKey(use))) denied.set(filterPeerKey(use), use.ref);
  }
  return denied;
}

/**
 * The proxy redirects to which allow items give different L7 parsers, apart from those of a filter the agent refuses
 * (`refused`): the merge takes them — from 1.18 on one filter for different peer selectors (PerSelectorPolicy.L7Parser,
 * PR #37887), on every version on two filters of one redirect (`80` and `80-80`, `80` and `80-90`: `redirectKey`) — but
 * a redirect is keyed by endpoint, direction, protocol, first port and listener, not by parser (pkg/endpoint `proxyID` →
 * pkg/policy/proxyid.go `ProxyID`), and pkg/endpoint/bpf.go `addNewRedirects` makes one per ID with the parser of one
 * redirecting per-selector policy in Go map order (the first it meets: `desiredRedirects[proxyID] != 0`, in the older
 * bpf.go as in 1.18's), and
 * every peer's policy-map entry on those ports carries that redirect's proxy port (pkg/policy/l4.go `L4Filter.toMapState`:
 * `LookupRedirectPort(ingress, protocol, port, listener)`). The listener priority (`L7ParserType.defaultPriority`, kept by
 * the map-state merge) ranks entries of different proxy ports, here all the same, so it does not pick the parser: the
 * inputs do not say which proxy the port goes to.
 */
function parserRedirectsUndecided(selecting: readonly CompiledRule[], refused: readonly AgentMergeRefusal[],
  resolve: RedirectResolver | undefined): AgentMergeRefusal[] {
  const redirect = (filter: ParserUse<CompiledItem>['filter']): string => (resolve === undefined ? redirectOf(filter) : resolvedRedirect(redirectOf(filter), resolve));
  const uses = selecting.flatMap((rule) => usesOf(rule).parsers(false)).filter((use) => sharesRedirect(use.parser))
    .map((use) => ({ ...use, filter: { ...use.filter, key: redirect(use.filter) } }));
  if (uses.length < 2) return [];
  const refusedRedirects = new Set(refused.map((r) => redirect(r.first.filter)));
  return parserConflicts(uses).filter(({ first }) => !refusedRedirects.has(first.filter.key))
    .map(({ first, second }) => ({ check: AgentRefusalCheck.L7_PARSER_CONFLICT, first, second, perSelector: false, oneRedirect: true }));
}

/** What one rule brings to the merge: its parser uses (per selector or per filter) and its authentication uses. */
interface RuleUses {
  parsers(perSelector: boolean): readonly ParserUse<CompiledItem>[];
  readonly auth: { readonly modes: readonly ParserUse<CompiledItem>[]; readonly denies: readonly ParserUse<CompiledItem>[] };
  /** Its HTTP regexes certainly too large for Envoy. */
  readonly regexes: readonly EnvoyRegexRefusal[];
  /** Whether an allow item has a listener or `serverNames` (else `selectorMergeRefusals` finds nothing it brings). */
  readonly proxied: boolean;
  /** Its per-selector policy uses (`selectorPolicyUses`), worked out on the first call. */
  selectorPolicies(): readonly SelectorPolicyUse<CompiledItem>[];
  /**
   * Whether it brings nothing to `conflicts` on any version: no L7 parser on any filter, no authentication mode, no regex
   * Envoy refuses, no cloud provider groups, nothing undecided, no listener of kind `CiliumEnvoyConfig`. Its deny items
   * (`auth.denies`) may still end the merge of another rule's modes, listeners or `serverNames`: `contributingRules` keeps
   * such a rule beside them.
   */
  readonly nothing: boolean;
}

const RULE_USES = new WeakMap<CompiledRule, RuleUses>();

function usesOf(rule: CompiledRule): RuleUses {
  let u = RULE_USES.get(rule);
  if (u === undefined) {
    const byMode = new Map<boolean, readonly ParserUse<CompiledItem>[]>();
    const parsers = (perSelector: boolean): readonly ParserUse<CompiledItem>[] => {
      let list = byMode.get(perSelector);
      if (list === undefined) byMode.set(perSelector, list = parserUses(rule, perSelector));
      return list;
    };
    const auth = authenticationUses(rule);
    const regexes = envoyRegexRefusals(rule);
    // Per filter, every parser is a use (per selector, only those with peer keys): none per filter, none at all.
    const nothing = parsers(false).length === 0 && auth.modes.length === 0 && regexes.length === 0 && rule.derivative === undefined
      && rule.undecided === undefined && listenerKindRefusals([rule]).length === 0;
    let policies: readonly SelectorPolicyUse<CompiledItem>[] | undefined;
    const selectorPolicies = (): readonly SelectorPolicyUse<CompiledItem>[] => (policies ??= selectorPolicyUses(rule));
    // A listener or serverNames gives a parser (`l7ParserOf`: crd, tls), so a `proxied` rule is never `nothing`.
    const proxied = [SectionName.INGRESS, SectionName.EGRESS].some((section) => (rule.items[section] ?? []).some((item) => item.l4.kind === 'ports'
      && item.l4.portRules.some((pr) => pr.proxy?.listener !== undefined || (pr.serverNames !== undefined && pr.serverNames.length > 0))));
    u = { parsers, auth, regexes, nothing, proxied, selectorPolicies };
    RULE_USES.set(rule, u);
  }
  return u;
}

/**
 * The HTTP `method`, `path` and `host` regexes of the allow items of a rule that Envoy certainly refuses for their size
 * (`envoyRegexSizeProblem`, the decision `validate`'s `pitfall-http-regex-too-large` and `HttpRule.of` make).
 */
function envoyRegexRefusals(rule: CompiledRule): EnvoyRegexRefusal[] {
  const found: EnvoyRegexRefusal[] = [];
  for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
    for (const item of rule.items[section] ?? []) {
      if (item.l4.kind !== 'ports') continue;
      for (const pr of item.l4.portRules) {
        (pr.rules?.http ?? []).forEach((h, i) => {
          for (const field of ['method', 'path', 'host'] as const) {
            const value = h[field];
            const size = value === undefined ? undefined : envoyRegexSizeProblem(field, value);
            if (size?.certain) {
              found.push({ check: AgentRefusalCheck.HTTP_REGEX_TOO_LARGE, item, at: `toPorts[${pr.index}].rules.http[${i}].${field}`, field, size });
            }
          }
        });
      }
    }
  }
  return found;
}

/** The L7 parsers the allow items of a rule put on their filters, per peer selector (`perSelector`) or per filter. */
function parserUses(rule: CompiledRule, perSelector: boolean): ParserUse<CompiledItem>[] {
  const uses: ParserUse<CompiledItem>[] = [];
  for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
    for (const item of rule.items[section] ?? []) {
      if (item.l4.kind !== 'ports' || item.peer.kind === 'none') continue;
      // The peer keys only once a port rule has a parser (most items have none: their selectors' keys are not built).
      let peers: readonly string[] | undefined;
      for (const pr of item.l4.portRules) {
        // Without L7 rules, TLS or a listener no protocol has a parser (`l7ParserOf`): its filters are not built.
        const proxy = { serverNames: pr.serverNames, ...pr.proxy };
        if ((pr.rules === undefined || pr.rules === null) && l7ParserOf(undefined, 'TCP', proxy) === undefined) continue;
        for (const port of pr.ports) {
          for (const filter of parserFilters(item.direction, port)) {
            const parser = l7ParserOf(pr.rules, filter.protocol, proxy);
            if (parser === undefined) continue;
            peers ??= perSelector ? peerKeys(item.peer) : [''];
            for (const peer of peers) uses.push({ filter, parser, peer, ref: item });
          }
        }
      }
    }
  }
  return uses;
}

/**
 * The explicit `authentication.mode`s of the allow items of a rule, as uses of their filters and peer selectors (the mode
 * in place of a parser), and the filters and peers of its deny items: two items that give one cached selector different
 * modes on one filter make the agent's merge fail (pkg/policy/rule.go `mergePortProto`: "cannot merge conflicting
 * authentication types"; an item without a mode takes the other's). The mode is per selector on every version
 * (`PerSelectorPolicy.Authentication`). An item without ports is the filter `0/ANY`; ICMP fields are filters of their type.
 */
function authenticationUses(rule: CompiledRule): { modes: ParserUse<CompiledItem>[]; denies: ParserUse<CompiledItem>[] } {
  const modes: ParserUse<CompiledItem>[] = [];
  const denies: ParserUse<CompiledItem>[] = [];
  for (const section of SECTIONS) {
    for (const item of rule.items[section] ?? []) {
      const mode = item.deny ? 'deny' : item.authentication;
      if (mode === undefined) continue;
      const uses = item.deny ? denies : modes;
      const filters = authenticationFilters(item.direction, item.l4.kind,
        item.l4.kind === 'ports' ? item.l4.portRules.flatMap((pr) => pr.ports) : [], item.l4.kind === 'ports' ? item.l4.icmps : []);
      for (const filter of filters) for (const peer of peerKeys(item.peer)) uses.push({ filter, parser: mode, peer, ref: item });
    }
  }
  return { modes, denies };
}

/**
 * The cached selectors of an item's peers, as keys (1.18+ merges parsers per selector; every version merges the TLS server
 * names, TLS contexts and listener per selector: `evaluate.ts` `unevaluatedRestrictionOf`); none for peers whose selectors
 * the engine does not know as Cilium caches them (Services, cloud groups).
 */
export function peerKeys(peer: PeerSpec): string[] {
  switch (peer.kind) {
    case 'any':
      return ['*'];
    case 'endpoints':
      return peer.selectors.map((s) => endpointsPeerKey(s.cacheKey()));
    case 'nodes':
      return peer.selectors.map((s) => `nodes ${s.cacheKey()}`);
    case 'entities':
      return [...new Set(peer.entities.flatMap(entityPeerKeys))];
    case 'cidr':
      return [...peer.blocks.map((b) => `cidr ${b.text}`), ...(peer.ungrouped ?? []).map((u) => (u.wildcard === true ? '*' : `cidr ${u.text}`))];
    case 'fqdns':
      return peer.matchers.map((m) => `fqdn ${m.text}`);
    default:
      return [];
  }
}
