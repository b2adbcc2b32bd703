import { CiliumPolicyError } from '../../src';

/**
 * The `CiliumPolicyError` that `run` throws, to read its id, message, fix and location; fails the test when it throws
 * nothing, and passes any other error on.
 */
export function thrown(run: () => unknown): CiliumPolicyError {
  try {
    run();
  } catch (e) {
    if (e instanceof CiliumPolicyError) return e;
    throw e;
  }
  throw new Error('expected a CiliumPolicyError, but nothing was thrown');
}
