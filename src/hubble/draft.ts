/**
 * Draft: least-privilege policies from observed traffic. The connections the cluster let through become one
 * CiliumNetworkPolicy per workload, in one plan (`Draft.plan`) from which both outputs are made, so they agree:
 * - the policies as the model (rendered as the constructs render them: `model/rule-items.ts`, `model/companion-rules.ts`),
 *   added to an app in-process (`Draft.apply`) and synthesized to YAML (`Draft.renderYaml`);
 * - readable TypeScript that makes the same policies with the constructs (`Draft.renderTypeScript`).
 * The Hubble layer never imports a construct class: the generated TypeScript names them, and the tests check that it
 * synthesizes what `Draft.apply` builds.
 * Workloads are pods grouped by their stable labels: hash and index labels are dropped (`pod-template-hash`,
 * `controller-revision-hash`, `statefulset.kubernetes.io/pod-name`, …) and the identifying ones kept
 * (`app.kubernetes.io/name` with `instance` and `component`, else `app` with `component`/`tier`/`role`, else `k8s-app`,
 * else `name`, else every stable label). Stable labels are the pods' Kubernetes labels, keyed as Cilium reads them back
 * (`k8s:reserved.example.com/tier`); labels of other sources (`container:`, `cni:`) are left out, and a policy says when
 * they tell apart the pods a selector stands for. A selector that would also select the pods of another workload of the capture
 * (they carry all its labels) gets a `DoesNotExist` on a key those pods carry and its own never do (`SeenWorkloads`), so
 * no workload gets another's allows. Each workload's policy admits what reached it (plus `host`, for
 * probes) and lets it reach what it reached (plus DNS through the DNS proxy, which `toFQDNs` needs); world addresses
 * become `toFQDNs` rules when the capture names them (`destination_names`, DNS answers), else a /32 (/128) CIDR.
 * Rules seen in a single transport connection are marked "seen once" for review. Rules are L3/L4, but a port on which
 * the cluster's L7 proxy refused an HTTP request gets, at the side that refused it, HTTP rules for the requests seen
 * passing (an L3/L4 allow would let the refused ones through).
 *
 * A pod whose identity the capture does not give (an end that names a pod but carries a reserved identity or none, and
 * that no other record resolves) is never drafted as a CIDR or as the `world` entity, which could never match a pod (or
 * would allow far too much): its connections are left out and listed in the comments of the policies they concern. An
 * address the capture shows as a pod's is never drafted as a CIDR either.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumPolicyError } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { unmappedText } from '../model/cidr';
import { dnsCompanionGrant, hostProbesGrant, kubeDnsSelector } from '../model/companion-rules';
import { emitRule } from '../model/emit';
import { PolicyApiObject } from '../model/policy-api-object';
import { bindSynthSessions, inSynthSession } from '../model/synth-session';
import { trimRuns } from '../model/trim-runs';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { clusterNameError, k8sObjectLabelKey, splitLabelKey } from '../model/labels';
import { nearestName } from '../model/edit-distance';
import { addressShapedDnsName, capturedDnsName, dnsLengthProblem, isDnsName, isLookupName } from '../model/fqdn-pattern';
import { icmpTypeIsWildcard } from '../model/icmp-types';
import { IcmpFieldModel, LabelSelectorModel, PeerField, PolicyDocumentModel, PolicyKind, PortProtocolModel, RuleItemModel, RuleModel } from '../model/policy-model';
import { RuleGrantModel, RuleItemMerger, grantItems } from '../model/rule-items';
import { withoutControls } from '../model/printable';
import { CLUSTER_KEY, NAMESPACE_LABEL } from '../model/selectors';
import { CiliumAppValidation } from '../validate/validate-app';
import { FlowCapture, ObservedConnection, observedFlowing, replyLookupsOnly, unreadInput, unreadInputFix } from './connections';
import { HttpRequest } from '../engine/l7';
import { envoyRegexSizeProblem } from '../model/envoy-regex';
import { escapeRegex } from '../model/regex-escape';
import { yamlQuotingGoNumbers } from '../model/unquoted-numbers';
import { FlowPeer, FlowPeerKind } from './flow';
import { TrafficDirection } from '../engine/verdict';
import { INFRASTRUCTURE_NAMESPACES, namespaceLeftOutNote, platformNamespaceNote } from './draft-namespaces';
import { replyLookupsLeftOutNote } from './draft-reply-lookups';

/** Options of `Draft.plan`. */
export interface DraftOptions {
  /**
   * Draft policies only for workloads in these namespaces (their peers may be anywhere). An empty list is refused
   * (`draft-namespaces-empty`), and so is a namespace with no pod in the capture (`draft-namespace-not-in-capture`), or
   * with no pod in the part of it read when records were left over the connection limit or lines skipped as malformed
   * (`draft-namespace-not-read`, naming them).
   * @default - every namespace with pods in the capture
   */
  readonly namespaces?: string[];
  /**
   * The target Cilium version, written into the output (`CiliumVersion.use`).
   * @default - none written (the SDK's default, 1.19)
   */
  readonly ciliumVersion?: CiliumVersion;
  /**
   * The local cluster name: pods of other clusters are selected with their cluster label.
   * @default - the capture's cluster (`FlowCapture.clusterName`), else 'default'
   */
  readonly clusterName?: string;
  /**
   * Above this many addresses without DNS names per workload and direction, the addresses are replaced by the `world`
   * entity on the union of their ports (an ingress controller sees the whole internet).
   * @default 8
   */
  readonly maxCidrPeers?: number;
  /**
   * Draft policies for the pods of `kube-system` too. By default they are left out (`DraftPlan.namespacesLeftOut`): every
   * pod reaches them (kube-dns, CoreDNS), and a policy drafted from a capture that shows a few of their peers puts them into
   * default deny for all the others (a kube-dns policy admitting only the lookups seen drops every other pod's DNS). Their
   * peers' rules towards them (the DNS companion) are drafted either way. Naming `kube-system` in `namespaces` drafts it too.
   * @default false
   */
  readonly includeKubeSystem?: boolean;
}

/**
 * The options of `DraftOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const DRAFT_OPTION_DEFAULTS: OptionDefaults = {
  namespaces: 'every namespace with pods in the capture',
  ciliumVersion: "none written (the SDK's default, 1.19)",
  clusterName: "the capture's cluster, else 'default'",
  maxCidrPeers: '8',
  includeKubeSystem: 'false',
};

/** A namespace whose pods the capture shows but the draft writes no policy for (`DraftPlan.namespacesLeftOut`). */
export interface DraftNamespaceLeftOut {
  /** The namespace: `kube-system`. */
  readonly namespace: string;
  /** Connections the cluster let through with a pod of this namespace at an end. */
  readonly connections: number;
  /** Their flow records. */
  readonly flows: number;
}

/** The options of `DraftTypeScriptOptions` with their defaults (`option-unknown`). */
export const DRAFT_TYPESCRIPT_OPTION_DEFAULTS: OptionDefaults = {
  importFrom: "'cdk8s-cilium'",
};

/** What the peer of a drafted rule is. */
export enum DraftPeerKind {
  /** Pods (`Peer.endpoints()`). */
  ENDPOINTS = 'endpoints',
  /** An entity (`Peer.entity()`). */
  ENTITY = 'entity',
  /** A DNS name (`Peer.fqdn()`). */
  FQDN = 'fqdn',
  /** An address (`Peer.cidr()`). */
  CIDR = 'cidr',
}

/** The peer of a drafted rule. */
export interface DraftPeer {
  /** `endpoints`, `entity`, `fqdn` or `cidr`. */
  readonly kind: DraftPeerKind;
  /**
   * Endpoints: the namespace.
   * @default - none
   */
  readonly namespace?: string;
  /**
   * Endpoints: the pod labels selected.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Endpoints: label keys the selected pods must not have (`DoesNotExist`), sorted. Other workloads the capture shows in
   * the namespace carry every label of `labels` and one of these keys: without them the peer would select those too.
   * @default - none
   */
  readonly absent?: string[];
  /**
   * Entity: its name (`host`, `remote-node`, `kube-apiserver`, …).
   * @default - none
   */
  readonly entity?: string;
  /**
   * FQDN: the DNS name.
   * @default - none
   */
  readonly name?: string;
  /**
   * CIDR: the address as a /32 or /128.
   * @default - none
   */
  readonly cidr?: string;
  /** A short description: `endpoints shop {app=web}`, `entity host`, `fqdn api.example.com`, `cidr 203.0.113.7/32`. */
  readonly text: string;
}

/** A port of a drafted rule. */
export interface DraftPort {
  /** `TCP`, `UDP`, `SCTP` or `ICMP`. */
  readonly protocol: string;
  /**
   * The port (TCP, UDP, SCTP).
   * @default - none
   */
  readonly port?: number;
  /**
   * The ICMP type.
   * @default - none
   */
  readonly icmpType?: number;
  /**
   * The ICMP family (`IPv4`, `IPv6`).
   * @default - none
   */
  readonly icmpFamily?: string;
  /** Records behind it. */
  readonly flows: number;
  /** Whether it was seen in a single transport connection. */
  readonly seenOnce: boolean;
  /**
   * The HTTP requests (method and path, matched literally) the port is drafted for, when the cluster's L7 proxy refused
   * other requests to the peer on it: an L3/L4 allow would let those through.
   * @default - every request (L3/L4)
   */
  readonly http?: HttpRequest[];
  /** `8080/TCP`, `icmp/8`. */
  readonly text: string;
}

/** One drafted allow rule: a peer and its ports. */
export interface DraftRule {
  /** `ingress` or `egress`. */
  readonly direction: TrafficDirection;
  /** The peer. */
  readonly peer: DraftPeer;
  /** The ports, sorted. */
  readonly ports: DraftPort[];
  /** Records behind it. */
  readonly flows: number;
  /** L7 requests seen (at most 5), for review. */
  readonly requests: string[];
}

/** The drafted policy of one workload. */
export interface DraftPolicy {
  /** The namespace. */
  readonly namespace: string;
  /** `metadata.name` and construct id. */
  readonly name: string;
  /** The endpoint selector's labels. */
  readonly selector: { readonly [key: string]: string };
  /**
   * Label keys the selected pods must not have (`DoesNotExist`), sorted. Other workloads the capture shows in the
   * namespace carry every label of `selector` and one of these keys: without them the policy would select those too and
   * give them this workload's allows.
   * @default - none
   */
  readonly absent?: string[];
  /** Pod names seen (at most 8). */
  readonly podNames: string[];
  /** Ingress rules (besides `host`, for probes, always added). */
  readonly ingress: DraftRule[];
  /** Egress rules. */
  readonly egress: DraftRule[];
  /** Whether DNS through the DNS proxy is added (whenever the workload has egress). */
  readonly dns: boolean;
  /**
   * The names the DNS companion lets the workload look up, when the cluster's DNS proxy refused it others: the names of
   * its `toFQDNs` peers and of its lookups seen passing (every one; a name no DNS rule can write is left out, and
   * `notDrafted` says so), sorted (`Builtins.allowDns` with `DnsRule.exact`). Never every name then.
   * @default - every name (no lookup of the workload refused)
   */
  readonly dnsNames?: string[];
  /** Records behind the policy. */
  readonly flows: number;
  /**
   * Connections of this workload not drafted because the peer's identity is unknown (at most 20), and what the drafted
   * rules allow beyond what the capture shows (a selector standing for pods that labels of other sources, `container:`
   * or `cni:`, tell apart), for review: `egress to pod-name:bookinfo/productpage-v1-6b746f74dc-ffh56 on 9080/TCP`.
   */
  readonly notDrafted: string[];
}

/** A draft: policies per workload, with where they come from. */
export interface DraftPlan {
  /** The capture's name. */
  readonly source: string;
  /** Flow records in the capture. */
  readonly flows: number;
  /** Connections the cluster let through, which the draft allows. */
  readonly connections: number;
  /** Connections left out because the cluster did not let them through. */
  readonly leftOut: number;
  /** Connections the cluster let through but left out because an end's identity is unknown (see `DraftPolicy.notDrafted`). */
  readonly identityUnknown: number;
  /**
   * Connections the cluster let through but left out as replies: every record a reply-type packet (a SYN-ACK, an ICMP echo
   * reply or error) one side looked up in policy as new (`ObservedConnection.replyLookups`). The rule of the request they
   * answer allows them; a rule of their own would allow the client's port or a reply type as a new connection.
   */
  readonly replyLookupsLeftOut: number;
  /** The namespaces with policies, sorted. */
  readonly namespaces: string[];
  /** The policies, by namespace and name. */
  readonly policies: DraftPolicy[];
  /**
   * Namespaces of cluster infrastructure (`kube-system`) whose pods the capture shows and for which no policy is drafted
   * (`DraftOptions.includeKubeSystem`), sorted: their peers' rules towards them are drafted.
   */
  readonly namespacesLeftOut: DraftNamespaceLeftOut[];
  /**
   * The target Cilium version written into the output.
   * @default - none
   */
  readonly ciliumVersion?: string;
}

/** Options of `Draft.renderTypeScript`. */
export interface DraftTypeScriptOptions {
  /**
   * The module the SDK is imported from. An empty name, one with spaces around it or with a control character is refused
   * (`draft-import-from`): the drafted module would not compile.
   * @default 'cdk8s-cilium'
   */
  readonly importFrom?: string;
}

/**
 * Least-privilege policies drafted from observed traffic (`cdk8s-cilium draft`): `plan` decides what each workload's
 * CiliumNetworkPolicy allows; `apply` adds the policies to a cdk8s app, `renderYaml` writes them as YAML, and
 * `renderTypeScript` as a cdk8s module making the same policies with the constructs. All three come from one plan, so
 * they agree.
 */
export class Draft {
  /**
   * Plans the draft from a capture (`Connections.collect`): what each workload's policy allows.
   * @param capture the connections
   * @param options the namespaces drafted, the target Cilium version, the cluster name, the CIDR limit
   */
  public static plan(capture: FlowCapture, options: DraftOptions = {}): DraftPlan {
    checkOptionKeys(options, DRAFT_OPTION_DEFAULTS, {
      call: 'Draft.plan()', risk: 'so the draft would cover other namespaces, or allow other peers, than asked',
    });
    return planDraft(capture, options);
  }

  /**
   * Adds the drafted policies under `scope` (an App or any construct): one chart per namespace (id and namespace = the
   * namespace), one CiliumNetworkPolicy per workload.
   * @param plan the plan
   * @param scope where the charts are added
   * @returns the charts
   */
  public static apply(plan: DraftPlan, scope: Construct): Chart[] {
    return applyDraftPlan(plan, scope);
  }

  /**
   * The drafted policies as YAML, validated for the target version; each document is preceded by comments on where it
   * comes from and what was seen only once.
   * @param plan the plan
   * @throws CiliumPolicyError if a drafted policy does not validate (a bug: report it)
   */
  public static renderYaml(plan: DraftPlan): string {
    return renderDraftYaml(plan);
  }

  /**
   * The drafted policies as a TypeScript module for a cdk8s app: `addDraftedPolicies(scope)`, runnable as a program.
   * @param plan the plan
   * @param options the module the SDK is imported from
   */
  public static renderTypeScript(plan: DraftPlan, options: DraftTypeScriptOptions = {}): string {
    checkOptionKeys(options, DRAFT_TYPESCRIPT_OPTION_DEFAULTS, { call: 'Draft.renderTypeScript()', risk: 'so the module would import the SDK from elsewhere' });
    return renderDraftTypeScript(plan, options);
  }

  private constructor() {}
}

/** Labels that differ between pods of one workload or between revisions of it. */
const NOISE_LABELS = new Set([
  'pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'pod-template-generation', 'apps.kubernetes.io/pod-index',
  'controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name', 'app.kubernetes.io/version', 'helm.sh/chart',
  'version', 'service.istio.io/canonical-revision',
]);

/** Identifying label groups, in order of preference: the first key anchors the group. */
const IDENTIFYING: readonly (readonly string[])[] = [
  ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component'],
  ['app', 'component', 'tier', 'role'],
  ['k8s-app'],
  ['name'],
];

const ENTITY_MEMBERS: Readonly<Record<string, string>> = {
  'host': 'HOST', 'remote-node': 'REMOTE_NODE', 'kube-apiserver': 'KUBE_APISERVER', 'health': 'HEALTH', 'ingress': 'INGRESS', 'init': 'INIT',
  'unmanaged': 'UNMANAGED', 'world': 'WORLD',
};

/**
 * The stable labels of a pod (noise dropped, other label sources dropped) reduced to the identifying ones: the selector
 * of its workload.
 */
export function draftSelector(labels: Readonly<Record<string, string>>): Record<string, string> {
  const stable = Object.entries(stableLabels(labels));
  const map = new Map(stable);
  for (const group of IDENTIFYING) {
    if (!map.has(group[0])) continue;
    return Object.fromEntries(group.filter((k) => map.has(k)).map((k) => [k, map.get(k) as string]));
  }
  return Object.fromEntries(stable.sort(([a], [b]) => compare(a, b)));
}

/**
 * The labels of a pod that a drafted selector may use: its Kubernetes labels (the `k8s` source: keys without one, as the flow
 * reader hands them on, and keys written with `k8s:`), keyed as Cilium reads them back (`k8sObjectLabelKey`: `app`, and
 * `k8s:reserved.example.com/tier`, which without its source would read as `reserved:example.com/tier`), noise dropped.
 * Labels of other sources (`container:`, `cni:`) are left out: `foreignLabels`.
 */
function stableLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    const { source, key } = splitLabelKey(k, 'k8s');
    if (source === 'k8s' && !NOISE_LABELS.has(key)) out[k8sObjectLabelKey(key)] = v;
  }
  return out;
}

/** The labels of a pod of sources other than `k8s` (`container:`, `cni:`), which drafted selectors leave out, as `source:key=value`, sorted. */
function foreignLabels(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).filter(([k]) => splitLabelKey(k, 'k8s').source !== 'k8s').map(([k, v]) => `${k}=${v}`).sort(compare);
}

/** The distinct stable label sets of the pods of one cluster and namespace, with their workload, indexed by label (`k=v`). */
interface SeenScope {
  readonly sets: Map<string, { readonly workload: string; readonly labels: Record<string, string> }>;
  readonly byLabel: Map<string, string[]>;
}

/** The pods of one workload (one drafted selector) that the capture shows in a namespace. */
interface SeenWorkload {
  /** The drafted selector (`draftSelector`), its keys in the order of preference. */
  readonly selector: Readonly<Record<string, string>>;
  /** The keys any of its pods carries (stable labels). */
  readonly keys: Set<string>;
  /** The distinct sets of labels of other sources its pods carry (`foreignLabels`, as JSON). */
  readonly foreign: Set<string>;
}

/**
 * The workloads the capture shows, per cluster and namespace: a drafted selector (`{app: web}`) also selects the pods of
 * another workload that carry all of its labels (`{app: web, component: worker}`), and an empty one (pods without stable
 * labels) every pod of the namespace. `absentKeys` names, per such workload, one key its pods carry and the selector's
 * own pods never do: a `DoesNotExist` on it keeps the selector to its own pods, as far as the capture shows them.
 */
class SeenWorkloads {
  /** Per scope (cluster and namespace): the distinct stable label sets, with their workload, indexed by label. */
  private readonly scopes = new Map<string, SeenScope>();
  private readonly workloads = new Map<string, SeenWorkload>();
  private readonly memo = new Map<string, string[]>();

  public constructor(private readonly clusterName: string) {}

  /** Records a pod end of a connection. */
  public add(p: FlowPeer): void {
    if (p.kind !== FlowPeerKind.POD) return;
    const labels = stableLabels(p.labels ?? {});
    const scope = this.scopeOf(p);
    const workload = this.workloadKey(p);
    let w = this.workloads.get(workload);
    if (!w) {
      w = { selector: draftSelector(p.labels ?? {}), keys: new Set(), foreign: new Set() };
      this.workloads.set(workload, w);
    }
    for (const k of Object.keys(labels)) w.keys.add(k);
    w.foreign.add(JSON.stringify(foreignLabels(p.labels ?? {})));
    let s = this.scopes.get(scope);
    if (!s) {
      s = { sets: new Map(), byLabel: new Map() };
      this.scopes.set(scope, s);
    }
    const setKey = JSON.stringify(Object.entries(labels).sort(([a], [b]) => compare(a, b)));
    if (s.sets.has(setKey)) return;
    s.sets.set(setKey, { workload, labels });
    for (const [k, v] of Object.entries(labels)) {
      const at = `${k}=${v}`;
      const list = s.byLabel.get(at);
      if (list) list.push(setKey);
      else s.byLabel.set(at, [setKey]);
    }
  }

  /** The keys that keep the drafted selector of pod `p`'s workload from selecting the other workloads of its namespace, sorted. */
  public absentKeys(p: FlowPeer): string[] {
    const workload = this.workloadKey(p);
    const known = this.memo.get(workload);
    if (known) return known;
    const own = this.workloads.get(workload);
    const s = this.scopes.get(this.scopeOf(p));
    const out = new Set<string>();
    if (own && s) {
      // The label sets that carry every label of the selector: those of its rarest label, or every set for an empty one.
      const pairs = Object.entries(own.selector).map(([k, v]) => s.byLabel.get(`${k}=${v}`) ?? []);
      const candidates = pairs.length === 0 ? [...s.sets.keys()] : pairs.reduce((a, b) => (b.length < a.length ? b : a));
      for (const setKey of candidates) {
        const set = s.sets.get(setKey);
        if (!set || set.workload === workload) continue;
        const { labels } = set;
        if (!Object.entries(own.selector).every(([k, v]) => labels[k] === v)) continue;
        if (Object.keys(labels).some((k) => out.has(k))) continue;
        const other = this.workloads.get(set.workload)?.selector ?? {};
        const order = [...Object.keys(other), ...Object.keys(labels).sort(compare)];
        const key = order.find((k) => k in labels && !own.keys.has(k));
        if (key !== undefined) out.add(key);
      }
    }
    const sorted = [...out].sort(compare);
    this.memo.set(workload, sorted);
    return sorted;
  }

  /**
   * The labels of other sources (`container:`, `cni:`) that tell apart pods the drafted selector of pod `p`'s workload
   * selects alike (some carry them, others not, or other values), sorted; empty when its pods carry the same ones. The
   * selector leaves such labels out, so its rules stand for all of them.
   */
  public foreignDifferences(p: FlowPeer): string[] {
    const sets = [...(this.workloads.get(this.workloadKey(p))?.foreign ?? [])].map((j) => JSON.parse(j) as string[]);
    if (sets.length < 2) return [];
    const all = new Set(sets.flat());
    return [...all].filter((l) => !sets.every((set) => set.includes(l))).sort(compare);
  }

  private scopeOf(p: FlowPeer): string {
    const cluster = p.cluster === undefined || p.cluster === this.clusterName ? '' : p.cluster;
    return `${cluster}\n${p.namespace ?? 'default'}`;
  }

  private workloadKey(p: FlowPeer): string {
    return `${this.scopeOf(p)}\n${JSON.stringify(Object.entries(draftSelector(p.labels ?? {})).sort(([a], [b]) => compare(a, b)))}`;
  }
}

interface PortAcc {
  protocol: string;
  port?: number;
  icmpType?: number;
  icmpFamily?: string;
  flows: number;
  once: boolean;
  transports: Set<string>;
  text: string;
  /** HTTP requests seen passing, by `method path`. */
  requests: Map<string, HttpRequest>;
  /** Whether the cluster's L7 proxy refused an HTTP request to the peer on this port, at this side. */
  refused: boolean;
  /** The refused HTTP requests, as `method path`. */
  refusedRequests: Set<string>;
  /** Whether it refused a Kafka request there (never drafted: Kafka rules are deprecated, and gone in 1.20). */
  kafkaRefused: boolean;
}

interface RuleAcc {
  direction: TrafficDirection;
  peer: DraftPeer;
  ports: Map<string, PortAcc>;
  flows: number;
  requests: string[];
}

interface PolicyAcc {
  namespace: string;
  selector: Record<string, string>;
  absent: string[];
  podNames: string[];
  ingress: Map<string, RuleAcc>;
  egress: Map<string, RuleAcc>;
  flows: number;
  dns: boolean;
  /** DNS names of the lookups seen passing to kube-dns. */
  dnsNames: Set<string>;
  /** Whether the cluster's DNS proxy refused a lookup of the workload. */
  dnsRefused: boolean;
  notDrafted: string[];
}

const MAX_NOT_DRAFTED = 20;
/** The most HTTP requests drafted as L7 rules on one port; beyond, the port stays L3/L4 (and its comment says why). */
const MAX_HTTP_RULES = 64;

/**
 * The DNS companion of a policy: whether it has one (whenever the workload has egress or looked names up), and, when the
 * cluster's DNS proxy refused a lookup of the workload, its `dnsNames`: the names of its `toFQDNs` peers (they are looked
 * up first) and of the lookups seen passing. Never every name then: that would allow again the lookup the cluster refused.
 * A name past DNS's lengths is left out without a word (`dnsLengthProblem`: no query carries it; miekg/dns answers FORMERR
 * before the proxy judges one), a name no DNS rule can write (`isDnsName`) is left out and said in `notDrafted`. Every
 * other name seen passing is listed, however many: left out, its lookups (which the cluster let through) would be refused
 * after apply. With no name left the draft is refused (`draft-dns-no-names`): every name would allow the
 * refused lookups again, and no companion would drop the DNS traffic the cluster let through.
 * @throws CiliumPolicyError (`draft-dns-no-names`)
 * A lookup of an address's text (`203.0.113.7`) is a name like any other here: the proxy compares the query name as text
 * (`DnsRule.exact` takes it).
 */
function companion(p: PolicyAcc, policy: string): { dns: boolean; dnsNames?: string[] } {
  const dns = p.egress.size > 0 || p.dns;
  if (!dns || !p.dnsRefused) return { dns };
  const peers = new Set<string>();
  for (const r of p.egress.values()) if (r.peer.kind === DraftPeerKind.FQDN && r.peer.name !== undefined) peers.add(r.peer.name);
  const seen = [...new Set([...p.dnsNames].map(capturedDnsName))].filter((n) => !peers.has(n)).sort(compare);
  const unwritable = seen.filter((n) => dnsLengthProblem(n) === undefined && !isDnsName(n));
  const kept = [...peers, ...seen.filter(isLookupName)].sort(compare);
  const listed = (names: string[]): string => `${names.slice(0, 3).map((n) => JSON.stringify(withoutControls(n.length > 80 ? `${n.slice(0, 77)}...` : n))).join(', ')}`
    + `${names.length > 3 ? `, and ${names.length - 3} more` : ''}`;
  const only = 'the cluster refused other lookups, so the companion allows the names it lists only';
  if (unwritable.length > 0) {
    p.notDrafted.push(`DNS lookups of ${listed(unwritable)}, seen passing: no DNS rule can name ${unwritable.length === 1 ? 'it' : 'them'} (letters, digits, `
      + `"-" and "_" in dotted labels), so the DNS companion does not allow ${unwritable.length === 1 ? 'it' : 'them'} (${only}): `
      + 'write a rule by hand if the workload needs them');
  }
  if (kept.length === 0) {
    throw new CiliumPolicyError({
      id: 'draft-dns-no-names',
      message: `${withoutControls(policy)}: the cluster's DNS proxy refused lookups of the workload, and no lookup a DNS rule can name was seen passing `
        + `(${unwritable.length > 0 ? `only ${listed(unwritable)}` : 'none'}): a DNS companion of every name would allow the refused lookups again, `
        + 'and none would drop the DNS traffic the cluster let through',
      fix: 'capture while the workload looks up the names it needs, or leave its namespace out (--namespace) and write its DNS rules by hand',
    });
  }
  return { dns: true, dnsNames: kept };
}

/**
 * Whether a port is drafted with HTTP rules: the cluster refused requests on it, and the ones seen passing fit (at most
 * `MAX_HTTP_RULES`, each method and path a regex Envoy takes: `envoyRegexSizeProblem`, which `HttpRule.of` refuses).
 */
function httpDrafted(p: PortAcc): boolean {
  return p.refused && p.requests.size > 0 && p.requests.size <= MAX_HTTP_RULES && tooLargeRequest(p) === undefined;
}

/** The first request seen passing on the port whose method or path, written as a regex, Envoy may refuse for its size. */
function tooLargeRequest(p: PortAcc): HttpRequest | undefined {
  for (const q of p.requests.values()) {
    const rule = httpRuleModel(q);
    if (envoyRegexSizeProblem('method', rule.method) !== undefined || envoyRegexSizeProblem('path', rule.path) !== undefined) return q;
  }
  return undefined;
}

/**
 * A namespace asked for that has no pod in the capture (`--namespace shpo`) drafts nothing for it: refused with the
 * namespaces the capture holds, where an empty draft looked like a namespace without traffic. When not all of the
 * capture was read (records over the connection limit, malformed lines skipped, a read that ended early) its pods may be
 * in what was not read: refused as `draft-namespace-not-read`, naming what was not read and how to read it.
 */
function refuseNamespacesNotInCapture(capture: FlowCapture, asked: readonly string[]): void {
  const held = new Set<string>();
  for (const c of capture.connections) {
    for (const end of [c.source, c.destination]) {
      if ((end.kind === 'pod' || end.kind === 'unknown') && end.namespace !== undefined) held.add(end.namespace);
    }
  }
  const missing = [...new Set(asked)].filter((ns) => !held.has(ns));
  if (missing.length === 0) return;
  const known = [...held].sort(compare);
  const shown = (ns: string): string => withoutControls(ns.length > 63 ? `${ns.slice(0, 63)}...` : ns);
  const meant = missing.map((ns) => nearestName(ns, known)).filter((ns): ns is string => ns !== undefined);
  const notRead = unreadInput(capture);
  if (notRead !== undefined) {
    const firstBad = capture.input.malformed[0];
    throw new CiliumPolicyError({
      id: 'draft-namespace-not-read',
      message: `the namespace${missing.length === 1 ? '' : 's'} to draft ${missing.map(shown).join(', ')} ${missing.length === 1 ? 'has' : 'have'} `
        + `no pod in the part of the capture read (its namespaces: ${known.length > 0 ? known.slice(0, 20).join(', ') : 'none'}`
        + `${known.length > 20 ? `, and ${known.length - 20} more` : ''}), but not all of the capture was read (${notRead}`
        + `${firstBad !== undefined ? `; line ${firstBad.line}: ${withoutControls(firstBad.reason)}` : ''}): `
        + `${missing.length === 1 ? 'its' : 'their'} pods may be in the rest`,
      fix: `${meant.length > 0 ? `did you mean ${meant.join(', ')}? if not, ` : ''}${unreadInputFix(capture) || 'read the whole capture'}, then draft again`,
    });
  }
  throw new CiliumPolicyError({
    id: 'draft-namespace-not-in-capture',
    message: `the namespace${missing.length === 1 ? '' : 's'} to draft ${missing.map(shown).join(', ')} ${missing.length === 1 ? 'has' : 'have'} `
      + `no pod in the capture, so nothing would be drafted for ${missing.length === 1 ? 'it' : 'them'} `
      + `(the capture's namespaces: ${known.length > 0 ? known.slice(0, 20).join(', ') : 'none'}`
      + `${known.length > 20 ? `, and ${known.length - 20} more` : ''})`,
    fix: `${meant.length > 0 ? `did you mean ${meant.join(', ')}? ` : ''}name namespaces whose pods the capture shows, `
      + 'or capture while their workloads run (hubble observe --namespace <ns> -o jsonpb)',
  });
}

/** Plans the draft from a capture: what each workload's policy allows. */
export function planDraft(capture: FlowCapture, options: DraftOptions = {}): DraftPlan {
  const clusterName = options.clusterName ?? capture.clusterName ?? 'default';
  const badCluster = clusterNameError(clusterName, options.clusterName !== undefined ? undefined
    : `the capture's cluster ${clusterName} (of its observing nodes), which`);
  if (badCluster) throw badCluster;
  if (options.namespaces !== undefined && options.namespaces.length === 0) {
    // An empty list drafted every namespace: more than a caller that meant to list some asked for.
    throw new CiliumPolicyError({
      id: 'draft-namespaces-empty',
      message: 'Draft.plan namespaces is an empty list',
      fix: 'list the namespaces to draft, or leave namespaces out for every namespace of the capture',
    });
  }
  if (options.namespaces !== undefined) refuseNamespacesNotInCapture(capture, options.namespaces);
  // kube-system is drafted only when asked for: a policy selecting kube-dns puts it into default deny at ingress for every
  // pod the capture did not show (Cilium pkg/policy/repository.go, computePolicyEnforcementAndRules), a cluster-wide outage.
  const infrastructureLeftOut = (ns: string): boolean => INFRASTRUCTURE_NAMESPACES.includes(ns) && options.includeKubeSystem !== true
    && !(options.namespaces ?? []).includes(ns);
  const asked = (ns: string): boolean => options.namespaces === undefined || options.namespaces.includes(ns);
  const leftOutNamespaces = new Map<string, { connections: number; flows: number }>();
  // The pods a policy is drafted for: those of the namespaces drafted, in the local cluster. A policy selects the endpoints
  // of the cluster it is applied to only, and its selector has no cluster label: drafted for a pod of another cluster (seen
  // reaching a local pod through the cluster mesh), it gave that pod's allows to the local pods of its labels.
  const local = (end: FlowPeer): boolean => end.kind === 'pod' && (end.cluster === undefined || end.cluster === clusterName)
    && asked(end.namespace ?? 'default');
  const drafted = (end: FlowPeer): boolean => local(end) && !infrastructureLeftOut(end.namespace ?? 'default');
  const seen = new SeenWorkloads(clusterName);
  for (const c of capture.connections) {
    seen.add(c.source);
    seen.add(c.destination);
  }
  const policies = new Map<string, PolicyAcc>();
  const policyKey = (peer: FlowPeer): string => `${peer.namespace ?? 'default'}\n${JSON.stringify(Object.entries(draftSelector(peer.labels ?? {}))
    .sort(([a], [b]) => compare(a, b)))}`;
  const policyOf = (peer: FlowPeer): PolicyAcc => {
    const selector = draftSelector(peer.labels ?? {});
    const ns = peer.namespace ?? 'default';
    const key = policyKey(peer);
    let p = policies.get(key);
    if (!p) {
      p = {
        namespace: ns, selector, absent: seen.absentKeys(peer), podNames: [],
        ingress: new Map(), egress: new Map(), flows: 0, dns: false, dnsNames: new Set(), dnsRefused: false, notDrafted: [],
      };
      policies.set(key, p);
      foreignNote(p, `endpoint selector ${selectorText(selector, p.absent)}`, peer);
    }
    for (const n of peer.podNames) if (p.podNames.length < 8 && !p.podNames.includes(n)) p.podNames.push(n);
    return p;
  };
  const podAddresses = new Set(capture.podAddresses);
  let used = 0;
  let leftOut = 0;
  let replyLookups = 0;
  let unknown = 0;
  const note = (p: PolicyAcc, text: string): void => {
    if (p.notDrafted.length < MAX_NOT_DRAFTED && !p.notDrafted.includes(text)) p.notDrafted.push(text);
  };
  // A selector that leaves out the labels of other sources telling its pods apart stands for all of them: said, for review.
  function foreignNote(p: PolicyAcc, what: string, end: FlowPeer): void {
    const differ = seen.foreignDifferences(end);
    if (differ.length === 0) return;
    const shown = `${differ.slice(0, 4).map((l) => withoutControls(l.slice(0, 80))).join(', ')}${differ.length > 4 ? `, and ${differ.length - 4} more` : ''}`;
    note(p, `${what}: stands for pods that differ by labels of other sources (${shown}), which drafted selectors leave out `
      + '(they select by Kubernetes labels): each of them gets what the capture shows for any');
  }
  const refusals: ObservedConnection[] = [];
  for (const c of capture.connections) {
    if ((c.http || c.kafka) && (c.cluster.egress.l7Denied > 0 || c.cluster.ingress.l7Denied > 0)) refusals.push(c);
    if (!observedFlowing(c)) {
      leftOut++;
      continue;
    }
    // Reply-type packets (a SYN-ACK, an echo reply, an ICMP error) a side looked up as new because its conntrack lacked the
    // request: the request's rule covers them once conntrack holds it. A rule drafted for them would allow an ephemeral
    // port or a reply type as a new connection: not drafted, as the capture's other replies are not.
    if (replyLookupsOnly(c)) {
      replyLookups++;
      continue;
    }
    used++;
    const leftOutHere = new Set([c.source, c.destination].filter((e) => local(e) && !drafted(e)).map((e) => e.namespace ?? 'default'));
    for (const ns of leftOutHere) {
      const n = leftOutNamespaces.get(ns) ?? { connections: 0, flows: 0 };
      leftOutNamespaces.set(ns, { connections: n.connections + 1, flows: n.flows + c.flows });
    }
    const src = drafted(c.source) ? policyOf(c.source) : undefined;
    const dst = drafted(c.destination) ? policyOf(c.destination) : undefined;
    const port = portText(c);
    if (c.source.kind === 'unknown' || c.destination.kind === 'unknown') unknown++;
    const wildcard = icmpWildcard(c);
    if (src) {
      src.flows += c.flows;
      if (wildcard) note(src, `egress to ${peerText(c.destination)} on ${port}: ${wildcard}`);
      else if (c.destination.kind === 'unknown') note(src, `egress to ${unknownText(c.destination)} on ${port}: identity unknown`);
      else if (isPodAddress(c.destination, podAddresses)) note(src, `egress to ${c.destination.ip ?? ''} on ${port}: a pod's address with a world identity`);
      else if (coveredByDnsCompanion(c)) {
        src.dns = true;
        if (c.dns !== undefined) src.dnsNames.add(c.dns);
      }
      else {
        for (const peer of egressPeers(c, capture, clusterName, seen)) {
          addRule(src.egress, TrafficDirection.EGRESS, peer, c);
          if (c.destination.kind === 'pod') foreignNote(src, `egress to ${peer.text}`, c.destination);
        }
      }
    }
    if (dst) {
      if (dst !== src) dst.flows += c.flows;
      if (wildcard) {
        note(dst, `ingress from ${peerText(c.source)} on ${port}: ${wildcard}`);
      } else if (c.source.kind === 'unknown') {
        note(dst, `ingress from ${unknownText(c.source)} on ${port}: identity unknown`);
      } else if (isPodAddress(c.source, podAddresses)) {
        note(dst, `ingress from ${c.source.ip ?? ''} on ${port}: a pod's address with a world identity`);
      } else {
        const peer = ingressPeer(c.source, clusterName, seen);
        if (peer) addRule(dst.ingress, TrafficDirection.INGRESS, peer, c);
        if (peer && c.source.kind === 'pod') foreignNote(dst, `ingress from ${peer.text}`, c.source);
      }
    }
  }
  // A port on which the cluster's L7 proxy refused a request is drafted for the requests seen passing on it (at the side
  // that refused): an L3/L4 allow would let the refused ones through.
  for (const c of capture.connections) {
    // A lookup the cluster's DNS proxy refused: the companion must not allow every name.
    if (c.dns !== undefined && c.cluster.egress.l7Denied > 0 && drafted(c.source) && coveredByDnsCompanion(c)) {
      const p = policies.get(policyKey(c.source));
      if (p) p.dnsRefused = true;
    }
  }
  for (const c of refusals) {
    const text = portText(c);
    const mark = (rules: Map<string, RuleAcc>, peers: DraftPeer[]): void => {
      for (const peer of peers) {
        const port = rules.get(peer.text)?.ports.get(text);
        if (port && c.http) {
          port.refused = true;
          port.refusedRequests.add(`${c.http.method} ${c.http.path}`);
        }
        if (port && c.kafka) port.kafkaRefused = true;
      }
    };
    const known = (e: FlowPeer): boolean => e.kind !== 'unknown' && !isPodAddress(e, podAddresses);
    if (c.cluster.egress.l7Denied > 0 && drafted(c.source) && known(c.destination) && !coveredByDnsCompanion(c)) {
      const p = policies.get(policyKey(c.source));
      if (p) mark(p.egress, egressPeers(c, capture, clusterName, seen));
    }
    if (c.cluster.ingress.l7Denied > 0 && drafted(c.destination) && known(c.source)) {
      const peer = ingressPeer(c.source, clusterName, seen);
      const p = policies.get(policyKey(c.destination));
      if (peer && p) mark(p.ingress, [peer]);
    }
  }
  const out: DraftPolicy[] = [];
  const names = new Map<string, Set<string>>();
  const sorted = [...policies.values()].sort((a, b) => compare(a.namespace, b.namespace)
    || compare(policyBaseName(a.selector), policyBaseName(b.selector))
    || compare(JSON.stringify(a.selector), JSON.stringify(b.selector)));
  for (const p of sorted) {
    const taken = names.get(p.namespace) ?? new Set<string>();
    names.set(p.namespace, taken);
    const base = policyBaseName(p.selector);
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
    taken.add(name);
    const maxCidr = options.maxCidrPeers ?? 8;
    for (const r of [...p.ingress.values(), ...p.egress.values()]) {
      for (const port of r.ports.values()) {
        if (port.kafkaRefused) {
          note(p, `${r.direction} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.peer.text} on ${port.text}: L3/L4 only, though the cluster `
            + 'refused Kafka requests there (the draft writes no Kafka rules): write its L7 rules by hand');
        }
        const same = [...port.refusedRequests].filter((q) => port.requests.has(q));
        if (httpDrafted(port) && same.length > 0) {
          note(p, `${r.direction} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.peer.text} on ${port.text}: the cluster refused some `
            + `${same.slice(0, 3).join(', ')} requests (their host or headers differ) and let others through; the drafted method and path allow both`);
        }
        if (!port.refused || httpDrafted(port)) continue;
        const large = port.requests.size <= MAX_HTTP_RULES ? tooLargeRequest(port) : undefined;
        const why = port.requests.size === 0 ? 'no HTTP request was seen passing'
          : large !== undefined ? `the request ${withoutControls(`${large.method} ${large.path}`.slice(0, 80))}, written as a regex, is too large for Envoy`
            : `more than ${MAX_HTTP_RULES} distinct requests passed`;
        note(p, `${r.direction} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.peer.text} on ${port.text}: L3/L4 only, though the cluster `
          + `refused HTTP requests there (${why}): write its L7 rules by hand`);
      }
    }
    out.push({
      namespace: p.namespace,
      name,
      selector: p.selector,
      ...(p.absent.length > 0 ? { absent: p.absent } : {}),
      podNames: [...p.podNames].sort(),
      ingress: finishRules(aggregateCidrs(p.ingress, TrafficDirection.INGRESS, maxCidr)),
      egress: finishRules(aggregateCidrs(p.egress, TrafficDirection.EGRESS, maxCidr)),
      ...companion(p, `${p.namespace}/${name}`),
      flows: p.flows,
      notDrafted: [...p.notDrafted].sort(),
    });
  }
  return {
    source: capture.input.source,
    flows: capture.input.flows,
    connections: used,
    leftOut,
    identityUnknown: unknown,
    replyLookupsLeftOut: replyLookups,
    namespaces: [...new Set(out.map((p) => p.namespace))].sort(),
    policies: out,
    namespacesLeftOut: [...leftOutNamespaces].sort(([a], [b]) => compare(a, b)).map(([namespace, n]) => ({ namespace, ...n })),
    ...(options.ciliumVersion !== undefined ? { ciliumVersion: options.ciliumVersion.release } : {}),
  };
}

function portText(c: ObservedConnection): string {
  return c.protocol === 'ICMP' ? `${c.icmpFamily === 'IPv6' ? 'icmpv6' : 'icmp'}/${c.icmpType ?? 0}` : `${c.port}/${c.protocol}`;
}

/**
 * Why an ICMP connection of type 0 (an IPv4 echo reply the capture does not mark as a reply) is not drafted: Cilium reads
 * a rule for type 0 as every ICMP type of the family (`icmpTypeCovers`, cilium/cilium#41304). `undefined` for any other.
 */
function icmpWildcard(c: ObservedConnection): string | undefined {
  if (c.protocol !== 'ICMP' || !icmpTypeIsWildcard(c.icmpType ?? 0)) return undefined;
  const icmp = c.icmpFamily === 'IPv6' ? 'ICMPv6' : 'ICMPv4';
  return `a rule for ICMP type 0 would open every ${icmp} type (Cilium reads type 0 as the wildcard, cilium/cilium#41304)`;
}

/** A flow end as the notes name it: its pod, entity or address. */
function peerText(p: FlowPeer): string {
  if (p.kind === 'unknown') return unknownText(p);
  if (p.kind === 'entity') return `entity ${p.entity ?? 'world'}`;
  if (p.kind === 'pod') return `pod ${p.namespace ?? 'default'}/${p.podNames[0] ?? Object.entries(p.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}`;
  return p.ip ?? 'an unknown address';
}

function unknownText(p: FlowPeer): string {
  return p.key.startsWith('u:#') ? `identity ${p.key.slice(3)}` : `pod ${p.key.slice(2)}`;
}

/**
 * A world end whose address the capture shows as a pod's: never drafted as a CIDR (a CIDR rule never matches a pod). An
 * IPv4-mapped address is the pod's IPv4 one (`unmappedText`, as the capture keys them).
 */
function isPodAddress(p: FlowPeer, podAddresses: ReadonlySet<string>): boolean {
  return p.kind === FlowPeerKind.WORLD && p.ip !== undefined && podAddresses.has(unmappedText(p.ip));
}

/** DNS to kube-dns on 53/UDP or 53/TCP: what `allowDns` allows. */
function coveredByDnsCompanion(c: ObservedConnection): boolean {
  const d = c.destination;
  return d.kind === 'pod' && d.namespace === 'kube-system' && d.labels?.['k8s-app'] === 'kube-dns' && c.port === 53
    && (c.protocol === 'UDP' || c.protocol === 'TCP');
}

function egressPeers(c: ObservedConnection, capture: FlowCapture, clusterName: string, seen: SeenWorkloads): DraftPeer[] {
  const d = c.destination;
  if (d.kind === 'pod') return [endpointsPeer(d, clusterName, seen)];
  if (d.kind === 'entity') return [entityPeer(d.entity ?? 'world')];
  const ip = d.ip ?? '';
  // `destination_names` are the names the source itself looked up for the address (Hubble's parser asks the source
  // endpoint's DNS cache, `GetNamesOf(srcEpID, ip)`): when they name it, the capture's other answers for the address
  // (another pod's lookups) are no names this workload was seen to use.
  const own = draftableNames(c.destinationNames);
  const names = own.length > 0 ? own : draftableNames(capture.dnsAnswers[ip] ?? []);
  if (names.length > 0) return names.sort().map((name) => ({ kind: DraftPeerKind.FQDN, name, text: `fqdn ${name}` }));
  return [cidrPeer(ip)];
}

/**
 * The names of a list that a `toFQDNs` rule may take: lower case, no trailing dot, valid, not in the cluster, not an address
 * (`fqdn-ip-address`: the destination is then drafted by its address), distinct.
 */
function draftableNames(list: readonly string[]): string[] {
  return list.map(capturedDnsName)
    .filter((n, i, all) => isLookupName(n) && !addressShapedDnsName(n) && !n.endsWith('.') && !n.endsWith('.cluster.local')
      && all.indexOf(n) === i);
}

function ingressPeer(s: FlowPeer, clusterName: string, seen: SeenWorkloads): DraftPeer | undefined {
  if (s.kind === 'pod') return endpointsPeer(s, clusterName, seen);
  if (s.kind === 'entity') {
    // the host is always admitted (allowHostProbes).
    if (s.entity === 'host') return undefined;
    return entityPeer(s.entity ?? 'world');
  }
  return cidrPeer(s.ip ?? '');
}

function endpointsPeer(p: FlowPeer, clusterName: string, seen: SeenWorkloads): DraftPeer {
  const labels = draftSelector(p.labels ?? {});
  if (p.cluster !== undefined && p.cluster !== clusterName) labels[CLUSTER_KEY] = p.cluster;
  const ns = p.namespace ?? 'default';
  const absent = seen.absentKeys(p);
  return {
    kind: DraftPeerKind.ENDPOINTS, namespace: ns, labels, ...(absent.length > 0 ? { absent } : {}),
    text: `endpoints ${ns} ${selectorText(labels, absent)}`,
  };
}

/** `{app=web, !component}`: the labels, then the keys that must be absent. */
function selectorText(labels: Readonly<Record<string, string>>, absent: readonly string[]): string {
  return `{${[...Object.entries(labels).map(([k, v]) => `${k}=${v}`), ...absent.map((k) => `!${k}`)].join(', ')}}`;
}

/** A drafted selector as the model writes it: its labels, then `DoesNotExist` for each absent key. */
function draftSelectorModel(labels: Readonly<Record<string, string>>, absent: readonly string[] | undefined): LabelSelectorModel {
  return {
    ...(Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {}),
    ...((absent ?? []).length > 0 ? { matchExpressions: (absent ?? []).map((key) => ({ key, operator: 'DoesNotExist' })) } : {}),
  };
}

function entityPeer(entity: string): DraftPeer {
  return { kind: DraftPeerKind.ENTITY, entity, text: `entity ${entity}` };
}

function cidrPeer(written: string): DraftPeer {
  // An IPv4-mapped address is the IPv4 address on the wire; its own /128 would select nothing (`pitfall-cidr-ipv4-mapped`).
  const ip = unmappedText(written);
  const cidr = `${ip}/${ip.includes(':') ? 128 : 32}`;
  return { kind: DraftPeerKind.CIDR, cidr, text: `cidr ${cidr}` };
}

function addRule(rules: Map<string, RuleAcc>, direction: TrafficDirection, peer: DraftPeer, c: ObservedConnection): void {
  let r = rules.get(peer.text);
  if (!r) {
    r = { direction, peer, ports: new Map(), flows: 0, requests: [] };
    rules.set(peer.text, r);
  }
  r.flows += c.flows;
  const text = portText(c);
  let p = r.ports.get(text);
  if (!p) {
    p = {
      protocol: c.protocol,
      ...(c.protocol === 'ICMP' ? { icmpType: c.icmpType ?? 0, icmpFamily: c.icmpFamily ?? 'IPv4' } : { port: c.port }),
      flows: 0,
      once: true,
      transports: new Set(),
      text,
      requests: new Map(),
      refused: false,
      refusedRequests: new Set(),
      kafkaRefused: false,
    };
    r.ports.set(text, p);
  }
  p.flows += c.flows;
  p.once = p.once && c.seenOnce;
  p.transports.add(c.firstSource);
  if (c.http && p.requests.size <= MAX_HTTP_RULES) p.requests.set(`${c.http.method} ${c.http.path}`, { method: c.http.method, path: c.http.path });
  const request = c.http ? `${c.http.method} ${c.http.path}` : c.dns !== undefined ? `dns ${c.dns}` : c.kafka ? `kafka ${c.kafka.apiKey} ${c.kafka.topic ?? ''}`.trim() : '';
  if (request !== '' && r.requests.length < 5 && !r.requests.includes(request)) r.requests.push(request);
}

/** More than `max` CIDR peers become one `world` entity peer with the union of their ports. */
function aggregateCidrs(rules: Map<string, RuleAcc>, direction: TrafficDirection, max: number): Map<string, RuleAcc> {
  const cidrs = [...rules.values()].filter((r) => r.peer.kind === 'cidr');
  if (cidrs.length <= max) return rules;
  const world: RuleAcc = {
    direction,
    peer: { kind: DraftPeerKind.ENTITY, entity: 'world', text: `entity world (${cidrs.length} addresses)` },
    ports: new Map(),
    flows: 0,
    requests: [],
  };
  for (const r of cidrs) {
    world.flows += r.flows;
    for (const [key, port] of r.ports) {
      const into = world.ports.get(key);
      if (!into) {
        world.ports.set(key, {
          ...port, transports: new Set(port.transports), requests: new Map(port.requests), refusedRequests: new Set(port.refusedRequests),
        });
      } else {
        into.flows += port.flows;
        into.once = into.once && port.once;
        for (const t of port.transports) into.transports.add(t);
        for (const [k, q] of port.requests) into.requests.set(k, q);
        into.refused ||= port.refused;
        for (const q of port.refusedRequests) into.refusedRequests.add(q);
        into.kafkaRefused ||= port.kafkaRefused;
      }
    }
    for (const q of r.requests) if (world.requests.length < 5 && !world.requests.includes(q)) world.requests.push(q);
  }
  const out = new Map([...rules].filter(([, r]) => r.peer.kind !== 'cidr'));
  const existing = out.get('entity world');
  if (existing) {
    existing.flows += world.flows;
    for (const [key, port] of world.ports) {
      const into = existing.ports.get(key);
      if (!into) {
        existing.ports.set(key, port);
      } else {
        for (const [k, q] of port.requests) into.requests.set(k, q);
        into.refused ||= port.refused;
        for (const q of port.refusedRequests) into.refusedRequests.add(q);
        into.kafkaRefused ||= port.kafkaRefused;
      }
    }
  } else {
    out.set(world.peer.text, world);
  }
  return out;
}

const PEER_ORDER: Record<DraftPeer['kind'], number> = { endpoints: 0, entity: 1, fqdn: 2, cidr: 3 };
const PROTOCOL_ORDER: Record<string, number> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3 };

function finishRules(rules: Map<string, RuleAcc>): DraftRule[] {
  return [...rules.values()]
    .sort((a, b) => PEER_ORDER[a.peer.kind] - PEER_ORDER[b.peer.kind] || compare(a.peer.text, b.peer.text))
    .map((r) => ({
      direction: r.direction,
      peer: r.peer,
      ports: [...r.ports.values()]
        .sort((a, b) => (PROTOCOL_ORDER[a.protocol] ?? 9) - (PROTOCOL_ORDER[b.protocol] ?? 9) || (a.icmpFamily ?? '').localeCompare(b.icmpFamily ?? '')
          || (a.port ?? a.icmpType ?? 0) - (b.port ?? b.icmpType ?? 0))
        .map((p) => ({
          protocol: p.protocol,
          ...(p.port !== undefined ? { port: p.port } : {}),
          ...(p.icmpType !== undefined ? { icmpType: p.icmpType, icmpFamily: p.icmpFamily } : {}),
          flows: p.flows,
          seenOnce: p.once && p.transports.size === 1,
          ...(httpDrafted(p) ? { http: [...p.requests.values()].sort((a, b) => compare(a.method, b.method) || compare(a.path, b.path)) } : {}),
          text: p.text,
        })),
      flows: r.flows,
      requests: [...r.requests].sort(),
    }));
}

/** `metadata.name` from the selector's values: `ingress-nginx-controller`, `frontend`, `kube-dns`. */
function policyBaseName(selector: Readonly<Record<string, string>>): string {
  const order = IDENTIFYING.flat();
  const rank = (k: string): number => (order.indexOf(k) < 0 ? 99 : order.indexOf(k));
  const keys = Object.keys(selector).sort((a, b) => rank(a) - rank(b) || compare(a, b));
  const values: string[] = [];
  for (const k of keys) {
    const v = selector[k].toLowerCase();
    if (v !== '' && !values.includes(v)) values.push(v);
  }
  // Without the dashes at its ends, in one pass each (`trimRuns`), before and after the cut to 63 characters.
  const dash = (c: number): boolean => c === 0x2d;
  const name = trimRuns(trimRuns(values.join('-').replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-'), dash).slice(0, 63), dash, 'end');
  return name === '' ? 'all-pods' : /^[a-z0-9]/.test(name) ? name : `w-${name}`.slice(0, 63);
}

// ---------------------------------------------------------------------------------------------------------------------
// The policies, as the model

/**
 * The policy of a drafted workload, as the model: the rules the TypeScript of `renderDraftTypeScript` makes with the
 * constructs (`allowHostProbes`, one `allowIngress`/`allowEgress` per rule, `allowDns`), rendered the same way.
 */
export function draftPolicyModel(p: DraftPolicy): PolicyDocumentModel {
  const section = (grants: RuleGrantModel[]): RuleItemModel[] => {
    const merger = new RuleItemMerger();
    for (const grant of grants) for (const item of grantItems(grant)) merger.add(item);
    return merger.items;
  };
  const egress = [...p.egress.flatMap(ruleGrants), ...(p.dns ? [companionGrant(p)] : [])];
  const spec: RuleModel = {
    description: description(p),
    endpointSelector: draftSelectorModel(p.selector, p.absent),
    ingress: section([hostProbesGrant(), ...p.ingress.flatMap(ruleGrants)]),
    ...(egress.length > 0 ? { egress: section(egress) } : {}),
  };
  return { kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: p.name, namespace: p.namespace }, spec };
}

/** The DNS companion of a drafted policy: every name, or its `dnsNames` (`Builtins.allowDns` with `DnsRule.exact`). */
function companionGrant(p: DraftPolicy): RuleGrantModel {
  const grant = dnsCompanionGrant();
  return p.dnsNames === undefined ? grant : { ...grant, rules: { dns: p.dnsNames.map((matchName) => ({ matchName })) } };
}

/**
 * A drafted rule as grants of the model: what its `allowIngress(peer, { ports })`/`allowEgress(peer, { ports })` calls add
 * (`ruleCalls`): one for the ports without HTTP rules, one per port with them.
 */
function ruleGrants(r: DraftRule): RuleGrantModel[] {
  return ruleCalls(r).map((ports) => {
    const l4: PortProtocolModel[] = [];
    const icmps: IcmpFieldModel[] = [];
    for (const p of ports) {
      if (p.protocol === 'ICMP') icmps.push({ family: p.icmpFamily === 'IPv6' ? 'IPv6' : 'IPv4', type: p.icmpType ?? 0 });
      else l4.push({ port: String(p.port ?? 0), protocol: p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP' });
    }
    const http = ports[0].http;
    return { ...peerGrant(r.peer), ports: l4, icmps, ...(http ? { rules: { http: http.map(httpRuleModel) } } : {}) };
  });
}

/** The port lists of a drafted rule's calls: the ports without HTTP rules together, each port with them alone. */
function ruleCalls(r: DraftRule): DraftPort[][] {
  const plain = r.ports.filter((p) => p.http === undefined);
  return [...(plain.length > 0 ? [plain] : []), ...r.ports.filter((p) => p.http !== undefined).map((p) => [p])];
}

/** A request seen passing as the HTTP rule that matches it alone: method and path (with the query) literally. */
function httpRuleModel(q: HttpRequest): { method: string; path: string } {
  return { method: escapeRegex(q.method), path: escapeRegex(q.path) };
}

/** The peer fields of a drafted peer: `Peer.endpoints()`/`kubeDns()`, `entity()`, `fqdn()`, `cidr()`. */
function peerGrant(p: DraftPeer): Pick<RuleGrantModel, 'field' | 'peerItem'> {
  switch (p.kind) {
    case DraftPeerKind.ENDPOINTS:
      return {
        field: PeerField.ENDPOINTS,
        peerItem: { endpoints: [isKubeDns(p) ? kubeDnsSelector() : draftSelectorModel({ ...p.labels, [NAMESPACE_LABEL]: p.namespace ?? 'default' }, p.absent)] },
      };
    case DraftPeerKind.ENTITY:
      return { field: PeerField.ENTITIES, peerItem: { entities: [p.entity ?? 'world'] } };
    case DraftPeerKind.FQDN:
      return { field: PeerField.FQDNS, peerItem: { fqdns: [{ matchName: p.name ?? '' }] } };
    case DraftPeerKind.CIDR:
      return { field: PeerField.CIDR, peerItem: { cidr: [p.cidr ?? ''] } };
  }
}

function isKubeDns(p: DraftPeer): boolean {
  const keys = Object.keys(p.labels ?? {});
  return p.namespace === 'kube-system' && keys.length === 1 && p.labels?.['k8s-app'] === 'kube-dns' && (p.absent ?? []).length === 0;
}

function description(p: DraftPolicy): string {
  return `Drafted from ${p.flows} Hubble flow record${p.flows === 1 ? '' : 's'}`;
}

/**
 * Adds the drafted policies under `scope` (an App or any construct): one chart per namespace (id and namespace = the
 * namespace), one CiliumNetworkPolicy object per workload, validated with the app (`CiliumAppValidation`). The
 * TypeScript of `renderDraftTypeScript` makes the same policies with the constructs.
 * @returns the charts
 */
export function applyDraftPlan(plan: DraftPlan, scope: Construct): Chart[] {
  if (plan.ciliumVersion !== undefined) CiliumVersion.use(scope, CiliumVersion.parse(plan.ciliumVersion));
  CiliumAppValidation.ensure(scope);
  const charts: Chart[] = [];
  for (const ns of plan.namespaces) {
    const chart = new Chart(scope, ns, { namespace: ns });
    charts.push(chart);
    for (const p of plan.policies.filter((x) => x.namespace === ns)) {
      // Written as the constructs write a policy (the version annotation last); a pod label `constructor` that cdk8s's
      // own rendering would drop with the rest of its selector is written as seen.
      const model = draftPolicyModel(p);
      const spec = model.spec as RuleModel;
      new PolicyApiObject(chart, p.name, {
        kind: model.kind, metadata: { ...model.metadata }, clusterScoped: false,
        ruleCount: () => 1, emitRules: (options) => [emitRule(spec, options)],
      });
    }
  }
  return charts;
}

/**
 * The drafted policies as YAML: the policies built in-process, validated for the target version, synthesized. Each
 * document is preceded by comments on where it comes from and what was seen only once.
 * @throws CiliumPolicyError if a drafted policy does not validate (a bug: report it)
 */
export function renderDraftYaml(plan: DraftPlan): string {
  const app = new App();
  const charts = applyDraftPlan(plan, app);
  // One synthesis session, as `Synth.run` has: each chart's validation validates the whole app, and each chart's `toJson`
  // (cdk8s's `App._synthChart`) prepares and validates the whole app, once in it (outside one, afresh per chart: a draft
  // of n namespaces cost n² — 200 took 48 s, 1,000 over 15 minutes).
  bindSynthSessions(...charts);
  return inSynthSession(app, () => {
    const errors = app.node.findAll().flatMap((c) => c.node.validate().map((m) => `[${c.node.path}] ${m}`));
    if (errors.length > 0) {
      throw new CiliumPolicyError({ id: 'hubble-draft-invalid', message: `the drafted policies do not validate:\n${errors.join('\n')}`, fix: 'report this as a bug' });
    }
    const byName = new Map(plan.policies.map((x) => [`${x.namespace}/${x.name}`, x]));
    const out: string[] = [headerLines(plan).map((l) => `# ${oneLine(l)}`.trimEnd()).join('\n')];
    for (const chart of charts) {
      for (const doc of chart.toJson() as { metadata?: { name?: string; namespace?: string } }[]) {
        const p = byName.get(`${doc.metadata?.namespace}/${doc.metadata?.name}`);
        const comments = p ? policyComment(p, YAML_EGRESS_HINT).map((l) => `# ${oneLine(l)}`.trimEnd()).join('\n') : '';
        // As cdk8s writes it, with the strings Go would read as numbers quoted (a flow's label `app=0o17`).
        out.push(`---\n${comments ? `${comments}\n` : ''}${yamlQuotingGoNumbers(doc).trimEnd()}`);
      }
    }
    return `${out.join('\n')}\n`;
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// TypeScript

/** The drafted policies as a TypeScript module for a cdk8s app: `addDraftedPolicies(scope)`, runnable as a program. */
export function renderDraftTypeScript(plan: DraftPlan, options: DraftTypeScriptOptions = {}): string {
  const from = options.importFrom ?? 'cdk8s-cilium';
  // `--import-from "$SDK"` with SDK unset: the module would import the SDK from '' and not compile (TS2307).
  if (from.trim() === '' || from !== from.trim() || withoutControls(from) !== from) {
    throw new CiliumPolicyError({
      id: 'draft-import-from',
      message: `importFrom (--import-from) ${JSON.stringify(from)} is no module name: the drafted module would import the SDK from it and not compile`,
      fix: 'give the module the SDK is installed as (cdk8s-cilium, the default) or a path to it (../lib), without spaces around it; or leave it out',
    });
  }
  const sdk = new Set<string>(['Synth']);
  const body: string[] = [];
  const idents = new Set<string>(['charts', 'scope', 'app']);
  const ident = (base: string): string => {
    let name = base;
    for (let i = 2; idents.has(name); i++) name = `${base}${i}`;
    idents.add(name);
    return name;
  };
  if (plan.ciliumVersion !== undefined) {
    sdk.add('CiliumVersion');
    body.push(`  CiliumVersion.use(scope, ${CiliumVersion.parse(plan.ciliumVersion)._sourceText});`);
  }
  body.push('  const charts: Chart[] = [];');
  for (const ns of plan.namespaces) {
    const chartVar = ident(`${camel(ns)}Chart`);
    body.push('');
    body.push(`  // Namespace ${ns}`);
    body.push(`  const ${chartVar} = new Chart(scope, ${str(ns)}, { namespace: ${str(ns)} });`);
    body.push(`  charts.push(${chartVar});`);
    for (const p of plan.policies.filter((x) => x.namespace === ns)) {
      const v = ident(`${camel(p.name)}Policy`);
      sdk.add('CiliumPolicy').add('EndpointSelector').add('Builtins');
      body.push('');
      for (const line of policyComment(p, { allowDns: `Builtins.allowDns(${v}.rule)`, isolate: `${v}.isolateEgress()` })) body.push(`  // ${oneLine(line)}`.trimEnd());
      const selector = selectorSource(p.selector, p.absent, sdk);
      body.push(`  const ${v} = new CiliumPolicy(${chartVar}, ${str(p.name)}, {`);
      body.push(`    endpointSelector: ${selector},`);
      body.push(`    description: ${str(description(p))},`);
      body.push('  });');
      body.push(`  Builtins.allowHostProbes(${v}.rule); // kubelet probes from the local node`);
      for (const r of [...p.ingress, ...p.egress]) {
        const call = r.direction === 'ingress' ? 'allowIngress' : 'allowEgress';
        for (const ports of ruleCalls(r)) {
          const http = ports[0].http;
          if (http) sdk.add('L7').add('HttpRule');
          const l7 = http ? `, l7: L7.http(${http.map((q) => `HttpRule.of({ method: ${str(httpRuleModel(q).method)}, path: ${str(httpRuleModel(q).path)} })`).join(', ')})` : '';
          body.push(`  ${v}.${call}(${peerSource(r.peer, sdk)}, { ports: [${ports.map((x) => portSource(x, sdk)).join(', ')}]${l7} }); // ${ruleComment(r)}`);
        }
      }
      if (p.dns) {
        if (p.dnsNames !== undefined) {
          sdk.add('DnsRule');
          body.push(`  Builtins.allowDns(${v}.rule, { dnsRules: [${p.dnsNames.map((n) => `DnsRule.exact(${str(n)})`).join(', ')}] }); `
            + '// DNS lookups of these names only (the cluster refused others) through Cilium\'s DNS proxy');
        } else {
          body.push(`  Builtins.allowDns(${v}.rule); // DNS lookups of any name through Cilium's DNS proxy (toFQDNs learns addresses from them)`);
        }
      }
    }
  }
  body.push('');
  body.push('  return charts;');
  const imports = [...sdk].sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()) || compare(a, b));
  const lines = [
    ...headerLines(plan).map((l) => `// ${oneLine(l)}`.trimEnd()),
    "import { Chart } from 'cdk8s';",
    "import { Construct } from 'constructs';",
    `import { ${imports.join(', ')} } from ${str(from)};`,
    '',
    '/** Adds the drafted policies under `scope` (an App or any construct), one chart per namespace, and returns the charts. */',
    'export function addDraftedPolicies(scope: Construct): Chart[] {',
    ...body,
    '}',
    '',
    '// Run as a cdk8s app (`app: npx tsx <this file>` in cdk8s.yaml) to synthesize the charts into dist/.',
    "if (typeof require !== 'undefined' && require.main === module) {",
    '  Synth.run({',
    '    addCharts: (app) => {',
    '      addDraftedPolicies(app);',
    '    },',
    '  });',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

function headerLines(plan: DraftPlan): string[] {
  return [
    `Drafted by \`cdk8s-cilium draft\` from ${plan.source}:`,
    `${plan.flows} flow record${plan.flows === 1 ? '' : 's'}, ${plan.connections} connection${plan.connections === 1 ? '' : 's'} the cluster let through`
      + `${plan.leftOut > 0 ? ` (${plan.leftOut} dropped connection${plan.leftOut === 1 ? '' : 's'} left out)` : ''}.`,
    ...(plan.identityUnknown > 0 ? [`${plan.identityUnknown} of them name a pod whose identity the capture does not give: not drafted (see "not drafted" below);`,
      'capture longer, or with the pods\' own records, to draft them, or write those rules by hand.'] : []),
    ...(plan.replyLookupsLeftOut > 0 ? [`${capitalized(replyLookupsLeftOutNote(plan.replyLookupsLeftOut))}.`] : []),
    'One CiliumNetworkPolicy per workload, allowing exactly the traffic the capture shows, plus probes from the host (kubelet)',
    'and, for a workload with egress, DNS. Review every rule before applying: a capture misses what did not happen while it ran, and',
    'whatever did happen is allowed here, wanted or not. Rules marked "seen once" come from a single connection.',
    // The namespaces left out, and those of platform add-ons drafted: said where the policies are read, not only on stderr.
    ...[...plan.namespacesLeftOut.map(namespaceLeftOutNote), ...plan.namespaces.flatMap((ns) => platformNamespaceNote(ns) ?? [])]
      .map((note) => `${capitalized(note)}.`),
  ];
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * How the output at hand puts a policy's pods into egress default deny: `allowDns` allows DNS to kube-dns and, being an
 * egress rule, denies the rest; `isolate` denies all of it, DNS too, which `validate` reports as
 * `pitfall-default-deny-without-dns` (an error: right only for pods that look up no names).
 */
interface EgressHint {
  readonly allowDns: string;
  readonly isolate: string;
}

/** The egress hint of the YAML output: the DNS companion's egress item as written (`Builtins.allowDns`), in flow style. */
const YAML_EGRESS_HINT: EgressHint = {
  allowDns: '`egress: [{toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}], '
    + 'toPorts: [{ports: [{port: "53", protocol: UDP}, {port: "53", protocol: TCP}], rules: {dns: [{matchPattern: "*"}]}}]}]` to its spec',
  isolate: '`egress: [{}]`',
};

/**
 * The comment lines above a drafted policy.
 * @param egressHint how the output at hand denies the policy's egress (`Builtins.allowDns(backendPolicy.rule)` or
 *   `backendPolicy.isolateEgress()` in TypeScript, the DNS egress item or `egress: [{}]` in YAML)
 */
function policyComment(p: DraftPolicy, egressHint: EgressHint): string[] {
  const pods = p.podNames.length > 0 ? `; pods ${p.podNames.join(', ')}` : '';
  const out = [`${p.namespace}/${p.name}: ${p.flows} records${pods}`];
  const once = [...p.ingress, ...p.egress].flatMap((r) => r.ports.filter((x) => x.seenOnce)
    .map((x) => `${r.direction} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.peer.text} on ${x.text}`));
  if (once.length > 0) out.push(`seen once: ${once.join('; ')}`);
  if (Object.keys(p.selector).length === 0) {
    out.push(`broad: these pods have no labels to select them by alone, so the policy selects every pod of ${p.namespace}`
      + `${(p.absent ?? []).length > 0 ? ` that lacks the labels ${(p.absent ?? []).join(', ')}` : ''} (and gives each of them these allows): label the workload and draft again`);
  } else if ((p.absent ?? []).length > 0) {
    out.push(`narrowed: the selector requires the labels ${(p.absent ?? []).join(', ')} to be absent, which other workloads of ${p.namespace} `
      + 'that carry its labels have (the capture shows them)');
  }
  for (const r of [...p.ingress, ...p.egress]) {
    if (r.peer.kind !== DraftPeerKind.ENDPOINTS || Object.keys(r.peer.labels ?? {}).some((k) => k !== CLUSTER_KEY)) continue;
    out.push(`broad: ${r.direction} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.peer.text} stands for every pod of ${r.peer.namespace ?? 'default'}`
      + `${(r.peer.absent ?? []).length > 0 ? ` that lacks those labels` : ''}: the pods it saw have no labels to select them by alone`);
  }
  if (p.egress.length === 0 && !p.dns) {
    const why = p.notDrafted.some((n) => n.startsWith('egress')) ? 'no egress drafted (its peers\' identity is unknown)' : 'no egress seen';
    if (p.namespace === 'kube-system' && p.selector['k8s-app'] === 'kube-dns') {
      // The cluster DNS itself: DNS to itself only would cut it off from its upstream resolvers and the API server.
      out.push(`${why}: egress stays open; keep it so unless you allow by hand what the cluster DNS pods reach (upstream resolvers, `
        + 'the API server, which the capture does not show): denied, every lookup of the cluster fails');
    } else {
      // Not `egress: [{}]` alone: without DNS every lookup fails, and validate fails (pitfall-default-deny-without-dns).
      out.push(`${why}: egress stays open; to deny it, add ${egressHint.allowDns}: DNS to kube-dns, and nothing else`);
      out.push(`(${egressHint.isolate} denies DNS too: validate's error pitfall-default-deny-without-dns, right only if these pods look up no names)`);
    }
  }
  for (const n of p.notDrafted) out.push(`not drafted: ${n}`);
  return out;
}

/** A comment line that stays one line whatever the capture holds (names come from the flow log). */
function oneLine(text: string): string {
  // Line breaks as spaces; the other control characters (a terminal's escape sequences) as U+FFFD, as every text output.
  return withoutControls(text.replace(/[\r\n\u2028\u2029]/g, ' '));
}

function ruleComment(r: DraftRule): string {
  const parts = [`${r.flows} record${r.flows === 1 ? '' : 's'}`];
  const once = r.ports.filter((p) => p.seenOnce);
  if (once.length > 0) parts.push(once.length === r.ports.length ? 'seen once' : `seen once: ${once.map((p) => p.text).join(', ')}`);
  if (r.requests.length > 0) parts.push(`requests: ${r.requests.join(', ')}`);
  return oneLine(parts.join('; '));
}

function peerSource(p: DraftPeer, sdk: Set<string>): string {
  sdk.add('Peer');
  switch (p.kind) {
    case DraftPeerKind.ENDPOINTS:
      if (isKubeDns(p)) return 'Peer.kubeDns()';
      if ((p.absent ?? []).length > 0) {
        const labels = Object.keys(p.labels ?? {}).length > 0 ? ` labels: ${obj(p.labels ?? {})},` : '';
        return `Peer.endpoints({ namespace: ${str(p.namespace ?? 'default')},${labels} expressions: ${expressionsSource(p.absent ?? [], sdk)} })`;
      }
      // A workload without identifying labels: every pod of its namespace (what the labels would select).
      if (Object.keys(p.labels ?? {}).length === 0) return `Peer.namespace(${str(p.namespace ?? 'default')})`;
      return `Peer.endpoints({ namespace: ${str(p.namespace ?? 'default')}, labels: ${obj(p.labels ?? {})} })`;
    case DraftPeerKind.ENTITY:
      if (p.entity === 'kube-apiserver') return 'Peer.kubeApiServer()';
      sdk.add('Entity');
      return `Peer.entity(Entity.${ENTITY_MEMBERS[p.entity ?? 'world'] ?? 'WORLD'})`;
    case DraftPeerKind.FQDN:
      return `Peer.fqdn(${str(p.name ?? '')})`;
    case DraftPeerKind.CIDR:
      return `Peer.cidr(${str(p.cidr ?? '')})`;
  }
}

/** The endpoint selector of a drafted policy in TypeScript. */
function selectorSource(labels: Readonly<Record<string, string>>, absent: readonly string[] | undefined, sdk: Set<string>): string {
  if ((absent ?? []).length === 0) return Object.keys(labels).length === 0 ? 'EndpointSelector.all()' : `EndpointSelector.labels(${obj(labels)})`;
  const given = Object.keys(labels).length > 0 ? `labels: ${obj(labels)}, ` : '';
  return `EndpointSelector.of({ ${given}expressions: ${expressionsSource(absent ?? [], sdk)} })`;
}

function expressionsSource(absent: readonly string[], sdk: Set<string>): string {
  sdk.add('LabelExpression');
  return `[${absent.map((k) => `LabelExpression.doesNotExist(${str(k)})`).join(', ')}]`;
}

function portSource(p: DraftPort, sdk: Set<string>): string {
  if (p.protocol === 'ICMP') {
    sdk.add('Icmp');
    const v6 = p.icmpFamily === 'IPv6';
    if (v6) sdk.add('IcmpFamily');
    const family = v6 ? 'IcmpFamily.IPV6' : '';
    if (p.icmpType === (v6 ? 128 : 8)) return `Icmp.echoRequest(${family})`;
    return `Icmp.type(${p.icmpType ?? 0}${v6 ? `, ${family}` : ''})`;
  }
  sdk.add('Port');
  return `Port.${p.protocol === 'UDP' ? 'udp' : p.protocol === 'SCTP' ? 'sctp' : 'tcp'}(${p.port ?? 0})`;
}

function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}

function obj(o: Readonly<Record<string, string>>): string {
  const entries = Object.entries(o);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k)}: ${str(v)}`).join(', ')} }`;
}

function camel(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
  const s = parts.map((p, i) => (i === 0 ? p.toLowerCase() : p.charAt(0).toUpperCase() + p.slice(1).toLowerCase())).join('');
  return s === '' ? 'x' : /^[0-9]/.test(s) ? `n${s}` : s;
}
