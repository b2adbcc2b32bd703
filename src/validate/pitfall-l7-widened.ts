// Pitfall of L7 rules: HTTP or Kafka rules that restrict requests, cancelled by an allow without L7 rules for the same
// pods, peers and port (`pitfall-l7-rules-widened`). Cilium merges the allows of one port and peer selector
// (`pkg/policy/rule.go` `mergePortProto`): when one of them has no L7 rules, the merged L7 rules get a wildcard for that
// peer, so every request passes ("the layer 7 portions of the latter rule will have no effect", spec 6.5). An allow
// without ports (L3 only) does the same on every port. The engine judges such requests allowed; this says so before apply.
import { CiliumVersion } from '../core/cilium-version';
import { l4Scope } from '../model/l4-scope';
import { CompiledPort, compilePortEntry } from '../model/port-entries';
import { httpRuleMatchesEveryRequest } from '../model/http-header';
import { CidrRuleModel, HttpRuleModel, itemNamesPeer, L7RulesModel, LabelSelectorModel, PortProtocolModel, PortRuleModel, RuleItemModel, SectionName } from '../model/policy-model';
import { cidrContains, parseCidr, ParsedCidr } from '../model/cidr';
import { CLUSTER_RESERVED_ENTITIES } from '../model/entities';
import { itemName, items, PitfallRun, RuleView } from './pitfall-run';
import { hasL7 } from './sanitize-rules';
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
}

/** An allow item without L7 rules: on its ports, or every port (`ports` undefined); `order` is its place in the input. */
interface Plain {
  readonly r: RuleView;
  readonly item: RuleItemModel;
  readonly path: string;
  readonly ports: readonly CompiledPort[] | undefined;
  readonly order: number;
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
          restricted.push({ r, section, item, path: `${r.path}.${section}[${index}].toPorts[${k}]`, kind, ports: compiledPorts(r, pr) });
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
          if (isObject(pr) && !hasL7(pr.rules as L7RulesModel | undefined)) add(scope, { r, item, path: `${path}.toPorts[${k}]`, ports: compiledPorts(r, pr), order: order++ });
        });
      }
    }
  }
  const nsSelectors = new Map<string, Selector>();
  const inNamespace = (ns: string): Selector => {
    let sel = nsSelectors.get(ns);
    if (!sel) nsSelectors.set(ns, sel = Selector.all().and({ source: 'k8s', key: NAMESPACE_KEY, operator: 'In', values: [ns] }));
    return sel;
  };
  // Whether the plain allow's rule and the restricted rule select the same pods, one all of the other's (a CCNP against a
  // namespaced rule: the CCNP's pods in that namespace).
  const samePods = (c: RuleView, r: RuleView): boolean => {
    if (c === r || run.covers(c, r) || run.covers(r, c)) return true;
    if (r.kind === 'CiliumNetworkPolicy' || c.kind !== 'CiliumNetworkPolicy' || !r.subject) return false;
    const ns = inNamespace(c.namespace);
    if (!mayOverlap(r.subject, ns)) return false;
    const here: RuleView = { ...r, subject: r.subject.and(...ns.requirements), pods: r.pods?.filter((w) => w.namespace === c.namespace) };
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
    const hit = candidates.find((p) => portsMeet(x.ports, p.ports) && samePods(p.r, r) && peersCovered(r, x.item, p.r, p.item));
    if (!hit) continue;
    const toward = x.section === SectionName.INGRESS ? 'from' : 'to';
    const what = hit.ports === undefined ? 'on every port (no toPorts)' : 'on the same port without L7 rules';
    const other = hit.r === r ? `this rule (${hit.path})` : `${itemName(hit.r, hit.path)}, for pods this rule selects,`;
    run.report('pitfall-l7-rules-widened', r, x.path,
      `these ${x.kind} rules restrict requests, but ${other} also allows ${toward} these peers ${what}: Cilium merges the two with an `
      + `allow-all ${x.kind} rule for that peer, so every request passes`,
      `give that allow the same ${x.kind} rules, or narrow its pods, peers or ports so it does not meet these; drop the ${x.kind} rules here if every `
      + 'request is meant');
  }
}

/**
 * `HTTP` or `Kafka` when a port rule's L7 rules restrict requests: none of them matches every request (an HTTP rule
 * without fields, or whose method, path and host are `.*`, the visibility idiom; a Kafka rule without fields).
 */
function restrictingKind(rules: unknown): 'HTTP' | 'Kafka' | undefined {
  if (!isObject(rules)) return undefined;
  const http = arr<HttpRuleModel>(rules.http);
  const anything = (p: unknown): string | undefined => (typeof p !== 'string' || p === '.*' || p === '^.*$' ? undefined : p);
  if (http.length > 0 && http.every((rule) => isObject(rule)
    && !httpRuleMatchesEveryRequest({ ...rule, method: anything(rule.method), path: anything(rule.path), host: anything(rule.host) }))) return 'HTTP';
  const kafka = arr<unknown>(rules.kafka);
  if (kafka.length > 0 && kafka.every((rule) => isObject(rule) && Object.keys(rule).length > 0)) return 'Kafka';
  return undefined;
}

function compiledPorts(r: RuleView, pr: PortRuleModel): CompiledPort[] {
  // A port rule without ports (no list, or an empty one) allows nothing and restricts nothing: the agent makes a filter per
  // port entry (`mergeIngress`/`mergeEgress` iterate `GetPortProtocols()`; the L3-only wildcard is only for an item without
  // toPorts), as the engine reads it. An entry without `port` (1.19) is every port: `compilePortEntry` reads it as 0.
  return arr<PortProtocolModel>(pr.ports).filter(isObject).map((p) => compilePortEntry(p, r.version.atLeast(CiliumVersion.V1_16)));
}

/** Whether two port lists share a protocol and a port (`undefined`: every port); a named port meets its name or every port. */
function portsMeet(a: readonly CompiledPort[], b: readonly CompiledPort[] | undefined): boolean {
  if (b === undefined) return true;
  return a.some((x) => b.some((y) => x.protocols.some((p) => y.protocols.includes(p)) && rangesMeet(x, y)));
}

function rangesMeet(x: CompiledPort, y: CompiledPort): boolean {
  if (x.kind === 'invalid' || y.kind === 'invalid') return false;
  if (x.kind === 'all' || y.kind === 'all') return true;
  if (x.kind === 'named' || y.kind === 'named') return x.kind === y.kind && x.name === y.name;
  return x.lo <= y.hi && y.lo <= x.hi;
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
  const theirs = arr<LabelSelectorModel>(b.endpoints).filter(isObject).map((m) => peerSelector(c.kind, c.namespace, c.subject, m));
  const selectorsIn = cluster || arr<LabelSelectorModel>(a.endpoints).filter(isObject)
    .every((m) => { const mine = peerSelector(r.kind, r.namespace, r.subject, m); return theirs.some((t) => implies(mine, t)); });
  const entitiesIn = arr<string>(a.entities).every((e) => entities.has(e) || (cluster && CLUSTER_RESERVED_ENTITIES.includes(e)));
  const parsed = (t: unknown): ParsedCidr | undefined => (typeof t === 'string' ? parseCidr(t) : undefined);
  const whole = arr<CidrRuleModel>(b.cidrSet).filter((x) => isObject(x) && arr(x.except).length === 0).map((x) => x.cidr);
  const blocks = [...arr<string>(b.cidr), ...whole].flatMap((t) => parsed(t) ?? []);
  const mineCidrs = [...arr<string>(a.cidr), ...arr<CidrRuleModel>(a.cidrSet).filter(isObject).map((x) => x.cidr)];
  const cidrsIn = mineCidrs.every((t) => { const p = parsed(t); return p !== undefined && blocks.some((o) => cidrContains(o, p)); });
  return selectorsIn && entitiesIn && cidrsIn;
}
