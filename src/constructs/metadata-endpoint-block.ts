import { Construct } from 'constructs';
import { CiliumPolicy, requireNamespace } from './cilium-policy';
import { ClusterwidePolicy } from './clusterwide-policy';
import { CiliumPolicyError } from '../core/errors';
import { NAMESPACE_LABEL, selectorConstrainsNamespace } from '../model/selectors';
import { workloadNamespace } from './workload';
import { Peer } from './peer';
import { checkListOf, checkNamespaceName, checkPropsObject, checkStringList, readPropsOnce } from './names';
import { PolicyBase } from './policy-base';
import { checkSelectorValue } from './policy-rule';
import { EndpointSelector, IEndpointSelector, LabelExpression } from './selector';
import { checkOwnSelectorShape, refuseCidrHostBits, refuseMalformedCidr, workloadOf } from './peer-config';
import { CIDR_ENTRIES, checkEntriesUnique } from './list-duplicates';

/**
 * The cloud instance-metadata endpoints: the link-local IPv4 address of AWS, GCP, Azure (and most others), AWS's IPv6
 * address (fd00:ec2::254) and GCP's (fd20:ce::254, IPv6-only and dual-stack instances).
 */
export const METADATA_ENDPOINTS: readonly string[] = ['169.254.169.254/32', 'fd00:ec2::254/128', 'fd20:ce::254/128'];

/** The props of `MetadataEndpointBlockProps` (`checkPropKeys`). */
export const METADATA_ENDPOINT_BLOCK_PROPS: readonly string[] = ['namespace', 'namespaces', 'endpointSelector', 'name', 'extraCidrs'];

/** Properties of a `MetadataEndpointBlock`. */
export interface MetadataEndpointBlockProps {
  /**
   * The namespace whose pods are blocked (a CiliumNetworkPolicy).
   * @default - the chart's namespace, unless `namespaces` is given
   */
  readonly namespace?: string;
  /**
   * Block the pods of several namespaces at once (one CiliumClusterwideNetworkPolicy).
   * @default - a single namespace
   */
  readonly namespaces?: string[];
  /**
   * Which pods of the namespace(s) are blocked.
   * @default - every pod
   */
  readonly endpointSelector?: IEndpointSelector;
  /**
   * `metadata.name` of the policy.
   * @default 'block-metadata-endpoint'
   */
  readonly name?: string;
  /**
   * Additional addresses to deny, e.g. a cloud's other metadata services. Not empty when given
   * (`metadata-block-extra-cidrs-empty`).
   * @default - none
   */
  readonly extraCidrs?: string[];
}

/**
 * Denies egress to the cloud metadata endpoints (169.254.169.254/32, fd00:ec2::254/128 and fd20:ce::254/128), whatever
 * any allow rule says (deny rules win in Cilium, in whichever resource they are).
 *
 * A deny-only policy would also put the selected pods into egress default deny as a side effect, cutting all
 * their other egress. This one says `enableDefaultDeny: { egress: false }` (Cilium 1.16+), so it adds the deny
 * and nothing else.
 */
export class MetadataEndpointBlock extends Construct {
  /**
   * The cloud instance-metadata endpoints it denies: 169.254.169.254/32 (AWS, GCP, Azure), fd00:ec2::254/128 (AWS IPv6)
   * and fd20:ce::254/128 (GCP IPv6) (a copy).
   */
  public static readonly METADATA_ENDPOINTS: string[] = [...METADATA_ENDPOINTS];

  /** The policy. */
  public readonly policy: PolicyBase;

  constructor(scope: Construct, id: string, props: MetadataEndpointBlockProps = {}) {
    super(scope, id);
    checkPropsObject(props, 'new MetadataEndpointBlock()', "{ namespace: 'shop' }", this.node.path);
    props = readPropsOnce(props, { keys: METADATA_ENDPOINT_BLOCK_PROPS, owner: 'MetadataEndpointBlock' }, { location: this.node.path });
    checkListOf(props.namespaces, 'MetadataEndpointBlock namespaces', 'a namespace name', undefined, this.node.path);
    checkStringList(props.extraCidrs, 'MetadataEndpointBlock extraCidrs', 'a CIDR', this.node.path);
    (props.extraCidrs ?? []).forEach((c, i) => {
      refuseMalformedCidr(c, `MetadataEndpointBlock extraCidrs[${i}]`, this.node.path);
      refuseCidrHostBits(c, `MetadataEndpointBlock extraCidrs[${i}]`, this.node.path);
    });
    checkEntriesUnique(props.extraCidrs, { what: 'MetadataEndpointBlock extraCidrs', verb: 'denies it', ...CIDR_ENTRIES }, this.node.path);
    // Each entry on its own before the list (`checkEntriesUnique`): `['Bad_NS', 'Bad_NS']` was refused as a namespace twice.
    for (const ns of props.namespaces ?? []) checkNamespaceName(ns, 'MetadataEndpointBlock namespaces entry', this.node.path);
    checkEntriesUnique(props.namespaces, { what: 'MetadataEndpointBlock namespaces', noun: 'namespace', verb: 'blocks it' }, this.node.path);
    checkSelectorValue(props.endpointSelector, 'endpointSelector', this.node.path);
    const name = props.name ?? 'block-metadata-endpoint';
    const description = 'deny egress to the cloud metadata endpoint without switching egress to default deny';
    if (props.namespaces !== undefined && props.namespaces.length === 0) {
      throw new CiliumPolicyError({
        id: 'metadata-block-namespaces-empty',
        message: 'MetadataEndpointBlock namespaces is an empty list',
        fix: 'list the namespaces, or leave namespaces out for the chart\'s namespace',
        location: this.node.path,
      });
    }
    // Given but empty: a computed list that came out empty blocked only the metadata endpoints, with no word.
    if (props.extraCidrs !== undefined && props.extraCidrs.length === 0) {
      throw new CiliumPolicyError({
        id: 'metadata-block-extra-cidrs-empty',
        message: 'MetadataEndpointBlock extraCidrs is an empty list ([]): it adds no address to deny',
        fix: 'list the other addresses to deny (e.g. [\'100.100.100.200/32\']), or leave extraCidrs out for the metadata endpoints alone',
        location: this.node.path,
      });
    }
    if (props.namespaces && props.namespaces.length > 0) {
      if (props.namespace) {
        throw new CiliumPolicyError({
          id: 'metadata-block-namespace-ambiguous',
          message: 'MetadataEndpointBlock takes namespace or namespaces, not both',
          fix: 'put the namespace into the namespaces list',
          location: this.node.path,
        });
      }
      const base: unknown = props.endpointSelector !== undefined ? props.endpointSelector.toEndpointSelector() : {};
      // Taken apart below: a matchLabels that is no map spread into the keys "0", "1", … (the block blocked nobody), a
      // matchExpressions that is no list was a TypeError, and an answer that is no selector (null) was read as every pod.
      checkOwnSelectorShape(base, "MetadataEndpointBlock endpointSelector of one's own",
        "answer { matchLabels: { app: 'web' }, matchExpressions: [{ key, operator, values }] } from toEndpointSelector(), or pass an "
          + "EndpointSelector (EndpointSelector.labels({ app: 'web' }))", this.node.path);
      // A selector naming namespaces of its own is ANDed with the list: the pods of the listed namespaces could go unblocked.
      const workload = workloadOf(props.endpointSelector, 'MetadataEndpointBlock endpointSelector', this.node.path);
      const own = workload !== undefined ? workloadNamespace(workload) : undefined;
      if (selectorConstrainsNamespace(base) || (own !== undefined && !props.namespaces.includes(own))) {
        throw new CiliumPolicyError({
          id: 'metadata-block-namespace-ambiguous',
          message: `MetadataEndpointBlock endpointSelector ${own !== undefined ? `is a workload of namespace ${own}` : 'names namespaces'}, `
            + `besides namespaces (${props.namespaces.join(', ')}): the pods of those namespaces would not all be blocked`,
          fix: 'select the pods by their labels only; the namespaces go into the namespaces list',
          location: this.node.path,
        });
      }
      const selector = EndpointSelector.of({
        ...(base.matchLabels && Object.keys(base.matchLabels).length ? { labels: { ...base.matchLabels } } : {}),
        expressions: [LabelExpression.in(NAMESPACE_LABEL, [...props.namespaces].sort())],
      });
      this.policy = new ClusterwidePolicy(this, 'Resource', {
        name, description, endpointSelector: withExpressions(selector, base), enableDefaultDeny: { egress: false },
      });
    } else {
      const namespace = requireNamespace(scope, id, props.namespace, 'MetadataEndpointBlock');
      this.policy = new CiliumPolicy(this, 'Resource', {
        name, namespace, description, endpointSelector: props.endpointSelector, enableDefaultDeny: { egress: false },
      });
    }
    for (const cidr of [...METADATA_ENDPOINTS, ...(props.extraCidrs ?? [])]) this.policy.denyEgress(Peer.cidr(cidr));
  }
}

function withExpressions(selector: EndpointSelector, base: ReturnType<IEndpointSelector['toEndpointSelector']>): IEndpointSelector {
  return {
    toEndpointSelector: () => {
      const s = selector.toEndpointSelector();
      return { ...s, matchExpressions: [...(base.matchExpressions ?? []), ...(s.matchExpressions ?? [])] };
    },
  };
}
