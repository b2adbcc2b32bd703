/**
 * Connections on which no verdict of the engine is a claim about Cilium: an end whose policy the agent refuses to compute
 * (`PolicySet._agentRefusals`; a DNS name learned at a DNS server whose policy it refuses, `PolicySet._learningRefusals`),
 * and an end that is a node given without its labels where a rule reads them (`PolicySet._nodeLabelsUnknown`). The one
 * predicate `trace` (exit 2) and the test matchers (`toAllow`, `toDeny`, `Verdicts.verdictFor`) refuse such a connection
 * by; `replay` leaves the same connections not judged by the same engine predicates.
 */
import { CiliumPolicyError } from '../core/errors';
import { Endpoint, formatEndpoint } from './endpoint';
import { describeItem } from './evaluate';
import { agentRefusalConsequence, agentRefusalFix, agentRefusalLead, learningRefusalText, refusalsText } from './parser-conflicts';
import { PolicySet } from './policy-set';
import { VerdictQuery } from './verdict';

/** How the caller names the two ends in its messages: `--from`/`--to` (trace), `the client`/`the server` (the matchers). */
export interface ConnectionEndNames {
  /** The client's name. */
  readonly from: string;
  /** The server's name. */
  readonly to: string;
}

/**
 * Why no verdict on the connection `ends` is what Cilium enforces, as the error to throw; `undefined` when it is judged.
 * An end with a policy the agent refuses to compute (two L7 parsers or two authentication modes on one filter, …) keeps the
 * policy it had, which the policies given do not hold (`engine-policy-refused`); likewise a DNS name (`fqdn:`) a client with
 * `toFQDNs` rules reaches when the agent refuses the policy of the DNS server: whether `toFQDNs` selects it is not known.
 * An end that is the subject of host policy given without its node's labels (`entity:host`, `entity:remote-node`,
 * `entity:kube-apiserver` on a node) while a host rule of that side's direction selects nodes by their labels, or is such a
 * node as the peer of `fromNodes`/`toNodes` items that select nodes by their labels (per-node labels on) in the other
 * end's policy (`engine-node-labels-unknown`): its verdict depends on the node, which the query does not name. A DNS lookup
 * that the client's DNS rules refuse on Cilium 1.16/1.17 where no selecting policy enables default deny on its egress
 * (`engine-dns-patch-split`, `PolicySet._dnsPatchSplit`): the DNS proxy refuses it on the earlier patches only.
 * @param names how the messages name the ends
 * @param lead the start of the message (the call and the connection), or nothing
 * @param query the whole query, when it is known (its DNS lookup is judged by `_dnsPatchSplit`)
 */
export function unjudgedConnectionError(set: PolicySet, ends: { readonly from: Endpoint; readonly to: Endpoint }, names: ConnectionEndNames,
  lead = '', query?: VerdictQuery): CiliumPolicyError | undefined {
  for (const [name, end] of [[names.from, ends.from], [names.to, ends.to]] as const) {
    const refusals = set._agentRefusals(end);
    const learning = refusals.length === 0 ? set._learningRefusals(ends.from, end) : [];
    if (refusals.length === 0 && learning.length === 0) continue;
    const list = refusals.length > 0 ? refusals : learning;
    const r = list[0];
    return new CiliumPolicyError({
      id: 'engine-policy-refused',
      message: lead + (refusals.length > 0
        ? `${name} ${formatEndpoint(end)}: ${agentRefusalLead(r, 'this endpoint')}: ${refusalsText(list, describeItem)}; `
          + `${agentRefusalConsequence(r, 'it')}, so no verdict on them is what Cilium enforces`
        : `${name} ${formatEndpoint(end)}: ${learningRefusalText(formatEndpoint(set._dnsServer), refusalsText(list, describeItem), r)}; `
          + 'so no verdict on this name is what Cilium enforces'),
      fix: `${agentRefusalFix(r)}; \`cdk8s-cilium validate\` reports it as ${r.check}`,
    });
  }
  const sides = [[names.from, ends.from, ends.to, names.to, 'egress'], [names.to, ends.to, ends.from, names.from, 'ingress']] as const;
  for (const [name, end, other, otherName, direction] of sides) {
    const unknown = set._nodeLabelsUnknown(end, direction, other);
    if (unknown === undefined) continue;
    const named = unknown.end === 'subject' ? name : otherName;
    return new CiliumPolicyError({ id: 'engine-node-labels-unknown', message: `${lead}${named} ${unknown.message}`, fix: `${unknown.fix} as ${named}` });
  }
  const split = query === undefined ? undefined : set._dnsPatchSplit(query);
  if (split !== undefined) return new CiliumPolicyError({ id: 'engine-dns-patch-split', message: `${lead}${names.from} ${formatEndpoint(ends.from)} ${split.message}`, fix: split.fix });
  return undefined;
}
