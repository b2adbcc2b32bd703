// Pitfall of L7 rules: HTTP or Kafka rules that restrict requests, cancelled by an allow without L7 rules for the same
// pods, peers and port (`pitfall-l7-rules-widened`). Cilium merges the allows of one port and peer selector
// (`pkg/policy/rule.go` `mergePortProto`): when one of them has no L7 rules, the merged L7 rules get a wildcard for that
// peer, so every request passes ("the layer 7 portions of the latter rule will have no effect", spec 6.5). An allow
// without ports (L3 only) does the same on every port. The engine judges such requests allowed; this says so before apply.
import { CiliumVersion } from '../core/cilium-version';
import { CompiledPort, compilePortEntry } from '../model/port-entries';
import { CidrRuleModel, LabelSelectorModel, PortProtocolModel, PortRuleModel, RuleItemModel, SectionName } from '../model/policy-model';
import { cidrContains, parseCidr, ParsedCidr } from '../model/cidr';
import { itemName, items, PitfallRun, RuleView } from './pitfall-run';
import { implies, peerSelector } from './pod-selectors';
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

/** An allow item without L7 rules: on its ports, or every port (`ports` undefined). */
interface Plain {
  readonly r: RuleView;
  readonly item: RuleItemModel;
  readonly path: string;
  readonly ports: readonly CompiledPort[] | undefined;
}

/**
 * Reports each port rule with HTTP or Kafka rules that an allow without L7 rules cancels: same direction, subjects of which
 * one selects the pods of the other (as `pitfall-dns-rules-widened` judges them: per the workloads of the input, else by
 * selector implication; a CNP only in its namespace, a CCNP anywhere), the allow's peers taking in every peer of the
 * restricted item (then no request of those peers is held to the rules: peers that only may overlap are not reported), and
 * ports that meet. Once per port rule, naming the first such allow. Host policies are left out (their L7 rules are not enforced).
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
  // The allows without L7 rules, per direction and per the endpoints they may select: a namespace, or any (a CCNP).
  const plain = new Map<string, Plain[]>();
  const add = (key: string, p: Plain): void => {
    const list = plain.get(key);
    if (list) list.push(p);
    else plain.set(key, [p]);
  };
  const sections = new Set(restricted.map((x) => x.section));
  for (const r of run.rules) {
    if (r.host || !r.subject) continue;
    for (const section of sections) {
      for (const { item, index } of items(r.rule, section)) {
        const path = `${r.path}.${section}[${index}]`;
        const scope = r.kind === 'CiliumNetworkPolicy' ? `${section} ns ${r.namespace}` : `${section} ccnp`;
        if (item.toPorts === undefined) {
          // L3 only: every port, when it names peers (`{}` alone allows nothing; ICMP items are not L4 ports).
          const l3 = (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'groups', 'fqdns'] as const).some((f) => item[f] !== undefined);
          if (l3 && item.icmps === undefined) add(scope, { r, item, path, ports: undefined });
          continue;
        }
        arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
          if (isObject(pr) && !hasL7(pr.rules)) add(scope, { r, item, path: `${path}.toPorts[${k}]`, ports: compiledPorts(r, pr) });
        });
      }
    }
  }
  for (const x of restricted) {
    const { r } = x;
    const pools = r.kind === 'CiliumNetworkPolicy'
      ? [plain.get(`${x.section} ns ${r.namespace}`), plain.get(`${x.section} ccnp`)]
      : [...plain.entries()].filter(([key]) => key.startsWith(`${x.section} `)).map(([, list]) => list);
    const hit = pools.flatMap((pool) => pool ?? []).find((p) => portsMeet(x.ports, p.ports)
      && (p.r === r || run.covers(p.r, r) || run.covers(r, p.r)) && peersCovered(r, x.item, p.r, p.item));
    if (!hit) continue;
    const toward = x.section === SectionName.INGRESS ? 'from' : 'to';
    const what = hit.ports === undefined ? 'on every port (no toPorts)' : 'on the same port without L7 rules';
    const other = hit.r === r ? `this rule (${hit.path})` : `${itemName(hit.r, hit.path)}, for the same pods,`;
    run.report('pitfall-l7-rules-widened', r, x.path,
      `these ${x.kind} rules restrict requests, but ${other} also allows ${toward} these peers ${what}: Cilium merges the two with an `
      + `allow-all ${x.kind} rule for that peer, so every request passes`,
      `give that allow the same ${x.kind} rules, or narrow its pods, peers or ports so it does not meet these; drop the ${x.kind} rules here if every `
      + 'request is meant');
  }
}

/** `HTTP` or `Kafka` when a port rule's L7 rules restrict requests (a rule without fields matches every request: none). */
function restrictingKind(rules: unknown): 'HTTP' | 'Kafka' | undefined {
  if (!isObject(rules)) return undefined;
  const restricts = (list: readonly unknown[]): boolean => list.length > 0 && list.every((rule) => isObject(rule) && Object.keys(rule).length > 0);
  if (restricts(arr(rules.http))) return 'HTTP';
  if (restricts(arr(rules.kafka))) return 'Kafka';
  return undefined;
}

/** Whether a port rule has L7 rules of any kind (an empty `rules: {}` has none). */
function hasL7(rules: unknown): boolean {
  return isObject(rules) && Object.keys(rules).length > 0;
}

function compiledPorts(r: RuleView, pr: PortRuleModel): CompiledPort[] {
  const ports = arr<PortProtocolModel>(pr.ports).filter(isObject);
  // A port rule without ports (1.19: `port` optional, or no ports list) is every port.
  if (ports.length === 0) return [compilePortEntry({ port: '0', protocol: 'ANY' }, false)];
  return ports.map((p) => compilePortEntry(p, r.version.atLeast(CiliumVersion.V1_16)));
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

const L3_FIELDS = ['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'groups', 'fqdns'] as const;

/**
 * Whether allow item `b` (of rule `c`) takes in every peer of item `a` (of rule `r`): `b` names no peer (every peer), or
 * `all`; else each peer of `a` is one of `b`'s: a selector implied by one of `b`'s (each with its namespace as the agent
 * reads it), an entity `b` lists, a CIDR inside one of `b`'s. Peers it cannot compare (Services, groups, nodes, FQDNs,
 * CIDR sets with holes) do not count as taken in.
 */
function peersCovered(r: RuleView, a: RuleItemModel, c: RuleView, b: RuleItemModel): boolean {
  if (!L3_FIELDS.some((f) => b[f] !== undefined) || arr<string>(b.entities).includes('all')) return true;
  if (!L3_FIELDS.some((f) => a[f] !== undefined)) return false;
  if ((['nodes', 'services', 'groups', 'fqdns'] as const).some((f) => a[f] !== undefined)) return false;
  const theirs = arr<LabelSelectorModel>(b.endpoints).filter(isObject).map((m) => peerSelector(c.kind, c.namespace, c.subject, m));
  const selectorsIn = arr<LabelSelectorModel>(a.endpoints).filter(isObject)
    .every((m) => { const mine = peerSelector(r.kind, r.namespace, r.subject, m); return theirs.some((t) => implies(mine, t)); });
  const entities = new Set(arr<string>(b.entities));
  const entitiesIn = arr<string>(a.entities).every((e) => entities.has(e));
  const parsed = (t: unknown): ParsedCidr | undefined => (typeof t === 'string' ? parseCidr(t) : undefined);
  const whole = arr<CidrRuleModel>(b.cidrSet).filter((x) => isObject(x) && arr(x.except).length === 0).map((x) => x.cidr);
  const blocks = [...arr<string>(b.cidr), ...whole].flatMap((t) => parsed(t) ?? []);
  const mineCidrs = [...arr<string>(a.cidr), ...arr<CidrRuleModel>(a.cidrSet).filter(isObject).map((x) => x.cidr)];
  const cidrsIn = mineCidrs.every((t) => { const p = parsed(t); return p !== undefined && blocks.some((o) => cidrContains(o, p)); });
  return selectorsIn && entitiesIn && cidrsIn;
}
