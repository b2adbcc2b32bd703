/**
 * A verdict judged at one side only: a reply or related packet that one end's conntrack recognises and the other's does
 * not. The datapath returns a policy drop only for a packet conntrack found neither a reply nor related (bpf/bpf_lxc.c:
 * `if (ct_status != CT_REPLY && ct_status != CT_RELATED && verdict < 0)`) and looks up policy, sending a policy-verdict
 * event (an audit in audit mode), only for such a packet (`goto skip_policy_enforcement` for CT_REPLY and CT_RELATED), so
 * at the end whose conntrack entry matches (the one that sent the request) policy is never consulted. Reply-type packets are SYN-ACKs, ICMPv4 echo replies (0) and
 * the errors conntrack marks related (3, 11, 12; not source quench 4 or redirect 5, which `ct_extract_ports4` creates as
 * new), ICMPv6 1–4 and 129. When the side that would be judged is not evaluated (no policy enforces it), the verdict is
 * left judged at both sides: no change is claimed from a side that enforces nothing.
 */
import { notEvaluated } from './evaluate';
import { SideDecision, Verdict, VerdictKind } from './verdict';
import { verdictSummary } from './verdict-summary';

/**
 * `v` with the side other than `judged` not evaluated (`reason` says why), its kind and summary from the judged side.
 * @param judged the side that looked the packet up in policy
 */
export function oneSidedVerdict(v: Verdict, judged: 'egress' | 'ingress', reason: string): Verdict {
  // A judged side no policy enforces (the host with no host policy, a side outside the cluster) cannot be the side that
  // dropped the packet: the record's side is not known to be enforced, so both sides are judged as for any packet.
  if (!(judged === 'egress' ? v.egress : v.ingress).evaluated) return v;
  const egress = judged === 'egress' ? v.egress : notEvaluated('egress', v.egress.endpoint, reason);
  const ingress = judged === 'ingress' ? v.ingress : notEvaluated('ingress', v.ingress.endpoint, reason);
  const side = judged === 'egress' ? egress : ingress;
  const verdict = !side.allowed ? VerdictKind.DENIED : side.decision === SideDecision.L7_DENIED ? VerdictKind.L7_DENIED : VerdictKind.ALLOWED;
  const summary = verdictSummary(verdict, v.from, v.to, v.connection, v.request, [egress, ingress]);
  return { ...v, verdict, allowed: verdict === VerdictKind.ALLOWED, summary, egress, ingress };
}
