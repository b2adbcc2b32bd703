/**
 * Connections on which no verdict of the engine is a claim about Cilium: an end whose policy the agent refuses to compute
 * (`PolicySet._agentRefusals`; a DNS name learned at a DNS server whose policy it refuses, `PolicySet._learningRefusals`),
 * an end that is a node given without its labels where a rule reads them (`PolicySet._nodeLabelsUnknown`), a pod given
 * without its service account where the side's decision depends on it (`PolicySet._serviceAccountUnknown`), and a request
 * allowed at L4 onto L7 rules the engine did not evaluate against it (`l7proto` rules, or rules of another protocol than
 * the request's). The one predicate `trace` (exit 2) and the test matchers (`toAllow`, `toDeny`, `Verdicts.verdictFor`)
 * refuse such a connection by, and `replay` leaves it not judged by, with the same words.
 */
import { CiliumPolicyError } from '../core/errors';
import { formatEndpoint } from './endpoint';
import { describeItem } from './evaluate';
import { agentRefusalConsequence, agentRefusalFix, agentRefusalLead, learningRefusalText, refusalsText } from './parser-conflicts';
import { PolicySet } from './policy-set';
import { objectName } from '../model/object-names';
import { L7Outcome, L7Protocol, L7Result, SideVerdict, Verdict, VerdictQuery } from './verdict';

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
 * end's policy, and that side does not decide the query alike whichever of them select the node (`engine-node-labels-unknown`,
 * `decidesAlikeOnEveryNode`): its verdict depends on the node, which the query does not name. Likewise a pod end given
 * without its service account (no label, no workload of the inputs, none captured) where a side does not decide alike
 * under each account it may run as (`engine-service-account-unknown`, `service-account-candidates.ts`).
 * A DNS lookup that the client's DNS rules refuse on Cilium 1.16/1.17 where no selecting policy enables default deny on its
 * egress (`engine-dns-patch-split`, `PolicySet._dnsPatchSplit`): the DNS proxy refuses it on the earlier patches only.
 * Any of the last three on the lookup through which a client with `toFQDNs` items learns a DNS name (`fqdn:`) it reaches
 * (`PolicySet._learningLookup`, `learningLookupError`): whether `toFQDNs` selects the name is not known.
 * @param ends the query: its ends, and the port and request a node-label refusal depends on
 * Given the verdict on the connection, a request allowed at L4 onto L7 rules it was not judged by (`unjudgedRequest`).
 * @param names how the messages name the ends
 * @param lead the start of the message (the call and the connection), or nothing
 * @param judged the engine's verdict on the query, once computed: the query's request is checked too
 */
export function unjudgedConnectionError(set: PolicySet, ends: VerdictQuery, names: ConnectionEndNames,
  lead = '', judged?: { readonly verdict: Verdict }): CiliumPolicyError | undefined {
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
  const sides = [[names.from, names.to, 'egress'], [names.to, names.from, 'ingress']] as const;
  for (const [name, otherName, direction] of sides) {
    const unknown = set._nodeLabelsUnknown(ends, direction);
    if (unknown === undefined) continue;
    const named = unknown.end === 'subject' ? name : otherName;
    return new CiliumPolicyError({ id: 'engine-node-labels-unknown', message: `${lead}${named} ${unknown.message}`, fix: `${unknown.fix} as ${named}` });
  }
  for (const [name, otherName, direction] of sides) {
    const unknown = set._serviceAccountUnknown(ends, direction);
    if (unknown === undefined) continue;
    const named = unknown.end === 'subject' ? name : otherName;
    return new CiliumPolicyError({ id: 'engine-service-account-unknown', message: `${lead}${named} ${unknown.message}`, fix: `${unknown.fix} as ${named}` });
  }
  const split = set._dnsPatchSplit(ends);
  if (split !== undefined) return new CiliumPolicyError({ id: 'engine-dns-patch-split', message: `${lead}${names.from} ${formatEndpoint(ends.from)} ${split.message}`, fix: split.fix });
  const learning = learningLookupError(set, ends, names, lead);
  if (learning !== undefined) return learning;
  return judged === undefined ? undefined : unjudgedRequest(ends, judged.verdict, names, lead);
}

/**
 * Why no verdict on a DNS name (`fqdn:`) is what Cilium enforces because the lookup through which the client's `toFQDNs`
 * items learn it (`PolicySet._learningLookup`) is itself not judged: the DNS proxy refuses it on some patches of the target
 * version only (`engine-dns-patch-split`), or an end of it is a node given without its labels where a rule reads them
 * (`engine-node-labels-unknown`); whether the name is learned, and so whether `toFQDNs` selects it, is not known.
 */
function learningLookupError(set: PolicySet, ends: VerdictQuery, names: ConnectionEndNames, lead: string): CiliumPolicyError | undefined {
  const lookup = set._learningLookup(ends.from, ends.to);
  if (lookup === undefined) return undefined;
  const learns = `${names.to} ${formatEndpoint(ends.to)} is reached through toFQDNs, which learns the name only from the lookup of `
    + `${lookup.dns ?? ''} at the DNS server ${formatEndpoint(lookup.to)}, and that lookup is not judged: `;
  const consequence = '; whether the name is learned, and so whether toFQDNs selects it, is not known';
  const server = 'the DNS server';
  for (const [name, otherName, direction] of [[names.from, server, 'egress'], [server, names.from, 'ingress']] as const) {
    const unknown = set._nodeLabelsUnknown(lookup, direction);
    if (unknown === undefined) continue;
    const named = unknown.end === 'subject' ? name : otherName;
    return new CiliumPolicyError({ id: 'engine-node-labels-unknown', message: `${lead}${learns}${named} ${unknown.message}${consequence}`, fix: `${unknown.fix} as ${named}` });
  }
  for (const [name, otherName, direction] of [[names.from, server, 'egress'], [server, names.from, 'ingress']] as const) {
    const unknown = set._serviceAccountUnknown(lookup, direction);
    if (unknown === undefined) continue;
    const named = unknown.end === 'subject' ? name : otherName;
    const fix = named === server ? `${unknown.fix} (the DNS server: PolicySetOptions.dnsServer, --dns-server)` : `${unknown.fix} as ${named}`;
    return new CiliumPolicyError({ id: 'engine-service-account-unknown', message: `${lead}${learns}${named} ${unknown.message}${consequence}`, fix });
  }
  const split = set._dnsPatchSplit(lookup);
  if (split === undefined) return undefined;
  return new CiliumPolicyError({
    id: 'engine-dns-patch-split',
    message: `${lead}${learns}${names.from} ${formatEndpoint(ends.from)} ${split.message}${consequence}`,
    fix: split.fix,
  });
}

/** How the messages name the protocols of requests the engine judges, and a request of each. */
const PROTOCOL_NAMES: Readonly<Partial<Record<L7Protocol, { readonly name: string; readonly request: string }>>> = {
  [L7Protocol.HTTP]: { name: 'HTTP', request: 'an HTTP request' },
  [L7Protocol.DNS]: { name: 'DNS', request: 'the DNS name looked up' },
  [L7Protocol.KAFKA]: { name: 'Kafka', request: 'a Kafka request' },
};

/**
 * A connection allowed with a request (`http`, `dns`, `kafka`) while a side holds the port to L7 rules the engine did not
 * judge that request by (`L7Result.NOT_EVALUATED`), as the error `engine-l7-not-evaluated`; `undefined` when every L7 rule
 * on the way judged it, or the verdict is a denial (a side that drops it at L3/L4 or refuses it at L7 decides it whatever
 * the others do). Such rules are:
 * - generic `l7proto` rules: the proxylib parser of that name reads its own protocol from the bytes and matches its own
 *   key-value rules (proxylib/proxylib/policymap.go `PortNetworkPolicyRule.Matches`; proxylib/r2d2/r2d2parser.go `OnData`
 *   answers `ERROR` and drops a request no rule matches; an unknown parser drops all), which no HTTP, DNS or Kafka request
 *   of the query is;
 * - rules of another protocol than the request's (an HTTP request on a port with Kafka rules): the agent gives the port one
 *   parser, that of its rules (pkg/policy/l4.go `createL4Filter`), which parses the request's bytes as its own protocol.
 * Either way the proxy, not the engine, decides whether the request passes: "allowed" would be a guess.
 */
function unjudgedRequest(query: VerdictQuery, verdict: Verdict, names: ConnectionEndNames, lead: string): CiliumPolicyError | undefined {
  const given = query.http !== undefined || query.dns !== undefined || query.kafka !== undefined;
  if (!given || !verdict.allowed) return undefined;
  const side = [verdict.egress, verdict.ingress].find((s) => s.l7?.result === L7Result.NOT_EVALUATED);
  const l7 = side?.l7;
  if (side === undefined || l7 === undefined) return undefined;
  const name = side.direction === 'egress' ? names.from : names.to;
  const parsed = PROTOCOL_NAMES[l7.protocol];
  const rules = `${parsed === undefined ? 'generic L7 (l7proto) rules' : `${parsed.name} rules`} (${l7RulesText(l7)})`;
  return new CiliumPolicyError({
    id: 'engine-l7-not-evaluated',
    message: `${lead}the request ${verdict.request ?? ''} on ${verdict.connection} is not judged: the ${side.direction} policy of ${name} `
      + `${side.endpoint}${ruleText(side)} holds this port to ${rules}, which the proxy enforces on ${parsed === undefined
        ? 'the requests its parser of that protocol reads from the bytes; the engine does not evaluate them: whether the request passes is not known'
        : `the bytes read as ${parsed.name} requests; the engine judges only ${parsed.request} by them: whether this one passes is not known`}`,
    fix: `${parsed === undefined ? '' : `give ${parsed.request} to judge it, or `}ask without the request for the connection's verdict at L4 `
      + '(allowed, the L7 rules left to the proxy)',
  });
}

/** ` (CiliumNetworkPolicy shop/api spec.ingress[0])`: the rule item that allowed the side, when the verdict names one. */
function ruleText(side: SideVerdict): string {
  return side.rule !== undefined ? ` (${objectName(side.rule)} ${side.rule.path})` : '';
}

/** The L7 rules of an outcome as a message quotes them: the first three, `|`-separated, `…` for the rest. */
export function l7RulesText(l7: L7Outcome): string {
  return `${l7.rules.slice(0, 3).join(' | ')}${l7.rules.length > 3 ? ' | …' : ''}`;
}
