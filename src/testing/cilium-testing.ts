/**
 * `CiliumTesting`: the framework-free test helpers of the package, and the CRD schemas its matchers use by default. The
 * vitest and jest matchers themselves (`toBeValidCilium`, `toAllow`, `toDeny`, `toChangeOnly`) come from the
 * `cdk8s-cilium/vitest` and `cdk8s-cilium/jest` entry points.
 */
import { CRD_DIR_ENV, defaultCrdSchemas, expectValidCilium, setDefaultCrdSchemas } from './matchers';
import { ICrdSchemaSource } from '../validate/crd-schema';

/**
 * Test helpers for any test framework: the assertion behind `toBeValidCilium` (`expectValidCilium`), and the CRD schemas
 * the matchers use when none are passed.
 *
 * ```ts
 * CiliumTesting.useCrdSchemas(CrdSchemas.fromVersionRoot('crds/'));   // once, in a test setup file
 * CiliumTesting.expectValidCilium(chart);                                    // throws when a policy does not fit its CRD
 * ```
 */
export class CiliumTesting {
  /**
   * The environment variable naming a CRD folder (`CDK8S_CILIUM_CRD_DIR`), used when no default schemas were set with
   * `useCrdSchemas` (instead of the bundled schemas).
   */
  public static readonly CRD_DIR_ENV: string = CRD_DIR_ENV;

  /**
   * Sets the CRD schemas `toBeValidCilium()` and `expectValidCilium()` use when none are passed, typically once in a test
   * setup file. A `CrdVersionRoot` (`CrdSchemas.fromVersionRoot(dir)`) makes them pick the schemas of each policy's
   * `cdk8s-cilium.io/cilium-version` annotation, else of its construct's `CiliumVersion`; a plain `CrdSchemas` is used for everything.
   * @param schemas the schemas @default - none: back to `CDK8S_CILIUM_CRD_DIR` or the bundled schemas
   */
  public static useCrdSchemas(schemas?: ICrdSchemaSource): void {
    setDefaultCrdSchemas(schemas);
  }

  /**
   * The CRD schemas the matchers use by default: the ones given to `useCrdSchemas`, else the folder named by the
   * `CDK8S_CILIUM_CRD_DIR` environment variable (holding `ciliumnetworkpolicies.yaml` and
   * `ciliumclusterwidenetworkpolicies.yaml`, or one `v<version>/` sub-folder per Cilium version), else the schemas bundled
   * with the package (`CrdVersionRoot.builtin()`: each policy is checked against the CRD of its own
   * `cdk8s-cilium.io/cilium-version` annotation, else of its construct's `CiliumVersion`).
   */
  public static defaultCrdSchemas(): ICrdSchemaSource {
    return defaultCrdSchemas();
  }

  /**
   * The framework-free form of `toBeValidCilium`: throws an `Error` with the same message when a Cilium policy object in
   * `received` does not fit its CRD schema, or when there is none.
   * @param received an `App`, a `Chart`, any construct, a manifest, YAML text (every document) or an array of these
   * @param schemas the schemas @default - `CiliumTesting.defaultCrdSchemas()`
   */
  public static expectValidCilium(received: unknown, schemas?: ICrdSchemaSource): void {
    expectValidCilium(received, schemas);
  }

  private constructor() {}
}
