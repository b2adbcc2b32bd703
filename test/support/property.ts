import fc from 'fast-check';

/**
 * Settings of a fast-check property, one knob per property:
 * - runs: `PROPERTY_RUNS_<NAME>` overrides the default; `PROPERTY_DEEP=1` multiplies every property's runs by 10 (the
 *   thorough mode, for a nightly job or before a release);
 * - seed: random per run unless `PROPERTY_SEED` (all properties) or `PROPERTY_SEED_<NAME>` fixes it. The seed is printed, and
 *   fast-check prints it again with the shrunk counterexample, so a failure can be replayed with `PROPERTY_SEED_<NAME>=…`.
 * fast-check counts a property's `examples` among its `numRuns`: with fewer runs than examples (`PROPERTY_RUNS_<NAME>=1`),
 * the last examples are not run.
 * @param name the property's knob name, upper-case with underscores (`VALID_SYNTH`)
 * @param runs runs in the default (quick) mode
 * @param options `fixedSeed`: for properties that assert what the generated cases reach (a distribution, not a law), a seed
 *   known to reach it; the env variables still override it
 */
export function propertyParams<T>(name: string, runs: number, options: { fixedSeed?: number } = {}): fc.Parameters<T> {
  const env = process.env;
  const deep = deepMode();
  const base = Number(env[`PROPERTY_RUNS_${name}`] ?? runs);
  const numRuns = Math.max(1, Math.round(deep ? base * 10 : base));
  const given = env[`PROPERTY_SEED_${name}`] ?? env.PROPERTY_SEED;
  const seed = given !== undefined ? Number(given) : options.fixedSeed ?? (Math.random() * 0x7fffffff) | 0;
  console.info(`[property] ${name}: ${numRuns} runs, seed ${seed}${deep ? ' (deep)' : ''}; replay with PROPERTY_SEED_${name}=${seed}`);
  return { numRuns, seed, endOnFailure: true };
}

/**
 * The thorough mode (`PROPERTY_DEEP=1` or `true`): property runs ×10 ({@link propertyParams}), and the larger inputs of the
 * tests that size their input for the quick mode (`test/diff/skipping.test.ts`).
 */
export function deepMode(): boolean {
  return process.env.PROPERTY_DEEP === '1' || process.env.PROPERTY_DEEP === 'true';
}
