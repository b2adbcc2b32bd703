// `cdk8s-cilium/vitest`: one import registers every matcher of the package with vitest's `expect` and declares their types.
//
//   // vitest.config.mts
//   export default defineConfig({ test: { setupFiles: ['cdk8s-cilium/vitest'] } });
//
// (or `import 'cdk8s-cilium/vitest';` at the top of a test file). An ES module, because vitest cannot be `require`d.
import { expect } from 'vitest';
import { type ConnectionLike, type EndpointLike, type EngineMatcherOptions, engineMatchers } from './engine/matchers.js';
import type { ICrdSchemaSource } from './validate/crd-schema.js';
import type { ExpectedChange } from './diff/expected-changes.js';
import { diffMatchers } from './diff/matchers.js';
import type { YamlPolicySetOptions } from './engine/policy-set.js';
import { ciliumMatchers } from './testing/matchers.js';

// The matcher objects, for `expect.extend` in a set-up of your own (TypeScript only: not part of the jsii API).
export { ciliumMatchers } from './testing/matchers.js';
export type { CiliumMatcherContext, CiliumMatcherResult, CiliumMatchers } from './testing/matchers.js';
export { engineMatchers } from './engine/matchers.js';
export type { ConnectionLike, EndpointLike, EngineMatcherResult, EngineMatchers } from './engine/matchers.js';
export { diffMatchers } from './diff/matchers.js';
export type { DiffMatchers } from './diff/matchers.js';
export type { ExpectedChange } from './diff/expected-changes.js';

/**
 * The matchers `cdk8s-cilium/vitest` and `cdk8s-cilium/jest` register, as seen on `expect(received)`.
 * @typeParam R what a matcher returns in the test framework's typing
 */
export interface CiliumTestMatchers<R = unknown> {
  /**
   * Every Cilium policy object in the received App, Chart, construct, manifest or array fits its CRD schema.
   * @param schemas the schemas; a `CrdVersionRoot` checks each policy against its `cdk8s-cilium.io/cilium-version` annotation,
   * else its construct's `CiliumVersion`
   * @default - `CiliumTesting.defaultCrdSchemas()`: the schemas bundled with the package, for each policy's version
   */
  toBeValidCilium(schemas?: ICrdSchemaSource): R;
  /**
   * The connection from `from` to `to` on `port` is allowed end to end (L7 included) by the policies of the received App,
   * Chart, PolicySet or YAML.
   */
  toAllow(from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): R;
  /** The connection is dropped, or refused at L7 (HTTP 403, DNS REFUSED). */
  toDeny(from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): R;
  /**
   * The connectivity of the received App, Chart, PolicySet or YAML differs from `base` by exactly the expected changes
   * (`[]`: a refactoring that changes no connectivity); the failure lists the unexpected and the missing ones.
   */
  toChangeOnly(base: unknown, expected: readonly ExpectedChange[], options?: YamlPolicySetOptions): R;
}

/** Every matcher of the package, for `expect.extend`. */
export const allCiliumMatchers = { ...ciliumMatchers, ...engineMatchers, ...diffMatchers };

expect.extend(allCiliumMatchers);

declare module 'vitest' {
  // `Matchers` is merged into both `Assertion` (expect(x).toAllow(…)) and `expect` (asymmetric `expect.toBeValidCilium()`).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends CiliumTestMatchers<T> {}
}
