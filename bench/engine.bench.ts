/**
 * `npm run bench`: the verdict engine on a generated policy set (bench/workload.ts), against the naive evaluator (every
 * rule of every policy walked for every query) in the same run.
 *
 * It measures:
 * - compile time: `PolicySet.fromDocuments` (first run, with a cold JIT as a CLI run sees it, and the median of 5). The
 *   policy of each subject identity is built lazily on first use, so the first verdict and the first pass over the query
 *   mix (cold caches) are reported separately;
 * - verdicts per second (wall-clock time of each pass, from just after a full collection to its last query; for the
 *   compiled engine and `decide()` also per second of the process's CPU time, `process.cpuUsage()`, which on a shared,
 *   loaded machine leaves out the time the process waited for a core but counts every thread's work, GC included): the
 *   median of several passes over the query mix after a warm-up, compiled and naive
 *   interleaved so that drift and background load hit both alike; the compiled/naive ratio is taken on the same queries.
 *   The compiled engine is also timed with fresh endpoint objects per query (as a caller that builds endpoints per
 *   connection, e.g. from flow logs, would: the engine caches endpoint resolution per object);
 * - memory: `process.memoryUsage()` sampled during each phase (every 4,096 queries), as deltas over the baseline taken
 *   after the modules are loaded; the heap retained after a full collection at the end of a phase; the process peak RSS.
 *
 * Before timing anything it checks that the compiled engine and the naive evaluator give the same verdict, explanation
 * included, for every query of the mix, and exits with status 1 if not (or if the mix has no allowed or no denied query).
 *
 * The code timed is the compiled build (`tsc`, as published: bench/compiled-build.ts); `--source` times the TypeScript
 * sources through tsx instead.
 *
 * Flags: --quick (100 policies, 1,000 endpoints, 5,000 queries), --json (print the figures as JSON instead of the table),
 * --seed <n>, --policies <n>, --endpoints <n>, --queries <n>, --reps <n> (compiled passes), --naive-reps <n>,
 * --cold-reps <n> (fresh sets built and judged once by `decide()` with cold caches, default 3: the build time and the first
 * pass are medians; after each first pass, what it built is counted and the pass is timed again with every decision
 * forgotten and the rest kept, `PolicySet._forgetDecisions`: the share of the first pass its decisions take), --naive-queries <n> (time the naive baseline on a fixed random subset of n queries; by default every query, unless the
 * naive passes would take longer than about a minute, in which case a subset is used and the output says so).
 * Run it with `node --expose-gc` (as `npm run bench` does) so that memory figures are taken after full collections, and
 * with `--no-concurrent-sweeping` (as `npm run bench` does): each timed pass starts after a full collection, and with
 * concurrent sweeping that collection's sweep of the whole heap (hundreds of MB, mostly the bench's own data and garbage
 * of earlier phases) runs on background threads during the pass that follows, on the same cores. On the 2-core machine
 * that made a warm `decide()` pass 2-3x slower than the same pass without the collection before it: the bench was timing
 * its own garbage collection. Without concurrent sweeping the main thread sweeps, when the heap next needs the memory (a
 * pass that allocates pays for the sweeping it needs, a pass that allocates nothing pays for none).
 */
import { arch, cpus, loadavg, platform } from 'node:os';
import { parseArgs } from 'node:util';
import type { PolicySet as PolicySetClass, Verdict, VerdictQuery } from '../src/engine';
import { codeUnderTest } from './compiled-build';
import { CATEGORIES, Category, Rng, generateWorkload } from './workload';
import { MemoryTracker, PhaseMemory, collect } from './memory';

interface BenchOptions {
  readonly mode: 'full' | 'quick' | 'custom';
  readonly json: boolean;
  readonly seed: number;
  readonly policies: number;
  readonly endpoints: number;
  readonly queries: number;
  readonly reps: number;
  readonly naiveReps: number;
  /** 0: every query (or an automatic subset when that would be too slow). */
  readonly naiveQueries: number;
  readonly compileReps: number;
  /** Fresh sets built and judged once with cold caches, for `decide()`'s build time and first pass (medians). */
  readonly coldReps: number;
  /** Time the sources through tsx instead of the compiled build. */
  readonly source: boolean;
}

/** Time budget of the timed naive passes before an automatic subset is used. */
const NAIVE_BUDGET_SECONDS = 60;

function options(): BenchOptions {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      seed: { type: 'string' },
      policies: { type: 'string' },
      endpoints: { type: 'string' },
      queries: { type: 'string' },
      reps: { type: 'string' },
      'naive-reps': { type: 'string' },
      'naive-queries': { type: 'string' },
      'cold-reps': { type: 'string' },
      source: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, v: string | undefined, fallback: number, min: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got "${v}"`);
    return n;
  };
  const quick = values.quick ?? false;
  const custom = [values.policies, values.endpoints, values.queries].some((v) => v !== undefined);
  return {
    mode: custom ? 'custom' : quick ? 'quick' : 'full',
    json: values.json ?? false,
    seed: int('seed', values.seed, 1, 0),
    policies: int('policies', values.policies, quick ? 100 : 1_000, 1),
    endpoints: int('endpoints', values.endpoints, quick ? 1_000 : 10_000, 20),
    queries: int('queries', values.queries, quick ? 5_000 : 20_000, 1),
    reps: int('reps', values.reps, 7, 1),
    naiveReps: int('naive-reps', values['naive-reps'], 5, 1),
    naiveQueries: int('naive-queries', values['naive-queries'], 0, 0),
    compileReps: 5,
    coldReps: int('cold-reps', values['cold-reps'], 3, 1),
    source: values.source ?? false,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Measurement helpers

const MB = 1024 * 1024;

function now(): bigint {
  return process.hrtime.bigint();
}

function ms(ns: bigint): number {
  return Number(ns) / 1e6;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** How a pass judges: `verdict()`, `evaluateNaive()`, or `decide()` (the verdict alone). */
type PassMode = 'verdict' | 'naive' | 'decide';

/** CPU time of the process (every thread, GC helpers included), ns. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

/** The CPU time of the last `pass`, ns (the process's: its GC threads included). */
let lastPassCpuNs = 0;

/**
 * Judges every query once; the memory is sampled every 4,096 queries. Returns the elapsed (wall-clock) time in ns; the
 * CPU time the process spent meanwhile is left in `lastPassCpuNs` (on a loaded machine the wall time also counts the time
 * the process waited for a core).
 */
function pass(set: PolicySet, queries: readonly VerdictQuery[], mode: PassMode | boolean, memory: MemoryTracker, sink: { allowed: number }): bigint {
  const m: PassMode = mode === true ? 'naive' : mode === false ? 'verdict' : mode;
  collect();
  const cpuStart = cpuNow();
  const start = now();
  if (m === 'decide') {
    for (let i = 0; i < queries.length; i++) {
      if (set.decide(queries[i]) === 'allowed') sink.allowed++;
      if ((i & 4095) === 4095) memory.sample();
    }
  } else {
    for (let i = 0; i < queries.length; i++) {
      const v = m === 'naive' ? set.evaluateNaive(queries[i]) : set.verdict(queries[i]);
      if (v.allowed) sink.allowed++;
      if ((i & 4095) === 4095) memory.sample();
    }
  }
  const elapsed = now() - start;
  lastPassCpuNs = cpuNow() - cpuStart;
  return elapsed;
}

/** `pass` on copies of the queries with fresh endpoint objects (copied before the clock starts; garbage on return). */
function freshPass(set: PolicySet, queries: readonly VerdictQuery[], memory: MemoryTracker, sink: { allowed: number }, mode: PassMode = 'verdict'): bigint {
  const fresh = queries.map((q) => ({ ...q, from: { ...q.from }, to: { ...q.to } }));
  return pass(set, fresh, mode, memory, sink);
}

interface Rate {
  readonly queries: number;
  readonly reps: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly usPerVerdict: number;
  /** The median per second of CPU time (`process.cpuUsage()`, all the process's threads), when taken. */
  readonly cpuMedian?: number;
}

function rate(queries: number, times: readonly bigint[], cpuTimes?: readonly number[]): Rate {
  const rates = times.map((t) => queries / (Number(t) / 1e9));
  const med = median(rates);
  const cpuMedian = cpuTimes && cpuTimes.length > 0 ? median(cpuTimes.map((t) => queries / (t / 1e9))) : undefined;
  return { queries, reps: times.length, median: med, min: Math.min(...rates), max: Math.max(...rates), usPerVerdict: 1e6 / med, cpuMedian };
}

interface MixCount {
  queries: number;
  allowed: number;
  denied: number;
  l7Denied: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// The benchmark

/** The engine's `PolicySet` class of the code under test (set by `main`). */
let PolicySet: typeof PolicySetClass;
type PolicySet = PolicySetClass;

function run(opts: BenchOptions, code: string) {
  const loadBefore = loadavg();
  const memory = new MemoryTracker();
  const sink = { allowed: 0 };

  // 1. Inputs.
  memory.enter('generate inputs');
  let t = now();
  const workload = generateWorkload({ seed: opts.seed, policies: opts.policies, endpoints: opts.endpoints, queries: opts.queries });
  const generateMs = ms(now() - t);
  const queries = workload.queries.map((q) => q.query);
  memory.settle();

  // 2. Compile: the first construction (cold JIT) and the median of several.
  memory.enter('compile (PolicySet.fromDocuments)');
  const compileTimes: number[] = [];
  const compile = (): PolicySet => {
    collect();
    const start = now();
    const built = PolicySet.fromDocuments(workload.docs);
    compileTimes.push(ms(now() - start));
    memory.sample();
    return built;
  };
  for (let i = 1; i < opts.compileReps; i++) compile(); // built and dropped
  const policySet = compile();
  memory.settle();

  // 3. Lazy compilation: the first verdict, then a first pass over the whole mix (per-identity policies built on first use).
  memory.enter('first pass, cold caches (lazy compile)');
  t = now();
  policySet.verdict(queries[0]);
  const firstVerdictMs = ms(now() - t);
  const coldNs = pass(policySet, queries, false, memory, sink);
  memory.settle();

  // 3b. decide(): fresh sets (each built, then a first pass with every cache cold; the median of `coldReps`), then
  // agreement with verdict() on every query.
  memory.enter('decide: build + first pass, cold caches');
  const decideBuildTimes: number[] = [];
  const decideColdTimes: bigint[] = [];
  const decideColdCpu: number[] = [];
  const decideDecisionsOnlyCpu: number[] = [];
  let decideColdCounts: PolicySet['_decideCounts'] | undefined;
  let decideSet: PolicySet | undefined;
  for (let i = 0; i < opts.coldReps; i++) {
    decideSet = undefined; // the previous set is garbage before the next is built
    collect();
    t = now();
    decideSet = PolicySet.fromDocuments(workload.docs);
    decideBuildTimes.push(ms(now() - t));
    decideColdTimes.push(pass(decideSet, queries, 'decide', memory, sink));
    decideColdCpu.push(lastPassCpuNs);
    // The same pass with every decision forgotten and the rest of what the first pass built kept (ends, rule selections,
    // direction policies, DNS learning, agent refusals): the share of the first pass that its decisions take, what filling
    // the decision tables in any other way (eagerly, per subject) could at most save.
    decideColdCounts = decideSet._decideCounts;
    decideSet._forgetDecisions();
    pass(decideSet, queries, 'decide', memory, sink);
    decideDecisionsOnlyCpu.push(lastPassCpuNs);
  }
  if (!decideSet) throw new Error('no decide set');
  const decideBuildMs = median(decideBuildTimes);
  const decideColdNs = BigInt(Math.round(median(decideColdTimes.map(Number))));
  memory.settle();
  const decideMismatches = queries.map((q, i) => ({ i, d: decideSet.decide(q), v: policySet.verdict(q).verdict })).filter((x) => x.d !== x.v);
  if (decideMismatches.length > 0) {
    console.error(`FAIL: decide() and verdict() disagree on ${decideMismatches.length} of ${queries.length} queries; first: `
      + decideMismatches.slice(0, 5).map((x) => `#${x.i} decide ${x.d}, verdict ${x.v}`).join('; '));
    process.exit(1);
  }

  // 4. Agreement on every query of the mix (also the naive evaluator's warm-up and its first-pass timing).
  memory.enter('agreement check (compiled + naive)');
  const counts = new Map<string, MixCount>([...CATEGORIES, 'total'].map((c) => [c, { queries: 0, allowed: 0, denied: 0, l7Denied: 0 }]));
  const mismatches: { index: number; category: Category; compiled: Verdict; naive: Verdict; sameVerdict: boolean }[] = [];
  let naiveFirstPassNs = 0n;
  workload.queries.forEach((wq, index) => {
    const compiled = policySet.verdict(wq.query);
    const n0 = now();
    const naive = policySet.evaluateNaive(wq.query);
    naiveFirstPassNs += now() - n0;
    const sameVerdict = compiled.verdict === naive.verdict && compiled.allowed === naive.allowed;
    if (!sameVerdict || JSON.stringify(compiled) !== JSON.stringify(naive)) {
      mismatches.push({ index, category: wq.category, compiled, naive, sameVerdict });
    }
    for (const key of [wq.category, 'total']) {
      const c = counts.get(key) as MixCount;
      c.queries++;
      if (compiled.verdict === 'allowed') c.allowed++;
      else if (compiled.verdict === 'denied') c.denied++;
      else c.l7Denied++;
    }
    if ((index & 4095) === 4095) memory.sample();
  });
  memory.settle();
  if (mismatches.length > 0) {
    const onVerdict = mismatches.filter((m) => !m.sameVerdict).length;
    console.error(`FAIL: the compiled engine and the naive evaluator disagree on ${mismatches.length} of ${queries.length} queries `
      + `(${onVerdict} on the verdict itself, ${mismatches.length - onVerdict} on the explanation only). First ones:`);
    for (const m of mismatches.slice(0, 5)) {
      console.error(`  #${m.index} [${m.category}]`);
      console.error(`    compiled: ${m.compiled.summary} (egress ${m.compiled.egress.decision}, ingress ${m.compiled.ingress.decision})`);
      console.error(`    naive:    ${m.naive.summary} (egress ${m.naive.egress.decision}, ingress ${m.naive.ingress.decision})`);
    }
    process.exit(1);
  }
  const total = counts.get('total') as MixCount;
  if (total.allowed === 0 || total.denied === 0) {
    console.error(`FAIL: degenerate query mix (${total.allowed} allowed, ${total.denied} denied of ${total.queries})`);
    process.exit(1);
  }

  // 5. Throughput. The naive baseline runs on every query unless that would take too long (or a subset is asked for).
  const naivePerQuerySeconds = Number(naiveFirstPassNs) / 1e9 / queries.length;
  let naiveCount = opts.naiveQueries > 0 ? Math.min(opts.naiveQueries, queries.length) : queries.length;
  let subsetReason = opts.naiveQueries > 0 && naiveCount < queries.length ? 'asked with --naive-queries' : undefined;
  if (opts.naiveQueries === 0 && naivePerQuerySeconds * queries.length * opts.naiveReps > NAIVE_BUDGET_SECONDS) {
    naiveCount = Math.max(1_000, Math.floor(NAIVE_BUDGET_SECONDS / opts.naiveReps / naivePerQuerySeconds / 1_000) * 1_000);
    subsetReason = `every query would take over ${NAIVE_BUDGET_SECONDS} s of naive passes`;
  }
  const naiveQueries = naiveCount < queries.length ? new Rng(opts.seed ^ 0x5eed).sample(queries, naiveCount) : queries;

  pass(policySet, queries, false, memory, sink); // warm-up (the naive evaluator warmed up in the agreement check)
  pass(decideSet, queries, 'decide', memory, sink); // warm-up
  const times = {
    compiled: [] as bigint[], fresh: [] as bigint[], naive: [] as bigint[], compiledOnSubset: [] as bigint[],
    decide: [] as bigint[], decideFresh: [] as bigint[],
  };
  const cpuTimes = { compiled: [] as number[], decide: [] as number[], decideFresh: [] as number[] };
  for (let r = 0; r < Math.max(opts.reps, opts.naiveReps); r++) {
    if (r < opts.reps) {
      memory.enter('timed: compiled');
      times.compiled.push(pass(policySet, queries, false, memory, sink));
      cpuTimes.compiled.push(lastPassCpuNs);
      memory.enter('timed: decide');
      times.decide.push(pass(decideSet, queries, 'decide', memory, sink));
      cpuTimes.decide.push(lastPassCpuNs);
      memory.enter('timed: compiled, fresh endpoint objects');
      times.fresh.push(freshPass(policySet, queries, memory, sink));
      memory.enter('timed: decide, fresh endpoint objects');
      times.decideFresh.push(freshPass(decideSet, queries, memory, sink, 'decide'));
      cpuTimes.decideFresh.push(lastPassCpuNs);
    }
    if (r < opts.naiveReps) {
      memory.enter('timed: naive');
      times.naive.push(pass(policySet, naiveQueries, true, memory, sink));
      if (naiveQueries !== queries) {
        memory.enter('timed: compiled');
        times.compiledOnSubset.push(pass(policySet, naiveQueries, false, memory, sink));
      }
    }
  }
  memory.enter('timed: compiled');
  memory.settle();

  const compiled = rate(queries.length, times.compiled, cpuTimes.compiled);
  const naive = rate(naiveQueries.length, times.naive);
  const compiledOnNaiveQueries = naiveQueries === queries ? compiled : rate(naiveQueries.length, times.compiledOnSubset);
  // Up-front cost of the compiled engine: construction plus what the cold pass took beyond a warm one.
  const upfrontMs = median(compileTimes) + Math.max(0, ms(coldNs) - (queries.length / compiled.median) * 1e3);
  const savingMsPerQuery = 1e3 / naive.median - 1e3 / compiledOnNaiveQueries.median;
  const phase = (name: string): PhaseMemory => memory.phases.get(name) ?? { rss: 0, heapUsed: 0 };
  const retainedDelta = (a: string, b: string): number | undefined => {
    const ra = phase(a).retained;
    const rb = phase(b).retained;
    return ra !== undefined && rb !== undefined ? (ra - rb) / MB : undefined;
  };
  const cpu = cpus();

  return {
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      platform: `${platform()} ${arch()}`,
      node: process.version,
      loadAverage1m: { before: loadBefore[0], after: loadavg()[0] },
      gcExposed: typeof gc === 'function',
      concurrentSweeping: !process.execArgv.includes('--no-concurrent-sweeping'),
    },
    parameters: {
      code,
      mode: opts.mode, seed: opts.seed, policies: opts.policies, endpoints: opts.endpoints, queries: opts.queries,
      reps: opts.reps, naiveReps: opts.naiveReps, naiveQueries: naiveQueries.length, naiveSubsetReason: subsetReason,
    },
    workload: { ...workload.stats, rulesNotImported: policySet.skippedRules.length, generateMs },
    mix: Object.fromEntries(counts),
    agreement: { queries: queries.length, mismatches: 0 },
    compile: {
      firstMs: compileTimes[0],
      medianMs: median(compileTimes),
      reps: compileTimes.length,
      firstVerdictMs,
      coldPassMs: ms(coldNs),
      coldPassVerdictsPerSecond: queries.length / (Number(coldNs) / 1e9),
      decideBuildMs,
      decideColdReps: decideColdTimes.length,
      decideColdPassMs: ms(decideColdNs),
      decideColdPassPerSecond: queries.length / (Number(decideColdNs) / 1e9),
      decideColdPassPerCpuSecond: queries.length / (median(decideColdCpu) / 1e9),
      decideColdPassBuilt: decideColdCounts,
      decideDecisionsOnlyPassPerCpuSecond: queries.length / (median(decideDecisionsOnlyCpu) / 1e9),
      decideDecisionsOnlyShare: median(decideDecisionsOnlyCpu) / median(decideColdCpu),
    },
    throughput: {
      compiled,
      compiledFreshEndpoints: rate(queries.length, times.fresh),
      decide: rate(queries.length, times.decide, cpuTimes.decide),
      decideFreshEndpoints: rate(queries.length, times.decideFresh, cpuTimes.decideFresh),
      naive,
      compiledOnNaiveQueries,
      ratioCompiledOverNaive: compiledOnNaiveQueries.median / naive.median,
      naiveFirstPassVerdictsPerSecond: 1 / naivePerQuerySeconds,
      breakEvenQueries: savingMsPerQuery > 0 ? Math.ceil(upfrontMs / savingMsPerQuery) : undefined,
    },
    memory: {
      baseline: { rssMB: memory.baseline.rss / MB, heapUsedMB: memory.baseline.heapUsed / MB },
      phases: Object.fromEntries([...memory.phases].map(([name, p]) => [name, {
        peakRssDeltaMB: (p.rss - memory.baseline.rss) / MB,
        peakHeapUsedDeltaMB: (p.heapUsed - memory.baseline.heapUsed) / MB,
        ...(p.retained !== undefined ? { heapAfterGcDeltaMB: (p.retained - memory.baseline.heapUsed) / MB } : {}),
      }])),
      compiledSetMB: retainedDelta('compile (PolicySet.fromDocuments)', 'generate inputs'),
      identityCachesMB: retainedDelta('first pass, cold caches (lazy compile)', 'compile (PolicySet.fromDocuments)'),
      processMaxRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Output

type Result = ReturnType<typeof run>;

function printTable(r: Result): void {
  const n = (v: number, digits = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const mb = (v: number | undefined): string => (v === undefined ? '-' : `${n(v, 1)} MB`);
  const pad = (s: string, w: number): string => s.padStart(w);
  const w = r.workload;
  const p = r.parameters;
  const out: string[] = [];
  out.push(`cdk8s-cilium verdict engine benchmark (${p.mode}), timing the ${p.code}`);
  out.push(`machine   ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.platform}, node ${r.machine.node}, `
    + `load average (1 min) ${n(r.machine.loadAverage1m.before, 2)} before / ${n(r.machine.loadAverage1m.after, 2)} after`
    + `${r.machine.gcExposed ? '' : '; gc not exposed: memory figures include garbage'}`
    + `${r.machine.concurrentSweeping ? '; concurrent sweeping on: each pass also pays for sweeping the collection before it' : ''}`);
  out.push(`workload  seed ${p.seed}: ${n(p.policies)} policies (${n(w.cnps)} CNP, ${n(w.ccnps)} CCNP; ${n(w.rules)} rules, ${n(w.items)} rule items, `
    + `${n(w.rulesNotImported)} not imported by the agent) over ${n(w.namespaces)} namespaces`);
  out.push(`          ${n(p.endpoints)} endpoints: ${n(w.pods)} pods (${n(w.podIdentities)} identities), ${n(w.ips)} IPs, ${n(w.fqdns)} DNS names, ${n(w.entities)} entities`);
  out.push(`          ${n(p.queries)} queries (${n(w.httpQueries)} with an HTTP request, ${n(w.dnsQueries)} with a DNS query name), generated in ${n(w.generateMs)} ms`);
  out.push(`agreement compiled == naive (verdict and explanation) on all ${n(r.agreement.queries)} queries; decide() == verdict().verdict on all`);
  out.push('');
  out.push(`${'query mix'.padEnd(26)}${pad('queries', 9)}${pad('allowed', 9)}${pad('denied', 9)}${pad('L7-denied', 11)}`);
  for (const [name, c] of Object.entries(r.mix)) {
    out.push(`${name.padEnd(26)}${pad(n(c.queries), 9)}${pad(n(c.allowed), 9)}${pad(n(c.denied), 9)}${pad(n(c.l7Denied), 11)}`);
  }
  out.push('');
  const c = r.compile;
  out.push('compile');
  out.push(`  PolicySet.fromDocuments, first run          ${pad(n(c.firstMs, 1), 9)} ms`);
  out.push(`  PolicySet.fromDocuments, median of ${c.reps}        ${pad(n(c.medianMs, 1), 9)} ms`);
  out.push(`  first verdict (lazy per-identity compile)   ${pad(n(c.firstVerdictMs, 2), 9)} ms`);
  out.push(`  first pass over the mix (cold caches)       ${pad(n(c.coldPassMs), 9)} ms   ${n(c.coldPassVerdictsPerSecond)} verdicts/s`);
  out.push(`  decide(): build a fresh set, median of ${c.decideColdReps}    ${pad(n(c.decideBuildMs, 1), 9)} ms`);
  out.push(`  decide(): first pass on it (cold caches)    ${pad(n(c.decideColdPassMs), 9)} ms   ${n(c.decideColdPassPerSecond)} decisions/s (median of ${c.decideColdReps}); `
    + `${n(c.decideColdPassPerCpuSecond)} per CPU second`);
  const built = c.decideColdPassBuilt;
  if (built) {
    out.push(`    built by it: ${n(built.endpointObjects)} endpoint objects, ${n(built.endsResolved)} ends resolved (${n(built.identities ?? 0)} identities), `
      + `${n(built.directionPolicies)} direction `
      + `policies, ${n(built.peerIdentities)} peer identities, ${n(built.tables)} tables, ${n(built.decisions)} decisions`);
  }
  out.push(`  decide(): the same pass, decisions only      ${pad(`${n(100 * c.decideDecisionsOnlyShare)}%`, 9)} of its CPU   `
    + `${n(c.decideDecisionsOnlyPassPerCpuSecond)} per CPU second (every decision forgotten, the rest kept)`);
  out.push('');
  const t = r.throughput;
  out.push(`${'throughput, median after warm-up'.padEnd(46)}${pad('reps', 5)}${pad('queries', 9)}${pad('verdicts/s', 12)}${pad('min', 10)}${pad('max', 10)}`
    + `${pad('µs/verdict', 12)}${pad('per CPU s', 12)}`);
  const row = (label: string, x: Rate): string => `  ${label.padEnd(44)}${pad(n(x.reps), 5)}${pad(n(x.queries), 9)}${pad(n(x.median), 12)}`
    + `${pad(n(x.min), 10)}${pad(n(x.max), 10)}${pad(n(x.usPerVerdict, 1), 12)}${pad(x.cpuMedian === undefined ? '' : n(x.cpuMedian), 12)}`;
  const subset = p.naiveQueries < p.queries;
  out.push(row('compiled', t.compiled));
  out.push(row('compiled, fresh endpoint objects per query', t.compiledFreshEndpoints));
  out.push(row('decide() (verdict alone)', t.decide));
  out.push(row('decide(), fresh endpoint objects per query', t.decideFreshEndpoints));
  out.push(`  ${'ratio decide/compiled verdict'.padEnd(44)}${pad(`${n(t.decide.median / t.compiled.median, 1)}x`, 26)}`);
  out.push(row(`naive (every rule)${subset ? ', fixed random subset' : ''}`, t.naive));
  if (subset) out.push(row('compiled, same subset', t.compiledOnNaiveQueries));
  out.push(`  ${'ratio compiled/naive (same queries)'.padEnd(44)}${pad(`${n(t.ratioCompiledOverNaive, 1)}x`, 26)}`);
  out.push(`  ${'naive, first pass (agreement check)'.padEnd(44)}${pad(n(t.naiveFirstPassVerdictsPerSecond), 26)}`);
  out.push(`  break-even: compile + cold pass repaid after ${t.breakEvenQueries === undefined ? 'never (compiled is not faster)' : `~${n(t.breakEvenQueries)} queries`}`);
  if (subset) out.push(`  (naive timed on a fixed random subset of ${n(p.naiveQueries)} queries: ${p.naiveSubsetReason ?? ''}; rates are per query)`);
  out.push('');
  const m = r.memory;
  out.push(`memory, delta over the baseline after module load (rss ${n(m.baseline.rssMB, 1)} MB, heap used ${n(m.baseline.heapUsedMB, 1)} MB)`);
  out.push(`  ${'phase'.padEnd(44)}${pad('peak rss', 11)}${pad('peak heap', 11)}${pad('heap after gc', 15)}`);
  for (const [name, ph] of Object.entries(m.phases)) {
    out.push(`  ${name.padEnd(44)}${pad(mb(ph.peakRssDeltaMB), 11)}${pad(mb(ph.peakHeapUsedDeltaMB), 11)}${pad(mb(ph.heapAfterGcDeltaMB), 15)}`);
  }
  out.push(`  retained by the compiled set: ${mb(m.compiledSetMB)} after construction, + ${mb(m.identityCachesMB)} of per-identity caches after the cold pass`);
  out.push(`  process peak RSS (maxRSS): ${mb(m.processMaxRssMB)}`);
  console.log(out.join('\n'));
}

function main(): void {
  const opts = options();
  const code = codeUnderTest(opts.source);
  PolicySet = code.load<typeof import('../src/engine')>('engine').PolicySet;
  const result = run(opts, code.description);
  if (opts.json) console.log(JSON.stringify(result, null, 2));
  else printTable(result);
}

main();
