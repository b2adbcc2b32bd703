// What a validation run takes: its inputs and its options.
import { OptionDefaults, refuseOptionValue } from '../model/known-keys';

/** One input of `Validator.validateInputs`. */
export interface ValidationInput {
  /** The name shown in diagnostics: a path relative to the working directory, or `<stdin>`. */
  readonly name: string;
  /**
   * The content, as text.
   * @default - the file at `path`
   */
  readonly text?: string;
  /**
   * The file to read when `text` is not given (checked for binary content and UTF-8).
   * @default - `name`, relative to `cwd`
   */
  readonly path?: string;
}

/** An input as the SDK's own callers give it: also as bytes (the `validate` command's standard input). */
export interface InputSource extends ValidationInput {
  /**
   * The content, as bytes (checked for binary content and UTF-8); wins over `text`.
   * @default - `text`, else the file at `path`
   */
  readonly bytes?: Uint8Array;
}

/** Options of `Validator.validateInputs` and `Validator.validatePaths`. */
export interface ValidateInputsOptions {
  /**
   * The Cilium version the manifests are written for: `1.14` … `1.19`, or `1.20` (also `main`, `1.20-dev`: the rules of
   * 1.19 without Kafka; give the CRDs of `main` with `crdFiles` for its schema).
   * @default - each policy the version it was synthesized for (its `cdk8s-cilium.io/cilium-version` annotation; a value
   * that is not a supported version is a `version-annotation-invalid` finding), else the one version the annotations
   * name, else '1.19'; with `crdFiles`, policies annotated for different versions throw `version-annotation-conflict`
   */
  readonly ciliumVersion?: string;
  /**
   * Real CRD files (as from `kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml`, a `List` of CRDs, or Cilium's
   * `pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml`) to check the policies against instead of the built-in schema rules
   * and the bundled schemas.
   * @default - the built-in schema rules of the target version, backed by the CNP/CCNP schemas bundled for it
   * (`CrdSchemas.builtin`; 1.14 … 1.19): a violation of those that no other finding reports on the same field is a
   * `crd-schema` finding
   */
  readonly crdFiles?: string[];
  /**
   * More warnings than this fail the report (`summary.passed`).
   * @default - no limit
   */
  readonly maxWarnings?: number;
  /**
   * The local cluster's name, the agent's `cluster-name` (Helm `cluster.name`): Cilium gives every pod the label
   * `io.cilium.k8s.policy.cluster=<name>`, so a selector naming that key selects the local pods only when it names this
   * cluster (the cluster DNS pods of the DNS pitfalls). Lower-case letters, digits and `-`, at most 32 characters.
   * @default 'default'
   */
  readonly clusterName?: string;
  /**
   * Inputs larger than this many bytes are not read (`input-too-large`).
   * @default 10485760 (10 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * The most YAML values all the inputs of the call may hold together (each input holds at most 1,000,000 of its own):
   * the input that takes the total past it is refused with a `CiliumPolicyError` (`input-values-budget`) and no report is
   * made. A call made within a command run of the CLI counts to the run's limit (`--max-yaml-values`) instead. A whole
   * number of 1 or more.
   * @default 1000000 (about 30,000 policies)
   */
  readonly maxYamlValues?: number;
  /**
   * The directory paths are relative to (and shown relative to).
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/** Options of `Validator.validatePaths`. */
export interface ValidatePathsOptions extends ValidateInputsOptions {
  /**
   * What `-` reads (standard input), already read by the caller, as text.
   * @default - `-` is an error
   */
  readonly stdin?: string;
}

/** Options of `validatePaths` as the SDK's own callers give them: standard input also as bytes (the `validate` command). */
export interface PathsOptions extends ValidateInputsOptions {
  /**
   * What `-` reads (standard input), already read by the caller; bytes are checked for binary content and UTF-8.
   * @default - `-` is an error
   */
  readonly stdin?: Uint8Array | string;
}

/**
 * The options of `ValidateInputsOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const VALIDATE_INPUTS_OPTION_DEFAULTS: OptionDefaults = {
  ciliumVersion: "each policy the version it was synthesized for (its annotation), else '1.19'",
  crdFiles: 'the built-in schema rules of the target version',
  maxWarnings: 'no limit',
  clusterName: "'default'",
  maxFileBytes: '10485760 (10 MiB)',
  maxYamlValues: '1000000',
  cwd: 'process.cwd()',
};

/** The options of `ValidatePathsOptions` with their defaults (`option-unknown`). */
export const VALIDATE_PATHS_OPTION_DEFAULTS: OptionDefaults = { ...VALIDATE_INPUTS_OPTION_DEFAULTS, stdin: '- is an error' };

/** What a validation option left at its default in place of the one meant does (`option-unknown`). */
export const VALIDATE_RISK = 'so the manifests would be validated for other settings than asked (another Cilium version, no warning limit)';

/**
 * Refuses option values a validation run cannot take as given (`option-value`), before anything is read: a version that
 * is neither text nor a `CiliumVersion`, a warning limit that is not a whole number of 0 or more (`NaN` or `1.5` would pass any count), a size
 * limit that is not a whole number of 1 or more, CRD files that are not a list of paths, a directory that is not text.
 * @param options the options given
 * @param call the call, as the message names it (`Validator.validateInputs()`)
 * @param names the options' names as the caller wrote them, when they differ (the plugin's `crd` for `crdFiles`)
 * @throws CiliumPolicyError (`option-value`)
 */
export function checkValidateInputsValues(options: ValidateInputsOptions, call: string, names: Readonly<Record<string, string>> = {}): void {
  const name = (option: string): string => names[option] ?? option;
  const refuse = (option: string, value: unknown, expected: string, fix: string): never => {
    refuseOptionValue(call, name(option), value, expected, fix);
  };
  const { ciliumVersion, crdFiles, maxWarnings, maxFileBytes, cwd } = options as Record<string, unknown>;
  // A CiliumVersion (the engine's options take one) reads as its text, as it always has.
  const versionObject = typeof ciliumVersion === 'object' && ciliumVersion !== null && typeof (ciliumVersion as { atLeast?: unknown }).atLeast === 'function';
  if (ciliumVersion !== undefined && typeof ciliumVersion !== 'string' && !versionObject) {
    refuse('ciliumVersion', ciliumVersion, 'a version as text', `write it as text: ${name('ciliumVersion')}: "1.19"`);
  }
  if (maxWarnings !== undefined && !(typeof maxWarnings === 'number' && Number.isInteger(maxWarnings) && maxWarnings >= 0)) {
    refuse('maxWarnings', maxWarnings, 'a whole number of 0 or more', `give the most warnings that pass, e.g. ${name('maxWarnings')}: 0 (leave it out for no limit)`);
  }
  if (maxFileBytes !== undefined && !(typeof maxFileBytes === 'number' && Number.isInteger(maxFileBytes) && maxFileBytes >= 1)) {
    refuse('maxFileBytes', maxFileBytes, 'a whole number of bytes of 1 or more', `e.g. ${name('maxFileBytes')}: 10485760 (leave it out for 10 MiB)`);
  }
  if (crdFiles !== undefined && !(Array.isArray(crdFiles) && crdFiles.every((f) => typeof f === 'string' && f !== ''))) {
    refuse('crdFiles', crdFiles, 'a list of file paths', `give a list: ${name('crdFiles')}: ["crds/ciliumnetworkpolicies.yaml"]`);
  }
  if (cwd !== undefined && typeof cwd !== 'string') refuse('cwd', cwd, 'a directory path', 'give a path as text, or leave it out for the current directory');
}
