/**
 * The atoms of a list of label selectors: the sets of selectors that one label set can satisfy at once, each with a
 * witness label set. Two pods with the same atom are selected by exactly the same selectors, so every policy of the
 * selectors treats them alike; a pod that two unrelated selectors select (`app=web` and `tier=frontend`) is an atom of
 * its own, whose verdicts are not those of a pod of either selector alone.
 *
 * Exact and without the product of every label value: the keys are taken one at a time, and the label sets so far are
 * kept by the selectors they still may satisfy (two label sets that may satisfy the same selectors have the same
 * futures), so the work grows with the atoms, not with the values of the keys multiplied.
 */
import { SelectorRequirement } from '../model/labels';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { DEFAULT_SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY } from '../model/selectors';

/** One selector as the atoms see it. */
export interface AtomSelector {
  /** Its requirements on the labels the atoms vary (plain keys). */
  readonly requirements: readonly SelectorRequirement[];
  /** Whether its other requirements (namespace, cluster) hold where the atoms are taken. */
  readonly holds: boolean;
  /** Whether an atom in which it holds is wanted (an atom is kept when one of its selectors is a source). */
  readonly source: boolean;
}

/** How to take the atoms. */
export interface SelectorAtomsOptions {
  /** The most label sets kept at once: beyond it, the atoms are not taken (`SelectorAtoms.exceeded`). */
  readonly limit: number;
  /**
   * Whether requirements on one key hold for a value of it (`undefined`: the key absent), with the engine's matching.
   * @param key the plain key
   * @param value its value, or `undefined` for a label set without the key
   * @param requirements requirements on `key` only
   * @param selector the index of the selector they are of, in the list given to `selectorAtoms`
   */
  readonly matches: (key: string, value: string | undefined, requirements: readonly SelectorRequirement[], selector: number) => boolean;
}

/** The atoms of some selectors. */
export interface SelectorAtoms {
  /** A witness label set per atom in which a source selector holds, in a fixed order (fewest labels first per key). */
  readonly witnesses: Record<string, string>[];
  /** Whether there were more than `limit` label sets to keep (then `witnesses` is empty). */
  readonly exceeded: boolean;
}

/**
 * Per key the requirements name, the values that tell them apart: each value an `In` or `NotIn` names, and for keys
 * under `NotIn`, `Exists` or `DoesNotExist` a value none names and `undefined` (the key absent); sorted by key. The
 * service account key is always open and never absent: every pod's identity carries it (pkg/k8s/utils `SanitizePodLabels`,
 * admission sets `default`), and a pod may run as any account, so its values are the named ones, `default` and one none
 * names, whatever the operators (an `In [default]` alone would leave no witness of the pods running as another).
 */
export function keyValues(requirements: readonly SelectorRequirement[]): [string, (string | undefined)[]][] {
  const named = new Map<string, Set<string>>();
  const open = new Set<string>();
  for (const q of requirements) {
    const set = named.get(q.key) ?? new Set<string>();
    named.set(q.key, set);
    q.values.forEach((v) => set.add(v));
    if (q.operator !== 'In') open.add(q.key);
  }
  return [...named.entries()].sort(([a], [b]) => compare(a, b)).map(([key, set]) => {
    const account = key === SERVICE_ACCOUNT_KEY;
    if (account) set.add(DEFAULT_SERVICE_ACCOUNT);
    const vals: (string | undefined)[] = [...set].sort();
    if (open.has(key) || account) {
      let other = 'any';
      for (let i = 1; set.has(other); i++) other = `any${i}`;
      vals.push(other);
      if (!account) vals.push(undefined);
    }
    return [key, vals];
  });
}

interface State {
  /** The selectors this label set still may satisfy (bit i: selector i). */
  readonly alive: bigint;
  readonly labels: Record<string, string>;
}

/** The atoms of `selectors` in which a source holds (see the file's comment). */
export function selectorAtoms(selectors: readonly AtomSelector[], options: SelectorAtomsOptions): SelectorAtoms {
  let sources = 0n;
  let alive = 0n;
  const byKey = new Map<string, { index: number; requirements: SelectorRequirement[] }[]>();
  selectors.forEach((s, i) => {
    if (!s.holds) return;
    const bit = 1n << BigInt(i);
    alive |= bit;
    if (s.source) sources |= bit;
    const grouped = new Map<string, SelectorRequirement[]>();
    for (const q of s.requirements) grouped.set(q.key, [...(grouped.get(q.key) ?? []), q]);
    for (const [key, requirements] of grouped) byKey.set(key, [...(byKey.get(key) ?? []), { index: i, requirements }]);
  });
  if ((alive & sources) === 0n) return { witnesses: [], exceeded: false };
  const live = selectors.flatMap((s) => (s.holds ? s.requirements : []));
  let states: State[] = [{ alive, labels: {} }];
  for (const [key, named] of keyValues(live)) {
    const constrained = byKey.get(key) ?? [];
    const mask = constrained.reduce((m, c) => m | (1n << BigInt(c.index)), 0n);
    // The key absent first: a witness carries the fewest labels that reach its atom.
    const values = [undefined, ...named.filter((v) => v !== undefined)];
    const kept = keptBy(key, values, constrained, options);
    const next = new Map<bigint, State>();
    for (const state of states) {
      if ((state.alive & mask) === 0n) {
        if (!next.has(state.alive)) next.set(state.alive, state);
        continue;
      }
      values.forEach((v, j) => {
        const a = (state.alive & ~mask) | (state.alive & kept[j]);
        if ((a & sources) === 0n || next.has(a)) return;
        next.set(a, { alive: a, labels: v === undefined ? state.labels : { ...state.labels, [key]: v } });
      });
      if (next.size > options.limit) return { witnesses: [], exceeded: true };
    }
    states = [...next.values()];
  }
  return { witnesses: states.map((s) => s.labels), exceeded: false };
}

/**
 * Per value of `key` (`undefined`: the key absent), the selectors of `constrained` whose requirements on it hold there.
 * A selector with an `In` requirement on the key holds only for the values it names: it is asked of those alone, so that
 * many selectors of one value each (`app=a<i>`) cost their values, not the values times the selectors.
 */
function keptBy(key: string, values: readonly (string | undefined)[], constrained: readonly { index: number; requirements: SelectorRequirement[] }[],
  options: SelectorAtomsOptions): bigint[] {
  const position = new Map(values.map((v, j) => [v, j]));
  const kept = values.map(() => 0n);
  for (const c of constrained) {
    const named = c.requirements.find((q) => q.operator === 'In');
    const asked = named === undefined ? values.map((_, j) => j)
      : [...new Set(named.values)].flatMap((v) => (position.has(v) ? [position.get(v) as number] : []));
    for (const j of asked) if (options.matches(key, values[j], c.requirements, c.index)) kept[j] |= 1n << BigInt(c.index);
  }
  return kept;
}
