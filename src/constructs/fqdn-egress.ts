import { Construct } from 'constructs';
import { CiliumPolicy, requireNamespace } from './cilium-policy';
import { CiliumPolicyError } from '../core/errors';
import { DnsRule } from './l7';
import { IPeer, Peer } from './peer';
import { checkPortsUnique, isPort, Port } from './port';
import { checkEntriesUnique, DNS_NAME_ENTRIES } from './list-duplicates';
import { IEndpointSelector } from './selector';
import { checkFqdnNotAddress, checkFqdnRegistrable, checkFqdnSyntax, checkFqdnWildcard } from './fqdn-wildcard';
import { allowDns } from './builtins';
import { checkOptionalPeer } from './policy-rule';
import { checkFlags, checkListOf, checkPropsObject, readPropsOnce } from './names';

/** The props of `FqdnEgressProps` (`checkPropKeys`). */
export const FQDN_EGRESS_PROPS: readonly string[] = ['fqdns', 'endpointSelector', 'ports', 'namespace', 'name', 'dnsServer', 'allowAllDnsLookups'];

/** Properties of an `FqdnEgress`. */
export interface FqdnEgressProps {
  /**
   * DNS names (`api.stripe.com`) and patterns (`*.github.com`; `**.example.com` on Cilium 1.19+) the pods may
   * reach, on `ports`, and look up. An entry with a `*` is a pattern; `*` alone is every name, so every address any lookup
   * answers, which is the world on those ports (`**`, `*.` and `**.` are refused, `fqdn-pattern-version-dependent`). Required,
   * not empty (`fqdn-egress-empty`), every entry a string that is not blank (`fqdn-syntax`, as `Peer.fqdn()`). IPv4 addresses and ranges written as names (`10.0.0.1`, `10.0.0.*`) are
   * refused (`fqdn-ip-address`): Cilium matches names, never addresses (`10.0.0.*` matches `10.0.0.io`); use a CIDR peer.
   * A `*` in the registrable part of a name (`*.com`, `*example.com`) is refused too (`fqdn-pattern-registrable`): it
   * matches names such as `badexample.com` that anyone may register. A name given twice, or twice as Cilium matches it
   * (`API.example.com` and `api.example.com.`: without case, with a trailing dot), is refused (`list-duplicate`).
   */
  readonly fqdns: string[];
  /**
   * The pods allowed to reach them.
   * @default - every pod of the namespace
   */
  readonly endpointSelector?: IEndpointSelector;
  /**
   * Ports allowed to those names.
   * @default [Port.tcp(443)]
   */
  readonly ports?: Port[];
  /**
   * Namespace of the policy.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * `metadata.name` of the policy.
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * The DNS server the pods use.
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, a /0) is refused (`dns-server-world`),
   * and so is one far wider than a resolver (`dns-server-broad`) or one that cannot be a resolver (`dns-server-not-resolver`:
   * a DNS name, a CIDR group, an entity other than `host`, nodes by label; see `Builtins.allowDns`).
   * `null` is refused (`peer-unknown`), not read as left out.
   * @default Peer.kubeDns()
   */
  readonly dnsServer?: IPeer;
  /**
   * Let the pods look up any name (`matchPattern: "*"`) rather than only `fqdns`. Needed when the same pods also
   * resolve in-cluster service names; remember that Kubernetes search domains make a lookup of `api.example.com`
   * first ask for `api.example.com.<ns>.svc.cluster.local`, which a restricted rule answers with REFUSED.
   * @default false
   */
  readonly allowAllDnsLookups?: boolean;
}

/**
 * Egress to DNS names, with the DNS companion rule Cilium needs in the same policy.
 *
 * `toFQDNs` alone never allows anything: Cilium learns the addresses of a name only from DNS answers its DNS
 * proxy sees. This construct writes the `toFQDNs` rule and an egress rule to the DNS server on 53/UDP and 53/TCP
 * whose L7 `dns` rules allow exactly the same names and patterns (all names on request).
 *
 * Like any egress allow rule, it puts the selected pods into egress default deny.
 */
export class FqdnEgress extends Construct {
  /** The policy. */
  public readonly policy: CiliumPolicy;

  constructor(scope: Construct, id: string, props: FqdnEgressProps) {
    super(scope, id);
    checkPropsObject(props, 'new FqdnEgress()', "{ fqdns: ['api.example.com'] }", this.node.path, true);
    props = readPropsOnce(props, { keys: FQDN_EGRESS_PROPS, owner: 'FqdnEgress' }, { location: this.node.path });
    // `dnsServer: null` was read as left out: DNS to kube-dns (53/UDP, 53/TCP), a path the props did not name.
    checkOptionalPeer(props.dnsServer, 'FqdnEgress dnsServer', { default: 'Peer.kubeDns(), the kube-dns pods of kube-system' }, this.node.path);
    checkFlags(props, ['allowAllDnsLookups'], 'FqdnEgress', this.node.path);
    checkListOf(props.fqdns, 'FqdnEgress fqdns', 'a DNS name', undefined, this.node.path);
    // `ports: null` was a TypeError.
    checkListOf(props.ports, 'FqdnEgress ports', 'a Port', isPort, this.node.path);
    checkPortsUnique(props.ports, 'FqdnEgress ports', this.node.path);
    if (!props.fqdns || props.fqdns.length === 0) {
      throw new CiliumPolicyError({
        id: 'fqdn-egress-empty',
        message: 'FqdnEgress needs at least one name in fqdns',
        fix: "pass fqdns: ['api.example.com']",
        location: this.node.path,
      });
    }
    // Every bad entry at once, named by its index, in one pass of the one refusal of the FQDN factories (`checkFqdnSyntax`,
    // `fqdn-syntax`, as `Peer.fqdn(5)`, `Peer.fqdn('')`, `DnsRule.exact('')`): a name that is no string (`undefined`, `5`), a
    // blank one (`''`, `' '`, shown as given), one of a syntax no version takes (`http://x.com`), before the trimmed names are
    // read. In two passes, `['', 'http://x.com']` named fqdns[0] only; synthesis found each twice (toFQDNs and the DNS rule).
    checkFqdnSyntax(props.fqdns.map((f, i) => ({ text: typeof f === 'string' && f.trim() !== '' ? f.trim() : f, at: `fqdns[${i}]` })),
      'FqdnEgress', this.node.path);
    if (props.ports !== undefined && props.ports.length === 0) {
      throw new CiliumPolicyError({
        id: 'ports-empty',
        message: 'FqdnEgress ports is an empty list',
        fix: 'list the ports (e.g. [Port.tcp(443)]) or leave ports out for the default 443/TCP',
        location: this.node.path,
      });
    }
    const fqdns = props.fqdns.map((f) => f.trim());
    for (const f of fqdns) {
      checkFqdnWildcard(f, 'FqdnEgress fqdns entry', this.node.path);
      checkFqdnNotAddress(f, 'FqdnEgress fqdns entry', this.node.path);
      checkFqdnRegistrable(f, 'FqdnEgress fqdns entry', this.node.path);
    }
    // A name twice (or twice as Cilium matches it: `API.example.com` and `api.example.com.`) was merged without a word;
    // after each name on its own, so that `['*', '*']` is refused as the wildcard it is, not as a name twice.
    checkEntriesUnique(props.fqdns, { what: 'FqdnEgress fqdns', verb: 'allows it', ...DNS_NAME_ENTRIES }, this.node.path);
    this.policy = new CiliumPolicy(this, 'Resource', {
      name: props.name,
      namespace: requireNamespace(scope, id, props.namespace, 'FqdnEgress'),
      endpointSelector: props.endpointSelector,
      description: `egress to ${fqdns.join(', ')} with the DNS lookups Cilium needs to learn their addresses`,
    });
    const ports = props.ports ?? [Port.tcp(443)];
    for (const fqdn of fqdns) this.policy.allowEgress(isPattern(fqdn) ? Peer.fqdnPattern(fqdn) : Peer.fqdn(fqdn), { ports });
    const dnsRules = props.allowAllDnsLookups ? [DnsRule.all()] : fqdns.map((f) => (isPattern(f) ? DnsRule.pattern(f) : DnsRule.exact(f)));
    allowDns(this.policy.rule, { dnsServer: props.dnsServer, dnsRules });
  }
}

function isPattern(fqdn: string): boolean {
  return fqdn.includes('*');
}
