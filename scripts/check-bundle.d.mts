// Types of scripts/check-bundle.mjs (npm pack's prepack guard of the bundled dependencies).

/** The packages of the bundled dependency closure of the project at `root` not installed in its own node_modules, each a sentence. */
export declare function bundleProblems(root: string): string[];

/** The guard's result for the project at `root`: what the script exits with and prints (0 and nothing when npm pack can bundle all). */
export declare function checkBundle(root: string): { status: number; stderr: string };
