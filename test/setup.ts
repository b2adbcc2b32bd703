// vitest setup file (vitest.config.ts `setupFiles`): registers the Cilium matchers and points them at the shared CRDs.
import { expect } from 'vitest';
import { engineMatchers } from '../src/engine';
import { ciliumMatchers, setDefaultCrdSchemas } from '../src/testing';
import { CRD_VERSION_ROOT } from './support/crd';

expect.extend(ciliumMatchers);
setDefaultCrdSchemas(CRD_VERSION_ROOT);
expect.extend(engineMatchers);
