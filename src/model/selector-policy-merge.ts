/**
 * What Cilium's merge of the per-selector policies of one L4 filter refuses besides L7 parsers and authentication modes
 * (`model/l7-parsers.ts`): two Envoy listeners, and `serverNames` beside L7 rules without TLS termination. The one
 * classification behind the engine's refusal (`engine/parser-conflicts.ts`) and `validate`'s `pitfall-listener-conflict`
 * and `pitfall-sni-l7-merge`.
 *
 * The agent merges the allow items of one filter (direction, exact port entry, protocol) per cached peer selector
 * (pkg/policy/rule.go `mergePortProto`, 1.14-1.19; pkg/policy/l4.go `PerSelectorPolicy`):
 * - Listeners. From 1.16 (`listener.priority` came with cilium/cilium#28555) `PerSelectorPolicy.mergeListenerReference`
 *   keeps the listener of the lower `priority` number (`takesListenerPrecedenceOver`: 0, none, wraps to the lowest
 *   precedence) and fails on two different listeners of one priority: "cannot merge conflicting CiliumEnvoyConfig
 *   Listeners (%v/%v) with the same priority (%d)". So two different listeners sharing the lowest priority of their
 *   selector are always refused; two sharing a higher one are refused only when the agent merges both before the
 *   preferred one, which depends on the order it meets the rules in (not known). Up to 1.15 there is no priority (the
 *   1.14/1.15 CRDs have none: the API server prunes it), and two different listeners for one cached selector fail the
 *   merge: cilium/cilium#26644 ("only failing out if there is an L7 parser or Listener conflict on the same cached
 *   selector") states the refusal on one selector both before it (the L4 filter holds one `Listener`, pkg/policy/l4.go
 *   of early 1.14) and after it; whether 1.14/1.15 refuse two listeners of other peers on one filter depends on which of
 *   the two their release holds, which their stored source does not settle: not known.
 *   Listeners are the same when `api.ResourceQualifiedName` makes one name of them (`resolvedListener`: namespace,
 *   Envoy config, listener).
 * - `serverNames` and L7 rules. The merge unites the SNI sets ("if any rule requires SNI, then all traffic to that
 *   remote/port requires TLS") and then fails when the merged policy has SNIs and L7 rules but no terminating TLS
 *   context: "cannot merge L7 rules for cached selector %s with SNI filtering without TLS termination". It looks at the
 *   policy merged so far: with the L7 rules merged first the SNI-only rule is refused; with the SNI-only rule first, its
 *   empty L7 rules take the other's and an allow-all rule (`appendL7WildcardRule`) and the merge goes on. Which comes
 *   first is the order the agent meets the rules in, which the inputs do not hold: not known. A terminating TLS context
 *   on the rule with L7 rules, or on the SNI-only one, is merged into the policy before the check, so either merges.
 *   A single port rule with both fails the agent's sanitizer (`sanitize-server-names-l7` in validate).
 */
import { CiliumVersion } from '../core/cilium-version';
import { ParserFilter, filterPeerKey, peerText } from './l7-parsers';
import { resolvedListener } from './listener-kind';

/** What one allow item's port rule brings to the per-selector policy of one filter and peer selector. */
export interface SelectorPolicyUse<T> {
  /** The filter (`parserFilters`). */
  readonly filter: ParserFilter;
  /** The cached peer selector, as a key (`peerKeys`). */
  readonly peer: string;
  /** What the caller needs to name the item. */
  readonly ref: T;
  /** Its `listener` as written, if any. */
  readonly listener?: unknown;
  /** Whether it has `serverNames`. */
  readonly serverNames: boolean;
  /**
   * Whether it has L7 rules the SNI check reads (`sniCheckedL7Rules`): `http`, `kafka` or `l7` rules. DNS rules beside
   * `serverNames` are a parser conflict (`parsersMerge`: `tls` is not promoted to `dns`), refused before.
   */
  readonly l7Rules: boolean;
  /** Whether it has a `terminatingTLS` context. */
  readonly terminatingTls: boolean;
}

/** A merge of per-selector policies the agent refuses, or may refuse depending on the order it meets the rules in. */
export interface SelectorMergeProblem<T> {
  /** `listeners`: two Envoy listeners; `sni-l7`: `serverNames` beside L7 rules without TLS termination. */
  readonly kind: 'listeners' | 'sni-l7';
  /** The use met first. */
  readonly first: SelectorPolicyUse<T>;
  /** The use that meets it. */
  readonly second: SelectorPolicyUse<T>;
  /** Whether the agent refuses it whatever the order (else whether it does is not known). */
  readonly certain: boolean;
  /**
   * The deny item of the filter and peer that makes a clash of two listeners of the lowest priority depend on the order:
   * the merge ends at the deny (pkg/policy/rule.go `mergePortProto`, `mergeOrderDecided`), so the agent refuses the
   * policy only when it meets both listeners before it.
   * @default - none: an uncertain listener clash is of a priority another listener of the peer outranks
   */
  readonly deny?: T;
  /** Whether the two uses are of different peer selectors (1.14/1.15 listeners: the filter's listener is not settled). */
  readonly otherPeers: boolean;
}

/** A listener reference for the merge: its qualified name and its priority as the target version reads it. */
interface ListenerKey {
  readonly key: string;
  /** `takesListenerPrecedenceOver`'s order: the number, 0 (none) as the lowest precedence. */
  readonly rank: number;
  readonly priority: number;
}

/**
 * A listener as the merge compares it: `ns/config/name` (`api.ResourceQualifiedName`) and its priority, read from 1.16
 * only (older API servers prune it: `resolvedListener`).
 */
export function listenerMergeKey(listener: unknown, subjectNamespace: string, version: CiliumVersion): { key: string; priority: number } | undefined {
  const l = resolvedListener(listener, subjectNamespace, version);
  if (l === undefined) return undefined;
  const priority = l.priority !== undefined && Number.isInteger(l.priority) && l.priority > 0 ? l.priority : 0;
  return { key: `${l.namespace}/${l.config}/${l.name}`, priority };
}

/**
 * A listener reference as words: `the Envoy listener l1 of CiliumEnvoyConfig cec of the endpoint's namespace (priority 2)`
 * (the subject's namespace is one for all its listeners: not named).
 */
export function listenerMergeText(listener: unknown, subjectNamespace: string, version: CiliumVersion): string {
  const l = resolvedListener(listener, subjectNamespace, version);
  const k = listenerMergeKey(listener, subjectNamespace, version);
  if (l === undefined || k === undefined) return 'no listener';
  const where = l.namespace !== '' ? ' of the endpoint\'s namespace' : '';
  return `the Envoy listener ${l.name} of ${l.kind} ${l.config}${where}${k.priority > 0 ? ` (priority ${k.priority})` : ''}`;
}

/**
 * The merges of `uses` (all applying to one subject, whose namespace is `subjectNamespace`, `''` for none) that the agent
 * refuses or may refuse on `version`: per filter and peer selector, the listeners and the SNI with L7 rules; up to 1.15 also
 * two different listeners of other peers on one filter (not known). Each problem once, in the order of the uses. A clash
 * of two listeners for which `denyOf` gives a deny item of their filter and peer (`mergeOrderDecided`) is never certain:
 * pkg/policy/rule.go `mergePortProto` skips the merge of entries after the deny ("Denies takes priority over any rule"),
 * so the order decides (`SelectorMergeProblem.deny`).
 * @param denyOf the deny item that may select an endpoint of both uses and covers their filter and peer, if any
 */
export function selectorMergeProblems<T>(uses: readonly SelectorPolicyUse<T>[], version: CiliumVersion, subjectNamespace: string,
  denyOf: (first: SelectorPolicyUse<T>, second: SelectorPolicyUse<T>) => T | undefined = () => undefined): SelectorMergeProblem<T>[] {
  const groups = new Map<string, SelectorPolicyUse<T>[]>();
  for (const use of uses) {
    const key = filterPeerKey(use);
    const g = groups.get(key);
    if (g) g.push(use);
    else groups.set(key, [use]);
  }
  const out: SelectorMergeProblem<T>[] = [];
  const refusedFilters = new Set<string>();
  for (const group of groups.values()) {
    const found = listenerProblem(group, version, subjectNamespace);
    const deny = found?.certain === true ? denyOf(found.first, found.second) : undefined;
    const listeners = found !== undefined && deny !== undefined ? { ...found, certain: false, deny } : found;
    if (listeners !== undefined) {
      out.push(listeners);
      if (listeners.certain) refusedFilters.add(listeners.first.filter.key);
    }
    const sni = group.find((u) => u.serverNames && !u.terminatingTls && !u.l7Rules);
    const l7 = group.find((u) => u.l7Rules && !u.terminatingTls);
    if (sni !== undefined && l7 !== undefined) {
      const [first, second] = uses.indexOf(sni) < uses.indexOf(l7) ? [sni, l7] : [l7, sni];
      out.push({ kind: 'sni-l7', first, second, certain: false, otherPeers: false });
    }
  }
  if (!version.atLeast(CiliumVersion.V1_16)) pushOtherPeers(uses, subjectNamespace, version, refusedFilters, out);
  return out;
}

/** The listener problem of one filter and peer selector, if any. */
function listenerProblem<T>(group: readonly SelectorPolicyUse<T>[], version: CiliumVersion, ns: string): SelectorMergeProblem<T> | undefined {
  const refs: { use: SelectorPolicyUse<T>; ref: ListenerKey }[] = [];
  for (const use of group) {
    const k = listenerMergeKey(use.listener, ns, version);
    if (k !== undefined) refs.push({ use, ref: { ...k, rank: k.priority === 0 ? Number.MAX_SAFE_INTEGER : k.priority } });
  }
  if (new Set(refs.map((r) => r.ref.key)).size < 2) return undefined;
  // Up to 1.15 every priority is 0: two listeners share the lowest rank, which is always refused.
  const best = refs.reduce((min, r) => Math.min(min, r.ref.rank), Number.MAX_SAFE_INTEGER);
  const clash = (rank: number): { use: SelectorPolicyUse<T> }[] | undefined => {
    const at = refs.filter((r) => r.ref.rank === rank);
    const other = at.find((r) => r.ref.key !== at[0].ref.key);
    return other === undefined ? undefined : [at[0], other];
  };
  const certain = clash(best);
  if (certain !== undefined) return { kind: 'listeners', first: certain[0].use, second: certain[1].use, certain: true, otherPeers: false };
  for (const rank of [...new Set(refs.map((r) => r.ref.rank))].sort((a, b) => a - b)) {
    const pair = clash(rank);
    if (pair !== undefined) return { kind: 'listeners', first: pair[0].use, second: pair[1].use, certain: false, otherPeers: false };
  }
  return undefined;
}

/** Up to 1.15: two different listeners of other peers on one filter whose same-peer merge is not already refused (not known). */
function pushOtherPeers<T>(uses: readonly SelectorPolicyUse<T>[], ns: string, version: CiliumVersion, refused: ReadonlySet<string>,
  out: SelectorMergeProblem<T>[]): void {
  const byFilter = new Map<string, { use: SelectorPolicyUse<T>; key: string }>();
  const done = new Set<string>();
  for (const use of uses) {
    const k = listenerMergeKey(use.listener, ns, version);
    if (k === undefined || refused.has(use.filter.key) || done.has(use.filter.key)) continue;
    const first = byFilter.get(use.filter.key);
    if (first === undefined) byFilter.set(use.filter.key, { use, key: k.key });
    else if (first.key !== k.key && first.use.peer !== use.peer) {
      out.push({ kind: 'listeners', first: first.use, second: use, certain: false, otherPeers: true });
      done.add(use.filter.key);
    }
  }
}

/**
 * Whether a port rule's L7 rules make the merged policy's L7 rules not empty (`L7Rules.IsEmpty()` reads http, kafka, dns
 * and l7 rules) with a parser `tls` is promoted to: `http`, `kafka` or `l7` rules (`SelectorPolicyUse.l7Rules`).
 */
export function sniCheckedL7Rules(rules: unknown): boolean {
  if (typeof rules !== 'object' || rules === null) return false;
  const r = rules as Record<string, unknown>;
  return ['http', 'kafka', 'l7'].some((f) => Array.isArray(r[f]) && (r[f] as unknown[]).length > 0);
}

/**
 * A merge problem as words, naming the items with `name` (no leading capital, no final stop): the one wording of the
 * engine's refusal and of `validate`'s findings.
 * @param subjectNamespace the subject's namespace (`''` for none), as `selectorMergeProblems` took it
 */
export function selectorMergeText<T>(p: SelectorMergeProblem<T>, name: (ref: T) => string, version: CiliumVersion, subjectNamespace: string): string {
  const { first, second } = p;
  const peer = p.otherPeers ? `other peers (${peerText(first.peer)}, ${peerText(second.peer)})` : `the peer ${peerText(first.peer)}`;
  if (p.kind === 'sni-l7') {
    const [sni, l7] = first.serverNames ? [first, second] : [second, first];
    return `${name(sni.ref)} has serverNames and ${name(l7.ref)} L7 rules on ${first.filter.text} for ${peer}, neither with terminatingTLS: `
      + 'the agent merges them into one policy with both and refuses it when the L7 rules are merged first (pkg/policy/rule.go mergePortProto: '
      + '"cannot merge L7 rules for cached selector ... with SNI filtering without TLS termination"); with the serverNames first it takes the '
      + 'L7 rules and an allow-all rule (appendL7WildcardRule), so every request with those SNIs passes';
  }
  const sends = `${name(first.ref)} sends ${peer} on ${first.filter.text} to ${listenerMergeText(first.listener, subjectNamespace, version)} and `
    + `${name(second.ref)} to ${listenerMergeText(second.listener, subjectNamespace, version)}`;
  if (p.otherPeers) {
    return `${sends}: up to 1.15 there is no listener priority, and before cilium/cilium#26644 an L4 filter holds one listener and its merge `
      + 'fails on a second (the PR relaxes that to one cached selector)';
  }
  const rule = version.atLeast(CiliumVersion.V1_16)
    ? 'pkg/policy/rule.go mergeListenerReference keeps the listener of the lower priority number and fails on two of one priority: '
      + '"cannot merge conflicting CiliumEnvoyConfig Listeners (…) with the same priority"'
    : 'there is no listener priority before 1.16, and a second listener for one cached selector fails the merge (cilium/cilium#26644)';
  if (p.certain) return `${sends}: ${rule}`;
  if (p.deny !== undefined) {
    return `${sends}: ${rule}, but ${name(p.deny)} denies the same filter and peer, and the agent ends the merge at the deny `
      + '(pkg/policy/rule.go mergePortProto: "Denies takes priority over any rule"), so it refuses the policy only when it merges both listeners '
      + 'before the deny, which depends on the order it meets the rules in';
  }
  return `${sends}, of one priority that another listener of the peer outranks: ${rule}, so the agent refuses the policy when it merges these `
    + 'two before the preferred one, which depends on the order it meets the rules in';
}

/** How to end a merge problem on `version`. */
export function selectorMergeFix(p: SelectorMergeProblem<unknown>, version: CiliumVersion): string {
  if (p.kind === 'sni-l7') return 'give the rule with the L7 rules the SNI\'s terminatingTLS (or both rules), or give them different ports or peers';
  return version.atLeast(CiliumVersion.V1_16)
    ? 'give one listener a lower priority number than every other listener of the port and peer, or send the peer\'s traffic on the port to one listener'
    : 'send the peer\'s traffic on the port to one listener (listener.priority needs 1.16), or use different ports';
}
