/**
 * The one edit distance of the project, for "did you mean" suggestions (unknown fields, CRD violations, `trace`
 * endpoints that match no workload).
 */

/**
 * Levenshtein distance with adjacent transpositions (optimal string alignment): `webb` → `web` is 1, `wbe` → `web` is 1.
 *
 * With `max`, a distance above it is reported as `max + 1` without being computed in full: only the cells within `max`
 * of the diagonal are computed, strings whose lengths differ by more than `max` cost nothing, and the computation stops
 * at the first rows that cannot lead back under it. Suggestions need only close names, and the names come from anyone's
 * input: a 5 MB unknown key must cost a few milliseconds, not minutes and gigabytes. Memory is three rows.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const far = Number.POSITIVE_INFINITY;
  let before = new Array<number>(b.length + 1).fill(far);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => (j <= max ? j : far));
  let cur = new Array<number>(b.length + 1).fill(far);
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    // The band of this row; the cells just outside it read as too far (the arrays are reused).
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    cur[from - 1] = from === 1 ? i : far;
    if (to < b.length) cur[to + 1] = far;
    let rowMin = cur[from - 1];
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    // A later cell is reached from this row or (by a transposition) the one before it, and costs are never negative.
    if (rowMin > max && prevMin > max) return max + 1;
    prevMin = rowMin;
    [before, prev, cur] = [prev, cur, before];
  }
  return Math.min(prev[b.length], max + 1);
}

/** The known name closest to `name` (case-insensitive edit distance), if it is close enough to be a typo. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase(), limit);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
