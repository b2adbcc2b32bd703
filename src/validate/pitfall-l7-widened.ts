// Pitfall of L7 rules: HTTP or Kafka rules that restrict requests, cancelled by an allow without L7 rules for the same
// pods, peers and port (`pitfall-l7-rules-widened`). Cilium merges the allows of one port and peer selector
// (`pkg/policy/rule.go` `mergePortProto`): when one of them has no L7 rules, the merged L7 rules get a wildcard for that
// peer, so every request passes ("the layer 7 portions of the latter rule will have no effect", spec 6.5). An allow
// without ports (L3 only) does the same on every port, and so does an allow whose rules of the same kind match every request
// (`http: [{}]`, the visibility idiom): the proxy ORs the rules of a port and peer. The engine judges such requests allowed;
// this says so before apply.
import { CiliumVersion } from '../core/cilium-version';
import { l4Scope } from '../model/l4-scope';
import { l7ParserOf } from '../model/l7-parsers';
import { CompiledPort, compilePortEntry, namedPortEnd } from '../model/port-entries';
import { namedPortKey, workloadNamedPortNumbers } from '../model/named-port-numbers';
import { httpRuleMatchesEveryRequest } from '../model/http-header';
import { CidrRuleModel, HttpRuleModel, itemNamesPeer, L7RulesModel, LabelSelectorModel, PortProtocolModel, PortRuleModel, RuleItemModel, SectionName } from '../model/policy-model';
import { cidrContains, parseCidr, ParsedCidr } from '../model/cidr';
import { CLUSTER_RESERVED_ENTITIES } from '../model/entities';
import { itemName, items, PitfallRun, RuleView } from './pitfall-run';
import { hasL7 } from './sanitize-rules';
import { peerKeys } from './pitfall-parser-merge';
import { implies, mayOverlap, mostPinnedKey, NAMESPACE_KEY, peerSelector, pinnedValue } from './pod-selectors';
import { Selector } from '../model/labels';
import { arr, isObject } from './walk';

/** An allow item's port rule whose HTTP or Kafka rules restrict requests. */
interface Restricted {
  readonly r: RuleView;
  readonly section: SectionName;
  readonly item: RuleItemModel;
  readonly path: string;
  readonly kind: 'HTTP' | 'Kafka';
  readonly ports: readonly CompiledPort[];
  /** Whether the port rule has a terminatingTLS context. */
  readonly terminating: boolean;
}

/**
 * An allow item without L7 rules: on its ports, or every port (`ports` undefined); `order` is its place in the input. Or a
 * port rule whose HTTP or Kafka rules match every request (`everyRequest`: `HttpRule.any()`, the visibility idiom), which
 * the proxy ORs with the restricting rules of the same kind as it ORs the allow-all rule Cilium adds for an allow without them.
 */
interface Plain {
  readonly r: RuleView;
  readonly item: RuleItemModel;
  readonly path: string;
  readonly ports: readonly CompiledPort[] | undefined;
  readonly order: number;
  readonly everyRequest?: 'HTTP' | 'Kafka';
  /**
   * Whether it is a port rule with `serverNames` and neither L7 rules nor terminatingTLS: beside L7 rules without
   * terminatingTLS the agent refuses the merge or adds the allow-all rule as the merge order decides (`pitfall-sni-l7-merge`).
   */
  readonly sniOnly?: boolean;
}

/** The plain allows of one direction and scope (a namespace, or every namespace for CCNPs), by the value their subjects pin. */
interface PlainBucket {
  readonly all: Plain[];
  readonly unpinned: Plain[];
  readonly byValue: Map<string, Plain[]>;
}

/**
 * Reports each port rule with HTTP or Kafka rules that an allow without L7 rules cancels: same direction, subjects of which
 * one selects the pods of the other (as `pitfall-dns-rules-widened` judges them: per the workloads of the input, else by
 * selector implication; a CNP or a Kubernetes NetworkPolicy only in its namespace, a CCNP anywhere, and a CCNP's pods in
 * a namespace against a namespaced allow), the allow's peers taking in every peer of the restricted item (then no request
 * of those peers is held to the rules: peers that only may overlap are not reported), and ports that meet. Once per port
 * rule, naming the first such allow. Host policies are left out (their L7 rules are not enforced). Subjects that pin
 * different values of one label (`app=a`, `app=b`) are never compared (`mostPinnedKey`): a namespace of a thousand apps
 * stays linear.
 */
export function l7RulesWidened(run: PitfallRun): void {
  const restricted: Restricted[] = [];
  for (const r of run.rules) {
    if (r.host || !r.subject) continue;
    for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
      for (const { item, index } of items(r.rule, section)) {
        arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
          const kind = isObject(pr) ? restrictingKind(pr.rules) : undefined;
          if (kind === undefined) return;
          const terminating = isObject(pr) && isObject(pr.terminatingTLS);
          restricted.push({ r, section, item, path: `${r.path}.${section}[${index}].toPorts[${k}]`, kind, ports: compiledPorts(r, pr), terminating });
        });
      }
    }
  }
  if (restricted.length === 0) return;
  const views = [...run.rules, ...run.networkPolicyViews()].filter((r) => !r.host && r.subject !== undefined);
  const pin = mostPinnedKey(views.map((r) => r.subject));
  const valueOf = (r: RuleView): string | undefined => (pin === undefined ? undefined : pinnedValue(r.subject, pin));
  const buckets = new Map<string, PlainBucket>();
  const sections = new Set(restricted.map((x) => x.section));
  let order = 0;
  const add = (scope: string, p: Plain): void => {
    let b = buckets.get(scope);
    if (!b) buckets.set(scope, b = { all: [], unpinned: [], byValue: new Map() });
    b.all.push(p);
    const v = valueOf(p.r);
    if (v === undefined) b.unpinned.push(p);
    else {
      const list = b.byValue.get(v);
      if (list) list.push(p);
      else b.byValue.set(v, [p]);
    }
  };
  for (const r of views) {
    for (const section of sections) {
      for (const { item, index } of items(r.rule, section)) {
        const path = `${r.path}.${section}[${index}]`;
        const scope = r.kind === 'CiliumNetworkPolicy' ? `${section} ns ${r.namespace}` : `${section} ccnp`;
        // L3 only (no toPorts and no icmps, absent or empty: `toPorts.Len() == 0 && icmp.Len() == 0` in rule.go): every
        // port, when it names peers (`{}` alone allows nothing).
        const l4 = l4Scope(arr(item.toPorts), arr(item.icmps), itemNamesPeer(item));
        if (l4 !== 'ports') {
          if (l4 === 'all') add(scope, { r, item, path, ports: undefined, order: order++ });
          continue;
        }
        arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
          if (!isObject(pr)) return;
          // A listener's port rule has the parser `crd` (`l7ParserOf`, createL4Filter), which merges with no HTTP or Kafka
          // parser: the agent refuses the policy (`pitfall-l7-parser-conflict`), it adds no allow-all rule.
          if (l7ParserOf(undefined, 'TCP', pr) === 'crd') return;
          const everyRequest = matchAllKind(pr.rules);
          if (everyRequest === undefined && hasL7(pr.rules as L7RulesModel | undefined)) return;
          const sniOnly = everyRequest === undefined && arr(pr.serverNames).length > 0 && !isObject(pr.terminatingTLS);
          add(scope, { r, item, path: `${path}.toPorts[${k}]`, ports: compiledPorts(r, pr), order: order++, ...(everyRequest ? { everyRequest } : {}),
            ...(sniOnly ? { sniOnly } : {}) });
        });
      }
    }
  }
  // The numbers a named port resolves to: on ingress, on the selected pods' own ports (each pod resolves its own); on
  // egress, on every pod of the cluster, a name with one number only (1.14-1.19 `NamedPortMultiMap.GetNamedPort`: two
  // numbers are `ErrDuplicateNamedPorts`, and the entry is skipped; host-network pods add none). Empty when the input has
  // no workloads: a named port then meets only its name.
  let cluster: NamedNumbers | undefined;
  const namedPorts = (x: Restricted): NamedNumbers => {
    if (x.section === SectionName.INGRESS) return workloadNamedPortNumbers(x.r.pods ?? []);
    if (cluster === undefined) {
      const all = workloadNamedPortNumbers(run.workloadsIn(undefined));
      cluster = new Map([...all].filter(([, numbers]) => numbers.size === 1));
    }
    return cluster;
  };
  const nsSelectors = new Map<string, Selector>();
  const inNamespace = (ns: string): Selector => {
    let sel = nsSelectors.get(ns);
    if (!sel) nsSelectors.set(ns, sel = Selector.all().and([{ source: 'k8s', key: NAMESPACE_KEY, operator: 'In', values: [ns] }]));
    return sel;
  };
  // Whether the plain allow's rule and the restricted rule select the same pods, one all of the other's (a CCNP against a
  // namespaced rule: the CCNP's pods in that namespace).
  const samePods = (c: RuleView, r: RuleView): boolean => {
    if (c === r || run.covers(c, r) || run.covers(r, c)) return true;
    if (r.kind === 'CiliumNetworkPolicy' || c.kind !== 'CiliumNetworkPolicy' || !r.subject) return false;
    const ns = inNamespace(c.namespace);
    if (!mayOverlap(r.subject, ns)) return false;
    const here: RuleView = { ...r, subject: r.subject.and(ns.requirements), pods: r.pods?.filter((w) => w.namespace === c.namespace) };
    return run.covers(c, here) || run.covers(here, c);
  };
  for (const x of restricted) {
    const { r } = x;
    const scopes = r.kind === 'CiliumNetworkPolicy'
      ? [buckets.get(`${x.section} ns ${r.namespace}`), buckets.get(`${x.section} ccnp`)]
      : [...buckets.entries()].filter(([key]) => key.startsWith(`${x.section} `)).map(([, b]) => b);
    const v = valueOf(r);
    const candidates = scopes.flatMap((b) => (b === undefined ? [] : v === undefined ? b.all : [...b.unpinned, ...(b.byValue.get(v) ?? [])]))
      .sort((a, b) => a.order - b.order);
    const names = namedPorts(x);
    const hit = candidates.find((p) => (p.everyRequest === undefined || p.everyRequest === x.kind)
      && (p.sniOnly !== true || x.terminating || !sharePeerSelector(p, r, x)) && portsMeet(x.ports, p.ports, names)
      && samePods(p.r, r) && peersCovered(r, x.item, p.r, p.item));
    if (!hit) continue;
    const toward = x.section === SectionName.INGRESS ? 'from' : 'to';
    const resolved = hit.ports === undefined ? undefined : resolvedName(x.ports, hit.ports, names);
    const what = hit.ports === undefined ? 'on every port (no toPorts)'
      : `on the same port ${hit.everyRequest !== undefined ? `with ${x.kind} rules that match every request` : 'without L7 rules'}`
        + `${resolved === undefined ? '' : ` (the named port ${resolved} on ${x.section === SectionName.INGRESS ? 'its' : 'the cluster\'s'} pods)`}`;
    const other = hit.r === r ? `this rule (${hit.path})` : `${itemName(hit.r, hit.path)}, for pods this rule selects,`;
    run.report('pitfall-l7-rules-widened', r, x.path,
      `these ${x.kind} rules restrict requests, but ${other} also allows ${toward} these peers ${what}: Cilium merges the two `
      + `${hit.everyRequest !== undefined ? 'and the proxy ORs their rules' : `with an allow-all ${x.kind} rule`} for that peer, so every request passes`,
      `give that allow the same ${x.kind} rules, or narrow its pods, peers or ports so it does not meet these; drop the ${x.kind} rules here if every `
      + 'request is meant');
  }
}

/**
 * `HTTP` or `Kafka` when a port rule's L7 rules restrict requests: none of them matches every request (an HTTP rule
 * without fields, or whose method, path and host are `.*`, the visibility idiom; a Kafka rule without fields).
 */
export function restrictingKind(rules: unknown): 'HTTP' | 'Kafka' | undefined {
  if (!isObject(rules)) return undefined;
  const http = arr<unknown>(rules.http);
  if (http.length > 0 && http.every((rule) => isObject(rule) && !httpMatchesAll(rule))) return 'HTTP';
  const kafka = arr<unknown>(rules.kafka);
  if (kafka.length > 0 && kafka.every((rule) => isObject(rule) && !kafkaMatchesAll(rule))) return 'Kafka';
  return undefined;
}

/**
 * `HTTP` or `Kafka` when a port rule's L7 rules of that kind hold one that matches every request (`HttpRule.any()`, a
 * method, path and host of `.*`; a Kafka rule without fields): ORed with a restricting rule of the same kind for the same
 * peer and port, it lets every request through, as an allow without L7 rules does.
 */
function matchAllKind(rules: unknown): 'HTTP' | 'Kafka' | undefined {
  if (!isObject(rules)) return undefined;
  if (arr<unknown>(rules.http).some((rule) => isObject(rule) && httpMatchesAll(rule))) return 'HTTP';
  if (arr<unknown>(rules.kafka).some((rule) => isObject(rule) && kafkaMatchesAll(rule))) return 'Kafka';
  return undefined;
}

/** Whether an HTTP rule matches every request: no field restricts (a method, path or host of `.*` counts as none). */
function httpMatchesAll(rule: Record<string, unknown>): boolean {
  const anything = (p: unknown): string | undefined => (typeof p !== 'string' || p === '.*' || p === '^.*$' ? undefined : p);
  const r = rule as HttpRuleModel;
  return httpRuleMatchesEveryRequest({ ...r, method: anything(r.method), path: anything(r.path), host: anything(r.host) });
}

/** Whether a Kafka rule matches every request: it has no field. */
function kafkaMatchesAll(rule: Record<string, unknown>): boolean {
  return Object.keys(rule).length === 0;
}

function compiledPorts(r: RuleView, pr: PortRuleModel): CompiledPort[] {
  // A port rule without ports (no list, or an empty one) allows nothing and restricts nothing: the agent makes a filter per
  // port entry (`mergeIngress`/`mergeEgress` iterate `GetPortProtocols()`; the L3-only wildcard is only for an item without
  // toPorts), as the engine reads it. An entry without `port` (1.19) is every port: `compilePortEntry` reads it as 0.
  return arr<PortProtocolModel>(pr.ports).filter(isObject).map((p) => compilePortEntry(p, r.version.atLeast(CiliumVersion.V1_16)));
}

/** Named port numbers by `namedPortKey` (name and protocol). */
export type NamedNumbers = ReadonlyMap<string, ReadonlySet<number>>;

/**
 * Whether two port lists share a protocol and a port (`undefined`: every port); a named port meets its name, every port,
 * and the ports its number (`names`) falls in: the agent keys a named port's filter apart from the numeric one's, but
 * both give the policy map the resolved port, where the proxy redirect wins (mapstate.go `mapStateEntry.merge`), and the
 * proxy ORs the port policies of both filters (pkg/envoy/server.go `getDirectionNetworkPolicy`): the numeric allow
 * without L7 rules lets every request of its peers through.
 */
export function portsMeet(a: readonly CompiledPort[], b: readonly CompiledPort[] | undefined, names: NamedNumbers): boolean {
  if (b === undefined) return true;
  return a.some((x) => b.some((y) => x.protocols.some((p) => y.protocols.includes(p)) && rangesMeet(x, y, names)));
}

function rangesMeet(x: CompiledPort, y: CompiledPort, names: NamedNumbers): boolean {
  if (x.kind === 'invalid' || y.kind === 'invalid') return false;
  if (x.kind === 'all' || y.kind === 'all') return true;
  if (x.kind === 'named' && y.kind === 'named') return x.name === y.name;
  if (x.kind === 'named') return resolvesInto(x, y, names) !== undefined;
  if (y.kind === 'named') return resolvesInto(y, x, names) !== undefined;
  return x.lo <= y.hi && y.lo <= x.hi;
}

/**
 * The number (and protocol, `8080/TCP`) the named port `named` resolves to inside the numeric range `range`, on a
 * protocol both cover; `undefined` when none does.
 */
function resolvesInto(named: CompiledPort, range: CompiledPort, names: NamedNumbers): string | undefined {
  for (const protocol of named.protocols.filter((p) => range.protocols.includes(p))) {
    for (const n of names.get(namedPortKey(named.name ?? '', protocol)) ?? []) {
      if (n <= range.hi && namedPortEnd(named, n) >= range.lo) return `${n}/${protocol}`;
    }
  }
  return undefined;
}

/** `http is 8080/TCP` when the two lists meet only through a named port's number; `undefined` otherwise. */
function resolvedName(a: readonly CompiledPort[], b: readonly CompiledPort[], names: NamedNumbers): string | undefined {
  if (portsMeet(a, b, new Map())) return undefined;
  for (const x of a) {
    for (const y of b) {
      const [named, range] = x.kind === 'named' ? [x, y] : [y, x];
      if (named.kind !== 'named' || range.kind !== 'range') continue;
      const at = resolvesInto(named, range, names);
      if (at !== undefined) return `${named.name ?? ''} is ${at}`;
    }
  }
  return undefined;
}

/**
 * Whether allow item `b` (of rule `c`) takes in every peer of item `a` (of rule `r`): `b` names no peer (every peer), or
 * `all`; else each peer of `a` is one of `b`'s: a selector implied by one of `b`'s (each with its namespace as the agent
 * reads it), an entity `b` lists, a CIDR inside one of `b`'s. Peers it cannot compare (Services, groups, nodes, FQDNs,
 * CIDR sets with holes) do not count as taken in.
 */
function peersCovered(r: RuleView, a: RuleItemModel, c: RuleView, b: RuleItemModel): boolean {
  if (!itemNamesPeer(b) || arr<string>(b.entities).includes('all')) return true;
  if (!itemNamesPeer(a)) return false;
  if ((['nodes', 'services', 'groups', 'fqdns'] as const).some((f) => a[f] !== undefined)) return false;
  const entities = new Set(arr<string>(b.entities));
  // `cluster` is every pod and the cluster's reserved identities (host, remote nodes, health, ingress, …).
  const cluster = entities.has('cluster');
  if (!arr<string>(a.entities).every((e) => entities.has(e) || (cluster && CLUSTER_RESERVED_ENTITIES.includes(e)))) return false;
  const parsed = (t: unknown): ParsedCidr | undefined => (typeof t === 'string' ? parseCidr(t) : undefined);
  const whole = arr<CidrRuleModel>(b.cidrSet).filter((x) => isObject(x) && arr(x.except).length === 0).map((x) => x.cidr);
  const blocks = [...arr<string>(b.cidr), ...whole].flatMap((t) => parsed(t) ?? []);
  const mineCidrs = [...arr<string>(a.cidr), ...arr<CidrRuleModel>(a.cidrSet).filter(isObject).map((x) => x.cidr)];
  if (!mineCidrs.every((t) => { const p = parsed(t); return p !== undefined && blocks.some((o) => cidrContains(o, p)); })) return false;
  if (cluster) return true;
  // The selectors last, and only when there are some on both sides: working a selector out is the costly part (an allow of
  // entities or CIDRs beside endpoint peers, as a namespace default deny's `fromEntities: [host]`, meets every rule).
  const mine = arr<LabelSelectorModel>(a.endpoints).filter(isObject);
  if (mine.length === 0) return true;
  const written = arr<LabelSelectorModel>(b.endpoints).filter(isObject);
  if (written.length === 0) return false;
  const theirs = written.map((m) => peerSelector(c, m));
  return mine.every((m) => { const s = peerSelector(r, m); return theirs.some((t) => implies(s, t)); });
}

/**
 * Whether serverNames without terminatingTLS and L7 rules share a cached peer selector: only then does the agent merge them
 * into one per-selector policy (`pitfall-sni-l7-merge`); of other selectors the L7 rules are widened as for any plain allow.
 */
function sharePeerSelector(p: Plain, r: RuleView, x: Restricted): boolean {
  const keys = new Set(peerKeys(p.r, p.item));
  return peerKeys(r, x.item).some((k) => keys.has(k));
}
