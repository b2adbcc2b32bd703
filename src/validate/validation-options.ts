// What a validation run takes: its inputs and its options.

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
   * @default '1.19'
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
   * Inputs larger than this many bytes are not read (`input-too-large`).
   * @default 10485760 (10 MiB)
   */
  readonly maxFileBytes?: number;
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
