// Test helpers: offline CRD-schema validation of Cilium policies and the helpers built on it. Only the public API is
// exported here (the matcher objects come from the `cdk8s-cilium/vitest` and `cdk8s-cilium/jest` entry points).
export * from '../validate/crd-schema';
export { CiliumTesting } from './cilium-testing';
