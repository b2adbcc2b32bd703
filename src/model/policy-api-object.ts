/**
 * The resource of a policy (`CiliumPolicy`, `ClusterwidePolicy`, the policies `Draft.apply` adds): its rules are plain
 * data, which it writes as cdk8s would (sorted keys, no `null`s) without cdk8s's resolver. Shared by the constructs and
 * the Hubble draft, so that both write a policy one way.
 */
import { ApiObject, ApiObjectMetadata, ApiObjectMetadataDefinition, App, JsonPatch, Lazy, OwnerReference } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumPolicyError } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { EmitOptions, JsonObject } from './emit';
import { formatPath } from './json-path';
import { cdk8sSortsKeys, cdk8sUnwritableKey, NOT_PLAIN, sanitizedPlainCopy } from './manifest-value';
import { CILIUM_API_VERSION, PolicyKind } from './policy-model';
import { noteSynthChange, synthMemo } from './synth-session';
import { CILIUM_VERSION_ANNOTATION } from './version-annotation';

/** `PolicyApiObject.renderedMetadata` when cdk8s cannot render the metadata. */
export const NOT_RENDERED: unique symbol = Symbol('metadata not rendered');

/** Why a policy renders through cdk8s: a JSON patch, a resolver of the app, a value that is not plain data, a `__proto__` key. */
type Cdk8sReason = 'patch' | 'resolver' | 'not-plain' | 'proto';

const CDK8S_REASONS: Record<Cdk8sReason, { because: string; fix: string }> = {
  'patch': { because: 'it has a JSON patch', fix: 'rename the key, or leave out the JSON patch' },
  'resolver': { because: 'the app has a resolver of its own', fix: 'rename the key, or leave out the resolver' },
  'not-plain': { because: 'a value in it is not plain data', fix: 'rename the key, or write the values as plain data' },
  'proto': { because: 'the SDK\'s own writer refuses a key named "__proto__"', fix: 'rename the key' },
};

/** What `PolicyApiObject` is made of. */
export interface PolicyApiObjectProps {
  readonly kind: PolicyKind;
  readonly metadata: ApiObjectMetadata;
  /** A CCNP: cdk8s's chart namespace is not written. */
  readonly clusterScoped: boolean;
  /** The number of rules. */
  readonly ruleCount: () => number;
  /** The rules as written into `spec` (one) or `specs` (several); called once per rendering. */
  readonly emitRules: (options: EmitOptions) => JsonObject[];
}

/** What each policy's metadata calls when it changes (`NotifyingMetadata`). */
const METADATA_CHANGED = new WeakMap<ApiObjectMetadataDefinition, () => void>();

/**
 * The metadata of a policy: cdk8s's, telling its resource when it changes. A construct's validation hook may label or
 * patch a policy after the policy rendered its manifest (in its own validation): the manifest kept for the synthesis is
 * then dropped with everything that read it (`noteSynthChange`), and the next read (the policy's own validation, the
 * app-wide checks, the chart's output) renders it afresh, as cdk8s would.
 */
class NotifyingMetadata extends ApiObjectMetadataDefinition {
  public addLabel(key: string, value: string): void {
    super.addLabel(key, value);
    METADATA_CHANGED.get(this)?.();
  }

  public addAnnotation(key: string, value: string): void {
    super.addAnnotation(key, value);
    METADATA_CHANGED.get(this)?.();
  }

  public addFinalizers(...finalizers: string[]): void {
    super.addFinalizers(...finalizers);
    METADATA_CHANGED.get(this)?.();
  }

  public addOwnerReference(owner: OwnerReference): void {
    super.addOwnerReference(owner);
    METADATA_CHANGED.get(this)?.();
  }

  public add(key: string, value: unknown): void {
    super.add(key, value);
    METADATA_CHANGED.get(this)?.();
  }
}

/**
 * The resource of a policy. Its rules are plain data, which it writes as cdk8s would (sorted keys, no `null`s) without
 * cdk8s's resolver, which costs a resolution per value; when something cdk8s must resolve could be involved (a custom
 * resolver of the app, a JSON patch, a value that is not plain data) it renders through cdk8s as any `ApiObject`.
 */
export class PolicyApiObject extends ApiObject {
  private readonly clusterScoped: boolean;
  private readonly emitRules: (options: EmitOptions) => JsonObject[];
  private patched = false;

  constructor(scope: Construct, id: string, props: PolicyApiObjectProps) {
    super(scope, id, {
      apiVersion: CILIUM_API_VERSION,
      kind: props.kind,
      metadata: props.metadata,
      // Only one of them asks for the rules.
      spec: Lazy.any({ produce: () => (props.ruleCount() === 1 ? props.emitRules({})[0] : undefined) }),
      specs: Lazy.any({ produce: () => (props.ruleCount() > 1 ? props.emitRules({}) : undefined) }),
    });
    this.clusterScoped = props.clusterScoped;
    this.emitRules = props.emitRules;
    Object.setPrototypeOf(this.metadata, NotifyingMetadata.prototype);
    METADATA_CHANGED.set(this.metadata, () => this._changed());
  }

  /** Adds JSON patches (see `ApiObject.addJsonPatch`); a patched policy renders through cdk8s. */
  public addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
    this._changed();
  }

  /**
   * The manifest changed (a label, an annotation, a finalizer, an owner reference, a metadata field, a JSON patch or a rule
   * added): what the synthesis session keeps no longer holds and is dropped (`noteSynthChange`).
   * @internal
   */
  public _changed(): void {
    noteSynthChange(this);
  }

  /** The manifest; rendered once per synthesis (shared by the app-wide validation and the chart's output). */
  public toJson(): ReturnType<ApiObject['toJson']> {
    return synthMemo(this, this, 'toJson', () => this.render());
  }

  private render(): ReturnType<ApiObject['toJson']> {
    this.refuseUnwritableMetadata();
    const direct = this.renderDirect();
    const json = typeof direct === 'string' ? this.renderThroughCdk8s(direct as Cdk8sReason) : direct;
    if (this.clusterScoped && json.metadata) delete json.metadata.namespace;
    // The version the policy was written for, for the tools that read it back (`trace`); set last, so it cannot be overwritten.
    const annotations = { ...json.metadata?.annotations, [CILIUM_VERSION_ANNOTATION]: CiliumVersion.of(this).toString() };
    json.metadata = { ...json.metadata, annotations };
    return json;
  }

  /**
   * Refuses a label or annotation named `constructor` on the policy's own metadata: every metadata goes through cdk8s's
   * resolver (`ApiObjectMetadataDefinition.toJson`), which takes the map for a class instance and writes it as
   * `{value: …}` when it has a `value` key (the other labels dropped), or fails without one.
   */
  private refuseUnwritableMetadata(): void {
    // cdk8s keeps them in private fields, with no getter for the map.
    const maps = this.metadata as unknown as { labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
    for (const field of ['labels', 'annotations'] as const) {
      const map = maps[field];
      if (map === undefined || map === null || !Object.prototype.hasOwnProperty.call(map, 'constructor')) continue;
      const what = field === 'labels' ? 'label' : 'annotation';
      throw new CiliumPolicyError({
        id: 'synth-cdk8s-unwritable-key',
        location: this.policyPath(),
        message: `metadata.${field}.constructor: a key named "constructor" cannot be written by cdk8s's renderer of the metadata, which writes `
          + `every policy's ${field}: cdk8s would write the map as {value: …} when it has a "value" key, dropping its other keys, or fail without one`,
        fix: `rename the ${what}`,
      });
    }
  }

  private policyPath(): string {
    return this.node.id === 'Resource' && this.node.scope ? this.node.scope.node.path : this.node.path;
  }

  /**
   * The manifest as cdk8s renders it, refused when the rules hold a key cdk8s would drop or change (`cdk8sUnwritableKey`):
   * a selector that lost a label would select more than written.
   * @param reason why cdk8s renders it (`renderDirect`)
   */
  private renderThroughCdk8s(reason: Cdk8sReason): ReturnType<ApiObject['toJson']> {
    const rules = this.emitRules({ copy: false });
    // A __proto__ key is what made the SDK's writer refuse the rules: name it, not another key cdk8s cannot write.
    const keys = reason === 'proto' ? ['__proto__'] : undefined;
    for (let i = 0; i < rules.length; i++) {
      const at = cdk8sUnwritableKey(rules[i], keys);
      if (at === undefined) continue;
      const path = formatPath([...(rules.length === 1 ? ['spec'] : ['specs', i]), ...at]);
      const key = String(at[at.length - 1]);
      const inLabels = at.length >= 2 && at[at.length - 2] === 'matchLabels';
      const labelFix = inLabels ? `select on the label with an expression instead (LabelExpression.in(${JSON.stringify(key)}, [...]), written as matchExpressions), or ` : '';
      throw new CiliumPolicyError({
        id: 'synth-cdk8s-unwritable-key',
        location: this.policyPath(),
        message: `${path}: a key named ${JSON.stringify(key)} cannot be written by cdk8s's renderer, which writes this policy because `
          + `${CDK8S_REASONS[reason].because}: cdk8s would ${key === '__proto__' ? 'make it the prototype of its copy and lose it' : 'fail on the map, or drop its other keys'}`
          + `${inLabels ? ' (a selector would then select more than written)' : ''}`,
        fix: `${labelFix}${CDK8S_REASONS[reason].fix}`,
      });
    }
    return super.toJson();
  }

  /**
   * The manifest cdk8s would render, with the rules copied as cdk8s writes plain data instead of resolved value by value;
   * when cdk8s must render it, why (`Cdk8sReason`: a JSON patch, a custom resolver of the app, rules or metadata that are
   * not plain data, a `__proto__` key).
   */
  private renderDirect(): ReturnType<ApiObject['toJson']> | Cdk8sReason {
    // cdk8s's own three resolvers come last; anything before them is the app's.
    if (this.patched) return 'patch';
    if (App.of(this).resolvers.length !== 3) return 'resolver';
    // Not copied by the emitter: the copy below is the only one.
    const rules = this.emitRules({ copy: false });
    const sortKeys = cdk8sSortsKeys();
    const copies: unknown[] = [];
    for (const rule of rules) {
      const copy = sanitizedPlainCopy(rule, sortKeys);
      if (copy === NOT_PLAIN) return cdk8sUnwritableKey(rule, ['__proto__']) === undefined ? 'not-plain' : 'proto';
      copies.push(copy);
    }
    const metadata = this.renderMetadata(sortKeys);
    if (metadata === NOT_PLAIN) return 'not-plain';
    // apiVersion, kind and metadata first, as cdk8s orders the top-level keys; then the rules.
    const json: ReturnType<ApiObject['toJson']> = { apiVersion: this.apiVersion, kind: this.kind };
    if (metadata !== undefined) json.metadata = metadata;
    if (copies.length === 1) json.spec = copies[0];
    else json.specs = copies;
    return json;
  }

  /**
   * `metadata` as cdk8s's `toJson` writes it: the metadata's own rendering (`ApiObjectMetadataDefinition.toJson`, through
   * cdk8s's resolvers: labels of the chart, annotations, finalizers…), then the copy cdk8s makes of the whole object (keys
   * sorted, no `null`s), which changes nothing else in plain data. `NOT_PLAIN` when it is not plain data or cdk8s throws
   * (the caller renders through cdk8s, which reports it as it does for any `ApiObject`).
   */
  private renderMetadata(sortKeys: boolean): unknown {
    const rendered = this.renderedMetadata();
    return rendered === NOT_RENDERED ? NOT_PLAIN : sanitizedPlainCopy(rendered, sortKeys);
  }

  /**
   * The metadata's own rendering (`ApiObjectMetadataDefinition.toJson`), once per synthesis: the policy's check of its
   * labels and annotations (`yaml-unquoted-number`) and its manifest read the same rendering. `NOT_RENDERED` when cdk8s
   * throws (the manifest then renders through cdk8s, which reports it).
   */
  public renderedMetadata(): unknown {
    return synthMemo(this, this, 'renderedMetadata', () => {
      try {
        return this.metadata.toJson();
      } catch {
        return NOT_RENDERED;
      }
    });
  }
}
