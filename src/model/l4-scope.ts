/**
 * What the layer 4 of a rule item reaches before its ports are read. The one reading of an item's L4 scope, shared by
 * the engine (src/engine/ports.ts) and the host lockout guard (src/validate/lockout-guard.ts).
 */

/** Every port, nothing, or the listed ports. */
export type L4Scope = 'all' | 'none' | 'ports';

/**
 * Every port (no `toPorts` and no `icmps`, absent or empty, with an L3 peer field), nothing (neither ports nor a peer
 * field: an empty rule selects no peer), or the listed ports.
 * @param hasPeers whether the item has an L3 peer field (`fromEndpoints`, `toCIDR`, …, even an empty one)
 */
export function l4Scope(toPorts: readonly unknown[] | undefined, icmps: readonly unknown[] | undefined, hasPeers: boolean): L4Scope {
  if ((toPorts ?? []).length === 0 && (icmps ?? []).length === 0) return hasPeers ? 'all' : 'none';
  return 'ports';
}
