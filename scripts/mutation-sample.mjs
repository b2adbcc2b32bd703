// `npm run test:mutation:sample -- [--n 200] [--seed 22] [--files <a.ts,b.ts>] [--list]`: the mutation score of a set of
// files estimated from a seeded uniform random sample of their mutants (docs/testing.md "Mutation testing (issue 16)").
//
// Stryker has no sampling of its own (stryker-js issues #276 and #2584, both closed without it). So:
// 1. the mutants of the files are enumerated with Stryker's own instrumenter, with the `mutator.excludedMutations` of
//    stryker.config.mjs (string literals left out), as Stryker itself would make them;
// 2. N of them are drawn uniformly without replacement (a partial Fisher-Yates shuffle of the sorted population driven by
//    pure-rand's xoroshiro128+ seeded with --seed): the unit is the mutant, not the file;
// 3. Stryker runs with one `--mutate file:line:col-line:col` range per sampled mutant. A range takes every mutant of
//    its node (`a < b`: `a <= b`, `a >= b`, `true`, `false`) and of the nodes within it, so the checker of
//    scripts/mutation-sample-checker.mjs passes only the sampled mutants: Stryker reports the others "CompileError"
//    ("Not in the mutation sample") and tests exactly the sample. (With a checker, Stryker adds a second test runner
//    once the checks are done, so a run uses two test runners at `concurrency: 1`: it tests 150 mutants, not the 755
//    that the ranges of a 150-mutant sample hold.)
// 4. the score of the sample (killed and timed out over killed, timed out, survived and without coverage, as Stryker's
//    own score) is printed with its 95% Wilson interval, with every sampled survivor: location, mutator, replacement.
//
// Options: --n (default 200), --seed (default 22), --timeout-ms (Stryker's timeoutMS, default the config's: a mutant that
// loops forever costs its whole limit), --files (comma-separated files, each whole or as `file:from-to`, the mutants starting
// on those lines; default the unmeasured model and validate files below), --list (print the sample, run nothing), --incremental-file (default
// reports/mutation/sample-<seed>-<n>.json: a re-run with the same seed and N reuses what Stryker can reuse; survivors
// are always tested again, as Stryker would reuse a survivor's result after a test file is added). The test set is
// vitest.mutation.config.mts's (`MUTATION_TEST_SET=sample`, the default here, or MUTATION_TEST_FILES).
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { mutantKey } from './mutation-sample-checker.mjs';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

const root = resolve(import.meta.dirname, '..');

/**
 * The core files no mutation run has measured (docs/testing.md "Mutation testing (issue 16)", "Not measured" and "Model files"),
 * per area. Left out: the files of the configured `mutate` set (measured by their slices), and files being worked on
 * in parallel (src/engine, src/constructs, the validate rules listed in `TAKEN`).
 */
const MEASURED = new Set([
  'src/model/parse.ts', 'src/model/fqdn-pattern.ts', 'src/model/labels.ts', 'src/model/cidr.ts',
  'src/validate/lockout-guard.ts', 'src/validate/pitfall-host.ts',
  // Sampled by seed 4848 (session 48, docs/testing.md "Session 48"): every survivor killed or argued equivalent.
  'src/model/l7-parsers.ts', 'src/model/policy-model.ts', 'src/model/namespace-assumed.ts', 'src/model/pod-object-labels.ts',
  'src/validate/schema-rules.ts', 'src/validate/crd-violations.ts', 'src/validate/network-policy-refusals.ts',
  // Sampled by seed 4949 (session 49, docs/testing.md "Session 49"): every survivor killed or argued equivalent (one left).
  'src/model/diagnostic-budget.ts', 'src/model/yaml-value-budget.ts', 'src/model/null-map-values.ts', 'src/model/pruned-nulls.ts',
  'src/model/go-line-breaks.ts', 'src/model/resource-key.ts', 'src/model/string-walk.ts', 'src/model/yaml-documents.ts',
  'src/validate/metadata-maps.ts', 'src/validate/validation-options.ts', 'src/validate/empty-rule-construct-fix.ts',
  // Sampled by seed 5050 (session 50, docs/testing.md "Session 50"): every survivor killed or argued equivalent.
  'src/model/kubectl-parts.ts', 'src/model/companion-rules.ts', 'src/model/l4-scope.ts', 'src/model/icmp-types.ts', 'src/model/interner.ts',
  'src/model/printable.ts', 'src/model/push-all.ts', 'src/model/regex-escape.ts', 'src/validate/validation-report.ts',
  // Sampled by seeds 5301 and 5302 (session 53, docs/testing.md "Session 53"): every survivor killed or argued equivalent.
  'src/validate/host-ingress-every-port.ts', 'src/validate/services-every-port.ts', 'src/validate/kube-apiserver-every-port.ts',
  'src/model/listener-kind.ts', 'src/validate/pitfall-listener-kind.ts', 'src/validate/server-name-registrable.ts',
  // Sampled by seeds 5401 and 5402 (session 54, docs/testing.md "Session 54"): every survivor killed or argued equivalent.
  'src/model/services-unresolved.ts', 'src/validate/pitfall-l7-default-allow.ts',
  // Sampled by seed 5902 (session 59, docs/testing.md "Session 59"): every non-equivalent survivor killed.
  'src/model/selector-policy-merge.ts',
]);
const TAKEN = new Set([
  'src/validate/version-rules.ts', 'src/validate/pitfall-services.ts', 'src/validate/pitfall-dns.ts', 'src/validate/pitfall-items.ts',
  'src/validate/pitfall-addresses.ts', 'src/validate/pitfall-selectors.ts', 'src/validate/pitfall-parser-merge.ts',
]);
function defaultFiles() {
  return ['src/model', 'src/validate'].flatMap((dir) => readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `${dir}/${f}`)
    .filter((f) => !MEASURED.has(f) && !TAKEN.has(f)))
    .sort();
}

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    seed: { type: 'string', default: '22' },
    files: { type: 'string' },
    list: { type: 'boolean', default: false },
    'incremental-file': { type: 'string' },
    'timeout-ms': { type: 'string' },
  },
});
const n = Number(args.n);
const seed = Number(args.seed);
if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--n ${args.n}: a positive integer`);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed ${args.seed}: an integer`);
const files = args.files ? args.files.split(',').map((f) => f.trim()).filter((f) => f !== '') : defaultFiles();

process.chdir(root);
process.env.MUTATION_TEST_SET ??= process.env.MUTATION_TEST_FILES ? '' : 'sample';
const config = (await import(pathToFileURL(join(root, 'stryker.config.mjs')).href)).default;
const excludedMutations = config.mutator?.excludedMutations ?? [];

// 1. The population, as Stryker's instrumenter makes it.
const { Instrumenter } = await import('@stryker-mutator/instrumenter');
const quiet = {
  isDebugEnabled: () => false, isTraceEnabled: () => false, debug() {}, trace() {}, info() {}, warn: console.warn, error: console.error,
};
const instrumenter = new Instrumenter(quiet);
const population = [];
for (const spec of files) {
  // `file` or `file:from-to` (the mutants starting on lines from to to, 1-based, as Stryker's `--mutate file:from-to`).
  const [, file, from, to] = /^(.*?)(?::(\d+)-(\d+))?$/.exec(spec);
  const inRange = (m) => from === undefined || (m.location.start.line + 1 >= Number(from) && m.location.start.line + 1 <= Number(to));
  const { mutants } = await instrumenter.instrument([{ name: file, content: readFileSync(file, 'utf8'), mutate: true }],
    { plugins: null, excludedMutations, ignorers: [], noHeader: true });
  for (const m of mutants) {
    if (m.status !== 'Ignored' && inRange(m)) population.push({ fileName: file, location: m.location, mutatorName: m.mutatorName, replacement: m.replacement });
  }
}
const keyOf = (m) => mutantKey(m.fileName, m.location, m.mutatorName, m.replacement);
population.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
const perArea = new Map();
for (const m of population) {
  const area = m.fileName.split('/').slice(0, 2).join('/');
  perArea.set(area, (perArea.get(area) ?? 0) + 1);
}
console.log(`Population: ${population.length} mutants in ${files.length} files (${[...perArea].map(([a, c]) => `${a} ${c}`).join(', ')}); ` +
  `excluded mutators: ${excludedMutations.join(', ') || 'none'}`);
if (n > population.length) throw new Error(`--n ${n}: the population has ${population.length} mutants`);

// 2. A seeded uniform sample without replacement (partial Fisher-Yates).
const rng = xoroshiro128plus(seed);
const order = population.map((_, i) => i);
for (let i = 0; i < n; i++) {
  const j = uniformInt(rng, i, order.length - 1);
  [order[i], order[j]] = [order[j], order[i]];
}
const sample = order.slice(0, n).map((i) => population[i]).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
const sampledPerFile = new Map();
for (const m of sample) sampledPerFile.set(m.fileName, (sampledPerFile.get(m.fileName) ?? 0) + 1);
console.log(`Sample: N=${n}, seed=${seed} (--n, --seed), ${sampledPerFile.size} files`);
const at = (m) => `${m.fileName}:${m.location.start.line + 1}:${m.location.start.column + 1}`;
if (args.list) {
  for (const m of sample) console.log(`  ${at(m)} ${m.mutatorName}: ${m.replacement.split('\n')[0]}`);
  process.exit(0);
}

// 3. Stryker on exactly those locations.
const outDir = join(root, 'reports', 'mutation');
mkdirSync(outDir, { recursive: true });
const sampleFile = join(outDir, `sample-${seed}-${n}.mutants.json`);
writeFileSync(sampleFile, JSON.stringify({ root, seed, n, mutants: sample }, null, 2));
process.env.MUTATION_SAMPLE_FILE = sampleFile;
const incrementalFile = args['incremental-file'] ?? join('reports', 'mutation', `sample-${seed}-${n}.json`);
if (existsSync(incrementalFile)) {
  // A survivor's result is reused when only a test file was added: drop the undetected ones so they are tested again.
  const report = JSON.parse(readFileSync(incrementalFile, 'utf8'));
  for (const f of Object.values(report.files ?? {})) f.mutants = f.mutants.filter((m) => m.status !== 'Survived' && m.status !== 'NoCoverage');
  writeFileSync(incrementalFile, JSON.stringify(report));
}
const ranges = [...new Set(sample.map((m) => `${m.fileName}:${m.location.start.line + 1}:${m.location.start.column}-${m.location.end.line + 1}:${m.location.end.column}`))];
const { Stryker } = await import('@stryker-mutator/core');
const started = process.cpuUsage();
const wallStart = performance.now();
const results = await new Stryker({
  mutate: ranges,
  plugins: [...(config.plugins ?? []), join(root, 'scripts', 'mutation-sample-checker.mjs')],
  checkers: ['mutation-sample'],
  incremental: true,
  incrementalFile,
  // A mutant's time limit is the time of its tests in the initial run, times 1.5, plus this (stryker.config.mjs: 60 s).
  ...(args['timeout-ms'] ? { timeoutMS: Number(args['timeout-ms']) } : {}),
  jsonReporter: { fileName: join('reports', 'mutation', `sample-${seed}-${n}.report.json`) },
  reporters: ['progress', 'json', 'mutation-sample'],
}).runMutationTest();

// 4. The sampled mutants' results.
// Stryker's results carry the report's positions (1-based lines and columns) and absolute file names.
const resultKey = (r) => keyOf({
  ...r,
  fileName: relative(root, resolve(root, r.fileName)).split('\\').join('/'),
  location: { start: { line: r.location.start.line - 1, column: r.location.start.column - 1 },
    end: { line: r.location.end.line - 1, column: r.location.end.column - 1 } },
});
const byKey = new Map(results.map((r) => [resultKey(r), r]));
const tested = results.filter((r) => r.status !== 'Ignored' && r.statusReason !== 'Not in the mutation sample');
const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
let killed = 0;
const timedOut = [];
const survivors = [];
const invalid = [];
const missing = [];
for (const m of sample) {
  const r = byKey.get(keyOf(m));
  if (r === undefined) missing.push(m);
  else if (detected.has(r.status)) {
    killed++;
    if (r.status === 'Timeout') timedOut.push(m);
  }
  else if (undetected.has(r.status)) survivors.push({ ...m, status: r.status });
  else invalid.push({ ...m, status: r.status });
}
const sampleKeys = new Set(sample.map(keyOf));
const extras = tested.filter((r) => !sampleKeys.has(resultKey(r)));
const cpu = process.cpuUsage(started);
const valid = killed + survivors.length;

/** The 95% Wilson score interval of k successes in n trials. */
function wilson(k, total, z = 1.959964) {
  const p = k / total;
  const centre = (p + (z * z) / (2 * total)) / (1 + (z * z) / total);
  const half = (z / (1 + (z * z) / total)) * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total));
  return [centre - half, centre + half];
}
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(`\nSample N=${n}, seed=${seed}, of ${population.length} mutants in ${files.length} files`);
console.log(`Stryker's results: ${results.length} mutants in the ranges, ${tested.length} of them tested or reused; ` +
  `${n - missing.length} sampled mutants found in them` + (extras.length > 0 ? `, ${extras.length} tested that are not in the sample (not counted)` : ''));
if (missing.length > 0) {
  console.log(`NOT FOUND in Stryker's results (${missing.length}; the estimate leaves them out):`);
  for (const m of missing) console.log(`  ${at(m)} ${m.mutatorName}: ${m.replacement.split('\n')[0]}`);
}
if (invalid.length > 0) {
  console.log(`Not valid mutants (compile or runtime error; out of the score like Stryker's): ${invalid.length}`);
  for (const m of invalid) console.log(`  ${at(m)} ${m.mutatorName} [${m.status}]: ${m.replacement.split('\n')[0]}`);
}
if (valid > 0) {
  const [lo, hi] = wilson(killed, valid);
  console.log(`Score: ${killed}/${valid} = ${pct(killed / valid)}, 95% Wilson interval ${pct(lo)}–${pct(hi)} ` +
    '(an estimate of the score of the whole population, not a measurement of it)');
}
if (timedOut.length > 0 && valid > 0) {
  // Stryker counts a timeout as detected; under a heavy load a slow run of a mutant's tests also times out.
  const [lo, hi] = wilson(killed - timedOut.length, valid);
  console.log(`Of those, ${timedOut.length} timed out (counted as detected, as Stryker does); counted as survivors instead: ` +
    `${killed - timedOut.length}/${valid} = ${pct((killed - timedOut.length) / valid)}, 95% Wilson interval ${pct(lo)}–${pct(hi)}`);
  for (const m of timedOut) console.log(`  timed out: ${at(m)} ${m.mutatorName}: ${m.replacement.split('\n')[0]}`);
}
console.log(`Survivors (${survivors.length}):`);
for (const m of survivors) console.log(`  ${at(m)} ${m.mutatorName}${m.status === 'NoCoverage' ? ' [no coverage]' : ''}: ${m.replacement.split('\n')[0]}`);
console.log(`Time: ${((performance.now() - wallStart) / 60000).toFixed(1)} min wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU of this process ` +
  '(the test runner is a child process: measure the tree with /usr/bin/time)');
