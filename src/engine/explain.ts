/**
 * The human form of a verdict: one line with the outcome, then what each side decided and why.
 */
import { withoutControls } from '../model/printable';
import { objectName } from '../model/object-names';
import { SideVerdict, Verdict, VerdictPolicyRef, VerdictRuleRef } from './verdict';
import { PolicyEnforcement } from './policy-set-options';
import { pushAll } from '../model/push-all';
import { clipText } from '../model/clip-text';

/**
 * @internal Formats a verdict for people (`Verdicts.format`):
 * ```
 * DENIED pod:default:app=a → pod:default:app=b 8080/TCP
 * egress at pod:default:app=a: allowed: no policy selects pod:default:app=a (default allow)
 * ingress at pod:default:app=b: default deny: 1 rule with ingress rules selects … and none allows …
 *   policies: CiliumNetworkPolicy default/b
 * ```
 */
export function formatVerdict(verdict: Verdict): string {
  const lines = [verdict.summary];
  for (const side of [verdict.egress, verdict.ingress]) pushAll(lines, formatSide(side));
  return lines.map(withoutControls).join('\n');
}

/** The most characters of one L7 rule's text on the `L7 rules:` line. */
const MAX_RULE_TEXT = 300;

function formatSide(side: SideVerdict): string[] {
  const out = [`${side.direction} at ${side.endpoint}: ${side.reason}`];
  if (!side.evaluated) return out;
  if (side.rule) out.push(`  rule: ${formatRule(side.rule)}`);
  if (side.l7) {
    out.push(`  L7 ${side.l7.protocol}: ${side.l7.result} — ${side.l7.reason}`);
    // Each rule clipped: a rule's text quotes its values (a header entry of 2,000,000 characters was a 2 MB line).
    if (side.l7.rules.length > 0) out.push(`  L7 rules: ${side.l7.rules.map((r) => clipText(r, MAX_RULE_TEXT)).join(' | ')}`);
  }
  // Under never no rule is read (computePolicyEnforcementAndRules returns before matching one): "none" would say no policy selects it.
  out.push(`  policies selecting ${side.endpoint}: ${side.enforcement === PolicyEnforcement.NEVER ? 'not read (enable-policy=never: no policy is enforced)'
    : side.policies.length > 0 ? side.policies.map(formatPolicy).join(', ') : 'none'}`);
  for (const n of side.notes) out.push(`  note: ${n}`);
  return out;
}

function formatPolicy(p: VerdictPolicyRef): string {
  // The name Hubble and `cilium policy get` show, when it is not the object's (an annotated NetworkPolicy).
  return `${objectName(p)}${p.ciliumName !== undefined ? ` (Cilium: ${p.ciliumName})` : ''}`;
}

function formatRule(r: VerdictRuleRef): string {
  return `${formatPolicy(r)} ${r.path}${r.file ? ` (${r.file})` : ''}`;
}
