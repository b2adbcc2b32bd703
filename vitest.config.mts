import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { shuffle } from '@vitest/utils/helpers';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Tests that spawn processes (npm pack + install, `cdk8s synth`, the CLI through tsx, a headless browser), run the
 * TypeScript compiler over generated code, or reset the module registry: the `e2e` projects. Everything else is the
 * `unit` project. `vitest run --project unit` is the quick loop. `test/testing/bundled-schemas.test.ts` runs the bundler
 * script in-process now (it spawned it through tsx) and stays in `e2e`, one of its long files: moving it would change how
 * the projects' work is spread, which was not measured.
 *
 * The files of a worker share one module registry (`isolate: false`) in `unit` and `e2e`, so the library and the CRD
 * schemas (compiled on first use, cached per process) are loaded once per worker instead of once per file (a spawning
 * test gains nothing from a fresh registry: what it tests runs in the process it spawns). The e2e files that mock or reset
 * modules (`MODULE_RESETS`) run isolated, one registry per file (`e2e-isolated`). Two `unit` files call `vi.resetModules()`
 * in the shared registry on purpose (`test/constructs/second-copy-values.test.ts`: a second copy of the library;
 * `test/engine/policy-set-facade.test.ts`: the engine without the diff layer) and pass there: vitest runs the setup file
 * (`test/setup.ts`) again before each file even without isolation (it invalidates and re-imports it), so a later file of
 * that worker gets the library loaded afresh and configured as before (matchers, CRD schemas), at the cost of one more
 * load. A file that mocks modules (`vi.mock`), unit or e2e, belongs in `MODULE_RESETS`: in a shared registry a mock misses
 * the modules another file loaded first (a spy then counts nothing), and reaches later files.
 */
const E2E = [
  'test/package.test.ts',
  'test/validate-cli/plugin.test.ts',
  'test/testing/bundled-schemas.test.ts',
  'test/testing/framework-entries.test.ts',
  'test/readme.test.ts',
  'test/hubble/draft.test.ts',
  'test/cli/trace.test.ts',
  'test/cli/cold-start.test.ts',
  'test/hubble/samples.test.ts',
  'test/validate-cli/bundled-schema-backstop.test.ts',
  'test/diff/html-browser.test.ts',
  'test/diff/git-ref.test.ts',
];

/**
 * The files that use vi.mock (and the e2e files that use vi.resetModules): a registry of their own, in `e2e-isolated`
 * (the unit files that reset modules: above).
 */
const MODULE_RESETS = [
  'test/validate-cli/bundled-schema-backstop.test.ts',
  'test/testing/framework-entries.test.ts',
  // Spies on mayOverlap: in the shared registry, after a file that loaded validate, it counted 0 calls and passed whatever the search.
  'test/validate-cli/pitfall-selector-merge-scale.test.ts',
];

/**
 * The longest files (their time in a clean-clone CI run, spawned processes included), longest first per project. They start
 * first in their project, so the run does not end on one of them with the other core idle. Without this list, a clean
 * checkout (no vitest results cache) orders each project's files by size: `test/property/invalid.test.ts`, one of the
 * longest, is one of the smallest.
 */
const LONG_FILES = [
  'test/package.test.ts',
  'test/diff/html-browser.test.ts',
  'test/hubble/samples.test.ts',
  'test/validate-cli/plugin.test.ts',
  'test/testing/bundled-schemas.test.ts',
  'test/cli/trace.test.ts',
  'test/hubble/draft.test.ts',
  'test/readme.test.ts',
  'test/property/invalid.test.ts',
  'test/property/valid.test.ts',
  'test/diff/skipping.test.ts',
  'test/testing/crd-schema.test.ts',
  'test/diff/equivalence.test.ts',
  'test/property/decide.test.ts',
  'test/validate/crd-fuzz.test.ts',
];

/**
 * Vitest's order (projects one after another, each project's files by their last duration, else by size), then, within a
 * project, the files of `LONG_FILES` first. The projects stay in one block each: a worker moves on to the next file only
 * when it is of the same project, so interleaving them would start more workers. `--sequence.shuffle` shuffles the files
 * as vitest's own random sequencer does (same seed, same order).
 */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { root, sequence } = this.ctx.config;
    if (sequence.shuffle) return shuffle([...files], sequence.seed);
    const sorted = await super.sort(files);
    const projects = [...new Set(sorted.map((file) => file.project.name))];
    const rank = (file: TestSpecification): number => {
      const i = LONG_FILES.indexOf(relative(root, file.moduleId).split('\\').join('/'));
      return i < 0 ? LONG_FILES.length : i;
    };
    return sorted.sort((a, b) => projects.indexOf(a.project.name) - projects.indexOf(b.project.name) || rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // The CRD files are compiled once per run, not once per worker: the store folder of `test/support/crd-store.ts`.
    globalSetup: ['test/support/crd-store.ts'],
    env: { CDK8S_DISABLE_SORT: '' },
    // The deep mode (`PROPERTY_DEEP=1` or `true`: `deepMode()` of test/support/property.ts, which the config cannot import,
    // a CommonJS module) runs ten times as many property runs: ten times the hang guard.
    testTimeout: ['1', 'true'].includes(process.env.PROPERTY_DEEP ?? '') ? 600_000 : 60_000,
    hookTimeout: 120_000,
    // One worker per core. Vitest's default for `run` is cores - 1, which is a single worker on a 2-core machine: every
    // file in a row, one core idle. The main process only collects results, and the e2e files spend most of their time
    // waiting on the processes they spawn.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongFilesFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...E2E, ...MODULE_RESETS], isolate: false } },
      { extends: true, test: { name: 'e2e', include: E2E, exclude: MODULE_RESETS, isolate: false } },
      { extends: true, test: { name: 'e2e-isolated', include: MODULE_RESETS } },
    ],
    coverage: {
      // @vitest/coverage-v8, recording only the included files and converting once for all projects (see the module).
      provider: 'custom',
      customProviderModule: 'test/support/coverage-provider.ts',
      include: ['src/**/*.ts', 'src/**/*.mts'],
      // Reports go to the OS temp dir (COVERAGE_DIR overrides), never into the project tree.
      reportsDirectory: process.env.COVERAGE_DIR ?? join(tmpdir(), 'cdk8s-cilium-coverage'),
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
