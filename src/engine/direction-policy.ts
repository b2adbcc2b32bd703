/**
 * The policy of one subject identity in one direction, as the agent computes it (pkg/policy/repository.go): the rules
 * that select it, whether it is in default deny, its allow and deny items, the `fromRequires`/`toRequires` that apply
 * (before 1.19), and the DNS rules its egress proxy enforces (for `toFQDNs`). `PortIndex` splits the items by protocol
 * and port so that a lookup only looks at the items that can cover the port.
 */
import { CompiledItem, CompiledRule, PolicyRef } from './compile';
import { FqdnMatcher, compileFqdnSelector } from '../model/fqdn-pattern';
import { NAMESPACE_KEY } from '../model/selectors';
import { SubjectKind } from './identity';
import { LabelSet, SelectorRequirement } from '../model/labels';
import { CompiledPortRule, L4Query } from './ports';

/** A DNS rule a subject's egress proxy enforces: what names it may resolve. */
export interface DnsRuleRef {
  /** The egress item with the DNS rule. */
  readonly item: CompiledItem;
  /** The `toPorts` entry holding it. */
  readonly portRule: CompiledPortRule;
  /** Its selectors. */
  readonly matchers: readonly FqdnMatcher[];
}

/** The policy of one subject identity in one direction. */
export interface DirectionPolicy {
  /** Direction. */
  readonly direction: 'ingress' | 'egress';
  /** Subject kind. */
  readonly subjectKind: SubjectKind;
  /** Imported rules that select the subject (any direction). */
  readonly selecting: readonly CompiledRule[];
  /** The policies of `selecting`, without duplicates, in order. */
  readonly policies: readonly PolicyRef[];
  /** Rules that select the subject but are not imported by the agent. */
  readonly skipped: readonly CompiledRule[];
  /** Whether some selecting rule has a non-empty section in this direction. */
  readonly hasRules: boolean;
  /** Whether the subject is in default deny in this direction. */
  readonly defaultDeny: boolean;
  /** Whether the subject is a `reserved:init` endpoint (always default deny). */
  readonly init: boolean;
  /** Allow items in order. */
  readonly allow: readonly CompiledItem[];
  /** Deny items in order. */
  readonly deny: readonly CompiledItem[];
  /** `fromRequires`/`toRequires` AND'ed onto the endpoint selectors of the allow items. */
  readonly requirements: readonly SelectorRequirement[];
  /** The same for the deny items. */
  readonly requirementsDeny: readonly SelectorRequirement[];
  /** Whether selecting rules have `fromRequires`/`toRequires` the target version ignores. */
  readonly requiresIgnored: boolean;
  /** DNS rules on egress. */
  readonly dnsRules: readonly DnsRuleRef[];
  /** Port index of the allow items (compiled mode). */
  readonly allowIndex?: PortIndex;
  /** Port index of the deny items (compiled mode). */
  readonly denyIndex?: PortIndex;
}

/** The rules that select one subject identity (both directions share it). */
export interface RuleSelection {
  /** Subject kind. */
  readonly subjectKind: SubjectKind;
  /** Imported rules that select the subject, in input order. */
  readonly selecting: readonly CompiledRule[];
  /** Rules that select the subject but are not imported by the agent. */
  readonly skipped: readonly CompiledRule[];
  /** Whether the subject is a `reserved:init` endpoint. */
  readonly init: boolean;
  /**
   * What the direction policies of the subject depend on (kind, `init`, the selecting and skipped rules): identities with
   * the same key have the same direction policies, so they share them (and their decisions).
   */
  readonly key: string;
}

/** The rules of `rules` (in order) that select a subject identity with `labels`: one match per rule, O(rules). */
export function selectRules(rules: readonly CompiledRule[], subjectKind: SubjectKind, labels: LabelSet): RuleSelection {
  const selecting: CompiledRule[] = [];
  const skipped: CompiledRule[] = [];
  let key = '';
  for (const r of rules) {
    if (r.subjectKind !== subjectKind || !r.subject.matches(labels)) continue;
    if (r.imported) {
      selecting.push(r);
      key += `,${r.ordinal}`;
    } else {
      skipped.push(r);
      key += `,s${r.ordinal}`;
    }
  }
  const init = labels.has('reserved', 'init');
  return { subjectKind, selecting, skipped, init, key: `${subjectKind}|${init ? 1 : 0}|${key}` };
}

/**
 * Computes the policy of a subject from the rules, walking every rule.
 * @param index whether to build the port indexes (the compiled engine) or not (the naive evaluator)
 */
export function buildDirectionPolicy(rules: readonly CompiledRule[], subjectKind: SubjectKind, labels: LabelSet, direction: 'ingress' | 'egress',
  subdomainWildcard: boolean, index: boolean): DirectionPolicy {
  return directionPolicyOf(selectRules(rules, subjectKind, labels), direction, subdomainWildcard, index);
}

/**
 * The policy in one direction of the subjects with this rule selection.
 * @param index whether to build the port indexes (the compiled engine) or not (the naive evaluator)
 */
export function directionPolicyOf(selection: RuleSelection, direction: 'ingress' | 'egress', subdomainWildcard: boolean, index: boolean): DirectionPolicy {
  const { subjectKind, selecting, skipped, init } = selection;
  const allowSection = direction === 'ingress' ? 'ingress' : 'egress';
  const denySection = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const allow = selecting.flatMap((r) => r.items[allowSection]);
  const deny = selecting.flatMap((r) => r.items[denySection]);
  const dnsRules: DnsRuleRef[] = [];
  if (direction === 'egress') {
    for (const item of allow) {
      if (item.l4.kind !== 'ports') continue;
      for (const pr of item.l4.portRules) {
        const dns = pr.rules?.dns;
        if (dns !== undefined) dnsRules.push({ item, portRule: pr, matchers: dns.map((d) => compileFqdnSelector(d, subdomainWildcard)) });
      }
    }
  }
  const seen = new Set<string>();
  const policies: PolicyRef[] = [];
  for (const r of selecting) {
    const key = `${r.policy.kind}/${r.policy.namespace ?? ''}/${r.policy.name}/${r.policy.file ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      policies.push(r.policy);
    }
  }
  return {
    direction,
    subjectKind,
    selecting,
    policies,
    skipped,
    hasRules: selecting.some((r) => r.present[direction]),
    defaultDeny: selecting.some((r) => r.defaultDeny[direction]),
    init,
    allow,
    deny,
    requirements: selecting.flatMap((r) => r.requires[allowSection]),
    requirementsDeny: selecting.flatMap((r) => r.requires[denySection]),
    requiresIgnored: selecting.some((r) => r.requiresIgnored),
    dnsRules,
    ...(index ? { allowIndex: new PortIndex(allow), denyIndex: new PortIndex(deny) } : {}),
  };
}

/**
 * The rules split by the namespace their subject pins (a requirement `k8s:io.kubernetes.pod.namespace=<ns>`, as every CNP
 * subject has): `rulesFor` keeps, in input order, the rules whose subject can select an identity with these labels as far
 * as the namespace goes; `buildDirectionPolicy` still checks each subject fully.
 */
export class RuleIndex {
  /** Rules whose subject pins no single namespace, with their input positions. */
  private readonly general: { rule: CompiledRule; pos: number }[] = [];
  private readonly byNamespace = new Map<string, { rule: CompiledRule; pos: number }[]>();
  private readonly merged = new Map<string, readonly CompiledRule[]>();
  private generalRules?: readonly CompiledRule[];

  constructor(rules: readonly CompiledRule[]) {
    rules.forEach((rule, pos) => {
      const ns = pinnedNamespace(rule);
      if (ns === undefined) {
        this.general.push({ rule, pos });
      } else {
        const list = this.byNamespace.get(ns);
        if (list) list.push({ rule, pos });
        else this.byNamespace.set(ns, [{ rule, pos }]);
      }
    });
  }

  /** The rules that may select an identity with `labels`, in input order. */
  public rulesFor(labels: LabelSet): readonly CompiledRule[] {
    const ns = labels.get('k8s', NAMESPACE_KEY);
    const bucket = ns !== undefined ? this.byNamespace.get(ns) : undefined;
    if (ns === undefined || bucket === undefined) {
      this.generalRules ??= this.general.map((e) => e.rule);
      return this.generalRules;
    }
    let list = this.merged.get(ns);
    if (!list) {
      const out: CompiledRule[] = [];
      let i = 0;
      let j = 0;
      while (i < this.general.length || j < bucket.length) {
        if (j >= bucket.length || (i < this.general.length && this.general[i].pos < bucket[j].pos)) out.push(this.general[i++].rule);
        else out.push(bucket[j++].rule);
      }
      list = out;
      this.merged.set(ns, list);
    }
    return list;
  }
}

/** The namespace a rule's subject requires (`k8s:io.kubernetes.pod.namespace In (<one value>)`), if any. */
function pinnedNamespace(rule: CompiledRule): string | undefined {
  for (const r of rule.subject.requirements) {
    if (r.source === 'k8s' && r.key === NAMESPACE_KEY && r.operator === 'In' && r.values.length === 1 && typeof r.values[0] === 'string') return r.values[0];
  }
  return undefined;
}

/**
 * Items split by what they can cover: an exact `protocol/port`, every port of a protocol, a port range, a named port
 * (resolved per destination), an ICMP type, or everything (peer-only items). `candidates()` returns, in rule order, the
 * items that may cover a query; the caller still checks each one fully.
 */
export class PortIndex {
  private readonly exact = new Map<string, CompiledItem[]>();
  private readonly wildcard = new Map<string, CompiledItem[]>();
  private readonly icmp = new Map<string, CompiledItem[]>();
  private readonly ranges: { protocols: readonly string[]; lo: number; hi: number; item: CompiledItem }[] = [];
  private readonly named: CompiledItem[] = [];
  private readonly all: CompiledItem[] = [];

  constructor(items: readonly CompiledItem[]) {
    for (const item of items) {
      const l4 = item.l4;
      if (l4.kind === 'none') continue;
      if (l4.kind === 'all') {
        this.all.push(item);
        continue;
      }
      for (const i of l4.icmps) if (i.type !== undefined) push(this.icmp, `${i.family}/${i.type}`, item);
      for (const pr of l4.portRules) {
        for (const p of pr.ports) {
          if (p.kind === 'all') for (const proto of p.protocols) push(this.wildcard, proto, item);
          else if (p.kind === 'named') this.named.push(item);
          else if (p.kind === 'range' && p.lo === p.hi) for (const proto of p.protocols) push(this.exact, `${proto}/${p.lo}`, item);
          else if (p.kind === 'range') this.ranges.push({ protocols: p.protocols, lo: p.lo, hi: p.hi, item });
        }
      }
    }
  }

  /** Candidate lists already computed, per protocol then port (or ICMP family/type). */
  private readonly memo = new Map<string, Map<number | string, readonly CompiledItem[]>>();

  /** The items that may cover the query, in rule order, without duplicates. Shared between calls: do not modify. */
  public candidates(query: L4Query): readonly CompiledItem[] {
    const sub: number | string | undefined = query.protocol === 'ICMP' ? `${query.icmpFamily}/${query.icmpType}` : query.port;
    if (sub === undefined) return this.compute(query);
    let byPort = this.memo.get(query.protocol);
    if (!byPort) {
      byPort = new Map();
      this.memo.set(query.protocol, byPort);
    }
    let list = byPort.get(sub);
    if (!list) {
      list = this.compute(query);
      byPort.set(sub, list);
    }
    return list;
  }

  private compute(query: L4Query): CompiledItem[] {
    const found = new Set<CompiledItem>(this.all);
    if (query.protocol === 'ICMP') {
      for (const i of this.icmp.get(`${query.icmpFamily}/${query.icmpType}`) ?? []) found.add(i);
    } else if (query.port !== undefined) {
      for (const i of this.exact.get(`${query.protocol}/${query.port}`) ?? []) found.add(i);
      for (const i of this.wildcard.get(query.protocol) ?? []) found.add(i);
      for (const r of this.ranges) if (query.port >= r.lo && query.port <= r.hi && r.protocols.includes(query.protocol)) found.add(r.item);
      for (const i of this.named) found.add(i);
    }
    return [...found].sort((a, b) => a.ordinal - b.ordinal);
  }
}

function push<K>(map: Map<K, CompiledItem[]>, key: K, item: CompiledItem): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== item) list.push(item);
  } else {
    map.set(key, [item]);
  }
}
