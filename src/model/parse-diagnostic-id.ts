/** Stable ids of the diagnostics the manifest reader (`PolicyModel.fromYaml` / `fromObject`) reports. */
export enum ParseDiagnosticId {
  /** YAML syntax error, or a document that is neither a mapping nor a list. */
  YAML_SYNTAX = 'parse-yaml-syntax',
  /** A field the v1.19 CRD (and the model) does not have; it is left out of the model. */
  UNKNOWN_FIELD = 'parse-unknown-field',
  /** A field with the wrong JSON type; it is left out of the model. */
  WRONG_TYPE = 'parse-wrong-type',
  /** A required field is missing; the object holding it is left out of the model. */
  MISSING_FIELD = 'parse-missing-field',
  /** `apiVersion` is not `cilium.io/v2`. */
  API_VERSION = 'parse-api-version',
  /** `metadata.name` is missing; the model gets name `''`. */
  MISSING_NAME = 'parse-missing-name',
  /** A port written as a YAML/JSON number: the CRD wants a string and the API server rejects it. */
  PORT_NOT_STRING = 'parse-port-not-string',
  /** A field set to `null`: the API server prunes it, so it counts as omitted. */
  NULL_VALUE = 'parse-null-value',
  /** A YAML scalar that Kubernetes (YAML 1.1) reads differently from YAML 1.2 (`010` is octal; `yes`, `on`, `!!bool n` are booleans). */
  YAML11_AMBIGUOUS = 'parse-yaml11-ambiguous',
  /** A mapping without `kind` that looks like a policy. */
  MISSING_KIND = 'parse-missing-kind',
  /** A `cilium.io` apiVersion with a kind Cilium does not have (`ciliumnetworkpolicy`: the wrong case); it is skipped. */
  UNKNOWN_KIND = 'parse-unknown-kind',
}
