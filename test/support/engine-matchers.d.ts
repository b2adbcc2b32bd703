// Types for the verdict matchers (`expect.extend(engineMatchers)`, see test/engine/helpers.ts). Users of the package add the
// same block to their own test sources, importing the types from 'cdk8s-cilium'; the package itself does not depend on vitest.
import 'vitest';
import type { ConnectionLike, EndpointLike, EngineMatcherOptions } from '../../src/engine';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Assertion<T = any> {
    /** The connection from `from` to `to` on `port` is allowed end to end (L7 included) by the policies of the received App, Chart, PolicySet or YAML. */
    toAllow(from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): void;
    /** The connection is dropped, or refused at L7 (HTTP 403, DNS REFUSED). */
    toDeny(from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): void;
  }
}
