/**
 * Rules the agent would not import (rejected by the API server or the agent, or refused by the agent's sanitizer):
 * verdicts ignore them, and the set says so.
 */
import { Severity } from '../core/errors';
import { SourceDiagnostic } from '../model/parse-result';
import { CompiledRule } from './compile';
import { describePolicy } from './evaluate';
import { VerdictPolicyRef } from './verdict';

/** A rule the agent would not import. */
export interface SkippedRule {
  /** Its policy. */
  readonly policy: VerdictPolicyRef;
  /** The rule: `spec` or `specs[i]`. */
  readonly rule: string;
  /** Why the agent skips it. */
  readonly reason: string;
}

/** The rules the agent would not import, with the reason, in input order. */
export function skippedRulesOf(rules: readonly CompiledRule[]): SkippedRule[] {
  return rules.filter((r) => !r.imported).map((r) => ({ policy: r.policy, rule: r.rulePath, reason: r.skipReason ?? '' }));
}

/**
 * One warning per policy with rules the agent does not import (rejected by the API server or the agent, or holding a rule
 * the agent refuses), naming it and why: verdicts ignore those rules.
 */
export function skippedPolicyWarnings(rules: readonly CompiledRule[]): SourceDiagnostic[] {
  const out: SourceDiagnostic[] = [];
  const seen = new Set<string>();
  for (const r of rules) {
    if (r.imported) continue;
    const p = r.policy;
    const key = `${p.kind}/${p.namespace ?? ''}/${p.name}/${p.file ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      id: 'engine-policy-skipped', severity: Severity.WARNING,
      message: `${describePolicy(p)} is skipped (the cluster enforces none of it): ${r.skipReason ?? 'not importable'}`,
      fix: 'run `cdk8s-cilium validate` on it and fix its errors',
      ...(p.file !== undefined ? { file: p.file } : {}),
    });
  }
  return out;
}
