/**
 * A pod given without its service account: no `io.cilium.k8s.policy.serviceaccount` label written, no workload of the
 * inputs naming one, none in a capture (`serviceAccountUnknown`). Cilium labels every pod with its `serviceAccountName`
 * (pkg/k8s/utils `SanitizePodLabels`) and Kubernetes' ServiceAccount admission sets `default` on a pod that names none,
 * but a pod given by its labels alone may run as any account: judging it as `default` where a selector reads the key
 * would be a claim about a pod the query does not name. As for a node given without its labels
 * (`node-label-combinations.ts`), the side is decided under each account the pod may run as (`serviceAccountCandidates`:
 * every value a selector of the rules names for the key, `default`, and one value none names, which stands for every
 * other; each pair of them when both ends are such pods); when all decide alike (`decisionSignature`, the one
 * reading of "the same decision"), the side is judged; otherwise `trace`, the test matchers, `replay` and the public
 * verdicts refuse it (`engine-service-account-unknown`, `unjudgedConnectionError`), and the refused verdict (`_verdict`)
 * notes it on the verdict of a pod running as `default`. Past `MAX_SERVICE_ACCOUNT_CASES` combinations the side is taken not to decide alike (refused, never guessed).
 */
import { CompiledRule } from './compile';
import { EndpointKind, Endpoint } from './endpoint';
import { k8sLabels } from './identity';
import { objectName } from '../model/object-names';
import { pushAll } from '../model/push-all';
import { Selector, SelectorRequirement } from '../model/labels';
import { DEFAULT_SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY } from '../model/selectors';

/** The most combinations of accounts decided for one side: past it, the side is refused. */
export const MAX_SERVICE_ACCOUNT_CASES = 256;

/** Whether a requirement reads the service account label (a key of source `any` or `k8s`). */
function readsServiceAccount(q: SelectorRequirement): boolean {
  return q.key === SERVICE_ACCOUNT_KEY && (q.source === 'any' || q.source === 'k8s');
}

/** Whether a pod endpoint (as the inventory completed it) is given without its service account (see the file's comment). */
export function serviceAccountUnknown(ep: Endpoint): boolean {
  return ep.kind === EndpointKind.POD && ep.serviceAccount === undefined && !k8sLabels(ep.labels).some((l) => l.source === 'k8s' && l.key === SERVICE_ACCOUNT_KEY);
}

/** Every requirement of a rule: its subject's, its items' peers', its `fromRequires`/`toRequires`. */
function ruleRequirements(rule: CompiledRule): SelectorRequirement[] {
  const selectors: Selector[] = [rule.subject];
  const requirements: SelectorRequirement[] = [];
  for (const items of Object.values(rule.items)) {
    for (const item of items) if (item.peer.kind === 'endpoints' || item.peer.kind === 'nodes') pushAll(selectors, item.peer.selectors);
  }
  for (const reqs of Object.values(rule.requires)) pushAll(requirements, reqs);
  for (const s of selectors) pushAll(requirements, s.requirements);
  return requirements;
}

/** Whether a rule reads the service account label anywhere (its subject, a peer, a requirement). */
export function ruleReadsServiceAccount(rule: CompiledRule): boolean {
  return ruleRequirements(rule).some(readsServiceAccount);
}

/**
 * The accounts a pod given without one may run as, as the rules tell them apart: each value a requirement on the key names,
 * `default`, and one value none names (standing for every other); empty when no rule reads the key.
 */
export function serviceAccountCandidates(rules: readonly CompiledRule[]): string[] {
  const named = new Set<string>();
  let reads = false;
  for (const r of rules) {
    for (const q of ruleRequirements(r)) {
      if (!readsServiceAccount(q)) continue;
      reads = true;
      q.values.forEach((v) => named.add(v));
    }
  }
  if (!reads) return [];
  named.add(DEFAULT_SERVICE_ACCOUNT);
  let other = 'other';
  for (let i = 1; named.has(other); i++) other = `other${i}`;
  return [...[...named].sort(), other];
}

/**
 * Why no verdict on a side holds for every account a pod given without one runs as: one sentence without the fix, naming
 * the end(s), the side and the rules reading the key.
 */
export function serviceAccountUnknownText(ends: readonly string[], subject: string, direction: 'ingress' | 'egress',
  rules: readonly CompiledRule[], cases: number): string {
  const names = [...new Set(rules.map((r) => objectName(r.policy)))];
  const who = ends.length === 1 ? `${ends[0]} is` : `${ends.join(' and ')} are`;
  return `${who} given without a service account (no ${SERVICE_ACCOUNT_KEY} label, no workload of the inputs naming one), and the `
    + `${direction} verdict of ${subject} depends on it: ${names.length === 1 ? 'the policy' : 'the policies'} ${names.join(', ')} `
    + `read${names.length === 1 ? 's' : ''} that label, and ${cases > MAX_SERVICE_ACCOUNT_CASES ? `the accounts it may run as are more than ${MAX_SERVICE_ACCOUNT_CASES} cases`
      : `under the accounts ${ends.length === 1 ? 'it' : 'they'} may run as (${DEFAULT_SERVICE_ACCOUNT}, the ones the rules name, one they do not; `
        + `${cases} cases) this side does not decide alike`}`;
}

/** The fix of `serviceAccountUnknownText` for an end. */
export function serviceAccountFix(end: string): string {
  return `give the pod's service account: ${end},${SERVICE_ACCOUNT_KEY}=<name> (${DEFAULT_SERVICE_ACCOUNT} for a pod that names none), `
    + 'or its workload (Deployment, …) in the inputs';
}
