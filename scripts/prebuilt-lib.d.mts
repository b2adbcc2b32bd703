// Types of scripts/prebuilt-lib.mjs (the package build handed from `compile-lint-docs` to test/package.test.ts).

/** The environment variable naming the folder. */
export declare const PREBUILT_LIB_ENV: 'CDK8S_CILIUM_PREBUILT_LIB';

/** What the producer writes: the emitted lib/ is ready, or why there is none. */
export type PrebuiltResult = { ok: true; files: number } | { ok: false; reason: string };

/** The producer's side: claims the folder named by the environment (undefined when none is). */
export declare function claimPrebuiltLib(env?: NodeJS.ProcessEnv): { lib: string; settle: (result: PrebuiltResult) => void } | undefined;

/** The consumer's side: waits for the producer's result (`claimGraceMs`: 20 s by default). */
export declare function awaitPrebuiltLib(timeoutMs: number, options?: { env?: NodeJS.ProcessEnv; claimGraceMs?: number }):
  { ok: true; lib: string } | { ok: false; reason: string };
