/**
 * Policy inputs no verdict over which is a claim about Cilium: a file that cannot be read, YAML that does not parse or
 * nests too deep, a document without kind, a manifest the API server refuses. `trace`, `replay`, `diff` and `inventory`
 * refuse them (exit 2), and the test matchers throw (a verdict over the rest would be a partial, possibly wrong answer);
 * `trace`, `replay` and the matchers refuse inputs of no policy at all too (`noPolicyError`).
 */
import { CiliumPolicyError } from '../core/errors';
import { diagnosticWeight } from '../model/diagnostic-budget';
import { SourceDiagnostic } from '../model/parse-result';
import { withoutControls } from '../model/printable';
import { PolicySet } from './policy-set';

/**
 * @internal A diagnostic of the inputs as the commands print it, on one line: `file:line: message (id)`. Its text comes
 * from the inputs (names, keys, values), so control characters are replaced (`withoutControls`).
 * @param withId whether to end with the diagnostic's id
 */
export function diagnosticText(d: SourceDiagnostic, withId = true): string {
  return withoutControls(`${d.file ?? 'input'}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}${withId ? ` (${d.id})` : ''}`);
}

/**
 * @internal The bad input among a policy set's files (a file that cannot be read, YAML that does not parse or nests too
 * deep), as the one-line error of exit status 2 — a verdict over the rest would be a partial, possibly wrong answer.
 * @param manifests whether a manifest the API server refuses for a label value that is no string is refused too (the
 * `--inventory` reader says it itself, as `cli-inventory`)
 * @param lead the start of the message (the test matchers' call), or nothing
 */
export function policyInputError(set: PolicySet, manifests = true, lead = ''): CiliumPolicyError | undefined {
  // A policy without kind is refused too: kubectl refuses it, a verdict without it would judge other policies than applied.
  // So is a workload, Service or Namespace the API server refuses for a label value that is no string (`country: NO`):
  // read otherwise, the endpoints would not be the cluster's (as `--inventory` refuses it, `cli-inventory`).
  const refused = new Set(manifests ? set._refusedManifests : []);
  const bad = set.diagnostics.filter((d) => d.severity === 'error'
    && (d.id === 'parse-yaml-syntax' || d.id === 'parse-missing-kind' || d.id.startsWith('input-') || refused.has(d)));
  if (bad.length === 0) return undefined;
  const d = bad[0];
  // A summary of the errors left unlisted (`omitted`: the tagged scalars past the first 1,000) stands for that many.
  const others = bad.reduce((n, x) => n + diagnosticWeight(x), 0) - 1;
  const more = others > 0 ? ` (and ${others.toLocaleString('en-US')} more input problem${others > 1 ? 's' : ''})` : '';
  return new CiliumPolicyError({
    id: d.id === 'parse-yaml-syntax' ? 'cli-yaml' : d.id,
    message: `${lead}${diagnosticText(d, false)}${more}`,
    // A limit of the whole input (no document index: too deep, too many documents or values) has a fix of its own.
    fix: d.id === 'parse-yaml-syntax' && (d.index !== undefined || d.fix === undefined) ? 'fix the YAML' : d.fix ?? 'check the policy files',
  });
}

/**
 * @internal Inputs that hold no policy at all (an empty directory, a synth that wrote nothing, YAML whose only policy has a
 * wrong-case kind or an unknown apiVersion, an App without a Cilium policy), as the error `trace` and `replay` exit 2 with
 * and the test matchers throw (`cli-no-policies`): every connection would be allowed and nothing dropped, an answer about
 * no policy of the user's (`toDeny` could never pass, `toAllow` never fail).
 * @param lead the start of the message: what was read (`--policies dist/`, the matcher's call)
 * @param fix where the policies are
 */
export function noPolicyError(set: PolicySet, lead: string, fix: string): CiliumPolicyError | undefined {
  if (set.policies.length > 0) return undefined;
  // What the reader left out may be the policies themselves (a wrong-case kind, an unknown apiVersion): say so.
  const [first, ...others] = set.diagnostics;
  const skipped = first === undefined ? ''
    : `; read: ${diagnosticText(first, false)}${others.length > 0 ? ` (and ${others.length} more)` : ''}`;
  return new CiliumPolicyError({
    id: 'cli-no-policies',
    message: `${lead}no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found${skipped}; without one every connection is allowed`,
    fix,
  });
}
