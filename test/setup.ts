// vitest setup file (vitest.config.mts `setupFiles`): registers every matcher as a user's `import 'cdk8s-cilium/vitest'` does
// (types included), and points toBeValidCilium at the shared CRDs of every version (main included) instead of the bundled ones.
import '../src/vitest.mjs';
import { CiliumTesting } from '../src/testing';
import { CRD_VERSION_ROOT } from './support/crd';

CiliumTesting.useCrdSchemas(CRD_VERSION_ROOT);
