// vitest setup file (vitest.config.mts `setupFiles`): registers every matcher as a user's `import 'cdk8s-cilium/vitest'` does
// (types included), and points toBeValidCilium at the shared CRDs of every version (main included) instead of the bundled ones.
// The CRD files of shared/ and of the bundled folder are compiled once per run (`test/support/crd-store.ts`).
import { inject } from 'vitest';
import '../src/vitest.mjs';
import { CiliumTesting } from '../src/testing';
import { _usePrecompiled, bundledRoot } from '../src/validate/crd-compile';
import { CRD_VERSION_ROOT } from './support/crd';
import { crdStore } from './support/crd-store';
import { CRD_ROOT } from './support/shared';

CiliumTesting.useCrdSchemas(CRD_VERSION_ROOT);
const storeDir = inject('crdStoreDir');
if (storeDir) _usePrecompiled(crdStore(storeDir, [CRD_ROOT, bundledRoot()]));
