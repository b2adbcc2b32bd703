/**
 * Synthesis-time validation: the checks of `validateInputs` on everything a cdk8s app will write — the SDK's own
 * policies, raw `ApiObject`s holding a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, and the workloads,
 * Services, Namespaces and NetworkPolicies beside them — with the same ids and messages as `cdk8s-cilium validate`,
 * placed by construct path.
 *
 * The SDK's policies (`CiliumPolicy`, `ClusterwidePolicy` and the constructs built on them) already validate their own
 * rules (schema, Sanitize, version) in their node validation; by default only the pitfall layer is added for them, so
 * nothing is reported twice. Raw policy objects get every layer. `pitfall-default-deny-without-dns` and `pitfall-dns-denied` are
 * warnings here (see `SYNTH_WARNINGS`).
 */
import type { ApiObject } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { CiliumPolicyError, Severity, showValue } from '../core/errors';
import { noteValidationErrors, omittedOf } from '../model/diagnostic-budget';
import { cdk8s } from '../model/lazy-cdk8s';
import { CiliumVersion } from '../core/cilium-version';
import { synthMemo } from '../model/synth-session';
import { annotationFix, invalidAnnotationFinding, isAnnotationTypeDiagnostic, ownAnnotation } from '../model/version-annotation';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { clusterNameError } from '../model/labels';
import { fromConstructObject, fromObject } from '../model/parse';
import { resourceKey } from '../model/resource-key';
import { isNetworkPolicy } from '../model/network-policy';
import { ManifestInventory } from './inventory';
import { validateNetworkPolicy } from './network-policy-rules';
import { refusesPolicy } from './catalogue';
import { checkPitfalls } from './pitfall-rules';
import { PitfallDocument } from './pitfall-run';
import { constructFixOfEmptyRule } from './empty-rule-construct-fix';
import { defaultFix } from './finding-fixes';
import { mergeUnquotedPorts } from './unquoted-ports';
import { validatePolicy } from './validate-policy';

/** Marks the SDK's policy constructs (see `PolicyBase.isPolicy`). */
const POLICY_SYMBOL = Symbol.for('cdk8s-cilium.Policy');
/**
 * Marks an app whose validation was added by `CiliumAppValidation.ensure`, holding its options (filled in by later calls).
 * A global symbol: another copy of the package in one app finds it too.
 */
const ENSURED_SYMBOL = Symbol.for('cdk8s-cilium.AppValidation');
/** The fix of an annotation that names no supported version: validateApp has no version option; a chart is given one. */
const APP_FIX = annotationFix('CiliumVersion.use(chart, …)', false);

/** Options of `Validator.validateApp` and `CiliumAppValidation.ensure`. */
export interface AppValidationOptions {
  /**
   * Also run the per-policy layers (schema, Sanitize, version) on the SDK's own policies, which their node validation
   * already does.
   * @default false
   */
  readonly includeSdkPolicyLayers?: boolean;
  /**
   * The local cluster's name, the agent's `cluster-name` (Helm `cluster.name`), as `ValidateInputsOptions.clusterName`:
   * a selector naming `io.cilium.k8s.policy.cluster` selects the local pods (the cluster DNS pods of the DNS pitfalls) only
   * when it names this cluster. Lower-case letters, digits and `-`, at most 32 characters.
   * @default 'default'
   */
  readonly clusterName?: string;
}

/** The options of `AppValidationOptions` with their defaults (`option-unknown`; kept equal to the interface by test/engine/option-keys-interfaces.test.ts). */
export const APP_VALIDATION_OPTION_DEFAULTS: OptionDefaults = { includeSdkPolicyLayers: 'false', clusterName: "'default'" };

/**
 * Refuses options of an app validation it cannot take as given: an unknown key (`option-unknown`), a cluster name that is
 * not one (`engine-cluster-name`, `clusterNameError`), before anything is judged.
 * @param call the call, as the message names it (`Validator.validateApp()`)
 */
export function checkAppValidationOptions(options: AppValidationOptions, call: string): void {
  checkOptionKeys(options, APP_VALIDATION_OPTION_DEFAULTS, { call, risk: 'so the app would be validated for other settings than asked' });
  const badCluster = options.clusterName !== undefined ? clusterNameError(options.clusterName) : undefined;
  if (badCluster) throw badCluster;
}

/** A finding at synthesis: a diagnostic of `Validator.validateInputs`, placed by construct path instead of file position. */
export interface AppDiagnostic {
  /** Stable id of the check. */
  readonly id: string;
  /** `error` or `warning`. */
  readonly severity: Severity;
  /** What is wrong, one line. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The path of the `ApiObject` (`shop/web/Resource`). */
  readonly constructPath: string;
  /**
   * The field, as a path in the manifest (`spec.egress[0].toFQDNs`).
   * @default - the whole object
   */
  readonly path?: string;
  /** Kind of the object. */
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  /**
   * `metadata.namespace` (CNP).
   * @default - cluster-scoped
   */
  readonly namespace?: string;
  /**
   * Set on the one finding that stands for findings of its id left out of the list (past the cap of 1,000 per policy):
   * how many it stands for.
   * @default - a finding of its own (it counts as one)
   */
  readonly omitted?: number;
}

/** A policy object of the app, with what it takes to report on it. */
interface AppPolicy {
  readonly object: ApiObject;
  readonly sdk: boolean;
  readonly version: CiliumVersion;
}

/**
 * Runs the validation layers over a cdk8s app (or any construct tree): every CNP/CCNP `ApiObject` below `root` as a
 * policy, every other `ApiObject` as inventory (workloads, Services, Namespaces, NetworkPolicies). Each policy is checked
 * for its own `cdk8s-cilium.io/cilium-version` annotation (`ownAnnotation`, as `validate` and the plugin judge the synthesized
 * files; an annotation that names no supported version is `version-annotation-invalid`), else for the Cilium version in
 * effect for it (`CiliumVersion.of`).
 * @returns the findings, in construct order
 */
export function validateApp(root: IConstruct, options: AppValidationOptions = {}): AppDiagnostic[] {
  // Once per synthesis (cdk8s validates the whole app once per chart), again after a validation hook changes a policy
  // (`noteSynthChange`); callers get their own copy of the list.
  return [...synthMemo(root, root, `validateApp:${options.includeSdkPolicyLayers === true}:${options.clusterName ?? ''}`, () => computeValidateApp(root, options))];
}

function computeValidateApp(root: IConstruct, options: AppValidationOptions): AppDiagnostic[] {
  const policies: AppPolicy[] = [];
  const docs: PitfallDocument[] = [];
  const inventory = new ManifestInventory();
  const out: AppDiagnostic[] = [];
  const { ApiObject } = cdk8s();
  for (const c of root.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    let json: unknown;
    try {
      json = c.toJson();
    } catch {
      continue; // an SDK policy that cannot render reports that itself; anything else fails `synth` with its own error
    }
    const kind = isRecord(json) ? json.kind : undefined;
    if (kind !== 'CiliumNetworkPolicy' && kind !== 'CiliumClusterwideNetworkPolicy') {
      // As validate and the engine judge the synthesized file: an object the API server refuses for a label or annotation
      // value that is no string (`0o17`, which cdk8s writes unquoted) is never stored: its errors, and no inventory.
      const refused = fromConstructObject(json).skipped.flatMap((d) => d._refused ?? []);
      if (refused.length > 0) {
        const meta = isRecord(json) && isRecord(json.metadata) ? json.metadata : {};
        for (const d of refused) {
          out.push({
            id: d.id, severity: d.severity, message: d.message, fix: d.fix ?? defaultFix(d.id), constructPath: c.node.path,
            ...(d.path ? { path: d.path } : {}), kind: typeof kind === 'string' ? kind : '', name: typeof meta.name === 'string' ? meta.name : '',
            ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
          });
        }
        continue;
      }
      inventory.add(json, { constructPath: c.node.path });
      if (isNetworkPolicy(json)) {
        const meta = isRecord(json.metadata) ? json.metadata : {};
        for (const d of validateNetworkPolicy(json)) {
          out.push({
            id: d.id, severity: d.severity, message: d.message, fix: d.fix ?? defaultFix(d.id), constructPath: c.node.path,
            ...(d.path ? { path: d.path } : {}), kind: 'NetworkPolicy', name: typeof meta.name === 'string' ? meta.name : '',
            ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
          });
        }
      }
      continue;
    }
    const sdk = c.node.scopes.some((s) => POLICY_SYMBOL in s);
    // As validate judges the synthesized file (the plugin): for the policy's own annotation (the SDK's policies write
    // `CiliumVersion.of`; a raw object may say another), else for the version in effect for the construct.
    const parsed = fromObject(json, { file: c.node.path });
    const model = parsed.documents[0]?.model ?? { kind, metadata: { name: '' } };
    const own = ownAnnotation(model);
    const version = own?.version ?? CiliumVersion.of(c);
    const ref: AppPolicy = { object: c, sdk, version };
    const perPolicy = !sdk || options.includeSdkPolicyLayers === true;
    // An unquoted number that names no supported version is one finding, as in validate.
    const typed = own !== undefined && own.version === undefined ? parsed.diagnostics.find(isAnnotationTypeDiagnostic) : undefined;
    if (own !== undefined && own.version === undefined) {
      const finding = invalidAnnotationFinding(own.value, version.toString(), typed !== undefined, APP_FIX);
      out.push(place(ref, model, { ...finding, severity: Severity.ERROR }));
    }
    // As validate: a port written as a number that is no port either is one finding (`mergeUnquotedPorts`, per document).
    const layers = parsed.documents.map((doc) => {
      const own = parsed.diagnostics.filter((d) => d.index === doc.source.index && d.itemPath === doc.source.itemPath);
      // An SDK policy's empty rule gets the construct's fix (the calls), as at synthesis.
      const merged = mergeUnquotedPorts(own, perPolicy ? validatePolicy(doc.model, { version }).map(sdk ? constructFixOfEmptyRule : (d) => d) : []);
      // As validate: a policy the API server or the agent refuses is no policy of the cluster (`PitfallDocument._refused`).
      return { ...merged, refused: [...own, ...merged.findings].some(refusesPolicy) };
    });
    const dropped = new Set(layers.flatMap((l) => [...l.dropped]));
    if (perPolicy) for (const d of parsed.diagnostics) if (d !== typed && !dropped.has(d)) out.push(place(ref, model, d));
    for (const [i, doc] of parsed.documents.entries()) {
      for (const d of layers[i].findings) out.push(place(ref, doc.model, d));
      policies.push(ref);
      docs.push({ model: doc.model, version, where: c.node.path, ...(layers[i].refused ? { _refused: true } : {}) });
    }
  }
  // Two SDK policies with one name report it themselves (`policy-name-clash`, at their constructs); a raw object with the
  // name of another policy is reported here.
  const keys = docs.map((d) => resourceKey(d.model));
  const rawKeys = new Set(keys.filter((k, i) => k !== undefined && !policies[i].sdk));
  for (const f of checkPitfalls(docs, inventory, options.clusterName !== undefined ? { clusterName: options.clusterName } : {})) {
    if (f.id === 'pitfall-policy-name-duplicate' && f.document >= 0 && policies[f.document].sdk && !rawKeys.has(keys[f.document])) continue;
    // The constructs refuse an egress allow of a Service without ports (`peer-service-every-port`) unless every port is said
    // outright (`Port.allPorts()`), which they write as no toPorts: an SDK policy's port-less toServices item is that.
    if (f.id === 'pitfall-services-every-port' && f.document >= 0 && policies[f.document].sdk) continue;
    const finding = SYNTH_WARNINGS.has(f.id) ? { ...f, severity: Severity.WARNING } : f;
    const np = f.networkPolicy;
    if (np) {
      // A Kubernetes NetworkPolicy of the app (an ApiObject, a cdk8s-plus NetworkPolicy): reported at its construct.
      out.push({
        id: finding.id, severity: finding.severity, message: finding.message, fix: finding.fix ?? defaultFix(finding.id),
        constructPath: np.source.constructPath ?? '', ...(finding.path ? { path: finding.path } : {}),
        kind: 'NetworkPolicy', name: np.name, namespace: np.namespace,
      });
      continue;
    }
    out.push(place(policies[f.document], docs[f.document].model, finding));
  }
  return out;
}

/**
 * Pitfalls that are errors for `validate` (which sees the manifests a cluster gets) but warnings at synthesis: an app is
 * often one part of the cluster's policies, and the DNS allow its egress default deny needs usually lives in another
 * (a platform chart, a clusterwide policy), so failing synthesis would be wrong more often than right. A deny that cuts
 * DNS (`pitfall-dns-denied`) is written on purpose in the app itself: right for pods that look up no names (a deny-all
 * job), so a warning there too; `validate` keeps it an error.
 */
const SYNTH_WARNINGS: ReadonlySet<string> = new Set(['pitfall-default-deny-without-dns', 'pitfall-dns-denied']);

/** `[shop/web/Resource] spec.egress[0].toFQDNs: message (id)` and the fix on the next line, as `runSynth` prints errors. */
export function formatAppDiagnostic(d: AppDiagnostic): string {
  return `[${d.constructPath}] ${d.path ? `${d.path}: ` : ''}${d.message} (${d.id})\n    fix: ${d.fix}`;
}

/**
 * The app-wide checks as a construct validation (`IValidation`), so that `app.synth()` and `npx cdk8s synth` fail on
 * their errors with the same ids and messages as `cdk8s-cilium validate`. Warnings are not errors and are not reported
 * here (`Validator.validateApp` returns them).
 */
export class CiliumAppValidation implements IValidation {
  /**
   * Adds the validation to the root of `scope`'s tree, once. A later call adds nothing; the options it gives are taken
   * when no earlier call gave that option (the SDK's policies call it without options when they are made, so an app's own
   * call after its first policy still sets the cluster name), and refused (`app-validation-options-conflict`) when an
   * earlier call gave the option another value: the validation would run for other settings than one of them asked.
   * @returns whether it was added by this call
   */
  public static ensure(scope: IConstruct, options: AppValidationOptions = {}): boolean {
    checkAppValidationOptions(options, 'CiliumAppValidation.ensure()');
    const root = scope.node.root;
    const given = Object.entries(options).filter(([, v]) => v !== undefined) as [keyof AppValidationOptions, unknown][];
    if (ENSURED_SYMBOL in root) {
      const mark: unknown = (root as unknown as Record<symbol, unknown>)[ENSURED_SYMBOL];
      // An older copy of the package marks the root with `true`: the options of its validation cannot be set from here.
      const known = mark !== null && typeof mark === 'object';
      const existing = (known ? mark : {}) as AppValidationOptions;
      const conflict = given.find(([k, v]) => !known || (existing[k] !== undefined && existing[k] !== v));
      if (conflict !== undefined) {
        const [key, value] = conflict;
        throw new CiliumPolicyError({
          id: 'app-validation-options-conflict',
          message: `CiliumAppValidation.ensure() got ${key}: ${showValue(value)}, but ${known ? `an earlier call gave ${key}: ${showValue(existing[key])}`
            : 'another copy of cdk8s-cilium added the validation of this app, whose options cannot be set from here'}; the app is validated once, `
            + 'so the option would be ignored',
          fix: known ? `give ${key} the same value in every call, or leave it out of all but one`
            : 'call CiliumAppValidation.ensure() with the options before the first policy is made, or use one copy of cdk8s-cilium',
          ...(root.node.path !== '' ? { location: root.node.path } : {}),
        });
      }
      for (const [key, value] of given) (existing as Record<string, unknown>)[key] = value;
      return false;
    }
    const own: AppValidationOptions = Object.fromEntries(given);
    Object.defineProperty(root, ENSURED_SYMBOL, { value: own });
    root.node.addValidation(new CiliumAppValidation(root, own));
    return true;
  }

  /**
   * A finding as `runSynth` prints errors: `[shop/web/Resource] spec.egress[0].toFQDNs: message (id)`, and the fix on
   * the next line.
   */
  public static formatDiagnostic(diagnostic: AppDiagnostic): string {
    return formatAppDiagnostic(diagnostic);
  }

  private constructor(private readonly root: IConstruct, private readonly options: AppValidationOptions) {}

  /** The errors of `Validator.validateApp`, formatted with `CiliumAppValidation.formatDiagnostic`. */
  public validate(): string[] {
    const errors = validateApp(this.root, this.options).filter((d) => d.severity === Severity.ERROR);
    noteValidationErrors(this.root, errors);
    return errors.map(formatAppDiagnostic);
  }
}

function place(
  ref: AppPolicy,
  model: { kind: string; metadata?: { name?: string; namespace?: string } },
  d: { id: string; severity: Severity; message: string; fix?: string; path?: string; omitted?: number },
): AppDiagnostic {
  const ns = model.kind === 'CiliumNetworkPolicy' ? model.metadata?.namespace : undefined;
  return {
    id: d.id,
    severity: d.severity,
    message: d.message,
    fix: d.fix ?? defaultFix(d.id),
    constructPath: ref.object.node.path,
    ...(d.path ? { path: d.path } : {}),
    kind: model.kind,
    name: model.metadata?.name ?? '',
    ...(ns ? { namespace: ns } : {}),
    ...omittedOf(d),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
