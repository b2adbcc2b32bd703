/**
 * A verdict judged at one side only: a reply or related packet that one end's conntrack recognises and the other's does
 * not. The datapath returns a policy drop only for a packet conntrack found neither a reply nor related (bpf/bpf_lxc.c:
 * `if (ct_status != CT_REPLY && ct_status != CT_RELATED && verdict < 0)`), so at the end whose conntrack entry matches
 * (the one that sent the request) policy is never consulted.
 */
import { notEvaluated } from './evaluate';
import { SideDecision, Verdict, VerdictKind } from './verdict';
import { verdictSummary } from './verdict-summary';

/**
 * `v` with the side other than `judged` not evaluated (`reason` says why), its kind and summary from the judged side.
 * @param judged the side that looked the packet up in policy
 */
export function oneSidedVerdict(v: Verdict, judged: 'egress' | 'ingress', reason: string): Verdict {
  const egress = judged === 'egress' ? v.egress : notEvaluated('egress', v.egress.endpoint, reason);
  const ingress = judged === 'ingress' ? v.ingress : notEvaluated('ingress', v.ingress.endpoint, reason);
  const side = judged === 'egress' ? egress : ingress;
  const verdict = !side.allowed ? VerdictKind.DENIED : side.decision === SideDecision.L7_DENIED ? VerdictKind.L7_DENIED : VerdictKind.ALLOWED;
  const summary = verdictSummary(verdict, v.from, v.to, v.connection, v.request, [egress, ingress]);
  return { ...v, verdict, allowed: verdict === VerdictKind.ALLOWED, summary, egress, ingress };
}
