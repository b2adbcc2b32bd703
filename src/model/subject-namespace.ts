/**
 * What the agent makes of a namespace match in a CiliumNetworkPolicy's `endpointSelector`. `ParseToCiliumRule` always adds
 * the match label `k8s:io.kubernetes.pod.namespace=<policy namespace>` (`AddMatch`): it replaces a `matchLabels` entry on
 * exactly that key; every other namespace match (a `matchExpressions` entry, a source-less or `any:` label) is kept and
 * ANDed with it. One reading for the validator (`sanitize-cnp-subject-namespace`) and the constructs
 * (`subject-namespace-mismatch`).
 */
import { LabelSelectorModel } from './policy-model';
import { NAMESPACE_KEY, NAMESPACE_LABEL } from './selectors';

/** The keys that name a pod's namespace in a selector. */
export const NAMESPACE_MATCH_KEYS: readonly string[] = [NAMESPACE_LABEL, NAMESPACE_KEY, `any:${NAMESPACE_KEY}`];

/**
 * `replaced`: the agent writes the policy's namespace over it (the policy applies to pods the selector did not name);
 * `selects-nothing`: kept beside the policy's namespace, which it excludes; `no-effect`: kept, and the policy's namespace
 * satisfies it anyway.
 */
export type SubjectNamespaceEffect = 'replaced' | 'selects-nothing' | 'no-effect';

/** One namespace match of a CNP `endpointSelector` that does not simply restate the policy's namespace. */
export interface SubjectNamespaceMatch {
  /** `matchLabels.<key>` or `matchExpressions[<i>]`, relative to the selector. */
  readonly field: 'matchLabels' | 'matchExpressions';
  readonly key: string;
  /** The position in `matchExpressions`. */
  readonly index?: number;
  /** The label's value (`matchLabels`). */
  readonly value?: unknown;
  /** The expression's operator and values (`matchExpressions`). */
  readonly operator?: string;
  readonly values?: readonly string[];
  readonly effect: SubjectNamespaceEffect;
}

/**
 * The namespace matches of a CNP `endpointSelector` (read as written: values of any type) and what the agent makes of
 * them for a policy of namespace `own`. A label equal to `own`, and `In (own)`, restate it and are left out.
 */
export function subjectNamespaceMatches(selector: LabelSelectorModel, own: string | undefined): SubjectNamespaceMatch[] {
  const out: SubjectNamespaceMatch[] = [];
  const labels: Record<string, unknown> = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(labels)) {
    if (!NAMESPACE_MATCH_KEYS.includes(key) || value === own) continue;
    out.push({ field: 'matchLabels', key, value, effect: key === NAMESPACE_LABEL ? 'replaced' : 'selects-nothing' });
  }
  const expressions: unknown[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  expressions.forEach((e, index) => {
    if (!isRecord(e) || !NAMESPACE_MATCH_KEYS.includes(String(e.key))) return;
    const values = (Array.isArray(e.values) ? e.values : []).map(String);
    const operator = String(e.operator);
    const keepsOwn = operator === 'In' ? own !== undefined && values.includes(own)
      : operator === 'NotIn' ? own === undefined || !values.includes(own)
        : operator === 'Exists';
    if (keepsOwn && operator === 'In' && values.length === 1) return;
    out.push({ field: 'matchExpressions', key: String(e.key), index, operator, values, effect: keepsOwn ? 'no-effect' : 'selects-nothing' });
  });
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
