import { defineConfig } from 'vitest/config';
import base from './vitest.mutation.config.mts';

/**
 * The mutation test set of one engine slice (`STRYKER_VITEST_CONFIG=vitest.mutation-engine.config.mts npx stryker run
 * --mutate 'src/engine/evaluate.ts:<from>-<to>'`): the tests with known expected verdicts and explanations (the side and
 * L7 decisions, the engine semantics, the Cilium-authored cases and the conformance corpus of shared/conformance, layer 4,
 * raw rules and L7, the explained verdicts). Without the construct tests (host firewall about 11 s a run), a surviving
 * mutant of src/engine/evaluate.ts costs about 17 s of tests instead of about 30 s. README "Mutation testing (issue 16)".
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/engine/side-decision.test.ts', 'test/engine/l7-decision.test.ts', 'test/engine/semantics.test.ts',
      'test/engine/cilium-cases.test.ts', 'test/engine/conformance.test.ts', 'test/engine/raw-rules-and-l7.test.ts',
      'test/engine/layer-4.test.ts', 'test/engine/explain.test.ts', 'test/engine/matchers.test.ts', 'test/engine/decision-explanations.test.ts',
    ],
  },
});
