import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Diagnostic, Severity, formatDiagnostic } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { EmitOptions, emitRule, JsonObject } from '../model/emit';
import { formatPath } from '../model/json-path';
import { codePointName, GO_ONLY_SEPARATOR, GO_OTHERWISE_WRITTEN_RAW, goOnlyLineBreakName, quotedGoOnlySeparators } from '../model/go-line-breaks';
import { findStrings } from '../model/string-walk';
import { unquotedNumberFix, unquotedNumbers } from '../model/unquoted-numbers';
import { NOT_RENDERED, PolicyApiObject } from '../model/policy-api-object';
import { PolicyDocumentModel, PolicyKind, RuleModel } from '../model/policy-model';
import { IPeer } from './peer';
import { checkPropsObject, PropsShape, readPropsOnce } from './names';
import { AllowOptions, DenyOptions, POLICY_RULE_OPTION_KEYS, PolicyRule, PolicyRuleOptions, checkRuleCall } from './policy-rule';
import { bindSynthSessions, releaseSynthMemo, releaseSynthMemos, synthMemo, synthSessionOpen } from '../model/synth-session';
import { CiliumAppValidation, validatePolicy } from '../validate';
import { constructFixOfEmptyRule } from '../validate/empty-rule-construct-fix';
import { pushAll } from '../model/push-all';
import { trimRuns } from '../model/trim-runs';
import { noteValidationErrors } from '../model/diagnostic-budget';

const POLICY_SYMBOL = Symbol.for('cdk8s-cilium.Policy');
/** The app-wide index of policies by kind, namespace and name, kept on the root of the tree (see `nameClashes`). */
const NAME_INDEX_SYMBOL = Symbol.for('cdk8s-cilium.PolicyNameIndex');

/** The props of `PolicyBaseProps` (`checkPropKeys`). */
export const POLICY_BASE_PROPS: readonly string[] = [...POLICY_RULE_OPTION_KEYS, 'name'];

/** Options common to both policy kinds. */
export interface PolicyBaseProps extends PolicyRuleOptions {
  /**
   * `metadata.name` of the resource.
   * @default - the construct id in lower-case kebab form (`FrontendIngress` → `frontend-ingress`)
   */
  readonly name?: string;
}

/** The rendered policy with the problems found while rendering and validating it. */
export interface PolicySynthesis {
  /** The policy model. */
  readonly model: PolicyDocumentModel;
  /** Errors and warnings for the target Cilium version. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Shared machinery of `CiliumPolicy` and `ClusterwidePolicy`: a list of rules rendered lazily into one resource
 * (`spec` for one rule, `specs` for several), validated at synthesis against the target Cilium version.
 */
export abstract class PolicyBase extends Construct {
  /** Whether `x` is a policy of this library (works across copies of the package). */
  public static isPolicy(x: unknown): x is PolicyBase {
    return x !== null && typeof x === 'object' && POLICY_SYMBOL in x;
  }

  /**
   * Drops the rendered rules and models the open synthesis session keeps for the policies of `scope`'s tree, once they
   * are validated (their errors and the manifests are kept): memory for the rest of the synthesis. A later use renders
   * afresh.
   * @internal
   */
  public static _releaseSessionModels(scope: IConstruct): void {
    releaseSynthMemos(scope, 'renderRules');
    releaseSynthMemos(scope, 'synthesizeModel');
  }

  /** `metadata.name`. */
  public readonly name: string;
  /** The first (main) rule; the policy's own `allow…`/`deny…` methods add to it. */
  public readonly rule: PolicyRule;
  /** The underlying resource, for escape hatches (`addJsonPatch`, labels, annotations). */
  public readonly apiObject: ApiObject;

  private readonly rules: PolicyRule[] = [];
  private readonly _namespace?: string;
  private _nameKey?: string;

  protected constructor(scope: Construct, id: string, kind: PolicyKind, props: PolicyBaseProps, namespace: string | undefined) {
    super(scope, id);
    this._namespace = namespace;
    Object.defineProperty(this, POLICY_SYMBOL, { value: true });
    this.name = props.name ?? defaultName(id === 'Resource' ? scope.node.id : id);
    this.rule = PolicyRule._create(props, this.node.path, this, () => this.changed());
    this.rules.push(this.rule);
    this.apiObject = new PolicyApiObject(this, 'Resource', {
      kind,
      metadata: { name: this.name, ...(namespace !== undefined ? { namespace } : {}) },
      clusterScoped: kind === 'CiliumClusterwideNetworkPolicy',
      ruleCount: () => this.rules.length,
      emitRules: (options) => this.emitted(options),
    });
    this.node.addValidation({ validate: () => this.validationErrors() });
    // The checks that need the whole app (pitfalls across policies, raw ApiObject policies) run once at the root.
    CiliumAppValidation.ensure(this);
    nameIndex(this).add(this.nameKey(), this);
    // During one synthesis the policy is rendered and validated once, however often cdk8s walks the app.
    bindSynthSessions(this.node.root, ...chartOf(this));
  }

  /** The kind of resource. */
  public abstract get kind(): PolicyKind;

  /**
   * Adds another rule to the resource (rendered as `specs`), for a different set of endpoints or nodes.
   * @returns the new rule, with its own `allow…`/`deny…` methods
   */
  public addRule(options: PolicyRuleOptions = {}): PolicyRule {
    checkPropsObject(options, 'addRule()', '{ endpointSelector: EndpointSelector.labels({ app: \'web\' }) }', this.node.path);
    // Read once, as the policies' props are (`checkedProps`): a getter answering one selector or flag to the checks and another
    // when the rule is written was written as the latter.
    const rule = PolicyRule._create(readPropsOnce(options, { keys: POLICY_RULE_OPTION_KEYS, owner: 'addRule()', noun: 'option' }, { location: this.node.path }),
      this.node.path, this, () => this.changed());
    this.rules.push(rule);
    this.changed();
    return rule;
  }

  /**
   * Allows traffic from `peer` to the selected endpoints (see `PolicyRule.allowIngress`).
   * @param peer who may connect (a workload's pods: `Peer.workload(deployment)`)
   * @param options the ports (default: all), L7 rules, authentication and TLS server names
   */
  public allowIngress(peer: IPeer, options: AllowOptions = {}): void {
    this.rule.allowIngress(peer, checkRuleCall('allowIngress', peer, options, arguments.length, this.node.path));
  }

  /**
   * Allows traffic from the selected endpoints to `peer` (see `PolicyRule.allowEgress`).
   * @param peer where they may connect (a workload's pods: `Peer.workload(deployment)`)
   * @param options the ports (default: all, or a workload's serving ports), L7 rules, authentication and TLS server names
   */
  public allowEgress(peer: IPeer, options: AllowOptions = {}): void {
    this.rule.allowEgress(peer, checkRuleCall('allowEgress', peer, options, arguments.length, this.node.path));
  }

  /**
   * Denies traffic from `peer`, whatever any allow says (see `PolicyRule.denyIngress`).
   * @param peer who is denied
   * @param options the ports denied (default: all)
   */
  public denyIngress(peer: IPeer, options: DenyOptions = {}): void {
    this.rule.denyIngress(peer, checkRuleCall('denyIngress', peer, options, arguments.length, this.node.path));
  }

  /**
   * Denies traffic to `peer`, whatever any allow says (see `PolicyRule.denyEgress`).
   * @param peer where traffic is denied
   * @param options the ports denied (default: all)
   */
  public denyEgress(peer: IPeer, options: DenyOptions = {}): void {
    this.rule.denyEgress(peer, checkRuleCall('denyEgress', peer, options, arguments.length, this.node.path));
  }

  /** Puts the selected endpoints into ingress default deny without allowing anything (`ingress: [{}]`). */
  public isolateIngress(): void {
    this.rule.isolateIngress();
  }

  /** Puts the selected endpoints into egress default deny without allowing anything (`egress: [{}]`). */
  public isolateEgress(): void {
    this.rule.isolateEgress();
  }

  /**
   * A rule or rule item was added: what the synthesis session keeps is dropped (`noteSynthChange`: the policy's rendered
   * rules, model, errors and manifest, and what read them: the app-wide checks, a host firewall's lockout check), so that a
   * rule a construct's validation hook adds after the policy was validated and rendered is validated and written (cdk8s
   * validates the app again before each chart; the next read renders afresh).
   */
  private changed(): void {
    // Not yet made while the constructor creates the main rule.
    (this.apiObject as PolicyApiObject | undefined)?._changed();
  }

  /** The target Cilium version in effect (see `CiliumVersion.use`). */
  public get ciliumVersion(): CiliumVersion {
    return CiliumVersion.of(this);
  }

  /** Renders the policy into the model and validates it for the target Cilium version. */
  public synthesizeModel(): PolicySynthesis {
    return synthMemo(this, this, 'synthesizeModel', () => this.computeSynthesis());
  }

  private computeSynthesis(): PolicySynthesis {
    const { rules, diagnostics } = this.renderRules();
    const namespace = this.namespaceForMetadata();
    const model: PolicyDocumentModel = {
      kind: this.kind,
      metadata: { name: this.name, ...(namespace !== undefined ? { namespace } : {}) },
      ...(rules.length === 1 ? { spec: rules[0] } : { specs: rules }),
    };
    return {
      model,
      diagnostics: [
        ...diagnostics,
        ...validatePolicy(model, { version: this.ciliumVersion }).map(constructFixOfEmptyRule),
        ...this.nameClashes(),
        ...writtenStringErrors(model, this.labelsAndAnnotations()),
      ],
    };
  }

  /**
   * The labels and annotations cdk8s writes into `metadata` (the chart's labels, `metadata.addLabel`/`addAnnotation`), as
   * its metadata renders them; none when it cannot render them (reported where the manifest is written).
   */
  private labelsAndAnnotations(): { labels?: unknown; annotations?: unknown } {
    const rendered = (this.apiObject as PolicyApiObject).renderedMetadata() as { labels?: unknown; annotations?: unknown } | typeof NOT_RENDERED;
    if (rendered === NOT_RENDERED) return {};
    return {
      ...(rendered.labels !== undefined ? { labels: rendered.labels } : {}),
      ...(rendered.annotations !== undefined ? { annotations: rendered.annotations } : {}),
    };
  }

  /** The namespace written into `metadata` (none for cluster-scoped policies). */
  protected namespaceForMetadata(): string | undefined {
    return this._namespace;
  }

  /**
   * The rules as written into `spec`/`specs`. Called once per rendering of the resource (only one of `spec` and `specs`
   * asks for it), which the session keeps (`PolicyApiObject.toJson`): not kept itself.
   */
  private emitted(options: EmitOptions): JsonObject[] {
    return this.renderRules().rules.map((rule) => emitRule(rule, options));
  }

  private renderRules(): { rules: RuleModel[]; diagnostics: Diagnostic[] } {
    return synthMemo(this, this, 'renderRules', () => this.computeRules());
  }

  private computeRules(): { rules: RuleModel[]; diagnostics: Diagnostic[] } {
    const namespace = this.namespaceForMetadata();
    const diagnostics: Diagnostic[] = [];
    const rules = this.rules.map((rule, i) => {
      const rendered = rule._render({ kind: this.kind, namespace, version: CiliumVersion.of(this), path: this.rules.length === 1 ? 'spec' : `specs[${i}]` });
      pushAll(diagnostics, rendered.diagnostics);
      return rendered.rule;
    });
    return { rules, diagnostics };
  }

  private validationErrors(): string[] {
    return [...synthMemo(this, this, 'validationErrors', () => this.computeValidationErrors())];
  }

  private computeValidationErrors(): string[] {
    const errors = this.synthesizeModel().diagnostics.filter((d) => d.severity === Severity.ERROR);
    noteValidationErrors(this, errors);
    this.settleForOutput();
    return errors.map((d) => formatDiagnostic(d));
  }

  /**
   * Within a synthesis, once the policy is validated: renders its manifest (kept for the app-wide checks and the chart's
   * output), then drops the rendered rules and model, which nothing needs any more. They die young (one policy's
   * rendering, validation and manifest follow each other), instead of all being kept until the whole app is validated.
   */
  private settleForOutput(): void {
    if (!synthSessionOpen(this)) return;
    try {
      this.apiObject.toJson();
    } catch {
      // Reported where the manifest is written (and by the app-wide checks), as before.
      return;
    }
    releaseSynthMemo(this, this, 'renderRules');
    releaseSynthMemo(this, this, 'synthesizeModel');
    releaseSynthMemo(this, this.apiObject, 'renderedMetadata');
  }

  /**
   * `kind/namespace/name`: two policies with the same key are the same resource on apply. Made once: kind, namespace and
   * name are fixed at construction, and a string made anew is hashed anew by each lookup of the name index.
   */
  private nameKey(): string {
    return this._nameKey ??= `${this.kind}/${this.namespaceForMetadata() ?? ''}/${this.name}`;
  }

  private nameClashes(): Diagnostic[] {
    const mine = this.nameKey();
    // The index says whether another policy has the key (kind, namespace and name are fixed at construction); only
    // then is the tree walked, to name the first such policy in construct order.
    if (!nameIndex(this).hasOther(mine, this)) return [];
    const clash = this.node.root.node.findAll().find((c: IConstruct) => c !== this && PolicyBase.isPolicy(c) && c.nameKey() === mine);
    return clash ? [{
      id: 'policy-name-clash',
      severity: Severity.ERROR,
      path: 'metadata.name',
      message: `${this.kind} "${this.name}" is also defined by ${clash.node.path}; the second would replace the first on apply`,
      fix: 'give one of them another name (the `name` prop)',
    }] : [];
  }
}

/**
 * The strings of the policy (names, namespaces, its own labels and annotations, label keys and values of selectors, FQDNs,
 * HTTP fields, header values…) that cdk8s
 * would write unquoted and kubectl, Helm, Argo CD and Flux would read as numbers (`unquotedNumbers`): refused, since the
 * API server would get a number where a string belongs (or another key) and no prop of cdk8s's writer quotes them; and
 * those holding a NEL, LS or PS (`goLineBreakErrors`).
 */
function writtenStringErrors(model: PolicyDocumentModel, labelsAndAnnotations: { labels?: unknown; annotations?: unknown }): Diagnostic[] {
  const written = {
    metadata: {
      name: model.metadata.name,
      ...(model.kind === 'CiliumNetworkPolicy' ? { namespace: model.metadata.namespace } : {}),
      ...labelsAndAnnotations,
    },
    ...(model.spec !== undefined ? { spec: emitRule(model.spec, { copy: false }) } : {}),
    ...(model.specs !== undefined ? { specs: model.specs.map((rule) => emitRule(rule, { copy: false })) } : {}),
  };
  return [...goLineBreakErrors(written), ...unquotedNumbers(written).map(({ path, text, number, key }): Diagnostic => ({
    id: 'yaml-unquoted-number',
    severity: Severity.ERROR,
    path: formatPath(path),
    message: `${key ? 'the key ' : ''}${JSON.stringify(text)} would be written into the YAML without quotes, and kubectl, Helm, Argo CD and Flux `
      + `(Go's YAML readers) read it as the number ${number}: ${key ? `the API server would get the key "${number}" instead` : 'the API server would get a number where a string belongs and refuse the policy'}`,
    fix: unquotedNumberFix(text),
  }))];
}

/**
 * The strings of the policy holding a character cdk8s's writer (the `yaml` library) writes raw, even in quotes, that
 * go-yaml v2 (kubectl, Helm, Argo CD) reads otherwise (`GO_OTHERWISE_WRITTEN_RAW`):
 * - a NEL (U+0085), LINE SEPARATOR (U+2028) or PARAGRAPH SEPARATOR (U+2029), a line break to it (`is_break`,
 *   yamlprivateh.go, v2.4.0): the cluster would get another value (a description cut, a path folded) (`yaml-go-line-break`);
 * - DEL, a C1 control or U+FFFE/U+FFFF, which its reader refuses anywhere (readerc.go `yaml_parser_update_buffer`:
 *   "control characters are not allowed"): kubectl would apply nothing of the file (`yaml-go-control-character`).
 *
 * Either way the project's own `validate` refuses the file. Refused (a carriage return and the other C0 controls are
 * written as escapes, `"\r"`, `"\v"`, and read back as themselves).
 */
function goLineBreakErrors(written: unknown): Diagnostic[] {
  const found = findStrings(written, (text) => GO_OTHERWISE_WRITTEN_RAW.exec(text)?.[0]);
  return found.map(({ path, text, key, found: c }): Diagnostic => (GO_ONLY_SEPARATOR.test(c) ? {
    id: 'yaml-go-line-break',
    severity: Severity.ERROR,
    path: formatPath(path),
    message: `${key ? 'the key ' : ''}${quotedGoOnlySeparators(text)} holds ${goOnlyLineBreakName(c)}, which cdk8s writes into the YAML as it is and `
      + 'kubectl, Helm and Argo CD (go-yaml v2) read as a line break: the API server would get another value than this one',
    fix: 'remove the character, or write a space or a line feed ("\\n", which cdk8s writes as an escape) instead',
  } : {
    id: 'yaml-go-control-character',
    severity: Severity.ERROR,
    path: formatPath(path),
    message: `${key ? 'the key ' : ''}${quotedGoOnlySeparators(text)} holds the control character ${codePointName(c)}, which cdk8s writes into the YAML as it `
      + 'is and kubectl, Helm and Argo CD (go-yaml v2) refuse anywhere in a file ("control characters are not allowed": kubectl applies nothing of '
      + 'the file from there on)',
    fix: 'remove the character',
  }));
}

/** Policies by `kind/namespace/name`, for one construct tree. */
class PolicyNameIndex {
  private readonly byKey = new Map<string, PolicyBase[]>();

  public add(key: string, policy: PolicyBase): void {
    const list = this.byKey.get(key);
    if (list) list.push(policy);
    else this.byKey.set(key, [policy]);
  }

  /** Whether a policy other than `policy` was registered under `key` (it may since have been removed from the tree). */
  public hasOther(key: string, policy: PolicyBase): boolean {
    return (this.byKey.get(key) ?? []).some((p) => p !== policy);
  }
}

/** The name index of `scope`'s tree. */
function nameIndex(scope: IConstruct): PolicyNameIndex {
  const root = scope.node.root as unknown as Record<symbol, PolicyNameIndex | undefined>;
  let index = root[NAME_INDEX_SYMBOL];
  if (!index) {
    index = new PolicyNameIndex();
    Object.defineProperty(root, NAME_INDEX_SYMBOL, { value: index });
  }
  return index;
}

/** The chart of `scope`, as a list of none or one. */
function chartOf(scope: IConstruct): IConstruct[] {
  try {
    return [Chart.of(scope)];
  } catch {
    return [];
  }
}

/**
 * The props of a policy, refused when they are not an object (`null` from plain JavaScript) or name a prop the class does
 * not have (`prop-unknown`), before anything reads them.
 * @param scope the construct's scope
 * @param id the construct's id
 * @param props the props given
 * @param what the class, for the message
 * @param known the props of the class
 * @param lists the props that are lists of structs, each entry read once by its keys (`ClusterwidePolicy` `lockoutExemptions`)
 */
export function checkedProps<T>(scope: Construct, id: string, props: T, what: string, known: readonly string[],
  lists?: Readonly<Record<string, PropsShape>>): T {
  const location = scope.node.path ? `${scope.node.path}/${id}` : id;
  checkPropsObject(props, `new ${what}()`, '{ endpointSelector: EndpointSelector.labels({ app: \'web\' }) }', location);
  return readPropsOnce(props as T & object, { keys: known, owner: what, ...(lists !== undefined ? { lists } : {}) }, { location });
}

/** The chart's namespace for a construct, if any. */
export function chartNamespace(scope: IConstruct): string | undefined {
  try {
    return Chart.of(scope).namespace;
  } catch {
    return undefined;
  }
}

/** `FrontendIngress` → `frontend-ingress`, `web_tier` → `web-tier`. */
export function defaultName(id: string): string {
  const slug = id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-');
  // Without the dashes and dots at its ends, in one pass (`trimRuns`).
  return trimRuns(slug, (c) => c === 0x2d || c === 0x2e);
}
