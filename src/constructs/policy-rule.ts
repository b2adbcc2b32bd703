import { IConstruct } from 'constructs';
import { CiliumPolicyError, Diagnostic, Severity, showValue, textOf } from '../core/errors';
import { L7 } from './l7';
import {
  emptyExpressionList, NAMESPACE_LABEL, selectorConstrainsNamespace, selectorHasReservedKey, selectorNeedsNamespaceKeyBefore116,
  selectorRequiresNothing, writtenSelectorOnlyExcludes,
} from '../model/selectors';
import { describeValue } from '../model/plain-value';
import { kubeApiServerEveryPort } from '../validate/kube-apiserver-every-port';
import { registrableServerName } from '../validate/server-name-registrable';
import { isEveryPortOnly, servicesEveryPort } from '../validate/services-every-port';
import { AGENT_SINCE } from '../validate/tables';
import { HOST_INGRESS_EVERY_PORT, hostIngressEveryPort } from '../validate/host-ingress-every-port';
import { subjectNamespaceMatches } from '../model/subject-namespace';
import { checkKnownKeys } from '../model/known-keys';
import {
  IcmpFieldModel,
  LabelSelectorModel,
  PEER_FIELDS,
  PortProtocolModel,
  RuleItemModel,
  RuleModel,
  SECTIONS,
  SectionName,
  isDenySection,
  sectionDirection,
  PeerField,
} from '../model/policy-model';
import { IPeer, Peer } from './peer';
import { CiliumVersion } from '../core/cilium-version';
import { PeerConfig, UNREADABLE, checkedPeerConfig, expressionsShapeProblem, isPeer, peerValueKind, readWorkload, workloadOf } from './peer-config';
import { selectorContradiction } from '../validate/pod-selectors';
import { checkWorkloadUse, isApiObjectHolder, workloadNamespace } from './workload';
import { isPort, Port } from './port';
import { checkFlags, checkPropsObject, describeInstance, isObjectLiteral, readPropsOnce } from './names';
import { checkIdentityLabels } from './identity-label-check';
import { hasValueMark, markValue } from './value-mark';
import { IEndpointSelector, INodeSelector } from './selector';
import { describeSelector } from './selector-description';
import { ruleEffects } from '../model/rule-effects';
import { reservedSubjectsSelected } from '../model/reserved-subjects';
import { Selector } from '../model/labels';
import { grantItems, RuleItemMerger } from '../model/rule-items';

/** Mutual-authentication modes (`authentication.mode`). */
export enum AuthenticationMode {
  /** No authentication. */
  DISABLED = 'disabled',
  /**
   * Require mutual authentication. Needs mutual authentication with SPIRE in the cluster
   * (`authentication.mutual.spire.enabled`): without it the datapath drops the traffic (`DROP_POLICY_AUTH_REQUIRED`);
   * validation warns (`pitfall-authentication-drops`) and the engine judges it dropped unless told `mutualAuth`.
   */
  REQUIRED = 'required',
  /** Always fail authentication (for tests): the traffic is always dropped. */
  TEST_ALWAYS_FAIL = 'test-always-fail',
}

/**
 * Options of a deny rule (`denyIngress`, `denyEgress`): ports only. Cilium's deny rules carry no L7 rules, authentication
 * or server names; given from plain JavaScript, those are refused (`deny-allow-option`), never dropped.
 */
export interface DenyOptions {
  /**
   * The ports (and ICMP types) denied. An empty list is refused: it would be written as no `toPorts`, every port.
   * @default - every port
   */
  readonly ports?: Port[];
}

/** The options of an allow call (`AllowOptions`); a deny call reads `ports` only (`DenyOptions`). */
export const OPTION_KEYS: readonly string[] = ['ports', 'l7', 'authentication', 'serverNames'];

/** The allow options a deny has no place for (`deny-allow-option`). */
const DENY_DROPS: readonly string[] = OPTION_KEYS.filter((k) => k !== 'ports');

/** Options of an allow rule (`allowIngress`, `allowEgress`): ports, L7 rules, authentication and TLS server names. */
export interface AllowOptions extends DenyOptions {
  /**
   * L7 rules (HTTP, Kafka, or DNS for egress to a DNS server) for `ports`, which they need.
   * @default - no L7 restriction
   */
  readonly l7?: L7;
  /**
   * Require mutual authentication for this traffic. `REQUIRED` needs mutual authentication with SPIRE in the cluster:
   * without it the traffic is dropped, not allowed (see `AuthenticationMode`).
   * @default - no authentication requirement
   */
  readonly authentication?: AuthenticationMode;
  /**
   * TLS server names (SNI) the connection must present; needs Cilium's L7 proxy. A wildcard (`*.`, `**.`, Cilium 1.18+) in
   * the registrable part of a name (`*.com`, `**.co.uk`) is refused (`server-names-registrable`): anyone may register a name it
   * matches; put it below a domain of your own (`*.api.example.com`).
   * @default - any server name
   */
  readonly serverNames?: string[];
}

/** Per-direction `enableDefaultDeny` (Cilium 1.16+). */
export interface DefaultDenyOptions {
  /**
   * Whether this rule puts the selected endpoints into ingress default deny.
   * @default - true when the rule has ingress rules
   */
  readonly ingress?: boolean;
  /**
   * Whether this rule puts the selected endpoints into egress default deny.
   * @default - true when the rule has egress rules
   */
  readonly egress?: boolean;
}

/** The fields of `DefaultDenyOptions` (`checkPropKeys`). */
export const DEFAULT_DENY_OPTION_KEYS: readonly string[] = ['ingress', 'egress'];

/** The fields of `PolicyRuleOptions` (`checkPropKeys`). */
export const POLICY_RULE_OPTION_KEYS: readonly string[] = ['endpointSelector', 'nodeSelector', 'description', 'enableDefaultDeny', 'log', 'labels'];

/** Options of one Cilium rule: which endpoints or nodes it applies to, and its metadata. */
export interface PolicyRuleOptions {
  /**
   * The endpoints (pods) the rule applies to: an `EndpointSelector` (a workload's pods: `EndpointSelector.workload()`). A
   * selector of one's own that answers `{}` at synthesis is refused (`selector-empty`): say `EndpointSelector.all()`.
   * @default - every endpoint (in a `CiliumPolicy`: every pod of its namespace), unless `nodeSelector` is set
   */
  readonly endpointSelector?: IEndpointSelector;
  /**
   * The nodes the rule applies to, which makes it a host policy (`ClusterwidePolicy` only; needs the host
   * firewall enabled in Cilium). A selector of one's own that answers `{}` at synthesis is refused (`selector-empty`): say
   * `NodeSelector.all()`.
   * @default - not a host policy
   */
  readonly nodeSelector?: INodeSelector;
  /**
   * Free-text description (`spec.description`).
   * @default - none
   */
  readonly description?: string;
  /**
   * Whether the rule switches its endpoints to default deny, per direction (Cilium 1.16+). Set a direction to
   * `false` to add allows or denies without denying everything else.
   * @default - Cilium's default: a direction with rules is default deny
   */
  readonly enableDefaultDeny?: DefaultDenyOptions;
  /**
   * A tag (up to 32 printable characters) copied into the Hubble flows this rule decides (Cilium 1.18+).
   * @default - none
   */
  readonly log?: string;
  /**
   * Rule labels (`spec.labels`), for bookkeeping.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Where a rule is rendered: the resource kind, its namespace, the target version and a path for messages. */
export interface RuleRenderContext {
  /** `CiliumNetworkPolicy` or `CiliumClusterwideNetworkPolicy`. */
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** The target Cilium version (`CiliumVersion.use`). */
  readonly version: CiliumVersion;
  /** Namespace of a CNP. */
  readonly namespace?: string;
  /** JSON path prefix of the rule (`spec`, `specs[1]`). */
  readonly path: string;
}

interface Grant {
  readonly section: SectionName;
  readonly peer: IPeer;
  readonly ports?: Port[];
  readonly l7?: L7;
  readonly options: AllowOptions;
  readonly isolate?: boolean;
}

const NOTHING: IPeer = { toPeerConfig: () => ({ item: {}, description: 'nothing' }) };

/**
 * One Cilium rule (`spec`, or one element of `specs`) and its verbs. Obtain it from a policy
 * (`policy.rule`, `policy.addRule()`); every call appends, and the rule is rendered at synthesis.
 *
 * Rendering is deterministic: one L3 peer kind per rule item (a call with several kinds of peers is split),
 * ICMP in its own item, ports deduplicated, sorted and grouped in lists of at most 40, and calls with the same
 * ports and L7 rules merged into one item.
 */
export class PolicyRule {
  private readonly grants: Grant[] = [];

  /**
   * @internal A rule of the policy at construct path `owner` (the policies create their rules; users get them from
   * `rule`/`addRule`); `changed` is called after each rule item added (the policy's renderings kept for a synthesis are then
   * dropped: a construct's validation hook may add one after the policy was rendered).
   */
  public static _create(options: PolicyRuleOptions, owner: string, scope?: IConstruct, changed?: () => void): PolicyRule {
    return new PolicyRule(options, owner, scope, changed);
  }

  private readonly options: PolicyRuleOptions;

  private constructor(given: PolicyRuleOptions, private readonly owner: string, private readonly scope?: IConstruct,
    private readonly changed?: () => void) {
    markValue(this, 'PolicyRule');
    // `enableDefaultDeny: true` was written as `{}` (both directions default deny), `labels: 'x'` as the label "0": "x".
    checkPropsObject(given.enableDefaultDeny, 'enableDefaultDeny', '{ enableDefaultDeny: { ingress: false } }', owner);
    // `{ ingres: false }` left ingress default deny to the default: on, where off was meant, or the other way round.
    // Read once, then checked (a getter answering `ingress: true` to the check and `false` when written left the pods open).
    const enableDefaultDeny = given.enableDefaultDeny !== undefined && given.enableDefaultDeny !== null
      ? readPropsOnce(given.enableDefaultDeny, { keys: DEFAULT_DENY_OPTION_KEYS, owner: 'DefaultDenyOptions' }, { location: owner, at: 'enableDefaultDeny' }) : undefined;
    if (enableDefaultDeny !== undefined) checkFlags(enableDefaultDeny, DEFAULT_DENY_OPTION_KEYS, 'enableDefaultDeny', owner);
    checkPropsObject(given.labels, 'labels', "{ labels: { team: 'payments' } }", owner);
    // Rendered at synthesis: the options as given now, so a map changed by the caller afterwards (enableDefaultDeny's
    // `ingress: true` turned to false, a label) is not what gets written.
    const options: PolicyRuleOptions = {
      ...given,
      ...(enableDefaultDeny !== undefined ? { enableDefaultDeny } : {}),
      ...(given.labels !== undefined && given.labels !== null ? { labels: { ...given.labels } } : {}),
    };
    this.options = options;
    if (options.endpointSelector && options.nodeSelector) {
      throw new CiliumPolicyError({
        id: 'rule-two-selectors',
        message: 'a rule selects either endpoints or nodes, not both',
        fix: 'drop endpointSelector for a host policy, or nodeSelector for a pod policy',
        location: owner,
      });
    }
    checkSelectorValue(options.endpointSelector, 'endpointSelector', owner);
    checkSelectorValue(options.nodeSelector, 'nodeSelector', owner);
    // Selectors of the SDK's own classes are plain values now (a workload's is read at synthesis, one of one's own may
    // answer differently then): a key no identity has is refused here, where the call is.
    if (scope !== undefined && options.nodeSelector !== undefined && hasValueMark(options.nodeSelector, 'NodeSelector')) {
      checkIdentityLabels(options.nodeSelector.toNodeSelector(), 'nodeSelector', scope, owner, true);
    } else if (scope !== undefined && options.endpointSelector !== undefined && hasValueMark(options.endpointSelector, 'EndpointSelector')
      && readWorkload(options.endpointSelector) === undefined) {
      checkIdentityLabels(options.endpointSelector.toEndpointSelector(), 'endpointSelector', scope, owner);
    }
  }

  /**
   * The construct path of the policy that owns the rule, for messages.
   * @internal
   */
  public get _owner(): string {
    return this.owner;
  }

  /** Whether the rule is a host policy (has a node selector). */
  public get isHostPolicy(): boolean {
    return this.options.nodeSelector !== undefined;
  }

  /**
   * Allows traffic from `peer` to the selected endpoints.
   * @param peer who may connect (a workload's pods: `Peer.workload(deployment)`)
   * @param options the ports (and ICMP types; default: all), L7 rules, authentication and TLS server names
   */
  public allowIngress(peer: IPeer, options: AllowOptions = {}): void {
    this.add(SectionName.INGRESS, peer, checkRuleCall('allowIngress', peer, options, arguments.length, this.owner));
  }

  /**
   * Allows traffic from the selected endpoints to `peer`.
   * @param peer where they may connect (a workload's pods: `Peer.workload(deployment)`; without ports, egress to a
   *   workload takes the target ports of its Service)
   * @param options the ports (and ICMP types; default: all), L7 rules, authentication and TLS server names
   */
  public allowEgress(peer: IPeer, options: AllowOptions = {}): void {
    this.add(SectionName.EGRESS, peer, checkRuleCall('allowEgress', peer, options, arguments.length, this.owner));
  }

  /**
   * Denies traffic from `peer`, whatever any allow rule in any policy says.
   * @param peer who is denied
   * @param options the ports denied (default: all)
   */
  public denyIngress(peer: IPeer, options: DenyOptions = {}): void {
    this.add(SectionName.INGRESS_DENY, peer, checkRuleCall('denyIngress', peer, options, arguments.length, this.owner));
  }

  /**
   * Denies traffic to `peer`, whatever any allow rule in any policy says. FQDNs cannot be denied (Cilium has no
   * `toFQDNs` in deny rules); deny their CIDRs instead.
   * @param peer where traffic is denied
   * @param options the ports denied (default: all)
   */
  public denyEgress(peer: IPeer, options: DenyOptions = {}): void {
    this.add(SectionName.EGRESS_DENY, peer, checkRuleCall('denyEgress', peer, options, arguments.length, this.owner));
  }

  /**
   * Puts the selected endpoints into ingress default deny without allowing anything (`ingress: [{}]`).
   * Other rules, in this or other policies, still allow what they allow. Refused in a rule with
   * `enableDefaultDeny: { ingress: false }` (`isolate-without-default-deny`): it would isolate nothing.
   */
  public isolateIngress(): void {
    this.isolate(SectionName.INGRESS, true);
  }

  /**
   * Puts the selected endpoints into egress default deny without allowing anything (`egress: [{}]`).
   * Remember DNS: a pod that cannot reach its DNS server cannot resolve anything. Refused in a rule with
   * `enableDefaultDeny: { egress: false }` (`isolate-without-default-deny`): it would isolate nothing.
   */
  public isolateEgress(): void {
    this.isolate(SectionName.EGRESS, true);
  }

  /**
   * Writes the isolation of a direction (`ingress: [{}]`). Refused, when `checked`, in a direction the rule's
   * `enableDefaultDeny` turns off: the item allows nothing and the endpoints stay open, the opposite of what was asked.
   * A staged rollout (`DefaultDenyNamespace`) writes it unchecked, on purpose.
   * @internal
   */
  public _isolate(section: SectionName.INGRESS | SectionName.EGRESS, checked: boolean): void {
    this.isolate(section, checked);
  }

  private isolate(section: SectionName.INGRESS | SectionName.EGRESS, checked: boolean): void {
    const direction = sectionDirection(section);
    if (checked && this.options.enableDefaultDeny?.[direction] === false) {
      const verb = direction === 'ingress' ? 'isolateIngress' : 'isolateEgress';
      throw new CiliumPolicyError({
        id: 'isolate-without-default-deny',
        message: `${verb}() in a rule with enableDefaultDeny: { ${direction}: false }: the rule puts no endpoint into ${direction} default deny, `
          + `so the isolation would allow nothing and deny nothing, and the endpoints would stay open`,
        fix: `drop enableDefaultDeny.${direction} (a rule with ${direction} rules is default deny), or drop ${verb}() if only additive rules are meant`,
        location: this.owner,
      });
    }
    this.grants.push({ section, peer: NOTHING, options: {}, isolate: true });
    this.changed?.();
  }

  /** Whether any rule was added to `section`. */
  public hasSection(section: SectionName): boolean {
    return this.grants.some((g) => g.section === section);
  }

  private add(section: SectionName, peer: IPeer, given: AllowOptions): void {
    const direction = sectionDirection(section);
    const verb = `${isDenySection(section) ? 'deny' : 'allow'}${direction === 'ingress' ? 'Ingress' : 'Egress'}`;
    // A deny rule has ports only (DenyOptions).
    const options: AllowOptions = isDenySection(section) ? { ports: given.ports } : given;
    const { ports, l7 } = options;
    // Workloads and Services (`Peer.workload()`) are read at synthesis, when they are complete; only value peers are checked now.
    const workload = workloadOf(peer, verb, this.owner);
    const config: PeerConfig = workload !== undefined
      ? { field: PeerField.ENDPOINTS, item: {}, description: workload.node.path }
      : checkedPeerConfig(peer.toPeerConfig(), verb, this.owner, this.scope);
    if (config.field && !PEER_FIELDS[config.field][direction]) {
      throw new CiliumPolicyError({
        id: 'peer-wrong-direction',
        message: `${verb}(${config.description}): ${config.field === 'fqdns' ? 'FQDN' : 'service'} peers exist only for egress`,
        fix: config.field === 'fqdns' ? 'use allowEgress() for FQDNs; for ingress from outside the cluster use Peer.cidr()' : 'use allowEgress(); for ingress select the pods with Peer.endpoints()',
        location: this.owner,
      });
    }
    if (section === 'egressDeny' && config.field === 'fqdns') {
      throw new CiliumPolicyError({
        id: 'peer-fqdn-deny',
        message: `denyEgress(${config.description}): Cilium cannot deny by FQDN (no toFQDNs in egressDeny)`,
        fix: 'deny the addresses with Peer.cidr(), or leave the name out of every allow rule',
        location: this.owner,
      });
    }
    if (section === 'egressDeny' && config.field === PeerField.SERVICES) {
      // The agent resolves toServices in egress rules only (pkg/policy/k8s/service.go `processRule`; the translator before
      // 1.17 likewise): in egressDeny it adds no selector, so the deny covers its ports for every peer, or nothing.
      throw new CiliumPolicyError({
        id: 'peer-service-deny',
        message: `denyEgress(${config.description}): Cilium never resolves toServices in egressDeny, so the deny would hold `
          + `${ports !== undefined && ports.length > 0 ? 'its ports for every peer, the whole world included' : 'nothing'}, not the Service's backends`,
        fix: 'deny the backends with Peer.endpoints() (their labels and namespace), or their addresses with Peer.cidr()',
        location: this.owner,
      });
    }
    if (ports !== undefined && (!Array.isArray(ports) || ports.length === 0)) {
      throw new CiliumPolicyError({
        id: 'ports-empty',
        message: Array.isArray(ports)
          ? `${verb}(${config.description}, { ports: [] }): an empty port list would be written as no toPorts, which means every port`
          : `${verb}(${config.description}, { ports }): ports is ${isPort(ports as unknown) ? `the Port ${String(ports)}` : describeInstance(ports)}, not a list; `
            + 'it would be written as no toPorts, which means every port',
        fix: Array.isArray(ports) ? `list the ports; for every port leave ports out or say it with { ports: [Port.allPorts()] } (or Port.allTcp())`
          : 'pass a list: { ports: [Port.tcp(8080)] }',
        location: this.owner,
      });
    }
    const notAPort = ports?.findIndex((p) => !isPort(p)) ?? -1;
    if (ports !== undefined && notAPort >= 0) {
      throw new CiliumPolicyError({
        id: 'ports-not-ports',
        message: `${verb}(${config.description}, …): the port list holds ${showValue(ports[notAPort])}, not a Port`,
        fix: 'pass Port values: Port.tcp(8080), Port.udp(53), Icmp.echoRequest(), …',
        location: this.owner,
      });
    }
    const named = namedPortProblem(section, verb, config, (ports ?? []).map((p) => p._match.l4), this.isHostPolicy);
    if (named !== undefined) throw new CiliumPolicyError({ ...named, location: this.owner });
    const defaulted = ports === undefined && section === 'egress' ? config.defaultPorts ?? [] : [];
    const everyPort = apiServerEveryPortProblem(section, verb, config, (ports ?? defaulted).length);
    if (everyPort !== undefined) throw new CiliumPolicyError({ ...everyPort, location: this.owner });
    const version = this.scope !== undefined ? CiliumVersion.of(this.scope) : CiliumVersion.DEFAULT;
    const serviceEveryPort = serviceEveryPortProblem(section, verb, config, (ports ?? defaulted).length, version);
    if (serviceEveryPort !== undefined) throw new CiliumPolicyError({ ...serviceEveryPort, location: this.owner });
    // A workload (pods of one namespace, read at synthesis) is judged there.
    const hostEveryPort = workload === undefined
      ? hostIngressEveryPortProblem(section, verb, config, ports?.length ?? 0, this.isHostPolicy) : undefined;
    if (hostEveryPort !== undefined) throw new CiliumPolicyError({ ...hostEveryPort, location: this.owner });
    if (options.serverNames !== undefined && options.serverNames.length === 0) {
      throw new CiliumPolicyError({
        id: 'server-names-empty',
        message: `${verb}(${config.description}): serverNames is an empty list, which would be dropped: no SNI restriction at all`,
        fix: 'list the TLS server names, or leave serverNames out',
        location: this.owner,
      });
    }
    refuseRegistrableServerNames(verb, config, options.serverNames, this.owner, version, direction);
    if (l7 && (!ports || ports.length === 0)) {
      throw new CiliumPolicyError({
        id: 'l7-without-ports',
        message: `${verb}(${config.description}): L7 ${l7.kind} rules need ports`,
        fix: `pass the ports the rules apply to, e.g. { ports: [Port.tcp(${l7.kind === 'dns' ? 53 : 8080})], l7 }`,
        location: this.owner,
      });
    }
    if (options.serverNames?.length && !(ports ?? []).some((p) => p._match.l4 !== undefined)) {
      throw new CiliumPolicyError({
        id: 'server-names-without-ports',
        message: `${verb}(${config.description}): serverNames need the TCP ports the TLS connections use`,
        fix: 'pass the ports, e.g. { ports: [Port.tcp(443)], serverNames }; without them the server names would be dropped and every connection allowed',
        location: this.owner,
      });
    }
    // Rendered at synthesis: the lists as given now (a serverNames list emptied afterwards would drop the SNI restriction).
    const kept: AllowOptions = { ...options, ...(Array.isArray(options.serverNames) ? { serverNames: [...options.serverNames] } : {}) };
    this.grants.push({ section, peer, ports: ports ? [...ports] : undefined, l7, options: kept });
    this.changed?.();
  }

  /**
   * Renders the rule into the model, with the problems found while resolving peers (e.g. an endpoint peer
   * without namespace in a clusterwide policy).
   * @internal
   */
  public _render(context: RuleRenderContext): { rule: RuleModel; diagnostics: Diagnostic[] } {
    const diagnostics: Diagnostic[] = [];
    const sections: Partial<Record<SectionName, RuleItemModel[]>> = {};
    for (const section of SECTIONS) {
      const grants = this.grants.filter((g) => g.section === section);
      if (grants.length === 0) continue;
      const merger = new RuleItemMerger();
      for (const grant of grants) {
        for (const item of this.renderGrant(grant, context, `${context.path}.${section}`, diagnostics)) merger.add(item);
      }
      sections[section] = merger.items;
    }
    const o = this.options;
    const enableDefaultDeny = o.enableDefaultDeny !== undefined ? { enableDefaultDeny: { ...o.enableDefaultDeny } } : {};
    const subject = o.nodeSelector
      ? { nodeSelector: ownSelectorChecked(o.nodeSelector, o.nodeSelector.toNodeSelector(), context, diagnostics) }
      : { endpointSelector: o.endpointSelector ? this.subjectSelector(o.endpointSelector, { ...sections, ...enableDefaultDeny }, context, diagnostics)
        : {} };
    const labels = o.labels ?? {};
    const rule: RuleModel = {
      ...(o.description !== undefined ? { description: o.description } : {}),
      ...subject,
      ...sections,
      ...enableDefaultDeny,
      ...(o.log !== undefined ? { log: { value: o.log } } : {}),
      ...(Object.keys(labels).length ? { labels: Object.keys(labels).sort().map((key) => ({ key, value: labels[key] })) } : {}),
    };
    return { rule, diagnostics };
  }

  /**
   * The endpoint selector of the rule. A workload's (`EndpointSelector.workload()`) is its pods' labels, which Cilium
   * confines to the policy's namespace in a CNP only: a CCNP gets the workload's namespace written into the selector
   * (and refuses a workload without one), a CNP of another namespace than the workload's is refused. Either would
   * otherwise select pods with the same labels that are not the workload's.
   */
  private subjectSelector(selector: IEndpointSelector, rule: RuleModel, context: RuleRenderContext, diagnostics: Diagnostic[]): LabelSelectorModel {
    const workload = workloadOf(selector, `${context.path}.endpointSelector`, this.owner);
    if (workload !== undefined) checkWorkloadUse(workload, { by: this.owner, role: 'the subject (endpointSelector)', as: 'subject' });
    const model = ownSelectorChecked(selector, selector.toEndpointSelector(), context, diagnostics);
    if (context.kind === 'CiliumNetworkPolicy') subjectNamespaceLabels(model, context, diagnostics);
    const written = this.workloadSubject(selector, model, context, diagnostics);
    // On the selector as written: a workload's namespace, added above, keeps it to the workload's pods.
    if (context.kind === 'CiliumClusterwideNetworkPolicy') subjectOnlyExcludes(written, rule, context, diagnostics);
    return written;
  }

  /** The subject with a workload's namespace in a CCNP (`subjectSelector`), and its namespace checked in a CNP. */
  private workloadSubject(selector: IEndpointSelector, model: LabelSelectorModel, context: RuleRenderContext,
    diagnostics: Diagnostic[]): LabelSelectorModel {
    const workload = workloadOf(selector, `${context.path}.endpointSelector`, this.owner);
    if (workload === undefined) return model;
    const namespace = workloadNamespace(workload);
    const path = `${context.path}.endpointSelector`;
    if (context.kind === 'CiliumClusterwideNetworkPolicy') {
      if (namespace !== undefined) return withNamespace(model, namespace);
      diagnostics.push({
        id: 'workload-namespace-required',
        severity: Severity.ERROR,
        path,
        message: `the workload ${workload.node.path} has no namespace: as the subject of a clusterwide policy its labels would select pods of every namespace`,
        fix: 'give the workload a namespace (or its chart one), or select the pods with EndpointSelector.of() and a namespace expression',
      });
    } else if (namespace !== undefined && namespace !== context.namespace) {
      diagnostics.push({
        id: 'workload-namespace-mismatch',
        severity: Severity.ERROR,
        path,
        message: `the workload ${workload.node.path} is in namespace ${namespace}, the policy in ${context.namespace}: `
          + `the policy would select the pods of ${context.namespace} that carry its labels, not the workload's`,
        fix: `create the policy in namespace ${namespace}`,
      });
    }
    return model;
  }

  private renderGrant(grant: Grant, context: RuleRenderContext, path: string, diagnostics: Diagnostic[]): RuleItemModel[] {
    if (grant.isolate) return [{}];
    const direction = sectionDirection(grant.section);
    // Read again at synthesis (a workload is complete only then; a peer of one's own may answer differently) and checked again.
    const verb = `${isDenySection(grant.section) ? 'deny' : 'allow'}${direction === 'ingress' ? 'Ingress' : 'Egress'}`;
    // The pods of a workload, judged as this rule uses them (a deny of any host-network pod denies nothing of it).
    const workload = (grant.peer as Partial<Peer>)._selectsWorkload;
    if (workload !== undefined) {
      checkWorkloadUse(workload, { by: this.owner, role: `${verb}(${workload.node.path})`, as: isDenySection(grant.section) ? 'deny' : 'allow' });
    }
    const peer = checkedPeerConfig(grant.peer.toPeerConfig(), verb, this.owner, this.scope);
    let peerItem: RuleItemModel = peer.item;
    // The selectors without a namespace: those the factories mark (`namespaceImplicit`), and any other without a namespace
    // key (from a peer of one's own) except those of reserved identities, where Cilium injects no namespace either.
    const open = (s: LabelSelectorModel): boolean => !selectorConstrainsNamespace(s)
      && (peer.namespaceImplicit === true || !selectorHasReservedKey(s));
    if (peer.field === 'endpoints' && (peer.item.endpoints ?? []).some(open)) {
      if (context.kind === 'CiliumClusterwideNetworkPolicy') {
        diagnostics.push({
          id: 'peer-namespace-required',
          severity: Severity.ERROR,
          path,
          message: `${peer.description} has no namespace: in a clusterwide policy it would match pods of every namespace`,
          fix: 'give the peer a namespace: Peer.endpoints({ namespace, … }), or Peer.selectedBy(selector, namespace) for a selector; allNamespaces: true if every namespace is meant',
        });
      } else if (context.namespace !== undefined) {
        const namespace = context.namespace;
        peerItem = { endpoints: (peer.item.endpoints ?? []).map((s) => (open(s) ? withNamespace(s, namespace) : s)) };
      }
    }
    // Before 1.16 a CNP peer's namespace-labels key does not stand in for the namespace: the agent would add the policy's.
    // Decided by the selector's keys (`selectorNeedsNamespaceKeyBefore116`), whichever factory or peer of one's own wrote them.
    if (peer.field === 'endpoints' && context.kind === 'CiliumNetworkPolicy' && !context.version.atLeast(CiliumVersion.V1_16)) {
      peerItem = { ...peerItem, endpoints: (peerItem.endpoints ?? []).map(withAnyNamespace) };
    }
    if (peer.field === 'services') {
      const open = (peer.item.services ?? []).filter((svc) => (svc.k8sService ?? svc.k8sServiceSelector)?.namespace === undefined);
      if (open.length > 0 && context.kind === 'CiliumClusterwideNetworkPolicy') {
        diagnostics.push({
          id: 'peer-service-namespace-required',
          severity: Severity.ERROR,
          path,
          message: `${peer.description} has no namespace: in a clusterwide policy it would match Services ${peer.item.services?.[0]?.k8sService ? 'of that name' : 'with those labels'} in every namespace`,
          fix: `give ${peer.item.services?.[0]?.k8sService ? 'Peer.service()' : 'Peer.serviceSelector()'} a namespace`,
        });
      } else if (open.length > 0 && context.namespace !== undefined) {
        const namespace = context.namespace;
        peerItem = {
          services: (peer.item.services ?? []).map((svc) => (svc.k8sService && svc.k8sService.namespace === undefined
            ? { ...svc, k8sService: { ...svc.k8sService, namespace } }
            : svc.k8sServiceSelector && svc.k8sServiceSelector.namespace === undefined
              ? { ...svc, k8sServiceSelector: { ...svc.k8sServiceSelector, namespace } } : svc)),
        };
      }
    }
    const l4: PortProtocolModel[] = [];
    const icmp: IcmpFieldModel[] = [];
    const defaulted = grant.ports === undefined && direction === 'egress' && !isDenySection(grant.section);
    if (defaulted && peer.defaultPortsUnknown !== undefined) {
      diagnostics.push({
        id: 'workload-ports-unknown',
        severity: Severity.ERROR,
        path,
        message: `allowEgress(${peer.description}) without ports: ${peer.defaultPortsUnknown}`,
        fix: 'pass the ports explicitly (e.g. { ports: [Port.tcp(8080)] }), or define the Service that exposes the workload in the same app',
      });
    }
    const ports = grant.ports ?? (defaulted ? (peer.defaultPorts ?? []).map(Port._fromModel) : []);
    // Checked when the rule was given; again here for what only synthesis knows (a peer of one's own read again, its default ports).
    const named = namedPortProblem(grant.section, verb, peer, ports.map((p) => p._match.l4), this.isHostPolicy);
    if (named !== undefined) diagnostics.push({ ...named, severity: Severity.ERROR, path });
    const everyPort = apiServerEveryPortProblem(grant.section, verb, peer, ports.length);
    if (everyPort !== undefined) diagnostics.push({ ...everyPort, severity: Severity.ERROR, path });
    const serviceEveryPort = serviceEveryPortProblem(grant.section, verb, peer, ports.length, context.version);
    if (serviceEveryPort !== undefined) diagnostics.push({ ...serviceEveryPort, severity: Severity.ERROR, path });
    const hostEveryPort = hostIngressEveryPortProblem(grant.section, verb, peer, ports.length, this.isHostPolicy);
    if (hostEveryPort !== undefined) diagnostics.push({ ...hostEveryPort, severity: Severity.ERROR, path });
    for (const port of ports) {
      const match = port._match;
      if (match.icmp) icmp.push(match.icmp);
      else if (match.l4) l4.push(match.l4);
    }
    // Every port said outright (`Port.allPorts()`, alone) to a Service: written as no toPorts on every version, which is every port
    // of the backends while the Service resolves, and nothing while it does not. Written as `port "0" ANY`, on 1.17+ an unresolved
    // Service (not created yet, deleted, a typo, a serviceSelector matching nothing) would leave the item without any L3 selector,
    // which opens its ports, here every port, to every peer, the world included (pkg/policy/k8s/service.go `processRule` adds a
    // selector only for a matching Service; pkg/policy/l4.go `createL4Filter`: an empty L3 is every peer); before 1.17 the agent
    // refuses toPorts beside toServices (pkg/policy/api/rule_validation.go `EgressRule.sanitize`). Not with L7 rules or server
    // names, which live in a toPorts entry: written (before 1.17 the agent's refusal stays, `sanitize-services-with-ports`).
    if (peer.field === PeerField.SERVICES && icmp.length === 0 && isEveryPortOnly(l4)
      && grant.l7 === undefined && grant.options.serverNames === undefined) {
      l4.length = 0;
    }
    if (icmp.length > 0 && grant.l7) {
      diagnostics.push({
        id: 'l7-with-icmp',
        severity: Severity.ERROR,
        path,
        message: `L7 ${grant.l7.kind} rules cannot apply to ICMP (${peer.description}, ${direction})`,
        fix: 'pass the ICMP types in a separate call without L7 rules',
      });
    }
    return grantItems({
      field: peer.field,
      peerItem,
      ports: l4,
      icmps: icmp,
      ...(grant.l7 ? { rules: grant.l7._toModel() } : {}),
      ...(grant.options.serverNames ? { serverNames: grant.options.serverNames } : {}),
      ...(grant.options.authentication ? { authentication: grant.options.authentication } : {}),
    });
  }
}

/**
 * Why an egress allow of the `kube-apiserver` identity with these (rendered) ports would hold on every port of the API
 * server's addresses (`peer-kube-apiserver-every-port`), or `undefined`: the one rule `kubeApiServerEveryPort` (validate's
 * `pitfall-kube-apiserver-every-port` calls it too). Egress allows only: on ingress the ports are the selected endpoints'
 * own, and a port-less allow from the API server's addresses opens every port of the subject to them, as for any peer
 * without ports; a deny without ports denies more: taken. Run when the rule is given (with its ports, or the peer's
 * `defaultPorts`) and again at synthesis on the peer read again.
 */
function apiServerEveryPortProblem(section: SectionName, verb: string, peer: PeerConfig, portCount: number)
  : { id: string; message: string; fix: string } | undefined {
  if (section !== 'egress') return undefined;
  const problem = kubeApiServerEveryPort(peer.item, portCount);
  if (problem === undefined) return undefined;
  const example = problem.ports.map((p) => `Port.tcp(${p})`).join(', ');
  return {
    id: 'peer-kube-apiserver-every-port',
    message: `${verb}(${peer.description}) without ports would allow every port of the API server's addresses, not the API server: ${problem.reason}`,
    fix: `give the ports: ${verb}(Peer.kubeApiServer(), { ports: [${example}] }) (the port the API server listens on, as pods reach it after `
      + 'service translation); if every port of those addresses is meant, say so: { ports: [Port.allPorts()] }',
  };
}

/**
 * Why an egress allow of Services (`Peer.service()`, `Peer.serviceSelector()`) with these (rendered) ports would hold on every
 * port of their backends (`peer-service-every-port`), or `undefined`: the one rule `servicesEveryPort`. "The Service" reads as
 * its ports, but the agent never reads them: a port-less toServices item is every port of the pods behind it. From 1.17 the
 * fix is the backends' ports (open to every peer while the Service does not exist in the cluster: said in the fix); before,
 * where the agent refuses toPorts beside toServices, the pods by their labels with ports. On every version every port may be said
 * outright with `Port.allPorts()`, written as no toPorts (nothing while the Service does not exist). Run when the rule is given and again at
 * synthesis on the peer read again.
 */
function serviceEveryPortProblem(section: SectionName, verb: string, peer: PeerConfig, portCount: number, version: CiliumVersion)
  : { id: string; message: string; fix: string } | undefined {
  if (section !== 'egress') return undefined;
  const problem = servicesEveryPort(peer.item, portCount, version);
  if (problem === undefined) return undefined;
  const allPorts = '{ ports: [Port.allPorts()] }';
  return {
    id: 'peer-service-every-port',
    message: `${verb}(${peer.description}) without ports would allow every port of the Service's backends, not the Service's ports: ${problem.reason}`,
    fix: problem.portsAccepted
      ? `give the ports the backends listen on (the Service's targetPorts, matched after service translation): ${verb}(peer, { ports: [Port.tcp(5432)] }) `
        + `(on Cilium ${AGENT_SINCE.servicesWithPorts}+ toServices with ports opens those ports to every peer, the world included, while the Service does `
        + `not exist in the cluster: the agent adds no selector for it); if every port of the backends is meant, say so: ${allPorts} (written as no toPorts, `
        + 'which allows nothing while the Service does not exist)'
      : `Cilium ${version} refuses toPorts beside toServices (from ${AGENT_SINCE.servicesWithPorts} it takes them): select the backends by their labels `
        + `with their ports, ${verb}(Peer.endpoints({ namespace, labels }), { ports: [Port.tcp(5432)] }); if every port of the backends is meant, `
        + `say so: ${allPorts} (written as no toPorts on ${version})`,
  };
}

/**
 * Why an ingress allow of a host policy with these ports would open every port of the nodes to a broad peer
 * (`host-firewall-ingress-every-port`), or `undefined`: the one rule `hostIngressEveryPort`. Run when the rule is given and again at synthesis on the peer read again,
 * so a peer of one's own that answers narrowly first and broadly later is refused where it is written.
 */
function hostIngressEveryPortProblem(section: SectionName, verb: string, peer: PeerConfig, portCount: number, hostPolicy: boolean)
  : { id: string; message: string; fix: string } | undefined {
  if (!hostPolicy || section !== SectionName.INGRESS) return undefined;
  const broad = hostIngressEveryPort(peer.item, portCount);
  if (broad === undefined) return undefined;
  return {
    id: 'host-firewall-ingress-every-port',
    message: `${verb}(${peer.description}) without ports in a host policy: the peer selects ${broad}, and an ingress rule without ports opens `
      + `${HOST_INGRESS_EVERY_PORT} to it`,
    fix: 'name the ports meant: allowIngress(peer, { ports: [Port.tcp(30443)] }); if every port of the nodes is meant for that peer, say so: '
      + 'allowIngress(peer, { ports: [Port.allPorts()] })',
  };
}

/**
 * Refuses a TLS server name whose wildcard stands in the registrable part of the name (`*.com`, `**.co.uk`:
 * `server-names-registrable`): the one rule `registrableServerName` (validate's `pitfall-server-names-registrable` calls it
 * too), which says what the name means on the target version.
 */
function refuseRegistrableServerNames(verb: string, peer: PeerConfig, names: readonly string[] | undefined, location: string,
  version: CiliumVersion, direction: 'ingress' | 'egress'): void {
  for (const [i, name] of (names ?? []).entries()) {
    const means = typeof name === 'string' ? registrableServerName(name, version, direction) : undefined;
    if (means === undefined) continue;
    throw new CiliumPolicyError({
      id: 'server-names-registrable',
      message: `${verb}(${peer.description}, { serverNames }): serverNames[${i}] ${showValue(name)} has its wildcard in the registrable part of `
        + `the name: ${means}`,
      fix: 'list the server names, or put the wildcard below a domain of your own (\'*.api.example.com\', \'**.example.com\')',
      location,
    });
  }
}

/** The first named port (`http`, not a number) of a port list, or `undefined`. */
export function firstPortName(ports: readonly (PortProtocolModel | undefined)[]): string | undefined {
  return ports.find((p) => p?.port !== undefined && !/^\d+$/.test(p.port))?.port;
}

/**
 * Why the named ports of a rule do not mean the port of that name the rule is meant for, or `undefined`. On ingress of a
 * host policy a named port is the host's own, and the host has none (`port-name-host-ingress`). Cilium 1.14-1.19
 * resolves a named port of an egress rule against the container ports of every pod of the cluster, not on the destination
 * (pkg/endpoint `GetNamedPort(ingress=false)`, cilium/cilium#24779, #30003): a name with one number there is that number
 * for every peer of the rule, and a name two pods give different numbers is skipped (`ErrDuplicateNamedPorts`). So:
 * - an egress allow to a peer that is no pods (a CIDR, an FQDN, an entity, nodes, any peer) opens whatever number a pod
 *   anywhere in the cluster gives the name, to the world as well: refused (`port-name-egress-peer`);
 * - an egress deny is dropped as soon as two pods anywhere in the cluster give the name different numbers, and the traffic
 *   it was meant to stop is allowed: refused (`port-name-egress-deny`).
 * An egress allow to pods (or a Service's backends) keeps named ports: an ambiguous name allows nothing there.
 */
function namedPortProblem(section: SectionName, verb: string, peer: PeerConfig, ports: (PortProtocolModel | undefined)[], hostPolicy: boolean)
  : { id: string; message: string; fix: string } | undefined {
  const name = firstPortName(ports);
  if (name === undefined) return undefined;
  if (sectionDirection(section) !== 'egress') {
    if (!hostPolicy) return undefined;
    // pkg/endpoint `GetNamedPort(ingress=true)` reads the receiving endpoint's own container ports (`GetK8sPorts`); the host
    // endpoint is no pod and has none, so the agent skips the entry ("Skipping named port").
    return {
      id: 'port-name-host-ingress',
      message: `${verb}(${peer.description}, { ports: [${name}] }) in a host policy: Cilium resolves an ingress named port on the receiving endpoint's own `
        + `container ports, and the host has none, so the agent skips the port: the rule would ${isDenySection(section) ? 'deny' : 'allow'} nothing`,
      fix: 'give the port by number (Port.tcp(<number>)): the node\'s services have no port names Cilium knows',
    };
  }
  const resolved = `Cilium (1.14-1.19) resolves the named port "${name}" of an egress rule against the container ports of every pod of the cluster, `
    + 'not on the destination (cilium/cilium#24779)';
  if (isDenySection(section)) {
    return {
      id: 'port-name-egress-deny',
      message: `${verb}(${peer.description}, { ports: [${name}] }): ${resolved}; as soon as two pods anywhere in the cluster give "${name}" different `
        + 'numbers, the deny is skipped and the traffic it names is allowed',
      fix: `deny the port by number (Port.tcp(<number>)); a named port can be denied on ingress, where it is the selected pod's own`,
    };
  }
  if (peer.field === PeerField.ENDPOINTS || peer.field === PeerField.SERVICES) return undefined;
  return {
    id: 'port-name-egress-peer',
    message: `${verb}(${peer.description}, { ports: [${name}] }): ${resolved}; ${peer.description} is not pods alone, so the rule would open to it `
      + `whatever number some pod of the cluster gives "${name}", a port it need not serve at all`,
    fix: `give the port by number (Port.tcp(<number>)); a named port needs a peer of pods (Peer.endpoints(), Peer.workload())`,
  };
}

function withNamespace(selector: LabelSelectorModel, namespace: string): LabelSelectorModel {
  return { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [NAMESPACE_LABEL]: namespace } };
}

/** `selector` with `k8s:io.kubernetes.pod.namespace Exists` when it has a namespace-labels key and no namespace key (`selectorNeedsNamespaceKeyBefore116`). */
function withAnyNamespace(selector: LabelSelectorModel): LabelSelectorModel {
  return selectorNeedsNamespaceKeyBefore116(selector)
    ? { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), { key: NAMESPACE_LABEL, operator: 'Exists' }] } : selector;
}

/** A short description of a value given where a selector goes: a construct's path, else its type. */
function describeSelectorValue(value: unknown): string {
  const path = (value as { node?: { path?: unknown } } | null)?.node?.path;
  return typeof path === 'string' ? `(the construct ${path})` : `(${value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : typeof value})`;
}

/**
 * A CNP selects pods of its own namespace only (`subjectNamespaceMatches`): a `k8s:` namespace label of another value is
 * replaced by the policy's, so the policy would apply to that namespace's pods with the other labels, pods the selector
 * did not name; any other namespace match that leaves out the policy's namespace is ANDed with it, and the policy selects
 * no pod (the pods meant get no policy at all).
 */
function subjectNamespaceLabels(model: LabelSelectorModel, context: RuleRenderContext, diagnostics: Diagnostic[]): void {
  const ns = context.namespace;
  if (ns === undefined) return;
  for (const m of subjectNamespaceMatches(model, ns)) {
    if (m.effect === 'no-effect') continue;
    if (m.field === 'matchLabels') {
      const value = String(m.value);
      diagnostics.push({
        id: 'subject-namespace-mismatch',
        severity: Severity.ERROR,
        path: `${context.path}.endpointSelector.matchLabels["${m.key}"]`,
        message: `the endpointSelector names namespace ${JSON.stringify(value)}, but a CiliumNetworkPolicy of ${ns} selects pods of ${ns} only: `
          + (m.effect === 'replaced' ? `Cilium replaces the label, so the policy would apply to the pods of ${ns} with the other labels, which the selector `
            + 'did not name' : `Cilium adds ${NAMESPACE_LABEL}=${ns}, so the policy would select no pod`),
        fix: `create the policy in namespace ${value} (namespace: '${value}'), or drop ${m.key} from the endpointSelector`,
      });
    } else {
      const values = m.values ?? [];
      diagnostics.push({
        id: 'subject-namespace-mismatch',
        severity: Severity.ERROR,
        path: `${context.path}.endpointSelector.matchExpressions[${m.index}]`,
        message: `the endpointSelector requires ${m.key} ${m.operator}${values.length ? ` (${values.join(', ')})` : ''}, but a CiliumNetworkPolicy of `
          + `${ns} selects pods of ${ns} only (Cilium adds ${NAMESPACE_LABEL}=${ns}), so the policy would select no pod`,
        fix: values.length === 1 && m.operator === 'In'
          ? `create the policy in namespace ${values[0]} (namespace: '${values[0]}'), or drop the expression`
          : 'drop the namespace expression (one CiliumNetworkPolicy per namespace, or a CiliumClusterwideNetworkPolicy for several)',
      });
    }
  }
}

/**
 * Refuses what the types rule out but plain JavaScript (or code written for 0.x) can pass where a selector goes: a
 * workload construct itself, a plain label map (`{ app: 'web' }`), a string, and `null`, `false` or `''` (a lookup that
 * found nothing): those were read as no selector, so the rule applied to every endpoint (`endpointSelector: {}`), also
 * for a `nodeSelector` meant to make it a host policy.
 * @param value the value given (`undefined`: none)
 * @param field `endpointSelector` or `nodeSelector`
 * @param location the construct path
 * @param noneMeans what no selector means there, for the message
 */
export function checkSelectorValue(value: unknown, field: 'endpointSelector' | 'nodeSelector', location: string,
  noneMeans = field === 'endpointSelector' ? 'the rule would apply to every endpoint' : 'the rule would be no host policy, and apply to every endpoint'): void {
  const [method, what, fix] = field === 'endpointSelector'
    ? ['toEndpointSelector', 'an endpoint selector', 'select the pods of a workload with EndpointSelector.workload(deployment), or labels with EndpointSelector.labels({ … })']
    : ['toNodeSelector', 'a node selector', 'select nodes with NodeSelector.labels({ … }) or NodeSelector.all()'];
  if (value === undefined) return;
  const readable = readWorkload(value) !== UNREADABLE;
  if (value === null || !readable || !hasFunction(value, method)) {
    throw new CiliumPolicyError({
      id: 'selector-unknown',
      message: `${field} ${describeSelectorValue(value)} ${readable ? '' : `whose ${method} or _workload cannot be read `}is not ${what}`
        + `${value ? '' : `: it would be read as none, and ${noneMeans}`}`,
      fix: `${fix}${value ? '' : `; leave ${field} out${field === 'endpointSelector' ? ' (or say EndpointSelector.all())' : ''} if that is meant`}`,
      location,
    });
  }
}

/**
 * The subject selector as read at synthesis, refused (`selector-empty`) when it is one of one's own (not an `EndpointSelector`
 * or `NodeSelector`) and requires nothing (`{}`, `{ matchLabels: {} }`: a label map left empty): the rule would apply to every
 * pod of the namespace, every endpoint of the cluster in a clusterwide policy, or every node, where `EndpointSelector.labels({})`
 * and `NodeSelector.labels({})` are refused. `EndpointSelector.all()` and `NodeSelector.all()` say it outright and stay accepted.
 * One whose `matchExpressions` is an empty list is refused too (`selector-empty`, `emptyExpressionList`), as the factories refuse
 * `expressions: []`: Cilium reads it as no requirement.
 */
/** Whether `value[method]` is a function; a getter that throws reads as none. */
function hasFunction(value: unknown, method: string): boolean {
  try {
    return typeof (value as Record<string, unknown>)[method] === 'function';
  } catch {
    return false;
  }
}

function ownSelectorChecked(selector: IEndpointSelector | INodeSelector, model: LabelSelectorModel, context: RuleRenderContext,
  diagnostics: Diagnostic[]): LabelSelectorModel {
  const node = 'toNodeSelector' in selector;
  if (hasValueMark(selector, 'EndpointSelector') || hasValueMark(selector, 'NodeSelector')) return model;
  if (model === null || typeof model !== 'object' || Array.isArray(model)) return model;
  // `matchExpressions: []` is written, and Cilium reads it as no requirement: the rule applied to pods the exclusions meant to keep out.
  const empty = emptyExpressionList(model.matchExpressions, `the ${node ? 'node' : 'endpoint'} selector of one's own answered ${showValue(model, 200)} with`,
    'matchExpressions');
  if (empty !== undefined) {
    diagnostics.push({ ...empty, severity: Severity.ERROR, path: `${context.path}.${node ? 'nodeSelector' : 'endpointSelector'}` });
    return model;
  }
  // As the selectors of one's own a peer answers (`checkOwnSelectorShape`): an `In`/`NotIn` without values, which the API
  // server refuses, and requirements no label set satisfies together, a subject that puts no pod into default deny.
  const answered = `the ${node ? 'node' : 'endpoint'} selector of one's own answered ${showValue(model, 200)}`;
  const shape = expressionsShapeProblem(model);
  const refusal = shape !== undefined
    ? { id: 'selector-unknown', message: `${answered}: its ${shape.reason}`, fix: shape.fix }
    : selectorContradiction(model, `${answered}, which`);
  if (refusal !== undefined) {
    diagnostics.push({ ...refusal, severity: Severity.ERROR, path: `${context.path}.${node ? 'nodeSelector' : 'endpointSelector'}` });
    return model;
  }
  if (!selectorRequiresNothing(model)) return model;
  const every = node ? 'every node of the cluster'
    : context.kind === 'CiliumClusterwideNetworkPolicy' ? 'every endpoint of the cluster' : `every pod of namespace ${context.namespace}`;
  diagnostics.push({
    id: 'selector-empty',
    severity: Severity.ERROR,
    path: `${context.path}.${node ? 'nodeSelector' : 'endpointSelector'}`,
    message: `the ${node ? 'node' : 'endpoint'} selector of one's own answered ${showValue(model, 200)}, which requires no label: the rule would apply to ${every}, `
      + `as an empty label map given to ${node ? 'NodeSelector' : 'EndpointSelector'}.labels() would (it is refused)`,
    fix: `give the labels meant; if ${every} is meant, say so with ${node ? 'NodeSelector' : 'EndpointSelector'}.all()`,
  });
  return model;
}

/**
 * Refuses the endpoint selector of a clusterwide rule that only excludes (`NotIn`/`DoesNotExist`, no label it requires,
 * `subject-selector-only-excludes`), as it will be written (a workload's namespace added). Cilium adds no namespace to the
 * subject of a CCNP (`ParseToCiliumRule` with no namespace), so such a selector also matches Cilium's own endpoints, which
 * lack those labels: the health endpoint (`reserved:health`), the ingress endpoint (`reserved:ingress`) and pods still
 * initializing (`reserved:init`). They get what the rule gives (`ruleEffects`): its allows (the world into the health
 * endpoint, the ingress proxy out to the rule's peers), its denies, its default deny; each is beyond the props.
 * "Pods of every namespace but kube-system" says so with `io.kubernetes.pod.namespace Exists` beside the exclusion, as
 * `ClusterDefaultDeny` writes it.
 */
function subjectOnlyExcludes(model: LabelSelectorModel, rule: RuleModel, context: RuleRenderContext, diagnostics: Diagnostic[]): void {
  // A selector of one's own whose parts are no map or list of expressions is left to the other checks, not read here.
  if (!writtenSelectorOnlyExcludes(model)) return;
  // One that keeps them out itself (`reserved:health DoesNotExist`, …) selects pods only.
  const taken = reservedSubjectsSelected(Selector.from(model));
  if (taken.length === 0) return;
  diagnostics.push({
    id: 'subject-selector-only-excludes',
    severity: Severity.ERROR,
    path: `${context.path}.endpointSelector`,
    message: `the endpoint selector ${describeSelector(model)} only excludes, and Cilium adds no namespace to the subject of a clusterwide policy: `
      + 'besides the pods it does not exclude, the rule would apply to Cilium\'s own endpoints without those labels (the health and ingress '
      + `endpoints and pods still initializing: ${taken.join(', ')}), which would get ${ruleEffects({ ...rule }) ?? 'whatever rules it is given'}`,
    fix: `keep it to pods: add LabelExpression.exists('${NAMESPACE_LABEL}') to its expressions (every pod of every namespace but those excluded), `
      + 'or a label the pods carry',
  });
}

/** An allow or deny call, as a refusal names it. */
export type RuleVerb = 'allowIngress' | 'allowEgress' | 'denyIngress' | 'denyEgress';

/**
 * The one check of the arguments of an allow or deny call, made by every such public method (`PolicyRule`, `PolicyBase`,
 * `HostFirewall`) before it changes anything: it refuses what the types rule out but plain JavaScript (or a caller of the 0.x
 * API) can still pass. A construct or other non-peer as the peer; anything but an object literal where the options go (a port
 * list, a `Port`, L7 rules, a peer, a selector, a construct, a `Map`, a class instance: its fields were not read as options, and
 * the rule was written without toPorts, allowing, or denying, every port); an argument after the options (the 0.x form
 * `allowIngress(peer, undefined, undefined, { authentication })` lost its authentication, `…, { ports }, L7.http(…))` its L7
 * rules); an option the call does not know or cannot take.
 * @param verb the call
 * @param peer the peer given
 * @param options the options given (`{}` when left out)
 * @param argumentCount how many arguments the call got (`arguments.length`)
 * @param location the construct path
 * @returns the options read once (`readPropsOnce`), which the call checks and writes: a getter is not read again
 */
export function checkRuleCall(verb: RuleVerb, peer: unknown, options: unknown, argumentCount: number, location: string): AllowOptions {
  checkPeerValue(peer, verb, location);
  // The peer as the messages below show it, never a TypeError of its own: a peer with no prototype (`Object.create(null)`
  // holding a `toPeerConfig`) has no `toString`, and `peer.toString()` threw where the refusal was meant (`textOf`).
  const shownPeer = textOf(peer);
  const deny = verb.startsWith('deny');
  const example = deny ? '{ ports: [Port.tcp(8080)] }' : '{ ports: [Port.tcp(8080)], l7, authentication, serverNames }';
  if (argumentCount > 2) {
    throw new CiliumPolicyError({
      id: 'rule-options-positional',
      message: `${verb}(${shownPeer}, …) got ${argumentCount} arguments: the call takes the peer and the options, and an argument after the `
        + `options would be dropped (its ports, L7 rules or authentication with it), the rule ${deny ? 'denying' : 'allowing'} more than asked`,
      fix: `pass everything in the one options object: ${verb}(peer, ${example})`,
      location,
    });
  }
  // A value of the SDK or another class instance where the options go (`allowIngress(peer, Port.tcp(80))`, `…, L7.http(…))`,
  // `…, EndpointSelector.labels(…))`): its fields are not options, and the rule was written without toPorts.
  if (!isObjectLiteral(options)) {
    const value = sdkValueKind(options);
    const kind = value?.kind ?? (Array.isArray(options) ? 'a port list' : describeInstance(options));
    const shown = value?.shown ?? (Array.isArray(options) ? '[…]' : options !== null && typeof options === 'object' ? kind : String(options));
    throw new CiliumPolicyError({
      id: 'rule-options-positional',
      message: `${verb}(${shownPeer}, ${shown}): the second argument is the options, not ${kind}; the rule would be written `
        + `without ports, ${deny ? 'denying' : 'allowing'} every port`,
      fix: value?.kind === 'a peer' ? `one peer a call: ${verb}(peer, { ports }) once for each peer`
        : value?.kind === 'L7 rules' ? `pass the L7 rules with their ports in the options: ${verb}(peer, { ports: [Port.tcp(8080)], l7 })`
          : value?.kind === 'a Port' || Array.isArray(options) ? `pass the ports as a list in the options: ${verb}(peer, { ports: [Port.tcp(8080)] })`
            : `pass the options as an object literal: ${verb}(peer, { ports: [Port.tcp(8080)] }), or leave them out for every port`,
      location,
    });
  }
  // From plain JavaScript an option the call does not know is dropped: `{ port: [...] }` (for `ports`) allowed every port.
  // A deny reads its ports only and leaves the allow options out, as documented (`DenyOptions`). Checked before the options are
  // read (`readPropsOnce` runs every getter): it reads only the keys it does not know, and an unknown option whose getter throws
  // is refused as unknown (`checkKnownKeys`), not passed on as the getter's error.
  checkKnownKeys(options, OPTION_KEYS, ({ key, near }) => ({
    id: 'rule-option-unknown',
    message: `${verb}(${shownPeer}, { ${key} }): ${verb}() has no option ${key}; it would be left out, and the rule would `
      + `${deny ? 'deny' : 'allow'} more than asked (every port, when it was meant for ports)`,
    fix: `${near !== undefined ? `did you mean ${near}? ` : ''}the options are ${deny ? 'ports' : OPTION_KEYS.join(', ')}`,
    location,
  }));
  // Read once (`readPropsOnce`): a getter answering `serverNames: ['api.example.com']` or an `l7` to these checks and
  // `undefined` when the rule was kept was written without its SNI restriction or its L7 rules (any server name, any request).
  const given = readPropsOnce(options as object, { keys: OPTION_KEYS }) as Record<string, unknown>;
  // Cilium's deny rules carry ports only (`PortDenyRule`: no `rules`, no `serverNames`; no `authentication` in a deny item): from
  // plain JavaScript an allow option given to a deny was dropped, and `denyIngress(peer, { ports, l7: <GET /admin> })` denied every
  // request on the ports, not the one meant.
  const allowOnly = deny ? DENY_DROPS.filter((k) => given[k] !== undefined) : [];
  if (allowOnly.length > 0) {
    throw new CiliumPolicyError({
      id: 'deny-allow-option',
      message: `${verb}(${shownPeer}, { ${allowOnly.join(', ')} }): ${allowOnly.join(' and ')} ${allowOnly.length > 1 ? 'are options' : 'is an option'} `
        + 'of allow rules only: a Cilium deny rule carries ports (and ICMP types), no L7 rules, authentication or server names, so '
        + `${allowOnly.length > 1 ? 'they' : 'it'} would be dropped and the deny would hold every connection to the peer on its ports`,
      fix: `drop ${allowOnly.join(', ')} and deny by peer and port; to stop some requests only, allow the others (allowIngress/allowEgress `
        + 'with { ports, l7 }): the L7 proxy then refuses the requests no rule allows',
      location,
    });
  }
  if (given.l7 !== undefined && typeof (given.l7 as Partial<L7> | null)?._toModel !== 'function') {
    throw new CiliumPolicyError({
      id: 'l7-not-l7',
      message: `${verb}(${shownPeer}, { l7 }): l7 is ${given.l7 === null ? 'null' : `${typeof given.l7 === 'object' ? 'an object' : `a ${typeof given.l7}`} that is not an L7 value`}`,
      fix: "build it with L7.http(HttpRule.get('/api/.*')), L7.kafka(…), L7.dns(…) or L7.generic(…), or leave l7 out",
      location,
    });
  }
  if (given.serverNames !== undefined && !Array.isArray(given.serverNames)) {
    throw new CiliumPolicyError({
      id: 'server-names-not-list',
      message: `${verb}(${shownPeer}, { serverNames }): serverNames is ${showValue(given.serverNames)}, not a list`
        + (typeof given.serverNames === 'string' ? ' (a string would be read character by character)' : ''),
      fix: `pass a list: serverNames: [${typeof given.serverNames === 'string' ? JSON.stringify(given.serverNames) : "'api.example.com'"}]`,
      location,
    });
  }
  return given as AllowOptions;
}

/**
 * What a value object of the SDK given where the options of an allow or deny call go is (a `Port`, `L7` rules, a peer), with
 * how a refusal shows it, for a fix that says where it goes; `undefined` for anything else (`checkRuleCall` names it by its
 * class, `describeInstance`).
 */
function sdkValueKind(options: unknown): { kind: 'a Port' | 'L7 rules' | 'a peer'; shown: string } | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  if (isPort(options)) return { kind: 'a Port', shown: `Port ${options.toString()}` };
  if (typeof (options as Partial<L7>)._toModel === 'function') return { kind: 'L7 rules', shown: 'L7 rules' };
  if (isPeer(options)) return { kind: 'a peer', shown: textOf(options) };
  return undefined;
}

/**
 * Refuses an optional peer prop or option given as `null` (a lookup that found nothing), then checks a given one as
 * `checkPeerValue` does; left out (`undefined`), the default applies. `null` was read as left out and took the default,
 * which opens a path the caller did not name: `HostFirewall` `hubbleRelay: null` opened 4244/TCP to the hubble-relay pods,
 * `dnsServer: null` (`FqdnEgress`, `DefaultDenyNamespace`, `TieredApp`, `ClusterDefaultDeny`, `Builtins.allowDns`) 53/UDP
 * and 53/TCP to kube-dns, as the same constructs refuse `null` for their flags, lists and selectors.
 * @param peer the value given
 * @param prop the prop or option, as the message names it (`HostFirewall hubbleRelay`)
 * @param omitted what leaving it out gives (`Peer.kubeDns()`), and how to say "none" when there is a way
 * @param location the construct path
 */
export function checkOptionalPeer(peer: unknown, prop: string, omitted: { default: string; none?: string }, location: string): void {
  if (peer === undefined) return;
  if (peer === null) {
    throw new CiliumPolicyError({
      id: 'peer-unknown',
      message: `${prop} is null, not a peer: null is not taken as left out, which would apply the default (${omitted.default}) the call did not name`,
      fix: `leave ${prop.slice(prop.lastIndexOf(' ') + 1)} out for the default (${omitted.default})${omitted.none !== undefined ? `, ${omitted.none}` : ''}, `
        + 'or pass the peer meant',
      location,
    });
  }
  checkPeerValue(peer, `${prop}:`, location);
}

/**
 * Refuses a value that is not a peer where one goes (plain JavaScript): a workload construct itself, a string.
 * @param peer the value given
 * @param verb the call, for the fix (`allowEgress`), or the prop followed by a colon (`MonitoringScrape scraper:`)
 * @param location the construct path
 */
export function checkPeerValue(peer: unknown, verb: string, location: string): asserts peer is IPeer {
  const kind = peerValueKind(peer);
  if (kind === 'peer') return;
  // A revoked proxy, or a toPeerConfig or _workload getter that throws: refused as no peer, not a TypeError or the getter's error.
  if (kind === 'unreadable') {
    throw new CiliumPolicyError({
      id: 'peer-unknown',
      message: `${verb.replace(/:$/, '')}: ${describeValue(peer)} whose toPeerConfig or _workload cannot be read is not a peer`,
      fix: 'pass a Peer (Peer.endpoints(), Peer.entity(), Peer.workload(deployment), …)',
      location,
    });
  }
  const construct = isApiObjectHolder(peer);
  throw new CiliumPolicyError({
    id: 'peer-unknown',
    message: `${construct ? peer.node.path : textOf(peer)} is not a peer`,
    fix: construct
      ? `wrap a workload or Service in Peer.workload(): ${verb.endsWith(':') ? `${verb} ` : `${verb}(`}Peer.workload(deployment)${verb.endsWith(':') ? '' : ')'}`
      : 'pass a Peer (Peer.endpoints(), Peer.entity(), Peer.workload(deployment), …)',
    location,
  });
}
