/**
 * The subject selectors of a policy set, as the agent's selector cache holds them (pkg/policy/selectorcache.go): every
 * distinct subject selector of the rules interned once, when the set is built, to a small integer, with the rules that
 * carry it. A new identity is matched only against the selectors filed under one of its labels (by one positive
 * requirement `key In (values)` of each selector) and the short list of selectors without one: O(its labels + that list),
 * not O(rules). Its rule selection is then the rules of the selectors that select it, in input order.
 */
import { CompiledRule } from './compile';
import { RuleSelection } from './direction-policy';
import { SubjectKind } from './identity';
import { LabelSet, Selector, SelectorRequirement } from '../model/labels';

/** Interned subject selectors and the rules that carry each (see the file comment). */
export class SubjectSelectorCache {
  /** The selectors by id. */
  private readonly selectors: Selector[] = [];
  /** The subject kind of each selector (a rule's subject is the same selector as another's only for the same kind). */
  private readonly kinds: SubjectKind[] = [];
  /** The imported rules of each selector, in input order. */
  private readonly imported: CompiledRule[][] = [];
  /** The rules of each selector the agent does not import, in input order. */
  private readonly skipped: CompiledRule[][] = [];
  /** Selector ids per required key and value (whatever the source: the full match checks it). */
  private readonly byLabel = new Map<string, Map<string, number[]>>();
  /** Selector ids without a positive requirement (checked against every identity). */
  private readonly general: number[] = [];
  /** The pass in which each selector was last seen as a candidate (a candidate filed under two labels is tested once). */
  private readonly seen: Uint32Array;
  private pass = 0;

  public constructor(rules: readonly CompiledRule[]) {
    const ids = new Map<string, number>();
    for (const rule of rules) {
      const key = `${rule.subjectKind}|${rule.subject.cacheKey()}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = this.selectors.length;
        ids.set(key, id);
        this.selectors.push(rule.subject);
        this.kinds.push(rule.subjectKind);
        this.imported.push([]);
        this.skipped.push([]);
      }
      (rule.imported ? this.imported : this.skipped)[id].push(rule);
    }
    // Each selector is filed under its positive requirement whose values the fewest selectors require (`app=web` rather
    // than `tier=backend`, which hundreds may share), so that a label's list holds few selectors that do not match.
    const required = new Map<string, number>();
    const labelKey = (key: string, value: string): string => `${key}\u0000${value}`;
    for (const sel of this.selectors) {
      for (const r of positive(sel)) for (const v of new Set(r.values)) required.set(labelKey(r.key, v), (required.get(labelKey(r.key, v)) ?? 0) + 1);
    }
    this.selectors.forEach((sel, id) => {
      let best: SelectorRequirement | undefined;
      let bestScore = Infinity;
      for (const r of positive(sel)) {
        let score = 0;
        for (const v of new Set(r.values)) score += required.get(labelKey(r.key, v)) ?? 0;
        if (score < bestScore) {
          best = r;
          bestScore = score;
        }
      }
      this.file(id, best);
    });
    this.seen = new Uint32Array(this.selectors.length);
  }

  /** The number of distinct subject selectors. */
  public get size(): number {
    return this.selectors.length;
  }

  /** The ids of the subject selectors of `kind` that select an identity with `labels`, ascending. */
  public matching(labels: LabelSet, kind: SubjectKind): number[] {
    const out: number[] = [];
    if (++this.pass === 0xffffffff) {
      this.seen.fill(0);
      this.pass = 1;
    }
    const pass = this.pass;
    const test = (id: number): void => {
      if (this.seen[id] === pass) return;
      this.seen[id] = pass;
      if (this.kinds[id] === kind && this.selectors[id].matches(labels)) out.push(id);
    };
    for (let i = 0; i < this.general.length; i++) test(this.general[i]);
    const all = labels.labels;
    for (let i = 0; i < all.length; i++) {
      const list = this.byLabel.get(all[i].key)?.get(all[i].value);
      if (list !== undefined) for (let j = 0; j < list.length; j++) test(list[j]);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * The rule selection of the identities of `kind` that the selectors `ids` (from `matching`) select: the rules carrying
   * them, in input order (the same as `selectRules` over every rule).
   */
  public selection(kind: SubjectKind, init: boolean, ids: readonly number[]): RuleSelection {
    return { subjectKind: kind, selecting: this.rulesOf(this.imported, ids), skipped: this.rulesOf(this.skipped, ids), init };
  }

  /** The rules of the selectors `ids` in `lists`, in input order. */
  private rulesOf(lists: readonly CompiledRule[][], ids: readonly number[]): readonly CompiledRule[] {
    let only: CompiledRule[] | undefined;
    let merged: CompiledRule[] | undefined;
    for (let i = 0; i < ids.length; i++) {
      const list = lists[ids[i]];
      if (list.length === 0) continue;
      if (only === undefined) only = list;
      else (merged ??= only.slice()).push(...list);
    }
    if (merged !== undefined) return merged.sort((a, b) => a.ordinal - b.ordinal);
    return only ?? NO_RULES;
  }

  /** Files a selector under the values of its requirement (or with the general ones). */
  private file(id: number, req: SelectorRequirement | undefined): void {
    if (req === undefined) {
      this.general.push(id);
      return;
    }
    let byValue = this.byLabel.get(req.key);
    if (byValue === undefined) {
      byValue = new Map();
      this.byLabel.set(req.key, byValue);
    }
    for (const value of new Set(req.values)) {
      const list = byValue.get(value);
      if (list === undefined) byValue.set(value, [id]);
      else list.push(id);
    }
  }
}

const NO_RULES: readonly CompiledRule[] = Object.freeze([]);

/** The positive requirements of a selector (`In` with values): an identity it selects has a label of one of the values. */
function positive(selector: Selector): SelectorRequirement[] {
  return selector.requirements.filter((r) => r.operator === 'In' && r.values.length > 0);
}
