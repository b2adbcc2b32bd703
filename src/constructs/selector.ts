import { CiliumPolicyError, showValue, textOf } from '../core/errors';
import { callerLocation } from './caller-location';
import { checkEntriesUnique } from './list-duplicates';
import { LabelExpressionModel, LabelSelectorModel } from '../model/policy-model';
import { checkNonEmptyLabels, checkPropsObject, checkStringList, readPropsOnce } from './names';
import { describeValue } from '../model/plain-value';
import { clonePlain } from '../model/clone-plain';
import { IConstruct } from 'constructs';
import { requireApiObjectHolder, workloadSelectorModel } from './workload';
import { markValue } from './value-mark';
import { emptyExpressionList } from '../model/selectors';
import { selectorContradiction } from '../validate/pod-selectors';

/** A `matchExpressions` entry. */
export class LabelExpression {
  /** The label `key` has one of `values`. */
  public static in(key: string, values: string[]): LabelExpression {
    checkValues('in', key, values);
    return new LabelExpression({ key, operator: 'In', values: [...values] });
  }

  /** The label `key` is absent or has none of `values`. */
  public static notIn(key: string, values: string[]): LabelExpression {
    checkValues('notIn', key, values);
    return new LabelExpression({ key, operator: 'NotIn', values: [...values] });
  }

  /** The label `key` is present, whatever its value. */
  public static exists(key: string): LabelExpression {
    checkKey('exists', key);
    return new LabelExpression({ key, operator: 'Exists' });
  }

  /** The label `key` is absent. */
  public static doesNotExist(key: string): LabelExpression {
    checkKey('doesNotExist', key);
    return new LabelExpression({ key, operator: 'DoesNotExist' });
  }

  private constructor(private readonly model: LabelExpressionModel) {}

  /** @internal */
  public _toModel(): LabelExpressionModel {
    return { ...this.model, ...(this.model.values ? { values: [...this.model.values] } : {}) };
  }
}

/** The options of `LabelSelectorOptions` (`checkPropKeys`). */
export const LABEL_SELECTOR_OPTION_KEYS: readonly string[] = ['labels', 'expressions'];

/** Options of `EndpointSelector.of()` and `NodeSelector.of()`. */
export interface LabelSelectorOptions {
  /**
   * Labels that must all match. Keys may carry a Cilium source prefix (`k8s:app`); without one any source matches.
   * @default - no label constraint
   */
  readonly labels?: Record<string, string>;
  /**
   * Expressions that must all match (ANDed with `labels`). An empty list is refused (`selector-empty`): it would be dropped.
   * Two requirements no label set satisfies together (`app: 'db'` with `app NotIn (db)`) are refused (`selector-contradictory`):
   * the selector would select nothing, so a deny of it would deny nothing.
   * @default - no expression
   */
  readonly expressions?: LabelExpression[];
}

/** Anything that can say which endpoints (pods) a policy applies to. */
export interface IEndpointSelector {
  /** The label selector, in Cilium's form. */
  toEndpointSelector(): LabelSelectorModel;
}

/** Anything that can say which nodes a host policy applies to. */
export interface INodeSelector {
  /** The node label selector, in Cilium's form. */
  toNodeSelector(): LabelSelectorModel;
}

function checkValues(operator: string, key: string, values: string[]): void {
  checkKey(operator, key);
  // A string was called "no values" (`in('app', 'web')`); `[undefined]` or a number reached the CRD check at synthesis only.
  if (values !== undefined && values !== null) checkStringList(values, `LabelExpression.${operator}('${key}') values`, 'a label value');
  if (Array.isArray(values)) checkEntriesUnique(values, { what: `LabelExpression.${operator}('${key}') values`, noun: 'value', verb: 'matches it' }, callerLocation);
  if (!Array.isArray(values) || values.length === 0) {
    throw new CiliumPolicyError({
      id: 'selector-empty',
      message: `LabelExpression.${operator}('${key}', []) has no values: Kubernetes refuses it${operator === 'notIn' ? ', and it would mean "any value"' : ''}`,
      fix: operator === 'notIn' ? `list the values to exclude, or use LabelExpression.exists('${key}')` : `list the values, or use LabelExpression.exists('${key}')`,
      location: callerLocation(),
    });
  }
}

/**
 * Refuses a key that is not a string (plain JavaScript: `LabelExpression.exists(5)` was a TypeError at synthesis,
 * `key.startsWith is not a function`); the key's syntax is checked where the selector is (`sanitize-selector-key`).
 */
function checkKey(operator: string, key: unknown): void {
  if (typeof key === 'string') return;
  throw new CiliumPolicyError({
    id: 'selector-expressions-invalid',
    message: `LabelExpression.${operator}() got ${describeValue(key)} as its key, not a label key`,
    fix: `pass the label key as a string, e.g. LabelExpression.${operator}('app'${operator === 'in' || operator === 'notIn' ? ", ['web']" : ''})`,
    location: callerLocation(),
  });
}

/** Refuses label/expression options that select everything, pointing to the explicit `all()` form. */
function checkSelectorOptions(given: LabelSelectorOptions, what: string, all: string): LabelSelectorOptions {
  checkPropsObject(given, what, `${what.replace('()', '')}({ labels: { app: 'web' } })`, undefined, true);
  // Read once: a `labels` getter answering { app: 'db' } to the checks and {} after was written as every endpoint.
  const options = readPropsOnce(given, { keys: LABEL_SELECTOR_OPTION_KEYS, owner: what, noun: 'option' });
  const fix = `give at least one label or expression; if every ${all === 'NodeSelector.all()' ? 'node' : 'endpoint'} is meant, say so with ${all}`;
  // An empty label map is refused above, so only absent labels are left to test.
  checkNonEmptyLabels(options.labels, what, fix);
  if (options.labels === undefined && (options.expressions ?? []).length === 0) {
    throw new CiliumPolicyError({ id: 'selector-empty', message: `${what} got no labels and no expressions, which selects everything`, fix, location: callerLocation() });
  }
  return options;
}

function selectorModel(options: LabelSelectorOptions, what: string): LabelSelectorModel {
  checkExpressionList(options.expressions, what);
  const labels = options.labels && Object.keys(options.labels).length > 0 ? { ...options.labels } : undefined;
  const expressions = options.expressions && options.expressions.length > 0 ? options.expressions.map((e) => e._toModel()) : undefined;
  // One requirement twice (`LabelExpression.in('tier', ['api'])` given twice, or its values in another order: a set to
  // Kubernetes and Cilium, pkg/policy/api `EndpointSelector` through `metav1.LabelSelectorAsSelector`) was written twice.
  checkEntriesUnique(expressions, {
    what: `${what} expressions`, noun: 'expression', verb: 'requires it',
    key: (e) => JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()]),
    show: (e) => `${e.key} ${e.operator}${e.values !== undefined ? ` ${showValue(e.values)}` : ''}`,
    sameBecause: 'the values of In and NotIn are a set',
  }, callerLocation);
  const model = { ...(labels ? { matchLabels: labels } : {}), ...(expressions ? { matchExpressions: expressions } : {}) };
  refuseContradiction(model, what);
  return model;
}

/** Refuses a selector that selects nothing (`selectorContradiction`): a deny of it would deny nothing. */
function refuseContradiction(model: LabelSelectorModel, what: string): void {
  const contradiction = selectorContradiction(model, what);
  if (contradiction !== undefined) throw new CiliumPolicyError({ ...contradiction, location: callerLocation() });
}

/**
 * Selects the endpoints (pods) a policy applies to. In a `CiliumPolicy` the selection is always limited to the
 * policy's namespace; in a `ClusterwidePolicy` it spans all namespaces.
 */
export class EndpointSelector implements IEndpointSelector {
  /** Every endpoint (`endpointSelector: {}`). */
  public static all(): EndpointSelector {
    return new EndpointSelector({});
  }

  /** Endpoints carrying all of these labels. */
  public static labels(labels: Record<string, string>): EndpointSelector {
    checkSelectorOptions({ labels: labels ?? {} }, 'EndpointSelector.labels()', 'EndpointSelector.all()');
    return new EndpointSelector(selectorModel({ labels }, 'EndpointSelector.labels()'));
  }

  /** Endpoints matching labels and expressions. */
  public static of(options: LabelSelectorOptions): EndpointSelector {
    const read = checkSelectorOptions(options, 'EndpointSelector.of()', 'EndpointSelector.all()');
    return new EndpointSelector(selectorModel(read, 'EndpointSelector.of()'));
  }

  /**
   * The pods of a workload: a cdk8s-plus `Deployment`, `StatefulSet`, `DaemonSet`, `Job` or `Pod`, a cdk8s-plus
   * `Service` (the pods it selects), or a plain `ApiObject` of such a kind; read at synthesis, when it is complete.
   * @param workload the workload or Service construct
   */
  public static workload(workload: IConstruct): EndpointSelector {
    const construct = requireApiObjectHolder(workload, 'EndpointSelector.workload', callerLocation);
    return new EndpointSelector(undefined, construct);
  }

  private constructor(private readonly model: LabelSelectorModel | undefined, private readonly workloadConstruct?: IConstruct) {
    markValue(this, 'EndpointSelector');
  }

  /**
   * The workload this selector reads at synthesis (`EndpointSelector.workload()`), whose namespace the policy checks.
   * @internal
   */
  public get _workload(): IConstruct | undefined {
    return this.workloadConstruct;
  }

  /** The label selector, in Cilium's form; for `EndpointSelector.workload()`, read from the workload now. */
  public toEndpointSelector(): LabelSelectorModel {
    if (this.workloadConstruct) return workloadSelectorModel(this.workloadConstruct);
    return clonePlain(this.model) as LabelSelectorModel;
  }
}

/** Selects the nodes a host policy (`ClusterwidePolicy` with a node selector) applies to, by node labels. */
export class NodeSelector implements INodeSelector {
  /** Every node (`nodeSelector: {}`). */
  public static all(): NodeSelector {
    return new NodeSelector({});
  }

  /** Nodes carrying all of these labels, e.g. `{ 'node-role.kubernetes.io/control-plane': '' }`. */
  public static labels(labels: Record<string, string>): NodeSelector {
    checkSelectorOptions({ labels: labels ?? {} }, 'NodeSelector.labels()', 'NodeSelector.all()');
    return new NodeSelector(selectorModel({ labels }, 'NodeSelector.labels()'));
  }

  /** Nodes matching labels and expressions. */
  public static of(options: LabelSelectorOptions): NodeSelector {
    const read = checkSelectorOptions(options, 'NodeSelector.of()', 'NodeSelector.all()');
    return new NodeSelector(selectorModel(read, 'NodeSelector.of()'));
  }

  private constructor(private readonly model: LabelSelectorModel) {
    markValue(this, 'NodeSelector');
  }

  public toNodeSelector(): LabelSelectorModel {
    return clonePlain(this.model) as LabelSelectorModel;
  }
}

/**
 * Refuses `expressions` that are not a list of `LabelExpression`s, which plain JavaScript can pass: a single expression has
 * no length, so it was dropped and the selector, with no other constraint, selected everything; a plain object or `null`
 * in the list failed with a TypeError.
 * @internal
 */
export function checkExpressionList(given: unknown, what: string): void {
  if (given === undefined) return;
  const empty = emptyExpressionList(given, `${what} got`, 'expressions');
  if (empty !== undefined) throw new CiliumPolicyError({ ...empty, location: callerLocation() });
  const index = Array.isArray(given) ? given.findIndex((e) => typeof (e as Partial<LabelExpression> | null)?._toModel !== 'function') : -1;
  if (Array.isArray(given) && index < 0) return;
  const value: unknown = Array.isArray(given) ? given[index] : given;
  const shown = value instanceof LabelExpression ? 'a single LabelExpression'
    : value !== null && typeof value === 'object' ? `the object ${showValue(value)}` : `${textOf(value)} (${value === null ? 'null' : typeof value})`;
  throw new CiliumPolicyError({
    id: 'selector-expressions-invalid',
    message: Array.isArray(given)
      ? `expressions[${index}] is ${shown}, not a LabelExpression`
      : `expressions is ${shown}, not a list: it would be dropped, and a selector without labels then selects everything`,
    fix: "pass a list of LabelExpression values, e.g. expressions: [LabelExpression.in('tier', ['api'])]",
    location: callerLocation(),
  });
}

/** @internal */
export function _selectorModel(options: LabelSelectorOptions, what: string): LabelSelectorModel {
  return selectorModel(options, what);
}
