import { defineConfig } from 'vitest/config';
import base from './vitest.mutation.config.mts';

/**
 * The mutation test set of the model slices (`STRYKER_VITEST_CONFIG=vitest.mutation-model.config.mts npx stryker run
 * --mutate src/model/labels.ts`, likewise `cidr.ts`): the label-selector and CIDR tests (through verdicts), the engine
 * semantics and the Cilium-authored cases. README "Mutation testing (issue 16)".
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/model/labels.test.ts', 'test/model/cidr.test.ts', 'test/engine/semantics.test.ts', 'test/engine/cilium-cases.test.ts',
      'test/engine/side-decision.test.ts',
    ],
  },
});
