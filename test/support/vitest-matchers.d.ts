// Types for the matchers registered in test/setup.ts. Users of the package add the same block to their own test sources
// (importing ICrdSchemaSource from 'cdk8s-cilium'); the package itself does not depend on vitest.
import 'vitest';
import type { ICrdSchemaSource } from '../../src/testing';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Assertion<T = any> {
    /** Every Cilium policy object in the received App, Chart, construct, manifest or array fits its CRD schema. */
    toBeValidCilium(schemas?: ICrdSchemaSource): void;
  }
  interface AsymmetricMatchersContaining {
    /** Matches a Cilium policy manifest (or App, Chart, array) that fits its CRD schema. */
    toBeValidCilium(schemas?: ICrdSchemaSource): unknown;
  }
}
