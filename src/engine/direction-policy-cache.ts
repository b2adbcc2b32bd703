/**
 * The direction policies of a `PolicySet`, computed on first use: each subject identity's rule selection, and one
 * direction policy per direction and selection, shared by the identities the same rules select.
 */
import { CiliumVersion } from '../core/cilium-version';
import { CompiledRule, EngineConfig } from './compile';
import { DirectionPolicy, RuleIndex, RuleSelection, directionPolicyOf, selectRules } from './direction-policy';
import { ResolvedEndpoint } from './identity';

/** Direction policies by identity, cached. */
export class DirectionPolicyCache {
  /** Direction policies by direction and rule selection (`RuleSelection.key`). */
  private readonly cache = new Map<string, DirectionPolicy>();
  /** The rule selection of each subject identity (kind and labels). */
  private readonly selections = new Map<string, RuleSelection>();
  /** The rules by the namespace their subject pins (a pod only scans its namespace's rules and the others). */
  private ruleIndex?: RuleIndex;
  /** The direction policies of a resolved endpoint (the `cache` entries for its identity), so a lookup builds no cache key. */
  private readonly byEndpoint = new WeakMap<ResolvedEndpoint, { ingress?: DirectionPolicy; egress?: DirectionPolicy }>();

  public constructor(private readonly rules: readonly CompiledRule[], private readonly config: EngineConfig) {}

  /** The (cached) policy of a subject identity in one direction; `undefined` where policy does not apply. */
  public get(subject: ResolvedEndpoint, direction: 'ingress' | 'egress'): DirectionPolicy | undefined {
    if (subject.subject === undefined) return undefined;
    let slot = this.byEndpoint.get(subject);
    if (!slot) {
      slot = {};
      this.byEndpoint.set(subject, slot);
    }
    const known = slot[direction];
    if (known) return known;
    const identity = `${subject.subject}|${subject.labels.id}`;
    let selection = this.selections.get(identity);
    if (!selection) {
      this.ruleIndex ??= new RuleIndex(this.rules);
      selection = selectRules(this.ruleIndex.rulesFor(subject.labels), subject.subject, subject.labels);
      this.selections.set(identity, selection);
    }
    const key = `${direction}|${selection.key}`;
    let dp = this.cache.get(key);
    if (!dp) {
      dp = directionPolicyOf(selection, direction, this.config.version.atLeast(CiliumVersion.V1_19), true);
      this.cache.set(key, dp);
    }
    slot[direction] = dp;
    return dp;
  }
}
