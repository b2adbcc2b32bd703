/**
 * `cdk8s-cilium` as a cdk8s CLI validation plugin (`validations:` in `cdk8s.yaml`): after `cdk8s synth` has written the
 * manifests, the CLI hands their paths to `CiliumValidation.validate`, which runs `Validator.validateInputs` over all of them
 * together and reports every finding as a violation (rule = check id). Errors, or more warnings than `maxWarnings`,
 * fail the synthesis (the CLI exits 2).
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-cilium     # a local path loads offline; an npm name is installed by the CLI
 *     version: 1.0.0                           # a pinned version (ranges are refused by the CLI)
 *     class: CiliumValidation
 *     properties: { ciliumVersion: "1.19", maxWarnings: 0 }
 * ```
 *
 * The plugin interface is the CLI's (`cdk8s-cli/lib/plugins/validation`); it is matched structurally here, so the package
 * does not depend on `cdk8s-cli`.
 */
import { relative, sep } from 'node:path';
import { CiliumVersion } from '../core/cilium-version';
import { CiliumPolicyError, Errors, errorWhat } from '../core/errors';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { VERSION_DEFAULT, VERSION_GIVEN } from '../model/version-annotation';
import { DEFAULT_MAX_RUN_YAML_VALUES, YamlValueBudget, checkMaxYamlValues, withYamlValueBudget } from '../model/yaml-value-budget';
import { validateInputs } from '../validate/validate-input';
import { ValidateInputsOptions, checkValidateInputsValues } from '../validate/validation-options';
import { ReportDiagnostic, ValidationReport } from '../validate/validation-report';

/** Properties of the plugin (`properties:` of its entry in `cdk8s.yaml`). */
export interface CiliumValidationProps {
  /**
   * The Cilium version of the cluster: `1.14` … `1.19`, or `1.20`.
   * @default - each policy is judged for the version it was synthesized for (its `cdk8s-cilium.io/cilium-version`
   * annotation: charts of different `CiliumVersion`s each for their own); other manifests for the one version the
   * policies name, else '1.19'. Setting it judges every chart for that version.
   */
  readonly ciliumVersion?: string;
  /**
   * CRD files of the cluster to check against instead of the built-in schema rules (paths relative to the directory
   * `cdk8s synth` runs in).
   * @default - the built-in schema rules
   */
  readonly crd?: string[];
  /**
   * More warnings than this fail the validation.
   * @default - warnings never fail it
   */
  readonly maxWarnings?: number;
  /**
   * The most YAML values all the manifests of one synthesis may hold together (and the `crd` files): the manifest that takes
   * the total past it fails the validation, nothing judged (`input-values-budget`). May be quoted (`"2000000"`).
   * @default 1000000
   */
  readonly maxYamlValues?: number;
  /**
   * The local cluster's name, the agent's `cluster-name` (Helm `cluster.name`), as `validate --cluster-name`: a selector
   * naming `io.cilium.k8s.policy.cluster` selects the local pods (the cluster DNS pods of the DNS pitfalls) only when it
   * names this cluster. Lower-case letters, digits and `-`, at most 32 characters.
   * @default 'default'
   */
  readonly clusterName?: string;
}

/**
 * The properties of `CiliumValidationProps` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts): a misspelled `maxWarnings` in cdk8s.yaml would otherwise let every warning pass.
 */
export const CILIUM_VALIDATION_PROPS_DEFAULTS: OptionDefaults = {
  ciliumVersion: "each policy the version it was synthesized for (its annotation), else '1.19'",
  crd: 'the built-in schema rules',
  maxWarnings: 'warnings never fail it',
  maxYamlValues: String(DEFAULT_MAX_RUN_YAML_VALUES),
  clusterName: "'default'",
};

/** How the plugin's messages name its properties. */
const PROPERTIES = 'CiliumValidation (properties in cdk8s.yaml)';

/** A resource of a violation, as the cdk8s CLI reads it. */
export interface PluginViolatingResource {
  /** `metadata.name` (the CLI maps it to a construct path). */
  readonly resourceName: string;
  /** Where in the resource. */
  readonly locations: string[];
  /** The manifest file. */
  readonly manifestPath: string;
}

/** A violation, as the cdk8s CLI reads it. */
export interface PluginViolation {
  /** The check id. */
  readonly ruleName: string;
  /** What is wrong. */
  readonly recommendation: string;
  /** How to fix it. */
  readonly fix: string;
  /** Where. */
  readonly violatingResources: PluginViolatingResource[];
}

/** The report object the cdk8s CLI gives a plugin. */
export interface IPluginReport {
  /** Adds a violation. */
  addViolation(violation: PluginViolation): void;
  /**
   * Completes the report.
   * @param status `success` or `failure`
   * @param metadata shown by the CLI under the report, such as the Cilium version and the counts
   */
  submit(status: string, metadata?: { [key: string]: string }): void;
}

/** The context the cdk8s CLI gives a plugin (`ValidationContext`). */
export interface PluginContext {
  /** The manifest files `cdk8s synth` wrote. */
  readonly manifests: string[];
  /** The report to fill. */
  readonly report: IPluginReport;
}

/** The cdk8s CLI validation plugin. */
export class CiliumValidation {
  private readonly props: CiliumValidationProps;

  /** Created by the cdk8s CLI with the `properties` of its entry in `cdk8s.yaml`. */
  constructor(props: CiliumValidationProps = {}) {
    this.props = props;
  }

  /** Validates the synthesized manifests and fills the report. */
  public async validate(context: PluginContext): Promise<void> {
    const cwd = process.cwd();
    let report: ValidationReport;
    try {
      const { options, maxYamlValues } = inputsOptions(this.props, cwd);
      // The run's budget of YAML values, its fix naming the property (not an option of `Validator.validateInputs`).
      const budget = new YamlValueBudget(maxYamlValues ?? DEFAULT_MAX_RUN_YAML_VALUES, `set maxYamlValues in the properties in cdk8s.yaml to`);
      report = withYamlValueBudget(budget, () => validateInputs(context.manifests.map((path) => ({ name: manifestName(cwd, path), path })), options));
    } catch (e) {
      // A refusal (a misspelt property, a CRD file that cannot be read; manifests annotated for different versions) as a
      // failed report: the cdk8s CLI prints a thrown error as its raw object (`[CiliumPolicyError: …] { id: …, … }`) and exits 1.
      if (!Errors.isCiliumPolicyError(e)) throw e;
      if (e.id.startsWith('version-annotation-')) {
        refuseManifests(context, e, cwd);
        return;
      }
      if (e.id === 'input-values-budget') {
        refuseManifests(context, e, cwd);
        return;
      }
      context.report.addViolation({
        ruleName: `${e.id} (error)`,
        recommendation: errorWhat(e),
        fix: asProperties(e.fix ?? 'fix the properties of CiliumValidation in cdk8s.yaml'),
        violatingResources: [{ resourceName: 'CiliumValidation', locations: ['properties'], manifestPath: 'cdk8s.yaml' }],
      });
      context.report.submit('failure', { Refused: 'the properties in cdk8s.yaml; no manifest was validated' });
      return;
    }
    const byPath = new Map(context.manifests.map((p) => [manifestName(cwd, p), p]));
    for (const d of report.diagnostics) context.report.addViolation(toViolation(d, byPath.get(d.file) ?? d.file));
    context.report.submit(report.summary.passed ? 'success' : 'failure', summaryMetadata(report));
  }
}

/** A manifest's name in the report: its path from the working directory, with `/`. */
function manifestName(cwd: string, path: string): string {
  return relative(cwd, path).split(sep).join('/');
}

/**
 * A refusal of the manifests (policies annotated for different versions, with `crd`; more YAML values than
 * `maxYamlValues`): a failed report of one violation
 * naming the manifests the error names (all when it names none), its fix naming the plugin's properties for the CLI's flags.
 */
function refuseManifests(context: PluginContext, e: CiliumPolicyError, cwd: string): void {
  const nameOf = (path: string): string => manifestName(cwd, path);
  // Named in parentheses (`version-annotation-conflict`), or first (`input-values-budget`: `dist/a.k8s.yaml: the inputs …`).
  const named = context.manifests.filter((path) => e.message.includes(`(${nameOf(path)})`) || e.message.startsWith(`${nameOf(path)}: `));
  const manifests = named.length > 0 ? named : context.manifests;
  context.report.addViolation({
    ruleName: `${e.id} (error)`,
    recommendation: errorWhat(e),
    fix: asProperties(e.fix ?? 'give the policies of one cluster at a time'),
    violatingResources: manifests.map((manifestPath) => ({ resourceName: nameOf(manifestPath), locations: ['(whole file)'], manifestPath })),
  });
  context.report.submit('failure', { Refused: `the manifests ${manifests.map(nameOf).join(', ')}; none was validated` });
}

/**
 * `fix` with each CLI flag that is one of the plugin's properties (`--cilium-version`: `ciliumVersion`, the name the
 * CLI's option parser gives the flag) named as that property.
 */
function asProperties(fix: string): string {
  return fix.replace(/--([a-z]+(?:-[a-z]+)*)/g, (flag, name: string) => {
    const property = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    return property in CILIUM_VALIDATION_PROPS_DEFAULTS ? `${property} in the properties in cdk8s.yaml` : flag;
  });
}

/**
 * The options of the validation from the plugin's properties, as YAML gives them: refused when a property is unknown
 * (`option-unknown`) or its value is not one the validation can take (`option-value`), instead of a default taking its
 * place. A version written as a YAML number is read as its text when that is a version (`1.19`); `1.20` unquoted is the
 * number 1.2, refused with the fix. `maxWarnings` may be quoted (`"0"`).
 */
function inputsOptions(props: CiliumValidationProps, cwd: string): { options: ValidateInputsOptions; maxYamlValues?: number } {
  checkOptionKeys(props, CILIUM_VALIDATION_PROPS_DEFAULTS, { call: PROPERTIES, risk: 'so the manifests would be validated for other settings than asked' });
  const given = (props ?? {}) as Record<string, unknown>;
  let version = given.ciliumVersion;
  if (typeof version === 'number') {
    const text = String(version);
    if (!CiliumVersion.ALL.some((v) => v.toString() === text)) {
      const meant = text === '1.2' ? '1.20' : /^1\.1\d$/.test(`${text}0`) ? `${text}0` : undefined;
      throw new CiliumPolicyError({
        id: 'option-value',
        message: `${PROPERTIES}: ciliumVersion is the number ${text}, not a version${meant !== undefined ? ` (YAML reads an unquoted ${meant} as the number ${text})` : ''}`,
        fix: meant !== undefined ? `quote it: ciliumVersion: "${meant}"`
          : `quote one of ${CiliumVersion.ALL.map((v) => `"${v.toString()}"`).join(', ')} or "1.20" (main)`,
      });
    }
    version = text;
  }
  const maxWarnings = quotedDigitsAsNumber(given.maxWarnings);
  const maxYamlValues = quotedDigitsAsNumber(given.maxYamlValues);
  checkMaxYamlValues(PROPERTIES, maxYamlValues);
  // `crd:` with every entry commented out is YAML null: no CRD files, as when it is left out.
  const crd = given.crd === null ? undefined : given.crd;
  const options = {
    cwd,
    ...(version !== undefined ? { ciliumVersion: version } : {}),
    // No CRD files listed: the built-in schema rules, as when `crd` is left out.
    ...(crd !== undefined && !(Array.isArray(crd) && crd.length === 0) ? { crdFiles: crd } : {}),
    ...(maxWarnings !== undefined ? { maxWarnings } : {}),
    // Checked by the run (`clusterNameError`: `5` is no cluster name), as given.
    ...(given.clusterName !== undefined ? { clusterName: given.clusterName } : {}),
  } as ValidateInputsOptions;
  checkValidateInputsValues(options, PROPERTIES, { crdFiles: 'crd' });
  return { options, ...(maxYamlValues !== undefined ? { maxYamlValues: maxYamlValues as number } : {}) };
}

/** A count property written as quoted digits in `cdk8s.yaml` (`"0"`) as its number; anything else as given (checked after). */
function quotedDigitsAsNumber(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}

function toViolation(d: ReportDiagnostic, manifestPath: string): PluginViolation {
  return {
    ruleName: `${d.id} (${d.severity})`,
    recommendation: d.message,
    fix: d.fix,
    violatingResources: [{
      resourceName: d.name ?? d.file,
      locations: [`${d.path ?? '(whole document)'} (line ${d.line}, column ${d.column})`],
      manifestPath,
    }],
  };
}

function summaryMetadata(report: ValidationReport): { [key: string]: string } {
  return {
    'Cilium version': report.versions !== undefined ? report.versions.map((v) => `${v.version} (${v.files.join(', ')})`).join(', ')
      : report.versionSource === undefined || report.versionSource === VERSION_GIVEN || report.versionSource === VERSION_DEFAULT ? report.version
        : `${report.version} (${report.versionSource})`,
    Errors: String(report.summary.errors),
    Warnings: String(report.summary.warnings),
    ...(report.summary.maxWarnings !== undefined ? { 'Max warnings': String(report.summary.maxWarnings) } : {}),
    Policies: String(report.summary.policies),
  };
}
