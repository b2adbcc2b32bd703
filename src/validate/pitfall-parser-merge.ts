// Pitfall of L7 rules: two allow items that give one endpoint different L7 parsers on the same port entry
// (`pitfall-l7-parser-conflict`). The merge is Cilium's as `model/l7-parsers.ts` states it, the one mechanism the engine's
// note uses too: per exact port entry, direction and protocol; up to 1.17 whatever the peers, from 1.18 for an identical
// peer selector. The API server accepts both policies; the agent refuses to compute the endpoint's policy and keeps the
// one it had, which `validate` is the last chance to say. Two `authentication.mode`s for one peer selector on one filter
// are refused the same way (`pitfall-auth-mode-conflict`), grouped by the same `mergeGroups`.
import { CiliumVersion } from '../core/cilium-version';
import { icmpTypeNumber } from '../model/icmp-types';
import { l4Scope } from '../model/l4-scope';
import {
  ParserFilter, ParserUse, authenticationFilters, endpointsPeerKey, entityPeerKeys, filterPeerKey, l7ParserOf, mergeGroups, parserFilters,
  parserRulesText, parsersMerge, parsersPerSelector, peerText, redirectOf, resolvedRedirect, sharesRedirect,
} from '../model/l7-parsers';
import { namedPortNumber, namedPortNumbers, workloadNamedPortNumbers } from '../model/named-port-numbers';
import {
  CidrRuleModel, FqdnSelectorModel, IcmpFieldModel, IcmpRuleModel, L3_PEER_FIELDS, LabelSelectorModel, PortProtocolModel, PortRuleModel,
  RuleItemModel, SECTIONS, SectionName,
} from '../model/policy-model';
import { Selector } from '../model/labels';
import { compilePortEntry } from '../model/port-entries';
import { pushAll } from '../model/push-all';
import {
  listenerMergeKey, SelectorMergeProblem, SelectorPolicyUse, selectorMergeFix, selectorMergeProblems, selectorMergeText, sniCheckedL7Rules,
} from '../model/selector-policy-merge';
import { itemPeerScope } from './lockout-guard';
import { InventoryPodTemplate } from './inventory';
import { itemName, items, PitfallRun, RuleView } from './pitfall-run';
import { mayOverlap, mostPinnedKey, peerCacheKey, pinnedValue } from './pod-selectors';
import { arr, isObject } from './walk';
import { groupSelectorIsWildcard } from '../model/cidr-groups';

/** Where a parser use is: the rule, and the path of its `toPorts` entry. */
interface UseRef {
  readonly r: RuleView;
  readonly path: string;
  /**
   * The pods of the rule the use is on, where that is fewer than the rule's: a named port on ingress resolves per pod, so
   * its redirect is that of one number on some of the pods only (`Resolution`).
   * @default - the rule's pods
   */
  readonly pods?: readonly InventoryPodTemplate[];
}

/**
 * The proxy redirect a use's port entry gets, and on which pods: a number's on all the rule's pods; a named port's by the
 * number it resolves to (pkg/endpoint/bpf.go `proxyID` → `GetNamedPort`, 1.14-1.19): on ingress on each selected pod's own
 * container ports (`pods`: those resolving it to that number), on egress on the cluster's (a name of one number only,
 * `NamedPortMultiMap.GetNamedPort`; host-network pods add none). A name that resolves nowhere keeps its own key (the agent
 * makes it no redirect).
 */
interface Resolution {
  readonly redirect: string;
  readonly pods?: readonly InventoryPodTemplate[];
}

/**
 * Reports each `toPorts` entry whose L7 parser meets another parser on the same port entry of an endpoint both rules may
 * select (same namespace for two CNPs, a CCNP with anything, host policies with host policies; selectors that cannot
 * both match do not meet), once, on the later entry, naming the earlier one with its location. The uses are grouped by
 * the merge they meet in first (filter and, from 1.18, peer selector), so only uses of one group are compared, and within
 * a group per namespace, against one use per distinct subject and parser.
 */
export function l7ParserConflicts(run: PitfallRun): void {
  // First the parsers per filter, without peers: a merge group (filter and peer) meets two parsers only when its filter
  // does, so the peers (selectors worked out per item, the costly part) are read only for the items of such filters.
  const found: { filter: ParserFilter; parser: string; ref: UseRef; item: RuleItemModel; resolved: readonly Resolution[] }[] = [];
  const parsersByFilter = new Map<string, Set<string>>();
  const addParser = (redirect: string, parser: string): void => {
    const parsers = parsersByFilter.get(redirect);
    if (parsers) parsers.add(parser);
    else parsersByFilter.set(redirect, new Set([parser]));
  };
  const resolve = namedRedirects(run);
  for (const r of run.rules) {
    // A policy the API server or the agent refuses (`sanitize-l7-port-range` before 1.17) merges nothing: left out, as by the engine.
    if (!r.subject || r.refused) continue;
    for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
      const direction = section === SectionName.INGRESS ? 'ingress' : 'egress';
      for (const { item, index } of items(r.rule, section)) {
        arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
          if (!isObject(pr)) return;
          // Without L7 rules, TLS or a listener no protocol has a parser (`l7ParserOf`): its filters are not built.
          if (!isObject(pr.rules) && l7ParserOf(undefined, 'TCP', pr) === undefined) return;
          const path = `${r.path}.${section}[${index}].toPorts[${k}]`;
          for (const p of arr<PortProtocolModel>(pr.ports)) {
            if (!isObject(p)) continue;
            for (const filter of parserFilters(direction, compilePortEntry(p, r.version.atLeast(CiliumVersion.V1_16)))) {
              const parser = l7ParserOf(isObject(pr.rules) ? pr.rules : undefined, filter.protocol, pr);
              if (parser === undefined) continue;
              const resolved = resolve(r, direction, redirectOf(filter));
              found.push({ filter, parser, ref: { r, path }, item, resolved });
              // By redirect (`redirectKey`), which holds the filter: the uses of a filter or of a redirect with two parsers.
              addParser(redirectOf(filter), parser);
              for (const res of resolved) addParser(res.redirect, parser);
            }
          }
        });
      }
    }
  }
  const met = (redirect: string): boolean => (parsersByFilter.get(redirect)?.size ?? 0) >= 2;
  /** The uses, per filter; with `byRedirect`, per redirect, a named port's once per number it resolves to (its `filter.key`). */
  const uses = (perSelector: boolean, byRedirect = false): ParserUse<UseRef>[] => {
    const list: ParserUse<UseRef>[] = [];
    let peersOf: { item: RuleItemModel; r: RuleView; peers: string[] } | undefined;
    for (const { filter, parser, ref, item, resolved } of found) {
      const redirects: Resolution[] = byRedirect && resolved.length > 0 ? [...resolved] : [{ redirect: redirectOf(filter) }];
      if (!(byRedirect ? redirects.some((res) => met(res.redirect)) : met(redirectOf(filter)))) continue;
      const { r } = ref;
      // The uses of one item follow each other.
      if (peersOf?.item !== item || peersOf.r !== r) peersOf = { item, r, peers: itemPeers(r, item, perSelector && parsersPerSelector(r.version)) };
      for (const res of redirects) {
        const at: UseRef = res.pods === undefined ? ref : { ...ref, pods: res.pods };
        const keyed = byRedirect ? { ...filter, key: res.redirect } : filter;
        for (const peer of peersOf.peers) list.push({ filter: keyed, parser, peer, ref: at });
      }
    }
    return list;
  };
  const refused = new Set<string>();
  reportMerges(run, mergeGroups(uses(true)), (use, hit) => {
    const { r } = use.ref;
    const c = hit.ref.r;
    refused.add(`${r.doc}/${use.ref.path}`);
    const peer = parsersPerSelector(r.version) ? ` for the same peer ${peerText(use.peer)}` : '';
    run.report('pitfall-l7-parser-conflict', r, use.ref.path,
      `${parserRulesText(use.parser)} on ${use.filter.text} here, and ${parserRulesText(hit.parser)} on the same port entry in ${itemName(c, hit.ref.path)}`
      + `${c === r ? '' : ', a rule that may select the same endpoints'}${peer}: Cilium cannot merge conflicting L7 parsers, so the agent refuses `
      + 'the policy of the endpoints both select and keeps the one they had (kubectl apply succeeds; the error shows only in the agent log '
      + 'and the endpoint\'s status)',
      `give each protocol its own port${parsersPerSelector(r.version) ? ' (or its own peers)' : ''}; if one of the rules is not meant for `
      + 'these endpoints, narrow its endpointSelector');
  });
  // The agent takes two parsers on one redirect — from 1.18 of different peer selectors on one filter, on every version of
  // two filters of one first port (`80` and `80` with endPort: `redirectKey`) — but the redirect is made with one of them
  // (the engine's `parserRedirectsUndecided`, pkg/endpoint/bpf.go `addNewRedirects`): the uses met per redirect.
  // A named port's redirect is the number it resolves to (`Resolution`): `http` (8080 on the pod) meets `8080` there.
  const perRedirect = uses(false, true).filter((use) => sharesRedirect(use.parser));
  reportMerges(run, mergeGroups(perRedirect), (use, hit) => {
    const { r } = use.ref;
    if (refused.has(`${r.doc}/${use.ref.path}`)) return;
    const c = hit.ref.r;
    if (use.filter.text !== hit.filter.text) {
      const named = [use, hit].find((u) => u.filter.key !== redirectOf(u.filter));
      const bare = (key: string): string => key.replace(/^(ingress|egress) /, '');
      const resolvedText = named === undefined ? '' : ` (the named port ${bare(named.filter.text).replace(/\/.*$/, '')} is ${bare(named.filter.key)} on `
        + `${named.filter.text.startsWith('ingress') ? 'the pods both select' : 'the cluster\'s pods'})`;
      run.report('pitfall-l7-parser-conflict', r, use.ref.path,
        `${parserRulesText(use.parser)} on ${use.filter.text} here, and ${parserRulesText(hit.parser)} on ${hit.filter.text} in ${itemName(c, hit.ref.path)}`
        + `${c === r ? '' : ', a rule that may select the same endpoints'}${resolvedText}: the agent takes both, but the two port entries get one proxy redirect `
        + '(pkg/endpoint proxyID keys it by direction, protocol and first port, a range by its first port, a named port by the number it resolves to '
        + 'on the endpoint, with no parser), made with the parser '
        + 'of one of them in Go map order (pkg/endpoint addNewRedirects), and the traffic of every peer on those ports goes to that proxy, which '
        + 'drops the requests it cannot parse: which protocol passes can change from one regeneration to the next',
        'give each protocol its own port; if one of the rules is not meant for these endpoints, narrow its endpointSelector');
      return;
    }
    // On one filter, two parsers of one redirect are the merge's refusal up to 1.17 (reported above).
    if (!parsersPerSelector(r.version)) return;
    run.report('pitfall-l7-parser-conflict', r, use.ref.path,
      `${parserRulesText(use.parser)} on ${use.filter.text} here, and ${parserRulesText(hit.parser)} on the same port entry in ${itemName(c, hit.ref.path)}`
      + `${c === r ? '' : ', a rule that may select the same endpoints'}, for other peers: from 1.18 the agent takes both, but the port gets one `
      + 'proxy redirect (its ID has no parser), made with the parser of the first per-selector policy the agent meets in Go map order '
      + '(pkg/endpoint addNewRedirects), and the traffic of every peer on the port goes to that proxy, which drops the requests it cannot '
      + 'parse: which protocol passes can change from one regeneration to the next',
      'give each protocol its own port; if one of the rules is not meant for these endpoints, narrow its endpointSelector');
  });
}

/** The authentication modes of a run's allow items, and the rules of its deny items by the filter and peer they cover. */
interface AuthItems {
  readonly modes: readonly ParserUse<UseRef>[];
  /** The rules of the deny items by `filterPeerKey`. */
  readonly denied: ReadonlyMap<string, readonly RuleView[]>;
}

const authItemsOf = new WeakMap<PitfallRun, AuthItems>();

/**
 * The filters (`authenticationFilters`) and peer selectors (`peerKeys`) of the allow items with an `authentication.mode`
 * and of the deny items of the run, as the engine's `RuleUses.auth` reads them: once per run.
 */
function authItems(run: PitfallRun): AuthItems {
  const known = authItemsOf.get(run);
  if (known) return known;
  const modes: ParserUse<UseRef>[] = [];
  const denied = new Map<string, RuleView[]>();
  for (const r of run.rules) {
    if (!r.subject || r.refused) continue;
    for (const section of SECTIONS) {
      const deny = section === SectionName.INGRESS_DENY || section === SectionName.EGRESS_DENY;
      const direction = section === SectionName.INGRESS || section === SectionName.INGRESS_DENY ? 'ingress' : 'egress';
      for (const { item, index } of items(r.rule, section)) {
        const mode = deny ? 'deny' : isObject(item.authentication) && typeof item.authentication.mode === 'string' ? item.authentication.mode : undefined;
        if (mode === undefined) continue;
        const endPort = r.version.atLeast(CiliumVersion.V1_16);
        const ports = arr<PortRuleModel>(item.toPorts).filter(isObject)
          .flatMap((pr) => arr<PortProtocolModel>(pr.ports).filter(isObject).map((p) => compilePortEntry(p, endPort)));
        const icmps = arr<IcmpRuleModel>(item.icmps).filter(isObject).flatMap((ic) => arr<IcmpFieldModel>(ic.fields).filter(isObject)
          .filter((f) => typeof f.type === 'number' || typeof f.type === 'string')
          .map((f) => {
            const family = f.family === 'IPv6' ? 'IPv6' : 'IPv4';
            return { family, type: icmpTypeNumber(f.type, family) } as const;
          }));
        // An item without a peer field and without ports merges no filter (rule.go mergeIngress: an L3-only item only with selectors).
        const hasPeers = L3_PEER_FIELDS.some((f) => item[f] !== undefined);
        const filters = authenticationFilters(direction, l4Scope(arr(item.toPorts), arr(item.icmps), hasPeers), ports, icmps);
        if (filters.length === 0) continue;
        const peers = peerKeys(r, item);
        const ref = { r, path: `${r.path}.${section}[${index}]` };
        for (const filter of filters) {
          for (const peer of peers) {
            if (deny) {
              const key = filterPeerKey({ filter, peer });
              const list = denied.get(key);
              if (!list) denied.set(key, [r]);
              else if (!list.includes(r)) list.push(r);
            } else {
              modes.push({ filter, parser: mode, peer, ref });
            }
          }
        }
      }
    }
  }
  const out = { modes, denied };
  authItemsOf.set(run, out);
  return out;
}

/**
 * Whether the deny rule `d` may select an endpoint of rule `r`: the same bucket (`bucketOf`) or a clusterwide rule on
 * either side, both pod or both host policies, subjects that may overlap (a deny for other pods leaves a merge as it is).
 */
function denyMeets(d: RuleView, r: RuleView): boolean {
  return d.host === r.host && (bucketOf(d) === bucketOf(r) || bucketOf(d) === 'ccnp' || bucketOf(r) === 'ccnp')
    && d.subject !== undefined && r.subject !== undefined && mayOverlap(d.subject, r.subject);
}

/**
 * The first deny rule of the filter and peer of `use` that may select an endpoint of both `a` and `b` (it makes their
 * merge's refusal depend on the order, `mergeOrderDecided`), or `undefined`.
 */
function orderingDeny(run: PitfallRun, use: ParserUse<UseRef> | SelectorPolicyUse<UseRef>, a: RuleView, b: RuleView): RuleView | undefined {
  return authItems(run).denied.get(filterPeerKey(use))?.find((d) => denyMeets(d, a) && denyMeets(d, b));
}

/**
 * Reports the items whose `authentication.mode` meets another mode on the same filter for the same peer selector of an
 * endpoint both rules may select (`pitfall-auth-mode-conflict`): the agent's merge fails ("cannot merge conflicting
 * authentication types", pkg/policy/rule.go `mergePortProto`) and the endpoint keeps the policy it had. The filters are
 * `authenticationFilters`' and the groups `mergeGroups`', as for the engine's note; the mode is per selector on every
 * version. A deny of the same filter and peer that may reach the endpoints of both (`orderingDeny`) replaces the allow
 * entries and ends the merge: whether the agent refuses then depends on the order it meets the rules in
 * (`mergeOrderDecided`, the engine's `denyOrdered` not-known note), and the finding says so.
 */
export function authModeConflicts(run: PitfallRun): void {
  reportMerges(run, mergeGroups(authItems(run).modes), (use, hit) => {
    const { r } = use.ref;
    const c = hit.ref.r;
    const deny = orderingDeny(run, use, r, c);
    const outcome = deny === undefined
      ? 'Cilium cannot merge conflicting authentication types, so the agent refuses the policy of the endpoints both select and keeps the one '
        + 'they had (kubectl apply succeeds; the error shows only in the agent log and the endpoint\'s status)'
      : `Cilium cannot merge conflicting authentication types, but ${deny === r ? 'this rule' : `${itemName(deny, deny.path)}, a rule that may select `
        + 'the same endpoints,'} denies the same filter and peer, and the agent ends the merge at the deny (pkg/policy/rule.go mergePortProto: `
        + '"Denies takes priority over any rule"): whether it refuses the policy of the endpoints all select (they keep the one they had) depends '
        + 'on the order it meets the rules in, which is not known before apply';
    run.report('pitfall-auth-mode-conflict', r, use.ref.path,
      `authentication mode ${use.parser} on ${use.filter.text} here, and mode ${hit.parser} on the same filter in ${itemName(c, hit.ref.path)}`
      + `${c === r ? '' : ', a rule that may select the same endpoints'} for the same peer ${peerText(use.peer)}: ${outcome}`,
      'give both items the same authentication mode (or different ports or peers); if one of the rules is not meant for these endpoints, '
      + 'narrow its endpointSelector');
  });
}

/**
 * Reports the merges of the per-selector policies of one filter that the agent refuses, or refuses depending on the order
 * it meets the rules in (`model/selector-policy-merge.ts`, the engine's `SelectorMergeRefusal`): two Envoy listeners for
 * one peer selector (`pitfall-listener-conflict`), and `serverNames` beside L7 rules without terminatingTLS
 * (`pitfall-sni-l7-merge`), between the toPorts entries of rules that may select a common endpoint (`sameEndpoints`, in
 * the same bucket or a clusterwide rule). Rules with a listener or serverNames start a comparison with every entry of
 * their filters; rules with L7 rules only, with the serverNames entries of their filters only (whichever comes first in
 * the input: the agent's merge order is not the input's). Each entry in a problem is reported once per kind, on the later
 * entry of its pair, naming the first entry it meets and how many others (linear in the entries, not
 * one finding per pair), its problem classified over the rules that may select its endpoints, as the engine merges per
 * subject (a third rule's outranking listener makes a conflict not known). A listener resolves in the subject's
 * namespace: none for a host policy.
 */
export function selectorPolicyMerges(run: PitfallRun): void {
  const usesOf = new Map<RuleView, SelectorPolicyUse<UseRef>[]>();
  const proxied = new Set<RuleView>();
  for (const r of run.rules) {
    if (!r.subject || r.refused) continue;
    const uses: SelectorPolicyUse<UseRef>[] = [];
    let hasProxy = false;
    for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
      const direction = section === SectionName.INGRESS ? 'ingress' : 'egress';
      for (const { item, index } of items(r.rule, section)) {
        let peers: string[] | undefined;
        arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
          if (!isObject(pr)) return;
          const listener = pr.listener ?? undefined;
          const serverNames = arr(pr.serverNames).length > 0;
          const terminatingTls = isObject(pr.terminatingTLS);
          const l7Rules = sniCheckedL7Rules(pr.rules);
          if (listener === undefined && !serverNames && !terminatingTls && !l7Rules) return;
          hasProxy ||= listener !== undefined || serverNames;
          peers ??= peerKeys(r, item);
          const ref = { r, path: `${r.path}.${section}[${index}].toPorts[${k}]` };
          for (const p of arr<PortProtocolModel>(pr.ports)) {
            if (!isObject(p)) continue;
            for (const filter of parserFilters(direction, compilePortEntry(p, r.version.atLeast(CiliumVersion.V1_16)))) {
              for (const peer of peers) {
                uses.push({ filter, peer, ref, ...(listener !== undefined ? { listener } : {}), serverNames, l7Rules, terminatingTls });
              }
            }
          }
        });
      }
    }
    if (uses.length === 0) continue;
    usesOf.set(r, uses);
    if (hasProxy) proxied.add(r);
  }
  // Each entry once per kind, its problems classified over the uses of its filter in every rule that may select a common
  // endpoint (as the engine merges per subject), the entry's use first so that the problem found is its own: one finding
  // per entry, on the later entry of its pair, not one per pair of entries.
  // The uses indexed by filter, then by the endpoints their rules may share (`bucketOf`), then by the value their subject
  // pins for the label key most subjects pin (`mostPinnedKey`): two subjects that pin different values select no common
  // pod, so an entry is compared only with its own value's uses and those that pin none (5,000 policies of one namespace
  // on one port, each on its own pods, stay linear).
  const pinKey = mostPinnedKey([...usesOf.keys()].map((r) => r.subject));
  const order = new Map<SelectorPolicyUse<UseRef>, number>();
  for (const uses of usesOf.values()) for (const use of uses) order.set(use, order.size);
  const valueOf = (r: RuleView): string | undefined => (pinKey === undefined ? undefined : pinnedValue(r.subject, pinKey));
  const every = usesIndex(usesOf, valueOf, () => true);
  // The serverNames entries alone: an entry with L7 rules only (no listener, no serverNames) is in no problem but `sni-l7`,
  // so it is compared with these only, and visited only on a filter one of them is on. Visited it must be: the finding is
  // made on the later entry of a pair, and Cilium refuses the merge whichever policy comes first (pkg/policy/rule.go
  // mergePortProto: "cannot merge L7 rules ... with SNI filtering without TLS termination"), so it must not depend on the
  // order of the input.
  const sniOnly = usesIndex(usesOf, valueOf, sniUse);
  const visited = [...usesOf].filter(([r, uses]) => proxied.has(r) || uses.some((u) => l7Use(u) && sniOnly.filters.has(u.filter.key)));
  /** The uses of `filter` whose rules may share an endpoint with `r` by bucket and pinned value, in input order. */
  const candidates = (r: RuleView, filter: string, index: UsesIndex): SelectorPolicyUse<UseRef>[] => {
    const buckets = index.byFilter.get(filter);
    if (!buckets) return [];
    const own = bucketOf(r);
    const keys = own === 'host' ? ['host'] : own === 'ccnp' ? [...buckets.keys()].filter((k) => k !== 'host') : [own, 'ccnp'];
    const value = valueOf(r);
    const out: SelectorPolicyUse<UseRef>[] = [];
    for (const key of keys) {
      const pool = buckets.get(key);
      if (!pool) continue;
      pushAll(out, pool.wild);
      if (value === undefined) for (const list of pool.byValue.values()) pushAll(out, list);
      else pushAll(out, pool.byValue.get(value) ?? []);
    }
    return out.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  };
  const reported = new Set<string>();
  for (const [r, uses] of visited) {
    const proxy = proxied.has(r);
    const namespace = r.host ? '' : 'namespace';
    const meets = new Map<RuleView, boolean>();
    const meetsR = (c: RuleView): boolean => {
      let m = meets.get(c);
      if (m === undefined) {
        m = c === r || ((bucketOf(c) === bucketOf(r) || bucketOf(c) === 'ccnp' || bucketOf(r) === 'ccnp') && c.host === r.host
          && sameEndpoints({ r, path: '' }, { r: c, path: '' }));
        meets.set(c, m);
      }
      return m;
    };
    for (const u of uses) {
      const entry = `${r.doc}/${u.ref.path}`;
      if (reported.has(`${entry}\0listeners`) && reported.has(`${entry}\0sni-l7`)) continue;
      // A rule without a listener or serverNames: its L7 entries beside the serverNames entries only (`sniOnly`).
      if (!proxy && !l7Use(u)) continue;
      const others = candidates(r, u.filter.key, proxy ? every : sniOnly).filter((o) => o !== u && meetsR(o.ref.r));
      // A deny item of the filter and peer that may select an endpoint of both rules of a clash makes its refusal depend on the order
      // (`orderingDeny`, as for the authentication modes): a deny of one side's pods only leaves the clash on the others as it is.
      const denyOf = (a: SelectorPolicyUse<UseRef>, b: SelectorPolicyUse<UseRef>): UseRef | undefined => {
        const d = orderingDeny(run, a, a.ref.r, b.ref.r);
        return d === undefined ? undefined : { r: d, path: d.path };
      };
      for (const problem of selectorMergeProblems([u, ...others], r.version, namespace, denyOf)) {
        if (problem.first !== u && problem.second !== u) continue;
        const partner = problem.first === u ? problem.second : problem.first;
        // On the later entry of the pair, naming the earlier one (the first entry of the input it meets).
        if ((order.get(partner) ?? 0) > (order.get(u) ?? 0)) continue;
        const key = `${entry}\0${problem.kind}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const named: SelectorMergeProblem<UseRef> = { ...problem, first: partner, second: u };
        const opposed = others.filter((o) => (problem.otherPeers || o.peer === u.peer) && opposes(u, o, problem.kind, r.version, namespace));
        const more = new Set(opposed.map((o) => `${o.ref.r.doc}/${o.ref.path}`));
        more.delete(`${partner.ref.r.doc}/${partner.ref.path}`);
        more.delete(entry);
        const other = partner.ref.r === r ? '' : ', a rule that may select the same endpoints,';
        const name = (ref: UseRef): string => {
          if (ref === u.ref) return 'this entry';
          if (ref !== problem.deny) return `${itemName(ref.r, ref.path)}${other}`;
          return ref.r === r ? 'this rule' : `${itemName(ref.r, ref.path)}, a rule that may select the same endpoints,`;
        };
        const words = selectorMergeText(named, name, r.version, namespace);
        const n = more.size;
        const side = problem.kind === 'listeners' ? 'send the peer on this port to another listener than this entry'
          : `${u.serverNames ? 'have L7 rules' : 'have serverNames'} for the peer on this port`;
        const also = n > 0 ? ` (${n} other entr${n === 1 ? 'y' : 'ies'} of rules that may select the same endpoints also ${side})` : '';
        const outcome = problem.certain
          ? 'so the agent refuses the policy of the endpoints both select and keeps the one they had (kubectl apply succeeds; the error shows only '
            + 'in the agent log and the endpoint\'s status)'
          : 'so whether the agent refuses the policy of the endpoints both select (they keep the one they had) is not known before apply';
        const fix = `${selectorMergeFix(problem, r.version)}; if one of the rules is not meant for these endpoints, narrow its endpointSelector`;
        const message = `this entry meets another of the same port and peer: ${words}${also}, ${outcome}`;
        // Literal ids (the catalogue test reads them from the report calls).
        if (problem.kind === 'listeners') run.report('pitfall-listener-conflict', r, u.ref.path, message, fix);
        else run.report('pitfall-sni-l7-merge', r, u.ref.path, message, fix);
      }
    }
  }
}

/** The uses of one filter and bucket: by the value their subject pins for the run's most pinned key, and those pinning none. */
interface PinnedUses {
  readonly byValue: Map<string, SelectorPolicyUse<UseRef>[]>;
  readonly wild: SelectorPolicyUse<UseRef>[];
}

/** Uses indexed by filter, then by bucket (`bucketOf`), then by pinned value (`PinnedUses`); `filters`: the filter keys held. */
interface UsesIndex {
  readonly byFilter: Map<string, Map<string, PinnedUses>>;
  readonly filters: ReadonlySet<string>;
}

/** The uses of `usesOf` that `keep` keeps, indexed (`UsesIndex`) by filter, bucket and the value `valueOf` their rule pins. */
function usesIndex(usesOf: ReadonlyMap<RuleView, readonly SelectorPolicyUse<UseRef>[]>, valueOf: (r: RuleView) => string | undefined,
  keep: (use: SelectorPolicyUse<UseRef>) => boolean): UsesIndex {
  const byFilter = new Map<string, Map<string, PinnedUses>>();
  for (const [r, uses] of usesOf) {
    const value = valueOf(r);
    for (const use of uses) {
      if (!keep(use)) continue;
      let buckets = byFilter.get(use.filter.key);
      if (!buckets) byFilter.set(use.filter.key, buckets = new Map());
      let pool = buckets.get(bucketOf(r));
      if (!pool) buckets.set(bucketOf(r), pool = { byValue: new Map(), wild: [] });
      if (value === undefined) pool.wild.push(use);
      else {
        const list = pool.byValue.get(value);
        if (list) list.push(use);
        else pool.byValue.set(value, [use]);
      }
    }
  }
  return { byFilter, filters: new Set(byFilter.keys()) };
}

/** A use with `serverNames` and neither L7 rules nor terminatingTLS: one side of the `sni-l7` problem (`selectorMergeProblems`). */
function sniUse(x: SelectorPolicyUse<UseRef>): boolean {
  return x.serverNames && !x.terminatingTls && !x.l7Rules;
}

/** A use with L7 rules the SNI check reads and no terminatingTLS: the other side of the `sni-l7` problem. */
function l7Use(x: SelectorPolicyUse<UseRef>): boolean {
  return x.l7Rules && !x.terminatingTls;
}

/** Whether `o` meets `u` as the problem of `kind` says: another listener, or the other side of serverNames beside L7 rules. */
function opposes(u: SelectorPolicyUse<UseRef>, o: SelectorPolicyUse<UseRef>, kind: SelectorMergeProblem<UseRef>['kind'], version: CiliumVersion,
  namespace: string): boolean {
  if (kind === 'listeners') {
    const a = listenerMergeKey(u.listener, namespace, version);
    const b = listenerMergeKey(o.listener, namespace, version);
    return a !== undefined && b !== undefined && a.key !== b.key;
  }
  return (sniUse(u) && l7Use(o)) || (l7Use(u) && sniUse(o));
}

/** The endpoints a rule may share with another: a CNP's are in its namespace; a CCNP's anywhere; host policies select nodes. */
function bucketOf(r: RuleView): string {
  return r.host ? 'host' : r.kind === 'CiliumNetworkPolicy' ? `ns ${r.namespace}` : 'ccnp';
}

/**
 * Reports, per merge group, the conflicts among the uses whose rules may select a common endpoint: within a group per
 * bucket (`bucketOf`, a namespace's CNPs with the CCNPs), in document order, each use once.
 */
function reportMerges(run: PitfallRun, groups: readonly (readonly ParserUse<UseRef>[])[], say: Say): void {
  const reported = new Set<string>();
  const position = new Map(run.rules.map((r, i) => [r, i]));
  const order = (use: ParserUse<UseRef>): number => position.get(use.ref.r) ?? 0;
  for (const group of groups) {
    const buckets = new Map<string, ParserUse<UseRef>[]>();
    for (const use of group) {
      const key = bucketOf(use.ref.r);
      const bucket = buckets.get(key);
      if (bucket) bucket.push(use);
      else buckets.set(key, [use]);
    }
    const clusterwide = buckets.get('ccnp') ?? [];
    for (const [key, bucket] of buckets) {
      const meeting = key === 'host' || key === 'ccnp' ? bucket : [...bucket, ...clusterwide].sort((a, b) => order(a) - order(b));
      report(meeting, reported, say);
    }
  }
}

/** Reports one use that meets `hit`, an earlier use of another parser (or mode) for an endpoint both may select. */
type Say = (use: ParserUse<UseRef>, hit: ParserUse<UseRef>) => void;

/**
 * The peers an item's parsers merge per: its peer selectors (`perSelector`, from 1.18), else one key for all (none when
 * it selects no peer).
 */
function itemPeers(r: RuleView, item: RuleItemModel, perSelector: boolean): string[] {
  if (perSelector) return peerKeys(r, item);
  return itemPeerScope(item, !r.version.atLeast(CiliumVersion.V1_16), undefined, r.version) === 'none' ? [] : [''];
}

/** The earlier uses of one parser, one per distinct subject: by the value their subjects require for the bucket key, or not. */
interface Earlier {
  readonly byValue: Map<string, Map<string, ParserUse<UseRef>>>;
  readonly wild: Map<string, ParserUse<UseRef>>;
}

/**
 * Reports the conflicts among uses in document order: each use against the earlier uses of every other parser, one per
 * distinct subject. Subjects are bucketed by the one value they require for the label key most of them pin (`app=x`):
 * two subjects that pin different values cannot meet, so a use is compared only with its value's bucket and the subjects
 * that pin none (a namespace of a thousand apps on one port stays linear).
 */
function report(uses: readonly ParserUse<UseRef>[], reported: Set<string>, say: Say): void {
  const key = mostPinnedKey(uses.map((use) => use.ref.r.subject));
  const earlier = new Map<string, Earlier>();
  for (const use of uses) {
    const { r, path } = use.ref;
    // One use per distinct subject and pods (a named port's uses of one rule are on different pods).
    const subject = `${r.subject?.toString() ?? ''}${use.ref.pods === undefined ? '' : `\0${use.ref.pods.map(podId).join('\0')}`}`;
    const value = key === undefined ? undefined : pinnedValue(r.subject, key);
    if (!reported.has(`${r.doc}/${path}`)) {
      let hit: ParserUse<UseRef> | undefined;
      for (const [parser, e] of earlier) {
        if (parsersMerge(parser, use.parser)) continue;
        const pools = value === undefined ? [e.wild, ...e.byValue.values()] : [e.wild, e.byValue.get(value)];
        hit = pools.flatMap((pool) => [...(pool?.values() ?? [])]).find((other) => sameEndpoints(use.ref, other.ref));
        if (hit) break;
      }
      if (hit) {
        reported.add(`${r.doc}/${path}`);
        say(use, hit);
      }
    }
    let e = earlier.get(use.parser);
    if (!e) earlier.set(use.parser, e = { byValue: new Map(), wild: new Map() });
    let pool = e.wild;
    if (value !== undefined) {
      pool = e.byValue.get(value) ?? new Map();
      e.byValue.set(value, pool);
    }
    if (!pool.has(subject)) pool.set(subject, use);
  }
}

/**
 * Whether two uses may be on a common endpoint: per the workloads of the input when both know them (a use's own pods,
 * `UseRef.pods`, else its rule's), else per selectors.
 */
function sameEndpoints(x: UseRef, y: UseRef): boolean {
  const a = x.r;
  const b = y.r;
  const podsA = x.pods ?? a.pods;
  const podsB = y.pods ?? b.pods;
  if (a === b && x.pods === undefined && y.pods === undefined) return true;
  if (!a.subject || !b.subject) return false;
  if (podsA !== undefined && podsB !== undefined && (podsA.length > 0 || podsB.length > 0)) return podsA.some((w) => podsB.includes(w));
  return a === b || mayOverlap(a.subject, b.subject);
}

/** A workload as a key: kind, namespace and name. */
function podId(w: InventoryPodTemplate): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}

/**
 * How the named ports of a run resolve for redirects (`Resolution`): on ingress per pod the rule selects (each pod its own
 * container ports), on egress on the cluster's; none for a numbered redirect, or without workloads in the input.
 */
function namedRedirects(run: PitfallRun): (r: RuleView, direction: 'ingress' | 'egress', redirect: string) => Resolution[] {
  const perPod = new WeakMap<InventoryPodTemplate, Map<string, Set<number>>>();
  const numbersOf = (w: InventoryPodTemplate): Map<string, Set<number>> => {
    let numbers = perPod.get(w);
    if (!numbers) perPod.set(w, numbers = namedPortNumbers(w.ports));
    return numbers;
  };
  let cluster: Map<string, Set<number>> | undefined;
  return (r, direction, redirect) => {
    if (/^(ingress|egress) \d+\//.test(redirect)) return [];
    if (direction === 'egress') {
      cluster ??= workloadNamedPortNumbers(run.workloadsIn(undefined));
      const numbers = cluster;
      const resolved = resolvedRedirect(redirect, (_d, name, protocol) => namedPortNumber(numbers, name, protocol));
      return resolved === redirect ? [] : [{ redirect: resolved }];
    }
    const byRedirect = new Map<string, InventoryPodTemplate[]>();
    for (const w of (r.pods ?? []).filter((p) => !p.hostNetwork)) {
      const resolved = resolvedRedirect(redirect, (_d, name, protocol) => namedPortNumber(numbersOf(w), name, protocol));
      if (resolved === redirect) continue;
      const list = byRedirect.get(resolved);
      if (list) list.push(w);
      else byRedirect.set(resolved, [w]);
    }
    return [...byRedirect].map(([resolved, pods]) => ({ redirect: resolved, pods }));
  };
}

/** The cached selectors of an item's peers, as keys (1.18+ merges per selector); none for Services and cloud groups. */
/** The cached peer selectors of an item as keys (`'*'` for every peer), as the merges group them. */
export function peerKeys(r: RuleView, item: RuleItemModel): string[] {
  const scope = itemPeerScope(item, !r.version.atLeast(CiliumVersion.V1_16), undefined, r.version);
  if (scope !== 'listed') return scope === 'any' ? ['*'] : [];
  return [
    ...arr<LabelSelectorModel>(item.endpoints).filter(isObject).map((m) => endpointsPeerKey(peerCacheKey(r, m))),
    ...arr<LabelSelectorModel>(item.nodes).filter(isObject).map((m) => `nodes ${Selector.from(m).cacheKey()}`),
    ...new Set(arr<string>(item.entities).filter((e) => typeof e === 'string').flatMap(entityPeerKeys)),
    ...arr<string>(item.cidr).map((c) => `cidr ${String(c)}`),
    ...arr<CidrRuleModel>(item.cidrSet).map((c) => (isObject(c) && groupSelectorIsWildcard(c, r.version) ? '*' : `cidrSet ${JSON.stringify(c)}`)),
    ...arr<FqdnSelectorModel>(item.fqdns).map((f) => `fqdn ${JSON.stringify(f)}`),
  ];
}
