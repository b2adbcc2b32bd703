import { IConstruct } from 'constructs';
import { Diagnostic } from '../core/errors';
import { PolicyDocumentModel, RuleModel } from '../model/policy-model';
import { ManifestInventory } from './inventory';
import { validateNetworkPolicy } from './network-policy-rules';
import { checkPitfalls } from './pitfall-rules';
import { PITFALL_OPTION_DEFAULTS, PitfallDocument, PitfallFinding, PitfallOptions } from './pitfall-run';
import { AppDiagnostic, checkAppValidationOptions, AppValidationOptions, validateApp } from './validate-app';
import { validateInputs, validatePaths } from './validate-input';
import {
  checkKindOption, checkVersionOption, VALIDATE_POLICY_OPTION_DEFAULTS, VALIDATE_RULE_OPTION_DEFAULTS, validatePolicy, ValidatePolicyOptions,
  validateRule, ValidateRuleOptions,
} from './validate-policy';
import {
  checkValidateInputsValues, VALIDATE_INPUTS_OPTION_DEFAULTS, VALIDATE_PATHS_OPTION_DEFAULTS, VALIDATE_RISK, ValidateInputsOptions,
  ValidatePathsOptions, ValidationInput,
} from './validation-options';
import { checkOptionKeys } from '../model/known-keys';
import { ValidationReport } from './validation-report';

/**
 * The SDK's validation of Cilium policies, offline, per target Cilium version: the CRD schema the API server enforces
 * (`crd-…`), the agent's `Sanitize()` rules (`sanitize-…`), version gating (`version-…`), the API server's checks of
 * Kubernetes NetworkPolicies (`k8s-np-…`) and the pitfalls over a whole set of manifests (`pitfall-…`). Every finding
 * has a stable id (see `CheckCatalogue`), a one-line message with the bad value, the field path and a fix.
 *
 * ```ts
 * const report = Validator.validatePaths(['dist'], { ciliumVersion: '1.19' });
 * console.log(ValidationReportFormat.text(report));
 * ```
 */
export class Validator {
  /**
   * Validates a whole CNP/CCNP against the CRD schema of `options.version`, the agent's `Sanitize()` of that version and
   * the fields that version has.
   * @param policy the policy, as read from YAML or built by a construct
   * @returns every finding (errors and warnings), grouped by layer; `[]` when the API server and the agent accept it
   */
  public static validatePolicy(policy: PolicyDocumentModel, options: ValidatePolicyOptions): Diagnostic[] {
    checkOptionKeys(options, VALIDATE_POLICY_OPTION_DEFAULTS, { call: 'Validator.validatePolicy()', risk: VALIDATE_RISK });
    checkVersionOption(options?.version, 'Validator.validatePolicy()');
    return validatePolicy(policy, options);
  }

  /**
   * Validates one rule as it would appear in a policy of `options.kind`. Document-level checks (metadata, empty policy)
   * are not run.
   * @returns every finding, grouped by layer, with paths prefixed by `options.pathPrefix`
   */
  public static validateRule(rule: RuleModel, options: ValidateRuleOptions): Diagnostic[] {
    checkOptionKeys(options, VALIDATE_RULE_OPTION_DEFAULTS, { call: 'Validator.validateRule()', risk: VALIDATE_RISK });
    checkVersionOption(options?.version, 'Validator.validateRule()');
    checkKindOption(options?.kind, 'Validator.validateRule()');
    return validateRule(rule, options.kind, options.version, options.pathPrefix);
  }

  /**
   * Runs the API server's checks on a Kubernetes `networking.k8s.io/v1` NetworkPolicy manifest (`k8s-np-…`): one that
   * fails them is never stored.
   * @param manifest the NetworkPolicy, as parsed from YAML or JSON
   */
  public static validateNetworkPolicy(manifest: unknown): Diagnostic[] {
    return validateNetworkPolicy(manifest);
  }

  /**
   * Checks a set of policies, together with the workloads, Services, Namespaces and NetworkPolicies beside them, for
   * the pitfalls (`CheckCatalogue.PITFALL_CHECKS`).
   * @returns the findings, in document order, then rule order
   */
  public static checkPitfalls(documents: PitfallDocument[], inventory: ManifestInventory, options: PitfallOptions = {}): PitfallFinding[] {
    checkOptionKeys(options, PITFALL_OPTION_DEFAULTS, { call: 'Validator.checkPitfalls()', risk: VALIDATE_RISK });
    if (options.ciliumVersion !== undefined) checkVersionOption(options.ciliumVersion, 'Validator.checkPitfalls()', 'ciliumVersion');
    return checkPitfalls(documents, inventory, options);
  }

  /**
   * Validates inputs together: each one is read and checked alone, then the pitfalls are checked over all of them (a
   * DNS rule in one file counts for toFQDNs in another). Inputs that cannot be read get one `input-…` finding each.
   * @throws CiliumPolicyError for an unsupported version or a CRD file that cannot be loaded (usage errors)
   */
  public static validateInputs(inputs: ValidationInput[], options: ValidateInputsOptions = {}): ValidationReport {
    checkOptionKeys(options, VALIDATE_INPUTS_OPTION_DEFAULTS, { call: 'Validator.validateInputs()', risk: VALIDATE_RISK });
    checkValidateInputsValues(options, 'Validator.validateInputs()');
    return validateInputs(inputs, options);
  }

  /**
   * Finds the inputs (files, directories recursively, globs; `-` is `options.stdin`) and validates them together, as
   * the `validate` command does. A path or glob that matches nothing is an `input-not-found` finding.
   * @throws CiliumPolicyError for an unsupported version or a CRD file that cannot be loaded (usage errors)
   */
  public static validatePaths(paths: string[], options: ValidatePathsOptions = {}): ValidationReport {
    checkOptionKeys(options, VALIDATE_PATHS_OPTION_DEFAULTS, { call: 'Validator.validatePaths()', risk: VALIDATE_RISK });
    checkValidateInputsValues(options, 'Validator.validatePaths()');
    return validatePaths(paths, options);
  }

  /**
   * Runs the validation over a cdk8s app (or any construct tree) at synthesis: every CNP/CCNP `ApiObject` below `root`
   * as a policy, every other `ApiObject` as inventory, each policy for its own `cdk8s-cilium.io/cilium-version` annotation (as
   * `validate` judges the synthesized files), else for the Cilium version in effect for it.
   * @returns the findings, in construct order, placed by construct path
   */
  public static validateApp(root: IConstruct, options: AppValidationOptions = {}): AppDiagnostic[] {
    checkAppValidationOptions(options, 'Validator.validateApp()');
    return validateApp(root, options);
  }

  private constructor() {}
}
