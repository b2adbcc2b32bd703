// `cdk8s-cilium/jest`: one import in a jest setup file (`setupFilesAfterEnv: ['cdk8s-cilium/jest']`) registers every matcher
// of the package with jest's global `expect` and declares their types for `@types/jest`.
import { CiliumPolicyError } from './core/errors';
import { type ConnectionLike, type EndpointLike, type EngineMatcherOptions, engineMatchers } from './engine/matchers';
import type { ICrdSchemaSource } from './validate/crd-schema';
import type { ExpectedChange } from './diff/expected-changes';
import { diffMatchers } from './diff/matchers';
import type { YamlPolicySetOptions } from './engine/policy-set';
import { ciliumMatchers } from './testing/matchers';

// The matcher objects, for `expect.extend` in a set-up of your own (TypeScript only: not part of the jsii API).
export { ciliumMatchers } from './testing/matchers';
export type { CiliumMatcherContext, CiliumMatcherResult, CiliumMatchers } from './testing/matchers';
export { engineMatchers } from './engine/matchers';
export type { ConnectionLike, EndpointLike, EngineMatcherResult, EngineMatchers } from './engine/matchers';
export { diffMatchers } from './diff/matchers';
export type { DiffMatchers } from './diff/matchers';
export type { ExpectedChange } from './diff/expected-changes';

/** What the registration needs of jest's `expect`. */
export interface ExtensibleExpect {
  /** Adds matchers (`expect.extend`). */
  extend(matchers: object): void;
}

/**
 * Registers `toBeValidCilium`, `toAllow`, `toDeny` and `toChangeOnly` with `expect` (jest's global `expect` when none is given). Importing
 * `cdk8s-cilium/jest` calls it once.
 * @throws CiliumPolicyError when there is no global `expect` (the module was loaded outside a jest test environment)
 */
export function registerCiliumMatchers(expect?: ExtensibleExpect): void {
  const target = expect ?? (globalThis as { expect?: ExtensibleExpect }).expect;
  if (!target || typeof target.extend !== 'function') {
    throw new CiliumPolicyError({
      id: 'test-framework-missing',
      message: 'cdk8s-cilium/jest found no global `expect` to register its matchers with',
      fix: 'import it from a jest setup file (jest.config: setupFilesAfterEnv: [\'cdk8s-cilium/jest\']); with vitest, use cdk8s-cilium/vitest',
    });
  }
  target.extend({ ...ciliumMatchers, ...engineMatchers, ...diffMatchers });
}

registerCiliumMatchers();

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // The type parameters exactly as @types/jest declares them.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> {
      /** Every Cilium policy object in the received App, Chart, construct, manifest or array fits its CRD schema. */
      toBeValidCilium(schemas?: ICrdSchemaSource): R;
      /** The connection from `from` to `to` on `port` is allowed end to end (L7 included). */
      toAllow(from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): R;
      /** The connection is dropped, or refused at L7 (HTTP 403, DNS REFUSED). */
      toDeny(from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): R;
      /** The connectivity differs from `base` by exactly the expected changes (`[]`: none). */
      toChangeOnly(base: unknown, expected: readonly ExpectedChange[], options?: YamlPolicySetOptions): R;
    }
    interface Expect {
      /** Matches a Cilium policy manifest (or App, Chart, array) that fits its CRD schema. */
      toBeValidCilium(schemas?: ICrdSchemaSource): unknown;
    }
  }
}
