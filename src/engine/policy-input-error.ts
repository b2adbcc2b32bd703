/**
 * Policy inputs no verdict over which is a claim about Cilium: a file that cannot be read, YAML that does not parse or
 * nests too deep, a document without kind, a manifest the API server refuses. `trace`, `replay`, `diff` and `inventory`
 * refuse them (exit 2), and the test matchers throw (a verdict over the rest would be a partial, possibly wrong answer);
 * `trace`, `replay`, `report` and the matchers refuse inputs that enforce no policy at all too, and `diff` two sides of
 * none (`noPolicyError`).
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

/** The ids of the diagnostics that tell why a policy was left out: `read:` names the first of them before any other. */
const LEFT_OUT = new Set(['parse-unknown-kind', 'parse-api-version', 'engine-policy-skipped']);

/**
 * @internal Why a set enforces no policy, or nothing when it enforces one: none was read (an empty directory, a synth
 * that wrote nothing, a wrong-case kind, an unknown apiVersion), or every rule read is skipped (rejected by the API
 * server or the agent: both `endpointSelector` and `nodeSelector`, `spec: {}`), so the cluster enforces none of them.
 * A set that enforces some policies beside skipped ones enforces a policy (the skipped ones are warnings).
 * @param lead the start of the text: what was read (`--policies dist/`, `--head dist/`, the matcher's call)
 * @param withRead whether to name what the reader left out (`; read: …`)
 */
export function noPolicyText(set: PolicySet, lead: string, withRead = true): string | undefined {
  if (set.skippedRules.length < set.ruleCount) return undefined;
  const read = set.policies.length;
  const none = read === 0 ? 'no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found'
    : `no policy the cluster enforces (the ${read === 1 ? 'policy' : `${read} policies`} read ${read === 1 ? 'is' : 'are all'} skipped)`;
  // What the reader left out may be the policies themselves (a wrong-case kind, an unknown apiVersion, a rejected
  // policy): said first, before warnings that do not explain it.
  const ordered = [...set.diagnostics.filter((d) => LEFT_OUT.has(d.id)), ...set.diagnostics.filter((d) => !LEFT_OUT.has(d.id))];
  const [first, ...others] = ordered;
  const skipped = first === undefined || !withRead ? ''
    : `; read: ${diagnosticText(first, false)}${others.length > 0 ? ` (and ${others.length} more)` : ''}`;
  return `${lead}${none}${skipped}`;
}

/**
 * @internal Inputs that enforce no policy at all (`noPolicyText`), as the error `trace`, `replay` and `report` exit 2
 * with and the test matchers throw (`cli-no-policies`): every connection would be allowed and nothing dropped, an answer
 * about no policy of the user's (`toDeny` could never pass, `toAllow` never fail). `diff` refuses two sides of none.
 * @param lead the start of the message: what was read (`--policies dist/`, the matcher's call)
 * @param fix where the policies are
 */
export function noPolicyError(set: PolicySet, lead: string, fix: string): CiliumPolicyError | undefined {
  const none = noPolicyText(set, lead);
  return none === undefined ? undefined
    : new CiliumPolicyError({ id: 'cli-no-policies', message: `${none}; without one every connection is allowed`, fix });
}
