/**
 * The verdict helpers of the public API: the human form of a verdict, and the verdict the test matchers judge by.
 */
import { IPortSpec } from '../model/port-spec';
import { Endpoint } from './endpoint';
import { formatVerdict } from './explain';
import { EngineMatcherOptions, verdictFor } from './matchers';
import { Verdict } from './verdict';

/** Helpers for `Verdict`s. */
export class Verdicts {
  /**
   * Formats a verdict for people: the summary line, then what each side decided and why (the deciding rule, the L7
   * outcome, the policies selecting the endpoint, notes).
   */
  public static format(verdict: Verdict): string {
    return formatVerdict(verdict);
  }

  /**
   * The verdict `toAllow`/`toDeny` judge by, for any test framework.
   * @param received a cdk8s App, a Chart or other construct, a `PolicySet`, or YAML text
   * @param from the client: its text form (`pod:shop:app=web`) or an `Endpoint`
   * @param to the server: its text form or an `Endpoint`
   * @param port `'8080/TCP'`, `'53/UDP'`, `'icmp/8'`, a number (TCP), or a `Port`/`Icmp` naming one port
   * @param options the L7 request and the engine options
   * @throws CiliumPolicyError for a malformed query, an input that is none of the above, or an option
   * `EngineMatcherOptions` does not declare (`option-unknown`); for an `Endpoint` object with a field `Endpoint` does not
   * declare or a bad value (`engine-endpoint-syntax`); and for a connection of which neither end is in the cluster
   * (`engine-no-cluster-end`: two `cidr:`/`fqdn:` endpoints, the world, a managed API server, `unmanaged`), whose verdict
   * (allowed) would say nothing about the policies; and for a connection on which no verdict is what Cilium enforces, as
   * `trace` refuses it (`unjudgedConnectionError`): an end whose policy the agent refuses (`engine-policy-refused`), or a
   * node given without its labels (`entity:host`, `entity:remote-node`, `entity:kube-apiserver`) where a host rule's
   * `nodeSelector` or a `fromNodes`/`toNodes` item reads them (`engine-node-labels-unknown`; give the node by its labels,
   * `node:kubernetes.io/hostname=n1,<label>=<value>`), or a pod given without its service account where the account it
   * runs as changes the verdict (`engine-service-account-unknown`), or a request allowed onto L7 rules the engine did not judge it by
   * (`engine-l7-not-evaluated`: `l7proto` rules, or rules of another protocol than the request's; ask without the request),
   * or a DNS lookup (asked, or through which a `toFQDNs` name is learned) whose outcome the 1.16/1.17 patch release decides
   * (`engine-dns-patch-split`), or a connection from a pod that a NetworkPolicy ipBlock-only ingress peer selects on 1.19.0-1.19.4 only
   * (`engine-ip-block-patch-split`)
   */
  public static verdictFor(received: unknown, from: string | Endpoint, to: string | Endpoint, port: string | number | IPortSpec,
    options: EngineMatcherOptions = {}): Verdict {
    return verdictFor(received, from, to, port, options);
  }

  private constructor() {}
}
