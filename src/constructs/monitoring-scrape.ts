import { Construct } from 'constructs';
import { ClusterwidePolicy } from './clusterwide-policy';
import { CiliumPolicyError } from '../core/errors';
import { NAMESPACE_LABEL, selectorFixesNamespace } from '../model/selectors';
import { checkFlags, checkListOf, checkNamespaceName, checkPropsObject, readPropsOnce } from './names';
import { IPeer, Peer } from './peer';
import { checkedPeerConfig, peerAsJudged } from './peer-config';
import { checkPeerValue } from './policy-rule';
import { checkPortsUnique, isPort, Port } from './port';
import { checkEntriesUnique } from './list-duplicates';
import { EndpointSelector, LabelExpression } from './selector';
import { clonePlain } from '../model/clone-plain';

/** The props of `MonitoringScrapeProps` (`checkPropKeys`). */
export const MONITORING_SCRAPE_PROPS: readonly string[] = ['scraper', 'namespaces', 'ports', 'name', 'allowScraperEgress'];

/** Properties of a `MonitoringScrape`. */
export interface MonitoringScrapeProps {
  /**
   * The scraper, e.g. `Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } })`: pods in a fixed namespace,
   * by name (equality or `In`) or by namespace labels. Other peers, pods of every namespace (`allNamespaces: true`) and
   * `NotIn`/`Exists` on the namespace key are refused (`monitoring-scrape-scraper`): any tenant could label a pod and scrape.
   */
  readonly scraper: IPeer;
  /** The namespaces whose pods are scraped. */
  readonly namespaces: string[];
  /** The metrics ports on the scraped pods (container ports). */
  readonly ports: Port[];
  /**
   * `metadata.name` of the policy.
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * Also allow the scraper's egress to those pods, in the same resource, for when its namespace restricts egress.
   * @default true
   */
  readonly allowScraperEgress?: boolean;
}

/**
 * One CiliumClusterwideNetworkPolicy that lets a monitoring peer reach a metrics port on every pod of the listed
 * namespaces (and, by default, lets the scraper send that traffic).
 *
 * A plain allow policy selecting every pod of those namespaces would also switch all of them to ingress default
 * deny, cutting traffic nobody meant to touch. Both rules say `enableDefaultDeny: false` for their direction
 * (Cilium 1.16+), so the resource only adds allowances.
 */
export class MonitoringScrape extends Construct {
  /** The policy. */
  public readonly policy: ClusterwidePolicy;

  constructor(scope: Construct, id: string, props: MonitoringScrapeProps) {
    super(scope, id);
    checkPropsObject(props, 'new MonitoringScrape()', "{ scraper, namespaces: ['shop'], ports: [Port.tcp(9090)] }", this.node.path, true);
    props = readPropsOnce(props, { keys: MONITORING_SCRAPE_PROPS, owner: 'MonitoringScrape' }, { location: this.node.path });
    checkFlags(props, ['allowScraperEgress'], 'MonitoringScrape', this.node.path);
    checkListOf(props.namespaces, 'MonitoringScrape namespaces', 'a namespace name', undefined, this.node.path);
    checkListOf(props.ports, 'MonitoringScrape ports', 'a Port', isPort, this.node.path);
    checkPortsUnique(props.ports, 'MonitoringScrape ports', this.node.path);
    // Each entry on its own before the list (`checkEntriesUnique`): `['Bad_NS', 'Bad_NS']` was refused as a namespace twice.
    for (const ns of props.namespaces ?? []) checkNamespaceName(ns, 'MonitoringScrape namespaces entry', this.node.path);
    checkEntriesUnique(props.namespaces, { what: 'MonitoringScrape namespaces', noun: 'namespace', verb: 'opens it' }, this.node.path);
    const namespaces = [...(props.namespaces ?? [])].sort();
    // Each prop by name, with its value: "got 1 namespaces, 0 ports" named neither the prop nor what to pass.
    for (const [prop, list, what, fix] of [
      ['namespaces', props.namespaces, 'the namespaces whose pods are scraped', "pass namespaces: ['shop']"],
      ['ports', props.ports, 'the metrics ports the scraper may reach', 'pass ports: [Port.tcp(9090)]'],
    ] as const) {
      if (list !== undefined && list.length > 0) continue;
      throw new CiliumPolicyError({
        id: 'monitoring-scrape-empty',
        message: `MonitoringScrape ${prop} is ${list === undefined ? 'not given' : 'an empty list ([])'}: it needs ${what}, at least one`,
        fix: `${fix}, ${what}`,
        location: this.node.path,
      });
    }
    checkPeerValue(props.scraper, 'MonitoringScrape scraper:', this.node.path);
    // Judged and written as read now: a scraper of one's own that answers every namespace at synthesis is not written.
    const scraperPeer = peerAsJudged(props.scraper);
    const scraper = checkedPeerConfig(scraperPeer.toPeerConfig(), 'MonitoringScrape scraper', this.node.path);
    const scraperSelector = scraper.item.endpoints?.length === 1 ? scraper.item.endpoints[0] : undefined;
    // The namespace read from the selector itself: it is also the subject of the scraper's egress rule, in a clusterwide policy.
    // Fixed, not merely named: `allNamespaces: true` or `NotIn` on the namespace key lets any tenant label a pod and scrape.
    if (scraper.field !== 'endpoints' || !scraperSelector || scraper.namespaceImplicit || !selectorFixesNamespace(scraperSelector)) {
      throw new CiliumPolicyError({
        id: 'monitoring-scrape-scraper',
        message: `the scraper ${scraper.description} must be pods in a fixed namespace (by name, or by namespace labels): `
          + 'pods of every namespace, or of every namespace but some, are any tenant\'s pods labelled so',
        fix: "use Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } })",
        location: this.node.path,
      });
    }
    const inNamespaces = LabelExpression.in(NAMESPACE_LABEL, namespaces);
    this.policy = new ClusterwidePolicy(this, 'Resource', {
      name: props.name,
      description: `${scraper.description} may scrape ${props.ports.map(String).join(', ')} on every pod of ${namespaces.join(', ')}`,
      endpointSelector: EndpointSelector.of({ expressions: [inNamespaces] }),
      enableDefaultDeny: { ingress: false },
    });
    this.policy.allowIngress(scraperPeer, { ports: props.ports });
    if (props.allowScraperEgress ?? true) {
      const egress = this.policy.addRule({
        endpointSelector: { toEndpointSelector: () => clonePlain(scraperSelector) },
        description: `the scraper may reach the metrics ports of ${namespaces.join(', ')}`,
        enableDefaultDeny: { egress: false },
      });
      egress.allowEgress(Peer.endpoints({ expressions: [inNamespaces] }), { ports: props.ports });
    }
  }
}
