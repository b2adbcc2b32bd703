/**
 * The decision for one side of a connection, shared by the compiled engine and the naive evaluator (they differ only in
 * how they find candidate items). Order of precedence (pkg/policy: deny < allow, first match decides): a matching deny
 * item drops; else matching allow items allow (then L7 rules, if every matching item has some, decide at L7); else
 * traffic from the local host to its pods is allowed (allow-localhost, unless `--allow-localhost=policy`); else default deny, or default allow when no rule
 * has this direction or only `enableDefaultDeny: false` rules do. `reserved:init` endpoints are always default deny.
 */
import { CiliumVersion } from '../core/cilium-version';
import { DNS_DEFAULT_ALLOW_PATCH_SPLIT, dnsDefaultAllowPatchFix, DefaultAllowL7, defaultAllowL7 } from '../core/default-allow-l7';
import { listNames, objectName } from '../model/object-names';
import { authOutcome } from './authentication';
import { CidrBlock, CompiledItem, EngineConfig, PeerSpec, PolicyRef, UngroupedSelection, entityMatches } from './compile';
import { cidrAddresses, cidrPeerIndex } from './cidr-peer-index';
import { DirectionPolicy } from './direction-policy';

import { compileFqdnSelector } from '../model/fqdn-pattern';
import { PeerView, familiesOf, worldLabel } from './identity';
import { IpFamilies, PolicyEnforcement } from './policy-set-options';
import { NamedPort } from './endpoint';
import { egressNamedPorts, namedPortKey, podNamedPortConflicts } from './named-ports';
import { namedPortEnd } from '../model/port-entries';
import { kafkaApiKeyName, kafkaDenialResponse } from '../model/kafka-api-keys';
import {
  HttpRequest, KafkaRequest, describeHttpRule, describeKafkaRule, describeL7protoRule, httpRuleMatches, kafkaRuleMatches, kafkaRuleUnknowns,
  kafkaTopicUnreadable, secretHeaderNotes, secretText,
} from './l7';
import { LabelSet, Selector, SelectorRequirement } from '../model/labels';
import { CompiledPortRule, L4Match, L4Query, matchL4, portMatches } from './ports';
import { l4FilterKey, parserFilters } from '../model/l7-parsers';
import { pushAll } from '../model/push-all';
import { resolvedListener } from '../model/listener-kind';
import { agentRefusalNotes, peerKeys } from './parser-conflicts';
import {
  L7Outcome, L7Protocol, L7Result, RestrictionListener, RestrictionTlsContext, SideDecision, SideVerdict, TrafficDirection, UnevaluatedRestriction,
  Verdict, VerdictRuleRef, trafficDirection,
} from './verdict';
import { compareCodeUnits } from '../model/code-unit-order';

/** Default-allow mode's L7 predicates live in the model, where validate reads them too (`pitfall-l7-default-allow`). */
export { DefaultAllowL7, defaultAllowL7 } from '../core/default-allow-l7';

/** The query as one side sees it. */
export interface SideQuery {
  /** Layer 4. */
  readonly l4: L4Query;
  /** HTTP request. */
  readonly http?: HttpRequest;
  /** DNS query name. */
  readonly dns?: string;
  /** Kafka request. */
  readonly kafka?: KafkaRequest;
}

/** Everything a side needs besides the direction policy. */
export interface SideInput {
  /** The subject, as text. */
  readonly subject: string;
  /** The peer as the subject's policy sees it. */
  readonly peer: PeerView;
  /** Named ports of the destination (ingress: the subject's; egress: the peer's). */
  readonly destinationPorts: PeerView['ports'];
  /**
   * The subject's own named ports, for the proxy redirects of its named ports (`agentRefusalNotes`).
   * @default - on ingress `destinationPorts`; on egress none known
   */
  readonly subjectPorts?: PeerView['ports'];
  /** The query. */
  readonly query: SideQuery;
  /**
   * The namespace of the subject's identity (its `k8s:io.kubernetes.pod.namespace` label), in which the agent resolves the
   * Envoy listeners and TLS Secrets of every rule that selects it (pkg/policy/repository.go `resolvePolicyLocked`:
   * `policyContext.ns` is `securityIdentity.LabelArray.Get(…PodNamespaceLabel)`, not the policy's namespace).
   * @default "" - a subject without a namespace (a node, a reserved identity)
   */
  readonly subjectNamespace?: string;
  /** Engine configuration. */
  readonly config: EngineConfig;
  /**
   * Whether the subject's DNS proxy learns the IPs of a name (`toFQDNs`): the subject's lookup of it reaches its DNS server
   * through the proxy (see `dnsLearning`). Without it, `toFQDNs` selects nothing.
   * @default - nothing is learnable
   */
  readonly learn?: (name: string) => DnsLearning;
}

/** Whether a subject's DNS proxy learns a name, and why not. */
export interface DnsLearning {
  /** Whether the proxy sees the lookup and lets it through, so it learns the IPs of the answer. */
  readonly learnable: boolean;
  /** Why not (one sentence). */
  readonly why?: string;
}

/**
 * Whether the DNS lookup `verdict` (the subject → its DNS server on 53/UDP, with the name) teaches the subject's DNS proxy
 * the name's IPs: the subject's egress allows it through a rule with DNS L7 rules on that port and peer (a redirect to the
 * proxy), whose rules allow the name (an L4-only rule on the same port and peer widens them to allow-all, `mergePortProto`),
 * no egress deny cuts it, and the DNS server's own ingress admits it. The same verdict `trace --dns` prints.
 */
export function dnsLearning(verdict: Verdict): DnsLearning {
  const e = verdict.egress;
  const i = verdict.ingress;
  if (e.decision === 'denied-by-deny-rule' || e.decision === 'default-deny') return { learnable: false, why: `the lookup is dropped at egress (${e.reason})` };
  if (e.l7?.protocol !== 'dns') {
    return { learnable: false, why: `no DNS rule (toPorts[].rules.dns) on egress to ${verdict.to} ${verdict.connection} sends the lookup through the DNS proxy (${e.reason})` };
  }
  if (e.l7.result !== 'allowed') return { learnable: false, why: `the DNS proxy refuses the lookup (${e.l7.reason})` };
  if (!i.allowed || i.decision === 'l7-denied') return { learnable: false, why: `the DNS server does not admit the lookup (${i.reason})` };
  return { learnable: true };
}

/**
 * `dnsLearning(verdict).learnable` from the two sides' decisions on the lookup, without its explanation (what
 * `PolicySet.decide` uses; the property tests hold it to `verdict()`, which uses `dnsLearning`): the egress lets the lookup
 * through DNS rules (`dnsProxied`) that allow the name, and the DNS server's ingress admits it.
 * @param egress the client's egress decision on the lookup's connection (53/UDP to its DNS server), without the request
 * @param ingress the DNS server's ingress decision on it, likewise
 * @param query the lookup (its `dns` name)
 */
export function dnsLearnable(egress: SideOutcome, ingress: () => SideOutcome, query: SideQuery, config: EngineConfig): boolean {
  if (!egress.allowed || egress.dnsProxied !== true) return false;
  if (refineOutcome(egress, query, config).decision === SideDecision.L7_DENIED) return false;
  const i = ingress();
  return i.allowed && refineOutcome(i, query, config).decision !== SideDecision.L7_DENIED;
}

interface PeerMatch {
  readonly match: boolean;
  readonly note?: string;
}

/** The peer matches (no note). */
const MATCH: PeerMatch = Object.freeze({ match: true });
/** The peer does not match (no note). */
const NO_MATCH: PeerMatch = Object.freeze({ match: false });

function peerMatch(match: boolean): PeerMatch {
  return match ? MATCH : NO_MATCH;
}

/** The decision of one side without its explanation (what `PolicySet.decide` needs). */
export interface SideOutcome {
  /** What decided. */
  readonly decision: SideDecision;
  /** Whether this side lets the connection through at L3/L4. */
  readonly allowed: boolean;
  /**
   * The L7 rules that decide a request on this peer and port, when the connection is allowed at L4 through them (see
   * `refineOutcome`); the decision itself is then the one for a query without a request.
   * @default - no L7 rule refines the decision
   */
  readonly l7Rules?: readonly L7Entry[];
  /**
   * Whether a DNS lookup on this connection goes through the DNS proxy under DNS rules (the explained verdict of a lookup
   * then has `l7.protocol` `dns`): what `dnsLearning` needs besides the decision.
   * @default false
   */
  readonly dnsProxied?: boolean;
}

/** A matching allow item with one of its port rules (the L7 rules it carries). */
interface L7Entry {
  readonly item: CompiledItem;
  readonly pr: CompiledPortRule | undefined;
}

/**
 * The decision for a query's L7 request (HTTP, DNS, Kafka) on top of an outcome computed for the same side, peer and port
 * without it: the L7 rules of `outcome.l7` decide, as `decideSide` does for the whole query.
 */
export function refineOutcome(outcome: SideOutcome, query: SideQuery, config: EngineConfig): SideOutcome {
  if (!outcome.l7Rules) return outcome;
  const d = l7Decision(outcome.l7Rules, query, config);
  return !d.evaluated ? ALLOWED_L7_NOT_EVALUATED : d.matched !== undefined ? ALLOWED : L7_DENIED;
}

/**
 * Allowed at L4 onto L7 rules that did not judge the query's request (`l7proto` rules, or rules of another protocol than the
 * request's): `refineOutcome`'s answer where the explained verdict has `l7.result` `not-evaluated`. Its decision is
 * `ALLOWED`'s; `PolicySet.decide()` tells it apart by identity and refuses the request (`engine-l7-not-evaluated`).
 */
export const ALLOWED_L7_NOT_EVALUATED: SideOutcome = Object.freeze({ decision: SideDecision.ALLOWED, allowed: true });

/** The L7 rules' say on a request: which kind applies, whether the request is of that kind, and the rule it matches. */
interface L7Decision {
  readonly kind: L7Protocol;
  readonly evaluated: boolean;
  readonly entry?: L7Entry;
  readonly matched?: string;
}

/** Which L7 rules apply to the query's request, and which entry's rule matches it (`decideL7` and `refineOutcome`). */
function l7Decision(entries: readonly L7Entry[], q: SideQuery, config: EngineConfig): L7Decision {
  let http = false;
  let dns = false;
  let kafka = false;
  for (const e of entries) {
    const k = l7Kind(e.pr);
    http ||= k === 'http';
    dns ||= k === 'dns';
    kafka ||= k === 'kafka';
  }
  const kind = http && q.http ? L7Protocol.HTTP : dns && q.dns !== undefined ? L7Protocol.DNS : kafka && q.kafka ? L7Protocol.KAFKA
    : (entries.length > 0 ? l7Kind(entries[0].pr) : undefined) ?? L7Protocol.HTTP;
  const evaluated = Boolean((kind === 'http' && q.http) || (kind === 'dns' && q.dns !== undefined) || (kind === 'kafka' && q.kafka));
  if (!evaluated) return { kind, evaluated };
  const subdomainWildcard = config.version.atLeast(CiliumVersion.V1_19);
  const tls = terminatesTls(entries);
  for (const entry of entries) {
    const matched = l7Match(entry.pr, kind, q, subdomainWildcard, tls);
    if (matched !== undefined) return { kind, evaluated, entry, matched };
  }
  return { kind, evaluated };
}

/**
 * The kind of L7 parser of a port rule, if it has one. The agent picks it by lists with rules (pkg/policy/l4.go
 * `createL4Filter`: `case len(pr.Rules.HTTP) > 0`, `len(pr.Rules.Kafka) > 0`, `pr.Rules.L7Proto != ""`, and
 * `len(pr.Rules.DNS) > 0`): an empty list (`http: []`) is no parser, so the port is allowed at L4 only.
 */
function l7Kind(pr: CompiledPortRule | undefined): L7Protocol | undefined {
  const r = pr?.rules;
  if (!r) return undefined;
  if ((r.http ?? []).length > 0) return L7Protocol.HTTP;
  if ((r.kafka ?? []).length > 0) return L7Protocol.KAFKA;
  if ((r.dns ?? []).length > 0) return L7Protocol.DNS;
  if (r.l7proto !== undefined) return L7Protocol.L7PROTO;
  return undefined;
}

/**
 * Why a side is default deny though every selecting rule with rules of its direction says `enableDefaultDeny: false`:
 * the agent runs with `enable-non-default-deny-policies` off (rule_validation.go `Rule.Sanitize`, utils.go
 * `evaluateDefaultDenyForRule`), so it ignores them; '' when some rule puts the side into default deny itself.
 */
function defaultDenyIgnoredReason(dp: DirectionPolicy): string {
  const d = dp.direction;
  const withRules = dp.selecting.filter((r) => r.present[d]);
  if (withRules.length === 0 || !withRules.every((r) => r.defaultDenyIgnored[d])) return '';
  // Bounded: 3,000 such CCNPs made a reason of 143 KB.
  const names = listNames([...new Set(withRules.map((r) => `${describePolicy(r.policy)} ${r.rulePath}`))]);
  return `the agent runs with enable-non-default-deny-policies off, which ignores enableDefaultDeny.${d}: false (${names}); `;
}

/**
 * What a non-default-deny allow assumes of the agent, said in its reason: from 1.17 the agent reads `enableDefaultDeny:
 * false` only with `enable-non-default-deny-policies` on (`PolicySetOptions.nonDefaultDenyPolicies`); 1.16 has no flag.
 */
function nonDefaultDenyRead(config: EngineConfig): string {
  return config.version.atLeast(CiliumVersion.V1_17) ? ' (read as the agent runs with enable-non-default-deny-policies, its default)' : '';
}

/** Decides one side. `allowCandidates`/`denyCandidates` must include every item that can match, in rule order. */
export function decideSide(dp: DirectionPolicy, allowCandidates: readonly CompiledItem[], denyCandidates: readonly CompiledItem[],
  input: SideInput): SideVerdict {
  const verdict = judgeSide(dp, [allowCandidates], [denyCandidates], input, true) as SideVerdict;
  const api = apiServerNotes(dp, input, verdict);
  const world = dualStackWorldNotes(dp, input, verdict);
  if (api.length === 0 && world.length === 0) return verdict;
  return { ...verdict, notes: [...verdict.notes, ...api, ...world] };
}

/**
 * The labels of a managed API server's address (a CIDR identity outside the cluster that carries the API server label),
 * of the cluster's first IP family (IPv4 when dual-stack), and that family.
 */
function managedApiServer(mode: IpFamilies, version: CiliumVersion): { labels: LabelSet; family: 4 | 6 } {
  const family = familiesOf(mode)[0];
  const labels = LabelSet.of([
    { source: 'reserved', key: 'kube-apiserver', value: '' },
    { source: 'reserved', key: worldLabel(family, mode, version), value: '' },
  ]);
  return { labels, family };
}
/** The API server as an endpoint's text. */
const API_SERVER_TEXT = 'entity:kube-apiserver';
/** The labels of an API server on the subject's own node: the host identity, with the API server label added. */
const LOCAL_API_SERVER = LabelSet.of([
  { source: 'reserved', key: 'host', value: '' },
  { source: 'reserved', key: 'kube-apiserver', value: '' },
]);

/**
 * The API server as a peer is Cilium's reserved identity 7, that of another node that runs it (reserved:kube-apiserver
 * with reserved:remote-node). Where it runs elsewhere it has another identity (pkg/ipcache/metadata.go): on the subject's
 * own node the host identity with reserved:kube-apiserver added; as a managed API server (EKS, GKE, AKS) outside the
 * cluster, a CIDR identity with reserved:kube-apiserver and reserved:world, whose address the engine does not know (a
 * CIDR rule may or may not hold it). Where either is judged otherwise, a note says how.
 */
function apiServerNotes(dp: DirectionPolicy, input: SideInput, verdict: SideVerdict): string[] {
  if (!verdict.evaluated) return [];
  if (dp.subjectKind === 'node' && input.subject === API_SERVER_TEXT) {
    return ['this is the API server on one of the cluster\'s nodes, whose calls leave through that node\'s host policy; a managed API server '
      + '(EKS, GKE, AKS) is outside the cluster, where no policy applies to them'];
  }
  const labels = input.peer.labels;
  // Only for the entity, which says no more than identity 7: a node named by its labels (node:reserved:kube-apiserver,...) is that node.
  if (input.peer.text !== API_SERVER_TEXT) return [];
  if (labels.lookup('reserved', 'kube-apiserver').length === 0 || labels.lookup('reserved', 'remote-node').length === 0) return [];
  const judge = (peerLabels: LabelSet, flags: { worldFamily: 0 | 4 | 6; localHost: boolean; node: boolean }): SideVerdict => {
    const peer: PeerView = { text: input.peer.text, labels: peerLabels, ports: input.peer.ports, ...flags };
    return judgeSide(dp, [dp.allow], [dp.deny], { ...input, peer }, true) as SideVerdict;
  };
  const l7Denied = (v: SideVerdict): boolean => v.decision === SideDecision.L7_DENIED;
  const same = (a: SideVerdict, b: SideVerdict): boolean => a.allowed === b.allowed && l7Denied(a) === l7Denied(b);
  const notes: string[] = [];
  const onNodes = 'this is the API server on another of the cluster\'s nodes (Cilium\'s identity 7: reserved:kube-apiserver with reserved:remote-node)';
  // On a pod's own node the API server is that node's host identity. A node's own traffic to itself is not what its host
  // policy judges, so for a node subject there is no such placement to note.
  if (dp.subjectKind === 'endpoint') {
    const local = judge(LOCAL_API_SERVER, { worldFamily: 0, localHost: true, node: true });
    if (!same(local, verdict)) {
      notes.push(`${onNodes}; an API server on this endpoint's own node (the host identity with reserved:kube-apiserver) is judged otherwise: ${local.reason}`);
    }
  }
  // Its address unknown: held by no CIDR rule, or by every CIDR rule of /0 (`except`s included: they may or may not hold it).
  const managedServer = managedApiServer(input.config.ipFamilies, input.config.version);
  const outside = judge(managedServer.labels, { worldFamily: 0, localHost: false, node: false });
  const held = judge(managedServer.labels, { worldFamily: managedServer.family, localHost: false, node: false });
  const managed = 'a managed API server outside the cluster (EKS, GKE, AKS: reserved:kube-apiserver with reserved:world)';
  if (same(outside, held)) {
    if (!same(outside, verdict)) notes.push(`${onNodes}; ${managed} is judged otherwise: ${outside.reason}`);
  } else {
    notes.push(`${onNodes}; ${managed} is judged by its address, which is not known here: if a CIDR rule of /0 holds it, ${held.reason}; `
      + `if not, ${outside.reason}`);
  }
  return notes;
}

/**
 * `entity:world` in a dual-stack cluster is its IPv4 world (reserved:world-ipv4, identity 9); the IPv6 world
 * (reserved:world-ipv6, identity 10) is another identity, which the `/0` of its own family selects: when it is judged
 * otherwise, a note says how.
 */
function dualStackWorldNotes(dp: DirectionPolicy, input: SideInput, verdict: SideVerdict): string[] {
  // Before 1.15 both families are reserved:world (identity 2): one world.
  if (!verdict.evaluated || input.config.ipFamilies !== IpFamilies.DUAL || input.peer.text !== 'entity:world'
    || !input.config.version.atLeast(CiliumVersion.V1_15)) return [];
  const peer: PeerView = { ...input.peer, labels: LabelSet.of([{ source: 'reserved', key: 'world-ipv6', value: '' }]), worldFamily: 6 };
  const v6 = judgeSide(dp, [dp.allow], [dp.deny], { ...input, peer }, true) as SideVerdict;
  const l7Denied = (v: SideVerdict): boolean => v.decision === SideDecision.L7_DENIED;
  if (v6.allowed === verdict.allowed && l7Denied(v6) === l7Denied(verdict)) return [];
  return [`entity:world is the IPv4 world of this dual-stack cluster (reserved:world-ipv4); the IPv6 world (entity:world-ipv6, reserved:world-ipv6) `
    + `is judged otherwise: ${v6.reason}`];
}

/**
 * The same decision as `decideSide` (the same code runs) for the connection of `input.query` without its L7 request, and
 * without building the explanation (no reason, notes, near misses or rule references). It does not depend on the
 * request: `refineOutcome(outcome, query, config)` is the decision for a query with one.
 */
export function sideOutcome(dp: DirectionPolicy, allowCandidates: readonly CompiledItem[], denyCandidates: readonly CompiledItem[],
  input: SideInput): SideOutcome {
  return judgeSide(dp, [allowCandidates], [denyCandidates], input, false) as SideOutcome;
}

/**
 * `sideOutcome` with the candidates given as lists whose concatenation, in order, is the candidate list (a direction
 * policy's index gives its rules' lists: `CandidateIndex.candidateLists`), so that a first decision does not build it.
 */
export function sideOutcomeOfLists(dp: DirectionPolicy, allowLists: CandidateLists, denyLists: CandidateLists, input: SideInput): SideOutcome {
  return judgeSide(dp, allowLists, denyLists, input, false) as SideOutcome;
}

/** Candidate items as lists, read in order (see `sideOutcomeOfLists`). */
export type CandidateLists = readonly (readonly CompiledItem[])[];

/** Why an SCTP connection is dropped without `enable-sctp` (`PolicySetOptions.sctp`), with the fix. */
const SCTP_DISABLED_REASON = 'dropped: SCTP is not enabled in the agent (enable-sctp=false, Cilium\'s default): the datapath drops SCTP before '
  + 'any policy (DROP_CT_UNKNOWN_PROTO); fix: if the cluster enables SCTP (Helm sctp.enabled), pass --sctp (PolicySet option sctp: true)';

/** Allowed (no L7 rule refines it). */
const ALLOWED: SideOutcome = Object.freeze({ decision: SideDecision.ALLOWED, allowed: true });
/** Allowed, and a DNS lookup on it goes through the DNS proxy with its rules widened to allow-all (or visibility only). */
const ALLOWED_DNS_PROXIED: SideOutcome = Object.freeze({ decision: SideDecision.ALLOWED, allowed: true, dnsProxied: true });
/** Allowed at L4, refused by the L7 proxy. */
const L7_DENIED: SideOutcome = Object.freeze({ decision: SideDecision.L7_DENIED, allowed: true });

/** One outcome object per decision and L3/L4 result, shared by every unexplained decision. */
const OUTCOMES = new Map<SideDecision, readonly [SideOutcome, SideOutcome]>(Object.values(SideDecision).map((d) => [
  d, [Object.freeze({ decision: d, allowed: false }), Object.freeze({ decision: d, allowed: true })] as const,
]));

function outcome(decision: SideDecision, allowed: boolean): SideOutcome {
  return (OUTCOMES.get(decision) as readonly [SideOutcome, SideOutcome])[allowed ? 1 : 0];
}

/**
 * The one implementation of a side's decision. With `explain`, the full `SideVerdict`; without, only the `SideOutcome`
 * (the explanation's strings, notes and near misses are skipped; the decision takes the same path).
 */
function judgeSide(dp: DirectionPolicy, allowLists: CandidateLists, denyLists: CandidateLists,
  input: SideInput, explain: boolean): SideVerdict | SideOutcome {
  if (!input.config.sctp && input.query.l4.protocol === 'SCTP') {
    // Before any policy: bpf/lib/conntrack.h extracts the tuple of SCTP only under ENABLE_SCTP (the agent's enable-sctp).
    if (!explain) return outcome(SideDecision.SCTP_DISABLED, false);
    return sideResult(sideBase(dp, input), SideDecision.SCTP_DISABLED, false, undefined, undefined, SCTP_DISABLED_REASON, []);
  }
  const notes: string[] = explain ? [] : NO_NOTES;
  const ports = destinationNamedPorts(dp, input);
  if (explain) {
    const first = explainedOf(dp, input.config.version).notes;
    for (let i = 0; i < first.length; i++) notes.push(first[i]);
    // What the agent refuses or the inputs do not decide, the endpoint's named-port redirects resolved: one source, one note each.
    const own = input.subjectPorts ?? (dp.direction === 'ingress' ? input.destinationPorts : []);
    pushAll(notes, agentRefusalNotes(dp.selecting, input.config.version,
      { ingress: own, egress: egressNamedPorts(input.config.inventory, []).ports }, describeItem, input.subjectNamespace));
    ambiguousNamedPortNotes(dp, denyLists, allowLists, input, notes);
  }

  for (let list = 0; list < denyLists.length; list++) for (const item of denyLists[list]) {
    const l4 = matchL4(item.l4, input.query.l4, ports);
    if (!l4) continue;
    const pm = peerMatches(item.peer, input, dp.requirementsDeny, explain);
    if (explain) {
      if (pm.note) notes.push(pm.note);
      // Import notes (unresolved references, pruned fields) matter for every item that covers the port.
      pushAll(notes, item.notes);
    }
    if (!pm.match) continue;
    if (!explain) return outcome(SideDecision.DENIED_BY_DENY_RULE, false);
    return sideResult(sideBase(dp, input), SideDecision.DENIED_BY_DENY_RULE, false, ruleRef(item), undefined,
      `denied by deny rule ${describeItem(item)}: deny rules win over any allow`, dedupe(notes));
  }

  let matches: { item: CompiledItem; l4: L4Match }[] | undefined;
  for (let list = 0; list < allowLists.length; list++) for (const item of allowLists[list]) {
    const l4 = matchL4(item.l4, input.query.l4, ports);
    if (!l4) continue;
    const pm = peerMatches(item.peer, input, dp.requirements, explain);
    if (explain) {
      if (pm.note) notes.push(pm.note);
      pushAll(notes, item.notes);
    }
    if (pm.match) (matches ??= []).push({ item, l4 });
  }
  const defaultAllow = defaultAllowL7(dp, input.config.version);
  const hostBypass = input.config.allowLocalhost && dp.subjectKind === 'endpoint' && dp.direction === 'ingress' && input.peer.localHost
    && matches !== undefined ? hostPastL7(matches, input.query.l4, ports, input.config.version) : undefined;
  if (matches !== undefined) {
    // The policy map entry the datapath takes may require authentication, checked before any proxy redirect.
    const auth = authOutcome(matches, input.query.l4, input.config.mutualAuth, dp.reserved, input.peer.labels, input.config.clusterName);
    if (auth?.drop !== undefined) {
      if (!explain) return outcome(SideDecision.AUTH_REQUIRED, false);
      return sideResult(sideBase(dp, input), SideDecision.AUTH_REQUIRED, false, ruleRef(auth.item), undefined,
        `dropped: ${describeItem(auth.item)} allows this only with authentication, and ${auth.drop}; fix: ${auth.fix}`, dedupe(notes));
    }
    if (auth !== undefined && explain) {
      notes.push(`${describeItem(auth.item)} requires mutual authentication (mode ${auth.mode}): judged as passing with mutual authentication on, `
        + 'which assumes SPIRE attests both identities (until it has, the first packets are dropped)');
    }
    return decideL7(matches, explain ? sideBase(dp, input) : undefined, notes, input, defaultAllow, hostBypass);
  }

  if (input.config.allowLocalhost && dp.subjectKind === 'endpoint' && dp.direction === 'ingress' && input.peer.localHost) {
    if (!explain) return outcome(SideDecision.ALLOW_LOCALHOST, true);
    return sideResult(sideBase(dp, input), SideDecision.ALLOW_LOCALHOST, true, undefined, undefined,
      'allowed: traffic from the local host to its endpoints is always allowed (allow-localhost, e.g. kubelet probes)', dedupe(notes));
  }
  if (dp.init) {
    if (!explain) return outcome(SideDecision.DEFAULT_DENY, false);
    nearMisses(dp, input, notes);
    const why = dp.initLabel === undefined ? 'reserved:init endpoints are always default deny'
      : `its identity has the label ${dp.initLabel}, which Cilium takes for reserved:init (LabelArray.Has("init") reads the key of any source), `
        + 'so it is always default deny';
    return sideResult(sideBase(dp, input), SideDecision.DEFAULT_DENY, false, undefined, undefined, `default deny: ${why} and no rule allows this`, dedupe(notes));
  }
  if (!dp.hasRules) {
    if (!explain) return outcome(SideDecision.NO_POLICY_DEFAULT_ALLOW, true);
    const never = dp.enforcement === PolicyEnforcement.NEVER;
    const why = never ? 'the agent runs with enable-policy=never, so no policy applies to any endpoint'
      : dp.selecting.length === 0 ? `no policy selects ${input.subject}` : `no policy selecting ${input.subject} has ${dp.direction} rules`;
    const side = sideResult(sideBase(dp, input), SideDecision.NO_POLICY_DEFAULT_ALLOW, true, undefined, undefined, `allowed: ${why} (default allow)`, dedupe(notes));
    return never ? { ...side, enforcement: PolicyEnforcement.NEVER } : side;
  }
  if (!dp.defaultDeny) {
    if (!explain) return outcome(SideDecision.NON_DEFAULT_DENY_ALLOW, true);
    return sideResult(sideBase(dp, input), SideDecision.NON_DEFAULT_DENY_ALLOW, true, undefined, undefined,
      `allowed: only policies with enableDefaultDeny.${dp.direction}: false select it${nonDefaultDenyRead(input.config)}, so everything not denied is allowed`,
      dedupe(notes));
  }
  if (!explain) return outcome(SideDecision.DEFAULT_DENY, false);
  nearMisses(dp, input, notes);
  const n = explainedOf(dp, input.config.version).withRules;
  const selected = `${n} rule${n === 1 ? '' : 's'} with ${dp.direction} rules select${n === 1 ? 's' : ''} ${input.subject}`;
  const always = dp.enforcement === PolicyEnforcement.ALWAYS;
  const why = always ? `the agent runs with enable-policy=always, which makes every endpoint default deny; ${selected}`
    : `${defaultDenyIgnoredReason(dp)}${selected}`;
  const side = sideResult(sideBase(dp, input), SideDecision.DEFAULT_DENY, false, undefined, undefined,
    `default deny: ${why} and none allows ${input.peer.text} on ${describeQuery(input.query)}`, dedupe(notes));
  // The mode, not the policies, put the side into default deny: no selecting rule does in this direction itself.
  return always && !dp.selecting.some((r) => r.defaultDeny[dp.direction]) ? { ...side, enforcement: PolicyEnforcement.ALWAYS } : side;
}

/**
 * Whether the policy of a direction can drop some traffic of its endpoint: whether some path of `judgeSide` that drops or
 * refuses can be taken. Default deny (or `reserved:init`); a deny item; an allow item whose `authentication.mode` is
 * not `disabled` (`authOutcome`: `required` drops without mutual authentication, and with it still a reserved peer or
 * subject); an allow item with L7 rules unless they give visibility only (`defaultAllowL7`: `visibilityOnly`, and HTTP and
 * Kafka rules beside the wildcard rule of default-allow mode, `wildcardPort`: a request no rule matches is refused; DNS rules
 * there restrict on the earlier 1.16/1.17 patches only, `DNS_DEFAULT_ALLOW_PATCH_SPLIT`, and count, when the target names no
 * patch, unless `earlyPatches` is false); an allow item with `serverNames`, TLS interception or an Envoy `listener` on some port, on
 * every version (`envoyRestricts`). `enableDefaultDeny: false` does not make a direction drop nothing: Cilium adds an allow-all wildcard rule
 * beside its rules (pkg/policy/repository.go `computePolicyEnforcementAndRules`, case 3), and the more specific entries
 * of its allow rules still carry their authentication and proxy redirect.
 */
export function directionCanDrop(dp: DirectionPolicy, config: EngineConfig, earlyPatches = true): boolean {
  if (dp.defaultDeny || dp.init || dp.deny.length > 0) return true;
  const { visibilityOnly, wildcardPort, dnsPatchUnknown } = defaultAllowL7(dp, config.version);
  const l7Restricts = (pr: CompiledPortRule): boolean => {
    const kind = l7Kind(pr);
    return kind !== undefined && !visibilityOnly && (!wildcardPort || (kind === L7Protocol.DNS && (earlyPatches || !dnsPatchUnknown)));
  };
  return dp.allow.some((item) => (item.authentication !== undefined && item.authentication !== 'disabled')
    || (item.l4.kind === 'ports' && item.l4.portRules.some((pr) => l7Restricts(pr) || envoyRestricts(pr))));
}

/**
 * Whether a port rule sends its connections to Envoy under a restriction that no `enableDefaultDeny: false` lifts: an SNI
 * list ("TLS must be present and one of the provided SNIs must be indicated in the TLS handshake", pkg/policy/api/l4.go
 * `PortRule.ServerNames`), TLS interception (`terminatingTLS`/`originatingTLS`) or a CiliumEnvoyConfig listener. Cilium's
 * createL4Filter (pkg/policy/l4.go, main; the widening came with 1.18) gives such an entry the parser `tls` or `crd` and a per-selector policy,
 * and widens only L7 rules to allow-all without default deny (`hasL7Rules := !rules.IsEmpty()` → `ensureWildcard`): the SNI
 * list, the TLS contexts and the listener stay, so a connection with another SNI (or none), or one the listener refuses,
 * is dropped by the proxy. On 1.16.0-1.16.9 and 1.17.0-1.17.4 createL4Filter widens nothing (from 1.16.10 and 1.17.5 it widens
 * as on 1.18, #38841's backports), and the engine keeps these restrictions on every 1.16-1.17 patch; on the earlier patches the
 * wildcard rule of default-allow mode widens HTTP and Kafka rules through Envoy's wildcard port (`defaultAllowL7(...).wildcardPort`),
 * which is not applied here (not read: whether that port's allow-all also passes another SNI).
 */
export function envoyRestricts(pr: CompiledPortRule | undefined): boolean {
  return pr !== undefined && ((pr.serverNames !== undefined && pr.serverNames.length > 0) || pr.proxy !== undefined);
}

/**
 * What the proxy may refuse of a connection the matching allow entries let through, which the engine does not evaluate: the
 * restriction (`envoyRestricts`) of every matching entry that carries one, whatever its L7 rules (`createL4Filter` widens
 * only the L7 rules, the SNI list, the TLS contexts and the listener stay), as words; `undefined` when none carries one, or
 * when an entry with neither L7 rules nor a restriction lets every connection through. Such an entry does so only where
 * the agent keeps it apart: it merges the policies of one cached selector on one L4 filter (pkg/policy/rule.go
 * `mergePortProto`, 1.16-1.19: "if any rule requires SNI, then all traffic to that remote/port requires TLS, even if other
 * merged rules would be fine without TLS"; the TLS contexts and the listener are merged into the same per-selector
 * policy), so it lifts the restriction only when none of its peer selectors (`peerKeys`, the keys of the agent's selector
 * cache) is one of a restricted entry's. An entry whose selectors are not known as the agent caches them (Services, cloud
 * groups) lifts nothing, and a restricted one of them keeps every restriction: unknown is not judged.
 */
function unevaluatedRestrictionOf(entries: readonly L7Entry[], namespace: string, version: CiliumVersion): UnevaluatedRestriction[] | undefined {
  const restricted = entries.filter((e) => envoyRestricts(e.pr));
  if (restricted.length === 0) return undefined;
  const keysOf = restricted.map((e) => peerKeys(e.item.peer));
  if (!keysOf.some((k) => k.length === 0)) {
    const taken = new Set(keysOf.flat());
    const lifts = (e: L7Entry): boolean => {
      if (l7Kind(e.pr) !== undefined || envoyRestricts(e.pr)) return false;
      const keys = peerKeys(e.item.peer);
      return keys.length > 0 && keys.every((k) => !taken.has(k));
    };
    if (entries.some(lifts)) return undefined;
  }
  const seen = new Set<string>();
  const out: UnevaluatedRestriction[] = [];
  for (const e of restricted) {
    const r = restrictionOf(e.item, e.pr as CompiledPortRule, namespace, version);
    const key = JSON.stringify(r);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** A side allowed by L7 entries, with what the proxy may refuse of it that the engine does not evaluate (`unevaluatedRestrictionOf`). */
function withRestriction(side: SideVerdict, entries: readonly L7Entry[], namespace: string, version: CiliumVersion): SideVerdict {
  const restrictions = unevaluatedRestrictionOf(entries, namespace, version);
  return restrictions === undefined ? side
    : { ...side, unevaluatedRestriction: restrictions.map(restrictionText).join('; '), unevaluatedRestrictions: restrictions };
}

/** A string field of an object as written (the proxy settings are kept as written: `PortRuleModel`), if it is one. */
function stringField(o: unknown, key: string): string | undefined {
  const v = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * A TLS context as the agent keeps it (pkg/policy/l4.go `getCerts`: the Secret's namespace and name, and the keys). A
 * Secret without a namespace is in the subject's namespace (pkg/policy/repository.go `policyContext.GetTLSContext` passes
 * `p.ns`, the subject identity's namespace label set in `resolvePolicyLocked`; pkg/crypto/certificatemanager
 * `GetTLSContext`: `if Secret.Namespace != "" { ns = Secret.Namespace }`): for a CCNP, the namespace of each pod it
 * selects; for a subject without one (a node), none.
 * @param namespace the subject's namespace (`SideInput.subjectNamespace`), "" for none
 */
function tlsContextOf(tls: unknown, namespace: string): RestrictionTlsContext | undefined {
  if (tls === undefined) return undefined;
  const secret = typeof tls === 'object' && tls !== null ? (tls as Record<string, unknown>).secret : undefined;
  const written = stringField(secret, 'namespace');
  const resolved = written !== undefined && written !== '' ? written : namespace;
  const fields: [keyof RestrictionTlsContext, string | undefined][] = [
    ['secretNamespace', resolved !== '' ? resolved : undefined], ['trustedCA', stringField(tls, 'trustedCA')],
    ['certificate', stringField(tls, 'certificate')], ['privateKey', stringField(tls, 'privateKey')],
  ];
  return { secretName: stringField(secret, 'name') ?? '', ...Object.fromEntries(fields.filter(([, v]) => v !== undefined)) };
}

/**
 * An Envoy listener as the agent qualifies it for the subject (`resolvedListener`, the one reading of a listener
 * reference), in the words of a restriction: the kind kept is the resolved one, so `{kind: CiliumEnvoyConfig, name: cec}`
 * and `{name: cec}` are one listener for a pod, in a CNP or a CCNP. `CiliumEnvoyConfig` for a subject without a namespace
 * is refused (`listenerKindRefusals`).
 * @param subjectNamespace the subject's namespace (`SideInput.subjectNamespace`), "" for none
 * @param version the target version: its CRD may prune the listener's `priority` (`resolvedListener`)
 */
function listenerOf(listener: unknown, subjectNamespace: string, version: CiliumVersion): RestrictionListener | undefined {
  const l = resolvedListener(listener, subjectNamespace, version);
  if (l === undefined) return undefined;
  return {
    envoyConfigKind: l.kind,
    ...(l.namespace !== '' ? { envoyConfigNamespace: l.namespace } : {}),
    envoyConfigName: l.config,
    name: l.name,
    ...(l.priority !== undefined ? { priority: l.priority } : {}),
  };
}

/**
 * A port rule's `serverNames` as the agent keeps them: a set (pkg/policy/l4.go `PerSelectorPolicy.ServerNames StringSet`,
 * `StringSet.Equal`), sorted and deduplicated; `undefined` for none. Case is kept: before its SniPattern lowercased both
 * sides, Cilium's proxy matched the SNI exactly (cilium/proxy network_policy.cc `allowed_snis_.find`).
 */
export function serverNameSet(names: readonly string[] | undefined): string[] | undefined {
  return names !== undefined && names.length > 0 ? dedupe([...names]).sort(compareCodeUnits) : undefined;
}

/** What a port rule that `envoyRestricts` restricts, from the proxy settings the model keeps; the SNI names as a set. */
function restrictionOf(item: CompiledItem, pr: CompiledPortRule, namespace: string, version: CiliumVersion): UnevaluatedRestriction {
  const sni = serverNameSet(pr.serverNames);
  const terminating = tlsContextOf(pr.proxy?.terminatingTLS, namespace);
  const originating = tlsContextOf(pr.proxy?.originatingTLS, namespace);
  const listener = listenerOf(pr.proxy?.listener, namespace, version);
  return {
    item: describeItem(item),
    ...(sni !== undefined ? { serverNames: sni } : {}),
    ...(terminating !== undefined ? { terminatingTls: terminating } : {}),
    ...(originating !== undefined ? { originatingTls: originating } : {}),
    ...(listener !== undefined ? { listener } : {}),
  };
}

/** A TLS context as words: its Secret written by `secretText`, the one writer of a Secret reference. */
function tlsText(direction: string, tls: RestrictionTlsContext): string {
  return `${direction} TLS with ${secretText({ name: tls.secretName, ...(tls.secretNamespace !== undefined ? { namespace: tls.secretNamespace } : {}) })}`;
}

/** One restriction as words, after the item that carries it: written from the data, never read back. */
function restrictionText(r: UnevaluatedRestriction): string {
  const words: string[] = [];
  if (r.serverNames !== undefined) words.push(`restricts the TLS SNI to ${r.serverNames.join(', ')}`);
  const tls = [r.terminatingTls && tlsText('terminating', r.terminatingTls), r.originatingTls && tlsText('originating', r.originatingTls)]
    .filter((t): t is string => t !== undefined);
  if (tls.length > 0) words.push(`intercepts its TLS (${tls.join(', ')})`);
  if (r.listener !== undefined) {
    const l = r.listener;
    const config = `${l.envoyConfigKind} ${l.envoyConfigNamespace !== undefined ? `${l.envoyConfigNamespace}/` : ''}${l.envoyConfigName}`;
    words.push(`sends it to the Envoy listener ${l.name} of ${config}${l.priority !== undefined ? ` (priority ${l.priority})` : ''}`);
  }
  return `${r.item} ${words.join(' and ')}`;
}

/**
 * What the restrictions of a side restrict, without the items that carry them: each entry's data but its item, as one
 * key, deduplicated and sorted (`undefined` for none). Envoy enforces the SNI sets, TLS contexts and listeners of the
 * matching entries (pkg/policy/l4.go `PerSelectorPolicy.Equal` compares TerminatingTLS, OriginatingTLS, ServerNames,
 * Listener and its priority), not the rules they came from: the same restriction carried by a renamed policy, or by an
 * item that moved to another index, is the same restriction; another listener, Secret or SNI set is another.
 */
export function restrictionKey(restrictions: readonly UnevaluatedRestriction[] | undefined): string | undefined {
  if (restrictions === undefined) return undefined;
  const keys = restrictions.map(({ item: _item, ...what }) => JSON.stringify(what));
  return dedupe(keys).sort(compareCodeUnits).join('\n');
}

/** The notes of an unexplained decision: never written to. */
const NO_NOTES: string[] = Object.freeze([]) as unknown as string[];

/** What an explained side reads of a direction policy alone (for one Cilium version), worked out once per policy. */
interface Explained {
  readonly version: CiliumVersion;
  /** The notes every explained side of the policy starts with: rules not imported, ignored requirements, parser conflicts. */
  readonly notes: readonly string[];
  /** The number of selecting rules with rules in the policy's direction (a default deny's reason). */
  readonly withRules: number;
}

const EXPLAINED = new WeakMap<DirectionPolicy, Explained>();

function explainedOf(dp: DirectionPolicy, version: CiliumVersion): Explained {
  let e = EXPLAINED.get(dp);
  if (e === undefined || e.version !== version) {
    const notes: string[] = [];
    for (const r of dp.skipped) notes.push(`${describeRule(r.policy, r.rulePath)} selects this endpoint but is not imported by the agent: ${r.skipReason}`);
    if (dp.requiresIgnored) notes.push('fromRequires/toRequires are ignored: they were removed in Cilium 1.19 (the 1.19 CRD rejects them)');
    e = { version, notes, withRules: dp.selecting.filter((r) => r.present[dp.direction]).length };
    EXPLAINED.set(dp, e);
  }
  return e;
}

/** The fields of a side verdict every decision shares. */
interface SideBase {
  readonly direction: TrafficDirection;
  readonly endpoint: string;
  readonly evaluated: boolean;
  readonly policies: SideVerdict['policies'];
}

/** The shared fields of the side verdict of `dp` for `input`. */
function sideBase(dp: DirectionPolicy, input: SideInput): SideBase {
  return { direction: trafficDirection(dp.direction), endpoint: input.subject, evaluated: true, policies: dp.policies.map((p) => ({ ...p })) };
}

/** A side verdict, its keys in the order explanations print them (`rule` and `l7` only when given). */
function sideResult(base: SideBase, decision: SideDecision, allowed: boolean, rule: VerdictRuleRef | undefined, l7: L7Outcome | undefined,
  reason: string, notes: string[]): SideVerdict {
  const { direction, endpoint, evaluated, policies } = base;
  if (rule === undefined) return { direction, endpoint, evaluated, policies, decision, allowed, reason, notes };
  if (l7 === undefined) return { direction, endpoint, evaluated, policies, decision, allowed, rule, reason, notes };
  return { direction, endpoint, evaluated, policies, decision, allowed, rule, l7, reason, notes };
}

/** A side whose endpoint is not managed by Cilium (world, IPs, the API server) or a node without the host firewall. */
export function notEvaluated(direction: 'ingress' | 'egress', subject: string, reason: string): SideVerdict {
  return { direction: trafficDirection(direction), endpoint: subject, evaluated: false, decision: SideDecision.NOT_EVALUATED, allowed: true, reason: `not evaluated: ${reason}`, policies: [], notes: [] };
}

/**
 * The named ports the side's rules resolve on the destination: on ingress the subject's own, on egress the cluster's
 * view of the peer's (`named-ports.ts`: Cilium 1.14-1.19 resolves egress names across every pod).
 */
function destinationNamedPorts(dp: DirectionPolicy, input: SideInput): readonly NamedPort[] {
  return dp.direction === 'egress' ? egressNamedPorts(input.config.inventory, input.destinationPorts).ports : input.destinationPorts;
}

/**
 * Notes on items whose named port, on the query's protocol, has several numbers: on egress among the cluster's pods (the
 * agent skips it), on ingress among the pods the destination stands for (pods of several workloads with these labels,
 * `podNamedPortConflicts`), where the item covers the port only on the pods that declare the name as it: Cilium resolves an
 * ingress named port on the receiving pod's own ports (pkg/endpoint `GetNamedPort(ingress=true)`, `e.k8sPorts`).
 */
function ambiguousNamedPortNotes(dp: DirectionPolicy, deny: CandidateLists, allow: CandidateLists, input: SideInput, out: string[]): void {
  const { protocol, port } = input.query.l4;
  if (protocol === 'ICMP' || port === undefined) return;
  const egress = dp.direction === 'egress';
  const ambiguous = egress ? egressNamedPorts(input.config.inventory, input.destinationPorts).ambiguous
    : podNamedPortConflicts(input.destinationPorts);
  if (ambiguous.size === 0) return;
  // The deny items, then the allow items, each list in order.
  for (const lists of [deny, allow]) {
    for (let list = 0; list < lists.length; list++) {
      for (const item of lists[list]) {
        if (item.l4.kind !== 'ports') continue;
        for (const pr of item.l4.portRules) {
          for (const p of pr.ports) {
            const numbers = p.kind === 'named' && p.name !== undefined && p.protocols.includes(protocol) ? ambiguous.get(namedPortKey(p.name, protocol)) : undefined;
            if (numbers === undefined) continue;
            const texts = numbers.map((n) => `${n}/${protocol}`).join(' and ');
            if (egress) {
              out.push(`${describeItem(item)}: named port ${p.name ?? ''} is ${texts} among the cluster's pods; `
                + `Cilium ${input.config.version} resolves an egress named port across every pod and skips an ambiguous one (duplicate named ports), so it matches no port here`);
              continue;
            }
            const holding = numbers.filter((n) => port >= n && port <= namedPortEnd(p, n));
            if (holding.length === 0) continue;
            out.push(`${describeItem(item)}: named port ${p.name ?? ''} is ${texts} on the pods ${input.subject} stands for (pods of several workloads `
              + `with these labels: no pod declares a name twice); Cilium resolves an ingress named port on each pod's own ports, so the item covers `
              + `${port}/${protocol} only on the pods that declare ${p.name ?? ''} as ${holding.join(' or ')}: add a label that tells the workloads apart`);
          }
        }
      }
    }
  }
}

/**
 * What a verdict on a name the subject's proxy does not learn cannot know: Cilium's name manager is one per agent
 * (pkg/fqdn/namemanager `UpdateGenerateDNS` labels a looked-up name's IPs with every registered `toFQDNs` selector that
 * matches it, whichever endpoint's proxy saw the lookup), so a neighbour's lookup on the same node teaches this selector
 * too. The engine does not know where pods run, so it judges each client by its own lookups.
 */
export const AGENT_WIDE_FQDN_NOTE = 'Cilium\'s name manager is agent-wide: while a pod on the same node that looks the name up through its own DNS '
  + 'proxy has the answer cached, this toFQDNs selects those IPs too and the connection passes (the engine judges each pod by its own lookups)';

/** Whether an item's peers include the peer (with the note an explanation shows when `explain`). */
function peerMatches(peer: PeerSpec, input: SideInput, requirements: readonly SelectorRequirement[], explain: boolean): PeerMatch {
  const p = input.peer;
  switch (peer.kind) {
    case 'any':
      return MATCH;
    case 'none':
      return NO_MATCH;
    case 'endpoints':
      return peerMatch(anySelectorMatches(peer.selectors, p.labels)
        && (requirements.length === 0 || Selector.all().and(requirements).matches(p.labels)));
    case 'nodes':
      return peerMatch(anySelectorMatches(peer.selectors, p.labels));
    case 'entities': {
      const entities = peer.entities;
      for (let i = 0; i < entities.length; i++) if (entityMatches(entities[i], p.labels, input.config.clusterName)) return MATCH;
      return NO_MATCH;
    }
    case 'cidr': {
      // A /0 block selects the world identity of its family, `except` or not: its holes only exclude the CIDR identities
      // inside them (CIDRRuleSlice.GetAsEndpointSelectors: world label AND each except CIDR label DoesNotExist). Which world
      // identity that is depends on the cluster's IP families (labels.IPStringToLabel/getWorldLabel): a /0 never selects
      // the world of the other family.
      // Looked up in the blocks' index (`cidr-peer-index.ts`): one binary search however many CIDRs the item names.
      const index = cidrPeerIndex(peer.blocks);
      const ip = p.ip;
      const world = p.worldFamily;
      for (const { except } of index.anyFamilyWorlds) {
        // 1.17-1.18 toCIDRSet of the other family's /0: reserved:world AND no except CIDR label.
        if (p.labels.has('reserved', 'world') && (ip === undefined || !except.has(ip))) return MATCH;
      }
      if (ip !== undefined ? index.addresses.has(ip) : world !== 0 && index.worlds.some((b) => b.cidr.family === world)) return MATCH;
      if (peer.ungrouped !== undefined && peer.ungrouped.some((u) => ungroupedHolds(u, p))) return MATCH;
      return explain ? otherFamilyWorld(index.worlds, p, input.config.ipFamilies, input.config.version) : NO_MATCH;
    }
    case 'services': {
      const ip = p.ip;
      return peerMatch(peer.backends.some((b) => (b.selector?.matches(p.labels) ?? false)
        || (ip !== undefined && b.cidrs !== undefined && cidrAddresses(b.cidrs).has(ip))));
    }
    case 'fqdns': {
      const name = p.fqdn;
      if (name === undefined) return NO_MATCH;
      const selector = peer.matchers.find((m) => m.matches(name));
      if (!selector) return NO_MATCH;
      const learned = input.learn?.(name) ?? { learnable: false, why: 'no DNS server to learn it from' };
      if (learned.learnable) return MATCH;
      if (!explain) return NO_MATCH;
      return {
        match: false,
        note: `toFQDNs ${selector.text} matches ${name.replace(/\.$/, '')}, but ${input.subject}'s DNS proxy never learns its IPs, so toFQDNs selects nothing: `
          + `${learned.why ?? ''}; allow egress to the DNS server on 53/UDP and 53/TCP with rules.dns matchPattern "*" (or the name). `
          + AGENT_WIDE_FQDN_NOTE,
      };
    }
    case 'groups':
      return NO_MATCH;
  }
}

/**
 * Whether a `cidrGroupSelector` entry that holds on an identity of no CIDR group selects the peer: any peer but an outside
 * address a known CiliumCIDRGroup holds (its identity carries that group's labels) and an address in the `except` holes
 * (its identity has their `cidr:` label). A node's or the host's address is its node identity, in no group.
 */
function ungroupedHolds(u: UngroupedSelection, p: PeerView): boolean {
  const ip = p.ip;
  if (ip === undefined) return true;
  if (cidrAddresses(u.except).has(ip)) return false;
  return p.node || !cidrAddresses(u.groupCidrs).has(ip);
}

/**
 * Whether an item's peers include the peer of `input`, at any port: the peer half of a side's decision, the same code
 * `judgeSide` runs (the connectivity diff's selector cache asks it per distinct peer). A `toFQDNs` item selects only a peer
 * with a DNS name whose lookup `input.learn` says the subject's proxy learns.
 * @param requirements the `fromRequires`/`toRequires` of the direction policy's allow or deny items, as the item is one or the other
 */
export function itemPeerMatches(item: CompiledItem, input: SideInput, requirements: readonly SelectorRequirement[]): boolean {
  return peerMatches(item.peer, input, requirements, false).match;
}

/**
 * The near miss of a world peer (address-less, or an address) and CIDR blocks none of which holds it, when one of them is
 * the `/0` of the other IP family: `::/0` selects the IPv6 world, never an IPv4 address (labels.IPStringToLabel maps a
 * zero-length prefix to the world label of its family, getWorldLabel).
 * @param worlds the `/0` blocks of the item that select their own family's world (`CidrPeerIndex.worlds`), in order
 */
function otherFamilyWorld(worlds: readonly CidrBlock[], p: PeerView, mode: IpFamilies, version: CiliumVersion): PeerMatch {
  // Before 1.15 there is one world identity; a /0 left here has `except` holes, which split it into prefixes of its own
  // family: no note about family world labels applies.
  if (!version.atLeast(CiliumVersion.V1_15)) return NO_MATCH;
  const family = p.worldFamily !== 0 ? p.worldFamily : p.ip?.family;
  if (family === undefined || !p.labels.has('reserved', worldLabel(family, mode, version))) return NO_MATCH;
  const other = worlds.find((b) => b.cidr.family !== family);
  if (other === undefined) return NO_MATCH;
  const otherFamily = other.cidr.family;
  const runs = familiesOf(mode).includes(otherFamily);
  const note = `${other.text} is the IPv${otherFamily} world: it selects reserved:${worldLabel(otherFamily, mode, version)}`
    + `${runs ? '' : `, which no address of ${familiesText(mode)} has`}; `
    + `this peer is an IPv${family} address (reserved:${worldLabel(family, mode, version)}), which ${family === 4 ? '0.0.0.0/0' : '::/0'} selects`;
  return { match: false, note };
}

/** The cluster's IP families, as explanations name them. */
export function familiesText(mode: IpFamilies): string {
  return mode === IpFamilies.DUAL ? 'a dual-stack cluster' : `an IPv${mode === IpFamilies.IPV6 ? 6 : 4}-only cluster`;
}

/** Whether one of the selectors selects the labels. */
function anySelectorMatches(selectors: readonly Selector[], labels: LabelSet): boolean {
  for (let i = 0; i < selectors.length; i++) if (selectors[i].matches(labels)) return true;
  return false;
}

/** The decision among matching allow items (L7 rules), explained when `base` is given (see `judgeSide`). */
function decideL7(matches: { item: CompiledItem; l4: L4Match }[], base: SideBase | undefined, notes: string[],
  input: SideInput, defaultAllow: DefaultAllowL7, hostBypass: CompiledItem | undefined): SideVerdict | SideOutcome {
  const visibilityOnly = defaultAllow.visibilityOnly;
  if (!base) {
    const shared = sharedOutcome(matches, defaultAllow, hostBypass !== undefined, input);
    if (shared !== undefined) return shared;
  }
  // Loops, not flatMap: this runs for every first decision that L7 rules refine.
  const all: L7Entry[] = [];
  for (let m = 0; m < matches.length; m++) {
    const { item, l4 } = matches[m];
    if (l4.allPorts || l4.icmp) all.push({ item, pr: undefined });
    else for (let p = 0; p < l4.portRules.length; p++) all.push({ item, pr: l4.portRules[p] });
  }
  const entries = dnsFilterEntries(all, input);
  if (base) {
    for (const e of entries) {
      if (e.pr?.serverNames !== undefined) notes.push(`${describeItem(e.item)} also restricts the TLS SNI to ${e.pr.serverNames.join(', ')} (not evaluated)`);
      if (e.pr?.proxy !== undefined) notes.push(`${describeItem(e.item)} uses TLS interception or an Envoy listener (not evaluated)`);
      for (const h of e.pr?.rules?.http ?? []) pushAll(notes, secretHeaderNotes(h));
    }
    const split = dnsFiltersNote(entries, input);
    if (split !== undefined) notes.push(split);
  }
  const wildcard = entries.find((e) => l7Kind(e.pr) === undefined);
  const first = wildcard?.item ?? entries[0].item;
  if (wildcard) {
    if (!base) return dnsRulesOf(entries).length > 0 ? ALLOWED_DNS_PROXIED : ALLOWED;
    const l7Elsewhere = entries.some((e) => l7Kind(e.pr) !== undefined);
    if (l7Elsewhere) notes.push(`L7 rules of other matching rules have no effect here: ${describeItem(wildcard.item)} allows this peer and port without L7 rules`);
    // DNS rules on this peer and port still send the lookup through the proxy, with their rules widened to allow-all.
    const dnsRules = input.query.dns !== undefined ? dnsRulesOf(entries) : [];
    const l7: L7Outcome | undefined = dnsRules.length > 0 ? {
      protocol: L7Protocol.DNS, result: L7Result.ALLOWED, rules: dnsRules, matched: '(any name)',
      reason: `${describeItem(wildcard.item)} allows this port without L7 rules, which widens the DNS rules of the port to allow-all (the proxy still sees the lookup)`,
    } : undefined;
    // Envoy lets the connection through when one of the port's rules for the peer matches it: a plain one always, one
    // with serverNames only for its SNIs (a listener by its own filters): `unevaluatedRestrictionOf`.
    return withRestriction(sideResult(base, SideDecision.ALLOWED, true, ruleRef(first), l7, `allowed by ${describeItem(first)}`, dedupe(notes)), entries, input.subjectNamespace ?? '', input.config.version);
  }
  // allow-localhost: a redirect whose selector selects the host but is not the host selector itself (a wildcard, `all`,
  // an expression) gets the host selector added with no L7 rules (L4Filter.attach / createL4IngressFilter
  // `cacheIdentitySelector(host)`), so the local host is not held to the L7 rules. `fromEntities: [host]` or `[cluster]`
  // (whose selectors include the host one) keeps them.
  if (hostBypass !== undefined) {
    if (!base) return ALLOWED;
    const l7: L7Outcome = {
      protocol: l7Kind(entries.find((e) => l7Kind(e.pr) !== undefined)?.pr) ?? L7Protocol.HTTP, result: L7Result.ALLOWED, rules: [], matched: '(allow-all for the host)', visibilityOnly: true,
      reason: `the local host is always allowed (allow-localhost): Cilium ${input.config.version} adds the host with an allow-all to the L7 rules of `
        + `${describeItem(hostBypass)}, whose peers select it without naming it`,
    };
    return sideResult(base, SideDecision.ALLOWED, true, ruleRef(hostBypass), l7, `allowed by ${describeItem(hostBypass)} (the local host is not held to its L7 rules)`,
      dedupe(notes));
  }
  if (defaultAllow.wildcardPort && !entries.some((e) => l7Kind(e.pr) === L7Protocol.DNS)) {
    if (!base) return ALLOWED;
    const kind = l7Kind(entries.find((e) => l7Kind(e.pr) !== undefined)?.pr) ?? L7Protocol.HTTP;
    const peers = base.direction === 'ingress' ? 'fromEntities' : 'toEntities';
    const l7: L7Outcome = {
      protocol: kind, result: L7Result.ALLOWED, rules: dedupe(entries.flatMap((e) => l7RuleTexts(e.pr, kind))), matched: '(allow-all of the wildcard port)',
      visibilityOnly: true,
      reason: `no policy selecting ${input.subject} enables default deny on ${base.direction}, so Cilium ${input.config.version.release} adds a wildcard rule `
        + `(${peers}: [all], every port), and Envoy also consults the rules of the wildcard port: these ${kind.toUpperCase()} rules give visibility only`,
    };
    return withRestriction(sideResult(base, SideDecision.ALLOWED, true, ruleRef(first), l7,
      `allowed by ${describeItem(first)} (L7 ${kind.toUpperCase()} rules are visibility only beside the wildcard rule of default-allow mode)`,
      dedupe(notes)), entries, input.subjectNamespace ?? '', input.config.version);
  }
  if (!base) {
    // A DNS lookup is judged by DNS rules when some entry has them (`l7Decision`: the kind of a DNS-only request).
    const dnsProxied = entries.some((e) => l7Kind(e.pr) === L7Protocol.DNS);
    if (visibilityOnly) return dnsProxied ? ALLOWED_DNS_PROXIED : ALLOWED;
    return { decision: SideDecision.ALLOWED, allowed: true, l7Rules: entries, ...(dnsProxied ? { dnsProxied } : {}) };
  }
  const q = input.query;
  const { kind, evaluated: evaluate, entry, matched } = l7Decision(entries, q, input.config);
  // Two rules of one text (the same DNS companion in two policies) are one rule: listed once.
  const rules = dedupe(entries.flatMap((e) => l7RuleTexts(e.pr, kind)));
  if (visibilityOnly) {
    const l7: L7Outcome = {
      protocol: kind, result: L7Result.ALLOWED, rules, matched: '(allow-all)', visibilityOnly: true,
      reason: `no policy selecting ${input.subject} enables default deny on ${base.direction}, so Cilium ${input.config.version.release} adds an allow-all to these ${kind.toUpperCase()} rules: they give visibility only`,
    };
    return withRestriction(sideResult(base, SideDecision.ALLOWED, true, ruleRef(first), l7,
      `allowed by ${describeItem(first)} (L7 ${kind.toUpperCase()} rules are visibility only in default-allow mode)`, dedupe(notes)), entries, input.subjectNamespace ?? '', input.config.version);
  }
  if (!evaluate) {
    const l7: L7Outcome = {
      protocol: kind, result: L7Result.NOT_EVALUATED, rules,
      reason: kind === 'l7proto' ? 'generic L7 (l7proto) rules apply; the engine does not evaluate them'
        : `${kind.toUpperCase()} rules apply to this connection: requests that match none of them are refused; give a ${kind} request to check one`,
    };
    return withRestriction(sideResult(base, SideDecision.ALLOWED, true, ruleRef(first), l7,
      `allowed at L4 by ${describeItem(first)}; L7 ${kind.toUpperCase()} rules will be enforced by the proxy`, dedupe(notes)), entries, input.subjectNamespace ?? '', input.config.version);
  }
  if (entry && matched !== undefined) {
    const l7: L7Outcome = { protocol: kind, result: L7Result.ALLOWED, rules, matched, reason: `the ${kind.toUpperCase()} request matches ${matched}` };
    return withRestriction(sideResult(base, SideDecision.ALLOWED, true, ruleRef(entry.item), l7,
      `allowed by ${describeItem(entry.item)} (L7 ${kind.toUpperCase()} rule ${matched})`, dedupe(notes)), entries, input.subjectNamespace ?? '', input.config.version);
  }
  if (kind === 'kafka' && q.kafka) pushAll(notes, kafkaUnknownNotes(entries, q.kafka));
  if (kind === 'http' && q.http) pushAll(notes, httpMethodCaseNotes(entries, q.http));
  // On 1.16/1.17 without default deny, whether the DNS proxy refuses it depends on the patch release: the verdict says so.
  if (kind === L7Protocol.DNS && defaultAllow.dnsPatchUnknown) notes.push(`${DNS_DEFAULT_ALLOW_PATCH_SPLIT}: this lookup is not judged; fix: ${dnsDefaultAllowPatchFix(input.config.version)}`);
  const response = kind === 'dns' ? 'DNS REFUSED' : kind === 'http' ? 'HTTP 403' : kafkaDenialResponse(q.kafka?.apiKey ?? '');
  const l7: L7Outcome = { protocol: kind, result: L7Result.DENIED, rules, reason: `the ${kind.toUpperCase()} request ${describeL7Request(kind, q)} matches none of the rules (${response})` };
  return sideResult(base, SideDecision.L7_DENIED, true, ruleRef(first), l7,
    `L7 denied (${response}): ${describeItem(first)} allows the connection, but ${describeL7Request(kind, q)} matches none of its ${kind.toUpperCase()} rules`,
    dedupe(notes));
}

/**
 * `decideL7`'s outcome without explanation when it is one of the shared outcomes (no L7 rule refines it), worked out
 * without building the L7 entries: a matching entry without L7 rules (a wildcard) allows, with the DNS proxy when some
 * entry has DNS rules; else the local host bypasses the L7 rules, or they are visibility only. `undefined` when the L7
 * rules decide (the caller builds the entries).
 */
function sharedOutcome(matches: readonly { item: CompiledItem; l4: L4Match }[], defaultAllow: DefaultAllowL7,
  hostBypass: boolean, input: SideInput): SideOutcome | undefined {
  // With DNS rules, only an L4-only entry on an L4 filter of theirs is a wildcard (`dnsFilterEntries`); without, every one.
  let everyPortWildcard = false;
  let l4Only: CompiledPortRule[] | undefined;
  let dnsFilters: Set<string> | undefined;
  let dnsRules = false;
  for (let m = 0; m < matches.length; m++) {
    const l4 = matches[m].l4;
    if (l4.allPorts || l4.icmp) {
      everyPortWildcard = true;
      continue;
    }
    for (let p = 0; p < l4.portRules.length; p++) {
      const pr = l4.portRules[p];
      const kind = l7Kind(pr);
      if (kind === undefined) (l4Only ??= []).push(pr);
      else if (kind === L7Protocol.DNS) {
        dnsFilters ??= new Set();
        for (const key of queryFilters(pr, input)) dnsFilters.add(key);
        if ((pr.rules?.dns ?? []).length > 0) dnsRules = true;
      }
    }
  }
  const dns = dnsFilters;
  const dnsKind = dns !== undefined;
  const wildcard = dns === undefined ? everyPortWildcard || l4Only !== undefined
    : l4Only !== undefined && l4Only.some((pr) => queryFilters(pr, input).some((key) => dns.has(key)));
  if (wildcard) return dnsRules ? ALLOWED_DNS_PROXIED : ALLOWED;
  if (hostBypass) return ALLOWED;
  if (defaultAllow.visibilityOnly) return dnsKind ? ALLOWED_DNS_PROXIED : ALLOWED;
  if (defaultAllow.wildcardPort && !dnsKind) return ALLOWED;
  return undefined;
}

/**
 * The entries whose L7 rules (or lack of them) the proxy holds for the query's port. With DNS rules among them, only the
 * L4-only entries on an L4 filter of theirs (`l4FilterKey`: port or name as written, end port, protocol): the DNS proxy
 * judges a lookup by the rules of its destination port and protocol alone (pkg/fqdn/dnsproxy/proxy.go `CheckAllowed`:
 * `getPortRulesForID(endpointID, destPortProto)`), which `UpdateAllowed` fills per redirect from the L4Filter that made it
 * (pkg/proxy/dns.go `setRules`; pkg/endpoint/bpf.go: one redirect per proxy ID, the resolved port and protocol), and the
 * datapath sends the lookup there: the redirect's policy map key (peer, port, protocol) is more specific than the key of an
 * allow of every port (no toPorts, port 0) or of a range (bpf/lib/policy.h: the longest port prefix wins), and on the same
 * key the redirect wins (mapstate `merge`: "Proxy port takes precedence"). So an allow on another filter, for the same
 * peer, neither widens the DNS rules nor lets a lookup they refuse through: every port, port 0, a range, and also a named
 * port beside DNS rules on the number it resolves to (or the number beside DNS rules on the name), as `dns/UDP` and
 * `53/UDP` are two filters (`namedPortMap`). An L4-only allow of the same filter does widen them (`mergePortProto` adds an
 * allow-all for its selector). Envoy, which enforces HTTP and Kafka rules, also consults the rules of the wildcard port
 * (cilium/proxy `PortNetworkPolicy`: "Check for any rules that wildcard the port"), so there an allow of every port widens
 * them: other L7 kinds keep every entry.
 */
function dnsFilterEntries(entries: L7Entry[], input: SideInput): L7Entry[] {
  const dnsFilters = dnsFilterKeys(entries, input);
  if (dnsFilters === undefined) return entries;
  return entries.filter((e) => l7Kind(e.pr) !== undefined || queryFilters(e.pr, input).some((key) => dnsFilters.has(key)));
}

/** The L4 filters (`queryFilters`) of the entries with DNS rules for the query's port; `undefined` when none has DNS rules. */
function dnsFilterKeys(entries: readonly L7Entry[], input: SideInput): Set<string> | undefined {
  let filters: Set<string> | undefined;
  for (const e of entries) {
    if (l7Kind(e.pr) !== L7Protocol.DNS) continue;
    filters ??= new Set();
    for (const key of queryFilters(e.pr, input)) filters.add(key);
  }
  return filters;
}

/**
 * A note when DNS rules cover the query through several L4 filters (`53` and a name that resolves to 53): Cilium makes one
 * DNS redirect per endpoint and resolved port, from the first redirecting filter it meets (pkg/endpoint/bpf.go: "if the
 * redirect has already been updated on this round", skip), and the proxy holds that filter's DNS rules only
 * (pkg/proxy/dns.go `setRules` → `UpdateAllowed(endpointID, dstPortProto, rules)`). Which one is first is the agent's
 * iteration order (a Go map in some versions), so the verdict takes the rules together: an upper bound.
 */
function dnsFiltersNote(entries: readonly L7Entry[], input: SideInput): string | undefined {
  const filters = dnsFilterKeys(entries, input);
  if (filters === undefined || filters.size < 2) return undefined;
  return `the DNS rules here are on ${filters.size} L4 filters of this port (${[...filters].join(', ')}): Cilium gives the DNS proxy the rules of `
    + 'one of them only (one redirect per port, made by the first filter in the agent\'s order), so names only the others allow may be refused; '
    + 'the verdict takes them together';
}

/** The L4 filters (`l4FilterKey`) through which a port rule covers the query's port and protocol; none without a port rule. */
function queryFilters(pr: CompiledPortRule | undefined, input: SideInput): string[] {
  if (pr === undefined) return [];
  const query = input.query.l4;
  const keys: string[] = [];
  for (const p of pr.ports) if (portMatches(p, query, input.destinationPorts)) keys.push(l4FilterKey(p, query.protocol));
  return keys;
}

/** The DNS rules of the entries, as text: a DNS lookup on this peer and port goes through the DNS proxy when there are some. */
function dnsRulesOf(entries: readonly L7Entry[]): string[] {
  return dedupe(entries.flatMap((e) => (l7Kind(e.pr) === L7Protocol.DNS ? l7RuleTexts(e.pr, 'dns') : [])));
}

function l7RuleTexts(pr: CompiledPortRule | undefined, kind: string): string[] {
  const r = pr?.rules;
  if (!r) return [];
  if (kind === 'http') return (r.http ?? []).map(describeHttpRule);
  if (kind === 'kafka') return (r.kafka ?? []).map(describeKafkaRule);
  if (kind === 'dns') return (r.dns ?? []).map((d) => (d.matchName !== undefined ? `matchName: ${d.matchName}` : `matchPattern: ${d.matchPattern ?? ''}`));
  const parser = r.l7proto;
  if (parser === undefined) return [];
  // The key-value rules decide as much as the parser: each one described with its pairs.
  const l7 = r.l7 ?? [];
  if (l7.length === 0) return [describeL7protoRule(parser, undefined)];
  return l7.map((kv) => describeL7protoRule(parser, kv));
}

/**
 * Whether the proxy terminates TLS on the connection: some rule that applies to its peer and port has `terminatingTLS`.
 * Cilium merges the L7 rules of a selector and port, a rule without a TLS context taking the other's (pkg/policy
 * `mergePortProto`: a conflict only when both are set), and the proxy terminates TLS with the first rule for the peer that
 * has a context: every HTTP rule on the connection then sees `:scheme` and X-Forwarded-Proto `https`.
 */
function terminatesTls(entries: readonly L7Entry[]): boolean {
  return entries.some((e) => e.pr?.proxy?.terminatingTLS !== undefined);
}

/** @param tls whether the proxy terminates TLS on the connection (`terminatesTls`) */
function l7Match(pr: CompiledPortRule | undefined, kind: string, q: SideQuery, subdomainWildcard: boolean, tls: boolean): string | undefined {
  const r = pr?.rules;
  if (!r) return undefined;
  const { http, kafka, dns } = q;
  if (kind === 'http' && http) {
    // Where the proxy terminates TLS, Envoy sets `:scheme` and X-Forwarded-Proto to https.
    const m = (r.http ?? []).find((h) => httpRuleMatches(h, http, tls));
    return m ? describeHttpRule(m) : undefined;
  }
  if (kind === 'kafka' && kafka) {
    const m = (r.kafka ?? []).find((k) => kafkaRuleMatches(k, kafka));
    return m ? describeKafkaRule(m) : undefined;
  }
  if (kind === 'dns' && dns !== undefined) {
    // Compiled per lookup: the DNS rules of one port are few.
    const m = (r.dns ?? []).find((d) => compileFqdnSelector(d, subdomainWildcard).matches(dns));
    return m ? (m.matchName !== undefined ? `matchName: ${m.matchName}` : `matchPattern: ${m.matchPattern ?? ''}`) : undefined;
  }
  return undefined;
}

/** Near misses for a default deny: allow items that match the peer but not the port, or the port but not the peer. */
function nearMisses(dp: DirectionPolicy, input: SideInput, out: string[]): void {
  const start = out.length;
  const ports = destinationNamedPorts(dp, input);
  for (const item of dp.allow) {
    if (out.length - start >= 3) break;
    const l4 = matchL4(item.l4, input.query.l4, ports);
    // Only whether the peer matches: the note of a peer that does not is not a near miss's.
    const pm = peerMatches(item.peer, input, dp.requirements, false);
    if (pm.match && !l4 && item.l4.kind !== 'none') {
      // With the item's import notes: a port it was written with may be what the import dropped (a NetworkPolicy endPort on 1.14).
      out.push(`${describeItem(item)} allows ${input.peer.text} only on ${describeL4(item)}${item.notes.length > 0 ? ` (${item.notes.join('; ')})` : ''}`);
    }
    else if (l4 && !pm.match && item.peer.kind !== 'none') out.push(`${describeItem(item)} allows ${describeQuery(input.query)} only ${dp.direction === 'ingress' ? 'from' : 'to'} ${describePeer(item)}`);
  }
}

/** The deciding item as a rule reference. */
export function ruleRef(item: CompiledItem): VerdictRuleRef {
  // Field by field, not `{ ...policy, rule, … }`: on Node 20 (V8 11.3) a spread followed by more properties gives each
  // result a map of its own (about 1.5 µs per property added); explained verdicts build one per side.
  const p = item.rule.policy;
  const ref: { -readonly [K in keyof VerdictRuleRef]: VerdictRuleRef[K] } = { kind: p.kind, name: p.name } as VerdictRuleRef;
  if (p.namespace !== undefined) ref.namespace = p.namespace;
  if (p.file !== undefined) ref.file = p.file;
  if (p.ciliumName !== undefined) ref.ciliumName = p.ciliumName;
  ref.rule = item.rule.rulePath;
  ref.section = item.section;
  ref.item = item.index;
  ref.path = item.path;
  return ref;
}

/** `CiliumNetworkPolicy default/web spec.ingress[1]`. */
export function describeItem(item: CompiledItem): string {
  return describedOf(item).item;
}

/** An item's texts in explanations, worked out on first use (explained sides name the same items again and again). */
interface Described {
  readonly item: string;
  l4?: string;
  peer?: string;
}

const DESCRIBED = new WeakMap<CompiledItem, Described>();

function describedOf(item: CompiledItem): Described {
  let d = DESCRIBED.get(item);
  if (d === undefined) {
    d = { item: `${describePolicy(item.rule.policy)} ${item.path}` };
    DESCRIBED.set(item, d);
  }
  return d;
}

/** `CiliumNetworkPolicy default/web`. */
export function describePolicy(p: PolicyRef): string {
  return objectName(p);
}

function describeRule(p: PolicyRef, rulePath: string): string {
  return `${describePolicy(p)} ${rulePath}`;
}

function describeQuery(q: SideQuery): string {
  return q.l4.protocol === 'ICMP' ? `${q.l4.icmpFamily === 'IPv6' ? 'icmpv6' : 'icmp'}/${q.l4.icmpType}` : `${q.l4.port}/${q.l4.protocol}`;
}

function describeL4(item: CompiledItem): string {
  const d = describedOf(item);
  return d.l4 ??= l4Text(item);
}

function l4Text(item: CompiledItem): string {
  const l4 = item.l4;
  if (l4.kind !== 'ports') return 'all ports';
  return [...l4.portRules.flatMap((pr) => pr.ports.map((p) => p.text)), ...l4.icmps.map((i) => `icmp ${i.text}`)].join(', ') || 'no port';
}

function describePeer(item: CompiledItem): string {
  const d = describedOf(item);
  return d.peer ??= peerText(item);
}

function peerText(item: CompiledItem): string {
  const p = item.peer;
  switch (p.kind) {
    case 'any':
      return 'any peer';
    case 'none':
      return 'no peer';
    case 'endpoints':
    case 'nodes':
      return `${item.peerField ?? p.kind} ${p.selectors.map((s) => s.toString()).join(' or ')}`;
    case 'entities':
      return `entities ${p.entities.join(', ')}`;
    case 'cidr':
      return `CIDR ${[...p.blocks.map((b) => b.text), ...(p.ungrouped ?? []).map((u) => `${u.text} (every identity of no CIDR group)`)].join(', ') || '(none)'}`;
    case 'services':
      return `services ${p.backends.map((b) => b.text).join(', ') || '(none found)'}`;
    case 'fqdns':
      return `FQDNs ${p.matchers.map((m) => m.text).join(', ')}`;
    case 'groups':
      return 'cloud provider groups';
  }
}

/**
 * What a Kafka verdict of L7 denied did not know: the rules that would match but for a field the request does not give
 * (their answer depends on it), with the `--kafka` words that give it.
 */
function kafkaUnknownNotes(entries: readonly L7Entry[], req: KafkaRequest): string[] {
  const words: Record<string, string> = { apiVersion: 'version=<n>', clientID: 'client=<id>', topic: '<topic>' };
  return entries.flatMap((e) => (e.pr?.rules?.kafka ?? []).flatMap((rule) => {
    if (kafkaTopicUnreadable(rule, req)) {
      return [`Kafka rule ${describeKafkaRule(rule)} of ${describeItem(e.item)} never matches a ${kafkaApiKeyName(req.apiKey)} request: `
        + 'Cilium\'s Kafka parser does not read the topics of that API key, and a rule with a topic refuses such requests'];
    }
    const unknown = kafkaRuleUnknowns(rule, req);
    if (unknown.length === 0) return [];
    return [`the Kafka request does not give its ${unknown.join(' and ')}, which Kafka rule ${describeKafkaRule(rule)} of ${describeItem(e.item)} `
      + `depends on: it is judged not to match (denied unless known); give ${unknown.map((u) => words[u]).join(' ')} in the request to decide it`];
  }));
}

/**
 * When the request's method is not in upper case and only its case keeps every rule from matching: a note saying so.
 * Envoy matches `:method` case-sensitively (RFC 9110), so the proxy refuses `get` where a rule says `GET`.
 */
function httpMethodCaseNotes(entries: readonly L7Entry[], req: HttpRequest): string[] {
  const upper = req.method.toUpperCase();
  if (upper === req.method) return [];
  const asUpper: HttpRequest = { ...req, method: upper };
  const tls = terminatesTls(entries);
  const rule = entries.flatMap((e) => e.pr?.rules?.http ?? []).find((r) => httpRuleMatches(r, asUpper, tls));
  if (rule === undefined) return [];
  return [`HTTP methods are case-sensitive: the request's method "${req.method}" is not "${upper}", which rule ${describeHttpRule(rule)} `
    + `would allow (Envoy matches :method as sent; write the method in upper case to check ${upper})`];
}

function describeL7Request(kind: string, q: SideQuery): string {
  if (kind === 'http' && q.http) return `${q.http.method} ${q.http.path}`;
  if (kind === 'dns') return `query ${q.dns}`;
  if (kind === 'kafka' && q.kafka) {
    const k = q.kafka;
    return `${k.apiKey}${k.topic ? ` topic ${k.topic}` : ''}${k.apiVersion !== undefined ? ` version ${k.apiVersion}` : ''}${k.clientID !== undefined ? ` client ${k.clientID}` : ''}`;
  }
  return 'the request';
}

function dedupe(notes: string[]): string[] {
  const n = notes.length;
  if (n <= 1) return notes;
  if (n > 16) return [...new Set(notes)];
  // Few notes (most sides): compared pairwise, and the same list back when none repeats.
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (notes[i] === notes[j]) return [...new Set(notes)];
    }
  }
  return notes;
}

/**
 * The matching allow item past whose L7 rules allow-localhost lets the local host, if any (all the matching items have L7
 * rules when this decides). Cilium gives the host selector, with no L7 rules, to an ingress filter (one per port entry as
 * written: `parserFilters`) where a selector with L7 rules selects the host and the host selector itself is not there
 * (`namesHostSelector`), and the proxy ORs the rules of every filter holding the port (port-specific, range, named port):
 * - 1.14-1.18 do it per rule item, before the filters of a port are merged (pkg/policy/l4.go `createL4IngressFilter`:
 *   `cacheIdentitySelector(host)` adds it only when the item's own filter lacks it), so one matching item that selects the
 *   host without naming it is enough, even beside an item that names it on the same port: merging the host's empty entry
 *   with that item's L7 rules widens them with a wildcard (rule.go `mergePortProto`);
 * - 1.19 does it per merged filter (`L4Filter.attach`), so a filter none of whose items names the host is enough.
 */
function hostPastL7(matches: readonly { item: CompiledItem; l4: L4Match }[], query: L4Query, ports: readonly NamedPort[],
  version: CiliumVersion): CompiledItem | undefined {
  if (!version.atLeast(CiliumVersion.V1_19)) return matches.find((m) => !namesHostSelector(m.item.peer))?.item;
  const filters = new Map<string, { named: boolean; item: CompiledItem }>();
  for (const { item, l4 } of matches) {
    const named = namesHostSelector(item.peer);
    for (const pr of l4.portRules) {
      for (const p of pr.ports) {
        if (!portMatches(p, query, ports)) continue;
        for (const f of parserFilters('ingress', p)) {
          if (f.protocol !== query.protocol) continue;
          const known = filters.get(f.key);
          if (known === undefined) filters.set(f.key, { named, item });
          else if (named) filters.set(f.key, { named, item: known.item });
        }
      }
    }
  }
  for (const f of filters.values()) if (!f.named) return f.item;
  return undefined;
}

/** Whether a peer's selectors include the host selector itself (`reserved:host`), as `host` and `cluster` entities do. */
function namesHostSelector(peer: PeerSpec): boolean {
  if (peer.kind === 'entities') return peer.entities.includes('host') || peer.entities.includes('cluster');
  if (peer.kind === 'endpoints') {
    return peer.selectors.some((sel) => sel.requirements.length === 1
      && sel.requirements.every((r) => r.source === 'reserved' && r.key === 'host' && r.operator === 'In' && r.values.length === 1 && r.values[0] === ''));
  }
  return false;
}
