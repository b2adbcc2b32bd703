/**
 * A request allowed at L4 onto L7 rules the engine did not judge it by (`engine-l7-not-evaluated`): the one predicate of
 * `PolicySet.verdict()`/`decide()`/`evaluateNaive()`, `trace` and the test matchers (which refuse it) and `replay` (which
 * leaves it not judged), all through `unjudgedConnectionError`.
 */
import { CiliumPolicyError } from '../core/errors';
import { objectName } from '../model/object-names';
import { L7Outcome, L7Protocol, L7Result, SideVerdict, Verdict, VerdictQuery } from './verdict';

/** How the caller names the two ends in its messages: `--from`/`--to` (trace), `the client`/`the server` (the matchers). */
export interface ConnectionEndNames {
  /** The client's name. */
  readonly from: string;
  /** The server's name. */
  readonly to: string;
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
export function unjudgedRequest(query: VerdictQuery, verdict: Verdict, names: ConnectionEndNames, lead: string): CiliumPolicyError | undefined {
  // A null request (from JavaScript or JSON) is no request, as the verdict reads it.
  const given = [query.http, query.dns, query.kafka].some((r) => r !== undefined && r !== null);
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
