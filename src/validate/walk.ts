/**
 * The walk over a policy document that every layer's checks hang off: one visitor per layer, called for each node
 * with its JSON path in wire form (`spec.ingress[0].fromEndpoints[0]`).
 *
 * The model is typed, but a hand-written manifest can hold anything, so the walk never trusts a shape: a list that
 * is not an array is skipped here (and reported by `crd-type`).
 */
import { Diagnostic, showValue } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import {
  isDenySection,
  LabelSelectorModel,
  PEER_FIELDS,
  PeerField,
  PolicyDocumentModel,
  PolicyKind,
  PortProtocolModel,
  PortRuleModel,
  RuleItemModel,
  RuleModel,
  SECTIONS,
  SectionName,
  sectionDirection,
} from '../model/policy-model';
import { checkInfo } from './catalogue';
import { DiagnosticBudget } from '../model/diagnostic-budget';

/** What a check needs to know and the one way it reports. */
export interface CheckContext {
  /** Target Cilium version. */
  readonly version: CiliumVersion;
  /** Kind of the policy being checked. */
  readonly kind: PolicyKind;
  /** Namespace of a CNP (`default` when the manifest leaves it to kubectl). */
  readonly namespace: string;
  /**
   * A raw `api.Rule` of `cilium policy import`, which no API server checked: the agent's own checks that the CRD schema
   * makes first for a document (the subject selector, the sections, the entities) are reported by the `sanitize-…` rules.
   */
  readonly raw: boolean;
  /** Reports a finding; the severity comes from the catalogue. */
  report(id: string, path: string | undefined, message: string, fix: string): void;
}

/** A rule: `spec` or `specs[i]`. */
export interface RuleNode {
  readonly rule: RuleModel;
  /** `spec` or `specs[1]`. */
  readonly path: string;
  /** The rule selects nodes (`nodeSelector`): a host policy. */
  readonly hostPolicy: boolean;
}

/** One of a rule's four sections. */
export interface SectionNode extends RuleNode {
  readonly section: SectionName;
  readonly direction: 'ingress' | 'egress';
  readonly deny: boolean;
  /** The section's value as found (normally an array). */
  readonly items: unknown;
  /** `spec.ingress`. */
  readonly sectionPath: string;
}

/** One rule item of a section. */
export interface ItemNode extends SectionNode {
  readonly item: RuleItemModel;
  /** `spec.ingress[0]`. */
  readonly itemPath: string;
}

/** One `toPorts` entry. */
export interface PortRuleNode extends ItemNode {
  readonly portRule: PortRuleModel;
  /** `spec.ingress[0].toPorts[0]`. */
  readonly portRulePath: string;
}

/** One `toPorts[].ports[]` entry. */
export interface PortNode extends PortRuleNode {
  readonly port: PortProtocolModel;
  /** `spec.ingress[0].toPorts[0].ports[0]`. */
  readonly portPath: string;
}

/** Where a label selector sits; decides which validations apply to it. */
export type SelectorRole = 'endpointSelector' | 'nodeSelector' | 'endpoints' | 'nodes' | 'requires' | 'cidrGroupSelector' | 'serviceSelector';

/** A label selector anywhere in a rule. */
export interface SelectorNode {
  readonly selector: LabelSelectorModel;
  readonly role: SelectorRole;
  /** `spec.ingress[0].fromEndpoints[0]`. */
  readonly path: string;
  /** The rule it belongs to. */
  readonly rule: RuleNode;
}

/** The checks of one layer, as callbacks per node kind. */
export interface Visitor {
  document?(doc: PolicyDocumentModel, ctx: CheckContext): void;
  rule?(node: RuleNode, ctx: CheckContext): void;
  section?(node: SectionNode, ctx: CheckContext): void;
  item?(node: ItemNode, ctx: CheckContext): void;
  portRule?(node: PortRuleNode, ctx: CheckContext): void;
  port?(node: PortNode, ctx: CheckContext): void;
  selector?(node: SelectorNode, ctx: CheckContext): void;
}

/** The elements of `value` if it is an array, else none. */
export function arr<T>(value: readonly T[] | undefined | unknown): readonly T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Whether `value` is a plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Appends a map key to a JSON path: `.app` for identifiers, `["app.kubernetes.io/name"]` otherwise. */
export function keyPath(base: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** The wire name of a peer field in a direction (`fromEndpoints`), or its other direction's name when it has none there. */
export function wireName(field: PeerField, direction: 'ingress' | 'egress'): string {
  const names = PEER_FIELDS[field];
  return names[direction] ?? names.ingress ?? names.egress ?? field;
}

/** Quotes a value for a message: strings in double quotes, everything else as JSON. */
export function show(value: unknown): string {
  return showValue(value);
}

/** Creates a context that collects diagnostics into `out`. */
export function collectingContext(
  version: CiliumVersion, kind: PolicyKind, out: Diagnostic[], namespace = 'default', raw = false, budget?: DiagnosticBudget,
): CheckContext {
  const seen = new Set<string>();
  return {
    version,
    kind,
    namespace,
    raw,
    report(id, path, message, fix) {
      const key = `${id}\u0000${path ?? ''}\u0000${message}`;
      if (seen.has(key)) return;
      const severity = checkInfo(id).severity;
      // Beyond the budget a finding is counted, not kept (nor remembered: a million of them cost seconds and gigabytes); only
      // its path is (a CRD schema's violation there is said).
      if (budget && !budget.admit(id, severity, false, path ?? '')) return;
      seen.add(key);
      const d: Diagnostic = { id, severity, message, fix, ...(path !== undefined ? { path } : {}) };
      out.push(d);
    },
  };
}

/** Walks a whole document. */
export function walkDocument(doc: PolicyDocumentModel, visitors: readonly Visitor[], ctx: CheckContext): void {
  for (const v of visitors) v.document?.(doc, ctx);
  if (isObject(doc.spec)) walkRule(doc.spec as RuleModel, 'spec', visitors, ctx);
  arr<RuleModel>(doc.specs).forEach((rule, i) => {
    if (isObject(rule)) walkRule(rule, `specs[${i}]`, visitors, ctx);
  });
}

/** Walks one rule (`spec` or an element of `specs`). */
export function walkRule(rule: RuleModel, path: string, visitors: readonly Visitor[], ctx: CheckContext): void {
  const node: RuleNode = { rule, path, hostPolicy: rule.nodeSelector !== undefined && rule.nodeSelector !== null };
  for (const v of visitors) v.rule?.(node, ctx);
  const selector = (s: unknown, role: SelectorRole, p: string): void => {
    if (!isObject(s)) return;
    const sn: SelectorNode = { selector: s as LabelSelectorModel, role, path: p, rule: node };
    for (const v of visitors) v.selector?.(sn, ctx);
  };
  selector(rule.endpointSelector, 'endpointSelector', `${path}.endpointSelector`);
  selector(rule.nodeSelector, 'nodeSelector', `${path}.nodeSelector`);
  for (const section of SECTIONS) {
    const items = rule[section] as unknown;
    if (items === undefined || items === null) continue;
    const direction = sectionDirection(section);
    // Explicit fields rather than spreads: one object shape per node kind, the walk runs for every policy of an app.
    const sn: SectionNode = {
      rule, path, hostPolicy: node.hostPolicy, section, direction, deny: isDenySection(section), items, sectionPath: `${path}.${section}`,
    };
    for (const v of visitors) v.section?.(sn, ctx);
    arr<RuleItemModel>(items).forEach((item, i) => {
      if (!isObject(item)) return;
      const itemNode: ItemNode = {
        rule, path, hostPolicy: sn.hostPolicy, section, direction, deny: sn.deny, items, sectionPath: sn.sectionPath, item,
        itemPath: `${sn.sectionPath}[${i}]`,
      };
      walkItem(itemNode, visitors, ctx, selector);
    });
  }
}

function walkItem(
  node: ItemNode,
  visitors: readonly Visitor[],
  ctx: CheckContext,
  selector: (s: unknown, role: SelectorRole, p: string) => void,
): void {
  for (const v of visitors) v.item?.(node, ctx);
  const { item, direction, itemPath } = node;
  arr(item.endpoints).forEach((s, i) => selector(s, 'endpoints', `${itemPath}.${wireName(PeerField.ENDPOINTS, direction)}[${i}]`));
  arr(item.nodes).forEach((s, i) => selector(s, 'nodes', `${itemPath}.${wireName(PeerField.NODES, direction)}[${i}]`));
  arr(item.requires).forEach((s, i) => selector(s, 'requires', `${itemPath}.${wireName(PeerField.REQUIRES, direction)}[${i}]`));
  arr(item.cidrSet).forEach((c, i) => {
    if (isObject(c)) selector(c.cidrGroupSelector, 'cidrGroupSelector', `${itemPath}.${wireName(PeerField.CIDR_SET, direction)}[${i}].cidrGroupSelector`);
  });
  arr(item.services).forEach((s, i) => {
    if (isObject(s) && isObject(s.k8sServiceSelector)) {
      selector(s.k8sServiceSelector.selector, 'serviceSelector', `${itemPath}.${wireName(PeerField.SERVICES, direction)}[${i}].k8sServiceSelector.selector`);
    }
  });
  arr<PortRuleModel>(item.toPorts).forEach((portRule, i) => {
    if (!isObject(portRule)) return;
    const prNode: PortRuleNode = {
      rule: node.rule, path: node.path, hostPolicy: node.hostPolicy, section: node.section, direction, deny: node.deny, items: node.items,
      sectionPath: node.sectionPath, item, itemPath, portRule, portRulePath: `${itemPath}.toPorts[${i}]`,
    };
    for (const v of visitors) v.portRule?.(prNode, ctx);
    arr<PortProtocolModel>(portRule.ports).forEach((port, j) => {
      if (!isObject(port)) return;
      const pNode: PortNode = {
        rule: prNode.rule, path: prNode.path, hostPolicy: prNode.hostPolicy, section: prNode.section, direction, deny: prNode.deny,
        items: prNode.items, sectionPath: prNode.sectionPath, item, itemPath, portRule, portRulePath: prNode.portRulePath, port,
        portPath: `${prNode.portRulePath}.ports[${j}]`,
      };
      for (const v of visitors) v.port?.(pNode, ctx);
    });
  });
}
