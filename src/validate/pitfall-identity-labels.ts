// Pitfall: selectors on label keys that Cilium's default label filter keeps out of every identity (`model/identity-labels.ts`).
import { hostNodeSelectorProblem, matchLabel, SelectorRequirement, showRequirement, splitLabelKey } from '../model/labels';
import { onNonIdentityKey } from '../model/identity-labels';
import { isDenySection, LabelSelectorModel, PEER_FIELDS, RuleItemModel, sectionDirection, SECTIONS } from '../model/policy-model';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { arr, isObject, keyPath } from './walk';

/** What a selector selects, for the message: the subject's pods or nodes, a peer of an allow or a deny, a requirement. */
type Role = 'subject' | 'node-subject' | 'allow' | 'deny' | 'requires';

/** One requirement of a selector as written, with the path of its key. */
interface WrittenRequirement {
  readonly requirement: SelectorRequirement;
  readonly written: string;
  readonly path: string;
}

/**
 * Selector requirements on a key Cilium's default label filter (pkg/labelsfilter `defaultLabelPrefixCfg`, `filterLabels`)
 * leaves out of identities, for the rule's target version (`onNonIdentityKey`): no identity has the label, so `In`,
 * `Exists` and a `matchLabels` entry never hold (the selector selects nothing), and `NotIn`/`DoesNotExist` always hold
 * (the selector is broader than written). Checked where the labels are a pod's or the host endpoint's, which pass the
 * filter: a rule's `endpointSelector` and `nodeSelector` (the host endpoint's node labels, `InitWithNodeLabels`),
 * from/toEndpoints and from/toRequires, a NetworkPolicy's podSelector and peer podSelectors. Not from/toNodes: they select
 * remote nodes, whose `node:` labels pass the node filter (`FilterNodeLabels`), which keeps every label by default; nor
 * namespace labels (`io.cilium.k8s.namespace.labels.…`, kept). Keys of the `k8s` source or none (`any`) only: the
 * filter never drops `reserved:` labels, and pods and nodes have labels of no other source. A `nodeSelector` requirement on
 * a label no host endpoint carries (`node:`, the labels of node identities as peers; `cidr:`; `reserved:` but `host`), or one
 * that never holds on `reserved:host`, is reported too (`hostNodeSelectorProblem`, the wording the constructs' refusal shares).
 */
export function nonIdentityLabelSelectors(run: PitfallRun, r: RuleView): void {
  if (r.np) return networkPolicyNonIdentity(run, r);
  if (isObject(r.rule.endpointSelector)) {
    check(run, r, r.rule.endpointSelector, `${r.path}.endpointSelector`, 'endpointSelector', 'subject');
  } else if (isObject(r.rule.nodeSelector)) {
    check(run, r, r.rule.nodeSelector, `${r.path}.nodeSelector`, 'nodeSelector', 'node-subject');
  }
  for (const section of SECTIONS) {
    const direction = sectionDirection(section);
    for (const { item, index } of items(r.rule, section)) {
      const endpoints = PEER_FIELDS.endpoints[direction] ?? 'fromEndpoints';
      arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
        if (isObject(model)) check(run, r, model, `${r.path}.${section}[${index}].${endpoints}[${j}]`, endpoints, isDenySection(section) ? 'deny' : 'allow');
      });
      const requires = PEER_FIELDS.requires[direction] ?? 'fromRequires';
      arr<LabelSelectorModel>(item.requires).forEach((model, j) => {
        if (isObject(model)) check(run, r, model, `${r.path}.${section}[${index}].${requires}[${j}]`, requires, 'requires');
      });
    }
  }
}

/** A NetworkPolicy's podSelectors, as the agent translates them (`k8s:` keys); its namespace labels are kept. */
function networkPolicyNonIdentity(run: PitfallRun, r: RuleView): void {
  if (isObject(r.rule.endpointSelector)) {
    for (const w of writtenRequirements(r.rule.endpointSelector, 'spec.podSelector')) report(run, r, w, 'spec.podSelector', 'podSelector', 'subject', false);
  }
  for (const [direction, paths] of [['ingress', r.np?.ingressPaths], ['egress', r.np?.egressPaths]] as const) {
    arr<RuleItemModel>(r.rule[direction]).forEach((item, i) => {
      const model = item.endpoints?.[0];
      const path = paths?.[i];
      if (!isObject(model) || path === undefined || !/\.(from|to)\[\d+\]$/.test(path)) return;
      for (const w of writtenRequirements(model, `${path}.podSelector`)) report(run, r, w, `${path}.podSelector`, 'this peer\'s podSelector', 'allow', false);
    });
  }
}

function check(run: PitfallRun, r: RuleView, model: LabelSelectorModel, path: string, field: string, role: Role): void {
  for (const w of writtenRequirements(model, path)) report(run, r, w, w.path, field, role, true);
}

function report(run: PitfallRun, r: RuleView, w: WrittenRequirement, path: string, field: string, role: Role, cilium: boolean): void {
  const q = w.requirement;
  if (role === 'node-subject') {
    const problem = hostNodeSelectorProblem(q, w.written);
    if (problem !== undefined) return run.report('pitfall-selector-non-identity-label', r, path, `${field} ${problem.says}`, problem.fix);
  }
  if ((q.source !== 'k8s' && q.source !== 'any') || !onNonIdentityKey(q, r.version)) return;
  const key = cilium ? w.written : q.key;
  const holds = q.operator === 'In' || q.operator === 'Exists';
  if (!holds && q.operator !== 'NotIn' && q.operator !== 'DoesNotExist') return;
  const what = showRequirement(q, key);
  const nodes = role === 'node-subject';
  const owner = nodes ? 'the node labels of the host endpoint' : 'pod labels';
  const effect = holds ? neverEffect(role, field) : `always holds: ${field} is broader than written, it ${role === 'subject' || role === 'node-subject' ? 'applies to' : 'selects'} `
    + `every ${nodes ? 'node' : 'endpoint'} it would select without this requirement${role === 'deny' ? ' (the rule denies more than written)' : role === 'allow' ? ' (the rule allows more than written)' : ''}`;
  run.report('pitfall-selector-non-identity-label', r, path,
    `${field} requires ${what}, but Cilium ${r.version} keeps ${key.replace(/^(k8s|any):/, '')} out of every identity (its default identity-relevant labels, `
    + `pkg/labelsfilter, drop it from ${owner}), so no selector sees it and this requirement ${effect}`,
    nodes
      ? 'label the nodes with a key Cilium keeps, such as node-role.kubernetes.io/<role> or a label of your own (example.com/pool: edge), and select on '
        + 'that; topology.kubernetes.io/… and node.kubernetes.io/… are kept too'
      : 'select on a label that is in the identity: app.kubernetes.io/… (name, component, instance) or a label of your own on the pod template');
}

function neverEffect(role: Role, field: string): string {
  switch (role) {
    case 'subject': return `never holds: ${field} selects no endpoint, so the rule applies to nothing`;
    case 'node-subject': return 'never holds: the nodeSelector selects no node, so the host policy is enforced on no node';
    case 'allow': return `never holds: ${field} selects nothing, so the rule allows nothing through it`;
    case 'deny': return `never holds: ${field} selects nothing, so the rule denies nothing through it`;
    case 'requires': return `never holds: no peer meets ${field}, so the rule allows nothing`;
  }
}

/** The requirements of a selector as written, skipping entries of the wrong shape (the CRD layer reports those). */
function writtenRequirements(model: LabelSelectorModel, base: string): WrittenRequirement[] {
  const out: WrittenRequirement[] = [];
  const labels: unknown = model.matchLabels;
  if (isObject(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      const { source, key } = splitLabelKey(k);
      out.push({ requirement: matchLabel(source, key, String(v)), written: k, path: keyPath(`${base}.matchLabels`, k) });
    }
  }
  arr<unknown>(model.matchExpressions).forEach((e, i) => {
    if (!isObject(e) || typeof e.key !== 'string' || typeof e.operator !== 'string') return;
    const { source, key } = splitLabelKey(e.key);
    const values = arr<unknown>(e.values).map((v) => String(v));
    out.push({ requirement: { source, key, operator: e.operator, values }, written: e.key, path: `${base}.matchExpressions[${i}].key` });
  });
  return out;
}
