/**
 * The coverage provider of `--coverage` (vitest.config.mts `coverage.customProviderModule`): @vitest/coverage-v8, with
 * the V8 coverage of each test file cut down to the included files (`src/`) when vitest records it, and the three
 * projects' records converted as one.
 *
 * @vitest/coverage-v8 records, per test file, every script the worker ran outside node_modules (the test files, their
 * helpers, `src/`), merges all of them after the run, then converts the merged V8 ranges of `src/` to istanbul's form
 * (transform, source map, AST) once per vitest project: `unit`, `e2e` and `e2e-isolated` each convert almost every file of
 * `src/` again. The projects differ only in which test files they run and how they isolate them, not in how vite
 * transforms a source file, so one conversion of the coverage merged across projects gives the same report; and what is
 * not included is dropped before the merge instead of after it. Both run in the main process after the last test, the
 * serial tail of the run. The report is the one @vitest/coverage-v8 writes without this module (checked:
 * coverage-summary.json identical, file by file).
 */
import { fileURLToPath } from 'node:url';
import v8 from '@vitest/coverage-v8';
import type { CoverageProviderModule } from 'vitest/node';

/** The project whose vite server transforms the sources for the conversion (any project does: they share one config). */
const CONVERTING_PROJECT = 'unit';

interface ScriptCoverage {
  url: string;
}

const provider: CoverageProviderModule = {
  ...v8,
  async getProvider() {
    const v8Provider = await v8.getProvider();
    const record = v8Provider.onAfterSuiteRun.bind(v8Provider);
    const included = (url: string): boolean => url.startsWith('file://')
      && (v8Provider as unknown as { isIncluded(file: string): boolean }).isIncluded(fileURLToPath(url));
    v8Provider.onAfterSuiteRun = (meta: Parameters<typeof record>[0]) => {
      const coverage = meta.coverage as { result?: ScriptCoverage[] } | undefined;
      return record({
        ...meta,
        projectName: CONVERTING_PROJECT,
        coverage: coverage?.result ? { ...coverage, result: coverage.result.filter((script) => included(script.url)) } : coverage,
      });
    };
    return v8Provider;
  },
};

export default provider;
