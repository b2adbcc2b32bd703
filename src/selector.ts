import { LabelExpressionModel, LabelSelectorModel } from './model/policy-model';

/** A `matchExpressions` entry. */
export class LabelExpression {
  /** The label `key` has one of `values`. */
  public static in(key: string, values: string[]): LabelExpression {
    return new LabelExpression({ key, operator: 'In', values: [...values] });
  }

  /** The label `key` is absent or has none of `values`. */
  public static notIn(key: string, values: string[]): LabelExpression {
    return new LabelExpression({ key, operator: 'NotIn', values: [...values] });
  }

  /** The label `key` is present, whatever its value. */
  public static exists(key: string): LabelExpression {
    return new LabelExpression({ key, operator: 'Exists' });
  }

  /** The label `key` is absent. */
  public static doesNotExist(key: string): LabelExpression {
    return new LabelExpression({ key, operator: 'DoesNotExist' });
  }

  private constructor(private readonly model: LabelExpressionModel) {}

  /** @internal */
  public _toModel(): LabelExpressionModel {
    return { ...this.model, ...(this.model.values ? { values: [...this.model.values] } : {}) };
  }
}

/** Options of `EndpointSelector.of()` and `NodeSelector.of()`. */
export interface LabelSelectorOptions {
  /**
   * Labels that must all match. Keys may carry a Cilium source prefix (`k8s:app`); without one any source matches.
   * @default - no label constraint
   */
  readonly labels?: Record<string, string>;
  /**
   * Expressions that must all match (ANDed with `labels`).
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

function selectorModel(options: LabelSelectorOptions): LabelSelectorModel {
  const labels = options.labels && Object.keys(options.labels).length > 0 ? { ...options.labels } : undefined;
  const expressions = options.expressions && options.expressions.length > 0 ? options.expressions.map((e) => e._toModel()) : undefined;
  return { ...(labels ? { matchLabels: labels } : {}), ...(expressions ? { matchExpressions: expressions } : {}) };
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
    return new EndpointSelector(selectorModel({ labels }));
  }

  /** Endpoints matching labels and expressions. */
  public static of(options: LabelSelectorOptions): EndpointSelector {
    return new EndpointSelector(selectorModel(options));
  }

  private constructor(private readonly model: LabelSelectorModel) {}

  public toEndpointSelector(): LabelSelectorModel {
    return structuredClone(this.model) as LabelSelectorModel;
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
    return new NodeSelector(selectorModel({ labels }));
  }

  /** Nodes matching labels and expressions. */
  public static of(options: LabelSelectorOptions): NodeSelector {
    return new NodeSelector(selectorModel(options));
  }

  private constructor(private readonly model: LabelSelectorModel) {}

  public toNodeSelector(): LabelSelectorModel {
    return structuredClone(this.model) as LabelSelectorModel;
  }
}

/** @internal */
export function _selectorModel(options: LabelSelectorOptions): LabelSelectorModel {
  return selectorModel(options);
}
