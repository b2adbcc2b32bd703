// Pitfalls of host policies: deny rules that cut the paths nodes need (`pitfall-host-deny-lockout`), and default deny
// without allows for them (`pitfall-host-lockout`). The paths and the coverage test are the lockout guard's
// (`lockout-guard.ts`), shared with HostFirewall.
import { SectionName } from '../model/policy-model';
import { CiliumVersion } from '../core/cilium-version';
import { hostNodeSelectorProblem, Selector } from '../model/labels';
import { groupSelectorsSelectUngrouped } from '../model/cidr-groups';
import { DenyItem, guardViolations, WorldCut, hostGuardPaths, itemCoversPath, LOCKOUT_EXEMPTIONS_ANNOTATION, LockoutPath, lockoutPathKey } from './lockout-guard';
import { itemName, items, PitfallRun, RuleView } from './pitfall-run';
import { describeSelector, implies, mayOverlap } from './pod-selectors';
import { arr } from './walk';
import { pushAll } from '../model/push-all';

/**
 * Deny items of host policies that cut a guarded path: deny wins over every allow, so nothing can keep it open. A cut of
 * an exempted path is a warning that names the path, the deny item and the stated reason (`pitfall-host-lockout-exempted`),
 * so that exemptions show in every report; an annotation that cannot be read in full is a finding of its own, once per
 * document (`pitfall-host-lockout-exemptions-invalid`).
 */
export function hostDenyLockout(run: PitfallRun, r: RuleView): void {
  if (!r.host) return;
  const { exempted, problem } = run.lockoutExemptions(r.doc);
  if (problem && run.rules.find((x) => x.doc === r.doc && x.host) === r) {
    run.report('pitfall-host-lockout-exemptions-invalid', r, 'metadata.annotations',
      `${problem}: the lockout guard of this host policy exempts only the paths it could read`,
      `write the annotation as a JSON object from path to a non-empty reason, e.g. ${LOCKOUT_EXEMPTIONS_ANNOTATION}: '{"tunnel": "native routing"}' `
      + '(in a construct: lockoutExemptions)');
  }
  const denies = denyItems(r);
  // With the deny items of the host rules that may select some of the same nodes, its CIDRs may cut the whole world.
  const { companions, key, cuts } = hostDenies(run).of(r);
  const all = guardViolations(hostGuardPaths({ nodeSelector: r.rule.nodeSelector }), denies,
    { cidrGroups: run.inventory._cidrGroupMap, companions, worldCutMemo: { cuts, key }, emptyPeerListSelectsAll: before116(r),
      endPortExists: !before116(r), groupSelectorsSelectUngrouped: since117(r) });
  const at = (e: { section: SectionName; index: number }): number => denies.findIndex((d) => d.section === e.section && d.index === e.index);
  const exemptedCuts = new Map<string, { section: SectionName; index: number; what: string; path: string }>();
  for (const v of all.filter((x) => exempted.has(x.path))) {
    const key = `${v.section}[${v.index}] ${v.path}`;
    if (!exemptedCuts.has(key)) exemptedCuts.set(key, v);
  }
  for (const v of [...exemptedCuts.values()].sort((a, b) => at(a) - at(b))) {
    const reason = exempted.get(v.path as LockoutPath) ?? '';
    run.report('pitfall-host-lockout-exempted', r, `${r.path}.${v.section}[${v.index}]`,
      `this deny rule of a host policy cuts the ${v.path} path of the nodes ${describeSelector(r.rule.nodeSelector)} (${v.what}), `
      + `exempted by the annotation ${LOCKOUT_EXEMPTIONS_ANNOTATION} with the reason ${JSON.stringify(reason.length > 200 ? `${reason.slice(0, 200)}…` : reason)}`,
      'check that the path is not needed on these nodes (review the exemption like a firewall change); remove the exemption to have the cut refused');
  }
  const byItem = new Map<string, { section: SectionName; index: number; cuts: { path: string; what: string }[] }>();
  for (const v of all.filter((x) => !exempted.has(x.path))) {
    const key = `${v.section}[${v.index}]`;
    const entry = byItem.get(key) ?? { section: v.section, index: v.index, cuts: [] };
    // One peer and port per path is enough to say what is cut.
    if (!entry.cuts.some((c) => c.path === v.path)) entry.cuts.push({ path: v.path, what: v.what });
    byItem.set(key, entry);
  }
  for (const { section, index, cuts } of [...byItem.values()].sort((a, b) => at(a) - at(b))) {
    const names = cuts.map((c) => c.path);
    run.report('pitfall-host-deny-lockout', r, `${r.path}.${section}[${index}]`,
      `this deny rule of a host policy cuts the ${names.join(', ')} path${names.length > 1 ? 's' : ''} of the nodes ${describeSelector(r.rule.nodeSelector)} `
      + `(${cuts.map((c) => `${c.path}: ${c.what}`).join('; ')}): deny wins over every allow in Cilium, so no policy can keep ${names.length > 1 ? 'them' : 'it'} open `
      + `and operators, the kubelet, the API server or Cilium itself can be locked out of the nodes`,
      'narrow the deny (its peer or its ports) so that it leaves the path open; or, if the path is not needed on these nodes, exempt it with a reason: '
      + `ClusterwidePolicy lockoutExemptions: [{ path: LockoutPath.${lockoutPathKey(names[0])}, reason: '…' }] (HostFirewall: exemptions), or in YAML `
      + `the annotation ${LOCKOUT_EXEMPTIONS_ANNOTATION}: '{"${names[0]}": "…"}'`);
  }
}

/**
 * The deny items of a run's host rules, grouped by node selector: for each rule, those of the groups whose nodes may
 * overlap its own (its own included), under a key shared by the rules with the same groups, so that their world cuts
 * are computed once. Selectors are compared per pair of distinct selectors, not per pair of rules.
 */
class HostDenies {
  public readonly cuts = new Map<string, WorldCut>();
  private readonly groups: { readonly subject: Selector | undefined; readonly items: DenyItem[] }[] = [];
  private readonly groupOf = new Map<RuleView, number>();
  private readonly overlapping = new Map<number, number[]>();

  public constructor(rules: readonly RuleView[]) {
    const byKey = new Map<string, number>();
    for (const r of rules.filter((x) => x.host)) {
      const key = r.subject === undefined ? '?' : r.subject.toString();
      let g = byKey.get(key);
      if (g === undefined) {
        byKey.set(key, g = this.groups.length);
        this.groups.push({ subject: r.subject, items: [] });
      }
      this.groupOf.set(r, g);
      pushAll(this.groups[g].items, denyItems(r).map((d) => ({ ...d, where: `${d.section}[${d.index}] of ${itemName(r, `${r.path}.${d.section}[${d.index}]`)}` })));
    }
  }

  /** The deny items that apply with `r`'s (its own included, asked for lazily) and the key of that set. */
  public of(r: RuleView): { companions: () => DenyItem[]; key: string; cuts: Map<string, WorldCut> } {
    const g = this.groupOf.get(r) ?? -1;
    let with_ = this.overlapping.get(g);
    if (!with_) {
      const a = this.groups[g]?.subject;
      with_ = this.groups.flatMap(({ subject: b }, i) => (i === g || a === undefined || b === undefined || mayOverlap(a, b) ? [i] : []));
      this.overlapping.set(g, with_);
    }
    const groups = with_;
    return { companions: () => groups.flatMap((i) => this.groups[i].items), key: groups.join(','), cuts: this.cuts };
  }
}

const hostDeniesOfRun = new WeakMap<PitfallRun, HostDenies>();

function hostDenies(run: PitfallRun): HostDenies {
  let index = hostDeniesOfRun.get(run);
  if (!index) hostDeniesOfRun.set(run, index = new HostDenies(run.rules));
  return index;
}

/** Whether a rule is for a Cilium version before 1.16, where an empty peer list beside toPorts or icmps selects every peer on them. */
function before116(r: RuleView): boolean {
  return !r.version.atLeast(CiliumVersion.V1_16);
}

/**
 * Whether the rule is for Cilium 1.17 or later, where a `cidrGroupSelector` of no label selects every identity of no CIDR
 * group too (`GuardOptions.groupSelectorsSelectUngrouped`, as the engine's `ungroupedSelections` and `pitfall-broad-peer`).
 */
function since117(r: RuleView): boolean {
  return groupSelectorsSelectUngrouped(r.version);
}

/** The deny items of a rule. */
function denyItems(r: RuleView): DenyItem[] {
  return [SectionName.INGRESS_DENY, SectionName.EGRESS_DENY]
    .flatMap((section) => items(r.rule, section).map(({ item, index }) => ({ section, item, index })));
}

/**
 * Host policies in default deny without the paths nodes need. Not one whose `nodeSelector` selects no node
 * (`hostNodeSelectorProblem`: a requirement on `reserved:remote-node` or a `node:` key never holds on a host endpoint), which
 * `pitfall-selector-non-identity-label` reports: it puts no node into default deny.
 */
export function hostLockout(run: PitfallRun, r: RuleView): void {
  const nodes = r.subject;
  if (!r.host || !nodes || nodes.requirements.some((q) => hostNodeSelectorProblem(q)?.selectsNoNode === true)) return;
  const exempted = new Set(run.lockoutExemptions(r.doc).exempted.keys());
  const required = hostGuardPaths({ nodeSelector: r.rule.nodeSelector, exempted, requiredOnly: true });
  for (const direction of ['ingress', 'egress'] as const) {
    if (!run.defaultDeny(r, direction)) continue;
    const deny: SectionName = direction === 'ingress' ? SectionName.INGRESS_DENY : SectionName.EGRESS_DENY;
    const allowing = run.rules.filter((c) => c.host && c.subject !== undefined && implies(nodes, c.subject));
    const missing = required.filter((path) => path.direction === direction
      && !allowing.some((c) => items(c.rule, direction === 'ingress' ? SectionName.INGRESS : SectionName.EGRESS).some(({ item }) => itemCoversPath(item, path, {
        cidrGroups: run.inventory._cidrGroupMap, emptyPeerListSelectsAll: before116(c), endPortExists: !before116(c),
        groupSelectorsSelectUngrouped: since117(c), ciliumVersion: c.version,
      }))))
      .map((path) => path.required ?? path.path);
    if (missing.length === 0) continue;
    const section = arr(r.rule[direction]).length > 0 ? direction : deny;
    run.report('pitfall-host-lockout', r, `${r.path}.${section}`,
      `this host policy puts the nodes ${describeSelector(r.rule.nodeSelector)} into ${direction} default deny, but no host policy in the input allows `
      + `${missing.join('; ')}: the nodes can lose their kubelet, health checks, pod network or API server`,
      `allow these paths in a host policy for the same nodes (e.g. ${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: ` +
      '[remote-node, health, kube-apiserver] on those ports), or write the policy with the HostFirewall construct, which keeps them open; ' +
      'roll out with policyAuditMode first');
  }
}
