import { Construct, IConstruct } from 'constructs';
import { CiliumPolicy, requireNamespace } from './cilium-policy';
import { CiliumPolicyError, showValue } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { DnsRule, L7 } from './l7';
import { IPeer, Peer, PEER_ENTRIES, peerEntryKey } from './peer';
import { checkEntriesUnique } from './list-duplicates';
import { defaultName } from './policy-base';
import { checkPortsUnique, isPort, Port } from './port';
import { EndpointSelector, IEndpointSelector } from './selector';
import { checkWorkloadUse, noServingPorts, readWorkload, servingPorts } from './workload';
import { allowDns, allowHostProbes, builtinsSummary } from './builtins';
import { Selector } from '../model/labels';
import { noPodLabelReason, selectorRequiresPodLabel } from '../model/selectors';
import { LabelSelectorModel, PolicyKind, SectionName } from '../model/policy-model';
import { describeSelector, implies, subjectSelector } from '../validate/pod-selectors';
import { checkOptionalPeer, checkPeerValue } from './policy-rule';
import { checkFlags, checkLabelMap, checkListOf, checkPropsObject, readPropsOnce } from './names';
import { peerAsJudged, refuseWorldScraper } from './peer-config';
import { CompiledPort, compilePortEntry } from '../model/port-entries';
import { portsMeet } from '../validate/pitfall-l7-widened';
import { namedPortKey, namedPortNumbers } from '../model/named-port-numbers';

/** The fields of `TierEgress` (`checkPropKeys`). */
export const TIER_EGRESS_KEYS: readonly string[] = ['peer', 'ports', 'l7'];

/** The fields of `Tier` (`checkPropKeys`). */
export const TIER_KEYS: readonly string[] = ['name', 'labels', 'workload', 'selector', 'ports', 'metricsPorts', 'l7', 'egress'];

/**
 * A tier's egress entry as `checkEntriesUnique` compares it: its peer (`peerEntryKey`), its ports as a set and its L7 rules
 * as written (`portsAsSet`: in the order given, for the text); `undefined` (not compared) for a peer of one's own, or ports and L7 rules that are not the SDK's.
 */
function tierEgressKey(entry: TierEgress, portsAsSet = true): string | undefined {
  const peer = peerEntryKey(entry.peer);
  const ports = entry.ports;
  if (peer === undefined || (ports !== undefined && (!Array.isArray(ports) || !ports.every(isPort)))) return undefined;
  const l7 = entry.l7 === undefined ? null : typeof (entry.l7 as Partial<L7>)._toModel === 'function' ? entry.l7._toModel() : undefined;
  if (l7 === undefined) return undefined;
  const shown = ports?.map(String);
  return JSON.stringify([peer, shown === undefined ? null : portsAsSet ? shown.sort() : shown, l7]);
}

/** The props of `TieredAppProps` (`checkPropKeys`). */
export const TIERED_APP_PROPS: readonly string[] = ['tiers', 'entry', 'namespace', 'name', 'egressLockdown', 'dnsServer', 'dnsRules', 'metricsFrom',
  'allowHostProbes'];

/** An extra egress allowance of a tier (used with `egressLockdown`). */
export interface TierEgress {
  /** Where the tier may connect (a workload's pods: `Peer.workload(deployment)`). */
  readonly peer: IPeer;
  /**
   * On which ports.
   * @default - all ports; for a workload or Service (`Peer.workload()`), the target ports of its Service (refused when
   * they are unknown), never a port merely declared by a container
   */
  readonly ports?: Port[];
  /**
   * L7 rules for those ports.
   * @default - none
   */
  readonly l7?: L7;
}

/** One tier of a `TieredApp`. */
export interface Tier {
  /** Name of the tier, used in the policy name (`<app>-<tier>`). */
  readonly name: string;
  /**
   * Pod labels of the tier (exactly one of `labels`, `workload` and `selector` is required). A tier whose labels select
   * every pod of another tier is refused (`tiered-app-tiers-overlap`): those pods would get both tiers' ingress. Labels
   * that say no more than the namespace (`k8s:io.kubernetes.pod.namespace: <the app's>`: Cilium sets a CNP subject's
   * namespace to the policy's) or the cluster label select every pod of it, and are refused as `{}` is (`selector-empty`).
   * @default - taken from `workload` or `selector`
   */
  readonly labels?: Record<string, string>;
  /**
   * A workload (cdk8s-plus Deployment, StatefulSet, DaemonSet, Pod, or an ApiObject of such a kind) or a Service
   * (its selector, and its target ports, never the service ports) whose pods are the tier.
   * @default - selected by `labels` or `selector`
   */
  readonly workload?: IConstruct;
  /**
   * An endpoint selector for the tier's pods, when neither labels nor a workload say it. One that requires no pod label by
   * value (`selectorRequiresPodLabel`: no equality or `In` on a label of the pods' own, so no more than the namespace,
   * `io.kubernetes.pod.namespace Exists`, or only `NotIn`/`DoesNotExist`/`Exists`, `app NotIn (web)`) is refused
   * (`selector-empty`): every pod of the namespace but those it excludes; `EndpointSelector.all()` (every pod of the
   * namespace, said outright) is accepted for a tier alone.
   * @default - selected by `labels` or `workload`
   */
  readonly selector?: IEndpointSelector;
  /**
   * The container ports the tier serves on (never a Service port: Cilium enforces after service translation).
   * @default - the target ports of the Service given as `workload`, or of the Services of the app that select the
   * workload; never ports merely declared by a container (metrics, admin)
   */
  readonly ports?: Port[];
  /**
   * The tier's metrics ports, opened to `metricsFrom` only (and only on this tier). Ports that meet the tier's serving ports
   * when it has `l7` rules are refused (`tiered-app-metrics-ports`): the scraper would be allowed there without the L7 rules,
   * so every request of it would pass; serve metrics on a port of their own.
   * @default - none: `metricsFrom` cannot reach the tier
   */
  readonly metricsPorts?: Port[];
  /**
   * L7 rules for traffic into the tier (HTTP or Kafka on TCP ports).
   * @default - no L7 restriction
   */
  readonly l7?: L7;
  /**
   * Additional egress of the tier when `egressLockdown` is on (a database, an external API…).
   * @default - none
   */
  readonly egress?: TierEgress[];
}

interface ResolvedTier {
  readonly name: string;
  readonly selector: IEndpointSelector;
  readonly ports: Port[];
  readonly l7?: L7;
  readonly egress?: TierEgress[];
  readonly metricsPorts?: Port[];
  /** The workload of the tier, whose container ports name its named ports. */
  readonly workload?: IConstruct;
}

/** Properties of a `TieredApp`. */
export interface TieredAppProps {
  /** The tiers, front to back: each admits only the tier before it; the first admits `entry`. */
  readonly tiers: Tier[];
  /**
   * Who may reach the first tier: an ingress controller, a gateway. An empty list is refused (`tiered-app-entry-empty`):
   * leave it out to admit nobody.
   * @default - nobody but the local node's probes (`allowHostProbes`; the first tier is then reachable only through later changes)
   */
  readonly entry?: IPeer[];
  /**
   * Namespace of the app.
   * @default - the chart's namespace (one of the two is required)
   */
  readonly namespace?: string;
  /**
   * Prefix of the policy names (`<name>-<tier>`).
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * Lock egress down too: each tier may reach only the next tier, DNS (companion rule built in) and its declared
   * `egress` peers. Without it no tier allows egress to the next, so beside an egress default deny of the namespace
   * (`DefaultDenyNamespace`, `ClusterDefaultDeny` with `egress: true`) each connection between tiers is dropped at its
   * source: set it there.
   * @default false
   */
  readonly egressLockdown?: boolean;
  /**
   * The DNS server for `egressLockdown` (refused without it, `tiered-app-dns-without-lockdown`).
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, a /0) is refused (`dns-server-world`),
   * and so is one far wider than a resolver (`dns-server-broad`) or one that cannot be a resolver (`dns-server-not-resolver`:
   * a DNS name, a CIDR group, an entity other than `host`, nodes by label; see `Builtins.allowDns`).
   * `null` is refused (`peer-unknown`), not read as left out.
   * @default Peer.kubeDns()
   */
  readonly dnsServer?: IPeer;
  /**
   * Names the tiers may look up under `egressLockdown`.
   * @default - every name
   */
  readonly dnsRules?: DnsRule[];
  /**
   * A metrics scraper (e.g. Prometheus), allowed into each tier on that tier's own `metricsPorts` (a tier without
   * them is not scraped; at least one tier must declare them). A peer that selects the world (`Peer.any()`, the `world` or
   * `all` entity, a /0) is refused (`scraper-world`); so is one far wider than a scraper (`scraper-broad`, as for
   * `DefaultDenyNamespace` `scrapeFrom`).
   * @default - none
   */
  readonly metricsFrom?: IPeer;
  /**
   * Admit the local node (`host` entity: kubelet liveness/readiness/startup probes, and hostNetwork pods of the node) into
   * every tier, on every port (a probe may target any container port). Needed where the agent does not exempt the host
   * (`allow-localhost=policy`); turn it off where it does, or where no tier is probed, so that hostNetwork pods do not
   * reach every port of every tier.
   * @default true
   */
  readonly allowHostProbes?: boolean;
}

/**
 * An application of ordered tiers (web → api → db), one CiliumNetworkPolicy per tier.
 *
 * The first tier admits the entry peers, each next tier only the tier before it, always on the tiers' serving
 * ports. Every tier admits `host` (kubelet probes) on every port unless `allowHostProbes` is false, and nothing else built in
 * (Cilium's `health` checks probe nodes, never pods). Peer selectors always carry the namespace label
 * explicitly, so a rule copied into a CCNP stays safe. With `egressLockdown`, each tier may reach only the next tier,
 * DNS and its declared extra peers.
 */
export class TieredApp extends Construct {
  /** The policies, one per tier, in tier order. */
  public readonly policies: CiliumPolicy[] = [];
  /** The namespace of the app. */
  public readonly namespace: string;

  private readonly tierPeers: Peer[] = [];

  constructor(scope: Construct, id: string, props: TieredAppProps) {
    super(scope, id);
    checkPropsObject(props, 'new TieredApp()', "{ tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)] }] }", this.node.path, true);
    // `egresLockdown: true` left egress open; a tier's `metricPorts` or an egress entry's `port` were dropped likewise.
    props = readPropsOnce(props, {
      keys: TIERED_APP_PROPS, owner: 'TieredApp',
      lists: { tiers: { keys: TIER_KEYS, owner: 'Tier', lists: { egress: { keys: TIER_EGRESS_KEYS, owner: 'TierEgress' } } } },
    }, { location: this.node.path });
    const namespace = requireNamespace(scope, id, props.namespace, 'TieredApp');
    // `dnsServer: null` was read as left out: DNS to kube-dns (53/UDP, 53/TCP), a path the props did not name.
    checkOptionalPeer(props.dnsServer, 'TieredApp dnsServer', { default: 'Peer.kubeDns(), the kube-dns pods of kube-system' }, this.node.path);
    checkFlags(props, ['egressLockdown', 'allowHostProbes'], 'TieredApp', this.node.path);
    this.namespace = namespace;
    checkListOf(props.entry, 'TieredApp entry', 'a peer', undefined, this.node.path);
    checkListOf(props.tiers, 'TieredApp tiers', 'a tier ({ name, labels, ports })', 'name', this.node.path);
    if (!props.tiers || props.tiers.length === 0) {
      throw new CiliumPolicyError({ id: 'tiered-app-no-tiers', message: 'TieredApp needs at least one tier', fix: "pass tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)] }]", location: this.node.path });
    }
    if (props.entry !== undefined && props.entry.length === 0) {
      throw new CiliumPolicyError({
        id: 'tiered-app-entry-empty',
        message: 'TieredApp entry is an empty list: nobody is named to reach the first tier (is a computed list empty by mistake?)',
        fix: 'name the entry peers (an ingress controller, a gateway), or leave entry out if only the node\'s probes may reach the first tier',
        location: this.node.path,
      });
    }
    // Each entry a peer before the list is compared: a revoked proxy or a `toPeerConfig` getter that throws was a TypeError there.
    (props.entry ?? []).forEach((peer, i) => checkPeerValue(peer, `TieredApp entry[${i}]:`, this.node.path));
    checkEntriesUnique(props.entry, { what: 'TieredApp entry', verb: 'admits it', ...PEER_ENTRIES }, this.node.path);
    if ((props.dnsRules !== undefined || props.dnsServer !== undefined) && !props.egressLockdown) {
      const given = props.dnsRules !== undefined ? 'dnsRules' : 'dnsServer';
      throw new CiliumPolicyError({
        id: 'tiered-app-dns-without-lockdown',
        message: `${given} is set, but egressLockdown is off, so DNS is not restricted at all`,
        fix: `set egressLockdown: true, or drop ${given}`,
        location: this.node.path,
      });
    }
    const prefix = props.name ?? defaultName(id);
    const tiers = props.tiers.map((tier) => this.resolveTier(tier));
    const scraped = tiers.filter((t) => t.metricsPorts !== undefined);
    if (props.metricsFrom && scraped.length === 0) {
      throw new CiliumPolicyError({
        id: 'tiered-app-metrics-ports',
        message: 'metricsFrom is set, but no tier declares metricsPorts, so the scraper could reach nothing',
        fix: "give the tiers that expose metrics their ports, e.g. { name: 'api', …, metricsPorts: [Port.tcp(9090)] }",
        location: this.node.path,
      });
    }
    // Judged and written as read now (`peerAsJudged`): a scraper of one's own that answers the world at synthesis is not written.
    const metricsFrom = peerAsJudged(props.metricsFrom);
    if (metricsFrom && scraped.length > 0) {
      refuseWorldScraper(metricsFrom, 'TieredApp metricsFrom', `the metricsPorts of tier ${scraped.map((t) => t.name).join(', ')}`, this.node.path);
    }
    if (!props.metricsFrom && scraped.length > 0) {
      throw new CiliumPolicyError({
        id: 'tiered-app-metrics-ports',
        message: `tier ${scraped[0].name} declares metricsPorts, but metricsFrom is not set, so nobody may scrape them`,
        fix: "set metricsFrom: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }), or drop metricsPorts",
        location: this.node.path,
      });
    }
    if (metricsFrom) for (const tier of scraped) refuseMetricsPastL7(tier, metricsFrom, this.node.path);
    const hostProbes = props.allowHostProbes ?? true;
    /** The metrics ports `metricsFrom` reaches on a tier. */
    const scrapedPorts = (tier: ResolvedTier): Port[] | undefined => (metricsFrom !== undefined ? tier.metricsPorts : undefined);
    const names = new Set<string>();
    tiers.forEach((tier, i) => {
      if (names.has(tier.name)) {
        throw new CiliumPolicyError({ id: 'tiered-app-duplicate-tier', message: `tier name "${tier.name}" is used twice`, fix: 'give every tier its own name', location: this.node.path });
      }
      names.add(tier.name);
      const policy = new CiliumPolicy(this, tier.name, {
        name: `${prefix}-${defaultName(tier.name)}`,
        namespace,
        endpointSelector: tier.selector,
        description: `tier ${tier.name} of ${prefix}: ${i > 0 ? `reachable only from tier ${tiers[i - 1].name}` : props.entry !== undefined
          ? 'reachable from the entry peers' : hostProbes || scrapedPorts(tier) !== undefined ? 'no entry peers' : 'reachable by nobody (no entry peers)'}`
          + builtinsSummary({ hostProbes,
            dns: props.egressLockdown ? { dnsServer: props.dnsServer, dnsRules: props.dnsRules } : undefined }),
      });
      this.policies.push(policy);
      this.tierPeers.push(tierPeer(tier, namespace, this.node.path));
    });
    checkTiersDisjoint(tiers, namespace, this.node.path, CiliumVersion.of(this));
    tiers.forEach((tier, i) => {
      const rule = this.policies[i].rule;
      const sources = i === 0 ? (props.entry ?? []) : [this.tierPeers[i - 1]];
      for (const source of sources) rule.allowIngress(source, { ports: tier.ports, l7: tier.l7 });
      if (hostProbes) allowHostProbes(rule);
      const metricsPorts = scrapedPorts(tier);
      if (metricsFrom && metricsPorts) rule.allowIngress(metricsFrom, { ports: metricsPorts });
      // A tier nobody is named to reach stays in ingress default deny (no ingress rule at all would leave it open).
      if (!rule.hasSection(SectionName.INGRESS)) rule.isolateIngress();
      if (props.egressLockdown) {
        allowDns(rule, { dnsServer: props.dnsServer, dnsRules: props.dnsRules });
        if (i + 1 < tiers.length) rule.allowEgress(this.tierPeers[i + 1], { ports: tiers[i + 1].ports });
        for (const extra of tier.egress ?? []) rule.allowEgress(extra.peer, { ports: extra.ports, l7: extra.l7 });
      } else if (tier.egress && tier.egress.length > 0) {
        throw new CiliumPolicyError({
          id: 'tiered-app-egress-without-lockdown',
          message: `tier ${tier.name} declares egress peers, but egressLockdown is off, so egress is not restricted anyway`,
          fix: 'set egressLockdown: true, or drop the egress list',
          location: this.node.path,
        });
      }
    });
  }

  /** A peer for the pods of a tier, with the namespace explicit, e.g. to allow it into a database elsewhere. */
  public tierPeer(name: string): Peer {
    const index = this.policies.findIndex((p) => p.node.id === name);
    if (index < 0) {
      throw new CiliumPolicyError({
        id: 'tiered-app-unknown-tier', message: `no tier named "${name}"`, fix: `use one of ${this.policies.map((p) => p.node.id).join(', ')}`, location: this.node.path,
      });
    }
    return this.tierPeers[index];
  }

  private resolveTier(tier: Tier): ResolvedTier {
    if (typeof tier.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i.test(tier.name)) {
      throw new CiliumPolicyError({
        id: 'tiered-app-tier-name',
        message: `tier name ${showValue(tier.name)} cannot name a policy (${'`<app>-<tier>`'})`,
        fix: "use letters, digits and dashes, e.g. name: 'api'",
        location: this.node.path,
      });
    }
    if (!tier.labels && !tier.workload && !tier.selector) {
      throw new CiliumPolicyError({
        id: 'tiered-app-tier-selector', message: `tier ${tier.name} needs labels or a workload`, fix: "pass labels: { app: '…' } or workload: <Deployment>", location: this.node.path,
      });
    }
    if ([tier.labels, tier.workload, tier.selector].filter((x) => x !== undefined).length > 1) {
      throw new CiliumPolicyError({
        id: 'tiered-app-tier-selector',
        message: `tier ${tier.name} takes ${tier.selector ? `a selector or ${tier.workload ? 'a workload' : 'labels'}` : 'labels or a workload'}, not both`
          + (tier.selector ? '' : ': the workload would be used and the labels ignored'),
        fix: 'keep the one that selects the tier\'s pods',
        location: this.node.path,
      });
    }
    checkLabelMap(tier.labels, `tier ${tier.name} labels`, this.node.path);
    if (tier.labels !== undefined && Object.keys(tier.labels).length === 0) {
      throw new CiliumPolicyError({
        id: 'selector-empty',
        message: `tier ${tier.name} has labels: {}, which selects every pod of the namespace`,
        fix: "give the tier's pod labels, e.g. labels: { app: 'api' }, or a workload",
        location: this.node.path,
      });
    }
    checkListOf(tier.egress, `tier ${tier.name} egress`, 'a TierEgress ({ peer, ports })', 'peer', this.node.path);
    (tier.egress ?? []).forEach((e, i) => checkPeerValue(e.peer, `tier ${tier.name} egress[${i}].peer:`, this.node.path));
    // An entry twice (one peer, the same ports in any order, the same L7 rules) was merged without a word; a peer of one's own,
    // or ports and L7 rules not yet checked, are not compared (`PEER_ENTRIES`; the rule refuses what is no Port or L7).
    checkEntriesUnique(tier.egress, {
      what: `tier ${tier.name} egress`, noun: 'egress entry', verb: 'allows it',
      key: (e) => tierEgressKey(e),
      text: (e) => tierEgressKey(e, false) ?? String(e.peer),
      sameBecause: 'the ports of a rule are a set',
      show: (e) => `{ peer: ${String(e.peer)}${e.ports !== undefined ? `, ports: ${(e.ports ?? []).map(String).join(' ')}` : ''}${e.l7 !== undefined ? ', l7' : ''} }`,
    }, this.node.path);
    // Checked here, before the ports are read (`refuseMetricsPastL7` reads each one's match), not first by the rule.
    checkPortList(tier.ports, `tier ${tier.name} ports`, this.node.path);
    checkPortList(tier.metricsPorts, `tier ${tier.name} metricsPorts`, this.node.path);
    if (tier.metricsPorts !== undefined && tier.metricsPorts.length === 0) {
      throw new CiliumPolicyError({
        id: 'ports-empty',
        message: `tier ${tier.name} has metricsPorts: [], which would open every port to the scraper`,
        fix: 'list the metrics ports, e.g. [Port.tcp(9090)], or leave metricsPorts out',
        location: this.node.path,
      });
    }
    // The tier's pods are the subject of its policy (and the peer of the tiers around it): judged as a subject, here where the tier is given.
    if (tier.workload) checkWorkloadUse(tier.workload, { by: this.node.path, role: `tier ${tier.name}`, as: 'subject' });
    const selector = tier.workload ? EndpointSelector.workload(tier.workload) : tier.selector ?? EndpointSelector.labels(tier.labels ?? {});
    let ports = tier.ports;
    if (!ports && tier.workload) {
      const serving = servingPorts(tier.workload);
      if (!serving) {
        throw new CiliumPolicyError({
          id: 'tiered-app-tier-ports',
          message: `tier ${tier.name}: ${noServingPorts(tier.workload)}`,
          fix: 'pass ports: [Port.tcp(<containerPort>)] with the ports the tier serves, or give the Service as the workload',
          location: this.node.path,
        });
      }
      ports = serving.map(Port._fromModel);
    }
    if (!ports || ports.length === 0) {
      throw new CiliumPolicyError({
        id: 'tiered-app-tier-ports',
        message: `tier ${tier.name} has no ports: give the container ports it serves on (not the Service port)`,
        fix: 'pass ports: [Port.tcp(<containerPort>)], or a Service (or a workload a Service of the app selects)',
        location: this.node.path,
      });
    }
    return { name: tier.name, selector, ports, l7: tier.l7, egress: tier.egress, metricsPorts: tier.metricsPorts, workload: tier.workload };
  }
}

/**
 * Refuses a port list (a tier's `ports` or `metricsPorts`) that is not a list, or holds what is not a Port (`9090` from
 * plain JavaScript): `list-entry-invalid`, `ports-not-ports`, as the rule would, before anything reads the ports.
 */
function checkPortList(ports: unknown, what: string, location: string): void {
  checkListOf(ports, what, 'a Port', undefined, location);
  const list = (ports ?? []) as unknown[];
  const index = list.findIndex((p) => !isPort(p));
  if (index < 0) {
    checkPortsUnique(list as Port[], what, location);
    return;
  }
  throw new CiliumPolicyError({
    id: 'ports-not-ports',
    message: `${what}[${index}] is ${showValue(list[index])}, not a Port`,
    fix: 'pass Port values: Port.tcp(8080), Port.udp(53), Icmp.echoRequest(), …',
    location,
  });
}

/**
 * The peer of a tier's pods (`Peer.selectedBy` in the app's namespace). Tier labels that name another namespace are refused
 * there (`peer-namespace-conflict`); the error then names the tier and this construct, not a call the user never made.
 */
function tierPeer(tier: ResolvedTier, namespace: string, location: string): Peer {
  try {
    return Peer.selectedBy(tier.selector, namespace);
  } catch (e) {
    if (!(e instanceof CiliumPolicyError) || e.id !== 'peer-namespace-conflict') throw e;
    throw new CiliumPolicyError({
      id: e.id,
      message: `tier ${tier.name}: ${e.message.replace(/^\[[^\]]*\] /, '').replace(/ \(peer-namespace-conflict\)[\s\S]*$/, '')
        .replace('Peer.selectedBy() namespace is', 'the app\'s namespace is').replace('the peer would', 'the tier would')}`,
      fix: `leave the namespace out of the tier's labels: every tier is in the app's namespace (${namespace})`,
      location,
    });
  }
}

/**
 * Refuses a tier whose selector selects every pod of another tier (its labels are a subset of the other's, or its
 * expressions follow from the other's: `app In (web, db)`, `app NotIn (z)` or `app Exists` beside `app=db`): those pods
 * would get both tiers' policies, so the first tier's peers (the entry, say) would reach a later tier directly, on the
 * first tier's ports. Judged with the validator's implication of selectors (`implies`, sound: it never refuses tiers
 * that can be told apart, and compares `matchLabels` and `matchExpressions` alike), on the selectors as the agent imports
 * a CiliumNetworkPolicy's subject (`subjectSelector`: its namespace set to the policy's), so that a tier of only the
 * namespace label (`k8s:io.kubernetes.pod.namespace: shop`) is seen to select every pod of the namespace. A tier of labels
 * or a selector that require no pod label by value (`selectorRequiresPodLabel`, as a workload's: no more than the namespace,
 * its labels or the cluster label, or only `NotIn`/`DoesNotExist`/`Exists`) is refused as `labels: {}` is (`selector-empty`);
 * `EndpointSelector.all()` says every pod outright, and stays accepted.
 */
function checkTiersDisjoint(tiers: ResolvedTier[], namespace: string, location: string, version: CiliumVersion): void {
  const models = tiers.map((t) => t.selector.toEndpointSelector());
  const subject = (m: LabelSelectorModel): Selector =>
    subjectSelector(PolicyKind.CILIUM_NETWORK_POLICY, namespace, { endpointSelector: m }, version) as Selector;
  const selectors = models.map(subject);
  const show = (m: LabelSelectorModel): string => (m.matchExpressions?.length ? describeSelector(m) : JSON.stringify(m.matchLabels ?? {}));
  tiers.forEach((tier, i) => {
    const written = Object.keys(models[i].matchLabels ?? {}).length + (models[i].matchExpressions ?? []).length > 0;
    // The one reading of "names a pod" (`selectorRequiresPodLabel`): the namespace, its labels and the cluster key say which
    // namespace, never which of its pods, and `NotIn`/`DoesNotExist`/`Exists` leave every pod but those excluded.
    if (!written || selectorRequiresPodLabel(models[i])) return;
    const selects = noPodLabelReason(models[i]).selects.replace('every pod of its namespaces', 'every pod of the namespace');
    throw new CiliumPolicyError({
      id: 'selector-empty',
      message: `tier ${tier.name} selects ${show(models[i])}, which in a CiliumNetworkPolicy of ${namespace} is ${selects}: `
        + 'it requires no pod label by value (equality or In on a label of the pods\' own), and the namespace (Cilium sets the '
        + 'namespace of its subject to the policy\'s), namespace labels and the cluster label io.cilium.k8s.policy.cluster hold for all its pods; '
        + 'the tier\'s ingress would apply to every pod it selects, as with labels: {}',
      fix: `give the tier's pod labels, e.g. labels: { app: '${tier.name}' }, a selector with matchLabels or In on them, or a workload; `
        + 'EndpointSelector.all() if every pod of the namespace is meant',
      location,
    });
  });
  tiers.forEach((a, i) => tiers.forEach((b, j) => {
    if (i === j || !implies(selectors[j], selectors[i])) return;
    throw new CiliumPolicyError({
      id: 'tiered-app-tiers-overlap',
      message: `tier ${a.name} selects ${show(models[i])}, which also selects every pod of tier ${b.name} (${show(models[j])}): those pods would get `
        + `the ingress of tier ${a.name} too`,
      fix: `give each tier labels only its own pods carry, e.g. add { tier: '${a.name}' } to tier ${a.name}`,
      location,
    });
  }));
}

/**
 * Refuses a tier whose `metricsPorts` meet its serving ports when those carry L7 rules (`tiered-app-metrics-ports`): the
 * scraper's allow on them has no L7 rules, so Cilium gives the scraper's peer a wildcard L7 rule there and every request
 * of it passes (`DELETE /admin` as well as `GET /metrics`), past the rules the tier's `l7` sets on traffic into the tier.
 * Ports meet as the L7 pitfall judges them (`portsMeet`: a shared protocol and port, every port, a named port by its name
 * or by the number the tier's workload's container ports give it, `namedPortNumbers`, as Cilium resolves it on the pod).
 * A named port on either side that no container port of the tier's workload resolves (no workload, a Service, a name it
 * lacks), on a protocol the other side opens, may be the other's number: refused too, asking for a number.
 */
function refuseMetricsPastL7(tier: ResolvedTier, scraper: IPeer, location: string): void {
  if (tier.l7 === undefined || tier.metricsPorts === undefined) return;
  const l4 = (ports: readonly Port[]): CompiledPort[] => ports.flatMap((p) => (p._match.l4 ? [compilePortEntry(p._match.l4, true)] : []));
  const serving = l4(tier.ports);
  const info = tier.workload !== undefined ? readWorkload(tier.workload) : undefined;
  const names = namedPortNumbers((info?.ports ?? []).map((p) => ({ name: p.name, port: p.number, protocol: p.protocol })));
  const shared = tier.metricsPorts.filter((p) => p._match.l4 !== undefined && portsMeet(l4([p]), serving, names));
  const unresolved = (c: CompiledPort): boolean => c.kind === 'named' && !c.protocols.some((pr) => names.has(namedPortKey(c.name ?? '', pr)));
  const unknown = tier.metricsPorts.filter((p) => l4([p]).some((x) => serving.some((y) => x.kind !== 'invalid' && y.kind !== 'invalid'
    && x.protocols.some((pr) => y.protocols.includes(pr)) && (unresolved(x) || unresolved(y)))));
  if (shared.length === 0 && unknown.length > 0) {
    const named = [...tier.metricsPorts, ...tier.ports].filter((p) => l4([p]).some(unresolved)).map(String);
    throw new CiliumPolicyError({
      id: 'tiered-app-metrics-ports',
      message: `tier ${tier.name} metricsPorts ${unknown.map(String).join(', ')} may be its serving ports ${tier.ports.map(String).join(', ')}, `
        + `which carry L7 ${tier.l7.kind} rules: the named port ${named.join(', ')} is not resolved to a number here (${info === undefined
          ? 'the tier has no workload whose container ports name it' : 'no container port of the tier\'s workload has that name'}), `
        + `and if it is the other's number the scraper (${scraper.toString()}) would pass every request there past the L7 rules`,
      fix: 'give the port as a number (Port.tcp(<containerPort>)) in ports or metricsPorts, or give the tier the workload whose container '
        + 'ports name it; serve the metrics on a port of their own',
      location,
    });
  }
  if (shared.length === 0) return;
  throw new CiliumPolicyError({
    id: 'tiered-app-metrics-ports',
    message: `tier ${tier.name} metricsPorts ${shared.map(String).join(', ')} meet its serving ports ${tier.ports.map(String).join(', ')}, which carry `
      + `L7 ${tier.l7.kind} rules: the scraper (${scraper.toString()}) would be allowed there without them, so every request of it would pass `
      + `${tier.l7.kind === 'http' ? '(DELETE /admin as well as GET /metrics) ' : ''}past the L7 rules the tier sets on traffic into it`,
    fix: 'serve the metrics on a port of their own and list that one; or leave the port out of metricsPorts and allow the scraper\'s requests '
      + 'with L7 rules of their own: app.policies[<tier>].allowIngress(scraper, { ports, l7: L7.http(HttpRule.get(\'/metrics\')) })',
    location,
  });
}
