// Test helpers: offline CRD-schema validation of Cilium policies and the matchers built on it.
export * from '../validate/crd-schema';
export * from './matchers';
