/**
 * `validateInputs`: every check of the SDK over a set of manifests as they are found in a repository — the YAML reader
 * (`parse-…`), the CRD schema of the target version (`crd-…`, or the real CRDs given as `crdFiles`: `crd-schema`), the
 * agent's `Sanitize` rules (`sanitize-…`), version gating (`version-…`) and the pitfalls over the whole set
 * (`pitfall-…`) — with every finding placed at `file:line:column`. Inputs that cannot be read get one `input-…`
 * finding each and the rest is still checked. The `validate` command and the cdk8s validation plugin are thin shells
 * over it; synthesis-time checks (`validateApp`) run the same layers.
 *
 * Checks of the input (see `INPUT_CHECKS` in `catalogue.ts`):
 *
 * | id | severity | what |
 * |---|---|---|
 * | `input-not-found` | error | a path or glob that matches no file, or a directory without a .yaml, .yml or .json file |
 * | `input-unreadable` | error | a file that cannot be read (permissions, not a regular file, I/O error) |
 * | `input-binary` | error | a file with NUL bytes or invalid UTF-8 |
 * | `input-too-large` | error | a file larger than the size limit (10 MiB unless configured) |
 * | `input-empty` | warning | a file without any YAML document, or a document written as null, `{}` or `[]` (alone or beside manifests) |
 * | `version-annotation-invalid` | error | a cdk8s-cilium.io/cilium-version annotation that names no supported version (`main`, `"1.9"`, an unquoted 1.20 YAML reads as 1.2): its policy is judged as one without it (for the one version the other annotations name, else 1.19) |
 * | `version-annotation-missing` | warning | a policy without the cdk8s-cilium.io/cilium-version annotation among policies annotated for several versions: it is judged for the default (1.19), which may not be its cluster's version |
 * | `crd-schema` | error | a violation of the CRD given with `--crd`, or of the bundled CRD of the target version that no other finding reports (closed schema: unknown fields fail) |
 *
 * @module
 */
import { CiliumPolicyError } from '../core/errors';
import { expandPaths } from '../model/inputs';
import { inYamlValueBudget } from '../model/yaml-value-budget';
import { Entry, Run } from './validation-run';
import { STDIN_NAME, ValidationReport } from './validation-report';
import { InputSource, PathsOptions, ValidateInputsOptions } from './validation-options';

/**
 * Finds the inputs (files, directories recursively, globs; `-` is `options.stdin`) and validates them together. A path
 * or glob that matches nothing, and a directory without a manifest file, is an `input-not-found` finding. One run of the
 * YAML value budget (`yaml-value-budget.ts`): the command's, else one of `options.maxYamlValues`.
 * @throws CiliumPolicyError for an unsupported version or a CRD file that cannot be loaded (usage errors), or inputs that
 * hold more YAML values together than the run's limit (`input-values-budget`)
 */
export function validatePaths(args: readonly string[], options: PathsOptions = {}): ValidationReport {
  return inYamlValueBudget('Validator.validatePaths()', options.maxYamlValues, () => findAndValidate(args, options));
}

function findAndValidate(args: readonly string[], options: PathsOptions): ValidationReport {
  const cwd = options.cwd ?? process.cwd();
  const entries: Entry[] = expandPaths(args, cwd).map((e): Entry => {
    if (e.file) return { input: { name: e.file.name, path: e.file.path } };
    if (e.missing !== undefined) return { missing: e.missing };
    if (e.unreadable) return { unreadable: e.unreadable };
    if (options.stdin === undefined) {
      throw new CiliumPolicyError({ id: 'input-stdin', message: '- (standard input) was given but nothing was read from it', fix: 'pipe the manifests in' });
    }
    return { input: typeof options.stdin === 'string' ? { name: STDIN_NAME, text: options.stdin } : { name: STDIN_NAME, bytes: options.stdin } };
  });
  return new Run(options).validate(entries);
}

/**
 * Validates inputs together: each one is read and checked alone, then the pitfalls are checked over all of them (a DNS
 * rule in one file counts for toFQDNs in another). One run of the YAML value budget, as `validatePaths`.
 * @throws CiliumPolicyError for an unsupported version or a CRD file that cannot be loaded (usage errors), or inputs that
 * hold more YAML values together than the run's limit (`input-values-budget`)
 */
export function validateInputs(inputs: readonly InputSource[], options: ValidateInputsOptions = {}): ValidationReport {
  return inYamlValueBudget('Validator.validateInputs()', options.maxYamlValues, () => new Run(options).validate(inputs.map((input) => ({ input }))));
}
